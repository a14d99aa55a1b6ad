#include "core/project/project.h"

#include <QDir>
#include <QFileInfo>

namespace outpost::core {

namespace {

QString fail(Diagnostics& out, const QString& file, const QString& message)
{
    out.push_back({Diagnostic::Severity::Error, file, {}, 0, 0, message});
    return message;
}

} // namespace

AgentFile Project::loadAgent(const QString& root, const QString& fileName)
{
    AgentFile agent;
    agent.className = fileName.chopped(static_cast<qsizetype>(qstrlen(kAgentSuffix)));
    agent.relativePath = QLatin1String(kAgentsDir) + QLatin1Char('/') + fileName;
    auto json = readJsonFile(QDir(root).filePath(agent.relativePath), agent.relativePath);
    agent.diagnostics = json.diagnostics;
    if (!json.ok())
        return agent;
    auto graph = AgentGraph::fromJson(*json.value, agent.relativePath);
    agent.diagnostics += graph.diagnostics;
    if (!graph.ok())
        return agent;
    agent.graph = std::move(graph.value);
    if (agent.graph->name != agent.className)
        agent.diagnostics.push_back({Diagnostic::Severity::Error, agent.relativePath, QStringLiteral("/name"), 0, 0,
                                     tr("the agent is named \"%1\" but its file is named for \"%2\"")
                                         .arg(agent.graph->name, agent.className)});
    agent.diagnostics += agent.graph->validate(agent.relativePath);
    return agent;
}

Loaded<Project> Project::open(const QString& rootOrManifest)
{
    Loaded<Project> out;
    QFileInfo info(rootOrManifest);
    QString root = rootOrManifest;
    if (info.isFile() && info.fileName() == QLatin1String(Manifest::kFileName))
        root = info.absolutePath();
    else if (!info.exists()) {
        fail(out.diagnostics, rootOrManifest, tr("no such folder"));
        return out;
    } else if (!info.isDir()) {
        fail(out.diagnostics, rootOrManifest, tr("not a project folder (expected a folder holding %1)").arg(QLatin1String(Manifest::kFileName)));
        return out;
    }
    root = QDir(root).absolutePath();

    const QString manifestPath = QDir(root).filePath(QLatin1String(Manifest::kFileName));
    if (!QFileInfo::exists(manifestPath)) {
        fail(out.diagnostics, QDir::toNativeSeparators(manifestPath),
             tr("not an Outpost project: %1 is missing").arg(QLatin1String(Manifest::kFileName)));
        return out;
    }
    auto json = readJsonFile(manifestPath, QLatin1String(Manifest::kFileName));
    out.diagnostics = json.diagnostics;
    if (!json.ok())
        return out;
    auto manifest = Manifest::fromJson(std::move(*json.value), QLatin1String(Manifest::kFileName));
    out.diagnostics += manifest.diagnostics;
    if (!manifest.ok())
        return out;

    Project project(root, std::move(*manifest.value));
    project.m_manifestDiagnostics = manifest.diagnostics;
    const QDir agentsDir(QDir(root).filePath(QLatin1String(kAgentsDir)));
    const QStringList files = agentsDir.entryList({QLatin1String("*") + QLatin1String(kAgentSuffix)}, QDir::Files, QDir::Name);
    for (const QString& file : files)
        project.m_agents.push_back(loadAgent(root, file));
    out.diagnostics = project.diagnostics();
    out.value = std::move(project);
    return out;
}

Loaded<Project> Project::create(const QString& root, const QString& name)
{
    Loaded<Project> out;
    if (!isValidName(name)) {
        fail(out.diagnostics, root, tr("\"%1\" is not a valid project name: use a letter, then letters, digits, \"_\" or \"-\" (at most 64)").arg(name));
        return out;
    }
    QDir dir(root);
    if (dir.exists(QLatin1String(Manifest::kFileName))) {
        fail(out.diagnostics, root, tr("this folder already holds a project"));
        return out;
    }
    if (!QDir().mkpath(dir.filePath(QLatin1String(kAgentsDir)))) {
        fail(out.diagnostics, root, tr("cannot create the folder"));
        return out;
    }
    Project project(QDir(root).absolutePath(), Manifest::create(name));
    if (const QString error = project.saveManifest(); !error.isEmpty()) {
        fail(out.diagnostics, QLatin1String(Manifest::kFileName), error);
        return out;
    }
    out.value = std::move(project);
    return out;
}

const AgentFile* Project::agent(const QString& className) const
{
    for (const auto& a : m_agents)
        if (a.className == className)
            return &a;
    return nullptr;
}

Diagnostics Project::diagnostics() const
{
    Diagnostics all = m_manifestDiagnostics;
    for (const auto& a : m_agents)
        all += a.diagnostics;
    return all;
}

QString Project::absolutePath(const QString& relative) const
{
    return QDir(m_root).filePath(relative);
}

QString Project::saveManifest() const
{
    return writeJsonFile(absolutePath(QLatin1String(Manifest::kFileName)), m_manifest.json());
}

QString Project::saveAgent(const AgentGraph& graph)
{
    if (!isValidName(graph.name))
        return tr("\"%1\" is not a valid agent name").arg(graph.name);
    const QString fileName = graph.name + QLatin1String(kAgentSuffix);
    if (!QDir().mkpath(absolutePath(QLatin1String(kAgentsDir))))
        return tr("cannot create the agents folder");
    if (QString error = writeJsonFile(absolutePath(QLatin1String(kAgentsDir) + QLatin1Char('/') + fileName), graph.toJson());
        !error.isEmpty())
        return error;
    AgentFile reloaded = loadAgent(m_root, fileName);
    for (auto& a : m_agents) {
        if (a.className == reloaded.className) {
            a = std::move(reloaded);
            return {};
        }
    }
    m_agents.push_back(std::move(reloaded));
    std::sort(m_agents.begin(), m_agents.end(), [](const AgentFile& a, const AgentFile& b) { return a.className < b.className; });
    return {};
}

} // namespace outpost::core
