#include "inference/chat/py_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace outpost::inference::chat {

void appendUtf8(std::string& out, unsigned cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        cp = 0xFFFD; // lone surrogates and out-of-range values cannot be UTF-8
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void appendJsonString(std::string& out, std::string_view s)
{
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

std::string pyFloatRepr(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d < 0 ? "-inf" : "inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, r.ptr);
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    const auto ePos = sci.find('e');
    std::string digits = sci.substr(0, ePos);
    if (digits.size() > 1)
        digits.erase(1, 1); // the '.'
    const int exp = std::stoi(sci.substr(ePos + 1));
    std::string out = sign;
    if (exp >= -4 && exp < 16) {
        if (exp >= 0) {
            std::string intPart = digits.substr(0, std::min<std::size_t>(digits.size(), static_cast<std::size_t>(exp) + 1));
            while (intPart.size() < static_cast<std::size_t>(exp) + 1)
                intPart += '0';
            std::string frac = digits.size() > static_cast<std::size_t>(exp) + 1 ? digits.substr(static_cast<std::size_t>(exp) + 1) : "0";
            out += intPart;
            out += '.';
            out += frac;
        } else {
            out += "0.";
            out.append(static_cast<std::size_t>(-exp - 1), '0');
            out += digits;
        }
    } else {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out.append(digits, 1, std::string::npos);
        }
        char e[16];
        std::snprintf(e, sizeof e, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        out += e;
    }
    return out;
}

std::string pyJsonFloat(double d)
{
    if (std::isnan(d))
        return "NaN";
    if (std::isinf(d))
        return d < 0 ? "-Infinity" : "Infinity";
    return pyFloatRepr(d);
}

namespace {

void appendRepr(std::string& out, const Value& v, int depth);

void appendStrRepr(std::string& out, std::string_view s)
{
    const bool hasSingle = s.find('\'') != std::string_view::npos;
    const bool hasDouble = s.find('"') != std::string_view::npos;
    const char q = (hasSingle && !hasDouble) ? '"' : '\'';
    out += q;
    for (char c : s) {
        if (c == q || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    out += q;
}

void appendScalar(std::string& out, const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: break;
    case Value::Kind::None: out += "None"; break;
    case Value::Kind::Bool: out += v.asBool() ? "True" : "False"; break;
    case Value::Kind::Int: out += std::to_string(v.asInt()); break;
    case Value::Kind::Float: out += pyFloatRepr(v.asDouble()); break;
    case Value::Kind::Callable: out += "<function>"; break;
    default: break;
    }
}

void appendRepr(std::string& out, const Value& v, int depth)
{
    if (depth > 256) {
        out += "...";
        return;
    }
    switch (v.kind()) {
    case Value::Kind::String: appendStrRepr(out, v.asString()); break;
    case Value::Kind::Array: {
        out += '[';
        bool first = true;
        for (const auto& item : v.asArray()) {
            if (!first)
                out += ", ";
            first = false;
            appendRepr(out, item, depth + 1);
        }
        out += ']';
        break;
    }
    case Value::Kind::Object: {
        out += '{';
        bool first = true;
        for (const auto& [k, item] : v.asObject().entries) {
            if (!first)
                out += ", ";
            first = false;
            appendStrRepr(out, k);
            out += ": ";
            appendRepr(out, item, depth + 1);
        }
        out += '}';
        break;
    }
    default: appendScalar(out, v);
    }
}

} // namespace

std::string pyStr(const Value& v)
{
    if (v.isString())
        return v.asString();
    std::string out;
    appendRepr(out, v, 0);
    return out;
}

std::string pyRepr(const Value& v)
{
    std::string out;
    appendRepr(out, v, 0);
    return out;
}

std::vector<std::size_t> codePointOffsets(std::string_view s)
{
    std::vector<std::size_t> offsets;
    offsets.reserve(s.size() + 1);
    for (std::size_t i = 0; i < s.size();) {
        offsets.push_back(i);
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + len > s.size())
            len = 1;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
                len = 1;
                break;
            }
        i += len;
    }
    offsets.push_back(s.size());
    return offsets;
}

std::size_t codePointCount(std::string_view s)
{
    return codePointOffsets(s).size() - 1;
}

} // namespace outpost::inference::chat
