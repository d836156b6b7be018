#include "services/scheduling/planner.h"

#include <absl/strings/str_cat.h>

#include <set>
#include <tuple>

namespace salesops::scheduling {
namespace {

// Placed work as tasks the solver keeps where they are, ahead of `tasks` (whose predecessor
// indices shift past them); solved together; the part that answers for `tasks` comes back.
AssignmentResult SolveAround(const std::vector<Task>& tasks, const PlacedWork& placed,
                             const std::vector<CrewMember>& crew,
                             const std::vector<Vehicle>& vehicles,
                             const TimeFormatter& format_time) {
  std::vector<Task> all;
  all.reserve(placed.size() + tasks.size());
  for (const Assignment& work : placed) {
    Task block;
    block.id = work.task_id;
    block.not_before = work.start;
    block.no_later_than = work.finish;
    block.duration = work.finish - work.start;
    block.started = Task::Fixed{work.start, work.crew_ids, work.vehicle_id};
    all.push_back(std::move(block));
  }
  const int offset = static_cast<int>(placed.size());
  for (Task task : tasks) {
    for (int& p : task.predecessors) p += offset;
    all.push_back(std::move(task));
  }
  AssignmentResult solved = AssignTasks(all, crew, vehicles, format_time);
  AssignmentResult result;
  result.assignments.assign(solved.assignments.begin() + offset, solved.assignments.end());
  for (const Assignment& out : result.assignments) {
    if (out.late) ++result.late_tasks;
    result.total_lateness += out.lateness;
    result.total_overtime += out.overtime;
  }
  result.workload = std::move(solved.workload);
  return result;
}

struct Quality {
  int late_tasks = 0;
  Minutes lateness = 0;
  Minutes overtime = 0;
  bool operator<(const Quality& other) const {
    return std::tie(late_tasks, lateness, overtime) <
           std::tie(other.late_tasks, other.lateness, other.overtime);
  }
};

Quality QualityOf(const std::vector<Assignment>& assignments) {
  Quality quality;
  for (const Assignment& out : assignments) {
    if (out.late) ++quality.late_tasks;
    quality.lateness += out.lateness;
    quality.overtime += out.overtime;
  }
  return quality;
}

bool SamePlace(const Assignment& a, const Assignment& b) {
  return a.start == b.start && a.crew_ids == b.crew_ids && a.vehicle_id == b.vehicle_id;
}

}  // namespace

bool FinishIsCommitted(v1::TaskKind kind) {
  return kind == v1::TASK_KIND_DELIVER || kind == v1::TASK_KIND_TRANSFER;
}

std::string CommitmentKey(const std::string& job_id, const std::string& phase_id) {
  return phase_id.empty() ? job_id : job_id + '\x1f' + phase_id;
}

AssignmentResult PlaceAround(const std::vector<Task>& tasks, const PlacedWork& placed,
                             const std::vector<CrewMember>& crew,
                             const std::vector<Vehicle>& vehicles,
                             const TimeFormatter& format_time) {
  return SolveAround(tasks, placed, crew, vehicles, format_time);
}

Reoptimization Reoptimize(const std::vector<Task>& tasks, const std::vector<Assignment>& current,
                          const std::map<std::string, Minutes>& delivery_commitments,
                          const std::vector<CrewMember>& crew, const std::vector<Vehicle>& vehicles,
                          const TimeFormatter& format_time) {
  Reoptimization outcome;
  outcome.result.assignments = current;
  std::vector<Task> working = tasks;
  std::set<std::string> kept;
  // Each round holds at least one more job in place, so this ends; the bound keeps a run short
  // when many jobs would have to be held (the answer is then to change nothing).
  constexpr int kMaxRounds = 20;
  for (int round = 0; round < kMaxRounds; ++round) {
    AssignmentResult solved = SolveAround(working, {}, crew, vehicles, format_time);
    // A task held in place answers with its current assignment (the solver only copies its
    // slot), so lateness compares like with like.
    for (size_t i = 0; i < working.size(); ++i) {
      if (working[i].started) solved.assignments[i] = current[i];
    }
    std::set<std::string> breaking;
    for (size_t i = 0; i < working.size(); ++i) {
      if (working[i].started) continue;
      const Assignment& before = current[i];
      const Assignment& after = solved.assignments[i];
      bool becomes_late = after.late && !before.late;
      bool breaks_commitment = false;
      if (FinishIsCommitted(working[i].kind)) {
        auto committed =
            delivery_commitments.find(CommitmentKey(working[i].job_id, working[i].phase_id));
        breaks_commitment = committed != delivery_commitments.end() &&
                            after.finish > committed->second && after.finish > before.finish;
      }
      if (becomes_late || breaks_commitment) breaking.insert(working[i].job_id);
    }
    if (breaking.empty()) {
      outcome.result = std::move(solved);
      break;
    }
    if (round + 1 == kMaxRounds) return outcome;  // nothing changes
    for (size_t i = 0; i < working.size(); ++i) {
      if (working[i].started || breaking.count(working[i].job_id) == 0) continue;
      working[i].started =
          Task::Fixed{current[i].start, current[i].crew_ids, current[i].vehicle_id};
    }
    kept.insert(breaking.begin(), breaking.end());
  }
  outcome.kept_jobs.assign(kept.begin(), kept.end());
  Quality before = QualityOf(current);
  Quality after = QualityOf(outcome.result.assignments);
  if (!(after < before)) {
    outcome.result.assignments = current;
    return outcome;
  }
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!SamePlace(current[i], outcome.result.assignments[i])) {
      outcome.moved.push_back(static_cast<int>(i));
    }
  }
  outcome.improved = !outcome.moved.empty();
  outcome.result.late_tasks = after.late_tasks;
  outcome.result.total_lateness = after.lateness;
  outcome.result.total_overtime = after.overtime;
  outcome.reason = absl::StrCat("late tasks ", before.late_tasks, " -> ", after.late_tasks,
                                ", lateness ", before.lateness, " -> ", after.lateness,
                                " min, overtime ", before.overtime, " -> ", after.overtime, " min");
  return outcome;
}

}  // namespace salesops::scheduling
