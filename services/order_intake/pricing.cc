#include "services/order_intake/pricing.h"

#include <absl/strings/str_cat.h>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "services/common/errors.h"
#include "services/common/money.h"
#include "services/common/time_util.h"

namespace salesops::order_intake {

using google::protobuf::util::TimeUtil;

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

absl::StatusOr<v1::Quote> PriceQuote(const v1::Order& order,
                                     const v1::ResolveProductsResponse& resolved,
                                     const PricingOptions& options, const std::string& field,
                                     const google::protobuf::Timestamp& now) {
  v1::Quote quote;
  const int64_t days = BillableDays(order);
  *quote.mutable_billable_duration() = TimeUtil::SecondsToDuration(days * 24 * 3600);
  std::string currency = options.currency;
  for (const v1::ResolvedProductLine& resolved_line : resolved.resolved_lines()) {
    if (resolved_line.has_day_rate() && !resolved_line.day_rate().currency_code().empty()) {
      currency = resolved_line.day_rate().currency_code();
    }
  }
  int64_t equipment = 0;
  for (int i = 0; i < resolved.resolved_lines_size(); ++i) {
    const v1::ResolvedProductLine& resolved_line = resolved.resolved_lines(i);
    const v1::ProductLine& product_line = resolved_line.line();
    const std::string line_name =
        absl::StrCat(field, ".product_lines[", i, "] (", product_line.product_code(), ")");
    v1::QuoteLine* line = quote.add_lines();
    *line->mutable_line() = product_line;
    line->set_product_name(resolved_line.product_name());
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t rate,
        common::MoneyToMicros(resolved_line.day_rate(), line_name + ": the day rate"));
    *line->mutable_day_rate() = common::MoneyFromMicros(rate, currency);
    const std::string line_total =
        absl::StrCat(line_name, ": ", product_line.quantity(), " x ", days, " day(s) at ",
                     resolved_line.day_rate().units(), " ", currency, " a day");
    SALESOPS_ASSIGN_OR_RETURN(const int64_t per_day,
                              common::CheckedMultiply(rate, product_line.quantity(), line_total));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t total,
                              common::CheckedMultiply(per_day, days, line_total));
    *line->mutable_line_total() = common::MoneyFromMicros(total, currency);
    SALESOPS_ASSIGN_OR_RETURN(
        equipment, common::CheckedAdd(equipment, total, "the equipment subtotal of " + field));
  }
  *quote.mutable_equipment_subtotal() = common::MoneyFromMicros(equipment, currency);

  // Person-time per skill, as the job plan will staff it.
  std::map<int, int64_t> seconds_by_skill;
  for (const v1::CrewNeed& need : resolved.crew_needs()) {
    const std::string crew_time =
        absl::StrCat("the crew time of ", v1::Skill_Name(need.skill()), " for ", field);
    SALESOPS_ASSIGN_OR_RETURN(const int64_t person_seconds,
                              common::CheckedMultiply(TimeUtil::DurationToSeconds(need.duration()),
                                                      std::max(1, need.headcount()), crew_time));
    SALESOPS_ASSIGN_OR_RETURN(
        seconds_by_skill[need.skill()],
        common::CheckedAdd(seconds_by_skill[need.skill()], person_seconds, crew_time));
  }
  int64_t crew = 0;
  for (const auto& [skill, seconds] : seconds_by_skill) {
    if (seconds > TimeUtil::kDurationMaxSeconds) {
      return common::ReasonedError(
          absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
          absl::StrCat("the crew time of ", v1::Skill_Name(static_cast<v1::Skill>(skill)), " for ",
                       field, " is out of range: ", seconds,
                       " person-seconds, more than a duration holds"));
    }
    v1::CrewCostLine* line = quote.add_crew_lines();
    line->set_skill(static_cast<v1::Skill>(skill));
    *line->mutable_person_time() = TimeUtil::SecondsToDuration(seconds);
    *line->mutable_hourly_cost() = common::MoneyFromMicros(options.crew_hourly_micros, currency);
    // Rounded to the cent: person-seconds × hourly rate / 3600.
    const std::string crew_cost = absl::StrCat(
        "the crew cost of ", v1::Skill_Name(static_cast<v1::Skill>(skill)), " for ", field);
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t total,
        common::ScaleMicros(options.crew_hourly_micros, seconds, 3600, 10'000, crew_cost));
    *line->mutable_line_total() = common::MoneyFromMicros(total, currency);
    SALESOPS_ASSIGN_OR_RETURN(crew, common::CheckedAdd(crew, total, crew_cost));
  }
  *quote.mutable_crew_cost() = common::MoneyFromMicros(crew, currency);
  const int64_t surcharge = order.delivery_window().pinned() ? options.pinned_surcharge_micros : 0;
  *quote.mutable_pinned_surcharge() = common::MoneyFromMicros(surcharge, currency);
  const std::string total_name = "the quote total of " + field;
  SALESOPS_ASSIGN_OR_RETURN(int64_t total, common::CheckedAdd(equipment, crew, total_name));
  SALESOPS_ASSIGN_OR_RETURN(total, common::CheckedAdd(total, surcharge, total_name));
  *quote.mutable_total() = common::MoneyFromMicros(total, currency);
  *quote.mutable_quote_time() = now;
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
