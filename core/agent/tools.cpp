#include "core/agent/tools.h"

#include "core/agent/agent_instance.h"

#include <QDateTime>

namespace outpost::core::agent {

namespace {

OJson schema(std::initializer_list<std::pair<const char*, const char*>> props, std::initializer_list<const char*> required)
{
    OJson p = OJson::object();
    for (const auto& [name, type] : props) {
        OJson t = OJson::object();
        if (std::string(type) != "any")
            t["type"] = type;
        p[name] = t;
    }
    OJson s = OJson::object();
    s["type"] = "object";
    s["properties"] = p;
    s["required"] = OJson::array();
    for (const char* r : required)
        s["required"].push_back(r);
    return s;
}

} // namespace

bool isBuiltinTool(const std::string& name)
{
    return name == "clock" || name == "getState" || name == "setState" || name == "schedule" || name == "fetch";
}

ToolSpec resolveTool(const AgentGraph& graph, const std::string& name)
{
    ToolSpec spec;
    spec.name = name;
    if (name == "clock") {
        spec.description = "The current date and time (ISO 8601, UTC) and Unix time in milliseconds.";
        spec.parameters = schema({}, {});
    } else if (name == "getState") {
        spec.description = "Reads a value of the agent's state by dotted path (empty for all of it).";
        spec.parameters = schema({{"path", "string"}}, {});
    } else if (name == "setState") {
        spec.description = "Writes a value into the agent's state at a dotted path.";
        spec.parameters = schema({{"path", "string"}, {"value", "any"}}, {"path", "value"});
    } else if (name == "schedule") {
        spec.description = "Runs this agent again later with a message: after delaySeconds, at an ISO-8601 date, or on a cron schedule.";
        spec.parameters = schema({{"message", "string"}, {"delaySeconds", "number"}, {"date", "string"}, {"cron", "string"}}, {"message"});
    } else if (name == "fetch") {
        spec.description = "HTTP GET of a URL whose host the server allows; returns status, content type and up to 64 KiB of the body.";
        spec.parameters = schema({{"url", "string"}}, {"url"});
    } else {
        spec.serverSide = false;
        spec.description = "Runs " + name + " (answered by the client).";
        spec.parameters = OJson{{"type", "object"}};
    }
    for (const auto& node : graph.nodes) {
        if (node.type != "tool")
            continue;
        const Json tool = graph.property(node, "tool");
        if (!tool.is_string() || tool.get<std::string>() != name)
            continue;
        const Json approval = graph.property(node, "needsApproval");
        spec.needsApproval = approval.is_boolean() && approval.get<bool>();
    }
    return spec;
}

OJson openAiTool(const ToolSpec& spec)
{
    OJson fn = OJson::object();
    fn["name"] = spec.name;
    fn["description"] = spec.description;
    fn["parameters"] = spec.parameters;
    return OJson{{"type", "function"}, {"function", fn}};
}

actor::Result<OJson> runBuiltinTool(const std::string& name, const OJson& args, AgentInstance& agent, actor::ActorContext& ctx)
{
    const OJson a = args.is_object() ? args : OJson::object();
    if (name == "clock") {
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(ctx.nowMs(), Qt::UTC);
        OJson out = OJson::object();
        out["iso"] = now.toString(Qt::ISODateWithMs).toStdString();
        out["unixMs"] = ctx.nowMs();
        return out;
    }
    if (name == "getState") {
        const std::string path = a.contains("path") && a["path"].is_string() ? a["path"].get<std::string>() : "";
        return agent.stateAt(path);
    }
    if (name == "setState") {
        if (!a.contains("path") || !a["path"].is_string())
            return actor::Error{"setState: \"path\" must be a string"};
        const std::string path = a["path"].get<std::string>();
        if (auto st = agent.setStateAt(ctx, path, a.contains("value") ? a["value"] : OJson(nullptr)); !st)
            return actor::Error{"setState: " + st.error()};
        return OJson{{"ok", true}, {"path", path}};
    }
    if (name == "schedule") {
        if (!a.contains("message") || !a["message"].is_string())
            return actor::Error{"schedule: \"message\" must be a string"};
        alarms::When when;
        if (a.contains("delaySeconds") && a["delaySeconds"].is_number() && a["delaySeconds"].get<double>() >= 0)
            when = alarms::When::delay(std::int64_t(a["delaySeconds"].get<double>() * 1000.0));
        else if (a.contains("date") && a["date"].is_string()) {
            const QDateTime date = QDateTime::fromString(QString::fromStdString(a["date"].get<std::string>()), Qt::ISODateWithMs);
            if (!date.isValid())
                return actor::Error{"schedule: \"date\" is not an ISO-8601 date"};
            when = alarms::When::at(date.toMSecsSinceEpoch());
        } else if (a.contains("cron") && a["cron"].is_string())
            when = alarms::When::every(a["cron"].get<std::string>());
        else
            return actor::Error{"schedule: give delaySeconds (>= 0), date or cron"};
        OJson payload = OJson{{"message", a["message"]}};
        auto id = ctx.schedule(when, kChatScheduleCallback, actor::Json{{"$ojson", payload.dump()}});
        if (!id)
            return actor::Error{"schedule: " + id.error()};
        return OJson{{"id", *id}};
    }
    if (name == "fetch")
        return actor::Error{"fetch runs only as a tool of an llm node"};
    return actor::Error{"no built-in tool named '" + name + "'"};
}

} // namespace outpost::core::agent
