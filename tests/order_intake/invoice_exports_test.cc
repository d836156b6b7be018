// The e-invoice and the journal of issue 18 (services/order_intake/invoice_exports.h).
//
// No Debian package and no npm package ships the OASIS UBL 2.1 XSDs, so the documents are not
// validated against them here. Instead ExpectValidUbl checks what the XSD and the Peppol BIS
// Billing 3.0 rules would refuse in what the exporter writes: well-formed XML in the UBL
// namespaces, each parent's children in the UBL 2.1 schema's sequence and known to it, basic
// components as leaves and aggregates with content, no empty elements, the required BIS 3.0
// elements, and the arithmetic (BR-CO-10 to BR-CO-17, PEPPOL-EN16931-R120).
#include "services/order_intake/invoice_exports.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <absl/time/civil_time.h>
#include <csv.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "services/common/money.h"

namespace salesops::order_intake {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kInvoiceNamespace[] = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
constexpr char kCreditNoteNamespace[] = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
constexpr char kAggregateNamespace[] =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
constexpr char kBasicNamespace[] =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

// ---------------------------------------------------------------------------------------------
// Reading the XML back

const xmlChar* XmlString(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

// A parsed document and XPath over it, with the prefixes the UBL specifications use: `/*` is the
// root, whichever it is.
class Ubl {
 public:
  explicit Ubl(const std::string& xml) {
    document_ = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "export.xml", nullptr,
                              XML_PARSE_NONET);
    if (document_ == nullptr) return;
    context_ = xmlXPathNewContext(document_);
    xmlXPathRegisterNs(context_, XmlString("ubl"), XmlString(kInvoiceNamespace));
    xmlXPathRegisterNs(context_, XmlString("cn"), XmlString(kCreditNoteNamespace));
    xmlXPathRegisterNs(context_, XmlString("cac"), XmlString(kAggregateNamespace));
    xmlXPathRegisterNs(context_, XmlString("cbc"), XmlString(kBasicNamespace));
  }
  ~Ubl() {
    if (context_ != nullptr) xmlXPathFreeContext(context_);
    if (document_ != nullptr) xmlFreeDoc(document_);
  }
  Ubl(const Ubl&) = delete;
  Ubl& operator=(const Ubl&) = delete;

  bool parsed() const { return document_ != nullptr; }

  // The nodes `xpath` selects.
  std::vector<xmlNodePtr> Nodes(const std::string& xpath) const {
    std::vector<xmlNodePtr> nodes;
    if (context_ == nullptr) return nodes;
    xmlXPathObjectPtr result = xmlXPathEvalExpression(XmlString(xpath), context_);
    EXPECT_NE(result, nullptr) << "bad XPath " << xpath;
    if (result == nullptr) return nodes;
    if (result->nodesetval != nullptr) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        nodes.push_back(result->nodesetval->nodeTab[i]);
      }
    }
    xmlXPathFreeObject(result);
    return nodes;
  }

  // The text of every node `xpath` selects (an attribute's value).
  std::vector<std::string> Values(const std::string& xpath) const {
    std::vector<std::string> values;
    for (xmlNodePtr node : Nodes(xpath)) values.push_back(Text(node));
    return values;
  }

  // The text of the one node `xpath` selects; a failure when there is not exactly one.
  std::string Value(const std::string& xpath) const {
    std::vector<std::string> values = Values(xpath);
    EXPECT_EQ(values.size(), 1u) << xpath;
    return values.size() == 1 ? values[0] : "";
  }

  size_t Count(const std::string& xpath) const { return Nodes(xpath).size(); }

  static std::string Text(xmlNodePtr node) {
    xmlChar* content = xmlNodeGetContent(node);
    std::string text = content == nullptr ? "" : reinterpret_cast<const char*>(content);
    xmlFree(content);
    return text;
  }

  // An element's name with the prefix of its namespace: "cbc:ID".
  static std::string QualifiedName(xmlNodePtr node) {
    const std::string href =
        node->ns == nullptr ? "" : reinterpret_cast<const char*>(node->ns->href);
    const std::string prefix = href == kAggregateNamespace ? "cac:"
                               : href == kBasicNamespace   ? "cbc:"
                                                           : "{" + href + "}";
    return prefix + reinterpret_cast<const char*>(node->name);
  }

 private:
  xmlDocPtr document_ = nullptr;
  xmlXPathContextPtr context_ = nullptr;
};

// "-12.34" in cents; a failure unless it has exactly two decimals.
int64_t Cents(const std::string& amount) {
  EXPECT_TRUE(std::regex_match(amount, std::regex(R"(-?[0-9]+\.[0-9]{2})"))) << amount;
  std::string digits = amount;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int64_t cents = 0;
  EXPECT_TRUE(absl::SimpleAtoi(digits, &cents)) << amount;
  return cents;
}

// "1500.125" in micros.
int64_t Micros(const std::string& decimal) {
  EXPECT_TRUE(std::regex_match(decimal, std::regex(R"(-?[0-9]+(\.[0-9]{1,6})?)"))) << decimal;
  std::vector<std::string> parts = absl::StrSplit(decimal, '.');
  std::string fraction = parts.size() > 1 ? parts[1] : "";
  fraction.resize(6, '0');
  int64_t whole = 0;
  int64_t part = 0;
  EXPECT_TRUE(absl::SimpleAtoi(parts[0], &whole));
  EXPECT_TRUE(absl::SimpleAtoi(fraction, &part));
  return whole * 1'000'000 + (decimal[0] == '-' ? -part : part);
}

int64_t RoundToCents(int64_t micros) {
  return (micros >= 0 ? micros + 5'000 : micros - 5'000) / 10'000;
}

// ---------------------------------------------------------------------------------------------
// What the XSD and Peppol BIS Billing 3.0 would check

// The UBL 2.1 schema's sequence of children, for every aggregate the exporter writes, among the
// elements it writes and their neighbours.
const std::map<std::string, std::vector<std::string>>& UblSequences() {
  static const auto* sequences = new std::map<std::string, std::vector<std::string>>{
      {"/ubl:Invoice",
       {"cbc:CustomizationID", "cbc:ProfileID", "cbc:ID", "cbc:IssueDate", "cbc:DueDate",
        "cbc:InvoiceTypeCode", "cbc:Note", "cbc:DocumentCurrencyCode", "cbc:BuyerReference",
        "cac:OrderReference", "cac:BillingReference", "cac:AccountingSupplierParty",
        "cac:AccountingCustomerParty", "cac:PaymentMeans", "cac:PaymentTerms",
        "cac:AllowanceCharge", "cac:TaxTotal", "cac:LegalMonetaryTotal", "cac:InvoiceLine"}},
      {"/cn:CreditNote",
       {"cbc:CustomizationID", "cbc:ProfileID", "cbc:ID", "cbc:IssueDate", "cbc:CreditNoteTypeCode",
        "cbc:Note", "cbc:DocumentCurrencyCode", "cbc:BuyerReference", "cac:OrderReference",
        "cac:BillingReference", "cac:AccountingSupplierParty", "cac:AccountingCustomerParty",
        "cac:PaymentMeans", "cac:PaymentTerms", "cac:AllowanceCharge", "cac:TaxTotal",
        "cac:LegalMonetaryTotal", "cac:CreditNoteLine"}},
      {"//cac:OrderReference", {"cbc:ID", "cbc:SalesOrderID"}},
      {"//cac:BillingReference", {"cac:InvoiceDocumentReference"}},
      {"//cac:InvoiceDocumentReference", {"cbc:ID", "cbc:IssueDate"}},
      {"//cac:AccountingSupplierParty | //cac:AccountingCustomerParty", {"cac:Party"}},
      {"//cac:Party",
       {"cbc:EndpointID", "cac:PartyIdentification", "cac:PartyName", "cac:PostalAddress",
        "cac:PartyTaxScheme", "cac:PartyLegalEntity", "cac:Contact"}},
      {"//cac:PostalAddress",
       {"cbc:StreetName", "cbc:AdditionalStreetName", "cbc:CityName", "cbc:PostalZone",
        "cbc:CountrySubentity", "cac:AddressLine", "cac:Country"}},
      {"//cac:AddressLine", {"cbc:Line"}},
      {"//cac:Country", {"cbc:IdentificationCode"}},
      {"//cac:PartyTaxScheme", {"cbc:CompanyID", "cac:TaxScheme"}},
      {"//cac:PartyLegalEntity", {"cbc:RegistrationName", "cbc:CompanyID"}},
      {"//cac:Contact", {"cbc:Name", "cbc:Telephone", "cbc:ElectronicMail"}},
      {"//cac:PaymentMeans",
       {"cbc:PaymentMeansCode", "cbc:PaymentDueDate", "cbc:PaymentID",
        "cac:PayeeFinancialAccount"}},
      {"//cac:PayeeFinancialAccount", {"cbc:ID", "cbc:Name", "cac:FinancialInstitutionBranch"}},
      {"//cac:FinancialInstitutionBranch", {"cbc:ID"}},
      {"//cac:PaymentTerms", {"cbc:Note"}},
      {"//cac:TaxTotal", {"cbc:TaxAmount", "cac:TaxSubtotal"}},
      {"//cac:TaxSubtotal", {"cbc:TaxableAmount", "cbc:TaxAmount", "cac:TaxCategory"}},
      {"//cac:TaxCategory | //cac:ClassifiedTaxCategory",
       {"cbc:ID", "cbc:Percent", "cbc:TaxExemptionReasonCode", "cbc:TaxExemptionReason",
        "cac:TaxScheme"}},
      {"//cac:TaxScheme", {"cbc:ID"}},
      {"//cac:LegalMonetaryTotal",
       {"cbc:LineExtensionAmount", "cbc:TaxExclusiveAmount", "cbc:TaxInclusiveAmount",
        "cbc:AllowanceTotalAmount", "cbc:ChargeTotalAmount", "cbc:PrepaidAmount",
        "cbc:PayableRoundingAmount", "cbc:PayableAmount"}},
      {"//cac:InvoiceLine",
       {"cbc:ID", "cbc:Note", "cbc:InvoicedQuantity", "cbc:LineExtensionAmount",
        "cac:AllowanceCharge", "cac:Item", "cac:Price"}},
      {"//cac:CreditNoteLine",
       {"cbc:ID", "cbc:Note", "cbc:CreditedQuantity", "cbc:LineExtensionAmount",
        "cac:AllowanceCharge", "cac:Item", "cac:Price"}},
      {"//cac:AllowanceCharge",
       {"cbc:ChargeIndicator", "cbc:AllowanceChargeReasonCode", "cbc:AllowanceChargeReason",
        "cbc:MultiplierFactorNumeric", "cbc:Amount", "cbc:BaseAmount"}},
      {"//cac:Item",
       {"cbc:Description", "cbc:Name", "cac:SellersItemIdentification",
        "cac:ClassifiedTaxCategory"}},
      {"//cac:SellersItemIdentification", {"cbc:ID"}},
      {"//cac:Price", {"cbc:PriceAmount", "cac:BaseQuantity"}},
  };
  return *sequences;
}

void ExpectSchemaOrder(const Ubl& ubl) {
  for (const auto& [parents, sequence] : UblSequences()) {
    for (xmlNodePtr parent : ubl.Nodes(parents)) {
      size_t last = 0;
      for (xmlNodePtr child = parent->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const std::string name = Ubl::QualifiedName(child);
        const auto found = std::find(sequence.begin(), sequence.end(), name);
        EXPECT_NE(found, sequence.end()) << name << " is no child of " << parents;
        if (found == sequence.end()) continue;
        const size_t position = static_cast<size_t>(found - sequence.begin());
        EXPECT_GE(position, last) << name << " is out of the schema's order in " << parents;
        last = position;
      }
    }
  }
}

// Sums of the document as Peppol's schematron recomputes them.
void ExpectArithmetic(const Ubl& ubl) {
  const std::string lines = "(/*/cac:InvoiceLine | /*/cac:CreditNoteLine)";
  std::map<std::pair<std::string, std::string>, int64_t> taxable_by_category;
  int64_t line_total = 0;
  for (size_t i = 1; i <= ubl.Count(lines); ++i) {
    const std::string line = absl::StrCat(lines, "[", i, "]");
    const int64_t amount = Cents(ubl.Value(line + "/cbc:LineExtensionAmount"));
    int64_t quantity = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        ubl.Value(line + "/cbc:InvoicedQuantity | " + line + "/cbc:CreditedQuantity"), &quantity));
    const int64_t price = Micros(ubl.Value(line + "/cac:Price/cbc:PriceAmount"));
    EXPECT_GE(price, 0) << "BR-27: line " << i;
    int64_t allowances = 0;
    for (const std::string& allowance :
         ubl.Values(line + "/cac:AllowanceCharge[cbc:ChargeIndicator='false']/cbc:Amount")) {
      allowances += Cents(allowance);
    }
    EXPECT_EQ(amount, RoundToCents(quantity * price) - allowances)
        << "PEPPOL-EN16931-R120: line " << i;
    taxable_by_category[{ubl.Value(line + "/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                         ubl.Value(line + "/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")}] +=
        amount;
    line_total += amount;
  }
  const std::string totals = "/*/cac:LegalMonetaryTotal/";
  EXPECT_EQ(Cents(ubl.Value(totals + "cbc:LineExtensionAmount")), line_total) << "BR-CO-10";
  EXPECT_EQ(ubl.Count("/*/cac:AllowanceCharge"), 0u);
  EXPECT_EQ(Cents(ubl.Value(totals + "cbc:TaxExclusiveAmount")), line_total) << "BR-CO-13";

  int64_t subtotal_tax = 0;
  const std::string subtotals = "/*/cac:TaxTotal/cac:TaxSubtotal";
  for (size_t i = 1; i <= ubl.Count(subtotals); ++i) {
    const std::string subtotal = absl::StrCat(subtotals, "[", i, "]");
    const std::string category = ubl.Value(subtotal + "/cac:TaxCategory/cbc:ID");
    const std::string percent = ubl.Value(subtotal + "/cac:TaxCategory/cbc:Percent");
    const int64_t taxable = Cents(ubl.Value(subtotal + "/cbc:TaxableAmount"));
    const int64_t tax = Cents(ubl.Value(subtotal + "/cbc:TaxAmount"));
    EXPECT_EQ(taxable, (taxable_by_category[{category, percent}]))
        << "BR-S-08/BR-Z-08/BR-AE-08: " << category << " " << percent;
    const int64_t rate_micros = Micros(percent);  // 19 % → 19'000'000
    EXPECT_LE(std::abs(tax - RoundToCents(taxable * rate_micros / 10'000)), 1)
        << "BR-CO-17: " << category << " " << percent;
    subtotal_tax += tax;
  }
  const int64_t tax_total = Cents(ubl.Value("/*/cac:TaxTotal/cbc:TaxAmount"));
  EXPECT_EQ(tax_total, subtotal_tax) << "BR-CO-14";
  const int64_t inclusive = Cents(ubl.Value(totals + "cbc:TaxInclusiveAmount"));
  EXPECT_EQ(inclusive, line_total + tax_total) << "BR-CO-15";
  const std::vector<std::string> prepaid = ubl.Values(totals + "cbc:PrepaidAmount");
  EXPECT_EQ(Cents(ubl.Value(totals + "cbc:PayableAmount")),
            inclusive - (prepaid.empty() ? 0 : Cents(prepaid[0])))
      << "BR-CO-16";
}

// What every document the exporter writes must have to pass the UBL 2.1 XSD and Peppol BIS
// Billing 3.0's rules, as far as they concern what it writes.
void ExpectValidUbl(const std::string& xml) {
  SCOPED_TRACE(xml);
  Ubl ubl(xml);
  ASSERT_TRUE(ubl.parsed()) << "not well-formed";
  const bool credit_note = ubl.Count("/cn:CreditNote") == 1;
  ASSERT_TRUE(credit_note || ubl.Count("/ubl:Invoice") == 1) << "root";

  // Components: basic ones hold text, aggregates hold elements, nothing is empty (R008).
  EXPECT_EQ(ubl.Count("//cbc:*[*]"), 0u);
  EXPECT_EQ(ubl.Count("//cac:*[not(*)]"), 0u);
  EXPECT_EQ(ubl.Count("//*[not(*) and normalize-space(.) = '']"), 0u) << "PEPPOL-EN16931-R008";
  EXPECT_EQ(ubl.Count("//*/*[namespace-uri() != '" + std::string(kAggregateNamespace) +
                      "' and namespace-uri() != '" + kBasicNamespace + "']"),
            0u)
      << "an element below the root outside UBL's component namespaces";
  ExpectSchemaOrder(ubl);

  EXPECT_EQ(ubl.Value("/*/cbc:CustomizationID"),
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0");
  EXPECT_EQ(ubl.Value("/*/cbc:ProfileID"), "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
  EXPECT_THAT(ubl.Value("/*/cbc:ID"), Not(IsEmpty()));
  EXPECT_TRUE(std::regex_match(ubl.Value("/*/cbc:IssueDate"), std::regex(R"(\d{4}-\d{2}-\d{2})")));
  if (credit_note) {
    EXPECT_EQ(ubl.Value("/*/cbc:CreditNoteTypeCode"), "381");
    EXPECT_EQ(ubl.Count("/*/cbc:DueDate"), 0u);
  } else {
    EXPECT_THAT(ubl.Value("/*/cbc:InvoiceTypeCode"), testing::AnyOf("380", "386"));
  }
  EXPECT_LE(ubl.Count("/*/cbc:Note"), 1u) << "PEPPOL-EN16931-R002";
  const std::string currency = ubl.Value("/*/cbc:DocumentCurrencyCode");
  EXPECT_GE(ubl.Count("/*/cbc:BuyerReference | /*/cac:OrderReference/cbc:ID"), 1u)
      << "PEPPOL-EN16931-R003";
  for (const std::string party :
       {"/*/cac:AccountingSupplierParty/cac:Party", "/*/cac:AccountingCustomerParty/cac:Party"}) {
    EXPECT_THAT(ubl.Value(party + "/cbc:EndpointID"), Not(IsEmpty()));
    EXPECT_EQ(ubl.Value(party + "/cbc:EndpointID/@schemeID"), "EM");
    EXPECT_TRUE(std::regex_match(ubl.Value(party + "/cac:PostalAddress/cac:Country/"
                                                   "cbc:IdentificationCode"),
                                 std::regex("[A-Z]{2}")));
    EXPECT_THAT(ubl.Value(party + "/cac:PartyLegalEntity/cbc:RegistrationName"), Not(IsEmpty()));
    for (const std::string& scheme :
         ubl.Values(party + "/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID")) {
      EXPECT_EQ(scheme, "VAT");
    }
  }
  EXPECT_EQ(ubl.Count("/*/cac:TaxTotal"), 1u) << "PEPPOL-EN16931-R053";
  EXPECT_GE(ubl.Count("/*/cac:TaxTotal/cac:TaxSubtotal"), 1u) << "BR-CO-18";
  for (const std::string& code : ubl.Values("//cac:PaymentMeans/cbc:PaymentMeansCode")) {
    EXPECT_THAT(code, testing::AnyOf("30", "58"));
  }
  for (const std::string& account : ubl.Values("//cac:PayeeFinancialAccount/cbc:ID")) {
    EXPECT_TRUE(std::regex_match(account, std::regex("[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}")))
        << account;
  }
  EXPECT_GE(ubl.Count("/*/cac:InvoiceLine | /*/cac:CreditNoteLine"), 1u) << "BR-16";
  for (const std::string quantity : {"//cbc:InvoicedQuantity", "//cbc:CreditedQuantity"}) {
    for (const std::string& unit : ubl.Values(quantity + "/@unitCode")) EXPECT_EQ(unit, "C62");
    EXPECT_EQ(ubl.Count(quantity + "[not(@unitCode)]"), 0u);
  }
  EXPECT_EQ(ubl.Count("//cac:Item[not(cbc:Name)]"), 0u) << "BR-25";
  EXPECT_EQ(ubl.Count("//cac:Item[not(cac:ClassifiedTaxCategory/cbc:ID)]"), 0u) << "BR-CO-04";
  for (const std::string& category : ubl.Values("//cac:TaxCategory/cbc:ID | "
                                                "//cac:ClassifiedTaxCategory/cbc:ID")) {
    EXPECT_THAT(category, testing::AnyOf("S", "Z", "AE"));
  }
  EXPECT_EQ(ubl.Count("//cac:TaxCategory[cbc:ID != 'AE' and (cbc:TaxExemptionReason or "
                      "cbc:TaxExemptionReasonCode)]"),
            0u)
      << "BR-S-10, BR-Z-10";
  EXPECT_EQ(ubl.Count("//cac:TaxCategory[cbc:ID = 'AE' and not(cbc:TaxExemptionReason or "
                      "cbc:TaxExemptionReasonCode)]"),
            0u)
      << "BR-AE-10";

  // Every amount in the document's currency (PEPPOL-EN16931-R051), with two decimals (BR-DEC).
  EXPECT_EQ(ubl.Count("//cbc:*[contains(local-name(), 'Amount') and not(@currencyID)]"), 0u);
  for (const std::string& amount_currency : ubl.Values("//@currencyID")) {
    EXPECT_EQ(amount_currency, currency);
  }
  for (const std::string& amount :
       ubl.Values("//cbc:*[contains(local-name(), 'Amount') and local-name() != 'PriceAmount']")) {
    Cents(amount);
  }
  ExpectArithmetic(ubl);
}

// ---------------------------------------------------------------------------------------------
// Invoices as order-intake issues them (services/order_intake/invoicing.h)

google::type::Money Eur(int64_t cents) { return common::MoneyFromMicros(cents * 10'000, "EUR"); }

google::protobuf::Timestamp At(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

absl::Time Utc(int year, int month, int day, int hour, int minute, int second = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                         absl::UTCTimeZone());
}

google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

v1::CompanyProfile Seller() {
  v1::CompanyProfile seller;
  seller.set_name("Bühnenlicht & Ton GmbH");
  seller.add_address_lines("Hafenstraße 12");
  seller.add_address_lines("20457 Hamburg");
  seller.add_address_lines("Germany");
  seller.set_tax_id("DE123456789");
  seller.set_email("billing@buehnenlicht.example");
  seller.set_phone("+49 40 1234567");
  seller.set_country("DE");
  seller.set_iban("DE89 3704 0044 0532 0130 00");
  seller.set_bic("COBADEFFXXX");
  seller.set_zone_id("Europe/Berlin");
  seller.set_logo_png("\x89PNG not really");
  return seller;
}

v1::InvoiceParty Buyer() {
  v1::InvoiceParty buyer;
  buyer.set_name("Eventhaus Nord GmbH");
  buyer.add_address_lines("Am Kai 3");
  buyer.add_address_lines("Halle B");
  buyer.add_address_lines("24103 Kiel");
  buyer.set_country("DE");
  buyer.set_tax_id("DE 987 654 321");
  buyer.set_contact_name("Jana Berg");
  buyer.set_email("ap@eventhaus.example");
  return buyer;
}

v1::InvoiceLine* AddLine(v1::Invoice& invoice, v1::InvoiceLineKind kind,
                         const std::string& description, int quantity, int64_t unit_cents,
                         int64_t net_cents, int64_t tax_millionths) {
  v1::InvoiceLine* line = invoice.add_lines();
  line->set_kind(kind);
  line->set_description(description);
  line->set_quantity(quantity);
  *line->mutable_unit_price() = Eur(unit_cents);
  *line->mutable_net() = Eur(net_cents);
  line->set_tax_millionths(tax_millionths);
  return line;
}

void AddTax(v1::Invoice& invoice, int64_t tax_millionths, int64_t net_cents, int64_t tax_cents) {
  v1::InvoiceTaxLine* tax = invoice.add_tax_lines();
  tax->set_tax_millionths(tax_millionths);
  *tax->mutable_net() = Eur(net_cents);
  *tax->mutable_tax() = Eur(tax_cents);
}

void SetTotals(v1::Invoice& invoice, int64_t net_cents, int64_t tax_cents, int64_t paid_cents) {
  *invoice.mutable_net_total() = Eur(net_cents);
  *invoice.mutable_tax_total() = Eur(tax_cents);
  *invoice.mutable_total() = Eur(net_cents + tax_cents);
  *invoice.mutable_paid_total() = Eur(paid_cents);
  *invoice.mutable_amount_due() = Eur(net_cents + tax_cents - paid_cents);
}

// The final invoice of an order at two tax rates: a discounted line, an exact one, and the
// deposit invoiced before deducted; 100.00 of it paid already.
v1::Invoice FinalInvoice() {
  v1::Invoice invoice;
  invoice.set_invoice_number("INV-2026-000042");
  invoice.set_kind(v1::INVOICE_KIND_FINAL);
  invoice.set_order_id("ORD-1042");
  invoice.set_order_revision(3);
  invoice.set_organisation_id("org-7");
  *invoice.mutable_buyer() = Buyer();
  invoice.set_customer_reference("PO-7781");
  invoice.set_currency("EUR");
  AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER, "LED-WALL-3X2 LED wall 3x2", 2, 150000, 270000,
          190000)
      ->set_product_code("LED-WALL-3X2");
  AddLine(invoice, v1::INVOICE_LINE_KIND_ORDER, "Programme booklets", 100, 250, 25000, 70000);
  AddLine(invoice, v1::INVOICE_LINE_KIND_DEDUCTION, "Less deposit invoice INV-2026-000041", 1,
          -90000, -90000, 190000);
  AddTax(invoice, 70000, 25000, 1750);
  AddTax(invoice, 190000, 180000, 34200);
  SetTotals(invoice, 205000, 35950, 10000);
  *invoice.mutable_issue_time() = At(Utc(2026, 3, 31, 10, 0));
  *invoice.mutable_issue_day() = Day(2026, 3, 31);
  *invoice.mutable_due_day() = Day(2026, 4, 14);
  invoice.set_commitment_text("Delivered no later than 20 March 2026, 18:00, at Am Kai 3, Kiel.");
  return invoice;
}

// Credits 200.00 of a damage charge on the final invoice.
v1::Invoice CreditNote() {
  v1::Invoice note;
  note.set_invoice_number("CN-2026-000003");
  note.set_kind(v1::INVOICE_KIND_CREDIT_NOTE);
  note.set_order_id("ORD-1042");
  note.set_organisation_id("org-7");
  *note.mutable_buyer() = Buyer();
  note.set_currency("EUR");
  AddLine(note, v1::INVOICE_LINE_KIND_CREDIT, "Damaged: LP500-0042 (cracked front panel)", 1,
          -20000, -20000, 190000)
      ->set_inventory_code("LP500-0042");
  AddTax(note, 190000, -20000, -3800);
  SetTotals(note, -20000, -3800, 0);
  *note.mutable_issue_time() = At(Utc(2026, 3, 20, 9, 0));
  *note.mutable_issue_day() = Day(2026, 3, 20);
  *note.mutable_due_day() = Day(2026, 4, 3);
  note.set_credited_invoice_number("INV-2026-000042");
  note.set_reason("Damage charge reduced after inspection");
  return note;
}

// A deposit for a client in another member state, invoiced without VAT under reverse charge.
v1::Invoice ReverseChargeDeposit() {
  v1::Invoice invoice;
  invoice.set_invoice_number("INV-2026-000050");
  invoice.set_kind(v1::INVOICE_KIND_DEPOSIT);
  invoice.set_order_id("ORD-1050");
  invoice.set_organisation_id("org-9");
  invoice.mutable_buyer()->set_name("Wiener Festwochen GmbH");
  invoice.mutable_buyer()->add_address_lines("Lothringerstraße 20");
  invoice.mutable_buyer()->add_address_lines("1030 Wien");
  invoice.mutable_buyer()->set_country("at");
  invoice.mutable_buyer()->set_tax_id("ATU12345678");
  invoice.mutable_buyer()->set_email("rechnungen@festwochen.example");
  invoice.set_currency("EUR");
  invoice.set_tax_note(
      "Reverse charge: the recipient is liable for VAT (Art. 196 Directive 2006/112/EC).");
  AddLine(invoice, v1::INVOICE_LINE_KIND_SHARE, "Deposit 30 % of order ORD-1050 (revision 1)", 1,
          300000, 300000, 0);
  AddTax(invoice, 0, 300000, 0);
  SetTotals(invoice, 300000, 0, 0);
  *invoice.mutable_issue_time() = At(Utc(2026, 3, 2, 8, 0));
  *invoice.mutable_issue_day() = Day(2026, 3, 2);
  *invoice.mutable_due_day() = Day(2026, 3, 16);
  invoice.set_label("Deposit");
  return invoice;
}

// ---------------------------------------------------------------------------------------------
// The e-invoice

TEST(InvoiceXmlTest, FinalInvoiceWithTwoRatesAndADepositDeduction) {
  const std::string xml = InvoiceXml(FinalInvoice(), Seller());
  ExpectValidUbl(xml);
  Ubl ubl(xml);
  ASSERT_TRUE(ubl.parsed());
  EXPECT_EQ(ubl.Count("/ubl:Invoice"), 1u);
  EXPECT_EQ(ubl.Value("/*/cbc:ID"), "INV-2026-000042");
  EXPECT_EQ(ubl.Value("/*/cbc:IssueDate"), "2026-03-31");
  EXPECT_EQ(ubl.Value("/*/cbc:DueDate"), "2026-04-14");
  EXPECT_EQ(ubl.Value("/*/cbc:InvoiceTypeCode"), "380");
  EXPECT_EQ(ubl.Value("/*/cbc:DocumentCurrencyCode"), "EUR");
  EXPECT_EQ(ubl.Value("/*/cbc:Note"),
            "Delivered no later than 20 March 2026, 18:00, at Am Kai 3, Kiel.");
  EXPECT_EQ(ubl.Value("/*/cbc:BuyerReference"), "PO-7781");
  EXPECT_EQ(ubl.Value("/*/cac:OrderReference/cbc:ID"), "PO-7781");
  EXPECT_EQ(ubl.Value("/*/cac:OrderReference/cbc:SalesOrderID"), "ORD-1042");
  EXPECT_EQ(ubl.Count("/*/cac:BillingReference"), 0u);

  const std::string seller = "/*/cac:AccountingSupplierParty/cac:Party/";
  EXPECT_EQ(ubl.Value(seller + "cbc:EndpointID"), "billing@buehnenlicht.example");
  EXPECT_EQ(ubl.Value(seller + "cac:PostalAddress/cbc:StreetName"), "Hafenstraße 12");
  EXPECT_EQ(ubl.Value(seller + "cac:PostalAddress/cbc:CityName"), "Hamburg");
  EXPECT_EQ(ubl.Value(seller + "cac:PostalAddress/cbc:PostalZone"), "20457");
  EXPECT_EQ(ubl.Value(seller + "cac:PostalAddress/cac:AddressLine/cbc:Line"), "Germany");
  EXPECT_EQ(ubl.Value(seller + "cac:PostalAddress/cac:Country/cbc:IdentificationCode"), "DE");
  EXPECT_EQ(ubl.Value(seller + "cac:PartyTaxScheme/cbc:CompanyID"), "DE123456789");
  EXPECT_EQ(ubl.Value(seller + "cac:PartyLegalEntity/cbc:RegistrationName"),
            "Bühnenlicht & Ton GmbH");
  EXPECT_EQ(ubl.Value(seller + "cac:Contact/cbc:Telephone"), "+49 40 1234567");
  const std::string buyer = "/*/cac:AccountingCustomerParty/cac:Party/";
  EXPECT_EQ(ubl.Value(buyer + "cbc:EndpointID"), "ap@eventhaus.example");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:StreetName"), "Am Kai 3");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:AdditionalStreetName"), "Halle B");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:CityName"), "Kiel");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:PostalZone"), "24103");
  EXPECT_EQ(ubl.Value(buyer + "cac:PartyTaxScheme/cbc:CompanyID"), "DE987654321");
  EXPECT_EQ(ubl.Value(buyer + "cac:PartyLegalEntity/cbc:RegistrationName"), "Eventhaus Nord GmbH");
  EXPECT_EQ(ubl.Value(buyer + "cac:Contact/cbc:Name"), "Jana Berg");

  EXPECT_EQ(ubl.Value("/*/cac:PaymentMeans/cbc:PaymentMeansCode"), "58");
  EXPECT_EQ(ubl.Value("/*/cac:PaymentMeans/cbc:PaymentID"), "INV-2026-000042");
  EXPECT_EQ(ubl.Value("/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
            "DE89370400440532013000");
  EXPECT_EQ(ubl.Value("/*/cac:PaymentMeans/cac:PayeeFinancialAccount/"
                      "cac:FinancialInstitutionBranch/cbc:ID"),
            "COBADEFFXXX");

  EXPECT_EQ(ubl.Value("/*/cac:TaxTotal/cbc:TaxAmount"), "359.50");
  EXPECT_THAT(ubl.Values("/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"),
              ElementsAre("250.00", "1800.00"));
  EXPECT_THAT(ubl.Values("/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount"),
              ElementsAre("17.50", "342.00"));
  EXPECT_THAT(ubl.Values("/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"),
              ElementsAre("S", "S"));
  EXPECT_THAT(ubl.Values("/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent"),
              ElementsAre("7", "19"));
  const std::string totals = "/*/cac:LegalMonetaryTotal/";
  EXPECT_EQ(ubl.Value(totals + "cbc:LineExtensionAmount"), "2050.00");
  EXPECT_EQ(ubl.Value(totals + "cbc:TaxExclusiveAmount"), "2050.00");
  EXPECT_EQ(ubl.Value(totals + "cbc:TaxInclusiveAmount"), "2409.50");
  EXPECT_EQ(ubl.Value(totals + "cbc:PrepaidAmount"), "100.00");
  EXPECT_EQ(ubl.Value(totals + "cbc:PayableAmount"), "2309.50");

  EXPECT_THAT(ubl.Values("/*/cac:InvoiceLine/cbc:ID"), ElementsAre("1", "2", "3"));
  EXPECT_THAT(ubl.Values("/*/cac:InvoiceLine/cbc:InvoicedQuantity"), ElementsAre("2", "100", "-1"));
  EXPECT_THAT(ubl.Values("/*/cac:InvoiceLine/cac:Price/cbc:PriceAmount"),
              ElementsAre("1500.00", "2.50", "900.00"));
  EXPECT_THAT(ubl.Values("/*/cac:InvoiceLine/cbc:LineExtensionAmount"),
              ElementsAre("2700.00", "250.00", "-900.00"));
  // The line discount: 2 × 1500.00 − 300.00.
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine[1]/cac:AllowanceCharge/cbc:Amount"), "300.00");
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine[1]/cac:AllowanceCharge/cbc:ChargeIndicator"), "false");
  EXPECT_EQ(ubl.Count("/*/cac:InvoiceLine[position() > 1]/cac:AllowanceCharge"), 0u);
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine[1]/cac:Item/cac:SellersItemIdentification/cbc:ID"),
            "LED-WALL-3X2");
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine[3]/cac:Item/cbc:Name"),
            "Less deposit invoice INV-2026-000041");
  EXPECT_THAT(ubl.Values("/*/cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
              ElementsAre("19", "7", "19"));
}

TEST(InvoiceXmlTest, DepositsAndInstalmentsArePrepaymentInvoices) {
  v1::Invoice invoice = FinalInvoice();
  for (const auto& [kind, code] :
       std::vector<std::pair<v1::InvoiceKind, std::string>>{{v1::INVOICE_KIND_DEPOSIT, "386"},
                                                            {v1::INVOICE_KIND_INSTALMENT, "386"},
                                                            {v1::INVOICE_KIND_FINAL, "380"}}) {
    invoice.set_kind(kind);
    Ubl ubl(InvoiceXml(invoice, Seller()));
    EXPECT_EQ(ubl.Value("/ubl:Invoice/cbc:InvoiceTypeCode"), code) << v1::InvoiceKind_Name(kind);
  }
}

TEST(InvoiceXmlTest, CreditNoteShowsPositiveAmountsAndTheInvoiceItCredits) {
  const std::string xml = InvoiceXml(CreditNote(), Seller());
  ExpectValidUbl(xml);
  Ubl ubl(xml);
  ASSERT_TRUE(ubl.parsed());
  EXPECT_EQ(ubl.Count("/cn:CreditNote"), 1u);
  EXPECT_EQ(ubl.Count("//cac:InvoiceLine | //cbc:InvoiceTypeCode | //cbc:DueDate"), 0u);
  EXPECT_EQ(ubl.Value("/*/cbc:ID"), "CN-2026-000003");
  EXPECT_EQ(ubl.Value("/*/cbc:IssueDate"), "2026-03-20");
  EXPECT_EQ(ubl.Value("/*/cbc:CreditNoteTypeCode"), "381");
  EXPECT_EQ(ubl.Value("/*/cbc:Note"), "Damage charge reduced after inspection");
  EXPECT_EQ(ubl.Value("/*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
            "INV-2026-000042");
  // No customer reference: the order is the buyer's reference, and there is no OrderReference.
  EXPECT_EQ(ubl.Value("/*/cbc:BuyerReference"), "ORD-1042");
  EXPECT_EQ(ubl.Count("/*/cac:OrderReference"), 0u);
  // Paid out to the buyer, not into the seller's account; BR-CO-25 takes the terms instead.
  EXPECT_EQ(ubl.Count("/*/cac:PaymentMeans"), 0u);
  EXPECT_THAT(ubl.Value("/*/cac:PaymentTerms/cbc:Note"), HasSubstr("INV-2026-000042"));

  EXPECT_EQ(ubl.Value("/*/cac:CreditNoteLine/cbc:CreditedQuantity"), "1");
  EXPECT_EQ(ubl.Value("/*/cac:CreditNoteLine/cbc:LineExtensionAmount"), "200.00");
  EXPECT_EQ(ubl.Value("/*/cac:CreditNoteLine/cac:Price/cbc:PriceAmount"), "200.00");
  EXPECT_EQ(ubl.Value("/*/cac:CreditNoteLine/cac:Item/cac:SellersItemIdentification/cbc:ID"),
            "LP500-0042");
  EXPECT_EQ(ubl.Value("/*/cac:TaxTotal/cbc:TaxAmount"), "38.00");
  EXPECT_EQ(ubl.Value("/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"), "200.00");
  EXPECT_EQ(ubl.Value("/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"), "238.00");
  EXPECT_EQ(ubl.Count("/*/cac:LegalMonetaryTotal/cbc:PrepaidAmount"), 0u);
  EXPECT_EQ(ubl.Value("/*/cac:LegalMonetaryTotal/cbc:PayableAmount"), "238.00");
  EXPECT_EQ(ubl.Count("//*[@currencyID and starts-with(normalize-space(.), '-')]"), 0u);
}

TEST(InvoiceXmlTest, ReverseChargeIsCategoryAeWithTheTaxNoteAsReason) {
  const v1::Invoice invoice = ReverseChargeDeposit();
  const std::string xml = InvoiceXml(invoice, Seller());
  ExpectValidUbl(xml);
  Ubl ubl(xml);
  ASSERT_TRUE(ubl.parsed());
  EXPECT_EQ(ubl.Value("/*/cbc:InvoiceTypeCode"), "386");
  EXPECT_EQ(ubl.Value("/*/cbc:Note"), "Deposit");
  const std::string category = "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/";
  EXPECT_EQ(ubl.Value(category + "cbc:ID"), "AE");
  EXPECT_EQ(ubl.Value(category + "cbc:Percent"), "0");
  EXPECT_EQ(ubl.Value(category + "cbc:TaxExemptionReasonCode"), "VATEX-EU-AE");
  EXPECT_EQ(ubl.Value(category + "cbc:TaxExemptionReason"), invoice.tax_note());
  EXPECT_EQ(ubl.Value("/*/cac:TaxTotal/cbc:TaxAmount"), "0.00");
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"), "AE");
  EXPECT_EQ(ubl.Count("//cac:ClassifiedTaxCategory/cbc:TaxExemptionReason"), 0u);
  // BR-AE-02: both VAT identifiers.
  EXPECT_EQ(ubl.Value("/*/cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"),
            "ATU12345678");
  EXPECT_EQ(ubl.Count("/*/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"),
            1u);
  const std::string address = "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/";
  EXPECT_EQ(ubl.Value(address + "cbc:PostalZone"), "1030");
  EXPECT_EQ(ubl.Value(address + "cbc:CityName"), "Wien");
  EXPECT_EQ(ubl.Value(address + "cac:Country/cbc:IdentificationCode"), "AT");
  EXPECT_EQ(ubl.Value("/*/cac:LegalMonetaryTotal/cbc:PayableAmount"), "3000.00");
}

TEST(InvoiceXmlTest, ZeroRateWithoutATaxNoteIsZeroRated) {
  v1::Invoice invoice = ReverseChargeDeposit();
  invoice.clear_tax_note();
  const std::string xml = InvoiceXml(invoice, Seller());
  ExpectValidUbl(xml);
  Ubl ubl(xml);
  EXPECT_THAT(ubl.Values("//cac:TaxCategory/cbc:ID | //cac:ClassifiedTaxCategory/cbc:ID"),
              ElementsAre("Z", "Z"));
  EXPECT_EQ(ubl.Count("//cbc:TaxExemptionReason | //cbc:TaxExemptionReasonCode"), 0u);
}

TEST(InvoiceXmlTest, OutsideEuroTheTransferIsNotSepa) {
  v1::Invoice invoice = ReverseChargeDeposit();
  invoice.set_currency("CHF");
  Ubl ubl(InvoiceXml(invoice, Seller()));
  EXPECT_EQ(ubl.Value("/*/cac:PaymentMeans/cbc:PaymentMeansCode"), "30");
  EXPECT_EQ(ubl.Value("/*/cbc:DocumentCurrencyCode"), "CHF");
}

TEST(InvoiceXmlTest, WithoutAnIbanThereAreNoPaymentMeans) {
  v1::CompanyProfile seller = Seller();
  seller.clear_iban();
  const std::string xml = InvoiceXml(FinalInvoice(), seller);
  ExpectValidUbl(xml);
  EXPECT_EQ(Ubl(xml).Count("//cac:PaymentMeans"), 0u);
}

// Caller text with markup, quotes, control characters and bytes that are not UTF-8.
v1::Invoice HostileInvoice() {
  v1::Invoice invoice = FinalInvoice();
  invoice.mutable_buyer()->set_name("=HYPERLINK(\"http://evil.example\",\"<b>&co\")\x01");
  invoice.mutable_buyer()->clear_address_lines();
  invoice.mutable_buyer()->add_address_lines("Main St. 1 <script>");
  invoice.mutable_buyer()->add_address_lines("\xff\xfe broken");
  invoice.set_customer_reference("PO \"42\" & <1>");
  invoice.mutable_lines(1)->set_description("Bell\a & <Whistle> \xef\xbf\xbe]]>");
  invoice.set_commitment_text("Line one\nline two\x1b[31m");
  return invoice;
}

TEST(InvoiceXmlTest, HostileTextIsEscapedAndMadeXmlSafe) {
  const std::string xml = InvoiceXml(HostileInvoice(), Seller());
  ExpectValidUbl(xml);
  for (char c : xml) {
    const unsigned char byte = static_cast<unsigned char>(c);
    EXPECT_FALSE(byte < 0x20 && byte != '\n' && byte != '\t' && byte != '\r')
        << "control byte " << int{byte};
  }
  EXPECT_THAT(xml, Not(HasSubstr("<b>")));
  EXPECT_THAT(xml, Not(HasSubstr("<script>")));
  EXPECT_THAT(xml, HasSubstr("&lt;b&gt;&amp;co"));
  Ubl ubl(xml);
  ASSERT_TRUE(ubl.parsed());
  // Read back as written, control characters as spaces and broken bytes as U+FFFD.
  const std::string buyer = "/*/cac:AccountingCustomerParty/cac:Party/";
  EXPECT_EQ(ubl.Value(buyer + "cac:PartyLegalEntity/cbc:RegistrationName"),
            "=HYPERLINK(\"http://evil.example\",\"<b>&co\") ");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:StreetName"), "Main St. 1 <script>");
  EXPECT_EQ(ubl.Value(buyer + "cac:PostalAddress/cbc:AdditionalStreetName"),
            "\xEF\xBF\xBD\xEF\xBF\xBD broken");
  EXPECT_EQ(ubl.Value("/*/cbc:BuyerReference"), "PO \"42\" & <1>");
  EXPECT_EQ(ubl.Value("/*/cac:InvoiceLine[2]/cac:Item/cbc:Name"),
            "Bell  & <Whistle> \xEF\xBF\xBD]]>");
  EXPECT_EQ(ubl.Value("/*/cbc:Note"), "Line one line two [31m");
}

// ---------------------------------------------------------------------------------------------
// The journal

// The CSV as an importer reads it: libcsv in strict mode, spaces kept.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  struct Rows {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> current;
  } parsed;
  csv_parser parser;
  EXPECT_EQ(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
  csv_set_space_func(&parser, [](unsigned char) { return 0; });
  auto on_field = [](void* data, size_t length, void* rows) {
    static_cast<Rows*>(rows)->current.emplace_back(static_cast<const char*>(data), length);
  };
  auto on_row_end = [](int, void* rows) {
    Rows* all = static_cast<Rows*>(rows);
    all->rows.push_back(std::move(all->current));
    all->current.clear();
  };
  EXPECT_EQ(csv_parse(&parser, text.data(), text.size(), on_field, on_row_end, &parsed),
            text.size())
      << csv_strerror(csv_error(&parser));
  EXPECT_EQ(csv_fini(&parser, on_field, on_row_end, &parsed), 0)
      << csv_strerror(csv_error(&parser));
  csv_free(&parser);
  return parsed.rows;
}

const std::vector<std::string> kColumns = absl::StrSplit(
    "date,entry_type,document_number,invoice_kind,credited_invoice,order_id,organisation_id,"
    "customer,customer_tax_id,customer_country,currency,tax_percent,tax_category,net,tax,gross,"
    "due_date,payment_method,payment_reference,payment_id",
    ',');

// A row of the journal by column name.
std::map<std::string, std::string> Record(const std::vector<std::string>& row) {
  std::map<std::string, std::string> record;
  EXPECT_EQ(row.size(), kColumns.size());
  for (size_t i = 0; i < kColumns.size() && i < row.size(); ++i) record[kColumns[i]] = row[i];
  return record;
}

v1::Payment* AddPayment(v1::Invoice& invoice, v1::PaymentKind kind, int64_t cents, absl::Time at,
                        const std::string& id) {
  v1::Payment* payment = invoice.add_payments();
  payment->set_payment_id(id);
  payment->set_invoice_number(invoice.invoice_number());
  payment->set_kind(kind);
  *payment->mutable_amount() = Eur(cents);
  *payment->mutable_receive_time() = At(at);
  payment->set_method("bank transfer");
  payment->set_reference("SEPA " + id);
  return payment;
}

// March 2026 in Hamburg: [2026-02-28 23:00 UTC, 2026-03-31 22:00 UTC).
struct March {
  absl::TimeZone zone;
  absl::Time start;
  absl::Time end;
};

March MarchInBerlin() {
  March march;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &march.zone));
  march.start = absl::FromCivil(absl::CivilDay(2026, 3, 1), march.zone);
  march.end = absl::FromCivil(absl::CivilDay(2026, 4, 1), march.zone);
  return march;
}

TEST(JournalCsvTest, RowsPerTaxRateAndPaymentInThePeriodOnly) {
  const March march = MarchInBerlin();
  // Issued at 23:30 in Hamburg on the last day of the period; paid in the period (on the 16th in
  // Hamburg, still the 15th in UTC) and again after it.
  v1::Invoice final_invoice = FinalInvoice();
  *final_invoice.mutable_issue_time() = At(Utc(2026, 3, 31, 21, 30));
  AddPayment(final_invoice, v1::PAYMENT_KIND_RECEIVED, 50000, Utc(2026, 3, 15, 23, 30), "pay-1");
  AddPayment(final_invoice, v1::PAYMENT_KIND_RECEIVED, 180950, Utc(2026, 4, 2, 9, 0), "pay-2");
  // Issued at 00:30 on 1 April in Hamburg: after the period. Paid a second before it ended, and
  // at its end, which is no longer in it.
  v1::Invoice deposit = ReverseChargeDeposit();
  deposit.set_invoice_number("INV-2026-000051");
  *deposit.mutable_issue_time() = At(Utc(2026, 3, 31, 22, 30));
  *deposit.mutable_issue_day() = Day(2026, 4, 1);
  AddPayment(deposit, v1::PAYMENT_KIND_RECEIVED, 300000, march.end - absl::Seconds(1), "pay-3");
  AddPayment(deposit, v1::PAYMENT_KIND_RECEIVED, 1, march.end, "pay-4");
  // A credit note in the period, and its refund.
  v1::Invoice credit_note = CreditNote();
  AddPayment(credit_note, v1::PAYMENT_KIND_REFUND, 23800, Utc(2026, 3, 21, 10, 0), "refund-1");
  // Issued the moment the period starts.
  v1::Invoice first = ReverseChargeDeposit();
  first.set_invoice_number("INV-2026-000040");
  *first.mutable_issue_time() = At(march.start);
  *first.mutable_issue_day() = Day(2026, 3, 1);

  int row_count = -1;
  const std::string csv = JournalCsv({final_invoice, deposit, credit_note, first}, march.start,
                                     march.end, march.zone, &row_count);
  EXPECT_EQ(row_count, 7);
  // CRLF after every row and nowhere else.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 8);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\r'), 8);
  EXPECT_THAT(csv, Not(HasSubstr("\n\n")));
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");

  const std::vector<std::vector<std::string>> rows = ParseCsv(csv);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_THAT(rows[0], ElementsAreArray(kColumns));
  std::vector<std::map<std::string, std::string>> records;
  for (size_t i = 1; i < rows.size(); ++i) records.push_back(Record(rows[i]));
  std::vector<std::string> order;
  for (const auto& record : records) {
    order.push_back(absl::StrCat(record.at("date"), " ", record.at("entry_type"), " ",
                                 record.at("document_number"), " ", record.at("tax_percent")));
  }
  EXPECT_THAT(
      order,
      ElementsAre("2026-03-01 invoice INV-2026-000040 0", "2026-03-16 payment INV-2026-000042 ",
                  "2026-03-20 credit_note CN-2026-000003 19", "2026-03-21 refund CN-2026-000003 ",
                  "2026-03-31 invoice INV-2026-000042 7", "2026-03-31 invoice INV-2026-000042 19",
                  "2026-03-31 payment INV-2026-000051 "));

  const auto& seven = records[4];
  EXPECT_EQ(seven.at("invoice_kind"), "final");
  EXPECT_EQ(seven.at("order_id"), "ORD-1042");
  EXPECT_EQ(seven.at("organisation_id"), "org-7");
  EXPECT_EQ(seven.at("customer"), "Eventhaus Nord GmbH");
  EXPECT_EQ(seven.at("customer_tax_id"), "DE 987 654 321");
  EXPECT_EQ(seven.at("customer_country"), "DE");
  EXPECT_EQ(seven.at("currency"), "EUR");
  EXPECT_EQ(seven.at("tax_category"), "S");
  EXPECT_EQ(seven.at("net"), "250.00");
  EXPECT_EQ(seven.at("tax"), "17.50");
  EXPECT_EQ(seven.at("gross"), "267.50");
  EXPECT_EQ(seven.at("due_date"), "2026-04-14");
  EXPECT_EQ(seven.at("payment_id"), "");
  const auto& nineteen = records[5];
  EXPECT_EQ(nineteen.at("net"), "1800.00");
  EXPECT_EQ(nineteen.at("tax"), "342.00");
  EXPECT_EQ(nineteen.at("gross"), "2142.00");

  const auto& reverse_charge = records[0];
  EXPECT_EQ(reverse_charge.at("invoice_kind"), "deposit");
  EXPECT_EQ(reverse_charge.at("tax_category"), "AE");
  EXPECT_EQ(reverse_charge.at("customer_country"), "at");
  EXPECT_EQ(reverse_charge.at("gross"), "3000.00");

  const auto& credit = records[2];
  EXPECT_EQ(credit.at("invoice_kind"), "credit_note");
  EXPECT_EQ(credit.at("credited_invoice"), "INV-2026-000042");
  EXPECT_EQ(credit.at("net"), "-200.00");
  EXPECT_EQ(credit.at("tax"), "-38.00");
  EXPECT_EQ(credit.at("gross"), "-238.00");
  EXPECT_EQ(credit.at("due_date"), "");

  const auto& refund = records[3];
  EXPECT_EQ(refund.at("gross"), "-238.00");
  EXPECT_EQ(refund.at("payment_id"), "refund-1");
  const auto& last_payment = records[6];
  EXPECT_EQ(last_payment.at("invoice_kind"), "deposit");
  EXPECT_EQ(last_payment.at("net"), "");
  EXPECT_EQ(last_payment.at("tax"), "");
  EXPECT_EQ(last_payment.at("gross"), "3000.00");
  EXPECT_EQ(last_payment.at("payment_method"), "bank transfer");
  EXPECT_EQ(last_payment.at("payment_reference"), "SEPA pay-3");
  EXPECT_EQ(last_payment.at("payment_id"), "pay-3");
}

TEST(JournalCsvTest, EmptyPeriodHasTheHeaderOnly) {
  const March march = MarchInBerlin();
  int row_count = -1;
  const std::string csv = JournalCsv({FinalInvoice()}, march.start - absl::Hours(24 * 365),
                                     march.start, march.zone, &row_count);
  EXPECT_EQ(row_count, 0);
  EXPECT_EQ(ParseCsv(csv).size(), 1u);
  EXPECT_EQ(JournalCsv({}, march.start, march.end, march.zone, nullptr), csv);
}

TEST(JournalCsvTest, HostileTextCannotBecomeAFormulaOrBreakTheRow) {
  const March march = MarchInBerlin();
  std::vector<v1::Invoice> invoices;
  for (const std::string& name :
       {std::string("=HYPERLINK(\"http://evil.example\",\"<b>&co\")\x01"), std::string("-2+3"),
        std::string("+49 40 123"), std::string("@SUM(A1)"), std::string(" \t=1+1"),
        std::string("Müller, Schmidt & Co\r\nKG"), std::string("\xff broken")}) {
    v1::Invoice invoice = CreditNote();
    invoice.mutable_buyer()->set_name(name);
    invoice.set_order_id("=cmd|' /C calc'!A0");
    invoices.push_back(invoice);
  }
  int row_count = 0;
  const std::vector<std::vector<std::string>> rows =
      ParseCsv(JournalCsv(invoices, march.start, march.end, march.zone, &row_count));
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(row_count, 7);
  std::vector<std::string> customers;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto record = Record(rows[i]);
    customers.push_back(record.at("customer"));
    EXPECT_EQ(record.at("order_id"), "'=cmd|' /C calc'!A0");
    // Numbers stay numbers, minus sign and all.
    EXPECT_EQ(record.at("net"), "-200.00");
    EXPECT_EQ(record.at("gross"), "-238.00");
  }
  EXPECT_THAT(customers, ElementsAre("'=HYPERLINK(\"http://evil.example\",\"<b>&co\") ", "'-2+3",
                                     "'+49 40 123", "'@SUM(A1)", "'  =1+1",
                                     "Müller, Schmidt & Co  KG", "\xEF\xBF\xBD broken"));
}

}  // namespace
}  // namespace salesops::order_intake
