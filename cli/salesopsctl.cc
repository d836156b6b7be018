// salesopsctl: the salesops command line. This first version answers one
// question for people and scripts alike: is each service up? (The sales and
// ops subcommands arrive with issue #7.)
//
// Exit codes: 0 ok, 2 bad input, 4 unavailable.
#include <grpcpp/create_channel.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "services/common/credentials.h"
#include "services/common/health_client.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;
constexpr int kExitUnavailable = 4;

struct HealthOptions {
  std::vector<std::string> addresses;
  std::string service;
  int timeout_ms = 3000;
  salesops::common::TlsFiles tls;
};

int RunHealth(const HealthOptions& options) {
  auto credentials = salesops::common::MakeChannelCredentials(options.tls);
  if (!credentials.ok()) {
    std::cerr << "error: " << credentials.status().message() << "\n";
    return kExitBadInput;
  }
  int exit_code = kExitOk;
  for (const std::string& address : options.addresses) {
    auto channel = grpc::CreateChannel(address, *credentials);
    absl::StatusOr<std::string> status = salesops::common::CheckHealth(
        channel, options.service, std::chrono::milliseconds(options.timeout_ms));
    std::string shown =
        status.ok() ? *status : "UNREACHABLE (" + std::string(status.status().message()) + ")";
    std::cout << address << "  " << shown << "\n";
    if (!status.ok() || *status != "SERVING") exit_code = kExitUnavailable;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("salesops command line", "salesopsctl");
  app.require_subcommand(1);

  HealthOptions health;
  CLI::App* health_command =
      app.add_subcommand("health", "Ask services whether they are serving (grpc.health.v1)");
  health_command->add_option("addresses", health.addresses, "host:port of each service")
      ->required()
      ->envname("SALESOPS_ADDRESSES")
      ->delimiter(',');
  health_command->add_option("--service", health.service,
                             "Fully qualified gRPC service to ask about (default: the server)");
  health_command->add_option("--timeout-ms", health.timeout_ms, "Per-check deadline")
      ->check(CLI::Range(1, 600000));
  health_command->add_option("--tls-ca-file", health.tls.ca_file, "CA to verify servers (TLS)")
      ->envname("SALESOPS_TLS_CA_FILE");
  health_command->add_option("--tls-cert-file", health.tls.cert_file, "Client certificate (mTLS)")
      ->envname("SALESOPS_TLS_CERT_FILE");
  health_command->add_option("--tls-key-file", health.tls.key_file, "Client key (mTLS)")
      ->envname("SALESOPS_TLS_KEY_FILE");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  if (health_command->parsed()) return RunHealth(health);
  return kExitBadInput;
}
