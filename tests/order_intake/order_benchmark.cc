// Load tool (not a test): create + confirm of a 10-line order, end to end through all
// four services as real processes, against a growing number of confirmed open jobs.
//
// For each size in SALESOPS_BENCH_OPEN_JOBS it seeds confirmed orders through the real
// API up to that size (within a time budget), then measures 1 client; at the largest
// size reached it measures SALESOPS_BENCH_CLIENTS clients. Each measured phase prints
// create+confirm latency, scheduling's PlanJob latency (estimated from the delta of its
// /metrics histogram) and the commits one create+confirm costs across the four databases
// (pg_stat_database, per database, net of the idle rate measured first), with how many of
// them wrote (transaction ids assigned) and the WAL fsyncs (pg_stat_wal). The last line,
// "order_benchmark_result ...", is for scripts/bench to combine with pgbench's TPS.
// Nothing asserts a speed; every phase has a budget and the tool stops by itself.
//
//   build/tests/order_intake/order_benchmark [seconds] [clients]
//
// Arguments override SALESOPS_BENCH_SECONDS and SALESOPS_BENCH_CLIENTS; the other
// settings are read from the environment (see Settings below, and the README).
// Needs the SALESOPS_TEST_PG_* environment (scripts/bench sets it).
#include <absl/status/status.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "tests/order_intake/order_suite.h"

using namespace salesops;
using namespace salesops::testing;
using google::protobuf::util::TimeUtil;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kLines = 10;
constexpr int kDays = 365;
constexpr int64_t kDayStride = 137;

struct Settings {
  std::vector<int> open_jobs;  // sizes measured with 1 client, ascending
  int seed_seconds;            // total budget for seeding, over all sizes
  int seed_clients;
  int single_seconds;  // 1-client phase at each size
  int single_orders;   // ... or this many orders, whichever comes first
  int seconds;         // multi-client phase at the largest size
  int clients;
  int idle_seconds;  // idle commit rate, measured before each phase
  int settle_ms;     // after a phase, for relays and stats to land
  int dependency_timeout_ms;

  static Settings FromEnvironment(int argc, char** argv) {
    Settings s;
    std::istringstream sizes(std::getenv("SALESOPS_BENCH_OPEN_JOBS")
                                 ? std::getenv("SALESOPS_BENCH_OPEN_JOBS")
                                 : "0 1000 5000");
    for (int size; sizes >> size;) s.open_jobs.push_back(std::max(0, size));
    if (s.open_jobs.empty()) s.open_jobs.push_back(0);
    std::sort(s.open_jobs.begin(), s.open_jobs.end());
    s.seed_seconds = EnvInt("SALESOPS_BENCH_SEED_SECONDS", 900);
    s.seed_clients = std::max(1, EnvInt("SALESOPS_BENCH_SEED_CLIENTS", 2));
    s.single_seconds = EnvInt("SALESOPS_BENCH_SINGLE_SECONDS", 20);
    s.single_orders = EnvInt("SALESOPS_BENCH_SINGLE_ORDERS", 300);
    s.seconds = argc > 1 ? std::atoi(argv[1]) : EnvInt("SALESOPS_BENCH_SECONDS", 20);
    s.clients = std::max(1, argc > 2 ? std::atoi(argv[2]) : EnvInt("SALESOPS_BENCH_CLIENTS", 16));
    s.idle_seconds = EnvInt("SALESOPS_BENCH_IDLE_SECONDS", 3);
    s.settle_ms = EnvInt("SALESOPS_BENCH_SETTLE_MS", 2000);
    // order-intake's own default, so that refusals are those a user would see.
    s.dependency_timeout_ms = EnvInt("SALESOPS_BENCH_DEPENDENCY_TIMEOUT_MS", 5000);
    return s;
  }
};

// A catalog of 10 products (one stock item each, a day rate, a minute of prep), stock
// that never runs out, and enough crew and trucks that only the software is measured.
bool SeedCatalogAndCrew(Suite& suite) {
  for (int i = 0; i < kLines; ++i) {
    const std::string item = "ITEM-" + std::to_string(i);
    v1::UpsertItemRequest put;
    put.mutable_item()->set_inventory_code(item);
    put.mutable_item()->set_description(item);
    put.mutable_item()->set_category("audio");
    put.mutable_item()->set_quantity_owned(1'000'000);
    v1::UpsertItemResponse put_response;
    if (!suite.inventory->Call(&v1::InventoryService::Stub::UpsertItem, put, &put_response).ok()) {
      return false;
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
      return false;
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
  return true;
}

// What one create + confirm came to: OK, or the step and gRPC code that stopped it.
struct Outcome {
  bool confirmed = false;
  std::string failure;  // e.g. "confirm DEADLINE_EXCEEDED"
  double ms = 0;
};

class OrderDriver {
 public:
  explicit OrderDriver(Suite& suite)
      : suite_(suite), day0_((TimeUtil::GetCurrentTime().seconds() / 86400 + 7) * 86400) {}

  Outcome CreateAndConfirm() {
    const int n = next_++;
    // Every day of the year in turn, but not in lockstep: sixteen salespeople confirm orders
    // for dates all over the season, not for sixteen consecutive days at the same moment
    // (137 and 365 are coprime, so every day still comes up once in each 365 orders).
    const int64_t day = day0_ + (static_cast<int64_t>(n) * kDayStride % kDays) * 86400;
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
    Outcome outcome;
    const auto begin = Clock::now();
    v1::CreateOrderResponse created;
    grpc::Status status = suite_.orders->Call(&v1::OrderIntakeService::Stub::CreateOrder, create,
                                              &created, suite_.orders->tokens().sales);
    if (!status.ok()) {
      outcome.failure = "create " + CodeName(status);
      return outcome;
    }
    v1::ConfirmOrderRequest confirm;
    confirm.set_order_id(created.order().order_id());
    confirm.set_etag(created.order().etag());
    confirm.set_accept_later_commitment(true);
    v1::ConfirmOrderResponse done;
    status = suite_.orders->Call(&v1::OrderIntakeService::Stub::ConfirmOrder, confirm, &done,
                                 suite_.orders->tokens().sales);
    outcome.ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    if (status.ok()) {
      outcome.confirmed = true;
    } else {
      outcome.failure = "confirm " + CodeName(status);
    }
    return outcome;
  }

 private:
  static std::string CodeName(const grpc::Status& status) {
    return absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  }

  Suite& suite_;
  const int64_t day0_;
  std::atomic<int> next_{0};
};

// Cumulative counts of scheduling's PlanJob latency histogram, by upper bound (+Inf last).
using Histogram = std::map<double, double>;

Histogram PlanJobHistogram(int metrics_port) {
  Histogram buckets;
  std::istringstream lines(FetchMetrics(metrics_port));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("grpc_server_handling_seconds_bucket{", 0) != 0 ||
        line.find("grpc_method=\"PlanJob\"") == std::string::npos) {
      continue;
    }
    const size_t le = line.find("le=\"");
    const size_t close = line.find("\"}", le);
    if (le == std::string::npos || close == std::string::npos) continue;
    const std::string bound = line.substr(le + 4, close - le - 4);
    const double upper = bound == "+Inf" ? INFINITY : std::stod(bound);
    buckets[upper] += std::stod(line.substr(close + 2));
  }
  return buckets;
}

// Server time by RPC, from each service's grpc_server_handling_seconds sum and count: where
// a create+confirm's time goes, and what grows with open work.
struct ServerTime {
  double seconds = 0;
  double calls = 0;
};
using ServerTimes = std::map<std::string, ServerTime>;  // "Service/Method"

ServerTimes ServerTimesOf(const std::vector<std::pair<std::string, int>>& services) {
  ServerTimes times;
  for (const auto& [service, port] : services) {
    std::istringstream lines(FetchMetrics(port));
    for (std::string line; std::getline(lines, line);) {
      const bool sum = line.rfind("grpc_server_handling_seconds_sum{", 0) == 0;
      const bool count = line.rfind("grpc_server_handling_seconds_count{", 0) == 0;
      if (!sum && !count) continue;
      const size_t method = line.find("grpc_method=\"");
      const size_t close = line.find('}');
      if (method == std::string::npos || close == std::string::npos) continue;
      const size_t end = line.find('"', method + 13);
      const std::string key = service + "/" + line.substr(method + 13, end - method - 13);
      (sum ? times[key].seconds : times[key].calls) += std::stod(line.substr(close + 2));
    }
  }
  return times;
}

std::vector<std::pair<std::string, int>> MetricsPorts(Suite& suite) {
  return {{"inventory", suite.inventory->metrics_port()},
          {"scheduling", suite.scheduling->metrics_port()},
          {"notification", suite.notification->metrics_port()},
          {"order-intake", suite.orders->metrics_port()}};
}

// "order-intake/ConfirmOrder 1.0 x 21.3 ms": calls per create+confirm and mean server time,
// the RPCs that take the most time per create+confirm first.
void PrintServerTimes(const ServerTimes& before, const ServerTimes& after, int confirmed) {
  std::vector<std::tuple<double, std::string, double, double>> rows;
  for (const auto& [key, total] : after) {
    const auto it = before.find(key);
    const double calls = total.calls - (it == before.end() ? 0 : it->second.calls);
    const double seconds = total.seconds - (it == before.end() ? 0 : it->second.seconds);
    if (calls <= 0 || confirmed <= 0) continue;
    rows.emplace_back(seconds / confirmed, key, calls / confirmed, 1000 * seconds / calls);
  }
  std::sort(rows.rbegin(), rows.rend());
  std::printf("  server time per create+confirm, by RPC (calls x mean):");
  for (size_t i = 0; i < rows.size() && i < 8; ++i) {
    const auto& [per_confirm, key, calls, mean_ms] = rows[i];
    std::printf("%s %s %.1f x %.1f ms", i == 0 ? "" : ";", key.c_str(), calls, mean_ms);
  }
  std::printf("\n");
}

// The q-quantile of the calls between two snapshots, interpolated linearly inside its
// bucket (Prometheus' histogram_quantile); a quantile in +Inf is the last finite bound.
std::string EstimatedQuantile(const Histogram& before, const Histogram& after, double q) {
  std::vector<std::pair<double, double>> delta;
  for (const auto& [upper, count] : after) {
    const auto it = before.find(upper);
    delta.emplace_back(upper, count - (it == before.end() ? 0 : it->second));
  }
  if (delta.empty() || delta.back().second <= 0) return "n/a (no PlanJob calls)";
  const double rank = q * delta.back().second;
  double lower = 0, below = 0;
  for (const auto& [upper, count] : delta) {
    if (count >= rank) {
      char text[64];
      if (std::isinf(upper)) {
        std::snprintf(text, sizeof text, "> %.0f ms", lower * 1000);
      } else {
        const double share = count > below ? (rank - below) / (count - below) : 1;
        std::snprintf(text, sizeof text, "%.0f ms", (lower + (upper - lower) * share) * 1000);
      }
      return text;
    }
    lower = upper;
    below = count;
  }
  return "n/a";
}

// What the four services' databases have committed so far, as PostgreSQL reports it.
// xact_commit counts every transaction, read-only ones too (a read-only commit writes no WAL
// and waits for no fsync); transaction ids are assigned only to transactions that write, and
// WAL syncs are the fsyncs themselves (commits waiting together share one). Both of those are
// for the whole server, which the four services have to themselves here.
struct CommitSample {
  std::map<std::string, double> commits;  // by service
  double total = 0;
  double writes = 0;     // transaction ids assigned
  double wal_syncs = 0;  // pg_stat_wal.wal_sync

  CommitSample operator-(const CommitSample& earlier) const {
    CommitSample delta = *this;
    for (auto& [service, count] : delta.commits) count -= earlier.commits.at(service);
    delta.total -= earlier.total;
    delta.writes -= earlier.writes;
    delta.wal_syncs -= earlier.wal_syncs;
    return delta;
  }
  // This sample less `rate` (per second) over `seconds`: activity net of the idle rate.
  CommitSample Less(const CommitSample& rate, double seconds) const {
    CommitSample net = *this;
    for (auto& [service, count] : net.commits) count -= rate.commits.at(service) * seconds;
    net.total -= rate.total * seconds;
    net.writes -= rate.writes * seconds;
    net.wal_syncs -= rate.wal_syncs * seconds;
    return net;
  }
  CommitSample Per(double divisor) const {
    CommitSample share = *this;
    for (auto& [service, count] : share.commits) count /= divisor;
    share.total /= divisor;
    share.writes /= divisor;
    share.wal_syncs /= divisor;
    return share;
  }
};

class CommitCounter {
 public:
  explicit CommitCounter(const Suite& suite)
      : connection_(PostgresServer::FromEnvironment().ConnectionString("postgres")),
        databases_{{"order-intake", suite.orders->database().name()},
                   {"inventory", suite.inventory->database().name()},
                   {"scheduling", suite.scheduling->database().name()},
                   {"notification", suite.notification->database().name()}} {}

  CommitSample Sample() {
    // Statistics are a snapshot per transaction: a fresh one each time. This connection
    // neither writes nor takes a transaction id.
    pqxx::nontransaction tx(connection_);
    tx.exec("SELECT pg_stat_clear_snapshot()");
    CommitSample sample;
    for (const auto& [service, name] : databases_) {
      const double commits =
          tx.exec1("SELECT xact_commit::float8 FROM pg_stat_database WHERE datname = " +
                   tx.quote(name))[0]
              .as<double>();
      sample.commits[service] = commits;
      sample.total += commits;
    }
    pqxx::row server = tx.exec1(
        "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::float8, wal_sync::float8 "
        "FROM pg_stat_wal");
    sample.writes = server[0].as<double>();
    sample.wal_syncs = server[1].as<double>();
    return sample;
  }

 private:
  pqxx::connection connection_;
  std::vector<std::pair<std::string, std::string>> databases_;  // service, database
};

struct PhaseResult {
  int confirmed = 0;
  double seconds = 0;
  double commits_per_confirm = 0;
  double writes_per_confirm = 0;
  double wal_syncs_per_confirm = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  return sorted.empty()
             ? 0.0
             : sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

// One measured phase: the idle commit rate first, then `clients` clients creating and
// confirming until `seconds` pass or `max_orders` are attempted, then a settle time in
// which the relays finish what the phase started.
PhaseResult Measure(Suite& suite, OrderDriver& driver, CommitCounter& commits,
                    const Settings& settings, const std::string& title, int clients, int seconds,
                    int max_orders) {
  // Whatever came before (seeding, the last phase) lands first, so the idle rate is idle.
  std::this_thread::sleep_for(std::chrono::milliseconds(settings.settle_ms));
  const CommitSample idle_before = commits.Sample();
  std::this_thread::sleep_for(std::chrono::seconds(settings.idle_seconds));
  const CommitSample idle_rate =
      (commits.Sample() - idle_before).Per(std::max(1, settings.idle_seconds));

  const Histogram plan_before = PlanJobHistogram(suite.scheduling->metrics_port());
  const ServerTimes times_before = ServerTimesOf(MetricsPorts(suite));
  const CommitSample commits_before = commits.Sample();
  std::atomic<int> attempts{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::map<std::string, int> failures;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      while (Clock::now() < deadline && attempts++ < max_orders) {
        Outcome outcome = driver.CreateAndConfirm();
        std::lock_guard<std::mutex> lock(mutex);
        if (outcome.confirmed) {
          latencies_ms.push_back(outcome.ms);
        } else {
          ++failures[outcome.failure];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(settings.settle_ms));
  const double with_settle = std::chrono::duration<double>(Clock::now() - started).count();
  const CommitSample phase_commits =
      (commits.Sample() - commits_before).Less(idle_rate, with_settle);
  const Histogram plan_after = PlanJobHistogram(suite.scheduling->metrics_port());
  const ServerTimes times_after = ServerTimesOf(MetricsPorts(suite));

  PhaseResult result;
  result.confirmed = static_cast<int>(latencies_ms.size());
  result.seconds = elapsed;
  const CommitSample per_confirm = phase_commits.Per(std::max(1, result.confirmed));
  if (result.confirmed > 0) {
    result.commits_per_confirm = per_confirm.total;
    result.writes_per_confirm = per_confirm.writes;
    result.wal_syncs_per_confirm = per_confirm.wal_syncs;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  int failed = 0;
  std::string failure_text;
  for (const auto& [what, count] : failures) {
    failed += count;
    failure_text += " " + what + "=" + std::to_string(count);
  }
  std::printf("%s\n", title.c_str());
  if (failed > 0) failure_text = " (by step and gRPC code:" + failure_text + ")";
  std::printf("  confirmed %d in %.1f s: %.2f orders/s; refused or failed %d%s\n", result.confirmed,
              elapsed, result.confirmed / elapsed, failed, failure_text.c_str());
  std::printf("  create+confirm latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.95),
              Percentile(latencies_ms, 0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::printf("  PlanJob (scheduling /metrics, estimated from buckets): p50 %s, p99 %s\n",
              EstimatedQuantile(plan_before, plan_after, 0.5).c_str(),
              EstimatedQuantile(plan_before, plan_after, 0.99).c_str());
  PrintServerTimes(times_before, times_after, result.confirmed);
  std::printf("  commits per create+confirm: %.1f (net of %.1f idle commits/s):",
              result.commits_per_confirm, idle_rate.total);
  for (const auto& [service, count] : per_confirm.commits) {
    std::printf(" %s %.1f", service.c_str(), result.confirmed > 0 ? count : 0.0);
  }
  std::printf(
      "\n  of them writing (transaction ids): %.1f; WAL fsyncs: %.1f (net of %.1f/s idle)\n",
      result.writes_per_confirm, result.wal_syncs_per_confirm, idle_rate.wal_syncs);
  std::fflush(stdout);
  return result;
}

// Confirms orders until `target` are confirmed in all, or until `budget_end`. Returns how
// many are confirmed in all.
int SeedUpTo(OrderDriver& driver, int confirmed_so_far, int target, int clients,
             Clock::time_point budget_end) {
  std::atomic<int> confirmed{confirmed_so_far}, claimed{confirmed_so_far}, failed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      while (Clock::now() < budget_end && claimed++ < target) {
        if (driver.CreateAndConfirm().confirmed) {
          ++confirmed;
        } else {
          --claimed;  // try again, within the budget
          ++failed;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (failed > 0) std::printf("  (%d seeding attempts refused or failed)\n", failed.load());
  return confirmed;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = Settings::FromEnvironment(argc, argv);
  Suite suite(settings.dependency_timeout_ms);
  if (!suite.started()) {
    std::fprintf(stderr, "services did not start\n%s", suite.logs().c_str());
    return 1;
  }
  if (!SeedCatalogAndCrew(suite)) {
    std::fprintf(stderr, "could not seed the catalog\n");
    return 1;
  }
  OrderDriver driver(suite);
  CommitCounter commits(suite);
  std::printf("create + confirm of a %d-line order; open-job sizes:", kLines);
  for (int size : settings.open_jobs) std::printf(" %d", size);
  std::printf("; seeding budget %d s; order-intake dependency timeout %d ms\n",
              settings.seed_seconds, settings.dependency_timeout_ms);
  std::fflush(stdout);

  const auto seed_end = Clock::now() + std::chrono::seconds(settings.seed_seconds);
  int open_jobs = 0;
  bool budget_ran_out = false;
  PhaseResult single_at_largest;
  int single_open_jobs = 0;  // where single_at_largest was measured
  for (int size : settings.open_jobs) {
    if (open_jobs < size && !budget_ran_out) {
      const auto seed_start = Clock::now();
      open_jobs = SeedUpTo(driver, open_jobs, size, settings.seed_clients, seed_end);
      std::printf("seeded to %d confirmed open jobs in %.0f s\n", open_jobs,
                  std::chrono::duration<double>(Clock::now() - seed_start).count());
      if (open_jobs < size) {
        budget_ran_out = true;
        std::printf(
            "SEEDING BUDGET RAN OUT (SALESOPS_BENCH_SEED_SECONDS=%d): wanted %d open jobs, "
            "reached %d; measuring there\n",
            settings.seed_seconds, size, open_jobs);
      }
    } else if (open_jobs < size) {
      std::printf("skipping %d open jobs: the seeding budget is spent\n", size);
      continue;
    }
    single_open_jobs = open_jobs;
    single_at_largest = Measure(suite, driver, commits, settings,
                                "1 client at " + std::to_string(open_jobs) +
                                    " confirmed open jobs (asked " + std::to_string(size) + ")",
                                1, settings.single_seconds, settings.single_orders);
    open_jobs += single_at_largest.confirmed;
  }
  const int largest = open_jobs;
  PhaseResult many = Measure(suite, driver, commits, settings,
                             std::to_string(settings.clients) + " clients at " +
                                 std::to_string(largest) + " confirmed open jobs",
                             settings.clients, settings.seconds, 1 << 30);
  // Commits per confirm from the 1-client phase: what one confirmation costs without
  // the retries and refusals of contention (both figures are printed above).
  const PhaseResult& cost = single_at_largest.confirmed > 0 ? single_at_largest : many;
  std::printf(
      "order_benchmark_result open_jobs=%d clients=%d confirms_per_s=%.3f "
      "commits_per_confirm=%.2f write_commits_per_confirm=%.2f wal_syncs_per_confirm=%.2f "
      "commits_measured_at=%d\n",
      largest, settings.clients, many.seconds > 0 ? many.confirmed / many.seconds : 0.0,
      cost.commits_per_confirm, cost.writes_per_confirm, cost.wal_syncs_per_confirm,
      single_at_largest.confirmed > 0 ? single_open_jobs : largest);
  return 0;
}
