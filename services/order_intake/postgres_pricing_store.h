#pragma once

#include <mutex>
#include <optional>

#include "services/common/db_pool.h"
#include "services/order_intake/pricing_store.h"

namespace salesops::order_intake {

// The pricing configuration in order-intake's PostgreSQL database (migrations/0104_pricing.sql):
// each record's proto as a bytea body with the columns lookups and locks need, and every write
// and removal in pricing_changes.
class PostgresPricingStore final : public PricingStore {
 public:
  explicit PostgresPricingStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<PricingConfig> LoadPricingConfig() override;

  absl::Status SetProductRate(
      const IdempotentCall& call, v1::ProductRate rate,
      const std::function<absl::Status(const v1::ProductRate* replaced)>& check,
      const RecordAnswer<v1::ProductRate>& answer) override;
  absl::StatusOr<common::Page<v1::ProductRate>> ListProductRates(int limit,
                                                                 const std::string& after) override;
  absl::Status DeleteProductRate(const IdempotentCall& call, const std::string& product_code,
                                 const RecordCheck<v1::ProductRate>& check) override;

  absl::Status CreatePriceList(const IdempotentCall& call, v1::PriceList list,
                               const RecordAnswer<v1::PriceList>& answer) override;
  absl::StatusOr<v1::PriceList> GetPriceList(const std::string& pricelist_id) override;
  absl::StatusOr<common::Page<v1::PriceList>> ListPriceLists(int limit,
                                                             const std::string& after) override;
  absl::Status UpdatePriceList(const IdempotentCall& call, const std::string& pricelist_id,
                               const RecordChange<v1::PriceList>& change,
                               const RecordAnswer<v1::PriceList>& answer) override;
  absl::Status DeletePriceList(const IdempotentCall& call, const std::string& pricelist_id,
                               const RecordCheck<v1::PriceList>& check) override;

  absl::Status CreateTaxRate(const IdempotentCall& call, v1::TaxRate rate,
                             const SiblingsCheck<v1::TaxRate>& check,
                             const RecordAnswer<v1::TaxRate>& answer) override;
  absl::StatusOr<common::Page<v1::TaxRate>> ListTaxRates(int limit,
                                                         const std::string& after) override;
  absl::Status DeleteTaxRate(const IdempotentCall& call, const std::string& taxrate_id) override;

  absl::Status CreateExchangeRate(const IdempotentCall& call, v1::ExchangeRate rate,
                                  const SiblingsCheck<v1::ExchangeRate>& check,
                                  const RecordAnswer<v1::ExchangeRate>& answer) override;
  absl::StatusOr<common::Page<v1::ExchangeRate>> ListExchangeRates(
      int limit, const std::string& after) override;
  absl::Status DeleteExchangeRate(const IdempotentCall& call,
                                  const std::string& exchangerate_id) override;

 private:
  common::ConnectionPool& pool_;
  // Every quote is priced with the whole configuration, which changes when ADMIN edits it: the
  // last one read, with the count of pricing_changes it was read at. pricing_changes is
  // append-only and every write adds to it in its own transaction, so an equal count means an
  // equal configuration, and one count read (no transaction) replaces four.
  std::mutex cache_mutex_;
  int64_t cached_changes_ = -1;
  std::optional<PricingConfig> cached_;
};

}  // namespace salesops::order_intake
