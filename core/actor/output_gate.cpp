#include "core/actor/output_gate.h"

#include <QDebug>

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace outpost::core::actor::detail {

// ---- SyncPool ------------------------------------------------------------------

SyncPool::SyncPool(int threads)
{
    for (int i = 0; i < std::max(1, threads); ++i)
        m_threads.emplace_back([this] { loop(); });
}

SyncPool::~SyncPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads)
        t.join();
}

void SyncPool::submit(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

void SyncPool::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
        if (m_jobs.empty())
            return; // stopping, nothing left
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        lock.lock();
    }
}

// ---- OutputGate ----------------------------------------------------------------

namespace {
thread_local int t_releasing = 0;
}

struct OutputGate::Batch {
    std::vector<HeldOutput> outputs;
    int unsynced = 0;
    std::vector<ActorId> failed; // actors whose WAL did not reach the disk
    std::string error;
};

OutputGate::OutputGate(SyncPool& pool, const BroadcastSink& sink, SyncFile syncFile, SyncFailure onSyncFailure)
    : m_pool(pool), m_sink(sink), m_syncFile(std::move(syncFile)), m_onSyncFailure(std::move(onSyncFailure))
{
    if (!m_syncFile)
        m_syncFile = [](int fd) { return ::fdatasync(fd) == 0 ? 0 : errno; };
}

OutputGate::~OutputGate() { drain(); }

bool OutputGate::releasingOnThisThread() { return t_releasing > 0; }

void OutputGate::hold(std::vector<std::pair<ActorId, int>> files, std::vector<HeldOutput> outputs)
{
    auto batch = std::make_shared<Batch>();
    batch->outputs = std::move(outputs);
    batch->unsynced = int(files.size());
    {
        std::lock_guard lock(m_mutex);
        m_batches.push_back(batch);
    }
    for (auto& [actor, fd] : files) {
        m_pool.submit([this, batch, actor = std::move(actor), fd = fd] {
            const int err = m_syncFile(fd);
            ::close(fd);
            m_pool.countSync();
            {
                std::lock_guard lock(m_mutex);
                if (err != 0) {
                    batch->failed.push_back(actor);
                    batch->error = std::strerror(err);
                }
                --batch->unsynced;
            }
            release();
        });
    }
    release();
}

void OutputGate::release()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_releasing)
            return; // the releasing thread looks again before it stops
        m_releasing = true;
    }
    ++t_releasing;
    for (;;) {
        std::vector<std::shared_ptr<Batch>> ready;
        {
            std::lock_guard lock(m_mutex);
            while (!m_batches.empty() && m_batches.front()->unsynced == 0) {
                ready.push_back(std::move(m_batches.front()));
                m_batches.pop_front();
            }
            if (ready.empty()) {
                m_releasing = false;
                m_idle.notify_all();
                break;
            }
        }
        for (auto& batch : ready)
            deliver(*batch);
    }
    --t_releasing;
}

void OutputGate::deliver(Batch& batch)
{
    // Replies and the sink are the caller's code: whatever they throw stays here.
    auto guarded = [](const char* what, const auto& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            qWarning("outpost: a %s callback threw: %s", what, e.what());
        } catch (...) {
            qWarning("outpost: a %s callback threw", what);
        }
    };
    if (!batch.failed.empty()) {
        for (const auto& id : batch.failed)
            qWarning("outpost: actor %s: fdatasync of its WAL failed (%s); its last writes may be lost",
                     id.key().c_str(), batch.error.c_str());
        if (m_onSyncFailure)
            guarded("sync failure", [&] { m_onSyncFailure(batch.failed); });
    }
    auto failedActor = [&](const std::optional<ActorId>& id) {
        if (!id)
            return false;
        for (const auto& f : batch.failed) {
            if (f == *id)
                return true;
        }
        return false;
    };
    for (auto& out : batch.outputs) {
        if (failedActor(out.actor)) {
            if (out.reply) {
                guarded("reply", [&] {
                    out.reply(Error{"the actor's writes may not be on disk (fdatasync failed: " + batch.error
                                    + "); check the disk, then retry"});
                });
            }
            continue;
        }
        if (m_sink && out.actor) {
            for (const auto& b : out.broadcasts)
                guarded("broadcast", [&] { m_sink(*out.actor, b); });
        }
        if (out.reply)
            guarded("reply", [&] { out.reply(std::move(out.result)); });
    }
}

void OutputGate::drain()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [&] { return m_batches.empty() && !m_releasing; });
}

} // namespace outpost::core::actor::detail
