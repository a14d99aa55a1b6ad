// An OpenAI-compatible endpoint as a ChatModel: POST /chat/completions with
// stream=true, read as server-sent events (one JSON chunk per "data:" line,
// "[DONE]" at the end). A server that answers with a plain JSON completion
// instead is understood too.
#include "core/llm/chat_model.h"

#include "core/json/untrusted_json.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <map>

namespace outpost::core::llm {

namespace {

class RemoteStream : public QObject, public ChatStream, public std::enable_shared_from_this<RemoteStream> {
public:
    RemoteStream(ChatEvents events) : m_events(std::move(events)) {}
    ~RemoteStream() override
    {
        if (m_reply) {
            QObject::disconnect(m_reply, nullptr, this, nullptr);
            m_reply->abort();
        }
    }

    void begin(const QUrl& url, const QByteArray& apiKey, const QByteArray& body)
    {
        QNetworkRequest req(url);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        req.setRawHeader("Accept", "text/event-stream, application/json");
        if (!apiKey.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + apiKey);
        req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        m_reply = m_nam.post(req, body);
        QObject::connect(m_reply, &QNetworkReply::readyRead, this, [this] { onRead(); });
        QObject::connect(m_reply, &QNetworkReply::finished, this, [this] { onFinished(); });
    }

    void cancel() override
    {
        if (m_done)
            return;
        m_cancelled = true;
        if (m_reply)
            m_reply->abort(); // finished() follows, queued or now
        else
            finish();
    }

private:
    void onRead()
    {
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_buffer += m_reply->readAll();
        if (status != 200)
            return; // the error body is read whole in onFinished
        const bool sse = m_reply->header(QNetworkRequest::ContentTypeHeader).toString().contains(QLatin1String("event-stream"));
        if (!sse)
            return;
        m_sse = true;
        for (;;) {
            qsizetype end = m_buffer.indexOf("\n\n");
            qsizetype skip = 2;
            const qsizetype crlf = m_buffer.indexOf("\r\n\r\n");
            if (crlf >= 0 && (end < 0 || crlf < end)) {
                end = crlf;
                skip = 4;
            }
            if (end < 0)
                break;
            const QByteArray event = m_buffer.left(end);
            m_buffer.remove(0, end + skip);
            for (QByteArray line : event.split('\n')) {
                line = line.trimmed();
                if (!line.startsWith("data:"))
                    continue;
                const QByteArray data = line.mid(5).trimmed();
                if (data == "[DONE]") {
                    m_sawDone = true;
                    continue;
                }
                onChunk(data);
                if (m_done)
                    return;
            }
        }
    }

    void onChunk(const QByteArray& data)
    {
        const std::string text = data.toStdString();
        if (json::tooDeepAt(text) >= 0) {
            m_error = "the endpoint sent JSON nested deeper than " + std::to_string(json::kMaxNesting) + " levels";
            return;
        }
        const OJson j = OJson::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            m_error = "the endpoint sent an event that is not JSON: " + data.left(200).toStdString();
            return;
        }
        if (j.contains("error")) {
            m_error = "the endpoint reported an error: " + j["error"].dump().substr(0, 400);
            return;
        }
        if (j.contains("usage") && j["usage"].is_object()) {
            // Counts only: some servers send null, or numbers as strings.
            const auto count = [&](const char* key, int& into) {
                if (const auto it = j["usage"].find(key); it != j["usage"].end() && it->is_number_integer())
                    into = it->get<int>();
            };
            count("prompt_tokens", m_outcome.promptTokens);
            count("completion_tokens", m_outcome.completionTokens);
        }
        if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
            return;
        const OJson& choice = j["choices"][0];
        if (!choice.is_object())
            return;
        if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
            m_finish = choice["finish_reason"].get<std::string>();
        const OJson& delta = choice.contains("delta") ? choice["delta"] : (choice.contains("message") ? choice["message"] : OJson());
        if (!delta.is_object())
            return;
        if (delta.contains("content") && delta["content"].is_string()) {
            const std::string piece = delta["content"].get<std::string>();
            if (!piece.empty()) {
                m_outcome.text += piece;
                if (m_events.onText)
                    m_events.onText(piece);
            }
        }
        if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
            int position = 0;
            for (const auto& tc : delta["tool_calls"]) {
                if (!tc.is_object())
                    continue;
                const int index = tc.contains("index") && tc["index"].is_number_integer() ? tc["index"].get<int>() : position;
                ++position;
                auto [it, fresh] = m_calls.try_emplace(index);
                ToolCall& call = it->second;
                if (tc.contains("id") && tc["id"].is_string() && call.id.empty())
                    call.id = tc["id"].get<std::string>();
                const OJson fn = tc.contains("function") && tc["function"].is_object() ? tc["function"] : OJson::object();
                if (fn.contains("name") && fn["name"].is_string() && call.name.empty())
                    call.name = fn["name"].get<std::string>();
                if (fresh) {
                    if (call.id.empty())
                        call.id = "call_" + std::to_string(index);
                    if (m_events.onToolStart)
                        m_events.onToolStart(index, call.id, call.name);
                }
                if (fn.contains("arguments")) {
                    // Some servers send the arguments as an object, not text.
                    const std::string args = fn["arguments"].is_string() ? fn["arguments"].get<std::string>() : fn["arguments"].dump();
                    if (!args.empty()) {
                        call.arguments += args;
                        if (m_events.onToolDelta)
                            m_events.onToolDelta(index, args);
                    }
                }
            }
        }
    }

    void onFinished()
    {
        if (m_done)
            return;
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (m_cancelled) {
            m_outcome.finishReason = "cancelled";
        } else if (m_reply->error() != QNetworkReply::NoError && status == 0) {
            m_outcome.finishReason = "error";
            m_outcome.error = "cannot reach the model endpoint " + m_reply->url().toString(QUrl::RemoveUserInfo).toStdString() + ": "
                              + m_reply->errorString().toStdString();
        } else if (status != 200) {
            m_buffer += m_reply->readAll();
            m_outcome.finishReason = "error";
            m_outcome.error = "the model endpoint answered HTTP " + std::to_string(status) + ": " + m_buffer.left(400).toStdString();
            // The request's content was refused (a schema or stop list the
            // endpoint does not take, a prompt too long); 401, 404 or 429
            // are the server's setup or load, not the client's request.
            m_outcome.rejected = status == 400 || status == 413 || status == 422;
        } else {
            if (!m_sse) {
                // A plain completion: one JSON document.
                m_buffer += m_reply->readAll();
                onChunk(m_buffer.trimmed());
            } else if (!m_buffer.trimmed().isEmpty()) {
                m_buffer += "\n\n";
                onRead();
            }
            if (!m_error.empty()) {
                m_outcome.finishReason = "error";
                m_outcome.error = m_error;
            } else {
                m_outcome.finishReason = m_finish == "tool_calls" || (!m_calls.empty() && m_finish != "length") ? "tool-calls"
                                         : m_finish == "length"                                               ? "length"
                                                                                                              : "stop";
            }
        }
        finish();
    }

    void finish()
    {
        if (m_done)
            return;
        m_done = true;
        for (auto& [index, call] : m_calls)
            m_outcome.toolCalls.push_back(call);
        if (m_reply) {
            m_reply->deleteLater();
            m_reply = nullptr;
        }
        // The callback may destroy this stream: it gets its own copy.
        auto done = std::move(m_events.onDone);
        m_events = {};
        const ChatOutcome outcome = m_outcome;
        if (done)
            done(outcome);
    }

    QNetworkAccessManager m_nam;
    QNetworkReply* m_reply = nullptr;
    ChatEvents m_events;
    ChatOutcome m_outcome;
    std::map<int, ToolCall> m_calls;
    QByteArray m_buffer;
    std::string m_finish;
    std::string m_error;
    bool m_sse = false;
    bool m_sawDone = false;
    bool m_cancelled = false;
    bool m_done = false;
};

class RemoteModel : public ChatModel {
public:
    RemoteModel(QString baseUrl, std::string model, QByteArray apiKey)
        : m_base(std::move(baseUrl)), m_model(std::move(model)), m_key(std::move(apiKey))
    {
        while (m_base.endsWith('/'))
            m_base.chop(1);
        if (!m_base.endsWith(QLatin1String("/chat/completions")))
            m_base += QLatin1String("/chat/completions");
    }
    std::string name() const override { return m_model; }
    bool supportsTools() const override { return true; }
    int contextTokens() const override { return 0; }

    std::shared_ptr<ChatStream> start(ChatRequest request, ChatEvents events) override
    {
        auto stream = std::make_shared<RemoteStream>(std::move(events));
        OJson body = OJson::object();
        body["model"] = request.model.empty() ? m_model : request.model;
        body["messages"] = request.messages;
        if (!request.tools.empty())
            body["tools"] = request.tools;
        body["stream"] = true;
        body["temperature"] = request.temperature;
        body["top_p"] = request.topP;
        body["max_tokens"] = request.maxTokens;
        if (!request.stop.empty())
            body["stop"] = request.stop;
        if (request.responseFormat.is_object())
            body["response_format"] = request.responseFormat;
        const QByteArray bytes = QByteArray::fromStdString(body.dump(-1, ' ', false, OJson::error_handler_t::replace));
        QUrl url(m_base);
        // Queued, so no event runs inside start().
        QTimer::singleShot(0, stream.get(), [s = stream.get(), url, key = m_key, bytes] { s->begin(url, key, bytes); });
        return stream;
    }

private:
    QString m_base;
    std::string m_model;
    QByteArray m_key;
};

} // namespace

std::shared_ptr<ChatModel> makeRemoteModel(const QString& baseUrl, const std::string& model, const QByteArray& apiKey)
{
    return std::make_shared<RemoteModel>(baseUrl, model, apiKey);
}

} // namespace outpost::core::llm
