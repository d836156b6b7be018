#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The demo's warehouse floor (demo/warehouse.yaml), through the calls OPS makes: `stock` (CODE
// kept at a warehouse other than its home: SetWarehouseStock), `units` (the asset register per
// code: RegisterAsset), `maintenance` (inspection plans per code: SetMaintenancePlan),
// `inspections` (results recorded some days ago: RecordInspection) and `transfers`
// (CreateTransfer, departing relative to the load). In that order: a plan's inspections need
// its units, and an inspection its plan. Idempotent: what the service holds already is left
// alone (a registered barcode, an equal plan or stock, an inspection the unit's history has,
// a transfer with the same note), and each write's request_id comes from what it writes.
ExitCode ImportWarehouse(const ImportContext& context, const std::string& path,
                         ImportCounts* counts);

}  // namespace salesops::cli
