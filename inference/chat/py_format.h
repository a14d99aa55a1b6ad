#pragma once
// How Python prints values: str() and repr() of the template data model,
// json.dumps string and float forms, and UTF-8 helpers. Chat templates were
// written against Python's Jinja2, so byte-exact prompts need Python's text
// forms (True, None, 1.0, ['a', 'b']).
#include "inference/chat/value.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::inference::chat {

void appendUtf8(std::string& out, unsigned codePoint);
// json.dumps(s, ensure_ascii=False): quotes, escapes \" \\ and control
// characters, keeps every other character as it is.
void appendJsonString(std::string& out, std::string_view s);
// repr(float) and json.dumps(float): shortest round-trip digits, fixed
// notation for exponents -4..15, otherwise d.ddde+XX.
std::string pyFloatRepr(double d);
std::string pyJsonFloat(double d);

// str(v): strings as they are, None, True, lists and dicts in repr form;
// undefined prints as the empty string.
std::string pyStr(const Value& v);
std::string pyRepr(const Value& v);

// Code-point view of a UTF-8 string: the byte offset where each code point
// starts, plus the end. Invalid bytes count as one code point each, so
// nothing is lost.
std::vector<std::size_t> codePointOffsets(std::string_view s);
std::size_t codePointCount(std::string_view s);

} // namespace outpost::inference::chat
