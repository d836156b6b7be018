#pragma once

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/migrations.h"
#include "services/common/server.h"

namespace salesops::inventory {

// Inventory: the shared catalog, availability over time, holds and reservations, prep, check-out
// and check-in. The handlers come with issue #3; until then every RPC answers UNIMPLEMENTED (the
// generated base class), behind the shared auth, metrics, logging and health.
class InventoryServiceImpl final : public v1::InventoryService::Service {
 public:
  explicit InventoryServiceImpl(common::ServiceRuntime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] common::ServiceRuntime& runtime_;
};

// The service's migrations (services/inventory/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC.
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service.
common::ServiceDefinition Definition();

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::inventory
