#include "services/scheduling/timesheet_rules.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "services/common/csv.h"
#include "services/common/errors.h"
#include "services/common/validation.h"
#include "services/scheduling/crew_self_service.h"

namespace salesops::scheduling {
namespace {

constexpr Minutes kMinutesPerDay = 24 * 60;
constexpr Minutes kMinutesPerWeek = 7 * kMinutesPerDay;

// Whole minutes at or before `seconds` (seconds are dropped, also before 1970).
Minutes FloorMinute(int64_t seconds) {
  return seconds >= 0 ? seconds / 60 : -((59 - seconds) / 60);
}

const char* StateWord(v1::TimesheetState state) {
  switch (state) {
    case v1::TIMESHEET_STATE_REPORTED:
      return "reported";
    case v1::TIMESHEET_STATE_CONFIRMED:
      return "confirmed";
    case v1::TIMESHEET_STATE_APPROVED:
      return "approved";
    case v1::TIMESHEET_STATE_REJECTED:
      return "rejected";
    default:
      return "not reported";
  }
}

google::protobuf::Duration MinutesDuration(Minutes minutes) {
  google::protobuf::Duration duration;
  duration.set_seconds(minutes * 60);
  return duration;
}

google::protobuf::Timestamp MinuteTimestamp(Minutes minute) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(minute * 60);
  return timestamp;
}

// `format` (strftime) of a minute in UTC.
std::string UtcText(Minutes minute, const char* format) {
  std::time_t seconds = minute * 60;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), format, &utc);
  return text;
}

}  // namespace

absl::StatusOr<ReportedHours> CheckReportedHours(const v1::TimesheetEntry& entry,
                                                 int64_t now_seconds) {
  std::vector<common::FieldViolation> violations;
  if (!entry.has_start_time()) {
    violations.push_back({"entry.start_time", "is required: when the work started"});
  }
  if (!entry.has_finish_time()) {
    violations.push_back({"entry.finish_time", "is required: when the work ended"});
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));

  ReportedHours hours;
  hours.start = FloorMinute(entry.start_time().seconds());
  hours.finish = FloorMinute(entry.finish_time().seconds());
  hours.break_minutes = entry.break_duration().seconds() / 60;
  const Minutes span = hours.finish - hours.start;
  if (span <= 0) {
    violations.push_back(
        {"entry.finish_time", "must be after start_time (hours are kept to the minute)"});
  } else if (span > kLongestReportedSpan) {
    violations.push_back({"entry.finish_time",
                          "is more than 24 hours after start_time; report each shift as it was"});
  }
  if (entry.break_duration().seconds() < 0 || entry.break_duration().nanos() < 0) {
    violations.push_back({"entry.break_duration", "cannot be negative"});
  } else if (span > 0 && hours.break_minutes >= span) {
    violations.push_back(
        {"entry.break_duration", "must be shorter than the time from start_time to finish_time"});
  }
  if (entry.finish_time().seconds() > now_seconds + kHoursFutureToleranceSeconds) {
    violations.push_back(
        {"entry.finish_time", "is in the future; report hours once they are worked"});
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return hours;
}

absl::Status CheckWhatWasWorked(const v1::TimesheetEntry& entry) {
  const bool other_work = entry.other_work() != v1::OTHER_WORK_UNSPECIFIED;
  if (!v1::OtherWork_IsValid(entry.other_work())) {
    return common::InvalidArgumentError({{"entry.other_work", "is not a kind of work this knows"}});
  }
  if (entry.task_id().empty() && !other_work) {
    return common::InvalidArgumentError(
        {{"entry.task_id",
          "is required: the task worked, or other_work for work on no planned task"}});
  }
  if (!entry.task_id().empty() && other_work) {
    return common::InvalidArgumentError(
        {{"entry.other_work",
          "is for work on no task; hours on task " + entry.task_id() + " leave it unset"}});
  }
  if (entry.other_work() == v1::OTHER_WORK_OTHER &&
      absl::StripAsciiWhitespace(entry.note()).empty()) {
    return common::InvalidArgumentError(
        {{"entry.note", "is required for OTHER_WORK_OTHER: say what the work was"}});
  }
  return absl::OkStatus();
}

std::string OtherWorkWord(v1::OtherWork other_work) {
  switch (other_work) {
    case v1::OTHER_WORK_WAREHOUSE:
      return "warehouse";
    case v1::OTHER_WORK_TRAINING:
      return "training";
    case v1::OTHER_WORK_OFFICE:
      return "office";
    case v1::OTHER_WORK_OTHER:
      return "other";
    default:
      return "";
  }
}

absl::Status OverlappingHoursError(const std::string& crew_member_id,
                                   const std::string& overlapped_entry_id,
                                   const ReportedHours& overlapped) {
  return common::UnknownReferenceError(
      {{"entry.start_time",
        absl::StrCat("overlaps ", crew_member_id, "'s hours ", overlapped_entry_id, " (",
                     UtcText(overlapped.start, "%Y-%m-%d %H:%M"), " to ",
                     UtcText(overlapped.finish, "%Y-%m-%d %H:%M UTC"),
                     "); each hour is reported once: correct those or report the rest")}},
      v1::INVALID_REQUEST);
}

bool WorksOn(const TimesheetTask& task, const std::string& crew_member_id) {
  return !crew_member_id.empty() && std::find(task.crew_ids.begin(), task.crew_ids.end(),
                                              crew_member_id) != task.crew_ids.end();
}

v1::TimesheetState StateAfter(HoursAction action) {
  switch (action) {
    case HoursAction::kReport:
      return v1::TIMESHEET_STATE_REPORTED;
    case HoursAction::kConfirm:
      return v1::TIMESHEET_STATE_CONFIRMED;
    case HoursAction::kApprove:
      return v1::TIMESHEET_STATE_APPROVED;
    case HoursAction::kReject:
      return v1::TIMESHEET_STATE_REJECTED;
  }
  return v1::TIMESHEET_STATE_UNSPECIFIED;
}

absl::Status CheckHoursTransition(v1::TimesheetState state, HoursAction action,
                                  const std::string& what) {
  const std::string entry = what + " are " + StateWord(state);
  switch (action) {
    case HoursAction::kReport:
      if (state != v1::TIMESHEET_STATE_APPROVED) return absl::OkStatus();
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          entry + ": approved hours are final (payroll reads them); ask OPS to correct them there");
    case HoursAction::kConfirm:
      if (state == v1::TIMESHEET_STATE_REPORTED) return absl::OkStatus();
      return common::BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                     entry + "; only reported hours are confirmed");
    case HoursAction::kApprove:
    case HoursAction::kReject:
      if (state == v1::TIMESHEET_STATE_REPORTED || state == v1::TIMESHEET_STATE_CONFIRMED) {
        return absl::OkStatus();
      }
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          entry + "; only reported or confirmed hours are approved or sent back");
  }
  return absl::InternalError("an unknown timesheet action");
}

absl::Status CheckChiefMayConfirm(const std::string& chief_id, const v1::TimesheetEntry& entry,
                                  const TimesheetTask& task) {
  // Their own hours are theirs to know about: saying so reveals nothing.
  if (entry.crew_member_id() == chief_id) {
    return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                 "a crew chief's own hours are confirmed by OPS");
  }
  if (!WorksOn(task, chief_id)) return NotTheCallersOwn();
  return absl::OkStatus();
}

Minutes FirstMinuteFrom(const google::protobuf::Timestamp& time) {
  const int64_t seconds = time.seconds() + (time.nanos() > 0 ? 1 : 0);
  return -FloorMinute(-seconds);
}

Minutes WeekStartOf(Minutes minute) {
  const Minutes day =
      minute >= 0 ? minute / kMinutesPerDay : -((kMinutesPerDay - 1 - minute) / kMinutesPerDay);
  // 1970-01-01 was a Thursday: day 4 (1970-01-05) is the first Monday.
  const Minutes since_monday = ((day + 3) % 7 + 7) % 7;
  return (day - since_monday) * kMinutesPerDay;
}

WeekSpan WeeksAround(Minutes from, Minutes to) {
  return {WeekStartOf(from), WeekStartOf(std::max(from, to - 1)) + kMinutesPerWeek};
}

absl::StatusOr<v1::GetLabourReportResponse> BuildLabourReport(
    const LabourQuery& query, const std::vector<PlannedPlace>& planned,
    const std::vector<WorkedEntry>& worked, const std::map<std::string, CrewContract>& crew) {
  struct Tally {
    Minutes planned = 0, worked = 0, approved = 0, other_work = 0;
  };
  const auto wants_order = [&](const std::string& id) {
    return query.order_id.empty() || id == query.order_id;
  };
  const auto wants_person = [&](const std::string& id) {
    return query.crew_member_id.empty() || id == query.crew_member_id;
  };
  const auto in_range = [&](Minutes minute) { return minute >= query.from && minute < query.to; };

  std::map<std::string, Tally> orders, people;
  for (const PlannedPlace& place : planned) {
    if (!wants_order(place.order_id) || !in_range(place.start)) continue;
    for (const std::string& person : place.crew_ids) {
      if (!wants_person(person)) continue;
      orders[place.order_id].planned += place.duration;
      people[person].planned += place.duration;
    }
  }
  for (const WorkedEntry& entry : worked) {
    if (entry.state == v1::TIMESHEET_STATE_REJECTED || !in_range(entry.hours.start) ||
        !wants_order(entry.order_id) || !wants_person(entry.crew_member_id)) {
      continue;
    }
    const Minutes minutes = entry.hours.worked();
    const Minutes approved = entry.state == v1::TIMESHEET_STATE_APPROVED ? minutes : 0;
    if (!entry.order_id.empty()) {
      Tally& order = orders[entry.order_id];
      order.worked += minutes;
      order.approved += approved;
    }
    Tally& person = people[entry.crew_member_id];
    person.worked += minutes;
    person.approved += approved;
    if (entry.other_work != v1::OTHER_WORK_UNSPECIFIED) person.other_work += minutes;
  }
  // A week is the person's, whatever the orders: every hour they worked in it counts.
  const WeekSpan weeks = WeeksAround(query.from, query.to);
  std::map<std::pair<std::string, Minutes>, Minutes> week_worked;
  for (const WorkedEntry& entry : worked) {
    if (entry.state == v1::TIMESHEET_STATE_REJECTED || people.count(entry.crew_member_id) == 0 ||
        entry.hours.start < weeks.from || entry.hours.start >= weeks.to) {
      continue;
    }
    week_worked[{entry.crew_member_id, WeekStartOf(entry.hours.start)}] += entry.hours.worked();
  }
  if (orders.size() > kMaxLabourLines || people.size() > kMaxLabourLines ||
      week_worked.size() > kMaxLabourWeeks) {
    return common::InvalidArgumentError(
        {{"range", absl::StrCat("holds the work of more than ", kMaxLabourLines,
                                " orders or people; ask for a shorter range, one order or one "
                                "person")}});
  }

  v1::GetLabourReportResponse report;
  const auto fill = [](v1::LabourLine& line, const Tally& tally) {
    *line.mutable_planned_duration() = MinutesDuration(tally.planned);
    *line.mutable_worked_duration() = MinutesDuration(tally.worked);
    *line.mutable_approved_duration() = MinutesDuration(tally.approved);
    *line.mutable_other_work_duration() = MinutesDuration(tally.other_work);
  };
  for (const auto& [order_id, tally] : orders) {
    v1::LabourLine& line = *report.add_orders();
    line.set_order_id(order_id);
    fill(line, tally);
  }
  for (const auto& [crew_member_id, tally] : people) {
    v1::LabourLine& line = *report.add_people();
    line.set_crew_member_id(crew_member_id);
    if (auto found = crew.find(crew_member_id); found != crew.end()) {
      line.set_display_name(found->second.display_name);
    }
    fill(line, tally);
  }
  for (const auto& [key, minutes] : week_worked) {
    const auto& [crew_member_id, week_start] = key;
    Minutes contracted = 0;
    if (auto found = crew.find(crew_member_id); found != crew.end()) {
      contracted = found->second.contracted_week;
    }
    v1::LabourWeek& week = *report.add_weeks();
    week.set_crew_member_id(crew_member_id);
    *week.mutable_week_start_time() = MinuteTimestamp(week_start);
    *week.mutable_worked_duration() = MinutesDuration(minutes);
    *week.mutable_contracted_duration() = MinutesDuration(contracted);
    *week.mutable_overtime() =
        MinutesDuration(contracted > 0 ? std::max<Minutes>(0, minutes - contracted) : 0);
  }
  return report;
}

PayrollExport BuildPayrollCsv(Minutes from, Minutes to, const std::vector<WorkedEntry>& approved,
                              const std::map<std::string, CrewContract>& crew) {
  std::vector<const WorkedEntry*> entries;
  for (const WorkedEntry& entry : approved) {
    if (entry.state == v1::TIMESHEET_STATE_APPROVED) entries.push_back(&entry);
  }
  // By person, then as they started: each person's weeks in one run of lines.
  std::sort(entries.begin(), entries.end(), [](const WorkedEntry* a, const WorkedEntry* b) {
    return std::tie(a->crew_member_id, a->hours.start, a->entry_id) <
           std::tie(b->crew_member_id, b->hours.start, b->entry_id);
  });

  PayrollExport result;
  result.csv =
      "entry_id,crew_member_id,display_name,order_id,task_id,date,start,finish,break_minutes,"
      "worked_minutes,overtime_minutes,approved_by,other_work\r\n";
  std::pair<std::string, Minutes> week{"", -1};
  Minutes worked_in_week = 0;
  for (const WorkedEntry* entry : entries) {
    const std::pair<std::string, Minutes> this_week{entry->crew_member_id,
                                                    WeekStartOf(entry->hours.start)};
    if (this_week != week) {
      week = this_week;
      worked_in_week = 0;
    }
    const Minutes worked = entry->hours.worked();
    Minutes contracted = 0;
    std::string display_name;
    if (auto found = crew.find(entry->crew_member_id); found != crew.end()) {
      contracted = found->second.contracted_week;
      display_name = found->second.display_name;
    }
    // This entry's share of the week's overtime: what of it lies beyond the contract, counting
    // the week's earlier entries first.
    const Minutes overtime = contracted > 0
                                 ? std::max<Minutes>(0, worked_in_week + worked - contracted) -
                                       std::max<Minutes>(0, worked_in_week - contracted)
                                 : 0;
    worked_in_week += worked;
    if (entry->hours.start < from || entry->hours.start >= to) continue;
    std::vector<std::string> cells = {common::CsvCell(entry->entry_id),
                                      common::CsvCell(entry->crew_member_id),
                                      common::CsvCell(display_name),
                                      common::CsvCell(entry->order_id),
                                      common::CsvCell(entry->task_id),
                                      UtcText(entry->hours.start, "%Y-%m-%d"),
                                      UtcText(entry->hours.start, "%Y-%m-%dT%H:%M:00Z"),
                                      UtcText(entry->hours.finish, "%Y-%m-%dT%H:%M:00Z"),
                                      std::to_string(entry->hours.break_minutes),
                                      std::to_string(worked),
                                      std::to_string(overtime),
                                      common::CsvCell(entry->approved_by),
                                      OtherWorkWord(entry->other_work)};
    absl::StrAppend(&result.csv, absl::StrJoin(cells, ","), "\r\n");
    ++result.entry_count;
  }
  return result;
}

}  // namespace salesops::scheduling
