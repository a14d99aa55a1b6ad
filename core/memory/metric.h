#pragma once
// The distance an index ranks by, and how its scores read.
#include "inference/util/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace outpost::core::memory {

using inference::Error;
using inference::Result;
using inference::Status;

// Cosine: vectors are normalised on the way in; score = cosine similarity
//         (higher is closer).
// Euclidean: score = euclidean distance (lower is closer).
// DotProduct: score = dot product (higher is closer). Vectors are kept as
//         given, so long vectors dominate; that is what the metric means.
enum class Metric { Cosine, Euclidean, DotProduct };

// "cosine", "euclidean", "dot-product" (also accepts "dot_product", "dot").
std::optional<Metric> metricFromName(std::string_view name);
std::string metricName(Metric metric);

// Largest dimension an index accepts.
inline constexpr int kMaxDimension = 4096;

} // namespace outpost::core::memory
