#pragma once

#include <grpcpp/create_channel.h>

#include <memory>
#include <string>

#include "tests/support/test_support.h"

namespace salesops::testing {

// A real service process on its own database (fresh unless one is shared, as
// replicas do), and a typed client for it.
template <typename Service>
class ServiceFixture {
 public:
  // `extra_args` are flag/value pairs that override or add to ServiceArgs.
  ServiceFixture(const std::string& binary_name, std::shared_ptr<TestDatabase> database,
                 const std::vector<std::string>& extra_args = {})
      : database_(std::move(database)), process_(ServiceBinary(binary_name), Args(extra_args)) {
    started_ = process_.WaitUntilStarted() &&
               WaitForHealth(process_.address(), "SERVING", std::chrono::seconds(20));
    stub_ = Service::NewStub(
        grpc::CreateChannel(process_.address(), grpc::InsecureChannelCredentials()));
  }

  bool started() const { return started_; }
  std::string address() const { return process_.address(); }
  ServiceProcess& process() { return process_; }
  typename Service::Stub& stub() { return *stub_; }
  std::string log() const { return process_.log(); }
  int metrics_port() const { return process_.metrics_port(); }
  const TestDatabase& database() const { return *database_; }
  const TestTokens& tokens() const { return tokens_; }

  // Calls `method` with `token` (admin by default) and a 10 s deadline.
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                          Response*),
                    const Request& request, Response* response, const std::string& token = "") {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + (token.empty() ? tokens_.admin : token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*stub_).*method)(&context, request, response);
  }

 private:
  std::vector<std::string> Args(const std::vector<std::string>& extra_args) const {
    std::vector<std::string> args =
        ServiceArgs(database_->url(), database_->server().password_file, tokens_);
    for (size_t i = 0; i + 1 < extra_args.size(); i += 2) {
      args = WithArg(std::move(args), extra_args[i], extra_args[i + 1]);
    }
    return args;
  }

  std::shared_ptr<TestDatabase> database_;
  TestTokens tokens_;
  ServiceProcess process_;
  bool started_ = false;
  std::unique_ptr<typename Service::Stub> stub_;
};

}  // namespace salesops::testing
