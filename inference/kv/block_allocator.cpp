#include "inference/kv/block_allocator.h"

namespace outpost::inference::kv {

BlockAllocator::BlockAllocator(int capacity)
{
    if (capacity < 0)
        capacity = 0;
    m_refs.assign(static_cast<std::size_t>(capacity), 0);
    m_free.reserve(static_cast<std::size_t>(capacity));
    // Pushed in reverse so that block 0 is handed out first.
    for (int i = capacity - 1; i >= 0; --i)
        m_free.push_back(i);
}

std::optional<int> BlockAllocator::allocate()
{
    if (m_free.empty())
        return std::nullopt;
    const int block = m_free.back();
    m_free.pop_back();
    m_refs[static_cast<std::size_t>(block)] = 1;
    return block;
}

bool BlockAllocator::retain(int block)
{
    if (block < 0 || block >= capacity() || m_refs[static_cast<std::size_t>(block)] == 0)
        return false;
    ++m_refs[static_cast<std::size_t>(block)];
    return true;
}

bool BlockAllocator::release(int block)
{
    if (block < 0 || block >= capacity() || m_refs[static_cast<std::size_t>(block)] == 0)
        return false;
    if (--m_refs[static_cast<std::size_t>(block)] == 0)
        m_free.push_back(block);
    return true;
}

int BlockAllocator::refCount(int block) const
{
    if (block < 0 || block >= capacity())
        return 0;
    return m_refs[static_cast<std::size_t>(block)];
}

} // namespace outpost::inference::kv
