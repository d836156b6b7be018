// What people type, read the one way the flags, CSV files and tables all use.
#include "cli/input_parsing.h"

#include <absl/strings/str_cat.h>
#include <gtest/gtest.h>

#include "cli/held_skills.h"
#include "cli/output.h"
#include "salesops/v1/order_intake.pb.h"

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

  absl::StatusOr<google::type::Money> money = ParseMoney("1250.50 EUR", "USD");
  ASSERT_TRUE(money.ok());
  EXPECT_EQ(money->currency_code(), "EUR");
  EXPECT_EQ(money->units(), 1250);
  EXPECT_EQ(money->nanos(), 500000000);
  EXPECT_EQ(ParseMoney("900", "EUR")->currency_code(), "EUR");
  EXPECT_EQ(FormatMoney(*ParseMoney("GBP 19.99", "EUR")), "19.99 GBP");
  EXPECT_FALSE(ParseMoney("cheap", "EUR").ok());
}

// Crew needs name skill codes of the catalog; the seven words salesops started with keep working
// as the codes they became.
TEST(InputParsingTest, CrewNeedsNameSkillCodesWithAMinimumLevel) {
  absl::StatusOr<v1::CrewNeed> need = ParseCrewNeed("video:2x8h");
  ASSERT_TRUE(need.ok()) << need.status();
  EXPECT_EQ(need->skill_code(), "VIDEO");
  EXPECT_EQ(need->skill(), v1::SKILL_UNSPECIFIED);  // the superseded enum is left unset
  EXPECT_EQ(need->min_level(), 0);
  EXPECT_EQ(need->headcount(), 2);
  EXPECT_EQ(need->duration().seconds(), 8 * 3600);
  EXPECT_EQ(ParseCrewNeed("rigging:90m")->headcount(), 1);
  EXPECT_EQ(ParseCrewNeed("SKILL_AUDIO:1x4h")->skill_code(), "AUDIO");

  absl::StatusOr<v1::CrewNeed> operator_need = ParseCrewNeed("GRANDMA3-OPERATOR/2:1x8h");
  ASSERT_TRUE(operator_need.ok()) << operator_need.status();
  EXPECT_EQ(operator_need->skill_code(), "GRANDMA3-OPERATOR");
  EXPECT_EQ(operator_need->min_level(), 2);
  EXPECT_EQ(operator_need->headcount(), 1);
  EXPECT_EQ(ParseCrewNeed("grandma3/2:8h")->skill_code(), "GRANDMA3");

  // Printed back in the spelling the flag takes, level only above the first.
  google::protobuf::RepeatedPtrField<v1::CrewNeed> needs;
  *needs.Add() = *need;
  *needs.Add() = *operator_need;
  EXPECT_EQ(FormatCrewNeeds(needs), "VIDEO:2x8h GRANDMA3-OPERATOR/2:1x8h");
  // An older server's need names the enum only.
  v1::CrewNeed legacy;
  legacy.set_skill(v1::SKILL_RIGGING);
  legacy.set_headcount(3);
  legacy.mutable_duration()->set_seconds(4 * 3600);
  needs.Clear();
  *needs.Add() = legacy;
  EXPECT_EQ(FormatCrewNeeds(needs), "rigging:3x4h");

  // Bad input says what is wrong and how it is written.
  for (const std::string bad :
       {"video", "video:", "video:twox8h", ":2x8h", "/2:1x8h", "GRANDMA3/:1x8h", "GRANDMA3/0:1x8h",
        "GRANDMA3/11:1x8h", "GRANDMA3/two:1x8h", "GRANDMA3/2:2xlong"}) {
    absl::StatusOr<v1::CrewNeed> refused = ParseCrewNeed(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(refused.status().message().find("'" + bad + "'"), std::string::npos)
        << refused.status().message();
  }
  EXPECT_NE(ParseCrewNeed("GRANDMA3/0:1x8h").status().message().find("level"), std::string::npos);
  EXPECT_NE(ParseCrewNeed("video").status().message().find("SKILL[/LEVEL]:NxDURATION"),
            std::string::npos);
}

// What a crew member holds: CODE[/LEVEL][@DAY], the day their certificate expires written as a
// date or counted from today.
TEST(InputParsingTest, HeldSkillsWithLevelsAndCertificateExpiryDays) {
  const absl::TimeZone local = absl::LocalTimeZone();
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2030, 3, 17, 12, 0, 0), local);

  absl::StatusOr<v1::HeldSkill> video = ParseHeldSkill("video", now);
  ASSERT_TRUE(video.ok()) << video.status();
  EXPECT_EQ(video->skill_code(), "VIDEO");
  EXPECT_EQ(video->level(), 1);
  EXPECT_FALSE(video->has_certificate_expiry_day());

  bool counted = true;
  absl::StatusOr<v1::HeldSkill> rigger = ParseHeldSkill("RIGGER/2@2031-03-31", now, &counted);
  ASSERT_TRUE(rigger.ok()) << rigger.status();
  EXPECT_EQ(rigger->skill_code(), "RIGGER");
  EXPECT_EQ(rigger->level(), 2);
  EXPECT_EQ(rigger->certificate_expiry_day().year(), 2031);
  EXPECT_EQ(rigger->certificate_expiry_day().month(), 3);
  EXPECT_EQ(rigger->certificate_expiry_day().day(), 31);
  EXPECT_FALSE(counted);

  absl::StatusOr<v1::HeldSkill> forklift = ParseHeldSkill("forklift@+20d", now, &counted);
  ASSERT_TRUE(forklift.ok()) << forklift.status();
  EXPECT_EQ(forklift->skill_code(), "FORKLIFT");
  EXPECT_EQ(forklift->level(), 1);
  EXPECT_EQ(forklift->certificate_expiry_day().year(), 2030);
  EXPECT_EQ(forklift->certificate_expiry_day().month(), 4);
  EXPECT_EQ(forklift->certificate_expiry_day().day(), 6);
  EXPECT_TRUE(counted);
  EXPECT_EQ(ParseHeldSkill("FORKLIFT@tomorrow", now)->certificate_expiry_day().day(), 18);

  for (const std::string bad :
       {"", "/2", "@2031-03-31", "RIGGER/", "RIGGER/0", "RIGGER/11", "RIGGER/x@2031-03-31"}) {
    absl::StatusOr<v1::HeldSkill> refused = ParseHeldSkill(bad, now);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  for (const std::string bad :
       {"RIGGER@", "RIGGER@31.03.2031", "RIGGER@2031-02-30", "RIGGER@2031-3-31",
        "RIGGER@10000-01-01", "RIGGER@soon", "RIGGER@+99999999d"}) {
    absl::StatusOr<v1::HeldSkill> refused = ParseHeldSkill(bad, now);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("expiry day"), std::string::npos)
        << refused.status().message();
    EXPECT_NE(refused.status().message().find("'" + bad + "'"), std::string::npos)
        << refused.status().message();
  }
  EXPECT_NE(ParseHeldSkill("RIGGER/0", now).status().message().find("level"), std::string::npos);
}

// A crew chief reads the skills in the spelling --skill takes, and sees which certificates no
// longer count or soon will not.
TEST(HeldSkillsTest, PrintedAsTypedWithTheCertificatesState) {
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2030, 3, 17, 12, 0, 0), absl::LocalTimeZone());
  const absl::CivilDay today(2030, 3, 17);
  v1::CrewMember member;
  *member.add_held_skills() = *ParseHeldSkill("GRANDMA3/2", now);
  *member.add_held_skills() = *ParseHeldSkill("RIGGER/2@+12d", now);
  *member.add_held_skills() = *ParseHeldSkill("FORKLIFT@2030-03-01", now);
  member.mutable_held_skills(2)->set_certificate_expired(true);  // as scheduling answers it
  EXPECT_EQ(HeldSkillsText(member),
            "GRANDMA3/2, RIGGER/2@2030-03-29, FORKLIFT@2030-03-01 (expired)");
  EXPECT_EQ(CertificateState(member.held_skills(0), today), "-");
  EXPECT_EQ(CertificateState(member.held_skills(1), today), "expires in 12 days");
  EXPECT_EQ(CertificateState(member.held_skills(1), today + 11), "expires tomorrow");
  EXPECT_EQ(CertificateState(member.held_skills(1), today - 30), "valid");
  EXPECT_EQ(CertificateState(member.held_skills(2), today), "EXPIRED");
  // The skills of an older server's member: the enum's words.
  v1::CrewMember legacy;
  legacy.add_skills(v1::SKILL_AUDIO);
  legacy.add_skills(v1::SKILL_DRIVER);
  EXPECT_EQ(HeldSkillsText(legacy), "audio, driver");
  EXPECT_EQ(HeldSkillsText(v1::CrewMember()), "-");
}

TEST(InputParsingTest, SkillCodesAsPeopleTypeThem) {
  EXPECT_EQ(SkillCodeFromText("video"), "VIDEO");
  EXPECT_EQ(SkillCodeFromText(" GrandMA3 "), "GRANDMA3");
  EXPECT_EQ(SkillCodeFromText("SKILL_DRIVER"), "DRIVER");
  EXPECT_EQ(SkillCodeFromText("skill_warehouse"), "WAREHOUSE");
  // Only the old enum names lose the prefix; the format is the services' to judge.
  EXPECT_EQ(SkillCodeFromText("SKILL_JUGGLING"), "SKILL_JUGGLING");
  EXPECT_EQ(SkillCodeFromText(""), "");
}

// The one way every table names a skill: the code, the level when above the first, the
// superseded enum's word from an older server.
TEST(InputParsingTest, SkillTextOfEveryMessageThatNamesOne) {
  v1::CrewShortfall shortfall;
  shortfall.set_skill_code("GRANDMA3");
  shortfall.set_min_level(2);
  EXPECT_EQ(SkillText(shortfall), "GRANDMA3/2");
  shortfall.set_min_level(1);
  EXPECT_EQ(SkillText(shortfall), "GRANDMA3");
  v1::Task task;
  task.set_skill(v1::SKILL_DRIVER);
  EXPECT_EQ(SkillText(task), "driver");
  task.set_skill_code("DRIVER");
  EXPECT_EQ(SkillText(task), "DRIVER");
  v1::SkillDemand demand;  // no level in it
  demand.set_skill_code("FORKLIFT");
  EXPECT_EQ(SkillText(demand), "FORKLIFT");
  EXPECT_EQ(SkillText(v1::SkillDemand()), "-");
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

// What people cost: surcharges in whole percent, and the night as a part of every day.
TEST(InputParsingTest, SurchargePercentsAndTheNightRoundTrip) {
  EXPECT_EQ(*ParseWholePercent("50"), 50);
  EXPECT_EQ(*ParseWholePercent("25%"), 25);
  EXPECT_EQ(*ParseWholePercent(" 40 % "), 40);
  EXPECT_FALSE(ParseWholePercent("half").ok());
  EXPECT_FALSE(ParseWholePercent("12.5 %").ok());
  EXPECT_FALSE(ParseWholePercent("%").ok());

  absl::StatusOr<DailyPeriod> night = ParseDailyPeriod("22:00-06:00");
  ASSERT_TRUE(night.ok()) << night.status();
  EXPECT_EQ(night->start_offset.seconds(), 22 * 3600);
  EXPECT_EQ(night->end_offset.seconds(), 6 * 3600);
  EXPECT_EQ(FormatDailyPeriod(night->start_offset, night->end_offset), "22:00-06:00");
  // Midnight written as 24:00 is the start of the day; equal ends are no night at all.
  night = ParseDailyPeriod("20:30-24:00");
  ASSERT_TRUE(night.ok()) << night.status();
  EXPECT_EQ(night->end_offset.seconds(), 0);
  EXPECT_EQ(FormatDailyPeriod(night->start_offset, night->end_offset), "20:30-00:00");
  EXPECT_TRUE(ParseDailyPeriod("00:00-00:00").ok());
  EXPECT_FALSE(ParseDailyPeriod("22:00").ok());
  EXPECT_FALSE(ParseDailyPeriod("22:00-25:00").ok());
  EXPECT_FALSE(ParseDailyPeriod("late-early").ok());
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
