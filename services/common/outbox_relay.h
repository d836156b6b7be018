#pragma once

#include <grpcpp/channel.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "salesops/v1/notification.grpc.pb.h"
#include "services/common/db_pool.h"
#include "services/common/outbox.h"

namespace salesops::common {

class LogRateLimiter;

struct OutboxRelayOptions {
  // How often an idle relay looks for new events.
  std::chrono::milliseconds poll_interval{50};
  // Most events claimed (and published concurrently) at once.
  int batch_size = 200;
  // Events per PublishBatch call (one notification transaction), and calls
  // in flight at once.
  size_t events_per_publish = 50;
  int max_in_flight = 4;
  // Retries while notification is unreachable back off from `retry_base`
  // up to `retry_max`, with jitter.
  std::chrono::milliseconds retry_base{100};
  std::chrono::milliseconds retry_max{30000};
  std::chrono::milliseconds publish_timeout{5000};
  // A claimed event not marked sent within this time (the relay died between
  // sending and marking) is claimed again; the receiver deduplicates.
  std::chrono::milliseconds claim_lease{30000};
  // Sent events are kept this long (for audit), then deleted.
  std::chrono::hours keep_sent{24 * 7};
  // Request ids (idempotency_keys: AIP-155 answers) are remembered this long: a retry comes
  // within minutes, and a week of them must not grow into the disk's end.
  std::chrono::hours keep_request_ids{24 * 7};
};

// What one pass of the relay did.
struct RelayPass {
  int claimed = 0;
  int sent = 0;
  int failed = 0;  // dead-lettered ones included
  int dead_lettered = 0;
  // Notification could not be reached at all (the whole batch waits).
  bool unreachable = false;
};

// Sends a service's outbox to notification's Publish: claims due rows with
// FOR UPDATE SKIP LOCKED under a lease (so replicas share the work and never
// hold a transaction open across the network), publishes them concurrently,
// marks them sent, and backs off with jitter while notification is down.
// Delivery is at least once: a relay that dies after sending and before
// marking leaves the rows to be claimed again when their lease runs out, and
// notification acknowledges the duplicate. An event notification refuses for
// good (INVALID_ARGUMENT) is dead-lettered, counted and logged, and its
// neighbours in the batch go through; other refusals are retried with backoff.
class OutboxRelay {
 public:
  OutboxRelay(ConnectionPool& database, std::shared_ptr<grpc::Channel> notification,
              prometheus::Registry& metrics, OutboxRelayOptions options = {});
  ~OutboxRelay();

  // Starts the relay thread; Stop (or the destructor) ends it after the pass
  // in progress.
  void Start();
  void Stop();

  // One pass, on the calling thread (the loop runs these; tests call it too).
  RelayPass RunOnce();

 private:
  void Loop();
  void DeleteOldSentEvents();
  void LogRefusal(const ClaimedOutboxEvent& claimed, const OutboxFailure& failure);

  OutboxStore store_;
  std::unique_ptr<v1::NotificationService::Stub> stub_;
  OutboxRelayOptions options_;
  prometheus::Family<prometheus::Counter>& relayed_;
  prometheus::Counter& sent_counter_;
  prometheus::Counter& failed_counter_;
  prometheus::Counter& dead_letter_counter_;
  // Refusals are logged one line per event, but a flood of them is not.
  std::unique_ptr<LogRateLimiter> refusal_log_;
  std::mt19937_64 random_;
  int unreachable_streak_ = 0;
  std::chrono::steady_clock::time_point next_cleanup_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// salesops_outbox_pending_events, salesops_outbox_oldest_pending_age_seconds and
// salesops_outbox_dead_lettered_events, read from the outbox table at scrape time.
std::shared_ptr<prometheus::Collectable> MakeOutboxBacklogCollectable(ConnectionPool& database);

}  // namespace salesops::common
