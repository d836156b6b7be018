#pragma once

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
  // The server's thread budget (calls beyond it get RESOURCE_EXHAUSTED rather than a new
  // thread each) and the HTTP/2 streams one connection may hold open at once.
  int max_threads = 200;
  int max_concurrent_streams = 100;
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

// Reads a whole small file (secrets, tokens), trimming trailing whitespace.
std::optional<std::string> ReadSecretFile(const std::string& path);

}  // namespace salesops::common
