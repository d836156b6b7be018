#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "tests/notification/notification_test_support.h"

namespace salesops::testing {

// Flags that turn order-intake's online acceptance on: its HTTP endpoint on a free port, and a
// signing key (a test key, written to a temporary file).
inline std::vector<std::string> AcceptanceArgs() {
  const int port = FreeTcpPort();
  const std::string key_file =
      (std::filesystem::temp_directory_path() /
       ("salesops-acceptance-" + std::to_string(getpid()) + "-" + std::to_string(port) + ".key"))
          .string();
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef-test-key-not-a-secret\n";
  return {"--acceptance-address", "127.0.0.1:" + std::to_string(port), "--acceptance-key-file",
          key_file};
}

// The four services wired to each other as scripts/run wires them.
class Suite {
 public:
  // `dependency_timeout_ms`: how long order-intake waits for inventory and scheduling.
  // `order_args`: further flags for order-intake (flag/value pairs).
  explicit Suite(int dependency_timeout_ms = 3000, std::vector<std::string> order_args = {})
      : notification_port_(FreeTcpPort()),
        order_intake_port_(FreeTcpPort()),
        scheduling_port_(FreeTcpPort()) {
    const std::string notification_address = Local(notification_port_);
    auto relay = [&](const std::string& service) {
      return std::vector<std::string>{
          "--notification-address",    notification_address,
          "--service-token-file",      TestTokens().ServiceTokenFile(service),
          "--outbox-poll-interval-ms", "20"};
    };
    notification = std::make_unique<NotificationFixture>(
        "notification", std::make_shared<TestDatabase>(),
        std::vector<std::string>{"--listen-address", notification_address, "--order-intake-address",
                                 Local(order_intake_port_), "--service-token-file",
                                 TestTokens().ServiceTokenFile("notification"),
                                 "--delivery-retry-base-ms", "100"});
    inventory = std::make_unique<ServiceFixture<v1::InventoryService>>(
        "inventory", std::make_shared<TestDatabase>(), relay("inventory"));
    StartScheduling();
    order_args_ = relay("order-intake");
    for (const std::string& arg :
         {std::string("--listen-address"), Local(order_intake_port_),
          std::string("--inventory-address"), inventory->address(),
          std::string("--scheduling-address"), Local(scheduling_port_),
          std::string("--dependency-timeout-ms"), std::to_string(dependency_timeout_ms),
          std::string("--saga-recovery-interval-seconds"), std::string("1")}) {
      order_args_.push_back(arg);
    }
    for (std::string& arg : order_args) order_args_.push_back(std::move(arg));
    StartOrders();
  }

  // (Re)starts order-intake on its address and database. `failpoints`: its
  // SALESOPS_FAILPOINTS (services/common/failpoint.h), e.g. "after_reserve=exit".
  void StartOrders(const std::string& failpoints = "") {
    orders.reset();
    if (!orders_database_) orders_database_ = std::make_shared<TestDatabase>();
    if (!failpoints.empty()) setenv("SALESOPS_FAILPOINTS", failpoints.c_str(), 1);
    orders = std::make_unique<ServiceFixture<v1::OrderIntakeService>>(
        "order-intake", orders_database_, order_args_);
    unsetenv("SALESOPS_FAILPOINTS");
  }

  // (Re)starts scheduling on its address and database, with `failpoints` as in StartOrders.
  void StartScheduling(const std::string& failpoints = "") {
    scheduling.reset();
    if (!scheduling_database_) scheduling_database_ = std::make_shared<TestDatabase>();
    if (!failpoints.empty()) setenv("SALESOPS_FAILPOINTS", failpoints.c_str(), 1);
    scheduling = std::make_unique<ServiceFixture<v1::SchedulingService>>(
        "scheduling", scheduling_database_,
        std::vector<std::string>{"--listen-address", Local(scheduling_port_),
                                 "--notification-address", Local(notification_port_),
                                 "--service-token-file",
                                 TestTokens().ServiceTokenFile("scheduling")});
    unsetenv("SALESOPS_FAILPOINTS");
  }

  bool started() const {
    return notification->started() && inventory->started() && scheduling->started() &&
           orders->started();
  }
  std::string logs() const {
    return notification->log() + inventory->log() + scheduling->log() + orders->log();
  }

  static std::string Local(int port) { return "127.0.0.1:" + std::to_string(port); }

  int notification_port_, order_intake_port_, scheduling_port_;
  std::shared_ptr<TestDatabase> scheduling_database_;
  std::shared_ptr<TestDatabase> orders_database_;
  std::vector<std::string> order_args_;
  std::unique_ptr<NotificationFixture> notification;
  std::unique_ptr<ServiceFixture<v1::InventoryService>> inventory;
  std::unique_ptr<ServiceFixture<v1::SchedulingService>> scheduling;
  std::unique_ptr<ServiceFixture<v1::OrderIntakeService>> orders;
};

}  // namespace salesops::testing
