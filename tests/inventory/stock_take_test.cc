// Issue 19's stock take over gRPC on a real inventory process and PostgreSQL: a warehouse counted
// by scanning, a discrepancy report of what was found, missing and in the wrong place, and the
// counts applied by ADMIN with a reason, shortages reported.
#include <gtest/gtest.h>

#include <iostream>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class StockTakeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(inventory_.started()) << inventory_.log(); }
  void TearDown() override {
    if (HasFailure()) std::cerr << inventory_.log();
  }

  void PutItem(const std::string& code, int owned, v1::TrackingMode tracking) {
    v1::UpsertItemResponse response;
    ASSERT_TRUE(
        inventory_.Call(&Stub::UpsertItem, ItemRequest(code, owned, tracking), &response).ok());
  }

  std::string Register(const std::string& barcode, const std::string& warehouse,
                       const std::string& location) {
    v1::RegisterAssetRequest request;
    request.mutable_asset()->set_inventory_code("MIC-SM58");
    request.mutable_asset()->set_barcode(barcode);
    request.mutable_asset()->set_warehouse_id(warehouse);
    request.mutable_asset()->set_location(location);
    v1::RegisterAssetResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::RegisterAsset, request, &response).ok());
    return response.asset().asset_id();
  }

  grpc::Status Count(const std::string& barcode, int quantity, const std::string& location,
                     v1::CountStockResponse* response) {
    v1::CountStockRequest request;
    request.set_stock_take_id(stock_take_id_);
    request.set_barcode(barcode);
    request.set_quantity(quantity);
    request.set_location(location);
    return inventory_.Call(&Stub::CountStock, request, response, inventory_.tokens().ops);
  }

  static std::vector<std::string> Units(
      const google::protobuf::RepeatedPtrField<v1::StockTakeUnit>& units) {
    std::vector<std::string> barcodes;
    for (const v1::StockTakeUnit& unit : units) barcodes.push_back(unit.barcode());
    return barcodes;
  }

  v1::Asset Asset(const std::string& asset_id) {
    v1::GetAssetRequest request;
    request.set_asset_id(asset_id);
    v1::GetAssetResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::GetAsset, request, &response).ok());
    return response.asset();
  }

  int Owned(const std::string& code) {
    v1::GetItemRequest request;
    request.set_inventory_code(code);
    v1::GetItemResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::GetItem, request, &response).ok());
    return response.item().quantity_owned();
  }

  std::string stock_take_id_;
  InventoryFixture inventory_;
};

TEST_F(StockTakeTest, AWarehouseIsCountedByScanningAndTheCountsAppliedByAdmin) {
  PutItem("CABLE-XLR", 100, v1::TRACKING_MODE_BULK);
  PutItem("MIC-SM58", 4, v1::TRACKING_MODE_SERIALIZED);
  v1::SetWarehouseStockRequest south;
  south.set_inventory_code("MIC-SM58");
  south.set_warehouse_id("SOUTH");
  south.set_quantity(1);
  v1::SetWarehouseStockResponse kept;
  ASSERT_TRUE(
      inventory_.Call(&Stub::SetWarehouseStock, south, &kept, inventory_.tokens().ops).ok());
  Register("MIC-1", "MAIN", "A-1");
  const std::string moved_bin = Register("MIC-2", "MAIN", "A-1");
  const std::string missing = Register("MIC-3", "MAIN", "A-1");
  const std::string elsewhere = Register("MIC-4", "SOUTH", "S-9");

  // Ten cables are out with an order: not expected on the shelves.
  v1::ReserveRequest reserve;
  reserve.set_order_id("ORDER-OUT");
  reserve.set_order_revision(1);
  *reserve.add_lines() = Line("CABLE-XLR", 10);
  *reserve.mutable_window() = Days(1, 3);
  v1::ReserveResponse reserved;
  ASSERT_TRUE(
      inventory_.Call(&Stub::Reserve, reserve, &reserved, inventory_.tokens().service).ok());
  v1::ScanOutRequest pull;
  pull.set_order_id("ORDER-OUT");
  pull.set_barcode("CABLE-XLR");
  pull.set_quantity(10);
  v1::ScanOutResponse pulled;
  ASSERT_TRUE(inventory_.Call(&Stub::ScanOut, pull, &pulled, inventory_.tokens().ops).ok());
  v1::CheckOutRequest out;
  out.set_order_id("ORDER-OUT");
  v1::CheckOutResponse dispatched;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckOut, out, &dispatched, inventory_.tokens().ops).ok());
  // A later order needs 99 of the 100 cables.
  reserve.set_order_id("ORDER-BIG");
  reserve.mutable_lines(0)->set_quantity(99);
  *reserve.mutable_window() = Days(10, 12);
  ASSERT_TRUE(
      inventory_.Call(&Stub::Reserve, reserve, &reserved, inventory_.tokens().service).ok());

  v1::StartStockTakeRequest start;
  start.set_warehouse_id("MAIN");
  v1::StartStockTakeResponse started;
  grpc::Status status =
      inventory_.Call(&Stub::StartStockTake, start, &started, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  stock_take_id_ = started.stock_take().stock_take_id();
  EXPECT_TRUE(stock_take_id_.starts_with("ST-")) << stock_take_id_;
  ASSERT_EQ(started.report().lines_size(), 2);
  EXPECT_EQ(started.report().lines(0).inventory_code(), "CABLE-XLR");
  EXPECT_EQ(started.report().lines(0).expected(), 90);
  EXPECT_EQ(started.report().lines(1).expected(), 3) << "the three units registered at MAIN";

  // Scanning: bulk by label with a count, units by their own labels where they are found.
  v1::CountStockResponse counted;
  ASSERT_TRUE(Count("CABLE-XLR", 50, "C-1", &counted).ok());
  ASSERT_TRUE(Count("CABLE-XLR", 38, "C-2", &counted).ok());
  EXPECT_EQ(counted.counted(), 88);
  ASSERT_TRUE(Count("MIC-1", 0, "A-1", &counted).ok());
  EXPECT_EQ(counted.message().find("counted"), counted.message().size() - 7) << counted.message();
  ASSERT_TRUE(Count("MIC-1", 0, "A-1", &counted).ok());
  EXPECT_NE(counted.message().find("counted already"), std::string::npos) << counted.message();
  ASSERT_TRUE(Count("MIC-2", 0, "B-7", &counted).ok());
  ASSERT_TRUE(Count("MIC-4", 0, "A-2", &counted).ok());
  EXPECT_NE(counted.message().find("wrong place"), std::string::npos) << counted.message();
  ASSERT_TRUE(Count("JUNK-1", 0, "", &counted).ok());
  status = Count("MIC-SM58", 1, "", &counted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "barcode");

  v1::GetStockTakeRequest get;
  get.set_stock_take_id(stock_take_id_);
  v1::GetStockTakeResponse report;
  ASSERT_TRUE(inventory_.Call(&Stub::GetStockTake, get, &report).ok());
  ASSERT_EQ(report.report().lines_size(), 2);
  EXPECT_EQ(report.report().lines(0).counted(), 88);
  EXPECT_EQ(report.report().lines(0).difference(), -2);
  EXPECT_EQ(report.report().lines(1).counted(), 3);
  EXPECT_EQ(Units(report.report().found()), (std::vector<std::string>{"MIC-1", "MIC-2"}));
  EXPECT_EQ(Units(report.report().missing()), std::vector<std::string>{"MIC-3"});
  EXPECT_EQ(Units(report.report().wrong_place()), std::vector<std::string>{"MIC-4"});
  EXPECT_EQ(report.report().wrong_place(0).registered_warehouse_id(), "SOUTH");
  EXPECT_EQ(std::vector<std::string>(report.report().unknown_barcodes().begin(),
                                     report.report().unknown_barcodes().end()),
            std::vector<std::string>{"JUNK-1"});
  EXPECT_EQ(Owned("CABLE-XLR"), 100) << "counting changes nothing until it is applied";

  // Only ADMIN applies, with a reason.
  v1::ApplyStockTakeRequest apply;
  apply.set_stock_take_id(stock_take_id_);
  apply.set_reason("year-end count");
  v1::ApplyStockTakeResponse applied;
  EXPECT_EQ(
      inventory_.Call(&Stub::ApplyStockTake, apply, &applied, inventory_.tokens().ops).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  status = inventory_.Call(&Stub::ApplyStockTake, apply, &applied, inventory_.tokens().admin);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(applied.stock_take().state(), v1::STOCK_TAKE_STATE_APPLIED);
  EXPECT_EQ(applied.stock_take().reason(), "year-end count");
  EXPECT_EQ(Owned("CABLE-XLR"), 98);
  ASSERT_EQ(applied.shortages_size(), 1) << "ORDER-BIG needs 99 of the 98 left";
  EXPECT_EQ(applied.shortages(0).order_id(), "ORDER-BIG");
  EXPECT_EQ(Owned("MIC-SM58"), 3) << "one lost; the one from SOUTH moved, not added";
  EXPECT_EQ(Asset(missing).state(), v1::ASSET_STATE_LOST);
  EXPECT_EQ(Asset(moved_bin).location(), "B-7");
  const v1::Asset found = Asset(elsewhere);
  EXPECT_EQ(found.warehouse_id(), "MAIN");
  EXPECT_EQ(found.location(), "A-2");
  v1::GetWarehouseStockRequest where;
  where.set_inventory_code("MIC-SM58");
  v1::GetWarehouseStockResponse stock;
  ASSERT_TRUE(inventory_.Call(&Stub::GetWarehouseStock, where, &stock).ok());
  ASSERT_EQ(stock.stock_size(), 1) << "SOUTH keeps none now";
  EXPECT_EQ(stock.stock(0).quantity(), 3);

  // Applied once; no more counting.
  status = inventory_.Call(&Stub::ApplyStockTake, apply, &applied, inventory_.tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");
  EXPECT_EQ(Count("CABLE-XLR", 1, "", &counted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace salesops::testing
