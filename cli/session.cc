#include "cli/session.h"

#include <grpcpp/create_channel.h>

#include "cli/output.h"
#include "services/common/grpc_errors.h"

namespace salesops::cli {
namespace {

// The gRPC code in the words of the exit code table, so a person reading an
// error knows what kind of failure it is without looking it up.
std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid request";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out of range";
    case grpc::StatusCode::NOT_FOUND:
      return "not found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already exists";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "refused";
    case grpc::StatusCode::ABORTED:
      return "conflict";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "timed out";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "not authenticated";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "not allowed";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "overloaded";
    default:
      return "failed";
  }
}

}  // namespace

std::string Session::FlagOf(const std::string& field) const {
  std::string path = field;
  if (size_t dot = path.find('.'); dot != std::string::npos) path = path.substr(dot + 1);
  std::string without_indexes;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '[') {
      i = path.find(']', i);
      if (i == std::string::npos) break;
      continue;
    }
    without_indexes += path[i];
  }
  auto found = field_flags_.find(without_indexes);
  if (found == field_flags_.end()) found = field_flags_.find(field);
  return found == field_flags_.end() ? "" : found->second;
}

absl::StatusOr<std::unique_ptr<Session>> Session::Create(ClientSettings settings) {
  auto credentials = common::MakeChannelCredentials(settings.tls);
  if (!credentials.ok()) return credentials.status();
  return std::unique_ptr<Session>(new Session(std::move(settings), *credentials));
}

Session::Session(ClientSettings settings, std::shared_ptr<grpc::ChannelCredentials> credentials)
    : settings_(std::move(settings)), credentials_(std::move(credentials)) {}

std::shared_ptr<grpc::Channel> Session::ChannelTo(Endpoint endpoint) {
  auto found = channels_.find(endpoint);
  if (found != channels_.end()) return found->second;
  auto channel = grpc::CreateChannel(AddressOf(endpoint), credentials_);
  channels_[endpoint] = channel;
  return channel;
}

std::unique_ptr<grpc::ClientContext> Session::NewContext(bool streaming) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!streaming) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(settings_.timeout_ms));
  }
  if (!settings_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + settings_.token);
  }
  return context;
}

ExitCode Session::ReportError(const grpc::Status& status, Endpoint endpoint) const {
  common::ErrorDetails details = common::ParseGrpcError(status);
  const EndpointInfo& info = InfoOf(endpoint);
  std::cerr << "error: " << info.name << " " << CodeName(status.error_code()) << ": "
            << details.message;
  if (!details.reason.empty()) std::cerr << " (" << details.reason << ")";
  std::cerr << "\n";
  for (const common::FieldViolation& violation : details.violations) {
    std::string flag = FlagOf(violation.field);
    std::cerr << "  " << violation.field << (flag.empty() ? "" : " (" + flag + ")") << ": "
              << violation.description << "\n";
  }
  nlohmann::json typed_details = nlohmann::json::array();
  for (const google::protobuf::Any& any : details.other_details) {
    v1::Feasibility feasibility;
    if (any.UnpackTo(&feasibility)) {
      PrintFeasibility(feasibility, std::cerr, /*with_explanation=*/false);
      nlohmann::json detail = ToJson(feasibility);
      detail["@type"] = any.type_url();
      typed_details.push_back(detail);
    }
  }
  // The metadata (e.g. the short codes) says again what a typed detail showed as a table.
  if (typed_details.empty()) {
    for (const auto& [key, value] : details.metadata) {
      std::cerr << "  " << key << ": " << value << "\n";
    }
  }
  if (json()) {
    nlohmann::json violations = nlohmann::json::array();
    for (const common::FieldViolation& violation : details.violations) {
      violations.push_back({{"field", violation.field},
                            {"flag", FlagOf(violation.field)},
                            {"description", violation.description}});
    }
    PrintJson(nlohmann::json{{"error",
                              {{"service", info.name},
                               {"code", CodeName(status.error_code())},
                               {"grpcCode", static_cast<int>(status.error_code())},
                               {"message", details.message},
                               {"reason", details.reason},
                               {"fieldViolations", violations},
                               {"metadata", details.metadata},
                               {"details", typed_details},
                               {"exitCode", static_cast<int>(ExitCodeFor(status.error_code()))}}}});
  }
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      std::cerr << "hint: is " << info.name << " running at " << AddressOf(endpoint) << "? Set --"
                << info.setting << ", " << EnvNameOf(info.setting) << " or '" << info.setting
                << ":' in the config file.\n";
      break;
    case grpc::StatusCode::UNAUTHENTICATED:
      std::cerr << "hint: "
                << (settings_.token.empty()
                        ? "no token was sent; give one with --token-file or SALESOPS_TOKEN_FILE"
                        : "the " + settings_.token_origin + " holds a token " + info.name +
                              " does not accept")
                << ".\n";
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
      std::cerr << "hint: the role of the token in " << settings_.token_origin
                << " may not do this; use a token of a role that may.\n";
      break;
    default:
      break;
  }
  return ExitCodeFor(status.error_code());
}

ExitCode ReportBadInput(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kExitBadInput;
}

}  // namespace salesops::cli
