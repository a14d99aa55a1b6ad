#pragma once
// ActorRuntime: actors with Durable Object semantics on a fixed set of
// shard threads.
//
// Design and invariants (implementation in actor_runtime.cpp):
// - Routing. A HashRing maps ActorId::hash() to one shard; the shard count
//   is fixed for the runtime's life (see hash_ring.h for what a change
//   means), so an actor always runs on the same thread and its SQLite
//   connection and memory stay warm there. stats().warmHitRate() is the
//   share of events that found their actor loaded.
// - Mailbox. Each shard has one mutex-protected deque. Producers append
//   under the lock and signal only when the shard sleeps; the shard swaps the
//   whole deque out at once (Shard::run), so the lock is taken once per
//   batch on the consumer side. A mutex beats a lock-free queue here: the
//   critical sections are a few pointer moves, contention is per shard, and
//   sleeping/waking needs the mutex anyway.
// - Single-threaded actors. Only the shard thread touches an actor, and it
//   runs one event to completion before the next (Shard::runEvent).
// - Input gate. Storage calls are synchronous SQLite calls on the shard
//   thread, so no other event can be delivered while an actor waits for its
//   storage: the gate holds by construction, with no await points.
// - Output gate and group commit. An event's replies and broadcasts go into
//   the shard's pending outputs; Shard::finishBatch COMMITs every actor
//   database touched by the batch and hands the outputs to the shard's
//   OutputGate (output_gate.h). With durable commits (synchronousFull,
//   file-backed) COMMIT does not wait for the disk: sync threads fdatasync
//   each committed WAL, several at once, and the gate releases a batch's
//   outputs in order once its files are on disk, while the shard already
//   runs the next batch (pipelined group commit: one fsync no longer stalls
//   a shard). If a commit fails, or SQLite rolled a batch back, every held
//   output of that actor becomes an error and the actor is reset (memory
//   dropped, database reopened on the next event); a failed sync does the
//   same for that actor's outputs of that batch: nothing that was not saved
//   was seen. Replies and broadcasts therefore arrive on a shard thread or
//   on a sync thread, never both at once for one shard.
// - Atomic events. Each event runs in SAVEPOINT "ev"; a failing or throwing
//   handler has its writes rolled back and its outputs dropped; the caller
//   gets the error and the shard carries on.
// - Alarms. Schedules and queued jobs live in the actor's database; the
//   runtime-wide AlarmIndex holds each actor's earliest due time and each
//   shard mirrors its own actors' entries in memory (Shard::m_due). New
//   schedules lower the index before the actor's commit (finishBatch step 1)
//   and the exact time is written after it (step 3), so the index is never
//   later than the truth. Shard::fireDue turns due entries into Due tasks,
//   which load (wake) the actor and deliver each due job and schedule in its
//   own event (Shard::runDue): success deletes or reschedules it in the same
//   transaction as the callback's writes (at least once); failure retries
//   with exponential backoff, at most DeliveryPolicy::maxAttempts tries.
//   start() reads the index, so alarms that fell due while the process was
//   down fire right away.
// - Hibernation. An actor idle (runtime clock) for hibernateAfterMs is
//   evicted between batches (Shard::hibernate): its object is destroyed and
//   its database closed, on a background thread (Impl::closerLoop) because
//   closing the last connection checkpoints the WAL with an fsync. The next event, due alarm or queued job loads it
//   again and runs Actor::onLoad. Actors of an in-memory runtime keep their
//   database (it would be lost), so they only drop their object if they
//   never opened one.
// - Watchdog. A runtime thread samples each shard's thread CPU clock. An
//   event that used more than cpuBudgetMs of CPU is reported and aborted:
//   its SQL fails with SQLITE_INTERRUPT at the next VM step check,
//   ActorContext::shouldStop() turns true, its writes are rolled back and its
//   caller gets an error. A handler that neither touches storage nor polls
//   shouldStop() cannot be stopped from outside (C++ has no safe preemption);
//   it is reported (stats().watchdogOverruns) and its shard waits for it.
#include "core/actor/actor.h"
#include "core/actor/hash_ring.h"
#include "core/alarms/clock.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace outpost::core::actor {

using ActorFactory = std::function<std::unique_ptr<Actor>()>;
using ReplyFn = std::function<void(Result<Json>)>;
using InvokeFn = std::function<Result<Json>(Actor&, ActorContext&)>;
using BroadcastFn = std::function<void(const ActorId&, const Json&)>;

struct RuntimeOptions {
    // Folder holding state/<class>/<id>.sqlite, state/alarm_index.sqlite and
    // snapshots/. Empty: everything in memory, nothing survives the process.
    std::string rootDir;
    int shards = 0;                        // 0: one per core
    int virtualNodes = 128;                // ring points per shard; more = more even spread
    std::int64_t hibernateAfterMs = 60'000; // idle time before eviction; <= 0 never
    std::int64_t cpuBudgetMs = 30'000;     // per event; <= 0 disables the watchdog
    int maxBatchEvents = 1024;             // events per group commit; more = fewer fsyncs, later replies
    storage::StorageOptions storage;
    alarms::DeliveryPolicy delivery;
    std::shared_ptr<alarms::Clock> clock;  // null: the system clock
    // Makes a committed WAL file durable: returns 0 or an errno value. Null:
    // fdatasync(). A seam for tests (a sync that waits or fails).
    std::function<int(int fd)> syncFile;
};

struct RuntimeStats {
    std::uint64_t events = 0;        // messages and invocations handled
    std::uint64_t warmHits = 0;      // ... whose actor was already loaded
    std::uint64_t coldLoads = 0;     // actor objects created (first use or wake)
    std::uint64_t hibernations = 0;  // actors evicted for idleness
    std::uint64_t batches = 0;
    std::uint64_t commits = 0;       // database COMMITs
    std::uint64_t walSyncs = 0;      // fdatasync()s of committed WAL files (durable commits)
    std::uint64_t commitFailures = 0;
    std::uint64_t eventErrors = 0;   // handlers that failed or threw
    std::uint64_t callbacksRun = 0;  // schedule and job deliveries
    std::uint64_t callbackFailures = 0;
    std::uint64_t watchdogOverruns = 0;
    std::uint64_t watchdogAborts = 0;
    std::uint64_t loadedActors = 0;
    std::uint64_t closingDatabases = 0; // hibernated databases still being closed (checkpointed)

    double warmHitRate() const { return events ? double(warmHits) / double(events) : 0.0; }
};

class ActorRuntime {
public:
    explicit ActorRuntime(RuntimeOptions options = {});
    ~ActorRuntime(); // stop()s
    ActorRuntime(const ActorRuntime&) = delete;
    ActorRuntime& operator=(const ActorRuntime&) = delete;

    // Before start(). Errors: invalid or duplicate class name, null factory.
    Status registerClass(const std::string& className, ActorFactory factory);
    // Called on a shard thread for each broadcast that passed the output gate.
    void setBroadcastSink(BroadcastFn sink);

    // Opens the alarm index and starts the shards and the watchdog. Errors:
    // the root folder or the index cannot be opened.
    Status start();
    // Finishes queued events, commits, closes every database. Idempotent.
    void stop();

    // Queues a message. Errors now: not started, unknown class. Errors
    // later (through `reply`, on the shard thread): the handler's error, a
    // thrown exception, a storage failure, a watchdog abort.
    Status post(const ActorId& id, Json message, ReplyFn reply = {});
    // Queues a function run as an event of the actor (tools, inspectors, tests).
    Status invoke(const ActorId& id, InvokeFn fn, ReplyFn reply = {});
    // post()/invoke() and wait for the reply. Refused from a shard thread
    // (it would deadlock the shard).
    Result<Json> call(const ActorId& id, Json message);
    Result<Json> callFn(const ActorId& id, InvokeFn fn);

    // A consistent copy of the actor's committed database; returns its name.
    Result<std::string> snapshot(const ActorId& id);
    // Snapshot names, oldest first.
    Result<std::vector<std::string>> listSnapshots(const ActorId& id) const;
    // Replaces the actor's database with a snapshot; the actor restarts
    // (onLoad runs again) and its schedules are re-read.
    Status restoreSnapshot(const ActorId& id, const std::string& name);

    // Makes every shard re-check its timers now (a ManualClock does this by itself).
    void wake();

    int shardCount() const;
    int shardOf(const ActorId& id) const;
    // Where an actor's database lives ("" for an in-memory runtime).
    std::string databasePath(const ActorId& id) const;
    RuntimeStats stats() const;
    const RuntimeOptions& options() const;

    struct Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace outpost::core::actor
