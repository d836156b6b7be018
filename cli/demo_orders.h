#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The demo's orders (demo/orders.yaml): each written like a `quote --file`, plus where the
// loader takes it (`goes-to`), a question ops ask, a change after prep. Every step goes
// through the calls sales and ops make (create, confirm, prep, checkout, delivery done,
// checkin, close, cancel), and the stages that follow ops' events are waited for, as a
// person at the terminal would. Idempotent: an order's customer reference is demo-<key>, and
// each step looks at the stage first, so a second load changes nothing and an interrupted one
// resumes. `counts`: created = new orders, updated = existing ones taken further.
ExitCode ImportOrders(const ImportContext& context, const std::string& path, ImportCounts* counts);

}  // namespace salesops::cli
