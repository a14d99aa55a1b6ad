#include "ui/project/agent_view.h"

#include "core/agent/node_types.h"

#include <QCoreApplication>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace outpost::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString valueText(const core::Json& v)
{
    if (v.is_string())
        return qs(v.get<std::string>());
    return qs(v.dump());
}

QString nodeTitle(const std::string& type)
{
    if (const auto* spec = core::findNodeType(type))
        return QCoreApplication::translate("outpost::core::NodeTypes", spec->title);
    return qs(type);
}

} // namespace

AgentView::AgentView(QWidget* parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(this);
    m_subtitle->setWordWrap(true);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_outline = new QTreeWidget(this);
    m_outline->setColumnCount(2);
    m_outline->setUniformRowHeights(true);
    m_outline->setAlternatingRowColors(true);
    m_outline->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_outline->header()->setStretchLastSection(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);
    layout->addWidget(m_outline, 1);
    retranslate();
    rebuild();
}

void AgentView::setAgent(const core::AgentFile* agent)
{
    if (agent)
        m_agent = *agent;
    else
        m_agent.reset();
    rebuild();
}

void AgentView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        rebuild();
    }
    QWidget::changeEvent(event);
}

void AgentView::retranslate()
{
    m_outline->setHeaderLabels({tr("Node"), tr("Details")});
}

void AgentView::rebuild()
{
    m_outline->clear();
    if (!m_agent) {
        m_title->setText(tr("No agent selected"));
        m_subtitle->setText(tr("Choose an agent in the Agents panel to see its graph."));
        return;
    }
    m_title->setText(m_agent->className);
    if (!m_agent->graph) {
        m_subtitle->setText(tr("%1 cannot be read; see the Problems panel.").arg(m_agent->relativePath));
        return;
    }
    const core::AgentGraph& graph = *m_agent->graph;
    const QString description = graph.description.isEmpty() ? tr("No description.") : graph.description;
    m_subtitle->setText(tr("%1\n%2 · %n node(s)", nullptr, static_cast<int>(graph.nodes.size()))
                            .arg(description, m_agent->relativePath));

    const QBrush dim = palette().brush(QPalette::Disabled, QPalette::Text);
    for (const auto& node : graph.nodes) {
        auto* item = new QTreeWidgetItem(m_outline, {qs(node.id), nodeTitle(node.type)});
        item->setToolTip(1, qs(node.type));
        const core::NodeTypeSpec* spec = core::findNodeType(node.type);
        if (!spec) {
            item->setIcon(0, style()->standardIcon(QStyle::SP_MessageBoxWarning));
            continue;
        }
        for (const auto& property : spec->properties) {
            const bool set = node.properties.contains(property.name);
            const core::Json value = graph.property(node, property.name);
            if (!set && value.is_null())
                continue;
            auto* child = new QTreeWidgetItem(item, {QCoreApplication::translate("outpost::core::NodeTypes", property.label),
                                                     valueText(value)});
            if (!set) {
                child->setForeground(1, dim);
                child->setToolTip(1, tr("default value"));
            }
        }
        for (const auto& port : spec->inputs) {
            QStringList sources;
            for (const auto& edge : graph.edges)
                if (edge.to == node.id && edge.toPort == port.name)
                    sources << qs(edge.from + "." + edge.fromPort);
            new QTreeWidgetItem(item, {tr("in: %1 (%2)").arg(qs(port.name), core::portTypeName(port.type)),
                                       sources.isEmpty() ? tr("not connected") : tr("from %1").arg(sources.join(QStringLiteral(", ")))});
        }
        for (const auto& port : spec->outputs) {
            QStringList targets;
            for (const auto& edge : graph.edges)
                if (edge.from == node.id && edge.fromPort == port.name)
                    targets << qs(edge.to + "." + edge.toPort);
            new QTreeWidgetItem(item, {tr("out: %1 (%2)").arg(qs(port.name), core::portTypeName(port.type)),
                                       targets.isEmpty() ? tr("not connected") : tr("to %1").arg(targets.join(QStringLiteral(", ")))});
        }
    }
    m_outline->expandAll();
}

} // namespace outpost::ui
