#include "services/common/server.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <future>

#include "services/common/generic_call.h"
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
    config.max_threads = max_threads_;
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

  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  }

  int max_threads_ = ServerConfig().max_threads;
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

// x-request-id comes back as a header, or as a trailer when the call failed (trailers only,
// so that clients may still retry it).
std::string EchoedRequestId(const grpc::ClientContext& context) {
  for (const auto* metadata :
       {&context.GetServerInitialMetadata(), &context.GetServerTrailingMetadata()}) {
    auto found = metadata->find("x-request-id");
    if (found != metadata->end()) return std::string(found->second.data(), found->second.size());
  }
  return "";
}

TEST_F(ServerTest, ARequestIdNoHeaderCanCarryIsEchoedAsItsHashAndTheServerLivesOn) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  auto stub = v1::InventoryService::NewStub(Channel());
  // gRPC aborts the whole process on a response header it cannot send; each of these once did.
  for (std::string request_id : {std::string("café"), std::string("line\nbreak"),
                                 std::string("nul\0byte", 8), std::string(300, 'a')}) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer service-token");
    v1::UpsertItemRequest request;
    request.set_request_id(request_id);
    v1::UpsertItemResponse response;
    grpc::Status status = stub->UpsertItem(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
    EXPECT_EQ(EchoedRequestId(context), "sha256-" + Sha256Hex(request_id).substr(0, 32));
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer service-token");
  v1::UpsertItemRequest plain;
  plain.set_request_id("order-1042:confirm.2_a");
  v1::UpsertItemResponse response;
  stub->UpsertItem(&context, plain, &response);
  EXPECT_EQ(EchoedRequestId(context), "order-1042:confirm.2_a");
  EXPECT_EQ(testing::HealthStatus(address_, ""), "SERVING");
}

TEST_F(ServerTest, TheHandlerSeesTheOneIdentityTheTokenCheckDecided) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  auto stub = v1::InventoryService::NewStub(Channel());
  v1::GetItemRequest request;
  request.set_inventory_code("CABLE-1");
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer service-token");
    v1::GetItemResponse response;
    ASSERT_TRUE(stub->GetItem(&context, request, &response).ok());
    EXPECT_EQ(response.item().description(), "svc-1");  // the handler echoes its caller
  }
  {
    // Junk first, a valid token second: once, the check took the second and the handler the
    // first, leaving an empty actor that matched every empty owner.
    grpc::ClientContext context;
    context.AddMetadata("authorization", "junk");
    context.AddMetadata("authorization", "Bearer service-token");
    v1::GetItemResponse response;
    grpc::Status status = stub->GetItem(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(inventory_->get_item_calls.load(), 1);  // the handler never ran
  }
}

TEST_F(ServerTest, MadeUpMethodPathsCountUnderOneUnknownSeries) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  std::shared_ptr<grpc::Channel> channel = Channel();
  for (int i = 0; i < 25; ++i) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer service-token");
    std::string response;
    grpc::Status status = CallUnaryBytes(
        channel, context, "/made.up.Service/Path" + std::to_string(i), "", &response);
    EXPECT_FALSE(status.ok());
  }
  std::string metrics = testing::FetchMetrics(server_->metrics_port());
  EXPECT_EQ(metrics.find("made.up"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("Path1"), std::string::npos);
  EXPECT_NE(
      metrics.find("grpc_server_handled_total{grpc_code=\"PermissionDenied\","
                   "grpc_method=\"unknown\",grpc_service=\"unknown\",grpc_type=\"unary\"} 25"),
      std::string::npos)
      << metrics;
}

TEST_F(ServerTest, BytesThatDoNotParseAreTheCallersInvalidArgument) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer service-token");
  std::string response;
  // A field-1 length prefix promising more bytes than follow.
  grpc::Status status = CallUnaryBytes(Channel(), context, "/salesops.v1.InventoryService/GetItem",
                                       "\x0a\x7fab", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(inventory_->get_item_calls.load(), 0);
  std::string metrics = testing::FetchMetrics(server_->metrics_port());
  EXPECT_EQ(metrics.find("grpc_code=\"Internal\""), std::string::npos) << metrics;
}

// A server with a small thread budget: a burst of slow calls gets RESOURCE_EXHAUSTED for what
// does not fit, instead of a thread each, and the server answers again once they are done.
class SmallServerTest : public ServerTest {
 protected:
  SmallServerTest() { max_threads_ = 8; }
};

TEST_F(SmallServerTest, CallsBeyondTheThreadBudgetAreRefusedNotQueuedForever) {
  ASSERT_TRUE(testing::WaitForHealth(address_, "SERVING", std::chrono::seconds(10)));
  inventory_->get_product_delay = std::chrono::milliseconds(1500);
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 24; ++i) {
    calls.push_back(
        std::async(std::launch::async, [this] { return GetProduct(std::chrono::seconds(10)); }));
  }
  int ok = 0, exhausted = 0;
  for (auto& call : calls) {
    grpc::StatusCode code = call.get().error_code();
    ok += code == grpc::StatusCode::OK;
    exhausted += code == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(exhausted, 0);
  EXPECT_EQ(ok + exhausted, 24);
  inventory_->get_product_delay = std::chrono::milliseconds(0);
  EXPECT_TRUE(GetProduct(std::chrono::seconds(5)).ok());
}

}  // namespace
}  // namespace salesops::common
