#include "inference/scheduler/scheduler.h"

#include <algorithm>
#include <span>
#include <unordered_map>

namespace outpost::inference::scheduler {

namespace {

bool olderFirst(const Sequence* a, const Sequence* b)
{
    return a->id < b->id;
}

} // namespace

Scheduler::Scheduler(const SchedulerConfig& config, kv::BlockPool& pool)
    : m_config(config), m_pool(pool)
{
    m_config.blockTokens = std::max(m_config.blockTokens, 1);
    m_config.stepTokens = std::max(m_config.stepTokens, 1);
    m_config.maxRunning = std::max(m_config.maxRunning, 1);
}

void Scheduler::add(Sequence* seq)
{
    seq->running = false;
    seq->computed = 0;
    // Sorted by age: new arrivals go last, preempted sequences before them.
    m_waiting.insert(std::upper_bound(m_waiting.begin(), m_waiting.end(), seq, olderFirst), seq);
}

void Scheduler::releaseBlocks(Sequence* seq)
{
    // Last block first: the tail of a prefix goes to the LRU's cold end
    // before its head, so eviction eats prefixes from their ends.
    for (auto it = seq->table.blocks.rbegin(); it != seq->table.blocks.rend(); ++it)
        m_pool.release(*it);
    seq->table.blocks.clear();
    seq->table.tokens = 0;
    seq->computed = 0;
    seq->blockHashes.clear();
    seq->prefixBlocks.clear();
}

void Scheduler::remove(Sequence* seq)
{
    if (auto it = std::find(m_running.begin(), m_running.end(), seq); it != m_running.end())
        m_running.erase(it);
    if (auto it = std::find(m_waiting.begin(), m_waiting.end(), seq); it != m_waiting.end())
        m_waiting.erase(it);
    releaseBlocks(seq);
    seq->running = false;
}

void Scheduler::preempt(std::size_t index, StepPlan& plan)
{
    Sequence* seq = m_running[index];
    m_running.erase(m_running.begin() + static_cast<std::ptrdiff_t>(index));
    releaseBlocks(seq);
    ++seq->preemptions;
    ++m_preemptions;
    plan.preempted.push_back(seq);
    add(seq);
}

// Gives m_running[self] blocks for `tokens` positions, preempting newer
// sequences (from the newest) when the pool runs dry. Returns false when it
// could not get them all (the table keeps what it got).
bool Scheduler::grow(Sequence* seq, int tokens, std::size_t self, StepPlan& plan)
{
    const auto need = static_cast<std::size_t>(blocksFor(tokens));
    while (seq->table.blocks.size() < need) {
        if (auto b = m_pool.allocate()) {
            seq->table.blocks.push_back(*b);
            continue;
        }
        if (m_running.size() <= self + 1)
            return false;
        preempt(m_running.size() - 1, plan);
    }
    return true;
}

bool Scheduler::admit(Sequence* seq, int budget, StepPlan& plan)
{
    const int bt = m_config.blockTokens;
    const int total = static_cast<int>(seq->tokens.size());
    std::vector<int> matched;
    std::vector<std::uint64_t> hashes;
    const int fullBlocks = total / bt;
    if (m_config.prefixCache) {
        std::uint64_t parentHash = 0;
        for (int b = 0; b < fullBlocks; ++b) {
            const std::span<const std::int32_t> span(seq->tokens.data() + b * bt, static_cast<std::size_t>(bt));
            const std::uint64_t h = kv::BlockPool::chainHash(parentHash, span);
            const auto block = m_pool.lookup(h, matched.empty() ? kv::BlockPool::kNoParent : matched.back(), span);
            if (!block)
                break;
            matched.push_back(*block);
            hashes.push_back(h);
            parentHash = h;
        }
        // The last token is always computed: its logits are needed.
        if (!matched.empty() && static_cast<int>(matched.size()) * bt >= total) {
            matched.pop_back();
            hashes.pop_back();
        }
    }
    const int start = static_cast<int>(matched.size()) * bt;
    const int count = std::min(total - start, budget);
    const int needBlocks = blocksFor(start + count) - static_cast<int>(matched.size());
    // Retain first, so allocating the rest cannot evict the shared prefix.
    for (int b : matched)
        m_pool.retain(b);
    // Keep one block spare per running sequence (each may cross into a new
    // block next step): admitting into a pool that is about to run dry only
    // buys a preemption.
    const int spare = static_cast<int>(m_running.size());
    if (m_pool.available() < needBlocks + (m_running.empty() ? 0 : spare)) {
        for (auto it = matched.rbegin(); it != matched.rend(); ++it)
            m_pool.release(*it);
        return false;
    }
    seq->table.blocks = matched;
    for (int i = 0; i < needBlocks; ++i)
        seq->table.blocks.push_back(*m_pool.allocate());
    seq->table.tokens = start;
    seq->computed = start;
    seq->blockHashes = std::move(hashes);
    seq->prefixBlocks = matched;
    seq->cachedTokensAtAdmission = start;
    if (m_config.prefixCache) {
        m_pool.hits += matched.size();
        m_pool.misses += static_cast<std::uint64_t>(fullBlocks) - matched.size();
    }
    seq->running = true;
    m_waiting.pop_front();
    m_running.insert(std::upper_bound(m_running.begin(), m_running.end(), seq, olderFirst), seq);
    plan.entries.push_back({seq, start, count, start + count == total});
    plan.tokens += count;
    return true;
}

StepPlan Scheduler::schedule()
{
    StepPlan plan;
    int decoders = 0;
    for (const Sequence* s : m_running)
        decoders += static_cast<int>(s->tokens.size()) - s->computed == 1 ? 1 : 0;
    int prefillBudget = std::max(0, m_config.stepTokens - decoders);

    for (std::size_t i = 0; i < m_running.size(); ++i) {
        Sequence* seq = m_running[i];
        const int total = static_cast<int>(seq->tokens.size());
        const int remaining = total - seq->computed;
        if (remaining <= 0)
            continue;  // nothing to compute until the engine appends a token
        if (remaining == 1) {
            if (!grow(seq, total, i, plan)) {
                // The newest sequence and no block: it steps aside itself.
                preempt(i, plan);
                break;
            }
            plan.entries.push_back({seq, seq->computed, 1, true});
            plan.tokens += 1;
            continue;
        }
        const int want = std::min(remaining, prefillBudget);
        if (want <= 0)
            continue;
        grow(seq, seq->computed + want, i, plan);
        const int covered = std::min(seq->computed + want, static_cast<int>(seq->table.blocks.size()) * m_config.blockTokens);
        const int count = covered - seq->computed;
        if (count <= 0)
            continue;
        prefillBudget -= count;
        plan.entries.push_back({seq, seq->computed, count, seq->computed + count == total});
        plan.tokens += count;
    }

    // New work joins only in steps that preempted nothing: admitting while
    // evicting would just trade one sequence for another.
    if (plan.preempted.empty()) {
        while (!m_waiting.empty() && static_cast<int>(m_running.size()) < m_config.maxRunning && prefillBudget > 0) {
            Sequence* seq = m_waiting.front();
            const int before = plan.tokens;
            if (!admit(seq, prefillBudget, plan))
                break;
            prefillBudget -= plan.tokens - before;
        }
    }
    // A sequence planned and then preempted later in this step (it cannot
    // be: only newer ones are preempted, and those come later) is dropped
    // defensively all the same.
    std::erase_if(plan.entries, [](const StepEntry& e) { return !e.seq->running; });
    return plan;
}

void Scheduler::commit(const StepPlan& plan)
{
    const int bt = m_config.blockTokens;
    for (const auto& e : plan.entries) {
        Sequence* seq = e.seq;
        if (!seq->running || e.start != seq->computed)
            continue;
        seq->computed += e.count;
        seq->table.tokens = std::max(seq->table.tokens, seq->computed);
        const std::size_t full = static_cast<std::size_t>(seq->computed / bt);
        while (seq->blockHashes.size() < full) {
            const std::size_t b = seq->blockHashes.size();
            const std::uint64_t parentHash = b == 0 ? 0 : seq->blockHashes[b - 1];
            const std::span<const std::int32_t> span(seq->tokens.data() + b * static_cast<std::size_t>(bt), static_cast<std::size_t>(bt));
            const std::uint64_t h = kv::BlockPool::chainHash(parentHash, span);
            seq->blockHashes.push_back(h);
            // Chained after the block that holds the previous prefix in the
            // cache, which is another sequence's when that one published an
            // equal block first: then this block's equal copy is found there
            // and the chain goes on through it.
            int holder = -1;
            const int parent = b == 0 ? kv::BlockPool::kNoParent : seq->prefixBlocks[b - 1];
            if (m_config.prefixCache && (b == 0 || parent >= 0)) {
                const int own = seq->table.blocks[b];
                if (m_pool.publish(own, h, parent, span))
                    holder = own;
                else if (const auto equal = m_pool.lookup(h, parent, span))
                    holder = *equal;
            }
            seq->prefixBlocks.push_back(holder);
        }
    }
}

void Scheduler::blockOwners(std::vector<std::int32_t>& out) const
{
    // One tight pass over a byte map, not a call into the pool per block:
    // a small model's cache has 100,000 blocks or more, and this runs after
    // every step. Unheld blocks are cached when published, else free; held
    // ones are overwritten below.
    const auto& published = m_pool.publishedMap();
    out.resize(published.size());
    for (std::size_t b = 0; b < out.size(); ++b)
        out[b] = published[b] ? kOwnerCached : kOwnerFree;
    // Only running sequences hold blocks (waiting ones have empty tables),
    // and a table never holds a block twice: a block already marked with a
    // sequence's index is held by two, so it is a shared prefix.
    for (std::size_t i = 0; i < m_running.size(); ++i) {
        for (int block : m_running[i]->table.blocks) {
            auto& owner = out[static_cast<std::size_t>(block)];
            owner = owner >= 0 || owner == kOwnerShared ? kOwnerShared : static_cast<std::int32_t>(i);
        }
    }
}

bool Scheduler::checkInvariants() const
{
    if (!m_pool.checkInvariants())
        return false;
    std::unordered_map<int, int> owners;
    for (const Sequence* s : m_running) {
        if (!s->running || static_cast<int>(s->table.blocks.size()) < blocksFor(s->computed))
            return false;
        for (int b : s->table.blocks)
            ++owners[b];
    }
    for (const Sequence* s : m_waiting)
        if (s->running || !s->table.blocks.empty() || s->computed != 0)
            return false;
    int used = 0;
    for (const auto& [block, count] : owners) {
        if (m_pool.refCount(block) != count)
            return false;
        ++used;
    }
    return used == m_pool.used();
}

} // namespace outpost::inference::scheduler
