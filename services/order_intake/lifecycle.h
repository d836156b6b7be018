#pragma once

#include <optional>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/vocabulary.pb.h"

namespace salesops::order_intake {

// The one order lifecycle (DESIGN.md §2):
//   INQUIRY → QUOTED → CONFIRMED → IN_PREP → READY → DISPATCHED → ON_SITE → RETURNED → CLOSED
// with LOST from INQUIRY/QUOTED and CANCELLED from anywhere before RETURNED.
// Milestones may skip forward (an event can be missed and a later one arrive).
bool CanMove(v1::OrderStage from, v1::OrderStage to);

// Open for sales: not yet confirmed, not ended.
bool IsOpenQuote(v1::OrderStage stage);
// Ended: nothing more happens to the order.
bool IsFinal(v1::OrderStage stage);

// The stage an ops milestone event moves an order to, if it is one.
std::optional<v1::OrderStage> StageOfMilestone(const v1::Event& event);

}  // namespace salesops::order_intake
