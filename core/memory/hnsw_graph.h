#pragma once
// The HNSW graph of one index: a thin owner of an hnswlib graph that speaks
// in labels (the index's slots) and adds what hnswlib 0.6.2 lacks: a search
// that only returns labels a filter allows, distance kernels chosen at run
// time, and errors instead of exceptions. This is the only place that sees
// hnswlib's types.
//
// Thread safety: search(), contains() and the readers may run on many
// threads at once; add() may run on many threads at once once reserve() has
// made room; markDeleted(), reserve(), save() need the caller's exclusive lock.
#include "core/memory/metric.h"
#include "core/memory/slot_set.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace outpost::core::memory {

struct GraphParams {
    // Links per node (level 0 has 2*M). More links: better recall at a given
    // ef, more memory (8*M bytes a node) and slower inserts.
    std::size_t M = 16;
    // Candidate list while inserting. Higher: a better graph, slower builds.
    std::size_t efConstruction = 200;
    std::size_t seed = 100;
};

struct GraphHit {
    float distance = 0;   // lower is closer (squared L2, or 1 - dot)
    std::uint64_t label = 0;
};

class HnswGraph {
public:
    // An empty graph with room for `capacity` nodes (it grows as needed).
    static Result<std::unique_ptr<HnswGraph>> create(std::size_t dimension, Metric metric, const GraphParams& params,
                                                      std::size_t capacity);
    // Reads a graph saved by save(). Errors: unreadable file, or a graph whose
    // layout does not match `dimension`. The caller checks the file's
    // integrity first (hnswlib trusts its input).
    static Result<std::unique_ptr<HnswGraph>> load(const std::string& path, std::size_t dimension, Metric metric);
    ~HnswGraph();
    HnswGraph(const HnswGraph&) = delete;
    HnswGraph& operator=(const HnswGraph&) = delete;

    // Writes the graph to `path` (not atomically: the caller writes a
    // temporary file and renames it).
    Status save(const std::string& path) const;

    // Makes room for `total` nodes. Errors: out of memory.
    Status reserve(std::size_t total);
    // Adds a node, or replaces the vector of an existing label (and revives it
    // if it was deleted). `vector` is already prepared (normalised for cosine).
    // Errors: out of room (call reserve) or out of memory.
    Status add(std::uint64_t label, const float* vector);
    // Adds many nodes on `threads` threads.
    Status addMany(const std::vector<std::pair<std::uint64_t, const float*>>& items, unsigned threads);
    void markDeleted(std::uint64_t label);

    bool contains(std::uint64_t label) const;
    bool isDeleted(std::uint64_t label) const;
    // Where a label's node lives; stable until the graph is replaced.
    std::optional<std::uint32_t> nodeOf(std::uint64_t label) const;
    const float* vectorAt(std::uint32_t node) const;
    std::uint64_t labelAt(std::uint32_t node) const;
    bool deletedAt(std::uint32_t node) const;

    std::size_t nodeCount() const;      // including deleted nodes
    std::size_t deletedCount() const;
    std::size_t capacity() const;
    std::size_t dimension() const { return m_dimension; }
    Metric metric() const { return m_metric; }
    const GraphParams& params() const { return m_params; }
    std::size_t memoryBytes() const;

    float distance(const float* a, const float* b) const;

    // The k nearest live nodes to `query`, closest first, exploring with a
    // candidate list of `ef` (>= k). With `allow`, only labels in it are
    // returned (the walk still crosses other nodes, so the graph stays
    // connected). `distances`, when given, receives the number of distance
    // computations (the planner's cost figure).
    std::vector<GraphHit> search(const float* query, std::size_t k, std::size_t ef, const SlotSet* allow = nullptr,
                                 std::size_t* distances = nullptr) const;

private:
    struct Impl;
    HnswGraph(std::size_t dimension, Metric metric, const GraphParams& params);

    std::size_t m_dimension;
    Metric m_metric;
    GraphParams m_params;
    std::unique_ptr<Impl> m_impl;
};

} // namespace outpost::core::memory
