#pragma once
// The running side of a project: an ActorRuntime rooted at the project folder
// (state/<class>/<id>.sqlite) with an AgentInstance class registered for every
// agent graph that validates. The studio hosts one while a project is open;
// `outpost serve` puts the gateway in front of the same pieces.
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
    // (chat routes, callables, validators).
    using Configure = std::function<void(AgentClass&)>;

    // Registers every valid agent of `project` and starts the runtime.
    // Agents with errors are skipped and named in skipped(). Errors: the
    // runtime cannot start (state folder not writable, alarm index corrupt).
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
