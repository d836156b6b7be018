#include "services/order_intake/pricing_rules.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include <set>

#include "services/common/money.h"

namespace salesops::order_intake {
namespace {

using common::FieldViolation;

bool IsUpperAlnum(char c) { return absl::ascii_isupper(c) || absl::ascii_isdigit(c); }

// The money's micros, or a violation naming `field`: below zero, or beyond what salesops
// computes with.
void CheckAmount(const google::type::Money& money, const std::string& field,
                 std::vector<FieldViolation>& violations) {
  if (money.units() < 0 || money.nanos() < 0) {
    violations.push_back({field, "must be at least 0"});
  } else if (!common::MoneyToMicros(money, field).ok()) {
    violations.push_back({field, "is more than salesops can compute with"});
  }
}

absl::CivilDay FirstOf(const v1::Validity& validity) {
  return CivilDayOf(validity.first_day()).value_or(absl::CivilDay(1, 1, 1));
}
absl::CivilDay LastOf(const v1::Validity& validity) {
  return CivilDayOf(validity.last_day()).value_or(absl::CivilDay(9999, 12, 31));
}

std::string DayText(const google::type::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

}  // namespace

bool IsCurrencyCode(absl::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(c)) return false;
  }
  return true;
}

bool IsJurisdiction(absl::string_view jurisdiction) {
  if (jurisdiction.size() < 2 || !absl::ascii_isupper(jurisdiction[0]) ||
      !absl::ascii_isupper(jurisdiction[1])) {
    return false;
  }
  if (jurisdiction.size() == 2) return true;
  const absl::string_view subdivision = jurisdiction.substr(3);
  if (jurisdiction[2] != '-' || subdivision.empty() || subdivision.size() > 3) return false;
  for (char c : subdivision) {
    if (!IsUpperAlnum(c)) return false;
  }
  return true;
}

std::optional<absl::CivilDay> CivilDayOf(const google::type::Date& date) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return std::nullopt;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises 31 February into March: a day that moved was not a day.
  if (day.month() != date.month() || day.day() != date.day()) return std::nullopt;
  return day;
}

std::vector<FieldViolation> ValidityViolations(const v1::Validity& validity,
                                               const std::string& field) {
  std::vector<FieldViolation> violations;
  const bool has_first = validity.has_first_day();
  const bool has_last = validity.has_last_day();
  const std::optional<absl::CivilDay> first = CivilDayOf(validity.first_day());
  const std::optional<absl::CivilDay> last = CivilDayOf(validity.last_day());
  if (has_first && !first) {
    violations.push_back({field + ".first_day", "is not a full calendar date (year, month, day)"});
  }
  if (has_last && !last) {
    violations.push_back({field + ".last_day", "is not a full calendar date (year, month, day)"});
  }
  if (has_first && has_last && first && last && *first > *last) {
    violations.push_back({field + ".last_day", absl::StrCat("is before first_day (",
                                                            DayText(validity.first_day()), ")")});
  }
  return violations;
}

std::vector<FieldViolation> RateDefinitionViolations(const v1::RateDefinition& definition,
                                                     const std::string& field) {
  std::vector<FieldViolation> violations;
  if (!definition.has_rate()) {
    violations.push_back({field + ".rate", "is required"});
  } else {
    CheckAmount(definition.rate(), field + ".rate", violations);
  }
  const bool per_day = definition.kind() == v1::RATE_KIND_PER_DAY;
  if (!per_day && definition.day_factors_size() > 0) {
    violations.push_back({field + ".day_factors", "apply to PER_DAY rates only"});
  }
  if (!per_day && definition.has_week_cap_millionths()) {
    violations.push_back({field + ".week_cap_millionths", "applies to PER_DAY rates only"});
  }
  for (int i = 0; i < definition.day_factors_size(); ++i) {
    const v1::DayFactorStep& step = definition.day_factors(i);
    const std::string at = absl::StrCat(field, ".day_factors[", i, "]");
    if (i == 0 && step.from_day() != 1) {
      violations.push_back({at + ".from_day", "must be 1: the table starts on the first day"});
    } else if (i > 0 && step.from_day() <= definition.day_factors(i - 1).from_day()) {
      violations.push_back(
          {at + ".from_day", absl::StrCat("must be after the previous step's day (",
                                          definition.day_factors(i - 1).from_day(), ")")});
    }
    if (step.factor_millionths() <= 0) {
      violations.push_back({at + ".factor_millionths", "must be more than 0"});
    }
  }
  if (definition.has_week_cap_millionths() && definition.week_cap_millionths() <= 0) {
    violations.push_back({field + ".week_cap_millionths", "must be more than 0"});
  }
  if (definition.has_minimum_charge()) {
    const std::string at = field + ".minimum_charge";
    CheckAmount(definition.minimum_charge(), at, violations);
    if (definition.minimum_charge().currency_code() != definition.rate().currency_code()) {
      violations.push_back({at + ".currency_code", "must be the rate's currency"});
    }
  }
  return violations;
}

std::vector<FieldViolation> ProductRateViolations(const v1::ProductRate& rate,
                                                  const std::string& field) {
  return RateDefinitionViolations(rate.definition(), field + ".definition");
}

std::vector<FieldViolation> PriceListViolations(const v1::PriceList& list,
                                                const std::string& field) {
  std::vector<FieldViolation> violations = ValidityViolations(list.validity(), field + ".validity");
  std::set<std::string> products;
  for (int i = 0; i < list.overrides_size(); ++i) {
    const v1::PriceOverride& entry = list.overrides(i);
    const std::string at = absl::StrCat(field, ".overrides[", i, "]");
    if (!products.insert(entry.product_code()).second) {
      violations.push_back({at + ".product_code", "names a product already listed"});
    }
    switch (entry.terms_case()) {
      case v1::PriceOverride::kDefinition: {
        std::vector<FieldViolation> more =
            RateDefinitionViolations(entry.definition(), at + ".definition");
        violations.insert(violations.end(), more.begin(), more.end());
        break;
      }
      case v1::PriceOverride::kPercentOfCatalogBp:
        break;
      case v1::PriceOverride::TERMS_NOT_SET:
        violations.push_back(
            {at, "needs either a definition or percent_of_catalog_bp: what the list says"});
        break;
    }
  }
  return violations;
}

std::vector<FieldViolation> TaxRateViolations(const v1::TaxRate& rate, const std::string& field) {
  std::vector<FieldViolation> violations = ValidityViolations(rate.validity(), field + ".validity");
  if (!IsJurisdiction(rate.jurisdiction())) {
    violations.push_back({field + ".jurisdiction",
                          "must be an ISO 3166 country (\"DE\") or subdivision (\"US-NY\")"});
  }
  return violations;
}

std::vector<FieldViolation> ExchangeRateViolations(const v1::ExchangeRate& rate,
                                                   const std::string& field) {
  std::vector<FieldViolation> violations = ValidityViolations(rate.validity(), field + ".validity");
  const bool from_ok = IsCurrencyCode(rate.from_currency());
  const bool to_ok = IsCurrencyCode(rate.to_currency());
  if (!from_ok) {
    violations.push_back({field + ".from_currency", "must be an ISO 4217 code such as EUR"});
  }
  if (!to_ok) {
    violations.push_back({field + ".to_currency", "must be an ISO 4217 code such as USD"});
  }
  if (from_ok && to_ok && rate.from_currency() == rate.to_currency()) {
    violations.push_back({field + ".to_currency", "must differ from from_currency"});
  }
  return violations;
}

bool Overlaps(const v1::Validity& a, const v1::Validity& b) {
  return FirstOf(a) <= LastOf(b) && FirstOf(b) <= LastOf(a);
}

absl::Status CheckTaxRateOverlap(const v1::TaxRate& wanted,
                                 const std::vector<v1::TaxRate>& existing) {
  for (const v1::TaxRate& other : existing) {
    if (other.tax_class() != wanted.tax_class() || other.jurisdiction() != wanted.jurisdiction() ||
        !Overlaps(other.validity(), wanted.validity())) {
      continue;
    }
    return common::BusinessRefusal(
        v1::ALREADY_EXISTS,
        absl::StrCat("tax rate ", other.taxrate_id(), " (", other.name(), ", ",
                     v1::TaxClass_Name(other.tax_class()), " in ", other.jurisdiction(), ", ",
                     ValidityText(other.validity()),
                     ") shares days with this one; end it before this one starts, or remove it"),
        {{"conflicting_taxrate_id", other.taxrate_id()}});
  }
  return absl::OkStatus();
}

absl::Status CheckExchangeRateClash(const v1::ExchangeRate& wanted,
                                    const std::vector<v1::ExchangeRate>& existing) {
  for (const v1::ExchangeRate& other : existing) {
    if (other.from_currency() != wanted.from_currency() ||
        other.to_currency() != wanted.to_currency() ||
        FirstOf(other.validity()) != FirstOf(wanted.validity())) {
      continue;
    }
    return common::BusinessRefusal(
        v1::ALREADY_EXISTS,
        absl::StrCat("exchange rate ", other.exchangerate_id(), " (", other.from_currency(), " to ",
                     other.to_currency(), ", ", ValidityText(other.validity()),
                     ") is valid from the same day; remove it first, or start this one another "
                     "day"),
        {{"conflicting_exchangerate_id", other.exchangerate_id()}});
  }
  return absl::OkStatus();
}

std::string ValidityText(const v1::Validity& validity) {
  const bool first = validity.has_first_day();
  const bool last = validity.has_last_day();
  if (first && last) {
    return absl::StrCat(DayText(validity.first_day()), " to ", DayText(validity.last_day()));
  }
  if (first) return "from " + DayText(validity.first_day());
  if (last) return "until " + DayText(validity.last_day());
  return "always";
}

}  // namespace salesops::order_intake
