#include "services/order_intake/rating.h"

#include <absl/numeric/int128.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "services/common/errors.h"
#include "services/common/money.h"

namespace salesops::order_intake::rating {
namespace {

// money.h takes std::string_view; this code speaks absl::string_view (a distinct type here).
std::string_view StdView(absl::string_view text) { return {text.data(), text.size()}; }

absl::Status RatingInvalid(absl::string_view message) {
  return common::ReasonedError(absl::StatusCode::kInvalidArgument, v1::INVALID_REQUEST,
                               StdView(message));
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// "2.5", "1.0", "0.25", "0.333333": exact millionths, trailing zeros dropped after the first.
std::string FormatMillionths(int64_t millionths) {
  const bool negative = millionths < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(millionths) : static_cast<uint64_t>(millionths);
  std::string fraction = absl::StrFormat("%06d", magnitude % kMillionths);
  while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(negative ? "-" : "", magnitude / kMillionths, ".", fraction);
}

// "90", "87.5": a percentage from basis points.
std::string FormatPercentBp(int64_t basis_points) {
  const bool negative = basis_points < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(basis_points) : static_cast<uint64_t>(basis_points);
  std::string fraction = absl::StrFormat("%02d", magnitude % 100);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(negative ? "-" : "", magnitude / 100, fraction.empty() ? "" : ".", fraction);
}

std::string Plural(int64_t count, absl::string_view one, absl::string_view many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

// The sum of the table's factors over days [first, last].
absl::StatusOr<int64_t> SumDayFactors(const DayFactorTable& table, int64_t first, int64_t last,
                                      std::vector<std::string>* segments) {
  if (table.steps.empty()) {
    if (segments != nullptr) {
      segments->push_back(absl::StrCat(Plural(last - first + 1, "day", "days"), " at 1.0"));
    }
    return common::CheckedMultiply(last - first + 1, kMillionths, "the day factor");
  }
  int64_t sum = 0;
  for (size_t i = 0; i < table.steps.size(); ++i) {
    const int64_t step_first = std::max(first, table.steps[i].from_day);
    const int64_t step_last =
        i + 1 < table.steps.size() ? std::min(last, table.steps[i + 1].from_day - 1) : last;
    if (step_first > step_last) continue;
    const int64_t factor = table.steps[i].factor_per_day_millionths;
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t segment,
        common::CheckedMultiply(step_last - step_first + 1, factor, "the day factor"));
    SALESOPS_ASSIGN_OR_RETURN(sum, common::CheckedAdd(sum, segment, "the day factor"));
    if (segments != nullptr) {
      segments->push_back(absl::StrCat(step_first == step_last
                                           ? absl::StrCat("day ", step_first)
                                           : absl::StrCat("days ", step_first, "-", step_last),
                                       " at ", FormatMillionths(factor)));
    }
  }
  return sum;
}

absl::Status ValidateDayFactorTable(const DayFactorTable& table) {
  for (size_t i = 0; i < table.steps.size(); ++i) {
    const DayFactorStep& step = table.steps[i];
    if (i == 0 && step.from_day != 1) {
      return RatingInvalid(
          absl::StrCat("a day-factor table starts at day 1, not day ", step.from_day));
    }
    if (i > 0 && step.from_day <= table.steps[i - 1].from_day) {
      return RatingInvalid(absl::StrCat("day-factor steps ascend: day ", step.from_day,
                                        " follows day ", table.steps[i - 1].from_day));
    }
    if (step.factor_per_day_millionths < 0) {
      return RatingInvalid(absl::StrCat("the day factor from day ", step.from_day, " is negative"));
    }
  }
  if (table.week_cap_millionths.has_value() && *table.week_cap_millionths < 0) {
    return RatingInvalid("the week cap is negative");
  }
  return absl::OkStatus();
}

// Precedence rank of a list that applies: higher wins (rating.h, ChoosePriceList).
int PriceListRank(const PriceList& list) {
  const bool for_organisation = !list.organisation_id.empty();
  const bool in_period = list.period.from.has_value() || list.period.until.has_value();
  return (for_organisation ? 2 : 0) + (in_period ? 1 : 0);
}

bool PriceListCovers(const PriceList& list, absl::string_view product_code) {
  return list.overrides.count(std::string(product_code)) > 0 ||
         list.everything_else_percent_bp.has_value();
}

// Comparable: later start wins, then shorter period; an open end counts as far away.
std::tuple<int, absl::CivilDay, int64_t> PriceListSpecificity(const PriceList& list) {
  const absl::CivilDay earliest = absl::CivilDay(1, 1, 1);
  const absl::CivilDay latest = absl::CivilDay(9999, 12, 31);
  const absl::CivilDay from = list.period.from.value_or(earliest);
  const absl::CivilDay until = list.period.until.value_or(latest);
  return {PriceListRank(list), from, -(until - from)};
}

const TaxRate* FindTaxRate(const std::vector<TaxRate>& rates, TaxClass tax_class,
                           absl::string_view jurisdiction, absl::CivilDay day) {
  const TaxRate* best = nullptr;
  for (const TaxRate& rate : rates) {
    if (rate.tax_class != tax_class || rate.jurisdiction != jurisdiction ||
        !rate.validity.Contains(day)) {
      continue;
    }
    if (best == nullptr || rate.validity.from.value_or(absl::CivilDay(1, 1, 1)) >
                               best->validity.from.value_or(absl::CivilDay(1, 1, 1))) {
      best = &rate;
    }
  }
  return best;
}

// part / whole > threshold, exactly (whole > 0).
bool ShareExceeds(int64_t part, int64_t whole, int64_t threshold_bp) {
  return absl::int128(part) * kBasisPoints > absl::int128(threshold_bp) * whole;
}

// part / whole in basis points, rounded, for the approver to read.
int64_t ShareBp(int64_t part, int64_t whole) {
  if (whole == 0) return 0;
  return static_cast<int64_t>((absl::int128(part) * kBasisPoints * 2 + whole) / (2 * whole));
}

absl::Status ValidateDiscount(const Discount& discount, absl::string_view where) {
  if (discount.reason.empty()) {
    return RatingInvalid(absl::StrCat("the ", where, " discount needs a reason"));
  }
  if (discount.kind == Discount::Kind::kPercent &&
      (discount.percent_bp < 0 || discount.percent_bp > kBasisPoints)) {
    return RatingInvalid(absl::StrCat("the ", where, " discount of ",
                                      FormatPercentBp(discount.percent_bp),
                                      " % is not between 0 and 100 %"));
  }
  if (discount.kind == Discount::Kind::kAmount && discount.amount_micros < 0) {
    return RatingInvalid(absl::StrCat("the ", where, " discount amount is negative"));
  }
  return absl::OkStatus();
}

// What `discount` takes off `base` (never more than `base`), rounded to the minor unit.
absl::StatusOr<int64_t> DiscountAmount(const Discount& discount, int64_t base,
                                       absl::string_view currency, absl::string_view what) {
  const int64_t minor = MinorUnitMicros(currency);
  int64_t amount = 0;
  if (discount.kind == Discount::Kind::kPercent) {
    SALESOPS_ASSIGN_OR_RETURN(
        amount, common::ScaleMicros(base, discount.percent_bp, kBasisPoints, minor, StdView(what)));
  } else {
    SALESOPS_ASSIGN_OR_RETURN(
        amount, common::ScaleMicros(discount.amount_micros, 1, 1, minor, StdView(what)));
  }
  return std::min(amount, base);
}

std::string DescribeDiscount(const Discount& discount, absl::string_view currency) {
  const std::string size = discount.kind == Discount::Kind::kPercent
                               ? absl::StrCat(FormatPercentBp(discount.percent_bp), " %")
                               : FormatMoney(discount.amount_micros, currency);
  return absl::StrCat(size, " ('", discount.reason, "')");
}

}  // namespace

const ExchangeRate* FindExchangeRate(const std::vector<ExchangeRate>& rates, absl::string_view from,
                                     absl::string_view to, absl::CivilDay day) {
  const ExchangeRate* best = nullptr;
  for (const ExchangeRate& rate : rates) {
    if (rate.from != from || rate.to != to || !rate.validity.Contains(day)) continue;
    if (best == nullptr || rate.validity.from.value_or(absl::CivilDay(1, 1, 1)) >
                               best->validity.from.value_or(absl::CivilDay(1, 1, 1))) {
      best = &rate;
    }
  }
  return best;
}

absl::StatusOr<int64_t> ConvertMicros(int64_t micros, const ExchangeRate& rate,
                                      absl::string_view what) {
  return common::ScaleMicros(micros, rate.rate_millionths, kMillionths, MinorUnitMicros(rate.to),
                             StdView(what));
}

// One table of ISO 4217 exponents for the suite (services/common/money.h).
int MinorUnitDigits(absl::string_view currency) {
  return common::MinorUnitDigits(StdView(currency));
}

int64_t MinorUnitMicros(absl::string_view currency) {
  return common::MinorUnitMicros(StdView(currency));
}

std::string FormatMoney(int64_t micros, absl::string_view currency) {
  const bool negative = micros < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  const std::string units = absl::StrCat(magnitude / kMillionths);
  std::string grouped;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i > 0 && (units.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(units[i]);
  }
  std::string fraction = absl::StrFormat("%06d", magnitude % kMillionths);
  const size_t digits = static_cast<size_t>(MinorUnitDigits(currency));
  while (fraction.size() > digits && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(negative ? "-" : "", grouped, fraction.empty() ? "" : ".", fraction, " ",
                      currency);
}

bool Validity::Contains(absl::CivilDay day) const {
  return (!from.has_value() || *from <= day) && (!until.has_value() || day <= *until);
}

absl::string_view TaxClassName(TaxClass tax_class) {
  switch (tax_class) {
    case TaxClass::kEquipment:
      return "equipment";
    case TaxClass::kLabour:
      return "labour";
    case TaxClass::kTransport:
      return "transport";
  }
  return "equipment";
}

absl::StatusOr<DayFactor> ComputeDayFactor(const DayFactorTable& table, int64_t days) {
  if (days < 1) return RatingInvalid(absl::StrCat("a rental lasts at least 1 day, not ", days));
  SALESOPS_RETURN_IF_ERROR(ValidateDayFactorTable(table));
  DayFactor result;
  std::vector<std::string> segments;
  SALESOPS_ASSIGN_OR_RETURN(const int64_t uncapped, SumDayFactors(table, 1, days, &segments));
  result.total_millionths = uncapped;
  result.explanation =
      absl::StrCat(absl::StrJoin(segments, " + "), " = ", FormatMillionths(uncapped));
  if (!table.week_cap_millionths.has_value()) return result;

  // Blocks before the last step can differ from each other; every block after it costs the
  // same, so those are multiplied, not walked (a rental of years stays cheap to price).
  const int64_t cap = *table.week_cap_millionths;
  const int64_t last_step_day = table.steps.empty() ? 1 : table.steps.back().from_day;
  int64_t capped = 0;
  int64_t block_first = 1;
  while (block_first <= days && block_first < last_step_day) {
    const int64_t block_last = std::min(days, block_first + 6);
    SALESOPS_ASSIGN_OR_RETURN(const int64_t block,
                              SumDayFactors(table, block_first, block_last, nullptr));
    SALESOPS_ASSIGN_OR_RETURN(capped,
                              common::CheckedAdd(capped, std::min(block, cap), "the day factor"));
    block_first = block_last + 1;
  }
  if (block_first <= days) {
    const int64_t whole_blocks = (days - block_first + 1) / 7;
    SALESOPS_ASSIGN_OR_RETURN(const int64_t week,
                              SumDayFactors(table, block_first, block_first + 6, nullptr));
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t weeks,
        common::CheckedMultiply(whole_blocks, std::min(week, cap), "the day factor"));
    SALESOPS_ASSIGN_OR_RETURN(capped, common::CheckedAdd(capped, weeks, "the day factor"));
    const int64_t rest_first = block_first + whole_blocks * 7;
    if (rest_first <= days) {
      SALESOPS_ASSIGN_OR_RETURN(const int64_t rest,
                                SumDayFactors(table, rest_first, days, nullptr));
      SALESOPS_ASSIGN_OR_RETURN(capped,
                                common::CheckedAdd(capped, std::min(rest, cap), "the day factor"));
    }
  }
  if (capped < uncapped) {
    result.total_millionths = capped;
    absl::StrAppend(&result.explanation, "; at most ", FormatMillionths(cap),
                    " a week = ", FormatMillionths(capped));
  }
  return result;
}

const PriceList* ChoosePriceList(const std::vector<PriceList>& lists,
                                 absl::string_view product_code, absl::string_view organisation_id,
                                 absl::CivilDay service_date) {
  const PriceList* best = nullptr;
  for (const PriceList& list : lists) {
    if (!list.organisation_id.empty() && list.organisation_id != organisation_id) continue;
    if (!list.period.Contains(service_date) || !PriceListCovers(list, product_code)) continue;
    if (best == nullptr) {
      best = &list;
      continue;
    }
    const auto candidate = PriceListSpecificity(list);
    const auto incumbent = PriceListSpecificity(*best);
    if (candidate > incumbent || (candidate == incumbent && list.name < best->name)) best = &list;
  }
  return best;
}

absl::StatusOr<LinePrice> PriceLine(const LineRequest& line, const Catalog& catalog,
                                    const std::vector<PriceList>& price_lists,
                                    absl::string_view organisation_id,
                                    absl::CivilDay service_date) {
  const auto product = catalog.find(line.product_code);
  if (product == catalog.end()) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::UNKNOWN_PRODUCT_CODE,
        absl::StrCat("the catalog has no rate for product ", line.product_code));
  }
  if (line.quantity < 1) {
    return RatingInvalid(
        absl::StrCat(line.product_code, ": the quantity is at least 1, not ", line.quantity));
  }
  RateDefinition rate = product->second.rate;
  int64_t percent_bp = kBasisPoints;
  std::string source = "catalog";
  if (const PriceList* list =
          ChoosePriceList(price_lists, line.product_code, organisation_id, service_date)) {
    source = absl::StrCat("price list '", list->name, "'");
    const auto override_entry = list->overrides.find(line.product_code);
    if (override_entry == list->overrides.end()) {
      percent_bp = *list->everything_else_percent_bp;
    } else if (override_entry->second.rate.has_value()) {
      rate = *override_entry->second.rate;
    } else {
      percent_bp = override_entry->second.percent_of_catalog_bp;
    }
  }
  if (rate.rate_micros < 0 || rate.minimum_charge_micros < 0 || percent_bp < 0) {
    return RatingInvalid(absl::StrCat(line.product_code, ": the ", source, " rate is negative"));
  }

  LinePrice price;
  price.product_code = line.product_code;
  price.currency = rate.currency;
  price.quantity = line.quantity;
  price.priced_by = source;
  const int64_t minor = MinorUnitMicros(rate.currency);
  const std::string what = absl::StrCat(line.product_code, ": the unit price (", source, ")");
  const std::string share =
      percent_bp == kBasisPoints
          ? ""
          : absl::StrCat(" x ", FormatPercentBp(percent_bp), " % of the catalog rate");
  std::string computation;
  std::string factor_detail;
  switch (rate.kind) {
    case RateKind::kPerDay: {
      SALESOPS_ASSIGN_OR_RETURN(const DayFactor factor,
                                ComputeDayFactor(rate.day_factors, line.days));
      SALESOPS_ASSIGN_OR_RETURN(
          const int64_t numerator,
          common::CheckedMultiply(factor.total_millionths, percent_bp, StdView(what)));
      SALESOPS_ASSIGN_OR_RETURN(
          price.unit_price_micros,
          common::ScaleMicros(rate.rate_micros, numerator, kMillionths * kBasisPoints, minor,
                              StdView(what)));
      computation = absl::StrCat(Plural(line.days, "day", "days"), " at day factor ",
                                 FormatMillionths(factor.total_millionths), " x ",
                                 FormatMoney(rate.rate_micros, rate.currency), share);
      factor_detail = absl::StrCat(" (", factor.explanation, ")");
      break;
    }
    case RateKind::kFixed: {
      SALESOPS_ASSIGN_OR_RETURN(
          price.unit_price_micros,
          common::ScaleMicros(rate.rate_micros, percent_bp, kBasisPoints, minor, StdView(what)));
      computation = absl::StrCat(product->second.sold ? "sale price " : "fixed price ",
                                 FormatMoney(rate.rate_micros, rate.currency), share);
      break;
    }
    case RateKind::kHourly: {
      if (line.duration_minutes < 1) {
        return RatingInvalid(
            absl::StrCat(line.product_code, " is charged by the hour: it needs a duration"));
      }
      SALESOPS_ASSIGN_OR_RETURN(
          const int64_t numerator,
          common::CheckedMultiply(line.duration_minutes, percent_bp, StdView(what)));
      SALESOPS_ASSIGN_OR_RETURN(price.unit_price_micros,
                                common::ScaleMicros(rate.rate_micros, numerator, 60 * kBasisPoints,
                                                    minor, StdView(what)));
      const int64_t minutes = line.duration_minutes % 60;
      computation = absl::StrCat(line.duration_minutes / 60, " h",
                                 minutes == 0 ? "" : absl::StrCat(" ", minutes, " min"), " at ",
                                 FormatMoney(rate.rate_micros, rate.currency), " an hour", share);
      break;
    }
  }
  std::string minimum_note;
  if (rate.minimum_charge_micros > 0) {
    if (price.unit_price_micros < rate.minimum_charge_micros) {
      minimum_note =
          absl::StrCat("; minimum charge applied: ", computation, " came to ",
                       FormatMoney(price.unit_price_micros, rate.currency), factor_detail);
      computation =
          absl::StrCat("minimum charge ", FormatMoney(rate.minimum_charge_micros, rate.currency));
      factor_detail.clear();
      price.unit_price_micros = rate.minimum_charge_micros;
    } else {
      minimum_note = "; minimum charge not reached";
    }
  }
  SALESOPS_ASSIGN_OR_RETURN(
      price.total_micros,
      common::CheckedMultiply(price.unit_price_micros, line.quantity,
                              absl::StrCat(line.product_code, ": ", line.quantity, " x ",
                                           FormatMoney(price.unit_price_micros, rate.currency))));
  price.explanation =
      absl::StrCat(source, ": ", computation, " x ", line.quantity, " = ",
                   FormatMoney(price.total_micros, rate.currency), factor_detail, minimum_note);
  return price;
}

absl::StatusOr<Quote> RateQuote(const QuoteRequest& request, const RatingTables& tables,
                                const RatingPolicy& policy) {
  const Organisation& organisation = request.organisation;
  Quote quote;
  quote.currency = organisation.currency;
  const int64_t minor = MinorUnitMicros(quote.currency);

  // Price, convert, and take off each line's own discount.
  int64_t total_before_discounts = 0;
  int64_t net_after_line_discounts = 0;
  for (size_t i = 0; i < request.lines.size(); ++i) {
    const LineRequest& line = request.lines[i];
    const std::string line_name = absl::StrCat("line ", i + 1, " (", line.product_code, ")");
    SALESOPS_ASSIGN_OR_RETURN(LinePrice price, PriceLine(line, tables.catalog, tables.price_lists,
                                                         organisation.id, request.service_date));
    if (price.currency != quote.currency) {
      const ExchangeRate* rate = FindExchangeRate(tables.exchange_rates, price.currency,
                                                  quote.currency, request.quote_date);
      if (rate == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no exchange rate from ", price.currency, " to ", quote.currency, " valid on ",
            DayText(request.quote_date), " (", line_name, " is priced in ", price.currency,
            ", the organisation pays in ", quote.currency, ")"));
      }
      const std::string what = absl::StrCat(line_name, ": the converted unit price");
      SALESOPS_ASSIGN_OR_RETURN(price.unit_price_micros,
                                ConvertMicros(price.unit_price_micros, *rate, what));
      SALESOPS_ASSIGN_OR_RETURN(
          price.total_micros,
          common::CheckedMultiply(price.unit_price_micros, price.quantity, StdView(what)));
      absl::StrAppend(&price.explanation, "; converted at 1 ", price.currency, " = ",
                      FormatMillionths(rate->rate_millionths), " ", quote.currency, ": ",
                      FormatMoney(price.unit_price_micros, quote.currency), " x ", price.quantity,
                      " = ", FormatMoney(price.total_micros, quote.currency));
      price.currency = quote.currency;
      const bool recorded =
          std::any_of(quote.exchange_rates_used.begin(), quote.exchange_rates_used.end(),
                      [&](const ExchangeRate& used) { return used.from == rate->from; });
      if (!recorded) quote.exchange_rates_used.push_back(*rate);
    }
    QuoteLine quote_line;
    quote_line.tax_class = tables.catalog.at(line.product_code).tax_class;
    if (line.discount.has_value()) {
      SALESOPS_RETURN_IF_ERROR(ValidateDiscount(*line.discount, line_name));
      SALESOPS_ASSIGN_OR_RETURN(quote_line.line_discount_micros,
                                DiscountAmount(*line.discount, price.total_micros, quote.currency,
                                               absl::StrCat(line_name, ": the discount")));
      absl::StrAppend(&price.explanation, "; discount ",
                      DescribeDiscount(*line.discount, quote.currency), ": -",
                      FormatMoney(quote_line.line_discount_micros, quote.currency));
      if (quote_line.line_discount_micros == price.total_micros && price.total_micros > 0) {
        absl::StrAppend(&price.explanation, " (no more than the line)");
      }
      if (ShareExceeds(quote_line.line_discount_micros, price.total_micros,
                       policy.approval_threshold_bp)) {
        quote.needs_approval = true;
        quote.approval_reasons.push_back(absl::StrCat(
            line_name, ": discount ", DescribeDiscount(*line.discount, quote.currency), " is ",
            FormatPercentBp(ShareBp(quote_line.line_discount_micros, price.total_micros)),
            " % of the line, above the ", FormatPercentBp(policy.approval_threshold_bp),
            " % an ADMIN must approve"));
      }
    }
    quote_line.net_micros = price.total_micros - quote_line.line_discount_micros;
    SALESOPS_ASSIGN_OR_RETURN(
        total_before_discounts,
        common::CheckedAdd(total_before_discounts, price.total_micros, "the quote's total"));
    SALESOPS_ASSIGN_OR_RETURN(
        net_after_line_discounts,
        common::CheckedAdd(net_after_line_discounts, quote_line.net_micros, "the quote's total"));
    quote_line.price = std::move(price);
    quote.lines.push_back(std::move(quote_line));
  }

  // The order discount is shared across lines by their net, cumulatively, so the shares are
  // whole minor units that add up to the discount exactly and each line keeps its tax class.
  if (request.order_discount.has_value() && net_after_line_discounts > 0) {
    const Discount& discount = *request.order_discount;
    SALESOPS_RETURN_IF_ERROR(ValidateDiscount(discount, "order"));
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t order_discount,
        DiscountAmount(discount, net_after_line_discounts, quote.currency, "the order discount"));
    int64_t cumulative_net = 0;
    int64_t allocated = 0;
    for (QuoteLine& line : quote.lines) {
      cumulative_net += line.net_micros;  // bounded by net_after_line_discounts
      SALESOPS_ASSIGN_OR_RETURN(
          const int64_t allocated_so_far,
          common::ScaleMicros(order_discount, cumulative_net, net_after_line_discounts, minor,
                              "the order discount"));
      line.order_discount_micros = allocated_so_far - allocated;
      allocated = allocated_so_far;
      line.net_micros -= line.order_discount_micros;
      if (line.order_discount_micros > 0) {
        absl::StrAppend(&line.price.explanation, "; its share of the order discount ",
                        DescribeDiscount(discount, quote.currency), ": -",
                        FormatMoney(line.order_discount_micros, quote.currency));
      }
    }
    if (ShareExceeds(order_discount, net_after_line_discounts, policy.approval_threshold_bp)) {
      quote.needs_approval = true;
      quote.approval_reasons.push_back(
          absl::StrCat("order discount ", DescribeDiscount(discount, quote.currency), " is ",
                       FormatPercentBp(ShareBp(order_discount, net_after_line_discounts)),
                       " % of the order, above the ", FormatPercentBp(policy.approval_threshold_bp),
                       " % an ADMIN must approve"));
    }
  }

  for (const QuoteLine& line : quote.lines) {
    // Cannot overflow: each net is at most its line's total, and those summed without error.
    quote.net_micros += line.net_micros;
  }
  quote.discount_micros = total_before_discounts - quote.net_micros;
  // Discounts that each pass can still add up past the threshold (10 % on a line, 15 % off the
  // order): the order as a whole is held to it too.
  if (!quote.needs_approval && total_before_discounts > 0 &&
      ShareExceeds(quote.discount_micros, total_before_discounts, policy.approval_threshold_bp)) {
    quote.needs_approval = true;
    quote.approval_reasons.push_back(
        absl::StrCat("discounts together are ",
                     FormatPercentBp(ShareBp(quote.discount_micros, total_before_discounts)),
                     " % of the quote, above the ", FormatPercentBp(policy.approval_threshold_bp),
                     " % an ADMIN must approve"));
  }

  // Tax.
  switch (organisation.tax_status) {
    case TaxStatus::kStandard:
      break;
    case TaxStatus::kReverseCharge:
      quote.tax_note = absl::StrCat(
          "Reverse charge: VAT is to be accounted for by the recipient (Article 196, Council "
          "Directive 2006/112/EC). Customer VAT ID: ",
          organisation.vat_id, ".");
      break;
    case TaxStatus::kExempt:
      quote.tax_note = absl::StrCat("Exempt from VAT: no tax charged (exemption ",
                                    organisation.exemption_reference, ").");
      break;
  }
  std::map<int64_t, TaxGroup> groups;
  for (QuoteLine& line : quote.lines) {
    if (organisation.tax_status == TaxStatus::kStandard) {
      const TaxRate* rate = FindTaxRate(tables.tax_rates, line.tax_class, organisation.jurisdiction,
                                        request.service_date);
      if (rate == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "no tax rate for ", TaxClassName(line.tax_class), " in ", organisation.jurisdiction,
            " valid on ", DayText(request.service_date), " (", line.price.product_code, ")"));
      }
      line.tax_millionths = rate->rate_millionths;
    }
    TaxGroup& group = groups[line.tax_millionths];
    group.rate_millionths = line.tax_millionths;
    if (std::find(group.classes.begin(), group.classes.end(), line.tax_class) ==
        group.classes.end()) {
      group.classes.push_back(line.tax_class);
    }
    group.net_micros += line.net_micros;  // a part of quote.net_micros, which fits
    if (policy.rounding == RoundingPolicy::kPerLine) {
      const std::string what = absl::StrCat("the tax on ", line.price.product_code);
      SALESOPS_ASSIGN_OR_RETURN(
          line.tax_micros, common::ScaleMicros(line.net_micros, line.tax_millionths, kMillionths,
                                               minor, StdView(what)));
      SALESOPS_ASSIGN_OR_RETURN(group.tax_micros,
                                common::CheckedAdd(group.tax_micros, line.tax_micros, "the tax"));
    }
  }
  for (auto& [rate, group] : groups) {
    if (policy.rounding == RoundingPolicy::kPerTotal) {
      SALESOPS_ASSIGN_OR_RETURN(
          group.tax_micros,
          common::ScaleMicros(group.net_micros, rate, kMillionths, minor, "the tax"));
    }
    SALESOPS_ASSIGN_OR_RETURN(quote.tax_micros,
                              common::CheckedAdd(quote.tax_micros, group.tax_micros, "the tax"));
    quote.tax_groups.push_back(std::move(group));
  }
  SALESOPS_ASSIGN_OR_RETURN(
      quote.gross_micros,
      common::CheckedAdd(quote.net_micros, quote.tax_micros, "the quote's gross total"));
  return quote;
}

}  // namespace salesops::order_intake::rating
