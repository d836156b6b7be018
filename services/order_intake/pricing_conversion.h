#pragma once

// The pricing configuration as stored (pricing.proto) turned into what the pure engine takes
// (rating.h). Pure: the PostgreSQL store reads the records and hands them here.
#include <absl/status/statusor.h>

#include <vector>

#include "salesops/v1/pricing.pb.h"
#include "services/order_intake/pricing_store.h"
#include "services/order_intake/rating.h"

namespace salesops::order_intake {

rating::Validity ValidityFromProto(const v1::Validity& validity);
rating::TaxClass TaxClassFromProto(v1::TaxClass tax_class);

// OUT_OF_RANGE when an amount does not fit in micros (never for a record that passed
// pricing_rules.h).
absl::StatusOr<rating::RateDefinition> RateDefinitionFromProto(
    const v1::RateDefinition& definition);
absl::StatusOr<rating::Product> ProductFromProto(const v1::ProductRate& rate);
// With the list's name and organisation, as the quote line shows them.
absl::StatusOr<rating::PriceList> PriceListFromProto(const v1::PriceList& list);
rating::TaxRate TaxRateFromProto(const v1::TaxRate& rate);
rating::ExchangeRate ExchangeRateFromProto(const v1::ExchangeRate& rate);

// The records of one snapshot, as the engine takes them.
struct PricingRecords {
  std::vector<v1::ProductRate> product_rates;
  std::vector<v1::PriceList> price_lists;
  std::vector<v1::TaxRate> tax_rates;
  std::vector<v1::ExchangeRate> exchange_rates;
};
absl::StatusOr<PricingConfig> PricingConfigFromProtos(const PricingRecords& records);

}  // namespace salesops::order_intake
