// Two replicas of one service started at the same moment against an empty
// database: both come up, and each migration ran exactly once.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "services/common/migrations.h"
#include "services/inventory/inventory_service.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(ReplicasTest, TwoReplicasStartingTogetherMigrateOnce) {
  TestDatabase database;
  TestTokens tokens;
  std::vector<std::string> args =
      ServiceArgs(database.url(), database.server().password_file, tokens);
  ServiceProcess first(ServiceBinary("inventory"), args);
  ServiceProcess second(ServiceBinary("inventory"), args);
  ASSERT_TRUE(first.WaitUntilStarted()) << first.log();
  ASSERT_TRUE(second.WaitUntilStarted()) << second.log();
  EXPECT_TRUE(WaitForHealth(first.address(), "SERVING", std::chrono::seconds(20))) << first.log();
  EXPECT_TRUE(WaitForHealth(second.address(), "SERVING", std::chrono::seconds(20))) << second.log();

  std::string logs = first.log() + second.log();
  const std::vector<common::Migration> all = inventory::Definition().migrations;
  for (const common::Migration& migration : all) {
    EXPECT_EQ(CountOccurrences(logs, "event=migration_applied version=" +
                                         std::to_string(migration.version) + " "),
              1)
        << logs;
  }
  pqxx::connection connection(database.connection_string());
  pqxx::nontransaction statement(connection);
  EXPECT_EQ(statement.exec1("SELECT count(*) FROM schema_migrations")[0].as<size_t>(), all.size());
  EXPECT_EQ(CountOccurrences(logs, "event=migrations_current"), 2);
}

}  // namespace
}  // namespace salesops::testing
