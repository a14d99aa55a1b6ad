#include "core/llm/chat_model.h"

namespace outpost::core::llm {

int estimateTokens(const std::string& text)
{
    return text.empty() ? 0 : int(text.size() / 4) + 1;
}

std::string stringField(const OJson& j, const char* key, const std::string& fallback)
{
    if (j.is_object())
        if (const auto it = j.find(key); it != j.end() && it->is_string())
            return it->get<std::string>();
    return fallback;
}

} // namespace outpost::core::llm
