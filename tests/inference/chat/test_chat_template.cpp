// Chat templates: every reference case in shared/reference/chat-templates
// must render byte for byte as Python's Jinja2 did (with transformers'
// settings), plus the interpreter's own features, errors and limits.
#include "inference/chat/chat_template.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <chrono>

using namespace outpost::inference;
using namespace outpost::inference::chat;

namespace {

const DateTime kReferenceDate{2024, 7, 26, 12, 0, 0};

QString sharedDir() { return QStringLiteral(OUTPOST_SHARED_DIR); }

Value readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Value();
    const QByteArray bytes = f.readAll();
    auto v = Value::parseJson(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
    return v ? v.value() : Value();
}

std::optional<std::string> optString(const Value* v)
{
    if (!v || !v->isString())
        return std::nullopt;
    return v->asString();
}

ChatMessage toMessage(const Value& m)
{
    ChatMessage msg;
    msg.extra = Value::object();
    for (const auto& [key, v] : m.asObject().entries) {
        if (key == "role") {
            msg.role = v.asString();
        } else if (key == "content") {
            msg.content = optString(&v);
        } else if (key == "tool_calls") {
            for (const auto& c : v.asArray()) {
                ToolCall call;
                call.id = optString(c.get("id")).value_or("");
                call.type = optString(c.get("type")).value_or("function");
                const Value* fn = c.get("function");
                call.name = optString(fn->get("name")).value_or("");
                call.arguments = *fn->get("arguments");
                msg.toolCalls.push_back(call);
            }
        } else if (key == "tool_call_id") {
            msg.toolCallId = optString(&v);
        } else if (key == "name") {
            msg.name = optString(&v);
        } else {
            msg.extra.set(key, v);
        }
    }
    return msg;
}

Result<std::string> render(std::string_view source, const Value& vars = Value::object())
{
    auto t = ChatTemplate::parse(source);
    if (!t)
        return Error{t.error()};
    return t->renderWith(vars, {}, kReferenceDate);
}

std::string renderOk(std::string_view source, const Value& vars = Value::object())
{
    auto r = render(source, vars);
    if (!r) {
        qWarning("render failed: %s", r.error().c_str());
        return "<error: " + r.error() + ">";
    }
    return r.value();
}

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private slots:
    void referenceCases_data();
    void referenceCases();
    void referenceCount();
    void chatmlFallback();
    void messageStructsBecomeDicts();
    void whitespaceControl();
    void expressions();
    void filtersAndTests();
    void loopsAndScoping();
    void macrosAndBlocks();
    void tojsonMatchesPython();
    void strftimeNow();
    void syntaxErrorsNameLineAndColumn();
    void runtimeErrorsNameLineAndColumn();
    void hostileTemplatesAreBounded();
    void truncatedTemplatesNeverCrash();
    void jsonParser();
};

void TestChatTemplate::referenceCases_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("index");
    const QDir dir(sharedDir() + "/reference/chat-templates");
    if (!dir.exists())
        QSKIP("shared/reference/chat-templates is missing; the reference cases cannot run");
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files, QDir::Name)) {
        const Value doc = readJson(dir.filePath(name));
        if (!doc.isObject())
            continue;
        const auto& cases = doc.get("cases")->asArray();
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const QString label = name + ":" + QString::fromStdString(cases[i].get("name")->asString());
            QTest::newRow(label.toUtf8().constData()) << dir.filePath(name) << static_cast<int>(i);
        }
    }
}

void TestChatTemplate::referenceCases()
{
    QFETCH(QString, file);
    QFETCH(int, index);
    const Value doc = readJson(file);
    QVERIFY2(doc.isObject(), "reference file is not valid JSON");
    const Value& c = doc.get("cases")->asArray()[static_cast<std::size_t>(index)];

    auto tmpl = ChatTemplate::parse(doc.get("template")->asString());
    QVERIFY2(tmpl.ok(), tmpl.ok() ? "" : tmpl.error().c_str());

    ChatContext ctx;
    for (const auto& m : c.get("messages")->asArray())
        ctx.messages.push_back(toMessage(m));
    if (const Value* tools = c.get("tools"); tools && !tools->isNone())
        ctx.tools = *tools;
    ctx.addGenerationPrompt = c.get("add_generation_prompt")->truthy();
    ctx.bosToken = optString(doc.get("bos_token"));
    ctx.eosToken = optString(doc.get("eos_token"));
    ctx.now = kReferenceDate;

    const auto out = tmpl->render(ctx);
    if (const Value* err = c.get("error")) {
        QVERIFY2(!out.ok(), "expected an error, got a rendering");
        QVERIFY2(out.error().find(err->asString()) != std::string::npos, out.error().c_str());
        QVERIFY2(out.error().find("line ") != std::string::npos, out.error().c_str());
        return;
    }
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().c_str());
    const std::string& expected = c.get("expected")->asString();
    if (out.value() != expected) {
        std::size_t d = 0;
        while (d < expected.size() && d < out.value().size() && expected[d] == out.value()[d])
            ++d;
        const auto from = d > 40 ? d - 40 : 0;
        const std::string msg = "first difference at byte " + std::to_string(d) + "\n  expected: " +
                                expected.substr(from, 120) + "\n  actual:   " + out.value().substr(from, 120);
        QFAIL(msg.c_str());
    }
}

void TestChatTemplate::referenceCount()
{
    const QDir dir(sharedDir() + "/reference/chat-templates");
    if (!dir.exists())
        QSKIP("shared/reference/chat-templates is missing; the reference cases cannot run");
    int cases = 0;
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files))
        cases += static_cast<int>(readJson(dir.filePath(name)).get("cases")->asArray().size());
    // The README promises 116 cases in 12 files; all must have been read.
    QCOMPARE(cases, 116);
}

void TestChatTemplate::chatmlFallback()
{
    auto t = ChatTemplate::forModel("  \n");
    QVERIFY(t.ok());
    QVERIFY(t->isChatml());
    ChatContext ctx;
    ctx.messages = {{"system", "Be brief.", {}, {}, {}, {}}, {"user", "Hi", {}, {}, {}, {}}};
    ctx.addGenerationPrompt = true;
    auto out = t->render(ctx);
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().c_str());
    QCOMPARE(QString::fromStdString(out.value()),
             QStringLiteral("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    ctx.addGenerationPrompt = false;
    ctx.messages.push_back({"assistant", std::nullopt, {ToolCall{"c1", "function", "f", Value::object()}}, {}, {}, {}});
    out = t->render(ctx);
    QVERIFY(out.ok());
    QVERIFY(out.value().ends_with("<|im_start|>assistant\n<|im_end|>\n"));
    QVERIFY(!ChatTemplate::forModel("{% if %}").ok());
}

void TestChatTemplate::messageStructsBecomeDicts()
{
    ChatMessage m{"tool", "42", {}, "call_1", "calc", Value::object()};
    m.extra.set("reasoning_content", "because");
    const Value v = m.toValue();
    const auto& e = v.asObject().entries;
    QCOMPARE(e.size(), std::size_t{5});
    QCOMPARE(QString::fromStdString(e[0].first), QStringLiteral("role"));
    QCOMPARE(QString::fromStdString(e[2].first), QStringLiteral("tool_call_id"));
    QCOMPARE(QString::fromStdString(e[4].first), QStringLiteral("reasoning_content"));
    ChatMessage plain{"user", "x", {}, {}, {}, {}};
    QCOMPARE(plain.toValue().asObject().entries.size(), std::size_t{2});
    QVERIFY(plain.toValue().get("tool_calls") == nullptr);
}

void TestChatTemplate::whitespaceControl()
{
    // trim_blocks: the newline after a block tag goes; lstrip_blocks: indentation before it goes.
    QCOMPARE(renderOk("{% if true %}\n  yes\n{% endif %}\nend"), std::string("  yes\nend"));
    QCOMPARE(renderOk("  {% if true %}x{% endif %}"), std::string("x"));
    QCOMPARE(renderOk("a  {% if true %}x{% endif %}"), std::string("a  x"));
    // {%+ keeps the indentation; {{ }} never strips.
    QCOMPARE(renderOk("  {%+ if true %}x{% endif %}"), std::string("  x"));
    QCOMPARE(renderOk("  {{ 'x' }}\n"), std::string("  x"));
    QCOMPARE(renderOk("a \n {{- 'b' -}} \n c"), std::string("abc"));
    QCOMPARE(renderOk("a\n{#- comment -#}\nb"), std::string("ab"));
    QCOMPARE(renderOk("{# c #}\nx"), std::string("x"));
    // One trailing newline is dropped (keep_trailing_newline=False), not two.
    QCOMPARE(renderOk("x\n\n"), std::string("x\n"));
    QCOMPARE(renderOk("a\r\nb"), std::string("a\nb"));
    QCOMPARE(renderOk("{% raw %}{{ not parsed }}{% endraw %}"), std::string("{{ not parsed }}"));
    QCOMPARE(renderOk("{{ '{{' }}"), std::string("{{"));
    QCOMPARE(renderOk("{{ {'a': {'b': 1}}['a']['b'] }}"), std::string("1"));
}

void TestChatTemplate::expressions()
{
    QCOMPARE(renderOk("{{ 1 + 2 * 3 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 7 / 2 }}|{{ 2 ** 10 }}"),
             std::string("7|3|-4|2|3.5|1024"));
    QCOMPARE(renderOk("{{ 'a' ~ 1 ~ none ~ true }}|{{ 'ab' * 3 }}|{{ [1] + [2] }}"), std::string("a1NoneTrue|ababab|[1, 2]"));
    // A filter binds tighter than +.
    QCOMPARE(renderOk("{{ 'x' + '  y  ' | trim + 'z' }}"), std::string("xyz"));
    QCOMPARE(renderOk("{{ not x is defined }}|{{ x is not defined }}|{{ none is none }}"), std::string("True|True|True"));
    QCOMPARE(renderOk("{{ 'b' in 'abc' }}|{{ 'k' in {'k': 1} }}|{{ 3 not in [1, 2] }}"), std::string("True|True|True"));
    QCOMPARE(renderOk("{{ 'a' if false else 'b' }}|{{ 'a' if true }}|{{ 1 < 2 < 3 }}|{{ 3 > 2 > 2 }}"),
             std::string("b|a|True|False"));
    QCOMPARE(renderOk("{{ 'hello'[1:3] }}|{{ 'hello'[::-1] }}|{{ [1,2,3,4][-2:] }}|{{ 'héllo'[1] }}|{{ 'abc'[-1] }}"),
             std::string("el|olleh|[3, 4]|é|c"));
    QCOMPARE(renderOk("{{ 'a</think>b'.split('</think>')[-1] }}|{{ ' x '.strip() }}|{{ 'Ab'.upper() }}|{{ 'ab'.startswith('a') }}"),
             std::string("b|x|AB|True"));
    QCOMPARE(renderOk("{{ {'a': 1, 'b': [1, 'x']} }}|{{ (1, 2) }}|{{ 1.0 }}|{{ 0.1 + 0.2 }}|{{ 1e20 }}"),
             std::string("{'a': 1, 'b': [1, 'x']}|[1, 2]|1.0|0.30000000000000004|1e+20"));
    QCOMPARE(renderOk("{{ d.b }}|{{ d['b'] }}|{{ d.missing }}|{{ d.get('zz', 5) }}", [] {
                 Value d = Value::object();
                 d.set("b", 2);
                 Value v = Value::object();
                 v.set("d", d);
                 return v;
             }()),
             std::string("2|2||5"));
    QCOMPARE(renderOk("{{ \"it's\" }}|{{ 'a\\tb\\u00e9\\n' }}|{{ 'x' 'y' }}"), std::string("it's|a\tbé\n|xy"));
    QCOMPARE(renderOk("{{ {'a': 1} == {'a': 1} }}|{{ [1, 2] == [1, 2.0] }}|{{ 1 == true }}"), std::string("True|True|True"));
}

void TestChatTemplate::filtersAndTests()
{
    QCOMPARE(renderOk("{{ [3, 1, 2] | sort | join(',') }}|{{ 'abc' | length }}|{{ 'héllo' | length }}|{{ [1, 2] | length }}"),
             std::string("1,2,3|3|5|2"));
    QCOMPARE(renderOk("{{ {'a': 1, 'b': 2} | items | list }}|{{ x | default('d') }}|{{ '' | default('d', true) }}"),
             std::string("[['a', 1], ['b', 2]]|d|d"));
    Value vars = Value::parseJson(R"({"msgs": [{"role": "user", "n": 1}, {"role": "bot", "n": 2}, {"role": "user", "n": 3}]})").value();
    QCOMPARE(renderOk("{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='n') | list }}", vars), std::string("[1, 3]"));
    QCOMPARE(renderOk("{{ msgs | rejectattr('role', 'eq', 'user') | map(attribute='n') | join }}", vars), std::string("2"));
    QCOMPARE(renderOk("{{ ['a', 'code', 'b'] | reject('equalto', 'code') | join(', ') }}"), std::string("a, b"));
    QCOMPARE(renderOk("{{ [1, 2, 3, 4] | select('even') | list }}|{{ msgs | map(attribute='n') | sum }}", vars),
             std::string("[2, 4]|6"));
    QCOMPARE(renderOk("{{ 'a b' | replace(' ', '_') | upper }}|{{ 'hello world' | title }}|{{ 'x\ny' | indent(2) }}"),
             std::string("A_B|Hello World|x\n  y"));
    QCOMPARE(renderOk("{{ 42 | string }}|{{ '7' | int + 1 }}|{{ 2 | float }}|{{ [1,2,3] | first }}{{ [1,2,3] | last }}"),
             std::string("42|8|2.0|13"));
    QCOMPARE(renderOk("{{ 'x' is string }}|{{ 'x' is iterable }}|{{ {} is mapping }}|{{ 3 is odd }}|{{ 6 is divisibleby 3 }}"),
             std::string("True|True|True|True|True"));
    QCOMPARE(renderOk("{{ 1 is number }}|{{ none is string }}|{{ [] is sequence }}|{{ x is undefined }}"),
             std::string("True|False|True|True"));
    QCOMPARE(renderOk("{% filter upper %}abc{% endfilter %}"), std::string("ABC"));
}

void TestChatTemplate::loopsAndScoping()
{
    QCOMPARE(renderOk("{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ x }}{{ ',' if not loop.last }}{% endfor %}"),
             std::string("1a,2b,3c"));
    QCOMPARE(renderOk("{% for x in [] %}x{% else %}empty{% endfor %}"), std::string("empty"));
    QCOMPARE(renderOk("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), std::string("a=1;b=2;"));
    // The loop filter runs first, so loop.last refers to the filtered sequence.
    QCOMPARE(renderOk("{% for x in [1, 2, 3, 4] if x != 4 %}{{ x }}{{ '.' if loop.last }}{% endfor %}"), std::string("123."));
    QCOMPARE(renderOk("{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
             std::string("13"));
    // set inside a loop does not leak; namespace() carries state out.
    QCOMPARE(renderOk("{% set y = 0 %}{% for x in [1, 2] %}{% set y = x %}{% endfor %}{{ y }}"), std::string("0"));
    QCOMPARE(renderOk("{% set ns = namespace(y=0) %}{% for x in [1, 2] %}{% set ns.y = ns.y + x %}{% endfor %}{{ ns.y }}"),
             std::string("3"));
    QCOMPARE(renderOk("{% for x in 'ab' %}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.cycle('o', 'e') }}{% endfor %}"),
             std::string("1o0ae"));
    QCOMPARE(renderOk("{% for i in range(3) %}{{ i }}{% endfor %}{% for i in range(5, 1, -2) %}{{ i }}{% endfor %}"),
             std::string("01253"));
    QCOMPARE(renderOk("{% for row in [[1, 2], [3, 4]] %}{% for c in row %}{{ loop.index0 }}{{ c }}{% endfor %}{% endfor %}"),
             std::string("01120314"));
    QCOMPARE(renderOk("{% set a, b = 1, 2 %}{{ b }}{{ a }}"), std::string("21"));
}

void TestChatTemplate::macrosAndBlocks()
{
    QCOMPARE(renderOk("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ana') }} {{ greet('Bo', punct='?') }}"),
             std::string("Hi Ana! Hi Bo?"));
    QCOMPARE(renderOk("{% macro fact(n) %}{{ 1 if n <= 1 else n * fact(n - 1) | int }}{% endmacro %}{{ fact(5) }}"),
             std::string("120"));
    QCOMPARE(renderOk("{% set block %}in {{ 1 + 1 }}{% endset %}[{{ block }}]"), std::string("[in 2]"));
    QCOMPARE(renderOk("{% generation %}kept{% endgeneration %}"), std::string("kept"));
}

void TestChatTemplate::tojsonMatchesPython()
{
    Value vars = Value::parseJson(R"({"v": {"b": [1, 2.5, true, null], "a": "é\"<>&\n", "e": {}, "l": []}})").value();
    QCOMPARE(renderOk("{{ v | tojson }}", vars), std::string(R"({"b": [1, 2.5, true, null], "a": "é\"<>&\n", "e": {}, "l": []})"));
    QCOMPARE(renderOk("{{ v.b | tojson(indent=2) }}", vars), std::string("[\n  1,\n  2.5,\n  true,\n  null\n]"));
    QCOMPARE(renderOk("{{ v | tojson(sort_keys=true, separators=(',', ':')) }}", vars),
             std::string(R"({"a":"é\"<>&\n","b":[1,2.5,true,null],"e":{},"l":[]})"));
    QCOMPARE(renderOk("{{ 'x\"y' | tojson }}"), std::string(R"("x\"y")"));
    QVERIFY(!render("{{ undefined_thing | tojson }}").ok());
}

void TestChatTemplate::strftimeNow()
{
    QCOMPARE(renderOk("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d, %H:%M:%S %p %j') }}"),
             std::string("26 Jul 2024|Friday July 26, 12:00:00 PM 208"));
    QCOMPARE(renderOk("{{ strftime_now is defined }}"), std::string("True"));
}

void TestChatTemplate::syntaxErrorsNameLineAndColumn()
{
    struct Case {
        const char* source;
        const char* fragment;
    };
    const Case cases[] = {
        {"{% if x %}\nno end", "line 1, column 1"},
        {"a\n  {{ x | nosuchfilter }}", "unknown filter 'nosuchfilter'"},
        {"a\n  {{ x | nosuchfilter }}", "line 2, column 10"},
        {"{{ x is nosuchtest }}", "unknown test"},
        {"{% frobnicate %}", "unknown or unsupported tag 'frobnicate'"},
        {"{{ 'unterminated }}", "unterminated string"},
        {"{{ x ", "missing '}}'"},
        {"{# open", "unterminated comment"},
        {"{% endfor %}", "unexpected 'endfor'"},
        {"{% break %}", "outside of a loop"},
        {"{{ (1 + }}", "line 1, column 9"},
        {"{{ x $ y }}", "unexpected character '$'"},
        {"{% for in x %}{% endfor %}", "expected 'in', found 'x'"},
    };
    for (const auto& c : cases) {
        auto t = ChatTemplate::parse(c.source);
        QVERIFY2(!t.ok(), c.source);
        QVERIFY2(t.error().find(c.fragment) != std::string::npos, (std::string(c.source) + " -> " + t.error()).c_str());
    }
}

void TestChatTemplate::runtimeErrorsNameLineAndColumn()
{
    auto r = render("line one\n{{ raise_exception('Conversation roles must alternate') }}");
    QVERIFY(!r.ok());
    QVERIFY2(r.error().find("Conversation roles must alternate") != std::string::npos, r.error().c_str());
    QVERIFY2(r.error().find("line 2, column 4") != std::string::npos, r.error().c_str());
    r = render("{{ missing.attr }}");
    QVERIFY2(!r.ok() && r.error().find("'missing' is undefined") != std::string::npos, r.error().c_str());
    r = render("{{ 'a' + 1 }}");
    QVERIFY2(!r.ok() && r.error().find("unsupported operand") != std::string::npos, r.error().c_str());
    r = render("{{ 1 // 0 }}");
    QVERIFY(!r.ok());
    r = render("{% set x = 5 %}{% set x.y = 1 %}");
    QVERIFY2(!r.ok() && r.error().find("namespace") != std::string::npos, r.error().c_str());
    r = render("{{ 9223372036854775807 + 1 }}");
    QVERIFY2(!r.ok() && r.error().find("overflow") != std::string::npos, r.error().c_str());
}

void TestChatTemplate::hostileTemplatesAreBounded()
{
    RenderLimits limits;
    limits.maxSteps = 2'000'000;
    limits.maxOutputBytes = 1 << 20;
    limits.maxAllocatedBytes = 32 << 20;
    const char* hostile[] = {
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i in range(100000000) %}x{% endfor %}",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
        "{{ 'x' * 9999999999 }}",
        "{{ [1, 2] * 9999999999 }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + [ns.l] %}{% endfor %}",
    };
    for (const char* src : hostile) {
        auto t = ChatTemplate::parse(src);
        QVERIFY2(t.ok(), src);
        auto r = t->renderWith(Value::object(), limits, kReferenceDate);
        QVERIFY2(!r.ok(), src);
        QVERIFY2(r.error().find("line 1") != std::string::npos, r.error().c_str());
    }
    // Nesting beyond the parser's bound is an error, not a stack overflow.
    const std::string deep = "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
    QVERIFY(!ChatTemplate::parse(deep).ok());
    std::string deepIf;
    for (int i = 0; i < 5000; ++i)
        deepIf += "{% if true %}";
    QVERIFY(!ChatTemplate::parse(deepIf).ok());
    const std::string nots = "{{ " + [] { std::string s; for (int i = 0; i < 100000; ++i) s += "not "; return s; }() + "x }}";
    QVERIFY(!ChatTemplate::parse(nots).ok());
}

void TestChatTemplate::truncatedTemplatesNeverCrash()
{
    const QDir dir(sharedDir() + "/reference/chat-templates");
    if (!dir.exists())
        QSKIP("shared/reference/chat-templates is missing");
    ChatContext ctx;
    ctx.messages = {{"system", "s", {}, {}, {}, {}}, {"user", "u", {}, {}, {}, {}}};
    ctx.now = kReferenceDate;
    int parsed = 0, failed = 0;
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files)) {
        const std::string src = readJson(dir.filePath(name)).get("template")->asString();
        for (std::size_t n = 0; n < src.size(); n += 13) {
            auto t = ChatTemplate::parse(std::string_view(src).substr(0, n));
            if (!t) {
                ++failed;
                continue;
            }
            ++parsed;
            (void)t->render(ctx); // ok or an error; it must only return
        }
    }
    QVERIFY(parsed > 0);
    QVERIFY(failed > 0);
}

void TestChatTemplate::jsonParser()
{
    auto v = Value::parseJson(R"( {"b": 1, "a": [true, null, -2.5e3, "\u00e9\ud83d\ude00"], "b": 3} )");
    QVERIFY(v.ok());
    QCOMPARE(v->asObject().entries.size(), std::size_t{2});
    QCOMPARE(v->asObject().entries[0].first, std::string("b")); // order kept, last duplicate wins
    QCOMPARE(v->get("b")->asInt(), std::int64_t{3});
    QCOMPARE(v->get("a")->asArray()[3].asString(), std::string("é😀"));
    QCOMPARE(v->get("a")->asArray()[2].asDouble(), -2500.0);
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "1 2", "\"a"}) {
        auto r = Value::parseJson(bad);
        QVERIFY2(!r.ok(), bad);
        QVERIFY(r.error().find("byte") != std::string::npos);
    }
    QVERIFY(!Value::parseJson(std::string(100000, '[')).ok());
}

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
