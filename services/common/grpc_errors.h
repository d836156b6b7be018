#pragma once

// The one place a salesops error becomes a gRPC status, and back: for handlers and clients.
#include <google/protobuf/any.pb.h>
#include <grpcpp/support/status.h>

#include <map>
#include <string>
#include <vector>

#include "services/common/errors.h"

namespace salesops::common {

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

}  // namespace salesops::common
