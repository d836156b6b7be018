// The notification API against a real process and PostgreSQL: publishing,
// subscriptions and who may make them, the inbox, the resumable stream.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "services/common/grpc_errors.h"
#include "tests/notification/notification_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::NotificationService::Stub;

class NotificationApiTest : public ::testing::Test {
 protected:
  NotificationApiTest()
      : notification_("notification", std::make_shared<TestDatabase>(),
                      {"--max-event-bytes", "4096"}) {}

  void SetUp() override { ASSERT_TRUE(notification_.started()) << notification_.log(); }

  grpc::Status Publish(const v1::Event& event, v1::PublishResponse* response = nullptr) {
    v1::PublishRequest request;
    *request.mutable_event() = event;
    v1::PublishResponse ignored;
    return notification_.Call(&Stub::Publish, request, response ? response : &ignored,
                              notification_.tokens().service);
  }

  absl::StatusOr<v1::Subscription> Subscribe(v1::Subscription subscription,
                                             const std::string& token,
                                             const std::string& secret = "",
                                             const std::string& request_id = "") {
    v1::CreateSubscriptionRequest request;
    *request.mutable_subscription() = std::move(subscription);
    request.set_webhook_secret(secret);
    request.set_request_id(request_id);
    v1::CreateSubscriptionResponse response;
    grpc::Status status = notification_.Call(&Stub::CreateSubscription, request, &response, token);
    if (!status.ok())
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    return response.subscription();
  }

  static v1::Subscription InboxSubscription(std::vector<v1::EventType> types, v1::Role role = {},
                                            const std::string& person = "") {
    v1::Subscription subscription;
    subscription.set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
    for (v1::EventType type : types) subscription.add_event_types(type);
    subscription.set_role(role);
    subscription.set_person_id(person);
    return subscription;
  }

  v1::ListNotificationsResponse Inbox(const std::string& token, int page_size = 0,
                                      const std::string& page_token = "",
                                      bool unacknowledged_only = false) {
    v1::ListNotificationsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    request.set_unacknowledged_only(unacknowledged_only);
    v1::ListNotificationsResponse response;
    grpc::Status status = notification_.Call(&Stub::ListNotifications, request, &response, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<std::string> InboxEventIds(const std::string& token) {
    std::vector<std::string> ids;
    v1::ListNotificationsResponse inbox = Inbox(token, 1000);
    for (const v1::Notification& n : inbox.notifications()) {
      ids.push_back(n.event().event_id());
    }
    return ids;
  }

  NotificationFixture notification_;
};

TEST_F(NotificationApiTest, PublishStoresAnEventOnceAndAcknowledgesDuplicates) {
  ASSERT_TRUE(
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}), notification_.tokens().sales)
          .ok());
  v1::Event event = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "1042", "Order 1042 confirmed");
  v1::PublishResponse first, second;
  ASSERT_TRUE(Publish(event, &first).ok());
  EXPECT_FALSE(first.duplicate());
  EXPECT_EQ(first.matched_subscription_count(), 1);
  ASSERT_TRUE(Publish(event, &second).ok());
  EXPECT_TRUE(second.duplicate());

  EXPECT_EQ(InboxEventIds(notification_.tokens().sales),
            std::vector<std::string>{event.event_id()});
  std::string metrics = FetchMetrics(notification_.metrics_port());
  EXPECT_NE(metrics.find("salesops_notification_events_received_total{outcome=\"duplicate\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("salesops_notification_events_received_total{outcome=\"stored\"} 1"),
            std::string::npos);
}

TEST_F(NotificationApiTest, BadEventsAreRefusedByFieldAndStoreNothing) {
  ASSERT_TRUE(Subscribe(InboxSubscription({}, {}, ""), notification_.tokens().ops).ok());
  struct Case {
    std::string name;
    std::function<void(v1::Event&)> spoil;
    std::string field;
  };
  std::vector<Case> cases = {
      {"unknown type", [](v1::Event& e) { e.set_type(static_cast<v1::EventType>(999)); },
       "event.type"},
      {"no type", [](v1::Event& e) { e.set_type(v1::EVENT_TYPE_UNSPECIFIED); }, "event.type"},
      {"no id", [](v1::Event& e) { e.clear_event_id(); }, "event.event_id"},
      {"no time", [](v1::Event& e) { e.clear_occur_time(); }, "event.occur_time"},
      {"oversized",
       [](v1::Event& e) {
         for (int i = 0; i < 300; ++i) {
           *e.mutable_stock()->add_lines() = [] {
             v1::InventoryLine line;
             line.set_inventory_code("LED-PANEL-500");
             line.set_quantity(1);
             return line;
           }();
         }
       },
       "event"},
  };
  for (const Case& bad : cases) {
    v1::Event event = MakeEvent(v1::EVENT_TYPE_STOCK_HELD, "7");
    bad.spoil(event);
    grpc::Status status = Publish(event);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.name;
    common::ErrorDetails details = common::ParseGrpcError(status);
    ASSERT_FALSE(details.violations.empty()) << bad.name;
    EXPECT_EQ(details.violations.front().field, bad.field) << bad.name;
  }
  EXPECT_TRUE(InboxEventIds(notification_.tokens().ops).empty());
  // Only services publish.
  v1::PublishRequest request;
  *request.mutable_event() = MakeEvent(v1::EVENT_TYPE_STOCK_HELD);
  v1::PublishResponse response;
  EXPECT_EQ(notification_.Call(&Stub::Publish, request, &response, notification_.tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(NotificationApiTest, PublishBatchIsOneTransactionThatNamesABadEvent) {
  ASSERT_TRUE(
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}), notification_.tokens().sales)
          .ok());
  v1::Event first = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "1");
  v1::Event second = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "2");
  v1::Event bad = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "3");
  bad.set_type(static_cast<v1::EventType>(999));
  v1::PublishBatchRequest request;
  *request.add_events() = first;
  *request.add_events() = bad;
  v1::PublishBatchResponse response;
  grpc::Status status =
      notification_.Call(&Stub::PublishBatch, request, &response, notification_.tokens().service);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "events[1].type");
  EXPECT_TRUE(InboxEventIds(notification_.tokens().sales).empty()) << "half a batch was stored";

  // The same event twice in a batch, and one already stored: each stored once.
  ASSERT_TRUE(Publish(first).ok());
  request.clear_events();
  *request.add_events() = first;
  *request.add_events() = second;
  *request.add_events() = second;
  ASSERT_TRUE(
      notification_.Call(&Stub::PublishBatch, request, &response, notification_.tokens().service)
          .ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_TRUE(response.results(0).duplicate());
  EXPECT_FALSE(response.results(1).duplicate());
  EXPECT_EQ(response.results(1).matched_subscription_count(), 1);
  EXPECT_TRUE(response.results(2).duplicate());
  std::vector<std::string> inbox = InboxEventIds(notification_.tokens().sales);
  EXPECT_EQ(std::multiset<std::string>(inbox.begin(), inbox.end()),
            (std::multiset<std::string>{first.event_id(), second.event_id()}));
}

TEST_F(NotificationApiTest, BuiltInDefaultsTellOpsAndSalesWhatTheyMustKnow) {
  const TestTokens& tokens = notification_.tokens();
  v1::Event before_prep = MakeEvent(v1::EVENT_TYPE_ORDER_AMENDED, "1042");
  before_prep.mutable_order_changed()->set_prep_underway(false);
  v1::Event after_prep = MakeEvent(v1::EVENT_TYPE_ORDER_AMENDED, "1042");
  after_prep.mutable_order_changed()->set_prep_underway(true);
  v1::InventoryLine* more = after_prep.mutable_order_changed()->mutable_impact()->add_pull_more();
  more->set_inventory_code("LED-PANEL-500");
  more->set_quantity(4);
  v1::Event question = MakeEvent(v1::EVENT_TYPE_QUESTION_ASKED, "1042");
  question.mutable_question()->set_question_text("Where is the loading dock?");
  v1::Event shortage = MakeEvent(v1::EVENT_TYPE_SHORTAGE_DETECTED, "1042");
  v1::Event at_risk = MakeEvent(v1::EVENT_TYPE_TASK_AT_RISK, "1042");
  v1::Event reserved = MakeEvent(v1::EVENT_TYPE_STOCK_RESERVED, "1042");
  for (const v1::Event& event : {before_prep, after_prep, question, shortage, at_risk, reserved}) {
    ASSERT_TRUE(Publish(event).ok());
  }
  std::vector<std::string> ops_ids = InboxEventIds(tokens.ops);
  std::vector<std::string> sales_ids = InboxEventIds(tokens.sales);
  EXPECT_EQ(std::set<std::string>(ops_ids.begin(), ops_ids.end()),
            (std::set<std::string>{after_prep.event_id(), question.event_id()}));
  EXPECT_EQ(std::set<std::string>(sales_ids.begin(), sales_ids.end()),
            (std::set<std::string>{question.event_id(), shortage.event_id(), at_risk.event_id()}));

  // The warehouse reads what changed without opening anything else.
  v1::ListNotificationsResponse inbox = Inbox(tokens.ops);
  bool found = false;
  for (const v1::Notification& n : inbox.notifications()) {
    if (n.event().event_id() == after_prep.event_id()) {
      found = true;
      EXPECT_EQ(n.summary(),
                "Order 1042 rev 1: changed, prep already underway, +4 LED-PANEL-500 to pull");
      EXPECT_EQ(n.recipient_id(), "ROLE_OPS");
      EXPECT_EQ(n.subscription_id(), "builtin-ops-changes-after-prep");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(NotificationApiTest, SubscriptionRulesNameTheFieldOrTheRole) {
  const TestTokens& tokens = notification_.tokens();
  auto webhook = [](const std::string& url) {
    v1::Subscription subscription;
    subscription.set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
    subscription.mutable_webhook()->set_url(url);
    return subscription;
  };
  const std::string secret = "a-long-enough-shared-secret";
  auto field_of = [&](v1::Subscription subscription, const std::string& with_secret) {
    v1::CreateSubscriptionRequest request;
    *request.mutable_subscription() = std::move(subscription);
    request.set_webhook_secret(with_secret);
    v1::CreateSubscriptionResponse response;
    grpc::Status status = notification_.Call(&Stub::CreateSubscription, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    common::ErrorDetails details = common::ParseGrpcError(status);
    return details.violations.empty() ? std::string() : details.violations.front().field;
  };
  EXPECT_EQ(field_of(webhook("ftp://hooks.example.com/x"), secret), "subscription.webhook.url");
  EXPECT_EQ(field_of(webhook("https://me:pw@hooks.example.com/x"), secret),
            "subscription.webhook.url");
  EXPECT_EQ(field_of(webhook("https://hooks.example.com/x"), "short"), "webhook_secret");
  v1::Subscription unknown_type = webhook("https://hooks.example.com/x");
  unknown_type.add_event_types(static_cast<v1::EventType>(777));
  EXPECT_EQ(field_of(unknown_type, secret), "subscription.event_types[0]");
  EXPECT_EQ(field_of(v1::Subscription(), ""), "subscription.channel");
  v1::Subscription service;
  service.set_channel(v1::SUBSCRIPTION_CHANNEL_SERVICE);
  service.mutable_service()->set_address("no-port");
  EXPECT_EQ(field_of(service, ""), "subscription.service.address");

  // Webhooks are ADMIN configuration; people subscribe themselves, not roles or others.
  EXPECT_EQ(Subscribe(webhook("https://hooks.example.com/x"), tokens.sales, secret).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Subscribe(InboxSubscription({}, v1::ROLE_OPS), tokens.sales).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Subscribe(InboxSubscription({}, {}, "ops-1"), tokens.sales).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::Subscription> mine =
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}), tokens.sales);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->person_id(), "seller-1");
  EXPECT_EQ(mine->created_by().id(), "seller-1");

  // The secret is write-only.
  absl::StatusOr<v1::Subscription> hook =
      Subscribe(webhook("https://hooks.example.com/x"), tokens.admin, secret);
  ASSERT_TRUE(hook.ok()) << hook.status();
  EXPECT_TRUE(hook->webhook().secret_set());
  EXPECT_EQ(hook->webhook().secret_fingerprint().size(), 8u);

  // Sales sees its own and its role's built-ins; ADMIN sees everything.
  auto listed = [&](const std::string& token) {
    v1::ListSubscriptionsRequest request;
    v1::ListSubscriptionsResponse response;
    EXPECT_TRUE(notification_.Call(&Stub::ListSubscriptions, request, &response, token).ok());
    std::set<std::string> ids;
    for (const v1::Subscription& s : response.subscriptions()) {
      ids.insert(s.subscription_id());
      EXPECT_EQ(s.DebugString().find(secret), std::string::npos);
    }
    return ids;
  };
  std::set<std::string> sales_sees = listed(tokens.sales);
  EXPECT_TRUE(sales_sees.contains(mine->subscription_id()));
  EXPECT_TRUE(sales_sees.contains("builtin-sales-shortages"));
  EXPECT_FALSE(sales_sees.contains("builtin-ops-changes-after-prep"));
  EXPECT_FALSE(sales_sees.contains(hook->subscription_id()));
  std::set<std::string> admin_sees = listed(tokens.admin);
  EXPECT_TRUE(admin_sees.contains(hook->subscription_id()));
  EXPECT_TRUE(admin_sees.contains("builtin-ops-changes-after-prep"));

  // Deleting: built-ins are ADMIN's; one's own is fine, and a second time it is NOT_FOUND.
  auto remove = [&](const std::string& id, const std::string& token) {
    v1::DeleteSubscriptionRequest request;
    request.set_subscription_id(id);
    v1::DeleteSubscriptionResponse response;
    return notification_.Call(&Stub::DeleteSubscription, request, &response, token).error_code();
  };
  EXPECT_EQ(remove("builtin-sales-shortages", tokens.sales), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(remove(hook->subscription_id(), tokens.sales), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(remove(mine->subscription_id(), tokens.sales), grpc::StatusCode::OK);
  EXPECT_EQ(remove(mine->subscription_id(), tokens.sales), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(remove("no-such-subscription", tokens.admin), grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(listed(tokens.sales).contains(mine->subscription_id()));
}

TEST_F(NotificationApiTest, CreateSubscriptionReplaysByRequestId) {
  const TestTokens& tokens = notification_.tokens();
  absl::StatusOr<v1::Subscription> first =
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_QUOTED}), tokens.ops, "", "req-77");
  absl::StatusOr<v1::Subscription> again =
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_QUOTED}), tokens.ops, "", "req-77");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->subscription_id(), again->subscription_id());
  v1::CreateSubscriptionRequest different;
  *different.mutable_subscription() = InboxSubscription({v1::EVENT_TYPE_ORDER_CANCELLED});
  different.set_request_id("req-77");
  v1::CreateSubscriptionResponse response;
  grpc::Status reused =
      notification_.Call(&Stub::CreateSubscription, different, &response, tokens.ops);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(reused).reason, "REQUEST_ID_REUSED");
}

TEST_F(NotificationApiTest, InboxPagesNewestFirstAndCountsWhatIsUnread) {
  const TestTokens& tokens = notification_.tokens();
  ASSERT_TRUE(Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}), tokens.sales).ok());
  std::vector<std::string> published;
  for (int i = 0; i < 7; ++i) {
    v1::Event event = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "O-" + std::to_string(i));
    ASSERT_TRUE(Publish(event).ok());
    published.push_back(event.event_id());
  }
  std::vector<std::string> seen;
  std::string page_token;
  int pages = 0;
  do {
    v1::ListNotificationsResponse page = Inbox(tokens.sales, 3, page_token);
    EXPECT_EQ(page.unacknowledged_count(), 7);
    for (const v1::Notification& n : page.notifications()) seen.push_back(n.event().event_id());
    page_token = page.next_page_token();
    ++pages;
  } while (!page_token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, std::vector<std::string>(published.rbegin(), published.rend()));

  v1::ListNotificationsResponse all = Inbox(tokens.sales);
  v1::AckNotificationRequest ack;
  ack.add_notification_ids(all.notifications(0).notification_id());
  ack.add_notification_ids(all.notifications(1).notification_id());
  v1::AckNotificationResponse acked;
  ASSERT_TRUE(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.sales).ok());
  EXPECT_EQ(acked.acknowledged_count(), 2);
  ASSERT_TRUE(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.sales).ok());
  v1::ListNotificationsResponse unread = Inbox(tokens.sales, 0, "", /*unacknowledged_only=*/true);
  EXPECT_EQ(unread.unacknowledged_count(), 5);
  EXPECT_EQ(unread.notifications_size(), 5);
  EXPECT_TRUE(Inbox(tokens.sales).notifications(0).acknowledged());

  // Someone else's notification, and something that is no id at all.
  EXPECT_EQ(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.ops).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::AckNotificationRequest bad;
  bad.add_notification_ids("abc");
  grpc::Status status = notification_.Call(&Stub::AckNotification, bad, &acked, tokens.sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "notification_ids[0]");
  // ADMIN may read a person's inbox; nobody else may.
  v1::ListNotificationsRequest theirs;
  theirs.set_recipient_id("seller-1");
  v1::ListNotificationsResponse response;
  EXPECT_EQ(
      notification_.Call(&Stub::ListNotifications, theirs, &response, tokens.ops).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(notification_.Call(&Stub::ListNotifications, theirs, &response, tokens.admin).ok());
  EXPECT_EQ(response.notifications_size(), 7);
}

// Reads the stream until `count` notifications arrived (or 30 s passed), then
// hangs up, as a client that goes away does.
std::vector<v1::Notification> Watch(Stub& stub, const std::string& token, const std::string& cursor,
                                    size_t count, const std::function<void()>& once_open = {}) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchNotificationsRequest request;
  request.set_cursor(cursor);
  auto reader = stub.WatchNotifications(&context, request);
  reader->WaitForInitialMetadata();
  if (once_open) once_open();
  std::vector<v1::Notification> received;
  v1::WatchNotificationsResponse message;
  while (received.size() < count && reader->Read(&message)) {
    received.push_back(message.notification());
  }
  context.TryCancel();
  reader->Finish();
  return received;
}

TEST_F(NotificationApiTest, OneCallerHoldsAtMostFourLiveStreams) {
  const TestTokens& tokens = notification_.tokens();
  struct OpenStream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::WatchNotificationsResponse>> reader;
  };
  auto open = [&](const std::string& token) {
    auto stream = std::make_unique<OpenStream>();
    stream->context.AddMetadata("authorization", "Bearer " + token);
    stream->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    stream->reader =
        notification_.stub().WatchNotifications(&stream->context, v1::WatchNotificationsRequest());
    return stream;
  };
  std::vector<std::unique_ptr<OpenStream>> streams;
  for (int i = 0; i < 4; ++i) {
    streams.push_back(open(tokens.sales));
    streams.back()->reader->WaitForInitialMetadata();  // subscribed
  }
  std::unique_ptr<OpenStream> fifth = open(tokens.sales);
  v1::WatchNotificationsResponse message;
  EXPECT_FALSE(fifth->reader->Read(&message));
  grpc::Status refused = fifth->reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(common::ParseGrpcError(refused).reason, "LIMIT_REACHED");
  // Another caller is not held up by the first one's streams.
  std::unique_ptr<OpenStream> other = open(tokens.ops);
  other->reader->WaitForInitialMetadata();
  // A closed stream gives its place back.
  streams.back()->context.TryCancel();
  streams.back()->reader->Finish();
  streams.pop_back();
  EXPECT_TRUE(Eventually([&] {
    std::unique_ptr<OpenStream> again = open(tokens.sales);
    again->reader->WaitForInitialMetadata();
    again->context.TryCancel();
    return again->reader->Finish().error_code() == grpc::StatusCode::CANCELLED;
  }));
  for (auto& stream : streams) stream->context.TryCancel();
  for (auto& stream : streams) stream->reader->Finish();
  other->context.TryCancel();
  other->reader->Finish();
}

TEST_F(NotificationApiTest, StreamResumesFromItsCursorMissingNothingInOrder) {
  const TestTokens& tokens = notification_.tokens();
  v1::Subscription stream;
  stream.set_channel(v1::SUBSCRIPTION_CHANNEL_STREAM);
  stream.add_event_types(v1::EVENT_TYPE_ORDER_STAGE_CHANGED);
  ASSERT_TRUE(Subscribe(stream, tokens.sales).ok());

  // Four publishers at once, so rows commit out of id order.
  std::mutex mutex;
  std::map<int, std::vector<std::string>> by_publisher;
  auto publish = [&](int round) {
    std::vector<std::thread> publishers;
    for (int p = 0; p < 4; ++p) {
      publishers.emplace_back([&, p] {
        for (int i = 0; i < 25; ++i) {
          v1::Event event = MakeEvent(v1::EVENT_TYPE_ORDER_STAGE_CHANGED,
                                      "R" + std::to_string(round) + "-" + std::to_string(p));
          ASSERT_TRUE(Publish(event).ok());
          std::lock_guard<std::mutex> lock(mutex);
          by_publisher[round * 10 + p].push_back(event.event_id());
        }
      });
    }
    for (std::thread& t : publishers) t.join();
  };

  std::vector<v1::Notification> first;
  std::thread watcher;
  {
    std::promise<void> open;
    watcher = std::thread([&] {
      first = Watch(notification_.stub(), tokens.sales, "", 60, [&] { open.set_value(); });
    });
    open.get_future().wait();
  }
  publish(0);  // 100 events; the client hangs up after 60
  watcher.join();
  ASSERT_EQ(first.size(), 60u);
  publish(1);  // 100 more while it is away
  std::vector<v1::Notification> rest =
      Watch(notification_.stub(), tokens.sales, first.back().cursor(), 140);
  ASSERT_EQ(rest.size(), 140u);

  std::vector<std::string> stream_ids;
  for (const auto* part : {&first, &rest}) {
    for (const v1::Notification& n : *part) stream_ids.push_back(n.event().event_id());
  }
  std::set<std::string> unique(stream_ids.begin(), stream_ids.end());
  EXPECT_EQ(unique.size(), 200u) << "an event came twice";
  // Each publisher's events come in the order it published them.
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < stream_ids.size(); ++i) position[stream_ids[i]] = i;
  for (const auto& [publisher, ids] : by_publisher) {
    ASSERT_EQ(ids.size(), 25u);
    for (size_t i = 1; i < ids.size(); ++i) {
      ASSERT_TRUE(position.contains(ids[i])) << "missed an event";
      EXPECT_LT(position[ids[i - 1]], position[ids[i]]) << "publisher " << publisher;
    }
  }

  // A cursor this service never gave out.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + tokens.sales);
  v1::WatchNotificationsRequest bad;
  bad.set_cursor("yesterday");
  auto reader = notification_.stub().WatchNotifications(&context, bad);
  v1::WatchNotificationsResponse message;
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "cursor");
}

// A crew member (role CREW) reads what is addressed to them by person and nothing else: crew
// have no role inbox, and never manage subscriptions.
TEST_F(NotificationApiTest, ACrewMemberReadsOnlyTheirOwnInbox) {
  const TestTokens& tokens = notification_.tokens();
  absl::StatusOr<v1::Subscription> all_crew =
      Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}, v1::ROLE_CREW), tokens.admin);
  EXPECT_EQ(all_crew.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}), tokens.crew_ann)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  for (const char* person : {TestTokens::kCrewAnn, TestTokens::kCrewBen}) {
    ASSERT_TRUE(
        Subscribe(InboxSubscription({v1::EVENT_TYPE_ORDER_CONFIRMED}, {}, person), tokens.admin)
            .ok());
  }
  ASSERT_TRUE(Publish(MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "O-CREW")).ok());

  v1::ListNotificationsResponse anns = Inbox(tokens.crew_ann);
  v1::ListNotificationsResponse bens = Inbox(tokens.crew_ben);
  ASSERT_EQ(anns.notifications_size(), 1);
  ASSERT_EQ(bens.notifications_size(), 1);
  EXPECT_NE(anns.notifications(0).notification_id(), bens.notifications(0).notification_id());

  // Ben's inbox is not Ann's to read, nor his notifications hers to acknowledge.
  v1::ListNotificationsRequest theirs;
  theirs.set_recipient_id(TestTokens::kCrewBen);
  v1::ListNotificationsResponse response;
  EXPECT_EQ(
      notification_.Call(&Stub::ListNotifications, theirs, &response, tokens.crew_ann).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::AckNotificationRequest ack;
  ack.add_notification_ids(bens.notifications(0).notification_id());
  v1::AckNotificationResponse acked;
  EXPECT_EQ(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.crew_ann).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ack.set_notification_ids(0, anns.notifications(0).notification_id());
  EXPECT_TRUE(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.crew_ann).ok());
  EXPECT_FALSE(Inbox(tokens.crew_ben).notifications(0).acknowledged());

  v1::ListSubscriptionsResponse subscriptions;
  EXPECT_EQ(notification_
                .Call(&Stub::ListSubscriptions, v1::ListSubscriptionsRequest(), &subscriptions,
                      tokens.crew_ann)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Issue 20: an event addressed to people lands in each one's inbox once, whatever the
// subscriptions, and is refused whole when an addressee is not a plausible person id.
TEST_F(NotificationApiTest, AnEventAddressedToPeopleReachesEachInboxOnce) {
  const TestTokens& tokens = notification_.tokens();
  // Ann also subscribed (by ADMIN) to her offers; OPS watches every offer sent.
  absl::StatusOr<v1::Subscription> anns = Subscribe(
      InboxSubscription({v1::EVENT_TYPE_CREW_OFFER_SENT}, {}, TestTokens::kCrewAnn), tokens.admin);
  ASSERT_TRUE(anns.ok()) << anns.status();
  ASSERT_TRUE(
      Subscribe(InboxSubscription({v1::EVENT_TYPE_CREW_OFFER_SENT}, v1::ROLE_OPS), tokens.admin)
          .ok());
  v1::Event offer = MakeEvent(v1::EVENT_TYPE_CREW_OFFER_SENT, "1040", "Offer to ann: SETUP");
  for (const char* person : {TestTokens::kCrewAnn, "sam-freelance", TestTokens::kCrewAnn}) {
    offer.add_recipient_person_ids(person);
  }
  v1::PublishResponse published;
  ASSERT_TRUE(Publish(offer, &published).ok());
  EXPECT_EQ(published.matched_subscription_count(), 2);

  // Ann: one notification, named by her own subscription; Ben: nothing.
  v1::ListNotificationsResponse anns_inbox = Inbox(tokens.crew_ann);
  ASSERT_EQ(anns_inbox.notifications_size(), 1);
  EXPECT_EQ(anns_inbox.notifications(0).subscription_id(), anns->subscription_id());
  EXPECT_EQ(anns_inbox.notifications(0).summary(), "Offer to ann: SETUP");
  EXPECT_EQ(Inbox(tokens.crew_ben).notifications_size(), 0);
  // Sam, who has no subscription at all, has it by name (ADMIN reads his inbox).
  v1::ListNotificationsRequest sams;
  sams.set_recipient_id("sam-freelance");
  v1::ListNotificationsResponse sams_inbox;
  ASSERT_TRUE(notification_.Call(&Stub::ListNotifications, sams, &sams_inbox, tokens.admin).ok());
  ASSERT_EQ(sams_inbox.notifications_size(), 1);
  EXPECT_EQ(sams_inbox.notifications(0).event().event_id(), offer.event_id());
  EXPECT_EQ(sams_inbox.notifications(0).subscription_id(), "");
  // OPS by role, as subscribed.
  EXPECT_EQ(InboxEventIds(tokens.ops), std::vector<std::string>{offer.event_id()});
  // An addressee acknowledges their own copy.
  v1::AckNotificationRequest ack;
  ack.add_notification_ids(anns_inbox.notifications(0).notification_id());
  v1::AckNotificationResponse acked;
  EXPECT_TRUE(notification_.Call(&Stub::AckNotification, ack, &acked, tokens.crew_ann).ok());
  EXPECT_EQ(Inbox(tokens.crew_ann, 0, "", true).notifications_size(), 0);

  struct Case {
    std::string name;
    std::function<void(v1::Event&)> spoil;
    std::string field;
  };
  std::vector<Case> cases = {
      {"empty id", [](v1::Event& e) { e.add_recipient_person_ids(""); },
       "event.recipient_person_ids[1]"},
      {"control character", [](v1::Event& e) { e.add_recipient_person_ids("ann\nOffer to ben"); },
       "event.recipient_person_ids[1]"},
      {"too long", [](v1::Event& e) { e.add_recipient_person_ids(std::string(101, 'a')); },
       "event.recipient_person_ids[1]"},
      {"too many",
       [](v1::Event& e) {
         for (int i = 0; i < 100; ++i) e.add_recipient_person_ids("p" + std::to_string(i));
       },
       "event.recipient_person_ids"},
  };
  for (const Case& bad : cases) {
    v1::Event event = MakeEvent(v1::EVENT_TYPE_CREW_OFFER_SENT, "1040");
    event.add_recipient_person_ids(TestTokens::kCrewBen);
    bad.spoil(event);
    grpc::Status status = Publish(event);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.name;
    common::ErrorDetails details = common::ParseGrpcError(status);
    ASSERT_FALSE(details.violations.empty()) << bad.name;
    EXPECT_EQ(details.violations.front().field, bad.field) << bad.name;
  }
  EXPECT_EQ(Inbox(tokens.crew_ben).notifications_size(), 0) << "a refused event reached Ben";
}

}  // namespace
}  // namespace salesops::testing
