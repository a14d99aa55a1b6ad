// Tests of inference/tensor/kernels.h: half conversions, bit-exact
// dequantisation of every supported type (checked against per-element
// formulas written here from the documented ggml layouts, by byte offset),
// quantisation error, and every SIMD variant's dot/gemm against a
// double-precision oracle; the AVX-VNNI variant's code (emulated on AVX2)
// against the AVX2 one.
#include "inference/tensor/kernels.h"
#include "tests/inference/tensor/kernels_avxvnni_emulated.h"

#include <QtTest/QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace outpost::inference;

namespace {

const std::vector<TensorType> kTypes = {
    TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K,
};

std::string nameOf(TensorType t) { return std::string(tensorTypeInfo(t)->name); }
int blockOf(TensorType t) { return static_cast<int>(tensorTypeInfo(t)->blockElements); }
int bytesOf(TensorType t) { return static_cast<int>(tensorTypeInfo(t)->blockBytes); }

// Independent half decoder (finite values only), in double.
double halfValue(std::uint16_t h)
{
    const int exp = (h >> 10) & 31;
    const int mant = h & 1023;
    const double v = exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, exp - 25);
    return (h & 0x8000) ? -v : v;
}

std::uint16_t rd16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

// Q4_K/Q5_K: 6-bit scale and min of sub-block j from the 12 packed bytes:
// bytes 0-3 hold scales 0-3 (low 6 bits) and the top 2 bits of scales 4-7;
// bytes 4-7 the same for the mins; bytes 8-11 the low 4 bits of scale (low
// nibble) and min (high nibble) 4-7.
void kScaleMin(const std::uint8_t* s, int j, int& sc, int& m)
{
    if (j < 4) {
        sc = s[j] & 63;
        m = s[4 + j] & 63;
    } else {
        sc = (s[8 + j - 4] & 15) + 16 * (s[j - 4] >> 6);
        m = (s[8 + j - 4] >> 4) + 16 * (s[j] >> 6);
    }
}

// The value of element e of one block, from the layout by byte offset.
double expectedElement(TensorType t, const std::uint8_t* b, int e)
{
    switch (t) {
    case TensorType::Q4_0: {
        const int q = e < 16 ? (b[2 + e] & 15) : (b[2 + e - 16] >> 4);
        return (q - 8) * halfValue(rd16(b));
    }
    case TensorType::Q4_1: {
        const int q = e < 16 ? (b[4 + e] & 15) : (b[4 + e - 16] >> 4);
        return q * halfValue(rd16(b)) + halfValue(rd16(b + 2));
    }
    case TensorType::Q5_0: {
        const int lo = e < 16 ? (b[6 + e] & 15) : (b[6 + e - 16] >> 4);
        const int hi = (b[2 + e / 8] >> (e % 8)) & 1;
        return (lo + 16 * hi - 16) * halfValue(rd16(b));
    }
    case TensorType::Q5_1: {
        const int lo = e < 16 ? (b[8 + e] & 15) : (b[8 + e - 16] >> 4);
        const int hi = (b[4 + e / 8] >> (e % 8)) & 1;
        return (lo + 16 * hi) * halfValue(rd16(b)) + halfValue(rd16(b + 2));
    }
    case TensorType::Q8_0:
        return static_cast<std::int8_t>(b[2 + e]) * halfValue(rd16(b));
    case TensorType::Q2_K: {
        const int sc = b[e / 16];
        const int q = (b[16 + 32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3;
        return halfValue(rd16(b + 80)) * (sc & 15) * q - halfValue(rd16(b + 82)) * (sc >> 4);
    }
    case TensorType::Q3_K: {
        const int g = e / 16;
        const std::uint8_t* s = b + 96;
        const int low = g < 8 ? (s[g] & 15) : (s[g - 8] >> 4);
        const int high = (s[8 + g % 4] >> (2 * (g / 4))) & 3;
        const int scale = low + 16 * high - 32;
        const int q2 = (b[32 + 32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3;
        const int hbit = (b[e % 32] >> (e / 32)) & 1;
        return halfValue(rd16(b + 108)) * scale * (q2 - (hbit ? 0 : 4));
    }
    case TensorType::Q4_K: {
        int sc, m;
        kScaleMin(b + 4, e / 32, sc, m);
        const int q = (b[16 + 32 * (e / 64) + e % 32] >> (4 * ((e / 32) % 2))) & 15;
        return halfValue(rd16(b)) * sc * q - halfValue(rd16(b + 2)) * m;
    }
    case TensorType::Q5_K: {
        int sc, m;
        kScaleMin(b + 4, e / 32, sc, m);
        const int lo = (b[48 + 32 * (e / 64) + e % 32] >> (4 * ((e / 32) % 2))) & 15;
        const int hi = (b[16 + e % 32] >> (e / 32)) & 1;
        return halfValue(rd16(b)) * sc * (lo + 16 * hi) - halfValue(rd16(b + 2)) * m;
    }
    case TensorType::Q6_K: {
        // Within each half of 128: quarter k of 32 takes the low (k = 0, 1) or
        // high (k = 2, 3) nibble of ql[l + 32 * (k % 2)] and bits 2k..2k+1 of qh[l].
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const int lo = (b[64 * h + l + 32 * (k % 2)] >> (4 * (k / 2))) & 15;
        const int hi = (b[128 + 32 * h + l] >> (2 * k)) & 3;
        const int sc = static_cast<std::int8_t>(b[192 + e / 16]);
        return halfValue(rd16(b + 208)) * sc * (lo + 16 * hi - 32);
    }
    default:
        return std::nan("");
    }
}

// Offsets of the half-float fields of each block (set to finite values in
// random blocks).
std::vector<int> halfFields(TensorType t)
{
    switch (t) {
    case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: return {0};
    case TensorType::Q4_1: case TensorType::Q5_1: case TensorType::Q4_K: case TensorType::Q5_K: return {0, 2};
    case TensorType::Q2_K: return {80, 82};
    case TensorType::Q3_K: return {108};
    case TensorType::Q6_K: return {208};
    default: return {};
    }
}

std::uint16_t randomFiniteHalf(std::mt19937& rng)
{
    std::uint16_t h = static_cast<std::uint16_t>(rng());
    if (((h >> 10) & 31) == 31)
        h = static_cast<std::uint16_t>(h & ~0x4000); // exponent 31 -> 15
    return h;
}

// Random bytes for `blocks` blocks of `t` (every level, scale and high
// bit pattern), with block scales of moderate size so dots stay finite.
std::vector<std::uint8_t> randomBlocks(std::mt19937& rng, TensorType t, int blocks)
{
    const std::uint16_t scales[] = {0x3c00, 0x2e66, 0xb400, 0x1800, 0x3555};  // 1, 0.1, -0.25, ~1.5e-3, ~0.33
    std::vector<std::uint8_t> raw(static_cast<std::size_t>(bytesOf(t) * blocks));
    for (auto& b : raw)
        b = static_cast<std::uint8_t>(rng());
    for (int i = 0; i < blocks; ++i)
        for (int off : halfFields(t))
            std::memcpy(raw.data() + i * bytesOf(t) + off, &scales[rng() % 5], 2);
    return raw;
}

std::vector<float> randomFloats(std::mt19937& rng, std::size_t n, float lo = -1.0f, float hi = 1.0f)
{
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

std::vector<std::uint8_t> quantized(TensorType t, const std::vector<float>& x)
{
    std::vector<std::uint8_t> q(*rowBytes(t, x.size()));
    quantizeRow(t, x.data(), q.data(), static_cast<std::int64_t>(x.size()));
    return q;
}

std::vector<KernelIsa> runnableIsas()
{
    std::vector<KernelIsa> out;
    const KernelIsa saved = activeKernelIsa();
    for (KernelIsa isa : {KernelIsa::Scalar, KernelIsa::Avx2, KernelIsa::AvxVnni, KernelIsa::Avx512})
        if (setKernelIsa(isa).ok())
            out.push_back(isa);
    (void)setKernelIsa(saved);
    return out;
}

// Worst-case error of a dot against the float input: the 8-bit activation
// rounds each x to within half a step (step = block |x|max / 127), so the
// error is at most sum |w_i| * step_i / 2; float accumulation adds a small
// relative error of sum |w_i x_i|.
double dotTolerance(TensorType t, const std::vector<float>& w, const std::vector<float>& x)
{
    double absWX = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        absWX += std::fabs(static_cast<double>(w[i]) * x[i]);
    double quantErr = 0;
    int block = 0;
    if (t == TensorType::Q4_0 || t == TensorType::Q4_1 || t == TensorType::Q5_0 || t == TensorType::Q5_1
        || t == TensorType::Q8_0)
        block = 32;
    else if (blockOf(t) == 256)
        block = 256;
    if (block) {
        for (std::size_t b0 = 0; b0 < x.size(); b0 += static_cast<std::size_t>(block)) {
            double amax = 0;
            for (int j = 0; j < block; ++j)
                amax = std::max(amax, std::fabs(static_cast<double>(x[b0 + static_cast<std::size_t>(j)])));
            const double halfStep = amax / 127.0 / 2.0;
            for (int j = 0; j < block; ++j)
                quantErr += std::fabs(static_cast<double>(w[b0 + static_cast<std::size_t>(j)])) * halfStep;
        }
    }
    return quantErr * 1.001 + 2e-5 * absWX + 1e-6;
}

// Packed groups (Q4_K, Q5_K, Q6_K, Q8_0) against gemm() on the original rows, in
// every variant that has the packed kernel: odd row counts (a partial
// last group), odd row ranges, 1..11 inputs (the 8-input kernel and a
// tail). Each input's results are bit-identical alone and in a batch.
void checkPackedGroups(TensorType T, std::initializer_list<int> colCounts)
{
    std::mt19937 rng(77);
    const std::int64_t G = packedGroupRows();
    int tested = 0;
    for (KernelIsa isa : runnableIsas()) {
        QVERIFY(setKernelIsa(isa).ok());
        if (!packedGroupsAvailable(T))
            continue;
        ++tested;
        for (int cols : colCounts) {
            for (int rows : {1, 5, 16, 17, 35}) {
                const std::size_t rb = *rowBytes(T, static_cast<std::uint64_t>(cols));
                std::vector<std::uint8_t> w;
                std::vector<float> wf(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
                for (int r = 0; r < rows; ++r) {
                    auto src = randomFloats(rng, static_cast<std::size_t>(cols));
                    if (r == 2) // an all-positive row: every Q4_K min term non-zero
                        for (auto& v : src)
                            v = std::fabs(v) + 0.5f;
                    auto q = quantized(T, src);
                    if (T == TensorType::Q8_0 && r == 3) // the extremes, -128 included (which the 8-bit sign trick must keep)
                        for (std::size_t i = 0; i < static_cast<std::size_t>(cols); ++i)
                            q[i / 32 * 34 + 2 + i % 32] = static_cast<std::uint8_t>(i % 3 == 0 ? -128 : i % 3 == 1 ? 127 : -127);
                    if ((T == TensorType::Q4_K || T == TensorType::Q5_K) && r == 3) {
                        // Every level at its top (15 or 31) and every 6-bit
                        // scale and min 63: the largest 16-bit step sums.
                        const std::size_t bb = T == TensorType::Q4_K ? 144 : 176;
                        for (std::size_t i = 0; i < q.size(); i += bb) {
                            std::fill(q.begin() + static_cast<std::ptrdiff_t>(i + 4), q.begin() + static_cast<std::ptrdiff_t>(i + 16), 0xFF);
                            std::fill(q.begin() + static_cast<std::ptrdiff_t>(i + 16), q.begin() + static_cast<std::ptrdiff_t>(i + bb), 0xFF);
                        }
                    }
                    if (T == TensorType::Q6_K && (r == 3 || r == 4)) {
                        // Every level 63 (row 3) or 0 (row 4) under scales of
                        // -128 and 127: the largest 16-bit step sums and
                        // 32-bit totals the kernel may meet.
                        for (std::size_t i = 0; i < q.size(); i += 210) {
                            std::fill(q.begin() + static_cast<std::ptrdiff_t>(i), q.begin() + static_cast<std::ptrdiff_t>(i + 192), r == 3 ? 0xFF : 0x00);
                            for (int sb = 0; sb < 16; ++sb)
                                q[i + 192 + static_cast<std::size_t>(sb)] = static_cast<std::uint8_t>(sb % 2 ? 127 : -128);
                        }
                    }
                    w.insert(w.end(), q.begin(), q.end());
                    dequantizeRow(T, q.data(), wf.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols), cols);
                }
                const std::size_t gb = packedGroupBytes(T, cols);
                const std::int64_t groups = (rows + G - 1) / G;
                std::vector<std::uint8_t> packed(gb * static_cast<std::size_t>(groups), 0xcd);
                for (std::int64_t g = 0; g < groups; ++g)
                    packGroup(T, w.data() + static_cast<std::size_t>(g * G) * rb, rb, std::min<std::int64_t>(G, rows - g * G), cols,
                                  packed.data() + static_cast<std::size_t>(g) * gb);
                const int B = 11;
                std::vector<std::vector<float>> xs;
                std::vector<PreparedInput> in;
                for (int b = 0; b < B; ++b) {
                    auto x = randomFloats(rng, static_cast<std::size_t>(cols), -2.0f, 2.0f);
                    if (b == 1)
                        for (std::size_t i = 0; i < x.size(); i += 32)
                            x[i] = 40.0f;
                    if (b == 2)
                        std::fill(x.begin(), x.end(), 0.0f);
                    if (b == 3) // every 8-bit value 127: the largest sums of products
                        std::fill(x.begin(), x.end(), 1.5f);
                    in.push_back(prepareInput(T, x.data(), cols));
                    xs.push_back(std::move(x));
                }
                const std::size_t stride = static_cast<std::size_t>(rows) + 3;
                std::vector<float> ref(stride * B, -12345.0f), got(stride * B, -12345.0f);
                gemm(T, w.data(), rb, 0, rows, in, ref.data(), stride);
                gemmPacked(T, packed.data(), gb, 0, rows, in, got.data(), stride, nullptr);
                // Tiles built once (as the forward pass shares them between
                // threads) give the same bits; tiles of other inputs are
                // ignored, not misused.
                PreparedTiles tiles;
                prepareTiles(T, in, tiles);
                std::vector<float> viaTiles(stride * B, -12345.0f);
                gemmPacked(T, packed.data(), gb, 0, rows, in, viaTiles.data(), stride, &tiles);
                QVERIFY(viaTiles == got);
                viaTiles.assign(stride * B, -12345.0f);
                gemmPacked(T, packed.data(), gb, 0, rows, std::span<const PreparedInput>(in.data(), 6), viaTiles.data(), stride, &tiles);
                for (std::size_t b = 0; b < 6; ++b)
                    for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r)
                        QVERIFY(viaTiles[b * stride + r] == got[b * stride + r]);
                {
                    // Sixteen inputs fill whole quads, so whole groups go
                    // straight into the output rows: each input still gets
                    // its bits alone, and nothing past the rows is written.
                    std::vector<PreparedInput> in16 = in;
                    while (in16.size() < 16) {
                        const auto x = randomFloats(rng, static_cast<std::size_t>(cols), -2.0f, 2.0f);
                        in16.push_back(prepareInput(T, x.data(), cols));
                    }
                    PreparedTiles tiles16;
                    prepareTiles(T, in16, tiles16);
                    std::vector<float> all(stride * 16, -12345.0f);
                    gemmPacked(T, packed.data(), gb, 0, rows, in16, all.data(), stride, &tiles16);
                    for (std::size_t b = 0; b < 16; ++b) {
                        std::vector<float> alone(stride, -12345.0f);
                        gemmPacked(T, packed.data(), gb, 0, rows, std::span<const PreparedInput>(&in16[b], 1), alone.data(), stride, nullptr);
                        for (std::size_t r = 0; r < stride; ++r)
                            QVERIFY2(all[b * stride + r] == alone[r],
                                     qPrintable(QString("%1 cols %2 rows %3: 16 inputs, input %4 row %5").arg(kernelIsaName(isa)).arg(cols).arg(rows).arg(b).arg(r)));
                    }
                }
                const QString where = QString("%1 cols %2 rows %3").arg(kernelIsaName(isa)).arg(cols).arg(rows);
                for (int b = 0; b < B; ++b) {
                    for (int r = 0; r < rows; ++r) {
                        double absWX = 0;
                        for (int i = 0; i < cols; ++i)
                            absWX += std::fabs(static_cast<double>(wf[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(i)])
                                               * xs[static_cast<std::size_t>(b)][static_cast<std::size_t>(i)]);
                        const float g1 = got[static_cast<std::size_t>(b) * stride + static_cast<std::size_t>(r)];
                        const float r1 = ref[static_cast<std::size_t>(b) * stride + static_cast<std::size_t>(r)];
                        QVERIFY2(std::fabs(g1 - r1) <= 1e-5 * absWX + 1e-6,
                                 qPrintable(where + QString(" input %1 row %2: %3 vs %4").arg(b).arg(r).arg(g1).arg(r1)));
                    }
                    for (std::size_t r = static_cast<std::size_t>(rows); r < stride; ++r)
                        QCOMPARE(got[static_cast<std::size_t>(b) * stride + r], -12345.0f);
                }
                // One input alone, over an odd row range: the same bits.
                const std::int64_t r0 = rows > 3 ? 3 : 0, r1 = rows > 3 ? rows - 1 : rows;
                for (int b : {0, 1, 9}) {
                    std::vector<float> alone(stride, -7.0f);
                    gemmPacked(T, packed.data(), gb, r0, r1, std::span<const PreparedInput>(&in[static_cast<std::size_t>(b)], 1),
                                  alone.data(), stride, nullptr);
                    for (std::int64_t r = 0; r < static_cast<std::int64_t>(stride); ++r) {
                        const float expect = (r >= r0 && r < r1) ? got[static_cast<std::size_t>(b) * stride + static_cast<std::size_t>(r)] : -7.0f;
                        QVERIFY2(alone[static_cast<std::size_t>(r)] == expect, qPrintable(where + QString(" alone: input %1 row %2").arg(b).arg(r)));
                    }
                }
            }
        }
    }
    qInfo("%s: variants with the packed kernel: %d", nameOf(T).c_str(), tested);
    // Every SIMD variant has it: only a scalar-only CPU tests none.
    QVERIFY(tested > 0 || runnableIsas().size() == 1);
    // Without the kernel (scalar) or with a misfit input: NaN, no crash.
    QVERIFY(setKernelIsa(KernelIsa::Scalar).ok());
    QVERIFY(!packedGroupsAvailable(T));
    std::vector<float> x(256, 1.0f);
    std::vector<PreparedInput> in{prepareInput(T, x.data(), 256)};
    std::vector<std::uint8_t> junk(packedGroupBytes(T, 256), 0);
    float out[3] = {0, 0, 0};
    gemmPacked(T, junk.data(), junk.size(), 0, 3, in, out, 3, nullptr);
    QVERIFY(std::isnan(out[0]) && std::isnan(out[2]));
    QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    if (packedGroupsAvailable(T)) {
        std::vector<PreparedInput> wrong{prepareInput(T == TensorType::Q8_0 ? TensorType::Q4_K : TensorType::Q8_0, x.data(), 256)};
        out[0] = 0;
        gemmPacked(T, junk.data(), junk.size(), 0, 3, wrong, out, 3, nullptr);
        QVERIFY(std::isnan(out[0]));
        out[0] = 0;
        gemmPacked(T, junk.data(), junk.size() - 1, 0, 3, in, out, 3, nullptr);
        QVERIFY(std::isnan(out[0]));
    }
}

} // namespace

class TestTensorKernels : public QObject {
    Q_OBJECT

private slots:
    void halfKnownValues()
    {
        QCOMPARE(halfToFloat(0x3c00), 1.0f);
        QCOMPARE(halfToFloat(0xc000), -2.0f);
        QCOMPARE(halfToFloat(0x7bff), 65504.0f);
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
        QCOMPARE(halfToFloat(0x0400), std::ldexp(1.0f, -14));
        QVERIFY(std::isinf(halfToFloat(0x7c00)) && halfToFloat(0x7c00) > 0);
        QVERIFY(std::isinf(halfToFloat(0xfc00)) && halfToFloat(0xfc00) < 0);
        QVERIFY(std::isnan(halfToFloat(0x7e00)));
        QVERIFY(std::signbit(halfToFloat(0x8000)));

        QCOMPARE(floatToHalf(1.0f), std::uint16_t(0x3c00));
        QCOMPARE(floatToHalf(65504.0f), std::uint16_t(0x7bff));
        QCOMPARE(floatToHalf(65519.0f), std::uint16_t(0x7bff)); // below the halfway point
        QCOMPARE(floatToHalf(65520.0f), std::uint16_t(0x7c00)); // ties to even: infinity
        QCOMPARE(floatToHalf(1e9f), std::uint16_t(0x7c00));
        QCOMPARE(floatToHalf(-1e9f), std::uint16_t(0xfc00));
        QCOMPARE(floatToHalf(1.0f + std::ldexp(1.0f, -11)), std::uint16_t(0x3c00)); // tie -> even
        QCOMPARE(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), std::uint16_t(0x3c02)); // tie -> even
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -25)), std::uint16_t(0x0000)); // tie -> even (0)
        QCOMPARE(floatToHalf(std::ldexp(3.0f, -25)), std::uint16_t(0x0002));
        QCOMPARE(floatToHalf(std::ldexp(1023.75f, -24)), std::uint16_t(0x0400)); // rounds up to normal
        QVERIFY((floatToHalf(std::nanf("")) & 0x7fff) > 0x7c00);

        // Every finite half survives half -> float -> half, and the scalar
        // and row forms agree on all 65536 patterns.
        std::vector<std::uint16_t> all(65536);
        for (int i = 0; i < 65536; ++i)
            all[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(i);
        for (KernelIsa isa : runnableIsas()) {
            QVERIFY(setKernelIsa(isa).ok());
            std::vector<float> f(65536);
            halfToFloatRow(all.data(), f.data(), 65536);
            std::vector<std::uint16_t> back(65536);
            floatToHalfRow(f.data(), back.data(), 65536);
            for (int i = 0; i < 65536; ++i) {
                const float s = halfToFloat(all[static_cast<std::size_t>(i)]);
                const std::size_t k = static_cast<std::size_t>(i);
                if (std::isnan(s)) {
                    QVERIFY(std::isnan(f[k]));
                    continue;
                }
                QVERIFY2(std::memcmp(&s, &f[k], 4) == 0, qPrintable(QString("half 0x%1 (%2)").arg(i, 0, 16).arg(kernelIsaName(isa))));
                QVERIFY2(back[k] == all[k], qPrintable(QString("round trip of 0x%1 (%2)").arg(i, 0, 16).arg(kernelIsaName(isa))));
            }
            // Rounding of the row form matches the scalar one on random floats.
            std::mt19937 rng(7);
            std::vector<float> r = randomFloats(rng, 4099, -70000.0f, 70000.0f);
            for (std::size_t i = 0; i < r.size(); i += 3)
                r[i] *= 1e-6f;
            std::vector<std::uint16_t> h(r.size());
            floatToHalfRow(r.data(), h.data(), static_cast<std::int64_t>(r.size()));
            for (std::size_t i = 0; i < r.size(); ++i)
                QCOMPARE(h[i], floatToHalf(r[i]));
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    void bf16KnownValues()
    {
        QCOMPARE(bf16ToFloat(0x3f80), 1.0f);
        QCOMPARE(bf16ToFloat(0xc040), -3.0f);
        QCOMPARE(floatToBf16(1.0f), std::uint16_t(0x3f80));
        QCOMPARE(floatToBf16(1.0f + std::ldexp(1.0f, -8)), std::uint16_t(0x3f80)); // tie -> even
        QCOMPARE(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), std::uint16_t(0x3f82));
        QVERIFY(std::isnan(bf16ToFloat(floatToBf16(std::nanf("")))));
        for (int i = 0; i < 65536; ++i) {
            const auto h = static_cast<std::uint16_t>(i);
            const float f = bf16ToFloat(h);
            if (!std::isnan(f))
                QCOMPARE(floatToBf16(f), h);
        }
    }

    // Literal blocks worked out by hand.
    void dequantizeHandBlocks()
    {
        // Q4_0, d = 1.0: byte 0x9F -> element 0 = 15 - 8 = 7, element 16 = 9 - 8 = 1.
        std::uint8_t q40[18] = {0x00, 0x3c, 0x9f};
        float y[256];
        dequantizeRow(TensorType::Q4_0, q40, y, 32);
        QCOMPARE(y[0], 7.0f);
        QCOMPARE(y[16], 1.0f);
        QCOMPARE(y[1], -8.0f);
        // Q8_0, d = 0.5: -3 -> -1.5.
        std::uint8_t q80[34] = {0x00, 0x38, 0xfd};
        dequantizeRow(TensorType::Q8_0, q80, y, 32);
        QCOMPARE(y[0], -1.5f);
        QCOMPARE(y[31], 0.0f);
        // Q4_1, d = 2, m = -1: nibble 3 -> 5.
        std::uint8_t q41[20] = {0x00, 0x40, 0x00, 0xbc, 0x03};
        dequantizeRow(TensorType::Q4_1, q41, y, 32);
        QCOMPARE(y[0], 5.0f);
        QCOMPARE(y[16], -1.0f);
        // Q5_0, d = 1: qh bit 0 set, qs[0] low nibble 1 -> 16 + 1 - 16 = 1.
        std::uint8_t q50[22] = {0x00, 0x3c, 0x01, 0, 0, 0, 0x01};
        dequantizeRow(TensorType::Q5_0, q50, y, 32);
        QCOMPARE(y[0], 1.0f);
        QCOMPARE(y[16], -16.0f);
        // Q4_K, d = 1, dmin = 1, sub-block 0 scale 2 min 3, nibble 5 -> 2*5 - 3 = 7.
        std::uint8_t q4k[144] = {0x00, 0x3c, 0x00, 0x3c, 2, 0, 0, 0, 3};
        q4k[16] = 0x05;
        dequantizeRow(TensorType::Q4_K, q4k, y, 256);
        QCOMPARE(y[0], 7.0f);
        QCOMPARE(y[1], -3.0f);
        QCOMPARE(y[32], 0.0f); // sub-block 1: scale 0, min 0
        // Q6_K, d = 1, scale 0 = 2: ql[0] = 0x01, qh[0] = 0x02 -> (1 | 2<<4) - 32 = 1 -> 2.
        std::uint8_t q6k[210] = {};
        q6k[0] = 0x01;
        q6k[128] = 0x02;
        q6k[192] = 2;
        q6k[208] = 0x00;
        q6k[209] = 0x3c;
        dequantizeRow(TensorType::Q6_K, q6k, y, 256);
        QCOMPARE(y[0], 2.0f);
        QCOMPARE(y[1], -64.0f);
    }

    // Random bit patterns in every field, compared element by element with
    // the layout formulas above; the values are exact in float, so equality
    // is bit equality.
    void dequantizeRandomBlocksExactly()
    {
        std::mt19937 rng(1234);
        for (TensorType t : kTypes) {
            if (blockOf(t) == 1)
                continue;
            const int nblocks = 37;
            std::vector<std::uint8_t> raw(static_cast<std::size_t>(bytesOf(t) * nblocks));
            for (auto& b : raw)
                b = static_cast<std::uint8_t>(rng());
            for (int i = 0; i < nblocks; ++i)
                for (int off : halfFields(t)) {
                    const std::uint16_t h = randomFiniteHalf(rng);
                    std::memcpy(raw.data() + i * bytesOf(t) + off, &h, 2);
                }
            const int n = blockOf(t) * nblocks;
            std::vector<float> y(static_cast<std::size_t>(n));
            dequantizeRow(t, raw.data(), y.data(), n);
            for (int i = 0; i < nblocks; ++i)
                for (int e = 0; e < blockOf(t); ++e) {
                    const float expected = static_cast<float>(expectedElement(t, raw.data() + i * bytesOf(t), e));
                    const float got = y[static_cast<std::size_t>(i * blockOf(t) + e)];
                    QVERIFY2(got == expected,
                             qPrintable(QString("%1 block %2 element %3: got %4, expected %5")
                                            .arg(nameOf(t).c_str()).arg(i).arg(e).arg(got).arg(expected)));
                }
        }
        // Float types.
        std::vector<std::uint16_t> h = {0x3c00, 0xc000, 0x0001, 0x7bff};
        float y[4];
        dequantizeRow(TensorType::F16, h.data(), y, 4);
        QCOMPARE(y[3], 65504.0f);
        std::vector<std::uint16_t> b = {0x3f80, 0xc040};
        dequantizeRow(TensorType::BF16, b.data(), y, 2);
        QCOMPARE(y[1], -3.0f);
    }

    // Relative RMS error of quantize -> dequantize on uniform [-1, 1) data.
    // Bounds: rounding to a grid of step s leaves an RMS error of s/sqrt(12);
    // against the signal RMS of 1/sqrt(3) that is s/2. Steps per type (block
    // max |x| ~ 1): Q8_0 1/127, Q4_0 1/8, Q4_1 2/15, Q5_0 1/16, Q5_1 2/31,
    // Q2_K ~1.8/3 (16 values span ~1.8), Q3_K 1/4, Q4_K ~1.9/15, Q5_K ~1.9/31,
    // Q6_K 1/32, plus scale-quantisation slack (~30%).
    void quantizeRoundTripError()
    {
        const std::map<TensorType, double> bound = {
            {TensorType::F32, 0.0}, {TensorType::F16, 1.0 / 2048}, {TensorType::BF16, 1.0 / 256},
            {TensorType::Q8_0, 0.0055}, {TensorType::Q4_0, 0.085}, {TensorType::Q4_1, 0.09},
            {TensorType::Q5_0, 0.042}, {TensorType::Q5_1, 0.044}, {TensorType::Q2_K, 0.38},
            {TensorType::Q3_K, 0.165}, {TensorType::Q4_K, 0.085}, {TensorType::Q5_K, 0.044},
            {TensorType::Q6_K, 0.021},
        };
        std::mt19937 rng(99);
        const std::vector<float> x = randomFloats(rng, 4096);
        for (TensorType t : kTypes) {
            const auto q = quantized(t, x);
            std::vector<float> y(x.size());
            dequantizeRow(t, q.data(), y.data(), static_cast<std::int64_t>(x.size()));
            double err = 0, sig = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                err += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
                sig += static_cast<double>(x[i]) * x[i];
            }
            const double rel = std::sqrt(err / sig);
            qInfo("%s: relative RMS error %.5f (bound %.5f)", nameOf(t).c_str(), rel, bound.at(t));
            QVERIFY2(rel <= bound.at(t), qPrintable(QString("%1: %2 > %3").arg(nameOf(t).c_str()).arg(rel).arg(bound.at(t))));
        }
        // Constant and all-zero blocks stay finite and near exact.
        for (TensorType t : kTypes) {
            std::vector<float> zeros(256, 0.0f), y(256);
            const auto q = quantized(t, zeros);
            dequantizeRow(t, q.data(), y.data(), 256);
            for (float v : y)
                QVERIFY2(v == 0.0f, nameOf(t).c_str());
        }
    }

    // Every variant's dotRow and gemm against a double-precision dot of the
    // dequantised row with the float input.
    void dotMatchesDoubleOracle()
    {
        std::mt19937 rng(42);
        const auto isas = runnableIsas();
        qInfo("variants tested: %d (best %s)", static_cast<int>(isas.size()), kernelIsaName(bestKernelIsa()));
        for (TensorType t : kTypes) {
            for (int blocksPerRow : {1, 3, 16}) {
                // Float rows of 2997 values take gemm's column-chunked path.
                const int cols = blockOf(t) == 1 ? (blocksPerRow == 16 ? 2997 : 1 + 37 * blocksPerRow)
                                                 : blockOf(t) * blocksPerRow;
                const int rows = 7;
                std::vector<std::uint8_t> w;
                std::vector<std::vector<float>> wf(rows);
                const std::size_t rb = *rowBytes(t, static_cast<std::uint64_t>(cols));
                for (int r = 0; r < rows; ++r) {
                    const auto src = randomFloats(rng, static_cast<std::size_t>(cols));
                    const auto q = quantized(t, src);
                    w.insert(w.end(), q.begin(), q.end());
                    wf[static_cast<std::size_t>(r)].resize(static_cast<std::size_t>(cols));
                    dequantizeRow(t, q.data(), wf[static_cast<std::size_t>(r)].data(), cols);
                }
                const int B = 7; // gemm runs the 4-input kernel, then the 3-input one
                std::vector<std::vector<float>> xs;
                for (int b = 0; b < B; ++b) {
                    auto x = randomFloats(rng, static_cast<std::size_t>(cols), -2.0f, 2.0f);
                    if (b == 1) // a spike per block stresses the 8-bit activation scale
                        for (std::size_t i = 0; i < x.size(); i += 32)
                            x[i] = 40.0f;
                    if (b == 2)
                        std::fill(x.begin(), x.end(), 0.0f);
                    if (b == 3) // every 8-bit value 127: the largest sums of products
                        std::fill(x.begin(), x.end(), 1.5f);
                    xs.push_back(std::move(x));
                }
                for (KernelIsa isa : isas) {
                    QVERIFY(setKernelIsa(isa).ok());
                    std::vector<PreparedInput> prepared;
                    for (const auto& x : xs)
                        prepared.push_back(prepareInput(t, x.data(), cols));
                    // Rows [1, rows) into an output wider than the matrix.
                    const std::size_t outStride = rows + 3;
                    std::vector<float> out(outStride * B, -12345.0f);
                    gemm(t, w.data(), rb, 1, rows, prepared, out.data(), outStride);
                    // Two inputs alone run the 2-input kernel; it must agree
                    // with the batch of seven.
                    std::vector<float> out2(outStride * 2, -12345.0f);
                    gemm(t, w.data(), rb, 1, rows, std::span<const PreparedInput>(prepared).first(2), out2.data(), outStride);
                    for (std::size_t k = 0; k < out2.size(); ++k)
                        QVERIFY2(std::fabs(out2[k] - out[k]) <= 1e-5f * (1.0f + std::fabs(out[k])),
                                 qPrintable(QString("%1 %2: gemm of 2 inputs differs at %3").arg(nameOf(t).c_str(), kernelIsaName(isa)).arg(k)));
                    for (int b = 0; b < B; ++b) {
                        const auto& x = xs[static_cast<std::size_t>(b)];
                        for (int r = 0; r < rows; ++r) {
                            const auto& wr = wf[static_cast<std::size_t>(r)];
                            double ref = 0;
                            for (int i = 0; i < cols; ++i)
                                ref += static_cast<double>(wr[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(i)];
                            const double tol = dotTolerance(t, wr, x);
                            const float d = dotRow(t, w.data() + rb * static_cast<std::size_t>(r), prepared[static_cast<std::size_t>(b)]);
                            const QString where = QString("%1 %2 cols %3 row %4 input %5")
                                                      .arg(nameOf(t).c_str(), kernelIsaName(isa)).arg(cols).arg(r).arg(b);
                            QVERIFY2(std::fabs(d - ref) <= tol,
                                     qPrintable(where + QString(": dotRow %1 vs %2 (tol %3)").arg(d).arg(ref).arg(tol)));
                            const float g = out[static_cast<std::size_t>(b) * outStride + static_cast<std::size_t>(r)];
                            if (r == 0) {
                                QVERIFY2(g == -12345.0f, qPrintable(where + ": gemm wrote outside [r0, r1)"));
                                continue;
                            }
                            QVERIFY2(std::fabs(g - ref) <= tol,
                                     qPrintable(where + QString(": gemm %1 vs %2 (tol %3)").arg(g).arg(ref).arg(tol)));
                        }
                        for (std::size_t r = rows; r < outStride; ++r)
                            QCOMPARE(out[static_cast<std::size_t>(b) * outStride + r], -12345.0f);
                    }
                }
            }
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // The variants agree with each other on a long row much more tightly
    // than with the float oracle (same integer sums, different float order).
    void variantsAgreeOnLongRows()
    {
        std::mt19937 rng(5);
        const auto isas = runnableIsas();
        const int cols = 4096 + 512;
        for (TensorType t : kTypes) {
            const auto src = randomFloats(rng, static_cast<std::size_t>(cols));
            const auto w = quantized(t, src);
            const auto x = randomFloats(rng, static_cast<std::size_t>(cols));
            std::vector<float> results;
            for (KernelIsa isa : isas) {
                QVERIFY(setKernelIsa(isa).ok());
                const auto p = prepareInput(t, x.data(), cols);
                results.push_back(dotRow(t, w.data(), p));
            }
            double absWX = 0;
            for (int i = 0; i < cols; ++i)
                absWX += std::fabs(static_cast<double>(src[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(i)]);
            for (std::size_t k = 1; k < results.size(); ++k)
                QVERIFY2(std::fabs(results[k] - results[0]) <= 1e-5 * absWX,
                         qPrintable(QString("%1: %2 %3 vs scalar %4").arg(nameOf(t).c_str(), kernelIsaName(isas[k])).arg(results[k]).arg(results[0])));
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // Float weights (F32, F16, BF16) sum in the 512-bit loop's order in
    // every x86 variant: 16 lanes in two accumulators (32 values a step,
    // then 16), the reduction of _mm512_reduce_add_ps, the rest one rounded
    // product and sum at a time (rows up to 2048 values: longer ones are summed
    // in column chunks, see gemm()).
    // So results are bit-identical on CPUs with and without AVX-512, and a
    // model with float weights agrees with a reference as closely on both
    // (test_model holds stories260K to 1e-4 of llama.cpp's AVX-512 logits).
    void floatDotsSumInSixteenLanes()
    {
        auto modelChunk = [](const float* w, const float* x, std::size_t n) {
            float a0[16] = {}, a1[16] = {};
            std::size_t i = 0;
            for (; i + 32 <= n; i += 32)
                for (std::size_t l = 0; l < 16; ++l) {
                    a0[l] = std::fma(w[i + l], x[i + l], a0[l]);
                    a1[l] = std::fma(w[i + 16 + l], x[i + 16 + l], a1[l]);
                }
            for (; i + 16 <= n; i += 16)
                for (std::size_t l = 0; l < 16; ++l)
                    a0[l] = std::fma(w[i + l], x[i + l], a0[l]);
            float v[16], h[8], q[4];
            for (int l = 0; l < 16; ++l)
                v[l] = a0[l] + a1[l];
            for (int l = 0; l < 8; ++l)
                h[l] = v[l] + v[l + 8];
            for (int l = 0; l < 4; ++l)
                q[l] = h[l] + h[l + 4];
            float sum = (q[0] + q[2]) + (q[1] + q[3]);
            for (; i < n; ++i) {
                volatile float p = w[i] * x[i];
                sum += p;
            }
            return sum;
        };
        // Rows longer than 2048 values: chunks of 1024, their sums added.
        auto model = [&](const std::vector<float>& w, const std::vector<float>& x) {
            if (w.size() <= 2048)
                return modelChunk(w.data(), x.data(), w.size());
            float total = 0;
            for (std::size_t c = 0; c < w.size(); c += 1024)
                total += modelChunk(w.data() + c, x.data() + c, std::min<std::size_t>(1024, w.size() - c));
            return total;
        };
        std::mt19937 rng(17);
        for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
            for (int cols : {16, 31, 48, 64, 172, 2048 - 5, 2997}) {
                // 9 rows: row tiles (3 or 4 rows) cut short at the end.
                constexpr int kRows = 9, kInputs = 11;
                std::vector<std::uint8_t> matrix;
                std::vector<std::vector<float>> ws;
                for (int r = 0; r < kRows; ++r) {
                    const auto row = quantized(t, randomFloats(rng, static_cast<std::size_t>(cols)));
                    matrix.insert(matrix.end(), row.begin(), row.end());
                    ws.emplace_back(static_cast<std::size_t>(cols));
                    dequantizeRow(t, row.data(), ws.back().data(), cols);
                }
                const std::size_t rowBytes = matrix.size() / kRows;
                std::vector<std::vector<float>> xs;
                std::vector<PreparedInput> inputs;
                for (int b = 0; b < kInputs; ++b) {
                    xs.push_back(randomFloats(rng, static_cast<std::size_t>(cols)));
                    inputs.push_back(prepareInput(t, xs.back().data(), cols));
                }
                for (KernelIsa isa : runnableIsas()) {
                    if (isa == KernelIsa::Scalar)
                        continue;
                    QVERIFY(setKernelIsa(isa).ok());
                    // Groups of 4, 4 and 3 inputs, of 4 and 2, then 2 and 1 (the
                    // float tiles take the groups after the first).
                    for (std::size_t count : {std::size_t(kInputs), std::size_t(6), std::size_t(2), std::size_t(1)}) {
                        std::vector<float> out(count * kRows);
                        gemm(t, matrix.data(), rowBytes, 0, kRows, std::span<const PreparedInput>(inputs.data(), count),
                             out.data(), kRows);
                        for (std::size_t b = 0; b < count; ++b)
                            for (std::size_t r = 0; r < kRows; ++r) {
                                const float got = out[b * kRows + r], want = model(ws[r], xs[b]);
                                QVERIFY2(got == want, qPrintable(QString("%1 %2 cols %3 row %4 input %5 of %6: %7 vs %8")
                                                                     .arg(nameOf(t).c_str(), kernelIsaName(isa)).arg(cols).arg(r).arg(b)
                                                                     .arg(count).arg(double(got), 0, 'g', 9).arg(double(want), 0, 'g', 9)));
                            }
                    }
                    if (cols <= 2048) // dotRow sums a row whole
                        QCOMPARE(dotRow(t, matrix.data(), inputs[0]), model(ws[0], xs[0]));
                }
            }
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // Preparing an input gives the same 8-bit values in every variant, so a
    // dot differs between variants only by float summation order. A Q8_0
    // weight row with d = 1 and a single q = 1 reads back one prepared value
    // (its block scale times its quant) exactly.
    void preparedInputsMatchAcrossVariants()
    {
        std::mt19937 rng(11);
        auto x = randomFloats(rng, 512, -3.0f, 3.0f);
        for (std::size_t i = 0; i < x.size(); i += 97)
            x[i] = (i % 2) ? 127.5f : -0.0f;
        const auto isas = runnableIsas();
        std::vector<std::vector<float>> seen(isas.size());
        std::vector<std::uint8_t> row(*rowBytes(TensorType::Q8_0, x.size()), 0);
        for (std::size_t v = 0; v < isas.size(); ++v) {
            QVERIFY(setKernelIsa(isas[v]).ok());
            const auto p = prepareInput(TensorType::Q8_0, x.data(), static_cast<std::int64_t>(x.size()));
            for (std::size_t j = 0; j < x.size(); ++j) {
                std::fill(row.begin(), row.end(), 0);
                const std::size_t blk = j / 32;
                row[blk * 34 + 1] = 0x3c; // d = 1.0
                row[blk * 34 + 2 + j % 32] = 1;
                seen[v].push_back(dotRow(TensorType::Q8_0, row.data(), p));
            }
        }
        for (std::size_t v = 1; v < isas.size(); ++v)
            for (std::size_t j = 0; j < x.size(); ++j)
                QVERIFY2(seen[v][j] == seen[0][j], qPrintable(QString("%1: prepared value %2 differs").arg(kernelIsaName(isas[v])).arg(j)));
        // And each is within half a step of x.
        for (std::size_t j = 0; j < x.size(); ++j) {
            float amax = 0;
            for (std::size_t i = j / 32 * 32; i < j / 32 * 32 + 32; ++i)
                amax = std::max(amax, std::fabs(x[i]));
            QVERIFY(std::fabs(seen[0][j] - x[j]) <= amax / 127.0f * 0.5f * 1.001f + 1e-7f);
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    void floatHelpers()
    {
        std::mt19937 rng(3);
        for (int n : {1, 7, 8, 33, 4096 + 13}) {
            const auto a = randomFloats(rng, static_cast<std::size_t>(n));
            const auto b = randomFloats(rng, static_cast<std::size_t>(n));
            std::vector<std::uint16_t> ah(a.size());
            for (std::size_t i = 0; i < a.size(); ++i)
                ah[i] = floatToHalf(a[i]);
            double ref = 0, refH = 0, absSum = 0;
            for (std::size_t i = 0; i < a.size(); ++i) {
                ref += static_cast<double>(a[i]) * b[i];
                refH += static_cast<double>(halfToFloat(ah[i])) * b[i];
                absSum += std::fabs(static_cast<double>(a[i]) * b[i]);
            }
            for (KernelIsa isa : runnableIsas()) {
                QVERIFY(setKernelIsa(isa).ok());
                QVERIFY(std::fabs(dotF32(a.data(), b.data(), n) - ref) <= 1e-5 * absSum + 1e-7);
                QVERIFY(std::fabs(dotHalfF32(ah.data(), b.data(), n) - refH) <= 1e-5 * absSum + 1e-7);
            }
        }
        QCOMPARE(dotF32(nullptr, nullptr, 0), 0.0f);
        // axpy: y += a * x, exactly one rounding per element apart from FMA
        // contraction, so compare within an ulp-scale bound.
        for (KernelIsa isa : runnableIsas()) {
            QVERIFY(setKernelIsa(isa).ok());
            for (int n : {1, 9, 1000}) {
                const auto x = randomFloats(rng, static_cast<std::size_t>(n));
                std::vector<std::uint16_t> xh(x.size());
                floatToHalfRow(x.data(), xh.data(), n);
                auto y = randomFloats(rng, static_cast<std::size_t>(n));
                auto y2 = y;
                const auto y0 = y;
                axpyF32(0.75f, x.data(), y.data(), n);
                axpyHalfF32(-1.5f, xh.data(), y2.data(), n);
                for (std::size_t i = 0; i < x.size(); ++i) {
                    QVERIFY(std::fabs(y[i] - (y0[i] + 0.75 * x[i])) <= 1e-6);
                    QVERIFY(std::fabs(y2[i] - (y0[i] - 1.5 * halfToFloat(xh[i]))) <= 1e-6);
                }
            }
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // The KV-block helpers: key dots as dotHalfF32 up to summation order,
    // value rows exactly as one axpyHalfF32 per row (heads of 64 and 128
    // take the register-resident forms; 32 and 80 the generic ones).
    void halfRowHelpers()
    {
        std::mt19937 rng(31);
        for (KernelIsa isa : runnableIsas()) {
            QVERIFY(setKernelIsa(isa).ok());
            for (int n : {32, 64, 80, 128}) {
                for (int count : {1, 5, 16, 17, 40}) {
                    const std::size_t stride = static_cast<std::size_t>(n) * 3 + 8;
                    const auto rf = randomFloats(rng, stride * static_cast<std::size_t>(count), -2.0f, 2.0f);
                    std::vector<std::uint16_t> rows(rf.size());
                    floatToHalfRow(rf.data(), rows.data(), static_cast<std::int64_t>(rf.size()));
                    const auto x = randomFloats(rng, static_cast<std::size_t>(n));
                    std::vector<float> got(static_cast<std::size_t>(count) + 1, -9.0f);
                    dotHalfF32Rows(rows.data(), stride, count, x.data(), n, got.data());
                    QCOMPARE(got[static_cast<std::size_t>(count)], -9.0f);
                    for (int i = 0; i < count; ++i) {
                        const std::uint16_t* row = rows.data() + static_cast<std::size_t>(i) * stride;
                        double absSum = 0;
                        for (int d = 0; d < n; ++d)
                            absSum += std::fabs(static_cast<double>(halfToFloat(row[d])) * x[static_cast<std::size_t>(d)]);
                        QVERIFY2(std::fabs(got[static_cast<std::size_t>(i)] - dotHalfF32(row, x.data(), n)) <= 1e-6 * absSum + 1e-7,
                                 qPrintable(QString("%1 n %2 count %3 row %4").arg(kernelIsaName(isa)).arg(n).arg(count).arg(i)));
                    }
                    const auto a = randomFloats(rng, static_cast<std::size_t>(count));
                    auto y = randomFloats(rng, static_cast<std::size_t>(n));
                    auto yRef = y;
                    axpyHalfF32Rows(a.data(), rows.data(), stride, count, y.data(), n);
                    for (int i = 0; i < count; ++i)
                        axpyHalfF32(a[static_cast<std::size_t>(i)], rows.data() + static_cast<std::size_t>(i) * stride, yRef.data(), n);
                    QVERIFY2(y == yRef, qPrintable(QString("%1 axpy n %2 count %3").arg(kernelIsaName(isa)).arg(n).arg(count)));
                }
            }
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // exp within 2 ulp of libm (edges: overflow to inf, underflow to 0,
    // NaN kept), the sum it returns, SwiGLU, sums of squares, and the
    // double-precision value sums identical to their scalar loop.
    void softmaxAndNormHelpers()
    {
        std::mt19937 rng(47);
        for (KernelIsa isa : runnableIsas()) {
            QVERIFY(setKernelIsa(isa).ok());
            const QString name = kernelIsaName(isa);
            for (int n : {1, 7, 8, 9, 31, 100}) {
                auto x = randomFloats(rng, static_cast<std::size_t>(n), -30.0f, 30.0f);
                const float shift = 3.5f;
                const auto x0 = x;
                const double sum = expShiftedRow(x.data(), n, shift);
                double ref = 0;
                for (int i = 0; i < n; ++i) {
                    const double e = std::exp(static_cast<double>(x0[static_cast<std::size_t>(i)] - shift));
                    ref += e;
                    QVERIFY2(std::fabs(x[static_cast<std::size_t>(i)] - e) <= 2.5e-7 * e,
                             qPrintable(QString("%1 exp(%2)").arg(name).arg(x0[static_cast<std::size_t>(i)] - shift)));
                }
                QVERIFY2(std::fabs(sum - ref) <= 1e-6 * ref, qPrintable(name + " exp sum"));

                auto g = randomFloats(rng, static_cast<std::size_t>(n), -12.0f, 12.0f);
                const auto u = randomFloats(rng, static_cast<std::size_t>(n));
                const auto g0 = g;
                siluMulRow(g.data(), u.data(), n);
                for (int i = 0; i < n; ++i) {
                    const double gi = g0[static_cast<std::size_t>(i)], want = gi / (1.0 + std::exp(-gi)) * u[static_cast<std::size_t>(i)];
                    QVERIFY2(std::fabs(g[static_cast<std::size_t>(i)] - want) <= 1e-6 * std::fabs(want) + 1e-30, qPrintable(name + " silu"));
                }
                double sq = 0;
                for (float v : x0)
                    sq += static_cast<double>(v * v);
                QVERIFY2(std::fabs(sumSquaresRow(x0.data(), n) - sq) <= 1e-12 * sq, qPrintable(name + " sum of squares"));
            }
            float edge[] = {100.0f, 88.8f, -100.0f, -90.0f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 0.0f, 88.0f};
            expShiftedRow(edge, 9, 0.0f);
            QVERIFY2(std::isinf(edge[0]) && std::isinf(edge[1]) && std::isinf(edge[4]), qPrintable(name + " overflow"));
            QVERIFY2(edge[2] >= 0.0f && edge[2] < 1e-37f && edge[3] >= 0.0f && edge[3] < 1e-37f && edge[5] == 0.0f, qPrintable(name + " underflow"));
            QVERIFY2(std::isnan(edge[6]) && edge[7] == 1.0f, qPrintable(name + " NaN / exp(0)"));
            QVERIFY2(std::fabs(edge[8] - 1.6516363e38f) <= 3e-7f * 1.6516363e38f, qPrintable(name + " exp(88)"));

            for (int n : {64, 36}) {
                for (int count : {1, 5, 16}) {
                    const std::size_t stride = static_cast<std::size_t>(n) * 2 + 8;
                    const auto rf = randomFloats(rng, stride * static_cast<std::size_t>(count), -2.0f, 2.0f);
                    std::vector<std::uint16_t> rows(rf.size());
                    floatToHalfRow(rf.data(), rows.data(), static_cast<std::int64_t>(rf.size()));
                    const auto a = randomFloats(rng, static_cast<std::size_t>(count));
                    std::vector<double> y(static_cast<std::size_t>(n), 0.25), yRef = y;
                    axpyHalfRowsF64(a.data(), rows.data(), stride, count, y.data(), n);
                    for (int i = 0; i < count; ++i)
                        for (int d = 0; d < n; ++d)
                            yRef[static_cast<std::size_t>(d)] += static_cast<double>(
                                a[static_cast<std::size_t>(i)] * halfToFloat(rows[static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(d)]));
                    QVERIFY2(y == yRef, qPrintable(QString("%1 double axpy n %2 count %3").arg(name).arg(n).arg(count)));
                }
            }
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }

    // Kernels share nothing mutable: threads splitting the rows of one gemm
    // (as the model's pool does) get exactly the single-threaded result.
    void gemmSplitAcrossThreads()
    {
        std::mt19937 rng(21);
        const int rows = 64, cols = 1024, B = 5;
        for (TensorType t : {TensorType::Q4_K, TensorType::Q8_0, TensorType::F16}) {
            std::vector<std::uint8_t> w;
            for (int r = 0; r < rows; ++r) {
                const auto q = quantized(t, randomFloats(rng, cols));
                w.insert(w.end(), q.begin(), q.end());
            }
            std::vector<PreparedInput> in;
            for (int b = 0; b < B; ++b) {
                const auto x = randomFloats(rng, cols);
                in.push_back(prepareInput(t, x.data(), cols));
            }
            const std::size_t rb = *rowBytes(t, cols);
            std::vector<float> one(rows * B), many(rows * B);
            gemm(t, w.data(), rb, 0, rows, in, one.data(), rows);
            std::vector<std::thread> threads;
            for (int k = 0; k < 4; ++k)
                threads.emplace_back([&, k] { gemm(t, w.data(), rb, 16 * k, 16 * k + 16, in, many.data(), rows); });
            for (auto& th : threads)
                th.join();
            QVERIFY2(one == many, nameOf(t).c_str());
        }
    }

    void packedQ4KMatchesGemm()
    {
        QCOMPARE(packedGroupRows(), std::int64_t(16));
        QCOMPARE(packedGroupBytes(TensorType::Q4_K, 100), std::size_t(0));
        QCOMPARE(packedGroupBytes(TensorType::Q4_K, 768), std::size_t(3 * 2368));
        checkPackedGroups(TensorType::Q4_K, {256, 768});
    }

    void packedQ5KMatchesGemm()
    {
        QCOMPARE(packedGroupBytes(TensorType::Q5_K, 100), std::size_t(0));
        QCOMPARE(packedGroupBytes(TensorType::Q5_K, 512), std::size_t(2 * 2880));
        checkPackedGroups(TensorType::Q5_K, {256, 768});
    }

    void packedQ6KMatchesGemm()
    {
        QCOMPARE(packedGroupBytes(TensorType::Q6_K, 100), std::size_t(0));
        QCOMPARE(packedGroupBytes(TensorType::Q6_K, 512), std::size_t(2 * 16 * 210)); // the size of the 16 original rows
        checkPackedGroups(TensorType::Q6_K, {256, 768});
    }

    void packedQ8GroupsMatchGemm()
    {
        QCOMPARE(packedGroupBytes(TensorType::Q8_0, 100), std::size_t(0));
        QCOMPARE(packedGroupBytes(TensorType::Q8_0, 96), std::size_t(3 * 16 * 34)); // the size of the 16 original rows
        checkPackedGroups(TensorType::Q8_0, {32, 96, 768});
    }

    // The AVX-VNNI variant's kernels, built for AVX2 with exact stand-ins
    // for vpdpbusd/vpdpwssd (its code paths otherwise run only on cores
    // with AVX-VNNI), give the AVX2 kernels' bits: the same integer sums
    // by other instructions, then the same float steps. Random blocks cover
    // every level, scale and sign; inputs include all-127 and all-(-127).
    void avxVnniFormMatchesAvx2()
    {
        const kern::KernelTable* vnni = outpost::test::emulatedAvxVnniKernels();
        if (!vnni || !setKernelIsa(KernelIsa::Avx2).ok())
            QSKIP("the CPU does not run AVX2 (or the compiler could not build the emulated kernels)");
        const kern::KernelTable& avx2 = kern::avx2Kernels();
        std::mt19937 rng(404);
        const std::map<TensorType, int> index = {
            {TensorType::F32, kern::kF32}, {TensorType::F16, kern::kF16}, {TensorType::BF16, kern::kBF16},
            {TensorType::Q4_0, kern::kQ4_0}, {TensorType::Q4_1, kern::kQ4_1}, {TensorType::Q5_0, kern::kQ5_0},
            {TensorType::Q5_1, kern::kQ5_1}, {TensorType::Q8_0, kern::kQ8_0}, {TensorType::Q2_K, kern::kQ2_K},
            {TensorType::Q3_K, kern::kQ3_K}, {TensorType::Q4_K, kern::kQ4_K}, {TensorType::Q5_K, kern::kQ5_K},
            {TensorType::Q6_K, kern::kQ6_K}};
        auto inputsFor = [&](TensorType t, int n) {
            std::vector<PreparedInput> in;
            for (int k = 0; k < 8; ++k) {
                auto x = randomFloats(rng, static_cast<std::size_t>(n), -2.0f, 2.0f);
                if (k == 1 || k == 2)
                    std::fill(x.begin(), x.end(), k == 1 ? 1.5f : -1.5f);
                in.push_back(prepareInput(t, x.data(), n));
            }
            std::vector<kern::PreparedView> views;
            for (const auto& p : in)
                views.push_back(kern::preparedView(p));
            return std::make_pair(std::move(in), std::move(views));
        };
        int compared = 0;
        for (TensorType t : kTypes) {
            const int ti = index.at(t);
            if (!avx2.dot[ti] || !vnni->dot[ti] || blockOf(t) == 1)
                continue;
            const int n = 768;
            const auto row = randomBlocks(rng, t, n / blockOf(t));
            const auto [in, views] = inputsFor(t, n);
            for (int nx = 1; nx <= 4; ++nx) {
                float a[4], b[4];
                avx2.dot[ti](row.data(), views.data(), nx, a);
                vnni->dot[ti](row.data(), views.data(), nx, b);
                for (int k = 0; k < nx; ++k)
                    QVERIFY2(a[k] == b[k], qPrintable(QString("%1 dot, %2 inputs, input %3: %4 vs %5")
                                                          .arg(nameOf(t).c_str()).arg(nx).arg(k).arg(a[k]).arg(b[k])));
            }
            ++compared;
        }
        // Packed groups: 16 random rows, 1..8 inputs.
        const std::pair<TensorType, kern::PackedGroupFn kern::KernelTable::*> packed[] = {
            {TensorType::Q4_K, &kern::KernelTable::dotPackedQ4K}, {TensorType::Q5_K, &kern::KernelTable::dotPackedQ5K},
            {TensorType::Q6_K, &kern::KernelTable::dotPackedQ6K}, {TensorType::Q8_0, &kern::KernelTable::dotPackedQ8G}};
        for (const auto& [t, fn] : packed) {
            if (!(avx2.*fn) || !(vnni->*fn))
                continue;
            const int n = 512;
            const std::size_t rb = *rowBytes(t, n);
            std::vector<std::uint8_t> rows;
            for (int r = 0; r < 16; ++r) {
                const auto one = randomBlocks(rng, t, n / blockOf(t));
                rows.insert(rows.end(), one.begin(), one.end());
            }
            std::vector<std::uint8_t> group(packedGroupBytes(t, n));
            packGroup(t, rows.data(), rb, 16, n, group.data());
            const auto [in, views] = inputsFor(t, n);
            for (int nx = 1; nx <= 8; ++nx) {
                float a[8 * 16], b[8 * 16];
                (avx2.*fn)(group.data(), views.data(), nx, a, nullptr);
                (vnni->*fn)(group.data(), views.data(), nx, b, nullptr);
                for (int k = 0; k < 16 * nx; ++k)
                    QVERIFY2(a[k] == b[k], qPrintable(QString("%1 packed, %2 inputs, input %3 row %4: %5 vs %6")
                                                          .arg(nameOf(t).c_str()).arg(nx).arg(k / 16).arg(k % 16).arg(a[k]).arg(b[k])));
            }
            ++compared;
        }
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
        qInfo("kernels compared: %d", compared);
        QVERIFY(compared >= 10);
    }

    // Types without a packed form: no bytes, nothing written, NaN results.
    void packedFormOnlyForItsTypes()
    {
        for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::Q4_0, TensorType::Q3_K, TensorType::Q2_K}) {
            QVERIFY(!packedGroupsAvailable(t));
            QCOMPARE(packedGroupBytes(t, 256), std::size_t(0));
        }
        std::vector<std::uint8_t> dst(64, 0xab);
        std::vector<float> x(256, 1.0f);
        packGroup(TensorType::Q3_K, x.data(), 110, 1, 256, dst.data());
        QVERIFY(std::all_of(dst.begin(), dst.end(), [](std::uint8_t b) { return b == 0xab; }));
        std::vector<PreparedInput> in{prepareInput(TensorType::Q3_K, x.data(), 256)};
        float out[2] = {0, 0};
        gemmPacked(TensorType::Q3_K, dst.data(), dst.size(), 0, 2, in, out, 2);
        QVERIFY(std::isnan(out[0]) && std::isnan(out[1]));
    }

    // Broken preconditions give NaN or nothing, never a crash.
    void badInputIsReportedNotFatal()
    {
        QVERIFY(checkKernelShape(TensorType::Q4_K, 4096).ok());
        const Status s = checkKernelShape(TensorType::Q4_K, 100);
        QVERIFY(!s.ok());
        QVERIFY(s.error().find("Q4_K") != std::string::npos);
        QVERIFY(s.error().find("256") != std::string::npos);
        QVERIFY(!checkKernelShape(TensorType::IQ2_XS, 256).ok());
        QVERIFY(!checkKernelShape(TensorType::F32, 0).ok());
        QVERIFY(!kernelSupports(TensorType::Q8_K));

        std::vector<std::uint8_t> junk(1024, 0xab);
        float y[64];
        dequantizeRow(TensorType::IQ2_XS, junk.data(), y, 64);
        QVERIFY(std::isnan(y[0]) && std::isnan(y[63]));
        dequantizeRow(TensorType::Q4_0, junk.data(), y, 33);
        QVERIFY(std::isnan(y[0]));

        std::vector<float> x(300, 1.0f);
        quantizeRow(TensorType::Q4_K, x.data(), junk.data(), 300);
        QCOMPARE(junk[0], std::uint8_t(0xab));

        const PreparedInput bad = prepareInput(TensorType::Q4_K, x.data(), 300);
        QVERIFY(bad.empty());
        QVERIFY(std::isnan(dotRow(TensorType::Q4_K, junk.data(), bad)));
        const PreparedInput forQ8 = prepareInput(TensorType::Q8_0, x.data(), 256);
        QVERIFY(std::isnan(dotRow(TensorType::Q4_K, junk.data(), forQ8)));
        float out[2] = {0, 0};
        std::vector<PreparedInput> in{forQ8};
        gemm(TensorType::Q4_K, junk.data(), 144, 0, 2, in, out, 2);
        QVERIFY(std::isnan(out[0]) && std::isnan(out[1]));
        // A NaN or infinite activation makes the dot NaN in every variant and
        // type, never a finite wrong number.
        std::mt19937 rng(8);
        for (KernelIsa isa : runnableIsas()) {
            QVERIFY(setKernelIsa(isa).ok());
            for (TensorType t : kTypes) {
                for (float badValue : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
                    auto xs = randomFloats(rng, 512);
                    xs[300] = badValue;
                    const auto w = quantized(t, randomFloats(rng, 512));
                    const auto p = prepareInput(t, xs.data(), 512);
                    QVERIFY2(std::isnan(dotRow(t, w.data(), p)) || std::isinf(dotRow(t, w.data(), p)),
                             qPrintable(QString("%1 %2").arg(nameOf(t).c_str(), kernelIsaName(isa))));
                }
            }
        }
        QVERIFY(setKernelIsa(KernelIsa::Scalar).ok());
        QVERIFY(setKernelIsa(bestKernelIsa()).ok());
    }
};

QTEST_APPLESS_MAIN(TestTensorKernels)
#include "test_tensor_kernels.moc"
