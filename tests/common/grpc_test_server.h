#pragma once

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/credentials.h"
#include "services/common/interceptors.h"
#include "services/common/server.h"
#include "services/common/sha256.h"

namespace salesops::testing {

// A stand-in inventory handler for transport tests: GetItem fails with
// UNAVAILABLE for the first `failures_before_success` calls, then answers
// with the caller's actor id as the item description; GetProduct sleeps.
class ScriptedInventory final : public v1::InventoryService::Service {
 public:
  std::atomic<int> failures_before_success{0};
  std::atomic<int> get_item_calls{0};
  std::chrono::milliseconds get_product_delay{0};
  // How the handler learns its caller (set by whoever starts the server).
  std::function<v1::Actor(const grpc::ServerContext&)> caller;

  grpc::Status GetItem(grpc::ServerContext* context, const v1::GetItemRequest* request,
                       v1::GetItemResponse* response) override {
    ++get_item_calls;
    if (failures_before_success.fetch_sub(1) > 0) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "warming up");
    }
    response->mutable_item()->set_inventory_code(request->inventory_code());
    response->mutable_item()->set_description(caller(*context).id());
    return grpc::Status::OK;
  }

  grpc::Status GetProduct(grpc::ServerContext*, const v1::GetProductRequest*,
                          v1::GetProductResponse*) override {
    std::this_thread::sleep_for(get_product_delay);
    return grpc::Status::OK;
  }
};

inline common::RolePolicy ScriptedInventoryPolicy() {
  common::RolePolicy policy(v1::InventoryService::service_full_name());
  policy.Allow("GetItem", {v1::ROLE_SERVICE, v1::ROLE_SALES})
      .Allow("GetProduct", {v1::ROLE_SERVICE})
      .Allow("UpsertItem", {v1::ROLE_SERVICE});  // not implemented: answers UNIMPLEMENTED
  return policy;
}

// Starts `service` on 127.0.0.1 with the production credentials and auth
// processor; the service token "service-token" maps to actor "svc-1".
inline std::unique_ptr<grpc::Server> StartTestServer(ScriptedInventory* service,
                                                     const common::TlsFiles& tls, int* port) {
  auto tokens =
      common::TokenRegistry::Parse(common::Sha256Hex("service-token") + " svc-1 service;" +
                                   common::Sha256Hex("sales-token") + " seller-1 sales");
  auto authenticator =
      std::make_shared<const common::Authenticator>(*tokens, ScriptedInventoryPolicy());
  // The production path: the access-log interceptor resolves each call's identity once.
  auto identities = std::make_shared<common::CallIdentities>();
  static prometheus::Registry* registry = new prometheus::Registry();
  auto metrics = std::make_shared<common::GrpcMetrics>(*registry, "grpc_server");
  service->caller = [identities](const grpc::ServerContext& context) {
    return identities->Get(&context);
  };
  auto credentials = common::MakeServerCredentials(tls, authenticator);
  if (!credentials.ok()) return nullptr;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *credentials, port);
  builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<common::AccessLogInterceptorFactory>(
      authenticator, identities, metrics, std::make_shared<common::LogRateLimiter>(20, 100)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  return builder.BuildAndStart();
}

}  // namespace salesops::testing
