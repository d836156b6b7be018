#pragma once

#include <chrono>

#include "salesops/v1/order_intake.pb.h"
#include "services/order_intake/clock.h"
#include "services/order_intake/dependencies.h"
#include "services/order_intake/order_intake_metrics.h"
#include "services/order_intake/order_store.h"
#include "services/order_intake/sagas.h"

namespace salesops::order_intake {

// The safety net behind the sagas (OrderIntakeService.Reconcile): compares what inventory
// and scheduling hold, read through their APIs, with the orders here.
//   - a firm reservation or a planned job whose order is not confirmed is a stray: released
//     or cancelled, while the order is held as by a saga (kind repair), so that no
//     confirmation can start on it between the check and the repair;
//   - a confirmed order (up to ON_SITE) without its reservation or job is reported.
// Orders with a saga open are the saga's business and are skipped.
class Reconciler {
 public:
  Reconciler(InventoryClient& inventory, SchedulingClient& scheduling, OrderStore& store,
             SagaRunner& sagas, const Clock& clock, OrderIntakeMetrics& metrics);

  // One pass; with `dry_run` nothing is repaired. The findings also go out as a
  // RECONCILIATION_FINDINGS event (when there are any) and into the metrics.
  absl::StatusOr<v1::ReconcileResponse> Run(bool dry_run, const v1::Actor& actor);

 private:
  // Releases a stray firm reservation or cancels a stray job of `order_id` at `revision`,
  // holding the order meanwhile; false (with why in `detail`) when it is no longer stray.
  absl::StatusOr<bool> Repair(const std::string& order_id, v1::ReconcileFindingKind kind,
                              int64_t revision, const v1::Actor& actor, std::string* detail);
  TimePoint CallDeadline() const;

  InventoryClient& inventory_;
  SchedulingClient& scheduling_;
  OrderStore& store_;
  SagaRunner& sagas_;
  const Clock& clock_;
  OrderIntakeMetrics& metrics_;
};

}  // namespace salesops::order_intake
