// Lines beyond rental (issue 17), on a real inventory process and PostgreSQL: consumable stock
// that is sold and used up (gaffer tape, batteries), sale items made of it, and an order's custom
// lines shown to ops as notes on its pull sheet.
#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;
using common::ParseGrpcError;

std::vector<std::string> ViolatedFieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : ParseGrpcError(status).violations) fields.push_back(violation.field);
  return fields;
}

google::type::Money Euros(int64_t units) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

class ConsumablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    PutItem("TAPE-GAFFER", 10, v1::TRACKING_MODE_CONSUMABLE);
    PutItem("CABLE-XLR", 10, v1::TRACKING_MODE_BULK);
  }

  void PutItem(const std::string& code, int owned, v1::TrackingMode tracking) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Sales-facing " + code);
    request.mutable_item()->set_category("stage");
    request.mutable_item()->set_quantity_owned(owned);
    request.mutable_item()->set_tracking(tracking);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
  }

  grpc::Status Reserve(const std::string& order, int64_t revision,
                       std::vector<v1::InventoryLine> lines, const v1::Window& window,
                       std::vector<v1::ReservationPart> parts = {},
                       std::vector<v1::PullSheetNote> notes = {}) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(revision);
    for (auto& line : lines) *request.add_lines() = line;
    *request.mutable_window() = window;
    for (auto& part : parts) *request.add_parts() = part;
    for (auto& note : notes) *request.add_notes() = note;
    v1::ReserveResponse response;
    return inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  }

  int Free(const std::string& code, const v1::Window& window) {
    v1::CheckAvailabilityRequest request;
    *request.add_lines() = Line(code, 1);
    *request.mutable_window() = window;
    v1::CheckAvailabilityResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::CheckAvailability, request, &response, inventory_.tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.availability_size() > 0 ? response.availability(0).free() : -1;
  }

  int Owned(const std::string& code) {
    v1::GetItemRequest request;
    request.set_inventory_code(code);
    v1::GetItemResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::GetItem, request, &response).ok());
    return response.item().quantity_owned();
  }

  void PullAll(const std::string& order, std::vector<std::pair<std::string, int>> counts) {
    v1::RecordPrepRequest request;
    request.set_order_id(order);
    for (const auto& [code, pulled] : counts) {
      v1::PrepCount* count = request.add_counts();
      count->set_inventory_code(code);
      count->set_pulled_quantity(pulled);
    }
    v1::RecordPrepResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::RecordPrep, request, &response, inventory_.tokens().ops);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  InventoryFixture inventory_;
};

TEST_F(ConsumablesTest, AConsumableReservedForOneWindowCountsAgainstEveryOtherWindow) {
  ASSERT_TRUE(
      Reserve("ORDER-A", 1, {Line("TAPE-GAFFER", 6), Line("CABLE-XLR", 6)}, Days(0, 2)).ok());
  // Cable comes back after day 2; tape does not, whenever it is used.
  EXPECT_EQ(Free("CABLE-XLR", Days(10, 12)), 10);
  EXPECT_EQ(Free("TAPE-GAFFER", Days(10, 12)), 4);
  // Earlier too: what order A will use up cannot be sold before it either.
  EXPECT_EQ(Free("TAPE-GAFFER", Days(-10, -8)), 4);

  grpc::Status refused = Reserve("ORDER-B", 1, {Line("TAPE-GAFFER", 6)}, Days(10, 12));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(refused).reason, "INSUFFICIENT_STOCK") << refused.error_message();
  EXPECT_TRUE(Reserve("ORDER-B", 1, {Line("TAPE-GAFFER", 4)}, Days(10, 12)).ok());

  // An order's own phases that do not overlap may share rented units, never used-up ones.
  PutItem("TAPE-GAFFER", 30, v1::TRACKING_MODE_CONSUMABLE);  // restocked: 30 - 10 undrawn = 20
  v1::ReservationPart second;
  second.set_phase_id("stop-2");
  *second.add_lines() = Line("TAPE-GAFFER", 12);
  *second.mutable_window() = Days(20, 21);
  grpc::Status tour = Reserve("ORDER-TOUR", 1, {Line("TAPE-GAFFER", 12)}, Days(15, 16), {second});
  EXPECT_EQ(tour.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << tour.error_message();
  v1::ReservationPart smaller = second;
  smaller.mutable_lines(0)->set_quantity(8);
  EXPECT_TRUE(Reserve("ORDER-TOUR", 1, {Line("TAPE-GAFFER", 12)}, Days(15, 16), {smaller}).ok());
  EXPECT_EQ(Free("TAPE-GAFFER", Days(40, 41)), 0);
}

TEST_F(ConsumablesTest, CheckOutDrawsStockDownAndCheckInExpectsNothingBack) {
  ASSERT_TRUE(
      Reserve("ORDER-A", 1, {Line("TAPE-GAFFER", 6), Line("CABLE-XLR", 6)}, Days(0, 2)).ok());
  PullAll("ORDER-A", {{"TAPE-GAFFER", 6}, {"CABLE-XLR", 6}});
  v1::CheckOutRequest check_out;
  check_out.set_order_id("ORDER-A");
  v1::CheckOutResponse out;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckOut, check_out, &out, inventory_.tokens().ops).ok());

  // The tape left stock for good; the cable is only out.
  EXPECT_EQ(Owned("TAPE-GAFFER"), 4);
  EXPECT_EQ(Owned("CABLE-XLR"), 10);
  // What order A drew is not counted twice: 4 on the shelf, all free.
  EXPECT_EQ(Free("TAPE-GAFFER", Days(10, 12)), 4);

  // Two rolls come back unused and go back on the shelf, a third comes back torn and is thrown
  // away (no repair period for a roll of tape); the rest is not missing.
  v1::CheckInRequest check_in;
  check_in.set_order_id("ORDER-A");
  v1::CheckInLine* tape = check_in.add_lines();
  tape->set_inventory_code("TAPE-GAFFER");
  tape->set_returned_quantity(2);
  tape->set_damaged_quantity(1);
  v1::CheckInLine* cable = check_in.add_lines();
  cable->set_inventory_code("CABLE-XLR");
  cable->set_returned_quantity(5);
  v1::CheckInResponse in;
  grpc::Status checked_in = inventory_.Call(&Stub::CheckIn, check_in, &in, inventory_.tokens().ops);
  ASSERT_TRUE(checked_in.ok()) << checked_in.error_message();
  EXPECT_EQ(Owned("TAPE-GAFFER"), 6);
  ASSERT_EQ(in.movement().missing_size(), 1);
  EXPECT_EQ(in.movement().missing(0).inventory_code(), "CABLE-XLR");
  EXPECT_EQ(in.movement().missing(0).quantity(), 1);
  for (const v1::OutOfService& repair : in.out_of_service()) {
    EXPECT_NE(repair.inventory_code(), "TAPE-GAFFER") << "a used-up roll is not repaired";
  }

  // An amendment after check-out asks only for what it has not drawn yet: 8 - 6 = 2 more of
  // the 6 on the shelf, which leaves 4 for everyone else.
  ASSERT_TRUE(
      Reserve("ORDER-A", 2, {Line("TAPE-GAFFER", 8), Line("CABLE-XLR", 6)}, Days(0, 2)).ok());
  EXPECT_EQ(Free("TAPE-GAFFER", Days(10, 12)), 4);
  grpc::Status too_many =
      Reserve("ORDER-A", 3, {Line("TAPE-GAFFER", 13), Line("CABLE-XLR", 6)}, Days(0, 2));
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << too_many.error_message();
  EXPECT_TRUE(
      Reserve("ORDER-A", 3, {Line("TAPE-GAFFER", 12), Line("CABLE-XLR", 6)}, Days(0, 2)).ok());
}

TEST_F(ConsumablesTest, ASaleItemIsMadeOfConsumablesAndResolvesWithItsSalePrice) {
  v1::UpsertProductRequest request;
  v1::Product& product = *request.mutable_product();
  product.set_product_code("GAFFER-ROLL");
  product.set_name("Gaffer tape, black, 50 mm");
  *product.add_components() = Line("CABLE-XLR", 1);
  *product.mutable_sale_price() = Euros(9);
  v1::UpsertProductResponse response;
  grpc::Status not_consumable = inventory_.Call(&Stub::UpsertProduct, request, &response);
  EXPECT_EQ(not_consumable.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFieldsOf(not_consumable),
            std::vector<std::string>{"product.components[0].inventory_code"});

  *product.mutable_components(0) = Line("TAPE-GAFFER", 1);
  *product.mutable_day_rate() = Euros(2);
  grpc::Status both = inventory_.Call(&Stub::UpsertProduct, request, &response);
  EXPECT_EQ(both.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFieldsOf(both), std::vector<std::string>{"product.sale_price"});

  v1::GetProductRequest get;
  get.set_product_code("GAFFER-ROLL");
  v1::GetProductResponse got;
  EXPECT_EQ(inventory_.Call(&Stub::GetProduct, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);  // neither refusal wrote anything

  product.clear_day_rate();
  grpc::Status stored = inventory_.Call(&Stub::UpsertProduct, request, &response);
  ASSERT_TRUE(stored.ok()) << stored.error_message();
  EXPECT_EQ(response.product().sale_price().units(), 9);
  EXPECT_FALSE(response.product().has_day_rate());

  v1::ResolveProductsRequest resolve;
  v1::ProductLine* line = resolve.add_lines();
  line->set_product_code("GAFFER-ROLL");
  line->set_quantity(3);
  v1::ResolveProductsResponse resolved;
  ASSERT_TRUE(
      inventory_.Call(&Stub::ResolveProducts, resolve, &resolved, inventory_.tokens().sales).ok());
  ASSERT_EQ(resolved.resolved_lines_size(), 1);
  EXPECT_EQ(resolved.resolved_lines(0).sale_price().units(), 9);
  EXPECT_FALSE(resolved.resolved_lines(0).has_day_rate());
  EXPECT_EQ(resolved.inventory_lines(0).inventory_code(), "TAPE-GAFFER");
  EXPECT_EQ(resolved.inventory_lines(0).quantity(), 3);
}

TEST_F(ConsumablesTest, CustomLinesAreNotesOnThePullSheetAndBadOnesAreRefused) {
  v1::PullSheetNote banners;
  banners.set_category(v1::CUSTOM_LINE_CATEGORY_PRODUCTION);
  banners.set_description("Printed sponsor banners, collect from the print shop");
  banners.set_quantity(4);
  v1::PullSheetNote permit;
  permit.set_category(v1::CUSTOM_LINE_CATEGORY_FEE);
  permit.set_description("Rigging permit: carry the signed copy");

  v1::PullSheetNote blank = permit;
  blank.clear_description();
  grpc::Status refused =
      Reserve("ORDER-N", 1, {Line("CABLE-XLR", 2)}, Days(0, 1), {}, {banners, blank});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFieldsOf(refused), std::vector<std::string>{"notes[1].description"});
  EXPECT_EQ(Free("CABLE-XLR", Days(0, 1)), 10);  // nothing reserved

  ASSERT_TRUE(
      Reserve("ORDER-N", 1, {Line("CABLE-XLR", 2)}, Days(0, 1), {}, {banners, permit}).ok());
  v1::GetPullSheetRequest request;
  request.set_order_id("ORDER-N");
  v1::GetPullSheetResponse response;
  ASSERT_TRUE(
      inventory_.Call(&Stub::GetPullSheet, request, &response, inventory_.tokens().ops).ok());
  const v1::PullSheet& sheet = response.pull_sheet();
  ASSERT_EQ(sheet.notes_size(), 2);
  EXPECT_EQ(sheet.notes(0).category(), v1::CUSTOM_LINE_CATEGORY_PRODUCTION);
  EXPECT_EQ(sheet.notes(0).description(), banners.description());
  EXPECT_EQ(sheet.notes(0).quantity(), 4);
  EXPECT_EQ(sheet.notes(1).description(), permit.description());
  // Notes are never pulled: the sheet's units are the cable's.
  EXPECT_EQ(sheet.progress().units_to_pull(), 2);

  // The next revision's sheet shows the next revision's notes.
  ASSERT_TRUE(Reserve("ORDER-N", 2, {Line("CABLE-XLR", 2)}, Days(0, 1), {}, {permit}).ok());
  ASSERT_TRUE(
      inventory_.Call(&Stub::GetPullSheet, request, &response, inventory_.tokens().ops).ok());
  ASSERT_EQ(response.pull_sheet().notes_size(), 1);
  EXPECT_EQ(response.pull_sheet().notes(0).category(), v1::CUSTOM_LINE_CATEGORY_FEE);
}

}  // namespace
}  // namespace salesops::testing
