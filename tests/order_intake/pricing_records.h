#pragma once

// Pricing records as ADMIN stores them, for the pricing tests.
#include <cstdint>
#include <utility>
#include <vector>

#include "salesops/v1/pricing.pb.h"

namespace salesops::testing {

inline google::type::Money Eur(int64_t units, int32_t nanos = 0) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  money.set_nanos(nanos);
  return money;
}

inline google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// The issue's table: day 1 = 1.0, days 2-3 = 0.5, 4+ = 0.25, a week <= 3.0 (rating_test's).
inline v1::RateDefinition IssuePerDay(int64_t day_rate_units) {
  v1::RateDefinition definition;
  definition.set_kind(v1::RATE_KIND_PER_DAY);
  *definition.mutable_rate() = Eur(day_rate_units);
  for (const auto& [from_day, factor] :
       std::vector<std::pair<int, int64_t>>{{1, 1'000'000}, {2, 500'000}, {4, 250'000}}) {
    v1::DayFactorStep* step = definition.add_day_factors();
    step->set_from_day(from_day);
    step->set_factor_millionths(factor);
  }
  definition.set_week_cap_millionths(3'000'000);
  return definition;
}

}  // namespace salesops::testing
