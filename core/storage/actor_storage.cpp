#include "core/storage/actor_storage.h"

#include <QByteArrayView>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <system_error>

namespace outpost::core::storage {

namespace {

constexpr std::size_t kMaxKeyBytes = 2048;
constexpr int kProgressSteps = 1000;
constexpr std::size_t kMaxCachedStatements = 64;

bool startsWithInternal(const char* name)
{
    if (!name)
        return false;
    return sqlite3_strnicmp(name, "_outpost_", 9) == 0;
}

bool onlySpace(const char* p, const char* end)
{
    for (; p < end; ++p) {
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';')
            return false;
    }
    return true;
}

Status bindValue(sqlite3_stmt* stmt, int index, const SqlValue& v)
{
    int rc = SQLITE_OK;
    switch (v.index()) {
    case 0: rc = sqlite3_bind_null(stmt, index); break;
    case 1: rc = sqlite3_bind_int64(stmt, index, std::get<1>(v)); break;
    case 2: rc = sqlite3_bind_double(stmt, index, std::get<2>(v)); break;
    case 3: {
        const auto& s = std::get<3>(v);
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    }
    default: {
        const auto& b = std::get<4>(v);
        // An empty QByteArray has a null data pointer, which SQLite would bind as NULL.
        static const char empty = 0;
        rc = sqlite3_bind_blob64(stmt, index, b.isEmpty() ? &empty : b.constData(), sqlite3_uint64(b.size()), SQLITE_TRANSIENT);
        break;
    }
    }
    if (rc == SQLITE_TOOBIG)
        return Error{"parameter " + std::to_string(index) + " is over the size limit per value"};
    if (rc != SQLITE_OK)
        return Error{"cannot bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc)};
    return {};
}

SqlValue columnValue(sqlite3_stmt* stmt, int i)
{
    switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return std::int64_t(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(p ? p : "", size_t(sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        return QByteArray(p, sqlite3_column_bytes(stmt, i));
    }
    default: return nullptr;
    }
}

// The smallest string greater than every string with this prefix, or "" when
// there is none (a prefix of only 0xFF bytes).
std::string prefixEnd(std::string prefix)
{
    while (!prefix.empty()) {
        auto c = static_cast<unsigned char>(prefix.back());
        if (c < 0xFF) {
            prefix.back() = static_cast<char>(c + 1);
            return prefix;
        }
        prefix.pop_back();
    }
    return {};
}

Status validateKey(std::string_view key)
{
    if (key.empty())
        return Error{"invalid key: keys must not be empty"};
    if (key.size() > kMaxKeyBytes)
        return Error{"invalid key: " + std::to_string(key.size()) + " bytes, over the limit of " + std::to_string(kMaxKeyBytes)};
    if (!QByteArrayView(key.data(), qsizetype(key.size())).isValidUtf8())
        return Error{"invalid key: not valid UTF-8"};
    return {};
}

Result<KvValue> decodeValue(const SqlValue& value, std::int64_t type, std::string_view key)
{
    if (type == 1) {
        if (value.index() == 4)
            return KvValue{std::get<4>(value)};
        if (value.index() == 3)
            return KvValue{QByteArray::fromStdString(std::get<3>(value))};
        return KvValue{QByteArray()};
    }
    std::string text;
    if (value.index() == 3)
        text = std::get<3>(value);
    else if (value.index() == 4)
        text = std::get<4>(value).toStdString();
    try {
        return KvValue{Json::parse(text)};
    } catch (const std::exception& e) {
        return Error{"stored value of key '" + std::string(key) + "' is not valid JSON: " + e.what()};
    }
}

} // namespace

Result<std::unique_ptr<ActorStorage>> ActorStorage::open(const std::string& path, const StorageOptions& options)
{
    std::unique_ptr<ActorStorage> s(new ActorStorage());
    s->m_path = path;
    s->m_options = options;
    if (!path.empty()) {
        std::error_code ec;
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty())
            std::filesystem::create_directories(parent, ec);
        if (ec)
            return Error{path + ": cannot create folder: " + ec.message()};
    }
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &s->m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = s->m_db ? sqlite3_errmsg(s->m_db) : sqlite3_errstr(rc);
        return Error{(path.empty() ? std::string(":memory:") : path) + ": cannot open database: " + msg};
    }
    sqlite3_extended_result_codes(s->m_db, 0);
    if (auto st = s->configure(); !st)
        return Error{(path.empty() ? std::string(":memory:") : path) + ": " + st.error()};
    if (auto st = s->migrate(); !st)
        return Error{(path.empty() ? std::string(":memory:") : path) + ": " + st.error()};
    return s;
}

ActorStorage::~ActorStorage()
{
    for (auto& [sql, stmt] : m_stmtCache)
        sqlite3_finalize(stmt);
    m_stmtCache.clear();
    if (m_db) {
        if (!sqlite3_get_autocommit(m_db))
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close_v2(m_db);
    }
    if (m_walFd >= 0)
        ::close(m_walFd);
}

Status ActorStorage::simple(const char* sql)
{
    char* err = nullptr;
    const bool wasInternal = m_internal;
    m_internal = true;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    m_internal = wasInternal;
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        return Error{std::string(sql).substr(0, 40) + ": " + describe(rc, msg.c_str())};
    }
    return {};
}

Status ActorStorage::configure()
{
    sqlite3_busy_timeout(m_db, m_options.busyTimeoutMs);
    sqlite3_set_authorizer(m_db, &ActorStorage::authorize, this);
    sqlite3_progress_handler(m_db, kProgressSteps, &ActorStorage::progress, this);
    // A file that is not a database shows up at the first read; so does a
    // lock another connection holds past the busy timeout.
    if (auto st = simple("PRAGMA journal_mode=WAL"); !st) {
        if (sqlite3_errcode(m_db) == SQLITE_BUSY)
            return Error{st.error() + "; waited " + std::to_string(m_options.busyTimeoutMs) + " ms"};
        return Error{"not a usable database (" + st.error() + ")"};
    }
    const bool full = m_options.synchronousFull && !(m_options.deferSync && !m_path.empty());
    if (auto st = simple(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !st)
        return st;
    auto pageSize = run("PRAGMA page_size", {}, true);
    if (!pageSize)
        return Error{pageSize.error()};
    std::int64_t page = 4096;
    if (pageSize->scalar().index() == 1)
        page = std::get<1>(pageSize->scalar());
    const std::int64_t maxPages = std::max<std::int64_t>(8, m_options.quotaBytes / std::max<std::int64_t>(page, 512));
    if (auto st = simple(("PRAGMA max_page_count=" + std::to_string(maxPages)).c_str()); !st)
        return st;
    const auto limit = static_cast<int>(std::min<std::int64_t>(m_options.maxValueBytes, 0x7fffffff));
    sqlite3_limit(m_db, SQLITE_LIMIT_LENGTH, limit);
    sqlite3_limit(m_db, SQLITE_LIMIT_ATTACHED, 0);
    return {};
}

Status ActorStorage::migrate()
{
    auto v = run("PRAGMA user_version", {}, true);
    if (!v)
        return Error{v.error()};
    const std::int64_t version = v->scalar().index() == 1 ? std::get<1>(v->scalar()) : 0;
    if (version > kStorageSchemaVersion)
        return Error{"schema version " + std::to_string(version) + " is newer than this build understands ("
                     + std::to_string(kStorageSchemaVersion) + "); upgrade Outpost to open it"};
    if (version == kStorageSchemaVersion)
        return {};
    // Version 0 -> 1: the internal tables. Later versions add steps here,
    // each in the same transaction as the user_version bump.
    static const char* const kV1 =
        "BEGIN;"
        "CREATE TABLE IF NOT EXISTS _outpost_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB, type INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS _outpost_schedules(id TEXT PRIMARY KEY NOT NULL, kind INTEGER NOT NULL,"
        " callback TEXT NOT NULL, payload TEXT NOT NULL, cron TEXT, utc INTEGER NOT NULL DEFAULT 0,"
        " next_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT, created_ms INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS _outpost_schedules_due ON _outpost_schedules(state, next_ms);"
        "CREATE TABLE IF NOT EXISTS _outpost_queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,"
        " callback TEXT NOT NULL, payload TEXT NOT NULL, created_ms INTEGER NOT NULL, next_ms INTEGER NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0, last_error TEXT);"
        "PRAGMA user_version=1;"
        "COMMIT;";
    if (auto st = simple(kV1); !st) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return Error{"cannot create the schema: " + st.error()};
    }
    return {};
}

std::string ActorStorage::describe(int rc, const char* fallback) const
{
    switch (rc) {
    case SQLITE_FULL:
        return "storage quota exceeded: the database may hold at most " + std::to_string(m_options.quotaBytes)
               + " bytes; the write was refused";
    case SQLITE_TOOBIG:
        return "value or row too big: the limit is " + std::to_string(m_options.maxValueBytes)
               + " bytes per value or row; the write was refused";
    case SQLITE_INTERRUPT:
        return "event aborted: it ran past its CPU budget";
    case SQLITE_BUSY:
        return "the database is locked by another connection (another outpost serve or studio on the same "
               "project?)";
    case SQLITE_AUTH:
        return "not allowed: " + (m_authError.empty() ? std::string(fallback) : m_authError);
    default:
        return fallback ? fallback : sqlite3_errstr(rc);
    }
}

int ActorStorage::authorize(void* self, int action, const char* a, const char* b, const char*, const char*)
{
    auto* s = static_cast<ActorStorage*>(self);
    if (s->m_internal)
        return SQLITE_OK;
    switch (action) {
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        s->m_authError = "transactions are managed by the runtime; use transaction() instead of BEGIN/COMMIT/SAVEPOINT";
        return SQLITE_DENY;
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        s->m_authError = "ATTACH and DETACH are not available to actors";
        return SQLITE_DENY;
    case SQLITE_PRAGMA: {
        static const char* const readOnly[] = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                                               "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"};
        if (startsWithInternal(b)) {
            s->m_authError = "tables starting with _outpost_ are internal";
            return SQLITE_DENY;
        }
        if (!b)
            return SQLITE_OK;
        for (const char* name : readOnly) {
            if (a && sqlite3_stricmp(a, name) == 0)
                return SQLITE_OK;
        }
        s->m_authError = std::string("PRAGMA ") + (a ? a : "") + " cannot be set by actors";
        return SQLITE_DENY;
    }
    case SQLITE_FUNCTION:
        return SQLITE_OK;
    default:
        if (startsWithInternal(a) || startsWithInternal(b)) {
            s->m_authError = "tables starting with _outpost_ are internal";
            return SQLITE_DENY;
        }
        return SQLITE_OK;
    }
}

int ActorStorage::progress(void* self)
{
    auto* s = static_cast<ActorStorage*>(self);
    if (!s->m_abortFlag)
        return 0;
    const auto flag = s->m_abortFlag->load(std::memory_order_relaxed);
    return (flag != 0 && flag == s->m_abortCurrent->load(std::memory_order_relaxed)) ? 1 : 0;
}

void ActorStorage::setAbortFlag(const std::atomic<std::uint64_t>* flag, const std::atomic<std::uint64_t>* current)
{
    m_abortFlag = flag;
    m_abortCurrent = current;
}

sqlite3_stmt* ActorStorage::cached(const std::string& sql, bool internal, std::string* error)
{
    std::string key = (internal ? "i:" : "u:") + sql;
    if (auto it = m_stmtCache.find(key); it != m_stmtCache.end())
        return it->second;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    m_authError.clear();
    const int rc = sqlite3_prepare_v3(m_db, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
        *error = describe(rc, sqlite3_errmsg(m_db));
        sqlite3_finalize(stmt);
        return nullptr;
    }
    if (!stmt || !onlySpace(tail, sql.data() + sql.size())) {
        sqlite3_finalize(stmt);
        return nullptr; // several statements: not cached
    }
    if (m_stmtCache.size() >= kMaxCachedStatements) {
        for (auto it = m_stmtCache.begin(); it != m_stmtCache.end();) {
            if (it->first.rfind("u:", 0) == 0) {
                sqlite3_finalize(it->second);
                it = m_stmtCache.erase(it);
            } else {
                ++it;
            }
        }
    }
    m_stmtCache.emplace(std::move(key), stmt);
    return stmt;
}

Status ActorStorage::ensureEventTx()
{
    if (!m_inEvent || m_eventOpen)
        return {};
    if (sqlite3_get_autocommit(m_db)) {
        if (auto st = simple("BEGIN"); !st)
            return st;
        m_batchOpen = true;
    }
    if (auto st = simple("SAVEPOINT ev"); !st)
        return st;
    m_eventOpen = true;
    return {};
}

Result<Cursor> ActorStorage::execv(std::string_view sql, const std::vector<SqlValue>& params)
{
    return run(sql, params, false);
}

Result<Cursor> ActorStorage::execInternal(std::string_view sql, const std::vector<SqlValue>& params)
{
    return run(sql, params, true);
}

Result<Cursor> ActorStorage::run(std::string_view sqlView, const std::vector<SqlValue>& params, bool internal)
{
    if (m_inEvent && m_eventOpen && batchLost())
        return Error{"the event's transaction was rolled back by an earlier error; the event cannot write any more"};
    if (auto st = ensureEventTx(); !st)
        return Error{st.error()};
    struct InternalScope {
        bool& flag;
        bool saved;
        InternalScope(bool& f, bool v) : flag(f), saved(f) { flag = v; }
        ~InternalScope() { flag = saved; }
    } scope(m_internal, internal);

    const std::string sql(sqlView);
    Cursor cursor;
    const sqlite3_int64 changesBefore = sqlite3_total_changes64(m_db);
    std::size_t nextParam = 0;
    std::string error;
    sqlite3_stmt* single = cached(sql, internal, &error);
    if (!single && !error.empty())
        return Error{error};

    const char* p = sql.data();
    const char* end = sql.data() + sql.size();
    int statementIndex = 0;
    while (single || p < end) {
        sqlite3_stmt* stmt = single;
        const bool owned = !single;
        if (owned) {
            const char* tail = nullptr;
            m_authError.clear();
            const int rc = sqlite3_prepare_v2(m_db, p, int(end - p), &stmt, &tail);
            if (rc != SQLITE_OK) {
                sqlite3_finalize(stmt);
                return Error{"statement " + std::to_string(statementIndex + 1) + ": " + describe(rc, sqlite3_errmsg(m_db))};
            }
            p = tail;
            if (!stmt)
                continue; // whitespace or a comment
        }
        ++statementIndex;
        const int count = sqlite3_bind_parameter_count(stmt);
        Status bound;
        for (int i = 1; i <= count && bound; ++i) {
            if (nextParam >= params.size()) {
                bound = Error{"statement " + std::to_string(statementIndex) + " expects more parameters than the "
                              + std::to_string(params.size()) + " given"};
                break;
            }
            bound = bindValue(stmt, i, params[nextParam++]);
        }
        if (bound && single && nextParam != params.size())
            bound = Error{"the statement has " + std::to_string(count) + " parameters but " + std::to_string(params.size()) + " were given"};
        if (!bound) {
            sqlite3_clear_bindings(stmt);
            if (owned)
                sqlite3_finalize(stmt);
            return Error{bound.error()};
        }
        const int columns = sqlite3_column_count(stmt);
        if (columns > 0) {
            cursor.columns.clear();
            cursor.rows.clear();
            for (int c = 0; c < columns; ++c)
                cursor.columns.emplace_back(sqlite3_column_name(stmt, c) ? sqlite3_column_name(stmt, c) : "");
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::vector<SqlValue> row;
            row.reserve(size_t(columns));
            for (int c = 0; c < columns; ++c)
                row.push_back(columnValue(stmt, c));
            cursor.rows.push_back(std::move(row));
            ++cursor.rowsRead;
        }
        cursor.rowsRead += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
        std::string stepError;
        if (rc != SQLITE_DONE)
            stepError = describe(rc, sqlite3_errmsg(m_db));
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (owned)
            sqlite3_finalize(stmt);
        if (!stepError.empty()) {
            if (!single)
                stepError = "statement " + std::to_string(statementIndex) + ": " + stepError;
            return Error{stepError};
        }
        if (single)
            break;
    }
    if (!single && nextParam != params.size())
        return Error{std::to_string(params.size()) + " parameters given but the statements use " + std::to_string(nextParam)};
    cursor.rowsWritten = sqlite3_total_changes64(m_db) - changesBefore;
    return cursor;
}

// ---- key-value -------------------------------------------------------------

Result<std::optional<KvValue>> ActorStorage::get(std::string_view key)
{
    if (auto st = validateKey(key); !st)
        return Error{st.error()};
    auto c = run("SELECT value, type FROM _outpost_kv WHERE key = ?", {std::string(key)}, true);
    if (!c)
        return Error{c.error()};
    if (c->rows.empty())
        return std::optional<KvValue>();
    const auto& row = c->rows.front();
    auto v = decodeValue(row[0], row[1].index() == 1 ? std::get<1>(row[1]) : 0, key);
    if (!v)
        return Error{v.error()};
    return std::optional<KvValue>(std::move(*v));
}

Status ActorStorage::put(std::string_view key, const KvValue& value)
{
    if (auto st = validateKey(key); !st)
        return st;
    SqlValue encoded;
    std::int64_t type = 0;
    if (value.index() == 1) {
        encoded = std::get<1>(value);
        type = 1;
    } else {
        try {
            encoded = std::get<0>(value).dump();
        } catch (const std::exception& e) {
            return Error{"value of key '" + std::string(key) + "' cannot be stored: " + e.what()};
        }
    }
    const std::int64_t size = encoded.index() == 4 ? std::int64_t(std::get<4>(encoded).size()) : std::int64_t(std::get<3>(encoded).size());
    if (size > m_options.maxValueBytes)
        return Error{"value of key '" + std::string(key) + "' is " + std::to_string(size) + " bytes, over the limit of "
                     + std::to_string(m_options.maxValueBytes) + " bytes per value; nothing was written"};
    auto c = run("INSERT INTO _outpost_kv(key, value, type) VALUES(?, ?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value, type = excluded.type",
                 {std::string(key), std::move(encoded), type}, true);
    if (!c)
        return Error{"put '" + std::string(key) + "': " + c.error()};
    return {};
}

Result<bool> ActorStorage::remove(std::string_view key)
{
    if (auto st = validateKey(key); !st)
        return Error{st.error()};
    auto c = run("DELETE FROM _outpost_kv WHERE key = ?", {std::string(key)}, true);
    if (!c)
        return Error{c.error()};
    return c->rowsWritten > 0;
}

Result<std::vector<std::pair<std::string, KvValue>>> ActorStorage::list(const KvListOptions& o)
{
    std::string sql = "SELECT key, value, type FROM _outpost_kv WHERE 1";
    std::vector<SqlValue> params;
    if (!o.prefix.empty()) {
        sql += " AND key >= ?";
        params.emplace_back(o.prefix);
        if (auto e = prefixEnd(o.prefix); !e.empty()) {
            sql += " AND key < ?";
            params.emplace_back(e);
        }
    }
    if (!o.start.empty()) {
        sql += " AND key >= ?";
        params.emplace_back(o.start);
    }
    if (!o.end.empty()) {
        sql += " AND key < ?";
        params.emplace_back(o.end);
    }
    sql += o.reverse ? " ORDER BY key DESC" : " ORDER BY key ASC";
    if (o.limit >= 0) {
        sql += " LIMIT ?";
        params.emplace_back(o.limit);
    }
    auto c = run(sql, params, true);
    if (!c)
        return Error{c.error()};
    std::vector<std::pair<std::string, KvValue>> out;
    out.reserve(c->rows.size());
    for (const auto& row : c->rows) {
        std::string key = row[0].index() == 3 ? std::get<3>(row[0]) : std::string();
        auto v = decodeValue(row[1], row[2].index() == 1 ? std::get<1>(row[2]) : 0, key);
        if (!v)
            return Error{v.error()};
        out.emplace_back(std::move(key), std::move(*v));
    }
    return out;
}

// ---- transactions ------------------------------------------------------------

Status ActorStorage::savepoint(const char* name)
{
    if (auto st = ensureEventTx(); !st)
        return st;
    return simple((std::string("SAVEPOINT ") + name).c_str());
}

Status ActorStorage::release(const char* name)
{
    return simple((std::string("RELEASE ") + name).c_str());
}

Status ActorStorage::rollbackTo(const char* name)
{
    // Fails harmlessly when SQLite already rolled everything back.
    auto st = simple((std::string("ROLLBACK TO ") + name).c_str());
    if (st)
        st = simple((std::string("RELEASE ") + name).c_str());
    return st;
}

Status ActorStorage::transaction(const std::function<Status()>& fn)
{
    const std::string name = "tx" + std::to_string(m_txDepth);
    if (auto st = savepoint(name.c_str()); !st)
        return st;
    ++m_txDepth;
    Status result;
    try {
        result = fn();
    } catch (const std::exception& e) {
        result = Error{std::string("transaction threw: ") + e.what()};
    } catch (...) {
        result = Error{"transaction threw an unknown exception"};
    }
    --m_txDepth;
    if (result) {
        if (auto st = release(name.c_str()); !st) {
            (void)rollbackTo(name.c_str());
            return st;
        }
    } else {
        (void)rollbackTo(name.c_str());
    }
    if (m_inEvent && batchLost())
        return Error{result ? std::string("the transaction was rolled back by SQLite") : result.error()};
    return result;
}

// ---- events and batches --------------------------------------------------------

void ActorStorage::beginEvent()
{
    m_inEvent = true;
    m_eventOpen = false;
}

bool ActorStorage::batchLost() const
{
    return m_batchOpen && sqlite3_get_autocommit(m_db);
}

Status ActorStorage::endEvent(bool keep)
{
    m_inEvent = false;
    if (!m_eventOpen)
        return {};
    m_eventOpen = false;
    m_txDepth = 0;
    if (batchLost()) {
        m_batchOpen = false;
        return Error{"SQLite rolled back the batch transaction after an error"};
    }
    if (keep) {
        if (auto st = release("ev"); !st) {
            (void)rollbackTo("ev");
            return st;
        }
        return {};
    }
    (void)rollbackTo("ev");
    if (batchLost()) {
        m_batchOpen = false;
        return Error{"SQLite rolled back the batch transaction after an error"};
    }
    return {};
}

Status ActorStorage::commitBatch()
{
    if (!m_batchOpen)
        return {};
    m_batchOpen = false;
    if (sqlite3_get_autocommit(m_db))
        return Error{"SQLite rolled back the batch transaction after an error"};
    if (auto st = simple("COMMIT"); !st) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return Error{"commit failed: " + st.error()};
    }
    return {};
}

void ActorStorage::rollbackBatch()
{
    m_inEvent = false;
    m_eventOpen = false;
    m_txDepth = 0;
    m_batchOpen = false;
    if (!sqlite3_get_autocommit(m_db))
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<int> ActorStorage::walHandle()
{
    if (m_path.empty())
        return Error{"an in-memory database has no WAL file"};
    if (m_walFd < 0) {
        // The WAL file exists from the first write on and keeps its inode
        // while this connection is open (a checkpoint restarts it in place).
        const char* wal = sqlite3_filename_wal(sqlite3_db_filename(m_db, "main"));
        m_walFd = wal ? ::open(wal, O_RDONLY | O_CLOEXEC) : -1;
        if (m_walFd < 0)
            return Error{m_path + ": cannot open the WAL file to sync it: " + std::strerror(errno)};
    }
    const int fd = ::fcntl(m_walFd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return Error{m_path + ": cannot duplicate the WAL handle: " + std::strerror(errno)};
    return fd;
}

// ---- sizes and snapshots --------------------------------------------------------

Result<std::int64_t> ActorStorage::sizeBytes()
{
    auto pages = run("PRAGMA page_count", {}, true);
    auto size = run("PRAGMA page_size", {}, true);
    if (!pages)
        return Error{pages.error()};
    if (!size)
        return Error{size.error()};
    const auto a = pages->scalar();
    const auto b = size->scalar();
    if (a.index() != 1 || b.index() != 1)
        return Error{"cannot read the database size"};
    return std::get<1>(a) * std::get<1>(b);
}

bool ActorStorage::nearQuota(std::int64_t marginBytes)
{
    auto size = sizeBytes();
    return !size || *size + marginBytes >= m_options.quotaBytes;
}

Result<std::string> ActorStorage::integrityCheck()
{
    auto c = run("PRAGMA integrity_check", {}, true);
    if (!c)
        return Error{c.error()};
    const auto v = c->scalar();
    return v.index() == 3 ? std::get<3>(v) : std::string("no answer");
}

Status ActorStorage::checkpoint()
{
    return simple("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status ActorStorage::backupTo(const std::string& destination)
{
    if (!sqlite3_get_autocommit(m_db))
        return Error{"cannot snapshot inside a transaction"};
    std::error_code ec;
    const auto target = std::filesystem::path(destination);
    if (!target.parent_path().empty())
        std::filesystem::create_directories(target.parent_path(), ec);
    const std::string part = destination + ".part";
    std::filesystem::remove(part, ec);
    sqlite3* dest = nullptr;
    if (sqlite3_open_v2(part.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        std::string msg = dest ? sqlite3_errmsg(dest) : "out of memory";
        sqlite3_close_v2(dest);
        return Error{destination + ": cannot create snapshot: " + msg};
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", m_db, "main");
    if (!b) {
        std::string msg = sqlite3_errmsg(dest);
        sqlite3_close_v2(dest);
        std::filesystem::remove(part, ec);
        return Error{destination + ": cannot start snapshot: " + msg};
    }
    const int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    // The copy keeps the WAL flag in its header; write it out fully so the
    // snapshot is one self-contained file.
    sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    sqlite3_close_v2(dest);
    if (rc != SQLITE_DONE) {
        std::filesystem::remove(part, ec);
        return Error{destination + ": snapshot failed: " + sqlite3_errstr(rc)};
    }
    std::filesystem::rename(part, destination, ec);
    if (ec)
        return Error{destination + ": cannot move snapshot into place: " + ec.message()};
    return {};
}

Status ActorStorage::restoreFrom(const std::string& source)
{
    if (!sqlite3_get_autocommit(m_db))
        return Error{"cannot restore inside a transaction"};
    sqlite3* src = nullptr;
    if (sqlite3_open_v2(source.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string msg = src ? sqlite3_errmsg(src) : "out of memory";
        sqlite3_close_v2(src);
        return Error{source + ": cannot open snapshot: " + msg};
    }
    // Refuse files that are not intact Outpost databases before touching the live one.
    sqlite3_stmt* stmt = nullptr;
    std::string check;
    if (sqlite3_prepare_v2(src, "PRAGMA quick_check", -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        check = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (check != "ok") {
        sqlite3_close_v2(src);
        return Error{source + ": not a valid snapshot (" + (check.empty() ? std::string("unreadable") : check) + ")"};
    }
    // Its schema must be one this build can use: the restore replaces the
    // live database, so a snapshot refused afterwards would lose its data.
    std::int64_t version = -1;
    if (sqlite3_prepare_v2(src, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    int internalTables = 0;
    if (sqlite3_prepare_v2(src,
                           "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                           " AND name IN ('_outpost_kv', '_outpost_schedules', '_outpost_queue')",
                           -1, &stmt, nullptr)
            == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        internalTables = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    std::string refused;
    if (version < 0)
        refused = "its schema version is unreadable";
    else if (version > kStorageSchemaVersion)
        refused = "schema version " + std::to_string(version) + " is newer than this build understands ("
                  + std::to_string(kStorageSchemaVersion) + ")";
    else if (version > 0 && internalTables != 3)
        refused = "it is not an actor database (its internal tables are missing)";
    if (!refused.empty()) {
        sqlite3_close_v2(src);
        return Error{source + ": not a valid snapshot (" + refused + "); the database was not changed"};
    }
    for (auto& [sql, s] : m_stmtCache)
        sqlite3_finalize(s);
    m_stmtCache.clear();
    sqlite3_backup* b = sqlite3_backup_init(m_db, "main", src, "main");
    if (!b) {
        sqlite3_close_v2(src);
        return Error{source + ": cannot start restore: " + sqlite3_errmsg(m_db)};
    }
    const int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    sqlite3_close_v2(src);
    if (rc != SQLITE_DONE)
        return Error{source + ": restore failed: " + sqlite3_errstr(rc)};
    return migrate();
}

} // namespace outpost::core::storage
