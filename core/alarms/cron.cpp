#include "core/alarms/cron.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <vector>

namespace outpost::core::alarms {

namespace {

struct FieldSpec {
    const char* label;
    int min;
    int max;
    const char* const* names; // lower-case, indexed from `min`
    int nameCount;
};

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 12},
    {"day of week", 0, 7, kDayNames, 7},
};

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

Result<int> parseValue(std::string_view text, const FieldSpec& spec, int fieldIndex)
{
    auto fail = [&](const std::string& why) {
        return Error{"cron field " + std::to_string(fieldIndex + 1) + " (" + spec.label + "): '" + std::string(text) + "' " + why};
    };
    if (text.empty())
        return fail("is empty");
    if (std::isdigit(static_cast<unsigned char>(text[0]))) {
        int v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || ptr != text.data() + text.size())
            return fail("is not a number");
        if (v < spec.min || v > spec.max)
            return fail("is out of range " + std::to_string(spec.min) + "-" + std::to_string(spec.max));
        return v;
    }
    if (spec.names && text.size() == 3) {
        std::string lower;
        for (char c : text)
            lower.push_back(char(std::tolower(static_cast<unsigned char>(c))));
        for (int i = 0; i < spec.nameCount; ++i) {
            if (lower == spec.names[i])
                return spec.min + i;
        }
    }
    return fail(spec.names ? "is not a number or a name" : "is not a number");
}

Status parseField(std::string_view text, const FieldSpec& spec, int fieldIndex, std::bitset<64>& bits)
{
    auto fail = [&](const std::string& why) {
        return Error{"cron field " + std::to_string(fieldIndex + 1) + " (" + spec.label + "): '" + std::string(text) + "' " + why};
    };
    for (std::string_view item : split(text, ',')) {
        if (item.empty())
            return fail("has an empty list item");
        auto parts = split(item, '/');
        if (parts.size() > 2)
            return fail("has more than one '/'");
        int step = 1;
        if (parts.size() == 2) {
            auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), step);
            if (parts[1].empty() || ec != std::errc() || ptr != parts[1].data() + parts[1].size() || step < 1
                || step > spec.max + 1)
                return fail("has an invalid step");
        }
        int lo = spec.min;
        int hi = spec.max;
        const std::string_view range = parts[0];
        if (range == "*") {
            // whole range
        } else {
            const auto dash = range.find('-');
            if (dash == std::string_view::npos) {
                auto v = parseValue(range, spec, fieldIndex);
                if (!v)
                    return Error{v.error()};
                lo = *v;
                hi = parts.size() == 2 ? spec.max : *v;
            } else {
                auto a = parseValue(range.substr(0, dash), spec, fieldIndex);
                if (!a)
                    return Error{a.error()};
                auto b = parseValue(range.substr(dash + 1), spec, fieldIndex);
                if (!b)
                    return Error{b.error()};
                lo = *a;
                hi = *b;
                if (lo > hi)
                    return fail("is a range whose start is after its end");
            }
        }
        for (int v = lo; v <= hi; v += step)
            bits.set(size_t(v));
    }
    return {};
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

} // namespace

Result<CronExpression> CronExpression::parse(std::string_view text)
{
    std::string normalized(text);
    // trim
    while (!normalized.empty() && std::isspace(static_cast<unsigned char>(normalized.back())))
        normalized.pop_back();
    std::size_t first = 0;
    while (first < normalized.size() && std::isspace(static_cast<unsigned char>(normalized[first])))
        ++first;
    normalized = normalized.substr(first);
    static const std::pair<const char*, const char*> kMacros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    std::string expanded = normalized;
    if (!normalized.empty() && normalized[0] == '@') {
        bool found = false;
        for (auto [name, value] : kMacros) {
            if (normalized == name) {
                expanded = value;
                found = true;
            }
        }
        if (!found)
            return Error{"cron expression '" + normalized + "': unknown macro"};
    }
    std::vector<std::string> fields;
    std::string current;
    for (char c : expanded) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!current.empty())
                fields.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty())
        fields.push_back(std::move(current));
    if (fields.size() != 5)
        return Error{"cron expression '" + normalized + "' has " + std::to_string(fields.size())
                     + " fields; expected 5 (minute hour day-of-month month day-of-week)"};
    std::bitset<64> bits[5];
    for (int i = 0; i < 5; ++i) {
        if (auto st = parseField(fields[size_t(i)], kFields[i], i, bits[i]); !st)
            return Error{"cron expression '" + normalized + "': " + st.error()};
    }
    CronExpression e;
    e.m_text = normalized;
    for (int v = 0; v < 60; ++v) e.m_minutes[size_t(v)] = bits[0][size_t(v)];
    for (int v = 0; v < 24; ++v) e.m_hours[size_t(v)] = bits[1][size_t(v)];
    for (int v = 1; v <= 31; ++v) e.m_days[size_t(v)] = bits[2][size_t(v)];
    for (int v = 1; v <= 12; ++v) e.m_months[size_t(v)] = bits[3][size_t(v)];
    for (int v = 0; v < 7; ++v) e.m_weekdays[size_t(v)] = bits[4][size_t(v)];
    if (bits[4][7])
        e.m_weekdays[0] = true;
    e.m_daysStar = !fields[2].empty() && fields[2][0] == '*';
    e.m_weekdaysStar = !fields[4].empty() && fields[4][0] == '*';
    return e;
}

bool CronExpression::dayMatches(int mday, int month, int wday) const
{
    (void)month;
    const bool dom = m_days[size_t(mday)];
    const bool dow = m_weekdays[size_t(wday)];
    if (m_daysStar || m_weekdaysStar)
        return dom && dow;
    return dom || dow;
}

std::optional<std::int64_t> CronExpression::nextAfter(std::int64_t afterMs, Zone zone) const
{
    constexpr std::int64_t kMinute = 60'000;
    const std::int64_t limit = afterMs + std::int64_t(8) * 366 * 86'400'000;
    std::int64_t t = (floorDiv(afterMs, kMinute) + 1) * kMinute;
    auto fields = [zone](std::int64_t ms) {
        std::time_t s = std::time_t(floorDiv(ms, 1000));
        std::tm f{};
        if (zone == Zone::Utc)
            gmtime_r(&s, &f);
        else
            localtime_r(&s, &f);
        return f;
    };
    auto toMs = [zone](std::tm f) {
        f.tm_sec = 0;
        std::time_t s;
        if (zone == Zone::Utc) {
            s = timegm(&f);
        } else {
            f.tm_isdst = -1;
            s = mktime(&f);
        }
        return std::int64_t(s) * 1000;
    };
    while (t <= limit) {
        std::tm f = fields(t);
        std::int64_t next = -1;
        if (!m_months[size_t(f.tm_mon + 1)]) {
            f.tm_mon += 1;
            f.tm_mday = 1;
            f.tm_hour = 0;
            f.tm_min = 0;
            next = toMs(f);
        } else if (!dayMatches(f.tm_mday, f.tm_mon + 1, f.tm_wday)) {
            f.tm_mday += 1;
            f.tm_hour = 0;
            f.tm_min = 0;
            next = toMs(f);
        } else if (!m_hours[size_t(f.tm_hour)]) {
            f.tm_hour += 1;
            f.tm_min = 0;
            next = toMs(f);
        } else if (!m_minutes[size_t(f.tm_min)]) {
            next = t + kMinute;
        } else {
            return t;
        }
        // Normalisation across a DST change can land at or before t; always move forward.
        t = std::max(next, t + kMinute);
    }
    return std::nullopt;
}

} // namespace outpost::core::alarms
