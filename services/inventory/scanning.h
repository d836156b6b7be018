#pragma once

// The rules of a scan (issue 19), apart from the database: given the order's pull sheet and what
// the barcode turned out to be, whether the scan is accepted and what it moves, or why not; and
// what a scan station shows of the sheet.
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "services/inventory/prep.h"

namespace salesops::inventory {

// What a scanner read, as the register and the catalog know it.
struct ScannedSubject {
  // The unit whose barcode it is.
  std::optional<v1::Asset> asset;
  // The unit's code, or the code whose own label it is; empty: nothing carries the barcode.
  std::string inventory_code;
  v1::TrackingMode tracking = v1::TRACKING_MODE_UNSPECIFIED;
  // A code's label for a serialised code whose units are registered: each unit must be
  // scanned by its own barcode, so the register knows which one left.
  bool has_registered_units = false;
  // The unit's inspection types due now.
  std::vector<std::string> overdue_inspections;
  // The transfer the unit is on the road with; empty: at its warehouse.
  std::string on_the_road_with;
};

struct ScanVerdict {
  v1::ScanRefusal refusal = v1::SCAN_REFUSAL_UNSPECIFIED;
  std::string message;
  // Units the scan moves (accepted scans).
  int quantity = 0;
  // Scan in: back on the shelf before anything of its code left (unpulled), not a return.
  bool put_back = false;

  bool accepted() const { return refusal == v1::SCAN_REFUSAL_UNSPECIFIED; }
};

// Printable ASCII without spaces, 1 to 60 characters: what Code 128 carries and a scanner types
// back. Anything else never reached a label, so it is refused before it reaches the database.
bool IsBarcodeText(const std::string& text);

// A unit leaving the shelf for the order, or `quantity` (0 counts as 1) of a code.
ScanVerdict JudgeScanOut(const OrderSheet& sheet, const ScannedSubject& subject, int quantity);

// A unit, or `quantity` of a code, coming back from the order (or put back before it left).
ScanVerdict JudgeScanIn(const OrderSheet& sheet, const ScannedSubject& subject, int quantity);

// The sheet as the station shows it after a scan: per code what is needed and what is done
// (scan out: pulled of to pull; scan in: scanned back of what is out), and whether all is done.
void FillScanProgress(const OrderSheet& sheet, bool scanning_in, v1::ScanResult& result);

}  // namespace salesops::inventory
