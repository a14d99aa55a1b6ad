// bench_engine: the serving engine end to end, optionally side by side with
// llama.cpp's own benchmarks on the same GGUF file and thread count.
//
//   bench_engine FILE|--synthetic TYPE [--save FILE] [--threads T] [--gen-tokens N]
//                [--concurrency C] [--repeat R] [--kv f16|q8_0|f32]
//                [--llama-bench PATH] [--llama-batched-bench PATH] [--no-ttft]
//
// Figures (each measured R times; best and median printed, with CPU time):
//   1. single stream: generation tokens/s of one greedy request (16-token
//      prompt, N tokens), from its first token to its last;
//   2. C concurrent requests: aggregate generation tokens/s once every
//      request has its first token (as llama-batched-bench's S_TG);
//   3. time to first token of a request whose 512-token system prompt is
//      in the prefix cache, against the same request cold;
//   4. KV bytes per token as the engine reports them, against the model's
//      layout (layers x 2 x kv width x element size).
// With --llama-bench / --llama-batched-bench the same figures come from
// llama.cpp (llama-bench -n N; llama-batched-bench -npp 16 -ntg N -npl 1,C),
// each of its runs right after one of ours, and ratios are printed (also
// the median of each pair's ratio). Nothing here builds llama.cpp.
#include "inference/engine.h"
#include "inference/model/model.h"
#include "inference/tensor/kernels.h"

#include "../inference/model/synthetic_model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace outpost::inference;
using Clock = std::chrono::steady_clock;

namespace {

int usage()
{
    std::fprintf(stderr,
                 "usage: bench_engine FILE|--synthetic TYPE [--save FILE] [--threads T] [--gen-tokens N] [--concurrency C]\n"
                 "                    [--repeat R] [--kv f16|q8_0|f32] [--llama-bench PATH] [--llama-batched-bench PATH] [--no-ttft]\n");
    return 2;
}

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double childCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_CHILDREN, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

struct Stat {
    std::vector<double> v;
    double best() const { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
    double least() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
    double median() const
    {
        if (v.empty())
            return 0;
        auto c = v;
        std::sort(c.begin(), c.end());
        return c[c.size() / 2];
    }
};

std::vector<std::int32_t> randomTokens(std::mt19937& rng, int n, int vocab)
{
    std::vector<std::int32_t> t(static_cast<std::size_t>(n));
    for (auto& x : t)
        x = 3 + static_cast<std::int32_t>(rng() % static_cast<unsigned>(vocab - 3));  // past BOS/EOS/unk
    return t;
}

// Runs `requests` together; returns aggregate generation tokens/s counted
// from the moment the last of them got its first token.
struct BatchRun {
    double aggregate = 0;
    double cpuPerToken = 0;  // process CPU seconds per generated token, over the same window
    double singleTps = 0;    // for one request: its own tokens/s
};

BatchRun runBatch(Engine& engine, const std::vector<std::vector<std::int32_t>>& prompts, int genTokens)
{
    std::mutex m;
    std::vector<Clock::time_point> stamps;  // every generated token
    std::vector<Clock::time_point> firsts(prompts.size());
    std::vector<double> cpuAtFirst(prompts.size());
    std::vector<RequestHandle> handles;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        GenerationRequest req;
        req.promptTokens = prompts[i];
        req.maxTokens = genTokens;
        req.stopAtEndOfGeneration = false;
        req.sampling.temperature = 0;
        auto seen = std::make_shared<int>(0);
        req.onToken = [&, i, seen](const TokenEvent& ev) {
            if (ev.token < 0)
                return;
            const auto now = Clock::now();
            std::lock_guard lock(m);
            stamps.push_back(now);
            if ((*seen)++ == 0) {
                firsts[i] = now;
                cpuAtFirst[i] = cpuSeconds();
            }
        };
        handles.push_back(engine.submit(req));
    }
    GenerationResult last;
    for (auto& h : handles)
        last = h.wait();
    const double cpuEnd = cpuSeconds();
    const auto tEnd = Clock::now();
    const auto start = *std::max_element(firsts.begin(), firsts.end());
    const std::size_t who = static_cast<std::size_t>(std::max_element(firsts.begin(), firsts.end()) - firsts.begin());
    std::size_t after = 0;
    Clock::time_point lastStamp = start;
    for (const auto& s : stamps)
        if (s > start) {
            ++after;
            lastStamp = std::max(lastStamp, s);
        }
    BatchRun r;
    const double secs = std::chrono::duration<double>(lastStamp - start).count();
    r.aggregate = secs > 0 ? double(after) / secs : 0;
    r.cpuPerToken = after ? (cpuEnd - cpuAtFirst[who]) / double(after) : 0;
    (void)tEnd;
    r.singleTps = last.stats.tokensPerSecond;
    return r;
}

std::string runCommand(const std::string& cmd, double& childCpu)
{
    const double c0 = childCpuSeconds();
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
            out.append(buf, n);
        ::pclose(p);
    }
    childCpu = childCpuSeconds() - c0;
    return out;
}

// The number after "key": in a JSON line.
double jsonNumber(const std::string& line, const std::string& key)
{
    const auto at = line.find("\"" + key + "\"");
    if (at == std::string::npos)
        return 0;
    const auto colon = line.find(':', at);
    return colon == std::string::npos ? 0 : std::atof(line.c_str() + colon + 1);
}

} // namespace

int main(int argc, char** argv)
{
    std::string path, synthetic, savePath, llamaBench, llamaBatched, kv = "f16";
    bool ttft = true;
    int threads = 0, genTokens = 128, concurrency = 16, repeat = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--threads" || a == "--gen-tokens" || a == "--concurrency" || a == "--repeat" || a == "--synthetic" || a == "--save"
            || a == "--llama-bench" || a == "--llama-batched-bench" || a == "--kv") {
            const char* v = next();
            if (!v)
                return usage();
            if (a == "--synthetic")
                synthetic = v;
            else if (a == "--save")
                savePath = v;
            else if (a == "--llama-bench")
                llamaBench = v;
            else if (a == "--llama-batched-bench")
                llamaBatched = v;
            else if (a == "--kv")
                kv = v;
            else
                (a == "--threads" ? threads : a == "--gen-tokens" ? genTokens : a == "--concurrency" ? concurrency : repeat) = std::atoi(v);
        } else if (a == "--no-ttft") {
            ttft = false;
        } else if (!a.empty() && a[0] != '-' && path.empty()) {
            path = a;
        } else {
            return usage();
        }
    }
    if (path.empty() == synthetic.empty() || genTokens < 2 || concurrency < 1 || repeat < 1 || threads < 0
        || (kv != "f16" && kv != "q8_0" && kv != "f32"))
        return usage();

    std::filesystem::path tempDir;
    if (!synthetic.empty()) {
        // The same model in both benches: dim 768, 12 layers.
        const auto benchSpec = outpost::test::benchSyntheticSpec(synthetic);
        if (!benchSpec) {
            std::fprintf(stderr, "bench_engine: unknown or unsupported type '%s'\n", synthetic.c_str());
            return 2;
        }
        const outpost::test::SyntheticSpec& spec = *benchSpec;
        if (savePath.empty()) {
            tempDir = std::filesystem::temp_directory_path() / ("bench_engine-" + std::to_string(::getpid()));
            std::filesystem::create_directories(tempDir);
            path = (tempDir / ("synthetic-" + synthetic + ".gguf")).string();
        } else {
            path = savePath;
        }
        if (auto s = outpost::test::makeSyntheticModel(spec).writeFile(path); !s) {
            std::fprintf(stderr, "bench_engine: %s\n", s.error().c_str());
            return 1;
        }
    }
    auto cleanup = [&] {
        if (!tempDir.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(tempDir, ec);
        }
    };

    EngineConfig config;
    config.modelPath = path;
    config.threads = threads;
    config.contextLength = 1024;
    config.kvType = kv == "q8_0" ? KvCacheType::Q8_0 : kv == "f32" ? KvCacheType::F32 : KvCacheType::F16;
    config.maxSequences = std::max(concurrency, 1);
    auto loaded = Engine::load(config);
    if (!loaded) {
        std::fprintf(stderr, "bench_engine: %s\n", loaded.error().c_str());
        cleanup();
        return 1;
    }
    Engine& engine = **loaded;
    const auto& info = engine.info();
    threads = info.threads;
    std::printf("model: %s (%s), %llu parameters, %d layers, kernels %s, %d threads, KV %s\n", path.c_str(),
                info.architecture.c_str(), static_cast<unsigned long long>(info.parameters), info.layers,
                kernelIsaName(activeKernelIsa()), threads, kv.c_str());

    // 4. KV bytes per token against the layout.
    {
        auto m = model::Model::load(path);
        const auto s = engine.stats();
        if (m) {
            const auto& c = (*m)->config();
            const std::size_t elem2 = kv == "f32" ? 8 : kv == "f16" ? 4 : 0;
            const std::size_t want = kv == "q8_0" ? std::size_t(c.layers) * 2 * std::size_t(c.kvDim() / 32 * 34)
                                                  : std::size_t(c.layers) * std::size_t(c.kvDim()) * elem2;
            std::printf("KV bytes per token: engine %zu, layout %d layers x 2 x %d x %s = %zu  %s\n", s.kvBytesPerToken, c.layers,
                        c.kvDim(), kv.c_str(), want, want == s.kvBytesPerToken ? "(match)" : "(MISMATCH)");
        }
        std::printf("KV cache: %d blocks of %d tokens, %.1f MiB\n", s.kvBlocksTotal, s.kvBlockTokens, s.kvBytesTotal / 1048576.0);
    }

    std::mt19937 rng(11);
    const int vocab = info.vocabSize;
    // Warm-up (page in the weights).
    runBatch(engine, {randomTokens(rng, 16, vocab)}, 8);

    // llama.cpp's runs alternate with ours (the engine sleeps meanwhile), so
    // that both see the same moments of a noisy machine; each pair also
    // gives a ratio of its own.
    // llama-bench -n N: tokens/s, and CPU time per token as the difference
    // between a run of N tokens and one of N/4 (same load and warm-up), so
    // model loading cancels out. A negative difference means the machine's
    // load swamped the measurement: that run is left out of the CPU figure.
    Stat tg, llamaCpu;
    bool llamaFailed = llamaBench.empty();
    auto llamaSingle = [&] {
        auto run = [&](int n, double& cpu) {
            const std::string cmd = "'" + llamaBench + "' -m '" + path + "' -p 0 -n " + std::to_string(n) + " -t "
                + std::to_string(threads) + " -r 1 -o jsonl 2>/dev/null";
            return jsonNumber(runCommand(cmd, cpu), "avg_ts");
        };
        double cFull = 0, cQuarter = 0;
        const double ts = run(genTokens, cFull);
        run(genTokens / 4, cQuarter);
        if (ts <= 0) {
            llamaFailed = true;
            return 0.0;
        }
        tg.v.push_back(ts);
        if (cFull > cQuarter)
            llamaCpu.v.push_back((cFull - cQuarter) * 1000.0 / (genTokens - genTokens / 4));
        return ts;
    };
    // llama-batched-bench -npp 16 -ntg N -npl 1,C: S_TG of 1 and C sequences.
    Stat one, many;
    bool batchedFailed = llamaBatched.empty();
    auto llamaMany = [&] {
        double c = 0;
        const std::string cmd = "'" + llamaBatched + "' -m '" + path + "' -c " + std::to_string((16 + genTokens) * concurrency + 64)
            + " -b 2048 -ub 512 -npp 16 -ntg " + std::to_string(genTokens) + " -npl 1," + std::to_string(concurrency) + " -t "
            + std::to_string(threads) + " --output-format jsonl 2>/dev/null";
        const auto out = runCommand(cmd, c);
        double result = 0;
        std::size_t pos = 0;
        while (pos < out.size()) {
            const auto end = out.find('\n', pos);
            const std::string line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            pos = end == std::string::npos ? out.size() : end + 1;
            if (line.find("speed_tg") == std::string::npos)
                continue;
            const int pl = static_cast<int>(jsonNumber(line, "pl"));
            const double v = jsonNumber(line, "speed_tg");
            (pl == 1 ? one : many).v.push_back(v);
            if (pl != 1)
                result = v;
        }
        batchedFailed = batchedFailed || result <= 0;
        return result;
    };

    // 1. single stream.
    Stat single, singleCpu, pairedSingle;
    for (int r = 0; r < repeat; ++r) {
        const auto b = runBatch(engine, {randomTokens(rng, 16, vocab)}, genTokens);
        single.v.push_back(b.aggregate);
        singleCpu.v.push_back(b.cpuPerToken * 1000.0);
        if (!llamaFailed)
            if (const double ts = llamaSingle(); ts > 0)
                pairedSingle.v.push_back(b.aggregate / ts);
    }
    std::printf("single stream:   %9.1f tok/s best, %9.1f median  (%.3f ms CPU/token, all threads)\n", single.best(),
                single.median(), singleCpu.least());

    // 2. concurrent.
    Stat agg, aggCpu, pairedMany;
    for (int r = 0; r < repeat; ++r) {
        std::vector<std::vector<std::int32_t>> prompts;
        for (int i = 0; i < concurrency; ++i)
            prompts.push_back(randomTokens(rng, 16, vocab));
        const auto b = runBatch(engine, prompts, genTokens);
        agg.v.push_back(b.aggregate);
        aggCpu.v.push_back(b.cpuPerToken * 1000.0);
        if (!batchedFailed)
            if (const double ts = llamaMany(); ts > 0)
                pairedMany.v.push_back(b.aggregate / ts);
    }
    std::printf("%2d concurrent:   %9.1f tok/s best, %9.1f median  (%.3f ms CPU/token) = %.2fx single stream\n", concurrency,
                agg.best(), agg.median(), aggCpu.least(), single.best() > 0 ? agg.best() / single.best() : 0);

    // 3. TTFT with a cached 512-token system prompt against cold.
    Stat cold, warm;
    for (int r = 0; r < (ttft ? repeat : 0); ++r) {
        const auto system = randomTokens(rng, 512, vocab);
        auto ask = [&](std::vector<std::int32_t> tail) {
            GenerationRequest req;
            req.promptTokens = system;
            req.promptTokens.insert(req.promptTokens.end(), tail.begin(), tail.end());
            req.maxTokens = 1;
            req.sampling.temperature = 0;
            return engine.generate(req).stats.ttftMs;
        };
        cold.v.push_back(ask(randomTokens(rng, 16, vocab)));
        warm.v.push_back(ask(randomTokens(rng, 16, vocab)));
    }
    if (ttft)
        std::printf("TTFT, 512-token system prompt + 16: cold %.2f ms, cached %.2f ms (medians) = %.1fx faster\n", cold.median(),
                    warm.median(), warm.median() > 0 ? cold.median() / warm.median() : 0);
    const auto st = engine.stats();
    std::printf("engine: %llu steps, prefix hits %llu / misses %llu, TTFT mean %.2f ms, inter-token mean %.3f ms\n",
                static_cast<unsigned long long>(st.steps), static_cast<unsigned long long>(st.prefixHits),
                static_cast<unsigned long long>(st.prefixMisses), st.ttft.meanMs(), st.interToken.meanMs());
    loaded.value().reset();

    // llama.cpp side by side.
    if (!llamaBench.empty()) {
        if (tg.v.empty()) {
            std::printf("llama-bench: no result\n");
        } else {
            std::printf("llama-bench tg%d: %9.1f tok/s best, %9.1f median  (%.3f ms CPU/token)\n", genTokens, tg.best(), tg.median(),
                        llamaCpu.least());
            std::printf("ratio single stream (outpost / llama.cpp): best %.2fx, median %.2fx, paired runs' median %.2fx; by CPU "
                        "time per token %.2fx\n",
                        single.best() / tg.best(), single.median() / tg.median(), pairedSingle.median(),
                        llamaCpu.v.empty() ? 0.0 : llamaCpu.least() / singleCpu.least());
        }
    }
    if (!llamaBatched.empty()) {
        if (many.v.empty()) {
            std::printf("llama-batched-bench: no result\n");
        } else {
            std::printf("llama-batched-bench S_TG: 1 seq %9.1f tok/s, %d seqs %9.1f tok/s (best)\n", one.best(), concurrency, many.best());
            std::printf("ratio %d concurrent (outpost / llama.cpp): best %.2fx, median %.2fx, paired runs' median %.2fx\n", concurrency,
                        agg.best() / many.best(), agg.median() / many.median(), pairedMany.median());
        }
    }
    cleanup();
    return 0;
}
