#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "services/order_intake/clock.h"
#include "services/order_intake/dependencies.h"
#include "services/order_intake/order_intake_metrics.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// The time a saga may take, and how long its record is held (README, "The confirm saga").
struct SagaSettings {
  // Each call to inventory or scheduling, at most; never beyond the saga's own deadline.
  std::chrono::milliseconds dependency_timeout{5000};
  // The whole saga, at most, whatever deadline its caller sent.
  std::chrono::milliseconds budget{20000};
  // A saga's record is held this long past its budget before recovery may take it over.
  std::chrono::seconds lease_margin{10};
  std::chrono::seconds lease() const {
    return std::chrono::duration_cast<std::chrono::seconds>(budget) + lease_margin;
  }
};

// The confirm and amend sagas as explicit steps, each with its compensation:
//
//   confirm:  Reserve(rev) ─▶ PlanJob(rev) ─▶ final write: CONFIRMED
//   undo:     CancelJob(rev, undo PlanJob) ─▶ Release(rev, undo Reserve) ─▶ PlaceHold again
//
//   cancel:   Release(all) ─▶ CancelJob(all) ─▶ final write: CANCELLED or LOST (never undone)
//
//   amend:    Reserve(rev+1) ─▶ PlanJob(rev+1) ─▶ final write: revision rev+1
//   undo:     CancelJob(rev+1, undo PlanJob) ─▶ PlanJob(rev+2, old content) if that
//             cancelled the new plan ─▶ Reserve(rev+2, old lines) ─▶ Release(rev+1, undo Reserve)
//             ─▶ the order moves to rev+2 with its old content
//
// Each step's success is recorded on the saga's row before the next one starts, and every
// step is idempotent by its request_id, so whoever runs a saga after a crash can repeat any
// step. A compensation names the step it undoes, so a step that arrives late changes nothing.
class SagaRunner {
 public:
  SagaRunner(InventoryClient& inventory, SchedulingClient& scheduling, OrderStore& store,
             const Clock& clock, OrderIntakeMetrics& metrics, SagaSettings settings);

  const SagaSettings& settings() const { return settings_; }

  // A new saga's record for `order` (a fresh id; not yet stored).
  SagaRecord NewSaga(SagaKind kind, const v1::Order& order, const v1::Actor& actor,
                     const std::string& request_id) const;

  // The end of a saga started now whose caller waits until `caller_deadline`.
  TimePoint Deadline(TimePoint caller_deadline) const;

  // Adds to a refusal (its answer and its history entry) what would work instead.
  using Explain = std::function<void(absl::Status& refusal, v1::HistoryEntry& entry)>;

  // Runs a begun confirmation (its record stored by ReadAndBeginSaga). OK: the order as
  // confirmed. An error: the step's refusal; the steps done are undone before this returns
  // or, when undoing failed, by recovery, retried until it succeeds.
  absl::StatusOr<v1::Order> Confirm(SagaRecord& saga, const v1::Order& order,
                                    const v1::ResolveProductsResponse& resolved, TimePoint deadline,
                                    const Explain& explain);
  // Runs a begun change of a confirmed order to saga.target, whose lines resolve to `after`,
  // likewise.
  absl::StatusOr<v1::Order> Amend(SagaRecord& saga, const v1::ResolveProductsResponse& after,
                                  TimePoint deadline, const Explain& explain);

  // Runs a begun cancellation: releases the order's stock, cancels its job, and moves it to
  // saga.target.stage. It always finishes: a step that fails is retried by recovery, and the
  // error answered says so.
  absl::StatusOr<v1::Order> Cancel(SagaRecord& saga, TimePoint deadline);

  // Ends a begun saga before any remote step (e.g. the lines could not be resolved) and
  // answers `why`.
  absl::Status Abandon(SagaRecord& saga, absl::Status why);

  // Takes up a saga recovery claimed: finishes it when every step is known to have succeeded,
  // else undoes it. An error means it stays open and is retried later.
  absl::Status Recover(SagaRecord saga);

 private:
  // The steps of a confirmation or change, from stock to the final write, for the order's
  // `content` (a change's target) whose lines resolve to `resolved`.
  absl::StatusOr<v1::Order> RunSteps(SagaRecord& saga, const v1::Order& content,
                                     const v1::ResolveProductsResponse& resolved,
                                     TimePoint deadline, const Explain& explain);
  // The final write; a stale saga (the order moved on) is refused here.
  absl::StatusOr<v1::Order> Finish(const SagaRecord& saga);
  // A cancellation's steps and final write, from wherever it stopped.
  absl::StatusOr<v1::Order> CarryOutCancel(const SagaRecord& saga, TimePoint deadline);
  // Which steps may have taken effect. In the saga's own process a step that was refused
  // outright did nothing; after a crash, or a step that timed out, nobody knows.
  struct Reach {
    bool stock = true;
    bool job = true;
  };
  // Undoes every step within `reach` (each idempotent, each safe when its step never
  // happened), then ends the saga with `entry` in the order's history. An error leaves the
  // saga compensating, for recovery to retry.
  absl::Status Undo(SagaRecord& saga, Reach reach, v1::HistoryEntry entry);
  absl::Status UndoConfirm(const SagaRecord& saga, const v1::Order& order, Reach reach);
  // What undoing a change did beyond its steps.
  struct AmendUndone {
    // The old content was put back at step_revision + 1 (the order moves there).
    bool restored = false;
    // What the old plan, made again, commits to.
    std::optional<v1::Commitment> commitment;
    // Restores refused outright, in words (for the history).
    std::string note;
  };
  absl::Status UndoAmend(const SagaRecord& saga, const v1::Order& order, Reach reach,
                         AmendUndone* undone);
  // Records the refusal, undoes what `reach` may have done, and answers the refusal; an undo
  // that fails is left to recovery (the caller's answer does not wait for it).
  absl::Status Refuse(SagaRecord& saga, absl::Status refusal, Reach reach, const Explain& explain);
  TimePoint StepDeadline(TimePoint saga_deadline) const;
  TimePoint CompensationDeadline() const;
  // Counts a compensation step's outcome; its error, when it failed.
  absl::Status Compensated(const char* step, absl::Status outcome, const SagaRecord& saga);

  InventoryClient& inventory_;
  SchedulingClient& scheduling_;
  OrderStore& store_;
  const Clock& clock_;
  OrderIntakeMetrics& metrics_;
  SagaSettings settings_;
};

}  // namespace salesops::order_intake
