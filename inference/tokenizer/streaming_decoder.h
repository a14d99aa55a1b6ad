#pragma once
// Turns generated tokens into text as they arrive. A token may end in the
// middle of a UTF-8 character (byte tokens, or BPE tokens that split a
// multi-byte character), so the decoder holds back an incomplete trailing
// sequence until the bytes that finish it arrive: every chunk it returns is
// valid UTF-8 and the chunks concatenate to the full text. Bytes that can
// never form a character come out as U+FFFD.
#include "inference/tokenizer/tokenizer.h"

#include <string>

namespace outpost::inference::tokenizer {

class StreamingDecoder {
public:
    // special: render control tokens' text (otherwise they print nothing).
    // stripLeadingSpace: drop the space SPM tokenizers put in front of the
    // first word, for text that starts a new document (as detokenize does).
    explicit StreamingDecoder(Tokenizer tokenizer, bool special = false, bool stripLeadingSpace = false);

    // Adds one token; returns the text now complete (possibly empty).
    std::string push(TokenId id);
    // Returns whatever is still held back (an unfinished sequence becomes
    // U+FFFD) and starts over.
    std::string flush();
    // Bytes held back, waiting for the rest of their character (0..3).
    std::size_t pending() const { return m_pending.size(); }

private:
    Tokenizer m_tokenizer;
    std::string m_pending;
    bool m_special;
    bool m_stripLeadingSpace;
    bool m_first = true;
};

// Replaces every byte that is not part of a valid UTF-8 sequence by U+FFFD.
std::string sanitizeUtf8(std::string_view bytes);

} // namespace outpost::inference::tokenizer
