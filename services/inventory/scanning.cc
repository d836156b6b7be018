#include "services/inventory/scanning.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <algorithm>

namespace salesops::inventory {
namespace {

ScanVerdict Refuse(v1::ScanRefusal refusal, std::string message) {
  return {refusal, std::move(message), 0, false};
}

// How the person scanning recognises the thing: the unit's id and serial, or the code.
std::string NameOf(const ScannedSubject& subject) {
  if (!subject.asset) return subject.inventory_code;
  const v1::Asset& asset = *subject.asset;
  return absl::StrCat(asset.asset_id(), " (", asset.inventory_code(),
                      asset.serial_number().empty() ? "" : " #" + asset.serial_number(), ")");
}

// What is still out with the order and not yet scanned back.
int StillOut(const SheetLine& line) {
  return std::max(0, line.checked_out - line.returned - line.damaged - line.scanned_in);
}

// The refusals that depend on the barcode alone: unknown, or a code label where the unit's own
// barcode is needed.
std::optional<ScanVerdict> RefuseBarcode(const ScannedSubject& subject) {
  if (subject.inventory_code.empty()) {
    return Refuse(v1::SCAN_REFUSAL_UNKNOWN_BARCODE, "no unit and no code carries this barcode");
  }
  if (!subject.asset && subject.has_registered_units) {
    return Refuse(v1::SCAN_REFUSAL_SCAN_THE_UNIT,
                  absl::StrCat(subject.inventory_code,
                               " is registered unit by unit: scan the unit's own label"));
  }
  return std::nullopt;
}

}  // namespace

bool IsBarcodeText(const std::string& text) {
  if (text.empty() || text.size() > 60) return false;
  for (char c : text) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

ScanVerdict JudgeScanOut(const OrderSheet& sheet, const ScannedSubject& subject, int quantity) {
  if (auto refused = RefuseBarcode(subject)) return *refused;
  const std::string name = NameOf(subject);
  const SheetLine* line = sheet.Find(subject.inventory_code);
  if (line == nullptr || line->to_pull == 0) {
    return Refuse(v1::SCAN_REFUSAL_NOT_ON_SHEET,
                  absl::StrCat(name, " is not on the pull sheet of order ", sheet.order_id));
  }
  if (subject.asset) {
    const v1::Asset& asset = *subject.asset;
    switch (asset.state()) {
      case v1::ASSET_STATE_AVAILABLE:
        break;
      case v1::ASSET_STATE_OUT:
        return Refuse(v1::SCAN_REFUSAL_ALREADY_OUT,
                      asset.order_id() == sheet.order_id
                          ? absl::StrCat(name, " is already scanned out for this order")
                          : absl::StrCat(name, " is out with order ", asset.order_id()));
      default:
        return Refuse(v1::SCAN_REFUSAL_NOT_IN_SERVICE,
                      absl::StrCat(name, " is ",
                                   asset.state() == v1::ASSET_STATE_IN_REPAIR ? "in repair"
                                   : asset.state() == v1::ASSET_STATE_RETIRED ? "retired"
                                                                              : "lost",
                                   ", not in service"));
    }
    if (!subject.on_the_road_with.empty()) {
      return Refuse(v1::SCAN_REFUSAL_NOT_IN_SERVICE,
                    absl::StrCat(name, " is on the road with transfer ", subject.on_the_road_with));
    }
    if (!asset.warehouse_id().empty() && !line->warehouse_id.empty() &&
        asset.warehouse_id() != line->warehouse_id) {
      return Refuse(
          v1::SCAN_REFUSAL_OTHER_WAREHOUSE,
          absl::StrCat(name, " belongs to warehouse ", asset.warehouse_id(), "; this sheet pulls ",
                       line->inventory_code, " from ", line->warehouse_id));
    }
    if (!subject.overdue_inspections.empty()) {
      return Refuse(
          v1::SCAN_REFUSAL_INSPECTION_OVERDUE,
          absl::StrCat(name, " is overdue for ", absl::StrJoin(subject.overdue_inspections, ", "),
                       ": inspect it first, or pull another unit"));
    }
  }
  const int units = subject.asset ? 1 : std::max(quantity, 1);
  if (line->pulled + units > line->to_pull) {
    return Refuse(v1::SCAN_REFUSAL_NOTHING_NEEDED,
                  absl::StrCat("the sheet needs ", line->to_pull, " x ", line->inventory_code,
                               " and ", line->pulled, " are pulled",
                               units > 1 ? absl::StrCat("; ", units, " more is too many") : ""));
  }
  return {v1::SCAN_REFUSAL_UNSPECIFIED,
          absl::StrCat(name, units > 1 ? absl::StrCat(" x ", units) : "",
                       " pulled: ", line->pulled + units, " of ", line->to_pull),
          units, false};
}

ScanVerdict JudgeScanIn(const OrderSheet& sheet, const ScannedSubject& subject, int quantity) {
  if (auto refused = RefuseBarcode(subject)) return *refused;
  const std::string name = NameOf(subject);
  if (subject.asset) {
    const v1::Asset& asset = *subject.asset;
    if (asset.state() != v1::ASSET_STATE_OUT) {
      return Refuse(
          v1::SCAN_REFUSAL_NOT_OUT,
          absl::StrCat(name, " is not out with any order: ",
                       asset.state() == v1::ASSET_STATE_AVAILABLE ? "it is on the shelf"
                                                                  : "it is not in service"));
    }
    if (asset.order_id() != sheet.order_id) {
      return Refuse(
          v1::SCAN_REFUSAL_WRONG_ORDER,
          absl::StrCat(name, " is out with order ", asset.order_id(), ", not ", sheet.order_id));
    }
  }
  const SheetLine* line = sheet.Find(subject.inventory_code);
  if (line == nullptr) {
    return Refuse(v1::SCAN_REFUSAL_NOT_ON_SHEET,
                  absl::StrCat(name, " is not on the pull sheet of order ", sheet.order_id));
  }
  const int units = subject.asset ? 1 : std::max(quantity, 1);
  if (line->checked_out == 0) {
    // Nothing of the code left yet: the scan takes it off the sheet again.
    if (units > line->pulled) {
      return Refuse(v1::SCAN_REFUSAL_NOTHING_NEEDED,
                    absl::StrCat(line->pulled, " x ", line->inventory_code,
                                 " are pulled for the order, so ", units, " cannot be put back"));
    }
    return {v1::SCAN_REFUSAL_UNSPECIFIED,
            absl::StrCat(name, units > 1 ? absl::StrCat(" x ", units) : "",
                         " put back on the shelf: ", line->pulled - units, " of ", line->to_pull,
                         " pulled"),
            units, true};
  }
  const int still_out = StillOut(*line);
  if (units > still_out) {
    return Refuse(v1::SCAN_REFUSAL_NOTHING_NEEDED,
                  absl::StrCat(still_out, " x ", line->inventory_code,
                               " are still out with the order, so ", units, " cannot come back"));
  }
  return {v1::SCAN_REFUSAL_UNSPECIFIED,
          absl::StrCat(name, units > 1 ? absl::StrCat(" x ", units) : "",
                       " back: ", line->scanned_in + units, " of ", line->scanned_in + still_out),
          units, false};
}

void FillScanProgress(const OrderSheet& sheet, bool scanning_in, v1::ScanResult& result) {
  result.clear_progress();
  bool complete = true;
  bool anything = false;
  for (const SheetLine& line : sheet.lines) {
    const int needed = scanning_in ? line.checked_out - line.returned - line.damaged : line.to_pull;
    const int done = scanning_in ? line.scanned_in : line.pulled;
    if (needed <= 0 && done == 0) continue;
    v1::ScanProgress* progress = result.add_progress();
    progress->set_inventory_code(line.inventory_code);
    progress->set_description(line.description);
    progress->set_tracking(line.tracking);
    progress->set_needed(std::max(needed, 0));
    progress->set_done(done);
    anything = true;
    if (done < needed) complete = false;
  }
  result.set_complete(anything && complete);
}

}  // namespace salesops::inventory
