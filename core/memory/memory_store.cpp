#include "core/memory/memory_store.h"

#include <algorithm>
#include <filesystem>

namespace outpost::core::memory {

namespace fs = std::filesystem;

bool isValidIndexName(std::string_view name)
{
    if (name.empty() || name.size() > 64 || name[0] == '-')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string indexDir(const std::string& projectDir, const std::string& name)
{
    return (fs::path(projectDir) / "memory" / name).string();
}

namespace {

Status checkPlace(const std::string& projectDir, const std::string& name)
{
    std::error_code ec;
    if (!fs::is_directory(projectDir, ec))
        return Error{projectDir + ": no such project folder"};
    if (!isValidIndexName(name))
        return Error{"'" + name + "' is not a valid index name (1..64 characters of A-Z a-z 0-9 _ -)"};
    return {};
}

} // namespace

Result<std::unique_ptr<VectorIndex>> createIndex(const std::string& projectDir, const std::string& name,
                                                 const IndexConfig& config, const OpenOptions& options)
{
    if (auto st = checkPlace(projectDir, name); !st)
        return Error{st.error()};
    return VectorIndex::create(indexDir(projectDir, name), config, options);
}

Result<std::unique_ptr<VectorIndex>> openIndex(const std::string& projectDir, const std::string& name,
                                               const OpenOptions& options)
{
    if (auto st = checkPlace(projectDir, name); !st)
        return Error{st.error()};
    std::error_code ec;
    if (!fs::is_directory(indexDir(projectDir, name), ec))
        return Error{projectDir + ": no memory index named '" + name + "'"};
    return VectorIndex::open(indexDir(projectDir, name), options);
}

Result<std::unique_ptr<VectorIndex>> openIndexExpecting(const std::string& projectDir, const std::string& name,
                                                        int dimension, Metric metric, const OpenOptions& options)
{
    auto index = openIndex(projectDir, name, options);
    if (!index)
        return index;
    const IndexConfig& c = index.value()->config();
    if (c.dimension != dimension || c.metric != metric)
        return Error{"memory index '" + name + "' has dimension " + std::to_string(c.dimension) + " and metric "
                     + metricName(c.metric) + ", not dimension " + std::to_string(dimension) + " and metric "
                     + metricName(metric)};
    return index;
}

std::vector<std::string> listIndexes(const std::string& projectDir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(projectDir) / "memory", ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory(ec) && isValidIndexName(name) && fs::exists(entry.path() / "index.sqlite", ec))
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace outpost::core::memory
