#pragma once
// Tiny random llama-family models written with the project's GGUF writer,
// for tests and benchmarks: every weight matrix in one tensor type (random
// floats quantised with the kernels' quantizers), norms and biases in F32.
#include "inference/gguf/gguf_writer.h"
#include "inference/tensor/kernels.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace outpost::test {

struct SyntheticSpec {
    std::string architecture = "llama";   // written as general.architecture
    inference::TensorType type = inference::TensorType::F32;
    int vocab = 64;
    int embd = 256;
    int layers = 2;
    int heads = 4;
    int kvHeads = 2;
    int ffn = 512;
    int context = 256;
    bool bias = false;          // attn_q/k/v biases (qwen2)
    bool ropeFreqs = false;     // a rope_freqs.weight tensor (Llama 3 scaling)
    bool llama3Metadata = false;// llama.rope.scaling.type = llama3 keys instead
    bool tiedOutput = false;    // no output.weight
    // llama.cpp's "_M" mix (Q4_K_M, Q5_K_M) on top of `type`: output.weight,
    // and attn_v / ffn_down of the layers it gives more bits, in Q6_K.
    bool mediumMix = false;
    float ropeBase = 10000.0f;
    unsigned seed = 1;
};

inline std::vector<std::byte> encodeRows(inference::TensorType type, const std::vector<float>& values, std::int64_t cols)
{
    const std::int64_t rows = static_cast<std::int64_t>(values.size()) / cols;
    const std::size_t rb = *inference::rowBytes(type, static_cast<std::uint64_t>(cols));
    std::vector<std::byte> out(rb * static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* src = values.data() + r * cols;
        std::byte* dst = out.data() + static_cast<std::size_t>(r) * rb;
        if (type == inference::TensorType::F32)
            std::memcpy(dst, src, static_cast<std::size_t>(cols) * 4);
        else
            inference::quantizeRow(type, src, dst, cols);
    }
    return out;
}

// Builds the model in memory. Weights are uniform in +-scale/sqrt(cols) so
// activations keep a unit-ish size through the layers.
inline inference::gguf::GgufWriter makeSyntheticModel(const SyntheticSpec& s)
{
    using inference::TensorType;
    inference::gguf::GgufWriter w;
    std::mt19937 rng(s.seed);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    const std::string a = s.architecture;
    const int headDim = s.embd / s.heads;
    w.setString("general.architecture", a);
    w.setString("general.name", "synthetic-" + a);
    w.setUInt32(a + ".context_length", static_cast<std::uint32_t>(s.context));
    w.setUInt32(a + ".embedding_length", static_cast<std::uint32_t>(s.embd));
    w.setUInt32(a + ".block_count", static_cast<std::uint32_t>(s.layers));
    w.setUInt32(a + ".feed_forward_length", static_cast<std::uint32_t>(s.ffn));
    w.setUInt32(a + ".attention.head_count", static_cast<std::uint32_t>(s.heads));
    w.setUInt32(a + ".attention.head_count_kv", static_cast<std::uint32_t>(s.kvHeads));
    w.setUInt32(a + ".rope.dimension_count", static_cast<std::uint32_t>(headDim));
    w.setFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
    w.setFloat32(a + ".rope.freq_base", s.ropeBase);
    if (s.llama3Metadata) {
        w.setString(a + ".rope.scaling.type", "llama3");
        w.setFloat32(a + ".rope.scaling.factor", 8.0f);
        w.setFloat32(a + ".rope.scaling.low_freq_factor", 1.0f);
        w.setFloat32(a + ".rope.scaling.high_freq_factor", 4.0f);
        w.setUInt32(a + ".rope.scaling.original_context_length", 64);
    }
    std::vector<std::string> tokens;
    for (int i = 0; i < s.vocab; ++i) {
        // Appended, not "t" + ...: GCC 12 reports a false -Wrestrict on that at -O3.
        std::string t = "t";
        t += std::to_string(i);
        tokens.push_back(std::move(t));
    }
    w.setString("tokenizer.ggml.model", "llama");
    w.setStringArray("tokenizer.ggml.tokens", tokens);

    auto random = [&](std::size_t n, float scale) {
        std::vector<float> v(n);
        for (auto& x : v)
            x = uni(rng) * scale;
        return v;
    };
    // llama.cpp's "use more bits" layers: the first and last eighth, and
    // every third one between them.
    auto moreBits = [&](int l) {
        return s.mediumMix && (l < s.layers / 8 || l >= 7 * s.layers / 8 || (l - s.layers / 8) % 3 == 2);
    };
    auto matrix = [&](const std::string& name, int cols, int rows, TensorType type) {
        const auto values = random(static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows), 1.7f / std::sqrt(float(cols)));
        (void)w.addTensor(name, {std::uint64_t(cols), std::uint64_t(rows)}, type, encodeRows(type, values, cols));
    };
    auto vector = [&](const std::string& name, int n, float center, float spread) {
        std::vector<float> v = random(static_cast<std::size_t>(n), spread);
        for (auto& x : v)
            x += center;
        const auto* p = reinterpret_cast<const std::byte*>(v.data());
        (void)w.addTensor(name, {std::uint64_t(n)}, TensorType::F32, std::vector<std::byte>(p, p + v.size() * 4));
    };
    // The embedding rows are activations, not scaled by 1/sqrt(cols).
    {
        const auto values = random(static_cast<std::size_t>(s.embd) * static_cast<std::size_t>(s.vocab), 1.0f);
        (void)w.addTensor("token_embd.weight", {std::uint64_t(s.embd), std::uint64_t(s.vocab)}, s.type, encodeRows(s.type, values, s.embd));
    }
    vector("output_norm.weight", s.embd, 1.0f, 0.2f);
    if (!s.tiedOutput)
        matrix("output.weight", s.embd, s.vocab, s.mediumMix ? TensorType::Q6_K : s.type);
    if (s.ropeFreqs) {
        std::vector<float> f(static_cast<std::size_t>(headDim / 2));
        for (std::size_t i = 0; i < f.size(); ++i)
            f[i] = 1.0f + 7.0f * float(i) / float(f.size());
        const auto* p = reinterpret_cast<const std::byte*>(f.data());
        (void)w.addTensor("rope_freqs.weight", {std::uint64_t(f.size())}, TensorType::F32, std::vector<std::byte>(p, p + f.size() * 4));
    }
    for (int l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        vector(b + "attn_norm.weight", s.embd, 1.0f, 0.2f);
        matrix(b + "attn_q.weight", s.embd, s.heads * headDim, s.type);
        matrix(b + "attn_k.weight", s.embd, s.kvHeads * headDim, s.type);
        matrix(b + "attn_v.weight", s.embd, s.kvHeads * headDim, moreBits(l) ? TensorType::Q6_K : s.type);
        if (s.bias) {
            vector(b + "attn_q.bias", s.heads * headDim, 0.0f, 0.5f);
            vector(b + "attn_k.bias", s.kvHeads * headDim, 0.0f, 0.5f);
            vector(b + "attn_v.bias", s.kvHeads * headDim, 0.0f, 0.5f);
        }
        matrix(b + "attn_output.weight", s.heads * headDim, s.embd, s.type);
        vector(b + "ffn_norm.weight", s.embd, 1.0f, 0.2f);
        matrix(b + "ffn_gate.weight", s.embd, s.ffn, s.type);
        matrix(b + "ffn_up.weight", s.embd, s.ffn, s.type);
        matrix(b + "ffn_down.weight", s.ffn, s.embd, moreBits(l) ? TensorType::Q6_K : s.type);
    }
    return w;
}

// The benches' synthetic model (bench_generate --synthetic, bench_engine
// --synthetic): a dim-768, 12-layer llama with a 32,000-token vocabulary,
// every weight matrix in the type named `typeName` (as tensorTypeInfo names
// it, e.g. "Q8_0"), or "Q4_K_M" / "Q5_K_M" (Q4_K or Q5_K with llama.cpp's
// Q6_K tensors, as real files of those names are). Nullopt when no type has
// that name or the kernels do not support it.
inline std::optional<SyntheticSpec> benchSyntheticSpec(const std::string& typeName)
{
    if (typeName == "Q4_K_M" || typeName == "Q5_K_M") {
        auto spec = benchSyntheticSpec(typeName.substr(0, 4));
        if (spec)
            spec->mediumMix = true;
        return spec;
    }
    for (std::uint32_t t = 0; t < 64; ++t) {
        auto info = inference::tensorTypeInfo(t);
        if (!info || info->name != typeName || !inference::kernelSupports(info->type))
            continue;
        SyntheticSpec spec;
        spec.type = info->type;
        spec.embd = 768;
        spec.layers = 12;
        spec.heads = 12;
        spec.kvHeads = 12;
        spec.ffn = 2048;
        spec.vocab = 32000;
        spec.context = 2048;
        return spec;
    }
    return std::nullopt;
}

} // namespace outpost::test
