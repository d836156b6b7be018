#include "services/scheduling/planner.h"

#include <gtest/gtest.h>

namespace salesops::scheduling {
namespace {

Task AudioTask(const std::string& id, Minutes not_before, Minutes deadline, Minutes duration) {
  Task task;
  task.id = id;
  task.job_id = id;
  task.skill = "AUDIO";
  task.not_before = not_before;
  task.no_later_than = deadline;
  task.duration = duration;
  return task;
}

Assignment At(const std::string& id, const std::string& crew_id, Minutes start, Minutes finish,
              Minutes deadline) {
  Assignment placed;
  placed.task_id = id;
  placed.crew_ids = {crew_id};
  placed.start = start;
  placed.finish = finish;
  placed.late = finish > deadline;
  placed.lateness = std::max<Minutes>(0, finish - deadline);
  return placed;
}

const std::vector<CrewMember> kAna = {{"ana", "Ana", {"AUDIO"}, {}, {}}};

TEST(PlannerTest, ANewJobGoesAroundPlacedWorkWhichKeepsItsPeopleAndTimes) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}},
                                  {"bob", "Bob", {"AUDIO"}, {}, {}}};
  PlacedWork placed = {At("OTHER/SETUP-AUDIO", "ana", 8 * kHour, 12 * kHour, 12 * kHour)};
  Task first = AudioTask("NEW/SETUP-AUDIO", 8 * kHour, 20 * kHour, 4 * kHour);
  Task second = AudioTask("NEW/STRIKE-AUDIO", 8 * kHour, 20 * kHour, 2 * kHour);
  second.predecessors = {0};
  AssignmentResult result = PlaceAround({first, second}, placed, crew, {});
  ASSERT_EQ(result.assignments.size(), 2u);
  EXPECT_EQ(result.assignments[0].start, 8 * kHour);
  EXPECT_EQ(result.assignments[0].crew_ids, std::vector<std::string>{"bob"});
  EXPECT_NE(result.assignments[0].explanation.find("Bob"), std::string::npos);
  // After its predecessor; Ana is free by then and has less of this job's work.
  EXPECT_EQ(result.assignments[1].start, 12 * kHour);
  EXPECT_EQ(result.late_tasks, 0);
}

TEST(PlannerTest, ReoptimisingMovesWorkOnlyWhenFewerTasksEndLate) {
  std::vector<Task> tasks = {AudioTask("A", 0, 4 * kHour, 4 * kHour),
                             AudioTask("B", 0, 10 * kHour, 4 * kHour)};
  // Planned in arrival order: B came first and took the morning, A is late.
  std::vector<Assignment> current = {At("A", "ana", 4 * kHour, 8 * kHour, 4 * kHour),
                                     At("B", "ana", 0, 4 * kHour, 10 * kHour)};
  Reoptimization better = Reoptimize(tasks, current, {}, kAna, {});
  EXPECT_TRUE(better.improved);
  EXPECT_EQ(better.moved, (std::vector<int>{0, 1}));
  EXPECT_EQ(better.result.assignments[0].start, 0);
  EXPECT_EQ(better.result.assignments[1].start, 4 * kHour);
  EXPECT_EQ(better.result.late_tasks, 0);
  EXPECT_NE(better.reason.find("late tasks 1 -> 0"), std::string::npos) << better.reason;

  // Already as good as it gets: nobody is moved.
  Reoptimization again = Reoptimize(tasks, better.result.assignments, {}, kAna, {});
  EXPECT_FALSE(again.improved);
  EXPECT_TRUE(again.moved.empty());
}

TEST(PlannerTest, StartedOrFrozenWorkNeverMoves) {
  std::vector<Task> tasks = {AudioTask("A", 0, 4 * kHour, 4 * kHour),
                             AudioTask("B", 0, 10 * kHour, 4 * kHour)};
  std::vector<Assignment> current = {At("A", "ana", 4 * kHour, 8 * kHour, 4 * kHour),
                                     At("B", "ana", 0, 4 * kHour, 10 * kHour)};
  tasks[1].started = Task::Fixed{0, {"ana"}, ""};
  Reoptimization outcome = Reoptimize(tasks, current, {}, kAna, {});
  EXPECT_FALSE(outcome.improved);
  EXPECT_EQ(outcome.result.assignments[1].start, 0);
}

TEST(PlannerTest, ACommittedDeliveryIsNeverPushedPastItsCommitment) {
  std::vector<Task> tasks = {AudioTask("A", 0, 4 * kHour, 4 * kHour),
                             AudioTask("B", 0, 10 * kHour, 4 * kHour)};
  tasks[1].kind = v1::TASK_KIND_DELIVER;
  std::vector<Assignment> current = {At("A", "ana", 4 * kHour, 8 * kHour, 4 * kHour),
                                     At("B", "ana", 0, 4 * kHour, 10 * kHour)};
  // B's client was told "delivered by 04:00": A may not take its slot, though A would no
  // longer be late.
  Reoptimization outcome = Reoptimize(tasks, current, {{"B", 4 * kHour}}, kAna, {});
  EXPECT_FALSE(outcome.improved);
  EXPECT_EQ(outcome.result.assignments[1].start, 0);
  // Told "by 08:00", B can move and A makes its deadline.
  Reoptimization allowed = Reoptimize(tasks, current, {{"B", 8 * kHour}}, kAna, {});
  EXPECT_TRUE(allowed.improved);
  EXPECT_EQ(allowed.result.assignments[1].finish, 8 * kHour);
}

TEST(PlannerTest, ACommittedTransferArrivalIsKeptLikeADelivery) {
  std::vector<Task> tasks = {AudioTask("A", 0, 4 * kHour, 4 * kHour),
                             AudioTask("T-1", 0, 10 * kHour, 4 * kHour)};
  tasks[1].kind = v1::TASK_KIND_TRANSFER;
  std::vector<Assignment> current = {At("A", "ana", 4 * kHour, 8 * kHour, 4 * kHour),
                                     At("T-1", "ana", 0, 4 * kHour, 10 * kHour)};
  // The warehouse waiting for the stock was told "arrives by 04:00".
  Reoptimization outcome = Reoptimize(tasks, current, {{"T-1", 4 * kHour}}, kAna, {});
  EXPECT_FALSE(outcome.improved);
  EXPECT_EQ(outcome.result.assignments[1].start, 0);
  EXPECT_TRUE(FinishIsCommitted(v1::TASK_KIND_TRANSFER));
  EXPECT_FALSE(FinishIsCommitted(v1::TASK_KIND_RETURN));
}

TEST(PlannerTest, NoTaskOnTimeIsMadeLateForTheSakeOfOthers) {
  // C (on time) would have to give way for A and B to both make it: two late become one, but
  // C becomes late, so C's job keeps its place.
  std::vector<Task> tasks = {AudioTask("A", 0, 2 * kHour, 2 * kHour),
                             AudioTask("B", 0, 4 * kHour, 2 * kHour),
                             AudioTask("C", 0, 5 * kHour, 5 * kHour)};
  std::vector<Assignment> current = {At("A", "ana", 5 * kHour, 7 * kHour, 2 * kHour),
                                     At("B", "ana", 7 * kHour, 9 * kHour, 4 * kHour),
                                     At("C", "ana", 0, 5 * kHour, 5 * kHour)};
  Reoptimization outcome = Reoptimize(tasks, current, {}, kAna, {});
  EXPECT_FALSE(outcome.result.assignments[2].late);
  EXPECT_EQ(outcome.result.assignments[2].start, 0);
  EXPECT_EQ(outcome.kept_jobs, std::vector<std::string>{"C"});
}

}  // namespace
}  // namespace salesops::scheduling
