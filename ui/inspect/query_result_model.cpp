#include "ui/inspect/query_result_model.h"

#include "ui/inspect/inspect_database.h"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace outpost::ui {

QueryResultModel::QueryResultModel(QObject* parent) : QAbstractTableModel(parent) {}

void QueryResultModel::setResult(const QueryResult& result)
{
    beginResetModel();
    m_columns = result.columns;
    m_rows = result.rows;
    endResetModel();
}

void QueryResultModel::clear()
{
    beginResetModel();
    m_columns.clear();
    m_rows.clear();
    endResetModel();
}

int QueryResultModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueryResultModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant QueryResultModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QVariant v = m_rows[index.row()].value(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(v);
    case Qt::EditRole:
        return v;
    case Qt::ForegroundRole:
        return v.isValid() ? QVariant() : QBrush(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
    case Qt::TextAlignmentRole:
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Double)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant QueryResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::DisplayRole && orientation == Qt::Horizontal)
        return m_columns.value(section);
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace outpost::ui
