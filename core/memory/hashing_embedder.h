#pragma once
// A dependency-free embedder: the "hashing trick" over word unigrams, word
// bigrams and character n-grams of each word, each hashed to a signed bucket
// of a fixed-size vector, then L2-normalised. Texts sharing words and word
// pieces get close vectors; it knows no synonyms. Deterministic across runs
// and machines (FNV-1a hashing of UTF-8 bytes; ASCII letters lower-cased).
#include "core/memory/embedder.h"

namespace outpost::core::memory {

struct HashingEmbedderOptions {
    int dimension = 384;
    int minCharGram = 3;     // character n-grams of "<word>", n in [min, max]
    int maxCharGram = 5;
    bool wordBigrams = true;
};

class HashingEmbedder final : public Embedder {
public:
    explicit HashingEmbedder(HashingEmbedderOptions options = {});
    std::string id() const override;
    int dimension() const override { return m_options.dimension; }
    // Errors: a text without any word character.
    Result<std::vector<std::vector<float>>> embed(const std::vector<std::string>& texts) override;
    // One text.
    Result<std::vector<float>> embedOne(const std::string& text);

private:
    HashingEmbedderOptions m_options;
};

} // namespace outpost::core::memory
