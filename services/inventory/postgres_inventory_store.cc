#include "services/inventory/postgres_inventory_store.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <limits>

#include "services/common/errors.h"
#include "services/common/outbox.h"
#include "services/common/skill_codes.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/inventory/store_answers.h"

namespace salesops::inventory {

v1::InventoryLine Line(const std::string& code, int quantity) {
  v1::InventoryLine line;
  line.set_inventory_code(code);
  line.set_quantity(quantity);
  return line;
}

int64_t Micros(Instant instant) { return instant.time_since_epoch().count(); }
Instant FromMicros(int64_t micros) { return Instant(std::chrono::microseconds(micros)); }

namespace {

using common::BusinessRefusal;
using common::ReasonedError;

constexpr char kSourceService[] = "inventory";
constexpr int kStateActive = 1;
constexpr int kStateReleased = 2;
constexpr int kStateReplaced = 4;

absl::Status StaleEtag(const std::string& what) {
  return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                       what + " was changed by someone else; read it again and retry");
}

absl::Status NotFound(v1::ErrorReason reason, const std::string& what) {
  return ReasonedError(absl::StatusCode::kNotFound, reason, what + " does not exist");
}

constexpr char kItemColumns[] =
    "inventory_code, description, category, quantity_owned, tracking, warehouse_id, revision, "
    "ts_to_us(update_time)";

v1::Item ItemFromRow(const pqxx::row& row) {
  v1::Item item;
  item.set_inventory_code(row[0].as<std::string>());
  item.set_description(row[1].as<std::string>());
  item.set_category(row[2].as<std::string>());
  item.set_quantity_owned(row[3].as<int>());
  item.set_tracking(static_cast<v1::TrackingMode>(row[4].as<int>()));
  item.set_warehouse_id(row[5].as<std::string>());
  item.set_etag(row[6].as<std::string>());
  *item.mutable_update_time() = common::TimestampFromMicros(row[7].as<int64_t>());
  return item;
}

// Loads full products (kit and crew needs) for the given codes.
Catalog LoadProducts(pqxx::work& transaction, const std::vector<std::string>& codes) {
  Catalog catalog;
  std::string codes_array = common::PgTextArray(codes);
  for (const auto& row : transaction.exec_params(
           "SELECT product_code, name, description, day_rate_currency, day_rate_units, "
           "day_rate_nanos, prep_seconds, revision, ts_to_us(update_time), sale_price_currency, "
           "sale_price_units, sale_price_nanos FROM products "
           "WHERE product_code = ANY($1::text[])",
           codes_array)) {
    v1::Product product;
    product.set_product_code(row[0].as<std::string>());
    product.set_name(row[1].as<std::string>());
    product.set_description(row[2].as<std::string>());
    if (!row[3].as<std::string>().empty()) {
      product.mutable_day_rate()->set_currency_code(row[3].as<std::string>());
      product.mutable_day_rate()->set_units(row[4].as<int64_t>());
      product.mutable_day_rate()->set_nanos(row[5].as<int>());
    }
    if (!row[9].as<std::string>().empty()) {
      product.mutable_sale_price()->set_currency_code(row[9].as<std::string>());
      product.mutable_sale_price()->set_units(row[10].as<int64_t>());
      product.mutable_sale_price()->set_nanos(row[11].as<int>());
    }
    product.mutable_prep_time()->set_seconds(row[6].as<int64_t>());
    product.set_etag(row[7].as<std::string>());
    *product.mutable_update_time() = common::TimestampFromMicros(row[8].as<int64_t>());
    catalog[product.product_code()] = std::move(product);
  }
  for (const auto& row : transaction.exec_params(
           "SELECT product_code, inventory_code, quantity FROM product_components "
           "WHERE product_code = ANY($1::text[]) ORDER BY product_code, inventory_code",
           codes_array)) {
    v1::InventoryLine* component = catalog[row[0].as<std::string>()].add_components();
    component->set_inventory_code(row[1].as<std::string>());
    component->set_quantity(row[2].as<int>());
  }
  for (const auto& row : transaction.exec_params(
           "SELECT product_code, skill_code, duration_seconds, headcount, min_level "
           "FROM product_crew_needs WHERE product_code = ANY($1::text[]) "
           "ORDER BY product_code, position",
           codes_array)) {
    v1::CrewNeed* need = catalog[row[0].as<std::string>()].add_crew_needs();
    common::SetSkill(need, row[1].as<std::string>());
    need->set_min_level(row[4].as<int>());
    need->mutable_duration()->set_seconds(row[2].as<int64_t>());
    need->set_headcount(row[3].as<int>());
  }
  return catalog;
}

// Runs `sql` as the statement `name`, prepared once per connection: parsed and planned on
// first use, not on every call. Defining a name again with the same text is a no-op in
// libpqxx, so each call site simply names its statement.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& transaction, const std::string& name,
                          const char* sql, const Args&... args) {
  transaction.conn().prepare(name, sql);
  return transaction.exec_prepared(name, args...);
}

// An instant as a timestamptz parameter. Passed as a value rather than converted in SQL
// (us_to_ts is a SQL function that is not inlined): a prepared statement's generic plan
// would call it again for every row it filters.
std::string PgTime(Instant instant) {
  return google::protobuf::util::TimeUtil::ToString(common::TimestampFromMicros(Micros(instant)));
}

// Statements whose arguments a plan should not see read them through a sub-select, e.g.
// `ANY((SELECT $1::text[])::text[])`: PostgreSQL then costs its custom plans as it costs the
// generic one and keeps the generic plan, instead of planning again on every call because a
// custom plan "knows" that the array has 2 codes rather than 10. Planning on every call was
// the largest part of a Reserve's database time.

// The stock of the codes over the range, in one statement (one round trip, one snapshot):
// each item's row (kind -1: owned, tracking and description), then every line, period and
// sub-rental overlapping the range, clipped to it. Active lines are found through
// reservation_lines_by_end: one index scan for all codes, starting at the range's start.
// Consumable codes (tracking 3) also get every other order's undrawn units, whatever their
// window (kinds 4 firm, 5 held): what goes out never comes back, so they compete with every
// window. An order's parts are summed and what it drew already (consumed_stock) taken off.
constexpr char kLoadStockSql[] =
    "SELECT i.inventory_code, -1, i.quantity_owned, i.tracking::bigint, 0::bigint, 0::float8, "
    "  i.description "
    "FROM items i WHERE i.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "UNION ALL "
    "SELECT l.inventory_code, CASE WHEN l.kind = 2 THEN 0 ELSE 1 END, l.quantity, "
    "  ts_to_us(greatest(lower(l.during), $2::timestamptz)), "
    "  ts_to_us(least(upper(l.during), $3::timestamptz)), l.win_probability, '' "
    "FROM reservation_lines l "
    "WHERE l.active AND l.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND upper(l.during) > (SELECT $2::timestamptz) "
    "  AND lower(l.during) < (SELECT $3::timestamptz) "
    "  AND l.during && tstzrange($2::timestamptz, $3::timestamptz, '[)') "
    "  AND l.order_id <> $4 "
    "  AND ((l.kind = 2 AND $5) OR (l.kind = 1 AND $6 AND l.expire_time > now())) "
    "UNION ALL "
    "SELECT l.inventory_code, CASE WHEN l.kind = 2 THEN 4 ELSE 5 END, "
    "  greatest(sum(l.quantity) - coalesce(max(c.quantity), 0), 0), 0::bigint, 0::bigint, "
    "  max(l.win_probability), '' "
    "FROM items i JOIN reservation_lines l ON l.inventory_code = i.inventory_code AND l.active "
    "  LEFT JOIN consumed_stock c ON c.order_id = l.order_id "
    "    AND c.inventory_code = l.inventory_code "
    "WHERE i.inventory_code = ANY((SELECT $1::text[])::text[]) AND i.tracking = 3 "
    "  AND l.order_id <> $4 "
    "  AND ((l.kind = 2 AND $5) OR (l.kind = 1 AND $6 AND l.expire_time > now())) "
    "GROUP BY l.order_id, l.inventory_code, l.kind "
    "UNION ALL "
    // What the order being decided drew already (kind 6): in its hands, toward its own demand.
    "SELECT c.inventory_code, 6, c.quantity, 0::bigint, 0::bigint, 1.0, '' "
    "FROM consumed_stock c JOIN items i USING (inventory_code) "
    "WHERE c.order_id = $4 AND c.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND i.tracking = 3 AND c.quantity > 0 "
    "UNION ALL "
    // Clipped to the range: a period "until repaired" is open-ended. A unit's inspection hold
    // (unit_hold 2) counts once the inspection is overdue, as a hold's expiry is read against
    // now(): a test due next month is planned, not yet missed.
    "SELECT o.inventory_code, 2, o.quantity, "
    "  ts_to_us(greatest(lower(o.during), $2::timestamptz)), "
    "  ts_to_us(least(upper(o.during), $3::timestamptz)), 1.0, '' "
    "FROM out_of_service o WHERE o.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND o.during && tstzrange($2::timestamptz, $3::timestamptz, '[)') "
    "  AND (o.unit_hold <> 2 OR lower(o.during) <= now()) "
    "UNION ALL "
    "SELECT s.inventory_code, 3, s.quantity, "
    "  ts_to_us(greatest(lower(s.during), $2::timestamptz)), "
    "  ts_to_us(least(upper(s.during), $3::timestamptz)), 1.0, '' "
    "FROM sub_rentals s WHERE s.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND s.during && tstzrange($2::timestamptz, $3::timestamptz, '[)') "
    "UNION ALL "
    // Units on the road between warehouses (kind 7): available nowhere until they arrive.
    "SELECT t.inventory_code, 7, t.quantity, "
    "  ts_to_us(greatest(lower(t.during), $2::timestamptz)), "
    "  ts_to_us(least(upper(t.during), $3::timestamptz)), 1.0, '' "
    "FROM transfer_lines t WHERE t.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND NOT t.cancelled AND t.during && tstzrange($2::timestamptz, $3::timestamptz, '[)')";

// Where the codes' units live: each code's home with what it owns (kind 0), what the other
// warehouses keep (kind 1), and every transfer of the code that departs before the range ends
// (kind 2): a move is for good.
constexpr char kLoadWarehousesSql[] =
    "SELECT i.inventory_code, 0, i.warehouse_id, '', i.quantity_owned, 0::bigint, 0::bigint "
    "FROM items i WHERE i.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "UNION ALL "
    "SELECT w.inventory_code, 1, w.warehouse_id, '', w.quantity, 0::bigint, 0::bigint "
    "FROM warehouse_stock w WHERE w.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "UNION ALL "
    "SELECT t.inventory_code, 2, t.from_warehouse_id, t.to_warehouse_id, t.quantity, "
    "  ts_to_us(lower(t.during)), ts_to_us(upper(t.during)) "
    "FROM transfer_lines t WHERE t.inventory_code = ANY((SELECT $1::text[])::text[]) "
    "  AND NOT t.cancelled AND lower(t.during) < $2::timestamptz "
    "ORDER BY 1, 2";

}  // namespace

LoadedStock LoadStockIn(pqxx::transaction_base& transaction, const StockQuery& query) {
  static constexpr StockChange::Kind kKinds[] = {
      StockChange::Kind::kReserved, StockChange::Kind::kHeld, StockChange::Kind::kOutOfService,
      StockChange::Kind::kSubRentedIn};
  LoadedStock loaded;
  // Consumable codes' undrawn units (and what the order decided drew), over the whole range;
  // they replace the windowed lines.
  std::map<std::string, std::vector<StockChange>> undrawn;
  for (const auto& row : ExecPrepared(transaction, "inventory_load_stock", kLoadStockSql,
                                      common::PgTextArray(query.codes), PgTime(query.range.start),
                                      PgTime(query.range.end), query.exclude_order_id,
                                      query.include_firm, query.include_holds)) {
    const int kind = row[1].as<int>();
    CodeStock& stock = loaded.picture[row[0].as<std::string>()];
    if (kind < 0) {
      stock.owned = row[2].as<int>();
      stock.consumable = row[3].as<int>() == v1::TRACKING_MODE_CONSUMABLE;
      loaded.descriptions[row[0].as<std::string>()] = row[6].as<std::string>();
      continue;
    }
    if (kind == 7) {
      stock.changes.push_back({StockChange::Kind::kOutOfService,
                               {FromMicros(row[3].as<int64_t>()), FromMicros(row[4].as<int64_t>())},
                               row[2].as<int>(),
                               1.0,
                               true});
      continue;
    }
    if (kind >= 4) {
      static constexpr StockChange::Kind kConsumableKinds[] = {
          StockChange::Kind::kReserved, StockChange::Kind::kHeld, StockChange::Kind::kDrawn};
      undrawn[row[0].as<std::string>()].push_back(
          {kConsumableKinds[kind - 4], query.range, row[2].as<int>(), row[5].as<double>()});
      continue;
    }
    stock.changes.push_back({kKinds[kind],
                             {FromMicros(row[3].as<int64_t>()), FromMicros(row[4].as<int64_t>())},
                             row[2].as<int>(),
                             row[5].as<double>()});
  }
  for (auto& [code, stock] : loaded.picture) {
    if (!stock.consumable) continue;
    std::erase_if(stock.changes, [](const StockChange& change) {
      return change.kind == StockChange::Kind::kReserved || change.kind == StockChange::Kind::kHeld;
    });
    for (StockChange& change : undrawn[code]) stock.changes.push_back(change);
  }
  for (const std::string& code : query.codes) {
    if (loaded.descriptions.count(code) == 0) loaded.unknown_codes.push_back(code);
  }
  if (!query.with_warehouses) return loaded;
  for (const auto& row : transaction.exec_params(
           kLoadWarehousesSql, common::PgTextArray(query.codes), PgTime(query.range.end))) {
    WarehouseSplit& split = loaded.picture[row[0].as<std::string>()].warehouses;
    if (row[1].as<int>() == 0) {
      split.home = row[2].as<std::string>();
      split.base[split.home] = row[4].as<int>();  // what it owns, less the others below
    } else if (row[1].as<int>() == 1) {
      split.base[row[2].as<std::string>()] += row[4].as<int>();
      split.base[split.home] = std::max(0, split.base[split.home] - row[4].as<int>());
    } else {
      split.moves.push_back({row[2].as<std::string>(),
                             row[3].as<std::string>(),
                             {FromMicros(row[5].as<int64_t>()), FromMicros(row[6].as<int64_t>())},
                             row[4].as<int>()});
    }
  }
  return loaded;
}

namespace {

constexpr char kReservationColumns[] =
    "reservation_id::text, order_id, order_revision, kind, state, ts_to_us(lower(during)), "
    "ts_to_us(upper(during)), coalesce(ts_to_us(expire_time), 0), win_probability, created_by, "
    "ts_to_us(create_time)";

// A reservation's row (kReservationColumns) as the API shows it, without its lines. A hold
// past its expire_time reads EXPIRED: it stopped counting then, whatever its row says.
v1::Reservation ReservationFromRow(const pqxx::row& row) {
  v1::Reservation reservation;
  reservation.set_reservation_id(row[0].as<std::string>());
  reservation.set_order_id(row[1].as<std::string>());
  reservation.set_order_revision(row[2].as<int64_t>());
  reservation.set_kind(static_cast<v1::ReservationKind>(row[3].as<int>()));
  int state = row[4].as<int>();
  int64_t expire = row[7].as<int64_t>();
  const int64_t now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  if (state == kStateActive && reservation.kind() == v1::RESERVATION_KIND_HOLD && expire != 0 &&
      expire <= now_micros) {
    state = v1::RESERVATION_STATE_EXPIRED;
  }
  reservation.set_state(static_cast<v1::ReservationState>(state));
  *reservation.mutable_window()->mutable_not_before() =
      common::TimestampFromMicros(row[5].as<int64_t>());
  *reservation.mutable_window()->mutable_no_later_than() =
      common::TimestampFromMicros(row[6].as<int64_t>());
  if (expire != 0) *reservation.mutable_expire_time() = common::TimestampFromMicros(expire);
  reservation.set_win_probability(row[8].as<double>());
  reservation.mutable_created_by()->set_id(row[9].as<std::string>());
  *reservation.mutable_create_time() = common::TimestampFromMicros(row[10].as<int64_t>());
  return reservation;
}

// The columns AddLine reads, for lines ordered by (reservation_id,) phase_id, inventory_code.
constexpr char kLineColumns[] =
    "phase_id, inventory_code, quantity, ts_to_us(lower(during)), ts_to_us(upper(during))";

// Adds a line row (kLineColumns from `first`) to `reservation`: the main part's to its lines,
// another part's to that part, which is opened (with its window, the line's) when the rows
// reach it.
void AddLine(v1::Reservation& reservation, const pqxx::row& row, int first) {
  const std::string phase_id = row[first].as<std::string>();
  v1::InventoryLine line = Line(row[first + 1].as<std::string>(), row[first + 2].as<int>());
  if (phase_id.empty()) {
    *reservation.add_lines() = std::move(line);
    return;
  }
  if (reservation.parts_size() == 0 || reservation.parts().rbegin()->phase_id() != phase_id) {
    v1::ReservationPart* part = reservation.add_parts();
    part->set_phase_id(phase_id);
    *part->mutable_window()->mutable_not_before() =
        common::TimestampFromMicros(row[first + 3].as<int64_t>());
    *part->mutable_window()->mutable_no_later_than() =
        common::TimestampFromMicros(row[first + 4].as<int64_t>());
  }
  *reservation.mutable_parts()->rbegin()->add_lines() = std::move(line);
}

// A reservation with the lines of all its parts, as the API shows it.
v1::Reservation LoadReservation(pqxx::work& transaction, const std::string& reservation_id) {
  v1::Reservation reservation = ReservationFromRow(
      transaction.exec_params1(std::string("SELECT ") + kReservationColumns +
                                   " FROM reservations WHERE reservation_id = $1::uuid",
                               reservation_id));
  for (const auto& line :
       transaction.exec_params(std::string("SELECT ") + kLineColumns +
                                   " FROM reservation_lines WHERE reservation_id = $1::uuid "
                                   "ORDER BY phase_id, inventory_code",
                               reservation_id)) {
    AddLine(reservation, line, 0);
  }
  return reservation;
}

// The event that tells what happened to `reservation`.
v1::Event StockEvent(v1::EventType type, const v1::Reservation& reservation,
                     const std::vector<Shortage>& shortages, const std::string& actor_id,
                     const std::string& summary) {
  v1::Event event;
  event.set_type(type);
  event.set_order_id(reservation.order_id());
  event.set_order_revision(reservation.order_revision());
  event.mutable_actor()->set_id(actor_id);
  event.set_summary(summary);
  v1::StockPayload* stock = event.mutable_stock();
  stock->set_reservation_id(reservation.reservation_id());
  stock->set_tentative(reservation.kind() == v1::RESERVATION_KIND_HOLD);
  // Every part's lines (a code in two parts is listed twice), over a window that holds them
  // all, so that whoever reads the event sees everything the reservation covers.
  *stock->mutable_lines() = reservation.lines();
  *stock->mutable_window() = reservation.window();
  for (const v1::ReservationPart& part : reservation.parts()) {
    for (const v1::InventoryLine& line : part.lines()) *stock->add_lines() = line;
    v1::Window& span = *stock->mutable_window();
    if (part.window().not_before() < span.not_before()) {
      *span.mutable_not_before() = part.window().not_before();
    }
    if (part.window().no_later_than() > span.no_later_than()) {
      *span.mutable_no_later_than() = part.window().no_later_than();
    }
  }
  for (const Shortage& shortage : shortages) {
    v1::StockShortage* added = stock->add_shortages();
    added->set_inventory_code(shortage.inventory_code);
    added->set_requested(shortage.requested);
    added->set_available(shortage.available);
    added->set_shortfall(shortage.shortfall());
  }
  return event;
}

void AddStockEvent(pqxx::work& transaction, v1::EventType type, const v1::Reservation& reservation,
                   const std::vector<Shortage>& shortages, const std::string& actor_id,
                   const std::string& summary) {
  common::AppendToOutbox(transaction, StockEvent(type, reservation, shortages, actor_id, summary),
                         kSourceService);
}

// A Reserve or PlaceHold is four statements on its common path, each prepared: the order's
// lock; the codes' locks with the order's active reservations; the stock; the reservation
// with its lines and its event.
constexpr char kLockOrderSql[] = "SELECT pg_advisory_xact_lock(hashtext('order:' || $1))";
constexpr char kFindUndoneSql[] = "SELECT 1 FROM undone_requests WHERE request_id = $1";

// The invariant "reserved <= owned at every instant" holds per code and instant, so two
// decisions on a code interact only when their windows share a day. A Reserve or PlaceHold
// therefore locks each code's row in share mode (anything that changes what a code owns locks
// it FOR UPDATE, and waits for them all) and then each (code, day) of its window, exclusively:
// orders on other days of the same code go in parallel, and every decision on a code and day
// sees all reservations committed before it. Always in one order (rows by code, then day keys
// sorted), so no two wait on each other; a deadlock between hash-colliding keys is retried by
// the pool. A window too long for that many locks locks its codes' rows FOR UPDATE instead,
// which excludes every other decision on them. The order's active reservations (rows with a
// NULL code) need no lock of their own: every change to them holds the order's advisory lock,
// taken before this.
constexpr int kMaxStockDayLocks = 256;
// A consumable code's decisions all interact (what one order uses up is gone for every later
// window), so they take one key for the code instead of one per day: no day is this one.
constexpr int64_t kConsumableDayKey = std::numeric_limits<int32_t>::min();
// The codes' rows in `mode`, with the order's active reservations.
std::string LockCodesSql(const char* mode) {
  return std::string(
             "WITH locked AS (SELECT inventory_code, tracking FROM items WHERE inventory_code = "
             "ANY((SELECT $1::text[])::text[]) ORDER BY inventory_code ") +
         mode +
         ") SELECT inventory_code, NULL::text, 0::bigint, tracking::int FROM locked UNION ALL "
         "SELECT NULL, reservation_id::text, order_revision, kind::int FROM reservations "
         "WHERE order_id = $2 AND state = 1";
}
const std::string kShareCodesSql = LockCodesSql("FOR KEY SHARE");
const std::string kLockCodesSql = LockCodesSql("FOR UPDATE");
// The (code, day) pairs come as two arrays of equal length: a reservation's parts lock each
// of their codes for the days of their own window.
constexpr char kLockCodeDaysSql[] =
    "SELECT count(pg_advisory_xact_lock(k, d)) FROM (SELECT DISTINCT hashtext('stock:' || c) "
    "  AS k, d FROM unnest((SELECT $1::text[])::text[], (SELECT $2::int[])::int[]) AS u(c, d) "
    "  ORDER BY k, d) AS keys";

// Whole UTC days since the epoch that [start, end) touches.
std::pair<int64_t, int64_t> DaysOf(const Interval& window) {
  using std::chrono::floor;
  const auto first = floor<std::chrono::days>(window.start).time_since_epoch().count();
  const auto last = floor<std::chrono::days>(window.end - std::chrono::microseconds(1))
                        .time_since_epoch()
                        .count();
  return {first, std::max(first, last)};
}

constexpr char kReplaceSql[] =
    "WITH replaced AS (UPDATE reservations SET state = $2, end_time = now(), end_reason = $3 "
    "  WHERE reservation_id = ANY($1::uuid[]) RETURNING reservation_id) "
    "UPDATE reservation_lines SET active = false "
    "WHERE reservation_id IN (SELECT reservation_id FROM replaced)";

// The reservation, its lines (carrying copies of its range, kind and expiry: see the
// migrations) and its event, in one statement.
// Each line carries its part's phase_id and window; the main part's lines ('' phase) carry
// the reservation's.
constexpr char kInsertReservationSql[] =
    "WITH r AS (INSERT INTO reservations (reservation_id, order_id, order_revision, kind, "
    "  state, during, expire_time, win_probability, created_by) VALUES ($1::uuid, $2, $3, $4, "
    "  $5, tstzrange($6::timestamptz, $7::timestamptz, '[)'), "
    "  CASE WHEN $8 THEN $9::timestamptz END, $10, $11) "
    "  RETURNING reservation_id, during, kind, expire_time, win_probability, order_id, "
    "  create_time), "
    " lines AS (INSERT INTO reservation_lines (reservation_id, phase_id, inventory_code, "
    "  quantity, during, kind, expire_time, win_probability, order_id) "
    "  SELECT r.reservation_id, c.phase_id, c.code, c.quantity, CASE WHEN c.phase_id = '' "
    "  THEN r.during ELSE tstzrange(c.starts, c.ends, '[)') END, r.kind, r.expire_time, "
    "  r.win_probability, r.order_id "
    "  FROM r, unnest($12::text[], $13::bigint[], $18::text[], $19::timestamptz[], "
    "  $20::timestamptz[]) AS c(code, quantity, phase_id, starts, ends)), "
    " event AS (INSERT INTO outbox (event_id, event_type, order_id, payload) "
    "  VALUES ($14, $15, $16, $17)) "
    "SELECT ts_to_us(create_time) FROM r";

}  // namespace

absl::Status PostgresInventoryStore::UpsertItem(const v1::Item& item, const std::string& etag,
                                                const std::string& actor_id,
                                                const Answer<std::pair<v1::Item, bool>>& answer) {
  return pool_.InTransaction("upsert_item", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    std::pair<v1::Item, bool> result;
    pqxx::result existing = transaction.exec_params(
        "SELECT revision FROM items WHERE inventory_code = $1 FOR UPDATE", item.inventory_code());
    if (!etag.empty() && (existing.empty() || existing[0][0].as<std::string>() != etag)) {
      return StaleEtag("item " + item.inventory_code());
    }
    result.second = existing.empty();
    const int64_t owned_before =
        existing.empty()
            ? 0
            : transaction
                  .exec_params1("SELECT quantity_owned FROM items WHERE inventory_code = $1",
                                item.inventory_code())[0]
                  .as<int64_t>();
    pqxx::row row = transaction.exec_params1(
        std::string("INSERT INTO items (inventory_code, description, category, quantity_owned, "
                    "tracking, warehouse_id) VALUES ($1, $2, $3, $4, $5, $6) "
                    "ON CONFLICT (inventory_code) DO UPDATE SET description = $2, category = $3, "
                    "quantity_owned = $4, tracking = $5, warehouse_id = $6, "
                    "revision = items.revision + 1, update_time = now() RETURNING ") +
            kItemColumns,
        item.inventory_code(), item.description(), item.category(), item.quantity_owned(),
        static_cast<int>(item.tracking()), item.warehouse_id());
    result.first = ItemFromRow(row);
    // Fewer units than before (sold, written off, miscounted): the confirmed orders from now
    // on that no longer fit are named, as an out-of-service period names them.
    if (!existing.empty() && item.quantity_owned() < owned_before) {
      const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      ReportShortages(transaction, item.inventory_code(), now_us, 0, actor_id,
                      "after the units owned went from " + std::to_string(owned_before) + " to " +
                          std::to_string(item.quantity_owned()),
                      {});
    }
    Answered(transaction, answer, result);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::GetItemResponse> PostgresInventoryStore::GetItem(
    const std::string& inventory_code) {
  v1::GetItemResponse response;
  absl::Status status = pool_.InTransaction("get_item", [&](pqxx::work& transaction) {
    pqxx::result rows = transaction.exec_params(
        std::string("SELECT ") + kItemColumns + " FROM items WHERE inventory_code = $1",
        inventory_code);
    if (rows.empty()) return NotFound(v1::UNKNOWN_INVENTORY_CODE, "item " + inventory_code);
    *response.mutable_item() = ItemFromRow(rows[0]);
    for (const auto& row : transaction.exec_params(
             "SELECT product_code FROM product_components WHERE inventory_code = $1 "
             "ORDER BY product_code",
             inventory_code)) {
      response.add_used_by_product_codes(row[0].as<std::string>());
    }
    response.set_out_of_service_quantity(
        transaction
            .exec_params1("SELECT coalesce(sum(quantity), 0) FROM out_of_service "
                          "WHERE inventory_code = $1 AND during @> now()",
                          inventory_code)[0]
            .as<int>());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<Page<v1::Item>> PostgresInventoryStore::ListItems(const v1::ListItemsRequest& filter,
                                                                 int limit,
                                                                 const std::string& after) {
  Page<v1::Item> page;
  absl::Status status = pool_.InTransaction("list_items", [&](pqxx::work& transaction) {
    std::vector<std::string> codes(filter.inventory_codes().begin(),
                                   filter.inventory_codes().end());
    pqxx::result rows = transaction.exec_params(
        std::string("SELECT ") + kItemColumns +
            " FROM items WHERE inventory_code > $1"
            " AND ($2 = '' OR category = $2) AND ($3 = '' OR warehouse_id = $3)"
            " AND ($4 = 0 OR tracking = $4)"
            " AND ($5 = '' OR inventory_code ILIKE $6 OR description ILIKE $6)"
            " AND (cardinality($7::text[]) = 0 OR inventory_code = ANY($7::text[]))"
            " ORDER BY inventory_code LIMIT $8",
        after, filter.category(), filter.warehouse_id(), static_cast<int>(filter.tracking()),
        filter.search_text(), common::ContainsPattern(filter.search_text()),
        common::PgTextArray(codes), limit + 1);
    common::FillPage(
        page, rows, limit, [](const pqxx::row& row) { return ItemFromRow(row); },
        [](const auto& entry) { return entry.inventory_code(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status PostgresInventoryStore::DeleteItem(const std::string& inventory_code,
                                                const std::string& etag,
                                                const Answer<std::string>& answer) {
  return pool_.InTransaction("delete_item", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    pqxx::result existing = transaction.exec_params(
        "SELECT revision FROM items WHERE inventory_code = $1 FOR UPDATE", inventory_code);
    if (existing.empty()) return NotFound(v1::UNKNOWN_INVENTORY_CODE, "item " + inventory_code);
    if (!etag.empty() && existing[0][0].as<std::string>() != etag) {
      return StaleEtag("item " + inventory_code);
    }
    pqxx::result users = transaction.exec_params(
        "SELECT string_agg(product_code, ', ' ORDER BY product_code) FROM product_components "
        "WHERE inventory_code = $1 HAVING count(*) > 0",
        inventory_code);
    if (!users.empty()) {
      return BusinessRefusal(v1::ITEM_IN_USE,
                             inventory_code + " is still in the kit of " +
                                 users[0][0].as<std::string>() + "; change those products first",
                             {{"used_by", users[0][0].as<std::string>()}});
    }
    if (!transaction
             .exec_params("SELECT 1 FROM reservation_lines WHERE inventory_code = $1 LIMIT 1",
                          inventory_code)
             .empty()) {
      return BusinessRefusal(v1::ITEM_IN_USE, inventory_code +
                                                  " has reservation history; set its quantity "
                                                  "owned to 0 instead of deleting it");
    }
    transaction.exec_params("DELETE FROM items WHERE inventory_code = $1", inventory_code);
    Answered(transaction, answer, inventory_code);
    return absl::OkStatus();
  });
}

absl::Status PostgresInventoryStore::UpsertProduct(
    const v1::Product& product, const std::string& etag,
    const Answer<std::pair<v1::Product, bool>>& answer) {
  return pool_.InTransaction("upsert_product", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    std::pair<v1::Product, bool> result;
    std::vector<std::string> component_codes;
    for (const auto& component : product.components()) {
      component_codes.push_back(component.inventory_code());
    }
    std::map<std::string, v1::TrackingMode> known;
    for (const auto& row :
         transaction.exec_params("SELECT inventory_code, tracking FROM items "
                                 "WHERE inventory_code = ANY($1::text[]) FOR SHARE",
                                 common::PgTextArray(component_codes))) {
      known[row[0].as<std::string>()] = static_cast<v1::TrackingMode>(row[1].as<int>());
    }
    std::vector<common::FieldViolation> unknown;
    std::vector<common::FieldViolation> not_consumable;
    for (int i = 0; i < product.components_size(); ++i) {
      const std::string field = "product.components[" + std::to_string(i) + "].inventory_code";
      const std::string& code = product.components(i).inventory_code();
      auto found = known.find(code);
      if (found == known.end()) {
        unknown.push_back({field, "unknown inventory code '" + code + "'"});
      } else if (product.has_sale_price() && found->second != v1::TRACKING_MODE_CONSUMABLE) {
        // A sale item is never expected back, so its stock must be stock that is used up.
        not_consumable.push_back(
            {field, "'" + code +
                        "' is not consumable stock, and a sale item (sale_price) is "
                        "sold, not returned: make the item TRACKING_MODE_CONSUMABLE or rent the "
                        "product with a day_rate"});
      }
    }
    if (!unknown.empty()) {
      return common::UnknownReferenceError(std::move(unknown), v1::UNKNOWN_INVENTORY_CODE);
    }
    if (!not_consumable.empty()) return common::InvalidArgumentError(std::move(not_consumable));
    pqxx::result existing = transaction.exec_params(
        "SELECT revision FROM products WHERE product_code = $1 FOR UPDATE", product.product_code());
    if (!etag.empty() && (existing.empty() || existing[0][0].as<std::string>() != etag)) {
      return StaleEtag("product " + product.product_code());
    }
    result.second = existing.empty();
    transaction.exec_params(
        "INSERT INTO products (product_code, name, description, day_rate_currency, "
        "day_rate_units, day_rate_nanos, prep_seconds, sale_price_currency, sale_price_units, "
        "sale_price_nanos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (product_code) DO UPDATE SET name = $2, description = $3, "
        "day_rate_currency = $4, day_rate_units = $5, day_rate_nanos = $6, prep_seconds = $7, "
        "sale_price_currency = $8, sale_price_units = $9, sale_price_nanos = $10, "
        "revision = products.revision + 1, update_time = now()",
        product.product_code(), product.name(), product.description(),
        product.day_rate().currency_code(), product.day_rate().units(), product.day_rate().nanos(),
        product.prep_time().seconds(), product.sale_price().currency_code(),
        product.sale_price().units(), product.sale_price().nanos());
    transaction.exec_params("DELETE FROM product_components WHERE product_code = $1",
                            product.product_code());
    transaction.exec_params("DELETE FROM product_crew_needs WHERE product_code = $1",
                            product.product_code());
    std::map<std::string, int> kit;  // the same code listed twice counts once, summed
    for (const auto& component : product.components()) {
      kit[component.inventory_code()] += component.quantity();
    }
    for (const auto& [code, quantity] : kit) {
      transaction.exec_params(
          "INSERT INTO product_components (product_code, inventory_code, quantity) "
          "VALUES ($1, $2, $3)",
          product.product_code(), code, quantity);
    }
    for (int i = 0; i < product.crew_needs_size(); ++i) {
      const v1::CrewNeed& need = product.crew_needs(i);
      transaction.exec_params(
          "INSERT INTO product_crew_needs (product_code, position, skill_code, min_level, "
          "duration_seconds, headcount) VALUES ($1, $2, $3, $4, $5, $6)",
          product.product_code(), i, common::SkillCodeOf(need), need.min_level(),
          need.duration().seconds(), need.headcount());
    }
    result.first = LoadProducts(transaction, {product.product_code()}).at(product.product_code());
    Answered(transaction, answer, result);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Product> PostgresInventoryStore::GetProduct(const std::string& product_code) {
  absl::StatusOr<Catalog> found = FindProducts({product_code});
  if (!found.ok()) return found.status();
  if (found->empty()) return NotFound(v1::UNKNOWN_PRODUCT_CODE, "product " + product_code);
  return found->begin()->second;
}

absl::StatusOr<Page<v1::Product>> PostgresInventoryStore::ListProducts(
    const v1::ListProductsRequest& filter, int limit, const std::string& after) {
  Page<v1::Product> page;
  absl::Status status = pool_.InTransaction("list_products", [&](pqxx::work& transaction) {
    std::vector<std::string> codes(filter.product_codes().begin(), filter.product_codes().end());
    std::vector<std::string> matching;
    for (const auto& row : transaction.exec_params(
             "SELECT p.product_code FROM products p WHERE p.product_code > $1"
             " AND ($2 = '' OR p.product_code ILIKE $3 OR p.name ILIKE $3"
             "      OR p.description ILIKE $3)"
             " AND ($4 = '' OR EXISTS (SELECT 1 FROM product_components c"
             "      WHERE c.product_code = p.product_code AND c.inventory_code = $4))"
             " AND ($5 = '' OR EXISTS (SELECT 1 FROM product_crew_needs n"
             "      WHERE n.product_code = p.product_code AND n.skill_code = $5))"
             " AND (cardinality($6::text[]) = 0 OR p.product_code = ANY($6::text[]))"
             " ORDER BY p.product_code LIMIT $7",
             after, filter.search_text(), common::ContainsPattern(filter.search_text()),
             filter.component_inventory_code(), common::SkillCodeOf(filter),
             common::PgTextArray(codes), limit + 1)) {
      matching.push_back(row[0].as<std::string>());
    }
    bool more = static_cast<int>(matching.size()) > limit;
    if (more) matching.pop_back();
    Catalog catalog = LoadProducts(transaction, matching);
    for (const std::string& code : matching) page.entries.push_back(catalog.at(code));
    if (more) page.next_after = matching.back();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status PostgresInventoryStore::DeleteProduct(const std::string& product_code,
                                                   const std::string& etag,
                                                   const Answer<std::string>& answer) {
  return pool_.InTransaction("delete_product", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    pqxx::result existing = transaction.exec_params(
        "SELECT revision FROM products WHERE product_code = $1 FOR UPDATE", product_code);
    if (existing.empty()) return NotFound(v1::UNKNOWN_PRODUCT_CODE, "product " + product_code);
    if (!etag.empty() && existing[0][0].as<std::string>() != etag) {
      return StaleEtag("product " + product_code);
    }
    transaction.exec_params("DELETE FROM products WHERE product_code = $1", product_code);
    Answered(transaction, answer, product_code);
    return absl::OkStatus();
  });
}

absl::StatusOr<Catalog> PostgresInventoryStore::FindProducts(
    const std::vector<std::string>& product_codes) {
  Catalog catalog;
  absl::Status status = pool_.InTransaction("find_products", [&](pqxx::work& transaction) {
    catalog = LoadProducts(transaction, product_codes);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return catalog;
}

absl::StatusOr<LoadedStock> PostgresInventoryStore::LoadStock(const StockQuery& query) {
  LoadedStock loaded;
  absl::Status status = pool_.Read("load_stock", [&](pqxx::transaction_base& transaction) {
    loaded = LoadStockIn(transaction, query);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return loaded;
}

absl::Status PostgresInventoryStore::PlaceReservation(const ReservationDraft& draft,
                                                      const StockDecision& decide,
                                                      const Answer<ReservationOutcome>& answer) {
  const bool firm = draft.kind == v1::RESERVATION_KIND_FIRM;
  return pool_.InTransaction(
      firm ? "reserve" : "place_hold", [&](pqxx::work& transaction) -> absl::Status {
        ReservationOutcome outcome;
        // One order's revisions take turns, so "replace the previous one" is well defined.
        ExecPrepared(transaction, "inventory_lock_order", kLockOrderSql, draft.order_id);
        // Under the order's lock, which a Release recording an undo also holds: either that
        // Release comes first and this Reserve writes nothing, or it comes after and releases it.
        if (firm && !draft.request_id.empty() &&
            !ExecPrepared(transaction, "inventory_find_undone", kFindUndoneSql, draft.request_id)
                 .empty()) {
          return ReasonedError(absl::StatusCode::kAborted, v1::STEP_UNDONE,
                               "request " + draft.request_id + " for order " + draft.order_id +
                                   " was undone by a Release; it changes nothing");
        }
        SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
        if (replayed) return absl::OkStatus();
        std::vector<std::string> codes;
        // Each part locks its codes for the days of its own window.
        std::set<std::pair<std::string, int64_t>> code_days;
        bool by_day = true;
        for (const PartDemand& part : draft.parts) {
          const auto [first_day, last_day] = DaysOf(part.window);
          for (const CodeDemand& line : part.lines) {
            codes.push_back(line.inventory_code);
            for (int64_t day = first_day; by_day && day <= last_day; ++day) {
              code_days.insert({line.inventory_code, day});
              by_day = code_days.size() <= static_cast<size_t>(kMaxStockDayLocks);
            }
          }
        }
        std::sort(codes.begin(), codes.end());
        codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        std::set<std::string> locked;
        std::vector<pqxx::row> active;
        const pqxx::result code_rows =
            by_day ? ExecPrepared(transaction, "inventory_share_codes", kShareCodesSql.c_str(),
                                  common::PgTextArray(codes), draft.order_id)
                   : ExecPrepared(transaction, "inventory_lock_codes", kLockCodesSql.c_str(),
                                  common::PgTextArray(codes), draft.order_id);
        std::set<std::string> consumable;
        for (const auto& row : code_rows) {
          if (row[0].is_null()) {
            active.push_back(row);
          } else {
            locked.insert(row[0].as<std::string>());
            if (row[3].as<int>() == v1::TRACKING_MODE_CONSUMABLE) {
              consumable.insert(row[0].as<std::string>());
            }
          }
        }
        if (by_day) {
          std::set<std::pair<std::string, int64_t>> keys;
          for (const auto& [code, day] : code_days) {
            keys.insert({code, consumable.count(code) ? kConsumableDayKey : day});
          }
          std::vector<std::string> lock_codes;
          std::vector<int64_t> lock_days;
          for (const auto& [code, day] : keys) {
            lock_codes.push_back(code);
            lock_days.push_back(day);
          }
          ExecPrepared(transaction, "inventory_lock_code_days", kLockCodeDaysSql,
                       common::PgTextArray(lock_codes), common::PgBigintArray(lock_days));
        }
        std::vector<common::FieldViolation> unknown;
        for (size_t p = 0; p < draft.parts.size(); ++p) {
          const PartDemand& part = draft.parts[p];
          const std::string field = p == 0 ? "lines" : "parts[" + std::to_string(p - 1) + "].lines";
          for (size_t i = 0; i < part.lines.size(); ++i) {
            if (locked.count(part.lines[i].inventory_code) == 0) {
              unknown.push_back({field + "[" + std::to_string(i) + "].inventory_code",
                                 "unknown inventory code '" + part.lines[i].inventory_code + "'"});
            }
          }
        }
        if (!unknown.empty()) {
          return common::UnknownReferenceError(std::move(unknown), v1::UNKNOWN_INVENTORY_CODE);
        }

        std::vector<std::string> to_replace;
        for (const pqxx::row& row : active) {
          int64_t revision = row[2].as<int64_t>();
          int kind = row[3].as<int>();
          if (kind == draft.kind && revision == draft.order_revision) {
            outcome.reservation = LoadReservation(transaction, row[1].as<std::string>());
            outcome.already_in_place = true;
            Answered(transaction, answer, outcome);
            return absl::OkStatus();
          }
          if (revision > draft.order_revision) {
            return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                 "order " + draft.order_id + " already has revision " +
                                     std::to_string(revision) + " in place");
          }
          if (!firm && kind == v1::RESERVATION_KIND_FIRM) {
            return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                   "order " + draft.order_id +
                                       " is already firmly reserved; a hold cannot replace it");
          }
          to_replace.push_back(row[1].as<std::string>());
        }

        LoadedStock stock =
            LoadStockIn(transaction, {codes, SpanOf(draft.parts), /*include_holds=*/!firm,
                                      /*include_firm=*/true, draft.order_id});
        absl::StatusOr<std::vector<Shortage>> decision = decide(stock.picture);
        if (!decision.ok()) return decision.status();
        outcome.shortages = *decision;

        if (!to_replace.empty()) {
          ExecPrepared(transaction, "inventory_replace", kReplaceSql,
                       common::PgTextArray(to_replace), kStateReplaced,
                       "replaced by revision " + std::to_string(draft.order_revision));
          outcome.replaced_reservation_id = to_replace.front();
        }
        // The reservation as it will be written (its id made here, so that its event is
        // written by the same statement), without reading it back: each part's lines by code,
        // the parts in phase_id order, as LoadReservation reads them.
        const Interval& window = draft.parts.front().window;
        v1::Reservation& reservation = outcome.reservation;
        reservation.set_reservation_id(common::NewUuid());
        reservation.set_order_id(draft.order_id);
        reservation.set_order_revision(draft.order_revision);
        reservation.set_kind(draft.kind);
        reservation.set_state(v1::RESERVATION_STATE_ACTIVE);
        std::vector<std::string> line_codes, line_phases, line_starts, line_ends;
        std::vector<int64_t> line_quantities;
        std::vector<const PartDemand*> by_phase;  // the main part ("") first
        for (const PartDemand& part : draft.parts) by_phase.push_back(&part);
        std::sort(by_phase.begin(), by_phase.end(), [](const PartDemand* a, const PartDemand* b) {
          return a->phase_id < b->phase_id;
        });
        for (const PartDemand* part_of_draft : by_phase) {
          const PartDemand& part = *part_of_draft;
          std::map<std::string, int> quantity_by_code;
          for (const CodeDemand& line : part.lines) {
            quantity_by_code[line.inventory_code] += line.requested;
          }
          v1::ReservationPart* echoed = nullptr;
          if (!part.phase_id.empty()) {
            echoed = reservation.add_parts();
            echoed->set_phase_id(part.phase_id);
            *echoed->mutable_window()->mutable_not_before() =
                common::TimestampFromMicros(Micros(part.window.start));
            *echoed->mutable_window()->mutable_no_later_than() =
                common::TimestampFromMicros(Micros(part.window.end));
          }
          for (const auto& [code, quantity] : quantity_by_code) {
            line_codes.push_back(code);
            line_quantities.push_back(quantity);
            line_phases.push_back(part.phase_id);
            line_starts.push_back(PgTime(part.window.start));
            line_ends.push_back(PgTime(part.window.end));
            *(echoed ? echoed->add_lines() : reservation.add_lines()) = Line(code, quantity);
          }
        }
        *reservation.mutable_window()->mutable_not_before() =
            common::TimestampFromMicros(Micros(window.start));
        *reservation.mutable_window()->mutable_no_later_than() =
            common::TimestampFromMicros(Micros(window.end));
        if (draft.expire_time) {
          *reservation.mutable_expire_time() =
              common::TimestampFromMicros(Micros(*draft.expire_time));
        }
        reservation.set_win_probability(draft.win_probability);
        reservation.mutable_created_by()->set_id(draft.actor_id);
        common::OutboxRow event = common::ToOutboxRow(
            StockEvent(firm ? v1::EVENT_TYPE_STOCK_RESERVED : v1::EVENT_TYPE_STOCK_HELD,
                       reservation, outcome.shortages, draft.actor_id,
                       "Order " + draft.order_id + " rev " + std::to_string(draft.order_revision) +
                           (firm ? ": stock reserved" : ": stock held")),
            kSourceService);
        pqxx::row inserted =
            ExecPrepared(transaction, "inventory_insert_reservation", kInsertReservationSql,
                         reservation.reservation_id(), draft.order_id, draft.order_revision,
                         static_cast<int>(draft.kind), kStateActive, PgTime(window.start),
                         PgTime(window.end), draft.expire_time.has_value(),
                         PgTime(draft.expire_time.value_or(Instant())), draft.win_probability,
                         draft.actor_id, common::PgTextArray(line_codes),
                         common::PgBigintArray(line_quantities), event.event_id, event.event_type,
                         event.order_id, pqxx::binarystring(event.payload),
                         common::PgTextArray(line_phases), common::PgTextArray(line_starts),
                         common::PgTextArray(line_ends))
                .at(0);
        *reservation.mutable_create_time() = common::TimestampFromMicros(inserted[0].as<int64_t>());
        for (size_t i = 0; i < draft.notes.size(); ++i) {
          const v1::PullSheetNote& note = draft.notes[i];
          transaction.exec_params(
              "INSERT INTO reservation_notes (reservation_id, position, category, description, "
              "quantity) VALUES ($1::uuid, $2, $3, $4, $5)",
              reservation.reservation_id(), static_cast<int>(i), static_cast<int>(note.category()),
              note.description(), note.quantity());
        }
        if (!outcome.shortages.empty()) {
          AddStockEvent(transaction, v1::EVENT_TYPE_SHORTAGE_DETECTED, outcome.reservation,
                        outcome.shortages, draft.actor_id,
                        "Order " + draft.order_id + " rev " + std::to_string(draft.order_revision) +
                            ": " + std::to_string(outcome.shortages.size()) + " code(s) short");
        }
        Answered(transaction, answer, outcome);
        return absl::OkStatus();
      });
}

absl::Status PostgresInventoryStore::Release(const std::string& order_id, int64_t order_revision,
                                             const std::string& reason, const std::string& actor_id,
                                             const std::string& undo_request_id,
                                             const Answer<std::vector<v1::Reservation>>& answer) {
  return pool_.InTransaction("release", [&](pqxx::work& transaction) {
    std::vector<v1::Reservation> released;
    ExecPrepared(transaction, "inventory_lock_order", kLockOrderSql, order_id);
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    if (!undo_request_id.empty()) {
      transaction.exec_params(
          "INSERT INTO undone_requests (request_id, order_id) VALUES ($1, $2) "
          "ON CONFLICT (request_id) DO NOTHING",
          undo_request_id, order_id);
    }
    pqxx::result rows = transaction.exec_params(
        "UPDATE reservations SET state = $3, end_time = now(), end_reason = $4 "
        "WHERE order_id = $1 AND state = $5 AND ($2 = 0 OR order_revision = $2) "
        "RETURNING reservation_id::text",
        order_id, order_revision, kStateReleased, reason, kStateActive);
    for (const auto& row : rows) {
      std::string id = row[0].as<std::string>();
      transaction.exec_params(
          "UPDATE reservation_lines SET active = false WHERE reservation_id = $1::uuid", id);
      released.push_back(LoadReservation(transaction, id));
      AddStockEvent(
          transaction, v1::EVENT_TYPE_STOCK_RELEASED, released.back(), {}, actor_id,
          "Order " + order_id + ": stock released" + (reason.empty() ? "" : " (" + reason + ")"));
    }
    Answered(transaction, answer, released);
    return absl::OkStatus();
  });
}

namespace {

// Where a page of ListReservations ended: the last reservation's key, written
// "<order_revision> <reservation_id> <order_id>" so that the order id, which may hold any text,
// is the whole remainder.
struct ReservationPosition {
  std::string order_id;
  int64_t order_revision = 0;
  std::string reservation_id;
};

std::string PositionOf(const v1::Reservation& reservation) {
  return absl::StrCat(reservation.order_revision(), " ", reservation.reservation_id(), " ",
                      reservation.order_id());
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(text[i])) return false;
  }
  return true;
}

// The position is the caller's to send back, so anything may arrive: only a well-formed one
// reaches SQL.
absl::StatusOr<ReservationPosition> ParsePosition(const std::string& after) {
  std::vector<absl::string_view> parts = absl::StrSplit(after, absl::MaxSplits(' ', 2));
  ReservationPosition position;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &position.order_revision) ||
      !IsUuid(parts[1])) {
    return common::InvalidArgumentError(
        {{"page_token", "is not a page token from this listing; pass next_page_token unchanged"}});
  }
  position.reservation_id = std::string(parts[1]);
  position.order_id = std::string(parts[2]);
  return position;
}

}  // namespace

absl::StatusOr<Page<v1::Reservation>> PostgresInventoryStore::ListReservations(
    const v1::ListReservationsRequest& filter, int limit, const std::string& after) {
  ReservationPosition position;
  if (!after.empty()) {
    SALESOPS_ASSIGN_OR_RETURN(position, ParsePosition(after));
  }
  Page<v1::Reservation> page;
  absl::Status status = pool_.Read("list_reservations", [&](pqxx::transaction_base& transaction) {
    page = Page<v1::Reservation>();
    common::FillPage(
        page,
        transaction.exec_params(
            std::string("SELECT ") + kReservationColumns +
                " FROM reservations WHERE (NOT $1 OR (order_id, order_revision, reservation_id) "
                "  > ($2, $3::bigint, $4::uuid))"
                " AND ($5 = 0 OR kind = $5) AND ($6 = '' OR order_id = $6)"
                // Active: neither released nor replaced, and, for a hold, not expired.
                " AND (NOT $7 OR (state = 1 AND (kind <> 1 OR expire_time > now())))"
                " ORDER BY order_id, order_revision, reservation_id LIMIT $8",
            !after.empty(), position.order_id, position.order_revision,
            after.empty() ? "00000000-0000-0000-0000-000000000000" : position.reservation_id,
            static_cast<int>(filter.kind()), filter.order_id(), filter.active_only(), limit + 1),
        limit, [](const pqxx::row& row) { return ReservationFromRow(row); }, PositionOf);
    std::map<std::string, v1::Reservation*> by_id;
    std::vector<std::string> ids;
    for (v1::Reservation& reservation : page.entries) {
      by_id[reservation.reservation_id()] = &reservation;
      ids.push_back(reservation.reservation_id());
    }
    for (const auto& line : transaction.exec_params(
             std::string("SELECT reservation_id::text, ") + kLineColumns +
                 " FROM reservation_lines WHERE reservation_id = ANY($1::uuid[]) "
                 "ORDER BY reservation_id, phase_id, inventory_code",
             common::PgTextArray(ids))) {
      AddLine(*by_id.at(line[0].as<std::string>()), line, 1);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

}  // namespace salesops::inventory

namespace salesops::inventory {

namespace {

std::vector<std::string> CodesOf(const OrderSheet& sheet) {
  std::vector<std::string> codes;
  for (const SheetLine& line : sheet.lines) codes.push_back(line.inventory_code);
  return codes;
}

}  // namespace

absl::StatusOr<OrderSheet> LoadSheetIn(pqxx::work& transaction, const std::string& order_id,
                                       bool lock) {
  pqxx::result reservation = transaction.exec_params(
      std::string("SELECT reservation_id::text, order_revision, ts_to_us(lower(during)), "
                  "ts_to_us(upper(during)) FROM reservations "
                  "WHERE order_id = $1 AND state = 1 AND kind = 2") +
          (lock ? " FOR UPDATE" : ""),
      order_id);
  if (reservation.empty()) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         "order " + order_id + " has no firm reservation, so no pull sheet");
  }
  OrderSheet sheet;
  sheet.order_id = order_id;
  sheet.order_revision = reservation[0][1].as<int64_t>();
  sheet.window = {FromMicros(reservation[0][2].as<int64_t>()),
                  FromMicros(reservation[0][3].as<int64_t>())};
  // What each part needs of each code, and when; a code's to_pull is the most its parts need
  // at one time (PeakNeed).
  std::map<std::string, std::vector<SheetNeed>> needs;
  for (const auto& row :
       transaction.exec_params(std::string("SELECT ") + kLineColumns +
                                   " FROM reservation_lines WHERE reservation_id = $1::uuid "
                                   "ORDER BY inventory_code, phase_id",
                               reservation[0][0].as<std::string>())) {
    needs[row[1].as<std::string>()].push_back(
        {row[0].as<std::string>(),
         {FromMicros(row[3].as<int64_t>()), FromMicros(row[4].as<int64_t>())},
         row[2].as<int>()});
  }
  // Reserved codes, plus codes pulled earlier that an amendment removed.
  for (const auto& row : transaction.exec_params(
           "WITH codes AS ("
           "  SELECT DISTINCT inventory_code, 0 AS quantity FROM reservation_lines "
           "  WHERE reservation_id = $2::uuid"
           "  UNION ALL"
           "  SELECT inventory_code, 0 FROM prep_counts p WHERE p.order_id = $1 AND NOT EXISTS ("
           "    SELECT 1 FROM reservation_lines l WHERE l.reservation_id = $2::uuid"
           "    AND l.inventory_code = p.inventory_code)),"
           " moved AS ("
           "  SELECT l.inventory_code,"
           "    sum(l.quantity) FILTER (WHERE m.kind = 1) AS out,"
           "    sum(l.quantity) FILTER (WHERE m.kind = 2) AS back,"
           "    sum(l.damaged) FILTER (WHERE m.kind = 2) AS damaged"
           "  FROM movements m JOIN movement_lines l USING (movement_id)"
           "  WHERE m.order_id = $1 GROUP BY l.inventory_code),"
           " rented AS ("
           "  SELECT inventory_code, sum(quantity) AS quantity,"
           "    string_agg(DISTINCT supplier_name, ', ') AS suppliers"
           "  FROM sub_rentals WHERE order_id = $1 GROUP BY inventory_code)"
           "SELECT c.inventory_code, i.description, i.category, i.warehouse_id, i.tracking,"
           "  c.quantity, coalesce(p.pulled, 0), coalesce(r.quantity, 0),"
           "  coalesce(r.suppliers, ''), coalesce(mv.out, 0), coalesce(mv.back, 0),"
           "  coalesce(mv.damaged, 0), coalesce(s.returned + s.damaged, 0),"
           "  coalesce(p.serial_numbers, '{}') "
           "FROM codes c JOIN items i USING (inventory_code)"
           " LEFT JOIN prep_counts p ON p.order_id = $1 AND p.inventory_code = c.inventory_code"
           " LEFT JOIN scanned_returns s ON s.order_id = $1"
           "  AND s.inventory_code = c.inventory_code"
           " LEFT JOIN rented r ON r.inventory_code = c.inventory_code"
           " LEFT JOIN moved mv ON mv.inventory_code = c.inventory_code "
           "ORDER BY c.inventory_code",
           order_id, reservation[0][0].as<std::string>())) {
    SheetLine line;
    line.inventory_code = row[0].as<std::string>();
    line.description = row[1].as<std::string>();
    line.category = row[2].as<std::string>();
    line.warehouse_id = row[3].as<std::string>();
    line.tracking = static_cast<v1::TrackingMode>(row[4].as<int>());
    if (auto found = needs.find(line.inventory_code); found != needs.end()) {
      line.needs = std::move(found->second);
      line.to_pull = QuantityToPull(line.tracking, line.needs);
    }
    line.pulled = row[6].as<int>();
    line.from_sub_rental = row[7].as<int>();
    line.supplier_name = row[8].as<std::string>();
    line.checked_out = row[9].as<int>();
    line.returned = row[10].as<int>();
    line.damaged = row[11].as<int>();
    line.scanned_in = row[12].as<int>();
    line.serial_numbers = common::ParseTextArray(row[13]);
    sheet.lines.push_back(std::move(line));
  }
  // Units whose inspection falls due before the window ends (or is owed since a return).
  for (const auto& row : transaction.exec_params(
           "SELECT a.inventory_code, a.asset_id, a.barcode, i.inspection_type,"
           "  coalesce(ts_to_us(i.last_pass_time), 0), ts_to_us(i.due_time), i.due_time <= now() "
           "FROM asset_inspections i JOIN assets a USING (asset_id) "
           "WHERE a.inventory_code = ANY($1::text[]) AND a.state NOT IN (4, 5)"
           " AND i.due_time < us_to_ts($2) ORDER BY a.inventory_code, a.asset_id, "
           "i.inspection_type",
           common::PgTextArray(CodesOf(sheet)), Micros(sheet.window.end))) {
    for (SheetLine& line : sheet.lines) {
      if (line.inventory_code != row[0].as<std::string>()) continue;
      v1::InspectionDue& due = line.inspections_due.emplace_back();
      due.set_asset_id(row[1].as<std::string>());
      due.set_barcode(row[2].as<std::string>());
      due.set_inspection_type(row[3].as<std::string>());
      if (row[4].as<int64_t>() != 0) {
        *due.mutable_last_pass_time() = common::TimestampFromMicros(row[4].as<int64_t>());
      }
      *due.mutable_due_time() = common::TimestampFromMicros(row[5].as<int64_t>());
      due.set_overdue(row[6].as<bool>());
    }
  }
  for (const auto& row :
       transaction.exec_params("SELECT category, description, quantity FROM reservation_notes "
                               "WHERE reservation_id = $1::uuid ORDER BY position",
                               reservation[0][0].as<std::string>())) {
    v1::PullSheetNote& note = sheet.notes.emplace_back();
    note.set_category(static_cast<v1::CustomLineCategory>(row[0].as<int>()));
    note.set_description(row[1].as<std::string>());
    note.set_quantity(row[2].as<int>());
  }
  pqxx::result status = transaction.exec_params(
      "SELECT coalesce(ts_to_us(first_pull_time), 0), coalesce(ts_to_us(complete_time), 0) "
      "FROM prep_status WHERE order_id = $1",
      order_id);
  if (!status.empty()) {
    if (status[0][0].as<int64_t>() != 0)
      sheet.first_pull_time = FromMicros(status[0][0].as<int64_t>());
    if (status[0][1].as<int64_t>() != 0)
      sheet.complete_time = FromMicros(status[0][1].as<int64_t>());
  }
  return sheet;
}

namespace {

// A consumable's stock moves for good: units checked out for the order leave what the code
// owns (the order keeps counting them as drawn, so its reservation stops competing for them),
// and units brought back unused go back on the shelf. Under the code's row lock, like any change
// to what a code owns. A count that was too high never takes the stock below zero.
void DrawConsumable(pqxx::work& transaction, const std::string& order_id, const std::string& code,
                    int drawn, int restocked) {
  // FOR UPDATE, which waits for every Reserve sharing the row (an UPDATE alone would not).
  transaction.exec_params("SELECT 1 FROM items WHERE inventory_code = $1 FOR UPDATE", code);
  transaction.exec_params(
      "UPDATE items SET quantity_owned = greatest(quantity_owned - $2 + $3, 0), "
      "revision = revision + 1, update_time = now() WHERE inventory_code = $1",
      code, drawn, restocked);
  if (drawn > 0) {
    transaction.exec_params(
        "INSERT INTO consumed_stock (order_id, inventory_code, quantity) VALUES ($1, $2, $3) "
        "ON CONFLICT (order_id, inventory_code) DO UPDATE "
        "SET quantity = consumed_stock.quantity + EXCLUDED.quantity",
        order_id, code, drawn);
  }
}

absl::Status ViolationsToStatus(std::vector<common::FieldViolation> violations) {
  if (violations.empty()) return absl::OkStatus();
  return common::InvalidArgumentError(std::move(violations));
}

}  // namespace

void AddEvent(pqxx::work& transaction, v1::EventType type, const std::string& order_id,
              int64_t revision, const std::string& actor_id, const std::string& summary,
              const std::function<void(v1::Event&)>& fill) {
  v1::Event event;
  event.set_type(type);
  event.set_order_id(order_id);
  event.set_order_revision(revision);
  event.mutable_actor()->set_id(actor_id);
  event.set_summary(summary);
  fill(event);
  common::AppendToOutbox(transaction, std::move(event), kSourceService);
}

// The confirmed orders holding `code` in [from, to) (to 0: from then on) that no longer fit
// after a change to the stock, each part judged over its own window, with the order's other
// parts of the code where they overlap it but without competing with other revisions of
// itself: one SHORTAGE_DETECTED event each, saying `why`. The caller holds the code's row
// FOR UPDATE, so no reservation of it changes meanwhile.
std::vector<v1::OrderShortage> ReportShortages(pqxx::work& transaction, const std::string& code,
                                               int64_t from_us, int64_t to_us,
                                               const std::string& actor_id, const std::string& why,
                                               const std::function<void(v1::StockPayload&)>& fill) {
  // Every active firm line of the code of every order with one in the range: a part outside
  // the range still competes with its order's parts inside it where they overlap.
  struct OrderParts {
    std::string order_id;
    int64_t order_revision = 0;
    std::vector<PartDemand> parts;
  };
  std::vector<OrderParts> orders;
  for (const auto& line : transaction.exec_params(
           "SELECT l.order_id, r.order_revision, l.phase_id, l.quantity, "
           "ts_to_us(lower(l.during)), ts_to_us(upper(l.during)) FROM reservation_lines l "
           "JOIN reservations r USING (reservation_id) WHERE l.active AND l.kind = 2 "
           "AND l.inventory_code = $1 AND l.order_id IN (SELECT order_id FROM reservation_lines "
           "  WHERE active AND kind = 2 AND inventory_code = $1 AND (during && "
           "  tstzrange(us_to_ts($2::bigint), CASE WHEN $3::bigint > 0 THEN us_to_ts($3::bigint) "
           "  END, '[)') OR EXISTS (SELECT 1 FROM items WHERE inventory_code = $1 "
           "  AND tracking = 3))) ORDER BY l.order_id, l.phase_id",
           code, from_us, to_us)) {
    if (orders.empty() || orders.back().order_id != line[0].as<std::string>()) {
      orders.push_back({line[0].as<std::string>(), line[1].as<int64_t>(), {}});
    }
    orders.back().parts.push_back(
        {line[2].as<std::string>(),
         {FromMicros(line[4].as<int64_t>()), FromMicros(line[5].as<int64_t>())},
         {{code, line[3].as<int>()}}});
  }
  std::vector<v1::OrderShortage> short_orders;
  for (const OrderParts& order : orders) {
    LoadedStock stock =
        LoadStockIn(transaction, {{code}, SpanOf(order.parts), false, true, order.order_id});
    std::vector<Shortage> shortages = FindPartShortages(order.parts, stock.picture);
    if (shortages.empty()) continue;
    v1::OrderShortage& short_order = short_orders.emplace_back();
    short_order.set_order_id(order.order_id);
    for (const Shortage& shortage : shortages) {
      v1::StockShortage* added = short_order.add_shortages();
      added->set_inventory_code(shortage.inventory_code);
      added->set_requested(shortage.requested);
      added->set_available(shortage.available);
      added->set_shortfall(shortage.shortfall());
      v1::PartShortage* part = short_order.add_part_shortages();
      part->set_phase_id(shortage.phase_id);
      *part->mutable_window()->mutable_not_before() =
          common::TimestampFromMicros(Micros(shortage.window.start));
      *part->mutable_window()->mutable_no_later_than() =
          common::TimestampFromMicros(Micros(shortage.window.end));
      *part->mutable_shortage() = *added;
    }
    AddEvent(transaction, v1::EVENT_TYPE_SHORTAGE_DETECTED, short_order.order_id(),
             order.order_revision, actor_id,
             "Order " + short_order.order_id() + ": " +
                 std::to_string(short_order.shortages(0).shortfall()) + " x " + code + " short " +
                 why,
             [&](v1::Event& event) {
               *event.mutable_stock()->mutable_shortages() = short_order.shortages();
               if (fill) fill(*event.mutable_stock());
             });
  }
  return short_orders;
}

absl::StatusOr<OrderSheet> PostgresInventoryStore::LoadSheet(const std::string& order_id) {
  OrderSheet sheet;
  absl::Status status = pool_.InTransaction("load_sheet", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(sheet, LoadSheetIn(transaction, order_id, false));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return sheet;
}

absl::StatusOr<OrderSheet> ApplyPrepCounts(pqxx::work& transaction, const OrderSheet& before,
                                           const std::vector<PrepCountRecord>& counts,
                                           const std::string& actor_id) {
  const std::string& order_id = before.order_id;
  for (const PrepCountRecord& count : counts) {
    transaction.exec_params(
        "INSERT INTO prep_counts (order_id, inventory_code, pulled, serial_numbers) "
        "VALUES ($1, $2, $3, $4::text[]) ON CONFLICT (order_id, inventory_code) DO UPDATE "
        "SET pulled = $3, serial_numbers = $4::text[], update_time = now()",
        order_id, count.inventory_code, count.pulled, common::PgTextArray(count.serial_numbers));
  }
  SALESOPS_ASSIGN_OR_RETURN(OrderSheet after, LoadSheetIn(transaction, order_id, false));
  v1::PrepProgress was = ProgressOf(before);
  v1::PrepProgress now = ProgressOf(after);
  auto fill = [&](v1::Event& event) {
    *event.mutable_prep()->mutable_progress() = now;
    for (const PrepCountRecord& count : counts) {
      *event.mutable_prep()->add_pulled() = Line(count.inventory_code, count.pulled);
    }
  };
  std::string prefix = "Order " + order_id + " rev " + std::to_string(after.order_revision);
  if (was.state() == v1::PREP_STATE_NOT_STARTED && now.state() != v1::PREP_STATE_NOT_STARTED) {
    transaction.exec_params(
        "INSERT INTO prep_status (order_id, first_pull_time) VALUES ($1, now()) "
        "ON CONFLICT (order_id) DO UPDATE SET first_pull_time = "
        "coalesce(prep_status.first_pull_time, now())",
        order_id);
    AddEvent(transaction, v1::EVENT_TYPE_PREP_STARTED, order_id, after.order_revision, actor_id,
             prefix + ": prep started", fill);
  }
  if (was.state() != v1::PREP_STATE_COMPLETE && now.state() == v1::PREP_STATE_COMPLETE) {
    transaction.exec_params(
        "INSERT INTO prep_status (order_id, first_pull_time, complete_time) "
        "VALUES ($1, now(), now()) ON CONFLICT (order_id) DO UPDATE SET complete_time = now()",
        order_id);
    AddEvent(
        transaction, v1::EVENT_TYPE_PREP_COMPLETED, order_id, after.order_revision, actor_id,
        prefix + ": prep complete, " + std::to_string(now.units_pulled()) + " units ready to load",
        fill);
  }
  return LoadSheetIn(transaction, order_id, false);
}

absl::Status PostgresInventoryStore::RecordPrep(const std::string& order_id,
                                                int64_t expected_revision,
                                                const std::vector<PrepCountRecord>& counts,
                                                const std::string& actor_id,
                                                const SheetCheck& check,
                                                const Answer<OrderSheet>& answer) {
  return pool_.InTransaction("record_prep", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    SALESOPS_ASSIGN_OR_RETURN(OrderSheet before, LoadSheetIn(transaction, order_id, true));
    if (expected_revision != 0 && expected_revision != before.order_revision) {
      return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                           "the pull sheet is for revision " +
                               std::to_string(before.order_revision) + " now; reload it");
    }
    SALESOPS_RETURN_IF_ERROR(ViolationsToStatus(check(before)));
    SALESOPS_ASSIGN_OR_RETURN(OrderSheet after,
                              ApplyPrepCounts(transaction, before, counts, actor_id));
    Answered(transaction, answer, after);
    return absl::OkStatus();
  });
}

absl::Status PostgresInventoryStore::RecordMovement(const MovementDraft& draft,
                                                    const SheetCheck& check,
                                                    const Answer<MovementOutcome>& answer) {
  const bool check_out = draft.kind == v1::MOVEMENT_KIND_CHECK_OUT;
  return pool_.InTransaction(
      check_out ? "check_out" : "check_in", [&](pqxx::work& transaction) -> absl::Status {
        SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
        if (replayed) return absl::OkStatus();
        MovementOutcome outcome;
        SALESOPS_ASSIGN_OR_RETURN(OrderSheet before,
                                  LoadSheetIn(transaction, draft.order_id, true));
        SALESOPS_RETURN_IF_ERROR(ViolationsToStatus(check(before)));
        std::vector<MovementLineDraft> lines = draft.lines;
        if (check_out && lines.empty()) {
          for (const SheetLine& line : before.lines) {
            if (line.pulled > line.checked_out) {
              lines.push_back({line.inventory_code, line.pulled - line.checked_out, 0, "", {}});
            }
          }
        }
        if (!check_out && lines.empty()) {
          // The units scanned back are the return; damaged ones went out of service already.
          for (const auto& row :
               transaction.exec_params("DELETE FROM scanned_returns WHERE order_id = $1 "
                                       "RETURNING inventory_code, returned, damaged",
                                       draft.order_id)) {
            lines.push_back(
                {row[0].as<std::string>(), row[1].as<int>(), row[2].as<int>(), "", {}, true});
          }
          std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
            return a.inventory_code < b.inventory_code;
          });
        }
        if (lines.empty()) {
          return common::InvalidArgumentError(
              {{"lines", check_out ? "nothing to move: nothing is pulled and not yet out"
                                   : "nothing to check in: name the lines, or scan units in"}});
        }
        std::string movement_id =
            transaction
                .exec_params1(
                    "INSERT INTO movements (order_id, kind, vehicle_id, recorded_by) "
                    "VALUES ($1, $2, $3, $4) RETURNING movement_id::text",
                    draft.order_id, static_cast<int>(draft.kind), draft.vehicle_id,
                    draft.actor_id)[0]
                .as<std::string>();
        v1::Movement& movement = outcome.movement;
        movement.set_movement_id(movement_id);
        movement.set_order_id(draft.order_id);
        movement.set_kind(draft.kind);
        movement.set_vehicle_id(draft.vehicle_id);
        movement.mutable_recorded_by()->set_id(draft.actor_id);
        for (const MovementLineDraft& line : lines) {
          transaction.exec_params(
              "INSERT INTO movement_lines (movement_id, inventory_code, quantity, damaged) "
              "VALUES ($1::uuid, $2, $3, $4)",
              movement_id, line.inventory_code, line.quantity, line.damaged);
          if (line.quantity > 0) *movement.add_lines() = Line(line.inventory_code, line.quantity);
          if (line.damaged > 0) *movement.add_damaged() = Line(line.inventory_code, line.damaged);
          const SheetLine* sheet_line = before.Find(line.inventory_code);
          if (sheet_line != nullptr && sheet_line->tracking == v1::TRACKING_MODE_CONSUMABLE) {
            DrawConsumable(transaction, draft.order_id, line.inventory_code,
                           check_out ? line.quantity : 0, check_out ? 0 : line.quantity);
            continue;  // used up, not repaired: damaged units are simply not restocked
          }
          if (line.damaged == 0 || line.damage_already_out) continue;
          // Damaged units leave stock from now until repaired (or the given time). Like any
          // change to what a code owns, under the code's row lock.
          transaction.exec_params("SELECT 1 FROM items WHERE inventory_code = $1 FOR UPDATE",
                                  line.inventory_code);
          pqxx::row oos = transaction.exec_params1(
              "INSERT INTO out_of_service (inventory_code, quantity, during, reason, order_id, "
              "created_by) VALUES ($1, $2, tstzrange(now(), CASE WHEN $3 THEN us_to_ts($4) END, "
              "'[)'), $5, $6, $7) RETURNING out_of_service_id::text, ts_to_us(lower(during)), "
              "coalesce(ts_to_us(upper(during)), 0)",
              line.inventory_code, line.damaged, line.back_in_service_time.has_value(),
              line.back_in_service_time ? Micros(*line.back_in_service_time) : 0,
              "damaged on return: " + line.damage_note, draft.order_id, draft.actor_id);
          v1::OutOfService added;
          added.set_out_of_service_id(oos[0].as<std::string>());
          added.set_inventory_code(line.inventory_code);
          added.set_quantity(line.damaged);
          *added.mutable_window()->mutable_not_before() =
              common::TimestampFromMicros(oos[1].as<int64_t>());
          if (oos[2].as<int64_t>() != 0) {
            *added.mutable_window()->mutable_no_later_than() =
                common::TimestampFromMicros(oos[2].as<int64_t>());
          }
          added.set_reason("damaged on return: " + line.damage_note);
          added.set_order_id(draft.order_id);
          // The confirmed orders from now on that no longer fit are named, as an
          // out-of-service period set by hand names them.
          ReportShortages(transaction, line.inventory_code, oos[1].as<int64_t>(),
                          oos[2].as<int64_t>(), draft.actor_id,
                          "after " + std::to_string(line.damaged) +
                              " came back damaged from order " + draft.order_id,
                          [&](v1::StockPayload& stock) {
                            stock.set_out_of_service_id(added.out_of_service_id());
                            stock.set_reason(added.reason());
                          });
          outcome.out_of_service.push_back(std::move(added));
        }
        SALESOPS_ASSIGN_OR_RETURN(outcome.sheet_after,
                                  LoadSheetIn(transaction, draft.order_id, false));
        if (!check_out) {
          for (const v1::InventoryLine& missing : MissingAfterCheckIn(outcome.sheet_after)) {
            *movement.add_missing() = missing;
          }
          for (const auto& row : transaction.exec_params(
                   "SELECT sub_rental_id::text, inventory_code, quantity, supplier_name, "
                   "supplier_reference FROM sub_rentals WHERE order_id = $1 "
                   "AND returned_quantity < quantity ORDER BY inventory_code",
                   draft.order_id)) {
            v1::SubRental rental;
            rental.set_sub_rental_id(row[0].as<std::string>());
            rental.set_inventory_code(row[1].as<std::string>());
            rental.set_quantity(row[2].as<int>());
            rental.set_supplier_name(row[3].as<std::string>());
            rental.set_supplier_reference(row[4].as<std::string>());
            outcome.to_return_to_supplier.push_back(std::move(rental));
          }
        }
        auto fill = [&](v1::Event& event) {
          v1::MovementPayload* payload = event.mutable_movement();
          payload->set_movement_id(movement_id);
          *payload->mutable_lines() = movement.lines();
          *payload->mutable_damaged() = movement.damaged();
          *payload->mutable_missing() = movement.missing();
          payload->set_vehicle_id(draft.vehicle_id);
        };
        std::string prefix = "Order " + draft.order_id;
        int units = 0;
        for (const auto& line : movement.lines()) units += line.quantity();
        AddEvent(transaction, check_out ? v1::EVENT_TYPE_DISPATCHED : v1::EVENT_TYPE_RETURNED,
                 draft.order_id, before.order_revision, draft.actor_id,
                 prefix + (check_out ? ": " + std::to_string(units) + " units checked out"
                                     : ": " + std::to_string(units) + " units checked in" +
                                           (movement.missing_size() > 0
                                                ? ", " + std::to_string(movement.missing_size()) +
                                                      " code(s) still out"
                                                : "")),
                 fill);
        if (movement.damaged_size() > 0) {
          AddEvent(transaction, v1::EVENT_TYPE_ITEM_DAMAGED, draft.order_id, before.order_revision,
                   draft.actor_id, prefix + ": damaged units went out of service", fill);
        }
        Answered(transaction, answer, outcome);
        return absl::OkStatus();
      });
}

}  // namespace salesops::inventory

namespace salesops::inventory {
namespace {

Instant InstantOf(const google::protobuf::Timestamp& timestamp) {
  return FromMicros(common::ToMicros(timestamp));
}

constexpr char kSubRentalColumns[] =
    "sub_rental_id::text, inventory_code, quantity, ts_to_us(lower(during)), "
    "ts_to_us(upper(during)), supplier_name, supplier_reference, cost_currency, cost_units, "
    "cost_nanos, order_id, warehouse_id, returned_quantity, created_by, ts_to_us(create_time)";

v1::SubRental SubRentalFromRow(const pqxx::row& row) {
  v1::SubRental rental;
  rental.set_sub_rental_id(row[0].as<std::string>());
  rental.set_inventory_code(row[1].as<std::string>());
  rental.set_quantity(row[2].as<int>());
  *rental.mutable_window()->mutable_not_before() =
      common::TimestampFromMicros(row[3].as<int64_t>());
  *rental.mutable_window()->mutable_no_later_than() =
      common::TimestampFromMicros(row[4].as<int64_t>());
  rental.set_supplier_name(row[5].as<std::string>());
  rental.set_supplier_reference(row[6].as<std::string>());
  if (!row[7].as<std::string>().empty()) {
    rental.mutable_cost()->set_currency_code(row[7].as<std::string>());
    rental.mutable_cost()->set_units(row[8].as<int64_t>());
    rental.mutable_cost()->set_nanos(row[9].as<int>());
  }
  rental.set_order_id(row[10].as<std::string>());
  rental.set_warehouse_id(row[11].as<std::string>());
  rental.set_returned_quantity(row[12].as<int>());
  rental.mutable_created_by()->set_id(row[13].as<std::string>());
  *rental.mutable_create_time() = common::TimestampFromMicros(row[14].as<int64_t>());
  return rental;
}

absl::Status LockKnownItem(pqxx::work& transaction, const std::string& code,
                           const std::string& field) {
  if (transaction.exec_params("SELECT 1 FROM items WHERE inventory_code = $1 FOR UPDATE", code)
          .empty()) {
    return common::UnknownReferenceError({{field, "unknown inventory code '" + code + "'"}},
                                         v1::UNKNOWN_INVENTORY_CODE);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PostgresInventoryStore::SetOutOfService(
    const v1::SetOutOfServiceRequest& request, const std::string& actor_id,
    const Answer<std::pair<v1::OutOfService, std::vector<v1::OrderShortage>>>& answer) {
  return pool_.InTransaction("set_out_of_service", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    std::pair<v1::OutOfService, std::vector<v1::OrderShortage>> result;
    SALESOPS_RETURN_IF_ERROR(
        LockKnownItem(transaction, request.inventory_code(), "inventory_code"));
    const Interval window{InstantOf(request.window().not_before()),
                          InstantOf(request.window().no_later_than())};
    pqxx::result row;
    if (request.out_of_service_id().empty()) {
      row = transaction.exec_params(
          "INSERT INTO out_of_service (inventory_code, quantity, during, reason, created_by) "
          "VALUES ($1, $2, tstzrange(us_to_ts($3), us_to_ts($4), '[)'), $5, $6) "
          "RETURNING out_of_service_id::text",
          request.inventory_code(), request.quantity(), Micros(window.start), Micros(window.end),
          request.reason(), actor_id);
    } else {
      row = transaction.exec_params(
          "UPDATE out_of_service SET quantity = $3, during = tstzrange(us_to_ts($4), "
          "us_to_ts($5), '[)'), reason = $6 WHERE out_of_service_id::text = $1 "
          "AND inventory_code = $2 RETURNING out_of_service_id::text",
          request.out_of_service_id(), request.inventory_code(), request.quantity(),
          Micros(window.start), Micros(window.end), request.reason());
      if (row.empty()) {
        return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                             "out-of-service period " + request.out_of_service_id() + " of " +
                                 request.inventory_code() + " does not exist");
      }
    }
    v1::OutOfService& period = result.first;
    period.set_out_of_service_id(row[0][0].as<std::string>());
    period.set_inventory_code(request.inventory_code());
    period.set_quantity(request.quantity());
    *period.mutable_window() = request.window();
    period.set_reason(request.reason());
    period.mutable_created_by()->set_id(actor_id);

    result.second = ReportShortages(
        transaction, request.inventory_code(), Micros(window.start), Micros(window.end), actor_id,
        "after units went out of service (" + request.reason() + ")", [&](v1::StockPayload& stock) {
          stock.set_out_of_service_id(period.out_of_service_id());
          stock.set_reason(request.reason());
        });
    Answered(transaction, answer, result);
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PostgresInventoryStore::CountActiveHolds() {
  int64_t count = 0;
  absl::Status status = pool_.InTransaction("count_active_holds", [&](pqxx::work& transaction) {
    count = transaction
                .exec1(
                    "SELECT count(*) FROM reservations WHERE state = 1 AND kind = 1 "
                    "AND expire_time > now()")[0]
                .as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

absl::Status PostgresInventoryStore::AddSubRental(const v1::SubRental& sub_rental,
                                                  const std::string& actor_id,
                                                  const Answer<v1::SubRental>& answer) {
  return pool_.InTransaction("add_sub_rental", [&](pqxx::work& transaction) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(transaction, answer));
    if (replayed) return absl::OkStatus();
    SALESOPS_RETURN_IF_ERROR(
        LockKnownItem(transaction, sub_rental.inventory_code(), "sub_rental.inventory_code"));
    pqxx::row row = transaction.exec_params1(
        std::string("INSERT INTO sub_rentals (inventory_code, quantity, during, supplier_name, "
                    "supplier_reference, cost_currency, cost_units, cost_nanos, order_id, "
                    "warehouse_id, created_by) VALUES ($1, $2, tstzrange(us_to_ts($3), "
                    "us_to_ts($4), '[)'), $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ") +
            kSubRentalColumns,
        sub_rental.inventory_code(), sub_rental.quantity(),
        common::ToMicros(sub_rental.window().not_before()),
        common::ToMicros(sub_rental.window().no_later_than()), sub_rental.supplier_name(),
        sub_rental.supplier_reference(), sub_rental.cost().currency_code(),
        sub_rental.cost().units(), sub_rental.cost().nanos(), sub_rental.order_id(),
        sub_rental.warehouse_id(), actor_id);
    v1::SubRental stored = SubRentalFromRow(row);
    AddEvent(transaction, v1::EVENT_TYPE_SUB_RENTAL_ADDED, stored.order_id(), 0, actor_id,
             std::to_string(stored.quantity()) + " x " + stored.inventory_code() +
                 " rented in from " + stored.supplier_name(),
             [&](v1::Event& event) {
               *event.mutable_stock()->add_lines() =
                   Line(stored.inventory_code(), stored.quantity());
               *event.mutable_stock()->mutable_window() = stored.window();
               event.mutable_stock()->set_sub_rental_id(stored.sub_rental_id());
             });
    Answered(transaction, answer, stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<Page<v1::SubRental>> PostgresInventoryStore::ListSubRentals(
    const v1::ListSubRentalsRequest& filter, int limit, const std::string& after) {
  Page<v1::SubRental> page;
  absl::Status status = pool_.InTransaction("list_sub_rentals", [&](pqxx::work& transaction) {
    bool overlapping = filter.has_overlapping() && filter.overlapping().has_not_before();
    common::FillPage(
        page,
        transaction.exec_params(
            std::string("SELECT ") + kSubRentalColumns +
                " FROM sub_rentals WHERE sub_rental_id::text > $1"
                " AND ($2 = '' OR inventory_code = $2) AND ($3 = '' OR order_id = $3)"
                " AND (NOT $4 OR during && tstzrange(us_to_ts($5), us_to_ts($6), '[)'))"
                " AND (NOT $7 OR returned_quantity < quantity)"
                " ORDER BY sub_rental_id::text LIMIT $8",
            after, filter.inventory_code(), filter.order_id(), overlapping,
            overlapping ? common::ToMicros(filter.overlapping().not_before()) : 0,
            overlapping ? common::ToMicros(filter.overlapping().no_later_than()) : 0,
            filter.unreturned_only(), limit + 1),
        limit, [](const pqxx::row& row) { return SubRentalFromRow(row); },
        [](const auto& entry) { return entry.sub_rental_id(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

}  // namespace salesops::inventory
