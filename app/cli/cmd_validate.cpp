// outpost validate PROJECT: checks the manifest and every agent graph.
#include "cli/command.h"

#include "core/project/project.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace outpost::cli {

int runValidate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "outpost::cli", "Check a project's manifest and agent graphs. Exits with 1 when there are errors."));
    parser.addHelpOption();
    const QCommandLineOption json(QStringLiteral("json"), QCoreApplication::translate("outpost::cli", "Print the diagnostics as JSON."));
    parser.addOption(json);
    parser.addPositionalArgument(QStringLiteral("PROJECT"), QCoreApplication::translate("outpost::cli", "The project folder."));
    if (const auto exit = parseCommandLine(parser, "validate", args))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << QCoreApplication::translate("outpost::cli", "outpost validate: give exactly one project folder") << "\n";
        return kExitUsage;
    }

    const auto loaded = core::Project::open(parser.positionalArguments().first());
    const core::Diagnostics& diagnostics = loaded.diagnostics;
    const bool failed = !loaded.ok() || core::hasErrors(diagnostics);

    if (parser.isSet(json)) {
        QJsonArray list;
        for (const auto& d : diagnostics)
            list.append(QJsonObject{{QStringLiteral("severity"),
                                     d.severity == core::Diagnostic::Severity::Error ? QStringLiteral("error") : QStringLiteral("warning")},
                                    {QStringLiteral("file"), d.file},
                                    {QStringLiteral("path"), d.jsonPath},
                                    {QStringLiteral("line"), d.line},
                                    {QStringLiteral("column"), d.column},
                                    {QStringLiteral("message"), d.message}});
        QTextStream(stdout) << QJsonDocument(QJsonObject{{QStringLiteral("ok"), !failed}, {QStringLiteral("diagnostics"), list}})
                                   .toJson(QJsonDocument::Compact)
                            << "\n";
        return failed ? kExitFailure : kExitOk;
    }

    QTextStream err(stderr);
    for (const auto& d : diagnostics)
        err << d.toString() << "\n";
    if (failed)
        return kExitFailure;
    const auto& project = *loaded.value;
    const int agentCount = static_cast<int>(project.agents().size());
    const QString summary = QCoreApplication::translate("outpost::cli", "%1 %2: manifest and %n agent(s) are valid", nullptr, agentCount);
    QTextStream(stdout) << summary.arg(project.manifest().name(), project.manifest().version()) << "\n";
    return kExitOk;
}

} // namespace outpost::cli
