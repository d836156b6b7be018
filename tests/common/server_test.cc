#include "services/common/server.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <future>

#include "tests/common/grpc_test_server.h"
#include "tests/support/test_support.h"

namespace salesops::common {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.listen_address = "127.0.0.1:0";
    config.metrics_address = "127.0.0.1:0";
    config.database_url = database_.url();
    config.database_password_file = database_.server().password_file;
    config.database_check_interval = std::chrono::milliseconds(200);
    config.shutdown_grace = std::chrono::seconds(5);
    config.tokens = Sha256Hex("service-token") + " svc-1 service";
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Start({"test", WithSharedMigrations({}), testing::ScriptedInventoryPolicy(),
                       [this](ServiceRuntime& runtime) {
                         std::vector<std::unique_ptr<grpc::Service>> services;
                         auto inventory = std::make_unique<testing::ScriptedInventory>();
                         inventory->caller = [&runtime](const grpc::ServerContext& context) {
                           return runtime.CallerOf(context);
                         };
                         inventory_ = inventory.get();
                         services.push_back(std::move(inventory));
                         return services;
                       }},
                      config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    address_ = "127.0.0.1:" + std::to_string(server_->grpc_port());
  }

  grpc::Status GetProduct(std::chrono::milliseconds timeout) {
    auto stub = v1::InventoryService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer service-token");
    SetDeadline(context, timeout);
    v1::GetProductResponse response;
    return stub->GetProduct(&context, v1::GetProductRequest(), &response);
  }

  testing::TestDatabase database_;
  std::unique_ptr<Server> server_;
  testing::ScriptedInventory* inventory_ = nullptr;
  std::string address_;
};

TEST_F(ServerTest, ServesHealthOnceMigratedAndPerService) {
  EXPECT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  EXPECT_EQ(testing::HealthStatus(address_, "salesops.v1.InventoryService"), "SERVING");
  pqxx::connection connection(database_.connection_string());
  pqxx::nontransaction statement(connection);
  EXPECT_EQ(statement.exec1("SELECT count(*) FROM schema_migrations")[0].as<size_t>(),
            SharedMigrations().size());
}

TEST_F(ServerTest, GracefulShutdownLetsInFlightCallsFinishAndRefusesNewOnes) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  inventory_->get_product_delay = std::chrono::milliseconds(1000);
  std::future<grpc::Status> in_flight =
      std::async(std::launch::async, [this] { return GetProduct(std::chrono::seconds(10)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::future<void> shutdown = std::async(std::launch::async, [this] { server_->Shutdown(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  grpc::Status late = GetProduct(std::chrono::milliseconds(500));
  EXPECT_FALSE(late.ok());
  EXPECT_TRUE(in_flight.get().ok());  // finished despite the shutdown
  shutdown.get();
}

TEST_F(ServerTest, MetricsEndpointServesGrpcServerFamiliesAfterACall) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  ASSERT_TRUE(GetProduct(std::chrono::seconds(5)).ok());
  std::string metrics = testing::FetchMetrics(server_->metrics_port());
  EXPECT_NE(metrics.find("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"GetProduct\","
                         "grpc_service=\"salesops.v1.InventoryService\",grpc_type=\"unary\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("salesops_db_up 1"), std::string::npos);
}

}  // namespace
}  // namespace salesops::common
