#pragma once
// AgentInstance: one instance of an agent class as an actor, without the LLM.
// It owns the instance's JSON state (table cf_agents_state, row
// 'cf_state_row_id', as the Agents SDK stores it), its RPC methods, its
// interval schedules, and it speaks the Agents SDK frames (agent_protocol.h).
//
// Messages it understands (sent by the gateway through ActorRuntime::post):
//   {"op":"connect","conn":C,"proto":bool}                -> {"frames":[...]}
//   {"op":"frame","conn":C,"readonly":bool,"proto":bool,"text":T}
//                                                          -> {"frames":[...][,"close":[code,reason]]}
//   {"op":"http","method":M,"path":P,"body":B,"readonly":bool}
//                                                          -> {"status":S,"contentType":T,"body":B}
// A failing RPC method fails the event (its writes are rolled back and its
// broadcasts dropped); the runtime hands the error to the gateway, which
// turns it into the RPC error frame (protocol::framesForFailure).
//
// Broadcasts (through ActorContext::broadcast, after the commit):
//   {"text":T,"proto":bool[,"except":C]}: send T to every joined connection
//   of the instance, only to protocol connections when "proto" is true, and
//   not to connection C.
//
// Invariants:
// - The in-memory state equals the committed row after every successful
//   event; a failed event restores the state it started with (onMessage).
// - A readonly connection changes nothing: client state frames get
//   "Connection is readonly" and so does any RPC that tries to write (state,
//   schedules).
// - scheduleEvery(seconds, callback, payload) is idempotent: the interval is
//   keyed by (callback, seconds, payload) in cf_agents_intervals, so calling
//   it again on every wake-up or restart returns the same schedule.
#include "core/actor/actor.h"
#include "core/agent/agent_graph.h"
#include "core/agent/agent_protocol.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace outpost::core::actor {
class ActorRuntime;
}

namespace outpost::core::agent {

using actor::Error;
using actor::Result;
using actor::Status;

enum class StateSource { Client, Server };

class AgentInstance;

// What a callable, an HTTP handler or a schedule callback may do.
class CallContext {
public:
    CallContext(AgentInstance& agent, actor::ActorContext& ctx, std::string connection, bool readonly)
        : m_agent(agent), m_ctx(ctx), m_connection(std::move(connection)), m_readonly(readonly)
    {
    }
    actor::ActorContext& actor() { return m_ctx; }
    const std::string& connection() const { return m_connection; }
    bool readonly() const { return m_readonly; }
    const std::optional<OJson>& state() const;
    // Validates, persists, and broadcasts the state to every protocol
    // connection. Errors: readonly connection ("Connection is readonly"),
    // rejected by the validator ("State update rejected"), storage.
    Status setState(OJson state);
    // Sends raw text to every connection of the instance (after the commit).
    void broadcast(std::string text);
    // Closes the calling connection after the event (no RPC reply is sent).
    void closeConnection(int code, std::string reason);

private:
    friend class AgentInstance;
    AgentInstance& m_agent;
    actor::ActorContext& m_ctx;
    std::string m_connection;
    bool m_readonly;
    std::optional<std::pair<int, std::string>> m_close;
};

struct HttpResult {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
};

// One agent class: what the gateway serves at /agents/<urlName>/<name>.
struct AgentClass {
    std::string className; // the actor class (folder name under state/)
    std::string urlName;   // kebab case of className, unless set
    // The state a new instance starts with; absent: no state until set.
    std::optional<OJson> initialState;
    // Returns an error message to reject a state (never sent to clients).
    std::function<std::optional<std::string>(const OJson& next, StateSource source)> validate;
    // Extra RPC methods; built-in names (see AgentInstance) cannot be replaced.
    using Callable = std::function<Result<OJson>(CallContext&, const OJson& args)>;
    std::map<std::string, Callable> callables;
    // Extra HTTP handlers keyed "METHOD path" (path after /agents/<class>/<name>/).
    using HttpHandler = std::function<Result<HttpResult>(CallContext&, const std::string& body)>;
    std::map<std::string, HttpHandler> http;
    // Schedule callbacks by name: (payload, schedule JSON as listSchedules shows it).
    using Callback = std::function<Status(CallContext&, const OJson& payload, const OJson& schedule)>;
    std::map<std::string, Callback> callbacks;
    // Frames that are neither RPC nor state (not JSON, or another type).
    std::function<void(CallContext&, const std::string& text)> onMessage;
};

class AgentInstance : public actor::Actor {
public:
    // Built-in RPC methods: getState, setState(state), listSchedules,
    // getSchedule(id), schedule(when, callback, payload), scheduleEvery(seconds,
    // callback, payload), cancelSchedule(id), sql(query, ...params) (read-only).
    // `when` is a delay in seconds (number), a cron expression, or an ISO-8601
    // date (string).
    explicit AgentInstance(std::shared_ptr<const AgentClass> cls) : m_class(std::move(cls)) {}

    Status onLoad(actor::ActorContext& ctx) override;
    Result<actor::Json> onMessage(actor::ActorContext& ctx, const actor::Json& message) override;
    Status onCallback(actor::ActorContext& ctx, const std::string& callback, const actor::Json& payload) override;

    const std::optional<OJson>& state() const { return m_state; }
    // For the graph executor and tools (inside an event of this instance):
    // the value at a dotted path of the state ("" = the whole state; null
    // when absent), and setting it (persisted and broadcast like setState).
    OJson stateAt(const std::string& path) const;
    Status setStateAt(actor::ActorContext& ctx, const std::string& path, OJson value);

    // Reserved callback name of interval schedules.
    static constexpr const char* kIntervalCallback = "__outpost_interval";

private:
    friend class CallContext;
    Result<actor::Json> connect(actor::ActorContext& ctx, const actor::Json& message);
    Result<actor::Json> frame(actor::ActorContext& ctx, const actor::Json& message);
    Result<actor::Json> http(actor::ActorContext& ctx, const actor::Json& message);
    Result<OJson> call(CallContext& call, const std::string& method, const OJson& args);
    Status setStateImpl(CallContext& call, OJson state, StateSource source, const std::string& except);

    Result<OJson> listSchedules(actor::ActorContext& ctx);
    Result<OJson> schedule(CallContext& call, const OJson& args);
    Result<OJson> scheduleEvery(CallContext& call, const OJson& args);
    Result<OJson> cancelSchedule(CallContext& call, const OJson& args);
    Result<OJson> sql(actor::ActorContext& ctx, const OJson& args);

    std::shared_ptr<const AgentClass> m_class;
    std::optional<OJson> m_state;
    bool m_loaded = false;
};

// The class served for an agent graph of a project: no validator, no extra
// methods; initial state {} when the graph has a set-state node.
AgentClass agentClassFor(const AgentGraph& graph, const std::string& className);

// The agent classes a server serves, found by class name or URL name.
class AgentRegistry {
public:
    // Errors: invalid or duplicate class name or URL name.
    Status add(AgentClass cls);
    std::shared_ptr<const AgentClass> byUrlName(std::string_view urlName) const;
    std::shared_ptr<const AgentClass> byClassName(std::string_view className) const;
    const std::vector<std::shared_ptr<const AgentClass>>& classes() const { return m_classes; }
    // Registers an AgentInstance factory for every class. Before start().
    Status registerWith(actor::ActorRuntime& runtime) const;

private:
    std::vector<std::shared_ptr<const AgentClass>> m_classes;
};

} // namespace outpost::core::agent
