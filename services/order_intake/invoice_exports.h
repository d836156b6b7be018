#pragma once

// What an accountant takes out of money in (issue 18): an invoice as an e-invoice, and the
// period's invoices and payments as a journal to import. Pure: the same inputs give the same
// bytes, and nothing here reads a clock or a database.
#include <absl/time/time.h>

#include <string>
#include <vector>

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/invoicing.pb.h"

namespace salesops::order_intake {

// The UBL 2.1 XML (UTF-8) of `invoice` as issued, root <Invoice>, or <CreditNote> for kind
// CREDIT_NOTE with its amounts shown positive as UBL credit notes do. It follows EN 16931 with
// Peppol BIS Billing 3.0's CustomizationID and ProfileID, from `seller` (the company profile):
//
// - InvoiceTypeCode 386 (prepayment) for DEPOSIT and INSTALMENT, 380 for FINAL (and anything
//   else); CreditNoteTypeCode 381 with a BillingReference to the credited invoice. A credit note
//   has no DueDate (UBL 2.1's CreditNote has none), and no PaymentMeans: what it pays goes to the
//   buyer, not the seller's account; its PaymentTerms note says so, which BR-CO-25 accepts instead
//   of a due date.
// - BuyerReference is the customer reference, else the order id (BIS wants it or an
//   OrderReference); a customer reference is also the OrderReference, with the order as
//   SalesOrderID.
// - EndpointID of either party is its e-mail with EAS scheme "EM": the only electronic address
//   the company profile and the buyer's snapshot carry. A party without an e-mail gets none, and
//   the document then breaks PEPPOL-EN16931-R010/R020: both need an e-mail to send e-invoices.
// - One document Note (PEPPOL-EN16931-R002): the instalment's label and the commitment text, or a
//   credit note's reason.
// - Postal addresses are the printed lines, none dropped: the first is StreetName; a later one
//   starting with a 4 or 5 digit postcode ("20457 Hamburg") becomes PostalZone and CityName, the
//   lines between them AdditionalStreetName, and those after it (a country) one AddressLine.
//   Without such a line the second line is AdditionalStreetName and the rest AddressLine.
// - Tax category S for a positive rate; at 0 %, AE (reverse charge, exemption reason code
//   VATEX-EU-AE and the invoice's tax note as the reason) when the invoice has a tax note, else Z.
// - PaymentMeans 58 (SEPA credit transfer; 30 outside EUR) to the seller's IBAN without spaces,
//   with the invoice number as the remittance reference, when the profile has an IBAN.
// - Amounts have 2 decimals (BR-DEC) and currencyID. The totals are summed from the amounts shown,
//   so BR-CO-10 to BR-CO-16 hold by construction; PrepaidAmount is paid_total when not zero.
// - A line is quantity × price (PEPPOL-EN16931-R120, BR-27 "price not negative"): its quantity and
//   unit price when they make its net; a line discount as a line AllowanceCharge (reason code 95)
//   when they make more; otherwise quantity 1 (-1 for a negative line) at the net. Negative lines
//   (deductions of a deposit, order discounts) have a negative quantity. Unit code C62 (one).
//
// Text is the caller's and hostile: libxml2's writer escapes it, and what XML 1.0 cannot carry at
// all (control characters, bytes that are not UTF-8) becomes a space or U+FFFD first. Empty only
// if libxml2 cannot allocate memory.
std::string InvoiceXml(const v1::Invoice& invoice, const v1::CompanyProfile& seller);

// The bookkeeping journal of [start, end) as CSV: RFC 4180 with CRLF line ends, UTF-8 without a
// byte-order mark, a header row, '.' as the decimal point (an importer's column settings map it,
// as DATEV's and Xero's do). One row per invoice or credit note and tax rate, for those issued in
// the period; one row per payment or refund received in it, whenever its invoice was issued.
// Rows are in time order. `*row_count` (when not null) is the number of data rows.
//
// Columns:
//   date              YYYY-MM-DD: the invoice date (issue_day), or the payment's value date in
//                     `zone`
//   entry_type        invoice | credit_note | payment | refund
//   document_number   the invoice or credit note; a payment's: the invoice it pays
//   invoice_kind      deposit | instalment | final | credit_note (of the invoice a payment pays):
//                     deposits are booked to received prepayments, not revenue
//   credited_invoice  a credit note's: the invoice it credits
//   order_id, organisation_id
//   customer, customer_tax_id, customer_country   the buyer as invoiced
//   currency          ISO 4217
//   tax_percent       19, 7, 0 (empty on payments)
//   tax_category      S | Z | AE (reverse charge), as on the e-invoice, to pick the tax code
//   net, tax, gross   amounts in the currency's minor unit; credit notes negative; a payment's
//                     amount is its gross, positive when received, negative when refunded
//   due_date          an invoice's
//   payment_method, payment_reference, payment_id   a payment's
//
// Text cells are the caller's and hostile: control characters become spaces (one row is one
// line), and a cell whose first character after spaces would make a spreadsheet evaluate it
// (= + - @) gets a leading '. Numbers are written by this function and keep their minus sign.
std::string JournalCsv(const std::vector<v1::Invoice>& invoices, absl::Time start, absl::Time end,
                       absl::TimeZone zone, int* row_count);

}  // namespace salesops::order_intake
