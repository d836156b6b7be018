#include "services/common/channel_factory.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <nlohmann/json.hpp>

#include "salesops/v1/notification.grpc.pb.h"
#include "tests/common/grpc_test_server.h"

namespace salesops::common {
namespace {

using testing::ScriptedInventory;

TEST(ServiceConfigTest, GivesEveryMethodATimeoutAndRetriesOnUnavailable) {
  ChannelOptions options;
  options.services = {"salesops.v1.InventoryService", "salesops.v1.SchedulingService"};
  options.call_timeout = std::chrono::milliseconds(2500);
  options.max_attempts = 3;
  nlohmann::json config = nlohmann::json::parse(ServiceConfigJson(options));
  const auto& method = config["methodConfig"][0];
  EXPECT_EQ(method["name"][1]["service"], "salesops.v1.SchedulingService");
  EXPECT_EQ(method["timeout"], "2.500s");
  EXPECT_EQ(method["retryPolicy"]["maxAttempts"], 3);
  EXPECT_EQ(method["retryPolicy"]["retryableStatusCodes"][0], "UNAVAILABLE");
}

TEST(ServiceConfigTest, OneAttemptMeansNoRetryPolicyAndAUsableChannel) {
  ChannelOptions options;
  options.target = "127.0.0.1:1";
  options.services = {"salesops.v1.NotificationService"};
  options.max_attempts = 1;
  nlohmann::json config = nlohmann::json::parse(ServiceConfigJson(options));
  EXPECT_FALSE(config["methodConfig"][0].contains("retryPolicy"));
  // gRPC refuses a retry policy with fewer than 2 attempts, so the channel
  // would fail every call; without one it simply reports the peer unavailable.
  ChannelFactory factory(nullptr);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = factory.Create(options);
  ASSERT_TRUE(channel.ok());
  auto stub = v1::NotificationService::NewStub(*channel);
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::milliseconds(2000));
  v1::ListSubscriptionsRequest request;
  v1::ListSubscriptionsResponse response;
  EXPECT_EQ(stub->ListSubscriptions(&context, request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

class ChannelFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartTestServer(&inventory_, {}, &port_);
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  std::shared_ptr<grpc::Channel> Channel(const std::string& token) {
    ChannelOptions options;
    options.target = "127.0.0.1:" + std::to_string(port_);
    options.services = {v1::InventoryService::service_full_name()};
    options.bearer_token = token;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = factory_.Create(options);
    EXPECT_TRUE(channel.ok());
    return *channel;
  }

  ScriptedInventory inventory_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  prometheus::Registry registry_;
  ChannelFactory factory_{std::make_shared<GrpcMetrics>(registry_, "grpc_client")};
};

TEST_F(ChannelFactoryTest, AttachesTheServiceTokenSoTheServerKnowsTheCaller) {
  auto stub = v1::InventoryService::NewStub(Channel("service-token"));
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::seconds(5));
  v1::GetItemRequest request;
  request.set_inventory_code("LED-PANEL-500");
  v1::GetItemResponse response;
  ASSERT_TRUE(stub->GetItem(&context, request, &response).ok());
  EXPECT_EQ(response.item().description(), "svc-1");
}

TEST_F(ChannelFactoryTest, EachCallOnASharedConnectionIsAttributedToItsOwnToken) {
  // One connection, two callers: identities must not leak from call to call.
  auto stub = v1::InventoryService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  for (const auto& [token, expected_actor] : std::vector<std::pair<std::string, std::string>>{
           {"service-token", "svc-1"}, {"sales-token", "seller-1"}, {"service-token", "svc-1"}}) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    SetDeadline(context, std::chrono::seconds(5));
    v1::GetItemRequest request;
    request.set_inventory_code("LED-PANEL-500");
    v1::GetItemResponse response;
    ASSERT_TRUE(stub->GetItem(&context, request, &response).ok());
    EXPECT_EQ(response.item().description(), expected_actor);
  }
}

TEST_F(ChannelFactoryTest, RetriesUnavailableThroughTheServiceConfig) {
  inventory_.failures_before_success = 2;
  auto stub = v1::InventoryService::NewStub(Channel("service-token"));
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::seconds(10));
  v1::GetItemRequest request;
  request.set_inventory_code("LED-PANEL-500");
  v1::GetItemResponse response;
  grpc::Status status = stub->GetItem(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(inventory_.get_item_calls, 3);

  std::string text = prometheus::TextSerializer().Serialize(registry_.Collect());
  EXPECT_NE(text.find("grpc_client_handled_total{grpc_code=\"OK\",grpc_method=\"GetItem\","
                      "grpc_service=\"salesops.v1.InventoryService\",grpc_type=\"unary\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_client_handling_seconds_count{grpc_method=\"GetItem\""),
            std::string::npos);
}

TEST_F(ChannelFactoryTest, EveryCallHasADeadline) {
  inventory_.get_product_delay = std::chrono::milliseconds(1500);
  auto stub = v1::InventoryService::NewStub(Channel("service-token"));
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::milliseconds(200));
  v1::GetProductRequest request;
  v1::GetProductResponse response;
  EXPECT_EQ(stub->GetProduct(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(ChannelFactoryTest, WrongRoleTokenIsRefusedBeforeTheHandler) {
  auto stub = v1::InventoryService::NewStub(Channel("sales-token"));
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::seconds(5));
  v1::GetProductResponse response;
  EXPECT_EQ(stub->GetProduct(&context, v1::GetProductRequest(), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops::common
