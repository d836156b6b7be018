#include "services/scheduling/scheduling_definition.h"

namespace salesops::scheduling {

// Who may call what. Deny by default: an RPC missing here is refused for
// every role, so a new RPC cannot ship open by accident.
common::RolePolicy RolePolicy() {
  common::RolePolicy policy(kServiceFullName);
  policy.Allow("CreateCrewMember", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("UpdateCrewMember", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      // CREW (one crew member) only ever their own: the handlers scope every CREW call to the
      // caller's member (CrewMemberInScope), so a CREW row here is never a wider door.
      .Allow("GetCrewMember",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("ListCrewMembers", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // The skill catalog is the company's: ADMIN shapes it, everyone reads it.
      .Allow("CreateSkill", {v1::ROLE_ADMIN})
      .Allow("UpdateSkill", {v1::ROLE_ADMIN})
      .Allow("GetSkill",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("ListSkills",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("CreateVehicle", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("UpdateVehicle", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetVehicle", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListVehicles", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("AddUnavailability", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("ListUnavailability",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("DeleteUnavailability", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("GetCrewRules",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("UpdateCrewRules", {v1::ROLE_ADMIN})
      // A crew member's secret calendar URL: theirs to get and reset, and ops' to hand out.
      .Allow("GetCalendarFeed", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("ResetCalendarFeed", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("PlanJob", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("CancelJob", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("PlanTransfer", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("RunAssignment", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CheckCapacity", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetPrepPlan", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetSchedule",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("GetJobStatus", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListJobs", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // Offers to freelancers: sales sees who was asked; a freelancer answers their own, and ops
      // may answer for them (a phone call).
      .Allow("ListOffers", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("GetOffer", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("AcceptOffer", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("DeclineOffer", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      .Allow("UpdateTaskState", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_CREW})
      // Timesheets: crew report their own hours (a crew chief confirms the others' on their
      // tasks), OPS approve; the labour report is ops', the payroll export ADMIN's.
      .Allow("ReportHours", {v1::ROLE_CREW, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ConfirmHours", {v1::ROLE_CREW, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ApproveHours", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ListTimesheets", {v1::ROLE_CREW, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetLabourReport", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetPayrollExport", {v1::ROLE_ADMIN})
      // What people cost is for ADMIN (the margin per order), and for order-intake, which
      // computes that margin and the forecast's labour cost.
      .Allow("GetLabourCosts", {v1::ROLE_ADMIN, v1::ROLE_SERVICE});
  return policy;
}

}  // namespace salesops::scheduling
