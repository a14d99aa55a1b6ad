#pragma once
// The bridge from core/ to language models: one small streaming interface,
// two implementations.
//   - makeRemoteModel: any OpenAI-compatible endpoint (Ollama, LM Studio,
//     vLLM, outpost serve itself) through POST <base>/chat/completions with
//     "stream": true (server-sent events).
//   - makeLocalModel: the in-process inference::Engine.
// Messages and tools use the OpenAI chat format (ordered JSON), whichever
// model runs them, so the agent code builds one request shape.
//
// Threading: start() must be called on a thread with a Qt event loop; every
// event is delivered on that thread, never from inside start() itself, and
// never after the stream was cancelled and onDone ran. onDone runs exactly
// once per started stream.
#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace outpost::inference {
class Engine;
}

namespace outpost::core::llm {

using OJson = nlohmann::ordered_json;

struct ToolCall {
    std::string id;
    std::string name;
    std::string arguments; // JSON text as the model produced it (may be invalid)
};

struct ChatRequest {
    OJson messages = OJson::array(); // [{"role","content"[,"tool_calls"][,"tool_call_id"]}]
    OJson tools = OJson::array();    // OpenAI "tools": [{"type":"function","function":{name,description,parameters}}]
    std::string model;               // the endpoint's model name; ignored by the local engine
    double temperature = 0.7;
    double topP = 0.95;
    int maxTokens = 512;
    std::uint64_t seed = 0;
    std::vector<std::string> stop;   // OpenAI "stop": the answer ends before the first of these
    // OpenAI "response_format": {"type": "json_object"} or {"type":
    // "json_schema", "json_schema": {"schema": {...}, ...}} makes the answer
    // one JSON value (of that schema); null or {"type": "text"}: free text.
    OJson responseFormat;
};

struct ChatOutcome {
    // "stop", "length", "tool-calls", "cancelled" or "error" (see `error`).
    std::string finishReason = "stop";
    std::string text;
    std::vector<ToolCall> toolCalls;
    std::string error;
    // With "error": the request itself was refused (the model cannot take
    // it as it is, e.g. an unsupported schema), not a failure while running.
    bool rejected = false;
    int promptTokens = 0;
    int completionTokens = 0;
    // Microseconds from the first generated token to the last, measured
    // where they are generated (0: unknown, e.g. a remote endpoint). Tokens
    // can reach the listener in bursts, so its own clock would overstate speed.
    std::int64_t decodeUs = 0;
};

struct ChatEvents {
    std::function<void(const std::string& delta)> onText;
    // A tool call begins (index among this answer's calls, id, name).
    std::function<void(int index, const std::string& id, const std::string& name)> onToolStart;
    // More of a tool call's JSON arguments.
    std::function<void(int index, const std::string& delta)> onToolDelta;
    std::function<void(const ChatOutcome& outcome)> onDone;
};

// A running answer. cancel() is idempotent; onDone then reports "cancelled"
// (with the text so far).
class ChatStream {
public:
    virtual ~ChatStream() = default;
    virtual void cancel() = 0;
};

class ChatModel {
public:
    virtual ~ChatModel() = default;
    // What /v1/models lists and traces record.
    virtual std::string name() const = 0;
    // Whether requests may carry tools (the local engine has no tool-call
    // format yet: its tools are dropped and the agent says so in the trace).
    virtual bool supportsTools() const = 0;
    // Context window in tokens (0: unknown); agents compact history to fit.
    virtual int contextTokens() const = 0;
    virtual std::shared_ptr<ChatStream> start(ChatRequest request, ChatEvents events) = 0;
    // Unit-length embeddings of `texts`, one per text, in order; false with
    // `error` set when the model cannot embed (remote models here) or a
    // text is empty. Runs on the calling thread.
    virtual bool embed(const std::vector<std::string>& texts, std::vector<std::vector<float>>& out, std::string& error)
    {
        (void)texts;
        (void)out;
        error = "this model cannot make embeddings";
        return false;
    }
};

// `baseUrl` is the endpoint's API root, e.g. http://127.0.0.1:11434/v1 (a
// trailing "/chat/completions" is accepted too). `apiKey` is sent as a
// bearer token when not empty; it never appears in errors or traces.
std::shared_ptr<ChatModel> makeRemoteModel(const QString& baseUrl, const std::string& model, const QByteArray& apiKey);

// Shares the engine; `name` is what /v1/models reports (the file's base name).
std::shared_ptr<ChatModel> makeLocalModel(std::shared_ptr<inference::Engine> engine, std::string name);

// Rough token count for budgeting (4 bytes a token), never 0 for non-empty text.
int estimateTokens(const std::string& text);

} // namespace outpost::core::llm
