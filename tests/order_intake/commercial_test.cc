// The commercial side of an order (issue 17) through order-intake's API with all four services
// on real PostgreSQL: an order that refers to the directory and keeps what it saw on each
// revision, and a discount above the threshold that blocks confirmation until ADMIN approves.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "services/common/money.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

class CommercialTest : public OrderSuiteTest {
 protected:
  CommercialTest() = default;
  explicit CommercialTest(std::vector<std::string> order_args)
      : OrderSuiteTest(std::move(order_args)) {}

  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  v1::Organisation NewOrganisation() {
    v1::CreateOrganisationRequest request;
    v1::Organisation& organisation = *request.mutable_organisation();
    organisation.set_name("Konzert GmbH");
    organisation.set_tax_id("DE123456789");
    organisation.set_currency("EUR");
    v1::Contact* accounts = organisation.add_contacts();
    accounts->set_name("Anna Accounts");
    accounts->set_email("anna@example.com");
    accounts->set_billing(true);
    v1::Contact* production = organisation.add_contacts();
    production->set_name("Petra Produktion");
    production->set_email("petra@example.com");
    production->set_phone("+49 30 1234");
    v1::CreateOrganisationResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.organisation();
  }

  v1::DirectoryVenue NewVenue() {
    v1::CreateVenueRequest request;
    v1::DirectoryVenue& venue = *request.mutable_venue();
    venue.set_name("Messe Halle 7");
    venue.mutable_address()->add_address_lines("Messedamm 22");
    venue.mutable_address()->set_locality("Berlin");
    venue.set_access_notes("Gate B");
    venue.set_loading_notes("Dock 3");
    for (const auto& [warehouse, seconds] :
         std::vector<std::pair<std::string, int64_t>>{{"HAM-1", 10800}, {"BER-1", 2400}}) {
      v1::WarehouseTravel* travel = venue.add_travel_times();
      travel->set_warehouse_id(warehouse);
      travel->mutable_travel_time()->set_seconds(seconds);
    }
    v1::CreateVenueResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateVenue, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.venue();
  }

  // Calls an RPC as ADMIN and expects it to succeed.
  template <typename Request, typename Response>
  void AsAdmin(grpc::Status (OrderStub::*method)(grpc::ClientContext*, const Request&, Response*),
               const Request& request) {
    Response response;
    grpc::Status status = suite_.orders->Call(method, request, &response, tokens().admin);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The pricing a German rental house keeps: a day-factor table for the LED wall, 19 % VAT on
  // equipment and labour, 7 % on transport (the pinned delivery, here).
  void ConfigurePricing() {
    v1::SetProductRateRequest rate;
    v1::ProductRate& wall = *rate.mutable_productrate();
    wall.set_product_code("LED-WALL-3X2");
    wall.set_tax_class(v1::TAX_CLASS_EQUIPMENT);
    v1::RateDefinition& definition = *wall.mutable_definition();
    definition.set_kind(v1::RATE_KIND_PER_DAY);
    definition.mutable_rate()->set_currency_code("EUR");
    definition.mutable_rate()->set_units(500);
    v1::DayFactorStep* first = definition.add_day_factors();
    first->set_from_day(1);
    first->set_factor_millionths(1'000'000);
    v1::DayFactorStep* then = definition.add_day_factors();
    then->set_from_day(2);
    then->set_factor_millionths(500'000);
    AsAdmin(&OrderStub::SetProductRate, rate);
    for (const auto& [tax_class, millionths] :
         std::vector<std::pair<v1::TaxClass, int64_t>>{{v1::TAX_CLASS_EQUIPMENT, 190'000},
                                                       {v1::TAX_CLASS_LABOUR, 190'000},
                                                       {v1::TAX_CLASS_TRANSPORT, 70'000}}) {
      v1::CreateTaxRateRequest tax;
      tax.mutable_taxrate()->set_tax_class(tax_class);
      tax.mutable_taxrate()->set_jurisdiction("DE");
      tax.mutable_taxrate()->set_tax_millionths(millionths);
      tax.mutable_taxrate()->set_name(millionths == 190'000 ? "USt 19 %" : "USt 7 %");
      AsAdmin(&OrderStub::CreateTaxRate, tax);
    }
  }

  // A 3-day rental (delivery 08:00 day 0, strike 72 h later), pinned: 150 EUR of transport.
  v1::Order ThreeDayDraft(const std::string& organisation_id) {
    v1::Order draft = Draft(1);
    draft.clear_customer();
    draft.set_organisation_id(organisation_id);
    *draft.mutable_event_schedule()->mutable_strike_time() = At(72);
    draft.mutable_delivery_window()->set_pinned(true);
    draft.mutable_delivery_window()->set_pinned_reason("the venue opens its dock at 08:00 only");
    return draft;
  }

  v1::Organisation Organisation(const std::string& name, v1::TaxStatus status,
                                const std::string& currency) {
    v1::CreateOrganisationRequest request;
    request.mutable_organisation()->set_name(name);
    request.mutable_organisation()->set_tax_id("ATU12345678");
    request.mutable_organisation()->set_tax_status(status);
    request.mutable_organisation()->set_currency(currency);
    v1::CreateOrganisationResponse response;
    grpc::Status status_ =
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales);
    EXPECT_TRUE(status_.ok()) << status_.error_message();
    return response.organisation();
  }

  grpc::Status Amend(const v1::Order& current, const v1::Order& wanted,
                     v1::AmendOrderResponse* response) {
    v1::AmendOrderRequest request;
    request.set_order_id(current.order_id());
    request.set_etag(current.etag());
    request.set_reason("the client changed their mind");
    *request.mutable_order() = wanted;
    return suite_.orders->Call(&OrderStub::AmendOrder, request, response, tokens().sales);
  }

  grpc::Status Approve(const v1::Order& order, const std::string& token,
                       v1::ApproveDiscountResponse* response) {
    v1::ApproveDiscountRequest request;
    request.set_order_id(order.order_id());
    request.set_etag(order.etag());
    request.set_note("repeat client");
    return suite_.orders->Call(&OrderStub::ApproveDiscount, request, response, token);
  }

  static v1::Discount Percent(int basis_points, const std::string& reason) {
    v1::Discount discount;
    discount.set_kind(v1::DISCOUNT_KIND_PERCENT);
    discount.set_percent_bp(basis_points);
    discount.set_reason(reason);
    return discount;
  }

  // The refusal names `field` among its field violations.
  static bool Names(const grpc::Status& status, const std::string& field) {
    for (const common::FieldViolation& violation : ParseGrpcError(status).violations) {
      if (violation.field == field) return true;
    }
    return false;
  }

  static int64_t Micros(const google::type::Money& money) {
    return *common::MoneyToMicros(money, "an amount");
  }
};

TEST_F(CommercialTest, AnOrderReferringToTheDirectoryKeepsWhatItSawOnEachRevision) {
  const v1::Organisation organisation = NewOrganisation();
  const v1::DirectoryVenue venue = NewVenue();
  v1::Order draft = Draft(1);
  draft.clear_customer();
  draft.clear_venue();
  draft.set_organisation_id(organisation.organisation_id());
  draft.set_contact_id(organisation.contacts(1).contact_id());
  draft.set_venue_id(venue.venue_id());
  v1::CreateOrderResponse created;
  grpc::Status status = Create(draft, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Order& order = created.order();
  // Filled from the directory: the organisation and the contact asked for, the venue and its
  // nearest warehouse.
  EXPECT_EQ(order.customer().customer_id(), organisation.organisation_id());
  EXPECT_EQ(order.customer().name(), "Konzert GmbH");
  EXPECT_EQ(order.customer().contact_name(), "Petra Produktion");
  EXPECT_EQ(order.customer().phone(), "+49 30 1234");
  EXPECT_EQ(order.venue().name(), "Messe Halle 7");
  EXPECT_EQ(order.venue().travel_time().seconds(), 2400);
  EXPECT_EQ(order.venue().loading_dock_notes(), "Dock 3");
  EXPECT_EQ(order.directory_snapshot().organisation().revision(), 1);
  EXPECT_EQ(order.directory_snapshot().venue().loading_notes(), "Dock 3");

  // Ops learn something about the venue: the order's revision 1 still shows what was true then.
  v1::UpdateVenueNotesRequest notes;
  notes.set_venue_id(venue.venue_id());
  notes.set_etag(venue.etag());
  notes.set_access_notes("Gate B, ask for the Hallenmeister");
  notes.set_loading_notes("Dock 3 is closed until May: use dock 5");
  v1::UpdateVenueNotesResponse noted;
  status = suite_.orders->Call(&OrderStub::UpdateVenueNotes, notes, &noted, tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Get(order.order_id()).venue().loading_dock_notes(), "Dock 3");

  // The next revision sees the directory as it is now, and says so in its diff.
  v1::Order wanted = order;
  wanted.mutable_product_lines(0)->set_quantity(1);
  wanted.mutable_pipeline()->set_win_probability(0.8);
  v1::AmendOrderResponse amended;
  status = Amend(order, wanted, &amended);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(amended.order().revision(), 2);
  EXPECT_EQ(amended.order().venue().loading_dock_notes(), "Dock 3 is closed until May: use dock 5");
  EXPECT_EQ(amended.order().directory_snapshot().venue().revision(), 2);

  v1::GetOrderRequest then;
  then.set_order_id(order.order_id());
  then.set_revision(1);
  v1::GetOrderResponse was;
  status = suite_.orders->Call(&OrderStub::GetOrder, then, &was);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(was.order().revision(), 1);
  EXPECT_EQ(was.order().venue().loading_dock_notes(), "Dock 3");
  EXPECT_EQ(was.order().directory_snapshot().venue().revision(), 1);
  then.set_revision(3);
  EXPECT_EQ(suite_.orders->Call(&OrderStub::GetOrder, then, &was).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetOrderHistoryRequest history_request;
  history_request.set_order_id(order.order_id());
  v1::GetOrderHistoryResponse history;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetOrderHistory, history_request, &history).ok());
  const auto& changed = history.entries(history.entries_size() - 1).diff().changed_fields();
  EXPECT_NE(std::find(changed.begin(), changed.end(), "directory_snapshot.venue"), changed.end());
}

TEST_F(CommercialTest, AReferenceToNothingOrToAnotherOrganisationsContactIsRefusedByField) {
  const v1::Organisation organisation = NewOrganisation();
  v1::Order draft = Draft(1);
  draft.clear_customer();
  v1::CreateOrderResponse created;
  grpc::Status status = Create(draft, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(status, "order.customer"));

  draft.set_organisation_id("org-999999");
  status = Create(draft, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(status, "order.organisation_id"));

  draft.set_organisation_id(organisation.organisation_id());
  draft.set_contact_id("contact-999999");
  status = Create(draft, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(status, "order.contact_id"));

  // Without a contact: the billing contact.
  draft.clear_contact_id();
  status = Create(draft, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.order().customer().contact_name(), "Anna Accounts");
}

TEST_F(CommercialTest, ADiscountAboveTheThresholdBlocksConfirmationUntilAnAdminApprovesIt) {
  v1::Order draft = Draft(1);
  v1::LineDiscount* line = draft.add_line_discounts();
  line->set_product_code("LED-WALL-3X2");
  *line->mutable_discount() = Percent(3500, "launch partner");
  v1::CreateOrderResponse created;
  grpc::Status status = Create(draft, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Order order = created.order();
  // 500 a day for one day, 35 % off; crew (4 person-hours at 45) not discounted.
  EXPECT_EQ(Micros(order.quote().lines(0).discount_amount()), 175'000'000);
  EXPECT_EQ(Micros(order.quote().lines(0).net()), 325'000'000);
  EXPECT_EQ(Micros(order.quote().discount_total()), 175'000'000);
  EXPECT_EQ(Micros(order.quote().total()), 325'000'000 + 180'000'000);
  EXPECT_NE(order.quote().lines(0).explanation().find("launch partner"), std::string::npos)
      << order.quote().lines(0).explanation();
  ASSERT_EQ(order.discount_approval().state(), v1::DISCOUNT_APPROVAL_STATE_PENDING);
  ASSERT_EQ(order.discount_approval().reasons_size(), 1);
  EXPECT_NE(order.discount_approval().reasons(0).find("35 %"), std::string::npos);

  v1::ConfirmOrderResponse confirmed;
  status = Confirm(order, &confirmed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "DISCOUNT_APPROVAL_REQUIRED");
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30);

  // Sales cannot approve their own discount.
  v1::ApproveDiscountResponse approved;
  EXPECT_EQ(Approve(order, tokens().sales, &approved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A bigger discount after approval needs approving again; the same discount stays approved.
  status = Approve(order, tokens().admin, &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(approved.order().discount_approval().state(), v1::DISCOUNT_APPROVAL_STATE_APPROVED);
  EXPECT_EQ(approved.order().discount_approval().approved_by().role(), v1::ROLE_ADMIN);
  v1::Order wanted = approved.order();
  wanted.mutable_pipeline()->set_win_probability(0.9);
  v1::AmendOrderResponse amended;
  ASSERT_TRUE(Amend(approved.order(), wanted, &amended).ok());
  EXPECT_EQ(amended.order().discount_approval().state(), v1::DISCOUNT_APPROVAL_STATE_APPROVED);
  wanted = amended.order();
  wanted.mutable_line_discounts(0)->mutable_discount()->set_percent_bp(4000);
  ASSERT_TRUE(Amend(amended.order(), wanted, &amended).ok());
  EXPECT_EQ(amended.order().discount_approval().state(), v1::DISCOUNT_APPROVAL_STATE_PENDING);
  status = Confirm(amended.order(), &confirmed);
  EXPECT_EQ(ParseGrpcError(status).reason, "DISCOUNT_APPROVAL_REQUIRED");

  status = Approve(amended.order(), tokens().admin, &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Confirm(approved.order(), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.order().stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30 - 24);
  const std::vector<v1::HistoryEntryKind> kinds = History(order.order_id());
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), v1::HISTORY_ENTRY_KIND_DISCOUNT_APPROVED), 2);
}

TEST_F(CommercialTest, ADiscountWithinTheThresholdNeedsNoApproval) {
  v1::Order draft = Draft(1);
  *draft.mutable_order_discount() = Percent(1000, "early booking");
  v1::CreateOrderResponse created;
  ASSERT_TRUE(Create(draft, &created).ok());
  EXPECT_EQ(created.order().discount_approval().state(), v1::DISCOUNT_APPROVAL_STATE_UNSPECIFIED);
  // 10 % of everything: 500 of gear and 180 of crew.
  EXPECT_EQ(Micros(created.order().quote().discount_total()), 68'000'000);
  v1::ApproveDiscountResponse approved;
  grpc::Status status = Approve(created.order(), tokens().admin, &approved);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "NOTHING_TO_APPROVE");
  v1::ConfirmOrderResponse confirmed;
  status = Confirm(created.order(), &confirmed);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // A discount in another currency than the quote's is refused, naming it.
  v1::Discount amount;
  amount.set_kind(v1::DISCOUNT_KIND_AMOUNT);
  amount.mutable_amount()->set_currency_code("USD");
  amount.mutable_amount()->set_units(50);
  amount.set_reason("goodwill");
  *draft.mutable_order_discount() = amount;
  status = Create(draft, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(status, "order.order_discount.amount")) << status.error_message();
}

TEST_F(CommercialTest, AQuoteIsPricedByTheOrganisationsPriceListAndTaxedPerRate) {
  ConfigurePricing();
  const v1::Organisation konzert = Organisation("Konzert GmbH", v1::TAX_STATUS_STANDARD, "EUR");
  v1::CreatePriceListRequest list;
  list.mutable_pricelist()->set_name("Konzert 2027");
  list.mutable_pricelist()->set_organisation_id(konzert.organisation_id());
  v1::PriceOverride* override = list.mutable_pricelist()->add_overrides();
  override->set_product_code("LED-WALL-3X2");
  override->set_percent_of_catalog_bp(9000);
  AsAdmin(&OrderStub::CreatePriceList, list);

  v1::CreateOrderResponse created;
  grpc::Status status = Create(ThreeDayDraft(konzert.organisation_id()), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Quote& quote = created.order().quote();
  // 90 % of 500 a day, 3 days at 1.0 + 0.5 + 0.5 = 2.0 day rates: 900.
  ASSERT_EQ(quote.lines_size(), 1);
  EXPECT_EQ(Micros(quote.lines(0).line_total()), 900'000'000);
  EXPECT_EQ(quote.lines(0).priced_by(), "price list 'Konzert 2027'");
  EXPECT_NE(quote.lines(0).explanation().find("day factor 2"), std::string::npos)
      << quote.lines(0).explanation();
  EXPECT_EQ(quote.lines(0).tax_millionths(), 190'000);
  // Crew: 2 video x 2 h at 45 = 180, labour at 19 %; the pinned delivery 150 at 7 %.
  EXPECT_EQ(Micros(quote.crew_cost()), 180'000'000);
  EXPECT_EQ(Micros(quote.pinned_surcharge()), 150'000'000);
  EXPECT_EQ(Micros(quote.net_total()), 1'230'000'000);
  ASSERT_EQ(quote.tax_lines_size(), 2);
  EXPECT_EQ(quote.tax_lines(0).tax_millionths(), 70'000);
  EXPECT_EQ(Micros(quote.tax_lines(0).tax()), 10'500'000);
  EXPECT_EQ(quote.tax_lines(1).tax_millionths(), 190'000);
  EXPECT_EQ(Micros(quote.tax_lines(1).net()), 1'080'000'000);
  EXPECT_EQ(Micros(quote.tax_lines(1).tax()), 205'200'000);
  EXPECT_EQ(Micros(quote.tax_total()), 215'700'000);
  EXPECT_EQ(Micros(quote.total()), 1'445'700'000);
  EXPECT_TRUE(quote.tax_note().empty());

  // A reverse-charge client pays no VAT, and the quote says why, with its VAT id.
  const v1::Organisation wien =
      Organisation("Wiener Bühnen GmbH", v1::TAX_STATUS_REVERSE_CHARGE, "EUR");
  status = Create(ThreeDayDraft(wien.organisation_id()), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Micros(created.order().quote().lines(0).line_total()), 1'000'000'000);
  EXPECT_EQ(Micros(created.order().quote().tax_total()), 0);
  EXPECT_EQ(Micros(created.order().quote().total()), 1'330'000'000);
  EXPECT_NE(created.order().quote().tax_note().find("ATU12345678"), std::string::npos)
      << created.order().quote().tax_note();

  // A client paying in pounds: without a rate the quote is refused, saying which rate is missing;
  // with one, the quote is in GBP and carries the rate it used.
  const v1::Organisation london = Organisation("London Live Ltd", v1::TAX_STATUS_STANDARD, "GBP");
  status = Create(ThreeDayDraft(london.organisation_id()), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "PRICING_NOT_CONFIGURED");
  EXPECT_NE(status.error_message().find("EUR to GBP"), std::string::npos) << status.error_message();
  v1::CreateExchangeRateRequest fx;
  fx.mutable_exchangerate()->set_from_currency("EUR");
  fx.mutable_exchangerate()->set_to_currency("GBP");
  fx.mutable_exchangerate()->set_factor_millionths(850'000);
  AsAdmin(&OrderStub::CreateExchangeRate, fx);
  status = Create(ThreeDayDraft(london.organisation_id()), &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Quote& pounds = created.order().quote();
  EXPECT_EQ(pounds.total().currency_code(), "GBP");
  EXPECT_EQ(Micros(pounds.lines(0).line_total()), 850'000'000);
  ASSERT_EQ(pounds.exchange_rates_size(), 1);
  EXPECT_EQ(pounds.exchange_rates(0).factor_millionths(), 850'000);
}

// Three stops, each a day apart, each needing one wall (24 of the 30 panels): over one window
// covering the tour the panels would be short; reserved per stop, every stop fits.
TEST_F(CommercialTest, ATourOfThreeStopsIsReservedAndPlannedPerStopAndPricedWithTax) {
  ConfigurePricing();
  v1::Order tour = Draft(1);
  for (const auto& [id, day] :
       std::vector<std::pair<std::string, int>>{{"hannover", 3}, {"berlin", 6}}) {
    v1::OrderPhase* phase = tour.add_phases();
    phase->set_phase_id(id);
    phase->set_name("Stop " + id);
    phase->mutable_venue()->set_name("Arena " + id);
    phase->mutable_venue()->mutable_travel_time()->set_seconds(2 * 3600);
    *phase->mutable_event_schedule()->mutable_show_start_time() = At(24 * day + 19);
    *phase->mutable_event_schedule()->mutable_show_end_time() = At(24 * day + 23);
    *phase->mutable_event_schedule()->mutable_strike_time() = At(24 * day + 24);
    *phase->mutable_delivery_window()->mutable_window()->mutable_not_before() = At(24 * day + 6);
    *phase->mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(24 * day + 8);
    v1::ProductLine* line = phase->add_product_lines();
    line->set_product_code("LED-WALL-3X2");
    line->set_quantity(1);
  }
  v1::CreateOrderResponse created;
  grpc::Status status = Create(tour, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(created.feasibility().feasible()) << created.feasibility().explanation();
  const v1::Quote& quote = created.order().quote();
  // Each stop one day at 500 and 4 person-hours of video crew at 45: 680 a stop, + 19 % VAT.
  ASSERT_EQ(quote.lines_size(), 3);
  EXPECT_EQ(quote.lines(0).phase_id(), "");
  EXPECT_EQ(quote.lines(1).phase_id(), "hannover");
  EXPECT_EQ(quote.lines(2).phase_id(), "berlin");
  ASSERT_EQ(quote.crew_lines_size(), 3);
  EXPECT_EQ(quote.crew_lines(2).phase_id(), "berlin");
  EXPECT_EQ(Micros(quote.net_total()), 3 * 680'000'000);
  EXPECT_EQ(Micros(quote.tax_total()), 387'600'000);
  EXPECT_EQ(Micros(quote.total()), 2'427'600'000);

  v1::ConfirmOrderResponse confirmed;
  status = Confirm(created.order(), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.order().stage(), v1::ORDER_STAGE_CONFIRMED);

  // One firm reservation: the first stop's wall over its window, a part per further stop.
  v1::ListReservationsRequest list;
  list.set_order_id(created.order().order_id());
  list.set_active_only(true);
  list.set_kind(v1::RESERVATION_KIND_FIRM);
  v1::ListReservationsResponse reservations;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::ListReservations, list, &reservations).ok());
  ASSERT_EQ(reservations.reservations_size(), 1);
  const v1::Reservation& reservation = reservations.reservations(0);
  ASSERT_EQ(reservation.parts_size(), 2);
  for (const v1::ReservationPart& part : reservation.parts()) {
    EXPECT_EQ(part.lines(0).quantity(), 24) << part.phase_id();
    EXPECT_GT(part.window().not_before(), reservation.window().no_later_than()) << part.phase_id();
  }
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 6);

  // One job: tasks for every stop, and a commitment per further stop.
  v1::GetJobStatusRequest job_request;
  job_request.set_order_id(created.order().order_id());
  v1::GetJobStatusResponse job;
  ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::GetJobStatus, job_request, &job).ok());
  std::set<std::string> phases_with_tasks;
  for (const v1::Task& task : job.job().tasks()) phases_with_tasks.insert(task.phase_id());
  EXPECT_EQ(phases_with_tasks, (std::set<std::string>{"", "hannover", "berlin"}));
  ASSERT_EQ(job.job().phase_commitments_size(), 2);
  EXPECT_EQ(job.job().phase_commitments(0).phase_id(), "hannover");
  EXPECT_TRUE(job.job().phase_commitments(0).commitment().meets_request());

  // A fourth stop on the Berlin days needs a second wall there: 48 panels of 30, refused.
  v1::Order wanted = confirmed.order();
  v1::OrderPhase* extra = wanted.add_phases();
  *extra = wanted.phases(1);
  extra->set_phase_id("potsdam");
  v1::AmendOrderResponse amended;
  status = Amend(confirmed.order(), wanted, &amended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "INSUFFICIENT_STOCK");
  // The refusal says which stop is short (the overlap: Berlin's or Potsdam's part).
  EXPECT_NE(status.error_message().find("short in phase"), std::string::npos)
      << status.error_message();
}

TEST_F(CommercialTest, ASaleItemIsChargedOnceDrawsStockAndCustomLinesReachThePullSheet) {
  // Gaffer tape: consumable stock, sold as a sale item.
  v1::UpsertItemRequest item;
  item.mutable_item()->set_inventory_code("TAPE-GAFFER");
  item.mutable_item()->set_description("Gaffer tape, black, 50 mm roll");
  item.mutable_item()->set_category("consumables");
  item.mutable_item()->set_quantity_owned(10);
  item.mutable_item()->set_tracking(v1::TRACKING_MODE_CONSUMABLE);
  v1::UpsertItemResponse stored_item;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertItem, item, &stored_item).ok());
  v1::UpsertProductRequest product;
  product.mutable_product()->set_product_code("GAFFER-ROLL");
  product.mutable_product()->set_name("Gaffer tape roll");
  product.mutable_product()->mutable_sale_price()->set_currency_code("EUR");
  product.mutable_product()->mutable_sale_price()->set_units(9);
  v1::InventoryLine* roll = product.mutable_product()->add_components();
  roll->set_inventory_code("TAPE-GAFFER");
  roll->set_quantity(1);
  v1::UpsertProductResponse stored_product;
  grpc::Status status =
      suite_.inventory->Call(&InventoryStub::UpsertProduct, product, &stored_product);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::Order draft = Draft(1);
  *draft.mutable_event_schedule()->mutable_strike_time() = At(72);  // three days
  v1::ProductLine* tape = draft.add_product_lines();
  tape->set_product_code("GAFFER-ROLL");
  tape->set_quantity(4);
  v1::CustomLine* banners = draft.add_custom_lines();
  banners->set_category(v1::CUSTOM_LINE_CATEGORY_PRODUCTION);
  banners->set_description("Printed sponsor banners: collect from the print shop");
  banners->mutable_unit_price()->set_currency_code("EUR");
  banners->mutable_unit_price()->set_units(240);
  v1::CreateOrderResponse created;
  status = Create(draft, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Quote& quote = created.order().quote();
  ASSERT_EQ(quote.lines_size(), 2);
  EXPECT_EQ(quote.lines(1).line().product_code(), "GAFFER-ROLL");
  // Sold once, whatever the three days: 4 x 9.
  EXPECT_EQ(Micros(quote.lines(1).line_total()), 36'000'000);
  EXPECT_NE(quote.lines(1).explanation().find("sale price 9.00 EUR x 4"), std::string::npos)
      << quote.lines(1).explanation();
  EXPECT_FALSE(quote.lines(1).has_day_rate());

  v1::ConfirmOrderResponse confirmed;
  status = Confirm(created.order(), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Four rolls will be used up: they are gone for every window, not only the order's.
  EXPECT_EQ(FirmlyFree("TAPE-GAFFER"), 6);

  v1::GetPullSheetRequest sheet_request;
  sheet_request.set_order_id(created.order().order_id());
  v1::GetPullSheetResponse sheet;
  status = suite_.inventory->Call(&InventoryStub::GetPullSheet, sheet_request, &sheet);
  ASSERT_TRUE(status.ok()) << status.error_message();
  bool tape_on_sheet = false;
  for (const v1::PullSheetGroup& group : sheet.pull_sheet().groups()) {
    for (const v1::PullSheetLine& line : group.lines()) {
      if (line.inventory_code() != "TAPE-GAFFER") continue;
      tape_on_sheet = true;
      EXPECT_EQ(line.tracking(), v1::TRACKING_MODE_CONSUMABLE);
      EXPECT_EQ(line.quantity_to_pull(), 4);
    }
  }
  EXPECT_TRUE(tape_on_sheet);
  ASSERT_EQ(sheet.pull_sheet().notes_size(), 1);
  EXPECT_EQ(sheet.pull_sheet().notes(0).category(), v1::CUSTOM_LINE_CATEGORY_PRODUCTION);
  EXPECT_EQ(sheet.pull_sheet().notes(0).description(), banners->description());
}

// Order-intake charging transport by distance: 80 EUR an hour of the truck's run.
class TransportPricingTest : public CommercialTest {
 protected:
  TransportPricingTest() : CommercialTest({"--transport-hourly-rate", "80"}) {}
};

TEST_F(TransportPricingTest, LinesBeyondTheCatalogArePricedAndOffersStayOutsideTheTotal) {
  ConfigurePricing();
  PutProduct("LED-WALL-BIG", "LED wall 4 x 3 m", "LED-PANEL-500", 30, 900);
  v1::Order draft = Draft(1);
  auto custom = [&](v1::CustomLineCategory category, const std::string& description, int64_t units,
                    int quantity) {
    v1::CustomLine* line = draft.add_custom_lines();
    line->set_category(category);
    line->set_description(description);
    line->mutable_unit_price()->set_currency_code("EUR");
    line->mutable_unit_price()->set_units(units);
    line->set_quantity(quantity);
  };
  custom(v1::CUSTOM_LINE_CATEGORY_FEE, "Rigging fee of the venue", 350, 1);
  custom(v1::CUSTOM_LINE_CATEGORY_SERVICE, "Show programmer, per day", 650, 2);
  custom(v1::CUSTOM_LINE_CATEGORY_TRANSPORT, "Ferry to the island", 120, 1);
  v1::OptionalLine* bigger = draft.add_optional_lines();
  bigger->mutable_line()->set_product_code("LED-WALL-BIG");
  bigger->mutable_line()->set_quantity(1);
  bigger->set_instead_of("LED-WALL-3X2");
  bigger->set_note("or the bigger wall");

  v1::CreateOrderResponse created;
  grpc::Status status = Create(draft, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Quote& quote = created.order().quote();
  ASSERT_EQ(quote.custom_lines_size(), 3);
  EXPECT_EQ(Micros(quote.custom_lines(1).line_total()), 1'300'000'000);
  EXPECT_EQ(quote.custom_lines(1).tax_class(), v1::TAX_CLASS_LABOUR);
  EXPECT_EQ(quote.custom_lines(2).tax_millionths(), 70'000);
  // The truck: one hour each way at 80.
  EXPECT_EQ(Micros(quote.transport()), 160'000'000);
  EXPECT_FALSE(quote.transport_explanation().empty());
  // 500 wall + 180 crew + 350 + 1,300 at 19 %; 120 ferry + 160 truck at 7 %.
  EXPECT_EQ(Micros(quote.net_total()), 2'610'000'000);
  EXPECT_EQ(Micros(quote.tax_total()), 442'700'000 + 19'600'000);
  EXPECT_EQ(Micros(quote.total()), 2'610'000'000 + 462'300'000);
  // The bigger wall is priced beside the order, in no total.
  ASSERT_EQ(quote.optional_lines_size(), 1);
  EXPECT_EQ(Micros(quote.optional_lines(0).line_total()), 900'000'000);

  // Confirmed, the order holds what it has, not what was offered.
  v1::ConfirmOrderResponse confirmed;
  status = Confirm(created.order(), &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(FirmlyFree("LED-PANEL-500"), 30 - 24);

  // A custom line without a category or with a negative price is refused by field.
  custom(v1::CUSTOM_LINE_CATEGORY_UNSPECIFIED, "Something", -5, 1);
  status = Create(draft, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(status, "order.custom_lines[3].category"));
  EXPECT_TRUE(Names(status, "order.custom_lines[3].unit_price"));
}

}  // namespace
}  // namespace salesops::testing
