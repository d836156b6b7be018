#pragma once

#include <google/protobuf/util/time_util.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/errors.h"
#include "tests/support/test_support.h"

namespace salesops::testing {

// A real inventory process on its own fresh database, and a client for it.
class InventoryFixture {
 public:
  InventoryFixture() : InventoryFixture(std::make_shared<TestDatabase>()) {}
  explicit InventoryFixture(std::shared_ptr<TestDatabase> database)
      : database_(std::move(database)),
        process_(ServiceBinary("inventory"),
                 ServiceArgs(database_->url(), database_->server().password_file, tokens_)) {
    started_ = process_.WaitUntilStarted() &&
               WaitForHealth(process_.address(), "SERVING", std::chrono::seconds(20));
    stub_ = v1::InventoryService::NewStub(
        grpc::CreateChannel(process_.address(), grpc::InsecureChannelCredentials()));
  }

  bool started() const { return started_; }
  std::string log() const { return process_.log(); }
  int metrics_port() const { return process_.metrics_port(); }
  const TestDatabase& database() const { return *database_; }
  const TestTokens& tokens() const { return tokens_; }

  // Calls `method` with `token` (admin by default) and a 10 s deadline.
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::InventoryService::Stub::*method)(grpc::ClientContext*,
                                                                       const Request&, Response*),
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
  std::unique_ptr<v1::InventoryService::Stub> stub_;
};

// 2030-01-01 plus `days` (fractions allowed), as a Timestamp.
inline google::protobuf::Timestamp Day(double days) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(1893456000 +
                                                              static_cast<int64_t>(days * 86400));
}

inline v1::Window Days(double from, double to) {
  v1::Window window;
  *window.mutable_not_before() = Day(from);
  *window.mutable_no_later_than() = Day(to);
  return window;
}

inline v1::InventoryLine Line(const std::string& code, int quantity) {
  v1::InventoryLine line;
  line.set_inventory_code(code);
  line.set_quantity(quantity);
  return line;
}

}  // namespace salesops::testing
