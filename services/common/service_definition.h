#pragma once

// What a service brings to the shared bootstrap, and the bootstrap's entry point. A service's
// main.cc and its role table include this and the service's own `*_definition.h`, never the
// generated gRPC headers, the gRPC server or PostgreSQL.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "services/common/migration.h"
#include "services/common/role_policy.h"

namespace CLI {
class App;
}  // namespace CLI
namespace grpc {
class Service;
}  // namespace grpc

namespace salesops::common {

class ServiceRuntime;

// Builds the gRPC services a binary hosts, once the runtime (database, metrics) is up.
using ServiceFactory =
    std::function<std::vector<std::unique_ptr<grpc::Service>>(ServiceRuntime& runtime)>;

struct ServiceDefinition {
  std::string name;  // "inventory": log and metric label, DB application_name
  std::vector<Migration> migrations;
  RolePolicy roles;
  // The binary's services, built once the runtime (database, metrics) is up.
  ServiceFactory make_services = {};
  // The service's own flags, besides every service's (ServerConfig); none when empty.
  std::function<void(CLI::App&)> add_options = {};
};

// A definition whose services take `Options` that the service's own flags fill: `add_options`
// binds the flags at parse time, `make_services` reads them once the runtime is up.
template <typename Options>
ServiceDefinition DefinitionWithOptions(
    ServiceDefinition definition, void (*add_options)(CLI::App&, Options&),
    std::vector<std::unique_ptr<grpc::Service>> (*make_services)(ServiceRuntime&, Options)) {
  auto options = std::make_shared<Options>();
  definition.add_options = [options, add_options](CLI::App& app) { add_options(app, *options); };
  definition.make_services = [options, make_services](ServiceRuntime& runtime) {
    return make_services(runtime, *options);
  };
  return definition;
}

// The whole life of a service binary: parse flags and environment (every service's and the
// definition's own), start, wait for SIGTERM/SIGINT, drain. Returns the exit code.
int RunServiceMain(ServiceDefinition definition, int argc, char** argv);

}  // namespace salesops::common
