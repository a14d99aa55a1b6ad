#pragma once
// JSON that came from outside (a client's frame or body, a model endpoint's
// events, a file on disk), read without trusting its shape.
#include <cstddef>
#include <string>
#include <string_view>

namespace outpost::core::json {

// Arrays and objects nested deeper than this are refused: no document or
// message of Outpost needs them, and copying, comparing or writing a value
// recurses once per level, so a deeper one can exhaust a thread's stack
// (the parser itself does not recurse, so it would parse fine first).
inline constexpr int kMaxNesting = 512;

// The offset in `text` of the '[' or '{' that opens level kMaxNesting + 1,
// or -1 when there is none. Brackets inside strings do not count; `text`
// need not be valid JSON (the parser judges that).
std::ptrdiff_t tooDeepAt(std::string_view text);

// The string at `key`: `fallback` unless `j` is an object whose `key` holds
// a string (json::value() throws on any other type).
template<class Json>
std::string stringField(const Json& j, const char* key, const std::string& fallback = {})
{
    if (j.is_object())
        if (const auto it = j.find(key); it != j.end() && it->is_string())
            return it->template get<std::string>();
    return fallback;
}

} // namespace outpost::core::json
