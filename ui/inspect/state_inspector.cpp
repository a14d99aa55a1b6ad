#include "ui/inspect/state_inspector.h"

#include "ui/inspect/inspect_database.h"
#include "ui/inspect/lazy_table_model.h"
#include "ui/inspect/sql_console.h"
#include "ui/schedule/schedule_model.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QEvent>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace outpost::ui {

namespace {

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QTableView* makeTable(QWidget* parent, QAbstractItemModel* model)
{
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    return view;
}

QStandardItem* item(const QString& text)
{
    auto* it = new QStandardItem(text);
    it->setEditable(false);
    return it;
}

} // namespace

StateInspector::StateInspector(QWidget* parent)
    : QWidget(parent),
      m_instances(new QStandardItemModel(this)),
      m_schedules(new QStandardItemModel(this)),
      m_queue(new QStandardItemModel(this)),
      m_traces(new QStandardItemModel(this)),
      m_tableModel(new LazyTableModel(this)),
      m_watcher(new QFileSystemWatcher(this)),
      m_refreshTimer(new QTimer(this)),
      m_treeWatcher(new QFileSystemWatcher(this)),
      m_treeTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("StateInspector"));
    // Commits come in bursts (the WAL and the database both change); one
    // reload per burst is enough.
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(150);
    connect(m_refreshTimer, &QTimer::timeout, this, &StateInspector::reload);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &StateInspector::fileChanged);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &StateInspector::fileChanged);
    m_treeTimer->setSingleShot(true);
    m_treeTimer->setInterval(300);
    connect(m_treeTimer, &QTimer::timeout, this, &StateInspector::reloadInstances);
    connect(m_treeWatcher, &QFileSystemWatcher::directoryChanged, m_treeTimer, qOverload<>(&QTimer::start));

    // ---- left: instances ----
    m_instancesLabel = new QLabel(this);
    m_instanceView = new QTreeView(this);
    m_instanceView->setModel(m_instances);
    m_instanceView->setHeaderHidden(true);
    m_instanceView->setUniformRowHeights(true);
    m_instanceView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_instanceView->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
        const QString path = current.data(PathRole).toString();
        if (!path.isEmpty() && path != m_dbPath)
            openInstance(path);
    });
    m_reloadButton = new QPushButton(QIcon::fromTheme(QStringLiteral("view-refresh")), QString(), this);
    connect(m_reloadButton, &QPushButton::clicked, this, [this] {
        reloadInstances();
        reload();
    });
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_instancesLabel);
    leftLayout->addWidget(m_instanceView, 1);
    leftLayout->addWidget(m_reloadButton);

    // ---- right: the instance ----
    m_header = new QLabel(this);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    m_tabs = new QTabWidget(this);

    m_tableList = new QListWidget(this);
    connect(m_tableList, &QListWidget::currentTextChanged, this, [this](const QString& table) {
        if (!table.isEmpty() && table != m_currentTable)
            showTable(table);
    });
    m_tableView = makeTable(this, m_tableModel);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_tableView->horizontalHeader()->setDefaultSectionSize(140);
    m_tableFooter = new QLabel(this);
    connect(m_tableModel, &QAbstractItemModel::rowsInserted, this, &StateInspector::updateTableFooter);
    connect(m_tableModel, &QAbstractItemModel::modelReset, this, &StateInspector::updateTableFooter);
    connect(m_tableModel, &LazyTableModel::totalRowsChanged, this, &StateInspector::updateTableFooter);
    connect(m_tableModel, &LazyTableModel::readFailed, this, [this](const QString& why) { m_tableFooter->setText(why); });
    auto* tableSide = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tableSide);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_tableView, 1);
    tableLayout->addWidget(m_tableFooter);
    auto* tablesSplit = new QSplitter(Qt::Horizontal, this);
    tablesSplit->addWidget(m_tableList);
    tablesSplit->addWidget(tableSide);
    tablesSplit->setStretchFactor(1, 1);
    tablesSplit->setSizes({170, 620});
    tablesSplit->setChildrenCollapsible(false);
    m_tabs->addTab(tablesSplit, QString());

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_schemaText = new QPlainTextEdit(this);
    m_schemaText->setReadOnly(true);
    m_schemaText->setFont(mono);
    m_schemaText->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_schemaText, QString());

    m_stateText = new QPlainTextEdit(this);
    m_stateText->setReadOnly(true);
    m_stateText->setFont(mono);
    m_tabs->addTab(m_stateText, QString());

    m_schedulesLabel = new QLabel(this);
    m_scheduleView = makeTable(this, m_schedules);
    m_queueLabel = new QLabel(this);
    m_queueView = makeTable(this, m_queue);
    auto* schedulesPage = new QWidget(this);
    auto* schedulesLayout = new QVBoxLayout(schedulesPage);
    schedulesLayout->addWidget(m_schedulesLabel);
    schedulesLayout->addWidget(m_scheduleView, 3);
    schedulesLayout->addWidget(m_queueLabel);
    schedulesLayout->addWidget(m_queueView, 2);
    m_tabs->addTab(schedulesPage, QString());

    m_traceView = new QTreeView(this);
    m_traceView->setModel(m_traces);
    m_traceView->setAlternatingRowColors(true);
    m_traceView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_traceView->setUniformRowHeights(true);
    m_traceDetail = new QPlainTextEdit(this);
    m_traceDetail->setReadOnly(true);
    m_traceDetail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    connect(m_traceView->selectionModel(), &QItemSelectionModel::currentChanged, this, &StateInspector::showTraceDetail);
    auto* tracesSplit = new QSplitter(Qt::Vertical, this);
    tracesSplit->addWidget(m_traceView);
    tracesSplit->addWidget(m_traceDetail);
    tracesSplit->setStretchFactor(0, 3);
    tracesSplit->setStretchFactor(1, 1);
    tracesSplit->setChildrenCollapsible(false);
    m_tabs->addTab(tracesSplit, QString());

    m_console = new SqlConsole(this);
    connect(m_console, &SqlConsole::databaseWritten, this, &StateInspector::reload);
    m_tabs->addTab(m_console, QString());

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_header);
    rightLayout->addWidget(m_tabs, 1);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({240, 760});
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    retranslate();
}

StateInspector::~StateInspector() = default;

void StateInspector::setProjectRoot(const QString& root)
{
    m_root = root;
    m_dbPath.clear();
    m_openError.clear();
    m_currentTable.clear();
    m_tableModel->clear();
    m_console->setDatabase({});
    reloadInstances();
    // Show the first instance, so the panel is never blank when there is one.
    for (int c = 0; c < m_instances->rowCount() && m_dbPath.isEmpty(); ++c) {
        QStandardItem* cls = m_instances->item(c);
        if (cls->rowCount() > 0) {
            m_instanceView->expand(cls->index());
            m_instanceView->setCurrentIndex(cls->child(0)->index());
        }
    }
    if (m_dbPath.isEmpty())
        reload();
}

void StateInspector::reloadInstances()
{
    const QString current = m_dbPath;
    QStringList expanded;
    for (int c = 0; c < m_instances->rowCount(); ++c)
        if (m_instanceView->isExpanded(m_instances->index(c, 0)))
            expanded << m_instances->item(c)->text();
    {
        const QSignalBlocker blocker(m_instanceView->selectionModel());
        m_instances->clear();
    }
    if (!m_treeWatcher->directories().isEmpty())
        m_treeWatcher->removePaths(m_treeWatcher->directories());
    if (m_root.isEmpty())
        return;
    const QDir state(QDir(m_root).filePath(QStringLiteral("state")));
    // The project folder too, for a state/ folder that does not exist yet.
    QStringList watched{m_root};
    if (state.exists())
        watched << state.absolutePath();
    const QLocale locale;
    const auto classes = state.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo& cls : classes) {
        watched << cls.absoluteFilePath();
        const auto files = QDir(cls.absoluteFilePath()).entryInfoList({QStringLiteral("*.sqlite")}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            continue;
        auto* clsItem = item(cls.fileName());
        clsItem->setData(cls.fileName(), ClassNameRole);
        clsItem->setIcon(style()->standardIcon(QStyle::SP_DirIcon));
        clsItem->setToolTip(tr("%n instance(s)", nullptr, int(files.size())));
        for (const QFileInfo& f : files) {
            auto* inst = item(f.completeBaseName());
            inst->setData(f.absoluteFilePath(), PathRole);
            inst->setData(cls.fileName(), ClassNameRole);
            inst->setData(f.completeBaseName(), InstanceHexRole);
            inst->setIcon(style()->standardIcon(QStyle::SP_FileIcon));
            inst->setToolTip(QStringLiteral("%1\n%2").arg(QDir::toNativeSeparators(f.absoluteFilePath()), locale.formattedDataSize(f.size())));
            clsItem->appendRow(inst);
        }
        m_instances->appendRow(clsItem);
        if (expanded.contains(cls.fileName()) || cls.fileName() == QFileInfo(QFileInfo(current).absolutePath()).fileName())
            m_instanceView->expand(clsItem->index());
    }
    m_treeWatcher->addPaths(watched);
    // Keep the selection on the open instance.
    const QModelIndexList hits = m_instances->match(m_instances->index(0, 0), PathRole, current, 1, Qt::MatchExactly | Qt::MatchRecursive);
    if (!hits.isEmpty()) {
        const QSignalBlocker blocker(m_instanceView->selectionModel());
        m_instanceView->setCurrentIndex(hits.first());
    }
}

bool StateInspector::openInstance(const QString& databasePath)
{
    m_dbPath = QFileInfo(databasePath).absoluteFilePath();
    m_currentTable.clear();
    m_console->setDatabase(m_dbPath);
    const QModelIndexList hits = m_instances->match(m_instances->index(0, 0), PathRole, m_dbPath, 1, Qt::MatchExactly | Qt::MatchRecursive);
    if (!hits.isEmpty() && m_instanceView->currentIndex() != hits.first()) {
        const QSignalBlocker blocker(m_instanceView->selectionModel());
        m_instanceView->setCurrentIndex(hits.first());
    }
    watch();
    reload();
    const QString className = QFileInfo(QFileInfo(m_dbPath).absolutePath()).fileName();
    emit instanceSelected(className, QFileInfo(m_dbPath).completeBaseName(), m_dbPath);
    return m_openError.isEmpty();
}

void StateInspector::watch()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    if (m_dbPath.isEmpty())
        return;
    // The folder too: the -wal file comes and goes (checkpoints, hibernation),
    // and a watched file that is replaced stops being watched.
    QStringList paths{QFileInfo(m_dbPath).absolutePath(), m_dbPath};
    const QString wal = m_dbPath + QStringLiteral("-wal");
    if (QFileInfo::exists(wal))
        paths << wal;
    m_watcher->addPaths(paths);
}

void StateInspector::fileChanged()
{
    if (!m_dbPath.isEmpty())
        m_refreshTimer->start();
}

void StateInspector::reload()
{
    m_refreshTimer->stop();
    m_openError.clear();
    QString error;
    if (!m_dbPath.isEmpty()) {
        auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, &error);
        if (!db)
            m_openError = error;
    }
    loadTables();
    loadSchema();
    loadState();
    loadSchedules();
    loadTraces();
    updateHeader();
    watch();
    emit reloaded();
}

void StateInspector::loadTables()
{
    const QString keep = m_currentTable;
    QStringList tables;
    if (m_openError.isEmpty() && !m_dbPath.isEmpty()) {
        auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, nullptr);
        if (db) {
            // User tables first, then the platform's own (_outpost_*, cf_*).
            const auto rows = db->query(QStringLiteral(
                "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                " ORDER BY name LIKE '\\_outpost\\_%' ESCAPE '\\', name LIKE 'cf\\_%' ESCAPE '\\', name"));
            for (const auto& r : rows.rows)
                tables << r.value(0).toString();
        }
    }
    {
        const QSignalBlocker blocker(m_tableList);
        m_tableList->clear();
        for (const QString& t : tables) {
            auto* it = new QListWidgetItem(t, m_tableList);
            // The platform's own tables (alarms, key-value, agent state) read
            // in grey, below the agent's.
            if (t.startsWith(QLatin1String("_outpost_")) || t.startsWith(QLatin1String("cf_"))) {
                it->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
                it->setToolTip(tr("Kept by the Outpost runtime"));
            }
        }
    }
    if (tables.isEmpty()) {
        m_currentTable.clear();
        m_tableModel->clear();
        return;
    }
    const QString target = tables.contains(keep) ? keep : tables.first();
    if (target == keep && m_tableModel->tableName() == keep) {
        // Same table: re-read what was loaded, keep the scroll position.
        const int scroll = m_tableView->verticalScrollBar()->value();
        m_tableModel->refresh();
        m_tableView->verticalScrollBar()->setValue(scroll);
        const QSignalBlocker blocker(m_tableList);
        m_tableList->setCurrentRow(int(tables.indexOf(target)));
    } else {
        showTable(target);
    }
}

bool StateInspector::showTable(const QString& table)
{
    const QList<QListWidgetItem*> items = m_tableList->findItems(table, Qt::MatchExactly);
    if (items.isEmpty())
        return false;
    m_currentTable = table;
    {
        const QSignalBlocker blocker(m_tableList);
        m_tableList->setCurrentItem(items.first());
    }
    QString error;
    const bool ok = m_tableModel->setTable(m_dbPath, table, &error);
    if (!ok)
        m_tableFooter->setText(error);
    m_tableView->scrollToTop();
    return ok;
}

void StateInspector::updateTableFooter()
{
    if (m_tableModel->tableName().isEmpty()) {
        m_tableFooter->setText(m_dbPath.isEmpty() ? QString() : tr("No tables"));
        return;
    }
    const QLocale locale;
    if (m_tableModel->allLoaded())
        m_tableFooter->setText(tr("%Ln row(s)", nullptr, m_tableModel->loadedRows()));
    else if (m_tableModel->totalRows() < 0)
        m_tableFooter->setText(tr("%1 rows loaded · counting…").arg(locale.toString(m_tableModel->loadedRows())));
    else
        m_tableFooter->setText(tr("%1 of %2 rows loaded · scroll down to load more")
                                   .arg(locale.toString(m_tableModel->loadedRows()), locale.toString(m_tableModel->totalRows())));
}

void StateInspector::loadSchema()
{
    m_schemaText->clear();
    if (m_dbPath.isEmpty() || !m_openError.isEmpty())
        return;
    auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, nullptr);
    if (!db)
        return;
    const auto rows = db->query(QStringLiteral(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL"
        " ORDER BY tbl_name LIKE '\\_outpost\\_%' ESCAPE '\\' OR tbl_name LIKE 'cf\\_%' ESCAPE '\\' OR tbl_name LIKE 'sqlite\\_%' ESCAPE '\\',"
        " CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END, tbl_name, name"));
    QStringList statements;
    for (const auto& r : rows.rows)
        statements << r.value(0).toString() + QLatin1Char(';');
    const auto version = db->query(QStringLiteral("PRAGMA user_version"));
    QString text = QStringLiteral("-- user_version = %1\n\n").arg(version.rows.value(0).value(0).toLongLong());
    m_schemaText->setPlainText(text + statements.join(QStringLiteral("\n\n")));
}

void StateInspector::loadState()
{
    const int scroll = m_stateText->verticalScrollBar()->value();
    if (m_dbPath.isEmpty()) {
        m_stateText->clear();
        return;
    }
    if (!m_openError.isEmpty()) {
        m_stateText->setPlainText(m_openError);
        return;
    }
    auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, nullptr);
    if (!db || !db->hasTable(QStringLiteral("cf_agents_state"))) {
        m_stateText->setPlainText(tr("This instance has no agent state (no cf_agents_state table)."));
        return;
    }
    const auto rows = db->query(QStringLiteral("SELECT state FROM cf_agents_state WHERE id = 'cf_state_row_id'"));
    if (!rows.ok()) {
        m_stateText->setPlainText(rows.error);
        return;
    }
    if (rows.rows.isEmpty() || !rows.rows.first().value(0).isValid()) {
        m_stateText->setPlainText(tr("This instance has not saved any state yet (no row 'cf_state_row_id' in cf_agents_state)."));
        return;
    }
    const QString raw = rows.rows.first().value(0).toString();
    try {
        m_stateText->setPlainText(QString::fromStdString(nlohmann::json::parse(raw.toStdString()).dump(2)));
    } catch (const std::exception&) {
        m_stateText->setPlainText(tr("The saved state is not valid JSON:") + QStringLiteral("\n\n") + raw);
    }
    m_stateText->verticalScrollBar()->setValue(scroll);
}

void StateInspector::loadSchedules()
{
    m_schedules->clear();
    m_queue->clear();
    m_schedules->setHorizontalHeaderLabels({tr("ID"), tr("Kind"), tr("Next fire"), tr("Callback"), tr("Payload"), tr("Attempts"), tr("Status")});
    m_queue->setHorizontalHeaderLabels({tr("#"), tr("ID"), tr("Callback"), tr("Payload"), tr("Next run"), tr("Attempts"), tr("Status")});
    if (m_dbPath.isEmpty() || !m_openError.isEmpty())
        return;
    auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, nullptr);
    if (!db)
        return;
    const auto status = [this](int state, const QString& lastError, int attempts) {
        if (state == 2)
            return tr("Failed: %1").arg(lastError);
        if (attempts > 0)
            return tr("Retrying: %1").arg(lastError);
        return tr("Pending");
    };
    if (db->hasTable(QStringLiteral("_outpost_schedules"))) {
        const auto rows = db->query(QStringLiteral(
            "SELECT id, kind, next_ms, callback, payload, attempts, state, last_error, cron, utc FROM _outpost_schedules ORDER BY next_ms, id"));
        for (const auto& r : rows.rows) {
            const int kind = r.value(1).toInt();
            QString kindText = ScheduleModel::kindName(static_cast<core::alarms::ScheduleKind>(qBound(0, kind, 2)));
            if (kind == 2)
                kindText += QStringLiteral(" (%1%2)").arg(r.value(8).toString(), r.value(9).toInt() ? QStringLiteral(", UTC") : QString());
            m_schedules->appendRow({item(r.value(0).toString()), item(kindText), item(formatTime(r.value(2).toLongLong())),
                                    item(r.value(3).toString()), item(displayValue(r.value(4))), item(r.value(5).toString()),
                                    item(status(r.value(6).toInt(), r.value(7).toString(), r.value(5).toInt()))});
        }
    }
    if (db->hasTable(QStringLiteral("_outpost_queue"))) {
        const auto rows = db->query(QStringLiteral(
            "SELECT seq, id, callback, payload, next_ms, attempts, state, last_error FROM _outpost_queue ORDER BY seq"));
        for (const auto& r : rows.rows)
            m_queue->appendRow({item(r.value(0).toString()), item(r.value(1).toString()), item(r.value(2).toString()),
                                item(displayValue(r.value(3))), item(formatTime(r.value(4).toLongLong())), item(r.value(5).toString()),
                                item(status(r.value(6).toInt(), r.value(7).toString(), r.value(5).toInt()))});
    }
    m_schedulesLabel->setText(tr("Schedules (%1)").arg(m_schedules->rowCount()));
    m_queueLabel->setText(tr("Queued jobs (%1)").arg(m_queue->rowCount()));
    m_scheduleView->resizeColumnsToContents();
    m_queueView->resizeColumnsToContents();
}

void StateInspector::loadTraces()
{
    // Keep the selection across a live refresh: the same run and step.
    QString keepRun, keepStep;
    if (const QModelIndex cur = m_traceView->currentIndex(); cur.isValid()) {
        const QModelIndex first = cur.siblingAtColumn(0);
        keepRun = (first.parent().isValid() ? first.parent() : first).data(Qt::UserRole).toString();
        keepStep = first.parent().isValid() ? first.data(Qt::UserRole).toString() : QString();
    }
    m_traces->clear();
    m_traces->setHorizontalHeaderLabels({tr("Run / node"), tr("Type"), tr("Started"), tr("Time (ms)"), tr("Tokens"), tr("Error")});
    m_traceDetail->clear();
    if (m_dbPath.isEmpty() || !m_openError.isEmpty())
        return;
    auto db = InspectDatabase::open(m_dbPath, InspectDatabase::Mode::ReadOnly, nullptr);
    if (!db || !db->hasTable(QStringLiteral("outpost_trace")))
        return;
    const auto runs = db->query(QStringLiteral("SELECT run_id, MIN(started_at), MAX(ended_at), COUNT(*), SUM(tokens),"
                                               " SUM(error IS NOT NULL AND error != '') FROM outpost_trace"
                                               " GROUP BY run_id ORDER BY MIN(started_at) DESC LIMIT ?"),
                                {kMaxTraceRuns});
    // Every node of those runs in one query (this reloads on each commit).
    const auto steps = db->query(QStringLiteral("SELECT run_id, step, node_id, node_type, started_at, ended_at, tokens, error, inputs,"
                                                " outputs FROM outpost_trace WHERE run_id IN (SELECT run_id FROM outpost_trace"
                                                " GROUP BY run_id ORDER BY MIN(started_at) DESC LIMIT ?) ORDER BY run_id, step"),
                                 {kMaxTraceRuns});
    QHash<QString, QStandardItem*> runItems;
    for (const auto& run : runs.rows) {
        const QString runId = run.value(0).toString();
        const qint64 started = run.value(1).toLongLong();
        const int errors = run.value(5).toInt();
        QList<QStandardItem*> top = {item(runId), item(tr("%n node(s)", nullptr, run.value(3).toInt())), item(formatTime(started)),
                                     item(QString::number(run.value(2).toLongLong() - started)), item(run.value(4).toString()),
                                     item(errors ? tr("%n error(s)", nullptr, errors) : QString())};
        top[0]->setData(runId, Qt::UserRole);
        runItems.insert(runId, top[0]);
        m_traces->appendRow(top);
    }
    QFont bold = font();
    bold.setBold(true);
    for (const auto& st : steps.rows) {
        QStandardItem* run = runItems.value(st.value(0).toString());
        if (!run)
            continue;
        QList<QStandardItem*> row = {item(st.value(2).toString()), item(st.value(3).toString()),
                                     item(formatTime(st.value(4).toLongLong())),
                                     item(QString::number(st.value(5).toLongLong() - st.value(4).toLongLong())),
                                     item(st.value(6).toLongLong() ? st.value(6).toString() : QString()), item(st.value(7).toString())};
        row[0]->setData(st.value(1).toString(), Qt::UserRole);
        row[0]->setData(st.value(8).toString(), Qt::UserRole + 1); // inputs
        row[0]->setData(st.value(9).toString(), Qt::UserRole + 2); // outputs
        if (!st.value(7).toString().isEmpty()) {
            row[0]->setFont(bold);
            row[5]->setFont(bold);
        }
        run->appendRow(row);
    }
    QModelIndex select;
    if (QStandardItem* run = runItems.value(keepRun)) {
        select = run->index();
        for (int i = 0; i < run->rowCount(); ++i)
            if (run->child(i)->data(Qt::UserRole).toString() == keepStep)
                select = run->child(i)->index();
    }
    for (int c = 1; c < m_traces->columnCount(); ++c)
        m_traceView->resizeColumnToContents(c);
    m_traceView->setColumnWidth(0, std::max(m_traceView->columnWidth(0), 220));
    if (select.isValid()) {
        m_traceView->expand(select.parent().isValid() ? select.parent() : select);
        m_traceView->setCurrentIndex(select);
    } else if (m_traces->rowCount() > 0) {
        m_traceView->expand(m_traces->index(0, 0)); // the newest run
    }
}

void StateInspector::showTraceDetail()
{
    const QModelIndex cur = m_traceView->currentIndex().siblingAtColumn(0);
    if (!cur.isValid() || !cur.parent().isValid()) {
        m_traceDetail->setPlainText(cur.isValid() ? tr("Select a node of the run to see its inputs and outputs.") : QString());
        return;
    }
    auto pretty = [](const QString& raw) {
        if (raw.isEmpty())
            return QString();
        try {
            return QString::fromStdString(nlohmann::json::parse(raw.toStdString()).dump(2));
        } catch (const std::exception&) {
            return raw;
        }
    };
    m_traceDetail->setPlainText(tr("Inputs") + QStringLiteral("\n") + pretty(cur.data(Qt::UserRole + 1).toString())
                                + QStringLiteral("\n\n") + tr("Outputs") + QStringLiteral("\n")
                                + pretty(cur.data(Qt::UserRole + 2).toString()));
}

void StateInspector::updateHeader()
{
    if (m_dbPath.isEmpty()) {
        m_header->setText(m_root.isEmpty() ? tr("No project open") : tr("No instance selected"));
        return;
    }
    if (!m_openError.isEmpty()) {
        m_header->setText(QStringLiteral("<b>%1</b>").arg(m_openError.toHtmlEscaped()));
        return;
    }
    const QFileInfo fi(m_dbPath);
    const QString className = QFileInfo(fi.absolutePath()).fileName();
    m_header->setText(tr("<b>%1</b> / %2 · %3 · updated %4")
                          .arg(className.toHtmlEscaped(), fi.completeBaseName().toHtmlEscaped(),
                               QLocale().formattedDataSize(fi.size()),
                               QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))));
}

void StateInspector::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void StateInspector::retranslate()
{
    m_instancesLabel->setText(tr("Instances"));
    m_reloadButton->setText(tr("Re&fresh"));
    m_tabs->setTabText(TablesTab, tr("Tables"));
    m_tabs->setTabText(SchemaTab, tr("Schema"));
    m_tabs->setTabText(StateTab, tr("State"));
    m_tabs->setTabText(SchedulesTab, tr("Schedules"));
    m_tabs->setTabText(TracesTab, tr("Traces"));
    m_tabs->setTabText(ConsoleTab, tr("SQL Console"));
    m_schedulesLabel->setText(tr("Schedules (%1)").arg(m_schedules->rowCount()));
    m_queueLabel->setText(tr("Queued jobs (%1)").arg(m_queue->rowCount()));
    updateHeader();
    updateTableFooter();
    if (!m_dbPath.isEmpty())
        reload();
}

} // namespace outpost::ui
