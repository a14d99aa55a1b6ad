#include "core/llm/chat_model.h"

namespace outpost::core::llm {

int estimateTokens(const std::string& text)
{
    return text.empty() ? 0 : int(text.size() / 4) + 1;
}

} // namespace outpost::core::llm
