// Vector memory: recall against brute force, filters, namespaces,
// persistence and crash recovery, bad input, embedders and chunking.
#include "core/memory/chunker.h"
#include "core/memory/distance.h"
#include "core/memory/engine_embedder.h"
#include "core/memory/hashing_embedder.h"
#include "core/memory/memory_nodes.h"
#include "core/memory/memory_store.h"
#include "core/memory/vector_index.h"
#include "inference/engine.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <thread>

using namespace outpost::core::memory;
namespace fs = std::filesystem;

namespace {

// Clustered data: `clusters` Gaussian blobs, as real embeddings cluster.
std::vector<std::vector<float>> clustered(std::size_t n, int dim, std::uint32_t seed, int clusters = 40)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<std::vector<float>> centers(static_cast<std::size_t>(clusters), std::vector<float>(static_cast<std::size_t>(dim)));
    for (auto& c : centers)
        for (auto& x : c)
            x = normal(rng);
    std::vector<std::vector<float>> out(n, std::vector<float>(static_cast<std::size_t>(dim)));
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = centers[rng() % centers.size()];
        for (int d = 0; d < dim; ++d)
            out[i][std::size_t(d)] = c[std::size_t(d)] + 0.35f * normal(rng);
    }
    return out;
}

// The oracle: exact distances in double precision.
double exactDistance(Metric metric, const std::vector<float>& a, const std::vector<float>& b)
{
    double dot = 0, na = 0, nb = 0, l2 = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
        l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    }
    switch (metric) {
    case Metric::Cosine: return 1.0 - dot / std::sqrt(na * nb);
    case Metric::Euclidean: return l2;
    case Metric::DotProduct: return -dot;
    }
    return 0;
}

std::vector<std::size_t> bruteForce(Metric metric, const std::vector<std::vector<float>>& data,
                                    const std::vector<float>& q, std::size_t k,
                                    const std::function<bool(std::size_t)>& allow = {})
{
    std::vector<std::pair<double, std::size_t>> all;
    for (std::size_t i = 0; i < data.size(); ++i)
        if (!allow || allow(i))
            all.emplace_back(exactDistance(metric, data[i], q), i);
    const std::size_t m = std::min(k, all.size());
    std::partial_sort(all.begin(), all.begin() + std::ptrdiff_t(m), all.end());
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m; ++i)
        out.push_back(all[i].second);
    return out;
}

std::string idOf(std::size_t i)
{
    std::string id = std::to_string(i);
    id.insert(id.begin(), 'v');
    return id;
}

double recallOf(const std::vector<Match>& got, const std::vector<std::size_t>& truth)
{
    if (truth.empty())
        return got.empty() ? 1.0 : 0.0;
    std::set<std::string> want;
    for (auto i : truth)
        want.insert(idOf(i));
    std::size_t hit = 0;
    for (const auto& m : got)
        hit += want.count(m.id);
    return double(hit) / double(truth.size());
}

IndexConfig config(int dim, Metric metric)
{
    IndexConfig c;
    c.dimension = dim;
    c.metric = metric;
    c.graph.efConstruction = 200;
    return c;
}

std::vector<VectorRecord> records(const std::vector<std::vector<float>>& data,
                                  const std::function<Json(std::size_t)>& metadata = {},
                                  const std::function<std::string(std::size_t)>& ns = {})
{
    std::vector<VectorRecord> out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        VectorRecord r;
        r.id = idOf(i);
        r.values = data[i];
        if (metadata)
            r.metadata = metadata(i);
        if (ns)
            r.ns = ns(i);
        out.push_back(std::move(r));
    }
    return out;
}

std::unique_ptr<VectorIndex> mustCreate(const QString& dir, const IndexConfig& c, const OpenOptions& o = {})
{
    auto index = VectorIndex::create(dir.toStdString(), c, o);
    if (!index)
        qFatal("create: %s", index.error().c_str());
    return std::move(index.value());
}

std::unique_ptr<VectorIndex> mustOpen(const QString& dir, const OpenOptions& o = {})
{
    auto index = VectorIndex::open(dir.toStdString(), o);
    if (!index)
        qFatal("open: %s", index.error().c_str());
    return std::move(index.value());
}

// Runs `sql` on the index's database behind its back (acting out damage).
void execOnIndexDb(const QString& dir, const char* sql)
{
    sqlite3* db = nullptr;
    const std::string path = (fs::path(dir.toStdString()) / "index.sqlite").string();
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, message.c_str());
}

std::vector<std::string> ids(const QueryResult& r)
{
    std::vector<std::string> out;
    for (const auto& m : r.matches)
        out.push_back(m.id);
    return out;
}

} // namespace

class TestMemory : public QObject {
    Q_OBJECT

private slots:
    void distanceKernelsAgreeWithScalar()
    {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> u(-1, 1);
        for (std::size_t dim : {1u, 3u, 8u, 15u, 16u, 17u, 31u, 33u, 100u, 384u, 4096u}) {
            std::vector<float> a(dim), b(dim);
            for (std::size_t i = 0; i < dim; ++i) {
                a[i] = u(rng);
                b[i] = u(rng);
            }
            const float l2 = distanceKernels().l2(a.data(), b.data(), &dim);
            const float l2s = scalarDistanceKernels().l2(a.data(), b.data(), &dim);
            const float ip = distanceKernels().ip(a.data(), b.data(), &dim);
            const float ips = scalarDistanceKernels().ip(a.data(), b.data(), &dim);
            QVERIFY2(std::abs(l2 - l2s) <= 1e-4f * std::max(1.0f, l2s), qPrintable(QString::number(dim)));
            QVERIFY2(std::abs(ip - ips) <= 1e-4f * std::max(1.0f, std::abs(ips)), qPrintable(QString::number(dim)));
        }
    }

    void recallAgainstBruteForce_data()
    {
        QTest::addColumn<int>("metric");
        QTest::newRow("cosine") << int(Metric::Cosine);
        QTest::newRow("euclidean") << int(Metric::Euclidean);
        QTest::newRow("dot-product") << int(Metric::DotProduct);
    }
    void recallAgainstBruteForce()
    {
        QFETCH(int, metric);
        const auto m = Metric(metric);
        QTemporaryDir dir;
        const int dim = 48;
        const auto data = clustered(6000, dim, 11);
        auto index = mustCreate(dir.filePath("i"), config(dim, m));
        QVERIFY(index->upsert(records(data)).ok());
        const auto queries = clustered(100, dim, 12);
        double recall = 0;
        for (const auto& q : queries) {
            QueryOptions o;
            o.topK = 10;
            auto r = index->query(q, o);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
            QCOMPARE(r->plan, QueryPlan::Graph);
            QCOMPARE(r->matches.size(), std::size_t(10));
            for (std::size_t i = 1; i < r->matches.size(); ++i) {
                // Best first: similarity falls, distance rises.
                if (m == Metric::Euclidean)
                    QVERIFY(r->matches[i - 1].score <= r->matches[i].score + 1e-5f);
                else
                    QVERIFY(r->matches[i - 1].score >= r->matches[i].score - 1e-5f);
            }
            recall += recallOf(r->matches, bruteForce(m, data, q, 10));
        }
        recall /= double(queries.size());
        qInfo("recall@10 = %.3f", recall);

        QVERIFY2(recall >= 0.95, qPrintable(QString::number(recall)));
        // Scores mean what the metric says.
        QueryOptions o;
        o.topK = 1;
        auto self = index->query(data[5], o);
        QVERIFY(self.ok());
        if (m == Metric::DotProduct) {
            // The score is the dot product itself (the graph searches a
            // transformed space).
            const auto top = bruteForce(m, data, data[5], 1)[0];
            QCOMPARE(self->matches[0].id, idOf(top));
            const double dot = -exactDistance(m, data[top], data[5]);
            QVERIFY2(std::abs(self->matches[0].score - dot) < 1e-3 * std::abs(dot), qPrintable(QString::number(dot)));
            return;
        }
        QCOMPARE(self->matches[0].id, idOf(5));
        if (m == Metric::Cosine)
            QVERIFY(std::abs(self->matches[0].score - 1.0f) < 1e-4f);
        if (m == Metric::Euclidean)
            QVERIFY(std::abs(self->matches[0].score) < 1e-3f);
    }

    void everyFilterOperator()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(400, dim, 21, 5);
        auto meta = [](std::size_t i) {
            Json j = Json::object();
            j["n"] = int(i);
            j["tag"] = std::string("t").append(std::to_string(i % 5));
            j["flag"] = i % 2 == 0;
            if (i % 7 == 0)
                j.erase("tag");   // some records lack a field
            if (i % 11 == 0)
                j["tag"] = Json::array({"t1"});   // arrays never equal scalars
            return j;
        };
        auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Euclidean));
        QVERIFY(index->upsert(records(data, meta)).ok());

        struct Case {
            const char* filter;
            std::function<bool(std::size_t)> expect;
        };
        auto tag = [&](std::size_t i) -> std::string {
            const Json j = meta(i);
            return j.contains("tag") && j["tag"].is_string() ? j["tag"].get<std::string>() : std::string();
        };
        const Case cases[] = {
            {R"({"tag": "t1"})", [&](std::size_t i) { return tag(i) == "t1"; }},
            {R"({"tag": {"$eq": "t2"}})", [&](std::size_t i) { return tag(i) == "t2"; }},
            {R"({"tag": {"$ne": "t2"}})", [&](std::size_t i) { return tag(i) != "t2"; }},
            {R"({"tag": {"$in": ["t1", "t3"]}})", [&](std::size_t i) { return tag(i) == "t1" || tag(i) == "t3"; }},
            {R"({"tag": {"$nin": ["t1", "t3"]}})", [&](std::size_t i) { return tag(i) != "t1" && tag(i) != "t3"; }},
            {R"({"n": {"$lt": 100}})", [](std::size_t i) { return i < 100; }},
            {R"({"n": {"$lte": 100}})", [](std::size_t i) { return i <= 100; }},
            {R"({"n": {"$gt": 350}})", [](std::size_t i) { return i > 350; }},
            {R"({"n": {"$gte": 350}})", [](std::size_t i) { return i >= 350; }},
            {R"({"n": {"$gte": 100, "$lt": 120}})", [](std::size_t i) { return i >= 100 && i < 120; }},
            {R"({"flag": true})", [](std::size_t i) { return i % 2 == 0; }},
            {R"({"flag": {"$ne": true}, "n": {"$lt": 50}})", [](std::size_t i) { return i % 2 == 1 && i < 50; }},
            {R"({"tag": {"$gt": "t2"}})", [&](std::size_t i) { return !tag(i).empty() && tag(i) > "t2"; }},
            {R"({"n": 42.0})", [](std::size_t i) { return i == 42; }},
            {R"({"n": "42"})", [](std::size_t) { return false; }},   // types never mix
            {R"({"missing": {"$ne": 1}})", [](std::size_t) { return true; }},
            {R"({"missing": 1})", [](std::size_t) { return false; }},
        };
        const auto q = clustered(1, dim, 22, 5)[0];
        for (const auto& c : cases) {
            const Json filter = Json::parse(c.filter);
            auto parsed = MetadataFilter::parse(filter);
            QVERIFY2(parsed.ok(), c.filter);
            for (std::size_t i = 0; i < data.size(); ++i)
                QVERIFY2(parsed->matches(meta(i)) == c.expect(i), qPrintable(QString("%1 at %2").arg(c.filter).arg(i)));
            QueryOptions o;
            o.topK = 20;
            o.filter = filter;
            o.returnMetadata = true;
            auto r = index->query(q, o);
            QVERIFY2(r.ok(), c.filter);
            const auto truth = bruteForce(Metric::Euclidean, data, q, 20, c.expect);
            QCOMPARE(r->matches.size(), truth.size());
            QVERIFY2(recallOf(r->matches, truth) == 1.0, c.filter);
            for (const auto& m : r->matches)
                QVERIFY2(parsed->matches(*m.metadata), c.filter);
        }
    }

    void filteredRecallAtEverySelectivity()
    {
        QTemporaryDir dir;
        const int dim = 32;
        const auto data = clustered(10000, dim, 31);
        auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Cosine));
        QVERIFY(index->upsert(records(data, [](std::size_t i) { return Json{{"bucket", int(i % 1000)}}; })).ok());
        const auto queries = clustered(40, dim, 32);
        for (int keep : {500, 100, 10, 1}) {   // 50%, 10%, 1%, 0.1%
            for (PlanHint hint : {PlanHint::Auto, PlanHint::FilteredGraph, PlanHint::ExactScan}) {
                double recall = 0;
                std::set<QueryPlan> plans;
                for (const auto& q : queries) {
                    QueryOptions o;
                    o.topK = 10;
                    o.filter = Json{{"bucket", Json{{"$lt", keep}}}};
                    o.plan = hint;
                    auto r = index->query(q, o);
                    QVERIFY(r.ok());
                    QCOMPARE(r->candidates, std::size_t(keep) * 10);
                    plans.insert(r->plan);
                    recall += recallOf(r->matches, bruteForce(Metric::Cosine, data, q, 10,
                                                              [&](std::size_t i) { return int(i % 1000) < keep; }));
                }
                recall /= double(queries.size());
                qInfo("selectivity %.1f%%, hint %d: recall@10 %.3f, plan %s", keep / 10.0, int(hint), recall,
                      queryPlanName(*plans.begin()));
                QVERIFY2(recall >= 0.95, qPrintable(QString("keep %1: %2").arg(keep).arg(recall)));
                if (hint == PlanHint::Auto && keep <= 10)
                    QVERIFY(plans == std::set<QueryPlan>{QueryPlan::ExactScan});
                if (hint == PlanHint::ExactScan)
                    QVERIFY(plans == std::set<QueryPlan>{QueryPlan::ExactScan});
            }
        }
    }

    void namespacesPartition()
    {
        QTemporaryDir dir;
        const int dim = 8;
        const auto data = clustered(300, dim, 41, 3);
        auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Euclidean));
        QVERIFY(index->upsert(records(data, {}, [](std::size_t i) { return i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : ""; })).ok());
        QueryOptions o;
        o.topK = 100;
        o.ns = "a";
        auto r = index->query(data[1], o);
        QVERIFY(r.ok());
        QCOMPARE(r->matches.size(), std::size_t(100));
        for (const auto& m : r->matches)
            QCOMPARE(m.ns, std::string("a"));
        o.ns = "";
        r = index->query(data[1], o);
        QVERIFY(r.ok());
        for (const auto& m : r->matches)
            QCOMPARE(m.ns, std::string());
        o.ns = "nope";
        r = index->query(data[1], o);
        QVERIFY(r.ok());
        QVERIFY(r->matches.empty());
        o.ns.reset();   // all namespaces
        o.topK = 1;
        r = index->query(data[1], o);
        QCOMPARE(r->matches.at(0).id, idOf(1));
        QCOMPARE(r->matches.at(0).ns, std::string("b"));
        // An upsert moves a record between namespaces.
        VectorRecord moved{idOf(1), data[1], Json::object(), "a"};
        QVERIFY(index->upsert({moved}).ok());
        o.ns = "a";
        r = index->query(data[1], o);
        QCOMPARE(r->matches.at(0).id, idOf(1));
        const auto info = index->describe();
        QCOMPARE(info.namespaces, (std::vector<std::string>{"", "a", "b"}));
        QCOMPARE(info.count, std::size_t(300));
    }

    void reopenKeepsEverything()
    {
        QTemporaryDir dir;
        const int dim = 24;
        const auto data = clustered(2000, dim, 51);
        std::vector<std::vector<std::string>> before;
        const auto queries = clustered(20, dim, 52);
        {
            auto index = mustCreate(dir.filePath("i"), config(dim, Metric::DotProduct));
            QVERIFY(index->upsert(records(data, [](std::size_t i) { return Json{{"i", int(i)}}; })).ok());
            QCOMPARE(index->deleteByIds({idOf(0), idOf(1), "nope"}).value(), std::size_t(2));
            for (const auto& q : queries)
                before.push_back(ids(index->query(q, QueryOptions{}).value()));
        }
        auto index = mustOpen(dir.filePath("i"));
        QCOMPARE(index->config().dimension, dim);
        QCOMPARE(index->config().metric, Metric::DotProduct);
        QCOMPARE(index->describe().count, std::size_t(1998));
        for (std::size_t i = 0; i < queries.size(); ++i)
            QCOMPARE(ids(index->query(queries[i], QueryOptions{}).value()), before[i]);
        auto got = index->getByIds({idOf(7), idOf(0), idOf(9)});
        QVERIFY(got.ok());
        QCOMPARE(got->size(), std::size_t(2));
        QCOMPARE((*got)[0].id, idOf(7));
        QCOMPARE((*got)[0].values, data[7]);
        QCOMPARE((*got)[1].metadata["i"].get<int>(), 9);
    }

    // The database committed, the process died before the graph was saved:
    // the graph on disk is older than the database.
    void crashAfterMetadataBeforeGraph()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(1200, dim, 61);
        OpenOptions crashy;
        crashy.checkpointOnClose = false;
        crashy.backgroundCompaction = false;
        {
            auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Cosine), crashy);
            auto all = records(data);
            QVERIFY(index->upsert({all.begin(), all.begin() + 1000}).ok());
            QVERIFY(index->checkpoint().ok());
            // After the checkpoint: 200 new, 50 deleted, 1 moved to a new vector.
            QVERIFY(index->upsert({all.begin() + 1000, all.end()}).ok());
            std::vector<std::string> gone;
            for (std::size_t i = 0; i < 50; ++i)
                gone.push_back(idOf(i));
            QCOMPARE(index->deleteByIds(gone).value(), std::size_t(50));
            QVERIFY(index->upsert({VectorRecord{idOf(60), data[1100], {}, ""}}).ok());
        }   // "crash": no checkpoint on close
        auto index = mustOpen(dir.filePath("i"));
        QCOMPARE(index->describe().count, std::size_t(1150));
        QueryOptions o;
        o.topK = 1;
        QCOMPARE(index->query(data[1150], o)->matches.at(0).id, idOf(1150));   // added after the checkpoint
        const auto deleted = index->query(data[10], o);
        QVERIFY(deleted.ok() && !deleted->matches.empty());
        QVERIFY(deleted->matches.front().id != idOf(10));   // deleted after it
        o.topK = 2;
        const auto twins = ids(index->query(data[1100], o).value());
        QVERIFY(std::find(twins.begin(), twins.end(), idOf(60)) != twins.end());
        o.topK = 100;
        const auto hundred = index->query(data[10], o);   // kept alive: the loop reads its matches
        QVERIFY(hundred.ok());
        for (const auto& m : hundred->matches)
            QVERIFY(m.id != idOf(10));
    }

    // The graph was saved, the database is older (restored from a copy, or a
    // write that never committed): the database wins.
    void graphNewerThanDatabase()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(600, dim, 71);
        const QString path = dir.filePath("i");
        auto all = records(data);
        {
            auto index = mustCreate(path, config(dim, Metric::Euclidean));
            QVERIFY(index->upsert({all.begin(), all.begin() + 500}).ok());
        }
        fs::copy_file(fs::path(path.toStdString()) / "index.sqlite", dir.filePath("backup.sqlite").toStdString());
        {
            auto index = mustOpen(path);
            QVERIFY(index->deleteByIds({idOf(0), idOf(1)}).ok());
            QVERIFY(index->upsert({VectorRecord{idOf(5), data[550], {}, ""}}).ok());
            QVERIFY(index->upsert({all.begin() + 500, all.end()}).ok());
        }
        fs::remove(fs::path(path.toStdString()) / "index.sqlite");
        fs::copy_file(dir.filePath("backup.sqlite").toStdString(), fs::path(path.toStdString()) / "index.sqlite");
        auto index = mustOpen(path);
        QCOMPARE(index->describe().count, std::size_t(500));
        QueryOptions o;
        o.topK = 1;
        QCOMPARE(index->query(data[0], o)->matches.at(0).id, idOf(0));
        QCOMPARE(index->query(data[5], o)->matches.at(0).id, idOf(5));
        QVERIFY(index->query(data[550], o)->matches.at(0).id != idOf(550));
        QVERIFY(index->query(data[550], o)->matches.at(0).score > 0.0f);
    }

    void damagedGraphIsRebuilt()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(500, dim, 81);
        const QString path = dir.filePath("i");
        {
            auto index = mustCreate(path, config(dim, Metric::Cosine));
            QVERIFY(index->upsert(records(data)).ok());
        }
        const auto graph = fs::path(path.toStdString()) / "graph.hnsw";
        {
            std::fstream f(graph, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(200);
            f.write("garbage!", 8);
        }
        auto index = mustOpen(path);
        QueryOptions o;
        o.topK = 1;
        for (std::size_t i : {0u, 123u, 499u})
            QCOMPARE(index->query(data[i], o)->matches.at(0).id, idOf(i));
        index.reset();
        fs::resize_file(graph, 100);   // truncated
        index = mustOpen(path);
        QCOMPARE(index->query(data[321], o)->matches.at(0).id, idOf(321));
    }

    void damagedRecordAndConfigRefused()
    {
        QTemporaryDir dir;
        const int dim = 8;
        const auto data = clustered(50, dim, 7);
        const QString path = dir.filePath("i");
        QVERIFY(mustCreate(path, config(dim, Metric::Cosine))->upsert(records(data)).ok());
        QueryOptions o;
        o.topK = 1;

        // graph.json whose fields have the wrong types: the graph is rebuilt.
        const auto recordFile = fs::path(path.toStdString()) / "graph.json";
        for (const char* text : {R"({"format": "1"})", R"({"format": 1, "dimension": 8, "metric": 3})",
                                 R"({"format": 1, "dimension": 8, "metric": "cosine", "checksum": 5, "bytes": 1})",
                                 R"({"format": 1, "dimension": 8, "metric": "cosine", "mipsNorm": "0", "seq": 1})",
                                 R"({"format": 1, "dimension": 8, "metric": "cosine", "checksum": "0", "bytes": -1, "seq": {}})",
                                 R"([1, 2])"}) {
            std::ofstream(recordFile, std::ios::trunc) << text;
            auto index = VectorIndex::open(path.toStdString());
            QVERIFY2(index.ok(), text);
            QCOMPARE(index.value()->describe().count, data.size());
            QCOMPARE(index.value()->query(data[17], o)->matches.at(0).id, idOf(17));
        }

        // A row's slot far past the next free slot (a flipped bit): a clear
        // error, not an allocation of billions of slots.
        execOnIndexDb(path, "UPDATE vectors SET slot = 3000000000 WHERE slot = 5");
        auto damaged = VectorIndex::open(path.toStdString());
        QVERIFY(!damaged.ok());
        QVERIFY2(damaged.error().find("out of range") != std::string::npos, damaged.error().c_str());
        execOnIndexDb(path, "UPDATE vectors SET slot = 5 WHERE slot = 3000000000");

        // A next slot that does not fit a graph label.
        execOnIndexDb(path, "UPDATE config SET value = '18446744073709551615' WHERE key = 'nextSlot'");
        damaged = VectorIndex::open(path.toStdString());
        QVERIFY(!damaged.ok());
        QVERIFY2(damaged.error().find("damaged") != std::string::npos, damaged.error().c_str());

        // Every slot used: a new record is refused before anything is written;
        // replacing an existing one still works.
        execOnIndexDb(path, "UPDATE config SET value = '4294967296' WHERE key = 'nextSlot'");
        {
            auto index = mustOpen(path);
            auto refused = index->upsert({VectorRecord{"new", data[0], {}, ""}});
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().find("nothing was written") != std::string::npos, refused.error().c_str());
            QVERIFY(index->getByIds({"new"})->empty());
            QVERIFY(index->upsert({VectorRecord{idOf(3), data[4], {}, ""}}).ok());
        }
        auto index = mustOpen(path);
        QCOMPARE(index->describe().count, data.size());
        QVERIFY(index->getByIds({"new"})->empty());
        QCOMPARE(index->getByIds({idOf(3)})->at(0).values, data[4]);
        index.reset();

        // Metadata nested deep enough to overflow the stack when copied: read
        // as {}, and the row is still found; such metadata is never written.
        const std::string deep = "{\"d\": " + std::string(300000, '[') + std::string(300000, ']') + "}";
        execOnIndexDb(path, ("UPDATE vectors SET metadata = '" + deep + "' WHERE id = 'v17'").c_str());
        index = mustOpen(path);
        o.returnMetadata = true;
        auto found = index->query(data[17], o);
        QVERIFY(found.ok());
        QCOMPARE(found->matches.at(0).id, idOf(17));
        QCOMPARE(*found->matches.at(0).metadata, Json::object());
        QCOMPARE(index->getByIds({idOf(17)})->at(0).metadata, Json::object());
        Json tooDeep = 1;
        for (int i = 0; i < 600; ++i)
            tooDeep = Json::array({std::move(tooDeep)});
        auto refused = index->upsert({VectorRecord{"deep", data[1], Json{{"d", tooDeep}}, ""}});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().find("deeper than") != std::string::npos, refused.error().c_str());
    }

    void mismatchesRefused()
    {
        QTemporaryDir dir;
        const std::string project = dir.path().toStdString();
        auto created = createIndex(project, "notes", config(8, Metric::Cosine));
        QVERIFY(created.ok());
        created.value().reset();
        // Same name again, whatever the dimension or metric.
        QVERIFY(!createIndex(project, "notes", config(16, Metric::Euclidean)).ok());
        QVERIFY(!createIndex(project, "../escape", config(8, Metric::Cosine)).ok());
        QVERIFY(!openIndex(project, "absent").ok());
        QVERIFY(!VectorIndex::create(dir.filePath("x").toStdString(), config(4097, Metric::Cosine)).ok());
        QVERIFY(!VectorIndex::create(dir.filePath("y").toStdString(), config(0, Metric::Cosine)).ok());
        QVERIFY(openIndexExpecting(project, "notes", 8, Metric::Cosine).ok());
        auto wrongDim = openIndexExpecting(project, "notes", 16, Metric::Cosine);
        QVERIFY(!wrongDim.ok());
        QVERIFY2(wrongDim.error().find("dimension 8") != std::string::npos, wrongDim.error().c_str());
        auto wrongMetric = openIndexExpecting(project, "notes", 8, Metric::Euclidean);
        QVERIFY(!wrongMetric.ok());
        QVERIFY2(wrongMetric.error().find("metric cosine") != std::string::npos, wrongMetric.error().c_str());
        auto index = std::move(openIndex(project, "notes").value());
        QCOMPARE(listIndexes(project), std::vector<std::string>{"notes"});
        auto q = index->query(std::vector<float>(9, 1.0f), QueryOptions{});
        QVERIFY(!q.ok());
        QVERIFY2(q.error().find("dimension 8") != std::string::npos, q.error().c_str());
        // Embedders: dimension and identity.
        HashingEmbedder e16({.dimension = 16});
        QVERIFY(!recall(*index, e16, "hello", 5).ok());
        auto index2 = std::move(VectorIndex::create(dir.filePath("h").toStdString(), config(384, Metric::Cosine)).value());
        HashingEmbedder a;
        HashingEmbedder b({.dimension = 384, .minCharGram = 2, .maxCharGram = 4});
        QVERIFY(write(*index2, a, "the first memory").ok());
        QCOMPARE(index2->config().embedder, a.id());
        auto refused = recall(*index2, b, "first", 3);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().find("refusing") != std::string::npos, refused.error().c_str());
        QVERIFY(!write(*index2, b, "another").ok());
        // The binding survives a reopen.
        index2.reset();
        index2 = std::move(VectorIndex::open(dir.filePath("h").toStdString()).value());
        QCOMPARE(index2->config().embedder, a.id());
        QVERIFY(!recall(*index2, b, "first", 3).ok());
    }

    void badInputWritesNothing()
    {
        QTemporaryDir dir;
        auto index = mustCreate(dir.filePath("i"), config(4, Metric::Cosine));
        QVERIFY(index->upsert({VectorRecord{"keep", {1, 0, 0, 0}, Json{{"a", 1}}, ""}}).ok());
        const float nan = std::nanf(""), inf = INFINITY;
        auto good = [](const char* id) { return VectorRecord{id, {0, 1, 0, 0}, {}, ""}; };
        const std::vector<std::pair<VectorRecord, const char*>> bad = {
            {VectorRecord{"x", {1, 2, 3}, {}, ""}, "dimension"},
            {VectorRecord{"x", {1, nan, 3, 4}, {}, ""}, "NaN"},
            {VectorRecord{"x", {1, inf, 3, 4}, {}, ""}, "infinite"},
            {VectorRecord{"x", {0, 0, 0, 0}, {}, ""}, "all-zero"},
            {VectorRecord{"", {1, 2, 3, 4}, {}, ""}, "empty"},
            {VectorRecord{"x", {1, 2, 3, 4}, Json{{"big", std::string(11000, 'x')}}, ""}, "limit"},
            {VectorRecord{"x", {1, 2, 3, 4}, Json::array({1}), ""}, "object"},
            {VectorRecord{"x", {1, 2, 3, 4}, {}, std::string(65, 'n')}, "namespace"},
        };
        for (const auto& [record, expect] : bad) {
            // A good record first: the whole call is refused, nothing half-written.
            auto st = index->upsert({good("g"), record});
            QVERIFY(!st.ok());
            QVERIFY2(st.error().find(expect) != std::string::npos, st.error().c_str());
            QCOMPARE(index->describe().count, std::size_t(1));
            QVERIFY(index->getByIds({"g"})->empty());
        }
        // insert refuses existing ids and repeats.
        QVERIFY(!index->insert({good("keep")}).ok());
        QVERIFY(!index->insert({good("d"), good("d")}).ok());
        QCOMPARE(index->describe().count, std::size_t(1));
        QCOMPARE(index->getByIds({"keep"})->at(0).values, (std::vector<float>{1, 0, 0, 0}));
        // Queries.
        QueryOptions o;
        QVERIFY(!index->query(std::vector<float>{1, nan, 0, 0}, o).ok());
        QVERIFY(!index->query(std::vector<float>{1, inf, 0, 0}, o).ok());
        QVERIFY(!index->query(std::vector<float>{1, 0, 0}, o).ok());
        o.topK = 101;
        QVERIFY(!index->query(std::vector<float>{1, 0, 0, 0}, o).ok());
        o.topK = 0;
        QVERIFY(!index->query(std::vector<float>{1, 0, 0, 0}, o).ok());
        o.topK = 5;
        for (const char* f : {R"({"a": {"$regex": "x"}})", R"({"$or": [{"a": 1}]})", R"({"a": {"$in": 3}})",
                              R"({"a": {"$lt": true}})", R"({"a": null})", R"({"a": {}})", R"([1])",
                              R"({"a": {"$eq": {"b": 1}}})"}) {
            o.filter = Json::parse(f);
            auto r = index->query(std::vector<float>{1, 0, 0, 0}, o);
            QVERIFY2(!r.ok(), f);
            QVERIFY2(r.error().find("filter") != std::string::npos, r.error().c_str());
        }
        o.filter = Json::parse(R"({"a": {"$regex": "x"}})");
        QVERIFY(index->query(std::vector<float>{1, 0, 0, 0}, o).error().find("unknown operator '$regex'") != std::string::npos);
    }

    void deletesCompactInTheBackground()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(3000, dim, 91);
        auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Euclidean));
        QVERIFY(index->upsert(records(data)).ok());
        std::vector<std::string> gone;
        for (std::size_t i = 0; i < 1200; ++i)
            gone.push_back(idOf(i * 2));
        QCOMPARE(index->deleteByIds(gone).value(), std::size_t(1200));
        // Writes and queries go on while the graph is rebuilt.
        QVERIFY(index->upsert({VectorRecord{"late", data[2], {}, ""}}).ok());
        QVERIFY(index->deleteByIds({idOf(1)}).ok());
        index->waitForCompaction();
        const auto info = index->describe();
        QCOMPARE(info.count, std::size_t(1800));
        QVERIFY(info.deletedNodes <= 1);   // the delete made during compaction
        QueryOptions o;
        o.topK = 1;
        QCOMPARE(index->query(data[2], o)->matches.at(0).id, std::string("late"));
        QCOMPARE(index->query(data[3], o)->matches.at(0).id, idOf(3));
        QVERIFY(index->query(data[1], o)->matches.at(0).id != idOf(1));
        QVERIFY(index->compact().ok());
        QCOMPARE(index->query(data[5], o)->matches.at(0).id, idOf(5));
        index.reset();
        index = mustOpen(dir.filePath("i"));
        QCOMPARE(index->describe().count, std::size_t(1800));
        QCOMPARE(index->query(data[2], o)->matches.at(0).id, std::string("late"));
    }

    // Queries on other threads while this one writes, deletes and compacts:
    // every answer is well-formed and the index ends consistent.
    void concurrentQueriesDuringWrites()
    {
        QTemporaryDir dir;
        const int dim = 16;
        const auto data = clustered(4000, dim, 101);
        auto index = mustCreate(dir.filePath("i"), config(dim, Metric::Cosine));
        auto all = records(data, [](std::size_t i) { return Json{{"b", int(i % 10)}}; });
        QVERIFY(index->upsert({all.begin(), all.begin() + 2000}).ok());
        std::atomic<bool> stop{false};
        std::atomic<int> bad{0}, answered{0};
        auto reader = [&](int seed) {
            std::size_t i = std::size_t(seed);
            while (!stop) {
                QueryOptions o;
                o.topK = 5;
                if (i % 2)
                    o.filter = Json{{"b", Json{{"$lt", int(i % 10) + 1}}}};
                auto r = index->query(data[i % data.size()], o);
                if (!r.ok() || r->matches.size() > 5)
                    ++bad;
                ++answered;
                i += 7;
            }
        };
        std::thread t1(reader, 1), t2(reader, 2);
        QVERIFY(index->upsert({all.begin() + 2000, all.end()}).ok());
        std::vector<std::string> gone;
        for (std::size_t i = 0; i < 1500; ++i)
            gone.push_back(idOf(i));
        QVERIFY(index->deleteByIds(gone).ok());
        QVERIFY(index->upsert({all.begin(), all.begin() + 100}).ok());
        index->waitForCompaction();
        stop = true;
        t1.join();
        t2.join();
        QCOMPARE(bad.load(), 0);
        QVERIFY(answered.load() > 0);
        QCOMPARE(index->describe().count, std::size_t(2600));
        QueryOptions o;
        o.topK = 1;
        QCOMPARE(index->query(data[50], o)->matches.at(0).id, idOf(50));
        QCOMPARE(index->query(data[3000], o)->matches.at(0).id, idOf(3000));
    }

    void hashingEmbedderAndRecall()
    {
        HashingEmbedder e;
        QCOMPARE(e.dimension(), 384);
        auto a = e.embedOne("The cat sat on the mat");
        auto b = e.embedOne("the CAT sat on the mat!");
        auto c = e.embedOne("Quarterly revenue grew by twelve percent");
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE(*a, *b);   // case and punctuation do not matter
        QVERIFY(dotProduct(a->data(), c->data(), 384) < 0.3f);
        QVERIFY(!e.embedOne("  ... !!! ").ok());

        QTemporaryDir dir;
        auto index = mustCreate(dir.filePath("m"), config(384, Metric::Cosine));
        QVERIFY(write(*index, e, "Alice prefers green tea in the morning", Json{{"user", "alice"}}).ok());
        QVERIFY(write(*index, e, "Bob's server runs Debian 12 with Qt 6.4", Json{{"user", "bob"}}).ok());
        QVERIFY(write(*index, e, "The deployment window is Friday at 18:00", Json{{"user", "bob"}}, "ops").ok());
        auto id = write(*index, e, "Alice prefers green tea in the morning", Json{{"user", "alice"}});
        QVERIFY(id.ok());
        QCOMPARE(index->describe().count, std::size_t(3));   // same text, same record
        auto found = recall(*index, e, "what tea does alice like", 2);
        QVERIFY(found.ok());
        QCOMPARE(found->at(0).text, std::string("Alice prefers green tea in the morning"));
        QCOMPARE(found->at(0).metadata["user"].get<std::string>(), std::string("alice"));
        QVERIFY(!found->at(0).metadata.contains("text"));
        found = recall(*index, e, "debian server", 3, std::nullopt, Json{{"user", "bob"}});
        QVERIFY(found.ok());
        QCOMPARE(found->size(), std::size_t(2));
        QCOMPARE(found->at(0).text, std::string("Bob's server runs Debian 12 with Qt 6.4"));
        found = recall(*index, e, "deployment", 3, std::string("ops"));
        QCOMPARE(found->size(), std::size_t(1));
        QVERIFY(!write(*index, e, std::string(11000, 'a') + " b").ok());
    }

    void engineEmbedderRecallsAndRefusesOthers()
    {
        const std::string model = OUTPOST_SHARED_DIR "/models/stories260K.gguf";
        if (!std::filesystem::exists(model))
            QSKIP("shared/models/stories260K.gguf is absent");
        outpost::inference::EngineConfig cfg;
        cfg.modelPath = model;
        cfg.threads = 1;
        auto loaded = outpost::inference::Engine::load(cfg);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().c_str());
        EngineEmbedder e(std::shared_ptr<const outpost::inference::Engine>(std::move(*loaded)));
        QCOMPARE(e.dimension(), 64);
        QVERIFY(e.id().find("stories260K.gguf") != std::string::npos);

        QTemporaryDir dir;
        auto index = mustCreate(dir.filePath("m"), config(64, Metric::Cosine));
        const std::vector<std::string> texts = {"The little girl played with her red ball in the park.",
                                                "Tom ate a big cake at the birthday party.",
                                                "The dog barked at the cat in the garden."};
        for (const auto& t : texts)
            QVERIFY(write(*index, e, t).ok());
        // Each text finds itself first: the vectors are the model's, unit length.
        for (const auto& t : texts) {
            auto found = recall(*index, e, t, 1);
            QVERIFY2(found.ok(), found.ok() ? "" : found.error().c_str());
            QCOMPARE(found->at(0).text, t);
            QVERIFY(found->at(0).score > 0.999f);
        }
        // The index now belongs to this embedder: the hashing one is refused.
        HashingEmbedder other;
        QVERIFY(!recall(*index, other, "ball", 1).ok());
    }

    void chunkingWithOverlap()
    {
        std::string text;
        for (int i = 0; i < 60; ++i)
            text += "Sentence number " + std::to_string(i) + " says something short. ";
        ChunkOptions o;
        o.maxBytes = 300;
        o.overlapBytes = 80;
        const auto chunks = chunkText(text, o);
        QVERIFY(chunks.size() >= 9);
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            QVERIFY(chunks[i].text.size() <= 300);
            QCOMPARE(text.substr(chunks[i].offset, chunks[i].text.size()), chunks[i].text);
            QVERIFY(chunks[i].text.back() == '.');   // cut at sentence ends
            if (i > 0) {
                QVERIFY(chunks[i].offset > chunks[i - 1].offset);
                // Overlap: the chunk starts before the previous one ended.
                QVERIFY(chunks[i].offset < chunks[i - 1].offset + chunks[i - 1].text.size());
            }
        }
        QVERIFY(chunks.back().text.find("number 59") != std::string::npos);
        // No boundary at all: cut at a character boundary, never inside UTF-8.
        std::string wide;
        for (int i = 0; i < 400; ++i)
            wide += "\xc3\xa9";
        for (const auto& c : chunkText(wide, o))
            QVERIFY((static_cast<unsigned char>(c.text[0]) & 0xc0) != 0x80);
        QVERIFY(chunkText("", o).empty());
        QVERIFY(chunkText("   \n\n  ", o).empty());

        const std::string md = "# Guide\nIntro text.\n\n## Install\nRun the installer.\n```\n# not a heading\n```\n"
                               "## Use\nOpen the app.\n### Tips\nSave often.\n";
        ChunkOptions mo;
        mo.markdown = true;
        const auto sections = chunkText(md, mo);
        QCOMPARE(sections.size(), std::size_t(4));
        QCOMPARE(sections[0].heading, std::string("Guide"));
        QCOMPARE(sections[1].heading, std::string("Guide > Install"));
        QVERIFY(sections[1].text.find("# not a heading") != std::string::npos);
        QCOMPARE(sections[2].heading, std::string("Guide > Use"));
        QCOMPARE(sections[3].heading, std::string("Guide > Use > Tips"));
    }

    void ingestReplacesOldChunks()
    {
        QTemporaryDir dir;
        HashingEmbedder e;
        auto index = mustCreate(dir.filePath("docs"), config(384, Metric::Cosine));
        std::string longDoc;
        for (int i = 0; i < 40; ++i)
            longDoc += "Paragraph " + std::to_string(i) + " talks about topic " + std::to_string(i % 4) + ".\n\n";
        ChunkOptions o;
        o.maxBytes = 200;
        o.overlapBytes = 40;
        auto first = ingest(*index, e, "guide", longDoc, o, Json{{"source", "manual"}});
        QVERIFY(first.ok());
        QVERIFY(first->size() > 5);
        auto second = ingest(*index, e, "guide", "A much shorter guide.", o);
        QVERIFY(second.ok());
        QCOMPARE(second->size(), std::size_t(1));
        QCOMPARE(index->describe().count, std::size_t(1));
        auto hits = recall(*index, e, "shorter guide", 5);
        QCOMPARE(hits->at(0).id, std::string("guide#0"));
        QCOMPARE(hits->at(0).metadata["doc"].get<std::string>(), std::string("guide"));
    }
};

QTEST_GUILESS_MAIN(TestMemory)
#include "test_memory.moc"
