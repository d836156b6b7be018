#pragma once

#include <absl/status/statusor.h>
#include <absl/strings/string_view.h>
#include <absl/time/time.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "google/type/money.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "salesops/v1/vocabulary.pb.h"

// What people type, turned into the shared vocabulary. One spelling per idea,
// the same on flags, in CSV files and in the tables salesopsctl prints:
//   times      2030-05-01T08:00:00Z, 2030-05-01 08:00 (local), 2030-05-01, now, today,
//              tomorrow, +3d, +6h, -30m, and a counted day at a local time: tomorrow 08:00,
//              +14d 08:00, +10bd 08:00 (ten business days, Monday to Friday, ahead)
//   durations  4h, 90m, 1h30m, 2d
//   lines      CODE=N (LED-PANEL-500=24)
//   crew needs SKILL[/LEVEL]:NxDURATION (video:2x8h; video:8h means one person;
//              GRANDMA3/2:1x8h asks for level 2 or above)
//   held skills SKILL[/LEVEL][@DAY] (AUDIO, RIGGER/2@2031-03-31; DAY, when the certificate
//              expires, is YYYY-MM-DD or counted from today: +90d)
//   skills     skill codes of the skill catalog in any case: video, GRANDMA3 (the old enum
//              names, SKILL_VIDEO, too)
//   money      1250, 1250.50 EUR, EUR 1250.50
//   shifts     mon-fri 08:00-17:00; sat 09:00-13:00
//   surcharges whole percent: 50, 50%, 50 %
//   a part of every day  22:00-06:00 (past midnight when the end is not after the start)
namespace salesops::cli {

absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text,
                                                      absl::Time now = absl::Now());
absl::StatusOr<google::protobuf::Duration> ParseDuration(absl::string_view text);
absl::StatusOr<v1::InventoryLine> ParseInventoryLine(absl::string_view text);
// Sets skill_code (never the superseded enum) and min_level when a level is given.
absl::StatusOr<v1::CrewNeed> ParseCrewNeed(absl::string_view text);
// `counted_day`, when given, says whether the expiry day was counted from today (+90d) rather
// than written as a date: an import keeps the day a member already holds for those.
absl::StatusOr<v1::HeldSkill> ParseHeldSkill(absl::string_view text, absl::Time now = absl::Now(),
                                             bool* counted_day = nullptr);
// A skill code as people type it: upper-cased, so the seven words salesops started with
// (video, rigging) name their codes; SKILL_VIDEO reads as VIDEO. The code's format is the
// services' one validator's to judge.
std::string SkillCodeFromText(absl::string_view text);
absl::StatusOr<google::type::Money> ParseMoney(absl::string_view text,
                                               absl::string_view default_currency);
absl::StatusOr<std::vector<v1::WorkShift>> ParseShifts(absl::string_view text);
// A surcharge in whole percent ("50", "50%", "50 %"); its bounds are the services' to judge.
absl::StatusOr<int32_t> ParseWholePercent(absl::string_view text);
// "22:00-06:00": where a part of each day starts and ends, as offsets from local midnight
// (24:00 reads as 0). The end may be before the start: the part runs past midnight.
struct DailyPeriod {
  google::protobuf::Duration start_offset;
  google::protobuf::Duration end_offset;
};
absl::StatusOr<DailyPeriod> ParseDailyPeriod(absl::string_view text);
// Back into the spelling ParseDailyPeriod reads: "22:00-06:00".
std::string FormatDailyPeriod(const google::protobuf::Duration& start_offset,
                              const google::protobuf::Duration& end_offset);
// Formats shifts back into the spelling ParseShifts reads.
std::string FormatShifts(const google::protobuf::RepeatedPtrField<v1::WorkShift>& shifts);

// An enum value from its word: "video", "VIDEO", "SKILL_VIDEO" and "box-truck" all work.
absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  absl::string_view text);
template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view text) {
  absl::StatusOr<int> value = ParseEnumWord(google::protobuf::GetEnumDescriptor<Enum>(), text);
  if (!value.ok()) return value.status();
  return static_cast<Enum>(*value);
}

// Splits on any of `separators`, dropping empty pieces and trimming spaces.
std::vector<std::string> SplitWords(absl::string_view text, absl::string_view separators = " ,;");

}  // namespace salesops::cli
