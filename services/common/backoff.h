#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace salesops::common {

// How long to wait before retry number `attempt` (1 for the first retry):
// base * 2^(attempt-1), capped at `max`, then a random point in its upper
// half ("equal jitter"), so that many clients that failed together do not
// come back together, yet none retries much sooner than the schedule says.
inline std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                              std::chrono::milliseconds max,
                                              std::mt19937_64& random) {
  const int doublings = std::clamp(attempt - 1, 0, 40);
  const double full =
      std::min(static_cast<double>(base.count()) * static_cast<double>(1LL << doublings),
               static_cast<double>(max.count()));
  std::uniform_real_distribution<double> upper_half(full / 2, full);
  return std::chrono::milliseconds(static_cast<long long>(upper_half(random)));
}

}  // namespace salesops::common
