#include "core/actor/actor_runtime.h"

#include "core/actor/output_gate.h"
#include "core/alarms/alarm_index.h"

#include <QDebug>

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace outpost::core::actor {

using alarms::ScheduleStore;
using storage::ActorStorage;

namespace detail {

class Shard;

// One loaded actor. Owned by its shard; touched only on the shard thread.
struct ActorSlot {
    ActorSlot(Shard* s, ActorId i) : shard(s), id(std::move(i)), ctx(this) {}

    Shard* shard;
    ActorId id;
    ActorContext ctx;
    std::unique_ptr<Actor> actor;
    std::unique_ptr<ActorStorage> storage;
    std::int64_t lastActiveMs = 0;
    bool loaded = false;     // onLoad succeeded
    bool inEvent = false;
    bool touched = false;    // part of the current batch
    bool broken = false;     // the batch's writes were lost: fail held outputs, reset
    bool scheduleChanged = false;
    bool needsSync = false;  // committed this batch without waiting for the disk
    std::optional<std::int64_t> lowestAdded; // earliest schedule/job added this batch
    std::vector<Json> eventBroadcasts;
    std::string brokenReason;
};

struct Task {
    enum class Kind : std::uint8_t { Message, Invoke, Due, Control };
    Kind kind = Kind::Message;
    ActorId id;
    Json message;
    InvokeFn fn;
    ReplyFn reply;
    std::function<void(Shard&)> control;
};

struct Output {
    ActorSlot* slot = nullptr;
    ReplyFn reply;
    Result<Json> result = Json(nullptr);
    std::vector<Json> broadcasts;
};

struct ShardStats {
    std::atomic<std::uint64_t> events{0}, warmHits{0}, coldLoads{0}, hibernations{0}, batches{0}, commits{0},
        commitFailures{0}, eventErrors{0}, callbacksRun{0}, callbackFailures{0}, watchdogAborts{0}, loaded{0};
};

thread_local Shard* t_currentShard = nullptr;

// How close to its quota an actor must be before its events stop sharing a
// commit (see Shard::runEvent).
constexpr std::int64_t kQuotaMarginBytes = 1 << 20;

} // namespace detail

using detail::ActorSlot;
using detail::HeldOutput;
using detail::Output;
using detail::OutputGate;
using detail::Shard;
using detail::Task;

struct ActorRuntime::Impl {
    RuntimeOptions options;
    std::shared_ptr<alarms::Clock> clock;
    std::unique_ptr<HashRing> ring;
    std::unordered_map<std::string, ActorFactory> classes;
    BroadcastFn broadcastSink;
    std::unique_ptr<alarms::AlarmIndex> index;
    // Before the shards: their output gates use it until they are destroyed.
    std::unique_ptr<detail::SyncPool> syncPool;
    std::vector<std::unique_ptr<Shard>> shards;
    std::atomic<bool> running{false};
    bool started = false;
    int clockToken = 0;
    std::atomic<std::uint64_t> watchdogOverruns{0};
    std::atomic<std::uint64_t> snapshotCounter{0};

    // Closing the last connection to a WAL database checkpoints it (an
    // fsync); hibernating actors hand their databases to this thread so the
    // shard does not wait for that.
    std::thread closer;
    std::mutex closerMutex;
    std::condition_variable closerCv;
    std::vector<std::unique_ptr<ActorStorage>> toClose;
    bool closerStop = false;
    std::atomic<std::uint64_t> pendingCloses{0};

    void retire(std::unique_ptr<ActorStorage> db)
    {
        if (!db)
            return;
        {
            std::lock_guard lock(closerMutex);
            toClose.push_back(std::move(db));
            pendingCloses.fetch_add(1);
        }
        closerCv.notify_one();
    }
    void closerLoop()
    {
        std::unique_lock lock(closerMutex);
        for (;;) {
            closerCv.wait(lock, [&] { return closerStop || !toClose.empty(); });
            if (toClose.empty() && closerStop)
                return;
            auto batch = std::move(toClose);
            toClose.clear();
            lock.unlock();
            for (auto& db : batch) {
                db.reset();
                pendingCloses.fetch_sub(1);
            }
            batch.clear();
            lock.lock();
        }
    }

    std::thread watchdog;
    std::mutex watchdogMutex;
    std::condition_variable watchdogCv;
    bool watchdogStop = false;

    std::string dbPath(const ActorId& id) const
    {
        if (options.rootDir.empty())
            return {};
        return (std::filesystem::path(options.rootDir) / "state" / id.className() / (id.hex() + ".sqlite")).string();
    }
    std::string snapshotDir(const ActorId& id) const
    {
        return (std::filesystem::path(options.rootDir) / "snapshots" / id.className() / id.hex()).string();
    }
    Shard& shardFor(const ActorId& id) { return *shards[size_t(ring->shardFor(id.hash()))]; }
    Status enqueue(Task task);
    void watchdogLoop();
};

namespace detail {

class Shard {
public:
    Shard(ActorRuntime::Impl& rt, int index);

    void start() { m_thread = std::thread([this] { run(); }); }
    void requestStop()
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_cv.notify_one();
    }
    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }
    bool push(Task&& task)
    {
        bool notify = false;
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return false;
            m_mailbox.push_back(std::move(task));
            notify = m_sleeping;
        }
        if (notify)
            m_cv.notify_one();
        return true;
    }
    void poke()
    {
        std::lock_guard lock(m_mutex);
        m_poked = true;
        m_cv.notify_one();
    }
    // Runs as a control task (no batch open): the actor restarts from the
    // restored file on its next event, and its schedules are re-read now.
    Status restoreActor(const ActorId& id, const std::string& source)
    {
        evict(id.key());
        m_graveyard.clear();
        auto db = ActorStorage::open(m_rt.dbPath(id), m_rt.options.storage);
        if (!db)
            return Error{db.error()};
        if (auto st = (*db)->restoreFrom(source); !st)
            return st;
        auto next = ScheduleStore(**db).nextWake();
        if (!next)
            return Error{next.error()};
        setDue(id, *next);
        if (m_rt.index)
            return m_rt.index->apply({{id.className(), id.hex(), *next, false}});
        return {};
    }
    // Before start(): an index entry read at startup.
    void seedDue(const ActorId& id, std::int64_t at) { setDue(id, at); }

    // The running event (0 when idle) and the event the watchdog aborted.
    std::atomic<std::uint64_t> currentSeq{0};
    std::atomic<std::uint64_t> abortSeq{0};
    std::atomic<clockid_t> cpuClock{0};
    std::atomic<bool> cpuClockValid{false};
    ShardStats stats;

    // ---- used by ActorContext -------------------------------------------
    Result<ActorStorage*> storageOf(ActorSlot& slot)
    {
        if (!slot.storage) {
            auto s = ActorStorage::open(m_rt.dbPath(slot.id), m_rt.options.storage);
            if (!s)
                return Error{"actor " + slot.id.key() + ": " + s.error()};
            slot.storage = std::move(*s);
            slot.storage->setAbortFlag(&abortSeq, &currentSeq);
            if (slot.inEvent)
                slot.storage->beginEvent();
        }
        return slot.storage.get();
    }
    std::int64_t now() const { return m_rt.clock->nowMs(); }
    const alarms::DeliveryPolicy& delivery() const { return m_rt.options.delivery; }

private:
    void run();
    std::int64_t nextTimerMs(std::int64_t now) const;
    void processBatch(std::deque<Task>& tasks);
    void runEvent(Task& task);
    void runDue(Task& task);
    void finishBatch();
    void fireDue();
    void hibernate();
    Result<ActorSlot*> acquire(const ActorId& id, bool& warm);
    void beginEvent(ActorSlot& slot);
    // Ends the event; returns the (possibly replaced) result.
    Result<Json> endEvent(ActorSlot& slot, Result<Json> result);
    void markBroken(ActorSlot& slot, const std::string& why);
    void evict(const std::string& key);
    void setDue(const ActorId& id, std::optional<std::int64_t> at);

    ActorRuntime::Impl& m_rt;
    int m_index;
    std::thread m_thread;

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Task> m_mailbox;
    bool m_stopping = false;
    bool m_sleeping = false;
    bool m_poked = false;

    std::unordered_map<std::string, std::unique_ptr<ActorSlot>> m_slots;
    std::vector<std::unique_ptr<ActorSlot>> m_graveyard; // broken slots whose outputs are still held
    std::vector<ActorSlot*> m_touched;
    std::vector<Output> m_outputs;
    std::multimap<std::int64_t, ActorId> m_due;
    std::unordered_map<std::string, std::multimap<std::int64_t, ActorId>::iterator> m_dueOf;
    std::uint64_t m_seq = 0;
    std::int64_t m_nextHibernateScan = 0;
    std::unique_ptr<OutputGate> m_gate;

public:
    void drainOutputs() { m_gate->drain(); }
};

Shard::Shard(ActorRuntime::Impl& rt, int index) : m_rt(rt), m_index(index)
{
    // An actor whose WAL could not be synced restarts from its file.
    auto onSyncFailure = [this](const std::vector<ActorId>& ids) {
        Task task;
        task.kind = Task::Kind::Control;
        task.control = [ids](Shard& shard) {
            for (const auto& id : ids)
                shard.evict(id.key());
        };
        push(std::move(task));
    };
    m_gate = std::make_unique<OutputGate>(*rt.syncPool, rt.broadcastSink, rt.options.syncFile, onSyncFailure);
}

void Shard::setDue(const ActorId& id, std::optional<std::int64_t> at)
{
    if (auto it = m_dueOf.find(id.key()); it != m_dueOf.end()) {
        m_due.erase(it->second);
        m_dueOf.erase(it);
    }
    if (at)
        m_dueOf.emplace(id.key(), m_due.emplace(*at, id));
}

std::int64_t Shard::nextTimerMs(std::int64_t now) const
{
    std::int64_t wait = 1000;
    if (!m_due.empty())
        wait = std::min(wait, m_due.begin()->first - now);
    if (m_rt.options.hibernateAfterMs > 0 && !m_slots.empty())
        wait = std::min(wait, m_nextHibernateScan - now);
    return wait;
}

void Shard::run()
{
    t_currentShard = this;
    clockid_t cid;
    if (pthread_getcpuclockid(pthread_self(), &cid) == 0) {
        cpuClock.store(cid);
        cpuClockValid.store(true);
    }
    std::deque<Task> batch;
    for (;;) {
        bool stop = false;
        {
            std::unique_lock lock(m_mutex);
            while (m_mailbox.empty() && !m_stopping && !m_poked) {
                const std::int64_t wait = nextTimerMs(now());
                if (wait <= 0)
                    break;
                m_sleeping = true;
                m_cv.wait_for(lock, std::chrono::milliseconds(wait));
                m_sleeping = false;
            }
            m_poked = false;
            batch.swap(m_mailbox);
            stop = m_stopping && batch.empty();
        }
        if (stop)
            break;
        processBatch(batch);
        batch.clear();
        fireDue();
        hibernate();
    }
    // Shutdown: everything was committed by finishBatch; close every database.
    for (auto& [key, slot] : m_slots) {
        if (slot->storage)
            slot->storage->rollbackBatch();
    }
    m_slots.clear();
    m_graveyard.clear();
    stats.loaded.store(0);
    t_currentShard = nullptr;
}

void Shard::processBatch(std::deque<Task>& tasks)
{
    if (tasks.empty())
        return;
    for (auto& task : tasks) {
        if (task.kind == Task::Kind::Control) {
            finishBatch(); // controls see only committed state
            task.control(*this);
            continue;
        }
        if (task.kind == Task::Kind::Due)
            runDue(task);
        else
            runEvent(task);
        if (int(m_outputs.size()) >= m_rt.options.maxBatchEvents)
            finishBatch();
    }
    finishBatch();
}

Result<ActorSlot*> Shard::acquire(const ActorId& id, bool& warm)
{
    warm = false;
    if (auto it = m_slots.find(id.key()); it != m_slots.end()) {
        warm = it->second->loaded;
        if (warm)
            return it->second.get();
    }
    auto cls = m_rt.classes.find(id.className());
    if (cls == m_rt.classes.end())
        return Error{"unknown actor class '" + id.className() + "'"};
    auto& slotPtr = m_slots[id.key()];
    if (!slotPtr) {
        slotPtr = std::make_unique<ActorSlot>(this, id);
        stats.loaded.fetch_add(1, std::memory_order_relaxed);
    }
    ActorSlot& slot = *slotPtr;
    if (!slot.actor) {
        try {
            slot.actor = cls->second();
        } catch (const std::exception& e) {
            evict(id.key());
            return Error{"actor " + id.key() + ": constructor threw: " + e.what()};
        } catch (...) {
            evict(id.key());
            return Error{"actor " + id.key() + ": constructor threw"};
        }
        if (!slot.actor) {
            evict(id.key());
            return Error{"actor " + id.key() + ": the factory returned no actor"};
        }
        stats.coldLoads.fetch_add(1, std::memory_order_relaxed);
    }
    slot.lastActiveMs = now();
    beginEvent(slot);
    Result<Json> loaded = Json(nullptr);
    try {
        auto st = slot.actor->onLoad(slot.ctx);
        if (!st)
            loaded = Error{st.error()};
    } catch (const std::exception& e) {
        loaded = Error{std::string("threw: ") + e.what()};
    } catch (...) {
        loaded = Error{"threw an unknown exception"};
    }
    loaded = endEvent(slot, std::move(loaded));
    if (!loaded) {
        const std::string why = "actor " + id.key() + ": onLoad failed: " + loaded.error();
        // Keep the slot (its storage may hold this batch's writes); drop the object.
        slot.actor.reset();
        return Error{why};
    }
    slot.loaded = true;
    if (!slot.eventBroadcasts.empty()) {
        Output out;
        out.slot = &slot;
        out.broadcasts = std::move(slot.eventBroadcasts);
        slot.eventBroadcasts.clear();
        m_outputs.push_back(std::move(out));
    }
    return &slot;
}

void Shard::beginEvent(ActorSlot& slot)
{
    if (!slot.touched) {
        slot.touched = true;
        m_touched.push_back(&slot);
    }
    slot.inEvent = true;
    slot.eventBroadcasts.clear();
    currentSeq.store(++m_seq, std::memory_order_relaxed);
    if (slot.storage)
        slot.storage->beginEvent();
}

Result<Json> Shard::endEvent(ActorSlot& slot, Result<Json> result)
{
    const std::uint64_t seq = currentSeq.load(std::memory_order_relaxed);
    currentSeq.store(0, std::memory_order_relaxed);
    slot.inEvent = false;
    if (seq != 0 && abortSeq.load(std::memory_order_relaxed) == seq) {
        stats.watchdogAborts.fetch_add(1, std::memory_order_relaxed);
        result = Error{"event aborted: it used more than its CPU budget of " + std::to_string(m_rt.options.cpuBudgetMs)
                       + " ms; its writes were rolled back"};
    }
    if (slot.storage && slot.storage->inEvent()) {
        auto st = slot.storage->endEvent(result.ok());
        if (!st) {
            markBroken(slot, st.error());
            if (result.ok())
                result = Error{st.error()};
        }
    }
    if (!result.ok())
        slot.eventBroadcasts.clear();
    return result;
}

void Shard::markBroken(ActorSlot& slot, const std::string& why)
{
    if (!slot.broken) {
        slot.broken = true;
        slot.brokenReason = why;
    }
}

void Shard::runEvent(Task& task)
{
    stats.events.fetch_add(1, std::memory_order_relaxed);
    bool warm = false;
    auto acquired = acquire(task.id, warm);
    if (!acquired) {
        stats.eventErrors.fetch_add(1, std::memory_order_relaxed);
        Output out;
        out.reply = std::move(task.reply);
        out.result = Error{acquired.error()};
        auto it = m_slots.find(task.id.key());
        out.slot = it != m_slots.end() ? it->second.get() : nullptr;
        m_outputs.push_back(std::move(out));
        return;
    }
    if (warm)
        stats.warmHits.fetch_add(1, std::memory_order_relaxed);
    ActorSlot& slot = **acquired;
    slot.lastActiveMs = now();
    // Near the quota, a refused write would make SQLite roll back the whole
    // batch; commit the earlier events first so only this one can fail.
    if (slot.storage && slot.storage->batchOpen() && !slot.broken
        && slot.storage->nearQuota(kQuotaMarginBytes + m_rt.options.storage.maxValueBytes)) {
        stats.commits.fetch_add(1, std::memory_order_relaxed);
        if (auto st = slot.storage->commitBatch(); !st) {
            stats.commitFailures.fetch_add(1, std::memory_order_relaxed);
            markBroken(slot, st.error());
        } else {
            slot.needsSync = true;
        }
    }
    beginEvent(slot);
    Result<Json> result = Json(nullptr);
    try {
        if (task.kind == Task::Kind::Invoke)
            result = task.fn(*slot.actor, slot.ctx);
        else
            result = slot.actor->onMessage(slot.ctx, task.message);
    } catch (const std::exception& e) {
        result = Error{std::string("handler threw: ") + e.what()};
    } catch (...) {
        result = Error{"handler threw an unknown exception"};
    }
    result = endEvent(slot, std::move(result));
    if (!result.ok())
        stats.eventErrors.fetch_add(1, std::memory_order_relaxed);
    Output out;
    out.slot = &slot;
    out.reply = std::move(task.reply);
    out.result = std::move(result);
    out.broadcasts = std::move(slot.eventBroadcasts);
    slot.eventBroadcasts.clear();
    m_outputs.push_back(std::move(out));
}

void Shard::runDue(Task& task)
{
    bool warm = false;
    auto acquired = acquire(task.id, warm);
    if (!acquired) {
        qWarning("outpost: alarm for %s not delivered: %s", task.id.key().c_str(), acquired.error().c_str());
        // Try again later rather than spinning; the persistent index keeps it.
        setDue(task.id, now() + 60'000);
        return;
    }
    ActorSlot& slot = **acquired;
    auto st = storageOf(slot);
    if (!st) {
        qWarning("outpost: alarm for %s not delivered: %s", task.id.key().c_str(), st.error().c_str());
        setDue(task.id, now() + 60'000);
        return;
    }
    slot.lastActiveMs = now();
    slot.scheduleChanged = true; // finishBatch re-reads the next wake time
    ScheduleStore store(**st);
    // A bounded number per Due task, so one actor cannot starve its shard;
    // the rest fire on the next loop (its next wake time is still due).
    for (int i = 0; i < 64 && !slot.broken; ++i) {
        const std::int64_t t = now();
        beginEvent(slot);
        std::optional<alarms::QueuedJob> job;
        std::optional<alarms::Schedule> schedule;
        auto j = store.dueJob(t);
        if (j && *j) {
            job = std::move(**j);
        } else if (j) {
            auto s = store.dueSchedule(t);
            if (s && *s)
                schedule = std::move(**s);
        }
        if (!job && !schedule) {
            (void)endEvent(slot, Json(nullptr));
            break;
        }
        const std::string& callback = job ? job->callback : schedule->callback;
        const Json& payload = job ? job->payload : schedule->payload;
        Result<Json> result = Json(nullptr);
        try {
            auto cb = slot.actor->onCallback(slot.ctx, callback, payload);
            if (!cb)
                result = Error{cb.error()};
        } catch (const std::exception& e) {
            result = Error{std::string("threw: ") + e.what()};
        } catch (...) {
            result = Error{"threw an unknown exception"};
        }
        if (result.ok()) {
            auto done = job ? store.succeeded(*job) : store.succeeded(*schedule, t);
            if (!done)
                result = Error{done.error()};
        }
        stats.callbacksRun.fetch_add(1, std::memory_order_relaxed);
        result = endEvent(slot, std::move(result));
        if (!slot.eventBroadcasts.empty()) {
            Output out;
            out.slot = &slot;
            out.broadcasts = std::move(slot.eventBroadcasts);
            slot.eventBroadcasts.clear();
            m_outputs.push_back(std::move(out));
        }
        if (result.ok())
            continue;
        stats.callbackFailures.fetch_add(1, std::memory_order_relaxed);
        if (slot.broken)
            break;
        // Record the failed try in an event of its own (the callback's writes are gone).
        beginEvent(slot);
        auto recorded = job ? store.failed(*job, result.error(), t, delivery())
                            : store.failed(*schedule, result.error(), t, delivery());
        auto ended = endEvent(slot, recorded ? Result<Json>(Json(nullptr)) : Result<Json>(Error{recorded.error()}));
        if (!ended) {
            qWarning("outpost: cannot record a failed callback of %s: %s", slot.id.key().c_str(), ended.error().c_str());
            slot.scheduleChanged = false;
            setDue(slot.id, t + 1000);
            break;
        }
    }
}

void Shard::finishBatch()
{
    if (m_touched.empty() && m_outputs.empty())
        return;
    stats.batches.fetch_add(1, std::memory_order_relaxed);
    // Step 1: lower the index for new schedules before their actor commits.
    std::vector<alarms::AlarmIndex::Update> updates;
    for (ActorSlot* slot : m_touched) {
        if (slot->lowestAdded && !slot->broken && m_rt.index)
            updates.push_back({slot->id.className(), slot->id.hex(), slot->lowestAdded, true});
    }
    if (!updates.empty()) {
        if (auto st = m_rt.index->apply(updates); !st) {
            // Without the index entry a crash could lose the alarm: fail these events.
            for (ActorSlot* slot : m_touched) {
                if (slot->lowestAdded)
                    markBroken(*slot, st.error());
            }
        }
    }
    // Step 2: one COMMIT per touched database.
    for (ActorSlot* slot : m_touched) {
        if (!slot->storage)
            continue;
        if (slot->broken) {
            slot->storage->rollbackBatch();
            continue;
        }
        if (!slot->storage->batchOpen())
            continue;
        stats.commits.fetch_add(1, std::memory_order_relaxed);
        if (auto st = slot->storage->commitBatch(); !st) {
            stats.commitFailures.fetch_add(1, std::memory_order_relaxed);
            markBroken(*slot, st.error());
        } else {
            slot->needsSync = true;
        }
    }
    // Step 3: exact next wake times, after the commits.
    updates.clear();
    for (ActorSlot* slot : m_touched) {
        if (!slot->scheduleChanged || !slot->storage)
            continue;
        std::optional<std::int64_t> next;
        if (slot->broken) {
            next = slot->lowestAdded; // unknown: wake and look
            if (!next)
                continue;
        } else {
            auto n = ScheduleStore(*slot->storage).nextWake();
            if (!n) {
                next = now() + 1000;
            } else {
                next = *n;
            }
        }
        setDue(slot->id, next);
        if (m_rt.index)
            updates.push_back({slot->id.className(), slot->id.hex(), next, false});
    }
    if (!updates.empty()) {
        if (auto st = m_rt.index->apply(updates); !st)
            qWarning("outpost: alarm index update failed (alarms may wake early): %s", st.error().c_str());
    }
    // Step 4: the output gate. With deferred syncs the commits above did
    // not wait for the disk: the gate releases this batch's outputs once its
    // WAL files are synced (on the sync threads) and every earlier batch was
    // released; the shard goes on with the next batch meanwhile.
    std::vector<std::pair<ActorId, int>> files;
    for (ActorSlot* slot : m_touched) {
        if (!slot->needsSync)
            continue;
        slot->needsSync = false;
        if (slot->broken || !slot->storage || !m_rt.options.storage.deferSync)
            continue;
        auto fd = slot->storage->walHandle();
        if (fd) {
            files.emplace_back(slot->id, *fd);
        } else if (auto st = slot->storage->checkpoint(); !st) {
            // A checkpoint syncs the WAL and the database: the slow way to the same place.
            markBroken(*slot, fd.error() + "; " + st.error());
        }
    }
    std::vector<HeldOutput> held;
    held.reserve(m_outputs.size());
    for (auto& out : m_outputs) {
        HeldOutput h;
        if (out.slot)
            h.actor = out.slot->id;
        h.reply = std::move(out.reply);
        if (out.slot && out.slot->broken) {
            // A failed event keeps its own, more precise, error.
            h.result = out.result.ok() ? Result<Json>(Error{"the actor's writes were not saved (" + out.slot->brokenReason
                                                            + "); nothing was applied, retry"})
                                       : std::move(out.result);
        } else {
            h.result = std::move(out.result);
            h.broadcasts = std::move(out.broadcasts);
        }
        held.push_back(std::move(h));
    }
    m_outputs.clear();
    m_gate->hold(std::move(files), std::move(held));
    // Step 5: reset the batch state; broken actors restart from disk.
    std::vector<std::string> broken;
    for (ActorSlot* slot : m_touched) {
        slot->touched = false;
        slot->scheduleChanged = false;
        slot->lowestAdded.reset();
        if (slot->broken)
            broken.push_back(slot->id.key());
    }
    m_touched.clear();
    for (const auto& key : broken)
        evict(key);
    m_graveyard.clear();
}

void Shard::evict(const std::string& key)
{
    auto it = m_slots.find(key);
    if (it == m_slots.end())
        return;
    if (it->second->storage) {
        it->second->storage->rollbackBatch();
        it->second->storage->setAbortFlag(nullptr, nullptr);
    }
    it->second->actor.reset();
    m_rt.retire(std::move(it->second->storage));
    if (it->second->touched) {
        // Held outputs still point at it until finishBatch.
        m_graveyard.push_back(std::move(it->second));
    }
    m_slots.erase(it);
    stats.loaded.fetch_sub(1, std::memory_order_relaxed);
}

void Shard::fireDue()
{
    const std::int64_t t = now();
    if (m_due.empty() || m_due.begin()->first > t)
        return;
    std::deque<Task> tasks;
    while (!m_due.empty() && m_due.begin()->first <= t) {
        Task task;
        task.kind = Task::Kind::Due;
        task.id = m_due.begin()->second;
        m_dueOf.erase(task.id.key());
        m_due.erase(m_due.begin());
        tasks.push_back(std::move(task));
    }
    processBatch(tasks);
}

void Shard::hibernate()
{
    const std::int64_t after = m_rt.options.hibernateAfterMs;
    if (after <= 0 || m_slots.empty())
        return;
    const std::int64_t t = now();
    if (t < m_nextHibernateScan)
        return;
    m_nextHibernateScan = t + std::max<std::int64_t>(1, after / 4);
    const bool inMemory = m_rt.options.rootDir.empty();
    std::vector<std::string> idle;
    for (auto& [key, slot] : m_slots) {
        if (t - slot->lastActiveMs < after)
            continue;
        if (inMemory && slot->storage)
            continue; // evicting would lose its data
        idle.push_back(key);
    }
    for (const auto& key : idle) {
        evict(key);
        stats.hibernations.fetch_add(1, std::memory_order_relaxed);
    }
    m_graveyard.clear();
}

} // namespace detail

// ---- ActorContext ------------------------------------------------------------

const ActorId& ActorContext::id() const { return m_slot->id; }
std::int64_t ActorContext::nowMs() const { return m_slot->shard->now(); }
Result<storage::ActorStorage*> ActorContext::storage() { return m_slot->shard->storageOf(*m_slot); }

Result<std::string> ActorContext::schedule(const alarms::When& when, const std::string& callback, const Json& payload)
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    const std::int64_t now = nowMs();
    auto added = ScheduleStore(**s).add(when, callback, payload, now);
    if (!added)
        return Error{added.error()};
    m_slot->scheduleChanged = true;
    m_slot->lowestAdded = std::min(m_slot->lowestAdded.value_or(added->nextMs), added->nextMs);
    return added->id;
}

Result<std::vector<alarms::Schedule>> ActorContext::getSchedules()
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    return ScheduleStore(**s).list();
}

Result<std::optional<alarms::Schedule>> ActorContext::getSchedule(const std::string& id)
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    return ScheduleStore(**s).get(id);
}

Result<bool> ActorContext::cancelSchedule(const std::string& id)
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    auto r = ScheduleStore(**s).cancel(id);
    if (r && *r)
        m_slot->scheduleChanged = true;
    return r;
}

Result<std::string> ActorContext::queue(const std::string& callback, const Json& payload)
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    const std::int64_t now = nowMs();
    auto job = ScheduleStore(**s).enqueue(callback, payload, now);
    if (!job)
        return Error{job.error()};
    m_slot->scheduleChanged = true;
    m_slot->lowestAdded = std::min(m_slot->lowestAdded.value_or(now), now);
    return job->id;
}

Result<std::vector<alarms::QueuedJob>> ActorContext::getQueue()
{
    auto s = storage();
    if (!s)
        return Error{s.error()};
    return ScheduleStore(**s).queue();
}

void ActorContext::broadcast(Json message) { m_slot->eventBroadcasts.push_back(std::move(message)); }

bool ActorContext::shouldStop() const
{
    const auto seq = m_slot->shard->currentSeq.load(std::memory_order_relaxed);
    return seq != 0 && m_slot->shard->abortSeq.load(std::memory_order_relaxed) == seq;
}

// ---- ActorRuntime ------------------------------------------------------------

Status ActorRuntime::Impl::enqueue(Task task)
{
    if (!running.load())
        return Error{"the actor runtime is not running"};
    if (!task.id.isValid())
        return Error{"invalid actor id"};
    if (!classes.count(task.id.className()))
        return Error{"unknown actor class '" + task.id.className() + "'"};
    if (!shardFor(task.id).push(std::move(task)))
        return Error{"the actor runtime is stopping"};
    return {};
}

void ActorRuntime::Impl::watchdogLoop()
{
    const std::int64_t budgetNs = options.cpuBudgetMs * 1'000'000;
    const auto poll = std::chrono::milliseconds(std::clamp<std::int64_t>(options.cpuBudgetMs / 4, 2, 1000));
    struct Seen {
        std::uint64_t seq = 0;
        std::int64_t startNs = 0;
        bool reported = false;
    };
    std::vector<Seen> seen(shards.size());
    std::unique_lock lock(watchdogMutex);
    while (!watchdogStop) {
        watchdogCv.wait_for(lock, poll);
        for (size_t i = 0; i < shards.size(); ++i) {
            Shard& s = *shards[i];
            const std::uint64_t seq = s.currentSeq.load(std::memory_order_relaxed);
            if (seq == 0 || !s.cpuClockValid.load()) {
                seen[i] = {};
                continue;
            }
            timespec ts{};
            if (clock_gettime(s.cpuClock.load(), &ts) != 0)
                continue;
            const std::int64_t cpu = std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
            if (seen[i].seq != seq) {
                seen[i] = {seq, cpu, false};
                continue;
            }
            if (!seen[i].reported && cpu - seen[i].startNs > budgetNs) {
                seen[i].reported = true;
                s.abortSeq.store(seq);
                watchdogOverruns.fetch_add(1);
                qWarning("outpost: an event on shard %zu used more than %lld ms of CPU; aborting it", i,
                         static_cast<long long>(options.cpuBudgetMs));
            }
        }
    }
}

ActorRuntime::ActorRuntime(RuntimeOptions options) : d(std::make_unique<Impl>())
{
    d->options = std::move(options);
    if (d->options.shards <= 0)
        d->options.shards = int(std::max(1u, std::thread::hardware_concurrency()));
    if (d->options.maxBatchEvents < 1)
        d->options.maxBatchEvents = 1;
    d->clock = d->options.clock ? d->options.clock : std::make_shared<alarms::SystemClock>();
    d->ring = std::make_unique<HashRing>(d->options.shards, d->options.virtualNodes);
    // Durable commits are synced by the output gate, off the shard threads.
    d->options.storage.deferSync = d->options.storage.synchronousFull && !d->options.rootDir.empty();
}

ActorRuntime::~ActorRuntime() { stop(); }

Status ActorRuntime::registerClass(const std::string& className, ActorFactory factory)
{
    if (d->started)
        return Error{"register actor classes before start()"};
    if (auto st = validateClassName(className); !st)
        return st;
    if (!factory)
        return Error{"actor class '" + className + "': no factory"};
    if (!d->classes.emplace(className, std::move(factory)).second)
        return Error{"actor class '" + className + "' is already registered"};
    return {};
}

void ActorRuntime::setBroadcastSink(BroadcastFn sink) { d->broadcastSink = std::move(sink); }

Status ActorRuntime::start()
{
    if (d->started)
        return Error{"the actor runtime was already started"};
    std::string indexPath;
    if (!d->options.rootDir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(d->options.rootDir) / "state", ec);
        if (ec)
            return Error{d->options.rootDir + ": cannot create the state folder: " + ec.message()};
        indexPath = (std::filesystem::path(d->options.rootDir) / "state" / "alarm_index.sqlite").string();
    }
    auto index = alarms::AlarmIndex::open(indexPath);
    if (!index)
        return Error{index.error()};
    d->index = std::move(*index);
    // Syncs mostly sleep in the kernel: a few per shard overlap them.
    d->syncPool = std::make_unique<detail::SyncPool>(std::clamp(d->options.shards * 2, 2, 8));
    for (int i = 0; i < d->options.shards; ++i)
        d->shards.push_back(std::make_unique<Shard>(*d, i));
    auto entries = d->index->all();
    if (!entries)
        return Error{entries.error()};
    for (const auto& e : *entries) {
        auto id = ActorId::fromHex(e.actorClass, e.actorId);
        if (!id || !d->classes.count(e.actorClass)) {
            qWarning("outpost: alarm index entry %s/%s ignored (unknown class or bad id)", e.actorClass.c_str(), e.actorId.c_str());
            continue;
        }
        d->shardFor(*id).seedDue(*id, e.nextMs);
    }
    d->started = true;
    d->running.store(true);
    for (auto& s : d->shards)
        s->start();
    d->clockToken = d->clock->subscribe([impl = d.get()] {
        for (auto& s : impl->shards)
            s->poke();
    });
    d->closer = std::thread([impl = d.get()] { impl->closerLoop(); });
    if (d->options.cpuBudgetMs > 0)
        d->watchdog = std::thread([impl = d.get()] { impl->watchdogLoop(); });
    return {};
}

void ActorRuntime::stop()
{
    if (!d->running.exchange(false))
        return;
    d->clock->unsubscribe(d->clockToken);
    for (auto& s : d->shards)
        s->requestStop();
    for (auto& s : d->shards)
        s->join();
    for (auto& s : d->shards)
        s->drainOutputs();
    {
        std::lock_guard lock(d->closerMutex);
        d->closerStop = true;
    }
    d->closerCv.notify_all();
    if (d->closer.joinable())
        d->closer.join();
    {
        std::lock_guard lock(d->watchdogMutex);
        d->watchdogStop = true;
    }
    d->watchdogCv.notify_all();
    if (d->watchdog.joinable())
        d->watchdog.join();
}

Status ActorRuntime::post(const ActorId& id, Json message, ReplyFn reply)
{
    Task task;
    task.kind = Task::Kind::Message;
    task.id = id;
    task.message = std::move(message);
    task.reply = std::move(reply);
    return d->enqueue(std::move(task));
}

Status ActorRuntime::invoke(const ActorId& id, InvokeFn fn, ReplyFn reply)
{
    if (!fn)
        return Error{"invoke: no function"};
    Task task;
    task.kind = Task::Kind::Invoke;
    task.id = id;
    task.fn = std::move(fn);
    task.reply = std::move(reply);
    return d->enqueue(std::move(task));
}

namespace {
Result<Json> waitFor(const std::function<Status(ReplyFn)>& send)
{
    if (detail::t_currentShard || OutputGate::releasingOnThisThread())
        return Error{"call() from inside an actor or a reply would block its shard; use post() with a reply callback"};
    auto promise = std::make_shared<std::promise<Result<Json>>>();
    auto future = promise->get_future();
    auto st = send([promise](Result<Json> r) { promise->set_value(std::move(r)); });
    if (!st)
        return Error{st.error()};
    return future.get();
}
} // namespace

Result<Json> ActorRuntime::call(const ActorId& id, Json message)
{
    return waitFor([&](ReplyFn reply) { return post(id, std::move(message), std::move(reply)); });
}

Result<Json> ActorRuntime::callFn(const ActorId& id, InvokeFn fn)
{
    return waitFor([&](ReplyFn reply) { return invoke(id, std::move(fn), std::move(reply)); });
}

namespace {
// Runs on the actor's shard between batches, so the file holds exactly the
// committed state. A second connection reads it: the actor's own one may be
// closed (hibernated) and stays untouched.
void snapshotNow(ActorRuntime::Impl& rt, const ActorId& id, std::promise<Result<std::string>>& promise)
{
    ActorRuntime::Impl* impl = &rt;
    auto path = impl->dbPath(id);
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            promise.set_value(Error{"actor " + id.key() + " has no database yet"});
            return;
        }
        auto db = ActorStorage::open(path, impl->options.storage);
        if (!db) {
            promise.set_value(Error{db.error()});
            return;
        }
        const auto t = impl->clock->nowMs();
        char name[64];
        std::snprintf(name, sizeof name, "%013lld-%06llu", static_cast<long long>(t),
                      static_cast<unsigned long long>(impl->snapshotCounter.fetch_add(1) % 1000000));
        const std::string dest = (std::filesystem::path(impl->snapshotDir(id)) / (std::string(name) + ".sqlite")).string();
        auto st = (*db)->backupTo(dest);
        if (!st)
            promise.set_value(Error{st.error()});
        else
            promise.set_value(std::string(name));
}
} // namespace

Result<std::string> ActorRuntime::snapshot(const ActorId& id)
{
    if (d->options.rootDir.empty())
        return Error{"snapshots need a runtime with a root folder"};
    auto promise = std::make_shared<std::promise<Result<std::string>>>();
    auto future = promise->get_future();
    Task task;
    task.kind = Task::Kind::Control;
    task.id = id;
    Impl* impl = d.get();
    task.control = [impl, id, promise](Shard&) {
        try {
            snapshotNow(*impl, id, *promise);
        } catch (const std::exception& e) {
            promise->set_value(Error{"actor " + id.key() + ": snapshot failed: " + e.what()});
        }
    };
    if (detail::t_currentShard)
        return Error{"snapshot() from inside an actor would block its shard"};
    if (auto st = d->enqueue(std::move(task)); !st)
        return Error{st.error()};
    return future.get();
}

Result<std::vector<std::string>> ActorRuntime::listSnapshots(const ActorId& id) const
{
    if (d->options.rootDir.empty())
        return std::vector<std::string>();
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(d->snapshotDir(id), ec)) {
        if (entry.path().extension() == ".sqlite")
            names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

Status ActorRuntime::restoreSnapshot(const ActorId& id, const std::string& name)
{
    if (d->options.rootDir.empty())
        return Error{"snapshots need a runtime with a root folder"};
    if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos)
        return Error{"invalid snapshot name '" + name + "'"};
    const std::string source = (std::filesystem::path(d->snapshotDir(id)) / (name + ".sqlite")).string();
    std::error_code ec;
    if (!std::filesystem::exists(source, ec))
        return Error{"actor " + id.key() + " has no snapshot named '" + name + "'"};
    auto promise = std::make_shared<std::promise<Status>>();
    auto future = promise->get_future();
    Task task;
    task.kind = Task::Kind::Control;
    task.id = id;
    task.control = [id, source, promise](Shard& shard) {
        try {
            promise->set_value(shard.restoreActor(id, source));
        } catch (const std::exception& e) {
            promise->set_value(Error{"actor " + id.key() + ": restore failed: " + e.what()});
        }
    };
    if (detail::t_currentShard)
        return Error{"restoreSnapshot() from inside an actor would block its shard"};
    if (auto st = d->enqueue(std::move(task)); !st)
        return st;
    return future.get();
}

void ActorRuntime::wake()
{
    for (auto& s : d->shards)
        s->poke();
}

int ActorRuntime::shardCount() const { return d->options.shards; }
int ActorRuntime::shardOf(const ActorId& id) const { return d->ring->shardFor(id.hash()); }
std::string ActorRuntime::databasePath(const ActorId& id) const { return d->dbPath(id); }
const RuntimeOptions& ActorRuntime::options() const { return d->options; }

RuntimeStats ActorRuntime::stats() const
{
    RuntimeStats r;
    for (const auto& s : d->shards) {
        r.events += s->stats.events.load();
        r.warmHits += s->stats.warmHits.load();
        r.coldLoads += s->stats.coldLoads.load();
        r.hibernations += s->stats.hibernations.load();
        r.batches += s->stats.batches.load();
        r.commits += s->stats.commits.load();
        r.commitFailures += s->stats.commitFailures.load();
        r.eventErrors += s->stats.eventErrors.load();
        r.callbacksRun += s->stats.callbacksRun.load();
        r.callbackFailures += s->stats.callbackFailures.load();
        r.watchdogAborts += s->stats.watchdogAborts.load();
        r.loadedActors += s->stats.loaded.load();
    }
    r.watchdogOverruns = d->watchdogOverruns.load();
    r.closingDatabases = d->pendingCloses.load();
    r.walSyncs = d->syncPool ? d->syncPool->syncs() : 0;
    return r;
}

} // namespace outpost::core::actor
