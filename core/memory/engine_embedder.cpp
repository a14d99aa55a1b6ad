#include "core/memory/engine_embedder.h"

#include "inference/engine.h"

#include <filesystem>
#include <system_error>

namespace outpost::core::memory {

EngineEmbedder::EngineEmbedder(std::shared_ptr<const inference::Engine> engine) : m_engine(std::move(engine))
{
    // Hashing a multi-gigabyte model on every open would be slow; its file
    // name, size and shape tell models apart in practice.
    const auto& info = m_engine->info();
    std::error_code ec;
    const auto size = std::filesystem::file_size(info.path, ec);
    m_id = "engine:" + std::filesystem::path(info.path).filename().string() + ":" + (ec ? std::string("?") : std::to_string(size))
        + ":" + info.architecture + ":" + std::to_string(info.embedding);
}

int EngineEmbedder::dimension() const
{
    return m_engine->info().embedding;
}

Result<std::vector<std::vector<float>>> EngineEmbedder::embed(const std::vector<std::string>& texts)
{
    auto vectors = m_engine->embed(texts);
    if (!vectors)
        return Error{"embedding with " + m_engine->info().path + " failed: " + vectors.error()};
    return std::move(*vectors);
}

} // namespace outpost::core::memory
