// The AVX-VNNI kernels compiled for plain AVX2, with exact stand-ins for the
// two instructions AVX2 lacks, so that every AVX2 machine runs (and
// test_tensor_kernels checks) the code paths the AVX-VNNI variant takes on
// the cores that have it. Only this file gets these flags.
#include "tests/inference/tensor/kernels_avxvnni_emulated.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include <immintrin.h>

namespace {

// vpdpbusd: acc + the sums of 4 u8 x s8 products per 32-bit lane, in 32
// bits (no 16-bit saturation): even and odd bytes widened to 16 bits.
inline __m256i emulatedDpbusd(__m256i acc, __m256i u, __m256i s)
{
    const __m256i lowBytes = _mm256_set1_epi16(0x00FF);
    const __m256i uEven = _mm256_and_si256(u, lowBytes);
    const __m256i uOdd = _mm256_srli_epi16(u, 8);
    const __m256i sEven = _mm256_srai_epi16(_mm256_slli_epi16(s, 8), 8);
    const __m256i sOdd = _mm256_srai_epi16(s, 8);
    return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(uEven, sEven), _mm256_madd_epi16(uOdd, sOdd)));
}

// vpdpwssd: acc + pairwise int16 products (vpmaddwd cannot overflow but
// for -32768 * -32768 twice, which the kernels never form).
inline __m256i emulatedDpwssd(__m256i acc, __m256i a, __m256i b)
{
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}

} // namespace

#undef _mm256_dpbusd_avx_epi32
#undef _mm256_dpwssd_avx_epi32
#define _mm256_dpbusd_avx_epi32(acc, u, s) emulatedDpbusd(acc, u, s)
#define _mm256_dpwssd_avx_epi32(acc, a, b) emulatedDpwssd(acc, a, b)
#define OUTPOST_EMULATE_AVXVNNI 1
#include "inference/tensor/kernels_x86.inc"

const outpost::inference::kern::KernelTable* outpost::test::emulatedAvxVnniKernels()
{
    static const inference::kern::KernelTable t = makeX86Table();
    return &t;
}
#else
const outpost::inference::kern::KernelTable* outpost::test::emulatedAvxVnniKernels()
{
    return nullptr;
}
#endif
