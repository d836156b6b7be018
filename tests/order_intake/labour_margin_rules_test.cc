// The labour margin's arithmetic (services/order_intake/labour_margin.h): the quote's crew price
// exact to the micro and rounded once, conversion of every amount into the company's currency
// with a refusal naming a missing pair, the margin's share, and the sentence saying it all.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/order_intake/labour_margin.h"

namespace salesops::order_intake {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kHour = 3600;

std::string ReasonOf(const absl::Status& status) {
  return common::ParseGrpcError(common::ToGrpcStatus(status)).reason;
}

google::type::Money Money(int64_t micros, const std::string& currency) {
  return common::MoneyFromMicros(micros, currency);
}

// EUR, with 1 GBP = 1.17 EUR and 1 USD = 0.92 EUR from 1 January 2027.
CompanyCurrency Eur() {
  CompanyCurrency company;
  company.currency = "EUR";
  company.day = absl::CivilDay(2027, 3, 1);
  rating::ExchangeRate gbp{"GBP", "EUR", 1'170'000, {}};
  gbp.validity.from = absl::CivilDay(2027, 1, 1);
  rating::ExchangeRate usd{"USD", "EUR", 920'000, {}};
  usd.validity.from = absl::CivilDay(2027, 1, 1);
  company.exchange_rates = {gbp, usd};
  return company;
}

v1::CrewCostLine* AddCrewLine(v1::Quote& quote, int64_t seconds, int64_t hourly_micros,
                              const std::string& currency = "EUR") {
  v1::CrewCostLine* line = quote.add_crew_lines();
  *line->mutable_person_time() = TimeUtil::SecondsToDuration(seconds);
  *line->mutable_hourly_cost() = Money(hourly_micros, currency);
  return line;
}

TEST(QuoteLabourPriceTest, CrewTimeAtItsHourlyCostSummedExactlyAndRoundedOnce) {
  v1::Quote quote;
  AddCrewLine(quote, 12 * kHour + 30 * 60, 45'000'000);  // 562.50
  AddCrewLine(quote, 3 * kHour + 20 * 60, 32'170'000);   // 107.2333…
  absl::StatusOr<LabourPrice> price = LabourPriceOf(quote, Eur(), "1001");
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->price_micros, 669'730'000);
  EXPECT_EQ(price->person_seconds, 15 * kHour + 50 * 60);

  // Two minutes at 0.30 an hour, one per line: 0.005 each. Rounding each line would charge
  // 0.02; the exact sum is 0.01.
  v1::Quote halves;
  AddCrewLine(halves, 60, 300'000);
  AddCrewLine(halves, 60, 300'000);
  price = LabourPriceOf(halves, Eur(), "1001");
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->price_micros, 10'000);
}

TEST(QuoteLabourPriceTest, ALineWithoutAnHourlyCostCountsItsLineTotalConverted) {
  v1::Quote quote;
  AddCrewLine(quote, 2 * kHour, 45'000'000);  // 90.00 EUR
  v1::CrewCostLine* old = quote.add_crew_lines();
  *old->mutable_person_time() = TimeUtil::SecondsToDuration(4 * kHour);
  *old->mutable_line_total() = Money(200'000'000, "USD");  // 184.00 EUR
  absl::StatusOr<LabourPrice> price = LabourPriceOf(quote, Eur(), "1001");
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->price_micros, 274'000'000);
  EXPECT_EQ(price->person_seconds, 6 * kHour);
}

TEST(QuoteLabourPriceTest, AQuoteWithoutCrewChargesNothing) {
  absl::StatusOr<LabourPrice> price = LabourPriceOf(v1::Quote(), Eur(), "1001");
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->price_micros, 0);
  EXPECT_EQ(price->person_seconds, 0);
}

TEST(CompanyCurrencyConversionTest, ConvertsAtTheDaysRateAndRefusesAPairWithoutOne) {
  absl::StatusOr<int64_t> converted =
      ToCompanyMicros(Money(100'000'000, "GBP"), Eur(), "Hal's fee");
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_EQ(*converted, 117'000'000);
  // In the company's currency already (or without a code): as it is, to the micro.
  EXPECT_EQ(ToCompanyMicros(Money(12'345'678, "EUR"), Eur(), "x").value(), 12'345'678);
  EXPECT_EQ(ToCompanyMicros(Money(5'000'000, ""), Eur(), "x").value(), 5'000'000);

  absl::StatusOr<int64_t> missing = ToCompanyMicros(Money(100'000'000, "CHF"), Eur(), "Hal's fee");
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(missing.status()), "PRICING_NOT_CONFIGURED");
  EXPECT_NE(missing.status().message().find("from CHF to EUR"), std::string::npos)
      << missing.status();
  EXPECT_NE(missing.status().message().find("Hal's fee"), std::string::npos);

  // A rate not yet valid on the day is no rate.
  CompanyCurrency before = Eur();
  before.day = absl::CivilDay(2026, 12, 31);
  EXPECT_EQ(ReasonOf(ToCompanyMicros(Money(1'000'000, "GBP"), before, "x").status()),
            "PRICING_NOT_CONFIGURED");
}

v1::LabourCostLine CostLine(v1::TaskKind kind, google::type::Money work,
                            google::type::Money travel = {}, google::type::Money per_diem = {}) {
  v1::LabourCostLine line;
  line.set_task_kind(kind);
  *line.mutable_work_cost() = work;
  *line.mutable_travel_cost() = travel;
  *line.mutable_per_diem_cost() = per_diem;
  return line;
}

TEST(PlannedLabourCostTest, OnSiteCrewAndHandlingEachSummedPerCurrencyThenConverted) {
  v1::OrderLabourCost cost;
  cost.set_order_id("1001");
  cost.set_planned(true);
  // On site: setup with travel and a per diem, strike paid in GBP.
  *cost.add_lines() = CostLine(v1::TASK_KIND_SETUP, Money(500'000'000, "EUR"),
                               Money(90'000'000, "EUR"), Money(28'000'000, "EUR"));
  *cost.add_lines() = CostLine(v1::TASK_KIND_STRIKE, Money(100'000'000, "GBP"));
  // Handling: prep and the drive out.
  *cost.add_lines() = CostLine(v1::TASK_KIND_PREP, Money(64'000'000, "EUR"));
  *cost.add_lines() = CostLine(v1::TASK_KIND_DELIVER, Money(48'500'000, "EUR"));
  absl::StatusOr<PlannedLabourCost> total = LabourCostOf(cost, Eur());
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(total->crew_micros, 500'000'000 + 90'000'000 + 28'000'000 + 117'000'000);
  EXPECT_EQ(total->handling_micros, 112'500'000);

  *cost.add_lines() = CostLine(v1::TASK_KIND_RETURN, Money(1'000'000, "SEK"));
  total = LabourCostOf(cost, Eur());
  EXPECT_EQ(ReasonOf(total.status()), "PRICING_NOT_CONFIGURED");
  EXPECT_NE(total.status().message().find("from SEK to EUR"), std::string::npos);
}

TEST(PlannedLabourCostTest, LinesWithoutARateCostNothing) {
  v1::OrderLabourCost cost;
  cost.set_order_id("1001");
  *cost.add_lines() = CostLine(v1::TASK_KIND_SETUP, {});
  absl::StatusOr<PlannedLabourCost> total = LabourCostOf(cost, Eur());
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(total->crew_micros, 0);
  EXPECT_EQ(total->handling_micros, 0);
}

TEST(MarginShareTest, MillionthsOfThePriceRoundedHalfAwayFromZero) {
  EXPECT_EQ(MarginMillionths(356'500'000, 1'260'000'000).value(), 282'937);  // 282,936.5079…
  EXPECT_EQ(MarginMillionths(-100'000'000, 300'000'000).value(), -333'333);
  EXPECT_EQ(MarginMillionths(1, 2'000'000).value(), 1);    // exactly 0.5
  EXPECT_EQ(MarginMillionths(-1, 2'000'000).value(), -1);  // exactly -0.5
  EXPECT_EQ(MarginMillionths(-50'000'000, 0).value(), 0);  // nothing charged: no share
}

TEST(LabourMarginRulesTest, PriceCostMarginShareAndTheSentence) {
  const LabourPrice price{1'260'000'000, 28 * kHour};
  v1::OrderLabourCost cost;
  cost.set_order_id("1001");
  cost.set_planned(true);
  *cost.mutable_unstaffed_crew_time() = TimeUtil::SecondsToDuration(4 * kHour);
  v1::LabourCostLine* line = cost.add_lines();
  *line = CostLine(v1::TASK_KIND_SETUP, Money(843'500'000, "EUR"), Money(60'000'000, "EUR"));
  line->set_crew_member_id("vic");
  *cost.add_lines() = CostLine(v1::TASK_KIND_LOAD_OUT, Money(96'000'000, "EUR"));

  absl::StatusOr<v1::LabourMargin> margin = LabourMarginOf(price, cost, Eur());
  ASSERT_TRUE(margin.ok()) << margin.status();
  EXPECT_EQ(margin->order_id(), "1001");
  EXPECT_EQ(common::MoneyToMicros(margin->labour_price(), "x").value(), 1'260'000'000);
  EXPECT_EQ(common::MoneyToMicros(margin->labour_cost(), "x").value(), 903'500'000);
  EXPECT_EQ(common::MoneyToMicros(margin->margin(), "x").value(), 356'500'000);
  EXPECT_EQ(margin->margin().currency_code(), "EUR");
  EXPECT_EQ(margin->margin_millionths(), 282'937);
  EXPECT_TRUE(margin->planned());
  EXPECT_EQ(margin->unstaffed_crew_time().seconds(), 4 * kHour);
  ASSERT_EQ(margin->lines_size(), 2);
  EXPECT_EQ(margin->lines(0).crew_member_id(), "vic");
  EXPECT_EQ(common::MoneyToMicros(margin->handling_cost(), "x").value(), 96'000'000);
  EXPECT_EQ(margin->explanation(),
            "Quote 1,260.00 EUR for 28 h of crew; plan 903.50 EUR on site; margin 356.50 EUR "
            "(28.3 %); 4 h not staffed yet; warehouse and driving 96.00 EUR, carried by the "
            "equipment and delivery charges.");
}

TEST(LabourMarginRulesTest, ALossAnUnplannedOrderAndCrewWithoutARateAreSaid) {
  const LabourPrice price{180'000'000, 4 * kHour};
  v1::OrderLabourCost cost;
  cost.set_order_id("1002");
  cost.set_planned(true);
  *cost.add_lines() = CostLine(v1::TASK_KIND_STRIKE, Money(200'000'000, "GBP"));  // 234.00 EUR
  cost.add_unpriced_crew_member_ids("val");
  absl::StatusOr<v1::LabourMargin> margin = LabourMarginOf(price, cost, Eur());
  ASSERT_TRUE(margin.ok()) << margin.status();
  EXPECT_EQ(common::MoneyToMicros(margin->margin(), "x").value(), -54'000'000);
  EXPECT_EQ(margin->margin_millionths(), -300'000);
  EXPECT_EQ(margin->explanation(),
            "Quote 180.00 EUR for 4 h of crew; plan 234.00 EUR on site; margin -54.00 EUR "
            "(-30.0 %); no cost rate for val; warehouse and driving 0.00 EUR, carried by the "
            "equipment and delivery charges.");

  v1::OrderLabourCost unplanned;
  unplanned.set_order_id("1003");
  margin = LabourMarginOf(LabourPrice{90'000'000, 2 * kHour + 30 * 60}, unplanned, Eur());
  ASSERT_TRUE(margin.ok()) << margin.status();
  EXPECT_FALSE(margin->planned());
  EXPECT_EQ(common::MoneyToMicros(margin->labour_cost(), "x").value(), 0);
  EXPECT_EQ(margin->margin_millionths(), 1'000'000);
  EXPECT_EQ(margin->explanation(),
            "Quote 90.00 EUR for 2 h 30 min of crew; not planned yet, so no cost; margin 90.00 EUR "
            "(100.0 %).");
}

}  // namespace
}  // namespace salesops::order_intake
