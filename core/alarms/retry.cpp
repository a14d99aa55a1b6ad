#include "core/alarms/retry.h"

#include <QRandomGenerator>

#include <algorithm>
#include <chrono>
#include <thread>

namespace outpost::core::alarms {

std::int64_t backoffCapMs(int retry, std::int64_t baseDelayMs, std::int64_t maxDelayMs)
{
    std::int64_t cap = std::max<std::int64_t>(baseDelayMs, 0);
    for (int i = 1; i < retry && cap < maxDelayMs; ++i)
        cap = cap > maxDelayMs / 2 ? maxDelayMs : cap * 2;
    return std::min(cap, maxDelayMs);
}

std::int64_t fullJitterDelayMs(int retry, const RetryOptions& options, const std::function<double()>& uniform01)
{
    const std::int64_t cap = backoffCapMs(retry, options.baseDelayMs, options.maxDelayMs);
    double u = uniform01();
    u = std::clamp(u, 0.0, 1.0);
    return std::min(cap, std::int64_t(u * double(cap + 1)));
}

double systemUniform01()
{
    return QRandomGenerator::global()->generateDouble();
}

void threadSleepMs(std::int64_t ms)
{
    if (ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace outpost::core::alarms
