#pragma once

// The command line of a service binary. Only files that define options include this:
// CLI11 is header-only and emits its validators' code into every file that includes it.
#include <CLI/CLI.hpp>
#include <cctype>
#include <optional>
#include <string>

#include "services/common/config.h"

namespace salesops::common {

// Parses the command line and the SALESOPS_* environment. Services add their
// own options to `app()` before calling Parse.
class CommandLine {
 public:
  CommandLine(std::string program, std::string description);

  CLI::App& app() { return app_; }
  const ServerConfig& config() const { return config_; }

  // Returns an exit code when the program should stop now (after --help, or
  // on a bad flag, with the message printed), std::nullopt to go on.
  std::optional<int> Parse(int argc, const char* const* argv);

 private:
  CLI::App app_;
  ServerConfig config_;
  int check_interval_ms_ = 2000;
  int acquire_timeout_ms_ = 5000;
  int shutdown_grace_ms_ = 15000;
  int outbox_poll_interval_ms_ = 50;
  int outbox_retry_max_ms_ = 30000;
};

// Adds `--name` with the environment variable SALESOPS_NAME (dashes become
// underscores), so every option has both spellings by construction. Services
// add their own settings with it too.
template <typename T>
CLI::Option* AddSetting(CLI::App& app, const std::string& name, T& target,
                        const std::string& help) {
  std::string env = "SALESOPS_" + name;
  for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return app.add_option("--" + name, target, help)->envname(env)->capture_default_str();
}

}  // namespace salesops::common
