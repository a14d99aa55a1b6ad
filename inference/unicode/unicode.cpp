#include "inference/unicode/unicode.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace outpost::inference::unicode {
namespace {

struct FlagRun {
    char32_t first;
    std::uint8_t flags;
};
struct LowerPair {
    char32_t cp;
    char32_t lower;
};
struct Decomposition {
    char32_t cp;
    char32_t first;
    char32_t second;   // 0 for singleton decompositions
};

#include "inference/unicode/unicode_tables.inc"

// The Basic Multilingual Plane gets a flat table (64 KiB) because nearly all
// text lives there; other planes use a binary search over the runs.
struct BmpTable {
    std::array<std::uint8_t, 0x10000> flags{};
    BmpTable()
    {
        const std::size_t n = std::size(kFlagRuns);
        for (std::size_t i = 0; i < n; ++i) {
            const char32_t end = i + 1 < n ? kFlagRuns[i + 1].first : 0x110000;
            for (char32_t c = kFlagRuns[i].first; c < end && c < 0x10000; ++c)
                flags[c] = kFlagRuns[i].flags;
        }
    }
};

const BmpTable& bmp()
{
    static const BmpTable table;
    return table;
}

constexpr char32_t kHangulBase = 0xAC00, kLeadBase = 0x1100, kVowelBase = 0x1161, kTrailBase = 0x11A7;
constexpr char32_t kVowelCount = 21, kTrailCount = 28, kSyllableCount = 11172;

} // namespace

std::uint8_t flags(char32_t cp)
{
    if (cp < 0x10000)
        return bmp().flags[cp];
    if (cp >= 0x110000)
        return 0;
    const auto it = std::upper_bound(std::begin(kFlagRuns), std::end(kFlagRuns), cp,
                                     [](char32_t c, const FlagRun& r) { return c < r.first; });
    return std::prev(it)->flags;
}

char32_t toLower(char32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    const auto it = std::lower_bound(std::begin(kLowerPairs), std::end(kLowerPairs), cp,
                                     [](const LowerPair& p, char32_t c) { return p.cp < c; });
    return (it != std::end(kLowerPairs) && it->cp == cp) ? it->lower : cp;
}

void appendNfd(char32_t cp, std::u32string& out)
{
    if (cp >= kHangulBase && cp < kHangulBase + kSyllableCount) {
        const char32_t s = cp - kHangulBase;
        out.push_back(kLeadBase + s / (kVowelCount * kTrailCount));
        out.push_back(kVowelBase + (s % (kVowelCount * kTrailCount)) / kTrailCount);
        if (s % kTrailCount)
            out.push_back(kTrailBase + s % kTrailCount);
        return;
    }
    if (cp < 0xC0) {
        out.push_back(cp);
        return;
    }
    const auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), cp,
                                     [](const Decomposition& d, char32_t c) { return d.cp < c; });
    if (it == std::end(kDecompositions) || it->cp != cp) {
        out.push_back(cp);
        return;
    }
    appendNfd(it->first, out);
    if (it->second)
        appendNfd(it->second, out);
}

char32_t decodeUtf8(std::string_view text, std::size_t& pos)
{
    const auto b0 = static_cast<unsigned char>(text[pos]);
    if (b0 < 0x80) {
        ++pos;
        return b0;
    }
    std::size_t len = 0;
    char32_t cp = 0, min = 0;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; min = 0x10000; }
    if (len == 0 || pos + len > text.size()) {
        ++pos;
        return kInvalid | b0;
    }
    for (std::size_t i = 1; i < len; ++i) {
        const auto b = static_cast<unsigned char>(text[pos + i]);
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return kInvalid | b0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return kInvalid | b0;
    }
    pos += len;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp & kInvalid) {
        out.push_back(static_cast<char>(cp & 0xFF));
    } else if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::size_t completePrefixLength(std::string_view bytes)
{
    // Look back at most 3 bytes for a lead byte whose sequence is cut short.
    const std::size_t n = bytes.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
        const auto b = static_cast<unsigned char>(bytes[n - back]);
        if ((b & 0xC0) == 0x80)
            continue;   // continuation byte: keep looking for its lead
        std::size_t need = 0;
        if ((b & 0xE0) == 0xC0) need = 2;
        else if ((b & 0xF0) == 0xE0) need = 3;
        else if ((b & 0xF8) == 0xF0) need = 4;
        if (need > back)
            return n - back;   // the sequence started here is not complete yet
        return n;
    }
    return n;
}

bool isValidUtf8(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (decodeUtf8(text, pos) & kInvalid)
            return false;
    }
    return true;
}

} // namespace outpost::inference::unicode
