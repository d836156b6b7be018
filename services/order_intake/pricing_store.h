#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>
#include <vector>

#include "services/order_intake/rating.h"

namespace salesops::order_intake {

// Everything a quote is priced with (issue 17 items 2-3), as the pure engine (rating.h) takes
// it. Products without a rate definition are priced per day at the catalog's day rate, taxed
// as equipment.
struct PricingConfig {
  std::map<std::string, rating::Product> product_rates;  // by product code
  std::vector<rating::PriceList> price_lists;
  std::vector<rating::TaxRate> tax_rates;
  std::vector<rating::ExchangeRate> exchange_rates;
};

// The pricing configuration ADMIN keeps: rate definitions per product, price lists, tax rates
// and exchange rates.
class PricingStore {
 public:
  virtual ~PricingStore() = default;

  // The whole configuration, read in one snapshot, for pricing a quote.
  virtual absl::StatusOr<PricingConfig> LoadPricingConfig() = 0;
};

}  // namespace salesops::order_intake
