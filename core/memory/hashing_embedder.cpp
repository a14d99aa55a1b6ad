#include "core/memory/hashing_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace outpost::core::memory {

namespace {

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed)
{
    std::uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    // FNV's low bits mix poorly for short inputs; finish with a mixer.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

bool isWordByte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

} // namespace

HashingEmbedder::HashingEmbedder(HashingEmbedderOptions options) : m_options(options)
{
    m_options.dimension = std::clamp(m_options.dimension, 8, kMaxDimension);
    m_options.minCharGram = std::max(1, m_options.minCharGram);
    m_options.maxCharGram = std::max(m_options.minCharGram, m_options.maxCharGram);
}

std::string HashingEmbedder::id() const
{
    return "hashing-v1:d" + std::to_string(m_options.dimension) + ":c" + std::to_string(m_options.minCharGram) + "-"
           + std::to_string(m_options.maxCharGram) + (m_options.wordBigrams ? ":w2" : ":w1");
}

Result<std::vector<float>> HashingEmbedder::embedOne(const std::string& text)
{
    std::vector<std::string> words;
    std::string current;
    for (unsigned char c : text) {
        if (isWordByte(c)) {
            current.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c));
        } else if (!current.empty()) {
            words.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty())
        words.push_back(std::move(current));
    if (words.empty())
        return Error{"hashing embedder: the text has no words"};

    const auto dim = static_cast<std::uint64_t>(m_options.dimension);
    std::vector<float> v(dim, 0.0f);
    auto addFeature = [&](std::string_view feature, std::uint64_t seed, float weight) {
        const std::uint64_t h = fnv1a(feature, seed);
        v[h % dim] += (h >> 63) ? -weight : weight;
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        addFeature(words[i], 1, 1.0f);
        if (m_options.wordBigrams && i + 1 < words.size())
            addFeature(words[i] + ' ' + words[i + 1], 2, 0.7f);
        const std::string marked = '<' + words[i] + '>';
        for (int n = m_options.minCharGram; n <= m_options.maxCharGram; ++n) {
            if (marked.size() < std::size_t(n))
                break;
            // Spread a word's weight over its n-grams so long words do not
            // dominate short ones.
            const float weight = 1.0f / std::sqrt(float(marked.size() - std::size_t(n) + 1));
            for (std::size_t p = 0; p + std::size_t(n) <= marked.size(); ++p)
                addFeature(std::string_view(marked).substr(p, std::size_t(n)), 3 + std::uint64_t(n), 0.5f * weight);
        }
    }
    double norm = 0;
    for (float x : v)
        norm += double(x) * double(x);
    if (norm <= 0)
        return Error{"hashing embedder: the text's features cancel out"};
    const double inv = 1.0 / std::sqrt(norm);
    for (float& x : v)
        x = float(x * inv);
    return v;
}

Result<std::vector<std::vector<float>>> HashingEmbedder::embed(const std::vector<std::string>& texts)
{
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto v = embedOne(texts[i]);
        if (!v)
            return Error{"text " + std::to_string(i) + ": " + v.error()};
        out.push_back(std::move(v.value()));
    }
    return out;
}

} // namespace outpost::core::memory
