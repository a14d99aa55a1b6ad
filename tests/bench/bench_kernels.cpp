// Matrix-vector speed of the tensor kernels, single-threaded: a 4096 x 4096
// weight matrix of each type times B = 1, 4 and 16 prepared inputs, with
// every SIMD variant this CPU runs beside the scalar reference.
//
// Figures: GB/s of weight bytes read per second (the decode bound: one
// matrix pass per token), GFLOP/s (2 * rows * cols * B per pass) and the
// speed-up over the scalar kernels. Several copies of the matrix are cycled
// so that it never sits in cache (each pass streams from memory). Q4_K,
// Q5_K, Q6_K and Q8_0 also show the packed groups of 16 rows the forward pass
// uses for them where the variant has their kernel.
//
//   bench_kernels [TYPE ...] [--rows N] [--cols N] [--min-ms N] [--in-cache]
//
// --in-cache uses one copy of the matrix, so a small one (e.g. --rows 64
// --cols 768) stays in cache and the figures are the kernels' compute
// speed, steadier than memory on a shared machine.
#include "inference/backend/cpu/cpu_features.h"
#include "inference/tensor/kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <time.h>
#include <vector>

using namespace outpost::inference;

namespace {

struct Options {
    std::int64_t rows = 4096;
    std::int64_t cols = 4096;
    double minMs = 300;
    bool inCache = false;  // one copy of the matrix, reread every pass
    std::vector<TensorType> types;
};

const std::vector<TensorType> kAll = {
    TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0,
    TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K,
};

// Time this thread actually ran: on a shared machine the wall clock also
// counts the time other processes held the core. (Memory bandwidth shared
// with them still shows in the figures.)
double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Input counts per pass: one stream, a few, a full batch.
constexpr int kBatchSizes[] = {1, 4, 16};

// B activation vectors of random values, prepared for weights of type t.
std::vector<PreparedInput> randomInputs(TensorType t, int B, std::int64_t cols, std::mt19937& rng)
{
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> src(static_cast<std::size_t>(cols));
    std::vector<PreparedInput> inputs(static_cast<std::size_t>(B));
    for (auto& in : inputs) {
        for (auto& v : src)
            v = dist(rng);
        prepareInput(t, src.data(), cols, in);
    }
    return inputs;
}

// Milliseconds of thread CPU time per pass: pass(0) once to warm up, then
// pass(0), pass(1), ... (the caller cycles its matrix copies) until minMs.
template<typename F>
double msPerPass(double minMs, F&& pass)
{
    pass(0);
    int passes = 0;
    const double t0 = cpuMs();
    double elapsed = 0;
    do {
        pass(passes);
        ++passes;
        elapsed = cpuMs() - t0;
    } while (elapsed < minMs);
    return elapsed / passes;
}

// One row of the table: weight bytes read per second and multiply-adds.
void printRow(TensorType t, KernelIsa isa, int B, const Options& opt, double ms, std::size_t weightBytes, double scalarMs,
              const char* note)
{
    const double gbs = static_cast<double>(weightBytes) / (ms * 1e6);
    const double gflops = 2.0 * static_cast<double>(opt.rows) * static_cast<double>(opt.cols) * B / (ms * 1e6);
    std::printf("%-5s %-8s %3d %10.3f %9.2f %10.2f %9.2f%s\n", std::string(tensorTypeInfo(t)->name).c_str(), kernelIsaName(isa), B, ms,
                gbs, gflops, scalarMs / ms, note);
    std::fflush(stdout);
}

// The packed groups the engine's matmuls use (Q4_K, Q5_K, Q6_K, Q8_0 where the
// active variant has their kernel): the same matrices repacked 16 rows to a
// group, B inputs per pass as the forward pass calls them (the tile form
// built once per pass, as for Q, K and V). "x scalar" compares with the
// scalar gemm on the original rows.
void benchPacked(TensorType t, const Options& opt, const std::vector<std::vector<std::uint8_t>>& mats, std::size_t rowBytes,
                 std::map<int, double>& scalarMs)
{
    const std::size_t groupBytes = packedGroupBytes(t, opt.cols);
    if (!packedGroupsAvailable(t) || groupBytes == 0)
        return;
    const std::int64_t G = packedGroupRows();
    const std::int64_t groups = (opt.rows + G - 1) / G;
    std::vector<std::vector<std::uint8_t>> packed(mats.size(), std::vector<std::uint8_t>(groupBytes * static_cast<std::size_t>(groups)));
    for (std::size_t c = 0; c < mats.size(); ++c)
        for (std::int64_t g = 0; g < groups; ++g) {
            const auto* src = mats[c].data() + rowBytes * static_cast<std::size_t>(g * G);
            auto* dst = packed[c].data() + groupBytes * static_cast<std::size_t>(g);
            packGroup(t, src, rowBytes, std::min(G, opt.rows - g * G), opt.cols, dst);
        }
    std::mt19937 rng(2);
    for (int B : kBatchSizes) {
        const auto inputs = randomInputs(t, B, opt.cols, rng);
        std::vector<float> out(static_cast<std::size_t>(opt.rows * B));
        PreparedTiles tiles;
        const double ms = msPerPass(opt.minMs, [&](int pass) {
            const auto* w = packed[static_cast<std::size_t>(pass) % packed.size()].data();
            prepareTiles(t, inputs, tiles);
            gemmPacked(t, w, groupBytes, 0, opt.rows, inputs, out.data(), static_cast<std::size_t>(opt.rows), &tiles);
        });
        printRow(t, activeKernelIsa(), B, opt, ms, groupBytes * static_cast<std::size_t>(groups), scalarMs[B], "  packed groups");
    }
}

} // namespace

int main(int argc, char** argv)
{
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--rows" || a == "--cols" || a == "--min-ms") && i + 1 < argc) {
            const double v = std::atof(argv[++i]);
            if (a == "--rows") opt.rows = static_cast<std::int64_t>(v);
            else if (a == "--cols") opt.cols = static_cast<std::int64_t>(v);
            else opt.minMs = v;
            continue;
        }
        if (a == "--in-cache") {
            opt.inCache = true;
            continue;
        }
        bool found = false;
        for (TensorType t : kAll)
            if (tensorTypeInfo(t)->name == a) {
                opt.types.push_back(t);
                found = true;
            }
        if (!found) {
            std::fprintf(stderr, "bench_kernels: unknown argument '%s' (types: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K; --rows N --cols N --min-ms N --in-cache)\n", argv[i]);
            return 2;
        }
    }
    if (opt.types.empty())
        opt.types = kAll;

    const auto& cpu = cpu::cpuFeatures();
    std::printf("CPU: %s [%s]\n", cpu.brand.c_str(), cpu.summary().c_str());
    std::printf("matrix %lld x %lld, single thread; GB/s = weight bytes / thread CPU time%s\n\n",
                static_cast<long long>(opt.rows), static_cast<long long>(opt.cols),
                opt.inCache ? "; one copy, in cache when it fits (the kernels' compute speed)" : "");
    std::printf("%-5s %-8s %3s %10s %9s %10s %9s\n", "type", "variant", "B", "ms/pass", "GB/s", "GFLOP/s", "x scalar");

    std::vector<KernelIsa> isas = {KernelIsa::Scalar};
    for (KernelIsa isa : {KernelIsa::Avx2, KernelIsa::AvxVnni, KernelIsa::Avx512})
        if (setKernelIsa(isa).ok())
            isas.push_back(isa);

    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (TensorType t : opt.types) {
        const auto rb = rowBytes(t, static_cast<std::uint64_t>(opt.cols));
        if (!rb || !checkKernelShape(t, opt.cols).ok()) {
            std::printf("%-5s skipped: %lld columns do not fit its blocks\n", std::string(tensorTypeInfo(t)->name).c_str(),
                        static_cast<long long>(opt.cols));
            continue;
        }
        // Quantise 64 distinct rows and repeat them: the content does not
        // change the speed, and the K-quant scale search is slow.
        const std::size_t matBytes = *rb * static_cast<std::size_t>(opt.rows);
        std::vector<std::uint8_t> proto(*rb * 64);
        std::vector<float> src(static_cast<std::size_t>(opt.cols));
        for (int r = 0; r < 64; ++r) {
            for (auto& v : src)
                v = dist(rng);
            quantizeRow(t, src.data(), proto.data() + *rb * static_cast<std::size_t>(r), opt.cols);
        }
        const std::size_t copies = opt.inCache ? 1 : std::max<std::size_t>(2, (256u << 20) / matBytes + 1);
        std::vector<std::vector<std::uint8_t>> mats(copies, std::vector<std::uint8_t>(matBytes));
        for (auto& m : mats)
            for (std::int64_t r = 0; r < opt.rows; ++r)
                std::memcpy(m.data() + *rb * static_cast<std::size_t>(r), proto.data() + *rb * static_cast<std::size_t>(r % 64), *rb);

        std::map<int, double> scalarMs;
        for (KernelIsa isa : isas) {
            (void)setKernelIsa(isa);
            {
                // Preparing an input is paid once per matmul and input.
                PreparedInput in;
                int reps = 0;
                const double t0 = cpuMs();
                do {
                    prepareInput(t, src.data(), opt.cols, in);
                    ++reps;
                } while (cpuMs() - t0 < opt.minMs / 10);
                std::printf("%-5s %-8s prepareInput: %.2f us per input\n", std::string(tensorTypeInfo(t)->name).c_str(),
                            kernelIsaName(isa), (cpuMs() - t0) * 1e3 / reps);
            }
            for (int B : kBatchSizes) {
                const auto inputs = randomInputs(t, B, opt.cols, rng);
                std::vector<float> out(static_cast<std::size_t>(opt.rows * B));
                const double ms = msPerPass(isa == KernelIsa::Scalar ? opt.minMs / 3 : opt.minMs, [&](int pass) {
                    gemm(t, mats[static_cast<std::size_t>(pass) % copies].data(), *rb, 0, opt.rows, inputs, out.data(),
                         static_cast<std::size_t>(opt.rows));
                });
                if (isa == KernelIsa::Scalar)
                    scalarMs[B] = ms;
                printRow(t, isa, B, opt, ms, matBytes, scalarMs[B], "");
            }
            benchPacked(t, opt, mats, *rb, scalarMs);
        }
    }
    (void)setKernelIsa(bestKernelIsa());
    return 0;
}
