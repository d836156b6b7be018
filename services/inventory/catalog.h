#pragma once

#include <absl/status/statusor.h>
#include <google/protobuf/repeated_field.h>

#include <cstdint>
#include <map>
#include <string>

#include "salesops/v1/inventory.pb.h"

namespace salesops::inventory {

using Catalog = std::map<std::string, v1::Product>;

// The most units of one code lines may resolve to: as many as any item can be owned.
inline constexpr int64_t kMaxResolvedQuantity = 1000000;

// Explodes product lines into what ops pulls and does: kit components times
// the line quantity, summed per inventory code; crew needs times the quantity,
// summed per (skill, headcount); prep time summed. Every line must name a
// product in `catalog`; otherwise FAILED_PRECONDITION with reason
// UNKNOWN_PRODUCT_CODE and a field violation per bad line ("lines[3].product_code").
// Lines that resolve to more than kMaxResolvedQuantity units of a code, or to crew or prep time
// beyond common::kMaxDurationSeconds, are OUT_OF_RANGE (AMOUNT_OUT_OF_RANGE) naming the line.
absl::StatusOr<v1::ResolveProductsResponse> ResolveProductLines(
    const google::protobuf::RepeatedPtrField<v1::ProductLine>& lines, const Catalog& catalog);

}  // namespace salesops::inventory
