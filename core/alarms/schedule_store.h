#pragma once
// An actor's schedules and queued jobs, persisted in its own database (the
// _outpost_schedules and _outpost_queue tables of ActorStorage's schema).
//
// Delivery (driven by the runtime, see actor_runtime.h):
// - A schedule is due when next_ms <= now. The runtime runs its callback in a
//   savepoint; on success succeeded() deletes it (delay/date) or moves it to
//   the next cron time, in the same transaction as the callback's writes, so
//   a crash before the commit replays both: delivery is at least once.
// - On failure the callback's writes are rolled back and failed() counts the
//   attempt and moves next_ms by exponential backoff (base, 2x base, ...).
//   After maxAttempts tries a delay/date schedule is kept with state
//   "failed" (never fired again, listed with its last error); a cron schedule
//   records the error and moves on to its next time.
// - Queued jobs run in FIFO order: a failing head job is retried with the
//   same backoff and blocks the jobs behind it until it succeeds or fails
//   for good.
#include "core/alarms/cron.h"
#include "core/storage/actor_storage.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outpost::core::alarms {

using Json = nlohmann::json;

enum class ScheduleKind { Delay = 0, Date = 1, Cron = 2 };

// When a schedule fires.
struct When {
    ScheduleKind kind = ScheduleKind::Delay;
    std::int64_t ms = 0; // delay in ms, or the epoch time in ms
    std::string cron;
    CronExpression::Zone zone = CronExpression::Zone::Local;

    static When delay(std::int64_t ms) { return {ScheduleKind::Delay, ms, {}, CronExpression::Zone::Local}; }
    static When at(std::int64_t epochMs) { return {ScheduleKind::Date, epochMs, {}, CronExpression::Zone::Local}; }
    static When every(std::string expression, CronExpression::Zone zone = CronExpression::Zone::Local)
    {
        return {ScheduleKind::Cron, 0, std::move(expression), zone};
    }
};

struct Schedule {
    std::string id;
    ScheduleKind kind = ScheduleKind::Delay;
    std::string callback;
    Json payload;
    std::int64_t nextMs = 0;
    std::string cron;
    bool utc = false;
    int attempts = 0; // failed tries of the current firing
    bool failed = false;
    std::string lastError;
    std::int64_t createdMs = 0;

    Json toJson() const;
};

struct QueuedJob {
    std::string id;
    std::int64_t seq = 0;
    std::string callback;
    Json payload;
    std::int64_t createdMs = 0;
    std::int64_t nextMs = 0;
    int attempts = 0;
    bool failed = false;
    std::string lastError;

    Json toJson() const;
};

struct DeliveryPolicy {
    int maxAttempts = 6;
    std::int64_t baseDelayMs = 1000;
    std::int64_t maxDelayMs = 3'600'000;
};

class ScheduleStore {
public:
    explicit ScheduleStore(storage::ActorStorage& storage) : m_storage(storage) {}

    // Errors: empty callback name, a date in the past is allowed (fires at
    // once), a negative delay, an invalid or never-firing cron expression.
    Result<Schedule> add(const When& when, const std::string& callback, const Json& payload, std::int64_t nowMs);
    Result<std::vector<Schedule>> list();
    Result<std::optional<Schedule>> get(const std::string& id);
    // Returns whether a schedule with this id existed.
    Result<bool> cancel(const std::string& id);

    Result<QueuedJob> enqueue(const std::string& callback, const Json& payload, std::int64_t nowMs);
    // Every job still stored, FIFO order (failed ones included).
    Result<std::vector<QueuedJob>> queue();

    // The earliest time anything pending is due, or nullopt.
    Result<std::optional<std::int64_t>> nextWake();
    Result<std::optional<QueuedJob>> dueJob(std::int64_t nowMs);
    Result<std::optional<Schedule>> dueSchedule(std::int64_t nowMs);
    Status succeeded(const Schedule& schedule, std::int64_t nowMs);
    Status failed(const Schedule& schedule, const std::string& error, std::int64_t nowMs, const DeliveryPolicy& policy);
    Status succeeded(const QueuedJob& job);
    Status failed(const QueuedJob& job, const std::string& error, std::int64_t nowMs, const DeliveryPolicy& policy);

private:
    storage::ActorStorage& m_storage;
};

// 32 random hex digits.
std::string randomId();

} // namespace outpost::core::alarms
