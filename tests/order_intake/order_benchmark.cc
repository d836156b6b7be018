// Load tool (not a test): create + confirm of a 10-line order, end to end
// through all four services as real processes, from 16 concurrent clients.
// Prints throughput and p50/p99 latency; scripts/bench runs pgbench on the
// same PostgreSQL right after, for comparison.
//
//   build/tests/order_intake/order_benchmark [seconds] [clients]
//
// Needs the SALESOPS_TEST_PG_* environment (scripts/bench sets it).
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "tests/order_intake/order_suite.h"

using namespace salesops;
using namespace salesops::testing;
using google::protobuf::util::TimeUtil;

namespace {

constexpr int kLines = 10;
constexpr int kDays = 365;

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 20;
  const int clients = argc > 2 ? std::atoi(argv[2]) : 16;
  // Waits are part of what is measured: order-intake may wait long on scheduling.
  Suite suite(/*dependency_timeout_ms=*/60000);
  if (!suite.started()) {
    std::fprintf(stderr, "services did not start\n");
    return 1;
  }
  // A catalog of 10 products (one stock item each, a day rate, an hour of
  // prep), stock that never runs out, and enough crew and trucks that only
  // the software is measured.
  for (int i = 0; i < kLines; ++i) {
    const std::string item = "ITEM-" + std::to_string(i);
    v1::UpsertItemRequest put;
    put.mutable_item()->set_inventory_code(item);
    put.mutable_item()->set_description(item);
    put.mutable_item()->set_category("audio");
    put.mutable_item()->set_quantity_owned(1'000'000);
    v1::UpsertItemResponse put_response;
    if (!suite.inventory->Call(&v1::InventoryService::Stub::UpsertItem, put, &put_response).ok()) {
      return 1;
    }
    v1::UpsertProductRequest product;
    product.mutable_product()->set_product_code("PROD-" + std::to_string(i));
    product.mutable_product()->set_name("Product " + std::to_string(i));
    product.mutable_product()->mutable_day_rate()->set_currency_code("EUR");
    product.mutable_product()->mutable_day_rate()->set_units(100 + i);
    v1::InventoryLine* component = product.mutable_product()->add_components();
    component->set_inventory_code(item);
    component->set_quantity(2);
    product.mutable_product()->mutable_prep_time()->set_seconds(60);
    v1::UpsertProductResponse product_response;
    if (!suite.inventory
             ->Call(&v1::InventoryService::Stub::UpsertProduct, product, &product_response)
             .ok()) {
      return 1;
    }
  }
  for (int i = 0; i < 60; ++i) {
    v1::CreateCrewMemberRequest crew;
    crew.mutable_crew_member()->set_crew_member_id("crew-" + std::to_string(i));
    crew.mutable_crew_member()->set_display_name("Crew " + std::to_string(i));
    crew.mutable_crew_member()->add_skills(i % 2 == 0 ? v1::SKILL_WAREHOUSE : v1::SKILL_DRIVER);
    crew.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse created;
    suite.scheduling->Call(&v1::SchedulingService::Stub::CreateCrewMember, crew, &created);
  }
  for (int i = 0; i < 30; ++i) {
    v1::CreateVehicleRequest truck;
    truck.mutable_vehicle()->set_vehicle_id("TRUCK-" + std::to_string(i));
    truck.mutable_vehicle()->set_display_name("Truck " + std::to_string(i));
    truck.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
    truck.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse created;
    suite.scheduling->Call(&v1::SchedulingService::Stub::CreateVehicle, truck, &created);
  }

  const int64_t day0 = (TimeUtil::GetCurrentTime().seconds() / 86400 + 7) * 86400;
  std::atomic<int> next{0}, confirmed{0}, refused{0}, failed{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::printf("create + confirm of a %d-line order, %d clients, %d s...\n", kLines, clients,
              seconds);
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      while (std::chrono::steady_clock::now() < deadline) {
        const int n = next++;
        const int64_t day = day0 + (n % kDays) * 86400;
        v1::CreateOrderRequest create;
        v1::Order* order = create.mutable_order();
        order->mutable_customer()->set_name("Customer " + std::to_string(n));
        order->mutable_venue()->set_name("Venue");
        order->mutable_venue()->mutable_travel_time()->set_seconds(1800);
        *order->mutable_event_schedule()->mutable_show_start_time() =
            TimeUtil::SecondsToTimestamp(day + 19 * 3600);
        *order->mutable_event_schedule()->mutable_show_end_time() =
            TimeUtil::SecondsToTimestamp(day + 23 * 3600);
        *order->mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
            TimeUtil::SecondsToTimestamp(day + 12 * 3600);
        for (int i = 0; i < kLines; ++i) {
          v1::ProductLine* line = order->add_product_lines();
          line->set_product_code("PROD-" + std::to_string(i));
          line->set_quantity(1 + n % 3);
        }
        order->mutable_pipeline()->set_win_probability(0.8);
        create.set_request_id("bench-" + std::to_string(n));
        const auto begin = std::chrono::steady_clock::now();
        v1::CreateOrderResponse created;
        grpc::Status status = suite.orders->Call(&v1::OrderIntakeService::Stub::CreateOrder, create,
                                                 &created, suite.orders->tokens().sales);
        if (!status.ok()) {
          ++failed;
          continue;
        }
        v1::ConfirmOrderRequest confirm;
        confirm.set_order_id(created.order().order_id());
        confirm.set_etag(created.order().etag());
        confirm.set_accept_later_commitment(true);
        v1::ConfirmOrderResponse done;
        status = suite.orders->Call(&v1::OrderIntakeService::Stub::ConfirmOrder, confirm, &done,
                                    suite.orders->tokens().sales);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count();
        if (status.ok()) {
          ++confirmed;
          std::lock_guard<std::mutex> lock(mutex);
          latencies_ms.push_back(ms);
        } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          ++refused;
        } else {
          ++failed;
          if (failed < 4)
            std::fprintf(stderr, "confirm failed: %s\n", status.error_message().c_str());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<size_t>(p * latencies_ms.size()))];
  };
  std::printf("confirmed %d orders in %.1f s: %.1f orders/s (refused %d, failed %d)\n",
              confirmed.load(), elapsed, confirmed / elapsed, refused.load(), failed.load());
  std::printf("create + confirm latency: p50 %.1f ms, p99 %.1f ms\n", percentile(0.5),
              percentile(0.99));
  return failed == 0 ? 0 : 1;
}
