// The demo's warehouse floor (issue 19): stock split across the two warehouses, the projectors
// registered unit by unit with their PAT plan and the bench's results (one unit overdue), and a
// transfer on its way, loaded the way OPS would type them and idempotent like every demo
// section.
#include "cli/demo_warehouse.h"

#include <absl/strings/str_cat.h>
#include <absl/time/civil_time.h>
#include <absl/time/clock.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cli/directory_fields.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/yaml_file.h"

namespace salesops::cli {
namespace {

using Stub = v1::InventoryService::Stub;

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
// Recorded inspections are dated this local hour of their day: a bench test in the morning.
constexpr int kInspectionHour = 10;

struct StockEntry {
  std::string where, code, warehouse;
  int units = 0;
};

struct UnitEntry {
  std::string where;
  v1::Asset asset;
};

struct PlanEntry {
  std::string where;
  v1::MaintenancePlan plan;
};

struct InspectionEntry {
  std::string where, barcode, type, note;
  bool passed = true;
  int days_ago = 1;
};

struct TransferEntry {
  std::string where;
  v1::Transfer transfer;
};

// The file, read and checked whole before anything is written.
struct WarehouseFile {
  std::vector<StockEntry> stock;
  std::vector<UnitEntry> units;
  std::vector<PlanEntry> plans;
  std::vector<InspectionEntry> inspections;
  std::vector<TransferEntry> transfers;
};

// A typo in a key would otherwise silently load a default.
absl::Status CheckKeys(const YAML::Node& node, const std::set<std::string>& known,
                       const std::string& where) {
  if (!node.IsMap()) return absl::InvalidArgumentError(where + ": expected a map of fields");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (known.count(key) == 0) {
      std::string names;
      for (const std::string& name : known)
        absl::StrAppend(&names, names.empty() ? "" : ", ", name);
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": unknown field '", key, "' (", names, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequiredText(const YAML::Node& node, const char* key,
                                         const std::string& where) {
  if (!node[key] || node[key].as<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": '", key, "' is required"));
  }
  return node[key].as<std::string>();
}

absl::Status CheckWarehouseId(const ImportContext& context, const std::string& warehouse,
                              const std::string& where) {
  if (context.warehouses.empty() || context.warehouses.count(warehouse) > 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": unknown warehouse '", warehouse, "' (demo.yaml lists them)"));
}

absl::Status ReadStock(const ImportContext& context, const YAML::Node& entries,
                       const std::string& path, WarehouseFile& file) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node& entry = entries[i];
    const std::string where = absl::StrCat(path, ": stock ", i + 1);
    if (absl::Status keys = CheckKeys(entry, {"code", "warehouse", "units"}, where); !keys.ok()) {
      return keys;
    }
    StockEntry stock;
    stock.where = where;
    absl::StatusOr<std::string> code = RequiredText(entry, "code", where);
    if (!code.ok()) return code.status();
    absl::StatusOr<std::string> warehouse = RequiredText(entry, "warehouse", where);
    if (!warehouse.ok()) return warehouse.status();
    if (absl::Status known = CheckWarehouseId(context, *warehouse, where); !known.ok()) {
      return known;
    }
    stock.code = *code;
    stock.warehouse = *warehouse;
    stock.units = entry["units"].as<int>(0);
    file.stock.push_back(std::move(stock));
  }
  return absl::OkStatus();
}

absl::Status ReadUnits(const ImportContext& context, const YAML::Node& codes,
                       const std::string& path, WarehouseFile& file) {
  for (const auto& code_entry : codes) {
    const std::string code = code_entry.first.as<std::string>();
    for (size_t i = 0; i < code_entry.second.size(); ++i) {
      const YAML::Node& entry = code_entry.second[i];
      const std::string where = absl::StrCat(path, ": units: ", code, " ", i + 1);
      if (absl::Status keys = CheckKeys(
              entry, {"barcode", "serial", "warehouse", "bin", "bought", "price", "life-months"},
              where);
          !keys.ok()) {
        return keys;
      }
      UnitEntry unit;
      v1::Asset& asset = unit.asset;
      asset.set_inventory_code(code);
      // The barcode is how a second load finds the unit again, so it is never left to the
      // service to assign.
      absl::StatusOr<std::string> barcode = RequiredText(entry, "barcode", where);
      if (!barcode.ok()) return barcode.status();
      asset.set_barcode(*barcode);
      unit.where = absl::StrCat(where, " (", *barcode, ")");
      asset.set_serial_number(entry["serial"].as<std::string>(""));
      asset.set_warehouse_id(entry["warehouse"].as<std::string>(""));
      if (!asset.warehouse_id().empty()) {
        if (absl::Status known = CheckWarehouseId(context, asset.warehouse_id(), where);
            !known.ok()) {
          return known;
        }
      }
      asset.set_location(entry["bin"].as<std::string>(""));
      if (entry["bought"]) {
        absl::CivilDay day;
        if (!absl::ParseCivilTime(entry["bought"].as<std::string>(), &day)) {
          return absl::InvalidArgumentError(where + ": bought: write YYYY-MM-DD");
        }
        asset.mutable_purchase_day()->set_year(static_cast<int32_t>(day.year()));
        asset.mutable_purchase_day()->set_month(day.month());
        asset.mutable_purchase_day()->set_day(day.day());
      }
      if (entry["price"]) {
        absl::StatusOr<google::type::Money> price =
            ParseMoney(entry["price"].as<std::string>(), context.default_currency);
        if (!price.ok()) {
          return absl::InvalidArgumentError(where +
                                            ": price: " + std::string(price.status().message()));
        }
        *asset.mutable_purchase_price() = *price;
      }
      asset.set_useful_life_months(entry["life-months"].as<int>(0));
      file.units.push_back(std::move(unit));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadPlans(const YAML::Node& codes, const std::string& path, WarehouseFile& file) {
  for (const auto& code_entry : codes) {
    const std::string code = code_entry.first.as<std::string>();
    PlanEntry plan;
    plan.where = absl::StrCat(path, ": maintenance: ", code);
    plan.plan.set_inventory_code(code);
    for (size_t i = 0; i < code_entry.second.size(); ++i) {
      const YAML::Node& entry = code_entry.second[i];
      const std::string where = absl::StrCat(plan.where, " ", i + 1);
      if (absl::Status keys = CheckKeys(entry, {"type", "every", "name", "instructions"}, where);
          !keys.ok()) {
        return keys;
      }
      v1::InspectionRule& rule = *plan.plan.add_rules();
      absl::StatusOr<std::string> type = RequiredText(entry, "type", where);
      if (!type.ok()) return type.status();
      rule.set_inspection_type(*type);
      rule.set_name(entry["name"].as<std::string>(""));
      rule.set_instructions(entry["instructions"].as<std::string>(""));
      if (entry["every"]) {
        const int days = entry["every"].as<int>();
        if (days < 1) return absl::InvalidArgumentError(where + ": every: whole days, 1 or more");
        rule.mutable_interval()->set_seconds(days * kSecondsPerDay);
      }
    }
    file.plans.push_back(std::move(plan));
  }
  return absl::OkStatus();
}

absl::Status ReadInspections(const YAML::Node& entries, const std::string& path,
                             WarehouseFile& file) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node& entry = entries[i];
    const std::string where = absl::StrCat(path, ": inspections ", i + 1);
    if (absl::Status keys = CheckKeys(entry, {"unit", "type", "result", "days-ago", "note"}, where);
        !keys.ok()) {
      return keys;
    }
    InspectionEntry inspection;
    absl::StatusOr<std::string> unit = RequiredText(entry, "unit", where);
    if (!unit.ok()) return unit.status();
    absl::StatusOr<std::string> type = RequiredText(entry, "type", where);
    if (!type.ok()) return type.status();
    inspection.barcode = *unit;
    inspection.type = *type;
    inspection.where = absl::StrCat(where, " (", *unit, " ", *type, ")");
    const std::string result = entry["result"].as<std::string>("");
    if (result != "pass" && result != "fail") {
      return absl::InvalidArgumentError(where + ": result: pass or fail");
    }
    inspection.passed = result == "pass";
    // A day back at least, so the recorded time is never ahead of now.
    inspection.days_ago = entry["days-ago"].as<int>(0);
    if (inspection.days_ago < 1) {
      return absl::InvalidArgumentError(where + ": days-ago: whole days, 1 or more");
    }
    inspection.note = entry["note"].as<std::string>("");
    file.inspections.push_back(std::move(inspection));
  }
  return absl::OkStatus();
}

absl::Status ReadTransfers(const ImportContext& context, const YAML::Node& entries,
                           const std::string& path, WarehouseFile& file) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node& entry = entries[i];
    const std::string where = absl::StrCat(path, ": transfers ", i + 1);
    if (absl::Status keys =
            CheckKeys(entry, {"lines", "from", "to", "depart", "transit", "note"}, where);
        !keys.ok()) {
      return keys;
    }
    TransferEntry transfer;
    transfer.where = where;
    v1::Transfer& move = transfer.transfer;
    for (const YAML::Node& text : entry["lines"]) {
      absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(text.as<std::string>());
      if (!line.ok()) {
        return absl::InvalidArgumentError(where +
                                          ": lines: " + std::string(line.status().message()));
      }
      *move.add_lines() = *line;
    }
    if (move.lines().empty()) return absl::InvalidArgumentError(where + ": 'lines' is required");
    for (const char* end : {"from", "to"}) {
      absl::StatusOr<std::string> warehouse = RequiredText(entry, end, where);
      if (!warehouse.ok()) return warehouse.status();
      if (absl::Status known = CheckWarehouseId(context, *warehouse, where); !known.ok()) {
        return known;
      }
      if (std::string(end) == "from") {
        move.set_from_warehouse_id(*warehouse);
      } else {
        move.set_to_warehouse_id(*warehouse);
      }
    }
    absl::StatusOr<std::string> depart_text = RequiredText(entry, "depart", where);
    if (!depart_text.ok()) return depart_text.status();
    absl::StatusOr<google::protobuf::Timestamp> depart = ParseTime(*depart_text);
    if (!depart.ok()) {
      return absl::InvalidArgumentError(where +
                                        ": depart: " + std::string(depart.status().message()));
    }
    *move.mutable_depart_time() = *depart;
    absl::StatusOr<std::string> transit_text = RequiredText(entry, "transit", where);
    if (!transit_text.ok()) return transit_text.status();
    absl::StatusOr<google::protobuf::Duration> transit = ParseDuration(*transit_text);
    if (!transit.ok()) {
      return absl::InvalidArgumentError(where +
                                        ": transit: " + std::string(transit.status().message()));
    }
    *move.mutable_transit() = *transit;
    // The note is how a second load recognises the transfer: its depart time moves with the
    // day of the load, so nothing else about it stays the same.
    absl::StatusOr<std::string> note = RequiredText(entry, "note", where);
    if (!note.ok()) return note.status();
    move.set_note(*note);
    file.transfers.push_back(std::move(transfer));
  }
  return absl::OkStatus();
}

absl::StatusOr<WarehouseFile> ReadWarehouseFile(const ImportContext& context,
                                                const std::string& path) {
  absl::StatusOr<YAML::Node> read = ReadYamlFile(path);
  if (!read.ok()) return read.status();
  YAML::Node root = *read;
  WarehouseFile file;
  if (root.IsNull()) return file;
  if (absl::Status keys =
          CheckKeys(root, {"stock", "units", "maintenance", "inspections", "transfers"}, path);
      !keys.ok()) {
    return keys;
  }
  try {
    if (root["stock"]) {
      if (absl::Status read = ReadStock(context, root["stock"], path, file); !read.ok()) {
        return read;
      }
    }
    if (root["units"]) {
      if (absl::Status read = ReadUnits(context, root["units"], path, file); !read.ok()) {
        return read;
      }
    }
    if (root["maintenance"]) {
      if (absl::Status read = ReadPlans(root["maintenance"], path, file); !read.ok()) return read;
    }
    if (root["inspections"]) {
      if (absl::Status read = ReadInspections(root["inspections"], path, file); !read.ok()) {
        return read;
      }
    }
    if (root["transfers"]) {
      if (absl::Status read = ReadTransfers(context, root["transfers"], path, file); !read.ok()) {
        return read;
      }
    }
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", error.what()));
  }
  return file;
}

// A write's request_id: from its whole body (and what it replaces), so a retried or repeated
// load sends the same id, and the service answers it instead of acting twice.
template <typename Request>
std::string RequestIdOf(const std::string& kind, Request request, const std::string& replaces) {
  request.clear_request_id();
  return ImportRequestId(kind, {{"body", request.SerializeAsString()}}, "", replaces);
}

// One call, its failure reported with the file's entry it was for.
template <typename Request, typename Response>
ExitCode CallFor(Session& session, const std::string& where,
                 grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                 const Request& request, Response* response) {
  grpc::Status status = session.Invoke(method, request, response);
  if (status.ok()) return kExitOk;
  std::cerr << where << ":\n";
  return session.ReportError(status, Endpoint::kInventory);
}

// SetWarehouseStock sets what a warehouse keeps before any transfer, while GetWarehouseStock
// says what it holds now: the transfers that left it are added back and those that reached it
// taken off, so a transfer on its way (the demo's own, say) is not mistaken for a re-count.
ExitCode KeptBeforeTransfers(Session& session, const StockEntry& entry, int* kept) {
  v1::GetWarehouseStockRequest get;
  get.set_inventory_code(entry.code);
  v1::GetWarehouseStockResponse now;
  if (ExitCode code = CallFor(session, entry.where, &Stub::GetWarehouseStock, get, &now);
      code != kExitOk) {
    return code;
  }
  *kept = 0;
  for (const v1::WarehouseStock& stock : now.stock()) {
    if (stock.warehouse_id() == entry.warehouse) *kept = stock.quantity();
  }
  v1::ListTransfersRequest list;
  list.set_inventory_code(entry.code);
  list.set_warehouse_id(entry.warehouse);
  v1::ListTransfersResponse transfers;
  if (ExitCode code = session.CallAllPages(&Stub::ListTransfers, list, &transfers);
      code != kExitOk) {
    return code;
  }
  for (const v1::Transfer& transfer : transfers.transfers()) {
    const bool departed = transfer.state() == v1::TRANSFER_STATE_IN_TRANSIT ||
                          transfer.state() == v1::TRANSFER_STATE_ARRIVED;
    const bool arrived = transfer.state() == v1::TRANSFER_STATE_ARRIVED;
    for (const v1::InventoryLine& line : transfer.lines()) {
      if (line.inventory_code() != entry.code) continue;
      if (departed && transfer.from_warehouse_id() == entry.warehouse) *kept += line.quantity();
      if (arrived && transfer.to_warehouse_id() == entry.warehouse) *kept -= line.quantity();
    }
  }
  return kExitOk;
}

ExitCode LoadStock(Session& session, const std::vector<StockEntry>& entries, ImportCounts* counts) {
  for (const StockEntry& entry : entries) {
    int kept = 0;
    if (ExitCode code = KeptBeforeTransfers(session, entry, &kept); code != kExitOk) return code;
    if (kept == entry.units) {
      ++counts->unchanged;
      continue;
    }
    v1::SetWarehouseStockRequest request;
    request.set_inventory_code(entry.code);
    request.set_warehouse_id(entry.warehouse);
    request.set_quantity(entry.units);
    request.set_request_id(RequestIdOf("warehouse-stock", request, std::to_string(kept)));
    v1::SetWarehouseStockResponse response;
    if (ExitCode code = CallFor(session, entry.where, &Stub::SetWarehouseStock, request, &response);
        code != kExitOk) {
      return code;
    }
    ++(kept == 0 ? counts->created : counts->updated);
  }
  return kExitOk;
}

// Registered units are left as they are: the register keeps their history, and there is no
// call that rewrites a unit (a move or a repair is OPS's own step).
ExitCode LoadUnits(Session& session, const std::vector<UnitEntry>& entries, ImportCounts* counts) {
  std::map<std::string, std::set<std::string>> barcodes_by_code;
  for (const UnitEntry& entry : entries) {
    const std::string& code = entry.asset.inventory_code();
    if (barcodes_by_code.count(code) > 0) continue;
    std::set<std::string>& barcodes = barcodes_by_code[code];
    v1::ListAssetsRequest list;
    list.set_inventory_code(code);
    v1::ListAssetsResponse listed;
    if (ExitCode exit_code = session.CallAllPages(&Stub::ListAssets, list, &listed);
        exit_code != kExitOk) {
      return exit_code;
    }
    for (const v1::Asset& asset : listed.assets()) barcodes.insert(asset.barcode());
  }
  for (const UnitEntry& entry : entries) {
    if (barcodes_by_code[entry.asset.inventory_code()].count(entry.asset.barcode()) > 0) {
      ++counts->unchanged;
      continue;
    }
    v1::RegisterAssetRequest request;
    *request.mutable_asset() = entry.asset;
    request.set_request_id(RequestIdOf("asset", request, ""));
    v1::RegisterAssetResponse response;
    grpc::Status status = session.Invoke(&Stub::RegisterAsset, request, &response);
    if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      // Registered meanwhile under this barcode: there already. A serial taken by another
      // barcode is a clash in the file, reported below.
      v1::GetAssetRequest get;
      get.set_barcode(entry.asset.barcode());
      v1::GetAssetResponse found;
      if (session.Invoke(&Stub::GetAsset, get, &found).ok()) {
        ++counts->unchanged;
        continue;
      }
    }
    if (!status.ok()) {
      std::cerr << entry.where << ":\n";
      return session.ReportError(status, Endpoint::kInventory);
    }
    ++counts->created;
  }
  return kExitOk;
}

// Plans compare rule by rule, whatever order the service keeps them in.
bool SameRules(const v1::MaintenancePlan& desired, const v1::MaintenancePlan& existing) {
  auto by_type = [](const v1::MaintenancePlan& plan) {
    std::map<std::string, std::string> rules;
    for (const v1::InspectionRule& rule : plan.rules()) {
      rules[rule.inspection_type()] = rule.SerializeAsString();
    }
    return rules;
  };
  return by_type(desired) == by_type(existing);
}

ExitCode LoadPlans(Session& session, const std::vector<PlanEntry>& entries, ImportCounts* counts) {
  for (const PlanEntry& entry : entries) {
    v1::GetMaintenancePlanRequest get;
    get.set_inventory_code(entry.plan.inventory_code());
    v1::GetMaintenancePlanResponse existing;
    if (ExitCode code = CallFor(session, entry.where, &Stub::GetMaintenancePlan, get, &existing);
        code != kExitOk) {
      return code;
    }
    if (SameRules(entry.plan, existing.plan())) {
      ++counts->unchanged;
      continue;
    }
    v1::SetMaintenancePlanRequest request;
    *request.mutable_plan() = entry.plan;
    request.set_request_id(RequestIdOf("maintenance-plan", request,
                                       existing.plan().update_time().SerializeAsString()));
    v1::SetMaintenancePlanResponse response;
    if (ExitCode code =
            CallFor(session, entry.where, &Stub::SetMaintenancePlan, request, &response);
        code != kExitOk) {
      return code;
    }
    ++(existing.plan().rules().empty() ? counts->created : counts->updated);
  }
  return kExitOk;
}

// The local day `days_ago` back, at the bench's hour.
google::protobuf::Timestamp InspectionTime(int days_ago) {
  const absl::TimeZone zone = absl::LocalTimeZone();
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), zone) - days_ago;
  const absl::Time at = absl::FromCivil(absl::CivilHour(day) + kInspectionHour, zone);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(at));
  return timestamp;
}

// An inspection is there when its unit's history has one of that type with that verdict: its
// time moves with the day of the load, so it is not compared.
ExitCode LoadInspections(Session& session, const std::vector<InspectionEntry>& entries,
                         ImportCounts* counts) {
  for (const InspectionEntry& entry : entries) {
    v1::GetAssetRequest get;
    get.set_barcode(entry.barcode);
    v1::GetAssetResponse unit;
    if (ExitCode code = CallFor(session, entry.where, &Stub::GetAsset, get, &unit);
        code != kExitOk) {
      return code;
    }
    const bool recorded =
        std::any_of(unit.history().begin(), unit.history().end(), [&](const v1::AssetEvent& event) {
          return event.kind() == v1::ASSET_EVENT_KIND_INSPECTED &&
                 event.inspection_type() == entry.type && event.passed() == entry.passed;
        });
    if (recorded) {
      ++counts->unchanged;
      continue;
    }
    v1::RecordInspectionRequest request;
    request.set_barcode(entry.barcode);
    request.set_inspection_type(entry.type);
    request.set_passed(entry.passed);
    request.set_note(entry.note);
    *request.mutable_inspect_time() = InspectionTime(entry.days_ago);
    request.set_request_id(RequestIdOf("inspection", request, ""));
    v1::RecordInspectionResponse response;
    if (ExitCode code = CallFor(session, entry.where, &Stub::RecordInspection, request, &response);
        code != kExitOk) {
      return code;
    }
    ++counts->created;
  }
  return kExitOk;
}

ExitCode LoadTransfers(Session& session, const std::vector<TransferEntry>& entries,
                       ImportCounts* counts) {
  if (entries.empty()) return kExitOk;
  v1::ListTransfersResponse existing;
  if (ExitCode code =
          session.CallAllPages(&Stub::ListTransfers, v1::ListTransfersRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  for (const TransferEntry& entry : entries) {
    // Any transfer with the demo's note, cancelled or arrived too: a cancelled one was OPS's
    // decision, not something for the next load to undo.
    if (std::any_of(existing.transfers().begin(), existing.transfers().end(),
                    [&](const v1::Transfer& transfer) {
                      return transfer.note() == entry.transfer.note();
                    })) {
      ++counts->unchanged;
      continue;
    }
    v1::CreateTransferRequest request;
    *request.mutable_transfer() = entry.transfer;
    request.set_request_id(RequestIdOf("transfer", request, ""));
    v1::CreateTransferResponse response;
    if (ExitCode code = CallFor(session, entry.where, &Stub::CreateTransfer, request, &response);
        code != kExitOk) {
      return code;
    }
    ++counts->created;
  }
  return kExitOk;
}

}  // namespace

ExitCode ImportWarehouse(const ImportContext& context, const std::string& path,
                         ImportCounts* counts) {
  absl::StatusOr<WarehouseFile> file = ReadWarehouseFile(context, path);
  if (!file.ok()) return ReportBadInput(std::string(file.status().message()));
  Session& session = *context.session;
  // Stock first (a transfer leaves from what a warehouse keeps), then the units, their plans,
  // the inspections the plans name, and the transfers last.
  if (ExitCode code = LoadStock(session, file->stock, counts); code != kExitOk) return code;
  if (ExitCode code = LoadUnits(session, file->units, counts); code != kExitOk) return code;
  if (ExitCode code = LoadPlans(session, file->plans, counts); code != kExitOk) return code;
  if (ExitCode code = LoadInspections(session, file->inspections, counts); code != kExitOk) {
    return code;
  }
  return LoadTransfers(session, file->transfers, counts);
}

}  // namespace salesops::cli
