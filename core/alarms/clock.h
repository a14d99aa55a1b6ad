#pragma once
// Time for alarms, backoff and hibernation, behind an interface so tests can
// move time by hand instead of waiting. Times are milliseconds since the Unix
// epoch (UTC).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace outpost::core::alarms {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t nowMs() const = 0;
    // Calls `fn` whenever time jumps (manual clocks); returns a token for
    // unsubscribe(). Real clocks never call it.
    virtual int subscribe(std::function<void()> fn) { (void)fn; return 0; }
    virtual void unsubscribe(int token) { (void)token; }
};

class SystemClock final : public Clock {
public:
    std::int64_t nowMs() const override;
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t startMs = 1'700'000'000'000) : m_now(startMs) {}
    std::int64_t nowMs() const override { return m_now.load(); }
    void advance(std::int64_t ms);
    void set(std::int64_t ms);
    int subscribe(std::function<void()> fn) override;
    void unsubscribe(int token) override;

private:
    void notify();
    std::atomic<std::int64_t> m_now;
    std::mutex m_mutex;
    int m_next = 1;
    std::map<int, std::function<void()>> m_listeners;
};

} // namespace outpost::core::alarms
