#pragma once
// What the CPU this process runs on can do, read once at start. Kernels pick
// their implementation from this at run time: the binaries are built for a
// portable baseline, never -march=native.
#include <string>

namespace outpost::inference::cpu {

struct CpuFeatures {
    bool sse42 = false;
    bool avx = false;
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;
    bool avx512bf16 = false;
    bool avxvnni = false;
    int logicalCores = 1;
    std::string brand;

    // "AVX2 FMA F16C AVX512F ..." in a stable order, for logs and the UI.
    std::string summary() const;
};

const CpuFeatures& cpuFeatures();

} // namespace outpost::inference::cpu
