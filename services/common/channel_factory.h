#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "services/common/credentials.h"
#include "services/common/metrics.h"

namespace salesops::common {

struct ChannelOptions {
  std::string target;  // host:port
  // Fully qualified gRPC services reached through this channel; the service
  // config gives each of their methods a deadline and retries.
  std::vector<std::string> services;
  TlsFiles tls;
  std::string bearer_token;  // this service's own token
  std::chrono::milliseconds call_timeout{5000};
  int max_attempts = 4;
};

// The gRPC service config for `options`: a timeout on every method, and
// retries with exponential backoff on UNAVAILABLE. Every salesops RPC is
// idempotent (reads, or mutations keyed by request_id), so all may retry.
std::string ServiceConfigJson(const ChannelOptions& options);

// Builds channels for service-to-service calls: TLS or mutual TLS per
// configuration, this service's bearer token on every call, client metrics.
class ChannelFactory {
 public:
  explicit ChannelFactory(std::shared_ptr<GrpcMetrics> client_metrics)
      : client_metrics_(std::move(client_metrics)) {}
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Create(const ChannelOptions& options) const;

 private:
  std::shared_ptr<GrpcMetrics> client_metrics_;
};

// Gives a call its deadline; every outgoing call sets one explicitly, so a
// caller's own deadline can be shorter than the service config's default.
void SetDeadline(grpc::ClientContext& context, std::chrono::milliseconds timeout);

}  // namespace salesops::common
