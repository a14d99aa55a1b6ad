#pragma once
// Standard five-field cron expressions: minute hour day-of-month month
// day-of-week. Each field takes *, numbers, names (jan-dec, sun-sat), lists
// (1,5), ranges (1-5), steps (*/15, 1-30/2, 5/10). Day-of-week 0 and 7 are
// Sunday. As in Vixie cron, when both day fields are restricted a day
// matches if either matches. @yearly, @annually, @monthly, @weekly, @daily,
// @midnight and @hourly are accepted.
#include "inference/util/result.h"

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace outpost::core::alarms {

using inference::Error;
using inference::Result;
using inference::Status;

class CronExpression {
public:
    enum class Zone { Utc, Local };

    // Errors name the field and the offending text.
    static Result<CronExpression> parse(std::string_view text);

    // The first matching minute strictly after `afterMs`, reading the fields
    // in UTC or in the process's local time zone (TZ). Local times skipped by
    // a DST change never fire. nullopt when nothing matches within 8 years
    // (e.g. "0 0 30 2 *").
    std::optional<std::int64_t> nextAfter(std::int64_t afterMs, Zone zone) const;

    const std::string& text() const { return m_text; }

private:
    bool dayMatches(int mday, int month, int wday) const;

    std::string m_text;
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_days;   // 1..31
    std::bitset<13> m_months; // 1..12
    std::bitset<7> m_weekdays; // 0 = Sunday
    bool m_daysStar = false;
    bool m_weekdaysStar = false;
};

} // namespace outpost::core::alarms
