// Actor runtime figures: events/s with a no-op handler (one actor; 10k
// actors over all shards), durable single-row commits/s per shard with the
// output gate on (pipelined, and one event per commit), wake-from-
// hibernation latency p50/p99, and memory per hibernated actor.
//
//   bench_actors [work-folder]    (default: a folder under the current one;
//                                  use a real disk, not tmpfs, for fsync figures)
#include "core/actor/test_actors.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <semaphore>
#include <thread>

using namespace outpost::core;
using namespace outpost::core::actor;
using namespace outpost::test;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

long rssKiB()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Posts `total` messages round-robin over `ids` with at most `window` in
// flight; returns events per second (first post to last reply).
double pump(ActorRuntime& rt, const std::vector<ActorId>& ids, int total, const Json& message)
{
    std::counting_semaphore<1 << 20> window(8192);
    std::atomic<int> done{0};
    std::atomic<int> errors{0};
    const auto t0 = Clock::now();
    for (int i = 0; i < total; ++i) {
        window.acquire();
        auto st = rt.post(ids[size_t(i) % ids.size()], message, [&](Result<Json> r) {
            if (!r.ok())
                ++errors;
            done.fetch_add(1, std::memory_order_release);
            window.release();
        });
        if (!st) {
            std::fprintf(stderr, "post failed: %s\n", st.error().c_str());
            return 0;
        }
    }
    while (done.load(std::memory_order_acquire) < total)
        std::this_thread::yield();
    const auto t1 = Clock::now();
    if (errors)
        std::fprintf(stderr, "%d events failed\n", errors.load());
    return total / seconds(t0, t1);
}

class RowActor : public Actor {
public:
    Status onLoad(ActorContext& ctx) override
    {
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        auto c = (*s)->exec("CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, v INTEGER)");
        return c ? Status() : Status(Error{c.error()});
    }
    Result<Json> onMessage(ActorContext& ctx, const Json&) override
    {
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        auto c = (*s)->exec("INSERT INTO rows(v) VALUES(?)", ++m_n);
        if (!c)
            return Error{c.error()};
        return Json(m_n);
    }

private:
    std::int64_t m_n = 0;
};

std::vector<ActorId> onePerShard(ActorRuntime& rt, const char* cls)
{
    std::vector<ActorId> ids(size_t(rt.shardCount()));
    std::vector<bool> have(ids.size(), false);
    for (int i = 0; std::count(have.begin(), have.end(), true) < int(ids.size()); ++i) {
        auto id = *ActorId::fromName(cls, std::string("a").append(std::to_string(i)));
        const int s = rt.shardOf(id);
        if (!have[size_t(s)]) {
            have[size_t(s)] = true;
            ids[size_t(s)] = id;
        }
    }
    return ids;
}

} // namespace

int main(int argc, char** argv)
{
    const std::filesystem::path work = argc > 1 ? std::filesystem::path(argv[1])
                                                : std::filesystem::current_path() / (std::string("bench_actors_").append(std::to_string(getpid())));
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    const int shards = int(std::max(1u, std::thread::hardware_concurrency()));
    std::printf("bench_actors: %d shards (one per core), work folder %s\n", shards, work.string().c_str());

    {
        RuntimeOptions o;
        o.shards = shards;
        ActorRuntime rt(o);
        (void)rt.registerClass("Noop", [] { return std::make_unique<NoopActor>(); });
        (void)rt.start();
        std::vector<ActorId> one{*ActorId::fromName("Noop", "one")};
        pump(rt, one, 20000, Json(nullptr)); // warm-up
        const double single = pump(rt, one, 400000, Json(nullptr));
        std::vector<ActorId> many;
        for (int i = 0; i < 10000; ++i)
            many.push_back(*ActorId::fromName("Noop", std::string("n").append(std::to_string(i))));
        pump(rt, many, 10000, Json(nullptr)); // load them all
        const double spread = pump(rt, many, 400000, Json(nullptr));
        std::printf("in-memory no-op events/s: one actor %.0f; 10k actors over %d shards %.0f (warm-hit rate %.4f)\n",
                    single, shards, spread, rt.stats().warmHitRate());
    }

    {
        RuntimeOptions o;
        o.shards = shards;
        o.rootDir = (work / "durable").string();
        o.hibernateAfterMs = 0;
        ActorRuntime rt(o);
        (void)rt.registerClass("Rows", [] { return std::make_unique<RowActor>(); });
        (void)rt.start();
        auto ids = onePerShard(rt, "Rows");
        pump(rt, ids, 2000, Json(nullptr));
        const auto c0 = rt.stats().commits;
        const int n = 200000;
        const double rate = pump(rt, ids, n, Json(nullptr));
        const auto commits = rt.stats().commits - c0;
        std::printf("durable single-row events/s (synchronous=FULL, output gate on, pipelined): %.0f per shard, %.0f total; "
                    "%.1f events per fsync'd commit\n",
                    rate / shards, rate, double(n) / double(std::max<std::uint64_t>(1, commits)));
        // One event per commit: each caller waits for its reply before the next.
        const auto t0 = Clock::now();
        const int serial = 300;
        for (int i = 0; i < serial; ++i)
            (void)rt.call(ids[0], Json(nullptr));
        const double perCommit = serial / seconds(t0, Clock::now());
        std::printf("durable commits/s with one event per commit (call() in a loop, one actor): %.0f\n", perCommit);
    }

    {
        auto clock = std::make_shared<alarms::ManualClock>();
        RuntimeOptions o;
        o.shards = shards;
        o.rootDir = (work / "hibernate").string();
        o.hibernateAfterMs = 1000;
        o.clock = clock;
        ActorRuntime rt(o);
        (void)rt.registerClass("Counter", [] { return std::make_unique<CounterActor>(); });
        (void)rt.start();
        const int n = 3000;
        std::vector<ActorId> ids;
        for (int i = 0; i < n; ++i)
            ids.push_back(*ActorId::fromName("Counter", std::string("h").append(std::to_string(i))));
        malloc_trim(0);
        const long rssBefore = rssKiB();
        pump(rt, ids, n, Json{{"op", "inc"}});
        malloc_trim(0);
        const long rssLoaded = rssKiB();
        clock->advance(2000);
        const auto h0 = Clock::now();
        while (rt.stats().loadedActors > 0)
            std::this_thread::yield();
        const double evictS = seconds(h0, Clock::now());
        while (rt.stats().closingDatabases > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::printf("hibernating %d actors: evicted in %.3f s, databases closed (checkpointed) in %.3f s\n", n, evictS,
                    seconds(h0, Clock::now()));
        malloc_trim(0);
        const long rssHibernated = rssKiB();
        std::vector<double> latencies;
        latencies.reserve(size_t(n));
        for (const auto& id : ids) {
            const auto t0 = Clock::now();
            auto r = rt.call(id, Json{{"op", "get"}});
            latencies.push_back(seconds(t0, Clock::now()) * 1e3);
            if (!r.ok() || r->get<int>() != 1)
                std::fprintf(stderr, "wake lost state: %s\n", r.ok() ? r->dump().c_str() : r.error().c_str());
        }
        std::vector<double> warm;
        for (int i = 0; i < 1000; ++i) {
            const auto t0 = Clock::now();
            (void)rt.call(ids[size_t(i)], Json{{"op", "get"}});
            warm.push_back(seconds(t0, Clock::now()) * 1e3);
        }
        auto pct = [](std::vector<double> v, double p) {
            std::sort(v.begin(), v.end());
            return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
        };
        std::printf("wake from hibernation (open database + onLoad + one read), %d actors: p50 %.3f ms, p99 %.3f ms "
                    "(warm call: p50 %.3f ms, p99 %.3f ms)\n",
                    n, pct(latencies, 0.5), pct(latencies, 0.99), pct(warm, 0.5), pct(warm, 0.99));
        std::printf("memory: %.1f KiB per loaded actor with an open database, %.2f KiB per hibernated actor "
                    "(RSS %ld -> %ld -> %ld KiB for %d actors)\n",
                    double(rssLoaded - rssBefore) / n, double(std::max(0L, rssHibernated - rssBefore)) / n, rssBefore,
                    rssLoaded, rssHibernated, n);
        rt.stop();
    }
    std::filesystem::remove_all(work);
    return 0;
}
