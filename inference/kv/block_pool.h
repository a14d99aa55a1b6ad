#pragma once
// The serving engine's KV block pool: reference-counted blocks plus the
// prefix cache that lets sequences with the same prefix share blocks.
//
// Every block index in [0, capacity) is in exactly one of three states:
//  - free:   reference count 0, no prefix hash, on the free list;
//  - used:   reference count >= 1 (owned by that many block tables);
//  - cached: reference count 0 but holding a published prefix (a hash),
//            on the LRU list, so a later sequence with the same prefix can
//            take it back (retain()) instead of recomputing it.
// free() + cached() + used() == capacity() at all times.
//
// Transitions: allocate() takes a free block, or evicts the least recently
// released cached block (forgetting its hash) when none is free: used.
// retain() adds an owner (a cached block becomes used again, leaving the
// LRU). release() drops one; at zero the block goes to the LRU if it holds a
// hash, else to the free list. publish() attaches a hash to a used, full
// block; lookup() finds the block of a hash.
//
// A block's hash covers every token from the start of the sequence to the
// end of that block (it chains the previous block's hash); it is only the
// key to find a block by. What makes a match exact is that each published
// block records its own tokens and its parent: the block before it (by
// index, in the parent's current publication). lookup() compares both, so
// a prefix matched block by block from the start is token for token the
// one published, and no 64-bit hash collision can hand out the wrong keys
// and values.
//
// Not thread-safe: the engine touches it only from its scheduling thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace outpost::inference::kv {

class BlockPool {
public:
    explicit BlockPool(int capacity = 0);

    int capacity() const { return static_cast<int>(m_refs.size()); }
    int free() const { return static_cast<int>(m_free.size()); }
    int cached() const { return m_cachedCount; }
    int used() const { return capacity() - free() - cached(); }
    // Blocks allocate() can hand out now (free ones and evictable cached ones).
    int available() const { return free() + cached(); }

    // A block with reference count 1, or nullopt when every block is used.
    std::optional<int> allocate();
    // Adds an owner to a used or cached block. False (nothing changes) for
    // an index out of range or a free block.
    bool retain(int block);
    // Drops one owner. False (nothing changes) for an index out of range or
    // a block nobody owns.
    bool release(int block);
    int refCount(int block) const;

    // The hash of a block that follows a block of hash `parent` (0 for the
    // first block) and holds `tokens`.
    static std::uint64_t chainHash(std::uint64_t parent, std::span<const std::int32_t> tokens);
    // The block published under `hash` that holds `tokens` and follows
    // block `parent` (kNoParent for a sequence's first block) as published
    // now, or nullopt. Does not change ownership or LRU order.
    std::optional<int> lookup(std::uint64_t hash, int parent, std::span<const std::int32_t> tokens) const;
    // Makes a used block findable under `hash`, after block `parent`
    // (kNoParent for a first block). False (nothing changes) when the block
    // is not used or already holds a hash, another block already holds this
    // hash and can be found (that one stays the shared copy), or the parent
    // is not published (its children could never be reached). A block that
    // holds the hash but can no longer be found (its parent was evicted)
    // gives it up: it becomes free if cached, unpublished if used.
    bool publish(int block, std::uint64_t hash, int parent, std::span<const std::int32_t> tokens);
    static constexpr int kNoParent = -1;
    bool isPublished(int block) const;
    // isPublished() of every block, 1 or 0 (one pass over it is cheaper than
    // a call per block of a large cache).
    const std::vector<std::uint8_t>& publishedMap() const { return m_published; }

    // Counts of lookups that found a block and that did not (the engine
    // counts each block of an admitted prompt once), and of evictions.
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;

    // Checks every invariant above (tests); false when one is broken.
    bool checkInvariants() const;

private:
    void lruRemove(int block);
    void lruPushBack(int block);
    void forget(int block);
    std::optional<std::uint64_t> parentSerial(int parent) const;
    bool reachable(int block) const;

    std::vector<std::int32_t> m_refs;
    std::vector<int> m_free;                    // a stack: recently freed blocks are reused first (warm)
    // Doubly-linked LRU of cached blocks through per-block links; head is the
    // least recently released.
    std::vector<int> m_prev, m_next;
    int m_head = -1, m_tail = -1;
    int m_cachedCount = 0;
    struct Entry {
        std::uint64_t hash = 0;
        std::uint64_t serial = 0;        // this publication's number (unique over the pool's life)
        int parent = kNoParent;
        std::uint64_t parentSerial = 0;  // the parent's serial when this block was published
        std::vector<std::int32_t> tokens;
    };
    std::uint64_t m_nextSerial = 1;
    std::vector<std::uint8_t> m_published;      // per block: holds a hash (findable or not)
    std::vector<Entry> m_entries;
    std::unordered_map<std::uint64_t, int> m_byHash;
};

} // namespace outpost::inference::kv
