#pragma once
// Events per second over a sliding window of recent time: the engine's
// tokens per second, which must fall to 0 once nothing happens. Not
// thread-safe; the owner locks.
#include <algorithm>
#include <chrono>
#include <deque>
#include <utility>

namespace outpost::inference {

class RateWindow {
public:
    using Clock = std::chrono::steady_clock;

    // window: how far back add()s count; minSpan: the shortest span a rate
    // is taken over, so that one burst right after an idle spell does not
    // read as a huge rate.
    explicit RateWindow(std::chrono::milliseconds window = std::chrono::seconds(2),
                        std::chrono::milliseconds minSpan = std::chrono::milliseconds(100))
        : m_window(window), m_minSpan(minSpan)
    {
    }

    // `count` events at `when` (times never go back).
    void add(Clock::time_point when, int count)
    {
        if (count > 0)
            m_events.emplace_back(when, count);
        prune(when);
    }

    // Events per second over the window that ends at `now`; 0 when none
    // fall inside it.
    double at(Clock::time_point now)
    {
        prune(now);
        if (m_events.empty())
            return 0;
        long long sum = 0;
        for (const auto& e : m_events)
            sum += e.second;
        const auto span = std::max<Clock::duration>(now - m_events.front().first, m_minSpan);
        return static_cast<double>(sum) / std::chrono::duration<double>(span).count();
    }

private:
    void prune(Clock::time_point now)
    {
        while (!m_events.empty() && now - m_events.front().first > m_window)
            m_events.pop_front();
    }

    std::chrono::milliseconds m_window, m_minSpan;
    std::deque<std::pair<Clock::time_point, int>> m_events;
};

} // namespace outpost::inference
