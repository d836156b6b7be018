// Property tests: on 500 random small instances (crew holding skills of a company's own catalog
// at levels, some certificates running out mid-day) the number of late tasks, from the global
// solver and from planning job by job then re-optimising, is compared with the optimum found by
// exhaustive search written here, independently of the solver (every task order x every crew subset
// x every vehicle, each task at its earliest common free time, with branch and bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "services/scheduling/assignment.h"
#include "services/scheduling/planner.h"

namespace salesops::scheduling {
namespace {

struct Instance {
  std::vector<Task> tasks;
  std::vector<CrewMember> crew;
  std::vector<Vehicle> vehicles;
};

Instance RandomInstance(std::mt19937& random) {
  // A company's own skills (issue 20): levels, and certificates that run out during the day.
  const char* const skills[] = {"GRANDMA3", "RIGGER", "DRIVER"};
  Instance instance;
  int crew_count = 1 + random() % 3;
  for (int c = 0; c < crew_count; ++c) {
    CrewMember member;
    member.id = "c" + std::to_string(c);
    int held = 1 + static_cast<int>(random() % 2);
    for (int s = 0; s < held; ++s) {
      const std::string code = skills[random() % 3];
      if (std::any_of(member.skills.begin(), member.skills.end(),
                      [&](const HeldSkill& h) { return h.code == code; })) {
        continue;
      }
      const int level = 1 + static_cast<int>(random() % 2);
      const Minutes expires = random() % 4 == 0 ? (random() % 16) * 30 : kForever;
      member.skills.emplace_back(code, level, expires);
    }
    if (random() % 4 == 0) {
      Minutes off = (random() % 8) * 60;
      member.unavailable.push_back({off, off + 120});
    }
    instance.crew.push_back(member);
  }
  if (random() % 2) instance.vehicles.push_back({"v0", {}});
  int task_count = 2 + random() % 7;  // 2..8
  for (int t = 0; t < task_count; ++t) {
    Task task;
    task.id = "t" + std::to_string(t);
    task.skill = skills[random() % 3];
    task.duration = (1 + random() % 4) * 30;
    task.not_before = (random() % 12) * 30;
    task.no_later_than = task.not_before + task.duration + (random() % 6) * 30;
    task.headcount = random() % 5 == 0 ? 2 : 1;
    task.min_level = static_cast<int>(random() % 3);  // 0 and 1: any holder; 2: level 2 only
    task.needs_vehicle = !instance.vehicles.empty() && task.skill == "DRIVER";
    if (t > 0 && random() % 3 == 0) task.predecessors.push_back(static_cast<int>(random() % t));
    instance.tasks.push_back(task);
  }
  return instance;
}

// Earliest t >= from where [t, t+d) misses every span of every calendar.
Minutes EarliestCommonFree(const std::vector<const std::vector<Span>*>& calendars, Minutes from,
                           Minutes d) {
  Minutes t = from;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto* spans : calendars) {
      for (const Span& span : *spans) {
        if (span.start < t + d && t < span.end) {
          t = span.end;
          moved = true;
        }
      }
    }
  }
  return t;
}

int OptimalLateTasks(const Instance& instance, int upper_bound) {
  const auto& tasks = instance.tasks;
  int n = static_cast<int>(tasks.size());
  std::vector<std::vector<Span>> crew_busy(instance.crew.size());
  for (size_t c = 0; c < instance.crew.size(); ++c) crew_busy[c] = instance.crew[c].unavailable;
  std::vector<std::vector<Span>> vehicle_busy(instance.vehicles.size());
  std::vector<Minutes> finish(n, 0);
  std::vector<bool> placed(n, false);
  int best = upper_bound;

  std::function<void(int, int)> search = [&](int placed_count, int late) {
    if (late >= best) return;
    if (placed_count == n) {
      best = late;
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (placed[i]) continue;
      const Task& task = tasks[i];
      bool ready = true;
      Minutes est = task.not_before;
      for (int p : task.predecessors) {
        ready = ready && placed[p];
        est = std::max(est, finish[p]);
      }
      if (!ready) continue;
      // Holders of the skill at the level asked, each until their certificate runs out.
      std::vector<int> qualified;
      std::vector<Minutes> certified_until;
      for (int c = 0; c < static_cast<int>(instance.crew.size()); ++c) {
        for (const HeldSkill& held : instance.crew[c].skills) {
          if (held.code == task.skill && held.level >= std::max(task.min_level, 1)) {
            qualified.push_back(c);
            certified_until.push_back(held.valid_until);
          }
        }
      }
      auto place = [&](Minutes start, const std::vector<int>& people, int vehicle,
                       bool impossible = false) {
        placed[i] = true;
        finish[i] = start + task.duration;
        for (int c : people) crew_busy[c].push_back({start, finish[i]});
        if (vehicle >= 0) vehicle_busy[vehicle].push_back({start, finish[i]});
        search(placed_count + 1, late + (impossible || finish[i] > task.no_later_than ? 1 : 0));
        for (int c : people) crew_busy[c].pop_back();
        if (vehicle >= 0) vehicle_busy[vehicle].pop_back();
        placed[i] = false;
      };
      if (static_cast<int>(qualified.size()) < task.headcount ||
          (task.needs_vehicle && instance.vehicles.empty())) {
        place(est, {}, -1, /*impossible=*/true);  // nobody can do it: it will not be done
        continue;
      }
      // Every subset of qualified crew of the right size, whose certificates all last until the
      // work is done.
      std::vector<bool> pick(qualified.size(), false);
      std::fill(pick.begin(), pick.begin() + task.headcount, true);
      bool anyone_can = false;
      do {
        std::vector<int> people;
        std::vector<const std::vector<Span>*> calendars;
        Minutes certified = kForever;
        for (size_t k = 0; k < qualified.size(); ++k) {
          if (!pick[k]) continue;
          people.push_back(qualified[k]);
          calendars.push_back(&crew_busy[qualified[k]]);
          certified = std::min(certified, certified_until[k]);
        }
        if (task.needs_vehicle) {
          for (int v = 0; v < static_cast<int>(instance.vehicles.size()); ++v) {
            auto with_vehicle = calendars;
            with_vehicle.push_back(&vehicle_busy[v]);
            Minutes start = EarliestCommonFree(with_vehicle, est, task.duration);
            if (start + task.duration > certified) continue;
            anyone_can = true;
            place(start, people, v);
          }
        } else {
          Minutes start = EarliestCommonFree(calendars, est, task.duration);
          if (start + task.duration > certified) continue;
          anyone_can = true;
          place(start, people, -1);
        }
      } while (std::prev_permutation(pick.begin(), pick.end()));
      if (!anyone_can) place(est, {}, -1, /*impossible=*/true);
    }
  };
  search(0, 0);
  return best;
}

TEST(AssignmentOptimalityTest, LateTasksMatchTheOptimumOnSmallInstances) {
  constexpr int kInstances = 500;
  std::mt19937 random(20261127);
  std::map<int, int> gap_histogram;  // solver late tasks - optimum -> instances
  int matched = 0;
  for (int k = 0; k < kInstances; ++k) {
    Instance instance = RandomInstance(random);
    AssignmentResult solved = AssignTasks(instance.tasks, instance.crew, instance.vehicles);
    int optimum = OptimalLateTasks(instance, solved.late_tasks + 1);
    ASSERT_LE(optimum, solved.late_tasks) << "the search must find at least the solver's answer";
    int gap = solved.late_tasks - optimum;
    ++gap_histogram[gap];
    if (gap == 0) ++matched;
    EXPECT_LE(gap, 1) << "instance " << k;
  }
  std::cout << "late-task gap to the optimum over " << kInstances << " instances:";
  for (const auto& [gap, count] : gap_histogram) std::cout << " +" << gap << ": " << count;
  std::cout << "\n";
  EXPECT_GE(matched, kInstances * 95 / 100);
}

// The instance's tasks grouped into jobs (tasks linked by precedence), each placed as PlanJob
// places it, around the jobs placed before; then re-optimised as the background run does.
AssignmentResult PlannedJobByJobThenReoptimised(const Instance& instance) {
  const int n = static_cast<int>(instance.tasks.size());
  std::vector<int> job_of(n);
  for (int i = 0; i < n; ++i) {
    job_of[i] = i;
    for (int p : instance.tasks[i].predecessors) {
      int merged = job_of[p];
      for (int& job : job_of) {
        if (job == merged) job = job_of[i];
      }
    }
  }
  std::vector<Task> tasks = instance.tasks;
  for (int i = 0; i < n; ++i) tasks[i].job_id = "job-" + std::to_string(job_of[i]);
  std::vector<Assignment> current(n);
  PlacedWork placed;
  std::vector<bool> done(n, false);
  for (int first = 0; first < n; ++first) {
    if (done[first]) continue;
    std::vector<int> members;  // in index order: predecessors come first
    for (int i = first; i < n; ++i) {
      if (job_of[i] == job_of[first]) members.push_back(i);
    }
    std::map<int, int> local;
    std::vector<Task> job;
    for (int i : members) {
      local[i] = static_cast<int>(job.size());
      job.push_back(tasks[i]);
    }
    for (Task& task : job) {
      for (int& p : task.predecessors) p = local.at(p);
    }
    AssignmentResult result = PlaceAround(job, placed, instance.crew, instance.vehicles);
    for (size_t k = 0; k < members.size(); ++k) {
      current[members[k]] = result.assignments[k];
      placed.push_back(result.assignments[k]);
      done[members[k]] = true;
    }
  }
  return Reoptimize(tasks, current, {}, instance.crew, instance.vehicles).result;
}

TEST(AssignmentOptimalityTest, PlanningJobByJobThenReoptimisingMatchesTheOptimum) {
  constexpr int kInstances = 500;
  std::mt19937 random(20261127);
  std::map<int, int> gap_histogram;
  int matched = 0;
  for (int k = 0; k < kInstances; ++k) {
    Instance instance = RandomInstance(random);
    AssignmentResult planned = PlannedJobByJobThenReoptimised(instance);
    int late = 0;
    for (const Assignment& out : planned.assignments) late += out.late ? 1 : 0;
    int optimum = OptimalLateTasks(instance, late + 1);
    ASSERT_LE(optimum, late);
    int gap = late - optimum;
    ++gap_histogram[gap];
    if (gap == 0) ++matched;
    EXPECT_LE(gap, 1) << "instance " << k;
  }
  std::cout << "job by job, then re-optimised: late-task gap to the optimum over " << kInstances
            << " instances:";
  for (const auto& [gap, count] : gap_histogram) std::cout << " +" << gap << ": " << count;
  std::cout << "\n";
  EXPECT_GE(matched, kInstances * 95 / 100);
}

}  // namespace
}  // namespace salesops::scheduling
