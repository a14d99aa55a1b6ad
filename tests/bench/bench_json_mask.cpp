// JSON-constrained sampling: time of one token mask, the work the engine
// does for every step of every JSON request, at several points of a value
// (before it, inside a key, inside a string, between properties, inside a
// number, inside a free object, in a model reached by "$ref", at and inside
// an anyOf): the straightforward jsonTokenMask() beside
// JsonTokenMasker's trie walk, whose masks must be the same ("same"), and
// the time to build the masker once per vocabulary.
//
// Vocabularies: synthetic byte-level ones of 32,000 and 150,000 pieces (all
// 256 bytes, JSON punctuation, numbers, ASCII words with and without a
// leading space, complete and partial UTF-8 characters of several
// scripts), and, when present, the real llama-spm (32k) and qwen2 (151k)
// vocabularies of shared/reference/tokenizer.
//
//   bench_json_mask [DIR]   DIR holds ggml-vocab-*.gguf (default: shared/reference/tokenizer)
#include "inference/gguf/gguf_file.h"
#include "inference/sampling/json_constraint.h"
#include "inference/tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace outpost::inference;
using namespace outpost::inference::sampling;
using Clock = std::chrono::steady_clock;

namespace {

struct Vocabulary {
    std::string name;
    std::vector<std::string> pieces;
    std::vector<bool> eog;
};

// Characters of several scripts, to cut pieces from.
std::vector<std::string> characters()
{
    const char* samples[] = {
        "नमस्ते दुनिया किताब पानी",
        "สวัสดีชาวโลกภาษาไทย",
        "안녕하세요 세계 한국어 도시",
        "我想在工作大规模语言模型的推理需要内存带宽",
        "Съешь же ещё этих мягких булок",
        "مرحبا بالعالم العربية",
        "😀🚀🦙✅🌈🍺💡",
        "éèàüößçñœåø",
    };
    std::vector<std::string> out;
    for (const char* sample : samples)
        for (const char* c = sample; *c;) {
            std::size_t n = 1;
            while ((static_cast<unsigned char>(c[n]) & 0xC0) == 0x80)
                ++n;
            if (*c != ' ')
                out.emplace_back(c, n);
            c += n;
        }
    return out;
}

// Mostly words, as byte-level BPE vocabularies are: about 60% ASCII words
// (half with a leading space), 25% UTF-8 (whole characters, pairs, and
// characters cut after their first bytes), numbers, punctuation runs.
Vocabulary synthetic(std::size_t size)
{
    std::mt19937 rng(42);
    std::set<std::string> seen;
    Vocabulary v;
    v.name = "synthetic-" + std::to_string(size / 1000) + "k";
    auto add = [&](const std::string& p) {
        if (!p.empty() && v.pieces.size() < size && seen.insert(p).second)
            v.pieces.push_back(p);
    };
    for (int b = 0; b < 256; ++b)
        add(std::string(1, char(b)));
    for (const char* p : {"{\"", "\"}", "\":", "\",\"", "\":\"", "\"},{\"", "[{\"", "\"}]", "\":[", "],\"", "\":{\"", "},\"", ",\"",
                          "\":\"\"", "\\n", "\\\"", "\": ", "\", \"", "{\n", "  ", "    ", "\n\n", "...", "--", "//", "://"})
        add(p);
    for (int n = 0; n < 1000; ++n) {
        add(std::to_string(n));
        if (n < 100)
            add(std::string(n < 10 ? "0" : "") + std::to_string(n));
    }
    const char* onsets[] = {"", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "ch", "sh", "th", "pl", "gr"};
    const char* vowels[] = {"a", "e", "i", "o", "u", "ea", "ou", "ai", "ie", "y"};
    const char* codas[] = {"", "", "n", "r", "s", "t", "l", "nd", "ng", "ck", "ll", "st", "rs", "ed", "ing", "er", "ly"};
    const auto chars = characters();
    auto word = [&] {
        std::string w;
        const int syllables = 1 + int(rng() % 3);
        for (int s = 0; s < syllables; ++s)
            w += std::string(onsets[rng() % std::size(onsets)]) + vowels[rng() % std::size(vowels)] + codas[rng() % std::size(codas)];
        return w;
    };
    while (v.pieces.size() < size) {
        const unsigned kind = rng() % 20;
        if (kind < 12) {
            std::string w = word();
            if (rng() % 4 == 0)
                w[0] = char(std::toupper(static_cast<unsigned char>(w[0])));
            add(rng() % 2 ? " " + w : w);
        } else if (kind < 17) {
            std::string p;
            const int n = 1 + int(rng() % 4);
            for (int c = 0; c < n; ++c)
                p += chars[rng() % chars.size()];
            if (rng() % 4 == 0)
                p.pop_back();  // a character cut short, as byte-level merges have
            add(rng() % 3 == 0 ? " " + p : p);
        } else if (kind < 19) {
            add(std::to_string(rng() % 100000));
        } else {
            std::string p;
            const int n = 2 + int(rng() % 3);
            for (int c = 0; c < n; ++c)
                p += "{}[]\",:.!?;()-_'*#"[rng() % 18];
            add(p);
        }
    }
    v.eog.assign(v.pieces.size(), false);
    v.pieces.push_back("</s>");  // an end-of-generation token with text
    v.eog.push_back(true);
    return v;
}

// The pieces the engine gives the mask (inference/engine.cpp): control
// tokens have none.
bool real(const std::string& path, const std::string& name, Vocabulary& v)
{
    if (!std::filesystem::exists(path))
        return false;
    auto file = gguf::GgufFile::open(path);
    if (!file)
        return false;
    auto tok = tokenizer::Tokenizer::fromGguf(**file);
    if (!tok)
        return false;
    v.name = name;
    const std::size_t n = tok->vocabSize();
    v.pieces.assign(n, std::string());
    v.eog.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = static_cast<tokenizer::TokenId>(i);
        v.eog[i] = tok->isEog(id);
        if (!tok->isControl(id))
            v.pieces[i] = tok->tokenToPiece(id, false);
    }
    return true;
}

const char* kTool = R"({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":14},
  "units":{"enum":["metric","imperial"]},"tags":{"type":"array","items":{"type":"string","maxLength":20},"maxItems":5},
  "note":{"type":"string"}},"required":["city","days"]})";
const char* kMap = R"({"type":"object","additionalProperties":{"type":"number"}})";
// As pydantic writes a tool's arguments: a model by "$ref", optional fields
// as anyOf with null.
const char* kModel = R"({"$defs":{"Place":{"type":"object","properties":{"city":{"type":"string"},"country":{"type":"string"}},
  "required":["city"]}},"type":"object","properties":{"place":{"$ref":"#/$defs/Place"},
  "note":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}},"required":["place"]})";

struct Point {
    const char* what;
    const char* schema;
    const char* prefix;
};

const Point kPoints[] = {
    {"before the value", kTool, ""},
    {"inside a key", kTool, "{\"ci"},
    {"inside a string", kTool, "{\"city\":\"Par"},
    {"between properties", kTool, "{\"city\":\"Paris\""},
    {"after a comma", kTool, "{\"city\":\"Paris\","},
    {"inside a number", kTool, "{\"city\":\"Paris\",\"days\":1"},
    {"inside an array", kTool, "{\"city\":\"Paris\",\"days\":3,\"tags\":[\"a\",\"b"},
    {"free key", kMap, "{\"x\":1.5,\"ab"},
    {"free number", kMap, "{\"x\":-12.0"},
    {"in a $ref model", kModel, "{\"place\":{\"city\":\"Par"},
    {"before an anyOf", kModel, "{\"place\":{\"city\":\"P\"},\"note\":"},
    {"in an anyOf string", kModel, "{\"place\":{\"city\":\"P\"},\"note\":\"ab"},
};

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

// Seconds per call: the best of three runs of at least 0.2 s each.
template<class F>
double perMask(F&& mask)
{
    double best = 1e9;
    for (int run = 0; run < 3; ++run) {
        int reps = 0;
        const auto t0 = Clock::now();
        double elapsed = 0;
        do {
            mask();
            ++reps;
            elapsed = seconds(t0, Clock::now());
        } while (elapsed < 0.2);
        best = std::min(best, elapsed / reps);
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string dir = argc > 1 ? argv[1] : OUTPOST_SHARED_DIR "/reference/tokenizer";
    std::vector<Vocabulary> vocabularies{synthetic(32000), synthetic(150000)};
    for (const char* name : {"llama-spm", "qwen2"}) {
        Vocabulary v;
        if (real(dir + "/ggml-vocab-" + name + ".gguf", name, v))
            vocabularies.push_back(std::move(v));
        else
            std::printf("%s: absent from %s\n", name, dir.c_str());
    }
    std::printf("%-18s %-20s %9s %12s %11s %8s %9s %5s\n", "vocabulary", "point", "allowed", "simple ms", "trie ms", "ratio",
                "build ms", "same");
    for (const auto& v : vocabularies) {
        const auto t0 = Clock::now();
        const JsonTokenMasker masker(v.pieces, v.eog);
        const double build = seconds(t0, Clock::now());
        for (const auto& p : kPoints) {
            const auto schema = JsonSchema::parse(p.schema);
            if (!schema) {
                std::printf("%s\n", schema.error().c_str());
                return 1;
            }
            JsonConstraint c(schema.value());
            if (!c.feed(std::string_view(p.prefix))) {
                std::printf("prefix not accepted: %s\n", p.prefix);
                return 1;
            }
            std::vector<bool> simple, trie;
            const double simpleTime = perMask([&] { jsonTokenMask(c, v.pieces, v.eog, 200, simple); });
            const double trieTime = perMask([&] { masker.mask(c, 200, trie); });
            std::printf("%-18s %-20s %9zu %12.3f %11.3f %7.1fx %9.1f %5s\n", v.name.c_str(), p.what,
                        static_cast<std::size_t>(std::count(trie.begin(), trie.end(), true)), simpleTime * 1e3, trieTime * 1e3,
                        simpleTime / trieTime, build * 1e3, simple == trie ? "yes" : "NO");
        }
    }
    return 0;
}
