// Tools for people who run salesops: is each service up (health), and call
// any RPC with a JSON request (call: like grpcurl, with salesops' errors
// spelled out and the address picked from the service's name).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>

#include <CLI/CLI.hpp>

#include "cli/command_tree.h"
#include "cli/inventory_stub.h"
#include "cli/notification_stub.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"
#include "services/common/generic_call.h"
#include "services/common/health_client.h"

namespace salesops::cli {
namespace {

struct HealthOptions {
  std::vector<std::string> addresses;
  std::string service;
};

ExitCode Health(Session& session, const HealthOptions& options) {
  // Named addresses, or the four configured services.
  std::vector<std::pair<std::string, std::string>> targets;  // name, address
  for (const std::string& address : options.addresses) targets.emplace_back("", address);
  if (targets.empty()) {
    for (const EndpointInfo& info : Endpoints()) {
      targets.emplace_back(info.name, session.AddressOf(info.endpoint));
    }
  }
  ExitCode exit_code = kExitOk;
  nlohmann::json answers = nlohmann::json::array();
  Table table({"service", "address", "status"});
  for (const auto& [name, address] : targets) {
    auto channel = grpc::CreateChannel(address, session.credentials());
    absl::StatusOr<std::string> status = common::CheckHealth(
        channel, options.service, std::chrono::milliseconds(session.settings().timeout_ms));
    std::string shown =
        status.ok() ? *status : "UNREACHABLE (" + std::string(status.status().message()) + ")";
    if (!status.ok() || *status != "SERVING") exit_code = kExitUnavailable;
    answers.push_back({{"service", name}, {"address", address}, {"status", shown}});
    if (name.empty()) {
      if (!session.json()) std::cout << address << "  " << shown << "\n";
    } else {
      table.AddRow({name, address, shown});
    }
  }
  if (session.json()) {
    PrintJson(answers);
  } else if (!table.empty()) {
    table.Print();
  }
  return exit_code;
}

struct CallOptions {
  std::string method;  // InventoryService.CheckAvailability, or /salesops.v1.X/Method
  std::string request_json = "{}";
  std::string address;
};

const google::protobuf::MethodDescriptor* FindMethod(std::string name) {
  // Naming one message of each file keeps the generated descriptors linked in.
  const google::protobuf::FileDescriptor* files[] = {
      v1::GetItemRequest::descriptor()->file(), v1::GetCrewMemberRequest::descriptor()->file(),
      v1::PublishRequest::descriptor()->file(), v1::GetOrderRequest::descriptor()->file()};
  if (!name.empty() && name.front() == '/') name = name.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  for (const auto* file : files) {
    for (const std::string& candidate : {name, "salesops.v1." + name}) {
      if (const auto* method = file->pool()->FindMethodByName(candidate)) return method;
    }
  }
  return nullptr;
}

Endpoint EndpointForService(const std::string& service_name) {
  if (service_name == v1::SchedulingService::service_full_name()) return Endpoint::kScheduling;
  if (service_name == v1::NotificationService::service_full_name() ||
      service_name == v1::EventSink::service_full_name()) {
    return Endpoint::kNotification;
  }
  if (service_name == v1::OrderIntakeService::service_full_name()) return Endpoint::kOrderIntake;
  return Endpoint::kInventory;
}

ExitCode Call(Session& session, const CallOptions& options) {
  const google::protobuf::MethodDescriptor* method = FindMethod(options.method);
  if (method == nullptr) {
    return ReportBadInput("no RPC named " + options.method +
                          " (e.g. InventoryService.CheckAvailability)");
  }
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(method->input_type())->New());
  auto parsed = google::protobuf::util::JsonStringToMessage(options.request_json, request.get());
  if (!parsed.ok()) {
    return ReportBadInput("the request is not a valid " + method->input_type()->full_name() + ": " +
                          std::string(parsed.message()));
  }
  Endpoint endpoint = EndpointForService(method->service()->full_name());
  auto channel = options.address.empty()
                     ? session.ChannelTo(endpoint)
                     : grpc::CreateChannel(options.address, session.credentials());
  std::unique_ptr<grpc::ClientContext> context = session.NewContext();
  std::string response_bytes;
  grpc::Status status = common::CallUnaryBytes(
      channel, *context, "/" + method->service()->full_name() + "/" + method->name(),
      request->SerializeAsString(), &response_bytes);
  if (!status.ok()) return session.ReportError(status, endpoint);
  std::unique_ptr<google::protobuf::Message> response(
      factory.GetPrototype(method->output_type())->New());
  response->ParseFromString(response_bytes);
  // Always JSON: the request was JSON, and the answer of an arbitrary RPC has no table.
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(*response, &json, print);
  std::cout << json;
  return kExitOk;
}

}  // namespace

void AddToolCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<HealthOptions>();
    CLI::App* command = root.add_subcommand(
        "health",
        "Ask services whether they are serving (grpc.health.v1; no token needed); exit 4 when "
        "any is not");
    command
        ->add_option("addresses", options->addresses,
                     "host:port of each service, comma-separated (default: the four configured "
                     "services)")
        ->delimiter(',');
    command->add_option("--service", options->service,
                        "Fully qualified gRPC service to ask about (default: the server)");
    tree.OnRun(command, [options](Session& session) { return Health(session, *options); });
  }
  {
    auto options = MakeOptions<CallOptions>();
    CLI::App* command = root.add_subcommand(
        "call", "Call any salesops RPC with a JSON request and print the JSON response");
    command->add_option("method", options->method, "e.g. InventoryService.CheckAvailability")
        ->required();
    command->add_option("request", options->request_json, "The request as JSON ('{}' if omitted)");
    command->add_option("--address", options->address,
                        "host:port to call (default: the configured address of the RPC's service)");
    tree.OnRun(command, [options](Session& session) { return Call(session, *options); });
  }
}

}  // namespace salesops::cli
