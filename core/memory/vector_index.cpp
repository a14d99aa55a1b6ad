#include "core/memory/vector_index.h"

#include "core/json/untrusted_json.h"
#include "core/memory/distance.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <queue>
#include <unordered_set>

#include <fcntl.h>
#include <unistd.h>

namespace outpost::core::memory {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kNoNode = 0xffffffffu;
// Slots are graph labels and node numbers, which hold 32 bits.
constexpr std::uint64_t kSlotLimit = std::uint64_t(1) << 32;
constexpr int kGraphFormat = 1;
constexpr const char* kDbFile = "index.sqlite";
constexpr const char* kGraphFile = "graph.hnsw";
constexpr const char* kGraphRecordFile = "graph.json";

// A prepared statement that finalises itself.
class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) { m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    bool ok() const { return m_rc == SQLITE_OK && m_stmt; }
    sqlite3_stmt* get() const { return m_stmt; }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    void bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, const std::string& v) { sqlite3_bind_text(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
    void bindBlob(int i, const void* p, std::size_t n) { sqlite3_bind_blob(m_stmt, i, p, int(n), SQLITE_TRANSIENT); }
    int step() { return sqlite3_step(m_stmt); }
    std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    std::string text(int col) const
    {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    std::pair<const void*, std::size_t> blob(int col) const
    {
        return {sqlite3_column_blob(m_stmt, col), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col))};
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
    int m_rc = SQLITE_ERROR;
};

Status exec(sqlite3* db, const std::string& sql, const std::string& where)
{
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errmsg(db);
        sqlite3_free(message);
        return Error{where + ": " + text};
    }
    return {};
}

// 64-bit checksum of a file, eight bytes at a time (fast enough to run on
// every open of a large graph).
std::optional<std::pair<std::uint64_t, std::uint64_t>> fileChecksum(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::vector<char> buffer(1 << 20);
    std::uint64_t h = 0x243f6a8885a308d3ull, size = 0;
    while (in) {
        in.read(buffer.data(), std::streamsize(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0)
            break;
        std::size_t i = 0;
        for (; i + 8 <= got; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, buffer.data() + i, 8);
            h = (h ^ w) * 0x9e3779b97f4a7c15ull;
            h ^= h >> 31;
        }
        for (; i < got; ++i)
            h = (h ^ static_cast<unsigned char>(buffer[i])) * 0x100000001b3ull;
        size += got;
    }
    h ^= size;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return std::make_pair(h, size);
}

bool fsyncPath(const std::string& path, bool directory = false)
{
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

Status writeFileDurably(const std::string& path, const std::string& bytes)
{
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.close();
        if (!out)
            return Error{path + ": cannot write"};
    }
    if (!fsyncPath(path))
        return Error{path + ": cannot flush to disk"};
    return {};
}

// graph.json as checkpointLocked() writes it. nullopt when the file is
// missing, not JSON, or any field is absent or of the wrong type: the graph
// is then rebuilt from the database.
struct GraphRecord {
    std::int64_t format = 0;
    std::int64_t dimension = 0;
    std::string metric;
    double mipsNorm = 0;
    std::string checksum;
    std::uint64_t bytes = 0;
    std::uint64_t seq = 0;
};

std::optional<GraphRecord> readGraphRecord(const fs::path& path)
{
    std::ifstream file(path);
    if (!file)
        return std::nullopt;
    const Json j = Json::parse(file, nullptr, false);
    if (!j.is_object())
        return std::nullopt;
    const auto field = [&](const char* key) -> const Json* {
        const auto it = j.find(key);
        return it == j.end() ? nullptr : &*it;
    };
    const Json *format = field("format"), *dimension = field("dimension"), *metric = field("metric"),
               *mipsNorm = field("mipsNorm"), *checksum = field("checksum"), *bytes = field("bytes"), *seq = field("seq");
    if (!format || !format->is_number_integer() || !dimension || !dimension->is_number_integer() || !metric
        || !metric->is_string() || !checksum || !checksum->is_string() || !bytes || !bytes->is_number_unsigned() || !seq
        || !seq->is_number_unsigned() || (mipsNorm && !mipsNorm->is_number()))
        return std::nullopt;
    GraphRecord r;
    r.format = format->get<std::int64_t>();
    r.dimension = dimension->get<std::int64_t>();
    r.metric = metric->get<std::string>();
    r.mipsNorm = mipsNorm ? mipsNorm->get<double>() : 0.0;
    r.checksum = checksum->get<std::string>();
    r.bytes = bytes->get<std::uint64_t>();
    r.seq = seq->get<std::uint64_t>();
    return r;
}

// A row's metadata; an empty object when the stored text is damaged: not
// JSON, or nested so deep that copying or writing it would overflow the stack
// (a write never stores such text: metadata is at most kMaxMetadataBytes).
Json storedMetadata(const std::string& text)
{
    if (json::tooDeepAt(text) >= 0)
        return Json::object();
    Json metadata = Json::parse(text, nullptr, false);
    if (metadata.is_discarded())
        return Json::object();
    return metadata;
}

std::string hex64(std::uint64_t v)
{
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4)
        s[std::size_t(i)] = digits[v & 15];
    return s;
}

} // namespace

const char* queryPlanName(QueryPlan plan)
{
    switch (plan) {
    case QueryPlan::Empty: return "empty";
    case QueryPlan::Graph: return "graph";
    case QueryPlan::FilteredGraph: return "filtered-graph";
    case QueryPlan::ExactScan: return "exact-scan";
    }
    return "?";
}

struct VectorIndex::Slot {
    std::string id;
    Json metadata;
    std::uint32_t ns = 0;
    std::uint32_t node = kNoNode;
    std::uint32_t metadataBytes = 0;
    bool alive = false;
};

// Derived data the queries share, rebuilt lazily after writes. Guarded by
// its own mutex so that concurrent queries (under the shared lock) can fill it.
struct VectorIndex::Cache {
    std::mutex mutex;
    std::shared_ptr<const SlotSet> live;
    std::unordered_map<std::uint32_t, std::shared_ptr<const SlotSet>> namespaces;
    std::unordered_map<std::string, std::shared_ptr<const FieldIndex>> fields;
    std::unordered_map<std::string, std::shared_ptr<const SlotSet>> results;
};

VectorIndex::VectorIndex(std::string dir, IndexConfig config, OpenOptions options)
    : m_dir(std::move(dir)), m_config(std::move(config)), m_options(options), m_cache(std::make_unique<Cache>())
{
    if (m_options.insertThreads == 0)
        m_options.insertThreads = std::max(1u, std::thread::hardware_concurrency());
}

VectorIndex::~VectorIndex()
{
    waitForCompaction();
    if (m_options.checkpointOnClose && m_db && m_graph && m_seq != m_savedSeq)
        (void)checkpoint();
    if (m_db)
        sqlite3_close_v2(m_db);
}

Status VectorIndex::openDatabase(bool create)
{
    const std::string path = (fs::path(m_dir) / kDbFile).string();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        return Error{path + ": cannot open: " + message};
    }
    sqlite3_busy_timeout(m_db, 5000);
    sqlite3_extended_result_codes(m_db, 1);
    if (auto st = exec(m_db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", path); !st)
        return st;
    Stmt version(m_db, "PRAGMA user_version");
    if (!version.ok() || version.step() != SQLITE_ROW)
        return Error{path + ": not a database: " + sqlite3_errmsg(m_db)};
    const auto v = version.int64(0);
    if (v > kIndexSchemaVersion)
        return Error{path + ": schema version " + std::to_string(v) + " is newer than this build understands ("
                     + std::to_string(kIndexSchemaVersion) + ")"};
    if (v == 0 && !create)
        return Error{path + ": not an Outpost vector index"};
    if (v == 0) {
        return exec(m_db,
                    "BEGIN;"
                    "CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    "CREATE TABLE vectors("
                    "  slot INTEGER PRIMARY KEY,"
                    "  id TEXT NOT NULL UNIQUE,"
                    "  namespace TEXT NOT NULL DEFAULT '',"
                    "  seq INTEGER NOT NULL,"
                    "  vec BLOB NOT NULL,"
                    "  metadata TEXT NOT NULL DEFAULT '{}');"
                    "PRAGMA user_version=1;"
                    "COMMIT;",
                    path);
    }
    return {};
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::create(const std::string& dir, const IndexConfig& config,
                                                         const OpenOptions& options)
{
    if (config.dimension < 1 || config.dimension > kMaxDimension)
        return Error{"vector index: dimension " + std::to_string(config.dimension) + " is out of range 1.."
                     + std::to_string(kMaxDimension)};
    if (config.efSearch < 1 || config.efSearch > 10000)
        return Error{"vector index: efSearch must be in 1..10000"};
    std::error_code ec;
    if (fs::exists(fs::path(dir) / kDbFile, ec))
        return Error{dir + ": an index already exists there"};
    fs::create_directories(dir, ec);
    if (ec)
        return Error{dir + ": cannot create the folder: " + ec.message()};
    std::unique_ptr<VectorIndex> index(new VectorIndex(dir, config, options));
    if (auto st = index->openDatabase(true); !st)
        return Error{st.error()};
    auto graph = HnswGraph::create(index->graphDimension(), index->graphMetric(), config.graph, 1024);
    if (!graph)
        return Error{graph.error()};
    index->m_graph = std::move(graph.value());
    Stmt put(index->m_db, "INSERT OR REPLACE INTO config(key, value) VALUES(?, ?)");
    const std::pair<const char*, std::string> rows[] = {
        {"dimension", std::to_string(config.dimension)},
        {"metric", metricName(config.metric)},
        {"embedder", config.embedder},
        {"M", std::to_string(config.graph.M)},
        {"efConstruction", std::to_string(config.graph.efConstruction)},
        {"efSearch", std::to_string(config.efSearch)},
        {"seq", "0"},
        {"nextSlot", "0"},
        {"mipsNorm", "0"},
    };
    for (const auto& [key, value] : rows) {
        put.reset();
        put.bind(1, std::string(key));
        put.bind(2, value);
        if (put.step() != SQLITE_DONE)
            return Error{dir + ": cannot write the index configuration: " + sqlite3_errmsg(index->m_db)};
    }
    if (auto st = index->checkpoint(); !st)
        return Error{st.error()};
    return index;
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::open(const std::string& dir, const OpenOptions& options)
{
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / kDbFile, ec))
        return Error{dir + ": no vector index here (missing " + kDbFile + ")"};
    std::unique_ptr<VectorIndex> index(new VectorIndex(dir, IndexConfig{}, options));
    if (auto st = index->openDatabase(false); !st)
        return Error{st.error()};

    std::unordered_map<std::string, std::string> cfg;
    {
        Stmt all(index->m_db, "SELECT key, value FROM config");
        if (!all.ok())
            return Error{dir + ": unreadable configuration: " + sqlite3_errmsg(index->m_db)};
        while (all.step() == SQLITE_ROW)
            cfg[all.text(0)] = all.text(1);
    }
    auto number = [&](const char* key, std::uint64_t& out) {
        auto it = cfg.find(key);
        if (it == cfg.end())
            return false;
        try {
            out = std::stoull(it->second);
        } catch (...) {
            return false;
        }
        return true;
    };
    std::uint64_t dimension = 0, M = 0, efc = 0, efs = 0;
    const auto metric = metricFromName(cfg.count("metric") ? cfg["metric"] : "");
    if (!number("dimension", dimension) || dimension < 1 || dimension > std::uint64_t(kMaxDimension) || !metric
        || !number("M", M) || !number("efConstruction", efc) || !number("efSearch", efs)
        || !number("seq", index->m_seq) || !number("nextSlot", index->m_nextSlot) || index->m_nextSlot > kSlotLimit)
        return Error{dir + ": the index configuration is incomplete or damaged"};
    index->m_config.dimension = int(dimension);
    index->m_config.metric = *metric;
    index->m_config.embedder = cfg["embedder"];
    index->m_config.graph.M = M;
    index->m_config.graph.efConstruction = efc;
    index->m_config.efSearch = efs;
    if (auto it = cfg.find("mipsNorm"); it != cfg.end()) {
        try {
            index->m_mipsNorm = std::stod(it->second);
        } catch (...) {
            return Error{dir + ": the index configuration is damaged (mipsNorm)"};
        }
    }

    // The checkpoint, if it is whole and matches its record.
    std::uint64_t graphSeq = 0;
    bool graphOk = false;
    const std::string graphPath = (fs::path(dir) / kGraphFile).string();
    if (const auto record = readGraphRecord(fs::path(dir) / kGraphRecordFile);
        record && record->format == kGraphFormat && record->dimension == std::int64_t(dimension)
        && record->metric == metricName(*metric) && record->mipsNorm == index->m_mipsNorm) {
        const auto sum = fileChecksum(graphPath);
        if (sum && record->checksum == hex64(sum->first) && record->bytes == sum->second) {
            auto loaded = HnswGraph::load(graphPath, index->graphDimension(), index->graphMetric());
            if (loaded) {
                index->m_graph = std::move(loaded.value());
                graphSeq = record->seq;
                graphOk = true;
            }
        }
    }
    if (!graphOk) {
        auto graph = HnswGraph::create(index->graphDimension(), index->graphMetric(), index->m_config.graph, 1024);
        if (!graph)
            return Error{graph.error()};
        index->m_graph = std::move(graph.value());
    }
    if (auto st = index->loadRecords(graphSeq, graphSeq > index->m_seq); !st)
        return Error{st.error()};
    return index;
}

Status VectorIndex::loadRecords(std::uint64_t graphSeq, bool graphFromFuture)
{
    std::vector<std::uint64_t> stale;   // slots whose graph node must be (re)written
    {
        Stmt rows(m_db, "SELECT slot, id, namespace, seq, metadata FROM vectors");
        if (!rows.ok())
            return Error{m_dir + ": unreadable records: " + sqlite3_errmsg(m_db)};
        int rc;
        while ((rc = rows.step()) == SQLITE_ROW) {
            const auto slot = static_cast<std::uint64_t>(rows.int64(0));
            // Every write stores its rows and the next free slot in one
            // transaction, so a row at or past it is damage, not data.
            if (slot >= kSlotLimit || slot >= m_nextSlot)
                return Error{m_dir + ": record slot " + std::to_string(rows.int64(0)) + " is out of range (the index's next slot is "
                             + std::to_string(m_nextSlot) + "); the database is damaged"};
            if (slot >= m_slots.size())
                if (auto st = reserveSlotsLocked(slot + 1); !st)
                    return st;
            Slot& s = m_slots[slot];
            s.id = rows.text(1);
            const std::string ns = rows.text(2);
            auto [it, added] = m_namespaceIds.try_emplace(ns, std::uint32_t(m_namespaces.size()));
            if (added)
                m_namespaces.push_back(ns);
            s.ns = it->second;
            const std::string metadataText = rows.text(4);
            s.metadata = storedMetadata(metadataText);
            s.metadataBytes = std::uint32_t(metadataText.size());
            s.alive = true;
            m_idToSlot[s.id] = slot;
            ++m_liveCount;
            m_metadataBytes += metadataText.size();
            const auto seq = static_cast<std::uint64_t>(rows.int64(3));
            if (graphFromFuture || seq > graphSeq || m_graph->isDeleted(slot))
                stale.push_back(slot);
        }
        if (rc != SQLITE_DONE)
            return Error{m_dir + ": reading records failed: " + sqlite3_errmsg(m_db)};
    }

    // Nodes without a live row: deleted after the checkpoint.
    std::size_t repaired = 0;
    for (std::uint32_t node = 0; node < m_graph->nodeCount(); ++node) {
        const auto label = m_graph->labelAt(node);
        if (!m_graph->deletedAt(node) && (label >= m_slots.size() || !m_slots[label].alive)) {
            m_graph->markDeleted(label);
            ++repaired;
        }
    }

    // Rows the graph lacks or may hold differently: read their vectors.
    std::vector<std::vector<float>> vectors;
    std::vector<std::pair<std::uint64_t, const float*>> items;
    vectors.reserve(stale.size());
    {
        Stmt read(m_db, "SELECT vec FROM vectors WHERE slot = ?");
        const std::size_t dim = std::size_t(m_config.dimension);
        for (auto slot : stale) {
            read.reset();
            read.bind(1, std::int64_t(slot));
            if (read.step() != SQLITE_ROW)
                return Error{m_dir + ": record " + std::to_string(slot) + " vanished while opening"};
            const auto [p, n] = read.blob(0);
            if (n != dim * sizeof(float))
                return Error{m_dir + ": record '" + m_slots[slot].id + "' has " + std::to_string(n / 4)
                             + " components, the index has " + std::to_string(dim)};
            std::vector<float> v(dim);
            std::memcpy(v.data(), p, n);
            v = prepared(v);
            if (graphFromFuture && m_graph->contains(slot) && !m_graph->isDeleted(slot)
                && std::memcmp(m_graph->vectorAt(*m_graph->nodeOf(slot)), v.data(), v.size() * sizeof(float)) == 0)
                continue;
            vectors.push_back(std::move(v));
            items.emplace_back(slot, vectors.back().data());
        }
    }
    if (!items.empty()) {
        if (auto st = m_graph->addMany(items, m_options.insertThreads); !st)
            return st;
        repaired += items.size();
    }
    for (std::uint64_t slot = 0; slot < m_slots.size(); ++slot) {
        if (!m_slots[slot].alive)
            continue;
        m_slots[slot].node = m_graph->nodeOf(slot).value_or(kNoNode);
        if (m_slots[slot].node != kNoNode)
            encodeSlot(slot, m_graph->vectorAt(m_slots[slot].node));
    }
    if (repaired > 0)
        return checkpoint();
    m_savedSeq = m_seq;
    return {};
}

// Dot product: HNSW walks badly on raw inner products (long vectors become
// hubs; recall stalls near 0.9 whatever ef). The index searches by euclidean
// distance instead, after the usual reduction of maximum inner product search
// to nearest neighbours: a stored x becomes [x, sqrt(R^2 - |x|^2)] and a query
// q becomes [q, 0], so |q' - x'|^2 = |q|^2 + R^2 - 2 q.x ranks exactly as -q.x.
// R (m_mipsNorm) bounds every stored norm, with 25% headroom (more headroom
// flattens the space and costs recall); a longer vector raises it at least
// 1.5-fold and the graph is rebuilt, so rebuilds stay rare.
std::size_t VectorIndex::graphDimension() const
{
    return std::size_t(m_config.dimension) + (m_config.metric == Metric::DotProduct ? 1 : 0);
}

Metric VectorIndex::graphMetric() const
{
    return m_config.metric == Metric::DotProduct ? Metric::Euclidean : m_config.metric;
}

std::vector<float> VectorIndex::preparedQuery(std::span<const float> v) const
{
    if (m_config.metric != Metric::DotProduct)
        return prepared(v);
    std::vector<float> out(v.begin(), v.end());
    out.push_back(0.0f);
    return out;
}

std::vector<float> VectorIndex::prepared(std::span<const float> v) const
{
    std::vector<float> out(v.begin(), v.end());
    if (m_config.metric == Metric::DotProduct) {
        double norm2 = 0;
        for (float x : out)
            norm2 += double(x) * double(x);
        out.push_back(float(std::sqrt(std::max(m_mipsNorm * m_mipsNorm - norm2, 0.0))));
    }
    if (m_config.metric == Metric::Cosine) {
        double norm = 0;
        for (float x : out)
            norm += double(x) * double(x);
        norm = std::sqrt(norm);
        if (norm > 0)
            for (float& x : out)
                x = float(x / norm);
    }
    return out;
}

Status VectorIndex::validate(const VectorRecord& r, std::string& metadataText) const
{
    const std::string who = "record '" + r.id.substr(0, 64) + "'";
    if (r.id.empty())
        return Error{"record: the id is empty"};
    if (r.id.size() > kMaxIdBytes)
        return Error{who + ": the id is longer than " + std::to_string(kMaxIdBytes) + " bytes"};
    if (r.ns.size() > kMaxNamespaceBytes)
        return Error{who + ": the namespace is longer than " + std::to_string(kMaxNamespaceBytes) + " bytes"};
    if (r.values.size() != std::size_t(m_config.dimension))
        return Error{who + ": has " + std::to_string(r.values.size()) + " values, the index has dimension "
                     + std::to_string(m_config.dimension)};
    bool nonZero = false;
    for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (!std::isfinite(r.values[i]))
            return Error{who + ": value " + std::to_string(i) + " is " + (std::isnan(r.values[i]) ? "NaN" : "infinite")};
        nonZero |= r.values[i] != 0.0f;
    }
    if (!nonZero && m_config.metric == Metric::Cosine)
        return Error{who + ": an all-zero vector has no direction (cosine metric)"};
    if (!r.metadata.is_object() && !r.metadata.is_null())
        return Error{who + ": metadata must be a JSON object"};
    try {
        metadataText = r.metadata.is_null() ? std::string("{}") : r.metadata.dump();
    } catch (const std::exception& e) {
        return Error{who + ": metadata is not valid UTF-8 JSON: " + e.what()};
    }
    if (metadataText.size() > kMaxMetadataBytes)
        return Error{who + ": metadata is " + std::to_string(metadataText.size()) + " bytes, more than the limit of "
                     + std::to_string(kMaxMetadataBytes)};
    if (json::tooDeepAt(metadataText) >= 0)
        return Error{who + ": metadata nests deeper than " + std::to_string(json::kMaxNesting) + " levels"};
    return {};
}

Status VectorIndex::insert(const std::vector<VectorRecord>& records) { return write(records, false); }
Status VectorIndex::upsert(const std::vector<VectorRecord>& records) { return write(records, true); }

Status VectorIndex::write(const std::vector<VectorRecord>& input, bool replace)
{
    // Validate everything before touching anything.
    std::vector<std::string> metadataTexts(input.size());
    std::unordered_map<std::string, std::size_t> lastOfId;
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (auto st = validate(input[i], metadataTexts[i]); !st)
            return Error{"record " + std::to_string(i) + ": " + st.error()};
        auto [it, added] = lastOfId.try_emplace(input[i].id, i);
        if (!added) {
            if (!replace)
                return Error{"record " + std::to_string(i) + ": id '" + input[i].id + "' repeats in the same insert"};
            it->second = i;   // upsert: the last one wins
        }
    }
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < input.size(); ++i)
        if (lastOfId[input[i].id] == i)
            order.push_back(i);
    if (order.empty())
        return {};

    std::lock_guard writeLock(m_writeMutex);
    if (!replace)
        for (auto i : order)
            if (m_idToSlot.count(input[i].id))
                return Error{"record " + std::to_string(i) + ": id '" + input[i].id + "' already exists (use upsert)"};

    // Dot product: a vector longer than the transform's bound raises it.
    double mipsNorm = m_mipsNorm;
    if (m_config.metric == Metric::DotProduct) {
        double longest = 0;
        for (auto i : order) {
            double norm2 = 0;
            for (float x : input[i].values)
                norm2 += double(x) * double(x);
            longest = std::max(longest, std::sqrt(norm2));
        }
        if (longest > mipsNorm)
            mipsNorm = std::max(longest * 1.25, mipsNorm * 1.5);
    }

    // Room for the new slots before anything is written: once the rows are
    // committed, running out of memory or slot numbers must not be possible.
    std::size_t newSlots = 0;
    for (auto i : order)
        newSlots += m_idToSlot.count(input[i].id) ? 0 : 1;
    if (m_nextSlot + newSlots > kSlotLimit)
        return Error{m_dir + ": the index has used all " + std::to_string(kSlotLimit)
                     + " record slots (nothing was written)"};
    if (newSlots > 0) {
        std::unique_lock lock(m_lock);
        if (auto st = reserveSlotsLocked(m_nextSlot + newSlots); !st)
            return Error{st.error() + " (nothing was written)"};
    }

    // 1. The database, in one transaction.
    const std::uint64_t seq = m_seq + 1;
    std::uint64_t nextSlot = m_nextSlot;
    std::vector<std::uint64_t> slotList(order.size());
    auto fail = [&](const std::string& what) -> Status {
        const std::string message = what + ": " + sqlite3_errmsg(m_db);
        (void)exec(m_db, "ROLLBACK", m_dir);
        return Error{m_dir + ": " + message + " (nothing was written)"};
    };
    if (auto st = exec(m_db, "BEGIN IMMEDIATE", m_dir); !st)
        return st;
    {
        Stmt put(m_db, "INSERT OR REPLACE INTO vectors(slot, id, namespace, seq, vec, metadata) VALUES(?,?,?,?,?,?)");
        Stmt cfg(m_db, "UPDATE config SET value = ? WHERE key = ?");
        if (!put.ok() || !cfg.ok())
            return fail("cannot prepare the write");
        for (std::size_t k = 0; k < order.size(); ++k) {
            const VectorRecord& r = input[order[k]];
            auto existing = m_idToSlot.find(r.id);
            slotList[k] = existing != m_idToSlot.end() ? existing->second : nextSlot++;
            put.reset();
            put.bind(1, std::int64_t(slotList[k]));
            put.bind(2, r.id);
            put.bind(3, r.ns);
            put.bind(4, std::int64_t(seq));
            put.bindBlob(5, r.values.data(), r.values.size() * sizeof(float));
            put.bind(6, metadataTexts[order[k]]);
            if (put.step() != SQLITE_DONE)
                return fail("cannot write record '" + r.id + "'");
        }
        char normText[64];
        std::snprintf(normText, sizeof normText, "%.17g", mipsNorm);
        for (const auto& [key, value] : {std::pair<std::string, std::string>{"seq", std::to_string(seq)},
                                         {"nextSlot", std::to_string(nextSlot)},
                                         {"mipsNorm", normText}}) {
            cfg.reset();
            cfg.bind(1, value);
            cfg.bind(2, key);
            if (cfg.step() != SQLITE_DONE)
                return fail("cannot update the index configuration");
        }
    }
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail("cannot commit");

    // 2. Memory and the graph. The rows are durable now; if the graph update
    // fails, the next open re-adds these rows (their seq is past the
    // checkpoint's).
    std::unique_lock lock(m_lock);
    Status graphStatus;
    if (mipsNorm != m_mipsNorm) {
        m_mipsNorm = mipsNorm;
        graphStatus = rebuildGraphLocked();
    }
    std::vector<std::vector<float>> vectors(order.size());
    std::vector<std::pair<std::uint64_t, const float*>> items(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        vectors[k] = prepared(input[order[k]].values);
        items[k] = {slotList[k], vectors[k].data()};
    }
    m_seq = seq;
    m_nextSlot = nextSlot;   // m_slots already holds every slot of this write (reserved above)
    for (std::size_t k = 0; k < order.size(); ++k) {
        const VectorRecord& r = input[order[k]];
        Slot& s = m_slots[slotList[k]];
        if (!s.alive) {
            ++m_liveCount;
            m_idToSlot[r.id] = slotList[k];
        } else {
            m_metadataBytes -= s.metadataBytes;
        }
        s.id = r.id;
        s.alive = true;
        s.metadata = r.metadata.is_null() ? Json::object() : r.metadata;
        s.metadataBytes = std::uint32_t(metadataTexts[order[k]].size());
        m_metadataBytes += s.metadataBytes;
        auto [it, added] = m_namespaceIds.try_emplace(r.ns, std::uint32_t(m_namespaces.size()));
        if (added)
            m_namespaces.push_back(r.ns);
        s.ns = it->second;
    }
    if (m_compacting) {
        std::lock_guard logLock(m_compactMutex);
        m_compactLog.insert(m_compactLog.end(), slotList.begin(), slotList.end());
    }
    invalidateCaches();
    if (graphStatus)
        graphStatus = m_graph->addMany(items, m_options.insertThreads);
    for (std::size_t k = 0; k < slotList.size(); ++k) {
        m_slots[slotList[k]].node = m_graph->nodeOf(slotList[k]).value_or(kNoNode);
        encodeSlot(slotList[k], vectors[k].data());
    }
    if (!graphStatus)
        return Error{m_dir + ": the records were saved, but the graph could not take them (" + graphStatus.error()
                     + "); they are added again when the index is next opened"};
    return {};
}

Result<std::vector<VectorRecord>> VectorIndex::getByIds(const std::vector<std::string>& ids) const
{
    std::vector<VectorRecord> out;
    Stmt read(m_db, "SELECT id, namespace, vec, metadata FROM vectors WHERE id = ?");
    if (!read.ok())
        return Error{m_dir + ": cannot read records: " + sqlite3_errmsg(m_db)};
    for (const auto& id : ids) {
        read.reset();
        read.bind(1, id);
        const int rc = read.step();
        if (rc == SQLITE_DONE)
            continue;
        if (rc != SQLITE_ROW)
            return Error{m_dir + ": cannot read record '" + id + "': " + sqlite3_errmsg(m_db)};
        VectorRecord r;
        r.id = read.text(0);
        r.ns = read.text(1);
        const auto [p, n] = read.blob(2);
        r.values.resize(n / sizeof(float));
        if (n)
            std::memcpy(r.values.data(), p, r.values.size() * sizeof(float));
        r.metadata = storedMetadata(read.text(3));
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::size_t> VectorIndex::deleteByIds(const std::vector<std::string>& ids)
{
    std::size_t deleted = 0;
    {
        std::lock_guard writeLock(m_writeMutex);
        std::vector<std::uint64_t> slotList;
        std::unordered_set<std::string> seen;
        for (const auto& id : ids) {
            auto it = m_idToSlot.find(id);
            if (it != m_idToSlot.end() && seen.insert(id).second)
                slotList.push_back(it->second);
        }
        if (slotList.empty())
            return std::size_t(0);
        const std::uint64_t seq = m_seq + 1;
        if (auto st = exec(m_db, "BEGIN IMMEDIATE", m_dir); !st)
            return Error{st.error()};
        {
            Stmt del(m_db, "DELETE FROM vectors WHERE slot = ?");
            Stmt cfg(m_db, "UPDATE config SET value = ? WHERE key = 'seq'");
            bool ok = del.ok() && cfg.ok();
            for (std::size_t i = 0; ok && i < slotList.size(); ++i) {
                del.reset();
                del.bind(1, std::int64_t(slotList[i]));
                ok = del.step() == SQLITE_DONE;
            }
            if (ok) {
                cfg.bind(1, std::to_string(seq));
                ok = cfg.step() == SQLITE_DONE;
            }
            if (!ok || sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
                const std::string message = sqlite3_errmsg(m_db);
                (void)exec(m_db, "ROLLBACK", m_dir);
                return Error{m_dir + ": cannot delete: " + message + " (nothing was deleted)"};
            }
        }
        std::unique_lock lock(m_lock);
        m_seq = seq;
        for (auto slot : slotList) {
            Slot& s = m_slots[slot];
            m_idToSlot.erase(s.id);
            m_metadataBytes -= s.metadataBytes;
            s = Slot{};
            --m_liveCount;
            m_graph->markDeleted(slot);
        }
        if (m_compacting) {
            std::lock_guard logLock(m_compactMutex);
            m_compactLog.insert(m_compactLog.end(), slotList.begin(), slotList.end());
        }
        invalidateCaches();
        deleted = slotList.size();
    }
    maybeStartCompaction();
    return deleted;
}

void VectorIndex::invalidateCaches()
{
    std::lock_guard lock(m_cache->mutex);
    m_cache->live.reset();
    m_cache->namespaces.clear();
    m_cache->fields.clear();
    m_cache->results.clear();
}

std::shared_ptr<const FieldIndex> VectorIndex::fieldIndex(const std::string& name, std::size_t universe) const
{
    Cache& cache = *m_cache;
    {
        std::lock_guard lock(cache.mutex);
        if (auto it = cache.fields.find(name); it != cache.fields.end())
            return it->second;
    }
    auto built = std::make_shared<FieldIndex>();
    for (std::size_t i = 0; i < universe; ++i) {
        const Slot& s = m_slots[i];
        if (!s.alive || !s.metadata.is_object())
            continue;
        if (auto it = s.metadata.find(name); it != s.metadata.end())
            built->add(*it, i);
    }
    built->finish();
    std::lock_guard lock(cache.mutex);
    cache.fields[name] = built;
    return built;
}

std::shared_ptr<const SlotSet> VectorIndex::allowedSlots(const std::optional<std::string>& ns,
                                                         const MetadataFilter& filter) const
{
    if (!ns && filter.empty())
        return nullptr;
    const std::string key = (ns ? "n" + *ns : std::string("*")) + '\x01' + filter.canonical();
    Cache& cache = *m_cache;
    std::shared_ptr<const SlotSet> live;
    {
        std::lock_guard lock(cache.mutex);
        if (auto it = cache.results.find(key); it != cache.results.end())
            return it->second;
        live = cache.live;
    }
    const std::size_t universe = m_slots.size();
    if (!live) {
        auto set = std::make_shared<SlotSet>(universe);
        for (std::size_t i = 0; i < universe; ++i)
            if (m_slots[i].alive)
                set->set(i);
        live = set;
        std::lock_guard lock(cache.mutex);
        cache.live = live;
    }
    auto result = std::make_shared<SlotSet>(*live);
    if (ns) {
        auto nsIt = m_namespaceIds.find(*ns);
        if (nsIt == m_namespaceIds.end()) {
            result = std::make_shared<SlotSet>(universe);
        } else {
            std::shared_ptr<const SlotSet> nsSet;
            {
                std::lock_guard lock(cache.mutex);
                if (auto it = cache.namespaces.find(nsIt->second); it != cache.namespaces.end())
                    nsSet = it->second;
            }
            if (!nsSet) {
                auto set = std::make_shared<SlotSet>(universe);
                for (std::size_t i = 0; i < universe; ++i)
                    if (m_slots[i].alive && m_slots[i].ns == nsIt->second)
                        set->set(i);
                nsSet = set;
                std::lock_guard lock(cache.mutex);
                cache.namespaces[nsIt->second] = nsSet;
            }
            result->intersect(*nsSet);
        }
    }
    // Range bounds on one field combine into one run of its sorted values
    // (a window like {"$gte": a, "$lt": b} must not touch every value above a).
    std::map<std::string, std::vector<const FilterCondition*>> rangesByField;
    for (const auto& condition : filter.conditions()) {
        const bool range = condition.op == FilterOp::Lt || condition.op == FilterOp::Lte || condition.op == FilterOp::Gt
                           || condition.op == FilterOp::Gte;
        if (range) {
            rangesByField[condition.field].push_back(&condition);
            continue;
        }
        SlotSet selected(universe);
        fieldIndex(condition.field, universe)->select(condition, *live, selected);
        result->intersect(selected);
    }
    for (const auto& [name, ranges] : rangesByField) {
        SlotSet selected(universe);
        fieldIndex(name, universe)->selectRanges(ranges, *live, selected);
        result->intersect(selected);
    }
    std::lock_guard lock(cache.mutex);
    if (cache.results.size() >= 256)
        cache.results.clear();
    cache.results[key] = result;
    return result;
}

Result<QueryResult> VectorIndex::query(std::span<const float> vector, const QueryOptions& options) const
{
    if (options.topK < 1 || options.topK > kMaxTopK)
        return Error{"query: topK " + std::to_string(options.topK) + " is out of range 1.." + std::to_string(kMaxTopK)};
    if (vector.size() != std::size_t(m_config.dimension))
        return Error{"query: the vector has " + std::to_string(vector.size()) + " values, the index has dimension "
                     + std::to_string(m_config.dimension)};
    bool nonZero = false;
    for (std::size_t i = 0; i < vector.size(); ++i) {
        if (!std::isfinite(vector[i]))
            return Error{"query: value " + std::to_string(i) + " is " + (std::isnan(vector[i]) ? "NaN" : "infinite")};
        nonZero |= vector[i] != 0.0f;
    }
    if (!nonZero && m_config.metric == Metric::Cosine)
        return Error{"query: an all-zero vector has no direction (cosine metric)"};
    if (options.ns && options.ns->size() > kMaxNamespaceBytes)
        return Error{"query: the namespace is longer than " + std::to_string(kMaxNamespaceBytes) + " bytes"};
    auto filter = MetadataFilter::parse(options.filter);
    if (!filter)
        return Error{"query: " + filter.error()};
    const std::vector<float> q = preparedQuery(vector);
    double queryNorm2 = 0;
    for (float x : vector)
        queryNorm2 += double(x) * double(x);
    const std::size_t k = options.topK;
    const std::size_t ef = std::max(options.ef ? options.ef : m_config.efSearch, k);

    std::shared_lock lock(m_lock);
    QueryResult result;
    const auto allowed = allowedSlots(options.ns, *filter);
    const std::size_t candidates = allowed ? allowed->count() : m_liveCount;
    result.candidates = candidates;
    if (candidates == 0)
        return result;

    std::vector<GraphHit> hits;
    // Cost model, in full-precision distance computations: a filtered graph
    // search costs about graphCost / selectivity (it must walk past refused
    // nodes to collect ef allowed ones); an exact scan reads each candidate's
    // int8 code, about kCodeCost of a graph step (a quarter of the bytes,
    // fetched in order with prefetching; measured with bench_memory).
    constexpr double kCodeCost = 0.3;
    double graphCost = m_graphCost.load(std::memory_order_relaxed);
    if (graphCost <= 0)
        graphCost = double(ef) * double(m_config.graph.M) * 2.0;
    const double selectivity = double(candidates) / double(std::max<std::size_t>(m_liveCount, 1));
    auto exactScan = [&] {
        result.plan = QueryPlan::ExactScan;
        // The scan is bound by memory traffic, so it reads the int8 codes
        // (prefetched a few ahead), keeps the best `rerank` by approximate
        // distance, and re-ranks those with the full vectors.
        const std::size_t gd = graphDimension();
        const bool l2 = graphMetric() == Metric::Euclidean;
        float qNorm2 = 0;
        for (float x : q)
            qNorm2 += x * x;
        const CodeDotFn codeDot = distanceKernels().codeDot;
        std::vector<std::uint64_t> targets;
        targets.reserve(candidates);
        allowed->forEach([&](std::uint64_t slot) {
            if (m_slots[slot].node != kNoNode)
                targets.push_back(slot);
        });
        const std::size_t lines = (gd + 63) / 64;
        constexpr std::size_t kAhead = 8;
        auto prefetch = [&](std::size_t i) {
            const char* p = reinterpret_cast<const char*>(m_codes.data() + targets[i] * gd);
            for (std::size_t l = 0; l < lines; ++l)
                __builtin_prefetch(p + 64 * l);
        };
        for (std::size_t i = 0; i < std::min(kAhead, targets.size()); ++i)
            prefetch(i);
        const std::size_t rerank = std::max<std::size_t>(4 * k, 32);
        auto pushTop = [](std::vector<std::pair<float, std::uint64_t>>& heap, std::size_t limit, float d, std::uint64_t slot) {
            if (heap.size() < limit) {
                heap.emplace_back(d, slot);
                std::push_heap(heap.begin(), heap.end());
            } else if (d < heap.front().first) {
                std::pop_heap(heap.begin(), heap.end());
                heap.back() = {d, slot};
                std::push_heap(heap.begin(), heap.end());
            }
        };
        std::vector<std::pair<float, std::uint64_t>> rough;   // worst on top
        rough.reserve(rerank + 1);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            if (i + kAhead < targets.size())
                prefetch(i + kAhead);
            const std::uint64_t slot = targets[i];
            const float dot = m_codeScale[slot] * codeDot(q.data(), m_codes.data() + slot * gd, gd);
            pushTop(rough, rerank, l2 ? qNorm2 + m_codeNorm2[slot] - 2.0f * dot : 1.0f - dot, slot);
        }
        std::vector<std::pair<float, std::uint64_t>> heap;
        heap.reserve(k + 1);
        for (const auto& [approx, slot] : rough)
            pushTop(heap, k, m_graph->distance(q.data(), m_graph->vectorAt(m_slots[slot].node)), slot);
        std::sort_heap(heap.begin(), heap.end());
        hits.clear();
        for (const auto& [d, slot] : heap)
            hits.push_back({d, slot});
    };
    if (!allowed) {
        result.plan = QueryPlan::Graph;
        std::size_t computed = 0;
        hits = m_graph->search(q.data(), k, ef, nullptr, &computed);
        m_graphCost.store(graphCost * 0.9 + double(computed) * 0.1, std::memory_order_relaxed);
    } else if (options.plan == PlanHint::ExactScan
               || (options.plan == PlanHint::Auto && kCodeCost * double(candidates) <= graphCost / selectivity)) {
        exactScan();
    } else {
        result.plan = QueryPlan::FilteredGraph;
        std::size_t computed = 0;
        hits = m_graph->search(q.data(), k, ef, allowed.get(), &computed);
        m_graphCost.store(graphCost * 0.9 + double(computed) * selectivity * 0.1, std::memory_order_relaxed);
        // A sparse filter can strand the walk in a region with too few
        // allowed nodes; the exact scan is always right.
        if (hits.size() < std::min(k, candidates))
            exactScan();
    }

    result.matches.reserve(hits.size());
    for (const auto& hit : hits) {
        if (hit.label >= m_slots.size() || !m_slots[hit.label].alive)
            continue;
        const Slot& s = m_slots[hit.label];
        Match m;
        m.id = s.id;
        m.ns = m_namespaces[s.ns];
        switch (m_config.metric) {
        case Metric::Euclidean: m.score = std::sqrt(std::max(hit.distance, 0.0f)); break;
        case Metric::Cosine: m.score = 1.0f - hit.distance; break;
        case Metric::DotProduct:
            m.score = float((queryNorm2 + m_mipsNorm * m_mipsNorm - double(hit.distance)) / 2.0);
            break;
        }
        if (options.returnMetadata)
            m.metadata = s.metadata;
        result.matches.push_back(std::move(m));
    }
    if (options.returnValues) {
        std::vector<std::string> ids;
        for (const auto& m : result.matches)
            ids.push_back(m.id);
        auto records = getByIds(ids);
        if (!records)
            return Error{records.error()};
        for (std::size_t i = 0; i < result.matches.size() && i < records->size(); ++i)
            result.matches[i].values = std::move((*records)[i].values);
    }
    return result;
}

IndexInfo VectorIndex::describe() const
{
    std::shared_lock lock(m_lock);
    IndexInfo info;
    info.dimension = m_config.dimension;
    info.metric = m_config.metric;
    info.embedder = m_config.embedder;
    info.count = m_liveCount;
    info.deletedNodes = m_graph->deletedCount();
    info.vectorBytes = m_liveCount * std::size_t(m_config.dimension) * sizeof(float);
    info.metadataBytes = m_metadataBytes;
    info.graphMemoryBytes = m_graph->memoryBytes();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_dir, ec))
        if (entry.is_regular_file(ec))
            info.diskBytes += entry.file_size(ec);
    std::vector<bool> used(m_namespaces.size(), false);
    for (const auto& s : m_slots)
        if (s.alive)
            used[s.ns] = true;
    for (std::size_t i = 0; i < m_namespaces.size(); ++i)
        if (used[i])
            info.namespaces.push_back(m_namespaces[i]);
    std::sort(info.namespaces.begin(), info.namespaces.end());
    return info;
}

Status VectorIndex::bindEmbedder(const std::string& embedderId)
{
    std::lock_guard writeLock(m_writeMutex);
    if (m_config.embedder == embedderId)
        return {};
    if (!m_config.embedder.empty())
        return Error{m_dir + ": the index holds vectors of embedder '" + m_config.embedder + "', not '" + embedderId + "'"};
    if (m_liveCount > 0)
        return Error{m_dir + ": the index already holds vectors from an unknown source; it cannot take embedder '"
                     + embedderId + "'"};
    Stmt put(m_db, "INSERT OR REPLACE INTO config(key, value) VALUES('embedder', ?)");
    put.bind(1, embedderId);
    if (put.step() != SQLITE_DONE)
        return Error{m_dir + ": cannot record the embedder: " + sqlite3_errmsg(m_db)};
    std::unique_lock lock(m_lock);
    m_config.embedder = embedderId;
    return {};
}

Status VectorIndex::checkpoint()
{
    std::lock_guard writeLock(m_writeMutex);
    std::shared_lock lock(m_lock);
    return checkpointLocked();
}

Status VectorIndex::checkpointLocked()
{
    const fs::path dir(m_dir);
    const std::string graphTmp = (dir / (std::string(kGraphFile) + ".tmp")).string();
    const std::string recordTmp = (dir / (std::string(kGraphRecordFile) + ".tmp")).string();
    if (auto st = m_graph->save(graphTmp); !st)
        return st;
    if (!fsyncPath(graphTmp))
        return Error{graphTmp + ": cannot flush to disk"};
    const auto sum = fileChecksum(graphTmp);
    if (!sum)
        return Error{graphTmp + ": cannot read back"};
    const Json record = {{"format", kGraphFormat},          {"seq", m_seq},
                         {"bytes", sum->second},            {"checksum", hex64(sum->first)},
                         {"dimension", m_config.dimension}, {"metric", metricName(m_config.metric)},
                         {"mipsNorm", m_mipsNorm},
                         {"nodes", m_graph->nodeCount()}};
    if (auto st = writeFileDurably(recordTmp, record.dump(1) + "\n"); !st)
        return st;
    // graph.hnsw first: between the two renames the old record does not
    // match the new file, so the graph is rebuilt rather than trusted.
    std::error_code ec;
    fs::rename(graphTmp, dir / kGraphFile, ec);
    if (!ec)
        fs::rename(recordTmp, dir / kGraphRecordFile, ec);
    if (ec)
        return Error{m_dir + ": cannot replace the graph checkpoint: " + ec.message()};
    fsyncPath(m_dir, true);
    m_savedSeq = m_seq;
    return {};
}

// Dot product: re-derives every node's extra component for a new bound.
// Needs the exclusive lock.
Status VectorIndex::rebuildGraphLocked()
{
    const std::size_t dim = std::size_t(m_config.dimension);
    std::vector<std::vector<float>> vectors;
    std::vector<std::pair<std::uint64_t, const float*>> items;
    vectors.reserve(m_liveCount);
    for (std::uint64_t slot = 0; slot < m_slots.size(); ++slot) {
        const Slot& s = m_slots[slot];
        if (!s.alive || s.node == kNoNode)
            continue;
        const float* v = m_graph->vectorAt(s.node);
        vectors.push_back(prepared(std::span<const float>(v, dim)));
        items.emplace_back(slot, vectors.back().data());
    }
    auto fresh = HnswGraph::create(graphDimension(), graphMetric(), m_graph->params(),
                                   std::max<std::size_t>(items.size() * 2, 1024));
    if (!fresh)
        return Error{fresh.error()};
    if (auto st = fresh.value()->addMany(items, m_options.insertThreads); !st)
        return st;
    m_graph = std::move(fresh.value());
    for (std::uint64_t slot = 0; slot < m_slots.size(); ++slot) {
        if (!m_slots[slot].alive)
            continue;
        m_slots[slot].node = m_graph->nodeOf(slot).value_or(kNoNode);
        if (m_slots[slot].node != kNoNode)
            encodeSlot(slot, m_graph->vectorAt(m_slots[slot].node));
    }
    return {};
}

Status VectorIndex::reserveSlotsLocked(std::uint64_t count)
{
    try {
        if (m_slots.size() < count)
            m_slots.resize(count);
        const std::size_t dim = graphDimension();
        if (m_codeScale.size() < count) {
            m_codes.resize(count * dim);
            m_codeScale.resize(count);
            m_codeNorm2.resize(count);
        }
    } catch (const std::exception&) {
        return Error{m_dir + ": not enough memory for " + std::to_string(count) + " record slots"};
    }
    return {};
}

void VectorIndex::encodeSlot(std::uint64_t slot, const float* v)
{
    const std::size_t dim = graphDimension();
    if (m_codeScale.size() <= slot) {
        const std::size_t size = std::max<std::size_t>(slot + 1, m_codeScale.size() + m_codeScale.size() / 2);
        m_codeScale.resize(size);
        m_codeNorm2.resize(size);
        m_codes.resize(size * dim);
    }
    float maxAbs = 0, norm2 = 0;
    for (std::size_t i = 0; i < dim; ++i) {
        maxAbs = std::max(maxAbs, std::abs(v[i]));
        norm2 += v[i] * v[i];
    }
    const float scale = maxAbs > 0 ? maxAbs / 127.0f : 1.0f;
    std::int8_t* code = m_codes.data() + slot * dim;
    for (std::size_t i = 0; i < dim; ++i)
        code[i] = static_cast<std::int8_t>(std::lround(std::clamp(v[i] / scale, -127.0f, 127.0f)));
    m_codeScale[slot] = scale;
    m_codeNorm2[slot] = norm2;
}

void VectorIndex::maybeStartCompaction()
{
    if (!m_options.backgroundCompaction)
        return;
    {
        std::shared_lock lock(m_lock);
        const std::size_t nodes = m_graph->nodeCount(), deleted = m_graph->deletedCount();
        if (deleted < 64 || deleted * 4 < nodes)
            return;
    }
    if (m_compacting.exchange(true))
        return;
    std::lock_guard threadLock(m_compactMutex);
    if (m_compactor.joinable())
        m_compactor.join();
    m_compactor = std::thread([this] { (void)compactImpl(); });
}

void VectorIndex::waitForCompaction()
{
    std::thread finished;
    {
        std::lock_guard threadLock(m_compactMutex);
        finished = std::move(m_compactor);
    }
    if (finished.joinable())
        finished.join();
}

Status VectorIndex::compact()
{
    waitForCompaction();
    while (m_compacting.exchange(true))
        waitForCompaction();
    return compactImpl();
}

// Runs with m_compacting set (by the caller); clears it when done.
Status VectorIndex::compactImpl()
{
    struct Done {
        std::atomic<bool>& flag;
        ~Done() { flag = false; }
    } done{m_compacting};

    // 1. Snapshot the live vectors; writes from here on are logged.
    std::vector<float> data;
    std::vector<std::uint64_t> labels;
    GraphParams params;
    double snapshotNorm = 0;
    {
        std::lock_guard writeLock(m_writeMutex);
        std::shared_lock lock(m_lock);
        {
            std::lock_guard logLock(m_compactMutex);
            m_compactLog.clear();
        }
        params = m_graph->params();
        snapshotNorm = m_mipsNorm;
        const std::size_t dim = graphDimension();
        data.reserve(m_liveCount * dim);
        for (std::uint64_t slot = 0; slot < m_slots.size(); ++slot) {
            const Slot& s = m_slots[slot];
            if (!s.alive || s.node == kNoNode)
                continue;
            const float* v = m_graph->vectorAt(s.node);
            data.insert(data.end(), v, v + dim);
            labels.push_back(slot);
        }
    }
    // 2. Build the new graph with no lock held.
    const std::size_t dim = graphDimension();
    auto fresh = HnswGraph::create(dim, graphMetric(), params, std::max<std::size_t>(labels.size(), 1024));
    if (!fresh)
        return Error{fresh.error()};
    std::vector<std::pair<std::uint64_t, const float*>> items(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        items[i] = {labels[i], data.data() + i * dim};
    if (auto st = fresh.value()->addMany(items, m_options.insertThreads); !st)
        return st;
    // 3. Replay what changed meanwhile, swap, checkpoint.
    std::lock_guard writeLock(m_writeMutex);
    std::unique_lock lock(m_lock);
    if (snapshotNorm != m_mipsNorm)
        return {};   // a write rebuilt the graph meanwhile (new dot-product bound)
    auto& graph = fresh.value();
    std::vector<std::uint64_t> log;
    {
        std::lock_guard logLock(m_compactMutex);
        log.swap(m_compactLog);
    }
    std::sort(log.begin(), log.end());
    log.erase(std::unique(log.begin(), log.end()), log.end());
    for (auto slot : log) {
        const Slot& s = m_slots[slot];
        if (s.alive && s.node != kNoNode) {
            if (auto st = graph->add(slot, m_graph->vectorAt(s.node)); !st)
                return st;
        } else {
            graph->markDeleted(slot);
        }
    }
    m_graph = std::move(graph);
    for (std::uint64_t slot = 0; slot < m_slots.size(); ++slot)
        if (m_slots[slot].alive)
            m_slots[slot].node = m_graph->nodeOf(slot).value_or(kNoNode);
    return checkpointLocked();
}

} // namespace outpost::core::memory
