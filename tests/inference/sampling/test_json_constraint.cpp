// JSON-constrained output: the automaton accepts what the schema allows
// (and rejects what it does not), the shortest completion always completes,
// and on the tiny real model every output parses as JSON and matches its
// schema, whatever the sampling and however short maxTokens is.
#include "inference/engine.h"
#include "inference/sampling/json_constraint.h"

#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

// Checks a parsed value against the tool schema above (what the automaton
// promises).
bool matchesToolSchema(const QJsonValue& v, QString& why)
{
    if (!v.isObject()) {
        why = QStringLiteral("not an object");
        return false;
    }
    const auto o = v.toObject();
    for (const char* key : {"name", "age", "color"})
        if (!o.contains(QLatin1String(key))) {
            why = QStringLiteral("missing ") + QLatin1String(key);
            return false;
        }
    const QStringList known{QStringLiteral("name"), QStringLiteral("age"), QStringLiteral("score"), QStringLiteral("tags"),
                            QStringLiteral("ok"), QStringLiteral("color"), QStringLiteral("extra")};
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key())) {
            why = QStringLiteral("unknown key ") + it.key();
            return false;
        }
    if (!o[QStringLiteral("name")].isString() || !o[QStringLiteral("age")].isDouble()
        || o[QStringLiteral("age")].toDouble() != std::floor(o[QStringLiteral("age")].toDouble())) {
        why = QStringLiteral("name/age types");
        return false;
    }
    const QString color = o[QStringLiteral("color")].toString();
    if (color != QStringLiteral("red") && color != QStringLiteral("green") && color != QStringLiteral("blue")) {
        why = QStringLiteral("color not in the enum");
        return false;
    }
    if (o.contains(QStringLiteral("score")) && !o[QStringLiteral("score")].isDouble()) {
        why = QStringLiteral("score type");
        return false;
    }
    if (o.contains(QStringLiteral("ok")) && !o[QStringLiteral("ok")].isBool()) {
        why = QStringLiteral("ok type");
        return false;
    }
    if (o.contains(QStringLiteral("tags"))) {
        const auto tags = o[QStringLiteral("tags")];
        if (!tags.isArray() || tags.toArray().size() > 3) {
            why = QStringLiteral("tags");
            return false;
        }
        for (const auto& t : tags.toArray())
            if (!t.isString()) {
                why = QStringLiteral("tag type");
                return false;
            }
    }
    return true;
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
    }

    void unsupportedSchemasAreRefused()
    {
        QVERIFY(!JsonSchema::parse(R"({"anyOf":[{"type":"string"}]})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":"object","properties":{},"required":["x"]})").ok());
        QVERIFY(!JsonSchema::parse(R"({"type":["string","null"]})").ok());
        const auto bad = JsonSchema::parse(R"({"type": "object",)");
        QVERIFY(!bad.ok());
        QVERIFY2(QString::fromStdString(bad.error()).contains(QStringLiteral("byte")), bad.error().c_str());
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
            QJsonParseError err;
            const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(full.substr(0, cut) + tail), &err);
            QVERIFY2(err.error == QJsonParseError::NoError, (full.substr(0, cut) + tail).c_str());
            QString why;
            QVERIFY2(matchesToolSchema(doc.object(), why), qPrintable(why));
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
        const char* schemas[] = {kToolSchema, R"({"type":"array","items":{"type":"integer"},"minItems":1})",
                                 R"({"type":"string"})", "{}", R"({"type":"number"})",
                                 R"({"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"array","items":{"enum":[true,"x"]}}},"required":["b"]}},"required":["a"]})"};
        std::vector<RequestHandle> handles;
        std::vector<int> which;
        std::mt19937 rng(3);
        for (int i = 0; i < 120; ++i) {
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
            QJsonParseError err;
            // QJsonDocument parses only objects and arrays: wrap the value.
            const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString("[" + r.text + "]"), &err);
            QVERIFY2(err.error == QJsonParseError::NoError, r.text.c_str());
            QCOMPARE(doc.array().size(), 1);
            const auto v = doc.array()[0];
            QString why;
            switch (which[i]) {
            case 0: QVERIFY2(matchesToolSchema(v, why), qPrintable(why + QStringLiteral(": ") + QString::fromStdString(r.text))); break;
            case 1: QVERIFY(v.isArray() && !v.toArray().isEmpty()); break;
            case 2: QVERIFY(v.isString()); break;
            case 4: QVERIFY(v.isDouble()); break;
            case 5: QVERIFY(v.toObject()[QStringLiteral("a")].toObject()[QStringLiteral("b")].isArray()); break;
            default: break;
            }
            if (i < 6)
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
