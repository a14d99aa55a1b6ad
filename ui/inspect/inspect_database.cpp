#include "ui/inspect/inspect_database.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <sqlite3.h>

namespace outpost::ui {

std::unique_ptr<InspectDatabase> InspectDatabase::open(const QString& path, Mode mode, QString* error)
{
    if (!QFileInfo(path).isFile()) {
        if (error)
            *error = QCoreApplication::translate("outpost::ui::InspectDatabase", "%1: no such database file").arg(path);
        return nullptr;
    }
    std::unique_ptr<InspectDatabase> db(new InspectDatabase);
    db->m_path = path;
    db->m_mode = mode;
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db->m_db, flags, nullptr);
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return nullptr;
    };
    if (rc != SQLITE_OK)
        return fail(QString::fromUtf8(db->m_db ? sqlite3_errmsg(db->m_db) : sqlite3_errstr(rc)));
    sqlite3_busy_timeout(db->m_db, 2000);
    sqlite3_extended_result_codes(db->m_db, 1);
    // Reading the schema is the first real access: a file that is not a
    // database fails here rather than on the first page.
    Rows probe = db->query(QStringLiteral("SELECT count(*) FROM sqlite_schema"));
    if (!probe.ok())
        return fail(probe.error);
    return db;
}

InspectDatabase::~InspectDatabase()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

QVariant InspectDatabase::columnValue(sqlite3_stmt* stmt, int i)
{
    switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
        return QVariant::fromValue<qint64>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT:
        return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)), sqlite3_column_bytes(stmt, i));
    case SQLITE_BLOB: {
        const void* p = sqlite3_column_blob(stmt, i);
        return QByteArray(static_cast<const char*>(p), sqlite3_column_bytes(stmt, i));
    }
    default:
        return {};
    }
}

int InspectDatabase::bind(sqlite3_stmt* stmt, int i, const QVariant& value)
{
    if (!value.isValid() || value.isNull())
        return sqlite3_bind_null(stmt, i);
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Bool:
        return sqlite3_bind_int64(stmt, i, value.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return sqlite3_bind_double(stmt, i, value.toDouble());
    case QMetaType::QByteArray: {
        const QByteArray b = value.toByteArray();
        return sqlite3_bind_blob64(stmt, i, b.constData(), sqlite3_uint64(b.size()), SQLITE_TRANSIENT);
    }
    default: {
        const QByteArray t = value.toString().toUtf8();
        return sqlite3_bind_text64(stmt, i, t.constData(), sqlite3_uint64(t.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    }
}

QString InspectDatabase::quoteIdentifier(const QString& name)
{
    QString q = name;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

InspectDatabase::Rows InspectDatabase::query(const QString& sql, const QVariantList& params) const
{
    Rows out;
    sqlite3_stmt* stmt = nullptr;
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v2(m_db, text.constData(), int(text.size()), &stmt, nullptr) != SQLITE_OK) {
        out.error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return out;
    }
    for (int i = 0; i < params.size(); ++i)
        bind(stmt, i + 1, params[i]);
    const int columns = sqlite3_column_count(stmt);
    for (int c = 0; c < columns; ++c)
        out.columns << QString::fromUtf8(sqlite3_column_name(stmt, c));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        QVariantList row;
        row.reserve(columns);
        for (int c = 0; c < columns; ++c)
            row << columnValue(stmt, c);
        out.rows << row;
    }
    if (rc != SQLITE_DONE)
        out.error = QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_finalize(stmt);
    return out;
}

bool InspectDatabase::hasTable(const QString& name) const
{
    const Rows r = query(QStringLiteral("SELECT 1 FROM sqlite_schema WHERE type IN ('table','view') AND name = ?"), {name});
    return r.ok() && !r.rows.isEmpty();
}

QString displayValue(const QVariant& value, int maxChars)
{
    if (!value.isValid() || value.isNull())
        return QStringLiteral("NULL");
    if (value.typeId() == QMetaType::QByteArray)
        return QCoreApplication::translate("outpost::ui::InspectDatabase", "<blob, %1>")
            .arg(QLocale().formattedDataSize(value.toByteArray().size()));
    if (value.typeId() == QMetaType::Double)
        return QString::number(value.toDouble(), 'g', 17);
    QString text = value.toString();
    if (text.size() > maxChars)
        text = text.left(maxChars) + QChar(0x2026);
    text.replace(QLatin1Char('\n'), QChar(0x21B5));
    return text;
}

} // namespace outpost::ui
