// The in-process engine as a ChatModel. The engine calls back on its own
// thread; every event is queued to the thread that started the stream and
// dropped once the stream object is gone.
#include "core/llm/chat_model.h"

#include "inference/engine.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace outpost::core::llm {

namespace {

class LocalStream : public QObject, public ChatStream {
public:
    explicit LocalStream(ChatEvents events) : m_events(std::move(events)) {}
    ~LocalStream() override
    {
        if (m_handle.valid())
            m_handle.cancel();
    }

    void begin(inference::Engine& engine, inference::GenerationRequest request)
    {
        if (m_done)
            return;
        QPointer<LocalStream> self(this);
        request.onToken = [self](const inference::TokenEvent& ev) {
            // Runs on the engine thread: copy and queue.
            QMetaObject::invokeMethod(
                self.data(),
                [self, ev] {
                    if (self)
                        self->onToken(ev);
                },
                Qt::QueuedConnection);
        };
        m_handle = engine.submit(std::move(request));
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
    void onToken(const inference::TokenEvent& ev)
    {
        if (m_done)
            return;
        if (!ev.text.empty()) {
            m_outcome.text += ev.text;
            if (m_events.onText)
                m_events.onText(ev.text);
        }
        if (ev.token >= 0)
            ++m_outcome.completionTokens;
        if (!ev.final)
            return;
        switch (ev.finish) {
        case inference::FinishReason::Length: finish("length", {}); break;
        case inference::FinishReason::Cancelled: finish("cancelled", {}); break;
        case inference::FinishReason::Error: finish("error", ev.error); break;
        default: finish(m_cancelled ? "cancelled" : "stop", {}); break;
        }
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

    ChatEvents m_events;
    ChatOutcome m_outcome;
    inference::RequestHandle m_handle;
    bool m_cancelled = false;
    bool m_done = false;
};

std::string contentText(const OJson& content)
{
    if (content.is_string())
        return content.get<std::string>();
    std::string out;
    if (content.is_array())
        for (const auto& part : content)
            if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string())
                out += part["text"].get<std::string>();
    return out;
}

class LocalModel : public ChatModel {
public:
    LocalModel(std::shared_ptr<inference::Engine> engine, std::string name) : m_engine(std::move(engine)), m_name(std::move(name)) {}
    std::string name() const override { return m_name; }
    bool supportsTools() const override { return false; }
    int contextTokens() const override { return m_engine->info().contextLength; }

    std::shared_ptr<ChatStream> start(ChatRequest request, ChatEvents events) override
    {
        auto stream = std::make_shared<LocalStream>(std::move(events));
        inference::GenerationRequest g;
        for (const auto& m : request.messages) {
            if (!m.is_object())
                continue;
            std::string role = m.value("role", "user");
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
                        text += "\n[called " + tc["function"].value("name", "") + " " + tc["function"].value("arguments", "") + "]";
            g.messages.push_back({role, text});
        }
        g.maxTokens = std::max(1, request.maxTokens);
        g.sampling.temperature = float(request.temperature);
        g.sampling.topP = float(request.topP);
        g.sampling.seed = request.seed;
        auto engine = m_engine;
        QTimer::singleShot(0, stream.get(), [s = stream.get(), engine, g = std::move(g)]() mutable { s->begin(*engine, std::move(g)); });
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
    std::shared_ptr<inference::Engine> m_engine;
    std::string m_name;
};

} // namespace

std::shared_ptr<ChatModel> makeLocalModel(std::shared_ptr<inference::Engine> engine, std::string name)
{
    return std::make_shared<LocalModel>(std::move(engine), std::move(name));
}

} // namespace outpost::core::llm
