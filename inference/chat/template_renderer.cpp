// Renders a parsed chat template with Python/Jinja2 semantics. Errors are
// thrown as RenderError inside this file only and turned into a Result at
// renderProgram(); nothing escapes.
//
// Invariants that bound a render (RenderLimits):
// - every statement, expression and loop iteration calls tick(): maxSteps;
// - every string or list this file creates calls charge() with its size
//   (maxAllocatedBytes), and no single string grows past maxOutputBytes;
// - exec() and eval() hold a DepthGuard: maxDepth, so no stack overflow;
// - macro calls are counted separately: maxMacroCallDepth.
#include "inference/chat/template_renderer.h"

#include "inference/chat/py_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <unordered_map>

namespace outpost::inference::chat::detail {

struct RenderError {
    std::size_t pos;
    std::string message;
};

class Renderer;

struct Args {
    std::vector<Value> pos;
    std::vector<std::pair<std::string, Value>> kw;

    // Python argument binding: the i-th positional argument or keyword `name`.
    const Value* find(std::size_t i, std::string_view name) const
    {
        if (i < pos.size())
            return &pos[i];
        for (const auto& [k, v] : kw)
            if (k == name)
                return &v;
        return nullptr;
    }
    Value get(std::size_t i, std::string_view name, Value fallback = {}) const
    {
        const Value* v = find(i, name);
        return v ? *v : fallback;
    }
};

struct Callable {
    std::string name;
    std::function<Value(Renderer&, Args&, std::size_t)> fn;
};

namespace {

const std::set<std::string, std::less<>>& filterNames()
{
    static const std::set<std::string, std::less<>> names = {
        "abs", "attr", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "indent", "int",
        "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
        "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim",
        "unique", "upper", "wordcount", "dictsort"};
    return names;
}

const std::set<std::string, std::less<>>& testNames()
{
    static const std::set<std::string, std::less<>> names = {
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "even", "false", "float", "ge", ">=",
        "gt", "greaterthan", ">", "in", "integer", "iterable", "le", "<=", "lower", "lt", "lessthan", "<", "mapping",
        "ne", "!=", "none", "number", "odd", "sameas", "sequence", "string", "true", "undefined", "upper"};
    return names;
}

const char* typeName(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return "undefined";
    case Value::Kind::None: return "NoneType";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "str";
    case Value::Kind::Array: return "list";
    case Value::Kind::Object: return "dict";
    case Value::Kind::Callable: return "function";
    }
    return "?";
}

bool isPySpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

std::string asciiLower(std::string s)
{
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}
std::string asciiUpper(std::string s)
{
    for (char& c : s)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return s;
}
bool isAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }

std::string pyStrip(std::string_view s, const Value& chars, bool left, bool right)
{
    auto strip = [&](unsigned char c) {
        if (chars.isString())
            return chars.asString().find(static_cast<char>(c)) != std::string::npos;
        return isPySpace(c);
    };
    std::size_t b = 0;
    std::size_t e = s.size();
    if (left)
        while (b < e && strip(static_cast<unsigned char>(s[b])))
            ++b;
    if (right)
        while (e > b && strip(static_cast<unsigned char>(s[e - 1])))
            --e;
    return std::string(s.substr(b, e - b));
}

// Python's sequence index: negative counts from the end; nullopt when out of range.
std::optional<std::size_t> pyIndex(std::int64_t i, std::size_t size)
{
    const auto n = static_cast<std::int64_t>(size);
    if (i < 0)
        i += n;
    if (i < 0 || i >= n)
        return std::nullopt;
    return static_cast<std::size_t>(i);
}

const char* kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"};

int weekday(int y, int m, int d) // 0 = Sunday
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return ((y + y / 4 - y / 100 + y / 400 + t[(m - 1) % 12] + d) % 7 + 7) % 7;
}

int dayOfYear(int y, int m, int d)
{
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return cum[(m - 1) % 12] + d + (leap && m > 2 ? 1 : 0);
}

// strftime in the C locale (English names), as Python prints with its
// default LC_TIME; independent of the process locale Qt may set.
std::string strftimeC(std::string_view fmt, const DateTime& t)
{
    std::string out;
    auto num = [&](int v, int width, bool pad) {
        std::string s = std::to_string(v);
        if (pad)
            while (static_cast<int>(s.size()) < width)
                s.insert(s.begin(), '0');
        out += s;
    };
    const int month = std::clamp(t.month, 1, 12);
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 >= fmt.size()) {
            out += fmt[i];
            continue;
        }
        char c = fmt[++i];
        bool pad = true;
        if (c == '-' && i + 1 < fmt.size()) {
            pad = false;
            c = fmt[++i];
        }
        const int hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
        switch (c) {
        case 'a': out += std::string(kWeekdays[weekday(t.year, month, t.day)]).substr(0, 3); break;
        case 'A': out += kWeekdays[weekday(t.year, month, t.day)]; break;
        case 'b':
        case 'h': out += std::string(kMonths[month - 1]).substr(0, 3); break;
        case 'B': out += kMonths[month - 1]; break;
        case 'd': num(t.day, 2, pad); break;
        case 'e': {
            std::string s = std::to_string(t.day);
            out += (pad && s.size() < 2 ? " " : "") + s;
            break;
        }
        case 'm': num(month, 2, pad); break;
        case 'Y': num(t.year, 4, pad); break;
        case 'y': num(t.year % 100, 2, pad); break;
        case 'H': num(t.hour, 2, pad); break;
        case 'I': num(hour12, 2, pad); break;
        case 'M': num(t.minute, 2, pad); break;
        case 'S': num(t.second, 2, pad); break;
        case 'p': out += t.hour < 12 ? "AM" : "PM"; break;
        case 'j': num(dayOfYear(t.year, month, t.day), 3, pad); break;
        case 'w': num(weekday(t.year, month, t.day), 1, pad); break;
        case 'u': {
            int w = weekday(t.year, month, t.day);
            num(w == 0 ? 7 : w, 1, pad);
            break;
        }
        case 'F': out += strftimeC("%Y-%m-%d", t); break;
        case 'T': out += strftimeC("%H:%M:%S", t); break;
        case 'D': out += strftimeC("%m/%d/%y", t); break;
        case 'R': out += strftimeC("%H:%M", t); break;
        case 'Z':
        case 'z': break;
        case '%': out += '%'; break;
        default:
            out += '%';
            out += c;
        }
    }
    return out;
}

} // namespace

class Renderer {
public:
    Renderer(const Program& program, const RenderLimits& limits, const DateTime& now)
        : m_program(program), m_limits(limits), m_now(now)
    {
        addGlobal("raise_exception", [](Renderer& r, Args& a, std::size_t pos) -> Value {
            r.fail(pos, a.pos.empty() ? std::string("raise_exception called") : pyStr(a.pos[0]));
        });
        addGlobal("strftime_now", [](Renderer& r, Args& a, std::size_t pos) -> Value {
            const Value f = a.get(0, "format");
            if (!f.isString())
                r.fail(pos, "strftime_now() needs a format string");
            return r.makeString(strftimeC(f.asString(), r.m_now), pos);
        });
        addGlobal("namespace", [](Renderer& r, Args& a, std::size_t pos) -> Value {
            Value ns = Value::object();
            ns.mutableObject().isNamespace = true;
            for (const auto& p : a.pos) {
                if (!p.isObject())
                    r.fail(pos, "namespace() takes keyword arguments or a dict");
                for (const auto& [k, v] : p.asObject().entries)
                    ns.set(k, v);
            }
            for (const auto& [k, v] : a.kw)
                ns.set(k, v);
            return ns;
        });
        addGlobal("dict", [](Renderer&, Args& a, std::size_t) -> Value {
            Value d = Value::object();
            for (const auto& [k, v] : a.kw)
                d.set(k, v);
            return d;
        });
        addGlobal("range", [](Renderer& r, Args& a, std::size_t pos) -> Value {
            std::int64_t start = 0, stop = 0, step = 1;
            for (const auto& v : a.pos)
                if (!v.isInt() && !v.isBool())
                    r.fail(pos, std::string("range() needs integers, got ") + typeName(v));
            if (a.pos.size() == 1) {
                stop = a.pos[0].asInt();
            } else if (a.pos.size() >= 2) {
                start = a.pos[0].asInt();
                stop = a.pos[1].asInt();
                if (a.pos.size() >= 3)
                    step = a.pos[2].asInt();
            } else {
                r.fail(pos, "range() needs 1 to 3 arguments");
            }
            if (step == 0)
                r.fail(pos, "range() step must not be zero");
            Value out = Value::array();
            for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
                r.tick(pos);
                r.charge(sizeof(Value), pos);
                out.push(Value(i));
                if (__builtin_add_overflow(i, step, &i))
                    break;
                i -= step;
            }
            return out;
        });
    }

    std::string run(const Value& variables)
    {
        m_frames.emplace_back();
        if (variables.isObject())
            for (const auto& [k, v] : variables.asObject().entries)
                m_frames[0][k] = v;
        std::string out;
        exec(m_program.body, out);
        return out;
    }

    [[noreturn]] void fail(std::size_t pos, std::string message) { throw RenderError{pos, std::move(message)}; }

    void tick(std::size_t pos)
    {
        if (++m_steps > m_limits.maxSteps)
            fail(pos, "template ran more than " + std::to_string(m_limits.maxSteps) + " steps (RenderLimits::maxSteps)");
    }
    void charge(std::size_t bytes, std::size_t pos)
    {
        m_allocated += bytes;
        if (m_allocated > m_limits.maxAllocatedBytes)
            fail(pos, "template allocated more than " + std::to_string(m_limits.maxAllocatedBytes) +
                          " bytes (RenderLimits::maxAllocatedBytes)");
    }
    void checkSize(std::size_t bytes, std::size_t pos)
    {
        if (bytes > m_limits.maxOutputBytes)
            fail(pos, "string longer than " + std::to_string(m_limits.maxOutputBytes) + " bytes (RenderLimits::maxOutputBytes)");
    }
    Value makeString(std::string s, std::size_t pos)
    {
        checkSize(s.size(), pos);
        charge(s.size(), pos);
        return Value(std::move(s));
    }

    Value callMacro(const Stmt& macro, Args& args, std::size_t pos)
    {
        if (m_macroDepth >= m_limits.maxMacroCallDepth)
            fail(pos, "macro calls nest deeper than " + std::to_string(m_limits.maxMacroCallDepth));
        if (args.pos.size() > macro.names.size())
            fail(pos, "macro '" + macro.text + "' takes " + std::to_string(macro.names.size()) + " arguments, got " +
                          std::to_string(args.pos.size()));
        for (const auto& [k, v] : args.kw)
            if (std::find(macro.names.begin(), macro.names.end(), k) == macro.names.end())
                fail(pos, "macro '" + macro.text + "' has no parameter '" + k + "'");
        const std::size_t savedBase = m_base;
        ++m_macroDepth;
        m_frames.emplace_back();
        m_base = m_frames.size() - 1;
        struct Restore {
            Renderer& r;
            std::size_t base;
            ~Restore()
            {
                r.m_frames.pop_back();
                r.m_base = base;
                --r.m_macroDepth;
            }
        } restore{*this, savedBase};
        for (std::size_t i = 0; i < macro.names.size(); ++i) {
            const Value* v = args.find(i, macro.names[i]);
            if (v)
                m_frames.back()[macro.names[i]] = *v;
            else if (macro.defaults[i])
                m_frames.back()[macro.names[i]] = eval(*macro.defaults[i]);
            else
                m_frames.back()[macro.names[i]] = Value();
        }
        std::string out;
        exec(macro.bodies[0], out);
        return makeString(std::move(out), pos);
    }

private:
    enum class Flow { Normal, Break, Continue };
    using Frame = std::unordered_map<std::string, Value>;

    struct DepthGuard {
        Renderer& r;
        DepthGuard(Renderer& renderer, std::size_t pos) : r(renderer)
        {
            if (++r.m_depth > r.m_limits.maxDepth) {
                --r.m_depth;
                r.fail(pos, "template evaluation nests deeper than " + std::to_string(r.m_limits.maxDepth) + " levels");
            }
        }
        ~DepthGuard() { --r.m_depth; }
    };
    struct FrameGuard {
        Renderer& r;
        explicit FrameGuard(Renderer& renderer) : r(renderer) { r.m_frames.emplace_back(); }
        ~FrameGuard() { r.m_frames.pop_back(); }
    };

    void addGlobal(const std::string& name, std::function<Value(Renderer&, Args&, std::size_t)> fn)
    {
        m_globals[name] = Value::callable(std::make_shared<const Callable>(Callable{name, std::move(fn)}));
    }

    Value lookup(const std::string& name) const
    {
        for (std::size_t i = m_frames.size(); i-- > m_base;) {
            auto it = m_frames[i].find(name);
            if (it != m_frames[i].end())
                return it->second;
        }
        if (m_base > 0) {
            auto it = m_frames[0].find(name);
            if (it != m_frames[0].end())
                return it->second;
        }
        auto it = m_globals.find(name);
        return it != m_globals.end() ? it->second : Value();
    }

    void assign(const std::string& name, Value v) { m_frames.back()[name] = std::move(v); }

    void append(std::string& out, std::string_view s, std::size_t pos)
    {
        checkSize(out.size() + s.size(), pos);
        charge(s.size(), pos);
        out += s;
    }

    // ---- statements ----

    Flow exec(const Body& body, std::string& out)
    {
        for (const auto& st : body) {
            const Flow f = execStmt(*st, out);
            if (f != Flow::Normal)
                return f;
        }
        return Flow::Normal;
    }

    Flow execStmt(const Stmt& st, std::string& out)
    {
        DepthGuard guard(*this, st.pos);
        tick(st.pos);
        switch (st.kind) {
        case Stmt::Kind::Text: append(out, st.text, st.pos); return Flow::Normal;
        case Stmt::Kind::Output: {
            const Value v = eval(*st.exprs[0]);
            if (v.isString())
                append(out, v.asString(), st.pos);
            else
                append(out, pyStr(v), st.pos);
            return Flow::Normal;
        }
        case Stmt::Kind::If:
            for (std::size_t i = 0; i < st.exprs.size(); ++i)
                if (eval(*st.exprs[i]).truthy())
                    return exec(st.bodies[i], out);
            if (st.bodies.size() > st.exprs.size())
                return exec(st.bodies.back(), out);
            return Flow::Normal;
        case Stmt::Kind::For: return execFor(st, out);
        case Stmt::Kind::Set: {
            Value v = eval(*st.exprs[0]);
            if (!st.attr.empty()) {
                Value target = lookup(st.names[0]);
                if (!target.isObject() || !target.asObject().isNamespace)
                    fail(st.pos, "cannot assign attribute '" + st.attr + "' of '" + st.names[0] + "': not a namespace()");
                target.mutableObject().set(st.attr, std::move(v));
            } else {
                bindTargets(st.names, v, st.pos);
            }
            return Flow::Normal;
        }
        case Stmt::Kind::SetBlock: {
            std::string captured;
            {
                FrameGuard frame(*this);
                exec(st.bodies[0], captured);
            }
            assign(st.names[0], Value(std::move(captured)));
            return Flow::Normal;
        }
        case Stmt::Kind::Macro: {
            const Stmt* macro = &st;
            assign(st.text, Value::callable(std::make_shared<const Callable>(Callable{
                                st.text, [macro](Renderer& r, Args& a, std::size_t pos) { return r.callMacro(*macro, a, pos); }})));
            return Flow::Normal;
        }
        case Stmt::Kind::Break: return Flow::Break;
        case Stmt::Kind::Continue: return Flow::Continue;
        case Stmt::Kind::FilterBlock: {
            std::string captured;
            Value result;
            {
                FrameGuard frame(*this);
                exec(st.bodies[0], captured);
                assign(kFilterBodyName, Value(std::move(captured)));
                result = eval(*st.exprs[0]);
            }
            append(out, pyStr(result), st.pos);
            return Flow::Normal;
        }
        case Stmt::Kind::Scope: return exec(st.bodies[0], out);
        }
        return Flow::Normal;
    }

    void bindTargets(const std::vector<std::string>& names, const Value& v, std::size_t pos)
    {
        if (names.size() == 1) {
            assign(names[0], v);
            return;
        }
        const std::vector<Value> items = iterate(v, pos);
        if (items.size() != names.size())
            fail(pos, "cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(names.size()) + " names");
        for (std::size_t i = 0; i < names.size(); ++i)
            assign(names[i], items[i]);
    }

    Flow execFor(const Stmt& st, std::string& out)
    {
        const std::vector<Value> all = iterate(eval(*st.exprs[0]), st.pos);
        FrameGuard frame(*this);
        std::vector<Value> items;
        if (st.exprs[1]) {
            for (const auto& item : all) {
                tick(st.pos);
                bindTargets(st.names, item, st.pos);
                if (eval(*st.exprs[1]).truthy())
                    items.push_back(item);
            }
        } else {
            items = all;
        }
        const auto n = static_cast<std::int64_t>(items.size());
        for (std::int64_t i = 0; i < n; ++i) {
            tick(st.pos);
            const auto& item = items[static_cast<std::size_t>(i)];
            bindTargets(st.names, item, st.pos);
            Value loop = Value::object();
            loop.set("index", Value(i + 1));
            loop.set("index0", Value(i));
            loop.set("revindex", Value(n - i));
            loop.set("revindex0", Value(n - i - 1));
            loop.set("first", Value(i == 0));
            loop.set("last", Value(i == n - 1));
            loop.set("length", Value(n));
            loop.set("depth", Value(1));
            loop.set("depth0", Value(0));
            loop.set("previtem", i > 0 ? items[static_cast<std::size_t>(i - 1)] : Value());
            loop.set("nextitem", i + 1 < n ? items[static_cast<std::size_t>(i + 1)] : Value());
            loop.set("cycle", Value::callable(std::make_shared<const Callable>(Callable{
                                  "loop.cycle", [i](Renderer& r, Args& a, std::size_t pos) -> Value {
                                      if (a.pos.empty())
                                          r.fail(pos, "loop.cycle() needs at least one argument");
                                      return a.pos[static_cast<std::size_t>(i) % a.pos.size()];
                                  }})));
            assign("loop", loop);
            const Flow f = exec(st.bodies[0], out);
            if (f == Flow::Break)
                break;
        }
        if (n == 0 && st.bodies.size() > 1)
            return exec(st.bodies[1], out);
        return Flow::Normal;
    }

    std::vector<Value> iterate(const Value& v, std::size_t pos)
    {
        std::vector<Value> items;
        switch (v.kind()) {
        case Value::Kind::Undefined: break;
        case Value::Kind::Array: items = v.asArray(); break;
        case Value::Kind::Object:
            for (const auto& [k, val] : v.asObject().entries)
                items.emplace_back(k);
            break;
        case Value::Kind::String: {
            const auto& s = v.asString();
            const auto offs = codePointOffsets(s);
            for (std::size_t i = 0; i + 1 < offs.size(); ++i)
                items.emplace_back(s.substr(offs[i], offs[i + 1] - offs[i]));
            break;
        }
        default: fail(pos, std::string("'") + typeName(v) + "' object is not iterable");
        }
        charge(items.size() * sizeof(Value), pos);
        return items;
    }

    // ---- expressions ----

    Value eval(const Expr& e)
    {
        DepthGuard guard(*this, e.pos);
        tick(e.pos);
        switch (e.kind) {
        case Expr::Kind::Literal: return e.literal;
        case Expr::Kind::Name: return lookup(e.name);
        case Expr::Kind::Attr: {
            const Value obj = eval(*e.args[0]);
            if (obj.isUndefined())
                fail(e.pos, undefinedMessage(*e.args[0]) + " (reading '." + e.name + "')");
            return getAttr(obj, e.name);
        }
        case Expr::Kind::Item: {
            const Value obj = eval(*e.args[0]);
            const Value key = eval(*e.args[1]);
            if (obj.isUndefined())
                fail(e.pos, undefinedMessage(*e.args[0]) + " (reading [" + pyRepr(key) + "])");
            return getItem(obj, key);
        }
        case Expr::Kind::Slice: return evalSlice(e);
        case Expr::Kind::Call: {
            const Value callee = eval(*e.args[0]);
            Args args = evalArgs(e, 1);
            if (!callee.isCallable()) {
                if (callee.isUndefined())
                    fail(e.pos, undefinedMessage(*e.args[0]) + " (called as a function)");
                fail(e.pos, std::string("'") + typeName(callee) + "' object is not callable");
            }
            return callee.asCallable().fn(*this, args, e.pos);
        }
        case Expr::Kind::Filter: {
            Value subject = eval(*e.args[0]);
            Args args = evalArgs(e, 1);
            return applyFilter(e.name, subject, args, e.pos);
        }
        case Expr::Kind::Test: {
            const Value subject = eval(*e.args[0]);
            Args args = evalArgs(e, 1);
            const bool r = applyTest(e.name, subject, args, e.pos);
            return Value(e.negated ? !r : r);
        }
        case Expr::Kind::Not: return Value(!eval(*e.args[0]).truthy());
        case Expr::Kind::Neg:
        case Expr::Kind::Pos: {
            const Value v = eval(*e.args[0]);
            if (v.isInt() || v.isBool()) {
                if (e.kind == Expr::Kind::Pos)
                    return Value(v.asInt());
                if (v.asInt() == std::numeric_limits<std::int64_t>::min())
                    fail(e.pos, "integer overflow");
                return Value(-v.asInt());
            }
            if (v.isFloat())
                return Value(e.kind == Expr::Kind::Neg ? -v.asDouble() : v.asDouble());
            fail(e.pos, std::string("bad operand type for unary ") + (e.kind == Expr::Kind::Neg ? "-" : "+") + ": '" + typeName(v) + "'");
        }
        case Expr::Kind::And: {
            Value l = eval(*e.args[0]);
            return l.truthy() ? eval(*e.args[1]) : l;
        }
        case Expr::Kind::Or: {
            Value l = eval(*e.args[0]);
            return l.truthy() ? l : eval(*e.args[1]);
        }
        case Expr::Kind::Binary: return binary(e.name, eval(*e.args[0]), eval(*e.args[1]), e.pos);
        case Expr::Kind::Compare: {
            Value left = eval(*e.args[0]);
            for (std::size_t i = 0; i < e.ops.size(); ++i) {
                Value right = eval(*e.args[i + 1]);
                if (!compare(e.ops[i], left, right, e.pos))
                    return Value(false);
                left = std::move(right);
            }
            return Value(true);
        }
        case Expr::Kind::Cond:
            if (eval(*e.args[1]).truthy())
                return eval(*e.args[0]);
            return e.args[2] ? eval(*e.args[2]) : Value();
        case Expr::Kind::List:
        case Expr::Kind::Tuple: {
            Value out = Value::array();
            for (const auto& a : e.args)
                out.push(eval(*a));
            charge(e.args.size() * sizeof(Value), e.pos);
            return out;
        }
        case Expr::Kind::Dict: {
            Value out = Value::object();
            for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
                const Value k = eval(*e.args[i]);
                out.set(pyStr(k), eval(*e.args[i + 1]));
            }
            charge(e.args.size() * sizeof(Value), e.pos);
            return out;
        }
        }
        fail(e.pos, "unsupported expression");
    }

    static std::string undefinedMessage(const Expr& e)
    {
        if (e.kind == Expr::Kind::Name)
            return "'" + e.name + "' is undefined";
        if (e.kind == Expr::Kind::Attr)
            return "'" + e.name + "' is undefined";
        return "value is undefined";
    }

    Args evalArgs(const Expr& e, std::size_t first)
    {
        Args a;
        for (std::size_t i = first; i < e.args.size(); ++i)
            a.pos.push_back(eval(*e.args[i]));
        for (const auto& [k, v] : e.kwargs)
            a.kw.emplace_back(k, eval(*v));
        return a;
    }

    Value method(const Value& self, std::string name)
    {
        return Value::callable(std::make_shared<const Callable>(Callable{
            name, [self, name](Renderer& r, Args& a, std::size_t pos) { return r.callMethod(self, name, a, pos); }}));
    }

    static bool isStringMethod(std::string_view n)
    {
        static const std::set<std::string, std::less<>> names = {
            "strip", "lstrip", "rstrip", "split", "startswith", "endswith", "upper", "lower", "title", "capitalize",
            "replace", "find", "count", "join", "splitlines", "isdigit", "isalpha", "isspace"};
        return names.count(n) > 0;
    }
    static bool isDictMethod(std::string_view n) { return n == "items" || n == "keys" || n == "values" || n == "get"; }

    // Jinja2's getattr for `a.b`: Python attributes (methods) first, then items.
    Value getAttr(const Value& obj, const std::string& name)
    {
        if (obj.isObject()) {
            if (!obj.asObject().isNamespace && isDictMethod(name))
                return method(obj, name);
            const Value* v = obj.get(name);
            return v ? *v : Value();
        }
        if (obj.isString() && isStringMethod(name))
            return method(obj, name);
        return Value();
    }

    // Jinja2's getitem for `a[b]`: items first, then attributes for string keys.
    Value getItem(const Value& obj, const Value& key)
    {
        if (obj.isArray() && (key.isInt() || key.isBool())) {
            const auto idx = pyIndex(key.asInt(), obj.asArray().size());
            return idx ? obj.asArray()[*idx] : Value();
        }
        if (obj.isString() && (key.isInt() || key.isBool())) {
            const auto& s = obj.asString();
            const auto offs = codePointOffsets(s);
            const auto idx = pyIndex(key.asInt(), offs.size() - 1);
            return idx ? Value(s.substr(offs[*idx], offs[*idx + 1] - offs[*idx])) : Value();
        }
        if (obj.isObject() && key.isString()) {
            if (const Value* v = obj.get(key.asString()))
                return *v;
        }
        if (key.isString())
            return getAttr(obj, key.asString());
        return Value();
    }

    Value evalSlice(const Expr& e)
    {
        const Value obj = eval(*e.args[0]);
        auto opt = [&](const ExprPtr& x) -> std::optional<std::int64_t> {
            if (!x)
                return std::nullopt;
            const Value v = eval(*x);
            if (v.isNone())
                return std::nullopt;
            if (!v.isInt() && !v.isBool())
                fail(x->pos, "slice indices must be integers or none");
            return v.asInt();
        };
        const auto start = opt(e.args[1]);
        const auto stop = opt(e.args[2]);
        const auto step = opt(e.args[3]).value_or(1);
        if (step == 0)
            fail(e.pos, "slice step cannot be zero");
        auto indices = [&](std::size_t size) {
            const auto n = static_cast<std::int64_t>(size);
            auto norm = [&](std::optional<std::int64_t> x, std::int64_t dflt) {
                if (!x)
                    return dflt;
                std::int64_t v = *x < 0 ? *x + n : *x;
                if (step > 0)
                    return std::clamp<std::int64_t>(v, 0, n);
                return std::clamp<std::int64_t>(v, -1, n - 1);
            };
            const std::int64_t b = norm(start, step > 0 ? 0 : n - 1);
            const std::int64_t en = norm(stop, step > 0 ? n : -1);
            std::vector<std::size_t> out;
            for (std::int64_t i = b; step > 0 ? i < en : i > en; i += step)
                out.push_back(static_cast<std::size_t>(i));
            return out;
        };
        if (obj.isArray()) {
            Value out = Value::array();
            for (std::size_t i : indices(obj.asArray().size()))
                out.push(obj.asArray()[i]);
            charge(out.asArray().size() * sizeof(Value), e.pos);
            return out;
        }
        if (obj.isString()) {
            const auto& s = obj.asString();
            const auto offs = codePointOffsets(s);
            std::string out;
            for (std::size_t i : indices(offs.size() - 1))
                out.append(s, offs[i], offs[i + 1] - offs[i]);
            return makeString(std::move(out), e.pos);
        }
        if (obj.isUndefined())
            fail(e.pos, undefinedMessage(*e.args[0]) + " (sliced)");
        fail(e.pos, std::string("'") + typeName(obj) + "' object cannot be sliced");
    }

    [[noreturn]] void typeError(const std::string& op, const Value& a, const Value& b, std::size_t pos)
    {
        if (a.isUndefined() || b.isUndefined())
            fail(pos, "undefined value used with '" + op + "'");
        fail(pos, "unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    Value binary(const std::string& op, const Value& a, const Value& b, std::size_t pos)
    {
        if (op == "~") {
            std::string s = pyStr(a);
            checkSize(s.size() + pyStr(b).size(), pos);
            s += pyStr(b);
            return makeString(std::move(s), pos);
        }
        const bool ints = (a.isInt() || a.isBool()) && (b.isInt() || b.isBool());
        const bool nums = a.isNumber() && b.isNumber();
        if (op == "+") {
            if (a.isString() && b.isString()) {
                checkSize(a.asString().size() + b.asString().size(), pos);
                return makeString(a.asString() + b.asString(), pos);
            }
            if (a.isArray() && b.isArray()) {
                Value::Array out = a.asArray();
                out.insert(out.end(), b.asArray().begin(), b.asArray().end());
                charge(out.size() * sizeof(Value), pos);
                return Value(std::move(out));
            }
            if (ints) {
                std::int64_t r;
                if (__builtin_add_overflow(a.asInt(), b.asInt(), &r))
                    fail(pos, "integer overflow");
                return Value(r);
            }
            if (nums)
                return Value(a.asDouble() + b.asDouble());
            typeError(op, a, b, pos);
        }
        if (op == "-") {
            if (ints) {
                std::int64_t r;
                if (__builtin_sub_overflow(a.asInt(), b.asInt(), &r))
                    fail(pos, "integer overflow");
                return Value(r);
            }
            if (nums)
                return Value(a.asDouble() - b.asDouble());
            typeError(op, a, b, pos);
        }
        if (op == "*") {
            if (ints) {
                std::int64_t r;
                if (__builtin_mul_overflow(a.asInt(), b.asInt(), &r))
                    fail(pos, "integer overflow");
                return Value(r);
            }
            if (nums)
                return Value(a.asDouble() * b.asDouble());
            const Value* seq = a.isString() || a.isArray() ? &a : &b;
            const Value* count = seq == &a ? &b : &a;
            if ((seq->isString() || seq->isArray()) && (count->isInt() || count->isBool())) {
                const std::int64_t n = std::max<std::int64_t>(0, count->asInt());
                if (seq->isString()) {
                    const std::size_t len = seq->asString().size();
                    if (len && static_cast<std::uint64_t>(n) > m_limits.maxOutputBytes / len)
                        checkSize(m_limits.maxOutputBytes + 1, pos);
                    std::string out;
                    for (std::int64_t i = 0; i < n; ++i)
                        out += seq->asString();
                    return makeString(std::move(out), pos);
                }
                const std::size_t len = seq->asArray().size();
                if (len && static_cast<std::uint64_t>(n) > (m_limits.maxAllocatedBytes / sizeof(Value)) / len)
                    charge(m_limits.maxAllocatedBytes + 1, pos);
                Value::Array out;
                for (std::int64_t i = 0; i < n; ++i)
                    out.insert(out.end(), seq->asArray().begin(), seq->asArray().end());
                charge(out.size() * sizeof(Value), pos);
                return Value(std::move(out));
            }
            typeError(op, a, b, pos);
        }
        if (op == "/") {
            if (!nums)
                typeError(op, a, b, pos);
            if (b.asDouble() == 0.0)
                fail(pos, "division by zero");
            return Value(a.asDouble() / b.asDouble());
        }
        if (op == "//" || op == "%") {
            if (!nums)
                typeError(op, a, b, pos);
            if (ints) {
                const std::int64_t x = a.asInt();
                const std::int64_t y = b.asInt();
                if (y == 0)
                    fail(pos, "integer division or modulo by zero");
                if (x == std::numeric_limits<std::int64_t>::min() && y == -1)
                    fail(pos, "integer overflow");
                std::int64_t q = x / y;
                std::int64_t r = x % y;
                if (r != 0 && ((r < 0) != (y < 0))) {
                    q -= 1;
                    r += y;
                }
                return Value(op == "//" ? q : r);
            }
            const double x = a.asDouble();
            const double y = b.asDouble();
            if (y == 0.0)
                fail(pos, "float division or modulo by zero");
            if (op == "//")
                return Value(std::floor(x / y));
            double r = std::fmod(x, y);
            if (r != 0 && ((r < 0) != (y < 0)))
                r += y;
            return Value(r);
        }
        if (op == "**") {
            if (!nums)
                typeError(op, a, b, pos);
            if (ints && b.asInt() >= 0) {
                std::int64_t r = 1;
                for (std::int64_t i = 0; i < b.asInt(); ++i) {
                    if (__builtin_mul_overflow(r, a.asInt(), &r))
                        fail(pos, "integer overflow");
                    if (r == 0 || r == 1)
                        break;
                    tick(pos);
                }
                return Value(r);
            }
            return Value(std::pow(a.asDouble(), b.asDouble()));
        }
        fail(pos, "unknown operator '" + op + "'");
    }

    int order(const Value& a, const Value& b, std::size_t pos)
    {
        if (a.isNumber() && b.isNumber()) {
            if (!a.isFloat() && !b.isFloat())
                return a.asInt() < b.asInt() ? -1 : a.asInt() > b.asInt() ? 1 : 0;
            return a.asDouble() < b.asDouble() ? -1 : a.asDouble() > b.asDouble() ? 1 : 0;
        }
        if (a.isString() && b.isString()) {
            const int c = a.asString().compare(b.asString());
            return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
        if (a.isArray() && b.isArray()) {
            const auto& x = a.asArray();
            const auto& y = b.asArray();
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
                tick(pos);
                if (!(x[i] == y[i]))
                    return order(x[i], y[i], pos);
            }
            return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
        }
        fail(pos, std::string("cannot compare '") + typeName(a) + "' with '" + typeName(b) + "'");
    }

    bool contains(const Value& container, const Value& item, std::size_t pos)
    {
        switch (container.kind()) {
        case Value::Kind::String:
            if (!item.isString())
                fail(pos, std::string("'in <string>' requires string as left operand, not ") + typeName(item));
            return container.asString().find(item.asString()) != std::string::npos;
        case Value::Kind::Array:
            for (const auto& v : container.asArray())
                if (v == item)
                    return true;
            return false;
        case Value::Kind::Object: return item.isString() && container.get(item.asString()) != nullptr;
        case Value::Kind::Undefined: return false;
        default: fail(pos, std::string("argument of type '") + typeName(container) + "' is not iterable");
        }
    }

    bool compare(const std::string& op, const Value& a, const Value& b, std::size_t pos)
    {
        if (op == "==")
            return a == b;
        if (op == "!=")
            return !(a == b);
        if (op == "in")
            return contains(b, a, pos);
        if (op == "notin")
            return !contains(b, a, pos);
        const int c = order(a, b, pos);
        if (op == "<")
            return c < 0;
        if (op == ">")
            return c > 0;
        if (op == "<=")
            return c <= 0;
        return c >= 0;
    }

public:
    // ---- methods of str and dict ----

    Value callMethod(const Value& self, const std::string& name, Args& a, std::size_t pos)
    {
        if (self.isObject()) {
            const auto& entries = self.asObject().entries;
            if (name == "get") {
                const Value key = a.get(0, "key");
                const Value* v = key.isString() ? self.get(key.asString()) : nullptr;
                return v ? *v : a.get(1, "default", Value::none());
            }
            Value out = Value::array();
            for (const auto& [k, v] : entries) {
                if (name == "items")
                    out.push(Value::array({Value(k), v}));
                else if (name == "keys")
                    out.push(Value(k));
                else
                    out.push(v);
            }
            charge(entries.size() * 2 * sizeof(Value), pos);
            return out;
        }
        const std::string& s = self.asString();
        auto strArg = [&](std::size_t i, std::string_view n) -> std::string {
            const Value v = a.get(i, n);
            if (!v.isString())
                fail(pos, "str." + name + "() needs a string argument");
            return v.asString();
        };
        if (name == "strip" || name == "lstrip" || name == "rstrip")
            return makeString(pyStrip(s, a.get(0, "chars"), name != "rstrip", name != "lstrip"), pos);
        if (name == "upper")
            return makeString(asciiUpper(s), pos);
        if (name == "lower")
            return makeString(asciiLower(s), pos);
        if (name == "title" || name == "capitalize")
            return makeString(name == "title" ? titleCase(s) : capitalize(s), pos);
        if (name == "startswith" || name == "endswith") {
            const Value arg = a.get(0, "prefix");
            std::vector<std::string> options;
            if (arg.isArray()) {
                for (const auto& v : arg.asArray())
                    if (v.isString())
                        options.push_back(v.asString());
            } else {
                options.push_back(strArg(0, "prefix"));
            }
            for (const auto& o : options) {
                const bool hit = name == "startswith" ? std::string_view(s).substr(0, o.size()) == o
                                                      : (s.size() >= o.size() && std::string_view(s).substr(s.size() - o.size()) == o);
                if (hit)
                    return Value(true);
            }
            return Value(false);
        }
        if (name == "split")
            return split(s, a.get(0, "sep", Value::none()), a.get(1, "maxsplit", Value(-1)), pos);
        if (name == "splitlines") {
            Value out = Value::array();
            std::size_t b = 0;
            for (std::size_t i = 0; i < s.size(); ++i)
                if (s[i] == '\n') {
                    out.push(Value(s.substr(b, i - b)));
                    b = i + 1;
                }
            if (b < s.size())
                out.push(Value(s.substr(b)));
            charge(s.size(), pos);
            return out;
        }
        if (name == "replace") {
            const Value count = a.get(2, "count", Value(-1));
            return replace(s, strArg(0, "old"), strArg(1, "new"), count.isInt() ? count.asInt() : -1, pos);
        }
        if (name == "find" || name == "count") {
            const std::string sub = strArg(0, "sub");
            if (name == "find") {
                const auto p = s.find(sub);
                return Value(p == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(codePointCount(std::string_view(s).substr(0, p))));
            }
            if (sub.empty())
                return Value(static_cast<std::int64_t>(codePointCount(s) + 1));
            std::int64_t n = 0;
            for (auto p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size()))
                ++n;
            return Value(n);
        }
        if (name == "join")
            return join(iterate(a.get(0, "iterable"), pos), s, pos);
        if (name == "isdigit" || name == "isalpha" || name == "isspace") {
            if (s.empty())
                return Value(false);
            for (unsigned char c : s) {
                const bool ok = name == "isdigit" ? (c >= '0' && c <= '9') : name == "isalpha" ? isAlpha(c) : isPySpace(c);
                if (!ok)
                    return Value(false);
            }
            return Value(true);
        }
        fail(pos, "unsupported method str." + name + "()");
    }

private:
    static std::string titleCase(const std::string& s)
    {
        std::string out = s;
        bool prevAlpha = false;
        for (char& c : out) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x80 && isAlpha(u)) {
                c = prevAlpha ? static_cast<char>(std::tolower(u)) : static_cast<char>(std::toupper(u));
                prevAlpha = true;
            } else {
                prevAlpha = u >= 0x80 ? prevAlpha : false;
            }
        }
        return out;
    }
    static std::string capitalize(const std::string& s)
    {
        std::string out = asciiLower(s);
        if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
            out[0] = static_cast<char>(out[0] - 'a' + 'A');
        return out;
    }

    Value split(const std::string& s, const Value& sep, const Value& maxsplitV, std::size_t pos)
    {
        std::int64_t maxsplit = maxsplitV.isInt() ? maxsplitV.asInt() : -1;
        Value out = Value::array();
        if (sep.isNone() || sep.isUndefined()) {
            std::size_t i = 0;
            while (i < s.size()) {
                while (i < s.size() && isPySpace(static_cast<unsigned char>(s[i])))
                    ++i;
                if (i >= s.size())
                    break;
                if (maxsplit == 0) {
                    std::size_t e = s.size();
                    while (e > i && isPySpace(static_cast<unsigned char>(s[e - 1])))
                        --e;
                    out.push(Value(s.substr(i, e - i)));
                    break;
                }
                std::size_t b = i;
                while (i < s.size() && !isPySpace(static_cast<unsigned char>(s[i])))
                    ++i;
                out.push(Value(s.substr(b, i - b)));
                --maxsplit;
            }
        } else {
            if (!sep.isString())
                fail(pos, "str.split() separator must be a string");
            const std::string& d = sep.asString();
            if (d.empty())
                fail(pos, "str.split(): empty separator");
            std::size_t b = 0;
            for (;;) {
                const auto p = maxsplit == 0 ? std::string::npos : s.find(d, b);
                if (p == std::string::npos) {
                    out.push(Value(s.substr(b)));
                    break;
                }
                out.push(Value(s.substr(b, p - b)));
                b = p + d.size();
                --maxsplit;
            }
        }
        charge(s.size() + out.asArray().size() * sizeof(Value), pos);
        return out;
    }

    Value replace(const std::string& s, const std::string& from, const std::string& to, std::int64_t count, std::size_t pos)
    {
        std::string out;
        if (from.empty()) {
            const auto offs = codePointOffsets(s);
            for (std::size_t i = 0; i + 1 < offs.size() + 1; ++i) {
                if (count < 0 || static_cast<std::int64_t>(i) < count)
                    out += to;
                if (i + 1 < offs.size())
                    out.append(s, offs[i], offs[i + 1] - offs[i]);
                checkSize(out.size(), pos);
            }
            return makeString(std::move(out), pos);
        }
        std::size_t b = 0;
        std::int64_t done = 0;
        for (auto p = s.find(from); p != std::string::npos && (count < 0 || done < count); p = s.find(from, b)) {
            out.append(s, b, p - b);
            out += to;
            checkSize(out.size(), pos);
            b = p + from.size();
            ++done;
        }
        out.append(s, b, std::string::npos);
        return makeString(std::move(out), pos);
    }

    Value join(const std::vector<Value>& items, const std::string& sep, std::size_t pos)
    {
        std::string out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += sep;
            out += pyStr(items[i]);
            checkSize(out.size(), pos);
        }
        return makeString(std::move(out), pos);
    }

    // Jinja2's attribute getter for filters: "a.b.0" walks items, then attributes.
    Value attrPath(const Value& item, const Value& path)
    {
        if (path.isInt())
            return getItem(item, path);
        Value cur = item;
        const std::string p = pyStr(path);
        std::size_t b = 0;
        for (;;) {
            const auto dot = p.find('.', b);
            const std::string part = p.substr(b, dot == std::string::npos ? std::string::npos : dot - b);
            std::int64_t idx = 0;
            const auto r = std::from_chars(part.data(), part.data() + part.size(), idx);
            if (!part.empty() && r.ec == std::errc() && r.ptr == part.data() + part.size())
                cur = getItem(cur, Value(idx));
            else
                cur = getItem(cur, Value(part));
            if (dot == std::string::npos)
                return cur;
            b = dot + 1;
        }
    }

    // ---- filters ----

    Value applyFilter(const std::string& name, const Value& v, Args& a, std::size_t pos)
    {
        if (name == "trim")
            return makeString(pyStrip(pyStr(v), a.get(0, "chars"), true, true), pos);
        if (name == "length" || name == "count") {
            switch (v.kind()) {
            case Value::Kind::String: return Value(static_cast<std::int64_t>(codePointCount(v.asString())));
            case Value::Kind::Array: return Value(static_cast<std::int64_t>(v.asArray().size()));
            case Value::Kind::Object: return Value(static_cast<std::int64_t>(v.asObject().entries.size()));
            case Value::Kind::Undefined: return Value(0);
            default: fail(pos, std::string("object of type '") + typeName(v) + "' has no len()");
            }
        }
        if (name == "tojson") {
            Value::JsonOptions opt;
            const Value indent = a.get(0, "indent");
            if (indent.isInt())
                opt.indent = static_cast<int>(std::clamp<std::int64_t>(indent.asInt(), 0, 64));
            const Value seps = a.get(99, "separators");
            if (seps.isArray() && seps.asArray().size() == 2 && seps.asArray()[0].isString() && seps.asArray()[1].isString()) {
                opt.itemSeparator = seps.asArray()[0].asString();
                opt.keySeparator = seps.asArray()[1].asString();
            }
            opt.sortKeys = a.get(99, "sort_keys").truthy();
            auto r = v.toJson(opt);
            if (!r)
                fail(pos, r.error());
            return makeString(std::move(r.value()), pos);
        }
        if (name == "items") {
            if (v.isUndefined())
                return Value::array();
            if (!v.isObject())
                fail(pos, std::string("items filter needs a dict, got '") + typeName(v) + "'");
            Args none;
            return callMethod(v, "items", none, pos);
        }
        if (name == "list") {
            return Value(iterate(v, pos));
        }
        if (name == "string")
            return v.isString() ? v : makeString(pyStr(v), pos);
        if (name == "join") {
            const Value attr = a.get(1, "attribute");
            std::vector<Value> items = iterate(v, pos);
            if (!attr.isUndefined() && !attr.isNone())
                for (auto& item : items)
                    item = attrPath(item, attr);
            const Value sep = a.get(0, "d", Value(""));
            return join(items, pyStr(sep), pos);
        }
        if (name == "upper")
            return makeString(asciiUpper(pyStr(v)), pos);
        if (name == "lower")
            return makeString(asciiLower(pyStr(v)), pos);
        if (name == "title")
            return makeString(titleCase(pyStr(v)), pos);
        if (name == "capitalize")
            return makeString(capitalize(pyStr(v)), pos);
        if (name == "replace") {
            const Value from = a.get(0, "old");
            const Value to = a.get(1, "new");
            const Value count = a.get(2, "count", Value(-1));
            return replace(pyStr(v), pyStr(from), pyStr(to), count.isInt() ? count.asInt() : -1, pos);
        }
        if (name == "default" || name == "d") {
            const bool boolean = a.get(1, "boolean").truthy();
            if (v.isUndefined() || (boolean && !v.truthy()))
                return a.get(0, "default_value", Value(""));
            return v;
        }
        if (name == "first" || name == "last") {
            const std::vector<Value> items = iterate(v, pos);
            if (items.empty())
                return Value();
            return name == "first" ? items.front() : items.back();
        }
        if (name == "reverse") {
            std::vector<Value> items = iterate(v, pos);
            std::reverse(items.begin(), items.end());
            if (v.isString()) {
                std::string out;
                for (const auto& c : items)
                    out += c.asString();
                return makeString(std::move(out), pos);
            }
            return Value(std::move(items));
        }
        if (name == "unique") {
            Value::Array out;
            for (const auto& item : iterate(v, pos)) {
                bool seen = false;
                for (const auto& o : out) {
                    tick(pos);
                    if (o == item) {
                        seen = true;
                        break;
                    }
                }
                if (!seen)
                    out.push_back(item);
            }
            return Value(std::move(out));
        }
        if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
            const bool attrMode = name == "selectattr" || name == "rejectattr";
            const bool keep = name == "select" || name == "selectattr";
            const std::size_t testIdx = attrMode ? 1 : 0;
            Args testArgs;
            for (std::size_t i = testIdx + 1; i < a.pos.size(); ++i)
                testArgs.pos.push_back(a.pos[i]);
            const Value test = testIdx < a.pos.size() ? a.pos[testIdx] : Value();
            if (!test.isUndefined() && !test.isString())
                fail(pos, name + ": the test name must be a string");
            if (test.isString() && !isKnownTest(test.asString()))
                fail(pos, "unknown test '" + test.asString() + "'");
            Value::Array out;
            for (const auto& item : iterate(v, pos)) {
                tick(pos);
                const Value subject = attrMode ? attrPath(item, a.get(0, "attribute")) : item;
                const bool r = test.isString() ? applyTest(test.asString(), subject, testArgs, pos) : subject.truthy();
                if (r == keep)
                    out.push_back(item);
            }
            return Value(std::move(out));
        }
        if (name == "map") {
            Value::Array out;
            if (const Value* attr = a.find(99, "attribute")) {
                const Value dflt = a.get(99, "default");
                for (const auto& item : iterate(v, pos)) {
                    Value r = attrPath(item, *attr);
                    out.push_back(r.isUndefined() && !dflt.isUndefined() ? dflt : r);
                }
                return Value(std::move(out));
            }
            if (a.pos.empty() || !a.pos[0].isString())
                fail(pos, "map needs a filter name or attribute=");
            const std::string filter = a.pos[0].asString();
            if (!isKnownFilter(filter))
                fail(pos, "unknown filter '" + filter + "'");
            Args rest;
            rest.pos.assign(a.pos.begin() + 1, a.pos.end());
            rest.kw = a.kw;
            for (const auto& item : iterate(v, pos)) {
                tick(pos);
                out.push_back(applyFilter(filter, item, rest, pos));
            }
            return Value(std::move(out));
        }
        if (name == "sort" || name == "dictsort") {
            const bool dict = name == "dictsort";
            std::vector<Value> items;
            if (dict) {
                if (!v.isObject())
                    fail(pos, "dictsort needs a dict");
                Args none;
                items = callMethod(v, "items", none, pos).asArray();
            } else {
                items = iterate(v, pos);
            }
            const bool reverse = a.get(dict ? 2 : 0, "reverse").truthy();
            const bool caseSensitive = a.get(dict ? 0 : 1, "case_sensitive").truthy();
            const Value attr = dict ? Value() : a.get(2, "attribute");
            const bool byValue = dict && pyStr(a.get(1, "by", Value("key"))) == "value";
            auto key = [&](const Value& item) -> Value {
                Value k = dict ? item.asArray()[byValue ? 1 : 0] : (attr.isUndefined() || attr.isNone() ? item : attrPath(item, attr));
                if (!caseSensitive && k.isString())
                    return Value(asciiLower(k.asString()));
                return k;
            };
            std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
                tick(pos);
                const int c = order(key(x), key(y), pos);
                return reverse ? c > 0 : c < 0;
            });
            return Value(std::move(items));
        }
        if (name == "int") {
            if (v.isInt() || v.isBool())
                return Value(v.asInt());
            if (v.isFloat() && std::isfinite(v.asDouble()) && std::fabs(v.asDouble()) < 9.2e18)
                return Value(static_cast<std::int64_t>(v.asDouble()));
            if (v.isString()) {
                const std::string s = pyStrip(v.asString(), Value(), true, true);
                std::int64_t i = 0;
                auto r = std::from_chars(s.data(), s.data() + s.size(), i);
                if (r.ec == std::errc() && r.ptr == s.data() + s.size())
                    return Value(i);
                double d = 0;
                auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
                if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::fabs(d) < 9.2e18)
                    return Value(static_cast<std::int64_t>(d));
            }
            return a.get(0, "default", Value(0));
        }
        if (name == "float") {
            if (v.isNumber())
                return Value(v.asDouble());
            if (v.isString()) {
                const std::string s = pyStrip(v.asString(), Value(), true, true);
                double d = 0;
                auto r = std::from_chars(s.data(), s.data() + s.size(), d);
                if (r.ec == std::errc() && r.ptr == s.data() + s.size())
                    return Value(d);
            }
            return a.get(0, "default", Value(0.0));
        }
        if (name == "abs") {
            if (v.isInt() || v.isBool()) {
                if (v.asInt() == std::numeric_limits<std::int64_t>::min())
                    fail(pos, "integer overflow");
                return Value(v.asInt() < 0 ? -v.asInt() : v.asInt());
            }
            if (v.isFloat())
                return Value(std::fabs(v.asDouble()));
            fail(pos, std::string("bad operand type for abs(): '") + typeName(v) + "'");
        }
        if (name == "round") {
            if (!v.isNumber())
                fail(pos, "round needs a number");
            const Value precV = a.get(0, "precision", Value(0));
            const double scale = std::pow(10.0, static_cast<double>(precV.isInt() ? std::clamp<std::int64_t>(precV.asInt(), -15, 15) : 0));
            const std::string method = pyStr(a.get(1, "method", Value("common")));
            double x = v.asDouble() * scale;
            x = method == "floor" ? std::floor(x) : method == "ceil" ? std::ceil(x) : std::round(x);
            return Value(x / scale);
        }
        if (name == "sum" || name == "min" || name == "max") {
            std::vector<Value> items = iterate(v, pos);
            const Value attr = a.get(name == "sum" ? 0 : 1, "attribute");
            if (!attr.isUndefined() && !attr.isNone())
                for (auto& item : items)
                    item = attrPath(item, attr);
            if (name == "sum") {
                Value total = a.get(1, "start", Value(0));
                for (const auto& item : items)
                    total = binary("+", total, item, pos);
                return total;
            }
            if (items.empty())
                return Value();
            Value best = items[0];
            for (const auto& item : items) {
                const int c = order(item, best, pos);
                if (name == "min" ? c < 0 : c > 0)
                    best = item;
            }
            return best;
        }
        if (name == "indent") {
            const Value widthV = a.get(0, "width", Value(4));
            const std::string pad = widthV.isString() ? widthV.asString()
                                                      : std::string(static_cast<std::size_t>(std::clamp<std::int64_t>(widthV.isInt() ? widthV.asInt() : 4, 0, 256)), ' ');
            const bool first = a.get(1, "first").truthy();
            const bool blank = a.get(2, "blank").truthy();
            const std::string s = pyStr(v);
            std::string out;
            std::size_t b = 0;
            bool isFirst = true;
            for (;;) {
                const auto nl = s.find('\n', b);
                const std::string line = s.substr(b, nl == std::string::npos ? std::string::npos : nl - b);
                if ((!isFirst || first) && (blank || !line.empty()))
                    out += pad;
                out += line;
                checkSize(out.size(), pos);
                isFirst = false;
                if (nl == std::string::npos)
                    break;
                out += '\n';
                b = nl + 1;
            }
            return makeString(std::move(out), pos);
        }
        if (name == "safe")
            return v;
        if (name == "escape" || name == "e") {
            std::string out;
            for (char c : pyStr(v)) {
                switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&#34;"; break;
                case '\'': out += "&#39;"; break;
                default: out += c;
                }
            }
            return makeString(std::move(out), pos);
        }
        if (name == "wordcount") {
            Args none;
            return Value(static_cast<std::int64_t>(split(pyStr(v), Value::none(), Value(-1), pos).asArray().size()));
        }
        if (name == "attr")
            return getAttr(v, pyStr(a.get(0, "name")));
        fail(pos, "unknown filter '" + name + "'");
    }

    // ---- tests ----

    bool applyTest(const std::string& name, const Value& v, Args& a, std::size_t pos)
    {
        auto arg = [&]() -> Value {
            if (a.pos.empty())
                fail(pos, "test '" + name + "' needs an argument");
            return a.pos[0];
        };
        if (name == "defined")
            return !v.isUndefined();
        if (name == "undefined")
            return v.isUndefined();
        if (name == "none")
            return v.isNone();
        if (name == "boolean")
            return v.isBool();
        if (name == "true")
            return v.isBool() && v.asBool();
        if (name == "false")
            return v.isBool() && !v.asBool();
        if (name == "integer")
            return v.isInt();
        if (name == "float")
            return v.isFloat();
        if (name == "number")
            return v.isNumber();
        if (name == "string")
            return v.isString();
        if (name == "mapping")
            return v.isObject();
        if (name == "iterable")
            return v.isArray() || v.isObject() || v.isString() || v.isUndefined();
        if (name == "sequence")
            return v.isArray() || v.isObject() || v.isString();
        if (name == "callable")
            return v.isCallable();
        if (name == "lower")
            return v.isString() && asciiLower(v.asString()) == v.asString();
        if (name == "upper")
            return v.isString() && asciiUpper(v.asString()) == v.asString();
        if (name == "even" || name == "odd") {
            if (!v.isInt() && !v.isBool())
                fail(pos, "test '" + name + "' needs an integer");
            return (v.asInt() % 2 == 0) == (name == "even");
        }
        if (name == "divisibleby") {
            const Value d = arg();
            if (!(v.isInt() || v.isBool()) || !(d.isInt() || d.isBool()) || d.asInt() == 0)
                fail(pos, "divisibleby needs integers and a non-zero divisor");
            return v.asInt() % d.asInt() == 0;
        }
        if (name == "eq" || name == "equalto" || name == "==")
            return v == arg();
        if (name == "ne" || name == "!=")
            return !(v == arg());
        if (name == "sameas") {
            const Value o = arg();
            if (v.isObject() && o.isObject())
                return &v.asObject() == &o.asObject();
            if (v.isArray() && o.isArray())
                return &v.asArray() == &o.asArray();
            return v.kind() == o.kind() && (v.isNone() || v.isUndefined() || (v.isBool() && v == o));
        }
        if (name == "in")
            return contains(arg(), v, pos);
        if (name == "lt" || name == "lessthan" || name == "<")
            return order(v, arg(), pos) < 0;
        if (name == "le" || name == "<=")
            return order(v, arg(), pos) <= 0;
        if (name == "gt" || name == "greaterthan" || name == ">")
            return order(v, arg(), pos) > 0;
        if (name == "ge" || name == ">=")
            return order(v, arg(), pos) >= 0;
        fail(pos, "unknown test '" + name + "'");
    }

    const Program& m_program;
    const RenderLimits& m_limits;
    DateTime m_now;
    std::vector<Frame> m_frames;
    std::size_t m_base = 0;
    std::unordered_map<std::string, Value> m_globals;
    std::uint64_t m_steps = 0;
    std::size_t m_allocated = 0;
    int m_depth = 0;
    int m_macroDepth = 0;
};

bool isKnownFilter(std::string_view name) { return filterNames().count(name) > 0; }
bool isKnownTest(std::string_view name) { return testNames().count(name) > 0; }

Result<std::string> renderProgram(const Program& program, const Value& variables, const RenderLimits& limits,
                                  const DateTime& now)
{
    try {
        Renderer r(program, limits, now);
        return r.run(variables);
    } catch (const RenderError& e) {
        return Error{"chat template error at " + program.where(e.pos) + ": " + e.message};
    } catch (const std::bad_alloc&) {
        return Error{"chat template error: out of memory while rendering"};
    } catch (const std::length_error&) {
        return Error{"chat template error: a value grew too large"};
    }
}

} // namespace outpost::inference::chat::detail
