#pragma once

// InventoryService's generated stub, for commands that call it through Session.
#include "cli/session.h"
#include "salesops/v1/inventory.grpc.pb.h"

namespace salesops::cli {

template <>
struct EndpointOf<v1::InventoryService::Stub> {
  static constexpr Endpoint kValue = Endpoint::kInventory;
};

}  // namespace salesops::cli
