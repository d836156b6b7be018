#pragma once

#include <absl/time/time.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "salesops/v1/notification.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/service_runtime.h"
#include "services/notification/delivery_worker.h"
#include "services/notification/notification_definition.h"
#include "services/notification/notification_metrics.h"
#include "services/notification/notification_store.h"

namespace salesops::notification {

// Settings of the notification service beyond the common ones; each is a flag
// with a SALESOPS_* environment variable (AddOptions).
struct NotificationOptions {
  DeliveryOptions delivery;
  // The flags behind delivery.timeout, retry_base and retry_max.
  int delivery_timeout_ms = 10000;
  int delivery_retry_base_ms = 1000;
  int delivery_retry_max_ms = 600000;
  // How summaries write times ("deliver no later than Fri 08:00").
  std::string display_time_zone = "UTC";
  // When set, order-intake learns ops milestones through a built-in SERVICE
  // subscription to EventSink.Deliver at this address.
  std::string order_intake_address;
  // Largest event accepted by Publish (serialized).
  int max_event_bytes = 64 * 1024;
  // host:port targets ADMIN may give SERVICE subscriptions (comma-separated); empty: none.
  std::string event_sink_allowlist;
  // CIDRs webhooks may reach although private, loopback or link-local (comma-separated).
  std::string webhook_allow_cidrs;
  // Live notification streams one caller may hold open at once.
  int max_streams_per_caller = 4;
};

// Wakes live streams when new notifications may be there.
class FeedSignal {
 public:
  uint64_t generation() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_;
  }
  void Notify() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++generation_;
    }
    changed_.notify_all();
  }
  // Returns after a Notify past `seen`, a Stop, or `timeout`.
  void Wait(uint64_t seen, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return stopped_ || generation_ != seen; });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopped_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  uint64_t generation_ = 0;
  bool stopped_ = false;
};

class StreamSlots;

// One live stream's place, given back when the stream ends.
class StreamSlot {
 public:
  StreamSlot(StreamSlots* slots, std::string caller) : slots_(slots), caller_(std::move(caller)) {}
  StreamSlot(StreamSlot&& other) noexcept
      : slots_(std::exchange(other.slots_, nullptr)), caller_(std::move(other.caller_)) {}
  StreamSlot& operator=(StreamSlot&&) = delete;
  ~StreamSlot();

 private:
  StreamSlots* slots_;
  std::string caller_;
};

// Live streams by caller, so one caller cannot hold every server thread.
class StreamSlots {
 public:
  std::optional<StreamSlot> Open(const std::string& caller, int max_per_caller);
  int open() const;

 private:
  friend class StreamSlot;
  void Close(const std::string& caller);
  mutable std::mutex mutex_;
  std::map<std::string, int> per_caller_;
  int open_ = 0;
};

inline StreamSlot::~StreamSlot() {
  if (slots_ != nullptr) slots_->Close(caller_);
}

// Notification: events in, subscriptions, inboxes, streams, webhooks and
// service deliveries out.
class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  NotificationServiceImpl(common::ServiceRuntime& runtime, NotificationOptions options,
                          std::unique_ptr<NotificationStore> store);
  ~NotificationServiceImpl() override;

  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                       v1::PublishResponse* response) override;
  grpc::Status PublishBatch(grpc::ServerContext* context, const v1::PublishBatchRequest* request,
                            v1::PublishBatchResponse* response) override;
  grpc::Status CreateSubscription(grpc::ServerContext* context,
                                  const v1::CreateSubscriptionRequest* request,
                                  v1::CreateSubscriptionResponse* response) override;
  grpc::Status ListSubscriptions(grpc::ServerContext* context,
                                 const v1::ListSubscriptionsRequest* request,
                                 v1::ListSubscriptionsResponse* response) override;
  grpc::Status DeleteSubscription(grpc::ServerContext* context,
                                  const v1::DeleteSubscriptionRequest* request,
                                  v1::DeleteSubscriptionResponse* response) override;
  grpc::Status ListNotifications(grpc::ServerContext* context,
                                 const v1::ListNotificationsRequest* request,
                                 v1::ListNotificationsResponse* response) override;
  grpc::Status AckNotification(grpc::ServerContext* context,
                               const v1::AckNotificationRequest* request,
                               v1::AckNotificationResponse* response) override;
  grpc::Status WatchNotifications(
      grpc::ServerContext* context, const v1::WatchNotificationsRequest* request,
      grpc::ServerWriter<v1::WatchNotificationsResponse>* writer) override;
  grpc::Status ListDeadLetters(grpc::ServerContext* context,
                               const v1::ListDeadLettersRequest* request,
                               v1::ListDeadLettersResponse* response) override;
  grpc::Status RetryDeadLetter(grpc::ServerContext* context,
                               const v1::RetryDeadLetterRequest* request,
                               v1::RetryDeadLetterResponse* response) override;

  // Stops streams and deliveries (before the server drains).
  void Stop();

 private:
  std::string Summarize(const v1::Event& event) const;
  // Publish and PublishBatch: validates every event (naming `field_of(i)`),
  // stores them in one transaction, counts and wakes streams and deliveries.
  absl::StatusOr<std::vector<PublishResult>> PublishEvents(
      const v1::Actor& caller, const google::protobuf::Message& request,
      const std::vector<v1::Event>& events, const std::function<std::string(size_t)>& field_of);
  // The one poller that notices notifications other replicas wrote and wakes the streams.
  void PollFeed();
  // A SERVICE subscription may target order-intake's configured EventSink or the operator's
  // allow-list, nothing else.
  bool IsAllowedSink(const std::string& address) const;
  // Creates the built-in subscriptions that depend on configuration, once the
  // database is there.
  void EnsureConfiguredSubscriptions();

  common::ServiceRuntime& runtime_;
  const NotificationOptions options_;
  absl::TimeZone time_zone_;
  std::unique_ptr<NotificationStore> store_;
  NotificationMetrics metrics_;
  FeedSignal feed_;
  DeliveryWorker deliveries_;
  StreamSlots streams_;
  std::thread setup_;
  std::thread feed_poller_;
  // Start (after migrations) and Stop never overlap.
  std::mutex start_mutex_;
};

// Adds the notification settings to the command line.
void AddOptions(CLI::App& app, NotificationOptions& options);

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         NotificationOptions options);

}  // namespace salesops::notification
