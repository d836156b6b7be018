#pragma once

#include <absl/status/statusor.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "services/common/idempotency.h"
#include "services/common/sql_text.h"
#include "services/inventory/availability.h"
#include "services/inventory/catalog.h"
#include "services/inventory/prep.h"

namespace salesops::inventory {

template <typename T>
using Page = common::Page<T>;

struct StockQuery {
  std::vector<std::string> codes;
  Interval range;
  bool include_holds = true;
  bool include_firm = true;
  // This order's own holds and reservations are left out (it must not
  // compete with itself when re-checked or re-reserved).
  std::string exclude_order_id;
  // Also where the units live (CodeStock::warehouses).
  bool with_warehouses = false;
};

struct LoadedStock {
  StockPicture picture;
  std::map<std::string, std::string> descriptions;
  std::vector<std::string> unknown_codes;
};

struct ReservationDraft {
  std::string order_id;
  int64_t order_revision = 0;
  v1::ReservationKind kind = v1::RESERVATION_KIND_UNSPECIFIED;
  // parts[0] is the main part (phase_id ""): its window is the reservation's. Further parts,
  // in the request's order (parts[k] is the request's parts[k - 1]), are reserved over their
  // own windows. Each part's codes are distinct.
  std::vector<PartDemand> parts;
  std::optional<Instant> expire_time;  // holds only
  double win_probability = 1.0;
  std::string actor_id;
  // The Reserve's request_id; a Release that named it as undone refuses it (STEP_UNDONE).
  std::string request_id;
  // Firm only: the order's custom lines, kept with the reservation for its pull sheet.
  std::vector<v1::PullSheetNote> notes;
};

struct ReservationOutcome {
  v1::Reservation reservation;
  std::string replaced_reservation_id;
  std::vector<Shortage> shortages;
  // The same (order, revision, kind) was already in place: nothing changed.
  bool already_in_place = false;
};

// Decides, while the codes of every part are locked for every day of that part's window,
// whether a reservation may be written: returns the shortages to report, or an error to
// refuse with.
using StockDecision =
    std::function<absl::StatusOr<std::vector<Shortage>>(const StockPicture& stock)>;

struct PrepCountRecord {
  std::string inventory_code;
  int pulled = 0;
  std::vector<std::string> serial_numbers;
};

struct MovementLineDraft {
  std::string inventory_code;
  int quantity = 0;  // out; or back in good order
  int damaged = 0;
  std::string damage_note;
  std::optional<Instant> back_in_service_time;  // damaged units; unset: until repaired
  // The damaged units went out of service when they were scanned in.
  bool damage_already_out = false;
};

struct MovementDraft {
  std::string order_id;
  v1::MovementKind kind = v1::MOVEMENT_KIND_UNSPECIFIED;
  // A check-out with no lines takes everything pulled and not yet out.
  std::vector<MovementLineDraft> lines;
  std::string vehicle_id;
  std::string actor_id;
};

struct MovementOutcome {
  v1::Movement movement;
  OrderSheet sheet_after;
  std::vector<v1::OutOfService> out_of_service;  // damaged units taken out of stock
  std::vector<v1::SubRental> to_return_to_supplier;
};

// A unit after a change, and the reservations the change left short.
struct AssetChange {
  v1::Asset asset;
  std::vector<v1::OrderShortage> shortages;
};

// A stock take with its discrepancy report, and (applied) the reservations left short.
struct StockTakeView {
  v1::StockTake stock_take;
  v1::DiscrepancyReport report;
  std::vector<v1::OrderShortage> shortages;
};

// One scan (issue 19), as the handler checked it.
struct ScanDraft {
  std::string order_id;
  std::string barcode;
  int quantity = 0;
  bool scanning_in = false;
  v1::ScanCondition condition = v1::SCAN_CONDITION_UNSPECIFIED;  // scan in
  std::string note;                                              // scan in, damaged
  std::optional<Instant> back_in_service_time;                   // scan in, damaged
  v1::Actor actor;
};

// Runs with the order's sheet locked; violations refuse the change.
using SheetCheck = std::function<std::vector<common::FieldViolation>(const OrderSheet& sheet)>;

// How the store answers a mutating call. Inside the transaction that acts it fills `response`
// from what it did and, with a request id, remembers that response there too (AIP-155): the
// effect never commits without its answer, so a crash in between cannot make a retry act
// twice. A retry of the same request gets the remembered response and acts not; the same id
// with another body is REQUEST_ID_REUSED. A refused call leaves nothing remembered.
// (The store fills the handler's response rather than returning it so that building the
// response stays with the handler or StockKeeper, as it was, while the store alone decides
// when it is remembered.)
template <typename Result>
struct Answer {
  google::protobuf::Message& response;
  // Fills `response` from what the store did: a conversion, no I/O.
  std::function<void(const Result&)> fill;
  // Null: no replay protection; every call acts.
  const common::IdempotentRequest* idempotent = nullptr;
};

// The replay protection of an inventory RPC's request, keyed "inventory.<Rpc>".
template <typename Request>
common::IdempotentRequest IdempotentRequestOf(const std::string& rpc, const Request& request) {
  return common::IdempotentRequest("inventory." + rpc, request.request_id(), request);
}

// Everything inventory keeps. One PostgreSQL implementation; all SQL lives there.
class InventoryStore {
 public:
  virtual ~InventoryStore() = default;

  // Catalog. Upserts answer with the stored entry and whether it was created; a
  // non-empty etag must match the stored one (ABORTED / STALE_REVISION). Fewer units owned
  // than before report the confirmed orders that no longer fit (SHORTAGE_DETECTED, by
  // `actor_id`). Deletes answer with the deleted code.
  virtual absl::Status UpsertItem(const v1::Item& item, const std::string& etag,
                                  const std::string& actor_id,
                                  const Answer<std::pair<v1::Item, bool>>& answer) = 0;
  virtual absl::StatusOr<v1::GetItemResponse> GetItem(const std::string& inventory_code) = 0;

  // The asset register (issue 19). Registering numbers the asset, checks its code is
  // serialised and has a unit left to register, keeps it and its first event.
  virtual absl::Status RegisterAsset(v1::Asset asset, const v1::Actor& actor,
                                     const Answer<AssetChange>& answer) = 0;
  // By id, or by barcode when `asset_id` is empty; with its history.
  virtual absl::StatusOr<v1::GetAssetResponse> GetAsset(const std::string& asset_id,
                                                        const std::string& barcode) = 0;
  virtual absl::StatusOr<Page<v1::Asset>> ListAssets(const v1::ListAssetsRequest& filter, int limit,
                                                     const std::string& after) = 0;
  // Changes a unit's state (SetAssetStateRequest); answers the unit and the shortages.
  virtual absl::Status SetAssetState(const v1::SetAssetStateRequest& request,
                                     const v1::Actor& actor, const Answer<AssetChange>& answer) = 0;
  // Replaces a code's maintenance plan and brings its units' inspections in line with it.
  virtual absl::Status SetMaintenancePlan(
      v1::MaintenancePlan plan, const v1::Actor& actor,
      const Answer<std::pair<v1::MaintenancePlan, std::vector<v1::OrderShortage>>>& answer) = 0;
  // NOT_FOUND for an unknown code; an empty plan for a code without one.
  virtual absl::StatusOr<v1::MaintenancePlan> GetMaintenancePlan(
      const std::string& inventory_code) = 0;
  virtual absl::Status RecordInspection(const v1::RecordInspectionRequest& request,
                                        const v1::Actor& actor,
                                        const Answer<AssetChange>& answer) = 0;
  // One scan, under the order's sheet lock and the unit's row lock. A refused scan fills the
  // response with its refusal and the sheet's progress, and changes and remembers nothing.
  virtual absl::Status Scan(const ScanDraft& draft, const Answer<v1::ScanResult>& answer) = 0;
  // Multi-warehouse (issue 19). Sets what a warehouse other than the code's home keeps, and
  // answers the code's stock per warehouse now.
  virtual absl::Status SetWarehouseStock(const v1::SetWarehouseStockRequest& request,
                                         const Answer<std::vector<v1::WarehouseStock>>& answer) = 0;
  virtual absl::StatusOr<v1::GetWarehouseStockResponse> GetWarehouseStock(
      const std::string& inventory_code) = 0;
  // With the codes' rows locked: the origin must hold the units from the departure on, and the
  // road time may not leave the code overbooked where it was not; numbers and keeps it.
  virtual absl::Status CreateTransfer(v1::Transfer transfer, const v1::Actor& actor,
                                      const Answer<v1::Transfer>& answer) = 0;
  // Before departure only; cancelling a cancelled one answers it as it is.
  virtual absl::Status CancelTransfer(const std::string& transfer_id, const std::string& reason,
                                      const v1::Actor& actor,
                                      const Answer<v1::Transfer>& answer) = 0;
  virtual absl::StatusOr<Page<v1::Transfer>> ListTransfers(const v1::ListTransfersRequest& filter,
                                                           int limit, const std::string& after) = 0;
  // Stock takes (issue 19). Starting notes what each code in scope expects on the warehouse's
  // shelves; a count records a unit (where found) or adds to a code's count; applying turns the
  // counts into stock, under the codes' row locks.
  virtual absl::Status StartStockTake(const v1::StartStockTakeRequest& request,
                                      const v1::Actor& actor,
                                      const Answer<StockTakeView>& answer) = 0;
  virtual absl::Status CountStock(const v1::CountStockRequest& request,
                                  const Answer<v1::CountStockResponse>& answer) = 0;
  virtual absl::StatusOr<StockTakeView> GetStockTake(const std::string& stock_take_id) = 0;
  virtual absl::Status ApplyStockTake(const std::string& stock_take_id, const std::string& reason,
                                      const v1::Actor& actor,
                                      const Answer<StockTakeView>& answer) = 0;
  virtual absl::StatusOr<Page<v1::Item>> ListItems(const v1::ListItemsRequest& filter, int limit,
                                                   const std::string& after) = 0;
  virtual absl::Status DeleteItem(const std::string& inventory_code, const std::string& etag,
                                  const Answer<std::string>& answer) = 0;
  virtual absl::Status UpsertProduct(const v1::Product& product, const std::string& etag,
                                     const Answer<std::pair<v1::Product, bool>>& answer) = 0;
  virtual absl::StatusOr<v1::Product> GetProduct(const std::string& product_code) = 0;
  virtual absl::StatusOr<Page<v1::Product>> ListProducts(const v1::ListProductsRequest& filter,
                                                         int limit, const std::string& after) = 0;
  virtual absl::Status DeleteProduct(const std::string& product_code, const std::string& etag,
                                     const Answer<std::string>& answer) = 0;
  virtual absl::StatusOr<Catalog> FindProducts(const std::vector<std::string>& product_codes) = 0;

  // Stock of the codes over the range: quantity owned and every reservation,
  // hold, out-of-service period and sub-rental overlapping it.
  virtual absl::StatusOr<LoadedStock> LoadStock(const StockQuery& query) = 0;

  // Writes a hold or firm reservation in one transaction: takes the order's
  // lock, refuses a firm one whose request_id a Release undid (ABORTED /
  // STEP_UNDONE), locks the codes' item rows in code order, returns the
  // existing one unchanged for the same (order, revision), refuses an older
  // revision (STALE_REVISION), asks `decide` with the stock locked, then
  // replaces the order's previous reservation and writes the new one and its
  // outbox event together.
  virtual absl::Status PlaceReservation(const ReservationDraft& draft, const StockDecision& decide,
                                        const Answer<ReservationOutcome>& answer) = 0;

  // Releases the order's active holds and reservations (one revision, or all
  // when `order_revision` is 0). Releasing twice releases nothing the second time.
  // A non-empty `undo_request_id` is recorded as undone under the order's lock first,
  // so that Reserve, should it arrive later, is refused.
  virtual absl::Status Release(const std::string& order_id, int64_t order_revision,
                               const std::string& reason, const std::string& actor_id,
                               const std::string& undo_request_id,
                               const Answer<std::vector<v1::Reservation>>& answer) = 0;

  // Reservations and holds in order of (order_id, order_revision, reservation_id), after the
  // position `after` that a page ended at (INVALID_ARGUMENT on page_token when it is not
  // one). A hold past its expire_time is EXPIRED, and not active.
  virtual absl::StatusOr<Page<v1::Reservation>> ListReservations(
      const v1::ListReservationsRequest& filter, int limit, const std::string& after) = 0;

  // The pull sheet of the order's firm reservation (NOT_FOUND without one).
  virtual absl::StatusOr<OrderSheet> LoadSheet(const std::string& order_id) = 0;
  // Records absolute pulled counts; emits PREP_STARTED on the first pull and
  // PREP_COMPLETED when everything is pulled. A non-zero expected revision
  // must be the reserved one (STALE_REVISION).
  virtual absl::Status RecordPrep(const std::string& order_id, int64_t expected_revision,
                                  const std::vector<PrepCountRecord>& counts,
                                  const std::string& actor_id, const SheetCheck& check,
                                  const Answer<OrderSheet>& answer) = 0;
  // Records a check-out (DISPATCHED) or check-in (RETURNED; damaged units go
  // out of service, ITEM_DAMAGED).
  virtual absl::Status RecordMovement(const MovementDraft& draft, const SheetCheck& check,
                                      const Answer<MovementOutcome>& answer) = 0;

  // Creates (empty id) or changes an out-of-service period; with the code
  // locked and the period in place, reports the firm reservations it leaves
  // short (each also gets a SHORTAGE_DETECTED event).
  virtual absl::Status SetOutOfService(
      const v1::SetOutOfServiceRequest& request, const std::string& actor_id,
      const Answer<std::pair<v1::OutOfService, std::vector<v1::OrderShortage>>>& answer) = 0;

  // Holds that still count (active and not expired), for the metrics gauge.
  virtual absl::StatusOr<int64_t> CountActiveHolds() = 0;

  virtual absl::Status AddSubRental(const v1::SubRental& sub_rental, const std::string& actor_id,
                                    const Answer<v1::SubRental>& answer) = 0;
  virtual absl::StatusOr<Page<v1::SubRental>> ListSubRentals(
      const v1::ListSubRentalsRequest& filter, int limit, const std::string& after) = 0;
};

}  // namespace salesops::inventory
