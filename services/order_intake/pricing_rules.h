#pragma once

// The pricing configuration's rules beyond what the proto annotations declare
// (common::ValidateRequest checks those). Pure: no gRPC, no database. `field` is the record's
// path in the request ("pricelist", "taxrate"), so violations name the field as the caller sent
// it ("pricelist.overrides[2].definition.day_factors[0].from_day").
#include <absl/status/status.h>
#include <absl/strings/string_view.h>
#include <absl/time/civil_time.h>

#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/pricing.pb.h"
#include "services/common/errors.h"

namespace salesops::order_intake {

// ISO 4217's shape: three upper-case letters.
bool IsCurrencyCode(absl::string_view code);
// ISO 3166-1 alpha-2 ("DE"), or with an ISO 3166-2 subdivision of 1 to 3 upper-case letters or
// digits ("US-NY", "FR-75").
bool IsJurisdiction(absl::string_view jurisdiction);

// A full calendar day, or nullopt for a google.type.Date that is not one (year 0, month 13,
// 31 February, ...).
std::optional<absl::CivilDay> CivilDayOf(const google::type::Date& date);

// Both ends full dates, the first not after the last.
std::vector<common::FieldViolation> ValidityViolations(const v1::Validity& validity,
                                                       const std::string& field);

// A rate at least 0 that salesops can compute with; day factors and a week cap only per day,
// the table starting at day 1 and ascending with factors above 0; a minimum charge at least 0
// in the rate's currency.
std::vector<common::FieldViolation> RateDefinitionViolations(const v1::RateDefinition& definition,
                                                             const std::string& field);

std::vector<common::FieldViolation> ProductRateViolations(const v1::ProductRate& rate,
                                                          const std::string& field);

// Each override names a product once and says either a definition or a percentage; the
// validity well-formed. (That the organisation exists is the directory's to say.)
std::vector<common::FieldViolation> PriceListViolations(const v1::PriceList& list,
                                                        const std::string& field);

// A jurisdiction of ISO shape; the validity well-formed.
std::vector<common::FieldViolation> TaxRateViolations(const v1::TaxRate& rate,
                                                      const std::string& field);

// Currencies of ISO 4217 shape and not the same; the validity well-formed.
std::vector<common::FieldViolation> ExchangeRateViolations(const v1::ExchangeRate& rate,
                                                           const std::string& field);

// Whether two validities share a day (open ends run forever).
bool Overlaps(const v1::Validity& a, const v1::Validity& b);

// FAILED_PRECONDITION (ALREADY_EXISTS) naming the first of `existing` (rates of the same class
// and jurisdiction) that shares a day with `wanted`: the engine could not tell which applies.
absl::Status CheckTaxRateOverlap(const v1::TaxRate& wanted,
                                 const std::vector<v1::TaxRate>& existing);

// FAILED_PRECONDITION (ALREADY_EXISTS) naming a rate of the same pair valid from the same first
// day as `wanted`. (Later ones may overlap earlier ones: the one valid from the latest day
// converts, so a new rate is entered without ending the old.)
absl::Status CheckExchangeRateClash(const v1::ExchangeRate& wanted,
                                    const std::vector<v1::ExchangeRate>& existing);

// "2027-06-01 to 2027-08-31", "from 2027-06-01", "until ...", "always".
std::string ValidityText(const v1::Validity& validity);

}  // namespace salesops::order_intake
