#pragma once

#include <absl/status/statusor.h>
#include <google/protobuf/message.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/common/sql_text.h"

namespace salesops::order_intake {

// The confirm, amend and cancel sagas (README, "The confirm saga"). A saga's record is written
// before its first remote step and updated as each step succeeds, so that whoever picks it up after
// a crash knows what was done: it finishes a saga whose every step is known to have succeeded and
// undoes any other, step by step.
// kRepair: reconciliation holding an order while it releases a stray reservation or job.
enum class SagaKind { kConfirm, kAmend, kCancel, kRepair };
enum class SagaState {
  kRunning,       // steps under way
  kCompensating,  // being undone
  kFinished,      // the order's final write is done (same transaction)
  kCompensated,   // every step undone
};
// The last remote step known to have succeeded.
enum class SagaProgress { kStarted = 0, kStockReserved = 1, kJobPlanned = 2 };

struct SagaRecord {
  std::string saga_id;
  SagaKind kind = SagaKind::kConfirm;
  std::string order_id;
  // The order's revision when the saga began; the final write refuses any other.
  int64_t base_revision = 0;
  // The revision its Reserve and PlanJob carry: the base for a confirmation, base + 1 for a
  // change. A change that is undone puts the old content back at step_revision + 1.
  int64_t step_revision = 0;
  SagaState state = SagaState::kRunning;
  SagaProgress progress = SagaProgress::kStarted;
  int attempts = 0;
  std::string last_error;
  // Who asked, and with which request_id (the history entry the final write adds names them).
  v1::Actor actor;
  std::string request_id;
  bool accept_later_commitment = false;
  // A change: its reason, the order as the change makes it (content and quote), and the
  // impact computed before the steps. A cancellation: its reason, and the stage it ends in
  // (target.stage: CANCELLED or LOST).
  std::string reason;
  v1::Order target;
  v1::ChangeImpact impact;
  // From PlanJob, once progress is kJobPlanned.
  v1::Commitment commitment;

  // Each remote step's request_id: unique to this saga, so a compensation can name the step
  // it undoes (and fence it should it arrive late), and a retried saga never replays another's.
  std::string ReserveStepId() const { return "reserve-" + saga_id; }
  std::string PlanStepId() const { return "plan-" + saga_id; }
  std::string HoldStepId() const { return "rehold-" + saga_id; }
  std::string RestoreStockStepId() const { return "restore-stock-" + saga_id; }
  std::string RestorePlanStepId() const { return "restore-plan-" + saga_id; }
};

// What the saga metrics report, read at scrape time.
struct SagaCounts {
  int64_t open = 0;
  double oldest_open_age_seconds = 0;
};

// What one change to an order writes besides the order itself: history
// entries, events for the outbox, and whether the content changed (then the
// revision goes up and is kept).
struct OrderChange {
  bool new_revision = false;
  // The saga this write ends, in the same transaction: finished (its final write) or
  // compensated. The write fails, ABORTED, when that saga is no longer running (recovery
  // took it over), so a stale saga never overwrites what came after it.
  std::string saga_id;
  SagaState saga_outcome = SagaState::kFinished;
  // The write is refused (ABORTED, SAGA_IN_PROGRESS) while a saga on the order is open: a
  // change that does not run one of its own must not slip under one.
  bool refuse_during_saga = false;
  std::vector<v1::HistoryEntry> history;
  std::vector<v1::Event> events;
};

// One call of a mutating RPC under AIP-155 (README, "Order-intake API"). Retrying it with the same
// request_id and body is answered with the first success's answer and acts no more; the same
// request_id with another body is INVALID_ARGUMENT, REQUEST_ID_REUSED; no request_id, no
// protection. Request ids are the caller's own: another caller's use of the same id neither
// replays nor conflicts with this one. Errors are never remembered.
struct IdempotentCall {
  template <typename Request>
  IdempotentCall(std::string rpc, const v1::Actor& caller, const Request& request,
                 google::protobuf::Message* response)
      : rpc(std::move(rpc)),
        caller_id(caller.id()),
        request_id(request.request_id()),
        request(request),
        response(response) {}

  std::string rpc;  // "AddNote": answers are kept under "order_intake.AddNote"
  std::string caller_id;
  std::string request_id;
  const google::protobuf::Message& request;
  // The answer: what is remembered on success, and what a replay fills in.
  google::protobuf::Message* response;
};

// What the order metrics report, read in one transaction.
struct OrderCounts {
  std::map<v1::OrderStage, int64_t> by_stage;
  int64_t unacknowledged_changes = 0;
  int64_t open_blocking_questions = 0;
  SagaCounts sagas;
};

// Order-intake's records: orders with every revision, their history and events (written in
// the same transaction as the order), and the sagas running on them.
class OrderStore {
 public:
  virtual ~OrderStore() = default;

  // Stores a new order at revision 1 under a fresh order number. Replays an
  // earlier identical request with the same request_id (`replayed` is set).
  virtual absl::StatusOr<v1::Order> Create(const v1::CreateOrderRequest& request, v1::Order order,
                                           OrderChange change, bool* replayed) = 0;

  virtual absl::StatusOr<v1::Order> Get(const std::string& order_id) = 0;
  // The order's content (no notes or threads) as it was at `revision`: NOT_FOUND for a
  // revision it never had.
  virtual absl::StatusOr<v1::Order> GetRevision(const std::string& order_id, int64_t revision) = 0;

  // Runs `change` on the locked current order; writes it back (a new revision
  // when change.new_revision) with its history and events, or nothing when
  // `change` fails. `dedupe_event_id`: do nothing (and say so through
  // `duplicate`) when this event was already applied.
  virtual absl::StatusOr<v1::Order> Update(
      const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::string& dedupe_event_id = "", bool* duplicate = nullptr) = 0;

  // Update for `call`, its answer remembered in the same transaction as the write, so that no
  // crash can keep one without the other. `change` may fill call.response; `answer` completes
  // it from the order as written (its revision, its update time). A retry of `call` finds
  // call.response filled with the first answer and changes nothing.
  virtual absl::Status UpdateIdempotently(
      const IdempotentCall& call, const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::function<void(const v1::Order&)>& answer) = 0;

  // AIP-155 for an RPC whose effect is written by transactions of its own (a saga's final
  // write): true, with call.response filled, when an earlier identical call succeeded;
  // REQUEST_ID_REUSED when the id came with another body.
  virtual absl::StatusOr<bool> ReplayAnswer(const IdempotentCall& call) = 0;
  // Remembers call.response once the RPC succeeded; an answer already remembered for the
  // same call (a concurrent retry's) stays.
  virtual absl::Status RememberAnswer(const IdempotentCall& call) = 0;

  // Records a history entry (e.g. a refused confirmation) without touching the order.
  virtual absl::Status AddHistory(const std::string& order_id, const v1::HistoryEntry& entry) = 0;

  // Reads the order under its row lock and, when `admit` returns a saga, records that saga
  // (held for `lease`) in the same transaction: no revision can slip in between. `admit`
  // returning nullopt records nothing (e.g. the work is already done); its error is returned
  // and nothing is written. ABORTED, SAGA_IN_PROGRESS, while another saga on the order is open.
  virtual absl::StatusOr<v1::Order> ReadAndBeginSaga(
      const std::string& order_id, std::chrono::seconds lease,
      const std::function<absl::StatusOr<std::optional<SagaRecord>>(const v1::Order&)>& admit) = 0;
  // Records `saga` (held for `lease`) if the order is still at saga.base_revision (else
  // STALE_REVISION) and no other saga on it is open (else SAGA_IN_PROGRESS).
  virtual absl::Status BeginSaga(const SagaRecord& saga, std::chrono::seconds lease) = 0;
  // A remote step succeeded (and what PlanJob committed to, once planned).
  virtual absl::Status RecordSagaProgress(const SagaRecord& saga) = 0;
  // The saga is being undone; recovery retries it from `retry_after` on (now: at once).
  virtual absl::Status MarkSagaCompensating(const std::string& saga_id, const std::string& error,
                                            std::chrono::seconds retry_after) = 0;
  // The saga stays as it is, for recovery to carry on from `retry_after` on.
  virtual absl::Status PostponeSaga(const std::string& saga_id, const std::string& error,
                                    std::chrono::seconds retry_after) = 0;
  // Claims up to `limit` open sagas whose lease has expired (their process died, or their
  // compensation is due for a retry), holding each for `lease`; a claimed saga that had not
  // planned its job is marked compensating.
  virtual absl::StatusOr<std::vector<SagaRecord>> ClaimExpiredSagas(std::chrono::seconds lease,
                                                                    int limit) = 0;
  // The orders with a saga open on them now.
  virtual absl::StatusOr<std::set<std::string>> OrdersWithOpenSagas() = 0;
  // Sends an event about no order in particular through the outbox (order_id may be empty).
  virtual absl::Status AddEvent(const v1::Event& event) = 0;
  // The saga with this id, whatever its state (NOT_FOUND when there is none).
  virtual absl::StatusOr<SagaRecord> GetSaga(const std::string& saga_id) = 0;

  virtual absl::StatusOr<common::Page<v1::Order>> List(const v1::ListOrdersRequest& request,
                                                       int limit, const std::string& after_id) = 0;
  virtual absl::StatusOr<OrderCounts> Counts() = 0;

  virtual absl::StatusOr<common::Page<v1::HistoryEntry>> History(const std::string& order_id,
                                                                 int limit,
                                                                 int64_t after_entry) = 0;
};

// The etag of an order at a revision.
std::string EtagOf(int64_t revision);

}  // namespace salesops::order_intake
