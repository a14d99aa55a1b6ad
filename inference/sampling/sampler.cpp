#include "inference/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace outpost::inference::sampling {

namespace {

std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The first maximum (the lowest id among ties): its index in `best`, its
// logit returned. NaN never compares greater, so it counts as -infinity.
// An infinite result (no finite logit, or a +infinity) sets `error`.
std::optional<float> firstMax(std::span<const float> logits, std::size_t& best, std::string& error)
{
    best = 0;
    float bestLogit = kNegInf;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        if (logits[i] > bestLogit) {
            bestLogit = logits[i];
            best = i;
        }
    }
    if (std::isinf(bestLogit)) {
        error = bestLogit < 0 ? "sampler: no finite logit" : "sampler: a logit is +infinity";
        return std::nullopt;
    }
    return bestLogit;
}

} // namespace

Rng::Rng(std::uint64_t seed)
{
    for (auto& s : m_s)
        s = splitmix64(seed);
}

std::uint64_t Rng::next()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double Rng::uniform()
{
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

Result<Sampler> Sampler::create(const SamplerConfig& c)
{
    auto bad = [](const char* what) { return Error{std::string("sampler setting ") + what}; };
    if (std::isnan(c.temperature) || std::isinf(c.temperature))
        return bad("temperature must be a finite number");
    if (!(c.topP > 0.0f))
        return bad("topP must be greater than 0 (1 turns it off)");
    if (std::isnan(c.minP) || c.minP > 1.0f)
        return bad("minP must be at most 1 (0 turns it off)");
    if (!(c.repeatPenalty > 0.0f) || std::isinf(c.repeatPenalty))
        return bad("repeatPenalty must be a finite number greater than 0 (1 turns it off)");
    if (!std::isfinite(c.frequencyPenalty) || !std::isfinite(c.presencePenalty))
        return bad("frequencyPenalty and presencePenalty must be finite");
    if (c.penaltyWindow < -1)
        return bad("penaltyWindow must be -1 (whole history), 0 (off) or a token count");
    return Sampler(c);
}

bool Sampler::filter(std::span<const float> logits, std::span<const std::int32_t> history, std::int32_t& greedyToken,
                     std::string& error)
{
    greedyToken = -1;
    const std::size_t n = logits.size();
    if (n == 0) {
        error = "sampler: empty logits";
        return false;
    }
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        error = "sampler: vocabulary too large";
        return false;
    }
    const auto& c = m_config;
    const bool penalties =
        c.penaltyWindow != 0 && (c.repeatPenalty != 1.0f || c.frequencyPenalty != 0.0f || c.presencePenalty != 0.0f);
    if (c.temperature <= 0.0f && !penalties) {
        // Greedy without penalties: straight over the logits, without
        // copying the vocabulary: this runs once per sequence and step,
        // outside the parallel part of a batched step.
        std::size_t best = 0;
        if (!firstMax(logits, best, error))
            return false;
        greedyToken = static_cast<std::int32_t>(best);
        return true;
    }
    m_logits.assign(logits.begin(), logits.end());
    for (float& l : m_logits)
        if (std::isnan(l))
            l = kNegInf;

    // 1. Penalties: count each token of the window once, then adjust it once.
    if (penalties) {
        const std::size_t take = c.penaltyWindow < 0 ? history.size()
                                                     : std::min(history.size(), static_cast<std::size_t>(c.penaltyWindow));
        m_window.assign(history.end() - static_cast<std::ptrdiff_t>(take), history.end());
        std::sort(m_window.begin(), m_window.end());
        for (std::size_t i = 0; i < m_window.size();) {
            std::size_t j = i;
            while (j < m_window.size() && m_window[j] == m_window[i])
                ++j;
            const std::int32_t id = m_window[i];
            const auto count = static_cast<float>(j - i);
            if (id >= 0 && static_cast<std::size_t>(id) < n) {
                float& l = m_logits[static_cast<std::size_t>(id)];
                if (std::isfinite(l)) {
                    l = l > 0.0f ? l / c.repeatPenalty : l * c.repeatPenalty;
                    l -= count * c.frequencyPenalty + c.presencePenalty;
                }
            }
            i = j;
        }
    }

    std::size_t best = 0;
    const auto top = firstMax(m_logits, best, error);
    if (!top)
        return false;
    const float maxLogitF = *top;

    // 2. Greedy.
    if (c.temperature <= 0.0f) {
        greedyToken = static_cast<std::int32_t>(best);
        return true;
    }

    const auto better = [](const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    };
    const double maxLogit = maxLogitF;
    m_candidates.clear();

    // 3. Top-k by a bounded heap whose front is the worst kept candidate:
    // most tokens cost one comparison. The k survivors are then sorted, so
    // the order never depends on the library.
    bool sorted = false;
    if (c.topK > 0 && static_cast<std::size_t>(c.topK) < n) {
        const auto k = static_cast<std::size_t>(c.topK);
        m_candidates.reserve(k);
        for (std::size_t i = 0; i < n; ++i) {
            const Candidate cand{m_logits[i], static_cast<std::int32_t>(i)};
            if (m_candidates.size() < k) {
                m_candidates.push_back(cand);
                std::push_heap(m_candidates.begin(), m_candidates.end(), better);
            } else if (better(cand, m_candidates.front())) {
                std::pop_heap(m_candidates.begin(), m_candidates.end(), better);
                m_candidates.back() = cand;
                std::push_heap(m_candidates.begin(), m_candidates.end(), better);
            }
        }
        std::sort(m_candidates.begin(), m_candidates.end(), better);
        sorted = true;
    }

    const bool useTopP = c.topP < 1.0f;
    // Probabilities for top-p come from the tokens left after top-k.
    double z = 0.0;
    if (useTopP) {
        if (sorted) {
            for (const auto& cand : m_candidates)
                z += std::exp(static_cast<double>(cand.logit) - maxLogit);
        } else {
            // Kept per token: the bucket pass below reuses them.
            m_exp.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                m_exp[i] = std::exp(static_cast<double>(m_logits[i]) - maxLogit);
                z += m_exp[i];
            }
        }
    }

    // 5 before 4 gives the same result: both keep a prefix of the tokens in
    // logit order computed from the same probabilities, so the survivors are
    // the shorter prefix. Min-p first leaves top-p fewer tokens to look at.
    const double minPThreshold = c.minP > 0.0f ? maxLogit + std::log(static_cast<double>(c.minP)) : -std::numeric_limits<double>::infinity();
    if (sorted) {
        std::size_t kept = 0;
        for (const auto& cand : m_candidates)
            if (static_cast<double>(cand.logit) >= minPThreshold)
                m_candidates[kept++] = cand;
        m_candidates.resize(kept);
    } else {
        m_candidates.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            if (static_cast<double>(m_logits[i]) >= minPThreshold && m_logits[i] != kNegInf)
                m_candidates.push_back({m_logits[i], static_cast<std::int32_t>(i)});
    }

    if (!useTopP)
        return true;
    const double target = static_cast<double>(c.topP) * z;
    if (sorted) {
        double cum = 0.0;
        for (std::size_t i = 0; i < m_candidates.size(); ++i) {
            cum += std::exp(static_cast<double>(m_candidates[i].logit) - maxLogit);
            if (cum >= target) {
                m_candidates.resize(i + 1);
                break;
            }
        }
        return true;
    }

    // Top-p over a large unsorted set in O(n): bucket the candidates by
    // logit, find the bucket where the running mass crosses p, and sort only
    // that bucket. Buckets above it are kept whole, buckets below dropped.
    constexpr std::size_t kBuckets = 1024;
    constexpr double kRange = 32.0; // logits more than 32 below the max share the last bucket
    auto bucketOf = [&](float l) {
        const double d = (maxLogit - static_cast<double>(l)) * (kBuckets / kRange);
        return d >= static_cast<double>(kBuckets - 1) ? kBuckets - 1 : static_cast<std::size_t>(d);
    };
    m_bucketMass.assign(kBuckets, 0.0);
    for (const auto& cand : m_candidates)
        m_bucketMass[bucketOf(cand.logit)] += m_exp[static_cast<std::size_t>(cand.id)];
    double above = 0.0;
    std::size_t crossing = kBuckets;
    for (std::size_t b = 0; b < kBuckets; ++b) {
        if (above + m_bucketMass[b] >= target) {
            crossing = b;
            break;
        }
        above += m_bucketMass[b];
    }
    if (crossing == kBuckets)
        return true; // the survivors hold less than p: keep them all
    m_crossing.clear();
    std::size_t kept = 0;
    for (const auto& cand : m_candidates) {
        const std::size_t b = bucketOf(cand.logit);
        if (b < crossing)
            m_candidates[kept++] = cand;
        else if (b == crossing)
            m_crossing.push_back(cand);
    }
    m_candidates.resize(kept);
    std::sort(m_crossing.begin(), m_crossing.end(), better);
    double cum = above;
    for (const auto& cand : m_crossing) {
        m_candidates.push_back(cand);
        cum += m_exp[static_cast<std::size_t>(cand.id)];
        if (cum >= target)
            break;
    }
    return true;
}

double Sampler::weights(std::vector<double>& w) const
{
    double maxLogit = -std::numeric_limits<double>::infinity();
    for (const auto& cand : m_candidates)
        maxLogit = std::max(maxLogit, static_cast<double>(cand.logit));
    const double t = m_config.temperature;
    w.resize(m_candidates.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < m_candidates.size(); ++i) {
        w[i] = std::exp((static_cast<double>(m_candidates[i].logit) - maxLogit) / t);
        sum += w[i];
    }
    return sum;
}

Result<std::int32_t> Sampler::sample(std::span<const float> logits, std::span<const std::int32_t> history)
{
    std::int32_t greedy = -1;
    std::string error;
    if (!filter(logits, history, greedy, error))
        return Error{error};
    if (greedy >= 0)
        return greedy;
    const double sum = weights(m_weights);
    const double target = m_rng.uniform() * sum;
    double cum = 0.0;
    std::int32_t chosen = m_candidates.front().id;
    for (std::size_t i = 0; i < m_candidates.size(); ++i) {
        if (m_weights[i] <= 0.0)
            continue;
        chosen = m_candidates[i].id;
        cum += m_weights[i];
        if (target < cum)
            break;
    }
    return chosen;
}

Result<std::vector<TokenProbability>> Sampler::distribution(std::span<const float> logits,
                                                            std::span<const std::int32_t> history)
{
    std::int32_t greedy = -1;
    std::string error;
    if (!filter(logits, history, greedy, error))
        return Error{error};
    std::vector<TokenProbability> out;
    if (greedy >= 0) {
        out.push_back({greedy, 1.0});
        return out;
    }
    const double sum = weights(m_weights);
    out.reserve(m_candidates.size());
    for (std::size_t i = 0; i < m_candidates.size(); ++i)
        out.push_back({m_candidates[i].id, m_weights[i] / sum});
    std::sort(out.begin(), out.end(), [](const TokenProbability& a, const TokenProbability& b) {
        return a.probability > b.probability || (a.probability == b.probability && a.token < b.token);
    });
    return out;
}

} // namespace outpost::inference::sampling
