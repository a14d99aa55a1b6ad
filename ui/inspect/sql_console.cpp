#include "ui/inspect/sql_console.h"

#include "ui/inspect/inspect_database.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include <sqlite3.h>

namespace outpost::ui {

// ---- worker -----------------------------------------------------------------

void SqlQueryWorker::interrupt()
{
    m_stop.store(true);
    std::lock_guard lock(m_mutex);
    if (m_db)
        sqlite3_interrupt(m_db);
}

void SqlQueryWorker::run(const QString& path, const QString& sql, bool writeMode)
{
    QueryResult result;
    QElapsedTimer timer;
    timer.start();
    sqlite3* db = nullptr;
    const int flags = (writeMode ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
    if (!QFile::exists(path)) {
        result.error = tr("%1: no such database file").arg(path);
    } else if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, flags, nullptr) != SQLITE_OK) {
        result.error = QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory");
    }
    if (db) {
        sqlite3_busy_timeout(db, 5000);
        // sqlite3_interrupt() only reaches statements already running; the
        // progress handler also catches a stop() that came before the
        // connection or the statement existed.
        sqlite3_progress_handler(
            db, 1000, [](void* flag) { return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0; }, &m_stop);
        std::lock_guard lock(m_mutex);
        m_db = db;
    }

    const QByteArray text = sql.toUtf8();
    const char* tail = text.constData();
    const char* end = text.constData() + text.size();
    while (result.ok() && tail < end) {
        sqlite3_stmt* stmt = nullptr;
        const char* next = nullptr;
        if (sqlite3_prepare_v2(db, tail, int(end - tail), &stmt, &next) != SQLITE_OK) {
            result.error = QString::fromUtf8(sqlite3_errmsg(db));
            result.interrupted = sqlite3_errcode(db) == SQLITE_INTERRUPT;
            break;
        }
        tail = next;
        if (!stmt)
            continue; // whitespace or a comment
        if (!writeMode && !sqlite3_stmt_readonly(stmt)) {
            result.error = tr("Read-only mode: this statement would change the database. Switch on write mode to run it.");
            sqlite3_finalize(stmt);
            break;
        }
        ++result.statements;
        const int columns = sqlite3_column_count(stmt);
        if (columns > 0) {
            // The last statement that returns rows is the one shown.
            result.columns.clear();
            result.rows.clear();
            result.truncated = false;
            for (int c = 0; c < columns; ++c)
                result.columns << QString::fromUtf8(sqlite3_column_name(stmt, c));
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (result.rows.size() >= kMaxRows) {
                result.truncated = true;
                continue; // keep stepping so the statement completes (and counts)
            }
            QVariantList row;
            row.reserve(columns);
            for (int c = 0; c < columns; ++c)
                row << InspectDatabase::columnValue(stmt, c);
            result.rows << row;
        }
        if (rc != SQLITE_DONE) {
            result.error = QString::fromUtf8(sqlite3_errmsg(db));
            result.interrupted = rc == SQLITE_INTERRUPT || sqlite3_extended_errcode(db) == SQLITE_INTERRUPT;
        } else if (!sqlite3_stmt_readonly(stmt)) {
            result.changes += sqlite3_changes64(db);
        }
        sqlite3_finalize(stmt);
    }
    if (db) {
        std::lock_guard lock(m_mutex);
        m_db = nullptr;
    }
    if (db)
        sqlite3_close_v2(db);
    if (result.interrupted)
        result.error = tr("Query stopped.");
    result.elapsedMs = timer.elapsed();
    emit finished(result);
}

// ---- console ----------------------------------------------------------------

SqlConsole::SqlConsole(QWidget* parent)
    : QWidget(parent), m_thread(new QThread(this)), m_worker(new SqlQueryWorker), m_model(new QueryResultModel(this))
{
    qRegisterMetaType<outpost::ui::QueryResult>();
    setObjectName(QStringLiteral("SqlConsole"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &SqlConsole::runRequested, m_worker, &SqlQueryWorker::run);
    connect(m_worker, &SqlQueryWorker::finished, this, &SqlConsole::finished);
    m_thread->setObjectName(QStringLiteral("SqlConsole"));
    m_thread->start();

    m_editor = new QPlainTextEdit(this);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTabChangesFocus(true);
    m_runButton = new QPushButton(QIcon::fromTheme(QStringLiteral("media-playback-start")), QString(), this);
    m_stopButton = new QPushButton(QIcon::fromTheme(QStringLiteral("process-stop")), QString(), this);
    m_writeCheck = new QCheckBox(this);
    m_modeLabel = new QLabel(this);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_runButton, &QPushButton::clicked, this, [this] { run(); });
    connect(m_stopButton, &QPushButton::clicked, this, &SqlConsole::stop);
    connect(m_writeCheck, &QCheckBox::clicked, this, &SqlConsole::requestWriteMode);
    auto* runShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_editor);
    runShortcut->setContext(Qt::WidgetShortcut);
    connect(runShortcut, &QShortcut::activated, this, [this] { run(); });

    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_runButton);
    bar->addWidget(m_stopButton);
    bar->addSpacing(12);
    bar->addWidget(m_writeCheck);
    bar->addWidget(m_modeLabel);
    bar->addStretch(1);

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_editor, 1);
    topLayout->addLayout(bar);
    topLayout->addWidget(m_message);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(m_view);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    retranslate();
    updateState();
}

SqlConsole::~SqlConsole()
{
    m_worker->interrupt();
    m_thread->quit();
    m_thread->wait();
}

void SqlConsole::setDatabase(const QString& path)
{
    if (path == m_path)
        return;
    m_path = path;
    setWriteMode(false);
    m_model->clear();
    m_last = {};
    m_message->clear();
    updateState();
}

void SqlConsole::setWriteMode(bool on)
{
    const bool changed = on != m_writeMode;
    m_writeMode = on;
    m_writeCheck->setChecked(on);
    updateState();
    if (changed)
        emit writeModeChanged(on);
}

void SqlConsole::requestWriteMode(bool on)
{
    if (!on) {
        setWriteMode(false);
        return;
    }
    // Stay read-only until the user says yes.
    m_writeCheck->setChecked(m_writeMode);
    if (m_writeMode)
        return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Switch on write mode?"),
                                tr("Statements run in the console will change this instance's database."),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setInformativeText(tr("The agent may be running and may overwrite or depend on what you change. "
                               "Changes cannot be undone."));
    box->button(QMessageBox::Yes)->setText(tr("Allow Writes"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            setWriteMode(true);
    });
    box->open();
}

void SqlConsole::run(const QString& sql)
{
    if (m_running || m_path.isEmpty())
        return;
    const QString text = sql.isEmpty() ? m_editor->toPlainText() : sql;
    if (text.trimmed().isEmpty())
        return;
    m_running = true;
    m_message->setStyleSheet(QString());
    m_message->setText(tr("Running…"));
    updateState();
    m_worker->resetInterrupt();
    emit runRequested(m_path, text, m_writeMode);
}

void SqlConsole::stop()
{
    if (m_running)
        m_worker->interrupt();
}

QString SqlConsole::message() const
{
    return m_message->text();
}

void SqlConsole::finished(const QueryResult& result)
{
    m_running = false;
    m_last = result;
    const QLocale locale;
    if (!result.ok()) {
        m_message->setStyleSheet(QStringLiteral("color: #c0392b;"));
        m_message->setText(result.error);
    } else {
        m_model->setResult(result);
        QString text = result.columns.isEmpty()
            ? tr("%n row(s) changed", nullptr, int(result.changes))
            : (result.truncated ? tr("First %n row(s) shown", nullptr, int(result.rows.size()))
                                : tr("%n row(s)", nullptr, int(result.rows.size())));
        text += QStringLiteral(" · ") + tr("%1 ms").arg(locale.toString(result.elapsedMs));
        m_message->setStyleSheet(QString());
        m_message->setText(text);
        m_view->resizeColumnsToContents();
        // Re-applies the stretch, which resizing to contents cancels.
        m_view->horizontalHeader()->setStretchLastSection(false);
        m_view->horizontalHeader()->setStretchLastSection(true);
        if (m_writeMode && result.changes > 0)
            emit databaseWritten();
    }
    updateState();
    emit queryFinished(result);
}

void SqlConsole::updateState()
{
    const bool enabled = !m_path.isEmpty();
    m_runButton->setEnabled(enabled && !m_running);
    m_stopButton->setEnabled(m_running);
    m_writeCheck->setEnabled(enabled && !m_running);
    m_editor->setEnabled(enabled);
    m_modeLabel->setText(m_writeMode ? tr("Writes allowed") : tr("Read-only"));
    m_modeLabel->setStyleSheet(m_writeMode ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
}

void SqlConsole::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SqlConsole::retranslate()
{
    m_editor->setPlaceholderText(tr("SELECT * FROM sqlite_schema;  (Ctrl+Enter runs)"));
    m_runButton->setText(tr("&Run"));
    m_stopButton->setText(tr("&Stop"));
    m_stopButton->setToolTip(tr("Interrupt the running query"));
    m_writeCheck->setText(tr("Allow writes"));
    updateState();
}

} // namespace outpost::ui
