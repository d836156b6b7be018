#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The demo's answers to offers (demo/offers.yaml): work no in-house crew member can do is
// offered by scheduling's offer worker to the freelancers holding the skill, one at a time; the
// loader waits for each offer named (bounded by the file's `wait`) and answers it as ops would
// when the freelancer rings: a decline with its reason, then an accept. Idempotent: an offer
// already answered is left alone. `counts`: created = offers answered now, unchanged = answered
// before.
ExitCode ImportOfferAnswers(const ImportContext& context, const std::string& path,
                            ImportCounts* counts);

}  // namespace salesops::cli
