#include "core/agent/agent_instance.h"

#include "core/actor/actor_runtime.h"

#include <QDateTime>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>

namespace outpost::core::agent {

namespace {

using actor::Json;

constexpr const char* kStateRow = "cf_state_row_id";
// Payloads go through the schedule store as text so their key order survives
// (the store's JSON sorts keys).
constexpr const char* kOrderedPayload = "$ojson";

OJson toOrdered(const Json& j)
{
    if (j.is_object() && j.size() == 1 && j.contains(kOrderedPayload) && j[kOrderedPayload].is_string()) {
        OJson parsed = OJson::parse(j[kOrderedPayload].get<std::string>(), nullptr, false);
        if (!parsed.is_discarded())
            return parsed;
    }
    return OJson::parse(j.dump(-1, ' ', false, Json::error_handler_t::replace), nullptr, false);
}

Json wrapPayload(const OJson& payload) { return Json{{kOrderedPayload, protocol::dump(payload)}}; }

Json reply(std::vector<std::string> frames)
{
    Json out = Json::object();
    out["frames"] = std::move(frames);
    return out;
}

std::int64_t seconds(std::int64_t ms) { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

// listSchedules() shape: {"callback","id","payload",<kind fields>,"time","type"}.
OJson listShape(const std::string& id, const std::string& callback, const OJson& payload, const char* type,
                std::int64_t timeMs, const char* extraKey, const OJson& extra)
{
    OJson j = OJson::object();
    j["callback"] = callback;
    j["id"] = id;
    j["payload"] = payload;
    if (extraKey)
        j[extraKey] = extra;
    j["time"] = seconds(timeMs);
    j["type"] = type;
    return j;
}

// schedule()'s return shape: {"id","callback","payload","type","time",<kind fields>}.
OJson returnShape(const OJson& listed)
{
    OJson j = OJson::object();
    for (const char* k : {"id", "callback", "payload", "type", "time"})
        j[k] = listed[k];
    for (const char* k : {"delayInSeconds", "intervalSeconds", "cron"})
        if (listed.contains(k))
            j[k] = listed[k];
    return j;
}

OJson scheduleShape(const alarms::Schedule& s)
{
    const OJson payload = toOrdered(s.payload);
    switch (s.kind) {
    case alarms::ScheduleKind::Delay:
        return listShape(s.id, s.callback, payload, "delayed", s.nextMs, "delayInSeconds",
                         OJson(std::llround(double(s.nextMs - s.createdMs) / 1000.0)));
    case alarms::ScheduleKind::Date:
        return listShape(s.id, s.callback, payload, "scheduled", s.nextMs, nullptr, nullptr);
    case alarms::ScheduleKind::Cron:
        return listShape(s.id, s.callback, payload, "cron", s.nextMs, "cron", OJson(s.cron));
    }
    return OJson::object();
}

std::string describeArgs(const char* method, const char* expected)
{
    return std::string("Method ") + method + " expects " + expected;
}

} // namespace

// ---- CallContext --------------------------------------------------------------

const std::optional<OJson>& CallContext::state() const { return m_agent.m_state; }

Status CallContext::setState(OJson state) { return m_agent.setStateImpl(*this, std::move(state), StateSource::Server, {}); }

void CallContext::broadcast(std::string text) { m_ctx.broadcast(Json{{"text", std::move(text)}, {"proto", false}}); }

void CallContext::closeConnection(int code, std::string reason) { m_close = std::make_pair(code, std::move(reason)); }

// ---- AgentInstance ---------------------------------------------------------------

Status AgentInstance::onLoad(actor::ActorContext& ctx)
{
    auto storage = ctx.storage();
    if (!storage)
        return Error{storage.error()};
    auto created = (*storage)->execv(
        "CREATE TABLE IF NOT EXISTS cf_agents_state (id TEXT PRIMARY KEY NOT NULL, state TEXT);"
        "CREATE TABLE IF NOT EXISTS cf_agents_intervals (id TEXT PRIMARY KEY NOT NULL, callback TEXT NOT NULL,"
        " seconds REAL NOT NULL, payload TEXT NOT NULL, schedule_id TEXT NOT NULL, created_at INTEGER NOT NULL,"
        " UNIQUE (callback, seconds, payload))");
    if (!created)
        return Error{"cannot create the agent tables: " + created.error()};
    auto row = (*storage)->exec("SELECT state FROM cf_agents_state WHERE id = ?", kStateRow);
    if (!row)
        return Error{"cannot read the state: " + row.error()};
    m_state.reset();
    if (!row->rows.empty() && std::holds_alternative<std::string>(row->rows[0][0])) {
        OJson parsed = OJson::parse(std::get<std::string>(row->rows[0][0]), nullptr, false);
        if (parsed.is_discarded())
            return Error{"cf_agents_state row '" + std::string(kStateRow) + "' of " + ctx.id().key() + " is not valid JSON"};
        m_state = std::move(parsed);
    } else if (m_class->initialState) {
        m_state = *m_class->initialState;
    }
    m_loaded = true;
    return {};
}

Result<Json> AgentInstance::onMessage(actor::ActorContext& ctx, const Json& message)
{
    // A failed event has its writes rolled back; the memory must follow.
    const std::optional<OJson> before = m_state;
    Result<Json> result = Error{"unknown operation"};
    const std::string op = message.value("op", "");
    if (op == "connect")
        result = connect(ctx, message);
    else if (op == "frame")
        result = frame(ctx, message);
    else if (op == "http")
        result = http(ctx, message);
    else
        result = Error{"unknown agent operation '" + op + "'"};
    if (!result)
        m_state = before;
    return result;
}

Result<Json> AgentInstance::connect(actor::ActorContext& ctx, const Json& message)
{
    if (!message.value("proto", true))
        return reply({});
    const std::string& name = ctx.id().name();
    std::vector<std::string> frames;
    frames.push_back(protocol::identity(name, m_class->urlName, m_state.has_value()));
    if (m_state)
        frames.push_back(protocol::connectState(*m_state));
    frames.push_back(protocol::mcpServers());
    return reply(std::move(frames));
}

Result<Json> AgentInstance::frame(actor::ActorContext& ctx, const Json& message)
{
    const std::string text = message.value("text", "");
    const std::string conn = message.value("conn", "");
    const bool readonly = message.value("readonly", false);
    CallContext cc(*this, ctx, conn, readonly);

    OJson j = OJson::parse(text, nullptr, false);
    const std::string type = (j.is_object() && j.contains("type") && j["type"].is_string()) ? j["type"].get<std::string>() : "";
    if (type == "cf_agent_state") {
        if (readonly)
            return reply({protocol::stateError(protocol::kReadonly)});
        OJson next = j.contains("state") ? j["state"] : OJson(nullptr);
        const Status st = setStateImpl(cc, std::move(next), StateSource::Client, conn);
        if (!st) {
            if (st.error() == protocol::kStateRejected)
                return reply({protocol::stateError(protocol::kStateRejected)});
            return Error{st.error()};
        }
        return reply({});
    }
    if (type == "rpc") {
        if (!j.contains("id") || !(j["id"].is_string() || j["id"].is_number()))
            return reply({});
        const std::string id = j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump();
        if (!j.contains("method") || !j["method"].is_string())
            return Error{"RPC request without a method name"};
        OJson args = j.contains("args") ? j["args"] : OJson::array();
        if (!args.is_array())
            args = OJson::array({args});
        auto result = call(cc, j["method"].get<std::string>(), args);
        if (!result)
            return Error{result.error()};
        if (cc.m_close) {
            Json out = reply({});
            out["close"] = Json::array({cc.m_close->first, cc.m_close->second});
            return out;
        }
        const bool undefinedResult = result->is_discarded();
        return reply({protocol::rpcResult(id, undefinedResult ? nullptr : &*result)});
    }
    if (m_class->onMessage)
        m_class->onMessage(cc, text);
    Json out = reply({});
    if (cc.m_close)
        out["close"] = Json::array({cc.m_close->first, cc.m_close->second});
    return out;
}

Result<Json> AgentInstance::http(actor::ActorContext& ctx, const Json& message)
{
    const std::string method = message.value("method", "GET");
    const std::string path = message.value("path", "");
    const std::string body = message.value("body", "");
    CallContext cc(*this, ctx, "", message.value("readonly", false));
    auto respond = [](int status, std::string text) {
        return Json{{"status", status}, {"contentType", "application/json"}, {"body", std::move(text)}};
    };

    if (auto it = m_class->http.find(method + " " + path); it != m_class->http.end()) {
        auto r = it->second(cc, body);
        if (!r)
            return Error{r.error()};
        return Json{{"status", r->status}, {"contentType", r->contentType}, {"body", r->body}};
    }
    if (method == "GET" && path == "state")
        return respond(200, m_state ? protocol::dump(*m_state) : "null");
    if (method == "GET" && path == "schedules") {
        auto list = listSchedules(ctx);
        if (!list)
            return Error{list.error()};
        return respond(200, protocol::dump(*list));
    }
    if (method == "POST" && path.rfind("call/", 0) == 0) {
        OJson args = body.empty() ? OJson::array() : OJson::parse(body, nullptr, false);
        if (args.is_discarded() || !args.is_array())
            return respond(400, protocol::dump(OJson{{"error", "the body must be a JSON array of arguments"}}));
        auto result = call(cc, path.substr(5), args);
        if (!result)
            return Error{result.error()};
        OJson out = OJson::object();
        if (!result->is_discarded())
            out["result"] = *result;
        return respond(200, protocol::dump(out));
    }
    return respond(404, protocol::dump(OJson{{"error", "no route " + method + " " + path + " on this agent"}}));
}

Status AgentInstance::setStateImpl(CallContext& call, OJson state, StateSource source, const std::string& except)
{
    if (call.readonly())
        return Error{std::string(protocol::kReadonly)};
    if (m_class->validate) {
        if (auto why = m_class->validate(state, source))
            return Error{std::string(protocol::kStateRejected)};
    }
    auto storage = call.actor().storage();
    if (!storage)
        return Error{storage.error()};
    const std::string text = protocol::dump(state);
    auto written = (*storage)->exec("INSERT OR REPLACE INTO cf_agents_state (id, state) VALUES (?, ?)", kStateRow, text);
    if (!written)
        return Error{"cannot save the state: " + written.error()};
    m_state = std::move(state);
    Json b{{"text", protocol::stateBroadcast(*m_state)}, {"proto", true}};
    if (!except.empty())
        b["except"] = except;
    call.actor().broadcast(std::move(b));
    return {};
}

OJson AgentInstance::stateAt(const std::string& path) const
{
    if (!m_state)
        return nullptr;
    const OJson* at = &*m_state;
    std::size_t start = 0;
    while (start < path.size()) {
        const std::size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!at->is_object() || !at->contains(key))
            return nullptr;
        at = &(*at)[key];
        start = dot == std::string::npos ? path.size() : dot + 1;
    }
    return *at;
}

Status AgentInstance::setStateAt(actor::ActorContext& ctx, const std::string& path, OJson value)
{
    CallContext cc(*this, ctx, "", false);
    OJson next = m_state ? *m_state : OJson::object();
    if (path.empty()) {
        next = std::move(value);
    } else {
        OJson* at = &next;
        std::size_t start = 0;
        for (;;) {
            if (!at->is_object())
                *at = OJson::object();
            const std::size_t dot = path.find('.', start);
            const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (dot == std::string::npos) {
                (*at)[key] = std::move(value);
                break;
            }
            at = &(*at)[key];
            start = dot + 1;
        }
    }
    return setStateImpl(cc, std::move(next), StateSource::Server, {});
}

Result<OJson> AgentInstance::call(CallContext& call, const std::string& method, const OJson& args)
{
    auto arg = [&](std::size_t i) -> OJson { return i < args.size() ? args[i] : OJson(nullptr); };
    if (method == "getState")
        return m_state ? *m_state : OJson(OJson::value_t::discarded);
    if (method == "setState") {
        if (auto st = setStateImpl(call, arg(0), StateSource::Server, {}); !st)
            return Error{st.error()};
        return *m_state;
    }
    if (method == "listSchedules")
        return listSchedules(call.actor());
    if (method == "getSchedule") {
        auto list = listSchedules(call.actor());
        if (!list)
            return list;
        for (const auto& s : *list)
            if (s["id"] == arg(0))
                return s;
        return OJson(OJson::value_t::discarded);
    }
    if (method == "schedule")
        return schedule(call, args);
    if (method == "scheduleEvery")
        return scheduleEvery(call, args);
    if (method == "cancelSchedule")
        return cancelSchedule(call, args);
    if (method == "sql")
        return sql(call.actor(), args);
    if (auto it = m_class->callables.find(method); it != m_class->callables.end())
        return it->second(call, args);
    return Error{"Method " + method + " does not exist"};
}

Result<OJson> AgentInstance::listSchedules(actor::ActorContext& ctx)
{
    auto all = ctx.getSchedules();
    if (!all)
        return Error{all.error()};
    struct Item {
        std::int64_t timeMs;
        OJson json;
    };
    std::vector<Item> items;
    std::map<std::string, std::int64_t> intervalNext; // schedule id -> next ms
    for (const auto& s : *all) {
        if (s.callback == kIntervalCallback) {
            intervalNext[s.id] = s.nextMs;
            continue;
        }
        items.push_back({s.nextMs, scheduleShape(s)});
    }
    auto storage = ctx.storage();
    if (!storage)
        return Error{storage.error()};
    auto rows = (*storage)->exec("SELECT id, callback, seconds, payload, schedule_id FROM cf_agents_intervals");
    if (!rows)
        return Error{rows.error()};
    for (const auto& r : rows->rows) {
        const std::string id = std::get<std::string>(r[0]);
        const double secs = std::holds_alternative<double>(r[2]) ? std::get<double>(r[2]) : double(std::get<std::int64_t>(r[2]));
        const std::int64_t next = intervalNext.count(std::get<std::string>(r[4])) ? intervalNext[std::get<std::string>(r[4])] : 0;
        OJson payload = OJson::parse(std::get<std::string>(r[3]), nullptr, false);
        OJson interval = (secs == std::floor(secs)) ? OJson(std::int64_t(secs)) : OJson(secs);
        items.push_back({next, listShape(id, std::get<std::string>(r[1]), payload, "interval", next, "intervalSeconds", interval)});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.timeMs < b.timeMs; });
    OJson out = OJson::array();
    for (auto& i : items)
        out.push_back(std::move(i.json));
    return out;
}

Result<OJson> AgentInstance::schedule(CallContext& call, const OJson& args)
{
    if (call.readonly())
        return Error{std::string(protocol::kReadonly)};
    if (args.size() < 2 || !args[1].is_string())
        return Error{describeArgs("schedule", "(when, callback, payload)")};
    const OJson& when = args[0];
    const std::string callback = args[1].get<std::string>();
    if (callback == kIntervalCallback)
        return Error{"the callback name " + callback + " is reserved"};
    const OJson payload = args.size() > 2 ? args[2] : OJson(nullptr);
    alarms::When w;
    if (when.is_number()) {
        const double secs = when.get<double>();
        if (!std::isfinite(secs) || secs < 0)
            return Error{"schedule: the delay must be a number of seconds >= 0"};
        w = alarms::When::delay(std::int64_t(std::llround(secs * 1000.0)));
    } else if (when.is_string()) {
        const QString text = QString::fromStdString(when.get<std::string>());
        const QDateTime date = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (date.isValid())
            w = alarms::When::at(date.toMSecsSinceEpoch());
        else
            w = alarms::When::every(when.get<std::string>());
    } else {
        return Error{"schedule: 'when' must be seconds (number), an ISO-8601 date or a cron expression (string)"};
    }
    auto id = call.actor().schedule(w, callback, wrapPayload(payload));
    if (!id)
        return Error{id.error()};
    auto s = call.actor().getSchedule(*id);
    if (!s || !*s)
        return Error{"schedule: the new schedule cannot be read back"};
    return returnShape(scheduleShape(**s));
}

Result<OJson> AgentInstance::scheduleEvery(CallContext& call, const OJson& args)
{
    if (call.readonly())
        return Error{std::string(protocol::kReadonly)};
    if (args.size() < 2 || !args[0].is_number() || !args[1].is_string())
        return Error{describeArgs("scheduleEvery", "(seconds, callback, payload)")};
    const double secs = args[0].get<double>();
    if (!std::isfinite(secs) || secs <= 0)
        return Error{"scheduleEvery: the interval must be a number of seconds > 0"};
    const std::string callback = args[1].get<std::string>();
    if (callback.empty() || callback == kIntervalCallback)
        return Error{"scheduleEvery: invalid callback name '" + callback + "'"};
    const OJson payload = args.size() > 2 ? args[2] : OJson(nullptr);
    const std::string payloadText = protocol::dump(payload);
    auto storage = call.actor().storage();
    if (!storage)
        return Error{storage.error()};
    auto found = (*storage)->exec("SELECT id FROM cf_agents_intervals WHERE callback = ? AND seconds = ? AND payload = ?",
                                  callback, secs, payloadText);
    if (!found)
        return Error{found.error()};
    std::string id;
    if (!found->rows.empty()) {
        id = std::get<std::string>(found->rows[0][0]);
    } else {
        id = alarms::randomId();
        auto sid = call.actor().schedule(alarms::When::delay(std::int64_t(std::llround(secs * 1000.0))), kIntervalCallback,
                                         Json{{"id", id}});
        if (!sid)
            return Error{sid.error()};
        auto ins = (*storage)->exec("INSERT INTO cf_agents_intervals (id, callback, seconds, payload, schedule_id, created_at)"
                                    " VALUES (?, ?, ?, ?, ?, ?)",
                                    id, callback, secs, payloadText, *sid, call.actor().nowMs());
        if (!ins)
            return Error{ins.error()};
    }
    auto list = listSchedules(call.actor());
    if (!list)
        return Error{list.error()};
    for (const auto& s : *list)
        if (s["id"] == id)
            return returnShape(s);
    return Error{"scheduleEvery: the interval cannot be read back"};
}

Result<OJson> AgentInstance::cancelSchedule(CallContext& call, const OJson& args)
{
    if (call.readonly())
        return Error{std::string(protocol::kReadonly)};
    if (args.empty() || !args[0].is_string())
        return Error{describeArgs("cancelSchedule", "(id)")};
    const std::string id = args[0].get<std::string>();
    auto storage = call.actor().storage();
    if (!storage)
        return Error{storage.error()};
    auto row = (*storage)->exec("SELECT schedule_id FROM cf_agents_intervals WHERE id = ?", id);
    if (!row)
        return Error{row.error()};
    if (!row->rows.empty()) {
        auto c = call.actor().cancelSchedule(std::get<std::string>(row->rows[0][0]));
        if (!c)
            return Error{c.error()};
        auto del = (*storage)->exec("DELETE FROM cf_agents_intervals WHERE id = ?", id);
        if (!del)
            return Error{del.error()};
        return OJson(true);
    }
    auto c = call.actor().cancelSchedule(id);
    if (!c)
        return Error{c.error()};
    return OJson(*c);
}

Result<OJson> AgentInstance::sql(actor::ActorContext& ctx, const OJson& args)
{
    if (args.empty() || !args[0].is_string())
        return Error{describeArgs("sql", "(query, ...params)")};
    const std::string query = args[0].get<std::string>();
    auto storage = ctx.storage();
    if (!storage)
        return Error{storage.error()};
    // Read-only: every statement of the text must be one SQLite calls read-only.
    {
        const char* tail = query.c_str();
        const char* end = query.c_str() + query.size();
        while (tail < end) {
            sqlite3_stmt* stmt = nullptr;
            const char* next = nullptr;
            const int rc = sqlite3_prepare_v2((*storage)->handle(), tail, int(end - tail), &stmt, &next);
            if (rc != SQLITE_OK) {
                std::string why = sqlite3_errmsg((*storage)->handle());
                sqlite3_finalize(stmt);
                return Error{"sql: " + why};
            }
            const bool readonlyStmt = !stmt || sqlite3_stmt_readonly(stmt);
            sqlite3_finalize(stmt);
            if (!readonlyStmt)
                return Error{"sql: only read-only queries are allowed"};
            if (!next || next == tail)
                break;
            tail = next;
        }
    }
    std::vector<storage::SqlValue> params;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const OJson& a = args[i];
        if (a.is_null())
            params.emplace_back(nullptr);
        else if (a.is_boolean())
            params.emplace_back(std::int64_t(a.get<bool>() ? 1 : 0));
        else if (a.is_number_integer())
            params.emplace_back(a.get<std::int64_t>());
        else if (a.is_number())
            params.emplace_back(a.get<double>());
        else if (a.is_string())
            params.emplace_back(a.get<std::string>());
        else
            params.emplace_back(protocol::dump(a));
    }
    auto cursor = (*storage)->execv(query, params);
    if (!cursor)
        return Error{"sql: " + cursor.error()};
    OJson rows = OJson::array();
    for (const auto& r : cursor->rows) {
        OJson row = OJson::object();
        for (std::size_t c = 0; c < r.size() && c < cursor->columns.size(); ++c)
            row[cursor->columns[c]] = toOrdered(storage::sqlValueToJson(r[c]));
        rows.push_back(std::move(row));
    }
    return rows;
}

Status AgentInstance::onCallback(actor::ActorContext& ctx, const std::string& callback, const Json& payload)
{
    CallContext cc(*this, ctx, "", false);
    std::string userCallback = callback;
    OJson userPayload;
    OJson scheduleJson;
    if (callback == kIntervalCallback) {
        const std::string id = payload.value("id", "");
        auto storage = ctx.storage();
        if (!storage)
            return Error{storage.error()};
        auto row = (*storage)->exec("SELECT callback, seconds, payload FROM cf_agents_intervals WHERE id = ?", id);
        if (!row)
            return Error{row.error()};
        if (row->rows.empty())
            return {}; // cancelled since
        const auto& r = row->rows[0];
        userCallback = std::get<std::string>(r[0]);
        const double secs = std::holds_alternative<double>(r[1]) ? std::get<double>(r[1]) : double(std::get<std::int64_t>(r[1]));
        userPayload = OJson::parse(std::get<std::string>(r[2]), nullptr, false);
        // The next firing is planned from now: ticks missed while the
        // process was down collapse into this one instead of bursting.
        auto sid = ctx.schedule(alarms::When::delay(std::int64_t(std::llround(secs * 1000.0))), kIntervalCallback, Json{{"id", id}});
        if (!sid)
            return Error{sid.error()};
        auto upd = (*storage)->exec("UPDATE cf_agents_intervals SET schedule_id = ? WHERE id = ?", *sid, id);
        if (!upd)
            return Error{upd.error()};
        OJson interval = (secs == std::floor(secs)) ? OJson(std::int64_t(secs)) : OJson(secs);
        scheduleJson = listShape(id, userCallback, userPayload, "interval", ctx.nowMs(), "intervalSeconds", interval);
    } else {
        userPayload = toOrdered(payload);
        scheduleJson = listShape("", callback, userPayload, "delayed", ctx.nowMs(), nullptr, nullptr);
    }
    auto it = m_class->callbacks.find(userCallback);
    if (it == m_class->callbacks.end()) {
        // As the SDK does: a schedule whose callback does not exist is
        // reported and dropped, not retried forever.
        qWarning("outpost: %s has no callback '%s'; the schedule was dropped", ctx.id().key().c_str(), userCallback.c_str());
        return {};
    }
    return it->second(cc, userPayload, scheduleJson);
}

AgentClass agentClassFor(const AgentGraph& graph, const std::string& className)
{
    AgentClass cls;
    cls.className = className;
    cls.urlName = kebabCase(className);
    // A graph that writes state has state from the start, so clients get it
    // on connect; one that never does has none until a client sets it.
    for (const auto& node : graph.nodes)
        if (node.type == "set-state") {
            cls.initialState = OJson::object();
            break;
        }
    return cls;
}

// ---- AgentRegistry ----------------------------------------------------------------

Status AgentRegistry::add(AgentClass cls)
{
    if (auto st = actor::validateClassName(cls.className); !st)
        return st;
    if (cls.urlName.empty())
        cls.urlName = kebabCase(cls.className);
    if (byClassName(cls.className))
        return Error{"agent class '" + cls.className + "' is defined twice"};
    if (byUrlName(cls.urlName))
        return Error{"agent classes '" + cls.className + "' and '" + byUrlName(cls.urlName)->className + "' have the same URL name '"
                     + cls.urlName + "'"};
    m_classes.push_back(std::make_shared<const AgentClass>(std::move(cls)));
    return {};
}

std::shared_ptr<const AgentClass> AgentRegistry::byUrlName(std::string_view urlName) const
{
    for (const auto& c : m_classes)
        if (c->urlName == urlName)
            return c;
    return nullptr;
}

std::shared_ptr<const AgentClass> AgentRegistry::byClassName(std::string_view className) const
{
    for (const auto& c : m_classes)
        if (c->className == className)
            return c;
    return nullptr;
}

Status AgentRegistry::registerWith(actor::ActorRuntime& runtime) const
{
    for (const auto& c : m_classes) {
        auto cls = c;
        if (auto st = runtime.registerClass(c->className, [cls] { return std::make_unique<AgentInstance>(cls); }); !st)
            return st;
    }
    return {};
}

} // namespace outpost::core::agent
