// AIP-155 on order-intake: every RPC whose request has a request_id answers a retry with the
// first answer and acts once, and refuses the same id on a different request. The table of
// cases is checked against the proto descriptors, so a new RPC with a request_id cannot go
// untested.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "services/common/generic_call.h"
#include "services/common/grpc_errors.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using google::protobuf::Message;

// (The generated service class carries no descriptor() in this build: it comes from the file's.)
const google::protobuf::ServiceDescriptor* OrderIntakeService() {
  return v1::CreateOrderRequest::descriptor()->file()->FindServiceByName("OrderIntakeService");
}

class OrderIdempotencyTest;

// One case of an RPC. Its request_id is set by the test, fresh each time.
struct IdempotencyCase {
  // What the case shows beyond the RPC's name (an RPC may have several cases).
  std::string label;
  // Who calls.
  std::function<std::string(const TestTokens&)> token;
  // Makes what the call acts on, and the request.
  std::function<std::unique_ptr<Message>(OrderIdempotencyTest&)> prepare;
  // How many times the effect happened, read back.
  std::function<int64_t(OrderIdempotencyTest&, const Message& request)> effects;
  // The same request with a different body.
  std::function<void(Message& request)> change_body;
};

// Public members: the cases' lambdas reach into the fixture.
class OrderIdempotencyTest : public OrderSuiteTest {
 public:
  // Online acceptance on, so that SendQuote has a case.
  OrderIdempotencyTest() : OrderSuiteTest(AcceptanceArgs()) {}

  grpc::Status CallBytes(const std::string& method, const Message& request,
                         const std::string& token, std::string* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return common::CallUnaryBytes(channel_, context, method, request.SerializeAsString(), response);
  }

  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  // One LED wall on a day of its own, so that the cases' confirmations never compete for the
  // 30 panels and the two video crew.
  v1::Order DraftOfItsOwnDay(const std::string& customer = "Acme Events") {
    v1::Order draft = Draft(1, customer);
    const int64_t shift = 86400 * ++days_taken_;
    for (google::protobuf::Timestamp* time :
         {draft.mutable_event_schedule()->mutable_show_start_time(),
          draft.mutable_event_schedule()->mutable_show_end_time(),
          draft.mutable_event_schedule()->mutable_strike_time(),
          draft.mutable_delivery_window()->mutable_window()->mutable_not_before(),
          draft.mutable_delivery_window()->mutable_window()->mutable_no_later_than()}) {
      time->set_seconds(time->seconds() + shift);
    }
    return draft;
  }

  v1::Order Quote() {
    v1::CreateOrderResponse created;
    grpc::Status status = Create(DraftOfItsOwnDay(), &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.order();
  }

  v1::Order Confirmed() {
    v1::ConfirmOrderResponse confirmed;
    grpc::Status status = Confirm(Quote(), &confirmed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return confirmed.order();
  }

  // Moves the order on as ops milestones do: EventSink.Deliver with the SERVICE token.
  void Deliver(v1::EventType type, const std::string& order_id) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + tokens().service);
    v1::DeliverRequest request;
    *request.mutable_event() = MakeEvent(type, order_id);
    request.set_attempt(1);
    v1::DeliverResponse response;
    grpc::Status status = v1::EventSink::NewStub(channel_)->Deliver(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // How often the order's history records `kind` (with `summary`, when given).
  int64_t Recorded(const Message& request, v1::HistoryEntryKind kind,
                   const std::string& summary = "") {
    const std::string order_id = request.GetReflection()->GetString(
        request, request.GetDescriptor()->FindFieldByName("order_id"));
    v1::GetOrderHistoryRequest history;
    history.set_order_id(order_id);
    v1::GetOrderHistoryResponse response;
    EXPECT_TRUE(suite_.orders->Call(&OrderStub::GetOrderHistory, history, &response).ok());
    int64_t count = 0;
    for (const v1::HistoryEntry& entry : response.entries()) {
      if (entry.kind() == kind && (summary.empty() || entry.summary() == summary)) ++count;
    }
    return count;
  }

  int64_t OrdersFor(const std::string& customer) {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1("SELECT count(*) FROM orders WHERE customer_name = $1", customer)[0]
        .as<int64_t>();
  }

  // A change of venue, as sales sends it: the order as read, changed.
  std::unique_ptr<v1::AmendOrderRequest> VenueChange(const v1::Order& order) {
    auto request = std::make_unique<v1::AmendOrderRequest>();
    request->set_order_id(order.order_id());
    request->set_etag(order.etag());
    request->set_reason("The client moved the show");
    *request->mutable_order() = order;
    request->mutable_order()->mutable_venue()->set_name("Small Hall");
    return request;
  }

  std::unique_ptr<v1::CancelOrderRequest> Cancellation(const v1::Order& order) {
    auto request = std::make_unique<v1::CancelOrderRequest>();
    request->set_order_id(order.order_id());
    request->set_etag(order.etag());
    request->set_reason("The client went elsewhere");
    return request;
  }

  // A quote with a firm reservation made behind order-intake's back: a stray for Reconcile.
  void StrayReservation() {
    const v1::Order quote = Quote();
    v1::ReserveRequest reserve;
    reserve.set_order_id(quote.order_id());
    reserve.set_order_revision(quote.revision());
    v1::InventoryLine* line = reserve.add_lines();
    line->set_inventory_code("LED-PANEL-500");
    line->set_quantity(1);
    *reserve.mutable_window() = quote.delivery_window().window();
    v1::ReserveResponse reserved;
    grpc::Status status = suite_.inventory->Call(&InventoryStub::Reserve, reserve, &reserved);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // Stray reservations reconciliation has released, from order-intake's metrics.
  int64_t StrayReservationsReleased() {
    const std::string metrics = FetchMetrics(suite_.orders->metrics_port());
    const std::string series = "salesops_reconcile_repairs_total{kind=\"stray_reservation\"} ";
    const size_t at = metrics.find(series);
    return at == std::string::npos ? 0 : std::stoll(metrics.substr(at + series.size()));
  }

  // How many rows `sql` (one bound parameter) counts in order-intake's database.
  int64_t Count(const std::string& sql, const std::string& parameter) {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1(sql, parameter)[0].as<int64_t>();
  }

  v1::Organisation Organisation(const std::string& name) {
    v1::CreateOrganisationRequest request;
    request.mutable_organisation()->set_name(name);
    v1::CreateOrganisationResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.organisation();
  }

  v1::DirectoryVenue Venue(const std::string& name) {
    v1::CreateVenueRequest request;
    request.mutable_venue()->set_name(name);
    v1::CreateVenueResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateVenue, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.venue();
  }

  // Revisions written after the first, of the record the request names.
  int64_t VenueWrites(const Message& request) {
    return Count("SELECT count(*) - 1 FROM venue_revisions WHERE venue_id = $1",
                 static_cast<const v1::UpdateVenueRequest&>(request).venue_id());
  }

  // The pricing configuration, written as ADMIN.
  template <typename Request, typename Response>
  Response AsAdmin(grpc::Status (OrderStub::*method)(grpc::ClientContext*, const Request&,
                                                     Response*),
                   const Request& request) {
    Response response;
    grpc::Status status = suite_.orders->Call(method, request, &response, tokens().admin);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::ProductRate FixedRate(const std::string& code, int64_t units) {
    v1::ProductRate rate;
    rate.set_product_code(code);
    rate.mutable_definition()->set_kind(v1::RATE_KIND_FIXED);
    rate.mutable_definition()->mutable_rate()->set_currency_code("EUR");
    rate.mutable_definition()->mutable_rate()->set_units(units);
    return rate;
  }

  static v1::TaxRate Vat(const std::string& jurisdiction) {
    v1::TaxRate rate;
    rate.set_jurisdiction(jurisdiction);
    rate.set_tax_millionths(200'000);
    rate.set_name("VAT 20 %");
    return rate;
  }

  static v1::ExchangeRate FromEuro(const std::string& currency) {
    v1::ExchangeRate rate;
    rate.set_from_currency("EUR");
    rate.set_to_currency(currency);
    rate.set_factor_millionths(850'000);
    return rate;
  }

  v1::PriceList NewPriceList(const std::string& name) {
    v1::CreatePriceListRequest request;
    request.mutable_pricelist()->set_name(name);
    request.mutable_pricelist()->set_everything_else_percent_bp(9'000);
    return AsAdmin(&OrderStub::CreatePriceList, request).pricelist();
  }

  // Writes (or removals) of one pricing record.
  int64_t PricingChanges(const std::string& record_id, const std::string& action) {
    return Count(
        "SELECT count(*) FROM pricing_changes WHERE record_id = split_part($1, '|', 1) "
        "AND action = split_part($1, '|', 2)",
        record_id + "|" + action);
  }

  // The cases, by the method's full name.
  std::map<std::string, std::vector<IdempotencyCase>> Cases() {
    auto sales = [](const TestTokens& tokens) { return tokens.sales; };
    auto ops = [](const TestTokens& tokens) { return tokens.ops; };
    std::map<std::string, std::vector<IdempotencyCase>> cases;
    const std::string service = "salesops.v1.OrderIntakeService.";

    cases[service + "CreateOrder"] = {
        {.label = "a quote",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::CreateOrderRequest>();
               *request->mutable_order() = test.DraftOfItsOwnDay("Created Once Ltd");
               return request;
             },
         .effects = [](OrderIdempotencyTest& test,
                       const Message&) { return test.OrdersFor("Created Once Ltd"); },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreateOrderRequest&>(request)
                   .mutable_order()
                   ->mutable_customer()
                   ->set_name("Created Twice Ltd");
             }}};

    cases[service + "ConfirmOrder"] = {
        {.label = "a quote",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Order quote = test.Quote();
               auto request = std::make_unique<v1::ConfirmOrderRequest>();
               request->set_order_id(quote.order_id());
               request->set_etag(quote.etag());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_CONFIRMED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::ConfirmOrderRequest&>(request).set_accept_later_commitment(true);
             }}};

    cases[service + "ApproveDiscount"] = {
        {.label = "a quote with a discount above the threshold",
         .token = [](const TestTokens& tokens) { return tokens.admin; },
         .prepare =
             [](OrderIdempotencyTest& test) {
               v1::Order draft = test.DraftOfItsOwnDay();
               v1::Discount& discount = *draft.mutable_order_discount();
               discount.set_kind(v1::DISCOUNT_KIND_PERCENT);
               discount.set_percent_bp(5000);
               discount.set_reason("half price for the launch");
               v1::CreateOrderResponse created;
               grpc::Status status = test.Create(draft, &created);
               EXPECT_TRUE(status.ok()) << status.error_message();
               auto request = std::make_unique<v1::ApproveDiscountRequest>();
               request->set_order_id(created.order().order_id());
               request->set_etag(created.order().etag());
               request->set_note("approved once");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_DISCOUNT_APPROVED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::ApproveDiscountRequest&>(request).set_note("approved again");
             }}};

    auto amended = [](OrderIdempotencyTest& test, const Message& request) {
      return test.Recorded(request, v1::HISTORY_ENTRY_KIND_AMENDED);
    };
    auto other_reason = [](Message& request) {
      static_cast<v1::AmendOrderRequest&>(request).set_reason("Another change altogether");
    };
    cases[service + "AmendOrder"] = {
        {.label = "a quote (one write)",
         .token = sales,
         .prepare = [](OrderIdempotencyTest& test) { return test.VenueChange(test.Quote()); },
         .effects = amended,
         .change_body = other_reason},
        {.label = "a confirmed order (the amend saga)",
         .token = sales,
         .prepare = [](OrderIdempotencyTest& test) { return test.VenueChange(test.Confirmed()); },
         .effects = amended,
         .change_body = other_reason}};

    auto cancelled = [](OrderIdempotencyTest& test, const Message& request) {
      return test.Recorded(request, v1::HISTORY_ENTRY_KIND_CANCELLED);
    };
    auto lost_on_price = [](Message& request) {
      static_cast<v1::CancelOrderRequest&>(request).set_reason("Lost on price");
    };
    cases[service + "CancelOrder"] = {
        {.label = "a quote",
         .token = sales,
         .prepare = [](OrderIdempotencyTest& test) { return test.Cancellation(test.Quote()); },
         .effects = cancelled,
         .change_body = lost_on_price},
        {.label = "a confirmed order (the cancel saga)",
         .token = sales,
         .prepare = [](OrderIdempotencyTest& test) { return test.Cancellation(test.Confirmed()); },
         .effects = cancelled,
         .change_body = lost_on_price}};

    cases[service + "Reconcile"] = {
        {.label = "a stray reservation released",
         .token = [](const TestTokens& tokens) { return tokens.admin; },
         .prepare =
             [](OrderIdempotencyTest& test) {
               test.StrayReservation();
               return std::make_unique<v1::ReconcileRequest>();
             },
         .effects = [](OrderIdempotencyTest& test,
                       const Message&) { return test.StrayReservationsReleased(); },
         .change_body =
             [](Message& request) {
               // Another body: a dry run.
               static_cast<v1::ReconcileRequest&>(request).set_dry_run(true);
             }}};

    cases[service + "CloseOrder"] = {
        {.label = "a returned order",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Order order = test.Confirmed();
               test.Deliver(v1::EVENT_TYPE_DISPATCHED, order.order_id());
               test.Deliver(v1::EVENT_TYPE_RETURNED, order.order_id());
               auto request = std::make_unique<v1::CloseOrderRequest>();
               request->set_order_id(order.order_id());
               request->set_note("Invoice sent");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_STAGE_CHANGED,
                                    "RETURNED -> CLOSED");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CloseOrderRequest&>(request).set_note("Invoice not sent yet");
             }}};

    cases[service + "AskQuestion"] = {
        {.label = "a new question",
         .token = ops,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::AskQuestionRequest>();
               request->set_order_id(test.Quote().order_id());
               request->set_text("Is there a loading dock?");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_QUESTION_ASKED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::AskQuestionRequest&>(request).set_text("Is there a lift?");
             }}};

    cases[service + "AnswerQuestion"] = {
        {.label = "an open question",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               v1::AskQuestionRequest ask;
               ask.set_order_id(test.Quote().order_id());
               ask.set_text("Where do we park?");
               v1::AskQuestionResponse asked;
               EXPECT_TRUE(
                   test.suite_.orders->Call(&OrderStub::AskQuestion, ask, &asked, test.tokens().ops)
                       .ok());
               auto request = std::make_unique<v1::AnswerQuestionRequest>();
               request->set_order_id(ask.order_id());
               request->set_question_id(asked.question().question_id());
               request->set_text("Behind the hall, gate B");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_QUESTION_ANSWERED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::AnswerQuestionRequest&>(request).set_text("Gate C after all");
             }}};

    cases[service + "AcknowledgeChange"] = {
        {.label = "a change after prep started",
         .token = ops,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Order confirmed = test.Confirmed();
               test.Deliver(v1::EVENT_TYPE_PREP_STARTED, confirmed.order_id());
               std::unique_ptr<v1::AmendOrderRequest> change =
                   test.VenueChange(test.Get(confirmed.order_id()));
               v1::AmendOrderResponse amended;
               grpc::Status status = test.suite_.orders->Call(&OrderStub::AmendOrder, *change,
                                                              &amended, test.tokens().sales);
               EXPECT_TRUE(status.ok()) << status.error_message();
               EXPECT_EQ(amended.order().unacknowledged_changes_size(), 1);
               auto request = std::make_unique<v1::AcknowledgeChangeRequest>();
               request->set_order_id(confirmed.order_id());
               request->set_revision(amended.order().revision());
               request->set_note("On the pull sheet");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_CHANGE_ACKNOWLEDGED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::AcknowledgeChangeRequest&>(request).set_note("Not yet pulled");
             }}};

    cases[service + "AddNote"] = {
        {.label = "a note",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::AddNoteRequest>();
               request->set_order_id(test.Quote().order_id());
               request->mutable_note()->set_text("Dock closes at 18:00");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Recorded(request, v1::HISTORY_ENTRY_KIND_NOTE_ADDED);
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::AddNoteRequest&>(request).mutable_note()->set_text(
                   "Dock closes at 20:00");
             }}};

    cases[service + "CreateOrganisation"] = {
        {.label = "an organisation",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::CreateOrganisationRequest>();
               request->mutable_organisation()->set_name("Filed Once GmbH");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.Count("SELECT count(*) FROM organisations WHERE name = $1",
                                 "Filed Once GmbH");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreateOrganisationRequest&>(request)
                   .mutable_organisation()
                   ->set_tax_id("DE123456789");
             }}};
    cases[service + "UpdateOrganisation"] = {
        {.label = "a new name",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Organisation organisation = test.Organisation("Renamed Once Ltd");
               auto request = std::make_unique<v1::UpdateOrganisationRequest>();
               request->set_organisation_id(organisation.organisation_id());
               request->set_etag(organisation.etag());
               *request->mutable_organisation() = organisation;
               request->mutable_organisation()->set_notes("Pays late in August");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT count(*) - 1 FROM organisation_revisions WHERE organisation_id = $1",
                   static_cast<const v1::UpdateOrganisationRequest&>(request).organisation_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::UpdateOrganisationRequest&>(request)
                   .mutable_organisation()
                   ->set_notes("Pays on time");
             }}};
    cases[service + "CreateVenue"] = {
        {.label = "a venue",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::CreateVenueRequest>();
               request->mutable_venue()->set_name("Filed Once Hall");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.Count("SELECT count(*) FROM venues WHERE name = $1", "Filed Once Hall");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreateVenueRequest&>(request).mutable_venue()->set_power(
                   "2 x 63 A CEE");
             }}};
    cases[service + "UpdateVenue"] = {
        {.label = "a power note",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::DirectoryVenue venue = test.Venue("Updated Once Hall");
               auto request = std::make_unique<v1::UpdateVenueRequest>();
               request->set_venue_id(venue.venue_id());
               request->set_etag(venue.etag());
               *request->mutable_venue() = venue;
               request->mutable_venue()->set_power("2 x 63 A CEE");
               return request;
             },
         .effects = [](OrderIdempotencyTest& test,
                       const Message& request) { return test.VenueWrites(request); },
         .change_body =
             [](Message& request) {
               static_cast<v1::UpdateVenueRequest&>(request).mutable_venue()->set_power(
                   "1 x 125 A CEE");
             }}};
    cases[service + "UpdateVenueNotes"] = {
        {.label = "ops' loading notes",
         .token = ops,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::DirectoryVenue venue = test.Venue("Noted Once Hall");
               auto request = std::make_unique<v1::UpdateVenueNotesRequest>();
               request->set_venue_id(venue.venue_id());
               request->set_etag(venue.etag());
               request->set_loading_notes("Dock 2, ramp is steep");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT count(*) - 1 FROM venue_revisions WHERE venue_id = $1",
                   static_cast<const v1::UpdateVenueNotesRequest&>(request).venue_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::UpdateVenueNotesRequest&>(request).set_loading_notes(
                   "Dock 3 after all");
             }}};
    cases[service + "MergeOrganisations"] = {
        {.label = "a duplicate organisation",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Organisation survivor = test.Organisation("Merged Once GmbH");
               const v1::Organisation duplicate = test.Organisation("Merged Once (dup)");
               auto request = std::make_unique<v1::MergeOrganisationsRequest>();
               request->set_organisation_id(survivor.organisation_id());
               request->set_etag(survivor.etag());
               request->set_duplicate_organisation_id(duplicate.organisation_id());
               request->set_duplicate_etag(duplicate.etag());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT count(*) - 1 FROM organisation_revisions WHERE organisation_id = $1",
                   static_cast<const v1::MergeOrganisationsRequest&>(request)
                       .duplicate_organisation_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::MergeOrganisationsRequest&>(request).set_duplicate_etag("2");
             }}};
    cases[service + "MergeVenues"] = {
        {.label = "a duplicate venue",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::DirectoryVenue survivor = test.Venue("Merged Once Hall");
               const v1::DirectoryVenue duplicate = test.Venue("Merged Once Hall (dup)");
               auto request = std::make_unique<v1::MergeVenuesRequest>();
               request->set_venue_id(survivor.venue_id());
               request->set_etag(survivor.etag());
               request->set_duplicate_venue_id(duplicate.venue_id());
               request->set_duplicate_etag(duplicate.etag());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT count(*) - 1 FROM venue_revisions WHERE venue_id = $1",
                   static_cast<const v1::MergeVenuesRequest&>(request).duplicate_venue_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::MergeVenuesRequest&>(request).set_duplicate_etag("2");
             }}};
    AddPricingCases(cases);
    AddMoneyCases(cases);
    return cases;
  }

  // A confirmed order with a 20 % deposit plan, and its deposit invoice issued.
  v1::Invoice DepositInvoice() {
    const v1::Order order = Confirmed();
    v1::SetInvoicePlanRequest plan;
    plan.mutable_plan()->set_order_id(order.order_id());
    plan.mutable_plan()->set_deposit_percent(20);
    AsAdmin(&OrderStub::SetInvoicePlan, plan);
    v1::IssueInvoiceRequest issue;
    issue.set_order_id(order.order_id());
    issue.set_kind(v1::INVOICE_KIND_DEPOSIT);
    return AsAdmin(&OrderStub::IssueInvoice, issue).invoice();
  }

  // Issue 18: quote links, invoice plans, invoices, credit notes and payments.
  void AddMoneyCases(std::map<std::string, std::vector<IdempotencyCase>>& cases) {
    auto sales = [](const TestTokens& tokens) { return tokens.sales; };
    const std::string service = "salesops.v1.OrderIntakeService.";
    cases[service + "SendQuote"] = {
        {.label = "a quote sent as a link",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               // A quote link shows the quote's PDF, which needs the company profile.
               if (test.ProfileRevision() == 0) {
                 v1::SetCompanyProfileRequest profile;
                 profile.mutable_profile()->set_name("Brightside Event Technology");
                 test.AsAdmin(&OrderStub::SetCompanyProfile, profile);
               }
               auto request = std::make_unique<v1::SendQuoteRequest>();
               request->set_order_id(test.Quote().order_id());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count("SELECT count(*) FROM quote_links WHERE order_id = $1",
                                 static_cast<const v1::SendQuoteRequest&>(request).order_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::SendQuoteRequest&>(request).set_recipient_email("b@example.com");
             }}};
    cases[service + "SetInvoicePlan"] = {
        {.label = "an order's invoice plan",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::SetInvoicePlanRequest>();
               request->mutable_plan()->set_order_id(test.Quote().order_id());
               request->mutable_plan()->set_deposit_percent(20);
               return request;
             },
         // Each write is a revision of the plan.
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT coalesce(max(revision), 0) FROM invoice_plans WHERE scope_id = $1",
                   static_cast<const v1::SetInvoicePlanRequest&>(request).plan().order_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::SetInvoicePlanRequest&>(request).mutable_plan()->set_deposit_percent(
                   30);
             }}};
    cases[service + "IssueInvoice"] = {
        {.label = "a deposit invoice",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::Order order = test.Confirmed();
               v1::SetInvoicePlanRequest plan;
               plan.mutable_plan()->set_order_id(order.order_id());
               plan.mutable_plan()->set_deposit_percent(20);
               test.AsAdmin(&OrderStub::SetInvoicePlan, plan);
               auto request = std::make_unique<v1::IssueInvoiceRequest>();
               request->set_order_id(order.order_id());
               request->set_kind(v1::INVOICE_KIND_DEPOSIT);
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count("SELECT count(*) FROM invoices WHERE order_id = $1",
                                 static_cast<const v1::IssueInvoiceRequest&>(request).order_id());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::IssueInvoiceRequest&>(request).set_kind(v1::INVOICE_KIND_FINAL);
             }}};
    cases[service + "IssueCreditNote"] = {
        {.label = "a credit note of a whole deposit",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::IssueCreditNoteRequest>();
               request->set_invoice_number(test.DepositInvoice().invoice_number());
               request->set_reason("order cancelled");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count(
                   "SELECT count(*) FROM invoices WHERE credited_invoice_number = $1",
                   static_cast<const v1::IssueCreditNoteRequest&>(request).invoice_number());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::IssueCreditNoteRequest&>(request).set_reason("goodwill");
             }}};
    cases[service + "RecordPayment"] = {
        {.label = "a part payment",
         .token = sales,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::RecordPaymentRequest>();
               v1::Payment& payment = *request->mutable_payment();
               payment.set_invoice_number(test.DepositInvoice().invoice_number());
               payment.set_kind(v1::PAYMENT_KIND_RECEIVED);
               payment.mutable_amount()->set_currency_code("EUR");
               payment.mutable_amount()->set_units(10);
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.Count("SELECT count(*) FROM payments WHERE invoice_number = $1",
                                 static_cast<const v1::RecordPaymentRequest&>(request)
                                     .payment()
                                     .invoice_number());
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::RecordPaymentRequest&>(request)
                   .mutable_payment()
                   ->mutable_amount()
                   ->set_units(20);
             }}};
  }

  void AddPricingCases(std::map<std::string, std::vector<IdempotencyCase>>& cases) {
    auto admin = [](const TestTokens& tokens) { return tokens.admin; };
    const std::string service = "salesops.v1.OrderIntakeService.";
    cases[service + "SetProductRate"] = {
        {.label = "a fixed price",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::SetProductRateRequest>();
               *request->mutable_productrate() = FixedRate("SET-ONCE", 250);
               return request;
             },
         .effects = [](OrderIdempotencyTest& test,
                       const Message&) { return test.PricingChanges("SET-ONCE", "written"); },
         .change_body =
             [](Message& request) {
               static_cast<v1::SetProductRateRequest&>(request)
                   .mutable_productrate()
                   ->mutable_definition()
                   ->mutable_rate()
                   ->set_units(300);
             }}};
    cases[service + "DeleteProductRate"] = {
        {.label = "a product's rate",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               v1::SetProductRateRequest set;
               *set.mutable_productrate() = FixedRate("DELETE-ONCE", 250);
               test.AsAdmin(&OrderStub::SetProductRate, set);
               auto request = std::make_unique<v1::DeleteProductRateRequest>();
               request->set_product_code("DELETE-ONCE");
               return request;
             },
         .effects = [](OrderIdempotencyTest& test,
                       const Message&) { return test.PricingChanges("DELETE-ONCE", "removed"); },
         .change_body =
             [](Message& request) {
               static_cast<v1::DeleteProductRateRequest&>(request).set_etag("r1");
             }}};
    cases[service + "CreatePriceList"] = {
        {.label = "a price list",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::CreatePriceListRequest>();
               request->mutable_pricelist()->set_name("Listed Once");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.Count("SELECT count(*) FROM pricelists WHERE name = $1", "Listed Once");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreatePriceListRequest&>(request).mutable_pricelist()->set_notes(
                   "Another list");
             }}};
    cases[service + "UpdatePriceList"] = {
        {.label = "new notes",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               const v1::PriceList list = test.NewPriceList("Updated Once");
               auto request = std::make_unique<v1::UpdatePriceListRequest>();
               request->set_pricelist_id(list.pricelist_id());
               request->set_etag(list.etag());
               *request->mutable_pricelist() = list;
               request->mutable_pricelist()->set_notes("Summer only");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.PricingChanges(
                          static_cast<const v1::UpdatePriceListRequest&>(request).pricelist_id(),
                          "written") -
                      1;
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::UpdatePriceListRequest&>(request).mutable_pricelist()->set_notes(
                   "Winter only");
             }}};
    cases[service + "DeletePriceList"] = {
        {.label = "a price list",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               auto request = std::make_unique<v1::DeletePriceListRequest>();
               request->set_pricelist_id(test.NewPriceList("Deleted Once").pricelist_id());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.PricingChanges(
                   static_cast<const v1::DeletePriceListRequest&>(request).pricelist_id(),
                   "removed");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::DeletePriceListRequest&>(request).set_etag("r1");
             }}};
    cases[service + "CreateTaxRate"] = {
        {.label = "a tax rate",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::CreateTaxRateRequest>();
               *request->mutable_taxrate() = Vat("AT");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.Count("SELECT count(*) FROM taxrates WHERE jurisdiction = $1", "AT");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreateTaxRateRequest&>(request).mutable_taxrate()->set_name(
                   "MwSt 20 %");
             }}};
    cases[service + "SetCompanyProfile"] = {
        {.label = "the company profile",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               // Other cases may have written the profile already (SendQuote needs one).
               test.profile_revision_before_ = test.ProfileRevision();
               auto request = std::make_unique<v1::SetCompanyProfileRequest>();
               request->mutable_profile()->set_name("Brightside Event Technology");
               return request;
             },
         // Each write is a revision of the one profile.
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.ProfileRevision() - test.profile_revision_before_;
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::SetCompanyProfileRequest&>(request).mutable_profile()->set_name(
                   "Brightside Renamed");
             }}};
    cases[service + "DeleteTaxRate"] = {
        {.label = "a tax rate",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               v1::CreateTaxRateRequest create;
               *create.mutable_taxrate() = Vat("GB");
               auto request = std::make_unique<v1::DeleteTaxRateRequest>();
               request->set_taxrate_id(
                   test.AsAdmin(&OrderStub::CreateTaxRate, create).taxrate().taxrate_id());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.PricingChanges(
                   static_cast<const v1::DeleteTaxRateRequest&>(request).taxrate_id(), "removed");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::DeleteTaxRateRequest&>(request).set_taxrate_id("tax-999999");
             }}};
    cases[service + "CreateExchangeRate"] = {
        {.label = "an exchange rate",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest&) {
               auto request = std::make_unique<v1::CreateExchangeRateRequest>();
               *request->mutable_exchangerate() = FromEuro("GBP");
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message&) {
               return test.Count("SELECT count(*) FROM exchangerates WHERE to_currency = $1",
                                 "GBP");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::CreateExchangeRateRequest&>(request)
                   .mutable_exchangerate()
                   ->set_factor_millionths(860'000);
             }}};
    cases[service + "DeleteExchangeRate"] = {
        {.label = "an exchange rate",
         .token = admin,
         .prepare =
             [](OrderIdempotencyTest& test) {
               v1::CreateExchangeRateRequest create;
               *create.mutable_exchangerate() = FromEuro("CHF");
               auto request = std::make_unique<v1::DeleteExchangeRateRequest>();
               request->set_exchangerate_id(test.AsAdmin(&OrderStub::CreateExchangeRate, create)
                                                .exchangerate()
                                                .exchangerate_id());
               return request;
             },
         .effects =
             [](OrderIdempotencyTest& test, const Message& request) {
               return test.PricingChanges(
                   static_cast<const v1::DeleteExchangeRateRequest&>(request).exchangerate_id(),
                   "removed");
             },
         .change_body =
             [](Message& request) {
               static_cast<v1::DeleteExchangeRateRequest&>(request).set_exchangerate_id(
                   "fx-999999");
             }}};
  }

  int64_t ProfileRevision() {
    return Count("SELECT coalesce(max(revision), 0) FROM company_profile WHERE $1 <> ''",
                 "profile");
  }

  int days_taken_ = 0;
  int64_t profile_revision_before_ = 0;
  std::shared_ptr<grpc::Channel> channel_ =
      grpc::CreateChannel(suite_.orders->address(), grpc::InsecureChannelCredentials());
};

// Full names of the methods whose request has a request_id.
std::set<std::string> MethodsWithRequestId() {
  std::set<std::string> methods;
  const google::protobuf::ServiceDescriptor* service = OrderIntakeService();
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    if (method->input_type()->FindFieldByName("request_id") != nullptr) {
      methods.insert(method->full_name());
    }
  }
  return methods;
}

// "/salesops.v1.OrderIntakeService/AddNote" for gRPC's wire.
std::string WireName(const std::string& full_name) {
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  return "/" + method->service()->full_name() + "/" + method->name();
}

TEST_F(OrderIdempotencyTest, EveryRpcWithARequestIdHasACaseAndNoCaseIsStale) {
  const std::set<std::string> methods = MethodsWithRequestId();
  const std::map<std::string, std::vector<IdempotencyCase>> cases = Cases();
  // Guard against passing with nothing to check (a renamed field, a moved proto).
  EXPECT_GE(methods.size(), 9u);
  for (const std::string& method : methods) {
    EXPECT_TRUE(cases.contains(method))
        << method << " takes a request_id but has no case in this test's table";
  }
  for (const auto& [method, unused] : cases) {
    EXPECT_TRUE(methods.contains(method)) << method << " has a case but no request_id";
  }
}

// Sends `a_case`'s request twice and then with a different body (its own function, so that
// a failed ASSERT ends this case only).
void CheckCase(OrderIdempotencyTest& test, const std::string& method,
               const IdempotencyCase& a_case) {
  SCOPED_TRACE(method + " on " + a_case.label);
  const std::string token = a_case.token(test.tokens());
  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  const int failures_before = result->total_part_count();
  std::unique_ptr<Message> request = a_case.prepare(test);
  ASSERT_EQ(result->total_part_count(), failures_before) << "preparing failed";
  request->GetReflection()->SetString(
      request.get(), request->GetDescriptor()->FindFieldByName("request_id"), NewEventId());

  std::string first, again;
  grpc::Status status = test.CallBytes(WireName(method), *request, token, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = test.CallBytes(WireName(method), *request, token, &again);
  ASSERT_TRUE(status.ok()) << "the retry: " << status.error_message() << " "
                           << common::ParseGrpcError(status).reason;
  // Byte for byte: the retry is answered from what the first call stored, so even what
  // would have moved since (an update time, an etag) is the first call's. (None of these
  // answers carries ops_status, which GetOrder reads live from inventory and scheduling.)
  EXPECT_EQ(again, first) << "the retry was answered differently";
  EXPECT_EQ(a_case.effects(test, *request), 1);

  std::unique_ptr<Message> different(request->New());
  different->CopyFrom(*request);
  a_case.change_body(*different);
  std::string ignored;
  grpc::Status refused = test.CallBytes(WireName(method), *different, token, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  common::ErrorDetails details = common::ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(details.violations.size(), 1u);
  if (!details.violations.empty()) {
    EXPECT_EQ(details.violations[0].field, "request_id");
  }
  // And the refusal did nothing.
  EXPECT_EQ(a_case.effects(test, *request), 1);
}

TEST_F(OrderIdempotencyTest, ARetryGetsTheFirstAnswerAndActsOnceAReusedIdIsRefused) {
  const std::map<std::string, std::vector<IdempotencyCase>> cases = Cases();
  for (const std::string& method : MethodsWithRequestId()) {
    auto found = cases.find(method);
    if (found == cases.end()) continue;  // reported by EveryRpcWithARequestIdHasACase...
    for (const IdempotencyCase& a_case : found->second) CheckCase(*this, method, a_case);
  }
}

TEST_F(OrderIdempotencyTest, WithoutARequestIdEveryCallActs) {
  v1::AddNoteRequest request;
  request.set_order_id(Quote().order_id());
  request.mutable_note()->set_text("Bring a ladder");
  v1::AddNoteResponse response;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, request, &response, tokens().sales).ok());
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, request, &response, tokens().sales).ok());
  EXPECT_EQ(Recorded(request, v1::HISTORY_ENTRY_KIND_NOTE_ADDED), 2);
}

TEST_F(OrderIdempotencyTest, ARequestIdIsTheCallersOwn) {
  // Sales adds a note; ops sending the very same request (same id, same body) is not answered
  // with sales' note but adds its own; and neither retry acts again.
  v1::AddNoteRequest note;
  note.set_request_id("shared-request-id");
  note.set_order_id(Quote().order_id());
  note.mutable_note()->set_text("Power: 3 x 32 A at the stage");
  v1::AddNoteResponse by_sales, by_ops, again;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, note, &by_sales, tokens().sales).ok());
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, note, &by_ops, tokens().ops).ok());
  EXPECT_EQ(by_ops.note().author().id(), "ops-1");
  EXPECT_NE(by_ops.note().note_id(), by_sales.note().note_id());
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, note, &again, tokens().sales).ok());
  EXPECT_EQ(again.note().note_id(), by_sales.note().note_id());
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::AddNote, note, &again, tokens().ops).ok());
  EXPECT_EQ(again.note().note_id(), by_ops.note().note_id());
  EXPECT_EQ(Recorded(note, v1::HISTORY_ENTRY_KIND_NOTE_ADDED), 2);

  // The same for CreateOrder: admin reusing sales' id gets an order of its own, not sales'.
  v1::CreateOrderRequest create;
  create.set_request_id("shared-request-id");
  *create.mutable_order() = Draft(1, "Shared Id Ltd");
  v1::CreateOrderResponse for_sales, for_admin;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateOrder, create, &for_sales, tokens().sales).ok());
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateOrder, create, &for_admin, tokens().admin).ok());
  EXPECT_NE(for_admin.order().order_id(), for_sales.order().order_id());
  EXPECT_EQ(OrdersFor("Shared Id Ltd"), 2);
}

}  // namespace
}  // namespace salesops::testing
