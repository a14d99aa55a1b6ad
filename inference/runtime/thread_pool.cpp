#include "inference/runtime/thread_pool.h"

#include <fstream>
#include <set>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OUTPOST_CPU_RELAX() _mm_pause()
#else
#define OUTPOST_CPU_RELAX() std::this_thread::yield()
#endif

namespace outpost::inference::runtime {

namespace {

// Set on pool threads while they run a job, so a nested run() does not wait
// for workers that are busy running the outer job.
thread_local bool t_insideJob = false;

// About 50-100 us of spinning on current CPUs: long enough to cover the gap
// between two matmuls of one forward pass, short enough not to burn a core
// when the engine goes idle.
constexpr int kSpinIterations = 20000;

} // namespace

int physicalCores()
{
    std::set<std::string> cores;
    for (unsigned cpu = 0; cpu < 4096; ++cpu) {
        std::ifstream in("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/thread_siblings_list");
        if (!in)
            break;
        std::string siblings;
        std::getline(in, siblings);
        cores.insert(siblings);
    }
    if (!cores.empty())
        return static_cast<int>(cores.size());
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

ThreadPool::ThreadPool(int threads)
{
    m_threads = threads > 0 ? threads : physicalCores();
    m_workers.reserve(static_cast<std::size_t>(m_threads - 1));
    for (int i = 1; i < m_threads; ++i)
        m_workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool()
{
    m_stop.store(true);
    m_generation.fetch_add(1);
    wakeSleepers();
    for (auto& worker : m_workers)
        worker.join();
}

void ThreadPool::runErased(void* ctx, Trampoline call)
{
    if (m_workers.empty() || t_insideJob) {
        call(ctx, 0, 1);
        return;
    }
    std::lock_guard lock(m_runMutex);
    m_ctx = ctx;
    m_call = call;
    m_pending.store(static_cast<int>(m_workers.size()), std::memory_order_relaxed);
    // The bump publishes m_ctx/m_call/m_pending (sequentially consistent, see
    // workerLoop for why that matters to sleeping workers).
    m_generation.fetch_add(1);
    wakeSleepers();

    t_insideJob = true;
    call(ctx, 0, m_threads);
    t_insideJob = false;

    int spins = 0;
    while (m_pending.load(std::memory_order_acquire) != 0) {
        if (++spins < kSpinIterations)
            OUTPOST_CPU_RELAX();
        else
            std::this_thread::yield();
    }
}

void ThreadPool::wakeSleepers()
{
    if (m_sleepers.load() == 0)
        return;
    { std::lock_guard lock(m_sleepMutex); }
    m_wake.notify_all();
}

void ThreadPool::workerLoop(int index)
{
    // Generation 0 is the pool's state at construction; reading the counter
    // here instead would miss a job (or the stop) posted before this thread
    // got to run.
    std::uint32_t seen = 0;
    t_insideJob = true;
    for (;;) {
        std::uint32_t now = m_generation.load(std::memory_order_acquire);
        for (int spins = 0; now == seen && spins < kSpinIterations; ++spins) {
            OUTPOST_CPU_RELAX();
            now = m_generation.load(std::memory_order_acquire);
        }
        if (now == seen) {
            // No lost wake-up: we count ourselves as a sleeper before reading
            // the generation again, and runErased() bumps the generation before
            // reading the sleeper count (both sequentially consistent), so
            // either we see the new job here or it sees us and notifies under
            // the mutex.
            std::unique_lock lock(m_sleepMutex);
            m_sleepers.fetch_add(1);
            m_wake.wait(lock, [&] { return m_generation.load() != seen; });
            m_sleepers.fetch_sub(1);
            now = m_generation.load();
        }
        seen = now;
        if (m_stop.load(std::memory_order_acquire))
            return;
        m_call(m_ctx, index, m_threads);
        m_pending.fetch_sub(1, std::memory_order_acq_rel);
    }
}

} // namespace outpost::inference::runtime
