#include "cli/command.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

namespace outpost::cli {

int runDevices(const QStringList& args);
int runValidate(const QStringList& args);
int runInit(const QStringList& args);
int runModelInfo(const QStringList& args);
int runMemory(const QStringList& args);
int runTokenize(const QStringList& args);
int runServe(const QStringList& args);
int runGenerate(const QStringList& args);

std::span<const Command> commands()
{
    static const Command table[] = {
        // Grouped for --help: projects, serving, the model, memory, the machine.
        {"init", QT_TRANSLATE_NOOP("outpost::cli", "Create a new project from the sample project"), runInit},
        {"validate", QT_TRANSLATE_NOOP("outpost::cli", "Check a project's manifest and agent graphs"), runValidate},
        {"serve", QT_TRANSLATE_NOOP("outpost::cli", "Serve a project's agents over WebSocket and HTTP"), runServe},
        {"generate", QT_TRANSLATE_NOOP("outpost::cli", "Generate text from a prompt with a GGUF model"), runGenerate},
        {"tokenize", QT_TRANSLATE_NOOP("outpost::cli", "Show the tokens a model's tokenizer makes of a text"), runTokenize},
        {"model-info", QT_TRANSLATE_NOOP("outpost::cli", "Show what a GGUF model file holds"), runModelInfo},
        {"memory", QT_TRANSLATE_NOOP("outpost::cli", "Vector memory: create, upsert, query, describe and delete indexes"), runMemory},
        {"devices", QT_TRANSLATE_NOOP("outpost::cli", "List the compute devices the engine can use"), runDevices},
    };
    return table;
}

std::optional<int> parseCommandLine(QCommandLineParser& parser, const char* name, const QStringList& args)
{
    if (!parser.parse(QStringList{QStringLiteral("outpost ") + QLatin1String(name)} + args)) {
        QTextStream(stderr) << parser.errorText() << "\n";
        return kExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return kExitOk;
    }
    return std::nullopt;
}

} // namespace outpost::cli
