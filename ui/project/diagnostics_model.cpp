#include "ui/project/diagnostics_model.h"

#include <QApplication>
#include <QStyle>

namespace outpost::ui {

DiagnosticsModel::DiagnosticsModel(QObject* parent) : QAbstractTableModel(parent) {}

void DiagnosticsModel::setDiagnostics(core::Diagnostics diagnostics)
{
    beginResetModel();
    m_diagnostics = std::move(diagnostics);
    endResetModel();
}

int DiagnosticsModel::errorCount() const
{
    int n = 0;
    for (const auto& d : m_diagnostics)
        n += d.severity == core::Diagnostic::Severity::Error ? 1 : 0;
    return n;
}

int DiagnosticsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_diagnostics.size());
}

int DiagnosticsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiagnosticsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_diagnostics.size())
        return {};
    const auto& d = m_diagnostics[index.row()];
    const bool isError = d.severity == core::Diagnostic::Severity::Error;
    if (role == Qt::DecorationRole && index.column() == SeverityColumn)
        return QApplication::style()->standardIcon(isError ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning);
    if (role == Qt::ToolTipRole)
        return d.toString();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case SeverityColumn: return isError ? tr("Error") : tr("Warning");
    case FileColumn: return d.file;
    case PlaceColumn:
        if (d.line > 0)
            return tr("line %1, column %2").arg(d.line).arg(d.column);
        return d.jsonPath.isEmpty() ? QStringLiteral("/") : d.jsonPath;
    case MessageColumn: return d.message;
    default: return {};
    }
}

QVariant DiagnosticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn: return tr("Severity");
    case FileColumn: return tr("File");
    case PlaceColumn: return tr("Place");
    case MessageColumn: return tr("Problem");
    default: return {};
    }
}

} // namespace outpost::ui
