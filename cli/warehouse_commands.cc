// What the warehouse does with an order, and what sales asks of it: is it free, and where
// (availability), what to pull (pullsheet), what was pulled (prep), what left
// and came back (checkout, checkin), and demand to come (forecast); the labels and the
// asset register (labels, assets) and what each code must be inspected for (maintenance-plan).
#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <absl/time/civil_time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/inventory_output.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;

// --from/--to as a Window; both are required by the callers that use it.
absl::StatusOr<v1::Window> ParseWindow(const std::string& from, const std::string& to) {
  v1::Window window;
  absl::StatusOr<google::protobuf::Timestamp> start = ParseTime(from);
  if (!start.ok())
    return absl::InvalidArgumentError("--from: " + std::string(start.status().message()));
  absl::StatusOr<google::protobuf::Timestamp> end = ParseTime(to);
  if (!end.ok()) return absl::InvalidArgumentError("--to: " + std::string(end.status().message()));
  *window.mutable_not_before() = *start;
  *window.mutable_no_later_than() = *end;
  return window;
}

// CODE=N words; a bare CODE means one unit when `bare_means_one`.
absl::StatusOr<std::vector<v1::InventoryLine>> ParseLines(const std::vector<std::string>& words,
                                                          const std::string& flag,
                                                          bool bare_means_one = false) {
  std::vector<v1::InventoryLine> lines;
  for (const std::string& word : words) {
    if (bare_means_one && word.find('=') == std::string::npos) {
      v1::InventoryLine line;
      line.set_inventory_code(word);
      line.set_quantity(1);
      lines.push_back(line);
      continue;
    }
    absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(word);
    if (!line.ok()) return absl::InvalidArgumentError(flag + std::string(line.status().message()));
    lines.push_back(*line);
  }
  return lines;
}

struct AvailabilityOptions {
  std::vector<std::string> lines;
  std::string from, to, exclude_order;
  bool ignore_holds = false;
};

// "MAIN 6/6, SOUTH 4/4": units at each warehouse at the window's leanest instant, and free
// there over the whole window, the code's home (where the order is pulled) first.
std::string FormatWarehouseShares(const v1::CodeAvailability& code) {
  std::vector<std::string> shares;
  for (const v1::WarehouseAvailability& warehouse : code.warehouses()) {
    shares.push_back(
        absl::StrCat(warehouse.warehouse_id(), " ", warehouse.stock(), "/", warehouse.free()));
  }
  return shares.empty() ? "-" : absl::StrJoin(shares, ", ");
}

// The home is short but another warehouse has the units in time: what to move, and the command
// that moves it (with the day on the road the suggestion assumes).
void PrintTransferSuggestions(
    const google::protobuf::RepeatedPtrField<v1::TransferSuggestion>& suggestions) {
  for (const v1::TransferSuggestion& suggestion : suggestions) {
    const std::string depart_by = FormatTime(suggestion.depart_by_time());
    std::cout << "Suggest: transfer " << suggestion.quantity() << " x "
              << suggestion.inventory_code() << " " << suggestion.from_warehouse_id() << " → "
              << suggestion.to_warehouse_id() << ", leaving by " << depart_by << "\n"
              << "  salesopsctl transfer create --from " << suggestion.from_warehouse_id()
              << " --to " << suggestion.to_warehouse_id() << " --depart '" << depart_by
              << "' --transit 1d " << suggestion.inventory_code() << "=" << suggestion.quantity()
              << "\n";
  }
}

ExitCode CheckAvailability(Session& session, const AvailabilityOptions& options) {
  v1::CheckAvailabilityRequest request;
  absl::StatusOr<std::vector<v1::InventoryLine>> lines = ParseLines(options.lines, "", true);
  if (!lines.ok()) return ReportBadInput(std::string(lines.status().message()));
  for (const v1::InventoryLine& line : *lines) *request.add_lines() = line;
  absl::StatusOr<v1::Window> window = ParseWindow(options.from, options.to);
  if (!window.ok()) return ReportBadInput(std::string(window.status().message()));
  *request.mutable_window() = *window;
  request.set_ignore_holds(options.ignore_holds);
  request.set_exclude_order_id(options.exclude_order);
  v1::CheckAvailabilityResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::CheckAvailability, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  // Units on the road count at neither end: a column only when some are, so the usual
  // single-warehouse answer stays as narrow as it was.
  const bool any_in_transit =
      std::any_of(response.availability().begin(), response.availability().end(),
                  [](const v1::CodeAvailability& code) { return code.in_transit() > 0; });
  std::vector<std::string> headers = {"code",      "description",       "requested",      "owned",
                                      "rented in", "peak in use",       "out of service", "free",
                                      "short",     "where (stock/free)"};
  if (any_in_transit) headers.push_back("in transit");
  Table table(std::move(headers));
  for (const v1::CodeAvailability& code : response.availability()) {
    int short_by = std::max(0, code.requested() - code.free());
    std::vector<std::string> row = {code.inventory_code(),
                                    code.description(),
                                    std::to_string(code.requested()),
                                    std::to_string(code.owned()),
                                    std::to_string(code.sub_rented_in()),
                                    std::to_string(code.peak_in_use()),
                                    std::to_string(code.out_of_service()),
                                    std::to_string(code.free()),
                                    short_by > 0 ? std::to_string(short_by) : "-",
                                    FormatWarehouseShares(code)};
    if (any_in_transit) row.push_back(std::to_string(code.in_transit()));
    table.AddRow(std::move(row));
  }
  table.Print();
  std::cout << "\nWindow: " << FormatWindow(request.window()) << "\n";
  if (response.all_available()) {
    std::cout << "All available over the whole window.\n";
  } else {
    std::cout << "Short: ";
    for (const v1::StockShortage& shortage : response.shortages()) {
      std::cout << shortage.inventory_code() << " by " << shortage.shortfall() << "  ";
    }
    std::cout << "\n";
    if (response.has_earliest_feasible_window()) {
      std::cout << "Earliest window of the same length that fits: "
                << FormatWindow(response.earliest_feasible_window()) << "\n";
    }
  }
  // Also when all is available: the order is pulled at the home, which may not hold it all.
  PrintTransferSuggestions(response.suggested_transfers());
  return kExitOk;
}

void PrintPullSheet(const v1::PullSheet& sheet) {
  Details header;
  header.Add("Order", absl::StrCat(sheet.order_id(), " rev ", sheet.order_revision()));
  header.Add("Window", FormatWindow(sheet.window()));
  const v1::PrepProgress& progress = sheet.progress();
  header.Add("Prep", absl::StrCat(EnumWord(progress.state()), ", ", progress.units_pulled(), " of ",
                                  progress.units_to_pull(), " units pulled"));
  header.Print();
  std::cout << "\n";
  Table table({"warehouse", "category", "code", "description", "to pull", "pulled", "sub-rented",
               "supplier"});
  for (const v1::PullSheetGroup& group : sheet.groups()) {
    for (const v1::PullSheetLine& line : group.lines()) {
      table.AddRow({group.warehouse_id(), group.category(), line.inventory_code(),
                    line.tracking() == v1::TRACKING_MODE_CONSUMABLE
                        ? line.description() + " (consumable, not returned)"
                        : line.description(),
                    std::to_string(line.quantity_to_pull()), std::to_string(line.quantity_pulled()),
                    line.from_sub_rental() > 0 ? std::to_string(line.from_sub_rental()) : "-",
                    line.supplier_name().empty() ? "-" : line.supplier_name()});
    }
  }
  table.Print();
  if (sheet.notes_size() == 0) return;
  std::cout << "\nNotes (on the order, nothing to pull):\n";
  for (const v1::PullSheetNote& note : sheet.notes()) {
    std::cout << "  [" << EnumWord(note.category()) << "] " << note.description()
              << (note.quantity() > 1 ? absl::StrCat(" x ", note.quantity()) : "") << "\n";
  }
}

struct PullSheetOptions {
  std::string order, warehouse;
};

ExitCode ShowPullSheet(Session& session, const PullSheetOptions& options) {
  v1::GetPullSheetRequest request;
  request.set_order_id(options.order);
  request.set_warehouse_id(options.warehouse);
  v1::GetPullSheetResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::GetPullSheet, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintPullSheet(response.pull_sheet()); });
}

struct PrepOptions {
  std::string order;
  std::vector<std::string> pulled;
  int64_t revision = 0;
};

ExitCode RecordPrep(Session& session, const PrepOptions& options) {
  v1::RecordPrepRequest request;
  request.set_order_id(options.order);
  request.set_order_revision(options.revision);
  absl::StatusOr<std::vector<v1::InventoryLine>> lines = ParseLines(options.pulled, "--pulled: ");
  if (!lines.ok()) return ReportBadInput(std::string(lines.status().message()));
  for (const v1::InventoryLine& line : *lines) {
    v1::PrepCount* count = request.add_counts();
    count->set_inventory_code(line.inventory_code());
    count->set_pulled_quantity(line.quantity());
  }
  v1::RecordPrepResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::RecordPrep, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintPullSheet(response.pull_sheet()); });
}

struct CheckOutOptions {
  std::string order, vehicle;
  std::vector<std::string> lines;
};

ExitCode CheckOut(Session& session, const CheckOutOptions& options) {
  v1::CheckOutRequest request;
  request.set_order_id(options.order);
  request.set_vehicle_id(options.vehicle);
  absl::StatusOr<std::vector<v1::InventoryLine>> lines = ParseLines(options.lines, "");
  if (!lines.ok()) return ReportBadInput(std::string(lines.status().message()));
  for (const v1::InventoryLine& line : *lines) *request.add_lines() = line;
  v1::CheckOutResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::CheckOut, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Details details;
  details.Add("Checked out", FormatLines(response.movement().lines()));
  details.Add("Vehicle",
              response.movement().vehicle_id().empty() ? "-" : response.movement().vehicle_id());
  details.Add("Still to load", FormatLines(response.outstanding()));
  details.Print();
  return kExitOk;
}

struct CheckInOptions {
  std::string order, damage_note, back_in_service;
  std::vector<std::string> returned, damaged;
};

ExitCode CheckIn(Session& session, const CheckInOptions& options) {
  v1::CheckInRequest request;
  request.set_order_id(options.order);
  absl::StatusOr<std::vector<v1::InventoryLine>> returned =
      ParseLines(options.returned, "--returned: ");
  if (!returned.ok()) return ReportBadInput(std::string(returned.status().message()));
  absl::StatusOr<std::vector<v1::InventoryLine>> damaged =
      ParseLines(options.damaged, "--damaged: ");
  if (!damaged.ok()) return ReportBadInput(std::string(damaged.status().message()));
  if (returned->empty() && damaged->empty()) {
    return ReportBadInput("give what came back: --returned CODE=N and/or --damaged CODE=N");
  }
  std::optional<google::protobuf::Timestamp> back;
  if (!options.back_in_service.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> parsed = ParseTime(options.back_in_service);
    if (!parsed.ok()) {
      return ReportBadInput("--back-in-service: " + std::string(parsed.status().message()));
    }
    back = *parsed;
  }
  // One line per code: what came back in good order and what came back damaged (the
  // service counts the two apart: returned + damaged may not exceed what went out).
  std::map<std::string, v1::CheckInLine*> by_code;
  auto line_for = [&](const std::string& code) {
    v1::CheckInLine*& line = by_code[code];
    if (line == nullptr) {
      line = request.add_lines();
      line->set_inventory_code(code);
    }
    return line;
  };
  for (const v1::InventoryLine& line : *returned) {
    line_for(line.inventory_code())->set_returned_quantity(line.quantity());
  }
  for (const v1::InventoryLine& line : *damaged) {
    v1::CheckInLine* check_in = line_for(line.inventory_code());
    check_in->set_damaged_quantity(line.quantity());
    check_in->set_damage_note(options.damage_note);
    if (back) *check_in->mutable_back_in_service_time() = *back;
  }
  v1::CheckInResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::CheckIn, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  PrintCheckIn(response, "Returned");
  return kExitOk;
}

struct ForecastOptions {
  std::string from = "today", to = "+28d", bucket = "1d", category;
  std::vector<std::string> codes;
  bool shortages_only = false;
};

ExitCode Forecast(Session& session, const ForecastOptions& options) {
  v1::ForecastDemandRequest request;
  absl::StatusOr<v1::Window> range = ParseWindow(options.from, options.to);
  if (!range.ok()) return ReportBadInput(std::string(range.status().message()));
  *request.mutable_range() = *range;
  absl::StatusOr<google::protobuf::Duration> bucket = ParseDuration(options.bucket);
  if (!bucket.ok()) return ReportBadInput("--bucket: " + std::string(bucket.status().message()));
  *request.mutable_bucket_size() = *bucket;
  for (const std::string& code : options.codes) request.add_inventory_codes(code);
  request.set_category(options.category);
  request.set_shortages_only(options.shortages_only);
  v1::ForecastDemandResponse response;
  if (ExitCode code =
          session.CallAllPages(&InventoryService::Stub::ForecastDemand, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  // Only the buckets with demand: a month of empty days per code hides the signal.
  Table table({"code", "from", "firm", "weighted holds", "stock", "projected short"});
  for (const v1::CodeForecast& forecast : response.forecasts()) {
    for (const v1::DemandBucket& bucket : forecast.buckets()) {
      if (bucket.firm_demand() == 0 && bucket.weighted_hold_demand() == 0 &&
          bucket.projected_shortfall() == 0) {
        continue;
      }
      table.AddRow(
          {forecast.inventory_code(), FormatTime(bucket.window().not_before()),
           std::to_string(bucket.firm_demand()),
           absl::StrFormat("%.1f", bucket.weighted_hold_demand()), std::to_string(bucket.stock()),
           bucket.projected_shortfall() > 0 ? absl::StrFormat("%.1f", bucket.projected_shortfall())
                                            : "-"});
    }
  }
  if (table.empty()) {
    std::cout << "No demand from " << FormatWindow(request.range()) << " for "
              << response.forecasts_size() << " codes.\n";
  } else {
    table.Print();
  }
  return kExitOk;
}

struct LabelOptions {
  std::vector<std::string> codes, assets;
  std::string output;
  bool roll = false;
  int copies = 1;
};

ExitCode SaveLabels(Session& session, const LabelOptions& options) {
  v1::GetLabelsRequest request;
  for (const std::string& code : options.codes) request.add_inventory_codes(code);
  for (const std::string& asset : options.assets) request.add_asset_ids(asset);
  request.set_stock(options.roll ? v1::LABEL_STOCK_ROLL_62MM : v1::LABEL_STOCK_A4_SHEET);
  request.set_copies(options.copies);
  v1::GetLabelsResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::GetLabels, request, &response);
      code != kExitOk) {
    return code;
  }
  if (options.output == "-") {
    std::cout.write(response.pdf().data(), static_cast<std::streamsize>(response.pdf().size()));
    return kExitOk;
  }
  std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
  out.write(response.pdf().data(), static_cast<std::streamsize>(response.pdf().size()));
  out.close();
  if (!out) return ReportBadInput("-o: cannot write " + options.output);
  if (session.json()) {
    PrintJson(nlohmann::json{{"file", options.output},
                             {"labelCount", response.label_count()},
                             {"bytes", response.pdf().size()}});
  } else {
    std::cout << "Saved " << response.label_count() << " label(s) to " << options.output << "\n";
  }
  return kExitOk;
}

struct AssetOptions {
  std::string code, serial, barcode, location, purchased, price, state;
  int life_months = 0;
};

// "A-000042" (A- and six or more digits, as the register numbers units) is an asset id; anything
// else is what a scanner read, so a bin-like barcode such as "A-12" still finds its unit.
bool IsAssetId(const std::string& text) {
  return text.size() >= 8 && text.starts_with("A-") &&
         std::all_of(text.begin() + 2, text.end(), absl::ascii_isdigit);
}

void PrintAsset(const v1::Asset& asset) {
  Details details;
  details.Add("Asset", asset.asset_id());
  details.Add("Code", asset.inventory_code());
  details.Add("Serial", asset.serial_number());
  details.Add("Barcode", asset.barcode());
  details.Add("Where",
              asset.warehouse_id() + (asset.location().empty() ? "" : " / " + asset.location()));
  details.Add("State", EnumWord(asset.state()));
  if (!asset.order_id().empty()) details.Add("Out with", asset.order_id());
  if (asset.has_purchase_price()) {
    details.Add("Bought", absl::StrFormat("%04d-%02d-%02d for %s", asset.purchase_day().year(),
                                          asset.purchase_day().month(), asset.purchase_day().day(),
                                          FormatMoney(asset.purchase_price())));
    details.Add("Book value", FormatMoney(asset.book_value()));
  }
  details.Print();
  if (asset.inspections().empty()) return;
  // An overdue unit cannot be scanned out: say so where the person looks first.
  Table inspections({"inspection", "last pass", "due", ""});
  for (const v1::InspectionDue& due : asset.inspections()) {
    inspections.AddRow({due.inspection_type(),
                        due.has_last_pass_time() ? FormatTime(due.last_pass_time()) : "never",
                        due.has_due_time() ? FormatTime(due.due_time()) : "-",
                        due.overdue() ? "OVERDUE" : ""});
  }
  std::cout << "\n";
  inspections.Print();
}

ExitCode RegisterAssetCommand(Session& session, const AssetOptions& options) {
  v1::RegisterAssetRequest request;
  v1::Asset& asset = *request.mutable_asset();
  asset.set_inventory_code(options.code);
  asset.set_serial_number(options.serial);
  asset.set_barcode(options.barcode);
  asset.set_location(options.location);
  asset.set_useful_life_months(options.life_months);
  if (!options.purchased.empty()) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(options.purchased, &day)) {
      return ReportBadInput("--purchased: write YYYY-MM-DD");
    }
    asset.mutable_purchase_day()->set_year(static_cast<int32_t>(day.year()));
    asset.mutable_purchase_day()->set_month(day.month());
    asset.mutable_purchase_day()->set_day(day.day());
  }
  if (!options.price.empty()) {
    absl::StatusOr<google::type::Money> price = ParseMoney(options.price, "EUR");
    if (!price.ok()) return ReportBadInput("--price: " + price.status().ToString());
    *asset.mutable_purchase_price() = *price;
  }
  v1::RegisterAssetResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::RegisterAsset, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    PrintAsset(response.asset());
    PrintShortages(response.shortages());
  }
  return kExitOk;
}

// What else an event says, in one cell: how a unit came back, which inspection and its verdict,
// what a repair cost, and the note.
std::string EventDetails(const v1::AssetEvent& event) {
  std::vector<std::string> parts;
  if (event.condition() != v1::SCAN_CONDITION_UNSPECIFIED) {
    parts.push_back(EnumWord(event.condition()));
  }
  if (!event.inspection_type().empty()) {
    parts.push_back(event.inspection_type() + (event.passed() ? " passed" : " failed"));
  }
  if (event.has_cost()) parts.push_back("cost " + FormatMoney(event.cost()));
  if (!event.note().empty()) parts.push_back(FirstLineCut(event.note(), 60));
  return parts.empty() ? "-" : absl::StrJoin(parts, "; ");
}

ExitCode ShowAsset(Session& session, const std::string& id_or_barcode) {
  v1::GetAssetRequest request;
  if (IsAssetId(id_or_barcode)) {
    request.set_asset_id(id_or_barcode);
  } else {
    request.set_barcode(id_or_barcode);
  }
  v1::GetAssetResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::GetAsset, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  PrintAsset(response.asset());
  Table history({"when", "what", "state", "order", "details", "by"});
  for (const v1::AssetEvent& event : response.history()) {
    history.AddRow({FormatTime(event.event_time()), EnumWord(event.kind()), EnumWord(event.state()),
                    event.order_id().empty() ? "-" : event.order_id(), EventDetails(event),
                    event.actor().id()});
  }
  std::cout << "\n";
  history.Print();
  return kExitOk;
}

struct AssetStateOptions {
  std::string asset, state, note, cost, back_in_service;
};

ExitCode SetAssetStateCommand(Session& session, const AssetStateOptions& options) {
  v1::SetAssetStateRequest request;
  absl::StatusOr<v1::AssetState> state = ParseEnum<v1::AssetState>(options.state);
  // OUT is a scan's doing (scan out), never set by hand.
  if (!state.ok() || *state == v1::ASSET_STATE_OUT) {
    return ReportBadInput("state: available, in-repair, retired or lost, not '" + options.state +
                          "'");
  }
  request.set_state(*state);
  request.set_note(options.note);
  if (!options.cost.empty()) {
    absl::StatusOr<google::type::Money> cost = ParseMoney(options.cost, "EUR");
    if (!cost.ok()) return ReportBadInput("--cost: " + std::string(cost.status().message()));
    *request.mutable_cost() = *cost;
  }
  if (!options.back_in_service.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> back = ParseTime(options.back_in_service);
    if (!back.ok()) {
      return ReportBadInput("--back-in-service: " + std::string(back.status().message()));
    }
    *request.mutable_back_in_service_time() = *back;
  }
  // SetAssetState takes the id; a barcode (what is in the person's hand) finds it first.
  if (IsAssetId(options.asset)) {
    request.set_asset_id(options.asset);
  } else {
    v1::GetAssetRequest lookup;
    lookup.set_barcode(options.asset);
    v1::GetAssetResponse found;
    if (ExitCode code = session.Call(&InventoryService::Stub::GetAsset, lookup, &found);
        code != kExitOk) {
      return code;
    }
    request.set_asset_id(found.asset().asset_id());
  }
  session.SetFieldFlags(
      {{"note", "--note"}, {"cost", "--cost"}, {"back_in_service_time", "--back-in-service"}});
  v1::SetAssetStateResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::SetAssetState, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintAsset(response.asset());
    PrintShortages(response.shortages());
  });
}

struct InspectOptions {
  std::string asset, type, note, at;
  bool pass = false, fail = false;
};

ExitCode RecordInspectionCommand(Session& session, const InspectOptions& options) {
  if (options.pass == options.fail) return ReportBadInput("say how it went: --pass or --fail");
  v1::RecordInspectionRequest request;
  if (IsAssetId(options.asset)) {
    request.set_asset_id(options.asset);
  } else {
    request.set_barcode(options.asset);
  }
  // Types are upper case in the plan ("PAT"); "pat" typed at a bench means the same.
  request.set_inspection_type(absl::AsciiStrToUpper(options.type));
  request.set_passed(options.pass);
  request.set_note(options.note);
  if (!options.at.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> at = ParseTime(options.at);
    if (!at.ok()) return ReportBadInput("--at: " + std::string(at.status().message()));
    *request.mutable_inspect_time() = *at;
  }
  session.SetFieldFlags({{"note", "--note"}, {"inspect_time", "--at"}});
  v1::RecordInspectionResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::RecordInspection, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << request.inspection_type() << (options.pass ? " passed" : " failed")
              << (options.fail ? ": the unit goes to repair, and is due again for it" : "")
              << "\n\n";
    PrintAsset(response.asset());
    PrintShortages(response.shortages());
  });
}

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;

// TYPE[:DAYS[:NAME]]: "PAT:365:Portable appliance test" every 365 days; "VISUAL" (or
// "VISUAL::Visual check") on every return, before the unit goes out again.
absl::StatusOr<v1::InspectionRule> ParseInspectionRule(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 2));
  v1::InspectionRule rule;
  rule.set_inspection_type(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(parts[0])));
  if (rule.inspection_type().empty()) {
    return absl::InvalidArgumentError("'" + text + "': write TYPE[:DAYS[:NAME]], e.g. PAT:365");
  }
  if (parts.size() > 1) {
    absl::string_view days = absl::StripAsciiWhitespace(parts[1]);
    absl::ConsumeSuffix(&days, "d");
    int count = 0;
    if (!days.empty() && (!absl::SimpleAtoi(days, &count) || count < 1)) {
      return absl::InvalidArgumentError(
          "'" + text + "': DAYS is a whole number of days (left out: on every return)");
    }
    if (count > 0) rule.mutable_interval()->set_seconds(count * kSecondsPerDay);
  }
  if (parts.size() > 2) rule.set_name(std::string(absl::StripAsciiWhitespace(parts[2])));
  return rule;
}

void PrintMaintenancePlan(const v1::MaintenancePlan& plan) {
  if (plan.rules().empty()) {
    std::cout << "No maintenance plan for " << plan.inventory_code() << ".\n";
    return;
  }
  Table table({"inspection", "name", "when"});
  for (const v1::InspectionRule& rule : plan.rules()) {
    table.AddRow({rule.inspection_type(), rule.name().empty() ? "-" : rule.name(),
                  rule.has_interval()
                      ? absl::StrCat("every ", rule.interval().seconds() / kSecondsPerDay, " days")
                      : "on every return"});
  }
  std::cout << "Maintenance plan of " << plan.inventory_code() << ":\n";
  table.Print();
  if (plan.has_update_time()) {
    std::cout << "\nUpdated " << FormatTime(plan.update_time()) << " by " << plan.updated_by().id()
              << "\n";
  }
}

struct MaintenancePlanOptions {
  std::string code;
  std::vector<std::string> rules;
};

ExitCode ShowMaintenancePlan(Session& session, const std::string& code) {
  v1::GetMaintenancePlanRequest request;
  request.set_inventory_code(code);
  v1::GetMaintenancePlanResponse response;
  if (ExitCode exit_code =
          session.Call(&InventoryService::Stub::GetMaintenancePlan, request, &response);
      exit_code != kExitOk) {
    return exit_code;
  }
  return PrintAnswer(session, response, [&] { PrintMaintenancePlan(response.plan()); });
}

ExitCode SetMaintenancePlanCommand(Session& session, const MaintenancePlanOptions& options) {
  v1::SetMaintenancePlanRequest request;
  request.mutable_plan()->set_inventory_code(options.code);
  for (const std::string& text : options.rules) {
    absl::StatusOr<v1::InspectionRule> rule = ParseInspectionRule(text);
    if (!rule.ok()) return ReportBadInput("--rule: " + std::string(rule.status().message()));
    *request.mutable_plan()->add_rules() = *rule;
  }
  session.SetFieldFlags({{"rules", "--rule"},
                         {"rules.inspection_type", "--rule"},
                         {"rules.interval", "--rule"},
                         {"rules.name", "--rule"}});
  v1::SetMaintenancePlanResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::SetMaintenancePlan, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintMaintenancePlan(response.plan());
    PrintShortages(response.shortages());
  });
}

ExitCode ListAssetsCommand(Session& session, const AssetOptions& options) {
  v1::ListAssetsRequest request;
  request.set_inventory_code(options.code);
  if (!options.state.empty()) {
    absl::StatusOr<v1::AssetState> state = ParseEnum<v1::AssetState>(options.state);
    if (!state.ok()) return ReportBadInput("--state: available, out, in-repair, retired or lost");
    request.set_state(*state);
  }
  v1::ListAssetsResponse response;
  if (ExitCode code = session.CallAllPages(&InventoryService::Stub::ListAssets, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"asset", "code", "serial", "barcode", "where", "state", "book value"});
  for (const v1::Asset& asset : response.assets()) {
    table.AddRow({asset.asset_id(), asset.inventory_code(), asset.serial_number(), asset.barcode(),
                  asset.warehouse_id() + (asset.location().empty() ? "" : " / " + asset.location()),
                  EnumWord(asset.state()),
                  asset.has_book_value() ? FormatMoney(asset.book_value()) : "-"});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

void AddWarehouseCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<AvailabilityOptions>();
    CLI::App* command = root.add_subcommand(
        "availability",
        "How many units of each code are free over the whole window (peak use, not sum), at which "
        "warehouse, what is short, and the transfers that would cover it");
    command->add_option("lines", options->lines, "CODE=N (or CODE for one unit), one or more")
        ->required();
    command->add_option("--from", options->from, "Window start (2030-05-01 08:00, tomorrow, +2d)")
        ->required();
    command->add_option("--to", options->to, "Window end, exclusive")->required();
    command->add_flag("--ignore-holds", options->ignore_holds,
                      "Count only firm reservations, not tentative holds of quotes");
    command->add_option("--exclude-order", options->exclude_order,
                        "Leave this order's own holds out (when re-checking an order)");
    tree.OnRun(command,
               [options](Session& session) { return CheckAvailability(session, *options); });
  }
  {
    auto options = MakeOptions<LabelOptions>();
    CLI::App* command = root.add_subcommand(
        "labels", "Print labels for codes: Code 128 and QR, on A4 sheets (3 x 8) or 62 mm rolls");
    command->add_option("codes", options->codes, "Inventory codes");
    command->add_option("--asset", options->assets, "An asset's label (its barcode), repeatable");
    command->add_option("-o,--output", options->output, "File to write (- for stdout)")->required();
    command->add_flag("--roll", options->roll, "62 x 29 mm label-printer roll, one a page");
    command->add_option("--copies", options->copies, "Labels of each code (1 to 50)")
        ->check(CLI::Range(1, 50));
    tree.OnRun(command, [options](Session& session) { return SaveLabels(session, *options); });
  }
  {
    CLI::App* assets = tree.AddGroup(root, "assets", "The asset register: one record per unit");
    auto options = MakeOptions<AssetOptions>();
    CLI::App* add = assets->add_subcommand("register", "Register a unit of a serialised code");
    add->add_option("code", options->code, "Inventory code")->required();
    add->add_option("--serial", options->serial, "The maker's serial number");
    add->add_option("--barcode", options->barcode, "Its barcode (default: the asset id)");
    add->add_option("--location", options->location, "Bin or shelf, e.g. A-12");
    add->add_option("--purchased", options->purchased, "Purchase day YYYY-MM-DD");
    add->add_option("--price", options->price, "Purchase price, e.g. 2400 EUR");
    add->add_option("--life-months", options->life_months,
                    "Straight-line depreciation over this many months");
    tree.OnRun(add,
               [options](Session& session) { return RegisterAssetCommand(session, *options); });
    auto shown = std::make_shared<std::string>();
    CLI::App* show = assets->add_subcommand("show", "An asset by id or barcode, with its history");
    show->add_option("asset", *shown, "Asset id (A-000042) or barcode")->required();
    tree.OnRun(show, [shown](Session& session) { return ShowAsset(session, *shown); });
    auto filter = MakeOptions<AssetOptions>();
    CLI::App* list = assets->add_subcommand("list", "Assets, by code and state");
    list->add_option("--code", filter->code, "Of one code");
    list->add_option("--state", filter->state, "available, out, in-repair, retired or lost");
    tree.OnRun(list, [filter](Session& session) { return ListAssetsCommand(session, *filter); });
    auto state = MakeOptions<AssetStateOptions>();
    CLI::App* set_state = assets->add_subcommand(
        "state",
        "Take a unit out of service or put it back: to repair, repaired, retired or lost, or found "
        "again (OPS)");
    set_state->add_option("asset", state->asset, "Asset id (A-000042) or barcode")->required();
    set_state->add_option("state", state->state, "available, in-repair, retired or lost")
        ->required();
    set_state->add_option("--note", state->note, "Why: what broke, who bought it, where last seen")
        ->required();
    set_state->add_option("--cost", state->cost, "Back from repair: what it cost, e.g. 45 EUR");
    set_state->add_option("--back-in-service", state->back_in_service,
                          "To repair: when it is expected back (default: until repaired)");
    tree.OnRun(set_state,
               [state](Session& session) { return SetAssetStateCommand(session, *state); });
    auto inspection = MakeOptions<InspectOptions>();
    CLI::App* inspect = assets->add_subcommand(
        "inspect",
        "Record an inspection of a unit (PAT, LOLER, ...): a pass sets when it is next due, a "
        "fail sends it to repair (OPS)");
    inspect->add_option("asset", inspection->asset, "Asset id (A-000042) or barcode")->required();
    inspect->add_option("type", inspection->type, "Inspection type of its code's plan, e.g. PAT")
        ->required();
    CLI::Option* pass = inspect->add_flag("--pass", inspection->pass, "It passed");
    inspect->add_flag("--fail", inspection->fail, "It failed")->excludes(pass);
    inspect->add_option("--note", inspection->note, "What was measured, what failed");
    inspect->add_option("--at", inspection->at, "When it was done (default: now)");
    tree.OnRun(inspect, [inspection](Session& session) {
      return RecordInspectionCommand(session, *inspection);
    });
  }
  {
    CLI::App* plan = tree.AddGroup(
        root, "maintenance-plan",
        "What a code's units are inspected for and how often; an overdue unit cannot go out");
    auto shown = std::make_shared<std::string>();
    CLI::App* show = plan->add_subcommand("show", "A code's maintenance plan");
    show->add_option("code", *shown, "Inventory code")->required();
    tree.OnRun(show, [shown](Session& session) { return ShowMaintenancePlan(session, *shown); });
    auto options = MakeOptions<MaintenancePlanOptions>();
    CLI::App* set = plan->add_subcommand(
        "set", "Replace a code's maintenance plan with the rules given (none: clear it; OPS)");
    set->add_option("code", options->code, "Inventory code")->required();
    set->add_option("--rule", options->rules,
                    "TYPE[:DAYS[:NAME]], repeatable: PAT:365:'Portable appliance test' every 365 "
                    "days; VISUAL (DAYS left out) on every return")
        ->allow_extra_args(false);
    tree.OnRun(
        set, [options](Session& session) { return SetMaintenancePlanCommand(session, *options); });
  }
  {
    auto options = MakeOptions<PullSheetOptions>();
    CLI::App* command = root.add_subcommand(
        "pullsheet", "What to pull for an order, by warehouse and category, and how far prep is");
    command->add_option("order", options->order, "Order id")->required();
    command->add_option("--warehouse", options->warehouse,
                        "Only what is pulled at this warehouse (default: every warehouse)");
    tree.OnRun(command, [options](Session& session) { return ShowPullSheet(session, *options); });
  }
  {
    auto options = MakeOptions<PrepOptions>();
    CLI::App* command = root.add_subcommand(
        "prep", "Record what has been pulled for an order (absolute counts; OPS)");
    command->add_option("order", options->order, "Order id")->required();
    command->add_option("--pulled", options->pulled, "CODE=N pulled so far, repeatable")
        ->required();
    command->add_option("--revision", options->revision,
                        "The order revision the counts are for (default: the current one)");
    tree.OnRun(command, [options](Session& session) { return RecordPrep(session, *options); });
  }
  {
    auto options = MakeOptions<CheckOutOptions>();
    CLI::App* command = root.add_subcommand(
        "checkout", "Units leave the warehouse for an order (only what was pulled; OPS)");
    command->add_option("order", options->order, "Order id")->required();
    command->add_option("lines", options->lines, "CODE=N leaving now (default: everything pulled)");
    command->add_option("--vehicle", options->vehicle, "Vehicle id carrying them");
    tree.OnRun(command, [options](Session& session) { return CheckOut(session, *options); });
  }
  {
    auto options = MakeOptions<CheckInOptions>();
    CLI::App* command = root.add_subcommand(
        "checkin",
        "Units come back from an order; damaged ones go out of service, missing ones are "
        "reported (OPS)");
    command->add_option("order", options->order, "Order id")->required();
    command->add_option("--returned", options->returned,
                        "CODE=N that came back in good order, repeatable");
    command->add_option("--damaged", options->damaged,
                        "CODE=N that came back damaged (they go out of service), repeatable");
    command->add_option("--damage-note", options->damage_note, "What is wrong with them");
    command->add_option("--back-in-service", options->back_in_service,
                        "When damaged units are expected back (default: until repaired)");
    tree.OnRun(command, [options](Session& session) { return CheckIn(session, *options); });
  }
  {
    auto options = MakeOptions<ForecastOptions>();
    CLI::App* command = root.add_subcommand(
        "forecast",
        "Demand to come per code: firm reservations plus holds weighted by win probability, "
        "against stock");
    command->add_option("--from", options->from, "Range start")->capture_default_str();
    command->add_option("--to", options->to, "Range end")->capture_default_str();
    command->add_option("--bucket", options->bucket, "Bucket size (1d, 12h, 7d)")
        ->capture_default_str();
    command->add_option("--code", options->codes, "Only these inventory codes, repeatable");
    command->add_option("--category", options->category, "Only this category");
    command->add_flag("--shortages-only", options->shortages_only,
                      "Only codes projected to run short");
    tree.OnRun(command, [options](Session& session) { return Forecast(session, *options); });
  }
}

}  // namespace salesops::cli
