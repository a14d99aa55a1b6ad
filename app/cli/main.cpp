// outpost: the headless command-line interface and server.
#include "cli/command.h"
#include "core/i18n/language.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstring>

namespace {

void printHelp(QTextStream& out)
{
    out << QCoreApplication::translate("outpost::cli", "Usage: outpost COMMAND [ARGS...]") << "\n\n"
        << QCoreApplication::translate("outpost::cli", "Commands:") << "\n";
    for (const auto& command : outpost::cli::commands())
        out << QStringLiteral("  %1 %2\n")
                   .arg(QString::fromLatin1(command.name), -12)
                   .arg(QCoreApplication::translate("outpost::cli", command.summary));
    out << "\n"
        << QCoreApplication::translate("outpost::cli", "Run 'outpost COMMAND --help' for the options of a command.") << "\n";
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("outpost"));
    QCoreApplication::setOrganizationName(QStringLiteral("Outpost"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OUTPOST_VERSION));
    outpost::core::installTranslations(outpost::core::systemLanguage());

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList args = app.arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h")
        || args[1] == QLatin1String("help")) {
        printHelp(out);
        return args.size() < 2 ? outpost::cli::kExitUsage : outpost::cli::kExitOk;
    }
    if (args[1] == QLatin1String("--version") || args[1] == QLatin1String("-v")) {
        out << "outpost " << QCoreApplication::applicationVersion() << "\n";
        return outpost::cli::kExitOk;
    }
    for (const auto& command : outpost::cli::commands()) {
        if (args[1] == QLatin1String(command.name))
            return command.run(args.mid(2));
    }
    err << QCoreApplication::translate("outpost::cli", "outpost: unknown command '%1'").arg(args[1]) << "\n\n";
    err.flush();
    printHelp(out);
    return outpost::cli::kExitUsage;
}
