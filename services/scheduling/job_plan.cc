#include "services/scheduling/job_plan.h"

#include <algorithm>
#include <map>

namespace salesops::scheduling {
namespace {
// "VIDEO", or "GRANDMA3-L2" for a need of level 2 or above: the part of a setup or strike
// task's id that names its crew, the same across revisions.
std::string SkillSuffix(const std::string& skill, int min_level) {
  return min_level > 1 ? skill + "-L" + std::to_string(min_level) : skill;
}

Task NewTask(const JobInput& job, v1::TaskKind kind, const std::string& suffix) {
  Task task;
  std::string kind_name = v1::TaskKind_Name(kind).substr(std::string("TASK_KIND_").size());
  task.id = job.order_id + "/" + kind_name + (suffix.empty() ? "" : "-" + suffix) +
            (job.phase_id.empty() ? "" : "@" + job.phase_id);
  task.job_id = job.order_id;
  task.phase_id = job.phase_id;
  task.kind = kind;
  return task;
}

}  // namespace

std::vector<Task> PlanJobTasks(const JobInput& job) {
  std::vector<Task> tasks;
  const Minutes arrive_by = job.delivery_no_later_than;
  const Minutes leave_by = arrive_by - job.travel;
  // Loading takes a quarter of prep time, at least half an hour, two people.
  const Minutes load_duration = std::max<Minutes>(30, job.prep_duration / 4);
  const Minutes prep_by = leave_by - load_duration;
  const Minutes earliest_prep = std::max(job.now, arrive_by - kEarliestPrepAhead);

  Task prep = NewTask(job, v1::TASK_KIND_PREP, "");
  prep.skill = kWarehouseSkill;
  prep.duration = std::max<Minutes>(15, job.prep_duration);
  prep.headcount = 1;
  prep.not_before = earliest_prep;
  prep.no_later_than = prep_by;
  tasks.push_back(prep);

  Task load = NewTask(job, v1::TASK_KIND_LOAD_OUT, "");
  load.skill = kWarehouseSkill;
  load.duration = load_duration;
  load.headcount = 2;
  load.not_before = earliest_prep;
  load.no_later_than = leave_by;
  load.predecessors = {0};
  tasks.push_back(load);

  Task deliver = NewTask(job, v1::TASK_KIND_DELIVER, "");
  deliver.skill = kDriverSkill;
  deliver.duration = std::max<Minutes>(15, job.travel);
  deliver.headcount = 1;
  deliver.needs_vehicle = true;
  deliver.no_later_than = arrive_by;
  if (job.pinned) {
    // Exactly on time: leave exactly one travel time before.
    deliver.pinned = true;
    deliver.not_before = arrive_by - deliver.duration;
  } else {
    deliver.not_before = std::max(earliest_prep, job.delivery_not_before - deliver.duration);
  }
  deliver.predecessors = {1};
  tasks.push_back(deliver);
  const int deliver_index = 2;

  // One setup and one strike task per skill (and level asked for); durations per person.
  std::map<std::pair<std::string, int>, std::pair<Minutes, int>> by_skill;  // longest, most
  for (const JobInput::Need& need : job.crew_needs) {
    auto& entry = by_skill[{need.skill, std::max(need.min_level, 1)}];
    entry.first = std::max(entry.first, need.duration);
    entry.second = std::max(entry.second, need.headcount);
  }
  const Minutes strike_by =
      job.strike_no_later_than > 0 ? job.strike_no_later_than : job.show_end + 6 * kHour;
  std::vector<int> strike_indices;
  std::vector<int> setup_indices;
  for (const auto& [skill, need] : by_skill) {
    Task setup = NewTask(job, v1::TASK_KIND_SETUP, SkillSuffix(skill.first, skill.second));
    setup.skill = skill.first;
    setup.min_level = skill.second;
    setup.duration = need.first;
    setup.headcount = need.second;
    setup.not_before = job.delivery_not_before;
    setup.no_later_than = job.show_start;
    setup.predecessors = {deliver_index};
    setup_indices.push_back(static_cast<int>(tasks.size()));
    tasks.push_back(setup);
  }
  for (const auto& [skill, need] : by_skill) {
    Task strike = NewTask(job, v1::TASK_KIND_STRIKE, SkillSuffix(skill.first, skill.second));
    strike.skill = skill.first;
    strike.min_level = skill.second;
    strike.duration = std::max<Minutes>(30, need.first / 2);  // taking down is quicker
    strike.headcount = need.second;
    strike.not_before = job.show_end;
    strike.no_later_than = strike_by;
    strike.predecessors = setup_indices.empty() ? std::vector<int>{deliver_index} : setup_indices;
    strike_indices.push_back(static_cast<int>(tasks.size()));
    tasks.push_back(strike);
  }
  Task back = NewTask(job, v1::TASK_KIND_RETURN, "");
  back.skill = kDriverSkill;
  back.duration = std::max<Minutes>(15, job.travel);
  back.headcount = 1;
  back.needs_vehicle = true;
  back.not_before = job.show_end;
  back.no_later_than = strike_by + back.duration + 12 * kHour;
  back.predecessors = strike_indices.empty() ? std::vector<int>{deliver_index} : strike_indices;
  tasks.push_back(back);
  return tasks;
}

Task PlanTransferTask(const TransferInput& transfer) {
  JobInput job;
  job.order_id = transfer.transfer_id;
  Task run = NewTask(job, v1::TASK_KIND_TRANSFER, "");
  run.skill = kDriverSkill;
  run.headcount = 1;
  run.needs_vehicle = true;
  run.duration = transfer.transit;
  run.not_before = std::max(transfer.depart_not_before, transfer.now);
  run.no_later_than = transfer.arrive_no_later_than;
  return run;
}

bool IsValidPhaseId(std::string_view phase_id) {
  if (phase_id.empty() || phase_id.size() > 40) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(phase_id.front())) return false;
  return std::all_of(phase_id.begin(), phase_id.end(),
                     [&](char c) { return lower_or_digit(c) || c == '-'; });
}

std::vector<Task> PlanPhasedJobTasks(const std::vector<JobInput>& phases) {
  std::vector<Task> tasks;
  for (const JobInput& phase : phases) {
    const int offset = static_cast<int>(tasks.size());
    for (Task& task : PlanJobTasks(phase)) {
      for (int& p : task.predecessors) p += offset;
      tasks.push_back(std::move(task));
    }
  }
  return tasks;
}

PlannedCommitment CommitmentForDelivery(Minutes arrive_by, const Assignment& deliver) {
  PlannedCommitment commitment;
  commitment.no_later_than = arrive_by;
  if (deliver.finish <= arrive_by && !deliver.late) {
    commitment.explanation = "planned to arrive by the requested time";
    return commitment;
  }
  commitment.no_later_than = std::max(deliver.finish, arrive_by);
  commitment.meets_request = false;
  commitment.explanation = "the requested time cannot be met: " + deliver.explanation;
  return commitment;
}

PlannedCommitment CommitmentFor(const JobInput& job, const std::vector<Task>& tasks,
                                const AssignmentResult& result) {
  for (size_t i = 0; i < tasks.size() && i < result.assignments.size(); ++i) {
    if (tasks[i].kind == v1::TASK_KIND_DELIVER) {
      return CommitmentForDelivery(job.delivery_no_later_than, result.assignments[i]);
    }
  }
  return {job.delivery_no_later_than, true, "nothing to deliver", job.phase_id};
}

std::vector<PlannedCommitment> CommitmentsFor(const std::vector<JobInput>& phases,
                                              const std::vector<Task>& tasks,
                                              const AssignmentResult& result) {
  std::vector<PlannedCommitment> commitments;
  for (const JobInput& phase : phases) {
    PlannedCommitment commitment{phase.delivery_no_later_than, true, "nothing to deliver",
                                 phase.phase_id};
    for (size_t i = 0; i < tasks.size() && i < result.assignments.size(); ++i) {
      if (tasks[i].kind == v1::TASK_KIND_DELIVER && tasks[i].phase_id == phase.phase_id) {
        commitment = CommitmentForDelivery(phase.delivery_no_later_than, result.assignments[i]);
        commitment.phase_id = phase.phase_id;
        break;
      }
    }
    commitments.push_back(std::move(commitment));
  }
  return commitments;
}

std::optional<Minutes> LatestSafeStart(Minutes earliest, Minutes deadline, Minutes duration,
                                       const std::vector<std::vector<WeightedSpan>>& people) {
  std::optional<Minutes> best;
  for (const std::vector<WeightedSpan>& work : people) {
    std::vector<Span> blocking;
    for (const WeightedSpan& item : work) {
      if (item.weight >= 0.5) blocking.push_back(item.span);
    }
    // Walk back from the deadline past every block that overlaps.
    Minutes start = deadline - duration;
    for (bool moved = true; moved && start >= earliest;) {
      moved = false;
      for (const Span& block : blocking) {
        if (block.start < start + duration && start < block.end) {
          start = block.start - duration;
          moved = true;
        }
      }
    }
    if (start >= earliest && (!best || start > *best)) best = start;
  }
  return best;
}

PrepAdvice AdvisePrep(const PrepFacts& facts, Minutes now, const TimeFormatter& format_time) {
  PrepAdvice advice;
  std::optional<Minutes> safe =
      LatestSafeStart(facts.not_before, facts.no_later_than, facts.duration, facts.warehouse_work);
  advice.latest_safe_start = safe.value_or(facts.not_before);
  advice.late = facts.planned_late || !safe || (!facts.started && now > advice.latest_safe_start);
  advice.explanation = "start prep by " + format_time(advice.latest_safe_start) +
                       " to load out by " + format_time(facts.load_out_by);
  if (facts.tentative) {
    advice.explanation += "; still a quote (" +
                          std::to_string(static_cast<int>(facts.win_probability * 100)) +
                          "% likely): prepping early risks wasted work";
  }
  if (advice.late) advice.explanation = "LATE: " + advice.explanation;
  return advice;
}

std::vector<Span> ExpandWeeklyShifts(const std::vector<std::tuple<int, Minutes, Minutes>>& weekly,
                                     Minutes from, Minutes to) {
  std::vector<Span> shifts;
  if (weekly.empty()) return shifts;

  Minutes first_day =
      (from >= 0 ? from : from - kDay + 1) / kDay - 1;  // a shift may start the day before
  for (Minutes day = first_day; day * kDay < to; ++day) {
    int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7) + 1;  // 1970-01-01 was a Thursday (4)
    for (const auto& [shift_weekday, start_offset, length] : weekly) {
      if (shift_weekday != weekday) continue;
      Span span{day * kDay + start_offset, day * kDay + start_offset + length};
      if (span.end > from && span.start < to) shifts.push_back(span);
    }
  }
  std::sort(shifts.begin(), shifts.end(),
            [](const Span& a, const Span& b) { return a.start < b.start; });
  return shifts;
}

}  // namespace salesops::scheduling
