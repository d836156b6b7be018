#include "services/inventory/inventory_service.h"

namespace salesops::inventory {

common::ServiceDefinition Definition() {
  return {"inventory", common::WithSharedMigrations(Migrations()), RolePolicy()};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<InventoryServiceImpl>(runtime));
  return services;
}

}  // namespace salesops::inventory
