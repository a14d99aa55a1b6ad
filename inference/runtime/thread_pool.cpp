#include "inference/runtime/thread_pool.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sched.h>
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

// Set while a thread runs parts of a job, so a nested call runs inline
// instead of waiting for a pool that is busy with the outer job.
thread_local bool t_insideJob = false;

// About 50-100 us of spinning on current CPUs: long enough to cover the gap
// between two matmuls of one forward pass, short enough not to burn a core
// when the engine goes idle.
constexpr int kSpinIterations = 20000;

// The claim word: generation (32 bits), the job's part count (16) and its
// next unclaimed part (16). The count lives in the same word as the
// generation so that a participant compares a part against its own job's
// count: read from elsewhere, it could be the next job's, already written
// while the claim word still named the finished job, and a stale worker
// then claimed (and ran) a part that job never had.
constexpr std::uint32_t kMaxJobParts = 0xFFFF;
std::uint32_t generationOf(std::uint64_t claim) { return static_cast<std::uint32_t>(claim >> 32); }
std::uint32_t countOf(std::uint64_t claim) { return static_cast<std::uint32_t>(claim >> 16) & 0xFFFF; }
std::uint32_t partOf(std::uint64_t claim) { return static_cast<std::uint32_t>(claim) & 0xFFFF; }
std::uint64_t claimWord(std::uint32_t gen, std::uint32_t count)
{
    return (static_cast<std::uint64_t>(gen) << 32) | (static_cast<std::uint64_t>(count) << 16);
}

std::string firstLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    if (in)
        std::getline(in, line);
    return line;
}

// The smallest CPU quota of this process's cgroup and its ancestors (v2
// cpu.max, or v1 cpu.cfs_quota_us / cpu.cfs_period_us); 0 when none limits.
int cgroupCpuLimit()
{
    int limit = 0;
    auto consider = [&](int cores) {
        if (cores > 0 && (limit == 0 || cores < limit))
            limit = cores;
    };
    std::ifstream self("/proc/self/cgroup");
    std::string line;
    while (std::getline(self, line)) {
        // "0::/path" (v2) or "4:cpu,cpuacct:/path" (v1).
        const auto a = line.find(':');
        const auto b = a == std::string::npos ? std::string::npos : line.find(':', a + 1);
        if (b == std::string::npos)
            continue;
        const std::string controllers = line.substr(a + 1, b - a - 1);
        std::string path = line.substr(b + 1);
        const bool v2 = controllers.empty();
        bool v1cpu = false;
        for (std::size_t start = 0; !v2 && start <= controllers.size();) {
            const auto end = std::min(controllers.find(',', start), controllers.size());
            v1cpu = v1cpu || controllers.compare(start, end - start, "cpu") == 0;
            start = end + 1;
        }
        if (!v2 && !v1cpu)
            continue;
        // The group and each ancestor up to the mount's root (inside a
        // container the path may not exist there: then the root only).
        for (;;) {
            if (v2) {
                consider(cpuQuotaCores(firstLine("/sys/fs/cgroup" + path + "/cpu.max")));
            } else {
                for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"})
                    consider(cpuQuotaCores(firstLine(std::string(mount) + path + "/cpu.cfs_quota_us") + " "
                                           + firstLine(std::string(mount) + path + "/cpu.cfs_period_us")));
            }
            if (path.empty() || path == "/")
                break;
            const auto slash = path.rfind('/');
            path = slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
        }
    }
    return limit;
}

} // namespace

int cpuQuotaCores(std::string_view text)
{
    const auto space = text.find(' ');
    if (space == std::string_view::npos)
        return 0;
    auto number = [](std::string_view digits, long long& out) {
        out = 0;
        if (digits.empty() || digits.size() > 15)
            return false;
        for (const char c : digits) {
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
        }
        return true;
    };
    long long quota = 0, period = 0;
    if (!number(text.substr(0, space), quota) || !number(text.substr(space + 1), period) || quota <= 0 || period <= 0)
        return 0;
    return static_cast<int>(std::min<long long>((quota + period - 1) / period, 1 << 20));
}

int physicalCores()
{
    // The affinity mask, in a set as large as the kernel's CPU numbers need
    // (EINVAL: too small, try twice the size).
    std::vector<int> allowed;
    for (int cpus = 1024; cpus <= (1 << 20) && allowed.empty(); cpus *= 2) {
        cpu_set_t* set = CPU_ALLOC(cpus);
        if (!set)
            break;
        const std::size_t setBytes = CPU_ALLOC_SIZE(cpus);
        const int rc = sched_getaffinity(0, setBytes, set);
        if (rc == 0)
            for (int cpu = 0; cpu < cpus; ++cpu)
                if (CPU_ISSET_S(cpu, setBytes, set))
                    allowed.push_back(cpu);
        CPU_FREE(set);
        if (rc != 0 && errno != EINVAL)
            break;
    }
    int cores = 0;
    std::set<std::string> siblings;
    for (const int cpu : allowed) {
        const std::string list = firstLine("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/thread_siblings_list");
        if (list.empty()) {
            siblings.clear();
            break;
        }
        siblings.insert(list);
    }
    if (!siblings.empty()) {
        cores = static_cast<int>(siblings.size());
    } else if (!allowed.empty()) {
        cores = static_cast<int>(allowed.size());
    } else {
        const unsigned hw = std::thread::hardware_concurrency();
        cores = hw == 0 ? 1 : static_cast<int>(hw);
    }
    if (const int quota = cgroupCpuLimit(); quota > 0)
        cores = std::min(cores, quota);
    return std::max(cores, 1);
}

ThreadPool::ThreadPool(int threads)
{
    m_threads = threads > 0 ? threads : physicalCores();
    m_workers.reserve(static_cast<std::size_t>(m_threads - 1));
    for (int i = 1; i < m_threads; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool()
{
    m_stop.store(true);
    // A new generation with no parts wakes every worker, which then sees m_stop.
    {
        std::lock_guard lock(m_runMutex);
        m_claim.store(claimWord(generationOf(m_claim.load()) + 1, 0));
    }
    wakeSleepers();
    for (auto& worker : m_workers)
        worker.join();
}

void ThreadPool::wakeSleepers()
{
    if (m_sleepers.load() == 0)
        return;
    { std::lock_guard lock(m_sleepMutex); }
    m_wake.notify_all();
}

void ThreadPool::drain(std::uint32_t gen)
{
    std::uint64_t claim = m_claim.load(std::memory_order_acquire);
    for (;;) {
        if (generationOf(claim) != gen || partOf(claim) >= countOf(claim))
            return;
        if (!m_claim.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel, std::memory_order_acquire))
            continue;
        // The claim succeeded under `gen` for a part that job has, and the
        // job cannot finish before this part does, so m_call, m_ctx, m_base
        // and m_total are still this job's.
        m_call(m_ctx, m_base + static_cast<int>(partOf(claim)), m_total);
        m_finished.fetch_add(1, std::memory_order_acq_rel);
        claim = m_claim.load(std::memory_order_acquire);
    }
}

void ThreadPool::runErased(int parts, void* ctx, Trampoline call)
{
    if (m_workers.empty() || t_insideJob || parts == 1) {
        for (int i = 0; i < parts; ++i)
            call(ctx, i, parts);
        return;
    }
    std::lock_guard lock(m_runMutex);
    m_ctx = ctx;
    m_call = call;
    m_total = parts;
    // More parts than a claim word counts run as several jobs in turn.
    for (int base = 0; base < parts; base += static_cast<int>(kMaxJobParts)) {
        const auto count = static_cast<std::uint32_t>(std::min<int>(parts - base, static_cast<int>(kMaxJobParts)));
        m_base = base;
        m_finished.store(0, std::memory_order_relaxed);
        const std::uint32_t gen = generationOf(m_claim.load()) + 1;
        // Sequentially consistent store: publishes the job, and orders
        // against the sleeper count read in wakeSleepers() (see workerLoop).
        m_claim.store(claimWord(gen, count));
        wakeSleepers();

        t_insideJob = true;
        drain(gen);
        t_insideJob = false;

        int spins = 0;
        while (m_finished.load(std::memory_order_acquire) != static_cast<int>(count)) {
            if (++spins < kSpinIterations)
                OUTPOST_CPU_RELAX();
            else
                std::this_thread::yield();
        }
    }
}

void ThreadPool::workerLoop()
{
    t_insideJob = true;
    // Generation 0 is the pool's state at construction; reading the counter
    // here instead could miss a job (or the stop) posted before this thread
    // got to run.
    std::uint32_t seen = 0;
    for (;;) {
        std::uint32_t now = generationOf(m_claim.load(std::memory_order_acquire));
        for (int spins = 0; now == seen && spins < kSpinIterations; ++spins) {
            OUTPOST_CPU_RELAX();
            now = generationOf(m_claim.load(std::memory_order_acquire));
        }
        if (now == seen) {
            // No lost wake-up: we count ourselves as a sleeper before reading
            // the generation again, and runErased() publishes the job before
            // reading the sleeper count (both sequentially consistent), so
            // either we see the new job here or it sees us and notifies under
            // the mutex.
            std::unique_lock lock(m_sleepMutex);
            m_sleepers.fetch_add(1);
            m_wake.wait(lock, [&] { return generationOf(m_claim.load()) != seen; });
            m_sleepers.fetch_sub(1);
            now = generationOf(m_claim.load());
        }
        seen = now;
        if (m_stop.load())
            return;
        drain(now);
    }
}

} // namespace outpost::inference::runtime
