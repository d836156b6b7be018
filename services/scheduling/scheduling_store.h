#pragma once

#include <absl/status/statusor.h>
#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/scheduling.pb.h"
#include "services/common/sql_text.h"
#include "services/scheduling/assignment.h"
#include "services/scheduling/calendar_feed.h"
#include "services/scheduling/job_plan.h"
#include "services/scheduling/labour_cost.h"
#include "services/scheduling/planner.h"
#include "services/scheduling/timesheet_rules.h"

namespace salesops::scheduling {

template <typename T>
using Page = common::Page<T>;

// A mutation's AIP-155 request id, with the request it came with. Each mutating method takes
// one and keeps its answer in the transaction of its effect, so a crash cannot separate the
// two: a retry with the same id and body is answered the first answer without acting again, the
// same id with another body is REQUEST_ID_REUSED (INVALID_ARGUMENT on request_id), and an empty
// id acts every time. Only answers of calls that succeed are kept. A plain value rather than
// common::IdempotentRequest, so this interface stays free of PostgreSQL: how answers are kept
// is the store's business.
struct RequestKey {
  std::string method;  // "scheduling.CreateCrewMember"
  std::string request_id;
  const google::protobuf::Message* request = nullptr;  // outlives the call
};

// A mutation's answer, and whether it is an identical earlier request's (nothing was done now).
template <typename Response>
struct Answered {
  Response response;
  bool replayed = false;
};

// Everything scheduling keeps. One PostgreSQL implementation; all SQL lives there.
class SchedulingStore {
 public:
  virtual ~SchedulingStore() = default;

  // Crew and vehicles. Create refuses a taken id (ALREADY_EXISTS) and fills an
  // empty one; update needs the current etag when one is given (STALE_REVISION).
  virtual absl::StatusOr<v1::CreateCrewMemberResponse> CreateCrewMember(const RequestKey& key,
                                                                        v1::CrewMember member) = 0;
  // keep_hourly_cost: the stored hourly_cost stays, whatever `member` says (an update by OPS,
  // who never sees it).
  virtual absl::StatusOr<v1::UpdateCrewMemberResponse> UpdateCrewMember(
      const RequestKey& key, const v1::CrewMember& member, const std::string& etag,
      bool keep_hourly_cost) = 0;
  virtual absl::StatusOr<v1::CrewMember> GetCrewMember(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::CrewMember>> ListCrewMembers(
      const v1::ListCrewMembersRequest& filter, int limit, const std::string& after) = 0;
  virtual absl::StatusOr<v1::CreateVehicleResponse> CreateVehicle(const RequestKey& key,
                                                                  v1::Vehicle vehicle) = 0;
  virtual absl::StatusOr<v1::UpdateVehicleResponse> UpdateVehicle(const RequestKey& key,
                                                                  const v1::Vehicle& vehicle,
                                                                  const std::string& etag) = 0;
  virtual absl::StatusOr<v1::Vehicle> GetVehicle(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::Vehicle>> ListVehicles(const v1::ListVehiclesRequest& filter,
                                                         int limit, const std::string& after) = 0;

  // The skill catalog. Create refuses a taken code (ALREADY_EXISTS); update needs the current
  // etag when one is given (STALE_REVISION) and refuses, naming the field, to drop levels a crew
  // member holds or an open task asks for, or to require a certificate of a skill members hold
  // without one.
  virtual absl::StatusOr<v1::CreateSkillResponse> CreateSkill(const RequestKey& key,
                                                              const v1::SkillDefinition& skill) = 0;
  virtual absl::StatusOr<v1::UpdateSkillResponse> UpdateSkill(const RequestKey& key,
                                                              const v1::SkillDefinition& skill,
                                                              const std::string& etag) = 0;
  virtual absl::StatusOr<v1::SkillDefinition> GetSkill(const std::string& skill_code) = 0;
  virtual absl::StatusOr<Page<v1::SkillDefinition>> ListSkills(int limit,
                                                               const std::string& after) = 0;
  // The definitions of those of `codes` the catalog has (what a request names is checked so).
  virtual absl::StatusOr<std::map<std::string, v1::SkillDefinition>> SkillsNamed(
      const std::vector<std::string>& codes) = 0;

  // Time off and repairs. The answer kept for a new period lists no affected tasks yet: the
  // work it overlaps moves afterwards, in transactions of its own, and ReviseAnswer then adds
  // them (were that lost, a retry would answer the period alone; the background run moves the
  // work all the same).
  virtual absl::StatusOr<Answered<v1::AddUnavailabilityResponse>> AddUnavailability(
      const RequestKey& key, const v1::Unavailability& unavailability,
      const std::string& actor_id) = 0;
  virtual absl::StatusOr<Page<v1::Unavailability>> ListUnavailability(
      const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) = 0;
  // `may_delete` sees the period as stored, locked, after a replay is ruled out and before
  // anything is deleted: its refusal is the answer (CREW's own time off only, within CrewRules).
  virtual absl::StatusOr<v1::DeleteUnavailabilityResponse> DeleteUnavailability(
      const RequestKey& key, const std::string& id,
      const std::function<absl::Status(const v1::Unavailability&)>& may_delete) = 0;

  // For RPCs whose effect spans transactions or may write nothing (PlanJob, RunAssignment,
  // AddUnavailability's repair). EarlierAnswer: the answer an identical earlier request got,
  // nullopt when none (REQUEST_ID_REUSED for the id with another body); read before acting, to
  // save the work. RememberAnswer: keeps `response` as the answer to `key` and returns the answer
  // that stands (an identical request's that got in first, else `response`). ReviseAnswer:
  // replaces the kept answer once the rest of the effect is done.
  virtual absl::StatusOr<std::optional<std::string>> EarlierAnswer(const RequestKey& key) = 0;
  virtual absl::StatusOr<std::string> RememberAnswer(const RequestKey& key,
                                                     const google::protobuf::Message& response) = 0;
  virtual absl::Status ReviseAnswer(const RequestKey& key,
                                    const google::protobuf::Message& response) = 0;

  // What planning sees around a span: one read-only snapshot, taken without locks. Active crew
  // with their weekly shifts laid out over `covered` and their time off in it, active vehicles
  // with theirs, and the open work placed there, which new work goes around. The cost grows
  // with the span, not with the horizon or the number of jobs.
  struct PlanningView {
    Span covered;       // a placement ending after covered.end needs a wider view
    PlacedWork placed;  // every job's but `job_id`'s
    std::vector<CrewMember> crew;
    std::vector<Vehicle> vehicles;
    // The job named, as stored: a plan is idempotent per (order, revision), an older revision
    // is STALE_REVISION, and its started and done tasks stay where they are.
    bool job_exists = false;
    bool job_cancelled = false;
    int64_t job_revision = 0;
    std::map<std::string, Assignment> job_started_tasks;
    // Set when the job is a transfer's van run: what it was planned from (no request_id).
    std::optional<v1::PlanTransferRequest> job_transfer;
  };
  virtual absl::StatusOr<PlanningView> LoadPlanningView(Span covered,
                                                        const std::string& job_id) = 0;

  // Jobs. A plan is saved with its tasks where the planner put them, in one transaction that
  // first checks, under per-person-and-day locks, that nothing placed since the view overlaps
  // them (no global lock: plans on other days or for other people go in parallel). nullopt when
  // something does: plan again from a new view. A newer revision replaces the tasks and reports
  // the change; started and finished tasks keep their state. A plan whose request_id a
  // CancelJob undid is STEP_UNDONE (ABORTED) and writes nothing: checked after the job's lock,
  // which CancelJob takes too, so a cancel that overtakes a slow plan always wins.
  // A job with phases is saved whole in the same one transaction: every phase's tasks, and a
  // commitment per phase.
  // A transfer's van run is a job like an order's: `request` holds what a transfer has of a
  // PlanJobRequest (its id as order_id, revision 1, lines, window, request_id for the undo
  // fence; no venue or show) and `transfer` the transfer itself, without its request_id. Its
  // job is planned once: the same transfer again is answered the job as it is (cancelled or
  // not), another body for it is ALREADY_EXISTS, and an order and a transfer never share a job.
  // Its answer is kept as a PlanTransferResponse.
  struct JobPlan {
    v1::PlanJobRequest request;
    std::vector<Task> tasks;
    Minutes requested_by = 0;                  // the delivery (or arrival) deadline asked for
    std::vector<Minutes> phases_requested_by;  // the same per request.phases, in order
    std::optional<v1::PlanTransferRequest> transfer;
  };
  // The answer (the job as saved, and the change) is kept under `key` with the plan; an
  // identical earlier request's answer is returned instead, already_planned.
  struct SavedPlan {
    v1::PlanJobResponse response;
    bool already_planned = false;
  };
  // `commitments`: the main phase's first, then one per request.phases, in order.
  virtual absl::StatusOr<std::optional<SavedPlan>> SavePlacedJob(
      const RequestKey& key, const JobPlan& plan, const AssignmentResult& placed,
      const std::vector<PlannedCommitment>& commitments, const std::string& actor_id) = 0;
  // Cancels the order's job (at `order_revision`, unless 0) and answers it as cancelled.
  // With `undo_request_id` (a saga compensating its PlanJob) that request is first recorded as
  // undone, under the same job lock SavePlacedJob takes, so the plan is refused whether it
  // arrives or finishes later; finding no job to cancel is then no error: the answer is the job
  // as it is, or an empty Job when the order has none.
  struct JobCancellation {
    std::string order_id;
    int64_t order_revision = 0;
    std::string reason;
    std::string undo_request_id;
  };
  virtual absl::StatusOr<v1::CancelJobResponse> CancelJob(const RequestKey& key,
                                                          const JobCancellation& cancellation,
                                                          const std::string& actor_id) = 0;
  // STEP_UNDONE (ABORTED) when a CancelJob undid PlanJob `plan_request_id`; OK otherwise, also
  // for an empty id. SavePlacedJob checks the same inside its transaction: this early look
  // only saves the planning work.
  virtual absl::Status CheckPlanNotUndone(const std::string& plan_request_id) = 0;
  virtual absl::StatusOr<v1::Job> GetJob(const std::string& order_id) = 0;
  // Jobs by order id after `after`, filtered by state and order; tasks only when the filter
  // asks for them.
  virtual absl::StatusOr<Page<v1::Job>> ListJobs(const v1::ListJobsRequest& filter, int limit,
                                                 const std::string& after) = 0;

  // Open work for repair and re-optimisation: every open task whose window or placement
  // overlaps `covered`, with where it is now, and the view (crew, vehicles) around it.
  struct OpenWork {
    PlanningView view;                    // `placed` holds nothing: every task is in `tasks`
    std::vector<Task> tasks;              // started ones carry their placement as `started`
    std::vector<Assignment> current;      // where each is now (unplaced: no people)
    std::vector<int64_t> revisions;       // checked when moves are written
    std::vector<bool> placement_invalid;  // on someone now away, inactive or unknown
    std::map<std::string, Minutes> delivery_commitments;  // CommitmentKey -> committed delivery
  };
  virtual absl::StatusOr<OpenWork> LoadOpenWork(Span covered) = 0;

  // Writes moved tasks where `result` puts them, if none changed since `work` was read and no
  // other placed work or time off overlaps their new places (nullopt otherwise: read again).
  // Each move is a TASK_ASSIGNED event saying why; a delivery that now meets its request
  // improves the commitment; the run is reported as SCHEDULE_CHANGED. The answer is kept under
  // `key` (empty for the background run and repairs), or an identical earlier one returned.
  struct Moves {
    std::vector<int> moved;  // indices into work.tasks
    std::string reason;      // why these moved, for people
  };
  virtual absl::StatusOr<std::optional<v1::RunAssignmentResponse>> SaveMoves(
      const RequestKey& key, const OpenWork& work, const AssignmentResult& result,
      const Moves& moves, v1::AssignmentRun run) = 0;

  // Tasks placed on a crew member or vehicle (or anyone, when both are empty)
  // overlapping [from, to), with the unavailability in that range.
  virtual absl::StatusOr<v1::GetScheduleResponse> GetSchedule(const std::string& crew_member_id,
                                                              const std::string& vehicle_id,
                                                              Minutes from, Minutes to,
                                                              int limit) = 0;

  // One line per job whose prep must finish inside [from, to).
  struct PrepLine {
    std::string order_id;
    std::string phase_id;  // one line per phase of a job with phases
    std::string prep_task_id;
    int64_t order_revision = 0;
    v1::JobState job_state = v1::JOB_STATE_UNSPECIFIED;
    double win_probability = 1;
    Minutes prep_not_before = 0, prep_no_later_than = 0, prep_duration = 0;
    Minutes planned_start = -1;
    bool late = false;
    v1::TaskState prep_state = v1::TASK_STATE_UNSPECIFIED;
    Minutes load_out_by = 0;
    // Per warehouse person: work on them other than this prep, weighted by
    // the win probability of the job it belongs to.
    std::vector<std::vector<WeightedSpan>> warehouse_work;
  };
  virtual absl::StatusOr<std::vector<PrepLine>> ListPrepLines(Minutes from, Minutes to) = 0;

  // Open tasks of live jobs that are late or blocked, by reason (a blocked task counts as
  // TASK_BLOCKED whatever else it is): what GetJobStatus flags at risk, summed for the gauge.
  virtual absl::StatusOr<std::map<v1::AtRiskReason, int64_t>> CountTasksAtRisk() = 0;

  // Offers to freelancers (offer_rules.h). One round of the offer worker, each step durable on
  // its own: offers past their reply time expire; offers whose work no longer needs them are
  // withdrawn (the task done, cancelled, re-planned, or staffed in-house in time); then every
  // place of a task in-house crew cannot cover, without an offer waiting, is offered to the next
  // candidate. Tasks are taken with SKIP LOCKED, so replicas share the work; a task's offers, its
  // note and the events commit together.
  struct OfferRound {
    int expired = 0;
    int withdrawn = 0;
    int sent = 0;
  };
  virtual absl::StatusOr<OfferRound> RunOfferRound(Minutes now, int task_limit) = 0;
  virtual absl::StatusOr<v1::CrewOffer> GetOffer(const std::string& offer_id) = 0;
  virtual absl::StatusOr<Page<v1::CrewOffer>> ListOffers(const v1::ListOffersRequest& filter,
                                                         int limit, const std::string& after) = 0;
  // SENT -> ACCEPTED while its reply time has not passed and the freelancer is still free then
  // (FAILED_PRECONDITION otherwise); the task is covered, and kept where it is, once every place
  // is accepted. Anything but SENT is INVALID_STAGE_TRANSITION.
  virtual absl::StatusOr<v1::AcceptOfferResponse> AcceptOffer(const RequestKey& key,
                                                              const std::string& offer_id,
                                                              const std::string& actor_id,
                                                              Minutes now) = 0;
  virtual absl::StatusOr<v1::DeclineOfferResponse> DeclineOffer(const RequestKey& key,
                                                                const std::string& offer_id,
                                                                const std::string& reason,
                                                                const std::string& actor_id,
                                                                Minutes now) = 0;

  // Field progress: STARTED freezes the task where it is; BLOCKED needs a note. `may_update`
  // sees the task as stored, locked, after a replay is ruled out and before anything is written:
  // its refusal is the answer (CREW only on tasks they are assigned to).
  virtual absl::StatusOr<v1::UpdateTaskStateResponse> UpdateTaskState(
      const RequestKey& key, const v1::UpdateTaskStateRequest& request, const std::string& actor_id,
      const std::function<absl::Status(const v1::Task&)>& may_update) = 0;

  // Crew self-service (README "Crew self-service").
  // The crew member a CREW token acts as: the one whose person_id is the token's actor id.
  virtual absl::StatusOr<std::optional<v1::CrewMember>> CrewMemberOfPerson(
      const std::string& person_id) = 0;
  // What crew may do themselves, as ADMIN last set it (all unset at first).
  virtual absl::StatusOr<v1::CrewRules> GetCrewRules() = 0;
  // Replaces the rules; needs the current etag when one is given (STALE_REVISION).
  virtual absl::StatusOr<v1::UpdateCrewRulesResponse> UpdateCrewRules(const RequestKey& key,
                                                                      const v1::CrewRules& rules,
                                                                      const std::string& etag) = 0;
  // Members stored before crew_members.person_id existed (migration 0107) have their person id
  // only in the stored message: copies it into the column, once, so CREW tokens find them. A
  // person id two of them share goes to the first by crew_member_id; the answer lists the
  // others, left without (an UpdateCrewMember then asks for another id).
  virtual absl::StatusOr<std::vector<std::string>> BackfillCrewPersonIds() = 0;

  // Calendar feeds (calendar_feed.h): a member's feed URL is signed over their feed generation,
  // which is all that is stored of it. CalendarFeedGeneration: the current one (NOT_FOUND for
  // no such member). ResetCalendarFeed: the next one, kept as the answer to `key`, so every URL
  // made before stops working. LoadCalendarFeed: what the feed shows over [from, to), at most
  // `limit` assignments and `limit` periods of time off, earliest first; nullopt for no such
  // member. It reads without locks.
  virtual absl::StatusOr<int64_t> CalendarFeedGeneration(const std::string& crew_member_id) = 0;
  virtual absl::StatusOr<int64_t> ResetCalendarFeed(const RequestKey& key,
                                                    const std::string& crew_member_id) = 0;
  virtual absl::StatusOr<std::optional<CalendarFeedSource>> LoadCalendarFeed(
      const std::string& crew_member_id, Minutes from, Minutes to, int limit) = 0;

  // Timesheets (timesheet_rules.h; README "Timesheets"). Each mutation is one transaction under
  // `key`: after a replay is ruled out, its callback sees what is stored, locked, and its refusal
  // is the answer, with nothing written. No events.
  // ReportHours makes or replaces the one entry of (task, person), or of other work the one of
  // (person, start): REPORTED again, confirmation and approval cleared, a new etag. NOT_FOUND for
  // no such task or person. `may_report` sees the task (empty for other work) and the entry's
  // state (UNSPECIFIED: none yet). Then hours overlapping the person's others, when either is
  // other work, are refused (OverlappingHoursError).
  struct HoursReport {
    std::string task_id;  // empty for other work
    std::string crew_member_id;
    ReportedHours hours;
    std::string note;
    std::string actor_id;
    v1::OtherWork other_work = v1::OTHER_WORK_UNSPECIFIED;
  };
  virtual absl::StatusOr<v1::TimesheetEntry> ReportHours(
      const RequestKey& key, const HoursReport& report,
      const std::function<absl::Status(const TimesheetTask&, v1::TimesheetState)>& may_report) = 0;
  // ConfirmHours, ApproveHours: the entry moves to StateAfter(action), the actor kept as who
  // confirmed or approved (or sent it back, with the reason). NOT_FOUND for no such entry;
  // `may_decide` sees the entry and its task (empty for other work); then the etag, when given
  // (STALE_REVISION).
  struct HoursDecision {
    std::string entry_id;
    std::string etag;
    HoursAction action = HoursAction::kConfirm;
    std::string reason;
    std::string actor_id;
  };
  virtual absl::StatusOr<v1::TimesheetEntry> DecideHours(
      const RequestKey& key, const HoursDecision& decision,
      const std::function<absl::Status(const v1::TimesheetEntry&, const TimesheetTask&)>&
          may_decide) = 0;
  // The task as timesheets see it; nullopt for no such task.
  virtual absl::StatusOr<std::optional<TimesheetTask>> GetTimesheetTask(
      const std::string& task_id) = 0;
  // Entries by start time (then id), filtered as the request says.
  virtual absl::StatusOr<Page<v1::TimesheetEntry>> ListTimesheets(
      const v1::ListTimesheetsRequest& filter, int limit, const std::string& after) = 0;
  // What BuildLabourReport reads for `query` (its filters applied in SQL where they can be), and
  // what BuildPayrollCsv reads: the approved entries starting in [from, to). Without locks.
  struct LabourFacts {
    std::vector<PlannedPlace> planned;
    std::vector<WorkedEntry> worked;
    std::map<std::string, CrewContract> crew;
  };
  virtual absl::StatusOr<LabourFacts> LoadLabourFacts(const LabourQuery& query) = 0;
  virtual absl::StatusOr<LabourFacts> LoadApprovedHours(Minutes from, Minutes to) = 0;

  // What people cost (labour_cost.h; README "What people cost"): what CostOrder reads for each of
  // `order_ids` (at most 200) that has a job not cancelled: its tasks but the cancelled ones, in
  // the job's order, with their people and the offers waiting or accepted on them, and its
  // venues' travel; the crew members on them; the crew rules. One consistent snapshot, without
  // locks.
  struct LabourCostFacts {
    std::map<std::string, OrderPlan> plans;  // by order id; orders without a live job are absent
    std::map<std::string, v1::CrewMember> crew;
    v1::CrewRules rules;
  };
  virtual absl::StatusOr<LabourCostFacts> LoadLabourCostFacts(
      const std::vector<std::string>& order_ids) = 0;
};

}  // namespace salesops::scheduling
