// Inventory speed, measured (never asserted):
//   BM_CheckAvailability/<reservations>: a 20-line order against 10,000 items and
//     10,000 or 1,000,000 reservations; reports p50 and p99 latency per call.
//   BM_Reserve: firm reservations from 16 threads on distinct items; reports reservations/s.
// Both go through the domain (StockKeeper) and the PostgreSQL store, as the gRPC handlers do.
// Run with scripts/bench, which starts PostgreSQL and also runs pgbench for comparison.
#include <benchmark/benchmark.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>

#include "services/common/db_pool.h"
#include "services/common/log.h"
#include "services/common/migrations.h"
#include "services/inventory/inventory_service.h"
#include "services/inventory/postgres_inventory_store.h"
#include "services/inventory/stock_keeper.h"
#include "tests/inventory/benchmark_seed.h"
#include "tests/support/test_support.h"

namespace salesops::inventory {
namespace {

constexpr int kItems = 10000;
constexpr int kLinesPerOrder = 20;
constexpr int64_t kYearStart = 1893456000;  // 2030-01-01

// A database seeded once per size: 10,000 items and `reservations` firm
// two-day reservations spread over a year, one line each.
struct BenchDatabase {
  std::unique_ptr<common::ConnectionPool> pool;
  std::unique_ptr<PostgresInventoryStore> store;
  std::unique_ptr<StockKeeper> keeper;
};

BenchDatabase& Database(int64_t reservations) {
  static std::mutex mutex;
  static std::map<int64_t, std::unique_ptr<BenchDatabase>> databases;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = databases[reservations];
  if (slot) return *slot;
  testing::PostgresServer server = testing::PostgresServer::FromEnvironment();
  std::string name = "salesops_bench_" + std::to_string(reservations);
  {
    pqxx::connection admin(server.ConnectionString("postgres"));
    pqxx::nontransaction statement(admin);
    statement.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    statement.exec("CREATE DATABASE " + name);
  }
  pqxx::connection connection(server.ConnectionString(name));
  if (!common::ApplyMigrations(connection, Definition().migrations).ok()) std::abort();
  testing::SeedItemsAndReservations(connection, kItems, reservations);
  slot = std::make_unique<BenchDatabase>();
  common::DatabaseOptions options;
  options.url = server.Url(name);
  options.password = server.password;
  options.pool_size = 20;
  slot->pool = std::make_unique<common::ConnectionPool>(options);
  slot->store = std::make_unique<PostgresInventoryStore>(*slot->pool);
  slot->keeper = std::make_unique<StockKeeper>(*slot->store);
  return *slot;
}

v1::Window TwoDaysFrom(int64_t seconds) {
  v1::Window window;
  *window.mutable_not_before() = google::protobuf::util::TimeUtil::SecondsToTimestamp(seconds);
  *window.mutable_no_later_than() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(seconds + 2 * 86400);
  return window;
}

void BM_CheckAvailability(benchmark::State& state) {
  BenchDatabase& database = Database(state.range(0));
  std::mt19937 random(42);
  std::vector<double> latencies_ms;
  for (auto _ : state) {
    state.PauseTiming();
    v1::CheckAvailabilityRequest request;
    for (int i = 0; i < kLinesPerOrder; ++i) {
      auto* line = request.add_lines();
      std::string number = std::to_string(1 + random() % kItems);
      line->set_inventory_code("ITEM-" + std::string(5 - number.size(), '0') + number);
      line->set_quantity(1 + random() % 4);
    }
    *request.mutable_window() = TwoDaysFrom(kYearStart + (random() % 360) * 86400);
    state.ResumeTiming();
    auto started = std::chrono::steady_clock::now();
    absl::StatusOr<v1::CheckAvailabilityResponse> response =
        database.keeper->CheckAvailability(request);
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    if (!response.ok()) state.SkipWithError("CheckAvailability failed");
    benchmark::DoNotOptimize(response);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<size_t>(p * latencies_ms.size()))];
  };
  state.counters["p50_ms"] = percentile(0.50);
  state.counters["p99_ms"] = percentile(0.99);
  state.counters["reservations"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_CheckAvailability)
    ->Arg(10000)
    ->Arg(1000000)
    ->Iterations(2000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Reserve(benchmark::State& state) {
  BenchDatabase& database = Database(10000);
  static std::atomic<int64_t> next_order{0};
  // Distinct items per thread: this measures the write path, not contention.
  std::string number = std::to_string(1 + state.thread_index());
  std::string code = "ITEM-" + std::string(5 - number.size(), '0') + number;
  v1::Actor actor;
  actor.set_id("bench");
  for (auto _ : state) {
    v1::ReserveRequest request;
    request.set_order_id("RESERVE-BENCH-" + std::to_string(next_order++));
    request.set_order_revision(1);
    auto* line = request.add_lines();
    line->set_inventory_code(code);
    line->set_quantity(1);
    *request.mutable_window() = TwoDaysFrom(kYearStart + 400 * 86400);
    absl::StatusOr<v1::ReserveResponse> response = database.keeper->Reserve(request, actor);
    if (!response.ok()) state.SkipWithError("Reserve failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reserve)->Threads(16)->MinTime(5.0)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace salesops::inventory

BENCHMARK_MAIN();
