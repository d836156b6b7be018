#pragma once

#include "salesops/v1/notification.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/migrations.h"
#include "services/common/server.h"

namespace salesops::notification {

// Notification: events in, subscriptions, inboxes, streams, webhooks and service deliveries out.
// The handlers come with issue #5; until then every RPC answers
// UNIMPLEMENTED (the generated base class), behind the shared auth, metrics,
// logging and health.
class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  explicit NotificationServiceImpl(common::ServiceRuntime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] common::ServiceRuntime& runtime_;
};

// The service's migrations (services/notification/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC.
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service.
common::ServiceDefinition Definition();

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::notification
