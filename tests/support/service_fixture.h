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
  ServiceFixture(const std::string& binary_name, std::shared_ptr<TestDatabase> database)
      : database_(std::move(database)),
        process_(ServiceBinary(binary_name),
                 ServiceArgs(database_->url(), database_->server().password_file, tokens_)) {
    started_ = process_.WaitUntilStarted() &&
               WaitForHealth(process_.address(), "SERVING", std::chrono::seconds(20));
    stub_ = Service::NewStub(
        grpc::CreateChannel(process_.address(), grpc::InsecureChannelCredentials()));
  }

  bool started() const { return started_; }
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
  std::shared_ptr<TestDatabase> database_;
  TestTokens tokens_;
  ServiceProcess process_;
  bool started_ = false;
  std::unique_ptr<typename Service::Stub> stub_;
};

}  // namespace salesops::testing
