// The llama-family forward pass against three oracles:
//  - llama.cpp's own outputs on the tiny real model (shared/reference),
//  - a naive double-precision forward pass written here (every weight
//    dequantised to double, attention over the whole sequence, no cache),
//    on synthetic models of every tensor type and architecture,
//  - itself, run another way (batch vs token by token, small vs big blocks).
#include "synthetic_model.h"

#include "inference/engine.h"
#include "inference/gguf/gguf_file.h"
#include "inference/kv/kv_cache.h"
#include "inference/model/model.h"
#include "inference/runtime/thread_pool.h"
#include "inference/tensor/kernels.h"

#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace outpost::inference;
using namespace outpost::inference::model;

namespace {

QString sharedPath(const char* rel)
{
    return QStringLiteral(OUTPOST_SHARED_DIR "/") + QString::fromLatin1(rel);
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

std::vector<std::int32_t> ids(const QJsonValue& v)
{
    std::vector<std::int32_t> out;
    for (const auto& x : v.toArray())
        out.push_back(x.toInt());
    return out;
}

int argmax(const float* logits, int n)
{
    return static_cast<int>(std::max_element(logits, logits + n) - logits);
}

// One sequence run through a model with its own cache: prefill (as one
// batch or token by token) then greedy steps.
struct Runner {
    const Model& model;
    runtime::ThreadPool& pool;
    kv::KvCache cache;
    kv::BlockTable table;
    Workspace ws;

    static Result<std::unique_ptr<Runner>> make(const Model& m, runtime::ThreadPool& pool, int context, int blockTokens,
                                                kv::KvType type = kv::KvType::F32)
    {
        auto cache = kv::KvCache::create(m.kvConfig(context, blockTokens, type));
        if (!cache)
            return Error{cache.error()};
        return std::unique_ptr<Runner>(new Runner{m, pool, std::move(cache.value()), {}, {}});
    }

    // Logits of the last token of `tokens`, fed at positions table.tokens...
    Result<std::vector<float>> feed(const std::vector<std::int32_t>& tokens, bool oneBatch)
    {
        std::vector<float> logits;
        const int start = table.tokens;
        if (auto s = cache.reserve(table, start + static_cast<int>(tokens.size())); !s)
            return Error{s.error()};
        kv::BlockTable* tables[] = {&table};
        if (oneBatch) {
            std::vector<BatchToken> batch;
            for (std::size_t i = 0; i < tokens.size(); ++i)
                batch.push_back({tokens[i], start + static_cast<int>(i), 0, i + 1 == tokens.size()});
            if (auto s = model.forward(batch, tables, cache, pool, ws, logits); !s)
                return Error{s.error()};
        } else {
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                BatchToken bt{tokens[i], start + static_cast<int>(i), 0, true};
                if (auto s = model.forward(std::span(&bt, 1), tables, cache, pool, ws, logits); !s)
                    return Error{s.error()};
            }
        }
        return logits;
    }

    std::vector<std::int32_t> greedy(const std::vector<std::int32_t>& prompt, int steps, std::vector<std::vector<float>>* allLogits = nullptr)
    {
        std::vector<std::int32_t> out;
        auto logits = feed(prompt, true);
        for (int i = 0; i < steps && logits.ok(); ++i) {
            if (allLogits)
                allLogits->push_back(*logits);
            const int next = argmax(logits->data(), model.config().vocab);
            out.push_back(next);
            logits = feed({next}, true);
        }
        return out;
    }
};

// ---- the naive reference forward pass (double precision) ---------------------

struct RefModel {
    ModelConfig c;
    std::vector<double> embd, outNorm, output;
    struct Layer {
        std::vector<double> attnNorm, wq, wk, wv, wo, bq, bk, bv, ffnNorm, gate, up, down;
    };
    std::vector<Layer> layers;
};

std::vector<double> loadMatrix(const gguf::GgufFile& f, const std::string& name)
{
    const auto* t = f.tensor(name);
    if (!t)
        return {};
    const std::int64_t cols = static_cast<std::int64_t>(t->shape[0]);
    const std::int64_t rows = static_cast<std::int64_t>(t->elementCount()) / cols;
    const std::size_t rb = *rowBytes(t->type, static_cast<std::uint64_t>(cols));
    std::vector<float> row(static_cast<std::size_t>(cols));
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r) {
        dequantizeRow(t->type, t->data + static_cast<std::size_t>(r) * rb, row.data(), cols);
        out.insert(out.end(), row.begin(), row.end());
    }
    return out;
}

RefModel loadRef(const Model& m)
{
    RefModel r;
    r.c = m.config();
    const auto& f = m.file();
    r.embd = loadMatrix(f, "token_embd.weight");
    r.outNorm = loadMatrix(f, "output_norm.weight");
    r.output = f.tensor("output.weight") ? loadMatrix(f, "output.weight") : r.embd;
    for (int l = 0; l < r.c.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        RefModel::Layer L;
        L.attnNorm = loadMatrix(f, b + "attn_norm.weight");
        L.wq = loadMatrix(f, b + "attn_q.weight");
        L.wk = loadMatrix(f, b + "attn_k.weight");
        L.wv = loadMatrix(f, b + "attn_v.weight");
        L.wo = loadMatrix(f, b + "attn_output.weight");
        L.bq = loadMatrix(f, b + "attn_q.bias");
        L.bk = loadMatrix(f, b + "attn_k.bias");
        L.bv = loadMatrix(f, b + "attn_v.bias");
        L.ffnNorm = loadMatrix(f, b + "ffn_norm.weight");
        L.gate = loadMatrix(f, b + "ffn_gate.weight");
        L.up = loadMatrix(f, b + "ffn_up.weight");
        L.down = loadMatrix(f, b + "ffn_down.weight");
        r.layers.push_back(std::move(L));
    }
    return r;
}

std::vector<double> refMatVec(const std::vector<double>& w, const std::vector<double>& x, std::size_t rows)
{
    const std::size_t cols = x.size();
    std::vector<double> y(rows, 0.0);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < cols; ++i)
            y[r] += w[r * cols + i] * x[i];
    return y;
}

std::vector<double> refNorm(const std::vector<double>& x, const std::vector<double>& w, double eps)
{
    double ss = 0;
    for (double v : x)
        ss += v * v;
    const double scale = 1.0 / std::sqrt(ss / double(x.size()) + eps);
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = x[i] * scale * w[i];
    return y;
}

// Written from the published definitions, independently of the engine:
// rotation angle pos * base^(-2i/d) / factor_i, pairs adjacent (llama) or
// half a head apart (NeoX, qwen2).
void refRope(double* head, int pos, const ModelConfig& c)
{
    const int pairs = c.ropeDim / 2;
    for (int i = 0; i < pairs; ++i) {
        double freq = std::pow(double(c.ropeBase), -2.0 * i / c.ropeDim);
        if (!c.ropeFreqFactors.empty())
            freq /= c.ropeFreqFactors[std::size_t(i)];
        const double angle = pos * freq * c.ropeFreqScale;
        const int a = c.ropeStyle == RopeStyle::Normal ? 2 * i : i;
        const int b = c.ropeStyle == RopeStyle::Normal ? 2 * i + 1 : i + pairs;
        const double x0 = head[a], x1 = head[b];
        head[a] = x0 * std::cos(angle) - x1 * std::sin(angle);
        head[b] = x0 * std::sin(angle) + x1 * std::cos(angle);
    }
}

// Logits of the last token.
std::vector<double> refForward(const RefModel& r, const std::vector<std::int32_t>& tokens)
{
    const auto& c = r.c;
    const std::size_t E = std::size_t(c.embd), hd = std::size_t(c.headDim);
    const std::size_t T = tokens.size();
    std::vector<std::vector<double>> x(T);
    for (std::size_t t = 0; t < T; ++t)
        x[t].assign(r.embd.begin() + long(std::size_t(tokens[t]) * E), r.embd.begin() + long(std::size_t(tokens[t] + 1) * E));
    for (const auto& L : r.layers) {
        std::vector<std::vector<double>> q(T), k(T), v(T);
        for (std::size_t t = 0; t < T; ++t) {
            const auto xn = refNorm(x[t], L.attnNorm, c.rmsEps);
            q[t] = refMatVec(L.wq, xn, std::size_t(c.qDim()));
            k[t] = refMatVec(L.wk, xn, std::size_t(c.kvDim()));
            v[t] = refMatVec(L.wv, xn, std::size_t(c.kvDim()));
            for (std::size_t i = 0; i < L.bq.size(); ++i)
                q[t][i] += L.bq[i];
            for (std::size_t i = 0; i < L.bk.size(); ++i) {
                k[t][i] += L.bk[i];
                v[t][i] += L.bv[i];
            }
            for (int h = 0; h < c.heads; ++h)
                refRope(q[t].data() + std::size_t(h) * hd, int(t), c);
            for (int h = 0; h < c.kvHeads; ++h)
                refRope(k[t].data() + std::size_t(h) * hd, int(t), c);
        }
        for (std::size_t t = 0; t < T; ++t) {
            std::vector<double> attn(std::size_t(c.qDim()), 0.0);
            for (int h = 0; h < c.heads; ++h) {
                const std::size_t kvh = std::size_t(h / (c.heads / c.kvHeads));
                std::vector<double> s(t + 1);
                double mx = -1e300;
                for (std::size_t j = 0; j <= t; ++j) {
                    double d = 0;
                    for (std::size_t i = 0; i < hd; ++i)
                        d += q[t][std::size_t(h) * hd + i] * k[j][kvh * hd + i];
                    s[j] = d / std::sqrt(double(hd));
                    mx = std::max(mx, s[j]);
                }
                double sum = 0;
                for (auto& e : s)
                    sum += (e = std::exp(e - mx));
                for (std::size_t j = 0; j <= t; ++j)
                    for (std::size_t i = 0; i < hd; ++i)
                        attn[std::size_t(h) * hd + i] += s[j] / sum * v[j][kvh * hd + i];
            }
            const auto o = refMatVec(L.wo, attn, E);
            for (std::size_t i = 0; i < E; ++i)
                x[t][i] += o[i];
            const auto xn = refNorm(x[t], L.ffnNorm, c.rmsEps);
            auto g = refMatVec(L.gate, xn, std::size_t(c.ffn));
            const auto u = refMatVec(L.up, xn, std::size_t(c.ffn));
            for (std::size_t i = 0; i < g.size(); ++i)
                g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
            const auto d = refMatVec(L.down, g, E);
            for (std::size_t i = 0; i < E; ++i)
                x[t][i] += d[i];
        }
    }
    return refMatVec(r.output, refNorm(x[T - 1], r.outNorm, c.rmsEps), std::size_t(c.vocab));
}

// Error of the engine's logits relative to the largest reference logit.
double relativeError(const std::vector<float>& got, const std::vector<double>& want)
{
    double maxDiff = 0, maxRef = 1e-30;
    for (std::size_t i = 0; i < want.size(); ++i) {
        maxDiff = std::max(maxDiff, std::abs(double(got[i]) - want[i]));
        maxRef = std::max(maxRef, std::abs(want[i]));
    }
    return maxDiff / maxRef;
}

} // namespace

class TestModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Model> m_stories;
    runtime::ThreadPool m_pool{2};
    QTemporaryDir m_tmp;

    bool haveStories()
    {
        return m_stories != nullptr;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QString path = sharedPath("models/stories260K.gguf");
        if (QFile::exists(path)) {
            auto m = Model::load(path.toStdString());
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().c_str());
            m_stories = std::move(m.value());
        }
    }

    void storiesConfig()
    {
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        const auto& c = m_stories->config();
        QCOMPARE(c.architecture, std::string("llama"));
        QCOMPARE(c.embd, 64);
        QCOMPARE(c.layers, 5);
        QCOMPARE(c.heads, 8);
        QCOMPARE(c.kvHeads, 4);
        QCOMPARE(c.headDim, 8);
        QCOMPARE(c.ffn, 172);
        QCOMPARE(c.vocab, 512);
        QCOMPARE(c.ropeStyle, RopeStyle::Normal);
        QCOMPARE(c.parameters, std::uint64_t(292800));
    }

    // Logits at the last prompt position within 1e-4 of llama.cpp's. The
    // reference used an F16 KV cache, so the F16 cache (which rounds as it
    // does) is held to 1e-4; the F32 cache is more exact than the reference,
    // so it differs from it by the F16 rounding (about 5e-3 here).
    void storiesLogitsMatchReference_data()
    {
        QTest::addColumn<int>("kvType");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("f16-cache") << int(kv::KvType::F16) << 1e-4;
        QTest::newRow("f32-cache") << int(kv::KvType::F32) << 2e-2;
    }

    void storiesLogitsMatchReference()
    {
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        QFETCH(int, kvType);
        QFETCH(double, tolerance);
        const auto ref = readJson(sharedPath("reference/stories260K-logits.json"));
        if (ref.isEmpty())
            QSKIP("shared/reference/stories260K-logits.json is absent");
        for (const auto& item : ref[QStringLiteral("results")].toArray()) {
            const auto r = item.toObject();
            const auto prompt = ids(r[QStringLiteral("prompt_ids")]);
            const auto want = r[QStringLiteral("logits_last_pos_batch")].toArray();
            for (bool oneBatch : {true, false}) {
                auto runner = Runner::make(*m_stories, m_pool, 512, 16, kv::KvType(kvType));
                QVERIFY(runner.ok());
                auto logits = (*runner)->feed(prompt, oneBatch);
                QVERIFY2(logits.ok(), logits.ok() ? "" : logits.error().c_str());
                QCOMPARE(logits->size(), std::size_t(want.size()));
                double maxDiff = 0;
                for (qsizetype i = 0; i < want.size(); ++i)
                    maxDiff = std::max(maxDiff, std::abs(double((*logits)[std::size_t(i)]) - want[i].toDouble()));
                qInfo("%s (%s): max |logit - llama.cpp| = %.3g", qPrintable(r[QStringLiteral("prompt")].toString()),
                      oneBatch ? "batch" : "token by token", maxDiff);
                QVERIFY2(maxDiff < tolerance, qPrintable(QStringLiteral("max diff %1").arg(maxDiff)));
            }
        }
    }

    // Greedy continuations token for token. Where llama.cpp's own top1-top2
    // margin at a step is below 0.005, a different (still correct) float
    // summation order may pick the runner-up; as the reference README says,
    // such a step is not a bug: we accept the runner-up there and stop
    // comparing that prompt (everything after it legitimately differs).
    void storiesGreedyMatchesReference_data()
    {
        QTest::addColumn<int>("kvType");
        QTest::newRow("f16-cache") << int(kv::KvType::F16);
        QTest::newRow("f32-cache") << int(kv::KvType::F32);
    }

    void storiesGreedyMatchesReference()
    {
        QFETCH(int, kvType);
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        const auto ref = readJson(sharedPath("reference/stories260K-greedy.json"));
        if (ref.isEmpty())
            QSKIP("shared/reference/stories260K-greedy.json is absent");
        for (const auto& item : ref[QStringLiteral("results")].toArray()) {
            const auto r = item.toObject();
            const auto prompt = ids(r[QStringLiteral("prompt_ids")]);
            const auto want = ids(r[QStringLiteral("generated_ids")]);
            const auto top1 = r[QStringLiteral("top1_logit")].toArray();
            const auto top2 = r[QStringLiteral("top2_logit")].toArray();
            const auto top2Id = ids(r[QStringLiteral("top2_id")]);
            auto runner = Runner::make(*m_stories, m_pool, 512, 16, kv::KvType(kvType));
            QVERIFY(runner.ok());
            const auto got = (*runner)->greedy(prompt, int(want.size()));
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < want.size(); ++i) {
                if (got[i] == want[i])
                    continue;
                const double margin = top1[qsizetype(i)].toDouble() - top2[qsizetype(i)].toDouble();
                const QString msg = QStringLiteral("'%1' step %2: got %3, llama.cpp %4 (its margin %5)")
                                        .arg(r[QStringLiteral("prompt")].toString()).arg(i).arg(got[i]).arg(want[i]).arg(margin);
                QVERIFY2(margin < 0.005 && got[i] == top2Id[i], qPrintable(msg));
                qInfo("%s: near-tie, accepted as the README allows", qPrintable(msg));
                break;
            }
        }
    }

    // The same tokens whatever the block size (1, 4, 16 vs one block of 512),
    // and batch prefill equal to token-by-token prefill.
    void pagedCacheAndBatchingAgree()
    {
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        const std::vector<std::int32_t> prompt = {1, 403, 407, 261, 378};
        auto big = Runner::make(*m_stories, m_pool, 512, 512);
        QVERIFY(big.ok());
        std::vector<std::vector<float>> bigLogits;
        const auto want = (*big)->greedy(prompt, 40, &bigLogits);
        for (int block : {1, 4, 16}) {
            auto runner = Runner::make(*m_stories, m_pool, 512, block);
            QVERIFY(runner.ok());
            std::vector<std::vector<float>> logits;
            QCOMPARE((*runner)->greedy(prompt, 40, &logits), want);
            // Paging changes only where keys live, not the arithmetic.
            QCOMPARE(logits, bigLogits);
        }
        // Rows and heads are computed independently whatever the split, so
        // one thread gives bit-identical logits to two.
        runtime::ThreadPool single(1);
        auto one = Runner::make(*m_stories, single, 512, 16);
        QVERIFY(one.ok());
        std::vector<std::vector<float>> oneLogits;
        QCOMPARE((*one)->greedy(prompt, 40, &oneLogits), want);
        QCOMPARE(oneLogits, bigLogits);

        auto seq = Runner::make(*m_stories, m_pool, 512, 16);
        auto bat = Runner::make(*m_stories, m_pool, 512, 16);
        std::vector<std::int32_t> longPrompt = prompt;
        longPrompt.insert(longPrompt.end(), want.begin(), want.end());
        const auto a = (*seq)->feed(longPrompt, false);
        const auto b = (*bat)->feed(longPrompt, true);
        QVERIFY(a.ok() && b.ok());
        double maxDiff = 0;
        for (std::size_t i = 0; i < a->size(); ++i)
            maxDiff = std::max(maxDiff, double(std::abs((*a)[i] - (*b)[i])));
        qInfo("batch vs token-by-token prefill of %zu tokens: max diff %.3g", longPrompt.size(), maxDiff);
        QVERIFY(maxDiff < 1e-5);
    }

    void f16CacheStaysClose()
    {
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        const std::vector<std::int32_t> prompt = {1, 403, 407, 261, 378};
        auto f32 = Runner::make(*m_stories, m_pool, 512, 16, kv::KvType::F32);
        auto f16 = Runner::make(*m_stories, m_pool, 512, 16, kv::KvType::F16);
        const auto a = (*f32)->feed(prompt, true);
        const auto b = (*f16)->feed(prompt, true);
        double maxDiff = 0;
        for (std::size_t i = 0; i < a->size(); ++i)
            maxDiff = std::max(maxDiff, double(std::abs((*a)[i] - (*b)[i])));
        // The F16 cache also rounds queries and attention weights (as
        // llama.cpp does), so it differs from F32 by about 1e-2 on logits of
        // magnitude ~10, as llama.cpp's own F16 and F32 caches do.
        qInfo("F16 vs F32 KV cache: max logit diff %.3g", maxDiff);
        QVERIFY(maxDiff < 2e-2);
    }

    // An F16 cache with heads of 64 runs attention a chunk of heads at a
    // time, chunks sized by the thread count and the batch; every head's
    // arithmetic is the same whatever the chunking, so one thread, two
    // threads, token-by-token and one batch all give bit-identical logits
    // (spans both shorter and longer than 32 positions, grouped KV heads).
    // Attention splits a token's heads into chunks by thread count and
    // batch size (the F16 cache's wide heads and the Q8_0 cache); stories260K
    // has heads of 8, which start inside a Q8_0 block of the cache's rows.
    void attentionAgreesAcrossSplits_data()
    {
        QTest::addColumn<bool>("stories");
        QTest::addColumn<int>("kvType");
        QTest::newRow("wide heads, f16 cache") << false << int(kv::KvType::F16);
        QTest::newRow("wide heads, q8_0 cache") << false << int(kv::KvType::Q8_0);
        QTest::newRow("heads of 8, q8_0 cache") << true << int(kv::KvType::Q8_0);
    }

    void attentionAgreesAcrossSplits()
    {
        QFETCH(bool, stories);
        QFETCH(int, kvType);
        std::unique_ptr<Model> synthetic;
        if (stories) {
            if (!haveStories())
                QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        } else {
            outpost::test::SyntheticSpec spec;
            spec.type = TensorType::Q8_0;
            spec.kvHeads = 2;
            spec.seed = 99;
            auto bytes = outpost::test::makeSyntheticModel(spec).toBytes();
            QVERIFY(bytes.ok());
            auto file = gguf::GgufFile::fromBuffer(std::move(bytes.value()), "synthetic");
            QVERIFY(file.ok());
            auto model = Model::fromFile(std::move(file.value()));
            QVERIFY(model.ok());
            synthetic = std::move(model.value());
            QCOMPARE(synthetic->config().headDim, 64);
        }
        const Model& model = stories ? *m_stories : *synthetic;
        std::vector<std::int32_t> tokens;
        for (int i = 0; i < 45; ++i)
            tokens.push_back((i * 37 + 5) % model.config().vocab);
        runtime::ThreadPool single(1);
        runtime::ThreadPool three(3);
        std::vector<std::vector<float>> results;
        for (runtime::ThreadPool* pool : {&single, &m_pool, &three}) {
            for (bool oneBatch : {false, true}) {
                auto runner = Runner::make(model, *pool, 64, 4, kv::KvType(kvType));
                QVERIFY(runner.ok());
                auto logits = (*runner)->feed(tokens, oneBatch);
                QVERIFY(logits.ok());
                results.push_back(*logits);
            }
        }
        // The kernels make an input's results independent of the other
        // inputs of a call, and attention depends only on the token, so
        // neither threads nor batching change a bit.
        for (std::size_t i = 1; i < results.size(); ++i)
            QVERIFY2(results[i] == results[0], qPrintable(QString("run %1 differs").arg(i)));
    }

    // Every tensor type x every architecture against the double reference.
    void syntheticMatchesReference_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<double>("tolerance");
        // Tolerances are relative to the largest |logit|. F32 weights with
        // float activations: only float rounding (~1e-6 per op over 2
        // layers). F16/BF16 weights are exact in the reference, activations
        // stay float in their dots. The 8-bit-activation types quantise every
        // matmul input to 8 bits per block (about 0.4% of the block's max per
        // element), which after 2 layers and the lm head gives 1-3% (measured
        // 0.8-3.1% over these seeds); 6% still fails any layout or formula
        // bug, which gives errors of order 100%.
        struct T { TensorType t; double tol; };
        const T types[] = {{TensorType::F32, 1e-4}, {TensorType::F16, 1e-3}, {TensorType::BF16, 1e-3},
                           {TensorType::Q8_0, 6e-2}, {TensorType::Q4_0, 6e-2}, {TensorType::Q4_1, 6e-2},
                           {TensorType::Q5_0, 6e-2}, {TensorType::Q5_1, 6e-2}, {TensorType::Q2_K, 6e-2},
                           {TensorType::Q3_K, 6e-2}, {TensorType::Q4_K, 6e-2}, {TensorType::Q5_K, 6e-2},
                           {TensorType::Q6_K, 6e-2}};
        for (const auto& t : types)
            for (const char* variant : {"llama-gqa-rope-freqs", "mistral", "qwen2-bias"})
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(QString::fromLatin1(tensorTypeInfo(t.t)->name.data(),
                                                                                         qsizetype(tensorTypeInfo(t.t)->name.size())),
                                                                    QString::fromLatin1(variant))))
                    << int(t.t) << QString::fromLatin1(variant) << t.tol;
        QTest::newRow("F32/llama3-metadata") << int(TensorType::F32) << QStringLiteral("llama3-metadata") << 1e-4;
        QTest::newRow("F32/tied-output") << int(TensorType::F32) << QStringLiteral("tied") << 1e-4;
    }

    void syntheticMatchesReference()
    {
        QFETCH(int, type);
        QFETCH(QString, variant);
        QFETCH(double, tolerance);
        outpost::test::SyntheticSpec spec;
        spec.type = TensorType(type);
        spec.seed = unsigned(type) * 7 + unsigned(variant.size());
        if (variant.startsWith(QLatin1String("llama-gqa"))) {
            spec.kvHeads = 2;
            spec.ropeFreqs = true;
        } else if (variant == QLatin1String("mistral")) {
            spec.kvHeads = 1;  // Mistral 7B has 4 query heads per KV head; here 4:1 too
            spec.ropeBase = 1000000.0f;
        } else if (variant == QLatin1String("qwen2-bias")) {
            spec.architecture = "qwen2";
            spec.bias = true;
            spec.ropeBase = 1000000.0f;
        } else if (variant == QLatin1String("llama3-metadata")) {
            spec.llama3Metadata = true;
            spec.ropeBase = 500000.0f;
        } else if (variant == QLatin1String("tied")) {
            spec.tiedOutput = true;
        }
        auto bytes = outpost::test::makeSyntheticModel(spec).toBytes();
        QVERIFY(bytes.ok());
        auto file = gguf::GgufFile::fromBuffer(std::move(bytes.value()), "synthetic");
        QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
        auto model = Model::fromFile(std::move(file.value()));
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QCOMPARE((*model)->config().tiedOutput, spec.tiedOutput);
        QCOMPARE((*model)->config().ropeStyle, spec.architecture == "qwen2" ? RopeStyle::Neox : RopeStyle::Normal);
        if (spec.llama3Metadata)
            QCOMPARE((*model)->config().ropeFreqFactors.size(), std::size_t(32));
        const RefModel ref = loadRef(**model);

        const std::vector<std::int32_t> tokens = {1, 17, 5, 63, 42, 8, 8, 30, 2, 51, 12, 0};
        {
            // These matrices are big enough to be split across threads; the
            // split must not change a bit of the result.
            runtime::ThreadPool single(1);
            auto a = Runner::make(**model, single, 64, 4);
            auto b = Runner::make(**model, m_pool, 64, 4);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(*(*a)->feed(tokens, true), *(*b)->feed(tokens, true));
        }
        for (bool oneBatch : {true, false}) {
            auto runner = Runner::make(**model, m_pool, 64, 4);
            QVERIFY(runner.ok());
            auto logits = (*runner)->feed(tokens, oneBatch);
            QVERIFY(logits.ok());
            const double err = relativeError(*logits, refForward(ref, tokens));
            qInfo("%s: relative logit error %.3g (tolerance %.3g)", oneBatch ? "batch" : "single", err, tolerance);
            QVERIFY2(err < tolerance, qPrintable(QStringLiteral("relative error %1").arg(err)));
        }
    }

    // The whole engine (file, tokenizer, cache, sampler, streaming) on
    // synthetic models of each architecture: its greedy tokens are the
    // double-precision reference's argmax at every step. F32/F16 weights keep
    // the engine within ~1e-6 of the reference, so only a reference near-tie
    // (top two within 1e-4 of the largest logit) could legitimately differ;
    // such a step ends the comparison.
    void syntheticGreedyThroughEngine_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("arch");
        for (TensorType t : {TensorType::F32, TensorType::F16})
            for (const char* arch : {"llama", "mistral", "qwen2"})
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(t == TensorType::F32 ? "F32" : "F16", arch))) << int(t) << QString::fromLatin1(arch);
    }

    void syntheticGreedyThroughEngine()
    {
        QFETCH(int, type);
        QFETCH(QString, arch);
        outpost::test::SyntheticSpec spec;
        spec.type = TensorType(type);
        spec.architecture = arch.toStdString();
        spec.bias = arch == QLatin1String("qwen2");
        spec.kvHeads = arch == QLatin1String("mistral") ? 1 : 2;
        spec.ropeFreqs = arch == QLatin1String("llama");
        spec.seed = 99 + unsigned(type);
        const QString path = m_tmp.path() + QStringLiteral("/engine-%1-%2.gguf").arg(type).arg(arch);
        QVERIFY(outpost::test::makeSyntheticModel(spec).writeFile(path.toStdString()).ok());

        EngineConfig config;
        config.modelPath = path.toStdString();
        config.threads = 2;
        config.contextLength = 64;
        config.kvBlockTokens = 4;
        config.kvType = KvCacheType::F32;
        auto engine = Engine::load(config);
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().c_str());
        GenerationRequest req;
        req.promptTokens = {1, 17, 5, 63, 42};
        req.maxTokens = 12;
        req.stopAtEndOfGeneration = false;
        req.sampling.temperature = 0;
        const auto result = (*engine)->generate(req);
        QCOMPARE(result.finish, FinishReason::Length);
        QCOMPARE(result.tokens.size(), std::size_t(12));

        auto model = Model::load(path.toStdString());
        QVERIFY(model.ok());
        const RefModel ref = loadRef(**model);
        std::vector<std::int32_t> seq = req.promptTokens;
        for (std::size_t step = 0; step < result.tokens.size(); ++step) {
            const auto logits = refForward(ref, seq);
            std::vector<std::size_t> order(logits.size());
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::partial_sort(order.begin(), order.begin() + 2, order.end(), [&](auto a, auto b) { return logits[a] > logits[b]; });
            double maxAbs = 0;
            for (double l : logits)
                maxAbs = std::max(maxAbs, std::abs(l));
            if (std::int32_t(order[0]) != result.tokens[step]) {
                const double margin = logits[order[0]] - logits[order[1]];
                QVERIFY2(margin < 1e-4 * maxAbs && std::int32_t(order[1]) == result.tokens[step],
                         qPrintable(QStringLiteral("step %1: engine %2, reference %3 (margin %4)").arg(step).arg(result.tokens[step]).arg(order[0]).arg(margin)));
                qInfo("step %zu: reference near-tie, accepted", step);
                break;
            }
            seq.push_back(result.tokens[step]);
        }
    }

    // ---- hostile input --------------------------------------------------------

    void truncatedOrCorruptFileIsRefused()
    {
        outpost::test::SyntheticSpec spec;
        auto bytes = outpost::test::makeSyntheticModel(spec).toBytes();
        QVERIFY(bytes.ok());
        const auto full = bytes.value();
        for (std::size_t cut : {std::size_t(0), std::size_t(3), std::size_t(24), full.size() / 3, full.size() - 1}) {
            std::vector<std::byte> part(full.begin(), full.begin() + long(cut));
            auto file = gguf::GgufFile::fromBuffer(std::move(part), "truncated");
            if (file.ok()) {
                auto model = Model::fromFile(std::move(file.value()));
                QVERIFY(!model.ok());
            }
        }
        // Random byte flips: either an error or a model that runs; never a crash.
        std::mt19937 rng(5);
        for (int round = 0; round < 50; ++round) {
            auto copy = full;
            for (int i = 0; i < 4; ++i)
                copy[rng() % std::min<std::size_t>(copy.size(), 2048)] = std::byte(rng() & 0xff);
            auto file = gguf::GgufFile::fromBuffer(std::move(copy), "corrupt");
            if (!file.ok())
                continue;
            auto model = Model::fromFile(std::move(file.value()));
            if (!model.ok())
                continue;
            auto runner = Runner::make(**model, m_pool, 16, 4);
            if (runner.ok())
                (void)(*runner)->feed({1, 2, 3}, true);
        }
        // A file that does not exist.
        auto missing = Model::load((m_tmp.path() + QStringLiteral("/nope.gguf")).toStdString());
        QVERIFY(!missing.ok());
    }

    void wrongModelsAreRefusedByName()
    {
        auto check = [](gguf::GgufWriter w, const char* expected) {
            auto bytes = w.toBytes();
            QVERIFY(bytes.ok());
            auto file = gguf::GgufFile::fromBuffer(std::move(bytes.value()), "m.gguf");
            QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
            auto model = Model::fromFile(std::move(file.value()));
            QVERIFY(!model.ok());
            QVERIFY2(model.error().find(expected) != std::string::npos, model.error().c_str());
        };
        outpost::test::SyntheticSpec spec;
        {
            auto w = outpost::test::makeSyntheticModel(spec);
            w.setString("general.architecture", "mamba");
            check(std::move(w), "architecture 'mamba' is not supported");
        }
        {
            auto w = outpost::test::makeSyntheticModel(spec);
            w.remove("llama.block_count");
            check(std::move(w), "llama.block_count");
        }
        {
            // A tensor of a type the kernels cannot compute with.
            outpost::test::SyntheticSpec s2 = spec;
            s2.tiedOutput = true;
            auto w = outpost::test::makeSyntheticModel(s2);
            const std::size_t bytes = *rowBytes(TensorType::IQ2_XS, 256) * std::size_t(s2.vocab);
            QVERIFY(w.addTensor("output.weight", {256, std::uint64_t(s2.vocab)}, TensorType::IQ2_XS, std::vector<std::byte>(bytes)).ok());
            check(std::move(w), "tensor 'output.weight' has type IQ2_XS, which this engine cannot compute with");
        }
        {
            auto w = outpost::test::makeSyntheticModel(spec);
            w.setUInt32("llama.attention.head_count_kv", 4);  // attn_k is shaped for 2
            check(std::move(w), "blk.0.attn_k.weight' has shape [256, 128], expected [256, 256]");
        }
        {
            outpost::test::SyntheticSpec s2 = spec;
            s2.architecture = "qwen2";
            s2.bias = false;
            check(outpost::test::makeSyntheticModel(s2), "missing tensor 'blk.0.attn_q.bias'");
        }
    }

    void badBatchIsAnError()
    {
        if (!haveStories())
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        auto runner = Runner::make(*m_stories, m_pool, 32, 16);
        QVERIFY(runner.ok());
        // Longer than the cache: reserve fails cleanly, nothing written.
        std::vector<std::int32_t> tooLong(40, 300);
        auto r = (*runner)->feed(tooLong, true);
        QVERIFY(!r.ok());
        QVERIFY(QString::fromStdString(r.error()).contains(QStringLiteral("KV cache full")));
        QCOMPARE((*runner)->cache.stats().blocksUsed, 0);
        auto bad = (*runner)->feed({1, 600}, true);
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error()).contains(QStringLiteral("outside the vocabulary")));
        // A position without a reserved block.
        kv::BlockTable empty;
        kv::BlockTable* tables[] = {&empty};
        BatchToken bt{1, 0, 0, true};
        std::vector<float> logits;
        QVERIFY(!m_stories->forward(std::span(&bt, 1), tables, (*runner)->cache, m_pool, (*runner)->ws, logits).ok());
        bt.seq = 3;
        QVERIFY(!m_stories->forward(std::span(&bt, 1), tables, (*runner)->cache, m_pool, (*runner)->ws, logits).ok());
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "test_model.moc"
