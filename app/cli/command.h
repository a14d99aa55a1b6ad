#pragma once
// One CLI subcommand: `outpost NAME ARGS...`. Each lives in its own
// cmd_NAME.cpp and is listed once in commands.cpp.
#include <QStringList>

#include <optional>
#include <span>

class QCommandLineParser;

namespace outpost::cli {

struct Command {
    const char* name;
    const char* summary;   // one line for `outpost --help`; translated when printed
    // `args` excludes the program and command names; returns the exit code.
    int (*run)(const QStringList& args);
};

std::span<const Command> commands();

// Parses `args` as the arguments of `outpost NAME`. Returns the exit code
// when the command is already done: kExitUsage after printing a parse
// error, kExitOk after printing --help. nullopt: go on.
std::optional<int> parseCommandLine(QCommandLineParser& parser, const char* name, const QStringList& args);

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command ran and found problems
inline constexpr int kExitUsage = 2;     // bad arguments

} // namespace outpost::cli
