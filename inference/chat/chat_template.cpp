#include "inference/chat/chat_template.h"

#include "inference/chat/template_renderer.h"

#include <ctime>

namespace outpost::inference::chat {

namespace {

// ChatML, written to tolerate a none content (tool-call turns).
constexpr std::string_view kChatml =
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + (message['content'] if message['content'] is string else '') + '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

DateTime localNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    return DateTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

} // namespace

Value ChatMessage::toValue() const
{
    Value m = Value::object();
    m.set("role", Value(role));
    m.set("content", content ? Value(*content) : Value::none());
    if (!toolCalls.empty()) {
        Value calls = Value::array();
        for (const auto& c : toolCalls) {
            Value call = Value::object();
            call.set("id", Value(c.id));
            call.set("type", Value(c.type));
            Value fn = Value::object();
            fn.set("name", Value(c.name));
            fn.set("arguments", c.arguments.isUndefined() ? Value::object() : c.arguments);
            call.set("function", fn);
            calls.push(call);
        }
        m.set("tool_calls", calls);
    }
    if (toolCallId)
        m.set("tool_call_id", Value(*toolCallId));
    if (name)
        m.set("name", Value(*name));
    if (extra.isObject())
        for (const auto& [k, v] : extra.asObject().entries)
            m.set(k, v);
    return m;
}

Result<ChatTemplate> ChatTemplate::parse(std::string_view source)
{
    auto program = detail::parseTemplate(source);
    if (!program)
        return Error{program.error()};
    return ChatTemplate(std::move(program.value()), false);
}

ChatTemplate ChatTemplate::chatml()
{
    static const std::shared_ptr<const detail::Program> program = [] {
        auto p = detail::parseTemplate(kChatml);
        return p ? p.value() : nullptr; // cannot fail: the text above is fixed and tested
    }();
    return ChatTemplate(program, true);
}

Result<ChatTemplate> ChatTemplate::forModel(std::string_view source)
{
    if (source.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return chatml();
    return parse(source);
}

const std::string& ChatTemplate::source() const
{
    return m_program->source;
}

Result<std::string> ChatTemplate::renderWith(const Value& variables, const RenderLimits& limits,
                                             std::optional<DateTime> now) const
{
    if (!variables.isObject() && !variables.isUndefined())
        return Error{"chat template variables must be an object"};
    return detail::renderProgram(*m_program, variables, limits, now ? *now : localNow());
}

Result<std::string> ChatTemplate::render(const ChatContext& context, const RenderLimits& limits) const
{
    Value vars = Value::object();
    Value messages = Value::array();
    for (const auto& m : context.messages)
        messages.push(m.toValue());
    vars.set("messages", messages);
    vars.set("tools", context.tools ? *context.tools : Value::none());
    vars.set("documents", Value::none());
    vars.set("add_generation_prompt", Value(context.addGenerationPrompt));
    if (context.bosToken)
        vars.set("bos_token", Value(*context.bosToken));
    if (context.eosToken)
        vars.set("eos_token", Value(*context.eosToken));
    if (context.variables.isObject())
        for (const auto& [k, v] : context.variables.asObject().entries)
            vars.set(k, v);
    return renderWith(vars, limits, context.now);
}

} // namespace outpost::inference::chat
