#include "cli/command.h"

#include <QCoreApplication>

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
        {"init", QT_TRANSLATE_NOOP("outpost::cli", "Create a new project from the sample project"), runInit},
        {"validate", QT_TRANSLATE_NOOP("outpost::cli", "Check a project's manifest and agent graphs"), runValidate},
        {"devices", QT_TRANSLATE_NOOP("outpost::cli", "List the compute devices the engine can use"), runDevices},
        {"model-info", QT_TRANSLATE_NOOP("outpost::cli", "Show what a GGUF model file holds"), runModelInfo},
        {"generate", QT_TRANSLATE_NOOP("outpost::cli", "Generate text from a prompt with a GGUF model"), runGenerate},
        {"serve", QT_TRANSLATE_NOOP("outpost::cli", "Serve a project's agents over WebSocket and HTTP"), runServe},
        {"tokenize", QT_TRANSLATE_NOOP("outpost::cli", "Show the tokens a model's tokenizer makes of a text"), runTokenize},
        {"memory", QT_TRANSLATE_NOOP("outpost::cli", "Vector memory: create, upsert, query, describe and delete indexes"), runMemory},
    };
    return table;
}

} // namespace outpost::cli
