#pragma once

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "services/common/auth.h"
#include "services/common/log.h"
#include "services/common/metrics.h"

namespace salesops::common {

// Metadata key carrying a caller-chosen request id across services.
inline constexpr char kRequestIdHeader[] = "x-request-id";

// The id as echoed in x-request-id and logged: itself when IsSafeRequestId, else "sha256-" and
// the first 32 hex digits of its hash, so the caller can still match it. gRPC aborts the
// process on a header value it cannot send, so this stands between every caller and a crash.
std::string EchoableRequestId(std::string_view request_id);

// The identity each call in flight was given, keyed by its server context: resolved once,
// when its metadata arrives, and read by the handler (ServiceRuntime::CallerOf). Thread-safe.
class CallIdentities {
 public:
  void Set(const grpc::ServerContextBase* call, v1::Actor actor);
  // The caller's actor; an empty Actor when the call has none (public methods).
  v1::Actor Get(const grpc::ServerContextBase* call) const;
  void Erase(const grpc::ServerContextBase* call);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const grpc::ServerContextBase*, v1::Actor> actors_;
};

// Server: counts and times every call into grpc_server_* metrics. A request whose bytes do not
// parse as its message answers INVALID_ARGUMENT (gRPC alone would say INTERNAL): it is the
// caller's malformed input, and must not look like a server fault to the error-rate alerts.
class ServerMetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerMetricsInterceptorFactory(std::shared_ptr<GrpcMetrics> metrics)
      : metrics_(std::move(metrics)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<GrpcMetrics> metrics_;
};

// Server: resolves each call's caller once (CallIdentities), and writes one structured log line
// per call with method, code, duration, request id (x-request-id header, else the request's
// request_id field, else generated; see EchoableRequestId) and the calling actor; the id is
// echoed back as x-request-id. Failed calls log at warn, through `warnings` so that a flood of
// bad calls cannot flood the log.
class AccessLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AccessLogInterceptorFactory(std::shared_ptr<const Authenticator> authenticator,
                              std::shared_ptr<CallIdentities> identities,
                              std::shared_ptr<const GrpcMetrics> metrics,
                              std::shared_ptr<LogRateLimiter> warnings)
      : authenticator_(std::move(authenticator)),
        identities_(std::move(identities)),
        metrics_(std::move(metrics)),
        warnings_(std::move(warnings)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<const Authenticator> authenticator_;
  std::shared_ptr<CallIdentities> identities_;
  std::shared_ptr<const GrpcMetrics> metrics_;
  std::shared_ptr<LogRateLimiter> warnings_;
};

// Client: counts and times every outgoing call into grpc_client_* metrics.
class ClientMetricsInterceptorFactory
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ClientMetricsInterceptorFactory(std::shared_ptr<GrpcMetrics> metrics)
      : metrics_(std::move(metrics)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override;

 private:
  std::shared_ptr<GrpcMetrics> metrics_;
};

// Client: attaches this service's bearer token to every outgoing call. (Call
// credentials would do this only on TLS channels; this works on both.)
class BearerTokenInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(std::string token) : token_(std::move(token)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override;

 private:
  std::string token_;
};

}  // namespace salesops::common
