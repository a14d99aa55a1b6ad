#pragma once
// The inference engine's public face: the one header core/ and ui/ include.
//
// An Engine owns one loaded model (GGUF, llama-family), its tokenizer and
// chat template, a thread pool and a paged KV cache. Loading a model is
// Engine::load(); unloading it is destroying the Engine. Many requests run
// at once: every step of the engine's thread runs one forward pass over all
// running sequences together (continuous batching: weights are read once
// per step for the whole batch); a new request joins at the next step; a
// long prompt is prefilled in chunks under a per-step token budget so the
// streams in progress keep flowing. Full KV blocks are shared between
// sequences with the same prefix (a shared system prompt is computed once).
// When KV blocks run out, the newest sequence is preempted and later
// recomputed; requests never fail for lack of blocks unless one request
// alone needs more than the whole cache.
//
// Threading: every Engine function may be called from any thread, while
// the Engine lives: as for any object, destroying it while another thread
// may still call it is the caller's error (RequestHandles may outlive it).
// Callbacks run on the engine's thread (but for a request a callback
// submits while the engine is being destroyed: its final Cancelled event
// comes inside submit()): keep them short, never call Engine::generate or
// RequestHandle::wait from inside one (cancel() is fine). A callback that
// throws cancels its own request; nothing else is affected.
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

enum class KvCacheType {
    F16,   // half precision: rounds like llama.cpp's default cache
    Q8_0,  // 8-bit blocks of 32 (about half of F16's memory); needs the KV width to be a multiple of 32
    F32,   // full precision: twice F16's memory
};

struct EngineConfig {
    std::string modelPath;
    int threads = 0;          // matmul threads, the engine's own included; 0: the physical cores this process may use (runtime::physicalCores())
    int contextLength = 0;    // positions one sequence may hold; 0: the model's training context, at most 4096
    int kvBlockTokens = 16;   // tokens per KV block: smaller wastes less memory per request, larger costs fewer lookups
    KvCacheType kvType = KvCacheType::F16;
    // Memory for the KV cache of all sequences together, in MiB (fractions
    // allowed; at least one block is made). 0: room for four full contexts,
    // at most 1 GiB, and never less than one full context. A context longer
    // than the budget holds is cut to fit. When sequences need more blocks
    // than the budget has, the newest is preempted and recomputed later.
    double kvMemoryMiB = 0;
    int maxSequences = 64;    // sequences running at once; more wait in the queue
    // Tokens per step, all sequences together: bounds a step's time (and so
    // the pause a long prompt causes to other streams). Every running
    // sequence decodes its token each step even when there are more of them
    // than stepTokens; prompts are prefilled in what is left.
    int stepTokens = 512;
    bool prefixCache = true;  // share full blocks of equal prefixes between requests
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
    int contextLength = 0;     // positions one sequence may hold here (the KV budget may cut it)
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
    // With FinishReason::Error: the request was refused before it ran (the
    // prompt does not fit, an unsupported schema, bad sampling settings),
    // so it is the caller's to fix, not the engine's failure.
    bool rejected = false;
};

struct GenerationResult {
    std::string text;                 // all event texts joined
    std::vector<std::int32_t> tokens; // generated ids (an end-of-generation token included)
    FinishReason finish = FinishReason::None;
    std::string error;
    bool rejected = false;            // as TokenEvent::rejected
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
    // Generation ends (FinishReason::Stop) when the text contains one of
    // these; the stop string and what follows are not part of the output.
    // Text that might begin a stop string is held back until it is decided.
    // Not applied to JSON-constrained output (jsonSchema): cutting it would
    // break the value, which ends by itself when complete.
    std::vector<std::string> stop;
    // A JSON Schema (see inference/sampling/json_constraint.h for the
    // supported subset). When set, the output is one compact JSON value
    // matching it, guaranteed to parse even when maxTokens ends generation
    // early (the engine closes the value in time); generation stops when
    // the value is complete. An unsupported schema, or a maxTokens (or room
    // left in the context after the prompt) too small for the shortest valid
    // value, finishes the request with an error.
    std::string jsonSchema;
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

// Counts of values (milliseconds) in buckets: counts[i] counts values
// <= upperMs[i] (and above the previous bound); the last count is the
// values above every bound.
struct LatencyHistogram {
    std::vector<double> upperMs;
    std::vector<std::uint64_t> counts;  // upperMs.size() + 1
    std::uint64_t total = 0;
    double sumMs = 0;
    double meanMs() const { return total ? sumMs / double(total) : 0.0; }
};

struct SequenceKv {
    std::uint64_t request = 0;  // RequestHandle::id()
    int blocks = 0;             // KV blocks it holds (shared prefix blocks included)
    int tokens = 0;             // positions with keys and values
    bool running = false;       // false: waiting (queued or preempted)
};

// A snapshot for the studio's plots; counters count since load.
struct EngineStats {
    // KV cache: every block is used (held by sequences), cached (a prefix
    // no sequence holds, kept for reuse and evicted least recently used
    // first) or free. used + cached + free == total.
    int kvBlocksTotal = 0;
    int kvBlocksUsed = 0;
    int kvBlocksCached = 0;
    int kvBlocksFree = 0;
    int kvBlockTokens = 0;
    std::size_t kvBytesPerToken = 0;  // all layers, keys and values, in the cache's type
    std::size_t kvBytesTotal = 0;
    std::vector<SequenceKv> sequences;
    // Who holds each KV block (index: block number; kvBlocksTotal entries):
    // the index in `sequences` of the one sequence holding it, or one of the
    // values below. Consistent with `sequences` and the block counts of the
    // same snapshot: a sequence's `blocks` is the count of its own entries
    // plus the shared blocks it holds.
    static constexpr std::int32_t kBlockFree = -1;
    static constexpr std::int32_t kBlockCached = -2;   // a prefix kept for reuse, held by no sequence
    static constexpr std::int32_t kBlockShared = -3;   // a prefix block held by several sequences
    std::vector<std::int32_t> kvBlockOwners;
    std::uint64_t prefixHits = 0;     // prompt blocks found in the prefix cache
    std::uint64_t prefixMisses = 0;   // full prompt blocks that were not
    std::uint64_t preemptions = 0;
    std::uint64_t evictions = 0;      // cached blocks reused for other data
    // Scheduling.
    int requestsQueued = 0;           // waiting, preempted ones included
    int requestsRunning = 0;
    std::uint64_t requestsFinished = 0;
    std::uint64_t tokensGenerated = 0;
    std::uint64_t steps = 0;
    int lastStepSequences = 0;        // the batch of the last step; 0 once nothing runs
    int lastStepTokens = 0;
    std::vector<std::uint64_t> batchSizeCounts; // steps by sequences in the batch: 1, 2, 3-4, 5-8, ..., 65-128, more
    double tokensPerSecond = 0;       // generated tokens per second over the last two seconds
    LatencyHistogram ttft;            // submit to first token
    LatencyHistogram interToken;      // between consecutive tokens of a request
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

    // Queues a request; it starts at the next step when the running limit
    // and the KV cache allow (otherwise in submission order). Problems
    // with the request itself (a prompt that does not fit the context, bad
    // sampling settings) finish it with FinishReason::Error.
    RequestHandle submit(GenerationRequest request);
    // submit() and wait().
    GenerationResult generate(GenerationRequest request);

    EngineStats stats() const;

    // Embeddings of texts from the loaded (llama-family) model: the final
    // hidden states of each text's tokens (tokenized with BOS as the
    // vocabulary asks, cut to the context length), mean-pooled and scaled
    // to unit length; one vector of info().embedding floats per text, in
    // order. Texts run in batches of at most stepTokens tokens on the
    // calling thread (a longer text in chunks of it), beside (not through)
    // the generation queue, with their own small KV cache of the engine's
    // KV type. Errors: a text with no tokens (named by its index).
    Result<std::vector<std::vector<float>>> embed(const std::vector<std::string>& texts) const;

    struct Impl;

private:
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace outpost::inference
