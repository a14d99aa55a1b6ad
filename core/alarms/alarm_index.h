#pragma once
// The runtime-wide alarm index: for each actor with pending schedules or
// jobs, the earliest time it must be woken. It lives in its own database so
// a hibernated actor (database closed) and an actor whose alarm fell due
// while the process was down are found without opening every actor's file.
//
// Invariant (kept by the runtime): the index time of an actor is never later
// than the actor's true next wake time once the actor's commit returns. An
// earlier index time only costs a spurious wake, after which the runtime
// writes the exact time back.
#include "core/storage/actor_storage.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace outpost::core::alarms {

using inference::Error;
using inference::Result;
using inference::Status;

class AlarmIndex {
public:
    struct Entry {
        std::string actorClass;
        std::string actorId;
        std::int64_t nextMs = 0;
    };
    struct Update {
        std::string actorClass;
        std::string actorId;
        std::optional<std::int64_t> nextMs; // nullopt removes the entry
        bool lowerOnly = false;             // keep the existing time when it is earlier
    };

    // `path` empty: an index kept in memory only (for ephemeral runtimes).
    static Result<std::unique_ptr<AlarmIndex>> open(const std::string& path);

    Result<std::vector<Entry>> all();
    // Applies all updates in one durable transaction. Thread-safe.
    Status apply(const std::vector<Update>& updates);

private:
    std::mutex m_mutex;
    std::unique_ptr<storage::ActorStorage> m_db;
};

} // namespace outpost::core::alarms
