#pragma once

#include <spdlog/spdlog.h>

#include <initializer_list>
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

// Renders the fields of one line (exposed for tests).
std::string FormatLogFields(bool json, std::string_view service, std::string_view event,
                            std::initializer_list<LogField> fields);

}  // namespace salesops::common
