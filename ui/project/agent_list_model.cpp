#include "ui/project/agent_list_model.h"

#include <QApplication>
#include <QStyle>

namespace outpost::ui {

AgentListModel::AgentListModel(QObject* parent) : QAbstractListModel(parent) {}

void AgentListModel::setAgents(std::vector<core::AgentFile> agents)
{
    beginResetModel();
    m_agents = std::move(agents);
    endResetModel();
}

const core::AgentFile* AgentListModel::agentAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_agents.size()))
        return nullptr;
    return &m_agents[static_cast<std::size_t>(row)];
}

int AgentListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_agents.size());
}

static int errorCount(const core::AgentFile& agent)
{
    int n = 0;
    for (const auto& d : agent.diagnostics)
        n += d.severity == core::Diagnostic::Severity::Error ? 1 : 0;
    return n;
}

QVariant AgentListModel::data(const QModelIndex& index, int role) const
{
    const core::AgentFile* agent = index.isValid() ? agentAt(index.row()) : nullptr;
    if (!agent)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case ClassNameRole:
        return agent->className;
    case Qt::ToolTipRole: {
        if (!agent->isValid())
            return tr("%n problem(s) in %1", nullptr, errorCount(*agent)).arg(agent->relativePath);
        return agent->graph->description.isEmpty() ? agent->relativePath : agent->graph->description;
    }
    case Qt::DecorationRole:
        return QApplication::style()->standardIcon(agent->isValid() ? QStyle::SP_FileIcon : QStyle::SP_MessageBoxWarning);
    case RelativePathRole:
        return agent->relativePath;
    case ValidRole:
        return agent->isValid();
    case ErrorCountRole:
        return errorCount(*agent);
    case NodeCountRole:
        return agent->graph ? static_cast<int>(agent->graph->nodes.size()) : 0;
    default:
        return {};
    }
}

QHash<int, QByteArray> AgentListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(ClassNameRole, "className");
    names.insert(RelativePathRole, "relativePath");
    names.insert(ValidRole, "valid");
    names.insert(ErrorCountRole, "errorCount");
    names.insert(NodeCountRole, "nodeCount");
    return names;
}

} // namespace outpost::ui
