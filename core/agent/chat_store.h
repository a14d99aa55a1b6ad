#pragma once
// The chat transcript of an agent instance, in the instance's own SQLite
// database, in the layout of the Agents SDK's session store (transcript 20
// of the protocol reference): table cf_agents_session_messages, one row per
// UIMessage ({"id","role","parts":[...]}) with its JSON, a sequence number,
// its parent (the previous message), a token estimate and a SHA-256 of the
// content. Beside it:
//   outpost_chat_pending(tool_call_id, run): a graph run waiting for a tool
//     approval or a client tool result, so the wait survives hibernation
//     and restarts;
//   outpost_trace(run_id, step, node_id, node_type, started_at, ended_at,
//     inputs, outputs, tokens, error): one row per executed graph node.
//
// Every function runs inside an actor event (ActorContext::storage()) and
// fails with a message naming the table and the reason.
#include "core/storage/actor_storage.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace outpost::core::agent::chat {

using OJson = nlohmann::ordered_json;
using storage::Error;
using storage::Result;
using storage::Status;

// Rows stay below this (SQLite's per-value limit of the actor storage is
// 2 MiB; the rest of the row needs room too).
inline constexpr std::size_t kMaxRowBytes = (std::size_t(2) << 20) - (std::size_t(64) << 10);

Status ensureTables(storage::ActorStorage& db);

// All messages, oldest first.
Result<OJson> loadMessages(storage::ActorStorage& db);

// Inserts or replaces each message by id (an upsert: messages not in the list
// are kept). New messages go to the end, except those that come before a
// stored one in the list (trimmed or cleared here: not added back). Each row
// passes guardRow first.
// Then keeps only the newest `maxPersisted` messages (0: no limit).
// Errors: a message without a string id or without a role.
Status upsertMessages(storage::ActorStorage& db, const OJson& messages, std::size_t maxPersisted, std::int64_t nowMs);

Status clearMessages(storage::ActorStorage& db);

// Drops the messages stored after `messageId` (a client that regenerates a
// reply or edits a message resends the transcript up to it), and the
// pending tool calls of the dropped messages. Returns whether anything was
// dropped; false when `messageId` is not stored.
Result<bool> truncateAfter(storage::ActorStorage& db, const std::string& messageId);

// Makes a UIMessage fit in `limit` bytes of JSON: first tool outputs are
// replaced by a short preview (largest first), then text parts are cut
// (largest first), each marked as compacted. A message that fits is returned
// unchanged.
OJson guardRow(OJson message, std::size_t limit = kMaxRowBytes);

Status savePending(storage::ActorStorage& db, const std::string& toolCallId, const OJson& run);
Result<std::optional<OJson>> loadPending(storage::ActorStorage& db, const std::string& toolCallId);
Status deletePending(storage::ActorStorage& db, const std::string& toolCallId);

struct TraceRow {
    std::string nodeId;
    std::string nodeType;
    std::int64_t startedMs = 0;
    std::int64_t endedMs = 0;
    OJson inputs;
    OJson outputs;
    int tokens = 0;
    std::string error;
};
Status appendTrace(storage::ActorStorage& db, const std::string& runId, const std::vector<TraceRow>& rows);

} // namespace outpost::core::agent::chat
