#pragma once
// The catalogue of node types an agent graph can use: their typed ports and
// the schema of their properties. The runtime, the validator, the studio's
// palette and property panel all read this one table.
#include <QString>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace outpost::core {

// What flows along an edge. An edge joins an output to an input of the same
// type; Any on either side accepts every type.
enum class PortType { Message, Text, Json, Any };

struct PortSpec {
    std::string name;
    PortType type;
    bool required = false;   // an input that must be connected
};

enum class PropertyKind {
    String,      // one line
    Text,        // multi-line (prompts, code)
    Integer,
    Number,
    Boolean,
    Choice,      // one of `choices`
    StringList,
    Object,      // free JSON object
};

struct PropertySpec {
    std::string name;
    PropertyKind kind;
    bool required = false;
    nlohmann::ordered_json defaultValue;   // null when none
    double minimum = 0;                    // Integer/Number, when hasRange
    double maximum = 0;
    bool hasRange = false;
    std::vector<std::string> choices;      // Choice
    const char* label = "";                // shown in the studio; translated there (context "outpost::core::NodeTypes")
};

struct NodeTypeSpec {
    std::string type;          // "llm", "memory.recall", ...
    const char* title = "";    // translated for display (context "outpost::core::NodeTypes")
    const char* description = "";
    std::string category;      // palette group: flow, model, tools, memory, state
    std::vector<PortSpec> inputs;
    std::vector<PortSpec> outputs;
    std::vector<PropertySpec> properties;
    int minPerGraph = 0;       // "input": exactly one per graph
    int maxPerGraph = -1;      // -1: unlimited
};

const std::vector<NodeTypeSpec>& nodeTypes();
const NodeTypeSpec* findNodeType(std::string_view type);
const PortSpec* findPort(const std::vector<PortSpec>& ports, std::string_view name);
const PropertySpec* findProperty(const NodeTypeSpec& spec, std::string_view name);

bool portsCompatible(PortType from, PortType to);
QString portTypeName(PortType type);
QString propertyKindName(PropertyKind kind);

} // namespace outpost::core
