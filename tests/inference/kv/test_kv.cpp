// The paged KV cache: block allocation, reference counts, block tables and
// the accounting the stats report. (That a paged cache gives the same tokens
// as one big block is checked in test_model, where a model runs.)
#include "inference/kv/kv_cache.h"

#include <QtTest>

#include <set>

using namespace outpost::inference;
using namespace outpost::inference::kv;

class TestKv : public QObject {
    Q_OBJECT

private slots:
    void allocatorHandsOutEveryBlockOnce()
    {
        BlockAllocator a(8);
        QCOMPARE(a.capacity(), 8);
        QCOMPARE(a.free(), 8);
        std::set<int> seen;
        for (int i = 0; i < 8; ++i) {
            const auto b = a.allocate();
            QVERIFY(b.has_value());
            QVERIFY(*b >= 0 && *b < 8);
            QVERIFY(seen.insert(*b).second);
            QCOMPARE(a.refCount(*b), 1);
        }
        QVERIFY(!a.allocate().has_value());
        QCOMPARE(a.used(), 8);
        QCOMPARE(a.free(), 0);
    }

    void referenceCountsKeepSharedBlocks()
    {
        BlockAllocator a(2);
        const int b = *a.allocate();
        QVERIFY(a.retain(b));
        QCOMPARE(a.refCount(b), 2);
        QVERIFY(a.release(b));
        QCOMPARE(a.used(), 1);  // still owned once
        QVERIFY(a.release(b));
        QCOMPARE(a.used(), 0);
        QCOMPARE(a.refCount(b), 0);
        // Double free and foreign indices are refused, not corrupting.
        QVERIFY(!a.release(b));
        QVERIFY(!a.retain(b));
        QVERIFY(!a.release(-1));
        QVERIFY(!a.release(2));
        QCOMPARE(a.free(), 2);
    }

    void reserveAndReleaseLeaveNoLeak()
    {
        KvCacheConfig config;
        config.layers = 3;
        config.kvDim = 8;
        config.blockTokens = 4;
        config.blocks = 10;
        auto cache = KvCache::create(config);
        QVERIFY2(cache.ok(), cache.ok() ? "" : cache.error().c_str());
        auto stats = cache->stats();
        QCOMPARE(stats.blocksTotal, 10);
        QCOMPARE(stats.blocksFree, 10);
        QCOMPARE(stats.bytesPerToken, std::size_t(3 * 2 * 8 * 4));
        QCOMPARE(stats.bytesTotal, std::size_t(10 * 4) * stats.bytesPerToken);

        BlockTable a, b;
        QVERIFY(cache->reserve(a, 1).ok());
        QCOMPARE(a.blocks.size(), std::size_t(1));
        QVERIFY(cache->reserve(a, 4).ok());
        QCOMPARE(a.blocks.size(), std::size_t(1));
        QVERIFY(cache->reserve(a, 5).ok());
        QCOMPARE(a.blocks.size(), std::size_t(2));
        QVERIFY(cache->reserve(b, 32).ok());
        QCOMPARE(b.blocks.size(), std::size_t(8));
        QCOMPARE(cache->stats().blocksUsed, 10);

        // Exhausted: the table stays as it was and the error says why.
        const auto before = a.blocks;
        const auto full = cache->reserve(a, 9);
        QVERIFY(!full.ok());
        QVERIFY(QString::fromStdString(full.error()).contains(QStringLiteral("full")));
        QCOMPARE(a.blocks, before);

        // Blocks of different tables never overlap.
        std::set<int> all(a.blocks.begin(), a.blocks.end());
        all.insert(b.blocks.begin(), b.blocks.end());
        QCOMPARE(all.size(), std::size_t(10));

        cache->release(a);
        cache->release(b);
        QVERIFY(a.blocks.empty());
        QCOMPARE(a.tokens, 0);
        QCOMPARE(cache->stats().blocksUsed, 0);
        QCOMPARE(cache->stats().blocksFree, 10);

        // Many rounds of reserve/release: the free list returns to full.
        for (int round = 0; round < 100; ++round) {
            BlockTable t;
            QVERIFY(cache->reserve(t, 1 + round % 40).ok());
            cache->release(t);
        }
        QCOMPARE(cache->stats().blocksFree, 10);
    }

    void slotsDoNotOverlap()
    {
        KvCacheConfig config{2, 4, 2, 3, KvType::F32};
        auto cache = KvCache::create(config);
        QVERIFY(cache.ok());
        // Write a distinct value into every slot of every layer, keys and
        // values, then read them all back.
        auto tag = [](int block, int layer, int slot, int kv, int i) {
            return float(((block * 2 + layer) * 2 + slot) * 2 + kv) * 10.0f + float(i);
        };
        for (int block = 0; block < 3; ++block)
            for (int layer = 0; layer < 2; ++layer)
                for (int slot = 0; slot < 2; ++slot)
                    for (int i = 0; i < 4; ++i) {
                        static_cast<float*>(cache->key(block, layer, slot))[i] = tag(block, layer, slot, 0, i);
                        static_cast<float*>(cache->value(block, layer, slot))[i] = tag(block, layer, slot, 1, i);
                    }
        for (int block = 0; block < 3; ++block)
            for (int layer = 0; layer < 2; ++layer)
                for (int slot = 0; slot < 2; ++slot)
                    for (int i = 0; i < 4; ++i) {
                        QCOMPARE(static_cast<const float*>(cache->key(block, layer, slot))[i], tag(block, layer, slot, 0, i));
                        QCOMPARE(static_cast<const float*>(cache->value(block, layer, slot))[i], tag(block, layer, slot, 1, i));
                    }
    }

    void f16HalvesTheBytes()
    {
        KvCacheConfig config{4, 64, 16, 8, KvType::F16};
        auto cache = KvCache::create(config);
        QVERIFY(cache.ok());
        QCOMPARE(cache->stats().bytesPerToken, std::size_t(4 * 2 * 64 * 2));
    }

    void badConfigIsAnError()
    {
        KvCacheConfig config;
        config.layers = 2;
        config.kvDim = 8;
        config.blocks = 0;
        const auto cache = KvCache::create(config);
        QVERIFY(!cache.ok());
        QVERIFY(QString::fromStdString(cache.error()).contains(QStringLiteral("block count")));
        BlockTable t;
        auto ok = KvCache::create(KvCacheConfig{1, 1, 1, 1, KvType::F32});
        QVERIFY(ok.ok());
        QVERIFY(!ok->reserve(t, -1).ok());
    }
};

QTEST_GUILESS_MAIN(TestKv)
#include "test_kv.moc"
