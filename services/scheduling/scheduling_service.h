#pragma once

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/migrations.h"
#include "services/common/server.h"

namespace salesops::scheduling {

// Scheduling: crew and vehicles, jobs planned from orders, global assignment by deadlines,
// commitments, prep plan. The handlers come with issue #4; until then every RPC answers
// UNIMPLEMENTED (the generated base class), behind the shared auth, metrics,
// logging and health.
class SchedulingServiceImpl final : public v1::SchedulingService::Service {
 public:
  explicit SchedulingServiceImpl(common::ServiceRuntime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] common::ServiceRuntime& runtime_;
};

// The service's migrations (services/scheduling/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC.
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service.
common::ServiceDefinition Definition();

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::scheduling
