#include "services/notification/delivery_worker.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "services/common/backoff.h"
#include "services/common/channel_factory.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/notification/webhook.h"

namespace salesops::notification {
using common::LogInfo;
using common::LogWarn;

namespace {

std::string ChannelLabel(v1::SubscriptionChannel channel) {
  return channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK ? "webhook" : "service";
}

}  // namespace

DeliveryWorker::DeliveryWorker(NotificationStore& store, common::ServiceRuntime& runtime,
                               NotificationMetrics& metrics, DeliveryOptions options,
                               std::function<std::string(const v1::Event&)> summarize)
    : store_(store),
      runtime_(runtime),
      metrics_(metrics),
      options_(options),
      summarize_(std::move(summarize)),
      random_(std::random_device{}()) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  dispatcher_ = std::thread([this] { Dispatch(); });
  for (int i = 0; i < options_.concurrency; ++i) workers_.emplace_back([this] { Work(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

void DeliveryWorker::Dispatch() {
  // A claim is leased for longer than one attempt can take, so only a worker
  // that died gives its delivery up to another replica.
  const auto lease = options_.timeout * 2 + std::chrono::seconds(30);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    changed_.wait(lock, [this] {
      return stopping_ || busy_ + static_cast<int>(queue_.size()) < options_.concurrency;
    });
    if (stopping_) break;
    std::vector<std::string> saturated;
    for (const auto& [subscription, count] : in_flight_) {
      if (count >= options_.per_subscription) saturated.push_back(subscription);
    }
    woken_ = false;
    lock.unlock();
    absl::StatusOr<std::optional<ClaimedDelivery>> claimed = store_.ClaimDelivery(saturated, lease);
    lock.lock();
    if (!claimed.ok() || !claimed->has_value()) {
      if (!claimed.ok()) {
        LogWarn("delivery_claim_failed", {{"error", std::string(claimed.status().message())}});
      }
      changed_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
      continue;
    }
    ++in_flight_[(*claimed)->subscription_id];
    queue_.push_back(std::move(**claimed));
    changed_.notify_all();
  }
}

void DeliveryWorker::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, nothing left to finish
    ClaimedDelivery delivery = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();

    AttemptRecord record = Attempt(delivery);
    const std::string channel = ChannelLabel(delivery.channel);
    absl::StatusOr<DeliveryState> state = store_.RecordAttempt(delivery, record);
    if (!state.ok()) {
      // The lease runs out and the delivery is attempted again.
      LogWarn("delivery_record_failed", {{"delivery_id", std::to_string(delivery.delivery_id)},
                                         {"error", std::string(state.status().message())}});
    } else if (*state == DeliveryState::kDelivered) {
      auto since_event = std::chrono::system_clock::now() -
                         std::chrono::system_clock::time_point(std::chrono::nanoseconds(
                             google::protobuf::util::TimeUtil::TimestampToNanoseconds(
                                 delivery.event.occur_time())));
      metrics_.Delivered(channel, std::chrono::duration<double>(since_event));
    } else if (*state == DeliveryState::kRefused) {
      metrics_.Delivery(channel, "refused");
    } else if (*state == DeliveryState::kDead) {
      metrics_.DeadLettered(channel);
      LogWarn("delivery_dead_lettered", {{"delivery_id", std::to_string(delivery.delivery_id)},
                                         {"subscription_id", delivery.subscription_id},
                                         {"event_id", delivery.event.event_id()},
                                         {"attempts", std::to_string(delivery.attempt)},
                                         {"last_error", record.error}});
    } else {
      metrics_.Delivery(channel, "failed");
    }

    lock.lock();
    --busy_;
    // A subscription that was full may have deliveries waiting: the dispatcher skipped them and
    // sleeps until woken (else they would wait a whole poll interval for the slot freed here).
    int& in_flight = in_flight_[delivery.subscription_id];
    if (in_flight >= options_.per_subscription) woken_ = true;
    if (--in_flight <= 0) in_flight_.erase(delivery.subscription_id);
    changed_.notify_all();
  }
}

AttemptRecord DeliveryWorker::Attempt(const ClaimedDelivery& delivery) {
  AttemptRecord record;
  if (delivery.subscription_deleted) {
    record.verdict = AttemptVerdict::kRefused;
    record.error = "subscription deleted before delivery";
    return record;
  }
  record = delivery.channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK ? AttemptWebhook(delivery)
                                                                : AttemptService(delivery);
  if (record.verdict == AttemptVerdict::kFailed) {
    std::lock_guard<std::mutex> lock(mutex_);
    record.retry_after =
        common::BackoffDelay(delivery.attempt, options_.retry_base, options_.retry_max, random_);
  }
  return record;
}

AttemptRecord DeliveryWorker::AttemptWebhook(const ClaimedDelivery& delivery) {
  v1::Event event = delivery.event;
  if (event.summary().empty()) event.set_summary(summarize_(event));
  WebhookPost post;
  post.url = delivery.webhook_url;
  google::protobuf::util::MessageToJsonString(event, &post.body);
  post.event_id = event.event_id();
  post.event_type = v1::EventType_Name(event.type());
  post.secret = delivery.webhook_secret;
  post.attempt = delivery.attempt;
  post.timeout = options_.timeout;
  post.addresses = &options_.webhook_addresses;
  WebhookAnswer answer = PostWebhook(post);
  AttemptRecord record;
  record.http_status = answer.http_status;
  record.error = answer.error;
  record.latency = answer.latency;
  record.verdict = answer.ok() ? AttemptVerdict::kDelivered : AttemptVerdict::kFailed;
  return record;
}

v1::EventSink::Stub* DeliveryWorker::SinkFor(const std::string& address, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = sinks_.find(address);
  if (found != sinks_.end()) return found->second.get();
  const bool trusted = address == options_.trusted_sink_address;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      trusted ? runtime_.ChannelTo(address, {v1::EventSink::service_full_name()}, options_.timeout,
                                   /*max_attempts=*/1)
              : runtime_.AnonymousChannelTo(address, {v1::EventSink::service_full_name()},
                                            options_.timeout);
  if (!channel.ok()) {
    *error = std::string(channel.status().message());
    return nullptr;
  }
  return (sinks_[address] = v1::EventSink::NewStub(*channel)).get();
}

AttemptRecord DeliveryWorker::AttemptService(const ClaimedDelivery& delivery) {
  AttemptRecord record;
  std::string error;
  v1::EventSink::Stub* sink = SinkFor(delivery.service_address, &error);
  if (sink == nullptr) {
    record.error = error;
    return record;
  }
  v1::DeliverRequest request;
  *request.mutable_event() = delivery.event;
  request.set_subscription_id(delivery.subscription_id);
  request.set_attempt(delivery.attempt);
  v1::DeliverResponse response;
  grpc::ClientContext context;
  common::SetDeadline(context, options_.timeout);
  const auto started = std::chrono::steady_clock::now();
  grpc::Status status = sink->Deliver(&context, request, &response);
  record.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (status.ok()) {
    record.verdict = AttemptVerdict::kDelivered;
    return record;
  }
  common::ErrorDetails details = common::ParseGrpcError(status);
  record.error = common::GrpcCodeLabel(status.error_code()) +
                 (details.reason.empty() ? "" : " " + details.reason) + ": " + details.message;
  // The receiver's final word (the milestone cannot apply): retrying cannot help.
  record.verdict = details.reason == v1::ErrorReason_Name(v1::INVALID_STAGE_TRANSITION)
                       ? AttemptVerdict::kRefused
                       : AttemptVerdict::kFailed;
  return record;
}

}  // namespace salesops::notification
