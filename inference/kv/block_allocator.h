#pragma once
// Hands out fixed-size KV-cache blocks by index. Invariants:
//  - every block index in [0, capacity) is either on the free list with a
//    reference count of 0, or off it with a count >= 1 (allocate() sets 1,
//    retain() adds one owner, release() drops one and returns the block to the
//    free list when the count reaches 0);
//  - used() + free() == capacity() at all times.
// Reference counts exist so that sequences can later share prefix blocks.
// Not thread-safe: the engine owns one allocator per model and touches it
// only from its scheduling thread.
#include <cstdint>
#include <optional>
#include <vector>

namespace outpost::inference::kv {

class BlockAllocator {
public:
    explicit BlockAllocator(int capacity = 0);

    int capacity() const { return static_cast<int>(m_refs.size()); }
    int free() const { return static_cast<int>(m_free.size()); }
    int used() const { return capacity() - free(); }

    // A block with reference count 1, or nullopt when none is free.
    std::optional<int> allocate();
    // Adds an owner to an allocated block. Returns false (and changes
    // nothing) for an index out of range or a free block.
    bool retain(int block);
    // Drops one owner; the block is free again when the last owner drops it.
    // Returns false (and changes nothing) for an index out of range or a
    // block that is already free.
    bool release(int block);
    // 0 for a free block or an index out of range.
    int refCount(int block) const;

private:
    std::vector<std::int32_t> m_refs;
    std::vector<int> m_free; // a stack: the most recently freed block is reused first (warm in cache)
};

} // namespace outpost::inference::kv
