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
//     With --workerd PATH (Cloudflare's runtime, e.g. from `npm install
//     workerd` outside the repository), the same counter as a SQLite-backed
//     Durable Object runs side by side under the same wrk load.
// Usage: bench_serve [--quick] [--http-only] [--sync-normal] [--workerd PATH]
//   --sync-normal: synchronous=NORMAL (WAL; survives a process crash, not a
//   power loss), to separate the gateway's own cost from the fsync's.
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/gateway/gateway.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTcpServer>
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


struct WrkResult {
    double rps = 0;
    double p50Ms = -1, p99Ms = -1, maxMs = -1;
    long long requests = -1;
    long long errors = 0;
    QString raw;
};

// wrk with 2 threads, `conns` connections, POST to `url` for `seconds`.
WrkResult runWrk(const QString& wrk, const QString& lua, const QString& url, int conns, int seconds)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    p.start(wrk, {QStringLiteral("-t2"), QStringLiteral("-c%1").arg(conns), QStringLiteral("-d%1s").arg(seconds),
                  QStringLiteral("--latency"), QStringLiteral("-s"), lua, url});
    loop.exec();
    WrkResult r;
    r.raw = QString::fromUtf8(p.readAll());
    auto grab = [&](const char* pattern) { return QRegularExpression(QString::fromLatin1(pattern)).match(r.raw); };
    if (auto m = grab("Requests/sec:\\s+([0-9.]+)"); m.hasMatch())
        r.rps = m.captured(1).toDouble();
    if (auto m = grab("([0-9]+) requests in"); m.hasMatch())
        r.requests = m.captured(1).toLongLong();
    if (auto m = grab("\\n\\s+50%\\s+(\\S+)"); m.hasMatch())
        r.p50Ms = parseLatencyMs(m.captured(1));
    if (auto m = grab("\\n\\s+99%\\s+(\\S+)"); m.hasMatch())
        r.p99Ms = parseLatencyMs(m.captured(1));
    // "Latency   avg   stdev   max   +/- stdev": the slowest request shows
    // whether any connection waited (was starved) far longer than the rest.
    if (auto m = grab("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)"); m.hasMatch())
        r.maxMs = parseLatencyMs(m.captured(1));
    if (auto m = grab("Non-2xx or 3xx responses: ([0-9]+)"); m.hasMatch())
        r.errors = m.captured(1).toLongLong();
    return r;
}

void printWrk(const char* server, int conns, const WrkResult& r, long long counted)
{
    std::printf("HTTP counter, %-7s %2d connections: %6.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms; %lld answered, "
                "counter +%lld%s%s\n",
                server, conns, r.rps, r.p50Ms, r.p99Ms, r.maxMs, r.requests, counted,
                counted >= r.requests ? " (none lost)" : " (LOST UPDATES)",
                r.errors ? qPrintable(QStringLiteral(", %1 errors").arg(r.errors)) : "");
    if (r.rps <= 0)
        std::printf("%s\n", qPrintable(r.raw));
}

QString optionValue(const QStringList& args, const QString& name)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : QString();
}

// Cloudflare's runtime with the equivalent Durable Object: every request
// increments a counter row in the object's SQLite storage (on disk).
struct Workerd {
    QProcess process;
    quint16 port = 0;
    QString version;

    QString url(const QString& path) const { return QStringLiteral("http://127.0.0.1:%1/%2").arg(port).arg(path); }

    QString start(const QString& binary, const QString& folder)
    {
        QProcess v;
        v.start(binary, {QStringLiteral("--version")});
        if (!v.waitForFinished(10000) || v.exitCode() != 0)
            return QStringLiteral("%1 does not run").arg(binary);
        version = QString::fromUtf8(v.readAllStandardOutput()).trimmed();
        {
            QTcpServer probe; // a free port
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return QStringLiteral("no free port");
            port = probe.serverPort();
        }
        QDir().mkpath(folder + QStringLiteral("/do"));
        QFile worker(folder + QStringLiteral("/worker.js"));
        QFile config(folder + QStringLiteral("/config.capnp"));
        if (!worker.open(QIODevice::WriteOnly) || !config.open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write into %1").arg(folder);
        worker.write(R"js(import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    ctx.storage.sql.exec("INSERT OR IGNORE INTO counter VALUES (1, 0)");
  }
  async fetch(request) {
    if (new URL(request.url).pathname.endsWith("/count"))
      return new Response(String(this.ctx.storage.sql.exec("SELECT n FROM counter WHERE id = 1").one().n));
    const n = this.ctx.storage.sql.exec("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n").one().n;
    return new Response(JSON.stringify({ n }), { headers: { "content-type": "application/json" } });
  }
}
export default {
  fetch(request, env) { return env.COUNTER.get(env.COUNTER.idFromName("counter")).fetch(request); }
};
)js");
        config.write(QStringLiteral(R"capnp(using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "do-disk", disk = (path = "%1/do", writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:%2", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-04-01",
  bindings = [ (name = "COUNTER", durableObjectNamespace = "Counter") ],
  durableObjectNamespaces = [ (className = "Counter", uniqueKey = "outpost-bench-counter", enableSql = true) ],
  durableObjectStorage = (localDisk = "do-disk"),
);
)capnp").arg(folder).arg(port).toUtf8());
        worker.close();
        config.close();
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.setWorkingDirectory(folder);
        process.start(binary, {QStringLiteral("serve"), config.fileName()});
        if (!process.waitForStarted(10000))
            return QStringLiteral("cannot start %1").arg(binary);
        // Ready when the counter answers (bounded: 20 s).
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000) {
            if (count() >= 0)
                return {};
            if (process.state() != QProcess::Running)
                return QStringLiteral("it exited: %1").arg(QString::fromUtf8(process.readAll()).trimmed());
            QThread::msleep(50);
        }
        return QStringLiteral("it did not answer within 20 s");
    }

    // The counter's value, or -1 when workerd does not answer.
    long long count()
    {
        QNetworkAccessManager net;
        QNetworkRequest request(QUrl(url(QStringLiteral("count"))));
        request.setTransferTimeout(5000);
        std::unique_ptr<QNetworkReply> reply(net.get(request));
        QEventLoop loop;
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (reply->error() != QNetworkReply::NoError)
            return -1;
        bool ok = false;
        const long long n = reply->readAll().trimmed().toLongLong(&ok);
        return ok ? n : -1;
    }

    ~Workerd()
    {
        if (process.state() == QProcess::Running) {
            process.terminate();
            if (!process.waitForFinished(5000))
                process.kill();
            process.waitForFinished(2000);
        }
    }
};

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
    auto outpostCount = [&]() -> long long {
        auto r = runtime.call(counterId, actor::Json{{"op", "http"}, {"method", "GET"}, {"path", "count"}});
        return r ? std::stoll(r->value("body", std::string("0"))) : -1;
    };
    const QString outpostUrl = QStringLiteral("http://127.0.0.1:%1/agents/bench/counter/incr").arg(port);

    // workerd, when given: the same counter as a SQLite-backed Durable Object.
    std::unique_ptr<Workerd> workerd;
    if (const QString path = optionValue(app.arguments(), QStringLiteral("--workerd")); !path.isEmpty()) {
        workerd = std::make_unique<Workerd>();
        if (const QString error = workerd->start(path, dir.filePath(QStringLiteral("workerd"))); !error.isEmpty()) {
            std::printf("workerd: not run (%s)\n", qPrintable(error));
            workerd.reset();
        } else {
            std::printf("workerd: %s, port %u (one Durable Object, SQLite storage on disk)\n", qPrintable(workerd->version),
                        unsigned(workerd->port));
        }
    }
    const int seconds = quick ? 2 : 5;
    for (int conns : {8, 64}) {
        const long long before = outpostCount();
        const WrkResult ours = runWrk(wrk, lua.fileName(), outpostUrl, conns, seconds);
        const long long after = outpostCount();
        printWrk("outpost", conns, ours, after - before);
        if (workerd) {
            const long long wBefore = workerd->count();
            const WrkResult theirs = runWrk(wrk, lua.fileName(), workerd->url(QStringLiteral("incr")), conns, seconds);
            const long long wAfter = workerd->count();
            printWrk("workerd", conns, theirs, wAfter - wBefore);
            if (theirs.rps > 0 && theirs.p99Ms > 0)
                std::printf("  outpost / workerd, %d connections: %.1fx requests/s, p99 %.2fx lower\n", conns, ours.rps / theirs.rps,
                            theirs.p99Ms / std::max(ours.p99Ms, 1e-3));
        }
        std::fflush(stdout);
    }
    return 0;
}
