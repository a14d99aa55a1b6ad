#pragma once
// Text <-> token ids for the models the engine runs, built from a GGUF file's
// tokenizer.ggml.* metadata. Behaviour matches llama.cpp (at build b4748) id
// for id, including its quirks, so prompts cost the same tokens as there:
//
//  - "llama" (SentencePiece-style, SPM): score-driven merging of UTF-8
//    characters, byte fallback to <0xXX> tokens, spaces written as U+2581,
//    and a space put in front of the text (and after every special token)
//    when tokenizer.ggml.add_space_prefix is true (the default).
//  - "gpt2" (byte-level BPE): the text is split into words by the
//    pre-tokenizer named in tokenizer.ggml.pre (see pre_tokenizer.h), then
//    each word's bytes are merged by merge rank.
//  - "bert" (WordPiece): lower-cased, accent-split words, longest-match.
//
// Special tokens: control/unknown tokens are recognised in text only when
// parseSpecial is true; user-defined tokens always are (as in llama.cpp).
//
// A Tokenizer is immutable after construction, cheap to copy (it shares its
// tables) and safe to use from several threads at once.
#include "inference/tokenizer/vocab.h"
#include "inference/util/result.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::inference::gguf {
class GgufFile;
}

namespace outpost::inference::tokenizer {

enum class VocabKind { Spm, Bpe, Wpm };

class Tokenizer {
public:
    // Builds a tokenizer from vocabulary data. Errors (message says which
    // field and why): unknown or unsupported model, unknown pre-tokenizer
    // name, empty vocabulary, scores/types arrays whose length differs from
    // the token count, a token type outside 0..6.
    static Result<Tokenizer> fromVocab(VocabData data);
    // Reads tokenizer.ggml.* (and general.name) from a GGUF file and calls
    // fromVocab. Errors: missing tokenizer.ggml.model or tokens, keys of the
    // wrong type, and fromVocab's errors; messages start with the file path.
    static Result<Tokenizer> fromGguf(const gguf::GgufFile& file);
    // Reads just the vocabulary data (no checks beyond key types).
    static Result<VocabData> readVocab(const gguf::GgufFile& file);

    // Text (UTF-8; invalid bytes are tolerated) to ids. addSpecial: put BOS
    // first / EOS last when the vocabulary asks for them (addBos()/addEos());
    // WordPiece vocabularies get [CLS] (bos()) first and [SEP] (sep()) last.
    // parseSpecial: turn the text of control tokens ("<|eot_id|>") into their
    // ids instead of tokenizing it as plain text. Never fails: bytes no token
    // covers become byte tokens (SPM), single-byte tokens (BPE, where the
    // vocabulary has them) or the unknown token (WPM). Texts over 256 MiB are
    // encoded in pieces cut at line or space breaks.
    std::vector<TokenId> tokenize(std::string_view text, bool addSpecial = true, bool parseSpecial = false) const;

    // The bytes one token stands for (may be an incomplete UTF-8 sequence for
    // byte tokens). special = false gives "" for control and unknown tokens.
    // Ids outside the vocabulary give "".
    std::string tokenToPiece(TokenId id, bool special = true) const;

    // Ids back to text, as llama_detokenize: removeSpecial drops a leading
    // BOS / trailing EOS that addSpecial would have added; unparseSpecial
    // writes control tokens' text (otherwise they produce nothing). The one
    // space SPM put in front of the text is removed again (unless the text
    // started with a BOS that removeSpecial dropped).
    std::string detokenize(std::span<const TokenId> ids, bool removeSpecial = false, bool unparseSpecial = false) const;

    VocabKind kind() const;
    // The pre-tokenizer's canonical name ("llama3", "qwen2", "gpt2", "default", ...), "" for SPM/WPM.
    const std::string& preTokenizerName() const;
    std::size_t vocabSize() const;
    // Token text as stored in the vocabulary ("" for ids out of range).
    const std::string& tokenText(TokenId id) const;
    TokenType tokenType(TokenId id) const;
    float tokenScore(TokenId id) const;
    // The id whose vocabulary text is exactly `text`, or kNoToken.
    TokenId findToken(std::string_view text) const;

    TokenId bos() const;
    TokenId eos() const;
    TokenId eot() const;
    TokenId unk() const;
    TokenId pad() const;
    TokenId sep() const;
    bool addBos() const;
    bool addEos() const;
    bool addSpacePrefix() const;
    // End of generation: EOS, EOT, EOM and the usual end tokens found by text.
    bool isEog(TokenId id) const;
    // Control or unknown: dropped from text unless asked for.
    bool isControl(TokenId id) const;

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

} // namespace outpost::inference::tokenizer
