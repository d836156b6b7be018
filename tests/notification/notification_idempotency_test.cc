// AIP-155 on notification: every RPC whose request has a request_id answers a
// retry with the first answer and acts once, and refuses the same id on a
// different request. The table of cases is checked against the proto
// descriptors, so a new RPC with a request_id cannot go untested.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>

#include "services/common/generic_call.h"
#include "services/common/grpc_errors.h"
#include "tests/notification/notification_test_support.h"

namespace salesops::testing {
namespace {

using google::protobuf::Message;
using Stub = v1::NotificationService::Stub;

// The services notification hosts or defines, whose requests may carry a request_id. (The
// generated service classes carry no descriptor() in this build: they come from the file's.)
std::vector<const google::protobuf::ServiceDescriptor*> NotificationServices() {
  const google::protobuf::FileDescriptor* file = v1::PublishRequest::descriptor()->file();
  return {file->FindServiceByName("NotificationService"), file->FindServiceByName("EventSink")};
}

class NotificationIdempotencyTest;

// One RPC's case. Its request_id is set by the test, fresh each time.
struct IdempotencyCase {
  // Who calls.
  std::function<std::string(const TestTokens&)> token;
  // Makes what the call acts on, and the request.
  std::function<std::unique_ptr<Message>(NotificationIdempotencyTest&)> prepare;
  // Waits, after the first call, until a retry without protection would act
  // again (when it would not act twice anyway), so that the retry proves something.
  std::function<void(NotificationIdempotencyTest&, const Message& request)> settle;
  // How many times the effect happened, read back from the database.
  std::function<int64_t(NotificationIdempotencyTest&, const Message& request)> effects;
  // The same request with a different body.
  std::function<void(Message& request)> change_body;
};

// Public members: the cases' lambdas reach into the fixture.
class NotificationIdempotencyTest : public ::testing::Test {
 public:
  NotificationIdempotencyTest()
      : notification_("notification", std::make_shared<TestDatabase>(), QuickDeliveryArgs()),
        channel_(grpc::CreateChannel(notification_.address(), grpc::InsecureChannelCredentials())) {
  }

  void SetUp() override { ASSERT_TRUE(notification_.started()) << notification_.log(); }

  // Calls `method` ("/salesops.v1.NotificationService/X") with `request` as `token`'s holder.
  grpc::Status CallBytes(const std::string& method, const Message& request,
                         const std::string& token, std::string* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return common::CallUnaryBytes(channel_, context, method, request.SerializeAsString(), response);
  }

  int64_t QueryInt(const std::string& sql, const std::string& parameter) {
    pqxx::connection connection(notification_.database().connection_string());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1(sql, parameter)[0].as<int64_t>();
  }

  std::string CreateInbox(const std::string& token, v1::EventType type) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
    request.mutable_subscription()->add_event_types(type);
    v1::CreateSubscriptionResponse response;
    grpc::Status status = notification_.Call(&Stub::CreateSubscription, request, &response, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.subscription().subscription_id();
  }

  void Publish(const v1::Event& event) {
    v1::PublishRequest request;
    *request.mutable_event() = event;
    v1::PublishResponse response;
    grpc::Status status =
        notification_.Call(&Stub::Publish, request, &response, notification_.tokens().service);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::vector<v1::DeadLetter> DeadLetters() {
    v1::ListDeadLettersRequest request;
    v1::ListDeadLettersResponse response;
    EXPECT_TRUE(notification_.Call(&Stub::ListDeadLetters, request, &response).ok());
    return {response.dead_letters().begin(), response.dead_letters().end()};
  }

  // One case per RPC, by the method's full name.
  std::map<std::string, IdempotencyCase> Cases() {
    std::map<std::string, IdempotencyCase> cases;

    cases["salesops.v1.NotificationService.CreateSubscription"] = {
        .token = [](const TestTokens& tokens) { return tokens.ops; },
        .prepare =
            [](NotificationIdempotencyTest&) {
              auto request = std::make_unique<v1::CreateSubscriptionRequest>();
              request->mutable_subscription()->set_display_name("created-once");
              request->mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
              request->mutable_subscription()->add_event_types(v1::EVENT_TYPE_ORDER_QUOTED);
              return request;
            },
        .settle = {},
        .effects =
            [](NotificationIdempotencyTest& test, const Message&) {
              return test.QueryInt("SELECT count(*) FROM subscriptions WHERE display_name = $1",
                                   "created-once");
            },
        .change_body =
            [](Message& request) {
              static_cast<v1::CreateSubscriptionRequest&>(request)
                  .mutable_subscription()
                  ->set_display_name("created-twice");
            }};

    cases["salesops.v1.NotificationService.DeleteSubscription"] = {
        .token = [](const TestTokens& tokens) { return tokens.ops; },
        .prepare =
            [](NotificationIdempotencyTest& test) {
              auto request = std::make_unique<v1::DeleteSubscriptionRequest>();
              request->set_subscription_id(test.CreateInbox(test.notification_.tokens().ops,
                                                            v1::EVENT_TYPE_ORDER_CANCELLED));
              return request;
            },
        .settle = {},
        .effects =
            [](NotificationIdempotencyTest& test, const Message& request) {
              return test.QueryInt(
                  "SELECT count(*) FROM subscriptions WHERE subscription_id = $1 "
                  "AND deleted_at IS NOT NULL",
                  static_cast<const v1::DeleteSubscriptionRequest&>(request).subscription_id());
            },
        .change_body =
            [](Message& request) {
              static_cast<v1::DeleteSubscriptionRequest&>(request).set_subscription_id(
                  "sub-someone-else");
            }};

    cases["salesops.v1.NotificationService.AckNotification"] = {
        .token = [](const TestTokens& tokens) { return tokens.sales; },
        .prepare =
            [](NotificationIdempotencyTest& test) {
              const TestTokens& tokens = test.notification_.tokens();
              test.CreateInbox(tokens.sales, v1::EVENT_TYPE_ORDER_CONFIRMED);
              test.Publish(MakeEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, "1042"));
              v1::ListNotificationsRequest list;
              v1::ListNotificationsResponse inbox;
              EXPECT_TRUE(
                  test.notification_.Call(&Stub::ListNotifications, list, &inbox, tokens.sales)
                      .ok());
              auto request = std::make_unique<v1::AckNotificationRequest>();
              EXPECT_EQ(inbox.notifications_size(), 1);
              for (const v1::Notification& notification : inbox.notifications()) {
                request->add_notification_ids(notification.notification_id());
              }
              return request;
            },
        .settle = {},
        .effects =
            [](NotificationIdempotencyTest& test, const Message& request) {
              return test.QueryInt(
                  "SELECT count(*) FROM notification_acks WHERE notification_id = $1::bigint",
                  static_cast<const v1::AckNotificationRequest&>(request).notification_ids(0));
            },
        .change_body =
            [](Message& request) {
              static_cast<v1::AckNotificationRequest&>(request).add_notification_ids("999999");
            }};

    cases["salesops.v1.NotificationService.RetryDeadLetter"] = {
        .token = [](const TestTokens& tokens) { return tokens.admin; },
        .prepare =
            [](NotificationIdempotencyTest& test) {
              // A receiver that always fails: 4 attempts (QuickDeliveryArgs), then a dead letter.
              test.receiver_ = std::make_unique<HttpReceiver>(std::vector<int>{500});
              v1::CreateSubscriptionRequest hook;
              hook.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
              hook.mutable_subscription()->mutable_webhook()->set_url(test.receiver_->url());
              hook.mutable_subscription()->add_event_types(v1::EVENT_TYPE_DISPATCHED);
              hook.set_webhook_secret("whsec-idempotency-0123456789");
              v1::CreateSubscriptionResponse created;
              EXPECT_TRUE(test.notification_.Call(&Stub::CreateSubscription, hook, &created).ok());
              test.Publish(MakeEvent(v1::EVENT_TYPE_DISPATCHED, "77"));
              EXPECT_TRUE(Eventually([&] { return test.DeadLetters().size() == 1; }));
              auto request = std::make_unique<v1::RetryDeadLetterRequest>();
              std::vector<v1::DeadLetter> letters = test.DeadLetters();
              request->set_dead_letter_id(letters.empty() ? "1" : letters[0].dead_letter_id());
              return request;
            },
        // The retried round fails too; only once the letter is dead again would a retry
        // without protection queue another round.
        .settle =
            [](NotificationIdempotencyTest& test, const Message&) {
              ASSERT_TRUE(Eventually([&] { return test.DeadLetters().size() == 1; }));
            },
        // Rounds queued: each retry raises the attempt limit by --delivery-max-attempts (4)
        // above the 4 attempts of the first round.
        .effects =
            [](NotificationIdempotencyTest& test, const Message& request) {
              return test.QueryInt(
                         "SELECT attempt_limit FROM deliveries WHERE delivery_id = $1::bigint",
                         static_cast<const v1::RetryDeadLetterRequest&>(request).dead_letter_id()) /
                         4 -
                     1;
            },
        .change_body =
            [](Message& request) {
              static_cast<v1::RetryDeadLetterRequest&>(request).set_dead_letter_id("999999");
            }};
    return cases;
  }

  NotificationFixture notification_;
  std::shared_ptr<grpc::Channel> channel_;
  // Keeps the failing webhook receiver of the RetryDeadLetter case alive for the test.
  std::unique_ptr<HttpReceiver> receiver_;
};

// Full names of the methods whose request has a request_id.
std::set<std::string> MethodsWithRequestId() {
  std::set<std::string> methods;
  for (const google::protobuf::ServiceDescriptor* service : NotificationServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->input_type()->FindFieldByName("request_id") != nullptr) {
        methods.insert(method->full_name());
      }
    }
  }
  return methods;
}

// "/salesops.v1.NotificationService/AckNotification" for gRPC's wire.
std::string WireName(const std::string& full_name) {
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  return "/" + method->service()->full_name() + "/" + method->name();
}

TEST_F(NotificationIdempotencyTest, EveryRpcWithARequestIdHasACaseAndNoCaseIsStale) {
  const std::set<std::string> methods = MethodsWithRequestId();
  const std::map<std::string, IdempotencyCase> cases = Cases();
  // Guard against passing with nothing to check (a renamed field, a moved proto).
  EXPECT_GE(methods.size(), 4u);
  for (const std::string& method : methods) {
    EXPECT_TRUE(cases.contains(method))
        << method << " takes a request_id but has no case in this test's table";
  }
  for (const auto& [method, unused] : cases) {
    EXPECT_TRUE(methods.contains(method)) << method << " has a case but no request_id";
  }
}

// Sends `a_case`'s request twice and then with a different body (its own function, so that
// a failed ASSERT ends this case only).
void CheckCase(NotificationIdempotencyTest& test, const std::string& method,
               const IdempotencyCase& a_case, const std::string& request_id) {
  SCOPED_TRACE(method);
  const std::string token = a_case.token(test.notification_.tokens());
  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  const int failures_before = result->total_part_count();
  std::unique_ptr<Message> request = a_case.prepare(test);
  ASSERT_EQ(result->total_part_count(), failures_before) << "preparing failed\n"
                                                         << test.notification_.log();
  request->GetReflection()->SetString(
      request.get(), request->GetDescriptor()->FindFieldByName("request_id"), request_id);

  std::string first, again;
  grpc::Status status = test.CallBytes(WireName(method), *request, token, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  if (a_case.settle) a_case.settle(test, *request);
  status = test.CallBytes(WireName(method), *request, token, &again);
  ASSERT_TRUE(status.ok()) << "the retry: " << status.error_message();
  // Byte for byte: the retry is answered from what the first call stored, so even the
  // fields that would have moved since (a dead letter's attempts, a create time) are the
  // first call's.
  EXPECT_EQ(again, first);
  EXPECT_EQ(a_case.effects(test, *request), 1);

  std::unique_ptr<Message> different(request->New());
  different->CopyFrom(*request);
  a_case.change_body(*different);
  std::string ignored;
  grpc::Status refused = test.CallBytes(WireName(method), *different, token, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  common::ErrorDetails details = common::ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(details.violations.size(), 1u);
  if (!details.violations.empty()) EXPECT_EQ(details.violations[0].field, "request_id");
  // And the refusal did nothing.
  EXPECT_EQ(a_case.effects(test, *request), 1);
}

TEST_F(NotificationIdempotencyTest, ARetryGetsTheFirstAnswerAndActsOnceAReusedIdIsRefused) {
  const std::map<std::string, IdempotencyCase> cases = Cases();
  for (const std::string& method : MethodsWithRequestId()) {
    auto found = cases.find(method);
    if (found == cases.end()) continue;  // reported by EveryRpcWithARequestIdHasACase...
    CheckCase(*this, method, found->second, NewEventId());
  }
}

TEST_F(NotificationIdempotencyTest, WithoutARequestIdEveryCallActs) {
  const TestTokens& tokens = notification_.tokens();
  CreateInbox(tokens.ops, v1::EVENT_TYPE_SUB_RENTAL_ADDED);
  CreateInbox(tokens.ops, v1::EVENT_TYPE_SUB_RENTAL_ADDED);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM subscriptions WHERE $1 = ANY(event_types)",
                     "EVENT_TYPE_SUB_RENTAL_ADDED"),
            2);
}

TEST_F(NotificationIdempotencyTest, ARequestIdIsTheCallersOwn) {
  const TestTokens& tokens = notification_.tokens();
  // Sales deletes their subscription; ops sending the very same request is not answered
  // with sales' success but judged on its own: for ops the subscription is not there.
  v1::DeleteSubscriptionRequest request;
  request.set_request_id("shared-request-id");
  request.set_subscription_id(CreateInbox(tokens.sales, v1::EVENT_TYPE_ORDER_CONFIRMED));
  v1::DeleteSubscriptionResponse response;
  ASSERT_TRUE(notification_.Call(&Stub::DeleteSubscription, request, &response, tokens.sales).ok());
  EXPECT_EQ(
      notification_.Call(&Stub::DeleteSubscription, request, &response, tokens.ops).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(notification_.Call(&Stub::DeleteSubscription, request, &response, tokens.sales).ok());
}

}  // namespace
}  // namespace salesops::testing
