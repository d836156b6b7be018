#include "cli/pricing_spec.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <absl/strings/str_split.h>
#include <absl/time/civil_time.h>

#include <vector>

#include "cli/input_parsing.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

absl::Status Bad(absl::string_view text, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not ", what));
}

// "12.375" with `digits` decimals -> 12375 (digits 3). More decimals than that are refused
// rather than rounded: a rate is typed as meant.
absl::StatusOr<int64_t> ParseScaled(absl::string_view text, int digits, absl::string_view what) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  const std::vector<absl::string_view> parts = absl::StrSplit(trimmed, '.');
  if (parts.size() > 2 || parts[0].empty() || (parts.size() == 2 && parts[1].empty()) ||
      (parts.size() == 2 && static_cast<int>(parts[1].size()) > digits) || parts[0].size() > 9) {
    return Bad(text, what);
  }
  for (absl::string_view part : parts) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Bad(text, what);
    }
  }
  int64_t whole = 0;
  if (!absl::SimpleAtoi(parts[0], &whole)) return Bad(text, what);
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  int64_t fraction = 0;
  if (parts.size() == 2) {
    std::string padded(parts[1]);
    padded.resize(digits, '0');
    if (!absl::SimpleAtoi(padded, &fraction)) return Bad(text, what);
  }
  return whole * scale + fraction;
}

std::string FormatScaled(int64_t value, int digits, int min_decimals) {
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string fraction = absl::StrFormat("%0*d", digits, value % scale);
  while (static_cast<int>(fraction.size()) > min_decimals && fraction.back() == '0') {
    fraction.pop_back();
  }
  return fraction.empty() ? absl::StrCat(value / scale)
                          : absl::StrCat(value / scale, ".", fraction);
}

absl::string_view WithoutPercentSign(absl::string_view text) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (absl::ConsumeSuffix(&trimmed, "%")) trimmed = absl::StripAsciiWhitespace(trimmed);
  return trimmed;
}

bool IsKeyword(absl::string_view word) {
  return word == "factors" || word == "week-cap" || word == "minimum";
}

}  // namespace

absl::StatusOr<int64_t> ParsePercentMillionths(absl::string_view text) {
  return ParseScaled(WithoutPercentSign(text), 4, "a percentage (19 %, 8.875 %)");
}

absl::StatusOr<int32_t> ParsePercentBasisPoints(absl::string_view text) {
  absl::StatusOr<int64_t> value =
      ParseScaled(WithoutPercentSign(text), 2, "a percentage (90 %, 12.5 %)");
  if (!value.ok()) return value.status();
  if (*value > 100'000) return Bad(text, "a percentage of at most 1000 %");
  return static_cast<int32_t>(*value);
}

absl::StatusOr<int64_t> ParseFactorMillionths(absl::string_view text) {
  return ParseScaled(text, 6, "a factor (1.083, 0.5)");
}

absl::StatusOr<google::type::Date> ParseDay(absl::string_view text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(absl::StripAsciiWhitespace(text), &day)) {
    return Bad(text, "a day (2027-06-01)");
  }
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<v1::RateDefinition> ParseRateSpec(absl::string_view text,
                                                 absl::string_view default_currency) {
  const std::string spelled =
      absl::StrReplaceAll(text, {{"/day", " per-day"}, {"/hour", " hourly"}, {"/h", " hourly"}});
  const std::vector<std::string> words = SplitWords(spelled, " ");
  v1::RateDefinition definition;
  size_t at = 0;
  std::vector<std::string> amount;
  for (; at < words.size(); ++at) {
    const std::string& word = words[at];
    if (word == "per-day") {
      definition.set_kind(v1::RATE_KIND_PER_DAY);
    } else if (word == "hourly") {
      definition.set_kind(v1::RATE_KIND_HOURLY);
    } else if (word == "fixed") {
      definition.set_kind(v1::RATE_KIND_FIXED);
    } else {
      amount.push_back(word);
      continue;
    }
    ++at;
    break;
  }
  if (definition.kind() == v1::RATE_KIND_UNSPECIFIED) {
    return Bad(text, "a rate (500 EUR/day, 250 EUR fixed, 45 EUR/hour)");
  }
  absl::StatusOr<google::type::Money> rate =
      ParseMoney(absl::StrJoin(amount, " "), default_currency);
  if (!rate.ok()) return rate.status();
  *definition.mutable_rate() = *rate;
  while (at < words.size()) {
    const std::string keyword = words[at++];
    std::vector<std::string> values;
    while (at < words.size() && !IsKeyword(words[at])) values.push_back(words[at++]);
    if (values.empty()) return Bad(text, "a rate: '" + keyword + "' needs a value");
    if (keyword == "factors") {
      for (const std::string& step_text : SplitWords(absl::StrJoin(values, ","), ",")) {
        const std::vector<std::string> pair = absl::StrSplit(step_text, ':');
        int from_day = 0;
        if (pair.size() != 2 || !absl::SimpleAtoi(pair[0], &from_day)) {
          return Bad(step_text, "a day factor DAY:FACTOR (2:0.5)");
        }
        absl::StatusOr<int64_t> factor = ParseFactorMillionths(pair[1]);
        if (!factor.ok()) return factor.status();
        v1::DayFactorStep* step = definition.add_day_factors();
        step->set_from_day(from_day);
        step->set_factor_millionths(*factor);
      }
    } else if (keyword == "week-cap") {
      absl::StatusOr<int64_t> cap = ParseFactorMillionths(absl::StrJoin(values, ""));
      if (!cap.ok()) return cap.status();
      definition.set_week_cap_millionths(*cap);
    } else if (keyword == "minimum") {
      absl::StatusOr<google::type::Money> minimum =
          ParseMoney(absl::StrJoin(values, " "), definition.rate().currency_code());
      if (!minimum.ok()) return minimum.status();
      *definition.mutable_minimum_charge() = *minimum;
    } else {
      return Bad(keyword, "a rate's word (factors, week-cap, minimum)");
    }
  }
  return definition;
}

absl::StatusOr<v1::PriceOverride> ParseOverride(absl::string_view text,
                                                absl::string_view default_currency) {
  const size_t equals = text.find('=');
  if (equals == absl::string_view::npos) {
    return Bad(text, "an override CODE=90% or CODE=<rate>");
  }
  v1::PriceOverride entry;
  entry.set_product_code(std::string(absl::StripAsciiWhitespace(text.substr(0, equals))));
  const absl::string_view terms = absl::StripAsciiWhitespace(text.substr(equals + 1));
  if (absl::EndsWith(terms, "%")) {
    absl::StatusOr<int32_t> share = ParsePercentBasisPoints(terms);
    if (!share.ok()) return share.status();
    entry.set_percent_of_catalog_bp(*share);
    return entry;
  }
  absl::StatusOr<v1::RateDefinition> definition = ParseRateSpec(terms, default_currency);
  if (!definition.ok()) return definition.status();
  *entry.mutable_definition() = *definition;
  return entry;
}

std::string FormatPercentMillionths(int64_t millionths) {
  return FormatScaled(millionths, 4, 0) + " %";
}

std::string FormatPercentBasisPoints(int64_t basis_points) {
  return FormatScaled(basis_points, 2, 0) + " %";
}

std::string FormatFactor(int64_t millionths) { return FormatScaled(millionths, 6, 1); }

std::string FormatDay(const google::type::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string FormatValidity(const v1::Validity& validity) {
  if (!validity.has_first_day() && !validity.has_last_day()) return "always";
  return absl::StrCat(validity.has_first_day() ? FormatDay(validity.first_day()) : "", " – ",
                      validity.has_last_day() ? FormatDay(validity.last_day()) : "");
}

std::string FormatRateSpec(const v1::RateDefinition& definition) {
  std::string spec = FormatMoney(definition.rate());
  switch (definition.kind()) {
    case v1::RATE_KIND_FIXED:
      absl::StrAppend(&spec, " fixed");
      break;
    case v1::RATE_KIND_HOURLY:
      absl::StrAppend(&spec, "/hour");
      break;
    default:
      absl::StrAppend(&spec, "/day");
      break;
  }
  if (definition.day_factors_size() > 0) {
    std::vector<std::string> steps;
    for (const v1::DayFactorStep& step : definition.day_factors()) {
      steps.push_back(absl::StrCat(step.from_day(), ":", FormatFactor(step.factor_millionths())));
    }
    absl::StrAppend(&spec, " factors ", absl::StrJoin(steps, ","));
  }
  if (definition.has_week_cap_millionths()) {
    absl::StrAppend(&spec, " week-cap ", FormatFactor(definition.week_cap_millionths()));
  }
  if (definition.has_minimum_charge() &&
      (definition.minimum_charge().units() != 0 || definition.minimum_charge().nanos() != 0)) {
    absl::StrAppend(&spec, " minimum ", FormatMoney(definition.minimum_charge()));
  }
  return spec;
}

std::string FormatOverride(const v1::PriceOverride& entry) {
  if (entry.has_definition()) {
    return entry.product_code() + "=" + FormatRateSpec(entry.definition());
  }
  return entry.product_code() + "=" + FormatPercentBasisPoints(entry.percent_of_catalog_bp());
}

}  // namespace salesops::cli
