// The rules of a scan (services/inventory/scanning.h) without a database: what each barcode does
// to a pull sheet, and why a scan is refused.
#include <gtest/gtest.h>

#include "services/inventory/scanning.h"

namespace salesops::inventory {
namespace {

OrderSheet ScanSheet() {
  OrderSheet sheet;
  sheet.order_id = "ORDER-1";
  SheetLine cable;
  cable.inventory_code = "CABLE";
  cable.tracking = v1::TRACKING_MODE_BULK;
  cable.warehouse_id = "MAIN";
  cable.to_pull = 10;
  cable.pulled = 4;
  SheetLine mixer;
  mixer.inventory_code = "MIXER";
  mixer.tracking = v1::TRACKING_MODE_SERIALIZED;
  mixer.warehouse_id = "MAIN";
  mixer.to_pull = 2;
  sheet.lines = {cable, mixer};
  return sheet;
}

ScannedSubject Unit(v1::AssetState state, const std::string& order = "",
                    const std::string& warehouse = "MAIN") {
  ScannedSubject subject;
  subject.inventory_code = "MIXER";
  subject.tracking = v1::TRACKING_MODE_SERIALIZED;
  v1::Asset asset;
  asset.set_asset_id("A-000001");
  asset.set_inventory_code("MIXER");
  asset.set_state(state);
  asset.set_order_id(order);
  asset.set_warehouse_id(warehouse);
  subject.asset = asset;
  return subject;
}

ScannedSubject Code(const std::string& code) {
  ScannedSubject subject;
  subject.inventory_code = code;
  subject.tracking = v1::TRACKING_MODE_BULK;
  return subject;
}

TEST(ScanOutRulesTest, AnAvailableUnitIsPulledOnce) {
  ScanVerdict verdict = JudgeScanOut(ScanSheet(), Unit(v1::ASSET_STATE_AVAILABLE), 7);
  EXPECT_TRUE(verdict.accepted()) << verdict.message;
  EXPECT_EQ(verdict.quantity, 1) << "a unit is one, whatever the quantity";
  EXPECT_EQ(verdict.message, "A-000001 (MIXER) pulled: 1 of 2");
}

TEST(ScanOutRulesTest, EachRefusalHasItsReason) {
  const OrderSheet sheet = ScanSheet();
  ScannedSubject nothing;
  EXPECT_EQ(JudgeScanOut(sheet, nothing, 0).refusal, v1::SCAN_REFUSAL_UNKNOWN_BARCODE);
  EXPECT_EQ(JudgeScanOut(sheet, Code("SPEAKER"), 0).refusal, v1::SCAN_REFUSAL_NOT_ON_SHEET);
  EXPECT_EQ(JudgeScanOut(sheet, Code("CABLE"), 7).refusal, v1::SCAN_REFUSAL_NOTHING_NEEDED);
  EXPECT_EQ(JudgeScanOut(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-1"), 0).refusal,
            v1::SCAN_REFUSAL_ALREADY_OUT);
  const ScanVerdict other = JudgeScanOut(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-9"), 0);
  EXPECT_EQ(other.refusal, v1::SCAN_REFUSAL_ALREADY_OUT);
  EXPECT_EQ(other.message, "A-000001 (MIXER) is out with order ORDER-9");
  EXPECT_EQ(JudgeScanOut(sheet, Unit(v1::ASSET_STATE_IN_REPAIR), 0).refusal,
            v1::SCAN_REFUSAL_NOT_IN_SERVICE);
  EXPECT_EQ(JudgeScanOut(sheet, Unit(v1::ASSET_STATE_AVAILABLE, "", "SOUTH"), 0).refusal,
            v1::SCAN_REFUSAL_OTHER_WAREHOUSE);
  ScannedSubject overdue = Unit(v1::ASSET_STATE_AVAILABLE);
  overdue.overdue_inspections = {"LOLER", "PAT"};
  const ScanVerdict blocked = JudgeScanOut(sheet, overdue, 0);
  EXPECT_EQ(blocked.refusal, v1::SCAN_REFUSAL_INSPECTION_OVERDUE);
  EXPECT_NE(blocked.message.find("LOLER, PAT"), std::string::npos) << blocked.message;
  ScannedSubject label = Code("MIXER");
  label.tracking = v1::TRACKING_MODE_SERIALIZED;
  label.has_registered_units = true;
  EXPECT_EQ(JudgeScanOut(sheet, label, 0).refusal, v1::SCAN_REFUSAL_SCAN_THE_UNIT);
  label.has_registered_units = false;
  EXPECT_TRUE(JudgeScanOut(sheet, label, 0).accepted())
      << "a serialised code nobody registered is scanned by its label";
}

TEST(ScanOutRulesTest, BulkIsScannedOnceWithAQuantity) {
  ScanVerdict verdict = JudgeScanOut(ScanSheet(), Code("CABLE"), 6);
  EXPECT_TRUE(verdict.accepted());
  EXPECT_EQ(verdict.quantity, 6);
  EXPECT_EQ(JudgeScanOut(ScanSheet(), Code("CABLE"), 0).quantity, 1) << "0 counts as 1";
}

TEST(ScanInRulesTest, BeforeCheckOutAScanPutsBackAfterItReturns) {
  OrderSheet sheet = ScanSheet();
  sheet.lines[1].pulled = 2;
  ScanVerdict put_back = JudgeScanIn(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-1"), 0);
  EXPECT_TRUE(put_back.accepted());
  EXPECT_TRUE(put_back.put_back);
  sheet.lines[1].checked_out = 2;
  sheet.lines[1].scanned_in = 1;
  ScanVerdict back = JudgeScanIn(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-1"), 0);
  EXPECT_TRUE(back.accepted());
  EXPECT_FALSE(back.put_back);
  EXPECT_EQ(back.message, "A-000001 (MIXER) back: 2 of 2");
  sheet.lines[1].scanned_in = 2;
  EXPECT_EQ(JudgeScanIn(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-1"), 0).refusal,
            v1::SCAN_REFUSAL_NOTHING_NEEDED);
}

TEST(ScanInRulesTest, EachRefusalHasItsReason) {
  OrderSheet sheet = ScanSheet();
  sheet.lines[0].checked_out = 10;
  EXPECT_EQ(JudgeScanIn(sheet, Unit(v1::ASSET_STATE_AVAILABLE), 0).refusal,
            v1::SCAN_REFUSAL_NOT_OUT);
  EXPECT_EQ(JudgeScanIn(sheet, Unit(v1::ASSET_STATE_OUT, "ORDER-2"), 0).refusal,
            v1::SCAN_REFUSAL_WRONG_ORDER);
  EXPECT_EQ(JudgeScanIn(sheet, Code("SPEAKER"), 1).refusal, v1::SCAN_REFUSAL_NOT_ON_SHEET);
  EXPECT_EQ(JudgeScanIn(sheet, Code("CABLE"), 11).refusal, v1::SCAN_REFUSAL_NOTHING_NEEDED);
  EXPECT_TRUE(JudgeScanIn(sheet, Code("CABLE"), 10).accepted());
}

TEST(ScanProgressTest, ShowsWhatIsNeededAndDoneAndWhetherAllIsDone) {
  OrderSheet sheet = ScanSheet();
  v1::ScanResult result;
  FillScanProgress(sheet, false, result);
  ASSERT_EQ(result.progress_size(), 2);
  EXPECT_EQ(result.progress(0).needed(), 10);
  EXPECT_EQ(result.progress(0).done(), 4);
  EXPECT_FALSE(result.complete());
  sheet.lines[0].pulled = 10;
  sheet.lines[1].pulled = 2;
  FillScanProgress(sheet, false, result);
  EXPECT_TRUE(result.complete());
  // Scanning in: only what went out counts.
  sheet.lines[0].checked_out = 10;
  sheet.lines[0].scanned_in = 10;
  FillScanProgress(sheet, true, result);
  ASSERT_EQ(result.progress_size(), 1);
  EXPECT_TRUE(result.complete());
}

}  // namespace
}  // namespace salesops::inventory
