#include "services/order_intake/pricing.h"

#include <google/protobuf/util/time_util.h>

#include "services/common/time_util.h"

namespace salesops::order_intake {

using google::protobuf::util::TimeUtil;

int64_t MoneyMicros(const google::type::Money& money) {
  return money.units() * 1'000'000 + money.nanos() / 1000;
}

google::type::Money MoneyFromMicros(int64_t micros, const std::string& currency) {
  google::type::Money money;
  money.set_currency_code(currency);
  money.set_units(micros / 1'000'000);
  money.set_nanos(static_cast<int32_t>((micros % 1'000'000) * 1000));
  return money;
}

int64_t BillableDays(const v1::Order& order) {
  const google::protobuf::Timestamp& start = order.delivery_window().window().no_later_than();
  const v1::EventSchedule& schedule = order.event_schedule();
  const google::protobuf::Timestamp& end =
      schedule.has_strike_time() ? schedule.strike_time() : schedule.show_end_time();
  if (!schedule.has_strike_time() && !schedule.has_show_end_time()) return 1;
  const int64_t seconds = (TimeUtil::TimestampToSeconds(end) - TimeUtil::TimestampToSeconds(start));
  constexpr int64_t kDay = 24 * 3600;
  return std::max<int64_t>(1, (seconds + kDay - 1) / kDay);
}

v1::Quote PriceQuote(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                     const PricingOptions& options) {
  v1::Quote quote;
  const int64_t days = BillableDays(order);
  *quote.mutable_billable_duration() = TimeUtil::SecondsToDuration(days * 24 * 3600);
  std::string currency = options.currency;
  int64_t equipment = 0;
  for (const v1::ResolvedProductLine& resolved_line : resolved.resolved_lines()) {
    if (resolved_line.has_day_rate() && !resolved_line.day_rate().currency_code().empty()) {
      currency = resolved_line.day_rate().currency_code();
    }
  }
  for (const v1::ResolvedProductLine& resolved_line : resolved.resolved_lines()) {
    v1::QuoteLine* line = quote.add_lines();
    *line->mutable_line() = resolved_line.line();
    line->set_product_name(resolved_line.product_name());
    const int64_t rate = MoneyMicros(resolved_line.day_rate());
    *line->mutable_day_rate() = MoneyFromMicros(rate, currency);
    const int64_t total = rate * resolved_line.line().quantity() * days;
    *line->mutable_line_total() = MoneyFromMicros(total, currency);
    equipment += total;
  }
  *quote.mutable_equipment_subtotal() = MoneyFromMicros(equipment, currency);

  // Person-time per skill, as the job plan will staff it.
  std::map<int, int64_t> seconds_by_skill;
  for (const v1::CrewNeed& need : resolved.crew_needs()) {
    seconds_by_skill[need.skill()] +=
        TimeUtil::DurationToSeconds(need.duration()) * std::max(1, need.headcount());
  }
  int64_t crew = 0;
  for (const auto& [skill, seconds] : seconds_by_skill) {
    v1::CrewCostLine* line = quote.add_crew_lines();
    line->set_skill(static_cast<v1::Skill>(skill));
    *line->mutable_person_time() = TimeUtil::SecondsToDuration(seconds);
    *line->mutable_hourly_cost() = MoneyFromMicros(options.crew_hourly_micros, currency);
    // Rounded to the cent: person-seconds × hourly rate / 3600.
    const int64_t total = (seconds * options.crew_hourly_micros / 3600 + 5'000) / 10'000 * 10'000;
    *line->mutable_line_total() = MoneyFromMicros(total, currency);
    crew += total;
  }
  *quote.mutable_crew_cost() = MoneyFromMicros(crew, currency);
  const int64_t surcharge = order.delivery_window().pinned() ? options.pinned_surcharge_micros : 0;
  *quote.mutable_pinned_surcharge() = MoneyFromMicros(surcharge, currency);
  *quote.mutable_total() = MoneyFromMicros(equipment + crew + surcharge, currency);
  *quote.mutable_quote_time() = common::NowTimestamp();
  return quote;
}

}  // namespace salesops::order_intake

namespace salesops::order_intake {

v1::Window RentalWindow(const v1::Order& order) {
  using google::protobuf::util::TimeUtil;
  const auto& deliver_by = order.delivery_window().window().no_later_than();
  const auto& schedule = order.event_schedule();
  const google::protobuf::Duration travel = order.venue().travel_time();
  const google::protobuf::Duration handling = TimeUtil::SecondsToDuration(2 * 3600);
  google::protobuf::Timestamp end = schedule.has_strike_time() ? schedule.strike_time()
                                    : schedule.has_show_end_time()
                                        ? schedule.show_end_time()
                                        : deliver_by + TimeUtil::SecondsToDuration(24 * 3600);
  v1::Window window;
  *window.mutable_not_before() = deliver_by - travel - handling;
  *window.mutable_no_later_than() = end + travel + handling;
  return window;
}

}  // namespace salesops::order_intake
