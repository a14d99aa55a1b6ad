#include "ui/graph/graph_scene.h"

#include "ui/graph/graph_items.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QKeyEvent>

#include <algorithm>
#include <set>

namespace outpost::ui {

GraphScene::GraphScene(GraphDocument* document, QObject* parent) : QGraphicsScene(parent), m_document(document)
{
    // Few items that move all the time: a BSP index costs more than it saves
    // and has been a source of stale-item crashes when items are removed
    // during a drag.
    setItemIndexMethod(QGraphicsScene::NoIndex);
    setSceneRect(-20000, -20000, 40000, 40000);
    connect(document, &GraphDocument::changed, this, &GraphScene::sync);
    sync();
}

GraphScene::~GraphScene()
{
    // Items are deleted by QGraphicsScene; forget them first so nodeMoved()
    // callbacks during teardown find nothing.
    m_nodes.clear();
    m_edges.clear();
    m_dragPort = nullptr;
}

NodeItem* GraphScene::nodeItem(const std::string& id) const
{
    const auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second;
}

EdgeItem* GraphScene::edgeItem(const core::GraphEdge& edge) const
{
    for (EdgeItem* e : m_edges)
        if (e->edge() == edge)
            return e;
    return nullptr;
}

QList<NodeItem*> GraphScene::nodeItems() const
{
    QList<NodeItem*> out;
    for (const auto& [key, item] : m_nodes)
        out << item;
    std::sort(out.begin(), out.end(), [](const NodeItem* a, const NodeItem* b) { return a->modelIndex() < b->modelIndex(); });
    return out;
}

QList<EdgeItem*> GraphScene::edgeItems() const
{
    return QList<EdgeItem*>(m_edges.begin(), m_edges.end());
}

std::vector<std::string> GraphScene::selectedNodeIds() const
{
    std::vector<std::string> ids;
    for (NodeItem* n : nodeItems())
        if (n->isSelected())
            ids.push_back(n->nodeId());
    return ids;
}

std::vector<core::GraphEdge> GraphScene::selectedEdges() const
{
    std::vector<core::GraphEdge> out;
    for (EdgeItem* e : m_edges)
        if (e->isSelected())
            out.push_back(e->edge());
    return out;
}

void GraphScene::selectNodes(const std::vector<std::string>& ids)
{
    const std::set<std::string> wanted(ids.begin(), ids.end());
    const QSignalBlocker block(this);
    clearSelection();
    for (const auto& [key, item] : m_nodes)
        item->setSelected(wanted.count(item->nodeId()) > 0);
    blockSignals(false);
    emit selectionChanged();
}

void GraphScene::sync()
{
    // A connection being dragged when the model changes under it (an undo
    // by shortcut, say) is dropped: its port may be about to go.
    if (m_dragPort) {
        clearHints();
        m_dragPort = nullptr;
        if (m_rubber) {
            removeItem(m_rubber);
            delete m_rubber;
            m_rubber = nullptr;
        }
    }
    m_syncing = true;
    // Ports may go with their nodes below; no edge may point at them meanwhile.
    for (EdgeItem* e : m_edges)
        e->setEnds(nullptr, nullptr);
    const core::AgentGraph& graph = m_document->graph();
    const QList<QGraphicsItem*> selectedBefore = selectedItems();
    std::set<std::string> selectedIds;
    for (QGraphicsItem* item : selectedBefore)
        if (item->type() == NodeItem::Type)
            selectedIds.insert(static_cast<NodeItem*>(item)->nodeId());

    std::map<std::string, NodeItem*> old = std::move(m_nodes);
    m_nodes.clear();
    std::vector<std::pair<std::size_t, std::string>> unmatched;   // (index, key) of nodes with no item yet
    std::vector<std::string> keys(graph.nodes.size());
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        std::string key = graph.nodes[i].id;
        if (m_nodes.count(key) || std::any_of(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i),
                                              [&](const std::string& k) { return k == key; }))
            key.append("#").append(std::to_string(i));
        keys[i] = key;
        if (const auto it = old.find(key); it != old.end()) {
            m_nodes[key] = it->second;
            old.erase(it);
        } else {
            unmatched.push_back({i, key});
        }
    }
    // A renamed node keeps its item (and its selection): reuse a leftover
    // item that sat at the same index with the same type.
    for (const auto& [i, key] : unmatched) {
        NodeItem* reuse = nullptr;
        for (auto it = old.begin(); it != old.end(); ++it)
            if (it->second->modelIndex() == i && it->second->nodeType() == graph.nodes[i].type) {
                reuse = it->second;
                if (reuse->isSelected())
                    selectedIds.insert(graph.nodes[i].id);
                old.erase(it);
                break;
            }
        if (!reuse) {
            reuse = new NodeItem(this);
            addItem(reuse);
        }
        m_nodes[key] = reuse;
    }
    for (auto& [key, item] : old) {
        removeItem(item);
        delete item;
    }
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        const core::GraphNode& n = graph.nodes[i];
        NodeItem* item = m_nodes[keys[i]];
        item->setNode(n, i);
        if (item->pos() != QPointF(n.x, n.y))
            item->setPos(n.x, n.y);
        item->setProblems(m_document->problemsOfNode(n.id));
        item->setSelected(selectedIds.count(n.id) > 0);
        for (PortItem* p : item->ports())
            p->setConnected(false);
    }

    // Edges: keep items whose edge still exists, in model order.
    std::vector<EdgeItem*> oldEdges = std::move(m_edges);
    m_edges.clear();
    for (const auto& e : graph.edges) {
        EdgeItem* item = nullptr;
        for (auto it = oldEdges.begin(); it != oldEdges.end(); ++it)
            if ((*it)->edge() == e) {
                item = *it;
                oldEdges.erase(it);
                break;
            }
        if (!item) {
            item = new EdgeItem(e);
            addItem(item);
        }
        NodeItem* from = nodeItem(e.from);
        NodeItem* to = nodeItem(e.to);
        PortItem* out = from ? from->port(e.fromPort, true) : nullptr;
        PortItem* in = to ? to->port(e.toPort, false) : nullptr;
        item->setVisible(out && in);   // an edge to nowhere is reported, not drawn
        item->setEnds(out, in);
        if (out)
            out->setConnected(true);
        if (in)
            in->setConnected(true);
        item->setProblems(m_document->problemsOfEdge(e));
        m_edges.push_back(item);
    }
    for (EdgeItem* e : oldEdges) {
        removeItem(e);
        delete e;
    }
    m_syncing = false;
}

void GraphScene::nodeMoved(NodeItem* node)
{
    if (m_syncing)
        return;   // sync() re-attaches every edge once the nodes are placed
    for (EdgeItem* e : m_edges)
        if (e->touches(node))
            e->updatePath();
}

PortItem* GraphScene::portAt(QPointF scenePos) const
{
    for (QGraphicsItem* item : items(scenePos))
        if (item->type() == PortItem::Type)
            return static_cast<PortItem*>(item);
    return nullptr;
}

core::GraphEdge GraphScene::edgeFor(PortItem* a, PortItem* b) const
{
    PortItem* out = a->isOutput() ? a : b;
    PortItem* in = a->isOutput() ? b : a;
    return {out->nodeId(), out->name(), in->nodeId(), in->name()};
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        if (PortItem* port = portAt(event->scenePos())) {
            // Start a connection from this port; other ports show whether
            // they would accept it.
            m_dragPort = port;
            m_rubber = new QGraphicsPathItem;
            QPen pen(portColor(port->portType()), 2.2, Qt::DashLine, Qt::RoundCap);
            m_rubber->setPen(pen);
            m_rubber->setZValue(5);
            addItem(m_rubber);
            for (NodeItem* n : nodeItems())
                for (PortItem* p : n->ports()) {
                    if (p == port)
                        continue;
                    const bool sameSide = p->isOutput() == port->isOutput();
                    const bool ok = !sameSide && m_document->graph().checkConnection(edgeFor(port, p), true).isEmpty();
                    p->setHint(ok ? PortItem::Hint::Accepting : PortItem::Hint::Refusing);
                }
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event)
{
    if (m_dragPort && m_rubber) {
        const QPointF a = m_dragPort->anchor();
        const QPointF b = event->scenePos();
        m_rubber->setPath(m_dragPort->isOutput() ? EdgeItem::curve(a, b) : EdgeItem::curve(b, a));
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event)
{
    if (m_dragPort) {
        endConnection(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->button() == Qt::LeftButton)
        commitMoves();
}

void GraphScene::endConnection(QPointF scenePos)
{
    PortItem* from = m_dragPort;
    m_dragPort = nullptr;
    clearHints();
    if (m_rubber) {
        removeItem(m_rubber);
        delete m_rubber;
        m_rubber = nullptr;
    }
    PortItem* target = portAt(scenePos);
    if (!target || target == from)
        return;
    if (target->isOutput() == from->isOutput()) {
        emit message(target->isOutput() ? tr("Connect an input to an output, not two outputs")
                                        : tr("Connect an output to an input, not two inputs"));
        return;
    }
    // Copy what we need: connectPorts() syncs the scene, which may rebuild items.
    const core::GraphEdge edge = edgeFor(from, target);
    const QString why = m_document->connectPorts(edge);
    if (!why.isEmpty())
        emit message(tr("Not connected: %1").arg(why));
}

void GraphScene::clearHints()
{
    for (NodeItem* n : nodeItems())
        for (PortItem* p : n->ports())
            p->setHint(PortItem::Hint::Normal);
}

void GraphScene::commitMoves()
{
    std::map<std::string, QPointF> moved;
    const core::AgentGraph& graph = m_document->graph();
    for (NodeItem* n : nodeItems()) {
        if (n->modelIndex() >= graph.nodes.size())
            continue;
        const core::GraphNode& model = graph.nodes[n->modelIndex()];
        if (model.id == n->nodeId() && n->pos() != QPointF(model.x, model.y))
            moved[n->nodeId()] = n->pos();
    }
    if (!moved.empty())
        m_document->moveNodes(moved);
}

void GraphScene::keyPressEvent(QKeyEvent* event)
{
    QPointF step;
    const qreal grid = NodeItem::kGrid * ((event->modifiers() & Qt::ShiftModifier) ? 5 : 1);
    switch (event->key()) {
    case Qt::Key_Left: step = {-grid, 0}; break;
    case Qt::Key_Right: step = {grid, 0}; break;
    case Qt::Key_Up: step = {0, -grid}; break;
    case Qt::Key_Down: step = {0, grid}; break;
    default: QGraphicsScene::keyPressEvent(event); return;
    }
    std::map<std::string, QPointF> moved;
    for (const auto& id : selectedNodeIds())
        if (const core::GraphNode* n = m_document->graph().node(id))
            moved[id] = QPointF(n->x, n->y) + step;
    if (moved.empty()) {
        QGraphicsScene::keyPressEvent(event);
        return;
    }
    m_document->moveNodes(moved);
    event->accept();
}

} // namespace outpost::ui
