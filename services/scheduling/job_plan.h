#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// What PlanJob knows about an order, on the solver's minute axis.
// One job is one order; an order with phases (a rehearsal day and a show day, the stops of a
// tour) is one JobInput per phase, each with its own window, venue and work.
struct JobInput {
  std::string order_id;
  int64_t order_revision = 0;
  std::string phase_id;  // "" for the main phase
  using Need = SkillNeed;
  std::vector<Need> crew_needs;  // from the resolved product lines
  Minutes prep_duration = 0;     // warehouse time, all lines together
  Minutes delivery_not_before = 0;
  Minutes delivery_no_later_than = 0;
  bool pinned = false;  // an exact delivery time: a hard slot
  Minutes show_start = 0;
  Minutes show_end = 0;
  Minutes strike_no_later_than = 0;  // 0: six hours after the show
  Minutes travel = 0;                // one way, warehouse to venue
  Minutes now = 0;                   // nothing is planned before this
};

// How far ahead of the delivery prep may sensibly start.
inline constexpr Minutes kEarliestPrepAhead = 14 * 24 * 60;

// The job's tasks with their windows, skills, headcounts, durations and
// precedence: PREP -> LOAD_OUT -> DELIVER -> SETUP (one per skill) ->
// STRIKE (one per skill) -> RETURN. Deadlines are derived backwards from the
// delivery deadline and the show, so the windows are what decide urgency.
// Task ids are "<order>/<kind>[-<skill>]", stable across revisions, so a
// re-plan can report what changed; a further phase's add "@<phase>"
// ("ORDER-7/DELIVER@show-day"). Neither part after the last '/' holds a '/', so
// ids of different orders and phases never meet.
std::vector<Task> PlanJobTasks(const JobInput& job);

// What PlanTransfer knows about a van run between warehouses, on the solver's minute axis.
struct TransferInput {
  std::string transfer_id;
  Minutes depart_not_before = 0;     // the stock is ready to leave
  Minutes arrive_no_later_than = 0;  // it must have arrived
  Minutes transit = 0;               // the drive
  Minutes now = 0;                   // nothing is planned before this
};

// The one task of a transfer: a driver with a vehicle for the drive, leaving no earlier than
// the stock is ready and arriving by the deadline, which alone orders it among other work. Its
// id is "<transfer>/TRANSFER", so it never meets the tasks of an order.
Task PlanTransferTask(const TransferInput& transfer);

// A phase id: `[a-z0-9][a-z0-9-]{0,39}`. It lands in task ids, so it holds no '/' or '@'.
bool IsValidPhaseId(std::string_view phase_id);

// The tasks of a job with phases: each phase's own chain (PlanJobTasks), phase after phase in
// the order given, predecessors within the phase. A phase's gear is prepped for it: nothing
// links one phase's chain to another's, and their windows alone decide what goes first.
std::vector<Task> PlanPhasedJobTasks(const std::vector<JobInput>& phases);

// "We deliver no later than T": the requested time when the planned DELIVER
// task meets it, else its earliest feasible finish, with the reason.
struct PlannedCommitment {
  Minutes no_later_than = 0;
  bool meets_request = true;
  std::string explanation;
  std::string phase_id;  // whose delivery; "" for the main phase
};
PlannedCommitment CommitmentFor(const JobInput& job, const std::vector<Task>& tasks,
                                const AssignmentResult& result);
// One per phase, in `phases` order: each phase's commitment from its own DELIVER task.
std::vector<PlannedCommitment> CommitmentsFor(const std::vector<JobInput>& phases,
                                              const std::vector<Task>& tasks,
                                              const AssignmentResult& result);
// The same for one delivery: requested `arrive_by`, planned as `deliver`.
PlannedCommitment CommitmentForDelivery(Minutes arrive_by, const Assignment& deliver);

// Work already on a person: firm work blocks them; work of a tentative job
// (a quote) counts by its win probability, and blocks when more likely than not.
struct WeightedSpan {
  Span span;
  double weight = 1.0;
};

// The latest start, in [earliest, deadline - duration], at which at least
// one of the people is free for `duration` given the work already on them;
// nullopt when none is. This is the latest safe prep start: later, the
// load-out is missed with the crew actually available.
std::optional<Minutes> LatestSafeStart(Minutes earliest, Minutes deadline, Minutes duration,
                                       const std::vector<std::vector<WeightedSpan>>& people);

// What is known about one job's prep, and the advice the prep plan gives.
struct PrepFacts {
  Minutes not_before = 0;     // the earliest sensible start
  Minutes no_later_than = 0;  // prep must be done by then to make the load-out
  Minutes duration = 0;
  Minutes load_out_by = 0;
  bool planned_late = false;  // the assignment already flags the prep at risk
  bool started = false;       // started or done: no longer a question of when
  bool tentative = false;     // still a quote
  double win_probability = 1.0;
  std::vector<std::vector<WeightedSpan>> warehouse_work;  // per warehouse person
};
struct PrepAdvice {
  Minutes latest_safe_start = 0;
  bool late = false;
  std::string explanation;
};
PrepAdvice AdvisePrep(const PrepFacts& facts, Minutes now, const TimeFormatter& format_time);

// A crew member's weekly shifts laid out over [from, to) on the minute axis
// (minutes since the Unix epoch, UTC). No shifts: always available.
std::vector<Span> ExpandWeeklyShifts(const std::vector<std::tuple<int, Minutes, Minutes>>& weekly,
                                     Minutes from, Minutes to);

}  // namespace salesops::scheduling
