#pragma once
// Tensor element types as GGUF numbers them (the ggml_type enum), with the
// block layout of each. Quantised types store `blockElements` values in one
// block of `blockBytes` bytes; a row's element count must be a multiple of
// blockElements. Layouts are bit-exact with ggml's (block_q4_K and friends).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace outpost::inference {

enum class TensorType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    // 4 and 5 were Q4_2 and Q4_3, removed from ggml long ago.
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    // 36..38 were interleaved IQ4_NL layouts, removed from ggml.
    MXFP4 = 39,   // gpt-oss weights; readable, not computable here
};

struct TensorTypeInfo {
    TensorType type;
    std::string_view name;     // "Q4_K", as llama.cpp prints it
    std::uint32_t blockElements;
    std::uint32_t blockBytes;
    bool supported;            // the engine can compute with it
};

// Layout of any type GGUF defines (so the reader can size and validate every
// tensor, supported or not); nullopt for numbers GGUF does not define.
std::optional<TensorTypeInfo> tensorTypeInfo(std::uint32_t ggufType);
inline std::optional<TensorTypeInfo> tensorTypeInfo(TensorType t) { return tensorTypeInfo(static_cast<std::uint32_t>(t)); }

// Bytes of one row of `elements` values; nullopt when elements is not a
// multiple of the block size, the type is unknown, or the size overflows.
std::optional<std::size_t> rowBytes(TensorType type, std::uint64_t elements);

} // namespace outpost::inference
