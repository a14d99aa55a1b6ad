#pragma once
// A set of slots (the index's dense record numbers) as a bitset: what a
// filter allows. Membership is one load and a mask, which is what the graph
// search needs at every node it visits.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace outpost::core::memory {

class SlotSet {
public:
    SlotSet() = default;
    explicit SlotSet(std::size_t universe) : m_words((universe + 63) / 64, 0), m_universe(universe) {}

    std::size_t universe() const { return m_universe; }
    bool test(std::uint64_t slot) const
    {
        return slot < m_universe && (m_words[slot >> 6] >> (slot & 63)) & 1u;
    }
    void set(std::uint64_t slot) { m_words[slot >> 6] |= std::uint64_t(1) << (slot & 63); }
    void reset(std::uint64_t slot) { m_words[slot >> 6] &= ~(std::uint64_t(1) << (slot & 63)); }

    void intersect(const SlotSet& other)
    {
        for (std::size_t i = 0; i < m_words.size(); ++i)
            m_words[i] &= i < other.m_words.size() ? other.m_words[i] : 0;
    }
    // this = base minus this (complement within `base`).
    void complementWithin(const SlotSet& base)
    {
        for (std::size_t i = 0; i < m_words.size(); ++i)
            m_words[i] = (i < base.m_words.size() ? base.m_words[i] : 0) & ~m_words[i];
    }
    std::size_t count() const
    {
        std::size_t n = 0;
        for (auto w : m_words)
            n += static_cast<std::size_t>(std::popcount(w));
        return n;
    }
    template<typename F>
    void forEach(F&& f) const
    {
        for (std::size_t i = 0; i < m_words.size(); ++i) {
            std::uint64_t w = m_words[i];
            while (w) {
                const int bit = std::countr_zero(w);
                f(static_cast<std::uint64_t>(i * 64 + static_cast<std::size_t>(bit)));
                w &= w - 1;
            }
        }
    }

private:
    std::vector<std::uint64_t> m_words;
    std::size_t m_universe = 0;
};

} // namespace outpost::core::memory
