#pragma once

#include "services/common/db_pool.h"
#include "services/scheduling/scheduling_store.h"

namespace salesops::scheduling {

class PostgresSchedulingStore final : public SchedulingStore {
 public:
  explicit PostgresSchedulingStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<v1::CreateCrewMemberResponse> CreateCrewMember(const RequestKey& key,
                                                                v1::CrewMember member) override;
  absl::StatusOr<v1::UpdateCrewMemberResponse> UpdateCrewMember(const RequestKey& key,
                                                                const v1::CrewMember& member,
                                                                const std::string& etag,
                                                                bool keep_hourly_cost) override;
  absl::StatusOr<v1::CrewMember> GetCrewMember(const std::string& id) override;
  absl::StatusOr<OfferRound> RunOfferRound(Minutes now, int task_limit) override;
  absl::StatusOr<v1::CrewOffer> GetOffer(const std::string& offer_id) override;
  absl::StatusOr<Page<v1::CrewOffer>> ListOffers(const v1::ListOffersRequest& filter, int limit,
                                                 const std::string& after) override;
  absl::StatusOr<v1::AcceptOfferResponse> AcceptOffer(const RequestKey& key,
                                                      const std::string& offer_id,
                                                      const std::string& actor_id,
                                                      Minutes now) override;
  absl::StatusOr<v1::DeclineOfferResponse> DeclineOffer(const RequestKey& key,
                                                        const std::string& offer_id,
                                                        const std::string& reason,
                                                        const std::string& actor_id,
                                                        Minutes now) override;
  absl::StatusOr<v1::CreateSkillResponse> CreateSkill(const RequestKey& key,
                                                      const v1::SkillDefinition& skill) override;
  absl::StatusOr<v1::UpdateSkillResponse> UpdateSkill(const RequestKey& key,
                                                      const v1::SkillDefinition& skill,
                                                      const std::string& etag) override;
  absl::StatusOr<v1::SkillDefinition> GetSkill(const std::string& skill_code) override;
  absl::StatusOr<Page<v1::SkillDefinition>> ListSkills(int limit,
                                                       const std::string& after) override;
  absl::StatusOr<std::map<std::string, v1::SkillDefinition>> SkillsNamed(
      const std::vector<std::string>& codes) override;
  absl::StatusOr<Page<v1::CrewMember>> ListCrewMembers(const v1::ListCrewMembersRequest& filter,
                                                       int limit,
                                                       const std::string& after) override;
  absl::StatusOr<v1::CreateVehicleResponse> CreateVehicle(const RequestKey& key,
                                                          v1::Vehicle vehicle) override;
  absl::StatusOr<v1::UpdateVehicleResponse> UpdateVehicle(const RequestKey& key,
                                                          const v1::Vehicle& vehicle,
                                                          const std::string& etag) override;
  absl::StatusOr<v1::Vehicle> GetVehicle(const std::string& id) override;
  absl::StatusOr<Page<v1::Vehicle>> ListVehicles(const v1::ListVehiclesRequest& filter, int limit,
                                                 const std::string& after) override;
  absl::StatusOr<Answered<v1::AddUnavailabilityResponse>> AddUnavailability(
      const RequestKey& key, const v1::Unavailability& unavailability,
      const std::string& actor_id) override;
  absl::StatusOr<Page<v1::Unavailability>> ListUnavailability(
      const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) override;
  absl::StatusOr<v1::DeleteUnavailabilityResponse> DeleteUnavailability(
      const RequestKey& key, const std::string& id,
      const std::function<absl::Status(const v1::Unavailability&)>& may_delete) override;
  absl::StatusOr<std::optional<std::string>> EarlierAnswer(const RequestKey& key) override;
  absl::StatusOr<std::string> RememberAnswer(const RequestKey& key,
                                             const google::protobuf::Message& response) override;
  absl::Status ReviseAnswer(const RequestKey& key,
                            const google::protobuf::Message& response) override;
  absl::StatusOr<PlanningView> LoadPlanningView(Span covered, const std::string& job_id) override;
  absl::StatusOr<std::optional<SavedPlan>> SavePlacedJob(
      const RequestKey& key, const JobPlan& plan, const AssignmentResult& placed,
      const std::vector<PlannedCommitment>& commitments, const std::string& actor_id) override;
  absl::StatusOr<v1::CancelJobResponse> CancelJob(const RequestKey& key,
                                                  const JobCancellation& cancellation,
                                                  const std::string& actor_id) override;
  absl::Status CheckPlanNotUndone(const std::string& plan_request_id) override;
  absl::StatusOr<v1::Job> GetJob(const std::string& order_id) override;
  absl::StatusOr<Page<v1::Job>> ListJobs(const v1::ListJobsRequest& filter, int limit,
                                         const std::string& after) override;
  absl::StatusOr<std::map<v1::AtRiskReason, int64_t>> CountTasksAtRisk() override;
  absl::StatusOr<OpenWork> LoadOpenWork(Span covered) override;
  absl::StatusOr<std::optional<v1::RunAssignmentResponse>> SaveMoves(
      const RequestKey& key, const OpenWork& work, const AssignmentResult& result,
      const Moves& moves, v1::AssignmentRun run) override;
  absl::StatusOr<v1::GetScheduleResponse> GetSchedule(const std::string& crew_member_id,
                                                      const std::string& vehicle_id, Minutes from,
                                                      Minutes to, int limit) override;
  absl::StatusOr<std::vector<PrepLine>> ListPrepLines(Minutes from, Minutes to) override;
  absl::StatusOr<v1::UpdateTaskStateResponse> UpdateTaskState(
      const RequestKey& key, const v1::UpdateTaskStateRequest& request, const std::string& actor_id,
      const std::function<absl::Status(const v1::Task&)>& may_update) override;

  // Crew self-service.
  absl::StatusOr<std::optional<v1::CrewMember>> CrewMemberOfPerson(
      const std::string& person_id) override;
  absl::StatusOr<v1::CrewRules> GetCrewRules() override;
  absl::StatusOr<v1::UpdateCrewRulesResponse> UpdateCrewRules(const RequestKey& key,
                                                              const v1::CrewRules& rules,
                                                              const std::string& etag) override;
  absl::StatusOr<std::vector<std::string>> BackfillCrewPersonIds() override;

  absl::StatusOr<int64_t> CalendarFeedGeneration(const std::string& crew_member_id) override;
  absl::StatusOr<int64_t> ResetCalendarFeed(const RequestKey& key,
                                            const std::string& crew_member_id) override;
  absl::StatusOr<std::optional<CalendarFeedSource>> LoadCalendarFeed(
      const std::string& crew_member_id, Minutes from, Minutes to, int limit) override;

  // Timesheets: postgres_timesheet_store.cc.
  absl::StatusOr<v1::TimesheetEntry> ReportHours(
      const RequestKey& key, const HoursReport& report,
      const std::function<absl::Status(const TimesheetTask&, v1::TimesheetState)>& may_report)
      override;
  absl::StatusOr<v1::TimesheetEntry> DecideHours(
      const RequestKey& key, const HoursDecision& decision,
      const std::function<absl::Status(const v1::TimesheetEntry&, const TimesheetTask&)>&
          may_decide) override;
  absl::StatusOr<std::optional<TimesheetTask>> GetTimesheetTask(
      const std::string& task_id) override;
  absl::StatusOr<Page<v1::TimesheetEntry>> ListTimesheets(const v1::ListTimesheetsRequest& filter,
                                                          int limit,
                                                          const std::string& after) override;
  absl::StatusOr<LabourFacts> LoadLabourFacts(const LabourQuery& query) override;
  absl::StatusOr<LabourFacts> LoadApprovedHours(Minutes from, Minutes to) override;

  // What people cost: postgres_labour_cost_store.cc.
  absl::StatusOr<LabourCostFacts> LoadLabourCostFacts(
      const std::vector<std::string>& order_ids) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::scheduling
