#include "services/common/interceptors.h"

#include <absl/strings/str_format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <random>

#include "services/common/log.h"

namespace salesops::common {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;
using Clock = std::chrono::steady_clock;

template <typename Type>
std::string TypeLabel(Type type) {
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    case Type::BIDI_STREAMING:
      return "bidi_stream";
    default:
      return "unknown";
  }
}

// Our own services are protobuf code-generated, so their received messages are
// protobuf Messages; built-in services (health) use raw byte buffers.
bool IsSalesopsMethod(std::string_view full_method) {
  return full_method.rfind("/salesops.", 0) == 0;
}

class ServerMetricsInterceptor : public Interceptor {
 public:
  ServerMetricsInterceptor(grpc::experimental::ServerRpcInfo* info, GrpcMetrics& metrics)
      : metrics_(metrics), type_(TypeLabel(info->type())) {
    std::tie(service_, method_) = SplitFullMethod(info->method());
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      started_ = Clock::now();
      metrics_.Started(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      metrics_.MessageReceived(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.MessageSent(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Handled(service_, method_, type_, methods->GetSendStatus().error_code(),
                       Clock::now() - started_);
    }
    methods->Proceed();
  }

 private:
  GrpcMetrics& metrics_;
  std::string service_, method_, type_;
  Clock::time_point started_ = Clock::now();
};

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return absl::StrFormat("%016x", random());
}

class AccessLogInterceptor : public Interceptor {
 public:
  AccessLogInterceptor(grpc::experimental::ServerRpcInfo* info, const Authenticator& authenticator)
      : method_(info->method()), authenticator_(authenticator) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto& metadata = *methods->GetRecvInitialMetadata();
      if (auto caller = authenticator_.Identify(metadata)) actor_ = caller->id();
      for (const auto& [key, value] : metadata) {
        if (key == kRequestIdHeader)
          request_id_.assign(value.data(), std::min<size_t>(value.size(), 100));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        request_id_.empty() && IsSalesopsMethod(method_)) {
      auto* message = static_cast<google::protobuf::Message*>(methods->GetRecvMessage());
      if (message != nullptr) {
        const auto* field = message->GetDescriptor()->FindFieldByName("request_id");
        if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
          request_id_ = message->GetReflection()->GetString(*message, field);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      EnsureRequestId();
      methods->GetSendInitialMetadata()->emplace(kRequestIdHeader, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      EnsureRequestId();
      grpc::Status status = methods->GetSendStatus();
      double millis = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
      LogEvent(status.ok() ? spdlog::level::info : spdlog::level::warn, "rpc",
               {{"method", method_},
                {"code", GrpcCodeLabel(status.error_code())},
                {"duration_ms", absl::StrFormat("%.2f", millis)},
                {"request_id", request_id_},
                {"actor", actor_},
                {"message", status.ok() ? "" : status.error_message()}});
    }
    methods->Proceed();
  }

 private:
  void EnsureRequestId() {
    if (request_id_.empty()) request_id_ = NewRequestId();
  }

  std::string method_;
  const Authenticator& authenticator_;
  std::string actor_;
  std::string request_id_;
  Clock::time_point started_ = Clock::now();
};

class ClientMetricsInterceptor : public Interceptor {
 public:
  ClientMetricsInterceptor(grpc::experimental::ClientRpcInfo* info, GrpcMetrics& metrics)
      : metrics_(metrics), type_(TypeLabel(info->type())) {
    std::tie(service_, method_) = SplitFullMethod(info->method());
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      started_ = Clock::now();
      metrics_.Started(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.MessageSent(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      metrics_.MessageReceived(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      metrics_.Handled(service_, method_, type_, methods->GetRecvStatus()->error_code(),
                       Clock::now() - started_);
    }
    methods->Proceed();
  }

 private:
  GrpcMetrics& metrics_;
  std::string service_, method_, type_;
  Clock::time_point started_ = Clock::now();
};

class BearerTokenInterceptor : public Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string& token) : token_(token) {}
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", "Bearer " + token_);
    }
    methods->Proceed();
  }

 private:
  const std::string& token_;
};

}  // namespace

Interceptor* ServerMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new ServerMetricsInterceptor(info, *metrics_);
}

Interceptor* AccessLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new AccessLogInterceptor(info, *authenticator_);
}

Interceptor* ClientMetricsInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  return new ClientMetricsInterceptor(info, *metrics_);
}

Interceptor* BearerTokenInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  if (token_.empty()) return nullptr;
  return new BearerTokenInterceptor(token_);
}

}  // namespace salesops::common
