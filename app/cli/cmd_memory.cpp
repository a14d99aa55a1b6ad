// outpost memory SUBCOMMAND PROJECT INDEX ...: vector memory for scripts.
// Input and output are JSON lines, so the command composes with jq and pipes.
#include "cli/command.h"

#include "core/json/untrusted_json.h"
#include "core/memory/memory_store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

namespace outpost::cli {

namespace {

using namespace core::memory;
using Json = nlohmann::json;

// A line or argument as JSON; `error` set when it nests deeper than any
// record needs (copying such a value would exhaust the stack) or is not JSON.
Json parseInput(const std::string& text, std::string& error)
{
    if (core::json::tooDeepAt(text) >= 0) {
        error = "JSON nested deeper than " + std::to_string(core::json::kMaxNesting) + " levels";
        return Json(Json::value_t::discarded);
    }
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded())
        error = "not valid JSON";
    return j;
}

QString tr(const char* text) { return QCoreApplication::translate("outpost::cli", text); }

void fail(const QString& message) { QTextStream(stderr) << "outpost memory: " << message << "\n"; }
void fail(const std::string& message) { fail(QString::fromStdString(message)); }

void printLine(const Json& j)
{
    std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

// The two positionals every subcommand starts with; false after printing why.
bool projectAndIndex(const QStringList& positional, std::string& project, std::string& index)
{
    if (positional.size() < 2) {
        fail(tr("give a project folder and an index name"));
        return false;
    }
    project = positional[0].toStdString();
    index = positional[1].toStdString();
    std::error_code ec;
    if (!std::filesystem::is_directory(project, ec)) {
        fail(tr("%1: no such project folder").arg(positional[0]));
        return false;
    }
    return true;
}

bool parseValues(const Json& j, std::vector<float>& out, std::string& error)
{
    if (!j.is_array()) {
        error = "\"values\" must be an array of numbers";
        return false;
    }
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_number()) {
            error = "\"values\"[" + std::to_string(i) + "] is not a number";
            return false;
        }
        out.push_back(j[i].get<float>());
    }
    return true;
}

int runCreate(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption dims(QStringLiteral("dimensions"), tr("Vector dimension (1..4096)."), QStringLiteral("D"));
    const QCommandLineOption metric(QStringLiteral("metric"), tr("cosine, euclidean or dot-product (default cosine)."),
                                    QStringLiteral("METRIC"), QStringLiteral("cosine"));
    const QCommandLineOption m(QStringLiteral("m"), tr("HNSW links per node (default 16)."), QStringLiteral("M"), QStringLiteral("16"));
    const QCommandLineOption efc(QStringLiteral("ef-construction"), tr("HNSW build candidate list (default 200)."),
                                 QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption efs(QStringLiteral("ef-search"), tr("HNSW query candidate list (default 128)."),
                                 QStringLiteral("N"), QStringLiteral("128"));
    parser.addOptions({dims, metric, m, efc, efs});
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    std::string project, name;
    if (!projectAndIndex(parser.positionalArguments(), project, name))
        return kExitUsage;
    bool ok = false;
    IndexConfig config;
    config.dimension = parser.value(dims).toInt(&ok);
    if (!parser.isSet(dims) || !ok)
        return fail(tr("--dimensions D is required (1..4096)")), kExitUsage;
    const auto parsedMetric = metricFromName(parser.value(metric).toStdString());
    if (!parsedMetric)
        return fail(tr("unknown metric '%1' (cosine, euclidean, dot-product)").arg(parser.value(metric))), kExitUsage;
    config.metric = *parsedMetric;
    bool okM = false, okC = false, okS = false;
    config.graph.M = parser.value(m).toULongLong(&okM);
    config.graph.efConstruction = parser.value(efc).toULongLong(&okC);
    config.efSearch = parser.value(efs).toULongLong(&okS);
    if (!okM || !okC || !okS)
        return fail(tr("--m, --ef-construction and --ef-search take whole numbers")), kExitUsage;
    auto index = createIndex(project, name, config);
    if (!index)
        return fail(index.error()), kExitFailure;
    printLine({{"created", name}, {"dimension", config.dimension}, {"metric", metricName(config.metric)}});
    return kExitOk;
}

int runUpsert(QCommandLineParser& parser, const QStringList& args)
{
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    std::string project, name;
    if (!projectAndIndex(parser.positionalArguments(), project, name))
        return kExitUsage;
    auto index = openIndex(project, name);
    if (!index)
        return fail(index.error()), kExitFailure;
    // Read and check every line first: a bad line anywhere writes nothing.
    std::vector<VectorRecord> records;
    std::string line;
    std::size_t lineNo = 0;
    while (std::getline(std::cin, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        std::string parseError;
        const Json j = parseInput(line, parseError);
        auto bad = [&](const std::string& why) {
            fail("stdin line " + std::to_string(lineNo) + ": " + why + " (nothing was written)");
            return kExitFailure;
        };
        if (!parseError.empty())
            return bad(parseError);
        if (!j.is_object())
            return bad("not a JSON object");
        for (const auto& [key, value] : j.items())
            if (key != "id" && key != "values" && key != "metadata" && key != "namespace")
                return bad("unknown key \"" + key + "\" (id, values, metadata, namespace)");
        VectorRecord r;
        if (!j.contains("id") || !j["id"].is_string())
            return bad("\"id\" must be a string");
        r.id = j["id"].get<std::string>();
        std::string error;
        if (!j.contains("values") || !parseValues(j["values"], r.values, error))
            return bad(j.contains("values") ? error : "\"values\" is missing");
        if (j.contains("metadata")) {
            if (!j["metadata"].is_object())
                return bad("\"metadata\" must be an object");
            r.metadata = j["metadata"];
        }
        if (j.contains("namespace")) {
            if (!j["namespace"].is_string())
                return bad("\"namespace\" must be a string");
            r.ns = j["namespace"].get<std::string>();
        }
        records.push_back(std::move(r));
    }
    if (auto st = index.value()->upsert(records); !st)
        return fail(st.error()), kExitFailure;
    printLine({{"upserted", records.size()}, {"count", index.value()->describe().count}});
    return kExitOk;
}

int runQuery(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption topK(QStringList{QStringLiteral("top-k"), QStringLiteral("k")}, tr("Matches per query (1..100, default 10)."),
                                  QStringLiteral("K"), QStringLiteral("10"));
    const QCommandLineOption filter(QStringLiteral("filter"), tr("Metadata filter as JSON."), QStringLiteral("JSON"));
    const QCommandLineOption ns(QStringLiteral("namespace"), tr("Search only this namespace."), QStringLiteral("NS"));
    const QCommandLineOption meta(QStringLiteral("return-metadata"), tr("Include each match's metadata."));
    const QCommandLineOption values(QStringLiteral("return-values"), tr("Include each match's vector."));
    const QCommandLineOption ef(QStringLiteral("ef"), tr("HNSW query candidate list (default: the index's)."), QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({topK, filter, ns, meta, values, ef});
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    std::string project, name;
    if (!projectAndIndex(parser.positionalArguments(), project, name))
        return kExitUsage;
    QueryOptions options;
    bool ok = false;
    options.topK = parser.value(topK).toULongLong(&ok);
    if (!ok || options.topK < 1 || options.topK > kMaxTopK)
        return fail(tr("--top-k must be a whole number in 1..100")), kExitUsage;
    options.ef = parser.value(ef).toULongLong(&ok);
    if (!ok)
        return fail(tr("--ef takes a whole number")), kExitUsage;
    if (parser.isSet(filter)) {
        std::string parseError;
        options.filter = parseInput(parser.value(filter).toStdString(), parseError);
        if (!parseError.empty())
            return fail(tr("--filter: %1").arg(QString::fromStdString(parseError))), kExitUsage;
        if (auto parsed = MetadataFilter::parse(options.filter); !parsed)
            return fail(parsed.error()), kExitUsage;
    }
    if (parser.isSet(ns))
        options.ns = parser.value(ns).toStdString();
    options.returnMetadata = parser.isSet(meta);
    options.returnValues = parser.isSet(values);
    auto index = openIndex(project, name);
    if (!index)
        return fail(index.error()), kExitFailure;
    std::string line;
    std::size_t lineNo = 0;
    std::vector<float> vector;
    while (std::getline(std::cin, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        std::string error;
        const Json j = parseInput(line, error);
        if (error.empty() && (!j.is_object() || !j.contains("values")))
            error = "expected a JSON object with \"values\"";
        else
            parseValues(j["values"], vector, error);
        if (error.empty()) {
            auto result = index.value()->query(vector, options);
            if (result) {
                Json matches = Json::array();
                for (const auto& m : result->matches) {
                    Json out = {{"id", m.id}, {"score", m.score}};
                    if (!m.ns.empty())
                        out["namespace"] = m.ns;
                    if (m.metadata)
                        out["metadata"] = *m.metadata;
                    if (m.values)
                        out["values"] = *m.values;
                    matches.push_back(std::move(out));
                }
                printLine({{"matches", std::move(matches)}});
                continue;
            }
            error = result.error();
        }
        std::cout.flush();
        fail("stdin line " + std::to_string(lineNo) + ": " + error);
        return kExitFailure;
    }
    return kExitOk;
}

int runDescribe(QCommandLineParser& parser, const QStringList& args)
{
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    std::string project, name;
    if (!projectAndIndex(parser.positionalArguments(), project, name))
        return kExitUsage;
    auto index = openIndex(project, name);
    if (!index)
        return fail(index.error()), kExitFailure;
    const IndexInfo info = index.value()->describe();
    const auto& config = index.value()->config();
    printLine({{"name", name},
               {"dimension", info.dimension},
               {"metric", metricName(info.metric)},
               {"embedder", info.embedder},
               {"count", info.count},
               {"namespaces", info.namespaces},
               {"bytes", info.vectorBytes + info.metadataBytes},
               {"vectorBytes", info.vectorBytes},
               {"metadataBytes", info.metadataBytes},
               {"diskBytes", info.diskBytes},
               {"deletedNodes", info.deletedNodes},
               {"M", config.graph.M},
               {"efConstruction", config.graph.efConstruction},
               {"efSearch", config.efSearch}});
    return kExitOk;
}

int runDelete(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption all(QStringLiteral("all"), tr("Delete the whole index instead of some records."));
    parser.addOption(all);
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    std::string project, name;
    const QStringList positional = parser.positionalArguments();
    if (!projectAndIndex(positional, project, name))
        return kExitUsage;
    if (parser.isSet(all)) {
        if (positional.size() > 2)
            return fail(tr("give either record ids or --all")), kExitUsage;
        const auto names = listIndexes(project);
        if (std::find(names.begin(), names.end(), name) == names.end())
            return fail(tr("no memory index named '%1'").arg(positional[1])), kExitFailure;
        std::error_code ec;
        std::filesystem::remove_all(indexDir(project, name), ec);
        if (ec)
            return fail(indexDir(project, name) + ": " + ec.message()), kExitFailure;
        printLine({{"deletedIndex", name}});
        return kExitOk;
    }
    if (positional.size() < 3)
        return fail(tr("give the ids of the records to delete, or --all to delete the index")), kExitUsage;
    std::vector<std::string> ids;
    for (qsizetype i = 2; i < positional.size(); ++i)
        ids.push_back(positional[i].toStdString());
    auto index = openIndex(project, name);
    if (!index)
        return fail(index.error()), kExitFailure;
    auto deleted = index.value()->deleteByIds(ids);
    if (!deleted)
        return fail(deleted.error()), kExitFailure;
    printLine({{"deleted", *deleted}, {"count", index.value()->describe().count}});
    return kExitOk;
}

int runList(QCommandLineParser& parser, const QStringList& args)
{
    if (!parser.parse(args))
        return fail(parser.errorText()), kExitUsage;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(tr("give a project folder")), kExitUsage;
    printLine({{"indexes", listIndexes(positional[0].toStdString())}});
    return kExitOk;
}

struct Sub {
    const char* name;
    const char* usage;
    int (*run)(QCommandLineParser&, const QStringList&);
};

const Sub kSubs[] = {
    {"create", "PROJECT INDEX --dimensions D [--metric cosine|euclidean|dot-product]", runCreate},
    {"upsert", "PROJECT INDEX < records.jsonl   ({\"id\", \"values\", \"metadata\"?, \"namespace\"?} per line)", runUpsert},
    {"query", "PROJECT INDEX [--top-k K] [--filter JSON] [--namespace NS] [--return-metadata] < queries.jsonl", runQuery},
    {"describe", "PROJECT INDEX", runDescribe},
    {"delete", "PROJECT INDEX ID... | PROJECT INDEX --all", runDelete},
    {"list", "PROJECT", runList},
};

void printUsage(QTextStream& out)
{
    out << tr("Usage: outpost memory SUBCOMMAND ...") << "\n";
    for (const auto& sub : kSubs)
        out << "  outpost memory " << sub.name << " " << sub.usage << "\n";
}

} // namespace

int runMemory(const QStringList& args)
{
    if (args.isEmpty() || args[0] == QLatin1String("--help") || args[0] == QLatin1String("-h")) {
        QTextStream out(args.isEmpty() ? stderr : stdout);
        printUsage(out);
        return args.isEmpty() ? kExitUsage : kExitOk;
    }
    for (const auto& sub : kSubs) {
        if (args[0] != QLatin1String(sub.name))
            continue;
        QCommandLineParser parser;
        parser.setApplicationDescription(QStringLiteral("outpost memory %1 %2").arg(QLatin1String(sub.name), QLatin1String(sub.usage)));
        parser.addHelpOption();
        if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
            QTextStream(stdout) << parser.applicationDescription() << "\n";
            return kExitOk;
        }
        return sub.run(parser, QStringList{QStringLiteral("outpost memory ") + QLatin1String(sub.name)} + args.mid(1));
    }
    fail(tr("unknown subcommand '%1'").arg(args[0]));
    QTextStream err(stderr);
    printUsage(err);
    return kExitUsage;
}

} // namespace outpost::cli
