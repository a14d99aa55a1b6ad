#pragma once
// Reading and writing the JSON files of a project. Documents keep their keys
// in file order (nlohmann::ordered_json), and writing is canonical: two-space
// indentation, UTF-8, a final newline. A canonical file read and written back
// is byte-for-byte the same, so saving never produces a spurious diff.
#include "core/project/diagnostic.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <string_view>
#include <variant>

namespace outpost::core {

using Json = nlohmann::ordered_json;

// Files larger than this are refused before parsing: project files are small,
// and a huge one is a mistake, not something to load into memory.
inline constexpr qint64 kMaxProjectFileBytes = 16 * 1024 * 1024;

// Parses the file at `path`. On failure, the diagnostics name `displayName`
// and, for syntax errors, the line and column. Documents nested deeper than
// json::kMaxNesting levels are refused (see core/json/untrusted_json.h).
Loaded<Json> readJsonFile(const QString& path, const QString& displayName);

// Parses bytes already in memory (same diagnostics as readJsonFile).
Loaded<Json> parseJson(const QByteArray& bytes, const QString& displayName);

// The canonical bytes of a document.
QByteArray canonicalJson(const Json& document);

// Writes the canonical bytes atomically (a temporary file renamed over the
// old one), so a failed write leaves the previous file intact. Returns an
// empty string on success, else the reason.
QString writeJsonFile(const QString& path, const Json& document);

// "/nodes/2/type" from path segments, escaping "~" and "/" as RFC 6901 says.
QString jsonPointer(std::initializer_list<std::variant<std::string_view, std::size_t>> segments);
QString jsonPointerAppend(const QString& base, std::string_view key);
QString jsonPointerAppend(const QString& base, std::size_t index);

// The JSON type name of a value for messages ("object", "string", ...).
QString jsonTypeName(const Json& value);

} // namespace outpost::core
