// The outbox relay between real processes: nothing lost while notification is
// down, replicas that share one outbox, a crash between send and mark, events refused
// for good set aside, and long text fitted so that it is never refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <set>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/outbox.h"
#include "tests/inventory/inventory_client.h"
#include "tests/notification/notification_test_support.h"

namespace salesops::testing {
namespace {

using InventoryStub = v1::InventoryService::Stub;
using NotificationStub = v1::NotificationService::Stub;
using InventoryProcess = ServiceFixture<v1::InventoryService>;

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest()
      : notification_database_(std::make_shared<TestDatabase>()),
        inventory_database_(std::make_shared<TestDatabase>()),
        notification_port_(FreeTcpPort()) {}

  void SetUp() override {
    StartNotification();
    // Ops hears about every hold, so each relayed event lands in one inbox.
    SubscribeOps(v1::EVENT_TYPE_STOCK_HELD);
  }

  void SubscribeOps(v1::EventType type) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
    request.mutable_subscription()->set_role(v1::ROLE_OPS);
    request.mutable_subscription()->add_event_types(type);
    v1::CreateSubscriptionResponse response;
    ASSERT_TRUE(
        notification_->Call(&NotificationStub::CreateSubscription, request, &response).ok());
  }

  void StartNotification() {
    notification_ = std::make_unique<NotificationFixture>(
        "notification", notification_database_,
        std::vector<std::string>{"--listen-address",
                                 "127.0.0.1:" + std::to_string(notification_port_)});
    ASSERT_TRUE(notification_->started()) << notification_->log();
  }

  std::unique_ptr<InventoryProcess> StartInventory() {
    auto inventory = std::make_unique<InventoryProcess>(
        "inventory", inventory_database_,
        std::vector<std::string>{"--notification-address",
                                 "127.0.0.1:" + std::to_string(notification_port_),
                                 "--service-token-file", TestTokens().ServiceTokenFile("inventory"),
                                 "--outbox-retry-max-ms", "500"});
    EXPECT_TRUE(inventory->started()) << inventory->log();
    return inventory;
  }

  static void PutItem(InventoryProcess& inventory, const std::string& code) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description(code);
    request.mutable_item()->set_category("audio");
    request.mutable_item()->set_quantity_owned(100000);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(inventory.Call(&InventoryStub::UpsertItem, request, &response).ok());
  }

  // One hold = one STOCK_HELD event in the inventory outbox.
  static void Hold(InventoryProcess& inventory, const std::string& order_id) {
    v1::PlaceHoldRequest hold;
    hold.set_order_id(order_id);
    hold.set_order_revision(1);
    *hold.add_lines() = Line("SPK-12", 1);
    *hold.mutable_window() = Days(0, 2);
    *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                  google::protobuf::util::TimeUtil::SecondsToDuration(3600);
    hold.set_win_probability(0.5);
    v1::PlaceHoldResponse held;
    grpc::Status status =
        inventory.Call(&InventoryStub::PlaceHold, hold, &held, inventory.tokens().service);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The ops inbox, page by page.
  std::vector<v1::Notification> OpsNotifications() {
    std::vector<v1::Notification> notifications;
    std::string token;
    do {
      v1::ListNotificationsRequest request;
      request.set_page_size(1000);
      request.set_page_token(token);
      v1::ListNotificationsResponse response;
      if (!notification_
               ->Call(&NotificationStub::ListNotifications, request, &response,
                      notification_->tokens().ops)
               .ok()) {
        return {};
      }
      notifications.insert(notifications.end(), response.notifications().begin(),
                           response.notifications().end());
      token = response.next_page_token();
    } while (!token.empty());
    return notifications;
  }

  // Every event id in the ops inbox.
  std::vector<std::string> OpsInbox() {
    std::vector<std::string> ids;
    for (const v1::Notification& n : OpsNotifications()) ids.push_back(n.event().event_id());
    return ids;
  }

  int64_t InventoryQuery(const std::string& sql) {
    pqxx::connection connection(inventory_database_->connection_string());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
  }

  std::set<std::string> OutboxEventIds() {
    pqxx::connection connection(inventory_database_->connection_string());
    pqxx::nontransaction tx(connection);
    std::set<std::string> ids;
    for (const pqxx::row& row :
         tx.exec("SELECT event_id::text FROM outbox WHERE event_type = 'EVENT_TYPE_STOCK_HELD'")) {
      ids.insert(row[0].as<std::string>());
    }
    return ids;
  }

  static std::string MetricLine(int port, const std::string& prefix) {
    std::string metrics = FetchMetrics(port);
    size_t at = metrics.find("\n" + prefix);
    if (at == std::string::npos) return "";
    return metrics.substr(at + 1, metrics.find('\n', at + 1) - at - 1);
  }

  std::shared_ptr<TestDatabase> notification_database_;
  std::shared_ptr<TestDatabase> inventory_database_;
  int notification_port_;
  std::unique_ptr<NotificationFixture> notification_;
};

TEST_F(OutboxRelayTest, RequestIdsAreForgottenAfterAWeekAndKeptBefore) {
  // The service makes its tables, then stops; one answer is eight days old, one an hour.
  StartInventory().reset();
  {
    pqxx::connection connection(inventory_database_->connection_string());
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO idempotency_keys (method, request_id, request_hash, response, created_at) "
        "VALUES ('inventory.UpsertItem', 'last-week', 'h', ''::bytea, now() - interval '8 days'), "
        "('inventory.UpsertItem', 'this-morning', 'h', ''::bytea, now() - interval '1 hour')");
    tx.commit();
  }
  // Its relay's periodic pass (the first comes at start) forgets the old one only.
  std::unique_ptr<InventoryProcess> inventory = StartInventory();
  EXPECT_TRUE(Eventually([&] {
    return InventoryQuery("SELECT count(*) FROM idempotency_keys WHERE request_id = 'last-week'") ==
           0;
  })) << inventory->log();
  EXPECT_EQ(
      InventoryQuery("SELECT count(*) FROM idempotency_keys WHERE request_id = 'this-morning'"), 1);
}

TEST_F(OutboxRelayTest, NothingIsLostWhileNotificationIsDown) {
  std::unique_ptr<InventoryProcess> inventory = StartInventory();
  PutItem(*inventory, "SPK-12");
  notification_.reset();  // stopped

  for (int i = 0; i < 1000; ++i) Hold(*inventory, "QUOTE-" + std::to_string(i));
  // All of them wait in the outbox, and the lag shows on /metrics.
  EXPECT_EQ(InventoryQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), 1000);
  EXPECT_EQ(MetricLine(inventory->metrics_port(), "salesops_outbox_pending_events "),
            "salesops_outbox_pending_events 1000");

  StartNotification();
  ASSERT_TRUE(Eventually([&] { return OpsInbox().size() >= 1000; }, std::chrono::seconds(60)));
  std::vector<std::string> inbox = OpsInbox();
  std::set<std::string> unique(inbox.begin(), inbox.end());
  EXPECT_EQ(inbox.size(), 1000u);
  EXPECT_EQ(unique.size(), 1000u) << "an event arrived twice";
  EXPECT_EQ(unique, OutboxEventIds());
  ASSERT_TRUE(Eventually(
      [&] { return InventoryQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0; }));
  EXPECT_EQ(MetricLine(inventory->metrics_port(), "salesops_outbox_pending_events "),
            "salesops_outbox_pending_events 0");
  EXPECT_NE(FetchMetrics(inventory->metrics_port())
                .find("salesops_outbox_relayed_total{outcome=\"sent\"} 1000"),
            std::string::npos);
}

TEST_F(OutboxRelayTest, ARefusedEventIsDeadLetteredAndTheRestOfItsBatchGoesThrough) {
  std::unique_ptr<InventoryProcess> inventory = StartInventory();
  std::string bad_id;
  {
    // An event notification refuses for good (a type it does not know) among good ones, all
    // written in one transaction the way a service writes events: the relay claims them
    // together and notification refuses their batch.
    pqxx::connection connection(inventory_database_->connection_string());
    pqxx::work transaction(connection);
    for (int i = 0; i < 20; ++i) {
      if (i == 7) {
        v1::Event bad;
        bad.set_type(static_cast<v1::EventType>(999));
        bad_id = common::AppendToOutbox(transaction, bad, "inventory").event_id();
      }
      v1::Event good;
      good.set_type(v1::EVENT_TYPE_STOCK_HELD);
      good.set_order_id("Q-" + std::to_string(i));
      common::AppendToOutbox(transaction, good, "inventory");
    }
    transaction.commit();
  }
  ASSERT_TRUE(Eventually([&] { return OpsInbox().size() == 20; }));
  ASSERT_TRUE(Eventually([&] {
    return InventoryQuery("SELECT count(*) FROM outbox WHERE dead_lettered_at IS NOT NULL") == 1;
  }));
  // Set aside with notification's answer after one offer, and not offered again (the relay
  // retries every 500 ms at most).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(InventoryQuery("SELECT count(*) FROM outbox WHERE event_id = '" + bad_id +
                           "' AND dead_lettered_at IS NOT NULL AND attempts = 1 "
                           "AND last_error LIKE 'InvalidArgument: event.type%'"),
            1);
  EXPECT_EQ(InventoryQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL "
                           "AND dead_lettered_at IS NULL"),
            0);
  const int metrics = inventory->metrics_port();
  EXPECT_EQ(MetricLine(metrics, "salesops_outbox_dead_lettered_events "),
            "salesops_outbox_dead_lettered_events 1");
  EXPECT_EQ(MetricLine(metrics, "salesops_outbox_dead_letters_total "),
            "salesops_outbox_dead_letters_total 1");
  EXPECT_EQ(MetricLine(metrics, "salesops_outbox_pending_events "),
            "salesops_outbox_pending_events 0");
  // The log names the event, its type and notification's answer.
  const std::string log = inventory->log();
  const size_t line = log.find("outbox_event_dead_lettered");
  ASSERT_NE(line, std::string::npos) << log;
  const std::string logged = log.substr(line, log.find('\n', line) - line);
  EXPECT_NE(logged.find(bad_id), std::string::npos) << logged;
  EXPECT_NE(logged.find("event_type=999"), std::string::npos) << logged;
  EXPECT_NE(logged.find("InvalidArgument: event.type"), std::string::npos) << logged;
}

TEST_F(OutboxRelayTest, ARelayNotAllowedToPublishKeepsItsEventsAndSaysWhy) {
  // The relay publishes with an ops token: notification answers PERMISSION_DENIED, which is
  // configuration to put right, not a fault of the event.
  const std::string token_file = "/tmp/salesops-ops-token-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(notification_port_);
  std::ofstream(token_file) << TestTokens().ops;
  auto inventory = std::make_unique<InventoryProcess>(
      "inventory", inventory_database_,
      std::vector<std::string>{"--notification-address",
                               "127.0.0.1:" + std::to_string(notification_port_),
                               "--service-token-file", token_file, "--outbox-retry-max-ms", "500"});
  ASSERT_TRUE(inventory->started()) << inventory->log();
  PutItem(*inventory, "SPK-12");
  Hold(*inventory, "Q-1");
  EXPECT_TRUE(Eventually([&] {
    return InventoryQuery(
               "SELECT count(*) FROM outbox WHERE attempts >= 3 "
               "AND last_error LIKE 'PermissionDenied%'") == 1;
  }));
  EXPECT_EQ(InventoryQuery("SELECT count(*) FROM outbox WHERE dead_lettered_at IS NOT NULL"), 0);
  EXPECT_EQ(MetricLine(inventory->metrics_port(), "salesops_outbox_pending_events "),
            "salesops_outbox_pending_events 1");
  EXPECT_NE(inventory->log().find("outbox_event_refused"), std::string::npos);
  std::remove(token_file.c_str());
}

TEST_F(OutboxRelayTest, AReleaseWithALongMultiLineReasonIsDeliveredWithItsSummaryFitted) {
  std::unique_ptr<InventoryProcess> inventory = StartInventory();
  PutItem(*inventory, "SPK-12");
  SubscribeOps(v1::EVENT_TYPE_STOCK_RELEASED);
  Hold(*inventory, "Q-LONG");
  // The longest reason Release takes, over many lines: the summary that quotes it is twice
  // the 1000 bytes an event's summary may hold, and not one line.
  std::string reason;
  for (int i = 0;; ++i) {
    std::string line = "The client cancelled; line " + std::to_string(i) + " of the letter\n";
    if (reason.size() + line.size() > 2000) break;
    reason += line;
  }
  v1::ReleaseRequest release;
  release.set_order_id("Q-LONG");
  release.set_reason(reason);
  v1::ReleaseResponse released;
  ASSERT_TRUE(inventory->Call(&InventoryStub::Release, release, &released).ok());

  v1::Event delivered;
  ASSERT_TRUE(Eventually([&] {
    for (const v1::Notification& n : OpsNotifications()) {
      if (n.event().type() == v1::EVENT_TYPE_STOCK_RELEASED) delivered = n.event();
    }
    return delivered.type() == v1::EVENT_TYPE_STOCK_RELEASED;
  })) << "notification never accepted the release";
  EXPECT_LE(delivered.summary().size(), 1000u);
  EXPECT_EQ(delivered.summary().rfind("Order Q-LONG: stock released (The client cancelled; line 0 "
                                      "of the letter The client",
                                      0),
            0u)
      << delivered.summary();
  EXPECT_EQ(delivered.summary().find('\n'), std::string::npos);
  EXPECT_EQ(InventoryQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), 0);
}

TEST_F(OutboxRelayTest, TwoReplicasShareTheOutboxAndTheReceiverDeduplicates) {
  std::unique_ptr<InventoryProcess> first = StartInventory();
  std::unique_ptr<InventoryProcess> second = StartInventory();
  PutItem(*first, "SPK-12");
  std::thread other([&] {
    for (int i = 0; i < 250; ++i) Hold(*second, "B-" + std::to_string(i));
  });
  for (int i = 0; i < 250; ++i) Hold(*first, "A-" + std::to_string(i));
  other.join();
  ASSERT_TRUE(Eventually([&] { return OpsInbox().size() >= 500; }, std::chrono::seconds(60)));
  ASSERT_TRUE(Eventually(
      [&] { return InventoryQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0; }));
  const int notification_metrics = notification_->metrics_port();
  // The normal case: each event was sent by exactly one replica.
  EXPECT_EQ(MetricLine(notification_metrics, "salesops_notification_events_received_total"),
            "salesops_notification_events_received_total{outcome=\"stored\"} 500");
  EXPECT_EQ(FetchMetrics(notification_metrics).find("outcome=\"duplicate\""), std::string::npos);

  // A replica that crashed after sending and before marking: its events go
  // out again once their lease is gone; notification acknowledges and drops them.
  ASSERT_EQ(InventoryQuery("WITH resent AS (UPDATE outbox SET sent_at = NULL, "
                           "next_attempt_at = now() WHERE id IN (SELECT id FROM outbox ORDER BY id "
                           "LIMIT 50) RETURNING 1) SELECT count(*) FROM resent"),
            50);
  ASSERT_TRUE(Eventually([&] {
    return FetchMetrics(notification_metrics)
               .find("salesops_notification_events_received_total{outcome=\"duplicate\"} 50") !=
           std::string::npos;
  }));
  std::vector<std::string> inbox = OpsInbox();
  EXPECT_EQ(inbox.size(), 500u);
  EXPECT_EQ(std::set<std::string>(inbox.begin(), inbox.end()), OutboxEventIds());
}

}  // namespace
}  // namespace salesops::testing
