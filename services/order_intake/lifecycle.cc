#include "services/order_intake/lifecycle.h"

namespace salesops::order_intake {
namespace {

// Position on the main line; 0 for stages off it.
int Rank(v1::OrderStage stage) {
  switch (stage) {
    case v1::ORDER_STAGE_INQUIRY:
      return 1;
    case v1::ORDER_STAGE_QUOTED:
      return 2;
    case v1::ORDER_STAGE_CONFIRMED:
      return 3;
    case v1::ORDER_STAGE_IN_PREP:
      return 4;
    case v1::ORDER_STAGE_READY:
      return 5;
    case v1::ORDER_STAGE_DISPATCHED:
      return 6;
    case v1::ORDER_STAGE_ON_SITE:
      return 7;
    case v1::ORDER_STAGE_RETURNED:
      return 8;
    case v1::ORDER_STAGE_CLOSED:
      return 9;
    default:
      return 0;
  }
}

}  // namespace

bool IsOpenQuote(v1::OrderStage stage) {
  return stage == v1::ORDER_STAGE_INQUIRY || stage == v1::ORDER_STAGE_QUOTED;
}

bool IsFinal(v1::OrderStage stage) {
  return stage == v1::ORDER_STAGE_CLOSED || stage == v1::ORDER_STAGE_CANCELLED ||
         stage == v1::ORDER_STAGE_LOST;
}

bool CanMove(v1::OrderStage from, v1::OrderStage to) {
  if (IsFinal(from) || from == to) return false;
  if (to == v1::ORDER_STAGE_LOST) return IsOpenQuote(from);
  if (to == v1::ORDER_STAGE_CANCELLED) return Rank(from) > 0 && Rank(from) < 8;
  if (Rank(to) == 0 || Rank(from) == 0) return false;
  // Sales may go back from QUOTED to INQUIRY (the client reopened the brief).
  if (from == v1::ORDER_STAGE_QUOTED && to == v1::ORDER_STAGE_INQUIRY) return true;
  // CONFIRMED only through confirmation, from an open quote.
  if (to == v1::ORDER_STAGE_CONFIRMED) return IsOpenQuote(from);
  // Ops milestones only after confirmation, forward only; CLOSED only after return.
  if (to == v1::ORDER_STAGE_CLOSED) return from == v1::ORDER_STAGE_RETURNED;
  if (Rank(to) > 3) return Rank(from) >= 3 && Rank(to) > Rank(from);
  return Rank(to) > Rank(from);
}

std::optional<v1::OrderStage> StageOfMilestone(const v1::Event& event) {
  switch (event.type()) {
    case v1::EVENT_TYPE_PREP_STARTED:
      return v1::ORDER_STAGE_IN_PREP;
    case v1::EVENT_TYPE_PREP_COMPLETED:
      return v1::ORDER_STAGE_READY;
    case v1::EVENT_TYPE_DISPATCHED:
      return v1::ORDER_STAGE_DISPATCHED;
    case v1::EVENT_TYPE_ON_SITE:
      return v1::ORDER_STAGE_ON_SITE;
    case v1::EVENT_TYPE_RETURNED:
      return v1::ORDER_STAGE_RETURNED;
    default:
      return std::nullopt;
  }
}

}  // namespace salesops::order_intake
