#include "services/common/command_line.h"

namespace salesops::common {

CommandLine::CommandLine(std::string program, std::string description)
    : app_(std::move(description), std::move(program)) {
  app_.set_help_flag("-h,--help", "Print this help and exit");
  app_.get_formatter()->column_width(44);
  ServerConfig& c = config_;
  AddSetting(app_, "listen-address", c.listen_address, "gRPC listen address (host:port)");
  AddSetting(app_, "metrics-address", c.metrics_address,
             "Prometheus /metrics listen address (host:port)");
  AddSetting(app_, "database-url", c.database_url,
             "PostgreSQL URL of this service's own database, without password")
      ->required();
  AddSetting(app_, "database-password-file", c.database_password_file,
             "File holding the database password");
  AddSetting(app_, "database-pool-size", c.database_pool_size, "Maximum database connections")
      ->check(CLI::Range(1, 256));
  AddSetting(app_, "database-check-interval-ms", check_interval_ms_,
             "How often health re-checks the database")
      ->check(CLI::Range(100, 600000));
  AddSetting(app_, "database-acquire-timeout-ms", acquire_timeout_ms_,
             "How long a call waits for a free database connection")
      ->check(CLI::Range(10, 600000));
  AddSetting(app_, "tokens-file", c.tokens_file,
             "Accepted tokens: lines of '<sha256-hex> <actor-id> <role>'");
  AddSetting(app_, "tokens", c.tokens, "Accepted tokens, same lines separated by ';'");
  AddSetting(app_, "service-token-file", c.service_token_file,
             "This service's own bearer token, for calls to other services");
  AddSetting(app_, "tls-cert-file", c.tls_cert_file, "Server certificate (PEM); enables TLS");
  AddSetting(app_, "tls-key-file", c.tls_key_file, "Server private key (PEM)");
  AddSetting(app_, "tls-ca-file", c.tls_ca_file,
             "CA bundle (PEM); when set, clients must present a certificate it signed");
  AddSetting(app_, "max-message-bytes", c.max_message_bytes, "Largest request or response")
      ->check(CLI::Range(1024, 64 * 1024 * 1024));
  AddSetting(app_, "max-threads", c.max_threads,
             "Threads serving calls at most; calls beyond them get RESOURCE_EXHAUSTED")
      ->check(CLI::Range(8, 10000));
  AddSetting(app_, "max-concurrent-streams", c.max_concurrent_streams,
             "Calls one client connection may have open at once")
      ->check(CLI::Range(1, 10000));
  AddSetting(app_, "shutdown-grace-ms", shutdown_grace_ms_,
             "How long in-flight calls may run after SIGTERM")
      ->check(CLI::Range(0, 600000));
  AddSetting(app_, "notification-address", c.notification_address,
             "Notification service (host:port) the outbox relay publishes events to; empty "
             "keeps events in the outbox");
  AddSetting(app_, "outbox-poll-interval-ms", outbox_poll_interval_ms_,
             "How often the outbox relay looks for new events when idle")
      ->check(CLI::Range(1, 60000));
  AddSetting(app_, "outbox-batch-size", c.outbox_batch_size, "Most events the relay claims at once")
      ->check(CLI::Range(1, 10000));
  AddSetting(app_, "outbox-retry-max-ms", outbox_retry_max_ms_,
             "Longest wait between relay retries while notification is unreachable")
      ->check(CLI::Range(10, 3600000));
  AddSetting(app_, "log-level", c.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  AddSetting(app_, "log-format", c.log_format, "text (key=value) or json")
      ->check(CLI::IsMember({"text", "json"}));
}

std::optional<int> CommandLine::Parse(int argc, const char* const* argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app_.exit(error);
  }
  config_.database_check_interval = std::chrono::milliseconds(check_interval_ms_);
  config_.database_acquire_timeout = std::chrono::milliseconds(acquire_timeout_ms_);
  config_.shutdown_grace = std::chrono::milliseconds(shutdown_grace_ms_);
  config_.outbox_poll_interval = std::chrono::milliseconds(outbox_poll_interval_ms_);
  config_.outbox_retry_max = std::chrono::milliseconds(outbox_retry_max_ms_);
  if (config_.tls_cert_file.empty() != config_.tls_key_file.empty()) {
    std::cerr << "--tls-cert-file and --tls-key-file go together\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace salesops::common
