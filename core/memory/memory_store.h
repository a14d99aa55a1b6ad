#pragma once
// A project's named vector indexes: <project>/memory/<name>/.
#include "core/memory/vector_index.h"

#include <string>
#include <string_view>
#include <vector>

namespace outpost::core::memory {

// 1..64 characters of [A-Za-z0-9_-], not starting with '-'.
bool isValidIndexName(std::string_view name);
std::string indexDir(const std::string& projectDir, const std::string& name);

// Errors: the project folder does not exist, a bad name, the index exists
// (create) or does not (open), and VectorIndex's own errors.
Result<std::unique_ptr<VectorIndex>> createIndex(const std::string& projectDir, const std::string& name,
                                                 const IndexConfig& config, const OpenOptions& options = {});
Result<std::unique_ptr<VectorIndex>> openIndex(const std::string& projectDir, const std::string& name,
                                               const OpenOptions& options = {});
// Opens an index that must have this dimension and metric (an agent graph
// node or a script written for one index shape). Errors: as openIndex, or the
// index has another dimension or metric (named in the message).
Result<std::unique_ptr<VectorIndex>> openIndexExpecting(const std::string& projectDir, const std::string& name,
                                                        int dimension, Metric metric, const OpenOptions& options = {});
// Names of the project's indexes, sorted.
std::vector<std::string> listIndexes(const std::string& projectDir);

} // namespace outpost::core::memory
