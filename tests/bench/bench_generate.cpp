// bench_generate: prompt (prefill) and generation speed of the CPU forward
// pass, in tokens/s.
//
//   bench_generate FILE [--threads T] [--prompt-tokens P] [--gen-tokens N]
//   bench_generate --synthetic F16|Q8_0|Q4_K|Q4_K_M|Q5_K_M [--save FILE] [--threads T] ...
// (--save keeps the synthetic model at FILE, to bench it again by name.)
//
// --synthetic writes a random llama (dim 768, 12 layers, 12 heads, ffn 2048,
// vocab 32000; 134M parameters) in that type (Q4_K_M, Q5_K_M: Q4_K, Q5_K
// with llama.cpp's Q6_K tensors) to a temporary folder and measures it.
// Prompt tokens are random ids fed as one batch (chunks of 512);
// generation is greedy, one token per step, through the paged cache.
#include "inference/model/model.h"
#include "inference/runtime/thread_pool.h"
#include "inference/tensor/kernels.h"

#include "../inference/model/synthetic_model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <ctime>
#include <unistd.h>

using namespace outpost::inference;
using Clock = std::chrono::steady_clock;

namespace {

int usage()
{
    std::fprintf(stderr, "usage: bench_generate FILE|--synthetic TYPE [--threads T] [--prompt-tokens P] [--gen-tokens N] [--f32-kv] [--save FILE]\n"
                         "  TYPE: F16, Q8_0, Q4_K (any type the kernels support), Q4_K_M or Q5_K_M (with Q6_K tensors)\n");
    return 2;
}

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

// CPU time of the whole process. On a shared machine wall time includes
// waiting for a core; with one thread, CPU time is what the work costs.
double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv)
{
    std::string path, synthetic, savePath;
    int threads = 0, promptTokens = 128, genTokens = 64;
    bool f32Kv = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--threads" || a == "--prompt-tokens" || a == "--gen-tokens" || a == "--synthetic" || a == "--save") {
            const char* v = next();
            if (!v)
                return usage();
            if (a == "--synthetic")
                synthetic = v;
            else if (a == "--save")
                savePath = v;
            else
                (a == "--threads" ? threads : a == "--prompt-tokens" ? promptTokens : genTokens) = std::atoi(v);
        } else if (a == "--f32-kv") {
            f32Kv = true;
        } else if (!a.empty() && a[0] != '-' && path.empty()) {
            path = a;
        } else {
            return usage();
        }
    }
    if (path.empty() == synthetic.empty() || promptTokens < 1 || genTokens < 1 || threads < 0)
        return usage();

    std::filesystem::path tempDir;
    if (!synthetic.empty()) {
        // The same model in both benches: dim 768, 12 layers.
        const auto benchSpec = outpost::test::benchSyntheticSpec(synthetic);
        if (!benchSpec) {
            std::fprintf(stderr, "bench_generate: unknown or unsupported type '%s'\n", synthetic.c_str());
            return 2;
        }
        const outpost::test::SyntheticSpec& spec = *benchSpec;
        if (savePath.empty()) {
            tempDir = std::filesystem::temp_directory_path() / ("bench_generate-" + std::to_string(::getpid()));
            std::filesystem::create_directories(tempDir);
            path = (tempDir / ("synthetic-" + synthetic + ".gguf")).string();
        } else {
            path = savePath;
        }
        const auto t0 = Clock::now();
        const auto status = outpost::test::makeSyntheticModel(spec).writeFile(path);
        if (!status) {
            std::fprintf(stderr, "bench_generate: %s\n", status.error().c_str());
            return 1;
        }
        std::printf("wrote synthetic %s model in %.1f s\n", synthetic.c_str(), seconds(t0, Clock::now()));
    }

    int rc = 0;
    {
        const auto loadStart = Clock::now();
        auto model = model::Model::load(path);
        const double loadSeconds = seconds(loadStart, Clock::now());
        if (!model) {
            std::fprintf(stderr, "bench_generate: %s\n", model.error().c_str());
            rc = 1;
        } else {
            const auto& c = (*model)->config();
            runtime::ThreadPool pool(threads);
            const int context = promptTokens + genTokens + 1;
            auto cache = kv::KvCache::create((*model)->kvConfig(context, 16, f32Kv ? kv::KvType::F32 : kv::KvType::F16));
            if (!cache) {
                std::fprintf(stderr, "bench_generate: %s\n", cache.error().c_str());
                return 1;
            }
            std::size_t weightBytes = 0;
            for (const auto& t : (*model)->file().tensors())
                weightBytes += t.bytes;
            std::printf("model: %s (%s), %llu parameters, %.1f MiB, kernels %s, %d threads\n", path.c_str(),
                        c.architecture.c_str(), static_cast<unsigned long long>(c.parameters), weightBytes / 1048576.0,
                        kernelIsaName(activeKernelIsa()), pool.size());
            std::printf("load:     %.3f s (mapping, checks, packing the weights on every core)\n", loadSeconds);

            kv::BlockTable table;
            kv::BlockTable* tables[] = {&table};
            model::Workspace ws;
            std::vector<float> logits;
            std::mt19937 rng(7);
            std::vector<model::BatchToken> batch;
            (void)cache->reserve(table, context);

            const double pc0 = cpuSeconds();
            const auto p0 = Clock::now();
            for (int start = 0; start < promptTokens; start += 512) {
                const int end = std::min(promptTokens, start + 512);
                batch.clear();
                for (int i = start; i < end; ++i)
                    batch.push_back({static_cast<std::int32_t>(rng() % static_cast<unsigned>(c.vocab)), i, 0, i == promptTokens - 1});
                if (auto s = (*model)->forward(batch, tables, *cache, pool, ws, logits); !s) {
                    std::fprintf(stderr, "bench_generate: %s\n", s.error().c_str());
                    return 1;
                }
            }
            const double prefill = seconds(p0, Clock::now());
            const double prefillCpu = cpuSeconds() - pc0;

            const double gc0 = cpuSeconds();
            const auto g0 = Clock::now();
            for (int n = 0; n < genTokens; ++n) {
                const auto next = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
                const model::BatchToken bt{next, promptTokens + n, 0, true};
                if (auto s = (*model)->forward(std::span(&bt, 1), tables, *cache, pool, ws, logits); !s) {
                    std::fprintf(stderr, "bench_generate: %s\n", s.error().c_str());
                    return 1;
                }
            }
            const double gen = seconds(g0, Clock::now());
            const double genCpu = cpuSeconds() - gc0;
            std::printf("prompt:     %5d tokens in %8.3f s = %9.1f tokens/s   (%.3f CPU s, all threads)\n", promptTokens,
                        prefill, promptTokens / prefill, prefillCpu);
            std::printf("generation: %5d tokens in %8.3f s = %9.1f tokens/s   (%.3f CPU s, all threads; %.1f GB/s of weights)\n",
                        genTokens, gen, genTokens / gen, genCpu, weightBytes * (genTokens / gen) / 1e9);
            cache->release(table);
        }
    }
    if (!tempDir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(tempDir, ec);
    }
    return rc;
}
