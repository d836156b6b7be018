// What people type for the pricing configuration (cli/pricing_spec.h), and that what
// salesopsctl prints reads back the same.
#include "cli/pricing_spec.h"

#include <gtest/gtest.h>

namespace salesops::cli {
namespace {

TEST(PricingSpecTest, PercentagesAsPeopleTypeThem) {
  EXPECT_EQ(*ParsePercentMillionths("19 %"), 190'000);
  EXPECT_EQ(*ParsePercentMillionths("19%"), 190'000);
  EXPECT_EQ(*ParsePercentMillionths("8.875 %"), 88'750);
  EXPECT_EQ(*ParsePercentMillionths("7"), 70'000);
  EXPECT_EQ(*ParsePercentBasisPoints("90 %"), 9'000);
  EXPECT_EQ(*ParsePercentBasisPoints("12.5%"), 1'250);
  for (const char* bad : {"", "%", "-5 %", "19,5 %", "1.23456 %", "nineteen", "19 % %"}) {
    EXPECT_FALSE(ParsePercentMillionths(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParsePercentBasisPoints("2000 %").ok());
  EXPECT_EQ(FormatPercentMillionths(190'000), "19 %");
  EXPECT_EQ(FormatPercentMillionths(88'750), "8.875 %");
  EXPECT_EQ(FormatPercentBasisPoints(8'500), "85 %");
}

TEST(PricingSpecTest, FactorsAndDays) {
  EXPECT_EQ(*ParseFactorMillionths("1.083"), 1'083'000);
  EXPECT_EQ(*ParseFactorMillionths("3"), 3'000'000);
  EXPECT_FALSE(ParseFactorMillionths("1.0000001").ok());
  EXPECT_FALSE(ParseFactorMillionths("1e3").ok());
  EXPECT_EQ(FormatFactor(1'083'000), "1.083");
  EXPECT_EQ(FormatFactor(3'000'000), "3.0");
  const absl::StatusOr<google::type::Date> day = ParseDay("2027-06-01");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(FormatDay(*day), "2027-06-01");
  EXPECT_FALSE(ParseDay("2027-02-30x").ok());
}

TEST(PricingSpecTest, RatesOfEachKindReadBackAsPrinted) {
  const absl::StatusOr<v1::RateDefinition> wall =
      ParseRateSpec("500 EUR/day factors 1:1,2:0.5,4:0.25 week-cap 3", "EUR");
  ASSERT_TRUE(wall.ok()) << wall.status();
  EXPECT_EQ(wall->kind(), v1::RATE_KIND_PER_DAY);
  EXPECT_EQ(wall->rate().units(), 500);
  ASSERT_EQ(wall->day_factors_size(), 3);
  EXPECT_EQ(wall->day_factors(1).from_day(), 2);
  EXPECT_EQ(wall->day_factors(1).factor_millionths(), 500'000);
  EXPECT_EQ(wall->week_cap_millionths(), 3'000'000);
  EXPECT_EQ(FormatRateSpec(*wall), "500.00 EUR/day factors 1:1.0,2:0.5,4:0.25 week-cap 3.0");
  EXPECT_EQ(ParseRateSpec(FormatRateSpec(*wall), "USD")->SerializeAsString(),
            wall->SerializeAsString());

  const absl::StatusOr<v1::RateDefinition> crew = ParseRateSpec("45.50/hour minimum 90", "EUR");
  ASSERT_TRUE(crew.ok()) << crew.status();
  EXPECT_EQ(crew->kind(), v1::RATE_KIND_HOURLY);
  EXPECT_EQ(crew->rate().nanos(), 500'000'000);
  EXPECT_EQ(crew->minimum_charge().units(), 90);
  EXPECT_EQ(crew->minimum_charge().currency_code(), "EUR");
  EXPECT_EQ(FormatRateSpec(*crew), "45.50 EUR/hour minimum 90.00 EUR");

  EXPECT_EQ(ParseRateSpec("250 EUR fixed", "EUR")->kind(), v1::RATE_KIND_FIXED);
  for (const char* bad : {"500 EUR", "EUR/day", "500 EUR/day factors", "500 EUR/day factors 1-1",
                          "500 EUR/day cap 3"}) {
    EXPECT_FALSE(ParseRateSpec(bad, "EUR").ok()) << bad;
  }
}

TEST(PricingSpecTest, OverridesAreAShareOrARate) {
  const absl::StatusOr<v1::PriceOverride> share = ParseOverride("TRUSS-SET=80%", "EUR");
  ASSERT_TRUE(share.ok());
  EXPECT_EQ(share->product_code(), "TRUSS-SET");
  EXPECT_EQ(share->percent_of_catalog_bp(), 8'000);
  const absl::StatusOr<v1::PriceOverride> rate =
      ParseOverride("LED-WALL-3X2=450 EUR/day factors 1:1,2:0.75", "EUR");
  ASSERT_TRUE(rate.ok()) << rate.status();
  EXPECT_EQ(rate->definition().rate().units(), 450);
  EXPECT_EQ(FormatOverride(*rate), "LED-WALL-3X2=450.00 EUR/day factors 1:1.0,2:0.75");
  EXPECT_FALSE(ParseOverride("LED-WALL-3X2", "EUR").ok());
}

}  // namespace
}  // namespace salesops::cli
