#pragma once
// The selected agent's graph as an outline: each node with its type, its
// properties (defaults shown in grey) and where each port is connected. A
// read-only view of the same headless model the graph editor will draw.
#include "core/project/project.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace outpost::ui {

class AgentView : public QWidget {
    Q_OBJECT

public:
    explicit AgentView(QWidget* parent = nullptr);

    // Shows `agent`, or an empty view when null. The view keeps a copy.
    void setAgent(const core::AgentFile* agent);
    QTreeWidget* outline() const { return m_outline; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void rebuild();

    std::optional<core::AgentFile> m_agent;
    QLabel* m_title;
    QLabel* m_subtitle;
    QTreeWidget* m_outline;
};

} // namespace outpost::ui
