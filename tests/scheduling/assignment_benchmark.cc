// Assignment speed, measured (never asserted): N tasks over 500 crew and a
// 30-day horizon, one core. Run: build/tests/scheduling/assignment_benchmark
#include <benchmark/benchmark.h>

#include <random>

#include "services/scheduling/assignment.h"

namespace salesops::scheduling {
namespace {
void BM_AssignTasks(benchmark::State& state) {
  const char* const skills[] = {"GRANDMA3", "VIDEO-LED", "LIGHTING",
                                "RIGGER",   "DRIVER",    "FORKLIFT"};
  std::mt19937 random(1);
  std::vector<CrewMember> crew;
  for (int c = 0; c < 500; ++c) {
    CrewMember member;
    member.id = "crew-" + std::to_string(c);
    // The company's own skills: the second at level 2, with a certificate valid all month.
    member.skills = {skills[c % 6], {skills[(c / 6) % 6], 2, 31 * kDay}};
    for (int day = 0; day < 30; ++day)
      member.shifts.push_back({day * kDay + 480, day * kDay + 1020});
    crew.push_back(member);
  }
  std::vector<Vehicle> vehicles;
  for (int v = 0; v < 40; ++v) vehicles.push_back({"truck-" + std::to_string(v), {}});
  std::vector<Task> tasks;
  int count = static_cast<int>(state.range(0));
  for (int t = 0; t < count; ++t) {
    Task task;
    task.id = "task-" + std::to_string(t);
    task.skill = skills[random() % 6];
    task.duration = (1 + random() % 8) * 30;
    task.not_before = (random() % 29) * kDay + (random() % 16) * 60;
    task.no_later_than = task.not_before + task.duration + (random() % 48) * 60;
    task.headcount = 1 + random() % 2;
    task.min_level = static_cast<int>(random() % 2) + 1;
    task.needs_vehicle = task.skill == "DRIVER";
    if (t % 3 != 0) task.predecessors.push_back(t - 1);  // jobs of three chained tasks
    tasks.push_back(task);
  }
  AssignmentResult result;
  for (auto _ : state) {
    result = AssignTasks(tasks, crew, vehicles);
    benchmark::DoNotOptimize(result);
  }
  state.counters["tasks"] = count;
  state.counters["late"] = result.late_tasks;
}
BENCHMARK(BM_AssignTasks)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace salesops::scheduling

BENCHMARK_MAIN();
