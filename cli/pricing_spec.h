#pragma once

// What people type for the pricing configuration, turned into pricing.proto. One spelling on
// every flag and in every table salesopsctl prints:
//   percentages  19 %, 19%, 8.875 %          (tax rates, shares of the catalog rate)
//   factors      1.083, 0.5, 3               (exchange rates, day factors, the week cap)
//   days         2027-06-01
//   rates        500 EUR/day, 250 EUR fixed, 45 EUR/hour; a per-day rate may go on with
//                "factors 1:1,2:0.5,4:0.25", "week-cap 3" and any rate with
//                "minimum 90 EUR": "500 EUR/day factors 1:1,2:0.5,4:0.25 week-cap 3"
//   overrides    CODE=90% (a share of the catalog's rate) or CODE=<rate>
#include <absl/status/statusor.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <string>

#include "google/type/date.pb.h"
#include "salesops/v1/pricing.pb.h"

namespace salesops::cli {

// "19 %" -> 190000 (millionths of the whole); "8.875%" -> 88750.
absl::StatusOr<int64_t> ParsePercentMillionths(absl::string_view text);
// "90 %" -> 9000 (basis points); "12.5%" -> 1250.
absl::StatusOr<int32_t> ParsePercentBasisPoints(absl::string_view text);
// "1.083" -> 1083000.
absl::StatusOr<int64_t> ParseFactorMillionths(absl::string_view text);
absl::StatusOr<google::type::Date> ParseDay(absl::string_view text);
absl::StatusOr<v1::RateDefinition> ParseRateSpec(absl::string_view text,
                                                 absl::string_view default_currency);
absl::StatusOr<v1::PriceOverride> ParseOverride(absl::string_view text,
                                                absl::string_view default_currency);

// The spellings back, as the parsers read them.
std::string FormatPercentMillionths(int64_t millionths);     // 190000 -> "19 %"
std::string FormatPercentBasisPoints(int64_t basis_points);  // 9000 -> "90 %"
std::string FormatFactor(int64_t millionths);                // 1083000 -> "1.083", 3000000 -> "3.0"
std::string FormatDay(const google::type::Date& date);       // "2027-06-01"
std::string FormatValidity(const v1::Validity& validity);  // "2027-06-01 – 2027-08-31", "always"
std::string FormatRateSpec(const v1::RateDefinition& definition);
std::string FormatOverride(const v1::PriceOverride& entry);

}  // namespace salesops::cli
