// Out-of-service periods, sub-rentals and the demand forecast over real gRPC.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "salesops/v1/events.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class StockChangesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(inventory_.started()) << inventory_.log(); }

  void PutItem(const std::string& code, int owned) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Sales-facing " + code);
    request.mutable_item()->set_quantity_owned(owned);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
  }

  grpc::Status Reserve(const std::string& order, v1::InventoryLine line, v1::Window window) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(1);
    *request.add_lines() = line;
    *request.mutable_window() = window;
    v1::ReserveResponse response;
    return inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  }

  v1::CodeAvailability Check(v1::InventoryLine line, v1::Window window) {
    v1::CheckAvailabilityRequest request;
    *request.add_lines() = line;
    *request.mutable_window() = window;
    v1::CheckAvailabilityResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::CheckAvailability, request, &response).ok());
    return response.availability(0);
  }

  InventoryFixture inventory_;
};

TEST_F(StockChangesTest, OutOfServiceNamesTheConfirmedOrdersItLeavesShort) {
  PutItem("MOVING-HEAD", 10);
  ASSERT_TRUE(Reserve("ORDER-A", Line("MOVING-HEAD", 8), Days(0, 2)).ok());
  ASSERT_TRUE(Reserve("ORDER-B", Line("MOVING-HEAD", 2), Days(5, 6)).ok());
  v1::SetOutOfServiceRequest request;
  request.set_inventory_code("MOVING-HEAD");
  request.set_quantity(4);
  *request.mutable_window() = Days(1, 3);
  request.set_reason("lamp replacement");
  v1::SetOutOfServiceResponse response;
  ASSERT_TRUE(
      inventory_.Call(&Stub::SetOutOfService, request, &response, inventory_.tokens().ops).ok());
  ASSERT_EQ(response.shortages_size(), 1);
  EXPECT_EQ(response.shortages(0).order_id(), "ORDER-A");
  EXPECT_EQ(response.shortages(0).shortages(0).shortfall(), 2);
  EXPECT_EQ(Check(Line("MOVING-HEAD", 1), Days(1, 2)).out_of_service(), 4);

  // Repaired sooner than feared: the same period now takes only one unit.
  request.set_out_of_service_id(response.out_of_service().out_of_service_id());
  request.set_quantity(1);
  ASSERT_TRUE(
      inventory_.Call(&Stub::SetOutOfService, request, &response, inventory_.tokens().ops).ok());
  EXPECT_EQ(response.shortages_size(), 0);
  EXPECT_EQ(Check(Line("MOVING-HEAD", 1), Days(1, 2)).free(), 1);

  pqxx::connection connection(inventory_.database().connection_string());
  pqxx::nontransaction statement(connection);
  EXPECT_EQ(statement
                .exec1("SELECT count(*) FROM outbox WHERE event_type = "
                       "'EVENT_TYPE_SHORTAGE_DETECTED' AND order_id = 'ORDER-A'")[0]
                .as<int>(),
            1);
}

TEST_F(StockChangesTest, LoweringWhatIsOwnedNamesTheConfirmedOrdersItLeavesShort) {
  PutItem("SPEAKER", 10);
  ASSERT_TRUE(Reserve("ORDER-A", Line("SPEAKER", 8), Days(1, 3)).ok());
  ASSERT_TRUE(Reserve("ORDER-B", Line("SPEAKER", 2), Days(5, 6)).ok());
  PutItem("SPEAKER", 9);  // still enough for both
  PutItem("SPEAKER", 6);  // two sold, or written off: ORDER-A is now 2 short
  pqxx::connection connection(inventory_.database().connection_string());
  pqxx::nontransaction statement(connection);
  pqxx::result shortages = statement.exec(
      "SELECT order_id, payload FROM outbox WHERE event_type = 'EVENT_TYPE_SHORTAGE_DETECTED' "
      "ORDER BY created_at");
  ASSERT_EQ(shortages.size(), 1u);
  EXPECT_EQ(shortages[0][0].as<std::string>(), "ORDER-A");
  v1::Event event;
  pqxx::binarystring payload(shortages[0][1]);
  ASSERT_TRUE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
  ASSERT_EQ(event.stock().shortages_size(), 1);
  EXPECT_EQ(event.stock().shortages(0).inventory_code(), "SPEAKER");
  EXPECT_EQ(event.stock().shortages(0).shortfall(), 2);
  EXPECT_NE(event.summary().find("2 x SPEAKER short"), std::string::npos) << event.summary();
}

TEST_F(StockChangesTest, SubRentalsCoverAShortageInsideTheirWindowOnly) {
  PutItem("LED-PANEL-500", 4);
  v1::CodeAvailability before = Check(Line("LED-PANEL-500", 6), Days(1, 2));
  EXPECT_EQ(before.sub_rental_needed(), 2);

  v1::AddSubRentalRequest request;
  v1::SubRental* rental = request.mutable_sub_rental();
  rental->set_inventory_code("LED-PANEL-500");
  rental->set_quantity(2);
  *rental->mutable_window() = Days(1, 2);
  rental->set_supplier_name("Partner Rentals Ltd");
  rental->mutable_cost()->set_currency_code("EUR");
  rental->mutable_cost()->set_units(300);
  rental->set_order_id("ORDER-9");
  v1::AddSubRentalResponse added;
  ASSERT_TRUE(inventory_.Call(&Stub::AddSubRental, request, &added, inventory_.tokens().ops).ok());
  EXPECT_FALSE(added.sub_rental().sub_rental_id().empty());

  EXPECT_EQ(Check(Line("LED-PANEL-500", 6), Days(1, 2)).free(), 6);
  EXPECT_EQ(Check(Line("LED-PANEL-500", 6), Days(0, 2)).free(), 4);  // not there on day 0
  ASSERT_TRUE(Reserve("ORDER-9", Line("LED-PANEL-500", 6), Days(1, 2)).ok());

  v1::GetPullSheetRequest sheet_request;
  sheet_request.set_order_id("ORDER-9");
  v1::GetPullSheetResponse sheet;
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, sheet_request, &sheet).ok());
  EXPECT_EQ(sheet.pull_sheet().groups(0).lines(0).from_sub_rental(), 2);
  EXPECT_EQ(sheet.pull_sheet().groups(0).lines(0).supplier_name(), "Partner Rentals Ltd");

  v1::ListSubRentalsRequest list;
  list.set_inventory_code("LED-PANEL-500");
  list.set_unreturned_only(true);
  v1::ListSubRentalsResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListSubRentals, list, &listed).ok());
  ASSERT_EQ(listed.sub_rentals_size(), 1);
  EXPECT_EQ(listed.sub_rentals(0).cost().units(), 300);

  // An unknown code is the same answer on every RPC: FAILED_PRECONDITION, UNKNOWN_INVENTORY_CODE.
  rental->set_inventory_code("NOT-AN-ITEM");
  grpc::Status unknown =
      inventory_.Call(&Stub::AddSubRental, request, &added, inventory_.tokens().ops);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(unknown).reason, "UNKNOWN_INVENTORY_CODE");
}

TEST_F(StockChangesTest, ForecastWeighsHoldsByWinProbability) {
  PutItem("SPK-12", 10);
  PutItem("XLR-10M", 100);
  ASSERT_TRUE(Reserve("ORDER-A", Line("SPK-12", 6), Days(0, 1)).ok());
  v1::PlaceHoldRequest hold;
  hold.set_order_id("QUOTE-B");
  hold.set_order_revision(1);
  *hold.add_lines() = Line("SPK-12", 10);
  *hold.mutable_window() = Days(0, 1);
  *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                google::protobuf::util::TimeUtil::SecondsToDuration(3600);
  hold.set_win_probability(0.5);
  v1::PlaceHoldResponse held;
  ASSERT_TRUE(inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service).ok());

  v1::ForecastDemandRequest request;
  *request.mutable_range() = Days(0, 2);
  request.mutable_bucket_size()->set_seconds(86400);
  v1::ForecastDemandResponse response;
  ASSERT_TRUE(inventory_.Call(&Stub::ForecastDemand, request, &response).ok());
  ASSERT_EQ(response.forecasts_size(), 2);
  const v1::CodeForecast& speakers = response.forecasts(0);
  EXPECT_EQ(speakers.inventory_code(), "SPK-12");
  ASSERT_EQ(speakers.buckets_size(), 2);
  EXPECT_EQ(speakers.buckets(0).firm_demand(), 6);
  EXPECT_DOUBLE_EQ(speakers.buckets(0).weighted_hold_demand(), 5.0);
  EXPECT_EQ(speakers.buckets(0).stock(), 10);
  EXPECT_DOUBLE_EQ(speakers.buckets(0).projected_shortfall(), 1.0);
  EXPECT_DOUBLE_EQ(speakers.buckets(1).projected_shortfall(), 0.0);

  request.set_shortages_only(true);
  ASSERT_TRUE(inventory_.Call(&Stub::ForecastDemand, request, &response).ok());
  ASSERT_EQ(response.forecasts_size(), 1);
  EXPECT_EQ(response.forecasts(0).inventory_code(), "SPK-12");
}

}  // namespace
}  // namespace salesops::testing
