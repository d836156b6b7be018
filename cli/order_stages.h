#pragma once

#include <iterator>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::cli {

// An order's place on the main line (INQUIRY 0 ... CLOSED 8); -1 off it (CANCELLED, LOST).
inline int StageRank(v1::OrderStage stage) {
  static constexpr v1::OrderStage kLine[] = {
      v1::ORDER_STAGE_INQUIRY, v1::ORDER_STAGE_QUOTED,   v1::ORDER_STAGE_CONFIRMED,
      v1::ORDER_STAGE_IN_PREP, v1::ORDER_STAGE_READY,    v1::ORDER_STAGE_DISPATCHED,
      v1::ORDER_STAGE_ON_SITE, v1::ORDER_STAGE_RETURNED, v1::ORDER_STAGE_CLOSED};
  for (int i = 0; i < static_cast<int>(std::size(kLine)); ++i) {
    if (kLine[i] == stage) return i;
  }
  return -1;
}

// Whether an order at `stage` is at `target` or past it on the main line.
inline bool StageReached(v1::OrderStage stage, v1::OrderStage target) {
  return StageRank(stage) >= 0 && StageRank(stage) >= StageRank(target);
}

}  // namespace salesops::cli
