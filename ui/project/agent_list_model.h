#pragma once
// The agents of the open project, one row each, for the Agents panel.
#include "core/project/project.h"

#include <QAbstractListModel>

namespace outpost::ui {

class AgentListModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role {
        ClassNameRole = Qt::UserRole + 1,
        RelativePathRole,
        ValidRole,        // bool: parses and validates
        ErrorCountRole,   // int
        NodeCountRole,    // int, 0 when the file does not parse
    };

    explicit AgentListModel(QObject* parent = nullptr);

    // The model keeps its own copy of the list; call again after a reload.
    void setAgents(std::vector<core::AgentFile> agents);
    const core::AgentFile* agentAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    std::vector<core::AgentFile> m_agents;
};

} // namespace outpost::ui
