#pragma once
// Turns text into vectors for the memory. Two kinds:
// - HashingEmbedder (hashing_embedder.h): no model at all, always there.
// - EngineEmbedder (engine_embedder.h): the inference Engine's `embed` on a
//   loaded model.
// An index records the id() of the embedder that filled it; memory nodes
// refuse to mix embedders (vectors of two embedders are not comparable).
#include "core/memory/metric.h"

#include <string>
#include <vector>

namespace outpost::core::memory {

class Embedder {
public:
    virtual ~Embedder() = default;
    // Names the embedder and every parameter that changes its vectors
    // (model file and hash, dimension, version of the method).
    virtual std::string id() const = 0;
    virtual int dimension() const = 0;
    // One vector per text, `dimension()` values each. Errors: a text the
    // embedder cannot represent (e.g. no words), the model failing.
    virtual Result<std::vector<std::vector<float>>> embed(const std::vector<std::string>& texts) = 0;
};

} // namespace outpost::core::memory
