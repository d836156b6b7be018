#pragma once

// A fixture for order-intake tests with all four services as real processes on real
// PostgreSQL: a catalog (LED-PANEL-500 x 30, LED-WALL-3X2 of 24 panels and 2 video crew for
// 2 h), crew, a truck, and helpers to quote, confirm and look at what inventory holds.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/order_intake/order_suite.h"

namespace salesops::testing {

using google::protobuf::util::TimeUtil;
using OrderStub = v1::OrderIntakeService::Stub;
using InventoryStub = v1::InventoryService::Stub;
using SchedulingStub = v1::SchedulingService::Stub;

class OrderSuiteTest : public ::testing::Test {
 protected:
  OrderSuiteTest() = default;
  // Order-intake with further flags (flag/value pairs).
  explicit OrderSuiteTest(std::vector<std::string> order_args)
      : suite_(/*dependency_timeout_ms=*/3000, std::move(order_args)) {}

  void SetUp() override {
    ASSERT_TRUE(suite_.started()) << suite_.logs();
    day0_ = (TimeUtil::GetCurrentTime().seconds() / 86400 + 7) * 86400;
    PutItem("LED-PANEL-500", 30);
    PutProduct("LED-WALL-3X2", "LED wall 3 x 2 m", "LED-PANEL-500", 24, 500);
    for (const auto& [id, skill] :
         std::vector<std::pair<std::string, v1::Skill>>{{"wanda", v1::SKILL_WAREHOUSE},
                                                        {"walt", v1::SKILL_WAREHOUSE},
                                                        {"dana", v1::SKILL_DRIVER},
                                                        {"vic", v1::SKILL_VIDEO},
                                                        {"val", v1::SKILL_VIDEO}}) {
      v1::CreateCrewMemberRequest request;
      request.mutable_crew_member()->set_crew_member_id(id);
      request.mutable_crew_member()->set_display_name(id);
      request.mutable_crew_member()->add_skills(skill);
      request.mutable_crew_member()->set_active(true);
      v1::CreateCrewMemberResponse response;
      ASSERT_TRUE(
          suite_.scheduling->Call(&SchedulingStub::CreateCrewMember, request, &response).ok());
    }
    v1::CreateVehicleRequest truck;
    truck.mutable_vehicle()->set_vehicle_id("TRUCK-1");
    truck.mutable_vehicle()->set_display_name("Box truck");
    truck.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
    truck.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse created;
    ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::CreateVehicle, truck, &created).ok());
  }

  google::protobuf::Timestamp At(double hours) {
    return TimeUtil::SecondsToTimestamp(day0_ + static_cast<int64_t>(hours * 3600));
  }

  void PutItem(const std::string& code, int owned) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description(code);
    request.mutable_item()->set_category("video");
    request.mutable_item()->set_quantity_owned(owned);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::UpsertItem, request, &response).ok());
  }

  void PutProduct(const std::string& code, const std::string& name, const std::string& item,
                  int per_unit, int day_rate) {
    v1::UpsertProductRequest request;
    v1::Product* product = request.mutable_product();
    product->set_product_code(code);
    product->set_name(name);
    product->mutable_day_rate()->set_currency_code("EUR");
    product->mutable_day_rate()->set_units(day_rate);
    v1::InventoryLine* component = product->add_components();
    component->set_inventory_code(item);
    component->set_quantity(per_unit);
    v1::CrewNeed* crew = product->add_crew_needs();
    crew->set_skill(v1::SKILL_VIDEO);
    crew->mutable_duration()->set_seconds(2 * 3600);
    crew->set_headcount(2);
    product->mutable_prep_time()->set_seconds(3600);
    v1::UpsertProductResponse response;
    grpc::Status status = suite_.inventory->Call(&InventoryStub::UpsertProduct, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::Order Draft(int walls, const std::string& customer = "Acme Events") {
    v1::Order order;
    order.mutable_customer()->set_name(customer);
    order.mutable_venue()->set_name("Grand Hall");
    order.mutable_venue()->mutable_travel_time()->set_seconds(3600);
    *order.mutable_event_schedule()->mutable_show_start_time() = At(19);
    *order.mutable_event_schedule()->mutable_show_end_time() = At(23);
    *order.mutable_event_schedule()->mutable_strike_time() = At(24);
    *order.mutable_delivery_window()->mutable_window()->mutable_not_before() = At(6);
    *order.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = At(8);
    v1::ProductLine* line = order.add_product_lines();
    line->set_product_code("LED-WALL-3X2");
    line->set_quantity(walls);
    order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_QUOTED);
    order.mutable_pipeline()->set_win_probability(0.6);
    return order;
  }

  grpc::Status Create(const v1::Order& order, v1::CreateOrderResponse* response,
                      const std::string& request_id = "") {
    v1::CreateOrderRequest request;
    *request.mutable_order() = order;
    request.set_request_id(request_id);
    return suite_.orders->Call(&OrderStub::CreateOrder, request, response,
                               suite_.orders->tokens().sales);
  }

  grpc::Status Confirm(const v1::Order& order, v1::ConfirmOrderResponse* response) {
    v1::ConfirmOrderRequest request;
    request.set_order_id(order.order_id());
    request.set_etag(order.etag());
    return suite_.orders->Call(&OrderStub::ConfirmOrder, request, response,
                               suite_.orders->tokens().sales);
  }

  v1::Order Get(const std::string& order_id, v1::OrderView view = v1::ORDER_VIEW_BASIC) {
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    request.set_view(view);
    v1::GetOrderResponse response;
    EXPECT_TRUE(suite_.orders->Call(&OrderStub::GetOrder, request, &response).ok());
    return response.order();
  }

  // Free units with holds ignored: what firm reservations leave.
  int FirmlyFree(const std::string& code) {
    v1::CheckAvailabilityRequest request;
    v1::InventoryLine* line = request.add_lines();
    line->set_inventory_code(code);
    line->set_quantity(1);
    *request.mutable_window()->mutable_not_before() = At(0);
    *request.mutable_window()->mutable_no_later_than() = At(30);
    request.set_ignore_holds(true);
    v1::CheckAvailabilityResponse response;
    EXPECT_TRUE(suite_.inventory->Call(&InventoryStub::CheckAvailability, request, &response).ok());
    return response.availability(0).free();
  }

  std::vector<v1::HistoryEntryKind> History(const std::string& order_id) {
    v1::GetOrderHistoryRequest request;
    request.set_order_id(order_id);
    v1::GetOrderHistoryResponse response;
    EXPECT_TRUE(suite_.orders->Call(&OrderStub::GetOrderHistory, request, &response).ok());
    std::vector<v1::HistoryEntryKind> kinds;
    for (const v1::HistoryEntry& entry : response.entries()) kinds.push_back(entry.kind());
    return kinds;
  }

  // Bytes of every row that records the order's past: each table with an order_id but the
  // current row, the events received and the outbox (a delivery queue the relay empties).
  int64_t HistoryBytes(const std::string& order_id) {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::work tx(connection);
    int64_t bytes = 0;
    for (const pqxx::row& table :
         tx.exec("SELECT table_name FROM information_schema.columns "
                 "WHERE table_schema = 'public' AND column_name = 'order_id' "
                 "AND table_name NOT IN ('orders', 'processed_events', 'outbox')")) {
      bytes +=
          tx.exec_params1("SELECT COALESCE(sum(pg_column_size(t.*)), 0)::bigint FROM " +
                              tx.quote_name(table[0].as<std::string>()) + " t WHERE order_id = $1",
                          order_id)[0]
              .as<int64_t>();
    }
    return bytes;
  }

  int64_t day0_ = 0;
  Suite suite_;
};

}  // namespace salesops::testing
