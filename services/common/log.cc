#include "services/common/log.h"

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

// Quotes a text value only when it needs it, so simple values stay greppable.
std::string QuoteIfNeeded(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string FormatLogFields(bool json, std::string_view service, std::string_view event,
                            std::initializer_list<LogField> fields) {
  if (json) {
    // The logger pattern supplies the opening brace, time and level.
    nlohmann::ordered_json object;
    object["service"] = service;
    object["event"] = event;
    for (const auto& [key, value] : fields) object[std::string(key)] = value;
    std::string body = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return body.substr(1);  // drop the leading '{'
  }
  std::string line = "service=" + QuoteIfNeeded(service) + " event=" + QuoteIfNeeded(event);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    line += QuoteIfNeeded(value);
  }
  return line;
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
