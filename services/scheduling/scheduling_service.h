#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/http_server.h"
#include "services/common/service_runtime.h"
#include "services/scheduling/crew_skills.h"
#include "services/scheduling/scheduling_definition.h"
#include "services/scheduling/scheduling_store.h"

namespace salesops::scheduling {

// How planning behaves; each is a flag, or a SALESOPS_* environment variable (AddOptions).
struct SchedulingOptions {
  // Nothing placed to start within this many hours from now is moved by re-optimisation.
  int freeze_hours = 24;
  // The background re-optimisation runs this often (0: only when RunAssignment asks)...
  int reoptimize_interval_seconds = 300;
  // ...and sooner, once this many plans, cancellations and changes have happened.
  int reoptimize_after_changes = 50;
  // It re-optimises open work due within this many days.
  int reoptimize_horizon_days = 14;
  // Crew calendar feeds (calendar_feed.h): where the HTTP endpoint listens ("": off), the URL
  // subscribers reach it at ("": http://<calendar_address>), and the file of the signing key.
  std::string calendar_address;
  std::string calendar_base_url;
  std::string calendar_key_file;
  // The offer worker (offer_rules.h) runs this often (0: never): expires unanswered offers,
  // withdraws those no longer needed, and asks the next freelancers. Declines wake it at once.
  int offer_interval_seconds = 10;
};

// Scheduling: crew and vehicles, jobs planned from orders by deadlines alone, commitments,
// prep plan. A confirmation places its job incrementally, around the work already placed
// (planner.h); the global solver (assignment.h) re-optimises in the background, never inside
// the freeze period and never past a commitment. The solver, the planner and job planning
// (job_plan.h) are pure libraries; handlers validate, call them through the store, and map
// the result.
class SchedulingServiceImpl final : public v1::SchedulingService::Service {
 public:
  SchedulingServiceImpl(common::ServiceRuntime& runtime, std::unique_ptr<SchedulingStore> store,
                        SchedulingOptions options = {});
  ~SchedulingServiceImpl() override;

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
  grpc::Status CreateSkill(grpc::ServerContext* context, const v1::CreateSkillRequest* request,
                           v1::CreateSkillResponse* response) override;
  grpc::Status UpdateSkill(grpc::ServerContext* context, const v1::UpdateSkillRequest* request,
                           v1::UpdateSkillResponse* response) override;
  grpc::Status GetSkill(grpc::ServerContext* context, const v1::GetSkillRequest* request,
                        v1::GetSkillResponse* response) override;
  grpc::Status ListSkills(grpc::ServerContext* context, const v1::ListSkillsRequest* request,
                          v1::ListSkillsResponse* response) override;
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
  grpc::Status GetCrewRules(grpc::ServerContext* context, const v1::GetCrewRulesRequest* request,
                            v1::GetCrewRulesResponse* response) override;
  grpc::Status UpdateCrewRules(grpc::ServerContext* context,
                               const v1::UpdateCrewRulesRequest* request,
                               v1::UpdateCrewRulesResponse* response) override;
  grpc::Status PlanJob(grpc::ServerContext* context, const v1::PlanJobRequest* request,
                       v1::PlanJobResponse* response) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::CancelJobResponse* response) override;
  grpc::Status PlanTransfer(grpc::ServerContext* context, const v1::PlanTransferRequest* request,
                            v1::PlanTransferResponse* response) override;
  grpc::Status RunAssignment(grpc::ServerContext* context, const v1::RunAssignmentRequest* request,
                             v1::RunAssignmentResponse* response) override;
  grpc::Status GetJobStatus(grpc::ServerContext* context, const v1::GetJobStatusRequest* request,
                            v1::GetJobStatusResponse* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;
  grpc::Status ListOffers(grpc::ServerContext* context, const v1::ListOffersRequest* request,
                          v1::ListOffersResponse* response) override;
  grpc::Status GetOffer(grpc::ServerContext* context, const v1::GetOfferRequest* request,
                        v1::GetOfferResponse* response) override;
  grpc::Status AcceptOffer(grpc::ServerContext* context, const v1::AcceptOfferRequest* request,
                           v1::AcceptOfferResponse* response) override;
  grpc::Status DeclineOffer(grpc::ServerContext* context, const v1::DeclineOfferRequest* request,
                            v1::DeclineOfferResponse* response) override;
  grpc::Status UpdateTaskState(grpc::ServerContext* context,
                               const v1::UpdateTaskStateRequest* request,
                               v1::UpdateTaskStateResponse* response) override;
  grpc::Status CheckCapacity(grpc::ServerContext* context, const v1::CheckCapacityRequest* request,
                             v1::CheckCapacityResponse* response) override;
  grpc::Status GetSchedule(grpc::ServerContext* context, const v1::GetScheduleRequest* request,
                           v1::GetScheduleResponse* response) override;
  grpc::Status GetPrepPlan(grpc::ServerContext* context, const v1::GetPrepPlanRequest* request,
                           v1::GetPrepPlanResponse* response) override;
  grpc::Status GetCalendarFeed(grpc::ServerContext* context,
                               const v1::GetCalendarFeedRequest* request,
                               v1::GetCalendarFeedResponse* response) override;
  grpc::Status ResetCalendarFeed(grpc::ServerContext* context,
                                 const v1::ResetCalendarFeedRequest* request,
                                 v1::ResetCalendarFeedResponse* response) override;
  // Timesheets (timesheets.cc).
  grpc::Status ReportHours(grpc::ServerContext* context, const v1::ReportHoursRequest* request,
                           v1::ReportHoursResponse* response) override;
  grpc::Status ConfirmHours(grpc::ServerContext* context, const v1::ConfirmHoursRequest* request,
                            v1::ConfirmHoursResponse* response) override;
  grpc::Status ApproveHours(grpc::ServerContext* context, const v1::ApproveHoursRequest* request,
                            v1::ApproveHoursResponse* response) override;
  grpc::Status ListTimesheets(grpc::ServerContext* context,
                              const v1::ListTimesheetsRequest* request,
                              v1::ListTimesheetsResponse* response) override;
  grpc::Status GetLabourReport(grpc::ServerContext* context,
                               const v1::GetLabourReportRequest* request,
                               v1::GetLabourReportResponse* response) override;
  grpc::Status GetPayrollExport(grpc::ServerContext* context,
                                const v1::GetPayrollExportRequest* request,
                                v1::GetPayrollExportResponse* response) override;
  // What people cost (labour_costs.cc).
  grpc::Status GetLabourCosts(grpc::ServerContext* context,
                              const v1::GetLabourCostsRequest* request,
                              v1::GetLabourCostsResponse* response) override;

 private:
  // The crew member a call acts on: `requested` for every role but CREW; for CREW, the caller's
  // own member when `requested` is empty or theirs, else PERMISSION_DENIED (ROLE_NOT_ALLOWED),
  // the same whether `requested` exists or not.
  absl::StatusOr<std::string> CrewMemberInScope(grpc::ServerContext& context,
                                                const std::string& requested);
  // Fills crew_members.person_id for members stored before it existed; logs what it could not.
  void BackfillCrewPersonIds();

  // Calendar feeds: reads the key and starts the endpoint when configured; stops it (once, from
  // shutdown or the destructor, whichever comes first).
  absl::Status StartCalendarEndpoint();
  void StopCalendarEndpoint();
  // The member whose feed a call is about (CREW: their own), or why not.
  absl::StatusOr<std::string> CalendarFeedMember(grpc::ServerContext& context,
                                                 const std::string& requested);
  std::string CalendarFeedUrl(const std::string& crew_member_id, int64_t generation) const;

  // The skills crew needs name, against the catalog as it is (CheckAgainstCatalog).
  absl::Status CheckSkillsKnown(const std::vector<SkillRef>& refs);

  // What one kind of plan (an order's job, a transfer's van run) decides on each fresh view.
  struct PlanRules {
    // The job is settled already: its answer, with nothing planned (nullopt: plan it), or why
    // it cannot be planned.
    std::function<absl::StatusOr<std::optional<v1::Job>>(const SchedulingStore::PlanningView&)>
        settled;
    // What a placement commits to (one per phase, the main one first), or why it is refused.
    std::function<absl::StatusOr<std::vector<PlannedCommitment>>(const std::vector<Task>&,
                                                                 const AssignmentResult&)>
        commitments;
  };
  // How PlaceAndSave ended: with the job found settled, or with the plan as saved.
  struct Placement {
    std::optional<v1::Job> settled;
    SchedulingStore::SavedPlan saved;
  };
  // Places `plan` around the work already placed, by the solver's rules, and saves it under
  // `key`. No lock is held while planning: it reads a snapshot, places the job around what is
  // there, then writes if its places are still free; if not, it plans again from a new view.
  absl::StatusOr<Placement> PlaceAndSave(const grpc::ServerContext& context, const RequestKey& key,
                                         SchedulingStore::JobPlan plan, const std::string& actor_id,
                                         const PlanRules& rules);
  // Moves work whose place is no longer valid (its person is away, inactive or unknown) around
  // `covered`, by the solver's rules and regardless of the freeze period: the time is gone.
  // `attempts`: how often to read again when the schedule changed under it.
  absl::StatusOr<v1::RunAssignmentResponse> Repair(Span covered, int attempts);
  // The global solver over open work due in `horizon`, under the rules of Reoptimize
  // (planner.h), with the freeze period; writes what improves unless `dry_run`.
  // Its answer is kept under `key` with the moves (an empty id for the background run).
  absl::StatusOr<v1::RunAssignmentResponse> Reoptimize(Span horizon, bool dry_run, int attempts,
                                                       const RequestKey& key);
  // Counts a change to the plan; enough of them wake the background re-optimisation.
  void NoteChange();
  void ReoptimizeInBackground();
  void StopBackground();
  // The offer worker: a round every offer_interval_seconds, or at once when woken.
  void OffersInBackground();
  void WakeOffers();
  void StopOffers();
  // The offer named, when the caller may answer it: CREW only their own (another's, or one that
  // does not exist, is the same PERMISSION_DENIED).
  absl::StatusOr<v1::CrewOffer> OfferInScope(grpc::ServerContext& context,
                                             const std::string& offer_id);

  common::ServiceRuntime& runtime_;
  std::unique_ptr<SchedulingStore> store_;
  SchedulingOptions options_;
  std::mutex background_mutex_;
  std::condition_variable background_wake_;
  int changes_since_run_ = 0;
  bool stopping_ = false;
  std::thread background_;
  std::mutex offers_mutex_;
  std::condition_variable offers_wake_;
  bool offers_woken_ = false;
  bool offers_stopping_ = false;
  std::thread offers_;
  // salesops_scheduling_tasks_at_risk, read from the store on each scrape.
  std::shared_ptr<prometheus::Collectable> tasks_at_risk_;
  // Calendar feeds: the key (empty: feeds are off) and the URL links start with, both fixed
  // once started; the server is guarded by calendar_mutex_ because shutdown stops it.
  std::string calendar_key_;
  std::string calendar_base_url_;
  std::mutex calendar_mutex_;
  std::unique_ptr<common::HttpServer> calendar_server_;
};

// The flags behind SchedulingOptions.
void AddOptions(CLI::App& app, SchedulingOptions& options);

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         SchedulingOptions options);

}  // namespace salesops::scheduling
