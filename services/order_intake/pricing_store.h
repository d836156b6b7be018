#pragma once

#include <absl/status/statusor.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "salesops/v1/pricing.pb.h"
#include "services/common/sql_text.h"
#include "services/order_intake/directory_store.h"
#include "services/order_intake/order_store.h"
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

// A look at a record as it is, under its lock, before it is changed or removed; an error writes
// nothing.
template <typename Record>
using RecordCheck = std::function<absl::Status(const Record&)>;
// A look at the records a new one must agree with (tax rates of the same class and
// jurisdiction; exchange rates of the same pair), taken under a lock that keeps another such
// record from being added meanwhile; an error writes nothing.
template <typename Record>
using SiblingsCheck = std::function<absl::Status(const std::vector<Record>&)>;

// The pricing configuration ADMIN keeps: rate definitions per product, price lists, tax rates
// and exchange rates. The store assigns ids ("pl-1001", "tax-1001", "fx-1001"), revisions and
// etags, and records every write and removal with its actor. Writes are AIP-155 calls, as the
// directory's are (directory_store.h): the answer is remembered in the write's transaction,
// and a retry of `call` finds call.response filled with the first answer and writes nothing.
class PricingStore {
 public:
  virtual ~PricingStore() = default;

  // The whole configuration, read in one snapshot, for pricing a quote.
  virtual absl::StatusOr<PricingConfig> LoadPricingConfig() = 0;

  // Stores `rate` as its product's (revision 1, or one more than the rate it replaces).
  // `check` sees the rate it replaces, if any, under its row lock (nullptr: none).
  virtual absl::Status SetProductRate(
      const IdempotentCall& call, v1::ProductRate rate,
      const std::function<absl::Status(const v1::ProductRate* replaced)>& check,
      const RecordAnswer<v1::ProductRate>& answer) = 0;
  // By product code; `after` is the page key ("" for the first page).
  virtual absl::StatusOr<common::Page<v1::ProductRate>> ListProductRates(
      int limit, const std::string& after) = 0;
  virtual absl::Status DeleteProductRate(const IdempotentCall& call,
                                         const std::string& product_code,
                                         const RecordCheck<v1::ProductRate>& check) = 0;

  // ALREADY_EXISTS when another list has the name.
  virtual absl::Status CreatePriceList(const IdempotentCall& call, v1::PriceList list,
                                       const RecordAnswer<v1::PriceList>& answer) = 0;
  virtual absl::StatusOr<v1::PriceList> GetPriceList(const std::string& pricelist_id) = 0;
  // Oldest first.
  virtual absl::StatusOr<common::Page<v1::PriceList>> ListPriceLists(int limit,
                                                                     const std::string& after) = 0;
  virtual absl::Status UpdatePriceList(const IdempotentCall& call, const std::string& pricelist_id,
                                       const RecordChange<v1::PriceList>& change,
                                       const RecordAnswer<v1::PriceList>& answer) = 0;
  virtual absl::Status DeletePriceList(const IdempotentCall& call, const std::string& pricelist_id,
                                       const RecordCheck<v1::PriceList>& check) = 0;

  // `check` sees the rates of the same class and jurisdiction.
  virtual absl::Status CreateTaxRate(const IdempotentCall& call, v1::TaxRate rate,
                                     const SiblingsCheck<v1::TaxRate>& check,
                                     const RecordAnswer<v1::TaxRate>& answer) = 0;
  // Oldest first.
  virtual absl::StatusOr<common::Page<v1::TaxRate>> ListTaxRates(int limit,
                                                                 const std::string& after) = 0;
  virtual absl::Status DeleteTaxRate(const IdempotentCall& call, const std::string& taxrate_id) = 0;

  // `check` sees the rates of the same pair of currencies.
  virtual absl::Status CreateExchangeRate(const IdempotentCall& call, v1::ExchangeRate rate,
                                          const SiblingsCheck<v1::ExchangeRate>& check,
                                          const RecordAnswer<v1::ExchangeRate>& answer) = 0;
  // Oldest first.
  virtual absl::StatusOr<common::Page<v1::ExchangeRate>> ListExchangeRates(
      int limit, const std::string& after) = 0;
  virtual absl::Status DeleteExchangeRate(const IdempotentCall& call,
                                          const std::string& exchangerate_id) = 0;
};

}  // namespace salesops::order_intake
