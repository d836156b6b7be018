#pragma once

#include <absl/status/statusor.h>

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace salesops::common {

// One numbered SQL file from a service's migrations/ folder (NNNN_what.sql),
// compiled into the binary so an image cannot ship mismatched SQL.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call, in order
  int current_version = 0;
};

// Migrations every service applies (versions below 100), compiled from
// services/common/migrations.
const std::vector<Migration>& SharedMigrations();

// The shared migrations followed by a service's own (numbered from 100).
std::vector<Migration> WithSharedMigrations(const std::vector<Migration>& service_migrations);

// Brings the database up to the newest migration. Runs under a session-level
// PostgreSQL advisory lock, so replicas starting together take turns and each
// migration runs exactly once; each migration and its schema_migrations row
// commit in one transaction. Refuses to start when an applied migration's
// checksum differs from the binary's (someone edited history) or when the
// database is newer than the binary.
absl::StatusOr<MigrationReport> ApplyMigrations(pqxx::connection& connection,
                                                const std::vector<Migration>& migrations);

}  // namespace salesops::common
