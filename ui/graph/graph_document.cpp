#include "ui/graph/graph_document.h"

#include "core/agent/node_types.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <set>

namespace outpost::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

double whole(double v) { return std::isfinite(v) ? std::round(v) : 0.0; }

bool isValidNodeId(const std::string& id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"));
    return pattern.match(qs(id)).hasMatch();
}

// The index after "/<section>/" in a JSON pointer, or -1.
int pointerIndex(const QString& pointer, QLatin1String section)
{
    const QString prefix = QLatin1Char('/') + section + QLatin1Char('/');
    if (!pointer.startsWith(prefix))
        return -1;
    const int end = pointer.indexOf(QLatin1Char('/'), prefix.size());
    bool ok = false;
    const int index = pointer.mid(prefix.size(), end < 0 ? -1 : end - prefix.size()).toInt(&ok);
    return ok ? index : -1;
}

} // namespace

// Base of every edit: gives commands access to the model and tells the
// document after each change.
class GraphCommand : public QUndoCommand {
public:
    GraphCommand(GraphDocument* document, const QString& text) : m_document(document) { setText(text); }

protected:
    core::AgentGraph& graph() { return m_document->mutableGraph(); }
    void done() { m_document->notify(); }
    GraphDocument* m_document;
};

namespace {

enum CommandId { MoveId = 1, PropertyId = 2 };

// Removes nodes and edges at known indices; undo puts each back where it was.
class RemoveCommand : public GraphCommand {
public:
    RemoveCommand(GraphDocument* d, const QString& text, std::vector<std::pair<std::size_t, core::GraphNode>> nodes,
                  std::vector<std::pair<std::size_t, core::GraphEdge>> edges)
        : GraphCommand(d, text), m_nodes(std::move(nodes)), m_edges(std::move(edges))
    {
    }
    void redo() override
    {
        auto& g = graph();
        for (auto it = m_edges.rbegin(); it != m_edges.rend(); ++it)
            g.edges.erase(g.edges.begin() + static_cast<std::ptrdiff_t>(it->first));
        for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it)
            g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(it->first));
        done();
    }
    void undo() override
    {
        auto& g = graph();
        for (const auto& [i, n] : m_nodes)
            g.nodes.insert(g.nodes.begin() + static_cast<std::ptrdiff_t>(i), n);
        for (const auto& [i, e] : m_edges)
            g.edges.insert(g.edges.begin() + static_cast<std::ptrdiff_t>(i), e);
        done();
    }

private:
    std::vector<std::pair<std::size_t, core::GraphNode>> m_nodes;   // ascending indices
    std::vector<std::pair<std::size_t, core::GraphEdge>> m_edges;
};

// Appends nodes and edges (add, paste, connect); optionally first removes
// one edge (the one a new connection replaces).
class AppendCommand : public GraphCommand {
public:
    AppendCommand(GraphDocument* d, const QString& text, std::vector<core::GraphNode> nodes, std::vector<core::GraphEdge> edges,
                  std::optional<std::pair<std::size_t, core::GraphEdge>> replaced = std::nullopt)
        : GraphCommand(d, text), m_nodes(std::move(nodes)), m_edges(std::move(edges)), m_replaced(std::move(replaced))
    {
    }
    void redo() override
    {
        auto& g = graph();
        if (m_replaced)
            g.edges.erase(g.edges.begin() + static_cast<std::ptrdiff_t>(m_replaced->first));
        g.nodes.insert(g.nodes.end(), m_nodes.begin(), m_nodes.end());
        g.edges.insert(g.edges.end(), m_edges.begin(), m_edges.end());
        done();
    }
    void undo() override
    {
        auto& g = graph();
        g.edges.resize(g.edges.size() - m_edges.size());
        g.nodes.resize(g.nodes.size() - m_nodes.size());
        if (m_replaced)
            g.edges.insert(g.edges.begin() + static_cast<std::ptrdiff_t>(m_replaced->first), m_replaced->second);
        done();
    }

private:
    std::vector<core::GraphNode> m_nodes;
    std::vector<core::GraphEdge> m_edges;
    std::optional<std::pair<std::size_t, core::GraphEdge>> m_replaced;
};

struct Move {
    double oldX, oldY, newX, newY;
};

class MoveCommand : public GraphCommand {
public:
    MoveCommand(GraphDocument* d, const QString& text, std::map<std::string, Move> moves, bool mergeable)
        : GraphCommand(d, text), m_moves(std::move(moves)), m_mergeable(mergeable)
    {
    }
    int id() const override { return m_mergeable ? MoveId : -1; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* o = static_cast<const MoveCommand*>(other);
        if (!o->m_mergeable || o->m_moves.size() != m_moves.size())
            return false;
        for (const auto& [id, m] : o->m_moves)
            if (!m_moves.count(id))
                return false;
        for (const auto& [id, m] : o->m_moves) {
            m_moves[id].newX = m.newX;
            m_moves[id].newY = m.newY;
        }
        bool still = true;
        for (const auto& [id, m] : m_moves)
            still = still && m.oldX == m.newX && m.oldY == m.newY;
        setObsolete(still);
        return true;
    }
    void redo() override { apply(true); }
    void undo() override { apply(false); }

private:
    void apply(bool forward)
    {
        for (auto& n : graph().nodes) {
            const auto it = m_moves.find(n.id);
            if (it == m_moves.end())
                continue;
            n.x = forward ? it->second.newX : it->second.oldX;
            n.y = forward ? it->second.newY : it->second.oldY;
        }
        done();
    }
    std::map<std::string, Move> m_moves;
    bool m_mergeable;
};

// Keeps the whole properties object before and after, so undo restores the
// key order too (removing and re-adding a key would move it to the end).
class PropertyCommand : public GraphCommand {
public:
    PropertyCommand(GraphDocument* d, const QString& text, std::string node, std::string key, core::Json before, core::Json after)
        : GraphCommand(d, text), m_node(std::move(node)), m_key(std::move(key)), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    int id() const override { return PropertyId; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* o = static_cast<const PropertyCommand*>(other);
        if (o->m_node != m_node || o->m_key != m_key)
            return false;
        m_after = o->m_after;
        setObsolete(m_after == m_before);
        return true;
    }
    void redo() override { apply(m_after); }
    void undo() override { apply(m_before); }

private:
    void apply(const core::Json& properties)
    {
        const int i = graph().nodeIndex(m_node);
        if (i >= 0)
            graph().nodes[static_cast<std::size_t>(i)].properties = properties;
        done();
    }
    std::string m_node, m_key;
    core::Json m_before, m_after;
};

class RenameCommand : public GraphCommand {
public:
    RenameCommand(GraphDocument* d, const QString& text, std::string from, std::string to)
        : GraphCommand(d, text), m_from(std::move(from)), m_to(std::move(to))
    {
    }
    void redo() override { apply(m_from, m_to); }
    void undo() override { apply(m_to, m_from); }

private:
    void apply(const std::string& a, const std::string& b)
    {
        auto& g = graph();
        const int i = g.nodeIndex(a);
        if (i >= 0)
            g.nodes[static_cast<std::size_t>(i)].id = b;
        for (auto& e : g.edges) {
            if (e.from == a)
                e.from = b;
            if (e.to == a)
                e.to = b;
        }
        done();
    }
    std::string m_from, m_to;
};

} // namespace

GraphDocument::GraphDocument(QObject* parent) : QObject(parent), m_undo(new QUndoStack(this)) {}

GraphDocument::~GraphDocument()
{
    // Commands call back into this object; drop them before members go.
    m_undo->clear();
}

void GraphDocument::setGraph(core::AgentGraph graph, const QString& file)
{
    m_undo->clear();
    m_graph = std::move(graph);
    m_file = file;
    notify();
    m_undo->setClean();
}

void GraphDocument::notify()
{
    core::Diagnostics fresh = m_graph.validate(m_file);
    const bool diagnosticsDiffer = [&] {
        if (fresh.size() != m_diagnostics.size())
            return true;
        for (qsizetype i = 0; i < fresh.size(); ++i)
            if (fresh[i].jsonPath != m_diagnostics[i].jsonPath || fresh[i].message != m_diagnostics[i].message)
                return true;
        return false;
    }();
    m_diagnostics = std::move(fresh);
    emit changed();
    if (diagnosticsDiffer)
        emit diagnosticsChanged();
}

QStringList GraphDocument::problemsOfNode(const std::string& id) const
{
    QStringList out;
    for (const auto& d : m_diagnostics) {
        const int i = pointerIndex(d.jsonPath, QLatin1String("nodes"));
        if (i >= 0 && static_cast<std::size_t>(i) < m_graph.nodes.size() && m_graph.nodes[static_cast<std::size_t>(i)].id == id)
            out << d.message;
        const int e = pointerIndex(d.jsonPath, QLatin1String("edges"));
        if (e >= 0 && static_cast<std::size_t>(e) < m_graph.edges.size()) {
            const auto& edge = m_graph.edges[static_cast<std::size_t>(e)];
            if (edge.to == id)
                out << d.message;
        }
    }
    out.removeDuplicates();
    return out;
}

QStringList GraphDocument::problemsOfEdge(const core::GraphEdge& edge) const
{
    QStringList out;
    for (const auto& d : m_diagnostics) {
        const int e = pointerIndex(d.jsonPath, QLatin1String("edges"));
        if (e >= 0 && static_cast<std::size_t>(e) < m_graph.edges.size() && m_graph.edges[static_cast<std::size_t>(e)] == edge)
            out << d.message;
    }
    return out;
}

std::string GraphDocument::addNode(const std::string& type, QPointF pos)
{
    const core::NodeTypeSpec* spec = core::findNodeType(type);
    if (!spec)
        return {};
    core::GraphNode node;
    node.type = type;
    node.id = m_graph.uniqueNodeId(type == "memory.recall" ? "recall" : type == "memory.write" ? "remember" : type);
    node.x = whole(pos.x());
    node.y = whole(pos.y());
    // Required properties with a default start with it, so a new node is
    // as close to valid as the catalogue allows.
    for (const auto& p : spec->properties)
        if (p.required && !p.defaultValue.is_null())
            node.properties[p.name] = p.defaultValue;
    const std::string id = node.id;
    m_undo->push(new AppendCommand(this, tr("Add %1").arg(QCoreApplication::translate("outpost::core::NodeTypes", spec->title)),
                                   {std::move(node)}, {}));
    return id;
}

void GraphDocument::remove(const std::vector<std::string>& nodeIds, const std::vector<core::GraphEdge>& edges)
{
    const std::set<std::string> ids(nodeIds.begin(), nodeIds.end());
    std::vector<std::pair<std::size_t, core::GraphNode>> nodes;
    std::vector<std::pair<std::size_t, core::GraphEdge>> removedEdges;
    for (std::size_t i = 0; i < m_graph.nodes.size(); ++i)
        if (ids.count(m_graph.nodes[i].id))
            nodes.push_back({i, m_graph.nodes[i]});
    for (std::size_t i = 0; i < m_graph.edges.size(); ++i) {
        const auto& e = m_graph.edges[i];
        if (ids.count(e.from) || ids.count(e.to) || std::find(edges.begin(), edges.end(), e) != edges.end())
            removedEdges.push_back({i, e});
    }
    if (nodes.empty() && removedEdges.empty())
        return;
    const QString text = nodes.empty() ? tr("Disconnect") : tr("Delete %n node(s)", nullptr, static_cast<int>(nodes.size()));
    m_undo->push(new RemoveCommand(this, text, std::move(nodes), std::move(removedEdges)));
}

void GraphDocument::moveNodes(const std::map<std::string, QPointF>& positions)
{
    std::map<std::string, Move> moves;
    for (const auto& [id, pos] : positions) {
        const core::GraphNode* n = m_graph.node(id);
        if (!n)
            continue;
        const double x = whole(pos.x()), y = whole(pos.y());
        if (x != n->x || y != n->y)
            moves[id] = {n->x, n->y, x, y};
    }
    if (moves.empty())
        return;
    m_undo->push(new MoveCommand(this, tr("Move %n node(s)", nullptr, static_cast<int>(moves.size())), std::move(moves), true));
}

QString GraphDocument::connectPorts(const core::GraphEdge& edge)
{
    if (QString why = m_graph.checkConnection(edge, true); !why.isEmpty())
        return why;
    std::optional<std::pair<std::size_t, core::GraphEdge>> replaced;
    if (const int i = m_graph.edgeInto(edge.to, edge.toPort); i >= 0)
        replaced = std::make_pair(static_cast<std::size_t>(i), m_graph.edges[static_cast<std::size_t>(i)]);
    m_undo->push(new AppendCommand(this, tr("Connect %1 to %2").arg(qs(edge.from), qs(edge.to)), {}, {edge}, std::move(replaced)));
    return {};
}

void GraphDocument::disconnectPorts(const core::GraphEdge& edge)
{
    remove({}, {edge});
}

void GraphDocument::setProperty(const std::string& nodeId, const std::string& key, std::optional<core::Json> value)
{
    const core::GraphNode* n = m_graph.node(nodeId);
    if (!n)
        return;
    core::Json after = n->properties;
    if (value) {
        after[key] = *value;   // an existing key keeps its place
    } else {
        after.erase(key);
    }
    if (after == n->properties)
        return;
    m_undo->push(new PropertyCommand(this, tr("Change %1 of %2").arg(qs(key), qs(nodeId)), nodeId, key, n->properties, std::move(after)));
}

QString GraphDocument::renameNode(const std::string& oldId, const std::string& newId)
{
    if (!m_graph.node(oldId))
        return tr("no node has the id \"%1\"").arg(qs(oldId));
    if (oldId == newId)
        return {};
    if (!isValidNodeId(newId))
        return tr("\"%1\" is not a valid node id: use a letter or \"_\", then letters, digits, \"_\", \".\" or \"-\" (at most 64)")
            .arg(qs(newId));
    if (m_graph.node(newId))
        return tr("the id \"%1\" is already used").arg(qs(newId));
    m_undo->push(new RenameCommand(this, tr("Rename %1 to %2").arg(qs(oldId), qs(newId)), oldId, newId));
    return {};
}

void GraphDocument::autoLayout()
{
    const auto positions = m_graph.layeredLayout();
    std::map<std::string, Move> moves;
    for (std::size_t i = 0; i < m_graph.nodes.size(); ++i) {
        const auto& n = m_graph.nodes[i];
        if (moves.count(n.id))
            continue;   // a repeated id: only the first node can be addressed
        if (positions[i].first != n.x || positions[i].second != n.y)
            moves[n.id] = {n.x, n.y, positions[i].first, positions[i].second};
    }
    if (moves.empty())
        return;
    m_undo->push(new MoveCommand(this, tr("Arrange nodes"), std::move(moves), false));
}

core::Json GraphDocument::copy(const std::vector<std::string>& nodeIds) const
{
    const std::set<std::string> ids(nodeIds.begin(), nodeIds.end());
    core::AgentGraph part;
    part.name = m_graph.name;
    for (const auto& n : m_graph.nodes)
        if (ids.count(n.id))
            part.nodes.push_back(n);
    for (const auto& e : m_graph.edges)
        if (ids.count(e.from) && ids.count(e.to))
            part.edges.push_back(e);
    const core::Json full = part.toJson();
    core::Json fragment = core::Json::object();
    fragment["outpostGraphFragment"] = 1;
    fragment["nodes"] = full["nodes"];
    fragment["edges"] = full["edges"];
    return fragment;
}

std::vector<std::string> GraphDocument::paste(const core::Json& fragment, QPointF offset, QString* error)
{
    const auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        return std::vector<std::string>{};
    };
    if (!fragment.is_object() || !fragment.contains("outpostGraphFragment") || !fragment.contains("nodes"))
        return fail(tr("the clipboard does not hold Outpost nodes"));
    // Reuse the file reader for the shape checks, with a name it accepts.
    core::Json doc = core::Json::object();
    doc["schemaVersion"] = core::AgentGraph::kSchemaVersion;
    doc["name"] = "clipboard";
    doc["nodes"] = fragment["nodes"];
    if (fragment.contains("edges"))
        doc["edges"] = fragment["edges"];
    const auto loaded = core::AgentGraph::fromJson(doc, tr("clipboard"));
    if (!loaded.ok())
        return fail(loaded.diagnostics.isEmpty() ? tr("the clipboard does not hold Outpost nodes") : loaded.diagnostics.front().toString());
    const core::AgentGraph& part = *loaded.value;
    if (part.nodes.empty())
        return fail(tr("the clipboard holds no nodes"));

    // Fresh ids, chosen against the graph plus the nodes already renamed.
    core::AgentGraph scratch;
    scratch.nodes = m_graph.nodes;
    std::map<std::string, std::string> renamed;
    std::vector<core::GraphNode> nodes;
    for (const auto& n : part.nodes) {
        if (!core::findNodeType(n.type))
            return fail(tr("unknown node type \"%1\"").arg(qs(n.type)));
        if (renamed.count(n.id))
            continue;   // a repeated id in the fragment: keep the first
        core::GraphNode copy = n;
        copy.id = scratch.uniqueNodeId(n.id);
        copy.x = whole(n.x + offset.x());
        copy.y = whole(n.y + offset.y());
        renamed[n.id] = copy.id;
        scratch.nodes.push_back(copy);
        nodes.push_back(std::move(copy));
    }
    // Edges among the pasted nodes, each input at most once, types checked.
    core::AgentGraph check;
    check.nodes = nodes;
    std::vector<core::GraphEdge> edges;
    for (const auto& e : part.edges) {
        if (!renamed.count(e.from) || !renamed.count(e.to))
            continue;
        core::GraphEdge mapped{renamed[e.from], e.fromPort, renamed[e.to], e.toPort};
        if (!check.checkConnection(mapped).isEmpty())
            continue;
        check.edges.push_back(mapped);
        edges.push_back(std::move(mapped));
    }
    std::vector<std::string> ids;
    for (const auto& n : nodes)
        ids.push_back(n.id);
    m_undo->push(new AppendCommand(this, tr("Paste %n node(s)", nullptr, static_cast<int>(nodes.size())), std::move(nodes), std::move(edges)));
    return ids;
}

} // namespace outpost::ui
