// Jobs planned from orders, assigned globally, with commitments, over real gRPC.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using google::protobuf::util::TimeUtil;

class JobsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    // Three days from now at midnight UTC: every test day is in the future.
    int64_t now = TimeUtil::GetCurrentTime().seconds();
    day0_ = (now / 86400 + 3) * 86400;
    AddCrewAndTruck(scheduling_);
  }

  // Two warehouse people, a driver, two video technicians, one audio technician, one truck.
  static void AddCrewAndTruck(ServiceFixture<v1::SchedulingService>& scheduling) {
    for (const auto& [id, skill] :
         std::vector<std::pair<std::string, v1::Skill>>{{"wanda", v1::SKILL_WAREHOUSE},
                                                        {"walt", v1::SKILL_WAREHOUSE},
                                                        {"dana", v1::SKILL_DRIVER},
                                                        {"vic", v1::SKILL_VIDEO},
                                                        {"val", v1::SKILL_VIDEO},
                                                        {"abe", v1::SKILL_AUDIO}}) {
      v1::CreateCrewMemberRequest request;
      request.mutable_crew_member()->set_crew_member_id(id);
      request.mutable_crew_member()->set_display_name(id);
      request.mutable_crew_member()->add_skills(skill);
      request.mutable_crew_member()->set_active(true);
      v1::CreateCrewMemberResponse response;
      ASSERT_TRUE(scheduling.Call(&Stub::CreateCrewMember, request, &response).ok());
    }
    v1::CreateVehicleRequest truck;
    truck.mutable_vehicle()->set_vehicle_id("TRUCK-1");
    truck.mutable_vehicle()->set_display_name("Box truck");
    truck.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
    truck.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse created;
    ASSERT_TRUE(scheduling.Call(&Stub::CreateVehicle, truck, &created).ok());
  }

  google::protobuf::Timestamp At(double hours) {
    return TimeUtil::SecondsToTimestamp(day0_ + static_cast<int64_t>(hours * 3600));
  }

  v1::PlanJobRequest Plan(const std::string& order, int64_t revision, int video_hours = 4) {
    v1::PlanJobRequest request;
    request.set_order_id(order);
    request.set_order_revision(revision);
    auto* video = request.add_crew_needs();
    video->set_skill(v1::SKILL_VIDEO);
    video->mutable_duration()->set_seconds(video_hours * 3600);
    video->set_headcount(2);
    auto* audio = request.add_crew_needs();
    audio->set_skill(v1::SKILL_AUDIO);
    audio->mutable_duration()->set_seconds(2 * 3600);
    audio->set_headcount(1);
    request.mutable_prep_duration()->set_seconds(4 * 3600);
    *request.mutable_event_schedule()->mutable_show_start_time() = At(19);
    *request.mutable_event_schedule()->mutable_show_end_time() = At(23);
    *request.mutable_delivery_window()->mutable_window()->mutable_not_before() = At(6);
    *request.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(8);
    request.mutable_venue()->set_name("Grand Hall");
    request.mutable_venue()->mutable_travel_time()->set_seconds(3600);
    return request;
  }

  // ORDER-1's audio setup put after the show starts, as arrival order can leave things; returns
  // where it now starts (minutes since the epoch).
  int64_t MakeAudioSetupLate(ServiceFixture<v1::SchedulingService>& scheduling) {
    pqxx::connection connection(scheduling.database().connection_string());
    pqxx::work change(connection);
    const int64_t late_start = At(19.5).seconds() / 60;
    change.exec_params(
        "UPDATE tasks SET planned_start = $1::bigint, planned_finish = $1::bigint + 120, "
        "late = true, revision = revision + 1 WHERE task_id = 'ORDER-1/SETUP-AUDIO'",
        late_start);
    change.commit();
    return late_start;
  }

  int Events(const std::string& type) { return EventsIn(scheduling_, type); }
  static int EventsIn(ServiceFixture<v1::SchedulingService>& scheduling, const std::string& type) {
    pqxx::connection connection(scheduling.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec_params1("SELECT count(*) FROM outbox WHERE event_type = $1", type)[0]
        .as<int>();
  }

  int64_t day0_ = 0;
  ServiceFixture<v1::SchedulingService> scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

TEST_F(JobsApiTest, PlanningAssignsEveryTaskAndCommitsToTheRequestedTime) {
  v1::PlanJobResponse planned;
  grpc::Status status =
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Job& job = planned.job();
  ASSERT_EQ(job.tasks_size(), 8);
  for (const v1::Task& task : job.tasks()) {
    EXPECT_FALSE(task.assignments().empty()) << task.task_id();
    EXPECT_FALSE(task.at_risk()) << task.task_id() << ": " << task.at_risk_explanation();
    EXPECT_LE(task.planned_finish_time().seconds(), task.window().no_later_than().seconds());
  }
  EXPECT_TRUE(job.commitment().meets_request());
  EXPECT_EQ(job.commitment().no_later_than().seconds(), At(8).seconds());
  EXPECT_EQ(planned.change().added_task_ids_size(), 8);
  EXPECT_EQ(Events("EVENT_TYPE_JOB_PLANNED"), 1);
  EXPECT_EQ(Events("EVENT_TYPE_COMMITMENT_CHANGED"), 1);
  // Every assignment explains itself.
  EXPECT_NE(job.tasks(2).assignments(0).explanation().find("dana"), std::string::npos)
      << job.tasks(2).assignments(0).explanation();
}

TEST_F(JobsApiTest, PlanIsIdempotentPerRevisionAndANewRevisionReportsWhatChanged) {
  v1::PlanJobResponse first, again, second;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &first, scheduling_.tokens().service)
          .ok());
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &again, scheduling_.tokens().service)
          .ok());
  EXPECT_EQ(again.change().added_task_ids_size(), 0);
  EXPECT_EQ(Events("EVENT_TYPE_JOB_PLANNED"), 1);

  ASSERT_TRUE(scheduling_
                  .Call(&Stub::PlanJob, Plan("ORDER-1", 2, /*video_hours=*/6), &second,
                        scheduling_.tokens().service)
                  .ok());
  ASSERT_EQ(second.change().changed_task_ids_size(), 2);  // video setup and strike
  EXPECT_EQ(second.change().changed_task_ids(0), "ORDER-1/SETUP-VIDEO");
  EXPECT_GT(second.change().crew_time_delta().seconds(), 0);

  grpc::Status stale =
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &again, scheduling_.tokens().service);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(stale).reason, "STALE_REVISION");
}

TEST_F(JobsApiTest, ALateDeliverySaysWhyAndRefusesWhenAskedTo) {
  // The only truck is in the workshop until 07:30; the venue is an hour away.
  v1::AddUnavailabilityRequest repair;
  repair.mutable_unavailability()->set_vehicle_id("TRUCK-1");
  repair.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_REPAIR);
  *repair.mutable_unavailability()->mutable_window()->mutable_not_before() = At(-48);
  *repair.mutable_unavailability()->mutable_window()->mutable_no_later_than() = At(7.5);
  v1::AddUnavailabilityResponse added;
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, repair, &added).ok());

  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  const v1::Commitment& commitment = planned.job().commitment();
  EXPECT_FALSE(commitment.meets_request());
  EXPECT_EQ(commitment.no_later_than().seconds(), At(8.5).seconds());
  EXPECT_NE(commitment.explanation().find("VEHICLE_SHORTAGE"), std::string::npos)
      << commitment.explanation();
  EXPECT_GE(planned.job().at_risk_task_count(), 1);
  EXPECT_GE(Events("EVENT_TYPE_TASK_AT_RISK"), 1);

  v1::PlanJobRequest strict = Plan("ORDER-2", 1);
  strict.set_refuse_if_late(true);
  grpc::Status refused =
      scheduling_.Call(&Stub::PlanJob, strict, &planned, scheduling_.tokens().service);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(refused).reason, "DEADLINE_INFEASIBLE");
  EXPECT_NE(common::ParseGrpcError(refused).metadata.count("earliest_feasible_delivery_time"), 0u);
  v1::GetJobStatusRequest status_request;
  status_request.set_order_id("ORDER-2");
  v1::GetJobStatusResponse status;
  // Refused before anything was written: no job, no task holding anyone's time.
  EXPECT_EQ(scheduling_.Call(&Stub::GetJobStatus, status_request, &status).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(JobsApiTest, FieldProgressIsReportedByOpsOnly) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  v1::UpdateTaskStateRequest request;
  request.set_task_id("ORDER-1/PREP");
  request.set_state(v1::TASK_STATE_STARTED);
  v1::UpdateTaskStateResponse response;
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateTaskState, request, &response, scheduling_.tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      scheduling_.Call(&Stub::UpdateTaskState, request, &response, scheduling_.tokens().ops).ok());
  EXPECT_EQ(response.task().state(), v1::TASK_STATE_STARTED);

  request.set_task_id("ORDER-1/LOAD_OUT");
  request.set_state(v1::TASK_STATE_BLOCKED);
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateTaskState, request, &response, scheduling_.tokens().ops)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a blocked task needs a note
  request.set_note("forklift broken");
  ASSERT_TRUE(
      scheduling_.Call(&Stub::UpdateTaskState, request, &response, scheduling_.tokens().ops).ok());

  v1::GetJobStatusRequest status_request;
  status_request.set_order_id("ORDER-1");
  v1::GetJobStatusResponse status;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::GetJobStatus, status_request, &status, scheduling_.tokens().sales)
          .ok());
  EXPECT_EQ(status.job().tasks(0).state(), v1::TASK_STATE_STARTED);
  EXPECT_TRUE(status.job().tasks(0).assignments(0).frozen());
  EXPECT_EQ(status.job().tasks(1).at_risk_reason(), v1::AT_RISK_REASON_TASK_BLOCKED);
  EXPECT_EQ(status.job().tasks(1).state_note(), "forklift broken");

  // Only the delivery done puts the order on site.
  EXPECT_EQ(Events("EVENT_TYPE_ON_SITE"), 0);
  request.set_task_id("ORDER-1/DELIVER");
  request.set_state(v1::TASK_STATE_DONE);
  request.clear_note();
  ASSERT_TRUE(
      scheduling_.Call(&Stub::UpdateTaskState, request, &response, scheduling_.tokens().ops).ok());
  EXPECT_EQ(Events("EVENT_TYPE_ON_SITE"), 1);

  status_request.set_order_id("NO-SUCH-ORDER");
  EXPECT_EQ(scheduling_.Call(&Stub::GetJobStatus, status_request, &status).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// salesops_scheduling_tasks_at_risk{reason} on /metrics, as a dashboard would read it.
std::map<std::string, double> TasksAtRiskGauge(int metrics_port) {
  std::map<std::string, double> values;
  std::istringstream page(FetchMetrics(metrics_port));
  const std::string prefix = "salesops_scheduling_tasks_at_risk{reason=\"";
  for (std::string line; std::getline(page, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    size_t quote = line.find('"', prefix.size());
    values[line.substr(prefix.size(), quote - prefix.size())] = std::stod(line.substr(quote + 3));
  }
  return values;
}

TEST_F(JobsApiTest, TasksAtRiskGaugeCountsWhatJobStatusFlags) {
  std::map<std::string, double> before = TasksAtRiskGauge(scheduling_.metrics_port());
  EXPECT_EQ(before.size(), 7u);  // every reason (crew_pending too), zero when none
  for (const auto& [reason, count] : before) EXPECT_EQ(count, 0) << reason;

  // No truck until 07:30 with the venue an hour away: the delivery chain runs late.
  v1::AddUnavailabilityRequest repair;
  repair.mutable_unavailability()->set_vehicle_id("TRUCK-1");
  repair.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_REPAIR);
  *repair.mutable_unavailability()->mutable_window()->mutable_not_before() = At(-48);
  *repair.mutable_unavailability()->mutable_window()->mutable_no_later_than() = At(7.5);
  v1::AddUnavailabilityResponse added;
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, repair, &added).ok());
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  // Blocked from the field: counted as task_blocked whatever else it is.
  v1::UpdateTaskStateRequest block;
  block.set_task_id("ORDER-1/PREP");
  block.set_state(v1::TASK_STATE_BLOCKED);
  block.set_note("forklift broken");
  v1::UpdateTaskStateResponse blocked;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::UpdateTaskState, block, &blocked, scheduling_.tokens().ops).ok());

  v1::GetJobStatusRequest status_request;
  status_request.set_order_id("ORDER-1");
  v1::GetJobStatusResponse status;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetJobStatus, status_request, &status).ok());
  std::map<std::string, double> expected;
  for (const auto& [reason, count] : before) expected[reason] = 0;
  for (const v1::Task& task : status.job().tasks()) {
    if (!task.at_risk()) continue;
    std::string reason = v1::AtRiskReason_Name(task.at_risk_reason()).substr(15);
    std::transform(reason.begin(), reason.end(), reason.begin(), ::tolower);
    expected[reason] += 1;
  }
  EXPECT_EQ(expected["task_blocked"], 1);
  EXPECT_GE(expected["vehicle_shortage"] + expected["predecessor_late"], 1);
  EXPECT_EQ(TasksAtRiskGauge(scheduling_.metrics_port()), expected);
}

TEST_F(JobsApiTest, CapacityCheckSaysWhatIsShortAndWhenItFits) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  v1::CheckCapacityRequest request;
  auto* need = request.add_crew_needs();
  need->set_skill(v1::SKILL_VIDEO);
  need->mutable_duration()->set_seconds(10 * 3600);
  need->set_headcount(2);
  *request.mutable_window()->mutable_not_before() = At(8);
  *request.mutable_window()->mutable_no_later_than() = At(19);
  v1::CheckCapacityResponse response;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::CheckCapacity, request, &response, scheduling_.tokens().sales).ok());
  // Both video technicians set up ORDER-1's wall that morning: no room for 2 x 10 h more.
  EXPECT_FALSE(response.fits()) << response.explanation();
  EXPECT_FALSE(response.explanation().empty());
  EXPECT_EQ(response.earliest_fitting_window().not_before().seconds(), At(32).seconds());

  // The same order re-checking itself does not compete with its own plan.
  request.set_exclude_order_id("ORDER-1");
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, request, &response).ok());
  EXPECT_TRUE(response.fits()) << response.explanation();

  need->set_headcount(3);  // only two video technicians exist
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, request, &response).ok());
  EXPECT_FALSE(response.fits());
  ASSERT_EQ(response.shortfalls_size(), 1);
  EXPECT_EQ(response.shortfalls(0).skill(), v1::SKILL_VIDEO);
  EXPECT_FALSE(response.has_earliest_fitting_window());
}

TEST_F(JobsApiTest, CapacityIsAnsweredWhileAPlanIsBeingWritten) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  // A writer (here: this test) holds the task table against every other writer.
  pqxx::connection connection(scheduling_.database().connection_string());
  pqxx::work holder(connection);
  holder.exec("LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE");

  v1::CheckCapacityRequest request;
  auto* need = request.add_crew_needs();
  need->set_skill(v1::SKILL_AUDIO);
  need->mutable_duration()->set_seconds(3600);
  need->set_headcount(1);
  *request.mutable_window()->mutable_not_before() = At(8);
  *request.mutable_window()->mutable_no_later_than() = At(19);
  v1::CheckCapacityResponse response;
  // Capacity reads a snapshot: it neither waits for writers nor times out behind them.
  grpc::Status status =
      scheduling_.Call(&Stub::CheckCapacity, request, &response, scheduling_.tokens().sales);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.fits()) << response.explanation();
  holder.abort();
}

TEST_F(JobsApiTest, ConcurrentPlansAllCompleteAndNeverDoubleBookAnyone) {
  // Twelve confirmations for the same morning, at once, for six people and one truck: the
  // plans race for the same people and days. Every one completes (late where it must be), and
  // nobody and no truck is ever in two places.
  constexpr int kPlans = 12;
  std::vector<grpc::Status> statuses(kPlans);
  std::vector<std::thread> planners;
  for (int i = 0; i < kPlans; ++i) {
    planners.emplace_back([&, i] {
      v1::PlanJobResponse planned;
      statuses[i] = scheduling_.Call(&Stub::PlanJob, Plan("RACE-" + std::to_string(i), 1), &planned,
                                     scheduling_.tokens().service);
    });
  }
  for (std::thread& planner : planners) planner.join();
  for (int i = 0; i < kPlans; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
  }
  pqxx::connection connection(scheduling_.database().connection_string());
  pqxx::nontransaction query(connection);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM jobs")[0].as<int>(), kPlans);
  pqxx::result double_booked = query.exec(
      "SELECT a.task_id, b.task_id, c FROM tasks a JOIN tasks b ON a.task_id < b.task_id "
      "AND a.planned_start < b.planned_finish AND b.planned_start < a.planned_finish "
      "AND a.planned_finish > a.planned_start AND b.planned_finish > b.planned_start, "
      "unnest(a.crew_ids) AS c WHERE c = ANY(b.crew_ids) "
      "UNION ALL SELECT a.task_id, b.task_id, a.vehicle_id FROM tasks a JOIN tasks b "
      "ON a.task_id < b.task_id AND a.vehicle_id <> '' AND a.vehicle_id = b.vehicle_id "
      "AND a.planned_start < b.planned_finish AND b.planned_start < a.planned_finish "
      "AND a.planned_finish > a.planned_start AND b.planned_finish > b.planned_start");
  for (const auto& row : double_booked) {
    ADD_FAILURE() << row[2].as<std::string>() << " is in " << row[0].as<std::string>() << " and "
                  << row[1].as<std::string>() << " at once";
  }
  EXPECT_EQ(query.exec1("SELECT count(*) FROM tasks WHERE cardinality(crew_ids) = 0")[0].as<int>(),
            0);
}

TEST_F(JobsApiTest, ReoptimisationMovesWorkOnlyToImproveItAndSaysWhy) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  MakeAudioSetupLate(scheduling_);
  v1::RunAssignmentRequest run;
  v1::RunAssignmentResponse response;
  ASSERT_TRUE(scheduling_.Call(&Stub::RunAssignment, run, &response).ok());
  ASSERT_EQ(response.run().changed_assignment_count(), 1) << response.DebugString();
  ASSERT_EQ(response.changed_tasks_size(), 1);
  const v1::Task& moved = response.changed_tasks(0);
  EXPECT_EQ(moved.task_id(), "ORDER-1/SETUP-AUDIO");
  EXPECT_FALSE(moved.at_risk());
  EXPECT_LE(moved.planned_finish_time().seconds(), At(19).seconds());
  EXPECT_NE(moved.assignments(0).explanation().find("re-optimised (late tasks 1 -> 0"),
            std::string::npos)
      << moved.assignments(0).explanation();
  EXPECT_EQ(Events("EVENT_TYPE_TASK_ASSIGNED"), 1);
  EXPECT_EQ(Events("EVENT_TYPE_SCHEDULE_CHANGED"), 1);
  // Nothing better left: a second run moves nobody.
  ASSERT_TRUE(scheduling_.Call(&Stub::RunAssignment, run, &response).ok());
  EXPECT_EQ(response.run().changed_assignment_count(), 0);
  EXPECT_EQ(Events("EVENT_TYPE_TASK_ASSIGNED"), 1);
}

TEST_F(JobsApiTest, NothingInsideTheFreezePeriodIsMovedToImproveThePlan) {
  // The same late setup, with a freeze period reaching past it.
  ServiceFixture<v1::SchedulingService> frozen{
      "scheduling", std::make_shared<TestDatabase>(), {"--freeze-hours", "240"}};
  ASSERT_TRUE(frozen.started()) << frozen.log();
  AddCrewAndTruck(frozen);
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      frozen.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, frozen.tokens().service).ok());
  const int64_t late_start = MakeAudioSetupLate(frozen);
  v1::RunAssignmentRequest run;
  v1::RunAssignmentResponse response;
  ASSERT_TRUE(frozen.Call(&Stub::RunAssignment, run, &response).ok());
  EXPECT_EQ(response.run().changed_assignment_count(), 0);
  EXPECT_EQ(EventsIn(frozen, "EVENT_TYPE_TASK_ASSIGNED"), 0);
  pqxx::connection connection(frozen.database().connection_string());
  pqxx::nontransaction query(connection);
  EXPECT_EQ(query.exec1("SELECT planned_start FROM tasks WHERE task_id = 'ORDER-1/SETUP-AUDIO'")[0]
                .as<int64_t>(),
            late_start);
}

TEST_F(JobsApiTest, ScheduleAndPrepPlanShowTheWorkAhead) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  v1::GetScheduleRequest schedule_request;
  schedule_request.set_crew_member_id("vic");
  *schedule_request.mutable_range()->mutable_not_before() = At(-72);
  *schedule_request.mutable_range()->mutable_no_later_than() = At(72);
  v1::GetScheduleResponse schedule;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetSchedule, schedule_request, &schedule).ok());
  ASSERT_EQ(schedule.entries_size(), 2);  // setup and strike of the video wall
  EXPECT_EQ(schedule.entries(0).task().task_id(), "ORDER-1/SETUP-VIDEO");
  EXPECT_EQ(schedule.entries(0).assignment().crew_member_id(), "vic");
  ASSERT_EQ(schedule.crew_loads_size(), 1);
  EXPECT_EQ(schedule.crew_loads(0).assigned_work().seconds(), 6 * 3600);  // 4 h + 2 h

  v1::GetPrepPlanRequest prep_request;
  *prep_request.mutable_range()->mutable_not_before() = At(-72);
  *prep_request.mutable_range()->mutable_no_later_than() = At(72);
  v1::GetPrepPlanResponse prep;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::GetPrepPlan, prep_request, &prep, scheduling_.tokens().sales).ok());
  ASSERT_EQ(prep.plan_size(), 1);
  EXPECT_EQ(prep.plan(0).order_id(), "ORDER-1");
  EXPECT_FALSE(prep.plan(0).prep_late());
  EXPECT_LE(prep.plan(0).latest_safe_start_time().seconds() + 4 * 3600,
            prep.plan(0).load_out_time().seconds());
  EXPECT_NE(prep.plan(0).explanation().find("start prep by"), std::string::npos);
}

TEST_F(JobsApiTest, TimeOffMovesWorkAndSaysWhichTasks) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, Plan("ORDER-1", 1), &planned, scheduling_.tokens().service)
          .ok());
  v1::AddUnavailabilityRequest off;
  off.mutable_unavailability()->set_crew_member_id("vic");
  off.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_SICK_LEAVE);
  *off.mutable_unavailability()->mutable_window()->mutable_not_before() = At(0);
  *off.mutable_unavailability()->mutable_window()->mutable_no_later_than() = At(12);
  v1::AddUnavailabilityResponse added;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::AddUnavailability, off, &added, scheduling_.tokens().ops).ok());
  std::vector<std::string> affected(added.affected_task_ids().begin(),
                                    added.affected_task_ids().end());
  EXPECT_NE(std::find(affected.begin(), affected.end(), "ORDER-1/SETUP-VIDEO"), affected.end())
      << ::testing::PrintToString(affected);
}

TEST_F(JobsApiTest, BadPlansNameTheirFields) {
  v1::PlanJobRequest request = Plan("ORDER-1", 1);
  request.mutable_crew_needs(0)->set_headcount(0);
  request.mutable_crew_needs(1)->set_skill(static_cast<v1::Skill>(99));
  *request.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(-24 * 400);
  request.mutable_event_schedule()->clear_show_end_time();
  v1::PlanJobResponse response;
  grpc::Status status =
      scheduling_.Call(&Stub::PlanJob, request, &response, scheduling_.tokens().service);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& violation : common::ParseGrpcError(status).violations) {
    fields.push_back(violation.field);
  }
  // The generic rules first (all of them), then the planner's own.
  EXPECT_NE(std::find(fields.begin(), fields.end(), "crew_needs[0].headcount"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "crew_needs[1].skill"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "delivery_window.window.not_before"),
            fields.end());  // the window is now inverted
  request = Plan("ORDER-1", 1);
  *request.mutable_delivery_window()->mutable_window()->mutable_not_before() = At(-24 * 401);
  *request.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(-24 * 400);
  request.mutable_event_schedule()->clear_show_end_time();
  status = scheduling_.Call(&Stub::PlanJob, request, &response, scheduling_.tokens().service);
  fields.clear();
  for (const auto& violation : common::ParseGrpcError(status).violations) {
    fields.push_back(violation.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"event_schedule.show_end_time",
                                              "delivery_window.window.no_later_than"}));
  v1::GetJobStatusRequest status_request;
  status_request.set_order_id("ORDER-1");
  v1::GetJobStatusResponse job;
  EXPECT_EQ(scheduling_.Call(&Stub::GetJobStatus, status_request, &job).error_code(),
            grpc::StatusCode::NOT_FOUND);  // nothing was written
}

TEST_F(JobsApiTest, ListJobsPagesByOrderAndFiltersByStateAndOrder) {
  for (const std::string order : {"ORDER-1", "ORDER-2", "ORDER-3"}) {
    v1::PlanJobResponse planned;
    ASSERT_TRUE(
        scheduling_.Call(&Stub::PlanJob, Plan(order, 1, 1), &planned, scheduling_.tokens().service)
            .ok());
  }
  v1::CancelJobRequest cancel;
  cancel.set_order_id("ORDER-2");
  v1::CancelJobResponse cancelled;
  ASSERT_TRUE(scheduling_.Call(&Stub::CancelJob, cancel, &cancelled).ok());

  // Every job, two to a page, in order-id order, without tasks unless asked.
  v1::ListJobsRequest request;
  request.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 3; ++page) {
    v1::ListJobsResponse listed;
    grpc::Status status =
        scheduling_.Call(&Stub::ListJobs, request, &listed, scheduling_.tokens().sales);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::Job& job : listed.jobs()) {
      seen.push_back(job.order_id());
      EXPECT_EQ(job.tasks_size(), 0) << job.order_id();
    }
    if (listed.next_page_token().empty()) break;
    request.set_page_token(listed.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ORDER-1", "ORDER-2", "ORDER-3"}));

  // What a reconciliation asks: the planned jobs, with their tasks.
  request = v1::ListJobsRequest();
  request.add_states(v1::JOB_STATE_PLANNED);
  request.set_include_tasks(true);
  v1::ListJobsResponse planned;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::ListJobs, request, &planned, scheduling_.tokens().service).ok());
  ASSERT_EQ(planned.jobs_size(), 2);
  EXPECT_EQ(planned.jobs(1).order_id(), "ORDER-3");
  EXPECT_EQ(planned.jobs(1).tasks_size(), 8);
  EXPECT_EQ(planned.jobs(1).tasks(0).task_id(), "ORDER-3/PREP");
  EXPECT_TRUE(planned.next_page_token().empty());

  request = v1::ListJobsRequest();
  request.set_order_id("ORDER-2");
  v1::ListJobsResponse one;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListJobs, request, &one).ok());
  ASSERT_EQ(one.jobs_size(), 1);
  EXPECT_EQ(one.jobs(0).state(), v1::JOB_STATE_CANCELLED);

  request = v1::ListJobsRequest();
  request.set_page_token("not-a-token");
  EXPECT_EQ(scheduling_.Call(&Stub::ListJobs, request, &one).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace salesops::testing
