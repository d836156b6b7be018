// The asset register's SQL (issue 19): one row per unit of a serialised code, its history in
// asset_events; the unit's state changes, inspections and scans, with the out-of-service periods
// that keep availability exact (a unit in repair or overdue for inspection does not count).
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <algorithm>
#include <map>

#include "services/common/db_pool.h"
#include "services/common/errors.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/inventory/postgres_inventory_store.h"
#include "services/inventory/scanning.h"
#include "services/inventory/store_answers.h"

namespace salesops::inventory {
namespace {

using common::ParseRecord;
using common::RecordBytes;

// Units of a code that count: neither retired nor lost.
constexpr char kInService[] = "state NOT IN (4, 5)";

using common::ReasonedError;

int64_t NowMicros() { return common::ToMicros(common::NowTimestamp()); }

// The unit's row, locked, by id or (with `asset_id` empty) by barcode.
std::optional<v1::Asset> LockAsset(pqxx::work& tx, const std::string& asset_id,
                                   const std::string& barcode) {
  pqxx::result rows =
      asset_id.empty()
          ? tx.exec_params("SELECT body FROM assets WHERE barcode = $1 FOR UPDATE", barcode)
          : tx.exec_params("SELECT body FROM assets WHERE asset_id = $1 FOR UPDATE", asset_id);
  if (rows.empty()) return std::nullopt;
  return ParseRecord<v1::Asset>(rows[0][0]);
}

// The code of the unit carrying the id or barcode, read without a lock: the item's row is
// locked before the unit's, in the order every writer of both takes.
std::optional<std::string> CodeOfAsset(pqxx::work& tx, const std::string& asset_id,
                                       const std::string& barcode) {
  pqxx::result rows =
      asset_id.empty()
          ? tx.exec_params("SELECT inventory_code FROM assets WHERE barcode = $1", barcode)
          : tx.exec_params("SELECT inventory_code FROM assets WHERE asset_id = $1", asset_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

void LockItemRow(pqxx::work& tx, const std::string& code) {
  tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1 FOR UPDATE", code);
}

}  // namespace

// Writes the unit back; `out_until_us` (0: none) is how long its order's window holds it.
void SaveAsset(pqxx::work& tx, const v1::Asset& asset, int64_t out_until_us) {
  tx.exec_params(
      "UPDATE assets SET state = $2, order_id = $3, out_until = CASE WHEN $4::bigint > 0 "
      "THEN us_to_ts($4::bigint) END, body = $5 WHERE asset_id = $1",
      asset.asset_id(), static_cast<int>(asset.state()), asset.order_id(), out_until_us,
      RecordBytes(asset.SerializeAsString()));
}

namespace {}  // namespace

void AddAssetEvent(pqxx::work& tx, const v1::Asset& asset, v1::AssetEvent event,
                   const v1::Actor& actor) {
  event.set_state(asset.state());
  if (event.location().empty()) event.set_location(asset.location());
  *event.mutable_actor() = actor;
  if (!event.has_event_time()) *event.mutable_event_time() = common::NowTimestamp();
  tx.exec_params("INSERT INTO asset_events (asset_id, body) VALUES ($1, $2)", asset.asset_id(),
                 RecordBytes(event.SerializeAsString()));
}

namespace {}  // namespace

v1::AssetEvent EventOf(v1::AssetEventKind kind, const std::string& note) {
  v1::AssetEvent event;
  event.set_kind(kind);
  event.set_note(note);
  return event;
}

namespace {

std::optional<v1::MaintenancePlan> LoadPlan(pqxx::work& tx, const std::string& code) {
  pqxx::result rows =
      tx.exec_params("SELECT body FROM maintenance_plans WHERE inventory_code = $1", code);
  if (rows.empty()) return std::nullopt;
  return ParseRecord<v1::MaintenancePlan>(rows[0][0]);
}

// The moment a never-inspected unit's periodic inspections count from: its purchase day, or
// its registration.
int64_t InspectionBaseMicros(const v1::Asset& asset) {
  if (asset.has_purchase_day()) {
    const absl::CivilDay day(asset.purchase_day().year(), asset.purchase_day().month(),
                             asset.purchase_day().day());
    return absl::ToUnixMicros(absl::FromCivil(day, absl::UTCTimeZone()));
  }
  return common::ToMicros(asset.register_time());
}

// Brings the unit's inspection rows in line with its code's plan: new types start due from
// the unit's base (or its last pass), types gone are dropped, a changed interval moves the due
// time; a type whose interval is unchanged keeps its state (a failed one stays due).
void SyncInspections(pqxx::work& tx, const v1::Asset& asset, const v1::MaintenancePlan& plan) {
  std::vector<std::string> types;
  for (const v1::InspectionRule& rule : plan.rules()) types.push_back(rule.inspection_type());
  tx.exec_params(
      "DELETE FROM asset_inspections WHERE asset_id = $1 "
      "AND NOT (inspection_type = ANY($2::text[]))",
      asset.asset_id(), common::PgTextArray(types));
  for (const v1::InspectionRule& rule : plan.rules()) {
    const int64_t interval_seconds = rule.interval().seconds();
    tx.exec_params(
        "INSERT INTO asset_inspections (asset_id, inspection_type, periodic, interval_seconds, "
        "  due_time) VALUES ($1, $2, $3 > 0, $3, CASE WHEN $3 > 0 THEN us_to_ts($4::bigint) "
        "  + make_interval(secs => $3) END) "
        "ON CONFLICT (asset_id, inspection_type) DO UPDATE SET periodic = $3 > 0, "
        "  interval_seconds = $3, due_time = CASE WHEN $3 > 0 THEN coalesce("
        "    asset_inspections.last_pass_time, us_to_ts($4::bigint)) + make_interval(secs => $3) "
        "  END "
        "WHERE asset_inspections.interval_seconds <> $3",
        asset.asset_id(), rule.inspection_type(), interval_seconds, InspectionBaseMicros(asset));
  }
}

// The unit's inspection types due now.
std::vector<std::string> OverdueInspections(pqxx::work& tx, const std::string& asset_id) {
  std::vector<std::string> types;
  for (const pqxx::row& row :
       tx.exec_params("SELECT inspection_type FROM asset_inspections WHERE asset_id = $1 "
                      "AND due_time <= now() ORDER BY inspection_type",
                      asset_id)) {
    types.push_back(row[0].as<std::string>());
  }
  return types;
}

// Opens the unit's repair: out of stock from now until `back_us` (0: until repaired).
void OpenRepair(pqxx::work& tx, const v1::Asset& asset, int64_t back_us, const std::string& why,
                const std::string& order_id, const v1::Actor& actor) {
  tx.exec_params(
      "INSERT INTO out_of_service (inventory_code, quantity, during, reason, order_id, "
      "  created_by, asset_id, unit_hold) VALUES ($1, 1, tstzrange(now(), CASE WHEN $2::bigint > "
      "  0 THEN us_to_ts($2::bigint) END, '[)'), $3, $4, $5, $6, 1) "
      "ON CONFLICT (asset_id, unit_hold) WHERE unit_hold > 0 DO NOTHING",
      asset.inventory_code(), back_us, why, order_id, actor.id(), asset.asset_id());
}

}  // namespace

// Ends the unit's open repair now; the period stays as history (unit_hold 0), or goes when it
// had not begun.
void CloseRepair(pqxx::work& tx, const std::string& asset_id) {
  tx.exec_params(
      "DELETE FROM out_of_service WHERE asset_id = $1 AND unit_hold = 1 "
      "AND lower(during) >= now()",
      asset_id);
  tx.exec_params(
      "UPDATE out_of_service SET unit_hold = 0, during = tstzrange(lower(during), "
      "  least(coalesce(upper(during), 'infinity'), now()), '[)') "
      "WHERE asset_id = $1 AND unit_hold = 1",
      asset_id);
}

namespace {}  // namespace

// The unit's overdue-inspection hold, recomputed: from its earliest periodic due time (but not
// while its order's window or a bounded repair already holds it; not at all while its repair
// is open-ended, or once it is retired or lost) on. It counts in availability once that time has
// passed. Answers the moment from which it now holds the unit where it did not before, for the
// shortages to report.
std::optional<int64_t> RefreshInspectionHold(pqxx::work& tx, const v1::Asset& asset,
                                             const v1::Actor& actor) {
  pqxx::row row = tx.exec_params1(
      "SELECT coalesce(ts_to_us(a.out_until), 0),"
      "  (SELECT coalesce(ts_to_us(min(due_time)), 0) FROM asset_inspections i"
      "   WHERE i.asset_id = a.asset_id AND i.periodic),"
      "  (SELECT count(*) FROM out_of_service o WHERE o.asset_id = a.asset_id"
      "   AND o.unit_hold = 1),"
      "  coalesce((SELECT coalesce(ts_to_us(upper(during)), 0) FROM out_of_service o"
      "   WHERE o.asset_id = a.asset_id AND o.unit_hold = 1), 0),"
      "  (SELECT ts_to_us(lower(during)) FROM out_of_service o"
      "   WHERE o.asset_id = a.asset_id AND o.unit_hold = 2) "
      "FROM assets a WHERE a.asset_id = $1",
      asset.asset_id());
  const int64_t out_until = row[0].as<int64_t>();
  const int64_t due = row[1].as<int64_t>();
  const bool in_repair = row[2].as<int64_t>() > 0;
  const int64_t repair_end = row[3].as<int64_t>();
  const std::optional<int64_t> held_from =
      row[4].is_null() ? std::nullopt : std::optional<int64_t>(row[4].as<int64_t>());
  std::optional<int64_t> start;
  const bool counts = asset.state() != v1::ASSET_STATE_RETIRED &&
                      asset.state() != v1::ASSET_STATE_LOST && !(in_repair && repair_end == 0);
  if (counts && due != 0) start = std::max({due, out_until, in_repair ? repair_end : 0});
  if (!start) {
    tx.exec_params("DELETE FROM out_of_service WHERE asset_id = $1 AND unit_hold = 2",
                   asset.asset_id());
    return std::nullopt;
  }
  if (held_from == start) return std::nullopt;
  tx.exec_params(
      "INSERT INTO out_of_service (inventory_code, quantity, during, reason, created_by, "
      "  asset_id, unit_hold) VALUES ($1, 1, tstzrange(us_to_ts($2::bigint), NULL, '[)'), $3, "
      "  $4, $5, 2) "
      "ON CONFLICT (asset_id, unit_hold) WHERE unit_hold > 0 DO UPDATE SET during = "
      "  EXCLUDED.during",
      asset.inventory_code(), *start, absl::StrCat("inspection of ", asset.asset_id(), " due"),
      actor.id(), asset.asset_id());
  // Only a hold that counts now (the inspection is overdue) can leave a reservation short.
  if (*start > NowMicros() || (held_from && *held_from <= *start)) return std::nullopt;
  return start;
}

namespace {

// Reports the reservations of the unit's code left short from `from_us` on, if anything
// tightened.
std::vector<v1::OrderShortage> ReportUnitShortages(pqxx::work& tx, const v1::Asset& asset,
                                                   std::optional<int64_t> from_us,
                                                   const v1::Actor& actor, const std::string& why) {
  if (!from_us) return {};
  return ReportShortages(tx, asset.inventory_code(), *from_us, 0, actor.id(), why,
                         [&](v1::StockPayload& stock) { stock.set_reason(why); });
}

std::optional<int64_t> Earliest(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// The units' inspections, per type, for reading.
void FillInspections(pqxx::work& tx, std::vector<v1::Asset*> assets) {
  if (assets.empty()) return;
  std::map<std::string, v1::Asset*> by_id;
  std::vector<std::string> ids;
  for (v1::Asset* asset : assets) {
    asset->clear_inspections();
    by_id[asset->asset_id()] = asset;
    ids.push_back(asset->asset_id());
  }
  for (const pqxx::row& row : tx.exec_params(
           "SELECT i.asset_id, a.barcode, i.inspection_type, coalesce(ts_to_us(i.last_pass_time), "
           "0), coalesce(ts_to_us(i.due_time), 0), coalesce(i.due_time <= now(), false) "
           "FROM asset_inspections i JOIN assets a USING (asset_id) "
           "WHERE i.asset_id = ANY($1::text[]) ORDER BY i.asset_id, i.inspection_type",
           common::PgTextArray(ids))) {
    v1::InspectionDue* due = by_id[row[0].as<std::string>()]->add_inspections();
    due->set_asset_id(row[0].as<std::string>());
    due->set_barcode(row[1].as<std::string>());
    due->set_inspection_type(row[2].as<std::string>());
    if (row[3].as<int64_t>() != 0) {
      *due->mutable_last_pass_time() = common::TimestampFromMicros(row[3].as<int64_t>());
    }
    if (row[4].as<int64_t>() != 0) {
      *due->mutable_due_time() = common::TimestampFromMicros(row[4].as<int64_t>());
    }
    due->set_overdue(row[5].as<bool>());
  }
}

absl::Status AssetNotFound(const std::string& asset_id, const std::string& barcode) {
  return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                       asset_id.empty() ? "no asset carries this barcode"
                                        : absl::StrCat("asset ", asset_id, " does not exist"),
                       {{"field", asset_id.empty() ? "barcode" : "asset_id"}});
}

}  // namespace

UnitPlace WhereUnitIs(pqxx::work& tx, const v1::Asset& asset) {
  pqxx::result moved = tx.exec_params(
      "SELECT t.transfer_id, l.to_warehouse_id, upper(t.during) > now() FROM transfer_assets a "
      "JOIN transfers t USING (transfer_id) JOIN transfer_lines l ON l.transfer_id = "
      "t.transfer_id AND l.inventory_code = $2 WHERE a.asset_id = $1 AND NOT t.cancelled AND "
      "lower(t.during) <= now() ORDER BY lower(t.during) DESC LIMIT 1",
      asset.asset_id(), asset.inventory_code());
  if (moved.empty()) return {asset.warehouse_id(), ""};
  if (moved[0][2].as<bool>()) return {"", moved[0][0].as<std::string>()};
  return {moved[0][1].as<std::string>(), ""};
}

absl::Status PostgresInventoryStore::RegisterAsset(v1::Asset asset, const v1::Actor& actor,
                                                   const Answer<AssetChange>& answer) {
  return pool_.InTransaction("register_asset", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    // The item's row lock: two registrations of its last unit do not both fit.
    pqxx::result item = tx.exec_params(
        "SELECT tracking, quantity_owned, warehouse_id FROM items WHERE inventory_code = $1 "
        "FOR UPDATE",
        asset.inventory_code());
    if (item.empty()) {
      return common::ReasonedError(
          absl::StatusCode::kNotFound, v1::UNKNOWN_INVENTORY_CODE,
          absl::StrCat("asset.inventory_code: ", asset.inventory_code(), " is not in the catalog"),
          {{"field", "asset.inventory_code"}});
    }
    if (item[0][0].as<int>() != v1::TRACKING_MODE_SERIALIZED) {
      return common::BusinessRefusal(v1::INVALID_REQUEST,
                                     absl::StrCat(asset.inventory_code(),
                                                  " is not serialised; bulk and consumable stock "
                                                  "is counted, not registered unit by unit"));
    }
    const int64_t owned = item[0][1].as<int64_t>();
    const int64_t registered =
        tx.exec_params1(absl::StrCat("SELECT count(*) FROM assets WHERE inventory_code = $1 AND ",
                                     kInService),
                        asset.inventory_code())[0]
            .as<int64_t>();
    if (registered >= owned) {
      return common::BusinessRefusal(
          v1::LIMIT_REACHED,
          absl::StrCat("all ", owned, " unit(s) of ", asset.inventory_code(),
                       " are registered; raise quantity_owned first (UpsertItem)"));
    }
    const int64_t number = tx.exec("SELECT nextval('asset_numbers')")[0][0].as<int64_t>();
    asset.set_asset_id(absl::StrFormat("A-%06d", number));
    if (asset.barcode().empty()) asset.set_barcode(asset.asset_id());
    if (asset.warehouse_id().empty()) asset.set_warehouse_id(item[0][2].as<std::string>());
    asset.set_state(v1::ASSET_STATE_AVAILABLE);
    *asset.mutable_registered_by() = actor;
    *asset.mutable_register_time() = common::NowTimestamp();
    asset.clear_book_value();
    const bool barcode_taken =
        !tx.exec_params("SELECT 1 FROM assets WHERE barcode = $1", asset.barcode()).empty();
    const bool serial_taken =
        !asset.serial_number().empty() &&
        !tx.exec_params("SELECT 1 FROM assets WHERE inventory_code = $1 AND serial_number = $2",
                        asset.inventory_code(), asset.serial_number())
             .empty();
    if (barcode_taken || serial_taken) {
      return common::ReasonedError(
          absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
          barcode_taken ? "asset.barcode: another asset carries this barcode"
                        : "asset.serial_number: the code has an asset with this serial",
          {{"field", barcode_taken ? "asset.barcode" : "asset.serial_number"}});
    }
    tx.exec_params(
        "INSERT INTO assets (asset_id, inventory_code, serial_number, barcode, state, body) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        asset.asset_id(), asset.inventory_code(), asset.serial_number(), asset.barcode(),
        static_cast<int>(asset.state()), RecordBytes(asset.SerializeAsString()));
    v1::AssetEvent event;
    event.set_kind(v1::ASSET_EVENT_KIND_REGISTERED);
    event.set_state(asset.state());
    event.set_location(asset.location());
    *event.mutable_actor() = actor;
    *event.mutable_event_time() = asset.register_time();
    tx.exec_params("INSERT INTO asset_events (asset_id, body) VALUES ($1, $2)", asset.asset_id(),
                   RecordBytes(event.SerializeAsString()));
    AssetChange change;
    if (std::optional<v1::MaintenancePlan> plan = LoadPlan(tx, asset.inventory_code())) {
      SyncInspections(tx, asset, *plan);
      change.shortages = ReportUnitShortages(
          tx, asset, RefreshInspectionHold(tx, asset, actor), actor,
          absl::StrCat("after ", asset.asset_id(), " was registered overdue for inspection"));
    }
    change.asset = std::move(asset);
    FillInspections(tx, {&change.asset});
    Answered(tx, answer, change);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::GetAssetResponse> PostgresInventoryStore::GetAsset(const std::string& asset_id,
                                                                      const std::string& barcode) {
  std::optional<v1::GetAssetResponse> found;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("get_asset", [&](pqxx::work& tx) {
    found.reset();
    pqxx::result rows =
        asset_id.empty()
            ? tx.exec_params("SELECT asset_id, body FROM assets WHERE barcode = $1", barcode)
            : tx.exec_params("SELECT asset_id, body FROM assets WHERE asset_id = $1", asset_id);
    if (rows.empty()) return absl::OkStatus();
    v1::GetAssetResponse response;
    *response.mutable_asset() = ParseRecord<v1::Asset>(rows[0][1]);
    FillInspections(tx, {response.mutable_asset()});
    // Where it is now: a unit that arrived with a transfer is at its destination.
    const UnitPlace place = WhereUnitIs(tx, response.asset());
    if (place.on_the_road_with.empty())
      response.mutable_asset()->set_warehouse_id(place.warehouse_id);
    for (const pqxx::row& event :
         tx.exec_params("SELECT body FROM asset_events WHERE asset_id = $1 ORDER BY seq",
                        rows[0][0].as<std::string>())) {
      *response.add_history() = ParseRecord<v1::AssetEvent>(event[0]);
    }
    found = std::move(response);
    return absl::OkStatus();
  }));
  if (!found) {
    return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                 asset_id.empty()
                                     ? "no asset carries this barcode"
                                     : absl::StrCat("asset ", asset_id, " does not exist"));
  }
  return *std::move(found);
}

absl::StatusOr<Page<v1::Asset>> PostgresInventoryStore::ListAssets(
    const v1::ListAssetsRequest& filter, int limit, const std::string& after) {
  Page<v1::Asset> page;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("list_assets", [&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM assets WHERE asset_id > $1 AND ($2 = '' OR inventory_code = $2) "
        "AND ($3 = 0 OR state = $3) ORDER BY asset_id LIMIT $4",
        after, filter.inventory_code(), static_cast<int>(filter.state()), limit + 1);
    common::FillPage(
        page, rows, limit, [](const pqxx::row& row) { return ParseRecord<v1::Asset>(row[0]); },
        [](const v1::Asset& asset) { return asset.asset_id(); });
    std::vector<v1::Asset*> listed;
    for (v1::Asset& asset : page.entries) listed.push_back(&asset);
    FillInspections(tx, listed);
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace salesops::inventory

namespace salesops::inventory {
namespace {

const char* StateName(v1::AssetState state) {
  switch (state) {
    case v1::ASSET_STATE_AVAILABLE:
      return "available";
    case v1::ASSET_STATE_OUT:
      return "out";
    case v1::ASSET_STATE_IN_REPAIR:
      return "in repair";
    case v1::ASSET_STATE_RETIRED:
      return "retired";
    case v1::ASSET_STATE_LOST:
      return "lost";
    default:
      return "unknown";
  }
}

// The event a change of state is, or none where the register does not allow it.
std::optional<v1::AssetEventKind> TransitionEvent(v1::AssetState from, v1::AssetState to) {
  using S = v1::AssetState;
  if (from == S::ASSET_STATE_AVAILABLE && to == S::ASSET_STATE_IN_REPAIR) {
    return v1::ASSET_EVENT_KIND_TO_REPAIR;
  }
  if (from == S::ASSET_STATE_IN_REPAIR && to == S::ASSET_STATE_AVAILABLE) {
    return v1::ASSET_EVENT_KIND_REPAIRED;
  }
  if ((from == S::ASSET_STATE_AVAILABLE || from == S::ASSET_STATE_IN_REPAIR) &&
      to == S::ASSET_STATE_RETIRED) {
    return v1::ASSET_EVENT_KIND_RETIRED;
  }
  if ((from == S::ASSET_STATE_AVAILABLE || from == S::ASSET_STATE_OUT) &&
      to == S::ASSET_STATE_LOST) {
    return v1::ASSET_EVENT_KIND_LOST;
  }
  if (from == S::ASSET_STATE_LOST && to == S::ASSET_STATE_AVAILABLE) {
    return v1::ASSET_EVENT_KIND_FOUND;
  }
  return std::nullopt;
}

// A retired or lost unit leaves what its code owns; a lost one found comes back to it.
void ChangeOwned(pqxx::work& tx, const std::string& code, int by) {
  tx.exec_params(
      "UPDATE items SET quantity_owned = greatest(quantity_owned + $2, 0), "
      "revision = revision + 1, update_time = now() WHERE inventory_code = $1",
      code, by);
}

}  // namespace

absl::Status PostgresInventoryStore::SetAssetState(const v1::SetAssetStateRequest& request,
                                                   const v1::Actor& actor,
                                                   const Answer<AssetChange>& answer) {
  return pool_.InTransaction("set_asset_state", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    const std::optional<std::string> code = CodeOfAsset(tx, request.asset_id(), "");
    if (!code) return AssetNotFound(request.asset_id(), "");
    LockItemRow(tx, *code);
    std::optional<v1::Asset> found = LockAsset(tx, request.asset_id(), "");
    if (!found) return AssetNotFound(request.asset_id(), "");
    v1::Asset& asset = *found;
    const v1::AssetState from = asset.state();
    const std::optional<v1::AssetEventKind> kind = TransitionEvent(from, request.state());
    if (!kind) {
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          absl::StrCat(asset.asset_id(), " is ", StateName(from), " and cannot become ",
                       StateName(request.state()),
                       from == v1::ASSET_STATE_OUT ? "; scan it in first" : ""));
    }
    if (request.has_cost() && *kind != v1::ASSET_EVENT_KIND_REPAIRED) {
      return common::InvalidArgumentError({{"cost",
                                            "is the cost of a repair: only with "
                                            "AVAILABLE for a unit in repair"}});
    }
    v1::AssetEvent event = EventOf(*kind, request.note());
    if (request.has_cost()) *event.mutable_cost() = request.cost();
    event.set_order_id(asset.order_id());
    std::optional<int64_t> tightened;
    switch (*kind) {
      case v1::ASSET_EVENT_KIND_TO_REPAIR:
        OpenRepair(tx, asset,
                   request.has_back_in_service_time()
                       ? common::ToMicros(request.back_in_service_time())
                       : 0,
                   absl::StrCat("repair of ", asset.asset_id(), ": ", request.note()), "", actor);
        tightened = NowMicros();
        break;
      case v1::ASSET_EVENT_KIND_REPAIRED:
        CloseRepair(tx, asset.asset_id());
        break;
      case v1::ASSET_EVENT_KIND_RETIRED:
      case v1::ASSET_EVENT_KIND_LOST:
        CloseRepair(tx, asset.asset_id());
        ChangeOwned(tx, asset.inventory_code(), -1);
        tightened = NowMicros();
        break;
      case v1::ASSET_EVENT_KIND_FOUND:
        ChangeOwned(tx, asset.inventory_code(), +1);
        break;
      default:
        break;
    }
    asset.set_state(request.state());
    asset.clear_order_id();
    SaveAsset(tx, asset, 0);
    AddAssetEvent(tx, asset, std::move(event), actor);
    AssetChange change;
    change.shortages = ReportUnitShortages(
        tx, asset, Earliest(tightened, RefreshInspectionHold(tx, asset, actor)), actor,
        absl::StrCat("after ", asset.asset_id(), " became ", StateName(asset.state()), " (",
                     request.note(), ")"));
    change.asset = std::move(asset);
    FillInspections(tx, {&change.asset});
    Answered(tx, answer, change);
    return absl::OkStatus();
  });
}

absl::Status PostgresInventoryStore::SetMaintenancePlan(
    v1::MaintenancePlan plan, const v1::Actor& actor,
    const Answer<std::pair<v1::MaintenancePlan, std::vector<v1::OrderShortage>>>& answer) {
  return pool_.InTransaction("set_maintenance_plan", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    if (tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1 FOR UPDATE",
                       plan.inventory_code())
            .empty()) {
      return common::UnknownReferenceError(
          {{"plan.inventory_code", "unknown inventory code '" + plan.inventory_code() + "'"}},
          v1::UNKNOWN_INVENTORY_CODE);
    }
    *plan.mutable_updated_by() = actor;
    *plan.mutable_update_time() = common::NowTimestamp();
    if (plan.rules().empty()) {
      tx.exec_params("DELETE FROM maintenance_plans WHERE inventory_code = $1",
                     plan.inventory_code());
    } else {
      tx.exec_params(
          "INSERT INTO maintenance_plans (inventory_code, body) VALUES ($1, $2) "
          "ON CONFLICT (inventory_code) DO UPDATE SET body = EXCLUDED.body",
          plan.inventory_code(), RecordBytes(plan.SerializeAsString()));
    }
    std::optional<int64_t> tightened;
    for (const pqxx::row& row :
         tx.exec_params(absl::StrCat("SELECT body FROM assets WHERE inventory_code = $1 AND ",
                                     kInService, " ORDER BY asset_id FOR UPDATE"),
                        plan.inventory_code())) {
      const v1::Asset asset = ParseRecord<v1::Asset>(row[0]);
      SyncInspections(tx, asset, plan);
      tightened = Earliest(tightened, RefreshInspectionHold(tx, asset, actor));
    }
    std::pair<v1::MaintenancePlan, std::vector<v1::OrderShortage>> result{plan, {}};
    if (tightened) {
      const std::string why = "after units fell overdue for inspection under the new plan";
      result.second = ReportShortages(tx, plan.inventory_code(), *tightened, 0, actor.id(), why,
                                      [&](v1::StockPayload& stock) { stock.set_reason(why); });
    }
    Answered(tx, answer, result);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::MaintenancePlan> PostgresInventoryStore::GetMaintenancePlan(
    const std::string& inventory_code) {
  std::optional<v1::MaintenancePlan> plan;
  bool known = false;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("get_maintenance_plan", [&](pqxx::work& tx) {
    known =
        !tx.exec_params("SELECT 1 FROM items WHERE inventory_code = $1", inventory_code).empty();
    plan = LoadPlan(tx, inventory_code);
    return absl::OkStatus();
  }));
  if (!known) {
    return common::UnknownReferenceError(
        {{"inventory_code", "unknown inventory code '" + inventory_code + "'"}},
        v1::UNKNOWN_INVENTORY_CODE);
  }
  if (plan) return *std::move(plan);
  v1::MaintenancePlan empty;
  empty.set_inventory_code(inventory_code);
  return empty;
}

absl::Status PostgresInventoryStore::RecordInspection(const v1::RecordInspectionRequest& request,
                                                      const v1::Actor& actor,
                                                      const Answer<AssetChange>& answer) {
  return pool_.InTransaction("record_inspection", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    const std::optional<std::string> code = CodeOfAsset(tx, request.asset_id(), request.barcode());
    if (!code) return AssetNotFound(request.asset_id(), request.barcode());
    LockItemRow(tx, *code);
    std::optional<v1::Asset> found = LockAsset(tx, request.asset_id(), request.barcode());
    if (!found) return AssetNotFound(request.asset_id(), request.barcode());
    v1::Asset& asset = *found;
    if (asset.state() == v1::ASSET_STATE_RETIRED || asset.state() == v1::ASSET_STATE_LOST ||
        asset.state() == v1::ASSET_STATE_OUT) {
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          asset.state() == v1::ASSET_STATE_OUT
              ? absl::StrCat(asset.asset_id(), " is out with order ", asset.order_id(),
                             ": inspect it when it is back")
              : absl::StrCat(asset.asset_id(), " is ", StateName(asset.state()),
                             " and is not inspected any more"));
    }
    const int64_t inspected_at =
        request.has_inspect_time() ? common::ToMicros(request.inspect_time()) : NowMicros();
    pqxx::result updated =
        request.passed()
            ? tx.exec_params(
                  "UPDATE asset_inspections SET last_pass_time = greatest(last_pass_time, "
                  "  us_to_ts($3::bigint)), due_time = CASE WHEN periodic THEN greatest("
                  "  last_pass_time, us_to_ts($3::bigint)) + make_interval(secs => "
                  "  interval_seconds) WHEN due_time <= us_to_ts($3::bigint) THEN NULL ELSE "
                  "  due_time END WHERE asset_id = $1 AND inspection_type = $2 RETURNING 1",
                  asset.asset_id(), request.inspection_type(), inspected_at)
            : tx.exec_params(
                  "UPDATE asset_inspections SET due_time = least(coalesce(due_time, "
                  "  us_to_ts($3::bigint)), us_to_ts($3::bigint)) "
                  "WHERE asset_id = $1 AND inspection_type = $2 RETURNING 1",
                  asset.asset_id(), request.inspection_type(), inspected_at);
    if (updated.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           absl::StrCat("the maintenance plan of ", asset.inventory_code(),
                                        " has no inspection of this type"),
                           {{"field", "inspection_type"}});
    }
    v1::AssetEvent event = EventOf(v1::ASSET_EVENT_KIND_INSPECTED, request.note());
    event.set_inspection_type(request.inspection_type());
    event.set_passed(request.passed());
    *event.mutable_event_time() = common::TimestampFromMicros(inspected_at);
    std::optional<int64_t> tightened;
    if (!request.passed() && asset.state() == v1::ASSET_STATE_AVAILABLE) {
      asset.set_state(v1::ASSET_STATE_IN_REPAIR);
      OpenRepair(tx, asset, 0,
                 absl::StrCat(asset.asset_id(), " failed ", request.inspection_type(), ": ",
                              request.note()),
                 "", actor);
      tightened = NowMicros();
      SaveAsset(tx, asset, 0);
    }
    AddAssetEvent(tx, asset, std::move(event), actor);
    AssetChange change;
    change.shortages = ReportUnitShortages(
        tx, asset, Earliest(tightened, RefreshInspectionHold(tx, asset, actor)), actor,
        absl::StrCat("after ", asset.asset_id(), request.passed() ? " passed " : " failed ",
                     request.inspection_type()));
    change.asset = std::move(asset);
    FillInspections(tx, {&change.asset});
    Answered(tx, answer, change);
    return absl::OkStatus();
  });
}

namespace {

// What the barcode is: a unit (its row and its code's row locked, the code's first) or a code's
// own label (its row locked).
ScannedSubject FindScanned(pqxx::work& tx, const std::string& barcode) {
  ScannedSubject subject;
  if (std::optional<std::string> code = CodeOfAsset(tx, "", barcode)) {
    LockItemRow(tx, *code);
    subject.asset = LockAsset(tx, "", barcode);
    if (!subject.asset) return subject;
    subject.inventory_code = *code;
    subject.tracking = v1::TRACKING_MODE_SERIALIZED;
    subject.overdue_inspections = OverdueInspections(tx, subject.asset->asset_id());
    const UnitPlace place = WhereUnitIs(tx, *subject.asset);
    subject.asset->set_warehouse_id(place.warehouse_id);
    subject.on_the_road_with = place.on_the_road_with;
    return subject;
  }
  pqxx::result item = tx.exec_params(
      absl::StrCat("SELECT tracking, EXISTS (SELECT 1 FROM assets WHERE inventory_code = $1 AND ",
                   kInService, ") FROM items WHERE inventory_code = $1 FOR UPDATE"),
      barcode);
  if (item.empty()) return subject;
  subject.inventory_code = barcode;
  subject.tracking = static_cast<v1::TrackingMode>(item[0][0].as<int>());
  subject.has_registered_units =
      subject.tracking == v1::TRACKING_MODE_SERIALIZED && item[0][1].as<bool>();
  return subject;
}

// What the pull sheet keeps of a unit: its serial, or its barcode when it has none.
std::string SheetSerialOf(const v1::Asset& asset) {
  return asset.serial_number().empty() ? asset.barcode() : asset.serial_number();
}

// The end of the last window the order needs the code for: the unit is held by it until then.
int64_t HeldUntil(const OrderSheet& sheet, const SheetLine& line) {
  Instant end = sheet.window.end;
  for (const SheetNeed& need : line.needs) end = std::max(end, need.window.end);
  return Micros(end);
}

}  // namespace

absl::Status PostgresInventoryStore::Scan(const ScanDraft& draft,
                                          const Answer<v1::ScanResult>& answer) {
  return pool_.InTransaction("scan", [&](pqxx::work& tx) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, answer));
    if (replayed) return absl::OkStatus();
    SALESOPS_ASSIGN_OR_RETURN(OrderSheet sheet, LoadSheetIn(tx, draft.order_id, true));
    ScannedSubject subject = FindScanned(tx, draft.barcode);
    const ScanVerdict verdict = draft.scanning_in ? JudgeScanIn(sheet, subject, draft.quantity)
                                                  : JudgeScanOut(sheet, subject, draft.quantity);
    v1::ScanResult result;
    result.set_refusal(verdict.refusal);
    result.set_message(verdict.message);
    result.set_inventory_code(subject.inventory_code);
    if (!verdict.accepted()) {
      // An answer, not an error: nothing changed and nothing is remembered.
      if (subject.asset) *result.mutable_asset() = *subject.asset;
      FillScanProgress(sheet, draft.scanning_in, result);
      answer.response.Clear();
      answer.fill(result);
      return absl::OkStatus();
    }
    result.set_quantity(verdict.quantity);
    const SheetLine& line = *sheet.Find(subject.inventory_code);
    std::optional<int64_t> tightened;
    OrderSheet after;
    const bool damaged = draft.condition == v1::SCAN_CONDITION_DAMAGED;
    if (!draft.scanning_in || verdict.put_back) {
      std::vector<std::string> serials = line.serial_numbers;
      if (subject.asset && !draft.scanning_in) serials.push_back(SheetSerialOf(*subject.asset));
      if (subject.asset && draft.scanning_in) {
        auto pulled = std::find(serials.begin(), serials.end(), SheetSerialOf(*subject.asset));
        if (pulled != serials.end()) serials.erase(pulled);
      }
      const int pulled = line.pulled + (draft.scanning_in ? -verdict.quantity : verdict.quantity);
      SALESOPS_ASSIGN_OR_RETURN(
          after,
          ApplyPrepCounts(tx, sheet, {{line.inventory_code, pulled, serials}}, draft.actor.id()));
    } else {
      tx.exec_params(
          "INSERT INTO scanned_returns (order_id, inventory_code, returned, damaged) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (order_id, inventory_code) DO UPDATE SET "
          "returned = scanned_returns.returned + $3, damaged = scanned_returns.damaged + $4",
          draft.order_id, line.inventory_code, damaged ? 0 : verdict.quantity,
          damaged ? verdict.quantity : 0);
      if (damaged && !subject.asset && line.tracking != v1::TRACKING_MODE_CONSUMABLE) {
        tx.exec_params(
            "INSERT INTO out_of_service (inventory_code, quantity, during, reason, order_id, "
            "created_by) VALUES ($1, $2, tstzrange(now(), CASE WHEN $3::bigint > 0 THEN "
            "us_to_ts($3::bigint) END, '[)'), $4, $5, $6)",
            line.inventory_code, verdict.quantity,
            draft.back_in_service_time ? Micros(*draft.back_in_service_time) : 0,
            "damaged on return: " + draft.note, draft.order_id, draft.actor.id());
        tightened = NowMicros();
      }
      SALESOPS_ASSIGN_OR_RETURN(after, LoadSheetIn(tx, draft.order_id, false));
    }
    if (subject.asset) {
      v1::Asset& asset = *subject.asset;
      v1::AssetEvent event;
      event.set_order_id(draft.order_id);
      int64_t out_until = 0;
      if (!draft.scanning_in) {
        event.set_kind(v1::ASSET_EVENT_KIND_SCANNED_OUT);
        asset.set_state(v1::ASSET_STATE_OUT);
        asset.set_order_id(draft.order_id);
        out_until = HeldUntil(sheet, line);
      } else if (verdict.put_back) {
        event.set_kind(v1::ASSET_EVENT_KIND_PUT_BACK);
        asset.set_state(v1::ASSET_STATE_AVAILABLE);
        asset.clear_order_id();
      } else {
        event.set_kind(v1::ASSET_EVENT_KIND_RETURNED);
        event.set_condition(damaged ? v1::SCAN_CONDITION_DAMAGED : v1::SCAN_CONDITION_GOOD);
        event.set_note(draft.note);
        asset.set_state(damaged ? v1::ASSET_STATE_IN_REPAIR : v1::ASSET_STATE_AVAILABLE);
        asset.clear_order_id();
        // Its on-return checks are owed from now on.
        tx.exec_params(
            "UPDATE asset_inspections SET due_time = now() WHERE asset_id = $1 AND NOT periodic",
            asset.asset_id());
        if (damaged) {
          OpenRepair(tx, asset,
                     draft.back_in_service_time ? Micros(*draft.back_in_service_time) : 0,
                     absl::StrCat(asset.asset_id(), " damaged on return: ", draft.note),
                     draft.order_id, draft.actor);
          tightened = NowMicros();
        }
      }
      SaveAsset(tx, asset, out_until);
      AddAssetEvent(tx, asset, std::move(event), draft.actor);
      tightened = Earliest(tightened, RefreshInspectionHold(tx, asset, draft.actor));
      FillInspections(tx, {&asset});
      *result.mutable_asset() = asset;
    }
    if (damaged && draft.scanning_in && !verdict.put_back) {
      AddEvent(
          tx, v1::EVENT_TYPE_ITEM_DAMAGED, draft.order_id, sheet.order_revision, draft.actor.id(),
          absl::StrCat("Order ", draft.order_id, ": ", verdict.message, ", damaged"),
          [&](v1::Event& event) {
            *event.mutable_movement()->add_damaged() = Line(line.inventory_code, verdict.quantity);
          });
    }
    if (tightened) {
      const std::string why = absl::StrCat("after ", verdict.message);
      ReportShortages(tx, line.inventory_code, *tightened, 0, draft.actor.id(), why,
                      [&](v1::StockPayload& stock) { stock.set_reason(why); });
    }
    FillScanProgress(after, draft.scanning_in, result);
    Answered(tx, answer, result);
    return absl::OkStatus();
  });
}

}  // namespace salesops::inventory
