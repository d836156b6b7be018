// A saga's compensation fences the step it undoes (issue 16): CancelJob with undo_request_id
// refuses that PlanJob whether it arrives first, later, or is still running.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

grpc::Status PlanWithDeadline(SchedulingFixture& scheduling, const v1::PlanJobRequest& request,
                              std::chrono::milliseconds deadline) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + scheduling.tokens().service);
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  v1::PlanJobResponse response;
  return scheduling.stub().PlanJob(&context, request, &response);
}

grpc::Status Undo(SchedulingFixture& scheduling, const std::string& order_id,
                  const std::string& plan_request_id, v1::CancelJobResponse* response,
                  int64_t revision = 0) {
  v1::CancelJobRequest request;
  request.set_order_id(order_id);
  request.set_order_revision(revision);
  request.set_reason("confirm saga compensated");
  request.set_undo_request_id(plan_request_id);
  return scheduling.Call(&Stub::CancelJob, request, response, scheduling.tokens().service);
}

grpc::StatusCode JobStatusCode(SchedulingFixture& scheduling, const std::string& order_id,
                               v1::JobState* state = nullptr) {
  v1::GetJobStatusRequest request;
  request.set_order_id(order_id);
  v1::GetJobStatusResponse response;
  grpc::Status status = scheduling.Call(&Stub::GetJobStatus, request, &response);
  if (state != nullptr) *state = response.job().state();
  return status.error_code();
}

class JobFencingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
  }

  int64_t day0_ = TestDayZero();
  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

TEST_F(JobFencingTest, AnUndoThatArrivesFirstRefusesThePlanAndLeavesNoJob) {
  v1::CancelJobResponse undone;
  grpc::Status status = Undo(scheduling_, "ORDER-1", "plan-1", &undone);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(undone.job().job_id(), "") << "no job yet: the answer is an empty Job";

  v1::PlanJobResponse planned;
  status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1, "plan-1"), &planned,
                            scheduling_.tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STEP_UNDONE");
  EXPECT_EQ(JobStatusCode(scheduling_, "ORDER-1"), grpc::StatusCode::NOT_FOUND);

  // The saga's next attempt, under a new request id, plans as usual.
  status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1, "plan-2"), &planned,
                            scheduling_.tokens().service);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(planned.job().state(), v1::JOB_STATE_PLANNED);
}

TEST_F(JobFencingTest, AnUndoAfterThePlanCancelsItAndTheStepStaysUndone) {
  v1::PlanJobResponse planned;
  grpc::Status status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1, "plan-1"),
                                         &planned, scheduling_.tokens().service);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::CancelJobResponse undone;
  status = Undo(scheduling_, "ORDER-1", "plan-1", &undone, /*revision=*/1);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(undone.job().state(), v1::JOB_STATE_CANCELLED);
  // Undoing twice is still a success.
  status = Undo(scheduling_, "ORDER-1", "plan-1", &undone, /*revision=*/1);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // A retry of the undone step changes nothing...
  status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1, "plan-1"), &planned,
                            scheduling_.tokens().service);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STEP_UNDONE");
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  EXPECT_EQ(JobStatusCode(scheduling_, "ORDER-1", &state), grpc::StatusCode::OK);
  EXPECT_EQ(state, v1::JOB_STATE_CANCELLED);

  // ...while another request for the same order and revision plans it again.
  status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1, "plan-2"), &planned,
                            scheduling_.tokens().service);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(planned.job().state(), v1::JOB_STATE_PLANNED);
}

TEST_F(JobFencingTest, WithoutAnUndoCancellingNoJobIsStillNotFound) {
  v1::CancelJobRequest request;
  request.set_order_id("ORDER-9");
  v1::CancelJobResponse response;
  EXPECT_EQ(scheduling_.Call(&Stub::CancelJob, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// PlanJob sleeps 3 s right before it saves (a failpoint), as it did under load when it outlived
// order-intake's deadline. The environment is set only while the service starts.
class SlowPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("SALESOPS_FAILPOINTS", "plan_job_before_save=sleep:3000", 1);
    scheduling_ =
        std::make_unique<SchedulingFixture>("scheduling", std::make_shared<TestDatabase>());
    unsetenv("SALESOPS_FAILPOINTS");
    ASSERT_TRUE(scheduling_->started()) << scheduling_->log();
    AddCrewAndTruck(*scheduling_);
  }

  int64_t day0_ = TestDayZero();
  std::unique_ptr<SchedulingFixture> scheduling_;
};

TEST_F(SlowPlanTest, APlanThatOutlivesItsCallerLeavesNoPlannedJob) {
  grpc::Status status = PlanWithDeadline(*scheduling_, ShowPlan(day0_, "ORDER-1", 1, "plan-1"),
                                         std::chrono::seconds(1));
  ASSERT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The saga compensates at once, while scheduling is still asleep inside the plan.
  v1::CancelJobResponse undone;
  status = Undo(*scheduling_, "ORDER-1", "plan-1", &undone);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  grpc::StatusCode code = JobStatusCode(*scheduling_, "ORDER-1", &state);
  EXPECT_TRUE(code == grpc::StatusCode::NOT_FOUND || state != v1::JOB_STATE_PLANNED)
      << "a stray job: " << v1::JobState_Name(state);
}

TEST_F(SlowPlanTest, AnUndoThatOvertakesAPlanStillRunningWins) {
  // The caller still waits here, so only the fence inside the save can stop the plan.
  std::future<grpc::Status> plan = std::async(std::launch::async, [&] {
    return PlanWithDeadline(*scheduling_, ShowPlan(day0_, "ORDER-2", 1, "plan-2"),
                            std::chrono::seconds(20));
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  v1::CancelJobResponse undone;
  grpc::Status status = Undo(*scheduling_, "ORDER-2", "plan-2", &undone);
  ASSERT_TRUE(status.ok()) << status.error_message();

  status = plan.get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STEP_UNDONE");
  EXPECT_EQ(JobStatusCode(*scheduling_, "ORDER-2"), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace salesops::testing
