#pragma once
// Token sampling: turns one step's logits into the next token.
//
// The steps run in this order (llama.cpp's default chain, so settings carry
// over from llama.cpp and Ollama unchanged):
//   1. penalties over the last `penaltyWindow` tokens of the history, as
//      llama.cpp defines them: for each token seen c > 0 times,
//        logit = logit > 0 ? logit / repeatPenalty : logit * repeatPenalty
//        logit -= c * frequencyPenalty + presencePenalty
//   2. temperature <= 0: greedy, the highest logit wins (lowest id on ties);
//      nothing below runs and no random number is drawn.
//   3. top-k: keep the k highest logits.
//   4. top-p: keep the smallest set of most likely tokens whose probability
//      (softmax of the logits left after top-k) sums to at least p.
//   5. min-p: keep tokens with probability >= minP * the top probability.
//   6. temperature: divide the logits left by T and draw from their softmax.
// Ties in logit order break towards the lower token id, so results never
// depend on the standard library's sort.
//
// Randomness comes from the sampler's own xoshiro256** generator seeded with
// splitmix64(seed): the same seed, logits and history give the same tokens on
// every platform and compiler.
//
// Cost: O(vocab) per token. Top-k keeps a k-sized heap; top-p without top-k
// buckets the candidates by logit and sorts only the bucket where the
// cumulative probability crosses p; no step sorts the whole vocabulary.
#include "inference/util/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace outpost::inference::sampling {

struct SamplerConfig {
    float temperature = 0.8f;      // <= 0: greedy
    std::int32_t topK = 40;        // <= 0: off
    float topP = 0.95f;            // >= 1: off; must be > 0
    float minP = 0.05f;            // <= 0: off; must be <= 1
    float repeatPenalty = 1.0f;    // 1: off; must be > 0
    float frequencyPenalty = 0.0f; // 0: off
    float presencePenalty = 0.0f;  // 0: off
    std::int32_t penaltyWindow = 64; // last N tokens of the history; 0: off, -1: the whole history
    std::uint64_t seed = 0;
};

struct TokenProbability {
    std::int32_t token;
    double probability;
};

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
public:
    explicit Rng(std::uint64_t seed);
    std::uint64_t next();
    // Uniform in [0, 1) with 53 random bits.
    double uniform();

private:
    std::uint64_t m_s[4];
};

class Sampler {
public:
    // Fails when a setting is out of range (NaN, topP <= 0, minP > 1,
    // repeatPenalty <= 0, penaltyWindow < -1), naming the setting.
    static Result<Sampler> create(const SamplerConfig& config);

    const SamplerConfig& config() const { return m_config; }

    // The next token. `history` is the sequence so far (prompt and generated
    // tokens, oldest first); ids outside the vocabulary are ignored. NaN
    // logits count as -infinity. Fails when logits is empty or no logit is
    // finite.
    Result<std::int32_t> sample(std::span<const float> logits, std::span<const std::int32_t> history = {});

    // The distribution step 6 draws from (after every filter and the
    // temperature), most likely first; greedy gives one token with
    // probability 1. Draws no random number.
    Result<std::vector<TokenProbability>> distribution(std::span<const float> logits,
                                                       std::span<const std::int32_t> history = {});

    // Restarts the random sequence (e.g. to replay a generation).
    void reseed(std::uint64_t seed) { m_rng = Rng(seed); }

private:
    struct Candidate {
        float logit;
        std::int32_t id;
    };

    explicit Sampler(const SamplerConfig& config) : m_config(config), m_rng(config.seed) {}

    // Steps 1-5; leaves m_candidates holding the survivors. Returns false
    // with `error` set on bad input; sets `greedyToken` (>= 0) in greedy mode.
    bool filter(std::span<const float> logits, std::span<const std::int32_t> history, std::int32_t& greedyToken,
                std::string& error);
    // Step 6's weights: exp((logit - max) / T) for each survivor, and their sum.
    double weights(std::vector<double>& w) const;

    SamplerConfig m_config;
    Rng m_rng;
    std::vector<float> m_logits;        // input logits with penalties applied
    std::vector<Candidate> m_candidates;
    std::vector<Candidate> m_crossing;  // top-p: the bucket where the mass crosses p
    std::vector<double> m_bucketMass;
    std::vector<double> m_exp;          // top-p without top-k: exp(logit - max) per token
    std::vector<std::int32_t> m_window;
    std::vector<double> m_weights;
};

} // namespace outpost::inference::sampling
