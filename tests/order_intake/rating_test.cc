// The pricing engine of issue 17: every amount asserted to the micro.
#include "services/order_intake/rating.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace salesops::order_intake::rating {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kEur = 1'000'000;  // one currency unit in micros

// The issue's table: day 1 = 1.0, days 2-3 = 0.5 each, days 4+ = 0.25 each, a week <= 3.0.
DayFactorTable IssueTable(int64_t week_cap_millionths = 3'000'000) {
  return DayFactorTable{{{1, 1'000'000}, {2, 500'000}, {4, 250'000}}, week_cap_millionths};
}

Catalog TestCatalog() {
  Catalog catalog;
  catalog["LED-WALL"] = {RateDefinition{RateKind::kPerDay, 500 * kEur, "EUR", IssueTable(), 0},
                         TaxClass::kEquipment};
  catalog["TRUSS-SET"] = {RateDefinition{RateKind::kFixed, 250 * kEur, "EUR", {}, 0},
                          TaxClass::kEquipment};
  catalog["TECHNICIAN"] = {RateDefinition{RateKind::kHourly, 45 * kEur, "EUR", {}, 0},
                           TaxClass::kLabour};
  catalog["TRANSPORT"] = {RateDefinition{RateKind::kFixed, 120 * kEur, "EUR", {}, 0},
                          TaxClass::kTransport};
  catalog["CABLE"] = {RateDefinition{RateKind::kFixed, 130'000, "EUR", {}, 0},
                      TaxClass::kEquipment};
  return catalog;
}

RatingTables TestTables() {
  RatingTables tables;
  tables.catalog = TestCatalog();
  tables.tax_rates = {
      {TaxClass::kEquipment, "DE", 190'000, {}},
      {TaxClass::kLabour, "DE", 190'000, {}},
      {TaxClass::kTransport, "DE", 70'000, {}},
      {TaxClass::kEquipment, "JP", 100'000, {}},
  };
  return tables;
}

QuoteRequest Request(std::vector<LineRequest> lines) {
  QuoteRequest request;
  request.lines = std::move(lines);
  request.organisation.id = "ACME";
  request.service_date = absl::CivilDay(2027, 11, 2);
  request.quote_date = absl::CivilDay(2027, 10, 1);
  return request;
}

LineRequest Line(std::string code, int64_t quantity, int64_t days = 1, int64_t minutes = 0) {
  LineRequest line;
  line.product_code = std::move(code);
  line.quantity = quantity;
  line.days = days;
  line.duration_minutes = minutes;
  return line;
}

TEST(FormatMoneyTest, GroupsThousandsAndKeepsTheCurrencysDigits) {
  EXPECT_EQ(FormatMoney(2'500 * kEur, "EUR"), "2,500.00 EUR");
  EXPECT_EQ(FormatMoney(-1'234'567'890'000, "EUR"), "-1,234,567.89 EUR");
  EXPECT_EQ(FormatMoney(125'000, "EUR"), "0.125 EUR") << "a rate with more digits keeps them";
  EXPECT_EQ(FormatMoney(40'589 * kEur, "JPY"), "40,589 JPY");
  EXPECT_EQ(MinorUnitMicros("EUR"), 10'000);
  EXPECT_EQ(MinorUnitMicros("JPY"), 1'000'000);
  EXPECT_EQ(MinorUnitMicros("KWD"), 1'000);
}

TEST(DayFactorTest, IssueTableDaysOneToTen) {
  const int64_t expected[] = {1'000'000, 1'500'000, 2'000'000, 2'250'000, 2'500'000,
                              2'750'000, 3'000'000, 3'250'000, 3'500'000, 3'750'000};
  for (int64_t days = 1; days <= 10; ++days) {
    const absl::StatusOr<DayFactor> factor = ComputeDayFactor(IssueTable(), days);
    ASSERT_TRUE(factor.ok()) << factor.status();
    EXPECT_EQ(factor->total_millionths, expected[days - 1]) << days << " days";
  }
  EXPECT_EQ(ComputeDayFactor(IssueTable(), 10)->explanation,
            "day 1 at 1.0 + days 2-3 at 0.5 + days 4-10 at 0.25 = 3.75");
}

TEST(DayFactorTest, WeekCapLimitsEachWeekAndTheTableContinues) {
  const DayFactorTable table = IssueTable(2'500'000);
  EXPECT_EQ(ComputeDayFactor(table, 4)->total_millionths, 2'250'000) << "below the cap";
  EXPECT_EQ(ComputeDayFactor(table, 6)->total_millionths, 2'500'000);
  EXPECT_EQ(ComputeDayFactor(table, 7)->total_millionths, 2'500'000);
  EXPECT_EQ(ComputeDayFactor(table, 7)->explanation,
            "day 1 at 1.0 + days 2-3 at 0.5 + days 4-7 at 0.25 = 3.0; at most 2.5 a week = 2.5");
  // Week 2 costs the table's 0.25 a day (1.75 for a whole week), below the cap.
  EXPECT_EQ(ComputeDayFactor(table, 10)->total_millionths, 3'250'000);
  EXPECT_EQ(ComputeDayFactor(table, 21)->total_millionths, 6'000'000);

  // A flat day rate with a 3-day week: 10 days = a week (3.0) + 3 days (3.0).
  const DayFactorTable flat{{}, 3'000'000};
  EXPECT_EQ(ComputeDayFactor(flat, 10)->total_millionths, 6'000'000);
  EXPECT_EQ(ComputeDayFactor(flat, 14)->total_millionths, 6'000'000);
  EXPECT_EQ(ComputeDayFactor(flat, 15)->total_millionths, 7'000'000);
  // A rental of a century is multiplied, not walked.
  EXPECT_EQ(ComputeDayFactor(flat, 36'400)->total_millionths, 5'200 * 3'000'000LL);
}

TEST(DayFactorTest, RefusesNonsense) {
  EXPECT_EQ(ComputeDayFactor(IssueTable(), 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeDayFactor(DayFactorTable{{{2, 1'000'000}}, {}}, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeDayFactor(DayFactorTable{{{1, 1'000'000}, {1, 500'000}}, {}}, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PriceLineTest, PerDayFromTheCatalog) {
  const absl::StatusOr<LinePrice> price =
      PriceLine(Line("LED-WALL", 2, 3), TestCatalog(), {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->unit_price_micros, 1'000 * kEur);
  EXPECT_EQ(price->total_micros, 2'000 * kEur);
  EXPECT_EQ(price->priced_by, "catalog");
  EXPECT_EQ(price->explanation,
            "catalog: 3 days at day factor 2.0 x 500.00 EUR x 2 = 2,000.00 EUR (day 1 at 1.0 + "
            "days 2-3 at 0.5 = 2.0)");
}

TEST(PriceLineTest, FixedPriceIgnoresTheDuration) {
  const absl::StatusOr<LinePrice> price =
      PriceLine(Line("TRUSS-SET", 2, 9), TestCatalog(), {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->unit_price_micros, 250 * kEur);
  EXPECT_EQ(price->total_micros, 500 * kEur);
  EXPECT_EQ(price->explanation, "catalog: fixed price 250.00 EUR x 2 = 500.00 EUR");
}

TEST(PriceLineTest, ASaleItemIsSoldOnceAtItsSalePrice) {
  Catalog catalog = TestCatalog();
  catalog["GAFFER"] = {RateDefinition{RateKind::kFixed, 8'500'000, "EUR", {}, 0},
                       TaxClass::kEquipment, /*sold=*/true};
  const absl::StatusOr<LinePrice> price =
      PriceLine(Line("GAFFER", 6, 4), catalog, {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->total_micros, 51 * kEur) << "6 x 8.50, whatever the 4 days";
  EXPECT_EQ(price->explanation, "catalog: sale price 8.50 EUR x 6 = 51.00 EUR");
}

TEST(PriceLineTest, HourlyByTheMinute) {
  const absl::StatusOr<LinePrice> price = PriceLine(Line("TECHNICIAN", 2, 1, 270), TestCatalog(),
                                                    {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->unit_price_micros, 202'500'000);
  EXPECT_EQ(price->total_micros, 405 * kEur);
  EXPECT_EQ(price->explanation, "catalog: 4 h 30 min at 45.00 EUR an hour x 2 = 405.00 EUR");
  EXPECT_EQ(PriceLine(Line("TECHNICIAN", 1), TestCatalog(), {}, "ACME", absl::CivilDay(2027, 7, 1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument)
      << "an hourly line without a duration";
}

TEST(PriceLineTest, MinimumChargePerUnit) {
  Catalog catalog = TestCatalog();
  catalog["TECHNICIAN"].rate.minimum_charge_micros = 180 * kEur;  // a four-hour call
  const absl::StatusOr<LinePrice> short_call =
      PriceLine(Line("TECHNICIAN", 2, 1, 120), catalog, {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(short_call.ok()) << short_call.status();
  EXPECT_EQ(short_call->unit_price_micros, 180 * kEur);
  EXPECT_EQ(short_call->total_micros, 360 * kEur);
  EXPECT_EQ(short_call->explanation,
            "catalog: minimum charge 180.00 EUR x 2 = 360.00 EUR; minimum charge applied: 2 h at "
            "45.00 EUR an hour came to 90.00 EUR");

  const absl::StatusOr<LinePrice> long_call =
      PriceLine(Line("TECHNICIAN", 1, 1, 300), catalog, {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(long_call.ok()) << long_call.status();
  EXPECT_EQ(long_call->total_micros, 225 * kEur);
  EXPECT_THAT(long_call->explanation, HasSubstr("; minimum charge not reached"));
}

TEST(PriceLineTest, UnknownProductIsAFailedPrecondition) {
  const absl::StatusOr<LinePrice> price =
      PriceLine(Line("HOLOGRAM", 1), TestCatalog(), {}, "ACME", absl::CivilDay(2027, 7, 1));
  EXPECT_EQ(price.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(price.status().message(), HasSubstr("HOLOGRAM"));
}

// ---------------------------------------------------------------------------------------------
// Price lists

std::vector<PriceList> TestPriceLists() {
  PriceList tour;  // ACME's tour deal: its own day factors for the LED wall
  tour.name = "Tour 2027";
  tour.organisation_id = "ACME";
  tour.period = {absl::CivilDay(2027, 5, 1), absl::CivilDay(2027, 9, 30)};
  tour.overrides["LED-WALL"].rate =
      RateDefinition{RateKind::kPerDay, 500 * kEur, "EUR",
                     DayFactorTable{{{1, 1'000'000}, {2, 750'000}}, {}}, 100 * kEur};
  PriceList standing;  // ACME's standing terms
  standing.name = "ACME standing";
  standing.organisation_id = "ACME";
  standing.overrides["LED-WALL"].percent_of_catalog_bp = 9'000;
  PriceList summer;  // the season, for everyone
  summer.name = "Summer 2027";
  summer.period = {absl::CivilDay(2027, 6, 1), absl::CivilDay(2027, 8, 31)};
  summer.everything_else_percent_bp = 8'000;
  return {summer, standing, tour};
}

TEST(PriceListTest, OrganisationAndPeriodBeatsOrganisationBeatsPeriodBeatsCatalog) {
  const std::vector<PriceList> lists = TestPriceLists();
  const absl::CivilDay july(2027, 7, 1);
  const absl::CivilDay november(2027, 11, 2);
  EXPECT_EQ(ChoosePriceList(lists, "LED-WALL", "ACME", july)->name, "Tour 2027");
  EXPECT_EQ(ChoosePriceList(lists, "LED-WALL", "ACME", november)->name, "ACME standing");
  EXPECT_EQ(ChoosePriceList(lists, "LED-WALL", "GLOBEX", july)->name, "Summer 2027");
  EXPECT_EQ(ChoosePriceList(lists, "LED-WALL", "GLOBEX", november), nullptr) << "catalog";
  // ACME's lists say nothing about truss: the season prices it, not the catalog.
  EXPECT_EQ(ChoosePriceList(lists, "TRUSS-SET", "ACME", july)->name, "Summer 2027");
  EXPECT_EQ(ChoosePriceList(lists, "TRUSS-SET", "ACME", november), nullptr);
}

TEST(PriceListTest, AmongEqualsTheNewestThenTheShorterThenTheNameWins) {
  PriceList year{
      "Year 2027", "", {absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)}, {}, 9'000};
  PriceList autumn{
      "Autumn", "", {absl::CivilDay(2027, 9, 1), absl::CivilDay(2027, 12, 31)}, {}, 8'500};
  PriceList autumn_week{
      "Fair week", "", {absl::CivilDay(2027, 9, 1), absl::CivilDay(2027, 9, 7)}, {}, 9'500};
  const absl::CivilDay day(2027, 9, 3);
  EXPECT_EQ(ChoosePriceList({year, autumn}, "CABLE", "ACME", day)->name, "Autumn");
  EXPECT_EQ(ChoosePriceList({autumn, year}, "CABLE", "ACME", day)->name, "Autumn")
      << "the order the lists come in does not matter";
  EXPECT_EQ(ChoosePriceList({autumn, autumn_week, year}, "CABLE", "ACME", day)->name, "Fair week");
  PriceList twin = autumn;
  twin.name = "Aardvark";
  EXPECT_EQ(ChoosePriceList({autumn, twin}, "CABLE", "ACME", day)->name, "Aardvark");
}

TEST(PriceListTest, TheQuoteLineNamesTheList) {
  const std::vector<PriceList> lists = TestPriceLists();
  const absl::StatusOr<LinePrice> tour =
      PriceLine(Line("LED-WALL", 2, 3), TestCatalog(), lists, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(tour.ok()) << tour.status();
  EXPECT_EQ(tour->total_micros, 2'500 * kEur);
  EXPECT_EQ(tour->priced_by, "price list 'Tour 2027'");
  EXPECT_EQ(tour->explanation,
            "price list 'Tour 2027': 3 days at day factor 2.5 x 500.00 EUR x 2 = 2,500.00 EUR "
            "(day 1 at 1.0 + days 2-3 at 0.75 = 2.5); minimum charge not reached");

  const absl::StatusOr<LinePrice> standing =
      PriceLine(Line("LED-WALL", 1, 3), TestCatalog(), lists, "ACME", absl::CivilDay(2027, 11, 2));
  ASSERT_TRUE(standing.ok()) << standing.status();
  EXPECT_EQ(standing->total_micros, 900 * kEur);
  EXPECT_EQ(standing->explanation,
            "price list 'ACME standing': 3 days at day factor 2.0 x 500.00 EUR x 90 % of the "
            "catalog rate x 1 = 900.00 EUR (day 1 at 1.0 + days 2-3 at 0.5 = 2.0)");

  const absl::StatusOr<LinePrice> season =
      PriceLine(Line("TRUSS-SET", 1), TestCatalog(), lists, "GLOBEX", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(season.ok()) << season.status();
  EXPECT_EQ(season->total_micros, 200 * kEur);
  EXPECT_THAT(season->explanation, HasSubstr("price list 'Summer 2027': fixed price 250.00 EUR x "
                                             "80 % of the catalog rate x 1 = 200.00 EUR"));
}

// ---------------------------------------------------------------------------------------------
// Discounts

TEST(DiscountTest, LinePercentLineAmountAndOrderShareAddUp) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3), Line("TRUSS-SET", 2)});
  request.lines[0].discount = Discount{Discount::Kind::kPercent, 1'000, 0, "repeat customer"};
  request.lines[1].discount = Discount{Discount::Kind::kAmount, 0, 50 * kEur, "scratched truss"};
  request.order_discount = Discount{Discount::Kind::kPercent, 500, 0, "early booking"};
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  ASSERT_EQ(quote->lines.size(), 2u);
  EXPECT_EQ(quote->lines[0].line_discount_micros, 100 * kEur);
  EXPECT_EQ(quote->lines[1].line_discount_micros, 50 * kEur);
  // 5 % of 1,350.00 = 67.50, shared 900 : 450.
  EXPECT_EQ(quote->lines[0].order_discount_micros, 45 * kEur);
  EXPECT_EQ(quote->lines[1].order_discount_micros, 22'500'000);
  EXPECT_EQ(quote->lines[0].net_micros, 855 * kEur);
  EXPECT_EQ(quote->lines[1].net_micros, 427'500'000);
  EXPECT_EQ(quote->net_micros, 1'282'500'000);
  EXPECT_EQ(quote->discount_micros, 217'500'000);
  EXPECT_FALSE(quote->needs_approval) << "14.5 % is under the 20 % threshold";
  EXPECT_THAT(quote->lines[0].price.explanation,
              HasSubstr("; discount 10 % ('repeat customer'): -100.00 EUR; its share of the "
                        "order discount 5 % ('early booking'): -45.00 EUR"));
  // 855.00 x 19 % = 162.45; 427.50 x 19 % = 81.225, rounded half away from zero: 81.23.
  EXPECT_EQ(quote->tax_micros, 243'680'000);
  EXPECT_EQ(quote->gross_micros, 1'526'180'000);
}

TEST(DiscountTest, NeverBelowZero) {
  QuoteRequest request = Request({Line("TRUSS-SET", 2)});
  request.lines[0].discount = Discount{Discount::Kind::kAmount, 0, 2'000 * kEur, "goodwill"};
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  EXPECT_EQ(quote->lines[0].line_discount_micros, 500 * kEur);
  EXPECT_EQ(quote->net_micros, 0);
  EXPECT_EQ(quote->gross_micros, 0);
  EXPECT_THAT(quote->lines[0].price.explanation, HasSubstr("(no more than the line)"));
  EXPECT_TRUE(quote->needs_approval);
}

TEST(DiscountTest, ApprovalAboveTheConfiguredThreshold) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3)});
  request.lines[0].discount = Discount{Discount::Kind::kPercent, 2'500, 0, "competitor match"};
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  EXPECT_TRUE(quote->needs_approval);
  ASSERT_EQ(quote->approval_reasons.size(), 1u);
  EXPECT_EQ(quote->approval_reasons[0],
            "line 1 (LED-WALL): discount 25 % ('competitor match') is 25 % of the line, above "
            "the 20 % an ADMIN must approve");

  RatingPolicy generous;
  generous.approval_threshold_bp = 2'500;
  EXPECT_FALSE(RateQuote(request, TestTables(), generous)->needs_approval) << "25 % is not above";
}

TEST(DiscountTest, DiscountsThatEachPassCanTogetherNeedApproval) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3)});
  request.lines[0].discount = Discount{Discount::Kind::kPercent, 1'500, 0, "loyalty"};
  request.order_discount = Discount{Discount::Kind::kPercent, 1'000, 0, "bundle"};
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  EXPECT_EQ(quote->discount_micros, 235 * kEur);  // 150 + 10 % of 850
  EXPECT_TRUE(quote->needs_approval);
  EXPECT_THAT(quote->approval_reasons,
              ::testing::ElementsAre(HasSubstr("discounts together are 23.5 % of the quote")));
}

TEST(DiscountTest, AReasonIsRequired) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3)});
  request.order_discount = Discount{Discount::Kind::kPercent, 500, 0, ""};
  EXPECT_EQ(RateQuote(request, TestTables(), RatingPolicy{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Tax

TEST(TaxTest, PerLineAndPerTotalRoundingDiffer) {
  const QuoteRequest request =
      Request({Line("CABLE", 1), Line("CABLE", 1), Line("CABLE", 1)});  // 0.13 EUR each
  RatingPolicy per_line;
  per_line.rounding = RoundingPolicy::kPerLine;
  RatingPolicy per_total;
  per_total.rounding = RoundingPolicy::kPerTotal;
  const absl::StatusOr<Quote> lines = RateQuote(request, TestTables(), per_line);
  const absl::StatusOr<Quote> total = RateQuote(request, TestTables(), per_total);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_TRUE(total.ok()) << total.status();
  // 0.13 x 19 % = 0.0247 -> 0.02, three times; 0.39 x 19 % = 0.0741 -> 0.07 once.
  EXPECT_EQ(lines->lines[0].tax_micros, 20'000);
  EXPECT_EQ(lines->tax_micros, 60'000);
  EXPECT_EQ(total->tax_micros, 70'000);
  EXPECT_EQ(lines->gross_micros, 450'000);
  EXPECT_EQ(total->gross_micros, 460'000);
}

TEST(TaxTest, RatesAreGroupedAndClassesAtOneRateShareAGroup) {
  const QuoteRequest request =
      Request({Line("LED-WALL", 1, 3), Line("TECHNICIAN", 2, 1, 270), Line("TRANSPORT", 1)});
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  ASSERT_EQ(quote->tax_groups.size(), 2u);
  EXPECT_EQ(quote->tax_groups[0].rate_millionths, 70'000);
  EXPECT_EQ(quote->tax_groups[0].net_micros, 120 * kEur);
  EXPECT_EQ(quote->tax_groups[0].tax_micros, 8'400'000);
  EXPECT_EQ(quote->tax_groups[1].rate_millionths, 190'000);
  EXPECT_EQ(quote->tax_groups[1].net_micros, 1'405 * kEur);
  EXPECT_EQ(quote->tax_groups[1].tax_micros, 266'950'000);
  EXPECT_THAT(quote->tax_groups[1].classes,
              ::testing::ElementsAre(TaxClass::kEquipment, TaxClass::kLabour));
  EXPECT_EQ(quote->net_micros, 1'525 * kEur);
  EXPECT_EQ(quote->tax_micros, 275'350'000);
  EXPECT_EQ(quote->gross_micros, 1'800'350'000);
  EXPECT_EQ(quote->tax_note, "");
}

TEST(TaxTest, TheRateValidOnTheServiceDate) {
  RatingTables tables = TestTables();
  tables.tax_rates.push_back({TaxClass::kEquipment,
                              "DE",
                              160'000,
                              {absl::CivilDay(2020, 7, 1), absl::CivilDay(2020, 12, 31)}});
  QuoteRequest request = Request({Line("TRUSS-SET", 1)});
  request.service_date = absl::CivilDay(2020, 8, 1);
  EXPECT_EQ(RateQuote(request, tables, RatingPolicy{})->tax_micros, 40 * kEur);
  request.service_date = absl::CivilDay(2021, 1, 1);
  EXPECT_EQ(RateQuote(request, tables, RatingPolicy{})->tax_micros, 47'500'000);
}

TEST(TaxTest, MissingRateNamesClassJurisdictionAndDate) {
  QuoteRequest request = Request({Line("TRUSS-SET", 1)});
  request.organisation.jurisdiction = "AT";
  const absl::StatusOr<Quote> quote = RateQuote(request, TestTables(), RatingPolicy{});
  EXPECT_EQ(quote.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(quote.status().message(),
              HasSubstr("no tax rate for equipment in AT valid on 2027-11-02"));
}

TEST(TaxTest, ReverseChargeAndExemptChargeNoTaxAndSayWhy) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3), Line("TECHNICIAN", 1, 1, 60)});
  request.organisation.jurisdiction = "FR";  // no rates needed: none are charged
  request.organisation.tax_status = TaxStatus::kReverseCharge;
  request.organisation.vat_id = "FR40303265045";
  const absl::StatusOr<Quote> reverse = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(reverse.ok()) << reverse.status();
  EXPECT_EQ(reverse->net_micros, 1'045 * kEur);
  EXPECT_EQ(reverse->tax_micros, 0);
  EXPECT_EQ(reverse->gross_micros, 1'045 * kEur);
  ASSERT_EQ(reverse->tax_groups.size(), 1u);
  EXPECT_EQ(reverse->tax_groups[0].rate_millionths, 0);
  EXPECT_EQ(reverse->tax_note,
            "Reverse charge: VAT is to be accounted for by the recipient (Article 196, Council "
            "Directive 2006/112/EC). Customer VAT ID: FR40303265045.");

  request.organisation.tax_status = TaxStatus::kExempt;
  request.organisation.exemption_reference = "certificate 2027-118";
  const absl::StatusOr<Quote> exempt = RateQuote(request, TestTables(), RatingPolicy{});
  ASSERT_TRUE(exempt.ok()) << exempt.status();
  EXPECT_EQ(exempt->tax_micros, 0);
  EXPECT_EQ(exempt->gross_micros, 1'045 * kEur);
  EXPECT_EQ(exempt->tax_note, "Exempt from VAT: no tax charged (exemption certificate 2027-118).");
}

// ---------------------------------------------------------------------------------------------
// Currency

RatingTables TablesWithExchangeRates() {
  RatingTables tables = TestTables();
  tables.exchange_rates = {
      {"EUR", "USD", 1'083'000, {absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 6, 30)}},
      {"EUR", "USD", 1'100'000, {absl::CivilDay(2027, 7, 1), std::nullopt}},
      {"EUR", "JPY", 162'355'000, {absl::CivilDay(2027, 1, 1), std::nullopt}},
  };
  tables.tax_rates.push_back({TaxClass::kEquipment, "US-NY", 88'750, {}});
  return tables;
}

TEST(CurrencyTest, ConvertsAtTheRateValidOnTheQuoteDateAndReportsIt) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3)});
  request.organisation.currency = "USD";
  request.organisation.jurisdiction = "US-NY";
  request.quote_date = absl::CivilDay(2027, 5, 15);
  const absl::StatusOr<Quote> may = RateQuote(request, TablesWithExchangeRates(), RatingPolicy{});
  ASSERT_TRUE(may.ok()) << may.status();
  EXPECT_EQ(may->currency, "USD");
  EXPECT_EQ(may->net_micros, 1'083 * kEur);
  ASSERT_EQ(may->exchange_rates_used.size(), 1u);
  EXPECT_EQ(may->exchange_rates_used[0].rate_millionths, 1'083'000);
  EXPECT_THAT(may->lines[0].price.explanation,
              HasSubstr("; converted at 1 EUR = 1.083 USD: 1,083.00 USD x 1 = 1,083.00 USD"));
  // 1,083.00 x 8.875 % = 96.11625 -> 96.12.
  EXPECT_EQ(may->tax_micros, 96'120'000);

  request.quote_date = absl::CivilDay(2027, 7, 2);
  const absl::StatusOr<Quote> july = RateQuote(request, TablesWithExchangeRates(), RatingPolicy{});
  ASSERT_TRUE(july.ok()) << july.status();
  EXPECT_EQ(july->net_micros, 1'100 * kEur);
  EXPECT_EQ(july->exchange_rates_used[0].rate_millionths, 1'100'000);
}

TEST(CurrencyTest, WholeYen) {
  QuoteRequest request = Request({Line("TRUSS-SET", 1)});
  request.organisation.currency = "JPY";
  request.organisation.jurisdiction = "JP";
  const absl::StatusOr<Quote> quote = RateQuote(request, TablesWithExchangeRates(), RatingPolicy{});
  ASSERT_TRUE(quote.ok()) << quote.status();
  EXPECT_EQ(quote->net_micros, 40'589 * kEur);  // 250 x 162.355 = 40,588.75
  EXPECT_EQ(quote->tax_micros, 4'059 * kEur);   // 4,058.9
  EXPECT_EQ(quote->gross_micros, 44'648 * kEur);
}

TEST(CurrencyTest, NoRateIsAFailedPreconditionNamingCurrenciesAndDate) {
  QuoteRequest request = Request({Line("LED-WALL", 1, 3)});
  request.organisation.currency = "USD";
  request.organisation.jurisdiction = "US-NY";
  request.quote_date = absl::CivilDay(2026, 12, 31);
  const absl::StatusOr<Quote> quote = RateQuote(request, TablesWithExchangeRates(), RatingPolicy{});
  EXPECT_EQ(quote.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(quote.status().message(),
              HasSubstr("no exchange rate from EUR to USD valid on 2026-12-31"));
}

// ---------------------------------------------------------------------------------------------
// Overflow

TEST(OverflowTest, AmountsThatDoNotFitAreRefusedByName) {
  RatingTables tables = TestTables();
  tables.catalog["LED-WALL"].rate.rate_micros = 9'000'000'000'000 * kEur;  // fits, barely
  const absl::StatusOr<Quote> two_days =
      RateQuote(Request({Line("LED-WALL", 1, 2)}), tables, RatingPolicy{});
  EXPECT_EQ(two_days.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(two_days.status().message(), HasSubstr("LED-WALL: the unit price (catalog)"));

  const absl::StatusOr<Quote> two_units =
      RateQuote(Request({Line("LED-WALL", 2, 1)}), tables, RatingPolicy{});
  EXPECT_EQ(two_units.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(two_units.status().message(), HasSubstr("LED-WALL: 2 x"));

  tables.catalog["TRUSS-SET"].rate.rate_micros = 5'000'000'000'000 * kEur;
  const absl::StatusOr<Quote> two_lines =
      RateQuote(Request({Line("TRUSS-SET", 1), Line("TRUSS-SET", 1)}), tables, RatingPolicy{});
  EXPECT_EQ(two_lines.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(two_lines.status().message(), HasSubstr("the quote's total"));
}

}  // namespace
}  // namespace salesops::order_intake::rating
