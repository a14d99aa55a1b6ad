#pragma once
// One CLI subcommand: `outpost NAME ARGS...`. Each lives in its own
// cmd_NAME.cpp and is listed once in commands.cpp.
#include <QStringList>

#include <span>

namespace outpost::cli {

struct Command {
    const char* name;
    const char* summary;   // one line for `outpost --help`; translated when printed
    // `args` excludes the program and command names; returns the exit code.
    int (*run)(const QStringList& args);
};

std::span<const Command> commands();

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command ran and found problems
inline constexpr int kExitUsage = 2;     // bad arguments

} // namespace outpost::cli
