#pragma once
// The parsed form of a chat template (internal to inference/chat). The
// parser (template_parser.cpp) builds it once; the renderer
// (template_renderer.cpp) walks it for every prompt. Every node keeps the
// byte offset of its first token so errors can name line and column.
#include "inference/chat/value.h"
#include "inference/util/result.h"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::inference::chat::detail {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,  // literal
        Name,     // name
        Attr,     // args[0].name
        Item,     // args[0][args[1]]
        Slice,    // args[0][args[1]:args[2]:args[3]], absent parts are null
        Call,     // args[0](args[1..], kwargs)
        Filter,   // args[0] | name(args[1..], kwargs)
        Test,     // args[0] is [not] name(args[1..])
        Not,      // not args[0]
        Neg,      // -args[0]
        Pos,      // +args[0]
        Binary,   // args[0] <name> args[1]: + - * / // % ** ~
        And,
        Or,
        Compare,  // args[0] ops[0] args[1] ops[1] args[2] ...
        Cond,     // args[0] if args[1] else args[2] (args[2] may be null)
        List,
        Tuple,
        Dict,     // args: key0, value0, key1, value1, ...
    };
    Expr(Kind k, std::size_t p) : kind(k), pos(p) {}
    Kind kind;
    std::size_t pos = 0;
    Value literal;
    std::string name;
    bool negated = false;
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    std::vector<std::string> ops;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
    enum class Kind {
        Text,        // text
        Output,      // {{ exprs[0] }}
        If,          // exprs[i] -> bodies[i]; bodies[exprs.size()] is the else branch when present
        For,         // for names in exprs[0] [if exprs[1]]: bodies[0], else bodies[1]
        Set,         // names = exprs[0]; with attr: names[0].attr = exprs[0]
        SetBlock,    // names[0] = rendered bodies[0]
        Macro,       // macro name(names, defaults)
        Break,
        Continue,
        FilterBlock, // exprs[0] is a Filter whose subject is the rendered bodies[0]
        Scope,       // bodies[0] rendered as is ({% generation %})
    };
    Stmt(Kind k, std::size_t p) : kind(k), pos(p) {}
    Kind kind;
    std::size_t pos = 0;
    std::string text;
    std::string attr;
    std::vector<std::string> names;
    std::vector<ExprPtr> exprs;     // For: [iterable, filter or null]
    std::vector<ExprPtr> defaults;  // Macro: one per parameter, null when none
    std::vector<Body> bodies;
};

struct Program {
    std::string source; // normalised as Jinja2 does (\r\n -> \n, one trailing newline dropped)
    Body body;

    // "line L, column C" (1-based, columns in code points) of a byte offset.
    std::string where(std::size_t pos) const;
};

// The filters and tests the renderer implements; the parser rejects others
// so a misspelt filter fails when the template loads, not mid-conversation.
bool isKnownFilter(std::string_view name);
bool isKnownTest(std::string_view name);

// Name bound to the rendered body of a {% filter %} block.
inline constexpr const char* kFilterBodyName = "{filter body}";

// Parses a template with Hugging Face's settings (trim_blocks and
// lstrip_blocks on, keep_trailing_newline off, loop controls enabled).
Result<std::shared_ptr<const Program>> parseTemplate(std::string_view source);

} // namespace outpost::inference::chat::detail
