// The one translation unit that instantiates hnswlib.
//
// hnswlib.h defines (not just declares) a few CPU-probe functions at global
// scope and distance-function pointers in its namespace. Renaming both here
// keeps them, and the graph template, from clashing with any other
// translation unit that includes hnswlib (the benchmark does). The graph code
// itself is compiled for the build's baseline; distances come from
// distance.cpp, picked at run time.
#include "core/memory/hnsw_graph.h"

#include "core/memory/distance.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#endif
#define cpuid outpost_memory_hnswlib_cpuid
#define xgetbv outpost_memory_hnswlib_xgetbv
#define AVXCapable outpost_memory_hnswlib_AVXCapable
#define AVX512Capable outpost_memory_hnswlib_AVX512Capable
#define hnswlib outpost_memory_hnswlib
#include <hnswlib/hnswlib.h>
#undef cpuid
#undef xgetbv
#undef AVXCapable
#undef AVX512Capable

namespace outpost::core::memory {

namespace {

class RuntimeSpace final : public hnswlib::SpaceInterface<float> {
public:
    RuntimeSpace(std::size_t dimension, Metric metric)
        : m_dimension(dimension)
        , m_fn(metric == Metric::Euclidean ? distanceKernels().l2 : distanceKernels().ip)
    {
    }
    size_t get_data_size() override { return m_dimension * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return m_fn; }
    void* get_dist_func_param() override { return &m_dimension; }
    DistanceFn fn() const { return m_fn; }
    const std::size_t* dimPtr() const { return &m_dimension; }

private:
    std::size_t m_dimension;
    DistanceFn m_fn;
};

using Hnsw = hnswlib::HierarchicalNSW<float>;

// hnswlib's header fields, in file order, to check a file before hnswlib
// (which trusts it) reads it.
struct HnswHeader {
    std::size_t offsetLevel0 = 0, maxElements = 0, count = 0, sizePerElement = 0, labelOffset = 0, offsetData = 0;
    int maxLevel = 0;
    unsigned enterPoint = 0;
    std::size_t maxM = 0, maxM0 = 0, M = 0;
    double mult = 0;
    std::size_t efConstruction = 0;
};

template<typename T>
bool readPod(std::ifstream& in, T& v)
{
    in.read(reinterpret_cast<char*>(&v), sizeof(T));
    return bool(in);
}

} // namespace

struct HnswGraph::Impl {
    RuntimeSpace space;
    std::unique_ptr<Hnsw> hnsw;
    mutable std::mutex resizeMutex;
    Impl(std::size_t dimension, Metric metric) : space(dimension, metric) {}
};

HnswGraph::HnswGraph(std::size_t dimension, Metric metric, const GraphParams& params)
    : m_dimension(dimension), m_metric(metric), m_params(params), m_impl(std::make_unique<Impl>(dimension, metric))
{
}

HnswGraph::~HnswGraph() = default;

Result<std::unique_ptr<HnswGraph>> HnswGraph::create(std::size_t dimension, Metric metric, const GraphParams& params,
                                                     std::size_t capacity)
{
    if (dimension == 0 || dimension > std::size_t(kMaxDimension))
        return Error{"HNSW graph: dimension " + std::to_string(dimension) + " is out of range 1.." + std::to_string(kMaxDimension)};
    if (params.M < 2 || params.M > 256)
        return Error{"HNSW graph: M=" + std::to_string(params.M) + " is out of range 2..256"};
    std::unique_ptr<HnswGraph> g(new HnswGraph(dimension, metric, params));
    try {
        g->m_impl->hnsw = std::make_unique<Hnsw>(&g->m_impl->space, std::max<std::size_t>(capacity, 16), params.M,
                                                 params.efConstruction, params.seed);
    } catch (const std::exception& e) {
        return Error{std::string("HNSW graph: cannot allocate: ") + e.what()};
    }
    return g;
}

Result<std::unique_ptr<HnswGraph>> HnswGraph::load(const std::string& path, std::size_t dimension, Metric metric)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error{path + ": cannot open the graph file"};
    in.seekg(0, std::ios::end);
    const auto fileSize = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    HnswHeader h;
    const bool read = readPod(in, h.offsetLevel0) && readPod(in, h.maxElements) && readPod(in, h.count)
                      && readPod(in, h.sizePerElement) && readPod(in, h.labelOffset) && readPod(in, h.offsetData)
                      && readPod(in, h.maxLevel) && readPod(in, h.enterPoint) && readPod(in, h.maxM)
                      && readPod(in, h.maxM0) && readPod(in, h.M) && readPod(in, h.mult)
                      && readPod(in, h.efConstruction);
    in.close();
    if (!read)
        return Error{path + ": the graph file is truncated (header)"};
    const std::size_t links0 = h.maxM0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
    const bool sane = h.offsetLevel0 == 0 && h.M >= 2 && h.M <= 256 && h.maxM == h.M && h.maxM0 == 2 * h.M
                      && h.offsetData == links0 && h.labelOffset == links0 + dimension * sizeof(float)
                      && h.sizePerElement == h.labelOffset + sizeof(hnswlib::labeltype) && h.count <= h.maxElements
                      && h.maxElements <= (std::size_t(1) << 32) && h.count * h.sizePerElement <= fileSize
                      && (h.count == 0 || h.enterPoint < h.count) && h.maxLevel >= -1 && h.maxLevel < 64;
    if (!sane)
        return Error{path + ": the graph file does not match an index of dimension " + std::to_string(dimension)};

    GraphParams params;
    params.M = h.M;
    params.efConstruction = h.efConstruction;
    std::unique_ptr<HnswGraph> g(new HnswGraph(dimension, metric, params));
    auto* raw = new Hnsw(&g->m_impl->space);
    // hnswlib 0.6.2's loading constructor leaves these uninitialised.
    raw->num_deleted_ = 0;
    raw->data_level0_memory_ = nullptr;
    raw->linkLists_ = nullptr;
    raw->visited_list_pool_ = nullptr;
    raw->cur_element_count = 0;
    g->m_impl->hnsw.reset(raw);
    try {
        raw->loadIndex(path, &g->m_impl->space, std::max<std::size_t>(h.maxElements, 16));
    } catch (const std::exception& e) {
        // A half-loaded hnswlib graph cannot be destroyed safely; the file
        // passed its checksum, so this only happens when memory runs out.
        (void)g->m_impl->hnsw.release();
        return Error{path + ": cannot load the graph: " + e.what()};
    }
    return g;
}

Status HnswGraph::save(const std::string& path) const
{
    try {
        m_impl->hnsw->saveIndex(path);
    } catch (const std::exception& e) {
        return Error{path + ": cannot write the graph: " + e.what()};
    }
    std::ifstream check(path, std::ios::binary | std::ios::ate);
    if (!check)
        return Error{path + ": the graph file was not written"};
    return {};
}

Status HnswGraph::reserve(std::size_t total)
{
    auto& h = *m_impl->hnsw;
    if (total <= h.max_elements_)
        return {};
    try {
        h.resizeIndex(std::max(total, h.max_elements_ + h.max_elements_ / 2));
    } catch (const std::exception& e) {
        return Error{std::string("HNSW graph: cannot grow to ") + std::to_string(total) + " nodes: " + e.what()};
    }
    return {};
}

Status HnswGraph::add(std::uint64_t label, const float* vector)
{
    auto& h = *m_impl->hnsw;
    {
        std::lock_guard lock(m_impl->resizeMutex);
        if (h.cur_element_count >= h.max_elements_ && !contains(label)) {
            if (auto st = reserve(h.max_elements_ * 2); !st)
                return st;
        }
    }
    try {
        h.addPoint(vector, label);
    } catch (const std::exception& e) {
        return Error{std::string("HNSW graph: cannot add a node: ") + e.what()};
    }
    return {};
}

Status HnswGraph::addMany(const std::vector<std::pair<std::uint64_t, const float*>>& items, unsigned threads)
{
    auto& h = *m_impl->hnsw;
    if (auto st = reserve(h.cur_element_count + items.size()); !st)
        return st;
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(items.size() / 64 + 1)));
    if (threads == 1) {
        for (const auto& [label, v] : items)
            if (auto st = add(label, v); !st)
                return st;
        return {};
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::string firstError;
    std::mutex errorMutex;
    auto work = [&] {
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= items.size() || failed.load())
                return;
            try {
                h.addPoint(items[i].second, items[i].first);
            } catch (const std::exception& e) {
                std::lock_guard lock(errorMutex);
                if (!failed.exchange(true))
                    firstError = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (failed)
        return Error{"HNSW graph: cannot add a node: " + firstError};
    return {};
}

void HnswGraph::markDeleted(std::uint64_t label)
{
    auto& h = *m_impl->hnsw;
    auto it = h.label_lookup_.find(label);
    if (it != h.label_lookup_.end() && !h.isMarkedDeleted(it->second))
        h.markDeletedInternal(it->second);
}

bool HnswGraph::contains(std::uint64_t label) const
{
    return m_impl->hnsw->label_lookup_.count(label) != 0;
}

bool HnswGraph::isDeleted(std::uint64_t label) const
{
    auto& h = *m_impl->hnsw;
    auto it = h.label_lookup_.find(label);
    return it == h.label_lookup_.end() || h.isMarkedDeleted(it->second);
}

std::optional<std::uint32_t> HnswGraph::nodeOf(std::uint64_t label) const
{
    auto& h = *m_impl->hnsw;
    auto it = h.label_lookup_.find(label);
    if (it == h.label_lookup_.end())
        return std::nullopt;
    return it->second;
}

const float* HnswGraph::vectorAt(std::uint32_t node) const
{
    return reinterpret_cast<const float*>(m_impl->hnsw->getDataByInternalId(node));
}

std::uint64_t HnswGraph::labelAt(std::uint32_t node) const { return m_impl->hnsw->getExternalLabel(node); }
bool HnswGraph::deletedAt(std::uint32_t node) const { return m_impl->hnsw->isMarkedDeleted(node); }
std::size_t HnswGraph::nodeCount() const { return m_impl->hnsw->cur_element_count; }
std::size_t HnswGraph::deletedCount() const { return m_impl->hnsw->num_deleted_; }
std::size_t HnswGraph::capacity() const { return m_impl->hnsw->max_elements_; }

std::size_t HnswGraph::memoryBytes() const
{
    const auto& h = *m_impl->hnsw;
    std::size_t bytes = h.max_elements_ * (h.size_data_per_element_ + sizeof(void*) + sizeof(int));
    for (std::size_t i = 0; i < h.cur_element_count; ++i)
        if (h.element_levels_[i] > 0)
            bytes += h.size_links_per_element_ * static_cast<std::size_t>(h.element_levels_[i]);
    return bytes;
}

float HnswGraph::distance(const float* a, const float* b) const
{
    return m_impl->space.fn()(a, b, m_impl->space.dimPtr());
}

std::vector<GraphHit> HnswGraph::search(const float* query, std::size_t k, std::size_t ef, const SlotSet* allow,
                                        std::size_t* distances) const
{
    const Hnsw& h = *m_impl->hnsw;
    std::vector<GraphHit> out;
    if (h.cur_element_count == 0 || k == 0)
        return out;
    const DistanceFn dist = m_impl->space.fn();
    const std::size_t* dimPtr = m_impl->space.dimPtr();
    std::size_t computed = 0;

    // Greedy descent through the upper layers, as hnswlib does; filters do
    // not apply there (those layers only find a good entry point).
    hnswlib::tableint current = h.enterpoint_node_;
    float currentDist = dist(query, h.getDataByInternalId(current), dimPtr);
    ++computed;
    for (int level = h.maxlevel_; level > 0; --level) {
        bool changed = true;
        while (changed) {
            changed = false;
            const auto* list = reinterpret_cast<const unsigned*>(h.get_linklist(current, level));
            const unsigned size = h.getListCount(const_cast<unsigned*>(list));
            const auto* neighbours = list + 1;
            for (unsigned i = 0; i < size; ++i) {
                const hnswlib::tableint candidate = neighbours[i];
                if (candidate >= h.cur_element_count)
                    continue;
                const float d = dist(query, h.getDataByInternalId(candidate), dimPtr);
                ++computed;
                if (d < currentDist) {
                    currentDist = d;
                    current = candidate;
                    changed = true;
                }
            }
        }
    }

    // Level 0: hnswlib's beam search with an acceptance test. Nodes the
    // filter refuses (or deleted ones) are walked through but never enter
    // the results, and the search does not stop before it has ef accepted
    // results or runs out of candidates.
    ef = std::max(ef, k);
    const bool hasDeleted = h.num_deleted_ > 0;
    const bool filtering = allow != nullptr || hasDeleted;
    // The deleted flag lives in the node's link header, a cache line apart
    // from its vector: read it only when something is deleted.
    auto accepted = [&](hnswlib::tableint node) {
        if (hasDeleted && h.isMarkedDeleted(node))
            return false;
        return allow == nullptr || allow->test(h.getExternalLabel(node));
    };
    using Pair = std::pair<float, hnswlib::tableint>;
    std::priority_queue<Pair> top;                                              // worst on top
    std::priority_queue<Pair, std::vector<Pair>, std::greater<Pair>> candidates; // closest on top

    hnswlib::VisitedList* visited = h.visited_list_pool_->getFreeVisitedList();
    hnswlib::vl_type* mark = visited->mass;
    const hnswlib::vl_type tag = visited->curV;

    float lowerBound = std::numeric_limits<float>::max();
    if (accepted(current)) {
        top.emplace(currentDist, current);
        lowerBound = currentDist;
    }
    candidates.emplace(currentDist, current);
    mark[current] = tag;

    while (!candidates.empty()) {
        const Pair next = candidates.top();
        if (next.first > lowerBound && (top.size() >= ef || !filtering))
            break;
        candidates.pop();
        const auto* list = reinterpret_cast<const unsigned*>(h.get_linklist0(next.second));
        const unsigned size = h.getListCount(const_cast<unsigned*>(list));
        const auto* neighbours = list + 1;
        for (unsigned i = 0; i < size; ++i) {
            if (i + 1 < size)
                __builtin_prefetch(h.getDataByInternalId(neighbours[i + 1]));
            const hnswlib::tableint candidate = neighbours[i];
            if (mark[candidate] == tag)
                continue;
            mark[candidate] = tag;
            const float d = dist(query, h.getDataByInternalId(candidate), dimPtr);
            ++computed;
            if (top.size() < ef || d < lowerBound) {
                candidates.emplace(d, candidate);
                if (accepted(candidate)) {
                    top.emplace(d, candidate);
                    if (top.size() > ef)
                        top.pop();
                    lowerBound = top.top().first;
                }
            }
        }
    }
    h.visited_list_pool_->releaseVisitedList(visited);

    while (top.size() > k)
        top.pop();
    out.resize(top.size());
    for (std::size_t i = out.size(); i-- > 0;) {
        out[i] = {top.top().first, h.getExternalLabel(top.top().second)};
        top.pop();
    }
    if (distances)
        *distances = computed;
    return out;
}

} // namespace outpost::core::memory
