// Model::load: hyperparameters and tensor checks. Everything the forward
// pass relies on (shapes, types, ranges) is checked here once, so forward()
// can index without further checks.
#include "inference/gguf/gguf_file.h"
#include "inference/model/model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <numbers>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace outpost::inference::model {

namespace {

std::string shapeText(std::span<const std::uint64_t> shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

class Loader {
public:
    explicit Loader(const gguf::GgufFile& file) : m_file(file) {}

    std::string where() const { return m_file.path() + ": "; }

    Result<std::int64_t> requireInt(const std::string& key, std::int64_t minValue = 1, std::int64_t maxValue = 1 << 24)
    {
        const auto* value = m_file.find(key);
        if (!value)
            return Error{where() + "missing metadata key '" + key + "'"};
        const auto v = value->asInt();
        if (!v)
            return Error{where() + "metadata key '" + key + "' is not an integer"};
        if (*v < minValue || *v > maxValue)
            return Error{where() + "metadata key '" + key + "' = " + std::to_string(*v) + " is out of range ["
                         + std::to_string(minValue) + ", " + std::to_string(maxValue) + "]"};
        return *v;
    }

    Result<std::int64_t> optionalInt(const std::string& key, std::int64_t fallback, std::int64_t minValue = 1,
                                     std::int64_t maxValue = 1 << 24)
    {
        if (!m_file.find(key))
            return fallback;
        return requireInt(key, minValue, maxValue);
    }

    Result<double> optionalFloat(const std::string& key, double fallback)
    {
        const auto* value = m_file.find(key);
        if (!value)
            return fallback;
        const auto v = value->asFloat();
        if (!v || !std::isfinite(*v))
            return Error{where() + "metadata key '" + key + "' is not a finite number"};
        return *v;
    }

    // A tensor of exactly `shape` (ne0 first) whose type the kernels compute with.
    Result<const gguf::TensorInfo*> tensor(const std::string& name, std::initializer_list<std::uint64_t> shape, bool required = true)
    {
        const auto* t = m_file.tensor(name);
        if (!t) {
            if (!required)
                return static_cast<const gguf::TensorInfo*>(nullptr);
            return Error{where() + "missing tensor '" + name + "'"};
        }
        // Trailing dimensions of 1 are the same shape.
        std::vector<std::uint64_t> have = t->shape;
        while (have.size() > shape.size() && have.back() == 1)
            have.pop_back();
        const std::vector<std::uint64_t> want(shape);
        if (have != want)
            return Error{where() + "tensor '" + name + "' has shape " + shapeText(t->shape) + ", expected "
                         + shapeText(want)};
        if (!t->typeSupported() || !kernelSupports(t->type))
            return Error{where() + "tensor '" + name + "' has type " + std::string(t->typeName())
                         + ", which this engine cannot compute with"};
        if (const auto status = checkKernelShape(t->type, static_cast<std::int64_t>(want[0])); !status)
            return Error{where() + "tensor '" + name + "': " + status.error()};
        return t;
    }

    Result<WeightView> matrix(const std::string& name, std::int64_t cols, std::int64_t rows, bool required = true)
    {
        auto t = tensor(name, {static_cast<std::uint64_t>(cols), static_cast<std::uint64_t>(rows)}, required);
        if (!t)
            return Error{t.error()};
        WeightView view;
        if (!*t)
            return view;
        view.type = (*t)->type;
        view.data = (*t)->data;
        view.rows = rows;
        view.cols = cols;
        view.rowBytes = *rowBytes(view.type, static_cast<std::uint64_t>(cols));
        return view;
    }

    // A vector tensor dequantised to floats; empty when absent and not required.
    Result<std::vector<float>> vector(const std::string& name, std::int64_t n, bool required = true)
    {
        auto t = tensor(name, {static_cast<std::uint64_t>(n)}, required);
        if (!t)
            return Error{t.error()};
        std::vector<float> out;
        if (!*t)
            return out;
        out.resize(static_cast<std::size_t>(n));
        dequantizeRow((*t)->type, (*t)->data, out.data(), n);
        for (float f : out)
            if (!std::isfinite(f))
                return Error{where() + "tensor '" + name + "' holds a non-finite value"};
        return out;
    }

private:
    const gguf::GgufFile& m_file;
};

// Llama 3.1's frequency-dependent rope scaling, for files that state it in
// metadata but carry no rope_freqs tensor: low frequencies are divided by
// `factor`, high ones kept, and the band between blends the two.
std::vector<float> llama3FreqFactors(int ropeDim, double base, double factor, double lowFreqFactor,
                                     double highFreqFactor, double originalContext)
{
    std::vector<float> factors(static_cast<std::size_t>(ropeDim / 2));
    const double lowWavelen = originalContext / lowFreqFactor;
    const double highWavelen = originalContext / highFreqFactor;
    for (int i = 0; i < ropeDim / 2; ++i) {
        const double freq = std::pow(base, -2.0 * i / ropeDim);
        const double wavelen = 2.0 * std::numbers::pi / freq;
        double divisor = 1.0;
        if (wavelen > lowWavelen) {
            divisor = factor;
        } else if (wavelen >= highWavelen && highFreqFactor != lowFreqFactor) {
            const double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            divisor = 1.0 / ((1.0 - smooth) / factor + smooth);
        }
        factors[static_cast<std::size_t>(i)] = static_cast<float>(divisor);
    }
    return factors;
}

} // namespace

Result<std::unique_ptr<Model>> Model::load(const std::string& path)
{
    auto file = gguf::GgufFile::open(path);
    if (!file)
        return Error{file.error()};
    return fromFile(std::move(file.value()));
}

Result<std::unique_ptr<Model>> Model::fromFile(std::unique_ptr<gguf::GgufFile> file)
{
    if (!file)
        return Error{"no model file given"};
    Loader ld(*file);
    std::unique_ptr<Model> model(new Model());
    ModelConfig& c = model->m_config;

    const std::string arch(file->architecture());
    if (arch.empty())
        return Error{ld.where() + "missing metadata key 'general.architecture'"};
    if (arch != "llama" && arch != "mistral" && arch != "qwen2")
        return Error{ld.where() + "architecture '" + arch + "' is not supported (supported: llama, mistral, qwen2)"};
    c.architecture = arch;
    c.name = file->getString("general.name").value_or("");
    c.ropeStyle = arch == "qwen2" ? RopeStyle::Neox : RopeStyle::Normal;

#define OUTPOST_TRY_INT(var, expr) \
    do {                           \
        auto r_ = (expr);          \
        if (!r_)                   \
            return Error{r_.error()}; \
        var = static_cast<int>(*r_); \
    } while (0)

    const std::string p = arch + ".";
    OUTPOST_TRY_INT(c.embd, ld.requireInt(p + "embedding_length"));
    OUTPOST_TRY_INT(c.layers, ld.requireInt(p + "block_count", 1, 4096));
    OUTPOST_TRY_INT(c.ffn, ld.requireInt(p + "feed_forward_length"));
    OUTPOST_TRY_INT(c.heads, ld.requireInt(p + "attention.head_count", 1, 65536));
    OUTPOST_TRY_INT(c.kvHeads, ld.optionalInt(p + "attention.head_count_kv", c.heads, 1, 65536));
    OUTPOST_TRY_INT(c.contextTrain, ld.optionalInt(p + "context_length", 2048, 1, 1 << 30));
    if (c.heads % c.kvHeads != 0)
        return Error{ld.where() + "attention.head_count (" + std::to_string(c.heads)
                     + ") is not a multiple of attention.head_count_kv (" + std::to_string(c.kvHeads) + ")"};
    if (c.embd % c.heads != 0 && !file->find(p + "attention.key_length"))
        return Error{ld.where() + "embedding_length (" + std::to_string(c.embd) + ") is not a multiple of attention.head_count ("
                     + std::to_string(c.heads) + ")"};
    OUTPOST_TRY_INT(c.headDim, ld.optionalInt(p + "attention.key_length", c.embd / c.heads, 1, 4096));
    int valueLength = 0;
    OUTPOST_TRY_INT(valueLength, ld.optionalInt(p + "attention.value_length", c.headDim, 1, 4096));
    if (valueLength != c.headDim)
        return Error{ld.where() + "attention.key_length (" + std::to_string(c.headDim) + ") differs from attention.value_length ("
                     + std::to_string(valueLength) + "); not supported"};
    OUTPOST_TRY_INT(c.ropeDim, ld.optionalInt(p + "rope.dimension_count", c.headDim, 2, 4096));
    if (c.ropeDim > c.headDim || c.ropeDim % 2 != 0)
        return Error{ld.where() + "rope.dimension_count (" + std::to_string(c.ropeDim) + ") must be even and at most the head size ("
                     + std::to_string(c.headDim) + ")"};

    auto eps = ld.optionalFloat(p + "attention.layer_norm_rms_epsilon", 1e-5);
    if (!eps)
        return Error{eps.error()};
    if (*eps < 0 || *eps > 1)
        return Error{ld.where() + "attention.layer_norm_rms_epsilon = " + std::to_string(*eps) + " is out of range [0, 1]"};
    c.rmsEps = static_cast<float>(*eps);
    auto base = ld.optionalFloat(p + "rope.freq_base", 10000.0);
    if (!base)
        return Error{base.error()};
    if (*base <= 1)
        return Error{ld.where() + "rope.freq_base = " + std::to_string(*base) + " must be greater than 1"};
    c.ropeBase = static_cast<float>(*base);

    // Rope scaling: none, linear (positions divided by the factor), or
    // Llama 3 (per-frequency divisors from rope_freqs.weight or metadata).
    const std::string scaling = file->getString(p + "rope.scaling.type").value_or("none");
    auto factor = ld.optionalFloat(p + "rope.scaling.factor", 0.0);
    if (!factor)
        return Error{factor.error()};
    if (scaling == "linear") {
        if (*factor > 0)
            c.ropeFreqScale = static_cast<float>(1.0 / *factor);
    } else if (scaling == "llama3") {
        auto low = ld.optionalFloat(p + "rope.scaling.low_freq_factor", 1.0);
        auto high = ld.optionalFloat(p + "rope.scaling.high_freq_factor", 4.0);
        auto orig = ld.optionalFloat(p + "rope.scaling.original_context_length", 8192.0);
        if (!low || !high || !orig)
            return Error{!low ? low.error() : !high ? high.error() : orig.error()};
        if (*factor > 0 && *low > 0 && *high > 0 && *orig > 0)
            c.ropeFreqFactors = llama3FreqFactors(c.ropeDim, *base, *factor, *low, *high, *orig);
    } else if (scaling != "none") {
        return Error{ld.where() + "rope scaling type '" + scaling + "' is not supported (supported: none, linear, llama3)"};
    }

    // Vocabulary: the embedding matrix decides; the tokenizer must agree.
    const auto* embd = file->tensor("token_embd.weight");
    if (!embd)
        return Error{ld.where() + "missing tensor 'token_embd.weight'"};
    if (embd->shape.size() < 2 || embd->shape[1] == 0 || embd->shape[1] > (1u << 24))
        return Error{ld.where() + "tensor 'token_embd.weight' has shape " + shapeText(embd->shape) + ", expected ["
                     + std::to_string(c.embd) + ", vocabulary size]"};
    c.vocab = static_cast<int>(embd->shape[1]);
    if (const auto tokens = file->getStringArray("tokenizer.ggml.tokens"); tokens && tokens->size() != static_cast<std::size_t>(c.vocab))
        return Error{ld.where() + "tokenizer.ggml.tokens has " + std::to_string(tokens->size())
                     + " entries but token_embd.weight has " + std::to_string(c.vocab) + " rows"};

#define OUTPOST_TRY(var, expr)     \
    do {                           \
        auto r_ = (expr);          \
        if (!r_)                   \
            return Error{r_.error()}; \
        var = std::move(*r_);      \
    } while (0)

    OUTPOST_TRY(model->m_tokenEmbd, ld.matrix("token_embd.weight", c.embd, c.vocab));
    OUTPOST_TRY(model->m_outputNorm, ld.vector("output_norm.weight", c.embd));
    OUTPOST_TRY(model->m_output, ld.matrix("output.weight", c.embd, c.vocab, false));
    if (!model->m_output.data) {
        model->m_output = model->m_tokenEmbd;
        c.tiedOutput = true;
    }
    if (const auto* freqs = file->tensor("rope_freqs.weight")) {
        (void)freqs;
        OUTPOST_TRY(c.ropeFreqFactors, ld.vector("rope_freqs.weight", c.ropeDim / 2));
        for (float f : c.ropeFreqFactors)
            if (!(f > 0))
                return Error{ld.where() + "tensor 'rope_freqs.weight' holds a factor that is not positive"};
    }

    const bool biasRequired = arch == "qwen2";
    model->m_layers.resize(static_cast<std::size_t>(c.layers));
    for (int i = 0; i < c.layers; ++i) {
        auto& L = model->m_layers[static_cast<std::size_t>(i)];
        const std::string b = "blk." + std::to_string(i) + ".";
        OUTPOST_TRY(L.attnNorm, ld.vector(b + "attn_norm.weight", c.embd));
        OUTPOST_TRY(L.wq, ld.matrix(b + "attn_q.weight", c.embd, c.qDim()));
        OUTPOST_TRY(L.wk, ld.matrix(b + "attn_k.weight", c.embd, c.kvDim()));
        OUTPOST_TRY(L.wv, ld.matrix(b + "attn_v.weight", c.embd, c.kvDim()));
        OUTPOST_TRY(L.wo, ld.matrix(b + "attn_output.weight", c.qDim(), c.embd));
        OUTPOST_TRY(L.bq, ld.vector(b + "attn_q.bias", c.qDim(), biasRequired));
        OUTPOST_TRY(L.bk, ld.vector(b + "attn_k.bias", c.kvDim(), biasRequired));
        OUTPOST_TRY(L.bv, ld.vector(b + "attn_v.bias", c.kvDim(), biasRequired));
        OUTPOST_TRY(L.ffnNorm, ld.vector(b + "ffn_norm.weight", c.embd));
        OUTPOST_TRY(L.gate, ld.matrix(b + "ffn_gate.weight", c.embd, c.ffn));
        OUTPOST_TRY(L.up, ld.matrix(b + "ffn_up.weight", c.embd, c.ffn));
        OUTPOST_TRY(L.down, ld.matrix(b + "ffn_down.weight", c.ffn, c.embd));
        if (!L.bq.empty())
            c.qkvBias = true;
    }
#undef OUTPOST_TRY
#undef OUTPOST_TRY_INT
    c.parameters = file->elementCount();
    model->m_file = std::move(file);
    model->packWeights();
    return model;
}

Model::~Model() = default;

// Q4_K, Q5_K, Q6_K and Q8_0 matrices get a packed copy in groups of 16
// interleaved rows (Q6_K and Q8_0 the same size, Q4_K and Q5_K 2-3% larger)
// when this CPU has the kernel:
// batched decoding then reads and decodes each group once for up to 8
// inputs, with several times less work per input (and less for one input
// too). The mapped original is no longer read by the forward pass, so its
// pages are handed back to the page cache (the memory stays about 1x).
namespace {

// Asks the kernel to reclaim the whole pages of [p, p + bytes): a hint that
// never changes the contents (MADV_PAGEOUT, unlike MADV_DONTNEED, is safe on
// any memory), so a later read (the scalar kernels, a tied embedding row)
// simply faults the page back in from the file.
void releasePages(const std::byte* p, std::size_t bytes)
{
#if defined(__linux__) && defined(MADV_PAGEOUT)
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
    if (end > begin)
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_PAGEOUT);
#else
    (void)p;
    (void)bytes;
#endif
}

} // namespace

void Model::packWeights()
{
    const std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
    auto pack = [&](WeightView& w) {
        if (!packedGroupsAvailable(w.type) || !w.data || w.rows <= 0)
            return;
        const std::size_t gb = packedGroupBytes(w.type, w.cols);
        if (gb == 0)
            return;
        const std::int64_t groupRows = packedGroupRows();
        const auto groups = static_cast<std::size_t>((w.rows + groupRows - 1) / groupRows);
        auto copy = std::unique_ptr<std::byte[]>(new (std::nothrow) std::byte[gb * groups]);
        if (!copy)
            return; // no memory for it: the original rows still work
        // Groups are independent: packing runs on every core (a one-off
        // burst at load; a 4 GiB model is several seconds on one).
        auto packRange = [&](std::size_t g0, std::size_t g1) {
            for (std::size_t g = g0; g < g1; ++g) {
                const std::int64_t r0 = static_cast<std::int64_t>(g) * groupRows;
                const std::byte* src = w.data + static_cast<std::size_t>(r0) * w.rowBytes;
                packGroup(w.type, src, w.rowBytes, std::min(groupRows, w.rows - r0), w.cols, copy.get() + g * gb);
            }
        };
        const std::size_t parts = std::min<std::size_t>(workers, groups);
        std::vector<std::thread> helpers;
        for (std::size_t p = 1; p < parts; ++p) {
            try {
                helpers.emplace_back(packRange, groups * p / parts, groups * (p + 1) / parts);
            } catch (const std::system_error&) {
                packRange(groups * p / parts, groups * (p + 1) / parts); // no thread to be had: here
            }
        }
        packRange(0, groups / parts);
        for (auto& t : helpers)
            t.join();
        w.packed = copy.get();
        w.packedGroupBytes = gb;
        m_packed.push_back(std::move(copy));
        releasePages(w.data, static_cast<std::size_t>(w.rows) * w.rowBytes);
    };
    for (auto& L : m_layers)
        for (WeightView* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.gate, &L.up, &L.down})
            pack(*w);
    pack(m_output);
}

kv::KvCacheConfig Model::kvConfig(int contextTokens, int blockTokens, kv::KvType type) const
{
    kv::KvCacheConfig kc;
    kc.layers = m_config.layers;
    kc.kvDim = m_config.kvDim();
    kc.blockTokens = blockTokens > 0 ? blockTokens : 16;
    kc.blocks = contextTokens > 0 ? (contextTokens + kc.blockTokens - 1) / kc.blockTokens : 0;
    kc.type = type;
    return kc;
}

} // namespace outpost::inference::model
