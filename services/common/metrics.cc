#include "services/common/metrics.h"

#include <google/protobuf/descriptor.h>

#include "services/common/log.h"

namespace salesops::common {

std::string GrpcCodeLabel(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "Canceled";
    case grpc::StatusCode::UNKNOWN:
      return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FailedPrecondition";
    case grpc::StatusCode::ABORTED:
      return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "Unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "Internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "Unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthenticated";
    default:
      return "Code(" + std::to_string(static_cast<int>(code)) + ")";
  }
}

const prometheus::Histogram::BucketBoundaries& GrpcLatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

std::pair<std::string, std::string> SplitFullMethod(std::string_view full_method) {
  if (!full_method.empty() && full_method.front() == '/') full_method.remove_prefix(1);
  size_t slash = full_method.find('/');
  if (slash == std::string_view::npos) return {"unknown", std::string(full_method)};
  return {std::string(full_method.substr(0, slash)), std::string(full_method.substr(slash + 1))};
}

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}

absl::Status MetricsRegistry::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& error) {
    return absl::UnavailableError("cannot serve metrics on " + address + ": " + error.what());
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

void MetricsRegistry::AddCollectable(const std::shared_ptr<prometheus::Collectable>& collectable) {
  if (exposer_) exposer_->RegisterCollectable(collectable);
}

int MetricsRegistry::port() const {
  if (!exposer_) return 0;
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

GrpcMetrics::GrpcMetrics(prometheus::Registry& registry, std::string_view side,
                         std::vector<std::string> known_methods)
    : started_(prometheus::BuildCounter()
                   .Name(std::string(side) + "_started_total")
                   .Help("Total number of RPCs started.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name(std::string(side) + "_handled_total")
                   .Help("Total number of RPCs completed, regardless of success or failure.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name(std::string(side) + "_handling_seconds")
                            .Help("Histogram of response latency (seconds) of gRPC calls.")
                            .Register(registry)),
      received_(prometheus::BuildCounter()
                    .Name(std::string(side) + "_msg_received_total")
                    .Help("Total number of RPC stream messages received.")
                    .Register(registry)),
      sent_(prometheus::BuildCounter()
                .Name(std::string(side) + "_msg_sent_total")
                .Help("Total number of gRPC stream messages sent.")
                .Register(registry)),
      known_methods_(known_methods.begin(), known_methods.end()) {}

bool GrpcMetrics::IsKnown(std::string_view full_method) const {
  return known_methods_.empty() || known_methods_.count(full_method) > 0;
}

std::pair<std::string, std::string> GrpcMetrics::LabelsOf(std::string_view full_method) const {
  if (!IsKnown(full_method)) return {"unknown", "unknown"};
  return SplitFullMethod(full_method);
}

void GrpcMetrics::Started(const std::string& service, const std::string& method,
                          const std::string& type) {
  started_.Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}})
      .Increment();
}

void GrpcMetrics::Handled(const std::string& service, const std::string& method,
                          const std::string& type, grpc::StatusCode code,
                          std::chrono::duration<double> took) {
  handled_
      .Add({{"grpc_service", service},
            {"grpc_method", method},
            {"grpc_type", type},
            {"grpc_code", GrpcCodeLabel(code)}})
      .Increment();
  handling_seconds_
      .Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}},
           GrpcLatencyBuckets())
      .Observe(took.count());
}

void GrpcMetrics::Refused(std::string_view full_method, grpc::StatusCode code) {
  auto [service, method] = LabelsOf(full_method);
  std::string type = "unary";
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(service + "." + method);
  if (descriptor != nullptr) {
    if (descriptor->client_streaming() && descriptor->server_streaming()) {
      type = "bidi_stream";
    } else if (descriptor->client_streaming()) {
      type = "client_stream";
    } else if (descriptor->server_streaming()) {
      type = "server_stream";
    }
  }
  Started(service, method, type);
  Handled(service, method, type, code, std::chrono::duration<double>(0));
}

void GrpcMetrics::MessageReceived(const std::string& service, const std::string& method,
                                  const std::string& type) {
  received_.Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}})
      .Increment();
}

void GrpcMetrics::MessageSent(const std::string& service, const std::string& method,
                              const std::string& type) {
  sent_.Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}}).Increment();
}

namespace {

prometheus::Family<prometheus::Gauge>& PoolConnectionsFamily(prometheus::Registry& registry) {
  return prometheus::BuildGauge()
      .Name("salesops_db_pool_connections")
      .Help("Database connections held by the pool, by state (open = idle + in use).")
      .Register(registry);
}

}  // namespace

DatabaseMetrics::DatabaseMetrics(prometheus::Registry& registry)
    : open_(PoolConnectionsFamily(registry).Add({{"state", "open"}})),
      in_use_(PoolConnectionsFamily(registry).Add({{"state", "in_use"}})),
      acquire_seconds_(prometheus::BuildHistogram()
                           .Name("salesops_db_pool_acquire_seconds")
                           .Help("Time spent waiting for a database connection.")
                           .Register(registry)
                           .Add({}, GrpcLatencyBuckets())),
      acquire_failures_(prometheus::BuildCounter()
                            .Name("salesops_db_pool_acquire_failures_total")
                            .Help("Connection requests that got no connection.")
                            .Register(registry)
                            .Add({})),
      transaction_seconds_(prometheus::BuildHistogram()
                               .Name("salesops_db_transaction_seconds")
                               .Help("Database transaction latency by transaction and outcome.")
                               .Register(registry)),
      up_(prometheus::BuildGauge()
              .Name("salesops_db_up")
              .Help("1 when the last database health check succeeded.")
              .Register(registry)
              .Add({})) {}

void DatabaseMetrics::OnAcquire(std::chrono::duration<double> wait, bool acquired) {
  acquire_seconds_.Observe(wait.count());
  if (!acquired) acquire_failures_.Increment();
}

void DatabaseMetrics::OnConnections(int open, int in_use) {
  open_.Set(open);
  in_use_.Set(in_use);
}

void DatabaseMetrics::OnTransaction(std::string_view name, std::chrono::duration<double> took,
                                    const absl::Status& outcome) {
  transaction_seconds_
      .Add({{"transaction", std::string(name)},
            {"outcome", outcome.ok() ? "ok" : absl::StatusCodeToString(outcome.code())}},
           GrpcLatencyBuckets())
      .Observe(took.count());
}

void DatabaseMetrics::SetDatabaseUp(bool up) { up_.Set(up ? 1 : 0); }

}  // namespace salesops::common
