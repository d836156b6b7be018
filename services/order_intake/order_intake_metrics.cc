#include "services/order_intake/order_intake_metrics.h"

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::order_intake {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

void AddSample(prometheus::MetricFamily& family, double value,
               std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

class OrderState : public prometheus::Collectable {
 public:
  explicit OrderState(OrderStore& store) : store_(store) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<OrderCounts> counts = store_.Counts();
    if (!counts.ok()) return {};  // no sample rather than a wrong one
    prometheus::MetricFamily orders =
        Gauge("salesops_orders", "Orders now in each stage of the lifecycle.");
    // Every stage, also the empty ones, so dashboards see zeros rather than gaps.
    for (int stage = v1::ORDER_STAGE_INQUIRY; stage <= v1::ORDER_STAGE_LOST; ++stage) {
      std::string label = v1::OrderStage_Name(static_cast<v1::OrderStage>(stage))
                              .substr(std::string("ORDER_STAGE_").size());
      for (char& c : label) c = static_cast<char>(std::tolower(c));
      auto found = counts->by_stage.find(static_cast<v1::OrderStage>(stage));
      AddSample(orders, found == counts->by_stage.end() ? 0.0 : static_cast<double>(found->second),
                {{"stage", label}});
    }
    prometheus::MetricFamily changes =
        Gauge("salesops_orders_unacknowledged_changes",
              "Change orders made after prep started that ops has not acknowledged.");
    AddSample(changes, static_cast<double>(counts->unacknowledged_changes));
    prometheus::MetricFamily questions = Gauge("salesops_orders_open_blocking_questions",
                                               "Blocking questions waiting for an answer.");
    AddSample(questions, static_cast<double>(counts->open_blocking_questions));
    prometheus::MetricFamily sagas = Gauge(
        "salesops_sagas_open", "Confirmations and changes under way or being undone (sagas).");
    AddSample(sagas, static_cast<double>(counts->sagas.open));
    prometheus::MetricFamily oldest =
        Gauge("salesops_sagas_open_age_seconds",
              "Age of the oldest open saga; 0 when none. One older than its lease plus the "
              "recovery interval is stuck (alert SalesopsSagaStuck).");
    AddSample(oldest, counts->sagas.oldest_open_age_seconds);
    return {orders, changes, questions, sagas, oldest};
  }

 private:
  OrderStore& store_;
};

}  // namespace

OrderIntakeMetrics::OrderIntakeMetrics(prometheus::Registry& registry, OrderStore& store)
    : state_(std::make_shared<OrderState>(store)),
      confirmations_(prometheus::BuildCounter()
                         .Name("salesops_order_confirmations_total")
                         .Help("Confirmations by outcome (confirmed, refused) and reason.")
                         .Register(registry)),
      compensations_(prometheus::BuildCounter()
                         .Name("salesops_saga_compensations_total")
                         .Help("Saga compensation steps by step and outcome (done, failed; a "
                               "failed one is retried until it succeeds).")
                         .Register(registry)),
      recoveries_(prometheus::BuildCounter()
                      .Name("salesops_sagas_recovered_total")
                      .Help("Sagas taken up by recovery after their lease ended, by outcome "
                            "(finished, compensated, retry).")
                      .Register(registry)),
      reconcile_findings_(
          prometheus::BuildGauge()
              .Name("salesops_reconcile_findings")
              .Help("What the last reconciliation found, by kind (stray_reservation, "
                    "stray_job, missing_reservation, missing_job), repaired or not.")
              .Register(registry)),
      reconcile_repairs_(prometheus::BuildCounter()
                             .Name("salesops_reconcile_repairs_total")
                             .Help("Stray reservations released and stray jobs cancelled by "
                                   "reconciliation, by kind.")
                             .Register(registry)),
      changes_(prometheus::BuildCounter()
                   .Name("salesops_order_changes_total")
                   .Help("Change orders saved, and whether prep had started.")
                   .Register(registry)),
      atp_seconds_(prometheus::BuildHistogram()
                       .Name("salesops_order_atp_seconds")
                       .Help("Available-to-promise checks (stock and crew), end to end.")
                       .Register(registry)
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})) {}

void OrderIntakeMetrics::Reconciled(const std::map<std::string, int>& found) {
  for (const char* kind :
       {"stray_reservation", "stray_job", "missing_reservation", "missing_job"}) {
    auto count = found.find(kind);
    reconcile_findings_.Add({{"kind", kind}}).Set(count == found.end() ? 0 : count->second);
  }
}

}  // namespace salesops::order_intake
