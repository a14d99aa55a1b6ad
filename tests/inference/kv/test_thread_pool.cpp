// The thread pool: every index runs exactly once, the caller takes part,
// ranges cover [0, n) without overlap, nested and concurrent use is safe.
#include "inference/runtime/thread_pool.h"

#include <QtTest>

#include <atomic>
#include <sched.h>
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

    // The automatic size counts only the CPUs this process may use: pinned
    // to one CPU (taskset, a container's cpuset) it is one thread.
    void automaticSizeFollowsTheAffinityMask()
    {
        cpu_set_t before;
        if (sched_getaffinity(0, sizeof before, &before) != 0)
            QSKIP("this machine's CPU numbers do not fit a cpu_set_t");
        int first = 0;
        while (first < CPU_SETSIZE && !CPU_ISSET(first, &before))
            ++first;
        QVERIFY(first < CPU_SETSIZE);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            QSKIP("this process may not change its CPU affinity");
        const int pinned = physicalCores();
        const int pool = ThreadPool().size();
        QCOMPARE(sched_setaffinity(0, sizeof before, &before), 0);
        QCOMPARE(pinned, 1);
        QCOMPARE(pool, 1);
        QVERIFY(physicalCores() <= CPU_COUNT(&before));
    }

    void cgroupQuotasRoundUp()
    {
        QCOMPARE(cpuQuotaCores("max 100000"), 0);
        QCOMPARE(cpuQuotaCores("-1 100000"), 0);
        QCOMPARE(cpuQuotaCores("200000 100000"), 2);
        QCOMPARE(cpuQuotaCores("150000 100000"), 2);
        QCOMPARE(cpuQuotaCores("50000 100000"), 1);
        QCOMPARE(cpuQuotaCores("100000 0"), 0);
        QCOMPARE(cpuQuotaCores(""), 0);
        QCOMPARE(cpuQuotaCores("100000"), 0);
        QCOMPARE(cpuQuotaCores("999999999999999999999 1"), 0);
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

    // Jobs back to back whose part counts go up and down: a worker that
    // still looks at the finished job must never claim a part against the
    // next job's larger count (it ran a part twice, or out of its job, and
    // the caller then waited forever for a count it had overshot).
    void backToBackJobsOfChangingSize()
    {
        ThreadPool pool(4);  // more threads than this machine may have cores: workers get preempted anywhere
        std::vector<std::atomic<int>> hits(64);
        int wrong = 0;
        for (int round = 0; round < 50000; ++round) {
            const int parts = round % 2 ? 2 : 64;
            for (int p = 0; p < parts; ++p)
                hits[static_cast<std::size_t>(p)].store(0, std::memory_order_relaxed);
            pool.runParts(parts, [&](int part, int count) {
                if (count != parts || part >= parts)
                    wrong = 1;  // racy on purpose: any write means failure
                else
                    hits[static_cast<std::size_t>(part)].fetch_add(1);
            });
            for (int p = 0; p < parts; ++p)
                if (hits[static_cast<std::size_t>(p)].load() != 1)
                    QFAIL(qPrintable(QString("round %1: part %2 of %3 ran %4 times").arg(round).arg(p).arg(parts).arg(hits[static_cast<std::size_t>(p)].load())));
        }
        QCOMPARE(wrong, 0);
        // More parts than one job's claim word counts (65,535): still each once.
        constexpr int kMany = 70000;
        std::vector<std::atomic<int>> many(kMany);
        pool.runParts(kMany, [&](int part, int count) {
            if (count != kMany)
                wrong = 1;
            many[static_cast<std::size_t>(part)].fetch_add(1);
        });
        QCOMPARE(wrong, 0);
        for (const auto& h : many)
            QCOMPARE(h.load(), 1);
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
