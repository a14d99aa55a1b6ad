#pragma once
// The agent graph being edited, with its undo history. Every change to the
// model goes through a QUndoCommand pushed on undoStack(), so undo and redo
// give back the exact JSON (node and edge order, property order, positions).
// The scene, the property panel and the palette only read graph() and call
// the editing functions below; they never change the model themselves.
//
// Invariants:
//  - graph() is only changed inside a command's redo()/undo(), and each of
//    those ends with changed() (then diagnosticsChanged() when validation
//    found a different set of problems).
//  - Editing functions check their input first and return a translated reason
//    when they refuse; a refused edit pushes nothing.
#include "core/agent/agent_graph.h"

#include <QObject>
#include <QPointF>
#include <QStringList>

#include <map>
#include <optional>
#include <string>
#include <vector>

class QUndoStack;

namespace outpost::ui {

class GraphDocument : public QObject {
    Q_OBJECT

public:
    explicit GraphDocument(QObject* parent = nullptr);
    ~GraphDocument() override;

    // Replaces the graph and clears the history (the new graph is "clean").
    // `file` names the graph in diagnostics ("agents/<class>.agent.json").
    void setGraph(core::AgentGraph graph, const QString& file = {});
    const core::AgentGraph& graph() const { return m_graph; }
    QString file() const { return m_file; }
    QUndoStack* undoStack() const { return m_undo; }

    // The validator's problems for the current graph, and the same grouped
    // by the node they point at ("/nodes/N/..." belongs to node N's id;
    // "/edges/N" to both ends of edge N).
    const core::Diagnostics& diagnostics() const { return m_diagnostics; }
    QStringList problemsOfNode(const std::string& id) const;
    QStringList problemsOfEdge(const core::GraphEdge& edge) const;

    // ---- edits (each one undoable command) ----

    // Adds a node of `type` at `pos` with a fresh id; returns the id, or ""
    // when the type is unknown.
    std::string addNode(const std::string& type, QPointF pos);
    // Removes the nodes and every edge that touches them, and the listed
    // edges. Nothing happens when nothing matches.
    void remove(const std::vector<std::string>& nodeIds, const std::vector<core::GraphEdge>& edges = {});
    // Moves nodes to new positions (rounded to whole numbers). Consecutive
    // moves of the same set of nodes merge into one undo step.
    void moveNodes(const std::map<std::string, QPointF>& positions);
    // Connects an output to an input. Refuses incompatible ports, cycles,
    // unknown nodes/ports and duplicates (see AgentGraph::checkConnection);
    // an edge already into the input is replaced in the same step.
    // Returns "" on success, else the reason.
    QString connectPorts(const core::GraphEdge& edge);
    void disconnectPorts(const core::GraphEdge& edge);
    // Sets a property (`value`), or removes it so the default applies
    // (nullopt). Consecutive edits of the same property merge.
    void setProperty(const std::string& nodeId, const std::string& key, std::optional<core::Json> value);
    // Renames a node and the edges that name it. Returns "" or the reason
    // (invalid or duplicate id, unknown node).
    QString renameNode(const std::string& oldId, const std::string& newId);
    // Replaces positions of every node by AgentGraph::layeredLayout().
    void autoLayout();

    // ---- clipboard ----

    // The nodes and the edges between them as a JSON fragment:
    // {"outpostGraphFragment": 1, "nodes": [...], "edges": [...]}.
    core::Json copy(const std::vector<std::string>& nodeIds) const;
    // Adds a fragment made by copy(): ids are made unique, positions are
    // shifted by `offset`, edges are kept between pasted nodes. Returns the
    // ids of the new nodes (empty, and `error` set, when the fragment is not
    // one: wrong shape, unknown types).
    std::vector<std::string> paste(const core::Json& fragment, QPointF offset, QString* error = nullptr);

    static constexpr const char* kMimeType = "application/x-outpost-graph-fragment";

signals:
    // The model changed (after every redo/undo and setGraph).
    void changed();
    void diagnosticsChanged();

private:
    friend class GraphCommand;
    core::AgentGraph& mutableGraph() { return m_graph; }
    void notify();

    core::AgentGraph m_graph;
    QString m_file;
    core::Diagnostics m_diagnostics;
    QUndoStack* m_undo;
};

} // namespace outpost::ui
