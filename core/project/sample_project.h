#pragma once
// The sample project that ships inside the binary (resources/samples/hello).
#include <QString>

namespace outpost::core {

inline constexpr const char* kSampleProjectName = "hello";

// Copies the sample project into `targetDir` (created if missing). Refuses
// to overwrite an existing project. Returns "" on success, else the reason.
QString installSampleProject(const QString& targetDir);

} // namespace outpost::core
