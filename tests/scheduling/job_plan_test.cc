#include "services/scheduling/job_plan.h"

#include <gtest/gtest.h>

namespace salesops::scheduling {
namespace {
JobInput Job() {
  JobInput job;
  job.order_id = "ORDER-1042";
  job.order_revision = 3;
  job.crew_needs = {{"VIDEO", 4 * kHour, 2}, {"AUDIO", 2 * kHour, 1}};
  job.prep_duration = 4 * kHour;
  job.delivery_not_before = 10 * kDay + 6 * kHour;
  job.delivery_no_later_than = 10 * kDay + 8 * kHour;  // deliver by 08:00
  job.show_start = 10 * kDay + 19 * kHour;
  job.show_end = 10 * kDay + 23 * kHour;
  job.travel = kHour;
  job.now = 0;
  return job;
}

const Task& Find(const std::vector<Task>& tasks, const std::string& id) {
  for (const Task& task : tasks) {
    if (task.id == id) return task;
  }
  throw std::runtime_error("no task " + id);
}

TEST(JobPlanTest, DerivesTheTaskChainWithWindowsFromTheDeliveryAndTheShow) {
  std::vector<Task> tasks = PlanJobTasks(Job());
  ASSERT_EQ(tasks.size(), 8u);  // prep, load-out, deliver, 2 setups, 2 strikes, return
  const Task& deliver = Find(tasks, "ORDER-1042/DELIVER");
  EXPECT_EQ(deliver.no_later_than, 10 * kDay + 8 * kHour);
  EXPECT_TRUE(deliver.needs_vehicle);
  EXPECT_FALSE(deliver.pinned);
  const Task& load = Find(tasks, "ORDER-1042/LOAD_OUT");
  EXPECT_EQ(load.no_later_than, 10 * kDay + 7 * kHour);  // leave one travel time before
  EXPECT_EQ(load.headcount, 2);
  const Task& prep = Find(tasks, "ORDER-1042/PREP");
  EXPECT_EQ(prep.no_later_than, load.no_later_than - load.duration);
  // Prep may start two weeks ahead, but never before now (minute 0 here).
  EXPECT_EQ(prep.not_before, 0);
  JobInput far = Job();
  far.now = 5 * kDay;
  EXPECT_EQ(Find(PlanJobTasks(far), "ORDER-1042/PREP").not_before, 5 * kDay);
  const Task& setup = Find(tasks, "ORDER-1042/SETUP-VIDEO");
  EXPECT_EQ(setup.headcount, 2);
  EXPECT_EQ(setup.duration, 4 * kHour);
  EXPECT_EQ(setup.no_later_than, 10 * kDay + 19 * kHour);  // ready for the show
  const Task& strike = Find(tasks, "ORDER-1042/STRIKE-AUDIO");
  EXPECT_EQ(strike.not_before, 10 * kDay + 23 * kHour);
  // Precedence: each step waits for the one before it.
  EXPECT_EQ(tasks[load.predecessors[0]].kind, v1::TASK_KIND_PREP);
  EXPECT_EQ(tasks[deliver.predecessors[0]].kind, v1::TASK_KIND_LOAD_OUT);
  EXPECT_EQ(tasks[setup.predecessors[0]].kind, v1::TASK_KIND_DELIVER);
  EXPECT_EQ(tasks[strike.predecessors[0]].kind, v1::TASK_KIND_SETUP);
  EXPECT_EQ(tasks.back().kind, v1::TASK_KIND_RETURN);
}

TEST(JobPlanTest, ATransferIsOneDriveByOneDriverWithAVehicleInsideItsWindow) {
  TransferInput transfer;
  transfer.transfer_id = "T-000042";
  transfer.depart_not_before = 10 * kDay + 6 * kHour;
  transfer.arrive_no_later_than = 10 * kDay + 14 * kHour;
  transfer.transit = 3 * kHour;
  Task run = PlanTransferTask(transfer);
  EXPECT_EQ(run.id, "T-000042/TRANSFER");
  EXPECT_EQ(run.job_id, "T-000042");
  EXPECT_EQ(run.kind, v1::TASK_KIND_TRANSFER);
  EXPECT_EQ(run.skill, "DRIVER");
  EXPECT_EQ(run.headcount, 1);
  EXPECT_TRUE(run.needs_vehicle);
  EXPECT_EQ(run.duration, 3 * kHour);
  EXPECT_EQ(run.not_before, 10 * kDay + 6 * kHour);
  EXPECT_EQ(run.no_later_than, 10 * kDay + 14 * kHour);
  EXPECT_TRUE(run.predecessors.empty());
  // Stock ready already: the van still leaves no earlier than now.
  transfer.now = 10 * kDay + 7 * kHour;
  EXPECT_EQ(PlanTransferTask(transfer).not_before, 10 * kDay + 7 * kHour);
}

TEST(JobPlanTest, EachPhaseGetsItsOwnChainTimedByItsOwnWindow) {
  JobInput show = Job();
  show.phase_id = "show-day";
  show.delivery_not_before += 2 * kDay;
  show.delivery_no_later_than += 2 * kDay;
  show.show_start += 2 * kDay;
  show.show_end += 2 * kDay;
  show.crew_needs = {{"LIGHTING", 3 * kHour, 2}};
  std::vector<Task> tasks = PlanPhasedJobTasks({Job(), show});
  ASSERT_EQ(tasks.size(), 8u + 6u);
  const Task& deliver = Find(tasks, "ORDER-1042/DELIVER@show-day");
  EXPECT_EQ(deliver.phase_id, "show-day");
  EXPECT_EQ(deliver.job_id, "ORDER-1042");
  EXPECT_EQ(deliver.no_later_than, 12 * kDay + 8 * kHour);
  EXPECT_EQ(Find(tasks, "ORDER-1042/SETUP-LIGHTING@show-day").no_later_than,
            12 * kDay + 19 * kHour);
  // Predecessors stay inside the phase: the show's load-out waits for the show's prep.
  const Task& load = Find(tasks, "ORDER-1042/LOAD_OUT@show-day");
  EXPECT_EQ(tasks[load.predecessors[0]].id, "ORDER-1042/PREP@show-day");
  EXPECT_EQ(Find(tasks, "ORDER-1042/DELIVER").phase_id, "");

  // One commitment per phase, each against its own request.
  AssignmentResult placed;
  for (const Task& task : tasks) {
    Assignment out;
    out.task_id = task.id;
    out.finish = task.no_later_than + (task.phase_id.empty() ? 0 : 30);
    out.late = out.finish > task.no_later_than;
    placed.assignments.push_back(out);
  }
  std::vector<PlannedCommitment> commitments = CommitmentsFor({Job(), show}, tasks, placed);
  ASSERT_EQ(commitments.size(), 2u);
  EXPECT_TRUE(commitments[0].meets_request);
  EXPECT_EQ(commitments[0].phase_id, "");
  EXPECT_FALSE(commitments[1].meets_request);
  EXPECT_EQ(commitments[1].phase_id, "show-day");
  EXPECT_EQ(commitments[1].no_later_than, 12 * kDay + 8 * kHour + 30);
}

TEST(JobPlanTest, PhaseIdsAreShortLowerCaseWords) {
  EXPECT_TRUE(IsValidPhaseId("rehearsal"));
  EXPECT_TRUE(IsValidPhaseId("stop-2"));
  EXPECT_TRUE(IsValidPhaseId("1"));
  EXPECT_TRUE(IsValidPhaseId(std::string(40, 'a')));
  EXPECT_FALSE(IsValidPhaseId(""));
  EXPECT_FALSE(IsValidPhaseId(std::string(41, 'a')));
  EXPECT_FALSE(IsValidPhaseId("-stop"));
  EXPECT_FALSE(IsValidPhaseId("Show"));
  EXPECT_FALSE(IsValidPhaseId("a/b"));
  EXPECT_FALSE(IsValidPhaseId("a@b"));
  EXPECT_FALSE(IsValidPhaseId(std::string("a\0b", 3)));
}

TEST(JobPlanTest, PinnedDeliveryIsAnExactSlot) {
  JobInput job = Job();
  job.pinned = true;
  const Task& deliver = Find(PlanJobTasks(job), "ORDER-1042/DELIVER");
  EXPECT_TRUE(deliver.pinned);
  EXPECT_EQ(deliver.not_before, job.delivery_no_later_than - job.travel);
}

TEST(JobPlanTest, CommitmentIsTheRequestWhenMetElseTheEarliestFeasibleTime) {
  JobInput job = Job();
  std::vector<Task> tasks = PlanJobTasks(job);
  std::vector<CrewMember> crew = {
      {"w1", "Wanda", {"WAREHOUSE"}, {}, {}}, {"w2", "Walt", {"WAREHOUSE"}, {}, {}},
      {"d1", "Dana", {"DRIVER"}, {}, {}},     {"v1", "Vic", {"VIDEO"}, {}, {}},
      {"v2", "Val", {"VIDEO"}, {}, {}},       {"a1", "Abe", {"AUDIO"}, {}, {}}};
  std::vector<Vehicle> trucks = {{"TRUCK-1", {}}};
  PlannedCommitment met = CommitmentFor(job, tasks, AssignTasks(tasks, crew, trucks));
  EXPECT_TRUE(met.meets_request);
  EXPECT_EQ(met.no_later_than, job.delivery_no_later_than);

  // The only truck is in the workshop until 09:00: delivery can arrive 10:00 at best.
  trucks[0].unavailable = {{0, 10 * kDay + 9 * kHour}};
  AssignmentResult late = AssignTasks(tasks, crew, trucks);
  PlannedCommitment missed = CommitmentFor(job, tasks, late);
  EXPECT_FALSE(missed.meets_request);
  EXPECT_EQ(missed.no_later_than, 10 * kDay + 10 * kHour);
  EXPECT_NE(missed.explanation.find("VEHICLE_SHORTAGE"), std::string::npos) << missed.explanation;
}

}  // namespace
}  // namespace salesops::scheduling

namespace salesops::scheduling {
namespace {
TEST(LatestSafeStartTest, LatestStartWithSomeoneActuallyFree) {
  // Prep of 4 h must end by 20:00; earliest 00:00.
  const Minutes h = 60;
  std::vector<std::vector<WeightedSpan>> people = {
      {{{15 * h, 19 * h}, 1.0}},  // Wanda: firm load-out 15-19
      {{{17 * h, 21 * h}, 0.3}},  // Walt: an unlikely quote's work 17-21 (does not block)
  };
  EXPECT_EQ(LatestSafeStart(0, 20 * h, 4 * h, people), 16 * h);  // Walt, 16:00-20:00
  people[1][0].weight = 0.8;  // the quote is now likely: Walt is taken
  EXPECT_EQ(LatestSafeStart(0, 20 * h, 4 * h, people), 13 * h);  // Walt before 17:00
  people[1].push_back({{0, 17 * h}, 1.0});
  EXPECT_EQ(LatestSafeStart(0, 20 * h, 4 * h, people), 11 * h);             // Wanda before 15:00
  EXPECT_EQ(LatestSafeStart(12 * h, 20 * h, 4 * h, people), std::nullopt);  // too late already
}

}  // namespace
}  // namespace salesops::scheduling

namespace salesops::scheduling {
namespace {
TEST(AdvisePrepTest, SaysWhenToStartAndFlagsLatePrep) {
  const Minutes h = 60;
  PrepFacts facts;
  facts.not_before = 0;
  facts.no_later_than = 20 * h;
  facts.duration = 4 * h;
  facts.load_out_by = 21 * h;
  facts.warehouse_work = {{{{15 * h, 19 * h}, 1.0}}};
  auto clock = [](Minutes m) { return std::to_string(m / 60) + "h"; };
  PrepAdvice advice = AdvisePrep(facts, 0, clock);
  EXPECT_EQ(advice.latest_safe_start, 11 * h);
  EXPECT_FALSE(advice.late);
  EXPECT_EQ(advice.explanation, "start prep by 11h to load out by 21h");
  EXPECT_TRUE(AdvisePrep(facts, 12 * h, clock).late);  // past the latest safe start
  facts.started = true;
  EXPECT_FALSE(AdvisePrep(facts, 12 * h, clock).late);  // already under way
  facts.started = false;
  facts.tentative = true;
  facts.win_probability = 0.3;
  EXPECT_NE(AdvisePrep(facts, 0, clock).explanation.find("30% likely"), std::string::npos);
}

}  // namespace
}  // namespace salesops::scheduling
