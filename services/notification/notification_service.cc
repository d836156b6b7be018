#include "services/notification/notification_service.h"

namespace salesops::notification {

common::ServiceDefinition Definition() {
  return {"notification", common::WithSharedMigrations(Migrations()), RolePolicy()};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<NotificationServiceImpl>(runtime));
  return services;
}

}  // namespace salesops::notification
