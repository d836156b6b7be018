#include "services/common/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_support.h"

namespace salesops::common {
namespace {

// Each migration also bumps a counter, so running one twice is visible.
std::vector<Migration> CountingMigrations() {
  return {
      {1, "create_counter",
       "CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (1);"},
      {2, "create_things",
       "CREATE TABLE things (id int PRIMARY KEY); UPDATE counter SET n = n + 1;"},
  };
}

int QueryInt(const testing::TestDatabase& database, const std::string& sql) {
  pqxx::connection connection(database.connection_string());
  pqxx::nontransaction statement(connection);
  return statement.exec1(sql)[0].as<int>();
}

TEST(MigrationsTest, AppliesPendingMigrationsOnceInOrder) {
  testing::TestDatabase database;
  pqxx::connection connection(database.connection_string());
  absl::StatusOr<MigrationReport> first = ApplyMigrations(connection, CountingMigrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->applied, (std::vector<int>{1, 2}));
  EXPECT_EQ(first->current_version, 2);

  absl::StatusOr<MigrationReport> again = ApplyMigrations(connection, CountingMigrations());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(QueryInt(database, "SELECT n FROM counter"), 2);
  EXPECT_EQ(QueryInt(database, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST(MigrationsTest, AFailingMigrationLeavesNothingHalfWritten) {
  testing::TestDatabase database;
  pqxx::connection connection(database.connection_string());
  std::vector<Migration> migrations = CountingMigrations();
  migrations.push_back(
      {3, "broken", "CREATE TABLE half (id int); INSERT INTO no_such_table VALUES (1);"});
  absl::StatusOr<MigrationReport> report = ApplyMigrations(connection, migrations);
  EXPECT_FALSE(report.ok());
  // 1 and 2 committed; 3 rolled back entirely, table and all.
  EXPECT_EQ(QueryInt(database, "SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(QueryInt(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'half'"), 0);
  // The advisory lock was released: a fixed set applies cleanly afterwards.
  migrations.back().sql = "CREATE TABLE half (id int);";
  EXPECT_TRUE(ApplyMigrations(connection, migrations).ok());
}

TEST(MigrationsTest, RefusesAnEditedMigration) {
  testing::TestDatabase database;
  pqxx::connection connection(database.connection_string());
  ASSERT_TRUE(ApplyMigrations(connection, CountingMigrations()).ok());
  std::vector<Migration> edited = CountingMigrations();
  edited[1].sql += " -- edited";
  absl::StatusOr<MigrationReport> report = ApplyMigrations(connection, edited);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(report.status().message()).find("changed after it was applied"),
            std::string::npos);
}

TEST(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  testing::TestDatabase database;
  pqxx::connection connection(database.connection_string());
  ASSERT_TRUE(ApplyMigrations(connection, CountingMigrations()).ok());
  std::vector<Migration> older = {CountingMigrations()[0]};
  EXPECT_EQ(ApplyMigrations(connection, older).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(MigrationsTest, ConcurrentRunnersApplyEachMigrationExactlyOnce) {
  testing::TestDatabase database;
  constexpr int kRunners = 6;
  std::vector<std::thread> runners;
  std::vector<absl::StatusOr<MigrationReport>> reports(kRunners);
  for (int i = 0; i < kRunners; ++i) {
    runners.emplace_back([&, i] {
      pqxx::connection connection(database.connection_string());
      reports[i] = ApplyMigrations(connection, CountingMigrations());
    });
  }
  for (auto& runner : runners) runner.join();
  size_t applied_total = 0;
  for (const auto& report : reports) {
    ASSERT_TRUE(report.ok()) << report.status();
    applied_total += report->applied.size();
  }
  EXPECT_EQ(applied_total, 2u);
  EXPECT_EQ(QueryInt(database, "SELECT n FROM counter"), 2);
}

TEST(MigrationsTest, SharedMigrationsComeFirstAndAreNumberedBelowOneHundred) {
  ASSERT_FALSE(SharedMigrations().empty());
  for (const Migration& migration : SharedMigrations()) EXPECT_LT(migration.version, 100);
  std::vector<Migration> all = WithSharedMigrations({{100, "service_table", "SELECT 1"}});
  EXPECT_EQ(all.back().version, 100);
  EXPECT_EQ(all.size(), SharedMigrations().size() + 1);
}

}  // namespace
}  // namespace salesops::common
