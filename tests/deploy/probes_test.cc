// What the chart's probes ask (charts/salesops/templates/deployment.yaml): readiness the overall
// grpc.health.v1 status, liveness the "liveness" name. While the database is down a pod must
// leave its Service (readiness fails) without being restarted (liveness passes).
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

TEST(DeployProbesTest, LivenessStaysServingThroughADatabaseOutage) {
  PrivatePostgres postgres;
  TestTokens tokens;
  ServiceProcess scheduling(
      ServiceBinary("scheduling"),
      ServiceArgs(postgres.server().Url("postgres"), postgres.server().password_file, tokens));
  ASSERT_TRUE(scheduling.WaitUntilStarted()) << scheduling.log();
  ASSERT_TRUE(WaitForHealth(scheduling.address(), "SERVING", std::chrono::seconds(20)))
      << scheduling.log();
  EXPECT_EQ(HealthStatus(scheduling.address(), "liveness"), "SERVING");

  postgres.Stop();
  ASSERT_TRUE(WaitForHealth(scheduling.address(), "NOT_SERVING", std::chrono::seconds(10)))
      << scheduling.log();
  EXPECT_EQ(HealthStatus(scheduling.address(), "liveness"), "SERVING");
  EXPECT_EQ(HealthStatus(scheduling.address(), "salesops.v1.SchedulingService"), "NOT_SERVING");

  postgres.Start();
  EXPECT_TRUE(WaitForHealth(scheduling.address(), "SERVING", std::chrono::seconds(10)))
      << scheduling.log();
  EXPECT_EQ(HealthStatus(scheduling.address(), "liveness"), "SERVING");
}

}  // namespace
}  // namespace salesops::testing
