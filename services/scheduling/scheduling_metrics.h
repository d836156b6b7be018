#pragma once

#include <absl/status/statusor.h>
#include <prometheus/collectable.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::scheduling {

// Open tasks at risk of missing their deadline, by reason, as the store knows them.
using AtRiskCounts = std::map<v1::AtRiskReason, int64_t>;

// salesops_scheduling_tasks_at_risk{reason}: a gauge read from `count` on every scrape. Every
// reason is reported (0 when none), so alerts and dashboards see a zero rather than no data; when
// the store cannot answer, no sample at all rather than a wrong one. Every replica reads the
// same database: aggregate replicas with max, not sum.
std::shared_ptr<prometheus::Collectable> TasksAtRiskGauge(
    std::function<absl::StatusOr<AtRiskCounts>()> count);

// The label value of a reason: "no_skilled_crew_free" for AT_RISK_REASON_NO_SKILLED_CREW_FREE.
std::string AtRiskReasonLabel(v1::AtRiskReason reason);

}  // namespace salesops::scheduling
