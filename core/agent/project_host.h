#pragma once
// The running side of a project: an ActorRuntime rooted at the project folder
// (state/<class>/<id>.sqlite) with an AgentInstance class registered for every
// agent graph that validates. The studio hosts one while a project is open;
// `outpost serve` puts the chat service and the gateway in front of one.
//
// Two ways to use it: start() does everything at once; or create(), then
// addAgents() (the runtime exists, so services that need it can be built
// and can configure each class), then wire sinks (a gateway), then run().
#include "core/actor/actor_runtime.h"
#include "core/agent/agent_instance.h"
#include "core/project/project.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace outpost::core::agent {

class ProjectHost {
public:
    // Lets the caller add behaviour to each class before it is registered
    // (chat routes, callables, validators), with the graph it comes from.
    using Configure = std::function<void(AgentClass&, const AgentGraph&)>;

    // A runtime for `project`, not started, with no classes yet.
    static std::unique_ptr<ProjectHost> create(const Project& project, actor::RuntimeOptions options = {});
    // Registers every valid agent of the project (once, before run()).
    // Agents with errors are skipped and named in skipped(). Errors: a
    // class the runtime refuses.
    Status addAgents(const Project& project, const Configure& configure = {});
    // Starts the runtime. Errors: the state folder is not writable, the
    // alarm index is corrupt.
    Status run();

    // create() + addAgents() + run().
    static Result<std::unique_ptr<ProjectHost>> start(const Project& project, actor::RuntimeOptions options = {},
                                                      const Configure& configure = {});
    ~ProjectHost();   // stops the runtime: queued events finish and commit

    ProjectHost(const ProjectHost&) = delete;
    ProjectHost& operator=(const ProjectHost&) = delete;

    actor::ActorRuntime& runtime() { return *m_runtime; }
    const AgentRegistry& registry() const { return m_registry; }
    // "agents/x.agent.json" of each agent left out because it has errors.
    const std::vector<std::string>& skipped() const { return m_skipped; }

private:
    ProjectHost() = default;

    AgentRegistry m_registry;
    std::unique_ptr<actor::ActorRuntime> m_runtime;
    std::vector<std::string> m_skipped;
};

} // namespace outpost::core::agent
