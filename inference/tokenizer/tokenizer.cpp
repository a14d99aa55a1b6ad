#include "inference/tokenizer/tokenizer.h"

#include "inference/gguf/gguf_file.h"
#include "inference/tokenizer/tokenizer_impl.h"
#include "inference/unicode/unicode.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <list>

namespace outpost::inference::tokenizer {
namespace {

namespace uc = outpost::inference::unicode;

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";   // U+2581, SentencePiece's space

struct Gpt2Alphabet {
    std::array<char32_t, 256> toCp{};
    std::array<std::int16_t, 0x144> toByte{};
    Gpt2Alphabet()
    {
        toByte.fill(-1);
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            toCp[b] = printable ? static_cast<char32_t>(b) : next++;
            toByte[toCp[b]] = static_cast<std::int16_t>(b);
        }
    }
};

const Gpt2Alphabet& gpt2Alphabet()
{
    static const Gpt2Alphabet alphabet;
    return alphabet;
}

// GPT-2-alphabet text to raw bytes; false when a character is outside it.
bool decodeGpt2(std::string_view text, std::string& out)
{
    out.clear();
    for (std::size_t pos = 0; pos < text.size();) {
        const char32_t cp = uc::decodeUtf8(text, pos);
        const int b = gpt2CodepointToByte(cp);
        if (b < 0)
            return false;
        out.push_back(static_cast<char>(b));
    }
    return true;
}

// Token text to what it prints as, the way llama.cpp does when it decodes
// text outside the alphabet (kept visible rather than dropped).
std::string gpt2Piece(std::string_view text)
{
    std::string out;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t at = pos;
        const char32_t cp = uc::decodeUtf8(text, pos);
        const int b = gpt2CodepointToByte(cp);
        if (b >= 0) {
            out.push_back(static_cast<char>(b));
            continue;
        }
        out += "[UNK_BYTE_0x";
        char hex[3];
        for (std::size_t i = at; i < pos; ++i) {
            std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(text[i]));
            out += hex;
        }
        out += std::string(text) + "]";
    }
    return out;
}

void replaceAll(std::string& s, std::string_view from, std::string_view to)
{
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(s, pos, hit - pos);
        out.append(to);
    }
    out.append(s, pos);
    s.swap(out);
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Pieces of text left to tokenize and special tokens already found.
struct Fragment {
    TokenId token;   // kNoToken for text
    std::size_t offset;
    std::size_t length;
};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// llama.cpp's tokenizer_st_partition: for each special token, longest text
// first, cut every remaining text fragment at each occurrence.
std::list<Fragment> partition(const Tokenizer::Impl& m, std::string_view text, bool parseSpecial)
{
    std::list<Fragment> fragments{{kNoToken, 0, text.size()}};
    for (const TokenId id : m.specialTokens) {
        const std::uint32_t attr = m.attr[id];
        if (!parseSpecial && (attr & (kAttrControl | kAttrUnknown)))
            continue;
        const std::string& special = m.text[id];
        for (auto it = fragments.begin(); it != fragments.end(); ++it) {
            if (it->token != kNoToken)
                continue;
            std::size_t base = it->offset;
            std::size_t length = it->length;
            bool replaced = false;
            while (true) {
                // Search this fragment only (not the rest of the text).
                const std::size_t match = text.substr(0, base + length).find(special, base);
                if (match == std::string_view::npos)
                    break;
                if (match > base) {
                    std::size_t leftLength = match - base;
                    if (attr & kAttrLstrip)
                        while (leftLength > 0 && isSpace(text[base + leftLength - 1])) --leftLength;
                    if (leftLength > 0)
                        fragments.insert(it, {kNoToken, base, leftLength});
                }
                fragments.insert(it, {id, 0, 0});
                replaced = true;
                std::size_t rightOffset = match + special.size();
                std::size_t rightLength = base + length - rightOffset;
                if (attr & kAttrRstrip)
                    while (rightLength > 0 && isSpace(text[rightOffset])) { ++rightOffset; --rightLength; }
                base = rightOffset;
                length = rightLength;
                if (length == 0)
                    break;
            }
            if (replaced) {
                // What is left of this fragment stays in place (as text) so it
                // is searched again for this token: `it` now covers the rest.
                if (length == 0) {
                    it = fragments.erase(it);
                    --it;
                } else {
                    it->offset = base;
                    it->length = length;
                }
            }
        }
    }
    return fragments;
}

} // namespace

char32_t gpt2ByteToCodepoint(std::uint8_t byte) { return gpt2Alphabet().toCp[byte]; }

int gpt2CodepointToByte(char32_t cp)
{
    const auto& a = gpt2Alphabet();
    return cp < a.toByte.size() ? a.toByte[cp] : -1;
}

Result<Tokenizer> Tokenizer::fromVocab(VocabData data)
{
    auto m = std::make_shared<Impl>();
    const std::size_t n = data.tokens.size();
    if (n == 0)
        return Error{"tokenizer: the vocabulary has no tokens (tokenizer.ggml.tokens is empty)"};
    if (n > 0x7FFFFFFF)
        return Error{"tokenizer: too many tokens"};
    if (!data.scores.empty() && data.scores.size() != n)
        return Error{"tokenizer: tokenizer.ggml.scores has " + std::to_string(data.scores.size())
                     + " entries for " + std::to_string(n) + " tokens"};
    if (!data.types.empty() && data.types.size() != n)
        return Error{"tokenizer: tokenizer.ggml.token_type has " + std::to_string(data.types.size())
                     + " entries for " + std::to_string(n) + " tokens"};

    // Defaults per model, as llama.cpp sets them before reading the keys.
    std::int64_t bos = kNoToken, eos = kNoToken, unk = kNoToken, sep = kNoToken, pad = kNoToken, mask = kNoToken;
    if (data.model == "llama") {
        m->kind = VocabKind::Spm;
        bos = 1; eos = 2; unk = 0;
        m->addSpacePrefix = true;
        m->addBos = true;
    } else if (data.model == "gpt2") {
        m->kind = VocabKind::Bpe;
        bos = 11; eos = 11;
        m->cleanSpaces = true;
        const auto pre = preTokenizerFromName(data.pre);
        if (!pre)
            return Error{"tokenizer: unknown pre-tokenizer '" + data.pre + "' (tokenizer.ggml.pre)"};
        m->pre = *pre;
        m->preName = std::string(tokenizer::preTokenizerName(*pre));
        const std::string& p = data.pre;
        if (p == "llama3" || p == "llama-v3" || p == "llama-bpe" || p == "falcon3" || p == "tekken") {
            m->ignoreMerges = true;
            m->addBos = true;
        }
        if (p == "deepseek-llm" || p == "deepseek-coder" || p == "command-r" || p == "qwen2"
            || p == "deepseek-r1-qwen" || p == "poro-chat" || p == "viking" || p == "smollm" || p == "tekken")
            m->cleanSpaces = false;
        if (p == "chatglm-bpe")
            bos = kNoToken;
    } else if (data.model == "bert") {
        m->kind = VocabKind::Wpm;
        bos = 101; unk = 100; sep = 102; pad = 0; mask = 103;
        m->cleanSpaces = true;
        m->addBos = true;
    } else if (data.model.empty()) {
        return Error{"tokenizer: tokenizer.ggml.model is missing"};
    } else {
        return Error{"tokenizer: tokenizer model '" + data.model
                     + "' is not supported (supported: llama, gpt2, bert)"};
    }
    if (data.addSpacePrefix)
        m->addSpacePrefix = *data.addSpacePrefix;

    m->text = std::move(data.tokens);
    // An empty token could never be produced or matched; llama.cpp renames
    // it so every text in the vocabulary is distinct and non-empty.
    for (std::size_t i = 0; i < n; ++i)
        if (m->text[i].empty())
            m->text[i] = "[EMPTY_" + std::to_string(i) + "]";
    m->score = data.scores.empty() ? std::vector<float>(n, 0.0f) : std::move(data.scores);
    m->type.resize(n, TokenType::Normal);
    m->attr.resize(n, kAttrNormal);
    for (std::size_t i = 0; i < data.types.size(); ++i) {
        const std::int32_t t = data.types[i];
        if (t < 0 || t > 6)
            return Error{"tokenizer: token " + std::to_string(i) + " has type " + std::to_string(t)
                         + " (tokenizer.ggml.token_type must be 0..6)"};
        m->type[i] = static_cast<TokenType>(t);
        static constexpr std::uint32_t attrOf[] = {kAttrUndefined, kAttrNormal, kAttrUnknown, kAttrControl,
                                                   kAttrUserDefined, kAttrUnused, kAttrByte};
        m->attr[i] = attrOf[t];
    }
    m->textToId.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        m->textToId.insert_or_assign(m->text[i], static_cast<TokenId>(i));
        m->maxTokenLen = std::max(m->maxTokenLen, m->text[i].size());
    }

    // Explicit special ids replace the defaults; ids outside the vocabulary
    // are ignored (llama.cpp warns and keeps the default).
    auto pick = [&](std::int64_t def, const std::optional<std::int64_t>& given) -> TokenId {
        std::int64_t id = def;
        if (given && *given >= 0 && static_cast<std::uint64_t>(*given) < n)
            id = *given;
        return (id >= 0 && static_cast<std::uint64_t>(id) < n) ? static_cast<TokenId>(id) : kNoToken;
    };
    m->bosId = pick(bos, data.bos);
    m->eosId = pick(eos, data.eos);
    m->unkId = pick(unk, data.unk);
    m->sepId = pick(sep, data.sep);
    m->padId = pick(pad, data.pad);
    m->maskId = pick(mask, data.mask);
    m->eotId = pick(kNoToken, data.eot);
    m->eomId = pick(kNoToken, data.eom);
    if (data.addBos)
        m->addBos = *data.addBos;
    if (data.addEos)
        m->addEos = *data.addEos;
    if (m->addBos && m->bosId == kNoToken)
        m->addBos = false;
    if (m->addEos && m->eosId == kNoToken)
        m->addEos = false;

    // End-of-turn and end-of-generation tokens found by their text, made
    // control tokens (llama.cpp does the same: converters often mark them
    // user-defined, and they must not be matched in plain text).
    static constexpr std::string_view eotTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                                                    "<|endoftext|>", "<EOT>", "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>"};
    static constexpr std::string_view eogTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                                                    "<|endoftext|>", "<|eom_id|>", "<EOT>"};
    static constexpr std::string_view fimTexts[] = {
        "<|fim_prefix|>", "<fim-prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>", "<PRE>", "\xE2\x96\x81<PRE>",
        "<|fim_suffix|>", "<fim-suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>", "<SUF>", "\xE2\x96\x81<SUF>",
        "<|fim_middle|>", "<fim-middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>", "<MID>", "\xE2\x96\x81<MID>",
        "<|fim_pad|>", "<fim-pad>", "<PAD>", "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
        "<|file_sep|>", "<|file_separator|>", "<|eom_id|>"};
    auto makeControl = [&](TokenId id) {
        m->attr[id] = kAttrControl;
        m->type[id] = TokenType::Control;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = static_cast<TokenId>(i);
        if (m->find(m->text[i]) != id)
            continue;   // a duplicate text: only the id the text maps to counts
        const std::string_view t = m->text[i];
        if (m->eotId == kNoToken && std::find(std::begin(eotTexts), std::end(eotTexts), t) != std::end(eotTexts)) {
            m->eotId = id;
            makeControl(id);
        }
        if (m->eomId == kNoToken && t == "<|eom_id|>")
            m->eomId = id;
        if (std::find(std::begin(fimTexts), std::end(fimTexts), t) != std::end(fimTexts))
            makeControl(id);
        if (std::find(std::begin(eogTexts), std::end(eogTexts), t) != std::end(eogTexts)) {
            m->eogTokens.push_back(id);
            makeControl(id);
        }
    }
    for (const TokenId id : {m->eosId, m->eotId, m->eomId})
        if (id != kNoToken)
            m->eogTokens.push_back(id);
    std::sort(m->eogTokens.begin(), m->eogTokens.end());
    m->eogTokens.erase(std::unique(m->eogTokens.begin(), m->eogTokens.end()), m->eogTokens.end());

    for (std::size_t i = 0; i < n; ++i)
        if ((m->attr[i] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) && !m->text[i].empty())
            m->specialTokens.push_back(static_cast<TokenId>(i));
    std::stable_sort(m->specialTokens.begin(), m->specialTokens.end(),
                     [&](TokenId a, TokenId b) { return m->text[a].size() > m->text[b].size(); });

    // Per-model whitespace stripping around special tokens.
    const std::string name = lower(data.modelName);
    auto setAttr = [&](std::string_view text, std::uint32_t bit, bool on) {
        const TokenId id = m->find(text);
        if (id == kNoToken)
            return;
        m->attr[id] = on ? (m->attr[id] | bit) : (m->attr[id] & ~bit);
    };
    if (data.pre.find("jina-v2-de") != std::string::npos || data.pre.find("jina-v2-es") != std::string::npos
        || data.pre.find("jina-v2-code") != std::string::npos) {
        setAttr("<mask>", kAttrLstrip, true);
    } else if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (const TokenId id : m->specialTokens)
            m->attr[id] |= kAttrRstrip;
        setAttr("</s>", kAttrRstrip, true);
        for (const std::string_view t : {"<unk>", "<s>", "<|endoftext|>"})
            setAttr(t, kAttrRstrip, false);
    }

    if (m->kind == VocabKind::Spm) {
        for (int b = 0; b < 256; ++b) {
            char name6[8];
            std::snprintf(name6, sizeof name6, "<0x%02X>", b);
            TokenId id = m->find(name6);
            if (id == kNoToken)
                id = m->find(std::string(1, static_cast<char>(b)));
            m->byteToken[b] = id != kNoToken ? id : m->unkId;
        }
    }

    if (m->kind == VocabKind::Bpe) {
        m->pieceIds.reserve(n + data.merges.size());
        m->pieceToken.reserve(n + data.merges.size());
        auto intern = [&](std::string&& bytes) -> std::int32_t {
            const auto [it, added] = m->pieceIds.try_emplace(std::move(bytes), static_cast<std::int32_t>(m->pieceToken.size()));
            if (added)
                m->pieceToken.push_back(kNoToken);
            return it->second;
        };
        std::string raw;
        for (std::size_t i = 0; i < n; ++i) {
            if (!decodeGpt2(m->text[i], raw) || raw.empty())
                continue;   // text outside the byte alphabet can never come out of merging
            m->pieceToken[intern(std::move(raw))] = static_cast<TokenId>(i);
        }
        m->merges.reserve(data.merges.size());
        std::string left, right;
        for (std::size_t rank = 0; rank < data.merges.size(); ++rank) {
            const std::string_view merge = data.merges[rank];
            const std::size_t space = merge.find(' ', 1);
            if (space == std::string_view::npos)
                continue;
            if (!decodeGpt2(merge.substr(0, space), left) || !decodeGpt2(merge.substr(space + 1), right)
                || left.empty() || right.empty())
                continue;
            std::string both = left + right;
            const std::int32_t l = intern(std::move(left));
            const std::int32_t r = intern(std::move(right));
            const std::int32_t result = intern(std::move(both));
            const auto key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l)) << 32) | static_cast<std::uint32_t>(r);
            m->merges.try_emplace(key, BpeMerge{static_cast<std::int32_t>(rank), result});
            left.clear();
            right.clear();
        }
        for (int b = 0; b < 256; ++b) {
            const std::int32_t* pid = findIn(m->pieceIds, std::string_view(reinterpret_cast<const char*>(&b), 1));
            m->bytePiece[b] = pid ? *pid : -1;
        }
    }

    // What each token prints as (llama.cpp's token_to_piece cache, special = true).
    m->piece.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t a = m->attr[i];
        const std::string& t = m->text[i];
        if (a & (kAttrControl | kAttrUnknown | kAttrUserDefined)) {
            m->piece[i] = t;
        } else if (a & kAttrNormal) {
            if (m->kind == VocabKind::Bpe) {
                m->piece[i] = gpt2Piece(t);
            } else {
                m->piece[i] = t;
                replaceAll(m->piece[i], kSpaceMark, " ");
            }
        } else if ((a & kAttrByte) && m->kind != VocabKind::Bpe) {
            // "<0xXX>"
            if (t.size() == 6 && t.starts_with("<0x") && t.back() == '>') {
                unsigned v = 0;
                if (std::sscanf(t.c_str() + 3, "%2x", &v) == 1)
                    m->piece[i] = std::string(1, static_cast<char>(v));
            }
        }
    }

    return Tokenizer(std::move(m));
}

std::vector<TokenId> Tokenizer::tokenize(std::string_view text, bool addSpecial, bool parseSpecial) const
{
    const Impl& m = *m_impl;
    std::vector<TokenId> out;
    out.reserve(text.size() / 3 + 4);
    std::list<Fragment> fragments;
    if (!text.empty())
        fragments = partition(m, text, parseSpecial);
    // The encoders index bytes with 32 bits and need memory proportional to a
    // fragment; cut giant fragments (over 256 MiB) at a line or space break
    // so any input goes through. Tokens can differ from one-piece encoding
    // only at those cuts.
    constexpr std::size_t kMaxFragment = std::size_t{1} << 28;
    for (auto it = fragments.begin(); it != fragments.end(); ++it) {
        if (it->token != kNoToken || it->length <= kMaxFragment)
            continue;
        const std::string_view window = text.substr(it->offset, kMaxFragment);
        std::size_t cut = window.rfind('\n');
        if (cut == std::string_view::npos || cut < kMaxFragment / 2)
            cut = window.rfind(' ');
        if (cut == std::string_view::npos || cut < kMaxFragment / 2)
            cut = unicode::cutPoint(text.substr(it->offset), kMaxFragment);   // no break nearby: at a character boundary
        fragments.insert(it, {kNoToken, it->offset, cut});
        it->offset += cut;
        it->length -= cut;
        --it;   // look at the rest again
    }

    switch (m.kind) {
    case VocabKind::Spm: {
        bool prevSpecial = true;   // the text start counts as "after a special token"
        if (addSpecial && m.addBos)
            out.push_back(m.bosId);
        std::string buffer;
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken) {
                out.push_back(f.token);
                prevSpecial = true;
                continue;
            }
            buffer.clear();
            if (m.addSpacePrefix && prevSpecial)
                buffer.push_back(' ');
            buffer.append(text.substr(f.offset, f.length));
            replaceAll(buffer, " ", kSpaceMark);
            spmEncode(m, buffer, out);
            prevSpecial = false;
        }
        if (addSpecial && m.addEos)
            out.push_back(m.eosId);
        break;
    }
    case VocabKind::Bpe:
    case VocabKind::Wpm:
        // WPM always frames the text as [CLS] ... [SEP] when asked for specials.
        if (addSpecial && (m.addBos || m.kind == VocabKind::Wpm) && m.bosId != kNoToken)
            out.push_back(m.bosId);
        for (const Fragment& f : fragments) {
            if (f.token != kNoToken)
                out.push_back(f.token);
            else if (m.kind == VocabKind::Bpe)
                bpeEncode(m, text.substr(f.offset, f.length), out);
            else
                wpmEncode(m, text.substr(f.offset, f.length), out);
        }
        if (addSpecial && m.kind == VocabKind::Wpm) {
            if (m.sepId != kNoToken)
                out.push_back(m.sepId);
        } else if (addSpecial && m.addEos)
            out.push_back(m.eosId);
        break;
    }
    return out;
}

std::string Tokenizer::tokenToPiece(TokenId id, bool special) const
{
    const Impl& m = *m_impl;
    if (id < 0 || static_cast<std::size_t>(id) >= m.text.size())
        return {};
    if (!special && (m.attr[id] & (kAttrControl | kAttrUnknown)))
        return {};
    return m.piece[id];
}

std::string Tokenizer::detokenize(std::span<const TokenId> ids, bool removeSpecial, bool unparseSpecial) const
{
    const Impl& m = *m_impl;
    bool removeSpace = m.addSpacePrefix;
    if (removeSpecial && m.addBos && !ids.empty() && ids.front() == m.bosId) {
        removeSpace = false;
        ids = ids.subspan(1);
    }
    if (removeSpecial && m.addEos && !ids.empty() && ids.back() == m.eosId)
        ids = ids.first(ids.size() - 1);

    std::string text;
    for (const TokenId id : ids) {
        std::string piece = tokenToPiece(id, unparseSpecial);
        std::size_t skip = 0;
        if (removeSpace && !piece.empty() && piece[0] == ' ')
            skip = 1;
        removeSpace = false;
        text.append(piece, skip);
    }

    if (m.cleanSpaces && !text.empty()) {
        // llama.cpp's three passes, in its order: " ?" " !" " ." " ," lose the
        // space; " ' " loses both spaces; " 's" " 'm" " 're" " 've" lose it.
        std::string a;
        a.push_back(text[0]);
        for (std::size_t i = 1; i < text.size(); ++i) {
            const char x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ','))
                a.pop_back();
            a.push_back(x);
        }
        std::string b;
        b.push_back(a[0]);
        for (std::size_t i = 1; i < a.size(); ++i) {
            const char x = a[i];
            if (x == '\'' && i + 1 < a.size() && a[i - 1] == ' ' && a[i + 1] == ' ') {
                b.pop_back();
                b.push_back(x);
                ++i;   // drop the space after it
                continue;
            }
            b.push_back(x);
        }
        std::string c;
        c.push_back(b[0]);
        for (std::size_t i = 1; i < b.size(); ++i) {
            const char x = b[i];
            if (b[i - 1] == ' ' && x == '\'' && i + 1 < b.size()) {
                const char x1 = b[i + 1];
                if (x1 == 's' || x1 == 'm')
                    c.pop_back();
                else if (i + 2 < b.size() && ((x1 == 'r' && b[i + 2] == 'e') || (x1 == 'v' && b[i + 2] == 'e')))
                    c.pop_back();
            }
            c.push_back(x);
        }
        text.swap(c);
    }
    return text;
}

VocabKind Tokenizer::kind() const { return m_impl->kind; }
const std::string& Tokenizer::preTokenizerName() const { return m_impl->preName; }
std::size_t Tokenizer::vocabSize() const { return m_impl->text.size(); }

const std::string& Tokenizer::tokenText(TokenId id) const
{
    static const std::string empty;
    return (id >= 0 && static_cast<std::size_t>(id) < m_impl->text.size()) ? m_impl->text[id] : empty;
}

TokenType Tokenizer::tokenType(TokenId id) const
{
    return (id >= 0 && static_cast<std::size_t>(id) < m_impl->type.size()) ? m_impl->type[id] : TokenType::Undefined;
}

float Tokenizer::tokenScore(TokenId id) const
{
    return (id >= 0 && static_cast<std::size_t>(id) < m_impl->score.size()) ? m_impl->score[id] : 0.0f;
}

TokenId Tokenizer::findToken(std::string_view text) const { return m_impl->find(text); }
TokenId Tokenizer::bos() const { return m_impl->bosId; }
TokenId Tokenizer::eos() const { return m_impl->eosId; }
TokenId Tokenizer::eot() const { return m_impl->eotId; }
TokenId Tokenizer::unk() const { return m_impl->unkId; }
TokenId Tokenizer::pad() const { return m_impl->padId; }
TokenId Tokenizer::sep() const { return m_impl->sepId; }
bool Tokenizer::addBos() const { return m_impl->addBos; }
bool Tokenizer::addEos() const { return m_impl->addEos; }
bool Tokenizer::addSpacePrefix() const { return m_impl->addSpacePrefix; }

bool Tokenizer::isEog(TokenId id) const
{
    return std::binary_search(m_impl->eogTokens.begin(), m_impl->eogTokens.end(), id);
}

bool Tokenizer::isControl(TokenId id) const
{
    return id >= 0 && static_cast<std::size_t>(id) < m_impl->attr.size()
        && (m_impl->attr[id] & (kAttrControl | kAttrUnknown));
}

// ---- GGUF ----

Result<VocabData> Tokenizer::readVocab(const gguf::GgufFile& file)
{
    const std::string where = file.path() + ": ";
    VocabData v;
    auto wrongType = [&](std::string_view key, std::string_view want) {
        return Error{where + "metadata key " + std::string(key) + " is not " + std::string(want)};
    };
    auto str = [&](std::string_view key, std::string& out) -> bool {
        const gguf::Value* value = file.find(key);
        if (!value)
            return true;
        const auto s = value->asString();
        if (!s)
            return false;
        out = std::string(*s);
        return true;
    };
    if (!str("tokenizer.ggml.model", v.model))
        return wrongType("tokenizer.ggml.model", "a string");
    if (v.model.empty())
        return Error{where + "no tokenizer (metadata key tokenizer.ggml.model is missing)"};
    if (!str("tokenizer.ggml.pre", v.pre))
        return wrongType("tokenizer.ggml.pre", "a string");
    if (!str("general.name", v.modelName))
        return wrongType("general.name", "a string");

    const gguf::Value* tokens = file.find("tokenizer.ggml.tokens");
    if (!tokens)
        return Error{where + "no vocabulary (metadata key tokenizer.ggml.tokens is missing)"};
    const auto tokenArray = tokens->asStringArray();
    if (!tokenArray)
        return wrongType("tokenizer.ggml.tokens", "an array of strings");
    v.tokens.assign(tokenArray->begin(), tokenArray->end());

    if (const gguf::Value* scores = file.find("tokenizer.ggml.scores")) {
        auto s = scores->asFloat32Array();
        if (!s)
            return wrongType("tokenizer.ggml.scores", "an array of floats");
        v.scores = std::move(*s);
    }
    if (const gguf::Value* types = file.find("tokenizer.ggml.token_type")) {
        auto t = types->asInt32Array();
        if (!t)
            return wrongType("tokenizer.ggml.token_type", "an array of integers");
        v.types = std::move(*t);
    }
    if (const gguf::Value* merges = file.find("tokenizer.ggml.merges")) {
        const auto m = merges->asStringArray();
        if (!m)
            return wrongType("tokenizer.ggml.merges", "an array of strings");
        v.merges.assign(m->begin(), m->end());
    }

    struct IdKey {
        std::string_view key;
        std::optional<std::int64_t> VocabData::*field;
    };
    static constexpr IdKey idKeys[] = {
        {"tokenizer.ggml.bos_token_id", &VocabData::bos},     {"tokenizer.ggml.eos_token_id", &VocabData::eos},
        {"tokenizer.ggml.unknown_token_id", &VocabData::unk}, {"tokenizer.ggml.seperator_token_id", &VocabData::sep},
        {"tokenizer.ggml.padding_token_id", &VocabData::pad}, {"tokenizer.ggml.mask_token_id", &VocabData::mask},
        {"tokenizer.ggml.eot_token_id", &VocabData::eot},     {"tokenizer.ggml.eom_token_id", &VocabData::eom},
    };
    for (const IdKey& k : idKeys) {
        const gguf::Value* value = file.find(k.key);
        if (!value)
            continue;
        const auto id = value->asInt();
        if (!id)
            return wrongType(k.key, "an integer");
        v.*(k.field) = *id;
    }

    struct BoolKey {
        std::string_view key;
        std::optional<bool> VocabData::*field;
    };
    static constexpr BoolKey boolKeys[] = {
        {"tokenizer.ggml.add_bos_token", &VocabData::addBos},
        {"tokenizer.ggml.add_eos_token", &VocabData::addEos},
        {"tokenizer.ggml.add_space_prefix", &VocabData::addSpacePrefix},
    };
    for (const BoolKey& k : boolKeys) {
        const gguf::Value* value = file.find(k.key);
        if (!value)
            continue;
        const auto b = value->asBool();
        if (!b)
            return wrongType(k.key, "a boolean");
        v.*(k.field) = *b;
    }
    return v;
}

Result<Tokenizer> Tokenizer::fromGguf(const gguf::GgufFile& file)
{
    auto vocab = readVocab(file);
    if (!vocab)
        return Error{vocab.error()};
    auto tokenizer = fromVocab(std::move(*vocab));
    if (!tokenizer)
        return Error{file.path() + ": " + tokenizer.error()};
    return tokenizer;
}

} // namespace outpost::inference::tokenizer
