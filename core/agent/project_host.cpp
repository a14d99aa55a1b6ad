#include "core/agent/project_host.h"

namespace outpost::core::agent {

Result<std::unique_ptr<ProjectHost>> ProjectHost::start(const Project& project, actor::RuntimeOptions options,
                                                         const Configure& configure)
{
    std::unique_ptr<ProjectHost> host(new ProjectHost());
    for (const auto& file : project.agents()) {
        if (!file.isValid()) {
            host->m_skipped.push_back(file.relativePath.toStdString());
            continue;
        }
        AgentClass cls = agentClassFor(*file.graph, file.className.toStdString());
        if (configure)
            configure(cls);
        if (auto st = host->m_registry.add(std::move(cls)); !st)
            return Error{st.error()};
    }
    if (options.rootDir.empty())
        options.rootDir = project.root().toStdString();
    host->m_runtime = std::make_unique<actor::ActorRuntime>(std::move(options));
    if (auto st = host->m_registry.registerWith(*host->m_runtime); !st)
        return Error{st.error()};
    if (auto st = host->m_runtime->start(); !st)
        return Error{st.error()};
    return host;
}

ProjectHost::~ProjectHost()
{
    if (m_runtime)
        m_runtime->stop();
}

} // namespace outpost::core::agent
