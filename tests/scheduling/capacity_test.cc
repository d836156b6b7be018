#include "services/scheduling/capacity.h"

#include <gtest/gtest.h>

namespace salesops::scheduling {
namespace {
Task Planned(const std::string& id, Minutes not_before, Minutes deadline, Minutes duration) {
  Task task;
  task.id = id;
  task.job_id = "JOB-" + id;
  task.skill = v1::SKILL_AUDIO;
  task.not_before = not_before;
  task.no_later_than = deadline;
  task.duration = duration;
  return task;
}

TEST(CapacityTest, FitsBesidePlannedWork) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {v1::SKILL_AUDIO}, {}, {}}};
  CapacityAsk ask{{{v1::SKILL_AUDIO, 2 * kHour, 1}}, 0, {0, 10 * kHour}, ""};
  CapacityProbe probe = ProbeCapacity({Planned("A", 0, 4 * kHour, 4 * kHour)}, crew, {}, ask);
  EXPECT_TRUE(probe.fits);
  EXPECT_EQ(probe.probes[0].start, 4 * kHour);
}

TEST(CapacityTest, NeverFitsByMakingPlannedWorkLate) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {v1::SKILL_AUDIO}, {}, {}}};
  // Planned: 4 h due at 07:00. Asked: 4 h due at 06:00. Deadline-first would
  // serve the ask and push the planned job late: that is not capacity.
  CapacityAsk ask{{{v1::SKILL_AUDIO, 4 * kHour, 1}}, 0, {0, 6 * kHour}, ""};
  CapacityProbe probe = ProbeCapacity({Planned("A", 0, 7 * kHour, 4 * kHour)}, crew, {}, ask);
  EXPECT_FALSE(probe.fits);
  EXPECT_EQ(probe.displaced + (probe.probes[0].late ? 1 : 0), 1);
  // Re-checking job A itself: its own work does not compete.
  ask.exclude_job_id = "JOB-A";
  EXPECT_TRUE(ProbeCapacity({Planned("A", 0, 7 * kHour, 4 * kHour)}, crew, {}, ask).fits);
}

TEST(CapacityTest, TheAnswerLinesUpWithThePlannedTasksWhateverWasLeftOut) {
  // Re-checking a job with three tasks and asking for one: the result once held the kept
  // task's and the probe's assignments only, and the store read past its end (SIGSEGV).
  std::vector<CrewMember> crew = {{"ana", "Ana", {v1::SKILL_AUDIO}, {}, {}}};
  std::vector<Task> planned = {Planned("A1", 0, 9 * kHour, kHour),
                               Planned("B", 0, 9 * kHour, kHour),
                               Planned("A2", 0, 9 * kHour, kHour)};
  planned[0].job_id = planned[2].job_id = "JOB-A";
  Task a3 = Planned("A3", 0, 9 * kHour, kHour);
  a3.job_id = "JOB-A";
  planned.push_back(a3);
  CapacityAsk ask{{{v1::SKILL_AUDIO, kHour, 1}}, 0, {0, 10 * kHour}, "JOB-A"};
  CapacityProbe probe = ProbeCapacity(planned, crew, {}, ask);
  ASSERT_EQ(probe.with_probe.assignments.size(), planned.size());
  EXPECT_EQ(probe.with_probe.assignments[1].task_id, "B");
  EXPECT_FALSE(probe.with_probe.assignments[1].crew_ids.empty());
  EXPECT_TRUE(probe.with_probe.assignments[0].crew_ids.empty());  // left out
  EXPECT_EQ(probe.probes.size(), 1u);
}

TEST(CapacityTest, VehiclesAreChecked) {
  std::vector<CrewMember> crew = {{"dan", "Dan", {v1::SKILL_DRIVER}, {}, {}}};
  std::vector<Vehicle> trucks = {{"TRUCK-1", {{0, 10 * kHour}}}};
  CapacityAsk ask{{}, 1, {0, 8 * kHour}, ""};
  EXPECT_FALSE(ProbeCapacity({}, crew, trucks, ask).fits);
  ask.window = {0, 12 * kHour};
  EXPECT_TRUE(ProbeCapacity({}, crew, trucks, ask).fits);
}

}  // namespace
}  // namespace salesops::scheduling
