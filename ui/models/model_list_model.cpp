#include "ui/models/model_list_model.h"

#include <QApplication>
#include <QDir>
#include <QFont>
#include <QLocale>
#include <QStyle>

namespace outpost::ui {

ModelListModel::ModelListModel(QObject* parent) : QAbstractTableModel(parent) {}

void ModelListModel::clear()
{
    if (m_models.isEmpty())
        return;
    beginResetModel();
    m_models.clear();
    m_rowByPath.clear();
    endResetModel();
}

void ModelListModel::addModels(const QList<ModelInfo>& models)
{
    QList<ModelInfo> fresh;
    for (const ModelInfo& m : models) {
        if (auto it = m_rowByPath.constFind(m.path); it != m_rowByPath.constEnd()) {
            m_models[*it] = m;
            emit dataChanged(index(*it, 0), index(*it, ColumnCount - 1));
        } else {
            bool duplicate = false;
            for (const ModelInfo& f : fresh)
                duplicate = duplicate || f.path == m.path;
            if (!duplicate)
                fresh.push_back(m);
        }
    }
    if (fresh.isEmpty())
        return;
    const int first = int(m_models.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    for (ModelInfo& m : fresh) {
        m_rowByPath.insert(m.path, int(m_models.size()));
        m_models.push_back(std::move(m));
    }
    endInsertRows();
}

const ModelInfo* ModelListModel::modelAt(int row) const
{
    return row >= 0 && row < m_models.size() ? &m_models[row] : nullptr;
}

int ModelListModel::rowOf(const QString& path) const
{
    return m_rowByPath.value(path, -1);
}

void ModelListModel::setLoadedPath(const QString& path)
{
    if (path == m_loaded)
        return;
    const int before = rowOf(m_loaded);
    m_loaded = path;
    const int after = rowOf(m_loaded);
    for (int row : {before, after})
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int ModelListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_models.size());
}

int ModelListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const
{
    const ModelInfo* m = index.isValid() ? modelAt(index.row()) : nullptr;
    if (!m)
        return {};
    const int column = index.column();
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return m->name;
        case ArchitectureColumn:
            return m->ok() ? m->architecture : tr("Unreadable");
        case ParametersColumn:
            return m->ok() ? formatParameters(m->parameters) : QString();
        case QuantisationColumn:
            return m->quantisation;
        case ContextColumn:
            return m->contextLength > 0 ? locale.toString(m->contextLength) : QString();
        case SizeColumn:
            return locale.formattedDataSize(m->sizeBytes);
        case SourceColumn:
            return m->source;
        }
        return {};
    case SortRole:
        switch (column) {
        case ParametersColumn:
            return m->parameters;
        case ContextColumn:
            return m->contextLength;
        case SizeColumn:
            return m->sizeBytes;
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    case Qt::ToolTipRole:
        if (!m->ok())
            return m->error;
        return QDir::toNativeSeparators(m->path);
    case Qt::DecorationRole:
        if (column != NameColumn)
            return {};
        if (!m->ok())
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        if (m->path == m_loaded)
            return QApplication::style()->standardIcon(QStyle::SP_MediaPlay);
        return QApplication::style()->standardIcon(QStyle::SP_FileIcon);
    case Qt::FontRole:
        if (m->path == m_loaded) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == ParametersColumn || column == ContextColumn || column == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case PathRole:
        return m->path;
    case ErrorRole:
        return m->error;
    case LoadedRole:
        return m->path == m_loaded;
    default:
        return {};
    }
}

QVariant ModelListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case ArchitectureColumn: return tr("Architecture");
    case ParametersColumn: return tr("Parameters");
    case QuantisationColumn: return tr("Quantisation");
    case ContextColumn: return tr("Context");
    case SizeColumn: return tr("Size");
    case SourceColumn: return tr("Source");
    }
    return {};
}

QHash<int, QByteArray> ModelListModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sortKey");
    names.insert(PathRole, "path");
    names.insert(ErrorRole, "error");
    names.insert(LoadedRole, "loaded");
    return names;
}

} // namespace outpost::ui
