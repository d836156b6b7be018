// Issue 18's money in and online acceptance, over real gRPC and real HTTP on the four services
// and PostgreSQL: invoice plans, deposits, the final invoice with damage from check-in, credit
// notes, payments (partial, over, refunds), balances, the overdue announcement, gap-free numbers
// under 16 concurrent issuers, and a client accepting a signed quote link in a browser's place.
#include <absl/strings/match.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/common/sha256.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

int64_t Micros(const google::type::Money& money) {
  return common::MoneyToMicros(money, "test").value_or(-1);
}

std::string ReasonOf(const grpc::Status& status) { return ParseGrpcError(status).reason; }

class InvoicingTest : public OrderSuiteTest {
 protected:
  InvoicingTest() = default;
  explicit InvoicingTest(std::vector<std::string> order_args)
      : OrderSuiteTest(std::move(order_args)) {}

  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  void SetUp() override {
    OrderSuiteTest::SetUp();
    v1::SetCompanyProfileRequest profile;
    v1::CompanyProfile& company = *profile.mutable_profile();
    company.set_name("Brightside Event Technology GmbH");
    company.add_address_lines("Hafenstraße 12");
    company.add_address_lines("20457 Hamburg");
    company.set_country("DE");
    company.set_tax_id("DE123456789");
    company.set_iban("DE89 3704 0044 0532 0130 00");
    company.set_zone_id("Europe/Berlin");
    v1::SetCompanyProfileResponse saved;
    ASSERT_TRUE(
        suite_.orders->Call(&OrderStub::SetCompanyProfile, profile, &saved, tokens().admin).ok());
    // 19 % on equipment and crew, 7 % on transport, as a German rental house charges.
    for (const auto& [tax_class, millionths] :
         std::vector<std::pair<v1::TaxClass, int64_t>>{{v1::TAX_CLASS_EQUIPMENT, 190'000},
                                                       {v1::TAX_CLASS_LABOUR, 190'000},
                                                       {v1::TAX_CLASS_TRANSPORT, 70'000}}) {
      v1::CreateTaxRateRequest tax;
      tax.mutable_taxrate()->set_tax_class(tax_class);
      tax.mutable_taxrate()->set_jurisdiction("DE");
      tax.mutable_taxrate()->set_tax_millionths(millionths);
      tax.mutable_taxrate()->set_name(millionths == 190'000 ? "USt 19 %" : "USt 7 %");
      v1::CreateTaxRateResponse created;
      ASSERT_TRUE(
          suite_.orders->Call(&OrderStub::CreateTaxRate, tax, &created, tokens().admin).ok());
    }
  }

  v1::Organisation NewOrganisation() {
    v1::CreateOrganisationRequest request;
    v1::Organisation& organisation = *request.mutable_organisation();
    organisation.set_name("Konzert GmbH");
    organisation.set_tax_id("DE987654321");
    organisation.set_currency("EUR");
    organisation.mutable_billing_address()->add_address_lines("Alexanderplatz 1");
    organisation.mutable_billing_address()->set_postal_code("10178");
    organisation.mutable_billing_address()->set_locality("Berlin");
    organisation.mutable_billing_address()->set_region_code("DE");
    v1::Contact* accounts = organisation.add_contacts();
    accounts->set_name("Anna Accounts");
    accounts->set_email("anna@example.com");
    accounts->set_billing(true);
    v1::CreateOrganisationResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.organisation();
  }

  // One LED wall on day `day` after day 0, so orders on different days do not compete.
  v1::Order Placed(int day, const std::string& organisation_id = "") {
    v1::Order draft = Draft(1);
    auto shift = [&](google::protobuf::Timestamp* time) {
      time->set_seconds(time->seconds() + int64_t{day} * 86400);
    };
    shift(draft.mutable_event_schedule()->mutable_show_start_time());
    shift(draft.mutable_event_schedule()->mutable_show_end_time());
    shift(draft.mutable_event_schedule()->mutable_strike_time());
    shift(draft.mutable_delivery_window()->mutable_window()->mutable_not_before());
    shift(draft.mutable_delivery_window()->mutable_window()->mutable_no_later_than());
    if (!organisation_id.empty()) {
      draft.clear_customer();
      draft.set_organisation_id(organisation_id);
    }
    draft.set_customer_reference("PO-4711");
    v1::CreateOrderResponse created;
    grpc::Status status = Create(draft, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.order();
  }

  v1::Order Confirmed(const v1::Order& order) {
    v1::ConfirmOrderResponse confirmed;
    grpc::Status status = Confirm(order, &confirmed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return confirmed.order();
  }

  grpc::Status SetPlan(const v1::InvoicePlan& plan, v1::SetInvoicePlanResponse* response) {
    v1::SetInvoicePlanRequest request;
    *request.mutable_plan() = plan;
    return suite_.orders->Call(&OrderStub::SetInvoicePlan, request, response, tokens().sales);
  }

  grpc::Status Issue(const std::string& order_id, v1::InvoiceKind kind,
                     v1::IssueInvoiceResponse* response,
                     const std::vector<v1::DamageCharge>& charges = {},
                     const std::string& request_id = "") {
    v1::IssueInvoiceRequest request;
    request.set_request_id(request_id);
    request.set_order_id(order_id);
    request.set_kind(kind);
    for (const v1::DamageCharge& charge : charges) *request.add_damage_charges() = charge;
    return suite_.orders->Call(&OrderStub::IssueInvoice, request, response, tokens().sales);
  }

  grpc::Status Pay(const std::string& number, int64_t cents, v1::PaymentKind kind,
                   v1::RecordPaymentResponse* response) {
    v1::RecordPaymentRequest request;
    request.mutable_payment()->set_invoice_number(number);
    request.mutable_payment()->set_kind(kind);
    *request.mutable_payment()->mutable_amount() =
        common::MoneyFromMicros(cents * common::kMicrosPerUnit / 100, "EUR");
    request.mutable_payment()->set_method("bank transfer");
    return suite_.orders->Call(&OrderStub::RecordPayment, request, response, tokens().sales);
  }

  std::vector<v1::Invoice> Invoices(const std::string& order_id = "", bool overdue_only = false) {
    v1::ListInvoicesRequest request;
    request.set_order_id(order_id);
    request.set_overdue_only(overdue_only);
    v1::ListInvoicesResponse response;
    EXPECT_TRUE(
        suite_.orders->Call(&OrderStub::ListInvoices, request, &response, tokens().sales).ok());
    return {response.invoices().begin(), response.invoices().end()};
  }

  // The order out and back through inventory (one panel damaged, one missing), until
  // order-intake hears it is RETURNED.
  void OutAndBack(const v1::Order& order) {
    v1::RecordPrepRequest prep;
    prep.set_order_id(order.order_id());
    v1::PrepCount* count = prep.add_counts();
    count->set_inventory_code("LED-PANEL-500");
    count->set_pulled_quantity(24);
    v1::RecordPrepResponse prepped;
    ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::RecordPrep, prep, &prepped).ok());
    v1::CheckOutRequest check_out;
    check_out.set_order_id(order.order_id());
    v1::CheckOutResponse out;
    ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::CheckOut, check_out, &out).ok());
    v1::CheckInRequest check_in;
    check_in.set_order_id(order.order_id());
    v1::CheckInLine* line = check_in.add_lines();
    line->set_inventory_code("LED-PANEL-500");
    line->set_returned_quantity(22);  // in good order
    line->set_damaged_quantity(1);
    line->set_damage_note("cracked front");
    v1::CheckInResponse in;
    grpc::Status status = suite_.inventory->Call(&InventoryStub::CheckIn, check_in, &in);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(Eventually([&] {
      return Get(order.order_id()).stage() == v1::ORDER_STAGE_RETURNED;
    })) << suite_.notification->log();
  }

  static v1::DamageCharge Charge(int quantity, int64_t euros, bool lost) {
    v1::DamageCharge charge;
    charge.set_inventory_code("LED-PANEL-500");
    charge.set_quantity(quantity);
    charge.mutable_unit_price()->set_currency_code("EUR");
    charge.mutable_unit_price()->set_units(euros);
    charge.set_lost(lost);
    return charge;
  }

  // Moves an invoice's due day `days` back, as the calendar would.
  void AgeDueDay(const std::string& number, int days) {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::work tx(connection);
    pqxx::row row = tx.exec_params1("SELECT body FROM invoices WHERE invoice_number = $1", number);
    pqxx::binarystring bytes(row[0]);
    v1::Invoice invoice;
    invoice.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
    const absl::CivilDay due = absl::CivilDay(invoice.due_day().year(), invoice.due_day().month(),
                                              invoice.due_day().day()) -
                               days;
    invoice.mutable_due_day()->set_year(static_cast<int>(due.year()));
    invoice.mutable_due_day()->set_month(due.month());
    invoice.mutable_due_day()->set_day(due.day());
    const std::string body = invoice.SerializeAsString();
    tx.exec_params(
        "UPDATE invoices SET due_day = due_day - $2::int, body = $3 WHERE invoice_number = $1",
        number, days, pqxx::binarystring(body.data(), body.size()));
    tx.commit();
  }
};

TEST_F(InvoicingTest, ADepositFollowsConfirmationOnceAndPaymentsSettleIt) {
  const v1::Organisation organisation = NewOrganisation();
  v1::Order order = Placed(0, organisation.organisation_id());

  // A plan that asks for more than the whole order is refused by field, and nothing is kept.
  v1::InvoicePlan plan;
  plan.set_order_id(order.order_id());
  plan.set_deposit_percent(80);
  plan.add_instalments()->set_percent(30);
  v1::SetInvoicePlanResponse saved;
  grpc::Status status = SetPlan(plan, &saved);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "plan.instalments");
  plan.clear_instalments();
  plan.set_deposit_percent(30);
  plan.mutable_payment_term()->set_seconds(7 * 86400);
  ASSERT_TRUE(SetPlan(plan, &saved).ok());

  // Before confirmation there is nothing to invoice; the refusal takes no number.
  v1::IssueInvoiceResponse deposit;
  status = Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &deposit);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "INVALID_STAGE_TRANSITION");
  EXPECT_TRUE(Invoices(order.order_id()).empty());

  order = Confirmed(order);
  status = Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &deposit, {}, "deposit-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Invoice& invoice = deposit.invoice();
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), [] {
    absl::TimeZone berlin;
    absl::LoadTimeZone("Europe/Berlin", &berlin);
    return berlin;
  }());
  EXPECT_EQ(invoice.invoice_number(), absl::StrFormat("INV-%d-000001", today.year()));
  EXPECT_EQ(invoice.kind(), v1::INVOICE_KIND_DEPOSIT);
  EXPECT_EQ(invoice.buyer().name(), "Konzert GmbH");
  EXPECT_EQ(invoice.buyer().tax_id(), "DE987654321");
  EXPECT_EQ(invoice.customer_reference(), "PO-4711");
  EXPECT_NE(invoice.commitment_text().find("no later than"), std::string::npos);
  const absl::CivilDay due = today + 7;
  EXPECT_EQ(invoice.due_day().day(), due.day());
  // 30 % of each tax rate's net, taxed at that rate: within a cent a rate of 30 % of the total.
  const int64_t expected = Micros(order.quote().total()) * 30 / 100;
  EXPECT_LE(std::abs(Micros(invoice.total()) - expected), 10'000 * order.quote().tax_lines_size())
      << invoice.DebugString();
  EXPECT_EQ(invoice.tax_lines_size(), order.quote().tax_lines_size());
  EXPECT_EQ(invoice.payment_status(), v1::PAYMENT_STATUS_UNPAID);

  // Once only; a retry of the same request gets the same invoice back.
  v1::IssueInvoiceResponse again;
  status = Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "ALREADY_EXISTS");
  ASSERT_TRUE(Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &again, {}, "deposit-1").ok());
  EXPECT_EQ(again.invoice().invoice_number(), invoice.invoice_number());
  EXPECT_EQ(Invoices(order.order_id()).size(), 1u);

  // Partial, then over, then a refund of the overpayment.
  const int64_t total_cents = Micros(invoice.total()) / 10'000;
  v1::RecordPaymentResponse paid;
  ASSERT_TRUE(Pay(invoice.invoice_number(), 10'000, v1::PAYMENT_KIND_RECEIVED, &paid).ok());
  EXPECT_EQ(paid.invoice().payment_status(), v1::PAYMENT_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(Micros(paid.invoice().amount_due()), (total_cents - 10'000) * 10'000);
  ASSERT_TRUE(
      Pay(invoice.invoice_number(), total_cents - 10'000 + 5'000, v1::PAYMENT_KIND_RECEIVED, &paid)
          .ok());
  EXPECT_EQ(paid.invoice().payment_status(), v1::PAYMENT_STATUS_OVERPAID);
  EXPECT_EQ(Micros(paid.invoice().amount_due()), -5'000 * 10'000);
  status = Pay(invoice.invoice_number(), 10'000'000, v1::PAYMENT_KIND_REFUND, &paid);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "more than received";
  ASSERT_TRUE(Pay(invoice.invoice_number(), 5'000, v1::PAYMENT_KIND_REFUND, &paid).ok());
  EXPECT_EQ(paid.invoice().payment_status(), v1::PAYMENT_STATUS_PAID);
  EXPECT_EQ(paid.invoice().payments_size(), 3);

  // The balance per organisation: invoiced, received, refunded, nothing owed.
  v1::GetAccountBalanceRequest balance_request;
  balance_request.set_organisation_id(organisation.organisation_id());
  v1::GetAccountBalanceResponse balance;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::GetAccountBalance, balance_request, &balance, tokens().sales)
          .ok());
  ASSERT_EQ(balance.balances_size(), 1);
  EXPECT_EQ(Micros(balance.balances(0).invoiced_total()), Micros(invoice.total()));
  EXPECT_EQ(Micros(balance.balances(0).refunded_total()), 5'000 * 10'000);
  EXPECT_EQ(Micros(balance.balances(0).balance_total()), 0);

  // Ops reads orders, never money.
  v1::GetInvoiceRequest get;
  get.set_invoice_number(invoice.invoice_number());
  v1::GetInvoiceResponse read;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::GetInvoice, get, &read, tokens().ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetDocumentRequest pdf_request;
  pdf_request.set_order_id(order.order_id());
  pdf_request.set_kind(v1::DOCUMENT_KIND_INVOICE);
  pdf_request.set_invoice_number(invoice.invoice_number());
  v1::GetDocumentResponse pdf;
  EXPECT_EQ(
      suite_.orders->Call(&OrderStub::GetDocument, pdf_request, &pdf, tokens().ops).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Sales gets the PDF, as issued (no payments on it), kept byte for byte.
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetDocument, pdf_request, &pdf, tokens().sales).ok());
  const std::string text = PdfText(pdf.document().pdf());
  EXPECT_NE(text.find(invoice.invoice_number()), std::string::npos) << text;
  EXPECT_NE(text.find("Konzert GmbH"), std::string::npos) << text;
  EXPECT_GT(PdfPageInk(pdf.document().pdf()), 0.01);
  v1::GetDocumentResponse pdf_again;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::GetDocument, pdf_request, &pdf_again, tokens().sales).ok());
  EXPECT_EQ(pdf_again.document().sha256(), pdf.document().sha256());
}

TEST_F(InvoicingTest, TheFinalInvoiceChargesCheckInDamageLessTheDepositAndCreditNotesAdjustIt) {
  const v1::Organisation organisation = NewOrganisation();
  v1::InvoicePlan plan;
  plan.set_organisation_id(organisation.organisation_id());
  plan.set_deposit_percent(50);
  v1::SetInvoicePlanResponse saved;
  ASSERT_TRUE(SetPlan(plan, &saved).ok());
  v1::Order order = Confirmed(Placed(1, organisation.organisation_id()));
  v1::IssueInvoiceResponse deposit;
  ASSERT_TRUE(Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &deposit).ok());

  v1::IssueInvoiceResponse final_invoice;
  grpc::Status status = Issue(order.order_id(), v1::INVOICE_KIND_FINAL, &final_invoice);
  EXPECT_EQ(ReasonOf(status), "INVALID_STAGE_TRANSITION") << "before the return";
  OutAndBack(order);

  // Check-in recorded one damaged panel and one that never came back: no more can be charged.
  status = Issue(order.order_id(), v1::INVOICE_KIND_FINAL, &final_invoice,
                 {Charge(2, 450, /*lost=*/false)});
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("damage_charges[0]"), std::string::npos);
  EXPECT_EQ(Invoices(order.order_id()).size(), 1u) << "a refusal issues nothing";
  status = Issue(order.order_id(), v1::INVOICE_KIND_FINAL, &final_invoice,
                 {Charge(1, 450, false), Charge(1, 600, /*lost=*/true)});
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Invoice& invoice = final_invoice.invoice();
  EXPECT_EQ(invoice.kind(), v1::INVOICE_KIND_FINAL);
  std::set<v1::InvoiceLineKind> kinds;
  for (const v1::InvoiceLine& line : invoice.lines()) kinds.insert(line.kind());
  EXPECT_TRUE(kinds.contains(v1::INVOICE_LINE_KIND_ORDER));
  EXPECT_TRUE(kinds.contains(v1::INVOICE_LINE_KIND_DAMAGE));
  EXPECT_TRUE(kinds.contains(v1::INVOICE_LINE_KIND_LOSS));
  EXPECT_TRUE(kinds.contains(v1::INVOICE_LINE_KIND_DEDUCTION));
  // The order's total, plus 1,050 EUR net of damage at 19 %, less the deposit: within a cent a
  // rate (tax is taken per rate on each invoice).
  const int64_t expected = Micros(order.quote().total()) + int64_t{1'050'000'000} * 119 / 100 -
                           Micros(deposit.invoice().total());
  EXPECT_LE(std::abs(Micros(invoice.total()) - expected), 10'000 * 3) << invoice.DebugString();
  for (const v1::InvoiceTaxLine& tax : invoice.tax_lines()) {
    EXPECT_EQ(Micros(tax.tax()),
              common::ScaleMicros(Micros(tax.net()), tax.tax_millionths(), 1'000'000, 10'000, "t")
                  .value());
  }

  // The damage charge is reduced by a credit note; it cannot credit more than is left.
  v1::IssueCreditNoteRequest credit;
  credit.set_invoice_number(invoice.invoice_number());
  credit.set_reason("damage charge reduced after inspection");
  v1::CreditLine* line = credit.add_lines();
  line->set_description("Damaged LED-PANEL-500: repair cheaper than expected");
  line->mutable_net()->set_currency_code("EUR");
  line->mutable_net()->set_units(150);
  line->set_tax_millionths(190'000);
  v1::IssueCreditNoteResponse credited;
  status = suite_.orders->Call(&OrderStub::IssueCreditNote, credit, &credited, tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(absl::StartsWith(credited.credit_note().invoice_number(), "CN-"));
  EXPECT_EQ(credited.credit_note().credited_invoice_number(), invoice.invoice_number());
  EXPECT_EQ(Micros(credited.credit_note().total()), -178'500'000);
  EXPECT_EQ(Micros(credited.invoice().amount_due()), Micros(invoice.total()) - 178'500'000);
  EXPECT_EQ(credited.invoice().credit_note_numbers(0), credited.credit_note().invoice_number());
  credit.mutable_lines(0)->mutable_net()->set_units(1'000'000);
  status = suite_.orders->Call(&OrderStub::IssueCreditNote, credit, &credited, tokens().sales);
  EXPECT_EQ(ReasonOf(status), "LIMIT_REACHED");
  credit.mutable_lines(0)->set_tax_millionths(50'000);
  credit.mutable_lines(0)->mutable_net()->set_units(10);
  status = suite_.orders->Call(&OrderStub::IssueCreditNote, credit, &credited, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "a rate it never had";

  // The accountant's exports: the e-invoice and the journal name it.
  v1::GetInvoiceXmlRequest xml_request;
  xml_request.set_invoice_number(invoice.invoice_number());
  v1::GetInvoiceXmlResponse xml;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::GetInvoiceXml, xml_request, &xml, tokens().sales).ok());
  EXPECT_NE(xml.xml().find(invoice.invoice_number()), std::string::npos);
  EXPECT_NE(xml.xml().find("urn:fdc:peppol.eu:2017:poacc:billing:3.0"), std::string::npos);
  v1::GetJournalRequest journal_request;
  *journal_request.mutable_start_time() = TimeUtil::SecondsToTimestamp(day0_ - 30 * 86400);
  *journal_request.mutable_end_time() = TimeUtil::SecondsToTimestamp(day0_ + 30 * 86400);
  v1::GetJournalResponse journal;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::GetJournal, journal_request, &journal, tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::GetJournal, journal_request, &journal, tokens().admin).ok());
  for (const std::string& number : {deposit.invoice().invoice_number(), invoice.invoice_number(),
                                    credited.credit_note().invoice_number()}) {
    EXPECT_NE(journal.csv().find(number), std::string::npos) << number << "\n" << journal.csv();
  }
  EXPECT_GE(journal.row_count(), 3);
}

TEST_F(InvoicingTest, ATourIsInvoicedInItsInstalmentsEachFromItsTimeAndAdminHearsOfEach) {
  v1::Order order = Confirmed(Placed(4));
  v1::InvoicePlan plan;
  plan.set_order_id(order.order_id());
  v1::Instalment* first_leg = plan.add_instalments();
  first_leg->set_label("Leg 1: Hamburg");
  first_leg->set_percent(40);
  v1::Instalment* second_leg = plan.add_instalments();
  second_leg->set_label("Leg 2: Berlin");
  second_leg->set_percent(60);
  *second_leg->mutable_invoice_time() = TimeUtil::SecondsToTimestamp(day0_ + 30 * 86400);
  v1::SetInvoicePlanResponse saved;
  ASSERT_TRUE(SetPlan(plan, &saved).ok());

  v1::IssueInvoiceResponse leg;
  grpc::Status status = Issue(order.order_id(), v1::INVOICE_KIND_INSTALMENT, &leg);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(leg.invoice().kind(), v1::INVOICE_KIND_INSTALMENT);
  EXPECT_EQ(leg.invoice().label(), "Leg 1: Hamburg");
  EXPECT_LE(std::abs(Micros(leg.invoice().total()) - Micros(order.quote().total()) * 40 / 100),
            10'000 * order.quote().tax_lines_size());
  // The second leg is invoiced from its own time, not before; the plan has no third.
  status = Issue(order.order_id(), v1::INVOICE_KIND_INSTALMENT, &leg);
  EXPECT_EQ(ReasonOf(status), "INVALID_STAGE_TRANSITION");
  EXPECT_NE(status.error_message().find("instalment 2"), std::string::npos);
  EXPECT_EQ(Invoices(order.order_id()).size(), 1u);
  status = Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &leg);
  EXPECT_EQ(ReasonOf(status), "INVALID_REQUEST") << "the plan has no deposit";

  // ADMIN, who keeps the books, hears of the invoice and of its payment.
  v1::RecordPaymentResponse paid;
  ASSERT_TRUE(Pay(leg.invoice().invoice_number(), 10'000, v1::PAYMENT_KIND_RECEIVED, &paid).ok());
  auto heard = [&](v1::EventType type) {
    v1::ListNotificationsRequest request;
    request.add_event_types(type);
    request.set_order_id(order.order_id());
    v1::ListNotificationsResponse response;
    return suite_.notification
               ->Call(&v1::NotificationService::Stub::ListNotifications, request, &response,
                      suite_.notification->tokens().admin)
               .ok() &&
           response.notifications_size() == 1 &&
           response.notifications(0).summary().find(leg.invoice().invoice_number()) !=
               std::string::npos;
  };
  EXPECT_TRUE(Eventually([&] { return heard(v1::EVENT_TYPE_INVOICE_ISSUED); }))
      << suite_.notification->log();
  EXPECT_TRUE(Eventually([&] { return heard(v1::EVENT_TYPE_PAYMENT_RECORDED); }));
}

TEST_F(InvoicingTest, AnInvoicePastItsDueDayIsListedAndAnnouncedOnce) {
  v1::Order order = Confirmed(Placed(2));
  v1::InvoicePlan plan;
  plan.set_order_id(order.order_id());
  plan.set_deposit_percent(20);
  v1::SetInvoicePlanResponse saved;
  ASSERT_TRUE(SetPlan(plan, &saved).ok());
  v1::IssueInvoiceResponse deposit;
  ASSERT_TRUE(Issue(order.order_id(), v1::INVOICE_KIND_DEPOSIT, &deposit).ok());
  EXPECT_TRUE(Invoices("", /*overdue_only=*/true).empty());
  AgeDueDay(deposit.invoice().invoice_number(), 20);
  const std::vector<v1::Invoice> overdue = Invoices("", true);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_TRUE(overdue[0].overdue());
  // Recovery's sweep announces it: sales hears of it, once.
  auto announced = [&] {
    v1::ListNotificationsRequest request;
    request.add_event_types(v1::EVENT_TYPE_INVOICE_OVERDUE);
    v1::ListNotificationsResponse response;
    EXPECT_TRUE(suite_.notification
                    ->Call(&v1::NotificationService::Stub::ListNotifications, request, &response,
                           suite_.notification->tokens().sales)
                    .ok());
    return response.notifications_size();
  };
  ASSERT_TRUE(Eventually([&] { return announced() == 1; })) << suite_.orders->log();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(announced(), 1);
  // Paid, it is no longer overdue.
  v1::RecordPaymentResponse paid;
  ASSERT_TRUE(Pay(deposit.invoice().invoice_number(), Micros(deposit.invoice().total()) / 10'000,
                  v1::PAYMENT_KIND_RECEIVED, &paid)
                  .ok());
  EXPECT_FALSE(paid.invoice().overdue());
  EXPECT_TRUE(Invoices("", true).empty());
}

TEST_F(InvoicingTest, SixteenConcurrentIssuersGetGapFreeNumbers) {
  constexpr int kOrders = 16;
  std::vector<v1::Order> orders;
  for (int day = 0; day < kOrders; ++day) {
    orders.push_back(Confirmed(Placed(3 + day)));
    v1::InvoicePlan plan;
    plan.set_order_id(orders.back().order_id());
    plan.set_deposit_percent(10 + day);
    v1::SetInvoicePlanResponse saved;
    ASSERT_TRUE(SetPlan(plan, &saved).ok());
  }
  // Each order's deposit twice at once from 32 threads: one of each pair is refused, and a
  // refused or rolled-back issue must not burn a number.
  std::vector<std::string> numbers(2 * kOrders);
  std::vector<grpc::StatusCode> codes(2 * kOrders);
  std::vector<std::thread> issuers;
  for (int i = 0; i < 2 * kOrders; ++i) {
    issuers.emplace_back([&, i] {
      v1::IssueInvoiceResponse response;
      codes[i] =
          Issue(orders[i % kOrders].order_id(), v1::INVOICE_KIND_DEPOSIT, &response).error_code();
      numbers[i] = response.invoice().invoice_number();
    });
  }
  for (std::thread& issuer : issuers) issuer.join();
  std::set<int64_t> issued;
  for (int i = 0; i < 2 * kOrders; ++i) {
    if (codes[i] != grpc::StatusCode::OK) {
      EXPECT_EQ(codes[i], grpc::StatusCode::FAILED_PRECONDITION);
      continue;
    }
    const std::vector<std::string> parts = absl::StrSplit(numbers[i], '-');
    ASSERT_EQ(parts.size(), 3u) << numbers[i];
    int64_t number = 0;
    ASSERT_TRUE(absl::SimpleAtoi(parts[2], &number));
    EXPECT_TRUE(issued.insert(number).second) << "number given twice: " << numbers[i];
  }
  ASSERT_EQ(issued.size(), static_cast<size_t>(kOrders));
  EXPECT_EQ(*issued.begin(), 1);
  EXPECT_EQ(*issued.rbegin(), kOrders) << "a gap in the series";
}

// ---------------------------------------------------------------------------------------------
// Online acceptance, end to end over HTTP.
// ---------------------------------------------------------------------------------------------

struct HttpAnswer {
  long status = 0;
  std::string body;
  std::string content_type;
};

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

HttpAnswer Fetch(const std::string& url, const std::string& form = "", bool post = false) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "AcceptanceTest/1.0 (like a browser)");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (post) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.c_str());
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) answer.content_type = type;
  }
  curl_easy_cleanup(curl);
  return answer;
}

class AcceptanceTest : public InvoicingTest {
 protected:
  AcceptanceTest() : InvoicingTest(AcceptanceArgs()) {}

  grpc::Status Send(const v1::Order& order, v1::SendQuoteResponse* response,
                    int64_t valid_for_seconds = 0) {
    v1::SendQuoteRequest request;
    request.set_order_id(order.order_id());
    request.set_recipient_email("client@example.com");
    if (valid_for_seconds > 0) request.mutable_valid_for()->set_seconds(valid_for_seconds);
    return suite_.orders->Call(&OrderStub::SendQuote, request, response, tokens().sales);
  }

  std::vector<v1::QuoteLink> Links(const std::string& order_id) {
    v1::ListQuoteLinksRequest request;
    request.set_order_id(order_id);
    v1::ListQuoteLinksResponse response;
    EXPECT_TRUE(
        suite_.orders->Call(&OrderStub::ListQuoteLinks, request, &response, tokens().ops).ok());
    return {response.links().begin(), response.links().end()};
  }
};

TEST_F(AcceptanceTest, AClientAcceptsOnceAndOpsConfirmsAtTheMomentOfSignature) {
  const v1::Order order = Placed(0);
  v1::SendQuoteResponse sent;
  grpc::Status status = Send(order, &sent);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string url = sent.link().url();
  ASSERT_TRUE(absl::StartsWith(url, "http://127.0.0.1:")) << url;

  HttpAnswer page = Fetch(url);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find(order.order_id()), std::string::npos);
  EXPECT_NE(page.body.find("name=\"name\""), std::string::npos) << page.body;
  HttpAnswer pdf = Fetch(url + "/pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(common::Sha256Hex(pdf.body), sent.link().document_sha256());

  // A forged signature and a moved expiry are not links.
  std::string forged = url;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Fetch(forged).status, 404);
  const std::vector<std::string> parts = absl::StrSplit(url.substr(url.rfind('/') + 1), '.');
  ASSERT_EQ(parts.size(), 3u);
  int64_t expiry = 0;
  ASSERT_TRUE(absl::SimpleAtoi(parts[1], &expiry));
  EXPECT_EQ(Fetch(url.substr(0, url.rfind('/') + 1) +
                      absl::StrCat(parts[0], ".", expiry + 86400, ".", parts[2]),
                  "name=Mallory", true)
                .status,
            404);

  EXPECT_EQ(Fetch(url + "/accept", "name=", true).status, 400) << "a name is required";
  HttpAnswer accepted = Fetch(url + "/accept", "name=J%C3%BCrgen+M%C3%BCller", true);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const v1::Order after = Get(order.order_id());
  EXPECT_EQ(after.stage(), v1::ORDER_STAGE_CONFIRMED);
  EXPECT_NE(accepted.body.find("Jürgen Müller"), std::string::npos) << accepted.body;

  const std::vector<v1::QuoteLink> links = Links(order.order_id());
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].state(), v1::QUOTE_LINK_STATE_ACCEPTED);
  EXPECT_TRUE(links[0].url().empty()) << "the signature is never kept";
  const v1::QuoteAcceptance& acceptance = links[0].acceptance();
  EXPECT_EQ(acceptance.accepted_by_name(), "Jürgen Müller");
  EXPECT_EQ(acceptance.client_address(), "127.0.0.1");
  EXPECT_EQ(acceptance.user_agent(), "AcceptanceTest/1.0 (like a browser)");
  EXPECT_EQ(acceptance.order_revision(), order.revision());
  EXPECT_EQ(acceptance.document_sha256(), sent.link().document_sha256());
  EXPECT_EQ(acceptance.outcome(), v1::ACCEPTANCE_OUTCOME_CONFIRMED);
  EXPECT_TRUE(acceptance.has_accept_time());

  // Single use: the same link again is refused, and the order is not confirmed twice.
  EXPECT_EQ(Fetch(url + "/accept", "name=Someone+Else", true).status, 410);
  EXPECT_EQ(Get(order.order_id()).revision(), after.revision());
  EXPECT_EQ(Links(order.order_id())[0].acceptance().accepted_by_name(), "Jürgen Müller");
}

TEST_F(AcceptanceTest, AcceptingWhatOpsCannotSupportIsReceivedAndSalesIsTold) {
  const v1::Order order = Placed(0);
  v1::SendQuoteResponse sent;
  ASSERT_TRUE(Send(order, &sent).ok());
  // Meanwhile another order takes the panels for the same day: 24 of 30, leaving 6.
  Confirmed(Placed(0));
  HttpAnswer accepted = Fetch(sent.link().url() + "/accept", "name=Clara+Client", true);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Get(order.order_id()).stage(), v1::ORDER_STAGE_QUOTED) << "nothing was promised";
  const v1::QuoteAcceptance acceptance = Links(order.order_id())[0].acceptance();
  EXPECT_EQ(acceptance.outcome(), v1::ACCEPTANCE_OUTCOME_RECEIVED);
  EXPECT_FALSE(acceptance.outcome_reason().empty());
  EXPECT_EQ(accepted.body.find(acceptance.outcome_reason()), std::string::npos)
      << "the client never sees the internal reason";
  // Sales hears of it in its inbox, with what stands in the way.
  ASSERT_TRUE(Eventually([&] {
    v1::ListNotificationsRequest request;
    request.add_event_types(v1::EVENT_TYPE_QUOTE_ACCEPTED);
    v1::ListNotificationsResponse response;
    return suite_.notification
               ->Call(&v1::NotificationService::Stub::ListNotifications, request, &response,
                      suite_.notification->tokens().sales)
               .ok() &&
           response.notifications_size() == 1 &&
           response.notifications(0).summary().find("NOT confirmed") != std::string::npos &&
           response.notifications(0).summary().find("Clara Client") != std::string::npos;
  })) << suite_.notification->log();
}

TEST_F(AcceptanceTest, ExpiredAndSupersededLinksAreRefusedAndChangeNothing) {
  const v1::Order order = Placed(0);
  v1::SendQuoteResponse short_lived;
  ASSERT_TRUE(Send(order, &short_lived, /*valid_for_seconds=*/1).ok());
  v1::SendQuoteResponse sent;
  ASSERT_TRUE(Send(order, &sent).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(Fetch(short_lived.link().url()).status, 410);
  EXPECT_EQ(Fetch(short_lived.link().url() + "/accept", "name=Late", true).status, 410);

  // A revision after the link was sent: that link shows and accepts nothing.
  v1::AmendOrderRequest amend;
  amend.set_order_id(order.order_id());
  amend.set_etag(order.etag());
  amend.set_reason("the client sent a new purchase-order number");
  *amend.mutable_order() = order;
  amend.mutable_order()->mutable_product_lines(0)->set_quantity(1);
  amend.mutable_order()->set_customer_reference("PO-4712");
  v1::AmendOrderResponse amended;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::AmendOrder, amend, &amended, tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GT(amended.order().revision(), order.revision());
  HttpAnswer superseded = Fetch(sent.link().url());
  EXPECT_EQ(superseded.status, 410);
  EXPECT_EQ(Fetch(sent.link().url() + "/accept", "name=Too+Late", true).status, 410);
  EXPECT_EQ(Get(order.order_id()).stage(), v1::ORDER_STAGE_QUOTED);
  std::set<v1::QuoteLinkState> states;
  for (const v1::QuoteLink& link : Links(order.order_id())) states.insert(link.state());
  EXPECT_TRUE(states.contains(v1::QUOTE_LINK_STATE_SUPERSEDED));
  for (const v1::QuoteLink& link : Links(order.order_id())) {
    EXPECT_FALSE(link.has_acceptance()) << "no acceptance was recorded";
  }
}

}  // namespace
}  // namespace salesops::testing
