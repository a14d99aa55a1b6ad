#pragma once
// JSON-constrained generation: a JSON Schema subset compiled into a
// character-level automaton, and the token mask it implies.
//
// Keywords that constrain values (anything else that could change what is
// valid makes parse() fail, naming the keyword and its JSON pointer, e.g.
// "multipleOf" at #/properties/n/multipleOf; so are "not", "if",
// "pattern", "patternProperties", "propertyNames", "prefixItems",
// "contains", "uniqueItems", "minProperties", "maxProperties",
// "dependentRequired", "discriminator", ...):
//   "type"       object, array, string, number, integer, boolean, null, or
//                a list of them (["string", "null"]: each with the keywords
//                of its type, a union as below).
//                Without it the keywords present decide: properties,
//                additionalProperties or required make an object; items,
//                minItems or maxItems an array; minLength or maxLength a
//                string; minimum, maximum or exclusive* a number;
//                enum/const whatever they list; otherwise any JSON value.
//   "properties", "required"
//                a required name that "properties" lacks is a property
//                whose value matches "additionalProperties" (an error when
//                that is false).
//   "additionalProperties"
//                false: no keys beyond the properties. Otherwise, on an
//                object with no properties (listed or required), keys are
//                free and every value matches it (any value when true or
//                absent); beside properties, only the properties are
//                written.
//   "items" (one schema), "minItems", "maxItems"
//   "minLength", "maxLength"   in code points.
//   "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"
//                (numbers, or draft-4 booleans) on integers and numbers,
//                exactly, checked digit by digit as the value is written.
//   "enum", "const"
//                members the rest of the schema rules out (a string in an
//                integer's enum, one longer than maxLength, ...) are
//                dropped; an error when none is left.
//   "$ref"       a reference inside the schema: "#", "#/$defs/Name",
//                "#/definitions/Name" or any JSON pointer after "#" (~0 ~1
//                escaped, %-encoded as a URI fragment). "#" is the schema
//                resource the "$ref" stands in: the document, or the
//                nearest schema above it with an "$id" (so a schema put
//                inside another keeps its meaning); a "$ref" may also name
//                a resource of the document by its "$id", as written. The
//                schema it names is one node however often it is named, so
//                recursive schemas (a tree whose children are trees) work:
//                a value nests as deep as it is written. Refused: remote
//                references (http://..., other.json#... that no "$id" in
//                the document names), anchors ("#name"), and loops of
//                references with no schema in between.
//   "anyOf", "oneOf", type lists
//                unions. The automaton commits to a branch at the value's
//                first byte, so it stays deterministic: branches must differ
//                in what a value of theirs starts with (object, array,
//                string, number or integer, true/false/null; enum and const
//                members count by their own first byte), or merge exactly
//                into one schema: lists with lists; strings whose length
//                ranges meet; integers, or bounded numbers, whose ranges
//                meet; integers inside a number's range (or any number);
//                arrays of the same items whose counts meet; members that
//                the other branch allows; an any-value branch with anything.
//                Two object schemas never merge. For oneOf, branches of
//                different types never overlap, and a merge needs them
//                provably disjoint too (no value listed twice, ranges that
//                meet without overlapping). Otherwise parse() fails naming
//                the keyword, its pointer, the branches and why: "anyOf" at
//                #/anyOf: branches 0 and 2 are both objects, ...
//   "allOf"      with one branch: that branch (more are refused).
//   beside "$ref", "anyOf", "oneOf" or "allOf" (one of them a schema)
//                stand only annotations, "type", which keeps the values of
//                its types (a number branch under "integer" keeps its
//                integers), and enum/const, whose members must match the
//                rest; any other keyword there is refused by name. A union
//                that is itself before any value is written (A = anyOf
//                [A, ...]) is refused.
// Annotations, which constrain nothing: "description", "title", "default",
// "examples", "$schema", "$id", "$comment", "deprecated", "readOnly",
// "writeOnly", "contentMediaType", "contentEncoding", and "format" (an
// annotation since JSON Schema 2019-09: a "date-time" string is any
// string). "$defs" and "definitions" are read only where "$ref" points.
//
// What the automaton accepts (a subset of what the schema allows, chosen so
// that generation always terminates): compact JSON (no whitespace between
// tokens); object properties in the schema's order, each optional property
// at most once, every required one present; strings of ASCII from the space
// up, the escapes \" \\ \/ \b \f \n \r \t and any UTF-8 character (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF; no control bytes
// and no \u escapes but those a property name needs); free keys (which may
// repeat) are strings of the same kind; enum and const members are written
// as the schema has them, compacted; integers of at most 15 digits; numbers with at most
// 15 digits before and after the point and, when unbounded, a two-digit
// exponent (always a finite double; bounded numbers are written without
// exponent). Everything it accepts parses as JSON and matches the schema.
//
// Errors from parse(): invalid JSON (with its byte offset: numbers must
// follow JSON's grammar, strings must be UTF-8 with paired surrogates, keys
// must be unique), unsupported keywords, bad keyword values, schemas that
// nothing matches, JSON nesting deeper than 64, bounds that leave no
// integer of at most 15 digits, a shortest valid value over 1 MiB (a huge
// minLength or minItems, or shared definitions that double at each level),
// and, through "$ref": a schema with no finite value (a recursion that
// every value must follow, e.g. a required property whose schema is the
// object's own, with no other anyOf branch), schemas built more than 128
// deep inside one another, unions joined more than 128 deep, and a
// shortest value that nests deeper than 128.
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
    // error or name the unsupported keyword or bad value, with its JSON
    // pointer.
    static Result<std::shared_ptr<const JsonSchema>> parse(std::string_view schemaJson);
    ~JsonSchema();
    const SchemaNode& root() const { return *m_root; }
    // Bytes of the shortest valid value.
    std::size_t minimalLength() const;

    // Every node, shared: a schema that "$ref" reaches several times is one
    // node, and a recursive one is a cycle of them (frames point at nodes).
    std::vector<std::unique_ptr<SchemaNode>> m_nodes;
    const SchemaNode* m_root = nullptr;
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
    // shortestCompletion().size(), without building the text.
    std::size_t shortestCompletionLength() const;
    // Which first bytes are acceptable now (256 flags).
    std::vector<bool> acceptableBytes() const;
    // Takes the state of `from`, an automaton of the same schema, reusing
    // this one's memory (cheaper than a copy when done per token).
    void restore(const JsonConstraint& from);

    // One open construct of the value being written (private to the
    // automaton; public only so the header can hold it by value). Plain
    // data, so copying the automaton is copying the stack.
    struct Frame {
        std::uint8_t kind = 0;      // what is open: value, object, array, string, key, number, literal
        std::uint8_t state = 0;     // where inside it
        bool isKey = false;         // strings: the key of an object with free keys
        bool negative = false;      // numbers: written with '-'
        std::uint8_t pending = 0;   // strings: UTF-8 continuation bytes still due
        std::uint8_t nextLo = 0x80; // strings: the range of the next continuation byte
        std::uint8_t nextHi = 0xBF;
        const SchemaNode* node = nullptr;
        int count = 0;              // arrays: items so far; strings: code points so far; numbers: digits in
                                    // the current part; keys and literals: bytes matched so far
        int prop = -1;              // objects: index of the last property written
        int trie = 0;               // keys and literals: node of the trie of names or members
        std::int64_t whole = 0;     // bounded numbers: value of the digits before the point
        std::int64_t fraction = 0;  // and after it
    };

private:
    friend class JsonTokenMasker;  // walks strings on their frame alone
    template<class Out>
    void completeInto(Out& out) const;

    std::shared_ptr<const JsonSchema> m_schema;
    std::vector<Frame> m_stack;
    bool m_done = false;          // a complete top-level value that cannot grow
};

// The token mask for one step: allowed[id] for every token of the
// vocabulary, given each token's bytes. A token is allowed when the
// automaton accepts its bytes and the value can still be completed within
// the tokens left after it (tokensLeft counts this one), so generation that
// is cut short by maxTokens still ends in complete JSON. When no token
// qualifies, the tokens whose text begins the shortest completion are
// allowed (best effort). End-of-generation tokens (eog[id]) are allowed
// exactly when the value is complete, whatever their text.
//
// This is the straightforward form: every token's bytes are fed to a copy
// of the automaton. A caller that masks many steps of one vocabulary should
// hold a JsonTokenMasker, which gives the same masks 10-20 times faster
// inside strings and 20-100 times faster elsewhere (bench_json_mask).
void jsonTokenMask(const JsonConstraint& constraint, const std::vector<std::string>& pieces, const std::vector<bool>& eog,
                   int tokensLeft, std::vector<bool>& allowed);

// jsonTokenMask() for one vocabulary, on a byte trie of its pieces: a prefix
// that several tokens share is fed to the automaton once, a prefix it
// rejects rules out every token below it unvisited, and the completion
// budget is checked only where a token ends. Inside a string only the
// string's frame is carried from byte to byte. And when the mask starts
// inside a string (the common case: most of a value is text), the tokens
// that cannot close it, found once at construction with what each does to
// a string, are decided in one pass without the trie. Build it once per
// vocabulary (it sorts the pieces: about 15 ms for 32k, 75-130 ms for
// 150k); mask() may run on several threads at once.
class JsonTokenMasker {
public:
    JsonTokenMasker(const std::vector<std::string>& pieces, const std::vector<bool>& eog);
    // Exactly jsonTokenMask(constraint, pieces, eog, tokensLeft, allowed)
    // for the pieces and flags given at construction.
    void mask(const JsonConstraint& constraint, int tokensLeft, std::vector<bool>& allowed) const;

private:
    // Trie nodes in preorder (node 0 is the root, the last one a sentinel):
    // a node's subtree is the nodes from it up to `end`.
    struct Node {
        std::uint32_t end = 0;      // the first node after this subtree
        std::uint32_t tokens = 0;   // tokens ending here: m_tokens[tokens .. next node's tokens); the
                                    // subtree's: m_tokens[tokens .. m_nodes[end].tokens)
        std::uint32_t depth = 0;    // bytes from the root
        unsigned char byte = 0;
        bool allInner = false;      // every token of the subtree is in m_inner
    };
    // A token that, from inside a string (after a whole character), stays
    // inside it: what it leaves of the string's frame.
    struct InnerToken {
        std::int32_t id = 0;
        std::uint32_t characters = 0;  // code points it starts
        std::uint8_t state = 0;        // JsonConstraint::Frame's state, pending and nextLo/Hi after it
        std::uint8_t pending = 0;
        std::uint8_t nextLo = 0;
        std::uint8_t nextHi = 0;
    };
    std::vector<Node> m_nodes;
    std::vector<InnerToken> m_inner;  // ascending ids
    std::vector<std::int32_t> m_tokens;
    std::vector<std::int32_t> m_eog;  // end-of-generation tokens
    std::size_t m_vocabulary = 0;
    std::uint32_t m_depth = 0;        // the longest piece
};

} // namespace outpost::inference::sampling
