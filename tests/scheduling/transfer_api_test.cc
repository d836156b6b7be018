// Van runs between warehouses (issue 19): PlanTransfer plans a transfer's one TRANSFER task like
// any other work, once per transfer; CancelJob frees it; re-optimisation moves it by the same
// rules. Over real gRPC, against a real scheduling process.
#include <gtest/gtest.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using google::protobuf::util::TimeUtil;

constexpr char kTransfer[] = "T-000042";

class TransferApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    v1::CreateCrewMemberRequest driver;
    driver.mutable_crew_member()->set_crew_member_id("dana");
    driver.mutable_crew_member()->set_display_name("dana");
    driver.mutable_crew_member()->add_skills(v1::SKILL_DRIVER);
    driver.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse created_driver;
    ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, driver, &created_driver).ok());
    v1::CreateVehicleRequest van;
    van.mutable_vehicle()->set_vehicle_id("VAN-1");
    van.mutable_vehicle()->set_display_name("Sprinter");
    van.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_VAN);
    van.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse created_van;
    ASSERT_TRUE(scheduling_.Call(&Stub::CreateVehicle, van, &created_van).ok());
  }

  google::protobuf::Timestamp At(double hours) const {
    return TimeUtil::SecondsToTimestamp(day0_ + static_cast<int64_t>(hours * 3600));
  }

  // Twelve projectors from Berlin to Hamburg, leaving from `depart` and arriving by `arrive`
  // (hours on day 0), `transit_hours` on the road.
  v1::PlanTransferRequest Transfer(const std::string& transfer_id, double depart, double arrive,
                                   double transit_hours, const std::string& request_id = "") const {
    v1::PlanTransferRequest request;
    request.set_request_id(request_id);
    request.set_transfer_id(transfer_id);
    request.set_from_warehouse_id("WH-BERLIN");
    request.set_to_warehouse_id("WH-HAMBURG");
    v1::InventoryLine* line = request.add_inventory_lines();
    line->set_inventory_code("PROJ-4K");
    line->set_quantity(12);
    *request.mutable_window()->mutable_not_before() = At(depart);
    *request.mutable_window()->mutable_no_later_than() = At(arrive);
    request.mutable_transit()->set_seconds(static_cast<int64_t>(transit_hours * 3600));
    return request;
  }

  grpc::Status Plan(const v1::PlanTransferRequest& request, v1::PlanTransferResponse* response,
                    const std::string& token = "") {
    return scheduling_.Call(&Stub::PlanTransfer, request, response,
                            token.empty() ? scheduling_.tokens().service : token);
  }

  v1::Job JobOf(const std::string& order_id) {
    v1::GetJobStatusRequest request;
    request.set_order_id(order_id);
    v1::GetJobStatusResponse response;
    grpc::Status status =
        scheduling_.Call(&Stub::GetJobStatus, request, &response, scheduling_.tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.job();
  }

  // The schedule of crew member `crew_member_id` (or of vehicle `vehicle_id`) on days -1 to 1.
  v1::GetScheduleResponse Schedule(const std::string& crew_member_id,
                                   const std::string& vehicle_id = "") {
    v1::GetScheduleRequest request;
    request.set_crew_member_id(crew_member_id);
    request.set_vehicle_id(vehicle_id);
    *request.mutable_range()->mutable_not_before() = At(-24);
    *request.mutable_range()->mutable_no_later_than() = At(48);
    v1::GetScheduleResponse response;
    grpc::Status status = scheduling_.Call(&Stub::GetSchedule, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Every field the INVALID_ARGUMENT answer to `request` names.
  std::vector<std::string> RefusedFields(const v1::PlanTransferRequest& request) {
    v1::PlanTransferResponse response;
    grpc::Status status = Plan(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    std::vector<std::string> fields;
    for (const auto& violation : common::ParseGrpcError(status).violations) {
      fields.push_back(violation.field);
    }
    return fields;
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int64_t>();
  }

  // The events of `type` in the outbox, oldest first.
  std::vector<v1::Event> Events(const std::string& type) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    std::vector<v1::Event> events;
    for (const auto& row : statement.exec_params(
             "SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id", type)) {
      pqxx::binarystring payload(row[0]);
      v1::Event& event = events.emplace_back();
      EXPECT_TRUE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
    }
    return events;
  }

  const int64_t day0_ = TestDayZero();
  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

bool Names(const std::vector<std::string>& fields, const std::string& field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

TEST_F(TransferApiTest, ATransferIsOneVanRunInsideItsWindowAssignedToADriverWithAVan) {
  v1::PlanTransferResponse planned;
  grpc::Status status = Plan(Transfer(kTransfer, 6, 14, 3), &planned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Job& job = planned.job();
  EXPECT_EQ(job.order_id(), kTransfer);
  EXPECT_EQ(job.order_revision(), 1);
  EXPECT_EQ(job.state(), v1::JOB_STATE_PLANNED);
  // No venue and no show were made up: the job carries the transfer's window, nothing else.
  EXPECT_FALSE(job.has_event_schedule());
  EXPECT_EQ(job.delivery_window().window().no_later_than().seconds(), At(14).seconds());
  ASSERT_EQ(job.tasks_size(), 1);
  const v1::Task& run = job.tasks(0);
  EXPECT_EQ(run.task_id(), "T-000042/TRANSFER");
  EXPECT_EQ(run.kind(), v1::TASK_KIND_TRANSFER);
  EXPECT_EQ(run.state(), v1::TASK_STATE_ASSIGNED);
  EXPECT_EQ(run.skill(), v1::SKILL_DRIVER);
  EXPECT_EQ(run.headcount(), 1);
  EXPECT_EQ(run.duration().seconds(), 3 * 3600);
  EXPECT_EQ(run.window().not_before().seconds(), At(6).seconds());
  EXPECT_EQ(run.window().no_later_than().seconds(), At(14).seconds());
  EXPECT_GE(run.planned_start_time().seconds(), At(6).seconds());
  EXPECT_LE(run.planned_finish_time().seconds(), At(14).seconds());
  EXPECT_FALSE(run.at_risk()) << run.at_risk_explanation();
  ASSERT_EQ(run.assignments_size(), 1);
  EXPECT_EQ(run.assignments(0).crew_member_id(), "dana");
  EXPECT_EQ(run.assignments(0).vehicle_id(), "VAN-1");
  EXPECT_NE(run.assignments(0).explanation().find("dana"), std::string::npos)
      << run.assignments(0).explanation();
  // The arrival is committed as a delivery is.
  EXPECT_TRUE(job.commitment().meets_request()) << job.commitment().explanation();
  EXPECT_EQ(job.commitment().no_later_than().seconds(), At(14).seconds());

  // Every view of the schedule shows it like any other work.
  const v1::Job status_job = JobOf(kTransfer);
  ASSERT_EQ(status_job.tasks_size(), 1);
  EXPECT_EQ(status_job.tasks(0).kind(), v1::TASK_KIND_TRANSFER);
  EXPECT_EQ(status_job.tasks(0).assignments(0).crew_member_id(), "dana");
  v1::ListJobsRequest list;
  list.set_order_id(kTransfer);
  list.set_include_tasks(true);
  v1::ListJobsResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListJobs, list, &listed, scheduling_.tokens().service).ok());
  ASSERT_EQ(listed.jobs_size(), 1);
  ASSERT_EQ(listed.jobs(0).tasks_size(), 1);
  EXPECT_EQ(listed.jobs(0).tasks(0).kind(), v1::TASK_KIND_TRANSFER);
  const v1::GetScheduleResponse driver = Schedule("dana");
  ASSERT_EQ(driver.entries_size(), 1);
  EXPECT_EQ(driver.entries(0).task().task_id(), "T-000042/TRANSFER");
  ASSERT_EQ(driver.crew_loads_size(), 1);
  EXPECT_EQ(driver.crew_loads(0).assigned_work().seconds(), 3 * 3600);
  EXPECT_EQ(Schedule("", "VAN-1").entries_size(), 1);
  const std::vector<v1::Event> plans = Events("EVENT_TYPE_JOB_PLANNED");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].order_id(), kTransfer);
  EXPECT_EQ(plans[0].summary(), "Transfer T-000042 from WH-BERLIN to WH-HAMBURG: van run planned");
}

TEST_F(TransferApiTest, TheSameTransferAgainPlansNothingNewAndAnotherBodyIsRefused) {
  const v1::PlanTransferRequest request = Transfer(kTransfer, 6, 14, 3, "transfer-42");
  v1::PlanTransferResponse first, retried, again;
  ASSERT_TRUE(Plan(request, &first).ok());
  // A retry with the same request_id is answered the first answer.
  ASSERT_TRUE(Plan(request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), first.SerializeAsString());
  // The same transfer under a fresh request_id (a caller that lost its id) finds its job.
  v1::PlanTransferRequest fresh = request;
  fresh.set_request_id("transfer-42-again");
  grpc::Status status = Plan(fresh, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(again.job().tasks_size(), 1);
  EXPECT_EQ(again.job().tasks(0).task_id(), first.job().tasks(0).task_id());
  EXPECT_EQ(again.job().tasks(0).planned_start_time().seconds(),
            first.job().tasks(0).planned_start_time().seconds());
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 1);
  EXPECT_EQ(Events("EVENT_TYPE_JOB_PLANNED").size(), 1u);

  // A transfer's van run is planned once: another body under its id is refused.
  v1::PlanTransferRequest changed = Transfer(kTransfer, 6, 14, 4, "transfer-42-longer");
  v1::PlanTransferResponse refused;
  status = Plan(changed, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(common::ParseGrpcError(status).reason, "ALREADY_EXISTS");
  EXPECT_EQ(JobOf(kTransfer).tasks(0).duration().seconds(), 3 * 3600);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 1);
}

TEST_F(TransferApiTest, AnOrderAndATransferNeverShareAJob) {
  v1::PlanTransferResponse planned;
  ASSERT_TRUE(Plan(Transfer(kTransfer, 6, 14, 3), &planned).ok());
  v1::PlanJobResponse job;
  grpc::Status status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, kTransfer, 1), &job,
                                         scheduling_.tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(JobOf(kTransfer).tasks_size(), 1);

  ASSERT_TRUE(
      scheduling_
          .Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-1", 1), &job, scheduling_.tokens().service)
          .ok());
  v1::PlanTransferResponse refused;
  status = Plan(Transfer("ORDER-1", 6, 14, 3), &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(JobOf("ORDER-1").tasks_size(), 8);
}

TEST_F(TransferApiTest, CancelJobFreesTheVanRunAndALateRetryDoesNotBringItBack) {
  v1::PlanTransferResponse planned;
  ASSERT_TRUE(Plan(Transfer(kTransfer, 6, 14, 3, "plan-42"), &planned).ok());
  const int64_t start = planned.job().tasks(0).planned_start_time().seconds();
  v1::CancelJobRequest cancel;
  cancel.set_order_id(kTransfer);
  cancel.set_order_revision(1);
  cancel.set_reason("transfer cancelled");
  v1::CancelJobResponse cancelled;
  grpc::Status status =
      scheduling_.Call(&Stub::CancelJob, cancel, &cancelled, scheduling_.tokens().service);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cancelled.job().state(), v1::JOB_STATE_CANCELLED);
  ASSERT_EQ(cancelled.job().tasks_size(), 1);
  EXPECT_EQ(cancelled.job().tasks(0).state(), v1::TASK_STATE_CANCELLED);
  EXPECT_EQ(cancelled.job().tasks(0).assignments_size(), 0);
  EXPECT_EQ(Schedule("dana").entries_size(), 0);

  // The same transfer arriving after the cancel (a retry under a new request_id) is answered
  // the cancelled job.
  v1::PlanTransferResponse late;
  status = Plan(Transfer(kTransfer, 6, 14, 3, "plan-42-retry"), &late);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(late.job().state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE state <> 6"), 0);

  // The freed time goes to the next run.
  v1::PlanTransferResponse next;
  ASSERT_TRUE(Plan(Transfer("T-000043", 6, 14, 3), &next).ok());
  EXPECT_EQ(next.job().tasks(0).planned_start_time().seconds(), start);
  EXPECT_EQ(next.job().tasks(0).assignments(0).crew_member_id(), "dana");

  // A compensation that overtakes its plan fences it, as it fences a PlanJob.
  v1::CancelJobRequest undo;
  undo.set_order_id("T-000044");
  undo.set_undo_request_id("plan-44");
  ASSERT_TRUE(
      scheduling_.Call(&Stub::CancelJob, undo, &cancelled, scheduling_.tokens().service).ok());
  status = Plan(Transfer("T-000044", 6, 14, 3, "plan-44"), &late);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STEP_UNDONE");
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE order_id = 'T-000044'"), 0);
}

TEST_F(TransferApiTest, BadTransfersNameTheirFields) {
  // Three hours of driving in a two-hour window.
  EXPECT_EQ(RefusedFields(Transfer(kTransfer, 6, 8, 3)), std::vector<std::string>{"transit"});
  EXPECT_EQ(RefusedFields(Transfer(kTransfer, 6, 8, 0)), std::vector<std::string>{"transit"});
  EXPECT_TRUE(Names(RefusedFields(Transfer("", 6, 14, 3)), "transfer_id"));
  // Arriving before leaving.
  EXPECT_TRUE(Names(RefusedFields(Transfer(kTransfer, 14, 6, 3)), "window.not_before"));
  v1::PlanTransferRequest open_start = Transfer(kTransfer, 6, 14, 3);
  open_start.mutable_window()->clear_not_before();
  EXPECT_EQ(RefusedFields(open_start), std::vector<std::string>{"window.not_before"});
  v1::PlanTransferRequest no_transit = Transfer(kTransfer, 6, 14, 3);
  no_transit.clear_transit();
  EXPECT_EQ(RefusedFields(no_transit), std::vector<std::string>{"transit"});
  v1::PlanTransferRequest nowhere = Transfer(kTransfer, 6, 14, 3);
  nowhere.set_to_warehouse_id("WH-BERLIN");
  EXPECT_EQ(RefusedFields(nowhere), std::vector<std::string>{"to_warehouse_id"});
  v1::PlanTransferRequest past = Transfer(kTransfer, -24 * 10, -24 * 9, 3);
  EXPECT_EQ(RefusedFields(past), std::vector<std::string>{"window.no_later_than"});
  EXPECT_EQ(Count("SELECT count(*) FROM jobs"), 0);  // nothing was written
}

TEST_F(TransferApiTest, OnlyServicesAndAdminsPlanTransfers) {
  v1::PlanTransferResponse response;
  EXPECT_EQ(Plan(Transfer(kTransfer, 6, 14, 3), &response, scheduling_.tokens().ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Plan(Transfer(kTransfer, 6, 14, 3), &response, scheduling_.tokens().sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("SELECT count(*) FROM jobs"), 0);
  EXPECT_TRUE(Plan(Transfer(kTransfer, 6, 14, 3), &response, scheduling_.tokens().admin).ok());
}

TEST_F(TransferApiTest, ReoptimisationMovesVanRunsLikeOtherWork) {
  // The first run takes the morning; the second, due by 08:00, arrives later and is late.
  v1::PlanTransferResponse flexible, urgent;
  ASSERT_TRUE(Plan(Transfer("T-000001", 6, 20, 2), &flexible).ok());
  EXPECT_EQ(flexible.job().tasks(0).planned_start_time().seconds(), At(6).seconds());
  ASSERT_TRUE(Plan(Transfer("T-000002", 6, 8, 2), &urgent).ok());
  EXPECT_TRUE(urgent.job().tasks(0).at_risk());
  EXPECT_FALSE(urgent.job().commitment().meets_request());

  v1::RunAssignmentRequest run;
  v1::RunAssignmentResponse response;
  ASSERT_TRUE(scheduling_.Call(&Stub::RunAssignment, run, &response).ok());
  EXPECT_EQ(response.run().late_task_count(), 0) << response.DebugString();
  EXPECT_EQ(response.run().changed_assignment_count(), 2) << response.DebugString();
  const v1::Job now_urgent = JobOf("T-000002");
  EXPECT_FALSE(now_urgent.tasks(0).at_risk()) << now_urgent.tasks(0).at_risk_explanation();
  EXPECT_EQ(now_urgent.tasks(0).planned_start_time().seconds(), At(6).seconds());
  EXPECT_NE(
      now_urgent.tasks(0).assignments(0).explanation().find("re-optimised (late tasks 1 -> 0"),
      std::string::npos)
      << now_urgent.tasks(0).assignments(0).explanation();
  EXPECT_TRUE(now_urgent.commitment().meets_request()) << now_urgent.commitment().explanation();
  EXPECT_EQ(JobOf("T-000001").tasks(0).planned_start_time().seconds(), At(8).seconds());
}

}  // namespace
}  // namespace salesops::testing
