// Crash safety: a child process increments counter actors and prints every
// acknowledged increment; it is killed with SIGKILL at random moments. After
// each kill every acknowledged increment must be in the database and the
// database must pass PRAGMA integrity_check.
#include "core/actor/actor_id.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <map>

using namespace outpost::core::actor;

class TestActorCrash : public QObject {
    Q_OBJECT
private slots:
    void killedAtRandomKeepsAcknowledgedWrites()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QRandomGenerator rng(20261125);
        std::map<std::string, long long> acked; // highest acknowledged value per counter
        const int rounds = 32;
        long long totalAcks = 0;
        for (int round = 0; round < rounds; ++round) {
            QProcess child;
            child.setProcessChannelMode(QProcess::SeparateChannels);
            child.start(QStringLiteral(OUTPOST_ACTOR_CRASH_CHILD), {dir.path()});
            QVERIFY2(child.waitForStarted(10000), "the crash child did not start");
            // Kill after a random number of acknowledgements (0 = right after start).
            const int killAfter = int(rng.bounded(0, 400));
            QByteArray buffer;
            int acksThisRound = 0;
            bool ready = false;
            auto consume = [&] {
                buffer += child.readAllStandardOutput();
                int nl;
                while ((nl = buffer.indexOf('\n')) >= 0) {
                    const QByteArray line = buffer.left(nl);
                    buffer.remove(0, nl + 1);
                    if (line == "ready") {
                        ready = true;
                        continue;
                    }
                    const auto parts = line.split(' ');
                    if (parts.size() == 3 && parts[0] == "ack") {
                        auto& best = acked[parts[1].toStdString()];
                        best = std::max(best, parts[2].toLongLong());
                        ++acksThisRound;
                        ++totalAcks;
                    }
                }
            };
            while ((killAfter == 0 ? !ready : acksThisRound < killAfter) && child.state() == QProcess::Running) {
                child.waitForReadyRead(5000);
                consume();
            }
            QVERIFY2(child.state() == QProcess::Running, child.readAllStandardError().constData());
            child.kill(); // SIGKILL
            QVERIFY(child.waitForFinished(10000));
            consume(); // acks already written before the kill count too
            const QByteArray errors = child.readAllStandardError();
            QVERIFY2(!errors.contains("error"), errors.constData());

            for (const auto& [name, value] : acked) {
                auto id = ActorId::fromName("Counter", name);
                QVERIFY(id.ok());
                const std::string path = dir.filePath(QString::fromStdString("state/Counter/" + id->hex() + ".sqlite")).toStdString();
                sqlite3* db = nullptr;
                QCOMPARE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
                auto scalar = [&](const char* sql) {
                    sqlite3_stmt* st = nullptr;
                    std::string out;
                    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
                        if (const unsigned char* text = sqlite3_column_text(st, 0)) // NULL for a NULL value
                            out = reinterpret_cast<const char*>(text);
                    sqlite3_finalize(st);
                    return out;
                };
                const std::string integrity = scalar("PRAGMA integrity_check");
                const std::string counter = scalar("SELECT n FROM counter WHERE id = 1");
                const long long stored = counter.empty() ? 0 : std::stoll(counter);
                sqlite3_close(db);
                QCOMPARE(integrity, std::string("ok"));
                if (stored < value)
                    QFAIL(qPrintable(QStringLiteral("round %1: counter %2 holds %3 but %4 was acknowledged")
                                         .arg(round).arg(QString::fromStdString(name)).arg(stored).arg(value)));
            }
        }
        QVERIFY2(totalAcks > 0, "no increment was ever acknowledged");
        qInfo("%d kills, %lld acknowledged increments checked", rounds, totalAcks);
    }
};

QTEST_GUILESS_MAIN(TestActorCrash)
#include "test_actor_crash.moc"
