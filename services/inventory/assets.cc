// InventoryService: the asset register (issue 19). One record per unit of a serialised code,
// found by its id or by the barcode a scanner reads, with its history and a straight-line book
// value computed when it is read.
#include <absl/strings/str_cat.h>
#include <absl/time/civil_time.h>
#include <absl/time/clock.h>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"

namespace salesops::inventory {
namespace {

constexpr size_t kMaxBarcodeLength = 60;

// Printable ASCII: what Code 128 carries and a scanner types back.
bool IsBarcodeText(const std::string& text) {
  if (text.size() > kMaxBarcodeLength) return false;
  for (char c : text) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

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
                                  [&](const v1::Asset& stored) {
                                    *response->mutable_asset() = stored;
                                    SetBookValue(*response->mutable_asset(), Today());
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

}  // namespace salesops::inventory
