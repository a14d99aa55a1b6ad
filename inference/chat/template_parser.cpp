// Lexer and parser for the Jinja2 subset chat templates use. Whitespace
// rules follow Jinja2 with Hugging Face's settings: `{%-`/`-%}` strip all
// whitespace on their side, trim_blocks drops the first newline after a block
// or comment tag, lstrip_blocks removes the spaces and tabs before a block or
// comment tag that starts a line, and one trailing newline of the source is
// dropped (keep_trailing_newline=False).
#include "inference/chat/template_ast.h"

#include "inference/chat/py_format.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace outpost::inference::chat::detail {

namespace {

constexpr int kMaxNesting = 200;

struct ParseError {
    std::size_t pos;
    std::string message;
};

enum class T { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
    Token(T t, std::size_t p, std::string s) : type(t), pos(p), text(std::move(s)) {}
    T type;
    std::size_t pos;
    std::string text; // Text, Name, decoded String, Op
    std::int64_t i = 0;
    double f = 0;
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdent(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    explicit Lexer(std::string_view s) : m_s(s) {}

    std::vector<Token> run()
    {
        std::size_t pos = 0;
        bool stripNext = false;
        bool trimNewline = false;
        for (;;) {
            const std::size_t p = findTag(pos);
            std::size_t textStart = pos;
            std::size_t textEnd = p == std::string_view::npos ? m_s.size() : p;
            if (stripNext) {
                while (textStart < textEnd && isSpace(m_s[textStart]))
                    ++textStart;
            } else if (trimNewline && textStart < textEnd && m_s[textStart] == '\n') {
                ++textStart;
            }
            stripNext = trimNewline = false;
            if (p == std::string_view::npos) {
                emitText(textStart, textEnd);
                break;
            }
            const char kind = m_s[p + 1];
            const char mod = p + 2 < m_s.size() ? m_s[p + 2] : '\0';
            if (mod == '-') {
                while (textEnd > textStart && isSpace(m_s[textEnd - 1]))
                    --textEnd;
            } else if (kind != '{' && mod != '+') {
                std::size_t q = textEnd;
                while (q > textStart && (m_s[q - 1] == ' ' || m_s[q - 1] == '\t'))
                    --q;
                if (q == 0 || m_s[q - 1] == '\n')
                    textEnd = q;
            }
            emitText(textStart, textEnd);
            std::size_t i = p + 2 + ((mod == '-' || mod == '+') ? 1 : 0);
            if (kind == '#') {
                const std::size_t end = m_s.find("#}", i);
                if (end == std::string_view::npos)
                    throw ParseError{p, "unterminated comment: missing '#}'"};
                if (end > i && m_s[end - 1] == '-')
                    stripNext = true;
                else if (!(end > i && m_s[end - 1] == '+'))
                    trimNewline = true;
                pos = end + 2;
                continue;
            }
            const bool block = kind == '%';
            const std::size_t first = m_toks.size();
            m_toks.push_back({block ? T::BlockBegin : T::VarBegin, p, {}});
            char endMod = '\0';
            pos = lexTag(i, block, p, endMod);
            m_toks.push_back({block ? T::BlockEnd : T::VarEnd, pos - 2, {}});
            if (endMod == '-')
                stripNext = true;
            else if (block && endMod != '+')
                trimNewline = true;
            if (block && m_toks.size() == first + 3 && m_toks[first + 1].type == T::Name && m_toks[first + 1].text == "raw") {
                m_toks.erase(m_toks.begin() + static_cast<std::ptrdiff_t>(first), m_toks.end());
                pos = lexRaw(pos, p, stripNext, trimNewline);
            }
        }
        m_toks.push_back({T::Eof, m_s.size(), {}});
        return std::move(m_toks);
    }

private:
    std::size_t findTag(std::size_t from) const
    {
        for (std::size_t p = m_s.find('{', from); p != std::string_view::npos; p = m_s.find('{', p + 1)) {
            if (p + 1 < m_s.size() && (m_s[p + 1] == '{' || m_s[p + 1] == '%' || m_s[p + 1] == '#'))
                return p;
        }
        return std::string_view::npos;
    }

    void emitText(std::size_t b, std::size_t e)
    {
        if (e > b)
            m_toks.push_back({T::Text, b, std::string(m_s.substr(b, e - b))});
    }

    // {% raw %}...{% endraw %}: everything between is text.
    std::size_t lexRaw(std::size_t pos, std::size_t tagPos, bool& stripNext, bool& trimNewline)
    {
        for (std::size_t k = m_s.find("{%", pos); k != std::string_view::npos; k = m_s.find("{%", k + 1)) {
            std::size_t j = k + 2;
            const bool stripBefore = j < m_s.size() && m_s[j] == '-';
            if (stripBefore || (j < m_s.size() && m_s[j] == '+'))
                ++j;
            while (j < m_s.size() && isSpace(m_s[j]))
                ++j;
            if (m_s.substr(j, 6) != "endraw")
                continue;
            j += 6;
            while (j < m_s.size() && isSpace(m_s[j]))
                ++j;
            char endMod = '\0';
            if (j < m_s.size() && (m_s[j] == '-' || m_s[j] == '+'))
                endMod = m_s[j++];
            if (m_s.substr(j, 2) != "%}")
                continue;
            std::size_t b = pos;
            std::size_t e = k;
            if (stripNext)
                while (b < e && isSpace(m_s[b]))
                    ++b;
            else if (trimNewline && b < e && m_s[b] == '\n')
                ++b;
            if (stripBefore)
                while (e > b && isSpace(m_s[e - 1]))
                    --e;
            emitText(b, e);
            stripNext = endMod == '-';
            trimNewline = endMod == '\0';
            return j + 2;
        }
        throw ParseError{tagPos, "unterminated raw block: missing '{% endraw %}'"};
    }

    std::size_t lexTag(std::size_t i, bool block, std::size_t tagPos, char& endMod)
    {
        const std::string_view closer = block ? "%}" : "}}";
        int depth = 0;
        for (;;) {
            while (i < m_s.size() && isSpace(m_s[i]))
                ++i;
            if (i >= m_s.size())
                throw ParseError{tagPos, block ? "unterminated block tag: missing '%}'" : "unterminated expression: missing '}}'"};
            if (block || depth == 0) {
                if ((m_s[i] == '-' || m_s[i] == '+') && m_s.substr(i + 1, 2) == closer && (block || m_s[i] == '-')) {
                    endMod = m_s[i];
                    return i + 3;
                }
                if (m_s.substr(i, 2) == closer)
                    return i + 2;
            }
            const char c = m_s[i];
            if (isIdentStart(c)) {
                std::size_t b = i;
                while (i < m_s.size() && isIdent(m_s[i]))
                    ++i;
                m_toks.push_back({T::Name, b, std::string(m_s.substr(b, i - b))});
            } else if (isDigit(c)) {
                i = lexNumber(i);
            } else if (c == '\'' || c == '"') {
                i = lexString(i);
            } else {
                static constexpr std::string_view two[] = {"**", "//", "==", "!=", "<=", ">="};
                std::string op;
                for (auto t : two)
                    if (m_s.substr(i, 2) == t)
                        op = t;
                if (op.empty()) {
                    if (std::string_view("+-*/%~<>=()[]{},.:|").find(c) == std::string_view::npos)
                        throw ParseError{i, std::string("unexpected character '") + c + "'"};
                    op = std::string(1, c);
                }
                // Only braces matter: `}}` closes the tag unless a dict literal is open.
                if (op == "{")
                    ++depth;
                else if (op == "}" && depth > 0)
                    --depth;
                m_toks.push_back({T::Op, i, op});
                i += op.size();
            }
        }
    }

    std::size_t lexNumber(std::size_t i)
    {
        const std::size_t b = i;
        std::string digits;
        bool isFloat = false;
        auto run = [&] {
            while (i < m_s.size() && (isDigit(m_s[i]) || (m_s[i] == '_' && i + 1 < m_s.size() && isDigit(m_s[i + 1])))) {
                if (m_s[i] != '_')
                    digits += m_s[i];
                ++i;
            }
        };
        run();
        if (i + 1 < m_s.size() && m_s[i] == '.' && isDigit(m_s[i + 1])) {
            isFloat = true;
            digits += '.';
            ++i;
            run();
        }
        if (i < m_s.size() && (m_s[i] == 'e' || m_s[i] == 'E')) {
            std::size_t j = i + 1;
            if (j < m_s.size() && (m_s[j] == '+' || m_s[j] == '-'))
                ++j;
            if (j < m_s.size() && isDigit(m_s[j])) {
                isFloat = true;
                digits += 'e';
                digits += m_s.substr(i + 1, j - i - 1);
                i = j;
                run();
            }
        }
        Token t{isFloat ? T::Float : T::Int, b, digits};
        const char* s = digits.data();
        const char* e = s + digits.size();
        if (isFloat) {
            if (std::from_chars(s, e, t.f).ec != std::errc())
                throw ParseError{b, "invalid number"};
        } else if (std::from_chars(s, e, t.i).ec != std::errc()) {
            throw ParseError{b, "integer literal too large"};
        }
        m_toks.push_back(std::move(t));
        return i;
    }

    static int hexVal(char c)
    {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // Python string-literal escapes, as Jinja2 decodes them ("unicode-escape"
    // over the raw text, with non-ASCII characters kept as they are).
    std::size_t lexString(std::size_t i)
    {
        const std::size_t b = i;
        const char q = m_s[i++];
        std::string out;
        for (;;) {
            if (i >= m_s.size())
                throw ParseError{b, "unterminated string literal"};
            const char c = m_s[i++];
            if (c == q)
                break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i >= m_s.size())
                throw ParseError{b, "unterminated string literal"};
            const char e = m_s[i++];
            switch (e) {
            case '\n': break;
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'v': out += '\v'; break;
            case 'x':
            case 'u':
            case 'U': {
                const int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                unsigned cp = 0;
                for (int k = 0; k < n; ++k) {
                    const int h = i < m_s.size() ? hexVal(m_s[i]) : -1;
                    if (h < 0)
                        throw ParseError{i, std::string("truncated \\") + e + " escape in string literal"};
                    cp = cp * 16 + static_cast<unsigned>(h);
                    ++i;
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    unsigned cp = static_cast<unsigned>(e - '0');
                    for (int k = 0; k < 2 && i < m_s.size() && m_s[i] >= '0' && m_s[i] <= '7'; ++k)
                        cp = cp * 8 + static_cast<unsigned>(m_s[i++] - '0');
                    appendUtf8(out, cp);
                } else {
                    out += '\\';
                    out += e;
                }
            }
        }
        m_toks.push_back({T::String, b, std::move(out)});
        return i;
    }

    std::string_view m_s;
    std::vector<Token> m_toks;
};

class Parser {
public:
    explicit Parser(std::vector<Token> toks) : m_t(std::move(toks)) {}

    Body parseAll()
    {
        Body body = parseBody({});
        if (peek().type != T::Eof)
            throw ParseError{peek().pos, "unexpected '" + peek().text + "' tag"};
        return body;
    }

private:
    const Token& peek(std::size_t ahead = 0) const { return m_t[std::min(m_i + ahead, m_t.size() - 1)]; }
    const Token& next()
    {
        const Token& t = m_t[m_i];
        if (m_i + 1 < m_t.size())
            ++m_i;
        return t;
    }
    bool isOp(std::string_view op, std::size_t ahead = 0) const
    {
        const auto& t = peek(ahead);
        return t.type == T::Op && t.text == op;
    }
    bool isName(std::string_view n, std::size_t ahead = 0) const
    {
        const auto& t = peek(ahead);
        return t.type == T::Name && t.text == n;
    }
    static std::string describe(const Token& t)
    {
        switch (t.type) {
        case T::Eof: return "end of template";
        case T::BlockEnd: return "'%}'";
        case T::VarEnd: return "'}}'";
        case T::BlockBegin: return "'{%'";
        case T::VarBegin: return "'{{'";
        case T::Text: return "text";
        case T::String: return "string literal";
        default: return "'" + t.text + "'";
        }
    }
    [[noreturn]] void unexpected(const std::string& expected) const
    {
        throw ParseError{peek().pos, "expected " + expected + ", found " + describe(peek())};
    }
    void expectOp(std::string_view op)
    {
        if (!isOp(op))
            unexpected("'" + std::string(op) + "'");
        next();
    }
    std::string expectName()
    {
        if (peek().type != T::Name)
            unexpected("a name");
        return next().text;
    }
    void expectBlockEnd()
    {
        if (peek().type != T::BlockEnd)
            unexpected("'%}'");
        next();
    }

    struct DepthGuard {
        Parser& p;
        DepthGuard(Parser& parser, std::size_t pos) : p(parser)
        {
            if (++p.m_depth > kMaxNesting)
                throw ParseError{pos, "template nests deeper than " + std::to_string(kMaxNesting) + " levels"};
        }
        ~DepthGuard() { --p.m_depth; }
    };

    // Parses statements until a block tag whose keyword is in `stops` (left
    // unconsumed) or the end of the template.
    Body parseBody(const std::set<std::string>& stops)
    {
        Body body;
        for (;;) {
            const Token& t = peek();
            if (t.type == T::Eof)
                return body;
            if (t.type == T::Text) {
                auto s = std::make_unique<Stmt>(Stmt::Kind::Text, t.pos);
                s->text = t.text;
                body.push_back(std::move(s));
                next();
            } else if (t.type == T::VarBegin) {
                auto s = std::make_unique<Stmt>(Stmt::Kind::Output, t.pos);
                next();
                s->exprs.push_back(parseTupleOrExpr());
                if (peek().type != T::VarEnd)
                    unexpected("'}}'");
                next();
                body.push_back(std::move(s));
            } else if (t.type == T::BlockBegin) {
                if (peek(1).type == T::Name && stops.count(peek(1).text))
                    return body;
                body.push_back(parseStatement());
            } else {
                unexpected("text or a tag");
            }
        }
    }

    // Consumes `{% name %}` closing a statement opened at `openPos`.
    void expectEnd(const std::string& name, std::size_t openPos, const std::string& opener)
    {
        if (peek().type == T::Eof)
            throw ParseError{openPos, "'" + opener + "' is never closed: missing '{% " + name + " %}'"};
        next(); // {%
        if (!isName(name))
            unexpected("'" + name + "'");
        next();
        expectBlockEnd();
    }

    Body parseBlockBody(const std::set<std::string>& stops, std::size_t openPos, const std::string& opener)
    {
        DepthGuard guard(*this, openPos);
        Body b = parseBody(stops);
        if (peek().type == T::Eof)
            throw ParseError{openPos, "'" + opener + "' is never closed: missing '{% " + *stops.rbegin() + " %}'"};
        return b;
    }

    StmtPtr parseStatement()
    {
        const std::size_t pos = next().pos; // {%
        const std::size_t kwPos = peek().pos;
        const std::string kw = expectName();
        if (kw == "if")
            return parseIf(pos);
        if (kw == "for")
            return parseFor(pos);
        if (kw == "set")
            return parseSet(pos);
        if (kw == "macro")
            return parseMacro(pos);
        if (kw == "break" || kw == "continue") {
            if (m_loopDepth == 0)
                throw ParseError{kwPos, "'" + kw + "' outside of a loop"};
            expectBlockEnd();
            return std::make_unique<Stmt>(kw == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue, pos);
        }
        if (kw == "generation") {
            expectBlockEnd();
            auto s = std::make_unique<Stmt>(Stmt::Kind::Scope, pos);
            s->bodies.push_back(parseBlockBody({"endgeneration"}, pos, "generation"));
            expectEnd("endgeneration", pos, "generation");
            return s;
        }
        if (kw == "filter") {
            auto s = std::make_unique<Stmt>(Stmt::Kind::FilterBlock, pos);
            // The rendered body is bound to a name no template can spell.
            auto subject = std::make_unique<Expr>(Expr::Kind::Name, pos);
            subject->name = kFilterBodyName;
            s->exprs.push_back(parseFilterChain(std::move(subject), true));
            expectBlockEnd();
            s->bodies.push_back(parseBlockBody({"endfilter"}, pos, "filter"));
            expectEnd("endfilter", pos, "filter");
            return s;
        }
        static const std::set<std::string> known = {"endif", "endfor", "else", "elif", "endset", "endmacro", "endfilter", "endgeneration", "endraw"};
        if (known.count(kw))
            throw ParseError{kwPos, "unexpected '" + kw + "' tag"};
        throw ParseError{kwPos, "unknown or unsupported tag '" + kw + "'"};
    }

    StmtPtr parseIf(std::size_t pos)
    {
        auto s = std::make_unique<Stmt>(Stmt::Kind::If, pos);
        s->exprs.push_back(parseExpr());
        expectBlockEnd();
        for (;;) {
            s->bodies.push_back(parseBlockBody({"elif", "else", "endif"}, pos, "if"));
            next(); // {%
            const std::string kw = next().text;
            if (kw == "elif") {
                s->exprs.push_back(parseExpr());
                expectBlockEnd();
                continue;
            }
            expectBlockEnd();
            if (kw == "else") {
                s->bodies.push_back(parseBlockBody({"endif"}, pos, "if"));
                expectEnd("endif", pos, "if");
            }
            return s;
        }
    }

    StmtPtr parseFor(std::size_t pos)
    {
        auto s = std::make_unique<Stmt>(Stmt::Kind::For, pos);
        const bool paren = isOp("(");
        if (paren)
            next();
        s->names.push_back(expectName());
        while (isOp(",")) {
            next();
            if (peek().type != T::Name)
                break;
            s->names.push_back(expectName());
        }
        if (paren)
            expectOp(")");
        if (!isName("in"))
            unexpected("'in'");
        next();
        s->exprs.push_back(parseExpr(false));
        if (isName("if")) {
            next();
            s->exprs.push_back(parseExpr());
        } else {
            s->exprs.push_back(nullptr);
        }
        if (isName("recursive"))
            throw ParseError{peek().pos, "recursive loops are not supported"};
        expectBlockEnd();
        ++m_loopDepth;
        s->bodies.push_back(parseBlockBody({"else", "endfor"}, pos, "for"));
        --m_loopDepth;
        next(); // {%
        const std::string kw = next().text;
        expectBlockEnd();
        if (kw == "else") {
            s->bodies.push_back(parseBlockBody({"endfor"}, pos, "for"));
            expectEnd("endfor", pos, "for");
        }
        return s;
    }

    StmtPtr parseSet(std::size_t pos)
    {
        auto s = std::make_unique<Stmt>(Stmt::Kind::Set, pos);
        s->names.push_back(expectName());
        if (isOp(".")) {
            next();
            s->attr = expectName();
        } else {
            while (isOp(",")) {
                next();
                s->names.push_back(expectName());
            }
        }
        if (isOp("=")) {
            next();
            s->exprs.push_back(parseTupleOrExpr());
            expectBlockEnd();
            return s;
        }
        if (s->names.size() != 1 || !s->attr.empty())
            unexpected("'='");
        expectBlockEnd();
        s->kind = Stmt::Kind::SetBlock;
        s->bodies.push_back(parseBlockBody({"endset"}, pos, "set"));
        expectEnd("endset", pos, "set");
        return s;
    }

    StmtPtr parseMacro(std::size_t pos)
    {
        auto s = std::make_unique<Stmt>(Stmt::Kind::Macro, pos);
        s->text = expectName();
        expectOp("(");
        while (!isOp(")")) {
            s->names.push_back(expectName());
            if (isOp("=")) {
                next();
                s->defaults.push_back(parseExpr());
            } else {
                s->defaults.push_back(nullptr);
            }
            if (!isOp(","))
                break;
            next();
        }
        expectOp(")");
        expectBlockEnd();
        const int savedLoop = m_loopDepth;
        m_loopDepth = 0;
        s->bodies.push_back(parseBlockBody({"endmacro"}, pos, "macro"));
        m_loopDepth = savedLoop;
        expectEnd("endmacro", pos, "macro");
        return s;
    }

    ExprPtr make(Expr::Kind k, std::size_t pos) { return std::make_unique<Expr>(k, pos); }

    // `a, b` without brackets is a tuple (in {{ }} and `set x = a, b`).
    ExprPtr parseTupleOrExpr()
    {
        ExprPtr first = parseExpr();
        if (!isOp(","))
            return first;
        auto t = make(Expr::Kind::Tuple, first->pos);
        t->args.push_back(std::move(first));
        while (isOp(",")) {
            next();
            if (peek().type == T::BlockEnd || peek().type == T::VarEnd)
                break;
            t->args.push_back(parseExpr());
        }
        return t;
    }

    ExprPtr parseExpr(bool withCond = true)
    {
        DepthGuard guard(*this, peek().pos);
        ExprPtr e = parseOr();
        while (withCond && isName("if")) {
            auto c = make(Expr::Kind::Cond, peek().pos);
            next();
            ExprPtr cond = parseOr();
            ExprPtr other;
            if (isName("else")) {
                next();
                other = parseExpr();
            }
            c->args.push_back(std::move(e));
            c->args.push_back(std::move(cond));
            c->args.push_back(std::move(other));
            e = std::move(c);
        }
        return e;
    }

    ExprPtr binary(Expr::Kind k, ExprPtr l, ExprPtr r, std::string op = {})
    {
        auto e = make(k, l->pos);
        e->name = std::move(op);
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        return e;
    }

    ExprPtr parseOr()
    {
        ExprPtr l = parseAnd();
        while (isName("or")) {
            next();
            l = binary(Expr::Kind::Or, std::move(l), parseAnd());
        }
        return l;
    }
    ExprPtr parseAnd()
    {
        ExprPtr l = parseNot();
        while (isName("and")) {
            next();
            l = binary(Expr::Kind::And, std::move(l), parseNot());
        }
        return l;
    }
    ExprPtr parseNot()
    {
        if (isName("not")) {
            DepthGuard guard(*this, peek().pos);
            auto e = make(Expr::Kind::Not, next().pos);
            e->args.push_back(parseNot());
            return e;
        }
        return parseCompare();
    }
    ExprPtr parseCompare()
    {
        ExprPtr first = parseMath1();
        ExprPtr cmp;
        for (;;) {
            std::string op;
            const Token& t = peek();
            if (t.type == T::Op && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">=")) {
                op = t.text;
                next();
            } else if (isName("in")) {
                op = "in";
                next();
            } else if (isName("not") && isName("in", 1)) {
                op = "notin";
                next();
                next();
            } else {
                break;
            }
            if (!cmp) {
                cmp = make(Expr::Kind::Compare, first->pos);
                cmp->args.push_back(std::move(first));
            }
            cmp->ops.push_back(op);
            cmp->args.push_back(parseMath1());
        }
        return cmp ? std::move(cmp) : std::move(first);
    }
    ExprPtr parseMath1()
    {
        ExprPtr l = parseConcat();
        while (isOp("+") || isOp("-")) {
            std::string op = next().text;
            l = binary(Expr::Kind::Binary, std::move(l), parseConcat(), op);
        }
        return l;
    }
    ExprPtr parseConcat()
    {
        ExprPtr l = parseMath2();
        while (isOp("~")) {
            next();
            l = binary(Expr::Kind::Binary, std::move(l), parseMath2(), "~");
        }
        return l;
    }
    ExprPtr parseMath2()
    {
        ExprPtr l = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            std::string op = next().text;
            l = binary(Expr::Kind::Binary, std::move(l), parsePow(), op);
        }
        return l;
    }
    ExprPtr parsePow()
    {
        ExprPtr l = parseUnary(true);
        while (isOp("**")) {
            next();
            l = binary(Expr::Kind::Binary, std::move(l), parseUnary(true), "**");
        }
        return l;
    }
    ExprPtr parseUnary(bool withFilter)
    {
        DepthGuard guard(*this, peek().pos);
        ExprPtr e;
        if (isOp("-") || isOp("+")) {
            const bool neg = isOp("-");
            e = make(neg ? Expr::Kind::Neg : Expr::Kind::Pos, next().pos);
            e->args.push_back(parseUnary(false));
        } else {
            e = parsePostfix(parsePrimary());
        }
        if (withFilter)
            e = parseFilterChain(std::move(e), false);
        return e;
    }

    ExprPtr parsePrimary()
    {
        const Token& t = peek();
        switch (t.type) {
        case T::Name: {
            next();
            if (t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False") {
                auto e = make(Expr::Kind::Literal, t.pos);
                e->literal = Value(t.text[0] == 't' || t.text[0] == 'T');
                return e;
            }
            if (t.text == "none" || t.text == "None") {
                auto e = make(Expr::Kind::Literal, t.pos);
                e->literal = Value::none();
                return e;
            }
            auto e = make(Expr::Kind::Name, t.pos);
            e->name = t.text;
            return e;
        }
        case T::String: {
            auto e = make(Expr::Kind::Literal, t.pos);
            std::string s;
            while (peek().type == T::String)
                s += next().text;
            e->literal = Value(std::move(s));
            return e;
        }
        case T::Int: {
            auto e = make(Expr::Kind::Literal, t.pos);
            e->literal = Value(t.i);
            next();
            return e;
        }
        case T::Float: {
            auto e = make(Expr::Kind::Literal, t.pos);
            e->literal = Value(t.f);
            next();
            return e;
        }
        case T::Op:
            if (t.text == "(") {
                const std::size_t pos = next().pos;
                if (isOp(")")) {
                    next();
                    return make(Expr::Kind::Tuple, pos);
                }
                ExprPtr e = parseExpr();
                if (isOp(",")) {
                    auto tup = make(Expr::Kind::Tuple, pos);
                    tup->args.push_back(std::move(e));
                    while (isOp(",")) {
                        next();
                        if (isOp(")"))
                            break;
                        tup->args.push_back(parseExpr());
                    }
                    e = std::move(tup);
                }
                expectOp(")");
                return e;
            }
            if (t.text == "[") {
                auto e = make(Expr::Kind::List, next().pos);
                while (!isOp("]")) {
                    e->args.push_back(parseExpr());
                    if (!isOp(","))
                        break;
                    next();
                }
                expectOp("]");
                return e;
            }
            if (t.text == "{") {
                auto e = make(Expr::Kind::Dict, next().pos);
                while (!isOp("}")) {
                    e->args.push_back(parseExpr());
                    expectOp(":");
                    e->args.push_back(parseExpr());
                    if (!isOp(","))
                        break;
                    next();
                }
                expectOp("}");
                return e;
            }
            break;
        default: break;
        }
        unexpected("an expression");
    }

    void parseCallArgs(Expr& call)
    {
        expectOp("(");
        while (!isOp(")")) {
            if (peek().type == T::Name && isOp("=", 1)) {
                std::string key = next().text;
                next();
                call.kwargs.emplace_back(std::move(key), parseExpr());
            } else {
                if (!call.kwargs.empty())
                    throw ParseError{peek().pos, "positional argument after keyword argument"};
                call.args.push_back(parseExpr());
            }
            if (!isOp(","))
                break;
            next();
        }
        expectOp(")");
    }

    ExprPtr parsePostfix(ExprPtr e)
    {
        for (;;) {
            if (isOp(".")) {
                next();
                if (peek().type == T::Int) {
                    auto item = make(Expr::Kind::Item, e->pos);
                    auto idx = make(Expr::Kind::Literal, peek().pos);
                    idx->literal = Value(next().i);
                    item->args.push_back(std::move(e));
                    item->args.push_back(std::move(idx));
                    e = std::move(item);
                    continue;
                }
                auto a = make(Expr::Kind::Attr, e->pos);
                a->name = expectName();
                a->args.push_back(std::move(e));
                e = std::move(a);
            } else if (isOp("[")) {
                next();
                ExprPtr start;
                if (!isOp(":"))
                    start = parseExpr();
                if (isOp(":")) {
                    next();
                    auto sl = make(Expr::Kind::Slice, e->pos);
                    sl->args.push_back(std::move(e));
                    sl->args.push_back(std::move(start));
                    ExprPtr stop, step;
                    if (!isOp("]") && !isOp(":"))
                        stop = parseExpr();
                    if (isOp(":")) {
                        next();
                        if (!isOp("]"))
                            step = parseExpr();
                    }
                    sl->args.push_back(std::move(stop));
                    sl->args.push_back(std::move(step));
                    e = std::move(sl);
                } else {
                    auto item = make(Expr::Kind::Item, e->pos);
                    item->args.push_back(std::move(e));
                    item->args.push_back(std::move(start));
                    e = std::move(item);
                }
                expectOp("]");
            } else if (isOp("(")) {
                auto call = make(Expr::Kind::Call, e->pos);
                call->args.push_back(std::move(e));
                parseCallArgs(*call);
                e = std::move(call);
            } else {
                return e;
            }
        }
    }

    // `| name(args)` filters and `is [not] test args`; `filterOnly` for
    // {% filter %} blocks, which take a bare chain of filter names.
    ExprPtr parseFilterChain(ExprPtr e, bool filterOnly)
    {
        bool first = true;
        for (;;) {
            if (isOp("|") || (filterOnly && first)) {
                if (!(filterOnly && first))
                    next();
                first = false;
                auto f = make(Expr::Kind::Filter, peek().pos);
                f->name = expectName();
                if (!isKnownFilter(f->name))
                    throw ParseError{f->pos, "unknown filter '" + f->name + "'"};
                f->args.push_back(std::move(e));
                if (isOp("("))
                    parseCallArgs(*f);
                e = std::move(f);
            } else if (!filterOnly && isName("is")) {
                auto t = make(Expr::Kind::Test, peek().pos);
                next();
                if (isName("not")) {
                    next();
                    t->negated = true;
                }
                if (isName("none") || isName("true") || isName("false") || isName("in"))
                    t->name = next().text;
                else
                    t->name = expectName();
                if (!isKnownTest(t->name))
                    throw ParseError{t->pos, "unknown test '" + t->name + "'"};
                t->args.push_back(std::move(e));
                if (isOp("(")) {
                    parseCallArgs(*t);
                } else {
                    const Token& a = peek();
                    const bool startsArg = a.type == T::String || a.type == T::Int || a.type == T::Float ||
                                           (a.type == T::Op && (a.text == "[" || a.text == "{")) ||
                                           (a.type == T::Name && a.text != "else" && a.text != "or" && a.text != "and" &&
                                            a.text != "if" && a.text != "is" && a.text != "in" && a.text != "not");
                    if (startsArg)
                        t->args.push_back(parsePostfix(parsePrimary()));
                }
                e = std::move(t);
            } else if (!filterOnly && isOp("(") && e->kind == Expr::Kind::Filter) {
                auto call = make(Expr::Kind::Call, e->pos);
                call->args.push_back(std::move(e));
                parseCallArgs(*call);
                e = std::move(call);
            } else {
                return e;
            }
        }
    }

    std::vector<Token> m_t;
    std::size_t m_i = 0;
    int m_depth = 0;
    int m_loopDepth = 0;
};

std::string normalise(std::string_view source)
{
    std::string s;
    s.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            s += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n')
                ++i;
        } else {
            s += source[i];
        }
    }
    if (!s.empty() && s.back() == '\n')
        s.pop_back();
    return s;
}

} // namespace

std::string Program::where(std::size_t pos) const
{
    pos = std::min(pos, source.size());
    std::size_t line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < pos; ++i)
        if (source[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    const std::size_t column = codePointCount(std::string_view(source).substr(lineStart, pos - lineStart)) + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Result<std::shared_ptr<const Program>> parseTemplate(std::string_view source)
{
    auto program = std::make_shared<Program>();
    program->source = normalise(source);
    try {
        Lexer lexer(program->source);
        Parser parser(lexer.run());
        program->body = parser.parseAll();
    } catch (const ParseError& e) {
        return Error{"chat template syntax error at " + program->where(e.pos) + ": " + e.message};
    } catch (const std::bad_alloc&) {
        return Error{"chat template too large to parse: out of memory"};
    }
    return std::shared_ptr<const Program>(std::move(program));
}

} // namespace outpost::inference::chat::detail
