// No overbooking with serialised units and transfers, under concurrency and replicas: two
// inventory processes on one database; clients reserving, moving stock between warehouses and
// cancelling moves at once, then scanning the same units out for competing orders. Checked
// independently in SQL afterwards.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using google::protobuf::util::TimeUtil;
using Stub = v1::InventoryService::Stub;

constexpr int kClients = 12;
constexpr int kAttemptsPerClient = 40;  // 480 attempts in all
constexpr int kScanners = 8;
constexpr int kScansPerScanner = 24;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
// Each code: owned in all, kept at SOUTH (the rest at its home, MAIN), serialised or not.
struct StormItem {
  std::string code;
  int owned;
  int at_south;
  bool serialised;
};
const std::vector<StormItem> kItems = {{"MIXER-X32", 6, 2, true}, {"SPK-12", 8, 3, false}};

class Storm {
 public:
  explicit Storm(std::shared_ptr<TestDatabase> database)
      : first_(database), second_(database), database_(std::move(database)) {}

  InventoryFixture& Replica(int client) { return client % 2 == 0 ? first_ : second_; }
  InventoryFixture& first() { return first_; }
  InventoryFixture& second() { return second_; }
  TestDatabase& database() { return *database_; }

 private:
  InventoryFixture first_;
  InventoryFixture second_;
  std::shared_ptr<TestDatabase> database_;
};

google::protobuf::Timestamp FromNow(int64_t seconds) {
  return TimeUtil::SecondsToTimestamp(TimeUtil::GetCurrentTime().seconds() + seconds);
}

TEST(WarehouseStormTest, ReservationsTransfersAndScansOnTwoReplicasNeverOverbook) {
  Storm storm(std::make_shared<TestDatabase>());
  ASSERT_TRUE(storm.first().started()) << storm.first().log();
  ASSERT_TRUE(storm.second().started()) << storm.second().log();
  InventoryFixture& admin = storm.first();
  std::vector<std::string> unit_barcodes;
  for (const StormItem& item : kItems) {
    const v1::UpsertItemRequest request =
        ItemRequest(item.code, item.owned,
                    item.serialised ? v1::TRACKING_MODE_SERIALIZED : v1::TRACKING_MODE_BULK);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(admin.Call(&Stub::UpsertItem, request, &response).ok());
    v1::SetWarehouseStockRequest split;
    split.set_inventory_code(item.code);
    split.set_warehouse_id("SOUTH");
    split.set_quantity(item.at_south);
    v1::SetWarehouseStockResponse kept;
    ASSERT_TRUE(admin.Call(&Stub::SetWarehouseStock, split, &kept).ok());
    for (int unit = 0; item.serialised && unit < item.owned; ++unit) {
      v1::RegisterAssetRequest asset;
      asset.mutable_asset()->set_inventory_code(item.code);
      asset.mutable_asset()->set_barcode(item.code + "-" + std::to_string(unit));
      asset.mutable_asset()->set_warehouse_id(unit < item.at_south ? "SOUTH" : "MAIN");
      v1::RegisterAssetResponse registered;
      ASSERT_TRUE(admin.Call(&Stub::RegisterAsset, asset, &registered).ok());
      unit_barcodes.push_back(asset.asset().barcode());
    }
  }

  // Reservations, transfers and cancellations at once, on both replicas.
  std::atomic<int> reserved{0}, moved{0}, cancelled{0}, refused{0}, other_errors{0};
  std::mutex shared;
  std::vector<std::string> transfer_ids, orders_with_units, error_samples;
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      std::mt19937 random(2000 + client);
      InventoryFixture& replica = storm.Replica(client);
      auto record = [&](const grpc::Status& status, std::atomic<int>& done) {
        const std::string reason = common::ParseGrpcError(status).reason;
        if (status.ok()) {
          ++done;
        } else if (reason == "INSUFFICIENT_STOCK" || reason == "INVALID_STAGE_TRANSITION") {
          ++refused;
        } else {
          ++other_errors;
          std::lock_guard<std::mutex> lock(shared);
          if (error_samples.size() < 5) error_samples.push_back(status.error_message());
        }
      };
      for (int attempt = 0; attempt < kAttemptsPerClient; ++attempt) {
        const int roll = random() % 10;
        const int64_t start = kDay + static_cast<int64_t>(random() % (20 * 24)) * kHour;
        const StormItem& item = kItems[random() % kItems.size()];
        if (roll < 6) {
          v1::ReserveRequest request;
          request.set_order_id("ORDER-" + std::to_string(client) + "-" + std::to_string(attempt));
          request.set_order_revision(1);
          *request.add_lines() = Line(item.code, 1 + random() % 2);
          *request.mutable_window()->mutable_not_before() = FromNow(start);
          *request.mutable_window()->mutable_no_later_than() =
              FromNow(start + kDay * (1 + random() % 3));
          v1::ReserveResponse response;
          grpc::Status status =
              replica.Call(&Stub::Reserve, request, &response, replica.tokens().service);
          record(status, reserved);
          if (status.ok() && item.serialised) {
            std::lock_guard<std::mutex> lock(shared);
            orders_with_units.push_back(request.order_id());
          }
        } else if (roll < 9) {
          v1::CreateTransferRequest request;
          const bool south_to_main = random() % 2 == 0;
          *request.mutable_transfer()->add_lines() = Line(item.code, 1 + random() % 2);
          request.mutable_transfer()->set_from_warehouse_id(south_to_main ? "SOUTH" : "MAIN");
          request.mutable_transfer()->set_to_warehouse_id(south_to_main ? "MAIN" : "SOUTH");
          *request.mutable_transfer()->mutable_depart_time() = FromNow(start);
          request.mutable_transfer()->mutable_transit()->set_seconds(kHour * (6 + random() % 24));
          v1::CreateTransferResponse response;
          grpc::Status status =
              replica.Call(&Stub::CreateTransfer, request, &response, replica.tokens().ops);
          record(status, moved);
          if (status.ok()) {
            std::lock_guard<std::mutex> lock(shared);
            transfer_ids.push_back(response.transfer().transfer_id());
          }
        } else {
          v1::CancelTransferRequest request;
          {
            std::lock_guard<std::mutex> lock(shared);
            if (transfer_ids.empty()) continue;
            request.set_transfer_id(transfer_ids[random() % transfer_ids.size()]);
          }
          request.set_reason("storm");
          v1::CancelTransferResponse response;
          record(replica.Call(&Stub::CancelTransfer, request, &response, replica.tokens().ops),
                 cancelled);
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(other_errors, 0) << ::testing::PrintToString(error_samples);
  EXPECT_GT(reserved, 0);
  EXPECT_GT(moved, 0);
  EXPECT_GT(refused, 0) << "the stock really was contended";

  // The same units scanned out for competing orders at once.
  std::atomic<int> scanned{0}, scan_refusals{0}, scan_errors{0};
  std::vector<std::thread> scanners;
  for (int scanner = 0; scanner < kScanners && !orders_with_units.empty(); ++scanner) {
    scanners.emplace_back([&, scanner] {
      std::mt19937 random(3000 + scanner);
      InventoryFixture& replica = storm.Replica(scanner);
      for (int scan = 0; scan < kScansPerScanner; ++scan) {
        v1::ScanOutRequest request;
        request.set_order_id(orders_with_units[random() % orders_with_units.size()]);
        request.set_barcode(unit_barcodes[random() % unit_barcodes.size()]);
        v1::ScanOutResponse response;
        grpc::Status status =
            replica.Call(&Stub::ScanOut, request, &response, replica.tokens().ops);
        if (!status.ok()) {
          ++scan_errors;
        } else if (response.result().refusal() == v1::SCAN_REFUSAL_UNSPECIFIED) {
          ++scanned;
        } else {
          ++scan_refusals;
        }
      }
    });
  }
  for (auto& scanner : scanners) scanner.join();
  EXPECT_EQ(scan_errors, 0);
  EXPECT_GT(scanned, 0);
  // Only MAIN's units go out for MAIN's sheets, each once: SOUTH's are refused as elsewhere.
  EXPECT_LE(scanned, kItems[0].owned - kItems[0].at_south);
  EXPECT_GT(scan_refusals, 0) << "the units really were contended";

  // Independently of the service's arithmetic, in SQL.
  pqxx::connection connection(storm.database().connection_string());
  pqxx::nontransaction statement(connection);
  // (1) Firm reservations plus units on the road never exceed what a code owns at any instant.
  pqxx::result peaks = statement.exec(
      "WITH uses AS ("
      "  SELECT inventory_code, during, quantity FROM reservation_lines WHERE active AND kind = 2"
      "  UNION ALL"
      "  SELECT inventory_code, during, quantity FROM transfer_lines WHERE NOT cancelled),"
      " edges AS ("
      "  SELECT inventory_code, lower(during) AS at, quantity AS delta FROM uses"
      "  UNION ALL SELECT inventory_code, upper(during), -quantity FROM uses),"
      " levels AS ("
      "  SELECT inventory_code, sum(delta) OVER (PARTITION BY inventory_code ORDER BY at, delta"
      "    ROWS UNBOUNDED PRECEDING) AS in_use FROM edges)"
      "SELECT i.inventory_code, i.quantity_owned, coalesce(max(l.in_use), 0) "
      "FROM items i LEFT JOIN levels l USING (inventory_code) "
      "GROUP BY i.inventory_code, i.quantity_owned");
  ASSERT_EQ(peaks.size(), kItems.size());
  for (const auto& row : peaks) {
    SCOPED_TRACE(row[0].as<std::string>());
    EXPECT_LE(row[2].as<int>(), row[1].as<int>());
  }
  // (2) SOUTH never sends what it has not got: its stock stays >= 0 at every departure.
  pqxx::result south = statement.exec(
      "WITH moves AS ("
      "  SELECT inventory_code, lower(during) AS at, -quantity AS delta FROM transfer_lines"
      "  WHERE NOT cancelled AND from_warehouse_id = 'SOUTH'"
      "  UNION ALL SELECT inventory_code, upper(during), quantity FROM transfer_lines"
      "  WHERE NOT cancelled AND to_warehouse_id = 'SOUTH'),"
      " levels AS ("
      "  SELECT inventory_code, sum(delta) OVER (PARTITION BY inventory_code ORDER BY at, delta"
      "    ROWS UNBOUNDED PRECEDING) AS change FROM moves)"
      "SELECT w.inventory_code, w.quantity + coalesce(min(l.change), 0) "
      "FROM warehouse_stock w LEFT JOIN levels l USING (inventory_code) "
      "WHERE w.warehouse_id = 'SOUTH' GROUP BY w.inventory_code, w.quantity");
  for (const auto& row : south) {
    SCOPED_TRACE(row[0].as<std::string>());
    EXPECT_GE(row[1].as<int>(), 0);
  }
  // (3) Each unit is out with one order at most, and each order's pulled count is its units.
  EXPECT_EQ(statement
                .exec1("SELECT count(*) FROM (SELECT p.order_id FROM prep_counts p LEFT JOIN "
                       "assets a ON a.order_id = p.order_id AND a.inventory_code = "
                       "p.inventory_code AND a.state = 2 WHERE p.inventory_code = 'MIXER-X32' "
                       "GROUP BY p.order_id, p.pulled HAVING count(a.asset_id) <> p.pulled) d")[0]
                .as<int>(),
            0);
  EXPECT_EQ(statement.exec1("SELECT count(*) FROM assets WHERE state = 2")[0].as<int>(),
            scanned.load());
  std::cout << "reserved " << reserved << ", transfers " << moved << ", cancelled " << cancelled
            << ", refused " << refused << "; scanned " << scanned << ", scan refusals "
            << scan_refusals << "\n";
}

}  // namespace
}  // namespace salesops::testing
