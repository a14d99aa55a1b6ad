// ActorStorage: SQL and key-value APIs, transactions, limits, snapshots and
// the event/batch protocol the runtime relies on.
#include "core/storage/actor_storage.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace outpost::core::storage;

namespace {

std::unique_ptr<ActorStorage> openOrFail(const std::string& path, const StorageOptions& o = {})
{
    auto s = ActorStorage::open(path, o);
    if (!s)
        qWarning("%s", s.error().c_str());
    return s ? std::move(*s) : nullptr;
}

std::int64_t count(ActorStorage& s, const char* table)
{
    auto c = s.execv(std::string("SELECT COUNT(*) FROM ") + table);
    return c && c->scalar().index() == 1 ? std::get<1>(c->scalar()) : -1;
}

} // namespace

class TestStorage : public QObject {
    Q_OBJECT
private slots:
    void sqlRoundTrip()
    {
        auto s = openOrFail("");
        QVERIFY(s);
        QVERIFY(s->exec("CREATE TABLE t(a INTEGER, b TEXT, c REAL, d BLOB)").ok());
        auto ins = s->exec("INSERT INTO t VALUES(?, ?, ?, ?), (?, ?, ?, ?)", 1, "one", 1.5, QByteArray("\x00\x01", 2),
                           2, std::string("two"), 2.5, nullptr);
        QVERIFY2(ins.ok(), ins.ok() ? "" : ins.error().c_str());
        QCOMPARE(ins->rowsWritten, 2);
        auto c = s->exec("SELECT a, b, c, d FROM t ORDER BY a");
        QVERIFY(c.ok());
        QCOMPARE(c->columns.size(), size_t(4));
        QCOMPARE(c->columns[1], std::string("b"));
        QCOMPARE(c->rows.size(), size_t(2));
        QCOMPARE(std::get<std::int64_t>(c->rows[0][0]), 1);
        QCOMPARE(std::get<std::string>(c->rows[0][1]), std::string("one"));
        QCOMPARE(std::get<double>(c->rows[0][2]), 1.5);
        QCOMPARE(std::get<QByteArray>(c->rows[0][3]), QByteArray("\x00\x01", 2));
        QVERIFY(std::holds_alternative<std::nullptr_t>(c->rows[1][3]));
        QVERIFY(c->rowsRead >= 2);
        const auto json = c->toJson();
        QCOMPARE(json[0]["b"].get<std::string>(), std::string("one"));
        QVERIFY(json[0]["d"].contains("$bytes"));
        // Several statements, parameters consumed in order.
        auto multi = s->exec("INSERT INTO t(a) VALUES(?); SELECT COUNT(*) FROM t WHERE a > ?", 3, 0);
        QVERIFY2(multi.ok(), multi.ok() ? "" : multi.error().c_str());
        QCOMPARE(std::get<std::int64_t>(multi->scalar()), 3);
    }

    void sqlErrorsAreReported()
    {
        auto s = openOrFail("");
        QVERIFY(s);
        auto bad = s->exec("SELEC 1");
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().find("syntax") != std::string::npos);
        QVERIFY(!s->exec("SELECT ?, ?", 1).ok()); // too few parameters
        QVERIFY(!s->exec("SELECT ?", 1, 2).ok()); // too many
        QVERIFY(s->exec("CREATE TABLE u(x INTEGER PRIMARY KEY)").ok());
        QVERIFY(s->exec("INSERT INTO u VALUES(1)").ok());
        auto dup = s->exec("INSERT INTO u VALUES(1)");
        QVERIFY(!dup.ok());
        QVERIFY(dup.error().find("UNIQUE") != std::string::npos);
        // Transactions are the runtime's, internal tables are off limits.
        auto begin = s->exec("BEGIN");
        QVERIFY(!begin.ok());
        QVERIFY(begin.error().find("transaction") != std::string::npos);
        QVERIFY(!s->exec("SELECT * FROM _outpost_kv").ok());
        QVERIFY(!s->exec("DROP TABLE _outpost_schedules").ok());
        QVERIFY(!s->exec("ATTACH DATABASE ':memory:' AS x").ok());
        QVERIFY(!s->exec("PRAGMA max_page_count=1000000000").ok());
        QVERIFY(s->exec("PRAGMA table_info(u)").ok());
        // Still usable.
        QCOMPARE(count(*s, "u"), 1);
    }

    void keyValue()
    {
        auto s = openOrFail("");
        QVERIFY(s);
        QVERIFY(s->put("a", Json{{"x", 1}}).ok());
        QVERIFY(s->put("b", Json(42)).ok());
        QVERIFY(s->put("c", Json("text")).ok());
        QVERIFY(s->put("d", Json(nullptr)).ok());
        QVERIFY(s->put("e", QByteArray("\xff\x00\x01", 3)).ok());
        QVERIFY(s->put("p/1", Json(true)).ok());
        QVERIFY(s->put("p/2", Json::array({1, 2})).ok());
        QVERIFY(s->put("q", Json(1.25)).ok());
        auto a = s->get("a");
        QVERIFY(a.ok() && a->has_value());
        QCOMPARE(std::get<Json>(**a)["x"].get<int>(), 1);
        auto e = s->get("e");
        QVERIFY(e.ok() && e->has_value());
        QCOMPARE(std::get<QByteArray>(**e), QByteArray("\xff\x00\x01", 3));
        auto d = s->get("d");
        QVERIFY(d.ok() && d->has_value() && std::get<Json>(**d).is_null());
        auto missing = s->get("zzz");
        QVERIFY(missing.ok() && !missing->has_value());
        // Overwrite keeps one row.
        QVERIFY(s->put("b", Json(43)).ok());
        QCOMPARE(std::get<Json>(**s->get("b")).get<int>(), 43);

        auto all = s->list();
        QVERIFY(all.ok());
        QCOMPARE(all->size(), size_t(8));
        QCOMPARE(all->front().first, std::string("a"));
        KvListOptions prefix;
        prefix.prefix = "p/";
        auto p = s->list(prefix);
        QVERIFY(p.ok());
        QCOMPARE(p->size(), size_t(2));
        QCOMPARE((*p)[1].first, std::string("p/2"));
        KvListOptions range;
        range.start = "b";
        range.end = "e";
        range.reverse = true;
        range.limit = 2;
        auto r = s->list(range);
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(2));
        QCOMPARE((*r)[0].first, std::string("d"));
        QCOMPARE((*r)[1].first, std::string("c"));

        auto removed = s->remove("a");
        QVERIFY(removed.ok() && *removed);
        removed = s->remove("a");
        QVERIFY(removed.ok() && !*removed);
        // Bad keys.
        QVERIFY(!s->put("", Json(1)).ok());
        QVERIFY(!s->put(std::string(3000, 'k'), Json(1)).ok());
        QVERIFY(!s->put(std::string("\xff\xfe", 2), Json(1)).ok());
        // A JSON string with invalid UTF-8 cannot be serialised: refused, nothing written.
        QVERIFY(!s->put("bad", Json(std::string("\xff", 1))).ok());
        QVERIFY(s->get("bad")->has_value() == false);
    }

    void transactions()
    {
        auto s = openOrFail("");
        QVERIFY(s);
        QVERIFY(s->exec("CREATE TABLE t(x)").ok());
        auto ok = s->transaction([&]() -> Status {
            (void)s->exec("INSERT INTO t VALUES(1)");
            return s->transaction([&]() -> Status {
                (void)s->exec("INSERT INTO t VALUES(2)");
                return {};
            });
        });
        QVERIFY(ok.ok());
        QCOMPARE(count(*s, "t"), 2);
        auto failed = s->transaction([&]() -> Status {
            (void)s->exec("INSERT INTO t VALUES(3)");
            (void)s->put("k", Json(1));
            return Error{"no"};
        });
        QVERIFY(!failed.ok());
        QCOMPARE(count(*s, "t"), 2);
        QVERIFY(!s->get("k")->has_value());
        auto thrown = s->transaction([&]() -> Status {
            (void)s->exec("INSERT INTO t VALUES(4)");
            throw std::runtime_error("boom");
        });
        QVERIFY(!thrown.ok());
        QVERIFY(thrown.error().find("boom") != std::string::npos);
        QCOMPARE(count(*s, "t"), 2);
        // Inner failure, outer success: only the inner part is dropped.
        auto partial = s->transaction([&]() -> Status {
            (void)s->exec("INSERT INTO t VALUES(5)");
            (void)s->transaction([&]() -> Status {
                (void)s->exec("INSERT INTO t VALUES(6)");
                return Error{"inner"};
            });
            return {};
        });
        QVERIFY(partial.ok());
        QCOMPARE(count(*s, "t"), 3);
    }

    void eventsAndBatches()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.sqlite").toStdString();
        auto s = openOrFail(path);
        QVERIFY(s);
        QVERIFY(s->exec("CREATE TABLE t(x)").ok());
        s->beginEvent();
        QVERIFY(s->exec("INSERT INTO t VALUES(1)").ok());
        QVERIFY(s->endEvent(true).ok());
        s->beginEvent();
        QVERIFY(s->exec("INSERT INTO t VALUES(2)").ok());
        QVERIFY(s->endEvent(false).ok()); // dropped
        QVERIFY(s->batchOpen());
        // Not committed yet: another connection does not see it.
        auto other = openOrFail(path);
        QCOMPARE(count(*other, "t"), 0);
        QVERIFY(s->commitBatch().ok());
        QCOMPARE(count(*other, "t"), 1);
        QCOMPARE(count(*s, "t"), 1);
    }

    void valueAndRowLimits()
    {
        StorageOptions o;
        o.maxValueBytes = 64 * 1024;
        auto s = openOrFail("", o);
        QVERIFY(s);
        auto big = s->put("big", QByteArray(o.maxValueBytes + 1, 'x'));
        QVERIFY(!big.ok());
        QVERIFY(big.error().find("limit") != std::string::npos);
        QVERIFY(!s->get("big")->has_value());
        QVERIFY(s->put("fits", QByteArray(o.maxValueBytes / 2, 'x')).ok());
        QVERIFY(s->exec("CREATE TABLE t(a BLOB, b BLOB)").ok());
        // Each value fits but the row does not.
        auto row = s->exec("INSERT INTO t VALUES(?, ?)", QByteArray(o.maxValueBytes / 2 + 10, 'a'),
                           QByteArray(o.maxValueBytes / 2 + 10, 'b'));
        QVERIFY(!row.ok());
        QVERIFY2(row.error().find("too big") != std::string::npos, row.error().c_str());
        QCOMPARE(count(*s, "t"), 0);
        // The default is 2 MiB per value.
        auto d = openOrFail("");
        QVERIFY(!d->put("x", QByteArray(2 * 1024 * 1024 + 1, 'x')).ok());
        QVERIFY(d->put("x", QByteArray(1024 * 1024, 'x')).ok());
    }

    void quota()
    {
        QTemporaryDir dir;
        StorageOptions o;
        o.quotaBytes = 512 * 1024;
        auto s = openOrFail(dir.filePath("q.sqlite").toStdString(), o);
        QVERIFY(s);
        QVERIFY(s->exec("CREATE TABLE t(x BLOB)").ok());
        int written = 0;
        Status last;
        for (int i = 0; i < 200; ++i) {
            last = s->put(std::string("k").append(std::to_string(i)), QByteArray(16 * 1024, char('a' + i % 26)));
            if (!last)
                break;
            ++written;
        }
        QVERIFY(!last.ok());
        QVERIFY2(last.error().find("quota") != std::string::npos, last.error().c_str());
        QVERIFY(written > 10);
        // Nothing partial: every key before the refusal is whole, the refused one is absent.
        QVERIFY(!s->get(std::string("k").append(std::to_string(written)))->has_value());
        auto back = s->get("k0");
        QVERIFY(back.ok() && back->has_value());
        QCOMPARE(std::get<QByteArray>(**back).size(), 16 * 1024);
        QCOMPARE(*s->integrityCheck(), std::string("ok"));
        // Deleting frees room again.
        QVERIFY(s->remove("k0").ok());
        QVERIFY(s->remove("k1").ok());
        QVERIFY(s->put("again", QByteArray(1000, 'z')).ok());
    }

    void snapshots()
    {
        QTemporaryDir dir;
        auto s = openOrFail(dir.filePath("s.sqlite").toStdString());
        QVERIFY(s);
        QVERIFY(s->put("v", Json(1)).ok());
        const std::string snap = dir.filePath("snap.sqlite").toStdString();
        QVERIFY(s->backupTo(snap).ok());
        QVERIFY(s->put("v", Json(2)).ok());
        QVERIFY(s->put("w", Json(3)).ok());
        QVERIFY(s->restoreFrom(snap).ok());
        QCOMPARE(std::get<Json>(**s->get("v")).get<int>(), 1);
        QVERIFY(!s->get("w")->has_value());
        // Not inside a transaction.
        s->beginEvent();
        QVERIFY(s->put("x", Json(1)).ok());
        QVERIFY(!s->backupTo(snap + "2").ok());
        QVERIFY(s->endEvent(true).ok());
        QVERIFY(s->commitBatch().ok());
        // A garbage file is not a snapshot, and the live database is untouched.
        QFile junk(dir.filePath("junk.sqlite"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(8192, 'j'));
        junk.close();
        QVERIFY(!s->restoreFrom(junk.fileName().toStdString()).ok());
        QCOMPARE(std::get<Json>(**s->get("x")).get<int>(), 1);
        // Intact databases this build cannot use are refused before the live
        // one is replaced: a newer schema, or a database that is not an
        // actor's (its version claims the internal tables, which are absent).
        for (const char* sql : {"CREATE TABLE t(x); PRAGMA user_version=99", "CREATE TABLE t(x); PRAGMA user_version=1"}) {
            const std::string other = dir.filePath(QStringLiteral("other%1.sqlite").arg(qHash(QByteArray(sql)))).toStdString();
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(other.c_str(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
            const Status refused = s->restoreFrom(other);
            QVERIFY2(!refused.ok(), sql);
            auto kept = s->get("x");
            QVERIFY2(kept.ok(), kept.ok() ? sql : kept.error().c_str());
            QCOMPARE(std::get<Json>(**kept).get<int>(), 1);
            QVERIFY2(refused.error().find("not a valid snapshot") != std::string::npos, refused.error().c_str());
        }
    }

    void badFilesAndVersions()
    {
        QTemporaryDir dir;
        QFile junk(dir.filePath("junk.sqlite"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'j'));
        junk.close();
        auto s = ActorStorage::open(junk.fileName().toStdString());
        QVERIFY(!s.ok());
        QVERIFY(s.error().find("junk.sqlite") != std::string::npos);
        // A database from a newer Outpost is refused rather than damaged.
        const std::string newer = dir.filePath("newer.sqlite").toStdString();
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        auto n = ActorStorage::open(newer);
        QVERIFY(!n.ok());
        QVERIFY(n.error().find("newer") != std::string::npos);
        // A plain SQLite database (version 0) is migrated in place: user
        // tables stay, the internal tables appear.
        const std::string old = dir.filePath("v0.sqlite").toStdString();
        QCOMPARE(sqlite3_open(old.c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "CREATE TABLE notes(t TEXT); INSERT INTO notes VALUES('kept')", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        auto migrated = openOrFail(old);
        QVERIFY(migrated);
        QCOMPARE(std::get<std::string>(migrated->exec("SELECT t FROM notes")->scalar()), std::string("kept"));
        QCOMPARE(std::get<std::int64_t>(migrated->exec("PRAGMA user_version")->scalar()), kStorageSchemaVersion);
        QVERIFY(migrated->put("k", Json(1)).ok());
        // Schema version is set on new databases.
        auto fresh = openOrFail(dir.filePath("fresh.sqlite").toStdString());
        auto v = fresh->exec("PRAGMA user_version");
        QCOMPARE(std::get<std::int64_t>(v->scalar()), kStorageSchemaVersion);
    }

    void lockedByAnotherConnection()
    {
        // Another process holds the file's write lock (a second server on
        // the same project): the open says so, after the busy timeout,
        // instead of calling the file unusable, and the data stays.
        QTemporaryDir dir;
        const std::string path = dir.filePath("held.sqlite").toStdString();
        sqlite3* holder = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &holder), SQLITE_OK);
        QCOMPARE(sqlite3_exec(holder, "CREATE TABLE notes(t TEXT); INSERT INTO notes VALUES('kept'); BEGIN EXCLUSIVE",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        StorageOptions options;
        options.busyTimeoutMs = 20;
        auto locked = ActorStorage::open(path, options);
        QVERIFY(!locked.ok());
        QVERIFY2(locked.error().find("locked by another connection") != std::string::npos, locked.error().c_str());
        QVERIFY2(locked.error().find("not a usable") == std::string::npos, locked.error().c_str());
        QCOMPARE(sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(holder);
        auto opened = openOrFail(path);
        QVERIFY(opened);
        QCOMPARE(std::get<std::string>(opened->exec("SELECT t FROM notes")->scalar()), std::string("kept"));
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "test_storage.moc"
