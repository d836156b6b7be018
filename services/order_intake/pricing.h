#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/order_intake/pricing_store.h"
#include "services/order_intake/rating.h"

namespace salesops::order_intake {

// What the company charges beyond the catalog's day rates, and how it taxes.
struct PricingOptions {
  // The company's currency: quotes for an organisation without a currency of its own.
  std::string currency = "EUR";
  // Per person-hour of crew time the job plan needs (any skill).
  int64_t crew_hourly_micros = 45'000'000;
  // The cost of specificity: charged when a delivery is pinned to an exact time.
  int64_t pinned_surcharge_micros = 150'000'000;
  // Transport by distance: per hour of the truck's run to the venue and back (0: not charged).
  int64_t transport_hourly_micros = 0;
  // Where the company charges tax ("DE"): the tax rates of this jurisdiction apply.
  std::string tax_jurisdiction = "DE";
  rating::RoundingPolicy tax_rounding = rating::RoundingPolicy::kPerLine;
  // A discount taking more than this share of what it discounts needs ADMIN's approval.
  int64_t approval_threshold_bp = 2'000;
};

// Whole days a phase is charged: from the delivery ("no later than") to the strike (or
// the show's end, or one day when neither is known), rounded up, at least 1.
int64_t BillableDaysOf(const v1::DeliveryWindow& delivery, const v1::EventSchedule& schedule);

struct PricedQuote {
  v1::Quote quote;
  // Why the discounts need ADMIN's approval; empty when they need none.
  std::vector<std::string> approval_reasons;
};

// Prices the order with the rating engine (rating.h) from the catalog's own resolution of its
// lines, so quote and ops plan cannot drift:
// - each product line by its rate definition (the configuration's, else per day at the
//   catalog's day rate), through the price lists that apply to the order's organisation on the
//   delivery day;
// - crew as labour: the person-time the job plan needs at the crew hourly rate, by the minute;
// - the pinned surcharge, as transport, when the delivery is pinned;
// then the line and order discounts, conversion into the organisation's currency and tax as
// the organisation's status (order.directory_snapshot) says. With no tax rate configured for
// the company's jurisdiction, nothing is taxed (a company that has not set tax up yet still
// quotes); once one is, a missing class or day is PRICING_NOT_CONFIGURED. Amounts that do not fit
// answer OUT_OF_RANGE naming them under `field`; a bad discount INVALID_ARGUMENT. The quote is
// stamped `now`.
absl::StatusOr<PricedQuote> PriceQuote(
    const v1::Order& order, const v1::ResolveProductsResponse& resolved,
    const PricingConfig& config, const PricingOptions& options, const std::string& field,
    const google::protobuf::Timestamp& now,
    const v1::ResolveProductsResponse* optional_resolved = nullptr);

}  // namespace salesops::order_intake

namespace salesops::order_intake {

// When the gear is away from the shelf: from load-out (travel time and two
// hours of loading before the delivery deadline) until it is back (travel and
// two hours after the strike, or the show's end, or a day after delivery).
v1::Window RentalWindow(const v1::Order& order);

}  // namespace salesops::order_intake
