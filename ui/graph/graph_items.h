#pragma once
// What the graph scene draws: a node as a card (category band, title, id,
// typed ports left and right), a port as a coloured dot, an edge as a bezier
// curve from an output to an input. Items hold no model data of their own
// beyond what they need to paint; GraphScene refreshes them from the model.
#include "core/agent/agent_graph.h"
#include "core/agent/node_types.h"

#include <QGraphicsItem>
#include <QGraphicsPathItem>

#include <string>
#include <vector>

namespace outpost::ui {

class GraphScene;

// Colour of a port type and of a palette category; both readable on light
// and dark backgrounds.
QColor portColor(core::PortType type);
QColor categoryColor(const std::string& category);

class PortItem : public QGraphicsItem {
public:
    enum { Type = UserType + 101 };
    PortItem(QGraphicsItem* parent, const core::PortSpec& spec, bool output);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const std::string& name() const { return m_name; }
    core::PortType portType() const { return m_type; }
    bool isOutput() const { return m_output; }
    bool isRequired() const { return m_required; }
    std::string nodeId() const;
    // Scene position where edges attach.
    QPointF anchor() const { return scenePos(); }

    // While a connection is being dragged: Normal, Accepting or Refusing.
    enum class Hint { Normal, Accepting, Refusing };
    void setHint(Hint hint);
    void setConnected(bool connected);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    std::string m_name;
    core::PortType m_type;
    bool m_output;
    bool m_required;
    bool m_hovered = false;
    bool m_connected = false;
    Hint m_hint = Hint::Normal;
};

class NodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 100 };
    static constexpr qreal kWidth = 208;
    static constexpr qreal kHeaderHeight = 46;
    static constexpr qreal kRowHeight = 22;
    static constexpr qreal kGrid = 10;

    explicit NodeItem(GraphScene* scene);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    // Refreshes from the model (ports are rebuilt only when the type changes).
    void setNode(const core::GraphNode& node, std::size_t index);
    void setProblems(const QStringList& problems);
    const std::string& nodeId() const { return m_id; }
    const std::string& nodeType() const { return m_type; }
    std::size_t modelIndex() const { return m_index; }
    bool hasProblems() const { return !m_problems.isEmpty(); }
    PortItem* port(const std::string& name, bool output) const;
    const std::vector<PortItem*>& ports() const { return m_ports; }
    QString title() const;
    // Where the node is in a traced run (the editor's Run): drawn as a
    // coloured outline, blue while it runs, green when done, orange on error.
    enum class RunState { None, Running, Done, Error };
    void setRunState(RunState state);
    RunState runState() const { return m_runState; }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    void rebuildPorts();
    qreal height() const;
    void updateToolTip();

    GraphScene* m_scene;
    std::string m_id;
    std::string m_type;
    std::size_t m_index = 0;
    QStringList m_problems;
    QString m_summary;   // one line under the ports, e.g. the model or the tool
    std::vector<PortItem*> m_ports;
    RunState m_runState = RunState::None;
};

class EdgeItem : public QGraphicsPathItem {
public:
    enum { Type = UserType + 102 };
    explicit EdgeItem(const core::GraphEdge& edge);

    int type() const override { return Type; }
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const core::GraphEdge& edge() const { return m_edge; }
    void setEnds(PortItem* from, PortItem* to);
    void setProblems(const QStringList& problems);
    void updatePath();
    bool touches(const NodeItem* node) const;

    // The curve between two scene points (also used for the rubber edge
    // while a connection is dragged).
    static QPainterPath curve(QPointF from, QPointF to);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    core::GraphEdge m_edge;
    PortItem* m_from = nullptr;
    PortItem* m_to = nullptr;
    QStringList m_problems;
    bool m_hovered = false;
};

} // namespace outpost::ui
