// WordPiece encoding (llama.cpp's llm_tokenizer_wpm, BERT-style): split on
// whitespace, lower-case, reduce each character to the first code point of
// its NFD form (which drops accents), make punctuation, ASCII symbols and CJK
// ideographs words of their own, then cover "▁"+word greedily with the
// longest tokens; a word that cannot be covered becomes the unknown token.
#include "inference/tokenizer/tokenizer_impl.h"
#include "inference/unicode/unicode.h"

namespace outpost::inference::tokenizer {
namespace {

namespace uc = outpost::inference::unicode;

bool isChineseChar(char32_t c)
{
    return (c >= 0x04E00 && c <= 0x09FFF) || (c >= 0x03400 && c <= 0x04DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0x0F900 && c <= 0x0FAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::vector<std::string> words(std::string_view text)
{
    std::vector<std::string> result(1);
    std::u32string nfd;
    for (std::size_t pos = 0; pos < text.size();) {
        char32_t cp = uc::decodeUtf8(text, pos);
        if (cp & uc::kInvalid)
            cp = 0xFFFD;
        nfd.clear();
        uc::appendNfd(cp, nfd);
        cp = nfd.empty() ? cp : nfd[0];
        const std::uint8_t f = uc::flags(cp);
        if (f & uc::kWhitespaceBit) {
            if (!result.back().empty())
                result.emplace_back();
            continue;
        }
        const auto category = static_cast<uc::Category>(f & uc::kCategoryMask);
        if (cp == 0 || cp == 0xFFFD || category == uc::Category::Other)
            continue;
        std::string s;
        uc::appendUtf8(s, uc::toLower(cp));
        if (category == uc::Category::Punctuation || (cp < 0x7F && category == uc::Category::Symbol)
            || isChineseChar(cp)) {
            if (!result.back().empty())
                result.emplace_back();
            result.back() = std::move(s);
            result.emplace_back();
        } else {
            result.back() += s;
        }
    }
    if (result.back().empty())
        result.pop_back();
    return result;
}

} // namespace

void wpmEncode(const Tokenizer::Impl& m, std::string_view text, std::vector<TokenId>& out)
{
    for (const std::string& word : words(text)) {
        if (word.empty())
            continue;
        const std::string w = "\xE2\x96\x81" + word;
        const std::size_t n = w.size();
        const std::size_t before = out.size();
        for (std::size_t i = 0; i < n; ++i) {
            bool matched = false;
            for (std::size_t j = std::min(n, i + m.maxTokenLen + 1); j > i; --j) {
                const TokenId id = m.find(std::string_view(w).substr(i, j - i));
                if (id != kNoToken) {
                    out.push_back(id);
                    matched = true;
                    i = j - 1;
                    break;
                }
            }
            if (!matched) {
                out.resize(before);
                break;
            }
        }
        if (out.size() == before && m.unkId != kNoToken)
            out.push_back(m.unkId);
    }
}

} // namespace outpost::inference::tokenizer
