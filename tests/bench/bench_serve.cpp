// bench_serve: the gateway and agent instances under load, on 127.0.0.1.
//  1. 200 WebSocket clients on one agent: each makes sequential RPC setState
//     calls; every update is broadcast to all 200 (fan-out).
//  2. 1,000 agents with one client each, the same calls.
//     For both: updates/s, delivered messages/s, p50/p99 round trip of an
//     update (RPC sent -> reply, which leaves after the commit), lost messages.
//  3. One agent over HTTP whose handler durably increments a counter in its
//     SQLite (synchronous=FULL, group commit): wrk with 8 and 64 connections,
//     requests/s, p50/p99; the counter is checked against wrk's count.
// The clients run on their own thread so the server thread is not shared.
// Usage: bench_serve [--quick] [--http-only] [--sync-normal]
//   --sync-normal: synchronous=NORMAL (WAL; survives a process crash, not a
//   power loss), to separate the gateway's own cost from the fsync's.
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/gateway/gateway.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <vector>

using namespace outpost::core;
using agent::OJson;

namespace {

agent::AgentClass benchClass()
{
    agent::AgentClass c;
    c.className = "Bench";
    c.initialState = OJson::parse(R"({"n":0})");
    c.http["POST incr"] = [](agent::CallContext& call, const std::string&) -> actor::Result<agent::HttpResult> {
        auto storage = call.actor().storage();
        if (!storage)
            return actor::Error{storage.error()};
        auto r = (*storage)->exec("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
                                  "INSERT OR IGNORE INTO counter VALUES (1, 0);"
                                  "UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n");
        if (!r)
            return actor::Error{r.error()};
        return agent::HttpResult{200, "application/json", "{\"n\":" + std::to_string(std::get<std::int64_t>(r->rows.at(0).at(0))) + "}"};
    };
    c.http["GET count"] = [](agent::CallContext& call, const std::string&) -> actor::Result<agent::HttpResult> {
        auto r = (*call.actor().storage())->exec("SELECT n FROM counter WHERE id = 1");
        if (!r || r->rows.empty())
            return agent::HttpResult{200, "application/json", "0"};
        return agent::HttpResult{200, "application/json", std::to_string(std::get<std::int64_t>(r->rows[0][0]))};
    };
    return c;
}

struct WsResult {
    double seconds = 0;
    std::int64_t updates = 0;
    std::int64_t delivered = 0;
    std::int64_t lost = 0;
    std::vector<double> rttMs;
    bool timedOut = false;
};

// Runs on the client thread: `clients` sockets spread over `agents`
// instances, `perClient` sequential RPC setState calls each.
WsResult runWs(quint16 port, int clients, int agents, int perClient)
{
    struct C {
        std::unique_ptr<QWebSocket> ws;
        int greeted = 0;
        int sent = 0;
        int replies = 0;
        std::int64_t broadcasts = 0;
        qint64 sentAtNs = 0;
    };
    WsResult res;
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    std::vector<C> cs(static_cast<std::size_t>(clients));
    int connected = 0;
    int finished = 0;
    std::int64_t delivered = 0;
    auto sendNext = [&](C& c, int i) {
        const std::string id = std::to_string(i) + "-" + std::to_string(c.sent);
        const std::string frame = R"({"args":[{"n":)" + std::to_string(c.sent) + R"(,"from":)" + std::to_string(i) + R"(}],"id":")" + id
                                  + R"(","method":"setState","type":"rpc"})";
        c.sentAtNs = clock.nsecsElapsed();
        ++c.sent;
        c.ws->sendTextMessage(QString::fromStdString(frame));
    };
    auto isDone = [&] {
        if (finished < clients)
            return false;
        // Everyone has all the broadcasts of their instance.
        const std::int64_t perAgentUpdates = std::int64_t(clients / agents) * perClient;
        for (const auto& c : cs)
            if (c.broadcasts < perAgentUpdates)
                return false;
        return true;
    };
    qint64 startNs = 0;
    for (int i = 0; i < clients; ++i) {
        C& c = cs[std::size_t(i)];
        c.ws = std::make_unique<QWebSocket>();
        QObject::connect(c.ws.get(), &QWebSocket::textMessageReceived, &loop, [&, i](const QString& t) {
            C& me = cs[std::size_t(i)];
            ++delivered;
            if (me.greeted < 3) {
                if (++me.greeted == 3 && ++connected == clients) {
                    startNs = clock.nsecsElapsed();
                    delivered = 0;
                    for (int j = 0; j < clients; ++j)
                        sendNext(cs[std::size_t(j)], j);
                }
                return;
            }
            if (t.startsWith(QLatin1String("{\"state\""))) {
                ++me.broadcasts;
            } else if (t.startsWith(QLatin1String("{\"done\""))) {
                res.rttMs.push_back(double(clock.nsecsElapsed() - me.sentAtNs) / 1e6);
                ++me.replies;
                if (me.sent < perClient)
                    sendNext(me, i);
                else
                    ++finished;
            }
            if (isDone())
                loop.quit();
        });
        c.ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/agents/bench/a%2?_pk=%3").arg(port).arg(i % agents).arg(i)));
    }
    QTimer::singleShot(120'000, &loop, [&] {
        res.timedOut = true;
        loop.quit();
    });
    loop.exec();
    res.seconds = double(clock.nsecsElapsed() - startNs) / 1e9;
    res.updates = std::int64_t(res.rttMs.size());
    res.delivered = delivered;
    const std::int64_t perAgentUpdates = std::int64_t(clients / agents) * perClient;
    for (const auto& c : cs)
        res.lost += std::max<std::int64_t>(0, perAgentUpdates - c.broadcasts) + (perClient - c.replies);
    for (auto& c : cs)
        c.ws->abort();
    return res;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

void printWs(const char* title, const WsResult& r)
{
    std::printf("%s\n  %lld updates in %.2f s: %.0f updates/s, %.0f messages delivered/s\n  round trip p50 %.2f ms, p99 %.2f ms; lost %lld%s\n",
                title, (long long)r.updates, r.seconds, double(r.updates) / r.seconds, double(r.delivered) / r.seconds,
                percentile(r.rttMs, 0.50), percentile(r.rttMs, 0.99), (long long)r.lost, r.timedOut ? " (TIMED OUT)" : "");
    std::fflush(stdout);
}

// Waits for `fn` (run on a client thread) with the server's loop running.
template<typename Fn>
auto onClientThread(Fn fn)
{
    decltype(fn()) result{};
    QThread* t = QThread::create([&] { result = fn(); });
    QEventLoop loop;
    QObject::connect(t, &QThread::finished, &loop, &QEventLoop::quit);
    t->start();
    loop.exec();
    t->wait();
    delete t;
    return result;
}

double parseLatencyMs(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("([0-9.]+)(us|ms|s)"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    const double v = m.captured(1).toDouble();
    return m.captured(2) == QLatin1String("us") ? v / 1000.0 : m.captured(2) == QLatin1String("s") ? v * 1000.0 : v;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const bool quick = app.arguments().contains(QStringLiteral("--quick"));
    const bool httpOnly = app.arguments().contains(QStringLiteral("--http-only"));
    const bool syncNormal = app.arguments().contains(QStringLiteral("--sync-normal"));
    // 1,000 clients and their server ends need more than the usual 1,024 files.
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }

    QTemporaryDir dir;
    agent::AgentRegistry registry;
    if (!registry.add(benchClass()))
        return 1;
    actor::RuntimeOptions ro;
    ro.rootDir = dir.path().toStdString();
    ro.storage.synchronousFull = !syncNormal; // FULL: every acknowledged write survives a power loss
    actor::ActorRuntime runtime(ro);
    if (!registry.registerWith(runtime))
        return 1;
    gateway::Gateway server(runtime, registry, [] {
        gateway::GatewayOptions o;
        o.port = 0;
        return o;
    }());
    if (auto st = runtime.start(); !st) {
        std::fprintf(stderr, "runtime: %s\n", st.error().c_str());
        return 1;
    }
    if (auto st = server.listen(); !st) {
        std::fprintf(stderr, "listen: %s\n", st.error().c_str());
        return 1;
    }
    const quint16 port = server.port();
    std::printf("bench_serve: %d shards, synchronous=%s, port %u\n", runtime.shardCount(), syncNormal ? "NORMAL" : "FULL", unsigned(port));

    const int k = quick ? 3 : 10;
    if (!httpOnly) {
    printWs("200 clients on one agent (every update broadcast to all 200):", onClientThread([&] { return runWs(port, 200, 1, k); }));
    printWs("1,000 agents with one client each:", onClientThread([&] { return runWs(port, 1000, 1000, k); }));
    }

    const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
    if (wrk.isEmpty()) {
        std::printf("HTTP counter: skipped, wrk not found (apt-get install wrk)\n");
        return 0;
    }
    QFile lua(dir.filePath(QStringLiteral("post.lua")));
    if (!lua.open(QIODevice::WriteOnly))
        return 1;
    lua.write("wrk.method = \"POST\"\n");
    lua.close();
    const auto counterId = actor::ActorId::fromName("Bench", "counter").value();
    auto counter = [&]() -> long long {
        auto r = runtime.call(counterId, actor::Json{{"op", "http"}, {"method", "GET"}, {"path", "count"}});
        return r ? std::stoll(r->value("body", std::string("0"))) : -1;
    };
    for (int conns : {8, 64}) {
        const long long before = counter();
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        QEventLoop loop;
        QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
        p.start(wrk, {QStringLiteral("-t2"), QStringLiteral("-c%1").arg(conns), QStringLiteral("-d%1s").arg(quick ? 2 : 5),
                      QStringLiteral("--latency"), QStringLiteral("-s"), lua.fileName(),
                      QStringLiteral("http://127.0.0.1:%1/agents/bench/counter/incr").arg(port)});
        loop.exec();
        const QString out = QString::fromUtf8(p.readAll());
        const auto rps = QRegularExpression(QStringLiteral("Requests/sec:\\s+([0-9.]+)")).match(out);
        const auto total = QRegularExpression(QStringLiteral("([0-9]+) requests in")).match(out);
        const auto p50 = QRegularExpression(QStringLiteral("\\n\\s+50%\\s+(\\S+)")).match(out);
        const auto p99 = QRegularExpression(QStringLiteral("\\n\\s+99%\\s+(\\S+)")).match(out);
        const auto errors = QRegularExpression(QStringLiteral("Non-2xx or 3xx responses: ([0-9]+)")).match(out);
        const long long after = counter();
        const long long done = total.hasMatch() ? total.captured(1).toLongLong() : -1;
        std::printf("HTTP counter, %d connections: %.0f requests/s, p50 %.2f ms, p99 %.2f ms; %lld answered, counter +%lld%s%s\n", conns,
                    rps.hasMatch() ? rps.captured(1).toDouble() : 0.0, p50.hasMatch() ? parseLatencyMs(p50.captured(1)) : -1.0,
                    p99.hasMatch() ? parseLatencyMs(p99.captured(1)) : -1.0, done, after - before,
                    (after - before) >= done ? " (none lost)" : " (LOST UPDATES)",
                    errors.hasMatch() ? qPrintable(QStringLiteral(", %1 errors").arg(errors.captured(1))) : "");
        std::fflush(stdout);
        if (!rps.hasMatch())
            std::printf("%s\n", qPrintable(out));
    }
    return 0;
}
