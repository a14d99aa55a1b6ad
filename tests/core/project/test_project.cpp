// The project format: manifest and agent graphs load, validate with precise
// diagnostics, and save back byte-for-byte; a failed open changes nothing.
#include "core/agent/agent_graph.h"
#include "core/agent/node_types.h"
#include "core/json/untrusted_json.h"
#include "core/project/project.h"
#include "core/project/sample_project.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

using namespace outpost::core;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

// A fingerprint of every file under `root`, to prove nothing changed.
QByteArray treeHash(const QString& root)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    for (const auto& f : files) {
        hash.addData(f.toUtf8());
        hash.addData(readAll(f));
    }
    return hash.result();
}

QString messages(const Diagnostics& ds)
{
    QStringList out;
    for (const auto& d : ds)
        out << d.toString();
    return out.join(QLatin1Char('\n'));
}

const char* kValidAgent = R"({
  "schemaVersion": 1,
  "name": "echo",
  "nodes": [
    {
      "id": "in",
      "type": "input",
      "position": [
        0,
        0
      ]
    },
    {
      "id": "out",
      "type": "output",
      "position": [
        200.5,
        -40
      ]
    }
  ],
  "edges": [
    {
      "from": "in",
      "fromPort": "message",
      "to": "out",
      "toPort": "message"
    }
  ]
}
)";

} // namespace

class TestProject : public QObject {
    Q_OBJECT

private slots:
    void sampleProjectIsValid();
    void sampleProjectSavesByteStable();
    void agentSavesByteStable();
    void malformedJsonReportsLineAndColumn();
    void manifestErrors_data();
    void manifestErrors();
    void graphErrors_data();
    void graphErrors();
    void failedOpenChangesNothing();
    void brokenAgentStillListed();
    void createRefusesExistingProject();
    void hugeFileRefused();
    void deeplyNestedJsonRefused();
    void jsonPointerEscapes();
    void nodeCatalogueIsConsistent();
};

void TestProject::sampleProjectIsValid()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(installSampleProject(dir.path()), QString());
    const auto loaded = Project::open(dir.path());
    QVERIFY2(loaded.ok(), qPrintable(messages(loaded.diagnostics)));
    QVERIFY2(!hasErrors(loaded.diagnostics), qPrintable(messages(loaded.diagnostics)));
    QCOMPARE(loaded.value->manifest().name(), QStringLiteral("hello"));
    QCOMPARE(loaded.value->agents().size(), std::size_t(2));
    QVERIFY(loaded.value->agent(QStringLiteral("assistant")));
    QVERIFY(loaded.value->agent(QStringLiteral("assistant"))->isValid());
    QVERIFY(loaded.value->agent(QStringLiteral("reminder"))->isValid());
    // Opening through the manifest's path works too.
    QVERIFY(Project::open(dir.filePath(QStringLiteral("outpost.json"))).ok());
}

void TestProject::sampleProjectSavesByteStable()
{
    QTemporaryDir dir;
    QCOMPARE(installSampleProject(dir.path()), QString());
    const QByteArray before = treeHash(dir.path());
    auto loaded = Project::open(dir.path());
    QVERIFY(loaded.ok());
    Project& project = *loaded.value;
    QCOMPARE(project.saveManifest(), QString());
    for (const auto& agent : std::vector<AgentFile>(project.agents()))
        QCOMPARE(project.saveAgent(*agent.graph), QString());
    QCOMPARE(treeHash(dir.path()), before);
}

void TestProject::agentSavesByteStable()
{
    QTemporaryDir dir;
    auto created = Project::create(dir.path(), QStringLiteral("demo"));
    QVERIFY2(created.ok(), qPrintable(messages(created.diagnostics)));
    writeFile(dir.filePath(QStringLiteral("agents/echo.agent.json")), kValidAgent);
    auto loaded = Project::open(dir.path());
    QVERIFY(loaded.ok());
    const AgentFile* echo = loaded.value->agent(QStringLiteral("echo"));
    QVERIFY(echo);
    QVERIFY2(echo->isValid(), qPrintable(messages(echo->diagnostics)));
    QCOMPARE(echo->graph->nodes[1].x, 200.5);
    QCOMPARE(canonicalJson(echo->graph->toJson()), QByteArray(kValidAgent));
    QCOMPARE(loaded.value->saveAgent(*echo->graph), QString());
    QCOMPARE(readAll(dir.filePath(QStringLiteral("agents/echo.agent.json"))), QByteArray(kValidAgent));
}

void TestProject::malformedJsonReportsLineAndColumn()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("outpost.json")), "{\n  \"schemaVersion\": 1,\n  \"name\": \"x\",,\n}\n");
    const auto loaded = Project::open(dir.path());
    QVERIFY(!loaded.ok());
    QCOMPARE(loaded.diagnostics.size(), 1);
    const Diagnostic& d = loaded.diagnostics.first();
    QCOMPARE(d.file, QStringLiteral("outpost.json"));
    QCOMPARE(d.line, 3);
    QCOMPARE(d.column, 15);
    QVERIFY2(d.message.contains(QStringLiteral("not valid JSON")), qPrintable(d.message));
    QVERIFY(d.toString().startsWith(QStringLiteral("outpost.json:3:15: error: ")));
}

void TestProject::manifestErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("not an object") << QByteArray("[]") << QString() << "must be a JSON object";
    QTest::newRow("missing version") << QByteArray(R"({"schemaVersion":1,"name":"a"})") << "/version" << "missing required field \"version\"";
    QTest::newRow("bad version") << QByteArray(R"({"schemaVersion":1,"name":"a","version":"1.0"})") << "/version" << "not a semantic version";
    QTest::newRow("future schema") << QByteArray(R"({"schemaVersion":7,"name":"a","version":"1.0.0"})") << "/schemaVersion" << "schema version 7 is not supported";
    QTest::newRow("schema as string") << QByteArray(R"({"schemaVersion":"1","name":"a","version":"1.0.0"})") << "/schemaVersion" << "must be an integer";
    QTest::newRow("bad name") << QByteArray(R"({"schemaVersion":1,"name":"my project","version":"1.0.0"})") << "/name" << "not a valid project name";
    QTest::newRow("model not string") << QByteArray(R"({"schemaVersion":1,"name":"a","version":"1.0.0","defaultModel":3})") << "/defaultModel" << "must be a string";
}

void TestProject::manifestErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("outpost.json")), json);
    const auto loaded = Project::open(dir.path());
    QVERIFY(!loaded.ok());
    bool found = false;
    for (const auto& d : loaded.diagnostics)
        found = found || (d.jsonPath == path && d.message.contains(fragment) && d.file == QLatin1String("outpost.json"));
    QVERIFY2(found, qPrintable(messages(loaded.diagnostics)));
}

void TestProject::graphErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fragment");
    const auto graph = [](const char* nodes, const char* edges) {
        return QByteArray(R"({"schemaVersion":1,"name":"g","nodes":[)") + nodes + R"(],"edges":[)" + edges + "]}";
    };
    const char* io = R"({"id":"in","type":"input"},{"id":"out","type":"output"})";
    const char* ioEdge = R"({"from":"in","fromPort":"message","to":"out","toPort":"message"})";
    QTest::newRow("unknown type") << graph(R"({"id":"in","type":"input"},{"id":"out","type":"output"},{"id":"x","type":"llmm"})", ioEdge)
                                  << "/nodes/2/type" << "unknown node type \"llmm\"";
    QTest::newRow("duplicate id") << graph(R"({"id":"in","type":"input"},{"id":"in","type":"output"})", "") << "/nodes/1/id" << "used twice";
    QTest::newRow("bad id") << graph(R"({"id":"in put","type":"input"},{"id":"out","type":"output"})", "") << "/nodes/0/id" << "not a valid node id";
    QTest::newRow("no input") << graph(R"({"id":"out","type":"output"})", "") << "/nodes" << "needs a node of type \"input\"";
    QTest::newRow("two inputs") << graph(R"({"id":"a","type":"input"},{"id":"b","type":"input"},{"id":"out","type":"output"})", ioEdge)
                                << "/nodes" << "at most 1";
    QTest::newRow("unconnected output") << graph(io, "") << "/nodes/1" << "input \"message\" of node \"out\" is not connected";
    QTest::newRow("missing edge node") << graph(io, R"({"from":"in","fromPort":"message","to":"nowhere","toPort":"message"})")
                                       << "/edges/0/to" << "no node has the id \"nowhere\"";
    QTest::newRow("missing port") << graph(io, R"({"from":"in","fromPort":"text","to":"out","toPort":"message"})")
                                  << "/edges/0/fromPort" << "has no output port \"text\"";
    QTest::newRow("incompatible ports")
        << graph(R"({"id":"in","type":"input"},{"id":"out","type":"output"},{"id":"t","type":"tool","properties":{"tool":"clock"}})",
                 R"({"from":"in","fromPort":"message","to":"out","toPort":"message"},{"from":"in","fromPort":"message","to":"t","toPort":"arguments"})")
        << "/edges/1" << "cannot connect message output \"in.message\" to json input \"t.arguments\"";
    QTest::newRow("two edges into one input")
        << graph(R"({"id":"in","type":"input"},{"id":"r","type":"router","properties":{"condition":"true"}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"r","toPort":"in"},{"from":"r","fromPort":"then","to":"out","toPort":"message"},{"from":"r","fromPort":"else","to":"out","toPort":"message"})")
        << "/edges/2" << "already has an incoming edge";
    QTest::newRow("missing required property")
        << graph(R"({"id":"in","type":"input"},{"id":"out","type":"output"},{"id":"t","type":"set-state"})",
                 R"({"from":"in","fromPort":"message","to":"out","toPort":"message"},{"from":"in","fromPort":"message","to":"t","toPort":"value"})")
        << "/nodes/2/properties" << "needs the property \"path\"";
    QTest::newRow("property out of range")
        << graph(R"({"id":"in","type":"input"},{"id":"l","type":"llm","properties":{"temperature":3}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"l","toPort":"prompt"},{"from":"l","fromPort":"reply","to":"out","toPort":"message"})")
        << "/nodes/1/properties/temperature" << "between 0 and 2";
    QTest::newRow("property wrong type")
        << graph(R"({"id":"in","type":"input"},{"id":"l","type":"llm","properties":{"maxTokens":"many"}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"l","toPort":"prompt"},{"from":"l","fromPort":"reply","to":"out","toPort":"message"})")
        << "/nodes/1/properties/maxTokens" << "must be an integer, not string";
    QTest::newRow("unknown property")
        << graph(R"({"id":"in","type":"input"},{"id":"l","type":"llm","properties":{"temprature":1}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"l","toPort":"prompt"},{"from":"l","fromPort":"reply","to":"out","toPort":"message"})")
        << "/nodes/1/properties/temprature" << "has no property \"temprature\"";
    QTest::newRow("bad choice")
        << graph(R"({"id":"in","type":"input"},{"id":"s","type":"schedule","properties":{"kind":"weekly","when":"1","callback":"c"}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"out","toPort":"message"},{"from":"in","fromPort":"message","to":"s","toPort":"trigger"})")
        << "/nodes/1/properties/kind" << "must be one of: delay, date, cron, every";
    QTest::newRow("cycle")
        << graph(R"({"id":"in","type":"input"},{"id":"a","type":"router","properties":{"condition":"x"}},{"id":"b","type":"router","properties":{"condition":"y"}},{"id":"out","type":"output"})",
                 R"({"from":"in","fromPort":"message","to":"out","toPort":"message"},{"from":"a","fromPort":"then","to":"b","toPort":"in"},{"from":"b","fromPort":"then","to":"a","toPort":"in"})")
        << "/edges" << "the graph has a cycle: a → b → a";
    {
        // A chain of 100,000 routers (11 MB, under the file limit) ending in
        // a cycle: the search for it must not recurse once per node.
        constexpr int kChain = 100000;
        QByteArray nodes = R"({"id":"in","type":"input"},{"id":"out","type":"output"})";
        QByteArray edges = R"({"from":"in","fromPort":"message","to":"out","toPort":"message"},{"from":"in","fromPort":"message","to":"r0","toPort":"in"})";
        for (int i = 0; i < kChain; ++i) {
            const QByteArray id = "r" + QByteArray::number(i);
            const QByteArray next = "r" + QByteArray::number(i + 1 < kChain ? i + 1 : kChain - 2);
            nodes += R"(,{"id":")" + id + R"(","type":"router","properties":{"condition":"x"}})";
            edges += R"(,{"from":")" + id + R"(","fromPort":"then","to":")" + next + R"(","toPort":"in"})";
        }
        QTest::newRow("cycle at the end of a long chain")
            << graph(nodes.constData(), edges.constData()) << "/edges" << "the graph has a cycle: r99998 → r99999 → r99998";
    }
    QTest::newRow("unknown top-level key") << QByteArray(R"({"schemaVersion":1,"name":"g","nodes":[],"extra":1})") << "/extra" << "unknown field \"extra\"";
    QTest::newRow("nodes not array") << QByteArray(R"({"schemaVersion":1,"name":"g","nodes":{}})") << "/nodes" << "must be an array, not object";
    QTest::newRow("bad position") << graph(R"({"id":"in","type":"input","position":[1]},{"id":"out","type":"output"})", ioEdge)
                                  << "/nodes/0/position" << "two finite numbers";
    QTest::newRow("name mismatch") << QByteArray(R"({"schemaVersion":1,"name":"other","nodes":[{"id":"in","type":"input"},{"id":"out","type":"output"}],"edges":[{"from":"in","fromPort":"message","to":"out","toPort":"message"}]})")
                                   << "/name" << "file is named for \"g\"";
}

void TestProject::graphErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    QVERIFY(Project::create(dir.path(), QStringLiteral("p")).ok());
    writeFile(dir.filePath(QStringLiteral("agents/g.agent.json")), json);
    const auto loaded = Project::open(dir.path());
    QVERIFY(loaded.ok());
    const AgentFile* agent = loaded.value->agent(QStringLiteral("g"));
    QVERIFY(agent);
    QVERIFY(!agent->isValid());
    bool found = false;
    for (const auto& d : agent->diagnostics)
        found = found || (d.jsonPath == path && d.message.contains(fragment) && d.file == QLatin1String("agents/g.agent.json"));
    QVERIFY2(found, qPrintable(messages(agent->diagnostics)));
}

void TestProject::failedOpenChangesNothing()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("outpost.json")), R"({"schemaVersion":1,"name":"x","version":"bad"})");
    writeFile(dir.filePath(QStringLiteral("agents/a.agent.json")), "{ not json");
    const QByteArray before = treeHash(dir.path());
    QVERIFY(!Project::open(dir.path()).ok());
    QCOMPARE(treeHash(dir.path()), before);

    QVERIFY(!Project::open(dir.filePath(QStringLiteral("missing"))).ok());
    const auto notProject = Project::open(dir.filePath(QStringLiteral("agents")));
    QVERIFY(!notProject.ok());
    QVERIFY(notProject.diagnostics.first().message.contains(QStringLiteral("outpost.json is missing")));
}

void TestProject::brokenAgentStillListed()
{
    QTemporaryDir dir;
    QVERIFY(Project::create(dir.path(), QStringLiteral("p")).ok());
    writeFile(dir.filePath(QStringLiteral("agents/broken.agent.json")), "{\n  \"nodes\": [\n}");
    writeFile(dir.filePath(QStringLiteral("agents/echo.agent.json")), kValidAgent);
    const auto loaded = Project::open(dir.path());
    QVERIFY(loaded.ok());
    QCOMPARE(loaded.value->agents().size(), std::size_t(2));
    const AgentFile* broken = loaded.value->agent(QStringLiteral("broken"));
    QVERIFY(broken && !broken->graph);
    QCOMPARE(broken->diagnostics.first().line, 3);
    QVERIFY(loaded.value->agent(QStringLiteral("echo"))->isValid());
    QVERIFY(hasErrors(loaded.value->diagnostics()));
}

void TestProject::createRefusesExistingProject()
{
    QTemporaryDir dir;
    QVERIFY(Project::create(dir.path(), QStringLiteral("p")).ok());
    const QByteArray before = treeHash(dir.path());
    QVERIFY(!Project::create(dir.path(), QStringLiteral("q")).ok());
    QVERIFY(!installSampleProject(dir.path()).isEmpty());
    QCOMPARE(treeHash(dir.path()), before);
    QVERIFY(!Project::create(dir.filePath(QStringLiteral("x")), QStringLiteral("1bad")).ok());
}

void TestProject::hugeFileRefused()
{
    QTemporaryDir dir;
    QByteArray huge(static_cast<qsizetype>(kMaxProjectFileBytes + 1), ' ');
    writeFile(dir.filePath(QStringLiteral("outpost.json")), huge);
    const auto loaded = Project::open(dir.path());
    QVERIFY(!loaded.ok());
    QVERIFY(loaded.diagnostics.first().message.contains(QStringLiteral("limited to")));
}

void TestProject::deeplyNestedJsonRefused()
{
    // Deep enough to overflow the stack when a parsed document is copied.
    const int depth = 300000;
    QTemporaryDir dir;
    QVERIFY(Project::create(dir.path(), QStringLiteral("p")).ok());
    QByteArray agent(kValidAgent);
    agent.replace("\"name\": \"echo\",",
                  "\"name\": \"echo\",\n  \"deep\": " + QByteArray(depth, '{').replace("{", "{\"a\":") + "1"
                      + QByteArray(depth, '}') + ",");
    writeFile(dir.filePath(QStringLiteral("agents/echo.agent.json")), agent);
    const auto loaded = Project::open(dir.path());
    QVERIFY(loaded.ok());
    const AgentFile* echo = loaded.value->agent(QStringLiteral("echo"));
    QVERIFY(echo && !echo->graph);
    QCOMPARE(echo->diagnostics.size(), 1);
    QCOMPARE(echo->diagnostics.first().line, 4);
    QCOMPARE(echo->diagnostics.first().column, 11 + 5 * (json::kMaxNesting - 1));
    QVERIFY2(echo->diagnostics.first().message.contains(QStringLiteral("nested deeper than")),
             qPrintable(messages(echo->diagnostics)));

    // Exactly at the limit still loads; one more level is refused.
    writeFile(dir.filePath(QStringLiteral("outpost.json")),
              "{\"schemaVersion\":1,\"name\":\"p\",\"version\":\"0.1.0\",\"x\":" + QByteArray(json::kMaxNesting - 1, '[')
                  + "\"[{\\\"\"" + QByteArray(json::kMaxNesting - 1, ']') + "}");
    QVERIFY2(Project::open(dir.path()).ok(), "a string holding brackets does not count as nesting");
    writeFile(dir.filePath(QStringLiteral("outpost.json")), QByteArray(depth, '[') + QByteArray(depth, ']'));
    const auto manifest = Project::open(dir.path());
    QVERIFY(!manifest.ok());
    QCOMPARE(manifest.diagnostics.size(), 1);
    QCOMPARE(manifest.diagnostics.first().column, json::kMaxNesting + 1);
}

void TestProject::jsonPointerEscapes()
{
    QCOMPARE(jsonPointer({"nodes", std::size_t(2), "a/b~c"}), QStringLiteral("/nodes/2/a~1b~0c"));
}

void TestProject::nodeCatalogueIsConsistent()
{
    for (const auto& spec : nodeTypes()) {
        QVERIFY(!spec.type.empty());
        QCOMPARE(findNodeType(spec.type), &spec);
        for (const auto& p : spec.properties) {
            if (p.kind == PropertyKind::Choice) {
                QVERIFY(!p.choices.empty());
            }
            // Every default value must itself be valid for its property.
            if (!p.defaultValue.is_null() && p.hasRange) {
                QVERIFY(p.defaultValue.get<double>() >= p.minimum);
                QVERIFY(p.defaultValue.get<double>() <= p.maximum);
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
