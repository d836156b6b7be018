#include "services/common/channel_factory.h"

#include <absl/strings/str_format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "services/common/interceptors.h"

namespace salesops::common {

std::string ServiceConfigJson(const ChannelOptions& options) {
  std::string names;
  for (const std::string& service : options.services) {
    if (!names.empty()) names += ",";
    names += absl::StrFormat(R"({"service":"%s"})", service);
  }
  double timeout_seconds = std::chrono::duration<double>(options.call_timeout).count();
  // gRPC wants at least 2 attempts in a retry policy; one attempt means the
  // caller retries by itself (the outbox relay, notification's deliveries).
  std::string retry_policy =
      options.max_attempts < 2
          ? ""
          : absl::StrFormat(R"(,"retryPolicy":{"maxAttempts":%d,"initialBackoff":"0.1s",)"
                            R"("maxBackoff":"2s","backoffMultiplier":2,)"
                            R"("retryableStatusCodes":["UNAVAILABLE"]})",
                            options.max_attempts);
  return absl::StrFormat(R"({"methodConfig":[{"name":[%s],"timeout":"%.3fs"%s}]})", names,
                         timeout_seconds, retry_policy);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFactory::Create(
    const ChannelOptions& options) const {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // A peer that restarts (a deploy, a crash) is reachable again within
  // seconds; gRPC's default reconnect backoff (up to 2 minutes) would keep
  // refusing calls long after it is back.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  if (!options.services.empty()) arguments.SetServiceConfigJSON(ServiceConfigJson(options));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<BearerTokenInterceptorFactory>(options.bearer_token));
  if (client_metrics_) {
    interceptors.push_back(std::make_unique<ClientMetricsInterceptorFactory>(client_metrics_));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      options.target, *credentials, arguments, std::move(interceptors));
}

void SetDeadline(grpc::ClientContext& context, std::chrono::milliseconds timeout) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace salesops::common
