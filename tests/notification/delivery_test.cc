// Webhook and service deliveries against real receivers: retries with
// signatures, dead letters and their retry, a hanging receiver, EventSink.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "services/common/grpc_errors.h"
#include "services/notification/webhook.h"
#include "tests/notification/notification_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::NotificationService::Stub;
constexpr char kSecret[] = "whsec-test-0123456789abcdef";

class DeliveryTest : public ::testing::Test {
 protected:
  explicit DeliveryTest(std::vector<std::string> extra_args = QuickDeliveryArgs())
      : notification_("notification", std::make_shared<TestDatabase>(), extra_args) {}

  void SetUp() override { ASSERT_TRUE(notification_.started()) << notification_.log(); }

  std::string SubscribeWebhook(const std::string& url, v1::EventType type) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
    request.mutable_subscription()->mutable_webhook()->set_url(url);
    request.mutable_subscription()->add_event_types(type);
    request.set_webhook_secret(kSecret);
    v1::CreateSubscriptionResponse response;
    grpc::Status status = notification_.Call(&Stub::CreateSubscription, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.subscription().subscription_id();
  }

  grpc::Status TrySubscribeWebhook(const std::string& url) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
    request.mutable_subscription()->mutable_webhook()->set_url(url);
    request.mutable_subscription()->add_event_types(v1::EVENT_TYPE_ORDER_CONFIRMED);
    request.set_webhook_secret(kSecret);
    v1::CreateSubscriptionResponse response;
    return notification_.Call(&Stub::CreateSubscription, request, &response);
  }

  // ADMIN subscribes an EventSink (allowed only for the operator's allow-list).
  grpc::Status SubscribeService(const std::string& address, v1::EventType type,
                                const std::string& token = "") {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_SERVICE);
    request.mutable_subscription()->mutable_service()->set_address(address);
    request.mutable_subscription()->add_event_types(type);
    v1::CreateSubscriptionResponse response;
    return notification_.Call(&Stub::CreateSubscription, request, &response, token);
  }

  void Publish(const v1::Event& event) {
    v1::PublishRequest request;
    *request.mutable_event() = event;
    v1::PublishResponse response;
    ASSERT_TRUE(
        notification_.Call(&Stub::Publish, request, &response, notification_.tokens().service)
            .ok());
  }

  std::vector<v1::DeadLetter> DeadLetters(bool include_retried = false) {
    v1::ListDeadLettersRequest request;
    request.set_include_retried(include_retried);
    v1::ListDeadLettersResponse response;
    EXPECT_TRUE(notification_.Call(&Stub::ListDeadLetters, request, &response).ok());
    return {response.dead_letters().begin(), response.dead_letters().end()};
  }

  NotificationFixture notification_;
};

TEST_F(DeliveryTest, FlakyWebhookGetsTheEventOnceSignedAfterRetries) {
  HttpReceiver receiver({500, 502, 503, 204});
  SubscribeWebhook(receiver.url(), v1::EVENT_TYPE_ORDER_CONFIRMED);
  v1::Event event = MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "1042", "Order 1042 confirmed");
  Publish(event);
  ASSERT_TRUE(Eventually([&] { return receiver.requests().size() >= 4; }));
  // Delivered on the 4th attempt: nothing more comes after the success.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::vector<HttpReceiver::Request> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (size_t i = 0; i < requests.size(); ++i) {
    HttpReceiver::Request& request = requests[i];
    EXPECT_EQ(request.headers["salesops-event-id"], event.event_id());
    EXPECT_EQ(request.headers["salesops-delivery-attempt"], std::to_string(i + 1));
    EXPECT_EQ(request.headers["content-type"], "application/json");
    // The receiver's check: HMAC of "<timestamp>.<body>" with the shared secret.
    const int64_t timestamp = std::stoll(request.headers["salesops-timestamp"]);
    EXPECT_EQ(request.headers["salesops-signature"],
              notification::WebhookSignature(kSecret, timestamp, request.body));
    EXPECT_NE(request.headers["salesops-signature"],
              notification::WebhookSignature("another-secret-entirely", timestamp, request.body));
    nlohmann::json body = nlohmann::json::parse(request.body);
    EXPECT_EQ(body["eventId"], event.event_id());
    EXPECT_EQ(body["type"], "EVENT_TYPE_ORDER_CONFIRMED");
    EXPECT_EQ(body["summary"], "Order 1042 confirmed");
  }
  EXPECT_TRUE(DeadLetters().empty());
  std::string metrics = FetchMetrics(notification_.metrics_port());
  EXPECT_NE(metrics.find(
                "salesops_notification_deliveries_total{channel=\"webhook\",outcome=\"failed\"} 3"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("salesops_notification_deliveries_total{channel=\"webhook\",outcome="
                         "\"delivered\"} 1"),
            std::string::npos);
}

TEST_F(DeliveryTest, WebhookThatAlwaysFailsBecomesADeadLetterAndCanBeRetried) {
  HttpReceiver receiver({500});
  const std::string subscription =
      SubscribeWebhook(receiver.url(), v1::EVENT_TYPE_SHORTAGE_DETECTED);
  v1::Event event = MakeEvent(v1::EVENT_TYPE_SHORTAGE_DETECTED, "77");
  Publish(event);
  ASSERT_TRUE(Eventually([&] { return DeadLetters().size() == 1; }));
  std::vector<v1::DeadLetter> letters = DeadLetters();
  EXPECT_EQ(letters[0].subscription_id(), subscription);
  EXPECT_EQ(letters[0].event().event_id(), event.event_id());
  EXPECT_EQ(letters[0].channel(), v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
  ASSERT_EQ(letters[0].attempts_size(), 4);  // --delivery-max-attempts 4
  for (const v1::DeliveryAttempt& attempt : letters[0].attempts()) {
    EXPECT_EQ(attempt.http_status(), 500);
    EXPECT_EQ(attempt.error(), "HTTP 500");
  }
  EXPECT_EQ(receiver.requests().size(), 4u);
  EXPECT_NE(FetchMetrics(notification_.metrics_port())
                .find("salesops_notification_dead_letters_total{channel=\"webhook\"} 1"),
            std::string::npos);

  // Only ADMIN sees dead letters.
  v1::ListDeadLettersRequest list;
  v1::ListDeadLettersResponse listed;
  EXPECT_EQ(notification_.Call(&Stub::ListDeadLetters, list, &listed, notification_.tokens().ops)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // After "fixing the receiver" (it still fails here), a retry runs a new round.
  v1::RetryDeadLetterRequest retry;
  retry.set_dead_letter_id(letters[0].dead_letter_id());
  v1::RetryDeadLetterResponse retried;
  ASSERT_TRUE(notification_.Call(&Stub::RetryDeadLetter, retry, &retried).ok());
  EXPECT_TRUE(retried.dead_letter().has_retry_time());
  EXPECT_TRUE(DeadLetters().empty());
  ASSERT_TRUE(Eventually([&] { return DeadLetters().size() == 1; }));
  EXPECT_EQ(receiver.requests().size(), 8u);
  EXPECT_EQ(DeadLetters()[0].attempts_size(), 8);

  retry.set_dead_letter_id("999999");
  EXPECT_EQ(notification_.Call(&Stub::RetryDeadLetter, retry, &retried).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Issue 20: scheduling's offer to a freelancer, published with scheduling's own token and
// addressed to the person, reaches that person and no one else: their inbox, and the webhook ADMIN
// set up for their phone or chat bridge. A webhook without a person hears by type, as ever.
TEST_F(DeliveryTest, AnOfferReachesItsFreelancersInboxAndTheirOwnWebhookOnly) {
  const TestTokens& tokens = notification_.tokens();
  HttpReceiver anns_phone({204}), bens_phone({204}), office({204}), confirmations({204});
  auto subscribe = [&](const std::string& url, const std::string& person,
                       std::vector<v1::EventType> types) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
    request.mutable_subscription()->mutable_webhook()->set_url(url);
    request.mutable_subscription()->set_person_id(person);
    for (v1::EventType type : types) request.mutable_subscription()->add_event_types(type);
    request.set_webhook_secret(kSecret);
    v1::CreateSubscriptionResponse response;
    grpc::Status status = notification_.Call(&Stub::CreateSubscription, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.subscription().person_id(), person);
  };
  // A freelancer's webhook takes every type addressed to them; the office bridge hears of every
  // offer sent; another webhook only of confirmations.
  subscribe(anns_phone.url(), TestTokens::kCrewAnn, {});
  subscribe(bens_phone.url(), TestTokens::kCrewBen, {});
  subscribe(office.url(), "", {v1::EVENT_TYPE_CREW_OFFER_SENT});
  subscribe(confirmations.url(), "", {v1::EVENT_TYPE_ORDER_CONFIRMED});

  auto offer_to = [](const std::string& person, const std::string& offer_id) {
    v1::Event event = MakeEvent(v1::EVENT_TYPE_CREW_OFFER_SENT, "1040");
    event.set_source_service("scheduling");
    event.mutable_actor()->set_id("scheduling");
    event.add_recipient_person_ids(person);
    v1::CrewOffer* offer = event.mutable_crew_offer();
    offer->set_offer_id(offer_id);
    offer->set_order_id("1040");
    offer->set_crew_member_id(person == TestTokens::kCrewAnn ? "ann" : "ben");
    offer->set_state(v1::OFFER_STATE_SENT);
    offer->set_task_kind(v1::TASK_KIND_SETUP);
    offer->set_skill_code("RIGGER");
    offer->mutable_fee()->set_currency_code("EUR");
    offer->mutable_fee()->set_units(240);
    return event;
  };
  auto publish_as_scheduling = [&](const v1::Event& event) {
    v1::PublishRequest request;
    *request.mutable_event() = event;
    v1::PublishResponse response;
    grpc::Status status = notification_.Call(&Stub::Publish, request, &response,
                                             TestTokens::OwnTokenOf("scheduling"));
    ASSERT_TRUE(status.ok()) << status.error_message();
  };
  const v1::Event for_ann = offer_to(TestTokens::kCrewAnn, "offer-ann-1");
  publish_as_scheduling(for_ann);

  // Ann's phone gets one signed POST of the offer.
  ASSERT_TRUE(Eventually([&] { return anns_phone.requests().size() == 1; })) << notification_.log();
  HttpReceiver::Request post = anns_phone.requests()[0];
  EXPECT_EQ(post.headers["salesops-event-id"], for_ann.event_id());
  EXPECT_EQ(post.headers["salesops-event-type"], "EVENT_TYPE_CREW_OFFER_SENT");
  EXPECT_EQ(post.headers["salesops-signature"],
            notification::WebhookSignature(kSecret, std::stoll(post.headers["salesops-timestamp"]),
                                           post.body));
  nlohmann::json body = nlohmann::json::parse(post.body);
  EXPECT_EQ(body["recipientPersonIds"], nlohmann::json::array({TestTokens::kCrewAnn}));
  EXPECT_EQ(body["crewOffer"]["offerId"], "offer-ann-1");
  EXPECT_EQ(body["summary"], "Offer to ann: SETUP RIGGER on order 1040, 240.00 EUR");

  // Her inbox has it, addressed by the event itself (no subscription of hers named it).
  v1::ListNotificationsResponse anns_inbox;
  ASSERT_TRUE(notification_
                  .Call(&Stub::ListNotifications, v1::ListNotificationsRequest(), &anns_inbox,
                        tokens.crew_ann)
                  .ok());
  ASSERT_EQ(anns_inbox.notifications_size(), 1);
  EXPECT_EQ(anns_inbox.notifications(0).event().event_id(), for_ann.event_id());
  EXPECT_EQ(anns_inbox.notifications(0).recipient_id(), TestTokens::kCrewAnn);
  EXPECT_EQ(anns_inbox.notifications(0).subscription_id(), "");
  EXPECT_EQ(anns_inbox.notifications(0).summary(),
            "Offer to ann: SETUP RIGGER on order 1040, 240.00 EUR");
  EXPECT_EQ(anns_inbox.unacknowledged_count(), 1);

  // Ben's inbox does not, and neither does his phone; the office bridge hears of both offers.
  v1::ListNotificationsResponse bens_inbox;
  ASSERT_TRUE(notification_
                  .Call(&Stub::ListNotifications, v1::ListNotificationsRequest(), &bens_inbox,
                        tokens.crew_ben)
                  .ok());
  EXPECT_EQ(bens_inbox.notifications_size(), 0);
  const v1::Event for_ben = offer_to(TestTokens::kCrewBen, "offer-ben-1");
  publish_as_scheduling(for_ben);
  ASSERT_TRUE(Eventually([&] { return bens_phone.requests().size() == 1; }));
  ASSERT_TRUE(Eventually([&] { return office.requests().size() == 2; }));
  // Deliveries are queued at publish: a wrong one would have arrived by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(bens_phone.requests().size(), 1u);
  EXPECT_EQ(bens_phone.requests()[0].headers["salesops-event-id"], for_ben.event_id());
  EXPECT_EQ(anns_phone.requests().size(), 1u);
  EXPECT_EQ(office.requests().size(), 2u);
  EXPECT_TRUE(confirmations.requests().empty());
  std::set<std::string> heard_by_office;
  for (HttpReceiver::Request& request : office.requests()) {
    heard_by_office.insert(request.headers["salesops-event-id"]);
  }
  EXPECT_EQ(heard_by_office, (std::set<std::string>{for_ann.event_id(), for_ben.event_id()}));
  ASSERT_TRUE(notification_
                  .Call(&Stub::ListNotifications, v1::ListNotificationsRequest(), &anns_inbox,
                        tokens.crew_ann)
                  .ok());
  EXPECT_EQ(anns_inbox.notifications_size(), 1);
}

// Who may point a webhook at a person: ADMIN alone, as for every webhook (the office sets up a
// freelancer's bridge; a crew token manages no subscriptions), and only a webhook, not a service.
TEST_F(DeliveryTest, OnlyAdminSetsUpAPersonsWebhook) {
  const TestTokens& tokens = notification_.tokens();
  HttpReceiver receiver({204});
  auto try_subscribe = [&](v1::SubscriptionChannel channel, const std::string& token) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(channel);
    request.mutable_subscription()->set_person_id(TestTokens::kCrewAnn);
    if (channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK) {
      request.mutable_subscription()->mutable_webhook()->set_url(receiver.url());
      request.set_webhook_secret(kSecret);
    } else {
      request.mutable_subscription()->mutable_service()->set_address("127.0.0.1:1");
    }
    v1::CreateSubscriptionResponse response;
    return notification_.Call(&Stub::CreateSubscription, request, &response, token);
  };
  for (const std::string& token : {tokens.crew_ann, tokens.ops, tokens.sales, tokens.service}) {
    EXPECT_EQ(try_subscribe(v1::SUBSCRIPTION_CHANNEL_WEBHOOK, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::Status service = try_subscribe(v1::SUBSCRIPTION_CHANNEL_SERVICE, tokens.admin);
  EXPECT_EQ(service.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(service).violations.at(0).field, "subscription.person_id");
  EXPECT_TRUE(try_subscribe(v1::SUBSCRIPTION_CHANNEL_WEBHOOK, tokens.admin).ok());
}

class SlowReceiverTest : public DeliveryTest {
 protected:
  SlowReceiverTest()
      : DeliveryTest({"--delivery-concurrency", "3", "--delivery-per-subscription", "2",
                      "--delivery-timeout-ms", "3000", "--delivery-retry-base-ms", "60000",
                      "--delivery-max-attempts", "2", "--webhook-allow-cidrs", "127.0.0.1/32"}) {}
};

TEST_F(SlowReceiverTest, AHangingReceiverDoesNotStallTheOthers) {
  HttpReceiver hanging({200}, std::chrono::milliseconds(10000));
  HttpReceiver healthy({200});
  SubscribeWebhook(hanging.url(), v1::EVENT_TYPE_ORDER_CONFIRMED);
  SubscribeWebhook(healthy.url(), v1::EVENT_TYPE_ORDER_CONFIRMED);
  for (int i = 0; i < 6; ++i) Publish(MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, std::to_string(i)));
  ASSERT_TRUE(Eventually([&] { return healthy.requests().size() == 6; }));
  // At most two deliveries to the hanging receiver are ever in flight, and each
  // gives up after its timeout: the healthy one was served meanwhile.
  EXPECT_LE(hanging.requests().size(), 4u);
}

// The receivers, up before notification starts (so their addresses can be allow-listed).
struct EventSinks {
  RecordingEventSink flaky_{[](int call) {
    return call == 1 ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "starting up")
                     : grpc::Status::OK;
  }};
  RecordingEventSink refusing_{[](int) {
    return common::ToGrpcStatus(
        common::BusinessRefusal(v1::INVALID_STAGE_TRANSITION, "order 5 is CANCELLED"));
  }};
  RecordingEventSink unlisted_;
};

// EventSinks chosen by ADMIN: they must be on the operator's allow-list, and they never get
// notification's own token.
class ServiceSinkTest : protected EventSinks, public DeliveryTest {
 protected:
  ServiceSinkTest()
      : DeliveryTest([this] {
          std::vector<std::string> args = QuickDeliveryArgs();
          args.insert(args.end(),
                      {"--service-token-file", TestTokens().ServiceTokenFile("notification"),
                       "--event-sink-allowlist", flaky_.address() + "," + refusing_.address()});
          return args;
        }()) {}
};

TEST_F(ServiceSinkTest, ServiceSubscriptionsCallEventSinkUntilItAccepts) {
  ASSERT_TRUE(SubscribeService(flaky_.address(), v1::EVENT_TYPE_PREP_STARTED).ok());
  v1::Event event = MakeEvent(v1::EVENT_TYPE_PREP_STARTED, "1042");
  Publish(event);
  ASSERT_TRUE(Eventually([&] { return flaky_.received().size() >= 2; })) << notification_.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<v1::DeliverRequest> received = flaky_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].attempt(), 1);
  EXPECT_EQ(received[1].attempt(), 2);
  EXPECT_EQ(received[1].event().event_id(), event.event_id());
  // A target a person chose never receives notification's own bearer token.
  EXPECT_EQ(flaky_.authorizations(), (std::vector<std::string>{"", ""}));

  // A final refusal from the receiver is not retried, nor dead-lettered.
  ASSERT_TRUE(SubscribeService(refusing_.address(), v1::EVENT_TYPE_DISPATCHED).ok());
  Publish(MakeEvent(v1::EVENT_TYPE_DISPATCHED, "5"));
  ASSERT_TRUE(Eventually([&] { return refusing_.received().size() == 1; }));
  ASSERT_TRUE(Eventually([&] {
    return FetchMetrics(notification_.metrics_port())
               .find(
                   "salesops_notification_deliveries_total{channel=\"service\",outcome="
                   "\"refused\"} 1") != std::string::npos;
  }));
  EXPECT_EQ(refusing_.received().size(), 1u);
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(ServiceSinkTest, OnlyAdminSubscribesAnEventSinkAndOnlyOneTheOperatorListed) {
  for (const std::string& token : {notification_.tokens().service, notification_.tokens().ops}) {
    EXPECT_EQ(SubscribeService(flaky_.address(), v1::EVENT_TYPE_PREP_STARTED, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::Status unlisted = SubscribeService(unlisted_.address(), v1::EVENT_TYPE_PREP_STARTED);
  EXPECT_EQ(unlisted.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(unlisted).violations.at(0).field,
            "subscription.service.address");
  for (const std::string& target : {"169.254.169.254:80", "127.0.0.1:50051"}) {
    EXPECT_EQ(SubscribeService(target, v1::EVENT_TYPE_PREP_STARTED).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << target;
  }
}

// Without --webhook-allow-cidrs: webhooks may not reach loopback, link-local (cloud metadata)
// or private addresses, whether the URL names the address or a name that resolves to it.
class WebhookAddressTest : public DeliveryTest {
 protected:
  WebhookAddressTest()
      : DeliveryTest({"--delivery-retry-base-ms", "50", "--delivery-retry-max-ms", "100",
                      "--delivery-max-attempts", "2", "--delivery-timeout-ms", "2000"}) {}
};

TEST_F(WebhookAddressTest, LoopbackLinkLocalAndPrivateAddressesAreRefused) {
  for (const std::string& url :
       {"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://[::1]:8080/hook",
        "http://[fe80::1]/hook", "http://[fd00::1]/hook", "http://[::ffff:127.0.0.1]/hook"}) {
    grpc::Status status = TrySubscribeWebhook(url);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << url;
    EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "subscription.webhook.url");
  }
}

TEST_F(WebhookAddressTest, ANameThatResolvesToLoopbackIsRefusedWhenConnecting) {
  HttpReceiver receiver({204});
  // "localhost" passes the URL check (it is a name); the address it resolves to does not.
  std::string url = receiver.url();
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  SubscribeWebhook(url, v1::EVENT_TYPE_ORDER_CONFIRMED);
  Publish(MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "7"));
  ASSERT_TRUE(Eventually([&] { return DeadLetters().size() == 1; })) << notification_.log();
  EXPECT_TRUE(receiver.requests().empty());
  const v1::DeadLetter letter = DeadLetters()[0];
  ASSERT_GT(letter.attempts_size(), 0);
  EXPECT_NE(letter.attempts(0).error().find("is loopback"), std::string::npos)
      << letter.attempts(0).error();
}

class OrderIntakeSinkTest : public ::testing::Test {
 protected:
  RecordingEventSink sink_;
};

TEST_F(OrderIntakeSinkTest, OrderIntakeHearsOpsMilestonesOutOfTheBox) {
  NotificationFixture notification(
      "notification", std::make_shared<TestDatabase>(),
      {"--order-intake-address", sink_.address(), "--service-token-file",
       TestTokens().ServiceTokenFile("notification")});
  ASSERT_TRUE(notification.started()) << notification.log();
  ASSERT_TRUE(Eventually([&] {
    v1::ListSubscriptionsRequest request;
    request.set_channel(v1::SUBSCRIPTION_CHANNEL_SERVICE);
    v1::ListSubscriptionsResponse response;
    return notification.Call(&Stub::ListSubscriptions, request, &response).ok() &&
           response.subscriptions_size() == 1 &&
           response.subscriptions(0).subscription_id() == "builtin-order-intake-milestones";
  }));
  v1::PublishRequest request;
  *request.mutable_event() = MakeEvent(v1::EVENT_TYPE_ON_SITE, "1042");
  v1::PublishResponse response;
  ASSERT_TRUE(
      notification.Call(&Stub::Publish, request, &response, notification.tokens().service).ok());
  ASSERT_TRUE(Eventually([&] { return sink_.received().size() == 1; }));
  EXPECT_EQ(sink_.received()[0].event().event_id(), request.event().event_id());
  EXPECT_EQ(sink_.received()[0].subscription_id(), "builtin-order-intake-milestones");
  // The EventSink notification configured itself is order-intake: it gets notification's token.
  EXPECT_EQ(sink_.authorizations().at(0), "Bearer " + TestTokens::OwnTokenOf("notification"));
}

}  // namespace
}  // namespace salesops::testing
