#include "services/scheduling/capacity.h"

#include <algorithm>
#include <map>

namespace salesops::scheduling {

CapacityProbe ProbeCapacity(const std::vector<Task>& planned, const std::vector<CrewMember>& crew,
                            const std::vector<Vehicle>& vehicles, const CapacityAsk& ask,
                            const TimeFormatter& format_time) {
  std::vector<Task> tasks;
  std::map<int, int> kept;  // index in `planned` -> index in `tasks`
  for (size_t i = 0; i < planned.size(); ++i) {
    if (!ask.exclude_job_id.empty() && planned[i].job_id == ask.exclude_job_id) continue;
    kept[static_cast<int>(i)] = static_cast<int>(tasks.size());
    tasks.push_back(planned[i]);
  }
  for (Task& task : tasks) {
    std::vector<int> predecessors;
    for (int p : task.predecessors) {
      if (kept.count(p) > 0) predecessors.push_back(kept[p]);
    }
    task.predecessors = std::move(predecessors);
  }
  AssignmentResult baseline = AssignTasks(tasks, crew, vehicles, format_time);

  const size_t first_probe = tasks.size();
  for (size_t i = 0; i < ask.needs.size(); ++i) {
    Task probe;
    probe.id = "probe/" + std::to_string(i);
    probe.skill = ask.needs[i].skill;
    probe.duration = std::max<Minutes>(1, ask.needs[i].duration);
    probe.headcount = ask.needs[i].headcount;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    tasks.push_back(probe);
  }
  for (int v = 0; v < ask.vehicle_count; ++v) {
    Task probe;
    probe.id = "probe/vehicle-" + std::to_string(v);
    probe.skill = v1::SKILL_DRIVER;
    probe.duration = std::min<Minutes>(ask.window.end - ask.window.start, 60);
    probe.needs_vehicle = true;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    tasks.push_back(probe);
  }

  CapacityProbe outcome;
  outcome.with_probe = AssignTasks(tasks, crew, vehicles, format_time);
  int late_planned = 0;
  for (size_t i = 0; i < first_probe; ++i) {
    if (outcome.with_probe.assignments[i].late) ++late_planned;
  }
  outcome.displaced = std::max(0, late_planned - baseline.late_tasks);
  for (size_t i = first_probe; i < tasks.size(); ++i) {
    outcome.probe_tasks.push_back(tasks[i]);
    outcome.probes.push_back(outcome.with_probe.assignments[i]);
    if (outcome.with_probe.assignments[i].late) outcome.fits = false;
  }
  if (outcome.displaced > 0) outcome.fits = false;
  // The caller reads the result task by task against `planned`: put each kept task's
  // assignment back at its place there, an excluded task's (left unplaced) too, and drop the
  // probes (they are in `probes`).
  std::vector<Assignment> aligned(planned.size());
  for (size_t i = 0; i < planned.size(); ++i) {
    auto found = kept.find(static_cast<int>(i));
    if (found != kept.end()) {
      aligned[i] = outcome.with_probe.assignments[found->second];
    } else {
      aligned[i].task_id = planned[i].id;
      aligned[i].explanation = "left out: the job being re-checked";
    }
  }
  outcome.with_probe.assignments = std::move(aligned);
  return outcome;
}

}  // namespace salesops::scheduling
