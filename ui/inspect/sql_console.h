#pragma once
// A SQL console on one database file. Read-only by default: the connection
// is opened with SQLITE_OPEN_READONLY and any statement that would write is
// refused before it runs. Write mode is switched on only after the user
// confirms a dialog (or by setWriteMode() from code). Queries run on a
// worker thread; stop() interrupts a long one (sqlite3_interrupt). Errors
// show inline under the editor.
#include "ui/inspect/query_result_model.h"

#include <QObject>
#include <QWidget>

#include <atomic>
#include <mutex>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QThread;
struct sqlite3;

namespace outpost::ui {

// Runs console queries on the console's worker thread.
class SqlQueryWorker : public QObject {
    Q_OBJECT

public:
    // At most this many rows of a result are kept.
    static constexpr int kMaxRows = 10000;

    // Thread-safe: interrupts the query in progress, or the next one if it
    // has not reached SQLite yet.
    void interrupt();
    // Clears an interrupt(); the console calls it before queueing a query,
    // so a stop that races with the query's start is never lost.
    void resetInterrupt() { m_stop.store(false); }

public slots:
    void run(const QString& path, const QString& sql, bool writeMode);

signals:
    void finished(const outpost::ui::QueryResult& result);

private:
    std::mutex m_mutex;
    sqlite3* m_db = nullptr; // guarded by m_mutex while a query runs
    std::atomic<bool> m_stop{false};
};

class SqlConsole : public QWidget {
    Q_OBJECT

public:
    explicit SqlConsole(QWidget* parent = nullptr);
    ~SqlConsole() override; // interrupts a running query and joins the worker

    // The database the console runs on; an empty path disables it. Leaves
    // write mode off.
    void setDatabase(const QString& path);
    QString database() const { return m_path; }

    bool writeMode() const { return m_writeMode; }
    // Without a confirmation: for code that has already asked.
    void setWriteMode(bool on);
    // What the check box does: asks with a (non-modal) dialog before
    // switching write mode on; switching off needs no confirmation.
    void requestWriteMode(bool on);

    bool isRunning() const { return m_running; }
    QPlainTextEdit* editor() const { return m_editor; }
    QueryResultModel* resultModel() const { return m_model; }
    QTableView* resultView() const { return m_view; }
    // The inline message of the last query (error or summary).
    QString message() const;
    const QueryResult& lastResult() const { return m_last; }

public slots:
    // Runs `sql`, or the editor's text when empty. Ignored while a query runs.
    void run(const QString& sql = {});
    void stop();

signals:
    void queryFinished(const outpost::ui::QueryResult& result);
    void writeModeChanged(bool on);
    // A query in write mode changed rows.
    void databaseWritten();
    // Internal: hands a query to the worker thread.
    void runRequested(const QString& path, const QString& sql, bool writeMode);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void finished(const QueryResult& result);
    void updateState();

    QString m_path;
    bool m_writeMode = false;
    bool m_running = false;
    QueryResult m_last;
    QThread* m_thread;
    SqlQueryWorker* m_worker;
    QueryResultModel* m_model;
    QPlainTextEdit* m_editor = nullptr;
    QPushButton* m_runButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QCheckBox* m_writeCheck = nullptr;
    QLabel* m_modeLabel = nullptr;
    QLabel* m_message = nullptr;
    QTableView* m_view = nullptr;
};

} // namespace outpost::ui
