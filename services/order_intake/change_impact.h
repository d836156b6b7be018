#pragma once

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// What a change order means for ops, from the catalog's resolution of the old
// and the new lines: units to pull in addition, units to put back (per
// inventory code, sorted), and the signed change in crew person-time. The
// commitment part is filled in by whoever re-planned the job.
v1::ChangeImpact ComputeChangeImpact(const v1::ResolveProductsResponse& before,
                                     const v1::ResolveProductsResponse& after);

// What a revision changed, field by field; unchanged parts stay unset.
v1::OrderDiff DiffOrders(const v1::Order& before, const v1::Order& after);

// One line in the shared vocabulary, e.g. "+4 LED-PANEL-500 to pull, 2 MIC-SM58
// to put back, +3 h crew time".
std::string DescribeImpact(const v1::ChangeImpact& impact);

// A revision's diff in one line, e.g. "LED-WALL-5X3 3 -> 1, delivery_window changed".
std::string DescribeDiff(const v1::OrderDiff& diff);

}  // namespace salesops::order_intake
