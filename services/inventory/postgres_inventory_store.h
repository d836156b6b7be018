#pragma once

#include "services/common/db_pool.h"
#include "services/inventory/inventory_store.h"

namespace salesops::inventory {

// InventoryStore on the service's own PostgreSQL database.
class PostgresInventoryStore final : public InventoryStore {
 public:
  explicit PostgresInventoryStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::pair<v1::Item, bool>> UpsertItem(const v1::Item& item,
                                                       const std::string& etag,
                                                       const std::string& actor_id) override;
  absl::StatusOr<v1::GetItemResponse> GetItem(const std::string& inventory_code) override;
  absl::StatusOr<Page<v1::Item>> ListItems(const v1::ListItemsRequest& filter, int limit,
                                           const std::string& after) override;
  absl::Status DeleteItem(const std::string& inventory_code, const std::string& etag) override;
  absl::StatusOr<std::pair<v1::Product, bool>> UpsertProduct(const v1::Product& product,
                                                             const std::string& etag) override;
  absl::StatusOr<v1::Product> GetProduct(const std::string& product_code) override;
  absl::StatusOr<Page<v1::Product>> ListProducts(const v1::ListProductsRequest& filter, int limit,
                                                 const std::string& after) override;
  absl::Status DeleteProduct(const std::string& product_code, const std::string& etag) override;
  absl::StatusOr<Catalog> FindProducts(const std::vector<std::string>& product_codes) override;
  absl::StatusOr<LoadedStock> LoadStock(const StockQuery& query) override;
  absl::StatusOr<ReservationOutcome> PlaceReservation(const ReservationDraft& draft,
                                                      const StockDecision& decide) override;
  absl::StatusOr<std::vector<v1::Reservation>> Release(const std::string& order_id,
                                                       int64_t order_revision,
                                                       const std::string& reason,
                                                       const std::string& actor_id,
                                                       const std::string& undo_request_id) override;
  absl::StatusOr<Page<v1::Reservation>> ListReservations(const v1::ListReservationsRequest& filter,
                                                         int limit,
                                                         const std::string& after) override;
  absl::StatusOr<OrderSheet> LoadSheet(const std::string& order_id) override;
  absl::StatusOr<OrderSheet> RecordPrep(const std::string& order_id, int64_t expected_revision,
                                        const std::vector<PrepCountRecord>& counts,
                                        const std::string& actor_id,
                                        const SheetCheck& check) override;
  absl::StatusOr<MovementOutcome> RecordMovement(const MovementDraft& draft,
                                                 const SheetCheck& check) override;
  absl::StatusOr<std::pair<v1::OutOfService, std::vector<v1::OrderShortage>>> SetOutOfService(
      const v1::SetOutOfServiceRequest& request, const std::string& actor_id) override;
  absl::StatusOr<int64_t> CountActiveHolds() override;
  absl::StatusOr<v1::SubRental> AddSubRental(const v1::SubRental& sub_rental,
                                             const std::string& actor_id) override;
  absl::StatusOr<Page<v1::SubRental>> ListSubRentals(const v1::ListSubRentalsRequest& filter,
                                                     int limit, const std::string& after) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::inventory
