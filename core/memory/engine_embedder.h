#pragma once
// Memory vectors from a loaded model: the Engine's mean-pooled, normalised
// embeddings. Its id() names the model file by name, size and shape, so an
// index filled with one model refuses queries embedded by another.
#include "core/memory/embedder.h"

#include <memory>

namespace outpost::inference {
class Engine;
}

namespace outpost::core::memory {

class EngineEmbedder : public Embedder {
public:
    // `engine` must have a model loaded; the embedder shares it.
    explicit EngineEmbedder(std::shared_ptr<const inference::Engine> engine);

    std::string id() const override { return m_id; }
    int dimension() const override;
    Result<std::vector<std::vector<float>>> embed(const std::vector<std::string>& texts) override;

private:
    std::shared_ptr<const inference::Engine> m_engine;
    std::string m_id;
};

} // namespace outpost::core::memory
