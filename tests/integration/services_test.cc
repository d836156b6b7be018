// The four service binaries, started as real processes against their own
// databases: health, metrics, and the auth table of every RPC.
#include <google/protobuf/descriptor.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <mutex>

#include "services/common/auth.h"
#include "services/common/generic_call.h"
#include "services/common/grpc_errors.h"
#include "services/common/metrics.h"
#include "services/inventory/inventory_service.h"
#include "services/notification/notification_service.h"
#include "services/order_intake/order_intake_service.h"
#include "services/scheduling/scheduling_service.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

struct ServiceUnderTest {
  std::string binary_name;
  std::vector<const google::protobuf::ServiceDescriptor*> apis;
  common::RolePolicy policy;
  std::unique_ptr<TestDatabase> database;
  std::unique_ptr<ServiceProcess> process;
};

// A service's descriptor. Reached through a message of the same file, which
// makes the linker keep that file's generated code (and so its descriptors).
template <typename Service, typename MessageOfTheSameFile>
const google::protobuf::ServiceDescriptor* Api() {
  return MessageOfTheSameFile::descriptor()->file()->pool()->FindServiceByName(
      Service::service_full_name());
}

// Calls `full_method` with an empty request and `token` (none when empty).
grpc::Status CallWithTokenStatus(const std::string& address, const std::string& full_method,
                                 const std::string& token) {
  static std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  static std::mutex channels_mutex;
  std::shared_ptr<grpc::Channel> channel;
  {
    std::lock_guard<std::mutex> lock(channels_mutex);
    auto& cached = channels[address];
    if (!cached) cached = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    channel = cached;
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  return common::CallUnaryBytes(channel, context, full_method, "", nullptr);
}

grpc::StatusCode CallWithToken(const std::string& address, const std::string& full_method,
                               const std::string& token) {
  return CallWithTokenStatus(address, full_method, token).error_code();
}

// Whether `status` is the auth check's refusal, which never reaches a handler: it carries no
// salesops ErrorInfo. A handler's own PERMISSION_DENIED (a crew member asking for someone
// else's data, or a crew token whose person is no crew member here) always does.
bool RefusedBeforeTheHandler(const grpc::Status& status) {
  return (status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          status.error_code() == grpc::StatusCode::UNAUTHENTICATED) &&
         common::ParseGrpcError(status).reason.empty();
}

class ServicesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    services_ = new std::vector<ServiceUnderTest>();
    services_->push_back({"inventory",
                          {Api<v1::InventoryService, v1::GetItemRequest>()},
                          inventory::RolePolicy(),
                          nullptr,
                          nullptr});
    services_->push_back({"scheduling",
                          {Api<v1::SchedulingService, v1::GetCrewMemberRequest>()},
                          scheduling::RolePolicy(),
                          nullptr,
                          nullptr});
    services_->push_back({"notification",
                          {Api<v1::NotificationService, v1::PublishRequest>()},
                          notification::RolePolicy(),
                          nullptr,
                          nullptr});
    services_->push_back({"order-intake",
                          {Api<v1::OrderIntakeService, v1::GetOrderRequest>(),
                           Api<v1::EventSink, v1::DeliverRequest>()},
                          order_intake::RolePolicy(),
                          nullptr,
                          nullptr});
    for (ServiceUnderTest& service : *services_) {
      service.database = std::make_unique<TestDatabase>();
      service.process = std::make_unique<ServiceProcess>(
          ServiceBinary(service.binary_name),
          ServiceArgs(service.database->url(), service.database->server().password_file, tokens_));
    }
    for (ServiceUnderTest& service : *services_) {
      ASSERT_TRUE(service.process->WaitUntilStarted()) << service.process->log();
    }
  }
  static void TearDownTestSuite() {
    delete services_;
    services_ = nullptr;
  }

  static std::vector<ServiceUnderTest>* services_;
  static TestTokens tokens_;
};

std::vector<ServiceUnderTest>* ServicesTest::services_ = nullptr;
TestTokens ServicesTest::tokens_;

TEST_F(ServicesTest, EveryServiceMigratesItsOwnDatabaseAndServes) {
  for (ServiceUnderTest& service : *services_) {
    SCOPED_TRACE(service.binary_name);
    std::string address = service.process->address();
    EXPECT_TRUE(WaitForHealth(address, "SERVING", std::chrono::seconds(20)))
        << service.process->log();
    for (const auto* api : service.apis) {
      EXPECT_EQ(HealthStatus(address, api->full_name()), "SERVING");
    }
    pqxx::connection connection(service.database->connection_string());
    pqxx::nontransaction statement(connection);
    EXPECT_GE(statement.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 2);
    EXPECT_EQ(
        statement.exec1("SELECT count(*) FROM pg_tables WHERE tablename = 'outbox'")[0].as<int>(),
        1);
  }
}

TEST_F(ServicesTest, EveryRpcOfEveryServiceEnforcesTokensAndRoles) {
  const std::vector<std::pair<std::string, v1::Role>> roles = {{"sales", v1::ROLE_SALES},
                                                               {"ops", v1::ROLE_OPS},
                                                               {"admin", v1::ROLE_ADMIN},
                                                               {"service", v1::ROLE_SERVICE},
                                                               {"crew", v1::ROLE_CREW}};
  int rpcs_checked = 0;
  for (ServiceUnderTest& service : *services_) {
    ASSERT_TRUE(WaitForHealth(service.process->address(), "SERVING", std::chrono::seconds(20)));
    for (const auto* api : service.apis) {
      for (int i = 0; i < api->method_count(); ++i) {
        std::string method = "/" + api->full_name() + "/" + api->method(i)->name();
        SCOPED_TRACE(method);
        ASSERT_NE(service.policy.AllowedRoles(method), nullptr)
            << "every RPC needs a row in its service's role table";
        std::string address = service.process->address();
        EXPECT_EQ(CallWithToken(address, method, ""), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(CallWithToken(address, method, "not-a-real-token"),
                  grpc::StatusCode::UNAUTHENTICATED);
        bool someone_allowed = false;
        for (const auto& [role_name, role] : roles) {
          grpc::Status status = CallWithTokenStatus(address, method, tokens_.ForRole(role_name));
          grpc::StatusCode code = status.error_code();
          if (role == v1::ROLE_CREW && service.policy.IsAllowed(method, role)) {
            // Past auth, the handler scopes a crew member to their own data; this crew token's
            // person is no crew member here, so the handler may refuse too, but with its reason.
            EXPECT_FALSE(RefusedBeforeTheHandler(status))
                << role_name << ": " << status.error_message();
          } else if (service.policy.IsAllowed(method, role)) {
            someone_allowed = true;
            // Past auth: the handler answers (an empty request is usually bad input; an
            // RPC not built yet is UNIMPLEMENTED), never an auth refusal.
            EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << role_name;
            EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << role_name;
          } else {
            EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << role_name;
            EXPECT_TRUE(RefusedBeforeTheHandler(status)) << role_name;
          }
        }
        EXPECT_TRUE(someone_allowed);
        ++rpcs_checked;
      }
    }
    // The policy names no RPC that does not exist.
    size_t method_count = 0;
    for (const auto* api : service.apis) method_count += api->method_count();
    EXPECT_EQ(service.policy.Methods().size(), method_count) << service.binary_name;
  }
  EXPECT_GT(rpcs_checked, 60);
}

TEST_F(ServicesTest, MetricsShowConventionalGrpcServerFamiliesAfterACall) {
  for (ServiceUnderTest& service : *services_) {
    SCOPED_TRACE(service.binary_name);
    std::string method =
        "/" + service.apis[0]->full_name() + "/" + service.apis[0]->method(0)->name();
    // Admin may call some of these and not others; whatever the outcome, it is counted.
    grpc::StatusCode code = CallWithToken(service.process->address(), method, tokens_.admin);
    if (!service.policy.IsAllowed(method, v1::ROLE_ADMIN)) {
      ASSERT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);
    }
    std::string expected_code = common::GrpcCodeLabel(code);
    std::string metrics = FetchMetrics(service.process->metrics_port());
    std::string labels = "grpc_method=\"" + service.apis[0]->method(0)->name() +
                         "\",grpc_service=\"" + service.apis[0]->full_name() +
                         "\",grpc_type=\"unary\"";
    EXPECT_NE(metrics.find("grpc_server_started_total{" + labels + "}"), std::string::npos)
        << metrics << service.process->log();
    EXPECT_NE(
        metrics.find("grpc_server_handled_total{grpc_code=\"" + expected_code + "\"," + labels),
        std::string::npos);
    EXPECT_NE(metrics.find("grpc_server_handling_seconds_bucket{" + labels + ",le=\"0.005\"}"),
              std::string::npos);
    EXPECT_NE(metrics.find("salesops_db_pool_connections{state=\"open\"}"), std::string::npos);
  }
}

TEST_F(ServicesTest, AccessLogHasOneLinePerCallWithRequestIdAndNoToken) {
  ServiceUnderTest& inventory = services_->front();
  CallWithToken(inventory.process->address(), "/salesops.v1.InventoryService/GetItem",
                tokens_.sales);
  std::string log = inventory.process->log();
  EXPECT_NE(log.find("event=rpc method=/salesops.v1.InventoryService/GetItem code=InvalidArgument"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("actor=seller-1"), std::string::npos);
  EXPECT_NE(log.find("request_id="), std::string::npos);
  EXPECT_EQ(log.find(tokens_.sales), std::string::npos) << "a token leaked into the log";
}

TEST_F(ServicesTest, SigtermStopsEachServiceCleanly) {
  for (ServiceUnderTest& service : *services_) {
    SCOPED_TRACE(service.binary_name);
    EXPECT_EQ(service.process->Terminate(), 0);
    EXPECT_NE(service.process->log().find("event=server_stopped"), std::string::npos);
  }
}

}  // namespace
}  // namespace salesops::testing
