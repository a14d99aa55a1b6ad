#include "core/agent/chat_store.h"

#include "core/agent/agent_protocol.h"

#include <QCryptographicHash>

#include <algorithm>
#include <set>

namespace outpost::core::agent::chat {

namespace {

std::string sha256(const std::string& text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256).toHex().toStdString();
}

std::int64_t asInt(const storage::SqlValue& v)
{
    if (std::holds_alternative<std::int64_t>(v))
        return std::get<std::int64_t>(v);
    if (std::holds_alternative<double>(v))
        return std::int64_t(std::get<double>(v));
    return 0;
}

// Cuts a UTF-8 string to at most `bytes`, never inside a character.
std::string cutUtf8(const std::string& s, std::size_t bytes)
{
    if (s.size() <= bytes)
        return s;
    std::size_t n = bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

} // namespace

Status ensureTables(storage::ActorStorage& db)
{
    auto r = db.execv(
        "CREATE TABLE IF NOT EXISTS cf_agents_session_messages (session_id TEXT NOT NULL DEFAULT '', id TEXT NOT NULL,"
        " seq INTEGER NOT NULL, parent_id TEXT, type TEXT NOT NULL DEFAULT 'message', role TEXT NOT NULL, content TEXT NOT NULL,"
        " content_chunks INTEGER NOT NULL DEFAULT 0, token_estimate INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
        " content_hash TEXT, PRIMARY KEY (session_id, id)) WITHOUT ROWID;"
        "CREATE INDEX IF NOT EXISTS cf_agents_session_messages_seq ON cf_agents_session_messages (session_id, seq);"
        "CREATE TABLE IF NOT EXISTS outpost_chat_pending (tool_call_id TEXT PRIMARY KEY NOT NULL, run TEXT NOT NULL,"
        " created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000));"
        "CREATE TABLE IF NOT EXISTS outpost_trace (run_id TEXT NOT NULL, step INTEGER NOT NULL, node_id TEXT NOT NULL,"
        " node_type TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, inputs TEXT, outputs TEXT,"
        " tokens INTEGER NOT NULL DEFAULT 0, error TEXT, PRIMARY KEY (run_id, step))");
    if (!r)
        return Error{"cannot create the chat tables: " + r.error()};
    return {};
}

Result<OJson> loadMessages(storage::ActorStorage& db)
{
    auto rows = db.exec("SELECT id, content FROM cf_agents_session_messages WHERE session_id = '' ORDER BY seq");
    if (!rows)
        return Error{"cannot read cf_agents_session_messages: " + rows.error()};
    OJson out = OJson::array();
    for (const auto& r : rows->rows) {
        if (!std::holds_alternative<std::string>(r[1]))
            continue;
        OJson m = OJson::parse(std::get<std::string>(r[1]), nullptr, false);
        if (m.is_discarded() || !m.is_object()) {
            // One damaged row must not hide the rest of the chat.
            qWarning("outpost: chat message %s is not valid JSON; skipped",
                     std::holds_alternative<std::string>(r[0]) ? std::get<std::string>(r[0]).c_str() : "?");
            continue;
        }
        out.push_back(std::move(m));
    }
    return out;
}

OJson guardRow(OJson message, std::size_t limit)
{
    auto size = [&] { return protocol::dump(message).size(); };
    if (size() <= limit || !message.contains("parts") || !message["parts"].is_array())
        return message;
    OJson& parts = message["parts"];
    // 1. Tool outputs, largest first.
    for (;;) {
        std::size_t best = 0, bestSize = 0;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!parts[i].is_object() || !parts[i].contains("output") || parts[i].value("outputCompacted", false))
                continue;
            const std::size_t n = protocol::dump(parts[i]["output"]).size();
            if (n > bestSize) {
                best = i;
                bestSize = n;
            }
        }
        if (bestSize <= 256 || size() <= limit)
            break;
        const std::string text = protocol::dump(parts[best]["output"]);
        parts[best]["output"] = OJson{{"compacted", true}, {"bytes", text.size()}, {"preview", cutUtf8(text, 200)}};
        parts[best]["outputCompacted"] = true;
    }
    // 2. Text parts, largest first, cut to what is left.
    for (int guard = 0; guard < 64 && size() > limit; ++guard) {
        std::size_t best = parts.size(), bestSize = 0;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!parts[i].is_object() || !parts[i].contains("text") || !parts[i]["text"].is_string())
                continue;
            const std::size_t n = parts[i]["text"].get_ref<const std::string&>().size();
            if (n > bestSize) {
                best = i;
                bestSize = n;
            }
        }
        if (best == parts.size())
            break;
        const std::size_t over = size() - limit;
        const std::size_t keep = bestSize > over + 64 ? bestSize - over - 64 : 0;
        parts[best]["text"] = cutUtf8(parts[best]["text"].get<std::string>(), keep) + " [truncated]";
    }
    return message;
}

Status upsertMessages(storage::ActorStorage& db, const OJson& messages, std::size_t maxPersisted, std::int64_t nowMs)
{
    if (!messages.is_array())
        return Error{"messages must be an array"};
    auto last = db.exec("SELECT id, seq FROM cf_agents_session_messages WHERE session_id = '' ORDER BY seq DESC LIMIT 1");
    if (!last)
        return Error{"cannot read cf_agents_session_messages: " + last.error()};
    std::int64_t seq = last->rows.empty() ? 0 : asInt(last->rows[0][1]);
    std::string parent = last->rows.empty() || !std::holds_alternative<std::string>(last->rows[0][0])
                             ? std::string()
                             : std::get<std::string>(last->rows[0][0]);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const OJson& m = messages[i];
        if (!m.is_object() || !m.contains("id") || !m["id"].is_string() || m["id"].get_ref<const std::string&>().empty())
            return Error{"message " + std::to_string(i) + " has no string \"id\""};
        if (!m.contains("role") || !m["role"].is_string())
            return Error{"message " + std::to_string(i) + " has no string \"role\""};
    }
    // Clients send their whole history: a message we do not have that comes
    // before one we do was trimmed (maxPersisted) or cleared here, so it is
    // not added back (at the end, out of order).
    std::size_t anchor = 0;
    for (std::size_t i = messages.size(); i-- > 0;) {
        auto known = db.exec("SELECT 1 FROM cf_agents_session_messages WHERE session_id = '' AND id = ?", messages[i]["id"].get<std::string>());
        if (!known)
            return Error{"cannot read cf_agents_session_messages: " + known.error()};
        if (!known->rows.empty()) {
            anchor = i;
            break;
        }
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const OJson& m = messages[i];
        const OJson guarded = guardRow(m);
        const std::string content = protocol::dump(guarded);
        const std::string id = m["id"].get<std::string>();
        auto found = db.exec("SELECT seq FROM cf_agents_session_messages WHERE session_id = '' AND id = ?", id);
        if (!found)
            return Error{"cannot read cf_agents_session_messages: " + found.error()};
        if (found->rows.empty() && i < anchor)
            continue;
        Result<storage::Cursor> written = Error{""};
        if (!found->rows.empty()) {
            written = db.exec("UPDATE cf_agents_session_messages SET role = ?, content = ?, token_estimate = ?, content_hash = ?"
                              " WHERE session_id = '' AND id = ?",
                              m["role"].get<std::string>(), content, std::int64_t(content.size() / 4 + 1), sha256(content), id);
        } else {
            ++seq;
            written = db.exec("INSERT INTO cf_agents_session_messages (session_id, id, seq, parent_id, role, content, token_estimate,"
                              " created_at, content_hash) VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?)",
                              id, seq, parent.empty() ? storage::SqlValue(nullptr) : storage::SqlValue(parent),
                              m["role"].get<std::string>(), content, std::int64_t(content.size() / 4 + 1), nowMs, sha256(content));
            parent = id;
        }
        if (!written)
            return Error{"cannot save chat message '" + id + "': " + written.error()};
    }
    if (maxPersisted > 0) {
        auto del = db.exec("DELETE FROM cf_agents_session_messages WHERE session_id = '' AND seq <= ?",
                           seq - std::int64_t(maxPersisted));
        if (!del)
            return Error{"cannot trim cf_agents_session_messages: " + del.error()};
    }
    return {};
}

Status clearMessages(storage::ActorStorage& db)
{
    auto r = db.execv("DELETE FROM cf_agents_session_messages; DELETE FROM outpost_chat_pending");
    if (!r)
        return Error{"cannot clear the chat: " + r.error()};
    return {};
}

Result<bool> truncateAfter(storage::ActorStorage& db, const std::string& messageId)
{
    auto at = db.exec("SELECT seq FROM cf_agents_session_messages WHERE session_id = '' AND id = ?", messageId);
    if (!at)
        return Error{"cannot read cf_agents_session_messages: " + at.error()};
    if (at->rows.empty())
        return false;
    auto later = db.exec("DELETE FROM cf_agents_session_messages WHERE session_id = '' AND seq > ? RETURNING id", at->rows[0][0]);
    if (!later)
        return Error{"cannot drop the messages after '" + messageId + "': " + later.error()};
    if (later->rows.empty())
        return false;
    // Tool calls of dropped messages no longer wait for an answer.
    auto kept = loadMessages(db);
    if (!kept)
        return Error{kept.error()};
    std::set<std::string> calls;
    for (const auto& m : *kept)
        if (m.contains("parts") && m["parts"].is_array())
            for (const auto& part : m["parts"])
                if (part.is_object() && part.contains("toolCallId") && part["toolCallId"].is_string())
                    calls.insert(part["toolCallId"].get<std::string>());
    auto pending = db.exec("SELECT tool_call_id FROM outpost_chat_pending");
    if (!pending)
        return Error{"cannot read the pending tool calls: " + pending.error()};
    for (const auto& row : pending->rows) {
        const auto* id = std::get_if<std::string>(&row[0]);
        if (id && !calls.count(*id)) {
            if (auto st = deletePending(db, *id); !st)
                return Error{st.error()};
        }
    }
    return true;
}

Status savePending(storage::ActorStorage& db, const std::string& toolCallId, const OJson& run)
{
    auto r = db.exec("INSERT OR REPLACE INTO outpost_chat_pending (tool_call_id, run) VALUES (?, ?)", toolCallId, protocol::dump(run));
    if (!r)
        return Error{"cannot save the pending tool call: " + r.error()};
    return {};
}

Result<std::optional<OJson>> loadPending(storage::ActorStorage& db, const std::string& toolCallId)
{
    auto r = db.exec("SELECT run FROM outpost_chat_pending WHERE tool_call_id = ?", toolCallId);
    if (!r)
        return Error{"cannot read outpost_chat_pending: " + r.error()};
    if (r->rows.empty() || !std::holds_alternative<std::string>(r->rows[0][0]))
        return std::optional<OJson>();
    OJson run = OJson::parse(std::get<std::string>(r->rows[0][0]), nullptr, false);
    if (run.is_discarded())
        return Error{"outpost_chat_pending row '" + toolCallId + "' is not valid JSON"};
    return std::optional<OJson>(std::move(run));
}

Status deletePending(storage::ActorStorage& db, const std::string& toolCallId)
{
    auto r = db.exec("DELETE FROM outpost_chat_pending WHERE tool_call_id = ?", toolCallId);
    if (!r)
        return Error{"cannot delete the pending tool call: " + r.error()};
    return {};
}

Status appendTrace(storage::ActorStorage& db, const std::string& runId, const std::vector<TraceRow>& rows)
{
    auto base = db.exec("SELECT COALESCE(MAX(step), -1) FROM outpost_trace WHERE run_id = ?", runId);
    if (!base)
        return Error{"cannot read outpost_trace: " + base.error()};
    std::int64_t step = asInt(base->scalar()) + 1;
    for (const auto& row : rows) {
        auto clip = [](const OJson& j) { return cutUtf8(protocol::dump(j), 64 << 10); };
        auto r = db.exec("INSERT INTO outpost_trace (run_id, step, node_id, node_type, started_at, ended_at, inputs, outputs, tokens, error)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         runId, step++, row.nodeId, row.nodeType, row.startedMs, row.endedMs, clip(row.inputs), clip(row.outputs),
                         row.tokens, row.error.empty() ? storage::SqlValue(nullptr) : storage::SqlValue(row.error));
        if (!r)
            return Error{"cannot write outpost_trace: " + r.error()};
    }
    return {};
}

} // namespace outpost::core::agent::chat
