#include "services/common/db_pool.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace salesops::common {
namespace {

DatabaseOptions OptionsFor(const testing::PostgresServer& server, const std::string& database,
                           int pool_size = 4) {
  DatabaseOptions options;
  options.url = server.Url(database);
  options.password = server.password;
  options.pool_size = pool_size;
  options.acquire_timeout = std::chrono::milliseconds(300);
  options.connect_timeout = std::chrono::seconds(2);
  return options;
}

int CountRows(ConnectionPool& pool, const std::string& table) {
  int count = -1;
  absl::Status status = pool.InTransaction("count", [&](pqxx::work& transaction) {
    count = transaction.exec1("SELECT count(*) FROM " + table)[0].as<int>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return count;
}

class ConnectionPoolTest : public ::testing::Test {
 protected:
  testing::TestDatabase database_;
  ConnectionPool pool_{OptionsFor(database_.server(), database_.name())};

  void SetUp() override {
    ASSERT_TRUE(pool_
                    .InTransaction("setup",
                                   [](pqxx::work& transaction) {
                                     transaction.exec("CREATE TABLE things (id int PRIMARY KEY)");
                                     return absl::OkStatus();
                                   })
                    .ok());
  }
};

TEST(ConnectionStringTest, AddsPasswordAndTimeoutsAsEncodedParameters) {
  DatabaseOptions options;
  options.url = "postgresql://inventory@db:5432/inventory";
  options.password = "p@ss word&x";
  options.application_name = "salesops-inventory";
  EXPECT_EQ(ConnectionString(options),
            "postgresql://inventory@db:5432/inventory?connect_timeout=3&application_name="
            "salesops-inventory&password=p%40ss%20word%26x");
  options.url += "?sslmode=require";
  EXPECT_NE(ConnectionString(options).find("?sslmode=require&connect_timeout=3"),
            std::string::npos);
}

TEST_F(ConnectionPoolTest, CommitsWhenTheWorkSucceeds) {
  ASSERT_TRUE(pool_
                  .InTransaction("insert",
                                 [](pqxx::work& transaction) {
                                   transaction.exec("INSERT INTO things VALUES (1)");
                                   return absl::OkStatus();
                                 })
                  .ok());
  EXPECT_EQ(CountRows(pool_, "things"), 1);
}

TEST_F(ConnectionPoolTest, RollsBackEverythingWhenTheWorkFails) {
  absl::Status status = pool_.InTransaction("insert", [](pqxx::work& transaction) {
    transaction.exec("INSERT INTO things VALUES (1)");
    transaction.exec("INSERT INTO things VALUES (2)");
    return absl::FailedPreconditionError("refused after writing");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CountRows(pool_, "things"), 0);
}

TEST_F(ConnectionPoolTest, DatabaseErrorsBecomeStatusesNotExceptions) {
  absl::Status duplicate = pool_.InTransaction("insert", [](pqxx::work& transaction) {
    transaction.exec("INSERT INTO things VALUES (1), (1)");
    return absl::OkStatus();
  });
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  absl::Status bad_sql = pool_.InTransaction("broken", [](pqxx::work& transaction) {
    transaction.exec("SELECT * FROM no_such_table");
    return absl::OkStatus();
  });
  EXPECT_EQ(bad_sql.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(std::string(bad_sql.message()), "internal database error");  // no SQL leaks out
}

TEST_F(ConnectionPoolTest, OnlyBookkeepingSkipsTheWaitForDiskAndTheSettingNeverLeaks) {
  // One connection, so the transaction after the bookkeeping reuses its session.
  ConnectionPool single(OptionsFor(database_.server(), database_.name(), 1));
  auto setting = [&](Durability durability) {
    std::string value;
    absl::Status status = single.InTransaction(
        "insert",
        [&](pqxx::work& transaction) {
          transaction.exec("INSERT INTO things VALUES ((SELECT count(*) FROM things))");
          value = transaction.exec1("SHOW synchronous_commit")[0].as<std::string>();
          return absl::OkStatus();
        },
        durability);
    EXPECT_TRUE(status.ok()) << status;
    return value;
  };
  EXPECT_EQ(setting(Durability::kLossRepeatsWork), "off");
  // What a caller is told about waits for the disk again on the same connection.
  EXPECT_EQ(setting(Durability::kOnDisk), "on");
  EXPECT_EQ(CountRows(single, "things"), 2);
}

TEST_F(ConnectionPoolTest, ReadsWithoutATransactionAndMapsErrorsTheSameWay) {
  int count = -1;
  ASSERT_TRUE(pool_
                  .Read("count",
                        [&](pqxx::transaction_base& statements) {
                          count = statements.exec1("SELECT count(*) FROM things")[0].as<int>();
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_EQ(count, 0);
  absl::Status bad_sql = pool_.Read("broken", [](pqxx::transaction_base& statements) {
    statements.exec("SELECT * FROM no_such_table");
    return absl::OkStatus();
  });
  EXPECT_EQ(bad_sql.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(pool_.Ping().ok());
}

TEST_F(ConnectionPoolTest, IsBoundedAndRefusesWhenExhausted) {
  ConnectionPool small(OptionsFor(database_.server(), database_.name(), 2));
  absl::StatusOr<ConnectionPool::Lease> first = small.Acquire();
  absl::StatusOr<ConnectionPool::Lease> second = small.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(small.open_connections(), 2);
  absl::StatusOr<ConnectionPool::Lease> third = small.Acquire();
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);
  // Returning one makes room again, and the connection is reused.
  { ConnectionPool::Lease released = std::move(*first); }
  EXPECT_TRUE(small.Acquire().ok());
  EXPECT_EQ(small.open_connections(), 2);
}

TEST_F(ConnectionPoolTest, ConcurrentTransactionsShareTheBoundedPool) {
  ConnectionPool small(OptionsFor(database_.server(), database_.name(), 3));
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int worker = 0; worker < 8; ++worker) {
    workers.emplace_back([&, worker] {
      for (int i = 0; i < 10; ++i) {
        absl::Status status = small.InTransaction("insert", [&](pqxx::work& transaction) {
          transaction.exec_params("INSERT INTO things VALUES ($1)", worker * 100 + i);
          return absl::OkStatus();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(CountRows(small, "things"), 80);
  EXPECT_LE(small.open_connections(), 3);
}

TEST(ConnectionPoolUnreachableTest, UnreachableDatabaseIsUnavailable) {
  DatabaseOptions options;
  options.url = "postgresql://nobody@127.0.0.1:1/none";
  options.connect_timeout = std::chrono::seconds(1);
  ConnectionPool pool(options);
  absl::Status status = pool.Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.open_connections(), 0);
  // libpq's text (host, port, "Connection refused") goes to the log, never to a caller.
  const std::string message(status.message());
  EXPECT_EQ(message.find("127.0.0.1"), std::string::npos) << message;
  EXPECT_EQ(message.find("port"), std::string::npos) << message;
  EXPECT_EQ(message, "the database is unavailable; retry later");
}

TEST(ConnectionPoolRestartTest, HealsAfterTheDatabaseRestarts) {
  testing::PrivatePostgres postgres;
  ConnectionPool pool(OptionsFor(postgres.server(), "postgres", 3));
  ASSERT_TRUE(pool.Ping().ok());
  ASSERT_EQ(pool.open_connections(), 1);

  postgres.Stop();
  EXPECT_EQ(pool.Ping().code(), absl::StatusCode::kUnavailable);
  postgres.Start();
  // The dead idle connection is replaced by a fresh one without a restart.
  absl::Status status = pool.Ping();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(pool.open_connections(), 1);
}

}  // namespace
}  // namespace salesops::common
