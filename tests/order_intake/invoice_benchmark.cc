// What issuing and exporting an invoice costs in order-intake's own code (issue 18), without the
// database: the final invoice of a 200-line order less two deposits (FinalInvoice), its UBL 2.1
// XML (InvoiceXml), and a month's journal of 1,000 invoices with a payment each (JournalCsv).
// Measured, never asserted (scripts/bench).
#include <benchmark/benchmark.h>

#include "services/common/money.h"
#include "services/common/time_util.h"
#include "services/order_intake/invoice_exports.h"
#include "services/order_intake/invoicing.h"

namespace salesops::order_intake {
namespace {

google::type::Money Eur(int64_t cents) {
  return common::MoneyFromMicros(cents * kMicrosPerCent, "EUR");
}

v1::Order OrderOf(int lines) {
  v1::Order order;
  order.set_order_id("1042");
  order.set_revision(3);
  v1::Quote& quote = *order.mutable_quote();
  int64_t net = 0;
  for (int i = 0; i < lines; ++i) {
    v1::QuoteLine* line = quote.add_lines();
    line->mutable_line()->set_product_code("LED-WALL-" + std::to_string(i));
    line->mutable_line()->set_quantity(2);
    line->set_product_name("LED wall 3 x 2 m");
    *line->mutable_unit_price() = Eur(50'000);
    *line->mutable_net() = Eur(100'000);
    line->set_tax_class(v1::TAX_CLASS_EQUIPMENT);
    line->set_tax_millionths(190'000);
    net += 100'000;
  }
  v1::TaxLine* tax = quote.add_tax_lines();
  tax->set_tax_millionths(190'000);
  tax->add_tax_classes(v1::TAX_CLASS_EQUIPMENT);
  *tax->mutable_net() = Eur(net);
  *quote.mutable_total() = Eur(net * 119 / 100);
  return order;
}

v1::Invoice FinalOf(int lines) {
  const v1::Order order = OrderOf(lines);
  std::vector<v1::Invoice> deposits;
  for (int i = 0; i < 2; ++i) {
    deposits.push_back(ShareInvoice(order, v1::INVOICE_KIND_DEPOSIT, 20, "").value());
    deposits.back().set_invoice_number("INV-2026-00000" + std::to_string(i + 1));
  }
  v1::Invoice invoice = FinalInvoice(order, deposits, {}, nullptr).value();
  invoice.set_invoice_number("INV-2026-000003");
  invoice.mutable_buyer()->set_name("Tourneewerk GmbH");
  invoice.mutable_buyer()->set_email("accounts@tourneewerk.example");
  invoice.mutable_buyer()->set_country("DE");
  invoice.mutable_issue_day()->set_year(2026);
  invoice.mutable_issue_day()->set_month(11);
  invoice.mutable_issue_day()->set_day(29);
  *invoice.mutable_due_day() = invoice.issue_day();
  return invoice;
}

void BM_FinalInvoice(benchmark::State& state) {
  const v1::Order order = OrderOf(static_cast<int>(state.range(0)));
  const std::vector<v1::Invoice> deposits(
      2, ShareInvoice(order, v1::INVOICE_KIND_DEPOSIT, 20, "").value());
  for (auto _ : state) {
    benchmark::DoNotOptimize(FinalInvoice(order, deposits, {}, nullptr));
  }
}
BENCHMARK(BM_FinalInvoice)->Arg(10)->Arg(200)->Unit(benchmark::kMicrosecond);

void BM_InvoiceXml(benchmark::State& state) {
  const v1::Invoice invoice = FinalOf(static_cast<int>(state.range(0)));
  v1::CompanyProfile seller;
  seller.set_name("Brightside Event Technology GmbH");
  seller.set_country("DE");
  seller.set_tax_id("DE298765432");
  seller.set_email("hello@brightside.example");
  seller.set_iban("DE12 2005 0550 1234 5678 90");
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string xml = InvoiceXml(invoice, seller);
    bytes = xml.size();
    benchmark::DoNotOptimize(xml);
  }
  state.counters["xml_kib"] = static_cast<double>(bytes) / 1024;
}
BENCHMARK(BM_InvoiceXml)->Arg(10)->Arg(200)->Unit(benchmark::kMicrosecond);

void BM_JournalCsv(benchmark::State& state) {
  std::vector<v1::Invoice> invoices(static_cast<size_t>(state.range(0)), FinalOf(10));
  for (size_t i = 0; i < invoices.size(); ++i) {
    invoices[i].set_invoice_number("INV-2026-" + std::to_string(100000 + i));
    *invoices[i].mutable_issue_time() = common::TimestampFromMicros(1'795'000'000'000'000);
    v1::Payment* payment = invoices[i].add_payments();
    payment->set_kind(v1::PAYMENT_KIND_RECEIVED);
    *payment->mutable_amount() = invoices[i].total();
    *payment->mutable_receive_time() = invoices[i].issue_time();
  }
  const absl::Time start = absl::FromUnixSeconds(1'790'000'000);
  const absl::Time end = absl::FromUnixSeconds(1'800'000'000);
  int rows = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(JournalCsv(invoices, start, end, absl::UTCTimeZone(), &rows));
  }
  state.counters["rows"] = rows;
}
BENCHMARK(BM_JournalCsv)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace salesops::order_intake

BENCHMARK_MAIN();
