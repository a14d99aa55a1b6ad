#pragma once
// A problem found in a user's file, precise enough to act on: which file,
// where in it (a JSON Pointer, and a line and column when the file does not
// parse), and why.
#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

namespace outpost::core {

struct Diagnostic {
    enum class Severity { Error, Warning };

    Severity severity = Severity::Error;
    QString file;       // path as the user gave it, or relative to the project
    QString jsonPath;   // RFC 6901 pointer, "" for the whole document
    int line = 0;       // 1-based; 0 when unknown
    int column = 0;     // 1-based; 0 when unknown
    QString message;

    // "agents/a.agent.json:3:14: error: ..." or "agents/a.agent.json: /nodes/2/type: error: ..."
    QString toString() const;
};

using Diagnostics = QList<Diagnostic>;

bool hasErrors(const Diagnostics& diagnostics);

// A value or the diagnostics that explain why there is none.
template<typename T>
struct Loaded {
    std::optional<T> value;
    Diagnostics diagnostics;

    bool ok() const { return value.has_value(); }
};

} // namespace outpost::core
