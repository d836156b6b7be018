#include "services/common/interceptors.h"

#include <absl/strings/str_format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <random>

#include "services/common/log.h"
#include "services/common/sha256.h"
#include "services/common/validation.h"

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
      : metrics_(metrics),
        type_(TypeLabel(info->type())),
        expects_one_request_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY ||
                             info->type() ==
                                 grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING) {
    std::tie(service_, method_) = metrics.LabelsOf(info->method());
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      started_ = Clock::now();
      metrics_.Started(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // gRPC hands interceptors no message when the bytes did not parse as the request type.
      if (methods->GetRecvMessage() != nullptr) {
        metrics_.MessageReceived(service_, method_, type_);
      } else if (expects_one_request_) {
        unparsable_ = true;
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.MessageSent(service_, method_, type_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::StatusCode code = methods->GetSendStatus().error_code();
      if (unparsable_ && code == grpc::StatusCode::INTERNAL) {
        methods->ModifySendStatus(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         "the request's bytes do not parse as " + RequestTypeName()));
        code = grpc::StatusCode::INVALID_ARGUMENT;
      }
      metrics_.Handled(service_, method_, type_, code, Clock::now() - started_);
    }
    methods->Proceed();
  }

 private:
  std::string RequestTypeName() const {
    const auto* method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
        service_ + "." + method_);
    return method != nullptr ? method->input_type()->full_name() : "the request message";
  }

  GrpcMetrics& metrics_;
  std::string service_, method_, type_;
  bool expects_one_request_;
  bool unparsable_ = false;
  Clock::time_point started_ = Clock::now();
};

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return absl::StrFormat("%016x", random());
}

class AccessLogInterceptor : public Interceptor {
 public:
  AccessLogInterceptor(grpc::experimental::ServerRpcInfo* info, const Authenticator& authenticator,
                       CallIdentities& identities, const GrpcMetrics& metrics,
                       LogRateLimiter& warnings)
      : call_(info->server_context()),
        known_method_(metrics.IsKnown(info->method())),
        method_(known_method_ ? info->method() : "unknown"),
        authenticator_(authenticator),
        identities_(identities),
        warnings_(warnings) {}

  ~AccessLogInterceptor() override { identities_.Erase(call_); }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto& metadata = *methods->GetRecvInitialMetadata();
      if (std::optional<v1::Actor> caller = authenticator_.Identify(metadata)) {
        actor_ = caller->id();
        identities_.Set(call_, *std::move(caller));
      }
      for (const auto& [key, value] : metadata) {
        if (key == kRequestIdHeader) request_id_ = EchoableRequestId({value.data(), value.size()});
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        request_id_.empty() && known_method_ && IsSalesopsMethod(method_)) {
      auto* message = static_cast<google::protobuf::Message*>(methods->GetRecvMessage());
      if (message != nullptr) {
        const auto* field = message->GetDescriptor()->FindFieldByName("request_id");
        if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
          const std::string& from_body = message->GetReflection()->GetString(*message, field);
          if (!from_body.empty()) request_id_ = EchoableRequestId(from_body);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      EnsureRequestId();
      // A failed unary call answers with trailers only, as gRPC does when no header was added:
      // response headers would commit the call, and clients would no longer retry an
      // UNAVAILABLE. The id then travels in the trailers.
      bool failing_now =
          methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
          !methods->GetSendStatus().ok();
      (failing_now ? methods->GetSendTrailingMetadata() : methods->GetSendInitialMetadata())
          ->emplace(kRequestIdHeader, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      EnsureRequestId();
      LogCall(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void EnsureRequestId() {
    if (request_id_.empty()) request_id_ = NewRequestId();
  }

  void LogCall(const grpc::Status& status) {
    uint64_t suppressed = 0;
    if (!status.ok() && !warnings_.Allow(&suppressed)) return;
    double millis = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    LogEvent(status.ok() ? spdlog::level::info : spdlog::level::warn, "rpc",
             {{"method", method_},
              {"code", GrpcCodeLabel(status.error_code())},
              {"duration_ms", absl::StrFormat("%.2f", millis)},
              {"request_id", request_id_},
              {"actor", actor_},
              {"message", status.ok() ? "" : status.error_message()},
              {"suppressed_warnings", suppressed > 0 ? std::to_string(suppressed) : ""}});
  }

  const grpc::ServerContextBase* call_;
  bool known_method_;
  std::string method_;
  const Authenticator& authenticator_;
  CallIdentities& identities_;
  LogRateLimiter& warnings_;
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
  return new AccessLogInterceptor(info, *authenticator_, *identities_, *metrics_, *warnings_);
}

std::string EchoableRequestId(std::string_view request_id) {
  if (IsSafeRequestId(request_id)) return std::string(request_id);
  return "sha256-" + Sha256Hex(request_id).substr(0, 32);
}

void CallIdentities::Set(const grpc::ServerContextBase* call, v1::Actor actor) {
  std::lock_guard<std::mutex> lock(mutex_);
  actors_[call] = std::move(actor);
}

v1::Actor CallIdentities::Get(const grpc::ServerContextBase* call) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = actors_.find(call);
  return found == actors_.end() ? v1::Actor() : found->second;
}

void CallIdentities::Erase(const grpc::ServerContextBase* call) {
  std::lock_guard<std::mutex> lock(mutex_);
  actors_.erase(call);
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
