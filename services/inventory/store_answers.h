#pragma once

// What the PostgreSQL store's translation units share: how it answers a mutating call
// (inventory_store.h, Answer), with the replay of an identical earlier request first and the
// answer remembered with the effect last; and the sheet, event and shortage steps that prep,
// movements, scans and unit changes all take.
#include <absl/status/statusor.h>

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "services/common/errors.h"
#include "services/inventory/inventory_store.h"

namespace salesops::inventory {

// AIP-155, first inside the transaction that would act: true when an identical request was
// answered before; its answer is now in `answer.response` and this call must not act.
template <typename Result>
absl::StatusOr<bool> Replayed(pqxx::work& transaction, const Answer<Result>& answer) {
  if (answer.idempotent == nullptr) return false;
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier,
                            answer.idempotent->Replay(transaction));
  if (!earlier) return false;
  if (!answer.response.ParseFromString(*earlier)) {
    return absl::InternalError("a remembered answer does not parse");
  }
  return true;
}

// Last inside the transaction that acted: the call's answer, remembered with the effect.
template <typename Result>
void Answered(pqxx::work& transaction, const Answer<Result>& answer, const Result& result) {
  answer.response.Clear();
  answer.fill(result);
  if (answer.idempotent != nullptr) answer.idempotent->Remember(transaction, answer.response);
}

v1::InventoryLine Line(const std::string& code, int quantity);
int64_t Micros(Instant instant);
Instant FromMicros(int64_t micros);

// Where a unit is now: the destination of the last transfer it arrived with, else the warehouse
// it was registered at; or on the road with a transfer.
struct UnitPlace {
  std::string warehouse_id;
  std::string on_the_road_with;  // a transfer id
};
UnitPlace WhereUnitIs(pqxx::work& transaction, const v1::Asset& asset);

// The asset register's steps (postgres_asset_store.cc), shared with stock takes.
// Writes the unit back; `out_until_us` (0: none) is how long its order's window holds it.
void SaveAsset(pqxx::work& transaction, const v1::Asset& asset, int64_t out_until_us);
// Appends to the unit's history, stamped with its state, the actor and (unless set) now.
void AddAssetEvent(pqxx::work& transaction, const v1::Asset& asset, v1::AssetEvent event,
                   const v1::Actor& actor);
v1::AssetEvent EventOf(v1::AssetEventKind kind, const std::string& note);
// Ends the unit's open repair now.
void CloseRepair(pqxx::work& transaction, const std::string& asset_id);
// Recomputes the unit's overdue-inspection hold; answers from when it now holds the unit where
// it did not before (for the shortages to report).
std::optional<int64_t> RefreshInspectionHold(pqxx::work& transaction, const v1::Asset& asset,
                                             const v1::Actor& actor);

// The stock of the query's codes over its range, inside `transaction` (InventoryStore::LoadStock).
LoadedStock LoadStockIn(pqxx::transaction_base& transaction, const StockQuery& query);

// The order's sheet inside `transaction`; with `lock`, the order's firm reservation row is
// locked so concurrent prep, movements and scans take turns. NOT_FOUND without one.
absl::StatusOr<OrderSheet> LoadSheetIn(pqxx::work& transaction, const std::string& order_id,
                                       bool lock);

// Writes absolute pulled counts onto the locked sheet `before` and emits PREP_STARTED on the
// first pull and PREP_COMPLETED when everything is pulled; answers the sheet after.
absl::StatusOr<OrderSheet> ApplyPrepCounts(pqxx::work& transaction, const OrderSheet& before,
                                           const std::vector<PrepCountRecord>& counts,
                                           const std::string& actor_id);

// Appends an event about `order_id` to the outbox, in `transaction`.
void AddEvent(pqxx::work& transaction, v1::EventType type, const std::string& order_id,
              int64_t revision, const std::string& actor_id, const std::string& summary,
              const std::function<void(v1::Event&)>& fill);

// The confirmed orders holding `code` in [from, to) (to 0: from then on) that no longer fit
// after a change to the stock: one SHORTAGE_DETECTED event each, saying `why`. The caller
// holds the code's row FOR UPDATE.
std::vector<v1::OrderShortage> ReportShortages(pqxx::work& transaction, const std::string& code,
                                               int64_t from_us, int64_t to_us,
                                               const std::string& actor_id, const std::string& why,
                                               const std::function<void(v1::StockPayload&)>& fill);

}  // namespace salesops::inventory
