#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The demo's crew rules (demo/crew-rules.yaml): the keys of `crew-rules set` without the dashes
// (time-off-notice, longest-time-off, offer-reply-within, freelance-day, per-diem-from:
// durations; night: 22:00-06:00; per-diem: money; allow-late-return: yes or no). Only the rules
// the file names change, under the etag read. `counts`: updated when a rule changed, unchanged
// when the service held them all already.
ExitCode ImportDemoCrewRules(const ImportContext& context, const std::string& path,
                             ImportCounts* counts);

}  // namespace salesops::cli
