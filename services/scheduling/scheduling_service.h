#pragma once

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/service_runtime.h"
#include "services/scheduling/scheduling_definition.h"
#include "services/scheduling/scheduling_store.h"

namespace salesops::scheduling {

// Scheduling: crew and vehicles, jobs planned from orders, one global
// assignment by deadlines alone, commitments, prep plan. The solver
// (assignment.h) and job planning (job_plan.h) are pure libraries; handlers
// validate, call them through the store, and map the result.
class SchedulingServiceImpl final : public v1::SchedulingService::Service {
 public:
  SchedulingServiceImpl(common::ServiceRuntime& runtime, std::unique_ptr<SchedulingStore> store);

  grpc::Status CreateCrewMember(grpc::ServerContext* context,
                                const v1::CreateCrewMemberRequest* request,
                                v1::CreateCrewMemberResponse* response) override;
  grpc::Status UpdateCrewMember(grpc::ServerContext* context,
                                const v1::UpdateCrewMemberRequest* request,
                                v1::UpdateCrewMemberResponse* response) override;
  grpc::Status GetCrewMember(grpc::ServerContext* context, const v1::GetCrewMemberRequest* request,
                             v1::GetCrewMemberResponse* response) override;
  grpc::Status ListCrewMembers(grpc::ServerContext* context,
                               const v1::ListCrewMembersRequest* request,
                               v1::ListCrewMembersResponse* response) override;
  grpc::Status CreateVehicle(grpc::ServerContext* context, const v1::CreateVehicleRequest* request,
                             v1::CreateVehicleResponse* response) override;
  grpc::Status UpdateVehicle(grpc::ServerContext* context, const v1::UpdateVehicleRequest* request,
                             v1::UpdateVehicleResponse* response) override;
  grpc::Status GetVehicle(grpc::ServerContext* context, const v1::GetVehicleRequest* request,
                          v1::GetVehicleResponse* response) override;
  grpc::Status ListVehicles(grpc::ServerContext* context, const v1::ListVehiclesRequest* request,
                            v1::ListVehiclesResponse* response) override;
  grpc::Status AddUnavailability(grpc::ServerContext* context,
                                 const v1::AddUnavailabilityRequest* request,
                                 v1::AddUnavailabilityResponse* response) override;
  grpc::Status ListUnavailability(grpc::ServerContext* context,
                                  const v1::ListUnavailabilityRequest* request,
                                  v1::ListUnavailabilityResponse* response) override;
  grpc::Status DeleteUnavailability(grpc::ServerContext* context,
                                    const v1::DeleteUnavailabilityRequest* request,
                                    v1::DeleteUnavailabilityResponse* response) override;
  grpc::Status PlanJob(grpc::ServerContext* context, const v1::PlanJobRequest* request,
                       v1::PlanJobResponse* response) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::CancelJobResponse* response) override;
  grpc::Status RunAssignment(grpc::ServerContext* context, const v1::RunAssignmentRequest* request,
                             v1::RunAssignmentResponse* response) override;
  grpc::Status GetJobStatus(grpc::ServerContext* context, const v1::GetJobStatusRequest* request,
                            v1::GetJobStatusResponse* response) override;
  grpc::Status UpdateTaskState(grpc::ServerContext* context,
                               const v1::UpdateTaskStateRequest* request,
                               v1::UpdateTaskStateResponse* response) override;
  grpc::Status CheckCapacity(grpc::ServerContext* context, const v1::CheckCapacityRequest* request,
                             v1::CheckCapacityResponse* response) override;
  grpc::Status GetSchedule(grpc::ServerContext* context, const v1::GetScheduleRequest* request,
                           v1::GetScheduleResponse* response) override;
  grpc::Status GetPrepPlan(grpc::ServerContext* context, const v1::GetPrepPlanRequest* request,
                           v1::GetPrepPlanResponse* response) override;

 private:
  // Re-runs the global assignment over the default horizon (after any plan change).
  absl::StatusOr<v1::RunAssignmentResponse> Reassign(bool dry_run);

  common::ServiceRuntime& runtime_;
  std::unique_ptr<SchedulingStore> store_;
  // salesops_scheduling_tasks_at_risk, read from the store on each scrape.
  std::shared_ptr<prometheus::Collectable> tasks_at_risk_;
};

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::scheduling
