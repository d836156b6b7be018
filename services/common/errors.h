#pragma once

// Errors as domain code and stores return them: absl::Status only, no gRPC. Handlers turn
// them into gRPC statuses with grpc_errors.h.
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace salesops::common {

// The type URLs of the two details every refusal may carry.
inline constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// The domain every ErrorInfo carries.
inline constexpr std::string_view kErrorDomain = "salesops";

// One bad field: `field` is the request path ("lines[2].product_code").
struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation&) const = default;
};

// How much of a bad request an INVALID_ARGUMENT answer describes (see InvalidArgumentError).
inline constexpr size_t kMaxReportedViolations = 20;
inline constexpr size_t kMaxViolationTextBytes = 300;

// `text` cut to at most `max_bytes` bytes at a UTF-8 character boundary, ending in "…" when cut.
std::string TruncateText(std::string_view text, size_t max_bytes);

// Statuses the domain and stores return. They carry the stable reason (and,
// for bad input, the field violations) as absl::Status payloads, so they
// cross layers as plain values and become rich gRPC errors in one place.
absl::Status InvalidArgumentError(std::vector<FieldViolation> violations,
                                  v1::ErrorReason reason = v1::INVALID_REQUEST);
// A request that names something that does not exist (yet): FAILED_PRECONDITION with `reason`
// and the same capped field violations, so callers see which field named it. It may work once
// the thing exists, so it is not INVALID_ARGUMENT.
absl::Status UnknownReferenceError(std::vector<FieldViolation> violations, v1::ErrorReason reason);

absl::Status ReasonedError(absl::StatusCode code, v1::ErrorReason reason, std::string_view message,
                           const std::map<std::string, std::string>& metadata = {});
// A business rule refused the request (FAILED_PRECONDITION).
absl::Status BusinessRefusal(v1::ErrorReason reason, std::string_view message,
                             const std::map<std::string, std::string>& metadata = {});

// Attaches a typed detail (e.g. a Feasibility listing shortages) that
// ToGrpcStatus (grpc_errors.h) carries into google.rpc.Status.details.
absl::Status WithDetail(absl::Status status, const google::protobuf::Message& detail);

// Early return for absl::Status-returning code, Envoy style.
#define SALESOPS_STATUS_CONCAT_INNER(a, b) a##b
#define SALESOPS_STATUS_CONCAT(a, b) SALESOPS_STATUS_CONCAT_INNER(a, b)

// `lhs = value of expr`, or return its error.
#define SALESOPS_ASSIGN_OR_RETURN(lhs, expr) \
  SALESOPS_ASSIGN_OR_RETURN_IMPL(SALESOPS_STATUS_CONCAT(salesops_statusor_, __LINE__), lhs, expr)
#define SALESOPS_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return statusor.status();             \
  lhs = std::move(*statusor)

#define SALESOPS_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status salesops_status_ = (expr);            \
    if (!salesops_status_.ok()) return salesops_status_; \
  } while (false)

}  // namespace salesops::common
