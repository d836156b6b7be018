#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// Order-intake's own metrics, next to the common gRPC and database ones:
//   salesops_orders{stage}                          orders now in each stage (read at scrape)
//   salesops_orders_unacknowledged_changes          changes ops has not acknowledged yet
//   salesops_orders_open_blocking_questions         blocking questions waiting for sales
//   salesops_order_confirmations_total{outcome,reason}  confirmed, or refused with its reason
//   salesops_saga_compensations_total{step,outcome} compensation steps, done or failed
//   salesops_sagas_recovered_total{outcome}         sagas recovery took up: finished,
//                                                   compensated, or retry (undo failed)
//   salesops_sagas_open, salesops_sagas_open_age_seconds  open sagas, and the oldest's age
//   salesops_reconcile_findings{kind}               what the last reconciliation found
//   salesops_reconcile_repairs_total{kind}          strays reconciliation released or cancelled
//   salesops_order_changes_total{after_prep}        change orders, and those after prep started
//   salesops_order_atp_seconds                      available-to-promise checks, end to end
class OrderIntakeMetrics {
 public:
  OrderIntakeMetrics(prometheus::Registry& registry, OrderStore& store);

  // The collectable reading the database at scrape time; keep it alive.
  std::shared_ptr<prometheus::Collectable> state() const { return state_; }

  void Confirmation(const std::string& outcome, const std::string& reason) {
    confirmations_.Add({{"outcome", outcome}, {"reason", reason}}).Increment();
  }
  void Compensation(const std::string& step, const std::string& outcome) {
    compensations_.Add({{"step", step}, {"outcome", outcome}}).Increment();
  }
  void Recovered(const std::string& outcome) {
    recoveries_.Add({{"outcome", outcome}}).Increment();
  }
  // The last reconciliation's findings by kind (stray_reservation, stray_job,
  // missing_reservation, missing_job); kinds not named are set to 0.
  void Reconciled(const std::map<std::string, int>& found);
  void ReconcileRepaired(const std::string& kind) {
    reconcile_repairs_.Add({{"kind", kind}}).Increment();
  }
  void Change(bool after_prep) {
    changes_.Add({{"after_prep", after_prep ? "true" : "false"}}).Increment();
  }
  void AvailableToPromise(std::chrono::duration<double> took) {
    atp_seconds_.Observe(took.count());
  }

 private:
  std::shared_ptr<prometheus::Collectable> state_;
  prometheus::Family<prometheus::Counter>& confirmations_;
  prometheus::Family<prometheus::Counter>& compensations_;
  prometheus::Family<prometheus::Counter>& recoveries_;
  prometheus::Family<prometheus::Gauge>& reconcile_findings_;
  prometheus::Family<prometheus::Counter>& reconcile_repairs_;
  prometheus::Family<prometheus::Counter>& changes_;
  prometheus::Histogram& atp_seconds_;
};

}  // namespace salesops::order_intake
