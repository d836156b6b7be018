#pragma once

// The bootstrap's implementation of ServiceRuntime. Only the bootstrap and tests that start a
// server in-process include this; services see service_runtime.h and service_definition.h.

#include <absl/status/statusor.h>
#include <grpcpp/server.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/sync_stream.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"
#include "services/common/auth.h"
#include "services/common/channel_factory.h"
#include "services/common/config.h"
#include "services/common/db_pool.h"
#include "services/common/metrics.h"
#include "services/common/outbox_relay.h"
#include "services/common/service_definition.h"
#include "services/common/service_runtime.h"

namespace salesops::common {

class CallIdentities;

// A running salesops server: gRPC (health, reflection, auth, metrics and
// access-log interceptors), /metrics, the database pool, migrations and the
// database watcher that drives health.
class Server final : public ServiceRuntime {
 public:
  // Serves the services `definition.make_services` builds (none when it is empty).
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServiceDefinition definition,
                                                       ServerConfig config);
  ~Server() override;

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_.port(); }

  // Blocks until Shutdown starts (signal or fatal error); returns the exit code.
  int WaitForShutdownRequest();
  // Asks the server to stop (safe from any thread).
  void RequestShutdown(int exit_code = 0);
  // Reports NOT_SERVING, refuses new calls, lets in-flight calls finish within
  // the grace period, then stops the watcher. Idempotent.
  void Shutdown();

  // ServiceRuntime
  const ServerConfig& config() const override { return config_; }
  ConnectionPool& database() override { return *pool_; }
  prometheus::Registry& metrics() override { return metrics_.registry(); }
  void AddCollectable(const std::shared_ptr<prometheus::Collectable>& collectable) override {
    metrics_.AddCollectable(collectable);
  }
  const ChannelFactory& channels() const override { return *channels_; }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(const std::string& target,
                                                           std::vector<std::string> services,
                                                           std::chrono::milliseconds call_timeout,
                                                           int max_attempts) const override;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> AnonymousChannelTo(
      const std::string& target, std::vector<std::string> services,
      std::chrono::milliseconds call_timeout) const override;
  v1::Actor CallerOf(const grpc::ServerContext& context) const override;
  void OnShutdown(std::function<void()> hook) override {
    std::lock_guard<std::mutex> lock(mutex_);
    shutdown_hooks_.push_back(std::move(hook));
  }
  void OnMigrated(std::function<void()> hook) override;

 private:
  Server(ServiceDefinition definition, ServerConfig config);
  // Target, services, deadline and TLS as configured; no token yet.
  ChannelOptions ChannelOptionsFor(const std::string& target, std::vector<std::string> services,
                                   std::chrono::milliseconds call_timeout) const;
  void WatchDatabase();
  void SetServing(bool serving);

  ServiceDefinition definition_;
  ServerConfig config_;
  MetricsRegistry metrics_;
  DatabaseOptions database_options_;
  std::unique_ptr<DatabaseMetrics> database_metrics_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<ChannelFactory> channels_;
  std::shared_ptr<const Authenticator> authenticator_;
  std::shared_ptr<CallIdentities> identities_;
  std::string own_token_;
  std::unique_ptr<OutboxRelay> outbox_relay_;
  // The exposer holds collectables weakly.
  std::shared_ptr<prometheus::Collectable> outbox_backlog_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::vector<std::string> service_names_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool shutdown_requested_ = false;
  bool stopping_ = false;
  bool shut_down_ = false;
  int exit_code_ = 0;
  std::optional<bool> serving_;
  std::thread watcher_;
  std::vector<std::function<void()>> shutdown_hooks_;
  bool migrated_ = false;
  std::vector<std::function<void()>> migrated_hooks_;
};

}  // namespace salesops::common
