#include "cli/demo_timesheets.h"

#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <absl/time/time.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <utility>

#include "cli/input_parsing.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"
#include "cli/yaml_file.h"

namespace salesops::cli {
namespace {

using HoursStub = v1::SchedulingService::Stub;

// One line of the file: the days one person did one kind of other work, and where their hours
// end up (reported, confirmed, approved, or sent back with `reason`).
struct DemoHoursLine {
  std::string crew_member, note, reason;
  v1::OtherWork work = v1::OTHER_WORK_UNSPECIFIED;
  std::vector<v1::WorkShift> days;
  google::protobuf::Duration break_duration;
  v1::TimesheetState state = v1::TIMESHEET_STATE_REPORTED;
};

struct DemoTimesheetsFile {
  absl::TimeZone zone = absl::UTCTimeZone();
  std::vector<DemoHoursLine> lines;
};

absl::StatusOr<DemoTimesheetsFile> ReadDemoTimesheetsFile(const std::string& path) {
  DemoTimesheetsFile file;
  absl::StatusOr<YAML::Node> read = ReadYamlFile(path);
  if (!read.ok()) return read.status();
  YAML::Node root = *read;
  try {
    const std::string zone = root["zone"].as<std::string>("UTC");
    if (!absl::LoadTimeZone(zone, &file.zone)) {
      return absl::InvalidArgumentError(path + ": zone: no time zone '" + zone + "'");
    }
    const YAML::Node hours = root["hours"];
    for (size_t i = 0; i < hours.size(); ++i) {
      const YAML::Node entry = hours[i];
      const std::string where = absl::StrCat(path, ": hours[", i, "]");
      DemoHoursLine line;
      line.crew_member = entry["crew-member"].as<std::string>("");
      line.note = entry["note"].as<std::string>("");
      line.reason = entry["reason"].as<std::string>("");
      if (line.crew_member.empty() || line.note.empty()) {
        return absl::InvalidArgumentError(where + ": needs crew-member, work, days and note");
      }
      absl::StatusOr<v1::OtherWork> work =
          ParseEnum<v1::OtherWork>(entry["work"].as<std::string>(""));
      if (!work.ok() || *work == v1::OTHER_WORK_UNSPECIFIED) {
        return absl::InvalidArgumentError(where + ": work is warehouse, training, office or other");
      }
      line.work = *work;
      absl::StatusOr<std::vector<v1::WorkShift>> days =
          ParseShifts(entry["days"].as<std::string>(""));
      if (!days.ok() || days->empty()) {
        return absl::InvalidArgumentError(
            where + ": days are weekdays and hours, e.g. mon-fri 08:00-17:00");
      }
      line.days = *std::move(days);
      if (entry["break"]) {
        absl::StatusOr<google::protobuf::Duration> pause =
            ParseDuration(entry["break"].as<std::string>());
        if (!pause.ok()) {
          return absl::InvalidArgumentError(where +
                                            ": break: " + std::string(pause.status().message()));
        }
        line.break_duration = *pause;
      }
      absl::StatusOr<v1::TimesheetState> state =
          ParseEnum<v1::TimesheetState>(entry["state"].as<std::string>("reported"));
      if (!state.ok() || *state == v1::TIMESHEET_STATE_UNSPECIFIED) {
        return absl::InvalidArgumentError(where +
                                          ": state is reported, confirmed, approved or rejected");
      }
      line.state = *state;
      if (line.state == v1::TIMESHEET_STATE_REJECTED && line.reason.empty()) {
        return absl::InvalidArgumentError(where + ": rejected hours need a reason");
      }
      file.lines.push_back(std::move(line));
    }
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is malformed: ", error.what()));
  }
  return file;
}

// The Monday (a civil day in `zone`) of the week holding `time`.
absl::CivilDay MondayOf(absl::Time time, absl::TimeZone zone) {
  absl::CivilDay day = absl::ToCivilDay(time, zone);
  while (absl::GetWeekday(day) != absl::Weekday::monday) --day;
  return day;
}

// When a line's day starts: its weekday in the week from `monday`, at the shift's start there.
absl::Time StartOf(const v1::WorkShift& day, absl::CivilDay monday, absl::TimeZone zone) {
  const absl::CivilSecond midnight(monday + (static_cast<int>(day.weekday()) - 1));
  return absl::FromCivil(midnight + day.start_offset().seconds(), zone);
}

// The demo's hours already there: other work of the file's people with a note the file gives
// them, by person and start (seconds).
using KnownHours = std::map<std::pair<std::string, int64_t>, v1::TimesheetEntry>;

ExitCode ReadKnownHours(Session& session, const DemoTimesheetsFile& file, KnownHours* known) {
  std::map<std::string, std::set<std::string>> notes;
  for (const DemoHoursLine& line : file.lines) notes[line.crew_member].insert(line.note);
  for (const auto& [crew_member, their_notes] : notes) {
    v1::ListTimesheetsRequest request;
    request.set_crew_member_id(crew_member);
    v1::ListTimesheetsResponse response;
    if (ExitCode code = session.CallAllPages(&HoursStub::ListTimesheets, request, &response);
        code != kExitOk) {
      return code;
    }
    for (const v1::TimesheetEntry& entry : response.entries()) {
      if (entry.task_id().empty() && their_notes.count(entry.note()) > 0) {
        (*known)[{crew_member, entry.start_time().seconds()}] = entry;
      }
    }
  }
  return kExitOk;
}

// Moves `entry` on to `line.state` as OPS would: confirmed, then approved or sent back. Hours
// already there or beyond are left alone. Sets `*moved` when it did something.
ExitCode MoveHoursOn(Session& session, const DemoHoursLine& line, v1::TimesheetEntry entry,
                     bool* moved) {
  const std::string request_prefix = "demo-hours-" + entry.entry_id() + "-";
  if (entry.state() == v1::TIMESHEET_STATE_REPORTED && line.state != entry.state()) {
    v1::ConfirmHoursRequest confirm;
    confirm.set_request_id(request_prefix + "confirm");
    confirm.set_entry_id(entry.entry_id());
    v1::ConfirmHoursResponse confirmed;
    if (ExitCode code = session.Call(&HoursStub::ConfirmHours, confirm, &confirmed);
        code != kExitOk) {
      return code;
    }
    entry = confirmed.entry();
    *moved = true;
  }
  if (entry.state() == v1::TIMESHEET_STATE_CONFIRMED &&
      (line.state == v1::TIMESHEET_STATE_APPROVED || line.state == v1::TIMESHEET_STATE_REJECTED)) {
    const bool approve = line.state == v1::TIMESHEET_STATE_APPROVED;
    v1::ApproveHoursRequest decide;
    decide.set_request_id(request_prefix + (approve ? "approve" : "reject"));
    decide.set_entry_id(entry.entry_id());
    decide.set_approve(approve);
    if (!approve) decide.set_reason(line.reason);
    v1::ApproveHoursResponse decided;
    if (ExitCode code = session.Call(&HoursStub::ApproveHours, decide, &decided); code != kExitOk) {
      return code;
    }
    *moved = true;
  }
  return kExitOk;
}

}  // namespace

ExitCode ImportDemoTimesheets(const ImportContext& context, const std::string& path,
                              ImportCounts* counts) {
  absl::StatusOr<DemoTimesheetsFile> file = ReadDemoTimesheetsFile(path);
  if (!file.ok()) return ReportBadInput(std::string(file.status().message()));
  Session& session = *context.session;
  KnownHours known;
  if (ExitCode code = ReadKnownHours(session, *file, &known); code != kExitOk) return code;
  // The week before the first load: the one of the demo's hours already there, if any.
  absl::CivilDay monday = MondayOf(absl::Now(), file->zone) - 7;
  if (!known.empty()) {
    int64_t earliest = known.begin()->first.second;
    for (const auto& [key, entry] : known) earliest = std::min(earliest, key.second);
    monday = MondayOf(absl::FromUnixSeconds(earliest), file->zone);
  }
  for (const DemoHoursLine& line : file->lines) {
    for (const v1::WorkShift& day : line.days) {
      const absl::Time start = StartOf(day, monday, file->zone);
      const int64_t start_seconds = absl::ToUnixSeconds(start);
      v1::TimesheetEntry entry;
      bool reported_now = false;
      if (auto found = known.find({line.crew_member, start_seconds}); found != known.end()) {
        entry = found->second;
      } else {
        v1::ReportHoursRequest report;
        report.set_request_id(absl::StrCat("demo-hours-", line.crew_member, "-", start_seconds));
        v1::TimesheetEntry& hours = *report.mutable_entry();
        hours.set_crew_member_id(line.crew_member);
        hours.set_other_work(line.work);
        hours.mutable_start_time()->set_seconds(start_seconds);
        hours.mutable_finish_time()->set_seconds(start_seconds + day.shift_duration().seconds());
        *hours.mutable_break_duration() = line.break_duration;
        hours.set_note(line.note);
        v1::ReportHoursResponse reported;
        if (ExitCode code = session.Call(&HoursStub::ReportHours, report, &reported);
            code != kExitOk) {
          std::cerr << path << ": " << line.crew_member << "'s hours of "
                    << absl::FormatTime("%A %Y-%m-%d %H:%M", start, file->zone) << "\n";
          return code;
        }
        entry = reported.entry();
        ++counts->created;
        reported_now = true;
      }
      bool moved_on = false;
      if (ExitCode code = MoveHoursOn(session, line, entry, &moved_on); code != kExitOk) {
        return code;
      }
      if (!reported_now) {
        ++(moved_on ? counts->updated : counts->unchanged);
      }
    }
  }
  return kExitOk;
}

}  // namespace salesops::cli
