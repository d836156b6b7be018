#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "salesops/v1/notification.grpc.pb.h"
#include "services/common/service_runtime.h"
#include "services/notification/address_policy.h"
#include "services/notification/notification_metrics.h"
#include "services/notification/notification_store.h"

namespace salesops::notification {

struct DeliveryOptions {
  int concurrency = 8;
  // Deliveries in flight to one subscription at most, so one slow or hanging
  // receiver cannot take every worker from the others.
  int per_subscription = 2;
  int max_attempts = 8;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{600000};
  std::chrono::milliseconds timeout{10000};
  // How often an idle dispatcher looks for due retries (Publish wakes it at once).
  std::chrono::milliseconds poll_interval{500};
  // Where webhooks may connect (private and loopback ranges only as the operator allows).
  AddressPolicy webhook_addresses;
  // The one EventSink this service configured itself (order-intake): the only target that
  // gets this service's own bearer token. A target a person chose never sees it.
  std::string trusted_sink_address;
};

// Webhook and service deliveries: a dispatcher claims due deliveries
// (SKIP LOCKED, leased, so replicas share them) and hands them to a bounded
// pool of workers; each attempt is logged, failures retried with backoff and
// jitter, and exhausted deliveries become dead letters.
class DeliveryWorker {
 public:
  DeliveryWorker(NotificationStore& store, common::ServiceRuntime& runtime,
                 NotificationMetrics& metrics, DeliveryOptions options,
                 std::function<std::string(const v1::Event&)> summarize);
  ~DeliveryWorker();

  void Start();
  // Finishes the attempts in progress, then returns.
  void Stop();
  // New deliveries are waiting (called after Publish commits).
  void Wake();

 private:
  void Dispatch();
  void Work();
  AttemptRecord Attempt(const ClaimedDelivery& delivery);
  AttemptRecord AttemptWebhook(const ClaimedDelivery& delivery);
  AttemptRecord AttemptService(const ClaimedDelivery& delivery);
  v1::EventSink::Stub* SinkFor(const std::string& address, std::string* error);

  NotificationStore& store_;
  common::ServiceRuntime& runtime_;
  NotificationMetrics& metrics_;
  const DeliveryOptions options_;
  std::function<std::string(const v1::Event&)> summarize_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool woken_ = false;
  int busy_ = 0;
  std::deque<ClaimedDelivery> queue_;
  std::map<std::string, int> in_flight_;  // by subscription
  std::mt19937_64 random_;
  std::map<std::string, std::unique_ptr<v1::EventSink::Stub>> sinks_;
  std::thread dispatcher_;
  std::vector<std::thread> workers_;
};

}  // namespace salesops::notification
