#include "services/scheduling/scheduling_service.h"

namespace salesops::scheduling {

common::ServiceDefinition Definition() {
  return {"scheduling", common::WithSharedMigrations(Migrations()), RolePolicy()};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<SchedulingServiceImpl>(runtime));
  return services;
}

}  // namespace salesops::scheduling
