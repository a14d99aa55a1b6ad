#pragma once
// One actor's SQLite database: a SQL API, a key-value API in the same file,
// nested synchronous transactions, size limits and snapshots.
//
// Transactions and events (the runtime drives these; see actor_runtime.h):
// - Outside an event every call autocommits, like a plain SQLite connection.
// - Between beginEvent() and endEvent() the first storage call opens the
//   batch transaction (BEGIN) if none is open, then SAVEPOINT "ev". endEvent
//   releases it (keeps the event's writes) or rolls it back (drops them), so
//   every event is atomic. The batch stays open across the events of one
//   shard batch; commitBatch() issues the single COMMIT (one fsync) for them.
// - SQLite may roll back the whole batch itself (an interrupted or
//   quota-refused write outside a statement journal). batchLost() reports it
//   so the runtime can fail every event of that batch whose output is still
//   held by the output gate: nothing unsaved has been seen outside.
//
// Limits: a quota on the database size (PRAGMA max_page_count, default
// 1 GiB) and a limit on each value and row (SQLITE_LIMIT_LENGTH, default
// 2 MiB). Both are refused by SQLite before anything is written, with an
// error that says which limit.
//
// Internal tables start with "_outpost_"; user SQL cannot read or write
// them, nor run BEGIN/COMMIT/SAVEPOINT, ATTACH or PRAGMAs that set values
// (an authorizer refuses them at prepare time).
//
// Thread safety: one thread at a time (the actor's shard), except
// setAbortFlag()'s flag, which another thread may raise.
#include "core/storage/sql_value.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace outpost::core::storage {

// The schema version of the internal tables (PRAGMA user_version).
inline constexpr int kStorageSchemaVersion = 1;

struct StorageOptions {
    std::int64_t quotaBytes = std::int64_t(1) << 30;    // database size limit
    std::int64_t maxValueBytes = std::int64_t(2) << 20; // per value / per row
    // FULL: a commit is on disk when COMMIT returns (survives power loss).
    // NORMAL in WAL mode survives a process crash but not a power loss.
    bool synchronousFull = true;
    // With synchronousFull: COMMIT returns without waiting for the disk
    // (WAL, synchronous=NORMAL) and the caller makes each commit durable by
    // fdatasync()ing walHandle() before it acknowledges anything that
    // depends on it. The actor runtime does so on its sync threads, so a
    // shard runs its next batch while the previous one reaches the disk
    // (pipelined group commit). Same guarantee as FULL for everything
    // acknowledged: SQLite still syncs the WAL before each checkpoint and
    // the database after it.
    bool deferSync = false;
    // How long a statement waits for another connection's lock (another
    // process serving or inspecting the same actor) before it fails.
    int busyTimeoutMs = 5000;
};

class ActorStorage {
public:
    // Opens (creating if needed) the database at `path`, or a private
    // in-memory database when `path` is empty. Creates the parent folder.
    // Errors: the file cannot be opened, is not a database or stays locked
    // by another connection, or its schema version is newer than this build
    // understands.
    static Result<std::unique_ptr<ActorStorage>> open(const std::string& path, const StorageOptions& options = {});
    ~ActorStorage();
    ActorStorage(const ActorStorage&) = delete;
    ActorStorage& operator=(const ActorStorage&) = delete;

    const std::string& path() const { return m_path; }
    const StorageOptions& options() const { return m_options; }

    // ---- SQL --------------------------------------------------------------
    // Runs one or more statements; `params` bind to the `?` of each statement
    // in turn. Errors: SQL syntax, constraint, quota, size limit, refused
    // access to internal tables, or an aborted event; on error the failing
    // statement wrote nothing.
    Result<Cursor> execv(std::string_view sql, const std::vector<SqlValue>& params = {});
    template<typename... Args>
    Result<Cursor> exec(std::string_view sql, Args&&... args)
    {
        return execv(sql, std::vector<SqlValue>{toSqlValue(std::forward<Args>(args))...});
    }
    // As execv, but may touch internal tables: for the platform's own
    // modules (alarms, queues), never for user SQL.
    Result<Cursor> execInternal(std::string_view sql, const std::vector<SqlValue>& params = {});

    // ---- key-value ------------------------------------------------------------
    // Keys are non-empty UTF-8 strings of at most 2048 bytes.
    Result<std::optional<KvValue>> get(std::string_view key);
    // Errors: invalid key, value over maxValueBytes, quota.
    Status put(std::string_view key, const KvValue& value);
    // Returns whether the key existed.
    Result<bool> remove(std::string_view key);
    Result<std::vector<std::pair<std::string, KvValue>>> list(const KvListOptions& options = {});

    // ---- transactions ---------------------------------------------------------
    // Runs `fn` in a savepoint: its writes stay if it returns success, and are
    // rolled back if it fails or throws (the exception becomes the error).
    // Transactions nest.
    Status transaction(const std::function<Status()>& fn);
    // Savepoint primitives for platform modules; names are internal.
    Status savepoint(const char* name);
    Status release(const char* name);
    Status rollbackTo(const char* name);

    // ---- event boundaries (the runtime's) ------------------------------------
    void beginEvent();
    // Keeps (`keep`) or drops the event's writes. Errors if SQLite lost them.
    Status endEvent(bool keep);
    bool inEvent() const { return m_inEvent; }
    bool batchOpen() const { return m_batchOpen; }
    bool batchLost() const;
    // COMMITs the open batch (no-op without one). On failure the batch is
    // rolled back and the error says why.
    Status commitBatch();
    // Drops an open batch.
    void rollbackBatch();
    // With deferSync: a new descriptor of the WAL file (the caller
    // fdatasync()s and closes it; it stays valid after this storage
    // closes). Errors: an in-memory database, the file cannot be opened.
    Result<int> walHandle();

    // Makes running and future statements fail with SQLITE_INTERRUPT while
    // *flag == match (checked every few thousand VM steps). Another thread
    // may change *flag at any time. Pass nullptr to clear.
    void setAbortFlag(const std::atomic<std::uint64_t>* flag, const std::atomic<std::uint64_t>* current);

    // ---- sizes, snapshots --------------------------------------------------
    // page_count * page_size.
    Result<std::int64_t> sizeBytes();
    // Whether the database is within `marginBytes` of its quota. SQLite
    // answers a quota overflow by rolling back the whole transaction, so the
    // runtime commits earlier events first when this is true: the refused
    // event then loses only its own writes.
    bool nearQuota(std::int64_t marginBytes);
    // A consistent copy of the committed database at `destination` (SQLite
    // backup API). Errors inside an open transaction.
    Status backupTo(const std::string& destination);
    // Replaces the database's content with the snapshot at `source`.
    // Errors: inside a transaction, or the source is not a valid snapshot
    // (damaged, from a newer schema, or not an actor database); then the
    // database is left as it was.
    Status restoreFrom(const std::string& source);
    // PRAGMA integrity_check: "ok" or the first problem.
    Result<std::string> integrityCheck();
    Status checkpoint();

    sqlite3* handle() const { return m_db; }

private:
    ActorStorage() = default;
    Status configure();
    Status migrate();
    Result<Cursor> run(std::string_view sql, const std::vector<SqlValue>& params, bool internal);
    Status simple(const char* sql);
    Status ensureEventTx();
    sqlite3_stmt* cached(const std::string& sql, bool internal, std::string* error);
    std::string describe(int rc, const char* fallback) const;
    static int authorize(void* self, int action, const char* a, const char* b, const char* c, const char* d);
    static int progress(void* self);

    sqlite3* m_db = nullptr;
    std::string m_path;
    StorageOptions m_options;
    bool m_internal = false;
    bool m_inEvent = false;
    bool m_eventOpen = false;
    bool m_batchOpen = false;
    int m_txDepth = 0;
    std::string m_authError;
    int m_walFd = -1;
    const std::atomic<std::uint64_t>* m_abortFlag = nullptr;
    const std::atomic<std::uint64_t>* m_abortCurrent = nullptr;
    std::map<std::string, sqlite3_stmt*> m_stmtCache; // keyed by (internal? "i:" : "u:") + sql
};

} // namespace outpost::core::storage
