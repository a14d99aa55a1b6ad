#pragma once
// Pre-tokenizers of byte-level BPE vocabularies: they cut text into words
// before merging, each emulating the split regexes llama.cpp (b4748) uses
// for one tokenizer.ggml.pre name. The regexes use Unicode categories
// (\p{L}, \p{N}, \p{P}) that std::regex cannot express, so each is a small
// hand-written matcher over code points with the tables in inference/unicode.
//
// Several regexes in a row each split every piece the previous one produced;
// text that no alternative matches becomes a piece of its own, so the pieces
// always cover the whole input.
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace outpost::inference::tokenizer {

enum class PreTokenizerKind {
    Default,        // "default" and absent
    Gpt2,           // gpt-2, mpt, olmo, jais, phi-2, roberta-bpe, jina-*...
    Llama3,         // llama-bpe, llama3, llama-v3, falcon3, dbrx, smaug-bpe, chatglm-bpe
    Qwen2,          // qwen2, deepseek-r1-qwen, stablelm2, megrez
    DeepseekLlm,    // deepseek-llm
    DeepseekCoder,  // deepseek-coder
    Falcon,         // falcon
    Starcoder,      // starcoder, refact, command-r, smollm, codeshell, exaone, minerva-7b
    Bloom,          // bloom, poro-chat, gpt3-finnish
    Viking,         // viking
    Tekken,         // tekken (Mistral Nemo)
};

// Maps a tokenizer.ggml.pre value to its kind; nullopt for names not known.
std::optional<PreTokenizerKind> preTokenizerFromName(std::string_view name);
// A stable name for logs ("llama3", "qwen2", ...).
std::string_view preTokenizerName(PreTokenizerKind kind);

// Byte ranges [first, second) of `text`, in order, covering all of it.
// Invalid UTF-8 bytes are kept and classed as symbols (as U+FFFD would be).
void preTokenize(PreTokenizerKind kind, std::string_view text,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>& words);

} // namespace outpost::inference::tokenizer
