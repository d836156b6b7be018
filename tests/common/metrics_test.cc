#include "services/common/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

namespace salesops::common {
namespace {

std::string Render(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(MetricsTest, CodeLabelsAreSpelledAsGoGrpcPrometheusSpellsThem) {
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::INVALID_ARGUMENT), "InvalidArgument");
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::FAILED_PRECONDITION), "FailedPrecondition");
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
  EXPECT_EQ(GrpcCodeLabel(grpc::StatusCode::DEADLINE_EXCEEDED), "DeadlineExceeded");
}

TEST(MetricsTest, SplitsFullMethodNames) {
  EXPECT_EQ(SplitFullMethod("/salesops.v1.InventoryService/GetItem"),
            (std::pair<std::string, std::string>{"salesops.v1.InventoryService", "GetItem"}));
}

TEST(MetricsTest, HandledCallsShowUpWithConventionalNamesAndLabels) {
  prometheus::Registry registry;
  GrpcMetrics metrics(registry, "grpc_server");
  metrics.Started("salesops.v1.InventoryService", "GetItem", "unary");
  metrics.Handled("salesops.v1.InventoryService", "GetItem", "unary", grpc::StatusCode::NOT_FOUND,
                  std::chrono::milliseconds(30));
  std::string text = Render(registry);
  EXPECT_NE(text.find("grpc_server_started_total{grpc_method=\"GetItem\",grpc_service=\"salesops."
                      "v1.InventoryService\",grpc_type=\"unary\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"GetItem\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_server_handling_seconds_bucket{grpc_method=\"GetItem\",grpc_service="
                      "\"salesops.v1.InventoryService\",grpc_type=\"unary\",le=\"0.05\"} 1"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, DatabaseMetricsTrackPoolAndTransactions) {
  prometheus::Registry registry;
  DatabaseMetrics metrics(registry);
  metrics.OnConnections(3, 1);
  metrics.OnAcquire(std::chrono::milliseconds(1), false);
  metrics.OnTransaction("reserve", std::chrono::milliseconds(2), absl::OkStatus());
  metrics.SetDatabaseUp(true);
  std::string text = Render(registry);
  EXPECT_NE(text.find("salesops_db_pool_connections{state=\"open\"} 3"), std::string::npos);
  EXPECT_NE(text.find("salesops_db_pool_connections{state=\"in_use\"} 1"), std::string::npos);
  EXPECT_NE(text.find("salesops_db_pool_acquire_failures_total 1"), std::string::npos);
  EXPECT_NE(
      text.find("salesops_db_transaction_seconds_count{outcome=\"ok\",transaction=\"reserve\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("salesops_db_up 1"), std::string::npos);
}

}  // namespace
}  // namespace salesops::common
