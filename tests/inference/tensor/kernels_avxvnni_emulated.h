#pragma once
// The AVX-VNNI kernel table built for plain AVX2 (see the .cpp); null where
// the compiler could not build it. Call its kernels only where the CPU runs
// AVX2.
#include "inference/tensor/kernels_internal.h"

namespace outpost::test {

const inference::kern::KernelTable* emulatedAvxVnniKernels();

} // namespace outpost::test
