#include "services/common/outbox_relay.h"

#include <absl/strings/str_join.h>

#include "services/common/backoff.h"
#include "services/common/channel_factory.h"
#include "services/common/log.h"
#include "services/common/validation.h"

namespace salesops::common {
namespace {

// Codes that say "notification is not there right now" rather than "this
// event is refused": the whole relay waits, and no event is blamed.
bool MeansUnreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::CANCELLED;
}

// Codes that say "this event, as written, will never be accepted": notification validated it
// and found it wrong, so offering it again cannot help. Only INVALID_ARGUMENT: notification
// answers FAILED_PRECONDITION, OUT_OF_RANGE and the like to no Publish today, and where gRPC
// uses them they depend on the receiver's state, which can change; PERMISSION_DENIED,
// UNAUTHENTICATED and UNIMPLEMENTED are configuration, put right without touching the event.
bool MeansRefusedForGood(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT;
}

// Stored in last_error and logged: the refusal's text may hold anything notification quoted.
constexpr size_t kMaxErrorBytes = 2000;
constexpr size_t kMaxLoggedErrorBytes = 500;

class OutboxBacklogCollectable : public prometheus::Collectable {
 public:
  explicit OutboxBacklogCollectable(ConnectionPool& database) : store_(database) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<OutboxBacklog> backlog = store_.Backlog();
    if (!backlog.ok()) return {};  // no sample rather than a wrong one
    return {Gauge("salesops_outbox_pending_events",
                  "Events in this service's outbox not yet accepted by notification.",
                  static_cast<double>(backlog->pending)),
            Gauge("salesops_outbox_oldest_pending_age_seconds",
                  "Age of the oldest event not yet accepted by notification (outbox lag); 0 "
                  "when none is pending.",
                  backlog->oldest_age_seconds),
            Gauge("salesops_outbox_dead_lettered_events",
                  "Events in this service's outbox that notification refused for good, set "
                  "aside until a person re-queues or deletes them.",
                  static_cast<double>(backlog->dead_lettered))};
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
      dead_letter_counter_(prometheus::BuildCounter()
                               .Name("salesops_outbox_dead_letters_total")
                               .Help("Outbox events notification refused for good "
                                     "(INVALID_ARGUMENT), set aside by this process.")
                               .Register(metrics)
                               .Add({})),
      refusal_log_(std::make_unique<LogRateLimiter>(/*per_second=*/1, /*burst=*/20)),
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
      v1::Event* event = chunk->request.add_events();
      *event = claimed[i].event;
      // Rows written before AppendToOutbox fitted their text are fitted on their way out; for
      // every other row this changes nothing.
      FitTextToRules(*event);
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
      if (!MeansRefusedForGood(chunk->status.error_code())) {
        results[i] = chunk->status;
        continue;
      }
      // One bad event refused the whole chunk: send its events one by one, so the good ones go
      // through and only the bad one is dead-lettered. A batch's answer never blames an event.
      grpc::ClientContext context;
      SetDeadline(context, options_.publish_timeout);
      v1::PublishRequest single;
      *single.mutable_event() = chunk->request.events(static_cast<int>(i - chunk->begin));
      v1::PublishResponse response;
      results[i] = stub_->Publish(&context, single, &response);
    }
  }

  std::vector<int64_t> sent_ids;
  std::vector<OutboxFailure> failures;
  std::vector<size_t> failed_events;  // index into `claimed` of each failure
  for (size_t i = 0; i < claimed.size(); ++i) {
    const grpc::Status& result = results[i];
    if (result.ok()) {
      sent_ids.push_back(claimed[i].id);
      continue;
    }
    // Unreachable: the row goes back to the front of the queue and the whole relay waits
    // instead. Refused for good: set aside. Refused otherwise: this event alone backs off.
    const bool unreachable = MeansUnreachable(result.error_code());
    if (unreachable) pass.unreachable = true;
    OutboxFailure failure;
    failure.id = claimed[i].id;
    failure.dead_letter = MeansRefusedForGood(result.error_code());
    if (!unreachable && !failure.dead_letter) {
      failure.retry_after =
          BackoffDelay(claimed[i].attempts, options_.retry_base, options_.retry_max, random_);
    }
    failure.error =
        OneLine(GrpcCodeLabel(result.error_code()) + ": " + result.error_message(), kMaxErrorBytes);
    pass.dead_lettered += failure.dead_letter ? 1 : 0;
    failures.push_back(std::move(failure));
    failed_events.push_back(i);
  }
  pass.sent = static_cast<int>(sent_ids.size());
  pass.failed = static_cast<int>(failures.size());
  sent_counter_.Increment(pass.sent);
  failed_counter_.Increment(pass.failed);
  if (absl::Status marked = store_.MarkResults(sent_ids, failures); !marked.ok()) {
    // The lease runs out and the events are sent again; notification deduplicates them, and
    // a refused one is refused (and set aside) again.
    LogWarn("outbox_mark_failed",
            {{"error", std::string(marked.message())}, {"sent", std::to_string(sent_ids.size())}});
    pass.dead_lettered = 0;
    return pass;
  }
  dead_letter_counter_.Increment(pass.dead_lettered);
  for (size_t k = 0; k < failures.size(); ++k) {
    const size_t i = failed_events[k];
    if (!MeansUnreachable(results[i].error_code())) LogRefusal(claimed[i], failures[k]);
  }
  return pass;
}

void OutboxRelay::LogRefusal(const ClaimedOutboxEvent& claimed, const OutboxFailure& failure) {
  uint64_t suppressed = 0;
  if (!refusal_log_->Allow(&suppressed)) return;
  LogEvent(failure.dead_letter ? spdlog::level::err : spdlog::level::warn,
           failure.dead_letter ? "outbox_event_dead_lettered" : "outbox_event_refused",
           {{"event_id", claimed.event.event_id()},
            {"event_type", v1::EventType_IsValid(claimed.event.type())
                               ? v1::EventType_Name(claimed.event.type())
                               : std::to_string(claimed.event.type())},
            {"attempts", std::to_string(claimed.attempts)},
            {"error", TruncateText(failure.error, kMaxLoggedErrorBytes)},
            {"retry_in_ms", failure.dead_letter ? "" : std::to_string(failure.retry_after.count())},
            {"suppressed_warnings", suppressed > 0 ? std::to_string(suppressed) : ""}});
}

void OutboxRelay::DeleteOldSentEvents() {
  next_cleanup_ = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  absl::Status status =
      store_.DeleteSentBefore(std::chrono::duration_cast<std::chrono::seconds>(options_.keep_sent));
  if (!status.ok()) LogWarn("outbox_cleanup_failed", {{"error", std::string(status.message())}});
  // The same periodic pass keeps the service's request ids from growing for ever.
  status = store_.ForgetRequestIdsBefore(
      std::chrono::duration_cast<std::chrono::seconds>(options_.keep_request_ids));
  if (!status.ok()) {
    LogWarn("idempotency_cleanup_failed", {{"error", std::string(status.message())}});
  }
}

std::shared_ptr<prometheus::Collectable> MakeOutboxBacklogCollectable(ConnectionPool& database) {
  return std::make_shared<OutboxBacklogCollectable>(database);
}

}  // namespace salesops::common
