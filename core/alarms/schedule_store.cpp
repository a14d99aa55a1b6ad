#include "core/alarms/schedule_store.h"

#include "core/alarms/retry.h"

#include <QRandomGenerator>

namespace outpost::core::alarms {

using storage::Cursor;
using storage::SqlValue;

namespace {

std::int64_t asInt(const SqlValue& v)
{
    if (v.index() == 1)
        return std::get<1>(v);
    if (v.index() == 2)
        return std::int64_t(std::get<2>(v));
    return 0;
}

std::string asText(const SqlValue& v)
{
    if (v.index() == 3)
        return std::get<3>(v);
    if (v.index() == 4)
        return std::get<4>(v).toStdString();
    return {};
}

Json parsePayload(const std::string& text)
{
    try {
        return Json::parse(text);
    } catch (const std::exception&) {
        return nullptr;
    }
}

constexpr const char* kScheduleColumns =
    "id, kind, callback, payload, next_ms, cron, utc, attempts, state, last_error, created_ms";
constexpr const char* kJobColumns = "id, seq, callback, payload, created_ms, next_ms, attempts, state, last_error";

Schedule scheduleFromRow(const std::vector<SqlValue>& r)
{
    Schedule s;
    s.id = asText(r[0]);
    s.kind = static_cast<ScheduleKind>(asInt(r[1]));
    s.callback = asText(r[2]);
    s.payload = parsePayload(asText(r[3]));
    s.nextMs = asInt(r[4]);
    s.cron = asText(r[5]);
    s.utc = asInt(r[6]) != 0;
    s.attempts = int(asInt(r[7]));
    s.failed = asInt(r[8]) == 2;
    s.lastError = asText(r[9]);
    s.createdMs = asInt(r[10]);
    return s;
}

QueuedJob jobFromRow(const std::vector<SqlValue>& r)
{
    QueuedJob j;
    j.id = asText(r[0]);
    j.seq = asInt(r[1]);
    j.callback = asText(r[2]);
    j.payload = parsePayload(asText(r[3]));
    j.createdMs = asInt(r[4]);
    j.nextMs = asInt(r[5]);
    j.attempts = int(asInt(r[6]));
    j.failed = asInt(r[7]) == 2;
    j.lastError = asText(r[8]);
    return j;
}

const char* kindName(ScheduleKind k)
{
    switch (k) {
    case ScheduleKind::Delay: return "delay";
    case ScheduleKind::Date: return "date";
    case ScheduleKind::Cron: return "cron";
    }
    return "delay";
}

Result<std::string> dumpPayload(const Json& payload)
{
    try {
        return payload.dump();
    } catch (const std::exception& e) {
        return Error{std::string("payload cannot be stored: ") + e.what()};
    }
}

} // namespace

std::string randomId()
{
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (int i = 0; i < 2; ++i) {
        std::uint64_t v = QRandomGenerator::global()->generate64();
        for (int j = 0; j < 16; ++j) {
            out.push_back(hex[v & 0xF]);
            v >>= 4;
        }
    }
    return out;
}

Json Schedule::toJson() const
{
    Json j{{"id", id}, {"type", kindName(kind)}, {"callback", callback}, {"payload", payload},
           {"time", nextMs}, {"attempts", attempts}, {"state", failed ? "failed" : "pending"}};
    if (kind == ScheduleKind::Cron) {
        j["cron"] = cron;
        j["utc"] = utc;
    }
    if (!lastError.empty())
        j["lastError"] = lastError;
    return j;
}

Json QueuedJob::toJson() const
{
    Json j{{"id", id}, {"callback", callback}, {"payload", payload}, {"created", createdMs},
           {"attempts", attempts}, {"state", failed ? "failed" : "pending"}};
    if (!lastError.empty())
        j["lastError"] = lastError;
    return j;
}

Result<Schedule> ScheduleStore::add(const When& when, const std::string& callback, const Json& payload, std::int64_t nowMs)
{
    if (callback.empty())
        return Error{"schedule: the callback name is empty"};
    Schedule s;
    s.id = randomId();
    s.kind = when.kind;
    s.callback = callback;
    s.payload = payload;
    s.createdMs = nowMs;
    switch (when.kind) {
    case ScheduleKind::Delay:
        if (when.ms < 0)
            return Error{"schedule: negative delay " + std::to_string(when.ms) + " ms"};
        s.nextMs = nowMs + when.ms;
        break;
    case ScheduleKind::Date:
        s.nextMs = when.ms;
        break;
    case ScheduleKind::Cron: {
        auto expr = CronExpression::parse(when.cron);
        if (!expr)
            return Error{"schedule: " + expr.error()};
        auto next = expr->nextAfter(nowMs, when.zone);
        if (!next)
            return Error{"schedule: cron expression '" + when.cron + "' never fires"};
        s.cron = expr->text();
        s.utc = when.zone == CronExpression::Zone::Utc;
        s.nextMs = *next;
        break;
    }
    }
    auto text = dumpPayload(payload);
    if (!text)
        return Error{"schedule: " + text.error()};
    auto c = m_storage.execInternal(
        "INSERT INTO _outpost_schedules(id, kind, callback, payload, cron, utc, next_ms, created_ms) VALUES(?,?,?,?,?,?,?,?)",
        {s.id, std::int64_t(s.kind), s.callback, *text, s.cron.empty() ? SqlValue(nullptr) : SqlValue(s.cron),
         std::int64_t(s.utc), s.nextMs, s.createdMs});
    if (!c)
        return Error{"schedule: " + c.error()};
    return s;
}

Result<std::vector<Schedule>> ScheduleStore::list()
{
    auto c = m_storage.execInternal(std::string("SELECT ") + kScheduleColumns + " FROM _outpost_schedules ORDER BY next_ms, id");
    if (!c)
        return Error{c.error()};
    std::vector<Schedule> out;
    for (const auto& r : c->rows)
        out.push_back(scheduleFromRow(r));
    return out;
}

Result<std::optional<Schedule>> ScheduleStore::get(const std::string& id)
{
    auto c = m_storage.execInternal(std::string("SELECT ") + kScheduleColumns + " FROM _outpost_schedules WHERE id = ?", {id});
    if (!c)
        return Error{c.error()};
    if (c->rows.empty())
        return std::optional<Schedule>();
    return std::optional<Schedule>(scheduleFromRow(c->rows.front()));
}

Result<bool> ScheduleStore::cancel(const std::string& id)
{
    auto c = m_storage.execInternal("DELETE FROM _outpost_schedules WHERE id = ?", {id});
    if (!c)
        return Error{c.error()};
    return c->rowsWritten > 0;
}

Result<QueuedJob> ScheduleStore::enqueue(const std::string& callback, const Json& payload, std::int64_t nowMs)
{
    if (callback.empty())
        return Error{"queue: the callback name is empty"};
    auto text = dumpPayload(payload);
    if (!text)
        return Error{"queue: " + text.error()};
    QueuedJob j;
    j.id = randomId();
    j.callback = callback;
    j.payload = payload;
    j.createdMs = nowMs;
    j.nextMs = nowMs;
    auto c = m_storage.execInternal("INSERT INTO _outpost_queue(id, callback, payload, created_ms, next_ms) VALUES(?,?,?,?,?) RETURNING seq",
                                    {j.id, j.callback, *text, j.createdMs, j.nextMs});
    if (!c)
        return Error{"queue: " + c.error()};
    j.seq = asInt(c->scalar());
    return j;
}

Result<std::vector<QueuedJob>> ScheduleStore::queue()
{
    auto c = m_storage.execInternal(std::string("SELECT ") + kJobColumns + " FROM _outpost_queue ORDER BY seq");
    if (!c)
        return Error{c.error()};
    std::vector<QueuedJob> out;
    for (const auto& r : c->rows)
        out.push_back(jobFromRow(r));
    return out;
}

Result<std::optional<std::int64_t>> ScheduleStore::nextWake()
{
    auto c = m_storage.execInternal(
        "SELECT MIN(t) FROM (SELECT MIN(next_ms) AS t FROM _outpost_schedules WHERE state = 0"
        " UNION ALL SELECT * FROM (SELECT next_ms FROM _outpost_queue WHERE state = 0 ORDER BY seq LIMIT 1))");
    if (!c)
        return Error{c.error()};
    const auto v = c->scalar();
    if (v.index() != 1)
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(std::get<1>(v));
}

Result<std::optional<QueuedJob>> ScheduleStore::dueJob(std::int64_t nowMs)
{
    auto c = m_storage.execInternal(std::string("SELECT ") + kJobColumns + " FROM _outpost_queue WHERE state = 0 ORDER BY seq LIMIT 1");
    if (!c)
        return Error{c.error()};
    if (c->rows.empty())
        return std::optional<QueuedJob>();
    QueuedJob j = jobFromRow(c->rows.front());
    if (j.nextMs > nowMs)
        return std::optional<QueuedJob>();
    return std::optional<QueuedJob>(std::move(j));
}

Result<std::optional<Schedule>> ScheduleStore::dueSchedule(std::int64_t nowMs)
{
    auto c = m_storage.execInternal(std::string("SELECT ") + kScheduleColumns
                                        + " FROM _outpost_schedules WHERE state = 0 AND next_ms <= ? ORDER BY next_ms, id LIMIT 1",
                                    {nowMs});
    if (!c)
        return Error{c.error()};
    if (c->rows.empty())
        return std::optional<Schedule>();
    return std::optional<Schedule>(scheduleFromRow(c->rows.front()));
}

Status ScheduleStore::succeeded(const Schedule& s, std::int64_t nowMs)
{
    if (s.kind == ScheduleKind::Cron) {
        auto expr = CronExpression::parse(s.cron);
        std::optional<std::int64_t> next;
        if (expr)
            next = expr->nextAfter(std::max(nowMs, s.nextMs), s.utc ? CronExpression::Zone::Utc : CronExpression::Zone::Local);
        if (next) {
            auto c = m_storage.execInternal("UPDATE _outpost_schedules SET next_ms = ?, attempts = 0 WHERE id = ?", {*next, s.id});
            return c ? Status() : Status(Error{c.error()});
        }
    }
    auto c = m_storage.execInternal("DELETE FROM _outpost_schedules WHERE id = ?", {s.id});
    return c ? Status() : Status(Error{c.error()});
}

Status ScheduleStore::failed(const Schedule& s, const std::string& error, std::int64_t nowMs, const DeliveryPolicy& policy)
{
    const int attempts = s.attempts + 1;
    Result<Cursor> c = Error{""};
    if (attempts < policy.maxAttempts) {
        const std::int64_t next = nowMs + backoffCapMs(attempts, policy.baseDelayMs, policy.maxDelayMs);
        c = m_storage.execInternal("UPDATE _outpost_schedules SET attempts = ?, next_ms = ?, last_error = ? WHERE id = ?",
                                   {std::int64_t(attempts), next, error, s.id});
    } else if (s.kind == ScheduleKind::Cron) {
        auto expr = CronExpression::parse(s.cron);
        std::optional<std::int64_t> next;
        if (expr)
            next = expr->nextAfter(nowMs, s.utc ? CronExpression::Zone::Utc : CronExpression::Zone::Local);
        c = m_storage.execInternal("UPDATE _outpost_schedules SET attempts = 0, next_ms = ?, last_error = ?, state = ? WHERE id = ?",
                                   {next.value_or(nowMs), error, std::int64_t(next ? 0 : 2), s.id});
    } else {
        c = m_storage.execInternal("UPDATE _outpost_schedules SET attempts = ?, last_error = ?, state = 2 WHERE id = ?",
                                   {std::int64_t(attempts), error, s.id});
    }
    return c ? Status() : Status(Error{c.error()});
}

Status ScheduleStore::succeeded(const QueuedJob& job)
{
    auto c = m_storage.execInternal("DELETE FROM _outpost_queue WHERE id = ?", {job.id});
    return c ? Status() : Status(Error{c.error()});
}

Status ScheduleStore::failed(const QueuedJob& job, const std::string& error, std::int64_t nowMs, const DeliveryPolicy& policy)
{
    const int attempts = job.attempts + 1;
    Result<Cursor> c = Error{""};
    if (attempts < policy.maxAttempts) {
        const std::int64_t next = nowMs + backoffCapMs(attempts, policy.baseDelayMs, policy.maxDelayMs);
        c = m_storage.execInternal("UPDATE _outpost_queue SET attempts = ?, next_ms = ?, last_error = ? WHERE id = ?",
                                   {std::int64_t(attempts), next, error, job.id});
    } else {
        c = m_storage.execInternal("UPDATE _outpost_queue SET attempts = ?, last_error = ?, state = 2 WHERE id = ?",
                                   {std::int64_t(attempts), error, job.id});
    }
    return c ? Status() : Status(Error{c.error()});
}

} // namespace outpost::core::alarms
