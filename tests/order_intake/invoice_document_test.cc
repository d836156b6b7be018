// Invoices and credit notes as their reader sees them: built by InvoiceDocumentOf, rendered by
// RenderPdf and read back with pdftotext (the words) and pdftoppm (the ink on the page).
#include "services/order_intake/invoice_document.h"

#include <absl/strings/match.h>
#include <absl/strings/str_replace.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "services/common/money.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

google::type::Money Eur(int64_t cents) { return common::MoneyFromMicros(cents * 10'000, "EUR"); }

google::type::Date DayOf(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

v1::CompanyProfile Brightside() {
  v1::CompanyProfile profile;
  profile.set_name("Brightside Event Technology GmbH");
  profile.add_address_lines("Hafenstraße 12");
  profile.add_address_lines("20457 Hamburg");
  profile.set_tax_id("DE123456789");
  profile.set_bank_details("Commerzbank Hamburg · IBAN DE89 3704 0044 0532 0130 00");
  profile.set_footer_text("Amtsgericht Hamburg HRB 12345");
  profile.set_zone_id("Europe/Berlin");
  profile.set_iban("DE89 3704 0044 0532 0130 00");
  profile.set_bic("COBADEFFXXX");
  return profile;
}

void AddLine(v1::Invoice& invoice, v1::InvoiceLineKind kind, const std::string& description,
             int quantity, int64_t unit_cents, int64_t net_cents, int64_t tax_millionths) {
  v1::InvoiceLine* line = invoice.add_lines();
  line->set_kind(kind);
  line->set_description(description);
  line->set_quantity(quantity);
  if (unit_cents != 0) *line->mutable_unit_price() = Eur(unit_cents);
  *line->mutable_net() = Eur(net_cents);
  line->set_tax_millionths(tax_millionths);
}

void AddTax(v1::Invoice& invoice, int64_t tax_millionths, int64_t net_cents, int64_t tax_cents) {
  v1::InvoiceTaxLine* tax = invoice.add_tax_lines();
  tax->set_tax_millionths(tax_millionths);
  *tax->mutable_net() = Eur(net_cents);
  *tax->mutable_tax() = Eur(tax_cents);
}

// The final invoice of order ORD-1042 after its return: two rates, a damage charge and the
// deposit deducted. 19 %: 1,000.00 + 150.00 - 300.00 = 850.00, tax 161.50; 7 %: 200.00, tax 14.00.
v1::Invoice FinalInvoice() {
  v1::Invoice invoice;
  invoice.set_invoice_number("INV-2027-000042");
  invoice.set_kind(v1::INVOICE_KIND_FINAL);
  invoice.set_order_id("ORD-1042");
  invoice.set_order_revision(3);
  v1::InvoiceParty* buyer = invoice.mutable_buyer();
  buyer->set_name("Northwind Events AG");
  buyer->add_address_lines("Messeplatz 1");
  buyer->add_address_lines("30521 Hannover");
  buyer->set_country("DE");
  buyer->set_tax_id("DE987654321");
  buyer->set_contact_name("Jana Berger");
  invoice.set_customer_reference("PO-7781");
  invoice.set_currency("EUR");
  invoice.set_commitment_text("delivered no later than 08:00 on 1 Mar 2027 at Messe Hannover");
  AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER, "LED-PANEL-500 LED panel 500", 20, 5000, 100000,
          190000);
  AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER, "Programme booklets", 100, 200, 20000, 70000);
  AddLine(invoice, v1::INVOICE_LINE_KIND_DAMAGE, "Damage: panel #0042, cracked front", 1, 15000,
          15000, 190000);
  AddLine(invoice, v1::INVOICE_LINE_KIND_DEDUCTION, "Deposit INV-2027-000040", 0, 0, -30000,
          190000);
  AddTax(invoice, 70000, 20000, 1400);
  AddTax(invoice, 190000, 85000, 16150);
  *invoice.mutable_net_total() = Eur(105000);
  *invoice.mutable_tax_total() = Eur(17550);
  *invoice.mutable_total() = Eur(122550);
  *invoice.mutable_paid_total() = Eur(0);
  *invoice.mutable_amount_due() = Eur(122550);
  invoice.mutable_issue_time()->set_seconds(1804492800);  // 8 Mar 2027 08:00 UTC
  *invoice.mutable_issue_day() = DayOf(2027, 3, 8);
  *invoice.mutable_due_day() = DayOf(2027, 3, 22);
  return invoice;
}

// Credits 100.00 of the final invoice's damage charge, at its 19 %.
v1::Invoice CreditNote() {
  v1::Invoice note = FinalInvoice();
  note.set_invoice_number("CN-2027-000003");
  note.set_kind(v1::INVOICE_KIND_CREDIT_NOTE);
  note.set_credited_invoice_number("INV-2027-000042");
  note.set_reason("Damage charge reduced after inspection");
  note.clear_lines();
  note.clear_tax_lines();
  AddLine(note, v1::INVOICE_LINE_KIND_CREDIT, "Damage: panel #0042, reduced", 1, -10000, -10000,
          190000);
  AddTax(note, 190000, -10000, -1900);
  *note.mutable_net_total() = Eur(-10000);
  *note.mutable_tax_total() = Eur(-1900);
  *note.mutable_total() = Eur(-11900);
  *note.mutable_amount_due() = Eur(-11900);
  *note.mutable_issue_day() = DayOf(2027, 3, 10);
  // A due day the store may carry; a credit note must not print it.
  *note.mutable_due_day() = DayOf(2027, 3, 24);
  return note;
}

// pdftotext keeps or drops the space of "7 %" by the gap it measures, which a narrow right-aligned
// cell makes too small; text and expectations are compared without it.
std::string WithoutSpaceBeforePercent(const std::string& text) {
  return absl::StrReplaceAll(text, {{" %", "%"}});
}

// What pdftotext reads, with every run of spaces and line breaks made one space: a table row or
// a "label: value" pair is then one string, however -layout spaced its columns or wrapped a line.
std::string TextOf(const v1::Invoice& invoice, v1::DocumentLanguage language,
                   std::string* pdf_out = nullptr) {
  absl::StatusOr<std::string> pdf =
      documents::RenderPdf(order_intake::InvoiceDocumentOf(invoice, Brightside(), language));
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  if (!pdf.ok()) return "";
  if (pdf_out != nullptr) *pdf_out = *pdf;
  std::string flat;
  for (absl::string_view word :
       absl::StrSplit(PdfText(*pdf), absl::ByAnyChar(" \n\f\t"), absl::SkipEmpty())) {
    if (!flat.empty()) flat.push_back(' ');
    flat.append(word.data(), word.size());
  }
  return WithoutSpaceBeforePercent(flat);
}

// The document's first words: its title, drawn large at the top left.
bool StartsWithTitle(const std::string& text, const std::string& title) {
  return absl::StartsWith(text, title + " ");
}

void ExpectContains(const std::string& text, const std::vector<std::string>& expected) {
  for (const std::string& words : expected) {
    EXPECT_TRUE(absl::StrContains(text, WithoutSpaceBeforePercent(words)))
        << "missing \"" << words << "\" in:\n"
        << text;
  }
}

void ExpectLacks(const std::string& text, const std::vector<std::string>& unexpected) {
  for (const std::string& words : unexpected) {
    EXPECT_FALSE(absl::StrContains(text, WithoutSpaceBeforePercent(words)))
        << "unexpected \"" << words << "\" in:\n"
        << text;
  }
}

TEST(InvoiceDocumentTest, AnInvoiceStatesWhatTheLawAndTheBuyersAccountantAskFor) {
  std::string pdf;
  const std::string text = TextOf(FinalInvoice(), v1::DOCUMENT_LANGUAGE_ENGLISH, &pdf);
  EXPECT_TRUE(StartsWithTitle(text, "Invoice")) << text;
  ExpectContains(text,
                 {
                     "Invoice no.: INV-2027-000042",
                     "Invoice date: 08 Mar 2027",
                     "Due date: 22 Mar 2027",
                     "Order no.: ORD-1042",
                     "Revision: 3",
                     "Your reference: PO-7781",
                     "Delivery: delivered no later than 08:00 on 1 Mar 2027 at Messe Hannover",
                     // The seller, with its VAT id.
                     "Brightside Event Technology GmbH",
                     "Hafenstraße 12",
                     "VAT ID DE123456789",
                     // The buyer.
                     "Northwind Events AG",
                     "Attn. Jana Berger",
                     "Messeplatz 1",
                     "30521 Hannover",
                     "VAT ID DE987654321",
                     // The lines: description, quantity, unit price, rate, net.
                     "Item Qty Unit price VAT Net",
                     "LED-PANEL-500 LED panel 500 20 50.00 EUR 19 % 1,000.00 EUR",
                     "Programme booklets 100 2.00 EUR 7 % 200.00 EUR",
                     "Damage: panel #0042, cracked front 1 150.00 EUR 19 % 150.00 EUR",
                     // The deposit already invoiced, deducted.
                     "Deposit INV-2027-000040 19 % -300.00 EUR",
                     // Net per rate, and the tax on it.
                     "Net 1,050.00 EUR",
                     "VAT 7 % on 200.00 EUR 14.00 EUR",
                     "VAT 19 % on 850.00 EUR 161.50 EUR",
                     "VAT total 175.50 EUR",
                     "Total 1,225.50 EUR",
                     "Please pay 1,225.50 EUR by 22 Mar 2027 to IBAN DE89 3704 0044 0532 "
                     "0130 00 (BIC COBADEFFXXX), quoting INV-2027-000042.",
                     // The footer.
                     "Commerzbank Hamburg · IBAN DE89",
                     "Amtsgericht Hamburg HRB 12345",
                     "Page 1 of 1",
                 });
  // Nothing was paid yet: the total is what is due, and no payment lines stand in the way.
  ExpectLacks(text, {"Already paid", "Amount due", "Credited invoice", "Reason"});
  EXPECT_GT(PdfPageInk(pdf), 0.01) << "the page is blank";
}

TEST(InvoiceDocumentTest, InGermanEveryWordOfTheDocumentIsGerman) {
  const std::string text = TextOf(FinalInvoice(), v1::DOCUMENT_LANGUAGE_GERMAN);
  EXPECT_TRUE(StartsWithTitle(text, "Rechnung")) << text;
  ExpectContains(text,
                 {
                     "Rechnungsnr.: INV-2027-000042",
                     "Rechnungsdatum: 08.03.2027",
                     "Fällig am: 22.03.2027",
                     "Auftragsnr.: ORD-1042",
                     "Ihr Zeichen: PO-7781",
                     "USt-IdNr. DE987654321",
                     "z. Hd. Jana Berger",
                     "Position Menge Einzelpreis USt. Netto",
                     "LED-PANEL-500 LED panel 500 20 50,00 EUR 19 % 1.000,00 EUR",
                     "Deposit INV-2027-000040 19 % -300,00 EUR",
                     "Netto 1.050,00 EUR",
                     "USt. 7 % auf 200,00 EUR 14,00 EUR",
                     "USt. 19 % auf 850,00 EUR 161,50 EUR",
                     "USt. gesamt 175,50 EUR",
                     "Gesamt 1.225,50 EUR",
                     "Bitte überweisen Sie 1.225,50 EUR bis zum 22.03.2027 auf das Konto IBAN "
                     "DE89 3704 0044 0532 0130 00 (BIC COBADEFFXXX) unter Angabe der Nummer "
                     "INV-2027-000042.",
                     "Seite 1 von 1",
                 });
  ExpectLacks(text, {"Invoice no.", "Invoice date", "Due date", "Qty", "VAT", "Please pay",
                     "Page 1 of 1", "1,225.50"});
}

TEST(InvoiceDocumentTest, DepositAndInstalmentInvoicesSayWhichTheyAre) {
  v1::Invoice deposit = FinalInvoice();
  deposit.set_kind(v1::INVOICE_KIND_DEPOSIT);
  v1::Invoice instalment = FinalInvoice();
  instalment.set_kind(v1::INVOICE_KIND_INSTALMENT);
  instalment.set_label("Leg 1: Hamburg to Berlin");

  std::string text = TextOf(deposit, v1::DOCUMENT_LANGUAGE_ENGLISH);
  EXPECT_TRUE(StartsWithTitle(text, "Deposit invoice")) << text;
  text = TextOf(deposit, v1::DOCUMENT_LANGUAGE_GERMAN);
  EXPECT_TRUE(StartsWithTitle(text, "Anzahlungsrechnung")) << text;

  text = TextOf(instalment, v1::DOCUMENT_LANGUAGE_ENGLISH);
  EXPECT_TRUE(StartsWithTitle(text, "Instalment invoice")) << text;
  ExpectContains(text, {"Instalment: Leg 1: Hamburg to Berlin"});
  text = TextOf(instalment, v1::DOCUMENT_LANGUAGE_GERMAN);
  EXPECT_TRUE(StartsWithTitle(text, "Abschlagsrechnung")) << text;
  ExpectContains(text, {"Abschlag: Leg 1: Hamburg to Berlin"});
}

TEST(InvoiceDocumentTest, ACreditNoteNamesTheInvoiceItCorrectsAndWhyAndAsksForNoPayment) {
  std::string pdf;
  const std::string text = TextOf(CreditNote(), v1::DOCUMENT_LANGUAGE_ENGLISH, &pdf);
  EXPECT_TRUE(StartsWithTitle(text, "Credit note")) << text;
  ExpectContains(text, {
                           "Credit note no.: CN-2027-000003",
                           "Date: 10 Mar 2027",
                           "Credited invoice: INV-2027-000042",
                           "Reason: Damage charge reduced after inspection",
                           "Damage: panel #0042, reduced 1 -100.00 EUR 19 % -100.00 EUR",
                           "VAT 19 % on -100.00 EUR -19.00 EUR",
                           "Total -119.00 EUR",
                       });
  ExpectLacks(text, {"Due date", "24 Mar 2027", "Please pay", "Invoice no.", "Invoice date"});
  EXPECT_GT(PdfPageInk(pdf), 0.01) << "the page is blank";

  const std::string german = TextOf(CreditNote(), v1::DOCUMENT_LANGUAGE_GERMAN);
  EXPECT_TRUE(StartsWithTitle(german, "Rechnungskorrektur")) << german;
  ExpectContains(german, {
                             "Rechnungskorrektur-Nr.: CN-2027-000003",
                             "Datum: 10.03.2027",
                             "Korrektur zur Rechnung: INV-2027-000042",
                             "Grund: Damage charge reduced after inspection",
                             "Gesamt -119,00 EUR",
                         });
  ExpectLacks(german, {"Fällig am", "Bitte überweisen"});
}

TEST(InvoiceDocumentTest, PaymentsAndCreditNotesShowWhatIsStillDue) {
  v1::Invoice invoice = FinalInvoice();
  v1::Payment* payment = invoice.add_payments();
  payment->set_invoice_number(invoice.invoice_number());
  payment->set_kind(v1::PAYMENT_KIND_RECEIVED);
  *payment->mutable_amount() = Eur(22550);
  *invoice.mutable_paid_total() = Eur(22550);
  invoice.add_credit_note_numbers("CN-2027-000003");
  *invoice.mutable_credited_total() = Eur(11900);
  // 1,225.50 - 119.00 - 225.50
  *invoice.mutable_amount_due() = Eur(88100);

  std::string text = TextOf(invoice, v1::DOCUMENT_LANGUAGE_ENGLISH);
  ExpectContains(text, {
                           "Total 1,225.50 EUR",
                           "Less credit notes CN-2027-000003 -119.00 EUR",
                           "Already paid -225.50 EUR",
                           "Amount due 881.00 EUR",
                           "Please pay 881.00 EUR by 22 Mar 2027",
                       });
  text = TextOf(invoice, v1::DOCUMENT_LANGUAGE_GERMAN);
  ExpectContains(text, {
                           "Abzüglich Rechnungskorrekturen CN-2027-000003 -119,00 EUR",
                           "Bereits bezahlt -225,50 EUR",
                           "Offener Betrag 881,00 EUR",
                       });

  // Paid in full: nothing left to ask for.
  *invoice.mutable_paid_total() = Eur(110650);
  *invoice.mutable_amount_due() = Eur(0);
  text = TextOf(invoice, v1::DOCUMENT_LANGUAGE_ENGLISH);
  ExpectContains(text, {"Already paid -1,106.50 EUR", "Amount due 0.00 EUR"});
  ExpectLacks(text, {"Please pay"});
}

TEST(InvoiceDocumentTest, AReverseChargeInvoicePrintsItsTaxNote) {
  v1::Invoice invoice = FinalInvoice();
  invoice.mutable_buyer()->set_country("AT");
  invoice.mutable_buyer()->set_tax_id("ATU12345678");
  invoice.clear_lines();
  invoice.clear_tax_lines();
  AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER, "LED-PANEL-500 LED panel 500", 20, 5000, 100000, 0);
  AddTax(invoice, 0, 100000, 0);
  *invoice.mutable_net_total() = Eur(100000);
  *invoice.mutable_tax_total() = Eur(0);
  *invoice.mutable_total() = Eur(100000);
  *invoice.mutable_amount_due() = Eur(100000);
  invoice.set_tax_note(
      "Reverse charge: the recipient is liable for the VAT (Article 196, Directive 2006/112/EC).");

  const std::string text = TextOf(invoice, v1::DOCUMENT_LANGUAGE_ENGLISH);
  ExpectContains(text, {
                           "VAT ID ATU12345678",
                           "VAT 0 % on 1,000.00 EUR 0.00 EUR",
                           "Total 1,000.00 EUR",
                           "Reverse charge: the recipient is liable for the VAT (Article 196, "
                           "Directive 2006/112/EC).",
                       });
}

TEST(InvoiceDocumentTest, TheSameInvoiceIsTheSameDocumentDatedByItsIssueDay) {
  const documents::Document first =
      order_intake::InvoiceDocumentOf(FinalInvoice(), Brightside(), v1::DOCUMENT_LANGUAGE_ENGLISH);
  EXPECT_EQ(first.creation_date, "2027-03-08T00:00:00Z");
  EXPECT_EQ(first.pdf_title, "Invoice INV-2027-000042");
  EXPECT_EQ(first.pdf_author, "Brightside Event Technology GmbH");
  absl::StatusOr<std::string> one = documents::RenderPdf(first);
  absl::StatusOr<std::string> two = documents::RenderPdf(
      order_intake::InvoiceDocumentOf(FinalInvoice(), Brightside(), v1::DOCUMENT_LANGUAGE_ENGLISH));
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(*one, *two);
}

}  // namespace
}  // namespace salesops::testing
