#pragma once
// The inference engine's public face: the one header core/ and ui/ include.
//
// An Engine owns one loaded model (GGUF, llama-family), its tokenizer and
// chat template, a thread pool and a paged KV cache. Work is submitted as
// requests; each request streams its tokens to a callback and ends with a
// finish reason and timing stats. Today requests run one at a time, in
// submission order, on the engine's own thread; the interface is the one a
// continuous-batching scheduler will serve (several requests stepping
// together), so callers need not change when it arrives.
//
// Threading: every Engine function may be called from any thread. Callbacks
// run on the engine's thread: keep them short, never call Engine::generate
// or RequestHandle::wait from inside one (cancel() is fine).
// Errors never throw: loading returns Result, a failed request finishes with
// FinishReason::Error and a message.
#include "inference/util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace outpost::inference {

struct EngineConfig {
    std::string modelPath;
    int threads = 0;          // matmul threads, the engine's own included; 0: physical cores (more than the free cores only adds waiting)
    int contextLength = 0;    // KV-cache positions; 0: the model's training context, at most 4096
    int kvBlockTokens = 16;   // tokens per KV block: smaller wastes less memory per request, larger costs fewer lookups
    bool kvF16 = true;        // half-precision KV cache: half the memory; rounds like llama.cpp's default cache
    int prefillChunk = 512;   // prompt tokens per forward call: bounds scratch memory on long prompts
};

struct ModelInfo {
    std::string path;
    std::string architecture;  // "llama", "qwen2", ...
    std::string name;          // general.name
    std::uint64_t parameters = 0;
    int vocabSize = 0;
    int layers = 0;
    int embedding = 0;
    int contextTrain = 0;      // what the file says the model was trained for
    int contextLength = 0;     // what this engine's cache holds
    int threads = 0;
    bool hasChatTemplate = false; // false: chat uses ChatML
};

// Sampling settings (llama.cpp's defaults and order; see
// inference/sampling/sampler.h for the exact definitions).
struct SamplingSettings {
    float temperature = 0.8f;      // <= 0: greedy
    std::int32_t topK = 40;        // <= 0: off
    float topP = 0.95f;            // >= 1: off
    float minP = 0.05f;            // <= 0: off
    float repeatPenalty = 1.0f;    // 1: off
    float frequencyPenalty = 0.0f;
    float presencePenalty = 0.0f;
    std::int32_t penaltyWindow = 64;
    std::uint64_t seed = 0;
};

struct ChatTurn {
    std::string role;     // "system", "user", "assistant"
    std::string content;
};

enum class FinishReason {
    None,       // still running (only in events that are not final)
    Stop,       // the model produced an end-of-generation token
    Length,     // maxTokens reached, or the context is full
    Cancelled,  // RequestHandle::cancel() or the engine shut down
    Error,      // see the message
};
const char* finishReasonName(FinishReason reason); // "stop", "length", "cancelled", "error", "none"

struct GenerationStats {
    int promptTokens = 0;
    int generatedTokens = 0;
    double ttftMs = 0;              // submit() to the first generated token
    double promptTokensPerSecond = 0; // prompt tokens / prefill time
    double tokensPerSecond = 0;     // tokens after the first / time after the first
    double totalMs = 0;
};

// One streamed step. For a generated token: token >= 0 and `text` the new
// UTF-8-complete text (may be empty while a character is incomplete, or for
// an end-of-generation token). The last event of a request has final = true,
// carries any text still held back (token -1 unless it is also the last
// token) and the finish reason (and error message when it is Error).
struct TokenEvent {
    std::int32_t token = -1;
    std::string text;
    bool final = false;
    FinishReason finish = FinishReason::None;
    std::string error;
};

struct GenerationResult {
    std::string text;                 // all event texts joined
    std::vector<std::int32_t> tokens; // generated ids (an end-of-generation token included)
    FinishReason finish = FinishReason::None;
    std::string error;
    GenerationStats stats;
};

struct GenerationRequest {
    // The prompt: `promptTokens` when not empty, else `messages` rendered with
    // the model's chat template (ChatML when it has none) when not empty,
    // else `prompt` as plain text.
    std::string prompt;
    std::vector<ChatTurn> messages;
    std::vector<std::int32_t> promptTokens;
    bool addSpecial = true;     // plain-text prompts: BOS etc. as the vocabulary asks
    int maxTokens = 256;        // generated tokens at most; the context may end it sooner
    bool stopAtEndOfGeneration = true;
    SamplingSettings sampling;
    std::function<void(const TokenEvent&)> onToken; // may be empty
};

// A submitted request. Copies share the request.
class RequestHandle {
public:
    RequestHandle() = default;
    bool valid() const { return m_state != nullptr; }
    std::uint64_t id() const;
    // Asks the request to stop; it finishes with Cancelled at the next step
    // (a queued request finishes without running). Safe from any thread,
    // including the callback.
    void cancel();
    bool finished() const;
    // Blocks until the request finished; its result.
    GenerationResult wait();

    struct State;
    explicit RequestHandle(std::shared_ptr<State> state) : m_state(std::move(state)) {}

private:
    std::shared_ptr<State> m_state;
};

struct EngineStats {
    int kvBlocksTotal = 0;
    int kvBlocksUsed = 0;
    int kvBlockTokens = 0;
    std::size_t kvBytesPerToken = 0;
    int requestsQueued = 0;
    int requestsRunning = 0;
    std::uint64_t requestsFinished = 0;
    std::uint64_t tokensGenerated = 0;
};

class Engine {
public:
    // Loads and checks the model, its tokenizer and chat template, and
    // allocates the KV cache. Errors name the file and the reason (missing
    // or corrupt file, unsupported architecture or tensor type, a context
    // too large for memory, ...).
    static Result<std::unique_ptr<Engine>> load(const EngineConfig& config);
    // Cancels queued and running requests and waits for the engine thread.
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const ModelInfo& info() const;

    std::vector<std::int32_t> tokenize(const std::string& text, bool addSpecial = true, bool parseSpecial = false) const;
    std::string detokenize(std::span<const std::int32_t> tokens) const;
    // The prompt text for a conversation (the model's template, or ChatML),
    // ending with the assistant's turn header. Errors come from the template.
    Result<std::string> renderChat(const std::vector<ChatTurn>& messages) const;

    // Queues a request; it runs after those submitted before it. Problems
    // with the request itself (a prompt that does not fit the context, bad
    // sampling settings) finish it with FinishReason::Error.
    RequestHandle submit(GenerationRequest request);
    // submit() and wait().
    GenerationResult generate(GenerationRequest request);

    EngineStats stats() const;

    struct Impl;

private:
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace outpost::inference
