#include "inference/sampling/json_constraint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace outpost::inference::sampling {

// ---- a small JSON reader for schemas -------------------------------------------

namespace {

struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool b = false;
    double num = 0;
    std::string raw;  // numbers: their text as written
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
    bool fail(const char* what)
    {
        m_error = what;
        return false;
    }
    bool literal(std::string_view word)
    {
        if (m_s.substr(m_pos, word.size()) != word)
            return fail("unknown literal");
        m_pos += word.size();
        return true;
    }
    bool string(std::string& out)
    {
        ++m_pos;  // the opening quote
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in a string");
            if (c != '\\') {
                out += c;
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
                if (m_pos + 4 > m_s.size())
                    return fail("short \\u escape");
                unsigned cp = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = m_s[m_pos++];
                    cp <<= 4;
                    if (h >= '0' && h <= '9')
                        cp |= unsigned(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        cp |= unsigned(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        cp |= unsigned(h - 'A' + 10);
                    else
                        return fail("bad \\u escape");
                }
                // Schemas' names are ASCII in practice; other code points are
                // kept as UTF-8 (surrogate pairs are not combined).
                if (cp < 0x80) {
                    out += char(cp);
                } else if (cp < 0x800) {
                    out += char(0xC0 | (cp >> 6));
                    out += char(0x80 | (cp & 0x3F));
                } else {
                    out += char(0xE0 | (cp >> 12));
                    out += char(0x80 | ((cp >> 6) & 0x3F));
                    out += char(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: return fail("bad escape");
            }
        }
        return fail("unterminated string");
    }
    bool value(Json& out, int depth)
    {
        if (depth > 64)
            return fail("nesting deeper than 64");
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
            for (;;) {
                skip();
                if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                    return fail("expected a property name");
                std::string key;
                if (!string(key))
                    return false;
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
        while (m_pos < m_s.size() && (std::isdigit(static_cast<unsigned char>(m_s[m_pos])) || m_s[m_pos] == '-' || m_s[m_pos] == '+'
                                      || m_s[m_pos] == '.' || m_s[m_pos] == 'e' || m_s[m_pos] == 'E'))
            ++m_pos;
        if (start == m_pos)
            return fail("unexpected character");
        out.type = Json::Type::Number;
        out.raw = std::string(m_s.substr(start, m_pos - start));
        char* end = nullptr;
        out.num = std::strtod(out.raw.c_str(), &end);
        if (!end || *end)
            return fail("bad number");
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

} // namespace

// ---- schema nodes ----------------------------------------------------------------

struct SchemaNode {
    enum class Kind { Any, Object, Array, String, Number, Integer, Literal } kind = Kind::Any;
    // Objects with "properties": names as they appear between the quotes
    // (escaped), in schema order.
    bool freeObject = true;
    std::vector<std::string> keys;
    std::vector<const SchemaNode*> values;
    std::vector<bool> required;
    const SchemaNode* items = nullptr;
    int minItems = 0;
    int maxItems = -1;
    std::vector<std::string> literals;  // compact JSON texts
    std::string minimal;                // the shortest valid text
};

JsonSchema::~JsonSchema() = default;

std::size_t JsonSchema::minimalLength() const
{
    return root().minimal.size();
}

namespace {

struct Builder {
    JsonSchema& schema;
    const SchemaNode* any = nullptr;
    std::string error;

    SchemaNode* make(SchemaNode::Kind kind)
    {
        schema.m_nodes.push_back(std::make_unique<SchemaNode>());
        schema.m_nodes.back()->kind = kind;
        return schema.m_nodes.back().get();
    }

    const SchemaNode* build(const Json& j, const std::string& path)
    {
        if (j.type == Json::Type::Bool && j.b)
            return any;
        if (j.type != Json::Type::Object) {
            error = "JSON schema: " + path + " must be an object";
            return nullptr;
        }
        for (const char* unsupported : {"anyOf", "oneOf", "allOf", "$ref", "not", "pattern", "if", "patternProperties"}) {
            if (j.get(unsupported)) {
                error = std::string("JSON schema: ") + path + " uses \"" + unsupported + "\", which constrained output does not support";
                return nullptr;
            }
        }
        std::vector<std::string> literals;
        if (const Json* e = j.get("enum")) {
            if (e->type != Json::Type::Array || e->arr.empty()) {
                error = "JSON schema: " + path + "/enum must be a non-empty array";
                return nullptr;
            }
            for (const auto& v : e->arr)
                literals.push_back(serialize(v));
        } else if (const Json* c = j.get("const")) {
            literals.push_back(serialize(*c));
        }
        std::string type;
        if (const Json* t = j.get("type")) {
            if (t->type != Json::Type::String) {
                error = "JSON schema: " + path + "/type must be one type name (type lists are not supported)";
                return nullptr;
            }
            type = t->str;
        }
        if (!literals.empty()) {
            auto* n = make(SchemaNode::Kind::Literal);
            n->literals = literals;
            return finish(n);
        }
        if (type.empty())
            type = j.get("properties") ? "object" : j.get("items") ? "array" : "";
        if (type.empty())
            return any;
        if (type == "string")
            return finish(make(SchemaNode::Kind::String));
        if (type == "number")
            return finish(make(SchemaNode::Kind::Number));
        if (type == "integer")
            return finish(make(SchemaNode::Kind::Integer));
        if (type == "boolean" || type == "null") {
            auto* n = make(SchemaNode::Kind::Literal);
            n->literals = type == "null" ? std::vector<std::string>{"null"} : std::vector<std::string>{"true", "false"};
            return finish(n);
        }
        if (type == "array") {
            auto* n = make(SchemaNode::Kind::Array);
            n->items = any;
            if (const Json* items = j.get("items")) {
                n->items = build(*items, path + "/items");
                if (!n->items)
                    return nullptr;
            }
            auto count = [&](const char* key, int& out) {
                if (const Json* v = j.get(key)) {
                    if (v->type != Json::Type::Number || v->num < 0 || v->num > 1e6 || v->num != std::floor(v->num)) {
                        error = "JSON schema: " + path + "/" + key + " must be a whole number from 0";
                        return false;
                    }
                    out = static_cast<int>(v->num);
                }
                return true;
            };
            if (!count("minItems", n->minItems) || !count("maxItems", n->maxItems))
                return nullptr;
            if (n->maxItems >= 0 && n->maxItems < n->minItems) {
                error = "JSON schema: " + path + " has maxItems below minItems";
                return nullptr;
            }
            return finish(n);
        }
        if (type == "object") {
            auto* n = make(SchemaNode::Kind::Object);
            const Json* props = j.get("properties");
            if (props) {
                if (props->type != Json::Type::Object) {
                    error = "JSON schema: " + path + "/properties must be an object";
                    return nullptr;
                }
                n->freeObject = false;
                for (const auto& [name, sub] : props->obj) {
                    const SchemaNode* v = build(sub, path + "/properties/" + name);
                    if (!v)
                        return nullptr;
                    const std::string q = quote(name);
                    n->keys.push_back(q.substr(1, q.size() - 2));
                    n->values.push_back(v);
                    n->required.push_back(false);
                }
            }
            if (const Json* req = j.get("required")) {
                if (req->type != Json::Type::Array) {
                    error = "JSON schema: " + path + "/required must be an array of names";
                    return nullptr;
                }
                for (const auto& r : req->arr) {
                    if (r.type != Json::Type::String) {
                        error = "JSON schema: " + path + "/required must be an array of names";
                        return nullptr;
                    }
                    const std::string q = quote(r.str);
                    const std::string key = q.substr(1, q.size() - 2);
                    auto it = std::find(n->keys.begin(), n->keys.end(), key);
                    if (it == n->keys.end()) {
                        error = "JSON schema: " + path + " requires \"" + r.str + "\", which is not among its properties";
                        return nullptr;
                    }
                    n->required[static_cast<std::size_t>(it - n->keys.begin())] = true;
                }
            }
            return finish(n);
        }
        error = "JSON schema: " + path + " has unknown type \"" + type + "\"";
        return nullptr;
    }

    const SchemaNode* finish(SchemaNode* n)
    {
        switch (n->kind) {
        case SchemaNode::Kind::Any: n->minimal = "0"; break;
        case SchemaNode::Kind::String: n->minimal = "\"\""; break;
        case SchemaNode::Kind::Number:
        case SchemaNode::Kind::Integer: n->minimal = "0"; break;
        case SchemaNode::Kind::Literal:
            n->minimal = *std::min_element(n->literals.begin(), n->literals.end(),
                                           [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
            break;
        case SchemaNode::Kind::Array:
            n->minimal = "[";
            for (int i = 0; i < n->minItems; ++i)
                n->minimal += (i ? "," : "") + n->items->minimal;
            n->minimal += "]";
            break;
        case SchemaNode::Kind::Object: {
            n->minimal = "{";
            bool first = true;
            for (std::size_t i = 0; i < n->keys.size(); ++i) {
                if (!n->required[i])
                    continue;
                n->minimal += (first ? "\"" : ",\"") + n->keys[i] + "\":" + n->values[i]->minimal;
                first = false;
            }
            n->minimal += "}";
            break;
        }
        }
        return n;
    }
};

} // namespace

Result<std::shared_ptr<const JsonSchema>> JsonSchema::parse(std::string_view schemaJson)
{
    Json j;
    std::string error;
    if (!Reader(schemaJson).parse(j, error))
        return Error{error};
    auto schema = std::make_shared<JsonSchema>();
    // Node 0 is the root; reserve it, then build.
    schema->m_nodes.push_back(std::make_unique<SchemaNode>());
    Builder b{*schema, nullptr, {}};
    auto* any = b.make(SchemaNode::Kind::Any);
    any->minimal = "0";
    b.any = any;
    const SchemaNode* root = b.build(j, "#");
    if (!root)
        return Error{b.error};
    *schema->m_nodes[0] = *root;
    return std::shared_ptr<const JsonSchema>(std::move(schema));
}

// ---- the automaton ---------------------------------------------------------------

namespace {

enum Kind : std::uint8_t { kValue, kObject, kArray, kString, kNumber, kLiteral };
// Object states.
enum : std::uint8_t { kOpen, kAfterValue, kAfterComma, kAfterKey };
// String states (kOpen reused as "normal").
enum : std::uint8_t { kNormal, kEscape, kUtf8 };
// Number states.
enum : std::uint8_t { kStart, kMinus, kZero, kInt, kDot, kFrac, kExp, kExpSign, kExpDigit };
constexpr int kMaxDigits = 15;

const std::vector<std::string>& anyLiterals()
{
    static const std::vector<std::string> v{"true", "false", "null"};
    return v;
}

bool numberTerminal(std::uint8_t s)
{
    return s == kZero || s == kInt || s == kFrac || s == kExpDigit;
}

using Frame = JsonConstraint::Frame;

const std::vector<std::string>& literalsOf(const Frame& f)
{
    return f.node->kind == SchemaNode::Kind::Literal ? f.node->literals : anyLiterals();
}

bool literalComplete(const Frame& f)
{
    const auto& lits = literalsOf(f);
    return std::find(lits.begin(), lits.end(), f.buf) != lits.end();
}

// Keys an object may write next: those after the last one written, up to
// and including the first required one (none may be skipped).
void keyCandidates(const Frame& obj, std::vector<int>& out)
{
    out.clear();
    const SchemaNode& n = *obj.node;
    for (int j = obj.prop + 1; j < static_cast<int>(n.keys.size()); ++j) {
        out.push_back(j);
        if (n.required[static_cast<std::size_t>(j)])
            break;
    }
}

bool requiredLeft(const Frame& obj)
{
    const SchemaNode& n = *obj.node;
    for (int j = obj.prop + 1; j < static_cast<int>(n.keys.size()); ++j)
        if (n.required[static_cast<std::size_t>(j)])
            return true;
    return false;
}

Frame valueFrame(const SchemaNode* node)
{
    Frame f;
    f.kind = kValue;
    f.node = node;
    return f;
}

} // namespace

JsonConstraint::JsonConstraint(std::shared_ptr<const JsonSchema> schema) : m_schema(std::move(schema))
{
    m_stack.push_back(valueFrame(&m_schema->root()));
}

bool JsonConstraint::feed(unsigned char c)
{
    for (;;) {
        if (m_stack.empty())
            return false;
        Frame& f = m_stack.back();
        switch (f.kind) {
        case kValue: {
            const auto k = f.node->kind;
            if (c == '{' && (k == SchemaNode::Kind::Object || k == SchemaNode::Kind::Any)) {
                f.kind = kObject;
                f.state = kOpen;
                f.prop = -1;
                return true;
            }
            if (c == '[' && (k == SchemaNode::Kind::Array || k == SchemaNode::Kind::Any)) {
                f.kind = kArray;
                f.state = kOpen;
                f.count = 0;
                return true;
            }
            if (c == '"' && (k == SchemaNode::Kind::String || k == SchemaNode::Kind::Any)) {
                f.kind = kString;
                f.state = kNormal;
                return true;
            }
            if ((c == '-' || (c >= '0' && c <= '9'))
                && (k == SchemaNode::Kind::Number || k == SchemaNode::Kind::Integer || k == SchemaNode::Kind::Any)) {
                f.kind = kNumber;
                f.state = kStart;
                f.count = 0;
                continue;
            }
            if (k == SchemaNode::Kind::Literal || k == SchemaNode::Kind::Any) {
                f.kind = kLiteral;
                f.buf.clear();
                continue;
            }
            return false;
        }
        case kObject: {
            const bool free = f.node->kind == SchemaNode::Kind::Any || f.node->freeObject;
            switch (f.state) {
            case kOpen:
            case kAfterValue:
                if (c == '}' && (free || !requiredLeft(f))) {
                    m_stack.pop_back();
                    m_done = m_stack.empty();
                    return true;
                }
                if (f.state == kAfterValue) {
                    if (c != ',')
                        return false;
                    std::vector<int> cand;
                    if (!free) {
                        keyCandidates(f, cand);
                        if (cand.empty())
                            return false;
                    }
                    f.state = kAfterComma;
                    return true;
                }
                [[fallthrough]];
            case kAfterComma: {
                if (c != '"')
                    return false;
                if (!free) {
                    std::vector<int> cand;
                    keyCandidates(f, cand);
                    if (cand.empty())
                        return false;
                }
                Frame key;
                key.kind = kString;
                key.state = kNormal;
                key.isKey = true;
                key.node = f.node;
                m_stack.push_back(std::move(key));
                return true;
            }
            case kAfterKey: {
                if (c != ':')
                    return false;
                const SchemaNode* valueNode = m_schema->m_nodes[1].get();  // Any
                if (!free)
                    valueNode = f.node->values[static_cast<std::size_t>(f.prop)];
                f.state = kAfterValue;
                m_stack.push_back(valueFrame(valueNode));
                return true;
            }
            default: return false;
            }
        }
        case kArray: {
            const int maxItems = f.node->kind == SchemaNode::Kind::Array ? f.node->maxItems : -1;
            const int minItems = f.node->kind == SchemaNode::Kind::Array ? f.node->minItems : 0;
            const SchemaNode* items = f.node->kind == SchemaNode::Kind::Array ? f.node->items : m_schema->m_nodes[1].get();
            if (c == ']' && f.count >= minItems) {
                m_stack.pop_back();
                m_done = m_stack.empty();
                return true;
            }
            if (f.state == kOpen) {
                if (maxItems == 0)
                    return false;
                f.state = kAfterValue;
                f.count = 1;
                m_stack.push_back(valueFrame(items));
                continue;
            }
            if (c != ',' || (maxItems >= 0 && f.count >= maxItems))
                return false;
            ++f.count;
            m_stack.push_back(valueFrame(items));
            return true;
        }
        case kString: {
            if (f.state == kEscape) {
                if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't')
                    return false;
                f.state = kNormal;
            } else if (f.state == kUtf8) {
                if (c < 0x80 || c > 0xBF)
                    return false;
                if (--f.pending == 0)
                    f.state = kNormal;
            } else if (c == '"') {
                if (f.isKey) {
                    Frame& obj = m_stack[m_stack.size() - 2];
                    const bool free = obj.node->kind == SchemaNode::Kind::Any || obj.node->freeObject;
                    if (!free) {
                        std::vector<int> cand;
                        keyCandidates(obj, cand);
                        int which = -1;
                        for (int j : cand)
                            if (obj.node->keys[static_cast<std::size_t>(j)] == f.buf)
                                which = j;
                        if (which < 0)
                            return false;
                        obj.prop = which;
                    }
                    obj.state = kAfterKey;
                }
                m_stack.pop_back();
                m_done = m_stack.empty();
                return true;
            } else if (c == '\\') {
                f.state = kEscape;
            } else if (c >= 0x20 && c < 0x7F) {
                // plain ASCII
            } else if (c >= 0xC2 && c <= 0xDF) {
                f.state = kUtf8;
                f.pending = 1;
            } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
                f.state = kUtf8;
                f.pending = 2;
            } else {
                return false;
            }
            if (f.isKey) {
                Frame& obj = m_stack[m_stack.size() - 2];
                if (!(obj.node->kind == SchemaNode::Kind::Any || obj.node->freeObject)) {
                    f.buf += char(c);
                    std::vector<int> cand;
                    keyCandidates(obj, cand);
                    bool prefix = false;
                    for (int j : cand)
                        prefix = prefix || obj.node->keys[static_cast<std::size_t>(j)].compare(0, f.buf.size(), f.buf) == 0;
                    if (!prefix)
                        return false;
                }
            }
            return true;
        }
        case kNumber: {
            const bool integer = f.node->kind == SchemaNode::Kind::Integer;
            const bool digit = c >= '0' && c <= '9';
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
            if (!numberTerminal(f.state) || m_stack.size() == 1)
                return false;
            m_stack.pop_back();  // the number ended; the byte belongs to the parent
            continue;
        }
        case kLiteral: {
            const auto& lits = literalsOf(f);
            const std::string next = f.buf + char(c);
            bool prefix = false, longer = false;
            for (const auto& l : lits) {
                if (l.compare(0, next.size(), next) == 0) {
                    prefix = true;
                    longer = longer || l.size() > next.size();
                }
            }
            if (prefix) {
                f.buf = next;
                if (!longer) {
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
    return (f.kind == kNumber && numberTerminal(f.state)) || (f.kind == kLiteral && literalComplete(f));
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

std::string JsonConstraint::shortestCompletion() const
{
    std::string out;
    // A key being written decides its object's next state; carry it down.
    int carriedProp = -2;  // -2: none
    for (std::size_t i = m_stack.size(); i-- > 0;) {
        const Frame& f = m_stack[i];
        switch (f.kind) {
        case kValue: out += f.node->minimal; break;
        case kNumber:
            if (!numberTerminal(f.state))
                out += "0";
            break;
        case kLiteral: {
            const std::string* best = nullptr;
            for (const auto& l : literalsOf(f))
                if (l.compare(0, f.buf.size(), f.buf) == 0 && (!best || l.size() < best->size()))
                    best = &l;
            if (best)
                out += best->substr(f.buf.size());
            break;
        }
        case kString:
            if (f.state == kEscape)
                out += "n";
            else if (f.state == kUtf8)
                out += std::string(static_cast<std::size_t>(f.pending), '\x80');
            if (f.isKey) {
                const Frame& obj = m_stack[i - 1];
                const bool free = obj.node->kind == SchemaNode::Kind::Any || obj.node->freeObject;
                if (free) {
                    out += "\":0";
                    carriedProp = -1;
                } else {
                    std::vector<int> cand;
                    keyCandidates(obj, cand);
                    int best = -1;
                    std::size_t bestLen = 0;
                    for (int j : cand) {
                        const auto& k = obj.node->keys[static_cast<std::size_t>(j)];
                        if (k.compare(0, f.buf.size(), f.buf) != 0)
                            continue;
                        const std::size_t len = k.size() - f.buf.size() + obj.node->values[static_cast<std::size_t>(j)]->minimal.size();
                        if (best < 0 || len < bestLen) {
                            best = j;
                            bestLen = len;
                        }
                    }
                    if (best >= 0) {
                        out += obj.node->keys[static_cast<std::size_t>(best)].substr(f.buf.size()) + "\":"
                            + obj.node->values[static_cast<std::size_t>(best)]->minimal;
                    }
                    carriedProp = best;
                }
            } else {
                out += "\"";
            }
            break;
        case kObject: {
            const bool free = f.node->kind == SchemaNode::Kind::Any || f.node->freeObject;
            std::uint8_t state = f.state;
            int prop = f.prop;
            if (carriedProp != -2) {
                state = kAfterValue;
                prop = carriedProp;
                carriedProp = -2;
            }
            if (state == kAfterKey) {
                out += ":" + (free ? std::string("0") : f.node->values[static_cast<std::size_t>(prop)]->minimal);
                state = kAfterValue;
            }
            if (state == kAfterComma) {
                // A key must follow the comma: the cheapest allowed one.
                if (free) {
                    out += "\"\":0";
                } else {
                    Frame tmp = f;
                    tmp.prop = prop;
                    std::vector<int> cand;
                    keyCandidates(tmp, cand);
                    int best = cand.front();
                    for (int j : cand)
                        if (f.node->keys[static_cast<std::size_t>(j)].size() + f.node->values[static_cast<std::size_t>(j)]->minimal.size()
                            < f.node->keys[static_cast<std::size_t>(best)].size() + f.node->values[static_cast<std::size_t>(best)]->minimal.size())
                            best = j;
                    out += "\"" + f.node->keys[static_cast<std::size_t>(best)] + "\":" + f.node->values[static_cast<std::size_t>(best)]->minimal;
                    prop = best;
                }
                state = kAfterValue;
            }
            if (!free) {
                bool first = state == kOpen;
                for (int j = prop + 1; j < static_cast<int>(f.node->keys.size()); ++j) {
                    if (!f.node->required[static_cast<std::size_t>(j)])
                        continue;
                    out += (first ? "\"" : ",\"") + f.node->keys[static_cast<std::size_t>(j)] + "\":"
                        + f.node->values[static_cast<std::size_t>(j)]->minimal;
                    first = false;
                }
            }
            out += "}";
            break;
        }
        case kArray: {
            const int minItems = f.node->kind == SchemaNode::Kind::Array ? f.node->minItems : 0;
            const SchemaNode* items = f.node->kind == SchemaNode::Kind::Array ? f.node->items : nullptr;
            for (int n = f.count; n < minItems; ++n)
                out += (n ? "," : "") + items->minimal;
            out += "]";
            break;
        }
        default: break;
        }
    }
    return out;
}

void jsonTokenMask(const JsonConstraint& constraint, const std::vector<std::string>& pieces, const std::vector<bool>& eog,
                   int tokensLeft, std::vector<bool>& allowed)
{
    const std::size_t n = pieces.size();
    allowed.assign(n, false);
    // After this token, the value must still be completable in the tokens
    // left (one byte per token at worst; every vocabulary here has a token
    // for each byte).
    const auto budgetAfter = static_cast<std::size_t>(std::max(tokensLeft - 1, 0));
    const auto first = constraint.acceptableBytes();
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = pieces[i];
        if (p.empty() || !first[static_cast<unsigned char>(p[0])])
            continue;
        JsonConstraint copy = constraint;
        if (!copy.feed(p) || copy.shortestCompletion().size() > budgetAfter)
            continue;
        allowed[i] = true;
        any = true;
    }
    if (!any) {
        // Best effort when even that is impossible: head for the end.
        const std::string tail = constraint.shortestCompletion();
        for (std::size_t i = 0; i < n; ++i) {
            const auto& p = pieces[i];
            if (!p.empty() && p.size() <= tail.size() && tail.compare(0, p.size(), p) == 0)
                allowed[i] = true;
        }
    }
    if (constraint.complete())
        for (std::size_t i = 0; i < n && i < eog.size(); ++i)
            if (eog[i])
                allowed[i] = true;
}

} // namespace outpost::inference::sampling
