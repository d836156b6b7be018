#include "cli/input_parsing.h"

#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>

#include <optional>

#include "cli/output.h"

namespace salesops::cli {
namespace {

// The largest amount ParseMoney takes, far above any price. A double holds every cent only up to
// 2^53 cents (about 9e13 in units), and past about 9.2e16 the cents do not fit the int64 they
// are converted to, which is undefined behaviour.
constexpr double kLargestAmount = 1e13;

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

google::protobuf::Duration ToDurationProto(absl::Duration duration) {
  google::protobuf::Duration proto;
  proto.set_seconds(absl::ToInt64Seconds(duration));
  return proto;
}

// absl::ParseDuration knows h, m, s but not days, which people plan in.
absl::StatusOr<absl::Duration> ParseAbslDuration(absl::string_view text) {
  std::string spelled(absl::StripAsciiWhitespace(text));
  absl::Duration days = absl::ZeroDuration();
  if (size_t d = spelled.find('d'); d != std::string::npos) {
    int count = 0;
    if (!absl::SimpleAtoi(spelled.substr(0, d), &count)) {
      return absl::InvalidArgumentError("'" + std::string(text) + "' is not a duration");
    }
    days = absl::Hours(24) * count;
    spelled = spelled.substr(d + 1);
    if (spelled.empty()) return days;
  }
  absl::Duration rest;
  if (!absl::ParseDuration(spelled, &rest)) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not a duration (like 4h, 90m, 1h30m, 2d)");
  }
  return days + rest;
}

absl::StatusOr<int> ParseClock(absl::string_view text) {  // "08:30" -> minutes of the day
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  int hours = 0, minutes = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &hours) ||
      !absl::SimpleAtoi(parts[1], &minutes) || hours < 0 || hours > 24 || minutes < 0 ||
      minutes > 59) {
    return absl::InvalidArgumentError("'" + std::string(text) + "' is not a time of day (HH:MM)");
  }
  return hours * 60 + minutes;
}

// "today", "tomorrow", "+3d", "-2d", "+10bd" (business days, forward only) from `today`.
std::optional<absl::CivilDay> CountedDay(const std::string& word, absl::CivilDay today) {
  if (word == "today") return today;
  if (word == "tomorrow") return today + 1;
  if (word.size() < 3 || (word[0] != '+' && word[0] != '-')) return std::nullopt;
  int count = 0;
  if (absl::EndsWith(word, "bd") && word[0] == '+' &&
      absl::SimpleAtoi(word.substr(1, word.size() - 3), &count)) {
    absl::CivilDay day = today;
    // Whole weeks in one step, so that any count answers at once: past the first business day,
    // every five more are exactly seven days, so counting the last one to five from that many
    // weeks later lands where counting them all one by one from today would.
    if (count > 5) {
      int64_t weeks = (count - 1) / 5;
      day += weeks * 7;
      count -= static_cast<int>(weeks * 5);
    }
    while (count > 0) {
      ++day;
      absl::Weekday weekday = absl::GetWeekday(day);
      if (weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday) --count;
    }
    return day;
  }
  if (word.back() == 'd' && absl::SimpleAtoi(word.substr(0, word.size() - 1), &count)) {
    return today + count;
  }
  return std::nullopt;
}

// The skill part of a crew need or a held skill: CODE or CODE/LEVEL (level 0: none given).
struct SkillAndLevel {
  std::string code;
  int level = 0;
};

absl::StatusOr<SkillAndLevel> ParseSkillAndLevel(absl::string_view text, absl::string_view whole) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('/', 1));
  SkillAndLevel skill{SkillCodeFromText(parts[0])};
  if (skill.code.empty()) {
    return absl::InvalidArgumentError("'" + std::string(whole) +
                                      "' names no skill (like video, GRANDMA3/2)");
  }
  if (parts.size() == 2 &&
      (!absl::SimpleAtoi(parts[1], &skill.level) || skill.level < 1 || skill.level > 10)) {
    return absl::InvalidArgumentError(
        "'" + std::string(whole) +
        "': the level after / is a whole number from 1 to 10, counted from the skill's lowest "
        "(like GRANDMA3/2)");
  }
  return skill;
}

// YYYY-MM-DD, or a day counted from today ("+90d", "tomorrow"); nullopt when it is neither or
// outside the years a google.type.Date holds.
std::optional<absl::CivilDay> ParseExpiryDay(absl::string_view text, absl::Time now,
                                             bool* counted) {
  const std::string spelled(absl::StripAsciiWhitespace(text));
  std::optional<absl::CivilDay> day =
      CountedDay(spelled, absl::ToCivilDay(now, absl::LocalTimeZone()));
  if (counted != nullptr) *counted = day.has_value();
  if (!day) {
    absl::CivilDay written;
    if (spelled.size() != 10 || !absl::ParseCivilTime(spelled, &written)) return std::nullopt;
    day = written;
  }
  if (day->year() < 1 || day->year() > 9999) return std::nullopt;
  return day;
}

}  // namespace

std::vector<std::string> SplitWords(absl::string_view text, absl::string_view separators) {
  std::vector<std::string> words;
  for (absl::string_view piece : absl::StrSplit(text, absl::ByAnyChar(separators))) {
    piece = absl::StripAsciiWhitespace(piece);
    if (!piece.empty()) words.emplace_back(piece);
  }
  return words;
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text, absl::Time now) {
  std::string spelled(absl::StripAsciiWhitespace(text));
  const absl::TimeZone local = absl::LocalTimeZone();
  absl::Time today = absl::FromCivil(absl::CivilDay(absl::ToCivilDay(now, local)), local);
  if (spelled == "now") return ToTimestamp(now);
  // A day people count from today, at a time of day (local): "tomorrow 08:00", "+14d 08:00",
  // "today 18:30", and "+10bd 08:00" for ten business days (Monday to Friday) ahead. How a
  // delivery "two weeks out, by eight" is written.
  if (std::vector<std::string> words = SplitWords(spelled, " ");
      words.size() == 2 && words[1].find(':') != std::string::npos) {
    std::optional<absl::CivilDay> day = CountedDay(words[0], absl::ToCivilDay(now, local));
    if (day) {
      absl::StatusOr<int> minutes = ParseClock(words[1]);
      if (!minutes.ok()) return minutes.status();
      return ToTimestamp(absl::FromCivil(absl::CivilMinute(*day) + *minutes, local));
    }
  }
  if (spelled == "today") return ToTimestamp(today);
  if (spelled == "tomorrow") {
    return ToTimestamp(absl::FromCivil(absl::ToCivilDay(now, local) + 1, local));
  }
  if (!spelled.empty() && (spelled[0] == '+' || spelled[0] == '-')) {
    absl::StatusOr<absl::Duration> offset = ParseAbslDuration(spelled.substr(1));
    if (!offset.ok()) return offset.status();
    return ToTimestamp(spelled[0] == '+' ? now + *offset : now - *offset);
  }
  absl::Time parsed;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, spelled, &parsed, &error)) return ToTimestamp(parsed);
  for (const char* format : {"%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(format, spelled, local, &parsed, &error)) return ToTimestamp(parsed);
  }
  return absl::InvalidArgumentError(
      "'" + spelled +
      "' is not a time (like 2030-05-01T08:00:00Z, 2030-05-01 08:00, 2030-05-01, now, +3d, "
      "tomorrow 08:00, +14d 08:00, +10bd 08:00)");
}

absl::StatusOr<google::protobuf::Duration> ParseDuration(absl::string_view text) {
  absl::StatusOr<absl::Duration> duration = ParseAbslDuration(text);
  if (!duration.ok()) return duration.status();
  return ToDurationProto(*duration);
}

absl::StatusOr<v1::InventoryLine> ParseInventoryLine(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('=', 1));
  v1::InventoryLine line;
  int quantity = 0;
  if (parts.size() != 2 || parts[0].empty() || !absl::SimpleAtoi(parts[1], &quantity)) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not CODE=QUANTITY (like LED-PANEL-500=24)");
  }
  line.set_inventory_code(parts[0]);
  line.set_quantity(quantity);
  return line;
}

std::string SkillCodeFromText(absl::string_view text) {
  std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (v1::Skill legacy; v1::Skill_Parse(code, &legacy) && legacy != v1::SKILL_UNSPECIFIED) {
    code = std::string(absl::StripPrefix(code, "SKILL_"));
  }
  return code;
}

absl::StatusOr<v1::CrewNeed> ParseCrewNeed(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  auto bad = [&] {
    return absl::InvalidArgumentError(
        "'" + std::string(text) +
        "' is not SKILL[/LEVEL]:NxDURATION (like video:2x8h, GRANDMA3/2:1x8h)");
  };
  if (parts.size() != 2) return bad();
  absl::StatusOr<SkillAndLevel> skill = ParseSkillAndLevel(parts[0], text);
  if (!skill.ok()) return skill.status();
  v1::CrewNeed need;
  need.set_skill_code(skill->code);
  need.set_min_level(skill->level);
  int headcount = 1;
  std::string duration = parts[1];
  if (size_t x = duration.find('x'); x != std::string::npos) {
    if (!absl::SimpleAtoi(duration.substr(0, x), &headcount)) return bad();
    duration = duration.substr(x + 1);
  }
  absl::StatusOr<google::protobuf::Duration> parsed = ParseDuration(duration);
  if (!parsed.ok()) return bad();
  need.set_headcount(headcount);
  *need.mutable_duration() = *parsed;
  return need;
}

absl::StatusOr<v1::HeldSkill> ParseHeldSkill(absl::string_view text, absl::Time now,
                                             bool* counted_day) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('@', 1));
  absl::StatusOr<SkillAndLevel> skill = ParseSkillAndLevel(parts[0], text);
  if (!skill.ok()) return skill.status();
  v1::HeldSkill held;
  held.set_skill_code(skill->code);
  held.set_level(std::max(skill->level, 1));
  if (counted_day != nullptr) *counted_day = false;
  if (parts.size() == 2) {
    std::optional<absl::CivilDay> day = ParseExpiryDay(parts[1], now, counted_day);
    if (!day) {
      return absl::InvalidArgumentError(
          "'" + std::string(text) +
          "': the certificate's expiry day after @ is YYYY-MM-DD (years 1 to 9999) or counted "
          "from today (like RIGGER@2031-03-31, RIGGER@+90d)");
    }
    held.mutable_certificate_expiry_day()->set_year(static_cast<int32_t>(day->year()));
    held.mutable_certificate_expiry_day()->set_month(day->month());
    held.mutable_certificate_expiry_day()->set_day(day->day());
  }
  return held;
}

absl::StatusOr<google::type::Money> ParseMoney(absl::string_view text,
                                               absl::string_view default_currency) {
  std::vector<std::string> words = SplitWords(text, " ");
  std::string amount, currency(default_currency);
  for (const std::string& word : words) {
    if (absl::ascii_isalpha(static_cast<unsigned char>(word[0]))) {
      currency = absl::AsciiStrToUpper(word);
    } else {
      amount = word;
    }
  }
  double value = 0;
  if (amount.empty() || !absl::SimpleAtod(amount, &value) || value < 0 || currency.size() != 3) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not an amount (like 1250.00 EUR)");
  }
  // Written so that NaN ("+nan" reads as one) fails it too.
  if (!(value <= kLargestAmount)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is more than ", static_cast<int64_t>(kLargestAmount)));
  }
  google::type::Money money;
  money.set_currency_code(currency);
  int64_t cents = static_cast<int64_t>(value * 100 + 0.5);
  money.set_units(cents / 100);
  money.set_nanos(static_cast<int32_t>(cents % 100) * 10000000);
  return money;
}

absl::StatusOr<std::vector<v1::WorkShift>> ParseShifts(absl::string_view text) {
  static constexpr absl::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto day_number = [](absl::string_view word) -> int {
    std::string lower = absl::AsciiStrToLower(word.substr(0, 3));
    for (int i = 0; i < 7; ++i) {
      if (lower == kDays[i]) return i + 1;
    }
    return 0;
  };
  std::vector<v1::WorkShift> shifts;
  for (const std::string& part : SplitWords(text, ";")) {
    std::vector<std::string> words = SplitWords(part, " ");
    auto bad = [&] {
      return absl::InvalidArgumentError("'" + part +
                                        "' is not DAYS HH:MM-HH:MM (like mon-fri 08:00-17:00)");
    };
    if (words.size() != 2) return bad();
    std::vector<int> days;
    for (const std::string& range : SplitWords(words[0], ",")) {
      std::vector<std::string> ends = absl::StrSplit(range, '-');
      int first = day_number(ends[0]), last = day_number(ends.back());
      if (ends.size() > 2 || first == 0 || last == 0 || last < first) return bad();
      for (int day = first; day <= last; ++day) days.push_back(day);
    }
    std::vector<std::string> clock = absl::StrSplit(words[1], '-');
    if (clock.size() != 2) return bad();
    absl::StatusOr<int> start = ParseClock(clock[0]);
    absl::StatusOr<int> end = ParseClock(clock[1]);
    if (!start.ok() || !end.ok()) return bad();
    // An end at or before the start runs past midnight (a night shift).
    int minutes = *end > *start ? *end - *start : *end + 24 * 60 - *start;
    for (int day : days) {
      v1::WorkShift shift;
      shift.set_weekday(static_cast<v1::Weekday>(day));
      shift.mutable_start_offset()->set_seconds(int64_t{*start} * 60);
      shift.mutable_shift_duration()->set_seconds(int64_t{minutes} * 60);
      shifts.push_back(shift);
    }
  }
  return shifts;
}

absl::StatusOr<int32_t> ParseWholePercent(absl::string_view text) {
  absl::string_view number = absl::StripAsciiWhitespace(text);
  if (absl::ConsumeSuffix(&number, "%")) number = absl::StripTrailingAsciiWhitespace(number);
  int32_t percent = 0;
  if (number.empty() || !absl::SimpleAtoi(number, &percent)) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not a whole percentage (like 50 or 50 %)");
  }
  return percent;
}

absl::StatusOr<DailyPeriod> ParseDailyPeriod(absl::string_view text) {
  std::vector<std::string> ends = absl::StrSplit(absl::StripAsciiWhitespace(text), '-');
  absl::StatusOr<int> start = ends.size() == 2 ? ParseClock(absl::StripAsciiWhitespace(ends[0]))
                                               : absl::InvalidArgumentError("");
  absl::StatusOr<int> end = ends.size() == 2 ? ParseClock(absl::StripAsciiWhitespace(ends[1]))
                                             : absl::InvalidArgumentError("");
  if (!start.ok() || !end.ok()) {
    return absl::InvalidArgumentError("'" + std::string(text) +
                                      "' is not HH:MM-HH:MM (like 22:00-06:00)");
  }
  DailyPeriod period;
  period.start_offset.set_seconds(int64_t{*start % (24 * 60)} * 60);
  period.end_offset.set_seconds(int64_t{*end % (24 * 60)} * 60);
  return period;
}

std::string FormatDailyPeriod(const google::protobuf::Duration& start_offset,
                              const google::protobuf::Duration& end_offset) {
  auto clock = [](const google::protobuf::Duration& offset) {
    const int64_t minutes = offset.seconds() / 60;
    return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60);
  };
  return clock(start_offset) + "-" + clock(end_offset);
}

std::string FormatShifts(const google::protobuf::RepeatedPtrField<v1::WorkShift>& shifts) {
  // Consecutive days with the same hours read as one range: "mon-fri 08:00-17:00".
  auto clock = [](int64_t seconds) {
    int64_t minutes = seconds / 60 % (24 * 60);
    return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60);
  };
  std::vector<std::string> parts;
  for (int i = 0; i < shifts.size();) {
    int j = i;
    while (j + 1 < shifts.size() && shifts[j + 1].weekday() == shifts[j].weekday() + 1 &&
           shifts[j + 1].start_offset().seconds() == shifts[i].start_offset().seconds() &&
           shifts[j + 1].shift_duration().seconds() == shifts[i].shift_duration().seconds()) {
      ++j;
    }
    std::string days = EnumWord(shifts[i].weekday()).substr(0, 3);
    if (j > i) days += "-" + EnumWord(shifts[j].weekday()).substr(0, 3);
    int64_t start = shifts[i].start_offset().seconds();
    parts.push_back(days + " " + clock(start) + "-" +
                    clock(start + shifts[i].shift_duration().seconds()));
    i = j + 1;
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, "; ");
}

absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  absl::string_view text) {
  std::string prefix = type->value(0)->name();
  prefix = prefix.substr(0, prefix.size() - std::string("UNSPECIFIED").size());
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  for (char& c : upper) c = c == '-' ? '_' : c;
  for (const std::string& name : {upper, prefix + upper}) {
    const google::protobuf::EnumValueDescriptor* value = type->FindValueByName(name);
    if (value != nullptr && value->number() != 0) return value->number();
  }
  std::vector<std::string> words;
  for (int i = 1; i < type->value_count(); ++i) {
    words.push_back(EnumWord(type, type->value(i)->number()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not one of: ", absl::StrJoin(words, ", ")));
}

}  // namespace salesops::cli
