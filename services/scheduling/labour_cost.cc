#include "services/scheduling/labour_cost.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/civil_time.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "services/common/money.h"
#include "services/scheduling/crew_zone.h"
#include "services/scheduling/job_plan.h"

namespace salesops::scheduling {
namespace {

constexpr int64_t kSecondsPerMinute = 60;

Minutes DurationMinutes(const google::protobuf::Duration& duration) {
  return duration.seconds() / kSecondsPerMinute;
}

google::protobuf::Duration DurationOfMinutes(Minutes minutes) {
  google::protobuf::Duration duration;
  duration.set_seconds(minutes * kSecondsPerMinute);
  return duration;
}

absl::Time TimeOfMinute(Minutes minute) {
  return absl::FromUnixSeconds(minute * kSecondsPerMinute);
}

Minutes MinuteOfTime(absl::Time time) { return absl::ToUnixSeconds(time) / kSecondsPerMinute; }

Minutes SpanOverlap(Span a, Span b) {
  return std::max<Minutes>(0, std::min(a.end, b.end) - std::max(a.start, b.start));
}

// A duration of CrewRules given in whole minutes, else the violation.
void CheckWholeMinutes(const google::protobuf::Duration& duration, const std::string& field,
                       std::vector<common::FieldViolation>& violations) {
  if (duration.nanos() != 0 || duration.seconds() % kSecondsPerMinute != 0) {
    violations.push_back({field, "must be in whole minutes"});
  }
}

void CheckNotNegative(const google::type::Money& money, const std::string& field,
                      std::vector<common::FieldViolation>& violations) {
  if (money.units() < 0 || money.nanos() < 0) violations.push_back({field, "must not be negative"});
}

std::string PercentWords(int percent) { return absl::StrCat("+", percent, " %"); }

// A rate as people read it, per hour: micros per `per` minutes.
struct PayRate {
  int64_t micros = 0;
  Minutes per = kHour;
  std::string currency;
};

// `minutes` at `rate` times `percent` / 100, rounded to the currency's minor unit.
absl::StatusOr<int64_t> AtRate(const PayRate& rate, Minutes minutes, int percent,
                               std::string_view what) {
  return common::ScaleMicros(rate.micros, minutes * percent, rate.per * 100,
                             common::MinorUnitMicros(rate.currency), what);
}

absl::StatusOr<std::string> HourlyWords(const PayRate& rate, std::string_view what) {
  SALESOPS_ASSIGN_OR_RETURN(const int64_t hourly, AtRate(rate, kHour, 100, what));
  return AmountWords(hourly, rate.currency);
}

// A fee on file: its micros when it is set and above zero (a fee of 0 is no fee, as offers have
// always read it); OUT_OF_RANGE when it does not fit in micros.
absl::StatusOr<std::optional<int64_t>> FeeOnFile(const google::type::Money& fee,
                                                 std::string_view what) {
  if (fee.currency_code().empty()) return std::nullopt;
  SALESOPS_ASSIGN_OR_RETURN(const int64_t micros, common::MoneyToMicros(fee, what));
  if (micros <= 0) return std::nullopt;
  return micros;
}

// The rate a freelancer's hours are worth apart from the day fee (travel, the part of the work
// beyond the day, surcharges): their hour fee, else their day fee over the freelance day. With
// `currency` set, only a rate in that currency.
absl::StatusOr<std::optional<PayRate>> FreelanceHourlyRate(const v1::CrewMember& member,
                                                           Minutes day_length,
                                                           const std::string& currency,
                                                           std::string_view what) {
  SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> hour, FeeOnFile(member.hour_fee(), what));
  if (hour && (currency.empty() || member.hour_fee().currency_code() == currency)) {
    return PayRate{*hour, kHour, member.hour_fee().currency_code()};
  }
  SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> day, FeeOnFile(member.day_fee(), what));
  if (day && (currency.empty() || member.day_fee().currency_code() == currency)) {
    return PayRate{*day, day_length, member.day_fee().currency_code()};
  }
  return std::nullopt;
}

bool IsFreelancer(const v1::CrewMember& member) {
  return member.employment() == v1::EMPLOYMENT_FREELANCER;
}

// Work at the venue: setup and strike. Drivers' delivery and return already contain the drive,
// and prep and load-out are in the warehouse.
bool IsVenueWork(v1::TaskKind kind) {
  return kind == v1::TASK_KIND_SETUP || kind == v1::TASK_KIND_STRIKE;
}

// One person's place on a task, as costed.
struct CostedPlace {
  const CostedTask* task = nullptr;
  std::string crew_member_id;
  Span work;
  const CostedOffer* accepted = nullptr;  // the accepted offer that fixed it, if any
  Minutes travel = 0;                     // there and back, on the first line of their day
  int per_diems = 0;
};

// A money part of a line.
struct LinePart {
  std::string name;  // "work", "travel", "per diem"
  int64_t micros = 0;
  std::string currency;
};

// A line's money and how it was reached.
struct PricedLine {
  std::vector<LinePart> parts;  // work first
  std::string words;            // the parts in words, without the total
};

// The work and travel of an employee's line, or of a freelancer's (below): nullopt when the
// person has no rate; OUT_OF_RANGE, naming `what`, when an amount does not fit in int64 micros.
absl::StatusOr<std::optional<PricedLine>> PriceEmployee(const CostedPlace& place,
                                                        const v1::CrewMember& member,
                                                        const v1::LabourCostLine& line,
                                                        std::string_view what) {
  if (!member.has_hourly_cost() || member.hourly_cost().currency_code().empty()) {
    return std::nullopt;
  }
  SALESOPS_ASSIGN_OR_RETURN(const int64_t hourly,
                            common::MoneyToMicros(member.hourly_cost(), what));
  const PayRate rate{hourly, kHour, member.hourly_cost().currency_code()};
  const Minutes work = DurationMinutes(line.work_duration());
  const Minutes outside = DurationMinutes(line.beyond_shift_duration());
  const Minutes night = DurationMinutes(line.night_duration());
  SALESOPS_ASSIGN_OR_RETURN(const int64_t base, AtRate(rate, work, 100, what));
  SALESOPS_ASSIGN_OR_RETURN(const int64_t beyond,
                            AtRate(rate, outside, member.beyond_shift_percent(), what));
  SALESOPS_ASSIGN_OR_RETURN(const int64_t at_night,
                            AtRate(rate, night, member.night_work_percent(), what));
  SALESOPS_ASSIGN_OR_RETURN(int64_t work_micros, common::CheckedAdd(base, beyond, what));
  SALESOPS_ASSIGN_OR_RETURN(work_micros, common::CheckedAdd(work_micros, at_night, what));
  PricedLine priced;
  priced.parts.push_back({"work", work_micros, rate.currency});
  priced.words = absl::StrCat(DurationWords(work), " at ", AmountWords(hourly, rate.currency));
  if (outside > 0 && member.beyond_shift_percent() > 0) {
    absl::StrAppend(&priced.words, " + ", DurationWords(outside), " outside shifts ",
                    PercentWords(member.beyond_shift_percent()));
  }
  if (night > 0 && member.night_work_percent() > 0) {
    absl::StrAppend(&priced.words, " + ", DurationWords(night), " at night ",
                    PercentWords(member.night_work_percent()));
  }
  if (place.travel > 0) {
    SALESOPS_ASSIGN_OR_RETURN(const int64_t travel, AtRate(rate, place.travel, 100, what));
    priced.parts.push_back({"travel", travel, rate.currency});
    absl::StrAppend(&priced.words, " + travel 2 × ", DurationWords(place.travel / 2));
  }
  return priced;
}

absl::StatusOr<std::optional<PricedLine>> PriceFreelancer(const CostedPlace& place,
                                                          const v1::CrewMember& member,
                                                          const PayRules& rules,
                                                          const v1::LabourCostLine& line,
                                                          std::string_view what) {
  PricedLine priced;
  std::string currency;
  if (place.accepted != nullptr) {
    // Exactly what they were promised: the offer's fee, surcharges included.
    const google::type::Money& fee = place.accepted->fee;
    if (fee.currency_code().empty()) return std::nullopt;
    SALESOPS_ASSIGN_OR_RETURN(const int64_t micros, common::MoneyToMicros(fee, what));
    currency = fee.currency_code();
    priced.parts.push_back({"work", micros, currency});
    priced.words = absl::StrCat("the accepted offer's ", AmountWords(micros, currency));
  } else {
    SALESOPS_ASSIGN_OR_RETURN(
        const FreelanceFee fee,
        FreelanceFeeOf(member, DurationMinutes(line.work_duration()),
                       DurationMinutes(line.night_duration()), rules.freelance_day));
    if (!fee.priced) return std::nullopt;
    currency = fee.currency;
    priced.parts.push_back({"work", fee.micros, currency});
    priced.words = fee.parts;
  }
  if (place.travel > 0) {
    // At their hourly rate, in the work's currency when they have one in it.
    SALESOPS_ASSIGN_OR_RETURN(std::optional<PayRate> rate,
                              FreelanceHourlyRate(member, rules.freelance_day, currency, what));
    if (!rate) {
      SALESOPS_ASSIGN_OR_RETURN(rate, FreelanceHourlyRate(member, rules.freelance_day, "", what));
    }
    if (!rate) return std::nullopt;  // no fees on file to pay the travel at
    SALESOPS_ASSIGN_OR_RETURN(const int64_t travel, AtRate(*rate, place.travel, 100, what));
    SALESOPS_ASSIGN_OR_RETURN(const std::string hourly, HourlyWords(*rate, what));
    priced.parts.push_back({"travel", travel, rate->currency});
    absl::StrAppend(&priced.words, " + travel 2 × ", DurationWords(place.travel / 2), " at ",
                    hourly);
  }
  return priced;
}

// Fills the line's money and explanation; returns whether the person could be priced.
absl::StatusOr<bool> PriceLine(const CostedPlace& place, const v1::CrewMember* member,
                               const PayRules& rules, v1::LabourCostLine& line) {
  const std::string what =
      absl::StrCat("the cost of ", place.crew_member_id, " on ", place.task->task_id);
  std::optional<PricedLine> priced;
  std::string why_not;
  if (member == nullptr) {
    why_not = "not a crew member here";
  } else if (IsFreelancer(*member)) {
    SALESOPS_ASSIGN_OR_RETURN(priced, PriceFreelancer(place, *member, rules, line, what));
    why_not = place.accepted != nullptr && place.accepted->fee.currency_code().empty()
                  ? "accepted an offer without a fee (no fees on file when it was made)"
                  : "no fees on file (CrewMember.day_fee, hour_fee)";
  } else {
    SALESOPS_ASSIGN_OR_RETURN(priced, PriceEmployee(place, *member, line, what));
    why_not = "no cost rate on file (CrewMember.hourly_cost)";
  }
  if (!priced) {
    line.set_explanation(absl::StrCat(
        DurationWords(DurationMinutes(line.work_duration())),
        place.travel > 0 ? absl::StrCat(" + travel 2 × ", DurationWords(place.travel / 2)) : "",
        place.per_diems > 0 ? absl::StrCat(" + ", place.per_diems, " per diem") : "", "; ",
        why_not));
    return false;
  }
  if (place.per_diems > 0) {
    const google::type::Money& per_diem = *rules.per_diem;
    SALESOPS_ASSIGN_OR_RETURN(const int64_t each, common::MoneyToMicros(per_diem, what));
    SALESOPS_ASSIGN_OR_RETURN(
        const int64_t micros,
        common::ScaleMicros(each, place.per_diems, 1,
                            common::MinorUnitMicros(per_diem.currency_code()), what));
    priced->parts.push_back({"per diem", micros, per_diem.currency_code()});
    absl::StrAppend(&priced->words, " + ", place.per_diems,
                    place.per_diems == 1 ? " per diem at " : " per diems at ",
                    AmountWords(each, per_diem.currency_code()));
  }
  std::set<std::string> currencies;
  int64_t total = 0;
  for (const LinePart& part : priced->parts) {
    currencies.insert(part.currency);
    SALESOPS_ASSIGN_OR_RETURN(total, common::CheckedAdd(total, part.micros, what));
    google::type::Money money = common::MoneyFromMicros(part.micros, part.currency);
    if (part.name == "work") {
      *line.mutable_work_cost() = std::move(money);
    } else if (part.name == "travel") {
      *line.mutable_travel_cost() = std::move(money);
    } else {
      *line.mutable_per_diem_cost() = std::move(money);
    }
  }
  if (currencies.size() == 1) {
    *line.mutable_cost() = common::MoneyFromMicros(total, *currencies.begin());
    line.set_explanation(
        absl::StrCat(priced->words, " = ", AmountWords(total, *currencies.begin())));
  } else {
    std::vector<std::string> which;
    for (const LinePart& part : priced->parts) {
      which.push_back(absl::StrCat(part.name, " in ", part.currency));
    }
    line.set_explanation(
        absl::StrCat(priced->words, "; no single total: ", absl::StrJoin(which, ", ")));
  }
  return true;
}

// The places of one task: who is on it, when, and by which accepted offer. A task out to
// freelancers (offers waiting or accepted, not yet all taken) is staffed by its accepted offers
// alone: the in-house placement it still shows is the late one those offers replace.
std::vector<CostedPlace> StaffedPlacesOf(const CostedTask& task) {
  std::vector<CostedPlace> places;
  auto accepted_of = [&](const std::string& crew_member_id) -> const CostedOffer* {
    for (const CostedOffer& offer : task.offers) {
      if (offer.state == v1::OFFER_STATE_ACCEPTED && offer.crew_member_id == crew_member_id) {
        return &offer;
      }
    }
    return nullptr;
  };
  const bool out_to_freelancers =
      !task.crew_by_offer &&
      std::any_of(task.offers.begin(), task.offers.end(), [](const CostedOffer& offer) {
        return offer.state == v1::OFFER_STATE_SENT || offer.state == v1::OFFER_STATE_ACCEPTED;
      });
  if (out_to_freelancers) {
    for (const CostedOffer& offer : task.offers) {
      if (offer.state != v1::OFFER_STATE_ACCEPTED) continue;
      places.push_back({&task, offer.crew_member_id, offer.work, &offer});
    }
    return places;
  }
  if (!task.planned) return places;
  for (const std::string& crew_member_id : task.crew_ids) {
    const CostedOffer* accepted = accepted_of(crew_member_id);
    places.push_back(
        {&task, crew_member_id, accepted != nullptr ? accepted->work : *task.planned, accepted});
  }
  return places;
}

}  // namespace

PayRules PayRulesOf(const v1::CrewRules& rules) {
  PayRules pay;
  if (rules.has_freelance_day_duration() && DurationMinutes(rules.freelance_day_duration()) > 0) {
    pay.freelance_day = std::min(DurationMinutes(rules.freelance_day_duration()), kDay);
  }
  if (rules.has_night_start_offset()) {
    pay.night_start = std::clamp<Minutes>(DurationMinutes(rules.night_start_offset()), 0, kDay - 1);
  }
  if (rules.has_night_end_offset()) {
    pay.night_end = std::clamp<Minutes>(DurationMinutes(rules.night_end_offset()), 0, kDay - 1);
  }
  if (rules.has_per_diem() && !rules.per_diem().currency_code().empty()) {
    pay.per_diem = rules.per_diem();
  }
  pay.per_diem_from_travel = std::max<Minutes>(0, DurationMinutes(rules.per_diem_from_travel()));
  return pay;
}

std::vector<common::FieldViolation> PayRuleViolations(const v1::CrewRules& rules,
                                                      const std::string& prefix) {
  std::vector<common::FieldViolation> violations;
  if (rules.has_freelance_day_duration()) {
    const std::string field = prefix + "freelance_day_duration";
    const google::protobuf::Duration& day = rules.freelance_day_duration();
    if (day.seconds() <= 0 || day.seconds() > kDay * kSecondsPerMinute ||
        (day.seconds() == kDay * kSecondsPerMinute && day.nanos() > 0)) {
      violations.push_back(
          {field, "must be more than 0 and at most 24 h; leave it unset for 10 h"});
    } else {
      CheckWholeMinutes(day, field, violations);
    }
  }
  for (const auto& [has, offset, name] :
       {std::make_tuple(rules.has_night_start_offset(), &rules.night_start_offset(),
                        "night_start_offset"),
        std::make_tuple(rules.has_night_end_offset(), &rules.night_end_offset(),
                        "night_end_offset")}) {
    if (!has) continue;
    const std::string field = prefix + name;
    if (offset->seconds() < 0 || offset->nanos() < 0 ||
        offset->seconds() >= kDay * kSecondsPerMinute) {
      violations.push_back({field, "must be from local midnight, at least 0 and below 24 h"});
    } else {
      CheckWholeMinutes(*offset, field, violations);
    }
  }
  if (rules.has_per_diem()) CheckNotNegative(rules.per_diem(), prefix + "per_diem", violations);
  if (rules.has_per_diem_from_travel()) {
    const google::protobuf::Duration& travel = rules.per_diem_from_travel();
    if (travel.seconds() < 0 || travel.nanos() < 0 ||
        travel.seconds() > kLongestPerDiemFromTravel * kSecondsPerMinute ||
        (travel.seconds() == kLongestPerDiemFromTravel * kSecondsPerMinute && travel.nanos() > 0)) {
      violations.push_back({prefix + "per_diem_from_travel", "must be from 0 to 48 h one way"});
    }
  }
  return violations;
}

std::vector<common::FieldViolation> RateViolations(const v1::CrewMember& member,
                                                   const std::string& prefix) {
  std::vector<common::FieldViolation> violations;
  if (member.has_day_fee()) CheckNotNegative(member.day_fee(), prefix + "day_fee", violations);
  if (member.has_hour_fee()) CheckNotNegative(member.hour_fee(), prefix + "hour_fee", violations);
  if (member.has_hourly_cost()) {
    CheckNotNegative(member.hourly_cost(), prefix + "hourly_cost", violations);
  }
  return violations;
}

Minutes NightMinutes(Span work, const absl::TimeZone& zone, Minutes night_start,
                     Minutes night_end) {
  if (work.end <= work.start || night_start == night_end) return 0;
  // Each local day's night, from the day before the work starts (its night may run into the
  // work) to the day it ends.
  const Minutes night_length_offset = night_start < night_end ? night_end : kDay + night_end;
  Minutes total = 0;
  const absl::CivilDay last = absl::ToCivilDay(TimeOfMinute(work.end), zone);
  for (absl::CivilDay day = absl::ToCivilDay(TimeOfMinute(work.start), zone) - 1; day <= last;
       ++day) {
    const absl::CivilMinute midnight(day);
    const Span night{MinuteOfTime(absl::FromCivil(midnight + night_start, zone)),
                     MinuteOfTime(absl::FromCivil(midnight + night_length_offset, zone))};
    total += SpanOverlap(work, night);
  }
  return total;
}

Minutes OutsideShiftMinutes(Span work, const v1::CrewMember& member) {
  if (member.weekly_shifts().empty() || work.end <= work.start) return 0;
  std::vector<std::tuple<int, Minutes, Minutes>> weekly;
  for (const v1::WorkShift& shift : member.weekly_shifts()) {
    weekly.emplace_back(static_cast<int>(shift.weekday()), DurationMinutes(shift.start_offset()),
                        DurationMinutes(shift.shift_duration()));
  }
  // Shifts may overlap (one running past midnight into the next): the time inside any counts once.
  Minutes inside = 0;
  Minutes covered_until = work.start;
  for (const Span& shift : ExpandWeeklyShifts(weekly, work.start - kDay, work.end + kDay)) {
    const Span fresh{std::max(shift.start, covered_until), shift.end};
    if (fresh.end <= fresh.start) continue;
    inside += SpanOverlap(fresh, work);
    covered_until = std::max(covered_until, shift.end);
  }
  return (work.end - work.start) - inside;
}

std::string AmountWords(int64_t micros, const std::string& currency) {
  const int digits = common::MinorUnitDigits(currency);
  const uint64_t magnitude =
      micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  std::string text = absl::StrCat(micros < 0 ? "-" : "", magnitude / common::kMicrosPerUnit);
  if (digits > 0) {
    uint64_t fraction = magnitude % common::kMicrosPerUnit;
    for (int i = digits; i < 6; ++i) fraction /= 10;
    std::string padded = absl::StrCat(fraction);
    padded.insert(0, static_cast<size_t>(digits) - std::min<size_t>(padded.size(), digits), '0');
    absl::StrAppend(&text, ".", padded);
  }
  return absl::StrCat(text, " ", currency);
}

std::string DurationWords(Minutes minutes) {
  if (minutes < kHour) return absl::StrCat(minutes, " min");
  if (minutes % kHour == 0) return absl::StrCat(minutes / kHour, " h");
  return absl::StrCat(minutes / kHour, " h ", minutes % kHour, " min");
}

absl::StatusOr<FreelanceFee> FreelanceFeeOf(const v1::CrewMember& member, Minutes minutes,
                                            Minutes night_minutes, Minutes day_length) {
  const std::string what = absl::StrCat("the fee of ", member.crew_member_id());
  minutes = std::max<Minutes>(minutes, 0);
  day_length = std::clamp<Minutes>(day_length, 1, kDay);
  const int64_t days = std::max<int64_t>(1, (minutes + kDay - 1) / kDay);
  const int64_t hours = std::max<int64_t>(1, (minutes + kHour - 1) / kHour);
  FreelanceFee fee;
  fee.beyond = std::max<Minutes>(0, minutes - days * day_length);
  fee.night = std::clamp<Minutes>(night_minutes, 0, minutes);
  const int beyond_percent = member.beyond_shift_percent();
  const int night_percent = member.night_work_percent();
  SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> day, FeeOnFile(member.day_fee(), what));
  SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> hour, FeeOnFile(member.hour_fee(), what));

  struct Option {
    int64_t micros = 0;
    std::string currency;
    std::string parts;
  };
  std::optional<Option> by_day, by_hour;
  if (day) {
    const std::string& currency = member.day_fee().currency_code();
    SALESOPS_ASSIGN_OR_RETURN(const std::optional<PayRate> rate,
                              FreelanceHourlyRate(member, day_length, currency, what));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t base, AtRate({*day, 1, currency}, days, 100, what));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t beyond,
                              AtRate(*rate, fee.beyond, 100 + beyond_percent, what));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t night, AtRate(*rate, fee.night, night_percent, what));
    SALESOPS_ASSIGN_OR_RETURN(const std::string hourly, HourlyWords(*rate, what));
    Option option{
        base, currency,
        absl::StrCat(days, days == 1 ? " day at " : " days at ", AmountWords(*day, currency))};
    if (fee.beyond > 0) {
      absl::StrAppend(&option.parts, " + ", DurationWords(fee.beyond), " beyond the day at ",
                      hourly, beyond_percent > 0 ? " " + PercentWords(beyond_percent) : "");
    }
    if (fee.night > 0 && night_percent > 0) {
      absl::StrAppend(&option.parts, " + ", DurationWords(fee.night), " at night",
                      fee.beyond > 0 ? "" : " at " + hourly, " ", PercentWords(night_percent));
    }
    SALESOPS_ASSIGN_OR_RETURN(option.micros, common::CheckedAdd(option.micros, beyond, what));
    SALESOPS_ASSIGN_OR_RETURN(option.micros, common::CheckedAdd(option.micros, night, what));
    by_day = std::move(option);
  }
  if (hour) {
    const PayRate rate{*hour, kHour, member.hour_fee().currency_code()};
    SALESOPS_ASSIGN_OR_RETURN(const int64_t base, AtRate(rate, hours * kHour, 100, what));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t beyond, AtRate(rate, fee.beyond, beyond_percent, what));
    SALESOPS_ASSIGN_OR_RETURN(const int64_t night, AtRate(rate, fee.night, night_percent, what));
    Option option{
        base, rate.currency,
        absl::StrCat(DurationWords(hours * kHour), " at ", AmountWords(*hour, rate.currency))};
    if (fee.beyond > 0 && beyond_percent > 0) {
      absl::StrAppend(&option.parts, " + ", DurationWords(fee.beyond), " beyond the day ",
                      PercentWords(beyond_percent));
    }
    if (fee.night > 0 && night_percent > 0) {
      absl::StrAppend(&option.parts, " + ", DurationWords(fee.night), " at night ",
                      PercentWords(night_percent));
    }
    SALESOPS_ASSIGN_OR_RETURN(option.micros, common::CheckedAdd(option.micros, beyond, what));
    SALESOPS_ASSIGN_OR_RETURN(option.micros, common::CheckedAdd(option.micros, night, what));
    by_hour = std::move(option);
  }
  if (!by_day && !by_hour) return fee;
  fee.by_hour = by_hour && (!by_day || by_hour->micros < by_day->micros);
  const Option& chosen = fee.by_hour ? *by_hour : *by_day;
  fee.priced = true;
  fee.micros = chosen.micros;
  fee.currency = chosen.currency;
  fee.parts = chosen.parts;
  fee.explanation = absl::StrCat(chosen.parts, " = ", AmountWords(chosen.micros, chosen.currency));
  return fee;
}

std::map<std::string, Minutes> VenueTravelOf(const v1::PlanJobRequest& plan) {
  std::map<std::string, Minutes> travel;
  travel[""] = std::max<Minutes>(0, DurationMinutes(plan.venue().travel_time()));
  for (const v1::JobPhase& phase : plan.phases()) {
    travel[phase.phase_id()] = std::max<Minutes>(0, DurationMinutes(phase.venue().travel_time()));
  }
  return travel;
}

absl::StatusOr<v1::OrderLabourCost> CostOrder(const OrderPlan& plan,
                                              const std::map<std::string, v1::CrewMember>& crew,
                                              const PayRules& rules) {
  v1::OrderLabourCost cost;
  cost.set_order_id(plan.order_id);
  cost.set_planned(true);
  auto member_of = [&](const std::string& id) -> const v1::CrewMember* {
    auto found = crew.find(id);
    return found == crew.end() ? nullptr : &found->second;
  };

  std::vector<CostedPlace> places;
  Minutes unstaffed = 0;
  for (const CostedTask& task : plan.tasks) {
    std::vector<CostedPlace> staffed = StaffedPlacesOf(task);
    unstaffed += std::max<Minutes>(0, task.headcount - static_cast<int>(staffed.size())) *
                 std::max<Minutes>(0, task.duration);
    for (CostedPlace& place : staffed) places.push_back(std::move(place));
  }

  // Travel and a per diem once per person and day at the venue: on that day's first line.
  std::map<std::pair<std::string, absl::CivilDay>, size_t> first_of_day;
  for (size_t i = 0; i < places.size(); ++i) {
    const CostedPlace& place = places[i];
    if (!IsVenueWork(place.task->kind)) continue;
    const v1::CrewMember* member = member_of(place.crew_member_id);
    const absl::CivilDay day = absl::ToCivilDay(
        TimeOfMinute(place.work.start), CrewZoneOf(member != nullptr ? member->zone_id() : ""));
    auto [first, added] = first_of_day.try_emplace({place.crew_member_id, day}, i);
    if (!added && place.work.start < places[first->second].work.start) first->second = i;
  }
  for (const auto& [person_day, index] : first_of_day) {
    CostedPlace& place = places[index];
    auto travel = plan.venue_travel.find(place.task->phase_id);
    const Minutes one_way = travel == plan.venue_travel.end() ? 0 : travel->second;
    place.travel = 2 * one_way;
    if (rules.per_diem && one_way >= rules.per_diem_from_travel) place.per_diems = 1;
  }

  std::set<std::string> unpriced;
  std::map<std::string, int64_t> totals;
  for (const CostedPlace& place : places) {
    const v1::CrewMember* member = member_of(place.crew_member_id);
    v1::LabourCostLine& line = *cost.add_lines();
    line.set_task_id(place.task->task_id);
    line.set_task_kind(place.task->kind);
    line.set_phase_id(place.task->phase_id);
    line.set_crew_member_id(place.crew_member_id);
    const Minutes work = std::max<Minutes>(0, place.work.end - place.work.start);
    *line.mutable_work_duration() = DurationOfMinutes(work);
    if (member != nullptr) {
      line.set_display_name(member->display_name());
      line.set_employment(IsFreelancer(*member) ? v1::EMPLOYMENT_FREELANCER
                                                : v1::EMPLOYMENT_EMPLOYEE);
      const Minutes night = NightMinutes(place.work, CrewZoneOf(member->zone_id()),
                                         rules.night_start, rules.night_end);
      const Minutes days = std::max<Minutes>(1, (work + kDay - 1) / kDay);
      const Minutes beyond = IsFreelancer(*member)
                                 ? std::max<Minutes>(0, work - days * rules.freelance_day)
                                 : OutsideShiftMinutes(place.work, *member);
      *line.mutable_beyond_shift_duration() = DurationOfMinutes(beyond);
      *line.mutable_night_duration() = DurationOfMinutes(night);
    }
    *line.mutable_travel_duration() = DurationOfMinutes(place.travel);
    line.set_per_diem_count(place.per_diems);
    absl::StatusOr<bool> priced = PriceLine(place, member, rules, line);
    if (!priced.ok() || !*priced) {
      // No rate, or one too large to compute with: the line shows the time and why, no money.
      unpriced.insert(place.crew_member_id);
      line.clear_work_cost();
      line.clear_travel_cost();
      line.clear_per_diem_cost();
      line.clear_cost();
      if (!priced.ok()) {
        line.set_explanation(absl::StrCat(DurationWords(work), "; ", priced.status().message()));
      }
      continue;
    }
    for (const google::type::Money* part :
         {&line.work_cost(), &line.travel_cost(), &line.per_diem_cost()}) {
      if (part->currency_code().empty()) continue;
      SALESOPS_ASSIGN_OR_RETURN(const int64_t micros, common::MoneyToMicros(*part, "a line"));
      SALESOPS_ASSIGN_OR_RETURN(
          totals[part->currency_code()],
          common::CheckedAdd(totals[part->currency_code()], micros,
                             absl::StrCat("the labour cost of order ", plan.order_id)));
    }
  }
  for (const auto& [currency, micros] : totals) {
    *cost.add_cost_totals() = common::MoneyFromMicros(micros, currency);
  }
  *cost.mutable_unstaffed_crew_time() = DurationOfMinutes(unstaffed);
  for (const std::string& id : unpriced) cost.add_unpriced_crew_member_ids(id);
  return cost;
}

}  // namespace salesops::scheduling
