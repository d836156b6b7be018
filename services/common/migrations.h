#pragma once

#include <absl/status/statusor.h>

#include <pqxx/pqxx>
#include <vector>

#include "services/common/migration.h"

namespace salesops::common {

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call, in order
  int current_version = 0;
};

// Brings the database up to the newest migration. Runs under a session-level
// PostgreSQL advisory lock, so replicas starting together take turns and each
// migration runs exactly once; each migration and its schema_migrations row
// commit in one transaction. Refuses to start when an applied migration's
// checksum differs from the binary's (someone edited history) or when the
// database is newer than the binary.
absl::StatusOr<MigrationReport> ApplyMigrations(pqxx::connection& connection,
                                                const std::vector<Migration>& migrations);

}  // namespace salesops::common
