#pragma once
// Internal: renders a parsed template (see chat_template.h for the contract).
#include "inference/chat/chat_template.h"
#include "inference/chat/template_ast.h"

namespace outpost::inference::chat::detail {

Result<std::string> renderProgram(const Program& program, const Value& variables, const RenderLimits& limits,
                                  const DateTime& now);

} // namespace outpost::inference::chat::detail
