#pragma once
// Chat templates: turns a conversation into the exact prompt text a model
// was trained on, by rendering the model's own `tokenizer.chat_template`
// (a Jinja2 template) the way Hugging Face transformers renders it
// (trim_blocks, lstrip_blocks, loop controls, raise_exception, strftime_now,
// Python's tojson). The supported Jinja2 subset covers the templates of the
// common model families: if/elif/else, for (with else, filters, tuple
// unpacking, loop.*), set (also ns.attr and block form), macros, filter
// blocks, whitespace control, the usual filters and tests, and Python string
// and dict methods.
//
// Models without a template get ChatML (<|im_start|>role\ncontent<|im_end|>\n).
//
// Rendering is bounded (RenderLimits): a hostile template fails with an
// error instead of hanging or exhausting memory. Nothing here throws.
#include "inference/chat/value.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::inference::chat {

namespace detail {
struct Program;
}

struct ToolCall {
    std::string id;
    std::string type = "function";
    std::string name;
    Value arguments; // an object (transformers' convention) or a JSON string (OpenAI's)
};

struct ChatMessage {
    std::string role;                    // "system", "user", "assistant", "tool", ...
    std::optional<std::string> content;  // nullopt renders as none (e.g. an assistant turn that only calls tools)
    std::vector<ToolCall> toolCalls;     // present in the template only when non-empty
    std::optional<std::string> toolCallId; // tool results: the call answered
    std::optional<std::string> name;       // tool results: the tool's name
    Value extra;                         // an object of further keys (e.g. "reasoning_content"), or undefined

    // The dict the template sees: role, content, then tool_calls,
    // tool_call_id and name when set, then the keys of `extra`.
    Value toValue() const;
};

// strftime_now's clock.
struct DateTime {
    int year = 1970;
    int month = 1;   // 1..12
    int day = 1;     // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
};

struct ChatContext {
    std::vector<ChatMessage> messages;
    std::optional<Value> tools;          // list of tool definitions ({"type": "function", "function": {...}}); nullopt: none
    bool addGenerationPrompt = true;     // end with the header of the assistant's next turn
    std::optional<std::string> bosToken; // nullopt: the variable is undefined, as transformers does for a null token
    std::optional<std::string> eosToken;
    Value variables;                     // an object of extra variables (documents, builtin_tools, ...), set last
    std::optional<DateTime> now;         // nullopt: local time when rendering
};

// Bounds on one render. Defaults are far above what real templates need
// (they render in well under 100k steps and a few kilobytes of output).
struct RenderLimits {
    std::size_t maxOutputBytes = std::size_t{8} << 20;      // the prompt, and any one string built on the way
    std::size_t maxAllocatedBytes = std::size_t{256} << 20; // all strings and lists created, summed
    std::uint64_t maxSteps = 20'000'000;                     // expressions evaluated + statements run + loop iterations
    int maxDepth = 1000;                                     // nested evaluation (expressions, blocks, macro calls)
    int maxMacroCallDepth = 64;
};

class ChatTemplate {
public:
    // Parses a template. Errors (syntax, unknown tag, filter or test,
    // nesting beyond 200 levels) say "line L, column C" and why.
    static Result<ChatTemplate> parse(std::string_view source);

    // The ChatML fallback.
    static ChatTemplate chatml();

    // The model's template, or ChatML when the model has none (empty or
    // whitespace-only source); fails only when a given template is invalid.
    static Result<ChatTemplate> forModel(std::string_view tokenizerChatTemplate);

    // Renders the prompt. Errors: raise_exception's message, undefined
    // variables used as values, type errors, exceeded limits; each says
    // where in the template it happened ("line L, column C").
    Result<std::string> render(const ChatContext& context, const RenderLimits& limits = {}) const;

    // Renders with exactly the given variables (an object); for templates
    // used outside chat. strftime_now uses `now` or local time.
    Result<std::string> renderWith(const Value& variables, const RenderLimits& limits = {},
                                   std::optional<DateTime> now = std::nullopt) const;

    // The template text after Jinja2's newline normalisation.
    const std::string& source() const;
    bool isChatml() const { return m_chatml; }

private:
    ChatTemplate(std::shared_ptr<const detail::Program> program, bool chatml) : m_program(std::move(program)), m_chatml(chatml) {}

    std::shared_ptr<const detail::Program> m_program;
    bool m_chatml = false;
};

} // namespace outpost::inference::chat
