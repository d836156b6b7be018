#include "services/inventory/inventory_metrics.h"

#include "services/common/grpc_errors.h"
#include "services/common/metrics.h"

namespace salesops::inventory {
namespace {

class HoldsActiveCollector : public prometheus::Collectable {
 public:
  explicit HoldsActiveCollector(std::function<int64_t()> count) : count_(std::move(count)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family;
    family.name = "salesops_inventory_holds_active";
    family.help = "Tentative holds that have not expired, been replaced or released.";
    family.type = prometheus::MetricType::Gauge;
    int64_t count = count_();
    if (count < 0) return {};  // database unreachable: no sample rather than a wrong one
    prometheus::ClientMetric metric;
    metric.gauge.value = static_cast<double>(count);
    family.metric.push_back(metric);
    return {family};
  }

 private:
  std::function<int64_t()> count_;
};

}  // namespace

InventoryMetrics::InventoryMetrics(prometheus::Registry& registry)
    : reservations_(prometheus::BuildCounter()
                        .Name("salesops_inventory_reservations_total")
                        .Help("Holds and firm reservations by outcome (placed, refused) and "
                              "refusal reason.")
                        .Register(registry)),
      shortages_(prometheus::BuildCounter()
                     .Name("salesops_inventory_shortages_detected_total")
                     .Help("Inventory codes found short, by where they were found.")
                     .Register(registry)),
      availability_seconds_(prometheus::BuildHistogram()
                                .Name("salesops_inventory_availability_check_seconds")
                                .Help("Time to answer CheckAvailability.")
                                .Register(registry)
                                .Add({}, common::GrpcLatencyBuckets())) {}

void InventoryMetrics::Reservation(const std::string& kind, const absl::Status& outcome) {
  std::string reason;
  if (!outcome.ok()) {
    reason = common::ParseGrpcError(common::ToGrpcStatus(outcome)).reason;
    if (reason.empty()) reason = absl::StatusCodeToString(outcome.code());
  }
  reservations_
      .Add({{"kind", kind}, {"outcome", outcome.ok() ? "placed" : "refused"}, {"reason", reason}})
      .Increment();
}

void InventoryMetrics::ShortagesDetected(const std::string& source, int codes) {
  if (codes > 0) shortages_.Add({{"source", source}}).Increment(codes);
}

void InventoryMetrics::AvailabilityChecked(std::chrono::duration<double> took) {
  availability_seconds_.Observe(took.count());
}

std::shared_ptr<prometheus::Collectable> InventoryMetrics::HoldsActiveGauge(
    std::function<int64_t()> count_active_holds) {
  return std::make_shared<HoldsActiveCollector>(std::move(count_active_holds));
}

}  // namespace salesops::inventory
