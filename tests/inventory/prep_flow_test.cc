// The warehouse's day with one order: pull sheet, prep, check-out, check-in.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "salesops/v1/events.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class PrepFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    for (const auto& [code, category, owned] :
         std::vector<std::tuple<std::string, std::string, int>>{
             {"LED-PANEL-500", "video", 40}, {"CABLE-PWR", "power", 100}, {"SPK-12", "audio", 8}}) {
      v1::UpsertItemRequest request;
      request.mutable_item()->set_inventory_code(code);
      request.mutable_item()->set_description("Sales-facing " + code);
      request.mutable_item()->set_category(category);
      request.mutable_item()->set_warehouse_id("MAIN");
      request.mutable_item()->set_quantity_owned(owned);
      v1::UpsertItemResponse response;
      ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
    }
    v1::ReserveRequest reserve;
    reserve.set_order_id("ORDER-1042");
    reserve.set_order_revision(1);
    *reserve.add_lines() = Line("LED-PANEL-500", 24);
    *reserve.add_lines() = Line("CABLE-PWR", 6);
    *reserve.add_lines() = Line("SPK-12", 4);
    *reserve.mutable_window() = Days(0, 2);
    v1::ReserveResponse reserved;
    ASSERT_TRUE(
        inventory_.Call(&Stub::Reserve, reserve, &reserved, inventory_.tokens().service).ok());
  }

  grpc::Status Prep(std::vector<std::pair<std::string, int>> counts,
                    v1::RecordPrepResponse* response, const std::string& token = "") {
    v1::RecordPrepRequest request;
    request.set_order_id("ORDER-1042");
    for (const auto& [code, pulled] : counts) {
      auto* count = request.add_counts();
      count->set_inventory_code(code);
      count->set_pulled_quantity(pulled);
    }
    return inventory_.Call(&Stub::RecordPrep, request, response,
                           token.empty() ? inventory_.tokens().ops : token);
  }

  int Events(const std::string& type) {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement
        .exec_params1("SELECT count(*) FROM outbox WHERE event_type = $1 AND order_id = $2", type,
                      "ORDER-1042")[0]
        .as<int>();
  }

  InventoryFixture inventory_;
};

TEST_F(PrepFlowTest, PullSheetIsGroupedAndReadsInSalesWords) {
  v1::GetPullSheetRequest request;
  request.set_order_id("ORDER-1042");
  v1::GetPullSheetResponse response;
  ASSERT_TRUE(
      inventory_.Call(&Stub::GetPullSheet, request, &response, inventory_.tokens().sales).ok());
  const v1::PullSheet& sheet = response.pull_sheet();
  ASSERT_EQ(sheet.groups_size(), 3);  // audio, power, video in MAIN
  EXPECT_EQ(sheet.groups(0).category(), "audio");
  EXPECT_EQ(sheet.groups(2).lines(0).description(), "Sales-facing LED-PANEL-500");
  EXPECT_EQ(sheet.groups(2).lines(0).quantity_to_pull(), 24);
  EXPECT_EQ(sheet.progress().state(), v1::PREP_STATE_NOT_STARTED);
  EXPECT_EQ(sheet.progress().units_to_pull(), 34);

  request.set_order_id("NO-SUCH-ORDER");
  EXPECT_EQ(inventory_.Call(&Stub::GetPullSheet, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PrepFlowTest, PrepRefusesOverPullingAndReportsStartAndCompletion) {
  v1::RecordPrepResponse response;
  grpc::Status over = Prep({{"CABLE-PWR", 2}, {"SPK-12", 5}}, &response);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(over).violations.at(0).field, "counts[1].pulled_quantity");
  EXPECT_EQ(Events("EVENT_TYPE_PREP_STARTED"), 0);  // nothing of the refused count was kept

  // Sales cannot record prep.
  EXPECT_EQ(Prep({{"SPK-12", 1}}, &response, inventory_.tokens().sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(Prep({{"SPK-12", 4}}, &response).ok());
  EXPECT_EQ(response.pull_sheet().progress().state(), v1::PREP_STATE_IN_PROGRESS);
  EXPECT_EQ(Events("EVENT_TYPE_PREP_STARTED"), 1);
  ASSERT_TRUE(Prep({{"LED-PANEL-500", 24}, {"CABLE-PWR", 6}}, &response).ok());
  EXPECT_EQ(response.pull_sheet().progress().state(), v1::PREP_STATE_COMPLETE);
  EXPECT_DOUBLE_EQ(response.pull_sheet().progress().fraction_pulled(), 1.0);
  EXPECT_EQ(Events("EVENT_TYPE_PREP_STARTED"), 1);
  EXPECT_EQ(Events("EVENT_TYPE_PREP_COMPLETED"), 1);
}

TEST_F(PrepFlowTest, ADamagedReturnNamesTheConfirmedOrdersItLeavesShort) {
  // Next week's order takes every speaker owned; one of this week's comes back broken.
  v1::ReserveRequest next_week;
  next_week.set_order_id("ORDER-2000");
  next_week.set_order_revision(1);
  *next_week.add_lines() = Line("SPK-12", 8);
  *next_week.mutable_window() = Days(5, 6);
  v1::ReserveResponse reserved;
  ASSERT_TRUE(
      inventory_.Call(&Stub::Reserve, next_week, &reserved, inventory_.tokens().service).ok());
  v1::RecordPrepResponse prepped;
  ASSERT_TRUE(Prep({{"LED-PANEL-500", 24}, {"CABLE-PWR", 6}, {"SPK-12", 4}}, &prepped).ok());
  v1::CheckOutRequest out;
  out.set_order_id("ORDER-1042");
  v1::CheckOutResponse out_response;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckOut, out, &out_response, inventory_.tokens().ops).ok());
  v1::CheckInRequest in;
  in.set_order_id("ORDER-1042");
  auto* speakers = in.add_lines();
  speakers->set_inventory_code("SPK-12");
  speakers->set_returned_quantity(3);
  speakers->set_damaged_quantity(1);
  speakers->set_damage_note("cone torn");
  v1::CheckInResponse in_response;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckIn, in, &in_response, inventory_.tokens().ops).ok());

  pqxx::connection connection(inventory_.database().connection_string());
  pqxx::nontransaction statement(connection);
  pqxx::result shortages = statement.exec(
      "SELECT order_id, payload FROM outbox WHERE event_type = 'EVENT_TYPE_SHORTAGE_DETECTED'");
  ASSERT_EQ(shortages.size(), 1u);
  EXPECT_EQ(shortages[0][0].as<std::string>(), "ORDER-2000");
  v1::Event event;
  pqxx::binarystring payload(shortages[0][1]);
  ASSERT_TRUE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
  ASSERT_EQ(event.stock().shortages_size(), 1);
  EXPECT_EQ(event.stock().shortages(0).shortfall(), 1);
  EXPECT_EQ(event.stock().out_of_service_id(), in_response.out_of_service(0).out_of_service_id());
  EXPECT_NE(event.summary().find("came back damaged from order ORDER-1042"), std::string::npos)
      << event.summary();
}

TEST_F(PrepFlowTest, CheckOutOnlyWhatIsPulledThenCheckInWithDamageAndMissing) {
  v1::RecordPrepResponse prepped;
  ASSERT_TRUE(Prep({{"LED-PANEL-500", 24}, {"CABLE-PWR", 6}, {"SPK-12", 4}}, &prepped).ok());

  v1::CheckOutRequest out;
  out.set_order_id("ORDER-1042");
  *out.add_lines() = Line("SPK-12", 5);
  v1::CheckOutResponse out_response;
  grpc::Status too_many =
      inventory_.Call(&Stub::CheckOut, out, &out_response, inventory_.tokens().ops);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // One code twice would count it twice: refused, naming the second line.
  out.clear_lines();
  *out.add_lines() = Line("SPK-12", 2);
  *out.add_lines() = Line("SPK-12", 2);
  grpc::Status twice =
      inventory_.Call(&Stub::CheckOut, out, &out_response, inventory_.tokens().ops);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(twice).violations.at(0).field, "lines[1].inventory_code");
  EXPECT_EQ(Events("EVENT_TYPE_DISPATCHED"), 0);

  out.clear_lines();  // everything pulled
  out.set_vehicle_id("TRUCK-2");
  ASSERT_TRUE(inventory_.Call(&Stub::CheckOut, out, &out_response, inventory_.tokens().ops).ok());
  EXPECT_EQ(out_response.movement().lines_size(), 3);
  EXPECT_EQ(out_response.outstanding_size(), 0);
  EXPECT_EQ(Events("EVENT_TYPE_DISPATCHED"), 1);

  v1::CheckInRequest in;
  in.set_order_id("ORDER-1042");
  auto* speakers = in.add_lines();
  speakers->set_inventory_code("SPK-12");
  speakers->set_returned_quantity(2);
  speakers->set_damaged_quantity(1);
  speakers->set_damage_note("cone torn");
  auto* panels = in.add_lines();
  panels->set_inventory_code("LED-PANEL-500");
  panels->set_returned_quantity(24);
  auto* cables = in.add_lines();
  cables->set_inventory_code("CABLE-PWR");
  cables->set_returned_quantity(6);
  v1::CheckInResponse in_response;
  // A repair that ended before it began is a typo: refused, and nothing is checked in.
  *speakers->mutable_back_in_service_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime() -
      google::protobuf::util::TimeUtil::SecondsToDuration(3600);
  grpc::Status past = inventory_.Call(&Stub::CheckIn, in, &in_response, inventory_.tokens().ops);
  EXPECT_EQ(past.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(past).violations.at(0).field, "lines[0].back_in_service_time");
  EXPECT_EQ(Events("EVENT_TYPE_RETURNED"), 0);
  speakers->clear_back_in_service_time();
  ASSERT_TRUE(inventory_.Call(&Stub::CheckIn, in, &in_response, inventory_.tokens().ops).ok());
  ASSERT_EQ(in_response.movement().missing_size(), 1);
  EXPECT_EQ(in_response.movement().missing(0).inventory_code(), "SPK-12");
  EXPECT_EQ(in_response.movement().missing(0).quantity(), 1);
  ASSERT_EQ(in_response.out_of_service_size(), 1);
  EXPECT_EQ(in_response.out_of_service(0).quantity(), 1);
  EXPECT_EQ(Events("EVENT_TYPE_RETURNED"), 1);
  EXPECT_EQ(Events("EVENT_TYPE_ITEM_DAMAGED"), 1);

  // The damaged speaker is out of service from now on, until repaired.
  v1::CheckAvailabilityRequest check;
  *check.add_lines() = Line("SPK-12", 1);
  auto now = google::protobuf::util::TimeUtil::GetCurrentTime();
  *check.mutable_window()->mutable_not_before() =
      now + google::protobuf::util::TimeUtil::SecondsToDuration(3600);
  *check.mutable_window()->mutable_no_later_than() =
      now + google::protobuf::util::TimeUtil::SecondsToDuration(7200);
  v1::CheckAvailabilityResponse availability;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckAvailability, check, &availability).ok());
  EXPECT_EQ(availability.availability(0).out_of_service(), 1);
  EXPECT_EQ(availability.availability(0).free(), 7);

  // More back than went out is refused.
  in.clear_lines();
  auto* extra = in.add_lines();
  extra->set_inventory_code("SPK-12");
  extra->set_returned_quantity(2);
  EXPECT_EQ(inventory_.Call(&Stub::CheckIn, in, &in_response, inventory_.tokens().ops).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace salesops::testing
