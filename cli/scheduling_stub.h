#pragma once

// SchedulingService's generated stub, for commands that call it through Session.
#include "cli/session.h"
#include "salesops/v1/scheduling.grpc.pb.h"

namespace salesops::cli {

template <>
struct EndpointOf<v1::SchedulingService::Stub> {
  static constexpr Endpoint kValue = Endpoint::kScheduling;
};

}  // namespace salesops::cli
