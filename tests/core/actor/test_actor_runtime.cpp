// The actor runtime: identity, routing, exclusivity and ordering under
// concurrent senders, the output gate, failures that stay contained, alarms
// (also across a restart), retries with backoff, queues, hibernation, the
// watchdog, quotas and snapshots.
#include "test_actors.h"

#include "core/actor/hash_ring.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <condition_variable>
#include <set>
#include <thread>

using namespace outpost::core;
using namespace outpost::core::actor;
using namespace outpost::test;
using alarms::ManualClock;
using alarms::When;

namespace {

constexpr int kWaitMs = 20000;

// Counts replies and keeps errors; wait() blocks until `n` arrived.
struct Replies {
    std::mutex mutex;
    std::condition_variable cv;
    int count = 0;
    std::vector<std::string> errors;
    std::vector<Json> values;

    ReplyFn fn()
    {
        return [this](Result<Json> r) {
            std::lock_guard lock(mutex);
            if (r.ok())
                values.push_back(*r);
            else
                errors.push_back(r.error());
            ++count;
            cv.notify_all();
        };
    }
    bool wait(int n)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return count >= n; });
    }
};

// Checks that one actor never runs two events at once and that each
// sender's messages arrive in the order sent.
class OrderActor : public Actor {
public:
    static inline std::atomic<int> violations{0};
    Result<Json> onMessage(ActorContext&, const Json& m) override
    {
        if (m_active.fetch_add(1) != 0)
            ++violations;
        const int sender = m.at("sender").get<int>();
        const int seq = m.at("seq").get<int>();
        int& last = m_last[sender];
        if (seq != last + 1)
            ++violations;
        last = seq;
        // Give a racing second event a chance to show up.
        for (int i = 0; i < 200; ++i)
            std::atomic_signal_fence(std::memory_order_seq_cst);
        m_active.fetch_sub(1);
        return Json(++m_handled);
    }

private:
    std::atomic<int> m_active{0};
    std::map<int, int> m_last;
    int m_handled = 0;
};

// Fails in every way a handler can.
class FaultyActor : public Actor {
public:
    Result<Json> onMessage(ActorContext& ctx, const Json& m) override
    {
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        if (m.contains("put"))
            (void)(*s)->put(m["put"].get<std::string>(), m.value("value", Json(1)));
        if (m.value("throw", false))
            throw std::runtime_error("handler exploded");
        if (m.value("fail", false))
            return Error{"handler refused"};
        if (m.contains("sql")) {
            auto c = (*s)->exec(m["sql"].get<std::string>());
            if (!c)
                return Error{c.error()};
            return c->toJson();
        }
        if (m.contains("get")) {
            auto v = (*s)->get(m["get"].get<std::string>());
            if (!v)
                return Error{v.error()};
            return v->has_value() ? std::get<Json>(**v) : Json("absent");
        }
        if (m.contains("blob")) {
            auto st = (*s)->put("blob", QByteArray(m["blob"].get<int>(), 'b'));
            if (!st)
                return Error{st.error()};
        }
        if (m.value("spin", false)) {
            while (!ctx.shouldStop()) {
            }
            return Json("stopped");
        }
        if (m.value("sqlspin", false)) {
            auto c = (*s)->exec("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT COUNT(*) FROM r");
            if (!c)
                return Error{c.error()};
        }
        return Json("ok");
    }
};

// Records every callback it receives (process-wide, so it survives restarts).
struct CallbackLog {
    static inline std::mutex mutex;
    static inline std::vector<std::string> calls;
    static inline std::atomic<int> flakyFailuresLeft{0};
    static inline std::atomic<int> flakyTries{0};
    static void clear()
    {
        std::lock_guard lock(mutex);
        calls.clear();
    }
    static std::vector<std::string> get()
    {
        std::lock_guard lock(mutex);
        return calls;
    }
    static int countOf(const std::string& s)
    {
        std::lock_guard lock(mutex);
        return int(std::count(calls.begin(), calls.end(), s));
    }
};

class AlarmActor : public Actor {
public:
    Result<Json> onMessage(ActorContext& ctx, const Json& m) override
    {
        const std::string op = m.value("op", "");
        if (op == "delay")
            return idOr(ctx.schedule(When::delay(m["ms"].get<std::int64_t>()), m["cb"].get<std::string>(), m.value("payload", Json())));
        if (op == "at")
            return idOr(ctx.schedule(When::at(m["ms"].get<std::int64_t>()), m["cb"].get<std::string>(), m.value("payload", Json())));
        if (op == "cron")
            return idOr(ctx.schedule(When::every(m["expr"].get<std::string>(), alarms::CronExpression::Zone::Utc),
                                     m["cb"].get<std::string>(), m.value("payload", Json())));
        if (op == "list") {
            auto l = ctx.getSchedules();
            if (!l)
                return Error{l.error()};
            Json out = Json::array();
            for (const auto& s : *l)
                out.push_back(s.toJson());
            return out;
        }
        if (op == "get") {
            auto s = ctx.getSchedule(m["id"].get<std::string>());
            if (!s)
                return Error{s.error()};
            return s->has_value() ? (*s)->toJson() : Json(nullptr);
        }
        if (op == "cancel") {
            auto c = ctx.cancelSchedule(m["id"].get<std::string>());
            if (!c)
                return Error{c.error()};
            return Json(*c);
        }
        if (op == "queue") {
            Json ids = Json::array();
            for (const auto& p : m["payloads"]) {
                auto id = ctx.queue("job", p);
                if (!id)
                    return Error{id.error()};
                ids.push_back(*id);
            }
            auto q = ctx.getQueue(); // synchronous: the jobs are there already
            if (!q)
                return Error{q.error()};
            return Json{{"ids", ids}, {"queued", q->size()}};
        }
        if (op == "getQueue") {
            auto q = ctx.getQueue();
            if (!q)
                return Error{q.error()};
            return Json(q->size());
        }
        return Error{"unknown op " + op};
    }
    Status onCallback(ActorContext& ctx, const std::string& cb, const Json& payload) override
    {
        if (cb == "flaky") {
            ++CallbackLog::flakyTries;
            if (CallbackLog::flakyFailuresLeft.fetch_sub(1) > 0)
                return Error{"flaky failure"};
        }
        if (cb == "throws")
            throw std::runtime_error("callback exploded");
        // A write in the same transaction as the delivery record.
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        auto c = (*s)->exec("CREATE TABLE IF NOT EXISTS fired(cb TEXT, payload TEXT)");
        if (c)
            c = (*s)->exec("INSERT INTO fired VALUES(?, ?)", cb, payload.dump());
        if (!c)
            return Error{c.error()};
        std::lock_guard lock(CallbackLog::mutex);
        CallbackLog::calls.push_back(cb + (payload.is_null() ? std::string() : std::string(":").append(payload.dump())));
        return {};
    }

private:
    static Result<Json> idOr(const Result<std::string>& r)
    {
        if (!r)
            return Error{r.error()};
        return Json(*r);
    }
};

void registerAll(ActorRuntime& rt)
{
    (void)rt.registerClass("Counter", [] { return std::make_unique<CounterActor>(); });
    (void)rt.registerClass("Order", [] { return std::make_unique<OrderActor>(); });
    (void)rt.registerClass("Faulty", [] { return std::make_unique<FaultyActor>(); });
    (void)rt.registerClass("Alarm", [] { return std::make_unique<AlarmActor>(); });
    (void)rt.registerClass("Noop", [] { return std::make_unique<NoopActor>(); });
}

ActorId named(const char* cls, const std::string& name)
{
    return *ActorId::fromName(cls, name);
}

} // namespace

class TestActorRuntime : public QObject {
    Q_OBJECT
private slots:
    void identity()
    {
        auto a = ActorId::fromName("Chat", "room-1");
        auto b = ActorId::fromName("Chat", "room-1");
        auto c = ActorId::fromName("Chat", "room-2");
        auto d = ActorId::fromName("Other", "room-1");
        QVERIFY(a.ok() && b.ok() && c.ok() && d.ok());
        QCOMPARE(a->hex(), b->hex());
        QVERIFY(a->hex() != c->hex());
        QVERIFY(a->hex() != d->hex());
        QCOMPARE(a->hex().size(), size_t(32));
        QVERIFY(!a->isUnique());
        // Stable across runs and machines: a fixed (class, name) has a fixed id.
        QCOMPARE(a->hex(), std::string("870f6f7fe42c146244760f897688640c"));
        auto u1 = ActorId::unique("Chat");
        auto u2 = ActorId::unique("Chat");
        QVERIFY(u1.ok() && u2.ok());
        QVERIFY(u1->hex() != u2->hex());
        QVERIFY(u1->isUnique());
        auto parsed = ActorId::fromHex("Chat", a->hex());
        QVERIFY(parsed.ok());
        QVERIFY(*parsed == *a);
        QCOMPARE(parsed->hash(), a->hash());
        // Invalid input is an error, never a crash.
        QVERIFY(!ActorId::fromName("", "x").ok());
        QVERIFY(!ActorId::fromName("9lives", "x").ok());
        QVERIFY(!ActorId::fromName("a/b", "x").ok());
        QVERIFY(!ActorId::fromName("Chat", "").ok());
        QVERIFY(!ActorId::fromName("Chat", std::string("a\nb")).ok());
        QVERIFY(!ActorId::fromName("Chat", std::string("\xff\xfe", 2)).ok());
        QVERIFY(!ActorId::fromHex("Chat", "xyz").ok());
        QVERIFY(!ActorId::fromHex("Chat", std::string(32, 'G')).ok());
    }

    void hashRing()
    {
        const int n = 100000;
        std::vector<std::uint64_t> keys;
        for (int i = 0; i < n; ++i)
            keys.push_back(ActorId::fromName("K", std::to_string(i))->hash());
        HashRing four(4), five(5);
        std::vector<int> load(4, 0);
        int moved = 0;
        for (auto k : keys) {
            const int a = four.shardFor(k);
            QCOMPARE(four.shardFor(k), a); // deterministic
            ++load[size_t(a)];
            const int b = five.shardFor(k);
            if (a != b) {
                ++moved;
                QCOMPARE(b, 4); // keys only move to the new shard
            }
        }
        for (int l : load)
            QVERIFY2(l > n / 4 * 0.8 && l < n / 4 * 1.2, qPrintable(QString::number(l)));
        // About 1/5 of the keys move when a fifth shard joins, not all.
        QVERIFY2(moved > n / 5 * 0.7 && moved < n / 5 * 1.3, qPrintable(QString::number(moved)));
    }

    void orderingAndExclusivityUnderConcurrentSenders()
    {
        RuntimeOptions o;
        o.shards = 2;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        OrderActor::violations = 0;
        const int senders = 8, perSender = 600, actors = 5;
        std::vector<ActorId> ids;
        for (int a = 0; a < actors; ++a)
            ids.push_back(named("Order", std::string("o").append(std::to_string(a))));
        Replies replies;
        std::vector<std::thread> threads;
        for (int s = 0; s < senders; ++s) {
            threads.emplace_back([&, s] {
                std::vector<int> seq(size_t(actors), 0);
                for (int i = 0; i < perSender; ++i) {
                    const int a = (i * 7 + s) % actors;
                    (void)rt.post(ids[size_t(a)], Json{{"sender", s}, {"seq", ++seq[size_t(a)]}}, replies.fn());
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QVERIFY(replies.wait(senders * perSender));
        QVERIFY(replies.errors.empty());
        QCOMPARE(OrderActor::violations.load(), 0);
        const auto st = rt.stats();
        QCOMPARE(st.events, std::uint64_t(senders * perSender));
        QCOMPARE(st.coldLoads, std::uint64_t(actors));
        QVERIFY(st.warmHitRate() > 0.99);
        // Each actor's own count adds up.
        int total = 0;
        for (const auto& id : ids)
            total += rt.callFn(id, [](Actor&, ActorContext&) -> Result<Json> { return Json(0); }).ok() ? 1 : 0;
        QCOMPARE(total, actors);
    }

    void outputGateRepliesOnlyAfterCommit()
    {
        QTemporaryDir dir;
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 2;
        ActorRuntime rt(o);
        registerAll(rt);
        std::mutex sinkMutex;
        std::vector<long long> broadcastSeen;
        std::atomic<int> violations{0};
        const auto id = named("Counter", "gate");
        const std::string path = rt.databasePath(id);
        // What a client sees must already be readable by another connection.
        auto durableValue = [path]() -> long long {
            sqlite3* db = nullptr;
            long long v = -1;
            if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
                sqlite3_stmt* st = nullptr;
                if (sqlite3_prepare_v2(db, "SELECT n FROM counter WHERE id = 1", -1, &st, nullptr) == SQLITE_OK
                    && sqlite3_step(st) == SQLITE_ROW)
                    v = sqlite3_column_int64(st, 0);
                sqlite3_finalize(st);
            }
            sqlite3_close(db);
            return v;
        };
        rt.setBroadcastSink([&](const ActorId&, const Json& m) {
            if (durableValue() < m["n"].get<long long>())
                ++violations;
            std::lock_guard lock(sinkMutex);
            broadcastSeen.push_back(m["n"].get<long long>());
        });
        QVERIFY(rt.start().ok());
        std::mutex m;
        std::condition_variable cv;
        int replies = 0;
        const int n = 300;
        for (int i = 0; i < n; ++i) {
            QVERIFY(rt.post(id, Json{{"op", "inc"}, {"broadcast", true}}, [&](Result<Json> r) {
                if (!r.ok() || durableValue() < r->get<long long>())
                    ++violations;
                std::lock_guard lock(m);
                ++replies;
                cv.notify_all();
            }).ok());
        }
        {
            std::unique_lock lock(m);
            QVERIFY(cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return replies == n; }));
        }
        QCOMPARE(violations.load(), 0);
        QCOMPARE(int(broadcastSeen.size()), n);
        // Group commit: far fewer commits than events.
        const auto st = rt.stats();
        QVERIFY2(st.commits < std::uint64_t(n), qPrintable(QString::number(st.commits)));
        qInfo("%d durable events in %llu commits", n, static_cast<unsigned long long>(st.commits));
    }

    // Durable commits are synced off the shard: a reply waits for its WAL
    // sync, replies keep their order across batches, and the shard keeps
    // running other events (of other actors) while a sync is pending.
    void outputGateWaitsForTheSync()
    {
        QTemporaryDir dir;
        std::mutex m;
        std::condition_variable cv;
        bool open = false;
        int syncs = 0;
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 1;
        o.syncFile = [&](int) {
            std::unique_lock lock(m);
            ++syncs;
            cv.notify_all();
            cv.wait(lock, [&] { return open; });
            return 0;
        };
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        std::vector<long long> order;
        auto record = [&](Result<Json> r) {
            std::lock_guard lock(m);
            order.push_back(r.ok() ? r->get<long long>() : -1);
            cv.notify_all();
        };
        const auto id = named("Counter", "synced");
        QVERIFY(rt.post(id, Json{{"op", "inc"}}, record).ok());
        {
            std::unique_lock lock(m);
            QVERIFY(cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return syncs >= 1; }));
        }
        // The write is committed and its sync is pending: more events run
        // (a read of the same actor, which must wait too, and another actor,
        // whose reply keeps its place in the shard's order).
        QVERIFY(rt.post(id, Json{{"op", "inc"}}, record).ok());
        QVERIFY(rt.post(id, Json{{"op", "get"}}, record).ok());
        bool ran = false;
        QVERIFY(rt.invoke(named("Noop", "unrelated"), [&](Actor&, ActorContext&) -> Result<Json> {
            std::lock_guard lock(m);
            ran = true;
            cv.notify_all();
            return Json(-2);
        }, record).ok());
        {
            std::unique_lock lock(m);
            QVERIFY(cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return ran; }));
            QVERIFY2(order.empty(), "a reply left before its write was synced");
            open = true;
            cv.notify_all();
        }
        {
            std::unique_lock lock(m);
            QVERIFY(cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return order.size() == 4; }));
        }
        // In the order the events ran, the unrelated actor's reply included.
        QCOMPARE(order, (std::vector<long long>{1, 2, 2, -2}));
        QVERIFY(rt.stats().walSyncs >= 2);
        // Nothing held is lost at stop.
        Replies replies;
        for (int i = 0; i < 50; ++i)
            QVERIFY(rt.post(id, Json{{"op", "inc"}}, replies.fn()).ok());
        rt.stop();
        QCOMPARE(replies.count, 50);
        QVERIFY(replies.errors.empty());
    }

    // A sync that fails makes that batch's replies errors and reloads the
    // actor from its file; other actors and later batches carry on.
    void failedSyncFailsRepliesAndReloads()
    {
        QTemporaryDir dir;
        std::atomic<int> failNext{0};
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 1;
        o.syncFile = [&](int) { return failNext.exchange(0) ? EIO : 0; };
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto id = named("Counter", "eio");
        QVERIFY(*rt.call(id, Json{{"op", "inc"}}) == Json(1));
        failNext = 1;
        auto failed = rt.call(id, Json{{"op", "inc"}});
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().find("fdatasync failed") != std::string::npos, failed.error().c_str());
        // The actor reloads and answers again (the write itself reached SQLite).
        auto next = rt.call(id, Json{{"op", "inc"}});
        QVERIFY2(next.ok(), next.ok() ? "" : next.error().c_str());
        QCOMPARE(next->get<long long>(), 3LL);
    }

    void failuresStayContained()
    {
        RuntimeOptions o;
        o.shards = 1; // same shard for everyone: a crash would show
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto f = named("Faulty", "f");
        const auto c = named("Counter", "c");
        auto thrown = rt.call(f, Json{{"put", "k"}, {"throw", true}});
        QVERIFY(!thrown.ok());
        QVERIFY(thrown.error().find("exploded") != std::string::npos);
        auto refused = rt.call(f, Json{{"put", "k"}, {"fail", true}});
        QVERIFY(!refused.ok());
        // Writes of failed events were rolled back.
        QCOMPARE(rt.call(f, Json{{"get", "k"}})->get<std::string>(), std::string("absent"));
        auto sql = rt.call(f, Json{{"sql", "SELEKT nonsense"}});
        QVERIFY(!sql.ok());
        QVERIFY(sql.error().find("syntax") != std::string::npos);
        auto internal = rt.call(f, Json{{"sql", "DELETE FROM _outpost_kv"}});
        QVERIFY(!internal.ok());
        auto begin = rt.call(f, Json{{"sql", "COMMIT"}});
        QVERIFY(!begin.ok());
        auto big = rt.call(f, Json{{"blob", 3 * 1024 * 1024}});
        QVERIFY(!big.ok());
        QVERIFY(big.error().find("limit") != std::string::npos);
        // Unknown classes and invalid ids are refused at the door.
        QVERIFY(!rt.post(named("Nobody", "x"), Json()).ok());
        QVERIFY(!rt.post(ActorId(), Json()).ok());
        // A reply callback that throws does not take the shard down.
        QVERIFY(rt.post(c, Json{{"op", "inc"}}, [](Result<Json>) { throw std::runtime_error("caller bug"); }).ok());
        // The shard and the other actors carry on.
        QCOMPARE(rt.call(c, Json{{"op", "inc"}})->get<int>(), 2);
        QCOMPARE(rt.call(f, Json{{"put", "k"}})->get<std::string>(), std::string("ok"));
        QCOMPARE(rt.call(f, Json{{"get", "k"}})->get<int>(), 1);
        QVERIFY(rt.stats().eventErrors >= 6);
    }

    void alarmsFireOnceEach()
    {
        QTemporaryDir dir;
        auto clock = std::make_shared<ManualClock>(1'704'067'200'000); // 2024-01-01T00:00Z
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 2;
        o.clock = clock;
        o.hibernateAfterMs = 0;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        CallbackLog::clear();
        const auto a = named("Alarm", "a");
        auto d = rt.call(a, Json{{"op", "delay"}, {"ms", 10'000}, {"cb", "tick"}, {"payload", 1}});
        QVERIFY(d.ok());
        auto at = rt.call(a, Json{{"op", "at"}, {"ms", clock->nowMs() + 20'000}, {"cb", "date"}});
        QVERIFY(at.ok());
        auto cron = rt.call(a, Json{{"op", "cron"}, {"expr", "*/1 * * * *"}, {"cb", "minute"}});
        QVERIFY(cron.ok());
        auto gone = rt.call(a, Json{{"op", "delay"}, {"ms", 5'000}, {"cb", "cancelled"}});
        QVERIFY(rt.call(a, Json{{"op", "cancel"}, {"id", *gone}})->get<bool>());
        QVERIFY(!rt.call(a, Json{{"op", "delay"}, {"ms", -5}, {"cb", "x"}}).ok());
        QVERIFY(!rt.call(a, Json{{"op", "cron"}, {"expr", "61 * * * *"}, {"cb", "x"}}).ok());
        QCOMPARE(rt.call(a, Json{{"op", "list"}})->size(), size_t(3));
        QCOMPARE((*rt.call(a, Json{{"op", "get"}, {"id", *d}}))["callback"].get<std::string>(), std::string("tick"));

        clock->advance(9'999);
        QVERIFY(CallbackLog::get().empty());
        clock->advance(1);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("tick:1"), 1, kWaitMs);
        clock->advance(10'000);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("date"), 1, kWaitMs);
        clock->advance(40'000); // 60 s: the cron minute
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("minute"), 1, kWaitMs);
        clock->advance(60'000);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("minute"), 2, kWaitMs);
        // One-shot schedules are gone, the cron one stays.
        QCOMPARE(rt.call(a, Json{{"op", "list"}})->size(), size_t(1));
        QCOMPARE(CallbackLog::countOf("tick:1"), 1);
        QCOMPARE(CallbackLog::countOf("date"), 1);
        QCOMPARE(CallbackLog::countOf("cancelled"), 0);
    }

    void failingCallbackRetriesWithBackoffThenFails()
    {
        auto clock = std::make_shared<ManualClock>();
        RuntimeOptions o;
        o.shards = 1;
        o.clock = clock;
        o.delivery = {6, 1000, 60'000};
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto a = named("Alarm", "retry");
        // Succeeds on the third try.
        CallbackLog::clear();
        CallbackLog::flakyFailuresLeft = 2;
        CallbackLog::flakyTries = 0;
        auto id = rt.call(a, Json{{"op", "delay"}, {"ms", 0}, {"cb", "flaky"}});
        QVERIFY(id.ok());
        clock->advance(0);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::flakyTries.load(), 1, kWaitMs);
        auto s = *rt.call(a, Json{{"op", "get"}, {"id", *id}});
        QCOMPARE(s["attempts"].get<int>(), 1);
        QCOMPARE(s["lastError"].get<std::string>(), std::string("flaky failure"));
        clock->advance(999); // backoff 1 s: not yet
        QVERIFY(rt.call(a, Json{{"op", "list"}}).ok());
        QCOMPARE(CallbackLog::flakyTries.load(), 1);
        clock->advance(1);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::flakyTries.load(), 2, kWaitMs);
        clock->advance(2000); // then 2 s
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::flakyTries.load(), 3, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("flaky"), 1, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(rt.call(a, Json{{"op", "get"}, {"id", *id}})->is_null(), kWaitMs);

        // Always failing: 6 tries (backoff 1, 2, 4, 8, 16 s), then recorded as failed.
        // Counted before the alarm exists: due at once, its first try may
        // run before rt.call() returns here.
        const auto failuresBefore = rt.stats().callbackFailures;
        auto bad = rt.call(a, Json{{"op", "delay"}, {"ms", 0}, {"cb", "throws"}});
        QVERIFY(bad.ok());
        clock->advance(0);
        std::int64_t wait = 1000;
        for (int i = 1; i < 6; ++i) {
            QTRY_COMPARE_WITH_TIMEOUT(rt.stats().callbackFailures, failuresBefore + std::uint64_t(i), kWaitMs);
            clock->advance(wait);
            wait *= 2;
        }
        QTRY_COMPARE_WITH_TIMEOUT(rt.stats().callbackFailures, failuresBefore + 6, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT((*rt.call(a, Json{{"op", "get"}, {"id", *bad}}))["state"].get<std::string>(), std::string("failed"), kWaitMs);
        auto rec = *rt.call(a, Json{{"op", "get"}, {"id", *bad}});
        QCOMPARE(rec["attempts"].get<int>(), 6);
        QVERIFY(rec["lastError"].get<std::string>().find("exploded") != std::string::npos);
        clock->advance(3'600'000); // never again
        QVERIFY(rt.call(a, Json{{"op", "list"}}).ok());
        QCOMPARE(rt.stats().callbackFailures, failuresBefore + 6);
    }

    void alarmsSurviveRestart()
    {
        QTemporaryDir dir;
        auto clock = std::make_shared<ManualClock>(1'704'067'200'000);
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 2;
        o.clock = clock;
        CallbackLog::clear();
        const auto a = named("Alarm", "restart");
        const auto b = named("Alarm", "restart-b");
        {
            ActorRuntime rt(o);
            registerAll(rt);
            QVERIFY(rt.start().ok());
            QVERIFY(rt.call(a, Json{{"op", "delay"}, {"ms", 60'000}, {"cb", "one"}}).ok());
            QVERIFY(rt.call(a, Json{{"op", "delay"}, {"ms", 180'000}, {"cb", "three"}}).ok());
            QVERIFY(rt.call(b, Json{{"op", "delay"}, {"ms", 90'000}, {"cb", "two"}}).ok());
            rt.stop();
        }
        QVERIFY(CallbackLog::get().empty());
        clock->advance(120'000); // "one" and "two" fall due while nothing runs
        {
            ActorRuntime rt(o);
            registerAll(rt);
            QVERIFY(rt.start().ok());
            // Fired right after start, without any message to the actors.
            QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::get().size(), size_t(2), kWaitMs);
            QCOMPARE(CallbackLog::countOf("one"), 1);
            QCOMPARE(CallbackLog::countOf("two"), 1);
            clock->advance(60'000);
            QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("three"), 1, kWaitMs);
            rt.stop();
        }
        {
            // Nothing fires twice after another restart.
            ActorRuntime rt(o);
            registerAll(rt);
            QVERIFY(rt.start().ok());
            clock->advance(3'600'000);
            QCOMPARE(rt.call(a, Json{{"op", "list"}})->size(), size_t(0));
            QCOMPARE(rt.call(b, Json{{"op", "list"}})->size(), size_t(0));
            QCOMPARE(CallbackLog::get().size(), size_t(3));
        }
    }

    void shardCountChangeKeepsState()
    {
        // Restarting with another shard count moves some actors to other
        // shards; their state and alarms come along from disk.
        QTemporaryDir dir;
        auto clock = std::make_shared<ManualClock>();
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.clock = clock;
        o.shards = 2;
        CallbackLog::clear();
        std::vector<ActorId> ids;
        for (int i = 0; i < 20; ++i)
            ids.push_back(named("Counter", std::string("s").append(std::to_string(i))));
        const auto a = named("Alarm", "moving");
        {
            ActorRuntime rt(o);
            registerAll(rt);
            QVERIFY(rt.start().ok());
            for (const auto& id : ids)
                QVERIFY(rt.call(id, Json{{"op", "inc"}}).ok());
            QVERIFY(rt.call(a, Json{{"op", "delay"}, {"ms", 1000}, {"cb", "moved"}}).ok());
        }
        o.shards = 3;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        int moved = 0;
        HashRing two(2, o.virtualNodes);
        for (const auto& id : ids) {
            if (two.shardFor(id.hash()) != rt.shardOf(id))
                ++moved;
            QCOMPARE(rt.call(id, Json{{"op", "inc"}})->get<int>(), 2);
        }
        QVERIFY(moved < int(ids.size()));
        clock->advance(1000);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("moved"), 1, kWaitMs);
    }

    void queueRunsFifoAfterCommit()
    {
        QTemporaryDir dir;
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 1;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        CallbackLog::clear();
        const auto a = named("Alarm", "queue");
        auto r = rt.call(a, Json{{"op", "queue"}, {"payloads", {1, 2, 3}}});
        QVERIFY(r.ok());
        QCOMPARE((*r)["queued"].get<int>(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::get().size(), size_t(3), kWaitMs);
        QCOMPARE(CallbackLog::get(), (std::vector<std::string>{"job:1", "job:2", "job:3"}));
        QTRY_COMPARE_WITH_TIMEOUT(rt.call(a, Json{{"op", "getQueue"}})->get<int>(), 0, kWaitMs);
    }

    void hibernateAndWakeKeepsState()
    {
        QTemporaryDir dir;
        auto clock = std::make_shared<ManualClock>();
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 2;
        o.clock = clock;
        o.hibernateAfterMs = 10'000;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        CallbackLog::clear();
        const auto c = named("Counter", "sleepy");
        const auto a = named("Alarm", "sleepy");
        for (int i = 0; i < 5; ++i)
            QVERIFY(rt.call(c, Json{{"op", "inc"}}).ok());
        QVERIFY(rt.call(a, Json{{"op", "delay"}, {"ms", 60'000}, {"cb", "wake"}}).ok());
        QCOMPARE(rt.stats().loadedActors, std::uint64_t(2));
        clock->advance(20'000);
        QTRY_COMPARE_WITH_TIMEOUT(rt.stats().loadedActors, std::uint64_t(0), kWaitMs);
        QVERIFY(rt.stats().hibernations >= 2);
        const auto cold = rt.stats().coldLoads;
        // An event wakes the counter with its state intact.
        QCOMPARE(rt.call(c, Json{{"op", "inc"}})->get<int>(), 6);
        QCOMPARE(rt.stats().coldLoads, cold + 1);
        // A due alarm wakes the hibernated alarm actor.
        clock->advance(45'000);
        QTRY_COMPARE_WITH_TIMEOUT(CallbackLog::countOf("wake"), 1, kWaitMs);
        QCOMPARE(rt.stats().coldLoads, cold + 2);
    }

    void watchdogAbortsRunawayEvents()
    {
        RuntimeOptions o;
        o.shards = 1;
        o.cpuBudgetMs = 100;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto f = named("Faulty", "spin");
        QVERIFY(rt.call(f, Json{{"put", "before"}}).ok());
        auto spin = rt.call(f, Json{{"put", "during"}, {"spin", true}});
        QVERIFY(!spin.ok());
        QVERIFY2(spin.error().find("CPU budget") != std::string::npos, spin.error().c_str());
        auto sql = rt.call(f, Json{{"put", "during-sql"}, {"sqlspin", true}});
        QVERIFY(!sql.ok());
        QVERIFY2(sql.error().find("CPU budget") != std::string::npos, sql.error().c_str());
        // Aborted cleanly: writes rolled back, the actor still answers.
        QCOMPARE(rt.call(f, Json{{"get", "during"}})->get<std::string>(), std::string("absent"));
        QCOMPARE(rt.call(f, Json{{"get", "during-sql"}})->get<std::string>(), std::string("absent"));
        QCOMPARE(rt.call(f, Json{{"get", "before"}})->get<int>(), 1);
        QVERIFY(rt.stats().watchdogAborts >= 2);
    }

    void quotaRefusesWithoutPartialWrites()
    {
        QTemporaryDir dir;
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 1;
        o.storage.quotaBytes = 256 * 1024;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto f = named("Faulty", "quota");
        QVERIFY(rt.call(f, Json{{"sql", "CREATE TABLE big(x BLOB)"}}).ok());
        std::string error;
        int inserted = 0;
        for (int i = 0; i < 100 && error.empty(); ++i) {
            auto r = rt.call(f, Json{{"sql", "INSERT INTO big VALUES(zeroblob(16384))"}});
            if (r.ok())
                ++inserted;
            else
                error = r.error();
        }
        QVERIFY2(error.find("quota") != std::string::npos, error.c_str());
        auto count = rt.call(f, Json{{"sql", "SELECT COUNT(*) AS n FROM big"}});
        QVERIFY(count.ok());
        QCOMPARE((*count)[0]["n"].get<int>(), inserted);
        QCOMPARE(rt.call(f, Json{{"sql", "PRAGMA integrity_check"}})->at(0)["integrity_check"].get<std::string>(), std::string("ok"));
        // The actor keeps working within its quota.
        QVERIFY(rt.call(f, Json{{"sql", "DELETE FROM big"}}).ok());
        QVERIFY(rt.call(f, Json{{"put", "small"}}).ok());
    }

    void snapshotsListAndRestore()
    {
        QTemporaryDir dir;
        RuntimeOptions o;
        o.rootDir = dir.path().toStdString();
        o.shards = 1;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        const auto c = named("Counter", "snap");
        for (int i = 0; i < 3; ++i)
            QVERIFY(rt.call(c, Json{{"op", "inc"}}).ok());
        auto snap = rt.snapshot(c);
        QVERIFY2(snap.ok(), snap.ok() ? "" : snap.error().c_str());
        for (int i = 0; i < 4; ++i)
            QVERIFY(rt.call(c, Json{{"op", "inc"}}).ok());
        auto second = rt.snapshot(c);
        QVERIFY(second.ok());
        auto list = rt.listSnapshots(c);
        QVERIFY(list.ok());
        QCOMPARE(*list, (std::vector<std::string>{*snap, *second}));
        QVERIFY(rt.restoreSnapshot(c, *snap).ok());
        QCOMPARE(rt.call(c, Json{{"op", "get"}})->get<int>(), 3);
        QCOMPARE(rt.call(c, Json{{"op", "inc"}})->get<int>(), 4);
        QVERIFY(!rt.restoreSnapshot(c, "nope").ok());
        QVERIFY(!rt.restoreSnapshot(c, "../x").ok());
        QVERIFY(!rt.snapshot(named("Counter", "never-used")).ok());
    }

    void manyActorsInMemory()
    {
        RuntimeOptions o;
        o.shards = 2;
        ActorRuntime rt(o);
        registerAll(rt);
        QVERIFY(rt.start().ok());
        Replies replies;
        const int n = 5000;
        for (int i = 0; i < n; ++i)
            QVERIFY(rt.post(named("Noop", std::to_string(i)), Json(i), replies.fn()).ok());
        QVERIFY(replies.wait(n));
        QVERIFY(replies.errors.empty());
        QCOMPARE(rt.stats().loadedActors, std::uint64_t(n));
        // call() from inside an actor is refused instead of deadlocking.
        auto inner = rt.callFn(named("Noop", "0"), [&rt](Actor&, ActorContext&) -> Result<Json> {
            auto r = rt.call(named("Noop", "1"), Json());
            return r.ok() ? Result<Json>(Json("called")) : Result<Json>(Error{r.error()});
        });
        QVERIFY(!inner.ok());
        QVERIFY(inner.error().find("block") != std::string::npos);
        rt.stop();
        QVERIFY(!rt.post(named("Noop", "0"), Json()).ok());
    }
};

QTEST_GUILESS_MAIN(TestActorRuntime)
#include "test_actor_runtime.moc"
