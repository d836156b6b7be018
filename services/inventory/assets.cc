// InventoryService: the asset register (issue 19). One record per unit of a serialised code,
// found by its id or by the barcode a scanner reads, with its history and a straight-line book
// value computed when it is read.
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/time/civil_time.h>
#include <absl/time/clock.h>

#include <set>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"
#include "services/inventory/scanning.h"

namespace salesops::inventory {
namespace {

// The purchase price less 1/life of it for each whole month since the purchase day.
void SetBookValue(v1::Asset& asset, absl::CivilDay today) {
  if (!asset.has_purchase_price()) return;
  const absl::StatusOr<int64_t> price = common::MoneyToMicros(asset.purchase_price(), "price");
  if (!price.ok()) return;
  int64_t value = *price;
  if (asset.useful_life_months() > 0 && asset.has_purchase_day()) {
    const absl::CivilMonth bought(asset.purchase_day().year(), asset.purchase_day().month());
    int64_t months = absl::CivilMonth(today) - bought;
    if (today.day() < asset.purchase_day().day()) --months;  // whole months only
    months = std::clamp<int64_t>(months, 0, asset.useful_life_months());
    value = common::ScaleMicros(*price, asset.useful_life_months() - months,
                                asset.useful_life_months(), 10'000, "book value")
                .value_or(0);
  }
  *asset.mutable_book_value() =
      common::MoneyFromMicros(value, asset.purchase_price().currency_code());
}

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()); }

// Upper-case letters, digits, "-" and "_", 1 to 40: an inspection type as labels and reports
// print it.
bool IsInspectionType(const std::string& text) {
  if (text.empty() || text.size() > 40) return false;
  for (char c : text) {
    if (!(absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

constexpr int64_t kDaySeconds = 24 * 3600;
// The longest inspection interval: ten years.
constexpr int64_t kMaxIntervalDays = 3660;

// Fills the response of a call that changed a unit.
template <typename Response>
void FillChange(Response& response, const AssetChange& change) {
  *response.mutable_asset() = change.asset;
  SetBookValue(*response.mutable_asset(), Today());
  for (const v1::OrderShortage& shortage : change.shortages) *response.add_shortages() = shortage;
}

// A moment a person reports as done: not ahead of now (a minute of clock skew allowed).
bool InTheFuture(const google::protobuf::Timestamp& time) {
  return common::ToMicros(time) > common::ToMicros(common::NowTimestamp()) + 60'000'000;
}

}  // namespace

grpc::Status InventoryServiceImpl::RegisterAsset(grpc::ServerContext* context,
                                                 const v1::RegisterAssetRequest* request,
                                                 v1::RegisterAssetResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const v1::Asset& asset = request->asset();
    std::vector<common::FieldViolation> violations;
    if (!asset.barcode().empty() && !IsBarcodeText(asset.barcode())) {
      violations.push_back({"asset.barcode", "is printable ASCII without spaces, at most 60"});
    }
    if (asset.has_purchase_price()) {
      absl::StatusOr<int64_t> price = common::MoneyToMicros(asset.purchase_price(), "price");
      if (!price.ok() || *price < 0 || asset.purchase_price().currency_code().size() != 3) {
        violations.push_back({"asset.purchase_price", "is a positive amount with its currency"});
      }
    }
    if (asset.has_purchase_day() &&
        (asset.purchase_day().month() < 1 || asset.purchase_day().month() > 12 ||
         asset.purchase_day().day() < 1 || asset.purchase_day().day() > 31 ||
         asset.purchase_day().year() < 1900 ||
         absl::CivilDay(asset.purchase_day().year(), asset.purchase_day().month(),
                        asset.purchase_day().day()) > Today())) {
      violations.push_back({"asset.purchase_day", "is a real day, today or before"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("RegisterAsset", *request);
    return store_->RegisterAsset(asset, runtime_.CallerOf(*context),
                                 {*response,
                                  [&](const AssetChange& change) {
                                    *response->mutable_asset() = change.asset;
                                    SetBookValue(*response->mutable_asset(), Today());
                                    for (const v1::OrderShortage& shortage : change.shortages) {
                                      *response->add_shortages() = shortage;
                                    }
                                  },
                                  &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetAsset(grpc::ServerContext*,
                                            const v1::GetAssetRequest* request,
                                            v1::GetAssetResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    if (request->asset_id().empty() == request->barcode().empty()) {
      return common::InvalidArgumentError(
          {{"asset_id", "name exactly one of asset_id and barcode"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response, store_->GetAsset(request->asset_id(), request->barcode()));
    SetBookValue(*response->mutable_asset(), Today());
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ListAssets(grpc::ServerContext*,
                                              const v1::ListAssetsRequest* request,
                                              v1::ListAssetsResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("assets", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::Asset> page,
        store_->ListAssets(*request, common::EffectivePageSize(request->page_size()), after));
    const absl::CivilDay today = Today();
    for (v1::Asset& asset : page.entries) {
      SetBookValue(asset, today);
      *response->add_assets() = std::move(asset);
    }
    response->set_next_page_token(common::EncodePageToken("assets", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::SetAssetState(grpc::ServerContext* context,
                                                 const v1::SetAssetStateRequest* request,
                                                 v1::SetAssetStateResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    if (request->state() == v1::ASSET_STATE_OUT) {
      violations.push_back({"state", "a unit goes out by ScanOut, not by being set"});
    }
    if (request->has_back_in_service_time() && (request->state() != v1::ASSET_STATE_IN_REPAIR ||
                                                common::ToMicros(request->back_in_service_time()) <=
                                                    common::ToMicros(common::NowTimestamp()))) {
      violations.push_back(
          {"back_in_service_time", "is when a unit going to repair is back: in the future"});
    }
    if (request->has_cost()) {
      absl::StatusOr<int64_t> cost = common::MoneyToMicros(request->cost(), "cost");
      if (!cost.ok() || *cost < 0 || request->cost().currency_code().size() != 3) {
        violations.push_back({"cost", "is a positive amount with its currency"});
      }
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("SetAssetState", *request);
    return store_->SetAssetState(
        *request, runtime_.CallerOf(*context),
        {*response, [&](const AssetChange& change) { FillChange(*response, change); },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::SetMaintenancePlan(grpc::ServerContext* context,
                                                      const v1::SetMaintenancePlanRequest* request,
                                                      v1::SetMaintenancePlanResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    std::set<std::string> seen;
    for (int i = 0; i < request->plan().rules_size(); ++i) {
      const v1::InspectionRule& rule = request->plan().rules(i);
      const std::string field = absl::StrCat("plan.rules[", i, "]");
      if (!IsInspectionType(rule.inspection_type())) {
        violations.push_back({field + ".inspection_type",
                              "is 1 to 40 upper-case letters, digits, '-' or '_' (\"PAT\")"});
      } else if (!seen.insert(rule.inspection_type()).second) {
        violations.push_back({field + ".inspection_type", "appears twice in the plan"});
      }
      if (rule.has_interval() &&
          (rule.interval().nanos() != 0 || rule.interval().seconds() % kDaySeconds != 0 ||
           rule.interval().seconds() < kDaySeconds ||
           rule.interval().seconds() > kMaxIntervalDays * kDaySeconds)) {
        violations.push_back(
            {field + ".interval", "is whole days, 1 to 3660; unset means on every return"});
      }
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent =
        IdempotentRequestOf("SetMaintenancePlan", *request);
    return store_->SetMaintenancePlan(
        request->plan(), runtime_.CallerOf(*context),
        {*response,
         [&](const std::pair<v1::MaintenancePlan, std::vector<v1::OrderShortage>>& result) {
           *response->mutable_plan() = result.first;
           for (const v1::OrderShortage& shortage : result.second) {
             *response->add_shortages() = shortage;
           }
         },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetMaintenancePlan(grpc::ServerContext*,
                                                      const v1::GetMaintenancePlanRequest* request,
                                                      v1::GetMaintenancePlanResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_plan(),
                              store_->GetMaintenancePlan(request->inventory_code()));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::RecordInspection(grpc::ServerContext* context,
                                                    const v1::RecordInspectionRequest* request,
                                                    v1::RecordInspectionResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    if (request->asset_id().empty() == request->barcode().empty()) {
      violations.push_back({"asset_id", "name exactly one of asset_id and barcode"});
    }
    if (!IsInspectionType(request->inspection_type())) {
      violations.push_back(
          {"inspection_type", "is 1 to 40 upper-case letters, digits, '-' or '_' (\"PAT\")"});
    }
    if (request->has_inspect_time() && InTheFuture(request->inspect_time())) {
      violations.push_back({"inspect_time", "is when it was done: not in the future"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("RecordInspection", *request);
    return store_->RecordInspection(
        *request, runtime_.CallerOf(*context),
        {*response, [&](const AssetChange& change) { FillChange(*response, change); },
         &idempotent});
  }());
}

}  // namespace salesops::inventory
