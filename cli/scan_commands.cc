// Scan mode (issue 19): `salesopsctl scan out|in ORDER` reads one barcode a line from standard
// input. USB and Bluetooth scanners type like a keyboard and end each code with Enter, so a
// warehouse PC with a scanner plugged in is a scan station with no other software. Each line is
// one ScanOut or ScanIn; the station shows the sheet's progress after every scan (redrawn in
// place on a terminal, one line a scan otherwise), rings the bell on a refusal, and ends with
// what is missing.
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/strip.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/inventory_output.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"
#include "cli/scan_input.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;

// The bounds ScanOutRequest and ScanInRequest set, checked here so that a line the service would
// refuse as a whole request is a local refusal instead, and the station carries on.
constexpr int kLargestScanQuantity = 100000;
constexpr size_t kLongestDamageNote = 2000;
// Long descriptions would push the done/needed column off a warehouse PC's screen.
constexpr size_t kWidestScanDescription = 40;

// ANSI: home the cursor and clear to the end of the screen, so each redraw replaces the last
// (and the barcode the terminal echoed); bold red for a refusal, so it is seen across the room.
constexpr char kClearScreen[] = "\x1b[H\x1b[J";
constexpr char kRefusalStyle[] = "\x1b[1;31m";
constexpr char kPlainStyle[] = "\x1b[0m";

enum class ScanDirection { kOut, kIn };

struct ScanOptions {
  std::string order, vehicle;
  bool dispatch = false;  // scan out: CheckOut once the sheet is complete
  bool check_in = false;  // scan in: CheckIn with no lines at the end
};

// One line the scanner (or a person) typed, understood.
struct ScanLine {
  std::string barcode;
  int quantity = 0;  // 0: one, as the service counts it
  bool damaged = false;
  std::string note;
};

// `[!][N ]BARCODE[ NOTE]`: a barcode; `N BARCODE` for N of a bulk code (a number, a space, the
// barcode); on scan in, a leading `!` marks it damaged, with what is wrong after it. Anything
// else never came from a label, so it is refused here and nothing is sent.
absl::StatusOr<ScanLine> ParseScanLine(absl::string_view text, ScanDirection direction) {
  ScanLine scan;
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&rest, "!")) {
    if (direction == ScanDirection::kOut) {
      return absl::InvalidArgumentError(
          "'!' marks a unit that came back damaged: it belongs to scan in");
    }
    scan.damaged = true;
  }
  if (absl::StripAsciiWhitespace(rest).empty()) {
    return absl::InvalidArgumentError("nothing to scan after '!'");
  }
  absl::StatusOr<TypedScan> typed = SplitTypedScan(rest, kLargestScanQuantity);
  if (!typed.ok()) return typed.status();
  scan.barcode = typed->barcode;
  scan.quantity = typed->quantity;
  if (!typed->rest.empty() && !scan.damaged) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", absl::StripAsciiWhitespace(text),
        "' is not a barcode: a barcode has no spaces (write N BARCODE for a quantity",
        direction == ScanDirection::kIn ? ", !BARCODE NOTE for a damaged unit)" : ")"));
  }
  scan.note = absl::StrJoin(typed->rest, " ");
  if (scan.note.size() > kLongestDamageNote) {
    return absl::InvalidArgumentError(
        absl::StrCat("the damage note is longer than ", kLongestDamageNote, " characters"));
  }
  if (absl::Status barcode = CheckBarcode(scan.barcode); !barcode.ok()) return barcode;
  return scan;
}

// The first line of a description, cut to fit the table (on a UTF-8 character boundary).
std::string ShortDescription(const std::string& description) {
  std::string line = description.substr(0, description.find('\n'));
  size_t characters = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++characters > kWidestScanDescription) return line.substr(0, i) + "…";
  }
  return line;
}

// ScanRefusal's name without its prefix, as reasons read elsewhere: "INSPECTION_OVERDUE".
std::string RefusalName(v1::ScanRefusal refusal) {
  const std::string& name = v1::ScanRefusal_Name(refusal);
  return std::string(absl::StripPrefix(name, "SCAN_REFUSAL_"));
}

class ScanStation {
 public:
  ScanStation(Session& session, ScanOptions options, ScanDirection direction)
      : session_(session),
        options_(std::move(options)),
        direction_(direction),
        live_(!session.json() && isatty(STDOUT_FILENO) == 1) {}

  ExitCode Run() {
    if (ExitCode code = LoadProgress(); code != kExitOk) return code;
    if (live_) Redraw(/*with_prompt=*/true);
    for (std::string line; ReadScanLine(std::cin, line);) {
      if (line.empty()) {
        if (live_) Redraw(/*with_prompt=*/true);
        continue;
      }
      absl::StatusOr<ScanLine> scan = ParseScanLine(line, direction_);
      if (!scan.ok()) {
        ShowRefusal("NOT_SENT", std::string(scan.status().message()));
      } else if (ExitCode code = Scan(*scan); code != kExitOk) {
        return code;
      }
      if (live_) Redraw(/*with_prompt=*/true);
    }
    return Finish();
  }

 private:
  // The sheet as it stands before the first scan, as the service's ScanProgress counts it, so
  // the station shows what to scan from the start; an unknown order stops here.
  ExitCode LoadProgress() {
    v1::GetPullSheetRequest request;
    request.set_order_id(options_.order);
    v1::GetPullSheetResponse response;
    if (ExitCode code = session_.Call(&InventoryService::Stub::GetPullSheet, request, &response);
        code != kExitOk) {
      return code;
    }
    for (const v1::PullSheetGroup& group : response.pull_sheet().groups()) {
      for (const v1::PullSheetLine& line : group.lines()) {
        const bool out = direction_ == ScanDirection::kOut;
        const int needed =
            out ? line.quantity_to_pull()
                : line.quantity_checked_out() - line.quantity_returned() - line.quantity_damaged();
        const int done = out ? line.quantity_pulled() : line.quantity_scanned_in();
        if (needed <= 0 && done == 0) continue;
        v1::ScanProgress& progress = progress_.emplace_back();
        progress.set_inventory_code(line.inventory_code());
        progress.set_description(line.description());
        progress.set_tracking(line.tracking());
        progress.set_needed(std::max(needed, 0));
        progress.set_done(done);
      }
    }
    std::sort(progress_.begin(), progress_.end(),
              [](const v1::ScanProgress& a, const v1::ScanProgress& b) {
                return a.inventory_code() < b.inventory_code();
              });
    return kExitOk;
  }

  ExitCode Scan(const ScanLine& scan) {
    v1::ScanResult result;
    ExitCode code = kExitOk;
    if (direction_ == ScanDirection::kOut) {
      v1::ScanOutRequest request;
      request.set_request_id(NewScanRequestId("scan"));
      request.set_order_id(options_.order);
      request.set_barcode(scan.barcode);
      request.set_quantity(scan.quantity);
      v1::ScanOutResponse response;
      code = CallOnceMore(&InventoryService::Stub::ScanOut, request, &response);
      result = response.result();
    } else {
      v1::ScanInRequest request;
      request.set_request_id(NewScanRequestId("scan"));
      request.set_order_id(options_.order);
      request.set_barcode(scan.barcode);
      request.set_quantity(scan.quantity);
      request.set_condition(scan.damaged ? v1::SCAN_CONDITION_DAMAGED : v1::SCAN_CONDITION_GOOD);
      request.set_note(scan.note);
      v1::ScanInResponse response;
      code = CallOnceMore(&InventoryService::Stub::ScanIn, request, &response);
      result = response.result();
    }
    if (code != kExitOk) return code;
    progress_.assign(result.progress().begin(), result.progress().end());
    if (session_.json()) {
      std::cout << ToJson(result).dump() << std::endl;
      if (result.refusal() != v1::SCAN_REFUSAL_UNSPECIFIED) RingBell();
    } else if (result.refusal() == v1::SCAN_REFUSAL_UNSPECIFIED) {
      ShowAccepted(result.message());
    } else {
      ShowRefusal(RefusalName(result.refusal()), result.message());
    }
    return kExitOk;
  }

  // Sent once more when the answer was lost (InvokeOnceMore), so the unit is never pulled
  // twice; any other error ends the station.
  template <typename Request, typename Response>
  ExitCode CallOnceMore(grpc::Status (InventoryService::Stub::*method)(grpc::ClientContext*,
                                                                       const Request&, Response*),
                        const Request& request, Response* response) {
    grpc::Status status = InvokeOnceMore(session_, method, request, response);
    return status.ok() ? kExitOk : session_.ReportError(status, Endpoint::kInventory);
  }

  void ShowAccepted(const std::string& message) {
    last_message_ = "OK  " + message;
    last_refused_ = false;
    if (!live_) std::cout << last_message_ << std::endl;
  }

  void ShowRefusal(const std::string& reason, const std::string& message) {
    last_message_ = "REFUSED  " + reason + "  " + message;
    last_refused_ = true;
    if (session_.json()) {
      // Only a line that was never sent gets here: the JSON lines are the service's answers.
      std::cerr << "error: " << message << "\n";
    } else if (!live_) {
      std::cout << last_message_ << std::endl;
    }
    RingBell();
  }

  const char* DoneWord() const { return direction_ == ScanDirection::kOut ? "pulled" : "back"; }

  void PrintProgressTable() const {
    if (progress_.empty()) {
      std::cout << (direction_ == ScanDirection::kOut
                        ? "Nothing to pull on this order's sheet.\n"
                        : "Nothing of this order is out (before check-out, a scan in puts a unit "
                          "back on the shelf).\n");
      return;
    }
    Table table({"code", "description", DoneWord(), ""});
    for (const v1::ScanProgress& line : progress_) {
      table.AddRow({line.inventory_code(), ShortDescription(line.description()),
                    absl::StrCat(line.done(), "/", line.needed()),
                    line.done() >= line.needed() ? "✓" : ""});
    }
    table.Print();
  }

  void Redraw(bool with_prompt) const {
    std::cout << kClearScreen << "Scan " << (direction_ == ScanDirection::kOut ? "out" : "in")
              << " for order " << options_.order << ": a barcode a line"
              << (direction_ == ScanDirection::kIn ? ", !BARCODE NOTE when damaged" : "")
              << ", N BARCODE for N of a bulk code; done or Ctrl-D to finish.\n\n";
    PrintProgressTable();
    std::cout << "\n";
    if (!last_message_.empty()) {
      std::cout << (last_refused_ ? kRefusalStyle : "") << last_message_
                << (last_refused_ ? kPlainStyle : "") << "\n";
    }
    if (with_prompt) std::cout << "scan> ";
    std::cout << std::flush;
  }

  struct Missing {
    std::string inventory_code;
    int quantity;
  };

  std::vector<Missing> MissingLines() const {
    std::vector<Missing> missing;
    for (const v1::ScanProgress& line : progress_) {
      if (line.done() < line.needed()) {
        missing.push_back({line.inventory_code(), line.needed() - line.done()});
      }
    }
    return missing;
  }

  ExitCode Finish() {
    const std::vector<Missing> missing = MissingLines();
    nlohmann::json summary = {{"complete", missing.empty()}, {"missing", nlohmann::json::array()}};
    for (const Missing& line : missing) {
      summary["missing"].push_back(
          {{"inventoryCode", line.inventory_code}, {"quantity", line.quantity}});
    }
    if (!session_.json()) {
      if (live_) {
        Redraw(/*with_prompt=*/false);
      } else {
        std::cout << "\n";
        PrintProgressTable();
      }
      std::cout << "\n";
      if (missing.empty()) {
        if (!progress_.empty()) std::cout << "Complete.\n";
      } else {
        std::cout << "Missing:\n";
        for (const Missing& line : missing) {
          std::cout << "  " << line.inventory_code << ": " << line.quantity << "\n";
        }
      }
    }
    ExitCode code = missing.empty() ? kExitOk : kExitRefused;
    if (direction_ == ScanDirection::kOut && options_.dispatch) {
      if (missing.empty()) {
        code = Dispatch(summary);
      } else if (!session_.json()) {
        std::cout << "Not dispatched: the sheet is not complete.\n";
      }
    }
    if (direction_ == ScanDirection::kIn && options_.check_in) {
      ExitCode checked_in = CheckIn(summary);
      if (checked_in != kExitOk) code = checked_in;
    }
    if (session_.json()) std::cout << summary.dump() << std::endl;
    return code;
  }

  ExitCode Dispatch(nlohmann::json& summary) {
    v1::CheckOutRequest request;
    request.set_order_id(options_.order);
    request.set_vehicle_id(options_.vehicle);
    v1::CheckOutResponse response;
    if (ExitCode code = session_.Call(&InventoryService::Stub::CheckOut, request, &response);
        code != kExitOk) {
      return code;
    }
    summary["checkOut"] = ToJson(response);
    if (!session_.json()) {
      std::cout << "\n";
      Details details;
      details.Add("Dispatched", FormatLines(response.movement().lines()));
      details.Add("Vehicle", response.movement().vehicle_id().empty()
                                 ? "-"
                                 : response.movement().vehicle_id());
      details.Add("Still to load", FormatLines(response.outstanding()));
      details.Print();
    }
    return kExitOk;
  }

  // The return as scanned: CheckIn with no lines takes every scan-in since the last check-in,
  // and what is neither is missing. Exit 3 when something is.
  ExitCode CheckIn(nlohmann::json& summary) {
    v1::CheckInRequest request;
    request.set_order_id(options_.order);
    v1::CheckInResponse response;
    if (ExitCode code = session_.Call(&InventoryService::Stub::CheckIn, request, &response);
        code != kExitOk) {
      return code;
    }
    summary["checkIn"] = ToJson(response);
    if (!session_.json()) {
      std::cout << "\nRecorded the return:\n";
      PrintCheckIn(response, "Checked in");
    }
    return response.movement().missing().empty() ? kExitOk : kExitRefused;
  }

  Session& session_;
  const ScanOptions options_;
  const ScanDirection direction_;
  // Stdout is a terminal (and not --json): redraw the table in place after each scan.
  const bool live_;
  std::vector<v1::ScanProgress> progress_;
  std::string last_message_;
  bool last_refused_ = false;
};

constexpr char kScanLinesHelp[] =
    "Reads standard input, one scan a line, until a line 'done' or 'q', or the end of input "
    "(Ctrl-D):\n"
    "  BARCODE          a unit's barcode, or a bulk code's label (one of it)\n"
    "  N BARCODE        N of a bulk code (a number, a space, the label), e.g. 10 CABLE-XLR-10M\n"
    "  !BARCODE NOTE    scan in only: it came back damaged, NOTE says what is wrong\n"
    "                   (!N BARCODE NOTE for N of a bulk code)\n"
    "A barcode is printable ASCII without spaces, at most 60 characters; any other line is "
    "refused here and not sent. A refusal (here or by the service) rings the bell on stderr and "
    "changes nothing. On a terminal the table is redrawn after each scan; otherwise one line a "
    "scan ('OK  ...' or 'REFUSED  REASON  ...'); with --json one ScanResult a line, then a "
    "summary line.\n"
    "Exit codes: 0 everything needed is scanned, 3 something is missing (listed at the end), "
    "and as for every command when a call fails (3 no reservation for the order, 4 unavailable, "
    "5 not allowed).";

}  // namespace

void AddScanCommands(CommandTree& tree) {
  CLI::App* scan = tree.AddGroup(
      tree.root(), "scan",
      "Scan station: barcodes from a USB or Bluetooth scanner (or typed), one a line, pulled "
      "onto an order's sheet or taken back from it, with live progress (OPS)");
  {
    auto options = MakeOptions<ScanOptions>();
    CLI::App* out = scan->add_subcommand(
        "out", "Pull units and bulk stock onto an order's pull sheet, scan by scan");
    out->add_option("order", options->order, "Order id")->required();
    CLI::Option* dispatch =
        out->add_flag("--dispatch", options->dispatch,
                      "When input ends and everything is pulled, check it all out (CheckOut)");
    out->add_option("--vehicle", options->vehicle, "With --dispatch: the vehicle carrying it")
        ->needs(dispatch);
    out->footer(kScanLinesHelp);
    tree.OnRun(out, [options](Session& session) {
      return ScanStation(session, *options, ScanDirection::kOut).Run();
    });
  }
  {
    auto options = MakeOptions<ScanOptions>();
    CLI::App* in = scan->add_subcommand(
        "in",
        "Take units and bulk stock back from an order, good or damaged (before it left: back on "
        "the shelf)");
    in->add_option("order", options->order, "Order id")->required();
    in->add_flag("--check-in", options->check_in,
                 "When input ends, record the return as scanned (CheckIn): what was not scanned "
                 "back is missing");
    in->footer(kScanLinesHelp);
    tree.OnRun(in, [options](Session& session) {
      return ScanStation(session, *options, ScanDirection::kIn).Run();
    });
  }
}

}  // namespace salesops::cli
