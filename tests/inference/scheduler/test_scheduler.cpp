// The scheduler and the block pool without a model: block ownership
// invariants through random admissions, steps, preemptions and removals;
// prefix sharing; LRU eviction of cached blocks; chunked prefill budgets.
#include "inference/kv/block_pool.h"
#include "inference/scheduler/scheduler.h"

#include <QtTest>

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>

using namespace outpost::inference;
using namespace outpost::inference::scheduler;

namespace {

std::unique_ptr<Sequence> makeSeq(std::uint64_t id, std::vector<std::int32_t> tokens)
{
    auto s = std::make_unique<Sequence>();
    s->id = id;
    s->tokens = std::move(tokens);
    return s;
}

// `count` consecutive token ids from `first`.
std::vector<std::int32_t> tokenRun(std::int32_t first, int count)
{
    std::vector<std::int32_t> tokens(static_cast<std::size_t>(count));
    std::iota(tokens.begin(), tokens.end(), first);
    return tokens;
}

// What the engine does after a forward pass: every sequence whose last
// token was computed gets one more token.
void runStep(Scheduler& sched, const StepPlan& plan, std::int32_t next)
{
    sched.commit(plan);
    for (const auto& e : plan.entries)
        if (e.logits)
            e.seq->tokens.push_back(next);
}

// The block map agrees with the tables and the pool: each running
// sequence's own blocks plus the shared ones it holds are its table; free
// and cached counts are the pool's; a shared block has several holders.
bool ownersConsistent(const Scheduler& sched, const kv::BlockPool& pool)
{
    std::vector<std::int32_t> owners{42};  // stale contents must be overwritten
    sched.blockOwners(owners);
    if (int(owners.size()) != pool.capacity())
        return false;
    int free = 0, cached = 0;
    for (std::size_t b = 0; b < owners.size(); ++b) {
        const int refs = pool.refCount(int(b));
        switch (owners[b]) {
        case Scheduler::kOwnerFree: ++free; if (refs != 0) return false; break;
        case Scheduler::kOwnerCached: ++cached; if (refs != 0) return false; break;
        case Scheduler::kOwnerShared: if (refs < 2) return false; break;
        default:
            if (owners[b] < 0 || owners[b] >= int(sched.running().size()) || refs != 1)
                return false;
        }
    }
    if (free != pool.free() || cached != pool.cached())
        return false;
    for (std::size_t i = 0; i < sched.running().size(); ++i) {
        int own = 0;
        for (int b : sched.running()[i]->table.blocks) {
            const auto o = owners[std::size_t(b)];
            if (o != Scheduler::kOwnerShared && o != std::int32_t(i))
                return false;
            own += o == std::int32_t(i) ? 1 : 0;
        }
        if (own != int(std::count(owners.begin(), owners.end(), std::int32_t(i))))
            return false;
    }
    return true;
}

} // namespace

class TestScheduler : public QObject {
    Q_OBJECT

private slots:
    void poolStatesAddUp()
    {
        kv::BlockPool pool(4);
        const int a = *pool.allocate();
        const int b = *pool.allocate();
        const std::vector<std::int32_t> t{1, 2, 3, 4};
        const auto h = kv::BlockPool::chainHash(0, t);
        QVERIFY(pool.publish(a, h, kv::BlockPool::kNoParent, t));
        QVERIFY(!pool.publish(b, h, kv::BlockPool::kNoParent, t));  // one shared copy per prefix
        QVERIFY(pool.release(a));
        QCOMPARE(pool.cached(), 1);
        QCOMPARE(pool.used(), 1);
        QCOMPARE(*pool.lookup(h, kv::BlockPool::kNoParent, t), a);
        QVERIFY(!pool.lookup(h, kv::BlockPool::kNoParent, std::vector<std::int32_t>{1, 2, 3, 5}));  // same hash, other tokens: no
        QVERIFY(pool.retain(a));  // back from the cache
        QCOMPARE(pool.cached(), 0);
        QVERIFY(pool.release(a));
        QVERIFY(pool.release(b));
        QVERIFY(!pool.release(b));
        QCOMPARE(pool.free(), 3);
        // Exhausting the free list evicts the cached block.
        for (int i = 0; i < 4; ++i)
            QVERIFY(pool.allocate().has_value());
        QCOMPARE(pool.evictions, std::uint64_t(1));
        QVERIFY(!pool.lookup(h, kv::BlockPool::kNoParent, t));
        QVERIFY(!pool.allocate().has_value());
        QVERIFY(pool.checkInvariants());
    }

    // A forged 64-bit collision: another first block published under the
    // hash of an evicted one does not make the evicted one's cached child
    // reachable, since the child records its parent block's publication,
    // not just the parent's hash. An unpublished parent cannot have
    // published children.
    void childrenFollowTheirOwnParentOnly()
    {
        kv::BlockPool pool(4);
        const std::vector<std::int32_t> x{1, 2}, y{3, 4}, other{9, 9};
        const auto h0 = kv::BlockPool::chainHash(0, x);
        const auto h1 = kv::BlockPool::chainHash(h0, y);
        const int p = *pool.allocate();
        const int c = *pool.allocate();
        QVERIFY(pool.publish(p, h0, kv::BlockPool::kNoParent, x));
        QVERIFY(pool.publish(c, h1, p, y));
        QCOMPARE(*pool.lookup(h1, p, y), c);
        QVERIFY(pool.release(p));   // p is the colder of the two
        QVERIFY(pool.release(c));
        // With the two free blocks taken, the next allocation evicts p; the
        // same block index comes back holding other tokens under p's hash.
        const int u = *pool.allocate();
        const int v = *pool.allocate();
        const int q = *pool.allocate();
        QCOMPARE(q, p);
        QVERIFY(pool.isPublished(c));
        QVERIFY(pool.publish(q, h0, kv::BlockPool::kNoParent, other));
        QCOMPARE(*pool.lookup(h0, kv::BlockPool::kNoParent, other), q);
        QVERIFY(!pool.lookup(h1, q, y));
        // u is not published: a block after it is not published either.
        QVERIFY(!pool.publish(v, kv::BlockPool::chainHash(7, y), u, y));
        QVERIFY(!pool.isPublished(v));
        // The orphan c still holds h1 but nothing can reach it: a block
        // published under h1 after a reachable parent takes the hash, and
        // the orphan (cached) becomes free.
        const int freeBefore = pool.free();
        QVERIFY(pool.publish(v, h1, q, y));
        QCOMPARE(*pool.lookup(h1, q, y), v);
        QVERIFY(!pool.isPublished(c));
        QCOMPARE(pool.free(), freeBefore + 1);
        QVERIFY(pool.checkInvariants());
    }

    void lruEvictsTheOldestCachedBlockFirst()
    {
        kv::BlockPool pool(3);
        std::vector<std::uint64_t> hashes;
        std::vector<int> blocks;
        for (int i = 0; i < 3; ++i) {
            const std::vector<std::int32_t> t{i};
            blocks.push_back(*pool.allocate());
            hashes.push_back(kv::BlockPool::chainHash(0, t));
            QVERIFY(pool.publish(blocks.back(), hashes.back(), kv::BlockPool::kNoParent, t));
        }
        for (int b : blocks)
            pool.release(b);  // released 0, 1, 2: block 0 is the coldest
        QVERIFY(pool.retain(blocks[0]));  // touched again: now 1 is the coldest
        pool.release(blocks[0]);
        QCOMPARE(*pool.allocate(), blocks[1]);
        QVERIFY(pool.lookup(hashes[0], kv::BlockPool::kNoParent, std::vector<std::int32_t>{0}).has_value());
        QVERIFY(!pool.lookup(hashes[1], kv::BlockPool::kNoParent, std::vector<std::int32_t>{1}).has_value());
        QVERIFY(pool.checkInvariants());
    }

    void longPromptsArePrefilledInChunks()
    {
        kv::BlockPool pool(64);
        SchedulerConfig config;
        config.blockTokens = 4;
        config.stepTokens = 10;
        Scheduler sched(config, pool);
        auto decoding = makeSeq(1, {5, 6});
        auto longOne = makeSeq(2, std::vector<std::int32_t>(35, 7));
        sched.add(decoding.get());
        auto plan = sched.schedule();
        QCOMPARE(plan.tokens, 2);
        runStep(sched, plan, 9);
        sched.add(longOne.get());
        int steps = 0;
        while (longOne->computed < 35) {
            plan = sched.schedule();
            QVERIFY(plan.tokens <= 10);
            // The stream in progress gets its token every step.
            bool decoded = false;
            for (const auto& e : plan.entries)
                decoded = decoded || (e.seq == decoding.get() && e.count == 1);
            QVERIFY(decoded);
            runStep(sched, plan, 9);
            QVERIFY(sched.checkInvariants());
            ++steps;
        }
        QCOMPARE(steps, 4);  // 35 tokens at 9 per step
        sched.remove(decoding.get());
        sched.remove(longOne.get());
        QCOMPARE(pool.used(), 0);
    }

    void sharedPrefixIsComputedOnce()
    {
        kv::BlockPool pool(32);
        SchedulerConfig config;
        config.blockTokens = 4;
        Scheduler sched(config, pool);
        const auto prefix = tokenRun(100, 12);
        auto a = makeSeq(1, prefix);
        a->tokens.push_back(1);
        sched.add(a.get());
        runStep(sched, sched.schedule(), 2);
        auto b = makeSeq(2, prefix);
        b->tokens.push_back(3);
        sched.add(b.get());
        const auto plan = sched.schedule();
        for (const auto& e : plan.entries)
            if (e.seq == b.get())
                QCOMPARE(e.start, 12);  // three blocks from the cache
        QCOMPARE(b->cachedTokensAtAdmission, 12);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(a->table.blocks[std::size_t(i)], b->table.blocks[std::size_t(i)]);
            QCOMPARE(pool.refCount(a->table.blocks[std::size_t(i)]), 2);
        }
        runStep(sched, plan, 4);
        QVERIFY(sched.checkInvariants());
        // The block map shows the three prefix blocks as shared, the rest
        // of each table as its own.
        std::vector<std::int32_t> owners;
        sched.blockOwners(owners);
        QCOMPARE(int(owners.size()), 32);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(owners[std::size_t(a->table.blocks[std::size_t(i)])], Scheduler::kOwnerShared);
        QCOMPARE(owners[std::size_t(a->table.blocks[3])], std::int32_t(0));
        QCOMPARE(owners[std::size_t(b->table.blocks[3])], std::int32_t(1));
        QCOMPARE(std::count(owners.begin(), owners.end(), Scheduler::kOwnerFree), std::ptrdiff_t(32 - 5));
        QVERIFY(ownersConsistent(sched, pool));
        // A prompt made only of cached blocks still computes its last token
        // (its logits are needed), in a block of its own.
        auto c = makeSeq(3, prefix);
        sched.add(c.get());
        const auto plan2 = sched.schedule();
        for (const auto& e : plan2.entries)
            if (e.seq == c.get()) {
                QCOMPARE(e.start, 8);
                QCOMPARE(e.count, 4);
            }
        QVERIFY(c->table.blocks[2] != a->table.blocks[2]);
        sched.remove(a.get());
        sched.remove(b.get());
        sched.remove(c.get());
        QCOMPARE(pool.used(), 0);
        QVERIFY(pool.cached() > 0);
        QVERIFY(sched.checkInvariants());
        // Nobody holds anything: published prefixes are cached, the rest free.
        sched.blockOwners(owners);
        QCOMPARE(std::count(owners.begin(), owners.end(), Scheduler::kOwnerCached), std::ptrdiff_t(pool.cached()));
        QCOMPARE(std::count(owners.begin(), owners.end(), Scheduler::kOwnerFree), std::ptrdiff_t(pool.free()));
    }

    // Blocks computed again although an equal one is cached (two sequences
    // admitted in the same step, or the last block of a prompt made only of
    // cached blocks) chain through that equal block: what the sequence
    // computes after them is still published and found by the next request.
    void blocksAfterADuplicateArePublished()
    {
        kv::BlockPool pool(64);
        SchedulerConfig config;
        config.blockTokens = 4;
        Scheduler sched(config, pool);
        const auto prompt = tokenRun(100, 8);
        auto a = makeSeq(1, prompt);
        auto b = makeSeq(2, prompt);
        sched.add(a.get());
        sched.add(b.get());
        // Both admitted together: neither finds the other's blocks yet.
        auto plan = sched.schedule();
        QCOMPARE(int(plan.entries.size()), 2);
        runStep(sched, plan, 7);
        for (int t = 0; t < 8; ++t)
            runStep(sched, sched.schedule(), 20 + t);
        QCOMPARE(int(b->tokens.size()), 17);   // 8 + 9 generated: four full blocks
        // A request continuing b's text finds all four of b's full blocks.
        auto c = makeSeq(3, std::vector<std::int32_t>(b->tokens.begin(), b->tokens.begin() + 16));
        c->tokens.push_back(99);
        sched.add(c.get());
        plan = sched.schedule();
        QCOMPARE(c->cachedTokensAtAdmission, 16);
        runStep(sched, plan, 1);
        // A prompt of exactly the cached blocks computes its last block
        // again; the text after it is published through the cached copy.
        auto d = makeSeq(4, std::vector<std::int32_t>(a->tokens.begin(), a->tokens.begin() + 8));
        sched.add(d.get());
        plan = sched.schedule();
        QCOMPARE(d->cachedTokensAtAdmission, 4);
        runStep(sched, plan, 50);
        for (int t = 0; t < 4; ++t)
            runStep(sched, sched.schedule(), 51 + t);
        auto e = makeSeq(5, std::vector<std::int32_t>(d->tokens.begin(), d->tokens.begin() + 12));
        e->tokens.push_back(99);
        sched.add(e.get());
        plan = sched.schedule();
        QCOMPARE(e->cachedTokensAtAdmission, 12);
        runStep(sched, plan, 1);
        QVERIFY(sched.checkInvariants());
        QVERIFY(ownersConsistent(sched, pool));
        for (auto* s : {a.get(), b.get(), c.get(), d.get(), e.get()})
            sched.remove(s);
        QCOMPARE(pool.used(), 0);
        QVERIFY(sched.checkInvariants());
    }

    // Random sequences through a tiny pool: the invariants hold after every
    // step, the oldest sequence always progresses, and removing everything
    // frees every block.
    void randomWorkloadKeepsInvariants()
    {
        std::mt19937 rng(7);
        for (int round = 0; round < 20; ++round) {
            kv::BlockPool pool(6 + int(rng() % 10));
            SchedulerConfig config;
            config.blockTokens = 1 + int(rng() % 4);
            config.stepTokens = 1 + int(rng() % 16);
            config.maxRunning = 1 + int(rng() % 6);
            config.prefixCache = rng() % 2;
            Scheduler sched(config, pool);
            const int capacityTokens = pool.capacity() * config.blockTokens;
            std::vector<std::unique_ptr<Sequence>> seqs;
            std::vector<int> limits;
            std::uint64_t nextId = 1;
            for (int stepNo = 0; stepNo < 400; ++stepNo) {
                if (rng() % 3 == 0) {
                    std::vector<std::int32_t> tokens(1 + rng() % std::max(1, capacityTokens / 2));
                    for (auto& t : tokens)
                        t = std::int32_t(rng() % 3);  // few values: many equal prefixes
                    seqs.push_back(makeSeq(nextId++, tokens));
                    limits.push_back(std::min(capacityTokens, int(tokens.size()) + int(rng() % 8)));
                    sched.add(seqs.back().get());
                }
                const bool pending = !seqs.empty();
                const auto plan = sched.schedule();
                // Something always runs: the oldest sequence can take every block.
                QVERIFY2(!pending || !plan.entries.empty(), "a step with work pending planned nothing");
                runStep(sched, plan, std::int32_t(rng() % 3));
                QVERIFY2(sched.checkInvariants(), "invariants broken after a step");
                QVERIFY2(ownersConsistent(sched, pool), "block map disagrees with the tables after a step");
                // Finish sequences that reached their length, and cancel some.
                for (std::size_t i = 0; i < seqs.size();) {
                    const bool full = int(seqs[i]->tokens.size()) >= limits[i];
                    if (full || rng() % 40 == 0) {
                        sched.remove(seqs[i].get());
                        seqs.erase(seqs.begin() + std::ptrdiff_t(i));
                        limits.erase(limits.begin() + std::ptrdiff_t(i));
                    } else {
                        ++i;
                    }
                }
                QVERIFY(sched.checkInvariants());
                QVERIFY(ownersConsistent(sched, pool));
            }
            for (auto& s : seqs)
                sched.remove(s.get());
            QCOMPARE(pool.used(), 0);
            QVERIFY(sched.checkInvariants());
        }
    }

    // A preempted sequence's blocks leave the map at once (free, or cached
    // where they were published), and the survivors keep their own.
    void preemptionClearsOwners()
    {
        kv::BlockPool pool(6);
        SchedulerConfig config;
        config.blockTokens = 2;
        config.prefixCache = false;
        Scheduler sched(config, pool);
        auto old = makeSeq(1, {1, 2, 3});
        auto young = makeSeq(2, {4, 5, 6});
        sched.add(old.get());
        sched.add(young.get());
        auto plan = sched.schedule();
        QCOMPARE(int(sched.running().size()), 2);
        runStep(sched, plan, 7);
        QVERIFY(ownersConsistent(sched, pool));
        // Decode until the pool runs dry and the newest steps aside.
        bool preempted = false;
        for (int i = 0; i < 8 && !preempted; ++i) {
            plan = sched.schedule();
            preempted = !plan.preempted.empty();
            runStep(sched, plan, 7);
            QVERIFY(ownersConsistent(sched, pool));
        }
        QVERIFY(preempted);
        QCOMPARE(young->running, false);
        std::vector<std::int32_t> owners;
        sched.blockOwners(owners);
        QCOMPARE(int(std::count(owners.begin(), owners.end(), std::int32_t(0))), int(old->table.blocks.size()));
        QCOMPARE(std::count(owners.begin(), owners.end(), std::int32_t(1)), std::ptrdiff_t(0));
        sched.remove(old.get());
        sched.remove(young.get());
        sched.blockOwners(owners);
        QCOMPARE(std::count(owners.begin(), owners.end(), Scheduler::kOwnerFree), std::ptrdiff_t(6));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "test_scheduler.moc"
