// The van-run dispatcher (issue 19) end to end: a real inventory process pointed at a real
// scheduling process, each on its own PostgreSQL database. A transfer created in inventory gets
// its van run (a TRANSFER task with a driver and a van) in scheduling by itself, and loses it
// when cancelled; while scheduling is down inventory keeps serving and the transfer waits, and
// once scheduling is back the run is planned (and a transfer cancelled meanwhile never is).
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using google::protobuf::util::TimeUtil;
using InventoryStub = v1::InventoryService::Stub;
using SchedulingStub = v1::SchedulingService::Stub;
using SchedulingFixture = ServiceFixture<v1::SchedulingService>;
using InventoryProcess = ServiceFixture<v1::InventoryService>;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
// Every wait is bounded: the dispatcher sweeps every 300 ms here, so these are generous.
constexpr std::chrono::seconds kPlanWait{20};
// After an outage the dispatcher's backoff (up to 30 s) may still be running.
constexpr std::chrono::seconds kRecoveryWait{45};

// Polls `holds` every 100 ms until it is true or `timeout` passes; whether it became true.
bool Eventually(const std::function<bool()>& holds, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

class VanRunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartScheduling();
    ASSERT_TRUE(scheduling_->started()) << scheduling_->log();
    AddDriverAndVan();
    inventory_ = std::make_unique<InventoryProcess>(
        "inventory", inventory_db_,
        std::vector<std::string>{"--scheduling-address", scheduling_address_,
                                 "--service-token-file", tokens_.ServiceTokenFile("inventory"),
                                 "--van-run-interval-ms", "300"});
    ASSERT_TRUE(inventory_->started()) << inventory_->log();
    PutItemAtTwoWarehouses("SPK-12");
  }

  void TearDown() override {
    if (!HasFailure()) return;
    if (inventory_) std::cerr << "--- inventory\n" << inventory_->log();
    if (scheduling_) std::cerr << "--- scheduling\n" << scheduling_->log();
  }

  // Scheduling on the same address and database every time, as a restarted pod would be.
  void StartScheduling() {
    scheduling_ = std::make_unique<SchedulingFixture>(
        "scheduling", scheduling_db_,
        std::vector<std::string>{"--listen-address", scheduling_address_});
  }

  void AddDriverAndVan() {
    v1::CreateCrewMemberRequest driver;
    driver.mutable_crew_member()->set_crew_member_id("dana");
    driver.mutable_crew_member()->set_display_name("Dana Driver");
    driver.mutable_crew_member()->add_skills(v1::SKILL_DRIVER);
    driver.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse created_driver;
    grpc::Status status =
        scheduling_->Call(&SchedulingStub::CreateCrewMember, driver, &created_driver);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::CreateVehicleRequest van;
    van.mutable_vehicle()->set_vehicle_id("VAN-1");
    van.mutable_vehicle()->set_display_name("Sprinter");
    van.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_VAN);
    van.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse created_van;
    status = scheduling_->Call(&SchedulingStub::CreateVehicle, van, &created_van);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Ten speakers, homed at MAIN, four of them kept at SOUTH.
  void PutItemAtTwoWarehouses(const std::string& code) {
    v1::UpsertItemRequest item;
    item.mutable_item()->set_inventory_code(code);
    item.mutable_item()->set_description("Speaker " + code);
    item.mutable_item()->set_quantity_owned(10);
    item.mutable_item()->set_tracking(v1::TRACKING_MODE_BULK);
    item.mutable_item()->set_warehouse_id("MAIN");
    v1::UpsertItemResponse upserted;
    grpc::Status status = inventory_->Call(&InventoryStub::UpsertItem, item, &upserted);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::SetWarehouseStockRequest south;
    south.set_inventory_code(code);
    south.set_warehouse_id("SOUTH");
    south.set_quantity(4);
    v1::SetWarehouseStockResponse kept;
    status =
        inventory_->Call(&InventoryStub::SetWarehouseStock, south, &kept, inventory_->tokens().ops);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // `quantity` speakers from SOUTH to MAIN, leaving `depart` seconds from the next whole hour
  // (so the road starts on a minute, as scheduling plans in minutes), two hours on the road.
  v1::Transfer CreateTransfer(int quantity, int64_t depart) {
    v1::CreateTransferRequest request;
    *request.mutable_transfer()->add_lines() = Line("SPK-12", quantity);
    request.mutable_transfer()->set_from_warehouse_id("SOUTH");
    request.mutable_transfer()->set_to_warehouse_id("MAIN");
    *request.mutable_transfer()->mutable_depart_time() =
        TimeUtil::SecondsToTimestamp(next_hour_ + depart);
    request.mutable_transfer()->mutable_transit()->set_seconds(2 * kHour);
    v1::CreateTransferResponse response;
    grpc::Status status = inventory_->Call(&InventoryStub::CreateTransfer, request, &response,
                                           inventory_->tokens().ops);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.transfer();
  }

  grpc::Status CancelTransfer(const std::string& transfer_id) {
    v1::CancelTransferRequest request;
    request.set_transfer_id(transfer_id);
    request.set_reason("the show moved");
    v1::CancelTransferResponse response;
    return inventory_->Call(&InventoryStub::CancelTransfer, request, &response,
                            inventory_->tokens().ops);
  }

  // The transfer as ListTransfers shows it (van_run_planned included); empty when not listed.
  v1::Transfer Listed(const std::string& transfer_id) {
    v1::ListTransfersRequest request;
    request.set_inventory_code("SPK-12");
    v1::ListTransfersResponse response;
    grpc::Status status = inventory_->Call(&InventoryStub::ListTransfers, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::Transfer& transfer : response.transfers()) {
      if (transfer.transfer_id() == transfer_id) return transfer;
    }
    return {};
  }

  // The transfer's job in scheduling; `status` gets the call's outcome (NOT_FOUND: no job).
  v1::Job JobOf(const std::string& transfer_id, grpc::Status* status) {
    v1::GetJobStatusRequest request;
    request.set_order_id(transfer_id);
    v1::GetJobStatusResponse response;
    *status = scheduling_->Call(&SchedulingStub::GetJobStatus, request, &response,
                                scheduling_->tokens().sales);
    return response.job();
  }

  // Scheduling has the transfer's van run: one TRANSFER task, assigned to a driver and a van.
  bool VanRunAssigned(const std::string& transfer_id) {
    grpc::Status status;
    const v1::Job job = JobOf(transfer_id, &status);
    return status.ok() && job.state() != v1::JOB_STATE_CANCELLED && job.tasks_size() == 1 &&
           job.tasks(0).kind() == v1::TASK_KIND_TRANSFER &&
           job.tasks(0).state() == v1::TASK_STATE_ASSIGNED && job.tasks(0).assignments_size() == 1;
  }

  // A column of the transfer's row in inventory's database.
  bool Flag(const std::string& transfer_id, const std::string& column) {
    pqxx::connection connection(inventory_db_->connection_string());
    pqxx::nontransaction statement(connection);
    return statement
        .exec_params1("SELECT " + column + " FROM transfers WHERE transfer_id = $1", transfer_id)[0]
        .as<bool>();
  }

  // A column of the transfer's row as text ("" for NULL).
  std::string Text(const std::string& transfer_id, const std::string& column) {
    pqxx::connection connection(inventory_db_->connection_string());
    pqxx::nontransaction statement(connection);
    return statement
        .exec_params1(
            "SELECT coalesce(" + column + "::text, '') FROM transfers WHERE transfer_id = $1",
            transfer_id)[0]
        .as<std::string>();
  }

  TestTokens tokens_;
  std::shared_ptr<TestDatabase> inventory_db_ = std::make_shared<TestDatabase>();
  std::shared_ptr<TestDatabase> scheduling_db_ = std::make_shared<TestDatabase>();
  const std::string scheduling_address_ = "127.0.0.1:" + std::to_string(FreeTcpPort());
  const int64_t next_hour_ = (TimeUtil::GetCurrentTime().seconds() / kHour + 1) * kHour;
  std::unique_ptr<SchedulingFixture> scheduling_;
  std::unique_ptr<InventoryProcess> inventory_;
};

TEST_F(VanRunsTest, ATransferGetsItsVanRunAndLosesItWhenCancelled) {
  const v1::Transfer transfer = CreateTransfer(3, kDay);
  ASSERT_FALSE(transfer.transfer_id().empty());
  const std::string id = transfer.transfer_id();

  ASSERT_TRUE(
      Eventually([&] { return VanRunAssigned(id) && Listed(id).van_run_planned(); }, kPlanWait))
      << "no van run for " << id << " within " << kPlanWait.count() << " s";
  grpc::Status status;
  const v1::Job job = JobOf(id, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(job.order_id(), id);
  const v1::Task& run = job.tasks(0);
  EXPECT_EQ(run.task_id(), id + "/TRANSFER");
  EXPECT_EQ(run.duration().seconds(), 2 * kHour) << "the road time is the drive";
  EXPECT_EQ(run.window().not_before().seconds(), transfer.depart_time().seconds());
  EXPECT_EQ(run.window().no_later_than().seconds(), transfer.arrive_time().seconds());
  EXPECT_EQ(run.assignments(0).crew_member_id(), "dana");
  EXPECT_EQ(run.assignments(0).vehicle_id(), "VAN-1");
  ASSERT_EQ(job.delivery_window().window().no_later_than().seconds(),
            transfer.arrive_time().seconds());

  // Another transfer is planned too, and this one stays planned once (no second job).
  const v1::Transfer second = CreateTransfer(1, 2 * kDay);
  ASSERT_TRUE(
      Eventually([&] { return Listed(second.transfer_id()).van_run_planned(); }, kPlanWait));
  EXPECT_TRUE(VanRunAssigned(second.transfer_id()));

  // Cancelled in inventory: scheduling frees the run.
  status = CancelTransfer(id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(Eventually(
      [&] {
        grpc::Status found;
        return JobOf(id, &found).state() == v1::JOB_STATE_CANCELLED && found.ok();
      },
      kPlanWait))
      << "the van run of " << id << " was not freed within " << kPlanWait.count() << " s";
  ASSERT_TRUE(Eventually([&] { return Flag(id, "van_run_cancelled"); }, kPlanWait));
  const v1::Job cancelled = JobOf(id, &status);
  ASSERT_EQ(cancelled.tasks_size(), 1);
  EXPECT_EQ(cancelled.tasks(0).state(), v1::TASK_STATE_CANCELLED);
  EXPECT_EQ(cancelled.tasks(0).assignments_size(), 0);
  EXPECT_TRUE(VanRunAssigned(second.transfer_id())) << "the other transfer keeps its run";
  EXPECT_NE(inventory_->log().find("van_run_planned"), std::string::npos);
  EXPECT_NE(inventory_->log().find("van_run_freed"), std::string::npos);
  const std::string metrics = FetchMetrics(inventory_->metrics_port());
  EXPECT_NE(metrics.find("salesops_inventory_van_runs_total{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("salesops_inventory_van_runs_waiting{"), std::string::npos) << metrics;
}

TEST_F(VanRunsTest, WhileSchedulingIsDownTransfersWaitAndArePlannedOnceItIsBack) {
  scheduling_.reset();  // SIGTERM, and waits for the exit

  // Inventory goes on serving: transfers are made and cancelled, none gets a run.
  const v1::Transfer waiting = CreateTransfer(2, kDay);
  const v1::Transfer dropped = CreateTransfer(1, kDay + 4 * kHour);
  ASSERT_FALSE(waiting.transfer_id().empty());
  ASSERT_FALSE(dropped.transfer_id().empty());
  ASSERT_TRUE(CancelTransfer(dropped.transfer_id()).ok());
  // Several sweeps' worth.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(HealthStatus(inventory_->address()), "SERVING");
  EXPECT_FALSE(Listed(waiting.transfer_id()).van_run_planned());
  EXPECT_FALSE(Flag(waiting.transfer_id(), "van_run_planned"));
  EXPECT_FALSE(Flag(dropped.transfer_id(), "van_run_cancelled"));
  EXPECT_NE(inventory_->log().find("van_run_dispatcher_waiting"), std::string::npos)
      << "the outage is logged";

  StartScheduling();
  ASSERT_TRUE(scheduling_->started()) << scheduling_->log();
  ASSERT_TRUE(Eventually(
      [&] {
        return VanRunAssigned(waiting.transfer_id()) &&
               Listed(waiting.transfer_id()).van_run_planned();
      },
      kRecoveryWait))
      << "the transfer made during the outage got no van run within " << kRecoveryWait.count()
      << " s of scheduling's return";
  // The one cancelled during the outage is fenced (CancelJob naming its PlanTransfer) and never
  // planned.
  ASSERT_TRUE(
      Eventually([&] { return Flag(dropped.transfer_id(), "van_run_cancelled"); }, kRecoveryWait));
  EXPECT_FALSE(Flag(dropped.transfer_id(), "van_run_planned"));
  grpc::Status status;
  const v1::Job none = JobOf(dropped.transfer_id(), &status);
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::NOT_FOUND ||
              none.state() == v1::JOB_STATE_CANCELLED)
      << "a transfer cancelled before its van run was planned has no run: "
      << status.error_message() << " " << none.ShortDebugString();
  // A PlanTransfer for it arriving late (a replica that died mid-call, say) is refused.
  v1::PlanTransferRequest late;
  late.set_request_id("van-run-" + dropped.transfer_id());
  late.set_transfer_id(dropped.transfer_id());
  late.set_from_warehouse_id("SOUTH");
  late.set_to_warehouse_id("MAIN");
  *late.add_inventory_lines() = Line("SPK-12", 1);
  *late.mutable_window()->mutable_not_before() = dropped.depart_time();
  *late.mutable_window()->mutable_no_later_than() = dropped.arrive_time();
  late.mutable_transit()->set_seconds(2 * kHour);
  v1::PlanTransferResponse refused;
  status = scheduling_->Call(&SchedulingStub::PlanTransfer, late, &refused,
                             scheduling_->tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
}

TEST_F(VanRunsTest, ARefusedTransferIsRecordedAndBacksOffInsteadOfRetryingInAHotLoop) {
  // Inventory calling with a token scheduling does not know: every call is refused.
  const std::string unknown_token =
      ::testing::TempDir() + "/van-runs-unknown-" + inventory_db_->name() + ".token";
  std::ofstream(unknown_token) << "a-token-scheduling-never-heard-of";
  inventory_.reset();
  inventory_ = std::make_unique<InventoryProcess>(
      "inventory", inventory_db_,
      std::vector<std::string>{"--scheduling-address", scheduling_address_, "--service-token-file",
                               unknown_token, "--van-run-interval-ms", "300"});
  ASSERT_TRUE(inventory_->started()) << inventory_->log();

  const v1::Transfer transfer = CreateTransfer(1, kDay);
  const std::string id = transfer.transfer_id();
  ASSERT_TRUE(Eventually([&] { return Text(id, "van_run_attempts") == "1"; }, kPlanWait));
  EXPECT_EQ(Text(id, "van_run_error").rfind("PlanTransfer: ", 0), 0u) << Text(id, "van_run_error");
  // The next try waits at least 2.5 s (5 s, jittered), though the sweeps run every 300 ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Text(id, "van_run_attempts"), "1");
  EXPECT_FALSE(Listed(id).van_run_planned());
  const std::string metrics = FetchMetrics(inventory_->metrics_port());
  EXPECT_NE(metrics.find("salesops_inventory_van_runs_refused 1"), std::string::npos) << metrics;
  EXPECT_NE(inventory_->log().find("event=van_run_refused transfer_id=" + id), std::string::npos)
      << inventory_->log();
}

// Without --scheduling-address inventory serves as before and says once that transfers get no
// van run.
TEST(VanRunsOffTest, WithoutSchedulingTheStartSaysTransfersGetNoVanRun) {
  InventoryFixture inventory;
  ASSERT_TRUE(inventory.started()) << inventory.log();
  const std::string log = inventory.log();
  const size_t said = log.find("van_runs_disabled");
  ASSERT_NE(said, std::string::npos) << log;
  EXPECT_EQ(log.find("van_runs_disabled", said + 1), std::string::npos) << "once";
  EXPECT_EQ(log.find("van_run_dispatcher_started"), std::string::npos) << log;
}

}  // namespace
}  // namespace salesops::testing
