#pragma once
// Values that cross the storage API: SQL parameters and result cells, and the
// values of the key-value API. The layer reuses the inference layer's
// Result/Status so that one error type runs through the whole runtime.
#include "inference/util/result.h"

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace outpost::core::storage {

using inference::Error;
using inference::Result;
using inference::Status;
using Json = nlohmann::json;

// One SQL value: NULL, INTEGER, REAL, TEXT (UTF-8) or BLOB.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string, QByteArray>;

inline SqlValue toSqlValue(std::nullptr_t) { return nullptr; }
inline SqlValue toSqlValue(bool v) { return std::int64_t(v ? 1 : 0); }
inline SqlValue toSqlValue(int v) { return std::int64_t(v); }
inline SqlValue toSqlValue(unsigned v) { return std::int64_t(v); }
inline SqlValue toSqlValue(long v) { return std::int64_t(v); }
inline SqlValue toSqlValue(long long v) { return std::int64_t(v); }
inline SqlValue toSqlValue(double v) { return v; }
inline SqlValue toSqlValue(const char* v) { return std::string(v); }
inline SqlValue toSqlValue(std::string v) { return v; }
inline SqlValue toSqlValue(std::string_view v) { return std::string(v); }
inline SqlValue toSqlValue(const QString& v) { return v.toStdString(); }
inline SqlValue toSqlValue(QByteArray v) { return v; }
inline SqlValue toSqlValue(SqlValue v) { return v; }

// A cell as JSON: BLOBs become {"$bytes": "<base64>"} so nothing is lost.
Json sqlValueToJson(const SqlValue& value);

// The rows of one exec() call, read eagerly. rowsRead counts the rows the
// statement returned plus the rows SQLite stepped over in full scans;
// rowsWritten counts rows inserted, updated or deleted (triggers included).
struct Cursor {
    std::vector<std::string> columns;
    std::vector<std::vector<SqlValue>> rows;
    std::int64_t rowsRead = 0;
    std::int64_t rowsWritten = 0;

    // Rows as objects keyed by column name.
    Json toJson() const;
    // The first column of the first row, or nullptr when there is none.
    SqlValue scalar() const;
};

// A value of the key-value API: any JSON value, or raw bytes.
using KvValue = std::variant<Json, QByteArray>;

struct KvListOptions {
    std::string prefix;          // only keys that start with this
    std::string start;           // first key (inclusive), "" for no bound
    std::string end;             // last key (exclusive), "" for no bound
    std::int64_t limit = -1;     // -1 for all
    bool reverse = false;        // descending key order
};

} // namespace outpost::core::storage
