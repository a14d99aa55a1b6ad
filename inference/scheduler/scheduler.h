#pragma once
// Continuous batching over the paged KV cache: which tokens of which
// sequences run in the next forward step.
//
// The scheduler is a state machine in the style of vLLM's: schedule()
// produces a step plan, the engine runs the forward pass, commit() records
// what was computed. It knows nothing of the model or of sampling.
//
// Sequences. A Sequence holds its token list (prompt, then generated tokens
// as the engine appends them) and `computed`, the count of leading tokens
// whose keys and values are in the cache. It is in exactly one of:
//  - waiting: no blocks (its table is empty, computed == 0);
//  - running: its table holds blocks for positions [0, computed) at least.
// add() puts a sequence at the back of the waiting queue. schedule() admits
// waiting sequences (FIFO) while the token budget, the running limit and
// the free blocks allow; a preempted sequence goes back to the front of the
// waiting queue with its blocks released and computed = 0, and is later
// recomputed from its tokens (prompt and generated so far), usually mostly
// from the prefix cache. remove() releases a sequence in either state.
//
// Each step: every running sequence that has all but its last token
// computed (decoding) gets one token; the others (prefilling) share what is
// left of the per-step token budget, oldest first, so a long prompt is
// prefilled in chunks while streams in progress keep flowing. When a
// sequence needs a block and none is available, the newest running sequence
// is preempted (the one needing it, if it is the newest); the oldest
// sequence can therefore always progress.
//
// Prefix cache. Full blocks are published under the chained hash of all
// tokens up to their end (BlockPool). On admission, the leading full blocks
// of a sequence's tokens that are in the cache are shared read-only
// (retained), so only the rest is computed. At least one token is always
// computed, because its logits are needed.
//
// Invariants (checked by checkInvariants()): every block of every running
// table is used (reference count >= 1), and the pool's counts add up; after
// every sequence is removed, used() == 0.
#include "inference/kv/block_pool.h"
#include "inference/kv/kv_cache.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace outpost::inference::scheduler {

struct Sequence {
    std::uint64_t id = 0;                 // arrival order: lower is older
    std::vector<std::int32_t> tokens;     // prompt then generated
    int computed = 0;                     // leading tokens with keys/values cached
    kv::BlockTable table;
    std::vector<std::uint64_t> blockHashes; // chain hash of each full, published-or-hashed block of tokens
    // For each full block, the published block that holds its prefix in the
    // cache: its own, or an equal one another sequence published first (-1:
    // none, so the blocks after it are not published either).
    std::vector<int> prefixBlocks;
    int cachedTokensAtAdmission = 0;      // tokens taken from the prefix cache at the last admission
    int preemptions = 0;
    bool running = false;
};

struct SchedulerConfig {
    int blockTokens = 16;
    int stepTokens = 512;     // tokens per forward step, all sequences together
    int maxRunning = 64;      // sequences running at once
    bool prefixCache = true;
};

struct StepEntry {
    Sequence* seq = nullptr;
    int start = 0;            // first token index computed this step
    int count = 0;            // tokens computed this step
    bool logits = false;      // the chunk ends at the last token: its logits are wanted
};

struct StepPlan {
    std::vector<StepEntry> entries;
    std::vector<Sequence*> preempted;  // sequences sent back to waiting this step
    int tokens = 0;
};

class Scheduler {
public:
    Scheduler(const SchedulerConfig& config, kv::BlockPool& pool);

    // Queues a sequence (tokens not empty, computed 0, table empty).
    void add(Sequence* seq);
    // Releases its blocks and forgets it, waiting or running.
    void remove(Sequence* seq);

    // The next step. An empty plan means nothing can run (no sequences).
    StepPlan schedule();
    // Records that the plan's tokens were computed: advances `computed`
    // and publishes newly full blocks to the prefix cache.
    void commit(const StepPlan& plan);

    const std::vector<Sequence*>& running() const { return m_running; }
    const std::deque<Sequence*>& waiting() const { return m_waiting; }
    std::uint64_t preemptions() const { return m_preemptions; }
    bool checkInvariants() const;

    // Who holds each block of the pool, for the studio's block map. Resizes
    // `out` to the pool's capacity (reusing its memory) and sets out[b] to
    // the index in running() of the one sequence holding block b, or to
    // kOwnerShared (a prefix block held by several running sequences),
    // kOwnerCached (a published prefix nobody holds) or kOwnerFree. Costs
    // one pass over a byte per block and one over the running tables. Exact
    // as long as this scheduler is the only one allocating from the pool.
    static constexpr std::int32_t kOwnerFree = -1;
    static constexpr std::int32_t kOwnerCached = -2;
    static constexpr std::int32_t kOwnerShared = -3;
    void blockOwners(std::vector<std::int32_t>& out) const;

    // Blocks needed to hold `tokens` positions.
    int blocksFor(int tokens) const { return (tokens + m_config.blockTokens - 1) / m_config.blockTokens; }

private:
    bool grow(Sequence* seq, int tokens, std::size_t selfIndex, StepPlan& plan);
    void preempt(std::size_t index, StepPlan& plan);
    bool admit(Sequence* seq, int budget, StepPlan& plan);
    void releaseBlocks(Sequence* seq);

    SchedulerConfig m_config;
    kv::BlockPool& m_pool;
    std::vector<Sequence*> m_running;   // oldest first
    std::deque<Sequence*> m_waiting;    // preempted ones first (by age), then new arrivals
    std::uint64_t m_preemptions = 0;
};

} // namespace outpost::inference::scheduler
