// AVX2 + FMA + F16C dot kernels. This file alone is compiled with those -m
// flags (see CMakeLists.txt) and is only entered when cpu_features says the
// CPU has them; the kernels live in kernels_x86.inc (internal linkage).
#include "inference/tensor/kernels_internal.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include "inference/tensor/kernels_x86.inc"

const outpost::inference::kern::KernelTable& outpost::inference::kern::avx2Kernels()
{
    static const KernelTable t = makeX86Table();
    return t;
}
#else
// Built without the flags (another compiler or CPU family): no AVX2 kernels.
const outpost::inference::kern::KernelTable& outpost::inference::kern::avx2Kernels()
{
    static const KernelTable t;
    return t;
}
#endif
