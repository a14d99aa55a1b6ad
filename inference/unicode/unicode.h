#pragma once
// Unicode facts the tokenizers need: the general category class and the
// White_Space property of a code point, simple lowercase mapping, canonical
// decomposition (NFD), and UTF-8 encoding/decoding. Tables come from the
// Unicode Character Database via gen_unicode_tables.py (Unicode 15.0 in the
// committed unicode_tables.inc). Thread-safe; no allocation on lookups.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace outpost::inference::unicode {

// The first letter of the general category; Undefined for unassigned (Cn).
enum class Category : std::uint8_t {
    Undefined = 0,
    Letter = 1,       // L*
    Number = 2,       // N*
    Punctuation = 3,  // P*
    Symbol = 4,       // S*
    Mark = 5,         // M*
    Separator = 6,    // Z*
    Other = 7,        // Cc, Cf, Cs, Co
};

inline constexpr std::uint8_t kCategoryMask = 0x07;
inline constexpr std::uint8_t kWhitespaceBit = 0x08;

// Category (low 3 bits) | kWhitespaceBit. 0 for code points above U+10FFFF.
std::uint8_t flags(char32_t cp);

inline Category category(char32_t cp) { return static_cast<Category>(flags(cp) & kCategoryMask); }
inline bool isWhitespace(char32_t cp) { return (flags(cp) & kWhitespaceBit) != 0; }
inline bool isLetter(char32_t cp) { return category(cp) == Category::Letter; }
inline bool isNumber(char32_t cp) { return category(cp) == Category::Number; }
inline bool isPunctuation(char32_t cp) { return category(cp) == Category::Punctuation; }

// Simple (one to one) lowercase mapping; cp itself when it has none.
char32_t toLower(char32_t cp);

// Appends the canonical (NFD) decomposition of cp to out (cp itself when it
// has none). Canonical reordering of combining marks is not applied.
void appendNfd(char32_t cp, std::u32string& out);

// ---- UTF-8 ----

// Marks a byte that does not start a valid UTF-8 sequence: decodeUtf8 returns
// kInvalid | byte so callers can keep the raw byte.
inline constexpr char32_t kInvalid = 0x80000000u;

// Length of the sequence announced by a lead byte (1 for ASCII and for bytes
// that cannot start a sequence), as llama.cpp's unicode_len_utf8 does.
inline std::size_t sequenceLength(unsigned char lead)
{
    static constexpr std::uint8_t lookup[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup[lead >> 4];
}

// Decodes one code point at text[pos] and advances pos. A malformed or
// truncated sequence (bad continuation, overlong form, surrogate, above
// U+10FFFF) consumes one byte and returns kInvalid | that byte.
char32_t decodeUtf8(std::string_view text, std::size_t& pos);

// Appends the UTF-8 form of cp (cp <= U+10FFFF; invalid markers append their raw byte).
void appendUtf8(std::string& out, char32_t cp);

// Length of the longest prefix of `bytes` that ends on a code point boundary,
// i.e. without a trailing incomplete (but so far valid) sequence.
std::size_t completePrefixLength(std::string_view bytes);

// Where to cut `text` to at most `bytes` bytes without splitting a
// character: `bytes` itself, or back over the continuation bytes there.
inline std::size_t cutPoint(std::string_view text, std::size_t bytes)
{
    if (bytes >= text.size())
        return text.size();
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80)
        --bytes;
    return bytes;
}

// Whether every sequence in `text` is valid UTF-8.
bool isValidUtf8(std::string_view text);

} // namespace outpost::inference::unicode
