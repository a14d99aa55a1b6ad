#pragma once
// Row kernels for every tensor type the engine computes with: conversion of
// half floats, quantisation and dequantisation of rows, and the dot products
// a matmul needs (one weight matrix W of rows x cols, each row stored
// contiguously in its TensorType, times one or more activation vectors).
//
// Supported types (kernelSupports() is true): F32, F16, BF16, Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K. Block layouts are
// bit-exact with ggml's (block_q4_0 ... block_q6_K, QK_K = 256; block scales
// are IEEE half floats).
//
// How a matmul uses this header:
//   1. prepareInput(W's type, x, cols, prepared) once per activation vector;
//      it quantises x into the form W's fast dot wants (8-bit blocks of 32 for
//      Q4_0/Q4_1/Q5_0/Q5_1/Q8_0, 8-bit super-blocks of 256 for the K-quants,
//      plain floats for F32/F16/BF16).
//   2. dotRow() for one row, or gemm() for a range of rows against B inputs at
//      once (each weight row is read from memory once for all B inputs).
// Every function here is single-threaded, allocates nothing except where a
// PreparedInput grows, and is safe to call from many threads at once; the
// caller splits rows across its own threads.
//
// Preconditions (the caller validates shapes once, when a model loads, with
// checkKernelShape()): the type is supported and n is a multiple of its block
// size. A call that breaks them never crashes: dequantizeRow() writes NaN,
// dot products return NaN, quantizeRow() writes nothing. A NaN or infinite
// activation makes the dots that use it NaN (never a finite wrong number).
#include "inference/tensor/tensor_type.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

namespace outpost::inference {

// ---- scalar conversions ------------------------------------------------------

// IEEE 754 binary16 <-> binary32. halfToFloat is exact for every input
// (subnormals, infinities, NaN payloads kept). floatToHalf rounds to nearest
// even; values beyond the half range become +-infinity, NaN stays NaN.
float halfToFloat(std::uint16_t h);
std::uint16_t floatToHalf(float f);

// bfloat16 (the top 16 bits of a binary32) <-> binary32. bf16ToFloat is
// exact; floatToBf16 rounds to nearest even and keeps NaN a (quiet) NaN.
float bf16ToFloat(std::uint16_t h);
std::uint16_t floatToBf16(float f);

// Row forms, vectorised where the CPU allows (F16C); e.g. for a KV cache in
// F16. Any n >= 0.
void halfToFloatRow(const std::uint16_t* src, float* dst, std::int64_t n);
void floatToHalfRow(const float* src, std::uint16_t* dst, std::int64_t n);

// ---- shapes ------------------------------------------------------------------

// True for the types listed at the top of this file.
bool kernelSupports(TensorType type);

// Success when rows of `n` elements of `type` can be computed with: the type
// is supported and n is a positive multiple of its block size. The error
// names the type and the reason.
Status checkKernelShape(TensorType type, std::int64_t n);

// ---- quantisation ------------------------------------------------------------

// Decodes n values of `type` at src (n / blockElements whole blocks) into
// dst, bit-exactly as ggml's dequantisation formulas define them.
void dequantizeRow(TensorType type, const void* src, float* dst, std::int64_t n);

// Encodes n floats into `type` at dst (rowBytes(type, n) bytes). Round to
// nearest per block; the K-quants search each sub-block's scale (and min) for
// the least squared error. Meant for tests and synthetic models, not for hot
// paths. Non-finite inputs give unspecified (but finite-sized) output.
void quantizeRow(TensorType type, const float* src, void* dst, std::int64_t n);

// ---- SIMD variant ------------------------------------------------------------

// The instruction-set variants of the dot kernels. Every variant computes
// the same mathematical result; they differ only in float rounding order.
// Avx2: AVX2 + FMA + F16C. AvxVnni: the same with the VEX-encoded 8-bit
// dot instructions (Alder Lake and later Intel cores without AVX-512).
// Avx512: AVX-512 F/BW/VL/VNNI, 512-bit kernels where they win.
enum class KernelIsa { Scalar = 0, Avx2 = 1, Avx512 = 2, AvxVnni = 3 };

// The best variant this CPU runs (chosen from cpu::cpuFeatures()).
KernelIsa bestKernelIsa();
// The variant dotRow()/gemm()/prepareInput() use now; starts at bestKernelIsa().
KernelIsa activeKernelIsa();
// Picks the variant used from now on by every thread (tests and benchmarks
// compare them). Fails, changing nothing, when this CPU cannot run it.
Status setKernelIsa(KernelIsa isa);
const char* kernelIsaName(KernelIsa isa);

// ---- prepared activations and dot products ------------------------------------

namespace detail {
// Cache-line aligned storage for prepared inputs: 512-bit loads that never
// straddle two lines.
template<typename T>
struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template<typename U>
    CacheLineAllocator(const CacheLineAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    template<typename U>
    bool operator==(const CacheLineAllocator<U>&) const { return true; }
};
template<typename T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;
} // namespace detail

// An activation vector in the form a weight type's dot product consumes.
// Reuse one object across calls to avoid reallocating. Contents are private
// to the kernels; the same PreparedInput may be read by many threads at once.
class PreparedInput {
public:
    PreparedInput() = default;

    // The weight type this input was prepared for (dotRow/gemm with another
    // weight type returns NaN), and the element count.
    TensorType weightType() const { return m_weightType; }
    std::int64_t size() const { return m_n; }
    bool empty() const { return m_n == 0; }

private:
    friend void prepareInput(TensorType, const float*, std::int64_t, PreparedInput&);
    friend struct KernelAccess;

    TensorType m_weightType = TensorType::F32;
    std::int64_t m_n = 0;
    detail::AlignedVector<float> m_f;            // floats (F32/F16/BF16) or per-block scales
    detail::AlignedVector<std::int8_t> m_q;      // 8-bit quants
    detail::AlignedVector<std::int16_t> m_sums;  // per-group sums of m_q
    detail::AlignedVector<std::int32_t> m_corr;  // Q8_0: -128 * each block's sum (packed groups)
};

// Prepares x[0..n) for dot products with rows of `weightType` (n a multiple
// of its block size). The 8-bit forms use one scale per 32 (or 256) values,
// which adds a relative error of about 0.4% of the block's largest |x| per
// element; that error dominates the dot products' error. Every SIMD variant
// prepares the same bytes.
void prepareInput(TensorType weightType, const float* x, std::int64_t n, PreparedInput& out);
PreparedInput prepareInput(TensorType weightType, const float* x, std::int64_t n);

// Dot product of one weight row (x.size() elements of `weightType` at row)
// with a prepared input.
float dotRow(TensorType weightType, const void* row, const PreparedInput& x);

// For rows r in [r0, r1) of W (row r starts at weights + r * rowStrideBytes)
// and every input b: out[b * outStride + r] = dot(row r, inputs[b]).
// All inputs must have been prepared for `type` with the same size. Each
// weight row is read once for all inputs, which makes batches and prefill
// cost little more memory traffic than one vector. An input's results are
// bit-identical whatever the other inputs of the call and their number.
void gemm(TensorType type, const void* weights, std::size_t rowStrideBytes,
          std::int64_t r0, std::int64_t r1, std::span<const PreparedInput> inputs,
          float* out, std::size_t outStride);

// ---- inputs of a batch for the packed tile kernels ----------------------------

// Four inputs or more, prepared for Q4_K or Q8_0, in the form the AVX-512
// tile kernels of the packed groups read (each input's 8-bit values spread
// so that one loaded vector serves 4 rows x 4 inputs). Built once per
// matmul and shared by every thread that computes a part of its rows;
// without it each gemmPacked*() call builds its own copy. Read-only once
// built, so many threads may use one object at once.
class PreparedTiles {
public:
    PreparedTiles() = default;
    bool empty() const { return m_count == 0; }

private:
    friend void prepareTiles(TensorType, std::span<const PreparedInput>, PreparedTiles&);
    friend struct KernelAccess;
    struct Tile {
        detail::AlignedVector<std::int8_t> q;
        detail::AlignedVector<std::int32_t> ints;
        detail::AlignedVector<float> d;
        int quads = 0;
    };
    TensorType m_type = TensorType::F32;
    std::int64_t m_n = 0;
    std::size_t m_count = 0;
    std::vector<Tile> m_tiles;
};

// Builds `out` from `inputs` when the active variant has the tile kernel of
// `weightType`'s packed groups and there are 4 inputs or more; otherwise
// leaves it empty (the gemm then uses its group kernels). `inputs` must be
// the same objects, unchanged, when the tiles are used.
void prepareTiles(TensorType weightType, std::span<const PreparedInput> inputs, PreparedTiles& out);

// ---- packed weights (batches) ---------------------------------------------------

// Q4_K, Q5_K, Q6_K and Q8_0 matrices whose rows hold whole blocks can be repacked
// in groups of 16 rows interleaved, so that one 8-bit multiply instruction
// covers 4 values of 8 or 16 rows and every block scale is applied once for
// all rows of a group in one vector operation: the weights are decoded once
// per call for up to 8 inputs, and the work left per input is several times
// smaller than gemm()'s on the original rows (and smaller even for one
// input). Q6_K and Q8_0 groups are the size of their 16 original rows, Q4_K
// and Q5_K groups 2.8% and 2.3% larger. Results differ from gemm()'s only in float rounding
// order, and an input's results never depend on the other inputs of the
// call, their number, or the row range asked for.

// True when the active SIMD variant has the packed kernel of `type` (every
// x86 SIMD variant has Q4_K, Q5_K, Q6_K and Q8_0; the scalar one none: use gemm()
// on the original rows).
bool packedGroupsAvailable(TensorType type);
// Rows per packed group (16).
std::int64_t packedGroupRows();
// Bytes of one packed group of rows of `cols` values; 0 when `type` has no
// packed form or cols is not a positive multiple of its block (256 for the
// K-quants, 32 for Q8_0).
std::size_t packedGroupBytes(TensorType type, std::int64_t cols);
// Packs rows [0, rows) of a `type` matrix (row r at src + r * srcRowBytes,
// `cols` values each, rows in 1..16) into one group at dst
// (packedGroupBytes(type, cols) bytes); rows past `rows` give results 0.
// Does nothing when the type, cols or rows are out of range.
void packGroup(TensorType type, const void* src, std::size_t srcRowBytes, std::int64_t rows, std::int64_t cols, void* dst);
// gemm() over packed groups: group g (rows 16g .. 16g+15) starts at
// weights + g * groupStrideBytes; for rows r in [r0, r1) and every input b,
// out[b * outStride + r] = dot(row r, inputs[b]). Inputs prepared for
// `type`, all of the same size. Writes NaN when the packed kernel is
// unavailable, an input does not fit, or the stride is too small. `tiles`
// (optional) is prepareTiles() of these inputs.
void gemmPacked(TensorType type, const void* weights, std::size_t groupStrideBytes, std::int64_t r0, std::int64_t r1,
                std::span<const PreparedInput> inputs, float* out, std::size_t outStride, const PreparedTiles* tiles = nullptr);

// ---- float helpers (attention, norms) ------------------------------------------

// sum a[i] * b[i], accumulated in float with the active SIMD variant.
float dotF32(const float* a, const float* b, std::int64_t n);
// sum half(a[i]) * b[i], e.g. a key row of an F16 KV cache against a query.
float dotHalfF32(const std::uint16_t* a, const float* b, std::int64_t n);
// y[i] += a * x[i] and y[i] += a * half(x[i]) (attention's weighted sum of
// value rows, e.g. from an F16 KV cache).
void axpyF32(float a, const float* x, float* y, std::int64_t n);
void axpyHalfF32(float a, const std::uint16_t* x, float* y, std::int64_t n);
// The same over `count` rows spaced `stride` elements apart (the slots of a
// KV block): out[i] = dotHalfF32(rows + i * stride, x, n) up to float
// summation order (each result depends only on its own row and x), and
// y += a[i] * half(row i) for i = 0, 1, ... in order, with results identical
// to one axpyHalfF32 call per row.
void dotHalfF32Rows(const std::uint16_t* rows, std::size_t stride, int count, const float* x, std::int64_t n, float* out);
void axpyHalfF32Rows(const float* a, const std::uint16_t* rows, std::size_t stride, int count, float* y, std::int64_t n);
// y[d] += double(a[i] * half(row i)[d]) for rows i = 0, 1, ... in order:
// attention sums over short spans in double, with results identical in
// every SIMD variant.
void axpyHalfRowsF64(const float* a, const std::uint16_t* rows, std::size_t stride, int count, double* y, std::int64_t n);

// ---- softmax, SwiGLU, norms -----------------------------------------------------

// x[i] = exp(x[i] - shift) for i < n; returns the sum of the new x[i] in
// double (summation order unspecified). The SIMD variants' exp is within
// about 1 ulp of libm's (the scalar variant is libm's); results above the
// largest float are +inf, below 2.6e-38 may be 0, NaN stays NaN.
double expShiftedRow(float* x, std::int64_t n, float shift);
// gate[i] = gate[i] / (1 + exp(-gate[i])) * up[i] (SiLU-gated feed-forward),
// with expShiftedRow()'s exp.
void siluMulRow(float* gate, const float* up, std::int64_t n);
// The sum of float(x[i] * x[i]) in double (summation order unspecified).
double sumSquaresRow(const float* x, std::int64_t n);

} // namespace outpost::inference
