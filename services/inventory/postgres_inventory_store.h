#pragma once

#include "services/common/db_pool.h"
#include "services/inventory/inventory_store.h"

namespace salesops::inventory {

// InventoryStore on the service's own PostgreSQL database.
class PostgresInventoryStore final : public InventoryStore {
 public:
  explicit PostgresInventoryStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::Status RegisterAsset(v1::Asset asset, const v1::Actor& actor,
                             const Answer<AssetChange>& answer) override;
  absl::Status SetAssetState(const v1::SetAssetStateRequest& request, const v1::Actor& actor,
                             const Answer<AssetChange>& answer) override;
  absl::Status SetMaintenancePlan(
      v1::MaintenancePlan plan, const v1::Actor& actor,
      const Answer<std::pair<v1::MaintenancePlan, std::vector<v1::OrderShortage>>>& answer)
      override;
  absl::StatusOr<v1::MaintenancePlan> GetMaintenancePlan(
      const std::string& inventory_code) override;
  absl::Status RecordInspection(const v1::RecordInspectionRequest& request, const v1::Actor& actor,
                                const Answer<AssetChange>& answer) override;
  absl::Status Scan(const ScanDraft& draft, const Answer<v1::ScanResult>& answer) override;
  absl::Status StartStockTake(const v1::StartStockTakeRequest& request, const v1::Actor& actor,
                              const Answer<StockTakeView>& answer) override;
  absl::Status CountStock(const v1::CountStockRequest& request,
                          const Answer<v1::CountStockResponse>& answer) override;
  absl::StatusOr<StockTakeView> GetStockTake(const std::string& stock_take_id) override;
  absl::Status ApplyStockTake(const std::string& stock_take_id, const std::string& reason,
                              const v1::Actor& actor, const Answer<StockTakeView>& answer) override;
  absl::Status SetWarehouseStock(const v1::SetWarehouseStockRequest& request,
                                 const Answer<std::vector<v1::WarehouseStock>>& answer) override;
  absl::StatusOr<v1::GetWarehouseStockResponse> GetWarehouseStock(
      const std::string& inventory_code) override;
  absl::Status CreateTransfer(v1::Transfer transfer, const v1::Actor& actor,
                              const Answer<v1::Transfer>& answer) override;
  absl::Status CancelTransfer(const std::string& transfer_id, const std::string& reason,
                              const v1::Actor& actor, const Answer<v1::Transfer>& answer) override;
  absl::StatusOr<Page<v1::Transfer>> ListTransfers(const v1::ListTransfersRequest& filter,
                                                   int limit, const std::string& after) override;
  absl::StatusOr<v1::GetAssetResponse> GetAsset(const std::string& asset_id,
                                                const std::string& barcode) override;
  absl::StatusOr<Page<v1::Asset>> ListAssets(const v1::ListAssetsRequest& filter, int limit,
                                             const std::string& after) override;
  absl::Status UpsertItem(const v1::Item& item, const std::string& etag,
                          const std::string& actor_id,
                          const Answer<std::pair<v1::Item, bool>>& answer) override;
  absl::StatusOr<v1::GetItemResponse> GetItem(const std::string& inventory_code) override;
  absl::StatusOr<Page<v1::Item>> ListItems(const v1::ListItemsRequest& filter, int limit,
                                           const std::string& after) override;
  absl::Status DeleteItem(const std::string& inventory_code, const std::string& etag,
                          const Answer<std::string>& answer) override;
  absl::Status UpsertProduct(const v1::Product& product, const std::string& etag,
                             const Answer<std::pair<v1::Product, bool>>& answer) override;
  absl::StatusOr<v1::Product> GetProduct(const std::string& product_code) override;
  absl::StatusOr<Page<v1::Product>> ListProducts(const v1::ListProductsRequest& filter, int limit,
                                                 const std::string& after) override;
  absl::Status DeleteProduct(const std::string& product_code, const std::string& etag,
                             const Answer<std::string>& answer) override;
  absl::StatusOr<Catalog> FindProducts(const std::vector<std::string>& product_codes) override;
  absl::StatusOr<LoadedStock> LoadStock(const StockQuery& query) override;
  absl::Status PlaceReservation(const ReservationDraft& draft, const StockDecision& decide,
                                const Answer<ReservationOutcome>& answer) override;
  absl::Status Release(const std::string& order_id, int64_t order_revision,
                       const std::string& reason, const std::string& actor_id,
                       const std::string& undo_request_id,
                       const Answer<std::vector<v1::Reservation>>& answer) override;
  absl::StatusOr<Page<v1::Reservation>> ListReservations(const v1::ListReservationsRequest& filter,
                                                         int limit,
                                                         const std::string& after) override;
  absl::StatusOr<OrderSheet> LoadSheet(const std::string& order_id) override;
  absl::Status RecordPrep(const std::string& order_id, int64_t expected_revision,
                          const std::vector<PrepCountRecord>& counts, const std::string& actor_id,
                          const SheetCheck& check, const Answer<OrderSheet>& answer) override;
  absl::Status RecordMovement(const MovementDraft& draft, const SheetCheck& check,
                              const Answer<MovementOutcome>& answer) override;
  absl::Status SetOutOfService(
      const v1::SetOutOfServiceRequest& request, const std::string& actor_id,
      const Answer<std::pair<v1::OutOfService, std::vector<v1::OrderShortage>>>& answer) override;
  absl::StatusOr<int64_t> CountActiveHolds() override;
  absl::Status AddSubRental(const v1::SubRental& sub_rental, const std::string& actor_id,
                            const Answer<v1::SubRental>& answer) override;
  absl::StatusOr<Page<v1::SubRental>> ListSubRentals(const v1::ListSubRentalsRequest& filter,
                                                     int limit, const std::string& after) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::inventory
