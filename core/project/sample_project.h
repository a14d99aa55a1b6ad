#pragma once
// The sample project that ships inside the binary (resources/samples/hello).
#include <QString>

namespace outpost::core {

inline constexpr const char* kSampleProjectName = "hello";

// Copies the sample project into `targetDir` (created if missing). Refuses
// to overwrite an existing project. Returns "" on success, else the reason.
QString installSampleProject(const QString& targetDir);

// A new project named `name` in `targetDir`, copied from the sample project
// (what `outpost init` and the studio's New Project do). Refuses an invalid
// name or a folder that already holds a project, and then writes nothing.
// Returns "" on success, else the reason.
QString createProjectFromSample(const QString& targetDir, const QString& name);

} // namespace outpost::core
