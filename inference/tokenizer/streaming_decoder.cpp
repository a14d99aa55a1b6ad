#include "inference/tokenizer/streaming_decoder.h"

#include "inference/unicode/unicode.h"

namespace outpost::inference::tokenizer {

std::string sanitizeUtf8(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
        const std::size_t at = pos;
        const char32_t cp = unicode::decodeUtf8(bytes, pos);
        if (cp & unicode::kInvalid)
            out += "\xEF\xBF\xBD";
        else
            out.append(bytes.substr(at, pos - at));
    }
    return out;
}

StreamingDecoder::StreamingDecoder(Tokenizer tokenizer, bool special, bool stripLeadingSpace)
    : m_tokenizer(std::move(tokenizer)), m_special(special),
      m_stripLeadingSpace(stripLeadingSpace && m_tokenizer.addSpacePrefix())
{
}

std::string StreamingDecoder::push(TokenId id)
{
    std::string piece = m_tokenizer.tokenToPiece(id, m_special);
    if (m_first && !piece.empty()) {
        if (m_stripLeadingSpace && piece[0] == ' ')
            piece.erase(0, 1);
        m_first = false;
    }
    m_pending += piece;
    const std::size_t complete = unicode::completePrefixLength(m_pending);
    std::string out = sanitizeUtf8(std::string_view(m_pending).substr(0, complete));
    m_pending.erase(0, complete);
    return out;
}

std::string StreamingDecoder::flush()
{
    std::string out = sanitizeUtf8(m_pending);
    m_pending.clear();
    m_first = true;
    return out;
}

} // namespace outpost::inference::tokenizer
