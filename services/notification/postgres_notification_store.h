#pragma once

#include "services/common/db_pool.h"
#include "services/notification/notification_store.h"

namespace salesops::notification {

// NotificationStore on the service's own PostgreSQL database
// (migrations/0100_notification.sql).
class PostgresNotificationStore final : public NotificationStore {
 public:
  explicit PostgresNotificationStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<PublishResult>> Publish(const std::vector<v1::Event>& events,
                                                     const std::vector<std::string>& summaries,
                                                     int delivery_attempt_limit,
                                                     const EventRouter& route) override;
  absl::StatusOr<v1::CreateSubscriptionResponse> CreateSubscription(
      const v1::CreateSubscriptionRequest& request, const v1::Actor& creator) override;
  absl::StatusOr<v1::DeleteSubscriptionResponse> DeleteSubscription(
      const v1::DeleteSubscriptionRequest& request, const v1::Actor& caller,
      const DeletionCheck& may_delete) override;
  absl::StatusOr<common::Page<v1::Subscription>> ListSubscriptions(
      const v1::ListSubscriptionsRequest& request, const std::optional<Recipient>& visible_to,
      int limit, const std::string& after_id) override;
  absl::Status EnsureServiceSubscription(const std::string& subscription_id,
                                         const std::string& display_name,
                                         const std::string& address,
                                         const std::vector<v1::EventType>& event_types) override;
  absl::StatusOr<InboxPage> ListNotifications(const Recipient& recipient,
                                              const NotificationFilter& filter, int limit,
                                              std::optional<int64_t> before_id) override;
  absl::StatusOr<v1::AckNotificationResponse> Acknowledge(
      const v1::AckNotificationRequest& request, const Recipient& recipient,
      const std::vector<int64_t>& notification_ids) override;
  absl::StatusOr<FeedPosition> FeedStart() override;
  absl::StatusOr<FeedPosition> LatestVisible() override;
  absl::StatusOr<std::vector<v1::Notification>> ReadFeed(const Recipient& recipient,
                                                         const FeedPosition& after,
                                                         const NotificationFilter& filter,
                                                         int limit) override;
  absl::StatusOr<std::optional<ClaimedDelivery>> ClaimDelivery(
      const std::vector<std::string>& saturated, std::chrono::milliseconds lease) override;
  absl::StatusOr<DeliveryState> RecordAttempt(const ClaimedDelivery& delivery,
                                              const AttemptRecord& record) override;
  absl::StatusOr<common::Page<v1::DeadLetter>> ListDeadLetters(
      const v1::ListDeadLettersRequest& request, int limit,
      std::optional<int64_t> before_id) override;
  absl::StatusOr<v1::RetryDeadLetterResponse> RetryDeadLetter(
      const v1::RetryDeadLetterRequest& request, const v1::Actor& caller, int64_t dead_letter_id,
      int extra_attempts) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::notification
