#include "services/order_intake/postgres_invoice_store.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>

#include "services/common/money.h"
#include "services/common/outbox.h"
#include "services/common/time_util.h"
#include "services/order_intake/invoicing.h"
#include "services/order_intake/postgres_records.h"

namespace salesops::order_intake {
namespace {

constexpr char kSourceService[] = "order-intake";
// Bounds that keep an invoice's answer (its payments, its credit notes) a bounded size.
constexpr int kMaxPaymentsPerInvoice = 1000;
constexpr int kMaxCreditNotesPerInvoice = 100;

std::string DayText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

google::type::Date DateOf(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// The invoice as kept, with its payments and credit notes applied as of `today`.
v1::Invoice Settled(pqxx::transaction_base& tx, v1::Invoice invoice, absl::CivilDay today) {
  pqxx::result payments =
      tx.exec_params("SELECT body FROM payments WHERE invoice_number = $1 ORDER BY recorded_seq",
                     invoice.invoice_number());
  for (const pqxx::row& row : payments) {
    *invoice.add_payments() = ParseRecord<v1::Payment>(row[0]);
  }
  pqxx::result credits = tx.exec_params(
      "SELECT invoice_number, -total_micros FROM invoices WHERE credited_invoice_number = $1 "
      "ORDER BY issued_seq",
      invoice.invoice_number());
  int64_t credited = 0;
  for (const pqxx::row& row : credits) {
    invoice.add_credit_note_numbers(row[0].as<std::string>());
    credited += row[1].as<int64_t>();
  }
  ApplyPayments(invoice, credited, today);
  return invoice;
}

std::vector<v1::Invoice> SettledRows(pqxx::transaction_base& tx, const pqxx::result& rows,
                                     absl::CivilDay today) {
  std::vector<v1::Invoice> invoices;
  invoices.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    invoices.push_back(Settled(tx, ParseRecord<v1::Invoice>(row[0]), today));
  }
  return invoices;
}

absl::Status InvoiceNotFound(const std::string& number) {
  return RecordNotFound("invoice", number);
}

}  // namespace

absl::StatusOr<std::optional<v1::InvoicePlan>> PostgresInvoiceStore::FindPlan(
    const std::string& scope, const std::string& scope_id) {
  std::optional<v1::InvoicePlan> plan;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("find_invoice_plan", [&](pqxx::transaction_base& tx) {
    plan.reset();
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM invoice_plans WHERE scope = $1 AND scope_id = $2", scope, scope_id);
    if (!rows.empty()) plan = ParseRecord<v1::InvoicePlan>(rows[0][0]);
    return absl::OkStatus();
  }));
  return plan;
}

absl::Status PostgresInvoiceStore::SetPlan(const IdempotentCall& call, v1::InvoicePlan plan,
                                           const RecordAnswer<v1::InvoicePlan>& answer) {
  const bool for_order = !plan.order_id().empty();
  const std::string scope = for_order ? "order" : "organisation";
  const std::string scope_id = for_order ? plan.order_id() : plan.organisation_id();
  return IdempotentWrite(pool_, "set_invoice_plan", call, [&](pqxx::work& tx) {
    pqxx::result current = tx.exec_params(
        "SELECT revision FROM invoice_plans WHERE scope = $1 AND scope_id = $2 FOR UPDATE", scope,
        scope_id);
    const int64_t revision = current.empty() ? 1 : current[0][0].as<int64_t>() + 1;
    plan.set_etag(EtagOf(revision));
    tx.exec_params(
        "INSERT INTO invoice_plans (scope, scope_id, revision, body) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (scope, scope_id) DO UPDATE SET revision = EXCLUDED.revision, "
        "body = EXCLUDED.body",
        scope, scope_id, revision, Bytes(plan.SerializeAsString()));
    answer(plan);
    return absl::OkStatus();
  });
}

absl::Status PostgresInvoiceStore::IssueInvoice(const IdempotentCall& call, const IssueTerms& terms,
                                                const BuildInvoice& build,
                                                const RecordAnswer<v1::Invoice>& answer) {
  return IdempotentWrite(pool_, "issue_invoice", call, [&](pqxx::work& tx) -> absl::Status {
    // One issuer per order at a time: what it was invoiced so far cannot change while the next
    // invoice is built from it.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('invoices:' || $1))", terms.order_id);
    if (!terms.credited_invoice_number.empty()) {
      tx.exec_params("SELECT 1 FROM invoices WHERE invoice_number = $1 FOR UPDATE",
                     terms.credited_invoice_number);
      const int64_t notes =
          tx.exec_params1("SELECT count(*) FROM invoices WHERE credited_invoice_number = $1",
                          terms.credited_invoice_number)[0]
              .as<int64_t>();
      if (notes >= kMaxCreditNotesPerInvoice) {
        return common::BusinessRefusal(
            v1::LIMIT_REACHED, absl::StrCat("invoice ", terms.credited_invoice_number, " has ",
                                            notes, " credit notes; credit what is left at once"));
      }
    }
    if (!terms.slot.empty()) {
      pqxx::result filled = tx.exec_params(
          "SELECT invoice_number FROM invoices WHERE order_id = $1 AND plan_slot = $2",
          terms.order_id, terms.slot);
      if (!filled.empty()) {
        return common::BusinessRefusal(
            v1::ALREADY_EXISTS,
            absl::StrCat("the ", terms.slot, " invoice of order ", terms.order_id,
                         " was issued "
                         "already: ",
                         filled[0][0].as<std::string>()));
      }
    }
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM invoices WHERE order_id = $1 ORDER BY issued_seq", terms.order_id);
    SALESOPS_ASSIGN_OR_RETURN(v1::Invoice invoice, build(SettledRows(tx, rows, terms.issue_day)));

    const std::string series = SeriesOf(invoice.kind(), terms.issue_day);
    const int64_t number =
        tx.exec_params1(
              "INSERT INTO invoice_series (series, last_number) VALUES ($1, 1) "
              "ON CONFLICT (series) DO UPDATE SET last_number = invoice_series.last_number + 1 "
              "RETURNING last_number",
              series)[0]
            .as<int64_t>();
    // Numbers and invoice dates ascend together (an invoice entered late with an earlier date
    // than the series' latest would break the order an auditor checks).
    pqxx::result latest = tx.exec_params(
        "SELECT max(issue_day)::text FROM invoices WHERE series = $1 AND issue_day > $2::date",
        series, DayText(terms.issue_day));
    if (!latest.empty() && !latest[0][0].is_null()) {
      return common::BusinessRefusal(
          v1::INVALID_REQUEST,
          absl::StrCat("series ", series, " has an invoice dated ", latest[0][0].as<std::string>(),
                       " already; an invoice dated ", DayText(terms.issue_day),
                       " would break the order of its numbers"));
    }
    invoice.set_invoice_number(InvoiceNumber(series, number));
    *invoice.mutable_issue_time() =
        common::TimestampFromMicros(absl::ToUnixMicros(terms.issue_time));
    *invoice.mutable_issue_day() = DateOf(terms.issue_day);
    std::string due_day;  // none for a credit note
    if (invoice.kind() != v1::INVOICE_KIND_CREDIT_NOTE) {
      const absl::CivilDay due = terms.issue_day + terms.payment_term_days;
      *invoice.mutable_due_day() = DateOf(due);
      due_day = DayText(due);
    }
    *invoice.mutable_issued_by() = terms.issued_by;
    SALESOPS_ASSIGN_OR_RETURN(int64_t total, common::MoneyToMicros(invoice.total(), "total"));
    tx.exec_params(
        "INSERT INTO invoices (invoice_number, series, number, kind, order_id, organisation_id, "
        "currency, total_micros, plan_slot, credited_invoice_number, issue_time, due_day, body, "
        "issue_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), NULLIF($10, ''), "
        "us_to_ts($11), NULLIF($12, '')::date, $13, $14::date)",
        invoice.invoice_number(), series, number, static_cast<int>(invoice.kind()),
        invoice.order_id(), invoice.organisation_id(), invoice.currency(), total, terms.slot,
        terms.credited_invoice_number, absl::ToUnixMicros(terms.issue_time), due_day,
        Bytes(invoice.SerializeAsString()), DayText(terms.issue_day));
    v1::Invoice issued = Settled(tx, invoice, terms.issue_day);
    common::AppendToOutbox(tx, InvoiceEvent(v1::EVENT_TYPE_INVOICE_ISSUED, issued, terms.issued_by),
                           kSourceService);
    answer(issued);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Invoice> PostgresInvoiceStore::GetInvoice(const std::string& invoice_number,
                                                             absl::CivilDay today) {
  std::optional<v1::Invoice> invoice;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("get_invoice", [&](pqxx::transaction_base& tx) {
    invoice.reset();
    pqxx::result rows =
        tx.exec_params("SELECT body FROM invoices WHERE invoice_number = $1", invoice_number);
    if (!rows.empty()) invoice = Settled(tx, ParseRecord<v1::Invoice>(rows[0][0]), today);
    return absl::OkStatus();
  }));
  if (!invoice) return InvoiceNotFound(invoice_number);
  return *invoice;
}

absl::StatusOr<std::pair<std::vector<v1::Invoice>, int64_t>> PostgresInvoiceStore::ListInvoices(
    const InvoiceFilter& filter, absl::CivilDay today) {
  std::pair<std::vector<v1::Invoice>, int64_t> page;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("list_invoices", [&](pqxx::transaction_base& tx) {
    // One more than a page, to know whether another follows.
    const int64_t limit = filter.page_size > 0 ? filter.page_size + 1 : 1'000'000;
    pqxx::result rows = tx.exec_params(
        "SELECT i.body, i.issued_seq FROM invoices i JOIN invoice_balances b USING "
        "(invoice_number) WHERE ($1 = '' OR i.order_id = $1) AND ($2 = '' OR "
        "i.organisation_id = $2) AND (NOT $3 OR (i.kind <> 4 AND i.due_day < $4::date AND "
        "b.due_micros > 0)) AND ($5 = 0 OR i.issued_seq < $5) ORDER BY i.issued_seq DESC "
        "LIMIT $6",
        filter.order_id, filter.organisation_id, filter.overdue_only, DayText(today),
        filter.before_seq, limit);
    page.first.clear();
    page.second = 0;
    for (const pqxx::row& row : rows) {
      if (filter.page_size > 0 && static_cast<int>(page.first.size()) == filter.page_size) {
        break;
      }
      page.first.push_back(Settled(tx, ParseRecord<v1::Invoice>(row[0]), today));
      page.second = row[1].as<int64_t>();
    }
    if (filter.page_size <= 0 || static_cast<int>(rows.size()) <= filter.page_size) {
      page.second = 0;
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::vector<v1::Invoice>> PostgresInvoiceStore::InvoicesForJournal(
    absl::Time start, absl::Time end, absl::CivilDay today) {
  std::vector<v1::Invoice> invoices;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("journal_invoices", [&](pqxx::transaction_base& tx) {
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM invoices WHERE (issue_time >= us_to_ts($1) AND issue_time < "
        "us_to_ts($2)) OR invoice_number IN (SELECT invoice_number FROM payments WHERE "
        "receive_time >= us_to_ts($1) AND receive_time < us_to_ts($2)) ORDER BY issued_seq",
        absl::ToUnixMicros(start), absl::ToUnixMicros(end));
    invoices = SettledRows(tx, rows, today);
    return absl::OkStatus();
  }));
  return invoices;
}

absl::Status PostgresInvoiceStore::RecordPayment(
    const IdempotentCall& call, v1::Payment payment, absl::CivilDay today,
    const std::function<void(const v1::Payment&, const v1::Invoice&)>& answer) {
  return IdempotentWrite(pool_, "record_payment", call, [&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM invoices WHERE invoice_number = $1 FOR UPDATE", payment.invoice_number());
    if (rows.empty()) return InvoiceNotFound(payment.invoice_number());
    const v1::Invoice before = Settled(tx, ParseRecord<v1::Invoice>(rows[0][0]), today);
    if (before.kind() == v1::INVOICE_KIND_CREDIT_NOTE) {
      return common::BusinessRefusal(v1::INVALID_REQUEST,
                                     absl::StrCat(before.invoice_number(),
                                                  " is a credit note: record payments and refunds "
                                                  "against the invoice it credits, ",
                                                  before.credited_invoice_number()));
    }
    if (payment.amount().currency_code() != before.currency()) {
      return common::InvalidArgumentError(
          {{"payment.amount.currency_code",
            absl::StrCat("must be the invoice's currency, ", before.currency())}});
    }
    if (before.payments_size() >= kMaxPaymentsPerInvoice) {
      return common::BusinessRefusal(v1::LIMIT_REACHED,
                                     absl::StrCat("invoice ", before.invoice_number(), " has ",
                                                  before.payments_size(), " payments already"));
    }
    SALESOPS_ASSIGN_OR_RETURN(int64_t amount, common::MoneyToMicros(payment.amount(), "amount"));
    SALESOPS_ASSIGN_OR_RETURN(int64_t paid, common::MoneyToMicros(before.paid_total(), "paid"));
    if (payment.kind() == v1::PAYMENT_KIND_REFUND && amount > paid) {
      return common::BusinessRefusal(
          v1::LIMIT_REACHED,
          absl::StrFormat("a refund of %.2f %s is more than the %.2f %s received on invoice %s",
                          amount / 1e6, before.currency(), paid / 1e6, before.currency(),
                          before.invoice_number()));
    }
    payment.set_payment_id(common::NewUuid());
    tx.exec_params(
        "INSERT INTO payments (payment_id, invoice_number, kind, amount_micros, receive_time, "
        "body) VALUES ($1, $2, $3, $4, us_to_ts($5), $6)",
        payment.payment_id(), payment.invoice_number(), static_cast<int>(payment.kind()), amount,
        common::ToMicros(payment.receive_time()), Bytes(payment.SerializeAsString()));
    const v1::Invoice after = Settled(tx, ParseRecord<v1::Invoice>(rows[0][0]), today);
    common::AppendToOutbox(
        tx, InvoiceEvent(v1::EVENT_TYPE_PAYMENT_RECORDED, after, payment.recorded_by(), &payment),
        kSourceService);
    answer(payment, after);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PostgresInvoiceStore::AnnounceOverdue(absl::CivilDay today) {
  int announced = 0;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("announce_overdue", [&](pqxx::work& tx) {
    announced = 0;
    // SKIP LOCKED: two replicas sweeping at once announce each invoice once between them.
    pqxx::result rows = tx.exec_params(
        "SELECT i.body FROM invoices i JOIN invoice_balances b USING (invoice_number) "
        "WHERE NOT i.overdue_notified AND i.kind <> 4 AND i.due_day < $1::date AND "
        "b.due_micros > 0 ORDER BY i.issued_seq LIMIT 500 FOR UPDATE OF i SKIP LOCKED",
        DayText(today));
    for (const v1::Invoice& invoice : SettledRows(tx, rows, today)) {
      tx.exec_params("UPDATE invoices SET overdue_notified = true WHERE invoice_number = $1",
                     invoice.invoice_number());
      v1::Actor system;
      system.set_id("order-intake");
      system.set_role(v1::ROLE_SERVICE);
      common::AppendToOutbox(tx, InvoiceEvent(v1::EVENT_TYPE_INVOICE_OVERDUE, invoice, system),
                             kSourceService);
      ++announced;
    }
    return absl::OkStatus();
  }));
  return announced;
}

}  // namespace salesops::order_intake
