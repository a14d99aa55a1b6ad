#include "inference/chat/value.h"

#include "inference/chat/py_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace outpost::inference::chat {

Value Value::object()
{
    Value v;
    v.m_v = std::make_shared<Object>();
    return v;
}

double Value::asDouble() const
{
    switch (kind()) {
    case Kind::Float: return std::get<double>(m_v);
    case Kind::Int: return static_cast<double>(std::get<std::int64_t>(m_v));
    case Kind::Bool: return std::get<bool>(m_v) ? 1.0 : 0.0;
    default: return 0.0;
    }
}

Value& Value::set(std::string key, Value value)
{
    return mutableObject().set(std::move(key), std::move(value));
}

const Value* Value::get(std::string_view key) const
{
    return isObject() ? asObject().find(key) : nullptr;
}

Value& Value::push(Value value)
{
    auto& a = mutableArray();
    a.push_back(std::move(value));
    return a.back();
}

bool Value::truthy() const
{
    switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return asBool();
    case Kind::Int: return asInt() != 0;
    case Kind::Float: return asDouble() != 0.0;
    case Kind::String: return !asString().empty();
    case Kind::Array: return !asArray().empty();
    case Kind::Object: return !asObject().entries.empty();
    case Kind::Callable: return true;
    }
    return false;
}

bool Value::operator==(const Value& other) const
{
    if (isNumber() && other.isNumber()) {
        if (isFloat() || other.isFloat())
            return asDouble() == other.asDouble();
        return asInt() == other.asInt();
    }
    if (kind() != other.kind())
        return false;
    switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return asString() == other.asString();
    case Kind::Array: {
        const auto& a = asArray();
        const auto& b = other.asArray();
        if (&a == &b)
            return true;
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!(a[i] == b[i]))
                return false;
        return true;
    }
    case Kind::Object: {
        const auto& a = asObject();
        const auto& b = other.asObject();
        if (&a == &b)
            return true;
        if (a.entries.size() != b.entries.size())
            return false;
        for (const auto& [k, v] : a.entries) {
            const Value* o = b.find(k);
            if (!o || !(v == *o))
                return false;
        }
        return true;
    }
    case Kind::Callable: return std::get<8>(m_v) == std::get<8>(other.m_v);
    default: return false;
    }
}

const Value* Value::Object::find(std::string_view key) const
{
    for (const auto& e : entries)
        if (e.first == key)
            return &e.second;
    return nullptr;
}

Value* Value::Object::find(std::string_view key)
{
    for (auto& e : entries)
        if (e.first == key)
            return &e.second;
    return nullptr;
}

Value& Value::Object::set(std::string key, Value value)
{
    if (Value* v = find(key)) {
        *v = std::move(value);
        return *v;
    }
    entries.emplace_back(std::move(key), std::move(value));
    return entries.back().second;
}

// ---- JSON parsing --------------------------------------------------------

namespace {

class JsonParser {
public:
    explicit JsonParser(std::string_view text) : m_s(text) {}

    Result<Value> run()
    {
        Value v;
        if (!parseValue(v, 0))
            return Error{m_error};
        skipWs();
        if (m_p != m_s.size()) {
            fail("unexpected text after the JSON value");
            return Error{m_error};
        }
        return v;
    }

private:
    static constexpr int kMaxDepth = 512;

    bool fail(const std::string& why)
    {
        if (m_error.empty())
            m_error = "JSON error at byte " + std::to_string(m_p) + ": " + why;
        return false;
    }
    void skipWs()
    {
        while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\t' || m_s[m_p] == '\n' || m_s[m_p] == '\r'))
            ++m_p;
    }
    bool literal(std::string_view word)
    {
        if (m_s.substr(m_p, word.size()) != word)
            return fail("invalid literal");
        m_p += word.size();
        return true;
    }
    bool parseValue(Value& out, int depth)
    {
        if (depth > kMaxDepth)
            return fail("nesting deeper than 512 levels");
        skipWs();
        if (m_p >= m_s.size())
            return fail("unexpected end of input");
        char c = m_s[m_p];
        if (c == '{') {
            ++m_p;
            out = Value::object();
            skipWs();
            if (m_p < m_s.size() && m_s[m_p] == '}') {
                ++m_p;
                return true;
            }
            for (;;) {
                skipWs();
                std::string key;
                if (m_p >= m_s.size() || m_s[m_p] != '"')
                    return fail("expected a string key");
                if (!parseString(key))
                    return false;
                skipWs();
                if (m_p >= m_s.size() || m_s[m_p] != ':')
                    return fail("expected ':'");
                ++m_p;
                Value v;
                if (!parseValue(v, depth + 1))
                    return false;
                out.set(std::move(key), std::move(v));
                skipWs();
                if (m_p < m_s.size() && m_s[m_p] == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_s.size() && m_s[m_p] == '}') {
                    ++m_p;
                    return true;
                }
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++m_p;
            out = Value::array();
            skipWs();
            if (m_p < m_s.size() && m_s[m_p] == ']') {
                ++m_p;
                return true;
            }
            for (;;) {
                Value v;
                if (!parseValue(v, depth + 1))
                    return false;
                out.push(std::move(v));
                skipWs();
                if (m_p < m_s.size() && m_s[m_p] == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_s.size() && m_s[m_p] == ']') {
                    ++m_p;
                    return true;
                }
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            std::string s;
            if (!parseString(s))
                return false;
            out = Value(std::move(s));
            return true;
        }
        if (c == 't') {
            out = Value(true);
            return literal("true");
        }
        if (c == 'f') {
            out = Value(false);
            return literal("false");
        }
        if (c == 'n') {
            out = Value::none();
            return literal("null");
        }
        return parseNumber(out);
    }
    bool parseNumber(Value& out)
    {
        std::size_t start = m_p;
        bool isFloat = false;
        if (m_p < m_s.size() && m_s[m_p] == '-')
            ++m_p;
        auto digits = [&] {
            std::size_t b = m_p;
            while (m_p < m_s.size() && m_s[m_p] >= '0' && m_s[m_p] <= '9')
                ++m_p;
            return m_p > b;
        };
        if (!digits())
            return fail("invalid value");
        if (m_p < m_s.size() && m_s[m_p] == '.') {
            ++m_p;
            isFloat = true;
            if (!digits())
                return fail("expected digits after '.'");
        }
        if (m_p < m_s.size() && (m_s[m_p] == 'e' || m_s[m_p] == 'E')) {
            ++m_p;
            isFloat = true;
            if (m_p < m_s.size() && (m_s[m_p] == '+' || m_s[m_p] == '-'))
                ++m_p;
            if (!digits())
                return fail("expected exponent digits");
        }
        const char* b = m_s.data() + start;
        const char* e = m_s.data() + m_p;
        if (!isFloat) {
            std::int64_t i = 0;
            auto r = std::from_chars(b, e, i);
            if (r.ec == std::errc() && r.ptr == e) {
                out = Value(i);
                return true;
            }
        }
        double d = 0;
        auto r = std::from_chars(b, e, d);
        if (r.ec != std::errc() && r.ec != std::errc::result_out_of_range)
            return fail("invalid number");
        out = Value(d);
        return true;
    }
    bool hex4(unsigned& out)
    {
        if (m_p + 4 > m_s.size())
            return fail("truncated \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char c = m_s[m_p++];
            out <<= 4;
            if (c >= '0' && c <= '9') out |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f') out |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') out |= unsigned(c - 'A' + 10);
            else return fail("invalid \\u escape");
        }
        return true;
    }
    bool parseString(std::string& out)
    {
        ++m_p; // opening quote
        for (;;) {
            if (m_p >= m_s.size())
                return fail("unterminated string");
            char c = m_s[m_p++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_p >= m_s.size())
                return fail("unterminated escape");
            char e = m_s[m_p++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = 0;
                if (!hex4(cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00 && m_p + 6 <= m_s.size() && m_s[m_p] == '\\' && m_s[m_p + 1] == 'u') {
                    std::size_t save = m_p;
                    m_p += 2;
                    unsigned lo = 0;
                    if (!hex4(lo))
                        return false;
                    if (lo >= 0xDC00 && lo < 0xE000)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else
                        m_p = save;
                }
                appendUtf8(out, cp);
                break;
            }
            default: return fail(std::string("invalid escape \\") + e);
            }
        }
    }

    std::string_view m_s;
    std::size_t m_p = 0;
    std::string m_error;
};

struct JsonWriter {
    const Value::JsonOptions& opt;
    std::string out;
    std::string error;

    void newline(int level)
    {
        out += '\n';
        out.append(static_cast<std::size_t>(opt.indent) * static_cast<std::size_t>(level), ' ');
    }
    bool write(const Value& v, int level)
    {
        if (level > 512) {
            error = "tojson: value nested deeper than 512 levels";
            return false;
        }
        const std::string itemSep = !opt.itemSeparator.empty() ? opt.itemSeparator : (opt.indent >= 0 ? "," : ", ");
        switch (v.kind()) {
        case Value::Kind::Undefined:
            error = "tojson: an undefined value is not JSON serializable";
            return false;
        case Value::Kind::Callable:
            error = "tojson: a function is not JSON serializable";
            return false;
        case Value::Kind::None: out += "null"; return true;
        case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return true;
        case Value::Kind::Int: out += std::to_string(v.asInt()); return true;
        case Value::Kind::Float: out += pyJsonFloat(v.asDouble()); return true;
        case Value::Kind::String: appendJsonString(out, v.asString()); return true;
        case Value::Kind::Array: {
            const auto& a = v.asArray();
            if (a.empty()) {
                out += "[]";
                return true;
            }
            out += '[';
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i)
                    out += itemSep;
                if (opt.indent >= 0)
                    newline(level + 1);
                if (!write(a[i], level + 1))
                    return false;
            }
            if (opt.indent >= 0)
                newline(level);
            out += ']';
            return true;
        }
        case Value::Kind::Object: {
            const auto& o = v.asObject();
            if (o.entries.empty()) {
                out += "{}";
                return true;
            }
            std::vector<const std::pair<std::string, Value>*> items;
            for (const auto& e : o.entries)
                items.push_back(&e);
            if (opt.sortKeys)
                std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first < b->first; });
            out += '{';
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i)
                    out += itemSep;
                if (opt.indent >= 0)
                    newline(level + 1);
                appendJsonString(out, items[i]->first);
                out += opt.keySeparator;
                if (!write(items[i]->second, level + 1))
                    return false;
            }
            if (opt.indent >= 0)
                newline(level);
            out += '}';
            return true;
        }
        }
        return false;
    }
};

} // namespace

Result<Value> Value::parseJson(std::string_view text)
{
    return JsonParser(text).run();
}

Result<std::string> Value::toJson(const JsonOptions& options) const
{
    JsonWriter w{options, {}, {}};
    if (!w.write(*this, 0))
        return Error{w.error};
    return std::move(w.out);
}

} // namespace outpost::inference::chat
