#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>
#include <vector>

#include "salesops/v1/scheduling.pb.h"
#include "services/common/sql_text.h"
#include "services/scheduling/assignment.h"
#include "services/scheduling/job_plan.h"

namespace salesops::scheduling {

template <typename T>
using Page = common::Page<T>;

// Everything scheduling keeps. One PostgreSQL implementation; all SQL lives there.
class SchedulingStore {
 public:
  virtual ~SchedulingStore() = default;

  // Crew and vehicles. Create refuses a taken id (ALREADY_EXISTS) and fills an
  // empty one; update needs the current etag when one is given (STALE_REVISION).
  virtual absl::StatusOr<v1::CrewMember> CreateCrewMember(v1::CrewMember member) = 0;
  virtual absl::StatusOr<v1::CrewMember> UpdateCrewMember(const v1::CrewMember& member,
                                                          const std::string& etag) = 0;
  virtual absl::StatusOr<v1::CrewMember> GetCrewMember(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::CrewMember>> ListCrewMembers(
      const v1::ListCrewMembersRequest& filter, int limit, const std::string& after) = 0;
  virtual absl::StatusOr<v1::Vehicle> CreateVehicle(v1::Vehicle vehicle) = 0;
  virtual absl::StatusOr<v1::Vehicle> UpdateVehicle(const v1::Vehicle& vehicle,
                                                    const std::string& etag) = 0;
  virtual absl::StatusOr<v1::Vehicle> GetVehicle(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::Vehicle>> ListVehicles(const v1::ListVehiclesRequest& filter,
                                                         int limit, const std::string& after) = 0;

  // Time off and repairs.
  virtual absl::StatusOr<v1::Unavailability> AddUnavailability(
      const v1::Unavailability& unavailability, const std::string& actor_id) = 0;
  virtual absl::StatusOr<Page<v1::Unavailability>> ListUnavailability(
      const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) = 0;
  virtual absl::Status DeleteUnavailability(const std::string& id) = 0;

  // Jobs. Saving a plan is idempotent per (order, revision); an older revision
  // is STALE_REVISION; a newer one replaces the tasks and reports the change.
  // Started and finished tasks keep their state across re-plans.
  struct JobPlan {
    v1::PlanJobRequest request;
    std::vector<Task> tasks;
    Minutes requested_by = 0;  // the delivery deadline asked for
  };
  struct SavedPlan {
    v1::JobChange change;
    bool already_planned = false;
  };
  virtual absl::StatusOr<SavedPlan> SaveJobPlan(const JobPlan& plan,
                                                const std::string& actor_id) = 0;
  virtual absl::Status CancelJob(const std::string& order_id, int64_t order_revision,
                                 const std::string& reason, const std::string& actor_id) = 0;
  virtual absl::StatusOr<v1::Job> GetJob(const std::string& order_id) = 0;

  // The global assignment, one run at a time across replicas (advisory lock):
  // loads every open task whose window overlaps the horizon, the active crew
  // (weekly shifts laid out over the horizon, unavailability) and vehicles,
  // asks `solve`, and, unless `dry_run`, writes placements, at-risk flags and
  // commitments, with events for what changed.
  using Solve = std::function<AssignmentResult(
      const std::vector<Task>&, const std::vector<CrewMember>&, const std::vector<Vehicle>&)>;
  virtual absl::StatusOr<v1::RunAssignmentResponse> RunAssignment(Minutes from, Minutes to,
                                                                  bool dry_run,
                                                                  const Solve& solve) = 0;

  // Tasks placed on a crew member or vehicle (or anyone, when both are empty)
  // overlapping [from, to), with the unavailability in that range.
  virtual absl::StatusOr<v1::GetScheduleResponse> GetSchedule(const std::string& crew_member_id,
                                                              const std::string& vehicle_id,
                                                              Minutes from, Minutes to,
                                                              int limit) = 0;

  // One line per job whose prep must finish inside [from, to).
  struct PrepLine {
    std::string order_id;
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

  // Field progress: STARTED freezes the task where it is; BLOCKED needs a note.
  virtual absl::StatusOr<v1::Task> UpdateTaskState(const v1::UpdateTaskStateRequest& request,
                                                   const std::string& actor_id) = 0;
};

}  // namespace salesops::scheduling
