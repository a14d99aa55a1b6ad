// Dequantisation (bit-exact with ggml's formulas) and quantisation of rows.
// Everything here is scalar and compiled for the baseline ISA: it is the
// reference the SIMD dot kernels are tested against.
#include "inference/tensor/kernels.h"
#include "inference/tensor/kernels_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace outpost::inference {

using namespace kern;

namespace {

// ---- dequantisation ------------------------------------------------------------

void dequantQ4_0(const BlockQ4_0* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = static_cast<float>((b[i].qs[j] & 0xF) - 8) * d;
            y[j + QK / 2] = static_cast<float>((b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantQ4_1(const BlockQ4_1* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = fp16ToFp32(b[i].d);
        const float m = fp16ToFp32(b[i].m);
        for (int j = 0; j < QK / 2; ++j) {
            y[j] = static_cast<float>(b[i].qs[j] & 0xF) * d + m;
            y[j + QK / 2] = static_cast<float>(b[i].qs[j] >> 4) * d + m;
        }
    }
}

std::uint32_t loadQh(const std::uint8_t* qh)
{
    return static_cast<std::uint32_t>(qh[0]) | (static_cast<std::uint32_t>(qh[1]) << 8)
        | (static_cast<std::uint32_t>(qh[2]) << 16) | (static_cast<std::uint32_t>(qh[3]) << 24);
}

void dequantQ5_0(const BlockQ5_0* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = fp16ToFp32(b[i].d);
        const std::uint32_t qh = loadQh(b[i].qh);
        for (int j = 0; j < QK / 2; ++j) {
            const int h0 = ((qh >> j) & 1) << 4;
            const int h1 = ((qh >> (j + 16)) & 1) << 4;
            y[j] = static_cast<float>(((b[i].qs[j] & 0xF) | h0) - 16) * d;
            y[j + QK / 2] = static_cast<float>(((b[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}

void dequantQ5_1(const BlockQ5_1* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = fp16ToFp32(b[i].d);
        const float m = fp16ToFp32(b[i].m);
        const std::uint32_t qh = loadQh(b[i].qh);
        for (int j = 0; j < QK / 2; ++j) {
            const int h0 = ((qh >> j) & 1) << 4;
            const int h1 = ((qh >> (j + 16)) & 1) << 4;
            y[j] = static_cast<float>((b[i].qs[j] & 0xF) | h0) * d + m;
            y[j + QK / 2] = static_cast<float>((b[i].qs[j] >> 4) | h1) * d + m;
        }
    }
}

void dequantQ8_0(const BlockQ8_0* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, y += QK) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < QK; ++j)
            y[j] = static_cast<float>(b[i].qs[j]) * d;
    }
}

void dequantQ2_K(const BlockQ2_K* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        const std::uint8_t* q = b[i].qs;
        int is = 0;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; ++part) {
                    const std::uint8_t sc = b[i].scales[is++];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = dmin * static_cast<float>(sc >> 4);
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
                }
            }
        }
    }
}

void dequantQ3_K(const BlockQ3_K* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        std::int8_t sc[16];
        scalesQ3K(b[i].scales, sc);
        const std::uint8_t* q = b[i].qs;
        const std::uint8_t* hm = b[i].hmask;
        int is = 0;
        unsigned m = 1;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                for (int part = 0; part < 2; ++part) {
                    const float dl = d * static_cast<float>(sc[is++]);
                    for (int l = 0; l < 16; ++l) {
                        const int k = l + 16 * part;
                        const int v = ((q[k] >> shift) & 3) - ((hm[k] & m) ? 0 : 4);
                        *y++ = dl * static_cast<float>(v);
                    }
                }
            }
        }
    }
}

void dequantQ4_K(const BlockQ4_K* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        const std::uint8_t* q = b[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32) {
            std::uint8_t sc, m;
            scaleMinK4(j, b[i].scales, sc, m);
            const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
            scaleMinK4(j + 1, b[i].scales, sc, m);
            const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void dequantQ5_K(const BlockQ5_K* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        const std::uint8_t* q = b[i].qs;
        const std::uint8_t* qh = b[i].qh;
        unsigned u1 = 1, u2 = 2;
        for (int j = 0; j < 8; j += 2, q += 32, u1 <<= 2, u2 <<= 2) {
            std::uint8_t sc, m;
            scaleMinK4(j, b[i].scales, sc, m);
            const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
            scaleMinK4(j + 1, b[i].scales, sc, m);
            const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>((q[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>((q[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
        }
    }
}

void dequantQ6_K(const BlockQ6_K* b, float* y, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const std::uint8_t* ql = b[i].ql;
        const std::uint8_t* qh = b[i].qh;
        const std::int8_t* sc = b[i].scales;
        for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
        }
    }
}

// ---- quantisation helpers --------------------------------------------------------

int roundToInt(float v) { return static_cast<int>(std::lrintf(v)); }
int clampInt(int v, int lo, int hi) { return std::min(std::max(v, lo), hi); }

// Fits x[i] ~= scale * q[i] - minv with q in [0, nmax] and minv >= 0 (so
// the grid always covers 0 when the values straddle it, like ggml's mins).
// Tries a spread of grid steps around (max - min) / nmax and refines each by
// least squares; returns the pair with the least squared error.
void fitAffine(const float* x, int n, int nmax, float& scale, float& minv)
{
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    lo = std::min(lo, 0.0f);
    if (hi <= lo) {
        scale = 0.0f;
        minv = -lo;
        return;
    }
    float bestErr = std::numeric_limits<float>::infinity();
    scale = (hi - lo) / static_cast<float>(nmax);
    minv = -lo;
    for (int step = -8; step <= 8; ++step) {
        const float iscale = (static_cast<float>(nmax) + 0.1f * static_cast<float>(step)) / (hi - lo);
        // Least squares for (s, m) in x ~= s*q + m given the q of this grid.
        double sq = 0, sqq = 0, sx = 0, sqx = 0;
        int q[256];
        for (int i = 0; i < n; ++i) {
            q[i] = clampInt(roundToInt((x[i] - lo) * iscale), 0, nmax);
            sq += q[i];
            sqq += static_cast<double>(q[i]) * q[i];
            sx += x[i];
            sqx += q[i] * static_cast<double>(x[i]);
        }
        const double det = n * sqq - sq * sq;
        double s, m;
        if (det > 0) {
            s = (n * sqx - sq * sx) / det;
            m = (sqq * sx - sq * sqx) / det;
        } else {
            s = 0;
            m = sx / n;
        }
        if (m > 0) { // the offset must not be positive: refit the scale alone
            m = 0;
            s = sqq > 0 ? sqx / sqq : 0;
        }
        if (s < 0)
            continue;
        double err = 0;
        for (int i = 0; i < n; ++i) {
            const double e = s * q[i] + m - x[i];
            err += e * e;
        }
        if (err < bestErr) {
            bestErr = static_cast<float>(err);
            scale = static_cast<float>(s);
            minv = static_cast<float>(-m);
        }
    }
}

// Fits x[i] ~= scale * q[i] with q in [qmin, qmax] (qmin < 0 < qmax); the
// scale may be negative so that the value of largest magnitude can use the
// longer side of the range.
float fitSymmetric(const float* x, int n, int qmin, int qmax)
{
    float amax = 0.0f, vmax = 0.0f;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            vmax = x[i];
        }
    if (amax == 0.0f)
        return 0.0f;
    float best = vmax / static_cast<float>(qmin);
    double bestErr = std::numeric_limits<double>::infinity();
    for (int step = -9; step <= 9; ++step) {
        const float iscale = (static_cast<float>(qmin) + 0.1f * static_cast<float>(step)) / vmax;
        double sqq = 0, sqx = 0;
        int q[256];
        for (int i = 0; i < n; ++i) {
            q[i] = clampInt(roundToInt(x[i] * iscale), qmin, qmax);
            sqq += static_cast<double>(q[i]) * q[i];
            sqx += q[i] * static_cast<double>(x[i]);
        }
        if (sqq <= 0)
            continue;
        const double s = sqx / sqq;
        double err = 0;
        for (int i = 0; i < n; ++i) {
            const double e = s * q[i] - x[i];
            err += e * e;
        }
        if (err < bestErr) {
            bestErr = err;
            best = static_cast<float>(s);
        }
    }
    return best;
}

// Stores v as a half and returns the value the half really holds.
float storeHalf(std::uint16_t& dst, float v)
{
    dst = fp32ToFp16(v);
    return fp16ToFp32(dst);
}

// ---- quantisation of the 32-element types --------------------------------------

void quantQ4_0(const float* x, BlockQ4_0* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK) {
        float amax = 0, vmax = 0;
        for (int j = 0; j < QK; ++j)
            if (std::fabs(x[j]) > amax) { amax = std::fabs(x[j]); vmax = x[j]; }
        const float d = storeHalf(b[i].d, vmax / -8.0f);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = clampInt(roundToInt(x[j] * id) + 8, 0, 15);
            const int q1 = clampInt(roundToInt(x[j + QK / 2] * id) + 8, 0, 15);
            b[i].qs[j] = static_cast<std::uint8_t>(q0 | (q1 << 4));
        }
    }
}

void quantQ4_1(const float* x, BlockQ4_1* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK) {
        const auto [lo, hi] = std::minmax_element(x, x + QK);
        const float d = storeHalf(b[i].d, (*hi - *lo) / 15.0f);
        const float m = storeHalf(b[i].m, *lo);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < QK / 2; ++j) {
            const int q0 = clampInt(roundToInt((x[j] - m) * id), 0, 15);
            const int q1 = clampInt(roundToInt((x[j + QK / 2] - m) * id), 0, 15);
            b[i].qs[j] = static_cast<std::uint8_t>(q0 | (q1 << 4));
        }
    }
}

void storeQ5(const int* q, std::uint8_t* qs, std::uint8_t* qhBytes)
{
    std::uint32_t qh = 0;
    for (int j = 0; j < QK / 2; ++j) {
        qs[j] = static_cast<std::uint8_t>((q[j] & 0xF) | ((q[j + QK / 2] & 0xF) << 4));
        qh |= static_cast<std::uint32_t>((q[j] >> 4) & 1) << j;
        qh |= static_cast<std::uint32_t>((q[j + QK / 2] >> 4) & 1) << (j + 16);
    }
    for (int k = 0; k < 4; ++k)
        qhBytes[k] = static_cast<std::uint8_t>(qh >> (8 * k));
}

void quantQ5_0(const float* x, BlockQ5_0* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK) {
        float amax = 0, vmax = 0;
        for (int j = 0; j < QK; ++j)
            if (std::fabs(x[j]) > amax) { amax = std::fabs(x[j]); vmax = x[j]; }
        const float d = storeHalf(b[i].d, vmax / -16.0f);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int q[QK];
        for (int j = 0; j < QK; ++j)
            q[j] = clampInt(roundToInt(x[j] * id) + 16, 0, 31);
        storeQ5(q, b[i].qs, b[i].qh);
    }
}

void quantQ5_1(const float* x, BlockQ5_1* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK) {
        const auto [lo, hi] = std::minmax_element(x, x + QK);
        const float d = storeHalf(b[i].d, (*hi - *lo) / 31.0f);
        const float m = storeHalf(b[i].m, *lo);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int q[QK];
        for (int j = 0; j < QK; ++j)
            q[j] = clampInt(roundToInt((x[j] - m) * id), 0, 31);
        storeQ5(q, b[i].qs, b[i].qh);
    }
}

void quantQ8_0(const float* x, BlockQ8_0* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK) {
        float amax = 0;
        for (int j = 0; j < QK; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = storeHalf(b[i].d, amax / 127.0f);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < QK; ++j)
            b[i].qs[j] = static_cast<std::int8_t>(clampInt(roundToInt(x[j] * id), -127, 127));
    }
}

// ---- quantisation of the K-quants -------------------------------------------------

// Sub-block scales and mins (affine types) quantised against a super-block
// scale: returns the integer levels and stores the half scales.
struct AffineLevels {
    int sc[16];
    int m[16];
    float d;
    float dmin;
};

AffineLevels quantizeAffineScales(const float* scales, const float* mins, int count, int levelMax,
                                  std::uint16_t& dHalf, std::uint16_t& dminHalf)
{
    AffineLevels out{};
    const float maxScale = *std::max_element(scales, scales + count);
    const float maxMin = *std::max_element(mins, mins + count);
    out.d = storeHalf(dHalf, maxScale / static_cast<float>(levelMax));
    out.dmin = storeHalf(dminHalf, maxMin / static_cast<float>(levelMax));
    const float id = out.d != 0.0f ? 1.0f / out.d : 0.0f;
    const float idm = out.dmin != 0.0f ? 1.0f / out.dmin : 0.0f;
    for (int j = 0; j < count; ++j) {
        out.sc[j] = clampInt(roundToInt(scales[j] * id), 0, levelMax);
        out.m[j] = clampInt(roundToInt(mins[j] * idm), 0, levelMax);
    }
    return out;
}

// Quantises n values against x ~= dl * q - ml, q in [0, nmax].
void quantizeAffine(const float* x, int n, float dl, float ml, int nmax, int* q)
{
    const float id = dl != 0.0f ? 1.0f / dl : 0.0f;
    for (int i = 0; i < n; ++i)
        q[i] = clampInt(roundToInt((x[i] + ml) * id), 0, nmax);
}

void quantQ2_K(const float* x, BlockQ2_K* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK_K) {
        float scales[16], mins[16];
        for (int j = 0; j < 16; ++j)
            fitAffine(x + 16 * j, 16, 3, scales[j], mins[j]);
        const AffineLevels lv = quantizeAffineScales(scales, mins, 16, 15, b[i].d, b[i].dmin);
        int q[QK_K];
        for (int j = 0; j < 16; ++j) {
            b[i].scales[j] = static_cast<std::uint8_t>(lv.sc[j] | (lv.m[j] << 4));
            quantizeAffine(x + 16 * j, 16, lv.d * static_cast<float>(lv.sc[j]),
                           lv.dmin * static_cast<float>(lv.m[j]), 3, q + 16 * j);
        }
        std::memset(b[i].qs, 0, sizeof b[i].qs);
        for (int e = 0; e < QK_K; ++e) {
            const int half = e / 128, shift = 2 * ((e % 128) / 32), l = e % 32;
            b[i].qs[32 * half + l] |= static_cast<std::uint8_t>(q[e] << shift);
        }
    }
}

void quantQ3_K(const float* x, BlockQ3_K* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK_K) {
        float scales[16];
        float amax = 0, vmax = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fitSymmetric(x + 16 * j, 16, -4, 3);
            if (std::fabs(scales[j]) > amax) { amax = std::fabs(scales[j]); vmax = scales[j]; }
        }
        const float d = storeHalf(b[i].d, vmax / -32.0f);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int ls[16];
        for (int j = 0; j < 16; ++j)
            ls[j] = clampInt(roundToInt(scales[j] * id), -32, 31);
        std::memset(b[i].scales, 0, sizeof b[i].scales);
        for (int j = 0; j < 16; ++j) {
            const int v = ls[j] + 32;
            if (j < 8)
                b[i].scales[j] |= static_cast<std::uint8_t>(v & 0xF);
            else
                b[i].scales[j - 8] |= static_cast<std::uint8_t>((v & 0xF) << 4);
            b[i].scales[8 + (j % 4)] |= static_cast<std::uint8_t>(((v >> 4) & 3) << (2 * (j / 4)));
        }
        std::memset(b[i].qs, 0, sizeof b[i].qs);
        std::memset(b[i].hmask, 0, sizeof b[i].hmask);
        for (int e = 0; e < QK_K; ++e) {
            const float dl = d * static_cast<float>(ls[e / 16]);
            const int q = dl != 0.0f ? clampInt(roundToInt(x[e] / dl), -4, 3) + 4 : 4;
            const int half = e / 128, j = (e % 128) / 32, l = e % 32;
            b[i].qs[32 * half + l] |= static_cast<std::uint8_t>((q & 3) << (2 * j));
            if (q & 4)
                b[i].hmask[l] |= static_cast<std::uint8_t>(1u << (4 * half + j));
        }
    }
}

void packScalesK4(const int* sc, const int* m, std::uint8_t* q)
{
    std::memset(q, 0, 12);
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            q[j] |= static_cast<std::uint8_t>(sc[j]);
            q[j + 4] |= static_cast<std::uint8_t>(m[j]);
        } else {
            q[j + 4] = static_cast<std::uint8_t>((sc[j] & 0xF) | ((m[j] & 0xF) << 4));
            q[j - 4] |= static_cast<std::uint8_t>((sc[j] >> 4) << 6);
            q[j] |= static_cast<std::uint8_t>((m[j] >> 4) << 6);
        }
    }
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): eight sub-blocks of 32.
AffineLevels quantKAffine(const float* x, std::uint16_t& dHalf, std::uint16_t& dminHalf,
                          std::uint8_t* packed, int nmax, int* q)
{
    float scales[8], mins[8];
    for (int j = 0; j < 8; ++j)
        fitAffine(x + 32 * j, 32, nmax, scales[j], mins[j]);
    const AffineLevels lv = quantizeAffineScales(scales, mins, 8, 63, dHalf, dminHalf);
    packScalesK4(lv.sc, lv.m, packed);
    for (int j = 0; j < 8; ++j)
        quantizeAffine(x + 32 * j, 32, lv.d * static_cast<float>(lv.sc[j]),
                       lv.dmin * static_cast<float>(lv.m[j]), nmax, q + 32 * j);
    return lv;
}

void quantQ4_K(const float* x, BlockQ4_K* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK_K) {
        int q[QK_K];
        quantKAffine(x, b[i].d, b[i].dmin, b[i].scales, 15, q);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l)
                b[i].qs[32 * c + l] = static_cast<std::uint8_t>(q[64 * c + l] | (q[64 * c + 32 + l] << 4));
    }
}

void quantQ5_K(const float* x, BlockQ5_K* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK_K) {
        int q[QK_K];
        quantKAffine(x, b[i].d, b[i].dmin, b[i].scales, 31, q);
        std::memset(b[i].qh, 0, sizeof b[i].qh);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                const int a = q[64 * c + l], h = q[64 * c + 32 + l];
                b[i].qs[32 * c + l] = static_cast<std::uint8_t>((a & 0xF) | ((h & 0xF) << 4));
                b[i].qh[l] |= static_cast<std::uint8_t>(((a >> 4) << (2 * c)) | ((h >> 4) << (2 * c + 1)));
            }
    }
}

void quantQ6_K(const float* x, BlockQ6_K* b, std::int64_t nb)
{
    for (std::int64_t i = 0; i < nb; ++i, x += QK_K) {
        float scales[16];
        float amax = 0, vmax = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fitSymmetric(x + 16 * j, 16, -32, 31);
            if (std::fabs(scales[j]) > amax) { amax = std::fabs(scales[j]); vmax = scales[j]; }
        }
        const float d = storeHalf(b[i].d, vmax / -128.0f);
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < 16; ++j)
            b[i].scales[j] = static_cast<std::int8_t>(clampInt(roundToInt(scales[j] * id), -128, 127));
        std::memset(b[i].qh, 0, sizeof b[i].qh);
        std::memset(b[i].ql, 0, sizeof b[i].ql);
        for (int e = 0; e < QK_K; ++e) {
            const float dl = d * static_cast<float>(b[i].scales[e / 16]);
            const int q = dl != 0.0f ? clampInt(roundToInt(x[e] / dl), -32, 31) + 32 : 32;
            // Element e of a 128-half sits at byte l of ql (low or high nibble
            // of the first or second 32 bytes) with its top 2 bits in qh[l].
            const int half = e / 128, k = (e % 128) / 32, l = e % 32;
            std::uint8_t& lo = b[i].ql[64 * half + l + 32 * (k & 1)];
            if (k < 2)
                lo = static_cast<std::uint8_t>((lo & 0xF0) | (q & 0xF));
            else
                lo = static_cast<std::uint8_t>((lo & 0x0F) | ((q & 0xF) << 4));
            b[i].qh[32 * half + l] |= static_cast<std::uint8_t>((q >> 4) << (2 * k));
        }
    }
}

std::int64_t blockCount(TensorType type, std::int64_t n)
{
    if (!kernelSupports(type) || n < 0)
        return -1;
    const auto info = tensorTypeInfo(type);
    if (n % info->blockElements != 0)
        return -1;
    return n / info->blockElements;
}

} // namespace

// ---- public --------------------------------------------------------------------

float halfToFloat(std::uint16_t h) { return fp16ToFp32(h); }
std::uint16_t floatToHalf(float f) { return fp32ToFp16(f); }
float bf16ToFloat(std::uint16_t h) { return bf16ToFp32(h); }
std::uint16_t floatToBf16(float f) { return fp32ToBf16(f); }

bool kernelSupports(TensorType type)
{
    switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16:
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
    case TensorType::Q8_0: case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K:
    case TensorType::Q5_K: case TensorType::Q6_K:
        return true;
    default:
        return false;
    }
}

Status checkKernelShape(TensorType type, std::int64_t n)
{
    const auto info = tensorTypeInfo(type);
    const std::string name = info ? std::string(info->name) : "type " + std::to_string(static_cast<std::uint32_t>(type));
    if (!kernelSupports(type))
        return Error{"tensor type " + name + " is not supported by the CPU kernels"};
    if (n <= 0 || n % info->blockElements != 0)
        return Error{"a row of " + std::to_string(n) + " elements is not a positive multiple of the "
                     + name + " block size (" + std::to_string(info->blockElements) + ")"};
    return {};
}

void dequantizeRow(TensorType type, const void* src, float* dst, std::int64_t n)
{
    const std::int64_t nb = blockCount(type, n);
    if (nb < 0) {
        std::fill(dst, dst + std::max<std::int64_t>(n, 0), std::numeric_limits<float>::quiet_NaN());
        return;
    }
    switch (type) {
    case TensorType::F32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); break;
    case TensorType::F16: halfToFloatRow(static_cast<const std::uint16_t*>(src), dst, n); break;
    case TensorType::BF16: {
        const auto* s = static_cast<const std::uint16_t*>(src);
        for (std::int64_t i = 0; i < n; ++i)
            dst[i] = bf16ToFp32(s[i]);
        break;
    }
    case TensorType::Q4_0: dequantQ4_0(static_cast<const BlockQ4_0*>(src), dst, nb); break;
    case TensorType::Q4_1: dequantQ4_1(static_cast<const BlockQ4_1*>(src), dst, nb); break;
    case TensorType::Q5_0: dequantQ5_0(static_cast<const BlockQ5_0*>(src), dst, nb); break;
    case TensorType::Q5_1: dequantQ5_1(static_cast<const BlockQ5_1*>(src), dst, nb); break;
    case TensorType::Q8_0: dequantQ8_0(static_cast<const BlockQ8_0*>(src), dst, nb); break;
    case TensorType::Q2_K: dequantQ2_K(static_cast<const BlockQ2_K*>(src), dst, nb); break;
    case TensorType::Q3_K: dequantQ3_K(static_cast<const BlockQ3_K*>(src), dst, nb); break;
    case TensorType::Q4_K: dequantQ4_K(static_cast<const BlockQ4_K*>(src), dst, nb); break;
    case TensorType::Q5_K: dequantQ5_K(static_cast<const BlockQ5_K*>(src), dst, nb); break;
    case TensorType::Q6_K: dequantQ6_K(static_cast<const BlockQ6_K*>(src), dst, nb); break;
    default: break;
    }
}

void quantizeRow(TensorType type, const float* src, void* dst, std::int64_t n)
{
    const std::int64_t nb = blockCount(type, n);
    if (nb < 0)
        return;
    switch (type) {
    case TensorType::F32: std::memcpy(dst, src, static_cast<std::size_t>(n) * 4); break;
    case TensorType::F16: floatToHalfRow(src, static_cast<std::uint16_t*>(dst), n); break;
    case TensorType::BF16: {
        auto* d = static_cast<std::uint16_t*>(dst);
        for (std::int64_t i = 0; i < n; ++i)
            d[i] = fp32ToBf16(src[i]);
        break;
    }
    case TensorType::Q4_0: quantQ4_0(src, static_cast<BlockQ4_0*>(dst), nb); break;
    case TensorType::Q4_1: quantQ4_1(src, static_cast<BlockQ4_1*>(dst), nb); break;
    case TensorType::Q5_0: quantQ5_0(src, static_cast<BlockQ5_0*>(dst), nb); break;
    case TensorType::Q5_1: quantQ5_1(src, static_cast<BlockQ5_1*>(dst), nb); break;
    case TensorType::Q8_0: quantQ8_0(src, static_cast<BlockQ8_0*>(dst), nb); break;
    case TensorType::Q2_K: quantQ2_K(src, static_cast<BlockQ2_K*>(dst), nb); break;
    case TensorType::Q3_K: quantQ3_K(src, static_cast<BlockQ3_K*>(dst), nb); break;
    case TensorType::Q4_K: quantQ4_K(src, static_cast<BlockQ4_K*>(dst), nb); break;
    case TensorType::Q5_K: quantQ5_K(src, static_cast<BlockQ5_K*>(dst), nb); break;
    case TensorType::Q6_K: quantQ6_K(src, static_cast<BlockQ6_K*>(dst), nb); break;
    default: break;
    }
}

} // namespace outpost::inference
