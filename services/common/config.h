#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace salesops::common {

// What every salesops server needs to start. Each field is a flag
// (`--listen-address`) and an environment variable (`SALESOPS_LISTEN_ADDRESS`);
// a flag wins over the environment, the environment over the default.
struct ServerConfig {
  std::string listen_address = "0.0.0.0:50051";
  std::string metrics_address = "0.0.0.0:9100";

  // libpq URL without a password, e.g. postgresql://inventory@db:5432/inventory.
  // The password comes from `database_password_file` (or libpq's own PGPASSFILE),
  // so that no credential ever sits in a URL, a flag listing or a log line.
  std::string database_url;
  std::string database_password_file;
  int database_pool_size = 8;
  std::chrono::milliseconds database_check_interval{2000};
  std::chrono::milliseconds database_acquire_timeout{5000};

  // Accepted bearer tokens, stored as SHA-256 hashes: one `<sha256-hex> <actor-id>
  // <role>` per line in the file; `tokens` holds the same lines separated by ';'.
  std::string tokens_file;
  std::string tokens;
  // This service's own bearer token, for calls it makes to other services.
  std::string service_token_file;

  // TLS switches on when a certificate and key are given; a CA makes the server
  // require and verify client certificates (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_file;

  int max_message_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds shutdown_grace{15000};

  // The outbox relay: where it publishes this service's events (notification's
  // host:port; empty keeps them in the outbox until one is configured), how
  // often it looks for new ones, and how long it waits at most between retries
  // while notification cannot be reached.
  std::string notification_address;
  std::chrono::milliseconds outbox_poll_interval{50};
  int outbox_batch_size = 200;
  std::chrono::milliseconds outbox_retry_max{30000};

  std::string log_level = "info";
  std::string log_format = "text";  // text (key=value) or json
};

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

// Reads a whole small file (secrets, tokens), trimming trailing whitespace.
std::optional<std::string> ReadSecretFile(const std::string& path);

}  // namespace salesops::common
