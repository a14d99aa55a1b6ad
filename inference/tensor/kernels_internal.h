#pragma once
// Private to inference/tensor: block layouts, the prepared-input view and the
// per-ISA kernel tables. The SIMD translation units are compiled with their
// own -m flags, so everything here that has code is `static inline` (internal
// linkage): a function compiled for AVX2 must never be merged by the linker
// with the baseline copy another file uses.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace outpost::inference::kern {

constexpr int QK = 32;     // elements per block of Q4_0 ... Q8_0
constexpr int QK_K = 256;  // elements per K-quant super-block

// Layouts are ggml's, byte for byte (all members are byte-aligned except the
// half floats, which are 2-aligned; sizes are checked below).
struct BlockQ4_0 { std::uint16_t d; std::uint8_t qs[QK / 2]; };
struct BlockQ4_1 { std::uint16_t d; std::uint16_t m; std::uint8_t qs[QK / 2]; };
struct BlockQ5_0 { std::uint16_t d; std::uint8_t qh[4]; std::uint8_t qs[QK / 2]; };
struct BlockQ5_1 { std::uint16_t d; std::uint16_t m; std::uint8_t qh[4]; std::uint8_t qs[QK / 2]; };
struct BlockQ8_0 { std::uint16_t d; std::int8_t qs[QK]; };
struct BlockQ2_K { std::uint8_t scales[QK_K / 16]; std::uint8_t qs[QK_K / 4]; std::uint16_t d; std::uint16_t dmin; };
struct BlockQ3_K { std::uint8_t hmask[QK_K / 8]; std::uint8_t qs[QK_K / 4]; std::uint8_t scales[12]; std::uint16_t d; };
struct BlockQ4_K { std::uint16_t d; std::uint16_t dmin; std::uint8_t scales[12]; std::uint8_t qs[QK_K / 2]; };
struct BlockQ5_K { std::uint16_t d; std::uint16_t dmin; std::uint8_t scales[12]; std::uint8_t qh[QK_K / 8]; std::uint8_t qs[QK_K / 2]; };
struct BlockQ6_K { std::uint8_t ql[QK_K / 2]; std::uint8_t qh[QK_K / 4]; std::int8_t scales[QK_K / 16]; std::uint16_t d; };

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);

// What a kernel sees of a PreparedInput.
//  Float form (F32/F16/BF16 weights): f = x, n values.
//  Q8 form, blocks of 32: q = n int8, d = n/32 scales, bsums = n/32 sums of
//    each block's q, dsum = n/32 values of d * bsums (the min/offset terms of
//    Q4_0..Q5_1 need them).
//  Q8_K form, blocks of 256: q = n int8, d = n/256 scales, bsums = n/16 sums
//    of 16 consecutive q, sums32 = n/32 sums of 32 consecutive q.
struct PreparedView {
    std::int64_t n = 0;
    const float* f = nullptr;
    const std::int8_t* q = nullptr;
    const float* d = nullptr;
    const float* dsum = nullptr;
    const std::int16_t* bsums = nullptr;
    const std::int16_t* sums32 = nullptr;
    // Q8_0 inputs, for packed groups: -128 * the sum of each block.
    const std::int32_t* corr = nullptr;
};

// Packed Q4_K groups ("Q4_Kx16"): 16 rows interleaved so that one 8-bit dot
// instruction covers 4 values of each of 16 rows against 4 values of one
// input (broadcast), and every scale is applied once per sub-block for all
// 16 rows in one vector operation. Per super-block of 256 columns:
//   [0, 32)      the 16 rows' d (half floats)
//   [32, 64)     the 16 rows' dmin (half floats)
//   [64, 192)    6-bit scales as bytes, [sub-block j][row r]
//   [192, 320)   6-bit mins as bytes, [pair p][row r][e] = min of sub-block 2p+e
//   [320, 2368)  levels: sub-block j at 320 + 256j, 64-byte chunk c (0..3)
//                at + 64c, byte 4r + t = level(r, 32j + 8c + t) in the low
//                nibble and level(r, 32j + 8c + 4 + t) in the high nibble.
// Rows past the matrix's end in its last group are zero (results 0).
//
// Packed Q5_K groups ("Q5_Kx16"): the Q4_K group's layout (levels' low 4
// bits there) followed by the fifth bits:
//   [2368, 2880) sub-block j at 2368 + 64j, rows 8h .. 8h+7 at + 32h, byte
//                4r' + t bit st = fifth bit of level(8h + r', 32j + 4st + t)
constexpr int kQ4KGroupRows = 16;
constexpr std::size_t kQ4KSuperBytes = 2368;
constexpr std::size_t kQ4KOffDmin = 32, kQ4KOffScales = 64, kQ4KOffMins = 192, kQ4KOffLevels = 320;
constexpr std::size_t kQ5KSuperBytes = 2880, kQ5KOffHigh = 2368;
// results[k * 16 + r] = dot(row r of the group, xs[k]) for k < nx (1..8).
// `next` (may be null) is the group the caller computes next: the kernel
// prefetches it while it computes, because the hardware prefetcher alone
// does not keep a compute-bound loop fed from memory (measured: half the
// throughput on matrices larger than the caches).
using PackedGroupFn = void (*)(const void* group, const PreparedView* xs, int nx, float* results, const void* next);
constexpr int kQ4KMaxInputs = 8;

// Packed Q8_0 groups ("Q8_0x16"): 16 rows interleaved the same way, 544
// bytes (16 blocks of 34) per 32 columns: the 16 rows' half scales d, then 8
// steps of 64 bytes, step s byte 4r + t = 128 + quant(r, 32b + 4s + t). The
// input side is the prepared Q8_0 form: q, d and corr (-128 * block sums).
constexpr int kQ8GroupRows = 16;
constexpr std::size_t kQ8BlockBytes = 32 + 8 * 64;

// Packed Q6_K groups ("Q6_Kx16"): 16 rows interleaved as the Q4_K groups,
// in the 210 bytes per row and super-block of the original rows. Per
// super-block of 256 columns:
//   [0, 32)      the 16 rows' d (half floats)
//   [32, 288)    8-bit scales, [pair j][row r][e] = scale of sub-block 2j+e
//                (sub-blocks of 16 values)
//   [288, 3360)  32 values at a time, unit j (0..7) at 288 + 384j:
//     [0, 256)   the levels' low 4 bits as the Q4_K groups' levels
//                (chunk c at 64c, byte 4r + t = low(r, 32j + 8c + t) |
//                low(r, 32j + 8c + 4 + t) << 4)
//     [256, 384) their top 2 bits: rows 8h .. 8h+7 at 256 + 64h, steps
//                4v .. 4v+3 at + 32v, byte 4r' + t bits 2k, 2k+1 = top(8h +
//                r', 32j + 4(4v + k) + t)
// Levels are ggml's (0..63, the value being d * scale * (level - 32)).
// Rows past the matrix's end in its last group are zero (results 0).
constexpr std::size_t kQ6KSuperBytes = 3360;
constexpr std::size_t kQ6KOffScales = 32, kQ6KOffUnits = 288, kQ6KUnitBytes = 384, kQ6KUnitHigh = 256;
static_assert(kQ6KSuperBytes == 16 * sizeof(BlockQ6_K) && kQ6KOffUnits + 8 * kQ6KUnitBytes == kQ6KSuperBytes);

// Tile kernels (AVX-512): 16 rows x up to 16 inputs in registers. The
// inputs go in "quads" of 4, each 4-value step of a quad one 64-byte vector
// whose 128-bit lane i is input i's 4 bytes repeated 4 times; the weights'
// 16-byte run of 4 rows x 4 values is repeated over the 4 lanes (a 128-bit
// broadcast). One dot instruction then covers 4 rows x 4 inputs, and each
// loaded vector feeds 4 of them: no 32-bit broadcast per instruction, which
// is what bounds the kernels above. Every (row, input) pair goes through the
// same integer sums and float operations in the same order as in the kernels
// above, so results are bit-identical to theirs.
struct TileView {
    std::int64_t n = 0;
    int quads = 0;
    // [n / 4][quad][64]: step s of each quad, the quads of a step side by
    // side (one pointer and constant offsets reach all of a step's inputs).
    const std::int8_t* q = nullptr;
    // Q8_0: [quad][n / 32][16]: lane 4i + r = input i's -128 * block sum / scale.
    const std::int32_t* corr = nullptr;
    const float* d = nullptr;
    // Q4_K: [quad][n / 256][16] input scales and [quad][n / 256][4][16]
    // (lane 4i + r = input i's sums of 32 of sub-blocks 2p, 2p+1 as an
    // int16 pair).
    const std::int32_t* sums = nullptr;
};
// results[k * stride + r] = dot(row r of the group, input k) for
// k < 4 * quads (stride >= 16; the caller's output rows when the group and
// the inputs fill them, so results need no copy).
using PackedTileFn = void (*)(const void* group, const TileView& x, float* results, std::size_t stride, const void* next);

// One dot kernel: results[b] = dot(row, xs[b]) for b < nx (nx in 1..4).
using DotFn = void (*)(const void* row, const PreparedView* xs, int nx, float* results);

// Float weights (F32, F16, BF16), a tile of `rows` rows (row r at
// w + r * stride) against nx inputs, nx 2..4 and rows in
// 1..floatTileRows(nx): results[r * nx + k] = the DotFn's result for row r
// and input k, bit for bit.
using FloatTileFn = void (*)(const void* w, std::size_t stride, int rows, const PreparedView* xs, int nx, float* results);
constexpr int floatTileRows(int nx) { return nx == 4 ? 3 : 4; }

// Kernel table of one ISA, indexed by KTypeIndex; nullptr means "use the
// scalar kernel".
enum KTypeIndex : int { kF32, kF16, kBF16, kQ4_0, kQ4_1, kQ5_0, kQ5_1, kQ8_0, kQ2_K, kQ3_K, kQ4_K, kQ5_K, kQ6_K, kTypeCount };

struct KernelTable {
    DotFn dot[kTypeCount] = {};
    // Indexed by kF32, kF16, kBF16; nullptr: the DotFn row by row.
    FloatTileFn floatTile[3] = {};
    float (*dotF32)(const float*, const float*, std::int64_t) = nullptr;
    float (*dotHalfF32)(const std::uint16_t*, const float*, std::int64_t) = nullptr;
    void (*halfToFloatRow)(const std::uint16_t*, float*, std::int64_t) = nullptr;
    void (*floatToHalfRow)(const float*, std::uint16_t*, std::int64_t) = nullptr;
    void (*axpyF32)(float, const float*, float*, std::int64_t) = nullptr;
    void (*axpyHalfF32)(float, const std::uint16_t*, float*, std::int64_t) = nullptr;
    // x[0..n) -> n/block scales d and n int8 q (q = round(x * 127 / max|x|)
    // per block, block a multiple of 32), and the n/16 sums of 16 q. Every
    // variant gives bit-identical output.
    void (*quantizeQ8)(const float* x, std::int64_t n, int block, std::int8_t* q, float* d, std::int16_t* sums16) = nullptr;
    // Packed Q4_K groups against nx (1..8) inputs prepared for Q4_K; nullptr
    // where the variant has no kernel (scalar).
    PackedGroupFn dotPackedQ4K = nullptr;
    // Packed Q8_0 groups against nx (1..8) inputs prepared for Q8_0;
    // nullptr where the variant has no kernel (scalar).
    PackedGroupFn dotPackedQ8G = nullptr;
    // Packed Q5_K / Q6_K groups against nx (1..8) inputs prepared for them.
    PackedGroupFn dotPackedQ5K = nullptr;
    PackedGroupFn dotPackedQ6K = nullptr;
    // Tile forms of the two (nullptr: use the group kernels).
    PackedTileFn tileQ8G = nullptr;
    PackedTileFn tileQ4K = nullptr;
    void (*dotHalfF32Rows)(const std::uint16_t*, std::size_t, int, const float*, std::int64_t, float*) = nullptr;
    void (*axpyHalfF32Rows)(const float*, const std::uint16_t*, std::size_t, int, float*, std::int64_t) = nullptr;
    // Softmax, SwiGLU and norm helpers (see kernels.h for what they promise).
    double (*expShiftedRow)(float*, std::int64_t, float) = nullptr;
    void (*siluMulRow)(float*, const float*, std::int64_t) = nullptr;
    double (*sumSquaresRow)(const float*, std::int64_t) = nullptr;
    void (*axpyHalfRowsF64)(const float*, const std::uint16_t*, std::size_t, int, double*, std::int64_t) = nullptr;
};

const KernelTable& scalarKernels();
const KernelTable& avx2Kernels();   // built with -mavx2 -mfma -mf16c
const KernelTable& avxVnniKernels(); // built with AVX2, FMA, F16C and AVX-VNNI
const KernelTable& avx512Kernels(); // built with AVX-512 F/BW/VL/VNNI

} // namespace outpost::inference::kern

namespace outpost::inference {
class PreparedInput;
}

namespace outpost::inference::kern {

// What a kernel sees of `input` (to call a table's kernels directly).
PreparedView preparedView(const PreparedInput& input);

// ---- scalar helpers (internal linkage, see the top of this file) -------------

static inline float bitsToFloat(std::uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static inline std::uint32_t floatToBits(float f) { std::uint32_t u; std::memcpy(&u, &f, 4); return u; }

static inline float fp16ToFp32(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24 is exact in float.
        const float v = static_cast<float>(mant) * 0x1p-24f;
        return bitsToFloat(sign | floatToBits(v));
    }
    if (exp == 31)
        return bitsToFloat(sign | 0x7f800000u | (mant << 13));
    return bitsToFloat(sign | ((exp + 112u) << 23) | (mant << 13));
}

static inline std::uint16_t fp32ToFp16(float f)
{
    std::uint32_t x = floatToBits(f);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    x &= 0x7fffffffu;
    if (x > 0x7f800000u) // NaN: keep it a quiet NaN with the top payload bits
        return static_cast<std::uint16_t>(sign | 0x7e00u | ((x >> 13) & 0x3ffu));
    if (x >= 0x477ff000u) // >= 65520 rounds (to even) past the largest half
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (x < 0x38800000u) {
        // Below the smallest normal half: the result is round(|f| * 2^24) in
        // units of 2^-24 (scaling by a power of two is exact). Adding and
        // subtracting 2^23 rounds to nearest even without <cmath>.
        const float scaled = bitsToFloat(x) * 0x1p24f; // < 1024
        const float r = (scaled + 0x1p23f) - 0x1p23f;
        return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(r));
    }
    // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits to
    // nearest even; a carry into the exponent is the correct result.
    const std::uint32_t r = (x - (112u << 23) + 0xfffu + ((x >> 13) & 1u)) >> 13;
    return static_cast<std::uint16_t>(sign | r);
}

static inline float bf16ToFp32(std::uint16_t h) { return bitsToFloat(static_cast<std::uint32_t>(h) << 16); }

static inline std::uint16_t fp32ToBf16(float f)
{
    const std::uint32_t x = floatToBits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

// The 6-bit scale and min j (0..7) of a Q4_K/Q5_K super-block.
static inline void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t& sc, std::uint8_t& m)
{
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// The 16 signed 6-bit scales of a Q3_K super-block (already minus 32).
static inline void scalesQ3K(const std::uint8_t* b, std::int8_t* out)
{
    for (int i = 0; i < 16; ++i) {
        const int low = i < 8 ? (b[i] & 0xF) : (b[i - 8] >> 4);
        const int high = (b[8 + (i % 4)] >> (2 * (i / 4))) & 3;
        out[i] = static_cast<std::int8_t>((low | (high << 4)) - 32);
    }
}

} // namespace outpost::inference::kern
