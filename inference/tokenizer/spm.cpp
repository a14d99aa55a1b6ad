// SentencePiece-style encoding (llama.cpp's llm_tokenizer_spm): start from
// UTF-8 characters and repeatedly merge the adjacent pair whose concatenation
// is the highest-scoring token (leftmost on ties); what is left that is not a
// token falls back to byte tokens.
#include "inference/tokenizer/tokenizer_impl.h"
#include "inference/unicode/unicode.h"

#include <algorithm>
#include <queue>

namespace outpost::inference::tokenizer {
namespace {

struct Symbol {
    std::uint32_t start;
    std::uint32_t len;   // 0 once merged into its left neighbour
    std::int32_t prev;
    std::int32_t next;
};

struct Bigram {
    float score;
    std::int32_t left;
    std::int32_t right;
    std::uint32_t size;
};

struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

} // namespace

void spmEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out)
{
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = std::min(text.size() - pos,
                                         unicode::sequenceLength(static_cast<unsigned char>(text[pos])));
        const auto index = static_cast<std::int32_t>(symbols.size());
        symbols.push_back({static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(len), index - 1,
                           pos + len == text.size() ? -1 : index + 1});
        pos += len;
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    auto tryAdd = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0)
            return;
        const Symbol& l = symbols[left];
        const Symbol& r = symbols[right];
        const TokenId id = m.find(text.substr(l.start, l.len + r.len));
        if (id == kNoToken)
            return;
        queue.push({m.score[id], left, right, l.len + r.len});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        tryAdd(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[b.left];
        Symbol& r = symbols[b.right];
        // Stale entries: one side was merged away or grew since this was queued.
        if (l.len == 0 || r.len == 0 || l.len + r.len != b.size)
            continue;
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[r.next].prev = b.left;
        tryAdd(l.prev, b.left);
        tryAdd(b.left, l.next);
    }

    for (std::int32_t i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
        const Symbol& s = symbols[i];
        const std::string_view piece = text.substr(s.start, s.len);
        const TokenId id = m.find(piece);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        for (const char c : piece) {
            const TokenId byteId = m.byteToken[static_cast<unsigned char>(c)];
            if (byteId != kNoToken)
                out.push_back(byteId);
        }
    }
}

} // namespace outpost::inference::tokenizer
