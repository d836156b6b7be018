#pragma once

// The labour margin of issue 20: what a quote charges for crew against what its planned crew
// cost (scheduling's GetLabourCosts), both in the company's currency. Pure: the handlers load the
// quote, ask scheduling and read the exchange rates, and hand them here, so GetLabourMargin and
// the pipeline forecast cannot count labour two ways.
#include <absl/status/statusor.h>
#include <absl/time/civil_time.h>
#include <google/type/money.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "salesops/v1/order_intake.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/order_intake/rating.h"

namespace salesops::order_intake {

// The company's currency and the exchange rates of the pricing configuration, read on one day:
// what every amount of a margin is converted with.
struct CompanyCurrency {
  std::string currency;
  std::vector<rating::ExchangeRate> exchange_rates;
  absl::CivilDay day;
};

// `amount` in micros of the company's currency: unchanged when it is in it already (an amount
// without a currency code is taken to be), else converted at the rate valid on company.day
// (rating::ConvertMicros). FAILED_PRECONDITION, PRICING_NOT_CONFIGURED naming the currency pair
// and `what` when no rate is; OUT_OF_RANGE naming `what`.
absl::StatusOr<int64_t> ToCompanyMicros(const google::type::Money& amount,
                                        const CompanyCurrency& company, const std::string& what);

struct LabourPrice {
  int64_t price_micros = 0;    // in the company's currency
  int64_t person_seconds = 0;  // the crew time the quote charges for
};

// What `quote` charges for crew, before discounts: each crew line's person-time at its
// hourly_cost, summed exactly to the micro and rounded to the company currency's minor unit once.
// A line without an hourly_cost (a quote written before crew lines carried one) counts at its
// line_total instead, which is in the quote's currency. Amounts in another currency than the
// company's are converted as ToCompanyMicros does. `order_id` names the order in refusals.
absl::StatusOr<LabourPrice> LabourPriceOf(const v1::Quote& quote, const CompanyCurrency& company,
                                          const std::string& order_id);

// What scheduling's plan of an order costs in the company's currency, in two parts: the crew
// work on site the quote's crew lines charge for (setup and strike, with the travel there and
// the per diems), and the warehouse and driving work (prep, load-out, delivery, return, van
// runs) the equipment and delivery charges carry. Each part's amounts are summed per currency
// from the lines, then converted, so each currency is rounded once. Unstaffed places are in
// neither.
struct PlannedLabourCost {
  int64_t crew_micros = 0;
  int64_t handling_micros = 0;
};
absl::StatusOr<PlannedLabourCost> LabourCostOf(const v1::OrderLabourCost& cost,
                                               const CompanyCurrency& company);

// margin / price in millionths, rounded half away from zero; 0 when the price is not positive
// (nothing charged, so no share to speak of).
absl::StatusOr<int64_t> MarginMillionths(int64_t margin_micros, int64_t price_micros);

// The margin of order `cost.order_id()`: price, cost, margin and its share, the unstaffed time,
// whether it is planned, scheduling's lines, and the sentence saying so ("Quote 1,260.00 EUR for
// 28 h of crew; plan 903.50 EUR; margin 356.50 EUR (28.3 %); 4 h not staffed yet.").
absl::StatusOr<v1::LabourMargin> LabourMarginOf(const LabourPrice& price,
                                                const v1::OrderLabourCost& cost,
                                                const CompanyCurrency& company);

}  // namespace salesops::order_intake
