#pragma once
// An agent: a class of actor defined by a graph of typed nodes and edges,
// stored as agents/<class>.agent.json. This is the headless model the runtime,
// the studio's graph editor and the exporters share; the editor only draws it.
//
// File format (schemaVersion 1), keys in this order:
//   { "schemaVersion": 1, "name": "<class>", "description": "...",
//     "nodes": [ { "id": "...", "type": "...", "position": [x, y], "properties": {...} } ],
//     "edges": [ { "from": "<node>", "fromPort": "<port>", "to": "<node>", "toPort": "<port>" } ] }
// "description" may be omitted; "properties" holds only values that differ
// from nothing (defaults are not written out by the studio, but are allowed).
#include "core/project/diagnostic.h"
#include "core/project/json_document.h"

#include <QString>

#include <string>
#include <vector>

namespace outpost::core {

struct GraphNode {
    std::string id;
    std::string type;
    double x = 0;
    double y = 0;
    Json properties = Json::object();
};

struct GraphEdge {
    std::string from;
    std::string fromPort;
    std::string to;
    std::string toPort;

    bool operator==(const GraphEdge&) const = default;
};

class AgentGraph {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::AgentGraph)

public:
    static constexpr int kSchemaVersion = 1;

    // Reads the document's structure. Structural problems (wrong types,
    // missing keys, unknown keys) make it fail; graph-level problems are left
    // to validate(), so an editor can open a graph that does not validate yet.
    static Loaded<AgentGraph> fromJson(const Json& document, const QString& file);

    // Canonical JSON for the file; fromJson(toJson()) gives back the same graph.
    Json toJson() const;

    // Graph-level checks: known node types, unique ids, required properties and
    // their types and ranges, edges between existing ports of compatible types,
    // at most one edge into each input, required inputs connected, node counts
    // per type, no cycles. Every problem is reported, each at its JSON path.
    Diagnostics validate(const QString& file) const;

    QString name;
    QString description;
    std::vector<GraphNode> nodes;
    std::vector<GraphEdge> edges;

    const GraphNode* node(std::string_view id) const;
    // The node's property, or the type's default when the node does not set it.
    Json property(const GraphNode& node, std::string_view name) const;

    // ---- Editing helpers (used by the studio's graph editor; headless) ----

    // Index of the node with `id` in `nodes`, or -1.
    int nodeIndex(std::string_view id) const;

    // A node id not used yet, made from `base` ("llm", "memory.recall"):
    // `base` itself when free and valid, else base2, base3, ... Characters
    // an id cannot hold are replaced by "_".
    std::string uniqueNodeId(std::string_view base) const;

    // Index in `edges` of the edge that ends at input `toPort` of node `to`,
    // or -1 when that input is free.
    int edgeInto(std::string_view to, std::string_view toPort) const;

    // Whether `edge` may be added: both nodes exist, the ports exist on the
    // right sides (output to input), their types are compatible
    // (portsCompatible), the edge is not a loop and closes no cycle, and it is
    // not already there. When `allowReplace` is false the input must also be
    // free. Returns "" when it may, else the reason (translated).
    QString checkConnection(const GraphEdge& edge, bool allowReplace = false) const;

    // Positions for an automatic left-to-right layout, one per node (same
    // order as `nodes`). A node's column is the length of the longest path
    // that reaches it from a node without incoming edges (the input node is
    // such a node, so it is in column 0); within a column, nodes are ordered
    // by the mean row of their predecessors, then by their index. Edges that
    // close a cycle are ignored. Deterministic: the same graph gives the
    // same positions. Coordinates are whole numbers.
    std::vector<std::pair<double, double>> layeredLayout(double columnSpacing = 280, double rowSpacing = 160) const;
};

} // namespace outpost::core
