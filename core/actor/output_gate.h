#pragma once
// The runtime's output gate for file-backed actors with durable commits
// (internal to actor_runtime.cpp).
//
// A shard COMMITs a batch without waiting for the disk (storage option
// deferSync) and hands the batch's outputs here together with one WAL
// handle per committed database. Sync threads fdatasync() the handles,
// several at once; a batch's outputs are released when every handle of the
// batch is on disk AND every earlier batch of the shard was released, so
// replies and broadcasts keep their order and nothing is seen before it is
// durable. The shard meanwhile runs its next batch: one fsync no longer
// stalls every actor of the shard (pipelined group commit).
//
// If an fdatasync fails, the outputs of that actor in that batch become
// errors (their writes may not be on disk) and onSyncFailure is told, so the
// runtime can reload the actor from its file.
#include "core/actor/actor.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace outpost::core::actor::detail {

// A reply and the broadcasts of one event, as they leave the shard.
struct HeldOutput {
    std::optional<ActorId> actor; // absent for an event that never reached an actor
    std::function<void(Result<Json>)> reply;
    Result<Json> result = Json(nullptr);
    std::vector<Json> broadcasts;
};

// Threads that run fdatasync() jobs; they mostly sleep in the kernel, so
// several run at once to overlap the syncs of different databases.
class SyncPool {
public:
    explicit SyncPool(int threads);
    ~SyncPool(); // runs the queued jobs, then joins
    SyncPool(const SyncPool&) = delete;
    SyncPool& operator=(const SyncPool&) = delete;
    void submit(std::function<void()> job);
    std::uint64_t syncs() const { return m_syncs.load(std::memory_order_relaxed); }
    void countSync() { m_syncs.fetch_add(1, std::memory_order_relaxed); }

private:
    void loop();
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stop = false;
    std::vector<std::thread> m_threads;
    std::atomic<std::uint64_t> m_syncs{0};
};

class OutputGate {
public:
    using BroadcastSink = std::function<void(const ActorId&, const Json&)>;
    using SyncFailure = std::function<void(const std::vector<ActorId>&)>;
    using SyncFile = std::function<int(int fd)>; // 0 or an errno value

    // `syncFile` null: fdatasync().
    OutputGate(SyncPool& pool, const BroadcastSink& sink, SyncFile syncFile, SyncFailure onSyncFailure);
    ~OutputGate(); // drain()s
    OutputGate(const OutputGate&) = delete;
    OutputGate& operator=(const OutputGate&) = delete;

    // Holds `outputs` until each (actor, WAL handle) in `files` was synced;
    // takes ownership of the handles. With no files and nothing held before
    // it, the outputs are released at once on the calling thread.
    void hold(std::vector<std::pair<ActorId, int>> files, std::vector<HeldOutput> outputs);
    // Blocks until everything held so far was released.
    void drain();
    // True on a thread that is releasing outputs (a reply must not wait
    // there for another reply of the same gate).
    static bool releasingOnThisThread();

private:
    struct Batch;
    void release();
    void deliver(Batch& batch);

    SyncPool& m_pool;
    const BroadcastSink& m_sink;
    SyncFile m_syncFile;
    SyncFailure m_onSyncFailure;
    std::mutex m_mutex;
    std::condition_variable m_idle;
    std::deque<std::shared_ptr<Batch>> m_batches;
    bool m_releasing = false;
};

} // namespace outpost::core::actor::detail
