// What people cost (issue 20, item 2), the rules apart from the database: the night in a zone,
// freelancers' fees, employees' surcharges, travel and per diems once per person, order and day,
// and an order's labour cost from its plan.
#include "services/scheduling/labour_cost.h"

#include <absl/time/civil_time.h>
#include <gtest/gtest.h>

namespace salesops::scheduling {
namespace {

// The minute of a UTC wall-clock time.
Minutes UtcMinute(int year, int month, int day, int hour, int minute = 0) {
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute),
                                             absl::UTCTimeZone())) /
         60;
}

google::type::Money Amount(int64_t units, const std::string& currency = "EUR") {
  google::type::Money money;
  money.set_currency_code(currency);
  money.set_units(units);
  return money;
}

v1::CrewMember Employee(const std::string& id, int64_t hourly_cost, int beyond_percent = 0,
                        int night_percent = 0) {
  v1::CrewMember member;
  member.set_crew_member_id(id);
  member.set_display_name(id);
  member.set_employment(v1::EMPLOYMENT_EMPLOYEE);
  if (hourly_cost > 0) *member.mutable_hourly_cost() = Amount(hourly_cost);
  member.set_beyond_shift_percent(beyond_percent);
  member.set_night_work_percent(night_percent);
  return member;
}

v1::CrewMember Freelance(const std::string& id, int64_t day_fee, int64_t hour_fee,
                         int beyond_percent = 0, int night_percent = 0,
                         const std::string& currency = "EUR") {
  v1::CrewMember member;
  member.set_crew_member_id(id);
  member.set_display_name(id);
  member.set_employment(v1::EMPLOYMENT_FREELANCER);
  if (day_fee > 0) *member.mutable_day_fee() = Amount(day_fee, currency);
  if (hour_fee > 0) *member.mutable_hour_fee() = Amount(hour_fee, currency);
  member.set_beyond_shift_percent(beyond_percent);
  member.set_night_work_percent(night_percent);
  return member;
}

CostedTask PlacedTask(const std::string& id, v1::TaskKind kind, Span planned,
                      std::vector<std::string> crew_ids, int headcount = 1) {
  CostedTask task;
  task.task_id = id;
  task.kind = kind;
  task.duration = planned.end - planned.start;
  task.headcount = headcount;
  task.planned = planned;
  task.crew_ids = std::move(crew_ids);
  return task;
}

std::map<std::string, v1::CrewMember> CrewOf(const std::vector<v1::CrewMember>& members) {
  std::map<std::string, v1::CrewMember> crew;
  for (const v1::CrewMember& member : members) crew[member.crew_member_id()] = member;
  return crew;
}

int64_t MicrosOf(const google::type::Money& money) {
  return money.units() * 1'000'000 + money.nanos() / 1000;
}

Minutes MinutesOf(const google::protobuf::Duration& duration) { return duration.seconds() / 60; }

TEST(LabourCostTest, NightMinutesAcrossMidnightAndInTheMembersZone) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const Minutes day = UtcMinute(2024, 1, 15, 0);
  // 21:00 to 07:00: the whole night from 22:00 to 06:00.
  EXPECT_EQ(
      NightMinutes({day + 21 * kHour, day + 31 * kHour}, utc, kDefaultNightStart, kDefaultNightEnd),
      8 * kHour);
  // 05:00 to 23:00: the end of one night and the start of the next.
  EXPECT_EQ(
      NightMinutes({day + 5 * kHour, day + 23 * kHour}, utc, kDefaultNightStart, kDefaultNightEnd),
      2 * kHour);
  EXPECT_EQ(NightMinutes({day, day + kDay}, utc, 0, 0), 0) << "equal offsets: no night";
  EXPECT_EQ(NightMinutes({day, day + 3 * kHour}, utc, kHour, 5 * kHour), 2 * kHour)
      << "a night inside one day";

  // Berlin is an hour ahead in winter: 20:00-23:00 UTC is 21:00-24:00 there, two hours of night.
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  EXPECT_EQ(NightMinutes({day + 20 * kHour, day + 23 * kHour}, berlin, kDefaultNightStart,
                         kDefaultNightEnd),
            2 * kHour);
  EXPECT_EQ(
      NightMinutes({day + 20 * kHour, day + 23 * kHour}, utc, kDefaultNightStart, kDefaultNightEnd),
      kHour);
  // The clocks go forward on the night of 30-31 March 2024: 22:00 to 06:00 there is 7 hours;
  // back on 26-27 October: 9 hours.
  EXPECT_EQ(NightMinutes({UtcMinute(2024, 3, 30, 18), UtcMinute(2024, 3, 31, 8)}, berlin,
                         kDefaultNightStart, kDefaultNightEnd),
            7 * kHour);
  EXPECT_EQ(NightMinutes({UtcMinute(2024, 10, 26, 18), UtcMinute(2024, 10, 27, 8)}, berlin,
                         kDefaultNightStart, kDefaultNightEnd),
            9 * kHour);
}

TEST(LabourCostTest, FreelancersArePaidTheCheaperOfTheDayAndTheHourWithSurcharges) {
  // 12 hours, one of them at night: a 10-hour day and 2 hours beyond it.
  const v1::CrewMember fay = Freelance("fay", 400, 60, 50, 25);
  absl::StatusOr<FreelanceFee> fee = FreelanceFeeOf(fay, 12 * kHour, kHour, kDefaultFreelanceDay);
  ASSERT_TRUE(fee.ok()) << fee.status();
  EXPECT_TRUE(fee->priced);
  EXPECT_FALSE(fee->by_hour);
  EXPECT_EQ(fee->micros, 595'000'000);  // 400 + 2 × 60 × 1.5 + 1 × 60 × 0.25
  EXPECT_EQ(fee->currency, "EUR");
  EXPECT_EQ(fee->beyond, 2 * kHour);
  EXPECT_EQ(fee->night, kHour);
  EXPECT_EQ(fee->explanation,
            "1 day at 400.00 EUR + 2 h beyond the day at 60.00 EUR +50 % + 1 h at night +25 % "
            "= 595.00 EUR");

  // By the hour the same work is 720 + 2 × 60 × 0.5 + 15 = 795: cheaper than a day of 900.
  fee = FreelanceFeeOf(Freelance("gus", 900, 60, 50, 25), 12 * kHour, kHour, kDefaultFreelanceDay);
  ASSERT_TRUE(fee.ok()) << fee.status();
  EXPECT_TRUE(fee->by_hour);
  EXPECT_EQ(fee->micros, 795'000'000);
  EXPECT_EQ(fee->explanation,
            "12 h at 60.00 EUR + 2 h beyond the day +50 % + 1 h at night +25 % = 795.00 EUR");

  // Short work: 3 hours started by the hour beat the day.
  fee = FreelanceFeeOf(fay, 2 * kHour + 10, 0, kDefaultFreelanceDay);
  EXPECT_EQ(fee->micros, 180'000'000);
  EXPECT_EQ(fee->explanation, "3 h at 60.00 EUR = 180.00 EUR");

  // Without an hour fee the hours beyond the day are worth the day over its length (300 / 10 h),
  // and a freelance day of 8 h leaves 4 of the 12 beyond it.
  fee = FreelanceFeeOf(Freelance("hal", 300, 0, 50), 12 * kHour, 0, kDefaultFreelanceDay);
  EXPECT_EQ(fee->micros, 390'000'000);
  EXPECT_EQ(fee->explanation,
            "1 day at 300.00 EUR + 2 h beyond the day at 30.00 EUR +50 % = 390.00 EUR");
  fee = FreelanceFeeOf(Freelance("hal", 300, 0, 50), 12 * kHour, 0, 8 * kHour);
  EXPECT_EQ(fee->micros, 525'000'000);  // 300 + 4 × 37.50 × 1.5

  // Amounts are rounded to the cent once: 100 over a 9-hour day is 11.11 an hour.
  fee = FreelanceFeeOf(Freelance("ida", 100, 0), 10 * kHour, 0, 9 * kHour);
  EXPECT_EQ(fee->micros, 111'110'000);

  // In yen, to the yen: 10000 over 9 hours is 1111 an hour, and written without decimals.
  fee = FreelanceFeeOf(Freelance("kai", 10000, 0, 0, 0, "JPY"), 10 * kHour, 0, 9 * kHour);
  EXPECT_EQ(fee->micros, 11111'000'000);
  EXPECT_EQ(fee->explanation, "1 day at 10000 JPY + 1 h beyond the day at 1111 JPY = 11111 JPY");
  EXPECT_EQ(AmountWords(1'234'500'000, "KWD"), "1234.500 KWD");

  fee = FreelanceFeeOf(Freelance("jon", 0, 0), 8 * kHour, 0, kDefaultFreelanceDay);
  ASSERT_TRUE(fee.ok());
  EXPECT_FALSE(fee->priced) << "no fees on file";
}

TEST(LabourCostTest, EmployeesCostTheirRateWithSurchargesTravelAndAPerDiemOncePerDay) {
  // Emma works Mondays 08:00-16:00 at 32 EUR an hour, +50 % outside shifts, +25 % at night.
  v1::CrewMember emma = Employee("emma", 32, 50, 25);
  v1::WorkShift* shift = emma.add_weekly_shifts();
  shift->set_weekday(v1::WEEKDAY_MONDAY);
  shift->mutable_start_offset()->set_seconds(8 * 3600);
  shift->mutable_shift_duration()->set_seconds(8 * 3600);
  const Minutes monday = UtcMinute(2024, 6, 3, 0);
  EXPECT_EQ(OutsideShiftMinutes({monday + 8 * kHour, monday + 17 * kHour}, emma), kHour);

  OrderPlan plan;
  plan.order_id = "ORD-1";
  plan.venue_travel = {{"", 90}};
  // Prep in the warehouse (no travel), setup at the venue (travel and the per diem: the day's
  // first work there), strike at night (neither again).
  plan.tasks = {PlacedTask("ORD-1/PREP", v1::TASK_KIND_PREP,
                           {monday + 6 * kHour, monday + 8 * kHour}, {"emma"}),
                PlacedTask("ORD-1/SETUP-AUDIO", v1::TASK_KIND_SETUP,
                           {monday + 8 * kHour, monday + 17 * kHour}, {"emma"}),
                PlacedTask("ORD-1/STRIKE-AUDIO", v1::TASK_KIND_STRIKE,
                           {monday + 21 * kHour, monday + 23 * kHour}, {"emma"})};
  PayRules rules;
  rules.per_diem = Amount(30);
  rules.per_diem_from_travel = kHour;
  absl::StatusOr<v1::OrderLabourCost> cost = CostOrder(plan, CrewOf({emma}), rules);
  ASSERT_TRUE(cost.ok()) << cost.status();
  EXPECT_TRUE(cost->planned());
  ASSERT_EQ(cost->lines_size(), 3);

  const v1::LabourCostLine& prep = cost->lines(0);
  EXPECT_EQ(MinutesOf(prep.beyond_shift_duration()), 2 * kHour);
  EXPECT_EQ(MinutesOf(prep.travel_duration()), 0);
  EXPECT_EQ(MicrosOf(prep.cost()), 96'000'000);  // 64 + 2 × 32 × 0.5

  const v1::LabourCostLine& setup = cost->lines(1);
  EXPECT_EQ(setup.employment(), v1::EMPLOYMENT_EMPLOYEE);
  EXPECT_EQ(MinutesOf(setup.work_duration()), 9 * kHour);
  EXPECT_EQ(MinutesOf(setup.beyond_shift_duration()), kHour);
  EXPECT_EQ(MinutesOf(setup.travel_duration()), 3 * kHour);
  EXPECT_EQ(setup.per_diem_count(), 1);
  EXPECT_EQ(MicrosOf(setup.work_cost()), 304'000'000);  // 288 + 16
  EXPECT_EQ(MicrosOf(setup.travel_cost()), 96'000'000);
  EXPECT_EQ(MicrosOf(setup.per_diem_cost()), 30'000'000);
  EXPECT_EQ(MicrosOf(setup.cost()), 430'000'000);
  EXPECT_EQ(setup.explanation(),
            "9 h at 32.00 EUR + 1 h outside shifts +50 % + travel 2 × 1 h 30 min + 1 per diem at "
            "30.00 EUR = 430.00 EUR");

  const v1::LabourCostLine& strike = cost->lines(2);
  EXPECT_EQ(MinutesOf(strike.beyond_shift_duration()), 2 * kHour);
  EXPECT_EQ(MinutesOf(strike.night_duration()), kHour);
  EXPECT_EQ(MinutesOf(strike.travel_duration()), 0) << "travelled once that day";
  EXPECT_EQ(strike.per_diem_count(), 0);
  EXPECT_FALSE(strike.has_travel_cost());
  EXPECT_EQ(MicrosOf(strike.cost()), 104'000'000);  // 64 + 32 + 8

  ASSERT_EQ(cost->cost_totals_size(), 1);
  EXPECT_EQ(MicrosOf(cost->cost_totals(0)), 630'000'000);
  EXPECT_EQ(cost->cost_totals(0).currency_code(), "EUR");
  EXPECT_EQ(MinutesOf(cost->unstaffed_crew_time()), 0);
  EXPECT_TRUE(cost->unpriced_crew_member_ids().empty());
}

TEST(LabourCostTest, TravelEachDayAndPerDiemsOnlyFromVenuesFarEnough) {
  // The main venue is 30 minutes away, the Hamburg stop 2 hours: per diems from an hour.
  const v1::CrewMember otto = Employee("otto", 20);
  const Minutes day = UtcMinute(2024, 6, 4, 0);
  OrderPlan plan;
  plan.order_id = "TOUR-1";
  plan.venue_travel = {{"", 30}, {"hamburg", 2 * kHour}};
  CostedTask hamburg_setup =
      PlacedTask("TOUR-1/SETUP-VIDEO@hamburg", v1::TASK_KIND_SETUP,
                 {day + 2 * kDay + 8 * kHour, day + 2 * kDay + 10 * kHour}, {"otto"});
  hamburg_setup.phase_id = "hamburg";
  plan.tasks = {PlacedTask("TOUR-1/SETUP-VIDEO", v1::TASK_KIND_SETUP,
                           {day + 8 * kHour, day + 10 * kHour}, {"otto"}),
                PlacedTask("TOUR-1/STRIKE-VIDEO", v1::TASK_KIND_STRIKE,
                           {day + kDay + 8 * kHour, day + kDay + 9 * kHour}, {"otto"}),
                hamburg_setup};
  PayRules rules;
  rules.per_diem = Amount(25);
  rules.per_diem_from_travel = kHour;
  absl::StatusOr<v1::OrderLabourCost> cost = CostOrder(plan, CrewOf({otto}), rules);
  ASSERT_TRUE(cost.ok()) << cost.status();
  ASSERT_EQ(cost->lines_size(), 3);
  // Each day at the venue is a trip there and back; a per diem only in Hamburg.
  EXPECT_EQ(MinutesOf(cost->lines(0).travel_duration()), kHour);
  EXPECT_EQ(cost->lines(0).per_diem_count(), 0);
  EXPECT_EQ(MinutesOf(cost->lines(1).travel_duration()), kHour);
  EXPECT_EQ(MinutesOf(cost->lines(2).travel_duration()), 4 * kHour);
  EXPECT_EQ(cost->lines(2).per_diem_count(), 1);
  EXPECT_EQ(MicrosOf(cost->lines(2).cost()), 145'000'000);  // 2 h + 4 h travel at 20, + 25

  // Without a threshold every venue counts.
  rules.per_diem_from_travel = 0;
  cost = CostOrder(plan, CrewOf({otto}), rules);
  ASSERT_TRUE(cost.ok()) << cost.status();
  for (const v1::LabourCostLine& line : cost->lines()) EXPECT_EQ(line.per_diem_count(), 1);
}

TEST(LabourCostTest, OffersUnstaffedPlacesUnpricedPeopleAndMixedCurrencies) {
  const Minutes day = UtcMinute(2024, 6, 5, 0);
  const Span morning{day + 8 * kHour, day + 12 * kHour};
  OrderPlan plan;
  plan.order_id = "ORD-2";
  plan.venue_travel = {{"", 0}};
  // Rigging for two, out to freelancers: Fay accepted (her offer's fee stands, whatever her fees
  // are now), Gus has not answered yet, and Ivan's late in-house placement is what the offers
  // replace.
  CostedTask rigging = PlacedTask("ORD-2/SETUP-RIGGER", v1::TASK_KIND_SETUP, morning, {"ivan"}, 2);
  rigging.offers = {{"fay", v1::OFFER_STATE_ACCEPTED, morning, Amount(250)},
                    {"gus", v1::OFFER_STATE_SENT, morning, Amount(240)}};
  // Video for three, two placed: one unfilled place. Val has no cost rate; Uma is paid in USD.
  CostedTask video =
      PlacedTask("ORD-2/SETUP-VIDEO", v1::TASK_KIND_SETUP, morning, {"uma", "val"}, 3);
  // A strike nobody is placed on yet.
  CostedTask strike = PlacedTask("ORD-2/STRIKE-VIDEO", v1::TASK_KIND_STRIKE,
                                 {day + 22 * kHour, day + 24 * kHour}, {});
  strike.planned.reset();
  plan.tasks = {rigging, video, strike};
  PayRules rules;
  rules.per_diem = Amount(30);
  const auto crew = CrewOf({Freelance("fay", 400, 0), Employee("ivan", 30), Employee("val", 0),
                            Freelance("uma", 0, 50, 0, 0, "USD")});
  absl::StatusOr<v1::OrderLabourCost> cost = CostOrder(plan, crew, rules);
  ASSERT_TRUE(cost.ok()) << cost.status();
  ASSERT_EQ(cost->lines_size(), 3);

  const v1::LabourCostLine& fay = cost->lines(0);
  EXPECT_EQ(fay.crew_member_id(), "fay");
  EXPECT_EQ(fay.employment(), v1::EMPLOYMENT_FREELANCER);
  EXPECT_EQ(MinutesOf(fay.work_duration()), 4 * kHour);
  EXPECT_EQ(MicrosOf(fay.work_cost()), 250'000'000) << "what she accepted";
  EXPECT_EQ(MicrosOf(fay.cost()), 280'000'000) << "and the per diem";

  const v1::LabourCostLine& uma = cost->lines(1);
  EXPECT_EQ(uma.crew_member_id(), "uma");
  EXPECT_EQ(MicrosOf(uma.work_cost()), 200'000'000);
  EXPECT_EQ(uma.work_cost().currency_code(), "USD");
  EXPECT_EQ(uma.per_diem_cost().currency_code(), "EUR");
  EXPECT_FALSE(uma.has_cost()) << "USD and EUR do not add up";
  EXPECT_NE(uma.explanation().find("no single total: work in USD, per diem in EUR"),
            std::string::npos)
      << uma.explanation();

  const v1::LabourCostLine& val = cost->lines(2);
  EXPECT_EQ(val.crew_member_id(), "val");
  EXPECT_EQ(MinutesOf(val.work_duration()), 4 * kHour);
  EXPECT_EQ(val.per_diem_count(), 1);
  EXPECT_FALSE(val.has_work_cost());
  EXPECT_FALSE(val.has_per_diem_cost());
  EXPECT_FALSE(val.has_cost());
  EXPECT_NE(val.explanation().find("no cost rate on file"), std::string::npos) << val.explanation();

  // EUR: Fay's 250 + 30; USD: Uma's 200, and her per diem in EUR: 30.
  ASSERT_EQ(cost->cost_totals_size(), 2);
  EXPECT_EQ(cost->cost_totals(0).currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(cost->cost_totals(0)), 310'000'000);
  EXPECT_EQ(cost->cost_totals(1).currency_code(), "USD");
  EXPECT_EQ(MicrosOf(cost->cost_totals(1)), 200'000'000);
  // Gus's place (4 h), the third video place (4 h), the strike for one (2 h).
  EXPECT_EQ(MinutesOf(cost->unstaffed_crew_time()), 10 * kHour);
  EXPECT_EQ(std::vector<std::string>(cost->unpriced_crew_member_ids().begin(),
                                     cost->unpriced_crew_member_ids().end()),
            std::vector<std::string>{"val"});
}

TEST(LabourCostTest, RulesAndRatesOutOfBoundsNameTheirFields) {
  v1::CrewRules rules;
  rules.mutable_freelance_day_duration()->set_seconds(25 * 3600);
  rules.mutable_night_start_offset()->set_seconds(24 * 3600);
  rules.mutable_night_end_offset()->set_seconds(6 * 3600 + 30);
  *rules.mutable_per_diem() = Amount(-5);
  rules.mutable_per_diem_from_travel()->set_seconds(49 * 3600);
  std::vector<std::string> fields;
  for (const common::FieldViolation& violation : PayRuleViolations(rules, "rules.")) {
    fields.push_back(violation.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"rules.freelance_day_duration",
                                              "rules.night_start_offset", "rules.night_end_offset",
                                              "rules.per_diem", "rules.per_diem_from_travel"}));

  // Midnight is a night offset like any other, told apart from unset.
  v1::CrewRules midnight;
  midnight.mutable_night_start_offset()->set_seconds(0);
  midnight.mutable_freelance_day_duration()->set_seconds(8 * 3600);
  EXPECT_TRUE(PayRuleViolations(midnight, "rules.").empty());
  const PayRules pay = PayRulesOf(midnight);
  EXPECT_EQ(pay.night_start, 0);
  EXPECT_EQ(pay.night_end, kDefaultNightEnd);
  EXPECT_EQ(pay.freelance_day, 8 * kHour);
  EXPECT_FALSE(pay.per_diem.has_value());
  const PayRules defaults = PayRulesOf(v1::CrewRules());
  EXPECT_EQ(defaults.night_start, 22 * kHour);
  EXPECT_EQ(defaults.freelance_day, 10 * kHour);

  v1::CrewMember member = Employee("emma", 0);
  *member.mutable_hourly_cost() = Amount(-1);
  *member.mutable_day_fee() = Amount(-300);
  fields.clear();
  for (const common::FieldViolation& violation : RateViolations(member, "crew_member.")) {
    fields.push_back(violation.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"crew_member.day_fee", "crew_member.hourly_cost"}));
}

}  // namespace
}  // namespace salesops::scheduling
