// Vector memory figures: Outpost's index beside raw hnswlib (same M,
// efConstruction, ef, threads and distance kernels), recall@10 against an
// exact scan, and filtered queries across selectivities.
//
//   bench_memory [--n 100000] [--dim 384] [--queries 1000] [--m 16] [--efc 200] [--ef 64]
//                [--reuse DIR]   keep the Outpost index in DIR (reopened when there),
//                                and skip raw hnswlib: for tuning the filtered path
#include "core/memory/distance.h"
#include "core/memory/vector_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <time.h>
#include <unistd.h>

using namespace outpost::core::memory;
namespace fs = std::filesystem;

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// This thread's CPU time: on a shared machine the wall clock also counts the
// time other processes held the core, so query rates are given both ways.
double cpuNow()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// hnswlib with Outpost's run-time kernels, so the comparison isolates the
// index's own overhead.
class KernelSpace : public hnswlib::SpaceInterface<float> {
public:
    explicit KernelSpace(std::size_t dim) : m_dim(dim) {}
    size_t get_data_size() override { return m_dim * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return distanceKernels().ip; }
    void* get_dist_func_param() override { return &m_dim; }

private:
    std::size_t m_dim;
};

template<typename F>
void parallelFor(std::size_t n, unsigned threads, F&& f)
{
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;)
            f(i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
}

std::vector<std::size_t> exactTopK(const std::vector<float>& data, std::size_t dim, const float* q, std::size_t k,
                                   const std::vector<int>* bucket = nullptr, int keep = 0)
{
    std::vector<std::pair<float, std::size_t>> heap;
    const std::size_t n = data.size() / dim;
    for (std::size_t i = 0; i < n; ++i) {
        if (bucket && (*bucket)[i] >= keep)
            continue;
        const float d = distanceKernels().ip(q, data.data() + i * dim, &dim);
        if (heap.size() < k) {
            heap.emplace_back(d, i);
            std::push_heap(heap.begin(), heap.end());
        } else if (d < heap.front().first) {
            std::pop_heap(heap.begin(), heap.end());
            heap.back() = {d, i};
            std::push_heap(heap.begin(), heap.end());
        }
    }
    std::vector<std::size_t> out;
    for (auto& [d, i] : heap)
        out.push_back(i);
    return out;
}

template<typename Ids>
double recall(const Ids& got, const std::vector<std::size_t>& truth)
{
    if (truth.empty())
        return 1.0;
    std::set<std::size_t> want(truth.begin(), truth.end());
    std::size_t hit = 0;
    for (auto i : got)
        hit += want.count(i);
    return double(hit) / double(truth.size());
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t n = 100000, dim = 384, nq = 1000, M = 16, efc = 200, ef = 64;
    std::string reuse;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--reuse")
            reuse = argv[i + 1];
        const std::size_t v = std::strtoull(argv[i + 1], nullptr, 10);
        if (a == "--n") n = v;
        else if (a == "--dim") dim = v;
        else if (a == "--queries") nq = v;
        else if (a == "--m") M = v;
        else if (a == "--efc") efc = v;
        else if (a == "--ef") ef = v;
    }
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::printf("bench_memory: n=%zu dim=%zu queries=%zu M=%zu efConstruction=%zu ef=%zu threads=%u kernels=%s\n", n, dim,
                nq, M, efc, ef, threads, distanceKernels().variant.c_str());

    // Clustered data (100 Gaussian blobs), normalised as cosine stores it.
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0, 1);
    const std::size_t clusters = 100;
    std::vector<float> centers(clusters * dim);
    for (auto& x : centers)
        x = normal(rng);
    auto sample = [&](float* out) {
        const std::size_t c = rng() % clusters;
        double norm = 0;
        for (std::size_t d = 0; d < dim; ++d) {
            out[d] = centers[c * dim + d] + 0.5f * normal(rng);
            norm += double(out[d]) * out[d];
        }
        for (std::size_t d = 0; d < dim; ++d)
            out[d] = float(out[d] / std::sqrt(norm));
    };
    std::vector<float> data(n * dim), queries(nq * dim);
    for (std::size_t i = 0; i < n; ++i)
        sample(data.data() + i * dim);
    for (std::size_t i = 0; i < nq; ++i)
        sample(queries.data() + i * dim);
    std::vector<int> bucket(n);
    for (std::size_t i = 0; i < n; ++i)
        bucket[i] = int(rng() % 1000);

    double t0 = now();
    std::vector<std::vector<std::size_t>> truth(nq);
    parallelFor(nq, threads, [&](std::size_t q) { truth[q] = exactTopK(data, dim, queries.data() + q * dim, 10); });
    std::printf("exact search (ground truth): %.1f queries/s on %u threads\n", double(nq) / (now() - t0), threads);

    // ---- raw hnswlib --------------------------------------------------------
    KernelSpace space(dim);
    const bool withRaw = reuse.empty();
    hnswlib::HierarchicalNSW<float> raw(&space, withRaw ? n : 1, M, efc, 100);
    t0 = now();
    if (withRaw)
        parallelFor(n, threads, [&](std::size_t i) { raw.addPoint(data.data() + i * dim, i); });
    const double rawBuild = now() - t0;
    raw.setEf(ef);
    double rawCpuQps = 0;
    auto rawQueries = [&](double& qps) {
        double r = 0;
        const double start = now(), cpuStart = cpuNow();
        for (std::size_t q = 0; q < nq; ++q) {
            auto top = raw.searchKnn(queries.data() + q * dim, 10);
            std::vector<std::size_t> got;
            while (!top.empty()) {
                got.push_back(top.top().second);
                top.pop();
            }
            r += recall(got, truth[q]);
        }
        qps = double(nq) / (now() - start);
        rawCpuQps = double(nq) / (cpuNow() - cpuStart);
        return r / double(nq);
    };
    double rawQps = 0, rawRecall = 0;
    hnswlib::InnerProductSpace ownSpace(dim);
    if (withRaw) {
        rawRecall = rawQueries(rawQps);
        rawRecall = rawQueries(rawQps);   // second pass: warm caches, as for Outpost below
        std::printf("raw hnswlib (Outpost kernels): build %.1f s (%.0f inserts/s), %.0f queries/s (%.0f per CPU-second), "
                    "recall@10 %.4f\n",
                    rawBuild, double(n) / rawBuild, rawQps, rawCpuQps, rawRecall);
        raw.fstdistfunc_ = ownSpace.get_dist_func();   // same graph, hnswlib's compile-time kernels
        double ownQps = 0;
        const double ownRecall = rawQueries(ownQps);
        std::printf("raw hnswlib (its own kernels, built for the baseline): %.0f queries/s (%.0f per CPU-second), "
                    "recall@10 %.4f\n",
                    ownQps, rawCpuQps, ownRecall);
    }

    // ---- Outpost --------------------------------------------------------------
    const fs::path dir = withRaw ? fs::temp_directory_path() / ("outpost-bench-memory-" + std::to_string(::getpid()))
                                 : fs::path(reuse);
    if (withRaw)
        fs::remove_all(dir);
    IndexConfig config;
    config.dimension = int(dim);
    config.metric = Metric::Cosine;
    config.graph.M = M;
    config.graph.efConstruction = efc;
    config.efSearch = ef;
    OpenOptions options;
    options.insertThreads = threads;
    const bool reopen = !withRaw && fs::exists(dir / "index.sqlite");
    auto created = reopen ? VectorIndex::open(dir.string(), options) : VectorIndex::create(dir.string(), config, options);
    if (!created) {
        std::fprintf(stderr, "%s\n", created.error().c_str());
        return 1;
    }
    auto index = std::move(created.value());
    t0 = now();
    const std::size_t batch = 10000;
    for (std::size_t from = 0; from < (reopen ? 0 : n); from += batch) {
        std::vector<VectorRecord> records;
        for (std::size_t i = from; i < std::min(n, from + batch); ++i) {
            VectorRecord r;
            r.id = std::to_string(i);
            r.values.assign(data.begin() + std::ptrdiff_t(i * dim), data.begin() + std::ptrdiff_t((i + 1) * dim));
            r.metadata = Json{{"bucket", bucket[i]}};
            records.push_back(std::move(r));
        }
        if (auto st = index->upsert(records); !st) {
            std::fprintf(stderr, "%s\n", st.error().c_str());
            return 1;
        }
    }
    const double build = now() - t0;
    t0 = now();
    (void)index->checkpoint();
    const double save = now() - t0;

    double cpuQps = 0;
    auto outpostQueries = [&](const std::function<Json(std::size_t)>& filter, int keep, double& qps, std::string& plan) {
        double r = 0;
        std::vector<std::vector<std::size_t>> filteredTruth(nq);
        if (keep < 1000)
            parallelFor(nq, threads, [&](std::size_t q) {
                filteredTruth[q] = exactTopK(data, dim, queries.data() + q * dim, 10, &bucket, keep);
            });
        std::set<std::string> plans;
        const double start = now(), cpuStart = cpuNow();
        for (std::size_t q = 0; q < nq; ++q) {
            QueryOptions o;
            o.topK = 10;
            if (filter)
                o.filter = filter(q);
            auto result = index->query(std::span<const float>(queries.data() + q * dim, dim), o);
            if (!result) {
                std::fprintf(stderr, "%s\n", result.error().c_str());
                std::exit(1);
            }
            plans.insert(queryPlanName(result->plan));
            std::vector<std::size_t> got;
            for (const auto& m : result->matches)
                got.push_back(std::stoull(m.id));
            r += recall(got, keep < 1000 ? filteredTruth[q] : truth[q]);
        }
        qps = double(nq) / (now() - start);
        cpuQps = double(nq) / (cpuNow() - cpuStart);
        plan.clear();
        for (const auto& p : plans)
            plan += (plan.empty() ? "" : "+") + p;
        return r / double(nq);
    };
    double qps = 0;
    std::string plan;
    double outRecall = outpostQueries({}, 1000, qps, plan);
    outRecall = outpostQueries({}, 1000, qps, plan);
    std::printf("outpost: build %.1f s (%.0f inserts/s, SQLite included), checkpoint %.1f s, %.0f queries/s "
                "(%.0f per CPU-second), recall@10 %.4f\n",
                build, double(n) / build, save, qps, cpuQps, outRecall);
    // Raw again right after, so both figures share the machine's state.
    if (withRaw) {
        raw.fstdistfunc_ = space.get_dist_func();
        rawRecall = rawQueries(rawQps);
        std::printf("raw hnswlib again: %.0f queries/s (%.0f per CPU-second), recall@10 %.4f -> Outpost overhead "
                    "%.1f%% (queries, wall), %.1f%% (queries, CPU), %.1f%% (build)\n",
                    rawQps, rawCpuQps, rawRecall, 100.0 * (rawQps / qps - 1.0), 100.0 * (rawCpuQps / cpuQps - 1.0),
                    100.0 * (build / rawBuild - 1.0));
    }

    std::printf("filtered queries (field \"bucket\" uniform in 0..999, filter bucket < keep):\n");
    for (int keep : {500, 100, 10, 1}) {
        double fq = 0;
        std::string fplan;
        const double fr = outpostQueries([&](std::size_t) { return Json{{"bucket", Json{{"$lt", keep}}}}; }, keep, fq, fplan);
        const double fcpu = cpuQps;
        // The same selectivity with a different filter on every query, so no
        // filter result is reused.
        double dq = 0;
        const double start = now(), cpuStart = cpuNow();
        for (std::size_t q = 0; q < nq; ++q) {
            QueryOptions o;
            o.topK = 10;
            const int from = int(q % std::size_t(1000 - keep + 1));
            o.filter = Json{{"bucket", Json{{"$gte", from}, {"$lt", from + keep}}}};
            (void)index->query(std::span<const float>(queries.data() + q * dim, dim), o);
        }
        dq = double(nq) / (now() - start);
        const double dcpu = double(nq) / (cpuNow() - cpuStart);
        std::printf("  selectivity %5.1f%%: same filter %7.0f queries/s (%7.0f per CPU-second), a new filter each query "
                    "%7.0f queries/s (%7.0f per CPU-second), recall@10 %.4f, plan %s\n",
                    keep / 10.0, fq, fcpu, dq, dcpu, fr, fplan.c_str());
    }
    const auto info = index->describe();
    std::printf("describe: count %zu, vectors %zu bytes, metadata %zu bytes, graph in memory %zu bytes, on disk %zu bytes\n",
                info.count, info.vectorBytes, info.metadataBytes, info.graphMemoryBytes, info.diskBytes);
    index.reset();
    t0 = now();
    auto reopened = VectorIndex::open(dir.string(), options);
    std::printf("reopen: %.2f s\n", now() - t0);
    reopened.value().reset();
    if (withRaw)
        fs::remove_all(dir);
    return 0;
}
