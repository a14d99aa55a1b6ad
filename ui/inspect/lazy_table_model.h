#pragma once
// One table (or view) of a SQLite database, read page by page as a view
// scrolls (canFetchMore/fetchMore), so a table of millions of rows opens at
// once and only the rows scrolled through are ever read.
//
// Paging: tables with a rowid are read by rowid ranges ("WHERE rowid > last
// ORDER BY rowid LIMIT page"), which costs the same on the millionth row as
// on the first; WITHOUT ROWID tables and views fall back to LIMIT/OFFSET.
// No read transaction stays open between pages, so the runtime keeps
// committing while the table is shown; refresh() re-reads what was loaded.
//
// The row count costs a walk over the whole table (tens of ms per million
// rows, far more for big rows), so it runs on the global thread pool with a
// connection of its own: totalRows() is -1 until totalRowsChanged() reports
// it (at once when the first page already holds every row). Switching
// tables or destroying the model stops a count in progress.
#include "ui/inspect/inspect_database.h"

#include <QAbstractTableModel>

#include <atomic>
#include <memory>

struct sqlite3_stmt;

namespace outpost::ui {

class LazyTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Role {
        RawValueRole = Qt::UserRole + 1, // the SQLite value (see InspectDatabase::columnValue)
        RowIdRole,                       // qint64 rowid, or the row number for tables without one
    };

    explicit LazyTableModel(QObject* parent = nullptr);
    ~LazyTableModel() override;

    // Shows `table` of the database at `dbPath` (read-only connection of its
    // own) and reads the first page. On failure the model is empty and
    // `error` says why (missing file, not a database, no such table).
    bool setTable(const QString& dbPath, const QString& table, QString* error = nullptr);
    void clear();
    QString tableName() const { return m_table; }

    // Rows per fetchMore(); at least 1. Default 256.
    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    // Rows in the table when it was opened or last refreshed; -1 while the
    // first count runs (a refresh keeps the previous count until the new one).
    qint64 totalRows() const { return m_total; }
    int loadedRows() const { return int(m_rows.size()); }
    // Every row of the table is loaded.
    bool allLoaded() const { return m_atEnd; }
    int pagesFetched() const { return m_pagesFetched; }
    bool usesRowid() const { return !m_rowidAlias.isEmpty(); }

    // Re-counts the table and re-reads as many rows as were loaded (fewer if
    // rows were deleted). Keeps the table; errors leave the model empty.
    void refresh();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

signals:
    // A page could not be read (the file went away, the table was dropped).
    void readFailed(const QString& message);
    // The background count finished (also when it gives the same number).
    void totalRowsChanged(qint64 rows);

private:
    struct Row {
        qint64 rowid;
        QVariantList values;
    };
    bool openTable(QString* error);
    // Reads up to `count` rows after the loaded ones into `out`.
    bool readPage(int count, QList<Row>& out, QString* error);
    void finalize();
    void startCount();
    void stopCount();
    struct CountJob;

    std::unique_ptr<InspectDatabase> m_db;
    QString m_path;
    QString m_table;
    QString m_rowidAlias; // "rowid", "_rowid_" or "oid"; empty: offset paging
    QStringList m_columns;
    QList<Row> m_rows;
    qint64 m_total = 0;
    bool m_atEnd = true;
    int m_pageSize = 256;
    int m_pagesFetched = 0;
    sqlite3_stmt* m_page = nullptr;
    // Set while the model changes (its notifications included): a listener
    // that calls fetchMore() from inside them (QAbstractItemModelTester
    // does) would otherwise nest one change inside another.
    bool m_notifying = false;
    std::shared_ptr<CountJob> m_count;
};

} // namespace outpost::ui
