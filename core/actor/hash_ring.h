#pragma once
// A consistent-hash ring: each shard owns `virtualNodes` points on a 64-bit
// circle, and a key belongs to the first point at or after its hash. The
// same key always maps to the same shard for a given shard count.
//
// When the shard count changes (a restart with another --shards, or another
// machine), only the keys whose nearest point now belongs to a new shard move:
// about |old - new| / max(old, new) of them, not all. Nothing is lost when
// an actor moves: its state is in its own database file, which any shard can
// open; the moved actor only starts cold once on its new shard.
#include <cstdint>
#include <utility>
#include <vector>

namespace outpost::core::actor {

class HashRing {
public:
    explicit HashRing(int shards, int virtualNodes = 128);
    int shardFor(std::uint64_t keyHash) const;
    int shards() const { return m_shards; }

private:
    int m_shards;
    std::vector<std::pair<std::uint64_t, int>> m_points; // sorted by position
};

} // namespace outpost::core::actor
