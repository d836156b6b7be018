#include <gtest/gtest.h>

#include <cstdlib>

#include "services/common/command_line.h"

namespace salesops::common {
namespace {

std::optional<int> ParseArgs(CommandLine& command_line, std::vector<const char*> args) {
  args.insert(args.begin(), "salesops-test");
  return command_line.Parse(static_cast<int>(args.size()), args.data());
}

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("SALESOPS_DATABASE_URL");
    unsetenv("SALESOPS_LISTEN_ADDRESS");
    unsetenv("SALESOPS_DATABASE_POOL_SIZE");
  }
};

TEST_F(ConfigTest, FlagsSetTheConfiguration) {
  CommandLine command_line("salesops-test", "test");
  ASSERT_EQ(ParseArgs(command_line, {"--database-url", "postgresql://inv@db/inv",
                                     "--listen-address=127.0.0.1:7000", "--database-pool-size", "3",
                                     "--shutdown-grace-ms", "250"}),
            std::nullopt);
  const ServerConfig& config = command_line.config();
  EXPECT_EQ(config.database_url, "postgresql://inv@db/inv");
  EXPECT_EQ(config.listen_address, "127.0.0.1:7000");
  EXPECT_EQ(config.database_pool_size, 3);
  EXPECT_EQ(config.shutdown_grace, std::chrono::milliseconds(250));
  EXPECT_EQ(config.metrics_address, "0.0.0.0:9100");  // default kept
}

TEST_F(ConfigTest, EnvironmentFillsWhatFlagsLeaveOut) {
  setenv("SALESOPS_DATABASE_URL", "postgresql://env@db/env", 1);
  setenv("SALESOPS_DATABASE_POOL_SIZE", "5", 1);
  CommandLine command_line("salesops-test", "test");
  ASSERT_EQ(ParseArgs(command_line, {}), std::nullopt);
  EXPECT_EQ(command_line.config().database_url, "postgresql://env@db/env");
  EXPECT_EQ(command_line.config().database_pool_size, 5);
}

TEST_F(ConfigTest, FlagWinsOverEnvironment) {
  setenv("SALESOPS_LISTEN_ADDRESS", "0.0.0.0:1", 1);
  CommandLine command_line("salesops-test", "test");
  ASSERT_EQ(ParseArgs(command_line, {"--database-url", "u", "--listen-address", "0.0.0.0:2"}),
            std::nullopt);
  EXPECT_EQ(command_line.config().listen_address, "0.0.0.0:2");
}

TEST_F(ConfigTest, HelpExitsZeroAndNamesTheEnvironmentVariables) {
  CommandLine command_line("salesops-test", "test");
  testing::internal::CaptureStdout();
  std::optional<int> exit_code = ParseArgs(command_line, {"--help"});
  std::string help = testing::internal::GetCapturedStdout();
  ASSERT_EQ(exit_code, 0);
  EXPECT_NE(help.find("--database-url"), std::string::npos);
  EXPECT_NE(help.find("SALESOPS_DATABASE_URL"), std::string::npos);
}

TEST_F(ConfigTest, BadValuesStopWithNonZeroExit) {
  testing::internal::CaptureStderr();
  CommandLine missing_url("salesops-test", "test");
  EXPECT_NE(ParseArgs(missing_url, {}).value_or(0), 0);
  CommandLine bad_pool("salesops-test", "test");
  EXPECT_NE(ParseArgs(bad_pool, {"--database-url", "u", "--database-pool-size", "0"}).value_or(0),
            0);
  CommandLine bad_format("salesops-test", "test");
  EXPECT_NE(ParseArgs(bad_format, {"--database-url", "u", "--log-format", "xml"}).value_or(0), 0);
  CommandLine half_tls("salesops-test", "test");
  EXPECT_NE(ParseArgs(half_tls, {"--database-url", "u", "--tls-cert-file", "c.pem"}).value_or(0),
            0);
  testing::internal::GetCapturedStderr();
}

TEST_F(ConfigTest, ServicesAddTheirOwnOptions) {
  CommandLine command_line("salesops-test", "test");
  std::string inventory_address;
  command_line.app()
      .add_option("--inventory-address", inventory_address)
      ->envname("SALESOPS_INVENTORY_ADDRESS");
  ASSERT_EQ(ParseArgs(command_line, {"--database-url", "u", "--inventory-address", "inv:1"}),
            std::nullopt);
  EXPECT_EQ(inventory_address, "inv:1");
}

}  // namespace
}  // namespace salesops::common
