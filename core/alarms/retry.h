#pragma once
// Retrying a failing operation with exponential backoff and full jitter:
// before retry n (1-based) the caller waits a uniformly random time in
// [0, min(maxDelay, baseDelay * 2^(n-1))]. Full jitter spreads retries of
// many callers that failed together, so they do not fail together again.
//
// retry() blocks the calling thread while it waits (through `sleep`). Inside
// an actor that blocks the shard: use it for short delays only, and a
// schedule for long ones.
#include "inference/util/result.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

namespace outpost::core::alarms {

struct RetryOptions {
    int maxAttempts = 3;            // total tries, including the first
    std::int64_t baseDelayMs = 100; // cap of the first wait
    std::int64_t maxDelayMs = 3000; // cap of every wait
};

// min(maxDelay, base * 2^(retry-1)), without overflow; retry >= 1.
std::int64_t backoffCapMs(int retry, std::int64_t baseDelayMs, std::int64_t maxDelayMs);

// A full-jitter delay for retry `retry`: uniform01() in [0,1) scaled to the cap.
std::int64_t fullJitterDelayMs(int retry, const RetryOptions& options, const std::function<double()>& uniform01);

// A uniform [0,1) source from the system's random generator.
double systemUniform01();
// Sleeps the calling thread.
void threadSleepMs(std::int64_t ms);

// Calls fn until it succeeds or maxAttempts tries have failed; returns the
// last result. An exception thrown by fn counts as a failure with its message.
template<typename R>
R retry(const std::function<R()>& fn, const RetryOptions& options,
        const std::function<void(std::int64_t)>& sleep = threadSleepMs,
        const std::function<double()>& uniform01 = systemUniform01)
{
    const int attempts = options.maxAttempts < 1 ? 1 : options.maxAttempts;
    for (int attempt = 1;; ++attempt) {
        R result = [&]() -> R {
            try {
                return fn();
            } catch (const std::exception& e) {
                return inference::Error{std::string("threw: ") + e.what()};
            } catch (...) {
                return inference::Error{"threw an unknown exception"};
            }
        }();
        if (result.ok() || attempt >= attempts)
            return result;
        sleep(fullJitterDelayMs(attempt, options, uniform01));
    }
}

} // namespace outpost::core::alarms
