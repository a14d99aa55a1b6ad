#pragma once
// The state inspector: the agent instances of a project (one SQLite file
// each under state/<class>/<id>.sqlite) and, for the selected instance, its
// tables (paged, see LazyTableModel), schema, agent state JSON, schedules
// and queued jobs, the traces of its graph runs (outpost_trace: the newest
// runs, each node with its time, tokens, error, inputs and outputs), and a
// SQL console (read-only unless switched on).
//
// Every connection it opens is its own, read-only (except the console in
// write mode). It watches the database and its -wal file and reloads what it
// shows shortly after the runtime commits (live refresh); the reloaded()
// signal says when. It also watches state/ and its class folders, so new
// instances appear in the list by themselves.
//
// Docking: new StateInspector(mainWindow), put it in a QDockWidget or the
// central tab area, and call setProjectRoot() from MainWindow::projectOpened.
// instanceSelected() gives the class and hex id of the chosen instance (for
// the alarm editor: ActorId::fromHex(className, hex)).
#include <QWidget>

class QFileSystemWatcher;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QTimer;
class QTreeView;

namespace outpost::ui {

class LazyTableModel;
class SqlConsole;

class StateInspector : public QWidget {
    Q_OBJECT

public:
    enum InstanceRole {
        PathRole = Qt::UserRole + 1, // QString: the database file (instances only)
        ClassNameRole,               // QString
        InstanceHexRole,             // QString: the id's 32 hex digits (instances only)
    };
    enum Tab { TablesTab, SchemaTab, StateTab, SchedulesTab, TracesTab, ConsoleTab };
    // Runs shown in the Traces tab, newest first.
    static constexpr int kMaxTraceRuns = 200;

    explicit StateInspector(QWidget* parent = nullptr);
    ~StateInspector() override;

    // Lists the instances under `root`/state; an empty root clears the panel.
    void setProjectRoot(const QString& root);
    QString projectRoot() const { return m_root; }
    // Shows one database (selecting it in the instance list when listed).
    // Errors: shown in the panel's header; returns false.
    bool openInstance(const QString& databasePath);
    QString currentDatabase() const { return m_dbPath; }
    // Selects a table of the open instance in the Tables tab.
    bool showTable(const QString& table);

    QStandardItemModel* instanceModel() const { return m_instances; }
    QTreeView* instanceView() const { return m_instanceView; }
    QListWidget* tableList() const { return m_tableList; }
    LazyTableModel* tableModel() const { return m_tableModel; }
    QTableView* tableView() const { return m_tableView; }
    QPlainTextEdit* schemaText() const { return m_schemaText; }
    QPlainTextEdit* stateText() const { return m_stateText; }
    QStandardItemModel* scheduleModel() const { return m_schedules; }
    QStandardItemModel* queueModel() const { return m_queue; }
    // Top level: runs; children: their nodes in order (inputs and outputs in
    // the detail pane when one is selected).
    QStandardItemModel* traceModel() const { return m_traces; }
    QTreeView* traceView() const { return m_traceView; }
    QPlainTextEdit* traceDetail() const { return m_traceDetail; }
    SqlConsole* console() const { return m_console; }
    QTabWidget* tabs() const { return m_tabs; }

public slots:
    // Re-lists the instances of the project.
    void reloadInstances();
    // Re-reads everything shown for the open instance.
    void reload();

signals:
    void instanceSelected(const QString& className, const QString& instanceHex, const QString& databasePath);
    // After reload(), whether asked for or caused by a change of the file.
    void reloaded();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void loadSchema();
    void loadState();
    void loadSchedules();
    void loadTraces();
    void showTraceDetail();
    void loadTables();
    void updateTableFooter();
    void updateHeader();
    void watch();
    void fileChanged();

    QString m_root;
    QString m_dbPath;
    QString m_openError;
    QString m_currentTable;

    QStandardItemModel* m_instances;
    QStandardItemModel* m_schedules;
    QStandardItemModel* m_queue;
    QStandardItemModel* m_traces;
    LazyTableModel* m_tableModel;
    QFileSystemWatcher* m_watcher;
    QTimer* m_refreshTimer;
    // state/ and its class folders: instances that appear or go away.
    QFileSystemWatcher* m_treeWatcher;
    QTimer* m_treeTimer;

    QLabel* m_instancesLabel = nullptr;
    QTreeView* m_instanceView = nullptr;
    QPushButton* m_reloadButton = nullptr;
    QLabel* m_header = nullptr;
    QTabWidget* m_tabs = nullptr;
    QListWidget* m_tableList = nullptr;
    QTableView* m_tableView = nullptr;
    QLabel* m_tableFooter = nullptr;
    QPlainTextEdit* m_schemaText = nullptr;
    QPlainTextEdit* m_stateText = nullptr;
    QLabel* m_schedulesLabel = nullptr;
    QTableView* m_scheduleView = nullptr;
    QLabel* m_queueLabel = nullptr;
    QTableView* m_queueView = nullptr;
    QTreeView* m_traceView = nullptr;
    QPlainTextEdit* m_traceDetail = nullptr;
    SqlConsole* m_console = nullptr;
};

} // namespace outpost::ui
