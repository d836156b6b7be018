// Stock across warehouses (issue 19): what each warehouse keeps, and transfers between them.
// A code's home holds what it owns less what the others keep; a transfer takes units from its
// origin at departure and gives them to its destination on arrival, and on the road they count
// nowhere (LoadStockIn reads them as out of service for the code's total).
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>

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

// How far past a transfer's arrival its origin must keep up with what it holds reserved: a move
// is for good, and reservations are made up to a year ahead.
constexpr std::chrono::hours kTransferHorizon{24 * 400};

Instant NowInstant() { return FromMicros(common::ToMicros(common::NowTimestamp())); }

// The transfer as of now: its state from the clock, and whether scheduling has its van run.
v1::Transfer TransferFromRow(const pqxx::row& row) {
  v1::Transfer transfer = common::ParseRecord<v1::Transfer>(row[0]);
  const bool cancelled = row[1].as<bool>();
  const int64_t now = common::ToMicros(common::NowTimestamp());
  transfer.set_state(cancelled                                        ? v1::TRANSFER_STATE_CANCELLED
                     : now < common::ToMicros(transfer.depart_time()) ? v1::TRANSFER_STATE_PLANNED
                     : now < common::ToMicros(transfer.arrive_time())
                         ? v1::TRANSFER_STATE_IN_TRANSIT
                         : v1::TRANSFER_STATE_ARRIVED);
  transfer.set_van_run_planned(row[2].as<bool>());
  return transfer;
}

constexpr char kTransferColumns[] = "body, cancelled, van_run_planned";

// The code's stock per warehouse now, the home first.
std::vector<v1::WarehouseStock> StockNow(pqxx::work& tx, const std::string& code) {
  const Instant now = NowInstant();
  StockQuery query{{code}, {now, now + std::chrono::microseconds(1)}, false, false, "", true};
  LoadedStock loaded = LoadStockIn(tx, query);
  std::vector<v1::WarehouseStock> stock;
  const CodeStock& code_stock = loaded.picture[code];
  for (const WarehouseUsage& usage : UsageByWarehouse(code_stock, query.range)) {
    v1::WarehouseStock& added = stock.emplace_back();
    added.set_warehouse_id(usage.warehouse_id);
    added.set_quantity(usage.stock);
    added.set_home(usage.warehouse_id == code_stock.warehouses.home);
  }
  return stock;
}

absl::Status UnknownCode(const std::string& field, const std::string& code) {
  return common::UnknownReferenceError({{field, "unknown inventory code '" + code + "'"}},
                                       v1::UNKNOWN_INVENTORY_CODE);
}

// Each code's worst overbooking over the road: what the transfer may not make worse.
std::map<std::string, int> OverbookedOnTheRoad(pqxx::work& tx,
                                               const std::vector<std::string>& codes,
                                               const Interval& road) {
  LoadedStock loaded = LoadStockIn(tx, {codes, road, false, true, ""});
  std::map<std::string, int> short_by;
  for (const std::string& code : codes) {
    const CodeStock& stock = loaded.picture[code];
    short_by[code] = UsageOverWindow(stock.owned, stock.changes, road).short_by;
  }
  return short_by;
}

// How far each code is past what `warehouse` has over `window` (moves and, at the home, demand).
std::map<std::string, int> ShortAt(pqxx::work& tx, const std::vector<std::string>& codes,
                                   const std::string& warehouse, const Interval& window) {
  LoadedStock loaded = LoadStockIn(tx, {codes, window, false, true, "", true});
  std::map<std::string, int> short_by;
  for (const std::string& code : codes) {
    short_by[code] = 0;
    for (const WarehouseUsage& usage : UsageByWarehouse(loaded.picture[code], window)) {
      if (usage.warehouse_id == warehouse) short_by[code] = usage.short_by;
    }
  }
  return short_by;
}

}  // namespace

absl::Status PostgresInventoryStore::SetWarehouseStock(
    const v1::SetWarehouseStockRequest& request,
    const Answer<std::vector<v1::WarehouseStock>>& answer) {
  return pool_.InTransaction("set_warehouse_stock", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    pqxx::result item = tx.exec_params(
        "SELECT warehouse_id, quantity_owned, (SELECT coalesce(sum(quantity), 0) FROM "
        "warehouse_stock w WHERE w.inventory_code = $1 AND w.warehouse_id <> $2) "
        "FROM items WHERE inventory_code = $1 FOR UPDATE",
        request.inventory_code(), request.warehouse_id());
    if (item.empty()) return UnknownCode("inventory_code", request.inventory_code());
    if (item[0][0].as<std::string>() == request.warehouse_id()) {
      return common::InvalidArgumentError(
          {{"warehouse_id", "is the code's home, which holds what the other warehouses do not"}});
    }
    const int room = item[0][1].as<int>() - item[0][2].as<int>();
    if (request.quantity() > room) {
      return common::InvalidArgumentError(
          {{"quantity",
            absl::StrCat("the code owns ", item[0][1].as<int>(), " and ", item[0][2].as<int>(),
                         " are elsewhere: at most ", std::max(room, 0), " here")}});
    }
    if (request.quantity() == 0) {
      tx.exec_params("DELETE FROM warehouse_stock WHERE inventory_code = $1 AND warehouse_id = $2",
                     request.inventory_code(), request.warehouse_id());
    } else {
      tx.exec_params(
          "INSERT INTO warehouse_stock (inventory_code, warehouse_id, quantity) VALUES ($1, $2, "
          "$3) ON CONFLICT (inventory_code, warehouse_id) DO UPDATE SET quantity = $3",
          request.inventory_code(), request.warehouse_id(), request.quantity());
    }
    Answered(tx, answer, StockNow(tx, request.inventory_code()));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::GetWarehouseStockResponse> PostgresInventoryStore::GetWarehouseStock(
    const std::string& inventory_code) {
  v1::GetWarehouseStockResponse response;
  bool known = false;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("get_warehouse_stock", [&](pqxx::work& tx) {
    response.Clear();
    known =
        !tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1", inventory_code).empty();
    if (!known) return absl::OkStatus();
    for (v1::WarehouseStock& stock : StockNow(tx, inventory_code)) {
      *response.add_stock() = std::move(stock);
    }
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kTransferColumns,
                          " FROM transfers WHERE NOT cancelled AND during @> now() AND "
                          "transfer_id IN (SELECT transfer_id FROM transfer_lines WHERE "
                          "inventory_code = $1) ORDER BY lower(during), transfer_id LIMIT 1000"),
             inventory_code)) {
      *response.add_in_transit() = TransferFromRow(row);
    }
    return absl::OkStatus();
  }));
  if (!known) return UnknownCode("inventory_code", inventory_code);
  return response;
}

absl::Status PostgresInventoryStore::CreateTransfer(v1::Transfer transfer, const v1::Actor& actor,
                                                    const Answer<v1::Transfer>& answer) {
  return pool_.InTransaction("create_transfer", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    std::vector<std::string> codes;
    for (const v1::InventoryLine& line : transfer.lines()) codes.push_back(line.inventory_code());
    std::sort(codes.begin(), codes.end());
    // The codes' rows, in code order: no reservation or other change of their stock meanwhile.
    std::set<std::string> known;
    for (const pqxx::row& row :
         tx.exec_params("SELECT inventory_code FROM items WHERE inventory_code = ANY($1::text[]) "
                        "ORDER BY inventory_code FOR UPDATE",
                        common::PgTextArray(codes))) {
      known.insert(row[0].as<std::string>());
    }
    for (int i = 0; i < transfer.lines_size(); ++i) {
      if (known.count(transfer.lines(i).inventory_code()) == 0) {
        return UnknownCode(absl::StrCat("transfer.lines[", i, "].inventory_code"),
                           transfer.lines(i).inventory_code());
      }
    }
    const Instant depart = FromMicros(common::ToMicros(transfer.depart_time()));
    const Instant arrive = depart + std::chrono::seconds(transfer.transit().seconds());
    const Interval road{depart, arrive};
    *transfer.mutable_arrive_time() = common::TimestampFromMicros(Micros(arrive));
    // The origin must hold the units from the departure on, after what it holds reserved.
    LoadedStock before =
        LoadStockIn(tx, {codes, {depart, arrive + kTransferHorizon}, false, true, "", true});
    for (int i = 0; i < transfer.lines_size(); ++i) {
      const v1::InventoryLine& line = transfer.lines(i);
      const CodeStock& stock = before.picture[line.inventory_code()];
      int free_at_origin = 0;
      for (const WarehouseUsage& usage :
           UsageByWarehouse(stock, {depart, arrive + kTransferHorizon})) {
        if (usage.warehouse_id == transfer.from_warehouse_id()) free_at_origin = usage.free;
      }
      if (line.quantity() > free_at_origin) {
        return common::BusinessRefusal(
            v1::INSUFFICIENT_STOCK,
            absl::StrCat("only ", free_at_origin, " x ", line.inventory_code(), " are free at ",
                         transfer.from_warehouse_id(), " from the departure on; ", line.quantity(),
                         " cannot leave"),
            {{line.inventory_code(), std::to_string(line.quantity() - free_at_origin)}});
      }
    }
    // Units that travel: at the origin, on the shelf, of a code the transfer moves.
    std::map<std::string, int> units_per_code;
    for (int i = 0; i < transfer.asset_ids_size(); ++i) {
      pqxx::result unit = tx.exec_params(
          "SELECT inventory_code, state, body FROM assets WHERE asset_id = $1 FOR UPDATE",
          transfer.asset_ids(i));
      const std::string field = absl::StrCat("transfer.asset_ids[", i, "]");
      if (unit.empty()) {
        return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                             absl::StrCat(field, ": no such asset"), {{"field", field}});
      }
      const std::string code = unit[0][0].as<std::string>();
      const bool moved = std::find(codes.begin(), codes.end(), code) != codes.end();
      const v1::Asset asset = common::ParseRecord<v1::Asset>(unit[0][2]);
      const UnitPlace place = WhereUnitIs(tx, asset);
      if (!moved || unit[0][1].as<int>() != v1::ASSET_STATE_AVAILABLE ||
          !place.on_the_road_with.empty() || place.warehouse_id != transfer.from_warehouse_id() ||
          ++units_per_code[code] > [&] {
            for (const auto& line : transfer.lines()) {
              if (line.inventory_code() == code) return line.quantity();
            }
            return 0;
          }()) {
        return common::InvalidArgumentError(
            {{field,
              "is a unit on the shelf at the origin, of a code the transfer moves, each "
              "code at most its quantity"}});
      }
    }
    const std::map<std::string, int> overbooked_before = OverbookedOnTheRoad(tx, codes, road);
    const int64_t number = tx.exec("SELECT nextval('transfer_numbers')")[0][0].as<int64_t>();
    transfer.set_transfer_id(absl::StrFormat("T-%06d", number));
    *transfer.mutable_created_by() = actor;
    *transfer.mutable_create_time() = common::NowTimestamp();
    transfer.clear_state();
    transfer.clear_van_run_planned();
    const std::string body = transfer.SerializeAsString();
    tx.exec_params(
        "INSERT INTO transfers (transfer_id, during, body) VALUES ($1, tstzrange(us_to_ts($2), "
        "us_to_ts($3), '[)'), $4)",
        transfer.transfer_id(), Micros(depart), Micros(arrive), common::RecordBytes(body));
    for (const v1::InventoryLine& line : transfer.lines()) {
      tx.exec_params(
          "INSERT INTO transfer_lines (transfer_id, inventory_code, quantity, from_warehouse_id, "
          "to_warehouse_id, during) VALUES ($1, $2, $3, $4, $5, tstzrange(us_to_ts($6), "
          "us_to_ts($7), '[)'))",
          transfer.transfer_id(), line.inventory_code(), line.quantity(),
          transfer.from_warehouse_id(), transfer.to_warehouse_id(), Micros(depart), Micros(arrive));
    }
    for (const std::string& asset_id : transfer.asset_ids()) {
      tx.exec_params("INSERT INTO transfer_assets (transfer_id, asset_id) VALUES ($1, $2)",
                     transfer.transfer_id(), asset_id);
    }
    for (const auto& [code, short_by] : OverbookedOnTheRoad(tx, codes, road)) {
      if (short_by > overbooked_before.at(code)) {
        return common::BusinessRefusal(
            v1::INSUFFICIENT_STOCK,
            absl::StrCat(short_by - overbooked_before.at(code), " x ", code,
                         " would be short for confirmed orders while on the road"),
            {{code, std::to_string(short_by - overbooked_before.at(code))}});
      }
    }
    pqxx::row stored = tx.exec_params1(
        absl::StrCat("SELECT ", kTransferColumns, " FROM transfers WHERE transfer_id = $1"),
        transfer.transfer_id());
    Answered(tx, answer, TransferFromRow(stored));
    return absl::OkStatus();
  });
}

absl::Status PostgresInventoryStore::CancelTransfer(const std::string& transfer_id,
                                                    const std::string& reason,
                                                    const v1::Actor& actor,
                                                    const Answer<v1::Transfer>& answer) {
  return pool_.InTransaction("cancel_transfer", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    pqxx::result row = tx.exec_params(
        absl::StrCat("SELECT ", kTransferColumns,
                     ", lower(during) <= now() FROM transfers WHERE transfer_id = $1 FOR UPDATE"),
        transfer_id);
    if (row.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           absl::StrCat("transfer ", transfer_id, " does not exist"),
                           {{"field", "transfer_id"}});
    }
    if (!row[0][1].as<bool>()) {
      if (row[0][3].as<bool>()) {
        return common::BusinessRefusal(
            v1::INVALID_STAGE_TRANSITION,
            absl::StrCat("transfer ", transfer_id, " has departed; it can no longer be cancelled"));
      }
      v1::Transfer transfer = common::ParseRecord<v1::Transfer>(row[0][0]);
      // Later transfers out of the destination may count on these units: the codes' rows
      // first, then what the destination would lack without them.
      std::vector<std::string> codes;
      for (const v1::InventoryLine& line : transfer.lines()) codes.push_back(line.inventory_code());
      std::sort(codes.begin(), codes.end());
      tx.exec_params(
          "SELECT 1 FROM items WHERE inventory_code = ANY($1::text[]) ORDER BY inventory_code "
          "FOR UPDATE",
          common::PgTextArray(codes));
      const Instant arrive = FromMicros(common::ToMicros(transfer.arrive_time()));
      const Interval after_arrival{arrive, arrive + kTransferHorizon};
      const std::map<std::string, int> short_before =
          ShortAt(tx, codes, transfer.to_warehouse_id(), after_arrival);
      tx.exec_params("UPDATE transfer_lines SET cancelled = true WHERE transfer_id = $1",
                     transfer_id);
      for (const auto& [code, short_by] :
           ShortAt(tx, codes, transfer.to_warehouse_id(), after_arrival)) {
        if (short_by > short_before.at(code)) {
          return common::BusinessRefusal(
              v1::INSUFFICIENT_STOCK,
              absl::StrCat("later moves out of ", transfer.to_warehouse_id(), " count on ",
                           short_by - short_before.at(code), " x ", code,
                           " this transfer brings; cancel those first"),
              {{code, std::to_string(short_by - short_before.at(code))}});
        }
      }
      transfer.set_note(transfer.note().empty()
                            ? absl::StrCat("cancelled: ", reason)
                            : absl::StrCat(transfer.note(), "; cancelled: ", reason));
      const std::string body = transfer.SerializeAsString();
      tx.exec_params("UPDATE transfers SET cancelled = true, body = $2 WHERE transfer_id = $1",
                     transfer_id, common::RecordBytes(body));
      row = tx.exec_params(
          absl::StrCat("SELECT ", kTransferColumns, " FROM transfers WHERE transfer_id = $1"),
          transfer_id);
    }
    Answered(tx, answer, TransferFromRow(row[0]));
    return absl::OkStatus();
  });
}

absl::StatusOr<Page<v1::Transfer>> PostgresInventoryStore::ListTransfers(
    const v1::ListTransfersRequest& filter, int limit, const std::string& after) {
  // The page position: "<departure micros>/<transfer id>".
  int64_t after_departure = std::numeric_limits<int64_t>::min();
  std::string after_id;
  if (!after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(after, absl::MaxSplits('/', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_departure)) {
      return common::InvalidArgumentError({{"page_token", "is not a page of this list"}});
    }
    after_id = parts[1];
  }
  Page<v1::Transfer> page;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("list_transfers", [&](pqxx::work& tx) {
    page = {};
    common::FillPage(
        page,
        tx.exec_params(
            absl::StrCat(
                "SELECT ", kTransferColumns,
                ", ts_to_us(lower(during)) FROM transfers t WHERE (ts_to_us(lower(during)), "
                "transfer_id) > ($1::bigint, $2) AND ($3 = '' OR EXISTS (SELECT 1 FROM "
                "transfer_lines l WHERE l.transfer_id = t.transfer_id AND l.inventory_code = $3)) "
                "AND ($4 = '' OR EXISTS (SELECT 1 FROM transfer_lines l WHERE l.transfer_id = "
                "t.transfer_id AND $4 IN (l.from_warehouse_id, l.to_warehouse_id))) "
                "AND (NOT $5 OR (NOT cancelled AND upper(during) > now())) "
                "ORDER BY lower(during), transfer_id LIMIT $6"),
            after_departure, after_id, filter.inventory_code(), filter.warehouse_id(),
            filter.open_only(), limit + 1),
        limit, [](const pqxx::row& row) { return TransferFromRow(row); },
        [](const v1::Transfer& transfer) {
          return absl::StrCat(common::ToMicros(transfer.depart_time()), "/",
                              transfer.transfer_id());
        });
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace salesops::inventory
