// The pricing configuration's rules (pricing_rules.h) and its conversion into what the engine
// takes (pricing_conversion.h): bad records named field by field, overlapping tax rates refused
// naming the other, and a configuration as stored pricing exactly as rating_test's own tables.
#include "services/order_intake/pricing_rules.h"

#include <absl/strings/str_cat.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/common/errors.h"
#include "services/common/grpc_errors.h"
#include "services/order_intake/pricing_conversion.h"
#include "tests/order_intake/pricing_records.h"

namespace salesops::order_intake {
namespace {

using common::FieldViolation;
using salesops::testing::Day;
using salesops::testing::Eur;
using salesops::testing::IssuePerDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kEur = 1'000'000;

v1::Validity Days(std::optional<google::type::Date> first, std::optional<google::type::Date> last) {
  v1::Validity validity;
  if (first) *validity.mutable_first_day() = *first;
  if (last) *validity.mutable_last_day() = *last;
  return validity;
}

std::vector<std::string> FieldsOf(const std::vector<FieldViolation>& violations) {
  std::vector<std::string> fields;
  for (const FieldViolation& violation : violations) fields.push_back(violation.field);
  return fields;
}

TEST(PricingRulesTest, CurrencyAndJurisdictionShapes) {
  EXPECT_TRUE(IsCurrencyCode("EUR"));
  for (const char* bad : {"eur", "EU", "EURO", "E1R", "", "EU\0"}) {
    EXPECT_FALSE(IsCurrencyCode(bad)) << bad;
  }
  for (const char* good : {"DE", "US-NY", "FR-75", "GB-ENG"}) EXPECT_TRUE(IsJurisdiction(good));
  for (const char* bad : {"D", "de", "DEU", "US-", "US-NEWY", "US_NY", "US-ny", "-NY", ""}) {
    EXPECT_FALSE(IsJurisdiction(bad)) << bad;
  }
}

TEST(PricingRulesTest, ADayFactorTableStartsAtDayOneAscendsAndHasFactorsAboveZero) {
  EXPECT_THAT(RateDefinitionViolations(IssuePerDay(500), "productrate.definition"), IsEmpty());

  v1::RateDefinition late_start = IssuePerDay(500);
  late_start.mutable_day_factors(0)->set_from_day(2);
  late_start.mutable_day_factors(1)->set_from_day(3);
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(late_start, "d")),
              ElementsAre("d.day_factors[0].from_day"));

  v1::RateDefinition descending = IssuePerDay(500);
  descending.mutable_day_factors(2)->set_from_day(2);
  descending.mutable_day_factors(1)->set_factor_millionths(0);
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(descending, "d")),
              ElementsAre("d.day_factors[1].factor_millionths", "d.day_factors[2].from_day"));

  v1::RateDefinition no_cap = IssuePerDay(500);
  no_cap.set_week_cap_millionths(0);
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(no_cap, "d")), ElementsAre("d.week_cap_millionths"))
      << "present, so more than 0";
}

TEST(PricingRulesTest, OnlyPerDayRatesHaveDayFactorsAndAWeekCap) {
  v1::RateDefinition fixed = IssuePerDay(250);
  fixed.set_kind(v1::RATE_KIND_FIXED);
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(fixed, "d")),
              ElementsAre("d.day_factors", "d.week_cap_millionths"));
}

TEST(PricingRulesTest, AmountsAreAtLeastZeroFitAndShareTheRatesCurrency) {
  v1::RateDefinition definition;
  definition.set_kind(v1::RATE_KIND_HOURLY);
  *definition.mutable_rate() = Eur(-45);
  *definition.mutable_minimum_charge() = Eur(90);
  definition.mutable_minimum_charge()->set_currency_code("USD");
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(definition, "d")),
              ElementsAre("d.rate", "d.minimum_charge.currency_code"));

  *definition.mutable_rate() = Eur(9'000'000'000'000'000'000);
  definition.mutable_minimum_charge()->set_currency_code("EUR");
  const std::vector<FieldViolation> huge = RateDefinitionViolations(definition, "d");
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge[0].field, "d.rate");
  EXPECT_THAT(huge[0].description, HasSubstr("more than salesops can compute with"));

  definition.clear_rate();
  EXPECT_THAT(FieldsOf(RateDefinitionViolations(definition, "d")),
              ElementsAre("d.rate", "d.minimum_charge.currency_code"));
}

TEST(PricingRulesTest, ValidityHasFullDatesInOrder) {
  EXPECT_THAT(ValidityViolations(Days(Day(2027, 6, 1), Day(2027, 8, 31)), "v"), IsEmpty());
  EXPECT_THAT(ValidityViolations(Days(Day(2027, 6, 1), Day(2027, 6, 1)), "v"), IsEmpty())
      << "one day";
  EXPECT_THAT(ValidityViolations(Days(std::nullopt, std::nullopt), "v"), IsEmpty()) << "always";
  EXPECT_THAT(FieldsOf(ValidityViolations(Days(Day(2027, 8, 31), Day(2027, 6, 1)), "v")),
              ElementsAre("v.last_day"));
  EXPECT_THAT(FieldsOf(ValidityViolations(Days(Day(2027, 2, 30), Day(0, 6, 1)), "v")),
              ElementsAre("v.first_day", "v.last_day"));
  EXPECT_THAT(FieldsOf(ValidityViolations(Days(Day(2027, 13, 1), Day(2027, 6, 0)), "v")),
              ElementsAre("v.first_day", "v.last_day"));
}

TEST(PricingRulesTest, APriceListNamesEachProductOnceAndSaysSomethingAboutIt) {
  v1::PriceList list;
  list.set_name("Tour 2027");
  *list.mutable_validity() = Days(Day(2027, 9, 1), Day(2027, 6, 1));
  v1::PriceOverride* wall = list.add_overrides();
  wall->set_product_code("LED-WALL");
  wall->set_percent_of_catalog_bp(9'000);
  v1::PriceOverride* again = list.add_overrides();
  again->set_product_code("LED-WALL");
  *again->mutable_definition() = IssuePerDay(400);
  again->mutable_definition()->mutable_day_factors(0)->set_from_day(0);
  list.add_overrides()->set_product_code("TRUSS-SET");
  EXPECT_THAT(FieldsOf(PriceListViolations(list, "pricelist")),
              ElementsAre("pricelist.validity.last_day", "pricelist.overrides[1].product_code",
                          "pricelist.overrides[1].definition.day_factors[0].from_day",
                          "pricelist.overrides[2]"));
}

TEST(PricingRulesTest, ExchangeRatesNeedTwoDifferentCurrencies) {
  v1::ExchangeRate rate;
  rate.set_from_currency("EUR");
  rate.set_to_currency("EUR");
  rate.set_factor_millionths(1'000'000);
  EXPECT_THAT(FieldsOf(ExchangeRateViolations(rate, "exchangerate")),
              ElementsAre("exchangerate.to_currency"));
  rate.set_from_currency("euro");
  rate.set_to_currency("usd");
  EXPECT_THAT(FieldsOf(ExchangeRateViolations(rate, "exchangerate")),
              ElementsAre("exchangerate.from_currency", "exchangerate.to_currency"));
}

TEST(PricingRulesTest, ATaxRateNeedsAJurisdictionOfIsoShape) {
  v1::TaxRate rate;
  rate.set_jurisdiction("Germany");
  EXPECT_THAT(FieldsOf(TaxRateViolations(rate, "taxrate")), ElementsAre("taxrate.jurisdiction"));
}

v1::TaxRate Vat(const std::string& id, int64_t millionths, v1::Validity validity,
                v1::TaxClass tax_class = v1::TAX_CLASS_EQUIPMENT) {
  v1::TaxRate rate;
  rate.set_taxrate_id(id);
  rate.set_tax_class(tax_class);
  rate.set_jurisdiction("DE");
  rate.set_tax_millionths(millionths);
  rate.set_name(absl::StrCat("USt ", millionths / 10'000, " %"));
  *rate.mutable_validity() = std::move(validity);
  return rate;
}

TEST(PricingRulesTest, AnOverlappingTaxRateIsRefusedNamingTheOther) {
  const std::vector<v1::TaxRate> existing = {
      Vat("tax-1001", 190'000, Days(std::nullopt, Day(2020, 6, 30))),
      Vat("tax-1002", 160'000, Days(Day(2020, 7, 1), Day(2020, 12, 31))),
      Vat("tax-1003", 70'000, Days(std::nullopt, std::nullopt), v1::TAX_CLASS_TRANSPORT)};
  // From 2021 on, open-ended: shares no day with either equipment rate.
  EXPECT_TRUE(
      CheckTaxRateOverlap(Vat("", 190'000, Days(Day(2021, 1, 1), std::nullopt)), existing).ok());

  const absl::Status overlap =
      CheckTaxRateOverlap(Vat("", 190'000, Days(Day(2020, 12, 31), std::nullopt)), existing);
  EXPECT_EQ(overlap.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(overlap.message(), HasSubstr("tax-1002"));
  EXPECT_THAT(overlap.message(), HasSubstr("USt 16 %"));
  EXPECT_THAT(overlap.message(), HasSubstr("2020-07-01 to 2020-12-31"));

  const absl::Status always =
      CheckTaxRateOverlap(Vat("", 190'000, Days(std::nullopt, std::nullopt)), existing);
  EXPECT_THAT(always.message(), HasSubstr("tax-1001"));
  // Another jurisdiction or class is not an overlap.
  v1::TaxRate austria = Vat("", 200'000, Days(std::nullopt, std::nullopt));
  austria.set_jurisdiction("AT");
  EXPECT_TRUE(CheckTaxRateOverlap(austria, existing).ok());
}

TEST(PricingRulesTest, TwoExchangeRatesOfAPairFromTheSameDayClash) {
  v1::ExchangeRate october;
  october.set_exchangerate_id("fx-1001");
  october.set_from_currency("EUR");
  october.set_to_currency("USD");
  october.set_factor_millionths(1'083'000);
  *october.mutable_validity() = Days(Day(2027, 10, 1), std::nullopt);
  v1::ExchangeRate november = october;
  november.clear_exchangerate_id();
  *november.mutable_validity() = Days(Day(2027, 11, 1), std::nullopt);
  EXPECT_TRUE(CheckExchangeRateClash(november, {october}).ok()) << "the later one supersedes";
  november.mutable_validity()->mutable_first_day()->set_month(10);
  const absl::Status clash = CheckExchangeRateClash(november, {october});
  EXPECT_EQ(clash.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(clash.message(), HasSubstr("fx-1001"));
}

// ---------------------------------------------------------------------------------------------
// Conversion

TEST(PricingConversionTest, ADayFactorTableAsStoredPricesAsTheEnginesOwn) {
  PricingRecords records;
  v1::ProductRate wall;
  wall.set_product_code("LED-WALL");
  *wall.mutable_definition() = IssuePerDay(500);
  records.product_rates.push_back(wall);
  absl::StatusOr<PricingConfig> config = PricingConfigFromProtos(records);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->product_rates.contains("LED-WALL"));
  const rating::Product& product = config->product_rates.at("LED-WALL");
  EXPECT_EQ(product.tax_class, rating::TaxClass::kEquipment);
  EXPECT_EQ(product.rate.currency, "EUR");

  // rating_test's PerDayFromTheCatalog and its week cap, to the micro and word for word.
  rating::LineRequest line;
  line.product_code = "LED-WALL";
  line.quantity = 2;
  line.days = 3;
  const absl::StatusOr<rating::LinePrice> price =
      rating::PriceLine(line, config->product_rates, {}, "ACME", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->total_micros, 2'000 * kEur);
  EXPECT_EQ(price->explanation,
            "catalog: 3 days at day factor 2.0 x 500.00 EUR x 2 = 2,000.00 EUR (day 1 at 1.0 + "
            "days 2-3 at 0.5 = 2.0)");
  const int64_t expected[] = {1'000'000, 1'500'000, 2'000'000, 2'250'000, 2'500'000,
                              2'750'000, 3'000'000, 3'250'000, 3'500'000, 3'750'000};
  for (int64_t days = 1; days <= 10; ++days) {
    absl::StatusOr<rating::DayFactor> factor =
        rating::ComputeDayFactor(product.rate.day_factors, days);
    ASSERT_TRUE(factor.ok()) << factor.status();
    EXPECT_EQ(factor->total_millionths, expected[days - 1]) << days << " days";
  }
}

TEST(PricingConversionTest, KindsMinimumChargeAndTaxClass) {
  v1::ProductRate technician;
  technician.set_product_code("TECHNICIAN");
  technician.mutable_definition()->set_kind(v1::RATE_KIND_HOURLY);
  *technician.mutable_definition()->mutable_rate() = Eur(45, 500'000'000);
  *technician.mutable_definition()->mutable_minimum_charge() = Eur(180);
  technician.set_tax_class(v1::TAX_CLASS_LABOUR);
  absl::StatusOr<rating::Product> product = ProductFromProto(technician);
  ASSERT_TRUE(product.ok()) << product.status();
  EXPECT_EQ(product->rate.kind, rating::RateKind::kHourly);
  EXPECT_EQ(product->rate.rate_micros, 45'500'000);
  EXPECT_EQ(product->rate.minimum_charge_micros, 180 * kEur);
  EXPECT_EQ(product->tax_class, rating::TaxClass::kLabour);
  EXPECT_TRUE(product->rate.day_factors.steps.empty());
  EXPECT_FALSE(product->rate.day_factors.week_cap_millionths.has_value());
}

TEST(PricingConversionTest, APriceListKeepsItsNameOrganisationPeriodAndOverrides) {
  v1::PriceList list;
  list.set_pricelist_id("pl-1001");
  list.set_name("Tour 2027");
  list.set_organisation_id("org-1001");
  *list.mutable_validity() = Days(Day(2027, 6, 1), Day(2027, 8, 31));
  v1::PriceOverride* wall = list.add_overrides();
  wall->set_product_code("LED-WALL");
  *wall->mutable_definition() = IssuePerDay(500);
  wall->mutable_definition()->mutable_day_factors(1)->set_factor_millionths(750'000);
  v1::PriceOverride* truss = list.add_overrides();
  truss->set_product_code("TRUSS-SET");
  truss->set_percent_of_catalog_bp(8'000);
  absl::StatusOr<rating::PriceList> converted = PriceListFromProto(list);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_EQ(converted->name, "Tour 2027");
  EXPECT_EQ(converted->organisation_id, "org-1001");
  EXPECT_EQ(converted->period.from, absl::CivilDay(2027, 6, 1));
  EXPECT_EQ(converted->period.until, absl::CivilDay(2027, 8, 31));
  EXPECT_FALSE(converted->everything_else_percent_bp.has_value())
      << "absent: the list says nothing about other products";
  ASSERT_TRUE(converted->overrides.at("LED-WALL").rate.has_value());
  EXPECT_FALSE(converted->overrides.at("TRUSS-SET").rate.has_value());
  EXPECT_EQ(converted->overrides.at("TRUSS-SET").percent_of_catalog_bp, 8'000);

  // rating_test's TheQuoteLineNamesTheList: the organisation's season deal wins and says so.
  rating::Catalog catalog;
  absl::StatusOr<rating::RateDefinition> catalog_rate = RateDefinitionFromProto(IssuePerDay(500));
  ASSERT_TRUE(catalog_rate.ok());
  catalog["LED-WALL"] = {*catalog_rate, rating::TaxClass::kEquipment};
  rating::LineRequest line;
  line.product_code = "LED-WALL";
  line.quantity = 2;
  line.days = 3;
  const absl::StatusOr<rating::LinePrice> tour =
      rating::PriceLine(line, catalog, {*converted}, "org-1001", absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(tour.ok()) << tour.status();
  EXPECT_EQ(tour->total_micros, 2'500 * kEur);
  EXPECT_EQ(tour->priced_by, "price list 'Tour 2027'");

  list.set_everything_else_percent_bp(0);
  converted = PriceListFromProto(list);
  ASSERT_TRUE(converted.ok());
  EXPECT_EQ(converted->everything_else_percent_bp, 0) << "present, even at 0 %";
}

TEST(PricingConversionTest, TaxAndExchangeRatesKeepTheirValidity) {
  PricingRecords records;
  records.tax_rates.push_back(
      Vat("tax-1001", 70'000, Days(Day(2027, 1, 1), std::nullopt), v1::TAX_CLASS_TRANSPORT));
  v1::ExchangeRate rate;
  rate.set_from_currency("EUR");
  rate.set_to_currency("USD");
  rate.set_factor_millionths(1'083'000);
  *rate.mutable_validity() = Days(std::nullopt, Day(2027, 12, 31));
  records.exchange_rates.push_back(rate);
  absl::StatusOr<PricingConfig> config = PricingConfigFromProtos(records);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->tax_rates.size(), 1u);
  EXPECT_EQ(config->tax_rates[0].tax_class, rating::TaxClass::kTransport);
  EXPECT_EQ(config->tax_rates[0].jurisdiction, "DE");
  EXPECT_EQ(config->tax_rates[0].rate_millionths, 70'000);
  EXPECT_EQ(config->tax_rates[0].validity.from, absl::CivilDay(2027, 1, 1));
  EXPECT_FALSE(config->tax_rates[0].validity.until.has_value());
  ASSERT_EQ(config->exchange_rates.size(), 1u);
  EXPECT_EQ(config->exchange_rates[0].from, "EUR");
  EXPECT_EQ(config->exchange_rates[0].to, "USD");
  EXPECT_EQ(config->exchange_rates[0].rate_millionths, 1'083'000);
  EXPECT_FALSE(config->exchange_rates[0].validity.from.has_value());
  EXPECT_EQ(config->exchange_rates[0].validity.until, absl::CivilDay(2027, 12, 31));
}

}  // namespace
}  // namespace salesops::order_intake
