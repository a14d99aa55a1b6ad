#include "inference/kv/block_pool.h"

#include <algorithm>

namespace outpost::inference::kv {

BlockPool::BlockPool(int capacity)
{
    capacity = std::max(capacity, 0);
    const auto n = static_cast<std::size_t>(capacity);
    m_refs.assign(n, 0);
    m_prev.assign(n, -1);
    m_next.assign(n, -1);
    m_entries.resize(n);
    m_published.assign(n, 0);
    m_free.reserve(n);
    for (int i = capacity - 1; i >= 0; --i)
        m_free.push_back(i);
}

std::uint64_t BlockPool::chainHash(std::uint64_t parent, std::span<const std::int32_t> tokens)
{
    // splitmix64-style mixing of each token into the parent's hash.
    std::uint64_t h = parent ^ 0x9e3779b97f4a7c15ull;
    auto mix = [](std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    for (auto t : tokens)
        h = mix(h + static_cast<std::uint32_t>(t) + 0x632be59bd9b4e019ull);
    h = mix(h + tokens.size());
    return h == 0 ? 1 : h;  // 0 means "no parent"
}

void BlockPool::lruRemove(int b)
{
    const auto i = static_cast<std::size_t>(b);
    if (m_prev[i] >= 0)
        m_next[static_cast<std::size_t>(m_prev[i])] = m_next[i];
    else
        m_head = m_next[i];
    if (m_next[i] >= 0)
        m_prev[static_cast<std::size_t>(m_next[i])] = m_prev[i];
    else
        m_tail = m_prev[i];
    m_prev[i] = m_next[i] = -1;
    --m_cachedCount;
}

void BlockPool::lruPushBack(int b)
{
    const auto i = static_cast<std::size_t>(b);
    m_prev[i] = m_tail;
    m_next[i] = -1;
    if (m_tail >= 0)
        m_next[static_cast<std::size_t>(m_tail)] = b;
    else
        m_head = b;
    m_tail = b;
    ++m_cachedCount;
}

void BlockPool::forget(int b)
{
    auto& e = m_entries[static_cast<std::size_t>(b)];
    if (!m_published[static_cast<std::size_t>(b)])
        return;
    auto it = m_byHash.find(e.hash);
    if (it != m_byHash.end() && it->second == b)
        m_byHash.erase(it);
    m_published[static_cast<std::size_t>(b)] = 0;
    e.tokens.clear();
}

std::optional<int> BlockPool::allocate()
{
    int b;
    if (!m_free.empty()) {
        b = m_free.back();
        m_free.pop_back();
    } else if (m_head >= 0) {
        b = m_head;
        lruRemove(b);
        forget(b);
        ++evictions;
    } else {
        return std::nullopt;
    }
    m_refs[static_cast<std::size_t>(b)] = 1;
    return b;
}

bool BlockPool::retain(int b)
{
    if (b < 0 || b >= capacity())
        return false;
    auto& r = m_refs[static_cast<std::size_t>(b)];
    if (r == 0) {
        if (!m_published[static_cast<std::size_t>(b)])
            return false;  // free
        lruRemove(b);
    }
    ++r;
    return true;
}

bool BlockPool::release(int b)
{
    if (b < 0 || b >= capacity() || m_refs[static_cast<std::size_t>(b)] == 0)
        return false;
    if (--m_refs[static_cast<std::size_t>(b)] == 0) {
        if (m_published[static_cast<std::size_t>(b)])
            lruPushBack(b);
        else
            m_free.push_back(b);
    }
    return true;
}

int BlockPool::refCount(int b) const
{
    return b < 0 || b >= capacity() ? 0 : m_refs[static_cast<std::size_t>(b)];
}

// The serial of block `parent`'s current publication; 0 for kNoParent, and
// nullopt when it is not a published block.
std::optional<std::uint64_t> BlockPool::parentSerial(int parent) const
{
    if (parent == kNoParent)
        return 0;
    if (parent < 0 || parent >= capacity() || !m_published[static_cast<std::size_t>(parent)])
        return std::nullopt;
    return m_entries[static_cast<std::size_t>(parent)].serial;
}

std::optional<int> BlockPool::lookup(std::uint64_t hash, int parent, std::span<const std::int32_t> tokens) const
{
    auto it = m_byHash.find(hash);
    const auto serial = parentSerial(parent);
    if (it == m_byHash.end() || !serial)
        return std::nullopt;
    const auto& e = m_entries[static_cast<std::size_t>(it->second)];
    if (e.parent != parent || e.parentSerial != *serial || !std::equal(e.tokens.begin(), e.tokens.end(), tokens.begin(), tokens.end()))
        return std::nullopt;
    return it->second;
}

// A published block lookup() can still reach: its parent is the block it
// was published after, in the same publication.
bool BlockPool::reachable(int b) const
{
    const auto& e = m_entries[static_cast<std::size_t>(b)];
    const auto serial = parentSerial(e.parent);
    return serial && *serial == e.parentSerial;
}

bool BlockPool::publish(int b, std::uint64_t hash, int parent, std::span<const std::int32_t> tokens)
{
    if (b < 0 || b >= capacity() || m_refs[static_cast<std::size_t>(b)] == 0 || b == parent)
        return false;
    auto& e = m_entries[static_cast<std::size_t>(b)];
    const auto serial = parentSerial(parent);
    if (m_published[static_cast<std::size_t>(b)] || !serial)
        return false;
    if (const auto it = m_byHash.find(hash); it != m_byHash.end()) {
        const int holder = it->second;
        if (reachable(holder) || holder == parent)
            return false;
        // An orphan (its parent was evicted): nothing can find it, and it
        // would keep this prefix from being cached again.
        forget(holder);
        if (m_refs[static_cast<std::size_t>(holder)] == 0) {
            lruRemove(holder);
            m_free.push_back(holder);
        }
    }
    e.hash = hash;
    e.serial = m_nextSerial++;
    e.parent = parent;
    e.parentSerial = *serial;
    e.tokens.assign(tokens.begin(), tokens.end());
    m_published[static_cast<std::size_t>(b)] = 1;
    m_byHash.emplace(hash, b);
    return true;
}

bool BlockPool::isPublished(int b) const
{
    return b >= 0 && b < capacity() && m_published[static_cast<std::size_t>(b)];
}

bool BlockPool::checkInvariants() const
{
    const int n = capacity();
    std::vector<char> onFree(static_cast<std::size_t>(n), 0), onLru(static_cast<std::size_t>(n), 0);
    for (int b : m_free) {
        if (b < 0 || b >= n || onFree[static_cast<std::size_t>(b)])
            return false;
        onFree[static_cast<std::size_t>(b)] = 1;
    }
    int count = 0;
    for (int b = m_head, prev = -1; b >= 0; prev = b, b = m_next[static_cast<std::size_t>(b)]) {
        if (b >= n || onLru[static_cast<std::size_t>(b)] || m_prev[static_cast<std::size_t>(b)] != prev || ++count > n)
            return false;
        onLru[static_cast<std::size_t>(b)] = 1;
    }
    if (count != m_cachedCount)
        return false;
    std::size_t published = 0;
    for (int b = 0; b < n; ++b) {
        const auto i = static_cast<std::size_t>(b);
        const int r = m_refs[i];
        const bool pub = m_published[i] != 0;
        published += pub ? 1 : 0;
        if (r < 0)
            return false;
        if (r == 0 && (onFree[i] + onLru[i]) != 1)
            return false;
        if (r > 0 && (onFree[i] || onLru[i]))
            return false;
        if (onLru[i] && !pub)
            return false;
        if (onFree[i] && pub)
            return false;
        if (pub) {
            auto it = m_byHash.find(m_entries[i].hash);
            if (it == m_byHash.end() || it->second != b)
                return false;
        }
    }
    return published == m_byHash.size() && free() + cached() + used() == n;
}

} // namespace outpost::inference::kv
