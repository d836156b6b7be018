#pragma once

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/service_runtime.h"
#include "services/inventory/inventory_definition.h"
#include "services/inventory/inventory_metrics.h"
#include "services/inventory/inventory_store.h"
#include "services/inventory/stock_keeper.h"

namespace salesops::inventory {

// Inventory: the shared catalog, availability over time, holds and
// reservations that never overbook, prep and movements, sub-rentals,
// out-of-service periods and forecasts. Handlers validate, call the domain
// (StockKeeper, catalog, prep) or the store, and map the result to a status.
class InventoryServiceImpl final : public v1::InventoryService::Service {
 public:
  InventoryServiceImpl(common::ServiceRuntime& runtime, std::unique_ptr<InventoryStore> store);

  grpc::Status UpsertItem(grpc::ServerContext* context, const v1::UpsertItemRequest* request,
                          v1::UpsertItemResponse* response) override;
  grpc::Status GetItem(grpc::ServerContext* context, const v1::GetItemRequest* request,
                       v1::GetItemResponse* response) override;
  grpc::Status ListItems(grpc::ServerContext* context, const v1::ListItemsRequest* request,
                         v1::ListItemsResponse* response) override;
  grpc::Status DeleteItem(grpc::ServerContext* context, const v1::DeleteItemRequest* request,
                          v1::DeleteItemResponse* response) override;
  grpc::Status UpsertProduct(grpc::ServerContext* context, const v1::UpsertProductRequest* request,
                             v1::UpsertProductResponse* response) override;
  grpc::Status GetProduct(grpc::ServerContext* context, const v1::GetProductRequest* request,
                          v1::GetProductResponse* response) override;
  grpc::Status ListProducts(grpc::ServerContext* context, const v1::ListProductsRequest* request,
                            v1::ListProductsResponse* response) override;
  grpc::Status DeleteProduct(grpc::ServerContext* context, const v1::DeleteProductRequest* request,
                             v1::DeleteProductResponse* response) override;
  grpc::Status ResolveProducts(grpc::ServerContext* context,
                               const v1::ResolveProductsRequest* request,
                               v1::ResolveProductsResponse* response) override;
  grpc::Status CheckAvailability(grpc::ServerContext* context,
                                 const v1::CheckAvailabilityRequest* request,
                                 v1::CheckAvailabilityResponse* response) override;
  grpc::Status GetAvailabilityCalendar(grpc::ServerContext* context,
                                       const v1::GetAvailabilityCalendarRequest* request,
                                       v1::GetAvailabilityCalendarResponse* response) override;
  grpc::Status PlaceHold(grpc::ServerContext* context, const v1::PlaceHoldRequest* request,
                         v1::PlaceHoldResponse* response) override;
  grpc::Status Reserve(grpc::ServerContext* context, const v1::ReserveRequest* request,
                       v1::ReserveResponse* response) override;
  grpc::Status Release(grpc::ServerContext* context, const v1::ReleaseRequest* request,
                       v1::ReleaseResponse* response) override;
  grpc::Status ListReservations(grpc::ServerContext* context,
                                const v1::ListReservationsRequest* request,
                                v1::ListReservationsResponse* response) override;

  grpc::Status GetPullSheet(grpc::ServerContext* context, const v1::GetPullSheetRequest* request,
                            v1::GetPullSheetResponse* response) override;
  grpc::Status GetLabels(grpc::ServerContext* context, const v1::GetLabelsRequest* request,
                         v1::GetLabelsResponse* response) override;
  grpc::Status RegisterAsset(grpc::ServerContext* context, const v1::RegisterAssetRequest* request,
                             v1::RegisterAssetResponse* response) override;
  grpc::Status GetAsset(grpc::ServerContext* context, const v1::GetAssetRequest* request,
                        v1::GetAssetResponse* response) override;
  grpc::Status ListAssets(grpc::ServerContext* context, const v1::ListAssetsRequest* request,
                          v1::ListAssetsResponse* response) override;
  grpc::Status SetAssetState(grpc::ServerContext* context, const v1::SetAssetStateRequest* request,
                             v1::SetAssetStateResponse* response) override;
  grpc::Status SetMaintenancePlan(grpc::ServerContext* context,
                                  const v1::SetMaintenancePlanRequest* request,
                                  v1::SetMaintenancePlanResponse* response) override;
  grpc::Status GetMaintenancePlan(grpc::ServerContext* context,
                                  const v1::GetMaintenancePlanRequest* request,
                                  v1::GetMaintenancePlanResponse* response) override;
  grpc::Status RecordInspection(grpc::ServerContext* context,
                                const v1::RecordInspectionRequest* request,
                                v1::RecordInspectionResponse* response) override;
  grpc::Status SetWarehouseStock(grpc::ServerContext* context,
                                 const v1::SetWarehouseStockRequest* request,
                                 v1::SetWarehouseStockResponse* response) override;
  grpc::Status GetWarehouseStock(grpc::ServerContext* context,
                                 const v1::GetWarehouseStockRequest* request,
                                 v1::GetWarehouseStockResponse* response) override;
  grpc::Status CreateTransfer(grpc::ServerContext* context,
                              const v1::CreateTransferRequest* request,
                              v1::CreateTransferResponse* response) override;
  grpc::Status CancelTransfer(grpc::ServerContext* context,
                              const v1::CancelTransferRequest* request,
                              v1::CancelTransferResponse* response) override;
  grpc::Status ListTransfers(grpc::ServerContext* context, const v1::ListTransfersRequest* request,
                             v1::ListTransfersResponse* response) override;
  grpc::Status StartStockTake(grpc::ServerContext* context,
                              const v1::StartStockTakeRequest* request,
                              v1::StartStockTakeResponse* response) override;
  grpc::Status CountStock(grpc::ServerContext* context, const v1::CountStockRequest* request,
                          v1::CountStockResponse* response) override;
  grpc::Status GetStockTake(grpc::ServerContext* context, const v1::GetStockTakeRequest* request,
                            v1::GetStockTakeResponse* response) override;
  grpc::Status ApplyStockTake(grpc::ServerContext* context,
                              const v1::ApplyStockTakeRequest* request,
                              v1::ApplyStockTakeResponse* response) override;
  grpc::Status ScanOut(grpc::ServerContext* context, const v1::ScanOutRequest* request,
                       v1::ScanOutResponse* response) override;
  grpc::Status ScanIn(grpc::ServerContext* context, const v1::ScanInRequest* request,
                      v1::ScanInResponse* response) override;
  grpc::Status RecordPrep(grpc::ServerContext* context, const v1::RecordPrepRequest* request,
                          v1::RecordPrepResponse* response) override;
  grpc::Status CheckOut(grpc::ServerContext* context, const v1::CheckOutRequest* request,
                        v1::CheckOutResponse* response) override;
  grpc::Status CheckIn(grpc::ServerContext* context, const v1::CheckInRequest* request,
                       v1::CheckInResponse* response) override;
  grpc::Status SetOutOfService(grpc::ServerContext* context,
                               const v1::SetOutOfServiceRequest* request,
                               v1::SetOutOfServiceResponse* response) override;
  grpc::Status AddSubRental(grpc::ServerContext* context, const v1::AddSubRentalRequest* request,
                            v1::AddSubRentalResponse* response) override;
  grpc::Status ListSubRentals(grpc::ServerContext* context,
                              const v1::ListSubRentalsRequest* request,
                              v1::ListSubRentalsResponse* response) override;
  grpc::Status ForecastDemand(grpc::ServerContext* context,
                              const v1::ForecastDemandRequest* request,
                              v1::ForecastDemandResponse* response) override;

 private:
  common::ServiceRuntime& runtime_;
  std::unique_ptr<InventoryStore> store_;
  StockKeeper keeper_;
  InventoryMetrics metrics_;
  std::shared_ptr<prometheus::Collectable> holds_active_;
};

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime);

}  // namespace salesops::inventory
