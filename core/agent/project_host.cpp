#include "core/agent/project_host.h"

namespace outpost::core::agent {

std::unique_ptr<ProjectHost> ProjectHost::create(const Project& project, actor::RuntimeOptions options)
{
    std::unique_ptr<ProjectHost> host(new ProjectHost());
    if (options.rootDir.empty())
        options.rootDir = project.root().toStdString();
    host->m_runtime = std::make_unique<actor::ActorRuntime>(std::move(options));
    return host;
}

Status ProjectHost::addAgents(const Project& project, const Configure& configure)
{
    for (const auto& file : project.agents()) {
        if (!file.isValid()) {
            m_skipped.push_back(file.relativePath.toStdString());
            continue;
        }
        AgentClass cls = agentClassFor(*file.graph, file.className.toStdString());
        if (configure)
            configure(cls, *file.graph);
        if (auto st = m_registry.add(std::move(cls)); !st)
            return st;
    }
    return m_registry.registerWith(*m_runtime);
}

Status ProjectHost::run()
{
    return m_runtime->start();
}

Result<std::unique_ptr<ProjectHost>> ProjectHost::start(const Project& project, actor::RuntimeOptions options,
                                                         const Configure& configure)
{
    auto host = create(project, std::move(options));
    if (auto st = host->addAgents(project, configure); !st)
        return Error{st.error()};
    if (auto st = host->run(); !st)
        return Error{st.error()};
    return host;
}

ProjectHost::~ProjectHost()
{
    if (m_runtime)
        m_runtime->stop();
}

} // namespace outpost::core::agent
