// Chat served to WebSocket clients through the real gateway, with the LLM
// node driven by a scripted OpenAI-compatible endpoint on 127.0.0.1 (the
// remote-endpoint path, for real): streaming, persistence, tool approval
// across a restart, denial, resume mid-stream exactly once, cancel, bad input.
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_graph.h"
#include "core/agent/agent_instance.h"
#include "core/agent/chat_service.h"
#include "core/agent/chat_store.h"
#include "core/gateway/gateway.h"
#include "inference/engine.h"

#include <QFile>
#include <QJsonObject>
#include <QFloat16>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <memory>
#include <set>

using namespace outpost::core;
using OJson = nlohmann::ordered_json;

namespace {

// A scripted OpenAI-compatible chat endpoint. What it answers depends on the
// request: a tool result in the messages -> "The tool returned: <result>";
// a user text starting with TOOL -> a call of clock; BROKEN -> a call with
// arguments that are not JSON; SLOW -> eight words, one per 25 ms;
// anything else -> "Hello from the scripted model."
class ScriptedModel : public QObject {
public:
    ScriptedModel()
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, this, [this, s, buffer] {
                    *buffer += s->readAll();
                    const qsizetype head = buffer->indexOf("\r\n\r\n");
                    if (head < 0)
                        return;
                    qsizetype length = 0;
                    for (const QByteArray& line : buffer->left(head).split('\n'))
                        if (line.toLower().startsWith("content-length:"))
                            length = line.mid(15).trimmed().toLongLong();
                    if (buffer->size() < head + 4 + length)
                        return;
                    for (const QByteArray& line : buffer->left(head).split('\n'))
                        if (line.toLower().startsWith("authorization:"))
                            authorization = line.mid(14).trimmed();
                    if (buffer->startsWith("GET ")) {
                        s->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\npong");
                        s->disconnectFromHost();
                    } else {
                        answer(s, OJson::parse(buffer->mid(head + 4, length).toStdString(), nullptr, false));
                    }
                    buffer->clear();
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(server.serverPort()); }

    QTcpServer server;
    QList<OJson> requests;
    QByteArray authorization;

private:
    static QByteArray chunk(const OJson& delta, const char* finish = nullptr)
    {
        OJson c = {{"id", "x"}, {"object", "chat.completion.chunk"},
                   {"choices", OJson::array({OJson{{"index", 0}, {"delta", delta}, {"finish_reason", finish ? OJson(finish) : OJson(nullptr)}}})}};
        return "data: " + QByteArray::fromStdString(c.dump()) + "\n\n";
    }

    void answer(QTcpSocket* s, const OJson& body)
    {
        requests << body;
        std::string user, tool;
        for (const auto& m : body["messages"]) {
            if (m["role"] == "user") {
                user = m["content"].get<std::string>();
                tool.clear(); // only results of this turn count
            }
            if (m["role"] == "tool")
                tool = m["content"].get<std::string>();
        }
        for (const auto& [prefix, status] : {std::pair{"REFUSE", "400 Bad Request"}, std::pair{"THROTTLE", "429 Too Many Requests"}})
            if (user.rfind(prefix, 0) == 0) {
                const QByteArray error = R"({"error":{"message":"no"}})";
                s->write("HTTP/1.1 " + QByteArray(status) + "\r\nContent-Type: application/json\r\nContent-Length: "
                         + QByteArray::number(error.size()) + "\r\nConnection: close\r\n\r\n" + error);
                s->disconnectFromHost();
                return;
            }
        s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
        QList<QByteArray> parts;
        const OJson& first = body["messages"][0];
        if (first["role"] == "system" && first["content"].get<std::string>().rfind("Summarise", 0) == 0) {
            parts << chunk({{"role", "assistant"}, {"content", "short summary"}}) << chunk(OJson::object(), "stop");
        } else if (!tool.empty()) {
            parts << chunk({{"role", "assistant"}, {"content", "The tool returned: "}}) << chunk({{"content", tool}}) << chunk(OJson::object(), "stop");
        } else if (user.rfind("TOOL", 0) == 0 || user.rfind("BROKEN", 0) == 0 || user.rfind("LATER", 0) == 0 || user.rfind("FETCH", 0) == 0) {
            std::string name = "clock", args = "{}";
            if (user.rfind("BROKEN", 0) == 0)
                args = "{not json";
            if (user.rfind("LATER", 0) == 0) {
                name = "schedule";
                args = R"({"message":"wake up","delaySeconds":0})";
            }
            if (user.rfind("FETCH", 0) == 0) {
                name = "fetch";
                args = OJson{{"url", user.substr(6)}}.dump();
            }
            const std::size_t half = args.size() / 2;
            OJson start = {{"index", 0}, {"id", "call_1"}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
            parts << chunk({{"role", "assistant"}, {"tool_calls", OJson::array({start})}})
                  << chunk({{"tool_calls", OJson::array({OJson{{"index", 0}, {"function", {{"arguments", args.substr(0, half)}}}}})}})
                  << chunk({{"tool_calls", OJson::array({OJson{{"index", 0}, {"function", {{"arguments", args.substr(half)}}}}})}})
                  << chunk(OJson::object(), "tool_calls");
        } else if (user.rfind("DEEP", 0) == 0) {
            parts << "data: " + QByteArray(100000, '[') + QByteArray(100000, ']') + "\n\n";
        } else if (user.rfind("ODDUSAGE", 0) == 0) {
            // Usage figures of types the endpoint should not send.
            const OJson usage = {{"choices", OJson::array()}, {"usage", {{"prompt_tokens", nullptr}, {"completion_tokens", "7"}}}};
            parts << chunk({{"role", "assistant"}, {"content", "Hello"}}) << "data: " + QByteArray::fromStdString(usage.dump()) + "\n\n"
                  << chunk(OJson::object(), "stop");
        } else if (user.rfind("SLOW", 0) == 0) {
            for (int i = 1; i <= 8; ++i) {
                const QByteArray word = "w" + QByteArray::number(i) + " ";
                parts << chunk({{"content", word.toStdString()}});
            }
            parts << chunk(OJson::object(), "stop");
        } else {
            parts << chunk({{"role", "assistant"}, {"content", "Hello"}}) << chunk({{"content", " from the scripted model."}})
                  << chunk(OJson::object(), "stop");
        }
        parts << QByteArray("data: [DONE]\n\n");
        const bool slow = user.rfind("SLOW", 0) == 0 && tool.empty();
        QPointer<QTcpSocket> sock(s);
        for (int i = 0; i < parts.size(); ++i) {
            const QByteArray bytes = parts[i];
            const bool last = i == parts.size() - 1;
            QTimer::singleShot(slow ? 25 * i : 0, this, [sock, bytes, last] {
                if (!sock)
                    return;
                sock->write(bytes);
                if (last)
                    sock->disconnectFromHost();
            });
        }
    }
};

OJson graphJson(const QString& endpoint)
{
    auto node = [](const char* id, const char* type, OJson props) {
        OJson n = {{"id", id}, {"type", type}, {"position", OJson::array({0, 0})}};
        if (!props.is_null())
            n["properties"] = std::move(props);
        return n;
    };
    auto edge = [](const char* from, const char* fromPort, const char* to, const char* toPort) {
        return OJson{{"from", from}, {"fromPort", fromPort}, {"to", to}, {"toPort", toPort}};
    };
    OJson g = OJson::object();
    g["schemaVersion"] = 1;
    g["name"] = "chat-agent";
    g["nodes"] = OJson::array({node("in", "input", nullptr),
                               node("model", "llm",
                                    endpoint.isEmpty() ? OJson{{"maxTokens", 12}, {"temperature", 0}}
                                                       : OJson{{"endpoint", endpoint.toStdString()}, {"model", "scripted"}, {"systemPrompt", "Be brief."},
                                                               {"tools", OJson::array({"clock", "schedule", "fetch"})}}),
                               node("clock", "tool", {{"tool", "clock"}, {"needsApproval", true}}),
                               node("out", "output", nullptr)});
    g["edges"] = OJson::array({edge("in", "message", "model", "prompt"), edge("model", "reply", "out", "message"),
                               edge("model", "toolCalls", "clock", "arguments")});
    return g;
}

struct Server {
    Server(const QString& dir, const QString& endpoint, agent::ChatOptions options = {}, OJson graphDoc = nullptr)
    {
        auto loaded = AgentGraph::fromJson(graphDoc.is_null() ? graphJson(endpoint) : graphDoc, QStringLiteral("chat-agent.agent.json"));
        if (!loaded.ok() || hasErrors(loaded.value->validate(QStringLiteral("chat-agent.agent.json"))))
            qFatal("the test graph does not validate");
        graph = std::make_shared<const AgentGraph>(*loaded.value);
        actor::RuntimeOptions o;
        o.rootDir = dir.toStdString();
        o.shards = 1;
        runtime = std::make_unique<actor::ActorRuntime>(o);
        options.fetchAllowlist = {QStringLiteral("127.0.0.1")};
        chat = std::make_unique<agent::ChatService>(*runtime, options);
        chat->addGraph("ChatAgent", graph);
        auto cls = agent::agentClassFor(*graph, "ChatAgent");
        chat->bindClass(cls);
        (void)registry.add(cls);
        (void)registry.registerWith(*runtime);
        gateway::GatewayOptions g;
        g.port = 0;
        gw = std::make_unique<gateway::Gateway>(*runtime, registry, g);
        if (!runtime->start())
            qFatal("start");
        if (!gw->listen())
            qFatal("listen");
        chat->setTransport({[this](const std::string& c, const QString& t) { return gw->sendToConnection(c, t); },
                            [this](const std::string& k) { return gw->connectionsOf(k); }});
        gw->setChatHooks({[this](const actor::ActorId& id, const std::string& c, bool ro, const std::string& t) {
                              return chat->handleFrame(id, c, ro, t);
                          },
                          [this](const actor::ActorId& id, const std::string& c) { return chat->joinFrames(id, c); }});
    }
    ~Server()
    {
        chat.reset();
        runtime->stop();
        gw.reset();
    }
    QString ws(const QString& name, const QString& pk) const
    {
        return QStringLiteral("ws://127.0.0.1:%1/agents/chat-agent/%2?_pk=%3").arg(gw->port()).arg(name, pk);
    }
    QByteArray get(const QString& path)
    {
        QNetworkAccessManager nam;
        QNetworkReply* r = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(gw->port()).arg(path))));
        (void)QTest::qWaitFor([&] { return r->isFinished(); }, 10000);
        const QByteArray body = r->readAll();
        delete r;
        return body;
    }
    OJson messages(const QString& name) { return OJson::parse(get("/agents/chat-agent/" + name + "/get-messages").toStdString(), nullptr, false); }

    std::shared_ptr<const AgentGraph> graph;
    agent::AgentRegistry registry;
    std::unique_ptr<actor::ActorRuntime> runtime;
    std::unique_ptr<gateway::Gateway> gw;
    std::unique_ptr<agent::ChatService> chat;
};

class Client {
public:
    Client() { QObject::connect(&ws, &QWebSocket::textMessageReceived, [this](const QString& t) { got << OJson::parse(t.toStdString(), nullptr, false); }); }
    bool open(const QString& url)
    {
        ws.open(QUrl(url));
        return QTest::qWaitFor([&] { return ws.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void send(const OJson& j) { ws.sendTextMessage(QString::fromStdString(j.dump())); }
    void sendText(const QString& t) { ws.sendTextMessage(t); }
    int find(const std::function<bool(const OJson&)>& pred, int from = 0) const
    {
        for (int i = from; i < got.size(); ++i)
            if (pred(got[i]))
                return i;
        return -1;
    }
    bool waitFor(const std::function<bool(const OJson&)>& pred, int timeout = 10000)
    {
        return QTest::qWaitFor([&] { return find(pred) >= 0; }, timeout);
    }
    // The bodies (parsed) of the response frames of stream `id`, in arrival order.
    QList<OJson> bodies(const std::string& id) const
    {
        QList<OJson> out;
        for (const auto& f : got)
            if (f.value("type", "") == "cf_agent_use_chat_response" && f.value("id", "") == id && !f.value("done", false)
                && !f.value("body", std::string()).empty())
                out << OJson::parse(f["body"].get<std::string>());
        return out;
    }
    QWebSocket ws;
    QList<OJson> got;
};

OJson chatRequest(const std::string& id, const std::string& msgId, const std::string& text)
{
    OJson messages = OJson::array({OJson{{"id", msgId}, {"role", "user"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", text}}})}}});
    OJson body = {{"messages", messages}, {"trigger", "submit-message"}};
    return {{"id", id}, {"init", {{"method", "POST"}, {"body", body.dump()}}}, {"type", "cf_agent_use_chat_request"}};
}

auto isDone(const std::string& id)
{
    return [id](const OJson& f) { return f.value("type", "") == "cf_agent_use_chat_response" && f.value("id", "") == id && f.value("done", false); };
}
auto isType(const std::string& type)
{
    return [type](const OJson& f) { return f.value("type", "") == type; };
}

std::string streamText(const QList<OJson>& bodies)
{
    std::string text;
    for (const auto& b : bodies)
        if (b["type"] == "text-delta")
            text += b["delta"].get<std::string>();
    return text;
}

const QString kTinyModel = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");

// The tiny model served by the in-process engine, on one thread; null when
// it does not load (the error printed).
std::shared_ptr<llm::ChatModel> tinyLocalModel()
{
    outpost::inference::EngineConfig config;
    config.modelPath = kTinyModel.toStdString();
    config.threads = 1;
    auto engine = outpost::inference::Engine::load(config);
    if (!engine) {
        qWarning("%s", engine.error().c_str());
        return nullptr;
    }
    return llm::makeLocalModel(std::shared_ptr<outpost::inference::Engine>(std::move(*engine)), "stories260K");
}

// Runs one request on `model` to its end (or for 30 s at most: then the
// outcome's error says so).
llm::ChatOutcome runToEnd(llm::ChatModel& model, const llm::ChatRequest& request)
{
    bool done = false;
    llm::ChatOutcome outcome;
    llm::ChatEvents events;
    events.onDone = [&](const llm::ChatOutcome& o) {
        done = true;
        outcome = o;
    };
    const auto stream = model.start(request, events);
    if (!QTest::qWaitFor([&] { return done; }, 30000)) {
        outcome.finishReason = "error";
        outcome.error = "no answer in 30 s";
    }
    return outcome;
}

} // namespace

class TestChat : public QObject {
    Q_OBJECT

private slots:
    void streamsAndPersists()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        agent::ChatOptions options;
        options.apiKeyFor = [](const QString&) { return QByteArrayLiteral("sk-test"); };
        Server server(dir.path(), model.url(), options);
        Client a, b;
        QVERIFY(a.open(server.ws("c1", "a")));
        QVERIFY(b.open(server.ws("c1", "b")));
        a.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p1"}});
        QVERIFY(a.waitFor(isType("cf_agent_stream_resume_none")));
        a.send(chatRequest("r1", "u-1", "hi there"));
        QVERIFY(a.waitFor(isDone("r1")));
        QVERIFY(b.waitFor(isDone("r1")));
        const auto bodies = a.bodies("r1");
        QCOMPARE(QString::fromStdString(streamText(bodies)), QStringLiteral("Hello from the scripted model."));
        QCOMPARE(bodies.first()["type"], "start");
        QCOMPARE(bodies.last()["type"], "finish");
        QCOMPARE(bodies.last()["messageMetadata"]["finishReason"], "stop");
        // seq counts from 0 without gaps, on both connections.
        for (Client* c : {&a, &b}) {
            int expect = 0;
            for (const auto& f : c->got)
                if (f.value("id", "") == "r1" && !f.value("done", false))
                    QCOMPARE(f["seq"].get<int>(), expect++);
        }
        // The other tab got the transcript (twice at the start, once at the end); the requester did not.
        QVERIFY(b.find(isType("cf_agent_chat_messages")) >= 0);
        QCOMPARE(a.find(isType("cf_agent_chat_messages")), -1);
        QCOMPARE(a.got[a.find(isDone("r1"))]["messageIds"], OJson::array({"u-1"}));
        // The scripted endpoint saw the system prompt and the tool offered.
        QCOMPARE(model.requests.size(), 1);
        QCOMPARE(model.requests[0]["messages"][0]["content"], "Be brief.");
        QCOMPARE(model.requests[0]["tools"][0]["function"]["name"], "clock");
        QCOMPARE(model.requests[0]["tools"].size(), 3u);
        QCOMPARE(model.authorization, QByteArray("Bearer sk-test")); // the key reaches the endpoint, from the server's side only

        const OJson messages = server.messages("c1");
        QCOMPARE(messages.size(), 2u);
        QCOMPARE(messages[1]["role"], "assistant");
        QCOMPARE(messages[1]["parts"][1]["text"], "Hello from the scripted model.");
        QCOMPARE(messages[1]["parts"][1]["state"], "done");
        // A trace row per executed node.
        auto trace = server.runtime->callFn(*actor::ActorId::fromName("ChatAgent", "c1"), [](actor::Actor&, actor::ActorContext& ctx) -> actor::Result<actor::Json> {
            auto rows = (*ctx.storage())->exec("SELECT node_id, error FROM outpost_trace WHERE run_id = 'r1' ORDER BY step");
            return rows->toJson();
        });
        QVERIFY(trace);
        QCOMPARE(trace->size(), 4u); // in, model, clock (ran inside model), out
        QCOMPARE((*trace)[1]["node_id"], "model");
    }

    // The live trace (ChatService::traceEvent) and the turn's metrics in the
    // finish chunk and the saved message.
    void traceEventsAndMetrics()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        QList<QJsonObject> events;
        QString runOf;
        QObject::connect(server.chat.get(), &agent::ChatService::traceEvent, [&](const QString& key, const QString& run, const QJsonObject& e) {
            QCOMPARE(key, QString::fromStdString(actor::ActorId::fromName("ChatAgent", "ct")->key()));
            runOf = run;
            events << e;
        });
        Client a;
        QVERIFY(a.open(server.ws("ct", "a")));
        a.send(chatRequest("rt", "u-t", "hi"));
        QVERIFY(a.waitFor(isDone("rt")));
        QCOMPARE(runOf, QStringLiteral("rt"));
        QStringList seen;
        for (const auto& e : events)
            seen << e[QLatin1String("phase")].toString() + ":" + e[QLatin1String("node")].toString();
        QCOMPARE(seen, (QStringList{"start:in", "end:in", "start:model", "end:model", "start:clock", "end:clock", "start:out", "end:out"}));
        const QJsonObject llmEnd = events[3];
        QCOMPARE(llmEnd[QLatin1String("outputs")].toObject()[QLatin1String("reply")].toString(), QStringLiteral("Hello from the scripted model."));
        QCOMPARE(events[2][QLatin1String("inputs")].toObject()[QLatin1String("prompt")].toString(), QStringLiteral("hi"));
        QVERIFY(llmEnd[QLatin1String("ttftMs")].toDouble() >= 0);
        QVERIFY(llmEnd[QLatin1String("tokensPerSecond")].toDouble() > 0);
        QVERIFY(llmEnd[QLatin1String("elapsedMs")].toDouble() >= 0);
        const OJson finish = a.bodies("rt").last();
        QCOMPARE(finish["type"], "finish");
        QCOMPARE(finish["messageMetadata"]["completionTokens"], 2); // two text deltas, no usage from the endpoint
        QVERIFY(finish["messageMetadata"]["ttftMs"].get<double>() >= 0);
        QVERIFY(finish["messageMetadata"]["tokensPerSecond"].get<double>() > 0);
        QCOMPARE(server.messages("ct")[1]["metadata"], finish["messageMetadata"]);
    }

    void approvalSurvivesRestart()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        std::string callId, approvalId;
        {
            Server server(dir.path(), model.url());
            Client a;
            QVERIFY(a.open(server.ws("c2", "a")));
            a.send(chatRequest("r2", "u-2", "TOOL what time is it"));
            QVERIFY(a.waitFor(isDone("r2")));
            const auto bodies = a.bodies("r2");
            for (const auto& b : bodies)
                if (b["type"] == "tool-approval-request") {
                    approvalId = b["approvalId"].get<std::string>();
                    callId = b["toolCallId"].get<std::string>();
                }
            QCOMPARE(callId, std::string("call_1"));
            QVERIFY(approvalId.rfind("aitxt-", 0) == 0);
            QCOMPARE(bodies.last()["messageMetadata"]["finishReason"], "tool-calls");
            const OJson messages = server.messages("c2");
            QCOMPARE(messages[1]["parts"][1]["state"], "approval-requested");
        }
        // A new process on the same folder: the pending approval is still there.
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c2", "a2")));
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", callId}, {"approved", true}, {"autoContinue", true}});
        a.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p2"}});
        QVERIFY(a.waitFor(isType("cf_agent_message_updated")));
        const OJson updated = a.got[a.find(isType("cf_agent_message_updated"))];
        QCOMPARE(updated["message"]["parts"][1]["state"], "approval-responded");
        QCOMPARE(updated["message"]["parts"][1]["approval"]["approved"], true);
        // Whether the continuation is still running or already done, the client ends it once.
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resuming" || f.value("type", "") == "cf_agent_stream_resume_none"; }));
        const OJson offer = a.got[a.find([](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resuming" || f.value("type", "") == "cf_agent_stream_resume_none"; })];
        if (offer["type"] == "cf_agent_stream_resuming") {
            const std::string cid = offer["id"].get<std::string>();
            a.send({{"type", "cf_agent_stream_resume_ack"}, {"id", cid}});
            QVERIFY(a.waitFor(isDone(cid)));
        }
        QVERIFY(QTest::qWaitFor([&] { return server.chat->runningTurns() == 0; }, 10000));
        const OJson messages = server.messages("c2");
        QCOMPARE(messages.size(), 2u);
        const OJson& parts = messages[1]["parts"];
        QCOMPARE(parts[1]["state"], "output-available");
        QVERIFY(parts[1]["output"].contains("iso"));
        const std::string last = parts.back()["text"].get<std::string>();
        QVERIFY2(last.rfind("The tool returned: {", 0) == 0, last.c_str());
        // The model saw the tool call and its result.
        QCOMPARE(model.requests.last()["messages"][2]["tool_calls"][0]["id"], "call_1");
        QCOMPARE(model.requests.last()["messages"][3]["role"], "tool");
    }

    void denialReachesTheModel()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a, b;
        QVERIFY(a.open(server.ws("c3", "a")));
        QVERIFY(b.open(server.ws("c3", "b")));
        a.send(chatRequest("r3", "u-3", "TOOL now"));
        QVERIFY(a.waitFor(isDone("r3")));
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "call_1"}, {"approved", false}, {"autoContinue", true}});
        // The other tab gets the continuation live.
        QVERIFY(b.waitFor([](const OJson& f) { return f.value("continuation", false) && f.value("done", false); }));
        const std::string cid = b.got[b.find([](const OJson& f) { return f.value("continuation", false); })]["id"].get<std::string>();
        QCOMPARE(QString::fromStdString(streamText(b.bodies(cid))), QStringLiteral("The tool returned: Tool call execution denied."));
        const OJson messages = server.messages("c3");
        QCOMPARE(messages[1]["parts"][1]["state"], "output-denied");
        QCOMPARE(messages[1]["parts"][1]["approval"]["approved"], false);
        // Approving again: nothing is waiting any more.
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "call_1"}, {"approved", true}});
        QVERIFY(a.waitFor(isType("cf_agent_chat_error")));
    }

    void resumeMidStreamExactlyOnce()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c4", "a")));
        a.send(chatRequest("r4", "u-4", "SLOW count"));
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("body", std::string()).find("w2 ") != std::string::npos; }));
        a.ws.close();
        Client c;
        c.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p4"}}); // queued until open
        QVERIFY(c.open(server.ws("c4", "c")));
        c.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p4"}});
        QVERIFY(c.waitFor([](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resuming" && f.contains("probeId"); }));
        // The unprompted offer came before identity.
        QVERIFY(c.find(isType("cf_agent_stream_resuming")) < c.find(isType("cf_agent_identity")));
        c.send({{"type", "cf_agent_stream_resume_ack"}, {"id", "r4"}});
        c.send({{"type", "cf_agent_stream_resume_ack"}, {"id", "r4"}}); // a second ACK replays nothing
        QVERIFY(c.waitFor(isDone("r4")));
        std::set<int> seqs;
        int frames = 0;
        for (const auto& f : c.got)
            if (f.value("id", "") == "r4" && f.contains("seq")) {
                seqs.insert(f["seq"].get<int>());
                ++frames;
            }
        QCOMPARE(int(seqs.size()), frames); // no duplicate
        QCOMPARE(*seqs.rbegin() + 1, frames); // no gap
        QCOMPARE(c.find([](const OJson& f) { return f.value("replayComplete", false); }) >= 0, true);
        QCOMPARE(QString::fromStdString(streamText(c.bodies("r4"))), QStringLiteral("w1 w2 w3 w4 w5 w6 w7 w8 "));
        c.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p5"}});
        QVERIFY(c.waitFor([](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resume_none" && f.value("probeId", "") == "p5"; }));
    }

    void cancelKeepsThePartialAnswer()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c5", "a")));
        a.send(chatRequest("r5", "u-5", "SLOW stop me"));
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("body", std::string()).find("w2 ") != std::string::npos; }));
        a.send({{"id", "r5"}, {"type", "cf_agent_chat_request_cancel"}});
        QVERIFY(a.waitFor(isDone("r5")));
        QCOMPARE(a.got[a.find(isDone("r5"))]["outcome"], "aborted");
        const OJson messages = server.messages("c5");
        QCOMPARE(messages.size(), 2u);
        QCOMPARE(messages[1]["parts"].back()["state"], "streaming");
        // Clear empties the transcript.
        a.send({{"type", "cf_agent_chat_clear"}});
        QVERIFY(QTest::qWaitFor([&] { return server.messages("c5").empty(); }, 5000));
    }

    void badInputIsRefusedToThatClientOnly()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a, b;
        QVERIFY(a.open(server.ws("c6", "a")));
        QVERIFY(b.open(server.ws("c6", "b")));
        a.sendText(QStringLiteral("{not json"));
        a.send({{"type", "cf_agent_use_chat_request"}, {"id", "x1"}, {"init", {{"body", "[1,2"}}}});
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("id", "") == "x1" && f.value("error", false); }));
        a.send({{"type", "cf_agent_use_chat_request"}, {"id", "x2"}, {"init", {{"body", "{\"messages\":[{\"role\":3}]}"}}}});
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("id", "") == "x2" && f.value("error", false); }));
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "nope"}, {"approved", true}});
        QVERIFY(a.waitFor(isType("cf_agent_chat_error")));
        a.send({{"args", OJson::array()}, {"id", "q"}, {"method", "noSuch"}, {"type", "rpc"}});
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("type", "") == "rpc" && f.value("error", "") == "Method noSuch does not exist"; }));
        // A model that emits broken tool JSON: a tool error the model sees, and the turn completes.
        a.send(chatRequest("r6", "u-6", "BROKEN call"));
        QVERIFY(a.waitFor(isDone("r6")));
        bool sawError = false;
        for (const auto& body : a.bodies("r6"))
            sawError = sawError || body["type"] == "tool-input-error";
        QVERIFY(sawError);
        QVERIFY(streamText(a.bodies("r6")).rfind("The tool returned: Error: ", 0) == 0);
        // A huge message (5 MiB, under the gateway's frame limit) is kept, cut below the row limit.
        a.send(chatRequest("r6b", "u-6b", std::string(5 << 20, 'z')));
        QVERIFY(a.waitFor(isDone("r6b"), 20000));
        const OJson stored = server.messages("c6");
        std::string kept;
        for (const auto& m : stored)
            if (m["id"] == "u-6b")
                kept = m["parts"][0]["text"].get<std::string>();
        QVERIFY(kept.size() > (1u << 20) && kept.size() < (2u << 20));
        QVERIFY(kept.find("[truncated]") != std::string::npos);
        // None of it reached the other client as an error; the chat still works for it.
        QCOMPARE(b.find([](const OJson& f) { return f.value("error", false) || f.value("type", "") == "cf_agent_chat_error"; }), -1);
        b.send(chatRequest("r7", "u-7", "hello"));
        QVERIFY(b.waitFor(isDone("r7")));
        QCOMPARE(QString::fromStdString(streamText(b.bodies("r7"))), QStringLiteral("Hello from the scripted model."));
    }

    void wrongTypesInChatFramesAreRefused()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a, ro;
        QVERIFY(a.open(server.ws("c6t", "a")));
        QVERIFY(ro.open(server.ws("c6t", "r") + "&ro=1"));
        // Non-string ids.
        a.send({{"type", "cf_agent_chat_request_cancel"}, {"id", 5}});
        a.send({{"type", "cf_agent_stream_resume_ack"}, {"id", OJson::object()}});
        ro.send({{"type", "cf_agent_use_chat_request"}, {"id", 5}});
        QVERIFY(ro.waitFor([](const OJson& f) { return f.value("error", false); }));
        // Stored parts of the wrong types, then what reads them back.
        const OJson badParts = OJson::array({OJson{{"type", 5}, {"toolCallId", "c1"}},
                                             OJson{{"type", "tool-clock"}, {"toolCallId", 7}, {"state", "input-available"}},
                                             OJson{{"type", "tool-clock"}, {"toolCallId", "c2"}, {"state", 3}},
                                             OJson{{"type", "tool-clock"}, {"toolCallId", "c3"}, {"state", "approval-requested"}, {"approval", 5},
                                                   {"toolName", 9}}});
        a.send({{"type", "cf_agent_chat_messages"}, {"messages", OJson::array({OJson{{"id", "m-bad"}, {"role", "assistant"}, {"parts", badParts}}})}});
        QVERIFY(ro.waitFor(isType("cf_agent_chat_messages"))); // the transcript goes to the others
        a.send({{"type", "cf_agent_tool_result"}, {"toolCallId", "c1"}, {"state", 5}, {"errorText", 5}, {"output", 1}});
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "c3"}, {"approved", false}});
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("type", "") == "cf_agent_message_updated"; }));
        // A turn over that history still runs, for this client and the others.
        a.send(chatRequest("r6t", "u-6t", "hello"));
        QVERIFY(a.waitFor(isDone("r6t")));
        QCOMPARE(QString::fromStdString(streamText(a.bodies("r6t"))), QStringLiteral("Hello from the scripted model."));
    }

    void endpointUsageOfTheWrongTypeIsIgnored()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c-usage", "a")));
        a.send(chatRequest("r-usage", "u-usage", "ODDUSAGE"));
        QVERIFY(a.waitFor(isDone("r-usage")));
        QCOMPARE(QString::fromStdString(streamText(a.bodies("r-usage"))), QStringLiteral("Hello"));
    }

    void endpointJsonTooDeepEndsTheTurnWithAnError()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c-deep", "a")));
        a.send(chatRequest("r-deep", "u-deep", "DEEP"));
        QVERIFY(a.waitFor(isDone("r-deep")));
        bool reported = false;
        for (const auto& b : a.bodies("r-deep"))
            reported = reported || (b.value("type", "") == "error" && b.dump().find("nested deeper than 512") != std::string::npos);
        QVERIFY(reported);
        // The next turn is fine.
        a.send(chatRequest("r-deep2", "u-deep2", "hello"));
        QVERIFY(a.waitFor(isDone("r-deep2")));
        QCOMPARE(QString::fromStdString(streamText(a.bodies("r-deep2"))), QStringLiteral("Hello from the scripted model."));
    }

    void scheduleToolRunsTheGraphLater()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c8", "a")));
        a.send(chatRequest("r8", "u-8", "LATER please"));
        QVERIFY(a.waitFor(isDone("r8")));
        // The alarm fires and the graph runs with the schedule's message, streamed to every connection.
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("continuation", false) && f.value("done", false); }));
        QVERIFY(QTest::qWaitFor([&] { return server.chat->runningTurns() == 0; }, 5000));
        const OJson messages = server.messages("c8");
        QCOMPARE(messages.size(), 4u);
        QCOMPARE(messages[2]["role"], "user");
        QCOMPARE(messages[2]["parts"][0]["text"], "wake up");
        QCOMPARE(messages[3]["parts"].back()["text"], "Hello from the scripted model.");
    }

    void fetchStaysOnTheAllowlist()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c9", "a")));
        a.send(chatRequest("r9", "u-9", "FETCH " + model.url().toStdString() + "/ping"));
        QVERIFY(a.waitFor(isDone("r9")));
        QVERIFY2(streamText(a.bodies("r9")).find("pong") != std::string::npos, streamText(a.bodies("r9")).c_str());
        a.send(chatRequest("r10", "u-10", "FETCH http://localhost:1/secret"));
        QVERIFY(a.waitFor(isDone("r10")));
        QVERIFY(streamText(a.bodies("r10")).find("not in the allowlist") != std::string::npos);
    }

    void compactionSummarisesOldTurns()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        agent::ChatOptions options;
        options.contextTokens = 200;
        Server server(dir.path(), model.url(), options);
        Client a;
        QVERIFY(a.open(server.ws("c11", "a")));
        OJson messages = OJson::array();
        for (int i = 0; i < 6; ++i)
            messages.push_back({{"id", std::string("m").append(std::to_string(i))}, {"role", i % 2 ? "assistant" : "user"},
                                {"parts", OJson::array({OJson{{"type", "text"}, {"text", std::string(200, char('a' + i))}}})}});
        messages.push_back({{"id", "m6"}, {"role", "user"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", "and now?"}}})}});
        OJson req = {{"id", "r11"}, {"init", {{"method", "POST"}, {"body", OJson{{"messages", messages}}.dump()}}}, {"type", "cf_agent_use_chat_request"}};
        a.send(req);
        QVERIFY(a.waitFor(isDone("r11")));
        QCOMPARE(QString::fromStdString(streamText(a.bodies("r11"))), QStringLiteral("Hello from the scripted model."));
        QCOMPARE(model.requests.size(), 2);
        // The summary request carried the dropped turns as a transcript.
        const std::string transcript = model.requests[0]["messages"][1]["content"].get<std::string>();
        QVERIFY(transcript.rfind("user: " + std::string(20, 'a'), 0) == 0); // the oldest turn is represented
        QVERIFY(transcript.find("assistant: " + std::string(20, 'b')) != std::string::npos);
        const OJson& sent = model.requests[1]["messages"];
        QCOMPARE(sent[1]["content"], "Summary of the earlier conversation: short summary");
        QCOMPARE(sent.back()["content"], "and now?");
        QVERIFY(sent.size() < 8u);
    }

    void localModelAnswers()
    {
        if (!QFile::exists(kTinyModel))
            QSKIP("the tiny model is not there (shared/models/stories260K.gguf)");
        QTemporaryDir dir;
        agent::ChatOptions options;
        options.defaultModel = tinyLocalModel();
        QVERIFY(options.defaultModel);
        Server server(dir.path(), QString(), options);
        Client a;
        QVERIFY(a.open(server.ws("c12", "a")));
        a.send(chatRequest("r12", "u-12", "Once upon a time"));
        QVERIFY(a.waitFor(isDone("r12")));
        // The clock tool is offered: the engine decides in constrained JSON
        // between a tool call and an answer; either way the turn is clean.
        const auto bodies = a.bodies("r12");
        bool toolCall = false;
        for (const auto& b : bodies) {
            QVERIFY2(b["type"] != "error" && b["type"] != "tool-input-error", b.dump().c_str());
            if (b["type"] == "tool-input-available") {
                toolCall = true;
                QCOMPARE(b["toolName"], "clock");
                QVERIFY(b["input"].is_object());
            }
        }
        const std::string text = streamText(bodies);
        qInfo("the tiny model %s", toolCall ? "called clock" : ("answered: " + text).c_str());
        const OJson messages = server.messages("c12");
        if (toolCall) {
            QCOMPARE(messages[1]["parts"].back()["state"], "approval-requested");
        } else {
            QVERIFY(!text.empty());
            QCOMPARE(messages[1]["parts"].back()["text"].get<std::string>(), text);
        }
    }

    void localModelReadsWrongTypesAsAbsent()
    {
        if (!QFile::exists(kTinyModel))
            QSKIP("the tiny model is not there (shared/models/stories260K.gguf)");
        const auto model = tinyLocalModel();
        QVERIFY(model);
        // Roles, parts, tool calls and tools whose strings are not strings
        // (what a transcript or another caller may hold): read as absent.
        llm::ChatRequest request;
        request.messages = OJson::parse(R"([{"role": 5, "content": [{"type": 5, "text": "x"}, {"type": "text", "text": "Once"}]},
            {"role": "assistant", "content": null, "tool_calls": [{"function": {"name": 5, "arguments": {}}}]},
            {"role": "user", "content": "upon a time"}])");
        request.tools = OJson::parse(R"([{"type": "function", "function": {"name": 5}},
            {"type": "function", "function": {"name": "clock", "description": []}}])");
        request.maxTokens = 4;
        const auto outcome = runToEnd(*model, request);
        QVERIFY2(outcome.finishReason != "error", outcome.error.c_str());
    }

    // stop and response_format reach the endpoint as given; an endpoint
    // that refuses the request's content (400) marks it rejected, one that
    // is overloaded (429) does not.
    void remoteModelForwardsOptionsAndRejections()
    {
        ScriptedModel endpoint;
        const auto model = llm::makeRemoteModel(endpoint.url(), "scripted", {});
        auto run = [&](const std::string& text) {
            llm::ChatRequest request;
            request.messages = OJson::array({OJson{{"role", "user"}, {"content", text}}});
            request.stop = {"END"};
            request.responseFormat = OJson{{"type", "json_object"}};
            return runToEnd(*model, request);
        };
        auto ok = run("hello");
        QCOMPARE(ok.finishReason, std::string("stop"));
        QCOMPARE(endpoint.requests.back()["stop"], OJson::array({"END"}));
        QCOMPARE(endpoint.requests.back()["response_format"]["type"], "json_object");
        const auto refused = run("REFUSE this");
        QCOMPARE(refused.finishReason, std::string("error"));
        QVERIFY2(refused.rejected && refused.error.find("400") != std::string::npos, refused.error.c_str());
        const auto throttled = run("THROTTLE this");
        QCOMPARE(throttled.finishReason, std::string("error"));
        QVERIFY2(!throttled.rejected && throttled.error.find("429") != std::string::npos, throttled.error.c_str());
    }

    void concurrencyPolicies()
    {
        ScriptedModel model;
        {
            QTemporaryDir dir;
            agent::ChatOptions options;
            options.concurrency = agent::ChatConcurrency::Drop;
            Server server(dir.path(), model.url(), options);
            Client a;
            QVERIFY(a.open(server.ws("c13", "a")));
            a.send(chatRequest("r13", "u-13", "SLOW one"));
            a.send(chatRequest("r14", "u-14", "hello"));
            QVERIFY(a.waitFor(isDone("r14")));
            QCOMPARE(a.got[a.find(isDone("r14"))]["outcome"], "skipped");
            QVERIFY(a.waitFor(isDone("r13")));
            QCOMPARE(a.got[a.find(isDone("r13"))].contains("outcome"), false);
        }
        {
            QTemporaryDir dir;
            agent::ChatOptions options;
            options.concurrency = agent::ChatConcurrency::Latest;
            Server server(dir.path(), model.url(), options);
            Client a;
            QVERIFY(a.open(server.ws("c14", "a")));
            a.send(chatRequest("r15", "u-15", "SLOW one"));
            QVERIFY(a.waitFor([](const OJson& f) { return f.value("body", std::string()).find("w1 ") != std::string::npos; }));
            a.send(chatRequest("r16", "u-16", "hello"));
            QVERIFY(a.waitFor(isDone("r16")));
            QCOMPARE(a.got[a.find(isDone("r15"))]["outcome"], "aborted");
            QCOMPARE(QString::fromStdString(streamText(a.bodies("r16"))), QStringLiteral("Hello from the scripted model."));
        }
        {
            QTemporaryDir dir;
            Server server(dir.path(), model.url()); // queue
            Client a;
            QVERIFY(a.open(server.ws("c15", "a")));
            a.send(chatRequest("r17", "u-17", "SLOW one"));
            a.send(chatRequest("r18", "u-18", "hello"));
            QVERIFY(a.waitFor(isDone("r18")));
            QVERIFY(a.find(isDone("r17")) < a.find(isDone("r18")));
            QCOMPARE(QString::fromStdString(streamText(a.bodies("r17"))), QStringLiteral("w1 w2 w3 w4 w5 w6 w7 w8 "));
        }
        {
            // merge: of the requests sent while one runs, only the newest
            // runs; the others end at once with outcome "skipped".
            QTemporaryDir dir;
            agent::ChatOptions options;
            options.concurrency = agent::ChatConcurrency::Merge;
            Server server(dir.path(), model.url(), options);
            Client a;
            QVERIFY(a.open(server.ws("c16", "a")));
            a.send(chatRequest("r19", "u-19", "SLOW one"));
            QVERIFY(a.waitFor([](const OJson& f) { return f.value("body", std::string()).find("w1 ") != std::string::npos; }));
            a.send(chatRequest("r20", "u-20", "first"));
            a.send(chatRequest("r21", "u-21", "second"));
            QVERIFY(a.waitFor(isDone("r20")));
            QCOMPARE(a.got[a.find(isDone("r20"))]["outcome"], "skipped");
            QVERIFY(a.waitFor(isDone("r21")));
            QVERIFY(a.find(isDone("r19")) < a.find(isDone("r21")));
            QCOMPARE(QString::fromStdString(streamText(a.bodies("r21"))), QStringLiteral("Hello from the scripted model."));
            QVERIFY(a.bodies("r20").isEmpty());
        }
        {
            // latest: every older request ends (none is left hanging).
            QTemporaryDir dir;
            agent::ChatOptions options;
            options.concurrency = agent::ChatConcurrency::Latest;
            Server server(dir.path(), model.url(), options);
            Client a;
            QVERIFY(a.open(server.ws("c17", "a")));
            a.send(chatRequest("r22", "u-22", "SLOW one"));
            a.send(chatRequest("r23", "u-23", "SLOW two"));
            a.send(chatRequest("r24", "u-24", "hello"));
            QVERIFY(a.waitFor(isDone("r24")));
            QVERIFY(a.waitFor(isDone("r23")));
            // Skipped while queued, or aborted if it had started already.
            const OJson outcome = a.got[a.find(isDone("r23"))]["outcome"];
            QVERIFY2(outcome == "skipped" || outcome == "aborted", outcome.dump().c_str());
            QCOMPARE(QString::fromStdString(streamText(a.bodies("r24"))), QStringLiteral("Hello from the scripted model."));
        }
        {
            // debounce: a burst becomes one turn, for its last request.
            QTemporaryDir dir;
            agent::ChatOptions options;
            options.concurrency = agent::ChatConcurrency::Debounce;
            options.debounceMs = 50;
            Server server(dir.path(), model.url(), options);
            Client a;
            QVERIFY(a.open(server.ws("c18", "a")));
            const auto before = model.requests.size();
            a.send(chatRequest("r25", "u-25", "one"));
            a.send(chatRequest("r26", "u-26", "two"));
            a.send(chatRequest("r27", "u-27", "three"));
            QVERIFY(a.waitFor(isDone("r27")));
            QCOMPARE(a.got[a.find(isDone("r25"))]["outcome"], "skipped");
            QCOMPARE(a.got[a.find(isDone("r26"))]["outcome"], "skipped");
            QCOMPARE(a.got[a.find(isDone("r27"))].contains("outcome"), false);
            QCOMPARE(model.requests.size() - before, 1);
            QCOMPARE(model.requests.last()["messages"].back()["content"], "three");
        }
    }

    // Regenerate and edit (the AI SDK resends the transcript up to a stored
    // message): what was stored after that message is dropped, not kept
    // beside the new answer.
    void regenerateAndEditReplaceTheTail()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c20", "a")));
        a.send(chatRequest("r30", "u-30", "hello"));
        QVERIFY(a.waitFor(isDone("r30")));
        OJson messages = server.messages("c20");
        QCOMPARE(messages.size(), 2u);
        const std::string firstAnswer = messages[1]["id"].get<std::string>();
        // Regenerate: the same list again.
        OJson again = chatRequest("r31", "u-30", "hello");
        a.send(again);
        QVERIFY(a.waitFor(isDone("r31")));
        messages = server.messages("c20");
        QCOMPARE(messages.size(), 2u);
        QVERIFY(messages[1]["id"].get<std::string>() != firstAnswer);
        // Edit: the same message id, new words.
        a.send(chatRequest("r32", "u-30", "TOOL edited"));
        QVERIFY(a.waitFor(isDone("r32")));
        messages = server.messages("c20");
        QCOMPARE(messages.size(), 2u);
        QCOMPARE(messages[0]["parts"][0]["text"], "TOOL edited");
        QCOMPARE(messages[1]["parts"].back()["state"], "approval-requested");
        // Regenerating past the waiting tool call drops it: approving it now is refused.
        a.send(chatRequest("r33", "u-30", "hello again"));
        QVERIFY(a.waitFor(isDone("r33")));
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "call_1"}, {"approved", true}});
        QVERIFY(a.waitFor(isType("cf_agent_chat_error")));
        QCOMPARE(server.messages("c20").size(), 2u);
    }

    // A tool answer that arrives while another turn runs waits for it; the
    // client's probe hears cf_agent_stream_pending with the continuation's
    // id, then cf_agent_stream_resuming when it starts (as the Agents SDK).
    void queuedToolAnswerIsAnnouncedAsPending()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        Server server(dir.path(), model.url());
        Client a;
        QVERIFY(a.open(server.ws("c19", "a")));
        a.send(chatRequest("r28", "u-28", "TOOL what time is it"));
        QVERIFY(a.waitFor(isDone("r28")));
        a.send(chatRequest("r29", "u-29", "SLOW meanwhile"));
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("body", std::string()).find("w1 ") != std::string::npos; }));
        a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", "call_1"}, {"approved", true}, {"autoContinue", true}});
        a.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p19"}});
        QVERIFY(a.waitFor(isType("cf_agent_stream_pending")));
        const OJson pending = a.got[a.find(isType("cf_agent_stream_pending"))];
        QCOMPARE(pending["probeId"], "p19");
        const std::string cid = pending["id"].get<std::string>();
        QCOMPARE(cid.size(), 21u);
        QVERIFY(a.find(isDone("r29")) < 0); // still running
        auto resuming = [cid](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resuming" && f.value("id", "") == cid; };
        QVERIFY(a.waitFor(resuming));
        QVERIFY(a.find(isDone("r29")) >= 0 && a.find(isDone("r29")) < a.find(resuming));
        a.send({{"type", "cf_agent_stream_resume_ack"}, {"id", cid}});
        QVERIFY(a.waitFor(isDone(cid)));
        QVERIFY2(streamText(a.bodies(cid)).rfind("The tool returned: {", 0) == 0, streamText(a.bodies(cid)).c_str());
        // Later probes: nothing pending, nothing running.
        a.send({{"type", "cf_agent_stream_resume_request"}, {"probeId", "p20"}});
        QVERIFY(a.waitFor([](const OJson& f) { return f.value("type", "") == "cf_agent_stream_resume_none" && f.value("probeId", "") == "p20"; }));
    }

    void memoryNodesRecallEarlierTurns()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        OJson g = graphJson(model.url());
        g["nodes"].insert(g["nodes"].begin() + 1, OJson{{"id", "recall"}, {"type", "memory.recall"}, {"position", {0, 100}}, {"properties", {{"index", "notes"}, {"topK", 1}}}});
        g["nodes"].insert(g["nodes"].begin() + 2, OJson{{"id", "remember"}, {"type", "memory.write"}, {"position", {0, 200}}, {"properties", {{"index", "notes"}}}});
        g["edges"].push_back({{"from", "in"}, {"fromPort", "message"}, {"to", "recall"}, {"toPort", "query"}});
        g["edges"].push_back({{"from", "recall"}, {"fromPort", "context"}, {"to", "model"}, {"toPort", "context"}});
        g["edges"].push_back({{"from", "in"}, {"fromPort", "message"}, {"to", "remember"}, {"toPort", "content"}});
        agent::ChatOptions options;
        options.memoryRoot = dir.path() + QStringLiteral("/memory");
        Server server(dir.path(), model.url(), options, g);
        Client a;
        QVERIFY(a.open(server.ws("c16", "a")));
        a.send(chatRequest("r19", "u-19", "my cat is called Tom"));
        QVERIFY(a.waitFor(isDone("r19")));
        OJson second = chatRequest("r20", "u-20", "what is my cat called");
        a.send(second);
        QVERIFY(a.waitFor(isDone("r20")));
        const std::string system = model.requests.last()["messages"][0]["content"].get<std::string>();
        QVERIFY2(system.find("Context:\n- my cat is called Tom") != std::string::npos, system.c_str());
        // Another instance has its own memories.
        Client b;
        QVERIFY(b.open(server.ws("c17", "b")));
        b.send(chatRequest("r21", "u-21", "what is my cat called"));
        QVERIFY(b.waitFor(isDone("r21")));
        QVERIFY(model.requests.last()["messages"][0]["content"].get<std::string>().find("Tom") == std::string::npos);
    }

    void approvalNodePausesTheGraph()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        OJson g = {{"schemaVersion", 1}, {"name", "chat-agent"},
                   {"nodes", OJson::array({OJson{{"id", "in"}, {"type", "input"}, {"position", {0, 0}}},
                                           OJson{{"id", "gate"}, {"type", "approval"}, {"position", {200, 0}}, {"properties", {{"question", "Send it?"}}}},
                                           OJson{{"id", "out"}, {"type", "output"}, {"position", {400, 0}}},
                                           OJson{{"id", "note"}, {"type", "set-state"}, {"position", {400, 200}}, {"properties", {{"path", "denied"}}}}})},
                   {"edges", OJson::array({OJson{{"from", "in"}, {"fromPort", "message"}, {"to", "gate"}, {"toPort", "in"}},
                                           OJson{{"from", "gate"}, {"fromPort", "approved"}, {"to", "out"}, {"toPort", "message"}},
                                           OJson{{"from", "gate"}, {"fromPort", "denied"}, {"to", "note"}, {"toPort", "value"}}})}};
        Server server(dir.path(), model.url(), {}, g);
        Client a;
        QVERIFY(a.open(server.ws("c18", "a")));
        for (const bool approve : {true, false}) {
            const std::string rid = approve ? "r22" : "r23";
            a.send(chatRequest(rid, "u-" + rid, "ship it"));
            QVERIFY(a.waitFor(isDone(rid)));
            std::string callId;
            for (const auto& b : a.bodies(rid))
                if (b["type"] == "tool-approval-request")
                    callId = b["toolCallId"].get<std::string>();
            QVERIFY(callId.rfind("approval_gate_", 0) == 0);
            const int before = int(a.got.size());
            a.send({{"type", "cf_agent_tool_approval"}, {"toolCallId", callId}, {"approved", approve}, {"autoContinue", true}});
            QVERIFY(QTest::qWaitFor([&] { return server.chat->runningTurns() == 0 && a.find(isType("cf_agent_chat_messages"), before) >= 0; }, 5000));
        }
        const OJson messages = server.messages("c18");
        QCOMPARE(messages[1]["parts"][1]["state"], "output-available");
        QCOMPARE(messages[1]["parts"].back()["text"], "ship it"); // the approved branch answered
        QCOMPARE(messages[3]["parts"][1]["state"], "output-denied");
        QCOMPARE(messages[3]["parts"].size(), 2u); // the denied branch says nothing...
        auto state = server.runtime->callFn(*actor::ActorId::fromName("ChatAgent", "c18"), [](actor::Actor& instance, actor::ActorContext&) -> actor::Result<actor::Json> {
            return actor::Json::parse(dynamic_cast<agent::AgentInstance&>(instance).stateAt("denied").dump());
        });
        QVERIFY(state);
        QCOMPARE(*state, actor::Json("ship it")); // ...and writes the state
    }

    void routerConditions()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        auto node = [](const char* id, const char* type, OJson props = nullptr) {
            OJson n = {{"id", id}, {"type", type}, {"position", {0, 0}}};
            if (!props.is_null())
                n["properties"] = props;
            return n;
        };
        auto edge = [](const char* f, const char* fp, const char* t, const char* tp) { return OJson{{"from", f}, {"fromPort", fp}, {"to", t}, {"toPort", tp}}; };
        // hello -> "greeted" (and state.greeted = the text); anything else is
        // answered "again" once state.greeted is set, else echoed.
        OJson g = {{"schemaVersion", 1}, {"name", "chat-agent"},
                   {"nodes", OJson::array({node("in", "input"), node("isHello", "router", {{"condition", "contains:hello"}}),
                                           node("mark", "set-state", {{"path", "greeted"}}), node("out1", "output"),
                                           node("seen", "router", {{"condition", "state.greeted"}}), node("out2", "output"), node("out3", "output")})},
                   {"edges", OJson::array({edge("in", "message", "isHello", "in"), edge("isHello", "then", "mark", "value"),
                                           edge("isHello", "then", "out1", "message"), edge("isHello", "else", "seen", "in"),
                                           edge("seen", "then", "out2", "message"), edge("seen", "else", "out3", "message")})}};
        Server server(dir.path(), model.url(), {}, g);
        Client a;
        QVERIFY(a.open(server.ws("c19", "a")));
        const std::vector<std::pair<std::string, std::string>> turns = {{"first", "first"}, {"hello there", "hello there"}, {"again", "again"}};
        int i = 0;
        for (const auto& [say, expect] : turns) {
            const std::string rid = "rr" + std::to_string(i++);
            a.send(chatRequest(rid, "u-" + rid, say));
            QVERIFY(a.waitFor(isDone(rid)));
            QCOMPARE(streamText(a.bodies(rid)), expect);
        }
        // The third turn went through out2 (state.greeted was set by the second).
        auto trace = server.runtime->callFn(*actor::ActorId::fromName("ChatAgent", "c19"), [](actor::Actor&, actor::ActorContext& ctx) -> actor::Result<actor::Json> {
            return (*ctx.storage())->exec("SELECT run_id, node_id FROM outpost_trace WHERE node_id LIKE 'out%' ORDER BY run_id")->toJson();
        });
        QVERIFY(trace);
        QCOMPARE(trace->size(), 3u);
        QCOMPARE((*trace)[0]["node_id"], "out3");
        QCOMPARE((*trace)[1]["node_id"], "out1");
        QCOMPARE((*trace)[2]["node_id"], "out2");
        QCOMPARE(model.requests.size(), 0); // no llm node, no model call
    }

    void maxPersistedMessages()
    {
        QTemporaryDir dir;
        ScriptedModel model;
        agent::ChatOptions options;
        options.maxPersistedMessages = 3;
        Server server(dir.path(), model.url(), options);
        Client a;
        QVERIFY(a.open(server.ws("c20", "a")));
        a.send(chatRequest("r30", "u-30", "one"));
        QVERIFY(a.waitFor(isDone("r30")));
        a.send(chatRequest("r31", "u-31", "two"));
        QVERIFY(a.waitFor(isDone("r31")));
        OJson messages = server.messages("c20");
        QCOMPARE(messages.size(), 3u); // the oldest (u-30) went
        QCOMPARE(messages[0]["role"], "assistant");
        QCOMPARE(messages[1]["id"], "u-31");
        // A client that sends its whole history does not bring trimmed messages back.
        OJson history = messages;
        history.insert(history.begin(), OJson{{"id", "u-30"}, {"role", "user"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", "one"}}})}});
        history.push_back({{"id", "u-32"}, {"role", "user"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", "three"}}})}});
        a.send({{"id", "r32"}, {"init", {{"method", "POST"}, {"body", OJson{{"messages", history}}.dump()}}}, {"type", "cf_agent_use_chat_request"}});
        QVERIFY(a.waitFor(isDone("r32")));
        messages = server.messages("c20");
        QCOMPARE(messages.size(), 3u);
        QCOMPARE(messages[0]["role"], "assistant");
        QCOMPARE(messages[1]["id"], "u-32");
        for (const auto& m : messages)
            QVERIFY(m["id"] != "u-30");
    }

    void rowGuardKeepsRowsUnderTheLimit()
    {
        const std::string big(3 << 20, 'x');
        OJson m = {{"id", "a"}, {"role", "assistant"},
                   {"parts", OJson::array({OJson{{"type", "tool-x"}, {"toolCallId", "c"}, {"state", "output-available"}, {"output", big}},
                                           OJson{{"type", "text"}, {"text", "short"}}})}};
        OJson g = agent::chat::guardRow(m);
        QVERIFY(g.dump().size() <= agent::chat::kMaxRowBytes);
        QCOMPARE(g["parts"][1]["text"], "short"); // tool outputs go first
        QCOMPARE(g["parts"][0]["output"]["compacted"], true);
        OJson t = {{"id", "b"}, {"role", "user"}, {"parts", OJson::array({OJson{{"type", "text"}, {"text", big}}})}};
        OJson gt = agent::chat::guardRow(t);
        QVERIFY(gt.dump().size() <= agent::chat::kMaxRowBytes);
        QVERIFY(gt["parts"][0]["text"].get<std::string>().size() > (1u << 20));
        OJson small = {{"id", "c"}, {"role", "user"}, {"parts", OJson::array()}};
        QCOMPARE(agent::chat::guardRow(small), small);
    }
};

QTEST_GUILESS_MAIN(TestChat)
#include "test_chat.moc"
