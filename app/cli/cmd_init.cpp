// outpost init FOLDER: a new project, copied from the sample project.
#include "cli/command.h"

#include "core/project/manifest.h"
#include "core/project/project.h"
#include "core/project/sample_project.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTextStream>

namespace outpost::cli {

int runInit(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "outpost::cli", "Create a new project in FOLDER from the sample project (or an empty one with --empty)."));
    parser.addHelpOption();
    const QCommandLineOption empty(QStringLiteral("empty"), QCoreApplication::translate("outpost::cli", "Create a project with no agents."));
    const QCommandLineOption name(QStringLiteral("name"), QCoreApplication::translate("outpost::cli", "The project's name (default: the folder's name)."),
                                  QStringLiteral("NAME"));
    parser.addOption(empty);
    parser.addOption(name);
    parser.addPositionalArgument(QStringLiteral("FOLDER"), QCoreApplication::translate("outpost::cli", "Where to create the project."));
    if (const auto exit = parseCommandLine(parser, "init", args))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << QCoreApplication::translate("outpost::cli", "outpost init: give exactly one folder") << "\n";
        return kExitUsage;
    }
    const QString folder = parser.positionalArguments().first();
    const QString projectName = parser.isSet(name) ? parser.value(name) : QDir(folder).dirName();
    QTextStream err(stderr);

    if (parser.isSet(empty)) {
        const auto created = core::Project::create(folder, projectName);
        for (const auto& d : created.diagnostics)
            err << d.toString() << "\n";
        return created.ok() ? kExitOk : kExitFailure;
    }
    if (!core::isValidName(projectName)) {
        err << QCoreApplication::translate("outpost::cli", "outpost init: \"%1\" is not a valid project name; use --name").arg(projectName) << "\n";
        return kExitUsage;
    }
    if (const QString error = core::createProjectFromSample(folder, projectName); !error.isEmpty()) {
        err << QCoreApplication::translate("outpost::cli", "outpost init: %1").arg(error) << "\n";
        return kExitFailure;
    }
    QTextStream(stdout) << QCoreApplication::translate("outpost::cli", "Created project %1 in %2").arg(projectName, QDir::toNativeSeparators(folder)) << "\n";
    return kExitOk;
}

} // namespace outpost::cli
