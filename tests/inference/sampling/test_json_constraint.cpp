// JSON-constrained output: the automaton accepts what the schema allows
// (and rejects what it does not), the shortest completion always completes,
// and on the tiny real model every output parses as JSON and matches its
// schema, whatever the sampling and however short maxTokens is.
//
// The oracle is validate() below: an independent checker of the keyword
// subset with JSON Schema's own semantics (each keyword applies to values
// of its type; "$ref", anyOf, oneOf, allOf and type lists as the standard
// reads them), over Qt's JSON parser, plus a strict UTF-8 decoder.
#include "inference/engine.h"
#include "inference/sampling/json_constraint.h"

#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <cstring>
#include <random>

using namespace outpost::inference;
using namespace outpost::inference::sampling;

namespace {

const char* kToolSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "age": {"type": "integer"},
    "score": {"type": "number"},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    "ok": {"type": "boolean"},
    "color": {"enum": ["red", "green", "blue"]},
    "extra": {}
  },
  "required": ["name", "age", "color"]
})";

// Schemas with every supported keyword, used by the random walks and the
// tiny model.
const char* kPeopleSchema = R"({"type":"object","properties":{"people":{"type":"array","items":{"type":"object",
  "properties":{"name":{"type":"string","minLength":1,"maxLength":12},"age":{"type":"integer","minimum":0,"maximum":120},
  "pets":{"type":"array","items":{"type":"object","properties":{"kind":{"enum":["cat","dog"]}},"required":["kind"],
  "additionalProperties":false},"maxItems":2}},"required":["name","age"]},"minItems":1,"maxItems":3}},"required":["people"]})";
const char* kOptionalAfterRequired = R"({"type":"object","properties":{"id":{"type":"integer","exclusiveMinimum":0},
  "note":{"type":"string","maxLength":5},"flag":{"type":"boolean"},"level":{"type":"integer","minimum":3,"maximum":7},
  "last":{"type":"null"}},"required":["id","level"]})";
const char* kClosedObject = R"({"type":"object","properties":{"a":{"type":"integer","minimum":-3,"maximum":3},
  "b":{"type":"string","minLength":2,"maxLength":2}},"additionalProperties":false})";
const char* kMapOfDigits = R"({"type":"object","additionalProperties":{"type":"integer","minimum":1,"maximum":9}})";
const char* kIntegerBounds = R"({"type":"integer","minimum":-20,"maximum":300})";
const char* kExclusiveBounds = R"({"type":"integer","exclusiveMinimum":-1000,"exclusiveMaximum":-990})";
const char* kNumberBounds = R"({"type":"number","minimum":0.5,"exclusiveMaximum":2.25})";
const char* kStringLengths = R"({"type":"string","minLength":3,"maxLength":8})";
const char* kNonAscii = "{\"type\":\"object\",\"properties\":{\"\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\xae\":{\"enum\":[\"\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87\","
                        "\"\xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\xaa\xe0\xb8\x94\xe0\xb8\xb5\",\"\xec\x95\x88\xeb\x85\x95\",\"\xf0\x9f\x98\x80\"]},"
                        "\"citt\\u00e0\":{\"type\":\"string\",\"maxLength\":4},\"\xed\x95\x9c\":{\"type\":\"string\"}},"
                        "\"required\":[\"\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\xae\",\"citt\xc3\xa0\"]}";
const char* kAnnotated = R"({"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","title":"T","description":"d",
  "$comment":"c","type":"object","properties":{"when":{"type":"string","format":"date-time","default":"now","examples":["a"],
  "deprecated":false,"readOnly":true,"writeOnly":false,"contentMediaType":"text/plain","contentEncoding":"base64"}},
  "required":["when"],"$defs":{"unused":{"type":"integer"}}})";

// What tools generate. pydantic (the Python MCP SDK, many agent
// frameworks): "$defs" and "$ref" to a model, a list of models, annotations
// everywhere. zod-to-json-schema: a root "$ref" into "definitions". And
// recursion: a tree whose children are trees, a list through "#".
const char* kPydanticSchema = R"({"$defs":{"Address":{"properties":{"street":{"title":"Street","type":"string","maxLength":24},
  "city":{"title":"City","type":"string"}},"required":["street","city"],"title":"Address","type":"object"},
  "Pet":{"properties":{"name":{"title":"Name","type":"string"},"kind":{"enum":["cat","dog"],"title":"Kind","type":"string"}},
  "required":["name","kind"],"title":"Pet","type":"object"}},
  "properties":{"name":{"title":"Name","type":"string"},"home":{"allOf":[{"$ref":"#/$defs/Address"}],"description":"Where they live"},
  "pets":{"items":{"$ref":"#/$defs/Pet"},"maxItems":3,"title":"Pets","type":"array"},
  "work":{"anyOf":[{"$ref":"#/$defs/Address"},{"type":"null"}],"default":null,"description":"Where they work"},
  "nickname":{"anyOf":[{"type":"string","maxLength":8},{"type":"null"}],"default":null,"title":"Nickname"},
  "scores":{"anyOf":[{"type":"array","items":{"type":"integer","minimum":0,"maximum":100}},{"type":"null"}],"default":null}},
  "required":["name","home","pets"],"title":"Person","type":"object"})";
// (moc, which reads this file too, misreads a raw string that has a "//"
// and goes on to another line, and a raw string with a "#" anywhere but as
// a variable's initialiser: such texts are one raw string a line, in a
// variable.)
const char* kZodSchema = R"({"$schema":"http://json-schema.org/draft-07/schema#","$ref":"#/definitions/Args","definitions":{"Args":{)"
  R"("type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":50}},"required":["query"],)"
  R"("additionalProperties":false}}})";
const char* kTreeSchema = R"({"$defs":{"Node":{"type":"object","properties":{"label":{"type":"string","maxLength":8},
  "children":{"type":"array","items":{"$ref":"#/$defs/Node"},"maxItems":3}},"required":["label"]}},"$ref":"#/$defs/Node"})";
const char* kListSchema = R"({"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#"}},"required":["value"]})";
// OpenAI strict mode: every field required, optional ones nullable by a
// type list. And a oneOf of a string, an integer and an object.
const char* kNullableSchema = R"({"type":"object","properties":{"location":{"type":"string"},
  "unit":{"type":["string","null"],"enum":["celsius","fahrenheit",null]},"days":{"type":["integer","null"],"minimum":1,"maximum":7},
  "note":{"type":["string","null"],"maxLength":10}},"required":["location","unit","days","note"],"additionalProperties":false})";
// Any JSON value, recursively, as zod writes z.lazy(): a union whose
// branches hold the union.
const char* kJsonValueSchema = R"({"$defs":{"J":{"anyOf":[{"type":["string","number","boolean","null"]},
  {"type":"array","items":{"$ref":"#/$defs/J"},"maxItems":4},{"type":"object","additionalProperties":{"$ref":"#/$defs/J"}}]}},
  "$ref":"#/$defs/J"})";
const char* kOneOfSchema = R"({"type":"object","properties":{"target":{"oneOf":[{"type":"string","maxLength":12},
  {"type":"integer","minimum":0},{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"],
  "additionalProperties":false}]},"mode":{"anyOf":[{"const":"fast"},{"const":"slow"},{"type":"integer","minimum":1,"maximum":9},
  {"type":"boolean"}]}},"required":["target"]})";

std::shared_ptr<const JsonSchema> schemaOf(const char* text)
{
    auto s = JsonSchema::parse(text);
    if (!s)
        qFatal("schema: %s", s.error().c_str());
    return s.value();
}

bool acceptsAll(const char* schema, const std::string& text)
{
    JsonConstraint c(schemaOf(schema));
    return c.feed(text) && c.complete();
}

QString parseError(const char* schema)
{
    const auto s = JsonSchema::parse(schema);
    return s.ok() ? QString() : QString::fromStdString(s.error());
}

// Whether parsing `schema` fails with an error that says each of `says`;
// `why` tells what it said instead.
bool refusedSaying(const char* schema, std::initializer_list<const char*> says, QString& why)
{
    why = parseError(schema);
    if (why.isEmpty()) {
        why = QStringLiteral("accepted: ") + QString::fromUtf8(schema);
        return false;
    }
    for (const char* part : says)
        if (!why.contains(QString::fromUtf8(part))) {
            why += QStringLiteral("\nlacks: ") + QString::fromUtf8(part);
            return false;
        }
    return true;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool validUtf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + std::size_t(extra) >= s.size())
            return false;
        for (int k = 1; k <= extra; ++k) {
            const auto d = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if ((d & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += std::size_t(extra) + 1;
    }
    return true;
}

bool isInteger(const QJsonValue& v)
{
    return v.isDouble() && v.toDouble() == std::floor(v.toDouble());
}

// What a local "$ref" points to in `root`: "#", or a JSON pointer after it
// (percent-encoded, ~1 and ~0 escaped). Undefined when it points nowhere.
QJsonValue resolveRef(const QJsonValue& root, const QString& ref)
{
    const QString pointer = QUrl::fromPercentEncoding(ref.mid(1).toUtf8());
    QJsonValue at = root;
    if (pointer.isEmpty())
        return at;
    for (QString token : pointer.mid(1).split(QLatin1Char('/'))) {
        token.replace(QStringLiteral("~1"), QStringLiteral("/")).replace(QStringLiteral("~0"), QStringLiteral("~"));
        at = at.isObject() ? at.toObject().value(token) : at.isArray() ? at.toArray().at(token.toInt()) : QJsonValue(QJsonValue::Undefined);
    }
    return at;
}

// The oracle: `v` against `schema` with JSON Schema's semantics for the
// supported keywords ("$ref" resolved in `root`, keywords beside it applied
// too, as since 2019-09). `at` is where `v` is, for the message.
bool validate(const QJsonValue& v, const QJsonValue& schema, const QString& at, QString& why, const QJsonValue& root)
{
    auto fail = [&](const QString& what) {
        why = at + QStringLiteral(": ") + what;
        return false;
    };
    if (schema.isBool())
        return schema.toBool() || fail(QStringLiteral("the false schema"));
    const QJsonObject s = schema.toObject();
    if (s.contains(QStringLiteral("$ref"))) {
        const QJsonValue target = resolveRef(root, s[QStringLiteral("$ref")].toString());
        if (target.isUndefined())
            return fail(QStringLiteral("a $ref to nothing"));
        if (!validate(v, target, at, why, root))
            return false;
    }
    if (s.contains(QStringLiteral("type"))) {
        // One name, or a list: any of them.
        const QJsonValue type = s[QStringLiteral("type")];
        const QJsonArray names = type.isArray() ? type.toArray() : QJsonArray{type};
        bool ok = false;
        for (const auto& name : names) {
            const QString t = name.toString();
            ok = ok
                 || (t == QStringLiteral("object")    ? v.isObject()
                     : t == QStringLiteral("array")   ? v.isArray()
                     : t == QStringLiteral("string")  ? v.isString()
                     : t == QStringLiteral("number")  ? v.isDouble()
                     : t == QStringLiteral("integer") ? isInteger(v)
                     : t == QStringLiteral("boolean") ? v.isBool()
                     : t == QStringLiteral("null")    ? v.isNull()
                                                      : false);
        }
        if (!ok)
            return fail(QStringLiteral("not of type ") + QString::fromUtf8(QJsonDocument(QJsonArray{type}).toJson(QJsonDocument::Compact)));
    }
    // allOf: every branch; anyOf: one at least; oneOf: exactly one.
    for (const auto& branch : s[QStringLiteral("allOf")].toArray())
        if (!validate(v, branch, at, why, root))
            return false;
    for (const char* key : {"anyOf", "oneOf"}) {
        if (!s.contains(QLatin1String(key)))
            continue;
        int matching = 0;
        for (const auto& branch : s[QLatin1String(key)].toArray()) {
            QString ignored;
            matching += validate(v, branch, at, ignored, root) ? 1 : 0;
        }
        if (matching == 0 || (matching > 1 && std::strcmp(key, "oneOf") == 0))
            return fail(QString::number(matching) + QStringLiteral(" branches of ") + QLatin1String(key) + QStringLiteral(" match"));
    }
    if (s.contains(QStringLiteral("enum")) && !s[QStringLiteral("enum")].toArray().contains(v))
        return fail(QStringLiteral("not in the enum"));
    if (s.contains(QStringLiteral("const")) && s[QStringLiteral("const")] != v)
        return fail(QStringLiteral("not the const"));
    if (v.isString()) {
        const auto n = v.toString().toUcs4().size();
        if (s.contains(QStringLiteral("minLength")) && n < s[QStringLiteral("minLength")].toInt())
            return fail(QStringLiteral("shorter than minLength"));
        if (s.contains(QStringLiteral("maxLength")) && n > s[QStringLiteral("maxLength")].toInt())
            return fail(QStringLiteral("longer than maxLength"));
    }
    if (v.isDouble()) {
        const double x = v.toDouble();
        if ((s.contains(QStringLiteral("minimum")) && x < s[QStringLiteral("minimum")].toDouble())
            || (s.contains(QStringLiteral("maximum")) && x > s[QStringLiteral("maximum")].toDouble())
            || (s.contains(QStringLiteral("exclusiveMinimum")) && x <= s[QStringLiteral("exclusiveMinimum")].toDouble())
            || (s.contains(QStringLiteral("exclusiveMaximum")) && x >= s[QStringLiteral("exclusiveMaximum")].toDouble()))
            return fail(QStringLiteral("out of bounds"));
    }
    if (v.isArray()) {
        const auto a = v.toArray();
        if ((s.contains(QStringLiteral("minItems")) && a.size() < s[QStringLiteral("minItems")].toInt())
            || (s.contains(QStringLiteral("maxItems")) && a.size() > s[QStringLiteral("maxItems")].toInt()))
            return fail(QStringLiteral("item count"));
        if (s.contains(QStringLiteral("items")))
            for (qsizetype i = 0; i < a.size(); ++i)
                if (!validate(a[i], s[QStringLiteral("items")], at + QStringLiteral("/") + QString::number(i), why, root))
                    return false;
    }
    if (v.isObject()) {
        const auto o = v.toObject();
        for (const auto& r : s[QStringLiteral("required")].toArray())
            if (!o.contains(r.toString()))
                return fail(QStringLiteral("missing ") + r.toString());
        const auto props = s[QStringLiteral("properties")].toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString where = at + QStringLiteral("/") + it.key();
            if (props.contains(it.key())) {
                if (!validate(it.value(), props[it.key()], where, why, root))
                    return false;
            } else if (s.contains(QStringLiteral("additionalProperties"))) {
                if (!validate(it.value(), s[QStringLiteral("additionalProperties")], where, why, root))
                    return false;
            }
        }
    }
    return true;
}

// Parses `text` as one JSON value and validates it against `schema`.
bool matchesSchema(const std::string& text, const char* schema, QString& why)
{
    if (!validUtf8(text)) {
        why = QStringLiteral("invalid UTF-8");
        return false;
    }
    QJsonParseError err;
    // QJsonDocument parses only objects and arrays: wrap the value.
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString("[" + text + "]"), &err);
    if (err.error != QJsonParseError::NoError || doc.array().size() != 1) {
        why = QStringLiteral("not JSON: ") + err.errorString();
        return false;
    }
    const QJsonValue s = QJsonDocument::fromJson(QByteArray(schema)).object();
    return validate(doc.array()[0], s, QStringLiteral("#"), why, s);
}

// A random value the automaton accepts: random acceptable bytes (structural
// ones favoured, so that values end and objects move on), then the shortest
// completion, which must be accepted and complete the value.
bool randomValue(const std::shared_ptr<const JsonSchema>& schema, std::mt19937& rng, int steps, std::string& text)
{
    JsonConstraint c(schema);
    text.clear();
    for (int i = 0; i < steps; ++i) {
        const auto ok = c.acceptableBytes();
        std::vector<int> all, structural;
        for (int b = 0; b < 256; ++b) {
            if (!ok[std::size_t(b)])
                continue;
            all.push_back(b);
            if (std::strchr("\"{}[],:-.", b) && b != 0)
                structural.push_back(b);
        }
        if (all.empty())
            break;
        const auto& from = (!structural.empty() && rng() % 4 == 0) ? structural : all;
        const int b = from[rng() % from.size()];
        if (!c.feed(static_cast<unsigned char>(b)))
            return false;
        text += char(b);
    }
    const std::string tail = c.shortestCompletion();
    text += tail;
    return c.feed(tail) && c.complete();
}

// The straightforward mask, the specification of JsonTokenMasker: each
// token's bytes fed to a copy of the automaton (public calls only).
std::vector<bool> naiveMask(const JsonConstraint& c, const std::vector<std::string>& pieces, const std::vector<bool>& eog, int tokensLeft)
{
    std::vector<bool> allowed(pieces.size(), false);
    const std::size_t budget = std::size_t(std::max(tokensLeft - 1, 0));
    bool any = false;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        JsonConstraint copy = c;
        if (eog[i] || pieces[i].empty() || !copy.feed(pieces[i]) || copy.shortestCompletion().size() > budget)
            continue;
        allowed[i] = any = true;
    }
    const std::string tail = c.shortestCompletion();
    for (std::size_t i = 0; i < pieces.size(); ++i)
        if (eog[i])
            allowed[i] = c.complete();
        else if (!any && !pieces[i].empty() && tail.compare(0, pieces[i].size(), pieces[i]) == 0)
            allowed[i] = true;
    return allowed;
}

// End-of-generation flags with one token marked.
std::vector<bool> eogPieces(std::size_t n, std::size_t eogIndex)
{
    std::vector<bool> eog(n, false);
    eog[eogIndex] = true;
    return eog;
}

} // namespace

class TestJsonConstraint : public QObject {
    Q_OBJECT

private slots:
    void acceptsWhatTheSchemaAllows()
    {
        QVERIFY(acceptsAll(kToolSchema, R"({"name":"Ann","age":3,"color":"red"})"));
        QVERIFY(acceptsAll(kToolSchema, "{\"name\":\"A\\\"b\\\\c\",\"age\":-12,\"score\":1.5e-3,\"tags\":[\"x\",\"y\"],\"ok\":true,\"color\":\"blue\",\"extra\":{\"a\":[1,null,false]}}"));
        QVERIFY(acceptsAll(R"({"type":"array","items":{"type":"number"},"minItems":2})", "[1,2.5,-0.25]"));
        QVERIFY(acceptsAll(R"({"type":"integer"})", "42"));
        QVERIFY(acceptsAll(R"({"enum":[1,12,"x",null]})", "12"));
        QVERIFY(acceptsAll(R"({"const":{"a":1}})", R"({"a":1})"));
        QVERIFY(acceptsAll("{}", R"({"any":["thing",1,{"x":true}]})"));
        QVERIFY(acceptsAll(R"({"type":"string"})", "\"caf\xc3\xa9\""));
    }

    void rejectsWhatItDoesNot()
    {
        QVERIFY(!acceptsAll(kToolSchema, R"({"age":3,"name":"Ann","color":"red"})"));    // out of schema order
        QVERIFY(!acceptsAll(kToolSchema, R"({"name":"Ann","color":"red"})"));            // missing required
        QVERIFY(!acceptsAll(kToolSchema, R"({"name":"Ann","age":3.5,"color":"red"})"));  // not an integer
        QVERIFY(!acceptsAll(kToolSchema, R"({"name":"Ann","age":3,"color":"pink"})"));   // not in the enum
        QVERIFY(!acceptsAll(kToolSchema, R"({"name":"Ann","age":3,"color":"red","x":1})"));
        QVERIFY(!acceptsAll(kToolSchema, R"({"name":"Ann","age":3,"tags":["a","b","c","d"],"color":"red"})"));
        QVERIFY(!acceptsAll(kToolSchema, R"({ "name":"Ann","age":3,"color":"red"})"));   // whitespace
        QVERIFY(!acceptsAll(R"({"type":"integer"})", "012"));
        QVERIFY(!acceptsAll(R"({"type":"number"})", "1."));
        QVERIFY(!acceptsAll(R"({"type":"string"})", "\"a\nb\""));
        QVERIFY(!acceptsAll(R"({"type":"array","minItems":2})", "[1]"));
        // A name that is a prefix of another: only where its place allows.
        const char* prefixes = R"({"properties":{"ab":{"type":"integer"},"a":{"type":"integer"}},"required":["ab"]})";
        QVERIFY(!acceptsAll(prefixes, R"({"a":1})"));
        QVERIFY(!acceptsAll(prefixes, R"({"a":1,"ab":2})"));
        QVERIFY(acceptsAll(prefixes, R"({"ab":2,"a":1})"));
    }

    void unsupportedSchemasAreRefused()
    {
        QVERIFY(!JsonSchema::parse(R"({"not":{"type":"string"}})").ok());
        const auto bad = JsonSchema::parse(R"({"type": "object",)");
        QVERIFY(!bad.ok());
        QVERIFY2(QString::fromStdString(bad.error()).contains(QStringLiteral("byte")), bad.error().c_str());
        // A required name that additionalProperties false forbids cannot be met.
        QVERIFY(!JsonSchema::parse(R"({"type":"object","properties":{},"required":["x"],"additionalProperties":false})").ok());
    }

    // Every keyword that changes validity and is not implemented is refused
    // by name, with the JSON pointer of where it stands.
    void unsupportedKeywordsAreNamed()
    {
        const struct {
            const char* schema;
            const char* keyword;
            const char* pointer;
        } cases[] = {
            {R"({"type":"number","multipleOf":2})", "multipleOf", "#/multipleOf"},
            {R"({"type":"array","uniqueItems":true})", "uniqueItems", "#/uniqueItems"},
            {R"({"type":"object","minProperties":1})", "minProperties", "#/minProperties"},
            {R"({"type":"object","maxProperties":1})", "maxProperties", "#/maxProperties"},
            {R"({"type":"array","prefixItems":[{"type":"string"}]})", "prefixItems", "#/prefixItems"},
            {R"({"type":"array","contains":{"type":"string"}})", "contains", "#/contains"},
            {R"({"type":"object","propertyNames":{"maxLength":3}})", "propertyNames", "#/propertyNames"},
            {R"({"type":"object","patternProperties":{"^x":{}}})", "patternProperties", "#/patternProperties"},
            {R"({"type":"object","properties":{"a":{}},"dependentRequired":{"a":["b"]}})", "dependentRequired", "#/dependentRequired"},
            {R"({"type":"object","properties":{"a/b":{"type":"string","pattern":"^x"}}})", "pattern", "#/properties/a~1b/pattern"},
            {R"({"type":"array","items":{"type":"object","properties":{"x":{"nullable":true}}}})", "nullable", "#/items/properties/x/nullable"},
            {R"({"type":"object","unevaluatedProperties":false})", "unevaluatedProperties", "#/unevaluatedProperties"},
            {R"({"type":"string","if":{"minLength":1},"then":{}})", "if", "#/if"},
        };
        for (const auto& c : cases) {
            const QString error = parseError(c.schema);
            QVERIFY2(!error.isEmpty(), c.schema);
            QVERIFY2(error.contains(QLatin1String("\"") + QLatin1String(c.keyword) + QLatin1String("\"")), qPrintable(error));
            QVERIFY2(error.contains(QLatin1String(c.pointer)), qPrintable(error));
        }
        // Annotations are only annotations.
        QVERIFY2(parseError(kAnnotated).isEmpty(), qPrintable(parseError(kAnnotated)));
        QVERIFY(acceptsAll(kAnnotated, R"({"when":"any text, format is an annotation"})"));
    }

    void additionalProperties()
    {
        QVERIFY(acceptsAll(R"({"type":"object","additionalProperties":false})", "{}"));
        QVERIFY(!acceptsAll(R"({"type":"object","additionalProperties":false})", R"({"a":1})"));
        QVERIFY(acceptsAll(kClosedObject, R"({"a":-3,"b":"xy"})"));
        QVERIFY(!acceptsAll(kClosedObject, R"({"a":1,"c":2})"));
        QVERIFY(acceptsAll(kMapOfDigits, R"({"x":1,"y":9,"":5})"));
        QVERIFY(!acceptsAll(kMapOfDigits, R"({"x":"1"})"));
        QVERIFY(!acceptsAll(kMapOfDigits, R"({"x":10})"));
        QVERIFY(!acceptsAll(kMapOfDigits, R"({"x":0})"));
        // true, or absent: the properties in schema order, as before.
        QVERIFY(acceptsAll(R"({"properties":{"a":{}},"additionalProperties":true})", R"({"a":[]})"));
        // A required name outside "properties" is validated by additionalProperties.
        QVERIFY(acceptsAll(R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["b"]})", R"({"b":"x"})"));
        QVERIFY(acceptsAll(R"({"type":"object","additionalProperties":{"type":"string"},"required":["b"]})", R"({"b":"x"})"));
        QVERIFY(!acceptsAll(R"({"type":"object","additionalProperties":{"type":"string"},"required":["b"]})", R"({"b":1})"));
        QVERIFY(!acceptsAll(R"({"type":"object","additionalProperties":{"type":"string"},"required":["b"]})", R"({})"));
    }

    // false as a schema: a property that must not be present, or items
    // that none may be (an empty array). Required and false, or minItems
    // with items false, can never be met and are refused.
    void falseSubschemas()
    {
        const char* noX = R"({"type":"object","properties":{"a":{"type":"integer"},"x":false}})";
        QVERIFY(acceptsAll(noX, R"({"a":1})"));
        QVERIFY(acceptsAll(noX, "{}"));
        QVERIFY(!acceptsAll(noX, R"({"x":1})"));
        QVERIFY(!acceptsAll(noX, R"({"a":1,"x":1})"));
        // The only property false: free keys could write it, so none are.
        const char* onlyNoX = R"({"type":"object","properties":{"x":false}})";
        QVERIFY(acceptsAll(onlyNoX, "{}"));
        QVERIFY(!acceptsAll(onlyNoX, R"({"x":1})"));
        QCOMPARE(JsonConstraint(schemaOf(onlyNoX)).shortestCompletion(), std::string("{}"));
        // enum members the false property rules out are dropped.
        const char* members = R"({"type":"object","properties":{"x":false},"enum":[{"x":1},{"y":2}]})";
        QVERIFY(acceptsAll(members, R"({"y":2})"));
        QVERIFY(!acceptsAll(members, R"({"x":1})"));
        QVERIFY(acceptsAll(R"({"type":"array","items":false})", "[]"));
        QVERIFY(!acceptsAll(R"({"type":"array","items":false})", "[1]"));
        QString why;
        QVERIFY2(refusedSaying(R"({"type":"object","properties":{"x":false},"required":["x"]})", {"\"x\"", "false"}, why),
                 qPrintable(why));
        QVERIFY2(refusedSaying(R"({"type":"array","items":false,"minItems":2})", {"2 items", "false"}, why), qPrintable(why));
    }

    void stringLengthsCountCodePoints()
    {
        QVERIFY(acceptsAll(kStringLengths, "\"abc\""));
        QVERIFY(acceptsAll(kStringLengths, "\"abcdefgh\""));
        QVERIFY(!acceptsAll(kStringLengths, "\"ab\""));
        QVERIFY(!acceptsAll(kStringLengths, "\"abcdefghi\""));
        // Three code points in 9 bytes, escapes count once.
        QVERIFY(acceptsAll(kStringLengths, "\"\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\xae\""));
        QVERIFY(acceptsAll(kStringLengths, "\"\\n\\t\xf0\x9f\x98\x80\""));
        QVERIFY(!acceptsAll(R"({"type":"string","maxLength":1})", "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\""));
        QVERIFY(acceptsAll(R"({"type":"string","maxLength":1})", "\"\xf0\x9f\x98\x80\""));
        QCOMPARE(schemaOf(kStringLengths)->minimalLength(), std::size_t(5));
        JsonConstraint c(schemaOf(kStringLengths));
        QVERIFY(c.feed("\"\xe0\xa4"));
        const std::string tail = c.shortestCompletion();
        QCOMPARE(tail.size(), std::size_t(1 + 2 + 1));
        QVERIFY(c.feed(tail) && c.complete());
        // An enum member that breaks the lengths is not offered.
        QVERIFY(!acceptsAll(R"({"type":"string","maxLength":2,"enum":["ab","abc"]})", "\"abc\""));
        QVERIFY(acceptsAll(R"({"type":"string","maxLength":2,"enum":["ab","abc"]})", "\"ab\""));
    }

    // Every short integer text against the bounds, and the shortest
    // completion of every prefix against a brute-force search.
    void integerBoundsDigitByDigit()
    {
        const struct {
            const char* schema;
            long lo, hi;
        } cases[] = {{kIntegerBounds, -20, 300}, {kExclusiveBounds, -999, -991}, {R"({"type":"integer","minimum":105})", 105, 999999},
                     {R"({"type":"integer","minimum":-7.5,"maximum":7.5})", -7, 7}, {R"({"type":"integer","maximum":-3})", -9999, -3},
                     {R"({"type":"integer","minimum":5,"exclusiveMinimum":6,"maximum":1e400})", 7, 99999}};
        for (const auto& k : cases) {
            const auto schema = schemaOf(k.schema);
            for (long v = -1200; v <= 1200; ++v) {
                const std::string text = std::to_string(v);
                JsonConstraint c(schema);
                const bool ok = c.feed(text) && c.complete();
                QVERIFY2(ok == (v >= k.lo && v <= k.hi), (std::string(k.schema) + " " + text).c_str());
            }
            QVERIFY(!acceptsAll(k.schema, "-0" + std::to_string(k.hi)));
            // Every prefix of every valid text: the completion is accepted,
            // complete and no longer than the shortest found by search.
            const char alphabet[] = "-0123456789";
            for (long v = std::max(k.lo, -1200L); v <= std::min(k.hi, 1200L); ++v) {
                const std::string text = std::to_string(v);
                for (std::size_t cut = 0; cut <= text.size(); ++cut) {
                    JsonConstraint c(schema);
                    QVERIFY(c.feed(std::string_view(text).substr(0, cut)));
                    const std::string tail = c.shortestCompletion();
                    JsonConstraint d = c;
                    QVERIFY2(d.feed(tail) && d.complete(), (text.substr(0, cut) + " + " + tail).c_str());
                    std::size_t best = 99;
                    std::vector<std::string> layer{""};
                    for (std::size_t len = 0; len <= 4 && best == 99; ++len) {
                        std::vector<std::string> next;
                        for (const auto& s : layer) {
                            JsonConstraint e = c;
                            if (e.feed(s) && e.complete()) {
                                best = len;
                                break;
                            }
                            for (const char* a = alphabet; *a; ++a)
                                next.push_back(s + *a);
                        }
                        layer = std::move(next);
                    }
                    if (best != 99)
                        QVERIFY2(tail.size() == best, (text.substr(0, cut) + " + " + tail).c_str());
                }
            }
        }
        // The shortest value of a bounded integer is its bound nearest zero.
        QCOMPARE(schemaOf(R"({"type":"integer","minimum":105})")->minimalLength(), std::size_t(3));
        QCOMPARE(schemaOf(kExclusiveBounds)->minimalLength(), std::size_t(4));
    }

    void numberBounds()
    {
        // Every text of up to three decimals in [-3, 3], against exact
        // bounds in thousandths: 0.5 <= x < 2.25.
        const auto schema = schemaOf(kNumberBounds);
        for (int v = -3000; v <= 3000; ++v) {
            const int whole = std::abs(v) / 1000, frac = std::abs(v) % 1000;
            for (int digits = 0; digits <= 3; ++digits) {
                int scale = 1;
                for (int i = digits; i < 3; ++i)
                    scale *= 10;
                if (frac % scale)
                    continue;
                std::string text = v < 0 ? "-" : "";
                text += std::to_string(whole);
                if (digits) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "%0*d", digits, frac / scale);
                    text += std::string(".") + buf;
                }
                JsonConstraint c(schema);
                const bool ok = c.feed(text) && c.complete();
                QVERIFY2(ok == (v >= 500 && v < 2250), text.c_str());
            }
        }
        QVERIFY(!acceptsAll(kNumberBounds, "1e0"));
        QVERIFY(acceptsAll(kNumberBounds, "2.249999999999999"));
        QVERIFY(!acceptsAll(kNumberBounds, "2.25"));
        JsonConstraint c(schema);
        QVERIFY(c.feed("2.2"));
        QVERIFY(!c.accepts("5"));
        const std::string tail = c.shortestCompletion();
        QCOMPARE(tail.size(), std::size_t(0));
        QCOMPARE(schema->minimalLength(), std::size_t(1));  // "1"
        QCOMPARE(schemaOf(R"({"type":"number","exclusiveMinimum":0,"maximum":0.5})")->minimalLength(), std::size_t(3));  // "0.1"
        QVERIFY(!JsonSchema::parse(R"({"type":"number","minimum":2,"maximum":1})").ok());
    }

    void utf8IsAcceptedExactly()
    {
        const char* s = R"({"type":"string"})";
        for (const char* good : {"\"\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87\"",  // Hindi
                                 "\"\xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\xaa\xe0\xb8\x94\xe0\xb8\xb5\"",  // Thai
                                 "\"\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94\"",              // Korean
                                 "\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xf3\xa0\x80\x80\"",                         // emoji, U+10FFFF
                                 "\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xc2\x80\xdf\xbf\""})
            QVERIFY2(acceptsAll(s, good), good);
        for (const char* bad : {"\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xe0\x80\x80\"", "\"\xe0\x9f\xbf\"", "\"\xed\xa0\x80\"",
                                "\"\xed\xbf\xbf\"", "\"\xf0\x80\x80\x80\"", "\"\xf0\x8f\xbf\xbf\"", "\"\xf4\x90\x80\x80\"",
                                "\"\xf5\x80\x80\x80\"", "\"\x80\"", "\"\xe0\xa4\"", "\"\xff\""})
            QVERIFY2(!acceptsAll(s, bad), bad);
        // Every 1- to 4-byte sequence after a quote: accepted exactly when
        // strict UTF-8 (sampled for four bytes).
        const auto schema = schemaOf(s);
        std::mt19937 rng(7);
        for (int i = 0; i < 200000; ++i) {
            std::string seq;
            const int n = 1 + i % 4;
            for (int k = 0; k < n; ++k)
                seq += char(k == 0 ? 0x80 + rng() % 0x80 : (rng() % 3 ? 0x80 + rng() % 0x40 : rng() % 256));
            if (seq.find('"') != std::string::npos || seq.find('\\') != std::string::npos
                || std::any_of(seq.begin(), seq.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
                continue;
            JsonConstraint c(schema);
            const bool ok = c.feed("\"" + seq + "\"");
            QVERIFY2(ok == validUtf8(seq), QByteArray::fromStdString(seq).toHex().constData());
        }
        // A required key in Devanagari is writable, byte by byte.
        QVERIFY(acceptsAll(kNonAscii, "{\"\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\xae\":\"\xf0\x9f\x98\x80\",\"citt\xc3\xa0\":\"\"}"));
        QVERIFY(acceptsAll(kNonAscii, "{\"\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\xae\":\"\xec\x95\x88\xeb\x85\x95\",\"citt\xc3\xa0\":\"\",\"\xed\x95\x9c\":\"\xed\x95\x9c\"}"));
    }

    // Inside a key, the completion is the rest of the key, however far in
    // an escape or a multi-byte character the key is.
    void keyCompletionIsTheRestOfTheKey()
    {
        const auto schema = schemaOf("{\"type\":\"object\",\"properties\":{\"a\\\"b\":{\"type\":\"integer\"},"
                                     "\"\xe0\xa4\xa8\xe0\xa4\xbe\":{\"type\":\"string\"}},\"required\":[\"a\\\"b\",\"\xe0\xa4\xa8\xe0\xa4\xbe\"]}");
        JsonConstraint c(schema);
        QVERIFY(c.feed("{\"a\\"));
        QCOMPARE(c.shortestCompletion(), std::string("\"b\":0,\"\xe0\xa4\xa8\xe0\xa4\xbe\":\"\"}"));
        JsonConstraint d(schema);
        QVERIFY(d.feed("{\"a\\\"b\":7,\"\xe0\xa4"));
        QCOMPARE(d.shortestCompletion(), std::string("\xa8\xe0\xa4\xbe\":\"\"}"));
        // A name with a control character is written with its \u escape.
        const char* control = R"({"type":"object","properties":{"t\u0001ab":{"type":"integer"}},"required":["t\u0001ab"]})";
        QCOMPARE(JsonConstraint(schemaOf(control)).shortestCompletion(), std::string(R"({"t\u0001ab":0})"));
        QVERIFY(acceptsAll(control, R"({"t\u0001ab":12})"));
        // Every cut of a full value.
        const std::string full = "{\"a\\\"b\":-7,\"\xe0\xa4\xa8\xe0\xa4\xbe\":\"\xf0\x9f\x98\x80x\"}";
        for (std::size_t cut = 0; cut <= full.size(); ++cut) {
            JsonConstraint e(schema);
            QVERIFY(e.feed(std::string_view(full).substr(0, cut)));
            const std::string tail = e.shortestCompletion();
            QVERIFY2(e.feed(tail) && e.complete(), (full.substr(0, cut) + " + " + tail).c_str());
            QVERIFY(tail.size() <= full.size() - cut);
        }
    }

    void schemaNumbersAndStringsAreStrict()
    {
        for (const char* bad : {R"({"enum":[+1]})", R"({"enum":[01]})", R"({"enum":[.5]})", R"({"enum":[1.]})", R"({"enum":[-.5]})",
                                R"({"const":1e})", R"({"const":-})", R"({"const":0x10})", R"({"type":"integer","minimum":1.5.2})",
                                R"({"const":"\uD800"})", R"({"const":"\uDC00x"})", R"({"const":"\uD800\u0041"})", "{\"const\":\"\xff\"}",
                                "{\"const\":\"\xed\xa0\x80\"}", R"({"type":"string","type":"integer"})"}) {
            const auto s = JsonSchema::parse(bad);
            QVERIFY2(!s.ok(), bad);
        }
        QVERIFY(acceptsAll(R"({"enum":[-0.5e+3,0,10,1E2]})", "-0.5e+3"));
        QVERIFY(acceptsAll(R"({"enum":[-0.5e+3,0,10,1E2]})", "1E2"));
        // A surrogate pair is one character, written as four bytes.
        QVERIFY(acceptsAll(R"({"const":"\uD83D\uDE00"})", "\"\xf0\x9f\x98\x80\""));
        QVERIFY(acceptsAll(R"({"const":"\u00e9\u0915"})", "\"\xc3\xa9\xe0\xa4\x95\""));
        // An enum member the type rules out is not offered.
        QVERIFY(!acceptsAll(R"({"type":"string","enum":["a",1]})", "1"));
        QVERIFY(!acceptsAll(R"({"type":"integer","enum":[1.5,2]})", "1.5"));
        QVERIFY(acceptsAll(R"({"type":"integer","enum":[1.5,2]})", "2"));
        QVERIFY(!JsonSchema::parse(R"({"type":"integer","minimum":3,"enum":[1,2]})").ok());
    }

    // Hostile schemas: an error or correct behaviour, never a crash or a hang.
    void hostileSchemas()
    {
        std::string deep;
        for (int i = 0; i < 5000; ++i)
            deep += R"({"type":"array","items":)";
        deep += "{}" + std::string(5000, '}');
        QVERIFY(!JsonSchema::parse(deep).ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"string","minLength":1e9})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"string","minLength":1e400})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"string","minLength":-1})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"string","minLength":"3"})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"string","minLength":4,"maxLength":3})").ok());
        QVERIFY(!JsonSchema::parse(
                     R"({"type":"array","minItems":1000000,"items":{"type":"array","minItems":1000000,"items":{"type":"array","minItems":1000000}}})")
                     .ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"integer","minimum":1e400})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"integer","minimum":1e20})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"number","maximum":-1e999999999999999999})").ok());
        QVERIFY(acceptsAll(R"({"type":"number","maximum":1e999999999999999999,"minimum":-1e400})", "123.5"));
        QVERIFY(acceptsAll(R"({"type":"integer","maximum":1e400})", "123456789012345"));
        QVERIFY(acceptsAll(R"({"type":"string","maxLength":1e400})", "\"abc\""));
        QVERIFY(acceptsAll(R"({"type":"array","maxItems":1e400})", "[1,2]"));
        QVERIFY(acceptsAll(R"({"const":1e999999999999999999})", "1e999999999999999999"));
        // A huge enum: every member is still writable, none other.
        std::string big = R"({"enum":[)";
        for (int i = 0; i < 200000; ++i)
            big += (i ? ",\"m" : "\"m") + std::to_string(i * 7) + "\"";
        big += "]}";
        const auto s = JsonSchema::parse(big);
        QVERIFY(s.ok());
        for (int i : {0, 7, 1399993, 700000}) {
            JsonConstraint c(s.value());
            QVERIFY(c.feed("\"m" + std::to_string(i) + "\"") && c.complete());
        }
        JsonConstraint c(s.value());
        QVERIFY(!c.feed("\"m8\""));
        JsonConstraint d(s.value());
        QVERIFY(d.feed("\"m13999"));
        QCOMPARE(d.shortestCompletion(), std::string("3\""));  // m139993 = 7 x 19999 is the only six-digit member
        std::vector<std::string> pieces;
        for (int b = 0; b < 256; ++b)
            pieces.emplace_back(1, char(b));
        std::vector<bool> allowed;
        jsonTokenMask(d, pieces, std::vector<bool>(pieces.size(), false), 50, allowed);
        QVERIFY(allowed['0'] && allowed['3'] && !allowed['"']);
        // Many properties, and a key too long for any budget.
        std::string wide = R"({"type":"object","properties":{)";
        for (int i = 0; i < 20000; ++i)
            wide += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"type\":\"integer\"}";
        wide += R"(},"required":["p19999"]})";
        const auto w = JsonSchema::parse(wide);
        QVERIFY(w.ok());
        QVERIFY(acceptsAll(wide.c_str(), R"({"p5":1,"p77":2,"p19999":3})"));
        QVERIFY(!acceptsAll(wide.c_str(), R"({"p77":2,"p5":1,"p19999":3})"));
        // Long arrays (a shortest value just under 1 MiB): their lengths
        // are counted, never written or added up an item at a time. 300,000
        // of them parse in about two seconds (adding up items took 65 s per
        // 100,000: past the test's timeout here), and masks inside one
        // cost what they cost inside a short one.
        std::string longArrays = R"({"type":"object","properties":{)";
        for (int i = 0; i < 300000; ++i)
            longArrays += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"minItems\":500000}";
        longArrays += "}}";
        QVERIFY(JsonSchema::parse(longArrays).ok());
        const auto digits = schemaOf(R"({"type":"array","minItems":500000,"items":{"type":"integer","minimum":0,"maximum":9}})");
        QCOMPARE(digits->minimalLength(), std::size_t(1000001));
        std::vector<std::string> runs;
        for (int i = 0; i < 2000; ++i)
            runs.push_back(std::to_string(i % 10) + "," + std::to_string(i % 7) + ",");
        JsonConstraint items(digits);
        QVERIFY(items.feed("[1,2,"));
        for (int step = 0; step < 10; ++step)
            jsonTokenMask(items, runs, std::vector<bool>(runs.size(), false), 2000000, allowed);
        QVERIFY(allowed[0] && allowed[1999]);
    }

    // "$ref" to local definitions: pydantic's "#/$defs/Name", zod's
    // "#/definitions/Name", "#", and any JSON pointer into the schema.
    void referencesToDefinitions()
    {
        QVERIFY(acceptsAll(kPydanticSchema, R"({"name":"Ann","home":{"street":"Main St","city":"Oslo"},"pets":[{"name":"Rex","kind":"dog"}]})"));
        QVERIFY(acceptsAll(kPydanticSchema, R"({"name":"Ann","home":{"street":"a","city":"b"},"pets":[],"work":{"street":"c","city":"d"}})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"Ann","home":{"street":"a"},"pets":[]})"));  // an Address needs its city
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"Ann","home":{"street":"a","city":"b"},"pets":[{"name":"Tom","kind":"cow"}]})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"Ann","home":{"street":"a","city":"b"},"pets":[],"work":{"street":"c"}})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"A","home":{"street":"a street name of 25 chars","city":"b"},"pets":[]})"));
        // The shortest value writes every model's required fields.
        const std::string shortest = R"({"name":"","home":{"street":"","city":""},"pets":[]})";
        QCOMPARE(JsonConstraint(schemaOf(kPydanticSchema)).shortestCompletion(), shortest);
        QCOMPARE(schemaOf(kPydanticSchema)->minimalLength(), shortest.size());
        JsonConstraint inside(schemaOf(kPydanticSchema));
        QVERIFY(inside.feed("{\"name\":\"Ann\",\"home\":{\"street\":\"a\",\"city\":\"b\"},\"pets\":[{\"na"));
        QCOMPARE(inside.shortestCompletion(), std::string("me\":\"\",\"kind\":\"cat\"}]}"));
        QVERIFY(acceptsAll(kZodSchema, R"({"query":"x","limit":50})"));
        QVERIFY(!acceptsAll(kZodSchema, R"({"query":"x","limit":51})"));
        QVERIFY(!acceptsAll(kZodSchema, R"({"query":"x","other":1})"));
        // JSON pointers: ~1 is "/", ~0 is "~", percent-encoding (the pointer
        // is a URI fragment), array indices, a pointer into properties, and
        // the schema named by its root "$id".
        const char* pointers = R"({"$id":"https://example.com/tool.json","properties":{"f":{"$ref":"https://example.com/tool.json#/$defs/t~0n"},)"
          R"("a":{"$ref":"#/$defs/x~1y"},"b":{"$ref":"#/$defs/t~0n"},"c":{"$ref":"#/$defs/with%20space"},)"
          R"("d":{"$ref":"#/$defs/list/1"},"e":{"$ref":"#/properties/a"}},"type":"object",)"
          R"("required":["f","a","b","c","d","e"],)"
          R"("$defs":{"x/y":{"type":"integer","maximum":5},"t~n":{"enum":["t"]},"with space":{"type":"boolean"},)"
          R"("list":[{"type":"string"},{"const":null}]}})";
        QVERIFY(acceptsAll(pointers, R"({"f":"t","a":5,"b":"t","c":true,"d":null,"e":-1})"));
        QVERIFY(!acceptsAll(pointers, R"({"f":"t","a":6,"b":"t","c":true,"d":null,"e":-1})"));
        QVERIFY(!acceptsAll(pointers, R"({"f":"t","a":5,"b":"t","c":true,"d":"x","e":-1})"));
        QVERIFY(!acceptsAll(pointers, R"({"f":"t","a":5,"b":"t","c":true,"d":null,"e":6})"));
        QVERIFY(!acceptsAll(pointers, R"({"f":"u","a":5,"b":"t","c":true,"d":null,"e":-1})"));
        // Definitions nothing refers to are not read.
        QVERIFY(acceptsAll(R"({"type":"string","$defs":{"unused":{"not":{}}},"definitions":{"x":{"if":{}}}})", "\"s\""));
    }

    // Recursive schemas: a tree whose children are trees, a list through
    // "#". A value nests as deep as it is written; the shortest completion
    // closes every level.
    void recursiveSchemas()
    {
        QVERIFY(acceptsAll(kTreeSchema, R"({"label":"root","children":[{"label":"a"},{"label":"b","children":[{"label":"c","children":[]}]}]})"));
        QVERIFY(!acceptsAll(kTreeSchema, R"({"label":"root","children":[{"label":"a","children":[{"name":"x"}]}]})"));
        QVERIFY(!acceptsAll(kTreeSchema, R"({"label":"root","children":[{"label":"a","children":[{"label":"too long a label"}]}]})"));
        QVERIFY(!acceptsAll(kTreeSchema, R"({"label":"r","children":[{"label":"1"},{"label":"2"},{"label":"3"},{"label":"4"}]})"));
        QCOMPARE(schemaOf(kTreeSchema)->minimalLength(), std::size_t(12));  // {"label":""}
        QVERIFY(acceptsAll(kListSchema, R"({"value":1,"next":{"value":2,"next":{"value":3}}})"));
        QVERIFY(!acceptsAll(kListSchema, R"({"value":1,"next":{"next":{"value":3}}})"));
        JsonConstraint list(schemaOf(kListSchema));
        QVERIFY(list.feed("{\"value\":1,\"next\":{\"value\":2,\"next\":{\"value\":3,\"ne"));
        QCOMPARE(list.shortestCompletion(), std::string("xt\":{\"value\":0}}}}"));
        // 10,000 levels deep: accepted, and the completion closes them all.
        JsonConstraint deep(schemaOf(kTreeSchema));
        std::string open;
        for (int i = 0; i < 10000; ++i)
            open += R"({"label":"x","children":[)";
        QVERIFY(deep.feed(open));
        std::string closing;
        for (int i = 0; i < 10000; ++i)
            closing += "]}";
        QCOMPARE(deep.shortestCompletion(), closing);
        QCOMPARE(deep.shortestCompletionLength(), closing.size());
        QVERIFY(deep.feed(closing) && deep.complete());
        // enum members are checked through the recursion: an array of
        // members, each an array of members.
        const char* nested = R"({"type":"array","items":{"$ref":"#"},"enum":[[],[[]],[[[1]]],[[],[[]]]]})";
        QVERIFY(acceptsAll(nested, "[[]]"));
        QVERIFY(acceptsAll(nested, "[[],[[]]]"));
        QVERIFY(!acceptsAll(nested, "[[[1]]]"));  // [[1]] is no member
    }

    // What "$ref" cannot honour is refused, naming the keyword, its JSON
    // pointer and why.
    void referencesRefused()
    {
        QString why;
        const char* remote = R"({"type":"object","properties":{"a":{"$ref":"http://example.com/schemas/a.json"}}})";
        QVERIFY2(refusedSaying(remote, {"\"$ref\" at #/properties/a/$ref", "\"http://example.com/schemas/a.json\"", "remote reference"}, why),
                 qPrintable(why));
        const char* relative = R"({"$ref":"other.json#/$defs/a"})";
        QVERIFY2(refusedSaying(relative, {"\"$ref\" at #/$ref", "remote reference"}, why), qPrintable(why));
        const char* anchor = R"({"$ref":"#node","$defs":{"a":{"type":"string"}}})";
        QVERIFY2(refusedSaying(anchor, {"\"$ref\" at #/$ref", "anchor"}, why), qPrintable(why));
        const char* missing = R"({"$ref":"#/$defs/missing","$defs":{}})";
        QVERIFY2(refusedSaying(missing, {"\"$ref\" at #/$ref", "points to nothing", "#/$defs has no \"missing\""}, why), qPrintable(why));
        const char* badEscape = R"({"$ref":"#/$defs/a~2","$defs":{}})";
        QVERIFY2(refusedSaying(badEscape, {"\"$ref\" at #/$ref", "~ escape"}, why), qPrintable(why));
        const char* badPercent = R"({"$ref":"#/$defs/a%2","$defs":{"a":{}}})";
        QVERIFY2(refusedSaying(badPercent, {"\"$ref\" at #/$ref", "%-escape"}, why), qPrintable(why));
        // Loops of references with no schema in between.
        const char* loop = R"({"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}})";
        QVERIFY2(refusedSaying(loop, {"\"$ref\" at #/$defs/b/$ref", "loop of references", "(#/$defs/a -> #/$defs/b -> #/$defs/a)"}, why),
                 qPrintable(why));
        const char* self = R"({"$ref":"#"})";
        QVERIFY2(refusedSaying(self, {"\"$ref\" at #/$ref", "loop of references", "(# -> #)"}, why), qPrintable(why));
        // Recursion that every value must follow forever.
        const char* endless = R"({"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}},"required":["next"]}},
          "$ref":"#/$defs/Node"})";
        QVERIFY2(refusedSaying(endless, {"#/$defs/Node has no finite value", "way out"}, why), qPrintable(why));
        const char* endlessItems = R"({"type":"array","items":{"$ref":"#"},"minItems":1})";
        QVERIFY2(refusedSaying(endlessItems, {"JSON schema: # has no finite value"}, why), qPrintable(why));
        // Endless below an optional property: the model could still open it.
        const char* endlessInside = R"({"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"object",
          "properties":{"b":{"$ref":"#/$defs/B"}},"required":["b"]},"B":{"type":"array","items":{"$ref":"#/$defs/A"},"minItems":2}}})";
        QVERIFY2(refusedSaying(endlessInside, {"#/$defs/B has no finite value"}, why), qPrintable(why));
        const char* beside = R"({"$ref":"#/$defs/a","properties":{},"$defs":{"a":{}}})";
        QVERIFY2(refusedSaying(beside, {"\"properties\" at #/properties", "beside \"$ref\""}, why), qPrintable(why));
    }

    // A schema with an "$id" is a resource of its own: "#" in a "$ref" under
    // it means it (a tool's argument schema put inside a wrapper keeps its
    // meaning), and a "$ref" elsewhere may name it by that "$id".
    void embeddedResources()
    {
        const char* wrapper = R"({"type":"object","properties":{"arguments":{"$id":"urn:example:arguments","type":"object",
          "properties":{"home":{"$ref":"#/$defs/Address"},"next":{"$ref":"#"}},"required":["home"],"$defs":{"Address":{"type":"string"}}},
          "again":{"$ref":"urn:example:arguments#/$defs/Address"},"outer":{"$ref":"#/$defs/Address"}},
          "required":["arguments"],"$defs":{"Address":{"type":"integer"}}})";
        QVERIFY(acceptsAll(wrapper, R"({"arguments":{"home":"x","next":{"home":"y"}},"again":"z","outer":1})"));
        QVERIFY(!acceptsAll(wrapper, R"({"arguments":{"home":1}})"));
        QVERIFY(!acceptsAll(wrapper, R"({"arguments":{"home":"x","next":{}}})"));
        QVERIFY(!acceptsAll(wrapper, R"({"arguments":{"home":"x"},"again":1})"));
        QVERIFY(!acceptsAll(wrapper, R"({"arguments":{"home":"x"},"outer":"y"})"));
        QCOMPARE(JsonConstraint(schemaOf(wrapper)).shortestCompletion(), std::string(R"({"arguments":{"home":""}})"));
        // Under it, what the wrapper holds is out of reach.
        QString why;
        const char* lost = R"({"type":"object","properties":{"a":{"$id":"urn:example:a","$ref":"#/$defs/x"}},"$defs":{"x":{}}})";
        QVERIFY2(refusedSaying(lost, {"\"$ref\" at #/properties/a/$ref", "points to nothing", "\"#\" there is the schema at #/properties/a"}, why),
                 qPrintable(why));
    }

    // Hostile references: an error that says why, or correct behaviour;
    // never a crash, a hang, or an expansion of what is shared.
    void hostileReferences()
    {
        // 10,000 references in a chain are followed in a loop.
        std::string chain = R"({"$ref":"#/$defs/d0","$defs":{)";
        for (int i = 0; i < 10000; ++i)
            chain += "\"d" + std::to_string(i) + "\":{\"$ref\":\"#/$defs/d" + std::to_string(i + 1) + "\"},";
        const std::string end = "\"d10000\":{\"type\":\"string\",\"maxLength\":3}}}";
        QVERIFY(acceptsAll((chain + end).c_str(), "\"abc\""));
        QVERIFY(!acceptsAll((chain + end).c_str(), "\"abcd\""));
        QVERIFY(!acceptsAll((chain + end).c_str(), "1"));
        // The same chain closed into a loop.
        const QString loop = parseError((chain + "\"d10000\":{\"$ref\":\"#/$defs/d0\"}}}").c_str());
        QVERIFY2(loop.contains(QStringLiteral("\"$ref\" at #/$defs/d10000/$ref")) && loop.contains(QStringLiteral("loop of references")),
                 qPrintable(loop));
        // 10,000 schemas nested through references (each an array of the next).
        std::string nested = R"({"$ref":"#/$defs/d0","$defs":{)";
        for (int i = 0; i < 10000; ++i)
            nested += "\"d" + std::to_string(i) + "\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/d" + std::to_string(i + 1) + "\"}},";
        const QString tooDeep = parseError((nested + "\"d10000\":{}}}").c_str());
        QVERIFY2(tooDeep.contains(QStringLiteral("nests schemas more than 128 deep")), qPrintable(tooDeep));
        // Built side by side (each refers to one built before it), the
        // shortest value would still nest 10,000 deep.
        std::string side = R"({"type":"object","properties":{)";
        std::string defs = "\"d0\":{\"type\":\"object\"}";
        for (int i = 0; i < 10000; ++i) {
            side += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"$ref\":\"#/$defs/d" + std::to_string(i) + "\"}";
            if (i)
                defs += ",\"d" + std::to_string(i) + "\":{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/$defs/d" + std::to_string(i - 1)
                    + "\"}},\"required\":[\"x\"]}";
        }
        const QString sideways = parseError((side + "},\"$defs\":{" + defs + "}}").c_str());
        QVERIFY2(sideways.contains(QStringLiteral("nests fewer than 128 levels")), qPrintable(sideways));
        // Definitions that use the next one twice, `levels` of them: the
        // shortest value has 2^levels integers. Sizes are computed on the
        // shared nodes, never by writing it out.
        auto doubling = [](int levels) {
            std::string text = R"({"$ref":"#/$defs/d0","$defs":{)";
            for (int i = 0; i < levels; ++i) {
                const std::string next = "{\"$ref\":\"#/$defs/d" + std::to_string(i + 1) + "\"}";
                text += "\"d" + std::to_string(i) + "\":{\"type\":\"object\",\"properties\":{\"a\":" + next + ",\"b\":" + next
                    + "},\"required\":[\"a\",\"b\"]},";
            }
            return text + "\"d" + std::to_string(levels) + "\":{\"type\":\"integer\"}}}";
        };
        const QString huge = parseError(doubling(40).c_str());
        QVERIFY2(huge.contains(QStringLiteral("allows no value shorter than 1048576 bytes")), qPrintable(huge));
        // At 12 levels it is 4096 integers, written as the schema says.
        const std::string twelve = doubling(12);
        std::size_t size = 1;  // "0"
        for (int i = 0; i < 12; ++i)
            size = 11 + 2 * size;  // {"a":X,"b":X}
        const auto schema = schemaOf(twelve.c_str());
        QCOMPARE(schema->minimalLength(), size);
        const std::string value = JsonConstraint(schema).shortestCompletion();
        QCOMPARE(value.size(), size);
        QString why;
        QVERIFY2(matchesSchema(value, twelve.c_str(), why), qPrintable(why));
    }

    // Type lists, anyOf and oneOf whose branches differ in type: the first
    // byte of the value picks the branch. Optional fields as OpenAI's strict
    // mode (a type list with "null") and pydantic (anyOf with a null branch)
    // write them; one allOf branch is that branch.
    void unionsOfTypes()
    {
        QVERIFY(acceptsAll(kNullableSchema, R"({"location":"Oslo","unit":"celsius","days":3,"note":null})"));
        QVERIFY(acceptsAll(kNullableSchema, R"({"location":"Oslo","unit":null,"days":null,"note":"0123456789"})"));
        QVERIFY(!acceptsAll(kNullableSchema, R"({"location":"Oslo","unit":"kelvin","days":3,"note":null})"));
        QVERIFY(!acceptsAll(kNullableSchema, R"({"location":"Oslo","unit":null,"days":8,"note":null})"));
        QVERIFY(!acceptsAll(kNullableSchema, R"({"location":"Oslo","unit":null,"days":null,"note":"01234567890"})"));
        QVERIFY(!acceptsAll(kNullableSchema, R"({"location":null,"unit":null,"days":null,"note":null})"));
        // The shortest value takes the shortest branch of each.
        QCOMPARE(JsonConstraint(schemaOf(kNullableSchema)).shortestCompletion(), std::string(R"({"location":"","unit":null,"days":1,"note":""})"));
        QVERIFY(acceptsAll(kPydanticSchema, R"({"name":"A","home":{"street":"a","city":"b"},"pets":[],"work":null,"nickname":null,"scores":null})"));
        QVERIFY(acceptsAll(kPydanticSchema, R"({"name":"A","home":{"street":"a","city":"b"},"pets":[],"work":{"street":"c","city":"d"},"nickname":"Al","scores":[0,100]})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"A","home":{"street":"a","city":"b"},"pets":[],"nickname":"Alexander"})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"A","home":{"street":"a","city":"b"},"pets":[],"scores":[101]})"));
        QVERIFY(!acceptsAll(kPydanticSchema, R"({"name":"A","home":null,"pets":[]})"));
        QVERIFY(acceptsAll(kOneOfSchema, R"({"target":"node-7","mode":"fast"})"));
        QVERIFY(acceptsAll(kOneOfSchema, R"({"target":42,"mode":9})"));
        QVERIFY(acceptsAll(kOneOfSchema, R"({"target":{"x":1.5,"y":-2},"mode":false})"));
        QVERIFY(!acceptsAll(kOneOfSchema, R"({"target":-1})"));
        QVERIFY(!acceptsAll(kOneOfSchema, R"({"target":{"x":1}})"));
        QVERIFY(!acceptsAll(kOneOfSchema, R"({"target":null})"));
        QVERIFY(!acceptsAll(kOneOfSchema, R"({"target":1,"mode":"medium"})"));
        QVERIFY(!acceptsAll(kOneOfSchema, R"({"target":1,"mode":10})"));
        // Inside a branch the rest of the value follows it alone.
        JsonConstraint c(schemaOf(kOneOfSchema));
        QVERIFY(c.feed("{\"target\":{\"x"));
        QCOMPARE(c.shortestCompletion(), std::string("\":0,\"y\":0}}"));
        const char* types = R"({"type":["integer","string","null"],"minimum":5,"maxLength":2})";
        QVERIFY(acceptsAll(types, "5") && acceptsAll(types, "\"ab\"") && acceptsAll(types, "null"));
        QVERIFY(!acceptsAll(types, "4") && !acceptsAll(types, "\"abc\"") && !acceptsAll(types, "true") && !acceptsAll(types, "5.5"));
        QCOMPARE(schemaOf(types)->minimalLength(), std::size_t(1));  // 5
        QVERIFY(acceptsAll(R"({"allOf":[{"type":"integer"}],"description":"d"})", "7"));
        QVERIFY(acceptsAll(R"({"anyOf":[{"type":"integer"}]})", "7"));
        // A list that ends in null: the object branch recurses, the null
        // one is the way out (and the shortest value).
        const char* chain = R"({"$defs":{"A":{"type":["object","null"],"properties":{"v":{"type":"integer"},"next":{"$ref":"#/$defs/A"}},
          "required":["v","next"]}},"$ref":"#/$defs/A"})";
        QVERIFY(acceptsAll(chain, R"({"v":1,"next":{"v":2,"next":null}})"));
        QVERIFY(!acceptsAll(chain, R"({"v":1,"next":{"v":2}})"));
        QCOMPARE(schemaOf(chain)->minimalLength(), std::size_t(4));
        JsonConstraint open(schemaOf(chain));
        QVERIFY(open.feed(R"({"v":1,"next":{"v":2,"next":{)"));
        QCOMPARE(open.shortestCompletion(), std::string(R"("v":0,"next":null}}})"));
        // Unions inside unions: anyOf of a type list and a const.
        const char* nested = R"({"anyOf":[{"type":["boolean","array"],"items":{"type":"integer"}},{"const":"x"}]})";
        QVERIFY(acceptsAll(nested, "[1,2]") && acceptsAll(nested, "true") && acceptsAll(nested, "\"x\""));
        QVERIFY(!acceptsAll(nested, "[\"a\"]") && !acceptsAll(nested, "\"y\"") && !acceptsAll(nested, "null"));
    }

    // Branches of one type, merged where the merge is exact: lists with
    // lists, strings whose lengths meet, integers whose ranges meet,
    // integers inside numbers, members inside the other branch; and what
    // stands beside a union ("type", enum) narrows it.
    void unionsMergedExactly()
    {
        const char* words = R"({"anyOf":[{"enum":["red","green"]},{"const":"blue"},{"type":"null"},{"enum":[true]}]})";
        for (const char* ok : {"\"red\"", "\"blue\"", "null", "true"})
            QVERIFY2(acceptsAll(words, ok), ok);
        QVERIFY(!acceptsAll(words, "false") && !acceptsAll(words, "\"pink\""));
        const char* lengths = R"({"anyOf":[{"type":"string","maxLength":3},{"type":"string","minLength":4,"maxLength":6}]})";
        QVERIFY(acceptsAll(lengths, "\"\"") && acceptsAll(lengths, "\"abcdef\"") && !acceptsAll(lengths, "\"abcdefg\""));
        // For oneOf, disjoint and meeting: the same union.
        const char* split = R"({"oneOf":[{"type":"string","maxLength":3},{"type":"string","minLength":4,"maxLength":6}]})";
        QVERIFY(acceptsAll(split, "\"abcd\"") && !acceptsAll(split, "\"abcdefg\""));
        const char* ranges = R"({"anyOf":[{"type":"integer","minimum":1,"maximum":5},{"type":"integer","minimum":6,"maximum":9}]})";
        QVERIFY(acceptsAll(ranges, "1") && acceptsAll(ranges, "9") && !acceptsAll(ranges, "0") && !acceptsAll(ranges, "10"));
        const char* numbers = R"({"type":["integer","number"],"minimum":0.5})";
        QVERIFY(acceptsAll(numbers, "0.5") && acceptsAll(numbers, "3") && !acceptsAll(numbers, "0.4"));
        const char* inside = R"({"anyOf":[{"type":"number","maximum":10},{"type":"integer","minimum":0,"maximum":10}]})";
        QVERIFY(acceptsAll(inside, "-2.5") && !acceptsAll(inside, "10.5"));
        const char* members = R"({"anyOf":[{"type":"string"},{"enum":["a","b",1]}]})";
        QVERIFY(acceptsAll(members, "\"zz\"") && acceptsAll(members, "1") && !acceptsAll(members, "2"));
        const char* items = R"({"$defs":{"s":{"type":"string"}},"anyOf":[{"type":"array","items":{"$ref":"#/$defs/s"},"maxItems":1},
          {"type":"array","items":{"$ref":"#/$defs/s"},"minItems":2,"maxItems":3}]})";
        QVERIFY(acceptsAll(items, "[]") && acceptsAll(items, R"(["a","b","c"])") && !acceptsAll(items, R"(["a","b","c","d"])"));
        // "type" beside anyOf keeps the branches of its types; enum beside
        // it, the members that a branch allows.
        const char* typed = R"({"type":"string","anyOf":[{"maxLength":2},{"type":"integer"},{"format":"email"}]})";
        QVERIFY(acceptsAll(typed, "\"abcdef\"") && !acceptsAll(typed, "1"));
        const char* integers = R"({"type":"integer","anyOf":[{"type":"number","maximum":2.5},{"type":"string"}]})";
        QVERIFY(acceptsAll(integers, "2") && !acceptsAll(integers, "2.5") && !acceptsAll(integers, "3") && !acceptsAll(integers, "\"a\""));
        const char* anyTyped = R"({"type":["boolean","null"],"anyOf":[{},{"type":"string"}]})";
        QVERIFY(acceptsAll(anyTyped, "true") && acceptsAll(anyTyped, "null") && !acceptsAll(anyTyped, "\"s\"") && !acceptsAll(anyTyped, "0"));
        const char* listed = R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}],"enum":[1,"a","bc",2.5,null]})";
        QVERIFY(acceptsAll(listed, "1") && acceptsAll(listed, "\"a\""));
        QVERIFY(!acceptsAll(listed, "\"bc\"") && !acceptsAll(listed, "2.5") && !acceptsAll(listed, "null"));
        const char* chosen = R"({"oneOf":[{"type":"integer","minimum":0},{"type":"integer","maximum":5}],"enum":[-1,3,7]})";
        QVERIFY(acceptsAll(chosen, "-1") && acceptsAll(chosen, "7") && !acceptsAll(chosen, "3"));  // 3 matches both
        const char* ref = R"({"$defs":{"v":{"type":["string","integer"]}},"$ref":"#/$defs/v","type":"integer"})";
        QVERIFY(acceptsAll(ref, "3") && !acceptsAll(ref, "\"s\""));
        // Members are compared as values, not as text: 100 is 1e2, so it
        // matches both branches of this oneOf and is no value of the schema.
        const char* hundred = R"({"oneOf":[{},{"const":1e2}],"enum":[100,"x"]})";
        QVERIFY(acceptsAll(hundred, "\"x\"") && !acceptsAll(hundred, "100"));
        for (const char* equal : {R"({"anyOf":[{"const":{"b":2.0,"a":-0}}],"enum":[{"a":0,"b":2}]})", R"({"enum":[1.0,2],"const":1})"})
            QVERIFY2(parseError(equal).isEmpty(), qPrintable(parseError(equal)));
        QVERIFY(acceptsAll(R"({"anyOf":[{"const":{"b":2.0,"a":-0}}],"enum":[{"a":0,"b":2}]})", R"({"a":0,"b":2})"));
        QVERIFY(acceptsAll(R"({"enum":[1.0,2],"const":1})", "1.0"));
    }

    // Branches that the first byte cannot tell apart and that do not merge
    // exactly are refused, naming the keyword, its pointer, the branches
    // and why; so is what stands beside a union and is not "type" or enum.
    void unionsRefused()
    {
        QString why;
        const char* objects = R"({"anyOf":[{"type":"object","properties":{"a":{}}},{"type":"string"},{"type":"object"}]})";
        QVERIFY2(refusedSaying(objects, {"\"anyOf\" at #/anyOf", "branches 0 and 2 are both objects"}, why), qPrintable(why));
        const char* models = R"({"properties":{"pet":{"oneOf":[{"$ref":"#/$defs/Cat"},{"$ref":"#/$defs/Dog"}]}},
          "$defs":{"Cat":{"type":"object","properties":{"meows":{"type":"boolean"}}},"Dog":{"type":"object","properties":{"barks":{"type":"boolean"}}}}})";
        QVERIFY2(refusedSaying(models, {"\"oneOf\" at #/properties/pet/oneOf", "branches 0 and 1 are both objects"}, why), qPrintable(why));
        const char* strings = R"({"oneOf":[{"type":"string","maxLength":4},{"type":"string","minLength":2}]})";
        QVERIFY2(refusedSaying(strings, {"\"oneOf\" at #/oneOf", "branches 0 and 1 are both strings", "overlap"}, why), qPrintable(why));
        const char* gap = R"({"anyOf":[{"type":"string","maxLength":2},{"type":"string","minLength":5}]})";
        QVERIFY2(refusedSaying(gap, {"\"anyOf\" at #/anyOf", "branches 0 and 1 are both strings", "lengths leave a gap"}, why), qPrintable(why));
        const char* numbers = R"({"oneOf":[{"type":"number"},{"type":"integer"}]})";
        QVERIFY2(refusedSaying(numbers, {"\"oneOf\" at #/oneOf", "branches 0 and 1 are both numbers"}, why), qPrintable(why));
        const char* outside = R"({"anyOf":[{"type":"string","maxLength":1},{"enum":["a","long"]}]})";
        QVERIFY2(refusedSaying(outside, {"branches 0 and 1 are both strings", "lists values the other does not allow"}, why), qPrintable(why));
        const char* twice = R"({"oneOf":[{"enum":[1,2]},{"enum":[3,2.0]}]})";
        QVERIFY2(refusedSaying(twice, {"branches 0 and 1 are both numbers", "both allow 2.0"}, why), qPrintable(why));
        const char* anything = R"({"oneOf":[{},{"type":"null"}]})";
        QVERIFY2(refusedSaying(anything, {"branches 0 and 1 are both true/false/null", "overlap"}, why), qPrintable(why));
        const char* arrays = R"({"anyOf":[{"type":"array","items":{"type":"string"}},{"type":"array","items":{"type":"integer"}}]})";
        QVERIFY2(refusedSaying(arrays, {"branches 0 and 1 are both arrays", "items differ"}, why), qPrintable(why));
        const char* both = R"({"anyOf":[{"type":"string"}],"oneOf":[{"type":"string"}]})";
        QVERIFY2(refusedSaying(both, {"\"oneOf\" at #/oneOf beside \"anyOf\""}, why), qPrintable(why));
        const char* beside = R"({"type":"object","required":["a"],"anyOf":[{"type":"object"}]})";
        QVERIFY2(refusedSaying(beside, {"\"required\" at #/required beside \"anyOf\""}, why), qPrintable(why));
        const char* allOf = R"({"allOf":[{"type":"string"},{"maxLength":3}]})";
        QVERIFY2(refusedSaying(allOf, {"\"allOf\" at #/allOf", "2 branches"}, why), qPrintable(why));
        const char* empty = R"({"anyOf":[]})";
        QVERIFY2(refusedSaying(empty, {"\"anyOf\" at #/anyOf", "non-empty array"}, why), qPrintable(why));
        const char* nothing = R"({"type":"string","anyOf":[{"type":"integer"},{"type":"null"}]})";
        QVERIFY2(refusedSaying(nothing, {"\"type\" at #/type", "rules out every value"}, why), qPrintable(why));
        const char* badType = R"({"type":["string","text"]})";
        QVERIFY2(refusedSaying(badType, {"#/type", "\"text\"", "not a JSON Schema type"}, why), qPrintable(why));
        // A union that is itself before any value (A = anyOf [A, null]).
        const char* left = R"({"$defs":{"A":{"anyOf":[{"$ref":"#/$defs/A"},{"type":"null"}]}},"$ref":"#/$defs/A"})";
        QVERIFY2(refusedSaying(left, {"#/$defs/A is itself before any value is written", "left recursion"}, why), qPrintable(why));
        const char* loop = R"({"allOf":[{"$ref":"#"}]})";
        QVERIFY2(refusedSaying(loop, {"loop of references", "(# -> #/allOf/0 -> #)"}, why), qPrintable(why));
        // Every branch recurses for ever.
        const char* endless = R"({"$defs":{"T":{"anyOf":[{"type":"array","items":{"$ref":"#/$defs/T"},"minItems":1},
          {"type":"object","properties":{"t":{"$ref":"#/$defs/T"}},"required":["t"]}]}},"$ref":"#/$defs/T"})";
        QVERIFY2(refusedSaying(endless, {"has no finite value"}, why), qPrintable(why));
    }

    // Hostile unions: an error that says why, or correct behaviour.
    void hostileUnions()
    {
        // 10,000 consts in one anyOf: one list, a lookup a byte.
        std::string consts = R"({"anyOf":[)";
        for (int i = 0; i < 10000; ++i)
            consts += (i ? ",{\"const\":\"c" : "{\"const\":\"c") + std::to_string(i) + "\"}";
        consts += "]}";
        QVERIFY(acceptsAll(consts.c_str(), "\"c9999\"") && !acceptsAll(consts.c_str(), "\"c10000\""));
        std::string oneOf = consts;
        oneOf.replace(2, 5, "oneOf");
        QVERIFY(acceptsAll(oneOf.c_str(), "\"c1234\""));
        QVERIFY(!JsonSchema::parse(oneOf.substr(0, oneOf.size() - 2) + R"(,{"const":"c77"}]})").ok());
        // 10,000 unions each a branch of the next, built side by side: no
        // deep recursion, an error.
        std::string side = R"({"type":"object","properties":{)";
        std::string defs = R"("d0":{"type":"string"})";
        for (int i = 0; i < 10000; ++i) {
            side += (i ? ",\"p" : "\"p") + std::to_string(i) + "\":{\"$ref\":\"#/$defs/d" + std::to_string(i) + "\"}";
            if (i)
                defs += ",\"d" + std::to_string(i) + "\":{\"anyOf\":[{\"$ref\":\"#/$defs/d" + std::to_string(i - 1) + "\"},{\"type\":\"null\"}]}";
        }
        const QString chain = parseError((side + "},\"$defs\":{" + defs + "}}").c_str());
        QVERIFY2(chain.contains(QStringLiteral("joins schemas more than 128 deep")), qPrintable(chain));
        // A hundred of them is fine: strings or null, the shortest "".
        std::string hundred = R"({"$ref":"#/$defs/d100","$defs":{"d0":{"type":"string"})";
        for (int i = 1; i <= 100; ++i)
            hundred += ",\"d" + std::to_string(i) + "\":{\"anyOf\":[{\"$ref\":\"#/$defs/d" + std::to_string(i - 1) + "\"},{\"type\":\"null\"}]}";
        hundred += "}}";
        QVERIFY(acceptsAll(hundred.c_str(), "null") && acceptsAll(hundred.c_str(), "\"s\"") && !acceptsAll(hundred.c_str(), "1"));
        QCOMPARE(schemaOf(hundred.c_str())->minimalLength(), std::size_t(2));
        // A recursive union: JSON itself (any value, arrays and objects of
        // it), the way zod writes z.lazy(); values as deep as written.
        const char* json = R"({"$defs":{"J":{"anyOf":[{"type":["string","number","boolean","null"]},{"type":"array","items":{"$ref":"#/$defs/J"}},
          {"type":"object","additionalProperties":{"$ref":"#/$defs/J"}}]}},"$ref":"#/$defs/J"})";
        JsonConstraint deep(schemaOf(json));
        QVERIFY(deep.feed(std::string(5000, '[') + "{\"a\":"));
        QCOMPARE(deep.shortestCompletion(), "0}" + std::string(5000, ']'));
        QVERIFY(!acceptsAll(kJsonValueSchema, "[1,2,3,4,5]"));  // maxItems 4 at every level
        QVERIFY(acceptsAll(kJsonValueSchema, R"([[1,{"a":[true,null,"x"]}],{}])"));
        // An enum beside unions that name the next one twice, 40 levels:
        // each member is checked against each union once, not once for
        // each of the 2^40 paths.
        std::string shared = R"({"enum":[1,"x"],"$ref":"#/$defs/d0","$defs":{)";
        for (int i = 0; i < 40; ++i) {
            const std::string next = "{\"$ref\":\"#/$defs/d" + std::to_string(i + 1) + "\"}";
            shared += "\"d" + std::to_string(i) + "\":{\"anyOf\":[" + next + "," + next + "]},";
        }
        shared += R"("d40":{"type":"string"}}})";
        QVERIFY(acceptsAll(shared.c_str(), "\"x\"") && !acceptsAll(shared.c_str(), "1"));
    }

    // The mask never offers an end-of-generation token before the value is
    // complete, even when its text would be accepted.
    void endOfGenerationOnlyWhenComplete()
    {
        const auto schema = schemaOf(R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})");
        const std::vector<std::string> pieces{"a", "</s>", "\"", "}", "\"}", "<|im_end|>"};
        auto eog = eogPieces(pieces.size(), 1);
        eog[5] = true;
        JsonConstraint c(schema);
        QVERIFY(c.feed("{\"name\":\""));
        std::vector<bool> allowed;
        jsonTokenMask(c, pieces, eog, 100, allowed);
        QVERIFY(allowed[0] && allowed[2] && allowed[4]);
        QVERIFY(!allowed[1]);
        QVERIFY(!allowed[5]);
        // With one token left only the closing piece fits; still no end token.
        jsonTokenMask(c, pieces, eog, 1, allowed);
        QVERIFY(allowed[4] && !allowed[0] && !allowed[1] && !allowed[5]);
        QVERIFY(c.feed("x\"}"));
        jsonTokenMask(c, pieces, eog, 100, allowed);
        QVERIFY(allowed[1] && allowed[5]);
        QVERIFY(!allowed[0] && !allowed[2]);
    }

    // The trie walk gives exactly the straightforward masks: random
    // vocabularies (every byte, JSON punctuation, ASCII runs, UTF-8 whole and
    // cut, duplicates, empty and end-of-generation pieces with text), random
    // states from random walks, budgets from none to plenty.
    void maskerGivesTheStraightforwardMasks()
    {
        const char* schemas[] = {kToolSchema, kPeopleSchema, kOptionalAfterRequired, kClosedObject, kMapOfDigits, kIntegerBounds,
                                 kNumberBounds, kStringLengths, kNonAscii, "{}",
                                 R"({"type":"array","items":{"type":"string","minLength":2,"maxLength":6},"maxItems":3})",
                                 R"({"type":"object","additionalProperties":{"type":"string","minLength":3}})",
                                 "{\"enum\":[\"alpha\",\"alps\",\"b\\\"q\",12,1.5,{\"x\":[1]}]}",
                                 kPydanticSchema, kZodSchema, kTreeSchema, kListSchema, kNullableSchema, kOneOfSchema, kJsonValueSchema};
        std::mt19937 rng(5);
        const std::string alphabet = "\"\\{}[],:-.0123456789eE+ abcxyzAZtrufalsn\x7f\t";
        for (int round = 0; round < 6; ++round) {
            std::vector<std::string> pieces;
            for (int b = 0; b < 256; ++b)
                pieces.emplace_back(1, char(b));
            for (const char* p : {"\":", "\",\"", "{\"", "\"}", "\":\"", "\":[", "true", "null", "12", "1.5", "alp", "alpha\"", "\\n", "\\u"})
                pieces.emplace_back(p);
            const int extra = 400 + round * 600;
            for (int k = 0; k < extra; ++k) {
                std::string p;
                const int len = 1 + int(rng() % 12);
                for (int j = 0; j < len; ++j) {
                    const unsigned kind = rng() % 10;
                    if (kind < 6)
                        p += alphabet[rng() % alphabet.size()];
                    else if (kind < 8)
                        p += "\xe0\xa4\xa8\xec\x95\x88\xf0\x9f\x98\x80\xc3\xa9"[rng() % 12];  // UTF-8 bytes, in and out of place
                    else
                        p += char(rng() % 256);
                }
                pieces.push_back(p);
                if (rng() % 20 == 0)
                    pieces.push_back(p);  // the same text twice
            }
            pieces.emplace_back();
            std::vector<bool> eog(pieces.size(), false);
            for (int k = 0; k < 5; ++k)
                eog[rng() % eog.size()] = true;
            pieces.push_back("</s>");
            eog.push_back(true);
            const JsonTokenMasker masker(pieces, eog);
            for (const char* text : schemas) {
                const auto schema = schemaOf(text);
                for (int walk = 0; walk < 12; ++walk) {
                    JsonConstraint c(schema);
                    const int steps = int(rng() % 40);
                    for (int k = 0; k < steps; ++k) {
                        const auto ok = c.acceptableBytes();
                        std::vector<int> bytes;
                        for (int b = 0; b < 256; ++b)
                            if (ok[std::size_t(b)])
                                bytes.push_back(b);
                        if (bytes.empty())
                            break;
                        QVERIFY(c.feed(static_cast<unsigned char>(bytes[rng() % bytes.size()])));
                    }
                    const int left = int(rng() % 3 == 0 ? rng() % 4 : rng() % 60);
                    std::vector<bool> fast, simple;
                    masker.mask(c, left, fast);
                    jsonTokenMask(c, pieces, eog, left, simple);
                    const auto oracle = naiveMask(c, pieces, eog, left);
                    QVERIFY2(simple == oracle, text);
                    QVERIFY2(fast == oracle, text);
                }
            }
        }
    }

    // From random valid prefixes, the shortest completion is accepted and
    // completes the value, and it parses.
    void shortestCompletionCompletes()
    {
        const auto schema = schemaOf(kToolSchema);
        const std::string full = "{\"name\":\"A\\\"b\",\"age\":-12,\"score\":1.5e-3,\"tags\":[\"x\",\"y\"],\"ok\":true,\"color\":\"blue\",\"extra\":{\"a\":[1,null,\"caf\xc3\xa9\"]}}";
        for (std::size_t cut = 0; cut <= full.size(); ++cut) {
            JsonConstraint c(schema);
            QVERIFY(c.feed(std::string_view(full).substr(0, cut)));
            const std::string tail = c.shortestCompletion();
            QVERIFY2(c.feed(tail), (full.substr(0, cut) + " + " + tail).c_str());
            QVERIFY2(c.complete(), (full.substr(0, cut) + " + " + tail).c_str());
            QString why;
            QVERIFY2(matchesSchema(full.substr(0, cut) + tail, kToolSchema, why), qPrintable(why));
        }
    }

    // Random walks through the automaton: every value it accepts is valid
    // UTF-8 JSON that matches its schema, and the shortest value is as long
    // as minimalLength() says.
    void randomWalksMatchTheirSchema()
    {
        const char* schemas[] = {kToolSchema, kPeopleSchema, kOptionalAfterRequired, kClosedObject, kMapOfDigits, kIntegerBounds,
                                 kExclusiveBounds, kNumberBounds, kStringLengths, kNonAscii, kAnnotated, "{}",
                                 R"({"type":"array","items":{"type":"number","minimum":-1,"maximum":1},"minItems":2,"maxItems":4})",
                                 R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["b"]})",
                                 R"({"properties":{"ab":{"type":"integer"},"a":{"type":"integer"},"abc":{}},"required":["ab"]})",
                                 kPydanticSchema, kZodSchema, kTreeSchema, kListSchema, kNullableSchema, kOneOfSchema, kJsonValueSchema};
        std::mt19937 rng(11);
        for (const char* text : schemas) {
            const auto schema = schemaOf(text);
            JsonConstraint empty(schema);
            QCOMPARE(empty.shortestCompletion().size(), schema->minimalLength());
            for (int i = 0; i < 300; ++i) {
                std::string value;
                QVERIFY2(randomValue(schema, rng, int(rng() % 90), value), (std::string(text) + "\n" + value).c_str());
                QString why;
                QVERIFY2(matchesSchema(value, text, why), qPrintable(why + QStringLiteral(": ") + QString::fromStdString(value)));
            }
        }
    }

    // The tiny model, sampling at high temperature, with every maxTokens
    // from the shortest possible up: every output is valid JSON matching
    // the schema.
    void tinyModelAlwaysProducesValidJson()
    {
        const QString path = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
        if (!QFile::exists(path))
            QSKIP("shared/models/stories260K.gguf is absent (OUTPOST_SHARED_DIR)");
        EngineConfig config;
        config.modelPath = path.toStdString();
        config.threads = 2;
        config.contextLength = 256;
        auto engine = Engine::load(config);
        QVERIFY(engine.ok());
        const char* schemas[] = {kToolSchema,
                                 R"({"type":"array","items":{"type":"integer"},"minItems":1})",
                                 R"({"type":"string"})",
                                 "{}",
                                 R"({"type":"number"})",
                                 R"({"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"array","items":{"enum":[true,"x"]}}},"required":["b"]}},"required":["a"]})",
                                 kPeopleSchema,
                                 kOptionalAfterRequired,
                                 kClosedObject,
                                 kMapOfDigits,
                                 kIntegerBounds,
                                 kExclusiveBounds,
                                 kNumberBounds,
                                 kStringLengths,
                                 kNonAscii,
                                 kPydanticSchema,
                                 kZodSchema,
                                 kTreeSchema,
                                 kListSchema,
                                 kNullableSchema,
                                 kOneOfSchema,
                                 kJsonValueSchema};
        std::vector<RequestHandle> handles;
        std::vector<int> which;
        std::mt19937 rng(3);
        for (int i = 0; i < 16 * int(std::size(schemas)); ++i) {
            const int s = i % int(std::size(schemas));
            GenerationRequest req;
            req.prompt = (i % 3) ? "Once upon a time" : "{\"name\": \"Lily\", \"age\":";
            req.jsonSchema = schemas[s];
            const auto minimal = JsonSchema::parse(schemas[s]).value()->minimalLength();
            req.maxTokens = int(minimal) + int(rng() % 60);
            req.sampling.temperature = (i % 4 == 0) ? 0.0f : 1.5f;
            req.sampling.topK = 0;
            req.sampling.topP = 1.0f;
            req.sampling.minP = 0.0f;
            req.sampling.seed = rng();
            handles.push_back((*engine)->submit(req));
            which.push_back(s);
        }
        int stops = 0;
        for (std::size_t i = 0; i < handles.size(); ++i) {
            const auto r = handles[i].wait();
            QVERIFY2(r.finish == FinishReason::Stop || r.finish == FinishReason::Length, r.error.c_str());
            stops += r.finish == FinishReason::Stop;
            QString why;
            QVERIFY2(matchesSchema(r.text, schemas[which[i]], why), qPrintable(why + QStringLiteral(": ") + QString::fromStdString(r.text)));
            if (i < std::size(schemas))
                qInfo("%s", r.text.c_str());
        }
        QVERIFY(stops > 0);
        // Too small a budget for the schema is refused up front.
        GenerationRequest req;
        req.prompt = "x";
        req.jsonSchema = kToolSchema;
        req.maxTokens = 5;
        const auto r = (*engine)->generate(req);
        QCOMPARE(r.finish, FinishReason::Error);
    }
};

QTEST_GUILESS_MAIN(TestJsonConstraint)
#include "test_json_constraint.moc"
