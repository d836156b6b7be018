#pragma once

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "services/common/auth.h"
#include "services/common/metrics.h"

namespace salesops::common {

// Metadata key carrying a caller-chosen request id across services.
inline constexpr char kRequestIdHeader[] = "x-request-id";

// Server: counts and times every call into grpc_server_* metrics.
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

// Server: one structured log line per call with method, code, duration,
// request id (x-request-id header, else the request's request_id field, else
// generated) and the calling actor; the id is echoed back as x-request-id.
class AccessLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AccessLogInterceptorFactory(std::shared_ptr<const Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<const Authenticator> authenticator_;
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
