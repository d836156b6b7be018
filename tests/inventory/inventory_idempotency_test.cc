// AIP-155 on every mutating inventory RPC: a retried request (same request_id, same body)
// gets the first call's answer back and has one effect; the same request_id with another body
// is REQUEST_ID_REUSED. Driven by the service's descriptor, so a new mutating RPC without a
// case here fails the test by name.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <string>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

// What one call answered: its status and, when OK, its response serialized.
struct Answer {
  grpc::Status status;
  std::string response;
};

class InventoryIdempotencyTest : public ::testing::Test {
 protected:
  // One mutating RPC's case.
  struct IdempotencyCase {
    // Puts in place what the call acts on (an order reserved and pulled, an item...).
    std::function<void()> arrange;
    // Sends the call with `request_id`; `changed` alters its body (the id stays).
    std::function<Answer(const std::string& request_id, bool changed)> send;
    // Reads the call's effect back (a count, a revision): it must change with the first call
    // and stay put on the retry.
    std::string effect_sql;
  };

  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    PutItem("IDEM-STOCK", 50);
  }

  template <typename Request, typename Response>
  Answer Send(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
              const Request& request) {
    Response response;
    grpc::Status status = inventory_.Call(method, request, &response);
    return {status, status.ok() ? response.SerializeAsString() : ""};
  }

  void PutItem(const std::string& code, int owned) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Sales-facing " + code);
    request.mutable_item()->set_category("video");
    request.mutable_item()->set_quantity_owned(owned);
    ASSERT_TRUE(Send(&Stub::UpsertItem, request).status.ok());
  }

  void PutProduct(const std::string& code) {
    ASSERT_TRUE(Send(&Stub::UpsertProduct, ProductRequest(code, 1)).status.ok());
  }

  static v1::UpsertProductRequest ProductRequest(const std::string& code, int units) {
    v1::UpsertProductRequest request;
    request.mutable_product()->set_product_code(code);
    request.mutable_product()->set_name("Product " + code);
    *request.mutable_product()->add_components() = Line("IDEM-STOCK", units);
    return request;
  }

  static v1::ReserveRequest ReserveRequest(const std::string& order, int quantity) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(1);
    *request.add_lines() = Line("IDEM-STOCK", quantity);
    *request.mutable_window() = Days(0, 1);
    return request;
  }

  static v1::RecordPrepRequest PrepRequest(const std::string& order, int pulled) {
    v1::RecordPrepRequest request;
    request.set_order_id(order);
    v1::PrepCount* count = request.add_counts();
    count->set_inventory_code("IDEM-STOCK");
    count->set_pulled_quantity(pulled);
    return request;
  }

  // The order reserved with 2 units, both pulled, and (`out`) checked out.
  void ArrangePulled(const std::string& order, bool out) {
    ASSERT_TRUE(Send(&Stub::Reserve, ReserveRequest(order, 2)).status.ok());
    ASSERT_TRUE(Send(&Stub::RecordPrep, PrepRequest(order, 2)).status.ok());
    if (!out) return;
    v1::CheckOutRequest check_out;
    check_out.set_order_id(order);
    ASSERT_TRUE(Send(&Stub::CheckOut, check_out).status.ok());
  }

  int QueryInt(const std::string& sql) {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int>();
  }

  // Registers one unit of a new serialised code, with `barcode`; keeps its asset id.
  void RegisterUnit(const std::string& code, const std::string& barcode) {
    v1::UpsertItemRequest item;
    item.mutable_item()->set_inventory_code(code);
    item.mutable_item()->set_description("A serialised unit");
    item.mutable_item()->set_quantity_owned(2);
    item.mutable_item()->set_tracking(v1::TRACKING_MODE_SERIALIZED);
    ASSERT_TRUE(Send(&Stub::UpsertItem, item).status.ok());
    v1::RegisterAssetRequest request;
    request.mutable_asset()->set_inventory_code(code);
    request.mutable_asset()->set_barcode(barcode);
    v1::RegisterAssetResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::RegisterAsset, request, &response).ok());
    asset_ids_[barcode] = response.asset().asset_id();
  }

  std::map<std::string, std::string> asset_ids_;  // by barcode
  std::string cancelled_transfer_id_;
  std::string count_take_id_;
  std::string apply_take_id_;

  // A stock take of IDEM-STOCK in its warehouse, open.
  std::string StartedStockTake() {
    v1::StartStockTakeRequest request;
    request.set_warehouse_id("IDEM-TAKE");
    request.add_inventory_codes("IDEM-STOCK");
    v1::StartStockTakeResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::StartStockTake, request, &response).ok());
    return response.stock_take().stock_take_id();
  }

  // IDEM-STOCK kept at `warehouse` besides its home.
  void KeepAt(const std::string& warehouse, int quantity) {
    v1::SetWarehouseStockRequest request;
    request.set_inventory_code("IDEM-STOCK");
    request.set_warehouse_id(warehouse);
    request.set_quantity(quantity);
    ASSERT_TRUE(Send(&Stub::SetWarehouseStock, request).status.ok());
  }

  // `quantity` of IDEM-STOCK from `warehouse` tomorrow, an hour on the road.
  v1::CreateTransferRequest TransferRequest(const std::string& warehouse, int quantity) {
    v1::CreateTransferRequest request;
    *request.mutable_transfer()->add_lines() = Line("IDEM-STOCK", quantity);
    request.mutable_transfer()->set_from_warehouse_id(warehouse);
    request.mutable_transfer()->set_to_warehouse_id("IDEM-TO");
    request.mutable_transfer()->mutable_depart_time()->set_seconds(expire_seconds_ + 86400);
    request.mutable_transfer()->mutable_transit()->set_seconds(3600);
    return request;
  }

  // Every mutating RPC's case, by RPC name. Each acts on its own codes and orders, so the
  // cases share one inventory process.
  std::map<std::string, IdempotencyCase> Cases() {
    std::map<std::string, IdempotencyCase> cases;
    cases["RegisterAsset"] = {
        [this] {
          v1::UpsertItemRequest item;
          item.mutable_item()->set_inventory_code("IDEM-ASSET");
          item.mutable_item()->set_description("A serialised unit");
          item.mutable_item()->set_quantity_owned(5);
          item.mutable_item()->set_tracking(v1::TRACKING_MODE_SERIALIZED);
          ASSERT_TRUE(Send(&Stub::UpsertItem, item).status.ok());
        },
        [this](const std::string& id, bool changed) {
          v1::RegisterAssetRequest request;
          request.set_request_id(id);
          request.mutable_asset()->set_inventory_code("IDEM-ASSET");
          request.mutable_asset()->set_serial_number(changed ? "SN-2" : "SN-1");
          return Send(&Stub::RegisterAsset, request);
        },
        "SELECT count(*)::int FROM assets WHERE inventory_code = 'IDEM-ASSET'"};
    cases["SetAssetState"] = {
        [this] { RegisterUnit("IDEM-STATE", "IDEM-STATE-1"); },
        [this](const std::string& id, bool changed) {
          v1::SetAssetStateRequest request;
          request.set_request_id(id);
          request.set_asset_id(asset_ids_["IDEM-STATE-1"]);
          request.set_state(v1::ASSET_STATE_IN_REPAIR);
          request.set_note(changed ? "lamp" : "fan");
          return Send(&Stub::SetAssetState, request);
        },
        "SELECT count(*)::int FROM asset_events e JOIN assets a USING (asset_id) "
        "WHERE a.inventory_code = 'IDEM-STATE'"};
    cases["SetMaintenancePlan"] = {
        [this] { RegisterUnit("IDEM-PLAN", "IDEM-PLAN-1"); },
        [this](const std::string& id, bool changed) {
          v1::SetMaintenancePlanRequest request;
          request.set_request_id(id);
          request.mutable_plan()->set_inventory_code("IDEM-PLAN");
          v1::InspectionRule* rule = request.mutable_plan()->add_rules();
          rule->set_inspection_type(changed ? "LOLER" : "PAT");
          rule->mutable_interval()->set_seconds(365 * 86400);
          return Send(&Stub::SetMaintenancePlan, request);
        },
        // (A second act would answer with another update_time.)
        "SELECT count(*)::int FROM asset_inspections "
        "WHERE asset_id IN (SELECT asset_id FROM assets WHERE inventory_code = 'IDEM-PLAN')"};
    cases["RecordInspection"] = {
        [this] {
          RegisterUnit("IDEM-INSPECT", "IDEM-INSPECT-1");
          v1::SetMaintenancePlanRequest plan;
          plan.mutable_plan()->set_inventory_code("IDEM-INSPECT");
          plan.mutable_plan()->add_rules()->set_inspection_type("VISUAL");
          ASSERT_TRUE(Send(&Stub::SetMaintenancePlan, plan).status.ok());
        },
        [this](const std::string& id, bool changed) {
          v1::RecordInspectionRequest request;
          request.set_request_id(id);
          request.set_barcode("IDEM-INSPECT-1");
          request.set_inspection_type("VISUAL");
          request.set_passed(true);
          request.set_note(changed ? "scratched" : "clean");
          return Send(&Stub::RecordInspection, request);
        },
        "SELECT count(*)::int FROM asset_events e JOIN assets a USING (asset_id) "
        "WHERE a.inventory_code = 'IDEM-INSPECT'"};
    cases["SetWarehouseStock"] = {[] {},
                                  [this](const std::string& id, bool changed) {
                                    v1::SetWarehouseStockRequest request;
                                    request.set_request_id(id);
                                    request.set_inventory_code("IDEM-STOCK");
                                    request.set_warehouse_id("IDEM-WH");
                                    request.set_quantity(changed ? 2 : 1);
                                    return Send(&Stub::SetWarehouseStock, request);
                                  },
                                  "SELECT coalesce(sum(quantity), 0)::int FROM warehouse_stock "
                                  "WHERE warehouse_id = 'IDEM-WH'"};
    cases["CreateTransfer"] = {
        [this] { KeepAt("IDEM-FROM", 5); },
        [this](const std::string& id, bool changed) {
          v1::CreateTransferRequest request = TransferRequest("IDEM-FROM", changed ? 2 : 1);
          request.set_request_id(id);
          return Send(&Stub::CreateTransfer, request);
        },
        "SELECT count(*)::int FROM transfer_lines WHERE from_warehouse_id = 'IDEM-FROM'"};
    cases["CancelTransfer"] = {
        [this] {
          KeepAt("IDEM-GONE", 5);
          v1::CreateTransferResponse created;
          ASSERT_TRUE(inventory_
                          .Call(&Stub::CreateTransfer, TransferRequest("IDEM-GONE", 1), &created,
                                inventory_.tokens().ops)
                          .ok());
          cancelled_transfer_id_ = created.transfer().transfer_id();
        },
        [this](const std::string& id, bool changed) {
          v1::CancelTransferRequest request;
          request.set_request_id(id);
          request.set_transfer_id(cancelled_transfer_id_);
          request.set_reason(changed ? "rain" : "no van");
          return Send(&Stub::CancelTransfer, request);
        },
        "SELECT count(*)::int FROM transfers WHERE cancelled"};
    cases["StartStockTake"] = {
        [] {},
        [this](const std::string& id, bool changed) {
          v1::StartStockTakeRequest request;
          request.set_request_id(id);
          request.set_warehouse_id(changed ? "IDEM-ELSEWHERE" : "IDEM-COUNTED");
          return Send(&Stub::StartStockTake, request);
        },
        "SELECT count(*)::int FROM stock_takes WHERE warehouse_id = 'IDEM-COUNTED'"};
    cases["CountStock"] = {[this] { count_take_id_ = StartedStockTake(); },
                           [this](const std::string& id, bool changed) {
                             v1::CountStockRequest request;
                             request.set_request_id(id);
                             request.set_stock_take_id(count_take_id_);
                             request.set_barcode("IDEM-STOCK");
                             request.set_quantity(changed ? 2 : 1);
                             return Send(&Stub::CountStock, request);
                           },
                           "SELECT coalesce(sum(counted), 0)::int FROM stock_take_codes "
                           "WHERE inventory_code = 'IDEM-STOCK'"};
    cases["ApplyStockTake"] = {[this] { apply_take_id_ = StartedStockTake(); },
                               [this](const std::string& id, bool changed) {
                                 v1::ApplyStockTakeRequest request;
                                 request.set_request_id(id);
                                 request.set_stock_take_id(apply_take_id_);
                                 request.set_reason(changed ? "recount" : "count");
                                 return Send(&Stub::ApplyStockTake, request);
                               },
                               "SELECT count(*)::int FROM stock_takes WHERE state = 2"};
    cases["ScanOut"] = {
        [this] {
          ASSERT_TRUE(Send(&Stub::Reserve, ReserveRequest("IDEM-SCAN-OUT", 4)).status.ok());
        },
        [this](const std::string& id, bool changed) {
          v1::ScanOutRequest request;
          request.set_request_id(id);
          request.set_order_id("IDEM-SCAN-OUT");
          request.set_barcode("IDEM-STOCK");
          request.set_quantity(changed ? 2 : 1);
          return Send(&Stub::ScanOut, request);
        },
        "SELECT coalesce(sum(pulled), 0)::int FROM prep_counts WHERE order_id = 'IDEM-SCAN-OUT'"};
    cases["ScanIn"] = {
        [this] {
          ASSERT_TRUE(Send(&Stub::Reserve, ReserveRequest("IDEM-SCAN-IN", 4)).status.ok());
          v1::ScanOutRequest pull;
          pull.set_order_id("IDEM-SCAN-IN");
          pull.set_barcode("IDEM-STOCK");
          pull.set_quantity(4);
          ASSERT_TRUE(Send(&Stub::ScanOut, pull).status.ok());
          v1::CheckOutRequest out;
          out.set_order_id("IDEM-SCAN-IN");
          ASSERT_TRUE(Send(&Stub::CheckOut, out).status.ok());
        },
        [this](const std::string& id, bool changed) {
          v1::ScanInRequest request;
          request.set_request_id(id);
          request.set_order_id("IDEM-SCAN-IN");
          request.set_barcode("IDEM-STOCK");
          request.set_quantity(changed ? 2 : 1);
          return Send(&Stub::ScanIn, request);
        },
        "SELECT coalesce(sum(returned), 0)::int FROM scanned_returns "
        "WHERE order_id = 'IDEM-SCAN-IN'"};
    cases["UpsertItem"] = {
        [] {},
        [this](const std::string& id, bool changed) {
          v1::UpsertItemRequest request;
          request.set_request_id(id);
          request.mutable_item()->set_inventory_code("IDEM-NEW-ITEM");
          request.mutable_item()->set_description("Sales-facing new item");
          request.mutable_item()->set_category("video");
          request.mutable_item()->set_quantity_owned(changed ? 4 : 3);
          return Send(&Stub::UpsertItem, request);
        },
        // A second upsert would bump the revision to 2.
        "SELECT coalesce(max(revision), 0) FROM items WHERE inventory_code = 'IDEM-NEW-ITEM'"};
    cases["DeleteItem"] = {
        [this] { PutItem("IDEM-GONE-ITEM", 1); },
        [this](const std::string& id, bool changed) {
          v1::DeleteItemRequest request;
          request.set_request_id(id);
          request.set_inventory_code(changed ? "IDEM-OTHER-ITEM" : "IDEM-GONE-ITEM");
          return Send(&Stub::DeleteItem, request);
        },
        // (A second delete would be NOT_FOUND rather than the first answer.)
        "SELECT count(*) FROM items WHERE inventory_code = 'IDEM-GONE-ITEM'"};
    cases["UpsertProduct"] = {
        [] {},
        [this](const std::string& id, bool changed) {
          v1::UpsertProductRequest request = ProductRequest("IDEM-NEW-PRODUCT", changed ? 2 : 1);
          request.set_request_id(id);
          return Send(&Stub::UpsertProduct, request);
        },
        "SELECT coalesce(max(revision), 0) FROM products WHERE product_code = 'IDEM-NEW-PRODUCT'"};
    cases["DeleteProduct"] = {
        [this] { PutProduct("IDEM-GONE-PRODUCT"); },
        [this](const std::string& id, bool changed) {
          v1::DeleteProductRequest request;
          request.set_request_id(id);
          request.set_product_code(changed ? "IDEM-OTHER-PRODUCT" : "IDEM-GONE-PRODUCT");
          return Send(&Stub::DeleteProduct, request);
        },
        "SELECT count(*) FROM products WHERE product_code = 'IDEM-GONE-PRODUCT'"};
    cases["PlaceHold"] = {[] {},
                          [this](const std::string& id, bool changed) {
                            v1::PlaceHoldRequest request;
                            request.set_request_id(id);
                            request.set_order_id("IDEM-HOLD");
                            request.set_order_revision(1);
                            *request.add_lines() = Line("IDEM-STOCK", 1);
                            *request.mutable_window() = Days(0, 1);
                            // Fixed, so that the retry's body is the same bytes.
                            request.mutable_expire_time()->set_seconds(expire_seconds_);
                            request.set_win_probability(changed ? 0.75 : 0.5);
                            return Send(&Stub::PlaceHold, request);
                          },
                          "SELECT count(*) FROM reservations WHERE order_id = 'IDEM-HOLD'"};
    cases["Reserve"] = {[] {},
                        [this](const std::string& id, bool changed) {
                          v1::ReserveRequest request =
                              ReserveRequest("IDEM-RESERVE", changed ? 2 : 1);
                          request.set_request_id(id);
                          return Send(&Stub::Reserve, request);
                        },
                        "SELECT count(*) FROM reservations WHERE order_id = 'IDEM-RESERVE'"};
    cases["Release"] = {
        [this] {
          ASSERT_TRUE(Send(&Stub::Reserve, ReserveRequest("IDEM-RELEASE", 1)).status.ok());
        },
        [this](const std::string& id, bool changed) {
          v1::ReleaseRequest request;
          request.set_request_id(id);
          request.set_order_id("IDEM-RELEASE");
          request.set_reason(changed ? "lost" : "cancelled");
          // (A second release would answer an empty list rather than the first answer.)
          return Send(&Stub::Release, request);
        },
        "SELECT count(*) FROM reservations WHERE order_id = 'IDEM-RELEASE' AND state = 2"};
    cases["AddSubRental"] = {[] {},
                             [this](const std::string& id, bool changed) {
                               v1::AddSubRentalRequest request;
                               request.set_request_id(id);
                               v1::SubRental* rental = request.mutable_sub_rental();
                               rental->set_inventory_code("IDEM-STOCK");
                               rental->set_quantity(changed ? 3 : 2);
                               *rental->mutable_window() = Days(0, 3);
                               rental->set_supplier_name("Idem Hire");
                               return Send(&Stub::AddSubRental, request);
                             },
                             "SELECT count(*) FROM sub_rentals WHERE supplier_name = 'Idem Hire'"};
    cases["RecordPrep"] = {
        [this] { ASSERT_TRUE(Send(&Stub::Reserve, ReserveRequest("IDEM-PREP", 2)).status.ok()); },
        [this](const std::string& id, bool changed) {
          v1::RecordPrepRequest request = PrepRequest("IDEM-PREP", changed ? 2 : 1);
          request.set_request_id(id);
          return Send(&Stub::RecordPrep, request);
        },
        "SELECT coalesce(sum(pulled), 0) FROM prep_counts WHERE order_id = 'IDEM-PREP'"};
    cases["CheckOut"] = {
        [this] { ArrangePulled("IDEM-OUT", false); },
        [this](const std::string& id, bool changed) {
          v1::CheckOutRequest request;
          request.set_request_id(id);
          request.set_order_id("IDEM-OUT");
          *request.add_lines() = Line("IDEM-STOCK", changed ? 2 : 1);
          request.set_vehicle_id("VAN-1");
          return Send(&Stub::CheckOut, request);
        },
        "SELECT coalesce(sum(l.quantity), 0) FROM movements m JOIN movement_lines l "
        "USING (movement_id) WHERE m.order_id = 'IDEM-OUT' AND m.kind = 1"};
    cases["CheckIn"] = {
        [this] { ArrangePulled("IDEM-IN", true); },
        [this](const std::string& id, bool changed) {
          v1::CheckInRequest request;
          request.set_request_id(id);
          request.set_order_id("IDEM-IN");
          v1::CheckInLine* line = request.add_lines();
          line->set_inventory_code("IDEM-STOCK");
          line->set_returned_quantity(changed ? 2 : 1);
          return Send(&Stub::CheckIn, request);
        },
        "SELECT coalesce(sum(l.quantity), 0) FROM movements m JOIN movement_lines l "
        "USING (movement_id) WHERE m.order_id = 'IDEM-IN' AND m.kind = 2"};
    cases["SetOutOfService"] = {[] {},
                                [this](const std::string& id, bool changed) {
                                  v1::SetOutOfServiceRequest request;
                                  request.set_request_id(id);
                                  request.set_inventory_code("IDEM-STOCK");
                                  request.set_quantity(changed ? 2 : 1);
                                  *request.mutable_window() = Days(10, 11);
                                  request.set_reason("idem repair");
                                  return Send(&Stub::SetOutOfService, request);
                                },
                                "SELECT count(*) FROM out_of_service WHERE reason = 'idem repair'"};
    return cases;
  }

  // An hour from the test's start: a hold must expire in the future.
  int64_t expire_seconds_ = google::protobuf::util::TimeUtil::GetCurrentTime().seconds() + 3600;
  InventoryFixture inventory_;
};

TEST_F(InventoryIdempotencyTest, EveryMutatingRpcAnswersARetryOnceAndRefusesAReusedId) {
  std::map<std::string, IdempotencyCase> cases = Cases();
  // Through a message of the same file, which keeps the file's generated descriptors linked in.
  const google::protobuf::ServiceDescriptor* service =
      v1::ReserveRequest::descriptor()->file()->FindServiceByName("InventoryService");
  ASSERT_NE(service, nullptr);
  int checked = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    auto found = cases.find(method->name());
    const bool mutating = method->input_type()->FindFieldByName("request_id") != nullptr;
    if (!mutating) {
      EXPECT_EQ(found, cases.end()) << method->name() << " has no request_id; drop its case";
      continue;
    }
    if (found == cases.end()) {
      ADD_FAILURE() << method->name() << " takes a request_id but has no idempotency case here";
      continue;
    }
    SCOPED_TRACE(method->name());
    const IdempotencyCase& test_case = found->second;
    test_case.arrange();
    const std::string request_id = "idem-" + method->name();
    const int before = QueryInt(test_case.effect_sql);

    Answer first = test_case.send(request_id, false);
    ASSERT_TRUE(first.status.ok()) << first.status.error_message();
    const int after_first = QueryInt(test_case.effect_sql);
    EXPECT_NE(after_first, before) << "the first call had no effect to check";

    Answer retry = test_case.send(request_id, false);
    ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
    EXPECT_EQ(retry.response, first.response) << "the retry was not answered as the first call";
    EXPECT_EQ(QueryInt(test_case.effect_sql), after_first) << "the retry acted again";

    Answer reused = test_case.send(request_id, true);
    EXPECT_EQ(reused.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    common::ErrorDetails details = common::ParseGrpcError(reused.status);
    EXPECT_EQ(details.reason, "REQUEST_ID_REUSED");
    ASSERT_FALSE(details.violations.empty());
    EXPECT_EQ(details.violations[0].field, "request_id");
    EXPECT_EQ(QueryInt(test_case.effect_sql), after_first) << "the reused id acted";
    cases.erase(found);
    ++checked;
  }
  for (const auto& [name, unused] : cases) ADD_FAILURE() << name << " is not an inventory RPC";
  EXPECT_GE(checked, 12);
}

TEST_F(InventoryIdempotencyTest, WithoutARequestIdEveryCallActs) {
  v1::AddSubRentalRequest request;
  v1::SubRental* rental = request.mutable_sub_rental();
  rental->set_inventory_code("IDEM-STOCK");
  rental->set_quantity(1);
  *rental->mutable_window() = Days(0, 3);
  rental->set_supplier_name("No Id Hire");
  ASSERT_TRUE(Send(&Stub::AddSubRental, request).status.ok());
  ASSERT_TRUE(Send(&Stub::AddSubRental, request).status.ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM sub_rentals WHERE supplier_name = 'No Id Hire'"), 2);
}

TEST_F(InventoryIdempotencyTest, ARefusedCallMayBeRetriedWithItsId) {
  v1::ReserveRequest request = ReserveRequest("IDEM-SHORT", 60);  // 50 owned
  request.set_request_id("idem-short");
  EXPECT_EQ(Send(&Stub::Reserve, request).status.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  PutItem("IDEM-STOCK", 60);
  Answer retried = Send(&Stub::Reserve, request);
  EXPECT_TRUE(retried.status.ok()) << retried.status.error_message();
}

}  // namespace
}  // namespace salesops::testing
