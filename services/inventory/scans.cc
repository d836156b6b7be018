// InventoryService.ScanOut and ScanIn (issue 19): what a barcode scanner at the warehouse door
// reads, one scan at a time, each answered at once with the sheet's progress or the reason it
// was refused.
#include "services/common/grpc_errors.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"
#include "services/inventory/scanning.h"

namespace salesops::inventory {
grpc::Status InventoryServiceImpl::ScanOut(grpc::ServerContext* context,
                                           const v1::ScanOutRequest* request,
                                           v1::ScanOutResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    if (!IsBarcodeText(request->barcode())) {
      violations.push_back({"barcode", "is printable ASCII without spaces, 1 to 60"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    ScanDraft draft;
    draft.order_id = request->order_id();
    draft.barcode = request->barcode();
    draft.quantity = request->quantity();
    draft.actor = runtime_.CallerOf(*context);
    const common::IdempotentRequest idempotent = IdempotentRequestOf("ScanOut", *request);
    return store_->Scan(
        draft,
        {*response, [&](const v1::ScanResult& result) { *response->mutable_result() = result; },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::ScanIn(grpc::ServerContext* context,
                                          const v1::ScanInRequest* request,
                                          v1::ScanInResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    if (!IsBarcodeText(request->barcode())) {
      violations.push_back({"barcode", "is printable ASCII without spaces, 1 to 60"});
    }
    const bool damaged = request->condition() == v1::SCAN_CONDITION_DAMAGED;
    if (request->has_back_in_service_time() &&
        (!damaged || common::ToMicros(request->back_in_service_time()) <=
                         common::ToMicros(common::NowTimestamp()))) {
      violations.push_back(
          {"back_in_service_time", "is when a damaged unit is back from repair: in the future"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    ScanDraft draft;
    draft.order_id = request->order_id();
    draft.barcode = request->barcode();
    draft.quantity = request->quantity();
    draft.scanning_in = true;
    draft.condition = request->condition();
    draft.note = request->note();
    if (request->has_back_in_service_time()) {
      draft.back_in_service_time =
          Instant(std::chrono::microseconds(common::ToMicros(request->back_in_service_time())));
    }
    draft.actor = runtime_.CallerOf(*context);
    const common::IdempotentRequest idempotent = IdempotentRequestOf("ScanIn", *request);
    return store_->Scan(
        draft,
        {*response, [&](const v1::ScanResult& result) { *response->mutable_result() = result; },
         &idempotent});
  }());
}

}  // namespace salesops::inventory
