#include "ui/inspect/lazy_table_model.h"

#include <QBrush>
#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>
#include <QScopedValueRollback>
#include <QFont>
#include <QPalette>
#include <QGuiApplication>

#include <sqlite3.h>

namespace outpost::ui {

// One background count. The worker touches only the flag and the strings;
// `model` is set and read on the model's (GUI) thread only.
struct LazyTableModel::CountJob {
    std::atomic<bool> cancel{false};
    QPointer<LazyTableModel> model;
};

LazyTableModel::LazyTableModel(QObject* parent) : QAbstractTableModel(parent) {}

LazyTableModel::~LazyTableModel()
{
    stopCount();
    finalize();
}

void LazyTableModel::stopCount()
{
    if (m_count)
        m_count->cancel.store(true);
    m_count.reset();
}

void LazyTableModel::startCount()
{
    stopCount();
    if (m_atEnd) {
        // Every row is loaded already: that is the count.
        m_total = m_rows.size();
        emit totalRowsChanged(m_total);
        return;
    }
    auto job = std::make_shared<CountJob>();
    job->model = this;
    m_count = job;
    const QString path = m_path;
    const QString sql = QStringLiteral("SELECT count(*) FROM %1").arg(InspectDatabase::quoteIdentifier(m_table));
    QThreadPool::globalInstance()->start([job, path, sql] {
        qint64 n = -1;
        if (auto db = InspectDatabase::open(path, InspectDatabase::Mode::ReadOnly, nullptr)) {
            sqlite3_progress_handler(
                db->handle(), 10000, [](void* flag) { return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0; }, &job->cancel);
            const auto r = db->query(sql);
            if (r.ok())
                n = r.rows.value(0).value(0).toLongLong();
        }
        if (job->cancel.load() || n < 0)
            return;
        QMetaObject::invokeMethod(QCoreApplication::instance(), [job, n] {
            LazyTableModel* model = job->model.data();
            if (job->cancel.load() || !model || model->m_count != job)
                return;
            model->m_count.reset();
            model->m_total = n;
            emit model->totalRowsChanged(n);
        }, Qt::QueuedConnection);
    });
}

void LazyTableModel::finalize()
{
    if (m_page)
        sqlite3_finalize(m_page);
    m_page = nullptr;
}

void LazyTableModel::clear()
{
    const QScopedValueRollback guard(m_notifying, true);
    beginResetModel();
    stopCount();
    finalize();
    m_db.reset();
    m_path.clear();
    m_table.clear();
    m_rowidAlias.clear();
    m_columns.clear();
    m_rows.clear();
    m_total = 0;
    m_atEnd = true;
    m_pagesFetched = 0;
    endResetModel();
}

void LazyTableModel::setPageSize(int rows)
{
    m_pageSize = qMax(1, rows);
}

bool LazyTableModel::setTable(const QString& dbPath, const QString& table, QString* error)
{
    clear();
    const QScopedValueRollback guard(m_notifying, true);
    beginResetModel();
    m_path = dbPath;
    m_table = table;
    m_total = -1;
    QString why;
    const bool ok = openTable(&why);
    if (!ok) {
        finalize();
        m_db.reset();
        m_columns.clear();
        m_rows.clear();
        m_atEnd = true;
    }
    endResetModel();
    if (error)
        *error = why;
    return ok;
}

bool LazyTableModel::openTable(QString* error)
{
    m_db = InspectDatabase::open(m_path, InspectDatabase::Mode::ReadOnly, error);
    if (!m_db)
        return false;
    const QString quoted = InspectDatabase::quoteIdentifier(m_table);
    const auto head = m_db->query(QStringLiteral("SELECT * FROM %1 LIMIT 0").arg(quoted));
    if (!head.ok()) {
        *error = head.error;
        return false;
    }
    m_columns = head.columns;
    // A column may shadow the rowid's name; use an alias it does not take.
    m_rowidAlias.clear();
    for (const char* alias : {"rowid", "_rowid_", "oid"}) {
        const QString a = QLatin1String(alias);
        if (m_columns.contains(a, Qt::CaseInsensitive))
            continue;
        if (m_db->query(QStringLiteral("SELECT %1 FROM %2 LIMIT 0").arg(a, quoted)).ok())
            m_rowidAlias = a;
        break;
    }
    const QString sql = m_rowidAlias.isEmpty()
        ? QStringLiteral("SELECT 0, * FROM %1 LIMIT ?2 OFFSET ?1").arg(quoted)
        : QStringLiteral("SELECT %1, * FROM %2 WHERE %1 > ?1 ORDER BY %1 LIMIT ?2").arg(m_rowidAlias, quoted);
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v3(m_db->handle(), text.constData(), int(text.size()), SQLITE_PREPARE_PERSISTENT, &m_page, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_db->handle()));
        return false;
    }
    m_atEnd = false;
    QList<Row> first;
    if (!readPage(m_pageSize, first, error))
        return false;
    m_rows = std::move(first);
    m_pagesFetched = 1;
    startCount();
    return true;
}

bool LazyTableModel::readPage(int count, QList<Row>& out, QString* error)
{
    if (!m_page)
        return false;
    const qint64 after = m_rowidAlias.isEmpty() ? qint64(m_rows.size())
                                                : (m_rows.isEmpty() ? std::numeric_limits<qint64>::min() : m_rows.back().rowid);
    sqlite3_bind_int64(m_page, 1, after);
    sqlite3_bind_int64(m_page, 2, count);
    const int columns = sqlite3_column_count(m_page);
    qint64 number = qint64(m_rows.size());
    int rc;
    int got = 0;
    while ((rc = sqlite3_step(m_page)) == SQLITE_ROW) {
        Row row;
        row.rowid = m_rowidAlias.isEmpty() ? ++number : sqlite3_column_int64(m_page, 0);
        row.values.reserve(columns - 1);
        for (int c = 1; c < columns; ++c)
            row.values << InspectDatabase::columnValue(m_page, c);
        out << std::move(row);
        ++got;
    }
    // Reset at once: a statement left mid-step would hold a read
    // transaction open and pin the WAL.
    const QString message = rc == SQLITE_DONE ? QString() : QString::fromUtf8(sqlite3_errmsg(m_db->handle()));
    sqlite3_reset(m_page);
    if (!message.isEmpty()) {
        if (error)
            *error = message;
        return false;
    }
    if (got < count)
        m_atEnd = true;
    return true;
}

void LazyTableModel::refresh()
{
    if (m_table.isEmpty())
        return;
    const int wanted = qMax(int(m_rows.size()), m_pageSize);
    const QScopedValueRollback guard(m_notifying, true);
    beginResetModel();
    finalize();
    m_rows.clear();
    QString why;
    bool ok = openTable(&why);
    while (ok && !m_atEnd && m_rows.size() < wanted) {
        QList<Row> more;
        ok = readPage(qMin(m_pageSize, int(wanted - m_rows.size())), more, &why);
        m_rows += more;
        if (ok)
            ++m_pagesFetched;
    }
    if (!ok) {
        finalize();
        m_db.reset();
        m_rows.clear();
        m_columns.clear();
        m_atEnd = true;
    }
    endResetModel();
    if (!ok)
        emit readFailed(why);
}

int LazyTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LazyTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

bool LazyTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_page && !m_atEnd && !m_notifying;
}

void LazyTableModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const QScopedValueRollback guard(m_notifying, true);
    QList<Row> more;
    QString why;
    if (!readPage(m_pageSize, more, &why)) {
        m_atEnd = true;
        emit readFailed(why);
        return;
    }
    ++m_pagesFetched;
    if (more.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(more.size()) - 1);
    m_rows += more;
    endInsertRows();
}

QVariant LazyTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
        return {};
    const Row& row = m_rows[index.row()];
    const QVariant& v = row.values.value(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(v);
    case Qt::ToolTipRole:
        return v.typeId() == QMetaType::QString && v.toString().size() > 80 ? displayValue(v, 4000) : QVariant();
    case Qt::ForegroundRole:
        if (!v.isValid())
            return QBrush(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
        return {};
    case Qt::FontRole:
        if (!v.isValid()) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Double)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RawValueRole:
        return v;
    case RowIdRole:
        return row.rowid;
    default:
        return {};
    }
}

QVariant LazyTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (orientation == Qt::Horizontal)
        return m_columns.value(section);
    if (section >= 0 && section < m_rows.size())
        return m_rows[section].rowid;
    return {};
}

} // namespace outpost::ui
