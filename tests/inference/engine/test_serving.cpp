// The serving engine on the tiny real model: continuous batching gives each
// request the same greedy tokens as running it alone (with and without the
// prefix cache, and under preemption), stop strings, embeddings, stats, and
// a storm of random requests and cancellations that must leave every KV
// block free and nothing hanging.
#include "inference/engine.h"
#include "inference/tensor/kernels.h"

#include "../model/synthetic_model.h"
#include "../model/tiny_engine.h"

#include <QtTest>
#include <QTemporaryDir>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

using namespace outpost::inference;
using outpost::inference::testing::loadTinyEngine;

namespace {

SamplingSettings greedy()
{
    SamplingSettings s;
    s.temperature = 0;
    return s;
}

// Sixteen prompts; the first twelve share a long opening (a "system
// prompt" of several KV blocks), the rest are unrelated.
std::vector<std::string> prompts()
{
    const std::string shared =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. "
        "One day, ";
    const char* tails[] = {"she saw a big red ball.", "her mom said", "a dog ran", "the sun was hot", "Lily was sad",
                           "they went to the shop", "a bird sang", "Tom came", "it began to rain", "she found a box",
                           "the cat", "a little boy"};
    std::vector<std::string> out;
    for (const char* t : tails)
        out.push_back(shared + t);
    out.push_back("The little dog");
    out.push_back("Tim and Sue");
    out.push_back("A big fish swam");
    out.push_back("Sara had a red ball");
    return out;
}

// No sequence holds a block: the counts say so, and so does the block map
// (every block free or kept as a cached prefix, as many of each as counted).
bool blocksAllBack(const EngineStats& s)
{
    if (s.kvBlocksUsed != 0 || static_cast<int>(s.kvBlockOwners.size()) != s.kvBlocksTotal)
        return false;
    int free = 0, cached = 0;
    for (const auto owner : s.kvBlockOwners) {
        free += owner == EngineStats::kBlockFree;
        cached += owner == EngineStats::kBlockCached;
    }
    return free == s.kvBlocksFree && cached == s.kvBlocksCached && free + cached == s.kvBlocksTotal;
}

// Waits (without sleeping) until the engine thread has published its last
// stats after the final request finished.
EngineStats settledStats(const Engine& engine)
{
    for (int i = 0; i < 1000000; ++i) {
        auto s = engine.stats();
        if (s.requestsRunning == 0 && s.requestsQueued == 0)
            return s;
        std::this_thread::yield();
    }
    return engine.stats();
}

} // namespace

class TestServing : public QObject {
    Q_OBJECT

private:
    std::vector<std::vector<std::int32_t>> m_alone;
    static constexpr int kTokens = 48;

    std::vector<GenerationResult> runConcurrently(Engine& engine)
    {
        std::vector<RequestHandle> handles;
        for (const auto& p : prompts()) {
            GenerationRequest req;
            req.prompt = p;
            req.maxTokens = kTokens;
            req.stopAtEndOfGeneration = false;
            req.sampling = greedy();
            handles.push_back(engine.submit(req));
        }
        std::vector<GenerationResult> out;
        for (auto& h : handles)
            out.push_back(h.wait());
        return out;
    }

private slots:
    void initTestCase()
    {
        if (!QFile::exists(outpost::inference::testing::tinyModelPath()))
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        EngineConfig config;
        config.threads = 1;
        config.contextLength = 512;
        config.prefixCache = false;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        for (const auto& p : prompts()) {
            GenerationRequest req;
            req.prompt = p;
            req.maxTokens = kTokens;
            req.stopAtEndOfGeneration = false;
            req.sampling = greedy();
            const auto r = engine->generate(req);
            QCOMPARE(r.finish, FinishReason::Length);
            QCOMPARE(int(r.tokens.size()), kTokens);
            m_alone.push_back(r.tokens);
        }
    }

    void batchedEqualsAlone_data()
    {
        QTest::addColumn<bool>("prefixCache");
        QTest::addColumn<double>("kvMiB");
        QTest::addColumn<int>("blockTokens");
        QTest::addColumn<int>("threads");
        QTest::newRow("batched") << false << 0.0 << 16 << 1;
        QTest::newRow("batched, two threads") << false << 0.0 << 16 << 2;
        QTest::newRow("prefix cache") << true << 0.0 << 16 << 1;
        QTest::newRow("prefix cache, 4-token blocks") << true << 0.0 << 4 << 2;
        // 640 bytes per token: 0.12 MiB is about 196 tokens for sixteen
        // requests of ~80 tokens each, so sequences get preempted.
        QTest::newRow("preemption") << false << 0.12 << 16 << 1;
        QTest::newRow("preemption and prefix cache") << true << 0.12 << 8 << 2;
    }

    void batchedEqualsAlone()
    {
        QFETCH(bool, prefixCache);
        QFETCH(double, kvMiB);
        QFETCH(int, blockTokens);
        QFETCH(int, threads);
        EngineConfig config;
        config.threads = threads;
        config.contextLength = 512;
        config.prefixCache = prefixCache;
        config.kvMemoryMiB = kvMiB;
        config.kvBlockTokens = blockTokens;
        config.stepTokens = 64;  // long prompts prefill in chunks beside running streams
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        const auto results = runConcurrently(*engine);
        for (std::size_t i = 0; i < results.size(); ++i) {
            QCOMPARE(results[i].finish, FinishReason::Length);
            if (results[i].tokens != m_alone[i])
                QFAIL(qPrintable(QStringLiteral("request %1 differs from its run alone").arg(i)));
        }
        const auto s = settledStats(*engine);
        QVERIFY(blocksAllBack(s));
        std::uint64_t bucketed = 0;
        for (const auto n : s.batchSizeCounts)
            bucketed += n;
        QVERIFY(s.steps > 0 && bucketed == s.steps);
        qInfo("steps %llu, preemptions %llu, prefix hits %llu misses %llu, evictions %llu, batch-size buckets [%llu %llu %llu %llu %llu]",
              (unsigned long long)s.steps, (unsigned long long)s.preemptions, (unsigned long long)s.prefixHits,
              (unsigned long long)s.prefixMisses, (unsigned long long)s.evictions, (unsigned long long)s.batchSizeCounts[0],
              (unsigned long long)s.batchSizeCounts[1], (unsigned long long)s.batchSizeCounts[2],
              (unsigned long long)s.batchSizeCounts[3], (unsigned long long)s.batchSizeCounts[4]);
        // Sixteen requests submitted together do run together.
        QVERIFY(s.batchSizeCounts[4] + s.batchSizeCounts[5] > 0 || kvMiB > 0);
        if (prefixCache)
            QVERIFY(s.prefixHits > 0);
        if (kvMiB > 0)
            QVERIFY2(s.preemptions > 0, "the small KV budget should have forced preemption");
    }

    // Quantised weights take other kernels for one input and for a batch
    // (several inputs per weight row); both must give the same numbers, or
    // batching would change greedy output. Synthetic models of each type.
    void quantisedBatchedEqualsAlone_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("Q8_0") << int(TensorType::Q8_0);
        QTest::newRow("Q4_K") << int(TensorType::Q4_K);
        QTest::newRow("Q5_K") << int(TensorType::Q5_K);
        QTest::newRow("Q6_K") << int(TensorType::Q6_K);
        QTest::newRow("Q4_0") << int(TensorType::Q4_0);
        QTest::newRow("F16") << int(TensorType::F16);
    }

    void quantisedBatchedEqualsAlone()
    {
        QFETCH(int, type);
        QTemporaryDir dir;
        outpost::test::SyntheticSpec spec;
        spec.type = TensorType(type);
        spec.vocab = 256;
        spec.embd = 256;
        spec.heads = 4;
        spec.kvHeads = 2;
        spec.ffn = 2304;  // rows longer than 2048: float weights take their column-chunked path
        spec.layers = 2;
        spec.context = 256;
        const std::string path = (dir.path() + QStringLiteral("/m.gguf")).toStdString();
        QVERIFY(outpost::test::makeSyntheticModel(spec).writeFile(path).ok());
        EngineConfig config;
        config.modelPath = path;
        config.threads = 2;
        config.contextLength = 128;
        auto engine = Engine::load(config);
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().c_str());
        std::mt19937 rng(5);
        std::vector<GenerationRequest> reqs;
        for (int i = 0; i < 16; ++i) {
            GenerationRequest req;
            for (int t = 0; t < 3 + i; ++t)
                req.promptTokens.push_back(std::int32_t(rng() % 256));
            req.maxTokens = 24;
            req.stopAtEndOfGeneration = false;
            req.sampling = greedy();
            reqs.push_back(req);
        }
        std::vector<std::vector<std::int32_t>> alone;
        for (const auto& r : reqs)
            alone.push_back((*engine)->generate(r).tokens);
        std::vector<RequestHandle> handles;
        for (const auto& r : reqs)
            handles.push_back((*engine)->submit(r));
        for (std::size_t i = 0; i < handles.size(); ++i) {
            const auto r = handles[i].wait();
            QCOMPARE(int(r.tokens.size()), 24);
            if (r.tokens != alone[i])
                QFAIL(qPrintable(QStringLiteral("request %1 differs from its run alone").arg(i)));
        }
    }

    // A cached system prompt is shared: the second request computes only
    // its own tail, and the blocks stay cached (not used) afterwards.
    void prefixCacheSharesBlocks()
    {
        EngineConfig config;
        config.threads = 1;
        config.contextLength = 512;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        GenerationRequest req;
        req.prompt = prompts()[0];
        req.maxTokens = 4;
        req.sampling = greedy();
        const auto first = engine->generate(req);
        auto s = settledStats(*engine);
        QVERIFY(s.kvBlocksCached > 0);
        QCOMPARE(s.kvBlocksUsed, 0);
        const auto hitsBefore = s.prefixHits;
        const auto second = engine->generate(req);
        QCOMPARE(second.tokens, first.tokens);
        s = settledStats(*engine);
        // Full blocks before the last prompt token (which is always computed).
        const int promptBlocks = (int(engine->tokenize(req.prompt).size()) - 1) / s.kvBlockTokens;
        QCOMPARE(int(s.prefixHits - hitsBefore), promptBlocks);
        QVERIFY(blocksAllBack(s));
    }

    void stopStringsEndTheText()
    {
        EngineConfig config;
        config.threads = 1;
        config.contextLength = 512;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        GenerationRequest req;
        req.prompt = "Once upon a time";
        req.maxTokens = 64;
        req.sampling = greedy();
        const auto full = engine->generate(req);
        // The greedy text is ", there was a little girl named Lily. ..."
        const auto at = full.text.find("Lily");
        QVERIFY(at != std::string::npos);
        req.stop = {"Lily", "zzz-never"};
        std::string streamed;
        req.onToken = [&](const TokenEvent& ev) { streamed += ev.text; };
        const auto r = engine->generate(req);
        QCOMPARE(r.finish, FinishReason::Stop);
        QCOMPARE(r.text, full.text.substr(0, at));
        QCOMPARE(streamed, r.text);
        QVERIFY(settledStats(*engine).kvBlocksUsed == 0);
    }

    void throwingCallbackCancelsOnlyItsRequest()
    {
        EngineConfig config;
        config.threads = 1;
        config.contextLength = 256;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        GenerationRequest bad;
        bad.prompt = "Once upon a time";
        bad.maxTokens = 50;
        bad.onToken = [](const TokenEvent& ev) {
            if (ev.token >= 0)
                throw std::runtime_error("callback failure");
        };
        GenerationRequest good;
        good.prompt = "The little dog";
        good.maxTokens = 20;
        good.stopAtEndOfGeneration = false;
        good.sampling = greedy();
        auto a = engine->submit(bad);
        auto b = engine->submit(good);
        QCOMPARE(a.wait().finish, FinishReason::Cancelled);
        QCOMPARE(b.wait().finish, FinishReason::Length);
        QVERIFY(settledStats(*engine).kvBlocksUsed == 0);
    }

    void embeddingsAreNormalisedAndBatchIndependent()
    {
        EngineConfig config;
        config.threads = 2;
        config.contextLength = 512;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        const std::vector<std::string> texts{"The cat sat on the mat.", "A dog ran in the park.", "The cat sat on the mat."};
        auto all = engine->embed(texts);
        QVERIFY2(all.ok(), all.ok() ? "" : all.error().c_str());
        QCOMPARE(all->size(), std::size_t(3));
        for (const auto& v : *all) {
            QCOMPARE(int(v.size()), engine->info().embedding);
            double n = 0;
            for (float x : v)
                n += double(x) * x;
            QVERIFY(std::abs(n - 1.0) < 1e-4);
        }
        QCOMPARE((*all)[0], (*all)[2]);
        auto one = engine->embed({texts[1]});
        QVERIFY(one.ok());
        double dot = 0, self = 0;
        for (std::size_t i = 0; i < (*one)[0].size(); ++i) {
            dot += double((*one)[0][i]) * (*all)[1][i];
            self += double((*all)[0][i]) * (*all)[1][i];
        }
        QVERIFY(dot > 0.99999);  // alone or in a batch: the same vector
        QVERIFY(self < 0.9999);  // different texts: different vectors
        QVERIFY(!engine->embed({"ok", ""}).ok() || engine->tokenize("").size() > 0);
        // A text of megabytes is cut to the context like any long text (its
        // bytes are cut before tokenizing, which would take seconds).
        std::string huge;
        while (huge.size() < (30u << 20))
            huge += "The cat sat on the mat. ";
        const auto cut = engine->embed({huge, huge.substr(0, 4000)});
        QVERIFY2(cut.ok(), cut.ok() ? "" : cut.error().c_str());
        double same = 0;
        for (std::size_t i = 0; i < (*cut)[0].size(); ++i)
            same += double((*cut)[0][i]) * (*cut)[1][i];
        QVERIFY2(same > 0.99999, qPrintable(QString::number(same, 'g', 10)));
    }

    // A text longer than the step budget is embedded in chunks of it (each
    // attending to the ones before through the cache): the same vector as
    // in one pass, beside shorter texts batched as usual.
    void longTextsAreEmbeddedInChunks()
    {
        EngineConfig config;
        config.threads = 1;
        config.contextLength = 512;
        auto whole = loadTinyEngine(config);
        config.stepTokens = 16;
        auto chunked = loadTinyEngine(config);
        QVERIFY(whole && chunked);
        std::string story;
        for (const auto& p : prompts())
            story += p + " ";
        QVERIFY(whole->tokenize(story, true, false).size() > 100);
        const std::vector<std::string> texts{"A dog ran.", story, "Tim and Sue"};
        const auto a = whole->embed(texts);
        const auto b = chunked->embed(texts);
        QVERIFY(a.ok() && b.ok());
        for (std::size_t t = 0; t < texts.size(); ++t) {
            double dot = 0;
            for (std::size_t i = 0; i < (*a)[t].size(); ++i)
                dot += double((*a)[t][i]) * (*b)[t][i];
            QVERIFY2(dot > 0.99999, qPrintable(QString::number(dot, 'g', 10)));
        }
    }

    void kvTypesReportTheirLayout()
    {
        // stories260K: 5 layers, kv width 4 heads x 8 = 32.
        struct Case {
            KvCacheType type;
            std::size_t bytes;
        } cases[] = {{KvCacheType::F32, 5 * 2 * 32 * 4}, {KvCacheType::F16, 5 * 2 * 32 * 2}, {KvCacheType::Q8_0, 5 * 2 * 34}};
        for (const auto& c : cases) {
            EngineConfig config;
            config.threads = 1;
            config.contextLength = 256;
            config.kvType = c.type;
            auto engine = loadTinyEngine(config);
            QVERIFY(engine);
            QCOMPARE(engine->stats().kvBytesPerToken, c.bytes);
            GenerationRequest req;
            req.prompt = "Once upon a time";
            req.maxTokens = 24;
            req.sampling = greedy();
            const auto r = engine->generate(req);
            QCOMPARE(r.finish, FinishReason::Length);
            if (c.type == KvCacheType::Q8_0)
                qInfo("Q8_0 cache: %s", r.text.c_str());
        }
    }

    // Every public function from several threads at once while requests
    // run (the header promises that any may be called from any thread):
    // two threads submit, cancel and poll, a third reads stats, tokenizes,
    // renders chat and embeds through the engine's own thread pool, and the
    // callbacks read stats on the engine thread. Every request finishes and
    // every block comes back; under ThreadSanitizer nothing may race.
    void callersOnManyThreads()
    {
        EngineConfig config;
        config.threads = 2;
        config.contextLength = 128;
        config.kvMemoryMiB = 0.05;
        config.kvBlockTokens = 8;
        config.maxSequences = 4;
        config.stepTokens = 32;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        Engine* e = engine.get();
        std::atomic<bool> done{false};
        std::atomic<int> finals{0}, errors{0}, badStats{0}, badCalls{0};
        constexpr int kPerThread = 60;
        // QVERIFY is for the test's own thread only: the others count.
        auto submitter = [&](unsigned seed) {
            std::mt19937 rng(seed);
            std::vector<RequestHandle> mine;
            for (int i = 0; i < kPerThread; ++i) {
                GenerationRequest req;
                req.prompt = (rng() % 2) ? "Once upon a time there was a cat" : "The little dog ran";
                req.maxTokens = 1 + int(rng() % 8);
                req.sampling.temperature = (rng() % 2) ? 0.0f : 0.9f;
                req.sampling.seed = rng();
                req.onToken = [e, &finals](const TokenEvent& ev) {
                    if (ev.final)
                        ++finals;
                    else if (ev.token % 5 == 0)
                        (void)e->stats();
                };
                mine.push_back(e->submit(req));
                if (rng() % 4 == 0)
                    mine[rng() % mine.size()].cancel();
                (void)mine[rng() % mine.size()].finished();
            }
            for (auto& h : mine)
                errors += h.wait().finish == FinishReason::Error;
        };
        auto reader = [&] {
            while (!done) {
                const auto s = e->stats();
                badStats += s.kvBlocksUsed + s.kvBlocksCached + s.kvBlocksFree != s.kvBlocksTotal;
                badCalls += e->tokenize("A dog ran.").empty();
                badCalls += !e->renderChat({{"user", "hi"}}).ok();
                badCalls += !e->embed({"The cat sat.", "A dog ran in the park."}).ok();
            }
        };
        std::thread r(reader);
        std::thread a(submitter, 1u), b(submitter, 2u);
        a.join();
        b.join();
        done = true;
        r.join();
        QCOMPARE(errors.load(), 0);
        QCOMPARE(badStats.load(), 0);
        QCOMPARE(badCalls.load(), 0);
        QCOMPARE(finals.load(), 2 * kPerThread);
        const auto s = settledStats(*engine);
        QCOMPARE(s.requestsFinished, std::uint64_t(2 * kPerThread));
        QVERIFY(blocksAllBack(s));
    }

    // 10,000 random requests, random cancellations (before they run, from
    // their own callbacks, from another thread), a small KV budget: every
    // request finishes and every block comes back.
    void stormOfRequestsLeavesNothingBehind()
    {
        EngineConfig config;
        config.threads = 2;
        config.contextLength = 128;
        config.kvMemoryMiB = 0.05;  // ~80 tokens in blocks of 8
        config.kvBlockTokens = 8;
        config.maxSequences = 16;
        config.stepTokens = 48;
        auto engine = loadTinyEngine(config);
        QVERIFY(engine);
        std::mt19937 rng(12345);
        const char* words[] = {"the", "cat", "dog", "Lily", "ran", "big", "red", "ball", "sun", "park", "Once", "upon", "a", "time"};
        constexpr int kRequests = 10000;
        std::vector<RequestHandle> handles;
        handles.reserve(kRequests);
        std::atomic<int> finals{0};
        std::vector<std::uint64_t> toCancel;
        for (int i = 0; i < kRequests; ++i) {
            GenerationRequest req;
            const int words_n = 1 + int(rng() % 12);
            // Common openings so the prefix cache sees hits and evictions.
            req.prompt = (rng() % 2) ? "Once upon a time there was a cat" : "";
            for (int w = 0; w < words_n; ++w)
                req.prompt += std::string(" ") + words[rng() % std::size(words)];
            req.maxTokens = 1 + int(rng() % 6);
            req.sampling.temperature = (rng() % 2) ? 0.0f : 0.9f;
            req.sampling.seed = rng();
            const int cancelAt = (rng() % 5 == 0) ? int(rng() % 4) : -1;
            // The callback runs on the engine thread, possibly before
            // submit() has returned the handle here: the handle is set and
            // read under the holder's mutex (a callback that comes first
            // finds it empty and does not cancel).
            struct Holder {
                std::mutex mutex;
                RequestHandle handle;
            };
            auto holder = std::make_shared<Holder>();
            auto count = std::make_shared<int>(0);
            req.onToken = [holder, count, cancelAt, &finals](const TokenEvent& ev) {
                if (ev.final) {
                    ++finals;
                    return;
                }
                if (++*count == cancelAt) {
                    std::lock_guard lock(holder->mutex);
                    holder->handle.cancel();
                }
            };
            auto h = engine->submit(req);
            {
                std::lock_guard lock(holder->mutex);
                holder->handle = h;
            }
            handles.push_back(h);
            if (rng() % 7 == 0)
                h.cancel();
            if (rng() % 50 == 0) {
                // Cancel a few earlier ones from this thread while they run.
                for (int k = 0; k < 3 && !handles.empty(); ++k)
                    handles[rng() % handles.size()].cancel();
            }
        }
        int cancelled = 0, stopped = 0, length = 0;
        for (auto& h : handles) {
            const auto r = h.wait();
            QVERIFY2(r.finish != FinishReason::Error, r.error.c_str());
            cancelled += r.finish == FinishReason::Cancelled;
            stopped += r.finish == FinishReason::Stop;
            length += r.finish == FinishReason::Length;
        }
        QCOMPARE(finals.load(), kRequests);
        const auto s = settledStats(*engine);
        qInfo("%d requests: %d length, %d stop, %d cancelled; %llu steps, %llu preemptions, prefix hits %llu, evictions %llu",
              kRequests, length, stopped, cancelled, (unsigned long long)s.steps, (unsigned long long)s.preemptions,
              (unsigned long long)s.prefixHits, (unsigned long long)s.evictions);
        QCOMPARE(s.requestsFinished, std::uint64_t(kRequests));
        QVERIFY(blocksAllBack(s));
        QVERIFY(s.sequences.empty());
        QVERIFY(cancelled > 0 && length > 0);
        // The budget was tight enough to exercise what the test is about.
        QVERIFY(s.preemptions > 0 && s.evictions > 0 && s.prefixHits > 0);
    }
};

QTEST_GUILESS_MAIN(TestServing)
#include "test_serving.moc"
