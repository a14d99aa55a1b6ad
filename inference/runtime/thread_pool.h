#pragma once
// A fixed pool of worker threads for data-parallel loops (matmul rows,
// attention heads). The calling thread always takes part, so a pool of N
// threads starts N-1 workers and never oversubscribes the cores it was sized
// for.
//
// Work is cut into a fixed list of parts that every participant claims one
// at a time from a shared counter. So a thread that is descheduled (a busy
// machine) delays nothing: the others, the caller included, take its parts.
// The cut depends only on the item count, the grain and size(), never on
// timing, so floating-point results are the same run after run.
//
// Workers spin briefly after each job (the next job of a forward pass
// usually follows within microseconds) and then sleep on a condition
// variable, so an idle engine costs no CPU. (std::atomic::wait is avoided:
// libstdc++ 12 can lose its wake-ups.)
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace outpost::inference::runtime {

// Physical cores this process may run on (SMT siblings counted once): the
// cores of the CPUs in its affinity mask (taskset, a container's cpuset),
// at most the CPUs its cgroup's CPU quota pays for (docker --cpus); at
// least 1. Falls back to std::thread::hardware_concurrency() when the
// topology cannot be read.
int physicalCores();

// The CPUs a cgroup CPU quota pays for, rounded up: `quota` and `period` as
// cgroup v2's cpu.max writes them ("150000 100000" -> 2), or v1's
// cfs_quota_us and cfs_period_us joined by a space. 0 when there is no
// limit ("max ...", a negative quota) or the text is not a quota.
int cpuQuotaCores(std::string_view quotaAndPeriod);

class ThreadPool {
public:
    // threads <= 0 picks physicalCores(). The pool holds threads-1 workers.
    explicit ThreadPool(int threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Number of threads that run a job, the caller included.
    int size() const { return m_threads; }

    // Calls fn(part, parts) once for every part in [0, parts) and returns
    // when all have finished; parts run on whichever pool thread claims them
    // (possibly all on the caller). Calls from several threads at once are
    // serialised; a call from inside a job runs all its parts on the calling
    // thread (no deadlock).
    template<typename F>
    void runParts(int parts, F&& fn)
    {
        if (parts <= 0)
            return;
        using Fn = std::remove_reference_t<F>;
        runErased(parts, &fn, [](void* ctx, int part, int count) { (*static_cast<Fn*>(ctx))(part, count); });
    }

    // Splits [0, n) into contiguous ranges of at least `grain` items (at most
    // a few per thread, for balance) and calls fn(begin, end) for each. Runs
    // inline when there is only one range.
    template<typename F>
    void parallelFor(std::size_t n, std::size_t grain, F&& fn)
    {
        if (n == 0)
            return;
        if (grain == 0)
            grain = 1;
        const std::size_t maxParts = (n + grain - 1) / grain;
        const std::size_t cap = static_cast<std::size_t>(m_threads) * kPartsPerThread;
        const std::size_t parts = m_threads == 1 ? 1 : (maxParts < cap ? maxParts : cap);
        if (parts <= 1) {
            fn(std::size_t{0}, n);
            return;
        }
        runParts(static_cast<int>(parts), [&](int part, int) {
            const auto t = static_cast<std::size_t>(part);
            // Balanced split: the first n % parts ranges get one extra item.
            const std::size_t base = n / parts, extra = n % parts;
            const std::size_t begin = t * base + (t < extra ? t : extra);
            const std::size_t end = begin + base + (t < extra ? 1 : 0);
            if (begin < end)
                fn(begin, end);
        });
    }

    // Parts per thread in parallelFor: more balance against uneven progress
    // (preemption, SMT siblings) for a little more claiming overhead.
    static constexpr std::size_t kPartsPerThread = 4;

private:
    using Trampoline = void (*)(void*, int, int);
    void runErased(int parts, void* ctx, Trampoline call);
    void workerLoop();
    void wakeSleepers();
    // Claims and runs parts of the job of generation `gen` until none is left.
    void drain(std::uint32_t gen);

    int m_threads = 1;
    std::vector<std::thread> m_workers;
    std::mutex m_runMutex;                 // one job at a time

    // The job. m_claim packs (generation << 32 | part count << 16 | next
    // part); a participant claims a part by compare-exchange against that
    // word, so a late worker still holding an old generation can never
    // claim a part of a newer job, nor one past its own job's count. m_ctx,
    // m_call, m_base (the first part of this job, when runParts needs more
    // jobs than one) and m_total are written before the store that starts a
    // job and are stable until every part has finished.
    std::atomic<std::uint64_t> m_claim{0};
    std::atomic<int> m_finished{0};
    std::atomic<bool> m_stop{false};
    void* m_ctx = nullptr;
    Trampoline m_call = nullptr;
    int m_base = 0;
    int m_total = 0;

    std::mutex m_sleepMutex;               // guards sleeping, with m_wake
    std::condition_variable m_wake;
    std::atomic<int> m_sleepers{0};        // workers blocked (or about to block) on m_wake
};

} // namespace outpost::inference::runtime
