#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

common::ServiceDefinition Definition() {
  return {"order-intake", common::WithSharedMigrations(Migrations()), RolePolicy()};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<OrderIntakeServiceImpl>(runtime));
  services.push_back(std::make_unique<EventSinkImpl>(runtime));
  return services;
}

}  // namespace salesops::order_intake
