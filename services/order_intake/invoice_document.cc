#include "services/order_intake/invoice_document.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "services/common/money.h"
#include "services/order_intake/document_words.h"

namespace salesops::order_intake {
namespace {

using document_words::CompanyZone;
using document_words::FooterOf;
using document_words::MicrosOf;
using document_words::SenderOf;
using document_words::Words;
using document_words::Writer;
using documents::Document;
using documents::KeyValues;
using documents::Paragraph;
using documents::Table;
using documents::Totals;

// The words only invoices and credit notes print; the rest are the other documents' (Words).
struct InvoiceWords {
  const char* invoice;
  const char* deposit_invoice;
  const char* instalment_invoice;
  const char* credit_note;
  const char* invoice_number;
  const char* credit_note_number;
  const char* invoice_date;
  const char* due_date;
  const char* credited_invoice;
  const char* reason;
  const char* instalment;
  const char* tax_rate;  // the lines' column
  const char* tax_total;
  const char* less_credit_notes;  // "{numbers}"
  const char* paid;
  const char* amount_due;
  const char* pay;           // "{amount}", "{by}", "{to}", "{number}"
  const char* pay_by;        // "{day}"
  const char* pay_to;        // "{account}"
  const char* iban_and_bic;  // "{iban}", "{bic}"
  const char* day_format;
};

constexpr InvoiceWords kEnglishInvoice = {
    "Invoice",
    "Deposit invoice",
    "Instalment invoice",
    "Credit note",
    "Invoice no.",
    "Credit note no.",
    "Invoice date",
    "Due date",
    "Credited invoice",
    "Reason",
    "Instalment",
    "VAT",
    "VAT total",
    "Less credit notes {numbers}",
    "Already paid",
    "Amount due",
    "Please pay {amount}{by}{to}, quoting {number}.",
    " by {day}",
    " to {account}",
    "IBAN {iban} (BIC {bic})",
    "%d %b %Y",
};

// A credit note by the seller is a "Rechnungskorrektur": in German VAT law a "Gutschrift" is an
// invoice the buyer issues for the seller (self-billing, §14 (2) UStG), and §14 (4) no. 10
// reserves the word for those. The BMF tolerates it on a seller's correction, but the document
// then reads as something it is not, so it is not used.
constexpr InvoiceWords kGermanInvoice = {
    "Rechnung",
    "Anzahlungsrechnung",
    "Abschlagsrechnung",
    "Rechnungskorrektur",
    "Rechnungsnr.",
    "Rechnungskorrektur-Nr.",
    "Rechnungsdatum",
    "Fällig am",
    "Korrektur zur Rechnung",
    "Grund",
    "Abschlag",
    "USt.",
    "USt. gesamt",
    "Abzüglich Rechnungskorrekturen {numbers}",
    "Bereits bezahlt",
    "Offener Betrag",
    "Bitte überweisen Sie {amount}{by}{to} unter Angabe der Nummer {number}.",
    " bis zum {day}",
    " auf das Konto {account}",
    "IBAN {iban} (BIC {bic})",
    "%d.%m.%Y",
};

bool IsSet(const google::type::Date& day) {
  return day.year() > 0 && day.month() > 0 && day.day() > 0;
}

// `day` is already a day of the company's zone (issue_day, due_day), so it is written as it is,
// never moved through a zone.
std::string Day(const google::type::Date& day, const char* format) {
  if (!IsSet(day)) return "";
  return absl::FormatTime(
      format,
      absl::FromCivil(absl::CivilDay(day.year(), day.month(), day.day()), absl::UTCTimeZone()),
      absl::UTCTimeZone());
}

google::type::Money Negated(const google::type::Money& money) {
  return common::MoneyFromMicros(-MicrosOf(money), money.currency_code());
}

const char* TitleOf(v1::InvoiceKind kind, const InvoiceWords& words) {
  switch (kind) {
    case v1::INVOICE_KIND_DEPOSIT:
      return words.deposit_invoice;
    case v1::INVOICE_KIND_INSTALMENT:
      return words.instalment_invoice;
    case v1::INVOICE_KIND_CREDIT_NOTE:
      return words.credit_note;
    default:
      return words.invoice;
  }
}

// The buyer as the order's directory snapshot had it when the invoice was issued, laid out as the
// other documents lay out their recipient.
std::vector<std::string> BuyerOf(const v1::InvoiceParty& buyer, const Words& words) {
  std::vector<std::string> lines = {buyer.name()};
  if (!buyer.contact_name().empty()) {
    lines.push_back(absl::StrCat(words.attention, " ", buyer.contact_name()));
  }
  for (const std::string& line : buyer.address_lines()) lines.push_back(line);
  if (!buyer.country().empty()) lines.push_back(buyer.country());
  if (!buyer.tax_id().empty()) lines.push_back(absl::StrCat(words.tax_id, " ", buyer.tax_id()));
  return lines;
}

KeyValues FactsOf(const v1::Invoice& invoice, const Writer& writer, const InvoiceWords& words) {
  const bool credit_note = invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE;
  KeyValues facts;
  facts.pairs.push_back(
      {credit_note ? words.credit_note_number : words.invoice_number, invoice.invoice_number()});
  facts.pairs.push_back({credit_note ? writer.words().date : words.invoice_date,
                         Day(invoice.issue_day(), words.day_format)});
  // A credit note is settled against the invoice it corrects, never paid by a day of its own.
  if (!credit_note && IsSet(invoice.due_day())) {
    facts.pairs.push_back({words.due_date, Day(invoice.due_day(), words.day_format)});
  }
  if (credit_note) {
    facts.pairs.push_back({words.credited_invoice, invoice.credited_invoice_number()});
    if (!invoice.reason().empty()) facts.pairs.push_back({words.reason, invoice.reason()});
  }
  if (!invoice.order_id().empty()) {
    facts.pairs.push_back({writer.words().order_number, invoice.order_id()});
    facts.pairs.push_back({writer.words().revision, absl::StrCat(invoice.order_revision())});
  }
  if (!invoice.customer_reference().empty()) {
    facts.pairs.push_back({writer.words().your_reference, invoice.customer_reference()});
  }
  if (!invoice.label().empty()) facts.pairs.push_back({words.instalment, invoice.label()});
  // The time of supply, which an invoice must state (§14 (4) no. 6 UStG).
  if (!invoice.commitment_text().empty()) {
    facts.pairs.push_back({writer.words().delivery, invoice.commitment_text()});
  }
  return facts;
}

Table LinesOf(const v1::Invoice& invoice, const Writer& writer, const InvoiceWords& words) {
  const Words& common = writer.words();
  // 16 mm for the quantity: "Menge" in the header's bold does not fit the quotes' 14.
  Table table{{{common.item, 78, false},
               {common.quantity, 16, true},
               {common.unit_price, 30, true},
               {words.tax_rate, 16, true},
               {common.net, 34, true}},
              {}};
  for (const v1::InvoiceLine& line : invoice.lines()) {
    // A share or a deduction has no quantity or unit price of its own: only its net.
    table.rows.push_back({line.description(),
                          line.quantity() != 0 ? absl::StrCat(line.quantity()) : "",
                          line.has_unit_price() ? writer.Money(line.unit_price()) : "",
                          absl::StrCat(writer.Decimal(line.tax_millionths(), 10000), " %"),
                          writer.Money(line.net())});
  }
  return table;
}

Totals TotalsOf(const v1::Invoice& invoice, const Writer& writer, const InvoiceWords& words) {
  const Words& common = writer.words();
  Totals totals;
  totals.lines.push_back({common.net, writer.Money(invoice.net_total()), false});
  for (const v1::InvoiceTaxLine& tax : invoice.tax_lines()) {
    totals.lines.push_back(
        {absl::StrReplaceAll(common.tax, {{"{rate}", writer.Decimal(tax.tax_millionths(), 10000)},
                                          {"{net}", writer.Money(tax.net())}}),
         writer.Money(tax.tax()), false});
  }
  // With one rate its line is the tax total already.
  if (invoice.tax_lines_size() != 1) {
    totals.lines.push_back({words.tax_total, writer.Money(invoice.tax_total()), false});
  }
  totals.lines.push_back({common.total, writer.Money(invoice.total()), true});
  // An invoice printed after credit notes or payments shows how its total became what is due, so
  // the lines add up: total - credited - paid = due.
  const bool credited = invoice.kind() != v1::INVOICE_KIND_CREDIT_NOTE &&
                        invoice.has_credited_total() && MicrosOf(invoice.credited_total()) != 0;
  const bool paid = !invoice.payments().empty();
  if (credited) {
    totals.lines.push_back(
        {absl::StrReplaceAll(words.less_credit_notes,
                             {{"{numbers}", absl::StrJoin(invoice.credit_note_numbers(), ", ")}}),
         writer.Money(Negated(invoice.credited_total())), false});
  }
  if (paid) {
    totals.lines.push_back({words.paid, writer.Money(Negated(invoice.paid_total())), false});
  }
  if (credited || paid) {
    totals.lines.push_back({words.amount_due, writer.Money(invoice.amount_due()), true});
  }
  return totals;
}

// "Please pay 1,190.00 EUR by 15 Mar 2027 to IBAN ... (BIC ...), quoting INV-2027-000042.";
// empty when nothing is due (a credit note, an invoice paid in full).
std::string PaymentInstruction(const v1::Invoice& invoice, const v1::CompanyProfile& profile,
                               const Writer& writer, const InvoiceWords& words) {
  if (invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE) return "";
  const google::type::Money& due =
      invoice.has_amount_due() ? invoice.amount_due() : invoice.total();
  if (MicrosOf(due) <= 0) return "";
  std::string by;
  if (IsSet(invoice.due_day())) {
    by = absl::StrReplaceAll(words.pay_by, {{"{day}", Day(invoice.due_day(), words.day_format)}});
  }
  // The e-invoice's account (BT-84) when the profile has one, else the bank details as printed
  // in the footer.
  std::string account = profile.bank_details();
  if (!profile.iban().empty()) {
    account = profile.bic().empty()
                  ? absl::StrCat("IBAN ", profile.iban())
                  : absl::StrReplaceAll(words.iban_and_bic,
                                        {{"{iban}", profile.iban()}, {"{bic}", profile.bic()}});
  }
  std::string to;
  if (!account.empty()) to = absl::StrReplaceAll(words.pay_to, {{"{account}", account}});
  return absl::StrReplaceAll(words.pay, {{"{amount}", writer.Money(due)},
                                         {"{by}", by},
                                         {"{to}", to},
                                         {"{number}", invoice.invoice_number()}});
}

}  // namespace

documents::Document InvoiceDocumentOf(const v1::Invoice& invoice, const v1::CompanyProfile& profile,
                                      v1::DocumentLanguage language) {
  const bool german = language == v1::DOCUMENT_LANGUAGE_GERMAN;
  const InvoiceWords& words = german ? kGermanInvoice : kEnglishInvoice;
  const Writer writer(language, CompanyZone(profile));

  Document document;
  document.title = TitleOf(invoice.kind(), words);
  document.sender_lines = SenderOf(profile, writer.words());
  document.logo_png = profile.logo_png();
  document.recipient_lines = BuyerOf(invoice.buyer(), writer.words());
  document.footer = FooterOf(profile);
  document.page_label = writer.words().page;
  document.pdf_title = absl::StrCat(document.title, " ", invoice.invoice_number());
  document.pdf_author = profile.name();
  if (IsSet(invoice.issue_day())) {
    document.creation_date = Day(invoice.issue_day(), "%Y-%m-%dT00:00:00Z");
  }

  document.blocks.push_back(FactsOf(invoice, writer, words));
  document.blocks.push_back(LinesOf(invoice, writer, words));
  document.blocks.push_back(TotalsOf(invoice, writer, words));
  if (!invoice.tax_note().empty()) document.blocks.push_back(Paragraph{invoice.tax_note(), true});
  std::string instruction = PaymentInstruction(invoice, profile, writer, words);
  if (!instruction.empty()) document.blocks.push_back(Paragraph{std::move(instruction)});
  return document;
}

}  // namespace salesops::order_intake
