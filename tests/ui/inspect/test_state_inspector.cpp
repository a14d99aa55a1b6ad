// The state inspector on the offscreen platform: paging a 1,000,000-row
// table, the console's read-only mode and its stop button, and a live
// instance of a real ActorRuntime (tables, schema, state, schedules, refresh
// when the actor commits).
#include "core/actor/actor_runtime.h"
#include "core/agent/chat_store.h"
#include "core/storage/actor_storage.h"
#include "ui/inspect/lazy_table_model.h"
#include "ui/inspect/sql_console.h"
#include "ui/inspect/state_inspector.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <sqlite3.h>

using namespace outpost;
namespace actor = outpost::core::actor;

namespace {

constexpr int kBigRows = 1'000'000;

bool execSql(sqlite3* db, const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        qWarning("%s: %s", sql, err);
        sqlite3_free(err);
        return false;
    }
    return true;
}

qint64 scalar(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    qint64 v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void screenshot(QWidget* w, const QString& name)
{
    const QString dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    QVERIFY(w->grab().save(QDir(dir).filePath(name)));
}

// A tiny agent: each message appends a row, saves its state the way agent
// instances do (cf_agents_state), and keeps one schedule an hour ahead.
class Counter final : public actor::Actor {
public:
    actor::Result<actor::Json> onMessage(actor::ActorContext& ctx, const actor::Json& message) override
    {
        auto s = ctx.storage();
        if (!s)
            return actor::Error{s.error()};
        auto& db = **s;
        for (const char* sql : {"CREATE TABLE IF NOT EXISTS hits(n INTEGER PRIMARY KEY, note TEXT)",
                                "CREATE TABLE IF NOT EXISTS cf_agents_state (id TEXT PRIMARY KEY NOT NULL, state TEXT)"})
            if (auto r = db.exec(sql); !r)
                return actor::Error{r.error()};
        if (auto r = db.exec("INSERT INTO hits(note) VALUES (?)", message.value("note", std::string())); !r)
            return actor::Error{r.error()};
        auto count = db.exec("SELECT count(*) FROM hits");
        if (!count)
            return actor::Error{count.error()};
        const auto n = std::get<std::int64_t>(count->scalar());
        actor::Json state = {{"hits", n}, {"last", message.value("note", std::string())}};
        if (auto r = db.exec("INSERT OR REPLACE INTO cf_agents_state(id, state) VALUES ('cf_state_row_id', ?)", state.dump()); !r)
            return actor::Error{r.error()};
        auto schedules = ctx.getSchedules();
        if (schedules && schedules->empty())
            if (auto added = ctx.schedule(core::alarms::When::delay(3'600'000), "tick", actor::Json{{"every", "hour"}}); !added)
                return actor::Error{added.error()};
        if (auto q = ctx.queue("later", actor::Json{{"n", n}}); !q)
            return actor::Error{q.error()};
        return actor::Json(n);
    }
    actor::Status onCallback(actor::ActorContext&, const std::string&, const actor::Json&) override
    {
        // Queued jobs stay queued (failing) so the inspector has some to list.
        return actor::Error{"not now"};
    }
};

} // namespace

class TestStateInspector : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_big = m_dir.filePath(QStringLiteral("big.sqlite"));
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(m_big).constData(), &db), SQLITE_OK);
        // One transaction and a recursive CTE: a million rows in about a second.
        QVERIFY(execSql(db, "PRAGMA journal_mode=WAL"));
        QVERIFY(execSql(db, "BEGIN"));
        QVERIFY(execSql(db, "CREATE TABLE big(id INTEGER PRIMARY KEY, name TEXT, value REAL, data BLOB)"));
        QVERIFY(execSql(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) "
                            "INSERT INTO big SELECT x, 'row ' || x, x * 0.5, CASE WHEN x % 1000 = 0 THEN zeroblob(16) END FROM c"));
        QVERIFY(execSql(db, "CREATE TABLE pairs(k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID"));
        QVERIFY(execSql(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600) "
                            "INSERT INTO pairs SELECT printf('k%05d', x), x FROM c"));
        QVERIFY(execSql(db, "COMMIT"));
        sqlite3_close(db);
    }

    void pagesAMillionRows()
    {
        ui::LazyTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QSignalSpy counted(&model, &ui::LazyTableModel::totalRowsChanged);
        QVERIFY2(model.setTable(m_big, QStringLiteral("big"), &error), qPrintable(error));
        QVERIFY(model.usesRowid());
        // The count runs in the background; the first page is there at once.
        if (counted.isEmpty())
            QCOMPARE(model.totalRows(), qint64(-1));
        QVERIFY(counted.count() == 1 || counted.wait(20000));
        QCOMPARE(model.totalRows(), qint64(kBigRows));
        // Only the first page is read.
        QCOMPARE(model.rowCount(), model.pageSize());
        QCOMPARE(model.pagesFetched(), 1);
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.headerData(1, Qt::Horizontal, Qt::DisplayRole).toString(), QStringLiteral("name"));
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("row 1"));
        QCOMPARE(model.index(999, 3).data().toString(), QString()); // not loaded yet: no such index
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QCOMPARE(model.rowCount(), 2 * model.pageSize());
        QCOMPARE(model.pagesFetched(), 2);
        QCOMPARE(model.index(300, 1).data().toString(), QStringLiteral("row 301"));
        QCOMPARE(model.index(300, 2).data(ui::LazyTableModel::RawValueRole).toDouble(), 150.5);
        QCOMPARE(model.index(300, 3).data().toString(), QStringLiteral("NULL"));

        // A view scrolled to the bottom asks for the next page, not the table.
        QTableView view;
        view.setModel(&model);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const int before = model.rowCount();
        for (int i = 0; i < 3; ++i) {
            view.scrollToBottom();
            QCoreApplication::processEvents();
        }
        QVERIFY(model.rowCount() > before);
        QVERIFY(model.rowCount() <= before + 3 * model.pageSize());
        QVERIFY(model.canFetchMore({}));
        QCOMPARE(model.index(model.rowCount() - 1, 0).data(ui::LazyTableModel::RowIdRole).toLongLong(), qint64(model.rowCount()));
        // Blobs read as their size.
        while (model.rowCount() < 1000)
            model.fetchMore({});
        QVERIFY(model.index(999, 3).data().toString().contains(QStringLiteral("16")));
    }

    void pagesTablesWithoutRowid()
    {
        ui::LazyTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(256);
        QSignalSpy counted(&model, &ui::LazyTableModel::totalRowsChanged);
        QVERIFY(model.setTable(m_big, QStringLiteral("pairs")));
        QVERIFY(!model.usesRowid());
        QVERIFY(counted.count() == 1 || counted.wait(20000));
        QCOMPARE(model.totalRows(), qint64(600));
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 600);
        QCOMPARE(model.index(599, 0).data().toString(), QStringLiteral("k00600"));
        QCOMPARE(model.pagesFetched(), 3);
        QString error;
        QVERIFY(!model.setTable(m_big, QStringLiteral("missing"), &error));
        QVERIFY2(error.contains(QStringLiteral("missing")), qPrintable(error));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.setTable(m_dir.filePath(QStringLiteral("nope.sqlite")), QStringLiteral("big"), &error));
        // A small table is counted by its first page, without a background job.
        counted.clear();
        model.setPageSize(1000);
        QVERIFY(model.setTable(m_big, QStringLiteral("pairs")));
        QCOMPARE(counted.count(), 1);
        QCOMPARE(model.totalRows(), qint64(600));
        QVERIFY(!model.canFetchMore({}));
        // Switching tables while the big one is being counted drops that count.
        model.setPageSize(256);
        QVERIFY(model.setTable(m_big, QStringLiteral("big")));
        QVERIFY(model.setTable(m_big, QStringLiteral("pairs")));
        QVERIFY(counted.wait(20000));
        QCOMPARE(model.totalRows(), qint64(600));
    }

    void consoleIsReadOnlyUntilConfirmed()
    {
        ui::SqlConsole console;
        QAbstractItemModelTester tester(console.resultModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        console.setDatabase(m_big);
        console.resize(700, 420);
        console.show();
        QSignalSpy done(&console, &ui::SqlConsole::queryFinished);

        console.run(QStringLiteral("SELECT id, name FROM big WHERE id <= 3 ORDER BY id"));
        QVERIFY(done.wait(20000));
        QVERIFY2(console.lastResult().ok(), qPrintable(console.lastResult().error));
        QCOMPARE(console.resultModel()->rowCount(), 3);
        QCOMPARE(console.resultModel()->index(2, 1).data().toString(), QStringLiteral("row 3"));

        console.run(QStringLiteral("DELETE FROM big WHERE id = 1"));
        QVERIFY(done.wait(20000));
        QVERIFY(!console.lastResult().ok());
        QVERIFY2(console.message().contains(QStringLiteral("Read-only")), qPrintable(console.message()));
        QCOMPARE(scalar(m_big, "SELECT count(*) FROM big WHERE id = 1"), 1);
        screenshot(&console, QStringLiteral("sql_console_refused.png"));

        // Switching on write mode asks first; Cancel keeps it read-only.
        console.requestWriteMode(true);
        auto* box = console.findChild<QMessageBox*>();
        QVERIFY(box);
        screenshot(box, QStringLiteral("sql_console_confirm.png"));
        box->button(QMessageBox::Cancel)->click();
        QVERIFY(!console.writeMode());
        QTRY_VERIFY(console.findChild<QMessageBox*>() == nullptr);
        console.requestWriteMode(true);
        box = console.findChild<QMessageBox*>();
        QVERIFY(box);
        box->button(QMessageBox::Yes)->click();
        QVERIFY(console.writeMode());

        QSignalSpy written(&console, &ui::SqlConsole::databaseWritten);
        console.run(QStringLiteral("DELETE FROM big WHERE id = 1"));
        QVERIFY(done.wait(20000));
        QVERIFY2(console.lastResult().ok(), qPrintable(console.lastResult().error));
        QCOMPARE(console.lastResult().changes, qint64(1));
        QCOMPARE(written.count(), 1);
        QCOMPARE(scalar(m_big, "SELECT count(*) FROM big WHERE id = 1"), 0);
        console.run(QStringLiteral("INSERT INTO big(id, name) VALUES (1, 'row 1')"));
        QVERIFY(done.wait(20000));
        QVERIFY(console.lastResult().ok());

        // Errors show inline.
        console.run(QStringLiteral("SELEC nonsense"));
        QVERIFY(done.wait(20000));
        QVERIFY2(console.message().contains(QStringLiteral("syntax error")), qPrintable(console.message()));
        screenshot(&console, QStringLiteral("sql_console_error.png"));
        console.setWriteMode(false);
    }

    void consoleStopsALongQuery()
    {
        ui::SqlConsole console;
        console.setDatabase(m_big);
        QSignalSpy done(&console, &ui::SqlConsole::queryFinished);
        // Never ends on its own.
        console.run(QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"));
        QVERIFY(console.isRunning());
        console.stop();
        QVERIFY(done.wait(20000));
        QVERIFY(console.lastResult().interrupted);
        QVERIFY(!console.isRunning());
        // The console is usable again.
        console.run(QStringLiteral("SELECT count(*) FROM pairs"));
        QVERIFY(done.wait(20000));
        QCOMPARE(console.resultModel()->index(0, 0).data(Qt::EditRole).toLongLong(), 600);
    }

    // The Traces tab: the graph runs recorded in outpost_trace, newest
    // first, each node with its time, tokens and error; a node's inputs and
    // outputs in the detail pane.
    void showsTraces()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("state/Agent/0123456789abcdef0123456789abcdef.sqlite"));
        {
            auto db = core::storage::ActorStorage::open(path.toStdString());
            QVERIFY(db.ok());
            QVERIFY(core::agent::chat::ensureTables(**db).ok());
            using Row = core::agent::chat::TraceRow;
            QVERIFY(core::agent::chat::appendTrace(**db, "run-old",
                                                   {Row{"in", "input", 1000, 1001, {{"message", "hi"}}, {{"message", "hi"}}, 0, ""},
                                                    Row{"model", "llm", 1001, 1251, {{"prompt", "hi"}}, {{"text", "hello"}}, 12, ""}})
                        .ok());
            QVERIFY(core::agent::chat::appendTrace(**db, "run-new",
                                                   {Row{"in", "input", 5000, 5000, {{"message", "TOOL"}}, {{"message", "TOOL"}}, 0, ""},
                                                    Row{"model", "llm", 5000, 5040, {{"prompt", "TOOL"}}, nullptr, 3, "endpoint refused"}})
                        .ok());
        }
        ui::StateInspector inspector;
        QAbstractItemModelTester tester(inspector.traceModel());
        QVERIFY(inspector.openInstance(path));
        QStandardItemModel* m = inspector.traceModel();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->item(0, 0)->text(), QStringLiteral("run-new")); // newest first
        QCOMPARE(m->item(1, 0)->text(), QStringLiteral("run-old"));
        QCOMPARE(m->item(1, 0)->rowCount(), 2);
        QCOMPARE(m->item(1, 3)->text(), QStringLiteral("251"));      // run time, ms
        QCOMPARE(m->item(1, 4)->text(), QStringLiteral("12"));       // tokens
        QCOMPARE(m->item(1, 0)->child(1, 0)->text(), QStringLiteral("model"));
        QCOMPARE(m->item(1, 0)->child(1, 3)->text(), QStringLiteral("250"));
        QCOMPARE(m->item(0, 0)->child(1, 5)->text(), QStringLiteral("endpoint refused"));
        QVERIFY(!m->item(0, 5)->text().isEmpty()); // the run says it has an error
        QVERIFY(m->item(1, 5)->text().isEmpty());
        // Selecting a node shows its inputs and outputs.
        inspector.traceView()->setCurrentIndex(m->item(1, 0)->child(1, 0)->index());
        const QString detail = inspector.traceDetail()->toPlainText();
        QVERIFY2(detail.contains(QStringLiteral("\"prompt\": \"hi\"")) && detail.contains(QStringLiteral("\"text\": \"hello\"")),
                 qPrintable(detail));
        // A reload keeps the selected node.
        inspector.reload();
        QCOMPARE(inspector.traceView()->currentIndex().siblingAtColumn(0).data().toString(), QStringLiteral("model"));
        QCOMPARE(inspector.traceView()->currentIndex().parent().data().toString(), QStringLiteral("run-old"));
        inspector.tabs()->setCurrentIndex(ui::StateInspector::TracesTab);
        inspector.resize(1000, 600);
        screenshot(&inspector, QStringLiteral("state_inspector_traces.png"));
    }

    void inspectsALiveInstance()
    {
        QTemporaryDir project;
        actor::RuntimeOptions options;
        options.rootDir = project.path().toStdString();
        options.shards = 1;
        options.delivery.baseDelayMs = 3'600'000; // failing jobs wait, so they stay listed
        actor::ActorRuntime runtime(options);
        QVERIFY(runtime.registerClass("counter", [] { return std::make_unique<Counter>(); }).ok());
        QVERIFY(runtime.start().ok());
        auto id = actor::ActorId::fromName("counter", "alice");
        QVERIFY(id.ok());
        QVERIFY(runtime.call(*id, actor::Json{{"note", "first"}}).ok());

        ui::StateInspector inspector;
        QAbstractItemModelTester instanceTester(inspector.instanceModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester tableTester(inspector.tableModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester scheduleTester(inspector.scheduleModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester queueTester(inspector.queueModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy selected(&inspector, &ui::StateInspector::instanceSelected);
        inspector.setProjectRoot(project.path());
        QCOMPARE(inspector.instanceModel()->rowCount(), 1);
        QCOMPARE(inspector.instanceModel()->item(0)->text(), QStringLiteral("counter"));
        QCOMPARE(inspector.instanceModel()->item(0)->rowCount(), 1);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().at(0).toString(), QStringLiteral("counter"));
        QCOMPARE(selected.first().at(1).toString(), QString::fromStdString(id->hex()));
        QCOMPARE(inspector.currentDatabase(), QFileInfo(QString::fromStdString(runtime.databasePath(*id))).absoluteFilePath());

        // Tables: user tables first, the platform's after.
        QStringList tables;
        for (int i = 0; i < inspector.tableList()->count(); ++i)
            tables << inspector.tableList()->item(i)->text();
        QCOMPARE(tables.value(0), QStringLiteral("hits"));
        QVERIFY(tables.contains(QStringLiteral("_outpost_schedules")));
        QCOMPARE(inspector.tableModel()->tableName(), QStringLiteral("hits"));
        QCOMPARE(inspector.tableModel()->rowCount(), 1);
        QVERIFY(inspector.schemaText()->toPlainText().contains(QStringLiteral("CREATE TABLE hits")));
        QVERIFY2(inspector.stateText()->toPlainText().contains(QStringLiteral("\"last\": \"first\"")), qPrintable(inspector.stateText()->toPlainText()));
        QCOMPARE(inspector.scheduleModel()->rowCount(), 1);
        QCOMPARE(inspector.scheduleModel()->item(0, 3)->text(), QStringLiteral("tick"));

        inspector.resize(1100, 640);
        inspector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&inspector));
        screenshot(&inspector, QStringLiteral("state_inspector_tables.png"));

        // Live refresh: the actor commits, the inspector reloads by itself.
        QSignalSpy reloaded(&inspector, &ui::StateInspector::reloaded);
        QVERIFY(runtime.call(*id, actor::Json{{"note", "second"}}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(inspector.tableModel()->rowCount() == 2, 20000);
        QVERIFY(reloaded.count() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(inspector.stateText()->toPlainText().contains(QStringLiteral("\"last\": \"second\"")), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(inspector.queueModel()->rowCount() == 2, 20000);

        // A new instance appears in the list by itself.
        auto bob = actor::ActorId::fromName("counter", "bob");
        QVERIFY(bob.ok());
        QVERIFY(runtime.call(*bob, actor::Json{{"note", "hello"}}).ok());
        QTRY_COMPARE_WITH_TIMEOUT(inspector.instanceModel()->item(0)->rowCount(), 2, 20000);
        QCOMPARE(inspector.currentDatabase(), QFileInfo(QString::fromStdString(runtime.databasePath(*id))).absoluteFilePath());

        inspector.tabs()->setCurrentIndex(ui::StateInspector::StateTab);
        screenshot(&inspector, QStringLiteral("state_inspector_state.png"));
        inspector.tabs()->setCurrentIndex(ui::StateInspector::SchedulesTab);
        screenshot(&inspector, QStringLiteral("state_inspector_schedules.png"));
        inspector.tabs()->setCurrentIndex(ui::StateInspector::SchemaTab);
        screenshot(&inspector, QStringLiteral("state_inspector_schema.png"));
        inspector.tabs()->setCurrentIndex(ui::StateInspector::ConsoleTab);
        QSignalSpy done(inspector.console(), &ui::SqlConsole::queryFinished);
        inspector.console()->editor()->setPlainText(QStringLiteral("SELECT n, note FROM hits ORDER BY n DESC"));
        inspector.console()->run();
        QVERIFY(done.wait(20000));
        QCOMPARE(inspector.console()->resultModel()->rowCount(), 2);
        screenshot(&inspector, QStringLiteral("state_inspector_console.png"));

        // An instance without agent state says so.
        QVERIFY(inspector.openInstance(m_big));
        QVERIFY(inspector.stateText()->toPlainText().contains(QStringLiteral("no agent state")));
        // The million-row table opens with its first page; the count follows.
        QCOMPARE(inspector.tableModel()->tableName(), QStringLiteral("big"));
        QCOMPARE(inspector.tableModel()->rowCount(), inspector.tableModel()->pageSize());
        QTRY_COMPARE_WITH_TIMEOUT(inspector.tableModel()->totalRows(), qint64(kBigRows), 20000);
        inspector.tabs()->setCurrentIndex(ui::StateInspector::TablesTab);
        inspector.tableView()->scrollToBottom();
        QCoreApplication::processEvents();
        QVERIFY(inspector.tableModel()->rowCount() < 4 * inspector.tableModel()->pageSize());
        const QLabel* footer = nullptr;
        for (const QLabel* label : inspector.findChildren<QLabel*>())
            if (label->text().contains(QStringLiteral("rows loaded")))
                footer = label;
        QVERIFY(footer);
        QVERIFY2(footer->text().contains(QStringLiteral("1,000,000")), qPrintable(footer->text()));
        screenshot(&inspector, QStringLiteral("state_inspector_big_table.png"));
        // A file that is not a database is an error in the header, not a crash.
        const QString junk = project.filePath(QStringLiteral("state/counter/junk.sqlite"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        QVERIFY(!inspector.openInstance(junk));
        QCOMPARE(inspector.tableModel()->rowCount(), 0);
        runtime.stop();
    }

private:
    QTemporaryDir m_dir;
    QString m_big;
};

QTEST_MAIN(TestStateInspector)
#include "test_state_inspector.moc"
