// The confirm, amend and cancel sagas (services/order_intake/sagas.h) against fakes of
// inventory, scheduling and the order store (saga_fakes.h): what each step asks for, what is
// undone when a step fails (and only that), and what recovery does with a saga left open.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/common/grpc_errors.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/order_intake_metrics.h"
#include "services/order_intake/order_rules.h"
#include "services/order_intake/saga_recovery.h"
#include "services/order_intake/sagas.h"
#include "tests/order_intake/saga_fakes.h"

namespace salesops::order_intake {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kOrderId[] = "1001";
using Lines = std::map<std::string, int>;  // code -> quantity

std::string ReasonOf(const absl::Status& status) {
  return common::ParseGrpcError(common::ToGrpcStatus(status)).reason;
}

Lines ProductLinesOf(const v1::Order& order) {
  Lines lines;
  for (const v1::ProductLine& line : order.product_lines()) {
    lines[line.product_code()] = line.quantity();
  }
  return lines;
}

Lines StockOf(const v1::Reservation& reservation) {
  Lines lines;
  for (const v1::InventoryLine& line : reservation.lines()) {
    lines[line.inventory_code()] = line.quantity();
  }
  return lines;
}

void SetProductLines(v1::Order& order, const Lines& lines) {
  order.clear_product_lines();
  for (const auto& [code, quantity] : lines) {
    v1::ProductLine* line = order.add_product_lines();
    line->set_product_code(code);
    line->set_quantity(quantity);
  }
}

class SagaTest : public ::testing::Test {
 protected:
  SagaTest() {
    actor_.set_id("sales-ann");
    actor_.set_role(v1::ROLE_SALES);
  }

  google::protobuf::Timestamp TimestampIn(std::chrono::system_clock::duration from_now) {
    google::protobuf::Timestamp timestamp;
    timestamp.set_seconds(
        std::chrono::duration_cast<seconds>((clock_.Now() + from_now).time_since_epoch()).count());
    return timestamp;
  }

  // A deadline for calls a test makes itself.
  TimePoint Later() const { return clock_.Now() + seconds(30); }
  // A saga's deadline for a caller that waits 30 s.
  TimePoint SagaDeadline() const { return runner_.Deadline(clock_.Now() + seconds(30)); }

  void ForgetRequests() {
    inventory_.ForgetRequests();
    scheduling_.ForgetRequests();
    store_.progress_log.clear();
  }

  // A quote at revision 1 for 10 tables and 60 chairs, delivered in ten days, whose hold (as
  // quoting placed it) lasts a week.
  v1::Order QuotedOrder() {
    v1::Order order;
    order.set_order_id(kOrderId);
    order.set_revision(1);
    order.set_etag(EtagOf(1));
    order.set_stage(v1::ORDER_STAGE_QUOTED);
    order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_QUOTED);
    order.mutable_customer()->set_name("Harbour Gala");
    SetProductLines(order, {{"TABLE", 10}, {"CHAIR", 60}});
    *order.mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
        TimestampIn(hours(24 * 10));
    *order.mutable_quote_expire_time() = TimestampIn(hours(24 * 7));
    store_.Put(order);
    EXPECT_TRUE(
        inventory_.PlaceHold(HoldRequest(order, Resolve(order), "hold-quote"), Later()).ok());
    ForgetRequests();
    return order;
  }

  // The quote above, confirmed: its stock reserved and its job planned at revision 1.
  v1::Order ConfirmedOrder() {
    const v1::Order quote = QuotedOrder();
    SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);
    absl::StatusOr<v1::Order> confirmed =
        runner_.Confirm(saga, quote, Resolve(quote), SagaDeadline(), nullptr);
    EXPECT_TRUE(confirmed.ok()) << confirmed.status();
    ForgetRequests();
    return *store_.Get(kOrderId);
  }

  v1::ResolveProductsResponse Resolve(const v1::Order& order) const {
    return inventory_.Resolve(order.product_lines());
  }

  // A new saga on `order`, stored as the service stores it before its first step.
  SagaRecord BeginSaga(SagaKind kind, const v1::Order& order) {
    SagaRecord saga = runner_.NewSaga(kind, order, actor_, "req-" + std::to_string(++requests_));
    if (kind == SagaKind::kCancel) {
      saga.reason = "the event was called off";
      saga.target.set_stage(v1::ORDER_STAGE_CANCELLED);
    }
    EXPECT_TRUE(store_.BeginSaga(saga, runner_.settings().lease()).ok());
    return saga;
  }

  // Begins and runs a confirmation of `quote`; `saga` is left as the runner left it.
  absl::StatusOr<v1::Order> RunConfirm(const v1::Order& quote, SagaRecord& saga,
                                       const SagaRunner::Explain& explain = nullptr) {
    saga = BeginSaga(SagaKind::kConfirm, quote);
    return runner_.Confirm(saga, quote, Resolve(quote), SagaDeadline(), explain);
  }

  // Begins the change of the confirmed `order` to `lines`, as AmendOrder does.
  SagaRecord BeginAmend(const v1::Order& order, const Lines& lines) {
    v1::Order target = order;
    SetProductLines(target, lines);
    SagaRecord saga = runner_.NewSaga(SagaKind::kAmend, order, actor_, "req-amend");
    saga.reason = "the client changed the seating";
    saga.target = target;
    saga.impact = ComputeChangeImpact(Resolve(order), Resolve(target));
    EXPECT_TRUE(store_.BeginSaga(saga, runner_.settings().lease()).ok());
    return saga;
  }

  // Begins and runs the change of the confirmed `order` to `lines`.
  absl::StatusOr<v1::Order> RunAmend(const v1::Order& order, const Lines& lines, SagaRecord& saga) {
    saga = BeginAmend(order, lines);
    return runner_.Amend(saga, Resolve(saga.target), SagaDeadline(), nullptr);
  }

  // What a runner that died after reaching `progress` left behind: its steps for `content` at
  // saga.step_revision, and their record on the saga's row.
  void DoStepsUpTo(SagaRecord& saga, const v1::Order& content, SagaProgress progress) {
    const v1::ResolveProductsResponse resolved = Resolve(content);
    ASSERT_TRUE(
        inventory_
            .Reserve(ReserveRequest(content, resolved, saga.step_revision, saga.ReserveStepId()),
                     Later())
            .ok());
    saga.progress = SagaProgress::kStockReserved;
    if (progress == SagaProgress::kJobPlanned) {
      absl::StatusOr<v1::PlanJobResponse> planned = scheduling_.PlanJob(
          PlanRequest(content, resolved, saga.step_revision, saga.PlanStepId(), true), Later());
      ASSERT_TRUE(planned.ok());
      saga.progress = SagaProgress::kJobPlanned;
      saga.commitment = planned->job().commitment();
    }
    ASSERT_TRUE(store_.RecordSagaProgress(saga).ok());
    ForgetRequests();
  }

  v1::Order StoredOrder() { return *store_.Get(kOrderId); }
  SagaRecord StoredSaga(const std::string& saga_id) { return *store_.GetSaga(saga_id); }
  v1::HistoryEntry LastHistoryEntry() {
    const std::vector<v1::HistoryEntry>& history = store_.HistoryOf(kOrderId);
    return history.empty() ? v1::HistoryEntry() : history.back();
  }

  // Lets every lease run out, then one recovery sweep: how many sagas it took up.
  int SweepAfterLeases() {
    clock_.Advance(runner_.settings().lease() + seconds(1));
    return recovery_.SweepOnce();
  }

  double CounterValue(const std::string& family_name,
                      const std::map<std::string, std::string>& labels) {
    for (const prometheus::MetricFamily& family : registry_.Collect()) {
      if (family.name != family_name) continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        std::map<std::string, std::string> metric_labels;
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          metric_labels[label.name] = label.value;
        }
        if (metric_labels == labels) return metric.counter.value;
      }
    }
    return 0;
  }

  FakeClock clock_;
  FakeInventoryClient inventory_{clock_};
  FakeSchedulingClient scheduling_{clock_};
  FakeOrderStore store_{clock_};
  prometheus::Registry registry_;
  OrderIntakeMetrics metrics_{registry_, store_};
  SagaRunner runner_{inventory_, scheduling_, store_, clock_, metrics_, SagaSettings{}};
  SagaRecovery recovery_{runner_, store_, seconds(60), nullptr, seconds(0)};
  v1::Actor actor_;
  int requests_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Confirm.
// ---------------------------------------------------------------------------------------------

TEST_F(SagaTest, ConfirmReservesThenPlansAndConfirmsWithThePlansCommitment) {
  const v1::Order quote = QuotedOrder();
  std::string saga_id;
  std::optional<SagaProgress> progress_when_planning;
  scheduling_.on_call = [&](const std::string& method) {
    if (method == "PlanJob") progress_when_planning = store_.GetSaga(saga_id)->progress;
  };
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);
  saga_id = saga.saga_id;

  absl::StatusOr<v1::Order> confirmed =
      runner_.Confirm(saga, quote, Resolve(quote), SagaDeadline(), nullptr);

  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob"));
  EXPECT_EQ(inventory_.reserve_requests[0].request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(inventory_.reserve_requests[0].order_revision(), 1);
  EXPECT_EQ(scheduling_.plan_requests[0].request_id(), "plan-" + saga.saga_id);
  EXPECT_EQ(scheduling_.plan_requests[0].order_revision(), 1);
  EXPECT_TRUE(scheduling_.plan_requests[0].refuse_if_late()) << "sales did not accept later";
  // The reservation was on record before the job was planned, and the plan before the write.
  EXPECT_EQ(progress_when_planning, SagaProgress::kStockReserved);
  EXPECT_THAT(store_.progress_log,
              ElementsAre(SagaProgress::kStockReserved, SagaProgress::kJobPlanned));

  const v1::Order stored = StoredOrder();
  EXPECT_EQ(stored.stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(stored.revision(), 1);
  EXPECT_EQ(stored.commitment().explanation(), "planned by plan-" + saga.saga_id);
  EXPECT_EQ(stored.commitment().no_later_than().seconds(),
            quote.delivery_window().window().no_later_than().seconds());
  EXPECT_EQ(confirmed->commitment().explanation(), stored.commitment().explanation());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_CONFIRMED);
  EXPECT_EQ(LastHistoryEntry().request_id(), saga.request_id);

  // The firm reservation replaced the quote's hold; the job is planned.
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_FIRM);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 60}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
}

TEST_F(SagaTest, ConfirmRefusedForStockUndoesNothingAndRecordsTheRefusal) {
  const v1::Order quote = QuotedOrder();
  inventory_.failures().FailOnce(
      "Reserve", common::BusinessRefusal(v1::INSUFFICIENT_STOCK, "6 CHAIR-KIT short"));
  auto explain = [](absl::Status&, v1::HistoryEntry& entry) {
    entry.mutable_feasibility()->set_explanation("6 CHAIR-KIT short on the day");
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga, explain);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(confirmed.status()), "INSUFFICIENT_STOCK");
  // A refusal wrote nothing, so there is nothing to undo.
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve"));
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(StoredOrder().revision(), 1);
  const v1::HistoryEntry refused = LastHistoryEntry();
  EXPECT_EQ(refused.kind(), v1::HISTORY_ENTRY_KIND_REFUSED);
  EXPECT_EQ(refused.request_id(), saga.request_id);
  EXPECT_EQ(refused.revision(), 1);
  EXPECT_EQ(refused.stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(refused.feasibility().explanation(), "6 CHAIR-KIT short on the day");
  // The quote keeps its hold.
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(CounterValue("salesops_order_confirmations_total",
                         {{"outcome", "refused"}, {"reason", "INSUFFICIENT_STOCK"}}),
            1);
}

TEST_F(SagaTest, ConfirmWhoseReserveMayHaveActedReleasesItAndHoldsAgain) {
  const v1::Order quote = QuotedOrder();
  // Inventory reserved, but the answer never came back.
  inventory_.failures().FailOnce("Reserve", DependencyDown("inventory"), /*after_acting=*/true);
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_THAT(scheduling_.calls(), IsEmpty()) << "no job was ever asked for";
  const v1::ReleaseRequest& release = inventory_.release_requests[0];
  EXPECT_EQ(release.order_revision(), 1);
  EXPECT_EQ(release.undo_request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(inventory_.hold_requests[0].request_id(), "rehold-" + saga.saga_id);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(active[0].order_revision(), 1);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);

  // The same Reserve arriving late (a retry inside the channel) is fenced and holds nothing.
  const v1::ReserveRequest step = inventory_.reserve_requests[0];
  absl::StatusOr<v1::ReserveResponse> late = inventory_.Reserve(step, Later());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(late.status()), "STEP_UNDONE");
  EXPECT_EQ(inventory_.Active(kOrderId).size(), 1u);
}

TEST_F(SagaTest, ConfirmPastItsCallersDeadlineStillUndoesWithinItsOwn) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);

  // The caller's deadline has passed as the saga starts: the Reserve times out, and may have
  // acted; its compensation is owed all the same.
  absl::StatusOr<v1::Order> confirmed =
      runner_.Confirm(saga, quote, Resolve(quote), clock_.Now(), nullptr);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
}

TEST_F(SagaTest, ConfirmRefusedByPlanningReleasesTheStockButCancelsNoJob) {
  const v1::Order quote = QuotedOrder();
  scheduling_.late_by = hours(6);  // refused: sales did not accept a later commitment
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(confirmed.status()), "DEADLINE_INFEASIBLE");
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob")) << "a refused plan wrote nothing";
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(inventory_.release_requests[0].order_revision(), 1);
  EXPECT_TRUE(scheduling_.jobs.empty());
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);
}

TEST_F(SagaTest, ConfirmWhosePlanJobTimedOutCancelsTheJobAndReleasesTheStock) {
  const v1::Order quote = QuotedOrder();
  // Scheduling planned the job, but the answer came too late.
  scheduling_.failures().FailOnce("PlanJob", absl::DeadlineExceededError("PlanJob timed out"),
                                  /*after_acting=*/true);
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob"));
  const v1::CancelJobRequest& cancel = scheduling_.cancel_requests[0];
  EXPECT_EQ(cancel.undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_EQ(cancel.order_revision(), 1);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
}

TEST_F(SagaTest, ConfirmWhosePlanJobWasLostFencesItShouldItArriveLate) {
  const v1::Order quote = QuotedOrder();
  scheduling_.failures().FailOnce("PlanJob", DependencyDown("scheduling"));
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kUnavailable);
  // Nobody knows whether the plan landed: it is cancelled by its id (no job is fine then).
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);

  const v1::PlanJobRequest step = scheduling_.plan_requests[0];
  absl::StatusOr<v1::PlanJobResponse> late = scheduling_.PlanJob(step, Later());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(late.status()), "STEP_UNDONE");
  EXPECT_TRUE(scheduling_.jobs.empty()) << "the late plan left a job behind";
}

TEST_F(SagaTest, ConfirmWhoseJobCannotBeCancelledStaysCompensatingUntilRecoveryUndoesIt) {
  const v1::Order quote = QuotedOrder();
  scheduling_.failures().FailOnce("PlanJob", DependencyDown("scheduling"), /*after_acting=*/true);
  scheduling_.failures().FailAlways("CancelJob", DependencyDown("scheduling"));
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  // The caller hears the step's failure now; the stock is released even though the job is not.
  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob"));
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
  const SagaRecord left = StoredSaga(saga.saga_id);
  EXPECT_EQ(left.state, SagaState::kCompensating);
  EXPECT_FALSE(left.last_error.empty());
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(CounterValue("salesops_saga_compensations_total",
                         {{"step", "cancel_job"}, {"outcome", "failed"}}),
            1);
  EXPECT_EQ(CounterValue("salesops_saga_compensations_total",
                         {{"step", "release_stock"}, {"outcome", "done"}}),
            1);

  // Not taken up before its retry is due; then, with scheduling back, undone to the end.
  EXPECT_EQ(recovery_.SweepOnce(), 0);
  scheduling_.failures().Heal("CancelJob");
  ForgetRequests();
  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_TRUE(inventory_.reserve_requests.empty());
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);
  EXPECT_EQ(CounterValue("salesops_saga_compensations_total",
                         {{"step", "cancel_job"}, {"outcome", "done"}}),
            1);
  EXPECT_EQ(CounterValue("salesops_sagas_recovered_total", {{"outcome", "compensated"}}), 1);
}

TEST_F(SagaTest, ConfirmWhoseOrderMovedOnUndoesEverything) {
  const v1::Order quote = QuotedOrder();
  // A write lands while the job is being planned: the order is at revision 2 by the end.
  scheduling_.on_call = [&](const std::string& method) {
    if (method != "PlanJob") return;
    v1::Order moved = StoredOrder();
    moved.set_revision(2);
    moved.set_etag(EtagOf(2));
    store_.Put(moved);
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(confirmed.status()), "STALE_REVISION");
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  EXPECT_THAT(inventory_.calls(),
              ElementsAre("Reserve", "Release", "ResolveProducts", "PlaceHold"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(StoredOrder().revision(), 2);
}

TEST_F(SagaTest, ConfirmWhoseFinalWriteWasLostIsFinishedByRecovery) {
  const v1::Order quote = QuotedOrder();
  store_.failures.FailOnce("Update", DependencyDown("the database"));
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  // Whether the write committed is unknown: nothing is undone, recovery decides.
  EXPECT_EQ(confirmed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob"));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kRunning);
  EXPECT_EQ(StoredSaga(saga.saga_id).progress, SagaProgress::kJobPlanned);

  ForgetRequests();
  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(StoredOrder().commitment().explanation(), "planned by plan-" + saga.saga_id);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_THAT(inventory_.calls(), IsEmpty());
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_EQ(CounterValue("salesops_sagas_recovered_total", {{"outcome", "finished"}}), 1);
}

TEST_F(SagaTest, ConfirmFinishedMeanwhileByRecoveryAnswersTheSameSuccess) {
  const v1::Order quote = QuotedOrder();
  // The runner stalls before its final write until its lease has run out, and recovery, finding
  // every step done, finishes the saga first.
  bool stalled = false;
  store_.before_update = [&] {
    if (stalled) return;
    stalled = true;
    EXPECT_EQ(SweepAfterLeases(), 1);
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(confirmed->stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve")) << "nothing undone";
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob"));
  int confirmations = 0;
  for (const v1::HistoryEntry& entry : store_.HistoryOf(kOrderId)) {
    confirmations += entry.kind() == v1::HISTORY_ENTRY_KIND_CONFIRMED ? 1 : 0;
  }
  EXPECT_EQ(confirmations, 1);
}

TEST_F(SagaTest, ConfirmSlowerThanItsLeaseIsUndoneByRecoveryAndItsPlanFenced) {
  const v1::Order quote = QuotedOrder();
  // The plan is on its way when the lease runs out: recovery takes the saga over (it had not
  // planned, so it is undone) before scheduling sees the plan.
  bool overtaken = false;
  scheduling_.on_call = [&](const std::string& method) {
    if (method != "PlanJob" || overtaken) return;
    overtaken = true;
    EXPECT_EQ(SweepAfterLeases(), 1);
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> confirmed = RunConfirm(quote, saga);

  EXPECT_FALSE(confirmed.ok());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_TRUE(scheduling_.jobs.empty());
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  const v1::PlanJobRequest step = scheduling_.plan_requests[0];
  EXPECT_EQ(ReasonOf(scheduling_.PlanJob(step, Later()).status()), "STEP_UNDONE");
}

TEST_F(SagaTest, AbandonEndsTheSagaWithoutAnyRemoteStep) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);

  absl::Status abandoned = runner_.Abandon(saga, absl::FailedPreconditionError("unknown product"));

  EXPECT_EQ(abandoned.message(), "unknown product");
  EXPECT_THAT(inventory_.calls(), IsEmpty());
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(inventory_.Active(kOrderId).size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Recovery of a confirmation whose process died after each step.
// ---------------------------------------------------------------------------------------------

TEST_F(SagaTest, RecoveryUndoesAConfirmationThatDiedBeforeAnyStep) {
  const v1::Order quote = QuotedOrder();
  const SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);

  EXPECT_EQ(recovery_.SweepOnce(), 0) << "taken up while its lease runs";
  EXPECT_EQ(SweepAfterLeases(), 1);

  // Each step might be on its way: each is undone by its id, which fences it.
  EXPECT_THAT(inventory_.calls(), ElementsAre("Release", "ResolveProducts", "PlaceHold"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);

  const v1::ResolveProductsResponse resolved = Resolve(quote);
  EXPECT_EQ(
      ReasonOf(inventory_.Reserve(ReserveRequest(quote, resolved, 1, saga.ReserveStepId()), Later())
                   .status()),
      "STEP_UNDONE");
  EXPECT_EQ(ReasonOf(scheduling_
                         .PlanJob(PlanRequest(quote, resolved, 1, saga.PlanStepId(), true), Later())
                         .status()),
            "STEP_UNDONE");
}

TEST_F(SagaTest, RecoveryUndoesAConfirmationThatDiedAfterReserving) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);
  DoStepsUpTo(saga, quote, SagaProgress::kStockReserved);

  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_THAT(inventory_.calls(), ElementsAre("Release", "ResolveProducts", "PlaceHold"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(inventory_.release_requests[0].undo_request_id(), "reserve-" + saga.saga_id);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD) << "the firm reservation is released";
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
}

TEST_F(SagaTest, RecoveryFinishesAConfirmationThatDiedAfterPlanning) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);
  DoStepsUpTo(saga, quote, SagaProgress::kJobPlanned);

  EXPECT_EQ(SweepAfterLeases(), 1);

  // Every step is known to have succeeded: only the final write is left, and nothing is redone.
  EXPECT_THAT(inventory_.calls(), IsEmpty());
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(StoredOrder().commitment().explanation(), "planned by plan-" + saga.saga_id);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_CONFIRMED);
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].kind(), v1::RESERVATION_KIND_FIRM);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
}

TEST_F(SagaTest, RecoveryUndoesAPlannedConfirmationWhoseOrderMovedOn) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kConfirm, quote);
  DoStepsUpTo(saga, quote, SagaProgress::kJobPlanned);
  v1::Order moved = StoredOrder();
  moved.set_revision(2);
  store_.Put(moved);

  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].kind(), v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(CounterValue("salesops_sagas_recovered_total", {{"outcome", "compensated"}}), 1);
}

// ---------------------------------------------------------------------------------------------
// Amend.
// ---------------------------------------------------------------------------------------------

TEST_F(SagaTest, AmendReservesAndPlansTheNewRevisionAndRecordsTheImpact) {
  const v1::Order order = ConfirmedOrder();
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob"));
  EXPECT_EQ(inventory_.reserve_requests[0].order_revision(), 2);
  EXPECT_EQ(inventory_.reserve_requests[0].request_id(), "reserve-" + saga.saga_id);
  EXPECT_EQ(scheduling_.plan_requests[0].order_revision(), 2);
  EXPECT_EQ(scheduling_.plan_requests[0].request_id(), "plan-" + saga.saga_id);

  const v1::Order stored = StoredOrder();
  EXPECT_EQ(stored.revision(), 2);
  EXPECT_EQ(stored.stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(ProductLinesOf(stored), (Lines{{"CHAIR", 80}, {"TABLE", 10}}));
  EXPECT_EQ(stored.commitment().explanation(), "planned by plan-" + saga.saga_id);
  EXPECT_TRUE(stored.last_change_impact().commitment_holds());
  ASSERT_EQ(stored.last_change_impact().pull_more_size(), 1);
  EXPECT_EQ(stored.last_change_impact().pull_more(0).inventory_code(), "CHAIR-KIT");
  EXPECT_EQ(stored.last_change_impact().pull_more(0).quantity(), 20);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_AMENDED);

  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].order_revision(), 2);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 80}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 2);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
}

TEST_F(SagaTest, AmendRefusedForStockLeavesTheOrderAsItWas) {
  const v1::Order order = ConfirmedOrder();
  inventory_.failures().FailOnce(
      "Reserve", common::BusinessRefusal(v1::INSUFFICIENT_STOCK, "20 CHAIR-KIT short"));
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(ReasonOf(changed.status()), "INSUFFICIENT_STOCK");
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve"));
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_EQ(StoredOrder().revision(), 1);
  EXPECT_EQ(ProductLinesOf(StoredOrder()), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].order_revision(), 1);
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 1);
}

TEST_F(SagaTest, AmendWhosePlanIsRefusedRestoresTheOldLinesOneRevisionOn) {
  const v1::Order order = ConfirmedOrder();
  scheduling_.late_by = hours(6);
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(ReasonOf(changed.status()), "DEADLINE_INFEASIBLE");
  // The old lines are reserved again at revision 3 (replacing the change's revision 2 in one
  // step), then the change's Reserve is fenced; the job was never touched.
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve", "ResolveProducts", "Reserve", "Release"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob"));
  const v1::ReserveRequest& restore = inventory_.reserve_requests[1];
  EXPECT_EQ(restore.order_revision(), 3);
  EXPECT_EQ(restore.request_id(), "restore-stock-" + saga.saga_id);
  const v1::ReleaseRequest& release = inventory_.release_requests[0];
  EXPECT_EQ(release.order_revision(), 2);
  EXPECT_EQ(release.undo_request_id(), "reserve-" + saga.saga_id);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].order_revision(), 3);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 60}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 1);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);

  // The order moves to revision 3 with its old content, so later revisions pass what
  // inventory now holds.
  const v1::Order stored = StoredOrder();
  EXPECT_EQ(stored.revision(), 3);
  EXPECT_EQ(stored.etag(), EtagOf(3));
  EXPECT_EQ(ProductLinesOf(stored), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(stored.commitment().explanation(), order.commitment().explanation());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_REFUSED);

  const v1::ReserveRequest change_step = inventory_.reserve_requests[0];
  EXPECT_EQ(ReasonOf(inventory_.Reserve(change_step, Later()).status()), "STEP_UNDONE");
}

TEST_F(SagaTest, AmendWhosePlanTimedOutAfterLandingRestoresTheOldPlan) {
  const v1::Order order = ConfirmedOrder();
  scheduling_.failures().FailOnce("PlanJob", absl::DeadlineExceededError("PlanJob timed out"),
                                  /*after_acting=*/true);
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(changed.status().code(), absl::StatusCode::kDeadlineExceeded);
  // The change's plan is cancelled by its id, and the old content planned again at revision 3.
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob", "PlanJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].order_revision(), 2);
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  const v1::PlanJobRequest& restore = scheduling_.plan_requests[1];
  EXPECT_EQ(restore.order_revision(), 3);
  EXPECT_EQ(restore.request_id(), "restore-plan-" + saga.saga_id);
  EXPECT_FALSE(restore.refuse_if_late()) << "the old plan comes back whatever it commits to";
  ASSERT_EQ(restore.inventory_lines_size(), 2);
  EXPECT_EQ(restore.inventory_lines(0).inventory_code(), "CHAIR-KIT");
  EXPECT_EQ(restore.inventory_lines(0).quantity(), 60);
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 3);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve", "ResolveProducts", "Reserve", "Release"));
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].order_revision(), 3);
  EXPECT_EQ(StoredOrder().revision(), 3);
  EXPECT_EQ(ProductLinesOf(StoredOrder()), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
}

TEST_F(SagaTest, AmendWhoseFinalWriteIsRefusedCancelsThenReplansTheOldContent) {
  const v1::Order order = ConfirmedOrder();
  // Another write moves the order to revision 2 while the change is being planned.
  scheduling_.on_call = [&](const std::string& method) {
    if (method != "PlanJob" || StoredOrder().revision() != 1) return;
    v1::Order moved = StoredOrder();
    moved.set_revision(2);
    moved.set_etag(EtagOf(2));
    store_.Put(moved);
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(ReasonOf(changed.status()), "STALE_REVISION");
  EXPECT_THAT(scheduling_.calls(), ElementsAre("PlanJob", "CancelJob", "PlanJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].undo_request_id(), "plan-" + saga.saga_id);
  EXPECT_EQ(scheduling_.plan_requests[1].request_id(), "restore-plan-" + saga.saga_id);
  EXPECT_EQ(scheduling_.plan_requests[1].order_revision(), 3);
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 3);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
  EXPECT_THAT(inventory_.calls(), ElementsAre("Reserve", "ResolveProducts", "Reserve", "Release"));
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].order_revision(), 3);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 60}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(StoredOrder().revision(), 3);
  EXPECT_EQ(ProductLinesOf(StoredOrder()), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
}

TEST_F(SagaTest, AmendWhoseRestoreCannotReachInventoryIsFinishedByRecovery) {
  const v1::Order order = ConfirmedOrder();
  scheduling_.late_by = hours(6);
  // Inventory goes away once the change's Reserve is through.
  scheduling_.on_call = [&](const std::string& method) {
    if (method == "PlanJob")
      inventory_.failures().FailAlways("Reserve", DependencyDown("inventory"));
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(ReasonOf(changed.status()), "DEADLINE_INFEASIBLE");
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensating);
  EXPECT_EQ(StoredOrder().revision(), 1);
  EXPECT_EQ(CounterValue("salesops_saga_compensations_total",
                         {{"step", "restore_stock"}, {"outcome", "failed"}}),
            1);
  // The change's reservation stays until the old one is back: never neither.
  ASSERT_EQ(inventory_.Active(kOrderId).size(), 1u);
  EXPECT_EQ(inventory_.Active(kOrderId)[0].order_revision(), 2);

  inventory_.failures().Heal("Reserve");
  scheduling_.on_call = nullptr;
  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].order_revision(), 3);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 60}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(StoredOrder().revision(), 3);
  EXPECT_EQ(ProductLinesOf(StoredOrder()), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 1) << "the old job was never touched";
}

TEST_F(SagaTest, RecoveryUndoesAChangeThatDiedAfterReserving) {
  const v1::Order order = ConfirmedOrder();
  SagaRecord saga = BeginAmend(order, {{"TABLE", 10}, {"CHAIR", 80}});
  DoStepsUpTo(saga, saga.target, SagaProgress::kStockReserved);

  EXPECT_EQ(SweepAfterLeases(), 1);

  // The job was still the old one (revision 1): the cancel by the change's id leaves it alone
  // and nothing is re-planned; the old lines are reserved again at revision 3.
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(scheduling_.cancel_requests[0].order_revision(), 2);
  EXPECT_EQ(scheduling_.jobs[kOrderId].order_revision(), 1);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);
  EXPECT_THAT(inventory_.calls(), ElementsAre("ResolveProducts", "Reserve", "Release"));
  const std::vector<v1::Reservation> active = inventory_.Active(kOrderId);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].order_revision(), 3);
  EXPECT_EQ(StockOf(active[0]), (Lines{{"CHAIR-KIT", 60}, {"TABLE-KIT", 10}}));
  EXPECT_EQ(StoredOrder().revision(), 3);
  EXPECT_EQ(ProductLinesOf(StoredOrder()), (Lines{{"CHAIR", 60}, {"TABLE", 10}}));
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kCompensated);
}

TEST_F(SagaTest, RecoveryFinishesAChangeThatDiedAfterPlanning) {
  const v1::Order order = ConfirmedOrder();
  SagaRecord saga = BeginAmend(order, {{"TABLE", 10}, {"CHAIR", 80}});
  DoStepsUpTo(saga, saga.target, SagaProgress::kJobPlanned);

  EXPECT_EQ(SweepAfterLeases(), 1);

  EXPECT_THAT(inventory_.calls(), IsEmpty());
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  const v1::Order stored = StoredOrder();
  EXPECT_EQ(stored.revision(), 2);
  EXPECT_EQ(ProductLinesOf(stored), (Lines{{"CHAIR", 80}, {"TABLE", 10}}));
  EXPECT_EQ(stored.commitment().explanation(), "planned by plan-" + saga.saga_id);
  ASSERT_EQ(stored.last_change_impact().pull_more_size(), 1);
  EXPECT_EQ(stored.last_change_impact().pull_more(0).quantity(), 20);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
}

// A restore the dependency refuses outright (the units the change gave back were reserved by
// another order meanwhile) would be refused again: the undo ends there, keeping the change's
// reservation (never neither), and says so, so that the saga closes and the order can be
// changed or cancelled. (Found as a bug: it used to be retried for ever.)
TEST_F(SagaTest, AmendWhoseOldStockWasTakenMeanwhileDoesNotStayOpenForever) {
  const v1::Order order = ConfirmedOrder();
  // The change gives 20 chairs back; another order reserves them before its plan is refused.
  scheduling_.late_by = hours(6);
  scheduling_.on_call = [&](const std::string& method) {
    if (method != "PlanJob") return;
    inventory_.failures().FailAlways(
        "Reserve", common::BusinessRefusal(v1::INSUFFICIENT_STOCK, "20 CHAIR-KIT short"));
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 40}}, saga);
  for (int sweep = 0; sweep < 5; ++sweep) SweepAfterLeases();

  EXPECT_EQ(ReasonOf(changed.status()), "DEADLINE_INFEASIBLE");
  const SagaState state = StoredSaga(saga.saga_id).state;
  EXPECT_TRUE(state == SagaState::kCompensated || state == SagaState::kFinished)
      << "the change is still being undone after five sweeps";
  SagaRecord cancel = runner_.NewSaga(SagaKind::kCancel, StoredOrder(), actor_, "req-cancel");
  EXPECT_TRUE(store_.BeginSaga(cancel, runner_.settings().lease()).ok())
      << "the order cannot be cancelled";
}

// An amendment whose new lines need no stock (every product crew-only) releases the old
// revision's stock as its stock step (and its compensation reserves it again). (Found as a
// bug: the old reservation used to stay.)
TEST_F(SagaTest, AmendToLinesWithoutStockReleasesTheOldReservation) {
  inventory_.crew_only_products = {"CONSULTING"};
  const v1::Order order = ConfirmedOrder();
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"CONSULTING", 1}}, saga);

  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(StoredOrder().revision(), 2);
  EXPECT_THAT(inventory_.Active(kOrderId), IsEmpty())
      << "the tables and chairs of revision 1 are still reserved";
}

// Undoing a change whose plan had landed re-plans the old content at step_revision + 1; what
// that plan commits to is written on the order with the undo, so the order never promises a
// delivery its job does not. (Found as a bug: the answer used to be dropped.)
TEST_F(SagaTest, AmendUndoneAfterItsPlanLandedKeepsTheRestoredPlansCommitment) {
  const v1::Order order = ConfirmedOrder();
  scheduling_.failures().FailOnce("PlanJob", absl::DeadlineExceededError("PlanJob timed out"),
                                  /*after_acting=*/true);
  // The crew the old plan had is taken while the change holds it: re-planned, it is late.
  scheduling_.on_call = [&](const std::string& method) {
    if (method == "CancelJob") scheduling_.late_by = hours(6);
  };
  SagaRecord saga;

  absl::StatusOr<v1::Order> changed = RunAmend(order, {{"TABLE", 10}, {"CHAIR", 80}}, saga);

  EXPECT_EQ(changed.status().code(), absl::StatusCode::kDeadlineExceeded);
  ASSERT_EQ(scheduling_.jobs[kOrderId].order_revision(), 3);
  EXPECT_EQ(StoredOrder().commitment().no_later_than().seconds(),
            scheduling_.jobs[kOrderId].commitment().no_later_than().seconds())
      << "the order promises a delivery its job no longer commits to";
}

// ---------------------------------------------------------------------------------------------
// Cancel.
// ---------------------------------------------------------------------------------------------

TEST_F(SagaTest, CancelReleasesTheStockCancelsTheJobAndCancelsTheOrder) {
  ConfirmedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kCancel, StoredOrder());

  absl::StatusOr<v1::Order> cancelled = runner_.Cancel(saga, SagaDeadline());

  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_THAT(inventory_.calls(), ElementsAre("Release"));
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(inventory_.release_requests[0].order_revision(), 0) << "every revision";
  EXPECT_EQ(inventory_.release_requests[0].request_id(), "release-" + saga.saga_id);
  EXPECT_EQ(scheduling_.cancel_requests[0].order_revision(), 0);
  EXPECT_EQ(scheduling_.cancel_requests[0].request_id(), "cancel-" + saga.saga_id);
  EXPECT_THAT(inventory_.Active(kOrderId), IsEmpty());
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  const v1::Order stored = StoredOrder();
  EXPECT_EQ(stored.stage(), v1::ORDER_STAGE_CANCELLED);
  EXPECT_EQ(stored.stage_reason(), saga.reason);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_EQ(LastHistoryEntry().kind(), v1::HISTORY_ENTRY_KIND_CANCELLED);
  ASSERT_FALSE(store_.events().empty());
  EXPECT_EQ(store_.events().back().type(), v1::EVENT_TYPE_ORDER_CANCELLED);
}

TEST_F(SagaTest, MarkingAQuoteLostNeedsNoJobToCancel) {
  const v1::Order quote = QuotedOrder();
  SagaRecord saga = BeginSaga(SagaKind::kCancel, quote);
  saga.target.set_stage(v1::ORDER_STAGE_LOST);

  absl::StatusOr<v1::Order> lost = runner_.Cancel(saga, SagaDeadline());

  // Scheduling answers NOT_FOUND for a quote that never had a job: that is done, not a failure.
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_THAT(scheduling_.calls(), ElementsAre("CancelJob"));
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_LOST);
  EXPECT_THAT(inventory_.Active(kOrderId), IsEmpty());
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_EQ(store_.events().back().type(), v1::EVENT_TYPE_ORDER_STAGE_CHANGED);
}

TEST_F(SagaTest, CancelWithInventoryDownStaysOpenAndRecoveryFinishesIt) {
  ConfirmedOrder();
  inventory_.failures().FailAlways("Release", DependencyDown("inventory"));
  SagaRecord saga = BeginSaga(SagaKind::kCancel, StoredOrder());

  absl::StatusOr<v1::Order> cancelled = runner_.Cancel(saga, SagaDeadline());

  // The caller hears it is under way; nothing is undone (a cancellation only goes forward).
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(cancelled.status()), "DEPENDENCY_UNAVAILABLE");
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kRunning);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_THAT(scheduling_.calls(), IsEmpty());
  EXPECT_TRUE(inventory_.reserve_requests.empty());

  EXPECT_EQ(recovery_.SweepOnce(), 0) << "taken up before its retry is due";
  inventory_.failures().Heal("Release");
  clock_.Advance(seconds(2));
  EXPECT_EQ(recovery_.SweepOnce(), 1);

  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CANCELLED);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
  EXPECT_THAT(inventory_.Active(kOrderId), IsEmpty());
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  EXPECT_TRUE(inventory_.reserve_requests.empty());
  EXPECT_TRUE(scheduling_.plan_requests.empty());
  EXPECT_EQ(CounterValue("salesops_sagas_recovered_total", {{"outcome", "finished"}}), 1);
}

TEST_F(SagaTest, CancelWithSchedulingDownReleasesAgainAndFinishesInRecovery) {
  ConfirmedOrder();
  scheduling_.failures().FailOnce("CancelJob", DependencyDown("scheduling"));
  SagaRecord saga = BeginSaga(SagaKind::kCancel, StoredOrder());

  absl::StatusOr<v1::Order> cancelled = runner_.Cancel(saga, SagaDeadline());

  EXPECT_EQ(ReasonOf(cancelled.status()), "DEPENDENCY_UNAVAILABLE");
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kRunning);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_THAT(inventory_.Active(kOrderId), IsEmpty()) << "the stock went back at once";
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_PLANNED);

  EXPECT_EQ(SweepAfterLeases(), 1);

  // Recovery repeats every step by the same request ids (releasing again is harmless).
  EXPECT_THAT(inventory_.calls(), ElementsAre("Release", "Release"));
  EXPECT_EQ(inventory_.release_requests[1].request_id(), "release-" + saga.saga_id);
  EXPECT_EQ(scheduling_.cancel_requests[1].request_id(), "cancel-" + saga.saga_id);
  EXPECT_EQ(scheduling_.jobs[kOrderId].state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CANCELLED);
  EXPECT_EQ(StoredSaga(saga.saga_id).state, SagaState::kFinished);
}

// ---------------------------------------------------------------------------------------------
// One saga at a time.
// ---------------------------------------------------------------------------------------------

TEST_F(SagaTest, ASecondSagaOnAnOrderIsRefusedWhileOneIsOpen) {
  const v1::Order quote = QuotedOrder();
  absl::Status cancel_during_confirm;
  scheduling_.on_call = [&](const std::string& method) {
    if (method != "PlanJob") return;
    cancel_during_confirm =
        store_
            .ReadAndBeginSaga(
                kOrderId, runner_.settings().lease(),
                [&](const v1::Order& current) -> absl::StatusOr<std::optional<SagaRecord>> {
                  return runner_.NewSaga(SagaKind::kCancel, current, actor_, "req-cancel");
                })
            .status();
  };
  SagaRecord saga;

  ASSERT_TRUE(RunConfirm(quote, saga).ok());

  EXPECT_EQ(cancel_during_confirm.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(cancel_during_confirm), "SAGA_IN_PROGRESS");
  EXPECT_EQ(StoredOrder().stage(), v1::ORDER_STAGE_CONFIRMED);
  // Once the confirmation is over, the cancellation may begin.
  scheduling_.on_call = nullptr;
  SagaRecord cancel = runner_.NewSaga(SagaKind::kCancel, StoredOrder(), actor_, "req-cancel");
  EXPECT_TRUE(store_.BeginSaga(cancel, runner_.settings().lease()).ok());
}

}  // namespace
}  // namespace salesops::order_intake
