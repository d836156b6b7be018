#include "services/order_intake/invoice_exports.h"

#include <absl/numeric/int128.h>
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <absl/strings/string_view.h>
#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "services/common/csv.h"
#include "services/common/money.h"
#include "services/common/validation.h"
#include "services/order_intake/rating.h"

namespace salesops::order_intake {
namespace {

using absl::int128;

constexpr int64_t kMicrosPerCent = 10'000;
// BR-DEC-*: amounts on an EN 16931 invoice have at most 2 decimals, whatever the currency.
constexpr int kUblAmountDigits = 2;

constexpr char kInvoiceNamespace[] = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
constexpr char kCreditNoteNamespace[] = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
constexpr char kAggregateNamespace[] =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
constexpr char kBasicNamespace[] =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
constexpr char kPeppolCustomizationId[] =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
constexpr char kPeppolProfileId[] = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

// ---------------------------------------------------------------------------------------------
// Amounts

// Amounts in 128-bit micros: no Money, nor any sum of 500 lines of them, overflows, so an export
// renders every invoice it is given instead of refusing one. (common::MoneyToMicros works in
// int64 and refuses beyond ±9.2e12 units, which issuing the invoice already did.)
int128 MicrosOf(const google::type::Money& money) {
  return int128(money.units()) * common::kMicrosPerUnit + money.nanos() / 1000;
}

int128 Abs(int128 value) { return value < 0 ? -value : value; }

// `micros` to a multiple of `step`, half away from zero, as the invoice's amounts were rounded.
int128 RoundTo(int128 micros, int64_t step) {
  const int128 half = step / 2;
  return (micros >= 0 ? micros + half : micros - half) / step * step;
}

// `value` / 10^scale in decimal, with at least `min_digits` and at most `scale` digits after
// the point: trailing zeros beyond `min_digits` are dropped.
std::string DecimalText(int128 value, int scale, int min_digits) {
  const bool negative = value < 0;
  const absl::uint128 magnitude =
      negative ? -static_cast<absl::uint128>(value) : static_cast<absl::uint128>(value);
  absl::uint128 divisor = 1;
  for (int digit = 0; digit < scale; ++digit) divisor *= 10;
  std::ostringstream whole;
  whole << magnitude / divisor;
  std::ostringstream fraction_digits;
  fraction_digits << magnitude % divisor;
  std::string fraction = fraction_digits.str();
  fraction.insert(0, static_cast<size_t>(scale) - fraction.size(), '0');
  while (fraction.size() > static_cast<size_t>(min_digits) && fraction.back() == '0') {
    fraction.pop_back();
  }
  std::string text = absl::StrCat(negative ? "-" : "", whole.str());
  if (!fraction.empty()) absl::StrAppend(&text, ".", fraction);
  return text;
}

// "1234.50" for `digits` 2: rounded, with exactly that many decimals.
std::string AmountText(int128 micros, int digits) {
  int64_t step = common::kMicrosPerUnit;
  for (int digit = 0; digit < digits; ++digit) step /= 10;
  return DecimalText(RoundTo(micros, step), 6, digits);
}

// 190000 → "19", 77000 → "7.7".
std::string PercentText(int64_t tax_millionths) { return DecimalText(tax_millionths, 4, 0); }

// EN 16931's VAT category of a rate: S (standard) for any positive rate; at 0 %, AE (reverse
// charge) when the invoice carries the quote's tax note, which is what a 0 % rate with a note
// means here, else Z (zero rated).
absl::string_view TaxCategory(int64_t tax_millionths, const v1::Invoice& invoice) {
  if (tax_millionths > 0) return "S";
  return invoice.tax_note().empty() ? "Z" : "AE";
}

// ---------------------------------------------------------------------------------------------
// Dates

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

bool HasDate(const google::type::Date& date) { return date.year() > 0; }

std::string DateText(const google::type::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string DayText(absl::Time time, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d", time, zone);
}

// The invoice date: issue_day, or for an invoice without one, issue_time's day in `zone_id`.
std::string InvoiceDate(const v1::Invoice& invoice, const std::string& zone_id) {
  if (HasDate(invoice.issue_day())) return DateText(invoice.issue_day());
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!zone_id.empty() && !absl::LoadTimeZone(zone_id, &zone)) zone = absl::UTCTimeZone();
  return DayText(TimeOf(invoice.issue_time()), zone);
}

absl::string_view KindName(v1::InvoiceKind kind) {
  switch (kind) {
    case v1::INVOICE_KIND_DEPOSIT:
      return "deposit";
    case v1::INVOICE_KIND_INSTALMENT:
      return "instalment";
    case v1::INVOICE_KIND_FINAL:
      return "final";
    case v1::INVOICE_KIND_CREDIT_NOTE:
      return "credit_note";
    default:
      return "";
  }
}

// ---------------------------------------------------------------------------------------------
// UBL

// U+FFFE and U+FFFF are valid UTF-8 that XML 1.0 still cannot carry; the rest of what it cannot
// (control characters, bytes that are not UTF-8) common::FitTextToRules has already replaced.
std::string XmlCharacters(absl::string_view text) {
  return absl::StrReplaceAll(text,
                             {{"\xEF\xBF\xBE", "\xEF\xBF\xBD"}, {"\xEF\xBF\xBF", "\xEF\xBF\xBD"}});
}

const xmlChar* XmlString(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

// libxml2's xmlTextWriter into memory: it writes the markup and escapes every text and attribute
// value, so no caller text is ever concatenated into XML here.
class UblWriter {
 public:
  UblWriter() {
    // libxml2's globals, set up once before two threads can race to do it.
    static const bool initialised = (xmlInitParser(), true);
    (void)initialised;
    buffer_ = xmlBufferCreate();
    if (buffer_ != nullptr) writer_ = xmlNewTextWriterMemory(buffer_, 0);
    Check(xmlTextWriterSetIndent(writer_, 1));
    Check(xmlTextWriterSetIndentString(writer_, XmlString("  ")));
    Check(xmlTextWriterStartDocument(writer_, nullptr, "UTF-8", nullptr));
  }
  ~UblWriter() {
    if (writer_ != nullptr) xmlFreeTextWriter(writer_);
    if (buffer_ != nullptr) xmlBufferFree(buffer_);
  }
  UblWriter(const UblWriter&) = delete;
  UblWriter& operator=(const UblWriter&) = delete;

  void Start(const char* name) { Check(xmlTextWriterStartElement(writer_, XmlString(name))); }
  void End() { Check(xmlTextWriterEndElement(writer_)); }

  void Attribute(const char* name, absl::string_view value) {
    Check(xmlTextWriterWriteAttribute(writer_, XmlString(name),
                                      XmlString(XmlCharacters(value).c_str())));
  }

  // <name>value</name>, or nothing for an empty value: PEPPOL-EN16931-R008 forbids empty
  // elements.
  void Element(const char* name, absl::string_view value) {
    if (value.empty()) return;
    Start(name);
    Check(xmlTextWriterWriteString(writer_, XmlString(XmlCharacters(value).c_str())));
    End();
  }

  void ElementWithAttribute(const char* name, absl::string_view value, const char* attribute,
                            absl::string_view attribute_value) {
    if (value.empty()) return;
    Start(name);
    if (!attribute_value.empty()) Attribute(attribute, attribute_value);
    Check(xmlTextWriterWriteString(writer_, XmlString(XmlCharacters(value).c_str())));
    End();
  }

  void Amount(const char* name, int128 micros, absl::string_view currency) {
    ElementWithAttribute(name, AmountText(micros, kUblAmountDigits), "currencyID", currency);
  }

  // The document, or empty if libxml2 failed (it only does when out of memory).
  std::string Finish() {
    Check(xmlTextWriterEndDocument(writer_));
    if (writer_ != nullptr) {
      xmlFreeTextWriter(writer_);  // flushes into buffer_
      writer_ = nullptr;
    }
    if (!ok_ || buffer_ == nullptr) return "";
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                       static_cast<size_t>(xmlBufferLength(buffer_)));
  }

 private:
  void Check(int result) {
    if (result < 0) ok_ = false;
  }

  xmlBufferPtr buffer_ = nullptr;
  xmlTextWriterPtr writer_ = nullptr;
  bool ok_ = true;
};

// What both parties show: the seller from the company profile, the buyer as invoiced.
struct Party {
  std::string name;
  std::vector<std::string> address_lines;
  std::string country;
  std::string tax_id;
  std::string contact_name;
  std::string email;
  std::string phone;
};

Party SellerParty(const v1::CompanyProfile& seller) {
  Party party;
  party.name = seller.name();
  party.address_lines.assign(seller.address_lines().begin(), seller.address_lines().end());
  party.country = seller.country();
  party.tax_id = seller.tax_id();
  party.email = seller.email();
  party.phone = seller.phone();
  return party;
}

Party BuyerParty(const v1::InvoiceParty& buyer) {
  Party party;
  party.name = buyer.name();
  party.address_lines.assign(buyer.address_lines().begin(), buyer.address_lines().end());
  party.country = buyer.country();
  party.tax_id = buyer.tax_id();
  party.contact_name = buyer.contact_name();
  party.email = buyer.email();
  return party;
}

std::string WithoutSpaces(absl::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  return compact;
}

// "20457 Hamburg": a postcode of 4 or 5 digits, as most of Europe writes it, before the city.
std::optional<std::pair<absl::string_view, absl::string_view>> PostcodeAndCity(
    absl::string_view line) {
  const size_t space = line.find(' ');
  if (space != 4 && space != 5) return std::nullopt;
  for (size_t i = 0; i < space; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
  }
  const absl::string_view city = absl::StripAsciiWhitespace(line.substr(space + 1));
  if (city.empty()) return std::nullopt;
  return std::make_pair(line.substr(0, space), city);
}

void WritePostalAddress(UblWriter& xml, const Party& party) {
  std::vector<absl::string_view> lines;
  for (const std::string& line : party.address_lines) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (!stripped.empty()) lines.push_back(stripped);
  }
  // The last line after the first that starts with a postcode: the first line is the street
  // even when it starts with digits ("1600 Pennsylvania Avenue"). Lines between the two complete
  // the street; lines after the postcode (a country, a region) go to AddressLine.
  size_t postcode_line = 0;
  std::optional<std::pair<absl::string_view, absl::string_view>> postcode_and_city;
  for (size_t i = lines.size(); i-- > 1 && !postcode_and_city;) {
    postcode_and_city = PostcodeAndCity(lines[i]);
    if (postcode_and_city) postcode_line = i;
  }
  const size_t street_end = postcode_and_city ? postcode_line : std::min<size_t>(lines.size(), 2);
  const size_t rest_begin = postcode_and_city ? postcode_line + 1 : street_end;
  if (lines.empty() && party.country.empty()) return;
  xml.Start("cac:PostalAddress");
  if (!lines.empty()) xml.Element("cbc:StreetName", lines[0]);
  if (street_end > 1) {
    xml.Element(
        "cbc:AdditionalStreetName",
        absl::StrJoin(lines.begin() + 1, lines.begin() + static_cast<ptrdiff_t>(street_end), ", "));
  }
  if (postcode_and_city) {
    xml.Element("cbc:CityName", postcode_and_city->second);
    xml.Element("cbc:PostalZone", postcode_and_city->first);
  }
  if (rest_begin < lines.size()) {
    xml.Start("cac:AddressLine");
    xml.Element("cbc:Line", absl::StrJoin(lines.begin() + static_cast<ptrdiff_t>(rest_begin),
                                          lines.end(), ", "));
    xml.End();
  }
  if (!party.country.empty()) {
    xml.Start("cac:Country");
    xml.Element("cbc:IdentificationCode", absl::AsciiStrToUpper(party.country));
    xml.End();
  }
  xml.End();
}

void WriteParty(UblWriter& xml, const char* role, const Party& party) {
  xml.Start(role);
  xml.Start("cac:Party");
  xml.ElementWithAttribute("cbc:EndpointID", party.email, "schemeID", "EM");
  WritePostalAddress(xml, party);
  const std::string tax_id = WithoutSpaces(party.tax_id);
  if (!tax_id.empty()) {
    xml.Start("cac:PartyTaxScheme");
    xml.Element("cbc:CompanyID", tax_id);
    xml.Start("cac:TaxScheme");
    xml.Element("cbc:ID", "VAT");
    xml.End();
    xml.End();
  }
  if (!party.name.empty()) {
    xml.Start("cac:PartyLegalEntity");
    xml.Element("cbc:RegistrationName", party.name);
    xml.End();
  }
  if (!party.contact_name.empty() || !party.phone.empty() || !party.email.empty()) {
    xml.Start("cac:Contact");
    xml.Element("cbc:Name", party.contact_name);
    xml.Element("cbc:Telephone", party.phone);
    xml.Element("cbc:ElectronicMail", party.email);
    xml.End();
  }
  xml.End();
  xml.End();
}

// ClassifiedTaxCategory of a line, or TaxCategory of a subtotal, which alone carries the
// exemption reason BR-AE-10 asks for (and BR-Z-10 and BR-S-10 forbid).
void WriteTaxCategory(UblWriter& xml, const char* element, int64_t tax_millionths,
                      const v1::Invoice& invoice, bool with_exemption_reason) {
  const absl::string_view category = TaxCategory(tax_millionths, invoice);
  xml.Start(element);
  xml.Element("cbc:ID", category);
  xml.Element("cbc:Percent", PercentText(tax_millionths));
  if (with_exemption_reason && category == "AE") {
    xml.Element("cbc:TaxExemptionReasonCode", "VATEX-EU-AE");
    xml.Element("cbc:TaxExemptionReason", invoice.tax_note());
  }
  xml.Start("cac:TaxScheme");
  xml.Element("cbc:ID", "VAT");
  xml.End();
  xml.End();
}

// A line as the document shows it, in the document's sign (a credit note's positive).
struct ShownLine {
  int64_t quantity = 1;
  int128 price = 0;      // micros, never negative (BR-27)
  int128 allowance = 0;  // micros, whole cents: a line discount
  int128 amount = 0;     // micros, whole cents: quantity × price − allowance
};

// Peppol checks each line's amount against quantity × price (PEPPOL-EN16931-R120) and wants no
// negative price, so a line shows its own quantity and unit price when they make its net, a
// discount as an allowance when they make more, and otherwise one unit (minus one for a
// negative line) at the net, which always holds.
ShownLine ShowLine(const v1::InvoiceLine& line, int sign) {
  ShownLine shown;
  shown.amount = RoundTo(sign * MicrosOf(line.net()), kMicrosPerCent);
  const int64_t quantity = line.quantity() > 0 ? line.quantity() : 1;
  const int128 unit_price = Abs(MicrosOf(line.unit_price()));
  const int128 gross = RoundTo(unit_price * quantity, kMicrosPerCent);
  if (unit_price > 0 && gross == Abs(shown.amount)) {
    shown.quantity = shown.amount < 0 ? -quantity : quantity;
    shown.price = unit_price;
  } else if (unit_price > 0 && shown.amount >= 0 && gross > shown.amount) {
    shown.quantity = quantity;
    shown.price = unit_price;
    shown.allowance = gross - shown.amount;
  } else {
    shown.quantity = shown.amount < 0 ? -1 : 1;
    shown.price = Abs(shown.amount);
  }
  return shown;
}

std::string ItemName(const v1::InvoiceLine& line, int position) {
  if (!line.description().empty()) return line.description();
  if (!line.product_code().empty()) return line.product_code();
  if (!line.inventory_code().empty()) return line.inventory_code();
  return absl::StrCat("Line ", position);
}

std::string TypeCode(v1::InvoiceKind kind) {
  switch (kind) {
    case v1::INVOICE_KIND_DEPOSIT:
    case v1::INVOICE_KIND_INSTALMENT:
      return "386";  // prepayment invoice
    case v1::INVOICE_KIND_CREDIT_NOTE:
      return "381";
    default:
      return "380";  // commercial invoice
  }
}

// PEPPOL-EN16931-R002 allows one document note.
std::string DocumentNote(const v1::Invoice& invoice) {
  if (invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE) return invoice.reason();
  std::vector<absl::string_view> parts;
  for (const std::string* part : {&invoice.label(), &invoice.commitment_text()}) {
    if (!part->empty()) parts.push_back(*part);
  }
  return absl::StrJoin(parts, "\n");
}

struct TaxGroup {
  int128 taxable = 0;
  int128 tax = 0;
};

}  // namespace

std::string InvoiceXml(const v1::Invoice& issued, const v1::CompanyProfile& profile) {
  // Every text as the text rules have it (services/common/validation.h): no control characters
  // but a note's line breaks, only UTF-8, which is what XML 1.0 can carry.
  v1::Invoice invoice = issued;
  common::FitTextToRules(invoice);
  v1::CompanyProfile seller;
  seller.set_name(profile.name());
  *seller.mutable_address_lines() = profile.address_lines();
  seller.set_tax_id(profile.tax_id());
  seller.set_email(profile.email());
  seller.set_phone(profile.phone());
  seller.set_country(profile.country());
  seller.set_iban(profile.iban());
  seller.set_bic(profile.bic());
  seller.set_zone_id(profile.zone_id());
  common::FitTextToRules(seller);

  const bool credit_note = invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE;
  // A credit note's amounts are negative in the invoice and positive in UBL.
  const int sign = credit_note ? -1 : 1;
  const std::string currency =
      invoice.currency().empty() ? invoice.total().currency_code() : invoice.currency();

  std::vector<ShownLine> lines;
  std::map<int64_t, TaxGroup> tax_groups;
  int128 line_total = 0;
  for (const v1::InvoiceLine& line : invoice.lines()) {
    lines.push_back(ShowLine(line, sign));
    tax_groups[line.tax_millionths()].taxable += lines.back().amount;
    line_total += lines.back().amount;
  }
  int128 tax_total = 0;
  for (const v1::InvoiceTaxLine& tax_line : invoice.tax_lines()) {
    const int128 tax = RoundTo(sign * MicrosOf(tax_line.tax()), kMicrosPerCent);
    tax_groups[tax_line.tax_millionths()].tax += tax;
    tax_total += tax;
  }
  const int128 prepaid = RoundTo(sign * MicrosOf(invoice.paid_total()), kMicrosPerCent);

  UblWriter xml;
  xml.Start(credit_note ? "CreditNote" : "Invoice");
  xml.Attribute("xmlns", credit_note ? kCreditNoteNamespace : kInvoiceNamespace);
  xml.Attribute("xmlns:cac", kAggregateNamespace);
  xml.Attribute("xmlns:cbc", kBasicNamespace);
  xml.Element("cbc:CustomizationID", kPeppolCustomizationId);
  xml.Element("cbc:ProfileID", kPeppolProfileId);
  xml.Element("cbc:ID", invoice.invoice_number());
  xml.Element("cbc:IssueDate", InvoiceDate(invoice, seller.zone_id()));
  if (!credit_note && HasDate(invoice.due_day())) {
    xml.Element("cbc:DueDate", DateText(invoice.due_day()));
  }
  xml.Element(credit_note ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode",
              TypeCode(invoice.kind()));
  xml.Element("cbc:Note", DocumentNote(invoice));
  xml.Element("cbc:DocumentCurrencyCode", currency);
  xml.Element("cbc:BuyerReference", invoice.customer_reference().empty()
                                        ? invoice.order_id()
                                        : invoice.customer_reference());
  if (!invoice.customer_reference().empty()) {
    xml.Start("cac:OrderReference");
    xml.Element("cbc:ID", invoice.customer_reference());
    xml.Element("cbc:SalesOrderID", invoice.order_id());
    xml.End();
  }
  if (credit_note && !invoice.credited_invoice_number().empty()) {
    xml.Start("cac:BillingReference");
    xml.Start("cac:InvoiceDocumentReference");
    xml.Element("cbc:ID", invoice.credited_invoice_number());
    xml.End();
    xml.End();
  }

  WriteParty(xml, "cac:AccountingSupplierParty", SellerParty(seller));
  WriteParty(xml, "cac:AccountingCustomerParty", BuyerParty(invoice.buyer()));

  const std::string iban = absl::AsciiStrToUpper(WithoutSpaces(seller.iban()));
  if (!credit_note && !iban.empty()) {
    xml.Start("cac:PaymentMeans");
    // 58 is a SEPA credit transfer, which is in euro only; 30 any credit transfer.
    xml.Element("cbc:PaymentMeansCode", currency == "EUR" ? "58" : "30");
    xml.Element("cbc:PaymentID", invoice.invoice_number());
    xml.Start("cac:PayeeFinancialAccount");
    xml.Element("cbc:ID", iban);
    xml.Element("cbc:Name", seller.name());
    const std::string bic = absl::AsciiStrToUpper(WithoutSpaces(seller.bic()));
    if (!bic.empty()) {
      xml.Start("cac:FinancialInstitutionBranch");
      xml.Element("cbc:ID", bic);
      xml.End();
    }
    xml.End();
    xml.End();
  }
  std::string payment_terms;
  if (credit_note) {
    payment_terms = invoice.credited_invoice_number().empty()
                        ? "Refunded or set off against what is due."
                        : absl::StrCat("Credits invoice ", invoice.credited_invoice_number(),
                                       ": refunded or set off against what is due.");
  } else if (HasDate(invoice.due_day())) {
    payment_terms = absl::StrCat("Payable by ", DateText(invoice.due_day()), ".");
  }
  if (!payment_terms.empty()) {
    xml.Start("cac:PaymentTerms");
    xml.Element("cbc:Note", payment_terms);
    xml.End();
  }

  xml.Start("cac:TaxTotal");
  xml.Amount("cbc:TaxAmount", tax_total, currency);
  for (const auto& [rate, group] : tax_groups) {
    xml.Start("cac:TaxSubtotal");
    xml.Amount("cbc:TaxableAmount", group.taxable, currency);
    xml.Amount("cbc:TaxAmount", group.tax, currency);
    WriteTaxCategory(xml, "cac:TaxCategory", rate, invoice, /*with_exemption_reason=*/true);
    xml.End();
  }
  xml.End();

  // No document-level allowances or charges: the net of the lines is the net of the document.
  xml.Start("cac:LegalMonetaryTotal");
  xml.Amount("cbc:LineExtensionAmount", line_total, currency);
  xml.Amount("cbc:TaxExclusiveAmount", line_total, currency);
  xml.Amount("cbc:TaxInclusiveAmount", line_total + tax_total, currency);
  if (prepaid != 0) xml.Amount("cbc:PrepaidAmount", prepaid, currency);
  xml.Amount("cbc:PayableAmount", line_total + tax_total - prepaid, currency);
  xml.End();

  for (int i = 0; i < invoice.lines_size(); ++i) {
    const v1::InvoiceLine& line = invoice.lines(i);
    const ShownLine& shown = lines[static_cast<size_t>(i)];
    xml.Start(credit_note ? "cac:CreditNoteLine" : "cac:InvoiceLine");
    xml.Element("cbc:ID", absl::StrCat(i + 1));
    xml.ElementWithAttribute(credit_note ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity",
                             absl::StrCat(shown.quantity), "unitCode", "C62");
    xml.Amount("cbc:LineExtensionAmount", shown.amount, currency);
    if (shown.allowance > 0) {
      xml.Start("cac:AllowanceCharge");
      xml.Element("cbc:ChargeIndicator", "false");
      xml.Element("cbc:AllowanceChargeReasonCode", "95");  // UNCL 5189: discount
      xml.Element("cbc:AllowanceChargeReason", "Discount");
      xml.Amount("cbc:Amount", shown.allowance, currency);
      xml.End();
    }
    xml.Start("cac:Item");
    xml.Element("cbc:Name", ItemName(line, i + 1));
    const std::string& code =
        line.product_code().empty() ? line.inventory_code() : line.product_code();
    if (!code.empty()) {
      xml.Start("cac:SellersItemIdentification");
      xml.Element("cbc:ID", code);
      xml.End();
    }
    WriteTaxCategory(xml, "cac:ClassifiedTaxCategory", line.tax_millionths(), invoice,
                     /*with_exemption_reason=*/false);
    xml.End();
    xml.Start("cac:Price");
    // A unit price may have more decimals than an amount: BR-DEC does not cover it.
    xml.ElementWithAttribute("cbc:PriceAmount", DecimalText(shown.price, 6, kUblAmountDigits),
                             "currencyID", currency);
    xml.End();
    xml.End();
  }
  xml.End();
  return xml.Finish();
}

// ---------------------------------------------------------------------------------------------
// Journal

namespace {

// The header row; the columns are explained in invoice_exports.h.
constexpr absl::string_view kJournalHeader =
    "date,entry_type,document_number,invoice_kind,credited_invoice,order_id,organisation_id,"
    "customer,customer_tax_id,customer_country,currency,tax_percent,tax_category,net,tax,gross,"
    "due_date,payment_method,payment_reference,payment_id";

// One row of the journal: an invoice's tax rate, or a payment on it.
struct JournalEntry {
  const v1::Invoice* invoice = nullptr;
  absl::Time time;
  std::string date;
  std::string entry_type;
  std::string document_number;
  std::string tax_percent;
  std::string tax_category;
  std::string net;  // amounts: written here, never caller text
  std::string tax;
  std::string gross;
  std::string due_date;
  const v1::Payment* payment = nullptr;
};

std::string CsvRow(const JournalEntry& entry) {
  const v1::Invoice& invoice = *entry.invoice;
  const v1::InvoiceParty& buyer = invoice.buyer();
  const v1::Payment& payment =
      entry.payment != nullptr ? *entry.payment : v1::Payment::default_instance();
  std::vector<std::string> cells;
  for (absl::string_view text :
       {absl::string_view(entry.date), absl::string_view(entry.entry_type),
        absl::string_view(entry.document_number), KindName(invoice.kind()),
        absl::string_view(invoice.credited_invoice_number()), absl::string_view(invoice.order_id()),
        absl::string_view(invoice.organisation_id()), absl::string_view(buyer.name()),
        absl::string_view(buyer.tax_id()), absl::string_view(buyer.country()),
        absl::string_view(invoice.currency()), absl::string_view(entry.tax_percent),
        absl::string_view(entry.tax_category)}) {
    cells.push_back(common::CsvCell(std::string_view(text.data(), text.size())));
  }
  cells.push_back(entry.net);
  cells.push_back(entry.tax);
  cells.push_back(entry.gross);
  for (absl::string_view text :
       {absl::string_view(entry.due_date), absl::string_view(payment.method()),
        absl::string_view(payment.reference()), absl::string_view(payment.payment_id())}) {
    cells.push_back(common::CsvCell(std::string_view(text.data(), text.size())));
  }
  return absl::StrCat(absl::StrJoin(cells, ","), "\r\n");
}

}  // namespace

std::string JournalCsv(const std::vector<v1::Invoice>& invoices, absl::Time start, absl::Time end,
                       absl::TimeZone zone, int* row_count) {
  std::vector<JournalEntry> entries;
  for (const v1::Invoice& invoice : invoices) {
    const std::string& currency =
        invoice.currency().empty() ? invoice.total().currency_code() : invoice.currency();
    const int digits = rating::MinorUnitDigits(currency);
    const bool credit_note = invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE;
    const absl::Time issued = TimeOf(invoice.issue_time());
    if (issued >= start && issued < end) {
      auto add_entry = [&](absl::string_view percent, absl::string_view category, int128 net,
                           int128 tax) {
        JournalEntry& entry = entries.emplace_back();
        entry.invoice = &invoice;
        entry.time = issued;
        entry.date =
            HasDate(invoice.issue_day()) ? DateText(invoice.issue_day()) : DayText(issued, zone);
        entry.entry_type = credit_note ? "credit_note" : "invoice";
        entry.document_number = invoice.invoice_number();
        entry.tax_percent = std::string(percent);
        entry.tax_category = std::string(category);
        entry.net = AmountText(net, digits);
        entry.tax = AmountText(tax, digits);
        entry.gross = AmountText(net + tax, digits);
        // A credit note is not paid by a date, even when one was set on it.
        if (!credit_note && HasDate(invoice.due_day()))
          entry.due_date = DateText(invoice.due_day());
      };
      for (const v1::InvoiceTaxLine& tax_line : invoice.tax_lines()) {
        add_entry(PercentText(tax_line.tax_millionths()),
                  TaxCategory(tax_line.tax_millionths(), invoice), MicrosOf(tax_line.net()),
                  MicrosOf(tax_line.tax()));
      }
      // An invoice without tax lines is still booked, at its totals.
      if (invoice.tax_lines().empty()) {
        add_entry("", "", MicrosOf(invoice.net_total()), MicrosOf(invoice.tax_total()));
      }
    }
    for (const v1::Payment& payment : invoice.payments()) {
      const absl::Time received = TimeOf(payment.receive_time());
      if (received < start || received >= end) continue;
      const bool refund = payment.kind() == v1::PAYMENT_KIND_REFUND;
      JournalEntry& entry = entries.emplace_back();
      entry.invoice = &invoice;
      entry.payment = &payment;
      entry.time = received;
      entry.date = DayText(received, zone);
      entry.entry_type = refund ? "refund" : "payment";
      entry.document_number =
          payment.invoice_number().empty() ? invoice.invoice_number() : payment.invoice_number();
      const int128 amount = MicrosOf(payment.amount());
      entry.gross = AmountText(refund ? -amount : amount, digits);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const JournalEntry& a, const JournalEntry& b) { return a.time < b.time; });

  std::string csv = absl::StrCat(kJournalHeader, "\r\n");
  for (const JournalEntry& entry : entries) csv += CsvRow(entry);
  if (row_count != nullptr) *row_count = static_cast<int>(entries.size());
  return csv;
}

}  // namespace salesops::order_intake
