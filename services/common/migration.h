#pragma once

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

// Migrations every service applies (versions below 100), compiled from
// services/common/migrations.
const std::vector<Migration>& SharedMigrations();

// The shared migrations followed by a service's own (numbered from 100).
std::vector<Migration> WithSharedMigrations(const std::vector<Migration>& service_migrations);

}  // namespace salesops::common
