// The asset register's SQL (issue 19): one row per unit of a serialised code, its history in
// asset_events.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "services/common/errors.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/inventory/postgres_inventory_store.h"
#include "services/inventory/store_answers.h"

namespace salesops::inventory {
namespace {

template <typename Record>
Record Parse(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  Record record;
  record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  return record;
}

pqxx::binarystring Bytes(const std::string& body) {
  return pqxx::binarystring(body.data(), body.size());
}

// Units of a code that count: neither retired nor lost.
constexpr char kInService[] = "state NOT IN (4, 5)";

}  // namespace

absl::Status PostgresInventoryStore::RegisterAsset(v1::Asset asset, const v1::Actor& actor,
                                                   const Answer<v1::Asset>& answer) {
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
        static_cast<int>(asset.state()), Bytes(asset.SerializeAsString()));
    v1::AssetEvent event;
    event.set_kind(v1::ASSET_EVENT_KIND_REGISTERED);
    event.set_state(asset.state());
    event.set_location(asset.location());
    *event.mutable_actor() = actor;
    *event.mutable_event_time() = asset.register_time();
    tx.exec_params("INSERT INTO asset_events (asset_id, body) VALUES ($1, $2)", asset.asset_id(),
                   Bytes(event.SerializeAsString()));
    Answered(tx, answer, asset);
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
    *response.mutable_asset() = Parse<v1::Asset>(rows[0][1]);
    for (const pqxx::row& event :
         tx.exec_params("SELECT body FROM asset_events WHERE asset_id = $1 ORDER BY seq",
                        rows[0][0].as<std::string>())) {
      *response.add_history() = Parse<v1::AssetEvent>(event[0]);
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
        page, rows, limit, [](const pqxx::row& row) { return Parse<v1::Asset>(row[0]); },
        [](const v1::Asset& asset) { return asset.asset_id(); });
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace salesops::inventory
