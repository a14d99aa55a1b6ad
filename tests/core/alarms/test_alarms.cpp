// Cron expressions (UTC and local time across DST), backoff with full
// jitter, and the schedule/queue tables of an actor's database.
#include "core/alarms/cron.h"
#include "core/alarms/retry.h"
#include "core/alarms/schedule_store.h"

#include <QTest>

#include <cstdlib>
#include <ctime>

using namespace outpost::core::alarms;
using outpost::core::storage::ActorStorage;

namespace {

// 2024-01-01T00:00:00Z (a Monday).
constexpr std::int64_t kJan2024 = 1704067200000;
constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;

std::int64_t utc(int y, int mo, int d, int h, int mi)
{
    std::tm t{};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    return std::int64_t(timegm(&t)) * 1000;
}

std::int64_t nextUtc(const char* expr, std::int64_t after)
{
    auto e = CronExpression::parse(expr);
    if (!e) {
        qWarning("%s", e.error().c_str());
        return -1;
    }
    return e->nextAfter(after, CronExpression::Zone::Utc).value_or(-2);
}

} // namespace

class TestAlarms : public QObject {
    Q_OBJECT
private slots:
    void cronParsesAndRejects()
    {
        QVERIFY(CronExpression::parse("* * * * *").ok());
        QVERIFY(CronExpression::parse("*/15 9-17 * * mon-fri").ok());
        QVERIFY(CronExpression::parse("0 0 1,15 JAN,jul *").ok());
        QVERIFY(CronExpression::parse("5/10 * * * 7").ok());
        QVERIFY(CronExpression::parse("@daily").ok());
        struct Bad {
            const char* text;
            const char* mentions;
        } bad[] = {
            {"", "0 fields"},
            {"* * * *", "4 fields"},
            {"60 * * * *", "minute"},
            {"* 24 * * *", "hour"},
            {"* * 0 * *", "day of month"},
            {"* * * 13 *", "month"},
            {"* * * * 8", "day of week"},
            {"*/0 * * * *", "step"},
            {"5-1 * * * *", "start is after"},
            {"* * * foo *", "name"},
            {"1,,2 * * * *", "empty"},
            {"@sometimes", "macro"},
            {"a * * * *", "number"},
        };
        for (const auto& b : bad) {
            auto e = CronExpression::parse(b.text);
            QVERIFY2(!e.ok(), b.text);
            QVERIFY2(e.error().find(b.mentions) != std::string::npos, e.error().c_str());
        }
    }

    void cronNextUtc()
    {
        QCOMPARE(nextUtc("* * * * *", kJan2024), kJan2024 + kMin); // strictly after
        QCOMPARE(nextUtc("* * * * *", kJan2024 + 1), kJan2024 + kMin);
        QCOMPARE(nextUtc("30 * * * *", kJan2024), kJan2024 + 30 * kMin);
        QCOMPARE(nextUtc("0 9 * * *", kJan2024), kJan2024 + 9 * kHour);
        QCOMPARE(nextUtc("*/15 * * * *", kJan2024 + 16 * kMin), kJan2024 + 30 * kMin);
        QCOMPARE(nextUtc("5/20 * * * *", kJan2024), kJan2024 + 5 * kMin);
        // 2024-01-01 is a Monday: next Saturday is the 6th.
        QCOMPARE(nextUtc("0 0 * * sat", kJan2024), utc(2024, 1, 6, 0, 0));
        QCOMPARE(nextUtc("0 0 * * 7", kJan2024), utc(2024, 1, 7, 0, 0)); // 7 = Sunday
        QCOMPARE(nextUtc("0 12 * * mon-fri", utc(2024, 1, 5, 13, 0)), utc(2024, 1, 8, 12, 0));
        // Day-of-month and day-of-week both restricted: either matches.
        QCOMPARE(nextUtc("0 0 13 * fri", kJan2024), utc(2024, 1, 5, 0, 0));
        QCOMPARE(nextUtc("0 0 13 * fri", utc(2024, 1, 12, 0, 0)), utc(2024, 1, 13, 0, 0));
        // Day-of-week restricted only: the day of month star does not widen it.
        QCOMPARE(nextUtc("0 0 * * fri", utc(2024, 1, 6, 0, 0)), utc(2024, 1, 12, 0, 0));
        // Leap day.
        QCOMPARE(nextUtc("0 0 29 2 *", kJan2024), utc(2024, 2, 29, 0, 0));
        QCOMPARE(nextUtc("0 0 29 2 *", utc(2024, 3, 1, 0, 0)), utc(2028, 2, 29, 0, 0));
        QCOMPARE(nextUtc("0 0 30 2 *", kJan2024), std::int64_t(-2)); // never
        QCOMPARE(nextUtc("@monthly", utc(2024, 1, 31, 23, 59)), utc(2024, 2, 1, 0, 0));
        QCOMPARE(nextUtc("0 0 1 jan *", utc(2024, 6, 1, 0, 0)), utc(2025, 1, 1, 0, 0));
        QCOMPARE(nextUtc("59 23 31 12 *", kJan2024), utc(2024, 12, 31, 23, 59));
    }

    void cronNextLocalAcrossDst()
    {
        // Central European time without relying on tzdata: CET-1, CEST from
        // the last Sunday of March 02:00 to the last Sunday of October 03:00.
        const QByteArray saved = qgetenv("TZ");
        qputenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3");
        tzset();
        auto e = CronExpression::parse("30 2 * * *");
        QVERIFY(e.ok());
        // 2024-03-30 02:30 CET = 01:30Z.
        auto a = e->nextAfter(utc(2024, 3, 30, 0, 0), CronExpression::Zone::Local);
        QCOMPARE(*a, utc(2024, 3, 30, 1, 30));
        // 2024-03-31 02:30 does not exist (clocks jump 02:00 -> 03:00): skipped to April 1st, 02:30 CEST = 00:30Z.
        auto b = e->nextAfter(*a, CronExpression::Zone::Local);
        QCOMPARE(*b, utc(2024, 4, 1, 0, 30));
        auto nine = CronExpression::parse("0 9 * * *");
        // Summer: 09:00 CEST = 07:00Z; winter: 09:00 CET = 08:00Z.
        QCOMPARE(*nine->nextAfter(utc(2024, 7, 1, 0, 0), CronExpression::Zone::Local), utc(2024, 7, 1, 7, 0));
        QCOMPARE(*nine->nextAfter(utc(2024, 12, 1, 0, 0), CronExpression::Zone::Local), utc(2024, 12, 1, 8, 0));
        QCOMPARE(*nine->nextAfter(utc(2024, 12, 1, 0, 0), CronExpression::Zone::Utc), utc(2024, 12, 1, 9, 0));
        if (saved.isEmpty())
            qunsetenv("TZ");
        else
            qputenv("TZ", saved);
        tzset();
    }

    void backoffAndJitter()
    {
        QCOMPARE(backoffCapMs(1, 100, 3000), 100);
        QCOMPARE(backoffCapMs(2, 100, 3000), 200);
        QCOMPARE(backoffCapMs(5, 100, 3000), 1600);
        QCOMPARE(backoffCapMs(6, 100, 3000), 3000);
        QCOMPARE(backoffCapMs(200, 100, 3000), 3000); // no overflow
        RetryOptions o{5, 100, 1000};
        QCOMPARE(fullJitterDelayMs(3, o, [] { return 0.0; }), 0);
        QCOMPARE(fullJitterDelayMs(3, o, [] { return 0.999999; }), 400);
        QCOMPARE(fullJitterDelayMs(9, o, [] { return 0.5; }), 500);

        std::vector<std::int64_t> sleeps;
        int calls = 0;
        auto r = retry<outpost::inference::Result<int>>(
            [&]() -> outpost::inference::Result<int> {
                if (++calls < 4)
                    return Error{"transient"};
                return 7;
            },
            o, [&](std::int64_t ms) { sleeps.push_back(ms); }, [] { return 0.999999; });
        QVERIFY(r.ok());
        QCOMPARE(*r, 7);
        QCOMPARE(calls, 4);
        QCOMPARE(sleeps, (std::vector<std::int64_t>{100, 200, 400}));

        calls = 0;
        sleeps.clear();
        auto failed = retry<Status>(
            [&]() -> Status {
                ++calls;
                throw std::runtime_error("down");
            },
            o, [&](std::int64_t ms) { sleeps.push_back(ms); }, [] { return 0.5; });
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().find("down") != std::string::npos);
        QCOMPARE(calls, 5);
        QCOMPARE(sleeps.size(), size_t(4));
    }

    void scheduleStore()
    {
        auto db = ActorStorage::open("");
        QVERIFY(db.ok());
        ScheduleStore store(**db);
        const std::int64_t now = kJan2024;
        auto a = store.add(When::delay(5000), "tick", Json{{"n", 1}}, now);
        QVERIFY(a.ok());
        auto b = store.add(When::at(now + 1000), "date", nullptr, now);
        QVERIFY(b.ok());
        auto c = store.add(When::every("*/10 * * * *", CronExpression::Zone::Utc), "cron", nullptr, now);
        QVERIFY(c.ok());
        QCOMPARE(c->nextMs, now + 10 * kMin);
        QVERIFY(!store.add(When::delay(-1), "x", nullptr, now).ok());
        QVERIFY(!store.add(When::every("bad"), "x", nullptr, now).ok());
        QVERIFY(!store.add(When::every("0 0 30 2 *"), "x", nullptr, now).ok());
        QVERIFY(!store.add(When::delay(1), "", nullptr, now).ok());
        auto list = store.list();
        QCOMPARE(list->size(), size_t(3));
        QCOMPARE((*list)[0].callback, std::string("date"));
        QCOMPARE(*store.nextWake(), std::optional<std::int64_t>(now + 1000));
        auto got = store.get(a->id);
        QVERIFY(got.ok() && got->has_value());
        QCOMPARE((**got).payload["n"].get<int>(), 1);

        // Nothing due yet, then the date one.
        QVERIFY(!store.dueSchedule(now)->has_value());
        auto due = store.dueSchedule(now + 1000);
        QCOMPARE((**due).callback, std::string("date"));
        QVERIFY(store.succeeded(**due, now + 1000).ok());
        QVERIFY(!store.get(b->id)->has_value());

        // Failures back off then stop after maxAttempts tries.
        DeliveryPolicy policy{3, 1000, 60'000};
        auto t = now + 5000;
        auto tick = *store.dueSchedule(t);
        QVERIFY(store.failed(*tick, "e1", t, policy).ok());
        auto after1 = **store.get(a->id);
        QCOMPARE(after1.attempts, 1);
        QCOMPARE(after1.nextMs, t + 1000);
        QVERIFY(store.failed(after1, "e2", t + 1000, policy).ok());
        auto after2 = **store.get(a->id);
        QCOMPARE(after2.nextMs, t + 1000 + 2000);
        QVERIFY(store.failed(after2, "e3", t + 3000, policy).ok());
        auto after3 = **store.get(a->id);
        QVERIFY(after3.failed);
        QCOMPARE(after3.lastError, std::string("e3"));
        QVERIFY(!store.dueSchedule(t + kDay)->has_value() || (**store.dueSchedule(t + kDay)).callback == "cron");

        // Cron moves on after success.
        auto cron = **store.dueSchedule(now + 10 * kMin);
        QCOMPARE(cron.callback, std::string("cron"));
        QVERIFY(store.succeeded(cron, now + 10 * kMin).ok());
        QCOMPARE((**store.get(c->id)).nextMs, now + 20 * kMin);
        QVERIFY(store.cancel(c->id).ok());
        QVERIFY(!*store.cancel(c->id));

        // Queue: FIFO, head-of-line retry.
        auto j1 = store.enqueue("job", Json(1), now);
        auto j2 = store.enqueue("job", Json(2), now);
        QVERIFY(j1.ok() && j2.ok());
        QCOMPARE(store.queue()->size(), size_t(2));
        auto head = **store.dueJob(now);
        QCOMPARE(head.payload.get<int>(), 1);
        QVERIFY(store.failed(head, "busy", now, policy).ok());
        QVERIFY(!store.dueJob(now)->has_value()); // head backs off, the second waits
        auto retried = **store.dueJob(now + 1000);
        QCOMPARE(retried.id, j1->id);
        QVERIFY(store.succeeded(retried).ok());
        QCOMPARE((**store.dueJob(now + 1000)).id, j2->id);
    }
};

QTEST_GUILESS_MAIN(TestAlarms)
#include "test_alarms.moc"
