#pragma once
// The rows one console query returned (at most a cap; the console says when
// rows were left out).
#include <QAbstractTableModel>
#include <QStringList>
#include <QVariant>

namespace outpost::ui {

struct QueryResult {
    QStringList columns;
    QList<QVariantList> rows;
    bool truncated = false;     // more rows existed than were kept
    qint64 changes = 0;         // rows written by the statements
    int statements = 0;         // statements run
    qint64 elapsedMs = 0;
    QString error;              // empty on success
    bool interrupted = false;   // stopped by SqlConsole::stop()
    bool ok() const { return error.isEmpty(); }
};

class QueryResultModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit QueryResultModel(QObject* parent = nullptr);
    void setResult(const QueryResult& result);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QStringList m_columns;
    QList<QVariantList> m_rows;
};

} // namespace outpost::ui

Q_DECLARE_METATYPE(outpost::ui::QueryResult)
