// Issue 19's stock across warehouses over gRPC on a real inventory process and PostgreSQL: what
// each warehouse keeps, a transfer changing availability at both ends and while on the road,
// refusals that keep the origin and confirmed orders whole, a shortage at home answered with a
// transfer to make, and units that travel and are scanned at the destination.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <iostream>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using google::protobuf::util::TimeUtil;
using Stub = v1::InventoryService::Stub;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;

class WarehousesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(inventory_.started()) << inventory_.log(); }
  void TearDown() override {
    if (HasFailure()) std::cerr << inventory_.log();
  }

  // Now plus `seconds`, whole seconds.
  google::protobuf::Timestamp At(int64_t seconds) {
    return TimeUtil::SecondsToTimestamp(now_ + seconds);
  }
  v1::Window Between(int64_t from, int64_t to) {
    v1::Window window;
    *window.mutable_not_before() = At(from);
    *window.mutable_no_later_than() = At(to);
    return window;
  }

  void PutItem(const std::string& code, int owned, v1::TrackingMode tracking) {
    v1::UpsertItemResponse response;
    ASSERT_TRUE(
        inventory_.Call(&Stub::UpsertItem, ItemRequest(code, owned, tracking), &response).ok());
  }

  void Keep(const std::string& code, const std::string& warehouse, int quantity) {
    v1::SetWarehouseStockRequest request;
    request.set_inventory_code(code);
    request.set_warehouse_id(warehouse);
    request.set_quantity(quantity);
    v1::SetWarehouseStockResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::SetWarehouseStock, request, &response, inventory_.tokens().ops);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Transfer(const std::string& code, int quantity, const std::string& from,
                        const std::string& to, int64_t depart, int64_t transit,
                        v1::CreateTransferResponse* response,
                        std::vector<std::string> asset_ids = {}) {
    v1::CreateTransferRequest request;
    *request.mutable_transfer()->add_lines() = Line(code, quantity);
    request.mutable_transfer()->set_from_warehouse_id(from);
    request.mutable_transfer()->set_to_warehouse_id(to);
    *request.mutable_transfer()->mutable_depart_time() = At(depart);
    request.mutable_transfer()->mutable_transit()->set_seconds(transit);
    for (const std::string& id : asset_ids) request.mutable_transfer()->add_asset_ids(id);
    return inventory_.Call(&Stub::CreateTransfer, request, response, inventory_.tokens().ops);
  }

  v1::CheckAvailabilityResponse Check(const std::string& code, int quantity,
                                      const v1::Window& window) {
    v1::CheckAvailabilityRequest request;
    *request.add_lines() = Line(code, quantity);
    *request.mutable_window() = window;
    v1::CheckAvailabilityResponse response;
    grpc::Status status = inventory_.Call(&Stub::CheckAvailability, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // "MAIN 6/6 SOUTH 4/4": stock/free per warehouse, the home first.
  static std::string PerWarehouse(const v1::CheckAvailabilityResponse& response) {
    std::string text;
    for (const v1::WarehouseAvailability& warehouse : response.availability(0).warehouses()) {
      text += (text.empty() ? "" : " ") + warehouse.warehouse_id() + " " +
              std::to_string(warehouse.stock()) + "/" + std::to_string(warehouse.free());
    }
    return text;
  }

  grpc::Status Reserve(const std::string& order, const std::string& code, int quantity,
                       const v1::Window& window) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(1);
    *request.add_lines() = Line(code, quantity);
    *request.mutable_window() = window;
    v1::ReserveResponse response;
    return inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  }

  int64_t now_ = TimeUtil::GetCurrentTime().seconds();
  InventoryFixture inventory_;
};

TEST_F(WarehousesTest, ATransferChangesAvailabilityAtBothEndsAndOnTheRoadItIsNowhere) {
  PutItem("SPK-12", 10, v1::TRACKING_MODE_BULK);
  Keep("SPK-12", "SOUTH", 4);
  v1::CreateTransferResponse created;
  grpc::Status status = Transfer("SPK-12", 3, "SOUTH", "MAIN", 2 * kDay, kDay, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Transfer& transfer = created.transfer();
  EXPECT_TRUE(transfer.transfer_id().starts_with("T-")) << transfer.transfer_id();
  EXPECT_EQ(transfer.state(), v1::TRANSFER_STATE_PLANNED);
  EXPECT_EQ(transfer.arrive_time().seconds(), now_ + 3 * kDay);

  // Before it leaves, on the road, and after it arrived.
  v1::CheckAvailabilityResponse before = Check("SPK-12", 1, Between(kDay, kDay + 12 * kHour));
  EXPECT_EQ(PerWarehouse(before), "MAIN 6/6 SOUTH 4/4");
  EXPECT_EQ(before.availability(0).free(), 10);
  EXPECT_EQ(before.availability(0).in_transit(), 0);
  v1::CheckAvailabilityResponse road =
      Check("SPK-12", 1, Between(2 * kDay + kHour, 2 * kDay + 9 * kHour));
  EXPECT_EQ(PerWarehouse(road), "MAIN 6/6 SOUTH 1/1");
  EXPECT_EQ(road.availability(0).free(), 7) << "on the road, available at neither end";
  EXPECT_EQ(road.availability(0).in_transit(), 3);
  v1::CheckAvailabilityResponse after = Check("SPK-12", 1, Between(4 * kDay, 5 * kDay));
  EXPECT_EQ(PerWarehouse(after), "MAIN 9/9 SOUTH 1/1");
  EXPECT_EQ(after.availability(0).free(), 10);

  // Sales sells against the whole company: the road time counts.
  EXPECT_EQ(Reserve("ORDER-ROAD", "SPK-12", 8, Between(2 * kDay + kHour, 2 * kDay + 9 * kHour))
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(
      Reserve("ORDER-ROAD", "SPK-12", 7, Between(2 * kDay + kHour, 2 * kDay + 9 * kHour)).ok());
  EXPECT_EQ(PerWarehouse(Check("SPK-12", 1, Between(2 * kDay + kHour, 2 * kDay + 9 * kHour))),
            "MAIN 6/0 SOUTH 1/1")
      << "the order is pulled at home";

  // Refused: more than the origin has left, and a road time that would short the order.
  v1::CreateTransferResponse refused;
  status = Transfer("SPK-12", 2, "SOUTH", "MAIN", 2 * kDay, kDay, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INSUFFICIENT_STOCK");
  status = Transfer("SPK-12", 1, "SOUTH", "MAIN", 2 * kDay, kDay, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "one more on the road leaves ORDER-ROAD short";
  EXPECT_NE(status.error_message().find("on the road"), std::string::npos)
      << status.error_message();

  // Listed, and cancelled before it leaves: the road is free again.
  v1::ListTransfersRequest list;
  list.set_inventory_code("SPK-12");
  list.set_open_only(true);
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListTransfers, list, &listed).ok());
  ASSERT_EQ(listed.transfers_size(), 1);
  v1::CancelTransferRequest cancel;
  cancel.set_transfer_id(transfer.transfer_id());
  cancel.set_reason("the client cancelled");
  v1::CancelTransferResponse cancelled;
  ASSERT_TRUE(
      inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops).ok());
  EXPECT_EQ(cancelled.transfer().state(), v1::TRANSFER_STATE_CANCELLED);
  EXPECT_EQ(Check("SPK-12", 1, Between(4 * kDay, 5 * kDay)).availability(0).free(), 10);
  EXPECT_EQ(PerWarehouse(Check("SPK-12", 1, Between(4 * kDay, 5 * kDay))), "MAIN 6/6 SOUTH 4/4");
  ASSERT_TRUE(
      inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops).ok())
      << "cancelling a cancelled transfer answers it as it is";

  // One that left half an hour ago is on the road now, and can no longer be cancelled.
  ASSERT_TRUE(Transfer("SPK-12", 2, "SOUTH", "MAIN", -1800, kDay, &created).ok());
  v1::GetWarehouseStockRequest where;
  where.set_inventory_code("SPK-12");
  v1::GetWarehouseStockResponse stock;
  ASSERT_TRUE(inventory_.Call(&Stub::GetWarehouseStock, where, &stock).ok());
  ASSERT_EQ(stock.stock_size(), 2);
  EXPECT_EQ(stock.stock(0).warehouse_id(), "MAIN");
  EXPECT_TRUE(stock.stock(0).home());
  EXPECT_EQ(stock.stock(0).quantity(), 6);
  EXPECT_EQ(stock.stock(1).quantity(), 2);
  ASSERT_EQ(stock.in_transit_size(), 1);
  EXPECT_EQ(stock.in_transit(0).state(), v1::TRANSFER_STATE_IN_TRANSIT);
  cancel.set_transfer_id(created.transfer().transfer_id());
  status = inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");
}

TEST_F(WarehousesTest, ATransferLaterMovesCountOnCannotBeCancelled) {
  PutItem("SPK-12", 10, v1::TRACKING_MODE_BULK);
  // SOUTH keeps nothing: what it sends on day 5 is what MAIN sends it on day 2.
  v1::CreateTransferResponse inbound;
  ASSERT_TRUE(Transfer("SPK-12", 3, "MAIN", "SOUTH", 2 * kDay, 6 * kHour, &inbound).ok());
  const std::string inbound_id = inbound.transfer().transfer_id();
  v1::CreateTransferResponse refused;
  EXPECT_EQ(Transfer("SPK-12", 4, "SOUTH", "MAIN", 5 * kDay, 6 * kHour, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "SOUTH will only have 3";
  v1::CreateTransferResponse onward;
  ASSERT_TRUE(Transfer("SPK-12", 3, "SOUTH", "MAIN", 5 * kDay, 6 * kHour, &onward).ok());
  v1::CancelTransferRequest cancel;
  cancel.set_transfer_id(inbound_id);
  cancel.set_reason("van broke down");
  v1::CancelTransferResponse cancelled;
  grpc::Status status =
      inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INSUFFICIENT_STOCK");
  EXPECT_NE(status.error_message().find("cancel those first"), std::string::npos)
      << status.error_message();
  // Cancelled in order, both go.
  cancel.set_transfer_id(onward.transfer().transfer_id());
  ASSERT_TRUE(
      inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops).ok());
  cancel.set_transfer_id(inbound_id);
  ASSERT_TRUE(
      inventory_.Call(&Stub::CancelTransfer, cancel, &cancelled, inventory_.tokens().ops).ok());
  EXPECT_EQ(cancelled.transfer().state(), v1::TRANSFER_STATE_CANCELLED);
}

TEST_F(WarehousesTest, BadTransfersAndStockSplitsAreRefusedByField) {
  PutItem("SPK-12", 10, v1::TRACKING_MODE_BULK);
  v1::SetWarehouseStockRequest split;
  split.set_inventory_code("SPK-12");
  split.set_warehouse_id("SOUTH");
  split.set_quantity(11);
  v1::SetWarehouseStockResponse kept;
  grpc::Status status =
      inventory_.Call(&Stub::SetWarehouseStock, split, &kept, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "quantity");
  split.set_warehouse_id("MAIN");
  split.set_quantity(1);
  status = inventory_.Call(&Stub::SetWarehouseStock, split, &kept, inventory_.tokens().ops);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "warehouse_id");

  v1::CreateTransferResponse created;
  status = Transfer("SPK-12", 1, "MAIN", "MAIN", kDay, kDay, &created);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "transfer.to_warehouse_id");
  status = Transfer("SPK-12", 1, "MAIN", "SOUTH", kDay, 15 * kDay, &created);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "transfer.transit");
  status = Transfer("SPK-12", 1, "MAIN", "SOUTH", -2 * kDay, kDay, &created);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "transfer.depart_time");
  status = Transfer("NO-SUCH-CODE", 1, "MAIN", "SOUTH", kDay, kDay, &created);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "UNKNOWN_INVENTORY_CODE");
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field,
            "transfer.lines[0].inventory_code");
  v1::ListTransfersRequest list;
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListTransfers, list, &listed).ok());
  EXPECT_EQ(listed.transfers_size(), 0) << "a refused transfer leaves nothing behind";
}

TEST_F(WarehousesTest, AShortageAtHomeSuggestsATransferThatArrivesInTime) {
  PutItem("LIGHT-SPOT", 6, v1::TRACKING_MODE_BULK);
  Keep("LIGHT-SPOT", "SOUTH", 4);
  ASSERT_TRUE(Reserve("ORDER-A", "LIGHT-SPOT", 2, Between(5 * kDay, 6 * kDay)).ok());
  v1::CheckAvailabilityResponse answer = Check("LIGHT-SPOT", 3, Between(5 * kDay, 6 * kDay));
  EXPECT_TRUE(answer.all_available()) << "the company has them";
  EXPECT_EQ(PerWarehouse(answer), "MAIN 2/0 SOUTH 4/4");
  ASSERT_EQ(answer.suggested_transfers_size(), 1);
  const v1::TransferSuggestion& suggestion = answer.suggested_transfers(0);
  EXPECT_EQ(suggestion.from_warehouse_id(), "SOUTH");
  EXPECT_EQ(suggestion.to_warehouse_id(), "MAIN");
  EXPECT_EQ(suggestion.quantity(), 3);
  EXPECT_EQ(suggestion.depart_by_time().seconds(), now_ + 4 * kDay);

  // Too late for a day on the road: nothing to suggest.
  ASSERT_TRUE(Reserve("ORDER-B", "LIGHT-SPOT", 2, Between(12 * kHour, 20 * kHour)).ok());
  EXPECT_EQ(Check("LIGHT-SPOT", 3, Between(12 * kHour, 20 * kHour)).suggested_transfers_size(), 0);
}

TEST_F(WarehousesTest, UnitsTravelWithATransferAndAreScannedAtTheDestination) {
  PutItem("MIXER-X32", 3, v1::TRACKING_MODE_SERIALIZED);
  Keep("MIXER-X32", "SOUTH", 2);
  auto register_unit = [&](const std::string& barcode) {
    v1::RegisterAssetRequest request;
    request.mutable_asset()->set_inventory_code("MIXER-X32");
    request.mutable_asset()->set_barcode(barcode);
    request.mutable_asset()->set_warehouse_id("SOUTH");
    v1::RegisterAssetResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::RegisterAsset, request, &response).ok());
    return response.asset().asset_id();
  };
  const std::string arrived = register_unit("MIX-ARRIVED");
  const std::string travelling = register_unit("MIX-ROAD");
  v1::CreateTransferResponse created;
  grpc::Status status = Transfer("MIXER-X32", 1, "SOUTH", "MAIN", -1800, 600, &created, {arrived});
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(Transfer("MIXER-X32", 1, "SOUTH", "MAIN", -1800, kDay, &created, {travelling}).ok());
  v1::GetAssetRequest get;
  get.set_asset_id(arrived);
  v1::GetAssetResponse unit;
  ASSERT_TRUE(inventory_.Call(&Stub::GetAsset, get, &unit).ok());
  EXPECT_EQ(unit.asset().warehouse_id(), "MAIN");

  ASSERT_TRUE(Reserve("ORDER-M", "MIXER-X32", 2, Between(2 * kDay, 3 * kDay)).ok());
  v1::ScanOutRequest scan;
  scan.set_order_id("ORDER-M");
  scan.set_barcode("MIX-ARRIVED");
  v1::ScanOutResponse scanned;
  ASSERT_TRUE(inventory_.Call(&Stub::ScanOut, scan, &scanned, inventory_.tokens().ops).ok());
  EXPECT_EQ(scanned.result().refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << scanned.result().message();
  scan.set_barcode("MIX-ROAD");
  ASSERT_TRUE(inventory_.Call(&Stub::ScanOut, scan, &scanned, inventory_.tokens().ops).ok());
  EXPECT_EQ(scanned.result().refusal(), v1::SCAN_REFUSAL_NOT_IN_SERVICE);
  EXPECT_NE(scanned.result().message().find("on the road"), std::string::npos)
      << scanned.result().message();

  // The pull sheet per warehouse: the order is pulled at the code's home.
  v1::GetPullSheetRequest sheet_request;
  sheet_request.set_order_id("ORDER-M");
  sheet_request.set_warehouse_id("SOUTH");
  v1::GetPullSheetResponse sheet;
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, sheet_request, &sheet).ok());
  EXPECT_EQ(sheet.pull_sheet().groups_size(), 0);
  sheet_request.set_warehouse_id("MAIN");
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, sheet_request, &sheet).ok());
  ASSERT_EQ(sheet.pull_sheet().groups_size(), 1);
  EXPECT_EQ(sheet.pull_sheet().groups(0).lines(0).quantity_pulled(), 1);
}

}  // namespace
}  // namespace salesops::testing
