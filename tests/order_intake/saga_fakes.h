#pragma once

// In-memory stand-ins for what the sagas (services/order_intake/sagas.h) talk to: inventory,
// scheduling, the order store and the clock. The clients keep just enough state to say what a
// saga left behind (reservations, jobs, fenced steps) and follow the contracts in
// inventory.proto and scheduling.proto; the store copies PostgresOrderStore's rules for sagas.
// A test scripts failures per method, reads back every request in order, and may act in the
// middle of a saga through `on_call`.

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/common/errors.h"
#include "services/order_intake/clock.h"
#include "services/order_intake/dependencies.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  // Any fixed instant will do; a round one reads well in a failure message.
  FakeClock() : now_(std::chrono::seconds(1'800'000'000)) {}
  TimePoint Now() const override { return now_; }
  void Advance(std::chrono::system_clock::duration by) { now_ += by; }

 private:
  TimePoint now_;
};

// What a dependency that cannot be reached answers (the gRPC clients' own mapping).
inline absl::Status DependencyDown(const std::string& what) {
  return common::ReasonedError(absl::StatusCode::kUnavailable, v1::DEPENDENCY_UNAVAILABLE,
                               what + " is unavailable");
}

// A failure a test asks a fake method for. `after_acting`: the call does its work and then its
// answer is lost, which is what a timeout after the server acted looks like to the caller.
struct ScriptedFailure {
  absl::Status status;
  bool always = false;
  bool after_acting = false;
};

// The failures scripted per method name ("Reserve", "PlanJob", ...), one at a time.
class FailureScript {
 public:
  void FailOnce(const std::string& method, absl::Status status, bool after_acting = false) {
    failures_[method] = {std::move(status), /*always=*/false, after_acting};
  }
  void FailAlways(const std::string& method, absl::Status status) {
    failures_[method] = {std::move(status), /*always=*/true, /*after_acting=*/false};
  }
  void Heal(const std::string& method) { failures_.erase(method); }

  // The failure this call of `method` owes, if any; a one-off is used up.
  std::optional<ScriptedFailure> Take(const std::string& method) {
    auto found = failures_.find(method);
    if (found == failures_.end()) return std::nullopt;
    ScriptedFailure failure = found->second;
    if (!failure.always) failures_.erase(found);
    return failure;
  }

 private:
  std::map<std::string, ScriptedFailure> failures_;
};

// What every fake client shares: the call log, scripted failures, deadlines against the fake
// clock, and the hook that lets a test act when a call arrives.
class FakeDependency {
 public:
  explicit FakeDependency(const Clock& clock) : clock_(clock) {}

  FailureScript& failures() { return failures_; }
  // Method names in the order the calls arrived.
  const std::vector<std::string>& calls() const { return calls_; }
  // Called with the method's name as each call arrives, before it acts or fails.
  std::function<void(const std::string& method)> on_call;

 protected:
  // Logs the call and says whether it fails before doing anything (an expired deadline, or a
  // scripted failure that does not act). A failure that acts first is left in `after`.
  std::optional<absl::Status> Arrive(const std::string& method, TimePoint deadline,
                                     std::optional<absl::Status>* after) {
    calls_.push_back(method);
    if (on_call) on_call(method);
    if (deadline <= clock_.Now()) {
      return absl::DeadlineExceededError(method + ": deadline already passed");
    }
    std::optional<ScriptedFailure> failure = failures_.Take(method);
    if (!failure) return std::nullopt;
    if (failure->after_acting) {
      *after = failure->status;
      return std::nullopt;
    }
    return failure->status;
  }

  void ForgetCalls() { calls_.clear(); }

  const Clock& clock_;

 private:
  FailureScript failures_;
  std::vector<std::string> calls_;
};

// Inventory: resolves every product code to one inventory line of "<code>-KIT" per unit, except
// codes listed in `crew_only_products` (no stock at all); keeps each order's holds and firm
// reservations by revision, and the Reserve request_ids a Release fenced.
class FakeInventoryClient final : public InventoryClient, public FakeDependency {
 public:
  using FakeDependency::FakeDependency;

  std::set<std::string> crew_only_products;

  // What ResolveProducts answers for `lines` (also for a test building its own requests).
  v1::ResolveProductsResponse Resolve(
      const google::protobuf::RepeatedPtrField<v1::ProductLine>& lines) const {
    std::map<std::string, int> units;
    v1::ResolveProductsResponse resolved;
    for (const v1::ProductLine& line : lines) {
      v1::CrewNeed* crew = resolved.add_crew_needs();
      crew->set_skill(v1::SKILL_RIGGING);
      crew->set_headcount(1);
      crew->mutable_duration()->set_seconds(1800LL * line.quantity());
      if (crew_only_products.count(line.product_code()) == 0) {
        units[line.product_code() + "-KIT"] += line.quantity();
      }
    }
    for (const auto& [code, quantity] : units) {
      v1::InventoryLine* line = resolved.add_inventory_lines();
      line->set_inventory_code(code);
      line->set_quantity(quantity);
    }
    resolved.mutable_prep_duration()->set_seconds(3600);
    return resolved;
  }

  absl::StatusOr<v1::ResolveProductsResponse> ResolveProducts(
      const v1::ResolveProductsRequest& request, const std::string&, TimePoint deadline) override {
    resolve_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("ResolveProducts", deadline, &after)) return *refused;
    if (after) return *after;
    return Resolve(request.lines());
  }

  absl::StatusOr<v1::CheckAvailabilityResponse> CheckAvailability(
      const v1::CheckAvailabilityRequest&, TimePoint) override {
    return absl::UnimplementedError("the sagas do not check availability");
  }

  // Idempotent per (order, revision); a newer revision replaces the order's older holds.
  absl::StatusOr<v1::PlaceHoldResponse> PlaceHold(const v1::PlaceHoldRequest& request,
                                                  TimePoint deadline) override {
    hold_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("PlaceHold", deadline, &after)) return *refused;
    v1::PlaceHoldResponse response;
    *response.mutable_reservation() =
        Place(v1::RESERVATION_KIND_HOLD, request.order_id(), request.order_revision(),
              request.lines(), request.request_id());
    if (after) return *after;
    return response;
  }

  // Idempotent per (order, revision); replaces the order's hold and any older reservation;
  // refuses an older revision than it holds, and a request_id a Release fenced.
  absl::StatusOr<v1::ReserveResponse> Reserve(const v1::ReserveRequest& request,
                                              TimePoint deadline) override {
    reserve_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("Reserve", deadline, &after)) return *refused;
    if (undone_reserve_ids.count(request.request_id()) > 0) {
      return common::ReasonedError(absl::StatusCode::kAborted, v1::STEP_UNDONE,
                                   "reserve " + request.request_id() + " was undone");
    }
    for (const v1::Reservation& held : reservations) {
      if (held.order_id() == request.order_id() && held.state() == v1::RESERVATION_STATE_ACTIVE &&
          held.kind() == v1::RESERVATION_KIND_FIRM &&
          held.order_revision() > request.order_revision()) {
        return common::ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                     "a newer revision is reserved");
      }
    }
    v1::ReserveResponse response;
    *response.mutable_reservation() =
        Place(v1::RESERVATION_KIND_FIRM, request.order_id(), request.order_revision(),
              request.lines(), request.request_id());
    if (after) return *after;
    return response;
  }

  // Frees the order's active holds and reservations at `order_revision` (0: all), and fences
  // the Reserve named by undo_request_id.
  absl::StatusOr<v1::ReleaseResponse> Release(const v1::ReleaseRequest& request,
                                              TimePoint deadline) override {
    release_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("Release", deadline, &after)) return *refused;
    if (!request.undo_request_id().empty()) undone_reserve_ids.insert(request.undo_request_id());
    v1::ReleaseResponse response;
    for (v1::Reservation& held : reservations) {
      if (held.order_id() == request.order_id() && held.state() == v1::RESERVATION_STATE_ACTIVE &&
          (request.order_revision() == 0 || held.order_revision() == request.order_revision())) {
        held.set_state(v1::RESERVATION_STATE_RELEASED);
        *response.add_released() = held;
      }
    }
    if (after) return *after;
    return response;
  }

  absl::StatusOr<v1::GetPullSheetResponse> GetPullSheet(const v1::GetPullSheetRequest&,
                                                        TimePoint) override {
    return absl::UnimplementedError("the sagas do not read pull sheets");
  }

  absl::StatusOr<v1::ListReservationsResponse> ListReservations(const v1::ListReservationsRequest&,
                                                                TimePoint) override {
    return absl::UnimplementedError("the sagas do not list reservations");
  }

  // The order's active holds and reservations.
  std::vector<v1::Reservation> Active(const std::string& order_id) const {
    std::vector<v1::Reservation> active;
    for (const v1::Reservation& held : reservations) {
      if (held.order_id() == order_id && held.state() == v1::RESERVATION_STATE_ACTIVE) {
        active.push_back(held);
      }
    }
    return active;
  }

  // Forgets the requests received so far (not the state they built).
  void ForgetRequests() {
    ForgetCalls();
    resolve_requests.clear();
    hold_requests.clear();
    reserve_requests.clear();
    release_requests.clear();
  }

  // Deques: a test may send a logged request again by reference (a step arriving late).
  std::deque<v1::ResolveProductsRequest> resolve_requests;
  std::deque<v1::PlaceHoldRequest> hold_requests;
  std::deque<v1::ReserveRequest> reserve_requests;
  std::deque<v1::ReleaseRequest> release_requests;
  // Every hold and reservation ever placed, with its state; reservation_id is the request_id
  // that placed it.
  std::vector<v1::Reservation> reservations;
  std::set<std::string> undone_reserve_ids;

 private:
  v1::Reservation Place(v1::ReservationKind kind, const std::string& order_id, int64_t revision,
                        const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines,
                        const std::string& request_id) {
    for (const v1::Reservation& held : reservations) {
      if (held.order_id() == order_id && held.state() == v1::RESERVATION_STATE_ACTIVE &&
          held.kind() == kind && held.order_revision() == revision) {
        return held;  // the same step again
      }
    }
    for (v1::Reservation& held : reservations) {
      const bool replaced =
          kind == v1::RESERVATION_KIND_FIRM
              ? held.order_revision() <= revision
              : held.kind() == v1::RESERVATION_KIND_HOLD && held.order_revision() < revision;
      if (held.order_id() == order_id && held.state() == v1::RESERVATION_STATE_ACTIVE && replaced) {
        held.set_state(v1::RESERVATION_STATE_REPLACED);
      }
    }
    v1::Reservation placed;
    placed.set_reservation_id(request_id);
    placed.set_order_id(order_id);
    placed.set_order_revision(revision);
    placed.set_kind(kind);
    placed.set_state(v1::RESERVATION_STATE_ACTIVE);
    *placed.mutable_lines() = lines;
    reservations.push_back(placed);
    return placed;
  }
};

// Scheduling: one job per order (its revision and state) and the PlanJob request_ids a
// CancelJob fenced. A plan commits to the requested delivery time plus `late_by`; a late plan
// with refuse_if_late is refused (DEADLINE_INFEASIBLE) and writes nothing.
class FakeSchedulingClient final : public SchedulingClient, public FakeDependency {
 public:
  using FakeDependency::FakeDependency;

  std::chrono::seconds late_by{0};

  absl::StatusOr<v1::CheckCapacityResponse> CheckCapacity(const v1::CheckCapacityRequest&,
                                                          TimePoint) override {
    return absl::UnimplementedError("the sagas do not check capacity");
  }

  // Idempotent per (order, revision); a newer revision re-plans; an older one is stale.
  absl::StatusOr<v1::PlanJobResponse> PlanJob(const v1::PlanJobRequest& request,
                                              TimePoint deadline) override {
    plan_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("PlanJob", deadline, &after)) return *refused;
    if (undone_plan_ids.count(request.request_id()) > 0) {
      return common::ReasonedError(absl::StatusCode::kAborted, v1::STEP_UNDONE,
                                   "plan " + request.request_id() + " was undone");
    }
    v1::PlanJobResponse response;
    auto existing = jobs.find(request.order_id());
    if (existing != jobs.end()) {
      if (existing->second.order_revision() > request.order_revision()) {
        return common::ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                     "a newer revision is planned");
      }
      if (existing->second.order_revision() == request.order_revision() &&
          existing->second.state() == v1::JOB_STATE_PLANNED) {
        *response.mutable_job() = existing->second;  // the same step again
        if (after) return *after;
        return response;
      }
    }
    const int64_t requested_seconds = request.delivery_window().window().no_later_than().seconds();
    if (late_by.count() > 0 && request.refuse_if_late()) {
      return common::BusinessRefusal(v1::DEADLINE_INFEASIBLE,
                                     "the crew is free only later than requested");
    }
    v1::Job job;
    job.set_job_id("job-" + request.order_id());
    job.set_order_id(request.order_id());
    job.set_order_revision(request.order_revision());
    job.set_state(v1::JOB_STATE_PLANNED);
    *job.mutable_delivery_window() = request.delivery_window();
    job.mutable_commitment()->mutable_no_later_than()->set_seconds(requested_seconds +
                                                                   late_by.count());
    job.mutable_commitment()->set_meets_request(late_by.count() == 0);
    job.mutable_commitment()->set_explanation("planned by " + request.request_id());
    jobs[request.order_id()] = job;
    *response.mutable_job() = job;
    if (after) return *after;
    return response;
  }

  // Cancels the order's job when it is at `order_revision` (0: whatever revision); a job at
  // another revision is answered untouched. No job is NOT_FOUND, or success when the cancel
  // undoes a step (undo_request_id), which it also fences.
  absl::StatusOr<v1::CancelJobResponse> CancelJob(const v1::CancelJobRequest& request,
                                                  TimePoint deadline) override {
    cancel_requests.push_back(request);
    std::optional<absl::Status> after;
    if (auto refused = Arrive("CancelJob", deadline, &after)) return *refused;
    if (!request.undo_request_id().empty()) undone_plan_ids.insert(request.undo_request_id());
    v1::CancelJobResponse response;
    auto existing = jobs.find(request.order_id());
    if (existing == jobs.end()) {
      if (request.undo_request_id().empty()) {
        return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                     "order " + request.order_id() + " has no job");
      }
      if (after) return *after;
      return response;
    }
    if (request.order_revision() == 0 ||
        existing->second.order_revision() == request.order_revision()) {
      existing->second.set_state(v1::JOB_STATE_CANCELLED);
    }
    *response.mutable_job() = existing->second;
    if (after) return *after;
    return response;
  }

  absl::StatusOr<v1::GetJobStatusResponse> GetJobStatus(const v1::GetJobStatusRequest&,
                                                        TimePoint) override {
    return absl::UnimplementedError("the sagas do not read job status");
  }

  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest&, TimePoint) override {
    return absl::UnimplementedError("the sagas do not list jobs");
  }

  absl::StatusOr<v1::GetLabourCostsResponse> GetLabourCosts(const v1::GetLabourCostsRequest&,
                                                            TimePoint) override {
    return absl::UnimplementedError("the sagas do not read labour costs");
  }

  void ForgetRequests() {
    ForgetCalls();
    plan_requests.clear();
    cancel_requests.clear();
  }

  std::deque<v1::PlanJobRequest> plan_requests;
  std::deque<v1::CancelJobRequest> cancel_requests;
  std::map<std::string, v1::Job> jobs;  // by order id
  std::set<std::string> undone_plan_ids;
};

// The order store in memory, with PostgresOrderStore's saga rules: one open saga per order,
// a write that ends a saga fails ABORTED unless that saga is open as the write expects, and
// leases measured on the fake clock.
class FakeOrderStore final : public OrderStore {
 public:
  explicit FakeOrderStore(const Clock& clock) : clock_(clock) {}

  // Stores `order` as it is (a test's starting point).
  void Put(const v1::Order& order) { orders_[order.order_id()] = order; }

  absl::StatusOr<v1::Order> Create(const v1::CreateOrderRequest&, v1::Order order,
                                   OrderChange change, bool* replayed) override {
    *replayed = false;
    order.set_order_id(std::to_string(1000 + orders_.size()));
    order.set_revision(1);
    order.set_etag(EtagOf(1));
    Commit(order, change);
    return order;
  }

  absl::StatusOr<v1::Order> Get(const std::string& order_id) override {
    auto found = orders_.find(order_id);
    if (found == orders_.end()) return OrderNotFound(order_id);
    return found->second;
  }

  absl::StatusOr<v1::Order> GetRevision(const std::string& order_id, int64_t) override {
    return Get(order_id);
  }

  absl::StatusOr<v1::Order> Update(
      const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::string& dedupe_event_id, bool* duplicate) override {
    if (duplicate != nullptr) *duplicate = false;
    if (before_update) before_update();
    if (std::optional<ScriptedFailure> failure = failures.Take("Update")) return failure->status;
    auto found = orders_.find(order_id);
    if (found == orders_.end()) return OrderNotFound(order_id);
    v1::Order order = found->second;
    if (!dedupe_event_id.empty() && !processed_events_.insert(dedupe_event_id).second) {
      if (duplicate != nullptr) *duplicate = true;
      return order;
    }
    OrderChange what;
    if (absl::Status changed = change(order, what); !changed.ok()) return changed;
    if (what.refuse_during_saga && OpenSagaOn(order_id) != nullptr) {
      return SagaInProgress(order_id);
    }
    if (what.new_revision) {
      order.set_revision(order.revision() + 1);
      order.set_etag(EtagOf(order.revision()));
    }
    *order.mutable_update_time() = clock_.NowTimestamp();
    if (!what.saga_id.empty()) {
      if (absl::Status ended = EndSaga(what.saga_id, what.saga_outcome); !ended.ok()) {
        return ended;
      }
    }
    Commit(order, what);
    return order;
  }

  absl::Status AddHistory(const std::string& order_id, const v1::HistoryEntry& entry) override {
    history_[order_id].push_back(entry);
    return absl::OkStatus();
  }

  absl::StatusOr<v1::Order> ReadAndBeginSaga(
      const std::string& order_id, std::chrono::seconds lease,
      const std::function<absl::StatusOr<std::optional<SagaRecord>>(const v1::Order&)>& admit)
      override {
    auto found = orders_.find(order_id);
    if (found == orders_.end()) return OrderNotFound(order_id);
    absl::StatusOr<std::optional<SagaRecord>> saga = admit(found->second);
    if (!saga.ok()) return saga.status();
    if (*saga) {
      if (absl::Status begun = InsertSaga(**saga, lease); !begun.ok()) return begun;
    }
    return found->second;
  }

  absl::Status BeginSaga(const SagaRecord& saga, std::chrono::seconds lease) override {
    auto found = orders_.find(saga.order_id);
    if (found == orders_.end()) return OrderNotFound(saga.order_id);
    if (found->second.revision() != saga.base_revision) {
      return common::ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                   "order " + saga.order_id + " is at another revision");
    }
    return InsertSaga(saga, lease);
  }

  absl::Status RecordSagaProgress(const SagaRecord& saga) override {
    progress_log.push_back(saga.progress);
    auto found = sagas_.find(saga.saga_id);
    if (found == sagas_.end()) return absl::OkStatus();  // no row to update, as in SQL
    found->second.record.progress = std::max(found->second.record.progress, saga.progress);
    found->second.record.commitment = saga.commitment;
    return absl::OkStatus();
  }

  absl::Status MarkSagaCompensating(const std::string& saga_id, const std::string& error,
                                    std::chrono::seconds retry_after) override {
    if (StoredSaga* saga = OpenSaga(saga_id)) {
      saga->record.state = SagaState::kCompensating;
      saga->record.last_error = error;
      saga->lease_until = clock_.Now() + retry_after;
    }
    return absl::OkStatus();
  }

  absl::Status PostponeSaga(const std::string& saga_id, const std::string& error,
                            std::chrono::seconds retry_after) override {
    if (StoredSaga* saga = OpenSaga(saga_id)) {
      saga->record.last_error = error;
      saga->lease_until = clock_.Now() + retry_after;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<SagaRecord>> ClaimExpiredSagas(std::chrono::seconds lease,
                                                            int limit) override {
    std::vector<StoredSaga*> due;
    for (auto& [id, saga] : sagas_) {
      if (IsOpen(saga.record.state) && saga.lease_until < clock_.Now()) due.push_back(&saga);
    }
    std::sort(due.begin(), due.end(), [](const StoredSaga* a, const StoredSaga* b) {
      return a->lease_until < b->lease_until;
    });
    if (static_cast<int>(due.size()) > limit) due.resize(limit);
    std::vector<SagaRecord> claimed;
    for (StoredSaga* saga : due) {
      saga->lease_until = clock_.Now() + lease;
      ++saga->record.attempts;
      // A saga that had not planned its job is undone; a cancellation always goes forward.
      if (saga->record.progress < SagaProgress::kJobPlanned &&
          saga->record.kind != SagaKind::kCancel) {
        saga->record.state = SagaState::kCompensating;
      }
      claimed.push_back(saga->record);
    }
    return claimed;
  }

  absl::StatusOr<SagaRecord> GetSaga(const std::string& saga_id) override {
    auto found = sagas_.find(saga_id);
    if (found == sagas_.end()) {
      return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                   "saga " + saga_id + " does not exist");
    }
    return found->second.record;
  }

  // Replays by request_id are the Postgres store's (order_idempotency_test); the sagas never
  // reach them, so here every call acts.
  absl::Status UpdateIdempotently(
      const IdempotentCall&, const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::function<void(const v1::Order&)>& answer) override {
    absl::StatusOr<v1::Order> written = Update(order_id, change, "", nullptr);
    if (!written.ok()) return written.status();
    answer(*written);
    return absl::OkStatus();
  }
  absl::StatusOr<bool> ReplayAnswer(const IdempotentCall&) override { return false; }
  absl::Status RememberAnswer(const IdempotentCall&) override { return absl::OkStatus(); }

  absl::StatusOr<std::set<std::string>> OrdersWithOpenSagas() override {
    std::set<std::string> open;
    for (const auto& [id, saga] : sagas_) {
      if (IsOpen(saga.record.state)) open.insert(saga.record.order_id);
    }
    return open;
  }

  absl::Status AddEvent(const v1::Event& event) override {
    events_.push_back(event);
    return absl::OkStatus();
  }

  absl::StatusOr<common::Page<v1::Order>> List(const v1::ListOrdersRequest&, int,
                                               const std::string&) override {
    return absl::UnimplementedError("the sagas do not list orders");
  }

  absl::StatusOr<OrderCounts> Counts() override {
    OrderCounts counts;
    for (const auto& [id, order] : orders_) ++counts.by_stage[order.stage()];
    for (const auto& [id, saga] : sagas_) counts.sagas.open += IsOpen(saga.record.state) ? 1 : 0;
    return counts;
  }

  absl::StatusOr<common::Page<v1::HistoryEntry>> History(const std::string& order_id, int,
                                                         int64_t) override {
    common::Page<v1::HistoryEntry> page;
    page.entries = history_[order_id];
    return page;
  }

  const std::vector<v1::HistoryEntry>& HistoryOf(const std::string& order_id) {
    return history_[order_id];
  }
  const std::vector<v1::Event>& events() const { return events_; }

  // Called as each Update begins, before it reads the order (e.g. another runner's work).
  std::function<void()> before_update;
  // Failures scripted for "Update" (the write's outcome unknown, as when the database goes
  // away mid-commit; nothing is written).
  FailureScript failures;
  // Every progress recorded, in order, whatever the saga.
  std::vector<SagaProgress> progress_log;

 private:
  struct StoredSaga {
    SagaRecord record;
    TimePoint lease_until;
  };

  static bool IsOpen(SagaState state) {
    return state == SagaState::kRunning || state == SagaState::kCompensating;
  }

  static absl::Status OrderNotFound(const std::string& order_id) {
    return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                 "order " + order_id + " does not exist");
  }

  static absl::Status SagaInProgress(const std::string& order_id) {
    return common::ReasonedError(absl::StatusCode::kAborted, v1::SAGA_IN_PROGRESS,
                                 "order " + order_id + " is being confirmed or changed");
  }

  StoredSaga* OpenSaga(const std::string& saga_id) {
    auto found = sagas_.find(saga_id);
    if (found == sagas_.end() || !IsOpen(found->second.record.state)) return nullptr;
    return &found->second;
  }

  const StoredSaga* OpenSagaOn(const std::string& order_id) const {
    for (const auto& [id, saga] : sagas_) {
      if (saga.record.order_id == order_id && IsOpen(saga.record.state)) return &saga;
    }
    return nullptr;
  }

  // As the INSERT stores it: running, nothing done, no commitment yet.
  absl::Status InsertSaga(const SagaRecord& saga, std::chrono::seconds lease) {
    if (OpenSagaOn(saga.order_id) != nullptr) return SagaInProgress(saga.order_id);
    StoredSaga stored{saga, clock_.Now() + lease};
    stored.record.state = SagaState::kRunning;
    stored.record.progress = SagaProgress::kStarted;
    stored.record.attempts = 0;
    stored.record.last_error.clear();
    stored.record.commitment.Clear();
    sagas_[saga.saga_id] = stored;
    return absl::OkStatus();
  }

  // Finishing takes a running saga; undoing ends one running or compensating.
  absl::Status EndSaga(const std::string& saga_id, SagaState outcome) {
    auto found = sagas_.find(saga_id);
    const SagaState state =
        found == sagas_.end() ? SagaState::kFinished : found->second.record.state;
    const bool expected = outcome == SagaState::kFinished
                              ? state == SagaState::kRunning
                              : state == SagaState::kRunning || state == SagaState::kCompensating;
    if (found == sagas_.end() || !expected) {
      return common::ReasonedError(absl::StatusCode::kAborted, v1::SAGA_IN_PROGRESS,
                                   "saga " + saga_id + " is no longer open as this write expects");
    }
    found->second.record.state = outcome;
    return absl::OkStatus();
  }

  void Commit(const v1::Order& order, const OrderChange& change) {
    orders_[order.order_id()] = order;
    for (v1::HistoryEntry entry : change.history) {
      if (entry.revision() == 0) entry.set_revision(order.revision());
      if (entry.stage() == v1::ORDER_STAGE_UNSPECIFIED) entry.set_stage(order.stage());
      history_[order.order_id()].push_back(entry);
    }
    for (v1::Event event : change.events) {
      event.set_order_id(order.order_id());
      events_.push_back(event);
    }
  }

  const Clock& clock_;
  std::map<std::string, v1::Order> orders_;
  std::map<std::string, std::vector<v1::HistoryEntry>> history_;
  std::vector<v1::Event> events_;
  std::map<std::string, StoredSaga> sagas_;
  std::set<std::string> processed_events_;
};

}  // namespace salesops::order_intake
