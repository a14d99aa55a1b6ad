// Tokenizer figures: time to build a tokenizer from a GGUF vocabulary (file
// open included), and tokenize / detokenize throughput on about 1 MB of
// mixed text (the llama.cpp test strings repeated, English prose, code, CJK,
// Cyrillic, emoji).
//
//   bench_tokenizer [DIR]   DIR holds ggml-vocab-*.gguf (default: shared/reference/tokenizer)
#include "inference/gguf/gguf_file.h"
#include "inference/tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace outpost::inference;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::string corpus(const std::string& dir)
{
    std::string inp;
    if (std::ifstream f(dir + "/ggml-vocab-gpt-2.gguf.inp", std::ios::binary); f) {
        std::stringstream ss;
        ss << f.rdbuf();
        inp = ss.str();
    }
    const std::string parts[] = {
        inp,
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her "
        "friends. One day, she found a shiny red ball under a big tree, and she said: \"Can I keep it?\"\n\n",
        "for (int i = 0; i < n; ++i) {\n    if (values[i] > 42) { total += values[i] * 3.14159; }\n}\n",
        "我想在apple工作1314151天～ 大规模语言模型的推理需要大量内存带宽。\n",
        "Съешь же ещё этих мягких французских булок, да выпей чаю. ",
        "🚀 emoji 😶‍🌫️ and ✅ checks 🦙🦙\t\tindent\r\n",
    };
    std::string text;
    while (text.size() < (1u << 20))
        for (const std::string& p : parts)
            text += p;
    return text;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string dir = argc > 1 ? argv[1] : OUTPOST_SHARED_DIR "/reference/tokenizer";
    const std::string text = corpus(dir);
    std::printf("corpus: %.2f MB\n", text.size() / 1e6);
    std::printf("%-16s %8s %8s %8s %10s %10s %12s\n", "vocab", "tokens", "merges", "load ms", "tok MB/s",
                "detok MB/s", "ids");
    for (const char* name : {"llama-bpe", "qwen2", "gpt-2", "deepseek-llm", "llama-spm", "bert-bge"}) {
        const std::string path = dir + "/ggml-vocab-" + name + ".gguf";
        if (!std::filesystem::exists(path)) {
            std::printf("%-16s (missing)\n", name);
            continue;
        }
        double best = 1e9;
        std::optional<tokenizer::Tokenizer> tok;
        std::size_t merges = 0;
        for (int i = 0; i < 5; ++i) {
            const auto t0 = Clock::now();
            auto file = gguf::GgufFile::open(path);
            if (!file) {
                std::printf("%s\n", file.error().c_str());
                return 1;
            }
            auto t = tokenizer::Tokenizer::fromGguf(**file);
            const auto t1 = Clock::now();
            if (!t) {
                std::printf("%s\n", t.error().c_str());
                return 1;
            }
            best = std::min(best, seconds(t0, t1));
            if (const auto* m = (*file)->find("tokenizer.ggml.merges"))
                merges = m->size();
            tok = std::move(*t);
        }
        double tokBest = 1e9, detokBest = 1e9;
        std::vector<tokenizer::TokenId> ids;
        for (int i = 0; i < 3; ++i) {
            const auto t0 = Clock::now();
            ids = tok->tokenize(text, false, false);
            const auto t1 = Clock::now();
            const std::string back = tok->detokenize(ids);
            const auto t2 = Clock::now();
            tokBest = std::min(tokBest, seconds(t0, t1));
            detokBest = std::min(detokBest, seconds(t1, t2));
        }
        std::printf("%-16s %8zu %8zu %8.1f %10.2f %10.1f %12zu\n", name, tok->vocabSize(), merges, best * 1e3,
                    text.size() / 1e6 / tokBest, text.size() / 1e6 / detokBest, ids.size());
    }
    return 0;
}
