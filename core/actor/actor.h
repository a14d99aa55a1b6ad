#pragma once
// What an actor class implements, and what it may do while handling an
// event. Handlers run on the actor's shard thread, one event at a time; they
// never block on other actors (post() instead of call()).
#include "core/actor/actor_id.h"
#include "core/alarms/schedule_store.h"
#include "core/storage/actor_storage.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace outpost::core::actor {

using Json = nlohmann::json;

namespace detail {
struct ActorSlot;
}

// The actor's view of the runtime during an event.
class ActorContext {
public:
    const ActorId& id() const;
    // The runtime clock (ms since the epoch).
    std::int64_t nowMs() const;

    // The actor's database, opened on first use. Errors: the file cannot be
    // opened (then the event should fail).
    Result<storage::ActorStorage*> storage();

    // Schedules `callback` (delivered to Actor::onCallback with `payload`).
    // Returns the schedule id. Errors: see ScheduleStore::add.
    Result<std::string> schedule(const alarms::When& when, const std::string& callback, const Json& payload = nullptr);
    Result<std::vector<alarms::Schedule>> getSchedules();
    Result<std::optional<alarms::Schedule>> getSchedule(const std::string& id);
    Result<bool> cancelSchedule(const std::string& id);

    // Appends a job to the actor's persisted FIFO queue; it runs after the
    // current event commits. Returns the job id.
    Result<std::string> queue(const std::string& callback, const Json& payload = nullptr);
    Result<std::vector<alarms::QueuedJob>> getQueue();

    // Sends `message` to every client of this actor once the event's writes
    // are durable (output gate). Dropped if the event fails.
    void broadcast(Json message);

    // True once the watchdog has aborted this event: return promptly (any
    // result is replaced by the abort error and the writes are rolled back).
    bool shouldStop() const;

private:
    friend struct detail::ActorSlot;
    explicit ActorContext(detail::ActorSlot* slot) : m_slot(slot) {}
    detail::ActorSlot* m_slot;
};

class Actor {
public:
    virtual ~Actor() = default;
    // Runs before the first event after the instance is created or woken
    // from hibernation, as an event of its own. A failure fails the event
    // that caused the load; the next event tries again.
    virtual Status onLoad(ActorContext& ctx)
    {
        (void)ctx;
        return {};
    }
    // A message. The reply leaves the actor after the event's writes commit.
    virtual Result<Json> onMessage(ActorContext& ctx, const Json& message) = 0;
    // A due schedule or a queued job. A failure is retried with backoff.
    virtual Status onCallback(ActorContext& ctx, const std::string& callback, const Json& payload)
    {
        (void)ctx;
        (void)payload;
        return Error{"no handler for callback '" + callback + "'"};
    }
};

} // namespace outpost::core::actor
