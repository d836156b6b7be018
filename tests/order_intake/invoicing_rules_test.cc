// The pure rules of money in (services/order_intake/invoicing.h): plans, shares per tax rate,
// the final invoice's lines, credit limits, tax to the cent per rate, and what payments leave.
#include <gtest/gtest.h>

#include "services/common/errors.h"
#include "services/common/money.h"
#include "services/order_intake/invoicing.h"

namespace salesops::order_intake {
namespace {

google::type::Money Eur(int64_t cents) {
  return common::MoneyFromMicros(cents * kMicrosPerCent, "EUR");
}
int64_t Cents(const google::type::Money& money) {
  return common::MoneyToMicros(money, "test").value() / kMicrosPerCent;
}

// A quote of 2 walls (1,000.00 net at 19 %) and transport (100.00 at 7 %), with 50.00 of order
// discount not carried by the lines.
v1::Order QuotedOrder() {
  v1::Order order;
  order.set_order_id("1042");
  order.set_revision(3);
  v1::Quote& quote = *order.mutable_quote();
  v1::QuoteLine* wall = quote.add_lines();
  wall->mutable_line()->set_product_code("LED-WALL-3X2");
  wall->mutable_line()->set_quantity(2);
  wall->set_product_name("LED wall");
  *wall->mutable_unit_price() = Eur(50'000);
  *wall->mutable_net() = Eur(100'000);
  wall->set_tax_class(v1::TAX_CLASS_EQUIPMENT);
  wall->set_tax_millionths(190'000);
  *quote.mutable_transport() = Eur(10'000);
  v1::TaxLine* equipment = quote.add_tax_lines();
  equipment->set_tax_millionths(190'000);
  equipment->add_tax_classes(v1::TAX_CLASS_EQUIPMENT);
  *equipment->mutable_net() = Eur(95'000);
  v1::TaxLine* transport = quote.add_tax_lines();
  transport->set_tax_millionths(70'000);
  transport->add_tax_classes(v1::TAX_CLASS_TRANSPORT);
  *transport->mutable_net() = Eur(10'000);
  *quote.mutable_total() = Eur(95'000 + 18'050 + 10'000 + 700);
  return order;
}

TEST(InvoicingRulesTest, APlanNamesOneOwnerAndNeverAsksForMoreThanTheWhole) {
  v1::InvoicePlan plan;
  plan.set_deposit_percent(60);
  plan.add_instalments()->set_percent(50);
  plan.mutable_payment_term()->set_seconds(3600);
  absl::Status refused = CheckPlan(plan);
  ASSERT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  for (const std::string field :
       {"plan.organisation_id", "plan.instalments", "plan.payment_term"}) {
    EXPECT_NE(refused.ToString().find(field), std::string::npos) << field << ": " << refused;
  }
  plan.set_order_id("1042");
  plan.mutable_instalments(0)->set_percent(40);
  plan.mutable_payment_term()->set_seconds(30 * 86400);
  EXPECT_TRUE(CheckPlan(plan).ok());

  // The order's plan wins; without a term, the organisation's, else 14 days.
  v1::Organisation organisation;
  organisation.mutable_payment_terms()->mutable_due_after()->set_seconds(21 * 86400);
  v1::InvoicePlan of_organisation;
  of_organisation.set_deposit_percent(25);
  const v1::InvoicePlan effective = EffectivePlan(std::nullopt, of_organisation, &organisation);
  EXPECT_EQ(effective.source(), "organisation");
  EXPECT_EQ(effective.deposit_percent(), 25);
  EXPECT_EQ(PaymentTermDays(effective), 21);
  EXPECT_EQ(PaymentTermDays(EffectivePlan(std::nullopt, std::nullopt, nullptr)), 14);
  EXPECT_EQ(EffectivePlan(plan, of_organisation, &organisation).source(), "order");
}

TEST(InvoicingRulesTest, ADepositIsItsShareOfEachRateTaxedAtThatRate) {
  absl::StatusOr<v1::Invoice> deposit =
      ShareInvoice(QuotedOrder(), v1::INVOICE_KIND_DEPOSIT, 30, "");
  ASSERT_TRUE(deposit.ok()) << deposit.status();
  ASSERT_EQ(deposit->lines_size(), 2);
  EXPECT_EQ(Cents(deposit->lines(0).net()), 28'500);
  EXPECT_EQ(Cents(deposit->lines(1).net()), 3'000);
  ASSERT_EQ(deposit->tax_lines_size(), 2);
  EXPECT_EQ(deposit->tax_lines(0).tax_millionths(), 70'000);  // ascending by rate
  EXPECT_EQ(Cents(deposit->tax_lines(0).tax()), 210);
  EXPECT_EQ(Cents(deposit->tax_lines(1).tax()), 5'415);
  EXPECT_EQ(Cents(deposit->total()), 28'500 + 3'000 + 210 + 5'415);
  EXPECT_NE(deposit->lines(0).description().find("30 % of order 1042 (revision 3)"),
            std::string::npos);
}

TEST(InvoicingRulesTest, TheFinalInvoiceShowsTheOrderDamageAndLessTheDeposit) {
  const v1::Order order = QuotedOrder();
  const v1::Invoice deposit = ShareInvoice(order, v1::INVOICE_KIND_DEPOSIT, 30, "").value();
  v1::PullSheet sheet;
  v1::PullSheetLine* panel = sheet.add_groups()->add_lines();
  panel->set_inventory_code("LED-PANEL-500");
  panel->set_quantity_checked_out(48);
  panel->set_quantity_returned(46);
  panel->set_quantity_damaged(1);
  v1::DamageCharge damaged;
  damaged.set_inventory_code("LED-PANEL-500");
  damaged.set_quantity(1);
  *damaged.mutable_unit_price() = Eur(45'000);
  v1::DamageCharge lost = damaged;
  lost.set_lost(true);
  lost.set_quantity(2);
  // Two lost, but check-in counts 48 - 46 - 1 = 1 missing.
  absl::StatusOr<v1::Invoice> refused = FinalInvoice(order, {deposit}, {damaged, lost}, &sheet);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("damage_charges[1]"), std::string::npos);
  lost.set_quantity(1);
  absl::StatusOr<v1::Invoice> final_invoice =
      FinalInvoice(order, {deposit}, {damaged, lost}, &sheet);
  ASSERT_TRUE(final_invoice.ok()) << final_invoice.status();
  int64_t discount = 0, deduction = 0, damage = 0;
  for (const v1::InvoiceLine& line : final_invoice->lines()) {
    if (line.kind() == v1::INVOICE_LINE_KIND_ORDER && line.description() == "Order discount") {
      discount += Cents(line.net());
    }
    if (line.kind() == v1::INVOICE_LINE_KIND_DEDUCTION) deduction += Cents(line.net());
    if (line.kind() == v1::INVOICE_LINE_KIND_DAMAGE || line.kind() == v1::INVOICE_LINE_KIND_LOSS) {
      damage += Cents(line.net());
    }
  }
  EXPECT_EQ(discount, -5'000);
  EXPECT_EQ(deduction, -31'500);
  EXPECT_EQ(damage, 90'000);
  // Net: 950 + 100 + 900 - 315 = 1,635.00.
  EXPECT_EQ(Cents(final_invoice->net_total()), 163'500);
}

TEST(InvoicingRulesTest, ACreditNoteNeverCreditsMoreThanIsLeftOrAtARateTheInvoiceLacks) {
  v1::Invoice invoice = ShareInvoice(QuotedOrder(), v1::INVOICE_KIND_DEPOSIT, 30, "").value();
  invoice.set_invoice_number("INV-2026-000007");
  const absl::StatusOr<v1::Invoice> whole = CreditNoteFor(invoice, {}, 0, "cancelled");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(Cents(whole->total()), -Cents(invoice.total()));
  EXPECT_EQ(whole->credited_invoice_number(), "INV-2026-000007");

  v1::CreditLine line;
  line.set_description("goodwill");
  *line.mutable_net() = Eur(10'000);
  line.set_tax_millionths(50'000);
  EXPECT_EQ(CreditNoteFor(invoice, {line}, 0, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  line.set_tax_millionths(190'000);
  const absl::StatusOr<v1::Invoice> part = CreditNoteFor(invoice, {line}, 0, "goodwill");
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(Cents(part->total()), -11'900);
  // What is left after that part: the rest, spread over the rates, and then nothing more.
  const int64_t credited = 11'900 * kMicrosPerCent;
  const absl::StatusOr<v1::Invoice> rest = CreditNoteFor(invoice, {}, credited, "cancelled");
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_LE(std::abs(Cents(rest->total()) + Cents(invoice.total()) - 11'900), 2);
  EXPECT_EQ(CreditNoteFor(invoice, {line}, Cents(invoice.total()) * kMicrosPerCent, "again")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(InvoicingRulesTest, PaymentsLeaveWhatIsDueAndOnlyAnUnpaidPastDueInvoiceIsOverdue) {
  v1::Invoice invoice = ShareInvoice(QuotedOrder(), v1::INVOICE_KIND_DEPOSIT, 30, "").value();
  invoice.mutable_due_day()->set_year(2026);
  invoice.mutable_due_day()->set_month(12);
  invoice.mutable_due_day()->set_day(10);
  ApplyPayments(invoice, 0, absl::CivilDay(2026, 12, 10));
  EXPECT_EQ(invoice.payment_status(), v1::PAYMENT_STATUS_UNPAID);
  EXPECT_FALSE(invoice.overdue()) << "due today is not overdue";
  ApplyPayments(invoice, 0, absl::CivilDay(2026, 12, 11));
  EXPECT_TRUE(invoice.overdue());
  v1::Payment* paid = invoice.add_payments();
  paid->set_kind(v1::PAYMENT_KIND_RECEIVED);
  *paid->mutable_amount() = invoice.total();
  ApplyPayments(invoice, 0, absl::CivilDay(2026, 12, 11));
  EXPECT_EQ(invoice.payment_status(), v1::PAYMENT_STATUS_PAID);
  EXPECT_FALSE(invoice.overdue());
  v1::Payment* refund = invoice.add_payments();
  refund->set_kind(v1::PAYMENT_KIND_REFUND);
  *refund->mutable_amount() = Eur(100);
  ApplyPayments(invoice, 0, absl::CivilDay(2026, 12, 11));
  EXPECT_EQ(invoice.payment_status(), v1::PAYMENT_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(Cents(invoice.amount_due()), 100);
  EXPECT_EQ(InvoiceNumber(SeriesOf(v1::INVOICE_KIND_CREDIT_NOTE, absl::CivilDay(2027, 1, 2)), 42),
            "CN-2027-000042");
}

}  // namespace
}  // namespace salesops::order_intake
