// Tokenizers against llama.cpp's own test vectors and the stories260K
// reference (both in shared/reference), plus streaming decode, special-token
// parsing and bad input.
#include "inference/gguf/gguf_file.h"
#include "inference/gguf/gguf_writer.h"
#include "inference/tokenizer/pre_tokenizer.h"
#include "inference/tokenizer/streaming_decoder.h"
#include "inference/tokenizer/tokenizer.h"
#include "inference/unicode/unicode.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <map>
#include <random>

using namespace outpost::inference;
using namespace outpost::inference::tokenizer;

namespace {

QString referenceDir() { return QStringLiteral(OUTPOST_SHARED_DIR "/reference"); }

std::string readBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = f.readAll();
    return std::string(data.constData(), static_cast<std::size_t>(data.size()));
}

// Loads (once) and caches a tokenizer per GGUF path.
const Tokenizer* loadTokenizer(const QString& path, QString* error = nullptr)
{
    static std::map<QString, std::optional<Tokenizer>> cache;
    auto it = cache.find(path);
    if (it == cache.end()) {
        std::optional<Tokenizer> tok;
        auto file = gguf::GgufFile::open(path.toStdString());
        if (!file) {
            if (error)
                *error = QString::fromStdString(file.error());
        } else {
            auto t = Tokenizer::fromGguf(**file);
            if (t)
                tok = std::move(*t);
            else if (error)
                *error = QString::fromStdString(t.error());
        }
        it = cache.emplace(path, std::move(tok)).first;
    }
    return it->second ? &*it->second : nullptr;
}

std::string idsToString(const std::vector<TokenId>& ids)
{
    std::string s;
    for (const TokenId id : ids) {
        s += ' ';
        s += std::to_string(id);
    }
    return s;
}

std::string hex(std::string_view bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (const char c : bytes) {
        s.push_back(digits[static_cast<unsigned char>(c) >> 4]);
        s.push_back(digits[static_cast<unsigned char>(c) & 15]);
    }
    return s;
}

std::vector<TokenId> jsonIds(const QJsonValue& v)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& x : v.toArray())
        ids.push_back(x.toInt());
    return ids;
}

// A tiny SentencePiece-style vocabulary for tests that need no file.
VocabData tinySpm()
{
    VocabData v;
    v.model = "llama";
    v.tokens = {"<unk>", "<s>", "</s>", "<|user|>", "\xE2\x96\x81", "a", "b", "\xE2\x96\x81" "a", "ab",
                "\xE2\x96\x81" "ab", "<0xC3>", "<0xA9>"};
    v.scores = {0, 0, 0, 0, -1, -2, -2, -1.5f, -1, -0.5f, 0, 0};
    v.types = {2, 3, 3, 4, 1, 1, 1, 1, 1, 1, 6, 6};
    return v;
}

// Random text from many scripts, whitespace runs, digits and punctuation.
std::string randomText(std::mt19937& rng, std::size_t codepoints)
{
    static const std::pair<char32_t, char32_t> ranges[] = {
        {0x20, 0x7E}, {0x20, 0x7E}, {0x20, 0x7E}, {0xC0, 0x17F}, {0x391, 0x3C9}, {0x410, 0x44F}, {0x5D0, 0x5EA},
        {0x627, 0x64A}, {0x905, 0x939}, {0xE01, 0xE2E}, {0x3041, 0x3096}, {0x4E00, 0x4FFF}, {0xAC00, 0xACFF},
        {0x1F600, 0x1F64F}, {0x2000, 0x206F}};
    static const char* const common[] = {" ", " ", "  ", "\n", "\r\n", "\t", "'s", "'ll", "0", "42", "1337", ".", ",", "!?", "the", " and"};
    std::string out;
    for (std::size_t i = 0; i < codepoints; ++i) {
        if (rng() % 2) {
            out += common[rng() % std::size(common)];
            continue;
        }
        const auto& [lo, hi] = ranges[rng() % std::size(ranges)];
        unicode::appendUtf8(out, lo + rng() % (hi - lo + 1));
    }
    return out;
}

// GPT-2's byte alphabet, written out again so the twin shares no code.
std::string gpt2Encode(std::string_view bytes)
{
    std::string out;
    for (const char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        char32_t cp = b;
        if (!((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE))) {
            int n = 0;
            for (int x = 0; x < b; ++x)
                if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE)))
                    ++n;
            cp = 256 + static_cast<char32_t>(n);
        }
        unicode::appendUtf8(out, cp);
    }
    return out;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void vocabVectors_data();
    void vocabVectors();
    void stories260K();
    void streamingSplitsMultibyteCharacters();
    void streamingWithByteTokens();
    void parseSpecialTokens();
    void userDefinedTokensAlwaysMatch();
    void byteLevelRoundTrip();
    void badInput();
    void randomInputEveryVocabulary();
    void vocabErrors();
    void ggufKeys();
    void preTokenizerNames();
    void bpeMatchesNaiveMerging();
    void spmMatchesNaiveMerging();
    void unicodeTables();
    void utf8Decoding();
};

void TestTokenizer::vocabVectors_data()
{
    QTest::addColumn<QString>("base");
    const QDir dir(referenceDir() + QStringLiteral("/tokenizer"));
    const QStringList inputs = dir.entryList({QStringLiteral("*.gguf.inp")}, QDir::Files, QDir::Name);
    if (inputs.isEmpty())
        QTest::newRow("no-vectors") << QString();
    for (const QString& inp : inputs) {
        const QString base = dir.filePath(inp.chopped(4));
        QTest::newRow(qPrintable(QFileInfo(base).fileName())) << base;
    }
}

void TestTokenizer::vocabVectors()
{
    QFETCH(QString, base);
    if (base.isEmpty())
        QSKIP("shared/reference/tokenizer is not there: no test vectors to check");
    // deepseek-r1-qwen uses Qwen2's vocabulary and pre-tokenizer; its
    // expected ids are the same, so check them with the qwen2 file.
    if (!QFile::exists(base) && base.endsWith(QStringLiteral("ggml-vocab-deepseek-r1-qwen.gguf"))) {
        const QString qwen2 = QFileInfo(base).dir().filePath(QStringLiteral("ggml-vocab-qwen2.gguf"));
        if (QFile::exists(qwen2)) {
            const std::string inp = readBytes(base + QStringLiteral(".inp"));
            const std::string out = readBytes(base + QStringLiteral(".out"));
            QVERIFY(!inp.empty() && !out.empty());
            base = qwen2;   // the .inp/.out read below are qwen2's: compare those files too
            QCOMPARE(readBytes(base + QStringLiteral(".out")), out);
            QCOMPARE(readBytes(base + QStringLiteral(".inp")), inp);
        }
    }
    if (!QFile::exists(base))
        QSKIP(qPrintable(QStringLiteral("%1 is not present (only its test vectors are)").arg(QFileInfo(base).fileName())));
    QString error;
    const Tokenizer* tok = loadTokenizer(base, &error);
    QVERIFY2(tok, qPrintable(error));

    const std::string inp = readBytes(base + QStringLiteral(".inp"));
    const std::string out = readBytes(base + QStringLiteral(".out"));
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    for (std::size_t pos = 0; pos < inp.size();) {
        const std::size_t next = inp.find(sep, pos);
        QVERIFY2(next != std::string::npos, "the .inp file does not end with a separator");
        texts.push_back(inp.substr(pos, next - pos));
        pos = next + sep.size();
    }
    std::vector<std::string> expected;
    for (std::size_t pos = 0; pos < out.size();) {
        std::size_t next = out.find('\n', pos);
        if (next == std::string::npos)
            next = out.size();
        expected.push_back(out.substr(pos, next - pos));
        pos = next + 1;
    }
    QCOMPARE(expected.size(), texts.size());

    int failures = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::string got = idsToString(tok->tokenize(texts[i], false, false));
        if (got != expected[i]) {
            ++failures;
            qWarning("string %zu (hex %s)\n  expected:%s\n  got:     %s", i, hex(texts[i]).c_str(),
                     expected[i].c_str(), got.c_str());
        }
    }
    QVERIFY2(failures == 0, qPrintable(QStringLiteral("%1 of %2 strings differ").arg(failures).arg(texts.size())));
}

void TestTokenizer::stories260K()
{
    const QString model = QStringLiteral(OUTPOST_SHARED_DIR "/models/stories260K.gguf");
    const QString json = referenceDir() + QStringLiteral("/stories260K-tokenize.json");
    if (!QFile::exists(model) || !QFile::exists(json))
        QSKIP("shared/models/stories260K.gguf or its tokenize reference is not there");
    QString error;
    const Tokenizer* tok = loadTokenizer(model, &error);
    QVERIFY2(tok, qPrintable(error));
    QCOMPARE(tok->kind(), VocabKind::Spm);
    QCOMPARE(tok->vocabSize(), std::size_t{512});
    QCOMPARE(tok->bos(), 1);
    QCOMPARE(tok->eos(), 2);
    QVERIFY(tok->addBos());

    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonArray results = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("results")).toArray();
    QVERIFY(!results.isEmpty());
    for (const QJsonValue& rv : results) {
        const QJsonObject r = rv.toObject();
        const QByteArray textBytes = QByteArray::fromHex(r.value(QStringLiteral("utf8_hex")).toString().toLatin1());
        const std::string text(textBytes.constData(), static_cast<std::size_t>(textBytes.size()));
        const QByteArray label = "text hex " + textBytes.toHex();

        const auto withBos = tok->tokenize(text, true, false);
        const auto noBos = tok->tokenize(text, false, false);
        QVERIFY2(withBos == jsonIds(r.value(QStringLiteral("ids_with_bos"))), label.constData());
        QVERIFY2(noBos == jsonIds(r.value(QStringLiteral("ids_no_bos"))), label.constData());

        const QJsonArray pieces = r.value(QStringLiteral("pieces_utf8_hex")).toArray();
        QCOMPARE(static_cast<std::size_t>(pieces.size()), noBos.size());
        for (std::size_t i = 0; i < noBos.size(); ++i)
            QCOMPARE(QByteArray::fromStdString(hex(tok->tokenToPiece(noBos[i], true))),
                     pieces[static_cast<qsizetype>(i)].toString().toLatin1());

        const std::string detok = tok->detokenize(noBos, false, false);
        QCOMPARE(QByteArray::fromStdString(detok), r.value(QStringLiteral("detokenized")).toString().toUtf8());
        QCOMPARE(detok == text, r.value(QStringLiteral("roundtrip_exact")).toBool());
        QCOMPARE(QByteArray::fromStdString(tok->detokenize(withBos, true, false)),
                 r.value(QStringLiteral("detokenized_from_with_bos_remove_special")).toString().toUtf8());
    }
}

void TestTokenizer::streamingSplitsMultibyteCharacters()
{
    const QString path = referenceDir() + QStringLiteral("/tokenizer/ggml-vocab-gpt-2.gguf");
    if (!QFile::exists(path))
        QSKIP("ggml-vocab-gpt-2.gguf is not there");
    const Tokenizer* tok = loadTokenizer(path);
    QVERIFY(tok);
    // Emoji and CJK text splits into byte-level tokens that end mid-character.
    const std::string text = "Hi 🦙 我想在apple工作 😶‍🌫️ done";
    const auto ids = tok->tokenize(text, false, false);
    bool sawPartial = false;
    for (const TokenId id : ids)
        sawPartial |= !unicode::isValidUtf8(tok->tokenToPiece(id));
    QVERIFY2(sawPartial, "the test text should contain tokens that split a character");

    StreamingDecoder decoder(*tok);
    std::string joined;
    for (const TokenId id : ids) {
        const std::string chunk = decoder.push(id);
        QVERIFY2(unicode::isValidUtf8(chunk), hex(chunk).c_str());
        QVERIFY(decoder.pending() <= 3);
        joined += chunk;
    }
    joined += decoder.flush();
    QCOMPARE(QByteArray::fromStdString(joined), QByteArray::fromStdString(text));
}

void TestTokenizer::streamingWithByteTokens()
{
    auto tok = Tokenizer::fromVocab(tinySpm());
    QVERIFY2(tok, tok ? "" : tok.error().c_str());
    // "é" is not a token: byte fallback gives <0xC3> <0xA9>.
    const auto ids = tok->tokenize("\xC3\xA9", false, false);
    const std::vector<TokenId> expected{4, 10, 11};
    QCOMPARE(ids, expected);
    StreamingDecoder decoder(*tok, false, true);
    QCOMPARE(QByteArray::fromStdString(decoder.push(4)), QByteArray());   // the leading space is dropped
    QCOMPARE(QByteArray::fromStdString(decoder.push(10)), QByteArray());
    QCOMPARE(decoder.pending(), std::size_t{1});
    QCOMPARE(QByteArray::fromStdString(decoder.push(11)), QByteArray("\xC3\xA9"));
    // An unfinished character at the end becomes U+FFFD, never a broken byte.
    QCOMPARE(QByteArray::fromStdString(decoder.push(10)), QByteArray());
    QCOMPARE(QByteArray::fromStdString(decoder.flush()), QByteArray("\xEF\xBF\xBD"));
    // A continuation byte with no lead is replaced at once.
    QCOMPARE(QByteArray::fromStdString(decoder.push(11)), QByteArray("\xEF\xBF\xBD"));
}

void TestTokenizer::parseSpecialTokens()
{
    const QString path = referenceDir() + QStringLiteral("/tokenizer/ggml-vocab-llama-bpe.gguf");
    if (!QFile::exists(path))
        QSKIP("ggml-vocab-llama-bpe.gguf is not there");
    const Tokenizer* tok = loadTokenizer(path);
    QVERIFY(tok);
    QCOMPARE(tok->bos(), 128000);
    QVERIFY(tok->addBos());
    QVERIFY(tok->isEog(128009));
    QVERIFY(tok->isEog(128001));
    QVERIFY(!tok->isEog(128006));
    const std::string prompt = "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>";
    const auto parsed = tok->tokenize(prompt, true, true);
    QVERIFY(parsed.size() >= 6);
    QCOMPARE(parsed[0], 128000);
    QCOMPARE(parsed[1], 128006);
    QCOMPARE(parsed[3], 128007);
    QCOMPARE(parsed.back(), 128009);
    QCOMPARE(tok->tokenText(parsed[2]), std::string("user"));
    // Without parseSpecial the markers are plain text: no control ids at all.
    const auto plain = tok->tokenize(prompt, false, false);
    for (const TokenId id : plain)
        QVERIFY(!tok->isControl(id));
    QCOMPARE(tok->detokenize(plain), prompt);
    // Control tokens print only when asked.
    QCOMPARE(tok->detokenize(parsed, false, true), "<|begin_of_text|>" + prompt);
    QCOMPARE(tok->detokenize(parsed, true, false), std::string("user\n\nHi!"));
    // A special token at the very end or start, and twice in a row.
    const auto twice = tok->tokenize("<|eot_id|><|eot_id|>", false, true);
    QCOMPARE(twice, (std::vector<TokenId>{128009, 128009}));
}

void TestTokenizer::userDefinedTokensAlwaysMatch()
{
    auto tok = Tokenizer::fromVocab(tinySpm());
    QVERIFY(tok);
    // <|user|> is user-defined: matched even without parseSpecial; <s> is
    // control: only with it.
    const auto ids = tok->tokenize("a<|user|>ab", false, false);
    QCOMPARE(ids, (std::vector<TokenId>{7, 3, 9}));
    const auto plain = tok->tokenize("<s>", false, false);
    QVERIFY(std::find(plain.begin(), plain.end(), 1) == plain.end());
    const auto special = tok->tokenize("<s>a", true, true);
    QCOMPARE(special, (std::vector<TokenId>{1, 1, 7}));
}

void TestTokenizer::byteLevelRoundTrip()
{
    const QStringList names{QStringLiteral("gpt-2"), QStringLiteral("llama-bpe"), QStringLiteral("qwen2"),
                            QStringLiteral("deepseek-llm"), QStringLiteral("falcon")};
    std::mt19937 rng(1234);
    int checked = 0;
    for (const QString& name : names) {
        const QString path = referenceDir() + QStringLiteral("/tokenizer/ggml-vocab-%1.gguf").arg(name);
        if (!QFile::exists(path))
            continue;
        const Tokenizer* tok = loadTokenizer(path);
        QVERIFY(tok);
        // Some vocabularies leave out bytes that never occur in UTF-8 (C0,
        // C1, F5..FF); like llama.cpp we cannot encode those, so avoid them.
        std::vector<bool> encodable(256, true);
        for (int b = 0; b < 256; ++b) {
            const std::string one(1, static_cast<char>(b));
            std::string back;
            for (const TokenId id : tok->tokenize(one, false, false))
                back += tok->tokenToPiece(id);
            encodable[b] = back == one;
        }
        for (int round = 0; round < 200; ++round) {
            // Random bytes, biased towards ASCII and UTF-8 lead/continuation bytes.
            std::string s(rng() % 40, '\0');
            for (char& c : s) {
                do {
                    const unsigned r = rng() % 4;
                    c = static_cast<char>(r == 0 ? rng() % 256 : r == 1 ? 0x80 + rng() % 64 : r == 2 ? ' ' + rng() % 95 : "\n\t \xE2\xF0"[rng() % 5]);
                } while (!encodable[static_cast<unsigned char>(c)]);
            }
            const auto ids = tok->tokenize(s, false, false);
            // Byte-level BPE keeps every byte, valid UTF-8 or not. (detokenize
            // may also tidy spaces before punctuation, so join the pieces.)
            std::string joined;
            for (const TokenId id : ids)
                joined += tok->tokenToPiece(id);
            QVERIFY2(joined == s, qPrintable(name + QStringLiteral(": ") + QString::fromStdString(hex(s))));
        }
        ++checked;
    }
    if (checked == 0)
        QSKIP("no byte-level BPE vocabulary in shared/reference/tokenizer");
}

void TestTokenizer::badInput()
{
    auto tok = Tokenizer::fromVocab(tinySpm());
    QVERIFY(tok);
    QVERIFY(tok->tokenize("", false, false).empty());
    QCOMPARE(tok->tokenize("", true, false), (std::vector<TokenId>{1}));
    QCOMPARE(tok->tokenToPiece(-5), std::string());
    QCOMPARE(tok->tokenToPiece(100000), std::string());
    QCOMPARE(tok->detokenize(std::vector<TokenId>{-1, 99999, 5}), std::string("a"));
    // Invalid UTF-8 and NUL bytes go through byte fallback (unk when no byte token).
    const std::string junk("\xFF\x00\xC3", 3);
    const auto ids = tok->tokenize(junk, false, false);
    QVERIFY(!ids.empty());
    for (const TokenId id : ids)
        QVERIFY(id >= 0 && static_cast<std::size_t>(id) < tok->vocabSize());
}

// Random bytes mixed with pieces of special tokens, through every vocabulary
// present: ids stay in range and streamed text is always valid UTF-8.
void TestTokenizer::randomInputEveryVocabulary()
{
    const QDir dir(referenceDir() + QStringLiteral("/tokenizer"));
    const QStringList files = dir.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        QSKIP("no vocabularies in shared/reference/tokenizer");
    static const char* const pieces[] = {"<|", "|>", "<s>", "</s>", "<|eot_id|>", "<|endoftext|>", "<unk>", "[CLS]",
                                         "<|im_start|>", "\xE2\x96\x81", "  ", "\n", "'s", "\xF0\x9F", "\xC3"};
    std::mt19937 rng(99);
    for (const QString& name : files) {
        QString error;
        const Tokenizer* tok = loadTokenizer(dir.filePath(name), &error);
        QVERIFY2(tok, qPrintable(error));
        for (int round = 0; round < 100; ++round) {
            std::string s;
            const int parts = static_cast<int>(rng() % 12);
            for (int i = 0; i < parts; ++i) {
                if (rng() % 2)
                    s += pieces[rng() % std::size(pieces)];
                else
                    s += randomText(rng, rng() % 6);
                if (rng() % 4 == 0)
                    s.push_back(static_cast<char>(rng() % 256));
            }
            for (const bool special : {false, true}) {
                const auto ids = tok->tokenize(s, true, special);
                StreamingDecoder decoder(*tok, special);
                std::string streamed;
                for (const TokenId id : ids) {
                    QVERIFY(id >= 0 && static_cast<std::size_t>(id) < tok->vocabSize());
                    const std::string chunk = decoder.push(id);
                    QVERIFY(unicode::isValidUtf8(chunk));
                    streamed += chunk;
                }
                streamed += decoder.flush();
                QVERIFY(unicode::isValidUtf8(streamed));
                (void)tok->detokenize(ids, true, special);
            }
        }
    }
}

void TestTokenizer::vocabErrors()
{
    VocabData v = tinySpm();
    v.model = "t5";
    auto r = Tokenizer::fromVocab(v);
    QVERIFY(!r);
    QVERIFY(r.error().find("t5") != std::string::npos);

    v = tinySpm();
    v.scores.pop_back();
    r = Tokenizer::fromVocab(v);
    QVERIFY(!r);
    QVERIFY(r.error().find("scores") != std::string::npos);

    v = tinySpm();
    v.types[3] = 42;
    r = Tokenizer::fromVocab(v);
    QVERIFY(!r);
    QVERIFY(r.error().find("token 3") != std::string::npos);

    v = tinySpm();
    v.tokens.clear();
    v.scores.clear();
    v.types.clear();
    QVERIFY(!Tokenizer::fromVocab(v));

    v = tinySpm();
    v.model = "gpt2";
    v.pre = "no-such-pre";
    r = Tokenizer::fromVocab(v);
    QVERIFY(!r);
    QVERIFY(r.error().find("no-such-pre") != std::string::npos);

    // Special ids outside the vocabulary are ignored, not trusted.
    v = tinySpm();
    v.bos = 5000;
    v.eos = -3;
    r = Tokenizer::fromVocab(v);
    QVERIFY(r);
    QCOMPARE(r->bos(), 1);
    QCOMPARE(r->eos(), 2);
}

void TestTokenizer::ggufKeys()
{
    const VocabData tiny = tinySpm();
    auto base = [&] {
        gguf::GgufWriter w;
        w.setString("general.architecture", "llama");
        w.setString("tokenizer.ggml.model", "llama");
        w.setStringArray("tokenizer.ggml.tokens", tiny.tokens);
        w.setFloat32Array("tokenizer.ggml.scores", tiny.scores);
        w.setInt32Array("tokenizer.ggml.token_type", tiny.types);
        return w;
    };
    auto load = [](const gguf::GgufWriter& w) -> Result<Tokenizer> {
        auto bytes = w.toBytes();
        if (!bytes)
            return Error{bytes.error()};
        auto file = gguf::GgufFile::fromBuffer(std::move(*bytes), "synthetic.gguf");
        if (!file)
            return Error{file.error()};
        return Tokenizer::fromGguf(**file);
    };

    auto good = load(base());
    QVERIFY2(good, good ? "" : good.error().c_str());
    QVERIFY(good->addBos());
    QVERIFY(good->addSpacePrefix());
    QCOMPARE(good->tokenize("ab", true, false), (std::vector<TokenId>{1, 9}));

    // The flags and ids the file sets win over the defaults.
    gguf::GgufWriter flags = base();
    flags.setBool("tokenizer.ggml.add_bos_token", false);
    flags.setBool("tokenizer.ggml.add_eos_token", true);
    flags.setBool("tokenizer.ggml.add_space_prefix", false);
    flags.setUInt32("tokenizer.ggml.eos_token_id", 3);
    auto flagged = load(flags);
    QVERIFY(flagged);
    QVERIFY(!flagged->addBos());
    QCOMPARE(flagged->eos(), 3);
    QCOMPARE(flagged->tokenize("ab", true, false), (std::vector<TokenId>{8, 3}));
    QVERIFY(flagged->isEog(3));

    gguf::GgufWriter noModel = base();
    noModel.remove("tokenizer.ggml.model");
    auto r = load(noModel);
    QVERIFY(!r);
    QVERIFY2(r.error().find("synthetic.gguf") != std::string::npos, r.error().c_str());
    QVERIFY2(r.error().find("tokenizer.ggml.model") != std::string::npos, r.error().c_str());

    gguf::GgufWriter badTokens = base();
    badTokens.setString("tokenizer.ggml.tokens", "not an array");
    r = load(badTokens);
    QVERIFY(!r);
    QVERIFY2(r.error().find("tokenizer.ggml.tokens") != std::string::npos, r.error().c_str());

    gguf::GgufWriter shortScores = base();
    shortScores.setFloat32Array("tokenizer.ggml.scores", std::vector<float>{1, 2, 3});
    r = load(shortScores);
    QVERIFY(!r);
    QVERIFY2(r.error().find("synthetic.gguf") != std::string::npos && r.error().find("scores") != std::string::npos,
             r.error().c_str());

    gguf::GgufWriter badId = base();
    badId.setString("tokenizer.ggml.bos_token_id", "one");
    r = load(badId);
    QVERIFY(!r);
    QVERIFY2(r.error().find("bos_token_id") != std::string::npos, r.error().c_str());

    gguf::GgufWriter noMerges = base();
    noMerges.setString("tokenizer.ggml.model", "gpt2");
    noMerges.setString("tokenizer.ggml.pre", "gpt-2");
    r = load(noMerges);   // a BPE vocabulary without merges still loads: whole tokens or bytes only
    QVERIFY2(r, r ? "" : r.error().c_str());
}

void TestTokenizer::preTokenizerNames()
{
    for (const char* name : {"default", "llama-bpe", "qwen2", "gpt-2", "deepseek-llm", "deepseek-coder", "falcon",
                             "mpt", "refact", "starcoder", "command-r", "deepseek-r1-qwen"})
        QVERIFY2(preTokenizerFromName(name).has_value(), name);
    QVERIFY(!preTokenizerFromName("made-up").has_value());
}

// The naive twin of BPE: for each pre-tokenizer word, in GPT-2's alphabet,
// scan all adjacent pairs, merge the lowest-ranked (leftmost on ties), repeat.
void TestTokenizer::bpeMatchesNaiveMerging()
{
    std::mt19937 rng(7);
    int checked = 0;
    for (const char* name : {"llama-bpe", "qwen2", "gpt-2"}) {
        const QString path = referenceDir() + QStringLiteral("/tokenizer/ggml-vocab-%1.gguf").arg(QLatin1String(name));
        if (!QFile::exists(path))
            continue;
        auto file = gguf::GgufFile::open(path.toStdString());
        QVERIFY(file);
        auto vocab = Tokenizer::readVocab(**file);
        QVERIFY(vocab);
        const Tokenizer* tok = loadTokenizer(path);
        QVERIFY(tok);
        std::map<std::pair<std::string, std::string>, std::size_t> ranks;
        for (std::size_t i = 0; i < vocab->merges.size(); ++i) {
            const std::string& m = vocab->merges[i];
            const std::size_t space = m.find(' ', 1);
            ranks.emplace(std::make_pair(m.substr(0, space), m.substr(space + 1)), i);
        }
        std::map<std::string, TokenId> ids;
        for (std::size_t i = 0; i < vocab->tokens.size(); ++i)
            ids[vocab->tokens[i]] = static_cast<TokenId>(i);
        const auto kind = preTokenizerFromName(vocab->pre);
        QVERIFY(kind);
        const bool ignoreMerges = vocab->pre == "llama-bpe";

        const std::string text = randomText(rng, 20000);
        std::vector<std::pair<std::uint32_t, std::uint32_t>> words;
        preTokenize(*kind, text, words);
        std::vector<TokenId> naive;
        for (const auto& [b, e] : words) {
            const std::string word = gpt2Encode(std::string_view(text).substr(b, e - b));
            if (ignoreMerges && ids.count(word)) {
                naive.push_back(ids[word]);
                continue;
            }
            std::vector<std::string> parts;
            for (std::size_t pos = 0; pos < word.size();) {
                const std::size_t at = pos;
                unicode::decodeUtf8(word, pos);
                parts.push_back(word.substr(at, pos - at));
            }
            while (parts.size() > 1) {
                std::size_t best = SIZE_MAX, where = 0;
                for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
                    const auto it = ranks.find({parts[i], parts[i + 1]});
                    if (it != ranks.end() && it->second < best) {
                        best = it->second;
                        where = i;
                    }
                }
                if (best == SIZE_MAX)
                    break;
                parts[where] += parts[where + 1];
                parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(where) + 1);
            }
            for (const std::string& part : parts) {
                QVERIFY2(ids.count(part), part.c_str());
                naive.push_back(ids[part]);
            }
        }
        const auto fast = tok->tokenize(text, false, false);
        QCOMPARE(fast.size(), naive.size());
        QVERIFY2(fast == naive, name);
        ++checked;
    }
    if (checked == 0)
        QSKIP("no byte-level BPE vocabulary in shared/reference/tokenizer");
}

// The naive twin of SPM: merge the adjacent pair whose concatenation is the
// best-scoring token (leftmost on ties) until none is a token; then bytes.
void TestTokenizer::spmMatchesNaiveMerging()
{
    const QString path = referenceDir() + QStringLiteral("/tokenizer/ggml-vocab-llama-spm.gguf");
    if (!QFile::exists(path))
        QSKIP("ggml-vocab-llama-spm.gguf is not there");
    auto file = gguf::GgufFile::open(path.toStdString());
    QVERIFY(file);
    auto vocab = Tokenizer::readVocab(**file);
    QVERIFY(vocab);
    const Tokenizer* tok = loadTokenizer(path);
    QVERIFY(tok);
    std::map<std::string, TokenId> ids;
    for (std::size_t i = 0; i < vocab->tokens.size(); ++i)
        ids[vocab->tokens[i]] = static_cast<TokenId>(i);

    std::mt19937 rng(11);
    for (int round = 0; round < 20; ++round) {
        const std::string text = randomText(rng, 300);
        std::string escaped = " " + text;
        for (std::size_t pos = 0; (pos = escaped.find(' ', pos)) != std::string::npos;)
            escaped.replace(pos, 1, "\xE2\x96\x81");
        std::vector<std::string> parts;
        for (std::size_t pos = 0; pos < escaped.size();) {
            const std::size_t at = pos;
            unicode::decodeUtf8(escaped, pos);
            parts.push_back(escaped.substr(at, pos - at));
        }
        while (parts.size() > 1) {
            float best = 0;
            std::size_t where = SIZE_MAX;
            for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
                const auto it = ids.find(parts[i] + parts[i + 1]);
                if (it != ids.end() && (where == SIZE_MAX || vocab->scores[it->second] > best)) {
                    best = vocab->scores[it->second];
                    where = i;
                }
            }
            if (where == SIZE_MAX)
                break;
            parts[where] += parts[where + 1];
            parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(where) + 1);
        }
        std::vector<TokenId> naive;
        for (const std::string& part : parts) {
            if (ids.count(part)) {
                naive.push_back(ids[part]);
                continue;
            }
            for (const char c : part) {
                char name[8];
                std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(c));
                naive.push_back(ids.at(name));
            }
        }
        QVERIFY2(tok->tokenize(text, false, false) == naive, hex(text).c_str());
    }
}

void TestTokenizer::unicodeTables()
{
    using unicode::Category;
    QCOMPARE(unicode::category(U'a'), Category::Letter);
    QCOMPARE(unicode::category(U'\u00E9'), Category::Letter);
    QCOMPARE(unicode::category(U'\u0416'), Category::Letter);     // Cyrillic Zhe
    QCOMPARE(unicode::category(U'\u6211'), Category::Letter);     // CJK, from a First/Last range
    QCOMPARE(unicode::category(U'\U00020000'), Category::Letter); // CJK extension B (outside the BMP)
    QCOMPARE(unicode::category(U'7'), Category::Number);
    QCOMPARE(unicode::category(U'\u00BD'), Category::Number);     // one half
    QCOMPARE(unicode::category(U'\u0663'), Category::Number);     // Arabic-Indic three
    QCOMPARE(unicode::category(U','), Category::Punctuation);
    QCOMPARE(unicode::category(U'\u3002'), Category::Punctuation);
    QCOMPARE(unicode::category(U'$'), Category::Symbol);
    QCOMPARE(unicode::category(U'\U0001F999'), Category::Symbol); // llama emoji
    QCOMPARE(unicode::category(U'\u0301'), Category::Mark);
    QCOMPARE(unicode::category(U'\u200D'), Category::Other);      // ZWJ (Cf)
    QCOMPARE(unicode::category(U'\u0378'), Category::Undefined);  // unassigned
    QCOMPARE(unicode::category(char32_t{0x110000}), Category::Undefined);
    for (const char32_t ws : {U' ', U'\t', U'\n', U'\r', U'\u000B', U'\u000C', U'\u0085', U'\u00A0', U'\u2009', U'\u3000'})
        QVERIFY(unicode::isWhitespace(ws));
    for (const char32_t notWs : {U'a', U'\u200B', U'\u001C', U'\uFEFF'})
        QVERIFY(!unicode::isWhitespace(notWs));
    QCOMPARE(unicode::toLower(U'A'), U'a');
    QCOMPARE(unicode::toLower(U'\u00C9'), U'\u00E9');
    QCOMPARE(unicode::toLower(U'\u0416'), U'\u0436');
    QCOMPARE(unicode::toLower(U'\u212A'), U'k');                  // Kelvin sign
    QCOMPARE(unicode::toLower(U'1'), U'1');
    std::u32string nfd;
    unicode::appendNfd(U'\u00E9', nfd);
    QVERIFY(nfd == std::u32string(U"e\u0301"));
    nfd.clear();
    unicode::appendNfd(U'\u1EA5', nfd);                            // a with circumflex and acute: two levels
    QVERIFY(nfd == std::u32string(U"a\u0302\u0301"));
    nfd.clear();
    unicode::appendNfd(U'\uD55C', nfd);                            // Hangul syllable HAN
    QVERIFY(nfd == std::u32string(U"\u1112\u1161\u11AB"));
}

void TestTokenizer::utf8Decoding()
{
    auto decodeAll = [](std::string_view s) {
        std::vector<char32_t> cps;
        for (std::size_t pos = 0; pos < s.size();)
            cps.push_back(unicode::decodeUtf8(s, pos));
        return cps;
    };
    QCOMPARE(decodeAll("a\xC3\xA9\xE2\x96\x81\xF0\x9F\xA6\x99"),
             (std::vector<char32_t>{U'a', U'\u00E9', U'\u2581', U'\U0001F999'}));
    const char32_t bad = unicode::kInvalid;
    QCOMPARE(decodeAll("\xC0\xAF"), (std::vector<char32_t>{bad | 0xC0, bad | 0xAF}));       // overlong
    QCOMPARE(decodeAll("\xED\xA0\x80"), (std::vector<char32_t>{bad | 0xED, bad | 0xA0, bad | 0x80}));   // surrogate
    QCOMPARE(decodeAll("\xF0\x9F\xA6"), (std::vector<char32_t>{bad | 0xF0, bad | 0x9F, bad | 0xA6}));  // truncated
    QCOMPARE(decodeAll("\xF4\x90\x80\x80").front(), bad | 0xF4);                         // above U+10FFFF
    std::string back;
    for (const char32_t cp : decodeAll("x\xFF\xC3\xA9"))
        unicode::appendUtf8(back, cp);
    QCOMPARE(back, std::string("x\xFF\xC3\xA9"));
    QCOMPARE(unicode::completePrefixLength("ab\xF0\x9F\xA6"), std::size_t{2});
    QCOMPARE(unicode::completePrefixLength("ab\xF0\x9F\xA6\x99"), std::size_t{6});
    QCOMPARE(unicode::completePrefixLength("ab\xC3"), std::size_t{2});
    QCOMPARE(unicode::completePrefixLength("\xA9\xA9\xA9\xA9"), std::size_t{4});
    // Cuts at most n bytes, back to the start of the character at n.
    QCOMPARE(unicode::cutPoint("ab\xF0\x9F\xA6\x99z", 4), std::size_t{2});
    QCOMPARE(unicode::cutPoint("ab\xF0\x9F\xA6\x99z", 6), std::size_t{6});
    QCOMPARE(unicode::cutPoint("ab\xC3\xA9", 2), std::size_t{2});
    QCOMPARE(unicode::cutPoint("ab", 9), std::size_t{2});
    QCOMPARE(sanitizeUtf8("ok\xFF\xC3\xA9"), std::string("ok\xEF\xBF\xBD\xC3\xA9"));
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
