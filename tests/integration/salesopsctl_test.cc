// salesopsctl health against a real service process.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

TEST(SalesopsctlTest, HealthReportsServingAndExitCodesMeanSomething) {
  TestDatabase database;
  TestTokens tokens;
  ServiceProcess inventory(ServiceBinary("inventory"),
                           ServiceArgs(database.url(), database.server().password_file, tokens));
  ASSERT_TRUE(inventory.WaitUntilStarted()) << inventory.log();
  ASSERT_TRUE(WaitForHealth(inventory.address(), "SERVING", std::chrono::seconds(20)));

  std::string output;
  EXPECT_EQ(RunCommand(SalesopsctlBinary() + " health " + inventory.address(), &output), 0);
  EXPECT_EQ(output, inventory.address() + "  SERVING");

  EXPECT_EQ(RunCommand(SalesopsctlBinary() + " health --service salesops.v1.InventoryService " +
                           inventory.address(),
                       &output),
            0);

  // Unreachable: exit 4 (unavailable); no address: exit 2 (bad input).
  EXPECT_EQ(RunCommand(SalesopsctlBinary() + " health --timeout-ms 300 127.0.0.1:1", &output), 4);
  EXPECT_NE(output.find("UNREACHABLE"), std::string::npos);
  EXPECT_EQ(RunCommand(SalesopsctlBinary() + " health 2>/dev/null", &output), 2);
}

}  // namespace
}  // namespace salesops::testing
