// Byte-level BPE encoding (llama.cpp's llm_tokenizer_bpe): the pre-tokenizer
// cuts the text into words; in each word, start from single bytes and
// repeatedly apply the lowest-ranked merge among adjacent pairs (leftmost on
// ties). Works on raw bytes; the vocabulary was decoded from GPT-2's byte
// alphabet at load, which is equivalent and saves re-encoding every word.
#include "inference/tokenizer/tokenizer_impl.h"

#include <algorithm>

namespace outpost::inference::tokenizer {
namespace {

struct Symbol {
    std::int32_t piece;   // piece id, -1 when the bytes are no known piece
    std::uint32_t start;
    std::uint32_t len;    // 0 once merged into its left neighbour
    std::int32_t prev;
    std::int32_t next;
};

struct Bigram {
    std::int32_t rank;
    std::int32_t left;
    std::int32_t right;
    std::int32_t result;
    std::uint32_t size;
};

struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

// A symbol that is no token: llama.cpp looks up each byte of its GPT-2
// encoded text as a one-character token and keeps those that exist.
void fallback(const Tokenizer::Impl& m, std::string_view bytes, std::vector<TokenId>& out)
{
    std::string encoded;
    for (const char c : bytes) {
        const char32_t cp = gpt2ByteToCodepoint(static_cast<std::uint8_t>(c));
        if (cp < 0x80) {
            encoded.push_back(static_cast<char>(cp));
        } else {
            encoded.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            encoded.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    for (const char c : encoded) {
        const TokenId id = m.find(std::string_view(&c, 1));
        if (id != kNoToken)
            out.push_back(id);
    }
}

void encodeWord(const Tokenizer::Impl& m, std::string_view word, std::vector<Symbol>& symbols,
                std::vector<Bigram>& heap, std::vector<TokenId>& out)
{
    if (m.ignoreMerges) {
        if (const std::int32_t* pid = findIn(m.pieceIds, word); pid && m.pieceToken[*pid] != kNoToken) {
            out.push_back(m.pieceToken[*pid]);
            return;
        }
    }
    symbols.clear();
    for (std::size_t i = 0; i < word.size(); ++i) {
        const auto index = static_cast<std::int32_t>(i);
        symbols.push_back({m.bytePiece[static_cast<unsigned char>(word[i])], static_cast<std::uint32_t>(i), 1,
                           index - 1, i + 1 == word.size() ? -1 : index + 1});
    }
    heap.clear();
    const BigramOrder order;
    auto tryAdd = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0)
            return;
        const Symbol& l = symbols[left];
        const Symbol& r = symbols[right];
        if (l.piece < 0 || r.piece < 0)
            return;
        const auto key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l.piece)) << 32)
                         | static_cast<std::uint32_t>(r.piece);
        const auto it = m.merges.find(key);
        if (it == m.merges.end())
            return;
        heap.push_back({it->second.rank, left, right, it->second.result, l.len + r.len});
        std::push_heap(heap.begin(), heap.end(), order);
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        tryAdd(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), order);
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& l = symbols[b.left];
        Symbol& r = symbols[b.right];
        // Stale entries: one side was merged away or grew since this was queued.
        if (l.len == 0 || r.len == 0 || l.len + r.len != b.size)
            continue;
        l.len += r.len;
        l.piece = b.result;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[r.next].prev = b.left;
        tryAdd(l.prev, b.left);
        tryAdd(b.left, l.next);
    }

    for (std::int32_t i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
        const Symbol& s = symbols[i];
        const TokenId id = s.piece >= 0 ? m.pieceToken[s.piece] : kNoToken;
        if (id != kNoToken)
            out.push_back(id);
        else
            fallback(m, word.substr(s.start, s.len), out);
    }
}

} // namespace

void bpeEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out)
{
    std::vector<std::pair<std::uint32_t, std::uint32_t>> words;
    preTokenize(m.pre, text, words);
    std::vector<Symbol> symbols;
    std::vector<Bigram> heap;
    for (const auto& [b, e] : words)
        encodeWord(m, text.substr(b, e - b), symbols, heap, out);
}

} // namespace outpost::inference::tokenizer
