#include "services/order_intake/invoicing.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "services/common/errors.h"
#include "services/common/money.h"

namespace salesops::order_intake {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kSecondsPerDay = 24 * 3600;
constexpr int kMaxPaymentTermDays = 365;

absl::StatusOr<int64_t> Micros(const google::type::Money& money, std::string_view what) {
  return common::MoneyToMicros(money, what);
}

// The tax of `net` at `rate_millionths`, to the cent, half away from zero.
absl::StatusOr<int64_t> TaxOf(int64_t net, int64_t rate_millionths) {
  return common::ScaleMicros(net, rate_millionths, 1'000'000, kMicrosPerCent, "tax");
}

v1::InvoiceLine* AddLine(v1::Invoice& invoice, v1::InvoiceLineKind kind, std::string description,
                         int32_t quantity, int64_t unit_price, int64_t net, v1::TaxClass tax_class,
                         int64_t rate) {
  v1::InvoiceLine* line = invoice.add_lines();
  line->set_kind(kind);
  line->set_description(common::TruncateText(description, 1000));
  line->set_quantity(quantity);
  *line->mutable_unit_price() = common::MoneyFromMicros(unit_price, invoice.currency());
  *line->mutable_net() = common::MoneyFromMicros(net, invoice.currency());
  line->set_tax_class(tax_class);
  line->set_tax_millionths(rate);
  return line;
}

// What every invoice of an order starts from: the order, its currency, its buyer's reference,
// its tax note and the commitment it is for.
v1::Invoice InvoiceOf(const v1::Order& order, v1::InvoiceKind kind) {
  v1::Invoice invoice;
  invoice.set_kind(kind);
  invoice.set_order_id(order.order_id());
  invoice.set_order_revision(order.revision());
  invoice.set_organisation_id(order.organisation_id());
  invoice.set_customer_reference(order.customer_reference());
  invoice.set_currency(order.quote().total().currency_code());
  invoice.set_tax_note(order.quote().tax_note());
  return invoice;
}

// The rate the quote taxes a class at (the first tax line that lists it), for charges the quote
// has no line of its own for (transport, damage).
std::optional<int64_t> RateOfClass(const v1::Quote& quote, v1::TaxClass tax_class) {
  for (const v1::TaxLine& tax : quote.tax_lines()) {
    for (int listed : tax.tax_classes()) {
      if (listed == tax_class) return tax.tax_millionths();
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status CheckPlan(const v1::InvoicePlan& plan) {
  std::vector<common::FieldViolation> violations;
  if (plan.organisation_id().empty() == plan.order_id().empty()) {
    violations.push_back(
        {"plan.organisation_id", "name exactly one of an organisation and an order"});
  }
  int percent = plan.deposit_percent();
  for (int i = 0; i < plan.instalments_size(); ++i) {
    percent += plan.instalments(i).percent();
    if (plan.instalments(i).percent() <= 0) {
      violations.push_back({absl::StrCat("plan.instalments[", i, "].percent"), "must be 1 to 100"});
    }
  }
  if (percent > 100) {
    violations.push_back(
        {"plan.instalments", absl::StrCat("deposit and instalments come to ", percent,
                                          " %; together they can be at most 100 %")});
  }
  if (plan.has_payment_term()) {
    const int64_t seconds = plan.payment_term().seconds();
    if (seconds < 0 || seconds % kSecondsPerDay != 0 || plan.payment_term().nanos() != 0 ||
        seconds / kSecondsPerDay > kMaxPaymentTermDays) {
      violations.push_back({"plan.payment_term", "must be whole days, 0 to 365"});
    }
  }
  if (violations.empty()) return absl::OkStatus();
  return common::InvalidArgumentError(std::move(violations));
}

v1::InvoicePlan EffectivePlan(const std::optional<v1::InvoicePlan>& order_plan,
                              const std::optional<v1::InvoicePlan>& organisation_plan,
                              const v1::Organisation* organisation) {
  v1::InvoicePlan plan;
  if (order_plan) {
    plan = *order_plan;
    plan.set_source("order");
  } else if (organisation_plan) {
    plan = *organisation_plan;
    plan.set_source("organisation");
  } else {
    plan.set_source("default");
  }
  if (!plan.has_payment_term()) {
    if (organisation != nullptr && organisation->payment_terms().has_due_after()) {
      *plan.mutable_payment_term() = organisation->payment_terms().due_after();
    } else {
      *plan.mutable_payment_term() =
          TimeUtil::SecondsToDuration(kDefaultPaymentTermDays * kSecondsPerDay);
    }
  }
  return plan;
}

int PaymentTermDays(const v1::InvoicePlan& plan) {
  if (!plan.has_payment_term()) return kDefaultPaymentTermDays;
  return static_cast<int>(plan.payment_term().seconds() / kSecondsPerDay);
}

std::string PlanSlot(v1::InvoiceKind kind, int instalment_index) {
  switch (kind) {
    case v1::INVOICE_KIND_DEPOSIT:
      return "deposit";
    case v1::INVOICE_KIND_INSTALMENT:
      return absl::StrCat("instalment-", instalment_index + 1);
    case v1::INVOICE_KIND_FINAL:
      return "final";
    default:
      return "";
  }
}

absl::StatusOr<v1::Invoice> ShareInvoice(const v1::Order& order, v1::InvoiceKind kind, int percent,
                                         const std::string& label) {
  v1::Invoice invoice = InvoiceOf(order, kind);
  invoice.set_label(label);
  const std::string what = kind == v1::INVOICE_KIND_DEPOSIT ? "Deposit" : "Instalment";
  for (const v1::TaxLine& tax : order.quote().tax_lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(tax.net(), "quote net"));
    SALESOPS_ASSIGN_OR_RETURN(int64_t share,
                              common::ScaleMicros(net, percent, 100, kMicrosPerCent, "share"));
    if (share == 0) continue;
    AddLine(
        invoice, v1::INVOICE_LINE_KIND_SHARE,
        absl::StrCat(what, label.empty() ? "" : " (" + label + ")", " ", percent, " % of order ",
                     order.order_id(), " (revision ", order.revision(), "), net at ",
                     absl::StrFormat("%g", tax.tax_millionths() / 10'000.0), " % tax"),
        1, share, share,
        tax.tax_classes_size() > 0 ? static_cast<v1::TaxClass>(tax.tax_classes(0))
                                   : v1::TAX_CLASS_EQUIPMENT,
        tax.tax_millionths());
  }
  SALESOPS_RETURN_IF_ERROR(TotalInvoice(invoice));
  return invoice;
}

absl::StatusOr<v1::Invoice> FinalInvoice(const v1::Order& order,
                                         const std::vector<v1::Invoice>& earlier,
                                         const std::vector<v1::DamageCharge>& charges,
                                         const v1::PullSheet* sheet) {
  const v1::Quote& quote = order.quote();
  v1::Invoice invoice = InvoiceOf(order, v1::INVOICE_KIND_FINAL);
  // Net per rate as the lines carry it, to find the discounts the lines do not show.
  std::map<int64_t, int64_t> line_net_by_rate;
  auto add = [&](v1::InvoiceLineKind kind, std::string description, int32_t quantity,
                 int64_t unit_price, int64_t net, v1::TaxClass tax_class, int64_t rate) {
    AddLine(invoice, kind, std::move(description), quantity, unit_price, net, tax_class, rate);
    line_net_by_rate[rate] += net;
  };
  for (const v1::QuoteLine& line : quote.lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(line.net(), "line net"));
    SALESOPS_ASSIGN_OR_RETURN(int64_t unit, Micros(line.unit_price(), "unit price"));
    v1::InvoiceLine* added =
        AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER,
                absl::StrCat(line.line().product_code(), " ", line.product_name(),
                             line.phase_id().empty() ? "" : " (" + line.phase_id() + ")"),
                line.line().quantity(), unit, net, line.tax_class(), line.tax_millionths());
    added->set_product_code(line.line().product_code());
    line_net_by_rate[line.tax_millionths()] += net;
  }
  for (const v1::CustomQuoteLine& line : quote.custom_lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(line.net(), "custom line net"));
    SALESOPS_ASSIGN_OR_RETURN(int64_t unit, Micros(line.line().unit_price(), "unit price"));
    add(v1::INVOICE_LINE_KIND_ORDER, line.line().description(), std::max(1, line.line().quantity()),
        unit, net, line.tax_class(), line.tax_millionths());
  }
  for (const v1::CrewCostLine& line : quote.crew_lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(line.line_total(), "crew"));
    add(v1::INVOICE_LINE_KIND_ORDER,
        absl::StrCat("Crew: ", line.explanation().empty() ? "labour" : line.explanation()), 1, net,
        net, v1::TAX_CLASS_LABOUR, line.tax_millionths());
  }
  const int64_t transport_rate = RateOfClass(quote, v1::TAX_CLASS_TRANSPORT).value_or(0);
  SALESOPS_ASSIGN_OR_RETURN(int64_t transport, Micros(quote.transport(), "transport"));
  if (transport != 0) {
    add(v1::INVOICE_LINE_KIND_ORDER,
        absl::StrCat("Transport: ", quote.transport_explanation().empty()
                                        ? "to the venue and back"
                                        : quote.transport_explanation()),
        1, transport, transport, v1::TAX_CLASS_TRANSPORT, transport_rate);
  }
  SALESOPS_ASSIGN_OR_RETURN(int64_t pinned, Micros(quote.pinned_surcharge(), "surcharge"));
  if (pinned != 0) {
    add(v1::INVOICE_LINE_KIND_ORDER, "Delivery at an exact time (pinned)", 1, pinned, pinned,
        v1::TAX_CLASS_TRANSPORT, transport_rate);
  }
  // The order discount (and any rounding of it) where the lines above do not carry it: one line
  // per rate, so the order's net per rate is the quote's.
  for (const v1::TaxLine& tax : quote.tax_lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t quoted, Micros(tax.net(), "quote net"));
    const int64_t difference = quoted - line_net_by_rate[tax.tax_millionths()];
    if (difference == 0) continue;
    AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER,
            difference < 0 ? "Order discount" : "Order adjustment", 1, difference, difference,
            tax.tax_classes_size() > 0 ? static_cast<v1::TaxClass>(tax.tax_classes(0))
                                       : v1::TAX_CLASS_EQUIPMENT,
            tax.tax_millionths());
  }

  // Damage and loss: what check-in recorded bounds what may be charged.
  const int64_t equipment_rate = RateOfClass(quote, v1::TAX_CLASS_EQUIPMENT).value_or(0);
  std::map<std::string, const v1::PullSheetLine*> recorded;
  if (sheet != nullptr) {
    for (const v1::PullSheetGroup& group : sheet->groups()) {
      for (const v1::PullSheetLine& line : group.lines()) recorded[line.inventory_code()] = &line;
    }
  }
  std::map<std::pair<std::string, bool>, int> charged;
  for (size_t i = 0; i < charges.size(); ++i) {
    const v1::DamageCharge& charge = charges[i];
    const std::string field = absl::StrCat("damage_charges[", i, "]");
    auto found = recorded.find(charge.inventory_code());
    int supported = 0;
    if (found != recorded.end()) {
      const v1::PullSheetLine& line = *found->second;
      const bool consumable = line.tracking() == v1::TRACKING_MODE_CONSUMABLE;
      supported = charge.lost()
                      ? (consumable ? 0
                                    : line.quantity_checked_out() - line.quantity_returned() -
                                          line.quantity_damaged())
                      : line.quantity_damaged();
    }
    int& total = charged[{charge.inventory_code(), charge.lost()}];
    total += charge.quantity();
    if (total > supported) {
      return common::ReasonedError(
          absl::StatusCode::kFailedPrecondition, v1::INVALID_REQUEST,
          absl::StrCat(field, ": check-in recorded ", std::max(0, supported), " ",
                       charge.lost() ? "missing" : "damaged", " unit(s) of ",
                       charge.inventory_code(), " on order ", order.order_id(), ", not ", total),
          {{"field", field}});
    }
    SALESOPS_ASSIGN_OR_RETURN(int64_t unit, Micros(charge.unit_price(), field + ".unit_price"));
    if (unit < 0) {
      return common::InvalidArgumentError({{field + ".unit_price", "must not be negative"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, common::CheckedMultiply(unit, charge.quantity(), field));
    v1::InvoiceLine* line =
        AddLine(invoice, charge.lost() ? v1::INVOICE_LINE_KIND_LOSS : v1::INVOICE_LINE_KIND_DAMAGE,
                absl::StrCat(charge.lost() ? "Lost: " : "Damaged: ", charge.inventory_code(),
                             charge.note().empty() ? "" : " (" + charge.note() + ")"),
                charge.quantity(), unit, net, v1::TAX_CLASS_EQUIPMENT, equipment_rate);
    line->set_inventory_code(charge.inventory_code());
  }

  // Less what was invoiced before, at its rates.
  for (const v1::Invoice& share : earlier) {
    for (const v1::InvoiceTaxLine& tax : share.tax_lines()) {
      SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(tax.net(), "earlier net"));
      AddLine(
          invoice, v1::INVOICE_LINE_KIND_DEDUCTION,
          absl::StrCat("Less ", share.kind() == v1::INVOICE_KIND_DEPOSIT ? "deposit" : "instalment",
                       " invoice ", share.invoice_number()),
          1, -net, -net, v1::TAX_CLASS_EQUIPMENT, tax.tax_millionths());
    }
  }
  SALESOPS_RETURN_IF_ERROR(TotalInvoice(invoice));
  return invoice;
}

absl::StatusOr<v1::Invoice> CreditNoteFor(const v1::Invoice& invoice,
                                          const std::vector<v1::CreditLine>& lines,
                                          int64_t credited_micros, const std::string& reason) {
  v1::Invoice note;
  note.set_kind(v1::INVOICE_KIND_CREDIT_NOTE);
  note.set_order_id(invoice.order_id());
  note.set_order_revision(invoice.order_revision());
  note.set_organisation_id(invoice.organisation_id());
  *note.mutable_buyer() = invoice.buyer();
  note.set_customer_reference(invoice.customer_reference());
  note.set_currency(invoice.currency());
  note.set_tax_note(invoice.tax_note());
  note.set_commitment_text(invoice.commitment_text());
  note.set_credited_invoice_number(invoice.invoice_number());
  note.set_reason(reason);
  SALESOPS_ASSIGN_OR_RETURN(int64_t total, Micros(invoice.total(), "invoice total"));
  const int64_t left = total - credited_micros;
  if (left <= 0) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED, absl::StrCat("invoice ", invoice.invoice_number(),
                                        " is credited in full already; nothing is left to credit"));
  }
  if (lines.empty()) {
    if (credited_micros == 0) {
      // The whole invoice, line for line at its rates.
      for (const v1::InvoiceLine& line : invoice.lines()) {
        SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(line.net(), "line net"));
        SALESOPS_ASSIGN_OR_RETURN(int64_t unit, Micros(line.unit_price(), "unit price"));
        v1::InvoiceLine* credit =
            AddLine(note, v1::INVOICE_LINE_KIND_CREDIT, line.description(), line.quantity(), -unit,
                    -net, line.tax_class(), line.tax_millionths());
        credit->set_product_code(line.product_code());
        credit->set_inventory_code(line.inventory_code());
      }
    } else {
      // What is left, spread over the invoice's rates in proportion to their totals.
      for (const v1::InvoiceTaxLine& tax : invoice.tax_lines()) {
        SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(tax.net(), "net"));
        SALESOPS_ASSIGN_OR_RETURN(int64_t share,
                                  common::ScaleMicros(net, left, total, kMicrosPerCent, "credit"));
        if (share == 0) continue;
        AddLine(note, v1::INVOICE_LINE_KIND_CREDIT,
                absl::StrCat("Rest of invoice ", invoice.invoice_number()), 1, -share, -share,
                v1::TAX_CLASS_EQUIPMENT, tax.tax_millionths());
      }
    }
  } else {
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string field = absl::StrCat("lines[", i, "]");
      SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(lines[i].net(), field + ".net"));
      if (net <= 0) return common::InvalidArgumentError({{field + ".net", "must be positive"}});
      if (lines[i].net().currency_code() != invoice.currency()) {
        return common::InvalidArgumentError(
            {{field + ".net.currency_code",
              absl::StrCat("must be the invoice's currency, ", invoice.currency())}});
      }
      bool rate_found = false;
      for (const v1::InvoiceTaxLine& tax : invoice.tax_lines()) {
        rate_found |= tax.tax_millionths() == lines[i].tax_millionths();
      }
      if (!rate_found) {
        return common::InvalidArgumentError(
            {{field + ".tax_millionths", "must be one of the credited invoice's tax rates"}});
      }
      AddLine(note, v1::INVOICE_LINE_KIND_CREDIT, lines[i].description(), 1, -net, -net,
              v1::TAX_CLASS_EQUIPMENT, lines[i].tax_millionths());
    }
  }
  SALESOPS_RETURN_IF_ERROR(TotalInvoice(note));
  SALESOPS_ASSIGN_OR_RETURN(int64_t credit, Micros(note.total(), "credit"));
  if (-credit > left) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED,
        absl::StrCat("a credit of ", absl::StrFormat("%.2f", -credit / 1e6), " ",
                     invoice.currency(), " is more than the ", absl::StrFormat("%.2f", left / 1e6),
                     " ", invoice.currency(), " left of invoice ", invoice.invoice_number()));
  }
  return note;
}

absl::Status TotalInvoice(v1::Invoice& invoice) {
  std::map<int64_t, int64_t> net_by_rate;
  int64_t net_total = 0;
  for (const v1::InvoiceLine& line : invoice.lines()) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t net, Micros(line.net(), "line net"));
    SALESOPS_ASSIGN_OR_RETURN(net_by_rate[line.tax_millionths()],
                              common::CheckedAdd(net_by_rate[line.tax_millionths()], net, "net"));
    SALESOPS_ASSIGN_OR_RETURN(net_total, common::CheckedAdd(net_total, net, "net total"));
  }
  invoice.clear_tax_lines();
  int64_t tax_total = 0;
  for (const auto& [rate, net] : net_by_rate) {
    SALESOPS_ASSIGN_OR_RETURN(int64_t tax, TaxOf(net, rate));
    v1::InvoiceTaxLine* line = invoice.add_tax_lines();
    line->set_tax_millionths(rate);
    *line->mutable_net() = common::MoneyFromMicros(net, invoice.currency());
    *line->mutable_tax() = common::MoneyFromMicros(tax, invoice.currency());
    SALESOPS_ASSIGN_OR_RETURN(tax_total, common::CheckedAdd(tax_total, tax, "tax total"));
  }
  *invoice.mutable_net_total() = common::MoneyFromMicros(net_total, invoice.currency());
  *invoice.mutable_tax_total() = common::MoneyFromMicros(tax_total, invoice.currency());
  SALESOPS_ASSIGN_OR_RETURN(int64_t total, common::CheckedAdd(net_total, tax_total, "total"));
  *invoice.mutable_total() = common::MoneyFromMicros(total, invoice.currency());
  return absl::OkStatus();
}

void ApplyPayments(v1::Invoice& invoice, int64_t credited_micros, absl::CivilDay today) {
  int64_t paid = 0;
  for (const v1::Payment& payment : invoice.payments()) {
    const int64_t amount = common::MoneyToMicros(payment.amount(), "payment").value_or(0);
    paid += payment.kind() == v1::PAYMENT_KIND_REFUND ? -amount : amount;
  }
  const int64_t total = common::MoneyToMicros(invoice.total(), "total").value_or(0);
  const int64_t due = total - credited_micros - paid;
  *invoice.mutable_paid_total() = common::MoneyFromMicros(paid, invoice.currency());
  *invoice.mutable_credited_total() = common::MoneyFromMicros(credited_micros, invoice.currency());
  *invoice.mutable_amount_due() = common::MoneyFromMicros(due, invoice.currency());
  if (invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE) {
    // What the client is owed back is settled by refunds against the credited invoice.
    invoice.set_payment_status(v1::PAYMENT_STATUS_UNSPECIFIED);
    invoice.set_overdue(false);
    return;
  }
  if (due > 0) {
    invoice.set_payment_status(paid > 0 ? v1::PAYMENT_STATUS_PARTIALLY_PAID
                                        : v1::PAYMENT_STATUS_UNPAID);
  } else {
    invoice.set_payment_status(due == 0 ? v1::PAYMENT_STATUS_PAID : v1::PAYMENT_STATUS_OVERPAID);
  }
  const absl::CivilDay due_day(invoice.due_day().year(), invoice.due_day().month(),
                               invoice.due_day().day());
  invoice.set_overdue(due > 0 && invoice.due_day().year() > 0 && due_day < today);
}

v1::Event InvoiceEvent(v1::EventType type, const v1::Invoice& invoice, const v1::Actor& actor,
                       const v1::Payment* payment) {
  v1::Event event;
  event.set_type(type);
  event.set_order_id(invoice.order_id());
  event.set_order_revision(invoice.order_revision());
  *event.mutable_actor() = actor;
  v1::InvoicePayload& payload = *event.mutable_invoice();
  payload.set_invoice_number(invoice.invoice_number());
  payload.set_kind(invoice.kind());
  payload.set_organisation_id(invoice.organisation_id());
  *payload.mutable_total() = invoice.total();
  *payload.mutable_amount_due() = invoice.amount_due();
  *payload.mutable_due_day() = invoice.due_day();
  auto amount = [](const google::type::Money& money) {
    return absl::StrFormat("%.2f %s", common::MoneyToMicros(money, "amount").value_or(0) / 1e6,
                           money.currency_code());
  };
  const std::string due_day = absl::StrFormat("%04d-%02d-%02d", invoice.due_day().year(),
                                              invoice.due_day().month(), invoice.due_day().day());
  const std::string what =
      invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE ? "Credit note" : "Invoice";
  switch (type) {
    case v1::EVENT_TYPE_INVOICE_ISSUED:
      event.set_summary(
          absl::StrCat(what, " ", invoice.invoice_number(), " for order ", invoice.order_id(), ": ",
                       amount(invoice.total()),
                       invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE
                           ? absl::StrCat(", crediting ", invoice.credited_invoice_number())
                           : absl::StrCat(", due ", due_day)));
      break;
    case v1::EVENT_TYPE_PAYMENT_RECORDED:
      if (payment != nullptr) *payload.mutable_payment() = *payment;
      event.set_summary(absl::StrCat(
          payment != nullptr && payment->kind() == v1::PAYMENT_KIND_REFUND ? "Refund of "
                                                                           : "Payment of ",
          payment != nullptr ? amount(payment->amount()) : "", " on invoice ",
          invoice.invoice_number(), " (order ", invoice.order_id(),
          "): ", amount(invoice.amount_due()), " left due"));
      break;
    default:
      event.set_summary(
          absl::StrCat("Invoice ", invoice.invoice_number(), " for order ", invoice.order_id(),
                       " is overdue: ", amount(invoice.amount_due()), " was due on ", due_day));
  }
  return event;
}

std::string SeriesOf(v1::InvoiceKind kind, absl::CivilDay issue_day) {
  return absl::StrCat(kind == v1::INVOICE_KIND_CREDIT_NOTE ? "CN" : "INV", "-", issue_day.year());
}

std::string InvoiceNumber(const std::string& series, int64_t number) {
  return absl::StrFormat("%s-%06d", series, number);
}

}  // namespace salesops::order_intake
