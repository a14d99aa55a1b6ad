#include "core/json/untrusted_json.h"

namespace outpost::core::json {

std::ptrdiff_t tooDeepAt(std::string_view text)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i; // the escaped character, which may be a quote
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxNesting)
                return static_cast<std::ptrdiff_t>(i);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return -1;
}

} // namespace outpost::core::json
