// Load tool (not a test): inventory's two hot paths measured end to end, over gRPC from this
// separate process, against the real salesops-inventory binary on the throwaway PostgreSQL.
//
// It seeds 10,000 items and SALESOPS_BENCH_RESERVATIONS firm two-day reservations spread
// over 2030 (bulk SQL straight into the service's database, after the service has applied its
// migrations), then measures:
//   - CheckAvailability of a 10-line order from 1 client: p50/p95/p99/max over
//     SALESOPS_BENCH_AVAILABILITY_CALLS calls, after a warm-up;
//   - Reserve from SALESOPS_BENCH_CLIENTS clients (16 by default) for
//     SALESOPS_BENCH_RESERVE_SECONDS, each client on items no other client touches (one line,
//     a random two-day window in 2030): reservations/s, latency, and the commits one Reserve
//     costs (inventory's xact_commit in pg_stat_database).
// The last line, "inventory_load_result ...", is for scripts/bench to set next to pgbench's
// TPS. Nothing asserts a speed.
//
//   build/tests/inventory/inventory_load_benchmark
//
// Needs the SALESOPS_TEST_PG_* environment (scripts/bench sets it).
#include <absl/status/status.h>
#include <absl/synchronization/mutex.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "tests/inventory/benchmark_seed.h"
#include "tests/inventory/inventory_client.h"

using namespace salesops;
using namespace salesops::testing;
using Clock = std::chrono::steady_clock;
using Stub = v1::InventoryService::Stub;

namespace {

constexpr int kItems = 10000;
constexpr int kLinesPerCheck = 10;
constexpr int kWarmUpCalls = 200;

std::string ItemCode(int number) {  // 1-based, as seeded
  std::string digits = std::to_string(number);
  return "ITEM-" + std::string(5 - digits.size(), '0') + digits;
}

double Percentile(const std::vector<double>& sorted, double p) {
  return sorted.empty()
             ? 0.0
             : sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

// A two-day window starting on a random day of 2030.
v1::Window RandomTwoDays(std::mt19937& random) {
  double start = static_cast<double>(random() % 360) + (random() % 24) / 24.0;
  return Days(start, start + 2);
}

struct AvailabilityResult {
  double p50 = 0, p95 = 0, p99 = 0;
};

AvailabilityResult MeasureCheckAvailability(InventoryFixture& inventory, int calls) {
  std::mt19937 random(42);
  std::vector<double> latencies_ms;
  int failed = 0;
  for (int call = 0; call < kWarmUpCalls + calls; ++call) {
    v1::CheckAvailabilityRequest request;
    std::vector<int> numbers;
    while (static_cast<int>(numbers.size()) < kLinesPerCheck) {
      int number = 1 + static_cast<int>(random() % kItems);
      if (std::find(numbers.begin(), numbers.end(), number) != numbers.end()) continue;
      numbers.push_back(number);
      *request.add_lines() = Line(ItemCode(number), 1 + static_cast<int>(random() % 4));
    }
    *request.mutable_window() = RandomTwoDays(random);
    v1::CheckAvailabilityResponse response;
    const auto started = Clock::now();
    grpc::Status status = inventory.Call(&Stub::CheckAvailability, request, &response);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (!status.ok()) {
      ++failed;
      continue;
    }
    if (call >= kWarmUpCalls) latencies_ms.push_back(ms);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  AvailabilityResult result{Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.95),
                            Percentile(latencies_ms, 0.99)};
  std::printf("CheckAvailability, %d lines, 1 client, %zu calls (after %d warm-up)\n",
              kLinesPerCheck, latencies_ms.size(), kWarmUpCalls);
  std::printf("  latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; failed %d\n",
              result.p50, result.p95, result.p99, latencies_ms.empty() ? 0.0 : latencies_ms.back(),
              failed);
  std::fflush(stdout);
  return result;
}

double Commits(pqxx::connection& connection, const std::string& database) {
  pqxx::nontransaction tx(connection);
  tx.exec("SELECT pg_stat_clear_snapshot()");
  return tx
      .exec1("SELECT xact_commit::float8 FROM pg_stat_database WHERE datname = " +
             tx.quote(database))[0]
      .as<double>();
}

struct ReserveResult {
  double per_second = 0;
  double commits_per_reserve = 0;
};

ReserveResult MeasureReserve(InventoryFixture& inventory, int clients, int seconds) {
  pqxx::connection stats(PostgresServer::FromEnvironment().ConnectionString("postgres"));
  const std::string database = inventory.database().name();
  const double commits_before = Commits(stats, database);
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::map<std::string, int> failures;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int client = 0; client < clients; ++client) {
    threads.emplace_back([&, client] {
      std::mt19937 random(1000 + client);
      std::vector<double> mine;
      std::map<std::string, int> my_failures;
      // Items client, client + clients, ...: no two clients share one.
      for (int k = 0; Clock::now() < deadline; ++k) {
        v1::ReserveRequest request;
        request.set_order_id("LOAD-" + std::to_string(client) + "-" + std::to_string(k));
        request.set_order_revision(1);
        const int number = 1 + (client + clients * k) % (kItems - kItems % clients);
        *request.add_lines() = Line(ItemCode(number), 1);
        *request.mutable_window() = RandomTwoDays(random);
        v1::ReserveResponse response;
        const auto call_started = Clock::now();
        grpc::Status status = inventory.Call(&Stub::Reserve, request, &response);
        if (status.ok()) {
          mine.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - call_started).count());
        } else {
          ++my_failures[absl::StatusCodeToString(
              static_cast<absl::StatusCode>(status.error_code()))];
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      for (const auto& [code, count] : my_failures) failures[code] += count;
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  // Backends report their counts to pg_stat_database at most once a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const double commits = Commits(stats, database) - commits_before;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  ReserveResult result;
  result.per_second = latencies_ms.size() / elapsed;
  result.commits_per_reserve = latencies_ms.empty() ? 0 : commits / latencies_ms.size();
  std::string failure_text;
  int failed = 0;
  for (const auto& [code, count] : failures) {
    failed += count;
    failure_text += " " + code + "=" + std::to_string(count);
  }
  std::printf("Reserve, 1 line each, %d clients on distinct items, %.1f s\n", clients, elapsed);
  std::printf("  reserved %zu: %.0f reservations/s; failed %d%s\n", latencies_ms.size(),
              result.per_second, failed, failure_text.c_str());
  std::printf("  latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.95),
              Percentile(latencies_ms, 0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::printf("  commits per Reserve: %.2f (inventory's database, pg_stat_database)\n",
              result.commits_per_reserve);
  std::fflush(stdout);
  return result;
}

}  // namespace

int main() {
  // As the services do (service_main.cc): no Abseil lock-order graph on gRPC's every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const int reservations = EnvInt("SALESOPS_BENCH_RESERVATIONS", 1000000);
  const int calls = std::max(1, EnvInt("SALESOPS_BENCH_AVAILABILITY_CALLS", 3000));
  const int clients = std::max(1, EnvInt("SALESOPS_BENCH_CLIENTS", 16));
  const int seconds = std::max(1, EnvInt("SALESOPS_BENCH_RESERVE_SECONDS", 15));

  InventoryFixture inventory;
  if (!inventory.started()) {
    std::fprintf(stderr, "inventory did not start\n%s", inventory.log().c_str());
    return 1;
  }
  const auto seed_started = Clock::now();
  {
    pqxx::connection connection(inventory.database().connection_string());
    SeedItemsAndReservations(connection, kItems, reservations);
  }
  std::printf("seeded %d items and %d reservations in %.0f s\n", kItems, reservations,
              std::chrono::duration<double>(Clock::now() - seed_started).count());
  std::fflush(stdout);

  AvailabilityResult availability = MeasureCheckAvailability(inventory, calls);
  ReserveResult reserve = MeasureReserve(inventory, clients, seconds);
  std::printf(
      "inventory_load_result reservations=%d availability_p50_ms=%.3f availability_p95_ms=%.3f "
      "availability_p99_ms=%.3f clients=%d reserves_per_s=%.1f commits_per_reserve=%.2f\n",
      reservations, availability.p50, availability.p95, availability.p99, clients,
      reserve.per_second, reserve.commits_per_reserve);
  return 0;
}
