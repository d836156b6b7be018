#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// What the company charges beyond the catalog's day rates.
struct PricingOptions {
  std::string currency = "EUR";
  // Per person-hour of crew time the job plan needs (any skill).
  int64_t crew_hourly_micros = 45'000'000;
  // The cost of specificity: charged when a delivery is pinned to an exact time.
  int64_t pinned_surcharge_micros = 150'000'000;
};

// Whole days charged: from the delivery ("no later than") to the strike (or
// the show's end, or one day when neither is known), rounded up, at least 1.
int64_t BillableDays(const v1::Order& order);

// Prices the order from the catalog's own resolution of its lines (day rates
// and the crew time the job plan will need), so quote and ops plan cannot
// drift: equipment = Σ day_rate × quantity × days; crew = Σ person-hours ×
// hourly rate; plus the pinned surcharge when the delivery is pinned. Every
// step is checked (services/common/money.h): an amount that does not fit answers
// OUT_OF_RANGE naming it under `field` ("order.product_lines[3] ..."), and no quote. The
// quote is stamped `now` (the service's Clock).
absl::StatusOr<v1::Quote> PriceQuote(const v1::Order& order,
                                     const v1::ResolveProductsResponse& resolved,
                                     const PricingOptions& options, const std::string& field,
                                     const google::protobuf::Timestamp& now);

}  // namespace salesops::order_intake

namespace salesops::order_intake {

// When the gear is away from the shelf: from load-out (travel time and two
// hours of loading before the delivery deadline) until it is back (travel and
// two hours after the strike, or the show's end, or a day after delivery).
v1::Window RentalWindow(const v1::Order& order);

}  // namespace salesops::order_intake
