// libFuzzer target for what people type into salesopsctl (cli/input_parsing.h): flags, CSV
// cells and order files all go through these parsers.
//
// Input: the first byte picks the parser (modulo the number of parsers, in the order of
// ParserKind), the rest is the text. What a parser accepts is printed back with the formatter
// salesopsctl's tables use, and a duration or a crew need whose printed form loses nothing must
// read back as the same (the tables and the flags share one spelling).
#include <absl/strings/string_view.h>
#include <absl/time/time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/input_parsing.h"
#include "cli/output.h"

namespace {

enum class ParserKind : uint8_t {
  kTime,
  kDuration,
  kInventoryLine,
  kCrewNeed,
  kMoney,
  kShifts,
  kEnumWord,
  kHeldSkill,
  kCount,
};

// A fixed "now", so that an input found to crash crashes again when replayed later.
const absl::Time kNow = absl::FromUnixSeconds(1900000000);  // 2030-03-17

// The longest duration protobuf allows (10,000 years), which is also the server's limit.
constexpr int64_t kMaxDurationSeconds = 315576000000;

void CheckDurationReadsBack(absl::string_view text, const google::protobuf::Duration& duration) {
  // FormatDuration prints whole minutes of a non-negative duration without loss; seconds and
  // the sign of a negative duration are outside the spelling it shares with the flags.
  if (duration.seconds() < 0 || duration.seconds() > kMaxDurationSeconds ||
      duration.seconds() % 60 != 0 || duration.nanos() != 0) {
    return;
  }
  std::string printed = salesops::cli::FormatDuration(duration);
  absl::StatusOr<google::protobuf::Duration> again = salesops::cli::ParseDuration(printed);
  if (!again.ok() || again->seconds() != duration.seconds()) {
    std::fprintf(stderr, "'%.*s' reads as %lld s, prints as '%s', which reads as %s\n",
                 static_cast<int>(text.size()), text.data(),
                 static_cast<long long>(duration.seconds()), printed.c_str(),
                 again.ok() ? (std::to_string(again->seconds()) + " s").c_str()
                            : again.status().ToString().c_str());
    std::abort();
  }
}

// A crew need as a table prints it ("GRANDMA3/2:1x8h") reads back as the same need, level 1
// being no level; durations only where FormatDuration prints them without loss, as above.
void CheckCrewNeedReadsBack(absl::string_view text, const salesops::v1::CrewNeed& need) {
  const int64_t seconds = need.duration().seconds();
  if (seconds < 0 || seconds > kMaxDurationSeconds || seconds % 60 != 0 ||
      need.duration().nanos() != 0) {
    return;
  }
  google::protobuf::RepeatedPtrField<salesops::v1::CrewNeed> needs;
  *needs.Add() = need;
  const std::string printed = salesops::cli::FormatCrewNeeds(needs);
  absl::StatusOr<salesops::v1::CrewNeed> again = salesops::cli::ParseCrewNeed(printed);
  auto level = [](const salesops::v1::CrewNeed& each) { return std::max(each.min_level(), 1); };
  if (!again.ok() || again->skill_code() != need.skill_code() || level(*again) != level(need) ||
      again->headcount() != need.headcount() ||
      again->duration().seconds() != need.duration().seconds()) {
    std::fprintf(
        stderr, "'%.*s' prints as '%s', which reads as %s\n", static_cast<int>(text.size()),
        text.data(), printed.c_str(),
        again.ok() ? again->ShortDebugString().c_str() : again.status().ToString().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Local times go through a zone with daylight saving time, so inputs also land in the hour
  // that is skipped in spring and the one that repeats in autumn.
  setenv("TZ", "Europe/Berlin", /*overwrite=*/1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace cli = salesops::cli;
  if (size == 0) return 0;
  const auto kind = static_cast<ParserKind>(data[0] % static_cast<uint8_t>(ParserKind::kCount));
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (kind) {
    case ParserKind::kTime:
      if (auto time = cli::ParseTime(text, kNow); time.ok()) cli::FormatTime(*time);
      break;
    case ParserKind::kDuration:
      if (auto duration = cli::ParseDuration(text); duration.ok()) {
        cli::FormatDuration(*duration);
        cli::FormatHours(*duration);
        CheckDurationReadsBack(text, *duration);
      }
      break;
    case ParserKind::kInventoryLine:
      if (auto line = cli::ParseInventoryLine(text); line.ok()) {
        google::protobuf::RepeatedPtrField<salesops::v1::InventoryLine> lines;
        *lines.Add() = *line;
        cli::FormatLines(lines);
      }
      break;
    case ParserKind::kCrewNeed:
      if (auto need = cli::ParseCrewNeed(text); need.ok()) CheckCrewNeedReadsBack(text, *need);
      break;
    case ParserKind::kMoney:
      if (auto money = cli::ParseMoney(text, "EUR"); money.ok()) cli::FormatMoney(*money);
      break;
    case ParserKind::kShifts:
      if (auto shifts = cli::ParseShifts(text); shifts.ok()) {
        google::protobuf::RepeatedPtrField<salesops::v1::WorkShift> all(shifts->begin(),
                                                                        shifts->end());
        cli::FormatShifts(all);
      }
      break;
    case ParserKind::kEnumWord:
      // Skill stands for every enum: ParseEnumWord reads them all the same way.
      (void)cli::ParseEnum<salesops::v1::Skill>(text);
      break;
    case ParserKind::kHeldSkill:
      (void)cli::ParseHeldSkill(text, kNow);
      break;
    case ParserKind::kCount:
      break;
  }
  return 0;
}
