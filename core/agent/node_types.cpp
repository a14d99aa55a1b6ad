#include "core/agent/node_types.h"

#include <QCoreApplication>

namespace outpost::core {

namespace {

using J = nlohmann::ordered_json;

PropertySpec prop(std::string name, PropertyKind kind, const char* label, bool required = false, J def = nullptr)
{
    PropertySpec p;
    p.name = std::move(name);
    p.kind = kind;
    p.label = label;
    p.required = required;
    p.defaultValue = std::move(def);
    return p;
}

PropertySpec ranged(PropertySpec p, double lo, double hi)
{
    p.minimum = lo;
    p.maximum = hi;
    p.hasRange = true;
    return p;
}

PropertySpec choice(std::string name, std::vector<std::string> choices, const char* label, bool required, J def)
{
    PropertySpec p = prop(std::move(name), PropertyKind::Choice, label, required, std::move(def));
    p.choices = std::move(choices);
    return p;
}

std::vector<NodeTypeSpec> buildCatalogue()
{
    using K = PropertyKind;
    using P = PortType;
    std::vector<NodeTypeSpec> t;

    t.push_back({"input", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Input"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Where each incoming message or schedule enters the graph"),
                 "flow", {}, {{"message", P::Message, false}}, {}, 1, 1});

    t.push_back({"llm", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Language model"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Answers with a local model or an OpenAI-compatible endpoint"),
                 "model",
                 {{"prompt", P::Message, true}, {"context", P::Text, false}},
                 {{"reply", P::Message, false}, {"toolCalls", P::Json, false}},
                 {prop("model", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Model"), false, "default"),
                  prop("endpoint", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Endpoint URL")),
                  prop("systemPrompt", K::Text, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "System prompt")),
                  ranged(prop("temperature", K::Number, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Temperature"), false, 0.7), 0, 2),
                  ranged(prop("topP", K::Number, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Top-p"), false, 0.95), 0, 1),
                  ranged(prop("maxTokens", K::Integer, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Maximum tokens"), false, 512), 1, 1 << 20),
                  prop("tools", K::StringList, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Tools"), false, J::array())},
                 0, -1});

    t.push_back({"tool", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Tool"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Calls one tool with JSON arguments"),
                 "tools",
                 {{"arguments", P::Json, true}},
                 {{"result", P::Json, false}},
                 {prop("tool", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Tool name"), true),
                  prop("needsApproval", K::Boolean, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Needs approval"), false, false)},
                 0, -1});

    t.push_back({"router", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Router"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Sends its input one way or the other by a condition"),
                 "flow",
                 {{"in", P::Any, true}},
                 {{"then", P::Any, false}, {"else", P::Any, false}},
                 {prop("condition", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Condition"), true)},
                 0, -1});

    t.push_back({"memory.recall", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Recall memory"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Finds the stored passages closest to the message"),
                 "memory",
                 {{"query", P::Message, true}},
                 {{"context", P::Text, false}},
                 {prop("index", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Index"), true),
                  ranged(prop("topK", K::Integer, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Results"), false, 5), 1, 100),
                  prop("namespace", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Namespace")),
                  prop("filter", K::Object, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Metadata filter"))},
                 0, -1});

    t.push_back({"memory.write", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Write memory"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Stores its input in a vector index"),
                 "memory",
                 {{"content", P::Any, true}},
                 {},
                 {prop("index", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Index"), true),
                  prop("namespace", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Namespace"))},
                 0, -1});

    t.push_back({"code", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Code"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Runs a small JavaScript program in the sandbox"),
                 "tools",
                 {{"in", P::Json, false}},
                 {{"out", P::Json, false}},
                 {prop("source", K::Text, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Source"), true),
                  ranged(prop("timeoutMs", K::Integer, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Time limit (ms)"), false, 1000), 1, 600000)},
                 0, -1});

    t.push_back({"schedule", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Schedule"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Sets an alarm that runs the agent again later"),
                 "state",
                 {{"trigger", P::Any, true}},
                 {},
                 {choice("kind", {"delay", "date", "cron", "every"}, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Kind"), true, "delay"),
                  prop("when", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "When"), true),
                  prop("callback", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Callback"), true),
                  prop("payload", K::Object, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Payload"))},
                 0, -1});

    t.push_back({"approval", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Approval"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Waits until a person approves or denies"),
                 "flow",
                 {{"in", P::Any, true}},
                 {{"approved", P::Any, false}, {"denied", P::Any, false}},
                 {prop("question", K::Text, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Question"), true)},
                 0, -1});

    t.push_back({"set-state", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Set state"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Writes its input into the instance's state"),
                 "state",
                 {{"value", P::Any, true}},
                 {},
                 {prop("path", K::String, QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "State path"), true)},
                 0, -1});

    t.push_back({"output", QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Output"),
                 QT_TRANSLATE_NOOP("outpost::core::NodeTypes", "Sends the reply to every connected client"),
                 "flow",
                 {{"message", P::Message, true}},
                 {},
                 {},
                 1, -1});
    return t;
}

} // namespace

const std::vector<NodeTypeSpec>& nodeTypes()
{
    static const std::vector<NodeTypeSpec> catalogue = buildCatalogue();
    return catalogue;
}

const NodeTypeSpec* findNodeType(std::string_view type)
{
    for (const auto& spec : nodeTypes())
        if (spec.type == type)
            return &spec;
    return nullptr;
}

const PortSpec* findPort(const std::vector<PortSpec>& ports, std::string_view name)
{
    for (const auto& port : ports)
        if (port.name == name)
            return &port;
    return nullptr;
}

const PropertySpec* findProperty(const NodeTypeSpec& spec, std::string_view name)
{
    for (const auto& property : spec.properties)
        if (property.name == name)
            return &property;
    return nullptr;
}

bool portsCompatible(PortType from, PortType to)
{
    return from == to || from == PortType::Any || to == PortType::Any;
}

QString portTypeName(PortType type)
{
    switch (type) {
    case PortType::Message: return QStringLiteral("message");
    case PortType::Text: return QStringLiteral("text");
    case PortType::Json: return QStringLiteral("json");
    case PortType::Any: return QStringLiteral("any");
    }
    return {};
}

QString propertyKindName(PropertyKind kind)
{
    switch (kind) {
    case PropertyKind::String: return QStringLiteral("string");
    case PropertyKind::Text: return QStringLiteral("text");
    case PropertyKind::Integer: return QStringLiteral("integer");
    case PropertyKind::Number: return QStringLiteral("number");
    case PropertyKind::Boolean: return QStringLiteral("boolean");
    case PropertyKind::Choice: return QStringLiteral("choice");
    case PropertyKind::StringList: return QStringLiteral("list of strings");
    case PropertyKind::Object: return QStringLiteral("object");
    }
    return {};
}

} // namespace outpost::core
