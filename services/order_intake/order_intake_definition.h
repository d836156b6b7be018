#pragma once

// What the bootstrap needs to run order-intake: its name, role table, migrations and services.
// main.cc and the role table see only this, never the generated gRPC code or PostgreSQL.
#include <vector>

#include "services/common/migration.h"
#include "services/common/role_policy.h"
#include "services/common/service_definition.h"

namespace salesops::order_intake {

// The gRPC service the role table guards (tests/vocabulary checks it against the generated
// code's own name).
inline constexpr char kServiceFullName[] = "salesops.v1.OrderIntakeService";
// The sink notification delivers ops milestones to, hosted by the same binary.
inline constexpr char kEventSinkFullName[] = "salesops.v1.EventSink";

// The service's migrations (services/order_intake/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC (order_intake_roles.cc).
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service, its services and flags included.
common::ServiceDefinition Definition();

}  // namespace salesops::order_intake
