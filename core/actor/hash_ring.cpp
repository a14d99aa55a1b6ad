#include "core/actor/hash_ring.h"

#include <algorithm>

namespace outpost::core::actor {

namespace {
std::uint64_t mix(std::uint64_t x)
{
    // splitmix64 finaliser: a well-spread position for each (shard, node).
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
} // namespace

HashRing::HashRing(int shards, int virtualNodes) : m_shards(std::max(1, shards))
{
    const int nodes = std::max(1, virtualNodes);
    m_points.reserve(size_t(m_shards) * size_t(nodes));
    for (int s = 0; s < m_shards; ++s) {
        for (int v = 0; v < nodes; ++v)
            m_points.emplace_back(mix((std::uint64_t(s) << 32) | std::uint64_t(v)), s);
    }
    std::sort(m_points.begin(), m_points.end());
}

int HashRing::shardFor(std::uint64_t keyHash) const
{
    // Key hashes come from SHA-256 or random bits already, but mix anyway so
    // callers may pass any integer.
    const std::uint64_t h = mix(keyHash);
    auto it = std::lower_bound(m_points.begin(), m_points.end(), std::make_pair(h, 0));
    if (it == m_points.end())
        it = m_points.begin();
    return it->second;
}

} // namespace outpost::core::actor
