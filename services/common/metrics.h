#pragma once

#include <absl/status/status.h>
#include <grpcpp/support/status.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/db_pool.h"

namespace salesops::common {

// The code label as go-grpc-prometheus spells it ("OK", "InvalidArgument",
// "Canceled"), so existing dashboards and alert rules work unchanged.
std::string GrpcCodeLabel(grpc::StatusCode code);

// go-grpc-prometheus's default buckets for *_handling_seconds.
const prometheus::Histogram::BucketBoundaries& GrpcLatencyBuckets();

// Splits "/salesops.v1.InventoryService/GetItem" into service and method.
std::pair<std::string, std::string> SplitFullMethod(std::string_view full_method);

// The process's metric registry and its /metrics endpoint on its own port.
class MetricsRegistry {
 public:
  MetricsRegistry();
  prometheus::Registry& registry() { return *registry_; }
  // Serves /metrics on `address` (host:port; port 0 picks one).
  absl::Status Serve(const std::string& address);
  // Adds metrics computed at scrape time (e.g. counts read from the database).
  void AddCollectable(const std::shared_ptr<prometheus::Collectable>& collectable);
  int port() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Conventional gRPC metrics for one side (server or client), as
// go-grpc-prometheus names them: <side>_started_total, <side>_handled_total,
// <side>_handling_seconds, <side>_msg_received_total, <side>_msg_sent_total,
// labelled grpc_service, grpc_method, grpc_type (and grpc_code when handled).
class GrpcMetrics {
 public:
  // `side` is "grpc_server" or "grpc_client". `known_methods` ("/pkg.Service/Method") are the
  // only ones counted under their own names; any other path counts under service and method
  // "unknown", so a stream of made-up paths cannot grow /metrics or memory. Empty: every
  // method is known (a client only calls the stubs compiled into it).
  GrpcMetrics(prometheus::Registry& registry, std::string_view side,
              std::vector<std::string> known_methods = {});
  // The grpc_service and grpc_method labels a call to `full_method` counts under.
  std::pair<std::string, std::string> LabelsOf(std::string_view full_method) const;
  bool IsKnown(std::string_view full_method) const;
  void Started(const std::string& service, const std::string& method, const std::string& type);
  void Handled(const std::string& service, const std::string& method, const std::string& type,
               grpc::StatusCode code, std::chrono::duration<double> took);
  // A call refused before it reached a handler (e.g. by auth): started and
  // handled at once, typed from the method's descriptor.
  void Refused(std::string_view full_method, grpc::StatusCode code);
  void MessageReceived(const std::string& service, const std::string& method,
                       const std::string& type);
  void MessageSent(const std::string& service, const std::string& method, const std::string& type);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& sent_;
  std::set<std::string, std::less<>> known_methods_;
};

// Database pool and transaction metrics: salesops_db_pool_connections{state},
// salesops_db_pool_acquire_seconds, salesops_db_pool_acquire_failures_total,
// salesops_db_transaction_seconds{transaction,outcome}, and salesops_db_up.
class DatabaseMetrics : public PoolObserver {
 public:
  explicit DatabaseMetrics(prometheus::Registry& registry);
  void OnAcquire(std::chrono::duration<double> wait, bool acquired) override;
  void OnConnections(int open, int in_use) override;
  void OnTransaction(std::string_view name, std::chrono::duration<double> took,
                     const absl::Status& outcome) override;
  void SetDatabaseUp(bool up);

 private:
  prometheus::Gauge& open_;
  prometheus::Gauge& in_use_;
  prometheus::Histogram& acquire_seconds_;
  prometheus::Counter& acquire_failures_;
  prometheus::Family<prometheus::Histogram>& transaction_seconds_;
  prometheus::Gauge& up_;
};

}  // namespace salesops::common
