#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
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
absl::Status InvalidArgumentError(std::vector<FieldViolation> violations);
absl::Status ReasonedError(absl::StatusCode code, v1::ErrorReason reason, std::string_view message,
                           const std::map<std::string, std::string>& metadata = {});
// A business rule refused the request (FAILED_PRECONDITION).
absl::Status BusinessRefusal(v1::ErrorReason reason, std::string_view message,
                             const std::map<std::string, std::string>& metadata = {});

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
};
ErrorDetails ParseGrpcError(const grpc::Status& status);

// Early return for absl::Status-returning code, Envoy style.
#define SALESOPS_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status salesops_status_ = (expr);            \
    if (!salesops_status_.ok()) return salesops_status_; \
  } while (false)

}  // namespace salesops::common
