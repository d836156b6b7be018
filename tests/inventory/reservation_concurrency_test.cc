// No overbooking under concurrency and replicas: two inventory processes on one
// database, 16 clients reserving overlapping windows of the same scarce items.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

constexpr int kClients = 16;
constexpr int kAttemptsPerClient = 64;  // 1,024 attempts in all
const std::vector<std::pair<std::string, int>> kScarceItems = {
    {"LED-PANEL-500", 6}, {"SPK-12", 4}, {"CONSOLE-48", 2}};

TEST(ReservationConcurrencyTest, TwoReplicasAndSixteenClientsNeverOverbook) {
  auto database = std::make_shared<TestDatabase>();
  InventoryFixture first(database);
  InventoryFixture second(database);
  ASSERT_TRUE(first.started()) << first.log();
  ASSERT_TRUE(second.started()) << second.log();
  for (const auto& [code, owned] : kScarceItems) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description(code);
    request.mutable_item()->set_quantity_owned(owned);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(first.Call(&Stub::UpsertItem, request, &response).ok());
  }

  std::atomic<int> reserved{0}, refused_for_stock{0}, other_errors{0};
  std::mutex errors_mutex;
  std::vector<std::string> error_samples;
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      std::mt19937 random(1000 + client);
      InventoryFixture& replica = client % 2 == 0 ? first : second;
      for (int attempt = 0; attempt < kAttemptsPerClient; ++attempt) {
        v1::ReserveRequest request;
        request.set_order_id("ORDER-" + std::to_string(client) + "-" + std::to_string(attempt));
        request.set_order_revision(1);
        // One or two codes, 1-3 units each, over 1-3 days somewhere in the first 30 days:
        // contended enough that many attempts are refused, loose enough that many succeed.
        size_t first_code = random() % kScarceItems.size();
        *request.add_lines() = Line(kScarceItems[first_code].first, 1 + random() % 3);
        if (random() % 2 == 0) {
          *request.add_lines() =
              Line(kScarceItems[(first_code + 1) % kScarceItems.size()].first, 1 + random() % 3);
        }
        double start = (random() % 120) / 4.0;
        *request.mutable_window() = Days(start, start + 1 + random() % 3);
        v1::ReserveResponse response;
        grpc::Status status =
            replica.Call(&Stub::Reserve, request, &response, replica.tokens().service);
        if (status.ok()) {
          ++reserved;
        } else if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
                   common::ParseGrpcError(status).reason == "INSUFFICIENT_STOCK") {
          ++refused_for_stock;
        } else {
          ++other_errors;
          std::lock_guard<std::mutex> lock(errors_mutex);
          if (error_samples.size() < 5) {
            error_samples.push_back(std::to_string(status.error_code()) + " " +
                                    status.error_message());
          }
        }
      }
    });
  }
  for (auto& client : clients) client.join();

  EXPECT_EQ(reserved + refused_for_stock + other_errors, kClients * kAttemptsPerClient);
  EXPECT_EQ(other_errors, 0) << ::testing::PrintToString(error_samples);
  EXPECT_GT(reserved, 0);
  EXPECT_GT(refused_for_stock, 0);  // the items really were contended

  // Independently of the service's arithmetic: sweep every item's active firm
  // reservations in SQL and compare the busiest instant with what is owned.
  pqxx::connection connection(database->connection_string());
  pqxx::nontransaction statement(connection);
  pqxx::result peaks = statement.exec(
      "WITH edges AS ("
      "  SELECT inventory_code, lower(during) AS at, quantity AS delta FROM reservation_lines"
      "  WHERE active AND kind = 2"
      "  UNION ALL"
      "  SELECT inventory_code, upper(during), -quantity FROM reservation_lines"
      "  WHERE active AND kind = 2),"
      " levels AS ("
      "  SELECT inventory_code, sum(delta) OVER (PARTITION BY inventory_code ORDER BY at, delta"
      "    ROWS UNBOUNDED PRECEDING) AS in_use FROM edges)"
      "SELECT i.inventory_code, i.quantity_owned, coalesce(max(l.in_use), 0) "
      "FROM items i LEFT JOIN levels l USING (inventory_code) "
      "GROUP BY i.inventory_code, i.quantity_owned");
  ASSERT_EQ(peaks.size(), kScarceItems.size());
  for (const auto& row : peaks) {
    SCOPED_TRACE(row[0].as<std::string>());
    EXPECT_LE(row[2].as<int>(), row[1].as<int>());
    EXPECT_GT(row[2].as<int>(), 0);
  }
  EXPECT_EQ(statement.exec1("SELECT count(*) FROM reservations WHERE kind = 2")[0].as<int>(),
            reserved.load());
  std::cout << "reserved " << reserved << ", refused for stock " << refused_for_stock
            << ", other errors " << other_errors << "\n";
}

}  // namespace
}  // namespace salesops::testing
