#pragma once
// Tools an LLM node can offer the model: the names in its "tools" property
// and the `tool` nodes wired to its toolCalls output. A `tool` node's "tool"
// property names the tool; "needsApproval" makes every call wait for a
// client's cf_agent_tool_approval. A name that is not a built-in (below) is
// a client tool: the call waits for cf_agent_tool_result.
//
// Built-ins: clock (the time now), getState(path), setState(path, value),
// schedule(message, delaySeconds | date | cron): runs the agent again later
// with `message`, fetch(url): an HTTP GET of a host on the server's
// allowlist (run by the chat service, which owns the network).
#include "core/actor/actor.h"
#include "core/agent/agent_graph.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace outpost::core::agent {

class AgentInstance;
using OJson = nlohmann::ordered_json;

// The callback name of alarms set by the schedule tool.
inline constexpr const char* kChatScheduleCallback = "__outpost_chat";

struct ToolSpec {
    std::string name;
    std::string description;
    OJson parameters = OJson::object(); // JSON Schema of the arguments
    bool needsApproval = false;
    bool serverSide = true; // false: a client tool
};

// The tool `name` as the graph defines it; never fails (unknown names are
// client tools).
ToolSpec resolveTool(const AgentGraph& graph, const std::string& name);
// The OpenAI "tools" entry of a spec.
OJson openAiTool(const ToolSpec& spec);
bool isBuiltinTool(const std::string& name);

// Runs a built-in inside an event of the instance. Errors: unknown tool,
// invalid arguments (the message says which).
actor::Result<OJson> runBuiltinTool(const std::string& name, const OJson& args, AgentInstance& agent, actor::ActorContext& ctx);

} // namespace outpost::core::agent
