#pragma once
// The vocabulary a tokenizer is built from, as GGUF's tokenizer.ggml.* keys
// describe it. Tokenizer::fromVocab() takes this plain struct so tokenizers
// can be built (and tested) without a file; Tokenizer::fromGguf() fills it
// from metadata.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outpost::inference::tokenizer {

using TokenId = std::int32_t;
inline constexpr TokenId kNoToken = -1;

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : std::int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

struct VocabData {
    // tokenizer.ggml.model: "llama" (SentencePiece-style), "gpt2" (byte-level
    // BPE) or "bert" (WordPiece).
    std::string model;
    // tokenizer.ggml.pre: the BPE pre-tokenizer ("llama-bpe", "qwen2",
    // "gpt-2", ...); empty when absent (then "default").
    std::string pre;
    // general.name: a few models get per-token attributes by name (phi-3).
    std::string modelName;

    std::vector<std::string> tokens;   // tokenizer.ggml.tokens
    std::vector<float> scores;         // tokenizer.ggml.scores; empty = all 0
    std::vector<std::int32_t> types;   // tokenizer.ggml.token_type; empty = all Normal
    std::vector<std::string> merges;   // tokenizer.ggml.merges ("a b"), BPE only

    // tokenizer.ggml.{bos,eos,unknown,seperator,padding,mask,eot,eom}_token_id;
    // absent ones take the model's defaults (llama.cpp's).
    std::optional<std::int64_t> bos, eos, unk, sep, pad, mask, eot, eom;

    // tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix.
    std::optional<bool> addBos, addEos, addSpacePrefix;
};

} // namespace outpost::inference::tokenizer
