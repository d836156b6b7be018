#pragma once

#include <google/protobuf/repeated_field.h>

#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "services/common/errors.h"
#include "services/inventory/availability.h"

namespace salesops::inventory {

// What one part of an order (phase_id "" for the main part) needs of a code, and when.
struct SheetNeed {
  std::string phase_id;
  Interval window;
  int quantity = 0;
};

// The most units the parts need at one time: the sum where their windows overlap, the largest
// where they do not. The gear is pulled once per order, so this is what is pulled, and prep
// counts and progress stay per order and code, not per part.
int PeakNeed(const std::vector<SheetNeed>& needs);

// What is pulled of a code for its parts: their PeakNeed, or for a consumable (used up by each
// part, never coming back for the next) the sum of what every part needs.
int QuantityToPull(v1::TrackingMode tracking, const std::vector<SheetNeed>& needs);

// One inventory code of an order, as the warehouse sees it.
struct SheetLine {
  std::string inventory_code;
  std::string description;
  std::string category;
  std::string warehouse_id;
  v1::TrackingMode tracking = v1::TRACKING_MODE_UNSPECIFIED;
  int to_pull = 0;  // 0 for a code an amendment removed after it was pulled (put it back)
  std::vector<SheetNeed> needs;  // per part, by phase_id; to_pull is QuantityToPull(needs)
  int pulled = 0;
  int from_sub_rental = 0;
  std::string supplier_name;
  int checked_out = 0;
  int returned = 0;
  int damaged = 0;
  // Scanned back (ScanIn) and not yet recorded by a check-in.
  int scanned_in = 0;
  std::vector<std::string> serial_numbers;  // pulled so far
  // Units of the code whose inspection falls due before the window ends.
  std::vector<v1::InspectionDue> inspections_due;
};

// An order's pull sheet: its firm reservation plus what the warehouse did.
struct OrderSheet {
  std::string order_id;
  int64_t order_revision = 0;
  Interval window;
  std::vector<SheetLine> lines;  // sorted by code
  std::optional<Instant> first_pull_time;
  std::optional<Instant> complete_time;
  std::vector<v1::PullSheetNote> notes;  // the reserved revision's custom lines

  const SheetLine* Find(const std::string& code) const;
};

v1::PrepProgress ProgressOf(const OrderSheet& sheet);

// The API's pull sheet: lines grouped by warehouse and category, in that order.
v1::PullSheet ToPullSheet(const OrderSheet& sheet);

// Absolute pulled counts must name codes on the sheet and not exceed what is
// to pull (over-pulling is refused); each problem names counts[i].
std::vector<common::FieldViolation> CheckPrepCounts(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::PrepCount>& counts);

// Units can only leave once pulled, and only once.
std::vector<common::FieldViolation> CheckCheckOut(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines);

// Returned plus damaged cannot exceed what is still out.
std::vector<common::FieldViolation> CheckCheckIn(
    const OrderSheet& sheet, const google::protobuf::RepeatedPtrField<v1::CheckInLine>& lines);

// What is still out after everything returned or damaged so far: missing. Consumables never
// are: they were used up.
std::vector<v1::InventoryLine> MissingAfterCheckIn(const OrderSheet& sheet);

}  // namespace salesops::inventory
