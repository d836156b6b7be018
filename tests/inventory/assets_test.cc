// Issue 19's asset register over gRPC on a real inventory process and PostgreSQL: one record
// per unit of a serialised code, found by its barcode, never more units than owned, unique
// barcodes and serials, a straight-line book value, and labels that scan back to the unit.
#include <gtest/gtest.h>

#include <algorithm>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class AssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    PutItem("MIXER-X32", 2, v1::TRACKING_MODE_SERIALIZED);
    PutItem("CABLE-XLR-10", 40, v1::TRACKING_MODE_BULK);
  }

  void PutItem(const std::string& code, int owned, v1::TrackingMode tracking) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Described " + code);
    request.mutable_item()->set_quantity_owned(owned);
    request.mutable_item()->set_tracking(tracking);
    request.mutable_item()->set_warehouse_id("WH-NORTH");
    v1::UpsertItemResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
  }

  grpc::Status Register(const v1::Asset& asset, v1::RegisterAssetResponse* response,
                        const std::string& token = "") {
    v1::RegisterAssetRequest request;
    *request.mutable_asset() = asset;
    return inventory_.Call(&Stub::RegisterAsset, request, response,
                           token.empty() ? inventory_.tokens().ops : token);
  }

  static v1::Asset Mixer(const std::string& serial, const std::string& barcode = "") {
    v1::Asset asset;
    asset.set_inventory_code("MIXER-X32");
    asset.set_serial_number(serial);
    asset.set_barcode(barcode);
    asset.set_location("A-12");
    return asset;
  }

  InventoryFixture inventory_;
};

TEST_F(AssetsTest, EachUnitIsRegisteredOnceAndFoundByTheBarcodeAScannerReads) {
  v1::Asset first = Mixer("S1234");
  // Bought 30 months ago for 2,400.00 EUR, written off over 60 months: 1,200.00 EUR left.
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const absl::CivilMonth bought = absl::CivilMonth(today) - 30;
  first.mutable_purchase_day()->set_year(static_cast<int>(bought.year()));
  first.mutable_purchase_day()->set_month(bought.month());
  first.mutable_purchase_day()->set_day(1);
  *first.mutable_purchase_price() = common::MoneyFromMicros(2'400'000'000, "EUR");
  first.set_useful_life_months(60);
  v1::RegisterAssetResponse registered;
  grpc::Status status = Register(first, &registered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Asset& asset = registered.asset();
  EXPECT_TRUE(asset.asset_id().starts_with("A-")) << asset.asset_id();
  EXPECT_EQ(asset.barcode(), asset.asset_id()) << "no barcode given: the asset id";
  EXPECT_EQ(asset.warehouse_id(), "WH-NORTH");
  EXPECT_EQ(asset.state(), v1::ASSET_STATE_AVAILABLE);
  EXPECT_EQ(common::MoneyToMicros(asset.book_value(), "t").value(), 1'200'000'000);

  v1::RegisterAssetResponse second;
  ASSERT_TRUE(Register(Mixer("S5678", "BC-MIX-2"), &second).ok());

  // Found by the barcode a scanner reads, with its history.
  v1::GetAssetRequest by_barcode;
  by_barcode.set_barcode("BC-MIX-2");
  v1::GetAssetResponse found;
  ASSERT_TRUE(inventory_.Call(&Stub::GetAsset, by_barcode, &found).ok());
  EXPECT_EQ(found.asset().serial_number(), "S5678");
  ASSERT_EQ(found.history_size(), 1);
  EXPECT_EQ(found.history(0).kind(), v1::ASSET_EVENT_KIND_REGISTERED);
  EXPECT_EQ(found.history(0).location(), "A-12");
  by_barcode.set_barcode("NO-SUCH-BARCODE");
  EXPECT_EQ(inventory_.Call(&Stub::GetAsset, by_barcode, &found).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ListAssetsRequest list;
  list.set_inventory_code("MIXER-X32");
  v1::ListAssetsResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListAssets, list, &listed).ok());
  ASSERT_EQ(listed.assets_size(), 2);
  EXPECT_EQ(listed.assets(0).asset_id(), asset.asset_id());

  // Each unit's label scans back to that unit's barcode.
  v1::GetLabelsRequest labels;
  labels.add_asset_ids(asset.asset_id());
  labels.add_asset_ids(second.asset().asset_id());
  labels.set_stock(v1::LABEL_STOCK_ROLL_62MM);
  v1::GetLabelsResponse printed;
  ASSERT_TRUE(inventory_.Call(&Stub::GetLabels, labels, &printed, inventory_.tokens().ops).ok());
  EXPECT_EQ(printed.label_count(), 2);
  const std::vector<std::string> decoded = PdfBarcodes(printed.pdf());
  EXPECT_GE(std::count(decoded.begin(), decoded.end(), asset.asset_id()), 1)
      << ::testing::PrintToString(decoded);
  EXPECT_GE(std::count(decoded.begin(), decoded.end(), "BC-MIX-2"), 1)
      << ::testing::PrintToString(decoded);
}

TEST_F(AssetsTest, NeverMoreUnitsThanOwnedNorTwiceTheSameBarcodeOrSerial) {
  v1::RegisterAssetResponse response;
  ASSERT_TRUE(Register(Mixer("S1", "BC-1"), &response).ok());
  grpc::Status status = Register(Mixer("S1"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << "the serial is taken";
  status = Register(Mixer("S2", "BC-1"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << "the barcode is taken";
  ASSERT_TRUE(Register(Mixer("S2"), &response).ok());
  status = Register(Mixer("S3"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "both owned are in";
  EXPECT_NE(status.error_message().find("raise quantity_owned"), std::string::npos);

  v1::Asset bulk;
  bulk.set_inventory_code("CABLE-XLR-10");
  EXPECT_EQ(Register(bulk, &response).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  bulk.set_inventory_code("NO-SUCH-CODE");
  EXPECT_EQ(Register(bulk, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::Asset hostile = Mixer("S9", "BAD BARCODE\n");
  status = Register(hostile, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "asset.barcode");
  EXPECT_EQ(Register(Mixer("S9"), &response, inventory_.tokens().sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListAssetsRequest list;
  list.set_inventory_code("MIXER-X32");
  v1::ListAssetsResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListAssets, list, &listed).ok());
  EXPECT_EQ(listed.assets_size(), 2) << "the refusals wrote nothing";
}

}  // namespace
}  // namespace salesops::testing
