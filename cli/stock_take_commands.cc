// Stock takes (issue 19): count a warehouse by scanning it. `stocktake start` notes what its
// shelves should hold, `stocktake count` is a counting station on standard input (a USB
// scanner types like a keyboard, as for `scan`), `stocktake show` reports per code what was
// expected and counted and the units found, missing and in the wrong place, and ADMIN's
// `stocktake apply` makes the counts the stock.
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/strip.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "cli/command_tree.h"
#include "cli/inventory_output.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"
#include "cli/scan_input.h"
#include "services/common/grpc_errors.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;

// CountStockRequest's bounds, checked here so that a line the service would refuse as a whole
// request is refused before it is sent, and the station carries on.
constexpr int kLargestCountQuantity = 1000000;
constexpr size_t kLongestBinName = 60;

// A description's first line: a multi-line one would break the table's rows.
std::string FirstDescriptionLine(const std::string& description) {
  return description.substr(0, description.find('\n'));
}

std::string SignedDifference(int difference) {
  return difference > 0 ? absl::StrCat("+", difference) : std::to_string(difference);
}

void PrintStockTakeHeader(const v1::StockTake& stock_take) {
  Details details;
  details.Add("Stock take", stock_take.stock_take_id());
  details.Add("Warehouse", stock_take.warehouse_id());
  details.Add("Codes", stock_take.inventory_codes().empty()
                           ? "every code kept there"
                           : absl::StrJoin(stock_take.inventory_codes(), " "));
  details.Add("State", EnumWord(stock_take.state()));
  details.Add("Started", absl::StrCat(FormatTime(stock_take.start_time()), " by ",
                                      stock_take.started_by().id()));
  if (stock_take.state() == v1::STOCK_TAKE_STATE_APPLIED) {
    details.Add("Applied", absl::StrCat(FormatTime(stock_take.apply_time()), " by ",
                                        stock_take.applied_by().id(), ": ", stock_take.reason()));
  }
  details.Print();
}

// Units of one kind (found, missing, in the wrong place), under their heading; "none" when
// there are none, so a clean count says so.
void PrintStockTakeUnits(const std::string& heading,
                         const google::protobuf::RepeatedPtrField<v1::StockTakeUnit>& units,
                         bool with_registered_warehouse) {
  if (units.empty()) {
    std::cout << "\n" << heading << ": none\n";
    return;
  }
  std::cout << "\n" << heading << " (" << units.size() << "):\n";
  std::vector<std::string> headers = {"asset", "barcode", "code", "bin"};
  if (with_registered_warehouse) headers.push_back("registered at");
  Table table(std::move(headers));
  for (const v1::StockTakeUnit& unit : units) {
    std::vector<std::string> row = {unit.asset_id(), unit.barcode(), unit.inventory_code(),
                                    unit.location().empty() ? "-" : unit.location()};
    if (with_registered_warehouse) {
      row.push_back(unit.registered_warehouse_id().empty() ? "-" : unit.registered_warehouse_id());
    }
    table.AddRow(std::move(row));
  }
  table.Print();
}

void PrintDiscrepancyReport(const v1::DiscrepancyReport& report) {
  Table lines({"code", "description", "expected", "counted", "difference"});
  for (const v1::StockCountLine& line : report.lines()) {
    lines.AddRow({line.inventory_code(), FirstDescriptionLine(line.description()),
                  std::to_string(line.expected()), std::to_string(line.counted()),
                  SignedDifference(line.difference())});
  }
  if (lines.empty()) {
    std::cout << "No codes to count.\n";
  } else {
    lines.Print();
  }
  PrintStockTakeUnits("Found", report.found(), /*with_registered_warehouse=*/false);
  PrintStockTakeUnits("Missing", report.missing(), /*with_registered_warehouse=*/false);
  PrintStockTakeUnits("Wrong place (registered at another warehouse, or lost)",
                      report.wrong_place(), /*with_registered_warehouse=*/true);
  std::cout << "\nUnknown barcodes: "
            << (report.unknown_barcodes().empty() ? "none"
                                                  : absl::StrJoin(report.unknown_barcodes(), " "))
            << "\n";
}

struct StartStockTakeOptions {
  std::string warehouse;
  std::vector<std::string> codes;
};

ExitCode StartStockTakeCommand(Session& session, const StartStockTakeOptions& options) {
  v1::StartStockTakeRequest request;
  request.set_warehouse_id(options.warehouse);
  for (const std::string& code : options.codes) request.add_inventory_codes(code);
  session.SetFieldFlags({{"warehouse_id", "WAREHOUSE"}, {"inventory_codes", "CODE"}});
  v1::StartStockTakeResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::StartStockTake, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    const v1::StockTake& stock_take = response.stock_take();
    std::cout << "Started " << stock_take.stock_take_id() << " at " << stock_take.warehouse_id()
              << ". On the shelves now (units out with orders are not expected):\n";
    Table table({"code", "description", "expected"});
    for (const v1::StockCountLine& line : response.report().lines()) {
      table.AddRow({line.inventory_code(), FirstDescriptionLine(line.description()),
                    std::to_string(line.expected())});
    }
    table.Print();
    std::cout << "\nCount it: salesopsctl stocktake count " << stock_take.stock_take_id() << "\n";
  });
}

ExitCode ShowStockTake(Session& session, const std::string& stock_take_id) {
  v1::GetStockTakeRequest request;
  request.set_stock_take_id(stock_take_id);
  v1::GetStockTakeResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::GetStockTake, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintStockTakeHeader(response.stock_take());
    std::cout << "\n";
    PrintDiscrepancyReport(response.report());
  });
}

struct ApplyStockTakeOptions {
  std::string stock_take, reason;
};

ExitCode ApplyStockTakeCommand(Session& session, const ApplyStockTakeOptions& options) {
  v1::ApplyStockTakeRequest request;
  request.set_stock_take_id(options.stock_take);
  request.set_reason(options.reason);
  session.SetFieldFlags({{"reason", "--reason"}});
  v1::ApplyStockTakeResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::ApplyStockTake, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "Applied " << response.stock_take().stock_take_id()
              << ": the counts are the stock now (missing units lost, units found here moved "
                 "here).\n\n";
    PrintStockTakeHeader(response.stock_take());
    std::cout << "\n";
    PrintDiscrepancyReport(response.report());
    PrintShortages(response.shortages());
  });
}

// One line typed at the counting station, understood: a bin for what follows, or a count.
struct CountLine {
  std::optional<std::string> bin;  // set: `@BIN` (empty: no bin from now on)
  std::string barcode;
  int quantity = 0;  // 0: one, as the service counts it
};

// `@BIN`, `BARCODE` or `N CODE`; anything else never came from a label, so it is refused here
// and nothing is sent.
absl::StatusOr<CountLine> ParseCountLine(absl::string_view text) {
  CountLine count;
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "@")) {
    count.bin = std::string(absl::StripAsciiWhitespace(rest));
    if (count.bin->size() > kLongestBinName) {
      return absl::InvalidArgumentError(
          absl::StrCat("a bin is at most ", kLongestBinName, " characters"));
    }
    return count;
  }
  absl::StatusOr<TypedScan> typed = SplitTypedScan(text, kLargestCountQuantity);
  if (!typed.ok()) return typed.status();
  if (!typed->rest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text,
                     "' is not a barcode: a barcode has no spaces (write N CODE for a quantity, "
                     "@BIN on its own line for a bin)"));
  }
  if (absl::Status barcode = CheckBarcode(typed->barcode); !barcode.ok()) return barcode;
  count.barcode = typed->barcode;
  count.quantity = typed->quantity;
  return count;
}

// The service's refusal of one count in words: what each field violation says (the barcode
// "is registered unit by unit: scan each unit's own label"), else its message.
std::string CountRefusal(const grpc::Status& status) {
  common::ErrorDetails details = common::ParseGrpcError(status);
  std::vector<std::string> descriptions;
  for (const common::FieldViolation& violation : details.violations) {
    descriptions.push_back(violation.description);
  }
  return descriptions.empty() ? details.message : absl::StrJoin(descriptions, "; ");
}

// The counting station: one CountStock a line from standard input, until `done`, `q` or the end
// of input, then the discrepancy report.
class CountingStation {
 public:
  CountingStation(Session& session, std::string stock_take_id)
      : session_(session),
        stock_take_id_(std::move(stock_take_id)),
        prompt_(!session.json() && isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1) {}

  ExitCode Run() {
    // An unknown or applied stock take stops here, before anyone scans a shelf for nothing.
    v1::GetStockTakeResponse before;
    if (ExitCode code = LoadStockTake(&before); code != kExitOk) return code;
    if (before.stock_take().state() != v1::STOCK_TAKE_STATE_OPEN) {
      std::cerr << "error: " << stock_take_id_ << " is applied: nothing more can be counted\n";
      return kExitRefused;
    }
    if (!session_.json()) {
      std::cout << "Counting " << stock_take_id_ << " at " << before.stock_take().warehouse_id()
                << ": a barcode a line, N CODE for N of a code's label, @BIN on its own line for "
                   "the bin of what follows; done or Ctrl-D to finish.\n";
    }
    Prompt();
    for (std::string line; ReadScanLine(std::cin, line);) {
      if (!line.empty()) {
        absl::StatusOr<CountLine> count = ParseCountLine(line);
        if (!count.ok()) {
          ShowRefusal(std::string(count.status().message()));
        } else if (count->bin.has_value()) {
          bin_ = *count->bin;
          if (!session_.json()) {
            std::cout << (bin_.empty() ? "No bin from here on" : "Bin " + bin_) << std::endl;
          }
        } else if (ExitCode code = Count(*count); code != kExitOk) {
          return code;
        }
      }
      Prompt();
    }
    return Finish();
  }

 private:
  ExitCode LoadStockTake(v1::GetStockTakeResponse* response) {
    v1::GetStockTakeRequest request;
    request.set_stock_take_id(stock_take_id_);
    return session_.Call(&InventoryService::Stub::GetStockTake, request, response);
  }

  // A refusal (INVALID_ARGUMENT: a code counted unit by unit, a code not in this stock take)
  // changes nothing and the station goes on; any other failure ends it.
  ExitCode Count(const CountLine& count) {
    v1::CountStockRequest request;
    request.set_request_id(NewScanRequestId("count"));
    request.set_stock_take_id(stock_take_id_);
    request.set_barcode(count.barcode);
    request.set_quantity(count.quantity);
    request.set_location(bin_);
    v1::CountStockResponse response;
    grpc::Status status =
        InvokeOnceMore(session_, &InventoryService::Stub::CountStock, request, &response);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      ShowRefusal(CountRefusal(status));
      return kExitOk;
    }
    if (!status.ok()) return session_.ReportError(status, Endpoint::kInventory);
    if (session_.json()) {
      std::cout << ToJson(response).dump() << std::endl;
    } else {
      std::cout << "OK  " << response.message() << std::endl;
    }
    return kExitOk;
  }

  void ShowRefusal(const std::string& message) {
    if (session_.json()) {
      // The JSON lines on stdout are the service's answers; a refusal is not one of them.
      std::cerr << "error: " << message << "\n";
    } else {
      std::cout << "REFUSED  " << message << std::endl;
    }
    RingBell();
  }

  void Prompt() const {
    if (prompt_) std::cout << "count> " << std::flush;
  }

  ExitCode Finish() {
    v1::GetStockTakeResponse after;
    if (ExitCode code = LoadStockTake(&after); code != kExitOk) return code;
    if (session_.json()) {
      std::cout << ToJson(after).dump() << std::endl;
      return kExitOk;
    }
    std::cout << "\n";
    PrintDiscrepancyReport(after.report());
    std::cout << "\nApply it (ADMIN): salesopsctl stocktake apply " << stock_take_id_
              << " --reason TEXT\n";
    return kExitOk;
  }

  Session& session_;
  const std::string stock_take_id_;
  // A person at a terminal: a prompt before each line (a pipe gets none).
  const bool prompt_;
  // Where the following scans were found (`@BIN`).
  std::string bin_;
};

constexpr char kCountLinesHelp[] =
    "Reads standard input, one count a line, until a line 'done' or 'q', or the end of input "
    "(Ctrl-D):\n"
    "  BARCODE   a unit's barcode (counted where it is found), or a code's label (one of it)\n"
    "  N CODE    N of a code counted by label (a number, a space, the label), e.g. 50 CABLE-XLR\n"
    "  @BIN      on its own line: the bin (shelf) of the scans that follow, e.g. @A-12; '@' "
    "alone: no bin\n"
    "Counts of a code add up (50 CABLE-XLR then 38 CABLE-XLR is 88). A barcode no unit or code "
    "carries is noted as unknown. A line that is not a barcode, a code counted unit by unit, and "
    "a code not in this stock take are refused: the reason is printed, the bell rings on stderr, "
    "nothing changes and the station goes on. A count whose answer was lost is sent once more, "
    "and counts once. One line a count ('OK  ...' or 'REFUSED  ...'); with --json one "
    "CountStockResponse a line, then the stock take and its report.\n"
    "At the end it prints the discrepancy report (as stocktake show); exit 0, whatever it "
    "found.";

}  // namespace

void AddStockTakeCommands(CommandTree& tree) {
  CLI::App* stock_take = tree.AddGroup(
      tree.root(), "stocktake",
      "Count a warehouse by scanning it, see what differs, and make the counts the stock");
  {
    auto options = MakeOptions<StartStockTakeOptions>();
    CLI::App* start = stock_take->add_subcommand(
        "start", "Start counting a warehouse: notes what its shelves should hold (OPS)");
    start->add_option("warehouse", options->warehouse, "Warehouse id")->required();
    start->add_option("codes", options->codes, "Only these codes (default: every code kept there)");
    tree.OnRun(start,
               [options](Session& session) { return StartStockTakeCommand(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* count = stock_take->add_subcommand(
        "count",
        "Counting station: barcodes from a scanner (or typed), one a line, counted into a stock "
        "take, then the discrepancy report (OPS)");
    count->add_option("stock_take", *id, "Stock take id (ST-000042)")->required();
    count->footer(kCountLinesHelp);
    tree.OnRun(count, [id](Session& session) { return CountingStation(session, *id).Run(); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = stock_take->add_subcommand(
        "show",
        "A stock take's report: per code expected, counted and the difference, then the units "
        "found, missing and in the wrong place, and unknown barcodes");
    show->add_option("stock_take", *id, "Stock take id (ST-000042)")->required();
    tree.OnRun(show, [id](Session& session) { return ShowStockTake(session, *id); });
  }
  {
    auto options = MakeOptions<ApplyStockTakeOptions>();
    CLI::App* apply = stock_take->add_subcommand(
        "apply",
        "Make the counts the stock: missing units lost, units found here moved here, bins "
        "corrected; lists the reservations left short (ADMIN)");
    apply->add_option("stock_take", options->stock_take, "Stock take id (ST-000042)")->required();
    apply
        ->add_option("--reason", options->reason, "Why the counts are applied, e.g. year-end count")
        ->required();
    tree.OnRun(apply,
               [options](Session& session) { return ApplyStockTakeCommand(session, *options); });
  }
}

}  // namespace salesops::cli
