#include "core/storage/sql_value.h"

namespace outpost::core::storage {

Json sqlValueToJson(const SqlValue& value)
{
    switch (value.index()) {
    case 0: return nullptr;
    case 1: return std::get<1>(value);
    case 2: return std::get<2>(value);
    case 3: return std::get<3>(value);
    default: {
        const QByteArray b64 = std::get<4>(value).toBase64();
        return Json{{"$bytes", std::string(b64.constData(), size_t(b64.size()))}};
    }
    }
}

Json Cursor::toJson() const
{
    Json out = Json::array();
    for (const auto& row : rows) {
        Json obj = Json::object();
        for (size_t i = 0; i < columns.size() && i < row.size(); ++i)
            obj[columns[i]] = sqlValueToJson(row[i]);
        out.push_back(std::move(obj));
    }
    return out;
}

SqlValue Cursor::scalar() const
{
    if (rows.empty() || rows.front().empty())
        return nullptr;
    return rows.front().front();
}

} // namespace outpost::core::storage
