// AVX-512 (F, BW, VL, VNNI) dot kernels: the kernels of kernels_x86.inc
// built with VNNI byte/word dot instructions and 512-bit float loops. This
// file alone is compiled with those -m flags (see CMakeLists.txt) and is only
// entered when cpu_features says the CPU has them.
#include "inference/tensor/kernels_internal.h"

// GCC 12 reports its own _mm512_undefined_* placeholders inside the AVX-512
// intrinsic headers as uninitialised once they are inlined here; the values
// are never read. Silence only those two diagnostics, only in this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#if defined(__x86_64__) && defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512VL__) \
    && defined(__AVX512BW__) && defined(__FMA__) && defined(__F16C__)
#include "inference/tensor/kernels_x86.inc"

const outpost::inference::kern::KernelTable& outpost::inference::kern::avx512Kernels()
{
    static const KernelTable t = makeX86Table();
    return t;
}
#else
const outpost::inference::kern::KernelTable& outpost::inference::kern::avx512Kernels()
{
    static const KernelTable t;
    return t;
}
#endif
