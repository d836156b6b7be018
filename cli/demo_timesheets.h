#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The demo's week of timesheets (demo/timesheets.yaml). The demo's orders all lie ahead and hours
// are reported once worked, so the week is the crew's work on no planned task (the warehouse,
// training, the office) in the week before the first load: each line's days are reported for its
// crew member, then confirmed, approved or sent back as the line says, as OPS would. Idempotent:
// hours already there (the same person, start and note) are kept, and the week stays the one of
// the first load. `counts`: created = hours reported now, updated = moved on to the state the
// file names, unchanged = as the file says already.
ExitCode ImportDemoTimesheets(const ImportContext& context, const std::string& path,
                              ImportCounts* counts);

}  // namespace salesops::cli
