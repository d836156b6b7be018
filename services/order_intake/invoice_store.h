#pragma once

#include <absl/status/statusor.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/invoicing.pb.h"
#include "services/order_intake/directory_store.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// What invoicing keeps (issue 18): plans, invoices and credit notes under gap-free numbers,
// payments, and which overdue invoices were announced. Invoices come back with what payments
// and credit notes change filled in as of `today` (ApplyPayments).
class InvoiceStore {
 public:
  virtual ~InvoiceStore() = default;

  // scope: "organisation" or "order".
  virtual absl::StatusOr<std::optional<v1::InvoicePlan>> FindPlan(const std::string& scope,
                                                                  const std::string& scope_id) = 0;
  virtual absl::Status SetPlan(const IdempotentCall& call, v1::InvoicePlan plan,
                               const RecordAnswer<v1::InvoicePlan>& answer) = 0;

  struct IssueTerms {
    std::string order_id;
    // The plan slot it fills ("deposit", "instalment-1", "final"); empty for a credit note.
    std::string slot;
    // A credit note: the invoice it credits (locked while the note is built).
    std::string credited_invoice_number;
    absl::Time issue_time;
    absl::CivilDay issue_day;
    int payment_term_days = 0;
    v1::Actor issued_by;
  };
  // Builds the invoice from what the order was invoiced so far (each with its payments and
  // credits applied), under the order's lock: FAILED_PRECONDITION if the slot is filled.
  using BuildInvoice =
      std::function<absl::StatusOr<v1::Invoice>(const std::vector<v1::Invoice>& order_invoices)>;
  // Numbers the built invoice with the next number of its series, keeps it and announces it
  // (INVOICE_ISSUED), all in one transaction, as the AIP-155 call `call`.
  virtual absl::Status IssueInvoice(const IdempotentCall& call, const IssueTerms& terms,
                                    const BuildInvoice& build,
                                    const RecordAnswer<v1::Invoice>& answer) = 0;

  virtual absl::StatusOr<v1::Invoice> GetInvoice(const std::string& invoice_number,
                                                 absl::CivilDay today) = 0;

  struct InvoiceFilter {
    std::string order_id;
    std::string organisation_id;
    bool overdue_only = false;
    // Newest first, issued before this sequence number (0: from the newest).
    int64_t before_seq = 0;
    // 0: all.
    int page_size = 0;
  };
  // The page, and the sequence number to continue before (0 when it was the last page).
  virtual absl::StatusOr<std::pair<std::vector<v1::Invoice>, int64_t>> ListInvoices(
      const InvoiceFilter& filter, absl::CivilDay today) = 0;

  // Invoices issued in [start, end) and those with a payment received in it.
  virtual absl::StatusOr<std::vector<v1::Invoice>> InvoicesForJournal(absl::Time start,
                                                                      absl::Time end,
                                                                      absl::CivilDay today) = 0;

  // Records `payment` (its id set by the store) against its invoice and announces it
  // (PAYMENT_RECORDED): a refund cannot pay back more than was received, a currency must be the
  // invoice's.
  virtual absl::Status RecordPayment(
      const IdempotentCall& call, v1::Payment payment, absl::CivilDay today,
      const std::function<void(const v1::Payment&, const v1::Invoice&)>& answer) = 0;

  // Announces (INVOICE_OVERDUE, once each) invoices whose due day is before `today` with money
  // still due. Returns how many.
  virtual absl::StatusOr<int> AnnounceOverdue(absl::CivilDay today) = 0;
};

}  // namespace salesops::order_intake
