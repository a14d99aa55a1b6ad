#pragma once
// JSON-constrained generation: a JSON Schema subset compiled into a
// character-level automaton, and the token mask it implies.
//
// Supported schema keywords: "type" (object, array, string, number,
// integer, boolean, null; a missing type with "properties" is an object,
// with "items" an array, with "enum"/"const" whatever they list, otherwise
// any JSON value), "properties", "required", "items", "minItems",
// "maxItems", "enum", "const". Other keywords that would change what is
// valid ("anyOf", "oneOf", "allOf", "$ref", "pattern", "not") make parse()
// fail, so a caller never believes a constraint holds when it does not.
// Descriptive keywords ("description", "title", ...) are ignored.
//
// What the automaton accepts (a subset of what the schema allows, chosen so
// that generation always terminates): compact JSON (no whitespace between
// tokens); object properties in the schema's order, each optional property
// at most once, every required one present, no other properties when
// "properties" is given; strings of printable ASCII, escapes and 2- or
// 3-byte UTF-8 characters (no control bytes, no \u escapes); numbers with
// at most 15 digits before and after the point and a two-digit exponent
// (always a finite double). Everything it accepts parses as JSON and matches the
// schema.
//
// Termination: shortestCompletion() is the shortest text that turns the
// prefix accepted so far into a complete value; the token mask only allows
// tokens after which that text still fits in the tokens left, so the output
// is complete JSON even when maxTokens cuts the model short.
#include "inference/util/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::inference::sampling {

struct SchemaNode;

class JsonSchema {
public:
    // Parses a schema (JSON text). Errors give the position of a JSON syntax
    // error or name the unsupported keyword or bad value.
    static Result<std::shared_ptr<const JsonSchema>> parse(std::string_view schemaJson);
    ~JsonSchema();
    const SchemaNode& root() const { return *m_nodes.front(); }
    // Bytes of the shortest valid value.
    std::size_t minimalLength() const;

    std::vector<std::unique_ptr<SchemaNode>> m_nodes; // m_nodes[0] is the root
};

class JsonConstraint {
public:
    explicit JsonConstraint(std::shared_ptr<const JsonSchema> schema);

    // Feeds one byte. False when the byte is not allowed here; the state is
    // then unspecified, so callers test on a copy (accepts()).
    bool feed(unsigned char c);
    // True when all of `bytes` would be accepted from the current state.
    bool accepts(std::string_view bytes) const;
    // Feeds all of `bytes` (they must be acceptable: see accepts()).
    bool feed(std::string_view bytes);
    // True when the text so far is one complete value of the schema.
    bool complete() const;
    // True when complete() and no further byte is acceptable.
    bool finished() const;
    // The shortest text that completes the value ("" when complete()).
    std::string shortestCompletion() const;
    // Which first bytes are acceptable now (256 flags).
    std::vector<bool> acceptableBytes() const;

    // One open construct of the value being written (private to the
    // automaton; public only so the header can hold it by value).
    struct Frame {
        std::uint8_t kind = 0;     // what is open: value, object, array, string, number, literal
        std::uint8_t state = 0;    // where inside it
        bool isKey = false;        // a string that is an object key
        const SchemaNode* node = nullptr;
        int count = 0;             // array items so far / digits in the current number part
        int prop = -1;             // objects: index of the last property written; keys: -1
        int pending = 0;           // strings: UTF-8 continuation bytes (or \u hex digits) still due
        std::string buf;           // keys and literals: the text matched so far
    };

private:
    std::shared_ptr<const JsonSchema> m_schema;
    std::vector<Frame> m_stack;
    bool m_done = false;          // a complete top-level value that cannot grow
};

// The token mask for one step: allowed[id] for every token of the
// vocabulary, given each token's bytes. A token is allowed when the
// automaton accepts its bytes and the value can still be completed within
// the tokens left after it (tokensLeft counts this one), so generation that
// is cut short by maxTokens still ends in complete JSON. End-of-generation
// tokens (eog[id]) are allowed exactly when the value is complete.
void jsonTokenMask(const JsonConstraint& constraint, const std::vector<std::string>& pieces, const std::vector<bool>& eog,
                   int tokensLeft, std::vector<bool>& allowed);

} // namespace outpost::inference::sampling
