#pragma once
// A llama-family transformer (llama, mistral, qwen2) loaded from GGUF, and
// its forward pass on the CPU over a paged KV cache.
//
// The model is immutable after load(): forward() is const and may run on
// several threads at once as long as each call has its own Workspace and
// touches KV blocks no other call touches.
#include "inference/kv/kv_cache.h"
#include "inference/tensor/kernels.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace outpost::inference::gguf {
class GgufFile;
}
namespace outpost::inference::runtime {
class ThreadPool;
}

namespace outpost::inference::model {

// How a pair of head dimensions is rotated. Normal: (x[2i], x[2i+1]), as
// llama-architecture GGUFs need (the converter permutes Q/K for it). NeoX:
// (x[i], x[i + ropeDim/2]), as qwen2 uses.
enum class RopeStyle { Normal, Neox };

struct ModelConfig {
    std::string architecture;   // general.architecture as stored ("llama", "qwen2", ...)
    std::string name;           // general.name, may be empty
    int vocab = 0;
    int embd = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int ffn = 0;
    int contextTrain = 0;       // {arch}.context_length
    float rmsEps = 1e-5f;
    float ropeBase = 10000.0f;
    float ropeFreqScale = 1.0f; // 1 / linear rope scaling factor
    int ropeDim = 0;            // dimensions of each head that are rotated
    RopeStyle ropeStyle = RopeStyle::Normal;
    std::vector<float> ropeFreqFactors; // Llama 3 style per-frequency divisors, ropeDim/2 of them, or empty
    bool tiedOutput = false;    // lm head reads token_embd.weight (no output.weight)
    bool qkvBias = false;
    std::uint64_t parameters = 0;

    int qDim() const { return heads * headDim; }
    int kvDim() const { return kvHeads * headDim; }
};

// A weight matrix of `rows` output rows by `cols` inputs, row-major in its
// tensor type, inside the GGUF mapping.
struct WeightView {
    TensorType type = TensorType::F32;
    const std::byte* data = nullptr;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::size_t rowBytes = 0;
    // Q4_K, Q5_K, Q6_K and Q8_0 matrices: a packed copy in groups of 16 rows
    // (packGroup), each packedGroupBytes long, used
    // instead of `data` when the CPU has the kernel (null otherwise).
    const std::byte* packed = nullptr;
    std::size_t packedGroupBytes = 0;
};

struct LayerWeights {
    std::vector<float> attnNorm;
    WeightView wq, wk, wv, wo;
    std::vector<float> bq, bk, bv;   // empty when the model has no bias
    std::vector<float> ffnNorm;
    WeightView gate, up, down;
};

// One token of a forward batch: its id, its position in its sequence, which
// sequence (an index into forward()'s tables), and whether its logits are
// wanted.
struct BatchToken {
    std::int32_t token = 0;
    std::int32_t pos = 0;
    std::int32_t seq = 0;
    bool logits = false;
};

// Scratch memory of forward(); reuse one per calling thread to avoid
// reallocating every step. Contents are private to the model.
class Workspace {
public:
    Workspace() = default;

private:
    friend class Model;
    friend struct ForwardPass;
    struct PreparedSet {
        TensorType type;
        std::vector<PreparedInput> inputs;
        PreparedTiles tiles;          // of the first tilesCount inputs, when built
        std::size_t tilesCount = 0;
    };
    std::vector<float> x, xn, q, k, v, attn, gate, up, proj, rope;
    std::vector<PreparedSet> prepared;
    std::size_t preparedUsed = 0;
};

class Model {
public:
    // Opens and validates a GGUF model: the architecture is one of llama,
    // mistral, qwen2; every hyperparameter is present and consistent; every
    // tensor the forward pass needs is present, of a type the kernels compute
    // with, and of the shape the hyperparameters imply. Errors name the file
    // and the key or tensor at fault ("... tensor 'blk.0.attn_q.weight' has
    // type IQ2_XS, which this engine cannot compute with").
    static Result<std::unique_ptr<Model>> load(const std::string& path);
    // The same checks over an already opened file; the model keeps it.
    static Result<std::unique_ptr<Model>> fromFile(std::unique_ptr<gguf::GgufFile> file);

    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const ModelConfig& config() const { return m_config; }
    const gguf::GgufFile& file() const { return *m_file; }

    // A KV-cache configuration sized for `contextTokens` positions in total
    // (rounded up to whole blocks) for this model's layers and heads.
    kv::KvCacheConfig kvConfig(int contextTokens, int blockTokens = 16, kv::KvType type = kv::KvType::F32) const;

    // Runs the batch through the model. For each token, its keys and values
    // are written into the cache at (tables[seq], pos), and it attends to
    // positions [0, pos] of its sequence (earlier calls' and this batch's).
    // tables[seq] must already hold blocks for pos (KvCache::reserve); on
    // success each table's token count grows to cover the batch.
    // logits receives vocab floats per token with logits == true, in batch
    // order. Errors (nothing is written to the cache, logits is unchanged):
    // a token id outside the vocabulary, a negative position, a sequence
    // index without a table, a position the table has no block for.
    Status forward(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                   runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& logits) const;

    // The same pass, but it returns the final-normed hidden state of every
    // batch token (config().embd floats each, batch order) instead of
    // logits; for embeddings. Same errors as forward().
    Status hiddenStates(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                        runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& hidden) const;

private:
    friend struct ForwardPass;
    Model() = default;
    Status forwardImpl(std::span<const BatchToken> batch, std::span<kv::BlockTable* const> tables, kv::KvCache& cache,
                       runtime::ThreadPool& pool, Workspace& ws, std::vector<float>& logits, std::vector<float>* hidden) const;

    std::unique_ptr<gguf::GgufFile> m_file;
    ModelConfig m_config;
    WeightView m_tokenEmbd;
    std::vector<float> m_outputNorm;
    WeightView m_output;
    std::vector<LayerWeights> m_layers;
    std::vector<std::unique_ptr<std::byte[]>> m_packed; // owns WeightView::packed copies
    void packWeights();
};

} // namespace outpost::inference::model
