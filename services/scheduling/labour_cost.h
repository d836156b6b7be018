#pragma once

// What people cost (issue 20, item 2; README "What people cost"), the rules apart from the
// database and gRPC: the night in a member's zone, a freelancer's fee for a piece of work, an
// employee's cost, travel to the venue and per diems, and an order's labour cost from its plan.
// Minutes are on the solver's axis (assignment.h). The solver reads none of this: cost never
// decides who works, so nobody is favoured or passed over for what they cost.
#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "google/type/money.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/common/errors.h"
#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// CrewRules' defaults: what a freelancer's day fee covers, the night, and how far a venue may be
// at most before per diems start (the longest threshold ADMIN may set).
inline constexpr Minutes kDefaultFreelanceDay = 10 * kHour;
inline constexpr Minutes kDefaultNightStart = 22 * kHour;
inline constexpr Minutes kDefaultNightEnd = 6 * kHour;
inline constexpr Minutes kLongestPerDiemFromTravel = 48 * kHour;

// The pay rules of CrewRules, defaults filled in.
struct PayRules {
  Minutes freelance_day = kDefaultFreelanceDay;
  // From local midnight in each member's zone: the night wraps midnight when start > end, and
  // there is none when they are equal.
  Minutes night_start = kDefaultNightStart;
  Minutes night_end = kDefaultNightEnd;
  // Per person and day at a venue at least per_diem_from_travel away (one way); none when unset.
  std::optional<google::type::Money> per_diem;
  Minutes per_diem_from_travel = 0;
};
PayRules PayRulesOf(const v1::CrewRules& rules);

// What UpdateCrewRules refuses of the pay rules, each violation naming `prefix` + the field
// ("rules.night_start_offset"): a freelance day outside (0, 24 h], a night offset outside
// [0, 24 h), either not in whole minutes, a negative per diem, a per-diem threshold beyond 48 h.
std::vector<common::FieldViolation> PayRuleViolations(const v1::CrewRules& rules,
                                                      const std::string& prefix);

// What Create/UpdateCrewMember refuse of a member's rates: a negative cost rate or fee, each
// violation naming `prefix` + the field ("crew_member.hourly_cost"). The request check already
// refused malformed Money and percents out of range.
std::vector<common::FieldViolation> RateViolations(const v1::CrewMember& member,
                                                   const std::string& prefix);

// Minutes of `work` inside the night: for each local day in `zone`, from night_start past local
// midnight to night_end (the next day's when it wraps midnight), as the clocks there read, so a
// night across a change of daylight saving time is an hour shorter or longer.
Minutes NightMinutes(Span work, const absl::TimeZone& zone, Minutes night_start, Minutes night_end);

// Minutes of `work` outside a member's weekly shifts, laid out as the solver lays them out
// (ExpandWeeklyShifts); 0 for a member without shifts, who is always available.
Minutes OutsideShiftMinutes(Span work, const v1::CrewMember& member);

// An amount as people read it: "400.00 EUR", "1500 JPY".
std::string AmountWords(int64_t micros, const std::string& currency);
// A length of time: "8 h", "1 h 30 min", "45 min".
std::string DurationWords(Minutes minutes);

// What a freelancer is paid for `minutes` of work, `night_minutes` of it inside the night, with a
// freelance day of `day_length`. By the day: their day fee for each day started (a day every
// 24 hours) covers up to `day_length` of work a day; beyond that, their hour fee (or their day fee
// over `day_length` when they have none) with beyond_shift_percent on top. By the hour: their
// hour fee for each hour started, and beyond_shift_percent of it for the minutes beyond the day.
// Either way the night minutes add night_work_percent of the hourly rate. The cheaper of the two
// is paid (the day, on a tie); each amount is rounded to the currency's minor unit once.
struct FreelanceFee {
  bool priced = false;  // false: they have neither fee
  int64_t micros = 0;
  std::string currency;  // the fee's: the day fee's or the hour fee's
  bool by_hour = false;
  Minutes beyond = 0;  // beyond the freelance day
  Minutes night = 0;
  // "1 day at 400.00 EUR + 2 h beyond the day at 60.00 EUR +50 % + 1 h at night +25 %"; with
  // " = 595.00 EUR" after it in `explanation`.
  std::string parts;
  std::string explanation;
};
// OUT_OF_RANGE (AMOUNT_OUT_OF_RANGE) when a fee that large does not fit in int64 micros.
absl::StatusOr<FreelanceFee> FreelanceFeeOf(const v1::CrewMember& member, Minutes minutes,
                                            Minutes night_minutes, Minutes day_length);

// An order's plan, as its labour cost reads it.
struct CostedOffer {
  std::string crew_member_id;
  v1::OfferState state = v1::OFFER_STATE_UNSPECIFIED;  // SENT or ACCEPTED; others are left out
  Span work;
  google::type::Money fee;  // as offered (no currency: they had no fee)
};
struct CostedTask {
  std::string task_id;
  v1::TaskKind kind = v1::TASK_KIND_UNSPECIFIED;
  std::string phase_id;
  Minutes duration = 0;  // per person
  int headcount = 1;
  std::optional<Span> planned;  // nullopt: not placed
  std::vector<std::string> crew_ids;
  bool crew_by_offer = false;  // every place taken by an accepted offer
  std::vector<CostedOffer> offers;
};
struct OrderPlan {
  std::string order_id;
  // One-way travel from the warehouse to each phase's venue ("" for the order's own).
  std::map<std::string, Minutes> venue_travel;
  std::vector<CostedTask> tasks;  // in the job's order, cancelled ones left out
};

// One-way travel to each phase's venue, as the plan request gives it.
std::map<std::string, Minutes> VenueTravelOf(const v1::PlanJobRequest& plan);

// The labour cost of one planned order (OrderLabourCost, planned true): a line per person on each
// task, at their cost rate (employees, with their surcharges for work outside shifts and at
// night) or fee (freelancers: the fee of the offer they accepted, else FreelanceFeeOf); travel
// to a venue and back and a per diem once per person, order and day (on that day's first line);
// totals per currency; the person-time nobody fills yet; the people without a rate. `crew`: the
// members on the plan, by id. OUT_OF_RANGE when a total does not fit in int64 micros.
absl::StatusOr<v1::OrderLabourCost> CostOrder(const OrderPlan& plan,
                                              const std::map<std::string, v1::CrewMember>& crew,
                                              const PayRules& rules);

}  // namespace salesops::scheduling
