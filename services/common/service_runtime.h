#pragma once

// What a service's handlers get from the bootstrap. Only the interface: no gRPC server, no
// PostgreSQL and no Prometheus headers, so code that takes a runtime stays cheap to compile.
#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace grpc {
class Channel;
class ServerContext;
}  // namespace grpc
namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace salesops::v1 {
class Actor;
}  // namespace salesops::v1

namespace salesops::common {

struct ServerConfig;
class ConnectionPool;
class ChannelFactory;

// What handlers get from the bootstrap: the database, metrics, channels.
class ServiceRuntime {
 public:
  virtual ~ServiceRuntime() = default;
  virtual const ServerConfig& config() const = 0;
  virtual ConnectionPool& database() = 0;
  virtual prometheus::Registry& metrics() = 0;
  // Metrics computed at scrape time; kept alive by the caller.
  virtual void AddCollectable(const std::shared_ptr<prometheus::Collectable>& collectable) = 0;
  virtual const ChannelFactory& channels() const = 0;
  // A channel to another salesops service at `target` (host:port), carrying
  // this service's own token, with TLS as this server is configured.
  virtual absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(
      const std::string& target, std::vector<std::string> services,
      std::chrono::milliseconds call_timeout = std::chrono::milliseconds(5000),
      int max_attempts = 4) const = 0;
  // A channel to a target someone else chose (an ADMIN's EventSink): TLS as configured, but
  // without this service's token, so the target cannot turn around and call us as us.
  virtual absl::StatusOr<std::shared_ptr<grpc::Channel>> AnonymousChannelTo(
      const std::string& target, std::vector<std::string> services,
      std::chrono::milliseconds call_timeout) const = 0;
  // Who is calling: the identity the token check decided for this call (never blank for a
  // method that needs a token).
  virtual v1::Actor CallerOf(const grpc::ServerContext& context) const = 0;
  // Runs `hook` when shutdown begins, before in-flight calls are drained
  // (e.g. to end long-lived streams and stop background workers).
  virtual void OnShutdown(std::function<void()> hook) = 0;
  // Runs `hook` once the database schema is current (at once if it already
  // is): background work that reads the service's tables starts here.
  virtual void OnMigrated(std::function<void()> hook) = 0;
};

}  // namespace salesops::common
