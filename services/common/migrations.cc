#include "services/common/migrations.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <functional>
#include <map>

#include "services/common/errors.h"
#include "services/common/log.h"
#include "services/common/sha256.h"

namespace salesops::common {
namespace {

// Arbitrary but fixed: every salesops service uses the same key inside its own
// database, and the databases are separate.
constexpr int64_t kMigrationLockKey = 0x5A1E5095;

}  // namespace

std::vector<Migration> WithSharedMigrations(const std::vector<Migration>& service_migrations) {
  std::vector<Migration> all = SharedMigrations();
  all.insert(all.end(), service_migrations.begin(), service_migrations.end());
  return all;
}

absl::StatusOr<MigrationReport> ApplyMigrations(pqxx::connection& connection,
                                                const std::vector<Migration>& migrations) {
  std::vector<const Migration*> ordered;
  for (const Migration& migration : migrations) ordered.push_back(&migration);
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration* a, const Migration* b) { return a->version < b->version; });
  for (size_t i = 1; i < ordered.size(); ++i) {
    if (ordered[i]->version == ordered[i - 1]->version) {
      return absl::InternalError(
          absl::StrCat("two migrations share version ", ordered[i]->version));
    }
  }

  MigrationReport report;
  try {
    // libpqxx allows one transaction at a time per connection, so each
    // statement outside the migrations runs in its own short nontransaction;
    // the advisory lock belongs to the session and outlives them.
    auto exec_outside = [&connection](const std::string& sql) {
      pqxx::nontransaction statement(connection, "migrations");
      pqxx::result result = statement.exec(sql);
      statement.commit();
      return result;
    };
    exec_outside(absl::StrCat("SELECT pg_advisory_lock(", kMigrationLockKey, ")"));
    // Unlocks on every path out, including exceptions.
    struct Unlock {
      std::function<pqxx::result(const std::string&)> exec;
      ~Unlock() {
        try {
          exec(absl::StrCat("SELECT pg_advisory_unlock(", kMigrationLockKey, ")"));
        } catch (...) {
          // The lock dies with the session if the connection is gone.
        }
      }
    } unlock{exec_outside};

    exec_outside(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "  version integer PRIMARY KEY,"
        "  name text NOT NULL,"
        "  checksum text NOT NULL,"
        "  applied_at timestamptz NOT NULL DEFAULT now())");
    std::map<int, std::string> applied;
    for (const auto& row : exec_outside("SELECT version, checksum FROM schema_migrations")) {
      applied[row[0].as<int>()] = row[1].as<std::string>();
    }

    int newest_known = ordered.empty() ? 0 : ordered.back()->version;
    if (!applied.empty() && applied.rbegin()->first > newest_known) {
      return absl::FailedPreconditionError(
          absl::StrCat("database schema is at version ", applied.rbegin()->first,
                       " but this binary only knows up to ", newest_known));
    }
    for (const Migration* migration : ordered) {
      std::string checksum = Sha256Hex(migration->sql);
      auto found = applied.find(migration->version);
      if (found != applied.end()) {
        if (found->second != checksum) {
          return absl::FailedPreconditionError(absl::StrCat("migration ", migration->version, " (",
                                                            migration->name,
                                                            ") was changed after it was applied"));
        }
        continue;
      }
      pqxx::work transaction(connection, "migration");
      transaction.exec(migration->sql);
      transaction.exec_params(
          "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
          migration->version, migration->name, checksum);
      transaction.commit();
      report.applied.push_back(migration->version);
      LogInfo("migration_applied",
              {{"version", std::to_string(migration->version)}, {"name", migration->name}});
    }
    report.current_version = newest_known;
  } catch (const pqxx::broken_connection& error) {
    return ReasonedError(absl::StatusCode::kUnavailable, v1::DATABASE_UNAVAILABLE,
                         absl::StrCat("database unavailable during migrations: ", error.what()));
  } catch (const std::exception& error) {
    return absl::InternalError(absl::StrCat("migration failed: ", error.what()));
  }
  return report;
}

}  // namespace salesops::common
