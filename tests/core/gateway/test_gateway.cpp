// The gateway and agent instances over real sockets on 127.0.0.1, checked
// against the frames of the Agents SDK 0.32.0 transcripts (byte for byte).
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/gateway/gateway.h"
#include "core/gateway/openai_routes.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFloat16>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <cmath>
#include <memory>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace outpost::core;
using agent::OJson;

namespace {

// The reference transcripts' MyAgent.
agent::AgentClass myAgent()
{
    agent::AgentClass c;
    c.className = "MyAgent";
    c.initialState = OJson::parse(R"({"count":0,"ticks":0})");
    c.validate = [](const OJson& next, agent::StateSource) -> std::optional<std::string> {
        if (next.is_object() && next.contains("count") && next["count"].is_number() && next["count"].get<double>() < 0)
            return "count must not be negative";
        return std::nullopt;
    };
    c.callables["add"] = [](agent::CallContext&, const OJson& args) -> actor::Result<OJson> {
        if (args.size() < 2 || !args[0].is_number() || !args[1].is_number())
            return OJson(std::nan("")); // JavaScript: 1 + undefined
        return OJson(args[0].get<double>() + args[1].get<double>() == std::floor(args[0].get<double>() + args[1].get<double>())
                         ? OJson(std::int64_t(args[0].get<double>() + args[1].get<double>()))
                         : OJson(args[0].get<double>() + args[1].get<double>()));
    };
    c.callables["serverSetState"] = [](agent::CallContext& call, const OJson& args) -> actor::Result<OJson> {
        OJson s = OJson::object();
        s["count"] = args.at(0);
        s["ticks"] = 0;
        if (auto st = call.setState(s); !st)
            return actor::Error{st.error()};
        return *call.state();
    };
    c.callables["shout"] = [](agent::CallContext& call, const OJson& args) -> actor::Result<OJson> {
        OJson m = OJson::object();
        m["type"] = "custom-broadcast";
        m["text"] = args.at(0);
        call.broadcast(m.dump());
        return OJson("ok");
    };
    c.callables["kick"] = [](agent::CallContext& call, const OJson& args) -> actor::Result<OJson> {
        call.closeConnection(args.at(0).get<int>(), args.at(1).get<std::string>());
        return OJson(nullptr);
    };
    c.callables["fail"] = [](agent::CallContext&, const OJson&) -> actor::Result<OJson> { return actor::Error{"boom from fail()"}; };
    c.callbacks["tick"] = [](agent::CallContext& call, const OJson& payload, const OJson&) -> actor::Status {
        OJson m = OJson::object();
        m["type"] = "tick";
        m["payload"] = payload;
        call.broadcast(m.dump());
        return {};
    };
    return c;
}

struct Server {
    QTemporaryDir dir;
    std::shared_ptr<alarms::ManualClock> clock = std::make_shared<alarms::ManualClock>();
    agent::AgentRegistry registry;
    std::unique_ptr<actor::ActorRuntime> runtime;
    std::unique_ptr<gateway::Gateway> gw;

    explicit Server(gateway::GatewayOptions options = {}, bool manualClock = false)
    {
        options.port = 0;
        if (!registry.add(myAgent()))
            qFatal("registry");
        actor::RuntimeOptions ro;
        ro.rootDir = dir.path().toStdString();
        ro.shards = 2;
        ro.storage.synchronousFull = false;
        if (manualClock)
            ro.clock = clock;
        runtime = std::make_unique<actor::ActorRuntime>(ro);
        if (!registry.registerWith(*runtime))
            qFatal("register");
        gw = std::make_unique<gateway::Gateway>(*runtime, registry, options);
        if (!runtime->start())
            qFatal("start");
        listenStatus = gw->listen();
    }
    ~Server()
    {
        runtime->stop();
        gw.reset();
    }
    QString ws(const QString& pathAndQuery) const { return QStringLiteral("ws://127.0.0.1:%1%2").arg(gw->port()).arg(pathAndQuery); }
    actor::Status listenStatus;
};

class Client {
public:
    Client()
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived, [this](const QString& t) { got << t; });
        QObject::connect(&ws, &QWebSocket::disconnected, [this] { closed = true; });
    }
    bool open(const QString& url, const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        QNetworkRequest req{QUrl(url)};
        for (const auto& h : headers)
            req.setRawHeader(h.first, h.second);
        ws.open(req);
        (void)QTest::qWaitFor([&] { return ws.state() == QAbstractSocket::ConnectedState || closed; }, 5000);
        return ws.state() == QAbstractSocket::ConnectedState;
    }
    // Waits for `n` frames in all and returns frame i.
    bool waitFrames(int n) { return QTest::qWaitFor([&] { return got.size() >= n; }, 5000); }
    void send(const QByteArray& text) { ws.sendTextMessage(QString::fromUtf8(text)); }

    QWebSocket ws;
    QStringList got;
    bool closed = false;
};

const QString kIdentity = R"({"type":"cf_agent_identity","name":"alice","agent":"my-agent","stateFollows":true})";
const QString kState0 = R"({"type":"cf_agent_state","state":{"count":0,"ticks":0}})";
const QString kMcp = R"({"mcp":{"prompts":[],"resources":[],"servers":{},"tools":[]},"type":"cf_agent_mcp_servers"})";

QByteArray rawHttp(quint16 port, const QByteArray& request)
{
    // The server runs on this thread: wait with the event loop running.
    QTcpSocket s;
    QByteArray out;
    QObject::connect(&s, &QTcpSocket::readyRead, [&] { out += s.readAll(); });
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return s.state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    s.write(request);
    (void)QTest::qWaitFor([&] { return s.state() == QAbstractSocket::UnconnectedState; }, 5000);
    out += s.readAll();
    return out;
}

// Answers every chat request at once with "ok"; counts the requests it got.
class EchoModel : public llm::ChatModel {
public:
    std::string name() const override { return "echo"; }
    bool supportsTools() const override { return true; }
    int contextTokens() const override { return 0; }
    std::shared_ptr<llm::ChatStream> start(llm::ChatRequest request, llm::ChatEvents events) override
    {
        ++started;
        last = std::move(request);
        llm::ChatOutcome o;
        o.text = "ok";
        if (!failWith.empty()) {
            o.finishReason = "error";
            o.error = failWith;
            o.rejected = rejects;
        }
        events.onDone(o);
        return nullptr;
    }
    int started = 0;
    llm::ChatRequest last;
    std::string failWith;   // non-empty: every answer is this error
    bool rejects = false;   // ... and the model refused the request
};

QByteArray postJson(quint16 port, const QByteArray& path, const QByteArray& body)
{
    return rawHttp(port, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(body.size())
                             + "\r\nConnection: close\r\n\r\n" + body);
}

} // namespace

class TestGateway : public QObject {
    Q_OBJECT

private slots:
    void connectSendsIdentityStateMcp()
    {
        Server srv;
        QVERIFY(srv.listenStatus.ok());
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/alice?_pk=4ea8139f-f2f4-4ee1-9852-7aaeea7ae54a")));
        QVERIFY(a.waitFrames(3));
        QCOMPARE(a.got, (QStringList{kIdentity, kState0, kMcp}));
    }

    void clientSetStateIsBroadcastToOthersOnly()
    {
        Server srv;
        Client a, b;
        QVERIFY(a.open(srv.ws("/agents/my-agent/alice?_pk=a")));
        QVERIFY(a.waitFrames(3));
        QVERIFY(b.open(srv.ws("/agents/my-agent/alice?_pk=b")));
        QVERIFY(b.waitFrames(3));
        a.send(R"({"state":{"count":5,"ticks":0},"type":"cf_agent_state"})");
        QVERIFY(b.waitFrames(4));
        QCOMPARE(b.got[3], QStringLiteral(R"({"state":{"count":5,"ticks":0},"type":"cf_agent_state"})"));
        // Server-side setState reaches everyone, before the RPC reply.
        a.send(R"({"args":[7],"id":"8b254974-df51-43a0-a8a7-82a7c734c85e","method":"serverSetState","type":"rpc"})");
        QVERIFY(a.waitFrames(5));
        QVERIFY(b.waitFrames(5));
        QCOMPARE(a.got[3], QStringLiteral(R"({"state":{"count":7,"ticks":0},"type":"cf_agent_state"})"));
        QCOMPARE(a.got[4], QStringLiteral(R"({"done":true,"id":"8b254974-df51-43a0-a8a7-82a7c734c85e","result":{"count":7,"ticks":0},"success":true,"type":"rpc"})"));
        QCOMPARE(b.got[4], QStringLiteral(R"({"state":{"count":7,"ticks":0},"type":"cf_agent_state"})"));
        // The state is persisted: a new connection is greeted with it.
        Client c;
        QVERIFY(c.open(srv.ws("/agents/my-agent/alice?_pk=c")));
        QVERIFY(c.waitFrames(3));
        QCOMPARE(c.got[1], QStringLiteral(R"({"type":"cf_agent_state","state":{"count":7,"ticks":0}})"));
        auto rows = srv.runtime->call(actor::ActorId::fromName("MyAgent", "alice").value(),
                                      actor::Json{{"op", "frame"}, {"conn", "t"}, {"text", R"({"args":["SELECT id, state FROM cf_agents_state"],"id":"q","method":"sql","type":"rpc"})"}});
        QVERIFY(rows.ok());
        QCOMPARE(QString::fromStdString(rows->at("frames")[0].get<std::string>()),
                 QStringLiteral("{\"done\":true,\"id\":\"q\",\"result\":[{\"id\":\"cf_state_row_id\",\"state\":\"{\\\"count\\\":7,\\\"ticks\\\":0}\"}],\"success\":true,\"type\":\"rpc\"}"));
    }

    void rpcResultsAndErrors()
    {
        Server srv;
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/rpc-inst?_pk=x")));
        QVERIFY(a.waitFrames(3));
        a.send(R"({"args":[2,3],"id":"0acbe075-c248-4b74-aacc-49769ad70283","method":"add","type":"rpc"})");
        a.send(R"({"args":[],"id":"78f84986-23d9-434c-8e08-5aabdca9ed2a","method":"noSuchMethod","type":"rpc"})");
        a.send(R"({"args":[],"id":"ed79f847-88fb-4bc4-bebb-c395970243bd","method":"fail","type":"rpc"})");
        a.send("not json at all");
        a.send(R"({"type":"something_else","x":1})");
        a.send(R"({"type":"rpc","id":"manual-1","method":"add","args":[1]})");
        a.send(R"({"args":["DELETE FROM cf_agents_state"],"id":"s","method":"sql","type":"rpc"})");
        QVERIFY(a.waitFrames(8));
        QCOMPARE(a.got[3], QStringLiteral(R"({"done":true,"id":"0acbe075-c248-4b74-aacc-49769ad70283","result":5,"success":true,"type":"rpc"})"));
        QCOMPARE(a.got[4], QStringLiteral(R"({"error":"Method noSuchMethod does not exist","id":"78f84986-23d9-434c-8e08-5aabdca9ed2a","success":false,"type":"rpc"})"));
        QCOMPARE(a.got[5], QStringLiteral(R"x({"error":"boom from fail()","id":"ed79f847-88fb-4bc4-bebb-c395970243bd","success":false,"type":"rpc"})x"));
        QCOMPARE(a.got[6], QStringLiteral(R"({"done":true,"id":"manual-1","result":null,"success":true,"type":"rpc"})"));
        QCOMPARE(a.got[7], QStringLiteral(R"({"error":"sql: only read-only queries are allowed","id":"s","success":false,"type":"rpc"})"));
        QCOMPARE(a.got.size(), 8);
    }

    void stateErrorsAndReadonly()
    {
        Server srv;
        Client a, r;
        QVERIFY(a.open(srv.ws("/agents/my-agent/state-errors?_pk=a")));
        QVERIFY(a.waitFrames(3));
        QVERIFY(r.open(srv.ws("/agents/my-agent/state-errors?_pk=r&ro=1")));
        QVERIFY(r.waitFrames(3));
        a.send(R"({"state":{"count":-1,"ticks":0},"type":"cf_agent_state"})");
        QVERIFY(a.waitFrames(4));
        QCOMPARE(a.got[3], QStringLiteral(R"({"type":"cf_agent_state_error","error":"State update rejected"})"));
        r.send(R"({"state":{"count":99,"ticks":0},"type":"cf_agent_state"})");
        QVERIFY(r.waitFrames(4));
        QCOMPARE(r.got[3], QStringLiteral(R"({"type":"cf_agent_state_error","error":"Connection is readonly"})"));
        r.send(R"({"args":[3],"id":"04b49a0b","method":"serverSetState","type":"rpc"})");
        QVERIFY(r.waitFrames(5));
        QCOMPARE(r.got[4], QStringLiteral(R"({"error":"Connection is readonly","id":"04b49a0b","success":false,"type":"rpc"})"));
        a.send(R"({"state":{"count":1,"ticks":0},"type":"cf_agent_state"})");
        QVERIFY(r.waitFrames(6));
        QCOMPARE(r.got[5], QStringLiteral(R"({"state":{"count":1,"ticks":0},"type":"cf_agent_state"})"));
        QCOMPARE(a.got.size(), 4); // no echo, no broadcast of the rejected state
    }

    void broadcastAndNoproto()
    {
        Server srv;
        Client a, n;
        QVERIFY(a.open(srv.ws("/agents/my-agent/bcast?_pk=a")));
        QVERIFY(a.waitFrames(3));
        QVERIFY(n.open(srv.ws("/agents/my-agent/bcast?_pk=n&noproto=1")));
        a.send(R"({"args":["hello all"],"id":"06ff","method":"shout","type":"rpc"})");
        QVERIFY(a.waitFrames(5));
        QVERIFY(n.waitFrames(1));
        QCOMPARE(a.got[3], QStringLiteral(R"({"type":"custom-broadcast","text":"hello all"})"));
        QCOMPARE(a.got[4], QStringLiteral(R"({"done":true,"id":"06ff","result":"ok","success":true,"type":"rpc"})"));
        QCOMPARE(n.got[0], QStringLiteral(R"({"type":"custom-broadcast","text":"hello all"})"));
        a.send(R"({"state":{"count":2,"ticks":0},"type":"cf_agent_state"})");
        n.send(R"({"args":[1,1],"id":"e4a7","method":"add","type":"rpc"})");
        QVERIFY(n.waitFrames(2));
        QCOMPARE(n.got[1], QStringLiteral(R"({"done":true,"id":"e4a7","result":2,"success":true,"type":"rpc"})"));
        n.send(R"({"state":{"count":3,"ticks":0},"type":"cf_agent_state"})");
        QVERIFY(a.waitFrames(6));
        QCOMPARE(a.got[5], QStringLiteral(R"({"state":{"count":3,"ticks":0},"type":"cf_agent_state"})"));
        QCOMPARE(n.got.size(), 2);
    }

    void closeCodes()
    {
        Server srv;
        Client b;
        QVERIFY(b.open(srv.ws("/agents/my-agent/closes?_pk=b")));
        QVERIFY(b.waitFrames(3));
        b.ws.close(QWebSocketProtocol::CloseCode(4321), QStringLiteral("bye"));
        QVERIFY(QTest::qWaitFor([&] { return b.closed; }, 5000));
        QCOMPARE(int(b.ws.closeCode()), 4321);
        Client c;
        QVERIFY(c.open(srv.ws("/agents/my-agent/closes?_pk=c")));
        QVERIFY(c.waitFrames(3));
        c.send(R"({"args":[4001,"kicked"],"id":"35cf","method":"kick","type":"rpc"})");
        QVERIFY(QTest::qWaitFor([&] { return c.closed; }, 5000));
        QCOMPARE(int(c.ws.closeCode()), 4001);
        QCOMPARE(c.ws.closeReason(), QStringLiteral("kicked"));
        QCOMPARE(c.got.size(), 3); // no RPC reply
    }

    void unknownClassIsPlain400()
    {
        Server srv;
        const QByteArray reply = rawHttp(srv.gw->port(), "GET /agents/no-such-agent/x?_pk=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                                           "Connection: Upgrade\r\nSec-WebSocket-Key: f9lbtR1uQjvgTssTp/zxIw==\r\n"
                                                           "Sec-WebSocket-Version: 13\r\n\r\n");
        QVERIFY2(reply.startsWith("HTTP/1.1 400 "), reply.constData());
        QVERIFY(reply.endsWith("\r\n\r\nInvalid request"));
        Client e;
        QVERIFY(!e.open(srv.ws("/agents/no-such-agent/x?_pk=1")));
    }

    void originIsChecked()
    {
        Server srv;
        Client evil;
        QVERIFY(!evil.open(srv.ws("/agents/my-agent/o?_pk=1"), {{"Origin", "http://evil.example"}}));
        Client local;
        QVERIFY(local.open(srv.ws("/agents/my-agent/o?_pk=2"), {{"Origin", "http://localhost:5173"}}));
        gateway::GatewayOptions opts;
        opts.allowedOrigins << QStringLiteral("https://app.example");
        Server srv2(opts);
        Client allowed;
        QVERIFY(allowed.open(srv2.ws("/agents/my-agent/o?_pk=3"), {{"Origin", "https://app.example"}}));
        // Cross-site POSTs and DNS-rebinding hosts are refused over HTTP too.
        QByteArray r = rawHttp(srv.gw->port(), "POST /agents/my-agent/o/call/setState HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                               "Origin: http://evil.example\r\nContent-Length: 4\r\nConnection: close\r\n\r\n[{}]");
        QVERIFY2(r.startsWith("HTTP/1.1 403 "), r.constData());
        r = rawHttp(srv.gw->port(), "GET /agents/my-agent/o/state HTTP/1.1\r\nHost: evil.example:8787\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 403 "), r.constData());
        r = rawHttp(srv.gw->port(), "GET /agents/my-agent/o/state HTTP/1.1\r\nHost: localhost:8787\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 200 "), r.constData());
        r = rawHttp(srv.gw->port(), "GET /agents/my-agent/o?_pk=4 HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Key: f9lbtR1uQjvgTssTp/zxIw==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 403 "), r.constData());
    }

    void tokensAreRequiredWhenConfigured()
    {
        gateway::GatewayOptions opts;
        opts.tokens = gateway::TokenSet::fromHashes({gateway::TokenSet::hashToken("s3cret")});
        Server srv(opts);
        Client none;
        QVERIFY(!none.open(srv.ws("/agents/my-agent/t?_pk=1")));
        Client query;
        QVERIFY(query.open(srv.ws("/agents/my-agent/t?_pk=2&token=s3cret")));
        Client header;
        QVERIFY(header.open(srv.ws("/agents/my-agent/t?_pk=3"), {{"Authorization", "Bearer s3cret"}}));
        QByteArray r = rawHttp(srv.gw->port(), "GET /agents/my-agent/t/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 401 "), r.constData());
        r = rawHttp(srv.gw->port(), "GET /agents/my-agent/t/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 200 "), r.constData());

        // Off loopback a token set is mandatory.
        gateway::GatewayOptions open;
        open.address = QHostAddress(QHostAddress::AnyIPv4);
        Server wide(open);
        QVERIFY(!wide.listenStatus.ok());
        QVERIFY(QString::fromStdString(wide.listenStatus.error()).contains("token"));
    }

    void hugeFrameClosesWith1009()
    {
        gateway::GatewayOptions opts;
        opts.maxMessageBytes = 1 << 20; // same code path as 32 MiB, less memory
        Server srv(opts);
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/huge?_pk=1")));
        QVERIFY(a.waitFrames(3));
        a.ws.sendTextMessage(QString(2 << 20, QChar('x')));
        QVERIFY(QTest::qWaitFor([&] { return a.closed; }, 10000));
        QCOMPARE(int(a.ws.closeCode()), 1009);
        // The instance is fine.
        Client b;
        QVERIFY(b.open(srv.ws("/agents/my-agent/huge?_pk=2")));
        QVERIFY(b.waitFrames(3));
    }

    void deeplyNestedJsonIsRefused()
    {
        Server srv;
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        // A frame: the connection closes with 1008, the server stays up.
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/deep?_pk=1")));
        QVERIFY(a.waitFrames(3));
        a.send(R"({"type":"rpc","id":"d","method":"add","args":)" + deep + "}");
        QVERIFY(QTest::qWaitFor([&] { return a.closed; }, 10000));
        QCOMPARE(int(a.ws.closeCode()), 1008);
        QVERIFY2(a.ws.closeReason().contains("nested deeper than 512"), qPrintable(a.ws.closeReason()));
        // A body: 400.
        const QByteArray r = rawHttp(srv.gw->port(), "POST /agents/my-agent/deep/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                                                         + QByteArray::number(deep.size()) + "\r\nConnection: close\r\n\r\n" + deep);
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("nested deeper than 512"), r.left(300).constData());
        // Brackets inside strings do not count, and 512 levels are fine.
        Client b;
        QVERIFY(b.open(srv.ws("/agents/my-agent/deep?_pk=2")));
        QVERIFY(b.waitFrames(3));
        const QByteArray nested = QByteArray(510, '[') + "2" + QByteArray(510, ']'); // in {"args": [...]}: 512 in all
        b.send(R"({"type":"rpc","id":"s","method":"add","args":[")" + QByteArray(100000, '[') + R"(", )" + nested + "]}");
        QVERIFY(b.waitFrames(4));
        QVERIFY2(!b.closed && b.got[3].contains(R"("id":"s")"), qPrintable(b.got[3].left(300)));
    }

    void httpRoutes()
    {
        Server srv;
        const quint16 port = srv.gw->port();
        QByteArray r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\n[2,3]");
        QVERIFY2(r.endsWith("\r\n\r\n{\"result\":5}"), r.constData());
        // Pipelined requests are answered in order on one connection.
        r = rawHttp(port, "POST /agents/my-agent/h/call/serverSetState HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\n[4]"
                          "GET /agents/my-agent/h/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.indexOf("{\"result\":{\"count\":4,\"ticks\":0}}") < r.lastIndexOf("{\"count\":4,\"ticks\":0}"), r.constData());
        r = rawHttp(port, "POST /agents/my-agent/h/call/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("Method nope does not exist"), r.constData());
        r = rawHttp(port, "GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 404 "), r.constData());
        r = rawHttp(port, "BLAH\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 400 "), r.constData());
        r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999999\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 413 "), r.constData());
    }

    void badContentLengthIsRefused()
    {
        Server srv;
        const quint16 port = srv.gw->port();
        // Two lengths that disagree would let the body be read as another request.
        QByteArray r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                                     "Content-Length: 0\r\nConnection: close\r\n\r\n[2,3]");
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("conflicting Content-Length"), r.constData());
        r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +5\r\nConnection: close\r\n\r\n[2,3]");
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("invalid Content-Length"), r.constData());
        r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999999\r\n\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 413 "), r.constData());
        // The same length twice is fine.
        r = rawHttp(port, "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n"
                          "Connection: close\r\n\r\n[2,3]");
        QVERIFY2(r.endsWith("\r\n\r\n{\"result\":5}"), r.constData());
    }

    void malformedUpgradeGets400()
    {
        Server srv;
        const quint16 port = srv.gw->port();
        const QByteArray upgrade = "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
        const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        for (const QByteArray& request : {"GET /agents/my-agent/u HTTP/1.1\r\n" + upgrade + "\r\n",
                                          "GET /agents/my-agent/u HTTP/1.0\r\n" + upgrade + key + "\r\n",
                                          "POST /agents/my-agent/u HTTP/1.1\r\n" + upgrade + key + "Content-Length: 2\r\n\r\n{}"}) {
            const QByteArray r = rawHttp(port, request);
            QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("Sec-WebSocket-Key"), (request + "\n->\n" + r).constData());
        }
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/u?_pk=1")));
    }

    void stalledRequestGets408()
    {
        gateway::GatewayOptions opts;
        opts.requestTimeoutMs = 300;
        Server srv(opts);
        const quint16 port = srv.gw->port();
        // A body that never comes, after a first request that did.
        QByteArray r = rawHttp(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                     "POST /agents/my-agent/h/call/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n[2,");
        QVERIFY2(r.startsWith("HTTP/1.1 200 ") && r.contains("{\"ok\":true}HTTP/1.1 408 "), r.constData());
        // A second head that never ends.
        r = rawHttp(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        QVERIFY2(r.startsWith("HTTP/1.1 200 ") && r.contains("{\"ok\":true}HTTP/1.1 408 "), r.constData());
    }

    void pipelinedRequestsWaitForAClientThatDoesNotRead()
    {
        gateway::GatewayOptions opts;
        opts.maxMessageBytes = 64 << 10;
        opts.maxPipelined = 1000;
        Server srv(opts);
        int handled = 0;
        const QByteArray body(60 << 10, 'x');
        srv.gw->addRoute("/big", [&](const gateway::HttpRequest&, gateway::Gateway::Respond respond) {
            ++handled;
            respond(200, "text/plain", body);
        });
        // A plain socket: nothing reads it until we do (a QTcpSocket would
        // drain it into its own buffer on every event).
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(srv.gw->port());
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
        constexpr int kRequests = 400; // 24 MB of answers: more than the kernel buffers both ends
        QByteArray requests;
        for (int i = 0; i < kRequests; ++i)
            requests += "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        QCOMPARE(::send(fd, requests.constData(), std::size_t(requests.size()), 0), ssize_t(requests.size()));
        // Let the server do all it will while the client does not read.
        for (int idle = 0; idle < 500;) {
            const int before = handled;
            QCoreApplication::processEvents();
            idle = handled == before ? idle + 1 : 0;
        }
        qInfo("answered while the client did not read: %d of %d", handled, kRequests);
        QVERIFY2(handled > 0 && handled < kRequests, QByteArray::number(handled).constData());
        // Reading resumes the rest, in order and complete.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        qint64 received = 0;
        const qint64 answerBytes = gateway::httpResponse(200, "text/plain", body, true).size();
        char chunk[1 << 16];
        QElapsedTimer clock;
        clock.start();
        while (received < answerBytes * kRequests && clock.elapsed() < 30000) {
            QCoreApplication::processEvents();
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n > 0)
                received += n;
        }
        ::close(fd);
        QCOMPARE(received, answerBytes * kRequests);
        QCOMPARE(handled, kRequests);
    }

    void openAiWrongTypesGet400()
    {
        Server srv;
        auto model = std::make_shared<EchoModel>();
        gateway::addOpenAiRoutes(*srv.gw, model);
        const quint16 port = srv.gw->port();
        const QByteArray ok = R"({"messages":[{"role":"user","content":"hi"}]})";
        QVERIFY2(postJson(port, "/v1/chat/completions", ok).startsWith("HTTP/1.1 200 "), "a well-formed request");
        QCOMPARE(model->started, 1);
        for (const QByteArray& body : QList<QByteArray>{
                 R"({"messages":[{"role":"user","content":"hi"}],"stream":"yes"})",
                 R"({"messages":[{"role":"user","content":"hi"}],"stream":1})",
                 R"({"messages":[{"role":"user","content":5}]})",
                 R"({"messages":[{"role":"user","content":[{"type":5,"text":"hi"}]}]})",
                 R"({"messages":[{"role":"user","content":[{"type":"text","text":{}}]}]})",
                 R"({"messages":[{"role":"assistant","content":null,"tool_calls":[{"function":{"name":5}}]}]})",
                 R"({"messages":[{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":{}}}]}]})",
                 R"({"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":5}}]})",
                 R"({"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","description":[]}}]})",
                 R"({"messages":[{"role":"user","content":"hi"}],"tools":{}})",
                 R"({"messages":[{"role":"user","content":"hi"}],"stop":5})",
                 R"({"messages":[{"role":"user","content":"hi"}],"stop":""})",
                 R"({"messages":[{"role":"user","content":"hi"}],"stop":["a",""]})",
                 R"({"messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]})",
                 R"({"messages":[{"role":"user","content":"hi"}],"response_format":"json"})",
                 R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"yaml"}})",
                 R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema"}})",
                 R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":[]}}})"}) {
            const QByteArray r = postJson(port, "/v1/chat/completions", body);
            QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("invalid_request_error"), (body + "\n->\n" + r).constData());
        }
        QCOMPARE(model->started, 1);
        QVERIFY(postJson(port, "/v1/chat/completions", ok).startsWith("HTTP/1.1 200 "));
    }

    // stop and response_format reach the model as given; a request the
    // model refuses is the client's error (400, which clients do not retry),
    // a failure while it runs the server's (500).
    void openAiStopAndResponseFormatReachTheModel()
    {
        Server srv;
        auto model = std::make_shared<EchoModel>();
        gateway::addOpenAiRoutes(*srv.gw, model);
        const quint16 port = srv.gw->port();
        QByteArray r = postJson(port, "/v1/chat/completions",
                                R"({"messages":[{"role":"user","content":"hi"}],"stop":["\n\n","END"],)"
                                R"("response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"}}}})");
        QVERIFY2(r.startsWith("HTTP/1.1 200 "), r.constData());
        QCOMPARE(model->last.stop, (std::vector<std::string>{"\n\n", "END"}));
        QCOMPARE(model->last.responseFormat["json_schema"]["schema"]["type"], "object");
        r = postJson(port, "/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}],"stop":"."})");
        QVERIFY2(r.startsWith("HTTP/1.1 200 "), r.constData());
        QCOMPARE(model->last.stop, std::vector<std::string>{"."});
        QVERIFY(model->last.responseFormat.is_null());
        model->failWith = "unsupported schema keyword";
        model->rejects = true;
        r = postJson(port, "/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}]})");
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("unsupported schema keyword") && r.contains("invalid_request_error"), r.constData());
        // Streamed, the status waits for the first event: still a 400.
        const QByteArray streamed = R"({"messages":[{"role":"user","content":"hi"}],"stream":true})";
        r = postJson(port, "/v1/chat/completions", streamed);
        QVERIFY2(r.startsWith("HTTP/1.1 400 ") && r.contains("unsupported schema keyword") && !r.contains("data:"), r.constData());
        model->rejects = false;
        r = postJson(port, "/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}]})");
        QVERIFY2(r.startsWith("HTTP/1.1 500 ") && r.contains("server_error"), r.constData());
        r = postJson(port, "/v1/chat/completions", streamed);
        QVERIFY2(r.startsWith("HTTP/1.1 500 ") && r.contains("server_error"), r.constData());
        model->failWith.clear();
        r = postJson(port, "/v1/chat/completions", streamed);
        QVERIFY2(r.startsWith("HTTP/1.1 200 ") && r.contains("\"role\":\"assistant\"") && r.contains("data: [DONE]"), r.constData());
    }

    void scheduleEveryHasNoDuplicatesAcrossRestarts()
    {
        QTemporaryDir dir;
        auto clock = std::make_shared<alarms::ManualClock>();
        const auto id = actor::ActorId::fromName("MyAgent", "sched").value();
        auto rpc = [&](actor::ActorRuntime& rt, const std::string& text) {
            auto r = rt.call(id, actor::Json{{"op", "frame"}, {"conn", "t"}, {"text", text}});
            return r.ok() ? OJson::parse(r->at("frames")[0].get<std::string>()) : OJson();
        };
        std::string firstId;
        for (int run = 0; run < 2; ++run) {
            agent::AgentRegistry reg;
            QVERIFY(reg.add(myAgent()).ok());
            actor::RuntimeOptions ro;
            ro.rootDir = dir.path().toStdString();
            ro.shards = 1;
            ro.clock = clock;
            actor::ActorRuntime rt(ro);
            QVERIFY(reg.registerWith(rt).ok());
            QVERIFY(rt.start().ok());
            for (int i = 0; i < 2; ++i) {
                OJson r = rpc(rt, R"({"args":[3,"tick",{"hello":"every"}],"id":"1","method":"scheduleEvery","type":"rpc"})");
                QCOMPARE(r["success"], OJson(true));
                QCOMPARE(r["result"]["type"], OJson("interval"));
                QCOMPARE(r["result"]["intervalSeconds"], OJson(3));
                if (firstId.empty())
                    firstId = r["result"]["id"].get<std::string>();
                QCOMPARE(r["result"]["id"].get<std::string>(), firstId);
            }
            OJson list = rpc(rt, R"({"args":[],"id":"2","method":"listSchedules","type":"rpc"})");
            QCOMPARE(list["result"].size(), std::size_t(1));
            rt.stop();
        }
        // Firing moves the interval forward and keeps its id.
        agent::AgentRegistry reg;
        QVERIFY(reg.add(myAgent()).ok());
        actor::RuntimeOptions ro;
        ro.rootDir = dir.path().toStdString();
        ro.shards = 1;
        ro.clock = clock;
        actor::ActorRuntime rt(ro);
        QVERIFY(reg.registerWith(rt).ok());
        std::atomic<int> ticks{0};
        rt.setBroadcastSink([&](const actor::ActorId&, const actor::Json& b) {
            if (b.value("text", std::string()).find("\"tick\"") != std::string::npos)
                ++ticks;
        });
        QVERIFY(rt.start().ok());
        OJson before = rpc(rt, R"({"args":[],"id":"2","method":"listSchedules","type":"rpc"})");
        clock->advance(3500);
        QVERIFY(QTest::qWaitFor([&] { return ticks.load() == 1; }, 5000));
        OJson after = rpc(rt, R"({"args":[],"id":"3","method":"listSchedules","type":"rpc"})");
        QCOMPARE(after["result"].size(), std::size_t(1));
        QCOMPARE(after["result"][0]["id"].get<std::string>(), firstId);
        QVERIFY(after["result"][0]["time"].get<std::int64_t>() > before["result"][0]["time"].get<std::int64_t>());
        OJson cancel = rpc(rt, R"({"args":[")" + firstId + R"("],"id":"4","method":"cancelSchedule","type":"rpc"})");
        QCOMPARE(cancel["result"], OJson(true));
        OJson empty = rpc(rt, R"({"args":[],"id":"5","method":"listSchedules","type":"rpc"})");
        QCOMPARE(empty["result"].size(), std::size_t(0));
        rt.stop();
    }

    void scheduleShapes()
    {
        Server srv;
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/shapes?_pk=1")));
        QVERIFY(a.waitFrames(3));
        a.send(R"({"args":[2,"tick",{"hello":"once"}],"id":"1","method":"schedule","type":"rpc"})");
        a.send(R"({"args":["*/5 * * * *","tick",{"hello":"cron"}],"id":"2","method":"schedule","type":"rpc"})");
        QVERIFY(a.waitFrames(5));
        const OJson once = OJson::parse(a.got[3].toStdString());
        QCOMPARE(once["result"]["type"], OJson("delayed"));
        QCOMPARE(once["result"]["delayInSeconds"], OJson(2));
        std::vector<std::string> keys;
        for (auto it = once["result"].begin(); it != once["result"].end(); ++it)
            keys.push_back(it.key());
        QCOMPARE(keys, (std::vector<std::string>{"id", "callback", "payload", "type", "time", "delayInSeconds"}));
        const OJson cron = OJson::parse(a.got[4].toStdString());
        QCOMPARE(cron["result"]["cron"], OJson("*/5 * * * *"));
    }

    void gracefulShutdownAnswersThenCloses()
    {
        Server srv;
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/bye?_pk=1")));
        QVERIFY(a.waitFrames(3));
        a.send(R"({"args":[1,2],"id":"last","method":"add","type":"rpc"})");
        bool drained = false;
        QObject::connect(srv.gw.get(), &gateway::Gateway::drained, [&] { drained = true; });
        // The frame is in the runtime (or on its way) when shutdown starts.
        QVERIFY(QTest::qWaitFor([&] { return srv.gw->eventsInFlight() > 0 || a.got.size() == 4; }, 5000));
        srv.gw->shutdown();
        QVERIFY(QTest::qWaitFor([&] { return drained && a.closed; }, 5000));
        QCOMPARE(a.got.size(), 4);
        QCOMPARE(a.got[3], QStringLiteral(R"({"done":true,"id":"last","result":3,"success":true,"type":"rpc"})"));
        QCOMPARE(int(a.ws.closeCode()), 1001);
    }

    void alarmsReachClientsAndStateSurvivesHibernation()
    {
        Server srv({}, /*manualClock=*/true);
        Client a;
        QVERIFY(a.open(srv.ws("/agents/my-agent/sleepy?_pk=1")));
        QVERIFY(a.waitFrames(3));
        a.send(R"({"args":[{"count":9,"ticks":1}],"id":"s","method":"setState","type":"rpc"})");
        a.send(R"({"args":[2,"tick",{"z":1,"a":2}],"id":"t","method":"schedule","type":"rpc"})");
        QVERIFY(a.waitFrames(6)); // state broadcast, two replies
        srv.clock->advance(2500);
        QVERIFY(a.waitFrames(7));
        QCOMPARE(a.got[6], QStringLiteral(R"({"type":"tick","payload":{"z":1,"a":2}})"));
        // Idle past the hibernation time: the instance is evicted, its
        // connection stays, and the next event reloads the state from disk.
        srv.clock->advance(10 * 60'000);
        QVERIFY(QTest::qWaitFor([&] { return srv.runtime->stats().hibernations >= 1; }, 5000));
        Client b;
        QVERIFY(b.open(srv.ws("/agents/my-agent/sleepy?_pk=2")));
        QVERIFY(b.waitFrames(3));
        QCOMPARE(b.got[1], QStringLiteral(R"({"type":"cf_agent_state","state":{"count":9,"ticks":1}})"));
        b.send(R"({"state":{"count":10,"ticks":1},"type":"cf_agent_state"})");
        QVERIFY(a.waitFrames(8));
        QCOMPARE(a.got[7], QStringLiteral(R"({"state":{"count":10,"ticks":1},"type":"cf_agent_state"})"));
    }

    void corruptDatabaseClosesWith1011AndKeepsTheFile()
    {
        Server srv;
        const auto id = actor::ActorId::fromName("MyAgent", "broken").value();
        const QString path = QString::fromStdString(srv.runtime->databasePath(id));
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray garbage(8192, 'x');
        f.write(garbage);
        f.close();
        Client a;
        (void)a.open(srv.ws("/agents/my-agent/broken?_pk=1")); // may already be closed when it returns
        QVERIFY(QTest::qWaitFor([&] { return a.closed; }, 5000));
        QCOMPARE(int(a.ws.closeCode()), 1011);
        QVERIFY(a.got.isEmpty());
        QFile again(path);
        QVERIFY(again.open(QIODevice::ReadOnly));
        QCOMPARE(again.readAll(), garbage); // nothing was overwritten
    }

    void kebabNames()
    {
        QCOMPARE(agent::kebabCase("MyAgent"), std::string("my-agent"));
        QCOMPARE(agent::kebabCase("ChatAgent"), std::string("chat-agent"));
        QCOMPARE(agent::kebabCase("chat_agent"), std::string("chat-agent"));
        QCOMPARE(agent::kebabCase("reminder"), std::string("reminder"));
        QCOMPARE(agent::kebabCase("ALLCAPS"), std::string("allcaps"));
    }

    void tokenFile()
    {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            if (!f.open(QIODevice::WriteOnly))
                qFatal("cannot write");
            f.write(text);
            return f.fileName();
        };
        const QByteArray hash = gateway::TokenSet::hashToken("s3cret");
        auto good = gateway::TokenSet::load(write("good", "# tokens\n\nsha256:" + hash + "\n" + gateway::TokenSet::hashToken("other") + "  -\n"));
        QVERIFY2(good.ok(), good.ok() ? "" : good.error().c_str());
        QVERIFY(good->accepts("s3cret"));
        QVERIFY(good->accepts("other"));
        QVERIFY(!good->accepts("s3cre"));
        QVERIFY(!good->accepts(""));
        auto bad = gateway::TokenSet::load(write("bad", hash + "\nnot-a-hash\n"));
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error()).contains(":2:"));
        QVERIFY(!gateway::TokenSet::load(write("empty", "# nothing\n")).ok());
        QVERIFY(!gateway::TokenSet::load(dir.filePath("missing")).ok());
    }

    void listenParsing()
    {
        QCOMPARE(gateway::parseListen("127.0.0.1:9000").value().second, quint16(9000));
        QCOMPARE(gateway::parseListen("[::1]:81").value().first, QHostAddress(QHostAddress::LocalHostIPv6));
        QVERIFY(!gateway::parseListen("example.com:80").ok());
        QVERIFY(!gateway::parseListen("127.0.0.1:99999").ok());
    }
};

QTEST_GUILESS_MAIN(TestGateway)
#include "test_gateway.moc"
