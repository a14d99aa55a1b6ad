// Prepared inputs, the scalar dot kernels (the reference every SIMD variant
// is tested against) and the run-time choice of variant.
#include "inference/tensor/kernels.h"
#include "inference/tensor/kernels_internal.h"

#include "inference/backend/cpu/cpu_features.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace outpost::inference {

using namespace kern;

// Builds the kernels' view of a PreparedInput (a friend of the class).
struct KernelAccess {
    static PreparedView view(const PreparedInput& p)
    {
        PreparedView v;
        v.n = p.m_n;
        switch (formOf(p.m_weightType)) {
        case Form::Float:
            v.f = p.m_f.data();
            break;
        case Form::Q8Blocks:
            v.q = p.m_q.data();
            v.d = p.m_f.data();
            v.dsum = p.m_f.data() + p.m_n / QK;
            v.bsums = p.m_sums.data() + p.m_n / 16;
            if (!p.m_corr.empty())
                v.corr = p.m_corr.data();
            break;
        case Form::Q8K:
            v.q = p.m_q.data();
            v.d = p.m_f.data();
            v.bsums = p.m_sums.data();
            v.sums32 = p.m_sums.data() + p.m_n / 16;
            break;
        case Form::None:
            break;
        }
        return v;
    }

    // The built tiles of `p` when they were made for these inputs' type,
    // size and count; otherwise null (the caller builds its own).
    static const std::vector<PreparedTiles::Tile>* tiles(const PreparedTiles& p, TensorType type, std::span<const PreparedInput> inputs)
    {
        if (p.m_count == 0 || p.m_type != type || p.m_count != inputs.size() || p.m_n != inputs[0].size())
            return nullptr;
        return &p.m_tiles;
    }

    using Tile = PreparedTiles::Tile;

    enum class Form { None, Float, Q8Blocks, Q8K };
    static Form formOf(TensorType t)
    {
        switch (t) {
        case TensorType::F32: case TensorType::F16: case TensorType::BF16:
            return Form::Float;
        case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
        case TensorType::Q8_0:
            return Form::Q8Blocks;
        case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
        case TensorType::Q6_K:
            return Form::Q8K;
        default:
            return Form::None;
        }
    }
};

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

int typeIndex(TensorType t)
{
    switch (t) {
    case TensorType::F32: return kF32;
    case TensorType::F16: return kF16;
    case TensorType::BF16: return kBF16;
    case TensorType::Q4_0: return kQ4_0;
    case TensorType::Q4_1: return kQ4_1;
    case TensorType::Q5_0: return kQ5_0;
    case TensorType::Q5_1: return kQ5_1;
    case TensorType::Q8_0: return kQ8_0;
    case TensorType::Q2_K: return kQ2_K;
    case TensorType::Q3_K: return kQ3_K;
    case TensorType::Q4_K: return kQ4_K;
    case TensorType::Q5_K: return kQ5_K;
    case TensorType::Q6_K: return kQ6_K;
    default: return -1;
    }
}

// ---- scalar dot kernels ----------------------------------------------------------

float dotFloatScalar(const float* w, const float* x, std::int64_t n)
{
    // Four partial sums, as the SIMD variants do, so long rows lose less.
    float s[4] = {0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k)
            s[k] += w[i + k] * x[i + k];
    for (; i < n; ++i)
        s[0] += w[i] * x[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

float dotHalfScalar(const std::uint16_t* w, const float* x, std::int64_t n)
{
    float s[4] = {0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k)
            s[k] += fp16ToFp32(w[i + k]) * x[i + k];
    for (; i < n; ++i)
        s[0] += fp16ToFp32(w[i]) * x[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

float dotBf16Scalar(const std::uint16_t* w, const float* x, std::int64_t n)
{
    float s[4] = {0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k)
            s[k] += bf16ToFp32(w[i + k]) * x[i + k];
    for (; i < n; ++i)
        s[0] += bf16ToFp32(w[i]) * x[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

// The unsigned level of each of the 32 weights of a block (element order)
// and the offset subtracted from it (8 or 16 for the symmetric types).
int levelsQ4(const std::uint8_t* qs, int* u)
{
    for (int j = 0; j < 16; ++j) {
        u[j] = qs[j] & 0xF;
        u[j + 16] = qs[j] >> 4;
    }
    return 0;
}

void levelsQ5(const std::uint8_t* qs, const std::uint8_t* qhBytes, int* u)
{
    std::uint32_t qh;
    std::memcpy(&qh, qhBytes, 4);
    for (int j = 0; j < 16; ++j) {
        u[j] = (qs[j] & 0xF) | static_cast<int>(((qh >> j) & 1) << 4);
        u[j + 16] = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
    }
}

int isum32(const int* u, const std::int8_t* q)
{
    int s = 0;
    for (int j = 0; j < QK; ++j)
        s += u[j] * q[j];
    return s;
}

// Weight types with blocks of 32 against Q8 blocks of 32:
//   dot = sum_blocks dw * dx * isum(u, q) + corr, where the offset/min term
//   uses dsum = dx * sum(q) of the block.
template<TensorType T>
float dotQ32Scalar(const void* row, const PreparedView& x)
{
    const std::int64_t nb = x.n / QK;
    float acc = 0, corr = 0;
    int u[QK];
    for (std::int64_t i = 0; i < nb; ++i) {
        const std::int8_t* q = x.q + i * QK;
        if constexpr (T == TensorType::Q4_0) {
            const auto& b = static_cast<const BlockQ4_0*>(row)[i];
            levelsQ4(b.qs, u);
            const float dw = fp16ToFp32(b.d);
            acc += dw * x.d[i] * static_cast<float>(isum32(u, q));
            corr -= 8.0f * dw * x.dsum[i];
        } else if constexpr (T == TensorType::Q4_1) {
            const auto& b = static_cast<const BlockQ4_1*>(row)[i];
            levelsQ4(b.qs, u);
            acc += fp16ToFp32(b.d) * x.d[i] * static_cast<float>(isum32(u, q));
            corr += fp16ToFp32(b.m) * x.dsum[i];
        } else if constexpr (T == TensorType::Q5_0) {
            const auto& b = static_cast<const BlockQ5_0*>(row)[i];
            levelsQ5(b.qs, b.qh, u);
            const float dw = fp16ToFp32(b.d);
            acc += dw * x.d[i] * static_cast<float>(isum32(u, q));
            corr -= 16.0f * dw * x.dsum[i];
        } else if constexpr (T == TensorType::Q5_1) {
            const auto& b = static_cast<const BlockQ5_1*>(row)[i];
            levelsQ5(b.qs, b.qh, u);
            acc += fp16ToFp32(b.d) * x.d[i] * static_cast<float>(isum32(u, q));
            corr += fp16ToFp32(b.m) * x.dsum[i];
        } else {
            const auto& b = static_cast<const BlockQ8_0*>(row)[i];
            for (int j = 0; j < QK; ++j)
                u[j] = b.qs[j];
            acc += fp16ToFp32(b.d) * x.d[i] * static_cast<float>(isum32(u, q));
        }
    }
    return acc + corr;
}

// The level of each of the 256 weights of a K-quant super-block, in element
// order (unsigned; the symmetric types' offsets are applied by the caller).
// The loops are nested the way the layout is, with no division per element,
// so the compiler can vectorise them for whatever baseline it targets (this
// is the path of CPUs without AVX2, and of non-x86 builds).
void levelsQ2K(const BlockQ2_K& b, std::int16_t* u)
{
    for (int h = 0; h < 2; ++h)
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l)
                u[128 * h + 32 * j + l] = static_cast<std::int16_t>((b.qs[32 * h + l] >> (2 * j)) & 3);
}

// A Q6_K block's 256 levels (0..63) in order: each 128 values take 64 bytes
// of ql (low nibbles, then high nibbles, of two 32-byte runs) and 32 of qh
// (2 bits per 32-value quarter). For the scalar dot and the packer.
template<typename Level>
void levelsQ6K(const BlockQ6_K& b, Level* u)
{
    for (int h = 0; h < 2; ++h) {
        const std::uint8_t* ql = b.ql + 64 * h;
        const std::uint8_t* qh = b.qh + 32 * h;
        Level* y = u + 128 * h;
        for (int l = 0; l < 32; ++l) {
            y[l] = static_cast<Level>((ql[l] & 0x0F) | ((qh[l] & 3) << 4));
            y[l + 32] = static_cast<Level>((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4));
            y[l + 64] = static_cast<Level>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
            y[l + 96] = static_cast<Level>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
        }
    }
}

template<TensorType T>
float dotQKScalar(const void* row, const PreparedView& x)
{
    const std::int64_t nb = x.n / QK_K;
    float acc = 0;
    std::int16_t u[QK_K];
    for (std::int64_t i = 0; i < nb; ++i) {
        const std::int8_t* q = x.q + i * QK_K;
        const std::int16_t* bs = x.bsums + i * 16;
        const float dx = x.d[i];
        int p[16]; // integer dot of each group of 16
        auto groupDots = [&] {
            for (int g = 0; g < 16; ++g) {
                int s = 0;
                for (int l = 0; l < 16; ++l)
                    s += u[16 * g + l] * q[16 * g + l];
                p[g] = s;
            }
        };
        if constexpr (T == TensorType::Q2_K) {
            const auto& b = static_cast<const BlockQ2_K*>(row)[i];
            levelsQ2K(b, u);
            groupDots();
            int sumScaled = 0, sumMin = 0;
            for (int g = 0; g < 16; ++g) {
                sumScaled += (b.scales[g] & 0xF) * p[g];
                sumMin += (b.scales[g] >> 4) * bs[g];
            }
            acc += fp16ToFp32(b.d) * dx * static_cast<float>(sumScaled)
                - fp16ToFp32(b.dmin) * dx * static_cast<float>(sumMin);
        } else if constexpr (T == TensorType::Q3_K) {
            const auto& b = static_cast<const BlockQ3_K*>(row)[i];
            for (int h = 0; h < 2; ++h)
                for (int j = 0; j < 4; ++j)
                    for (int l = 0; l < 32; ++l)
                        u[128 * h + 32 * j + l] = static_cast<std::int16_t>(((b.qs[32 * h + l] >> (2 * j)) & 3)
                                                                            + 4 * ((b.hmask[l] >> (4 * h + j)) & 1));
            groupDots();
            std::int8_t sc[16];
            scalesQ3K(b.scales, sc);
            int s = 0;
            for (int g = 0; g < 16; ++g)
                s += sc[g] * (p[g] - 4 * bs[g]);
            acc += fp16ToFp32(b.d) * dx * static_cast<float>(s);
        } else if constexpr (T == TensorType::Q4_K || T == TensorType::Q5_K) {
            const std::uint8_t* scales;
            float d, dmin;
            if constexpr (T == TensorType::Q4_K) {
                const auto& b = static_cast<const BlockQ4_K*>(row)[i];
                for (int c = 0; c < 4; ++c)
                    for (int l = 0; l < 32; ++l) {
                        u[64 * c + l] = static_cast<std::int16_t>(b.qs[32 * c + l] & 0xF);
                        u[64 * c + 32 + l] = static_cast<std::int16_t>(b.qs[32 * c + l] >> 4);
                    }
                scales = b.scales;
                d = fp16ToFp32(b.d);
                dmin = fp16ToFp32(b.dmin);
            } else {
                const auto& b = static_cast<const BlockQ5_K*>(row)[i];
                for (int c = 0; c < 4; ++c)
                    for (int l = 0; l < 32; ++l) {
                        u[64 * c + l] = static_cast<std::int16_t>((b.qs[32 * c + l] & 0xF) + 16 * ((b.qh[l] >> (2 * c)) & 1));
                        u[64 * c + 32 + l] = static_cast<std::int16_t>((b.qs[32 * c + l] >> 4) + 16 * ((b.qh[l] >> (2 * c + 1)) & 1));
                    }
                scales = b.scales;
                d = fp16ToFp32(b.d);
                dmin = fp16ToFp32(b.dmin);
            }
            groupDots();
            int sumScaled = 0, sumMin = 0;
            for (int j = 0; j < 8; ++j) {
                std::uint8_t sc, m;
                scaleMinK4(j, scales, sc, m);
                sumScaled += sc * (p[2 * j] + p[2 * j + 1]);
                sumMin += m * (bs[2 * j] + bs[2 * j + 1]);
            }
            acc += d * dx * static_cast<float>(sumScaled) - dmin * dx * static_cast<float>(sumMin);
        } else {
            const auto& b = static_cast<const BlockQ6_K*>(row)[i];
            levelsQ6K(b, u);
            groupDots();
            int s = 0;
            for (int g = 0; g < 16; ++g)
                s += b.scales[g] * (p[g] - 32 * bs[g]);
            acc += fp16ToFp32(b.d) * dx * static_cast<float>(s);
        }
    }
    return acc;
}

template<float (*One)(const void*, const PreparedView&)>
void dotMany(const void* row, const PreparedView* xs, int nx, float* results)
{
    for (int b = 0; b < nx; ++b)
        results[b] = One(row, xs[b]);
}

float dotF32One(const void* row, const PreparedView& x) { return dotFloatScalar(static_cast<const float*>(row), x.f, x.n); }
float dotF16One(const void* row, const PreparedView& x) { return dotHalfScalar(static_cast<const std::uint16_t*>(row), x.f, x.n); }
float dotBF16One(const void* row, const PreparedView& x) { return dotBf16Scalar(static_cast<const std::uint16_t*>(row), x.f, x.n); }

void halfToFloatRowScalar(const std::uint16_t* src, float* dst, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        dst[i] = fp16ToFp32(src[i]);
}

void floatToHalfRowScalar(const float* src, std::uint16_t* dst, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        dst[i] = fp32ToFp16(src[i]);
}

void axpyF32Scalar(float a, const float* x, float* y, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        y[i] += a * x[i];
}

void axpyHalfF32Scalar(float a, const std::uint16_t* x, float* y, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        y[i] += a * fp16ToFp32(x[i]);
}

// Quantises x into 8-bit blocks of `block` values, one scale per block, and
// sums each 16 consecutive quants.
void quantizeQ8Scalar(const float* x, std::int64_t n, int block, std::int8_t* q, float* d, std::int16_t* sums16)
{
    for (std::int64_t i = 0; i < n / block; ++i) {
        const float* xb = x + i * block;
        float amax = 0;
        bool nan = false;
        for (int j = 0; j < block; ++j) {
            amax = std::max(amax, std::fabs(xb[j]));
            nan = nan || std::isnan(xb[j]);
        }
        if (nan || std::isinf(amax)) {
            // A non-finite activation makes the block's scale NaN, so every
            // dot with it is NaN (visible) rather than garbage.
            d[i] = std::numeric_limits<float>::quiet_NaN();
            std::fill(q + i * block, q + (i + 1) * block, std::int8_t{0});
            continue;
        }
        const float inv = amax > 0 ? 127.0f / amax : 0.0f;
        d[i] = amax / 127.0f;
        for (int j = 0; j < block; ++j)
            q[i * block + j] = static_cast<std::int8_t>(std::lrintf(xb[j] * inv));
    }
    for (std::int64_t g = 0; g < n / 16; ++g) {
        int s = 0;
        for (int j = 0; j < 16; ++j)
            s += q[g * 16 + j];
        sums16[g] = static_cast<std::int16_t>(s);
    }
}

// The reference forms of the softmax, SwiGLU and norm helpers (libm's exp,
// sums in order).
double expShiftedRowScalar(float* x, std::int64_t n, float shift)
{
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - shift);
        sum += static_cast<double>(x[i]);
    }
    return sum;
}

void siluMulRowScalar(float* g, const float* u, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        g[i] = (g[i] / (1.0f + std::exp(-g[i]))) * u[i];
}

double sumSquaresRowScalar(const float* x, std::int64_t n)
{
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
        sum += static_cast<double>(x[i] * x[i]);
    return sum;
}

void axpyHalfRowsF64Scalar(const float* a, const std::uint16_t* rows, std::size_t stride, int count, double* y, std::int64_t n)
{
    for (int i = 0; i < count; ++i)
        for (std::int64_t d = 0; d < n; ++d)
            y[d] += static_cast<double>(a[i] * fp16ToFp32(rows[static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(d)]));
}

KernelTable makeScalarTable()
{
    KernelTable t;
    t.dot[kF32] = dotMany<dotF32One>;
    t.dot[kF16] = dotMany<dotF16One>;
    t.dot[kBF16] = dotMany<dotBF16One>;
    t.dot[kQ4_0] = dotMany<dotQ32Scalar<TensorType::Q4_0>>;
    t.dot[kQ4_1] = dotMany<dotQ32Scalar<TensorType::Q4_1>>;
    t.dot[kQ5_0] = dotMany<dotQ32Scalar<TensorType::Q5_0>>;
    t.dot[kQ5_1] = dotMany<dotQ32Scalar<TensorType::Q5_1>>;
    t.dot[kQ8_0] = dotMany<dotQ32Scalar<TensorType::Q8_0>>;
    t.dot[kQ2_K] = dotMany<dotQKScalar<TensorType::Q2_K>>;
    t.dot[kQ3_K] = dotMany<dotQKScalar<TensorType::Q3_K>>;
    t.dot[kQ4_K] = dotMany<dotQKScalar<TensorType::Q4_K>>;
    t.dot[kQ5_K] = dotMany<dotQKScalar<TensorType::Q5_K>>;
    t.dot[kQ6_K] = dotMany<dotQKScalar<TensorType::Q6_K>>;
    t.dotF32 = dotFloatScalar;
    t.dotHalfF32 = dotHalfScalar;
    t.halfToFloatRow = halfToFloatRowScalar;
    t.floatToHalfRow = floatToHalfRowScalar;
    t.axpyF32 = axpyF32Scalar;
    t.axpyHalfF32 = axpyHalfF32Scalar;
    t.quantizeQ8 = quantizeQ8Scalar;
    t.expShiftedRow = expShiftedRowScalar;
    t.siluMulRow = siluMulRowScalar;
    t.sumSquaresRow = sumSquaresRowScalar;
    t.axpyHalfRowsF64 = axpyHalfRowsF64Scalar;
    return t;
}

// ---- variant choice ---------------------------------------------------------------

bool isaRuns(KernelIsa isa)
{
    const auto& f = cpu::cpuFeatures();
    switch (isa) {
    case KernelIsa::Scalar: return true;
    case KernelIsa::Avx2: return f.avx2 && f.fma && f.f16c;
    case KernelIsa::AvxVnni: return f.avx2 && f.fma && f.f16c && f.avxvnni;
    case KernelIsa::Avx512: return f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
    }
    return false;
}

KernelIsa detectBest()
{
    if (isaRuns(KernelIsa::Avx512))
        return KernelIsa::Avx512;
    if (isaRuns(KernelIsa::AvxVnni))
        return KernelIsa::AvxVnni;
    if (isaRuns(KernelIsa::Avx2))
        return KernelIsa::Avx2;
    return KernelIsa::Scalar;
}

std::atomic<int>& activeIsaSlot()
{
    static std::atomic<int> slot{static_cast<int>(detectBest())};
    return slot;
}

// `fast` over `base`: the entries a variant lacks come from the next
// variant down.
KernelTable merged(const KernelTable& base, const KernelTable& fast)
{
    KernelTable t = base;
    for (int i = 0; i < kTypeCount; ++i)
        if (fast.dot[i])
            t.dot[i] = fast.dot[i];
    // A float tile kernel goes with the dot kernels of its own variant.
    for (int i : {kF32, kF16, kBF16})
        if (fast.dot[i])
            t.floatTile[i] = fast.floatTile[i];
    if (fast.dotF32) t.dotF32 = fast.dotF32;
    if (fast.dotHalfF32) t.dotHalfF32 = fast.dotHalfF32;
    if (fast.halfToFloatRow) t.halfToFloatRow = fast.halfToFloatRow;
    if (fast.floatToHalfRow) t.floatToHalfRow = fast.floatToHalfRow;
    if (fast.axpyF32) t.axpyF32 = fast.axpyF32;
    if (fast.axpyHalfF32) t.axpyHalfF32 = fast.axpyHalfF32;
    if (fast.quantizeQ8) t.quantizeQ8 = fast.quantizeQ8;
    if (fast.dotPackedQ4K) t.dotPackedQ4K = fast.dotPackedQ4K;
    if (fast.dotPackedQ8G) t.dotPackedQ8G = fast.dotPackedQ8G;
    if (fast.dotPackedQ5K) t.dotPackedQ5K = fast.dotPackedQ5K;
    if (fast.dotPackedQ6K) t.dotPackedQ6K = fast.dotPackedQ6K;
    if (fast.tileQ8G) t.tileQ8G = fast.tileQ8G;
    if (fast.tileQ4K) t.tileQ4K = fast.tileQ4K;
    if (fast.dotHalfF32Rows) t.dotHalfF32Rows = fast.dotHalfF32Rows;
    if (fast.axpyHalfF32Rows) t.axpyHalfF32Rows = fast.axpyHalfF32Rows;
    if (fast.expShiftedRow) t.expShiftedRow = fast.expShiftedRow;
    if (fast.siluMulRow) t.siluMulRow = fast.siluMulRow;
    if (fast.sumSquaresRow) t.sumSquaresRow = fast.sumSquaresRow;
    if (fast.axpyHalfRowsF64) t.axpyHalfRowsF64 = fast.axpyHalfRowsF64;
    return t;
}

// Each variant's table is built the first time that variant is active, and
// a variant is only ever active where the CPU runs it: the function that
// builds a variant's table is compiled with that variant's flags, so even
// filling the table may use its instructions (GCC stores the AVX-512 table
// with 512-bit moves), and calling it on a CPU without them is SIGILL.
const KernelTable& avx2Table()
{
    static const KernelTable t = merged(scalarKernels(), avx2Kernels());
    return t;
}

const KernelTable& activeTable()
{
    switch (static_cast<KernelIsa>(activeIsaSlot().load(std::memory_order_relaxed))) {
    case KernelIsa::Avx512: {
        static const KernelTable t = merged(avx2Table(), avx512Kernels());
        return t;
    }
    case KernelIsa::AvxVnni: {
        static const KernelTable t = merged(avx2Table(), avxVnniKernels());
        return t;
    }
    case KernelIsa::Avx2: return avx2Table();
    case KernelIsa::Scalar: break;
    }
    return scalarKernels();
}

} // namespace

PreparedView kern::preparedView(const PreparedInput& input)
{
    return KernelAccess::view(input);
}

const KernelTable& kern::scalarKernels()
{
    static const KernelTable t = makeScalarTable();
    return t;
}

// ---- public ------------------------------------------------------------------------

KernelIsa bestKernelIsa()
{
    static const KernelIsa best = detectBest();
    return best;
}

KernelIsa activeKernelIsa() { return static_cast<KernelIsa>(activeIsaSlot().load(std::memory_order_relaxed)); }

Status setKernelIsa(KernelIsa isa)
{
    if (!isaRuns(isa))
        return Error{std::string("this CPU cannot run the ") + kernelIsaName(isa) + " kernels"};
    activeIsaSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
    return {};
}

const char* kernelIsaName(KernelIsa isa)
{
    switch (isa) {
    case KernelIsa::Scalar: return "scalar";
    case KernelIsa::Avx2: return "AVX2";
    case KernelIsa::AvxVnni: return "AVX-VNNI";
    case KernelIsa::Avx512: return "AVX-512";
    }
    return "unknown";
}

void halfToFloatRow(const std::uint16_t* src, float* dst, std::int64_t n)
{
    if (n > 0)
        activeTable().halfToFloatRow(src, dst, n);
}

void floatToHalfRow(const float* src, std::uint16_t* dst, std::int64_t n)
{
    if (n > 0)
        activeTable().floatToHalfRow(src, dst, n);
}

void prepareInput(TensorType weightType, const float* x, std::int64_t n, PreparedInput& out)
{
    out.m_weightType = weightType;
    out.m_n = 0;
    if (!checkKernelShape(weightType, n).ok())
        return; // an empty input makes every dot NaN
    const auto count = static_cast<std::size_t>(n);
    switch (KernelAccess::formOf(weightType)) {
    case KernelAccess::Form::Float:
        out.m_f.assign(x, x + n);
        break;
    case KernelAccess::Form::Q8Blocks:
    case KernelAccess::Form::Q8K: {
        // m_sums: the sums of each 16 quants, then of each 32 (the K-quants'
        // offset and min terms use one or the other; blocks of 32 the second).
        const bool k = KernelAccess::formOf(weightType) == KernelAccess::Form::Q8K;
        const std::size_t nb = count / (k ? QK_K : QK);
        out.m_q.resize(count);
        out.m_f.resize(k ? nb : 2 * nb);
        out.m_sums.resize(count / 16 + count / 32);
        activeTable().quantizeQ8(x, n, k ? QK_K : QK, out.m_q.data(), out.m_f.data(), out.m_sums.data());
        std::int16_t* sums32 = out.m_sums.data() + count / 16;
        for (std::size_t g = 0; g < count / 32; ++g)
            sums32[g] = static_cast<std::int16_t>(out.m_sums[2 * g] + out.m_sums[2 * g + 1]);
        if (!k)
            for (std::size_t i = 0; i < nb; ++i)
                out.m_f[nb + i] = out.m_f[i] * static_cast<float>(sums32[i]);
        out.m_corr.clear();
        if (weightType == TensorType::Q8_0) {
            // Packed weights store quants + 128: each block's dot then needs
            // -128 * the input block's sum taken back.
            out.m_corr.resize(nb);
            for (std::size_t i = 0; i < nb; ++i)
                out.m_corr[i] = -128 * static_cast<std::int32_t>(sums32[i]);
        }
        break;
    }
    case KernelAccess::Form::None:
        return;
    }
    out.m_n = n;
}

PreparedInput prepareInput(TensorType weightType, const float* x, std::int64_t n)
{
    PreparedInput p;
    prepareInput(weightType, x, n, p);
    return p;
}

float dotRow(TensorType weightType, const void* row, const PreparedInput& x)
{
    const int ti = typeIndex(weightType);
    if (ti < 0 || x.empty() || x.weightType() != weightType)
        return kNaN;
    const PreparedView v = KernelAccess::view(x);
    float r;
    activeTable().dot[ti](row, &v, 1, &r);
    return r;
}

namespace {

constexpr std::size_t kGemmGroup = 4;

// The variant's float tile kernel for type index ti; nullptr for the other
// types and where the variant has none.
FloatTileFn floatTileOf(const KernelTable& table, int ti)
{
    return ti <= kBF16 ? table.floatTile[ti] : nullptr;
}

// Rows [0, count) (row r at rows + r * stride) against nx (1..4) inputs:
// res[r][k]. Float weights against two inputs or more go through the
// variant's tile kernel (bit-identical to its dot kernel) when the rows are
// `cached`: the tile passes over its rows four times and wants them in
// cache, while the dot kernel's one sweep per row streams best from memory
// (rows from memory, 4 inputs: the tile alone 0.7x the dot kernel; 16
// inputs with the first group of each row tile by the dot kernel: 1.2x).
// The rest row by row.
void dotRows(const KernelTable& table, int ti, const std::uint8_t* rows, std::size_t stride, std::int64_t count,
             const PreparedView* views, int nx, float (*res)[kGemmGroup], bool cached)
{
    const FloatTileFn tile = cached ? floatTileOf(table, ti) : nullptr;
    if (tile && nx >= 2) {
        const std::int64_t tileRows = floatTileRows(nx);
        for (std::int64_t r = 0; r < count; r += tileRows) {
            const int tr = static_cast<int>(std::min(tileRows, count - r));
            float part[kGemmGroup * kGemmGroup];
            tile(rows + static_cast<std::size_t>(r) * stride, stride, tr, views, nx, part);
            for (int i = 0; i < tr; ++i)
                for (int k = 0; k < nx; ++k)
                    res[r + i][k] = part[i * nx + k];
        }
        return;
    }
    for (std::int64_t r = 0; r < count; ++r)
        table.dot[ti](rows + static_cast<std::size_t>(r) * stride, views, nx, res[r]);
}

} // namespace

void gemm(TensorType type, const void* weights, std::size_t rowStrideBytes, std::int64_t r0, std::int64_t r1,
          std::span<const PreparedInput> inputs, float* out, std::size_t outStride)
{
    if (r1 <= r0 || inputs.empty())
        return;
    const int ti = typeIndex(type);
    bool valid = ti >= 0;
    for (const auto& in : inputs)
        valid = valid && !in.empty() && in.weightType() == type && in.size() == inputs[0].size();
    if (!valid) {
        for (std::size_t b = 0; b < inputs.size(); ++b)
            for (std::int64_t r = r0; r < r1; ++r)
                out[b * outStride + static_cast<std::size_t>(r)] = kNaN;
        return;
    }
    const KernelTable& table = activeTable();
    const auto* base = static_cast<const std::uint8_t*>(weights);
    // Float weights meet float inputs 4 bytes a value: four long inputs
    // overflow L1 on their own, so several inputs go over the row in column
    // chunks, each chunk's inputs staying in L1 while a tile of rows passes.
    // One input takes the same chunked path, so that an input's result never
    // depends on how many others share the call (batched generation gives
    // the same tokens as generation alone).
    constexpr std::int64_t kColChunk = 1024;
    const std::int64_t n = inputs[0].size();
    if (KernelAccess::formOf(type) == KernelAccess::Form::Float && n > 2 * kColChunk) {
        const std::size_t eb = type == TensorType::F32 ? 4 : 2;
        constexpr std::int64_t kTile = 12; // a multiple of the float tiles' 3 and 4 rows
        for (std::int64_t rt = r0; rt < r1; rt += kTile) {
            const std::int64_t tn = std::min(r1 - rt, kTile);
            for (std::size_t g0 = 0; g0 < inputs.size(); g0 += kGemmGroup) {
                const int nx = static_cast<int>(std::min(kGemmGroup, inputs.size() - g0));
                PreparedView full[kGemmGroup], views[kGemmGroup];
                for (int k = 0; k < nx; ++k)
                    full[k] = KernelAccess::view(inputs[g0 + static_cast<std::size_t>(k)]);
                float acc[kTile][kGemmGroup] = {};
                for (std::int64_t c0 = 0; c0 < n; c0 += kColChunk) {
                    const std::int64_t len = std::min(kColChunk, n - c0);
                    for (int k = 0; k < nx; ++k) {
                        views[k] = full[k];
                        views[k].f = full[k].f + c0;
                        views[k].n = len;
                    }
                    float part[kTile][kGemmGroup];
                    dotRows(table, ti, base + static_cast<std::size_t>(rt) * rowStrideBytes + static_cast<std::size_t>(c0) * eb,
                            rowStrideBytes, tn, views, nx, part, g0 > 0);
                    for (std::int64_t r = 0; r < tn; ++r)
                        for (int k = 0; k < nx; ++k)
                            acc[r][k] += part[r][k];
                }
                for (std::int64_t r = 0; r < tn; ++r)
                    for (int k = 0; k < nx; ++k)
                        out[(g0 + static_cast<std::size_t>(k)) * outStride + static_cast<std::size_t>(rt + r)] = acc[r][k];
            }
        }
        return;
    }
    // Loop order: a tile of rows small enough to stay in L1 (about 16 KiB of
    // weights), then the inputs four at a time (a kernel call decodes each
    // weight block once for four inputs), then the rows of the tile. Each
    // row streams from memory once whatever B is, and the four inputs in
    // use stay in L1 while the tile's rows pass over them.
    // Float tiles take 3 or 4 rows at a time: the tile is a multiple of 12
    // rows, not to leave a short tile at every turn.
    constexpr std::int64_t kMaxRowTile = 64;
    std::int64_t rowTile = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(16384 / std::max<std::size_t>(rowStrideBytes, 1)), 1, kMaxRowTile);
    if (floatTileOf(table, ti))
        rowTile = std::max<std::int64_t>(12, rowTile / 12 * 12);
    for (std::int64_t rt = r0; rt < r1; rt += rowTile) {
        const std::int64_t tn = std::min(r1 - rt, rowTile);
        for (std::size_t g0 = 0; g0 < inputs.size(); g0 += kGemmGroup) {
            const int nx = static_cast<int>(std::min(kGemmGroup, inputs.size() - g0));
            PreparedView views[kGemmGroup];
            for (int k = 0; k < nx; ++k)
                views[k] = KernelAccess::view(inputs[g0 + static_cast<std::size_t>(k)]);
            float res[kMaxRowTile][kGemmGroup];
            dotRows(table, ti, base + static_cast<std::size_t>(rt) * rowStrideBytes, rowStrideBytes, tn, views, nx, res, g0 > 0);
            for (std::int64_t r = 0; r < tn; ++r)
                for (int k = 0; k < nx; ++k)
                    out[(g0 + static_cast<std::size_t>(k)) * outStride + static_cast<std::size_t>(rt + r)] = res[r][k];
        }
    }
}

namespace {

constexpr std::int64_t kGroupRows = kQ4KGroupRows;
static_assert(kQ4KGroupRows == kQ8GroupRows);

// The packers: rows [0, rows) of the original matrix into one group
// of `bytes` (checked by packGroup()).
// Q4_K and Q5_K (Block = BlockQ5_K): the same layout, Q5_K's fifth bits
// after it.
template<typename Block>
void packQ45K(const void* src, std::size_t srcRowBytes, std::int64_t rows, std::int64_t cols, std::uint8_t* out, std::size_t bytes)
{
    constexpr bool five = std::is_same_v<Block, BlockQ5_K>;
    const std::size_t superBytes = five ? kQ5KSuperBytes : kQ4KSuperBytes;
    std::memset(out, 0, bytes);
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto* blocks = reinterpret_cast<const Block*>(static_cast<const std::uint8_t*>(src) + static_cast<std::size_t>(r) * srcRowBytes);
        for (std::int64_t i = 0; i < cols / QK_K; ++i) {
            const Block& b = blocks[i];
            std::uint8_t* sb = out + static_cast<std::size_t>(i) * superBytes;
            std::memcpy(sb + 2 * r, &b.d, 2);
            std::memcpy(sb + kQ4KOffDmin + 2 * r, &b.dmin, 2);
            for (int j = 0; j < 8; ++j) {
                std::uint8_t sc, m;
                scaleMinK4(j, b.scales, sc, m);
                sb[kQ4KOffScales + 16 * j + r] = sc;
                sb[kQ4KOffMins + 32 * (j / 2) + 2 * r + (j % 2)] = m;
            }
            // Level v of sub-block j: ggml stores sub-blocks 2p and 2p+1 in
            // the low and high nibbles of bytes 32p .. 32p+31 (Q5_K: fifth
            // bit j of byte v of qh).
            auto level = [&](int j, int v) {
                const std::uint8_t byte = b.qs[32 * (j / 2) + v];
                return static_cast<std::uint8_t>(j % 2 ? byte >> 4 : byte & 0x0F);
            };
            for (int j = 0; j < 8; ++j)
                for (int c = 0; c < 4; ++c)
                    for (int t = 0; t < 4; ++t)
                        sb[kQ4KOffLevels + 256 * j + 64 * c + 4 * r + t]
                            = static_cast<std::uint8_t>(level(j, 8 * c + t) | (level(j, 8 * c + 4 + t) << 4));
            if constexpr (five) {
                const auto h = static_cast<std::size_t>(r / 8), rr = static_cast<std::size_t>(r % 8);
                for (int j = 0; j < 8; ++j)
                    for (int t = 0; t < 4; ++t) {
                        int bits = 0;
                        for (int st = 0; st < 8; ++st)
                            bits |= ((b.qh[4 * st + t] >> j) & 1) << st;
                        sb[kQ5KOffHigh + 64 * static_cast<std::size_t>(j) + 32 * h + 4 * rr + static_cast<std::size_t>(t)] = static_cast<std::uint8_t>(bits);
                    }
            }
        }
    }
}

void packQ8(const void* src, std::size_t srcRowBytes, std::int64_t rows, std::int64_t cols, std::uint8_t* out, std::size_t)
{
    // Rows past `rows`: scale 0 and quants 0 (stored 128), so results 0.
    for (std::int64_t b = 0; b < cols / QK; ++b) {
        std::uint8_t* blk = out + static_cast<std::size_t>(b) * kQ8BlockBytes;
        std::memset(blk, 0, 32);
        std::memset(blk + 32, 128, kQ8BlockBytes - 32);
    }
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto* blocks = reinterpret_cast<const BlockQ8_0*>(static_cast<const std::uint8_t*>(src) + static_cast<std::size_t>(r) * srcRowBytes);
        for (std::int64_t b = 0; b < cols / QK; ++b) {
            std::uint8_t* blk = out + static_cast<std::size_t>(b) * kQ8BlockBytes;
            std::memcpy(blk + 2 * r, &blocks[b].d, 2);
            for (int st = 0; st < 8; ++st)
                for (int t = 0; t < 4; ++t)
                    blk[32 + 64 * st + 4 * r + t] = static_cast<std::uint8_t>(blocks[b].qs[4 * st + t] + 128);
        }
    }
}

void packQ6K(const void* src, std::size_t srcRowBytes, std::int64_t rows, std::int64_t cols, std::uint8_t* out, std::size_t bytes)
{
    // Rows past `rows`: d 0, so results 0.
    std::memset(out, 0, bytes);
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto* blocks = reinterpret_cast<const BlockQ6_K*>(static_cast<const std::uint8_t*>(src) + static_cast<std::size_t>(r) * srcRowBytes);
        const auto h = static_cast<std::size_t>(r / 8), rr = static_cast<std::size_t>(r % 8);
        for (std::int64_t i = 0; i < cols / QK_K; ++i) {
            const BlockQ6_K& b = blocks[i];
            std::uint8_t* sb = out + static_cast<std::size_t>(i) * kQ6KSuperBytes;
            std::memcpy(sb + 2 * r, &b.d, 2);
            for (int s = 0; s < 16; ++s)
                sb[kQ6KOffScales + 32 * (s / 2) + 2 * r + (s % 2)] = static_cast<std::uint8_t>(b.scales[s]);
            std::uint8_t lv[QK_K];
            levelsQ6K(b, lv);
            for (int j = 0; j < 8; ++j) {
                std::uint8_t* unit = sb + kQ6KOffUnits + kQ6KUnitBytes * static_cast<std::size_t>(j);
                const std::uint8_t* v = lv + 32 * j;
                // Low 4 bits: chunk c holds steps 2c (low nibble) and 2c+1.
                for (int c = 0; c < 4; ++c)
                    for (int t = 0; t < 4; ++t)
                        unit[64 * c + 4 * r + t] = static_cast<std::uint8_t>((v[8 * c + t] & 0x0F) | ((v[8 * c + 4 + t] & 0x0F) << 4));
                // Top 2 bits: this half's vector st / 4, field st % 4.
                for (int vec = 0; vec < 2; ++vec)
                    for (int t = 0; t < 4; ++t) {
                        int top = 0;
                        for (int k = 0; k < 4; ++k)
                            top |= (v[4 * (4 * vec + k) + t] >> 4) << (2 * k);
                        unit[kQ6KUnitHigh + 64 * h + 32 * static_cast<std::size_t>(vec) + 4 * rr + static_cast<std::size_t>(t)] = static_cast<std::uint8_t>(top);
                    }
            }
        }
    }
}

constexpr int kTileInputs = 16;

using TileBuffer = KernelAccess::Tile;

// Inputs v[0, count) (count <= 16) in the tile kernels' form, padded with
// zero inputs to whole quads.
TileView buildTile(bool q4k, const PreparedView* v, int count, TileBuffer& buf)
{
    TileView tv;
    tv.n = v[0].n;
    tv.quads = (count + 3) / 4;
    const auto n = static_cast<std::size_t>(tv.n);
    const auto quads = static_cast<std::size_t>(tv.quads);
    const std::size_t blocks = q4k ? n / QK_K : n / QK;
    buf.q.resize(quads * n * 16);
    buf.d.resize(quads * blocks * 16);
    buf.ints.resize(quads * blocks * 16 * (q4k ? 4 : 1));
    // The quants, written in order: per step, each input's 4 bytes 4 times.
    {
        const std::size_t lanes = quads * 4;
        std::int8_t* dq = buf.q.data();
        for (std::size_t st = 0; st < n / 4; ++st) {
            for (std::size_t k = 0; k < lanes; ++k, dq += 16) {
                std::uint32_t four[4] = {};
                if (k < static_cast<std::size_t>(count))
                    std::memcpy(&four[0], v[k].q + 4 * st, 4);
                four[1] = four[2] = four[3] = four[0];
                std::memcpy(dq, four, 16);
            }
        }
    }
    for (std::size_t Q = 0; Q < quads; ++Q) {
        for (std::size_t i = 0; i < 4; ++i) {
            const std::size_t k = 4 * Q + i;
            const PreparedView* x = k < static_cast<std::size_t>(count) ? &v[k] : nullptr;
            for (std::size_t b = 0; b < blocks; ++b) {
                const float d = x ? x->d[b] : 0.0f;
                for (std::size_t r = 0; r < 4; ++r)
                    buf.d[(Q * blocks + b) * 16 + 4 * i + r] = d;
                if (!q4k) {
                    const std::int32_t c = x ? x->corr[b] : 0;
                    for (std::size_t r = 0; r < 4; ++r)
                        buf.ints[(Q * blocks + b) * 16 + 4 * i + r] = c;
                    continue;
                }
                for (std::size_t p = 0; p < 4; ++p) {
                    std::int32_t pair = 0;
                    if (x)
                        std::memcpy(&pair, x->sums32 + 8 * b + 2 * p, 4);
                    for (std::size_t r = 0; r < 4; ++r)
                        buf.ints[((Q * blocks + b) * 4 + p) * 16 + 4 * i + r] = pair;
                }
            }
        }
    }
    buf.quads = tv.quads;
    tv.q = buf.q.data();
    tv.d = buf.d.data();
    if (q4k)
        tv.sums = buf.ints.data();
    else
        tv.corr = buf.ints.data();
    return tv;
}

TileView viewOf(bool q4k, std::int64_t n, const TileBuffer& buf)
{
    TileView tv;
    tv.n = n;
    tv.quads = buf.quads;
    tv.q = buf.q.data();
    tv.d = buf.d.data();
    (q4k ? tv.sums : tv.corr) = buf.ints.data();
    return tv;
}

// gemm() over packed groups of 16 rows with a group kernel (and its tile
// form, for 4 inputs or more, when the variant has one); `fits` says
// whether an input can be used with these weights.
template<typename Fits>
void gemmGroups(PackedGroupFn fn, PackedTileFn tile, bool q4k, std::size_t groupBytes, const void* weights, std::size_t groupStrideBytes,
                std::int64_t r0, std::int64_t r1, std::span<const PreparedInput> inputs, float* out, std::size_t outStride,
                const PreparedTiles* prepared, Fits fits)
{
    if (r1 <= r0 || inputs.empty())
        return;
    bool valid = fn != nullptr && r0 >= 0;
    for (const auto& in : inputs)
        valid = valid && !in.empty() && fits(in) && in.size() == inputs[0].size() && groupBytes != 0 && groupStrideBytes >= groupBytes;
    if (!valid) {
        for (std::size_t b = 0; b < inputs.size(); ++b)
            for (std::int64_t r = std::max<std::int64_t>(r0, 0); r < r1; ++r)
                out[b * outStride + static_cast<std::size_t>(r)] = kNaN;
        return;
    }
    constexpr std::int64_t G = kGroupRows;
    const auto* base = static_cast<const std::uint8_t*>(weights);
    // The inputs' views once per call (a few dozen groups share them).
    thread_local std::vector<PreparedView> allViews;
    allViews.resize(inputs.size());
    for (std::size_t b = 0; b < inputs.size(); ++b)
        allViews[b] = KernelAccess::view(inputs[b]);
    if (tile && inputs.size() >= 4) {
        thread_local std::vector<TileBuffer> buffers;
        thread_local std::vector<TileView> tiles;
        const std::size_t count = (inputs.size() + kTileInputs - 1) / kTileInputs;
        if (buffers.size() < count)
            buffers.resize(count);
        tiles.resize(count);
        const auto* shared = prepared ? KernelAccess::tiles(*prepared, q4k ? TensorType::Q4_K : TensorType::Q8_0, inputs) : nullptr;
        for (std::size_t t = 0; t < count; ++t) {
            const std::size_t b0 = t * kTileInputs;
            if (shared)
                tiles[t] = viewOf(q4k, inputs[0].size(), (*shared)[t]);
            else
                tiles[t] = buildTile(q4k, allViews.data() + b0, static_cast<int>(std::min<std::size_t>(kTileInputs, inputs.size() - b0)), buffers[t]);
        }
        for (std::int64_t g = r0 / G; g * G < r1; ++g) {
            const std::int64_t gr0 = g * G;
            const std::int64_t lo = std::max(r0, gr0), hi = std::min(r1, gr0 + G);
            for (std::size_t t = 0; t < count; ++t) {
                const std::size_t b0 = t * kTileInputs;
                const int nx = static_cast<int>(std::min<std::size_t>(kTileInputs, inputs.size() - b0));
                const bool prefetch = t == 0 && (g + 1) * G < r1;
                const void* next = prefetch ? base + static_cast<std::size_t>(g + 1) * groupStrideBytes : nullptr;
                if (lo == gr0 && hi == gr0 + G && nx == 4 * tiles[t].quads) {
                    // Whole group, whole quads: straight into the output rows.
                    tile(base + static_cast<std::size_t>(g) * groupStrideBytes, tiles[t], out + b0 * outStride + static_cast<std::size_t>(gr0),
                         outStride, next);
                    continue;
                }
                alignas(64) float res[kTileInputs * G];
                tile(base + static_cast<std::size_t>(g) * groupStrideBytes, tiles[t], res, G, next);
                for (int k = 0; k < nx; ++k)
                    std::memcpy(out + (b0 + static_cast<std::size_t>(k)) * outStride + static_cast<std::size_t>(lo), res + k * G + (lo - gr0),
                                static_cast<std::size_t>(hi - lo) * sizeof(float));
            }
        }
        return;
    }
    // One group (16 rows, under 20 KiB for rows of 2048 Q4_K values) stays
    // in L1 while the inputs pass over it eight at a time.
    for (std::int64_t g = r0 / G; g * G < r1; ++g) {
        const std::int64_t gr0 = g * G;
        const std::int64_t lo = std::max(r0, gr0), hi = std::min(r1, gr0 + G);
        for (std::size_t b0 = 0; b0 < inputs.size(); b0 += kQ4KMaxInputs) {
            const int nx = static_cast<int>(std::min<std::size_t>(kQ4KMaxInputs, inputs.size() - b0));
            const PreparedView* views = allViews.data() + b0;
            alignas(64) float res[kQ4KMaxInputs * G];
            // The first pass over a group prefetches the next one.
            const bool prefetch = b0 == 0 && (g + 1) * G < r1;
            fn(base + static_cast<std::size_t>(g) * groupStrideBytes, views, nx, res,
               prefetch ? base + static_cast<std::size_t>(g + 1) * groupStrideBytes : nullptr);
            for (int k = 0; k < nx; ++k)
                std::memcpy(out + (b0 + static_cast<std::size_t>(k)) * outStride + static_cast<std::size_t>(lo), res + k * G + (lo - gr0),
                            static_cast<std::size_t>(hi - lo) * sizeof(float));
        }
    }
}

} // namespace

void prepareTiles(TensorType weightType, std::span<const PreparedInput> inputs, PreparedTiles& out)
{
    out.m_count = 0;
    const bool q4k = weightType == TensorType::Q4_K;
    const PackedTileFn fn = q4k ? activeTable().tileQ4K : weightType == TensorType::Q8_0 ? activeTable().tileQ8G : nullptr;
    if (!fn || inputs.size() < 4)
        return;
    for (const auto& in : inputs)
        if (in.empty() || in.weightType() != weightType || in.size() != inputs[0].size() || (!q4k && !KernelAccess::view(in).corr))
            return;
    const std::size_t count = (inputs.size() + kTileInputs - 1) / kTileInputs;
    out.m_tiles.resize(count);
    PreparedView views[kTileInputs];
    for (std::size_t t = 0; t < count; ++t) {
        const std::size_t b0 = t * kTileInputs;
        const int nx = static_cast<int>(std::min<std::size_t>(kTileInputs, inputs.size() - b0));
        for (int k = 0; k < nx; ++k)
            views[k] = KernelAccess::view(inputs[b0 + static_cast<std::size_t>(k)]);
        buildTile(q4k, views, nx, out.m_tiles[t]);
    }
    out.m_type = weightType;
    out.m_n = inputs[0].size();
    out.m_count = inputs.size();
}

namespace {

// The packed form of `type`: its group kernel (in the active variant) and
// tile kernel, its block, its packer and the bytes per block of 16 rows.
struct PackedForm {
    PackedGroupFn group = nullptr;
    PackedTileFn tile = nullptr;
    std::int64_t block = 0;
    std::size_t blockBytes = 0;
    void (*pack)(const void*, std::size_t, std::int64_t, std::int64_t, std::uint8_t*, std::size_t) = nullptr;
};

PackedForm packedForm(TensorType type)
{
    const KernelTable& t = activeTable();
    switch (type) {
    case TensorType::Q4_K: return {t.dotPackedQ4K, t.tileQ4K, QK_K, kQ4KSuperBytes, packQ45K<BlockQ4_K>};
    case TensorType::Q5_K: return {t.dotPackedQ5K, nullptr, QK_K, kQ5KSuperBytes, packQ45K<BlockQ5_K>};
    case TensorType::Q6_K: return {t.dotPackedQ6K, nullptr, QK_K, kQ6KSuperBytes, packQ6K};
    case TensorType::Q8_0: return {t.dotPackedQ8G, t.tileQ8G, QK, kQ8BlockBytes, packQ8};
    default: return {};
    }
}

} // namespace

bool packedGroupsAvailable(TensorType type)
{
    return packedForm(type).group != nullptr;
}

std::int64_t packedGroupRows()
{
    return kGroupRows;
}

std::size_t packedGroupBytes(TensorType type, std::int64_t cols)
{
    const PackedForm f = packedForm(type);
    if (f.block == 0 || cols <= 0 || cols % f.block != 0)
        return 0;
    return static_cast<std::size_t>(cols / f.block) * f.blockBytes;
}

void packGroup(TensorType type, const void* src, std::size_t srcRowBytes, std::int64_t rows, std::int64_t cols, void* dst)
{
    const std::size_t bytes = packedGroupBytes(type, cols);
    if (bytes == 0 || rows < 1 || rows > kGroupRows)
        return;
    packedForm(type).pack(src, srcRowBytes, rows, cols, static_cast<std::uint8_t*>(dst), bytes);
}

void gemmPacked(TensorType type, const void* weights, std::size_t groupStrideBytes, std::int64_t r0, std::int64_t r1,
                std::span<const PreparedInput> inputs, float* out, std::size_t outStride, const PreparedTiles* tiles)
{
    const PackedForm f = packedForm(type);
    gemmGroups(f.group, f.tile, type == TensorType::Q4_K, packedGroupBytes(type, inputs.empty() ? 0 : inputs[0].size()), weights,
               groupStrideBytes, r0, r1, inputs, out, outStride, tiles, [type](const PreparedInput& in) {
                   // Q8_0 groups need the inputs' block sums (corr).
                   return in.weightType() == type && (type != TensorType::Q8_0 || KernelAccess::view(in).corr != nullptr);
               });
}

float dotF32(const float* a, const float* b, std::int64_t n)
{
    return n > 0 ? activeTable().dotF32(a, b, n) : 0.0f;
}

float dotHalfF32(const std::uint16_t* a, const float* b, std::int64_t n)
{
    return n > 0 ? activeTable().dotHalfF32(a, b, n) : 0.0f;
}

void axpyF32(float a, const float* x, float* y, std::int64_t n)
{
    if (n > 0)
        activeTable().axpyF32(a, x, y, n);
}

void axpyHalfF32(float a, const std::uint16_t* x, float* y, std::int64_t n)
{
    if (n > 0)
        activeTable().axpyHalfF32(a, x, y, n);
}

void dotHalfF32Rows(const std::uint16_t* rows, std::size_t stride, int count, const float* x, std::int64_t n, float* out)
{
    if (n <= 0) {
        std::fill(out, out + std::max(count, 0), 0.0f);
        return;
    }
    const auto& t = activeTable();
    if (t.dotHalfF32Rows) {
        t.dotHalfF32Rows(rows, stride, count, x, n, out);
        return;
    }
    for (int i = 0; i < count; ++i)
        out[i] = t.dotHalfF32(rows + static_cast<std::size_t>(i) * stride, x, n);
}

void axpyHalfF32Rows(const float* a, const std::uint16_t* rows, std::size_t stride, int count, float* y, std::int64_t n)
{
    if (n <= 0 || count <= 0)
        return;
    const auto& t = activeTable();
    if (t.axpyHalfF32Rows) {
        t.axpyHalfF32Rows(a, rows, stride, count, y, n);
        return;
    }
    for (int i = 0; i < count; ++i)
        t.axpyHalfF32(a[i], rows + static_cast<std::size_t>(i) * stride, y, n);
}

double expShiftedRow(float* x, std::int64_t n, float shift)
{
    return n > 0 ? activeTable().expShiftedRow(x, n, shift) : 0.0;
}

void siluMulRow(float* gate, const float* up, std::int64_t n)
{
    if (n > 0)
        activeTable().siluMulRow(gate, up, n);
}

double sumSquaresRow(const float* x, std::int64_t n)
{
    return n > 0 ? activeTable().sumSquaresRow(x, n) : 0.0;
}

void axpyHalfRowsF64(const float* a, const std::uint16_t* rows, std::size_t stride, int count, double* y, std::int64_t n)
{
    if (n > 0 && count > 0)
        activeTable().axpyHalfRowsF64(a, rows, stride, count, y, n);
}

} // namespace outpost::inference
