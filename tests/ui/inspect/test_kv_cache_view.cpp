// The KV-cache view on the offscreen platform: synthetic EngineStats samples
// (graph sizes, last values, the sample limit, the TTFT bars, the block
// map's layout and colours, drawn from block owners or from counts), a dark
// palette followed by plots and map, and a real engine on the tiny
// stories260K model when the shared folder has it.
#include "inference/engine.h"
#include "ui/inspect/kv_cache_view.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

#include <algorithm>

using namespace outpost;
using inference::EngineStats;
using ui::KvBlockMap;
using ui::KvCacheView;

namespace {

EngineStats sample(int step)
{
    EngineStats s;
    s.kvBlocksTotal = 64;
    s.kvBlockTokens = 16;
    s.sequences = {{101, 5, 70, true}, {102, 3, 40, true}, {103, 2, 20, false}};
    s.kvBlocksUsed = 10;
    s.kvBlocksCached = 4 + step % 3;
    s.kvBlocksFree = s.kvBlocksTotal - s.kvBlocksUsed - s.kvBlocksCached;
    s.prefixHits = std::uint64_t(step);
    s.prefixMisses = 3;
    s.requestsRunning = 2;
    s.requestsQueued = 1;
    s.lastStepSequences = 2;
    s.tokensPerSecond = 10.0 * step;
    s.ttft.upperMs = {10, 50, 100};
    s.ttft.counts = {1, std::uint64_t(step), 2, 0};
    s.ttft.total = 3 + std::uint64_t(step);
    return s;
}

} // namespace

class TestKvCacheView : public QObject {
    Q_OBJECT
private slots:
    void syntheticSamples()
    {
        KvCacheView view;
        view.resize(1000, 600);
        for (int i = 1; i <= 5; ++i)
            view.addSample(sample(i), i * 0.5);
        QCOMPARE(view.sampleCount(), 5);
        for (const char* g : {"used", "cached", "free", "running", "waiting", "batch", "tokens", "hitrate"})
            QCOMPARE(view.graphPointCount(QLatin1String(g)), 5);
        QCOMPARE(view.graphPointCount(QStringLiteral("nope")), 0);
        QCOMPARE(view.graphLastValue(QStringLiteral("used")), 10.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("cached")), 6.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("free")), 48.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("running")), 2.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("waiting")), 1.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("batch")), 2.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("tokens")), 50.0);
        QCOMPARE(view.graphLastValue(QStringLiteral("hitrate")), 62.5); // 5 / (5 + 3)
        QCOMPARE(view.ttftBarValues(), (QVector<double>{1, 5, 2, 0}));

        view.setMaxSamples(3);
        QCOMPARE(view.sampleCount(), 3);
        QCOMPARE(view.graphPointCount(QStringLiteral("tokens")), 3);
        for (int i = 6; i <= 10; ++i)
            view.addSample(sample(i), i * 0.5);
        QCOMPARE(view.graphPointCount(QStringLiteral("tokens")), 3);
        QCOMPARE(view.graphLastValue(QStringLiteral("tokens")), 100.0);

        view.clear();
        QCOMPARE(view.sampleCount(), 0);
        QCOMPARE(view.graphPointCount(QStringLiteral("used")), 0);
        QCOMPARE(view.blockMap()->cellCount(), 0);
    }

    void blockMapLayout()
    {
        KvBlockMap map;
        EngineStats s = sample(1); // 5 + 3 + 2 sequence blocks, 5 cached, rest free
        map.setStats(s);
        QCOMPARE(map.cellCount(), 64);
        QCOMPARE(map.cell(0).kind, KvBlockMap::Cell::Sequence);
        QCOMPARE(map.cell(4).sequence, 0);
        QCOMPARE(map.cell(5).sequence, 1);
        QCOMPARE(map.cell(9).sequence, 2);
        QCOMPARE(map.cell(10).kind, KvBlockMap::Cell::Cached);
        QCOMPARE(map.cell(14).kind, KvBlockMap::Cell::Cached);
        QCOMPARE(map.cell(15).kind, KvBlockMap::Cell::Free);
        QCOMPARE(map.cell(63).kind, KvBlockMap::Cell::Free);
        QCOMPARE(map.cell(64).kind, KvBlockMap::Cell::Free); // out of range
        QCOMPARE(map.cellColor(0), KvBlockMap::sequenceColor(101));
        QCOMPARE(map.cellColor(6), KvBlockMap::sequenceColor(102));
        QVERIFY(KvBlockMap::sequenceColor(101) != KvBlockMap::sequenceColor(102));
        QCOMPARE(map.cellColor(10), map.palette().color(QPalette::Mid));
        QCOMPARE(map.cellColor(20), map.palette().color(QPalette::Base));

        // More sequence blocks than the cache (shared prefixes) are cut.
        s.kvBlocksTotal = 4;
        map.setStats(s);
        QCOMPARE(map.cellCount(), 4);
        QCOMPARE(map.cell(3).sequence, 0);
        // Nonsense totals do not crash.
        s.kvBlocksTotal = -5;
        map.setStats(s);
        QCOMPARE(map.cellCount(), 0);
        map.resize(100, 100);
        QVERIFY(!map.grab().isNull());
    }

    // With kvBlockOwners the map is the cache as it is: cell i is block i.
    void blockMapFromOwners()
    {
        KvBlockMap map;
        EngineStats s = sample(1);
        s.kvBlockOwners.assign(64, EngineStats::kBlockFree);
        s.kvBlockOwners[0] = EngineStats::kBlockShared;
        s.kvBlockOwners[7] = 2;
        s.kvBlockOwners[8] = 0;
        s.kvBlockOwners[40] = EngineStats::kBlockCached;
        s.kvBlockOwners[41] = 99;  // no such sequence: drawn free, not a crash
        map.setStats(s);
        QCOMPARE(map.cellCount(), 64);
        QCOMPARE(map.cell(0).kind, KvBlockMap::Cell::Shared);
        QCOMPARE(map.cell(7).kind, KvBlockMap::Cell::Sequence);
        QCOMPARE(map.cell(7).sequence, 2);
        QCOMPARE(map.cellColor(7), KvBlockMap::sequenceColor(103));
        QCOMPARE(map.cell(8).sequence, 0);
        QCOMPARE(map.cell(1).kind, KvBlockMap::Cell::Free);
        QCOMPARE(map.cell(40).kind, KvBlockMap::Cell::Cached);
        QCOMPARE(map.cell(41).kind, KvBlockMap::Cell::Free);
        const QColor shared = map.cellColor(0);
        QVERIFY(shared != map.cellColor(40));
        QVERIFY(shared != map.cellColor(1));
        // Owners of another size than the total: laid out from the counts.
        s.kvBlockOwners.resize(10);
        map.setStats(s);
        QCOMPARE(map.cell(0).kind, KvBlockMap::Cell::Sequence);
        QCOMPARE(map.cell(9).sequence, 2);
    }

    // A dark palette reaches the plots (background, axes) and the block map
    // through QEvent::PaletteChange.
    void followsPalette()
    {
        KvCacheView view;
        view.resize(1200, 700);
        EngineStats s = sample(2);
        s.kvBlockOwners.assign(64, EngineStats::kBlockFree);
        for (int b = 0; b < 3; ++b)
            s.kvBlockOwners[std::size_t(b)] = EngineStats::kBlockShared;
        for (int b = 3; b < 8; ++b)
            s.kvBlockOwners[std::size_t(b)] = 0;
        for (int b = 12; b < 16; ++b)
            s.kvBlockOwners[std::size_t(b)] = 1;
        for (int b = 30; b < 36; ++b)
            s.kvBlockOwners[std::size_t(b)] = EngineStats::kBlockCached;
        for (int i = 0; i < 20; ++i)
            view.addSample(s, 0.5 * i);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto plotBackground = [&view] {
            const QImage image = view.grab().toImage();
            // Inside the first plot, away from its lines and labels.
            return QColor(image.pixel(image.width() / 5, image.height() / 6));
        };
        QVERIFY(plotBackground().lightness() > 150);
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2a, 0x2e, 0x32));
        dark.setColor(QPalette::WindowText, QColor(0xe8, 0xea, 0xed));
        dark.setColor(QPalette::Base, QColor(0x1b, 0x1e, 0x20));
        dark.setColor(QPalette::Text, QColor(0xe8, 0xea, 0xed));
        dark.setColor(QPalette::Mid, QColor(0x4d, 0x53, 0x59));
        view.setPalette(dark);
        QCoreApplication::processEvents();
        QCOMPARE(plotBackground(), QColor(0x1b, 0x1e, 0x20));
        QCOMPARE(view.blockMap()->cellColor(63), QColor(0x1b, 0x1e, 0x20));
        QCOMPARE(view.blockMap()->cellColor(30), QColor(0x4d, 0x53, 0x59));
        QDir().mkpath(QStringLiteral("screenshots"));
        QVERIFY(view.grab().save(QStringLiteral("screenshots/kv_cache_view_dark.png")));
    }

    void realEngine()
    {
        const QString model = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFileInfo::exists(model))
            QSKIP("stories260K.gguf not in the shared folder");
        inference::EngineConfig config;
        config.modelPath = model.toStdString();
        config.threads = 1;
        config.kvMemoryMiB = 1;
        auto loaded = inference::Engine::load(config);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().c_str());
        std::shared_ptr<inference::Engine> engine = std::move(loaded.value());

        KvCacheView view;
        view.resize(1200, 700);
        view.addSample(engine->stats(), 0.0);
        inference::GenerationRequest a;
        a.prompt = "Once upon a time";
        a.maxTokens = 24;
        a.sampling.temperature = 0;
        inference::GenerationRequest b = a;
        b.prompt = "Once upon a time there was a cat";
        int samples = 1;
        auto ha = engine->submit(a);
        auto hb = engine->submit(b);
        while (!(ha.finished() && hb.finished()) && samples < 10000) {
            const EngineStats now = engine->stats();
            // Each sequence's own cells are at most its block count; every
            // owner names a sequence of the same snapshot.
            QCOMPARE(int(now.kvBlockOwners.size()), now.kvBlocksTotal);
            for (std::size_t q = 0; q < now.sequences.size(); ++q)
                QVERIFY(std::count(now.kvBlockOwners.begin(), now.kvBlockOwners.end(), std::int32_t(q)) <= now.sequences[q].blocks);
            for (std::int32_t owner : now.kvBlockOwners)
                QVERIFY(owner < std::int32_t(now.sequences.size()));
            view.addSample(now, 0.01 * samples++);
        }
        ha.wait();
        hb.wait();
        view.addSample(engine->stats(), 0.01 * samples++);
        QCOMPARE(view.graphPointCount(QStringLiteral("used")), std::min(samples, view.maxSamples()));
        const EngineStats last = engine->stats();
        QVERIFY(last.kvBlocksTotal > 0);
        QCOMPARE(view.blockMap()->cellCount(), last.kvBlocksTotal);
        QCOMPARE(view.graphLastValue(QStringLiteral("free")), double(last.kvBlocksFree));
        double total = 0;
        for (double v : view.ttftBarValues())
            total += v;
        QCOMPARE(total, 2.0);

        view.setEngine(engine); // polling, then detaching, must be harmless
        view.pollEngine();
        view.setEngine(nullptr);

        QDir().mkpath(QStringLiteral("screenshots"));
        QVERIFY(view.grab().save(QStringLiteral("screenshots/kv_cache_view.png")));
    }
};

QTEST_MAIN(TestKvCacheView)
#include "test_kv_cache_view.moc"
