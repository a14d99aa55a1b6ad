#pragma once
// A fixed pool of worker threads for data-parallel loops (matmul rows,
// attention heads). The calling thread always takes part, so a pool of N
// threads starts N-1 workers and never oversubscribes the cores it was sized
// for. Workers spin briefly after each job (the next job of a forward pass
// usually follows within microseconds) and then sleep on a condition
// variable, so an idle engine costs no CPU. (std::atomic::wait is avoided:
// libstdc++ 12 can lose its wake-ups.)
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace outpost::inference::runtime {

// Physical cores of this machine (SMT siblings counted once); at least 1.
// Falls back to std::thread::hardware_concurrency() when the topology cannot
// be read.
int physicalCores();

class ThreadPool {
public:
    // threads <= 0 picks physicalCores(). The pool holds threads-1 workers.
    explicit ThreadPool(int threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Number of threads that run a job, the caller included.
    int size() const { return m_threads; }

    // Runs fn(threadIndex, threadCount) once on every thread of the pool
    // (index 0 is the caller) and returns when all have finished. Calls from
    // several threads at once are serialised; calling run() from inside a job
    // runs the nested job on the calling thread alone (no deadlock).
    template<typename F>
    void run(F&& fn)
    {
        using Fn = std::remove_reference_t<F>;
        runErased(&fn, [](void* ctx, int index, int count) { (*static_cast<Fn*>(ctx))(index, count); });
    }

    // Splits [0, n) into contiguous ranges of at least `grain` items, one or
    // more per thread, and calls fn(begin, end) for each. Ranges are handed
    // out statically (thread t gets the t-th slice), so the split, and hence
    // every floating-point result, depends only on n, grain and size().
    template<typename F>
    void parallelFor(std::size_t n, std::size_t grain, F&& fn)
    {
        if (n == 0)
            return;
        if (grain == 0)
            grain = 1;
        const std::size_t maxParts = (n + grain - 1) / grain;
        const std::size_t parts = maxParts < static_cast<std::size_t>(m_threads) ? maxParts : static_cast<std::size_t>(m_threads);
        if (parts <= 1) {
            fn(std::size_t{0}, n);
            return;
        }
        run([&](int index, int) {
            const auto t = static_cast<std::size_t>(index);
            if (t >= parts)
                return;
            // Balanced split: the first n % parts ranges get one extra item.
            const std::size_t base = n / parts, extra = n % parts;
            const std::size_t begin = t * base + (t < extra ? t : extra);
            const std::size_t end = begin + base + (t < extra ? 1 : 0);
            if (begin < end)
                fn(begin, end);
        });
    }

private:
    using Trampoline = void (*)(void*, int, int);
    void runErased(void* ctx, Trampoline call);
    void workerLoop(int index);
    void wakeSleepers();

    int m_threads = 1;
    std::vector<std::thread> m_workers;
    std::mutex m_runMutex;                 // one job at a time
    std::atomic<std::uint32_t> m_generation{0}; // bumped to start a job
    std::atomic<int> m_pending{0};         // workers still running the current job
    std::atomic<bool> m_stop{false};
    std::mutex m_sleepMutex;               // guards sleeping, with m_wake
    std::condition_variable m_wake;
    std::atomic<int> m_sleepers{0};        // workers blocked (or about to block) on m_wake
    void* m_ctx = nullptr;                 // written before m_generation is bumped
    Trampoline m_call = nullptr;
};

} // namespace outpost::inference::runtime
