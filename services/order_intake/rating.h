#pragma once

// The pricing engine of issue 17 ("the commercial side"), pure and without protos: rate
// definitions (per day with a day-factor table, fixed, hourly; a minimum charge), price lists
// and their precedence, line and order discounts with the approval rule, tax per class and
// jurisdiction with both rounding policies, and conversion into the organisation's currency.
//
// Amounts are int64 micros of their currency (services/common/money.h) and every step is
// checked: an amount that does not fit answers OUT_OF_RANGE naming it, never a wrapped price.
// Factors and rates are exact integers (millionths or basis points), never doubles, so a quote
// computed twice is the same to the micro. Every priced line carries `explanation`, a sentence
// saying how its price was computed, because a customer who asks "why 2,500?" deserves the
// arithmetic, not a number.
//
// Dates are calendar days (a price list's season, a tax rate's validity, an exchange rate's
// day); validity windows include both ends, as a price list "1 June to 31 August" is read.
#include <absl/status/statusor.h>
#include <absl/strings/string_view.h>
#include <absl/time/civil_time.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace salesops::order_intake::rating {

inline constexpr int64_t kMillionths = 1'000'000;  // a factor of 1.0 or a rate of 100 %
inline constexpr int64_t kBasisPoints = 10'000;    // 100 %

// Digits after the decimal point the currency is quoted in: 0 for JPY-like currencies, 3 for
// the dinars, 2 for everything else. Amounts shown to a customer are rounded to this.
int MinorUnitDigits(absl::string_view currency);
// The currency's smallest amount in micros (10'000 for EUR, 1'000'000 for JPY).
int64_t MinorUnitMicros(absl::string_view currency);
// "2,500.00 EUR": grouped thousands, the currency's digits (more when the amount has them).
std::string FormatMoney(int64_t micros, absl::string_view currency);

// An inclusive range of days; an absent end is open.
struct Validity {
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> until;
  bool Contains(absl::CivilDay day) const;
};

// ---------------------------------------------------------------------------------------------
// Rate definitions

// Days [from_day, next step's from_day) each cost `factor_per_day_millionths` of the day rate.
struct DayFactorStep {
  int64_t from_day = 1;
  int64_t factor_per_day_millionths = kMillionths;
};

// How many day rates a rental of n days costs. The steps start at day 1 and ascend; the last
// one runs on forever. With `week_cap_millionths`, each block of 7 days (days 1-7, 8-14, ...,
// and the last, partial one) costs at most that many day rates: the industry's "3-day week".
// The table continues across weeks (day 8 costs what the table says for day 8, not day 1), so
// a longer rental never costs less than a shorter one. An empty table charges 1.0 a day.
struct DayFactorTable {
  std::vector<DayFactorStep> steps;
  std::optional<int64_t> week_cap_millionths;
};

struct DayFactor {
  int64_t total_millionths = 0;  // 2.5 days = 2'500'000
  // "day 1 at 1.0 + days 2-3 at 0.5 + days 4-7 at 0.25 = 3.0; capped at 2.5 a week = 2.5".
  std::string explanation;
};

// INVALID_ARGUMENT for days < 1 or a table that does not start at day 1 and ascend.
absl::StatusOr<DayFactor> ComputeDayFactor(const DayFactorTable& table, int64_t days);

enum class RateKind {
  kPerDay,  // rate = the day rate, scaled by the day-factor table
  kFixed,   // rate = the price of one unit, whatever the duration
  kHourly,  // rate = the price of an hour, charged by the minute
};

struct RateDefinition {
  RateKind kind = RateKind::kPerDay;
  int64_t rate_micros = 0;
  std::string currency = "EUR";
  DayFactorTable day_factors;  // kPerDay only
  // The least one unit of the line costs (0: none). Applied per unit, so that the quote line's
  // unit price times its quantity is always its total.
  int64_t minimum_charge_micros = 0;
};

enum class TaxClass { kEquipment, kLabour, kTransport };
absl::string_view TaxClassName(TaxClass tax_class);

// What the catalog says about a product, as far as rating needs it.
struct Product {
  RateDefinition rate;
  TaxClass tax_class = TaxClass::kEquipment;
  // A sale item (gaffer tape, batteries): sold, not rented; a fixed rate reads "sale price".
  bool sold = false;
};
using Catalog = std::map<std::string, Product>;  // by product code

// ---------------------------------------------------------------------------------------------
// Price lists

// A price list's word on one product: a whole rate definition of its own, or else a share of
// the catalog's rate (9'000 basis points = 90 % of it; the catalog's day factors still apply).
struct PriceOverride {
  std::optional<RateDefinition> rate;
  int64_t percent_of_catalog_bp = kBasisPoints;
};

struct PriceList {
  std::string name;             // shown on the quote line: "price list 'Tour 2027'"
  std::string organisation_id;  // empty: for every organisation
  Validity period;              // both ends absent: always (no season)
  std::map<std::string, PriceOverride> overrides;  // by product code
  // For products the list does not name: a share of their catalog rate ("15 % off everything").
  // Absent: the list says nothing about them, and the next list in precedence (or the catalog)
  // prices them.
  std::optional<int64_t> everything_else_percent_bp;
};

// Precedence, chosen so that the most specific agreement wins, the way a rental desk reads its
// own deals:
//   1. a list for this organisation and a period (a customer's tour deal),
//   2. a list for this organisation, any time (its standing terms),
//   3. a list for everyone in a period (the season),
//   4. a list for everyone, any time,
//   5. the catalog.
// Only lists that apply (organisation matches or is empty, the service date is in the period)
// and that say something about the product compete, so a customer deal naming three products
// leaves the season's price on the rest. Among lists of one rank the one whose period starts
// latest wins (the newest deal replaces the old one it overlaps); among those, the shorter
// period (more specific), then the name in alphabetical order, so the choice never depends on
// the order the lists were loaded in. A list that overrides does not stack on another: one
// price source per line, the one the quote line names.
const PriceList* ChoosePriceList(const std::vector<PriceList>& lists,
                                 absl::string_view product_code, absl::string_view organisation_id,
                                 absl::CivilDay service_date);

// ---------------------------------------------------------------------------------------------
// Lines

struct Discount {
  enum class Kind { kPercent, kAmount };
  Kind kind = Kind::kPercent;
  int64_t percent_bp = 0;     // kPercent: 1'000 = 10 %
  int64_t amount_micros = 0;  // kAmount, in the quote's currency
  std::string reason;         // required: shown on the quote and to the approver
};

struct LineRequest {
  std::string product_code;
  int64_t quantity = 1;
  int64_t days = 1;              // kPerDay products
  int64_t duration_minutes = 0;  // kHourly products
  std::optional<Discount> discount;
};

// A line priced before discounts, in the rate's own currency.
struct LinePrice {
  std::string product_code;
  std::string currency;
  int64_t quantity = 0;
  int64_t unit_price_micros = 0;  // one unit for the whole rental, rounded to the minor unit
  int64_t total_micros = 0;       // unit price x quantity
  std::string priced_by;          // "catalog" or "price list 'Tour 2027'"
  // "price list 'Tour 2027': 3 days at day factor 2.5 (...) x 500.00 EUR x 2 = 2,500.00 EUR;
  // minimum charge not reached".
  std::string explanation;
};

// FAILED_PRECONDITION (UNKNOWN_PRODUCT_CODE) when the catalog lacks the product; INVALID_ARGUMENT
// for a quantity < 1, or a duration a rate of that kind needs that is missing; OUT_OF_RANGE
// naming the amount that does not fit.
absl::StatusOr<LinePrice> PriceLine(const LineRequest& line, const Catalog& catalog,
                                    const std::vector<PriceList>& price_lists,
                                    absl::string_view organisation_id, absl::CivilDay service_date);

// ---------------------------------------------------------------------------------------------
// Tax, currency and the whole quote

// rate_millionths: 190'000 = 19 %, 88'750 = 8.875 %.
struct TaxRate {
  TaxClass tax_class = TaxClass::kEquipment;
  std::string jurisdiction;  // "DE", "US-NY"
  int64_t rate_millionths = 0;
  Validity validity;
};

enum class TaxStatus { kStandard, kReverseCharge, kExempt };

struct Organisation {
  std::string id;
  std::string currency = "EUR";
  std::string jurisdiction = "DE";
  TaxStatus tax_status = TaxStatus::kStandard;
  std::string vat_id;               // printed in the reverse-charge note
  std::string exemption_reference;  // printed in the exemption note (a certificate number)
};

// 1 `from` = rate_millionths / 10^6 `to`: EUR->USD 1'083'000 is 1 EUR = 1.083 USD.
struct ExchangeRate {
  std::string from;
  std::string to;
  int64_t rate_millionths = 0;
  Validity validity;
};

// The rate from `from` to `to` valid on `day`; among several, the one valid from the latest day.
// nullptr when none is: nothing is converted at a rate nobody configured (no inverse, no chain).
const ExchangeRate* FindExchangeRate(const std::vector<ExchangeRate>& rates, absl::string_view from,
                                     absl::string_view to, absl::CivilDay day);

// `micros` of rate.from in rate.to, rounded half away from zero to rate.to's minor unit; the one
// conversion every price and cost goes through. OUT_OF_RANGE naming `what`.
absl::StatusOr<int64_t> ConvertMicros(int64_t micros, const ExchangeRate& rate,
                                      absl::string_view what);

enum class RoundingPolicy {
  kPerLine,   // each line's tax rounded to the minor unit, then summed
  kPerTotal,  // each rate's tax computed on the sum of its lines' net, rounded once
};

struct RatingPolicy {
  RoundingPolicy rounding = RoundingPolicy::kPerLine;
  // A discount whose share of what it discounts exceeds this needs an ADMIN to approve it.
  int64_t approval_threshold_bp = 2'000;
};

struct RatingTables {
  Catalog catalog;
  std::vector<PriceList> price_lists;
  std::vector<TaxRate> tax_rates;
  std::vector<ExchangeRate> exchange_rates;
};

struct QuoteRequest {
  std::vector<LineRequest> lines;
  std::optional<Discount> order_discount;
  Organisation organisation;
  // The day the rental starts: it picks the season's price list and the tax rate (tax follows
  // the date of supply, not the date someone typed the quote).
  absl::CivilDay service_date;
  // The day the quote is made: it picks the exchange rate the quote is held to.
  absl::CivilDay quote_date;
};

// One quote line in the organisation's currency, after discounts.
struct QuoteLine {
  LinePrice price;                    // converted into the quote's currency
  int64_t line_discount_micros = 0;   // positive: what the line discount takes off
  int64_t order_discount_micros = 0;  // this line's share of the order discount
  int64_t net_micros = 0;
  TaxClass tax_class = TaxClass::kEquipment;
  int64_t tax_millionths = 0;
  int64_t tax_micros = 0;  // kPerLine: rounded; kPerTotal: not rounded on its own (0)
};

// The tax of all lines at one rate (classes at equal rates are one group, as an invoice shows).
struct TaxGroup {
  int64_t rate_millionths = 0;
  std::vector<TaxClass> classes;
  int64_t net_micros = 0;
  int64_t tax_micros = 0;
};

struct Quote {
  std::string currency;
  std::vector<QuoteLine> lines;
  int64_t discount_micros = 0;  // line and order discounts together
  int64_t net_micros = 0;
  std::vector<TaxGroup> tax_groups;  // by ascending rate
  int64_t tax_micros = 0;
  int64_t gross_micros = 0;
  // Rates the line prices were converted with (none when all were in the quote's currency).
  std::vector<ExchangeRate> exchange_rates_used;
  // The legal text reverse charge or exemption must print; empty otherwise.
  std::string tax_note;
  bool needs_approval = false;
  std::vector<std::string> approval_reasons;  // which discount, what share, what threshold
};

// Prices every line, converts into the organisation's currency at the rate valid on the quote
// date, applies line then order discounts (never below zero; the order discount is shared
// across lines by their net so each carries its tax class), taxes per the organisation's
// status, and totals. FAILED_PRECONDITION when an exchange rate or tax rate is missing, naming
// what and for which date.
absl::StatusOr<Quote> RateQuote(const QuoteRequest& request, const RatingTables& tables,
                                const RatingPolicy& policy);

}  // namespace salesops::order_intake::rating
