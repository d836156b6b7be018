// How long a document takes to render (issue 18): GetDocument renders a quote the first time it
// is asked for, inside the call. A quote of `lines` product lines, each with how it was priced
// under it, in three phases, with totals and terms: the largest order takes 200 lines.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "services/documents/labels.h"
#include "services/documents/pdf_document.h"

namespace salesops::documents {
namespace {

Document QuoteOf(int lines) {
  Document document;
  document.title = "Quote";
  document.sender_lines = {"Brightside Event Technology GmbH", "Harbour Road 12", "20457 Hamburg"};
  document.recipient_lines = {"Tourneewerk GmbH", "Oranienstraße 185", "10999 Berlin"};
  document.footer = "IBAN DE12 2005 0550 1234 5678 90\nAmtsgericht Hamburg HRB 123456";
  document.creation_date = "2027-03-01T10:00:00Z";
  document.blocks.push_back(KeyValues{{{"Quote no.", "1042"}, {"Revision", "3"}}});
  for (int phase = 0; phase < 3; ++phase) {
    document.blocks.push_back(Heading{"Stop " + std::to_string(phase + 1)});
    Table table{
        {{"Item", 94, false}, {"Qty", 14, true}, {"Unit price", 32, true}, {"Amount", 34, true}},
        {}};
    for (int i = phase; i < lines; i += 3) {
      table.rows.push_back({"LED wall 5 x 3 m, indoor (LED-WALL-5X3) " + std::to_string(i), "1",
                            "4,600.00 EUR", "4,600.00 EUR"});
      table.rows.push_back(
          {"\tprice list 'Tour 2027': 1 day at day factor 1.0 x 4,600.00 EUR x 1", "", "", ""});
    }
    document.blocks.push_back(std::move(table));
  }
  document.blocks.push_back(Totals{{{"Net", "920,000.00 EUR", false},
                                    {"VAT 19 % on 920,000.00 EUR", "174,800.00 EUR", false},
                                    {"Total", "1,094,800.00 EUR", true}}});
  document.blocks.push_back(Paragraph{std::string(1500, 'x'), true});
  return document;
}

void BM_RenderQuote(benchmark::State& state) {
  const Document document = QuoteOf(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> pdf = RenderPdf(document);
    if (!pdf.ok()) state.SkipWithError(pdf.status().ToString().c_str());
    bytes = pdf.ok() ? pdf->size() : 0;
  }
  state.counters["pdf_kib"] = static_cast<double>(bytes) / 1024;
}
BENCHMARK(BM_RenderQuote)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();

// GetLabels (issue 19): `n` labels of distinct codes, each a Code 128 and a QR code, on A4 sheets
// of 24 or on the 62 mm roll (state.range(1) = 1).
void BM_RenderLabels(benchmark::State& state) {
  std::vector<Label> labels;
  for (int i = 0; i < state.range(0); ++i) {
    labels.push_back({"LED-PANEL-" + std::to_string(500 + i), "LED panel 500 x 500 mm, indoor",
                      "WH-NORTH · video", ""});
  }
  const LabelStock stock = state.range(1) == 1 ? LabelStock::kRoll62mm : LabelStock::kA4Sheet;
  size_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> pdf = RenderLabels(labels, stock);
    if (!pdf.ok()) state.SkipWithError(pdf.status().ToString().c_str());
    bytes = pdf.ok() ? pdf->size() : 0;
  }
  state.counters["pdf_kib"] = static_cast<double>(bytes) / 1024;
}
BENCHMARK(BM_RenderLabels)
    ->Args({24, 0})
    ->Args({240, 0})
    ->Args({24, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace salesops::documents

BENCHMARK_MAIN();
