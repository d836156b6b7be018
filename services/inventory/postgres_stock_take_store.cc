// Stock takes (issue 19): a warehouse counted by scanning, against what its shelves were expected
// to hold when the count started, and the counts applied as the stock.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include <algorithm>
#include <map>
#include <set>

#include "services/common/db_pool.h"
#include "services/common/errors.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/inventory/postgres_inventory_store.h"
#include "services/inventory/store_answers.h"

namespace salesops::inventory {
namespace {

using common::ReasonedError;

constexpr int kStateOpen = 1;
constexpr int kStateApplied = 2;
// Codes one stock take may count.
constexpr size_t kMaxCodes = 1000;

// Units of the code out with orders: checked out and neither back nor back damaged. They are
// not on the shelves. Consumables never are: what left was drawn from stock.
int OutWithOrders(pqxx::work& tx, const std::string& code) {
  return tx
      .exec_params1(
          "SELECT greatest(coalesce(sum(CASE m.kind WHEN 1 THEN l.quantity ELSE "
          "-(l.quantity + l.damaged) END), 0), 0)::int FROM movements m JOIN movement_lines l "
          "USING (movement_id) JOIN items i USING (inventory_code) WHERE l.inventory_code = $1 "
          "AND i.tracking <> 3",
          code)[0]
      .as<int>();
}

// The code's stock at `warehouse` now (transfers counted).
int StockAt(pqxx::work& tx, const std::string& code, const std::string& warehouse,
            std::string* home) {
  const Instant now = FromMicros(common::ToMicros(common::NowTimestamp()));
  const Interval instant{now, now + std::chrono::microseconds(1)};
  LoadedStock loaded = LoadStockIn(tx, {{code}, instant, false, false, "", true});
  const CodeStock& stock = loaded.picture[code];
  *home = stock.warehouses.home;
  for (const WarehouseUsage& usage : UsageByWarehouse(stock, instant)) {
    if (usage.warehouse_id == warehouse) return usage.stock;
  }
  return 0;
}

absl::StatusOr<std::pair<v1::StockTake, int>> LockStockTake(pqxx::work& tx,
                                                            const std::string& stock_take_id) {
  pqxx::result row = tx.exec_params(
      "SELECT body, state FROM stock_takes WHERE stock_take_id = $1 FOR UPDATE", stock_take_id);
  if (row.empty()) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         absl::StrCat("stock take ", stock_take_id, " does not exist"),
                         {{"field", "stock_take_id"}});
  }
  return std::make_pair(common::ParseRecord<v1::StockTake>(row[0][0]), row[0][1].as<int>());
}

absl::Status Closed(const std::string& stock_take_id) {
  return common::BusinessRefusal(
      v1::INVALID_STAGE_TRANSITION,
      absl::StrCat("stock take ", stock_take_id, " is applied; start a new one to count again"));
}

// The discrepancy report as the counts stand.
v1::DiscrepancyReport LoadReport(pqxx::work& tx, const std::string& stock_take_id) {
  v1::DiscrepancyReport report;
  for (const pqxx::row& row : tx.exec_params(
           "SELECT c.inventory_code, i.description, c.by_unit, c.expected, c.counted, "
           "  (SELECT count(*)::int FROM stock_take_units u JOIN assets a USING (asset_id) "
           "   WHERE u.stock_take_id = c.stock_take_id AND u.counted "
           "   AND a.inventory_code = c.inventory_code) "
           "FROM stock_take_codes c JOIN items i USING (inventory_code) "
           "WHERE c.stock_take_id = $1 ORDER BY c.inventory_code",
           stock_take_id)) {
    v1::StockCountLine* line = report.add_lines();
    line->set_inventory_code(row[0].as<std::string>());
    line->set_description(row[1].as<std::string>());
    line->set_expected(row[3].as<int>());
    line->set_counted(row[2].as<bool>() ? row[5].as<int>() : row[4].as<int>());
    line->set_difference(line->counted() - line->expected());
  }
  for (const pqxx::row& row : tx.exec_params(
           "SELECT a.body, u.expected, u.counted, u.location FROM stock_take_units u "
           "JOIN assets a USING (asset_id) WHERE u.stock_take_id = $1 ORDER BY u.asset_id",
           stock_take_id)) {
    const v1::Asset asset = common::ParseRecord<v1::Asset>(row[0]);
    const bool expected = row[1].as<bool>();
    const bool counted = row[2].as<bool>();
    v1::StockTakeUnit* unit = expected && counted ? report.add_found()
                              : expected          ? report.add_missing()
                                                  : report.add_wrong_place();
    unit->set_asset_id(asset.asset_id());
    unit->set_barcode(asset.barcode());
    unit->set_inventory_code(asset.inventory_code());
    unit->set_registered_warehouse_id(asset.warehouse_id());
    unit->set_location(row[3].as<std::string>());
  }
  for (const pqxx::row& row :
       tx.exec_params("SELECT barcode FROM stock_take_unknown WHERE stock_take_id = $1 "
                      "ORDER BY barcode LIMIT 1000",
                      stock_take_id)) {
    report.add_unknown_barcodes(row[0].as<std::string>());
  }
  return report;
}

// Adds `delta` units to what `warehouse` keeps of the code: at its home, what the code owns.
void AdjustStockAt(pqxx::work& tx, const std::string& code, const std::string& warehouse,
                   const std::string& home, int delta) {
  if (delta == 0) return;
  if (warehouse == home) {
    tx.exec_params(
        "UPDATE items SET quantity_owned = greatest(quantity_owned + $2, 0), "
        "revision = revision + 1, update_time = now() WHERE inventory_code = $1",
        code, delta);
    return;
  }
  // Elsewhere: its own count, and what the code owns with it.
  const int before = tx.exec_params1(
                           "SELECT coalesce((SELECT quantity FROM warehouse_stock WHERE "
                           "inventory_code = $1 AND warehouse_id = $2), 0)",
                           code, warehouse)[0]
                         .as<int>();
  const int after = std::max(before + delta, 0);
  tx.exec_params("DELETE FROM warehouse_stock WHERE inventory_code = $1 AND warehouse_id = $2",
                 code, warehouse);
  if (after > 0) {
    tx.exec_params(
        "INSERT INTO warehouse_stock (inventory_code, warehouse_id, quantity) VALUES ($1, $2, $3)",
        code, warehouse, after);
  }
  tx.exec_params(
      "UPDATE items SET quantity_owned = greatest(quantity_owned + $2, 0), "
      "revision = revision + 1, update_time = now() WHERE inventory_code = $1",
      code, after - before);
}

}  // namespace

absl::Status PostgresInventoryStore::StartStockTake(const v1::StartStockTakeRequest& request,
                                                    const v1::Actor& actor,
                                                    const Answer<StockTakeView>& answer) {
  return pool_.InTransaction("start_stock_take", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    const std::string& warehouse = request.warehouse_id();
    std::vector<std::string> codes;
    if (request.inventory_codes().empty()) {
      for (const pqxx::row& row :
           tx.exec_params("SELECT inventory_code FROM items WHERE warehouse_id = $1 UNION "
                          "SELECT inventory_code FROM warehouse_stock WHERE warehouse_id = $1 "
                          "ORDER BY 1 LIMIT $2",
                          warehouse, static_cast<int>(kMaxCodes) + 1)) {
        codes.push_back(row[0].as<std::string>());
      }
      if (codes.size() > kMaxCodes) {
        return common::InvalidArgumentError(
            {{"inventory_codes", "the warehouse keeps more than 1000 codes: count it in parts"}});
      }
    } else {
      std::set<std::string> seen;
      for (int i = 0; i < request.inventory_codes_size(); ++i) {
        const std::string& code = request.inventory_codes(i);
        if (tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1", code).empty()) {
          return common::UnknownReferenceError(
              {{absl::StrCat("inventory_codes[", i, "]"), "unknown inventory code '" + code + "'"}},
              v1::UNKNOWN_INVENTORY_CODE);
        }
        if (seen.insert(code).second) codes.push_back(code);
      }
    }
    v1::StockTake stock_take;
    const int64_t number = tx.exec("SELECT nextval('stock_take_numbers')")[0][0].as<int64_t>();
    stock_take.set_stock_take_id(absl::StrFormat("ST-%06d", number));
    stock_take.set_warehouse_id(warehouse);
    for (const std::string& code : request.inventory_codes()) stock_take.add_inventory_codes(code);
    stock_take.set_state(v1::STOCK_TAKE_STATE_OPEN);
    *stock_take.mutable_started_by() = actor;
    *stock_take.mutable_start_time() = common::NowTimestamp();
    tx.exec_params(
        "INSERT INTO stock_takes (stock_take_id, warehouse_id, state, body) VALUES ($1, $2, $3, "
        "$4)",
        stock_take.stock_take_id(), warehouse, kStateOpen,
        common::RecordBytes(stock_take.SerializeAsString()));
    for (const std::string& code : codes) {
      // Registered units are expected one by one: on the shelf or in repair, here.
      int units = 0;
      bool by_unit = false;
      for (const pqxx::row& row : tx.exec_params(
               "SELECT body, state FROM assets WHERE inventory_code = $1 AND state NOT IN (4, 5) "
               "ORDER BY asset_id",
               code)) {
        by_unit = true;
        const v1::Asset asset = common::ParseRecord<v1::Asset>(row[0]);
        const UnitPlace place = WhereUnitIs(tx, asset);
        if (row[1].as<int>() == v1::ASSET_STATE_OUT || place.warehouse_id != warehouse ||
            !place.on_the_road_with.empty()) {
          continue;
        }
        tx.exec_params(
            "INSERT INTO stock_take_units (stock_take_id, asset_id, expected) VALUES ($1, $2, "
            "true)",
            stock_take.stock_take_id(), asset.asset_id());
        ++units;
      }
      int expected = units;
      if (!by_unit) {
        std::string home;
        expected = StockAt(tx, code, warehouse, &home);
        if (home == warehouse) expected = std::max(0, expected - OutWithOrders(tx, code));
      }
      tx.exec_params(
          "INSERT INTO stock_take_codes (stock_take_id, inventory_code, by_unit, expected) "
          "VALUES ($1, $2, $3, $4)",
          stock_take.stock_take_id(), code, by_unit, expected);
    }
    Answered(tx, answer, StockTakeView{stock_take, LoadReport(tx, stock_take.stock_take_id()), {}});
    return absl::OkStatus();
  });
}

absl::Status PostgresInventoryStore::CountStock(const v1::CountStockRequest& request,
                                                const Answer<v1::CountStockResponse>& answer) {
  return pool_.InTransaction("count_stock", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    SALESOPS_ASSIGN_OR_RETURN(auto locked, LockStockTake(tx, request.stock_take_id()));
    const v1::StockTake& stock_take = locked.first;
    if (locked.second != kStateOpen) return Closed(stock_take.stock_take_id());
    v1::CountStockResponse response;
    pqxx::result unit =
        tx.exec_params("SELECT body, state FROM assets WHERE barcode = $1", request.barcode());
    if (!unit.empty()) {
      v1::Asset asset = common::ParseRecord<v1::Asset>(unit[0][0]);
      const UnitPlace place = WhereUnitIs(tx, asset);
      if (place.on_the_road_with.empty()) asset.set_warehouse_id(place.warehouse_id);
      pqxx::result before = tx.exec_params(
          "SELECT expected, counted FROM stock_take_units WHERE stock_take_id = $1 AND "
          "asset_id = $2",
          stock_take.stock_take_id(), asset.asset_id());
      const bool expected = !before.empty() && before[0][0].as<bool>();
      const bool again = !before.empty() && before[0][1].as<bool>();
      tx.exec_params(
          "INSERT INTO stock_take_units (stock_take_id, asset_id, counted, location) "
          "VALUES ($1, $2, true, $3) ON CONFLICT (stock_take_id, asset_id) DO UPDATE SET "
          "counted = true, location = $3",
          stock_take.stock_take_id(), asset.asset_id(), request.location());
      const std::string name =
          absl::StrCat(asset.asset_id(), " (", asset.inventory_code(),
                       asset.serial_number().empty() ? "" : " #" + asset.serial_number(), ")");
      response.set_message(
          again      ? absl::StrCat(name, " was counted already")
          : expected ? absl::StrCat(name, " counted")
          : unit[0][1].as<int>() == v1::ASSET_STATE_LOST
              ? absl::StrCat(name, " was lost: found here")
          : unit[0][1].as<int>() == v1::ASSET_STATE_OUT
              ? absl::StrCat(name, " is out with order ", asset.order_id(), ": found here")
              : absl::StrCat(name, " belongs to ",
                             asset.warehouse_id().empty() ? "no warehouse" : asset.warehouse_id(),
                             ": in the wrong place"));
      response.set_inventory_code(asset.inventory_code());
      response.set_counted(
          tx.exec_params1("SELECT count(*)::int FROM stock_take_units u JOIN assets a "
                          "USING (asset_id) WHERE u.stock_take_id = $1 AND u.counted AND "
                          "a.inventory_code = $2",
                          stock_take.stock_take_id(), asset.inventory_code())[0]
              .as<int>());
      *response.mutable_asset() = asset;
      Answered(tx, answer, response);
      return absl::OkStatus();
    }
    pqxx::result code = tx.exec_params(
        "SELECT by_unit FROM stock_take_codes WHERE stock_take_id = $1 AND inventory_code = $2",
        stock_take.stock_take_id(), request.barcode());
    if (code.empty()) {
      const bool known =
          !tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1", request.barcode())
               .empty();
      if (known) {
        return common::InvalidArgumentError(
            {{"barcode", absl::StrCat(request.barcode(), " is not counted in this stock take")}});
      }
      tx.exec_params(
          "INSERT INTO stock_take_unknown (stock_take_id, barcode) VALUES ($1, $2) "
          "ON CONFLICT DO NOTHING",
          stock_take.stock_take_id(), request.barcode());
      response.set_message("no unit and no code carries this barcode: noted as unknown");
      Answered(tx, answer, response);
      return absl::OkStatus();
    }
    if (code[0][0].as<bool>()) {
      return common::InvalidArgumentError(
          {{"barcode", absl::StrCat(request.barcode(),
                                    " is registered unit by unit: scan each unit's own label")}});
    }
    const int quantity = std::max(request.quantity(), 1);
    const int counted =
        tx.exec_params1(
              "UPDATE stock_take_codes SET counted = counted + $3 WHERE stock_take_id = $1 AND "
              "inventory_code = $2 RETURNING counted",
              stock_take.stock_take_id(), request.barcode(), quantity)[0]
            .as<int>();
    response.set_message(
        absl::StrCat(request.barcode(), " +", quantity, ": ", counted, " counted"));
    response.set_inventory_code(request.barcode());
    response.set_counted(counted);
    Answered(tx, answer, response);
    return absl::OkStatus();
  });
}

absl::StatusOr<StockTakeView> PostgresInventoryStore::GetStockTake(
    const std::string& stock_take_id) {
  StockTakeView view;
  bool found = false;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("get_stock_take", [&](pqxx::work& tx) {
    pqxx::result row =
        tx.exec_params("SELECT body FROM stock_takes WHERE stock_take_id = $1", stock_take_id);
    found = !row.empty();
    if (!found) return absl::OkStatus();
    view.stock_take = common::ParseRecord<v1::StockTake>(row[0][0]);
    view.report = LoadReport(tx, stock_take_id);
    return absl::OkStatus();
  }));
  if (!found) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         absl::StrCat("stock take ", stock_take_id, " does not exist"),
                         {{"field", "stock_take_id"}});
  }
  return view;
}

absl::Status PostgresInventoryStore::ApplyStockTake(const std::string& stock_take_id,
                                                    const std::string& reason,
                                                    const v1::Actor& actor,
                                                    const Answer<StockTakeView>& answer) {
  return pool_.InTransaction("apply_stock_take", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    SALESOPS_ASSIGN_OR_RETURN(auto locked, LockStockTake(tx, stock_take_id));
    v1::StockTake& stock_take = locked.first;
    if (locked.second != kStateOpen) return Closed(stock_take_id);
    const std::string& warehouse = stock_take.warehouse_id();
    const v1::DiscrepancyReport report = LoadReport(tx, stock_take_id);
    // The counted codes' rows, in code order, for the rest of the transaction.
    std::vector<std::string> codes;
    for (const v1::StockCountLine& line : report.lines()) codes.push_back(line.inventory_code());
    std::map<std::string, std::string> homes;
    for (const pqxx::row& row :
         tx.exec_params("SELECT inventory_code, warehouse_id FROM items WHERE inventory_code = "
                        "ANY($1::text[]) ORDER BY inventory_code FOR UPDATE",
                        common::PgTextArray(codes))) {
      homes[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    const std::string why =
        absl::StrCat("stock take ", stock_take_id, " at ", warehouse, ": ", reason);
    // Counts become the stock here.
    std::set<std::string> shrank;
    for (const v1::StockCountLine& line : report.lines()) {
      AdjustStockAt(tx, line.inventory_code(), warehouse, homes[line.inventory_code()],
                    line.difference());
      if (line.difference() < 0) shrank.insert(line.inventory_code());
    }
    // Units: missing ones are lost; ones found here move here (out of where they were, unless
    // they were lost and so counted nowhere); found ones take the bin they were found in.
    auto unit_rows = tx.exec_params(
        "SELECT a.body, u.expected, u.counted, u.location FROM stock_take_units u "
        "JOIN assets a USING (asset_id) WHERE u.stock_take_id = $1 ORDER BY u.asset_id FOR "
        "UPDATE OF a",
        stock_take_id);
    for (const pqxx::row& row : unit_rows) {
      v1::Asset asset = common::ParseRecord<v1::Asset>(row[0]);
      if (homes.count(asset.inventory_code()) == 0) continue;  // not a counted code
      const bool expected = row[1].as<bool>();
      const bool counted = row[2].as<bool>();
      const std::string location = row[3].as<std::string>();
      v1::AssetEvent event;
      if (expected && !counted) {
        if (asset.state() != v1::ASSET_STATE_AVAILABLE &&
            asset.state() != v1::ASSET_STATE_IN_REPAIR) {
          continue;
        }
        CloseRepair(tx, asset.asset_id());
        asset.set_state(v1::ASSET_STATE_LOST);
        event = EventOf(v1::ASSET_EVENT_KIND_LOST, why);
      } else if (counted && !expected) {
        const UnitPlace place = WhereUnitIs(tx, asset);
        if (asset.state() == v1::ASSET_STATE_LOST || asset.state() == v1::ASSET_STATE_RETIRED) {
          if (asset.state() == v1::ASSET_STATE_RETIRED) continue;
          asset.set_state(v1::ASSET_STATE_AVAILABLE);
          event = EventOf(v1::ASSET_EVENT_KIND_FOUND, why);
        } else if (asset.state() == v1::ASSET_STATE_OUT) {
          continue;  // out with an order: its check-in says where it is
        } else {
          if (place.on_the_road_with.empty() && !place.warehouse_id.empty()) {
            AdjustStockAt(tx, asset.inventory_code(), place.warehouse_id,
                          homes[asset.inventory_code()], -1);
            shrank.insert(asset.inventory_code());
          }
          event = EventOf(v1::ASSET_EVENT_KIND_MOVED, why);
        }
        asset.set_warehouse_id(warehouse);
        if (!location.empty()) asset.set_location(location);
      } else if (counted && !location.empty() && location != asset.location()) {
        asset.set_location(location);
        event = EventOf(v1::ASSET_EVENT_KIND_MOVED, why);
      } else {
        continue;
      }
      SaveAsset(tx, asset, 0);
      event.set_location(asset.location());
      AddAssetEvent(tx, asset, std::move(event), actor);
      RefreshInspectionHold(tx, asset, actor);
    }
    StockTakeView view;
    for (const std::string& code : shrank) {
      for (v1::OrderShortage& shortage :
           ReportShortages(tx, code, Micros(FromMicros(common::ToMicros(common::NowTimestamp()))),
                           0, actor.id(), "after " + why,
                           [&](v1::StockPayload& stock) { stock.set_reason(why); })) {
        view.shortages.push_back(std::move(shortage));
      }
    }
    stock_take.set_state(v1::STOCK_TAKE_STATE_APPLIED);
    *stock_take.mutable_applied_by() = actor;
    *stock_take.mutable_apply_time() = common::NowTimestamp();
    stock_take.set_reason(reason);
    tx.exec_params("UPDATE stock_takes SET state = $2, body = $3 WHERE stock_take_id = $1",
                   stock_take_id, kStateApplied,
                   common::RecordBytes(stock_take.SerializeAsString()));
    view.stock_take = stock_take;
    view.report = report;
    Answered(tx, answer, view);
    return absl::OkStatus();
  });
}

}  // namespace salesops::inventory
