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
//   Other paths: the routes added with addRoute() (e.g. /v1/ for the
//   OpenAI-compatible endpoints), else 404.
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
};

// Parses "host:port", "[v6]:port", "host" (port 8787) or ":port".
Result<std::pair<QHostAddress, quint16>> parseListen(const QString& text);

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
