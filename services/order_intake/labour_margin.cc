#include "services/order_intake/labour_margin.h"

#include <absl/numeric/int128.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <google/protobuf/util/time_util.h>

#include <limits>
#include <map>

#include "services/common/errors.h"
#include "services/common/money.h"

namespace salesops::order_intake {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kSecondsPerHour = 3600;

// numerator / denominator rounded half away from zero (denominator > 0).
absl::int128 RoundedQuotient(absl::int128 numerator, absl::int128 denominator) {
  const absl::int128 half = denominator / 2;
  return (numerator >= 0 ? numerator + half : numerator - half) / denominator;
}

bool FitsInt64(absl::int128 value) {
  return value <= std::numeric_limits<int64_t>::max() &&
         value >= std::numeric_limits<int64_t>::min();
}

// "28 h", "12 h 30 min", "45 min": crew time as the quote's crew lines write it.
std::string CrewTimeText(int64_t seconds) {
  const int64_t hours = seconds / kSecondsPerHour;
  const int64_t minutes = seconds % kSecondsPerHour / 60;
  if (hours == 0 && minutes > 0) return absl::StrCat(minutes, " min");
  return absl::StrCat(hours, " h", minutes == 0 ? "" : absl::StrCat(" ", minutes, " min"));
}

// "28.3": a share in millionths as a percentage to one decimal, rounded half away from zero.
std::string MarginPercentText(int64_t millionths) {
  const int64_t tenths = static_cast<int64_t>(RoundedQuotient(millionths, 1'000));
  const int64_t magnitude = tenths < 0 ? -tenths : tenths;
  return absl::StrCat(tenths < 0 ? "-" : "", magnitude / 10, ".", magnitude % 10);
}

}  // namespace

absl::StatusOr<int64_t> ToCompanyMicros(const google::type::Money& amount,
                                        const CompanyCurrency& company, const std::string& what) {
  SALESOPS_ASSIGN_OR_RETURN(const int64_t micros, common::MoneyToMicros(amount, what));
  const std::string& from = amount.currency_code();
  if (from.empty() || from == company.currency) return micros;
  const rating::ExchangeRate* rate =
      rating::FindExchangeRate(company.exchange_rates, from, company.currency, company.day);
  if (rate == nullptr) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::PRICING_NOT_CONFIGURED,
        absl::StrCat("no exchange rate from ", from, " to ", company.currency, " valid on ",
                     absl::FormatCivilTime(company.day), " (", what, " is in ", from,
                     "); add one with CreateExchangeRate"),
        {{"from_currency", from}, {"to_currency", company.currency}});
  }
  return rating::ConvertMicros(micros, *rate, what);
}

absl::StatusOr<LabourPrice> LabourPriceOf(const v1::Quote& quote, const CompanyCurrency& company,
                                          const std::string& order_id) {
  // Per currency, the price times 3600 (micros x seconds): exact, divided and rounded once.
  std::map<std::string, absl::int128> hour_micros_by_currency;
  LabourPrice price;
  for (int i = 0; i < quote.crew_lines_size(); ++i) {
    const v1::CrewCostLine& line = quote.crew_lines(i);
    const std::string what = absl::StrCat("order ", order_id, ": quote.crew_lines[", i, "]");
    const int64_t seconds = TimeUtil::DurationToSeconds(line.person_time());
    SALESOPS_ASSIGN_OR_RETURN(price.person_seconds,
                              common::CheckedAdd(price.person_seconds, seconds, what));
    const bool hourly = line.has_hourly_cost();
    const google::type::Money& rate = hourly ? line.hourly_cost() : line.line_total();
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t rate_micros,
        common::MoneyToMicros(rate, what + (hourly ? ".hourly_cost" : ".line_total")));
    const std::string currency =
        rate.currency_code().empty() ? company.currency : rate.currency_code();
    // |micros| < 2^63 and |seconds| < 2^39 (a Duration), 20 lines: far inside 128 bits.
    hour_micros_by_currency[currency] +=
        hourly ? absl::int128(rate_micros) * seconds : absl::int128(rate_micros) * kSecondsPerHour;
  }
  for (const auto& [currency, hour_micros] : hour_micros_by_currency) {
    const std::string what = absl::StrCat("the crew price of order ", order_id, " in ", currency);
    const int64_t minor = rating::MinorUnitMicros(currency);
    const absl::int128 micros =
        RoundedQuotient(hour_micros, absl::int128(kSecondsPerHour) * minor) * minor;
    if (!FitsInt64(micros)) return common::AmountOutOfRange(what);
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t converted,
        ToCompanyMicros(common::MoneyFromMicros(static_cast<int64_t>(micros), currency), company,
                        what));
    SALESOPS_ASSIGN_OR_RETURN(price.price_micros,
                              common::CheckedAdd(price.price_micros, converted, what));
  }
  return price;
}

absl::StatusOr<PlannedLabourCost> LabourCostOf(const v1::OrderLabourCost& cost,
                                               const CompanyCurrency& company) {
  // By part (on site or not), then by currency: micros as scheduling rounded them.
  std::map<std::string, int64_t> micros_by_currency[2];
  for (int i = 0; i < cost.lines_size(); ++i) {
    const v1::LabourCostLine& line = cost.lines(i);
    const bool on_site =
        line.task_kind() == v1::TASK_KIND_SETUP || line.task_kind() == v1::TASK_KIND_STRIKE;
    for (const google::type::Money* part :
         {&line.work_cost(), &line.travel_cost(), &line.per_diem_cost()}) {
      if (part->currency_code().empty() && part->units() == 0 && part->nanos() == 0) continue;
      const std::string what =
          absl::StrCat("the planned crew cost of order ", cost.order_id(), " (line ", i + 1, ")");
      SALESOPS_ASSIGN_OR_RETURN(const int64_t micros, common::MoneyToMicros(*part, what));
      int64_t& sum = micros_by_currency[on_site ? 0 : 1][part->currency_code()];
      SALESOPS_ASSIGN_OR_RETURN(sum, common::CheckedAdd(sum, micros, what));
    }
  }
  int64_t totals[2] = {0, 0};
  for (int part = 0; part < 2; ++part) {
    for (const auto& [currency, micros] : micros_by_currency[part]) {
      const std::string what = absl::StrCat("the planned ", part == 0 ? "crew" : "handling",
                                            " cost of order ", cost.order_id(), " in ", currency);
      SALESOPS_ASSIGN_OR_RETURN(
          const int64_t converted,
          ToCompanyMicros(common::MoneyFromMicros(micros, currency), company, what));
      SALESOPS_ASSIGN_OR_RETURN(totals[part], common::CheckedAdd(totals[part], converted, what));
    }
  }
  return PlannedLabourCost{totals[0], totals[1]};
}

absl::StatusOr<int64_t> MarginMillionths(int64_t margin_micros, int64_t price_micros) {
  if (price_micros <= 0) return 0;
  const absl::int128 share =
      RoundedQuotient(absl::int128(margin_micros) * rating::kMillionths, price_micros);
  if (!FitsInt64(share)) return common::AmountOutOfRange("the labour margin's share");
  return static_cast<int64_t>(share);
}

absl::StatusOr<v1::LabourMargin> LabourMarginOf(const LabourPrice& price,
                                                const v1::OrderLabourCost& cost,
                                                const CompanyCurrency& company) {
  const std::string& currency = company.currency;
  SALESOPS_ASSIGN_OR_RETURN(const PlannedLabourCost planned, LabourCostOf(cost, company));
  const int64_t cost_micros = planned.crew_micros;
  const std::string what = absl::StrCat("the labour margin of order ", cost.order_id());
  // A difference of two int64 amounts may not fit one; it is checked like every other step.
  const absl::int128 margin = absl::int128(price.price_micros) - cost_micros;
  if (!FitsInt64(margin)) return common::AmountOutOfRange(what);
  const int64_t margin_micros = static_cast<int64_t>(margin);
  SALESOPS_ASSIGN_OR_RETURN(const int64_t millionths,
                            MarginMillionths(margin_micros, price.price_micros));

  v1::LabourMargin result;
  result.set_order_id(cost.order_id());
  *result.mutable_labour_price() = common::MoneyFromMicros(price.price_micros, currency);
  *result.mutable_labour_cost() = common::MoneyFromMicros(cost_micros, currency);
  *result.mutable_handling_cost() = common::MoneyFromMicros(planned.handling_micros, currency);
  *result.mutable_margin() = common::MoneyFromMicros(margin_micros, currency);
  result.set_margin_millionths(millionths);
  *result.mutable_unstaffed_crew_time() = cost.unstaffed_crew_time();
  result.set_planned(cost.planned());
  *result.mutable_lines() = cost.lines();

  std::string explanation =
      absl::StrCat("Quote ", rating::FormatMoney(price.price_micros, currency), " for ",
                   CrewTimeText(price.person_seconds), " of crew; ");
  if (cost.planned()) {
    absl::StrAppend(&explanation, "plan ", rating::FormatMoney(cost_micros, currency), " on site");
  } else {
    absl::StrAppend(&explanation, "not planned yet, so no cost");
  }
  absl::StrAppend(&explanation, "; margin ", rating::FormatMoney(margin_micros, currency));
  if (price.price_micros > 0)
    absl::StrAppend(&explanation, " (", MarginPercentText(millionths), " %)");
  const int64_t unstaffed = TimeUtil::DurationToSeconds(cost.unstaffed_crew_time());
  if (unstaffed > 0) {
    absl::StrAppend(&explanation, "; ", CrewTimeText(unstaffed), " not staffed yet");
  }
  if (!cost.unpriced_crew_member_ids().empty()) {
    // Their time is in the plan but not in the cost: the margin is before them, as before the
    // unstaffed places.
    absl::StrAppend(&explanation, "; no cost rate for ",
                    absl::StrJoin(cost.unpriced_crew_member_ids(), ", "));
  }
  if (cost.planned()) {
    absl::StrAppend(&explanation, "; warehouse and driving ",
                    rating::FormatMoney(planned.handling_micros, currency),
                    ", carried by the equipment and delivery charges");
  }
  explanation.push_back('.');
  result.set_explanation(common::TruncateText(explanation, 2000));
  return result;
}

}  // namespace salesops::order_intake
