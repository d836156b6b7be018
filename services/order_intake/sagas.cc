#include "services/order_intake/sagas.h"

#include <absl/strings/str_cat.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "services/common/errors.h"
#include "services/common/failpoint.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/outbox.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_rules.h"

namespace salesops::order_intake {
namespace {

using std::chrono::milliseconds;

// A step refused outright did nothing: inventory and scheduling write nothing when they
// refuse. One that timed out, or whose answer was lost, may have acted.
bool MayHaveActed(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

// Undoing what never happened is done: a job that does not exist is cancelled, a hold whose
// quote can no longer hold stock (it expired) is not owed.
bool Settled(const absl::Status& status) {
  return status.ok() || status.code() == absl::StatusCode::kNotFound;
}

std::string ErrorText(const absl::Status& status) { return std::string(status.message()); }

// Every step succeeded but the final write's outcome is unknown: the error says what happens
// next rather than suggesting nothing did.
absl::Status OutcomePending(const SagaRecord& saga, const absl::Status& error) {
  return common::ReasonedError(
      error.code(),
      common::ParseGrpcError(common::ToGrpcStatus(error)).reason == "DATABASE_UNAVAILABLE"
          ? v1::DATABASE_UNAVAILABLE
          : v1::INTERNAL_ERROR,
      "stock and crew are booked for order " + saga.order_id + " but its record could not be " +
          "written (" + ErrorText(error) +
          "); it completes by itself within a minute: " + "GetOrder shows it");
}

}  // namespace

SagaRunner::SagaRunner(InventoryClient& inventory, SchedulingClient& scheduling, OrderStore& store,
                       const Clock& clock, OrderIntakeMetrics& metrics, SagaSettings settings)
    : inventory_(inventory),
      scheduling_(scheduling),
      store_(store),
      clock_(clock),
      metrics_(metrics),
      settings_(settings) {}

SagaRecord SagaRunner::NewSaga(SagaKind kind, const v1::Order& order, const v1::Actor& actor,
                               const std::string& request_id) const {
  SagaRecord saga;
  saga.saga_id = common::NewUuid();
  saga.kind = kind;
  saga.order_id = order.order_id();
  saga.base_revision = order.revision();
  saga.step_revision = kind == SagaKind::kAmend ? order.revision() + 1 : order.revision();
  saga.actor = actor;
  saga.request_id = request_id;
  return saga;
}

TimePoint SagaRunner::Deadline(TimePoint caller_deadline) const {
  return std::min(caller_deadline, clock_.Now() + settings_.budget);
}

TimePoint SagaRunner::StepDeadline(TimePoint saga_deadline) const {
  return std::min(saga_deadline, clock_.Now() + settings_.dependency_timeout);
}

TimePoint SagaRunner::CompensationDeadline() const {
  // A compensation is owed whatever the caller's deadline was.
  return clock_.Now() + settings_.dependency_timeout;
}

absl::StatusOr<v1::Order> SagaRunner::Confirm(SagaRecord& saga, const v1::Order& order,
                                              const v1::ResolveProductsResponse& resolved,
                                              TimePoint deadline, const Explain& explain) {
  return RunSteps(saga, order, resolved, deadline, explain);
}

absl::StatusOr<v1::Order> SagaRunner::Amend(SagaRecord& saga,
                                            const v1::ResolveProductsResponse& after,
                                            TimePoint deadline, const Explain& explain) {
  return RunSteps(saga, saga.target, after, deadline, explain);
}

absl::StatusOr<v1::Order> SagaRunner::RunSteps(SagaRecord& saga, const v1::Order& content,
                                               const v1::ResolveProductsResponse& resolved,
                                               TimePoint deadline, const Explain& explain) {
  // 1. Stock: a firm reservation of the lines at the step revision (it replaces the quote's
  // hold, or the previous revision's reservation, in one step: never both, never neither).
  absl::Status stocked = absl::OkStatus();
  bool stock_step = true;
  if (resolved.inventory_lines_size() > 0) {
    stocked =
        inventory_
            .Reserve(ReserveRequest(content, resolved, saga.step_revision, saga.ReserveStepId()),
                     StepDeadline(deadline))
            .status();
  } else if (saga.kind == SagaKind::kAmend) {
    // A change to lines that need no stock: the stock step releases what the old revision
    // held (the compensation reserves it again).
    v1::ReleaseRequest release;
    release.set_request_id(saga.ReserveStepId());
    release.set_order_id(saga.order_id);
    release.set_order_revision(saga.base_revision);
    release.set_reason("order " + saga.order_id + " no longer needs stock");
    stocked = inventory_.Release(release, StepDeadline(deadline)).status();
  } else {
    stock_step = false;  // a confirmation without equipment holds no stock
  }
  if (stock_step) {
    common::Failpoint("after_reserve");
    if (!stocked.ok()) return Refuse(saga, stocked, {MayHaveActed(stocked), false}, explain);
    saga.progress = SagaProgress::kStockReserved;
    SALESOPS_RETURN_IF_ERROR(store_.RecordSagaProgress(saga));
  }
  // 2. Crew: plan the job, refusing when late unless sales accepted later.
  absl::StatusOr<v1::PlanJobResponse> planned =
      scheduling_.PlanJob(PlanRequest(content, resolved, saga.step_revision, saga.PlanStepId(),
                                      !saga.accept_later_commitment),
                          StepDeadline(deadline));
  common::Failpoint("after_plan_job");
  if (!planned.ok()) {
    return Refuse(saga, planned.status(), {true, MayHaveActed(planned.status())}, explain);
  }
  saga.progress = SagaProgress::kJobPlanned;
  saga.commitment = planned->job().commitment();
  SALESOPS_RETURN_IF_ERROR(store_.RecordSagaProgress(saga));
  common::Failpoint("before_final_write");
  // 3. The final write: CONFIRMED with the commitment, or the change's new revision.
  absl::StatusOr<v1::Order> written = Finish(saga);
  if (!written.ok() && written.status().code() != absl::StatusCode::kAborted) {
    // The write's outcome is unknown (the database went away): recovery finishes it from the
    // saga's row once its lease ends, and the answer says so.
    return OutcomePending(saga, written.status());
  }
  if (!written.ok()) return Refuse(saga, written.status(), {}, explain);
  return written;
}

absl::StatusOr<v1::Order> SagaRunner::Cancel(SagaRecord& saga, TimePoint deadline) {
  absl::StatusOr<v1::Order> cancelled = CarryOutCancel(saga, deadline);
  if (!cancelled.ok()) {
    // Nothing is undone: a cancellation goes forward. Recovery carries it on soon.
    store_.PostponeSaga(saga.saga_id, ErrorText(cancelled.status()), std::chrono::seconds(1))
        .IgnoreError();
    return common::ReasonedError(
        cancelled.status().code() == absl::StatusCode::kAborted ? absl::StatusCode::kAborted
                                                                : absl::StatusCode::kUnavailable,
        v1::DEPENDENCY_UNAVAILABLE,
        "the cancellation of order " + saga.order_id +
            " is recorded and completes by itself within seconds (" +
            ErrorText(cancelled.status()) + "); GetOrder shows it once done");
  }
  return cancelled;
}

absl::StatusOr<v1::Order> SagaRunner::CarryOutCancel(const SagaRecord& saga, TimePoint deadline) {
  v1::ReleaseRequest release;
  release.set_request_id("release-" + saga.saga_id);
  release.set_order_id(saga.order_id);
  release.set_reason(saga.reason);
  SALESOPS_RETURN_IF_ERROR(inventory_.Release(release, StepDeadline(deadline)).status());
  common::Failpoint("after_cancel_release");
  v1::CancelJobRequest cancel;
  cancel.set_request_id("cancel-" + saga.saga_id);
  cancel.set_order_id(saga.order_id);
  cancel.set_reason(saga.reason);
  absl::Status job = scheduling_.CancelJob(cancel, StepDeadline(deadline)).status();
  if (!Settled(job)) return job;
  const v1::OrderStage target = saga.target.stage();
  return store_.Update(saga.order_id, [&](v1::Order& current, OrderChange& change) {
    change.saga_id = saga.saga_id;
    change.saga_outcome = SagaState::kFinished;
    const v1::OrderStage previous = current.stage();
    current.set_stage(target);
    current.mutable_pipeline()->set_stage(target);
    current.set_stage_reason(saga.reason);
    const bool lost = target == v1::ORDER_STAGE_LOST;
    v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_CANCELLED, saga.actor,
                                   (lost ? "Lost: " : "Cancelled: ") + saga.reason, saga.reason);
    entry.set_request_id(saga.request_id);
    change.history.push_back(entry);
    change.events.push_back(
        OrderEvent(lost ? v1::EVENT_TYPE_ORDER_STAGE_CHANGED : v1::EVENT_TYPE_ORDER_CANCELLED,
                   current, saga.actor, "", previous, saga.reason));
    return absl::OkStatus();
  });
}

absl::Status SagaRunner::Abandon(SagaRecord& saga, absl::Status why) {
  absl::StatusOr<v1::Order> ended =
      store_.Update(saga.order_id, [&](v1::Order&, OrderChange& change) {
        change.saga_id = saga.saga_id;
        change.saga_outcome = SagaState::kCompensated;
        return absl::OkStatus();
      });
  if (!ended.ok()) {
    // Left open, its lease runs out and recovery ends it (it did nothing to undo).
    common::LogWarn("saga_not_ended", {{"order_id", saga.order_id},
                                       {"saga_id", saga.saga_id},
                                       {"error", ErrorText(ended.status())}});
  }
  return why;
}

absl::StatusOr<v1::Order> SagaRunner::Finish(const SagaRecord& saga) {
  absl::StatusOr<v1::Order> written =
      store_.Update(saga.order_id, [&](v1::Order& current, OrderChange& change) -> absl::Status {
        // The stage check: a saga whose order moved on (cancelled, changed, confirmed by
        // another) must not write over it.
        const bool still_there = current.revision() == saga.base_revision &&
                                 (saga.kind == SagaKind::kConfirm ? IsOpenQuote(current.stage())
                                                                  : !IsFinal(current.stage()));
        if (!still_there) {
          return common::ReasonedError(
              absl::StatusCode::kAborted, v1::STALE_REVISION,
              absl::StrCat("order ", current.order_id(), " changed during the ",
                           saga.kind == SagaKind::kConfirm ? "confirmation" : "change",
                           " (now revision ", current.revision(), ", ", StageName(current.stage()),
                           "); read it again"));
        }
        change.saga_id = saga.saga_id;
        change.saga_outcome = SagaState::kFinished;
        if (saga.kind == SagaKind::kConfirm) {
          RecordConfirmation(current, saga.commitment, saga.actor, saga.request_id, change);
          return absl::OkStatus();
        }
        v1::ChangeImpact impact = saga.impact;
        impact.set_commitment_holds(saga.commitment.no_later_than() ==
                                    current.commitment().no_later_than());
        *impact.mutable_commitment() = saga.commitment;
        impact.set_summary(DescribeImpact(impact));
        RecordAmendment(current, saga.target, &impact, saga.actor, saga.reason, saga.request_id,
                        clock_.NowTimestamp(), change);
        return absl::OkStatus();
      });
  if (written.ok() || written.status().code() != absl::StatusCode::kAborted) return written;
  // Refused because the saga was no longer running: if another runner (recovery) finished
  // it meanwhile, this is the same success, and nothing is undone.
  absl::StatusOr<SagaRecord> now = store_.GetSaga(saga.saga_id);
  if (now.ok() && now->state == SagaState::kFinished) return store_.Get(saga.order_id);
  return written;
}

absl::Status SagaRunner::Refuse(SagaRecord& saga, absl::Status refusal, Reach reach,
                                const Explain& explain) {
  metrics_.Confirmation(saga.kind == SagaKind::kConfirm ? "refused" : "change_refused",
                        common::ParseGrpcError(common::ToGrpcStatus(refusal)).reason);
  v1::HistoryEntry entry =
      Entry(v1::HISTORY_ENTRY_KIND_REFUSED, saga.actor,
            (saga.kind == SagaKind::kConfirm ? "Confirmation refused: " : "Change refused: ") +
                std::string(refusal.message()),
            saga.reason);
  entry.set_request_id(saga.request_id);
  entry.set_revision(saga.base_revision);
  if (explain) explain(refusal, entry);
  absl::Status undone = Undo(saga, reach, std::move(entry));
  if (!undone.ok()) {
    // The caller hears the refusal now; recovery finishes the undoing.
    common::LogWarn(
        "saga_undo_deferred",
        {{"order_id", saga.order_id}, {"saga_id", saga.saga_id}, {"error", ErrorText(undone)}});
  }
  return refusal;
}

absl::Status SagaRunner::Undo(SagaRecord& saga, Reach reach, v1::HistoryEntry entry) {
  if (reach.stock || reach.job) {
    // Held for a whole lease while this process undoes it; pushed back for a retry if not.
    SALESOPS_RETURN_IF_ERROR(
        store_.MarkSagaCompensating(saga.saga_id, entry.summary(), settings_.lease()));
  }
  saga.state = SagaState::kCompensating;
  absl::StatusOr<v1::Order> order = store_.Get(saga.order_id);
  absl::Status undone = order.status();
  AmendUndone amend;
  if (undone.ok()) {
    undone = saga.kind == SagaKind::kConfirm ? UndoConfirm(saga, *order, reach)
                                             : UndoAmend(saga, *order, reach, &amend);
  }
  if (!undone.ok()) {
    const int attempt = std::max(saga.attempts, 1);
    const auto retry_after = std::chrono::seconds(std::min(1 << std::min(attempt, 6), 60));
    store_.MarkSagaCompensating(saga.saga_id, ErrorText(undone), retry_after).IgnoreError();
    return undone;
  }
  // Ends the saga, with the refusal in the history; a change that was undone leaves the
  // order one revision on (its old content, at the revision the restore used), so that
  // later revisions pass what inventory and scheduling now hold.
  absl::StatusOr<v1::Order> ended =
      store_.Update(saga.order_id, [&](v1::Order& current, OrderChange& change) {
        change.saga_id = saga.saga_id;
        change.saga_outcome = SagaState::kCompensated;
        if (amend.restored && current.revision() < saga.step_revision + 1) {
          current.set_revision(saga.step_revision + 1);
          current.set_etag(EtagOf(saga.step_revision + 1));
        }
        if (amend.commitment && amend.commitment->no_later_than().seconds() !=
                                    current.commitment().no_later_than().seconds()) {
          *current.mutable_commitment() = *amend.commitment;
          entry.set_summary(
              entry.summary() + "; the old plan, made again, commits to " +
              google::protobuf::util::TimeUtil::ToString(amend.commitment->no_later_than()));
        }
        if (!amend.note.empty()) {
          entry.set_summary(entry.summary() + "; not restored: " + amend.note);
        }
        entry.set_stage(current.stage());
        change.history.push_back(entry);
        return absl::OkStatus();
      });
  if (ended.ok()) saga.state = SagaState::kCompensated;
  return ended.status();
}

absl::Status SagaRunner::Compensated(const char* step, absl::Status outcome,
                                     const SagaRecord& saga) {
  metrics_.Compensation(step, Settled(outcome) ? "done" : "failed");
  if (Settled(outcome)) return absl::OkStatus();
  common::LogError("saga_compensation_failed", {{"order_id", saga.order_id},
                                                {"saga_id", saga.saga_id},
                                                {"step", step},
                                                {"error", ErrorText(outcome)}});
  return outcome;
}

absl::Status SagaRunner::UndoConfirm(const SagaRecord& saga, const v1::Order& order, Reach reach) {
  const std::string why = "confirmation of order " + order.order_id() + " did not complete";
  // Each step is tried even when one before it failed (scheduling being down must not keep
  // the stock); the saga stays open, and every step is repeated, until all have succeeded.
  absl::Status first_failure;
  if (reach.job) {
    v1::CancelJobRequest cancel;
    cancel.set_request_id("cancel-" + saga.saga_id);
    cancel.set_order_id(saga.order_id);
    cancel.set_order_revision(saga.step_revision);
    cancel.set_undo_request_id(saga.PlanStepId());
    cancel.set_reason(why);
    first_failure.Update(Compensated(
        "cancel_job", scheduling_.CancelJob(cancel, CompensationDeadline()).status(), saga));
  }
  if (!reach.stock) return first_failure;
  v1::ReleaseRequest release;
  release.set_request_id("release-" + saga.saga_id);
  release.set_order_id(saga.order_id);
  release.set_order_revision(saga.step_revision);
  release.set_undo_request_id(saga.ReserveStepId());
  release.set_reason(why);
  absl::Status released = Compensated(
      "release_stock", inventory_.Release(release, CompensationDeadline()).status(), saga);
  first_failure.Update(released);
  if (!released.ok()) return first_failure;
  // The quote's hold comes back (the reservation had replaced it).
  v1::ResolveProductsRequest resolve;
  *resolve.mutable_lines() = order.product_lines();
  absl::StatusOr<v1::ResolveProductsResponse> resolved =
      inventory_.ResolveProducts(resolve, "order.product_lines", CompensationDeadline());
  absl::Status held = resolved.status();
  if (resolved.ok() && resolved->inventory_lines_size() > 0 &&
      order.quote_expire_time() > clock_.NowTimestamp()) {
    held = inventory_
               .PlaceHold(HoldRequest(order, *resolved, saga.HoldStepId()), CompensationDeadline())
               .status();
  }
  // A hold inventory refuses outright (a code since deleted) is not owed; only one it could
  // not be asked for is retried.
  if (!held.ok() && !MayHaveActed(held)) held = absl::OkStatus();
  first_failure.Update(Compensated("restore_hold", held, saga));
  return first_failure;
}

absl::Status SagaRunner::UndoAmend(const SagaRecord& saga, const v1::Order& order, Reach reach,
                                   AmendUndone* undone) {
  const std::string why = "change of order " + order.order_id() + " did not complete";
  const int64_t restore_revision = saga.step_revision + 1;
  v1::ResolveProductsResponse before;
  if (reach.stock || reach.job) {
    v1::ResolveProductsRequest resolve;
    *resolve.mutable_lines() = order.product_lines();
    SALESOPS_ASSIGN_OR_RETURN(
        before, inventory_.ResolveProducts(resolve, "order.product_lines", CompensationDeadline()));
  }
  // A restore refused outright (the crew or the units the change gave back were taken
  // meanwhile) will be refused again: retrying it would hold the order for ever. The undo
  // ends there, keeping what the change holds (never neither), and says so for ops.
  auto refused_outright = [&](const char* step, const absl::Status& status) {
    if (status.ok() || MayHaveActed(status)) return false;
    metrics_.Compensation(step, "refused");
    common::LogWarn("saga_restore_refused", {{"order_id", saga.order_id},
                                             {"saga_id", saga.saga_id},
                                             {"step", step},
                                             {"error", ErrorText(status)}});
    undone->note += std::string(undone->note.empty() ? "" : "; ") + step + " refused (" +
                    ErrorText(status) + ")";
    return true;
  };
  if (reach.job) {
    v1::CancelJobRequest cancel;
    cancel.set_request_id("cancel-" + saga.saga_id);
    cancel.set_order_id(saga.order_id);
    cancel.set_order_revision(saga.step_revision);
    cancel.set_undo_request_id(saga.PlanStepId());
    cancel.set_reason(why);
    absl::StatusOr<v1::CancelJobResponse> cancelled =
        scheduling_.CancelJob(cancel, CompensationDeadline());
    SALESOPS_RETURN_IF_ERROR(Compensated("cancel_job", cancelled.status(), saga));
    // The change's plan had landed and is now cancelled: the old plan comes back, at a
    // revision the late step cannot overtake, and the order takes what it commits to now.
    if (cancelled.ok() && cancelled->job().order_revision() == saga.step_revision &&
        cancelled->job().state() == v1::JOB_STATE_CANCELLED) {
      absl::StatusOr<v1::PlanJobResponse> replanned =
          scheduling_.PlanJob(PlanRequest(order, before, restore_revision, saga.RestorePlanStepId(),
                                          /*refuse_if_late=*/false),
                              CompensationDeadline());
      if (!refused_outright("restore_plan", replanned.status())) {
        SALESOPS_RETURN_IF_ERROR(Compensated("restore_plan", replanned.status(), saga));
        undone->commitment = replanned->job().commitment();
      }
      undone->restored = true;
    }
  }
  if (!reach.stock) return absl::OkStatus();
  // The old lines again, replacing whatever the change reserved in one step (never neither),
  // then the change's own Reserve is fenced, should it still be on its way.
  if (before.inventory_lines_size() > 0) {
    absl::Status restored =
        inventory_
            .Reserve(ReserveRequest(order, before, restore_revision, saga.RestoreStockStepId()),
                     CompensationDeadline())
            .status();
    if (refused_outright("restore_stock", restored)) {
      // The change's reservation stays: the order keeps stock, if not the old lines.
      undone->restored = true;
      return absl::OkStatus();
    }
    SALESOPS_RETURN_IF_ERROR(Compensated("restore_stock", restored, saga));
  }
  undone->restored = true;
  v1::ReleaseRequest release;
  release.set_request_id("release-" + saga.saga_id);
  release.set_order_id(saga.order_id);
  release.set_order_revision(saga.step_revision);
  release.set_undo_request_id(saga.ReserveStepId());
  release.set_reason(why);
  return Compensated("release_stock", inventory_.Release(release, CompensationDeadline()).status(),
                     saga);
}

absl::Status SagaRunner::Recover(SagaRecord saga) {
  if (saga.kind == SagaKind::kRepair) {
    // A repair only holds its order; the next reconciliation finds what it left.
    metrics_.Recovered("compensated");
    return Abandon(saga, absl::OkStatus());
  }
  if (saga.kind == SagaKind::kCancel) {
    absl::StatusOr<v1::Order> cancelled = CarryOutCancel(saga, CompensationDeadline());
    metrics_.Recovered(cancelled.ok() ? "finished" : "retry");
    if (!cancelled.ok()) {
      store_
          .PostponeSaga(saga.saga_id, ErrorText(cancelled.status()),
                        std::chrono::seconds(std::min(1 << std::min(saga.attempts, 6), 60)))
          .IgnoreError();
    }
    return cancelled.status();
  }
  if (saga.state == SagaState::kRunning && saga.progress == SagaProgress::kJobPlanned) {
    absl::StatusOr<v1::Order> finished = Finish(saga);
    if (finished.ok()) {
      metrics_.Recovered("finished");
      common::LogInfo(
          "saga_recovered",
          {{"order_id", saga.order_id}, {"saga_id", saga.saga_id}, {"outcome", "finished"}});
      return absl::OkStatus();
    }
    if (finished.status().code() != absl::StatusCode::kAborted) return finished.status();
  }
  v1::HistoryEntry entry = Entry(
      v1::HISTORY_ENTRY_KIND_REFUSED, saga.actor,
      absl::StrCat(saga.kind == SagaKind::kConfirm ? "Confirmation" : "Change",
                   " did not complete (", saga.last_error.empty() ? "interrupted" : saga.last_error,
                   "); what it had done is undone"),
      saga.reason);
  entry.set_request_id(saga.request_id);
  entry.set_revision(saga.base_revision);
  absl::Status undone = Undo(saga, Reach{}, std::move(entry));
  metrics_.Recovered(undone.ok() ? "compensated" : "retry");
  common::LogInfo("saga_recovered", {{"order_id", saga.order_id},
                                     {"saga_id", saga.saga_id},
                                     {"outcome", undone.ok() ? "compensated" : "retry"},
                                     {"attempt", std::to_string(saga.attempts)}});
  return undone;
}

}  // namespace salesops::order_intake
