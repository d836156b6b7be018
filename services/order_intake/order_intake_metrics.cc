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
  explicit OrderState(common::ConnectionPool& database) : database_(database) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::map<std::string, int64_t> by_stage;
    int64_t unacknowledged = 0, blocking = 0;
    absl::Status status = database_.InTransaction("order_metrics", [&](pqxx::work& tx) {
      for (const pqxx::row& row : tx.exec("SELECT stage, count(*) FROM orders GROUP BY stage")) {
        by_stage[row[0].as<std::string>()] = row[1].as<int64_t>();
      }
      pqxx::row sums = tx.exec1(
          "SELECT COALESCE(sum(unacknowledged_changes), 0)::bigint, "
          "COALESCE(sum(open_blocking_questions), 0)::bigint FROM orders");
      unacknowledged = sums[0].as<int64_t>();
      blocking = sums[1].as<int64_t>();
      return absl::OkStatus();
    });
    if (!status.ok()) return {};  // no sample rather than a wrong one
    prometheus::MetricFamily orders =
        Gauge("salesops_orders", "Orders now in each stage of the lifecycle.");
    // Every stage, also the empty ones, so dashboards see zeros rather than gaps.
    for (int stage = v1::ORDER_STAGE_INQUIRY; stage <= v1::ORDER_STAGE_LOST; ++stage) {
      const std::string name = v1::OrderStage_Name(static_cast<v1::OrderStage>(stage));
      std::string label = name.substr(std::string("ORDER_STAGE_").size());
      for (char& c : label) c = static_cast<char>(std::tolower(c));
      AddSample(orders, static_cast<double>(by_stage[name]), {{"stage", label}});
    }
    prometheus::MetricFamily changes =
        Gauge("salesops_orders_unacknowledged_changes",
              "Change orders made after prep started that ops has not acknowledged.");
    AddSample(changes, static_cast<double>(unacknowledged));
    prometheus::MetricFamily questions = Gauge("salesops_orders_open_blocking_questions",
                                               "Blocking questions waiting for an answer.");
    AddSample(questions, static_cast<double>(blocking));
    return {orders, changes, questions};
  }

 private:
  common::ConnectionPool& database_;
};

}  // namespace

OrderIntakeMetrics::OrderIntakeMetrics(prometheus::Registry& registry,
                                       common::ConnectionPool& database)
    : state_(std::make_shared<OrderState>(database)),
      confirmations_(prometheus::BuildCounter()
                         .Name("salesops_order_confirmations_total")
                         .Help("Confirmations by outcome (confirmed, refused) and reason.")
                         .Register(registry)),
      compensations_(prometheus::BuildCounter()
                         .Name("salesops_order_saga_compensations_total")
                         .Help("Saga steps undone after a later step failed, by step.")
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

}  // namespace salesops::order_intake
