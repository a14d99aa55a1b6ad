#include "core/memory/distance.h"

#include "inference/backend/cpu/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OUTPOST_MEMORY_X86 1
#endif

namespace outpost::core::memory {

namespace {

// Four independent accumulators let the baseline compiler vectorise and hide
// the add latency; the result differs from a serial sum only by rounding.
float l2Scalar(const void* pa, const void* pb, const void* pd)
{
    const auto* a = static_cast<const float*>(pa);
    const auto* b = static_cast<const float*>(pb);
    const std::size_t n = *static_cast<const std::size_t*>(pd);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        const float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

float dotScalar(const float* a, const float* b, std::size_t n)
{
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; ++i)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

float ipScalar(const void* pa, const void* pb, const void* pd)
{
    return 1.0f - dotScalar(static_cast<const float*>(pa), static_cast<const float*>(pb), *static_cast<const std::size_t*>(pd));
}

float codeDotScalar(const float* q, const std::int8_t* c, std::size_t n)
{
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += q[i] * float(c[i]);
        s1 += q[i + 1] * float(c[i + 1]);
        s2 += q[i + 2] * float(c[i + 2]);
        s3 += q[i + 3] * float(c[i + 3]);
    }
    for (; i < n; ++i)
        s0 += q[i] * float(c[i]);
    return (s0 + s1) + (s2 + s3);
}

#ifdef OUTPOST_MEMORY_X86

__attribute__((target("avx2,fma"))) float hsum256(__m256 v)
{
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) float l2Avx2(const void* pa, const void* pb, const void* pd)
{
    const auto* a = static_cast<const float*>(pa);
    const auto* b = static_cast<const float*>(pb);
    const std::size_t n = *static_cast<const std::size_t*>(pd);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) {
        const float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

__attribute__((target("avx2,fma"))) float ipAvx2(const void* pa, const void* pb, const void* pd)
{
    const auto* a = static_cast<const float*>(pa);
    const auto* b = static_cast<const float*>(pb);
    const std::size_t n = *static_cast<const std::size_t*>(pd);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        s += a[i] * b[i];
    return 1.0f - s;
}

__attribute__((target("avx2,fma"))) float codeDotAvx2(const float* q, const std::int8_t* c, std::size_t n)
{
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i));
        const __m256 lo = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
        const __m256 hi = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8)));
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), lo, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), hi, acc1);
    }
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i)
        s += q[i] * float(c[i]);
    return s;
}

// GCC 12's AVX-512 headers build 256-bit halves from _mm256_undefined_pd(),
// which -Wuninitialized reports falsely (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) float hsum512(__m512 v)
{
    const __m256 lo = _mm512_castps512_ps256(v);
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    __m256 s = _mm256_add_ps(lo, hi);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

__attribute__((target("avx512f"))) float l2Avx512(const void* pa, const void* pb, const void* pd)
{
    const auto* a = static_cast<const float*>(pa);
    const auto* b = static_cast<const float*>(pb);
    const std::size_t n = *static_cast<const std::size_t*>(pd);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        const __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        acc0 = _mm512_fmadd_ps(d0, d0, acc0);
        acc1 = _mm512_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 16 <= n; i += 16) {
        const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        acc0 = _mm512_fmadd_ps(d0, d0, acc0);
    }
    if (i < n) {
        // The tail goes through a mask so no element is read past the end.
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        const __m512 d0 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        acc1 = _mm512_fmadd_ps(d0, d0, acc1);
    }
    return hsum512(_mm512_add_ps(acc0, acc1));
}

__attribute__((target("avx512f"))) float ipAvx512(const void* pa, const void* pb, const void* pd)
{
    const auto* a = static_cast<const float*>(pa);
    const auto* b = static_cast<const float*>(pb);
    const std::size_t n = *static_cast<const std::size_t*>(pd);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    for (; i + 16 <= n; i += 16)
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc1);
    }
    return 1.0f - hsum512(_mm512_add_ps(acc0, acc1));
}

__attribute__((target("avx512f"))) float codeDotAvx512(const float* q, const std::int8_t* c, std::size_t n)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512 a = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i))));
        const __m512 b =
            _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i + 16))));
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), a, acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i + 16), b, acc1);
    }
    for (; i + 16 <= n; i += 16) {
        const __m512 a = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c + i))));
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), a, acc0);
    }
    float s = hsum512(_mm512_add_ps(acc0, acc1));
    for (; i < n; ++i)
        s += q[i] * float(c[i]);
    return s;
}

#pragma GCC diagnostic pop

#endif

DistanceKernels chooseKernels()
{
#ifdef OUTPOST_MEMORY_X86
    const auto& cpu = inference::cpu::cpuFeatures();
    if (cpu.avx512f)
        return {l2Avx512, ipAvx512, codeDotAvx512, "avx512"};
    if (cpu.avx2 && cpu.fma)
        return {l2Avx2, ipAvx2, codeDotAvx2, "avx2"};
#endif
    return {l2Scalar, ipScalar, codeDotScalar, "scalar"};
}

} // namespace

const DistanceKernels& distanceKernels()
{
    static const DistanceKernels kernels = chooseKernels();
    return kernels;
}

const DistanceKernels& scalarDistanceKernels()
{
    static const DistanceKernels kernels{l2Scalar, ipScalar, codeDotScalar, "scalar"};
    return kernels;
}

float dotProduct(const float* a, const float* b, std::size_t n)
{
    const std::size_t dim = n;
    return 1.0f - distanceKernels().ip(a, b, &dim);
}

} // namespace outpost::core::memory
