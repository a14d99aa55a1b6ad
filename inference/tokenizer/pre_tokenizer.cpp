#include "inference/tokenizer/pre_tokenizer.h"

#include "inference/unicode/unicode.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace outpost::inference::tokenizer {
namespace {

namespace uc = outpost::inference::unicode;

constexpr char32_t kOutOfRange = 0xFFFFFFFFu;
constexpr std::uint8_t kWs = uc::kWhitespaceBit;

inline std::uint8_t cat(std::uint8_t f) { return f & uc::kCategoryMask; }
inline bool isWs(std::uint8_t f) { return (f & kWs) != 0; }
inline bool isL(std::uint8_t f) { return cat(f) == static_cast<std::uint8_t>(uc::Category::Letter); }
inline bool isN(std::uint8_t f) { return cat(f) == static_cast<std::uint8_t>(uc::Category::Number); }
inline bool isP(std::uint8_t f) { return cat(f) == static_cast<std::uint8_t>(uc::Category::Punctuation); }

// The text as code points with their Unicode flags and byte offsets.
struct Text {
    std::vector<char32_t> cps;
    std::vector<std::uint8_t> flags;
    std::vector<std::uint32_t> offsets;   // one more than cps: the end
};

// One piece of text being matched, as a regex engine sees its subject:
// positions outside [.., end) read as "nothing there".
struct View {
    const Text& t;
    std::size_t end;
    char32_t cp(std::size_t i) const { return i < end ? t.cps[i] : kOutOfRange; }
    std::uint8_t f(std::size_t i) const { return i < end ? t.flags[i] : 0; }
};

using Range = std::pair<std::size_t, std::size_t>;
// Returns the length of the match at pos (0: no match here).
using MatchFn = std::size_t (*)(const View&, std::size_t pos);

enum class Mode {
    Regex,       // leftmost matches; unmatched text between them is one piece
    Custom,      // every step yields a piece (llama.cpp's hand-written gpt2/llama3 splitters)
    TrailingWs,  // \s+$
};

struct Stage {
    MatchFn fn;
    Mode mode;
};

bool isContractionAt(const View& v, std::size_t pos, std::size_t& len, bool anyCase)
{
    if (v.cp(pos) != '\'' || pos + 1 >= v.end)
        return false;
    auto lower = [&](char32_t c) { return anyCase && c >= 'A' && c <= 'Z' ? c + 32 : c; };
    const char32_t n = lower(v.cp(pos + 1));
    if (n == 's' || n == 't' || n == 'm' || n == 'd') {
        len = 2;
        return true;
    }
    if (pos + 2 < v.end) {
        const char32_t nn = lower(v.cp(pos + 2));
        if ((n == 'r' && nn == 'e') || (n == 'v' && nn == 'e') || (n == 'l' && nn == 'l')) {
            len = 3;
            return true;
        }
    }
    return false;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
// Code points without any category (unassigned) end runs and stand alone,
// as in llama.cpp's custom splitter for this regex.
std::size_t matchGpt2(const View& v, std::size_t pos)
{
    std::size_t len = 0;
    if (isContractionAt(v, pos, len, false))
        return len;
    const char32_t c = v.cp(pos);
    const std::size_t start = pos + (c == ' ' ? 1 : 0);
    const std::uint8_t f2 = v.f(start);
    std::size_t p = start;
    if (isL(f2)) {
        while (isL(v.f(p))) ++p;
        return p - pos;
    }
    if (isN(f2)) {
        while (isN(v.f(p))) ++p;
        return p - pos;
    }
    auto other = [](std::uint8_t f) { return f != 0 && !isWs(f) && !isL(f) && !isN(f); };
    if (other(f2)) {
        while (other(v.f(p))) ++p;
        return p - pos;
    }
    std::size_t k = 0;
    while (isWs(v.f(pos + k))) ++k;
    if (k > 1 && pos + k < v.end)
        return k - 1;   // leave the last space to the word that follows
    return k > 0 ? k : 1;
}

// (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}
//   | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// Llama 3 (N = 3) runs through llama.cpp's custom splitter, where unassigned
// code points stop "other" runs; Qwen2 (N = 1) through std::regex on
// category-collapsed text, where they count as "other".
template<std::size_t MaxDigits, bool RegexSemantics>
std::size_t matchLlama3(const View& v, std::size_t pos)
{
    std::size_t len = 0;
    if (isContractionAt(v, pos, len, true))
        return len;
    const char32_t c = v.cp(pos);
    const std::uint8_t f = v.f(pos);
    if (!(c == '\r' || c == '\n' || isN(f)) && (isL(f) || isL(v.f(pos + 1)))) {
        std::size_t p = pos + 1;
        while (isL(v.f(p))) ++p;
        return p - pos;
    }
    if (isN(f)) {
        std::size_t p = pos;
        while (p - pos < MaxDigits && isN(v.f(p))) ++p;
        return p - pos;
    }
    const std::size_t start = pos + (c == ' ' ? 1 : 0);
    auto otherRegex = [&](std::size_t i) {
        const std::uint8_t g = v.f(i);
        return i < v.end && !isWs(g) && !isL(g) && !isN(g);
    };
    auto otherCustom = [&](std::size_t i) {
        const std::uint8_t g = v.f(i);
        return g != 0 && !isWs(g) && !isL(g) && !isN(g);
    };
    bool startsOther;
    if constexpr (RegexSemantics) {
        startsOther = otherRegex(start);
    } else {
        const std::uint8_t g = v.f(start);
        startsOther = !isWs(g) && !isL(g) && !isN(g) && f != 0;
    }
    if (startsOther) {
        std::size_t p = start;
        if constexpr (RegexSemantics) {
            while (otherRegex(p)) ++p;
        } else {
            while (otherCustom(p)) ++p;
        }
        while (v.cp(p) == '\r' || v.cp(p) == '\n') ++p;
        return p - pos;
    }
    std::size_t k = 0, lastNewline = 0;
    while (isWs(v.f(pos + k))) {
        const char32_t w = v.cp(pos + k);
        if (w == '\r' || w == '\n')
            lastNewline = pos + k + 1;
        ++k;
    }
    if (lastNewline > 0)
        return lastNewline - pos;
    if (k > 1 && pos + k < v.end)
        return k - 1;
    return k > 0 ? k : 1;
}

template<typename Pred>
std::size_t run(const View& v, std::size_t pos, Pred pred);

// Tekken (Mistral Nemo), as llama.cpp rewrites it for std::regex:
// [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+
//   |[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*
//   |\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// "Upper" is a letter other than a-z and "lower" a letter other than A-Z, so
// letters outside ASCII count as both; the first alternative backtracks the
// upper run until a lower run can follow.
std::size_t matchTekken(const View& v, std::size_t pos)
{
    auto upper = [](char32_t c, std::uint8_t f) { return isL(f) && !(c >= 'a' && c <= 'z'); };
    auto lower = [](char32_t c, std::uint8_t f) { return isL(f) && !(c >= 'A' && c <= 'Z'); };
    const char32_t c = v.cp(pos);
    const std::uint8_t f = v.f(pos);
    const bool prefix = c != '\r' && c != '\n' && !isL(f) && !isN(f);
    const std::size_t starts[2] = {prefix ? pos + 1 : pos, pos};
    for (const std::size_t start : starts) {
        const std::size_t u = run(v, start, upper);
        for (std::size_t k = u + 1; k-- > 0;) {
            const std::size_t w = run(v, start + k, lower);
            if (w > 0)
                return start + k + w - pos;
        }
    }
    for (const std::size_t start : starts) {
        const std::size_t u = run(v, start, upper);
        if (u > 0)
            return start + u + run(v, start + u, lower) - pos;
    }
    if (isN(f))
        return 1;
    auto other = [](char32_t, std::uint8_t g) { return !isWs(g) && !isL(g) && !isN(g); };
    const std::size_t start = pos + (c == ' ' && pos + 1 < v.end && other(v.cp(pos + 1), v.f(pos + 1)) ? 1 : 0);
    if (std::size_t n = run(v, start, other); n > 0) {
        std::size_t p = start + n;
        while (v.cp(p) == '\r' || v.cp(p) == '\n' || v.cp(p) == '/') ++p;
        return p - pos;
    }
    std::size_t k = 0, lastNewline = 0;
    while (isWs(v.f(pos + k))) {
        const char32_t w = v.cp(pos + k);
        if (w == '\r' || w == '\n')
            lastNewline = pos + k + 1;
        ++k;
    }
    if (lastNewline > 0)
        return lastNewline - pos;
    if (k > 1 && pos + k < v.end)
        return k - 1;
    return k;
}

template<typename Pred>
std::size_t run(const View& v, std::size_t pos, Pred pred)
{
    std::size_t p = pos;
    while (p < v.end && pred(v.cp(p), v.f(p))) ++p;
    return p - pos;
}

// \s?X+ : one optional whitespace, then a run of X.
template<typename Pred>
std::size_t optWsRun(const View& v, std::size_t pos, Pred pred)
{
    if (isWs(v.f(pos)) && pos + 1 < v.end && pred(v.cp(pos + 1), v.f(pos + 1)))
        return 1 + run(v, pos + 1, pred);
    return run(v, pos, pred);
}

bool inAsciiSet(char32_t c, const char* set)
{
    for (; *set; ++set)
        if (c == static_cast<unsigned char>(*set))
            return true;
    return false;
}

// [\p{P}\$\+<=>\^~\|]+
std::size_t matchPunctDefault(const View& v, std::size_t pos)
{
    return run(v, pos, [](char32_t c, std::uint8_t f) { return isP(f) || inAsciiSet(c, "$+<=>^~|"); });
}
// [\p{P}\$\+<=>\^~\|`]+
std::size_t matchPunctFalcon(const View& v, std::size_t pos)
{
    return run(v, pos, [](char32_t c, std::uint8_t f) { return isP(f) || inAsciiSet(c, "$+<=>^~|`"); });
}
// \p{N}+
std::size_t matchNumbers(const View& v, std::size_t pos)
{
    return run(v, pos, [](char32_t, std::uint8_t f) { return isN(f); });
}
// \p{N}
std::size_t matchOneNumber(const View& v, std::size_t pos) { return isN(v.f(pos)) ? 1 : 0; }
// [0-9][0-9][0-9]
std::size_t matchThreeDigits(const View& v, std::size_t pos)
{
    for (std::size_t i = 0; i < 3; ++i) {
        const char32_t c = v.cp(pos + i);
        if (c < '0' || c > '9')
            return 0;
    }
    return 3;
}
// [\r\n]
std::size_t matchNewline(const View& v, std::size_t pos)
{
    const char32_t c = v.cp(pos);
    return (c == '\r' || c == '\n') ? 1 : 0;
}

// llama.cpp runs the regexes without \p{..} through std::wregex after
// replacing non-ASCII whitespace by U+000B, so such code points never fall in
// a literal range of those regexes (U+3000 is in [　-。] but never matches).
inline bool literal(char32_t c, std::uint8_t f, char32_t lo, char32_t hi)
{
    return c >= lo && c <= hi && !(c >= 0x80 && isWs(f));
}

// [一-龥ࠀ-一가-퟿]
bool isCjkHangul(char32_t c, std::uint8_t f)
{
    return literal(c, f, 0x4E00, 0x9FA5) || literal(c, f, 0x0800, 0x4E00) || literal(c, f, 0xAC00, 0xD7FF);
}
std::size_t matchCjk(const View& v, std::size_t pos) { return run(v, pos, isCjkHangul); }

// DeepSeek LLM's letter class (cased letters of many scripts), as code point ranges.
constexpr std::array<std::pair<char32_t, char32_t>, 87> kDeepseekLetters = {{
    {0x41, 0x5A}, {0x61, 0x7A}, {0xB5, 0xB5}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x1BA},
    {0x1BC, 0x1BF}, {0x1C4, 0x293}, {0x295, 0x2AF}, {0x370, 0x373}, {0x376, 0x376}, {0x377, 0x377},
    {0x37B, 0x37D}, {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1},
    {0x3A3, 0x3F5}, {0x3F7, 0x481}, {0x48A, 0x52F}, {0x531, 0x556}, {0x10A0, 0x10C5}, {0x13A0, 0x13F5},
    {0x13F8, 0x13FD}, {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B}, {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A},
    {0x1E00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
    {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE},
    {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4},
    {0x1FF6, 0x1FFC}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D},
    {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2134}, {0x2139, 0x2139},
    {0x213C, 0x213F}, {0x2145, 0x2149}, {0x214E, 0x214E}, {0x2183, 0x2183}, {0x2184, 0x2184}, {0x2C00, 0x2C7B},
    {0x2C7E, 0x2CE4}, {0x2CEB, 0x2CEE}, {0x2CF2, 0x2CF2}, {0x2CF3, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B},
    {0xA722, 0xA76F}, {0xA771, 0xA787}, {0xA78B, 0xA78E}, {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F}, {0x104B0, 0x104D3}, {0x104D8, 0x104FB}, {0x10C80, 0x10CB2},
    {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
}};

bool isDeepseekLetter(char32_t c, std::uint8_t f)
{
    if (c >= 0x80 && isWs(f))
        return false;
    const auto it = std::upper_bound(kDeepseekLetters.begin(), kDeepseekLetters.end(), c,
                                     [](char32_t x, const auto& r) { return x < r.first; });
    return it != kDeepseekLetters.begin() && c <= std::prev(it)->second;
}
// \s?[A-Za-zµÀ-Ö...]+
std::size_t matchDeepseekLetters(const View& v, std::size_t pos) { return optWsRun(v, pos, isDeepseekLetter); }
// \s?[!-/:-~！-／：-～‘-‟　-。]+
std::size_t matchDeepseekPunct(const View& v, std::size_t pos)
{
    return optWsRun(v, pos, [](char32_t c, std::uint8_t f) {
        return literal(c, f, 0x21, 0x2F) || literal(c, f, 0x3A, 0x7E) || literal(c, f, 0xFF01, 0xFF0F)
            || literal(c, f, 0xFF1A, 0xFF5E) || literal(c, f, 0x2018, 0x201F) || literal(c, f, 0x3000, 0x3002);
    });
}
// \s?\p{L}+
std::size_t matchWsLetters(const View& v, std::size_t pos)
{
    return optWsRun(v, pos, [](char32_t, std::uint8_t f) { return isL(f); });
}
// \s?\p{P}+
std::size_t matchWsPunct(const View& v, std::size_t pos)
{
    return optWsRun(v, pos, [](char32_t, std::uint8_t f) { return isP(f); });
}
// " ?[^(\s|.,!?…。，、।۔،)]+"
std::size_t matchBloom(const View& v, std::size_t pos)
{
    auto word = [](char32_t c, std::uint8_t f) {
        if (isWs(f))
            return false;
        switch (c) {
        case '(': case ')': case '|': case '.': case ',': case '!': case '?':
        case 0x2026: case 0x3002: case 0xFF0C: case 0x3001: case 0x0964: case 0x06D4: case 0x060C:
            return false;
        default:
            return true;
        }
    };
    if (v.cp(pos) == ' ' && pos + 1 < v.end && word(v.cp(pos + 1), v.f(pos + 1)))
        return 1 + run(v, pos + 1, word);
    return run(v, pos, word);
}

std::vector<Stage> stagesFor(PreTokenizerKind kind)
{
    const Stage gpt2{matchGpt2, Mode::Custom};
    switch (kind) {
    case PreTokenizerKind::Default:
        return {{matchPunctDefault, Mode::Regex}, gpt2, {matchNumbers, Mode::Regex}, {matchThreeDigits, Mode::Regex}};
    case PreTokenizerKind::Gpt2:
        return {gpt2};
    case PreTokenizerKind::Llama3:
        return {{matchLlama3<3, false>, Mode::Custom}};
    case PreTokenizerKind::Qwen2:
        return {{matchLlama3<1, true>, Mode::Custom}};
    case PreTokenizerKind::DeepseekLlm:
        return {{matchNewline, Mode::Regex},     {matchDeepseekLetters, Mode::Regex},
                {matchDeepseekPunct, Mode::Regex}, {nullptr, Mode::TrailingWs},
                {matchCjk, Mode::Regex},          {matchNumbers, Mode::Regex}};
    case PreTokenizerKind::DeepseekCoder:
        return {{matchNewline, Mode::Regex}, {matchWsLetters, Mode::Regex}, {matchWsPunct, Mode::Regex},
                {matchCjk, Mode::Regex},     {matchOneNumber, Mode::Regex}};
    case PreTokenizerKind::Falcon:
        return {{matchPunctFalcon, Mode::Regex}, gpt2, {matchThreeDigits, Mode::Regex}};
    case PreTokenizerKind::Starcoder:
        return {{matchOneNumber, Mode::Regex}, gpt2};
    case PreTokenizerKind::Bloom:
        return {{matchBloom, Mode::Regex}};
    case PreTokenizerKind::Viking:
        return {{matchBloom, Mode::Regex}, {matchOneNumber, Mode::Regex}};
    case PreTokenizerKind::Tekken:
        return {{matchTekken, Mode::Regex}};
    }
    return {gpt2};
}

void applyStage(const Text& t, const Stage& stage, const std::vector<Range>& in, std::vector<Range>& out)
{
    out.clear();
    for (const auto& [b, e] : in) {
        const View v{t, e};
        switch (stage.mode) {
        case Mode::TrailingWs: {
            std::size_t s = e;
            while (s > b && isWs(t.flags[s - 1])) --s;
            if (s > b) out.emplace_back(b, s);
            if (s < e) out.emplace_back(s, e);
            break;
        }
        case Mode::Custom:
            for (std::size_t p = b; p < e;) {
                const std::size_t n = std::max<std::size_t>(1, std::min(stage.fn(v, p), e - p));
                out.emplace_back(p, p + n);
                p += n;
            }
            break;
        case Mode::Regex: {
            std::size_t gap = b;
            for (std::size_t p = b; p < e;) {
                const std::size_t n = std::min(stage.fn(v, p), e - p);
                if (n == 0) {
                    ++p;
                    continue;
                }
                if (gap < p) out.emplace_back(gap, p);
                out.emplace_back(p, p + n);
                p += n;
                gap = p;
            }
            if (gap < e) out.emplace_back(gap, e);
            break;
        }
        }
    }
}

} // namespace

std::optional<PreTokenizerKind> preTokenizerFromName(std::string_view name)
{
    using K = PreTokenizerKind;
    static constexpr std::pair<std::string_view, K> table[] = {
        {"", K::Default}, {"default", K::Default},
        {"llama3", K::Llama3}, {"llama-v3", K::Llama3}, {"llama-bpe", K::Llama3}, {"falcon3", K::Llama3},
        {"dbrx", K::Llama3}, {"smaug-bpe", K::Llama3}, {"chatglm-bpe", K::Llama3},
        {"deepseek-llm", K::DeepseekLlm}, {"deepseek-coder", K::DeepseekCoder},
        {"falcon", K::Falcon},
        {"mpt", K::Gpt2}, {"gpt-2", K::Gpt2}, {"phi-2", K::Gpt2}, {"jina-es", K::Gpt2}, {"jina-de", K::Gpt2},
        {"gigachat", K::Gpt2}, {"jina-v1-en", K::Gpt2}, {"jina-v2-es", K::Gpt2}, {"jina-v2-de", K::Gpt2},
        {"jina-v2-code", K::Gpt2}, {"roberta-bpe", K::Gpt2}, {"olmo", K::Gpt2}, {"jais", K::Gpt2},
        {"starcoder", K::Starcoder}, {"refact", K::Starcoder}, {"command-r", K::Starcoder},
        {"smollm", K::Starcoder}, {"codeshell", K::Starcoder}, {"exaone", K::Starcoder}, {"minerva-7b", K::Starcoder},
        {"qwen2", K::Qwen2}, {"deepseek-r1-qwen", K::Qwen2}, {"stablelm2", K::Qwen2}, {"megrez", K::Qwen2},
        {"poro-chat", K::Bloom}, {"bloom", K::Bloom}, {"gpt3-finnish", K::Bloom}, {"viking", K::Viking},
        {"tekken", K::Tekken},
    };
    for (const auto& [n, k] : table)
        if (n == name)
            return k;
    return std::nullopt;
}

std::string_view preTokenizerName(PreTokenizerKind kind)
{
    switch (kind) {
    case PreTokenizerKind::Default: return "default";
    case PreTokenizerKind::Gpt2: return "gpt2";
    case PreTokenizerKind::Llama3: return "llama3";
    case PreTokenizerKind::Qwen2: return "qwen2";
    case PreTokenizerKind::DeepseekLlm: return "deepseek-llm";
    case PreTokenizerKind::DeepseekCoder: return "deepseek-coder";
    case PreTokenizerKind::Falcon: return "falcon";
    case PreTokenizerKind::Starcoder: return "starcoder";
    case PreTokenizerKind::Bloom: return "bloom";
    case PreTokenizerKind::Viking: return "viking";
    case PreTokenizerKind::Tekken: return "tekken";
    }
    return "default";
}

void preTokenize(PreTokenizerKind kind, std::string_view text,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>& words)
{
    words.clear();
    if (text.empty())
        return;
    Text t;
    t.cps.reserve(text.size());
    t.flags.reserve(text.size());
    t.offsets.reserve(text.size() + 1);
    for (std::size_t pos = 0; pos < text.size();) {
        t.offsets.push_back(static_cast<std::uint32_t>(pos));
        const char32_t cp = uc::decodeUtf8(text, pos);
        t.cps.push_back(cp);
        // An invalid byte is classed like U+FFFD (a symbol), which is what
        // llama.cpp turns it into before splitting.
        t.flags.push_back((cp & uc::kInvalid) ? static_cast<std::uint8_t>(uc::Category::Symbol) : uc::flags(cp));
    }
    t.offsets.push_back(static_cast<std::uint32_t>(text.size()));

    std::vector<Range> current{{0, t.cps.size()}}, next;
    for (const Stage& stage : stagesFor(kind)) {
        applyStage(t, stage, current, next);
        current.swap(next);
    }
    words.reserve(current.size());
    for (const auto& [b, e] : current)
        words.emplace_back(t.offsets[b], t.offsets[e]);
}

} // namespace outpost::inference::tokenizer
