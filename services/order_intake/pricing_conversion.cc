#include "services/order_intake/pricing_conversion.h"

#include <absl/strings/str_cat.h>

#include "services/common/errors.h"
#include "services/common/money.h"
#include "services/order_intake/pricing_rules.h"

namespace salesops::order_intake {

rating::Validity ValidityFromProto(const v1::Validity& validity) {
  rating::Validity converted;
  if (validity.has_first_day()) converted.from = CivilDayOf(validity.first_day());
  if (validity.has_last_day()) converted.until = CivilDayOf(validity.last_day());
  return converted;
}

rating::TaxClass TaxClassFromProto(v1::TaxClass tax_class) {
  switch (tax_class) {
    case v1::TAX_CLASS_LABOUR:
      return rating::TaxClass::kLabour;
    case v1::TAX_CLASS_TRANSPORT:
      return rating::TaxClass::kTransport;
    default:
      return rating::TaxClass::kEquipment;
  }
}

absl::StatusOr<rating::RateDefinition> RateDefinitionFromProto(
    const v1::RateDefinition& definition) {
  rating::RateDefinition converted;
  switch (definition.kind()) {
    case v1::RATE_KIND_FIXED:
      converted.kind = rating::RateKind::kFixed;
      break;
    case v1::RATE_KIND_HOURLY:
      converted.kind = rating::RateKind::kHourly;
      break;
    default:
      converted.kind = rating::RateKind::kPerDay;
      break;
  }
  SALESOPS_ASSIGN_OR_RETURN(converted.rate_micros,
                            common::MoneyToMicros(definition.rate(), "the rate"));
  converted.currency = definition.rate().currency_code();
  for (const v1::DayFactorStep& step : definition.day_factors()) {
    converted.day_factors.steps.push_back({step.from_day(), step.factor_millionths()});
  }
  if (definition.has_week_cap_millionths()) {
    converted.day_factors.week_cap_millionths = definition.week_cap_millionths();
  }
  if (definition.has_minimum_charge()) {
    SALESOPS_ASSIGN_OR_RETURN(
        converted.minimum_charge_micros,
        common::MoneyToMicros(definition.minimum_charge(), "the minimum charge"));
  }
  return converted;
}

absl::StatusOr<rating::Product> ProductFromProto(const v1::ProductRate& rate) {
  rating::Product product;
  SALESOPS_ASSIGN_OR_RETURN(product.rate, RateDefinitionFromProto(rate.definition()));
  product.tax_class = TaxClassFromProto(rate.tax_class());
  return product;
}

absl::StatusOr<rating::PriceList> PriceListFromProto(const v1::PriceList& list) {
  rating::PriceList converted;
  converted.name = list.name();
  converted.organisation_id = list.organisation_id();
  converted.period = ValidityFromProto(list.validity());
  for (const v1::PriceOverride& entry : list.overrides()) {
    rating::PriceOverride override_terms;
    if (entry.has_definition()) {
      SALESOPS_ASSIGN_OR_RETURN(override_terms.rate, RateDefinitionFromProto(entry.definition()));
    } else {
      override_terms.percent_of_catalog_bp = entry.percent_of_catalog_bp();
    }
    converted.overrides[entry.product_code()] = std::move(override_terms);
  }
  if (list.has_everything_else_percent_bp()) {
    converted.everything_else_percent_bp = list.everything_else_percent_bp();
  }
  return converted;
}

rating::TaxRate TaxRateFromProto(const v1::TaxRate& rate) {
  return {TaxClassFromProto(rate.tax_class()), rate.jurisdiction(), rate.tax_millionths(),
          ValidityFromProto(rate.validity())};
}

rating::ExchangeRate ExchangeRateFromProto(const v1::ExchangeRate& rate) {
  return {rate.from_currency(), rate.to_currency(), rate.factor_millionths(),
          ValidityFromProto(rate.validity())};
}

absl::StatusOr<PricingConfig> PricingConfigFromProtos(const PricingRecords& records) {
  PricingConfig config;
  for (const v1::ProductRate& rate : records.product_rates) {
    absl::StatusOr<rating::Product> product = ProductFromProto(rate);
    if (!product.ok()) {
      return absl::Status(product.status().code(), absl::StrCat("the rate of ", rate.product_code(),
                                                                ": ", product.status().message()));
    }
    config.product_rates[rate.product_code()] = *std::move(product);
  }
  for (const v1::PriceList& list : records.price_lists) {
    absl::StatusOr<rating::PriceList> converted = PriceListFromProto(list);
    if (!converted.ok()) {
      return absl::Status(
          converted.status().code(),
          absl::StrCat("price list '", list.name(), "': ", converted.status().message()));
    }
    config.price_lists.push_back(*std::move(converted));
  }
  for (const v1::TaxRate& rate : records.tax_rates) {
    config.tax_rates.push_back(TaxRateFromProto(rate));
  }
  for (const v1::ExchangeRate& rate : records.exchange_rates) {
    config.exchange_rates.push_back(ExchangeRateFromProto(rate));
  }
  return config;
}

}  // namespace salesops::order_intake
