#pragma once

#include <google/protobuf/util/time_util.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/errors.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_support.h"

namespace salesops::testing {

// A real inventory process on its own fresh database, and a client for it.
class InventoryFixture : public ServiceFixture<v1::InventoryService> {
 public:
  InventoryFixture() : InventoryFixture(std::make_shared<TestDatabase>()) {}
  explicit InventoryFixture(std::shared_ptr<TestDatabase> database)
      : ServiceFixture("inventory", std::move(database)) {}
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

// An item of `owned` units kept at `warehouse`, described for sales.
inline v1::UpsertItemRequest ItemRequest(const std::string& code, int owned,
                                         v1::TrackingMode tracking,
                                         const std::string& warehouse = "MAIN") {
  v1::UpsertItemRequest request;
  request.mutable_item()->set_inventory_code(code);
  request.mutable_item()->set_description("Sales-facing " + code);
  request.mutable_item()->set_quantity_owned(owned);
  request.mutable_item()->set_tracking(tracking);
  request.mutable_item()->set_warehouse_id(warehouse);
  return request;
}

}  // namespace salesops::testing
