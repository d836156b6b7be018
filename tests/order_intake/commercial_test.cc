// The commercial side of an order (issue 17) through order-intake's API with all four services
// on real PostgreSQL: an order that refers to the directory and keeps what it saw on each
// revision, and a discount above the threshold that blocks confirmation until ADMIN approves.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "services/common/money.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

class CommercialTest : public OrderSuiteTest {
 protected:
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

}  // namespace
}  // namespace salesops::testing
