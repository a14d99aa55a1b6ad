#include "inference/backend/cpu/cpu_features.h"

#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace outpost::inference::cpu {

namespace {

std::string readBrand()
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned int maxExt = __get_cpuid_max(0x80000000u, nullptr);
    if (maxExt < 0x80000004u)
        return {};
    char brand[49] = {};
    for (unsigned int leaf = 0; leaf < 3; ++leaf) {
        unsigned int regs[4] = {};
        __get_cpuid(0x80000002u + leaf, &regs[0], &regs[1], &regs[2], &regs[3]);
        for (int r = 0; r < 4; ++r)
            for (int b = 0; b < 4; ++b)
                brand[leaf * 16 + r * 4 + b] = static_cast<char>((regs[r] >> (8 * b)) & 0xff);
    }
    std::string s(brand);
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
#else
    return {};
#endif
}

CpuFeatures detect()
{
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.sse42 = __builtin_cpu_supports("sse4.2");
    f.avx = __builtin_cpu_supports("avx");
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    unsigned int a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d))
        f.f16c = (c & bit_F16C) != 0;
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) {
        f.avx512bf16 = (a & (1u << 5)) != 0;
        f.avxvnni = (a & (1u << 4)) != 0;
    }
#endif
    const unsigned int hc = std::thread::hardware_concurrency();
    f.logicalCores = hc == 0 ? 1 : static_cast<int>(hc);
    f.brand = readBrand();
    return f;
}

} // namespace

std::string CpuFeatures::summary() const
{
    std::string s;
    const auto add = [&s](bool on, const char* name) {
        if (!on)
            return;
        if (!s.empty())
            s += ' ';
        s += name;
    };
    add(sse42, "SSE4.2");
    add(avx, "AVX");
    add(avx2, "AVX2");
    add(fma, "FMA");
    add(f16c, "F16C");
    add(avxvnni, "AVX-VNNI");
    add(avx512f, "AVX512F");
    add(avx512bw, "AVX512BW");
    add(avx512vl, "AVX512VL");
    add(avx512vnni, "AVX512-VNNI");
    add(avx512bf16, "AVX512-BF16");
    return s;
}

const CpuFeatures& cpuFeatures()
{
    static const CpuFeatures features = detect();
    return features;
}

} // namespace outpost::inference::cpu
