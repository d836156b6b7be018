#include "services/scheduling/scheduling_metrics.h"

#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

namespace salesops::scheduling {
namespace {

class TasksAtRiskCollector : public prometheus::Collectable {
 public:
  explicit TasksAtRiskCollector(std::function<absl::StatusOr<AtRiskCounts>()> count)
      : count_(std::move(count)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<AtRiskCounts> counts = count_();
    if (!counts.ok()) return {};
    AtRiskCounts all;
    for (int value = v1::AtRiskReason_MIN; value <= v1::AtRiskReason_MAX; ++value) {
      if (v1::AtRiskReason_IsValid(value) && value != v1::AT_RISK_REASON_UNSPECIFIED) {
        all[static_cast<v1::AtRiskReason>(value)] = 0;
      }
    }
    for (const auto& [reason, count] : *counts) all[reason] = count;

    prometheus::MetricFamily family;
    family.name = "salesops_scheduling_tasks_at_risk";
    family.help = "Open tasks that are late or blocked, by reason.";
    family.type = prometheus::MetricType::Gauge;
    for (const auto& [reason, count] : all) {
      prometheus::ClientMetric metric;
      metric.label.push_back({"reason", AtRiskReasonLabel(reason)});
      metric.gauge.value = static_cast<double>(count);
      family.metric.push_back(std::move(metric));
    }
    return {family};
  }

 private:
  std::function<absl::StatusOr<AtRiskCounts>()> count_;
};

}  // namespace

std::string AtRiskReasonLabel(v1::AtRiskReason reason) {
  std::string name = v1::AtRiskReason_Name(reason);
  const std::string prefix = "AT_RISK_REASON_";
  if (absl::StartsWith(name, prefix)) name.erase(0, prefix.size());
  if (name.empty()) name = "unknown";
  return absl::AsciiStrToLower(name);
}

std::shared_ptr<prometheus::Collectable> TasksAtRiskGauge(
    std::function<absl::StatusOr<AtRiskCounts>()> count) {
  return std::make_shared<TasksAtRiskCollector>(std::move(count));
}

}  // namespace salesops::scheduling
