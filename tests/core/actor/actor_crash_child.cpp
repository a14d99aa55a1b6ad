// Crash-safety helper: increments counter actors as fast as it can and
// prints "ack <actor> <value>" for every increment whose reply came back
// (the output gate promises it is durable). The test kills it with SIGKILL.
#include "test_actors.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>

using namespace outpost::test;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: actor_crash_child <root>\n");
        return 2;
    }
    RuntimeOptions options;
    options.rootDir = argv[1];
    options.shards = 2;
    options.cpuBudgetMs = 0;
    ActorRuntime runtime(options);
    (void)runtime.registerClass("Counter", [] { return std::make_unique<CounterActor>(); });
    if (auto st = runtime.start(); !st) {
        std::fprintf(stderr, "%s\n", st.error().c_str());
        return 1;
    }
    std::vector<ActorId> ids;
    for (int i = 0; i < 3; ++i)
        ids.push_back(*ActorId::fromName("Counter", std::string("c").append(std::to_string(i))));
    std::mutex mutex;
    std::condition_variable cv;
    int inFlight = 0;
    std::fprintf(stdout, "ready\n");
    std::fflush(stdout);
    for (std::uint64_t i = 0;; ++i) {
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return inFlight < 24; });
            ++inFlight;
        }
        const int which = int(i % ids.size());
        auto st = runtime.post(ids[size_t(which)], Json{{"op", "inc"}}, [&, which](Result<Json> r) {
            std::lock_guard lock(mutex);
            if (r.ok()) {
                std::fprintf(stdout, "ack c%d %lld\n", which, static_cast<long long>(r->get<std::int64_t>()));
                std::fflush(stdout);
            } else {
                std::fprintf(stderr, "error %s\n", r.error().c_str());
            }
            --inFlight;
            cv.notify_one();
        });
        if (!st)
            return 1;
    }
}
