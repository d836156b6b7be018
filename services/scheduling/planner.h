#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// Planning without re-solving the world. Pure functions over the solver (assignment.h): no
// database, deterministic for the same input.
//
// Work already placed is a fixed block on the people and vehicle it holds: the Assignment of
// another job's task (task_id, crew_ids, vehicle_id, start, finish).
using PlacedWork = std::vector<Assignment>;

// Places one job's tasks (predecessors among themselves) in the time the placed work leaves
// free, with the global solver's own rules: the earliest deadline first, the earliest start
// at which enough people with the skill (and a vehicle) are free together, inside shifts when
// that still meets the deadline, the least loaded of those free (load: the placed work given),
// every decision explained. Tasks marked `started` stay where they are. The result has one
// assignment per task of `tasks`, in order, and sums over them alone.
AssignmentResult PlaceAround(const std::vector<Task>& tasks, const PlacedWork& placed,
                             const std::vector<CrewMember>& crew,
                             const std::vector<Vehicle>& vehicles,
                             const TimeFormatter& format_time = {});

// Whether a task's finish is promised, and kept as its job's (or phase's) commitment: a
// delivery's arrival at the client, a transfer's arrival at the warehouse waiting for the stock.
bool FinishIsCommitted(v1::TaskKind kind);

// The key of a delivery's commitment in Reoptimize's `delivery_commitments`: the job id for
// the main phase, the job id and the phase id joined by a control character (which no id may
// hold) for a further phase, whose delivery keeps its own commitment.
std::string CommitmentKey(const std::string& job_id, const std::string& phase_id);

// The global solver, run again over open work that incremental planning placed one job at a
// time, under the rules a crew chief holds a planner to:
// - a task marked `started` (begun, or inside the freeze period) does not move;
// - no task that is on time becomes late, and no delivery (nor transfer: FinishIsCommitted)
//   finishes after the time committed (`delivery_commitments`: CommitmentKey -> latest finish of
//   that task). A job the global answer would do that to keeps its current placement, and the
//   rest is solved again around it;
// - the new placement is taken only when it is strictly better (fewer late tasks, then less
//   lateness, then less overtime): people are not moved for nothing.
struct Reoptimization {
  bool improved = false;
  AssignmentResult result;  // one assignment per task, in order (the current one if kept)
  std::vector<int> moved;   // tasks whose start, people or vehicle changed
  std::vector<std::string> kept_jobs;  // jobs held where they are to keep their commitments
  std::string reason;                  // "late tasks 3 -> 1, lateness 240 -> 30 min, ..."
};
Reoptimization Reoptimize(const std::vector<Task>& tasks, const std::vector<Assignment>& current,
                          const std::map<std::string, Minutes>& delivery_commitments,
                          const std::vector<CrewMember>& crew, const std::vector<Vehicle>& vehicles,
                          const TimeFormatter& format_time = {});

}  // namespace salesops::scheduling
