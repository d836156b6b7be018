#include "services/inventory/prep.h"

#include <gtest/gtest.h>

namespace salesops::inventory {
namespace {

OrderSheet Sheet() {
  OrderSheet sheet;
  sheet.order_id = "ORDER-1042";
  sheet.order_revision = 3;
  SheetLine panels;
  panels.inventory_code = "LED-PANEL-500";
  panels.category = "video";
  panels.warehouse_id = "MAIN";
  panels.to_pull = 24;
  SheetLine cables;
  cables.inventory_code = "CABLE-PWR";
  cables.category = "power";
  cables.warehouse_id = "MAIN";
  cables.to_pull = 6;
  SheetLine removed;  // pulled before an amendment took it off the order
  removed.inventory_code = "SPK-12";
  removed.category = "audio";
  removed.warehouse_id = "NORTH";
  removed.pulled = 2;
  sheet.lines = {cables, panels, removed};
  return sheet;
}

template <typename Message>
google::protobuf::RepeatedPtrField<Message> Repeated(std::vector<Message> items) {
  google::protobuf::RepeatedPtrField<Message> field;
  for (auto& item : items) *field.Add() = item;
  return field;
}

v1::PrepCount Count(const std::string& code, int pulled) {
  v1::PrepCount count;
  count.set_inventory_code(code);
  count.set_pulled_quantity(pulled);
  return count;
}

TEST(PrepTest, ProgressCountsOnlyWhatIsStillToPull) {
  OrderSheet sheet = Sheet();
  v1::PrepProgress progress = ProgressOf(sheet);
  EXPECT_EQ(progress.state(), v1::PREP_STATE_NOT_STARTED);  // the put-back line does not count
  EXPECT_EQ(progress.line_count(), 2);
  EXPECT_EQ(progress.units_to_pull(), 30);
  sheet.lines[0].pulled = 6;
  EXPECT_EQ(ProgressOf(sheet).state(), v1::PREP_STATE_IN_PROGRESS);
  sheet.lines[1].pulled = 24;
  EXPECT_EQ(ProgressOf(sheet).state(), v1::PREP_STATE_COMPLETE);
  EXPECT_DOUBLE_EQ(ProgressOf(sheet).fraction_pulled(), 1.0);
}

TEST(PrepTest, PullSheetGroupsByWarehouseThenCategory) {
  v1::PullSheet sheet = ToPullSheet(Sheet());
  ASSERT_EQ(sheet.groups_size(), 3);
  EXPECT_EQ(sheet.groups(0).warehouse_id(), "MAIN");
  EXPECT_EQ(sheet.groups(0).category(), "power");
  EXPECT_EQ(sheet.groups(1).category(), "video");
  EXPECT_EQ(sheet.groups(2).warehouse_id(), "NORTH");
  EXPECT_EQ(sheet.groups(2).lines(0).quantity_to_pull(), 0);  // put it back
  EXPECT_EQ(sheet.order_revision(), 3);
}

TEST(PrepTest, OverPullingAndUnknownCodesAreNamed) {
  auto violations = CheckPrepCounts(
      Sheet(), Repeated<v1::PrepCount>(
                   {Count("CABLE-PWR", 6), Count("LED-PANEL-500", 25), Count("NOT-ON-SHEET", 1)}));
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "counts[1].pulled_quantity");
  EXPECT_EQ(violations[1].field, "counts[2].inventory_code");
  // Putting pulled units back is a count of zero, never an error.
  EXPECT_TRUE(CheckPrepCounts(Sheet(), Repeated<v1::PrepCount>({Count("SPK-12", 0)})).empty());
}

TEST(PrepTest, OnlyPulledUnitsLeaveAndOnlyOutUnitsComeBack) {
  OrderSheet sheet = Sheet();
  sheet.lines[1].pulled = 24;
  v1::InventoryLine out;
  out.set_inventory_code("LED-PANEL-500");
  out.set_quantity(24);
  EXPECT_TRUE(CheckCheckOut(sheet, Repeated<v1::InventoryLine>({out})).empty());
  out.set_inventory_code("CABLE-PWR");
  out.set_quantity(1);
  EXPECT_EQ(CheckCheckOut(sheet, Repeated<v1::InventoryLine>({out}))[0].field, "lines[0].quantity");

  sheet.lines[1].checked_out = 24;
  v1::CheckInLine back;
  back.set_inventory_code("LED-PANEL-500");
  back.set_returned_quantity(20);
  back.set_damaged_quantity(5);
  EXPECT_EQ(CheckCheckIn(sheet, Repeated<v1::CheckInLine>({back}))[0].field,
            "lines[0].returned_quantity");
  back.set_damaged_quantity(2);
  EXPECT_TRUE(CheckCheckIn(sheet, Repeated<v1::CheckInLine>({back})).empty());

  sheet.lines[1].returned = 20;
  sheet.lines[1].damaged = 2;
  std::vector<v1::InventoryLine> missing = MissingAfterCheckIn(sheet);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].quantity(), 2);
}

TEST(PeakNeedTest, PartsThatOverlapAddUpAndOthersShareTheUnits) {
  const Interval day0{Instant(std::chrono::hours(0)), Instant(std::chrono::hours(24))};
  const Interval day1{Instant(std::chrono::hours(24)), Instant(std::chrono::hours(48))};
  const Interval both{day0.start, day1.end};
  EXPECT_EQ(PeakNeed({{"", day0, 4}}), 4);
  EXPECT_EQ(PeakNeed({{"", day0, 4}, {"show", day1, 6}}), 6);  // pulled once for both
  EXPECT_EQ(PeakNeed({{"", day0, 4}, {"rehearsal", both, 3}, {"show", day1, 6}}), 9);
  EXPECT_EQ(PeakNeed({}), 0);
  // Tape used up at the first stop is not there for the second: every part's need is pulled.
  EXPECT_EQ(QuantityToPull(v1::TRACKING_MODE_CONSUMABLE, {{"", day0, 4}, {"show", day1, 6}}), 10);
  EXPECT_EQ(QuantityToPull(v1::TRACKING_MODE_BULK, {{"", day0, 4}, {"show", day1, 6}}), 6);
}

}  // namespace
}  // namespace salesops::inventory
