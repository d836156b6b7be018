#pragma once

// The van-run dispatcher (issue 19): every transfer between warehouses needs a driver and a
// vehicle, which scheduling plans (PlanTransfer) and frees again when the transfer is cancelled
// (CancelJob). Inventory owns the transfer, so inventory makes sure scheduling hears of it: the
// transfer row says what scheduling has been told (van_run_planned, van_run_cancelled), and a
// background worker tells it the rest, over and over until it has it. Every call is idempotent
// (its request_id comes from the transfer id), so a process that dies between the call and
// the row's update only makes the next sweep ask again.
#include <absl/status/statusor.h>
#include <grpcpp/channel.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/db_pool.h"

namespace salesops::common {
class LogRateLimiter;
}  // namespace salesops::common

namespace salesops::inventory {

// The dispatcher's flags.
struct VanRunOptions {
  // Scheduling (host:port); empty: no van runs are planned.
  std::string scheduling_address;
  // How often the dispatcher looks for transfers to tell scheduling about.
  int interval_ms = 5000;
};

// What scheduling has to hear about one transfer.
enum class VanRunStepKind {
  // An open transfer without its van run: PlanTransfer.
  kPlan,
  // A cancelled transfer whose van run may exist or be on its way: CancelJob, which also fences
  // a PlanTransfer still in flight.
  kCancel,
};

// A transfer the dispatcher has claimed, and what to do about it.
struct VanRunStep {
  VanRunStepKind kind = VanRunStepKind::kPlan;
  // As stored: id, lines, both ends, departure, arrival, road time.
  v1::Transfer transfer;
  // Times scheduling refused this step so far (the backoff grows with them). A plan's refusals
  // do not count against the cancel step that follows it.
  int refusals = 0;
};

// What is left to tell scheduling, for the gauges.
struct VanRunBacklog {
  int64_t to_plan = 0;
  int64_t to_cancel = 0;
  // Of those, the ones whose last call scheduling refused (waiting out their backoff).
  int64_t refused = 0;
};

// The dispatcher's bookkeeping on the transfers table (columns of migrations 0109 and 0111).
// Its own small class, apart from InventoryStore: the dispatcher is the only one that asks.
class PostgresVanRunStore {
 public:
  explicit PostgresVanRunStore(common::ConnectionPool& database) : database_(database) {}

  // The next transfer with a step due, claimed for `lease` (its van_run_next_time moves past
  // the lease, so other replicas leave it alone while this one calls scheduling); nullopt when
  // none is due. The row lock is taken with SKIP LOCKED and held only for the claim, never
  // across the call, so CancelTransfer never waits for scheduling.
  absl::StatusOr<std::optional<VanRunStep>> ClaimNext(std::chrono::milliseconds lease);
  // Scheduling has the van run. Whatever the transfer's state by now: one cancelled meanwhile
  // is then due for its cancel step.
  absl::Status MarkPlanned(const std::string& transfer_id);
  // Scheduling has freed (or fenced) the van run of a cancelled transfer: nothing more to do.
  absl::Status MarkCancelled(const std::string& transfer_id);
  // Scheduling refused `step`: its count goes up, `error` is kept as the transfer's last
  // error, and the step is due again after `retry_after`. A transfer cancelled while its
  // PlanTransfer was refused is not held back: its cancel step is due at once.
  absl::Status RecordRefusal(const VanRunStep& step, const std::string& error,
                             std::chrono::milliseconds retry_after);
  // Gives the claim back without learning anything (scheduling unreachable, shutting down):
  // due again at once.
  absl::Status Release(const std::string& transfer_id);
  absl::StatusOr<VanRunBacklog> Backlog();

 private:
  common::ConnectionPool& database_;
};

// The request_id of the PlanTransfer for `transfer_id`, "van-run-T-000042": the same on every
// try, by every replica, so a retry after a crash is the same request, and the CancelJob that
// frees the run can name it (undo_request_id) to fence a PlanTransfer still on its way.
std::string VanRunRequestId(const std::string& transfer_id);

// The PlanTransfer for a stored transfer. Built from the stored body alone, so every try sends
// the same body (scheduling refuses another body for the same transfer).
v1::PlanTransferRequest PlanTransferRequestOf(const v1::Transfer& transfer);

// The CancelJob that frees (and fences) the van run of `transfer_id`.
v1::CancelJobRequest CancelJobRequestOf(const std::string& transfer_id);

// How a call to scheduling ended, for the dispatcher.
enum class VanRunCallOutcome {
  kDone,
  // PlanTransfer answered STEP_UNDONE: a CancelJob fenced it, the transfer is cancelled and its
  // cancel step takes over.
  kUndone,
  // Scheduling is not there right now: the whole sweep waits, no transfer is blamed.
  kUnreachable,
  // Scheduling answered and said no (a bad or conflicting body, a refusal of its rules, a
  // token it does not accept): this transfer backs off.
  kRefused,
};
VanRunCallOutcome OutcomeOf(const grpc::Status& status);

// How long a transfer waits after its `refusals`-th refusal: 5 s doubling up to 10 minutes,
// with jitter, so a refusal that lasts costs a call every 10 minutes, not a hot loop.
std::chrono::milliseconds RetryDelayAfterRefusal(int refusals, std::mt19937_64& random);

// salesops_inventory_van_runs_waiting{step} and salesops_inventory_van_runs_refused, read from
// the transfers table at scrape time.
std::shared_ptr<prometheus::Collectable> MakeVanRunBacklogGauges(common::ConnectionPool& database);

// The worker: at start and then every `interval`, claims due transfers one at a time (at most
// kMaxStepsPerSweep a sweep) and makes the call each needs. Replicas run side by side; the
// claim keeps two of them from calling for the same transfer at once.
class VanRunDispatcher {
 public:
  // Most transfers one sweep takes up; a full sweep goes on without waiting.
  static constexpr int kMaxStepsPerSweep = 100;

  VanRunDispatcher(common::ConnectionPool& database, std::shared_ptr<grpc::Channel> scheduling,
                   prometheus::Registry& metrics, std::chrono::milliseconds interval);
  ~VanRunDispatcher();
  VanRunDispatcher(const VanRunDispatcher&) = delete;
  VanRunDispatcher& operator=(const VanRunDispatcher&) = delete;

  // Starts the worker thread; Stop (or the destructor) cancels the call in flight and ends it.
  void Start();
  void Stop();

  // What one sweep did.
  struct Sweep {
    int steps = 0;
    int done = 0;
    int refused = 0;
    // Scheduling or the database could not be reached: the sweep stopped there.
    bool unreachable = false;
  };
  // One sweep on the calling thread (the worker runs these).
  Sweep SweepOnce();

 private:
  void Loop();
  // Makes the step's call; kDone, kUndone and kRefused are recorded on the transfer.
  VanRunCallOutcome Take(const VanRunStep& step, std::string& error);
  grpc::Status CallScheduling(const VanRunStep& step);
  bool stopping();

  PostgresVanRunStore store_;
  std::unique_ptr<v1::SchedulingService::Stub> scheduling_;
  const std::chrono::milliseconds interval_;
  prometheus::Family<prometheus::Counter>& steps_;
  std::unique_ptr<common::LogRateLimiter> refusal_log_;
  std::mt19937_64 random_;
  int unreachable_streak_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  // The call in flight, cancelled by Stop so a shutdown never waits out its deadline.
  grpc::ClientContext* in_flight_ = nullptr;
  std::thread thread_;
};

}  // namespace salesops::inventory
