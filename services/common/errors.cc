#include "services/common/errors.h"

#include <google/protobuf/message.h>

#include "google/rpc/error_details.pb.h"

namespace salesops::common {
namespace {

constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";

std::string ReasonName(v1::ErrorReason reason) { return v1::ErrorReason_Name(reason); }

}  // namespace

absl::Status ReasonedError(absl::StatusCode code, v1::ErrorReason reason, std::string_view message,
                           const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, absl::string_view(message.data(), message.size()));
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonName(reason));
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status BusinessRefusal(v1::ErrorReason reason, std::string_view message,
                             const std::map<std::string, std::string>& metadata) {
  return ReasonedError(absl::StatusCode::kFailedPrecondition, reason, message, metadata);
}

absl::Status InvalidArgumentError(std::vector<FieldViolation> violations, v1::ErrorReason reason) {
  std::string message = "invalid request";
  if (!violations.empty()) {
    message = violations.front().field + ": " + violations.front().description;
    if (violations.size() > 1) {
      message += " (and " + std::to_string(violations.size() - 1) + " more)";
    }
  }
  absl::Status status = ReasonedError(absl::StatusCode::kInvalidArgument, reason, message);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& violation : violations) {
    auto* added = bad_request.add_field_violations();
    added->set_field(violation.field);
    added->set_description(violation.description);
  }
  status.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status WithDetail(absl::Status status, const google::protobuf::Message& detail) {
  status.SetPayload("type.googleapis.com/" + detail.GetDescriptor()->full_name(),
                    absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace salesops::common
