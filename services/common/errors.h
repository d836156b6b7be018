#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::common {

// The domain every ErrorInfo carries.
inline constexpr std::string_view kErrorDomain = "salesops";

// One bad field: `field` is the request path ("lines[2].product_code").
struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation&) const = default;
};

// Statuses the domain and stores return. They carry the stable reason (and,
// for bad input, the field violations) as absl::Status payloads, so they
// cross layers as plain values and become rich gRPC errors in one place.
absl::Status InvalidArgumentError(std::vector<FieldViolation> violations,
                                  v1::ErrorReason reason = v1::INVALID_REQUEST);
absl::Status ReasonedError(absl::StatusCode code, v1::ErrorReason reason, std::string_view message,
                           const std::map<std::string, std::string>& metadata = {});
// A business rule refused the request (FAILED_PRECONDITION).
absl::Status BusinessRefusal(v1::ErrorReason reason, std::string_view message,
                             const std::map<std::string, std::string>& metadata = {});

// Attaches a typed detail (e.g. a Feasibility listing shortages) that
// ToGrpcStatus carries into google.rpc.Status.details.
absl::Status WithDetail(absl::Status status, const google::protobuf::Message& detail);

// Converts to a grpc::Status whose binary details hold a google.rpc.Status with
// ErrorInfo (reason, domain "salesops") and BadRequest field violations.
grpc::Status ToGrpcStatus(const absl::Status& status);

// What a client reads back out of a salesops error.
struct ErrorDetails {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string reason;  // ErrorReason name, empty when absent
  std::map<std::string, std::string> metadata;
  std::vector<FieldViolation> violations;
  // Typed details besides those two (e.g. the Feasibility of a refused confirmation).
  std::vector<google::protobuf::Any> other_details;
};
ErrorDetails ParseGrpcError(const grpc::Status& status);

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
