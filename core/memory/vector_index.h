#pragma once
// One named vector index: an HNSW graph for speed and a SQLite database as
// the source of truth, in one folder:
//
//   index.sqlite   config, and one row per vector (id, namespace, values,
//                  metadata, the change number `seq` of its last write)
//   graph.hnsw     the hnswlib graph as of some checkpoint
//   graph.json     the checkpoint's record: {seq, bytes, checksum, ...}
//
// Invariants (the "never disagree" promise):
// - A write commits to SQLite first (one transaction per call), then updates
//   the graph in memory. A crash after the commit loses only graph work.
// - checkpoint() writes graph.hnsw then graph.json through temporary files
//   and renames; graph.json names the file's size and checksum, so a graph
//   file that does not match its record is ignored.
// - open() trusts the graph only for rows with seq <= the checkpoint's seq
//   that it holds alive; it re-adds every other row from SQLite and marks
//   deleted every graph node without a row. If the database is older than
//   the graph (restored from a backup), every row is compared, and an
//   unreadable graph is rebuilt from SQLite.
// - Deletes remove the row and mark the node deleted; compact() (run in the
//   background once a quarter of the nodes are deleted) rebuilds the graph
//   from live nodes while queries and writes go on, then swaps it in.
//
// Records: `id` (1..512 bytes of UTF-8, unique in the index), `values`
// (exactly `dimension` finite floats; not all zero for cosine), `metadata`
// (a JSON object, at most 10 KiB serialised and 512 levels deep), `ns`
// (namespace, at most 64 bytes; "" is the default namespace). A query
// without a namespace searches all namespaces. Stored metadata that does not
// parse, or nests deeper, reads back as {} (the row itself is left as it is).
//
// Thread safety: any number of concurrent queries; writes are serialised
// and exclusive.
#include "core/memory/hnsw_graph.h"
#include "core/memory/metadata_filter.h"
#include "core/memory/metric.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace outpost::core::memory {

inline constexpr int kIndexSchemaVersion = 1;
inline constexpr std::size_t kMaxMetadataBytes = 10 * 1024;
inline constexpr std::size_t kMaxIdBytes = 512;
inline constexpr std::size_t kMaxNamespaceBytes = 64;
inline constexpr std::size_t kMaxTopK = 100;

struct IndexConfig {
    int dimension = 0;
    Metric metric = Metric::Cosine;
    // The embedder whose vectors the index holds (Embedder::id()), or empty
    // for an index of vectors computed elsewhere.
    std::string embedder;
    GraphParams graph;
    // Candidate list of a search. Higher: better recall, slower queries.
    std::size_t efSearch = 128;
};

struct VectorRecord {
    std::string id;
    std::vector<float> values;
    Json metadata = Json::object();
    std::string ns;
};

// How a filtered query runs. Auto: the planner compares the cost of an exact
// scan of the allowed records with a filtered graph search. The others force
// one path (benchmarks, tests).
enum class PlanHint { Auto, FilteredGraph, ExactScan };

struct QueryOptions {
    std::size_t topK = 10;                 // 1..100
    std::optional<std::string> ns;         // none: all namespaces
    Json filter;                           // see metadata_filter.h; null for none
    bool returnValues = false;
    bool returnMetadata = false;
    std::size_t ef = 0;                    // 0: the index's efSearch
    PlanHint plan = PlanHint::Auto;
};

struct Match {
    std::string id;
    float score = 0;    // see Metric: similarity for cosine/dot, distance for euclidean
    std::string ns;
    std::optional<std::vector<float>> values;
    std::optional<Json> metadata;
};

enum class QueryPlan { Empty, Graph, FilteredGraph, ExactScan };
const char* queryPlanName(QueryPlan plan);

struct QueryResult {
    std::vector<Match> matches;   // best first
    QueryPlan plan = QueryPlan::Empty;
    std::size_t candidates = 0;   // records the filter and namespace allow
};

struct IndexInfo {
    int dimension = 0;
    Metric metric = Metric::Cosine;
    std::string embedder;
    std::size_t count = 0;            // live records
    std::size_t deletedNodes = 0;     // graph nodes waiting for compaction
    std::size_t vectorBytes = 0;      // count * dimension * 4
    std::size_t metadataBytes = 0;    // serialised metadata of live records
    std::size_t diskBytes = 0;        // files in the index folder
    std::size_t graphMemoryBytes = 0;
    std::vector<std::string> namespaces;
};

struct OpenOptions {
    // Checkpoint the graph when the index is closed. Tests turn it off to
    // act out a crash.
    bool checkpointOnClose = true;
    // Compact in a background thread once a quarter of the nodes are deleted.
    bool backgroundCompaction = true;
    // Threads for bulk inserts (0: all cores).
    unsigned insertThreads = 0;
};

class VectorIndex {
public:
    // Creates the folder `dir` and an empty index in it. Errors: the folder
    // already holds an index, bad dimension (1..4096), unwritable folder.
    static Result<std::unique_ptr<VectorIndex>> create(const std::string& dir, const IndexConfig& config,
                                                       const OpenOptions& options = {});
    // Opens an index, reconciling the graph with the database (see above).
    // Errors: no index there, unreadable or newer database.
    static Result<std::unique_ptr<VectorIndex>> open(const std::string& dir, const OpenOptions& options = {});
    ~VectorIndex();
    VectorIndex(const VectorIndex&) = delete;
    VectorIndex& operator=(const VectorIndex&) = delete;

    const std::string& dir() const { return m_dir; }
    const IndexConfig& config() const { return m_config; }

    // Adds records; refuses the whole call if any id already exists (or
    // repeats within the call) or any record is invalid.
    Status insert(const std::vector<VectorRecord>& records);
    // Adds or replaces records (whole records: values, metadata, namespace).
    // An invalid record refuses the whole call; nothing is written.
    Status upsert(const std::vector<VectorRecord>& records);
    // The records with these ids, in the order asked; unknown ids are skipped.
    Result<std::vector<VectorRecord>> getByIds(const std::vector<std::string>& ids) const;
    // Deletes these ids; returns how many existed.
    Result<std::size_t> deleteByIds(const std::vector<std::string>& ids);
    // The topK records closest to `vector` among those in the namespace that
    // pass the filter. Errors: wrong dimension, NaN/infinite component, topK
    // out of 1..100, a bad filter.
    Result<QueryResult> query(std::span<const float> vector, const QueryOptions& options) const;
    IndexInfo describe() const;

    // Records the embedder on an index that has none and holds no records.
    // Errors: the index already belongs to another embedder, or is not empty.
    Status bindEmbedder(const std::string& embedderId);

    // Saves the graph (see the invariants above).
    Status checkpoint();
    // Rebuilds the graph without deleted nodes, now, on this thread.
    Status compact();
    // Waits for a background compaction to finish, if one runs.
    void waitForCompaction();

private:
    struct Slot;
    struct Cache;
    VectorIndex(std::string dir, IndexConfig config, OpenOptions options);

    Status openDatabase(bool create);
    Status loadRecords(std::uint64_t graphSeq, bool graphFromFuture);
    Status write(const std::vector<VectorRecord>& records, bool replace);
    Status validate(const VectorRecord& r, std::string& metadataText) const;
    // Vectors as the graph holds them (see "Dot product" in vector_index.cpp).
    std::vector<float> prepared(std::span<const float> v) const;
    std::vector<float> preparedQuery(std::span<const float> v) const;
    std::size_t graphDimension() const;
    Metric graphMetric() const;
    Status rebuildGraphLocked();
    // Grows the slot table and the codes to `count` slots; an error instead
    // of an exception when memory runs out. Needs the exclusive lock.
    Status reserveSlotsLocked(std::uint64_t count);
    void encodeSlot(std::uint64_t slot, const float* graphVector);
    Status checkpointLocked();
    Status compactImpl();
    void maybeStartCompaction();
    void invalidateCaches();
    std::shared_ptr<const FieldIndex> fieldIndex(const std::string& name, std::size_t universe) const;
    std::shared_ptr<const SlotSet> allowedSlots(const std::optional<std::string>& ns, const MetadataFilter& filter) const;

    std::string m_dir;
    IndexConfig m_config;
    OpenOptions m_options;
    sqlite3* m_db = nullptr;
    std::unique_ptr<HnswGraph> m_graph;
    std::uint64_t m_seq = 0;          // last change number written
    std::uint64_t m_savedSeq = ~std::uint64_t(0);   // m_seq at the last checkpoint
    std::uint64_t m_nextSlot = 0;
    double m_mipsNorm = 0;            // dot product: the norm bound of the transform

    // Slot-indexed record table, mirrored from SQLite. Deleted slots keep
    // an entry with alive == false until the index is reopened.
    std::vector<Slot> m_slots;
    std::unordered_map<std::string, std::uint64_t> m_idToSlot;
    // The exact scan's compact copy of the graph's vectors: int8 codes with a
    // scale and the exact squared norm per slot (a quarter of the bytes to
    // fetch; the best few are re-ranked in full precision).
    std::vector<std::int8_t> m_codes;
    std::vector<float> m_codeScale;
    std::vector<float> m_codeNorm2;
    std::vector<std::string> m_namespaces;   // interned names
    std::unordered_map<std::string, std::uint32_t> m_namespaceIds;
    std::size_t m_liveCount = 0;
    std::size_t m_metadataBytes = 0;

    mutable std::shared_mutex m_lock;        // readers: queries; writer: mutations
    std::mutex m_writeMutex;                 // serialises writers and compaction's swap
    std::unique_ptr<Cache> m_cache;          // filter results, field indexes (own mutex)

    // Background compaction.
    std::thread m_compactor;
    std::atomic<bool> m_compacting{false};
    std::vector<std::uint64_t> m_compactLog;   // slots written while compacting
    std::mutex m_compactMutex;

    // The planner's cost figure: distance computations an unfiltered graph
    // search needs (moving average), so that a filtered search costs about
    // this / selectivity and an exact scan costs the candidate count.
    mutable std::atomic<double> m_graphCost{0};
};

} // namespace outpost::core::memory
