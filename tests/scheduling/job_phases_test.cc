// An order with phases (issue 17): one PlanJob, one job, each phase planned and committed in its
// own window; refusal, re-planning, cancelling, retries and capacity over all phases at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using google::protobuf::util::TimeUtil;

class JobPhasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
  }

  google::protobuf::Timestamp At(double hours) const {
    return TimeUtil::SecondsToTimestamp(day0_ + static_cast<int64_t>(hours * 3600));
  }

  // The show of ShowPlan `days` later: delivered 06:00-08:00, on stage 19:00-23:00.
  v1::JobPhase ShowPhase(const std::string& phase_id, int days, int video_hours = 4) const {
    v1::JobPhase phase;
    phase.set_phase_id(phase_id);
    phase.set_name("Show day " + std::to_string(days));
    const double day = 24.0 * days;
    *phase.mutable_event_schedule()->mutable_show_start_time() = At(day + 19);
    *phase.mutable_event_schedule()->mutable_show_end_time() = At(day + 23);
    *phase.mutable_delivery_window()->mutable_window()->mutable_not_before() = At(day + 6);
    *phase.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(day + 8);
    phase.mutable_venue()->set_name("Arena");
    phase.mutable_venue()->mutable_travel_time()->set_seconds(3600);
    auto* video = phase.add_crew_needs();
    video->set_skill(v1::SKILL_VIDEO);
    video->mutable_duration()->set_seconds(video_hours * 3600);
    video->set_headcount(2);
    phase.mutable_prep_duration()->set_seconds(2 * 3600);
    auto* line = phase.add_inventory_lines();
    line->set_inventory_code("LED-PANEL");
    line->set_quantity(12);
    return phase;
  }

  // A rehearsal on day 0 (the main phase) and the show two days later.
  v1::PlanJobRequest RehearsalAndShow(const std::string& order, int64_t revision = 1,
                                      const std::string& request_id = "") const {
    v1::PlanJobRequest request = ShowPlan(day0_, order, revision, request_id);
    *request.add_phases() = ShowPhase("show-day", 2);
    return request;
  }

  grpc::Status Plan(const v1::PlanJobRequest& request, v1::PlanJobResponse* response) {
    return scheduling_.Call(&Stub::PlanJob, request, response, scheduling_.tokens().service);
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int64_t>();
  }

  // Every field the INVALID_ARGUMENT answer to `request` names; nothing may have been written.
  std::vector<std::string> RefusedFields(const v1::PlanJobRequest& request) {
    v1::PlanJobResponse response;
    grpc::Status status = Plan(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    std::vector<std::string> fields;
    for (const auto& violation : common::ParseGrpcError(status).violations) {
      fields.push_back(violation.field);
    }
    EXPECT_EQ(Count("SELECT count(*) FROM jobs"), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 0);
    return fields;
  }

  static const v1::Task& Find(const v1::Job& job, const std::string& task_id) {
    for (const v1::Task& task : job.tasks()) {
      if (task.task_id() == task_id) return task;
    }
    static const v1::Task kNone;
    ADD_FAILURE() << "no task " << task_id;
    return kNone;
  }

  const int64_t day0_ = TestDayZero();
  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

TEST_F(JobPhasesTest, EachPhaseIsPlannedAndCommittedInItsOwnWindow) {
  v1::PlanJobResponse planned;
  grpc::Status status = Plan(RehearsalAndShow("ORDER-1"), &planned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Job& job = planned.job();
  // The rehearsal's eight tasks (video and audio crews) and the show's six (video only).
  ASSERT_EQ(job.tasks_size(), 14);
  int show_tasks = 0;
  for (const v1::Task& task : job.tasks()) {
    EXPECT_FALSE(task.assignments().empty()) << task.task_id();
    EXPECT_FALSE(task.at_risk()) << task.task_id() << ": " << task.at_risk_explanation();
    if (task.phase_id() != "show-day") continue;
    ++show_tasks;
    EXPECT_TRUE(task.task_id().ends_with("@show-day")) << task.task_id();
  }
  EXPECT_EQ(show_tasks, 6);

  // Each delivery is timed by its own window, and each phase's gear is prepped for it.
  const v1::Task& rehearsal_delivery = Find(job, "ORDER-1/DELIVER");
  EXPECT_EQ(rehearsal_delivery.window().no_later_than().seconds(), At(8).seconds());
  EXPECT_EQ(rehearsal_delivery.phase_id(), "");
  const v1::Task& show_delivery = Find(job, "ORDER-1/DELIVER@show-day");
  EXPECT_EQ(show_delivery.window().no_later_than().seconds(), At(48 + 8).seconds());
  EXPECT_GE(show_delivery.planned_start_time().seconds(), At(48 + 5).seconds());
  EXPECT_LE(show_delivery.planned_finish_time().seconds(), At(48 + 8).seconds());
  EXPECT_EQ(Find(job, "ORDER-1/SETUP-VIDEO@show-day").window().no_later_than().seconds(),
            At(48 + 19).seconds());
  EXPECT_EQ(Find(job, "ORDER-1/PREP@show-day").predecessor_task_ids_size(), 0);
  EXPECT_EQ(Find(job, "ORDER-1/LOAD_OUT@show-day").predecessor_task_ids(0),
            "ORDER-1/PREP@show-day");

  // The main commitment stays where it was; the show has its own.
  EXPECT_TRUE(job.commitment().meets_request());
  EXPECT_EQ(job.commitment().no_later_than().seconds(), At(8).seconds());
  ASSERT_EQ(job.phase_commitments_size(), 1);
  const v1::PhaseCommitment& show = job.phase_commitments(0);
  EXPECT_EQ(show.phase_id(), "show-day");
  EXPECT_EQ(show.name(), "Show day 2");
  EXPECT_EQ(show.delivery_window().window().no_later_than().seconds(), At(48 + 8).seconds());
  EXPECT_TRUE(show.commitment().meets_request()) << show.commitment().explanation();
  EXPECT_EQ(show.commitment().no_later_than().seconds(), At(48 + 8).seconds());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_JOB_PLANNED'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_COMMITMENT_CHANGED'"),
            2);

  // What sales reads says the same, with or without tasks.
  v1::GetJobStatusRequest status_request;
  status_request.set_order_id("ORDER-1");
  v1::GetJobStatusResponse read;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetJobStatus, status_request, &read).ok());
  EXPECT_EQ(read.job().tasks_size(), 14);
  ASSERT_EQ(read.job().phase_commitments_size(), 1);
  EXPECT_EQ(read.job().phase_commitments(0).commitment().no_later_than().seconds(),
            At(48 + 8).seconds());
  v1::ListJobsRequest list_request;
  v1::ListJobsResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListJobs, list_request, &listed).ok());
  ASSERT_EQ(listed.jobs_size(), 1);
  EXPECT_EQ(listed.jobs(0).tasks_size(), 0);
  ASSERT_EQ(listed.jobs(0).phase_commitments_size(), 1);
  EXPECT_TRUE(listed.jobs(0).phase_commitments(0).has_commitment());

  // The prep plan advises each phase's prep.
  v1::GetPrepPlanRequest prep_request;
  *prep_request.mutable_range()->mutable_not_before() = At(-72);
  *prep_request.mutable_range()->mutable_no_later_than() = At(96);
  v1::GetPrepPlanResponse prep;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetPrepPlan, prep_request, &prep).ok());
  ASSERT_EQ(prep.plan_size(), 2);
  EXPECT_EQ(prep.plan(0).phase_id(), "");
  EXPECT_EQ(prep.plan(1).phase_id(), "show-day");
  EXPECT_EQ(prep.plan(1).load_out_time().seconds(),
            Find(job, "ORDER-1/LOAD_OUT@show-day").window().no_later_than().seconds());
}

TEST_F(JobPhasesTest, ALatePhaseRefusesTheWholePlanAndNamesThePhase) {
  // The only truck is in the workshop on the show day until 07:30; the venue is an hour away.
  v1::AddUnavailabilityRequest repair;
  repair.mutable_unavailability()->set_vehicle_id("TRUCK-1");
  repair.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_REPAIR);
  *repair.mutable_unavailability()->mutable_window()->mutable_not_before() = At(36);
  *repair.mutable_unavailability()->mutable_window()->mutable_no_later_than() = At(48 + 7.5);
  v1::AddUnavailabilityResponse added;
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, repair, &added).ok());

  v1::PlanJobRequest strict = RehearsalAndShow("ORDER-1");
  strict.set_refuse_if_late(true);
  v1::PlanJobResponse planned;
  grpc::Status refused = Plan(strict, &planned);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  common::ErrorDetails details = common::ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "DEADLINE_INFEASIBLE");
  EXPECT_NE(refused.error_message().find("phase show-day"), std::string::npos)
      << refused.error_message();
  EXPECT_EQ(details.metadata["phase_id"], "show-day");
  EXPECT_NE(details.metadata.count("earliest_feasible_delivery_time"), 0u);
  // Nothing written: no job, no phase, no task holding anyone's time, no event.
  EXPECT_EQ(Count("SELECT count(*) FROM jobs"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM job_phases"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type LIKE 'EVENT_TYPE_JOB%'"), 0);

  // Accepting later, the rehearsal is committed as asked and the show later, with the reason.
  ASSERT_TRUE(Plan(RehearsalAndShow("ORDER-1"), &planned).ok());
  EXPECT_TRUE(planned.job().commitment().meets_request());
  ASSERT_EQ(planned.job().phase_commitments_size(), 1);
  const v1::Commitment& show = planned.job().phase_commitments(0).commitment();
  EXPECT_FALSE(show.meets_request());
  EXPECT_EQ(show.no_later_than().seconds(), At(48 + 8.5).seconds());
  EXPECT_NE(show.explanation().find("VEHICLE_SHORTAGE"), std::string::npos) << show.explanation();
}

TEST_F(JobPhasesTest, ANewerRevisionReplacesEveryPhaseAndCancelCancelsThemAll) {
  v1::PlanJobRequest first = RehearsalAndShow("ORDER-1", 1);
  *first.add_phases() = ShowPhase("encore", 4);
  v1::PlanJobResponse planned;
  ASSERT_TRUE(Plan(first, &planned).ok());
  ASSERT_EQ(planned.job().tasks_size(), 8 + 6 + 6);
  ASSERT_EQ(planned.job().phase_commitments_size(), 2);

  // Revision 2: no encore, and the show's video wall takes longer.
  v1::PlanJobRequest second = ShowPlan(day0_, "ORDER-1", 2);
  *second.add_phases() = ShowPhase("show-day", 2, /*video_hours=*/6);
  v1::PlanJobResponse replanned;
  ASSERT_TRUE(Plan(second, &replanned).ok());
  const v1::JobChange& change = replanned.change();
  EXPECT_EQ(change.removed_task_ids_size(), 6);
  for (const std::string& id : change.removed_task_ids()) {
    EXPECT_TRUE(id.ends_with("@encore")) << id;
  }
  std::vector<std::string> changed(change.changed_task_ids().begin(),
                                   change.changed_task_ids().end());
  EXPECT_NE(std::find(changed.begin(), changed.end(), "ORDER-1/SETUP-VIDEO@show-day"),
            changed.end())
      << ::testing::PrintToString(changed);
  EXPECT_EQ(replanned.job().order_revision(), 2);
  ASSERT_EQ(replanned.job().phase_commitments_size(), 1);
  EXPECT_EQ(replanned.job().phase_commitments(0).phase_id(), "show-day");
  EXPECT_EQ(Count("SELECT count(*) FROM job_phases"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE phase_id = 'encore' AND state <> 6"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE phase_id = 'encore' AND "
                  "(cardinality(crew_ids) > 0 OR vehicle_id <> '')"),
            0);

  // One CancelJob frees every phase.
  v1::CancelJobRequest cancel;
  cancel.set_order_id("ORDER-1");
  cancel.set_reason("client cancelled the tour");
  v1::CancelJobResponse cancelled;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::CancelJob, cancel, &cancelled, scheduling_.tokens().service).ok());
  EXPECT_EQ(cancelled.job().state(), v1::JOB_STATE_CANCELLED);
  ASSERT_EQ(cancelled.job().tasks_size(), 8 + 6 + 6);
  for (const v1::Task& task : cancelled.job().tasks()) {
    EXPECT_EQ(task.state(), v1::TASK_STATE_CANCELLED) << task.task_id();
    EXPECT_TRUE(task.assignments().empty()) << task.task_id();
  }
}

TEST_F(JobPhasesTest, ARetriedPlanWithPhasesActsOnceAndAnUndoneOneWritesNothing) {
  v1::PlanJobResponse first, again;
  ASSERT_TRUE(Plan(RehearsalAndShow("ORDER-1", 1, "confirm-1-plan"), &first).ok());
  ASSERT_TRUE(Plan(RehearsalAndShow("ORDER-1", 1, "confirm-1-plan"), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_JOB_PLANNED'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 14);

  // A saga compensating a plan with phases before it arrives: the plan is refused, whole.
  v1::CancelJobRequest undo;
  undo.set_order_id("ORDER-2");
  undo.set_undo_request_id("confirm-2-plan");
  v1::CancelJobResponse undone;
  ASSERT_TRUE(scheduling_.Call(&Stub::CancelJob, undo, &undone, scheduling_.tokens().service).ok());
  v1::PlanJobResponse refused;
  grpc::Status status = Plan(RehearsalAndShow("ORDER-2", 1, "confirm-2-plan"), &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STEP_UNDONE");
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE order_id = 'ORDER-2'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM job_phases WHERE order_id = 'ORDER-2'"), 0);
}

TEST_F(JobPhasesTest, BadPhasesAreRefusedNamingTheField) {
  v1::PlanJobRequest request = RehearsalAndShow("ORDER-1");
  *request.add_phases() = ShowPhase("show-day", 3);  // the same id twice
  request.add_phases()->CopyFrom(ShowPhase("Show Day", 4));
  EXPECT_EQ(RefusedFields(request),
            (std::vector<std::string>{"phases[1].phase_id", "phases[2].phase_id"}));

  request = RehearsalAndShow("ORDER-1");
  request.mutable_phases(0)->clear_phase_id();
  EXPECT_EQ(RefusedFields(request), std::vector<std::string>{"phases[0].phase_id"});

  request = RehearsalAndShow("ORDER-1");
  v1::Window* window = request.mutable_phases(0)->mutable_delivery_window()->mutable_window();
  *window->mutable_not_before() = At(48 + 9);  // after no_later_than
  std::vector<std::string> fields = RefusedFields(request);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "phases[0].delivery_window.window.not_before"),
            fields.end())
      << ::testing::PrintToString(fields);

  request = RehearsalAndShow("ORDER-1");
  request.mutable_phases(0)->mutable_event_schedule()->clear_show_end_time();
  EXPECT_EQ(RefusedFields(request),
            std::vector<std::string>{"phases[0].event_schedule.show_end_time"});

  request = RehearsalAndShow("ORDER-1");
  request.mutable_phases(0)->mutable_prep_duration()->set_seconds(-60);
  EXPECT_EQ(RefusedFields(request), std::vector<std::string>{"phases[0].prep_duration"});

  request = RehearsalAndShow("ORDER-1");
  *request.mutable_phases(0)->mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
      At(24 * 400);
  *request.mutable_phases(0)->mutable_delivery_window()->mutable_window()->mutable_not_before() =
      At(24 * 400 - 2);
  EXPECT_EQ(RefusedFields(request),
            std::vector<std::string>{"phases[0].delivery_window.window.no_later_than"});

  request = ShowPlan(day0_, "ORDER-1", 1);
  for (int i = 0; i < 21; ++i) *request.add_phases() = ShowPhase("stop-" + std::to_string(i), 2);
  EXPECT_EQ(RefusedFields(request), std::vector<std::string>{"phases"});
}

TEST_F(JobPhasesTest, CapacityIsCheckedPerPhaseInItsOwnWindow) {
  v1::PlanJobResponse planned;
  ASSERT_TRUE(Plan(ShowPlan(day0_, "ORDER-1", 1), &planned).ok());  // both video techs on day 0

  // The main part fits on day 1; the rehearsal phase on day 0 does not: both video
  // technicians set up ORDER-1's wall that morning.
  v1::CheckCapacityRequest request;
  auto* audio = request.add_crew_needs();
  audio->set_skill(v1::SKILL_AUDIO);
  audio->mutable_duration()->set_seconds(3600);
  audio->set_headcount(1);
  *request.mutable_window()->mutable_not_before() = At(32);
  *request.mutable_window()->mutable_no_later_than() = At(40);
  v1::CapacityPhase* rehearsal = request.add_phases();
  rehearsal->set_phase_id("rehearsal");
  auto* video = rehearsal->add_crew_needs();
  video->set_skill(v1::SKILL_VIDEO);
  video->mutable_duration()->set_seconds(10 * 3600);
  video->set_headcount(2);
  *rehearsal->mutable_window()->mutable_not_before() = At(8);
  *rehearsal->mutable_window()->mutable_no_later_than() = At(19);
  v1::CheckCapacityResponse response;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::CheckCapacity, request, &response, scheduling_.tokens().sales).ok());
  EXPECT_FALSE(response.fits());
  EXPECT_EQ(response.shortfalls_size(), 0);  // the main part is short of nothing
  EXPECT_EQ(response.earliest_fitting_window().not_before().seconds(), At(32).seconds());
  EXPECT_NE(response.explanation().find("phase rehearsal: "), std::string::npos)
      << response.explanation();
  ASSERT_EQ(response.phases_size(), 1);
  const v1::PhaseCapacity& phase = response.phases(0);
  EXPECT_EQ(phase.phase_id(), "rehearsal");
  EXPECT_FALSE(phase.fits());
  ASSERT_EQ(phase.shortfalls_size(), 1);
  EXPECT_EQ(phase.shortfalls(0).skill(), v1::SKILL_VIDEO);
  EXPECT_EQ(phase.earliest_fitting_window().not_before().seconds(), At(32).seconds());

  // Two phases in the same hours compete for the same two people: each fits alone, not both.
  v1::CrewNeed four_hours_each = *video;
  four_hours_each.mutable_duration()->set_seconds(4 * 3600);
  request = v1::CheckCapacityRequest();
  *request.add_crew_needs() = four_hours_each;
  *request.mutable_window()->mutable_not_before() = At(32);
  *request.mutable_window()->mutable_no_later_than() = At(38);
  v1::CapacityPhase* same_day = request.add_phases();
  same_day->set_phase_id("second-stage");
  *same_day->add_crew_needs() = request.crew_needs(0);
  *same_day->mutable_window() = request.window();
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, request, &response).ok());
  EXPECT_FALSE(response.fits()) << response.explanation();
  v1::CheckCapacityRequest alone = request;
  alone.clear_phases();
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, alone, &response).ok());
  EXPECT_TRUE(response.fits()) << response.explanation();

  // A bad phase is named.
  request.add_phases()->set_phase_id("second-stage");
  *request.mutable_phases(1)->mutable_window() = request.window();
  grpc::Status status = scheduling_.Call(&Stub::CheckCapacity, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(common::ParseGrpcError(status).violations.size(), 1u);
  EXPECT_EQ(common::ParseGrpcError(status).violations[0].field, "phases[1].phase_id");
}

}  // namespace
}  // namespace salesops::testing
