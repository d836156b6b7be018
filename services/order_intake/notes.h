#pragma once

#include <absl/status/statusor.h>

#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// The most notes one order holds, those given at creation included. It is the API's own
// bound on Order.notes, so GetOrder never answers with more than the vocabulary allows, and
// it bounds what one order costs to read and write.
inline constexpr int kMaxNotesPerOrder = 200;

// Adds `note` as the order's next one ("N<count>"), by `author` at `at`. Refused
// (FAILED_PRECONDITION, LIMIT_REACHED) when the order holds kMaxNotesPerOrder already.
absl::StatusOr<v1::Note> AppendNote(v1::Order& order, v1::Note note, const v1::Actor& author,
                                    const google::protobuf::Timestamp& at);

}  // namespace salesops::order_intake
