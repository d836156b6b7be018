// Load tool (not a test): sustained event flow from a source service's outbox
// through the relay and Publish into an inbox, on real processes and a real
// PostgreSQL. Prints the sustained rate and the end-to-end latency
// percentiles (event occurred in the source → notification row committed).
//
//   build/tests/notification/event_flow_benchmark [events] [target-rate-per-second]
//
// Needs the SALESOPS_TEST_PG_* environment (scripts/bench sets it).
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <pqxx/pqxx>
#include <thread>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/outbox.h"
#include "tests/notification/notification_test_support.h"

using namespace salesops;
using namespace salesops::testing;

int main(int argc, char** argv) {
  const int total = argc > 1 ? std::atoi(argv[1]) : 30000;
  const int target_rate = argc > 2 ? std::atoi(argv[2]) : 3000;

  auto notification_database = std::make_shared<TestDatabase>();
  auto source_database = std::make_shared<TestDatabase>();
  const int notification_port = FreeTcpPort();
  NotificationFixture notification(
      "notification", notification_database,
      {"--listen-address", "127.0.0.1:" + std::to_string(notification_port)});
  ServiceFixture<v1::InventoryService> source(
      "inventory", source_database,
      {"--notification-address", "127.0.0.1:" + std::to_string(notification_port),
       "--service-token-file", TestTokens().ServiceTokenFile("inventory")});
  if (!notification.started() || !source.started()) {
    std::fprintf(stderr, "services did not start\n%s\n%s\n", notification.log().c_str(),
                 source.log().c_str());
    return 1;
  }
  v1::CreateSubscriptionRequest subscribe;
  subscribe.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
  subscribe.mutable_subscription()->set_role(v1::ROLE_OPS);
  subscribe.mutable_subscription()->add_event_types(v1::EVENT_TYPE_STOCK_HELD);
  v1::CreateSubscriptionResponse subscribed;
  if (!notification.Call(&v1::NotificationService::Stub::CreateSubscription, subscribe, &subscribed)
           .ok()) {
    std::fprintf(stderr, "cannot subscribe\n");
    return 1;
  }

  // Emit into the source service's outbox at the target rate, in the same kind
  // of transaction a service uses (one event per state change, batched 50 per
  // commit so the emitter itself is not the bottleneck).
  std::printf("emitting %d events at up to %d/s into inventory's outbox...\n", total, target_rate);
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();
  {
    pqxx::connection connection(source_database->connection_string());
    constexpr int kBatch = 50;
    for (int sent = 0; sent < total; sent += kBatch) {
      pqxx::work transaction(connection);
      for (int i = sent; i < std::min(total, sent + kBatch); ++i) {
        v1::Event event;
        event.set_type(v1::EVENT_TYPE_STOCK_HELD);
        event.set_order_id("BENCH-" + std::to_string(i % 500));
        event.set_summary("Order BENCH: 1 SPK-12 held");
        common::AppendToOutbox(transaction, event, "inventory");
      }
      transaction.commit();
      const auto due = started + std::chrono::microseconds(
                                     static_cast<int64_t>((sent + kBatch) * 1e6 / target_rate));
      std::this_thread::sleep_until(due);
    }
  }
  const double emit_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  pqxx::connection connection(notification_database->connection_string());
  int64_t arrived = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (arrived < total && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    pqxx::nontransaction tx(connection);
    arrived = tx.exec1("SELECT count(*) FROM notifications")[0].as<int64_t>();
  }
  pqxx::nontransaction tx(connection);
  pqxx::row figures = tx.exec1(
      "SELECT count(*), "
      "  EXTRACT(EPOCH FROM max(n.created_at) - min(e.occur_time))::float8, "
      "  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM n.created_at - "
      "    e.occur_time))::float8, "
      "  percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM n.created_at - "
      "    e.occur_time))::float8, "
      "  max(EXTRACT(EPOCH FROM n.created_at - e.occur_time))::float8 "
      "FROM notifications n JOIN events e ON e.event_id = n.event_id");
  const int64_t delivered = figures[0].as<int64_t>();
  const double span = figures[1].as<double>();
  std::printf("emitted %d events in %.2f s (%.0f/s offered)\n", total, emit_seconds,
              total / emit_seconds);
  std::printf("delivered to the inbox: %lld of %d, sustained %.0f events/s end to end\n",
              static_cast<long long>(delivered), total, delivered / span);
  std::printf("latency emit -> inbox: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              figures[2].as<double>() * 1000, figures[3].as<double>() * 1000,
              figures[4].as<double>() * 1000);
  if (std::getenv("SALESOPS_BENCH_VERBOSE")) {
    pqxx::connection source_connection(source_database->connection_string());
    pqxx::nontransaction source_tx(source_connection);
    pqxx::row relay = source_tx.exec1(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM sent_at - "
        "created_at))::float8 FROM outbox");
    std::printf("  outbox created -> marked sent, p50: %.1f ms\n", relay[0].as<double>() * 1000);
    pqxx::row received = tx.exec1(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM e.received_at - "
        "e.occur_time))::float8 FROM events e");
    std::printf("  occurred -> received by notification, p50: %.1f ms\n",
                received[0].as<double>() * 1000);
  }
  // Where the time goes: Publish as notification sees it and as the relay sees it.
  for (const auto& [port, prefix] :
       {std::pair<int, std::string>{notification.metrics_port(), "grpc_server_handling_seconds_"},
        {source.metrics_port(), "grpc_client_handling_seconds_"},
        {source.metrics_port(), "salesops_db_transaction_seconds_"}}) {
    std::string metrics = FetchMetrics(port);
    size_t at = 0;
    while ((at = metrics.find("\n" + prefix, at)) != std::string::npos) {
      size_t end = metrics.find('\n', at + 1);
      std::string line = metrics.substr(at + 1, end - at - 1);
      if (line.find("_sum") != std::string::npos || line.find("_count") != std::string::npos) {
        if (std::getenv("SALESOPS_BENCH_VERBOSE")) std::printf("  %s\n", line.c_str());
      }
      at = end;
    }
  }
  return delivered == total ? 0 : 1;
}
