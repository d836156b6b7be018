// InventoryService: stock across warehouses (issue 19). What each warehouse keeps, and transfers
// that move units between them over a road time.
#include <absl/strings/str_cat.h>

#include <set>

#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"

namespace salesops::inventory {
namespace {

constexpr int64_t kShortestTransitSeconds = 60;
constexpr int64_t kLongestTransitSeconds = 14 * 24 * 3600;
// A transfer entered a little after it left is still a transfer; one a day old is history.
constexpr int64_t kLateEntrySeconds = 3600;
// Departures at most this far ahead, as reservations are made.
constexpr int64_t kFurthestDepartureSeconds = 400LL * 24 * 3600;

std::vector<common::FieldViolation> CheckTransfer(const v1::Transfer& transfer) {
  std::vector<common::FieldViolation> violations;
  std::set<std::string> codes;
  for (int i = 0; i < transfer.lines_size(); ++i) {
    const v1::InventoryLine& line = transfer.lines(i);
    const std::string field = absl::StrCat("transfer.lines[", i, "]");
    if (!codes.insert(line.inventory_code()).second) {
      violations.push_back({field + ".inventory_code", "appears twice; one line per code"});
    }
    if (line.quantity() < 1) violations.push_back({field + ".quantity", "is at least 1"});
  }
  if (transfer.from_warehouse_id() == transfer.to_warehouse_id()) {
    violations.push_back({"transfer.to_warehouse_id", "is another warehouse than the origin"});
  }
  const int64_t transit = transfer.transit().seconds();
  if (transfer.transit().nanos() < 0 || transit < kShortestTransitSeconds ||
      transit > kLongestTransitSeconds) {
    violations.push_back({"transfer.transit", "is 1 minute to 14 days on the road"});
  }
  const int64_t now = common::NowTimestamp().seconds();
  if (transfer.has_depart_time() &&
      (transfer.depart_time().seconds() < now - kLateEntrySeconds ||
       transfer.depart_time().seconds() > now + kFurthestDepartureSeconds)) {
    violations.push_back({"transfer.depart_time", "is from an hour ago to 400 days ahead"});
  }
  std::set<std::string> units;
  for (int i = 0; i < transfer.asset_ids_size(); ++i) {
    if (!units.insert(transfer.asset_ids(i)).second) {
      violations.push_back({absl::StrCat("transfer.asset_ids[", i, "]"), "appears twice"});
    }
  }
  return violations;
}

}  // namespace

grpc::Status InventoryServiceImpl::SetWarehouseStock(grpc::ServerContext*,
                                                     const v1::SetWarehouseStockRequest* request,
                                                     v1::SetWarehouseStockResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("SetWarehouseStock", *request);
    return store_->SetWarehouseStock(*request, {*response,
                                                [&](const std::vector<v1::WarehouseStock>& stock) {
                                                  for (const v1::WarehouseStock& each : stock)
                                                    *response->add_stock() = each;
                                                },
                                                &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetWarehouseStock(grpc::ServerContext*,
                                                     const v1::GetWarehouseStockRequest* request,
                                                     v1::GetWarehouseStockResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response, store_->GetWarehouseStock(request->inventory_code()));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::CreateTransfer(grpc::ServerContext* context,
                                                  const v1::CreateTransferRequest* request,
                                                  v1::CreateTransferResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    for (common::FieldViolation& violation : CheckTransfer(request->transfer())) {
      violations.push_back(std::move(violation));
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("CreateTransfer", *request);
    return store_->CreateTransfer(
        request->transfer(), runtime_.CallerOf(*context),
        {*response, [&](const v1::Transfer& transfer) { *response->mutable_transfer() = transfer; },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::CancelTransfer(grpc::ServerContext* context,
                                                  const v1::CancelTransferRequest* request,
                                                  v1::CancelTransferResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("CancelTransfer", *request);
    return store_->CancelTransfer(
        request->transfer_id(), request->reason(), runtime_.CallerOf(*context),
        {*response, [&](const v1::Transfer& transfer) { *response->mutable_transfer() = transfer; },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::ListTransfers(grpc::ServerContext*,
                                                 const v1::ListTransfersRequest* request,
                                                 v1::ListTransfersResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("transfers", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::Transfer> page,
        store_->ListTransfers(*request, common::EffectivePageSize(request->page_size()), after));
    for (v1::Transfer& transfer : page.entries) *response->add_transfers() = std::move(transfer);
    response->set_next_page_token(common::EncodePageToken("transfers", page.next_after));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::inventory
