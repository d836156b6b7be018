// salesopsctl health against a real service process.
#include <gtest/gtest.h>

#include <fstream>

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
  EXPECT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) + " health " + inventory.address(), &output),
            0);
  EXPECT_EQ(output, inventory.address() + "  SERVING");

  EXPECT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) +
                           " health --service salesops.v1.InventoryService " + inventory.address(),
                       &output),
            0);

  // Unreachable: exit 4 (unavailable); an unknown flag: exit 2 (bad input).
  EXPECT_EQ(
      RunCommand(ShellQuote(SalesopsctlBinary()) + " health --timeout-ms 300 127.0.0.1:1", &output),
      4);
  EXPECT_NE(output.find("UNREACHABLE"), std::string::npos);
  EXPECT_EQ(
      RunCommand(ShellQuote(SalesopsctlBinary()) + " health --no-such-flag 2>/dev/null", &output),
      2);
}

TEST(SalesopsctlTest, CallSendsJsonAndSpellsOutErrorsWithMeaningfulExitCodes) {
  TestDatabase database;
  TestTokens tokens;
  ServiceProcess inventory(ServiceBinary("inventory"),
                           ServiceArgs(database.url(), database.server().password_file, tokens));
  ASSERT_TRUE(inventory.WaitUntilStarted()) << inventory.log();
  ASSERT_TRUE(WaitForHealth(inventory.address(), "SERVING", std::chrono::seconds(20)));
  std::string token_file = "/tmp/salesopsctl-test-" + database.name() + ".token";
  std::ofstream(token_file) << tokens.admin;
  std::string call = ShellQuote(SalesopsctlBinary()) + " call --address " + inventory.address() +
                     " --token-file " + token_file + " ";
  std::string output;

  EXPECT_EQ(RunCommand(call + "InventoryService.UpsertItem '{\"item\": {\"inventoryCode\": "
                              "\"SPK-12\", \"description\": \"12-inch speaker\", "
                              "\"quantityOwned\": 2}}'",
                       &output),
            0);
  EXPECT_NE(output.find("\"etag\": \"1\""), std::string::npos) << output;

  // Bad input: exit 2, each field named.
  EXPECT_EQ(RunCommand(call + "InventoryService.CheckAvailability '{\"lines\": [{\"inventoryCode\":"
                              " \"bad code\", \"quantity\": 0}]}' 2>&1",
                       &output),
            2);
  EXPECT_NE(output.find("lines[0].inventory_code"), std::string::npos) << output;
  EXPECT_NE(output.find("lines[0].quantity"), std::string::npos);

  // Refused by a business rule: exit 3, with the reason.
  EXPECT_EQ(
      RunCommand(call + "InventoryService.Reserve '{\"orderId\": \"ORDER-1\", "
                        "\"orderRevision\": 1, \"lines\": [{\"inventoryCode\": \"SPK-12\", "
                        "\"quantity\": 3}], \"window\": {\"notBefore\": "
                        "\"2030-05-01T08:00:00Z\", \"noLaterThan\": \"2030-05-02T08:00:00Z\"}}' "
                        "2>&1",
                 &output),
      3);
  EXPECT_NE(output.find("INSUFFICIENT_STOCK"), std::string::npos) << output;

  EXPECT_EQ(RunCommand(call + "InventoryService.NoSuchRpc 2>/dev/null", &output), 2);
  RunCommand("rm -f " + token_file);
}

}  // namespace
}  // namespace salesops::testing
