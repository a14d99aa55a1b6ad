#include "core/alarms/clock.h"

#include <chrono>
#include <vector>

namespace outpost::core::alarms {

std::int64_t SystemClock::nowMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void ManualClock::advance(std::int64_t ms)
{
    m_now.fetch_add(ms);
    notify();
}

void ManualClock::set(std::int64_t ms)
{
    m_now.store(ms);
    notify();
}

int ManualClock::subscribe(std::function<void()> fn)
{
    std::lock_guard lock(m_mutex);
    const int token = m_next++;
    m_listeners.emplace(token, std::move(fn));
    return token;
}

void ManualClock::unsubscribe(int token)
{
    std::lock_guard lock(m_mutex);
    m_listeners.erase(token);
}

void ManualClock::notify()
{
    std::lock_guard lock(m_mutex);
    for (auto& [token, fn] : m_listeners)
        fn();
}

} // namespace outpost::core::alarms
