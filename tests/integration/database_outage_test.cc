// Health follows the database: stopping PostgreSQL flips every service to
// NOT_SERVING within 10 s, starting it again flips them back, and the
// processes keep running throughout.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

TEST(DatabaseOutageTest, HealthFlipsWithTheDatabaseWithoutARestart) {
  PrivatePostgres postgres;
  TestTokens tokens;
  const std::vector<std::string> names = {"inventory", "scheduling", "notification",
                                          "order-intake"};
  {
    pqxx::connection admin(postgres.server().ConnectionString("postgres"));
    pqxx::nontransaction statement(admin);
    for (const std::string& name : names) {
      statement.exec("CREATE DATABASE \"" + name + "\"");
    }
  }
  std::vector<std::unique_ptr<ServiceProcess>> processes;
  for (const std::string& name : names) {
    processes.push_back(std::make_unique<ServiceProcess>(
        ServiceBinary(name),
        ServiceArgs(postgres.server().Url(name), postgres.server().password_file, tokens)));
  }
  for (auto& process : processes) {
    ASSERT_TRUE(process->WaitUntilStarted()) << process->log();
    ASSERT_TRUE(WaitForHealth(process->address(), "SERVING", std::chrono::seconds(20)))
        << process->log();
  }

  postgres.Stop();
  for (auto& process : processes) {
    EXPECT_TRUE(WaitForHealth(process->address(), "NOT_SERVING", std::chrono::seconds(10)))
        << process->log();
  }

  postgres.Start();
  for (auto& process : processes) {
    EXPECT_TRUE(WaitForHealth(process->address(), "SERVING", std::chrono::seconds(10)))
        << process->log();
    EXPECT_TRUE(process->running());
  }
}

TEST(DatabaseOutageTest, AServiceStartedBeforeItsDatabaseComesUpWhenItDoes) {
  PrivatePostgres postgres;
  postgres.Stop();
  TestTokens tokens;
  ServiceProcess inventory(
      ServiceBinary("inventory"),
      ServiceArgs(postgres.server().Url("postgres"), postgres.server().password_file, tokens));
  ASSERT_TRUE(inventory.WaitUntilStarted()) << inventory.log();
  EXPECT_EQ(HealthStatus(inventory.address()), "NOT_SERVING");
  postgres.Start();
  EXPECT_TRUE(WaitForHealth(inventory.address(), "SERVING", std::chrono::seconds(10)))
      << inventory.log();
  EXPECT_NE(inventory.log().find("event=migrations_current"), std::string::npos);
}

}  // namespace
}  // namespace salesops::testing
