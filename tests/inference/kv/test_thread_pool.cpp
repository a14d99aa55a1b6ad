// The thread pool: every index runs exactly once, the caller takes part,
// ranges cover [0, n) without overlap, nested and concurrent use is safe.
#include "inference/runtime/thread_pool.h"

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace outpost::inference::runtime;

class TestThreadPool : public QObject {
    Q_OBJECT

private slots:
    void sizesFromSetting()
    {
        QVERIFY(physicalCores() >= 1);
        ThreadPool automatic;
        QCOMPARE(automatic.size(), physicalCores());
        ThreadPool three(3);
        QCOMPARE(three.size(), 3);
    }

    void runPartsRunsEveryPartOnce()
    {
        ThreadPool pool(4);
        for (int round = 0; round < 200; ++round) {
            const int parts = 1 + round % 13;
            std::vector<std::atomic<int>> hits(static_cast<std::size_t>(parts));
            pool.runParts(parts, [&](int part, int count) {
                QCOMPARE(count, parts);
                hits[static_cast<std::size_t>(part)].fetch_add(1);
            });
            for (auto& h : hits)
                QCOMPARE(h.load(), 1);
        }
    }

    // The caller claims parts too: a job completes even if no worker ever
    // gets to run (here the workers are kept busy by nothing, but the caller
    // alone must be able to finish, so a part that blocks until the caller
    // has run another part cannot deadlock).
    void callerTakesPart()
    {
        ThreadPool pool(2);
        const auto caller = std::this_thread::get_id();
        std::atomic<int> byCaller{0};
        for (int round = 0; round < 100; ++round)
            pool.runParts(8, [&](int, int) {
                if (std::this_thread::get_id() == caller)
                    byCaller.fetch_add(1);
            });
        QVERIFY(byCaller.load() > 0);
    }

    void parallelForCoversRangeOnce()
    {
        ThreadPool pool(3);
        for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(7), std::size_t(1000), std::size_t(1001)}) {
            for (std::size_t grain : {std::size_t(1), std::size_t(16), std::size_t(5000)}) {
                std::vector<std::atomic<int>> seen(n);
                pool.parallelFor(n, grain, [&](std::size_t b, std::size_t e) {
                    QVERIFY(b < e && e <= n);
                    for (std::size_t i = b; i < e; ++i)
                        seen[i].fetch_add(1);
                });
                for (auto& s : seen)
                    QCOMPARE(s.load(), 1);
            }
        }
    }

    void nestedRunDoesNotDeadlock()
    {
        ThreadPool pool(2);
        std::atomic<int> inner{0};
        pool.runParts(2, [&](int, int) {
            pool.runParts(3, [&](int, int count) {
                QCOMPARE(count, 3);
                inner.fetch_add(1);
            });
        });
        QCOMPARE(inner.load(), 6);
    }

    void concurrentCallersAreSerialised()
    {
        ThreadPool pool(2);
        std::atomic<long> total{0};
        auto work = [&] {
            for (int i = 0; i < 500; ++i)
                pool.parallelFor(100, 1, [&](std::size_t b, std::size_t e) { total.fetch_add(long(e - b)); });
        };
        std::thread a(work), b(work);
        a.join();
        b.join();
        QCOMPARE(total.load(), 2L * 500 * 100);
    }

    void singleThreadPoolRunsInline()
    {
        ThreadPool pool(1);
        const auto caller = std::this_thread::get_id();
        bool ran = false;
        pool.parallelFor(10, 1, [&](std::size_t b, std::size_t e) {
            QCOMPARE(std::this_thread::get_id(), caller);
            QCOMPARE(b, std::size_t(0));
            QCOMPARE(e, std::size_t(10));
            ran = true;
        });
        QVERIFY(ran);
    }
};

QTEST_GUILESS_MAIN(TestThreadPool)
#include "test_thread_pool.moc"
