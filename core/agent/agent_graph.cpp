#include "core/agent/agent_graph.h"

#include "core/agent/node_types.h"
#include "core/project/manifest.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace outpost::core {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

bool isValidNodeId(const std::string& id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"));
    return pattern.match(qs(id)).hasMatch();
}

// Positions are written as integers when they are whole numbers, so a graph
// laid out on the grid keeps "120" rather than becoming "120.0".
Json coordinate(double v)
{
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        return static_cast<long long>(v);
    return v;
}

struct Reader {
    const QString& file;
    Diagnostics& out;

    void error(const QString& path, const QString& message)
    {
        out.push_back({Diagnostic::Severity::Error, file, path, 0, 0, message});
    }

    // Checks that `object` has only `allowed` keys; reports each other key.
    void onlyKeys(const Json& object, const QString& path, std::initializer_list<const char*> allowed)
    {
        for (const auto& item : object.items()) {
            bool known = false;
            for (const char* key : allowed)
                known = known || item.key() == key;
            if (!known)
                error(jsonPointerAppend(path, item.key()),
                      AgentGraph::tr("unknown field \"%1\"").arg(qs(item.key())));
        }
    }

    const Json* field(const Json& object, const QString& path, const char* key, Json::value_t type,
                      const QString& typeName, bool required)
    {
        const auto it = object.find(key);
        const QString at = jsonPointerAppend(path, key);
        if (it == object.end()) {
            if (required)
                error(at, AgentGraph::tr("missing required field \"%1\"").arg(QLatin1String(key)));
            return nullptr;
        }
        const bool matches = it->type() == type
            || (type == Json::value_t::number_integer && it->is_number_unsigned());
        if (!matches) {
            error(at, AgentGraph::tr("\"%1\" must be %2, not %3").arg(QLatin1String(key), typeName, jsonTypeName(*it)));
            return nullptr;
        }
        return &*it;
    }

    std::optional<std::string> string(const Json& object, const QString& path, const char* key, bool required = true)
    {
        const Json* v = field(object, path, key, Json::value_t::string, AgentGraph::tr("a string"), required);
        if (!v)
            return std::nullopt;
        return v->get<std::string>();
    }
};

} // namespace

Loaded<AgentGraph> AgentGraph::fromJson(const Json& document, const QString& file)
{
    Loaded<AgentGraph> result;
    Reader r{file, result.diagnostics};
    if (!document.is_object()) {
        r.error({}, tr("an agent file must be a JSON object, not %1").arg(jsonTypeName(document)));
        return result;
    }
    r.onlyKeys(document, {}, {"schemaVersion", "name", "description", "nodes", "edges"});

    AgentGraph graph;
    if (const Json* v = r.field(document, {}, "schemaVersion", Json::value_t::number_integer, tr("an integer"), true)) {
        const long long version = v->get<long long>();
        if (version != kSchemaVersion)
            r.error(QStringLiteral("/schemaVersion"),
                    tr("schema version %1 is not supported; this Outpost reads version %2").arg(version).arg(kSchemaVersion));
    }
    if (auto name = r.string(document, {}, "name")) {
        graph.name = qs(*name);
        if (!isValidName(graph.name))
            r.error(QStringLiteral("/name"),
                    tr("\"%1\" is not a valid agent name: use a letter, then letters, digits, \"_\" or \"-\" (at most 64)")
                        .arg(graph.name));
    }
    if (auto description = r.string(document, {}, "description", false))
        graph.description = qs(*description);

    if (const Json* nodes = r.field(document, {}, "nodes", Json::value_t::array, tr("an array"), true)) {
        for (std::size_t i = 0; i < nodes->size(); ++i) {
            const Json& n = (*nodes)[i];
            const QString path = jsonPointer({"nodes", i});
            if (!n.is_object()) {
                r.error(path, tr("a node must be an object, not %1").arg(jsonTypeName(n)));
                continue;
            }
            r.onlyKeys(n, path, {"id", "type", "position", "properties"});
            GraphNode node;
            const auto id = r.string(n, path, "id");
            const auto type = r.string(n, path, "type");
            if (id)
                node.id = *id;
            if (type)
                node.type = *type;
            if (const Json* pos = r.field(n, path, "position", Json::value_t::array, tr("an array [x, y]"), false)) {
                if (pos->size() != 2 || !(*pos)[0].is_number() || !(*pos)[1].is_number()
                    || !std::isfinite((*pos)[0].get<double>()) || !std::isfinite((*pos)[1].get<double>()))
                    r.error(jsonPointerAppend(path, "position"), tr("\"position\" must be two finite numbers [x, y]"));
                else {
                    node.x = (*pos)[0].get<double>();
                    node.y = (*pos)[1].get<double>();
                }
            }
            if (const Json* props = r.field(n, path, "properties", Json::value_t::object, tr("an object"), false))
                node.properties = *props;
            graph.nodes.push_back(std::move(node));
        }
    }

    if (const Json* edges = r.field(document, {}, "edges", Json::value_t::array, tr("an array"), false)) {
        for (std::size_t i = 0; i < edges->size(); ++i) {
            const Json& e = (*edges)[i];
            const QString path = jsonPointer({"edges", i});
            if (!e.is_object()) {
                r.error(path, tr("an edge must be an object, not %1").arg(jsonTypeName(e)));
                continue;
            }
            r.onlyKeys(e, path, {"from", "fromPort", "to", "toPort"});
            GraphEdge edge;
            const auto from = r.string(e, path, "from");
            const auto fromPort = r.string(e, path, "fromPort");
            const auto to = r.string(e, path, "to");
            const auto toPort = r.string(e, path, "toPort");
            if (from && fromPort && to && toPort)
                graph.edges.push_back({*from, *fromPort, *to, *toPort});
        }
    }

    if (!hasErrors(result.diagnostics))
        result.value = std::move(graph);
    return result;
}

Json AgentGraph::toJson() const
{
    Json doc = Json::object();
    doc["schemaVersion"] = kSchemaVersion;
    doc["name"] = name.toStdString();
    if (!description.isEmpty())
        doc["description"] = description.toStdString();
    Json nodesJson = Json::array();
    for (const auto& node : nodes) {
        Json n = Json::object();
        n["id"] = node.id;
        n["type"] = node.type;
        n["position"] = Json::array({coordinate(node.x), coordinate(node.y)});
        if (!node.properties.empty())
            n["properties"] = node.properties;
        nodesJson.push_back(std::move(n));
    }
    doc["nodes"] = std::move(nodesJson);
    Json edgesJson = Json::array();
    for (const auto& edge : edges)
        edgesJson.push_back(Json{{"from", edge.from}, {"fromPort", edge.fromPort}, {"to", edge.to}, {"toPort", edge.toPort}});
    doc["edges"] = std::move(edgesJson);
    return doc;
}

const GraphNode* AgentGraph::node(std::string_view id) const
{
    for (const auto& n : nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

Json AgentGraph::property(const GraphNode& n, std::string_view propertyName) const
{
    const std::string key(propertyName);
    if (const auto it = n.properties.find(key); it != n.properties.end())
        return *it;
    if (const NodeTypeSpec* spec = findNodeType(n.type))
        if (const PropertySpec* p = findProperty(*spec, propertyName))
            return p->defaultValue;
    return nullptr;
}

namespace {

// Checks one property value against its spec; returns the problem or "".
QString checkProperty(const PropertySpec& spec, const Json& value)
{
    const auto typeError = [&](const QString& expected) {
        return AgentGraph::tr("\"%1\" must be %2, not %3").arg(qs(spec.name), expected, jsonTypeName(value));
    };
    switch (spec.kind) {
    case PropertyKind::String:
    case PropertyKind::Text:
        if (!value.is_string())
            return typeError(AgentGraph::tr("a string"));
        if (spec.required && value.get<std::string>().empty())
            return AgentGraph::tr("\"%1\" must not be empty").arg(qs(spec.name));
        return {};
    case PropertyKind::Boolean:
        return value.is_boolean() ? QString() : typeError(AgentGraph::tr("true or false"));
    case PropertyKind::Integer:
    case PropertyKind::Number: {
        const bool integer = spec.kind == PropertyKind::Integer;
        if (integer ? !value.is_number_integer() : !value.is_number())
            return typeError(integer ? AgentGraph::tr("an integer") : AgentGraph::tr("a number"));
        const double v = value.get<double>();
        if (!std::isfinite(v))
            return AgentGraph::tr("\"%1\" must be finite").arg(qs(spec.name));
        if (spec.hasRange && (v < spec.minimum || v > spec.maximum))
            return AgentGraph::tr("\"%1\" is %2; it must be between %3 and %4")
                .arg(qs(spec.name))
                .arg(v)
                .arg(spec.minimum)
                .arg(spec.maximum);
        return {};
    }
    case PropertyKind::Choice: {
        if (!value.is_string())
            return typeError(AgentGraph::tr("a string"));
        const std::string s = value.get<std::string>();
        for (const auto& c : spec.choices)
            if (c == s)
                return {};
        QStringList options;
        for (const auto& c : spec.choices)
            options << qs(c);
        return AgentGraph::tr("\"%1\" is \"%2\"; it must be one of: %3").arg(qs(spec.name), qs(s), options.join(QStringLiteral(", ")));
    }
    case PropertyKind::StringList:
        if (!value.is_array())
            return typeError(AgentGraph::tr("an array of strings"));
        for (const auto& item : value)
            if (!item.is_string())
                return AgentGraph::tr("\"%1\" must contain only strings, not %2").arg(qs(spec.name), jsonTypeName(item));
        return {};
    case PropertyKind::Object:
        return value.is_object() ? QString() : typeError(AgentGraph::tr("an object"));
    }
    return {};
}

} // namespace

Diagnostics AgentGraph::validate(const QString& file) const
{
    Diagnostics found;
    const auto error = [&](const QString& path, const QString& message) {
        found.push_back({Diagnostic::Severity::Error, file, path, 0, 0, message});
    };

    std::map<std::string, std::size_t> indexById;
    std::map<std::string, int> countByType;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const GraphNode& n = nodes[i];
        const QString path = jsonPointer({"nodes", i});
        if (!isValidNodeId(n.id))
            error(jsonPointerAppend(path, "id"),
                  tr("\"%1\" is not a valid node id: use a letter or \"_\", then letters, digits, \"_\", \".\" or \"-\" (at most 64)")
                      .arg(qs(n.id)));
        else if (!indexById.emplace(n.id, i).second)
            error(jsonPointerAppend(path, "id"), tr("node id \"%1\" is used twice").arg(qs(n.id)));

        const NodeTypeSpec* spec = findNodeType(n.type);
        if (!spec) {
            QStringList known;
            for (const auto& t : nodeTypes())
                known << qs(t.type);
            error(jsonPointerAppend(path, "type"),
                  tr("unknown node type \"%1\"; known types: %2").arg(qs(n.type), known.join(QStringLiteral(", "))));
            continue;
        }
        ++countByType[n.type];
        const QString propsPath = jsonPointerAppend(path, "properties");
        for (const auto& item : n.properties.items()) {
            const PropertySpec* p = findProperty(*spec, item.key());
            if (!p) {
                error(jsonPointerAppend(propsPath, item.key()),
                      tr("node type \"%1\" has no property \"%2\"").arg(qs(n.type), qs(item.key())));
                continue;
            }
            if (const QString problem = checkProperty(*p, item.value()); !problem.isEmpty())
                error(jsonPointerAppend(propsPath, item.key()), problem);
        }
        for (const auto& p : spec->properties)
            if (p.required && !n.properties.contains(p.name))
                error(propsPath, tr("node \"%1\" (%2) needs the property \"%3\"").arg(qs(n.id), qs(n.type), qs(p.name)));
    }

    for (const auto& spec : nodeTypes()) {
        const int count = countByType[spec.type];
        if (count < spec.minPerGraph)
            error(QStringLiteral("/nodes"),
                  spec.minPerGraph == 1 ? tr("the graph needs a node of type \"%1\"").arg(qs(spec.type))
                                        : tr("the graph needs at least %1 nodes of type \"%2\"").arg(spec.minPerGraph).arg(qs(spec.type)));
        if (spec.maxPerGraph >= 0 && count > spec.maxPerGraph)
            error(QStringLiteral("/nodes"),
                  tr("the graph has %1 nodes of type \"%2\"; at most %3 are allowed").arg(count).arg(qs(spec.type)).arg(spec.maxPerGraph));
    }

    // Edges: endpoints, port direction and type, one edge per input.
    std::set<std::pair<std::string, std::string>> connectedInputs;
    std::map<std::string, std::vector<std::string>> successors;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const GraphEdge& e = edges[i];
        const QString path = jsonPointer({"edges", i});
        const auto fromIt = indexById.find(e.from);
        const auto toIt = indexById.find(e.to);
        if (fromIt == indexById.end())
            error(jsonPointerAppend(path, "from"), tr("no node has the id \"%1\"").arg(qs(e.from)));
        if (toIt == indexById.end())
            error(jsonPointerAppend(path, "to"), tr("no node has the id \"%1\"").arg(qs(e.to)));
        if (fromIt == indexById.end() || toIt == indexById.end())
            continue;
        const NodeTypeSpec* fromSpec = findNodeType(nodes[fromIt->second].type);
        const NodeTypeSpec* toSpec = findNodeType(nodes[toIt->second].type);
        if (!fromSpec || !toSpec)
            continue;   // already reported as an unknown type
        const PortSpec* out = findPort(fromSpec->outputs, e.fromPort);
        const PortSpec* in = findPort(toSpec->inputs, e.toPort);
        if (!out)
            error(jsonPointerAppend(path, "fromPort"),
                  tr("node \"%1\" (%2) has no output port \"%3\"").arg(qs(e.from), qs(fromSpec->type), qs(e.fromPort)));
        if (!in)
            error(jsonPointerAppend(path, "toPort"),
                  tr("node \"%1\" (%2) has no input port \"%3\"").arg(qs(e.to), qs(toSpec->type), qs(e.toPort)));
        if (!out || !in)
            continue;
        if (!portsCompatible(out->type, in->type))
            error(path, tr("cannot connect %1 output \"%2.%3\" to %4 input \"%5.%6\"")
                            .arg(portTypeName(out->type), qs(e.from), qs(e.fromPort), portTypeName(in->type), qs(e.to), qs(e.toPort)));
        if (!connectedInputs.emplace(e.to, e.toPort).second)
            error(path, tr("input \"%1.%2\" already has an incoming edge").arg(qs(e.to), qs(e.toPort)));
        successors[e.from].push_back(e.to);
    }

    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const NodeTypeSpec* spec = findNodeType(nodes[i].type);
        if (!spec)
            continue;
        for (const auto& port : spec->inputs)
            if (port.required && !connectedInputs.count({nodes[i].id, port.name}))
                error(jsonPointer({"nodes", i}),
                      tr("input \"%1\" of node \"%2\" is not connected").arg(qs(port.name), qs(nodes[i].id)));
    }

    // Cycles: a depth-first search that reports the first cycle it finds as a
    // path of node ids, so the user sees which edges to remove. Iterative:
    // a chain of 100,000 nodes (a file under the size limit) would overflow
    // the stack of a recursive one.
    std::map<std::string, int> state;   // 0 unvisited, 1 on stack, 2 done
    std::vector<std::pair<std::string, std::size_t>> stack;  // node, its next successor to try
    std::optional<QString> cycle;
    for (const auto& n : nodes) {
        if (cycle || state[n.id] != 0)
            continue;
        state[n.id] = 1;
        stack.emplace_back(n.id, 0);
        while (!stack.empty() && !cycle) {
            auto& [id, nextIndex] = stack.back();
            const auto& succ = successors[id];
            if (nextIndex == succ.size()) {
                state[id] = 2;
                stack.pop_back();
                continue;
            }
            const std::string next = succ[nextIndex++];
            if (state[next] == 1) {
                QStringList ids;
                auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& entry) { return entry.first == next; });
                for (; it != stack.end(); ++it)
                    ids << qs(it->first);
                ids << qs(next);
                cycle = ids.join(QStringLiteral(" → "));
            } else if (state[next] == 0) {
                state[next] = 1;
                stack.emplace_back(next, 0);
            }
        }
    }
    if (cycle)
        error(QStringLiteral("/edges"), tr("the graph has a cycle: %1").arg(*cycle));

    return found;
}

// ---- Editing helpers --------------------------------------------------------

int AgentGraph::nodeIndex(std::string_view id) const
{
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].id == id)
            return static_cast<int>(i);
    return -1;
}

std::string AgentGraph::uniqueNodeId(std::string_view base) const
{
    std::string stem;
    for (const char c : base) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        stem.push_back(ok ? c : '_');
    }
    if (stem.empty() || !((stem[0] >= 'A' && stem[0] <= 'Z') || (stem[0] >= 'a' && stem[0] <= 'z') || stem[0] == '_'))
        stem.insert(stem.begin(), 'n');
    if (stem.size() > 56)
        stem.resize(56);   // room for a numeric suffix within the 64-character limit
    if (nodeIndex(stem) < 0)
        return stem;
    for (int i = 2;; ++i) {
        std::string candidate = stem + std::to_string(i);
        if (nodeIndex(candidate) < 0)
            return candidate;
    }
}

int AgentGraph::edgeInto(std::string_view to, std::string_view toPort) const
{
    for (std::size_t i = 0; i < edges.size(); ++i)
        if (edges[i].to == to && edges[i].toPort == toPort)
            return static_cast<int>(i);
    return -1;
}

QString AgentGraph::checkConnection(const GraphEdge& edge, bool allowReplace) const
{
    const GraphNode* from = node(edge.from);
    const GraphNode* to = node(edge.to);
    if (!from)
        return tr("no node has the id \"%1\"").arg(qs(edge.from));
    if (!to)
        return tr("no node has the id \"%1\"").arg(qs(edge.to));
    const NodeTypeSpec* fromSpec = findNodeType(from->type);
    const NodeTypeSpec* toSpec = findNodeType(to->type);
    if (!fromSpec || !toSpec)
        return tr("unknown node type \"%1\"").arg(qs(fromSpec ? to->type : from->type));
    const PortSpec* out = findPort(fromSpec->outputs, edge.fromPort);
    const PortSpec* in = findPort(toSpec->inputs, edge.toPort);
    if (!out)
        return tr("node \"%1\" (%2) has no output port \"%3\"").arg(qs(edge.from), qs(from->type), qs(edge.fromPort));
    if (!in)
        return tr("node \"%1\" (%2) has no input port \"%3\"").arg(qs(edge.to), qs(to->type), qs(edge.toPort));
    if (!portsCompatible(out->type, in->type))
        return tr("cannot connect %1 output \"%2.%3\" to %4 input \"%5.%6\"")
            .arg(portTypeName(out->type), qs(edge.from), qs(edge.fromPort), portTypeName(in->type), qs(edge.to), qs(edge.toPort));
    if (edge.from == edge.to)
        return tr("a node cannot be connected to itself");
    if (std::find(edges.begin(), edges.end(), edge) != edges.end())
        return tr("\"%1.%2\" is already connected to \"%3.%4\"").arg(qs(edge.from), qs(edge.fromPort), qs(edge.to), qs(edge.toPort));
    if (!allowReplace && edgeInto(edge.to, edge.toPort) >= 0)
        return tr("input \"%1.%2\" already has an incoming edge").arg(qs(edge.to), qs(edge.toPort));
    // The new edge closes a cycle when `from` is reachable from `to`.
    std::set<std::string> seen;
    std::vector<std::string> pending{edge.to};
    while (!pending.empty()) {
        const std::string id = std::move(pending.back());
        pending.pop_back();
        if (id == edge.from)
            return tr("connecting \"%1\" to \"%2\" would make a cycle").arg(qs(edge.from), qs(edge.to));
        if (!seen.insert(id).second)
            continue;
        for (const auto& e : edges)
            if (e.from == id)
                pending.push_back(e.to);
    }
    return {};
}

std::vector<std::pair<double, double>> AgentGraph::layeredLayout(double columnSpacing, double rowSpacing) const
{
    const std::size_t n = nodes.size();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i)
        index.emplace(nodes[i].id, i);   // the first node wins when ids repeat
    std::vector<std::vector<std::size_t>> preds(n), succs(n);
    for (const auto& e : edges) {
        const auto f = index.find(e.from);
        const auto t = index.find(e.to);
        if (f == index.end() || t == index.end() || f->second == t->second)
            continue;
        succs[f->second].push_back(t->second);
        preds[t->second].push_back(f->second);
    }

    // Longest path by Kahn's algorithm, always taking the lowest ready index so
    // the result does not depend on container order. Nodes left on a cycle
    // are released lowest index first, ignoring their unprocessed predecessors.
    std::vector<int> column(n, 0), remaining(n);
    std::vector<bool> done(n, false);
    for (std::size_t i = 0; i < n; ++i)
        remaining[i] = static_cast<int>(preds[i].size());
    std::set<std::size_t> ready;
    for (std::size_t i = 0; i < n; ++i)
        if (remaining[i] == 0)
            ready.insert(i);
    std::vector<std::size_t> order;
    while (order.size() < n) {
        if (ready.empty()) {
            for (std::size_t i = 0; i < n; ++i)
                if (!done[i]) {
                    ready.insert(i);
                    break;
                }
        }
        const std::size_t v = *ready.begin();
        ready.erase(ready.begin());
        if (done[v])
            continue;
        done[v] = true;
        order.push_back(v);
        for (const std::size_t s : succs[v]) {
            if (done[s])
                continue;
            column[s] = std::max(column[s], column[v] + 1);
            if (--remaining[s] == 0)
                ready.insert(s);
        }
    }

    int columns = 0;
    for (const int c : column)
        columns = std::max(columns, c + 1);
    std::vector<std::vector<std::size_t>> byColumn(static_cast<std::size_t>(columns));
    for (std::size_t i = 0; i < n; ++i)
        byColumn[static_cast<std::size_t>(column[i])].push_back(i);
    std::vector<double> row(n, 0);
    for (auto& members : byColumn) {
        std::vector<std::pair<double, std::size_t>> keyed;
        for (const std::size_t v : members) {
            double sum = 0;
            int count = 0;
            for (const std::size_t p : preds[v])
                if (column[p] < column[v]) {
                    sum += row[p];
                    ++count;
                }
            keyed.push_back({count ? sum / count : static_cast<double>(v), v});
        }
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : a.second < b.second;
        });
        for (std::size_t r = 0; r < keyed.size(); ++r)
            row[keyed[r].second] = static_cast<double>(r);
    }

    // Centre each column on the tallest one so the flow reads as a band.
    std::size_t tallest = 0;
    for (const auto& members : byColumn)
        tallest = std::max(tallest, members.size());
    std::vector<std::pair<double, double>> positions(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double offset = (static_cast<double>(tallest) - static_cast<double>(byColumn[static_cast<std::size_t>(column[i])].size())) / 2.0;
        positions[i] = {std::round(column[i] * columnSpacing), std::round((row[i] + offset) * rowSpacing)};
    }
    return positions;
}

} // namespace outpost::core
