#pragma once
// Private to inference/tokenizer: the tables behind a Tokenizer and the
// per-model encoders (spm.cpp, bpe.cpp, wpm.cpp).
#include "inference/tokenizer/pre_tokenizer.h"
#include "inference/tokenizer/tokenizer.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace outpost::inference::tokenizer {

// llama.cpp's token attributes (llama_token_attr): the type as a bit, plus
// whitespace stripping around special tokens.
enum TokenAttr : std::uint32_t {
    kAttrUndefined = 0,
    kAttrUnknown = 1u << 0,
    kAttrUnused = 1u << 1,
    kAttrNormal = 1u << 2,
    kAttrControl = 1u << 3,
    kAttrUserDefined = 1u << 4,
    kAttrByte = 1u << 5,
    kAttrLstrip = 1u << 7,
    kAttrRstrip = 1u << 8,
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template<typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

template<typename T>
const T* findIn(const StringMap<T>& map, std::string_view key)
{
    const auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
}

struct BpeMerge {
    std::int32_t rank;
    std::int32_t result;   // piece id of the merged bytes
};

struct Tokenizer::Impl {
    VocabKind kind = VocabKind::Spm;
    PreTokenizerKind pre = PreTokenizerKind::Default;
    std::string preName;

    std::vector<std::string> text;
    std::vector<float> score;
    std::vector<TokenType> type;
    std::vector<std::uint32_t> attr;
    std::vector<std::string> piece;          // what each token prints as (special = true)
    StringMap<TokenId> textToId;             // vocabulary text -> id (the last one wins)
    std::vector<TokenId> specialTokens;      // control, user-defined and unknown; longest text first
    std::vector<TokenId> eogTokens;          // sorted

    TokenId bosId = kNoToken, eosId = kNoToken, unkId = kNoToken, sepId = kNoToken, padId = kNoToken,
            maskId = kNoToken, eotId = kNoToken, eomId = kNoToken;
    bool addBos = false, addEos = false, addSpacePrefix = false, cleanSpaces = false, ignoreMerges = false;
    std::size_t maxTokenLen = 0;

    // SPM: the token for each byte (<0xXX>, else the byte itself), kNoToken if none.
    std::array<TokenId, 256> byteToken{};

    // BPE works on raw bytes: token texts and merges are decoded from GPT-2's
    // byte-to-unicode alphabet once at load. A "piece" is any byte string that
    // is a token or a merge operand/result; merges are keyed by the two
    // operands' piece ids, so merging never hashes strings.
    StringMap<std::int32_t> pieceIds;
    std::vector<TokenId> pieceToken;                       // piece id -> token (kNoToken if none)
    std::unordered_map<std::uint64_t, BpeMerge> merges;    // (left << 32 | right) -> merge
    std::array<std::int32_t, 256> bytePiece{};             // piece id of each single byte, -1 if none

    TokenId find(std::string_view s) const
    {
        const TokenId* id = findIn(textToId, s);
        return id ? *id : kNoToken;
    }
};

// Encoders: append the ids of one plain-text fragment.
void spmEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out);
void bpeEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out);
void wpmEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out);

// GPT-2's reversible map between bytes and printable code points.
char32_t gpt2ByteToCodepoint(std::uint8_t byte);
// -1 when cp is not in the map's image.
int gpt2CodepointToByte(char32_t cp);

} // namespace outpost::inference::tokenizer
