#pragma once
// Actor classes shared by the runtime tests, the crash child and the bench.
#include "core/actor/actor_runtime.h"

#include <atomic>
#include <map>
#include <mutex>

namespace outpost::test {

using namespace outpost::core::actor;

// A durable counter in a user table.
class CounterActor : public Actor {
public:
    Status onLoad(ActorContext& ctx) override
    {
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        auto c = (*s)->exec("CREATE TABLE IF NOT EXISTS counter(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
        return c ? Status() : Status(Error{c.error()});
    }
    Result<Json> onMessage(ActorContext& ctx, const Json& message) override
    {
        auto s = ctx.storage();
        if (!s)
            return Error{s.error()};
        const std::string op = message.value("op", "inc");
        if (op == "get") {
            auto c = (*s)->exec("SELECT n FROM counter WHERE id = 1");
            if (!c)
                return Error{c.error()};
            const auto v = c->scalar();
            return Json(v.index() == 1 ? std::get<std::int64_t>(v) : 0);
        }
        auto c = (*s)->exec("INSERT INTO counter(id, n) VALUES(1, 1) ON CONFLICT(id) DO UPDATE SET n = n + 1 RETURNING n");
        if (!c)
            return Error{c.error()};
        if (message.value("broadcast", false))
            ctx.broadcast(Json{{"n", std::get<std::int64_t>(c->scalar())}});
        return Json(std::get<std::int64_t>(c->scalar()));
    }
};

// Does nothing: measures the runtime's own cost.
class NoopActor : public Actor {
public:
    Result<Json> onMessage(ActorContext&, const Json&) override { return Json(nullptr); }
};

} // namespace outpost::test
