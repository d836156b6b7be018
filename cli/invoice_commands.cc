// send-quote, quote-links, invoice, payment, credit-note, balance: money in (issue 18). Sales
// sends a quote as a link the client accepts online; invoices follow the order's plan (deposit
// on confirmation, instalments, the final one after return) and are numbered without gaps;
// payments and refunds settle them; the accountant takes the e-invoice XML and the journal.
#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <absl/time/civil_time.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using Stub = v1::OrderIntakeService::Stub;

std::string InvoiceDay(const google::type::Date& date) {
  if (date.year() == 0) return "-";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

// Writes `bytes` to `path` (- : standard output) and says what was saved (as JSON with --json).
ExitCode WriteExport(Session& session, const std::string& bytes, const std::string& path,
                     const std::string& what) {
  if (path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return kExitOk;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return ReportBadInput("-o: cannot write " + path);
  if (session.json()) {
    PrintJson(nlohmann::json{{"file", path}, {"bytes", bytes.size()}, {"what", what}});
  } else {
    std::cout << "Saved " << what << " to " << path << " (" << bytes.size() << " bytes)\n";
  }
  return kExitOk;
}

void PrintInvoice(const v1::Invoice& invoice) {
  Details details;
  details.Add("Number", invoice.invoice_number());
  details.Add("Kind", EnumWord(invoice.kind()) +
                          (invoice.label().empty() ? "" : " (" + invoice.label() + ")"));
  details.Add("Order", absl::StrCat(invoice.order_id(), " rev ", invoice.order_revision()));
  details.Add("Buyer", invoice.buyer().name());
  details.Add("Date", InvoiceDay(invoice.issue_day()));
  if (invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE) {
    details.Add("Credits", invoice.credited_invoice_number());
    details.Add("Reason", invoice.reason());
  } else {
    details.Add("Due", InvoiceDay(invoice.due_day()) + (invoice.overdue() ? " (OVERDUE)" : ""));
  }
  details.Add("Net", FormatMoney(invoice.net_total()));
  for (const v1::InvoiceTaxLine& tax : invoice.tax_lines()) {
    details.Add(absl::StrFormat("Tax %g %%", tax.tax_millionths() / 10'000.0),
                absl::StrCat(FormatMoney(tax.tax()), " on ", FormatMoney(tax.net())));
  }
  details.Add("Total", FormatMoney(invoice.total()));
  if (invoice.kind() != v1::INVOICE_KIND_CREDIT_NOTE) {
    details.Add("Paid", FormatMoney(invoice.paid_total()));
    if (!invoice.credit_note_numbers().empty()) {
      details.Add("Credited",
                  absl::StrCat(FormatMoney(invoice.credited_total()), " (",
                               absl::StrJoin(invoice.credit_note_numbers(), ", "), ")"));
    }
    details.Add("Due now", absl::StrCat(FormatMoney(invoice.amount_due()), " (",
                                        EnumWord(invoice.payment_status()), ")"));
  }
  if (!invoice.tax_note().empty()) details.Add("Tax note", invoice.tax_note());
  details.Print();
  Table lines({"kind", "description", "qty", "unit", "tax", "net"});
  for (const v1::InvoiceLine& line : invoice.lines()) {
    lines.AddRow({EnumWord(line.kind()), line.description(), absl::StrCat(line.quantity()),
                  FormatMoney(line.unit_price()),
                  absl::StrFormat("%g %%", line.tax_millionths() / 10'000.0),
                  FormatMoney(line.net())});
  }
  std::cout << "\n";
  lines.Print();
  if (!invoice.payments().empty()) {
    Table payments({"received", "kind", "amount", "method", "reference"});
    for (const v1::Payment& payment : invoice.payments()) {
      payments.AddRow({FormatTime(payment.receive_time()), EnumWord(payment.kind()),
                       FormatMoney(payment.amount()), payment.method(), payment.reference()});
    }
    std::cout << "\n";
    payments.Print();
  }
}

template <typename Response>
ExitCode PrintInvoiceResponse(Session& session, const Response& response,
                              const v1::Invoice& invoice) {
  if (session.json()) {
    PrintJson(response);
  } else {
    PrintInvoice(invoice);
  }
  return kExitOk;
}

// "CODE=N@PRICE": units of an inventory code at a unit price ("LED-PANEL-500=1@450").
absl::StatusOr<v1::DamageCharge> ParseDamageCharge(const std::string& text, bool lost,
                                                   const std::string& currency) {
  std::vector<std::string> code_rest = absl::StrSplit(text, absl::MaxSplits('=', 1));
  if (code_rest.size() != 2) return absl::InvalidArgumentError("write CODE=N@PRICE");
  std::vector<std::string> quantity_price = absl::StrSplit(code_rest[1], absl::MaxSplits('@', 1));
  int quantity = 0;
  if (quantity_price.size() != 2 || !absl::SimpleAtoi(quantity_price[0], &quantity)) {
    return absl::InvalidArgumentError("write CODE=N@PRICE, e.g. LED-PANEL-500=1@450");
  }
  v1::DamageCharge charge;
  charge.set_inventory_code(code_rest[0]);
  charge.set_quantity(quantity);
  charge.set_lost(lost);
  absl::StatusOr<google::type::Money> price = ParseMoney(quantity_price[1], currency);
  if (!price.ok()) return price.status();
  *charge.mutable_unit_price() = *price;
  return charge;
}

ExitCode InvoiceCurrency(Session& session, const std::string& number, std::string* currency) {
  v1::GetInvoiceRequest find;
  find.set_invoice_number(number);
  v1::GetInvoiceResponse found;
  if (ExitCode code = session.Call(&Stub::GetInvoice, find, &found); code != kExitOk) return code;
  *currency = found.invoice().currency();
  return kExitOk;
}

struct SendQuoteOptions {
  std::string order, valid_for, language, to;
};

ExitCode SendQuoteLink(Session& session, const SendQuoteOptions& options) {
  v1::SendQuoteRequest request;
  request.set_order_id(options.order);
  if (!options.valid_for.empty()) {
    absl::StatusOr<google::protobuf::Duration> valid_for = ParseDuration(options.valid_for);
    if (!valid_for.ok()) return ReportBadInput("--valid-for: " + valid_for.status().ToString());
    *request.mutable_valid_for() = *valid_for;
  }
  if (options.language == "de") request.set_language(v1::DOCUMENT_LANGUAGE_GERMAN);
  if (options.language == "en") request.set_language(v1::DOCUMENT_LANGUAGE_ENGLISH);
  request.set_recipient_email(options.to);
  v1::SendQuoteResponse response;
  if (ExitCode code = session.Call(&Stub::SendQuote, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "Quote of order " << response.link().order_id() << " rev "
              << response.link().order_revision() << " sent as a link valid until "
              << FormatTime(response.link().expire_time()) << " (single use):\n"
              << response.link().url() << "\n";
  }
  return kExitOk;
}

ExitCode ListQuoteLinks(Session& session, const std::string& order) {
  v1::ListQuoteLinksRequest request;
  request.set_order_id(order);
  v1::ListQuoteLinksResponse response;
  if (ExitCode code = session.Call(&Stub::ListQuoteLinks, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"sent", "rev", "state", "expires", "accepted by", "outcome"});
  for (const v1::QuoteLink& link : response.links()) {
    const v1::QuoteAcceptance& acceptance = link.acceptance();
    table.AddRow(
        {FormatTime(link.send_time()), absl::StrCat(link.order_revision()), EnumWord(link.state()),
         FormatTime(link.expire_time()),
         acceptance.accepted_by_name().empty()
             ? "-"
             : acceptance.accepted_by_name() + " (" + acceptance.client_address() + ")",
         acceptance.outcome() == v1::ACCEPTANCE_OUTCOME_UNSPECIFIED
             ? "-"
             : EnumWord(acceptance.outcome()) + (acceptance.outcome_reason().empty()
                                                     ? ""
                                                     : ": " + acceptance.outcome_reason())});
  }
  table.Print();
  return kExitOk;
}

struct InvoicePlanOptions {
  std::string order, organisation, payment_term;
  int deposit = -1;
  std::vector<std::string> instalments;
};

ExitCode SetInvoicePlan(Session& session, const InvoicePlanOptions& options) {
  v1::SetInvoicePlanRequest request;
  v1::InvoicePlan& plan = *request.mutable_plan();
  plan.set_order_id(options.order);
  plan.set_organisation_id(options.organisation);
  plan.set_deposit_percent(std::max(0, options.deposit));
  for (const std::string& text : options.instalments) {
    // "LABEL:PERCENT" or "LABEL:PERCENT@TIME".
    std::vector<std::string> label_rest = absl::StrSplit(text, absl::MaxSplits(':', 1));
    std::vector<std::string> percent_time =
        absl::StrSplit(label_rest.back(), absl::MaxSplits('@', 1));
    v1::Instalment* instalment = plan.add_instalments();
    int percent = 0;
    if (label_rest.size() != 2 || !absl::SimpleAtoi(percent_time[0], &percent)) {
      return ReportBadInput("--instalment: write LABEL:PERCENT[@TIME], e.g. 'Leg 1:40@+30d'");
    }
    instalment->set_label(label_rest[0]);
    instalment->set_percent(percent);
    if (percent_time.size() == 2) {
      absl::StatusOr<google::protobuf::Timestamp> when = ParseTime(percent_time[1]);
      if (!when.ok()) return ReportBadInput("--instalment: " + when.status().ToString());
      *instalment->mutable_invoice_time() = *when;
    }
  }
  if (!options.payment_term.empty()) {
    absl::StatusOr<google::protobuf::Duration> term = ParseDuration(options.payment_term);
    if (!term.ok()) return ReportBadInput("--payment-term: " + term.status().ToString());
    *plan.mutable_payment_term() = *term;
  }
  v1::SetInvoicePlanResponse response;
  if (ExitCode code = session.Call(&Stub::SetInvoicePlan, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "Invoice plan saved: deposit " << response.plan().deposit_percent() << " %, "
              << response.plan().instalments_size() << " instalment(s), the rest after return\n";
  }
  return kExitOk;
}

ExitCode ShowInvoicePlan(Session& session, const InvoicePlanOptions& options) {
  v1::GetInvoicePlanRequest request;
  request.set_order_id(options.order);
  request.set_organisation_id(options.organisation);
  v1::GetInvoicePlanResponse response;
  if (ExitCode code = session.Call(&Stub::GetInvoicePlan, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const v1::InvoicePlan& plan = response.plan();
  Details details;
  details.Add("From", plan.source());
  details.Add("Deposit", absl::StrCat(plan.deposit_percent(), " % on confirmation"));
  for (const v1::Instalment& instalment : plan.instalments()) {
    details.Add("Instalment", absl::StrCat(instalment.label(), ": ", instalment.percent(), " %",
                                           instalment.has_invoice_time()
                                               ? " from " + FormatTime(instalment.invoice_time())
                                               : ""));
  }
  details.Add("Payment term", FormatDuration(plan.payment_term()));
  details.Print();
  return kExitOk;
}

struct InvoiceIssueOptions {
  std::string order, kind, request_id, invoice_day;
  std::vector<std::string> damaged, lost;
};

ExitCode IssueInvoice(Session& session, const InvoiceIssueOptions& options) {
  v1::IssueInvoiceRequest request;
  request.set_request_id(options.request_id);
  request.set_order_id(options.order);
  absl::StatusOr<v1::InvoiceKind> kind = ParseEnum<v1::InvoiceKind>(options.kind);
  if (!kind.ok()) return ReportBadInput("--kind: deposit, instalment or final");
  request.set_kind(*kind);
  if (!options.invoice_day.empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(options.invoice_day, &day)) {
      return ReportBadInput("--invoice-day: write YYYY-MM-DD");
    }
    request.mutable_invoice_day()->set_year(static_cast<int32_t>(day.year()));
    request.mutable_invoice_day()->set_month(day.month());
    request.mutable_invoice_day()->set_day(day.day());
  }
  std::string currency;
  if (!options.damaged.empty() || !options.lost.empty()) {
    // A charge without a currency is in the order's.
    v1::GetOrderRequest find;
    find.set_order_id(options.order);
    find.set_view(v1::ORDER_VIEW_BASIC);
    v1::GetOrderResponse found;
    if (ExitCode code = session.Call(&Stub::GetOrder, find, &found); code != kExitOk) return code;
    currency = found.order().quote().total().currency_code();
  }
  for (const auto& [texts, lost] : {std::pair{&options.damaged, false}, {&options.lost, true}}) {
    for (const std::string& text : *texts) {
      absl::StatusOr<v1::DamageCharge> charge = ParseDamageCharge(text, lost, currency);
      if (!charge.ok()) {
        return ReportBadInput(std::string(lost ? "--lost: " : "--damaged: ") +
                              charge.status().ToString());
      }
      *request.add_damage_charges() = *charge;
    }
  }
  v1::IssueInvoiceResponse response;
  if (ExitCode code = session.Call(&Stub::IssueInvoice, request, &response); code != kExitOk) {
    return code;
  }
  return PrintInvoiceResponse(session, response, response.invoice());
}

ExitCode ShowInvoice(Session& session, const std::string& number) {
  v1::GetInvoiceRequest request;
  request.set_invoice_number(number);
  v1::GetInvoiceResponse response;
  if (ExitCode code = session.Call(&Stub::GetInvoice, request, &response); code != kExitOk) {
    return code;
  }
  return PrintInvoiceResponse(session, response, response.invoice());
}

struct InvoiceListOptions {
  std::string order, organisation;
  bool overdue = false;
};

ExitCode ListInvoices(Session& session, const InvoiceListOptions& options) {
  v1::ListInvoicesRequest request;
  request.set_order_id(options.order);
  request.set_organisation_id(options.organisation);
  request.set_overdue_only(options.overdue);
  request.set_page_size(1000);
  v1::ListInvoicesResponse response;
  if (ExitCode code = session.Call(&Stub::ListInvoices, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"number", "kind", "order", "buyer", "date", "due", "total", "due now", "status"});
  for (const v1::Invoice& invoice : response.invoices()) {
    table.AddRow({invoice.invoice_number(), EnumWord(invoice.kind()), invoice.order_id(),
                  invoice.buyer().name(), InvoiceDay(invoice.issue_day()),
                  InvoiceDay(invoice.due_day()), FormatMoney(invoice.total()),
                  FormatMoney(invoice.amount_due()),
                  invoice.overdue() ? "OVERDUE" : EnumWord(invoice.payment_status())});
  }
  table.Print();
  return kExitOk;
}

struct InvoiceFileOptions {
  std::string number, output, language;
};

ExitCode SaveInvoicePdf(Session& session, const InvoiceFileOptions& options) {
  v1::GetInvoiceRequest find;
  find.set_invoice_number(options.number);
  v1::GetInvoiceResponse found;
  if (ExitCode code = session.Call(&Stub::GetInvoice, find, &found); code != kExitOk) return code;
  v1::GetDocumentRequest request;
  request.set_order_id(found.invoice().order_id());
  request.set_kind(found.invoice().kind() == v1::INVOICE_KIND_CREDIT_NOTE
                       ? v1::DOCUMENT_KIND_CREDIT_NOTE
                       : v1::DOCUMENT_KIND_INVOICE);
  request.set_invoice_number(options.number);
  if (options.language == "de") request.set_language(v1::DOCUMENT_LANGUAGE_GERMAN);
  if (options.language == "en") request.set_language(v1::DOCUMENT_LANGUAGE_ENGLISH);
  v1::GetDocumentResponse response;
  if (ExitCode code = session.Call(&Stub::GetDocument, request, &response); code != kExitOk) {
    return code;
  }
  return WriteExport(session, response.document().pdf(),
                     options.output.empty() ? options.number + ".pdf" : options.output,
                     "the PDF of " + options.number);
}

ExitCode SaveInvoiceXml(Session& session, const InvoiceFileOptions& options) {
  v1::GetInvoiceXmlRequest request;
  request.set_invoice_number(options.number);
  v1::GetInvoiceXmlResponse response;
  if (ExitCode code = session.Call(&Stub::GetInvoiceXml, request, &response); code != kExitOk) {
    return code;
  }
  return WriteExport(session, response.xml(),
                     options.output.empty() ? options.number + ".xml" : options.output,
                     "the e-invoice (UBL 2.1) of " + options.number);
}

struct JournalOptions {
  std::string from, to, output;
};

ExitCode SaveJournal(Session& session, const JournalOptions& options) {
  v1::GetJournalRequest request;
  for (const auto& [text, field, flag] :
       {std::tuple{options.from, request.mutable_start_time(), "--from"},
        std::tuple{options.to, request.mutable_end_time(), "--to"}}) {
    absl::StatusOr<google::protobuf::Timestamp> when = ParseTime(text);
    if (!when.ok()) return ReportBadInput(std::string(flag) + ": " + when.status().ToString());
    *field = *when;
  }
  v1::GetJournalResponse response;
  if (ExitCode code = session.Call(&Stub::GetJournal, request, &response); code != kExitOk) {
    return code;
  }
  return WriteExport(session, response.csv(), options.output.empty() ? "-" : options.output,
                     absl::StrCat("the journal (", response.row_count(), " rows)"));
}

struct PaymentRecordOptions {
  std::string number, amount, received, method, reference, request_id;
  bool refund = false;
};

ExitCode RecordPayment(Session& session, const PaymentRecordOptions& options) {
  v1::RecordPaymentRequest request;
  request.set_request_id(options.request_id);
  v1::Payment& payment = *request.mutable_payment();
  payment.set_invoice_number(options.number);
  payment.set_kind(options.refund ? v1::PAYMENT_KIND_REFUND : v1::PAYMENT_KIND_RECEIVED);
  // An amount without a currency is in the invoice's.
  std::string currency;
  if (ExitCode code = InvoiceCurrency(session, options.number, &currency); code != kExitOk) {
    return code;
  }
  absl::StatusOr<google::type::Money> amount = ParseMoney(options.amount, currency);
  if (!amount.ok()) return ReportBadInput("amount: " + amount.status().ToString());
  *payment.mutable_amount() = *amount;
  if (!options.received.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> when = ParseTime(options.received);
    if (!when.ok()) return ReportBadInput("--received: " + when.status().ToString());
    *payment.mutable_receive_time() = *when;
  }
  payment.set_method(options.method);
  payment.set_reference(options.reference);
  v1::RecordPaymentResponse response;
  if (ExitCode code = session.Call(&Stub::RecordPayment, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << (options.refund ? "Refund of " : "Payment of ")
              << FormatMoney(response.payment().amount()) << " recorded on "
              << response.invoice().invoice_number() << ": "
              << FormatMoney(response.invoice().amount_due()) << " due now ("
              << EnumWord(response.invoice().payment_status()) << ")\n";
  }
  return kExitOk;
}

struct CreditNoteOptions {
  std::string number, reason;
  std::vector<std::string> lines;
};

ExitCode IssueCreditNote(Session& session, const CreditNoteOptions& options) {
  v1::IssueCreditNoteRequest request;
  request.set_invoice_number(options.number);
  request.set_reason(options.reason);
  std::string currency;
  if (!options.lines.empty()) {
    if (ExitCode code = InvoiceCurrency(session, options.number, &currency); code != kExitOk) {
      return code;
    }
  }
  for (const std::string& text : options.lines) {
    // "DESCRIPTION=AMOUNT@RATE%", the amount net in the invoice's currency.
    std::vector<std::string> description_rest = absl::StrSplit(text, absl::MaxSplits('=', 1));
    std::vector<std::string> amount_rate =
        absl::StrSplit(description_rest.back(), absl::MaxSplits('@', 1));
    double rate = 0;
    if (description_rest.size() != 2 || amount_rate.size() != 2 ||
        !absl::SimpleAtod(absl::StripSuffix(amount_rate[1], "%"), &rate)) {
      return ReportBadInput("--line: write DESCRIPTION=NET@RATE%, e.g. 'Damage reduced=100@19%'");
    }
    absl::StatusOr<google::type::Money> net = ParseMoney(amount_rate[0], currency);
    if (!net.ok()) return ReportBadInput("--line: " + net.status().ToString());
    v1::CreditLine* line = request.add_lines();
    line->set_description(description_rest[0]);
    *line->mutable_net() = *net;
    line->set_tax_millionths(static_cast<int64_t>(rate * 10'000 + 0.5));
  }
  v1::IssueCreditNoteResponse response;
  if (ExitCode code = session.Call(&Stub::IssueCreditNote, request, &response); code != kExitOk) {
    return code;
  }
  return PrintInvoiceResponse(session, response, response.credit_note());
}

ExitCode ShowBalance(Session& session, const std::string& organisation) {
  v1::GetAccountBalanceRequest request;
  request.set_organisation_id(organisation);
  v1::GetAccountBalanceResponse response;
  if (ExitCode code = session.Call(&Stub::GetAccountBalance, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table(
      {"currency", "invoiced", "credited", "received", "refunded", "balance", "overdue", "open"});
  for (const v1::AccountBalance& balance : response.balances()) {
    table.AddRow({balance.currency(), FormatMoney(balance.invoiced_total()),
                  FormatMoney(balance.credited_total()), FormatMoney(balance.received_total()),
                  FormatMoney(balance.refunded_total()), FormatMoney(balance.balance_total()),
                  FormatMoney(balance.overdue_total()),
                  absl::StrCat(balance.open_invoice_count())});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

void AddInvoiceCommands(CommandTree& tree) {
  {
    auto options = MakeOptions<SendQuoteOptions>();
    CLI::App* send = tree.root().add_subcommand(
        "send-quote", "Send the order's quote as a signed link the client accepts online");
    send->add_option("order", options->order, "Order id")->required();
    send->add_option("--valid-for", options->valid_for,
                     "How long the link works, e.g. 7d (default: until the quote expires)");
    send->add_option("--language", options->language, "en or de (default: the company's)");
    send->add_option("--to", options->to, "The client's email, kept with the link");
    tree.OnRun(send, [options](Session& session) { return SendQuoteLink(session, *options); });
  }
  {
    auto order = std::make_shared<std::string>();
    CLI::App* links = tree.root().add_subcommand(
        "quote-links", "The links sent for an order and what the client did with them");
    links->add_option("order", *order, "Order id")->required();
    tree.OnRun(links, [order](Session& session) { return ListQuoteLinks(session, *order); });
  }

  CLI::App* invoice = tree.AddGroup(tree.root(), "invoice",
                                    "Invoices: plans, issuing, listing, PDF, e-invoice, journal");
  {
    CLI::App* plan = tree.AddGroup(*invoice, "plan", "How an order or organisation is invoiced");
    auto options = MakeOptions<InvoicePlanOptions>();
    CLI::App* set = plan->add_subcommand("set", "Set the plan of an order or organisation");
    set->add_option("--order", options->order, "The order the plan is for");
    set->add_option("--organisation", options->organisation, "The organisation it is for");
    set->add_option("--deposit", options->deposit, "Percent invoiced on confirmation");
    set->add_option("--instalment", options->instalments,
                    "LABEL:PERCENT[@TIME], repeatable (tours)");
    set->add_option("--payment-term", options->payment_term, "e.g. 30d (default 14d)");
    tree.OnRun(set, [options](Session& session) { return SetInvoicePlan(session, *options); });
    auto show_options = MakeOptions<InvoicePlanOptions>();
    CLI::App* show = plan->add_subcommand("show", "The plan in effect");
    show->add_option("--order", show_options->order, "An order");
    show->add_option("--organisation", show_options->organisation, "An organisation");
    tree.OnRun(
        show, [show_options](Session& session) { return ShowInvoicePlan(session, *show_options); });
  }
  {
    auto options = MakeOptions<InvoiceIssueOptions>();
    CLI::App* issue = invoice->add_subcommand("issue", "IssueInvoice the order's next invoice");
    issue->add_option("order", options->order, "Order id")->required();
    issue->add_option("--kind", options->kind, "deposit, instalment or final")->required();
    issue->add_option("--damaged", options->damaged,
                      "Charge damaged units: CODE=N@PRICE, repeatable (final only)");
    issue->add_option("--lost", options->lost,
                      "Charge units never returned: CODE=N@PRICE, repeatable (final only)");
    issue->add_option("--invoice-day", options->invoice_day,
                      "Invoice date YYYY-MM-DD when not today (ADMIN; entered late)");
    issue->add_option("--request-id", options->request_id,
                      "Idempotency key: a retry with it issues nothing twice");
    tree.OnRun(issue, [options](Session& session) { return IssueInvoice(session, *options); });
  }
  {
    auto options = MakeOptions<InvoiceListOptions>();
    CLI::App* list = invoice->add_subcommand("list", "Invoices, newest first");
    list->add_option("--order", options->order, "Of one order");
    list->add_option("--organisation", options->organisation, "Of one organisation");
    list->add_flag("--overdue", options->overdue, "Only overdue ones");
    tree.OnRun(list, [options](Session& session) { return ListInvoices(session, *options); });
  }
  {
    auto number = std::make_shared<std::string>();
    CLI::App* show = invoice->add_subcommand("show", "An invoice with its lines and payments");
    show->add_option("number", *number, "Invoice number")->required();
    tree.OnRun(show, [number](Session& session) { return ShowInvoice(session, *number); });
  }
  for (const auto& [word, description, save] :
       {std::tuple{"pdf", "Save the invoice's PDF", &SaveInvoicePdf},
        std::tuple{"xml", "Save the e-invoice (EN 16931 UBL 2.1, Peppol BIS 3.0)",
                   &SaveInvoiceXml}}) {
    auto options = MakeOptions<InvoiceFileOptions>();
    CLI::App* command = invoice->add_subcommand(word, description);
    command->add_option("number", options->number, "Invoice number")->required();
    command->add_option("-o,--output", options->output, "File (default: NUMBER.pdf/.xml; -)");
    if (std::string(word) == "pdf") {
      command->add_option("--language", options->language, "en or de");
    }
    auto action = save;
    tree.OnRun(command, [options, action](Session& session) { return action(session, *options); });
  }
  {
    auto options = MakeOptions<JournalOptions>();
    CLI::App* journal =
        invoice->add_subcommand("journal", "The bookkeeping journal of a period as CSV (ADMIN)");
    journal->add_option("--from", options->from, "Start, e.g. 2026-11-01")->required();
    journal->add_option("--to", options->to, "End (excluded), e.g. 2026-12-01")->required();
    journal->add_option("-o,--output", options->output, "File (default: stdout)");
    tree.OnRun(journal, [options](Session& session) { return SaveJournal(session, *options); });
  }
  {
    CLI::App* payment = tree.AddGroup(tree.root(), "payment", "Payments and refunds");
    auto options = MakeOptions<PaymentRecordOptions>();
    CLI::App* record = payment->add_subcommand("record", "RecordPayment a payment (or --refund)");
    record->add_option("invoice", options->number, "Invoice number")->required();
    record->add_option("amount", options->amount, "e.g. 500 or 500.00 EUR")->required();
    record->add_flag("--refund", options->refund, "Money paid back to the client");
    record->add_option("--received", options->received, "When it moved (default: now)");
    record->add_option("--method", options->method, "e.g. bank transfer");
    record->add_option("--reference", options->reference, "The bank's reference");
    record->add_option("--request-id", options->request_id,
                       "Idempotency key: a retry with it records nothing twice");
    tree.OnRun(record, [options](Session& session) { return RecordPayment(session, *options); });
  }
  {
    auto options = MakeOptions<CreditNoteOptions>();
    CLI::App* credit = tree.root().add_subcommand(
        "credit-note",
        "IssueCreditNote an invoice, wholly or by --line (cancellations, adjustments)");
    credit->add_option("invoice", options->number, "Invoice number")->required();
    credit->add_option("--reason", options->reason, "Why")->required();
    credit->add_option("--line", options->lines,
                       "DESCRIPTION=NET@RATE%, repeatable (default: all that is left)");
    tree.OnRun(credit, [options](Session& session) { return IssueCreditNote(session, *options); });
  }
  {
    auto organisation = std::make_shared<std::string>();
    CLI::App* balance =
        tree.root().add_subcommand("balance", "What an organisation owes, per currency");
    balance->add_option("organisation", *organisation, "Organisation id")->required();
    tree.OnRun(balance,
               [organisation](Session& session) { return ShowBalance(session, *organisation); });
  }
}

}  // namespace salesops::cli
