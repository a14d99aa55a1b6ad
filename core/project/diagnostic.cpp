#include "core/project/diagnostic.h"

namespace outpost::core {

namespace {
struct DiagnosticText {
    Q_DECLARE_TR_FUNCTIONS(outpost::core::Diagnostic)
};
} // namespace

QString Diagnostic::toString() const
{
    QString where = file;
    if (line > 0)
        where += QStringLiteral(":%1:%2").arg(line).arg(column);
    if (!jsonPath.isEmpty())
        where += QStringLiteral(": ") + jsonPath;
    const QString kind = severity == Severity::Error ? DiagnosticText::tr("error") : DiagnosticText::tr("warning");
    return QStringLiteral("%1: %2: %3").arg(where, kind, message);
}

bool hasErrors(const Diagnostics& diagnostics)
{
    for (const auto& d : diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            return true;
    return false;
}

} // namespace outpost::core
