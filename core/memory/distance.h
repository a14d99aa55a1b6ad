#pragma once
// Distance kernels for the vector index, chosen once at run time from what
// the CPU can do (scalar, AVX2+FMA, AVX-512). The binary is built for a
// portable baseline; hnswlib's own kernels are picked by compile flags, so the
// index gives hnswlib these instead (see hnsw_graph.cpp).
//
// Every kernel has hnswlib's signature: (a, b, const std::size_t* dim) ->
// distance, lower is closer.
//   L2:  squared euclidean distance.
//   IP:  1 - dot(a, b) (cosine on normalised vectors, or dot product).
#include <cstddef>
#include <cstdint>
#include <string>

namespace outpost::core::memory {

using DistanceFn = float (*)(const void* a, const void* b, const void* dimPtr);
// dot(q, codes) over n values, codes being int8 (scaled by the caller).
using CodeDotFn = float (*)(const float* q, const std::int8_t* codes, std::size_t n);

struct DistanceKernels {
    DistanceFn l2 = nullptr;
    DistanceFn ip = nullptr;
    CodeDotFn codeDot = nullptr;
    std::string variant;   // "scalar", "avx2", "avx512"
};

// The fastest kernels this CPU runs. `forceScalar` is for tests and benches
// comparing variants.
const DistanceKernels& distanceKernels();
const DistanceKernels& scalarDistanceKernels();

float dotProduct(const float* a, const float* b, std::size_t n);

} // namespace outpost::core::memory
