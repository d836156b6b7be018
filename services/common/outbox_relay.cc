#include "services/common/outbox_relay.h"

#include <absl/strings/str_join.h>

#include "services/common/backoff.h"
#include "services/common/channel_factory.h"
#include "services/common/log.h"
#include "services/common/sql_text.h"

namespace salesops::common {
namespace {

struct ClaimedEvent {
  int64_t id = 0;
  int attempts = 0;
  v1::PublishRequest request;
};

// Codes that say "notification is not there right now" rather than "this
// event is refused": the whole relay waits, and no event is blamed.
bool MeansUnreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::CANCELLED;
}

class OutboxLagCollectable : public prometheus::Collectable {
 public:
  explicit OutboxLagCollectable(ConnectionPool& database) : database_(database) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    int64_t pending = 0;
    double oldest_age_seconds = 0;
    absl::Status status = database_.InTransaction("outbox_lag", [&](pqxx::work& transaction) {
      pqxx::row row = transaction.exec1(
          "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 "
          "FROM outbox WHERE sent_at IS NULL");
      pending = row[0].as<int64_t>();
      oldest_age_seconds = row[1].as<double>();
      return absl::OkStatus();
    });
    if (!status.ok()) return {};  // no sample rather than a wrong one
    return {Gauge("salesops_outbox_pending_events",
                  "Events in this service's outbox not yet accepted by notification.", pending),
            Gauge("salesops_outbox_oldest_pending_age_seconds",
                  "Age of the oldest event not yet accepted by notification (outbox lag); 0 "
                  "when none is pending.",
                  oldest_age_seconds)};
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

  ConnectionPool& database_;
};

}  // namespace

OutboxRelay::OutboxRelay(ConnectionPool& database, std::shared_ptr<grpc::Channel> notification,
                         prometheus::Registry& metrics, OutboxRelayOptions options)
    : database_(database),
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
  std::vector<ClaimedEvent> claimed;
  absl::Status status = database_.InTransaction("outbox_claim", [&](pqxx::work& transaction) {
    claimed.clear();
    // The lease (next_attempt_at pushed ahead) is what keeps other replicas
    // off these rows once this short transaction commits.
    pqxx::result rows = transaction.exec_params(
        "UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
        "  attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= now() "
        "             ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, attempts, payload",
        options_.batch_size, static_cast<int64_t>(options_.claim_lease.count()));
    for (const pqxx::row& row : rows) {
      ClaimedEvent event;
      event.id = row[0].as<int64_t>();
      event.attempts = row[1].as<int>();
      pqxx::binarystring payload(row[2]);
      event.request.mutable_event()->ParseFromArray(payload.data(),
                                                    static_cast<int>(payload.size()));
      claimed.push_back(std::move(event));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    pass.unreachable = true;
    return pass;
  }
  pass.claimed = static_cast<int>(claimed.size());
  if (claimed.empty()) return pass;
  std::sort(claimed.begin(), claimed.end(),
            [](const ClaimedEvent& a, const ClaimedEvent& b) { return a.id < b.id; });

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
      *chunk->request.add_events() = claimed[i].request.event();
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
      v1::PublishResponse response;
      results[i] = stub_->Publish(&context, claimed[i].request, &response);
    }
  }

  std::vector<int64_t> sent_ids;
  std::vector<std::pair<int64_t, std::string>> failures;
  std::vector<int> failure_attempts;
  for (size_t i = 0; i < claimed.size(); ++i) {
    const grpc::Status& result = results[i];
    if (result.ok()) {
      sent_ids.push_back(claimed[i].id);
      continue;
    }
    if (MeansUnreachable(result.error_code())) pass.unreachable = true;
    failures.emplace_back(claimed[i].id,
                          GrpcCodeLabel(result.error_code()) + ": " + result.error_message());
    failure_attempts.push_back(MeansUnreachable(result.error_code()) ? 0 : claimed[i].attempts);
  }
  pass.sent = static_cast<int>(sent_ids.size());
  pass.failed = static_cast<int>(failures.size());
  sent_counter_.Increment(pass.sent);
  failed_counter_.Increment(pass.failed);
  MarkResults(sent_ids, failures, failure_attempts, pass.unreachable);
  return pass;
}

void OutboxRelay::MarkResults(const std::vector<int64_t>& sent_ids,
                              const std::vector<std::pair<int64_t, std::string>>& failures,
                              const std::vector<int>& failure_attempts, bool unreachable) {
  std::vector<int64_t> failed_ids;
  std::vector<int64_t> delays_ms;
  std::vector<std::string> errors;
  for (size_t i = 0; i < failures.size(); ++i) {
    failed_ids.push_back(failures[i].first);
    errors.push_back(failures[i].second.substr(0, 2000));
    // Unreachable: the row goes back to the front of the queue and the whole
    // relay waits instead. Refused: this event alone backs off.
    delays_ms.push_back(
        failure_attempts[i] == 0
            ? 0
            : BackoffDelay(failure_attempts[i], options_.retry_base, options_.retry_max, random_)
                  .count());
  }
  absl::Status status = database_.InTransaction("outbox_mark", [&](pqxx::work& transaction) {
    if (!sent_ids.empty()) {
      transaction.exec_params(
          "UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
          PgBigintArray(sent_ids));
    }
    if (!failed_ids.empty()) {
      transaction.exec_params(
          "UPDATE outbox o SET next_attempt_at = now() + f.delay_ms * interval '1 millisecond', "
          "  last_error = f.error "
          "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS f(id, delay_ms, error) "
          "WHERE o.id = f.id",
          PgBigintArray(failed_ids), PgBigintArray(delays_ms), PgTextArray(errors));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    // The lease runs out and the events are sent again; notification
    // deduplicates them.
    LogWarn("outbox_mark_failed",
            {{"error", std::string(status.message())}, {"sent", std::to_string(sent_ids.size())}});
  } else if (!failures.empty() && !unreachable) {
    LogWarn("outbox_events_refused",
            {{"count", std::to_string(failures.size())}, {"first_error", errors.front()}});
  }
}

void OutboxRelay::DeleteOldSentEvents() {
  next_cleanup_ = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  const auto keep_seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.keep_sent);
  absl::Status status = database_.InTransaction("outbox_cleanup", [&](pqxx::work& transaction) {
    transaction.exec_params(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL "
        "AND sent_at < now() - $1 * interval '1 second'",
        static_cast<int64_t>(keep_seconds.count()));
    return absl::OkStatus();
  });
  if (!status.ok()) LogWarn("outbox_cleanup_failed", {{"error", std::string(status.message())}});
}

std::shared_ptr<prometheus::Collectable> MakeOutboxLagCollectable(ConnectionPool& database) {
  return std::make_shared<OutboxLagCollectable>(database);
}

}  // namespace salesops::common
