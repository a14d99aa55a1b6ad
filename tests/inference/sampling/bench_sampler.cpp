// Prints the time per sampled token on a 150k vocabulary for the common
// settings (not a test; run it by hand).
#include "inference/sampling/sampler.h"

#include <chrono>
#include <cstdio>
#include <vector>

using namespace outpost::inference::sampling;

int main()
{
    constexpr std::size_t kVocab = 151936; // Qwen2's vocabulary
    Rng rng(1);
    std::vector<float> logits(kVocab);
    for (auto& l : logits)
        l = static_cast<float>((rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 10.0);
    std::vector<std::int32_t> history;
    for (int i = 0; i < 256; ++i)
        history.push_back(static_cast<std::int32_t>(rng.next() % kVocab));

    struct Setting {
        const char* name;
        SamplerConfig config;
    };
    SamplerConfig greedy;
    greedy.temperature = 0.0f;
    SamplerConfig defaults; // temperature 0.8, top-k 40, top-p 0.95, min-p 0.05
    SamplerConfig topPOnly;
    topPOnly.topK = 0;
    topPOnly.minP = 0.0f;
    topPOnly.topP = 0.95f;
    SamplerConfig penalties = defaults;
    penalties.repeatPenalty = 1.1f;
    penalties.frequencyPenalty = 0.1f;
    penalties.presencePenalty = 0.1f;
    SamplerConfig pure;
    pure.topK = 0;
    pure.topP = 1.0f;
    pure.minP = 0.0f;
    const Setting settings[] = {{"greedy", greedy},
                                {"default (k40 p0.95 minp0.05 T0.8)", defaults},
                                {"top-p 0.95 only", topPOnly},
                                {"default + penalties (window 64)", penalties},
                                {"temperature only (full softmax)", pure}};
    for (const auto& s : settings) {
        auto sampler = Sampler::create(s.config).value();
        constexpr int kIters = 300;
        const auto t0 = std::chrono::steady_clock::now();
        long sink = 0;
        for (int i = 0; i < kIters; ++i)
            sink += sampler.sample(logits, history).value();
        const auto t1 = std::chrono::steady_clock::now();
        const double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / kIters;
        std::printf("%-36s %8.1f us/token (vocab %zu) [%ld]\n", s.name, us, kVocab, sink % 7);
    }
    return 0;
}
