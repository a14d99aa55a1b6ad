// The in-process engine as a ChatModel. The engine calls back on its own
// thread; every event is queued to the thread that started the stream and
// dropped once the stream object is gone.
#include "core/llm/chat_model.h"

#include "core/json/untrusted_json.h"
#include "inference/engine.h"
#include "inference/sampling/json_constraint.h"

#include <QMetaObject>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <optional>
#include <set>

namespace outpost::core::llm {

using json::stringField;

namespace {

// The engine thread reaches a stream only through this, and never after
// the stream's destructor ran.
struct Relay {
    QMutex mutex;
    QObject* target = nullptr;
};

class LocalStream : public QObject, public ChatStream {
public:
    explicit LocalStream(ChatEvents events) : m_events(std::move(events)) { m_relay->target = this; }
    ~LocalStream() override
    {
        {
            QMutexLocker lock(&m_relay->mutex);
            m_relay->target = nullptr;
        }
        if (m_handle.valid())
            m_handle.cancel();
    }

    // Tools: `decide` first runs JSON-constrained (not streamed) and says
    // whether to call a tool; only a "reply" decision runs `request`.
    void begin(std::shared_ptr<inference::Engine> engine, inference::GenerationRequest request,
               std::optional<inference::GenerationRequest> decide, std::vector<std::string> toolNames)
    {
        if (m_done)
            return;
        m_engine = std::move(engine);
        m_reply = std::move(request);
        m_toolNames = std::move(toolNames);
        if (decide) {
            m_deciding = true;
            submit(std::move(*decide));
        } else {
            submit(std::move(m_reply));
        }
    }

    void cancel() override
    {
        if (m_done)
            return;
        m_cancelled = true;
        if (m_handle.valid())
            m_handle.cancel(); // the final event follows
        else
            finish("cancelled", {});
    }

private:
    void submit(inference::GenerationRequest request)
    {
        request.onToken = [relay = m_relay](const inference::TokenEvent& ev) {
            // The engine thread: copy and queue (dropped if the stream is gone).
            QMutexLocker lock(&relay->mutex);
            if (!relay->target)
                return;
            auto* stream = static_cast<LocalStream*>(relay->target);
            const std::int64_t at = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count();
            QMetaObject::invokeMethod(stream, [stream, ev, at] { stream->onToken(ev, at); }, Qt::QueuedConnection);
        };
        m_handle = m_engine->submit(std::move(request));
    }

    // `atUs`: when the engine produced the event (steady clock).
    void onToken(const inference::TokenEvent& ev, std::int64_t atUs)
    {
        if (m_done)
            return;
        if (ev.token >= 0) {
            ++m_outcome.completionTokens;
            if (m_firstTokenUs == 0)
                m_firstTokenUs = atUs;
            m_outcome.decodeUs = atUs - m_firstTokenUs;
        }
        if (m_deciding) {
            m_decision += ev.text;
            if (ev.final)
                decided(ev);
            return;
        }
        if (!ev.text.empty()) {
            m_outcome.text += ev.text;
            if (m_events.onText)
                m_events.onText(ev.text);
        }
        if (!ev.final)
            return;
        switch (ev.finish) {
        case inference::FinishReason::Length: finish("length", {}); break;
        case inference::FinishReason::Cancelled: finish("cancelled", {}); break;
        case inference::FinishReason::Error:
            m_outcome.rejected = ev.rejected;
            finish("error", ev.error);
            break;
        default: finish(m_cancelled ? "cancelled" : "stop", {}); break;
        }
    }

    void decided(const inference::TokenEvent& ev)
    {
        m_deciding = false;
        if (ev.finish == inference::FinishReason::Cancelled || m_cancelled)
            return finish("cancelled", {});
        if (ev.finish == inference::FinishReason::Error) {
            // The prompt with the tool list does not fit, or the engine
            // failed: answer in words.
            qWarning("outpost: the tool decision failed (%s); the model answers without tools", ev.error.c_str());
            submit(std::move(m_reply));
            return;
        }
        const OJson d = OJson::parse(m_decision, nullptr, false);
        if (d.is_object() && stringField(d, "action") == "call" && d.contains("tool") && d["tool"].is_string()) {
            ToolCall call;
            call.id = "call_" + std::to_string(m_handle.id());
            call.name = d["tool"].get<std::string>();
            call.arguments = d.contains("arguments") ? d["arguments"].dump() : "{}";
            if (m_events.onToolStart)
                m_events.onToolStart(0, call.id, call.name);
            if (m_events.onToolDelta)
                m_events.onToolDelta(0, call.arguments);
            m_outcome.toolCalls.push_back(call);
            return finish("tool-calls", {});
        }
        submit(std::move(m_reply));
    }

    void finish(const char* reason, std::string error)
    {
        if (m_done)
            return;
        m_done = true;
        m_outcome.finishReason = reason;
        m_outcome.error = std::move(error);
        // The callback may destroy this stream: it gets its own copy.
        auto done = std::move(m_events.onDone);
        m_events = {};
        const ChatOutcome outcome = m_outcome;
        if (done)
            done(outcome);
    }

    std::shared_ptr<Relay> m_relay = std::make_shared<Relay>();
    ChatEvents m_events;
    ChatOutcome m_outcome;
    std::shared_ptr<inference::Engine> m_engine;
    inference::GenerationRequest m_reply;
    std::vector<std::string> m_toolNames;
    std::string m_decision;
    std::int64_t m_firstTokenUs = 0;
    inference::RequestHandle m_handle;
    bool m_deciding = false;
    bool m_cancelled = false;
    bool m_done = false;
};

// The JSON Schema an OpenAI response_format asks for; empty for free text.
std::string schemaOf(const OJson& format)
{
    const std::string type = stringField(format, "type");
    if (type == "json_object")
        return R"({"type":"object"})";
    if (type != "json_schema")
        return {};
    const auto spec = format.find("json_schema");
    if (spec != format.end() && spec->is_object())
        if (const auto schema = spec->find("schema"); schema != spec->end() && schema->is_object())
            return schema->dump();
    return R"({"type":"object"})";
}

std::string contentText(const OJson& content)
{
    if (content.is_string())
        return content.get<std::string>();
    std::string out;
    if (content.is_array())
        for (const auto& part : content)
            if (part.is_object() && stringField(part, "type") == "text" && part.contains("text") && part["text"].is_string())
                out += part["text"].get<std::string>();
    return out;
}

class LocalModel : public ChatModel {
public:
    LocalModel(std::shared_ptr<inference::Engine> engine, std::string name) : m_engine(std::move(engine)), m_name(std::move(name)) {}
    std::string name() const override { return m_name; }
    // Tool calls come from a JSON-constrained decision (see begin()).
    bool supportsTools() const override { return true; }
    int contextTokens() const override { return m_engine->info().contextLength; }

    std::shared_ptr<ChatStream> start(ChatRequest request, ChatEvents events) override
    {
        auto stream = std::make_shared<LocalStream>(std::move(events));
        inference::GenerationRequest g;
        for (const auto& m : request.messages) {
            if (!m.is_object())
                continue;
            std::string role = stringField(m, "role", "user");
            std::string text = m.contains("content") ? contentText(m["content"]) : std::string();
            // Without a tool-call format the model reads tool traffic as text.
            if (role == "tool") {
                role = "user";
                text = "Tool result: " + text;
            } else if (role != "system" && role != "assistant") {
                role = "user";
            }
            if (m.contains("tool_calls") && m["tool_calls"].is_array())
                for (const auto& tc : m["tool_calls"])
                    if (tc.is_object() && tc.contains("function") && tc["function"].is_object())
                        text += "\n[called " + stringField(tc["function"], "name") + " " + stringField(tc["function"], "arguments") + "]";
            g.messages.push_back({role, text});
        }
        g.maxTokens = std::max(1, request.maxTokens);
        g.sampling.temperature = float(request.temperature);
        g.sampling.topP = float(request.topP);
        g.sampling.seed = request.seed;
        g.stop = request.stop;
        g.jsonSchema = schemaOf(request.responseFormat);
        std::optional<inference::GenerationRequest> decide;
        std::vector<std::string> names;
        if (request.tools.is_array() && !request.tools.empty()) {
            // The model picks between answering and calling a tool in one
            // JSON value the sampler keeps valid (the engine's schema
            // subset has no oneOf, so one object covers both).
            std::string list;
            OJson toolEnum = OJson::array();
            for (const auto& t : request.tools) {
                if (!t.is_object() || !t.contains("function") || !t["function"].is_object())
                    continue;
                const OJson& fn = t["function"];
                const std::string name = stringField(fn, "name");
                if (name.empty())
                    continue;
                names.push_back(name);
                toolEnum.push_back(name);
                list += "- " + name + ": " + stringField(fn, "description") + " Arguments (JSON Schema): "
                        + (fn.contains("parameters") ? fn["parameters"].dump() : "{}") + "\n";
            }
            if (!names.empty()) {
                inference::GenerationRequest d = g;
                const std::string instruction =
                    "You can call these tools:\n" + list
                    + "Answer with one JSON object: {\"action\":\"call\",\"tool\":<name>,\"arguments\":{...}} to call a tool, "
                      "or {\"action\":\"reply\"} to answer in words.";
                d.messages.insert(d.messages.begin(), inference::ChatTurn{"system", instruction});
                OJson schema = OJson::object();
                schema["type"] = "object";
                schema["properties"] = OJson::object();
                schema["properties"]["action"] = OJson{{"enum", OJson::array({"reply", "call"})}};
                schema["properties"]["tool"] = OJson{{"enum", toolEnum}};
                schema["properties"]["arguments"] = OJson{{"type", "object"}};
                schema["required"] = OJson::array({"action"});
                d.maxTokens = 256;
                d.jsonSchema = schema.dump();
                // One tool: its own argument schema keeps the arguments valid
                // too, when the engine can honour it inside the decision and
                // its shortest value fits (several would need oneOf over the
                // tools). Otherwise any object: the call still happens, and
                // the tool checks its arguments as it would a remote model's.
                if (names.size() == 1)
                    for (const auto& t : request.tools)
                        if (t.is_object() && t.contains("function") && t["function"].is_object() && t["function"].contains("parameters")
                            && t["function"]["parameters"].is_object()) {
                            // Its own "$id" keeps its references ("#/$defs/X",
                            // "#") pointing into it once nested.
                            OJson own = t["function"]["parameters"];
                            if (!own.contains("$id"))
                                own["$id"] = "outpost:tool-arguments";
                            OJson constrained = schema;
                            constrained["properties"]["arguments"] = std::move(own);
                            const std::string text = constrained.dump();
                            auto parsed = inference::sampling::JsonSchema::parse(text);
                            if (parsed && (*parsed)->minimalLength() <= static_cast<std::size_t>(d.maxTokens))
                                d.jsonSchema = text;
                            else
                                warnUnconstrained(names.front(), parsed ? "its shortest value is longer than the decision's tokens" : parsed.error());
                        }
                decide = std::move(d);
            }
        }
        auto engine = m_engine;
        QTimer::singleShot(0, stream.get(), [s = stream.get(), engine, g = std::move(g), decide = std::move(decide), names]() mutable {
            s->begin(engine, std::move(g), std::move(decide), names);
        });
        return stream;
    }

    bool embed(const std::vector<std::string>& texts, std::vector<std::vector<float>>& out, std::string& error) override
    {
        auto r = m_engine->embed(texts);
        if (!r) {
            error = r.error();
            return false;
        }
        out = std::move(*r);
        return true;
    }

private:
    // Once per tool name: agents send the same tools every turn.
    void warnUnconstrained(const std::string& tool, const std::string& why)
    {
        QMutexLocker lock(&m_warnedMutex);
        if (m_warned.insert(tool).second)
            qWarning("outpost: the arguments of tool %s are not constrained (%s)", tool.c_str(), why.c_str());
    }

    std::shared_ptr<inference::Engine> m_engine;
    std::string m_name;
    QMutex m_warnedMutex;
    std::set<std::string> m_warned;
};

} // namespace

std::shared_ptr<ChatModel> makeLocalModel(std::shared_ptr<inference::Engine> engine, std::string name)
{
    return std::make_shared<LocalModel>(std::move(engine), std::move(name));
}

} // namespace outpost::core::llm
