#pragma once

// The rules of money in (issue 18), pure: which plan applies, what an invoice of each kind
// charges, how tax is taken, what a credit note may credit, and what payments leave due. The
// store numbers and keeps what these compute; nothing here reads a clock or a database.
#include <absl/status/statusor.h>
#include <absl/time/civil_time.h>

#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/directory.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/invoicing.pb.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// Every amount on an invoice is a whole cent (micros are the engine's unit).
inline constexpr int64_t kMicrosPerCent = 10'000;
inline constexpr int kDefaultPaymentTermDays = 14;

// INVALID_ARGUMENT naming plan.* fields: exactly one of organisation and order, deposit and
// instalments at most 100 % together, a payment term of whole days up to 365.
absl::Status CheckPlan(const v1::InvoicePlan& plan);

// The plan in effect: the order's own, else its organisation's, else the default (no deposit,
// the whole order after return). A plan without a payment term takes the organisation's
// (Organisation.payment_terms.due_after), else 14 days. `source` says which.
v1::InvoicePlan EffectivePlan(const std::optional<v1::InvoicePlan>& order_plan,
                              const std::optional<v1::InvoicePlan>& organisation_plan,
                              const v1::Organisation* organisation);
int PaymentTermDays(const v1::InvoicePlan& plan);

// The slot an invoice fills in its order's plan ("deposit", "instalment-2", "final"); one
// invoice per slot, which is what makes issuing twice impossible.
std::string PlanSlot(v1::InvoiceKind kind, int instalment_index);

// A deposit or an instalment: `percent` of the order's quote, one line per tax rate, so each
// rate's share is taxed at its rate.
absl::StatusOr<v1::Invoice> ShareInvoice(const v1::Order& order, v1::InvoiceKind kind, int percent,
                                         const std::string& label);

// The final invoice: every line of the order's last revision at its net, a line per rate for
// discounts the lines do not carry, damage and loss charges (checked against what check-in
// recorded on `sheet`), less each earlier deposit or instalment (`earlier`) at its rates.
// FAILED_PRECONDITION naming damage_charges[i] for a charge check-in does not support.
absl::StatusOr<v1::Invoice> FinalInvoice(const v1::Order& order,
                                         const std::vector<v1::Invoice>& earlier,
                                         const std::vector<v1::DamageCharge>& charges,
                                         const v1::PullSheet* sheet);

// A credit note of `lines` (empty: what is left of the invoice) against `invoice`, whose credit
// notes so far took `credited_micros` (positive) off it. Refuses more than is left, and rates
// the invoice does not have.
absl::StatusOr<v1::Invoice> CreditNoteFor(const v1::Invoice& invoice,
                                          const std::vector<v1::CreditLine>& lines,
                                          int64_t credited_micros, const std::string& reason);

// Sums the lines into tax lines (per rate: the rate on the sum of its nets, to the cent, as
// EN 16931 wants) and the net, tax and total.
absl::Status TotalInvoice(v1::Invoice& invoice);

// What payments and credit notes leave: paid_total, credited_total, amount_due, payment status
// and overdue (due_day before `today`).
void ApplyPayments(v1::Invoice& invoice, int64_t credited_micros, absl::CivilDay today);

// The event announcing an invoice (INVOICE_ISSUED, INVOICE_OVERDUE) or a payment on it
// (PAYMENT_RECORDED, with `payment`), with a one-line summary.
v1::Event InvoiceEvent(v1::EventType type, const v1::Invoice& invoice, const v1::Actor& actor,
                       const v1::Payment* payment = nullptr);

// The year's series an invoice number belongs to ("INV-2026", "CN-2026"), and the number.
std::string SeriesOf(v1::InvoiceKind kind, absl::CivilDay issue_day);
std::string InvoiceNumber(const std::string& series, int64_t number);

}  // namespace salesops::order_intake
