#include "core/gateway/openai_routes.h"

#include "core/json/untrusted_json.h"

#include <QDateTime>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

namespace outpost::core::gateway {

namespace {

using llm::OJson;
using json::stringField;

QByteArray dumpBytes(const OJson& j) { return QByteArray::fromStdString(j.dump(-1, ' ', false, OJson::error_handler_t::replace)); }

QByteArray openAiError(const std::string& message, const char* type = "invalid_request_error")
{
    OJson e = OJson::object();
    e["message"] = message;
    e["type"] = type;
    return dumpBytes(OJson{{"error", e}});
}

// A turn that ended in an error before any of it was sent: a request the
// model refused is the client's to fix (400, which clients do not retry),
// anything else the server's (500).
void sendFailure(HttpStream& out, const llm::ChatOutcome& o)
{
    if (o.rejected)
        out.send(400, "application/json", openAiError(o.error));
    else
        out.send(500, "application/json", openAiError(o.error, "server_error"));
}

std::string completionId()
{
    std::string id = "chatcmpl-";
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 24; ++i)
        id += hex[QRandomGenerator::global()->bounded(16)];
    return id;
}

const char* openAiFinish(const std::string& reason)
{
    if (reason == "length")
        return "length";
    if (reason == "tool-calls")
        return "tool_calls";
    return "stop";
}

struct Completion {
    std::string id = completionId();
    std::int64_t created = QDateTime::currentSecsSinceEpoch();
    std::string model;
    bool streaming = false;  // the 200 and the role chunk went out

    OJson chunk(const OJson& delta, const OJson& finish) const
    {
        OJson choice = OJson::object();
        choice["index"] = 0;
        choice["delta"] = delta;
        choice["finish_reason"] = finish;
        OJson j = OJson::object();
        j["id"] = id;
        j["object"] = "chat.completion.chunk";
        j["created"] = created;
        j["model"] = model;
        j["choices"] = OJson::array({choice});
        return j;
    }
};

bool isStringOrAbsent(const OJson& object, const char* key) { return !object.contains(key) || object[key].is_string(); }

// The fields of a chat request the model reads, with the types it reads
// them as: an error message, or empty when the request is well-formed.
std::string chatRequestError(const OJson& body)
{
    if (body.contains("stream") && !body["stream"].is_boolean() && !body["stream"].is_null())
        return "\"stream\" must be a boolean";
    const OJson& messages = body["messages"];
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const OJson& m = messages[i];
        const std::string at = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            return "every message needs a string \"role\"";
        if (m.contains("content")) {
            const OJson& content = m["content"];
            if (content.is_array()) {
                for (const auto& part : content)
                    if (!part.is_object() || !isStringOrAbsent(part, "type") || !isStringOrAbsent(part, "text"))
                        return at + ".content must be a string or an array of {\"type\": string, \"text\": string} parts";
            } else if (!content.is_string() && !content.is_null()) {
                return at + ".content must be a string, an array of parts or null";
            }
        }
        if (m.contains("tool_calls") && !m["tool_calls"].is_null()) {
            if (!m["tool_calls"].is_array())
                return at + ".tool_calls must be an array";
            for (const auto& call : m["tool_calls"])
                if (!call.is_object() || (call.contains("function") && (!call["function"].is_object() || !isStringOrAbsent(call["function"], "name")
                                                                        || !isStringOrAbsent(call["function"], "arguments"))))
                    return at + ".tool_calls[].function needs a string \"name\" and string \"arguments\"";
        }
    }
    if (body.contains("stop") && !body["stop"].is_null()) {
        const OJson& stop = body["stop"];
        bool ok = (stop.is_string() && !stop.get<std::string>().empty()) || (stop.is_array() && stop.size() <= 4);
        if (stop.is_array())
            for (const auto& s : stop)
                ok = ok && s.is_string() && !s.get<std::string>().empty();
        if (!ok)
            return "\"stop\" must be a non-empty string or an array of at most 4 of them";
    }
    if (body.contains("response_format") && !body["response_format"].is_null()) {
        const OJson& format = body["response_format"];
        const std::string type = stringField(format, "type");
        if (type != "text" && type != "json_object" && type != "json_schema")
            return "\"response_format\" must be {\"type\": \"text\"}, {\"type\": \"json_object\"} or {\"type\": \"json_schema\", "
                   "\"json_schema\": {\"name\": ..., \"schema\": {...}}}";
        if (type == "json_schema") {
            const OJson& spec = format.contains("json_schema") ? format["json_schema"] : OJson();
            if (!spec.is_object() || !isStringOrAbsent(spec, "name") || (spec.contains("schema") && !spec["schema"].is_object()))
                return "\"response_format\".json_schema must be an object with a string \"name\" and an object \"schema\"";
        }
    }
    if (body.contains("tools") && !body["tools"].is_null()) {
        if (!body["tools"].is_array())
            return "\"tools\" must be an array";
        for (const auto& tool : body["tools"])
            if (!tool.is_object() || !tool.contains("function") || !tool["function"].is_object() || !tool["function"].contains("name")
                || !tool["function"]["name"].is_string() || !isStringOrAbsent(tool["function"], "description"))
                return "every tool needs a \"function\" with a string \"name\" (and a string \"description\", if any)";
    }
    return {};
}

} // namespace

void addOpenAiRoutes(Gateway& gateway, std::shared_ptr<llm::ChatModel> model)
{
    gateway.addStreamRoute("/v1/", [model, gw = QPointer<Gateway>(&gateway)](const HttpRequest& r, std::shared_ptr<HttpStream> out) {
        const QString path = r.url.path();
        if (path == QLatin1String("/v1/models") && r.method == "GET") {
            OJson data = OJson::array();
            if (model) {
                OJson m = OJson::object();
                m["id"] = model->name();
                m["object"] = "model";
                m["created"] = QDateTime::currentSecsSinceEpoch();
                m["owned_by"] = "outpost";
                data.push_back(m);
            }
            out->send(200, "application/json", dumpBytes(OJson{{"object", "list"}, {"data", data}}));
            return;
        }
        if (path == QLatin1String("/v1/embeddings") && r.method == "POST") {
            if (!model) {
                out->send(503, "application/json", openAiError("no model is loaded: start outpost serve with --model FILE", "server_error"));
                return;
            }
            const OJson body = OJson::parse(r.body.toStdString(), nullptr, false);
            std::vector<std::string> texts;
            bool valid = body.is_object() && body.contains("input") && (body["input"].is_string() || body["input"].is_array());
            if (valid && body["input"].is_string())
                texts.push_back(body["input"].get<std::string>());
            else if (valid)
                for (const auto& t : body["input"]) {
                    if (!t.is_string()) {
                        valid = false; // token-id inputs are not supported
                        break;
                    }
                    texts.push_back(t.get<std::string>());
                }
            if (!valid || texts.empty()) {
                out->send(400, "application/json", openAiError("\"input\" must be a string or a non-empty array of strings"));
                return;
            }
            std::vector<std::vector<float>> vectors;
            std::string error;
            if (!model->embed(texts, vectors, error)) {
                out->send(error.find("cannot make embeddings") != std::string::npos ? 501 : 400, "application/json", openAiError(error));
                return;
            }
            OJson data = OJson::array();
            int tokens = 0;
            for (std::size_t i = 0; i < vectors.size(); ++i) {
                OJson e = OJson::object();
                e["object"] = "embedding";
                e["index"] = i;
                e["embedding"] = vectors[i];
                data.push_back(e);
                tokens += llm::estimateTokens(texts[i]);
            }
            OJson j = OJson::object();
            j["object"] = "list";
            j["data"] = data;
            j["model"] = model->name();
            j["usage"] = OJson{{"prompt_tokens", tokens}, {"total_tokens", tokens}};
            out->send(200, "application/json", dumpBytes(j));
            return;
        }
        if (path != QLatin1String("/v1/chat/completions") || r.method != "POST") {
            out->send(404, "application/json", openAiError("no route " + r.method.toStdString() + " " + path.toStdString()));
            return;
        }
        if (!model) {
            out->send(503, "application/json", openAiError("no model is loaded: start outpost serve with --model FILE", "server_error"));
            return;
        }
        const OJson body = OJson::parse(r.body.toStdString(), nullptr, false);
        if (!body.is_object()) {
            out->send(400, "application/json", openAiError("the body must be a JSON object"));
            return;
        }
        if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
            out->send(400, "application/json", openAiError("\"messages\" must be a non-empty array"));
            return;
        }
        if (const std::string why = chatRequestError(body); !why.empty()) {
            out->send(400, "application/json", openAiError(why));
            return;
        }
        llm::ChatRequest req;
        req.messages = body["messages"];
        if (body.contains("temperature") && body["temperature"].is_number())
            req.temperature = body["temperature"].get<double>();
        if (body.contains("top_p") && body["top_p"].is_number())
            req.topP = body["top_p"].get<double>();
        for (const char* key : {"max_tokens", "max_completion_tokens"})
            if (body.contains(key) && body[key].is_number_integer())
                req.maxTokens = std::max(1, body[key].get<int>());
        if (body.contains("tools") && body["tools"].is_array())
            req.tools = body["tools"];
        if (body.contains("seed") && body["seed"].is_number_integer())
            req.seed = body["seed"].get<std::uint64_t>();
        if (body.contains("stop") && body["stop"].is_string())
            req.stop = {body["stop"].get<std::string>()};
        else if (body.contains("stop") && body["stop"].is_array())
            req.stop = body["stop"].get<std::vector<std::string>>();
        if (body.contains("response_format"))
            req.responseFormat = body["response_format"];
        const bool stream = body.contains("stream") && body["stream"].is_boolean() && body["stream"].get<bool>();
        auto c = std::make_shared<Completion>();
        c->model = body.contains("model") && body["model"].is_string() ? body["model"].get<std::string>() : model->name();

        llm::ChatEvents ev;
        auto handle = std::make_shared<std::shared_ptr<llm::ChatStream>>();
        if (stream) {
            // The status goes out with the first event, so that a request
            // the model refuses before it runs still gets its 400.
            auto startStream = [out, c]() {
                if (c->streaming)
                    return;
                c->streaming = true;
                out->begin(200, "text/event-stream");
                out->write("data: " + dumpBytes(c->chunk(OJson{{"role", "assistant"}, {"content", ""}}, nullptr)) + "\n\n");
            };
            ev.onText = [out, c, handle, startStream](const std::string& delta) {
                if (!out->open()) {
                    if (*handle)
                        (*handle)->cancel();
                    return;
                }
                startStream();
                out->write("data: " + dumpBytes(c->chunk(OJson{{"content", delta}}, nullptr)) + "\n\n");
            };
            ev.onToolStart = [out, c, startStream](int index, const std::string& id, const std::string& name) {
                startStream();
                OJson call = {{"index", index}, {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
                out->write("data: " + dumpBytes(c->chunk(OJson{{"tool_calls", OJson::array({call})}}, nullptr)) + "\n\n");
            };
            ev.onToolDelta = [out, c](int index, const std::string& delta) {
                OJson call = {{"index", index}, {"function", {{"arguments", delta}}}};
                out->write("data: " + dumpBytes(c->chunk(OJson{{"tool_calls", OJson::array({call})}}, nullptr)) + "\n\n");
            };
            ev.onDone = [out, c, handle, startStream](const llm::ChatOutcome& o) {
                if (o.finishReason == "error" && !c->streaming) {
                    sendFailure(*out, o);
                } else {
                    startStream();
                    if (o.finishReason == "error")
                        out->write("data: " + dumpBytes(OJson{{"error", OJson{{"message", o.error}, {"type", "server_error"}}}}) + "\n\n");
                    else
                        out->write("data: " + dumpBytes(c->chunk(OJson::object(), openAiFinish(o.finishReason))) + "\n\n");
                    out->write("data: [DONE]\n\n");
                    out->end();
                }
                handle->reset();
            };
        } else {
            ev.onDone = [out, c, handle](const llm::ChatOutcome& o) {
                if (o.finishReason == "error") {
                    sendFailure(*out, o);
                } else {
                    OJson msg = OJson::object();
                    msg["role"] = "assistant";
                    msg["content"] = o.toolCalls.empty() ? OJson(o.text) : OJson(nullptr);
                    if (!o.toolCalls.empty()) {
                        OJson calls = OJson::array();
                        for (const auto& t : o.toolCalls)
                            calls.push_back({{"id", t.id}, {"type", "function"}, {"function", {{"name", t.name}, {"arguments", t.arguments}}}});
                        msg["tool_calls"] = calls;
                    }
                    OJson choice = OJson::object();
                    choice["index"] = 0;
                    choice["message"] = msg;
                    choice["finish_reason"] = openAiFinish(o.finishReason);
                    OJson j = OJson::object();
                    j["id"] = c->id;
                    j["object"] = "chat.completion";
                    j["created"] = c->created;
                    j["model"] = c->model;
                    j["choices"] = OJson::array({choice});
                    OJson usage = OJson::object();
                    usage["prompt_tokens"] = o.promptTokens;
                    usage["completion_tokens"] = o.completionTokens;
                    usage["total_tokens"] = o.promptTokens + o.completionTokens;
                    j["usage"] = usage;
                    out->send(200, "application/json", dumpBytes(j));
                }
                handle->reset();
            };
        }
        *handle = model->start(std::move(req), std::move(ev));
    });
}

} // namespace outpost::core::gateway
