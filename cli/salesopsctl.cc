// salesopsctl: the salesops command line. For now it answers two needs for
// people and scripts alike: is each service up (`health`), and call any RPC
// with a JSON request (`call`, like grpcurl but with salesops' errors spelled
// out). The subcommands in the teams' own words arrive with issue #7.
//
// Exit codes: 0 ok, 2 bad input, 3 refused by a business rule, 4 unavailable,
// 1 anything else.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/notification.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/credentials.h"
#include "services/common/errors.h"
#include "services/common/generic_call.h"
#include "services/common/health_client.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitRefused = 3;
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

struct CallOptions {
  std::string method;  // InventoryService.CheckAvailability, or the full /pkg.Service/Method
  std::string request_json = "{}";
  std::string address = "127.0.0.1:50051";
  std::string token_file;
  int timeout_ms = 10000;
  salesops::common::TlsFiles tls;
};

const google::protobuf::MethodDescriptor* FindMethod(std::string name) {
  // Keep the generated descriptors linked in.
  const google::protobuf::FileDescriptor* files[] = {
      salesops::v1::GetItemRequest::descriptor()->file(),
      salesops::v1::GetCrewMemberRequest::descriptor()->file(),
      salesops::v1::PublishRequest::descriptor()->file(),
      salesops::v1::GetOrderRequest::descriptor()->file()};
  if (!name.empty() && name.front() == '/') name = name.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  for (const auto* file : files) {
    for (const std::string& candidate : {name, "salesops.v1." + name}) {
      if (const auto* method = file->pool()->FindMethodByName(candidate)) return method;
    }
  }
  return nullptr;
}

int ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitBadInput;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
      return kExitRefused;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnavailable;
    default:
      return kExitFailed;
  }
}

int RunCall(const CallOptions& options) {
  const google::protobuf::MethodDescriptor* method = FindMethod(options.method);
  if (method == nullptr) {
    std::cerr << "error: no RPC named " << options.method
              << " (e.g. InventoryService.CheckAvailability)\n";
    return kExitBadInput;
  }
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(method->input_type())->New());
  auto parsed = google::protobuf::util::JsonStringToMessage(options.request_json, request.get());
  if (!parsed.ok()) {
    std::cerr << "error: the request is not a valid " << method->input_type()->full_name() << ": "
              << parsed.message() << "\n";
    return kExitBadInput;
  }
  std::string token;
  if (!options.token_file.empty()) {
    std::optional<std::string> read = salesops::common::ReadSecretFile(options.token_file);
    if (!read) {
      std::cerr << "error: cannot read token file " << options.token_file << "\n";
      return kExitBadInput;
    }
    token = *read;
  } else if (const char* from_env = std::getenv("SALESOPS_TOKEN")) {
    token = from_env;
  }
  auto credentials = salesops::common::MakeChannelCredentials(options.tls);
  if (!credentials.ok()) {
    std::cerr << "error: " << credentials.status().message() << "\n";
    return kExitBadInput;
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(options.timeout_ms));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  std::string response_bytes;
  grpc::Status status =
      salesops::common::CallUnaryBytes(grpc::CreateChannel(options.address, *credentials), context,
                                       "/" + method->service()->full_name() + "/" + method->name(),
                                       request->SerializeAsString(), &response_bytes);
  if (!status.ok()) {
    salesops::common::ErrorDetails details = salesops::common::ParseGrpcError(status);
    std::cerr << "error: " << details.message;
    if (!details.reason.empty()) std::cerr << " [" << details.reason << "]";
    std::cerr << "\n";
    for (const auto& violation : details.violations) {
      std::cerr << "  " << violation.field << ": " << violation.description << "\n";
    }
    for (const auto& [key, value] : details.metadata) {
      std::cerr << "  " << key << " = " << value << "\n";
    }
    return ExitCodeFor(status.error_code());
  }
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(method->output_type())->New());
  response->ParseFromString(response_bytes);
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(*response, &json, print);
  std::cout << json;
  return kExitOk;
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

  CallOptions call;
  CLI::App* call_command = app.add_subcommand(
      "call", "Call any salesops RPC with a JSON request and print the JSON response");
  call_command->add_option("method", call.method, "e.g. InventoryService.CheckAvailability")
      ->required();
  call_command->add_option("request", call.request_json, "The request as JSON ('{}' if omitted)");
  call_command->add_option("--address", call.address, "host:port of the service")
      ->envname("SALESOPS_ADDRESS");
  call_command
      ->add_option("--token-file", call.token_file,
                   "File holding your bearer token (else $SALESOPS_TOKEN)")
      ->envname("SALESOPS_TOKEN_FILE");
  call_command->add_option("--timeout-ms", call.timeout_ms, "Deadline")
      ->check(CLI::Range(1, 600000));
  call_command->add_option("--tls-ca-file", call.tls.ca_file, "CA to verify the server (TLS)")
      ->envname("SALESOPS_TLS_CA_FILE");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  if (health_command->parsed()) return RunHealth(health);
  if (call_command->parsed()) return RunCall(call);
  return kExitBadInput;
}
