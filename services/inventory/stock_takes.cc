// InventoryService: stock takes (issue 19). A warehouse counted by scanning, the discrepancies
// reported, and the counts applied by ADMIN with a reason.
#include "services/common/grpc_errors.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"
#include "services/inventory/scanning.h"

namespace salesops::inventory {
namespace {

// Fills a response that carries a stock take and its report.
template <typename Response>
void FillView(Response& response, const StockTakeView& view) {
  *response.mutable_stock_take() = view.stock_take;
  *response.mutable_report() = view.report;
}

}  // namespace

grpc::Status InventoryServiceImpl::StartStockTake(grpc::ServerContext* context,
                                                  const v1::StartStockTakeRequest* request,
                                                  v1::StartStockTakeResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("StartStockTake", *request);
    return store_->StartStockTake(
        *request, runtime_.CallerOf(*context),
        {*response, [&](const StockTakeView& view) { FillView(*response, view); }, &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::CountStock(grpc::ServerContext*,
                                              const v1::CountStockRequest* request,
                                              v1::CountStockResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    if (!IsBarcodeText(request->barcode())) {
      violations.push_back({"barcode", "is printable ASCII without spaces, 1 to 60"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("CountStock", *request);
    return store_->CountStock(
        *request, {*response, [&](const v1::CountStockResponse& counted) { *response = counted; },
                   &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetStockTake(grpc::ServerContext*,
                                                const v1::GetStockTakeRequest* request,
                                                v1::GetStockTakeResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(StockTakeView view, store_->GetStockTake(request->stock_take_id()));
    FillView(*response, view);
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ApplyStockTake(grpc::ServerContext* context,
                                                  const v1::ApplyStockTakeRequest* request,
                                                  v1::ApplyStockTakeResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("ApplyStockTake", *request);
    return store_->ApplyStockTake(request->stock_take_id(), request->reason(),
                                  runtime_.CallerOf(*context),
                                  {*response,
                                   [&](const StockTakeView& view) {
                                     FillView(*response, view);
                                     for (const v1::OrderShortage& shortage : view.shortages) {
                                       *response->add_shortages() = shortage;
                                     }
                                   },
                                   &idempotent});
  }());
}

}  // namespace salesops::inventory
