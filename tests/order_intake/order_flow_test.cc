// Order-intake with all four services as real processes on real PostgreSQL:
// quote, available-to-promise, the confirm saga and its compensation,
// clarifications, milestones arriving through the event path, bad input.
#include <absl/strings/str_format.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

class OrderFlowTest : public OrderSuiteTest {};

TEST_F(OrderFlowTest, QuoteShortageConfirmQuestionAndPrepThroughTheEventPath) {
  // A quote for two walls needs 48 panels; 30 exist. It is created, priced, and says so.
  v1::CreateOrderResponse big;
  grpc::Status status = Create(Draft(2), &big);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(big.order().stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(big.order().revision(), 1);
  EXPECT_FALSE(big.feasibility().feasible());
  ASSERT_EQ(big.feasibility().stock_shortages_size(), 1);
  EXPECT_EQ(big.feasibility().stock_shortages(0).shortfall(), 18);
  // 2 walls x 500 EUR x 1 billable day (08:00 to 24:00) + crew 2 x 2 h x 2 x 45 EUR.
  EXPECT_EQ(big.order().quote().equipment_subtotal().units(), 1000);
  EXPECT_EQ(big.order().quote().crew_cost().units(), 360);
  EXPECT_EQ(big.order().quote().total().units(), 1360);
  EXPECT_EQ(big.order().quote().total().currency_code(), "EUR");

  // Confirming it is refused with what is short; nothing is reserved, it stays QUOTED.
  v1::ConfirmOrderResponse confirmed;
  status = Confirm(big.order(), &confirmed);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  common::ErrorDetails refusal = common::ParseGrpcError(status);
  EXPECT_EQ(refusal.reason, "INSUFFICIENT_STOCK");
  EXPECT_EQ(Get(big.order().order_id()).stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);
  EXPECT_EQ(History(big.order().order_id()),
            (std::vector<v1::HistoryEntryKind>{v1::HISTORY_ENTRY_KIND_CREATED,
                                               v1::HISTORY_ENTRY_KIND_REFUSED}));

  // Available-to-promise for a draft writes nothing and says what would work.
  v1::CheckFeasibilityRequest check;
  *check.mutable_draft() = Draft(2);
  v1::CheckFeasibilityResponse checked;
  status = suite_.orders->Call(&OrderStub::CheckFeasibility, check, &checked,
                               suite_.orders->tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(checked.feasibility().feasible());
  EXPECT_EQ(checked.feasibility().stock_shortages(0).shortfall(), 18);
  EXPECT_EQ(checked.quote().total().units(), 1360);
  EXPECT_FALSE(checked.commitment().meets_request());
  *check.mutable_draft() = Draft(1);
  ASSERT_TRUE(
      suite_.orders
          ->Call(&OrderStub::CheckFeasibility, check, &checked, suite_.orders->tokens().sales)
          .ok());
  EXPECT_TRUE(checked.feasibility().feasible()) << checked.feasibility().explanation();
  EXPECT_EQ(checked.commitment().no_later_than().seconds(), At(8).seconds());

  // A note is a new revision, in the history with what it added.
  v1::AddNoteRequest note;
  note.set_order_id(big.order().order_id());
  note.mutable_note()->set_kind(v1::NOTE_KIND_LOADING_DOCK);
  note.mutable_note()->set_text("Dock B, max 7.5 t");
  v1::AddNoteResponse noted;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::AddNote, note, &noted, suite_.orders->tokens().ops).ok());
  EXPECT_EQ(noted.revision(), 2);
  EXPECT_EQ(noted.note().author().id(), "ops-1");
  EXPECT_EQ(Get(big.order().order_id()).notes_size(), 1);
  EXPECT_EQ(History(big.order().order_id()).back(), v1::HISTORY_ENTRY_KIND_NOTE_ADDED);

  // One wall fits. Ops asks a blocking question first: confirmation waits for the answer.
  v1::CreateOrderResponse small;
  ASSERT_TRUE(Create(Draft(1, "Globex"), &small).ok());
  v1::AskQuestionRequest ask;
  ask.set_order_id(small.order().order_id());
  ask.set_text("Is there a loading dock at the Grand Hall?");
  ask.set_blocking(true);
  ask.set_product_code("LED-WALL-3X2");
  v1::AskQuestionResponse asked;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::AskQuestion, ask, &asked, suite_.orders->tokens().ops).ok());
  status = Confirm(Get(small.order().order_id()), &confirmed);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "BLOCKING_QUESTION_OPEN");
  v1::AnswerQuestionRequest answer;
  answer.set_order_id(small.order().order_id());
  answer.set_question_id(asked.question().question_id());
  answer.set_text("Yes, dock 2, height 4 m");
  v1::AnswerQuestionResponse answered;
  ASSERT_TRUE(
      suite_.orders
          ->Call(&OrderStub::AnswerQuestion, answer, &answered, suite_.orders->tokens().sales)
          .ok());
  EXPECT_EQ(answered.question().state(), v1::QUESTION_STATE_ANSWERED);
  status = Confirm(Get(small.order().order_id()), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.order().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_TRUE(confirmed.order().commitment().meets_request());
  EXPECT_EQ(confirmed.order().commitment().no_later_than().seconds(), At(8).seconds());
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);
  // A retry of the same confirmation is harmless.
  v1::ConfirmOrderResponse again;
  ASSERT_TRUE(Confirm(small.order(), &again).ok());
  EXPECT_EQ(again.order().revision(), confirmed.order().revision());
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);

  // Sales sees what ops is doing: the job, its tasks and who does them.
  v1::Order full = Get(small.order().order_id(), v1::ORDER_VIEW_FULL);
  EXPECT_FALSE(full.ops_status().degraded()) << full.ops_status().degraded_reason();
  EXPECT_GT(full.ops_status().job().tasks_size(), 0);

  // The warehouse starts pulling: the order moves to IN_PREP through
  // inventory's outbox, notification and order-intake's EventSink.
  v1::RecordPrepRequest prep;
  prep.set_order_id(small.order().order_id());
  v1::PrepCount* count = prep.add_counts();
  count->set_inventory_code("LED-PANEL-500");
  count->set_pulled_quantity(10);
  v1::RecordPrepResponse prepped;
  status = suite_.inventory->Call(&InventoryStub::RecordPrep, prep, &prepped,
                                  suite_.inventory->tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(Eventually([&] {
    return Get(small.order().order_id()).stage() == v1::ORDER_STAGE_IN_PREP;
  })) << suite_.notification->log();
  std::vector<v1::HistoryEntryKind> history = History(small.order().order_id());
  EXPECT_EQ(history.back(), v1::HISTORY_ENTRY_KIND_STAGE_CHANGED);

  // Ops heard about the question in their inbox, with the question in it.
  ASSERT_TRUE(Eventually([&] {
    v1::ListNotificationsRequest request;
    request.add_event_types(v1::EVENT_TYPE_QUESTION_ASKED);
    v1::ListNotificationsResponse response;
    return suite_.notification
               ->Call(&v1::NotificationService::Stub::ListNotifications, request, &response,
                      suite_.notification->tokens().ops)
               .ok() &&
           response.notifications_size() == 1 &&
           response.notifications(0).summary().find("loading dock") != std::string::npos;
  }));
}

TEST_F(OrderFlowTest, WorkOnlyAFreelancerCanDoShowsCrewPendingOnTheOrderUntilAccepted) {
  // Pyro: a skill nobody in-house holds, and one freelancer who does.
  v1::CreateSkillRequest skill;
  skill.mutable_skill()->set_skill_code("PYRO");
  skill.mutable_skill()->set_name("Pyrotechnics");
  v1::CreateSkillResponse skill_created;
  ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::CreateSkill, skill, &skill_created).ok());
  v1::CreateCrewMemberRequest freelancer;
  freelancer.mutable_crew_member()->set_crew_member_id("pia");
  freelancer.mutable_crew_member()->set_display_name("Pia");
  freelancer.mutable_crew_member()->add_held_skills()->set_skill_code("PYRO");
  freelancer.mutable_crew_member()->set_employment(v1::EMPLOYMENT_FREELANCER);
  freelancer.mutable_crew_member()->set_active(true);
  v1::CreateCrewMemberResponse member;
  ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::CreateCrewMember, freelancer, &member).ok());
  PutItem("PYRO-FOUNTAIN", 8);
  v1::UpsertProductRequest product;
  product.mutable_product()->set_product_code("PYRO-SHOW");
  product.mutable_product()->set_name("Stage pyro");
  product.mutable_product()->mutable_day_rate()->set_currency_code("EUR");
  product.mutable_product()->mutable_day_rate()->set_units(900);
  v1::InventoryLine* fountain = product.mutable_product()->add_components();
  fountain->set_inventory_code("PYRO-FOUNTAIN");
  fountain->set_quantity(4);
  v1::CrewNeed* need = product.mutable_product()->add_crew_needs();
  need->set_skill_code("PYRO");
  need->mutable_duration()->set_seconds(2 * 3600);
  need->set_headcount(1);
  v1::UpsertProductResponse upserted;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, product, &upserted).ok());

  v1::Order draft = Draft(1);
  draft.mutable_product_lines(0)->set_product_code("PYRO-SHOW");
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(draft, &created).ok());
  v1::ConfirmOrderResponse confirmed;
  grpc::Status status = Confirm(created.order(), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The offer worker (every 10 s by default) offers the pyro setup to Pia; until she accepts,
  // the order's ops status says crew is pending, and why.
  auto pending = [&]() -> std::optional<v1::AtRiskItem> {
    const v1::Order order = Get(created.order().order_id(), v1::ORDER_VIEW_FULL);
    for (const v1::AtRiskItem& item : order.ops_status().at_risk()) {
      if (item.at_risk_reason() == v1::AT_RISK_REASON_CREW_PENDING &&
          item.task_kind() == v1::TASK_KIND_SETUP) {
        return item;
      }
    }
    return std::nullopt;
  };
  std::optional<v1::AtRiskItem> waiting;
  for (int attempt = 0; attempt < 300 && !waiting; ++attempt) {
    waiting = pending();
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(waiting) << "the order never showed crew pending for the pyro setup";
  EXPECT_NE(waiting->explanation().find("offered to pia"), std::string::npos)
      << waiting->explanation();

  v1::ListOffersRequest list;
  list.set_task_id(waiting->task_id());
  v1::ListOffersResponse offers;
  ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::ListOffers, list, &offers).ok());
  ASSERT_EQ(offers.offers_size(), 1);
  v1::AcceptOfferRequest accept;
  accept.set_offer_id(offers.offers(0).offer_id());
  v1::AcceptOfferResponse accepted;
  ASSERT_TRUE(
      suite_.scheduling
          ->Call(&SchedulingStub::AcceptOffer, accept, &accepted, suite_.scheduling->tokens().ops)
          .ok());
  // Accepted: the setup is covered, and the order no longer says crew is pending for it.
  const v1::Order covered = Get(created.order().order_id(), v1::ORDER_VIEW_FULL);
  EXPECT_FALSE(covered.ops_status().degraded()) << covered.ops_status().degraded_reason();
  for (const v1::AtRiskItem& item : covered.ops_status().at_risk()) {
    EXPECT_NE(item.task_id(), waiting->task_id()) << item.explanation();
  }
}

TEST_F(OrderFlowTest, AChangeAfterPrepReachesOpsWhoAcknowledgeIt) {
  PutItem("MIC-SM58", 10);
  {
    v1::UpsertProductRequest request;
    v1::Product* product = request.mutable_product();
    product->set_product_code("MIC-KIT");
    product->set_name("Vocal microphone pair");
    product->mutable_day_rate()->set_currency_code("EUR");
    product->mutable_day_rate()->set_units(20);
    v1::InventoryLine* component = product->add_components();
    component->set_inventory_code("MIC-SM58");
    component->set_quantity(2);
    v1::UpsertProductResponse response;
    ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, request, &response).ok());
  }
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  v1::ConfirmOrderResponse confirmed;
  ASSERT_TRUE(Confirm(created.order(), &confirmed).ok());
  v1::RecordPrepRequest prep;
  prep.set_order_id(created.order().order_id());
  v1::PrepCount* count = prep.add_counts();
  count->set_inventory_code("LED-PANEL-500");
  count->set_pulled_quantity(12);  // half: prep is underway, not done
  v1::RecordPrepResponse prepped;
  ASSERT_TRUE(suite_.inventory
                  ->Call(&InventoryStub::RecordPrep, prep, &prepped, suite_.inventory->tokens().ops)
                  .ok());
  const std::string id = created.order().order_id();
  ASSERT_TRUE(Eventually([&] { return Get(id).stage() == v1::ORDER_STAGE_IN_PREP; }));

  // The client wants two microphone pairs as well: ops must pull 4 more mics.
  v1::Order current = Get(id);
  v1::AmendOrderRequest amend;
  amend.set_order_id(id);
  amend.set_etag(current.etag());
  amend.set_reason("Client adds a panel discussion");
  *amend.mutable_order() = current;
  v1::ProductLine* mics = amend.mutable_order()->add_product_lines();
  mics->set_product_code("MIC-KIT");
  mics->set_quantity(2);
  v1::AmendOrderResponse amended;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::AmendOrder, amend, &amended, suite_.orders->tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message() << " "
                           << common::ParseGrpcError(status).reason;
  EXPECT_EQ(amended.order().revision(), current.revision() + 1);
  ASSERT_EQ(amended.impact().pull_more_size(), 1);
  EXPECT_EQ(amended.impact().pull_more(0).inventory_code(), "MIC-SM58");
  EXPECT_EQ(amended.impact().pull_more(0).quantity(), 4);
  EXPECT_TRUE(amended.impact().commitment_holds());
  EXPECT_EQ(amended.order().unacknowledged_changes_size(), 1);
  EXPECT_EQ(amended.order().stage(), v1::ORDER_STAGE_IN_PREP);

  // Ops hears about it without anyone telling them.
  ASSERT_TRUE(Eventually([&] {
    v1::ListNotificationsRequest request;
    request.add_event_types(v1::EVENT_TYPE_ORDER_AMENDED);
    v1::ListNotificationsResponse response;
    return suite_.notification
               ->Call(&v1::NotificationService::Stub::ListNotifications, request, &response,
                      suite_.notification->tokens().ops)
               .ok() &&
           response.notifications_size() == 1 &&
           response.notifications(0).summary().find("+4 MIC-SM58 to pull") != std::string::npos;
  }));
  v1::ListOrdersRequest pending;
  pending.set_unacknowledged_changes_only(true);
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListOrders, pending, &listed).ok());
  ASSERT_EQ(listed.orders_size(), 1);
  EXPECT_EQ(listed.orders(0).order_id(), id);

  std::string metrics = FetchMetrics(suite_.orders->metrics_port());
  for (const char* line :
       {"salesops_order_confirmations_total{outcome=\"confirmed\",reason=\"\"} 1",
        "salesops_order_changes_total{after_prep=\"true\"} 1",
        "salesops_orders{stage=\"in_prep\"} 1", "salesops_orders_unacknowledged_changes 1"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }

  v1::AcknowledgeChangeRequest ack;
  ack.set_order_id(id);
  ack.set_revision(amended.order().revision());
  ack.set_note("Mics added to the pull sheet");
  v1::AcknowledgeChangeResponse acked;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::AcknowledgeChange, ack, &acked, suite_.orders->tokens().ops)
          .ok());
  EXPECT_TRUE(acked.change().acknowledged());
  EXPECT_EQ(acked.change().acknowledged_by().id(), "ops-1");
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::AcknowledgeChange, ack, &acked, suite_.orders->tokens().ops)
          .ok());
  EXPECT_EQ(Get(id).unacknowledged_changes_size(), 0);

  // A change ops cannot support is refused, and the order stays as it was.
  current = Get(id);
  amend.set_etag(current.etag());
  *amend.mutable_order() = current;
  amend.mutable_order()->mutable_product_lines(0)->set_quantity(2);
  status =
      suite_.orders->Call(&OrderStub::AmendOrder, amend, &amended, suite_.orders->tokens().sales);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INSUFFICIENT_STOCK") << status.error_message();
  EXPECT_EQ(Get(id).revision(), current.revision());
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);

  // Everything is in the history, in order.
  std::vector<v1::HistoryEntryKind> history = History(id);
  EXPECT_EQ(history,
            (std::vector<v1::HistoryEntryKind>{
                v1::HISTORY_ENTRY_KIND_CREATED, v1::HISTORY_ENTRY_KIND_CONFIRMED,
                v1::HISTORY_ENTRY_KIND_STAGE_CHANGED, v1::HISTORY_ENTRY_KIND_AMENDED,
                v1::HISTORY_ENTRY_KIND_CHANGE_ACKNOWLEDGED, v1::HISTORY_ENTRY_KIND_REFUSED}));
}

TEST_F(OrderFlowTest, PipelineForecastWeighsQuotesNextToConfirmedWork) {
  v1::CreateOrderResponse quote, order;
  ASSERT_TRUE(Create(Draft(1, "Quote Co"), &quote).ok());
  ASSERT_TRUE(Create(Draft(1, "Order Co"), &order).ok());
  v1::ConfirmOrderResponse confirmed;
  ASSERT_TRUE(Confirm(order.order(), &confirmed).ok());
  v1::GetPipelineForecastRequest request;
  *request.mutable_range()->mutable_not_before() = At(0);
  *request.mutable_range()->mutable_no_later_than() = At(48);
  request.mutable_bucket_size()->set_seconds(24 * 3600);
  request.set_include_demand(true);
  v1::GetPipelineForecastResponse forecast;
  grpc::Status status = suite_.orders->Call(&OrderStub::GetPipelineForecast, request, &forecast);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(forecast.buckets_size(), 2);
  const v1::PipelineBucket& day = forecast.buckets(0);
  EXPECT_EQ(day.confirmed_order_count(), 1);
  EXPECT_EQ(day.open_quote_count(), 1);
  // One wall quote: 500 + crew 180 = 680 EUR; weighted by 0.6 = 408.
  EXPECT_EQ(day.confirmed_revenue().units(), 680);
  EXPECT_EQ(day.open_quote_revenue().units(), 680);
  EXPECT_EQ(day.weighted_quote_revenue().units(), 408);
  EXPECT_EQ(day.expected_revenue().units(), 1088);
  ASSERT_EQ(day.stock_demand_size(), 1);
  EXPECT_EQ(day.stock_demand(0).confirmed_quantity(), 24);
  EXPECT_DOUBLE_EQ(day.stock_demand(0).weighted_quantity(), 24 * 0.6);
  EXPECT_EQ(forecast.buckets(1).open_quote_count(), 0);

  request.mutable_bucket_size()->set_seconds(60);
  status = suite_.orders->Call(&OrderStub::GetPipelineForecast, request, &forecast);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "bucket_size");
}

TEST_F(OrderFlowTest, MilestonesMoveTheStageOnceEachAndCloseFollowsTheReturn) {
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  v1::ConfirmOrderResponse confirmed;
  ASSERT_TRUE(Confirm(created.order(), &confirmed).ok());
  const std::string id = created.order().order_id();
  // Delivered as notification delivers them: EventSink.Deliver with the SERVICE token.
  auto stub = v1::EventSink::NewStub(
      grpc::CreateChannel(suite_.orders->address(), grpc::InsecureChannelCredentials()));
  auto deliver = [&](const v1::Event& event, v1::DeliverResponse* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + suite_.orders->tokens().service);
    v1::DeliverRequest request;
    *request.mutable_event() = event;
    request.set_attempt(1);
    return stub->Deliver(&context, request, response);
  };
  v1::DeliverResponse response;
  v1::Event dispatched = MakeEvent(v1::EVENT_TYPE_DISPATCHED, id);
  ASSERT_TRUE(deliver(dispatched, &response).ok());
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(Get(id).stage(), v1::ORDER_STAGE_DISPATCHED);
  ASSERT_TRUE(deliver(dispatched, &response).ok());
  EXPECT_TRUE(response.duplicate());
  // Scheduling reports dispatch too: a milestone already passed changes nothing.
  ASSERT_TRUE(deliver(MakeEvent(v1::EVENT_TYPE_DISPATCHED, id), &response).ok());
  ASSERT_TRUE(deliver(MakeEvent(v1::EVENT_TYPE_ON_SITE, id), &response).ok());
  EXPECT_EQ(Get(id).stage(), v1::ORDER_STAGE_ON_SITE);

  // Not closed before the gear is back.
  v1::CloseOrderRequest close;
  close.set_order_id(id);
  close.set_note("All returned, invoice sent");
  v1::CloseOrderResponse closed;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::CloseOrder, close, &closed, suite_.orders->tokens().sales);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");
  ASSERT_TRUE(deliver(MakeEvent(v1::EVENT_TYPE_RETURNED, id), &response).ok());
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CloseOrder, close, &closed, suite_.orders->tokens().sales)
          .ok());
  EXPECT_EQ(closed.order().stage(), v1::ORDER_STAGE_CLOSED);
  // A milestone for an order that ended is refused, as final (notification does not retry it).
  status = deliver(MakeEvent(v1::EVENT_TYPE_PREP_STARTED, id), &response);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");
  std::vector<v1::HistoryEntryKind> history = History(id);
  EXPECT_EQ(std::count(history.begin(), history.end(), v1::HISTORY_ENTRY_KIND_STAGE_CHANGED), 4);
}

TEST_F(OrderFlowTest, AConfirmationThatFailsHalfwayLeavesNothingBehind) {
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  suite_.scheduling.reset();  // scheduling is down when the saga reaches it
  v1::ConfirmOrderResponse confirmed;
  grpc::Status status = Confirm(created.order(), &confirmed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "DEPENDENCY_UNAVAILABLE");
  EXPECT_EQ(Get(created.order().order_id()).stage(), v1::ORDER_STAGE_QUOTED);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30) << "the reservation was not released";

  // Once scheduling is back, the same confirmation goes through.
  suite_.StartScheduling();
  ASSERT_TRUE(suite_.scheduling->started());
  ASSERT_TRUE(Eventually([&] { return Confirm(created.order(), &confirmed).ok(); }))
      << suite_.orders->log();
  EXPECT_EQ(confirmed.order().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);
}

TEST_F(OrderFlowTest, AQuoteStoredWhileSchedulingIsDownAnswersOkAndSaysItsCheckWasNotDone) {
  suite_.scheduling.reset();  // the capacity check cannot be answered
  v1::CreateOrderResponse created;
  grpc::Status status = Create(Draft(1), &created);
  // The quote was stored, so the answer says so: OK, with the check marked as not done,
  // rather than an error for a quote that nevertheless exists.
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(created.feasibility().incomplete());
  EXPECT_FALSE(created.feasibility().feasible());
  EXPECT_NE(created.feasibility().explanation().find("CheckFeasibility"), std::string::npos)
      << created.feasibility().explanation();
  EXPECT_EQ(Get(created.order().order_id()).stage(), v1::ORDER_STAGE_QUOTED);
  v1::ListOrdersRequest all;
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListOrders, all, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 1);

  // Asked again once scheduling is back, the check is done.
  suite_.StartScheduling();
  ASSERT_TRUE(suite_.scheduling->started());
  v1::CheckFeasibilityRequest again;
  again.set_order_id(created.order().order_id());
  v1::CheckFeasibilityResponse checked;
  ASSERT_TRUE(Eventually(
      [&] { return suite_.orders->Call(&OrderStub::CheckFeasibility, again, &checked).ok(); }));
  EXPECT_FALSE(checked.feasibility().incomplete());
}

TEST_F(OrderFlowTest, TwoSalespeopleRacingForTheLastUnitsOneWins) {
  v1::CreateOrderResponse first, second;
  ASSERT_TRUE(Create(Draft(1, "Initech"), &first).ok());
  ASSERT_TRUE(Create(Draft(1, "Umbrella"), &second).ok());
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  auto race = [&](const v1::Order& order) {
    return std::async(std::launch::async, [&, order] {
      start.wait();
      v1::ConfirmOrderResponse response;
      return Confirm(order, &response);
    });
  };
  auto a = race(first.order());
  auto b = race(second.order());
  go.set_value();
  grpc::Status ra = a.get(), rb = b.get();
  EXPECT_NE(ra.ok(), rb.ok()) << ra.error_message() << " / " << rb.error_message();
  const grpc::Status& lost = ra.ok() ? rb : ra;
  EXPECT_EQ(common::ParseGrpcError(lost).reason, "INSUFFICIENT_STOCK") << lost.error_message();
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);

  // The winner's client cancels: everything is released, and the job is gone.
  const v1::Order winner = Get(ra.ok() ? first.order().order_id() : second.order().order_id());
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(winner.order_id());
  cancel.set_etag("r7");  // a stale read is refused before anything is released
  cancel.set_reason("Event called off");
  v1::CancelOrderResponse cancelled;
  grpc::Status status = suite_.orders->Call(&OrderStub::CancelOrder, cancel, &cancelled,
                                            suite_.orders->tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STALE_REVISION");
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);
  cancel.set_etag(winner.etag());
  status = suite_.orders->Call(&OrderStub::CancelOrder, cancel, &cancelled,
                               suite_.orders->tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cancelled.order().stage(), v1::ORDER_STAGE_CANCELLED);
  EXPECT_EQ(cancelled.order().stage_reason(), "Event called off");
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);
  v1::GetJobStatusRequest job;
  job.set_order_id(winner.order_id());
  v1::GetJobStatusResponse status_response;
  ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::GetJobStatus, job, &status_response).ok());
  EXPECT_EQ(status_response.job().state(), v1::JOB_STATE_CANCELLED);
}

TEST_F(OrderFlowTest, BadOrdersNameTheirFieldsAndWriteNothing) {
  struct Case {
    std::string name;
    std::function<void(v1::Order&)> spoil;
    std::string field;
    // A product that does not exist (yet) is refused by the catalog's state, not the input.
    grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  };
  std::vector<Case> cases = {
      {"unknown product",
       [](v1::Order& o) { o.mutable_product_lines(0)->set_product_code("NOPE-1"); },
       "order.product_lines[0].product_code", grpc::StatusCode::FAILED_PRECONDITION},
      {"past window",
       [](v1::Order& o) {
         *o.mutable_delivery_window()->mutable_window()->mutable_not_before() =
             TimeUtil::SecondsToTimestamp(1000);
         *o.mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
             TimeUtil::SecondsToTimestamp(2000);
       },
       "order.delivery_window.window.no_later_than"},
      {"probability", [](v1::Order& o) { o.mutable_pipeline()->set_win_probability(1.5); },
       "order.pipeline.win_probability"},
      {"pinned without reason", [](v1::Order& o) { o.mutable_delivery_window()->set_pinned(true); },
       "order.delivery_window.pinned_reason"},
      {"no customer", [](v1::Order& o) { o.clear_customer(); }, "order.customer"},
  };
  for (const Case& bad : cases) {
    v1::Order order = Draft(1);
    bad.spoil(order);
    v1::CreateOrderResponse response;
    grpc::Status status = Create(order, &response);
    ASSERT_EQ(status.error_code(), bad.code) << bad.name;
    common::ErrorDetails details = common::ParseGrpcError(status);
    ASSERT_FALSE(details.violations.empty()) << bad.name;
    bool named = false;
    for (const auto& violation : details.violations) named |= violation.field == bad.field;
    EXPECT_TRUE(named) << bad.name << ": " << details.violations.front().field;
  }
  v1::ListOrdersRequest list;
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListOrders, list, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 0);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);
}

TEST_F(OrderFlowTest, AnAmountOutOfRangeIsRefusedNamingItAndNothingIsStored) {
  // A day rate a Money can hold (9e18 EUR) but no price computed from it can.
  v1::UpsertProductRequest gold;
  gold.mutable_product()->set_product_code("GOLD-STAGE");
  gold.mutable_product()->set_name("Solid gold stage");
  gold.mutable_product()->mutable_day_rate()->set_currency_code("EUR");
  gold.mutable_product()->mutable_day_rate()->set_units(9'000'000'000'000'000'000);
  v1::UpsertProductResponse upserted;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, gold, &upserted).ok());
  v1::Order order = Draft(1);
  v1::ProductLine* line = order.add_product_lines();
  line->set_product_code("GOLD-STAGE");
  line->set_quantity(2);

  auto expect_out_of_range = [](const grpc::Status& status, const std::string& what) {
    ASSERT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE) << status.error_message();
    EXPECT_EQ(common::ParseGrpcError(status).reason, "AMOUNT_OUT_OF_RANGE");
    EXPECT_NE(status.error_message().find(what), std::string::npos) << status.error_message();
  };
  v1::CreateOrderResponse created;
  expect_out_of_range(Create(order, &created, "gold-1"), "order.product_lines[1] (GOLD-STAGE)");
  v1::CheckFeasibilityRequest check;
  *check.mutable_draft() = order;
  v1::CheckFeasibilityResponse checked;
  expect_out_of_range(suite_.orders->Call(&OrderStub::CheckFeasibility, check, &checked),
                      "draft.product_lines[1] (GOLD-STAGE)");

  // A rate that fits, times a quantity, does not: before, it wrapped into a negative total.
  gold.mutable_product()->mutable_day_rate()->set_units(9'000'000'000'000);
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, gold, &upserted).ok());
  expect_out_of_range(Create(order, &created, "gold-2"), "order.product_lines[1] (GOLD-STAGE)");

  // An amendment that would price out of range leaves the order as it was.
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  v1::AmendOrderRequest amend;
  amend.set_order_id(created.order().order_id());
  *amend.mutable_order() = order;
  amend.set_reason("add the gold stage");
  v1::AmendOrderResponse amended;
  expect_out_of_range(
      suite_.orders->Call(&OrderStub::AmendOrder, amend, &amended, suite_.orders->tokens().sales),
      "order.product_lines[1] (GOLD-STAGE)");

  // Nothing was stored but the one good quote, unchanged.
  v1::ListOrdersRequest list;
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListOrders, list, &listed).ok());
  ASSERT_EQ(listed.orders_size(), 1);
  EXPECT_EQ(listed.orders(0).revision(), 1);
  EXPECT_EQ(listed.orders(0).product_lines_size(), 1);
  EXPECT_EQ(listed.orders(0).quote().total().units(), 680);
  EXPECT_EQ(History(created.order().order_id()),
            (std::vector<v1::HistoryEntryKind>{v1::HISTORY_ENTRY_KIND_CREATED}));

  // Two quotes that fit apart, in one forecast bucket whose sum does not.
  gold.mutable_product()->mutable_day_rate()->set_units(5'000'000'000'000);
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, gold, &upserted).ok());
  line->set_quantity(1);
  order.mutable_product_lines()->DeleteSubrange(0, 1);
  for (int i = 0; i < 2; ++i) {
    grpc::Status status = Create(order, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(created.order().quote().total().units(), 5'000'000'000'000);
  }
  v1::GetPipelineForecastRequest forecast;
  *forecast.mutable_range()->mutable_not_before() = At(0);
  *forecast.mutable_range()->mutable_no_later_than() = At(24);
  forecast.mutable_bucket_size()->set_seconds(24 * 3600);
  v1::GetPipelineForecastResponse buckets;
  expect_out_of_range(suite_.orders->Call(&OrderStub::GetPipelineForecast, forecast, &buckets),
                      "the revenue of the bucket from");
}

TEST_F(OrderFlowTest, NotesQuestionsAndAnswersStopAtTheirCapsAndTheRefusalWritesNothing) {
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  auto expect_limit = [](const grpc::Status& status, const std::string& what) {
    ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
    EXPECT_EQ(common::ParseGrpcError(status).reason, "LIMIT_REACHED");
    EXPECT_NE(status.error_message().find(what), std::string::npos) << status.error_message();
  };

  v1::AddNoteRequest note;
  note.set_order_id(id);
  note.mutable_note()->set_kind(v1::NOTE_KIND_SITE_ACCESS);
  note.mutable_note()->set_text("Gate code 4711");
  v1::AddNoteResponse noted;
  for (int i = 0; i < 200; ++i) {
    grpc::Status status = suite_.orders->Call(&OrderStub::AddNote, note, &noted);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
  }
  expect_limit(suite_.orders->Call(&OrderStub::AddNote, note, &noted), "holds 200 notes");

  v1::AskQuestionRequest ask;
  ask.set_order_id(id);
  ask.set_text("Which gate?");
  v1::AskQuestionResponse asked;
  v1::AnswerQuestionRequest answer;
  answer.set_order_id(id);
  answer.set_question_id("Q1");
  answer.set_text("The north gate");
  v1::AnswerQuestionResponse answered;
  for (int i = 0; i < 100; ++i) {
    grpc::Status status = suite_.orders->Call(&OrderStub::AskQuestion, ask, &asked);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
    status = suite_.orders->Call(&OrderStub::AnswerQuestion, answer, &answered);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
  }
  expect_limit(suite_.orders->Call(&OrderStub::AskQuestion, ask, &asked), "holds 100 questions");
  expect_limit(suite_.orders->Call(&OrderStub::AnswerQuestion, answer, &answered),
               "holds 100 answers");

  // What was refused left no trace: 200 notes at revision 201, 100 threads, and the history
  // holds the creation and the 400 accepted actions only.
  const v1::Order order = Get(id);
  EXPECT_EQ(order.notes_size(), 200);
  EXPECT_EQ(order.revision(), 201);
  EXPECT_EQ(order.questions_size(), 100);
  v1::GetOrderHistoryRequest history;
  history.set_order_id(id);
  history.set_page_size(1000);
  v1::GetOrderHistoryResponse entries;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetOrderHistory, history, &entries).ok());
  EXPECT_EQ(entries.entries_size(), 1 + 200 + 100 + 100);
}

TEST_F(OrderFlowTest, ANoteStoresTheNoteNotAnotherCopyOfTheOrder) {
  // The same 50 notes on a one-line order and on a 200-line one.
  v1::Order large = Draft(1, "Large Co");
  for (int i = 1; i < 200; ++i) {
    v1::UpsertProductRequest prop;
    prop.mutable_product()->set_product_code(absl::StrFormat("PROP-%03d", i));
    prop.mutable_product()->set_name(absl::StrFormat("Stage prop number %03d", i));
    prop.mutable_product()->mutable_day_rate()->set_currency_code("EUR");
    prop.mutable_product()->mutable_day_rate()->set_units(10);
    v1::UpsertProductResponse upserted;
    ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertProduct, prop, &upserted).ok());
    v1::ProductLine* line = large.add_product_lines();
    line->set_product_code(prop.product().product_code());
    line->set_quantity(i);
  }
  v1::CreateOrderResponse small_order, large_order;
  ASSERT_TRUE(Create(Draft(1, "Small Co"), &small_order).ok());
  grpc::Status status = Create(large, &large_order);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(large_order.order().quote().lines_size(), 200);

  std::map<std::string, int64_t> growth;
  for (const v1::CreateOrderResponse* created : {&small_order, &large_order}) {
    const std::string& id = created->order().order_id();
    const int64_t before = HistoryBytes(id);
    v1::AddNoteRequest note;
    note.set_order_id(id);
    note.mutable_note()->set_kind(v1::NOTE_KIND_POWER);
    note.mutable_note()->set_text("32 A three-phase at the loading dock, ask for Sam");
    v1::AddNoteResponse noted;
    for (int i = 0; i < 50; ++i) {
      status = suite_.orders->Call(&OrderStub::AddNote, note, &noted);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(noted.revision(), i + 2);
    }
    growth[id] = HistoryBytes(id) - before;

    // Callers see what they saw before: every note on the order, each a revision in the
    // history with the note it added.
    const v1::Order order = Get(id);
    EXPECT_EQ(order.revision(), 51);
    ASSERT_EQ(order.notes_size(), 50);
    EXPECT_EQ(order.notes(49).note_id(), "N50");
    EXPECT_EQ(order.product_lines_size(), created->order().product_lines_size());
    v1::GetOrderHistoryRequest history;
    history.set_order_id(id);
    history.set_page_size(100);
    v1::GetOrderHistoryResponse entries;
    ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetOrderHistory, history, &entries).ok());
    ASSERT_EQ(entries.entries_size(), 51);
    EXPECT_EQ(entries.entries(50).kind(), v1::HISTORY_ENTRY_KIND_NOTE_ADDED);
    EXPECT_EQ(entries.entries(50).revision(), 51);
    EXPECT_EQ(entries.entries(50).diff().added_notes(0).note_id(), "N50");
  }
  const int64_t small_growth = growth[small_order.order().order_id()];
  const int64_t large_growth = growth[large_order.order().order_id()];
  // A few bytes a note may differ (timestamps are varints); a copy of 200 lines may not.
  EXPECT_LT(large_growth, small_growth + 50 * 16)
      << "50 notes stored " << small_growth << " bytes on a one-line order and " << large_growth
      << " on a 200-line one";
  EXPECT_LT(small_growth / 50, 1000) << small_growth;
  std::cout << "50 notes: " << small_growth << " bytes on a one-line order, " << large_growth
            << " on a 200-line one\n";
}

TEST_F(OrderFlowTest, NotesAndQuestionsInABodyFromBeforeTheirRowsAreKeptAndMovedOut) {
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(Draft(1), &created).ok());
  const std::string id = created.order().order_id();
  // An order written before migration 0101: its notes and threads inside its body.
  v1::Order legacy = created.order();
  for (int i = 1; i <= 2; ++i) {
    v1::Note* note = legacy.add_notes();
    note->set_note_id("N" + std::to_string(i));
    note->set_text("Old note " + std::to_string(i));
  }
  v1::Question* thread = legacy.add_questions();
  thread->set_question_id("Q1");
  thread->set_state(v1::QUESTION_STATE_OPEN);
  thread->add_messages()->set_text("Old question");
  {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::work tx(connection);
    tx.exec_params("UPDATE orders SET body = $2 WHERE order_id = $1", id,
                   pqxx::binarystring(legacy.SerializeAsString()));
    tx.commit();
  }
  v1::Order read = Get(id);
  ASSERT_EQ(read.notes_size(), 2);
  EXPECT_EQ(read.questions(0).messages(0).text(), "Old question");

  // The next write moves them into rows and adds to them.
  v1::AddNoteRequest note;
  note.set_order_id(id);
  note.mutable_note()->set_text("New note");
  v1::AddNoteResponse noted;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, note, &noted).ok());
  EXPECT_EQ(noted.note().note_id(), "N3");
  v1::AnswerQuestionRequest answer;
  answer.set_order_id(id);
  answer.set_question_id("Q1");
  answer.set_text("New answer");
  v1::AnswerQuestionResponse answered;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AnswerQuestion, answer, &answered).ok());
  EXPECT_EQ(answered.question().messages_size(), 2);

  read = Get(id);
  ASSERT_EQ(read.notes_size(), 3);
  EXPECT_EQ(read.notes(0).text(), "Old note 1");
  EXPECT_EQ(read.notes(2).text(), "New note");
  ASSERT_EQ(read.questions_size(), 1);
  EXPECT_EQ(read.questions(0).state(), v1::QUESTION_STATE_ANSWERED);
  EXPECT_EQ(read.questions(0).messages(1).text(), "New answer");
  pqxx::connection connection(suite_.orders->database().connection_string());
  pqxx::work tx(connection);
  v1::Order body;
  pqxx::binarystring bytes(tx.exec_params1("SELECT body FROM orders WHERE order_id = $1", id)[0]);
  ASSERT_TRUE(body.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  EXPECT_EQ(body.notes_size(), 0);
  EXPECT_EQ(body.questions_size(), 0);
  EXPECT_EQ(
      tx.exec_params1("SELECT count(*) FROM order_notes WHERE order_id = $1", id)[0].as<int>(), 3);
}

}  // namespace
}  // namespace salesops::testing
