#pragma once

#include "salesops/v1/notification.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/migrations.h"
#include "services/common/server.h"

namespace salesops::order_intake {

// Order-intake: quotes and orders, available-to-promise, the confirm saga, change orders,
// clarifications, history and pipeline forecast. The handlers come with issue #6; until then every
// RPC answers UNIMPLEMENTED (the generated base class), behind the shared auth, metrics, logging
// and health.
class OrderIntakeServiceImpl final : public v1::OrderIntakeService::Service {
 public:
  explicit OrderIntakeServiceImpl(common::ServiceRuntime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] common::ServiceRuntime& runtime_;
};

// Receives ops milestones (prep started/done, dispatched, returned) from
// notification. Not built yet: answers UNIMPLEMENTED (issue #6).
class EventSinkImpl final : public v1::EventSink::Service {
 public:
  explicit EventSinkImpl(common::ServiceRuntime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] common::ServiceRuntime& runtime_;
};

// The service's migrations (services/order_intake/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC.
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service.
common::ServiceDefinition Definition();

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::order_intake
