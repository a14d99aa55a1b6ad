#include "core/memory/metric.h"

namespace outpost::core::memory {

std::optional<Metric> metricFromName(std::string_view name)
{
    if (name == "cosine")
        return Metric::Cosine;
    if (name == "euclidean" || name == "l2")
        return Metric::Euclidean;
    if (name == "dot-product" || name == "dot_product" || name == "dot")
        return Metric::DotProduct;
    return std::nullopt;
}

std::string metricName(Metric metric)
{
    switch (metric) {
    case Metric::Cosine: return "cosine";
    case Metric::Euclidean: return "euclidean";
    case Metric::DotProduct: return "dot-product";
    }
    return "cosine";
}

} // namespace outpost::core::memory
