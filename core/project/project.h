#pragma once
// An agent project on disk:
//   <root>/outpost.json                 the manifest
//   <root>/agents/<class>.agent.json    one graph per agent class
//   <root>/state/<class>/<id>.sqlite    one database per instance (runtime)
//   <root>/memory/<index>/              vector indexes (runtime)
// Opening reads and never writes. A project whose manifest does not load
// cannot be opened; an agent file with problems is still listed, with its
// diagnostics, so the user can see and fix it.
#include "core/agent/agent_graph.h"
#include "core/project/diagnostic.h"
#include "core/project/manifest.h"

#include <QString>

#include <optional>
#include <vector>

namespace outpost::core {

struct AgentFile {
    QString className;                 // from the file name: <class>.agent.json
    QString relativePath;              // "agents/<class>.agent.json"
    std::optional<AgentGraph> graph;   // absent when the file does not parse
    Diagnostics diagnostics;           // parse and validation problems

    bool isValid() const { return graph.has_value() && !hasErrors(diagnostics); }
};

class Project {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::Project)

public:
    static constexpr const char* kAgentsDir = "agents";
    static constexpr const char* kAgentSuffix = ".agent.json";

    // Opens the project in `root` (a folder, or the path of its outpost.json).
    static Loaded<Project> open(const QString& root);

    // Creates the folder layout and a manifest named `name` in an empty or
    // missing folder. Refuses a folder that already holds a project.
    static Loaded<Project> create(const QString& root, const QString& name);

    QString root() const { return m_root; }
    const Manifest& manifest() const { return m_manifest; }
    Manifest& manifest() { return m_manifest; }
    const std::vector<AgentFile>& agents() const { return m_agents; }
    const AgentFile* agent(const QString& className) const;

    // Manifest warnings and every agent file's diagnostics, in file order.
    Diagnostics diagnostics() const;

    // Write back atomically; return "" on success, else the reason.
    QString saveManifest() const;
    QString saveAgent(const AgentGraph& graph);

    QString absolutePath(const QString& relative) const;

private:
    Project(QString root, Manifest manifest) : m_root(std::move(root)), m_manifest(std::move(manifest)) {}
    static AgentFile loadAgent(const QString& root, const QString& fileName);

    QString m_root;
    Manifest m_manifest;
    Diagnostics m_manifestDiagnostics;
    std::vector<AgentFile> m_agents;
};

} // namespace outpost::core
