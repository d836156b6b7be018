// What people type, read the one way the flags, CSV files and tables all use.
#include "cli/input_parsing.h"

#include <absl/strings/str_cat.h>
#include <gtest/gtest.h>

#include "cli/output.h"

namespace salesops::cli {
namespace {

TEST(InputParsingTest, TimesInEverySpellingPeopleUse) {
  absl::Time now = absl::FromUnixSeconds(1900000000);
  EXPECT_EQ(ParseTime("2030-05-01T08:00:00Z", now)->seconds(), 1903852800);
  EXPECT_EQ(ParseTime("2030-05-01T10:00:00+02:00", now)->seconds(), 1903852800);
  EXPECT_EQ(ParseTime("now", now)->seconds(), 1900000000);
  EXPECT_EQ(ParseTime("+3d", now)->seconds(), 1900000000 + 3 * 86400);
  EXPECT_EQ(ParseTime("-90m", now)->seconds(), 1900000000 - 90 * 60);
  // Local forms: a day, and a day with a time, in the local zone (TZ applies).
  absl::TimeZone local = absl::LocalTimeZone();
  EXPECT_EQ(ParseTime("2030-05-01", now)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2030, 5, 1), local)));
  EXPECT_EQ(ParseTime("2030-05-01 08:30", now)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2030, 5, 1, 8, 30), local)));
  EXPECT_EQ(ParseTime("tomorrow", now)->seconds() - ParseTime("today", now)->seconds(), 86400);
  // A day counted from today, at a local time of day.
  absl::CivilDay today = absl::ToCivilDay(now, local);
  EXPECT_EQ(ParseTime("+14d 08:00", now)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(today + 14) + 8 * 60, local)));
  EXPECT_EQ(
      ParseTime("tomorrow 18:30", now)->seconds(),
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(today + 1) + 18 * 60 + 30, local)));
  EXPECT_EQ(ParseTime("today 07:00", now)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(today) + 7 * 60, local)));
  EXPECT_FALSE(ParseTime("+14d 25:00", now).ok());
  // Business days skip the weekend: from a Friday, one business day is the Monday.
  absl::Time friday_noon = absl::FromCivil(absl::CivilSecond(2026, 11, 27, 12, 0, 0), local);
  EXPECT_EQ(ParseTime("+1bd 08:00", friday_noon)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2026, 11, 30, 8, 0), local)));
  EXPECT_EQ(ParseTime("+10bd 08:00", friday_noon)->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2026, 12, 11, 8, 0), local)));
  EXPECT_FALSE(ParseTime("next tuesday", now).ok());
  EXPECT_FALSE(ParseTime("2030-13-01", now).ok());
}

// Found by tests/fuzz/cli_input_fuzzer: "+2122222221bd 08:00" counted business days one at a
// time, holding salesopsctl for minutes.
TEST(InputParsingTest, BusinessDaysAnswerAtOnceForAnyCount) {
  absl::TimeZone local = absl::LocalTimeZone();
  // Counted one day at a time, as people do: from each day of a week (Monday 2026-11-23 to
  // Sunday 2026-11-29), one to twelve business days ahead.
  for (absl::CivilDay start(2026, 11, 23); start <= absl::CivilDay(2026, 11, 29); ++start) {
    for (int count = 1; count <= 12; ++count) {
      absl::CivilDay expected = start;
      for (int left = count; left > 0;) {
        ++expected;
        absl::Weekday weekday = absl::GetWeekday(expected);
        if (weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday) --left;
      }
      absl::Time noon = absl::FromCivil(absl::CivilHour(start) + 12, local);
      EXPECT_EQ(ParseTime(absl::StrCat("+", count, "bd 08:00"), noon)->seconds(),
                absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(expected) + 8 * 60, local)))
          << count << " business days from " << start;
    }
  }
  // Two billion business days are 400 million weeks: 2.8 billion days.
  absl::Time friday_noon = absl::FromCivil(absl::CivilSecond(2026, 11, 27, 12, 0, 0), local);
  absl::Time before = absl::Now();
  absl::StatusOr<google::protobuf::Timestamp> far = ParseTime("+2000000000bd 08:00", friday_noon);
  EXPECT_LT(absl::Now() - before, absl::Seconds(1));
  ASSERT_TRUE(far.ok()) << far.status();
  EXPECT_EQ(far->seconds(),
            absl::ToUnixSeconds(absl::FromCivil(
                absl::CivilMinute(absl::CivilDay(2026, 11, 27) + 2800000000) + 8 * 60, local)));
}

TEST(InputParsingTest, DurationsIncludeDaysAndRoundTrip) {
  EXPECT_EQ(ParseDuration("4h")->seconds(), 4 * 3600);
  EXPECT_EQ(ParseDuration("1h30m")->seconds(), 90 * 60);
  EXPECT_EQ(ParseDuration("2d3h")->seconds(), 51 * 3600);
  EXPECT_FALSE(ParseDuration("4 hours").ok());
  EXPECT_EQ(FormatDuration(*ParseDuration("2d3h15m")), "2d3h15m");
  EXPECT_EQ(FormatDuration(*ParseDuration("45m")), "45m");
}

TEST(InputParsingTest, LinesCrewNeedsAndMoney) {
  absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine("LED-PANEL-500=24");
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->inventory_code(), "LED-PANEL-500");
  EXPECT_EQ(line->quantity(), 24);
  EXPECT_FALSE(ParseInventoryLine("LED-PANEL-500").ok());
  EXPECT_FALSE(ParseInventoryLine("LED-PANEL-500=lots").ok());

  absl::StatusOr<v1::CrewNeed> need = ParseCrewNeed("video:2x8h");
  ASSERT_TRUE(need.ok());
  EXPECT_EQ(need->skill(), v1::SKILL_VIDEO);
  EXPECT_EQ(need->headcount(), 2);
  EXPECT_EQ(need->duration().seconds(), 8 * 3600);
  EXPECT_EQ(ParseCrewNeed("rigging:90m")->headcount(), 1);
  EXPECT_FALSE(ParseCrewNeed("juggling:2x8h").ok());

  absl::StatusOr<google::type::Money> money = ParseMoney("1250.50 EUR", "USD");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->currency_code(), "EUR");
  EXPECT_EQ(money->units(), 1250);
  EXPECT_EQ(money->nanos(), 500000000);
  EXPECT_EQ(ParseMoney("900", "EUR")->currency_code(), "EUR");
  EXPECT_EQ(FormatMoney(*ParseMoney("GBP 19.99", "EUR")), "19.99 GBP");
  EXPECT_FALSE(ParseMoney("cheap", "EUR").ok());
}

// Found by tests/fuzz/cli_input_fuzzer: an amount whose cents do not fit an int64 (or that is
// not a number at all) was converted with undefined behaviour, a garbage price on the wire.
TEST(InputParsingTest, MoneyRefusesAmountsTooLargeToCountInCents) {
  EXPECT_FALSE(ParseMoney("5555555555555555555555555555555", "EUR").ok());
  EXPECT_FALSE(ParseMoney("1e300 EUR", "EUR").ok());
  EXPECT_FALSE(ParseMoney("+inf EUR", "EUR").ok());
  EXPECT_FALSE(ParseMoney("+nan EUR", "EUR").ok());
  EXPECT_FALSE(ParseMoney("10000000000000.01 EUR", "EUR").ok());
  absl::StatusOr<google::type::Money> largest = ParseMoney("10000000000000 EUR", "EUR");
  ASSERT_TRUE(largest.ok()) << largest.status();
  EXPECT_EQ(largest->units(), 10000000000000);
}

TEST(InputParsingTest, WeeklyShiftsIncludingNightShiftsRoundTrip) {
  absl::StatusOr<std::vector<v1::WorkShift>> shifts =
      ParseShifts("mon-fri 08:00-17:00; sat 22:00-06:00");
  ASSERT_TRUE(shifts.ok());
  ASSERT_EQ(shifts->size(), 6u);
  EXPECT_EQ((*shifts)[0].weekday(), v1::WEEKDAY_MONDAY);
  EXPECT_EQ((*shifts)[0].start_offset().seconds(), 8 * 3600);
  EXPECT_EQ((*shifts)[0].shift_duration().seconds(), 9 * 3600);
  EXPECT_EQ((*shifts)[5].weekday(), v1::WEEKDAY_SATURDAY);
  EXPECT_EQ((*shifts)[5].shift_duration().seconds(), 8 * 3600);  // past midnight
  google::protobuf::RepeatedPtrField<v1::WorkShift> stored(shifts->begin(), shifts->end());
  EXPECT_EQ(FormatShifts(stored), "mon-fri 08:00-17:00; sat 22:00-06:00");
  EXPECT_EQ(ParseShifts("mon,thu-sun 14:00-23:00")->size(), 5u);
  EXPECT_FALSE(ParseShifts("fri-mon 08:00-17:00").ok());
  EXPECT_FALSE(ParseShifts("weekdays 9-5").ok());
}

TEST(InputParsingTest, EnumsAsWords) {
  EXPECT_EQ(*ParseEnum<v1::VehicleClass>("box-truck"), v1::VEHICLE_CLASS_BOX_TRUCK);
  EXPECT_EQ(*ParseEnum<v1::Skill>("VIDEO"), v1::SKILL_VIDEO);
  EXPECT_EQ(*ParseEnum<v1::Skill>("SKILL_AUDIO"), v1::SKILL_AUDIO);
  absl::StatusOr<v1::Skill> unknown = ParseEnum<v1::Skill>("unspecified");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("audio, video, lighting"), std::string::npos)
      << unknown.status().message();
  EXPECT_EQ(EnumWord(v1::TASK_KIND_LOAD_OUT), "load-out");
}

TEST(TableTest, AlignsColumnsByCharactersNotBytes) {
  Table table({"code", "window"});
  table.AddRow({"LED-PANEL-500", "08:00 → 18:00"});
  table.AddRow({"X", "-"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "CODE           WINDOW\n"
            "LED-PANEL-500  08:00 → 18:00\n"
            "X              -\n");
}

TEST(TableTest, MoneyOfAnySizeTheApiAllowsIsShownAsIs) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(9'000'000'000'000'000'000);
  money.set_nanos(990'000'000);
  EXPECT_EQ(FormatMoney(money), "9000000000000000000.99 EUR");
  money.set_units(std::numeric_limits<int64_t>::min());
  money.set_nanos(-50'000'000);
  EXPECT_EQ(FormatMoney(money), "-9223372036854775808.05 EUR");
  money.set_units(0);
  money.set_nanos(-500'000'000);
  EXPECT_EQ(FormatMoney(money), "-0.50 EUR");
}

}  // namespace
}  // namespace salesops::cli
