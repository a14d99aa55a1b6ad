#include "inference/kv/kv_cache.h"

#include <limits>
#include <new>
#include <string>

namespace outpost::inference::kv {

Result<KvCache> KvCache::create(const KvCacheConfig& config)
{
    if (config.layers <= 0 || config.kvDim <= 0 || config.blockTokens <= 0 || config.blocks <= 0)
        return Error{"KV cache: layers (" + std::to_string(config.layers) + "), kv dimension (" + std::to_string(config.kvDim)
                     + "), block size (" + std::to_string(config.blockTokens) + ") and block count ("
                     + std::to_string(config.blocks) + ") must all be positive"};
    KvCache cache;
    cache.m_config = config;
    if (config.type == KvType::Q8_0 && config.kvDim % 32 != 0)
        return Error{"KV cache: a Q8_0 cache needs the kv dimension to be a multiple of 32, not " + std::to_string(config.kvDim)};
    const auto dim = static_cast<std::size_t>(config.kvDim);
    cache.m_rowBytes = config.type == KvType::Q8_0 ? dim / 32 * 34 : dim * (config.type == KvType::F16 ? 2 : 4);
    cache.m_planeBytes = cache.m_rowBytes * static_cast<std::size_t>(config.blockTokens);
    cache.m_blockBytes = cache.m_planeBytes * 2 * static_cast<std::size_t>(config.layers);
    const std::size_t limit = std::numeric_limits<std::size_t>::max() / 2;
    if (cache.m_blockBytes > limit / static_cast<std::size_t>(config.blocks))
        return Error{"KV cache: " + std::to_string(config.blocks) + " blocks of " + std::to_string(cache.m_blockBytes)
                     + " bytes do not fit in the address space"};
    try {
        cache.m_data.assign(cache.m_blockBytes * static_cast<std::size_t>(config.blocks), 0);
    } catch (const std::bad_alloc&) {
        return Error{"KV cache: cannot allocate " + std::to_string(cache.m_blockBytes * static_cast<std::size_t>(config.blocks))
                     + " bytes (" + std::to_string(config.blocks) + " blocks); lower the context length"};
    }
    cache.m_allocator = BlockAllocator(config.blocks);
    return cache;
}

KvCacheStats KvCache::stats() const
{
    KvCacheStats s;
    s.blocksTotal = m_allocator.capacity();
    s.blocksUsed = m_allocator.used();
    s.blocksFree = m_allocator.free();
    s.blockTokens = m_config.blockTokens;
    s.bytesPerToken = m_rowBytes * 2 * static_cast<std::size_t>(m_config.layers);
    s.bytesTotal = m_data.size();
    return s;
}

Status KvCache::reserve(BlockTable& table, int tokens)
{
    if (tokens < 0)
        return Error{"KV cache: negative token count " + std::to_string(tokens)};
    const std::size_t need = (static_cast<std::size_t>(tokens) + static_cast<std::size_t>(m_config.blockTokens) - 1)
        / static_cast<std::size_t>(m_config.blockTokens);
    if (need <= table.blocks.size())
        return Status::success();
    const std::size_t missing = need - table.blocks.size();
    if (missing > static_cast<std::size_t>(m_allocator.free()))
        return Error{"KV cache full: " + std::to_string(tokens) + " tokens need " + std::to_string(missing)
                     + " more blocks of " + std::to_string(m_config.blockTokens) + " tokens, only "
                     + std::to_string(m_allocator.free()) + " free"};
    for (std::size_t i = 0; i < missing; ++i)
        table.blocks.push_back(*m_allocator.allocate());
    return Status::success();
}

void KvCache::release(BlockTable& table)
{
    for (int block : table.blocks)
        m_allocator.release(block);
    table.blocks.clear();
    table.tokens = 0;
}

} // namespace outpost::inference::kv
