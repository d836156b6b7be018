#include "services/common/outbox_relay.h"

#include <absl/strings/str_join.h>

#include "services/common/backoff.h"
#include "services/common/channel_factory.h"
#include "services/common/log.h"

namespace salesops::common {
namespace {

// Codes that say "notification is not there right now" rather than "this
// event is refused": the whole relay waits, and no event is blamed.
bool MeansUnreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::CANCELLED;
}

class OutboxLagCollectable : public prometheus::Collectable {
 public:
  explicit OutboxLagCollectable(ConnectionPool& database) : store_(database) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<OutboxLag> lag = store_.Lag();
    if (!lag.ok()) return {};  // no sample rather than a wrong one
    return {Gauge("salesops_outbox_pending_events",
                  "Events in this service's outbox not yet accepted by notification.",
                  static_cast<double>(lag->pending)),
            Gauge("salesops_outbox_oldest_pending_age_seconds",
                  "Age of the oldest event not yet accepted by notification (outbox lag); 0 "
                  "when none is pending.",
                  lag->oldest_age_seconds)};
  }

 private:
  static prometheus::MetricFamily Gauge(std::string name, std::string help, double value) {
    prometheus::MetricFamily family;
    family.name = std::move(name);
    family.help = std::move(help);
    family.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric metric;
    metric.gauge.value = value;
    family.metric.push_back(metric);
    return family;
  }

  mutable OutboxStore store_;
};

}  // namespace

OutboxRelay::OutboxRelay(ConnectionPool& database, std::shared_ptr<grpc::Channel> notification,
                         prometheus::Registry& metrics, OutboxRelayOptions options)
    : store_(database),
      stub_(v1::NotificationService::NewStub(std::move(notification))),
      options_(options),
      relayed_(prometheus::BuildCounter()
                   .Name("salesops_outbox_relayed_total")
                   .Help("Outbox events offered to notification, by outcome (sent, failed).")
                   .Register(metrics)),
      sent_counter_(relayed_.Add({{"outcome", "sent"}})),
      failed_counter_(relayed_.Add({{"outcome", "failed"}})),
      random_(std::random_device{}()),
      next_cleanup_(std::chrono::steady_clock::now()) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Loop() {
  LogInfo("outbox_relay_started");
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    RelayPass pass = RunOnce();
    if (std::chrono::steady_clock::now() >= next_cleanup_) DeleteOldSentEvents();
    std::chrono::milliseconds wait = options_.poll_interval;
    if (pass.unreachable) {
      ++unreachable_streak_;
      wait = BackoffDelay(unreachable_streak_, options_.retry_base, options_.retry_max, random_);
      if (unreachable_streak_ == 1) {
        LogWarn("outbox_relay_waiting", {{"reason", "notification or database unreachable"},
                                         {"pending_in_batch", std::to_string(pass.claimed)}});
      }
    } else {
      if (unreachable_streak_ > 0) {
        LogInfo("outbox_relay_resumed", {{"retries", std::to_string(unreachable_streak_)}});
      }
      unreachable_streak_ = 0;
      // A full batch means more are waiting: go on at once.
      if (pass.claimed == options_.batch_size) wait = std::chrono::milliseconds(0);
    }
    lock.lock();
    if (wait.count() > 0) wake_.wait_for(lock, wait, [this] { return stopping_; });
  }
  LogInfo("outbox_relay_stopped");
}

RelayPass OutboxRelay::RunOnce() {
  RelayPass pass;
  absl::StatusOr<std::vector<ClaimedOutboxEvent>> claimed_or =
      store_.ClaimDue(options_.batch_size, options_.claim_lease);
  if (!claimed_or.ok()) {
    pass.unreachable = true;
    return pass;
  }
  const std::vector<ClaimedOutboxEvent>& claimed = *claimed_or;
  pass.claimed = static_cast<int>(claimed.size());
  if (claimed.empty()) return pass;

  // Publish in chunks (one notification transaction each), several at once.
  struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    v1::PublishBatchRequest request;
    v1::PublishBatchResponse response;
    grpc::ClientContext context;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Chunk>> chunks;
  for (size_t begin = 0; begin < claimed.size(); begin += options_.events_per_publish) {
    auto chunk = std::make_unique<Chunk>();
    chunk->begin = begin;
    chunk->end = std::min(claimed.size(), begin + options_.events_per_publish);
    for (size_t i = chunk->begin; i < chunk->end; ++i) {
      *chunk->request.add_events() = claimed[i].event;
    }
    SetDeadline(chunk->context, options_.publish_timeout);
    chunks.push_back(std::move(chunk));
  }
  std::mutex mutex;
  std::condition_variable done;
  int in_flight = 0;
  for (auto& chunk : chunks) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      done.wait(lock, [&] { return in_flight < options_.max_in_flight; });
      ++in_flight;
    }
    stub_->async()->PublishBatch(&chunk->context, &chunk->request, &chunk->response,
                                 [&, raw = chunk.get()](grpc::Status call_status) {
                                   std::lock_guard<std::mutex> lock(mutex);
                                   raw->status = std::move(call_status);
                                   --in_flight;
                                   done.notify_all();
                                 });
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [&] { return in_flight == 0; });
  }
  std::vector<grpc::Status> results(claimed.size());
  for (const auto& chunk : chunks) {
    for (size_t i = chunk->begin; i < chunk->end; ++i) {
      if (chunk->status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        results[i] = chunk->status;
        continue;
      }
      // One bad event refused the chunk: send its events one by one, so the
      // good ones go through and only the bad one waits.
      grpc::ClientContext context;
      SetDeadline(context, options_.publish_timeout);
      v1::PublishRequest single;
      *single.mutable_event() = claimed[i].event;
      v1::PublishResponse response;
      results[i] = stub_->Publish(&context, single, &response);
    }
  }

  std::vector<int64_t> sent_ids;
  std::vector<OutboxFailure> failures;
  for (size_t i = 0; i < claimed.size(); ++i) {
    const grpc::Status& result = results[i];
    if (result.ok()) {
      sent_ids.push_back(claimed[i].id);
      continue;
    }
    // Unreachable: the row goes back to the front of the queue and the whole relay waits
    // instead. Refused: this event alone backs off.
    const bool unreachable = MeansUnreachable(result.error_code());
    if (unreachable) pass.unreachable = true;
    failures.push_back(
        {claimed[i].id,
         unreachable
             ? std::chrono::milliseconds(0)
             : BackoffDelay(claimed[i].attempts, options_.retry_base, options_.retry_max, random_),
         (GrpcCodeLabel(result.error_code()) + ": " + result.error_message()).substr(0, 2000)});
  }
  pass.sent = static_cast<int>(sent_ids.size());
  pass.failed = static_cast<int>(failures.size());
  sent_counter_.Increment(pass.sent);
  failed_counter_.Increment(pass.failed);
  if (absl::Status marked = store_.MarkResults(sent_ids, failures); !marked.ok()) {
    // The lease runs out and the events are sent again; notification deduplicates them.
    LogWarn("outbox_mark_failed",
            {{"error", std::string(marked.message())}, {"sent", std::to_string(sent_ids.size())}});
  } else if (!failures.empty() && !pass.unreachable) {
    LogWarn("outbox_events_refused",
            {{"count", std::to_string(failures.size())}, {"first_error", failures.front().error}});
  }
  return pass;
}

void OutboxRelay::DeleteOldSentEvents() {
  next_cleanup_ = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  absl::Status status =
      store_.DeleteSentBefore(std::chrono::duration_cast<std::chrono::seconds>(options_.keep_sent));
  if (!status.ok()) LogWarn("outbox_cleanup_failed", {{"error", std::string(status.message())}});
}

std::shared_ptr<prometheus::Collectable> MakeOutboxLagCollectable(ConnectionPool& database) {
  return std::make_shared<OutboxLagCollectable>(database);
}

}  // namespace salesops::common
