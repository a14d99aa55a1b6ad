#include "core/gateway/gateway.h"

#include "core/json/untrusted_json.h"

#include <QMetaObject>
#include <QMutex>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace outpost::core::gateway {

using actor::Json;

Result<std::pair<QHostAddress, quint16>> parseListen(const QString& text)
{
    QString host = text.trimmed();
    quint16 port = 8787;
    QString portText;
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        if (close < 0)
            return Error{"--listen " + text.toStdString() + ": missing ']'"};
        portText = host.mid(close + 1);
        host = host.mid(1, close - 1);
        if (!portText.isEmpty() && !portText.startsWith(':'))
            return Error{"--listen " + text.toStdString() + ": expected ':' after ']'"};
        portText = portText.mid(1);
    } else if (const qsizetype colon = host.lastIndexOf(':'); colon >= 0) {
        portText = host.mid(colon + 1);
        host = host.left(colon);
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint p = portText.toUInt(&ok);
        if (!ok || p > 65535)
            return Error{"--listen " + text.toStdString() + ": invalid port '" + portText.toStdString() + "'"};
        port = quint16(p);
    }
    QHostAddress address;
    if (host.isEmpty() || host == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host))
        return Error{"--listen " + text.toStdString() + ": '" + host.toStdString() + "' is not an IP address"};
    return std::make_pair(address, port);
}

namespace {

QString tooDeepMessage(std::ptrdiff_t at)
{
    return QStringLiteral("JSON nested deeper than %1 levels (at byte %2)").arg(json::kMaxNesting).arg(at);
}

// Splits "/a/b%2Fc/d?x" into decoded segments {"a", "b/c", "d"}.
QList<QByteArray> pathSegments(const QByteArray& target)
{
    QByteArray path = target;
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path.truncate(q);
    QList<QByteArray> out;
    for (const QByteArray& s : path.split('/'))
        if (!s.isEmpty())
            out.append(QByteArray::fromPercentEncoding(s));
    return out;
}

QByteArray bearer(const QByteArray& authorization)
{
    if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer ")
        return authorization.mid(7).trimmed();
    return {};
}

} // namespace

// Lets shard threads reach the gateway while it lives, and never after.
// Work from shard threads is queued here and run in order by one posted
// call per burst, not one event per reply (thousands per second under load).
struct Alive {
    QMutex mutex;
    Gateway::Impl* impl = nullptr;
    std::vector<std::function<void(Gateway::Impl&)>> queue;
    bool scheduled = false;
};

std::shared_ptr<HttpStream> makeStream(std::shared_ptr<Alive> alive, quint64 conn, quint64 seq, bool keepAlive);

struct Gateway::Impl {
    struct Http {
        quint64 id = 0;
        QTcpSocket* socket = nullptr;
        QByteArray buffer;
        bool decided = false;  // false until the first head shows it is not an upgrade
        bool closing = false;  // answer what is pending, then close
        quint64 nextSeq = 0;   // sequence of the next request read
        quint64 sendSeq = 0;   // sequence of the next response to write
        struct Out {
            QByteArray bytes;
            bool complete = true;
        };
        std::map<quint64, Out> ready;
        int pending = 0;
        QTimer* headTimer = nullptr;
    };
    struct Ws {
        quint64 id = 0;
        QPointer<QWebSocket> socket;
        std::string connId;
        actor::ActorId actorId;
        bool proto = true;
        bool readonly = false;
        bool joined = false;
        bool closing = false;
    };

    Gateway* q = nullptr;
    actor::ActorRuntime& runtime;
    const agent::AgentRegistry& registry;
    GatewayOptions options;
    std::shared_ptr<Alive> alive = std::make_shared<Alive>();
    QTcpServer* tcp = nullptr;
    QWebSocketServer* wsServer = nullptr;
    quint64 nextId = 1;
    std::unordered_map<quint64, std::unique_ptr<Http>> http;
    std::unordered_map<QTcpSocket*, quint64> httpBySocket;
    std::unordered_map<quint64, std::unique_ptr<Ws>> ws;
    std::unordered_map<std::string, std::vector<Ws*>> wsByActor;
    std::vector<std::pair<QByteArray, RouteHandler>> routes;
    std::vector<std::pair<QByteArray, StreamRouteHandler>> streamRoutes;
    std::unordered_map<std::string, Ws*> wsByConn;
    ChatHooks chat;
    qint64 inFlight = 0;
    bool draining = false;
    bool drained = false;

    Impl(Gateway* gw, actor::ActorRuntime& rt, const agent::AgentRegistry& reg, GatewayOptions opts)
        : q(gw), runtime(rt), registry(reg), options(std::move(opts))
    {
    }

    // Runs `fn` on the gateway's thread, if the gateway still exists.
    template<typename Fn>
    static void post(const std::shared_ptr<Alive>& alive, Fn&& fn)
    {
        QMutexLocker lock(&alive->mutex);
        if (!alive->impl)
            return;
        alive->queue.emplace_back(std::forward<Fn>(fn));
        if (alive->scheduled)
            return;
        alive->scheduled = true;
        Impl* self = alive->impl;
        QMetaObject::invokeMethod(self->q, [self] { self->runPosted(); }, Qt::QueuedConnection);
    }

    void runPosted()
    {
        std::vector<std::function<void(Impl&)>> work;
        {
            QMutexLocker lock(&alive->mutex);
            work.swap(alive->queue);
            alive->scheduled = false;
        }
        for (auto& fn : work)
            fn(*this);
    }

    // ---- accepting -----------------------------------------------------------
    void onNewTcp()
    {
        while (QTcpSocket* s = tcp->nextPendingConnection()) {
            if (draining) {
                s->abort();
                s->deleteLater();
                continue;
            }
            auto h = std::make_unique<Http>();
            h->id = nextId++;
            h->socket = s;
            h->headTimer = new QTimer(s);
            h->headTimer->setSingleShot(true);
            const quint64 id = h->id;
            QObject::connect(h->headTimer, &QTimer::timeout, q, [this, id] {
                // A client that never finishes a request holds a socket for nothing.
                Http* c = find(id);
                if (!c || c->closing)
                    return;
                if (!c->decided) {
                    failHttp(*c, 408, "the request head did not arrive in time");
                } else if (!c->buffer.isEmpty()) {
                    failAfterAnswers(*c, 408, QStringLiteral("the request did not arrive in time"));
                }
            });
            h->headTimer->start(options.requestTimeoutMs);
            QObject::connect(s, &QTcpSocket::readyRead, q, [this, id] { onHttpRead(id); });
            // Requests held back while the client was not reading its answers.
            QObject::connect(s, &QTcpSocket::bytesWritten, q, [this, id] {
                Http* c = find(id);
                if (!c || !c->decided || backlogged(*c))
                    return;
                if (!c->buffer.isEmpty())
                    parseRequests(*c);
                if (c->socket->bytesAvailable() > 0)
                    onHttpRead(id);
            });
            // Queued: a socket may disconnect inside our own write/close calls.
            QObject::connect(s, &QTcpSocket::disconnected, q, [this, id] { dropHttp(id); }, Qt::QueuedConnection);
            httpBySocket[s] = id;
            http.emplace(id, std::move(h));
            if (s->bytesAvailable() > 0)
                onHttpRead(id);
        }
    }

    Http* find(quint64 id)
    {
        auto it = http.find(id);
        return it == http.end() ? nullptr : it->second.get();
    }

    void dropHttp(quint64 id)
    {
        auto it = http.find(id);
        if (it == http.end())
            return;
        httpBySocket.erase(it->second->socket);
        it->second->socket->deleteLater();
        http.erase(it);
        checkDrained();
    }

    void failHttp(Http& c, int status, const QByteArray& why)
    {
        c.closing = true;
        c.socket->write(httpResponse(status, "application/json", jsonError(QString::fromUtf8(why)), false));
        c.socket->disconnectFromHost();
    }

    // An error answer after the answers to the requests before it on this
    // connection, which then closes.
    void failAfterAnswers(Http& c, int status, const QString& why)
    {
        c.closing = true;
        c.buffer.clear();
        queueResponse(c, c.nextSeq++, httpResponse(status, "application/json", jsonError(why), false));
    }

    bool hostAllowed(const HttpRequest& r) const
    {
        return !isLoopback(options.address) || loopbackHostAllowed(r.header("host"));
    }

    bool authorized(const HttpRequest& r, bool allowQueryToken) const
    {
        if (!options.tokens)
            return true;
        QByteArray token = bearer(r.header("authorization"));
        if (token.isEmpty() && allowQueryToken)
            token = QUrlQuery(r.url).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
        return options.tokens->accepts(token);
    }

    void onHttpRead(quint64 id)
    {
        Http* c = find(id);
        if (!c || c->closing)
            return;
        if (!c->decided) {
            // Peek only: an upgrade must reach QWebSocketServer with its bytes unread.
            const QByteArray peeked = c->socket->peek(options.maxHeadBytes + 1);
            HeadParse head = parseHead(peeked, options.maxHeadBytes, options.maxMessageBytes);
            if (head.state == HeadParse::State::NeedMore)
                return;
            if (head.state == HeadParse::State::Ready && head.request.isWebSocketUpgrade()) {
                upgrade(*c, head.request);
                return;
            }
            c->decided = true;
            c->headTimer->stop();
        }
        if (draining)
            return;
        // While the pipelining limit or unread answers hold requests back,
        // leave further bytes in the socket (TCP flow control slows the
        // client down).
        if ((c->pending >= options.maxPipelined || backlogged(*c)) && c->buffer.size() > options.maxHeadBytes + options.maxMessageBytes)
            return;
        c->buffer += c->socket->readAll();
        parseRequests(*c);
    }

    // The client owes the rest of a request: a head must be complete within
    // the timeout of its first byte, a body may not pause longer than it.
    void awaitClient(Http& c, bool inBody)
    {
        if (c.buffer.isEmpty())
            c.headTimer->stop();
        else if (inBody || !c.headTimer->isActive())
            c.headTimer->start(options.requestTimeoutMs);
    }

    // A client that pipelines requests and does not read the answers must not
    // make the server buffer them without bound: past the message limit of
    // unsent bytes, its next requests wait until the answers drain.
    bool backlogged(const Http& c) const { return c.socket->bytesToWrite() > options.maxMessageBytes; }

    void parseRequests(Http& c)
    {
        while (!c.closing && !draining && c.pending < options.maxPipelined && !backlogged(c)) {
            HeadParse head = parseHead(c.buffer, options.maxHeadBytes, options.maxMessageBytes);
            if (head.state == HeadParse::State::NeedMore) {
                awaitClient(c, false);
                return;
            }
            if (head.state == HeadParse::State::Bad) {
                failAfterAnswers(c, head.status, QString::fromUtf8(head.reason));
                return;
            }
            HttpRequest& r = head.request;
            if (c.buffer.size() < r.headBytes + r.contentLength) {
                awaitClient(c, true);
                return;
            }
            r.body = c.buffer.mid(r.headBytes, r.contentLength);
            c.buffer.remove(0, r.headBytes + r.contentLength);
            c.headTimer->stop();
            const quint64 seq = c.nextSeq++;
            if (r.isWebSocketUpgrade()) {
                queueResponse(c, seq, httpResponse(400, "text/plain", "Invalid request", false));
                c.closing = true;
                flush(c);
                return;
            }
            handleHttp(c, seq, std::move(r));
        }
    }

    void queueResponse(Http& c, quint64 seq, QByteArray bytes)
    {
        auto& out = c.ready[seq];
        out.bytes += bytes;
        out.complete = true;
        flush(c);
    }

    // Part of a streamed response; it stays at its place in the order.
    void queuePartial(Http& c, quint64 seq, const QByteArray& bytes)
    {
        auto& out = c.ready[seq];
        out.bytes += bytes;
        out.complete = false;
        flush(c);
    }

    void flush(Http& c)
    {
        bool close = false;
        while (!c.ready.empty() && c.ready.begin()->first == c.sendSeq) {
            auto& out = c.ready.begin()->second;
            if (!out.bytes.isEmpty()) {
                c.socket->write(out.bytes);
                out.bytes.clear();
            }
            if (!out.complete)
                break;
            c.ready.erase(c.ready.begin());
            ++c.sendSeq;
        }
        if (c.closing && c.sendSeq == c.nextSeq)
            close = true;
        if (close)
            c.socket->disconnectFromHost();
    }

    void handleHttp(Http& c, quint64 seq, HttpRequest r)
    {
        const bool keepAlive = r.keepAlive();
        if (!keepAlive)
            c.closing = true;
        auto answer = [this, id = c.id, seq, keepAlive](int status, const QByteArray& type, const QByteArray& body) {
            if (Http* conn = find(id)) {
                queueResponse(*conn, seq, httpResponse(status, type, body, keepAlive && !conn->closing));
            }
        };
        if (!hostAllowed(r)) {
            answer(403, "application/json", jsonError(QStringLiteral("host %1 is not served here").arg(QString::fromUtf8(r.header("host")))));
            return;
        }
        // Browsers send Origin with cross-site POSTs that need no preflight
        // (text/plain bodies): refuse them so a web page cannot call agents.
        if (!originAllowed(r.header("origin"), options.allowedOrigins)) {
            answer(403, "application/json", jsonError(QStringLiteral("origin %1 is not allowed").arg(QString::fromUtf8(r.header("origin")))));
            return;
        }
        if (!authorized(r, false)) {
            answer(401, "application/json", jsonError(QStringLiteral("a valid bearer token is required (Authorization: Bearer <token>)")));
            return;
        }
        if (const auto at = json::tooDeepAt(std::string_view(r.body.constData(), std::size_t(r.body.size()))); at >= 0) {
            answer(400, "application/json", jsonError(tooDeepMessage(at)));
            return;
        }
        const QList<QByteArray> seg = pathSegments(r.target);
        if (seg.size() >= 3 && seg[0] == "agents") {
            auto cls = registry.byUrlName(seg[1].toStdString());
            if (!cls) {
                answer(404, "application/json", jsonError(QStringLiteral("no agent class '%1'").arg(QString::fromUtf8(seg[1]))));
                return;
            }
            auto id = actor::ActorId::fromName(cls->className, seg[2].toStdString());
            if (!id) {
                answer(400, "application/json", jsonError(QString::fromStdString(id.error())));
                return;
            }
            QByteArrayList rest = seg.mid(3);
            Json msg{{"op", "http"},
                     {"method", r.method.toStdString()},
                     {"path", rest.join('/').toStdString()},
                     {"body", r.body.toStdString()}};
            ++c.pending;
            ++inFlight;
            const quint64 connId = c.id;
            auto st = runtime.post(*id, std::move(msg), [a = alive, connId, seq, keepAlive](Result<Json> result) {
                post(a, [connId, seq, keepAlive, result = std::move(result)](Impl& self) {
                    --self.inFlight;
                    if (Http* conn = self.find(connId)) {
                        --conn->pending;
                        QByteArray bytes;
                        if (result) {
                            bytes = httpResponse(result->value("status", 200),
                                                 QByteArray::fromStdString(result->value("contentType", std::string("application/json"))),
                                                 QByteArray::fromStdString(result->value("body", std::string())),
                                                 keepAlive && !conn->closing);
                        } else {
                            bytes = httpResponse(400, "application/json", jsonError(QString::fromStdString(result.error())),
                                                 keepAlive && !conn->closing);
                        }
                        self.queueResponse(*conn, seq, std::move(bytes));
                        // Requests held back by the pipelining limit.
                        if (!conn->buffer.isEmpty())
                            self.parseRequests(*conn);
                        if (conn->socket->bytesAvailable() > 0)
                            self.onHttpRead(connId);
                    }
                    self.checkDrained();
                });
            });
            if (!st) {
                --c.pending;
                --inFlight;
                answer(503, "application/json", jsonError(QString::fromStdString(st.error())));
            }
            return;
        }
        for (const auto& route : streamRoutes) {
            if (r.url.path().toUtf8().startsWith(route.first)) {
                ++c.pending;
                ++inFlight;
                route.second(r, makeStream(alive, c.id, seq, keepAlive));
                return;
            }
        }
        for (const auto& route : routes) {
            if (r.url.path().toUtf8().startsWith(route.first)) {
                ++c.pending;
                ++inFlight;
                const quint64 connId = c.id;
                route.second(r, [this, connId, seq, keepAlive](int status, QByteArray type, QByteArray body) {
                    --inFlight;
                    if (Http* conn = find(connId)) {
                        --conn->pending;
                        queueResponse(*conn, seq, httpResponse(status, type, body, keepAlive && !conn->closing));
                    }
                    checkDrained();
                });
                return;
            }
        }
        if (r.method == "GET" && r.url.path() == QLatin1String("/healthz")) {
            answer(200, "application/json", R"({"ok":true})");
            return;
        }
        answer(404, "application/json", jsonError(QStringLiteral("no route for %1 %2").arg(QString::fromUtf8(r.method), r.url.path())));
    }

    // ---- WebSocket -------------------------------------------------------------
    void upgrade(Http& c, const HttpRequest& r)
    {
        c.headTimer->stop();
        auto refuse = [&](int status, const QByteArray& type, const QByteArray& body) {
            c.decided = true;
            c.closing = true;
            c.socket->readAll();
            c.socket->write(httpResponse(status, type, body, false));
            c.socket->disconnectFromHost();
        };
        if (draining)
            return refuse(503, "application/json", jsonError(QStringLiteral("the server is shutting down")));
        // QWebSocketServer drops a handshake it cannot answer without a word.
        const QByteArray key = r.header("sec-websocket-key");
        if (r.method != "GET" || r.version != "HTTP/1.1" || QByteArray::fromBase64(key).size() != 16 || r.header("sec-websocket-version").isEmpty())
            return refuse(400, "application/json",
                          jsonError(QStringLiteral("a WebSocket upgrade is a GET in HTTP/1.1 with a Sec-WebSocket-Key and a Sec-WebSocket-Version")));
        const QList<QByteArray> seg = pathSegments(r.target);
        // As the SDK's router: anything but a known class is a plain 400.
        if (seg.size() != 3 || seg[0] != "agents" || !registry.byUrlName(seg[1].toStdString()))
            return refuse(400, "text/plain", "Invalid request");
        if (!actor::validateInstanceName(seg[2].toStdString()))
            return refuse(400, "text/plain", "Invalid request");
        if (!hostAllowed(r))
            return refuse(403, "application/json", jsonError(QStringLiteral("host %1 is not served here").arg(QString::fromUtf8(r.header("host")))));
        if (!authorized(r, true))
            return refuse(401, "application/json", jsonError(QStringLiteral("a valid bearer token is required")));
        if (!originAllowed(r.header("origin"), options.allowedOrigins))
            return refuse(403, "application/json", jsonError(QStringLiteral("origin %1 is not allowed").arg(QString::fromUtf8(r.header("origin")))));
        // Hand the socket over whole: QWebSocketServer reads the same head.
        QTcpSocket* s = c.socket;
        QObject::disconnect(s, nullptr, q, nullptr);
        delete c.headTimer;
        httpBySocket.erase(s);
        http.erase(c.id);
        wsServer->handleConnection(s);
    }

    void onNewWs()
    {
        while (QWebSocket* s = wsServer->nextPendingConnection()) {
            s->setMaxAllowedIncomingMessageSize(quint64(options.maxMessageBytes));
            s->setMaxAllowedIncomingFrameSize(quint64(options.maxMessageBytes));
            const QByteArray target = s->requestUrl().toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
            const QList<QByteArray> seg = pathSegments(target);
            std::shared_ptr<const agent::AgentClass> cls = seg.size() == 3 ? registry.byUrlName(seg[1].toStdString()) : nullptr;
            auto id = cls ? actor::ActorId::fromName(cls->className, seg[2].toStdString()) : Result<actor::ActorId>(Error{"bad path"});
            if (!id || draining) {
                s->close(QWebSocketProtocol::CloseCodeGoingAway);
                s->deleteLater();
                continue;
            }
            const QUrlQuery query(s->requestUrl());
            auto w = std::make_unique<Ws>();
            w->id = nextId++;
            w->socket = s;
            const QString pk = query.queryItemValue(QStringLiteral("_pk"), QUrl::FullyDecoded);
            w->connId = std::to_string(w->id) + ":" + pk.toStdString();
            w->actorId = *id;
            w->readonly = query.queryItemValue(QStringLiteral("ro")) == QLatin1String("1");
            w->proto = query.queryItemValue(QStringLiteral("noproto")) != QLatin1String("1");
            const quint64 wid = w->id;
            QObject::connect(s, &QWebSocket::textMessageReceived, q, [this, wid](const QString& text) { onWsText(wid, text); });
            QObject::connect(s, &QWebSocket::binaryMessageReceived, q, [this, wid](const QByteArray&) {
                if (Ws* c = findWs(wid))
                    c->socket->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("binary frames are not supported"));
            });
            QObject::connect(s, &QWebSocket::disconnected, q, [this, wid] { dropWs(wid); }, Qt::QueuedConnection);
            QObject::connect(s, &QObject::destroyed, q, [this, wid] { dropWs(wid); }, Qt::QueuedConnection);
            Ws* raw = w.get();
            wsByActor[id->key()].push_back(raw);
            wsByConn[raw->connId] = raw;
            ws.emplace(wid, std::move(w));
            if (chat.onJoin && raw->proto)
                for (const auto& f : chat.onJoin(*id, raw->connId))
                    sendText(*raw, QString::fromStdString(f));
            sendToActor(*raw, Json{{"op", "connect"}, {"conn", raw->connId}, {"proto", raw->proto}}, {}, true);
        }
    }

    Ws* findWs(quint64 id)
    {
        auto it = ws.find(id);
        return it == ws.end() ? nullptr : it->second.get();
    }

    void dropWs(quint64 id)
    {
        auto it = ws.find(id);
        if (it == ws.end())
            return;
        Ws* c = it->second.get();
        wsByConn.erase(c->connId);
        auto& list = wsByActor[c->actorId.key()];
        list.erase(std::remove(list.begin(), list.end(), c), list.end());
        if (list.empty())
            wsByActor.erase(c->actorId.key());
        if (c->socket)
            c->socket->deleteLater();
        ws.erase(it);
        checkDrained();
    }

    void onWsText(quint64 id, const QString& text)
    {
        Ws* c = findWs(id);
        if (!c || c->closing || draining)
            return;
        std::string t = text.toStdString();
        // Every reader of the frame would parse it.
        if (const auto at = json::tooDeepAt(t); at >= 0) {
            c->closing = true;
            c->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, tooDeepMessage(at));
            return;
        }
        if (chat.onFrame && chat.onFrame(c->actorId, c->connId, c->readonly, t))
            return;
        Json msg{{"op", "frame"}, {"conn", c->connId}, {"readonly", c->readonly}, {"proto", c->proto}, {"text", t}};
        sendToActor(*c, std::move(msg), std::move(t), false);
    }

    void sendToActor(Ws& c, Json msg, std::string text, bool isConnect)
    {
        ++inFlight;
        const quint64 wid = c.id;
        auto st = runtime.post(c.actorId, std::move(msg), [a = alive, wid, text = std::move(text), isConnect](Result<Json> result) {
            post(a, [wid, text, isConnect, result = std::move(result)](Impl& self) {
                --self.inFlight;
                self.onActorReply(wid, text, isConnect, result);
                self.checkDrained();
            });
        });
        if (!st) {
            --inFlight;
            c.socket->close(QWebSocketProtocol::CloseCodeBadOperation, QString::fromStdString(st.error()).left(120));
        }
    }

    // A client that stops reading must not make the server buffer without
    // bound: past twice the message limit of unsent bytes it is closed (1008).
    bool sendText(Ws& c, const QString& text)
    {
        if (!c.socket || c.closing)
            return false;
        if (c.socket->bytesToWrite() > 2 * options.maxMessageBytes) {
            c.closing = true;
            c.socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("the client does not read its messages"));
            return false;
        }
        c.socket->sendTextMessage(text);
        return true;
    }

    void onActorReply(quint64 wid, const std::string& text, bool isConnect, const Result<Json>& result)
    {
        Ws* c = findWs(wid);
        if (!c || c->closing || !c->socket)
            return;
        if (isConnect)
            c->joined = true;
        if (!result) {
            if (isConnect) {
                // The instance could not load: say why, then close (1011;
                // 1006 may never appear in a close frame).
                c->closing = true;
                c->socket->close(QWebSocketProtocol::CloseCodeBadOperation, QString::fromStdString(result.error()).left(120));
                return;
            }
            for (const auto& f : agent::protocol::framesForFailure(text, result.error()))
                sendText(*c, QString::fromStdString(f));
            return;
        }
        if (result->contains("frames"))
            for (const auto& f : (*result)["frames"])
                sendText(*c, QString::fromStdString(f.get<std::string>()));
        if (result->contains("close")) {
            const auto& cl = (*result)["close"];
            c->closing = true;
            c->socket->close(QWebSocketProtocol::CloseCode(cl[0].get<int>()), QString::fromStdString(cl[1].get<std::string>()));
        }
    }

    void onBroadcast(const std::string& actorKey, const Json& b)
    {
        auto it = wsByActor.find(actorKey);
        if (it == wsByActor.end())
            return;
        const QString text = QString::fromStdString(b.value("text", std::string()));
        const bool protoOnly = b.value("proto", false);
        const std::string except = b.value("except", std::string());
        for (Ws* c : it->second) {
            if (!c->socket || !c->joined || c->closing || (protoOnly && !c->proto) || (!except.empty() && c->connId == except))
                continue;
            sendText(*c, text);
        }
    }

    // ---- shutdown -------------------------------------------------------------
    void checkDrained()
    {
        if (!draining || drained || inFlight > 0)
            return;
        for (auto& [id, h] : http) {
            if (h->pending > 0)
                return;
        }
        drained = true;
        std::vector<QPointer<QWebSocket>> sockets;
        for (auto& [id, c] : ws) {
            if (!c->closing && c->socket) {
                c->closing = true;
                sockets.push_back(c->socket);
            }
        }
        for (auto& s : sockets)
            if (s)
                s->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
        std::vector<QPointer<QTcpSocket>> tcpSockets;
        for (auto& [id, h] : http) {
            h->closing = true;
            tcpSockets.push_back(h->socket);
        }
        for (auto& s : tcpSockets)
            if (s)
                s->disconnectFromHost();
        emit q->drained();
    }
};

// A streamed answer: writes go through the connection's ordered queue, so a
// pipelined request after it waits until end().
class Stream : public HttpStream {
public:
    Stream(std::shared_ptr<Alive> alive, quint64 conn, quint64 seq, bool keepAlive)
        : m_alive(std::move(alive)), m_conn(conn), m_seq(seq), m_keepAlive(keepAlive)
    {
    }
    ~Stream() override
    {
        // A handler that dropped its stream without answering still frees
        // the request's place (and the drain waits no longer).
        if (!m_ended)
            end();
    }
    void send(int status, const QByteArray& contentType, const QByteArray& body) override
    {
        if (m_ended || m_begun)
            return;
        Gateway::Impl* self = impl();
        m_ended = true;
        if (!self)
            return;
        --self->inFlight;
        if (auto* c = self->find(m_conn)) {
            --c->pending;
            self->queueResponse(*c, m_seq, httpResponse(status, contentType, body, m_keepAlive && !c->closing));
        }
        self->checkDrained();
    }
    void begin(int status, const QByteArray& contentType) override
    {
        if (m_ended || m_begun)
            return;
        m_begun = true;
        Gateway::Impl* self = impl();
        if (!self)
            return;
        if (auto* c = self->find(m_conn)) {
            c->closing = true; // the body ends when the connection does
            QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " " + reasonPhrase(status) + "\r\nContent-Type: " + contentType
                              + "\r\nCache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
            self->queuePartial(*c, m_seq, head);
        }
    }
    void write(const QByteArray& bytes) override
    {
        if (m_ended || !m_begun)
            return;
        if (Gateway::Impl* self = impl())
            if (auto* c = self->find(m_conn))
                self->queuePartial(*c, m_seq, bytes);
    }
    void end() override
    {
        if (m_ended)
            return;
        if (!m_begun) {
            send(500, "application/json", jsonError(QStringLiteral("the handler gave no answer")));
            return;
        }
        m_ended = true;
        Gateway::Impl* self = impl();
        if (!self)
            return;
        --self->inFlight;
        if (auto* c = self->find(m_conn)) {
            --c->pending;
            self->queueResponse(*c, m_seq, {});
        }
        self->checkDrained();
    }
    bool open() const override
    {
        if (m_ended)
            return false;
        Gateway::Impl* self = impl();
        return self && self->find(m_conn) && self->find(m_conn)->socket->state() == QAbstractSocket::ConnectedState;
    }

private:
    Gateway::Impl* impl() const
    {
        QMutexLocker lock(&m_alive->mutex);
        return m_alive->impl;
    }
    std::shared_ptr<Alive> m_alive;
    quint64 m_conn;
    quint64 m_seq;
    bool m_keepAlive;
    bool m_begun = false;
    bool m_ended = false;
};

std::shared_ptr<HttpStream> makeStream(std::shared_ptr<Alive> alive, quint64 conn, quint64 seq, bool keepAlive)
{
    return std::make_shared<Stream>(std::move(alive), conn, seq, keepAlive);
}

Gateway::Gateway(actor::ActorRuntime& runtime, const agent::AgentRegistry& registry, GatewayOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Impl>(this, runtime, registry, std::move(options)))
{
    d->alive->impl = d.get();
    runtime.setBroadcastSink([a = d->alive](const actor::ActorId& id, const Json& message) {
        Impl::post(a, [key = id.key(), message](Impl& self) { self.onBroadcast(key, message); });
    });
    d->tcp = new QTcpServer(this);
    d->wsServer = new QWebSocketServer(QStringLiteral("outpost"), QWebSocketServer::NonSecureMode, this);
    connect(d->tcp, &QTcpServer::newConnection, this, [this] { d->onNewTcp(); });
    connect(d->wsServer, &QWebSocketServer::newConnection, this, [this] { d->onNewWs(); });
}

Gateway::~Gateway()
{
    {
        QMutexLocker lock(&d->alive->mutex);
        d->alive->impl = nullptr;
    }
    for (auto& [id, c] : d->ws) {
        if (c->socket) {
            QObject::disconnect(c->socket, nullptr, this, nullptr);
            c->socket->abort();
        }
    }
}

Status Gateway::listen()
{
    if (!isLoopback(d->options.address) && (!d->options.tokens || d->options.tokens->empty()))
        return Error{"listening on " + d->options.address.toString().toStdString()
                     + " (not loopback) needs a token file (--token-file) so that only clients with a token get in"};
    if (!d->tcp->listen(d->options.address, d->options.port))
        return Error{"cannot listen on " + d->options.address.toString().toStdString() + ":" + std::to_string(d->options.port) + ": "
                     + d->tcp->errorString().toStdString()};
    return {};
}

quint16 Gateway::port() const { return d->tcp->serverPort(); }

void Gateway::addRoute(QByteArray pathPrefix, RouteHandler handler) { d->routes.emplace_back(std::move(pathPrefix), std::move(handler)); }

void Gateway::addStreamRoute(QByteArray pathPrefix, StreamRouteHandler handler)
{
    d->streamRoutes.emplace_back(std::move(pathPrefix), std::move(handler));
}

void Gateway::setChatHooks(ChatHooks hooks) { d->chat = std::move(hooks); }

bool Gateway::sendToConnection(const std::string& conn, const QString& text)
{
    auto it = d->wsByConn.find(conn);
    if (it == d->wsByConn.end())
        return false;
    return d->sendText(*it->second, text);
}

void Gateway::sendToInstance(const std::string& actorKey, const QString& text, const std::string& except, bool protoOnly)
{
    auto it = d->wsByActor.find(actorKey);
    if (it == d->wsByActor.end())
        return;
    const std::vector<Impl::Ws*> list = it->second; // sendText may close one
    for (Impl::Ws* c : list) {
        if (!c->socket || !c->joined || c->closing || (protoOnly && !c->proto) || (!except.empty() && c->connId == except))
            continue;
        d->sendText(*c, text);
    }
}

std::vector<std::string> Gateway::connectionsOf(const std::string& actorKey) const
{
    std::vector<std::string> out;
    auto it = d->wsByActor.find(actorKey);
    if (it != d->wsByActor.end())
        for (const Impl::Ws* c : it->second)
            if (c->joined && !c->closing)
                out.push_back(c->connId);
    return out;
}

void Gateway::shutdown()
{
    if (d->draining)
        return;
    d->draining = true;
    d->tcp->close();
    d->checkDrained();
}

bool Gateway::isDrained() const { return d->drained; }

int Gateway::webSocketCount() const { return int(d->ws.size()); }

qint64 Gateway::eventsInFlight() const { return d->inFlight; }

} // namespace outpost::core::gateway
