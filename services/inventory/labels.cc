// InventoryService.GetLabels (issue 19): the labels the warehouse sticks on shelves and gear,
// each inventory code as a Code 128 barcode and a QR code (services/documents/labels.h lays them
// out), with what the item is and where it lives.
#include "services/documents/labels.h"

#include <absl/strings/str_cat.h>

#include "services/common/grpc_errors.h"
#include "services/common/validation.h"
#include "services/inventory/inventory_service.h"

namespace salesops::inventory {

grpc::Status InventoryServiceImpl::GetLabels(grpc::ServerContext*,
                                             const v1::GetLabelsRequest* request,
                                             v1::GetLabelsResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const int copies = std::max(1, request->copies());
    const int subjects = request->inventory_codes_size() + request->asset_ids_size();
    if (subjects == 0) {
      return common::InvalidArgumentError(
          {{"inventory_codes", "name at least one code or asset (asset_ids)"}});
    }
    if (subjects * copies > static_cast<int>(documents::kMaxLabels)) {
      return common::InvalidArgumentError(
          {{"copies", absl::StrCat(subjects, " codes and assets x ", copies,
                                   " copies is more than ", documents::kMaxLabels, " labels")}});
    }
    std::vector<documents::Label> labels;
    labels.reserve(request->inventory_codes_size() * copies);
    for (int i = 0; i < request->inventory_codes_size(); ++i) {
      absl::StatusOr<v1::GetItemResponse> found = store_->GetItem(request->inventory_codes(i));
      if (found.status().code() == absl::StatusCode::kNotFound) {
        return common::ReasonedError(
            absl::StatusCode::kNotFound, v1::UNKNOWN_INVENTORY_CODE,
            absl::StrCat("inventory_codes[", i, "]: ", request->inventory_codes(i),
                         " is not in the catalog"),
            {{"field", absl::StrCat("inventory_codes[", i, "]")}});
      }
      if (!found.ok()) return found.status();
      const v1::Item& item = found->item();
      documents::Label label;
      label.code = item.inventory_code();
      label.title = item.description();
      label.subtitle =
          absl::StrCat(item.warehouse_id(), item.category().empty() ? "" : " · ", item.category());
      labels.insert(labels.end(), copies, label);
    }
    // An asset's label carries its own barcode: one unit, told apart by a scan.
    for (int i = 0; i < request->asset_ids_size(); ++i) {
      absl::StatusOr<v1::GetAssetResponse> found = store_->GetAsset(request->asset_ids(i), "");
      if (found.status().code() == absl::StatusCode::kNotFound) {
        return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                     absl::StrCat("asset_ids[", i, "]: no such asset"),
                                     {{"field", absl::StrCat("asset_ids[", i, "]")}});
      }
      if (!found.ok()) return found.status();
      const v1::Asset& asset = found->asset();
      documents::Label label;
      label.code = asset.barcode();
      label.title =
          absl::StrCat(asset.inventory_code(), asset.serial_number().empty() ? "" : " · SN ",
                       asset.serial_number());
      label.subtitle = absl::StrCat(asset.asset_id(), " · ", asset.warehouse_id(),
                                    asset.location().empty() ? "" : " / " + asset.location());
      labels.insert(labels.end(), copies, label);
    }
    SALESOPS_ASSIGN_OR_RETURN(
        std::string pdf,
        documents::RenderLabels(labels, request->stock() == v1::LABEL_STOCK_ROLL_62MM
                                            ? documents::LabelStock::kRoll62mm
                                            : documents::LabelStock::kA4Sheet));
    response->set_pdf(std::move(pdf));
    response->set_label_count(static_cast<int>(labels.size()));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::inventory
