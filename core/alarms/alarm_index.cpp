#include "core/alarms/alarm_index.h"

namespace outpost::core::alarms {

Result<std::unique_ptr<AlarmIndex>> AlarmIndex::open(const std::string& path)
{
    auto db = storage::ActorStorage::open(path);
    if (!db)
        return Error{"alarm index: " + db.error()};
    auto c = (*db)->execInternal("CREATE TABLE IF NOT EXISTS alarm_index(actor_class TEXT NOT NULL, actor_id TEXT NOT NULL,"
                                 " next_ms INTEGER NOT NULL, PRIMARY KEY(actor_class, actor_id)) WITHOUT ROWID");
    if (!c)
        return Error{"alarm index: " + path + ": " + c.error()};
    auto index = std::make_unique<AlarmIndex>();
    index->m_db = std::move(*db);
    return index;
}

Result<std::vector<AlarmIndex::Entry>> AlarmIndex::all()
{
    std::lock_guard lock(m_mutex);
    auto c = m_db->execInternal("SELECT actor_class, actor_id, next_ms FROM alarm_index ORDER BY next_ms");
    if (!c)
        return Error{"alarm index: " + c.error()};
    std::vector<Entry> out;
    for (const auto& r : c->rows) {
        if (r[0].index() != 3 || r[1].index() != 3 || r[2].index() != 1)
            continue;
        out.push_back({std::get<3>(r[0]), std::get<3>(r[1]), std::get<1>(r[2])});
    }
    return out;
}

Status AlarmIndex::apply(const std::vector<Update>& updates)
{
    if (updates.empty())
        return {};
    std::lock_guard lock(m_mutex);
    return m_db->transaction([&]() -> Status {
        for (const auto& u : updates) {
            Result<storage::Cursor> c = Error{""};
            if (!u.nextMs) {
                c = m_db->execInternal("DELETE FROM alarm_index WHERE actor_class = ? AND actor_id = ?", {u.actorClass, u.actorId});
            } else if (u.lowerOnly) {
                c = m_db->execInternal("INSERT INTO alarm_index(actor_class, actor_id, next_ms) VALUES(?,?,?) "
                                       "ON CONFLICT(actor_class, actor_id) DO UPDATE SET next_ms = MIN(next_ms, excluded.next_ms)",
                                       {u.actorClass, u.actorId, *u.nextMs});
            } else {
                c = m_db->execInternal("INSERT INTO alarm_index(actor_class, actor_id, next_ms) VALUES(?,?,?) "
                                       "ON CONFLICT(actor_class, actor_id) DO UPDATE SET next_ms = excluded.next_ms",
                                       {u.actorClass, u.actorId, *u.nextMs});
            }
            if (!c)
                return Error{"alarm index: " + c.error()};
        }
        return {};
    });
}

} // namespace outpost::core::alarms
