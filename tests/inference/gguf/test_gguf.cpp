// The GGUF reader and writer: real files from shared/ (the tiny model and the
// vocab-only files), a round trip of every value type and several tensor
// types through the writer, and a table of corrupt inputs, each of which must
// give an error that says what is wrong (never a crash).
#include "inference/gguf/gguf_file.h"
#include "inference/gguf/gguf_writer.h"

#include <QtTest>

#include <cstring>
#include <filesystem>
#include <limits>

using namespace outpost::inference;
using namespace outpost::inference::gguf;

namespace {

const QString kSharedDir = QStringLiteral(OUTPOST_SHARED_DIR);

std::string sharedPath(const char* relative)
{
    return (kSharedDir + QLatin1Char('/') + QLatin1String(relative)).toStdString();
}

// Hand-made GGUF bytes, so tests can write what the writer refuses to.
struct Bytes {
    std::vector<std::byte> data;

    template<typename T>
    Bytes& put(T v)
    {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        data.insert(data.end(), p, p + sizeof v);
        return *this;
    }
    Bytes& u32(std::uint32_t v) { return put(v); }
    Bytes& u64(std::uint64_t v) { return put(v); }
    Bytes& str(std::string_view s)
    {
        u64(s.size());
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        data.insert(data.end(), p, p + s.size());
        return *this;
    }
    Bytes& header(std::uint64_t tensors, std::uint64_t kvs, std::uint32_t version = 3)
    {
        return u32(kMagic).u32(version).u64(tensors).u64(kvs);
    }
    Bytes& kvU32(std::string_view key, std::uint32_t v) { return str(key).u32(4).u32(v); }
    Bytes& tensorInfo(std::string_view name, std::vector<std::uint64_t> shape, std::uint32_t type, std::uint64_t offset)
    {
        str(name).u32(static_cast<std::uint32_t>(shape.size()));
        for (auto d : shape)
            u64(d);
        return u32(type).u64(offset);
    }
    Bytes& pad(std::size_t align = 32)
    {
        while (data.size() % align)
            data.push_back(std::byte{0});
        return *this;
    }
    Bytes& zeros(std::size_t n)
    {
        data.resize(data.size() + n, std::byte{0});
        return *this;
    }
};

std::vector<std::byte> filled(std::size_t n, unsigned seed)
{
    std::vector<std::byte> v(n);
    for (std::size_t k = 0; k < n; ++k)
        v[k] = static_cast<std::byte>((k * 131 + seed * 7 + 3) & 0xff);
    return v;
}

// A small valid file with metadata of several kinds and two tensors.
std::vector<std::byte> smallValidFile()
{
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setUInt32("llama.block_count", 2);
    w.setFloat32("llama.rope.freq_base", 10000.0f);
    w.setStringArray("tokenizer.ggml.tokens", {"<s>", "a", "bc"});
    const float scores[] = {0.0f, -1.0f, -2.0f};
    w.setFloat32Array("tokenizer.ggml.scores", scores);
    if (!w.addTensor("a", {8, 2}, TensorType::F32, filled(64, 1)))
        return {};
    if (!w.addTensor("b", {32}, TensorType::Q8_0, filled(34, 2)))
        return {};
    auto bytes = w.toBytes();
    return bytes ? std::move(*bytes) : std::vector<std::byte>{};
}

} // namespace

class TestGguf : public QObject {
    Q_OBJECT

private slots:
    // ---- real files ------------------------------------------------------

    void readsStories260K()
    {
        const std::string path = sharedPath("models/stories260K.gguf");
        if (!std::filesystem::exists(path))
            QSKIP("shared/models/stories260K.gguf is missing (the shared data folder is not beside this checkout)");
        auto r = GgufFile::open(path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        const GgufFile& f = **r;
        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.alignment(), std::uint64_t(32));
        QCOMPARE(f.dataOffset(), std::uint64_t(14176));
        QCOMPARE(f.fileSize(), std::uint64_t(1185376));
        QCOMPARE(f.tensors().size(), std::size_t(48));
        QCOMPARE(f.elementCount(), std::uint64_t(292800));
        QCOMPARE(f.architecture(), std::string_view("llama"));
        QCOMPARE(f.getString("general.name"), std::optional<std::string>("llama"));
        QCOMPARE(f.getUInt("llama.embedding_length"), std::optional<std::uint64_t>(64));
        QCOMPARE(f.getInt("llama.block_count"), std::optional<std::int64_t>(5));
        QCOMPARE(f.getUInt("llama.attention.head_count"), std::optional<std::uint64_t>(8));
        QCOMPARE(f.getUInt("llama.attention.head_count_kv"), std::optional<std::uint64_t>(4));
        QCOMPARE(f.getUInt("llama.context_length"), std::optional<std::uint64_t>(2048));
        QCOMPARE(f.getUInt("tokenizer.ggml.padding_token_id"), std::optional<std::uint64_t>(4294967295u));
        const auto eps = f.getFloat("llama.attention.layer_norm_rms_epsilon");
        QVERIFY(eps && std::abs(*eps - 1e-5) < 1e-9);
        QVERIFY(!f.getString("llama.block_count"));   // wrong kind
        QVERIFY(!f.find("llama.rope.freq_base"));       // absent

        QCOMPARE(f.getString("tokenizer.ggml.model"), std::optional<std::string>("llama"));
        const auto tokens = f.getStringArray("tokenizer.ggml.tokens");
        QVERIFY(tokens);
        QCOMPARE(tokens->size(), std::size_t(512));
        QCOMPARE((*tokens)[0], std::string_view("<unk>"));
        QCOMPARE((*tokens)[1], std::string_view("<s>"));
        QCOMPARE((*tokens)[13], std::string_view("<0x0A>"));
        const auto scores = f.getFloat32Array("tokenizer.ggml.scores");
        QVERIFY(scores && scores->size() == 512);
        QCOMPARE((*scores)[259], 0.0f);
        QCOMPARE((*scores)[300], -41.0f);
        const auto types = f.getInt32Array("tokenizer.ggml.token_type");
        QVERIFY(types && types->size() == 512);
        QCOMPARE((*types)[0], 2);
        QCOMPARE((*types)[1], 3);
        QCOMPARE((*types)[3], 6);
        QCOMPARE((*types)[300], 1);
        const Value* tv = f.find("tokenizer.ggml.tokens");
        QVERIFY(tv && tv->isArray());
        QCOMPARE(tv->elementType(), ValueType::STRING);
        QCOMPARE(tv->at(2).asString(), std::optional<std::string_view>("</s>"));

        // Metadata keeps file order.
        QCOMPARE(f.metadata().front().key, std::string_view("tokenizer.ggml.tokens"));

        const TensorInfo* emb = f.tensor("token_embd.weight");
        QVERIFY(emb);
        QCOMPARE(emb->shape, (std::vector<std::uint64_t>{64, 512}));
        QCOMPARE(emb->type, TensorType::F32);
        QCOMPARE(emb->bytes, std::uint64_t(64 * 512 * 4));
        QCOMPARE(emb->typeName(), std::string_view("F32"));
        QVERIFY(emb->typeSupported());
        QCOMPARE(emb->data, f.bytes().data() + f.dataOffset() + emb->offset);
        const TensorInfo* out = f.tensor("output.weight");
        QVERIFY(out);
        QCOMPARE(out->bytes, emb->bytes);
        QVERIFY(std::memcmp(out->data, emb->data, emb->bytes) == 0);   // llama2.c ties them
        for (const auto& t : f.tensors()) {
            QCOMPARE(t.type, TensorType::F32);
            QCOMPARE(t.offset % 32, std::uint64_t(0));
        }
        QVERIFY(f.tensor("blk.4.ffn_down.weight"));
        QVERIFY(!f.tensor("blk.5.ffn_down.weight"));
        QCOMPARE(f.tensor("blk.0.ffn_gate.weight")->shape, (std::vector<std::uint64_t>{64, 172}));
    }

    void readsEveryVocabFile()
    {
        const QString dir = kSharedDir + QStringLiteral("/reference/tokenizer");
        const QStringList files = QDir(dir).entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            QSKIP("shared/reference/tokenizer has no .gguf files (the shared data folder is not beside this checkout)");
        for (const QString& name : files) {
            const std::string path = (dir + QLatin1Char('/') + name).toStdString();
            auto r = GgufFile::open(path);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
            const GgufFile& f = **r;
            QVERIFY2(f.tensors().empty(), path.c_str());
            QVERIFY2(!f.architecture().empty(), path.c_str());
            QVERIFY2(f.getString("tokenizer.ggml.model").has_value(), path.c_str());
            const auto tokens = f.getStringArray("tokenizer.ggml.tokens");
            QVERIFY2(tokens && tokens->size() > 1000, path.c_str());
            QCOMPARE(f.elementCount(), std::uint64_t(0));
        }
    }

    // Reading a real file and writing it back must give the same bytes.
    void rewriteIsByteIdentical()
    {
        const std::string path = sharedPath("models/stories260K.gguf");
        if (!std::filesystem::exists(path))
            QSKIP("shared/models/stories260K.gguf is missing (the shared data folder is not beside this checkout)");
        auto r = GgufFile::open(path);
        QVERIFY(r.ok());
        const GgufFile& f = **r;
        GgufWriter w;
        for (const auto& kv : f.metadata())
            w.set(kv.key, OwnedValue::fromValue(kv.value));
        for (const auto& t : f.tensors()) {
            auto st = w.addTensor(t.name, t.shape, t.type, std::span<const std::byte>(t.data, t.bytes));
            QVERIFY2(st.ok(), st.error().c_str());
        }
        auto bytes = w.toBytes();
        QVERIFY(bytes.ok());
        QCOMPARE(bytes->size(), f.bytes().size());
        QVERIFY(std::equal(bytes->begin(), bytes->end(), f.bytes().begin()));
    }

    // ---- writer round trip ----------------------------------------------------

    void roundTripEveryValueTypeAndTensors()
    {
        GgufWriter w;
        w.setUInt8("u8", 200);
        w.setInt8("i8", -100);
        w.setUInt16("u16", 60000);
        w.setInt16("i16", -30000);
        w.setUInt32("u32", 4000000000u);
        w.setInt32("i32", -2000000000);
        w.setUInt64("u64", std::numeric_limits<std::uint64_t>::max());
        w.setInt64("i64", std::numeric_limits<std::int64_t>::min());
        w.setFloat32("f32", 1.5f);
        w.setFloat64("f64", -2.25e100);
        w.setBool("yes", true);
        w.setBool("no", false);
        w.setString("str", "héllo ▁world");
        w.setString("empty", "");
        w.setStringArray("strs", {"", "a", "ü▁", std::string(300, 'x')});
        const std::uint8_t u8s[] = {0, 1, 255};
        const std::int8_t i8s[] = {-128, 0, 127};
        const std::uint16_t u16s[] = {0, 65535};
        const std::int16_t i16s[] = {-32768, 32767};
        const std::uint32_t u32s[] = {0, 4294967295u};
        const std::int32_t i32s[] = {-5, 0, 5};
        const std::uint64_t u64s[] = {1ull << 63};
        const std::int64_t i64s[] = {-(1ll << 40), 1ll << 40};
        const float f32s[] = {0.5f, -0.25f};
        const double f64s[] = {1e300};
        w.set("a.u8", OwnedValue::array<std::uint8_t>(u8s));
        w.set("a.i8", OwnedValue::array<std::int8_t>(i8s));
        w.set("a.u16", OwnedValue::array<std::uint16_t>(u16s));
        w.set("a.i16", OwnedValue::array<std::int16_t>(i16s));
        w.set("a.u32", OwnedValue::array<std::uint32_t>(u32s));
        w.set("a.i32", OwnedValue::array<std::int32_t>(i32s));
        w.set("a.u64", OwnedValue::array<std::uint64_t>(u64s));
        w.set("a.i64", OwnedValue::array<std::int64_t>(i64s));
        w.set("a.f32", OwnedValue::array<float>(f32s));
        w.set("a.f64", OwnedValue::array<double>(f64s));
        w.set("a.bool", OwnedValue::numericArray(ValueType::BOOL, {std::byte{1}, std::byte{0}}));
        w.set("a.empty", OwnedValue::array<float>({}));
        w.set("a.nested", OwnedValue::arrayOfArrays({OwnedValue::array<std::int32_t>(i32s),
                                                     OwnedValue::stringArray(std::vector<std::string>{"x", "yz"})}));
        w.setUInt32("replaced", 1);
        w.setUInt32("replaced", 2);   // keeps its first position
        w.setAlignment(64);

        struct T {
            const char* name;
            std::vector<std::uint64_t> shape;
            TensorType type;
            std::size_t bytes;
        };
        const T tensors[] = {
            {"f32", {3, 5}, TensorType::F32, 60},
            {"f16", {7}, TensorType::F16, 14},
            {"bf16", {4, 2, 3}, TensorType::BF16, 48},
            {"q8_0", {64, 3}, TensorType::Q8_0, 2 * 3 * 34},
            {"q4_k", {256, 2, 1, 2}, TensorType::Q4_K, 4 * 144},
            {"q6_k", {512}, TensorType::Q6_K, 2 * 210},
            {"iq2_xs", {256}, TensorType::IQ2_XS, 74},
            {"mxfp4", {64}, TensorType::MXFP4, 34},
            {"empty", {0, 4}, TensorType::F32, 0},
        };
        unsigned seed = 0;
        for (const auto& t : tensors) {
            auto st = w.addTensor(t.name, t.shape, t.type, filled(t.bytes, ++seed));
            QVERIFY2(st.ok(), st.error().c_str());
        }

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath(QStringLiteral("round.gguf")).toStdString();
        auto st = w.writeFile(path);
        QVERIFY2(st.ok(), st.error().c_str());
        QVERIFY(!std::filesystem::exists(path + ".part"));
        auto r = GgufFile::open(path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        const GgufFile& f = **r;

        // The file and the in-memory bytes agree.
        auto mem = w.toBytes();
        QVERIFY(mem.ok());
        QVERIFY(std::equal(mem->begin(), mem->end(), f.bytes().begin(), f.bytes().end()));

        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.alignment(), std::uint64_t(64));
        QCOMPARE(f.dataOffset() % 64, std::uint64_t(0));
        QCOMPARE(f.find("u8")->type(), ValueType::UINT8);
        QCOMPARE(f.getUInt("u8"), std::optional<std::uint64_t>(200));
        QCOMPARE(f.getInt("i8"), std::optional<std::int64_t>(-100));
        QCOMPARE(f.getUInt("i8"), std::nullopt);
        QCOMPARE(f.getUInt("u16"), std::optional<std::uint64_t>(60000));
        QCOMPARE(f.getInt("i16"), std::optional<std::int64_t>(-30000));
        QCOMPARE(f.getUInt("u32"), std::optional<std::uint64_t>(4000000000u));
        QCOMPARE(f.getInt("i32"), std::optional<std::int64_t>(-2000000000));
        QCOMPARE(f.getUInt("u64"), std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
        QCOMPARE(f.getInt("u64"), std::nullopt);   // does not fit
        QCOMPARE(f.getInt("i64"), std::optional<std::int64_t>(std::numeric_limits<std::int64_t>::min()));
        QCOMPARE(f.getFloat("f32"), std::optional<double>(1.5));
        QCOMPARE(f.getFloat("f64"), std::optional<double>(-2.25e100));
        QCOMPARE(f.getFloat("u8"), std::optional<double>(200.0));
        QCOMPARE(f.getBool("yes"), std::optional<bool>(true));
        QCOMPARE(f.getBool("no"), std::optional<bool>(false));
        QCOMPARE(f.getBool("u8"), std::nullopt);
        QCOMPARE(f.getString("str"), std::optional<std::string>("héllo ▁world"));
        QCOMPARE(f.getString("empty"), std::optional<std::string>(""));
        const auto strs = f.getStringArray("strs");
        QVERIFY(strs && strs->size() == 4);
        QCOMPARE((*strs)[0], std::string_view(""));
        QCOMPARE((*strs)[2], std::string_view("ü▁"));
        QCOMPARE((*strs)[3].size(), std::size_t(300));

        QCOMPARE(f.find("a.u8")->elementType(), ValueType::UINT8);
        QCOMPARE(f.find("a.u8")->at(2).asUInt(), std::optional<std::uint64_t>(255));
        QCOMPARE(f.find("a.i8")->asInt32Array(), (std::optional<std::vector<std::int32_t>>({-128, 0, 127})));
        QCOMPARE(f.find("a.u16")->asInt32Array(), (std::optional<std::vector<std::int32_t>>({0, 65535})));
        QCOMPARE(f.find("a.i16")->at(0).asInt(), std::optional<std::int64_t>(-32768));
        QCOMPARE(f.find("a.u32")->asInt32Array(), std::nullopt);   // 4294967295 does not fit
        QCOMPARE(f.find("a.u32")->asInt64Array(), (std::optional<std::vector<std::int64_t>>({0, 4294967295ll})));
        QCOMPARE(f.getInt32Array("a.i32"), (std::optional<std::vector<std::int32_t>>({-5, 0, 5})));
        QCOMPARE(f.find("a.u64")->at(0).asUInt(), std::optional<std::uint64_t>(1ull << 63));
        QCOMPARE(f.find("a.u64")->asInt64Array(), std::nullopt);
        QCOMPARE(f.find("a.i64")->asInt64Array(), (std::optional<std::vector<std::int64_t>>({-(1ll << 40), 1ll << 40})));
        QCOMPARE(f.getFloat32Array("a.f32"), (std::optional<std::vector<float>>({0.5f, -0.25f})));
        QCOMPARE(f.find("a.f64")->at(0).asFloat(), std::optional<double>(1e300));
        QCOMPARE(f.find("a.bool")->at(0).asBool(), std::optional<bool>(true));
        QCOMPARE(f.find("a.bool")->at(1).asBool(), std::optional<bool>(false));
        QCOMPARE(f.find("a.empty")->size(), std::size_t(0));
        QCOMPARE(f.getFloat32Array("a.empty"), std::optional<std::vector<float>>(std::vector<float>{}));
        QCOMPARE(f.getFloat32Array("a.i32"), std::nullopt);
        QCOMPARE(f.getStringArray("a.i32"), std::nullopt);
        const Value* nested = f.find("a.nested");
        QVERIFY(nested && nested->size() == 2);
        QCOMPARE(nested->elementType(), ValueType::ARRAY);
        QCOMPARE(nested->at(0).asInt32Array(), (std::optional<std::vector<std::int32_t>>({-5, 0, 5})));
        QCOMPARE(nested->at(1).at(1).asString(), std::optional<std::string_view>("yz"));
        QCOMPARE(f.getUInt("replaced"), std::optional<std::uint64_t>(2));

        // Key order is the order of first setting.
        std::vector<std::string_view> keys;
        for (const auto& kv : f.metadata())
            keys.push_back(kv.key);
        QCOMPARE(keys.front(), std::string_view("u8"));
        QCOMPARE(keys[keys.size() - 2], std::string_view("replaced"));
        QCOMPARE(keys.back(), kAlignmentKey);

        QCOMPARE(f.tensors().size(), std::size(tensors));
        seed = 0;
        for (std::size_t k = 0; k < std::size(tensors); ++k) {
            const auto& want = tensors[k];
            const TensorInfo& t = f.tensors()[k];
            QCOMPARE(t.name, std::string(want.name));
            QCOMPARE(f.tensor(want.name), &t);
            QCOMPARE(t.shape, want.shape);
            QCOMPARE(t.type, want.type);
            QCOMPARE(t.bytes, std::uint64_t(want.bytes));
            QCOMPARE(t.offset % 64, std::uint64_t(0));
            const auto data = filled(want.bytes, ++seed);
            QVERIFY(data.empty() || std::memcmp(t.data, data.data(), data.size()) == 0);
        }
        // Types the engine cannot compute with are still read, and named.
        const TensorInfo* iq = f.tensor("iq2_xs");
        QVERIFY(iq && !iq->typeSupported());
        QCOMPARE(iq->typeName(), std::string_view("IQ2_XS"));
        QCOMPARE(f.tensor("mxfp4")->typeName(), std::string_view("MXFP4"));
        QVERIFY(!f.tensor("mxfp4")->typeSupported());
        QCOMPARE(f.tensor("q4_k")->elementCount(), std::uint64_t(1024));
        QCOMPARE(f.tensor("empty")->elementCount(), std::uint64_t(0));

        // fromBuffer reads the same bytes the same way.
        auto fb = GgufFile::fromBuffer(*mem, "mem");
        QVERIFY(fb.ok());
        QCOMPARE((*fb)->tensors().size(), f.tensors().size());
        QCOMPARE((*fb)->metadata().size(), f.metadata().size());
    }

    void writerRefusesBadInput()
    {
        GgufWriter w;
        QVERIFY(!w.addTensor("", {4}, TensorType::F32, filled(16, 0)).ok());
        QVERIFY(!w.addTensor("x", {}, TensorType::F32, std::vector<std::byte>{}).ok());
        QVERIFY(!w.addTensor("x", {1, 1, 1, 1, 1}, TensorType::F32, filled(4, 0)).ok());
        auto st = w.addTensor("x", {100}, TensorType::Q4_K, filled(144, 0));
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.error()).contains(QLatin1String("block size")), st.error().c_str());
        st = w.addTensor("x", {4}, TensorType::F32, filled(15, 0));
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.error()).contains(QLatin1String("needs 16 bytes")), st.error().c_str());
        QVERIFY(!w.addTensor("x", {4}, static_cast<TensorType>(99), filled(16, 0)).ok());
        QVERIFY(w.addTensor("x", {4}, TensorType::F32, filled(16, 0)).ok());
        QVERIFY(!w.addTensor("x", {4}, TensorType::F32, filled(16, 0)).ok());

        w.setAlignment(48);
        QVERIFY(!w.toBytes().ok());
        w.setUInt64(kAlignmentKey, 64);
        QVERIFY(!w.toBytes().ok());
        QVERIFY(w.remove(kAlignmentKey));
        w.set("bad", OwnedValue::numericArray(ValueType::FLOAT32, filled(6, 0)));
        QVERIFY(!w.toBytes().ok());
        w.set("bad", OwnedValue::arrayOfArrays({OwnedValue::arrayOfArrays({})}));
        QVERIFY(!w.toBytes().ok());
        QVERIFY(w.remove("bad"));
        QVERIFY(w.toBytes().ok());

        QTemporaryDir dir;
        const std::string missing = dir.filePath(QStringLiteral("no/such/dir/x.gguf")).toStdString();
        st = w.writeFile(missing);
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.error()).contains(QString::fromStdString(missing)), st.error().c_str());
    }

    // ---- corrupt input ---------------------------------------------------------

    void openErrorsNameTheFile()
    {
        QTemporaryDir dir;
        const std::string missing = dir.filePath(QStringLiteral("missing.gguf")).toStdString();
        auto r = GgufFile::open(missing);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().rfind(missing, 0) == 0, r.error().c_str());
        r = GgufFile::open(dir.path().toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("not a regular file") != std::string::npos, r.error().c_str());
        const QString empty = dir.filePath(QStringLiteral("empty.gguf"));
        QFile(empty).open(QIODevice::WriteOnly);
        r = GgufFile::open(empty.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("not a GGUF file") != std::string::npos, r.error().c_str());
    }

    void everyTruncationFails()
    {
        const auto valid = smallValidFile();
        QVERIFY(!valid.empty());
        QVERIFY(GgufFile::fromBuffer(valid).ok());
        for (std::size_t n = 0; n < valid.size(); ++n) {
            std::vector<std::byte> cut(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(n));
            auto r = GgufFile::fromBuffer(std::move(cut), "cut.gguf");
            QVERIFY2(!r.ok(), qPrintable(QStringLiteral("truncated at %1 bytes was accepted").arg(n)));
            QVERIFY2(r.error().rfind("cut.gguf: ", 0) == 0 && r.error().size() > 20, r.error().c_str());
        }
    }

    void corruptInputIsRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto add = [](const char* name, const Bytes& b, const char* expected) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(b.data.data()),
                                              static_cast<qsizetype>(b.data.size()))
                                << QString::fromUtf8(expected);
        };

        add("empty", Bytes{}, "not a GGUF file");
        add("bad magic", Bytes{}.u32(0x46554748).u32(3).u64(0).u64(0), "not a GGUF file");
        add("version 1", Bytes{}.header(0, 0, 1), "version 1 is not supported");
        add("version 4", Bytes{}.header(0, 0, 4), "unsupported GGUF version 4");
        add("big-endian", Bytes{}.header(0, 0, 0x03000000), "big-endian");
        add("no counts", Bytes{}.u32(kMagic).u32(3).u32(0), "file ends inside the tensor count");
        add("huge tensor count", Bytes{}.header(std::uint64_t(1) << 60, 0), "claims 1152921504606846976 tensors");
        add("huge key count", Bytes{}.header(0, ~std::uint64_t(0)), "metadata keys");
        add("key length past end", Bytes{}.header(0, 1).u64(1000).zeros(20), "has length 1000, past the end");
        add("string value past end", Bytes{}.header(0, 1).str("k").u32(8).u64(~std::uint64_t(0)).zeros(4),
            "the string value of key 'k' has length 18446744073709551615");
        add("unknown value type", Bytes{}.header(0, 1).str("k").u32(13).u32(0), "unknown value type 13");
        add("scalar past end", Bytes{}.header(0, 1).str("k").u32(10).u32(0), "file ends inside the value of key 'k'");
        add("array element type", Bytes{}.header(0, 1).str("k").u32(9).u32(42).u64(0), "unknown element type 42");
        add("huge array", Bytes{}.header(0, 1).str("k").u32(9).u32(6).u64(1ull << 61).zeros(8), "claims 2305843009213693952 FLOAT32 elements");
        add("huge string array", Bytes{}.header(0, 1).str("k").u32(9).u32(8).u64(100).zeros(100), "claims 100 STRING elements");
        add("array string past end", Bytes{}.header(0, 1).str("k").u32(9).u32(8).u64(2).str("a").u64(50).zeros(10),
            "string 1 of key 'k' has length 50");
        add("nested too deep", Bytes{}.header(0, 1).str("k").u32(9).u32(9).u64(1).u32(9).u64(1).u32(4).u64(0).zeros(8),
            "nests arrays deeper than 2 levels");
        add("duplicate key", Bytes{}.header(0, 2).kvU32("k", 1).kvU32("k", 2), "duplicate metadata key 'k'");
        add("alignment not power of two", Bytes{}.header(0, 1).kvU32("general.alignment", 48), "is 48, not a power of two");
        add("alignment zero", Bytes{}.header(0, 1).kvU32("general.alignment", 0), "is 0, not a power of two");
        add("alignment wrong type", Bytes{}.header(0, 1).str("general.alignment").u32(10).u64(32),
            "general.alignment has type UINT64, expected UINT32");
        add("tensor name past end", Bytes{}.header(1, 0).u64(500).zeros(40), "the name of tensor 0 has length 500");
        add("empty tensor name", Bytes{}.header(1, 0).tensorInfo("", {4}, 0, 0).pad().zeros(32), "tensor 0 has an empty name");
        add("dims 0", Bytes{}.header(1, 0).tensorInfo("t", {}, 0, 0).pad().zeros(32), "tensor 't' has 0 dimensions");
        add("dims 5", Bytes{}.header(1, 0).tensorInfo("t", {1, 1, 1, 1, 1}, 0, 0).pad().zeros(32),
            "tensor 't' has 5 dimensions");
        add("element count overflow", Bytes{}.header(1, 0).tensorInfo("t", {1ull << 40, 1ull << 40}, 0, 0).pad().zeros(32),
            "element count overflows");
        add("dimension above int64", Bytes{}.header(1, 0).tensorInfo("t", {~std::uint64_t(0)}, 0, 0).pad().zeros(32),
            "element count overflows");
        add("byte size overflow", Bytes{}.header(1, 0).tensorInfo("t", {1ull << 32, 1ull << 30}, 28, 0).pad().zeros(32),
            "overflows 64 bits");
        add("unknown tensor type", Bytes{}.header(1, 0).tensorInfo("t", {4}, 99, 0).pad().zeros(32),
            "tensor 't' has unknown tensor type 99");
        add("removed tensor type 4", Bytes{}.header(1, 0).tensorInfo("t", {32}, 4, 0).pad().zeros(32), "unknown tensor type 4");
        add("row not whole blocks", Bytes{}.header(1, 0).tensorInfo("t", {100}, 12, 0).pad().zeros(200),
            "not a multiple of the block size 256");
        add("offset not aligned", Bytes{}.header(1, 0).tensorInfo("t", {4}, 0, 8).pad().zeros(64),
            "data offset 8, not a multiple of the alignment 32");
        add("data outside file", Bytes{}.header(1, 0).tensorInfo("blk.0.attn_q.weight", {1024}, 0, 1024).pad().zeros(100),
            "tensor 'blk.0.attn_q.weight' data [offset 1024, 4096 bytes] lies outside the file");
        add("huge offset", Bytes{}.header(1, 0).tensorInfo("t", {8}, 0, ~std::uint64_t(31)).pad().zeros(32),
            "lies outside the file");
        add("data cut short", Bytes{}.header(1, 0).tensorInfo("t", {16}, 0, 0).pad().zeros(63), "lies outside the file");
        add("overlapping tensors",
            Bytes{}.header(2, 0).tensorInfo("a", {16}, 0, 0).tensorInfo("b", {16}, 0, 32).pad().zeros(128),
            "tensor 'b' data [offset 32, 64 bytes] overlaps tensor 'a'");
        add("duplicate tensor", Bytes{}.header(2, 0).tensorInfo("a", {8}, 0, 0).tensorInfo("a", {8}, 0, 32).pad().zeros(64),
            "duplicate tensor 'a'");
        add("control chars in name", Bytes{}.header(2, 0).tensorInfo("a\n", {8}, 0, 0).tensorInfo("a\n", {8}, 0, 32).pad().zeros(64),
            "duplicate tensor 'a?'");
    }

    void corruptInputIsRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        std::vector<std::byte> data(bytes.size());
        if (!data.empty())
            std::memcpy(data.data(), bytes.constData(), data.size());
        auto r = GgufFile::fromBuffer(std::move(data), "bad.gguf");
        QVERIFY2(!r.ok(), "corrupt input was accepted");
        const QString message = QString::fromStdString(r.error());
        QVERIFY2(message.startsWith(QLatin1String("bad.gguf: ")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    // A file past 4 GiB (sparse, so it costs no disk): offsets and sizes stay
    // 64-bit, and open() maps rather than reads, so it takes no memory.
    void opensFilesPast4GiB()
    {
        const std::uint64_t elements = (std::uint64_t(1) << 30) + 64;   // 4 GiB + 256 bytes of F32
        Bytes b;
        b.header(2, 1).kvU32("general.alignment", 32);
        b.tensorInfo("small", {8}, 0, 0).tensorInfo("huge", {elements}, 0, 32).pad();
        const std::uint64_t total = b.data.size() + 32 + elements * 4;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("big.gguf"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(reinterpret_cast<const char*>(b.data.data()), static_cast<qint64>(b.data.size())),
                 static_cast<qint64>(b.data.size()));
        if (!file.resize(static_cast<qint64>(total)))
            QSKIP("this file system cannot hold a sparse 4 GiB file");
        file.close();

        auto r = GgufFile::open(path.toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        const GgufFile& f = **r;
        QCOMPARE(f.fileSize(), total);
        const TensorInfo* huge = f.tensor("huge");
        QVERIFY(huge);
        QCOMPARE(huge->bytes, elements * 4);
        QCOMPARE(huge->data + huge->bytes, f.bytes().data() + total);
        QCOMPARE(huge->data[huge->bytes - 1], std::byte{0});   // the last page maps
        QCOMPARE(f.elementCount(), elements + 8);

        // One byte short and the same tensor lies outside the file.
        QVERIFY(QFile(path).resize(static_cast<qint64>(total - 1)));
        r = GgufFile::open(path.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().find("tensor 'huge' data [offset 32, 4294967552 bytes] lies outside the file") !=
                     std::string::npos,
                 r.error().c_str());
    }

    // The fuzzer's seeds must stay valid files, or fuzzing starts from noise.
    void fuzzSeedsAreValid()
    {
        const QString dir = QFINDTESTDATA("../../fuzz/corpus_gguf");
        if (dir.isEmpty())
            QSKIP("tests/fuzz/corpus_gguf not found beside the test sources");
        const QStringList files = QDir(dir).entryList(QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString& name : files) {
            auto r = GgufFile::open(QDir(dir).filePath(name).toStdString());
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        }
    }

    // The hand-made builder itself makes files the reader accepts, so the
    // table above fails for the reason it names.
    void handMadeValidFileIsAccepted()
    {
        Bytes b;
        b.header(2, 2).kvU32("general.alignment", 32).str("k").u32(9).u32(9).u64(1).u32(4).u64(1).u32(7);
        b.tensorInfo("a", {16}, 0, 0).tensorInfo("b", {32}, 8, 64).pad().zeros(64 + 34);
        auto r = GgufFile::fromBuffer(b.data, "ok.gguf");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        QCOMPARE((*r)->find("k")->at(0).at(0).asUInt(), std::optional<std::uint64_t>(7));
        QCOMPARE((*r)->tensor("b")->bytes, std::uint64_t(34));
        // Version 2 reads the same way.
        b.data[4] = std::byte{2};
        r = GgufFile::fromBuffer(b.data, "v2.gguf");
        QVERIFY(r.ok());
        QCOMPARE((*r)->version(), 2u);
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "test_gguf.moc"
