#pragma once

// OrderIntakeService's generated stub, for commands that call it through Session.
#include "cli/session.h"
#include "salesops/v1/order_intake.grpc.pb.h"

namespace salesops::cli {

template <>
struct EndpointOf<v1::OrderIntakeService::Stub> {
  static constexpr Endpoint kValue = Endpoint::kOrderIntake;
};

}  // namespace salesops::cli
