#pragma once
// A SQLite connection for the studio's inspectors, separate from the
// runtime's own: read-only unless asked otherwise, with a busy timeout so a
// commit in progress delays a read instead of failing it. Actor databases
// are in WAL mode, so these readers never block the runtime's writer (and
// the runtime never blocks them); statements are reset after each use so no
// read transaction stays open between pages.
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace outpost::ui {

class InspectDatabase {
public:
    enum class Mode { ReadOnly, ReadWrite };

    // Opens an existing database file (never creates one). Errors in
    // *error: the file is missing, not a database, or cannot be opened.
    static std::unique_ptr<InspectDatabase> open(const QString& path, Mode mode, QString* error);
    ~InspectDatabase();
    InspectDatabase(const InspectDatabase&) = delete;
    InspectDatabase& operator=(const InspectDatabase&) = delete;

    sqlite3* handle() const { return m_db; }
    const QString& path() const { return m_path; }
    Mode mode() const { return m_mode; }

    struct Rows {
        QStringList columns;
        QList<QVariantList> rows;
        QString error; // empty on success
        bool ok() const { return error.isEmpty(); }
    };
    // Runs one statement with positional parameters and returns every row.
    // For small queries only (schema, state, schedules).
    Rows query(const QString& sql, const QVariantList& params = {}) const;

    // True when the database has a table (or view) of this name.
    bool hasTable(const QString& name) const;

    // The SQLite value at column `i` of a stepped statement, as a QVariant:
    // NULL -> invalid QVariant, INTEGER -> qint64, REAL -> double,
    // TEXT -> QString, BLOB -> QByteArray.
    static QVariant columnValue(sqlite3_stmt* stmt, int i);
    // Binds QVariants as above (QByteArray as a blob).
    static int bind(sqlite3_stmt* stmt, int i, const QVariant& value);
    // "'name'" quoted as an SQL identifier ("a""b").
    static QString quoteIdentifier(const QString& name);

private:
    InspectDatabase() = default;
    sqlite3* m_db = nullptr;
    QString m_path;
    Mode m_mode = Mode::ReadOnly;
};

// How a value reads in a table cell: NULL, numbers, text on one line
// (shortened), blobs by size.
QString displayValue(const QVariant& value, int maxChars = 200);

} // namespace outpost::ui
