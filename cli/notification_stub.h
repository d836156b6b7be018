#pragma once

// NotificationService's generated stub, for commands that call it through Session.
#include "cli/session.h"
#include "salesops/v1/notification.grpc.pb.h"

namespace salesops::cli {

template <>
struct EndpointOf<v1::NotificationService::Stub> {
  static constexpr Endpoint kValue = Endpoint::kNotification;
};

}  // namespace salesops::cli
