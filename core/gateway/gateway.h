#pragma once
// Gateway: serves the agents of an AgentRegistry to real clients, on one
// host:port for both WebSocket and HTTP (the Agents SDK client needs both on
// the same origin).
//
//   ws://host/agents/<kebab-class>/<name>?_pk=<id>[&ro=1][&noproto=1]
//       the Agents SDK protocol (core/agent/agent_protocol.h). ro=1 makes the
//       connection readonly, noproto=1 suppresses its protocol frames.
//   GET|POST http://host/agents/<kebab-class>/<name>/<path>
//       the instance's HTTP routes (AgentInstance::http): state, schedules,
//       call/<method>, and the class's own handlers.
//   Other paths: the routes added with addRoute() or addStreamRoute() (e.g.
//   /v1/ for the OpenAI-compatible endpoints), else 404.
//
// Chat frames (setChatHooks): a WebSocket text frame the chat hook claims
// (the cf_agent_* chat frames) goes to the hook on the gateway's thread
// instead of the actor; the hook answers through sendToConnection() and
// sendToInstance(). Its onJoin frames go to a new connection before the
// actor's connect frames (an unprompted cf_agent_stream_resuming).
//
// How one port serves both: a QTcpServer accepts; each new socket's first
// request head is only peeked. A WebSocket upgrade that passes the checks
// (known class, token, Origin) is handed whole to
// QWebSocketServer::handleConnection, which reads the same bytes and
// answers 101; anything else is read by the gateway's own small HTTP/1.1
// reader (keep-alive and pipelining, answers in request order).
//
// Threads: everything here runs on the thread that owns the Gateway. Actor
// replies and broadcasts arrive on shard threads and are queued to it, in
// the order the shard released them, so a state broadcast that the output
// gate released before an RPC reply is also sent before it. A connection
// gets broadcasts only after its connect event's frames (identity, state),
// so it never sees a state older than the one it was greeted with.
//
// Security: a listen address other than loopback needs a TokenSet; with
// tokens every request and upgrade must carry one (401 otherwise). Upgrades
// and HTTP requests with a foreign Origin get 403, and so does, on loopback,
// a Host other than localhost/127.0.0.1/[::1] (DNS rebinding). Messages and
// bodies are limited to maxMessageBytes (WebSocket close 1009, HTTP 413).
//
// Shutdown (shutdown()): stop accepting, stop reading new requests, wait for
// every event already handed to the runtime to answer and send the answers,
// then close WebSockets with 1001 and HTTP sockets after their last byte;
// then drained() is emitted. Nothing a client saw acknowledged is lost: the
// runtime acknowledged it only after its commit.
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/gateway/access.h"
#include "core/gateway/http_request.h"

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace outpost::core::gateway {

struct GatewayOptions {
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8787;                            // 0: any free port
    std::optional<TokenSet> tokens;                 // required off loopback
    QStringList allowedOrigins;                     // beyond localhost ones
    qint64 maxMessageBytes = qint64(32) << 20;      // WebSocket message, HTTP body
    qint64 maxHeadBytes = qint64(64) << 10;         // HTTP request head
    int maxPipelined = 64;                          // unanswered requests per HTTP connection
    int requestTimeoutMs = 10'000;                  // a started request head must arrive within this, a body may pause no longer (408)
};

// Parses "host:port", "[v6]:port", "host" (port 8787) or ":port".
Result<std::pair<QHostAddress, quint16>> parseListen(const QString& text);

// A response written in pieces (server-sent events). begin() sends the head
// (the connection closes after the body, so no length is needed); write()
// sends body bytes; end() finishes. send() answers in one piece instead.
// Every call is a no-op once the client is gone (open() false) and after
// end(). Use on the gateway's thread only.
class HttpStream {
public:
    virtual ~HttpStream() = default;
    virtual void send(int status, const QByteArray& contentType, const QByteArray& body) = 0;
    virtual void begin(int status, const QByteArray& contentType) = 0;
    virtual void write(const QByteArray& bytes) = 0;
    virtual void end() = 0;
    virtual bool open() const = 0;
};

struct ChatHooks {
    // Returns true when it handled the frame (then the actor never sees it).
    std::function<bool(const actor::ActorId& id, const std::string& conn, bool readonly, const std::string& text)> onFrame;
    // Frames for a new protocol connection, sent before identity.
    std::function<std::vector<std::string>(const actor::ActorId& id, const std::string& conn)> onJoin;
};

class Gateway : public QObject {
    Q_OBJECT

public:
    // `runtime` and `registry` must outlive the Gateway; install before
    // runtime.start() is not required (the broadcast sink is set here, so
    // construct the Gateway before starting the runtime).
    Gateway(actor::ActorRuntime& runtime, const agent::AgentRegistry& registry, GatewayOptions options, QObject* parent = nullptr);
    ~Gateway() override;

    // Errors: a non-loopback address without tokens, the port cannot be bound.
    Status listen();
    quint16 port() const;

    // Handler of requests under a path prefix (e.g. "/v1/"). Call `respond`
    // once, on the gateway's thread, possibly later.
    using Respond = std::function<void(int status, QByteArray contentType, QByteArray body)>;
    using RouteHandler = std::function<void(const HttpRequest& request, Respond respond)>;
    void addRoute(QByteArray pathPrefix, RouteHandler handler);
    // A handler that may stream its answer (see HttpStream).
    using StreamRouteHandler = std::function<void(const HttpRequest& request, std::shared_ptr<HttpStream> stream)>;
    void addStreamRoute(QByteArray pathPrefix, StreamRouteHandler handler);

    void setChatHooks(ChatHooks hooks);
    // Sends a text frame to one connection (its id as the actor sees it,
    // "conn" in the messages). Returns false when it is gone or closing.
    bool sendToConnection(const std::string& conn, const QString& text);
    // Sends to every joined connection of the instance (ActorId::key()), but
    // `except`; `protoOnly` skips noproto connections.
    void sendToInstance(const std::string& actorKey, const QString& text, const std::string& except = {}, bool protoOnly = true);
    // The joined connections of an instance.
    std::vector<std::string> connectionsOf(const std::string& actorKey) const;

    // See the header comment. Safe to call twice.
    void shutdown();
    bool isDrained() const;

    int webSocketCount() const;
    qint64 eventsInFlight() const;

signals:
    void drained();

public:
    struct Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace outpost::core::gateway
