#include "services/inventory/availability.h"

#include <gtest/gtest.h>

namespace salesops::inventory {
namespace {

using Kind = StockChange::Kind;

// Day `d` at midnight, as an Instant.
Instant Day(int d) { return Instant(std::chrono::hours(24 * d)); }
Interval Days(int from, int to) { return {Day(from), Day(to)}; }

TEST(UsageOverWindowTest, NothingBookedMeansEverythingFree) {
  WindowUsage usage = UsageOverWindow(10, {}, Days(0, 3));
  EXPECT_EQ(usage.free, 10);
  EXPECT_EQ(usage.peak_in_use, 0);
}

TEST(UsageOverWindowTest, PeakNotSumAcrossTheWindow) {
  // Two one-day bookings on different days of a three-day window use 4 units, not 8.
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 1), 4},
                                      {Kind::kReserved, Days(2, 3), 4}};
  WindowUsage usage = UsageOverWindow(10, changes, Days(0, 3));
  EXPECT_EQ(usage.peak_in_use, 4);
  EXPECT_EQ(usage.free, 6);
}

TEST(UsageOverWindowTest, OverlappingBookingsAddUp) {
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 2), 4},
                                      {Kind::kReserved, Days(1, 3), 3}};
  EXPECT_EQ(UsageOverWindow(10, changes, Days(0, 3)).free, 3);
  // Outside the overlap only one booking counts.
  EXPECT_EQ(UsageOverWindow(10, changes, Days(0, 1)).free, 6);
}

TEST(UsageOverWindowTest, BackToBackBookingsDoNotOverlap) {
  // Half-open: one ends at day 1 exactly when the other starts.
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 1), 5},
                                      {Kind::kReserved, Days(1, 2), 5}};
  EXPECT_EQ(UsageOverWindow(5, changes, Days(0, 2)).free, 0);
  EXPECT_EQ(UsageOverWindow(10, changes, Days(0, 2)).peak_in_use, 5);
}

TEST(UsageOverWindowTest, ChangesOutsideTheWindowDoNotCount) {
  std::vector<StockChange> changes = {{Kind::kReserved, Days(5, 6), 9}};
  EXPECT_EQ(UsageOverWindow(10, changes, Days(0, 5)).free, 10);
}

TEST(UsageOverWindowTest, HoldsAndOutOfServiceReduceWhatIsFree) {
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 3), 2},
                                      {Kind::kHeld, Days(1, 2), 3},
                                      {Kind::kOutOfService, Days(1, 4), 1}};
  WindowUsage usage = UsageOverWindow(10, changes, Days(0, 3));
  EXPECT_EQ(usage.peak_reserved, 2);
  EXPECT_EQ(usage.peak_held, 3);
  EXPECT_EQ(usage.peak_in_use, 5);
  EXPECT_EQ(usage.peak_out_of_service, 1);
  EXPECT_EQ(usage.free, 4);
}

TEST(UsageOverWindowTest, SubRentalsCountOnlyInsideTheirWindow) {
  // 4 owned, 6 wanted on days 1-2: a sub-rental of 2 for days 1-2 makes it fit.
  std::vector<StockChange> changes = {{Kind::kReserved, Days(1, 2), 6},
                                      {Kind::kSubRentedIn, Days(1, 2), 2}};
  WindowUsage usage = UsageOverWindow(4, changes, Days(1, 2));
  EXPECT_EQ(usage.free, 0);
  EXPECT_EQ(usage.sub_rented_in, 2);
  // Rented-in units add to what is owned inside their window.
  EXPECT_EQ(UsageOverWindow(4, {{Kind::kSubRentedIn, Days(1, 2), 2}}, Days(1, 2)).free, 6);
  // Over a wider window the rented units are not there at every instant.
  EXPECT_EQ(UsageOverWindow(4, {{Kind::kSubRentedIn, Days(1, 2), 2}}, Days(0, 2)).free, 4);
  EXPECT_EQ(UsageOverWindow(4, {{Kind::kSubRentedIn, Days(1, 2), 2}}, Days(0, 2)).sub_rented_in, 0);
}

TEST(UsageOverWindowTest, FreeNeverGoesBelowZero) {
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 1), 8},
                                      {Kind::kOutOfService, Days(0, 1), 5}};
  EXPECT_EQ(UsageOverWindow(10, changes, Days(0, 1)).free, 0);
}

TEST(FindShortagesTest, ReportsEachShortCodeWithWhatIsFree) {
  StockPicture stock = {{"LED-PANEL-500", {10, {{Kind::kReserved, Days(0, 2), 8}}}},
                        {"XLR-10M", {50, {}}}};
  std::vector<Shortage> shortages =
      FindShortages({{"LED-PANEL-500", 4}, {"XLR-10M", 20}}, stock, Days(1, 2));
  ASSERT_EQ(shortages.size(), 1u);
  EXPECT_EQ(shortages[0].inventory_code, "LED-PANEL-500");
  EXPECT_EQ(shortages[0].available, 2);
  EXPECT_EQ(shortages[0].shortfall(), 2);
  // A code with no stock record is entirely short.
  EXPECT_EQ(FindShortages({{"UNKNOWN", 1}}, stock, Days(0, 1))[0].available, 0);
}

TEST(EarliestFeasibleStartTest, FindsWhenStockFreesUp) {
  StockPicture stock = {{"LED-PANEL-500", {10, {{Kind::kReserved, Days(0, 5), 8}}}}};
  std::optional<Instant> start =
      EarliestFeasibleStart({{"LED-PANEL-500", 6}}, stock, Days(1, 3), std::chrono::hours(24 * 30));
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(*start, Day(5));
}

TEST(EarliestFeasibleStartTest, RequestedStartWhenItFitsAndNoneWhenNeverFits) {
  StockPicture stock = {{"LED-PANEL-500", {10, {}}}};
  EXPECT_EQ(
      EarliestFeasibleStart({{"LED-PANEL-500", 6}}, stock, Days(1, 3), std::chrono::hours(24)),
      Day(1));
  EXPECT_FALSE(
      EarliestFeasibleStart({{"LED-PANEL-500", 11}}, stock, Days(1, 3), std::chrono::hours(24 * 30))
          .has_value());
}

}  // namespace
}  // namespace salesops::inventory

namespace salesops::inventory {
namespace {

TEST(ForecastOverWindowTest, HoldsCountByTheirWinProbability) {
  std::vector<StockChange> changes = {{StockChange::Kind::kReserved, Days(0, 1), 6},
                                      {StockChange::Kind::kHeld, Days(0, 1), 10, 0.5},
                                      {StockChange::Kind::kOutOfService, Days(0, 1), 1}};
  DemandForecast forecast = ForecastOverWindow(10, changes, Days(0, 1));
  EXPECT_EQ(forecast.firm_demand, 6);
  EXPECT_DOUBLE_EQ(forecast.weighted_hold_demand, 5.0);
  EXPECT_EQ(forecast.stock, 9);
  EXPECT_DOUBLE_EQ(forecast.projected_shortfall, 2.0);
  EXPECT_DOUBLE_EQ(ForecastOverWindow(10, changes, Days(1, 2)).projected_shortfall, 0.0);
}

TEST(FindPartShortagesTest, PartsThatDoNotOverlapUseTheSameUnits) {
  // A rehearsal and a show on different days: 8 units each fit 10 owned.
  StockPicture stock = {{"SPK-12", {10, {}}}};
  std::vector<PartDemand> parts = {{"", Days(0, 2), {{"SPK-12", 8}}},
                                   {"show", Days(3, 5), {{"SPK-12", 8}}}};
  EXPECT_TRUE(FindPartShortages(parts, stock).empty());
  // One window over both would need them at once.
  EXPECT_EQ(FindShortages({{"SPK-12", 16}}, stock, Days(0, 5)).size(), 1u);
}

TEST(FindPartShortagesTest, OverlappingPartsNeedTheSumAndEachShortageNamesItsPart) {
  StockPicture stock = {{"SPK-12", {10, {{Kind::kReserved, Days(4, 6), 3}}}}};
  std::vector<PartDemand> parts = {{"", Days(0, 2), {{"SPK-12", 6}}},
                                   {"rehearsal", Days(1, 3), {{"SPK-12", 5}}},
                                   {"show", Days(4, 5), {{"SPK-12", 8}}}};
  std::vector<Shortage> shortages = FindPartShortages(parts, stock);
  ASSERT_EQ(shortages.size(), 3u);
  EXPECT_EQ(shortages[0].phase_id, "");
  EXPECT_EQ(shortages[0].available, 5);  // 10 - the rehearsal's 5 on day 1
  EXPECT_EQ(shortages[1].phase_id, "rehearsal");
  EXPECT_EQ(shortages[1].available, 4);  // 10 - the main part's 6 on day 1
  EXPECT_EQ(shortages[1].window, Days(1, 3));
  EXPECT_EQ(shortages[2].phase_id, "show");  // another order holds 3 of 10 then
  EXPECT_EQ(shortages[2].available, 7);
  // 5 + 5 fit at the overlap.
  parts[0].lines[0].requested = 5;
  parts[2].lines[0].requested = 7;
  EXPECT_TRUE(FindPartShortages(parts, stock).empty());
  EXPECT_EQ(SpanOf(parts), Days(0, 5));
}

TEST(FindPartShortagesTest, AConsumablesPartsNeedTheSumWhateverTheirWindows) {
  // Tape used up at the rehearsal is gone for the show: 8 + 8 do not fit 10.
  CodeStock tape{10, {}, /*consumable=*/true};
  StockPicture stock = {{"TAPE", tape}};
  std::vector<PartDemand> parts = {{"", Days(0, 2), {{"TAPE", 8}}},
                                   {"show", Days(3, 5), {{"TAPE", 8}}}};
  std::vector<Shortage> shortages = FindPartShortages(parts, stock);
  ASSERT_EQ(shortages.size(), 2u);
  EXPECT_EQ(shortages[0].available, 2);
  EXPECT_EQ(shortages[1].available, 2);
  parts[1].lines[0].requested = 2;
  EXPECT_TRUE(FindPartShortages(parts, stock).empty());
}

TEST(UsageOverWindowTest, UnitsTheOrderAlreadyDrewCountTowardItsOwnDemand) {
  // 4 left on the shelf after this order drew 6; another order has 3 still to draw. The order
  // now wants 8: the 6 it holds plus 2 more of the 4 - 3 = 1 free is short by 1.
  std::vector<StockChange> changes = {{Kind::kReserved, Days(0, 9), 3},
                                      {Kind::kDrawn, Days(0, 9), 6}};
  EXPECT_EQ(UsageOverWindow(4, changes, Days(1, 2)).free, 7);
  EXPECT_EQ(UsageOverWindow(4, changes, Days(1, 2)).sub_rented_in, 0);  // drawn is not rented
  EXPECT_EQ(FindShortages({{"TAPE", 8}}, {{"TAPE", {4, changes, true}}}, Days(1, 2)).size(), 1u);
  EXPECT_TRUE(FindShortages({{"TAPE", 7}}, {{"TAPE", {4, changes, true}}}, Days(1, 2)).empty());
}

}  // namespace
}  // namespace salesops::inventory
