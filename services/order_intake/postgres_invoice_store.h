#pragma once

#include "services/common/db_pool.h"
#include "services/order_intake/invoice_store.h"

namespace salesops::order_intake {

class PostgresInvoiceStore final : public InvoiceStore {
 public:
  explicit PostgresInvoiceStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::optional<v1::InvoicePlan>> FindPlan(const std::string& scope,
                                                          const std::string& scope_id) override;
  absl::Status SetPlan(const IdempotentCall& call, v1::InvoicePlan plan,
                       const RecordAnswer<v1::InvoicePlan>& answer) override;
  absl::Status IssueInvoice(const IdempotentCall& call, const IssueTerms& terms,
                            const BuildInvoice& build,
                            const RecordAnswer<v1::Invoice>& answer) override;
  absl::StatusOr<v1::Invoice> GetInvoice(const std::string& invoice_number,
                                         absl::CivilDay today) override;
  absl::StatusOr<std::pair<std::vector<v1::Invoice>, int64_t>> ListInvoices(
      const InvoiceFilter& filter, absl::CivilDay today) override;
  absl::StatusOr<std::vector<v1::Invoice>> InvoicesForJournal(absl::Time start, absl::Time end,
                                                              absl::CivilDay today) override;
  absl::Status RecordPayment(
      const IdempotentCall& call, v1::Payment payment, absl::CivilDay today,
      const std::function<void(const v1::Payment&, const v1::Invoice&)>& answer) override;
  absl::StatusOr<int> AnnounceOverdue(absl::CivilDay today) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::order_intake
