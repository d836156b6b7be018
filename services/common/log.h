#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace salesops::common {

// One log line is one event: a name plus key/value fields, written either as
// `key=value` text or as one JSON object per line, so log shippers need no
// per-service parsing rules.
using LogField = std::pair<std::string_view, std::string>;

// Configures the process-wide logger. `format` is "text" or "json".
void InitLogging(std::string_view service, std::string_view level, std::string_view format);

void LogEvent(spdlog::level::level_enum level, std::string_view event,
              std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view event, std::initializer_list<LogField> fields = {}) {
  LogEvent(spdlog::level::info, event, fields);
}
inline void LogWarn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  LogEvent(spdlog::level::warn, event, fields);
}
inline void LogError(std::string_view event, std::initializer_list<LogField> fields = {}) {
  LogEvent(spdlog::level::err, event, fields);
}

// Lets through at most `burst` lines at once and `per_second` on average, and counts the rest,
// so a caller that floods a service with refused calls cannot flood its log (or its disk) too.
// Thread-safe.
class LogRateLimiter {
 public:
  LogRateLimiter(double per_second, double burst)
      : per_second_(per_second), burst_(burst), tokens_(burst) {}
  // True when a line may be written now. `suppressed` receives how many lines were dropped
  // since the last one let through, for that line to report.
  bool Allow(uint64_t* suppressed);

 private:
  std::mutex mutex_;
  const double per_second_;
  const double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
  uint64_t suppressed_ = 0;
};

// Renders the fields of one line (exposed for tests). Fields with empty values are left out.
std::string FormatLogFields(bool json, std::string_view service, std::string_view event,
                            std::initializer_list<LogField> fields);

}  // namespace salesops::common
