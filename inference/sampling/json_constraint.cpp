#include "inference/sampling/json_constraint.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace outpost::inference::sampling {

namespace {

// Exact arithmetic for bounds: a value times 10^15 with 15 digits before the
// point needs 100 bits. (__extension__ keeps -Wpedantic quiet; GCC and Clang
// are the compilers this builds with.)
__extension__ typedef __int128 Wide;

constexpr int kMaxDepth = 64;                               // nesting of the schema's JSON
constexpr int kMaxDigits = 15;                              // digits before and after the point in numbers written
constexpr std::size_t kMaxMinimal = std::size_t(1) << 20;   // bytes of any node's shortest value
// Schemas built one inside another (through "$ref" too), and the nesting of
// a shortest value: both bound the recursion of the functions that follow
// them (a few hundred bytes of stack a level).
constexpr int kMaxNesting = 128;

Wide pow10(int n)  // n from 0 to 38
{
    static const auto table = [] {
        std::array<Wide, 39> t{};
        t[0] = 1;
        for (std::size_t i = 1; i < t.size(); ++i)
            t[i] = t[i - 1] * 10;
        return t;
    }();
    return table[std::size_t(n)];
}

// ---- UTF-8 ---------------------------------------------------------------------

// For a lead byte: how many continuation bytes follow and the range of the
// first one (the rest are 80-BF). Overlong forms (C0, C1, E0 80-9F, F0 80-8F),
// surrogates (ED A0-BF) and code points past U+10FFFF (F4 90-, F5-) are out.
bool utf8Lead(unsigned char c, int& continuation, unsigned char& lo, unsigned char& hi)
{
    lo = 0x80;
    hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        continuation = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        continuation = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        continuation = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return false;
    }
    return true;
}

// Bytes of the valid UTF-8 character at s[i] (a non-ASCII lead), or 0.
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    int continuation = 0;
    unsigned char lo = 0, hi = 0;
    if (!utf8Lead(static_cast<unsigned char>(s[i]), continuation, lo, hi) || i + std::size_t(continuation) >= s.size())
        return 0;
    for (int k = 1; k <= continuation; ++k) {
        const auto c = static_cast<unsigned char>(s[i + std::size_t(k)]);
        if (c < lo || c > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return std::size_t(continuation) + 1;
}

void appendUtf8(unsigned cp, std::string& out)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// ---- a small JSON reader for schemas -------------------------------------------

struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool b = false;
    std::string raw;  // numbers: their text as written (valid JSON)
    std::string str;
    std::vector<Json> arr;
    std::vector<std::pair<std::string, Json>> obj;

    const Json* get(std::string_view key) const
    {
        for (const auto& [k, v] : obj)
            if (k == key)
                return &v;
        return nullptr;
    }
};

// JSON's number grammar, exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool validNumber(std::string_view s)
{
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-')
        ++i;
    if (i < s.size() && s[i] == '0')
        ++i;
    else if (i >= s.size() || s[i] < '1' || s[i] > '9' || !digits())
        return false;
    if (i < s.size() && s[i] == '.' && (++i, !digits()))
        return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == s.size();
}

// The value of a hex digit, or -1.
int hexDigit(char h)
{
    return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

class Reader {
public:
    explicit Reader(std::string_view text) : m_s(text) {}

    bool parse(Json& out, std::string& error)
    {
        if (!value(out, 0) || (skip(), m_pos != m_s.size())) {
            if (m_error.empty())
                m_error = "unexpected text";
            error = "JSON schema: " + m_error + " at byte " + std::to_string(m_pos);
            return false;
        }
        return true;
    }

private:
    void skip()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool fail(std::string what)
    {
        m_error = std::move(what);
        return false;
    }
    bool literal(std::string_view word)
    {
        if (m_s.substr(m_pos, word.size()) != word)
            return fail("unknown literal");
        m_pos += word.size();
        return true;
    }
    bool hex4(unsigned& cp)
    {
        if (m_pos + 4 > m_s.size())
            return fail("short \\u escape");
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexDigit(m_s[m_pos++]);
            if (digit < 0)
                return fail("bad \\u escape");
            cp = cp << 4 | unsigned(digit);
        }
        return true;
    }
    bool string(std::string& out)
    {
        ++m_pos;  // the opening quote
        while (m_pos < m_s.size()) {
            const auto c = static_cast<unsigned char>(m_s[m_pos]);
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return fail("control character in a string");
            if (c >= 0x80) {
                const std::size_t n = utf8Length(m_s, m_pos);
                if (!n)
                    return fail("invalid UTF-8 in a string");
                out.append(m_s.substr(m_pos, n));
                m_pos += n;
                continue;
            }
            ++m_pos;
            if (c != '\\') {
                out += char(c);
                continue;
            }
            if (m_pos >= m_s.size())
                break;
            const char e = m_s[m_pos++];
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
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return fail("lone surrogate \\u escape (a low surrogate with no high one before it)");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low = 0;
                    if (m_s.substr(m_pos, 2) != "\\u" || (m_pos += 2, !hex4(low)) || low < 0xDC00 || low > 0xDFFF)
                        return fail("lone surrogate \\u escape (a high surrogate with no low one after it)");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                appendUtf8(cp, out);
                break;
            }
            default: return fail("bad escape");
            }
        }
        return fail("unterminated string");
    }
    bool value(Json& out, int depth)
    {
        if (depth > kMaxDepth)
            return fail("nesting deeper than " + std::to_string(kMaxDepth));
        skip();
        if (m_pos >= m_s.size())
            return fail("unexpected end");
        const char c = m_s[m_pos];
        if (c == '{') {
            out.type = Json::Type::Object;
            ++m_pos;
            skip();
            if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            std::unordered_set<std::string> seen;
            for (;;) {
                skip();
                if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                    return fail("expected a property name");
                std::string key;
                if (!string(key))
                    return false;
                // A schema with a key twice means what its reader picks.
                if (!seen.insert(key).second)
                    return fail("duplicate key \"" + key + "\"");
                skip();
                if (m_pos >= m_s.size() || m_s[m_pos] != ':')
                    return fail("expected ':'");
                ++m_pos;
                Json v;
                if (!value(v, depth + 1))
                    return false;
                out.obj.emplace_back(std::move(key), std::move(v));
                skip();
                if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                    ++m_pos;
                    return true;
                }
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            out.type = Json::Type::Array;
            ++m_pos;
            skip();
            if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            for (;;) {
                Json v;
                if (!value(v, depth + 1))
                    return false;
                out.arr.push_back(std::move(v));
                skip();
                if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                    ++m_pos;
                    return true;
                }
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            out.type = Json::Type::String;
            return string(out.str);
        }
        if (c == 't' || c == 'f') {
            out.type = Json::Type::Bool;
            out.b = c == 't';
            return literal(out.b ? "true" : "false");
        }
        if (c == 'n') {
            out.type = Json::Type::Null;
            return literal("null");
        }
        const std::size_t start = m_pos;
        while (m_pos < m_s.size() && (std::strchr("0123456789+-.eE", m_s[m_pos]) && m_s[m_pos]))
            ++m_pos;
        if (start == m_pos)
            return fail("unexpected character");
        out.type = Json::Type::Number;
        out.raw = std::string(m_s.substr(start, m_pos - start));
        if (!validNumber(out.raw)) {
            m_pos = start;
            return fail("invalid number \"" + out.raw + "\"");
        }
        return true;
    }

    std::string_view m_s;
    std::size_t m_pos = 0;
    std::string m_error;
};

std::string quote(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    return out + "\"";
}

// A name as written between the quotes.
std::string escaped(std::string_view s)
{
    const std::string q = quote(s);
    return q.substr(1, q.size() - 2);
}

// Compact JSON text of a value (enum and const members).
std::string serialize(const Json& v)
{
    switch (v.type) {
    case Json::Type::Null: return "null";
    case Json::Type::Bool: return v.b ? "true" : "false";
    case Json::Type::Number: return v.raw;
    case Json::Type::String: return quote(v.str);
    case Json::Type::Array: {
        std::string s = "[";
        for (std::size_t i = 0; i < v.arr.size(); ++i)
            s += (i ? "," : "") + serialize(v.arr[i]);
        return s + "]";
    }
    case Json::Type::Object: {
        std::string s = "{";
        for (std::size_t i = 0; i < v.obj.size(); ++i)
            s += (i ? "," : "") + quote(v.obj[i].first) + ":" + serialize(v.obj[i].second);
        return s + "}";
    }
    }
    return "null";
}

// A JSON number's exact value: digits x 10^exponent, the digits without
// leading or trailing zeros ("" for zero).
struct Decimal {
    bool negative = false;
    std::string digits;
    long long exponent = 0;
};

Decimal decimalOf(std::string_view raw)  // raw is a validNumber()
{
    Decimal d;
    std::size_t i = 0;
    if (raw[i] == '-') {
        d.negative = true;
        ++i;
    }
    bool afterPoint = false;
    for (; i < raw.size() && raw[i] != 'e' && raw[i] != 'E'; ++i) {
        if (raw[i] == '.') {
            afterPoint = true;
            continue;
        }
        if (raw[i] != '0' || !d.digits.empty())
            d.digits += raw[i];
        if (afterPoint)
            --d.exponent;
    }
    if (i < raw.size()) {
        ++i;
        const bool minus = raw[i] == '-';
        if (raw[i] == '+' || raw[i] == '-')
            ++i;
        long long e = 0;
        for (; i < raw.size(); ++i)
            e = std::min(e * 10 + (raw[i] - '0'), 1000000000000LL);  // far past any use; saturated
        d.exponent += minus ? -e : e;
    }
    while (!d.digits.empty() && d.digits.back() == '0') {
        d.digits.pop_back();
        ++d.exponent;
    }
    if (d.digits.empty())
        d.negative = false;
    return d;
}

bool isInteger(const Decimal& d)
{
    return d.digits.empty() || d.exponent >= 0;
}

// floor (or ceil, `up`) of the value x 10^scale, saturated at +-10^33 (past
// every range it is compared with).
Wide scaled(const Decimal& d, int scale, bool up)
{
    const Wide huge = pow10(33);
    if (d.digits.empty())
        return 0;
    const long long e = d.exponent + scale;
    const long long wholeDigits = static_cast<long long>(d.digits.size()) + e;
    if (wholeDigits > 33)
        return d.negative ? -huge : huge;
    Wide mag = 0;
    const long long keep = std::min<long long>(wholeDigits, static_cast<long long>(d.digits.size()));
    for (long long i = 0; i < keep; ++i)
        mag = mag * 10 + (d.digits[std::size_t(i)] - '0');
    for (long long i = keep; i < wholeDigits; ++i)
        mag *= 10;
    // Dropped digits end in a non-zero one: the value is not whole.
    const bool inexact = keep < static_cast<long long>(d.digits.size());
    if (!d.negative)
        return mag + (inexact && up ? 1 : 0);
    return -mag - (inexact && !up ? 1 : 0);
}

// ---- byte tries of texts (enum members, property names) -------------------------

// Feeding a byte is one child lookup, and every node knows the shortest text
// through it, so a huge enum costs no more per byte than a small one.
class TextTrie {
public:
    struct Node {
        int firstChild = -1;
        int nextSibling = -1;
        int end = -1;       // the text that ends here
        int shortest = -1;  // the shortest text through here (first added on a tie)
        unsigned char byte = 0;
    };

    // Adds a text; an equal text added before keeps its index.
    int add(std::string_view text)
    {
        int n = 0;
        for (unsigned char c : text) {
            int next = child(n, c);
            if (next < 0) {
                next = static_cast<int>(m_nodes.size());
                Node created;
                created.byte = c;
                created.nextSibling = m_nodes[std::size_t(n)].firstChild;
                m_nodes.push_back(created);
                m_nodes[std::size_t(n)].firstChild = next;
                m_parent.push_back(n);
            }
            n = next;
        }
        if (m_nodes[std::size_t(n)].end < 0) {
            m_nodes[std::size_t(n)].end = static_cast<int>(m_texts.size());
            m_texts.emplace_back(text);
            m_ends.push_back(n);
        }
        return m_nodes[std::size_t(n)].end;
    }

    // After the last add(): the shortest texts, and with `through` the
    // texts through every node (for reaches() and throughFrom()). Once.
    void seal(bool through)
    {
        if (m_sealed)
            return;
        m_sealed = true;
        // A child is always created after its parent: children first.
        for (std::size_t i = m_nodes.size(); i-- > 0;) {
            Node& n = m_nodes[i];
            if (n.end >= 0)
                n.shortest = shorter(n.shortest, n.end);
            if (i > 0) {
                Node& parent = m_nodes[std::size_t(m_parent[i - 1])];
                parent.shortest = shorter(parent.shortest, n.shortest);
            }
        }
        if (through)
            index();
        m_parent = {};
        m_ends = {};
    }

    int child(int n, unsigned char c) const
    {
        for (int k = m_nodes[std::size_t(n)].firstChild; k >= 0; k = m_nodes[std::size_t(k)].nextSibling)
            if (m_nodes[std::size_t(k)].byte == c)
                return k;
        return -1;
    }
    // The index of `text`, or -1.
    int find(std::string_view text) const
    {
        int n = 0;
        for (unsigned char c : text)
            if ((n = child(n, c)) < 0)
                return -1;
        return m_nodes[std::size_t(n)].end;
    }
    const Node& node(int n) const { return m_nodes[std::size_t(n)]; }
    const std::string& text(int t) const { return m_texts[std::size_t(t)]; }
    int size() const { return static_cast<int>(m_texts.size()); }

    // The texts through node n (ascending), from the first at or after `from`.
    const int* throughFrom(int n, int from) const
    {
        return std::lower_bound(m_through.data() + m_begin[std::size_t(n)], throughEnd(n), from);
    }
    const int* throughEnd(int n) const { return m_through.data() + m_begin[std::size_t(n) + 1]; }
    // Whether a text with index in [a, b] passes through node n.
    bool reaches(int n, int a, int b) const
    {
        const int* it = throughFrom(n, a);
        return it != throughEnd(n) && *it <= b;
    }

private:
    // The texts through each node, ascending: every text's path, counted,
    // then filled in text order.
    void index()
    {
        m_begin.assign(m_nodes.size() + 1, 0);
        for (int n : m_ends)
            for (int k = n;; k = m_parent[std::size_t(k - 1)]) {
                ++m_begin[std::size_t(k) + 1];
                if (k == 0)
                    break;
            }
        for (std::size_t i = 1; i < m_begin.size(); ++i)
            m_begin[i] += m_begin[i - 1];
        m_through.assign(std::size_t(m_begin.back()), 0);
        std::vector<int> fill(m_begin.begin(), m_begin.end() - 1);
        for (int t = 0; t < static_cast<int>(m_ends.size()); ++t)
            for (int k = m_ends[std::size_t(t)];; k = m_parent[std::size_t(k - 1)]) {
                m_through[std::size_t(fill[std::size_t(k)]++)] = t;
                if (k == 0)
                    break;
            }
    }
    int shorter(int a, int b) const
    {
        if (a < 0)
            return b;
        if (b < 0)
            return a;
        const auto la = m_texts[std::size_t(a)].size(), lb = m_texts[std::size_t(b)].size();
        return lb < la || (lb == la && b < a) ? b : a;
    }

    std::vector<Node> m_nodes = std::vector<Node>(1);
    std::vector<std::string> m_texts;
    bool m_sealed = false;      // no add() after seal()
    std::vector<int> m_parent;  // while building: parent of node i + 1
    std::vector<int> m_ends;    // while building: node where text t ends
    std::vector<int> m_begin;   // texts through node n: m_through[m_begin[n] .. m_begin[n + 1])
    std::vector<int> m_through;
};

// What a value's first byte says it is: a union picks its branch by this.
enum Class : std::uint8_t { kObjectClass, kArrayClass, kStringClass, kNumberClass, kWordClass, kClasses };  // word: true, false, null
const char* const kClassNames[] = {"objects", "arrays", "strings", "numbers", "true/false/null"};

int classOf(unsigned char c)
{
    switch (c) {
    case '{': return kObjectClass;
    case '[': return kArrayClass;
    case '"': return kStringClass;
    case 't':
    case 'f':
    case 'n': return kWordClass;
    default: return c == '-' || (c >= '0' && c <= '9') ? kNumberClass : -1;
    }
}

// JSON Schema's types, as bits of a set.
enum : unsigned { kObjectType = 1, kArrayType = 2, kStringType = 4, kNumberType = 8, kIntegerType = 16, kBooleanType = 32, kNullType = 64, kAllTypes = 127 };
const char* const kTypeNames[] = {"object", "array", "string", "number", "integer", "boolean", "null"};

} // namespace

// ---- schema nodes ----------------------------------------------------------------

struct SchemaNode {
    enum class Kind { Any, Object, Array, String, Number, Integer, Literal, Union } kind = Kind::Any;
    // Objects. Named properties in schema order; their names (as written
    // between the quotes) are the texts of `names`, index = position.
    bool freeObject = true;                  // no named properties: free keys whose values match `additional`
    std::vector<const SchemaNode*> values;
    std::vector<bool> required;
    std::vector<int> nextRequired;           // [p + 1]: the first required property after p, or values.size()
    std::vector<std::size_t> tail;           // [p + 1]: bytes of ,"name":minimal for every required one after p
    std::vector<int> cheapestAfterComma;     // [p + 1]: the cheapest property to write after p and a comma
    TextTrie names;
    const SchemaNode* additional = nullptr;  // the schema of other keys' values; null: none allowed
    std::vector<std::string> forbidden;      // properties whose schema is false: never present
    // Arrays.
    const SchemaNode* items = nullptr;
    int minItems = 0;
    int maxItems = -1;
    // Strings, in code points.
    int minLength = 0;
    int maxLength = -1;
    // Integers, and numbers with bounds: value x 10^frac lies in [lo, hi].
    bool ranged = false;
    int frac = 0;
    Wide lo = 0;
    Wide hi = 0;
    std::string rangedMinimal;
    // Literals (enum/const, boolean, null); for Any: true, false, null.
    TextTrie literals;
    // As written (enum/const, boolean, null), for matches(): the canonical
    // texts of the members, as values compare (1e2 is 100).
    std::unordered_set<std::string> canonicalMembers;
    // Literals from enum/const beside other keywords: those keywords, which
    // a member must match too (read only while building: the members left
    // are those that match).
    const SchemaNode* filter = nullptr;
    // Unions: anyOf, oneOf, a type list, a "$ref" with "type" beside. As
    // written: the branches, and the types "type" beside them allows (read
    // by matches()). Resolved (settle()): the one node for each class of
    // first byte, none a union, each exactly what the branches allow of
    // that class (see unite()); the automaton follows these.
    std::vector<const SchemaNode*> branches;
    bool oneOf = false;
    unsigned types = kAllTypes;
    std::array<const SchemaNode*, kClasses> dispatch{};
    const SchemaNode* minimalBranch = nullptr;  // the dispatch node with the shortest value
    std::size_t minimalSize = 0;             // bytes of the shortest valid value
    std::uint32_t index = 0;                 // in JsonSchema::m_nodes
};

JsonSchema::~JsonSchema() = default;

std::size_t JsonSchema::minimalLength() const
{
    return m_root->minimalSize;
}

namespace {

// Automaton frames.
enum Kind : std::uint8_t { kValue, kObject, kArray, kString, kKey, kNumber, kLiteral };
// Object states.
enum : std::uint8_t { kOpen, kAfterValue, kAfterComma, kAfterKey };
// String states.
enum : std::uint8_t { kNormal, kEscape, kUtf8 };
// Number states.
enum : std::uint8_t { kStart, kMinus, kZero, kInt, kDot, kFrac, kExp, kExpSign, kExpDigit };

using Frame = JsonConstraint::Frame;
using NodeKind = SchemaNode::Kind;

void appendMinimal(const SchemaNode& n, std::string& out);

// Where the shortest texts are written: the text, or only its length.
struct TextOut {
    std::string& text;
    void put(std::string_view s) { text += s; }
    void put(char c, std::size_t n = 1) { text.append(n, c); }
    void minimal(const SchemaNode& n) { appendMinimal(n, text); }
    // An array's items from `from` up to `to`, shortest, a comma before
    // each but the first.
    void minimalItems(const SchemaNode& item, int from, int to)
    {
        for (int k = from; k < to; ++k) {
            if (k)
                put(',');
            minimal(item);
        }
    }
};

struct LengthOut {
    std::size_t length = 0;
    void put(std::string_view s) { length += s.size(); }
    void put(char, std::size_t n = 1) { length += n; }
    void minimal(const SchemaNode& n) { length += n.minimalSize; }
    // Counted, not added up an item at a time: minItems may be in the
    // hundreds of thousands, and this runs for every token of a mask.
    void minimalItems(const SchemaNode& item, int from, int to)
    {
        if (from < to)
            length += std::size_t(to - from) * (item.minimalSize + 1) - (from ? 0 : 1);
    }
};

// `lead`, then property j with its shortest value, the first `written`
// bytes of its name left out.
template<class Out>
void putProperty(Out& out, std::string_view lead, const SchemaNode& n, int j, std::size_t written = 0)
{
    out.put(lead);
    out.put(std::string_view(n.names.text(j)).substr(written));
    out.put("\":");
    out.minimal(*n.values[std::size_t(j)]);
}

// Every required property after property p (`first`: none written yet).
template<class Out>
void putRequiredAfter(Out& out, const SchemaNode& n, int p, bool first)
{
    for (int j = n.nextRequired[std::size_t(p + 1)]; j < static_cast<int>(n.values.size()); j = n.nextRequired[std::size_t(j + 1)]) {
        putProperty(out, first ? "\"" : ",\"", n, j);
        first = false;
    }
}

// Properties an object may write next (indices a..b): those after the last
// one written, up to and including the first required one (none may be
// skipped). Empty when a > b.
void keyWindow(const SchemaNode& n, int prop, int& a, int& b)
{
    a = prop + 1;
    b = std::min(n.nextRequired[std::size_t(prop + 1)], static_cast<int>(n.values.size()) - 1);
}

bool requiredLeft(const SchemaNode& n, int prop)
{
    return n.nextRequired[std::size_t(prop + 1)] < static_cast<int>(n.values.size());
}

// Bytes after the opening quote to write property j and the rest: name,
// quote, colon, value, then every required property after it.
std::size_t keyCost(const SchemaNode& n, int j)
{
    LengthOut out;
    putProperty(out, "", n, j);
    return out.length + n.tail[std::size_t(j + 1)];
}

// The cheapest property in [a, b] whose name passes through trie node t.
int cheapestKey(const SchemaNode& n, int t, int a, int b)
{
    if (t == 0)
        return n.cheapestAfterComma[std::size_t(a)];
    int best = -1;
    for (const int* it = n.names.throughFrom(t, a); it != n.names.throughEnd(t) && *it <= b; ++it)
        if (best < 0 || keyCost(n, *it) < keyCost(n, best))
            best = *it;
    return best;
}

// ---- bounded numbers -------------------------------------------------------------
//
// A bounded number (every integer, and numbers with bounds) is checked
// digit by digit: each prefix must still reach a value in [lo, hi] (in units
// of 10^-frac). Signs aside, the values a prefix reaches are magnitudes in
// one interval per count of digits still to come before the point; the
// shortest completion tries the shapes (digits before the point, digits
// after it) by length.

// The magnitudes a number of this sign may have.
void magnitudes(const SchemaNode& n, bool negative, Wide& lo, Wide& hi)
{
    lo = negative ? std::max<Wide>(-n.hi, 0) : std::max<Wide>(n.lo, 0);
    hi = negative ? -n.lo : n.hi;
}

bool rangedFeasible(const SchemaNode& n, const Frame& f)
{
    Wide lo = 0, hi = 0;
    magnitudes(n, f.negative, lo, hi);
    const Wide unit = pow10(n.frac);
    auto meets = [&](Wide a, Wide b) { return a <= hi && b >= lo; };
    switch (f.state) {
    case kStart:
    case kMinus: return meets(0, pow10(kMaxDigits) * unit - 1);
    case kZero: return meets(0, unit - 1);
    case kInt:
        for (int k = 0; k + f.count <= kMaxDigits; ++k) {
            const Wide a = Wide(f.whole) * pow10(k) * unit;
            if (meets(a, a + pow10(k) * unit - 1))
                return true;
        }
        return false;
    case kDot: return meets(Wide(f.whole) * unit, Wide(f.whole) * unit + unit - 1);
    case kFrac: {
        const Wide step = pow10(n.frac - f.count);
        const Wide a = (Wide(f.whole) * pow10(f.count) + f.fraction) * step;
        return meets(a, a + step - 1);
    }
    default: return false;
    }
}

bool rangedTerminal(const SchemaNode& n, const Frame& f)
{
    if (f.state != kZero && f.state != kInt && f.state != kFrac)
        return false;
    Wide lo = 0, hi = 0;
    magnitudes(n, f.negative, lo, hi);
    const Wide m = f.state == kFrac ? (Wide(f.whole) * pow10(f.count) + f.fraction) * pow10(n.frac - f.count)
                                    : Wide(f.whole) * pow10(n.frac);
    return m >= lo && m <= hi;
}

std::string digitsOf(Wide v, int width)
{
    std::string s(std::size_t(std::max(width, 1)), '0');
    for (std::size_t i = s.size(); i-- > 0 && v > 0; v /= 10)
        s[i] = char('0' + int(v % 10));
    return s;
}

// Appends the shortest text that ends the number prefix in range; false
// when there is none.
bool rangedCompletion(const SchemaNode& n, const Frame& f, std::string& out)
{
    Wide lo = 0, hi = 0;
    magnitudes(n, f.negative, lo, hi);
    const Wide unit = pow10(n.frac);
    // The smallest multiple of `step` in [a, b] and in range.
    auto pick = [&](Wide a, Wide b, Wide step, Wide& m) {
        const Wide from = std::max(a, lo);
        m = (from + step - 1) / step * step;
        return m <= std::min(b, hi);
    };
    const bool point = f.state == kDot || f.state == kFrac;
    const bool noDigits = f.state == kStart || f.state == kMinus;
    for (int len = 0; len <= 2 * kMaxDigits + 1; ++len) {
        Wide m = 0;
        if (point) {
            const int t = f.count + len;  // digits after the point in all
            if (t == 0 || t > n.frac)
                continue;
            const Wide step = pow10(n.frac - t);
            const Wide written = (Wide(f.whole) * pow10(f.count) + f.fraction) * pow10(len);
            if (!pick(written * step, (written + pow10(len) - 1) * step, step, m))
                continue;
            out += digitsOf(m % unit / step, t).substr(std::size_t(f.count));
            return true;
        }
        for (int t = 0; t <= n.frac; ++t) {
            const int more = len - (t ? t + 1 : 0);  // digits still to come before the point
            if (more < 0)
                continue;
            Wide a = 0, b = 0;
            if (noDigits) {
                if (more < 1 || more > kMaxDigits)
                    continue;
                a = more == 1 ? 0 : pow10(more - 1);
                b = pow10(more) - 1;
            } else {
                if ((f.state == kZero && more > 0) || f.count + more > kMaxDigits)
                    continue;
                a = Wide(f.whole) * pow10(more);
                b = a + pow10(more) - 1;
            }
            const Wide step = pow10(n.frac - t);
            if (!pick(a * unit, b * unit + (pow10(t) - 1) * step, step, m))
                continue;
            const Wide whole = m / unit;
            if (noDigits)
                out += digitsOf(whole, more);
            else if (more > 0)
                out += digitsOf(whole - Wide(f.whole) * pow10(more), more);
            if (t)
                out += "." + digitsOf(m % unit / step, t);
            return true;
        }
    }
    return false;
}

// ---- building --------------------------------------------------------------------
//
// parse() builds in stages, because "$ref" may point at a schema still being
// built (recursion) and what a node needs from others is only final at the
// end:
//   build()     one node per schema object (memoised by the object: every
//               "$ref" to it is the same node; a schema that is only a
//               "$ref" is the node it names, followed without recursion).
//               Children may be nodes still being filled.
//   filterLists() enum/const members kept where they match the keywords
//               beside them (matches() follows nodes, now all filled).
//   settle()    from the root, the nodes the automaton can reach; their
//               shortest values, by Knuth's generalisation of Dijkstra's
//               algorithm (a node is final once what it needs is: a cycle
//               that every value must go round never is, and is an error);
//               then the tables objects complete with.

// A name in a JSON pointer.
std::string pointerPart(std::string_view name)
{
    std::string out;
    for (char c : name)
        out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return out;
}

std::size_t saturatingAdd(std::size_t a, std::size_t b)
{
    return std::min(a + b, kMaxMinimal + 1);  // both are at most kMaxMinimal + 1
}

const char* const kSupported[] = {"type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
                                  "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                  "enum", "const", "$ref", "anyOf", "oneOf", "allOf"};
// One of these a schema: they join other schemas.
const char* const kCombinators[] = {"$ref", "anyOf", "oneOf", "allOf"};
// What may stand beside one: it narrows what the joined schemas allow.
const char* const kNarrowing[] = {"type", "enum", "const"};
const char* const kIgnored[] = {"description", "title", "default", "examples", "$schema", "$id", "$comment", "deprecated",
                                "readOnly", "writeOnly", "format", "contentMediaType", "contentEncoding", "$defs", "definitions"};

bool listed(const char* const* begin, const char* const* end, std::string_view key)
{
    return std::any_of(begin, end, [&](const char* k) { return key == k; });
}

// Whether a value of v's type is among `types`.
bool typeAllows(unsigned types, const Json& v)
{
    switch (v.type) {
    case Json::Type::Object: return types & kObjectType;
    case Json::Type::Array: return types & kArrayType;
    case Json::Type::String: return types & kStringType;
    case Json::Type::Bool: return types & kBooleanType;
    case Json::Type::Null: return types & kNullType;
    case Json::Type::Number: return (types & kNumberType) || ((types & kIntegerType) && isInteger(decimalOf(v.raw)));
    }
    return false;
}

// A value's canonical text: equal values have equal texts (numbers by
// value, object members by name), for enum/const members and oneOf.
std::string canonical(const Json& v)
{
    switch (v.type) {
    case Json::Type::Number: {
        const Decimal d = decimalOf(v.raw);
        return (d.negative ? "-" : "") + (d.digits.empty() ? std::string("0") : d.digits) + "e" + std::to_string(d.exponent);
    }
    case Json::Type::Array: {
        std::string s = "[";
        for (const Json& item : v.arr)
            s += canonical(item) + ",";
        return s + "]";
    }
    case Json::Type::Object: {
        std::vector<std::string> members;
        for (const auto& [k, m] : v.obj)
            members.push_back(quote(k) + ":" + canonical(m));
        std::sort(members.begin(), members.end());
        std::string s = "{";
        for (const auto& m : members)
            s += m + ",";
        return s + "}";
    }
    default: return serialize(v);
    }
}

// Whether v matches node n, with JSON Schema's semantics (enum/const
// members, and whether a union's branches can be merged exactly). A union
// is read as written: its branches and the types beside them. Terminates
// on recursive schemas: every step into a node goes into v, or along a
// union's branches or a list's filter, which links() found acyclic. Each
// union is tried once on each part of v (`memo`): unions that share their
// branches (A = anyOf [B, B], B = anyOf [C, C], ...) reach one node along
// 2^depth paths.
using MatchMemo = std::map<std::pair<const Json*, const SchemaNode*>, bool>;

bool matches(const Json& v, const SchemaNode& n, MatchMemo& memo)
{
    switch (n.kind) {
    case NodeKind::Any: return true;
    case NodeKind::Union: {
        if (!typeAllows(n.types, v))
            return false;
        const auto [known, fresh] = memo.try_emplace({&v, &n}, false);
        if (!fresh)
            return known->second;
        int hits = 0;  // anyOf stops at the first, oneOf at the second
        for (const SchemaNode* b : n.branches) {
            if (!matches(v, *b, memo))
                continue;
            if (++hits > 1 || !n.oneOf)
                break;
        }
        return known->second = hits == 1;
    }
    case NodeKind::Literal: return n.canonicalMembers.count(canonical(v)) && (!n.filter || matches(v, *n.filter, memo));
    case NodeKind::String: {
        if (v.type != Json::Type::String)
            return false;
        const auto points = std::count_if(v.str.begin(), v.str.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; });
        return points >= n.minLength && (n.maxLength < 0 || points <= n.maxLength);
    }
    case NodeKind::Integer:
    case NodeKind::Number: {
        if (v.type != Json::Type::Number)
            return false;
        const Decimal d = decimalOf(v.raw);
        if (n.kind == NodeKind::Integer && !isInteger(d))
            return false;
        return !n.ranged || (scaled(d, n.frac, false) >= n.lo && scaled(d, n.frac, true) <= n.hi);
    }
    case NodeKind::Array:
        if (v.type != Json::Type::Array || static_cast<long long>(v.arr.size()) < n.minItems
            || (n.maxItems >= 0 && static_cast<long long>(v.arr.size()) > n.maxItems))
            return false;
        return std::all_of(v.arr.begin(), v.arr.end(), [&](const Json& item) { return matches(item, *n.items, memo); });
    case NodeKind::Object: {
        if (v.type != Json::Type::Object)
            return false;
        std::vector<bool> seen(n.values.size(), false);
        for (const auto& [key, value] : v.obj) {
            if (std::find(n.forbidden.begin(), n.forbidden.end(), key) != n.forbidden.end())
                return false;
            const int p = n.names.find(escaped(key));
            if (p >= 0)
                seen[std::size_t(p)] = true;
            const SchemaNode* s = p >= 0 ? n.values[std::size_t(p)] : n.additional;
            if (!s || !matches(value, *s, memo))
                return false;
        }
        for (std::size_t p = 0; p < seen.size(); ++p)
            if (n.required[p] && !seen[p])
                return false;
        return true;
    }
    }
    return false;
}

bool matches(const Json& v, const SchemaNode& n)
{
    MatchMemo memo;
    return matches(v, n, memo);
}

// A bounded number's shortest text: of either sign the shorter, the
// positive one on a tie.
void setRangedMinimal(SchemaNode& n)
{
    Frame plus, minus;
    plus.node = minus.node = &n;
    plus.state = kStart;
    minus.state = kMinus;
    minus.negative = true;
    std::string p, m = "-";
    const bool okPlus = rangedCompletion(n, plus, p), okMinus = rangedCompletion(n, minus, m);
    n.rangedMinimal = okPlus && (!okMinus || p.size() <= m.size()) ? p : m;
}

// The shortest value's size once what it holds is final (kMaxMinimal + 1:
// longer), and how deep its appendMinimal() recursion goes.
std::size_t sizeNow(SchemaNode& n)
{
    switch (n.kind) {
    case NodeKind::Any: return 1;
    case NodeKind::String: return saturatingAdd(std::min<std::size_t>(std::size_t(n.minLength), kMaxMinimal + 1), 2);
    case NodeKind::Number:
    case NodeKind::Integer: return n.ranged ? n.rangedMinimal.size() : 1;
    case NodeKind::Literal:
        n.literals.seal(false);
        return n.literals.text(n.literals.node(0).shortest).size();
    case NodeKind::Union: return n.minimalBranch->minimalSize;
    case NodeKind::Array: {
        LengthOut out;  // at most 2^31 items of at most 2^20 + 1 bytes: no overflow
        out.put('[');
        out.minimalItems(*n.items, 0, n.minItems);
        out.put(']');
        return std::min(out.length, kMaxMinimal + 1);
    }
    case NodeKind::Object: {
        LengthOut out;
        out.put('{');
        putRequiredAfter(out, n, -1, true);
        out.put('}');
        return std::min(out.length, kMaxMinimal + 1);
    }
    }
    return 1;
}

struct Builder {
    Builder(JsonSchema& s, const Json& d) : schema(s), document(d) {}

    JsonSchema& schema;
    const Json& document;
    SchemaNode* any = nullptr;
    std::string error;
    // Schema resources: the document, and each schema with an "$id" (up to
    // its fragment), by that "$id" as written. "#..." in a "$ref" is read in
    // the resource the "$ref" stands in: `base`, while building.
    struct Resource {
        const Json* json;
        std::string path;
    };
    std::unordered_map<std::string, Resource> resources;
    Resource base;
    // Schema objects built, or being built (a "$ref" back to one gets its
    // node before it is filled), and where each node stands, for errors.
    std::unordered_map<const Json*, const SchemaNode*> built;
    std::vector<std::string> paths;
    // enum/const members, filtered once every node is filled.
    struct List {
        SchemaNode* node;
        std::vector<std::pair<const Json*, std::string>> members;  // with their text
        std::string path;
        bool isEnum;
    };
    std::vector<List> lists;
    std::unordered_map<const Json*, std::unordered_map<std::string_view, const Json*>> keyIndex;  // large objects on pointer walks
    int depth = 0;                   // schemas being built, one inside another
    // By node index: the keyword a union stands for (for errors), and
    // whether it is resolved.
    std::vector<const char*> unionKeyword;
    std::vector<char> resolved;

    SchemaNode* make(NodeKind kind, const std::string& path)
    {
        schema.m_nodes.push_back(std::make_unique<SchemaNode>());
        SchemaNode* n = schema.m_nodes.back().get();
        n->kind = kind;
        n->index = static_cast<std::uint32_t>(schema.m_nodes.size() - 1);
        paths.push_back(path);
        unionKeyword.push_back(nullptr);
        resolved.push_back(0);
        return n;
    }
    SchemaNode& node(std::size_t index) { return *schema.m_nodes[index]; }

    bool fail(const std::string& path, const std::string& what)
    {
        error = "JSON schema: " + path + " " + what;
        return false;
    }
    bool failKeyword(const std::string& path, std::string_view keyword, const std::string& what)
    {
        error = "JSON schema: \"" + std::string(keyword) + "\" at " + path + "/" + pointerPart(keyword) + " " + what;
        return false;
    }

    void setAny(SchemaNode& n) const
    {
        n.kind = NodeKind::Any;
        n.additional = any;
        n.items = any;
        n.literals = any->literals;
    }

    // The node of schema j, which stands at `path` (in resource `in`, or the
    // one being built). A schema that is only a reference (a "$ref", or a
    // combinator of one schema, with nothing beside that narrows it) is the
    // node it refers to; chains of them are followed here, in a loop.
    const SchemaNode* build(const Json& j, const std::string& path, const Resource* in = nullptr)
    {
        const Json* at = &j;
        std::string where = path;
        Resource resource = in ? *in : base;
        std::vector<const Json*> chain;  // references followed, and where they stand
        std::vector<std::string> route;
        std::unordered_set<const Json*> inChain;
        const SchemaNode* result = nullptr;
        for (;;) {
            if (at->type == Json::Type::Bool && at->b) {
                result = any;
                break;
            }
            if (at->type != Json::Type::Object) {
                fail(where, "must be a schema (an object, or true)");
                return nullptr;
            }
            if (const auto it = built.find(at); it != built.end()) {
                result = it->second;
                break;
            }
            const char* combinator = nullptr;
            if (!knownKeywords(*at, where, combinator))
                return nullptr;
            if (idOf(*at))
                resource = {at, where};
            const Json* joined = combinator ? at->get(combinator) : nullptr;
            const bool alias = joined && !at->get("type") && !at->get("enum") && !at->get("const")
                && (joined->type != Json::Type::Array || joined->arr.size() == 1);
            if (!alias) {
                result = buildSchema(*at, where, resource, combinator);
                if (!result)
                    return nullptr;
                break;
            }
            std::vector<std::pair<const Json*, std::string>> only;
            if (!branchesOf(*at, combinator, where, resource, only))
                return nullptr;
            const Json* target = only.front().first;
            std::string targetPath = std::move(only.front().second);
            chain.push_back(at);
            route.push_back(where);
            inChain.insert(at);
            if (inChain.count(target)) {
                const auto first = std::find(chain.begin(), chain.end(), target) - chain.begin();
                // The loop, its middle left out when long.
                std::string loop;
                for (auto k = std::size_t(first); k < route.size(); ++k) {
                    if (k == std::size_t(first) + 4 && route.size() - k > 4) {
                        loop += "(" + std::to_string(route.size() - k - 4) + " more) -> ";
                        k = route.size() - 4;
                    }
                    loop += route[k] + " -> ";
                }
                failKeyword(where, combinator, "closes a loop of references with no schema in between (" + loop + targetPath + ")");
                return nullptr;
            }
            at = target;
            where = std::move(targetPath);
        }
        for (const Json* c : chain)
            built[c] = result;
        return result;
    }

    // Every keyword known; at most one combinator, and beside it only what
    // narrows it (and annotations). Which it is, or null.
    bool knownKeywords(const Json& j, const std::string& path, const char*& combinator)
    {
        combinator = nullptr;
        for (const auto& [key, v] : j.obj) {
            if (!listed(std::begin(kSupported), std::end(kSupported), key) && !listed(std::begin(kIgnored), std::end(kIgnored), key)) {
                std::string list;
                for (const char* k : kSupported)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                return failKeyword(path, key, "is not supported by constrained output (it supports " + list + "; annotations are ignored)");
            }
            for (const char* c : kCombinators) {
                if (key != c)
                    continue;
                if (combinator)
                    return failKeyword(path, key, "beside \"" + std::string(combinator)
                                                      + "\" is not supported by constrained output (one of \"$ref\", \"anyOf\", \"oneOf\", \"allOf\" a schema)");
                combinator = c;
            }
        }
        if (combinator)
            for (const auto& [key, v] : j.obj)
                if (key != combinator && listed(std::begin(kSupported), std::end(kSupported), key)
                    && !listed(std::begin(kNarrowing), std::end(kNarrowing), key))
                    return failKeyword(path, key, "beside \"" + std::string(combinator)
                                                      + "\" is not supported by constrained output (only \"type\", \"enum\", \"const\" and annotations may stand beside it)");
        return true;
    }

    // The schemas a combinator joins, with where they stand. For "$ref" the
    // one it points to, and `resource` becomes that one's.
    bool branchesOf(const Json& j, const char* combinator, const std::string& path, Resource& resource,
                    std::vector<std::pair<const Json*, std::string>>& out)
    {
        const Json& v = *j.get(combinator);
        const std::string_view name = combinator;
        if (name == "$ref") {
            const Json* target = nullptr;
            std::string targetPath;
            if (!reference(v, path, resource, target, targetPath))
                return false;
            out.emplace_back(target, std::move(targetPath));
            return true;
        }
        if (v.type != Json::Type::Array || v.arr.empty())
            return failKeyword(path, name, "must be a non-empty array of schemas");
        if (name == "allOf" && v.arr.size() > 1)
            return failKeyword(path, name, "has " + std::to_string(v.arr.size())
                                               + " branches: constrained output supports \"allOf\" with one branch only (which it is)");
        for (std::size_t i = 0; i < v.arr.size(); ++i)
            out.emplace_back(&v.arr[i], path + "/" + combinator + "/" + std::to_string(i));
        return true;
    }

    const Json* lookup(const Json& object, const std::string& key)
    {
        if (object.obj.size() < 16)
            return object.get(key);
        auto& index = keyIndex[&object];
        if (index.empty())
            for (const auto& [k, v] : object.obj)
                index.emplace(k, &v);
        const auto it = index.find(key);
        return it == index.end() ? nullptr : it->second;
    }

    // The "$id" that makes a schema a resource of its own ("#name" is an
    // anchor, not one), or null.
    const Json* idOf(const Json& j)
    {
        const Json* id = j.type == Json::Type::Object ? lookup(j, "$id") : nullptr;
        return id && id->type == Json::Type::String && !id->str.empty() && id->str[0] != '#' ? id : nullptr;
    }

    // Every object with an "$id" in the document (but inside values:
    // enum, const, default, examples), found once, without recursion.
    void findResources()
    {
        std::vector<std::pair<const Json*, std::string>> stack{{&document, "#"}};
        while (!stack.empty()) {
            const auto [j, path] = std::move(stack.back());
            stack.pop_back();
            if (const Json* id = idOf(*j))
                resources.emplace(id->str.substr(0, id->str.find('#')), Resource{j, path});
            if (j->type == Json::Type::Array)
                for (std::size_t i = 0; i < j->arr.size(); ++i)
                    stack.emplace_back(&j->arr[i], path + "/" + std::to_string(i));
            else if (j->type == Json::Type::Object)
                for (const auto& [k, v] : j->obj)
                    if (k != "enum" && k != "const" && k != "default" && k != "examples")
                        stack.emplace_back(&v, path + "/" + pointerPart(k));
        }
    }

    // The schema a "$ref" (standing in the schema at `path`, in `resource`)
    // points to, with its JSON pointer; `resource` becomes the target's.
    // "#", "#/$defs/Name", any JSON pointer (~0 ~1 escaped, %-encoded as a
    // URI fragment), in this resource or, after its "$id" as written, in
    // another of the document.
    bool reference(const Json& ref, const std::string& path, Resource& resource, const Json*& target, std::string& targetPath)
    {
        if (ref.type != Json::Type::String)
            return failKeyword(path, "$ref", "must be a string");
        const std::string quoted = "is \"" + ref.str + "\", ";
        const std::size_t hash = ref.str.find('#');
        const std::string uri = ref.str.substr(0, hash);
        if (!uri.empty()) {
            const auto it = resources.find(uri);
            if (it == resources.end())
                return failKeyword(path, "$ref", quoted + "a remote reference: constrained output supports only references inside the schema (\"#\", \"#/$defs/Name\", another JSON pointer after \"#\", or one after the \"$id\" of a schema in it)");
            resource = it->second;
        }
        const std::string_view r = hash == std::string::npos ? std::string_view() : std::string_view(ref.str).substr(hash);
        std::string pointer;
        for (std::size_t i = 1; i < r.size(); ++i) {
            if (r[i] != '%') {
                pointer += r[i];
                continue;
            }
            const int high = i + 2 < r.size() ? hexDigit(r[i + 1]) : -1, low = i + 2 < r.size() ? hexDigit(r[i + 2]) : -1;
            if (high < 0 || low < 0)
                return failKeyword(path, "$ref", quoted + "which has a bad %-escape");
            pointer += char(high * 16 + low);
            i += 2;
        }
        if (!pointer.empty() && pointer[0] != '/')
            return failKeyword(path, "$ref", quoted + "a reference to an anchor, which constrained output does not support (use a JSON pointer: \"#/$defs/Name\")");
        target = resource.json;
        targetPath = resource.path;
        const std::string within = resource.json == &document ? std::string()
                                                              : "; \"#\" there is the schema at " + resource.path + ", which has an \"$id\"";
        for (std::size_t i = 0; i < pointer.size();) {
            const std::size_t end = std::min(pointer.find('/', i + 1), pointer.size());
            std::string token;
            for (std::size_t k = i + 1; k < end; ++k) {
                if (pointer[k] != '~') {
                    token += pointer[k];
                } else if (k + 1 < end && (pointer[k + 1] == '0' || pointer[k + 1] == '1')) {
                    token += pointer[++k] == '0' ? '~' : '/';
                } else {
                    return failKeyword(path, "$ref", quoted + "whose JSON pointer has a bad ~ escape (only ~0 and ~1)");
                }
            }
            const Json* next = nullptr;
            if (target->type == Json::Type::Object) {
                next = lookup(*target, token);
            } else if (target->type == Json::Type::Array && !token.empty() && token.size() < 10
                       && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }) && (token == "0" || token[0] != '0')) {
                const auto k = std::stoul(token);
                next = k < target->arr.size() ? &target->arr[k] : nullptr;
            }
            if (!next)
                return failKeyword(path, "$ref", quoted + "which points to nothing in the schema (" + targetPath + " has no \"" + token + "\"" + within + ")");
            target = next;
            targetPath += "/" + pointerPart(token);
            if (idOf(*target))
                resource = {target, targetPath};
            i = end;
        }
        return true;
    }

    // A schema object that is not only a reference: its node, filled (its
    // children may still be filling).
    SchemaNode* buildSchema(const Json& j, const std::string& path, const Resource& resource, const char* combinator)
    {
        if (depth >= kMaxNesting) {
            fail(path, "nests schemas more than " + std::to_string(kMaxNesting) + " deep (through \"$ref\")");
            return nullptr;
        }
        ++depth;
        struct Leave {
            Builder& b;
            Resource outer;
            ~Leave()
            {
                --b.depth;
                b.base = outer;
            }
        } leave{*this, base};
        base = resource;
        SchemaNode* n = make(NodeKind::Any, path);
        built[&j] = n;
        const Json* t = j.get("type");
        unsigned types = kAllTypes;
        if (t && !typesOf(*t, path, types))
            return nullptr;
        // With enum/const, the node lists the members, and the rest of the
        // schema is a node of its own that the members must match.
        const bool list = j.get("enum") || j.get("const");
        SchemaNode* rest = list ? make(NodeKind::Any, path) : n;
        if (combinator || (t && (types & (types - 1)))) {
            // A union: of the schemas joined, narrowed to `types`, or of one
            // schema a type of the list, each with the keywords of its type.
            rest->kind = NodeKind::Union;
            rest->types = types;
            rest->oneOf = combinator && std::string_view(combinator) == "oneOf";
            unionKeyword[rest->index] = combinator ? combinator : "type";
            if (combinator) {
                std::vector<std::pair<const Json*, std::string>> joined;
                Resource at = resource;
                if (!branchesOf(j, combinator, path, at, joined))
                    return nullptr;
                for (const auto& [b, where] : joined) {
                    const SchemaNode* branch = build(*b, where, &at);
                    if (!branch)
                        return nullptr;
                    rest->branches.push_back(branch);
                }
            } else {
                for (std::size_t k = 0; k < std::size(kTypeNames); ++k) {
                    if (!(types & (1u << k)))
                        continue;
                    SchemaNode* branch = make(NodeKind::Any, path);
                    if (!typed(j, kTypeNames[k], path, *branch))
                        return nullptr;
                    rest->branches.push_back(branch);
                }
            }
        } else {
            std::string type;
            if (t) {
                type = kTypeNames[__builtin_ctz(types)];
            } else {
                auto has = [&](std::initializer_list<const char*> keys) {
                    return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return j.get(k) != nullptr; });
                };
                type = has({"properties", "additionalProperties", "required"})            ? "object"
                       : has({"items", "minItems", "maxItems"})                              ? "array"
                       : has({"minLength", "maxLength"})                                     ? "string"
                       : has({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) ? "number"
                                                                                             : "";
            }
            if (!typed(j, type, path, *rest))
                return nullptr;
        }
        if (list && !literals(j, *n, rest, path))
            return nullptr;
        return n;
    }

    // "type": one name or a non-empty list of them, as a set.
    bool typesOf(const Json& t, const std::string& path, unsigned& types)
    {
        types = 0;
        const bool many = t.type == Json::Type::Array;
        const std::size_t count = many ? t.arr.size() : 1;
        for (std::size_t i = 0; i < count; ++i) {
            const Json& name = many ? t.arr[i] : t;
            if (name.type != Json::Type::String)
                return fail(path + "/type", "must be a type name or a non-empty list of them");
            const auto k = std::find_if(std::begin(kTypeNames), std::end(kTypeNames), [&](const char* n) { return name.str == n; });
            if (k == std::end(kTypeNames))
                return fail(path + "/type", "is \"" + name.str + "\", which is not a JSON Schema type");
            types |= 1u << (k - std::begin(kTypeNames));
        }
        return types || fail(path + "/type", "must be a type name or a non-empty list of them");
    }

    // Fills n with `type` and its keywords (Any for "").
    bool typed(const Json& j, const std::string& type, const std::string& path, SchemaNode& n)
    {
        if (type.empty()) {
            setAny(n);
            return true;
        }
        if (type == "string") {
            n.kind = NodeKind::String;
            return counts(j, "minLength", "maxLength", path, n.minLength, n.maxLength);
        }
        if (type == "integer" || type == "number") {
            n.kind = type == "integer" ? NodeKind::Integer : NodeKind::Number;
            const bool bounded = j.get("minimum") || j.get("maximum") || j.get("exclusiveMinimum") || j.get("exclusiveMaximum");
            if (n.kind == NodeKind::Integer || bounded) {
                n.ranged = true;
                n.frac = n.kind == NodeKind::Integer ? 0 : kMaxDigits;
                if (!bounds(j, path, n))
                    return false;
                setRangedMinimal(n);
            }
            return true;
        }
        if (type == "boolean" || type == "null") {
            n.kind = NodeKind::Literal;
            if (type == "null") {
                n.literals.add("null");
                n.canonicalMembers = {"null"};
            } else {
                n.literals.add("true");
                n.literals.add("false");
                n.canonicalMembers = {"true", "false"};
            }
            return true;
        }
        if (type == "array") {
            n.kind = NodeKind::Array;
            n.items = any;
            const Json* items = j.get("items");
            if (items && items->type == Json::Type::Array)
                return fail(path + "/items", "is an array (tuple items), which constrained output does not support");
            const bool none = items && items->type == Json::Type::Bool && !items->b;  // no item matches: empty arrays
            if (items && !none && !(n.items = build(*items, path + "/items")))
                return false;
            if (!counts(j, "minItems", "maxItems", path, n.minItems, n.maxItems))
                return false;
            if (none) {
                if (n.minItems > 0)
                    return fail(path, "needs " + std::to_string(n.minItems) + " items, but items is false");
                n.maxItems = 0;
            }
            return true;
        }
        if (type == "object")
            return object(j, path, n);
        return fail(path + "/type", "is \"" + type + "\", which is not a JSON Schema type");
    }

    bool object(const Json& j, const std::string& path, SchemaNode& n)
    {
        n.kind = NodeKind::Object;
        n.additional = any;
        if (const Json* a = j.get("additionalProperties")) {
            if (a->type == Json::Type::Bool && !a->b)
                n.additional = nullptr;
            else if (!(n.additional = build(*a, path + "/additionalProperties")))
                return false;
        }
        std::unordered_map<std::string, int> index;
        if (const Json* props = j.get("properties")) {
            if (props->type != Json::Type::Object)
                return fail(path + "/properties", "must be an object");
            for (const auto& [name, sub] : props->obj) {
                if (sub.type == Json::Type::Bool && !sub.b) {  // the property must not be present
                    n.forbidden.push_back(name);
                    continue;
                }
                const SchemaNode* v = build(sub, path + "/properties/" + pointerPart(name));
                if (!v)
                    return false;
                index[name] = n.names.add(escaped(name));
                n.values.push_back(v);
                n.required.push_back(false);
            }
        }
        if (const Json* req = j.get("required")) {
            if (req->type != Json::Type::Array)
                return fail(path + "/required", "must be an array of names");
            for (const auto& r : req->arr) {
                if (r.type != Json::Type::String)
                    return fail(path + "/required", "must be an array of names");
                if (std::find(n.forbidden.begin(), n.forbidden.end(), r.str) != n.forbidden.end())
                    return fail(path, "requires \"" + r.str + "\", whose schema is false");
                auto it = index.find(r.str);
                if (it == index.end()) {
                    // Not among the properties: additionalProperties decides its value.
                    if (!n.additional)
                        return fail(path, "requires \"" + r.str + "\", which is not among its properties and additionalProperties is false");
                    it = index.emplace(r.str, n.names.add(escaped(r.str))).first;
                    n.values.push_back(n.additional);
                    n.required.push_back(false);
                }
                n.required[std::size_t(it->second)] = true;
            }
        }
        n.names.seal(true);
        // Free keys could write a forbidden one: with one, only the named
        // properties are written.
        n.freeObject = n.values.empty() && n.additional && n.forbidden.empty();
        const std::size_t props = n.values.size();
        n.nextRequired.assign(props + 1, static_cast<int>(props));
        for (std::size_t p = props; p-- > 0;)
            n.nextRequired[p] = n.required[p] ? static_cast<int>(p) : n.nextRequired[p + 1];
        return true;
    }

    // A whole number from 0 (saturated at INT_MAX).
    bool count(const Json& j, const char* key, const std::string& path, int& out)
    {
        const Json* v = j.get(key);
        if (!v)
            return true;
        if (v->type == Json::Type::Number) {
            const Decimal d = decimalOf(v->raw);
            if (!d.negative && isInteger(d)) {
                out = static_cast<int>(std::min<Wide>(scaled(d, 0, false), INT_MAX));
                return true;
            }
        }
        return fail(path + "/" + key, "must be a whole number from 0");
    }

    // A lower and an upper count (-1: none), the upper not below the lower.
    bool counts(const Json& j, const char* lowKey, const char* highKey, const std::string& path, int& low, int& high)
    {
        if (!count(j, lowKey, path, low) || !count(j, highKey, path, high))
            return false;
        return high < 0 || high >= low || fail(path, std::string("has ") + highKey + " below " + lowKey);
    }

    bool bounds(const Json& j, const std::string& path, SchemaNode& n)
    {
        const Wide cap = pow10(kMaxDigits + n.frac) - 1;
        n.lo = -cap;
        n.hi = cap;
        for (const char* key : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
            const Json* v = j.get(key);
            if (!v)
                continue;
            const bool exclusive = key[0] == 'e';
            const bool lower = std::strstr(key, "inimum") != nullptr;
            if (exclusive && v->type == Json::Type::Bool)
                continue;  // draft 4: it modifies minimum/maximum (below)
            if (v->type != Json::Type::Number)
                return fail(path + "/" + key, exclusive ? "must be a number (or, as in draft 4, a boolean)" : "must be a number");
            bool strict = exclusive;
            if (!exclusive) {
                const Json* flag = j.get(lower ? "exclusiveMinimum" : "exclusiveMaximum");
                strict = flag && flag->type == Json::Type::Bool && flag->b;
            }
            const Decimal d = decimalOf(v->raw);
            // Values are multiples of 10^-frac: round the bound inwards.
            if (lower)
                n.lo = std::max(n.lo, strict ? scaled(d, n.frac, false) + 1 : scaled(d, n.frac, true));
            else
                n.hi = std::min(n.hi, strict ? scaled(d, n.frac, true) - 1 : scaled(d, n.frac, false));
        }
        if (n.lo > n.hi)
            return fail(path, n.kind == NodeKind::Integer ? "has bounds that no integer of at most 15 digits meets"
                                                          : "has bounds that no number of at most 15 digits before and after the point meets");
        return true;
    }

    // enum/const: the node lists the members; those that `base` (the rest
    // of the schema) rules out are dropped by filterLists().
    bool literals(const Json& j, SchemaNode& lit, const SchemaNode* base, const std::string& path)
    {
        const Json* e = j.get("enum");
        const Json* c = j.get("const");
        if (e && (e->type != Json::Type::Array || e->arr.empty()))
            return fail(path + "/enum", "must be a non-empty array");
        lit.kind = NodeKind::Literal;
        lit.filter = base->kind == NodeKind::Any ? nullptr : base;
        List list{&lit, {}, path, e != nullptr};
        const std::string constValue = c ? canonical(*c) : std::string();
        auto offer = [&](const Json& m) {
            std::string value = canonical(m);
            if (c && value != constValue)
                return;
            std::string text = serialize(m);
            lit.canonicalMembers.insert(std::move(value));
            lit.literals.add(text);
            list.members.emplace_back(&m, std::move(text));
        };
        if (e)
            for (const auto& m : e->arr)
                offer(m);
        else
            offer(*c);
        lists.push_back(std::move(list));
        return true;
    }

    // Each list keeps the members that match its filter (until now it held
    // them all: matches() on it meant the same, as it checks the filter too).
    bool filterLists()
    {
        for (List& l : lists) {
            TextTrie kept;
            for (const auto& [m, text] : l.members)
                if (!l.node->filter || matches(*m, *l.node->filter))
                    kept.add(text);
            if (kept.size() == 0)
                return fail(l.path, l.isEnum ? "has no enum member that the rest of the schema allows" : "has a const that the rest of the schema rules out");
            l.node->literals = std::move(kept);
        }
        return true;
    }

    // The links a value does not move along: from a union to its branches,
    // from a list to its filter. A cycle of them is a schema that is itself
    // before any value is written (A = anyOf [A, ...]); a long chain would
    // be deep recursion in resolve() and matches(). Both are refused.
    bool links()
    {
        const std::size_t count = schema.m_nodes.size();
        std::vector<std::uint8_t> state(count, 0);  // 0 unseen, 1 on the walk, 2 done
        std::vector<int> height(count, 0);           // the longest chain of links from the node
        auto link = [](const SchemaNode& n, std::size_t k) -> const SchemaNode* {
            if (n.kind == NodeKind::Union)
                return k < n.branches.size() ? n.branches[k] : nullptr;
            return n.kind == NodeKind::Literal && k == 0 ? n.filter : nullptr;
        };
        std::vector<std::pair<std::uint32_t, std::size_t>> walk;  // node, next link
        for (std::uint32_t start = 0; start < count; ++start) {
            if (state[start])
                continue;
            state[start] = 1;
            walk.assign(1, {start, 0});
            while (!walk.empty()) {
                const std::uint32_t i = walk.back().first;
                const SchemaNode* next = link(node(i), walk.back().second++);
                if (!next) {
                    state[i] = 2;
                    walk.pop_back();
                    if (height[i] > kMaxNesting)
                        return fail(paths[i], "joins schemas more than " + std::to_string(kMaxNesting)
                                                  + " deep through anyOf, oneOf, allOf and \"$ref\" with no value in between");
                    if (!walk.empty())
                        height[walk.back().first] = std::max(height[walk.back().first], height[i] + 1);
                } else if (state[next->index] == 1) {
                    return fail(paths[next->index], "is itself before any value is written (through anyOf, oneOf, allOf or \"$ref\": "
                                                    "left recursion), which describes no value constrained output can write");
                } else if (state[next->index] == 2) {
                    height[i] = std::max(height[i], height[next->index] + 1);
                } else {
                    state[next->index] = 1;
                    walk.emplace_back(next->index, 0);
                }
            }
        }
        return true;
    }

    // ---- unions

    // Whether node n (no union) allows values of class c.
    static bool inClass(const SchemaNode& n, int c)
    {
        switch (n.kind) {
        case NodeKind::Any: return true;
        case NodeKind::Object: return c == kObjectClass;
        case NodeKind::Array: return c == kArrayClass;
        case NodeKind::String: return c == kStringClass;
        case NodeKind::Number:
        case NodeKind::Integer: return c == kNumberClass;
        case NodeKind::Literal:
            for (int k = n.literals.node(0).firstChild; k >= 0; k = n.literals.node(k).nextSibling)
                if (classOf(n.literals.node(k).byte) == c)
                    return true;
            return false;
        case NodeKind::Union: return false;
        }
        return false;
    }

    // The members of class c and of `types`: the node itself when that is
    // all of them, none (null), or a new list.
    const SchemaNode* literalPart(const SchemaNode& n, int c, unsigned types, const std::string& path)
    {
        TextTrie part;
        bool all = true;
        for (int t = 0; t < n.literals.size(); ++t) {
            const std::string& text = n.literals.text(t);
            if (classOf(static_cast<unsigned char>(text[0])) == c && (types == kAllTypes || typeAllows(types, parsed(text))))
                part.add(text);
            else
                all = false;
        }
        if (all || part.size() == 0)
            return part.size() ? &n : nullptr;
        SchemaNode* p = make(NodeKind::Literal, path);
        p->literals = std::move(part);
        return p;
    }

    // Any value of class c and of `types`, or null.
    const SchemaNode* plain(int c, unsigned types, const std::string& path)
    {
        static const Json none = [] {
            Json j;
            j.type = Json::Type::Object;
            return j;
        }();
        const char* type = c == kObjectClass && (types & kObjectType)   ? "object"
                           : c == kArrayClass && (types & kArrayType)   ? "array"
                           : c == kStringClass && (types & kStringType) ? "string"
                           : c == kNumberClass && (types & kNumberType) ? "number"
                           : c == kNumberClass && (types & kIntegerType) ? "integer"
                                                                         : nullptr;
        if (!type && (c != kWordClass || !(types & (kBooleanType | kNullType))))
            return nullptr;
        SchemaNode* n = make(NodeKind::Literal, path);
        if (type) {
            typed(none, type, path, *n);
            return n;
        }
        if (types & kBooleanType) {
            n->literals.add("true");
            n->literals.add("false");
        }
        if (types & kNullType)
            n->literals.add("null");
        return n;
    }

    // The integers of a number node (empty: null).
    const SchemaNode* integersOf(const SchemaNode& number, const std::string& path)
    {
        SchemaNode* n = make(NodeKind::Integer, path);
        n->ranged = true;
        const Wide cap = pow10(kMaxDigits) - 1, unit = pow10(number.frac);
        auto floorDiv = [](Wide a, Wide d) { return a >= 0 ? a / d : -((-a + d - 1) / d); };
        n->lo = number.ranged ? std::max(-cap, -floorDiv(-number.lo, unit)) : -cap;
        n->hi = number.ranged ? std::min(cap, floorDiv(number.hi, unit)) : cap;
        if (n->lo > n->hi)
            return nullptr;
        setRangedMinimal(*n);
        return n;
    }

    // What node n (no union) allows of class c and of `types` (the "type"
    // beside the union): n itself, part of it, or null.
    const SchemaNode* narrowed(const SchemaNode& n, int c, unsigned types, const std::string& path)
    {
        if (n.kind == NodeKind::Literal)
            return literalPart(n, c, types, path);
        if (types == kAllTypes)
            return &n;
        switch (n.kind) {
        case NodeKind::Any: return plain(c, types, path);
        case NodeKind::Object: return types & kObjectType ? &n : nullptr;
        case NodeKind::Array: return types & kArrayType ? &n : nullptr;
        case NodeKind::String: return types & kStringType ? &n : nullptr;
        case NodeKind::Integer: return types & (kNumberType | kIntegerType) ? &n : nullptr;
        case NodeKind::Number: return types & kNumberType ? &n : types & kIntegerType ? integersOf(n, path) : nullptr;
        default: return nullptr;
        }
    }

    static Json parsed(const std::string& text)  // a member's text: valid JSON
    {
        Json v;
        std::string error;
        Reader(text).parse(v, error);
        return v;
    }

    // [lo1, hi1] and [lo2, hi2] as one range: for anyOf they must overlap
    // or touch; for oneOf touch and not overlap.
    static bool joinRanges(Wide lo1, Wide hi1, Wide lo2, Wide hi2, bool oneOf, const char* what, std::string& why)
    {
        const Wide lo = std::max(lo1, lo2), hi = std::min(hi1, hi2);
        if (oneOf && lo <= hi) {
            why = "they overlap, and oneOf needs each value to match exactly one branch";
            return false;
        }
        if (lo > hi + 1) {
            why = std::string("their ") + what + " leave a gap, so no one schema is their union";
            return false;
        }
        return true;
    }

    // a and b (no unions, not both lists: see resolve()), branches of one
    // class, as one node that allows exactly what either allows (for oneOf:
    // and never both); null with `why` when there is none.
    const SchemaNode* unite(const SchemaNode& a, const SchemaNode& b, bool oneOf, const std::string& path, std::string& why)
    {
        static const char* const kOverlap = "they overlap, and oneOf needs each value to match exactly one branch";
        if (&a == &b || a.kind == NodeKind::Any || b.kind == NodeKind::Any) {
            why = kOverlap;
            return oneOf ? nullptr : (&a == &b || a.kind == NodeKind::Any) ? &a : &b;
        }
        if (a.kind == NodeKind::Literal || b.kind == NodeKind::Literal) {
            // Members inside the other branch: that branch is the union.
            const SchemaNode& list = a.kind == NodeKind::Literal ? a : b;
            const SchemaNode& other = &list == &a ? b : a;
            bool all = true, none = true;
            for (int t = 0; t < list.literals.size(); ++t)
                (matches(parsed(list.literals.text(t)), other) ? none : all) = false;
            if (oneOf || !all) {
                why = oneOf && !none ? kOverlap : "one lists values the other does not allow, so no one schema is their union";
                return nullptr;
            }
            return &other;
        }
        const Wide none = Wide(INT_MAX) + 1;  // no maxLength, no maxItems
        switch (a.kind) {
        case NodeKind::Object: why = "two object schemas cannot be merged into one"; return nullptr;
        case NodeKind::Array: {
            if (a.items != b.items) {
                why = "their items differ, so no one array schema is their union";
                return nullptr;
            }
            if (!joinRanges(a.minItems, a.maxItems < 0 ? none : a.maxItems, b.minItems, b.maxItems < 0 ? none : b.maxItems, oneOf, "item counts", why))
                return nullptr;
            SchemaNode* n = make(NodeKind::Array, path);
            n->items = a.items;
            n->minItems = std::min(a.minItems, b.minItems);
            n->maxItems = a.maxItems < 0 || b.maxItems < 0 ? -1 : std::max(a.maxItems, b.maxItems);
            return n;
        }
        case NodeKind::String: {
            if (!joinRanges(a.minLength, a.maxLength < 0 ? none : a.maxLength, b.minLength, b.maxLength < 0 ? none : b.maxLength, oneOf, "lengths", why))
                return nullptr;
            SchemaNode* n = make(NodeKind::String, path);
            n->minLength = std::min(a.minLength, b.minLength);
            n->maxLength = a.maxLength < 0 || b.maxLength < 0 ? -1 : std::max(a.maxLength, b.maxLength);
            return n;
        }
        default: break;
        }
        // Numbers and integers. An unbounded number holds every number.
        const SchemaNode& wide = a.kind == NodeKind::Number && (!a.ranged || b.kind == NodeKind::Integer) ? a : b;
        const SchemaNode& other = &wide == &a ? b : a;
        if (wide.kind == NodeKind::Number && !wide.ranged) {
            why = kOverlap;
            return oneOf ? nullptr : &wide;
        }
        if (wide.kind != other.kind) {
            // Bounded numbers and integers: one node if the integers lie in
            // the numbers' range (then they overlap).
            const Wide unit = pow10(wide.frac);
            if (!oneOf && other.lo * unit >= wide.lo && other.hi * unit <= wide.hi)
                return &wide;
            why = oneOf ? "numbers and integers together cannot be told apart by oneOf" : "the integers' range is not inside the numbers' range, so no one schema is their union";
            return nullptr;
        }
        if (!joinRanges(a.lo, a.hi, b.lo, b.hi, oneOf, "ranges", why))
            return nullptr;
        SchemaNode* n = make(a.kind, path);
        n->ranged = true;
        n->frac = a.frac;
        n->lo = std::min(a.lo, b.lo);
        n->hi = std::max(a.hi, b.hi);
        setRangedMinimal(*n);
        return n;
    }

    // The node for each class of first byte: the branches' nodes of that
    // class (unions resolved first), narrowed to the types beside, united.
    bool resolve(SchemaNode& u)
    {
        if (resolved[u.index])
            return true;
        const std::string path = paths[u.index];  // a copy: make() grows paths
        struct Part {
            const SchemaNode* node;
            std::size_t branch;
        };
        std::array<std::vector<Part>, kClasses> parts;
        for (std::size_t i = 0; i < u.branches.size(); ++i) {
            const SchemaNode* b = u.branches[i];
            if (b->kind == NodeKind::Union && !resolve(node(b->index)))
                return false;
            for (int c = 0; c < kClasses; ++c) {
                const SchemaNode* part = b->kind == NodeKind::Union ? b->dispatch[std::size_t(c)] : inClass(*b, c) ? b : nullptr;
                if (part && (part = narrowed(*part, c, u.types, path)))
                    parts[std::size_t(c)].push_back({part, i});
            }
        }
        bool some = false;
        for (int c = 0; c < kClasses; ++c) {
            const auto& list = parts[std::size_t(c)];
            if (list.empty())
                continue;
            auto failBoth = [&](std::size_t a, std::size_t b, const std::string& why) {
                const std::string keyword = unionKeyword[u.index];
                error = "JSON schema: \"" + keyword + "\" at " + path + "/" + pointerPart(keyword) + ": branches " + std::to_string(std::min(a, b)) + " and "
                    + std::to_string(std::max(a, b)) + " are both " + kClassNames[c] + ", and " + why
                    + " (constrained output picks a branch by the value's first byte, so the branches must be of different "
                      "JSON types: object, array, string, number, true/false/null; or merge exactly)";
                return false;
            };
            // Lists first, into one (for oneOf, no value twice), then the
            // rest one by one.
            const SchemaNode* united = nullptr;
            std::size_t first = 0;
            SchemaNode* members = nullptr;
            std::unordered_map<std::string, std::size_t> from;  // oneOf: canonical member -> branch
            for (const Part& part : list) {
                if (part.node->kind != NodeKind::Literal)
                    continue;
                if (!united) {
                    united = part.node;
                    first = part.branch;
                } else if (!members) {
                    members = make(NodeKind::Literal, path);
                    members->literals = united->literals;
                    united = members;
                }
                for (int t = 0; t < part.node->literals.size(); ++t) {
                    const std::string& text = part.node->literals.text(t);
                    if (u.oneOf) {
                        const auto [at, fresh] = from.emplace(canonical(parsed(text)), part.branch);
                        if (!fresh && at->second != part.branch)
                            return failBoth(at->second, part.branch, "both allow " + text + ", and oneOf needs each value to match exactly one branch");
                    }
                    if (members)
                        members->literals.add(text);
                }
            }
            for (const Part& part : list) {
                if (part.node->kind == NodeKind::Literal)
                    continue;
                if (!united) {
                    united = part.node;
                    first = part.branch;
                    continue;
                }
                std::string why;
                if (!(united = unite(*united, *part.node, u.oneOf, path, why)))
                    return failBoth(first, part.branch, why);
            }
            u.dispatch[std::size_t(c)] = united;
            some = true;
        }
        if (!some)
            return failKeyword(path, "type", "rules out every value that \"" + std::string(unionKeyword[u.index]) + "\" beside it allows");
        resolved[u.index] = 1;
        return true;
    }

    // What the automaton can reach from the root, each node once; unions
    // are resolved on the way.
    bool reach(const SchemaNode* root, std::vector<SchemaNode*>& order)
    {
        std::vector<char> seen;
        std::vector<const SchemaNode*> stack{root};
        while (!stack.empty()) {
            const SchemaNode* n = stack.back();
            stack.pop_back();
            seen.resize(schema.m_nodes.size());
            if (seen[n->index])
                continue;
            seen[n->index] = 1;
            order.push_back(&node(n->index));
            if (n->kind == NodeKind::Object) {
                stack.insert(stack.end(), n->values.begin(), n->values.end());
                if (n->freeObject)
                    stack.push_back(n->additional);
            } else if (n->kind == NodeKind::Array) {
                stack.push_back(n->items);
            } else if (n->kind == NodeKind::Union) {
                if (!resolve(node(n->index)))
                    return false;
                for (const SchemaNode* d : n->dispatch)
                    if (d)
                        stack.push_back(d);
            }
        }
        return true;
    }

    // The nodes `n` needs final to know its shortest value (a union: one of them).
    static void needs(const SchemaNode& n, std::vector<const SchemaNode*>& out)
    {
        out.clear();
        if (n.kind == NodeKind::Object) {
            for (int p = n.nextRequired[0]; p < static_cast<int>(n.values.size()); p = n.nextRequired[std::size_t(p + 1)])
                out.push_back(n.values[std::size_t(p)]);
        } else if (n.kind == NodeKind::Array && n.minItems > 0) {
            out.push_back(n.items);
        } else if (n.kind == NodeKind::Union) {
            for (const SchemaNode* d : n.dispatch)
                if (d)
                    out.push_back(d);
        }
    }

    // The reachable nodes' shortest values (see above), checked, and the
    // tables objects complete with.
    bool settle(const SchemaNode* root)
    {
        std::vector<SchemaNode*> order;
        if (!reach(root, order))
            return false;
        const std::size_t count = schema.m_nodes.size();
        std::vector<std::vector<std::uint32_t>> users(count);  // who needs each node
        std::vector<int> waiting(count, 0), nesting(count, 0);
        std::vector<char> done(count, 0);
        using Entry = std::tuple<std::size_t, std::uint64_t, std::uint32_t>;  // size, order of push, node
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
        std::uint64_t pushes = 0;
        std::vector<const SchemaNode*> need;
        // Once all it needs is final: its size, and its nesting (the depth of
        // appendMinimal()'s recursion).
        // A union is ready with its first branch to be final: the shortest.
        auto ready = [&](SchemaNode& n) {
            n.minimalSize = sizeNow(n);
            needs(n, need);
            int deepest = 0;
            for (const SchemaNode* m : need)
                deepest = std::max(deepest, nesting[m->index]);
            nesting[n.index] = n.kind == NodeKind::Object || n.kind == NodeKind::Array ? std::min(deepest, kMaxNesting) + 1
                               : n.kind == NodeKind::Union                               ? nesting[n.minimalBranch->index]
                                                                                         : 0;
            heap.emplace(n.minimalSize, pushes++, n.index);
        };
        for (SchemaNode* n : order) {
            needs(*n, need);
            for (const SchemaNode* m : need)
                users[m->index].push_back(n->index);
            waiting[n->index] = n->kind == NodeKind::Union ? 1 : static_cast<int>(need.size());
            if (need.empty())
                ready(*n);
        }
        while (!heap.empty()) {
            const std::uint32_t i = std::get<2>(heap.top());
            heap.pop();
            if (done[i])
                continue;
            done[i] = 1;
            for (const std::uint32_t u : users[i]) {
                if (waiting[u] > 0 && --waiting[u] == 0) {
                    if (node(u).kind == NodeKind::Union)
                        node(u).minimalBranch = &node(i);
                    ready(node(u));
                }
            }
        }
        // An error names the node built last among those at fault: the
        // innermost, where the cause is.
        const SchemaNode* infinite = nullptr;
        const SchemaNode* large = nullptr;
        const SchemaNode* deep = nullptr;
        for (const SchemaNode* n : order) {
            auto later = [&](const SchemaNode*& worst) {
                if (!worst || n->index > worst->index)
                    worst = n;
            };
            if (!done[n->index])
                later(infinite);
            else if (n->minimalSize > kMaxMinimal)
                later(large);
            else if (nesting[n->index] > kMaxNesting)
                later(deep);
        }
        if (infinite)
            return fail(paths[infinite->index], "has no finite value: through \"$ref\" every value of it holds another without end "
                                               "(a recursive schema needs a way out: a property that is not required, an array that may be empty, "
                                               "or an anyOf branch without the recursion)");
        if (large)
            return fail(paths[large->index], "allows no value shorter than " + std::to_string(kMaxMinimal)
                                                 + " bytes (see its minLength, minItems, or what they hold)");
        if (deep)
            return fail(paths[deep->index], "has no value that nests fewer than " + std::to_string(kMaxNesting) + " levels deep");
        for (SchemaNode* n : order)
            if (n->kind == NodeKind::Object)
                tables(*n);
        return true;
    }

    // What an object's completion reads: the bytes of the required
    // properties after each one, and the cheapest one to write after a comma.
    static void tables(SchemaNode& n)
    {
        const std::size_t props = n.values.size();
        n.tail.assign(props + 1, 0);
        n.cheapestAfterComma.assign(props + 1, -1);
        for (std::size_t p = props; p-- > 0;) {
            LengthOut one;
            putProperty(one, ",\"", n, static_cast<int>(p));
            n.tail[p] = n.tail[p + 1] + (n.required[p] ? one.length : 0);
        }
        // After property p - 1 and a comma, the choice is among p up to
        // the next required one: the cheapest of p and that after p.
        for (std::size_t p = props; p-- > 0;) {
            const int after = n.required[p] ? -1 : n.cheapestAfterComma[p + 1];
            n.cheapestAfterComma[p] = after >= 0 && keyCost(n, after) < keyCost(n, static_cast<int>(p)) ? after : static_cast<int>(p);
        }
    }
};

void appendMinimal(const SchemaNode& n, std::string& out)
{
    switch (n.kind) {
    case NodeKind::Any: out += '0'; break;
    case NodeKind::String:
        out += '"';
        out.append(std::size_t(n.minLength), ' ');
        out += '"';
        break;
    case NodeKind::Number:
    case NodeKind::Integer: out += n.ranged ? n.rangedMinimal : std::string("0"); break;
    case NodeKind::Literal: out += n.literals.text(n.literals.node(0).shortest); break;
    case NodeKind::Array:
        out += '[';
        for (int i = 0; i < n.minItems; ++i) {
            if (i)
                out += ',';
            appendMinimal(*n.items, out);
        }
        out += ']';
        break;
    case NodeKind::Object: {
        TextOut text{out};
        text.put('{');
        putRequiredAfter(text, n, -1, true);
        text.put('}');
        break;
    }
    case NodeKind::Union: appendMinimal(*n.minimalBranch, out); break;
    }
}

} // namespace

Result<std::shared_ptr<const JsonSchema>> JsonSchema::parse(std::string_view schemaJson)
{
    Json j;
    std::string error;
    if (!Reader(schemaJson).parse(j, error))
        return Error{error};
    auto schema = std::make_shared<JsonSchema>();
    Builder b(*schema, j);
    SchemaNode* any = b.make(NodeKind::Any, "#");
    any->additional = any;
    any->items = any;
    for (const char* l : {"true", "false", "null"})
        any->literals.add(l);
    any->literals.seal(false);
    any->minimalSize = 1;
    b.any = any;
    b.base = {&j, "#"};
    b.findResources();
    const SchemaNode* root = b.build(j, "#");
    if (!root || !b.links() || !b.filterLists() || !b.settle(root))
        return Error{b.error};
    schema->m_root = root;
    return std::shared_ptr<const JsonSchema>(std::move(schema));
}

// ---- the automaton ---------------------------------------------------------------

namespace {

Frame valueFrame(const SchemaNode* node)
{
    Frame f;
    f.kind = kValue;
    f.node = node;
    return f;
}

bool unboundedTerminal(std::uint8_t s)
{
    return s == kZero || s == kInt || s == kFrac || s == kExpDigit;
}

bool numberTerminal(const Frame& f)
{
    return f.node->ranged ? rangedTerminal(*f.node, f) : unboundedTerminal(f.state);
}

bool literalComplete(const Frame& f)
{
    return f.node->literals.node(f.trie).end >= 0;
}

// Strings. Only the string's own frame depends on the bytes inside it (the
// token mask relies on this), and only a closing quote reaches the frames
// below.
bool closesString(const Frame& f, unsigned char c)
{
    return c == '"' && f.state == kNormal;
}

// Any byte of a string but its closing quote.
bool stringByte(Frame& f, unsigned char c)
{
    if (f.state == kEscape) {
        if (c == 0 || !std::strchr("\"\\/bfnrt", c))
            return false;
        f.state = kNormal;
        return true;
    }
    if (f.state == kUtf8) {
        if (c < f.nextLo || c > f.nextHi)
            return false;
        f.nextLo = 0x80;
        f.nextHi = 0xBF;
        if (--f.pending == 0)
            f.state = kNormal;
        return true;
    }
    // A new character.
    if ((!f.isKey && f.node->maxLength >= 0 && f.count >= f.node->maxLength) || c == '"')
        return false;
    if (c == '\\') {
        f.state = kEscape;
    } else if (c < 0x20) {
        return false;
    } else if (c >= 0x80) {
        int continuation = 0;
        if (!utf8Lead(c, continuation, f.nextLo, f.nextHi))
            return false;
        f.pending = static_cast<std::uint8_t>(continuation);
        f.state = kUtf8;
    }
    if (f.count < INT_MAX)
        ++f.count;
    return true;
}

// What closes the string: the rest of a character or escape, the filler
// minLength needs and the quote; for a free key, the quote, a colon and the
// shortest value too.
template<class Out>
void putStringTail(Out& out, const Frame& f)
{
    const SchemaNode& n = *f.node;
    if (f.state == kEscape) {
        out.put('n');
    } else if (f.state == kUtf8) {
        out.put(char(f.nextLo));
        out.put('\x80', std::size_t(f.pending - 1));
    }
    if (f.isKey) {
        out.put("\":");
        out.minimal(*n.additional);
    } else {
        if (f.count < n.minLength)
            out.put(' ', std::size_t(n.minLength - f.count));
        out.put('"');
    }
}

std::size_t stringTailLength(const Frame& f)
{
    LengthOut out;
    putStringTail(out, f);
    return out.length;
}

} // namespace

JsonConstraint::JsonConstraint(std::shared_ptr<const JsonSchema> schema) : m_schema(std::move(schema))
{
    m_stack.push_back(valueFrame(&m_schema->root()));
}

bool JsonConstraint::feed(unsigned char c)
{
    const bool digit = c >= '0' && c <= '9';
    for (;;) {
        if (m_stack.empty())
            return false;
        Frame& f = m_stack.back();
        const SchemaNode& n = *f.node;
        switch (f.kind) {
        case kValue: {
            if (n.kind == NodeKind::Union) {
                // The first byte decides the branch, for good.
                const int c1 = classOf(c);
                if (c1 < 0 || !n.dispatch[std::size_t(c1)])
                    return false;
                f.node = n.dispatch[std::size_t(c1)];
                continue;
            }
            const auto k = n.kind;
            const bool any = k == NodeKind::Any;
            if (c == '{' && (k == NodeKind::Object || any)) {
                f.kind = kObject;
                f.state = kOpen;
                f.prop = -1;
                return true;
            }
            if (c == '[' && (k == NodeKind::Array || any)) {
                f.kind = kArray;
                f.state = kOpen;
                f.count = 0;
                return true;
            }
            if (c == '"' && (k == NodeKind::String || any)) {
                f.kind = kString;
                f.state = kNormal;
                f.count = 0;
                return true;
            }
            if ((c == '-' || digit) && (k == NodeKind::Number || k == NodeKind::Integer || any)) {
                f.kind = kNumber;
                f.state = kStart;
                f.count = 0;
                continue;
            }
            if (k == NodeKind::Literal || any) {
                f.kind = kLiteral;
                f.trie = 0;
                f.count = 0;
                continue;
            }
            return false;
        }
        case kObject: {
            switch (f.state) {
            case kOpen:
            case kAfterValue:
                if (c == '}' && (n.freeObject || !requiredLeft(n, f.prop))) {
                    m_stack.pop_back();
                    m_done = m_stack.empty();
                    return true;
                }
                if (f.state == kAfterValue) {
                    if (c != ',' || (!n.freeObject && f.prop + 1 >= static_cast<int>(n.values.size())))
                        return false;
                    f.state = kAfterComma;
                    return true;
                }
                [[fallthrough]];
            case kAfterComma: {
                if (c != '"' || (!n.freeObject && f.prop + 1 >= static_cast<int>(n.values.size())))
                    return false;
                Frame key;
                key.kind = n.freeObject ? kString : kKey;
                key.state = kNormal;
                key.isKey = true;
                key.node = &n;
                m_stack.push_back(key);
                return true;
            }
            case kAfterKey: {
                if (c != ':')
                    return false;
                const SchemaNode* value = n.freeObject ? n.additional : n.values[std::size_t(f.prop)];
                f.state = kAfterValue;
                m_stack.push_back(valueFrame(value));
                return true;
            }
            default: return false;
            }
        }
        case kArray: {
            if (c == ']' && f.count >= n.minItems) {
                m_stack.pop_back();
                m_done = m_stack.empty();
                return true;
            }
            if (f.state == kOpen) {
                if (n.maxItems == 0)
                    return false;
                f.state = kAfterValue;
                f.count = 1;
                m_stack.push_back(valueFrame(n.items));
                continue;
            }
            if (c != ',' || (n.maxItems >= 0 && f.count >= n.maxItems))
                return false;
            ++f.count;
            m_stack.push_back(valueFrame(n.items));
            return true;
        }
        case kKey: {
            // A name of a fixed object: bytes must follow one of the names
            // the object may write next.
            Frame& obj = m_stack[m_stack.size() - 2];
            int a = 0, b = 0;
            keyWindow(n, obj.prop, a, b);
            const int end = n.names.node(f.trie).end;
            if (c == '"' && end >= a && end <= b) {
                obj.prop = end;
                obj.state = kAfterKey;
                m_stack.pop_back();
                return true;
            }
            const int next = n.names.child(f.trie, c);
            if (next < 0 || !n.names.reaches(next, a, b))
                return false;
            f.trie = next;
            ++f.count;
            return true;
        }
        case kString: {
            if (!closesString(f, c))
                return stringByte(f, c);
            if (!f.isKey && f.count < n.minLength)
                return false;
            if (f.isKey)
                m_stack[m_stack.size() - 2].state = kAfterKey;
            m_stack.pop_back();
            m_done = m_stack.empty();
            return true;
        }
        case kNumber: {
            if (n.ranged) {
                // Try the byte on a copy; keep it when a value in range is
                // still reachable.
                Frame next = f;
                bool part = true;
                if (digit && (f.state == kStart || f.state == kMinus)) {
                    next.state = c == '0' ? kZero : kInt;
                    next.whole = c - '0';
                    next.count = 1;
                } else if (digit && f.state == kInt && f.count < kMaxDigits) {
                    next.whole = f.whole * 10 + (c - '0');
                    ++next.count;
                } else if (digit && (f.state == kDot || f.state == kFrac) && f.count < n.frac) {
                    next.state = kFrac;
                    next.fraction = f.fraction * 10 + (c - '0');
                    ++next.count;
                } else if (c == '-' && f.state == kStart) {
                    next.state = kMinus;
                    next.negative = true;
                } else if (c == '.' && n.frac > 0 && (f.state == kZero || f.state == kInt)) {
                    next.state = kDot;
                    next.count = 0;
                } else {
                    part = false;
                }
                if (part) {
                    if (!rangedFeasible(n, next))
                        return false;
                    f = next;
                    return true;
                }
                if (!rangedTerminal(n, f) || m_stack.size() == 1)
                    return false;
                m_stack.pop_back();  // the number ended; the byte belongs to the parent
                continue;
            }
            const bool integer = n.kind == NodeKind::Integer;
            auto part = [&](std::uint8_t next) {
                // Exponents of two digits keep every number a finite double.
                if (f.count >= (next == kExpDigit ? 2 : kMaxDigits))
                    return false;
                ++f.count;
                f.state = next;
                return true;
            };
            bool ok = false;
            switch (f.state) {
            case kStart:
                if (c == '-') {
                    f.state = kMinus;
                    ok = true;
                } else if (digit) {
                    ok = part(c == '0' ? kZero : kInt);
                }
                break;
            case kMinus: ok = digit && part(c == '0' ? kZero : kInt); break;
            case kInt: ok = digit && part(kInt); break;
            case kDot: ok = digit && part(kFrac); break;
            case kFrac: ok = digit && part(kFrac); break;
            case kExp:
                if (c == '+' || c == '-') {
                    f.state = kExpSign;
                    ok = true;
                } else {
                    ok = digit && part(kExpDigit);
                }
                break;
            case kExpSign:
            case kExpDigit: ok = digit && part(kExpDigit); break;
            default: break;
            }
            if (ok)
                return true;
            if (!integer && (f.state == kZero || f.state == kInt) && c == '.') {
                f.state = kDot;
                f.count = 0;
                return true;
            }
            if (!integer && (f.state == kZero || f.state == kInt || f.state == kFrac) && (c == 'e' || c == 'E')) {
                f.state = kExp;
                f.count = 0;
                return true;
            }
            if (!unboundedTerminal(f.state) || m_stack.size() == 1)
                return false;
            m_stack.pop_back();  // the number ended; the byte belongs to the parent
            continue;
        }
        case kLiteral: {
            const int next = n.literals.child(f.trie, c);
            if (next >= 0) {
                f.trie = next;
                ++f.count;
                const auto& t = n.literals.node(next);
                if (t.end >= 0 && t.firstChild < 0) {
                    m_stack.pop_back();
                    m_done = m_stack.empty();
                }
                return true;
            }
            if (!literalComplete(f) || m_stack.size() == 1)
                return false;
            m_stack.pop_back();
            continue;
        }
        default: return false;
        }
    }
}

void JsonConstraint::restore(const JsonConstraint& from)
{
    m_stack = from.m_stack;
    m_done = from.m_done;
}

bool JsonConstraint::feed(std::string_view bytes)
{
    for (char c : bytes)
        if (!feed(static_cast<unsigned char>(c)))
            return false;
    return true;
}

bool JsonConstraint::accepts(std::string_view bytes) const
{
    if (bytes.empty())
        return false;
    JsonConstraint copy = *this;
    return copy.feed(bytes);
}

bool JsonConstraint::complete() const
{
    if (m_stack.empty())
        return true;
    if (m_stack.size() != 1)
        return false;
    const Frame& f = m_stack.back();
    return (f.kind == kNumber && numberTerminal(f)) || (f.kind == kLiteral && literalComplete(f));
}

std::vector<bool> JsonConstraint::acceptableBytes() const
{
    std::vector<bool> ok(256, false);
    if (m_stack.empty())
        return ok;
    for (int c = 0; c < 256; ++c) {
        JsonConstraint copy = *this;
        ok[static_cast<std::size_t>(c)] = copy.feed(static_cast<unsigned char>(c));
    }
    return ok;
}

bool JsonConstraint::finished() const
{
    if (!complete())
        return false;
    const auto ok = acceptableBytes();
    return std::find(ok.begin(), ok.end(), true) == ok.end();
}

// Innermost frame first, each writes what closes it, given that what is
// inside it has been closed.
template<class Out>
void JsonConstraint::completeInto(Out& out) const
{
    // A key being written decides its object's next state; carry it down.
    int carriedProp = -2;  // -2: none
    for (std::size_t i = m_stack.size(); i-- > 0;) {
        const Frame& f = m_stack[i];
        const SchemaNode& n = *f.node;
        switch (f.kind) {
        case kValue: out.minimal(n); break;
        case kNumber:
            if (n.ranged) {
                std::string tail;
                rangedCompletion(n, f, tail);  // the prefix is feasible: there is one
                out.put(tail);
            } else if (!unboundedTerminal(f.state)) {
                out.put('0');
            }
            break;
        case kLiteral: out.put(std::string_view(n.literals.text(n.literals.node(f.trie).shortest)).substr(std::size_t(f.count))); break;
        case kKey: {
            // Only the rest of the cheapest name that this one can become.
            int a = 0, b = 0;
            keyWindow(n, m_stack[i - 1].prop, a, b);
            const int j = cheapestKey(n, f.trie, a, b);
            putProperty(out, "", n, j, std::size_t(f.count));
            carriedProp = j;
            break;
        }
        case kString:
            putStringTail(out, f);
            if (f.isKey)
                carriedProp = -1;
            break;
        case kObject: {
            std::uint8_t state = f.state;
            int prop = f.prop;
            if (carriedProp != -2) {
                state = kAfterValue;
                prop = n.freeObject ? prop : carriedProp;
                carriedProp = -2;
            }
            if (state == kAfterKey) {
                out.put(':');
                out.minimal(n.freeObject ? *n.additional : *n.values[std::size_t(prop)]);
                state = kAfterValue;
            }
            if (state == kAfterComma) {
                // A key must follow the comma: the cheapest allowed one.
                if (n.freeObject) {
                    out.put("\"\":");
                    out.minimal(*n.additional);
                } else {
                    int a = 0, b = 0;
                    keyWindow(n, prop, a, b);
                    prop = cheapestKey(n, 0, a, b);
                    putProperty(out, "\"", n, prop);
                }
                state = kAfterValue;
            }
            if (!n.freeObject)
                putRequiredAfter(out, n, prop, state == kOpen);
            out.put('}');
            break;
        }
        case kArray:
            out.minimalItems(*n.items, f.count, n.minItems);
            out.put(']');
            break;
        default: break;
        }
    }
}

std::string JsonConstraint::shortestCompletion() const
{
    std::string text;
    TextOut out{text};
    completeInto(out);
    return text;
}

std::size_t JsonConstraint::shortestCompletionLength() const
{
    LengthOut out;
    completeInto(out);
    return out.length;
}

void jsonTokenMask(const JsonConstraint& constraint, const std::vector<std::string>& pieces, const std::vector<bool>& eog,
                   int tokensLeft, std::vector<bool>& allowed)
{
    const std::size_t n = pieces.size();
    allowed.assign(n, false);
    // End-of-generation tokens end the value whatever their text says: only
    // when it is complete (below).
    auto isEog = [&](std::size_t i) { return i < eog.size() && eog[i]; };
    // After this token, the value must still be completable in the tokens
    // left (one byte per token at worst; every vocabulary here has a token
    // for each byte).
    const auto budgetAfter = static_cast<std::size_t>(std::max(tokensLeft - 1, 0));
    const auto first = constraint.acceptableBytes();
    bool any = false;
    JsonConstraint copy = constraint;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = pieces[i];
        if (p.empty() || isEog(i) || !first[static_cast<unsigned char>(p[0])])
            continue;
        copy.restore(constraint);
        if (!copy.feed(p) || copy.shortestCompletionLength() > budgetAfter)
            continue;
        allowed[i] = true;
        any = true;
    }
    if (!any) {
        // Best effort when even that is impossible: head for the end.
        const std::string tail = constraint.shortestCompletion();
        for (std::size_t i = 0; i < n; ++i) {
            const auto& p = pieces[i];
            if (!p.empty() && !isEog(i) && p.size() <= tail.size() && tail.compare(0, p.size(), p) == 0)
                allowed[i] = true;
        }
    }
    if (constraint.complete())
        for (std::size_t i = 0; i < n; ++i)
            if (isEog(i))
                allowed[i] = true;
}

JsonTokenMasker::JsonTokenMasker(const std::vector<std::string>& pieces, const std::vector<bool>& eog) : m_vocabulary(pieces.size())
{
    std::vector<std::int32_t> order;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (i < eog.size() && eog[i])
            m_eog.push_back(static_cast<std::int32_t>(i));
        else if (!pieces[i].empty())
            order.push_back(static_cast<std::int32_t>(i));
    }
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return pieces[std::size_t(a)] < pieces[std::size_t(b)]; });
    // In sorted order a piece follows its prefixes, so the nodes come out in
    // preorder, and the tokens of a node are added right after it.
    m_nodes.emplace_back();
    std::vector<std::uint32_t> path{0};  // the nodes from the root to the last piece's end
    const std::string* previous = nullptr;
    for (const std::int32_t id : order) {
        const std::string& p = pieces[std::size_t(id)];
        std::size_t common = 0;
        if (previous)
            while (common < previous->size() && common < p.size() && (*previous)[common] == p[common])
                ++common;
        for (; path.size() > common + 1; path.pop_back())
            m_nodes[path.back()].end = static_cast<std::uint32_t>(m_nodes.size());
        for (std::size_t d = common; d < p.size(); ++d) {
            Node node;
            node.byte = static_cast<unsigned char>(p[d]);
            node.depth = static_cast<std::uint32_t>(d + 1);
            node.tokens = static_cast<std::uint32_t>(m_tokens.size());
            path.push_back(static_cast<std::uint32_t>(m_nodes.size()));
            m_nodes.push_back(node);
        }
        m_tokens.push_back(id);
        m_depth = std::max(m_depth, static_cast<std::uint32_t>(p.size()));
        previous = &p;
    }
    for (; !path.empty(); path.pop_back())
        m_nodes[path.back()].end = static_cast<std::uint32_t>(m_nodes.size());
    // What each token does inside a string whose length is not limited:
    // stringByte() takes every byte, or the token may close or break it.
    SchemaNode unlimited;
    unlimited.kind = NodeKind::String;
    std::vector<bool> inner(pieces.size(), false);
    for (const std::int32_t id : order) {
        Frame probe;
        probe.kind = kString;
        probe.node = &unlimited;
        bool stays = true;
        for (const char c : pieces[std::size_t(id)])
            if (closesString(probe, static_cast<unsigned char>(c)) || !stringByte(probe, static_cast<unsigned char>(c))) {
                stays = false;
                break;
            }
        if (!stays)
            continue;
        inner[std::size_t(id)] = true;
        m_inner.push_back({id, static_cast<std::uint32_t>(probe.count), probe.state, probe.pending, probe.nextLo, probe.nextHi});
    }
    std::sort(m_inner.begin(), m_inner.end(), [](const InnerToken& a, const InnerToken& b) { return a.id < b.id; });
    // The sentinel ends the last node's tokens.
    Node sentinel;
    sentinel.tokens = static_cast<std::uint32_t>(m_tokens.size());
    m_nodes.push_back(sentinel);
    // Children come after their parent: fold the subtrees from the end.
    for (std::size_t i = m_nodes.size() - 1; i-- > 1;) {
        Node& node = m_nodes[i];
        node.allInner = true;
        for (std::uint32_t k = node.tokens; k < m_nodes[i + 1].tokens; ++k)
            node.allInner = node.allInner && inner[std::size_t(m_tokens[k])];
        for (std::uint32_t k = static_cast<std::uint32_t>(i) + 1; k < node.end; k = m_nodes[k].end)
            node.allInner = node.allInner && m_nodes[k].allInner;
    }
}

void JsonTokenMasker::mask(const JsonConstraint& constraint, int tokensLeft, std::vector<bool>& allowed) const
{
    allowed.assign(m_vocabulary, false);
    const auto budgetAfter = static_cast<std::size_t>(std::max(tokensLeft - 1, 0));
    // The automaton after the first d bytes of the path to the node being
    // visited (preorder visits a node right after the path to it, so level
    // d - 1 is its parent's). A level is either a whole automaton, or, inside
    // a string, the automaton of an earlier level (`base`) with the string's
    // frame replaced by `top`; `rest` is then the completion's length without
    // the string's tail.
    struct Level {
        bool light = false;
        std::size_t base = 0;
        std::size_t rest = 0;
        Frame top;
    };
    std::vector<JsonConstraint> states;
    std::vector<Level> levels(std::size_t(m_depth) + 1);
    states.reserve(std::size_t(m_depth) + 1);
    states.push_back(constraint);
    bool any = false;
    auto allow = [&](std::uint32_t from, std::uint32_t to) {
        for (std::uint32_t k = from; k < to; ++k)
            allowed[std::size_t(m_tokens[k])] = true;
        any = any || from != to;
    };
    // The completion's length without the tail of the string on top.
    auto restBelowString = [](const JsonConstraint& s) { return s.shortestCompletionLength() - stringTailLength(s.m_stack.back()); };
    // Inside a string, after a whole character: the tokens that stay in it
    // change only its frame, as the constructor found.
    const Frame* open = constraint.m_stack.empty() ? nullptr : &constraint.m_stack.back();
    const bool inString = open && open->kind == kString && open->state == kNormal;
    if (inString) {
        const std::size_t rest = restBelowString(constraint);
        const std::int64_t most = !open->isKey && open->node->maxLength >= 0 ? open->node->maxLength : INT64_MAX;
        Frame after = *open;
        for (const InnerToken& t : m_inner) {
            const std::int64_t count = std::int64_t(open->count) + t.characters;
            if (count > most)
                continue;
            after.state = t.state;
            after.pending = t.pending;
            after.nextLo = t.nextLo;
            after.nextHi = t.nextHi;
            after.count = static_cast<int>(std::min<std::int64_t>(count, INT_MAX));
            if (rest + stringTailLength(after) <= budgetAfter) {
                allowed[std::size_t(t.id)] = true;
                any = true;
            }
        }
    }
    const auto sentinel = static_cast<std::uint32_t>(m_nodes.size() - 1);
    for (std::uint32_t i = 1; i < sentinel;) {
        const Node& node = m_nodes[i];
        if (inString && node.allInner) {
            i = node.end;  // decided above
            continue;
        }
        const std::size_t d = node.depth;
        const Level& parent = levels[d - 1];
        Level& level = levels[d];
        const JsonConstraint& below = states[parent.light ? parent.base : d - 1];
        const Frame* top = parent.light ? &parent.top : below.m_stack.empty() ? nullptr : &below.m_stack.back();
        std::size_t length = 0;
        if (top && top->kind == kString && !closesString(*top, node.byte)) {
            level.light = true;
            level.base = parent.light ? parent.base : d - 1;
            level.rest = parent.light ? parent.rest : restBelowString(below);
            level.top = *top;
            if (!stringByte(level.top, node.byte)) {
                i = node.end;
                continue;
            }
            length = level.rest + stringTailLength(level.top);
        } else {
            level.light = false;
            while (states.size() <= d)  // within the reserved size: `below` stays valid
                states.push_back(constraint);
            JsonConstraint& state = states[d];
            state.restore(below);
            if (parent.light)
                state.m_stack.back() = parent.top;
            if (!state.feed(node.byte)) {
                i = node.end;  // no token below can be accepted
                continue;
            }
            if (node.tokens != m_nodes[i + 1].tokens)
                length = state.shortestCompletionLength();
        }
        if (length <= budgetAfter)
            allow(node.tokens, m_nodes[i + 1].tokens);
        ++i;
    }
    if (!any) {
        // As jsonTokenMask(): the tokens that begin the shortest completion,
        // the nodes along its bytes.
        const std::string tail = constraint.shortestCompletion();
        std::uint32_t at = 0;
        for (const char c : tail) {
            std::uint32_t child = at + 1;
            while (child < m_nodes[at].end && m_nodes[child].byte != static_cast<unsigned char>(c))
                child = m_nodes[child].end;
            if (child >= m_nodes[at].end)
                break;
            at = child;
            for (std::uint32_t k = m_nodes[at].tokens; k < m_nodes[at + 1].tokens; ++k)
                allowed[std::size_t(m_tokens[k])] = true;
        }
    }
    if (constraint.complete())
        for (const std::int32_t id : m_eog)
            allowed[std::size_t(id)] = true;
}

} // namespace outpost::inference::sampling
