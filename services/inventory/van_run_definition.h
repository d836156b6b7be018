#pragma once

// Inventory's definition with the van-run dispatcher wired in (van_runs.h): its flags
// (--scheduling-address, --van-run-interval-ms) and the worker that starts once the schema is
// current and stops with the server. Light on purpose, like inventory_definition.h: main.cc
// sees neither gRPC stubs nor PostgreSQL.
#include "services/common/service_definition.h"

namespace salesops::inventory {

// `definition` (inventory's own, services and flags) plus the van-run dispatcher.
common::ServiceDefinition WithVanRuns(common::ServiceDefinition definition);

}  // namespace salesops::inventory
