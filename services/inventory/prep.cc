#include "services/inventory/prep.h"

#include <algorithm>
#include <map>

#include "services/common/time_util.h"

namespace salesops::inventory {
namespace {

std::string Index(const std::string& field, int i) { return field + "[" + std::to_string(i) + "]"; }

google::protobuf::Timestamp TimestampOf(Instant instant) {
  return common::TimestampFromMicros(instant.time_since_epoch().count());
}

}  // namespace

int PeakNeed(const std::vector<SheetNeed>& needs) {
  if (needs.size() == 1) return needs.front().quantity;
  std::vector<StockChange> uses;
  Interval span = needs.empty() ? Interval{} : needs.front().window;
  for (const SheetNeed& need : needs) {
    uses.push_back({StockChange::Kind::kReserved, need.window, need.quantity});
    span.start = std::min(span.start, need.window.start);
    span.end = std::max(span.end, need.window.end);
  }
  return UsageOverWindow(0, uses, span).peak_reserved;
}

int QuantityToPull(v1::TrackingMode tracking, const std::vector<SheetNeed>& needs) {
  if (tracking != v1::TRACKING_MODE_CONSUMABLE) return PeakNeed(needs);
  int total = 0;
  for (const SheetNeed& need : needs) total += need.quantity;
  return total;
}

const SheetLine* OrderSheet::Find(const std::string& code) const {
  for (const SheetLine& line : lines) {
    if (line.inventory_code == code) return &line;
  }
  return nullptr;
}

v1::PrepProgress ProgressOf(const OrderSheet& sheet) {
  v1::PrepProgress progress;
  int to_pull = 0, pulled = 0, line_count = 0;
  for (const SheetLine& line : sheet.lines) {
    if (line.to_pull == 0) continue;
    ++line_count;
    to_pull += line.to_pull;
    pulled += std::min(line.pulled, line.to_pull);
  }
  progress.set_line_count(line_count);
  progress.set_units_to_pull(to_pull);
  progress.set_units_pulled(pulled);
  progress.set_fraction_pulled(to_pull == 0 ? 0.0 : static_cast<double>(pulled) / to_pull);
  progress.set_state(pulled == 0                        ? v1::PREP_STATE_NOT_STARTED
                     : pulled == to_pull && to_pull > 0 ? v1::PREP_STATE_COMPLETE
                                                        : v1::PREP_STATE_IN_PROGRESS);
  if (sheet.first_pull_time)
    *progress.mutable_first_pull_time() = TimestampOf(*sheet.first_pull_time);
  if (sheet.complete_time) *progress.mutable_complete_time() = TimestampOf(*sheet.complete_time);
  return progress;
}

v1::PullSheet ToPullSheet(const OrderSheet& sheet) {
  v1::PullSheet pull_sheet;
  pull_sheet.set_order_id(sheet.order_id);
  pull_sheet.set_order_revision(sheet.order_revision);
  *pull_sheet.mutable_window()->mutable_not_before() = TimestampOf(sheet.window.start);
  *pull_sheet.mutable_window()->mutable_no_later_than() = TimestampOf(sheet.window.end);
  for (const v1::PullSheetNote& note : sheet.notes) *pull_sheet.add_notes() = note;
  std::map<std::pair<std::string, std::string>, std::vector<const SheetLine*>> groups;
  for (const SheetLine& line : sheet.lines) {
    groups[{line.warehouse_id, line.category}].push_back(&line);
  }
  for (const auto& [key, lines] : groups) {
    v1::PullSheetGroup* group = pull_sheet.add_groups();
    group->set_warehouse_id(key.first);
    group->set_category(key.second);
    for (const SheetLine* line : lines) {
      v1::PullSheetLine* added = group->add_lines();
      added->set_inventory_code(line->inventory_code);
      added->set_description(line->description);
      added->set_tracking(line->tracking);
      added->set_quantity_to_pull(line->to_pull);
      added->set_quantity_pulled(line->pulled);
      added->set_from_sub_rental(line->from_sub_rental);
      added->set_supplier_name(line->supplier_name);
      added->set_quantity_checked_out(line->checked_out);
      added->set_quantity_returned(line->returned);
      added->set_quantity_damaged(line->damaged);
      added->set_quantity_scanned_in(line->scanned_in);
      for (const std::string& serial : line->serial_numbers) added->add_serial_numbers(serial);
      for (const v1::InspectionDue& due : line->inspections_due) {
        *added->add_inspections_due() = due;
      }
      for (const SheetNeed& need : line->needs) {
        v1::PullSheetNeed* part = added->add_needs();
        part->set_phase_id(need.phase_id);
        *part->mutable_window()->mutable_not_before() = TimestampOf(need.window.start);
        *part->mutable_window()->mutable_no_later_than() = TimestampOf(need.window.end);
        part->set_quantity(need.quantity);
      }
    }
  }
  *pull_sheet.mutable_progress() = ProgressOf(sheet);
  return pull_sheet;
}

std::vector<common::FieldViolation> CheckPrepCounts(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::PrepCount>& counts) {
  std::vector<common::FieldViolation> violations;
  for (int i = 0; i < counts.size(); ++i) {
    const v1::PrepCount& count = counts[i];
    const SheetLine* line = sheet.Find(count.inventory_code());
    if (line == nullptr) {
      violations.push_back(
          {Index("counts", i) + ".inventory_code",
           count.inventory_code() + " is not on the pull sheet of order " + sheet.order_id});
    } else if (count.pulled_quantity() > line->to_pull) {
      violations.push_back({Index("counts", i) + ".pulled_quantity",
                            "over-pull: " + std::to_string(count.pulled_quantity()) +
                                " pulled but " + std::to_string(line->to_pull) + " to pull"});
    }
  }
  return violations;
}

std::vector<common::FieldViolation> CheckCheckOut(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines) {
  std::vector<common::FieldViolation> violations;
  for (int i = 0; i < lines.size(); ++i) {
    const SheetLine* line = sheet.Find(lines[i].inventory_code());
    int can_leave = line == nullptr ? 0 : line->pulled - line->checked_out;
    if (line == nullptr) {
      violations.push_back({Index("lines", i) + ".inventory_code",
                            lines[i].inventory_code() + " is not on the pull sheet"});
    } else if (lines[i].quantity() > can_leave) {
      violations.push_back({Index("lines", i) + ".quantity",
                            std::to_string(lines[i].quantity()) + " cannot leave: " +
                                std::to_string(can_leave) + " pulled and not yet out"});
    }
  }
  return violations;
}

std::vector<common::FieldViolation> CheckCheckIn(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::CheckInLine>& lines) {
  std::vector<common::FieldViolation> violations;
  for (int i = 0; i < lines.size(); ++i) {
    const SheetLine* line = sheet.Find(lines[i].inventory_code());
    int still_out = line == nullptr ? 0 : line->checked_out - line->returned - line->damaged;
    int coming_back = lines[i].returned_quantity() + lines[i].damaged_quantity();
    if (line == nullptr) {
      violations.push_back({Index("lines", i) + ".inventory_code",
                            lines[i].inventory_code() + " did not go out with this order"});
    } else if (line->scanned_in > 0) {
      violations.push_back({Index("lines", i) + ".inventory_code",
                            std::to_string(line->scanned_in) + " x " + line->inventory_code +
                                " were scanned in: check in with no lines to record the scans"});
    } else if (coming_back > still_out) {
      violations.push_back({Index("lines", i) + ".returned_quantity",
                            std::to_string(coming_back) + " coming back but only " +
                                std::to_string(still_out) + " out"});
    }
  }
  return violations;
}

std::vector<v1::InventoryLine> MissingAfterCheckIn(const OrderSheet& sheet) {
  std::vector<v1::InventoryLine> missing;
  for (const SheetLine& line : sheet.lines) {
    // Consumables are used up at the event: nothing of them is expected back.
    if (line.tracking == v1::TRACKING_MODE_CONSUMABLE) continue;
    int out = line.checked_out - line.returned - line.damaged;
    if (out > 0) {
      v1::InventoryLine added;
      added.set_inventory_code(line.inventory_code);
      added.set_quantity(out);
      missing.push_back(added);
    }
  }
  return missing;
}

}  // namespace salesops::inventory
