#pragma once

// Timesheets (issue 20, README "Timesheets"): hours one person worked on one task, reported by
// them (or by OPS for them), confirmed by a crew chief on the same task (or OPS), approved or
// sent back by OPS; planned against worked per order and person, each person's weeks against
// their contract, and the payroll CSV. Pure functions: no gRPC, no database; the time is passed
// in.
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "salesops/v1/scheduling.pb.h"
#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// Hours may end this far past now (a phone's clock running fast, a shift reported as it ends).
inline constexpr int64_t kHoursFutureToleranceSeconds = 10 * 60;
// The longest one entry may span, start to finish, break included.
inline constexpr Minutes kLongestReportedSpan = 24 * 60;
// What one labour report may hold (GetLabourReportResponse's limits).
inline constexpr size_t kMaxLabourLines = 1000;
inline constexpr size_t kMaxLabourWeeks = 5000;

// Reported hours as kept: whole minutes on the solver's axis (minutes since the Unix epoch);
// seconds are dropped.
struct ReportedHours {
  Minutes start = 0;
  Minutes finish = 0;
  Minutes break_minutes = 0;
  Minutes worked() const { return finish - start - break_minutes; }
};

// The hours of a ReportHours entry at `now_seconds`: finish after start, a break that is not
// negative and shorter than the span, at most kLongestReportedSpan, not ending in the future
// (beyond the tolerance). Or INVALID_ARGUMENT naming each bad field ("entry.finish_time").
absl::StatusOr<ReportedHours> CheckReportedHours(const v1::TimesheetEntry& entry,
                                                 int64_t now_seconds);

// What a ReportHours entry says was worked: a task (task_id), or work on no task (other_work),
// exactly one; OTHER_WORK_OTHER with a note saying what. Or INVALID_ARGUMENT naming the field.
absl::Status CheckWhatWasWorked(const v1::TimesheetEntry& entry);

// The word for other work in listings and the payroll CSV ("warehouse"; "" for none).
std::string OtherWorkWord(v1::OtherWork other_work);

// Hours may not overlap hours of the same person already reported (and not sent back) when
// either is other work: they would be paid twice. FAILED_PRECONDITION naming
// entry.start_time and the entry overlapped.
absl::Status OverlappingHoursError(const std::string& crew_member_id,
                                   const std::string& overlapped_entry_id,
                                   const ReportedHours& overlapped);

// What a task tells about the hours reported on it (empty for other work).
struct TimesheetTask {
  std::string task_id;
  std::string order_id;
  Minutes duration = 0;  // what the plan gives each person on it
  std::vector<std::string> crew_ids;
};

// Whether `crew_member_id` is assigned to `task` now.
bool WorksOn(const TimesheetTask& task, const std::string& crew_member_id);

// What happens to an entry: each moves it to one state, from the states it names.
enum class HoursAction {
  kReport,   // REPORTED, from none, REPORTED, CONFIRMED or REJECTED (reporting again replaces)
  kConfirm,  // CONFIRMED, from REPORTED
  kApprove,  // APPROVED, from REPORTED or CONFIRMED: final
  kReject,   // REJECTED, from REPORTED or CONFIRMED
};
v1::TimesheetState StateAfter(HoursAction action);
// INVALID_STAGE_TRANSITION (FAILED_PRECONDITION) when `action` cannot happen to an entry in
// `state` (UNSPECIFIED: there is none yet); `what` names the entry in the message ("hours 7f3e",
// "vic's hours on ORDER-1/SETUP").
absl::Status CheckHoursTransition(v1::TimesheetState state, HoursAction action,
                                  const std::string& what);

// A crew chief (a CREW caller whose member has crew_chief) confirming `entry`: the hours of
// someone else on a task the chief is assigned to. Their own hours are OPS's to confirm;
// everything else is refused as someone else's data is (PERMISSION_DENIED, ROLE_NOT_ALLOWED),
// alike whether it exists or not.
absl::Status CheckChiefMayConfirm(const std::string& chief_id, const v1::TimesheetEntry& entry,
                                  const TimesheetTask& task);

// The first whole minute at or after `time`: a minute is inside a range [from, to) of a
// request when it starts there.
Minutes FirstMinuteFrom(const google::protobuf::Timestamp& time);

// Monday 00:00 UTC at or before `minute`: where the week of a minute starts.
Minutes WeekStartOf(Minutes minute);

// ---- Labour report and payroll ----------------------------------------------------------------

// A task placed in the report's range: its per-person duration and who it is on.
struct PlannedPlace {
  std::string task_id;
  std::string order_id;
  Minutes start = 0;
  Minutes duration = 0;
  std::vector<std::string> crew_ids;
};

// One timesheet entry as the report and the export read it.
struct WorkedEntry {
  std::string entry_id;
  std::string task_id;
  std::string order_id;
  std::string crew_member_id;
  ReportedHours hours;
  v1::TimesheetState state = v1::TIMESHEET_STATE_UNSPECIFIED;
  std::string approved_by;
  v1::OtherWork other_work = v1::OTHER_WORK_UNSPECIFIED;  // set when task_id is empty
};

// What the report needs of a crew member.
struct CrewContract {
  std::string display_name;
  Minutes contracted_week = 0;  // 0: no contracted week, so no overtime
};

// A report's question: [from, to), optionally one order and one person.
struct LabourQuery {
  Minutes from = 0;
  Minutes to = 0;
  std::string order_id;
  std::string crew_member_id;
};

// The weeks a range touches: from the Monday at or before `from` to the Monday after the week
// holding `to - 1`.
struct WeekSpan {
  Minutes from = 0;
  Minutes to = 0;
};
WeekSpan WeeksAround(Minutes from, Minutes to);

// Planned against worked per order and per person, and each person's weeks against their
// contract.
// - `planned`: the tasks placed in the range (the query's filters applied): person-time is
//   duration × people assigned; with a person asked for, only theirs.
// - `worked`: entries of the people concerned starting anywhere in WeeksAround(range), of every
//   order: lines count those starting in the range that match the filters (worked: every state
//   but REJECTED; approved: APPROVED); a week counts all of the person's worked hours in it,
//   whatever order, so that its overtime is the person's. Other work (no order) counts in the
//   person's lines, as other_work_duration too, and in their weeks, never in an order's line.
// - `crew`: names and contracts of the people concerned.
// Orders by id, people by id, weeks by person and then time; only weeks with hours worked.
// INVALID_ARGUMENT on `range` when a list would outgrow the response's limits.
absl::StatusOr<v1::GetLabourReportResponse> BuildLabourReport(
    const LabourQuery& query, const std::vector<PlannedPlace>& planned,
    const std::vector<WorkedEntry>& worked, const std::map<std::string, CrewContract>& crew);

// The payroll CSV (README "Timesheets"): one line per APPROVED entry starting in [from, to),
// by start time, with the part of its minutes beyond the person's contracted week (the week's
// approved entries counted in the order they started, so a week's lines sum to its overtime).
// `approved` holds the approved entries starting in WeeksAround(from, to). Other work has no
// order or task, and names itself in the last column. Text cells are one
// line, quoted as RFC 4180 says, and defused when a spreadsheet would read them as a formula.
struct PayrollExport {
  std::string csv;
  int entry_count = 0;
};
PayrollExport BuildPayrollCsv(Minutes from, Minutes to, const std::vector<WorkedEntry>& approved,
                              const std::map<std::string, CrewContract>& crew);

}  // namespace salesops::scheduling
