#include "services/scheduling/scheduling_definition.h"

namespace salesops::scheduling {

// Who may call what. Deny by default: an RPC missing here is refused for
// every role, so a new RPC cannot ship open by accident.
common::RolePolicy RolePolicy() {
  common::RolePolicy policy(kServiceFullName);
  policy.Allow("CreateCrewMember", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("UpdateCrewMember", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetCrewMember", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListCrewMembers", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("CreateVehicle", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("UpdateVehicle", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetVehicle", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListVehicles", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("AddUnavailability", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ListUnavailability", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteUnavailability", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("PlanJob", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("CancelJob", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("PlanTransfer", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("RunAssignment", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CheckCapacity", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetPrepPlan", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetSchedule", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetJobStatus", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListJobs", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("UpdateTaskState", {v1::ROLE_OPS, v1::ROLE_ADMIN});
  return policy;
}

}  // namespace salesops::scheduling
