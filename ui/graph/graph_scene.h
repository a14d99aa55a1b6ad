#pragma once
// The scene of one agent graph: one NodeItem per node and one EdgeItem per
// edge, kept in step with a GraphDocument by sync() after every change. The
// scene turns gestures into document edits:
//   - dragging from a port to a port of the other side connects them when
//     AgentGraph::checkConnection accepts (ports that would accept are
//     highlighted while dragging; a refused drop reports why);
//   - releasing moved nodes records one move (consecutive moves merge);
//   - arrow keys nudge the selection by one grid step.
// The scene never changes the model directly.
#include "ui/graph/graph_document.h"

#include <QGraphicsScene>
#include <QPointer>

#include <map>
#include <string>
#include <vector>

class QGraphicsPathItem;

namespace outpost::ui {

class EdgeItem;
class NodeItem;
class PortItem;

class GraphScene : public QGraphicsScene {
    Q_OBJECT

public:
    explicit GraphScene(GraphDocument* document, QObject* parent = nullptr);
    ~GraphScene() override;

    GraphDocument* document() const { return m_document; }

    NodeItem* nodeItem(const std::string& id) const;
    EdgeItem* edgeItem(const core::GraphEdge& edge) const;
    QList<NodeItem*> nodeItems() const;
    QList<EdgeItem*> edgeItems() const;

    std::vector<std::string> selectedNodeIds() const;   // in model order
    std::vector<core::GraphEdge> selectedEdges() const;
    void selectNodes(const std::vector<std::string>& ids);

    // Rebuilds items from the model; selection survives by node id.
    void sync();

    // Called by NodeItem when it moves, to drag its edges along.
    void nodeMoved(NodeItem* node);
    bool isSyncing() const { return m_syncing; }

signals:
    // A user-facing message (a refused connection, for example).
    void message(const QString& text);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    PortItem* portAt(QPointF scenePos) const;
    core::GraphEdge edgeFor(PortItem* a, PortItem* b) const;
    void endConnection(QPointF scenePos);
    void clearHints();
    void commitMoves();

    GraphDocument* m_document;
    std::map<std::string, NodeItem*> m_nodes;   // by key: id, or id#index for a repeated id
    std::vector<EdgeItem*> m_edges;
    bool m_syncing = false;

    // Connection drag state.
    PortItem* m_dragPort = nullptr;
    QGraphicsPathItem* m_rubber = nullptr;
    bool m_pressedOnNode = false;
};

} // namespace outpost::ui
