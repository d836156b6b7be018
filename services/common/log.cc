#include "services/common/log.h"

#include <absl/strings/str_format.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <nlohmann/json.hpp>

namespace salesops::common {
namespace {

struct LogSettings {
  std::mutex mutex;
  std::string service = "salesops";
  bool json = false;
};

LogSettings& Settings() {
  static LogSettings* settings = new LogSettings();
  return *settings;
}

// Longest value one field may put on a line: a caller's 100 kB string must not become a 100 kB
// log line.
constexpr size_t kMaxLogValueBytes = 2048;

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Quotes a text value only when it needs it, so simple values stay greppable. Control characters
// are escaped, so no value (a caller's string included) can forge a line or a terminal sequence.
std::string QuoteIfNeeded(std::string_view value) {
  bool truncated = value.size() > kMaxLogValueBytes;
  if (truncated) value = value.substr(0, kMaxLogValueBytes);
  bool plain = !value.empty() && !truncated;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || IsControl(c)) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (IsControl(c)) {
      quoted += absl::StrFormat("\\x%02x", static_cast<unsigned char>(c));
    } else {
      quoted += c;
    }
  }
  return quoted + (truncated ? "…\"" : "\"");
}

}  // namespace

std::string FormatLogFields(bool json, std::string_view service, std::string_view event,
                            std::initializer_list<LogField> fields) {
  if (json) {
    // The logger pattern supplies the opening brace, time and level.
    nlohmann::ordered_json object;
    object["service"] = service;
    object["event"] = event;
    for (const auto& [key, value] : fields) {
      if (value.empty()) continue;
      object[std::string(key)] =
          value.size() > kMaxLogValueBytes ? value.substr(0, kMaxLogValueBytes) + "…" : value;
    }
    std::string body = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return body.substr(1);  // drop the leading '{'
  }
  std::string line = "service=" + QuoteIfNeeded(service) + " event=" + QuoteIfNeeded(event);
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;  // an empty field says nothing
    line += ' ';
    line += key;
    line += '=';
    line += QuoteIfNeeded(value);
  }
  return line;
}

bool LogRateLimiter::Allow(uint64_t* suppressed) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  tokens_ = std::min(
      burst_, tokens_ + std::chrono::duration<double>(now - refilled_).count() * per_second_);
  refilled_ = now;
  if (tokens_ < 1) {
    ++suppressed_;
    return false;
  }
  tokens_ -= 1;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

void InitLogging(std::string_view service, std::string_view level, std::string_view format) {
  LogSettings& settings = Settings();
  std::lock_guard<std::mutex> lock(settings.mutex);
  settings.service = std::string(service);
  settings.json = format == "json";
  auto logger = spdlog::stderr_logger_mt("salesops-" + std::string(service));
  logger->set_pattern(settings.json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v)"
                                    : "ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void LogEvent(spdlog::level::level_enum level, std::string_view event,
              std::initializer_list<LogField> fields) {
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  LogSettings& settings = Settings();
  std::string line = FormatLogFields(settings.json, settings.service, event, fields);
  spdlog::default_logger_raw()->log(level, "{}", line);
}

}  // namespace salesops::common
