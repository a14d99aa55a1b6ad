#pragma once
// The values a chat template computes with: the JSON-like data model of
// Jinja2 templates (undefined, none, booleans, integers, floats, strings,
// lists, ordered dicts) plus callables, which only the template engine makes.
//
// Lists and dicts have reference semantics, as in Python: copying a Value
// shares the underlying list or dict, so mutating one copy is visible in all.
// Strings are immutable and shared, so copies are cheap.
#include "inference/util/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace outpost::inference::chat {

namespace detail {
struct Callable;
}

class Value {
public:
    enum class Kind : std::uint8_t { Undefined, None, Bool, Int, Float, String, Array, Object, Callable };
    using Array = std::vector<Value>;
    struct Object;

    Value() = default; // undefined
    Value(bool b) : m_v(b) {}
    Value(int i) : m_v(static_cast<std::int64_t>(i)) {}
    Value(std::int64_t i) : m_v(i) {}
    Value(double d) : m_v(d) {}
    Value(std::string s) : m_v(std::make_shared<const std::string>(std::move(s))) {}
    Value(std::string_view s) : Value(std::string(s)) {}
    Value(const char* s) : Value(std::string(s)) {}
    Value(Array a) : m_v(std::make_shared<Array>(std::move(a))) {}

    static Value none() { Value v; v.m_v = nullptr; return v; }
    static Value array(Array items = {}) { return Value(std::move(items)); }
    static Value object();
    static Value callable(std::shared_ptr<const detail::Callable> c) { Value v; v.m_v = std::move(c); return v; }

    Kind kind() const { return static_cast<Kind>(m_v.index()); }
    bool isUndefined() const { return kind() == Kind::Undefined; }
    bool isNone() const { return kind() == Kind::None; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isInt() const { return kind() == Kind::Int; }
    bool isFloat() const { return kind() == Kind::Float; }
    bool isNumber() const { return isInt() || isFloat() || isBool(); }
    bool isString() const { return kind() == Kind::String; }
    bool isArray() const { return kind() == Kind::Array; }
    bool isObject() const { return kind() == Kind::Object; }
    bool isCallable() const { return kind() == Kind::Callable; }

    // Accessors require the matching kind (checked with the is* functions
    // first); asDouble also converts Int and Bool.
    bool asBool() const { return std::get<bool>(m_v); }
    std::int64_t asInt() const { return isBool() ? std::get<bool>(m_v) : std::get<std::int64_t>(m_v); }
    double asDouble() const;
    const std::string& asString() const { return *std::get<5>(m_v); }
    const Array& asArray() const { return *std::get<6>(m_v); }
    Array& mutableArray() { return *std::get<6>(m_v); }
    const Object& asObject() const { return *std::get<7>(m_v); }
    Object& mutableObject() { return *std::get<7>(m_v); }
    const detail::Callable& asCallable() const { return *std::get<8>(m_v); }

    // Object helpers: set replaces a key in place (keeping its position) or
    // appends it; get returns nullptr when the key is absent or this is not
    // an object. push appends to an array.
    Value& set(std::string key, Value value);
    const Value* get(std::string_view key) const;
    Value& push(Value value);

    // Python truthiness: undefined, none, false, 0, 0.0, "", [] and {} are false.
    bool truthy() const;

    // Deep equality with Python semantics (1 == 1.0 == true; dict order ignored).
    bool operator==(const Value& other) const;

    // Parses JSON text (RFC 8259), keeping object key order; duplicate keys
    // keep the last value, as Python does. Errors name the byte offset and
    // reason; nesting deeper than 512 levels is rejected.
    static Result<Value> parseJson(std::string_view text);

    // JSON text as Python's json.dumps(ensure_ascii=False) writes it:
    // indent < 0 gives one line with ", " and ": " separators; indent >= 0
    // puts each item on its own line. Undefined and callables have no JSON
    // form and fail.
    struct JsonOptions {
        int indent = -1;
        std::string itemSeparator;  // empty: ", " on one line, "," when indented
        std::string keySeparator = ": ";
        bool sortKeys = false;
    };
    Result<std::string> toJson(const JsonOptions& options) const;
    Result<std::string> toJson() const { return toJson(JsonOptions{}); }

private:
    std::variant<std::monostate, std::nullptr_t, bool, std::int64_t, double, std::shared_ptr<const std::string>,
                 std::shared_ptr<Array>, std::shared_ptr<Object>, std::shared_ptr<const detail::Callable>>
        m_v;
};

// An insertion-ordered dict. Lookups are linear, which is faster than hashing
// for the handful of keys chat messages and tool schemas carry.
struct Value::Object {
    std::vector<std::pair<std::string, Value>> entries;
    bool isNamespace = false; // made by namespace(): the only dict `set x.y = ...` may change

    const Value* find(std::string_view key) const;
    Value* find(std::string_view key);
    Value& set(std::string key, Value value);
};

} // namespace outpost::inference::chat
