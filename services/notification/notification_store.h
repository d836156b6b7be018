#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/notification.pb.h"
#include "services/common/db_pool.h"
#include "services/common/sql_text.h"

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

// A place in a recipient's stream. Rows are ordered by the id of the
// transaction that wrote them, then by notification id, and a row joins the
// stream only once every older transaction has ended: so a row that commits
// late can never land behind a cursor a reader already moved past.
struct FeedPosition {
  uint64_t writer_xid = 0;
  int64_t notification_id = 0;
};
std::string EncodeCursor(const FeedPosition& position);
std::optional<FeedPosition> DecodeCursor(const std::string& cursor);

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

// Notification's PostgreSQL database (migrations/0100_notification.sql).
class NotificationStore {
 public:
  explicit NotificationStore(common::ConnectionPool& pool) : pool_(pool) {}

  // Stores the events and, in the same transaction, their notifications (one
  // per recipient) and their pending webhook and service deliveries. A known
  // event_id changes nothing and says so.
  // A batch is one transaction: results[i] is events[i]'s (summaries[i] is its
  // inbox line).
  absl::StatusOr<std::vector<PublishResult>> Publish(const std::vector<v1::Event>& events,
                                                     const std::vector<std::string>& summaries,
                                                     int delivery_attempt_limit);

  // Replays an earlier identical request with the same request_id.
  absl::StatusOr<v1::Subscription> CreateSubscription(const v1::CreateSubscriptionRequest& request,
                                                      const v1::Actor& creator);
  absl::StatusOr<v1::Subscription> GetSubscription(const std::string& subscription_id);
  // Deleting twice succeeds.
  absl::Status DeleteSubscription(const std::string& subscription_id);
  // `visible_to`: a non-ADMIN caller sees what they created, what is addressed
  // to them, and the built-ins addressed to their role.
  absl::StatusOr<common::Page<v1::Subscription>> ListSubscriptions(
      const v1::ListSubscriptionsRequest& request, const std::optional<Recipient>& visible_to,
      int limit, const std::string& after_id);
  // Creates or updates a built-in SERVICE subscription (e.g. order-intake's
  // milestones), keyed by its id.
  absl::Status EnsureServiceSubscription(const std::string& subscription_id,
                                         const std::string& display_name,
                                         const std::string& address,
                                         const std::vector<v1::EventType>& event_types);

  // The inbox, newest first. `only_person_rows`: an ADMIN reading another
  // person's inbox sees only what was addressed to that person by name.
  absl::StatusOr<InboxPage> ListNotifications(const Recipient& recipient,
                                              const NotificationFilter& filter, int limit,
                                              std::optional<int64_t> before_id);
  // NOT_FOUND (and nothing marked) when an id is not in the recipient's inbox.
  absl::StatusOr<int> Acknowledge(const Recipient& recipient,
                                  const std::vector<int64_t>& notification_ids);

  // Where "from now" begins in every stream.
  absl::StatusOr<FeedPosition> FeedStart();
  // The newest notification a stream can see now (zero when there is none).
  absl::StatusOr<FeedPosition> LatestVisible();
  // The next notifications after `after` for the recipient (both channels).
  absl::StatusOr<std::vector<v1::Notification>> ReadFeed(const Recipient& recipient,
                                                         const FeedPosition& after,
                                                         const NotificationFilter& filter,
                                                         int limit);

  // Claims one due delivery whose subscription is not in `saturated`, leasing
  // it for `lease` (a worker that dies leaves it to be claimed again).
  absl::StatusOr<std::optional<ClaimedDelivery>> ClaimDelivery(
      const std::vector<std::string>& saturated, std::chrono::milliseconds lease);
  absl::StatusOr<DeliveryState> RecordAttempt(const ClaimedDelivery& delivery,
                                              const AttemptRecord& record);

  absl::StatusOr<common::Page<v1::DeadLetter>> ListDeadLetters(
      const v1::ListDeadLettersRequest& request, int limit, std::optional<int64_t> before_id);
  // Queues one more round of `extra_attempts`; retrying a letter already
  // queued again changes nothing.
  absl::StatusOr<v1::DeadLetter> RetryDeadLetter(int64_t dead_letter_id, int extra_attempts);

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::notification
