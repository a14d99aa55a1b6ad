// AVX2 kernels built with AVX-VNNI as well: the 8-bit products use the
// VEX-encoded vpdpbusd/vpdpwssd (one instruction where plain AVX2 needs two),
// for cores that have them without AVX-512. This file alone is compiled with
// those -m flags (see CMakeLists.txt) and is only entered when cpu_features
// says the CPU has them.
#include "inference/tensor/kernels_internal.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__) && defined(__AVXVNNI__)
#include "inference/tensor/kernels_x86.inc"

const outpost::inference::kern::KernelTable& outpost::inference::kern::avxVnniKernels()
{
    static const KernelTable t = makeX86Table();
    return t;
}
#else
const outpost::inference::kern::KernelTable& outpost::inference::kern::avxVnniKernels()
{
    static const KernelTable t;
    return t;
}
#endif
