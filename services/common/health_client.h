#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include <chrono>
#include <memory>
#include <string>

namespace salesops::common {

// Calls grpc.health.v1.Health/Check and returns the status name ("SERVING",
// "NOT_SERVING", "SERVICE_UNKNOWN", "UNKNOWN"). Debian's grpc++ ships the
// health service but not its client stub, so the two tiny messages are
// encoded through protobuf's UnknownFieldSet rather than generated code.
absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service,
                                        std::chrono::milliseconds timeout);

}  // namespace salesops::common
