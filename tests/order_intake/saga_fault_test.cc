// The confirm saga under faults, with all four services as real processes: order-intake
// killed after each step (a failpoint, services/common/failpoint.h) and restarted, PlanJob
// slower than its caller's deadline, a cancellation and a second confirmation during a
// confirmation, and a storm of confirmations with order-intake killed mid-way. Each ends with
// nothing stray across the three services: a firm reservation and a planned job exactly for
// the orders that are CONFIRMED, and every other quote holding its stock again.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

// A saga's record is held for its budget plus 10 s; recovery sweeps every second here.
const std::vector<std::string> kShortSagas = {"--saga-budget-ms", "2000"};
constexpr auto kRecoveryPeriod = std::chrono::seconds(60);

class SagaFaultTest : public OrderSuiteTest {
 protected:
  explicit SagaFaultTest(std::vector<std::string> order_args = kShortSagas)
      : OrderSuiteTest(std::move(order_args)) {}

  // The order's parts in the other services.
  struct Holdings {
    v1::OrderStage stage = v1::ORDER_STAGE_UNSPECIFIED;
    bool firm_reservation = false;  // inventory has a pull sheet for it
    bool planned_job = false;       // scheduling has a job not cancelled
  };

  Holdings HoldingsOf(const std::string& order_id) {
    Holdings holdings;
    holdings.stage = Get(order_id).stage();
    v1::GetPullSheetRequest sheet;
    sheet.set_order_id(order_id);
    v1::GetPullSheetResponse pulled;
    holdings.firm_reservation =
        suite_.inventory->Call(&InventoryStub::GetPullSheet, sheet, &pulled).ok();
    v1::GetJobStatusRequest job;
    job.set_order_id(order_id);
    v1::GetJobStatusResponse status;
    holdings.planned_job =
        suite_.scheduling->Call(&SchedulingStub::GetJobStatus, job, &status).ok() &&
        status.job().state() != v1::JOB_STATE_CANCELLED;
    return holdings;
  }

  // Consistent: confirmed with both, or a quote with neither.
  static bool Settled(const Holdings& holdings) {
    const bool confirmed = holdings.stage == v1::ORDER_STAGE_CONFIRMED;
    return holdings.firm_reservation == confirmed && holdings.planned_job == confirmed;
  }

  // Free LED panels on day 0 counting holds too (a quote's hold takes 24 of 30).
  int FreeCountingHolds() {
    v1::CheckAvailabilityRequest request;
    v1::InventoryLine* line = request.add_lines();
    line->set_inventory_code("LED-PANEL-500");
    line->set_quantity(1);
    *request.mutable_window()->mutable_not_before() = At(0);
    *request.mutable_window()->mutable_no_later_than() = At(30);
    v1::CheckAvailabilityResponse response;
    EXPECT_TRUE(suite_.inventory->Call(&InventoryStub::CheckAvailability, request, &response).ok());
    return response.availability(0).free();
  }

  // The draft moved `days` later.
  v1::Order DraftOnDay(int days) {
    v1::Order order = Draft(1, "Customer " + std::to_string(days));
    const google::protobuf::Duration shift =
        google::protobuf::util::TimeUtil::SecondsToDuration(int64_t{days} * 86400);
    for (google::protobuf::Timestamp* time :
         {order.mutable_event_schedule()->mutable_show_start_time(),
          order.mutable_event_schedule()->mutable_show_end_time(),
          order.mutable_event_schedule()->mutable_strike_time(),
          order.mutable_delivery_window()->mutable_window()->mutable_not_before(),
          order.mutable_delivery_window()->mutable_window()->mutable_no_later_than()}) {
      *time += shift;
    }
    return order;
  }

  void WaitForOrdersToDie() {
    ASSERT_TRUE(
        Eventually([&] { return !suite_.orders->process().running(); }, std::chrono::seconds(20)))
        << "the failpoint did not stop order-intake";
  }
};

class KillAfterEachStep : public SagaFaultTest,
                          public ::testing::WithParamInterface<std::string> {};

TEST_P(KillAfterEachStep, RecoveryFinishesOrUndoesTheSaga) {
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  ASSERT_EQ(FreeCountingHolds(), 6) << "the quote holds its 24 panels";

  suite_.StartOrders(GetParam() + "=exit");
  ASSERT_TRUE(suite_.orders->started()) << suite_.orders->log();
  v1::ConfirmOrderResponse confirmed;
  EXPECT_FALSE(Confirm(created.order(), &confirmed).ok());
  WaitForOrdersToDie();
  EXPECT_NE(suite_.orders->log().find("failpoint_exit"), std::string::npos);

  suite_.StartOrders();
  ASSERT_TRUE(suite_.orders->started()) << suite_.orders->log();
  // All steps done before the crash: recovery finishes the confirmation. Otherwise it undoes
  // what was done, and the quote holds its stock again.
  const bool finishes = GetParam() == "before_final_write";
  ASSERT_TRUE(Eventually(
      [&] {
        Holdings now = HoldingsOf(id);
        return Settled(now) &&
               now.stage == (finishes ? v1::ORDER_STAGE_CONFIRMED : v1::ORDER_STAGE_QUOTED) &&
               (finishes || FreeCountingHolds() == 6);
      },
      kRecoveryPeriod))
      << suite_.orders->log();
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), finishes ? 6 : 30);
  if (!finishes) {
    // Once recovery has closed the saga, the same confirmation goes through.
    ASSERT_TRUE(Eventually([&] { return Confirm(Get(id), &confirmed).ok(); }, kRecoveryPeriod))
        << suite_.orders->log();
    EXPECT_TRUE(Settled(HoldingsOf(id)));
    EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);
  }
  // Recovery says what it did (a sample, not only the family's HELP line).
  EXPECT_NE(FetchMetrics(suite_.orders->metrics_port())
                .find(std::string("salesops_sagas_recovered_total{outcome=\"") +
                      (finishes ? "finished" : "compensated") + "\"}"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Failpoints, KillAfterEachStep,
                         ::testing::Values("after_saga_begun", "after_reserve", "after_plan_job",
                                           "before_final_write"));

TEST_F(SagaFaultTest, APlanJobSlowerThanItsCallerLeavesNoJobBehind) {
  // Scheduling takes 6 s to save a plan; order-intake waits 3 s for it.
  suite_.StartScheduling("plan_job_before_save=sleep:6000");
  ASSERT_TRUE(suite_.scheduling->started());
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  v1::ConfirmOrderResponse confirmed;
  grpc::Status status = Confirm(created.order(), &confirmed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // Long after the slow plan woke up, it has written nothing.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  Holdings after = HoldingsOf(id);
  EXPECT_EQ(after.stage, v1::ORDER_STAGE_QUOTED);
  EXPECT_FALSE(after.planned_job) << suite_.scheduling->log();
  EXPECT_FALSE(after.firm_reservation);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);
  EXPECT_EQ(FreeCountingHolds(), 6);
}

// Races with a confirmation slowed down on purpose: the default time budget and a long wait
// for scheduling, so that only the race decides, however loaded the machine.
class SagaRaceTest : public SagaFaultTest {
 protected:
  SagaRaceTest()
      : SagaFaultTest({"--saga-budget-ms", "20000", "--dependency-timeout-ms", "15000"}) {}
};

TEST_F(SagaRaceTest, ACancellationDuringAConfirmationWaitsItsTurn) {
  suite_.StartScheduling("plan_job_before_save=sleep:1500");
  ASSERT_TRUE(suite_.scheduling->started());
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  auto confirming = std::async(std::launch::async, [&] {
    v1::ConfirmOrderResponse confirmed;
    return Confirm(created.order(), &confirmed);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(id);
  cancel.set_reason("client changed their mind");
  v1::CancelOrderResponse cancelled;
  grpc::Status refused = suite_.orders->Call(&OrderStub::CancelOrder, cancel, &cancelled,
                                             suite_.orders->tokens().sales);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::ABORTED) << refused.error_message();
  EXPECT_EQ(common::ParseGrpcError(refused).reason, "SAGA_IN_PROGRESS");
  grpc::Status confirmed = confirming.get();
  ASSERT_TRUE(confirmed.ok()) << confirmed.error_message();
  EXPECT_TRUE(Settled(HoldingsOf(id)));

  // Once the confirmation is over, the cancellation goes through and leaves nothing.
  ASSERT_TRUE(suite_.orders
                  ->Call(&OrderStub::CancelOrder, cancel, &cancelled, suite_.orders->tokens().sales)
                  .ok());
  Holdings after = HoldingsOf(id);
  EXPECT_EQ(after.stage, v1::ORDER_STAGE_CANCELLED);
  EXPECT_FALSE(after.firm_reservation);
  EXPECT_FALSE(after.planned_job);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);
}

TEST_F(SagaRaceTest, TwoOverlappingConfirmationsConfirmOnceAndUndoNothing) {
  suite_.StartScheduling("plan_job_before_save=sleep:1500");
  ASSERT_TRUE(suite_.scheduling->started());
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  auto first = std::async(std::launch::async, [&] {
    v1::ConfirmOrderResponse confirmed;
    return Confirm(created.order(), &confirmed);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  v1::ConfirmOrderResponse second_response;
  grpc::Status second = Confirm(created.order(), &second_response);
  EXPECT_EQ(common::ParseGrpcError(second).reason, "SAGA_IN_PROGRESS") << second.error_message();
  ASSERT_TRUE(first.get().ok());
  // Retried once the first is over, the second answers the first's result and undoes nothing.
  ASSERT_TRUE(Confirm(created.order(), &second_response).ok());
  EXPECT_EQ(second_response.order().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_TRUE(Settled(HoldingsOf(id)));
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);
}

TEST_F(SagaFaultTest, AStormOfConfirmationsWithOrderIntakeKilledMidwayLeavesNothingStray) {
  constexpr int kOrders = 60;
  // One order every other day, so each fits on its own. The 25th confirmation to reach its
  // final write kills order-intake, with the others at every step of the saga.
  std::vector<v1::Order> quotes;
  for (int i = 0; i < kOrders; ++i) {
    v1::CreateOrderResponse created;
    ASSERT_TRUE(Create(DraftOnDay(2 * i), &created).ok());
    quotes.push_back(created.order());
  }
  suite_.StartOrders("before_final_write=exit@25");
  ASSERT_TRUE(suite_.orders->started());
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<grpc::Status>> confirming;
  for (const v1::Order& quote : quotes) {
    confirming.push_back(std::async(std::launch::async, [&, quote] {
      start.wait();
      v1::ConfirmOrderResponse response;
      return Confirm(quote, &response);
    }));
  }
  go.set_value();
  int answered_ok = 0;
  for (auto& call : confirming) answered_ok += call.get().ok() ? 1 : 0;
  WaitForOrdersToDie();
  suite_.StartOrders();
  ASSERT_TRUE(suite_.orders->started());
  const auto restarted = std::chrono::steady_clock::now();

  int strays = kOrders;
  ASSERT_TRUE(Eventually(
      [&] {
        strays = 0;
        for (const v1::Order& quote : quotes)
          strays += Settled(HoldingsOf(quote.order_id())) ? 0 : 1;
        return strays == 0;
      },
      kRecoveryPeriod))
      << strays << " orders still stray\n"
      << suite_.orders->log();
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - restarted);
  int confirmed = 0;
  for (const v1::Order& quote : quotes) {
    confirmed += Get(quote.order_id()).stage() == v1::ORDER_STAGE_CONFIRMED ? 1 : 0;
  }
  // Every confirmation answered OK is one that holds.
  EXPECT_GE(confirmed, answered_ok);
  std::cout << "storm: " << kOrders << " confirmations, " << answered_ok << " answered OK, "
            << confirmed << " confirmed after recovery, 0 strays " << took.count()
            << " s after the restart\n";
}

TEST_F(SagaFaultTest, ReconciliationReleasesStraysAndReportsWhatIsMissing) {
  // A quote whose firm reservation and job were made behind order-intake's back (as a saga
  // from an older release could have left them), and a confirmed order whose reservation was
  // released the same way.
  v1::CreateOrderResponse stray_quote, confirmed_order;
  ASSERT_TRUE(Create(DraftOnDay(0), &stray_quote).ok());
  ASSERT_TRUE(Create(DraftOnDay(4), &confirmed_order).ok());
  v1::ConfirmOrderResponse confirmed;
  ASSERT_TRUE(Confirm(confirmed_order.order(), &confirmed).ok());
  const std::string stray_id = stray_quote.order().order_id();
  const std::string confirmed_id = confirmed_order.order().order_id();

  v1::ReserveRequest reserve;
  reserve.set_order_id(stray_id);
  reserve.set_order_revision(1);
  v1::InventoryLine* line = reserve.add_lines();
  line->set_inventory_code("LED-PANEL-500");
  line->set_quantity(24);
  *reserve.mutable_window()->mutable_not_before() = At(2);
  *reserve.mutable_window()->mutable_no_later_than() = At(26);
  v1::ReserveResponse reserved;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::Reserve, reserve, &reserved).ok());
  v1::PlanJobRequest plan;
  plan.set_order_id(stray_id);
  plan.set_order_revision(1);
  *plan.mutable_delivery_window() = stray_quote.order().delivery_window();
  *plan.mutable_event_schedule() = stray_quote.order().event_schedule();
  *plan.mutable_venue() = stray_quote.order().venue();
  v1::PlanJobResponse planned;
  grpc::Status status = suite_.scheduling->Call(&SchedulingStub::PlanJob, plan, &planned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::ReleaseRequest release;
  release.set_order_id(confirmed_id);
  v1::ReleaseResponse released;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::Release, release, &released).ok());
  ASSERT_FALSE(Settled(HoldingsOf(stray_id)));

  // A dry run finds all three and changes nothing.
  v1::ReconcileRequest dry_run;
  dry_run.set_dry_run(true);
  v1::ReconcileResponse found;
  status = suite_.orders->Call(&OrderStub::Reconcile, dry_run, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::multiset<std::pair<std::string, v1::ReconcileFindingKind>> findings;
  for (const v1::ReconcileFinding& finding : found.findings()) {
    findings.insert({finding.order_id(), finding.kind()});
    EXPECT_FALSE(finding.repaired());
  }
  EXPECT_EQ(findings, (std::multiset<std::pair<std::string, v1::ReconcileFindingKind>>{
                          {stray_id, v1::RECONCILE_FINDING_KIND_STRAY_RESERVATION},
                          {stray_id, v1::RECONCILE_FINDING_KIND_STRAY_JOB},
                          {confirmed_id, v1::RECONCILE_FINDING_KIND_MISSING_RESERVATION}}));
  EXPECT_FALSE(Settled(HoldingsOf(stray_id)));

  // For real: the strays go, the missing reservation is reported (a person decides).
  v1::ReconcileResponse repaired;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::Reconcile, v1::ReconcileRequest(), &repaired).ok());
  EXPECT_EQ(repaired.repaired(), 2);
  EXPECT_EQ(repaired.unrepaired(), 1);
  Holdings after = HoldingsOf(stray_id);
  EXPECT_FALSE(after.firm_reservation);
  EXPECT_FALSE(after.planned_job);
  const std::string metrics = FetchMetrics(suite_.orders->metrics_port());
  EXPECT_NE(metrics.find("salesops_reconcile_findings{kind=\"missing_reservation\"} 1"),
            std::string::npos)
      << metrics;
  // Sales may not run it.
  v1::ReconcileResponse refused;
  EXPECT_EQ(
      suite_.orders->Call(&OrderStub::Reconcile, dry_run, &refused, suite_.orders->tokens().sales)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops::testing
