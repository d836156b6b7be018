#include "services/scheduling/assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>

namespace salesops::scheduling {
namespace {
CrewMember Person(const std::string& id, std::vector<HeldSkill> skills,
                  std::vector<Span> shifts = {}, std::vector<Span> unavailable = {}) {
  return {id, id, std::move(skills), std::move(shifts), std::move(unavailable)};
}

Task MakeTask(const std::string& id, const std::string& skill, Minutes not_before, Minutes deadline,
              Minutes duration, int headcount = 1) {
  Task task;
  task.id = id;
  task.job_id = "JOB-" + id;
  task.skill = skill;
  task.not_before = not_before;
  task.no_later_than = deadline;
  task.duration = duration;
  task.headcount = headcount;
  return task;
}

const Assignment& Of(const AssignmentResult& result, const std::string& task_id) {
  for (const Assignment& assignment : result.assignments) {
    if (assignment.task_id == task_id) return assignment;
  }
  throw std::runtime_error("no assignment for " + task_id);
}

TEST(AssignmentTest, SkillsDecideWhoCanDoATask) {
  std::vector<CrewMember> crew = {Person("ana", {"AUDIO"}), Person("ben", {"VIDEO"})};
  AssignmentResult result =
      AssignTasks({MakeTask("T1", "VIDEO", 0, 4 * kHour, 2 * kHour)}, crew, {});
  EXPECT_EQ(Of(result, "T1").crew_ids, std::vector<std::string>{"ben"});
  EXPECT_FALSE(Of(result, "T1").late);
}

TEST(AssignmentTest, ALevelBelowTheOneAskedForDoesNotQualify) {
  std::vector<CrewMember> crew = {Person("ana", {{"GRANDMA3", 1}}),
                                  Person("ben", {{"GRANDMA3", 2}})};
  Task programming = MakeTask("PROGRAM", "GRANDMA3", 0, 4 * kHour, 2 * kHour);
  programming.min_level = 2;
  Task operating = MakeTask("OPERATE", "GRANDMA3", 0, 2 * kHour, 2 * kHour);
  AssignmentResult result = AssignTasks({programming, operating}, crew, {});
  EXPECT_EQ(Of(result, "PROGRAM").crew_ids, std::vector<std::string>{"ben"});
  EXPECT_EQ(Of(result, "OPERATE").crew_ids, std::vector<std::string>{"ana"});
  EXPECT_EQ(result.late_tasks, 0);

  // Nobody at level 3: the task cannot be staffed, and says so.
  programming.min_level = 3;
  const Assignment& unstaffed = Of(AssignTasks({programming}, crew, {}), "PROGRAM");
  EXPECT_TRUE(unstaffed.crew_ids.empty());
  EXPECT_TRUE(unstaffed.late);
  EXPECT_EQ(unstaffed.at_risk_reason, v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE);
}

TEST(AssignmentTest, AnExpiredCertificateStopsCountingOnItsDay) {
  // Ana's forklift licence runs out at the start of day 2; Ben's lasts. Ana is less loaded, so
  // she takes what ends before her licence does, and nothing that ends after it.
  std::vector<CrewMember> crew = {Person("ana", {{"FORKLIFT", 1, 2 * kDay}}),
                                  Person("ben", {{"FORKLIFT", 1, 30 * kDay}})};
  AssignmentResult before =
      AssignTasks({MakeTask("DAY1", "FORKLIFT", kDay, kDay + 8 * kHour, 2 * kHour)}, crew, {});
  EXPECT_EQ(Of(before, "DAY1").crew_ids, std::vector<std::string>{"ana"});
  AssignmentResult after = AssignTasks(
      {MakeTask("DAY2", "FORKLIFT", 2 * kDay, 2 * kDay + 8 * kHour, 2 * kHour)}, crew, {});
  EXPECT_EQ(Of(after, "DAY2").crew_ids, std::vector<std::string>{"ben"});
  // Work that would run past midnight into the expiry day is not hers either.
  AssignmentResult across = AssignTasks(
      {MakeTask("NIGHT", "FORKLIFT", 2 * kDay - kHour, 2 * kDay + 8 * kHour, 2 * kHour)}, crew, {});
  EXPECT_EQ(Of(across, "NIGHT").crew_ids, std::vector<std::string>{"ben"});
  // With only Ana, work after her expiry cannot be staffed at all.
  const Assignment& alone =
      Of(AssignTasks({MakeTask("DAY2", "FORKLIFT", 2 * kDay, 2 * kDay + 8 * kHour, 2 * kHour)},
                     {crew[0]}, {}),
         "DAY2");
  EXPECT_TRUE(alone.crew_ids.empty());
  EXPECT_EQ(alone.at_risk_reason, v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE);
}

TEST(AssignmentTest, EarliestDeadlineGoesFirstWhateverTheInputOrder) {
  std::vector<CrewMember> crew = {Person("ana", {"AUDIO"})};
  std::vector<Task> tasks = {MakeTask("LATER", "AUDIO", 0, 10 * kHour, 3 * kHour),
                             MakeTask("SOONER", "AUDIO", 0, 3 * kHour, 3 * kHour)};
  AssignmentResult result = AssignTasks(tasks, crew, {});
  EXPECT_EQ(Of(result, "SOONER").start, 0);
  EXPECT_EQ(Of(result, "LATER").start, 3 * kHour);
  EXPECT_EQ(result.late_tasks, 0);
}

TEST(AssignmentTest, PrecedenceIsRespected) {
  std::vector<CrewMember> crew = {Person("ana", {"WAREHOUSE"}), Person("dan", {"DRIVER"})};
  std::vector<Task> tasks = {MakeTask("PREP", "WAREHOUSE", 0, 10 * kHour, 4 * kHour),
                             MakeTask("DELIVER", "DRIVER", 0, 10 * kHour, 2 * kHour)};
  tasks[1].predecessors = {0};
  AssignmentResult result = AssignTasks(tasks, crew, {});
  EXPECT_EQ(Of(result, "DELIVER").start, 4 * kHour);
}

TEST(AssignmentTest, HeadcountNeedsEnoughPeopleFreeTogether) {
  std::vector<CrewMember> crew = {Person("ana", {"RIGGING"}),
                                  Person("bob", {"RIGGING"}, {}, {{0, 2 * kHour}})};
  AssignmentResult result =
      AssignTasks({MakeTask("RIG", "RIGGING", 0, 6 * kHour, 3 * kHour, 2)}, crew, {});
  EXPECT_EQ(Of(result, "RIG").start, 2 * kHour);  // bob is off until 02:00
  EXPECT_EQ(Of(result, "RIG").crew_ids, (std::vector<std::string>{"ana", "bob"}));
}

TEST(AssignmentTest, ShiftsFirstOvertimeOnlyToMeetADeadline) {
  std::vector<Span> day_shifts = {{8 * kHour, 16 * kHour}, {kDay + 8 * kHour, kDay + 16 * kHour}};
  std::vector<CrewMember> crew = {Person("ana", {"LIGHTING"}, day_shifts)};
  // Due next evening: waits for the next shift, no overtime.
  AssignmentResult relaxed = AssignTasks(
      {MakeTask("RELAXED", "LIGHTING", 15 * kHour, kDay + 18 * kHour, 3 * kHour)}, crew, {});
  EXPECT_EQ(Of(relaxed, "RELAXED").start, kDay + 8 * kHour);
  EXPECT_EQ(Of(relaxed, "RELAXED").overtime, 0);
  // Due tonight: overtime rather than late.
  AssignmentResult tight =
      AssignTasks({MakeTask("TIGHT", "LIGHTING", 15 * kHour, 19 * kHour, 3 * kHour)}, crew, {});
  EXPECT_FALSE(Of(tight, "TIGHT").late);
  EXPECT_EQ(Of(tight, "TIGHT").overtime, 2 * kHour);
  EXPECT_NE(Of(tight, "TIGHT").explanation.find("overtime"), std::string::npos);
}

TEST(AssignmentTest, AtRiskTasksSayWhyAndWhenTheyCanFinish) {
  std::vector<CrewMember> crew = {Person("ana", {"AUDIO"})};
  std::vector<Task> tasks = {MakeTask("FIRST", "AUDIO", 0, 4 * kHour, 4 * kHour),
                             MakeTask("SECOND", "AUDIO", 0, 5 * kHour, 4 * kHour),
                             MakeTask("NOBODY", "RIGGING", 0, 5 * kHour, kHour),
                             MakeTask("TOO-SHORT", "AUDIO", 20 * kHour, 21 * kHour, 2 * kHour)};
  AssignmentResult result = AssignTasks(tasks, crew, {});
  const Assignment& second = Of(result, "SECOND");
  EXPECT_TRUE(second.late);
  EXPECT_EQ(second.finish, 8 * kHour);  // the earliest feasible finish
  EXPECT_EQ(second.lateness, 3 * kHour);
  EXPECT_EQ(second.at_risk_reason, v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE);
  EXPECT_NE(second.explanation.find("At risk"), std::string::npos);
  EXPECT_EQ(Of(result, "NOBODY").at_risk_reason, v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE);
  EXPECT_TRUE(Of(result, "NOBODY").crew_ids.empty());
  EXPECT_EQ(Of(result, "TOO-SHORT").at_risk_reason, v1::AT_RISK_REASON_WINDOW_TOO_SHORT);
  EXPECT_EQ(result.late_tasks, 3);
}

TEST(AssignmentTest, VehiclesAreAResourceToo) {
  std::vector<CrewMember> crew = {Person("dan", {"DRIVER"}), Person("eve", {"DRIVER"})};
  std::vector<Vehicle> vehicles = {{"TRUCK-1", {}}};
  std::vector<Task> tasks = {MakeTask("D1", "DRIVER", 0, 2 * kHour, 2 * kHour),
                             MakeTask("D2", "DRIVER", 0, 2 * kHour, 2 * kHour)};
  tasks[0].needs_vehicle = tasks[1].needs_vehicle = true;
  AssignmentResult result = AssignTasks(tasks, crew, vehicles);
  EXPECT_EQ(result.late_tasks, 1);
  EXPECT_EQ(Of(result, "D2").at_risk_reason, v1::AT_RISK_REASON_VEHICLE_SHORTAGE);
  EXPECT_EQ(Of(result, "D2").vehicle_id, "TRUCK-1");
  EXPECT_EQ(Of(result, "D2").start, 2 * kHour);
}

TEST(AssignmentTest, PinnedDeliveryIsAHardSlot) {
  std::vector<CrewMember> crew = {Person("dan", {"DRIVER"})};
  std::vector<Task> tasks = {MakeTask("BUSY", "DRIVER", 0, 3 * kHour, 3 * kHour),
                             MakeTask("PINNED", "DRIVER", 2 * kHour, 3 * kHour, kHour)};
  tasks[1].pinned = true;
  AssignmentResult result = AssignTasks(tasks, crew, {});
  // The pinned task's deadline comes first, so it gets its exact slot.
  EXPECT_EQ(Of(result, "PINNED").start, 2 * kHour);
  EXPECT_EQ(Of(result, "PINNED").at_risk_reason, v1::AT_RISK_REASON_UNSPECIFIED);
  tasks[0].started = Task::Fixed{kHour, {"dan"}, ""};  // already on the road: the slot is gone
  result = AssignTasks(tasks, crew, {});
  EXPECT_EQ(Of(result, "BUSY").start, kHour);
  EXPECT_EQ(Of(result, "PINNED").at_risk_reason, v1::AT_RISK_REASON_HARD_SLOT_CONFLICT);
}

TEST(AssignmentTest, DeterministicWhateverTheInputOrder) {
  std::vector<CrewMember> crew;
  for (int c = 0; c < 6; ++c) {
    crew.push_back(Person("crew-" + std::to_string(c), {"AUDIO", "VIDEO"}));
  }
  std::vector<Task> tasks;
  std::mt19937 random(7);
  for (int t = 0; t < 40; ++t) {
    tasks.push_back(MakeTask("T" + std::to_string(t), t % 2 ? "AUDIO" : "VIDEO",
                             (random() % 48) * kHour / 2, 0, (1 + random() % 4) * kHour));
    tasks.back().no_later_than = tasks.back().not_before + 6 * kHour;
  }
  AssignmentResult first = AssignTasks(tasks, crew, {});
  std::reverse(tasks.begin(), tasks.end());
  std::reverse(crew.begin(), crew.end());
  AssignmentResult second = AssignTasks(tasks, crew, {});
  for (const Assignment& assignment : first.assignments) {
    const Assignment& again = Of(second, assignment.task_id);
    EXPECT_EQ(again.start, assignment.start) << assignment.task_id;
    EXPECT_EQ(again.crew_ids, assignment.crew_ids) << assignment.task_id;
  }
}

TEST(AssignmentTest, WorkIsSharedEvenlyAmongIdenticalCrew) {
  // A benchmark week: 5 identical technicians on 8-hour shifts, 60 two-hour tasks, in a skill
  // of the company's own catalog, at a level, with certificates valid all week.
  std::vector<Span> shifts;
  for (int day = 0; day < 5; ++day)
    shifts.push_back({day * kDay + 8 * kHour, day * kDay + 16 * kHour});
  std::vector<CrewMember> crew;
  for (int c = 0; c < 5; ++c) {
    crew.push_back(
        Person("tech-" + std::to_string(c), {{"RIGGER", 2, 30 * kDay}, {"AUDIO"}}, shifts));
  }
  std::vector<Task> tasks;
  for (int t = 0; t < 60; ++t) {
    int day = t % 5;
    tasks.push_back(MakeTask("T" + std::to_string(t), "RIGGER", day * kDay, day * kDay + 18 * kHour,
                             2 * kHour));
    tasks.back().min_level = 2;
  }
  AssignmentResult result = AssignTasks(tasks, crew, {});
  EXPECT_EQ(result.late_tasks, 0);
  Minutes busiest = 0, least = kDay * 7;
  for (const auto& [id, minutes] : result.workload) {
    busiest = std::max(busiest, minutes);
    least = std::min(least, minutes);
  }
  std::cout << "benchmark week: busiest " << busiest << " min, least busy " << least
            << " min, ratio " << static_cast<double>(busiest) / least << "\n";
  EXPECT_LE(busiest, least * 5 / 4) << "busiest " << busiest << " least " << least;
}

}  // namespace
}  // namespace salesops::scheduling
