#pragma once

// What the bootstrap needs to run inventory: its name, role table, migrations and services.
// main.cc and the role table see only this, never the generated gRPC code or PostgreSQL.
#include <vector>

#include "services/common/migration.h"
#include "services/common/role_policy.h"
#include "services/common/service_definition.h"

namespace salesops::inventory {

// The gRPC service the role table guards (tests/vocabulary checks it against the generated
// code's own name).
inline constexpr char kServiceFullName[] = "salesops.v1.InventoryService";

// The service's migrations (services/inventory/migrations), compiled in.
const std::vector<common::Migration>& Migrations();

// Which roles may call each RPC (inventory_roles.cc).
common::RolePolicy RolePolicy();

// Everything the bootstrap needs to run this service, its services and flags included.
common::ServiceDefinition Definition();

}  // namespace salesops::inventory
