#pragma once
// The paged KV cache: keys and values of every layer live in fixed-size
// blocks of `blockTokens` token slots; a sequence owns an ordered list of
// blocks (its BlockTable), so token position p of a sequence sits in block
// table.blocks[p / blockTokens], slot p % blockTokens.
//
// Memory layout of one block (contiguous, so a block is one page to copy,
// share or evict): for each layer, keys [blockTokens][kvDim] then values
// [blockTokens][kvDim], rows of `type` (F32; F16 halves memory; Q8_0 takes
// 34 bytes per 32 values).
//
// Ownership invariants: a BlockTable's blocks are owned (reference counted)
// through the cache's BlockAllocator; reserve() appends blocks, release()
// drops them all and empties the table. A table must be released before the
// cache is destroyed, or its blocks stay counted as used (stats show it).
#include "inference/kv/block_allocator.h"
#include "inference/util/result.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace outpost::inference::kv {

// Q8_0: blocks of 32 values with one half-float scale (34 bytes), as
// ggml's Q8_0; needs kvDim to be a multiple of 32.
enum class KvType { F32, F16, Q8_0 };

struct KvCacheConfig {
    int layers = 0;
    int kvDim = 0;          // key/value heads x head dimension
    int blockTokens = 16;   // smaller blocks waste less memory per sequence, larger ones cost fewer table lookups
    int blocks = 0;         // capacity of the pool; 0 is an error
    KvType type = KvType::F32;
};

struct BlockTable {
    std::vector<int> blocks;
    int tokens = 0;         // positions [0, tokens) hold valid keys and values
};

struct KvCacheStats {
    int blocksTotal = 0;
    int blocksUsed = 0;
    int blocksFree = 0;
    int blockTokens = 0;
    std::size_t bytesPerToken = 0;  // all layers, keys and values
    std::size_t bytesTotal = 0;
};

class KvCache {
public:
    // Fails when a dimension is not positive, a Q8_0 cache's kvDim is not a
    // multiple of 32, or the pool would not fit in memory (the message names
    // the figures).
    static Result<KvCache> create(const KvCacheConfig& config);

    const KvCacheConfig& config() const { return m_config; }
    KvCacheStats stats() const;

    // Makes `table` able to hold `tokens` positions, allocating blocks as
    // needed. On failure (pool exhausted) the table is left as it was and
    // the error says how many blocks were missing.
    Status reserve(BlockTable& table, int tokens);
    // Returns every block of the table to the pool and empties it.
    void release(BlockTable& table);

    // Address of the keys (values) of `layer` at slot `slot` of `block`:
    // kvDim elements of config().type.
    void* key(int block, int layer, int slot)
    {
        return m_data.data() + offset(block, layer, slot, 0);
    }
    void* value(int block, int layer, int slot)
    {
        return m_data.data() + offset(block, layer, slot, 1);
    }
    const void* key(int block, int layer, int slot) const { return m_data.data() + offset(block, layer, slot, 0); }
    const void* value(int block, int layer, int slot) const { return m_data.data() + offset(block, layer, slot, 1); }

    // Bytes of one row (kvDim values) of keys or of values.
    std::size_t rowBytes() const { return m_rowBytes; }
    BlockAllocator& allocator() { return m_allocator; }
    const BlockAllocator& allocator() const { return m_allocator; }

private:
    KvCache() = default;
    std::size_t offset(int block, int layer, int slot, int kv) const
    {
        return static_cast<std::size_t>(block) * m_blockBytes
            + (static_cast<std::size_t>(layer) * 2 + static_cast<std::size_t>(kv)) * m_planeBytes
            + static_cast<std::size_t>(slot) * m_rowBytes;
    }

    KvCacheConfig m_config;
    BlockAllocator m_allocator;
    std::vector<std::uint8_t> m_data;
    std::size_t m_rowBytes = 0;    // one slot of one layer's keys
    std::size_t m_planeBytes = 0;  // blockTokens slots
    std::size_t m_blockBytes = 0;  // all layers, keys and values
};

} // namespace outpost::inference::kv
