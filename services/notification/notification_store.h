#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/notification.pb.h"
#include "services/common/sql_text.h"
#include "services/notification/feed_cursor.h"
#include "services/notification/routing.h"

namespace salesops::notification {

// Whose inbox or stream: a person, who also receives what is addressed to
// their role.
struct Recipient {
  std::string person_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
};

// What Publish did with one event.
struct PublishResult {
  bool duplicate = false;
  int matched_subscriptions = 0;
  int inbox_notifications = 0;
  int stream_notifications = 0;
  int deliveries = 0;
};

struct NotificationFilter {
  bool unacknowledged_only = false;
  std::string order_id;
  std::vector<std::string> event_types;  // EventType names; empty: all
  std::optional<int64_t> created_from_micros;
  std::optional<int64_t> created_until_micros;
};

struct InboxPage {
  common::Page<v1::Notification> page;
  int unacknowledged_count = 0;
};

// A webhook or service delivery claimed for one attempt.
struct ClaimedDelivery {
  int64_t delivery_id = 0;
  int attempt = 0;
  v1::SubscriptionChannel channel = v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED;
  v1::Event event;
  std::string subscription_id;
  bool subscription_deleted = false;
  std::string webhook_url;
  std::string webhook_secret;
  std::string service_address;
};

enum class AttemptVerdict { kDelivered, kRefused, kFailed };

struct AttemptRecord {
  int http_status = 0;
  std::string error;
  std::chrono::microseconds latency{0};
  AttemptVerdict verdict = AttemptVerdict::kFailed;
  // kFailed: when to try again, unless the attempts are exhausted.
  std::chrono::milliseconds retry_after{0};
};

// What happened to a delivery after an attempt was recorded.
enum class DeliveryState { kPending, kDelivered, kRefused, kDead };

// Decides, with the active subscriptions read in Publish's transaction, where
// one event goes (RouteEvent).
using EventRouter = std::function<EventRoutes(const v1::Event& event,
                                              const std::vector<SubscriptionRoute>& subscriptions)>;

// Runs with the subscription about to be deleted locked; an error refuses the delete.
using DeletionCheck = std::function<absl::Status(const v1::Subscription& subscription)>;

// Everything notification keeps. One PostgreSQL implementation
// (PostgresNotificationStore); all SQL lives there.
//
// The mutations that take a request proto honour its request_id (AIP-155) in
// the same transaction as their effect: the same caller sending the same
// request_id and body again gets the first successful answer back and nothing
// happens twice; the same request_id with a different body is
// INVALID_ARGUMENT / REQUEST_ID_REUSED. Request ids are the caller's own: two
// callers never see each other's answers. Errors are not remembered.
class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  // Stores the events and, in the same transaction, their notifications (one
  // per addressee) and their pending webhook and service deliveries, as
  // `route` decides. A known event_id changes nothing and says so.
  // A batch is one transaction: results[i] is events[i]'s (summaries[i] is its
  // inbox line).
  virtual absl::StatusOr<std::vector<PublishResult>> Publish(
      const std::vector<v1::Event>& events, const std::vector<std::string>& summaries,
      int delivery_attempt_limit, const EventRouter& route) = 0;

  // Stores `request.subscription()` as `creator` made it.
  virtual absl::StatusOr<v1::CreateSubscriptionResponse> CreateSubscription(
      const v1::CreateSubscriptionRequest& request, const v1::Actor& creator) = 0;
  // NOT_FOUND for a subscription already deleted (a retry by request_id is answered as the
  // first call was).
  virtual absl::StatusOr<v1::DeleteSubscriptionResponse> DeleteSubscription(
      const v1::DeleteSubscriptionRequest& request, const v1::Actor& caller,
      const DeletionCheck& may_delete) = 0;
  // `visible_to`: a non-ADMIN caller sees what they created, what is addressed
  // to them, and the built-ins addressed to their role.
  virtual absl::StatusOr<common::Page<v1::Subscription>> ListSubscriptions(
      const v1::ListSubscriptionsRequest& request, const std::optional<Recipient>& visible_to,
      int limit, const std::string& after_id) = 0;
  // Creates or updates a built-in SERVICE subscription (e.g. order-intake's
  // milestones), keyed by its id.
  virtual absl::Status EnsureServiceSubscription(const std::string& subscription_id,
                                                 const std::string& display_name,
                                                 const std::string& address,
                                                 const std::vector<v1::EventType>& event_types) = 0;

  // The inbox, newest first. A recipient without a role (ADMIN reading another
  // person's inbox) sees only what was addressed to that person by name.
  virtual absl::StatusOr<InboxPage> ListNotifications(const Recipient& recipient,
                                                      const NotificationFilter& filter, int limit,
                                                      std::optional<int64_t> before_id) = 0;
  // Marks `notification_ids` (request.notification_ids(), parsed) read for the
  // recipient. NOT_FOUND (and nothing marked) when an id is not in their inbox;
  // acknowledging twice succeeds.
  virtual absl::StatusOr<v1::AckNotificationResponse> Acknowledge(
      const v1::AckNotificationRequest& request, const Recipient& recipient,
      const std::vector<int64_t>& notification_ids) = 0;

  // Where "from now" begins in every stream.
  virtual absl::StatusOr<FeedPosition> FeedStart() = 0;
  // The newest notification a stream can see now (zero when there is none).
  virtual absl::StatusOr<FeedPosition> LatestVisible() = 0;
  // The next notifications after `after` for the recipient (both channels).
  virtual absl::StatusOr<std::vector<v1::Notification>> ReadFeed(const Recipient& recipient,
                                                                 const FeedPosition& after,
                                                                 const NotificationFilter& filter,
                                                                 int limit) = 0;

  // Claims one due delivery whose subscription is not in `saturated`, leasing
  // it for `lease` (a worker that dies leaves it to be claimed again).
  virtual absl::StatusOr<std::optional<ClaimedDelivery>> ClaimDelivery(
      const std::vector<std::string>& saturated, std::chrono::milliseconds lease) = 0;
  virtual absl::StatusOr<DeliveryState> RecordAttempt(const ClaimedDelivery& delivery,
                                                      const AttemptRecord& record) = 0;

  virtual absl::StatusOr<common::Page<v1::DeadLetter>> ListDeadLetters(
      const v1::ListDeadLettersRequest& request, int limit, std::optional<int64_t> before_id) = 0;
  // Queues one more round of `extra_attempts` for dead letter `dead_letter_id`
  // (request.dead_letter_id(), parsed); retrying a letter already queued again
  // changes nothing. NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::RetryDeadLetterResponse> RetryDeadLetter(
      const v1::RetryDeadLetterRequest& request, const v1::Actor& caller, int64_t dead_letter_id,
      int extra_attempts) = 0;
};

}  // namespace salesops::notification
