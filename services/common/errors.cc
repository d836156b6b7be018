#include "services/common/errors.h"

#include <google/protobuf/message.h>

#include "google/rpc/error_details.pb.h"

namespace salesops::common {
namespace {

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

namespace {

absl::Status FieldViolationError(absl::StatusCode code, std::vector<FieldViolation> violations,
                                 v1::ErrorReason reason) {
  // An answer stays small whatever the request: a 10,000-line request with every line wrong
  // gets the first kMaxReportedViolations and a count, not a megabyte of trailer.
  const size_t total = violations.size();
  if (violations.size() > kMaxReportedViolations) violations.resize(kMaxReportedViolations);
  for (FieldViolation& violation : violations) {
    violation.field = TruncateText(violation.field, kMaxViolationTextBytes);
    violation.description = TruncateText(violation.description, kMaxViolationTextBytes);
  }
  std::string message = "invalid request";
  if (!violations.empty()) {
    message = violations.front().field + ": " + violations.front().description;
    if (total > 1) {
      message += " (and " + std::to_string(total - 1) + " more";
      if (total > violations.size()) {
        message += "; the first " + std::to_string(violations.size()) + " are listed";
      }
      message += ")";
    }
  }
  absl::Status status = ReasonedError(code, reason, message);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& violation : violations) {
    auto* added = bad_request.add_field_violations();
    added->set_field(violation.field);
    added->set_description(violation.description);
  }
  status.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status InvalidArgumentError(std::vector<FieldViolation> violations, v1::ErrorReason reason) {
  return FieldViolationError(absl::StatusCode::kInvalidArgument, std::move(violations), reason);
}

absl::Status UnknownReferenceError(std::vector<FieldViolation> violations, v1::ErrorReason reason) {
  return FieldViolationError(absl::StatusCode::kFailedPrecondition, std::move(violations), reason);
}

std::string TruncateText(std::string_view text, size_t max_bytes) {
  static constexpr std::string_view kEllipsis = "…";
  if (text.size() <= max_bytes) return std::string(text);
  if (max_bytes < kEllipsis.size()) return "";
  size_t cut = max_bytes - kEllipsis.size();
  // Back up to a UTF-8 character boundary (never split a multi-byte character).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

absl::Status WithDetail(absl::Status status, const google::protobuf::Message& detail) {
  status.SetPayload("type.googleapis.com/" + detail.GetDescriptor()->full_name(),
                    absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace salesops::common
