// Timesheet rules (timesheet_rules.h): what reported hours may be, how an entry moves, who
// confirms, the labour report's planned against worked and weeks against the contract, and the
// payroll CSV. The time is passed in.
#include "services/scheduling/timesheet_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "services/common/csv.h"
#include "services/common/grpc_errors.h"

namespace salesops::scheduling {
namespace {

constexpr int64_t kTimesheetMonday = 1'904'256'000;  // Mon 2030-05-06 00:00 UTC, in seconds
constexpr Minutes kMondayMinute = kTimesheetMonday / 60;
constexpr Minutes kHourMinutes = 60;
constexpr Minutes kDayMinutes = 24 * kHourMinutes;

common::ErrorDetails TimesheetDetails(const absl::Status& status) {
  return common::ParseGrpcError(common::ToGrpcStatus(status));
}

// Hours from `start` to `finish` seconds after Monday 00:00, with a break of `break_seconds`.
v1::TimesheetEntry HoursEntry(int64_t start, int64_t finish, int64_t break_seconds = 0) {
  v1::TimesheetEntry entry;
  entry.set_task_id("ORDER-1/SETUP-VIDEO");
  entry.mutable_start_time()->set_seconds(kTimesheetMonday + start);
  entry.mutable_finish_time()->set_seconds(kTimesheetMonday + finish);
  if (break_seconds != 0) entry.mutable_break_duration()->set_seconds(break_seconds);
  return entry;
}

// The fields an INVALID_ARGUMENT names, in order.
std::vector<std::string> BadFields(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::vector<std::string> fields;
  for (const auto& violation : TimesheetDetails(status).violations) {
    fields.push_back(violation.field);
  }
  return fields;
}

constexpr int64_t kLaterThatWeek = kTimesheetMonday + 5 * 24 * 3600;

TEST(TimesheetRulesTest, ReportedHoursAreKeptToTheMinuteWithTheirBreak) {
  absl::StatusOr<ReportedHours> hours =
      CheckReportedHours(HoursEntry(8 * 3600 + 59, 17 * 3600 + 30, 30 * 60 + 20), kLaterThatWeek);
  ASSERT_TRUE(hours.ok()) << hours.status();
  EXPECT_EQ(hours->start, kMondayMinute + 8 * 60);  // 08:00:59 is 08:00
  EXPECT_EQ(hours->finish, kMondayMinute + 17 * 60);
  EXPECT_EQ(hours->break_minutes, 30);
  EXPECT_EQ(hours->worked(), 9 * 60 - 30);
}

TEST(TimesheetRulesTest, ReportedHoursThatCannotBeAreRefusedNamingTheField) {
  // Finish before start, or within the same minute.
  EXPECT_EQ(BadFields(CheckReportedHours(HoursEntry(10 * 3600, 9 * 3600), kLaterThatWeek).status()),
            std::vector<std::string>{"entry.finish_time"});
  EXPECT_EQ(
      BadFields(CheckReportedHours(HoursEntry(10 * 3600, 10 * 3600 + 30), kLaterThatWeek).status()),
      std::vector<std::string>{"entry.finish_time"});
  // A break as long as the span, or longer.
  EXPECT_EQ(
      BadFields(
          CheckReportedHours(HoursEntry(8 * 3600, 10 * 3600, 2 * 3600), kLaterThatWeek).status()),
      std::vector<std::string>{"entry.break_duration"});
  EXPECT_TRUE(
      CheckReportedHours(HoursEntry(8 * 3600, 10 * 3600, 2 * 3600 - 60), kLaterThatWeek).ok());
  // More than 24 hours; exactly 24 is a (long) shift.
  EXPECT_EQ(BadFields(CheckReportedHours(HoursEntry(0, 24 * 3600 + 60), kLaterThatWeek).status()),
            std::vector<std::string>{"entry.finish_time"});
  EXPECT_TRUE(CheckReportedHours(HoursEntry(0, 24 * 3600), kLaterThatWeek).ok());
  // Missing times.
  v1::TimesheetEntry no_times;
  EXPECT_EQ(BadFields(CheckReportedHours(no_times, kLaterThatWeek).status()),
            (std::vector<std::string>{"entry.start_time", "entry.finish_time"}));
}

TEST(TimesheetRulesTest, HoursEndNoLaterThanTenMinutesFromNow) {
  const int64_t now = kTimesheetMonday + 17 * 3600;
  EXPECT_TRUE(CheckReportedHours(HoursEntry(8 * 3600, 17 * 3600 + 10 * 60), now).ok());
  absl::Status ahead = CheckReportedHours(HoursEntry(8 * 3600, 17 * 3600 + 11 * 60), now).status();
  EXPECT_EQ(BadFields(ahead), std::vector<std::string>{"entry.finish_time"});
  EXPECT_NE(ahead.ToString().find("future"), std::string::npos) << ahead;
}

TEST(TimesheetRulesTest, AnEntryMovesReportedConfirmedApprovedAndApprovedIsFinal) {
  using State = v1::TimesheetState;
  const State none = v1::TIMESHEET_STATE_UNSPECIFIED, reported = v1::TIMESHEET_STATE_REPORTED,
              confirmed = v1::TIMESHEET_STATE_CONFIRMED, approved = v1::TIMESHEET_STATE_APPROVED,
              rejected = v1::TIMESHEET_STATE_REJECTED;
  const std::map<HoursAction, std::set<State>> allowed = {
      {HoursAction::kReport, {none, reported, confirmed, rejected}},
      {HoursAction::kConfirm, {reported}},
      {HoursAction::kApprove, {reported, confirmed}},
      {HoursAction::kReject, {reported, confirmed}}};
  for (const auto& [action, from] : allowed) {
    for (State state : {none, reported, confirmed, approved, rejected}) {
      SCOPED_TRACE(v1::TimesheetState_Name(state));
      absl::Status status = CheckHoursTransition(state, action, "hours E-1");
      if (from.count(state) > 0) {
        EXPECT_TRUE(status.ok()) << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(TimesheetDetails(status).reason, "INVALID_STAGE_TRANSITION");
      }
    }
  }
  EXPECT_EQ(StateAfter(HoursAction::kReport), reported);
  EXPECT_EQ(StateAfter(HoursAction::kConfirm), confirmed);
  EXPECT_EQ(StateAfter(HoursAction::kApprove), approved);
  EXPECT_EQ(StateAfter(HoursAction::kReject), rejected);
}

TEST(TimesheetRulesTest, AChiefConfirmsTheOthersOnTheirOwnTasksOnly) {
  const TimesheetTask task{"ORDER-1/SETUP-VIDEO", "ORDER-1", 240, {"vic", "val"}};
  v1::TimesheetEntry vics;
  vics.set_crew_member_id("vic");
  EXPECT_TRUE(CheckChiefMayConfirm("val", vics, task).ok());

  // Their own: OPS confirm it.
  v1::TimesheetEntry vals;
  vals.set_crew_member_id("val");
  absl::Status own = CheckChiefMayConfirm("val", vals, task);
  EXPECT_EQ(own.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(own.ToString().find("OPS"), std::string::npos);
  // A task they do not work.
  absl::Status elsewhere = CheckChiefMayConfirm("abe", vics, task);
  EXPECT_EQ(elsewhere.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(TimesheetDetails(elsewhere).reason, "ROLE_NOT_ALLOWED");
}

TEST(TimesheetRulesTest, WeeksStartOnMondayAtMidnightUtc) {
  EXPECT_EQ(WeekStartOf(kMondayMinute), kMondayMinute);
  EXPECT_EQ(WeekStartOf(kMondayMinute + 6 * kDayMinutes + 23 * kHourMinutes + 59), kMondayMinute);
  EXPECT_EQ(WeekStartOf(kMondayMinute + 7 * kDayMinutes), kMondayMinute + 7 * kDayMinutes);
  EXPECT_EQ(WeekStartOf(kMondayMinute - 1), kMondayMinute - 7 * kDayMinutes);
  // 1970-01-05 was the first Monday; the Thursday before it belongs to the week of 1969-12-29.
  EXPECT_EQ(WeekStartOf(4 * kDayMinutes), 4 * kDayMinutes);
  EXPECT_EQ(WeekStartOf(0), -3 * kDayMinutes);
  // A range from Wednesday to the next Tuesday touches two weeks.
  const WeekSpan weeks =
      WeeksAround(kMondayMinute + 2 * kDayMinutes, kMondayMinute + 8 * kDayMinutes);
  EXPECT_EQ(weeks.from, kMondayMinute);
  EXPECT_EQ(weeks.to, kMondayMinute + 14 * kDayMinutes);
  google::protobuf::Timestamp at;
  at.set_seconds(kTimesheetMonday + 1);
  EXPECT_EQ(FirstMinuteFrom(at), kMondayMinute + 1);
  at.set_seconds(kTimesheetMonday);
  EXPECT_EQ(FirstMinuteFrom(at), kMondayMinute);
}

// An entry of `person` on `order`, `day` days after Monday, from `start_hour` for `hours`.
WorkedEntry Worked(const std::string& id, const std::string& person, const std::string& order,
                   int day, int start_hour, int hours, v1::TimesheetState state,
                   Minutes break_minutes = 0) {
  WorkedEntry entry;
  entry.entry_id = id;
  entry.task_id = order + "/SETUP";
  entry.order_id = order;
  entry.crew_member_id = person;
  entry.hours.start = kMondayMinute + day * kDayMinutes + start_hour * kHourMinutes;
  entry.hours.finish = entry.hours.start + hours * kHourMinutes;
  entry.hours.break_minutes = break_minutes;
  entry.state = state;
  entry.approved_by = state == v1::TIMESHEET_STATE_APPROVED ? "ops-1" : "";
  return entry;
}

PlannedPlace Placed(const std::string& order, int day, int hours,
                    std::vector<std::string> crew_ids) {
  return {order + "/SETUP", order, kMondayMinute + day * kDayMinutes + 8 * kHourMinutes,
          hours * kHourMinutes, std::move(crew_ids)};
}

Minutes InMinutes(const google::protobuf::Duration& duration) { return duration.seconds() / 60; }

TEST(TimesheetRulesTest, TheLabourReportSetsPlannedAgainstWorkedPerOrderAndPerson) {
  const LabourQuery week{kMondayMinute, kMondayMinute + 7 * kDayMinutes, "", ""};
  const std::vector<PlannedPlace> planned = {
      Placed("ORDER-A", 0, 8, {"vic", "val"}),  // 16 h of person-time
      Placed("ORDER-B", 1, 4, {"vic"}),
      Placed("ORDER-C", 9, 4, {"vic"})};  // the week after: not in the report
  const std::vector<WorkedEntry> worked = {
      Worked("1", "vic", "ORDER-A", 0, 8, 9, v1::TIMESHEET_STATE_APPROVED, 30),
      Worked("2", "val", "ORDER-A", 0, 8, 8, v1::TIMESHEET_STATE_CONFIRMED),
      Worked("3", "vic", "ORDER-B", 1, 8, 5, v1::TIMESHEET_STATE_REPORTED),
      Worked("4", "val", "ORDER-B", 1, 8, 3, v1::TIMESHEET_STATE_REJECTED)};
  const std::map<std::string, CrewContract> crew = {{"vic", {"Vic Vega", 40 * kHourMinutes}},
                                                    {"val", {"Val Kilmer", 0}}};
  absl::StatusOr<v1::GetLabourReportResponse> report =
      BuildLabourReport(week, planned, worked, crew);
  ASSERT_TRUE(report.ok()) << report.status();

  ASSERT_EQ(report->orders_size(), 2);
  EXPECT_EQ(report->orders(0).order_id(), "ORDER-A");
  EXPECT_EQ(InMinutes(report->orders(0).planned_duration()), 16 * 60);
  EXPECT_EQ(InMinutes(report->orders(0).worked_duration()), 8 * 60 + 30 + 8 * 60);
  EXPECT_EQ(InMinutes(report->orders(0).approved_duration()), 8 * 60 + 30);
  EXPECT_EQ(report->orders(1).order_id(), "ORDER-B");
  EXPECT_EQ(InMinutes(report->orders(1).planned_duration()), 4 * 60);
  EXPECT_EQ(InMinutes(report->orders(1).worked_duration()), 5 * 60);  // rejected hours do not
  EXPECT_EQ(InMinutes(report->orders(1).approved_duration()), 0);

  ASSERT_EQ(report->people_size(), 2);
  EXPECT_EQ(report->people(0).crew_member_id(), "val");
  EXPECT_EQ(report->people(0).display_name(), "Val Kilmer");
  EXPECT_EQ(InMinutes(report->people(0).planned_duration()), 8 * 60);
  EXPECT_EQ(InMinutes(report->people(0).worked_duration()), 8 * 60);
  EXPECT_EQ(report->people(1).crew_member_id(), "vic");
  EXPECT_EQ(InMinutes(report->people(1).planned_duration()), 12 * 60);
  EXPECT_EQ(InMinutes(report->people(1).worked_duration()), 13 * 60 + 30);

  // Weeks: Vic's against 40 h, Val without a contract (no overtime).
  ASSERT_EQ(report->weeks_size(), 2);
  EXPECT_EQ(report->weeks(0).crew_member_id(), "val");
  EXPECT_EQ(InMinutes(report->weeks(0).overtime()), 0);
  EXPECT_EQ(report->weeks(1).crew_member_id(), "vic");
  EXPECT_EQ(report->weeks(1).week_start_time().seconds(), kTimesheetMonday);
  EXPECT_EQ(InMinutes(report->weeks(1).contracted_duration()), 40 * 60);
  EXPECT_EQ(InMinutes(report->weeks(1).overtime()), 0);
}

TEST(TimesheetRulesTest, AWeekBeyondTheContractIsOvertimeWhateverTheOrders) {
  std::vector<WorkedEntry> worked;
  for (int day = 0; day < 5; ++day) {
    worked.push_back(Worked("A" + std::to_string(day), "vic", "ORDER-A", day, 8, 9,
                            v1::TIMESHEET_STATE_REPORTED));
  }
  worked.push_back(Worked("B", "vic", "ORDER-B", 5, 8, 6, v1::TIMESHEET_STATE_APPROVED));
  const std::map<std::string, CrewContract> crew = {{"vic", {"Vic", 40 * kHourMinutes}}};
  // Asked for ORDER-B on Saturday alone: the line is that order's, the week is Vic's whole week.
  const LabourQuery saturday{kMondayMinute + 5 * kDayMinutes, kMondayMinute + 6 * kDayMinutes,
                             "ORDER-B", ""};
  absl::StatusOr<v1::GetLabourReportResponse> report =
      BuildLabourReport(saturday, {}, worked, crew);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->orders_size(), 1);
  EXPECT_EQ(InMinutes(report->orders(0).worked_duration()), 6 * 60);
  ASSERT_EQ(report->weeks_size(), 1);
  EXPECT_EQ(InMinutes(report->weeks(0).worked_duration()), 51 * 60);
  EXPECT_EQ(InMinutes(report->weeks(0).overtime()), 11 * 60);
}

// The rows of a CSV without quoted line breaks (the export writes none), split on commas
// outside quotes.
std::vector<std::vector<std::string>> CsvRows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(line.empty() || line.back() != '\r') << "rows end in CRLF: " << line;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.emplace_back();
      } else {
        cells.back() += c;
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

TEST(TimesheetRulesTest, ThePayrollCsvHasOneLinePerApprovedEntryWithItsShareOfOvertime) {
  std::vector<WorkedEntry> approved;
  // Vic, 40 h contracted: 4 x 9 h Mon-Thu (36 h), then Friday 9 h with a 30 min break: 4 h 30
  // of Friday's 8 h 30 are overtime. The Monday entry is outside the export's range (Tue-Sat)
  // but still counts towards the week.
  for (int day = 0; day < 4; ++day) {
    approved.push_back(Worked("V" + std::to_string(day), "vic", "ORDER-A", day, 8, 9,
                              v1::TIMESHEET_STATE_APPROVED));
  }
  approved.push_back(
      Worked("V4", "vic", "ORDER-B", 4, 8, 9, v1::TIMESHEET_STATE_APPROVED, /*break=*/30));
  // Not approved: never exported.
  approved.push_back(Worked("X", "vic", "ORDER-B", 2, 20, 2, v1::TIMESHEET_STATE_CONFIRMED));
  // A name and an order id a spreadsheet would misread.
  WorkedEntry hostile = Worked("H", "=cmd", "+ORDER,\"1\"", 1, 8, 4, v1::TIMESHEET_STATE_APPROVED);
  hostile.approved_by = "@ops\nadmin";
  approved.push_back(hostile);
  const std::map<std::string, CrewContract> crew = {{"vic", {"Vega, Vic", 40 * kHourMinutes}},
                                                    {"=cmd", {"-2+3", 0}}};

  PayrollExport payroll =
      BuildPayrollCsv(kMondayMinute + kDayMinutes, kMondayMinute + 6 * kDayMinutes, approved, crew);
  EXPECT_EQ(payroll.entry_count, 5);
  std::vector<std::vector<std::string>> rows = CsvRows(payroll.csv);
  ASSERT_EQ(rows.size(), 6u) << payroll.csv;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"entry_id", "crew_member_id", "display_name",
                                               "order_id", "task_id", "date", "start", "finish",
                                               "break_minutes", "worked_minutes",
                                               "overtime_minutes", "approved_by", "other_work"}));
  for (const auto& row : rows) ASSERT_EQ(row.size(), 13u) << payroll.csv;

  // By person: "'=cmd" sorts before "vic"; its cells are text a spreadsheet will not run.
  EXPECT_EQ(rows[1][0], "H");
  EXPECT_EQ(rows[1][1], "'=cmd");
  EXPECT_EQ(rows[1][2], "'-2+3");
  EXPECT_EQ(rows[1][3], "'+ORDER,\"1\"");
  EXPECT_EQ(rows[1][11], "'@ops admin");
  EXPECT_NE(payroll.csv.find("\"'+ORDER,\"\"1\"\"\""), std::string::npos) << payroll.csv;

  // Vic: Tuesday to Friday; Friday carries the overtime.
  EXPECT_EQ(rows[2][0], "V1");
  EXPECT_EQ(rows[2][2], "Vega, Vic");
  EXPECT_EQ(rows[2][5], "2030-05-07");
  EXPECT_EQ(rows[2][6], "2030-05-07T08:00:00Z");
  EXPECT_EQ(rows[2][7], "2030-05-07T17:00:00Z");
  EXPECT_EQ(rows[2][9], "540");
  EXPECT_EQ(rows[2][10], "0");
  EXPECT_EQ(rows[2][11], "ops-1");
  EXPECT_EQ(rows[5][0], "V4");
  EXPECT_EQ(rows[5][8], "30");
  EXPECT_EQ(rows[5][9], "510");
  EXPECT_EQ(rows[5][10], "270");
  EXPECT_EQ(payroll.csv.find("X,"), std::string::npos) << "confirmed hours are not payroll's";
}

TEST(TimesheetRulesTest, HoursAreOnATaskOrOnOtherWorkAndOtherWorkSaysWhat) {
  v1::TimesheetEntry on_task = HoursEntry(8 * 3600, 12 * 3600);
  EXPECT_TRUE(CheckWhatWasWorked(on_task).ok());
  v1::TimesheetEntry warehouse = on_task;
  warehouse.clear_task_id();
  warehouse.set_other_work(v1::OTHER_WORK_WAREHOUSE);
  EXPECT_TRUE(CheckWhatWasWorked(warehouse).ok());

  v1::TimesheetEntry neither = on_task;
  neither.clear_task_id();
  EXPECT_EQ(BadFields(CheckWhatWasWorked(neither)), std::vector<std::string>{"entry.task_id"});
  v1::TimesheetEntry both = on_task;
  both.set_other_work(v1::OTHER_WORK_TRAINING);
  EXPECT_EQ(BadFields(CheckWhatWasWorked(both)), std::vector<std::string>{"entry.other_work"});
  v1::TimesheetEntry unknown = warehouse;
  unknown.set_other_work(static_cast<v1::OtherWork>(99));
  EXPECT_EQ(BadFields(CheckWhatWasWorked(unknown)), std::vector<std::string>{"entry.other_work"});
  // "Other" needs the note to say what it was; blank is no note.
  v1::TimesheetEntry other = warehouse;
  other.set_other_work(v1::OTHER_WORK_OTHER);
  other.set_note(" \t ");
  EXPECT_EQ(BadFields(CheckWhatWasWorked(other)), std::vector<std::string>{"entry.note"});
  other.set_note("Trade fair stand");
  EXPECT_TRUE(CheckWhatWasWorked(other).ok());

  EXPECT_EQ(OtherWorkWord(v1::OTHER_WORK_WAREHOUSE), "warehouse");
  EXPECT_EQ(OtherWorkWord(v1::OTHER_WORK_UNSPECIFIED), "");
  const absl::Status overlap = OverlappingHoursError(
      "vic", "e-1", {kMondayMinute + 8 * kHourMinutes, kMondayMinute + 12 * kHourMinutes, 0});
  EXPECT_EQ(overlap.code(), absl::StatusCode::kFailedPrecondition);
  const common::ErrorDetails details = TimesheetDetails(overlap);
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "entry.start_time");
  EXPECT_NE(
      details.violations[0].description.find("e-1 (2030-05-06 08:00 to 2030-05-06 12:00 UTC)"),
      std::string::npos)
      << details.violations[0].description;
}

// Other work of `person` on `day`: no order, no task.
WorkedEntry OtherWorked(const std::string& id, const std::string& person, int day, int hours,
                        v1::TimesheetState state) {
  WorkedEntry entry = Worked(id, person, "", day, 7, hours, state);
  entry.task_id.clear();
  entry.other_work = v1::OTHER_WORK_WAREHOUSE;
  return entry;
}

TEST(TimesheetRulesTest, OtherWorkCountsForThePersonAndTheWeekButNoOrder) {
  const LabourQuery week{kMondayMinute, kMondayMinute + 7 * kDayMinutes, "", ""};
  const std::vector<WorkedEntry> worked = {
      Worked("1", "vic", "ORDER-A", 0, 8, 8, v1::TIMESHEET_STATE_APPROVED),
      OtherWorked("2", "vic", 1, 6, v1::TIMESHEET_STATE_APPROVED),
      OtherWorked("3", "vic", 2, 4, v1::TIMESHEET_STATE_REPORTED),
      OtherWorked("4", "vic", 3, 5, v1::TIMESHEET_STATE_REJECTED)};
  const std::map<std::string, CrewContract> crew = {{"vic", {"Vic", 16 * kHourMinutes}}};
  absl::StatusOr<v1::GetLabourReportResponse> report =
      BuildLabourReport(week, {Placed("ORDER-A", 0, 8, {"vic"})}, worked, crew);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->orders_size(), 1) << "other work has no order line";
  EXPECT_EQ(InMinutes(report->orders(0).worked_duration()), 8 * 60);
  EXPECT_EQ(InMinutes(report->orders(0).other_work_duration()), 0);
  ASSERT_EQ(report->people_size(), 1);
  EXPECT_EQ(InMinutes(report->people(0).planned_duration()), 8 * 60);
  EXPECT_EQ(InMinutes(report->people(0).worked_duration()), 18 * 60);
  EXPECT_EQ(InMinutes(report->people(0).approved_duration()), 14 * 60);
  EXPECT_EQ(InMinutes(report->people(0).other_work_duration()), 10 * 60);
  ASSERT_EQ(report->weeks_size(), 1);
  EXPECT_EQ(InMinutes(report->weeks(0).overtime()), 2 * 60);

  // Asked for the order: the person's line is that order's work alone; the week stays whole.
  const LabourQuery order_a{week.from, week.to, "ORDER-A", ""};
  report = BuildLabourReport(order_a, {Placed("ORDER-A", 0, 8, {"vic"})}, worked, crew);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->people_size(), 1);
  EXPECT_EQ(InMinutes(report->people(0).worked_duration()), 8 * 60);
  EXPECT_EQ(InMinutes(report->people(0).other_work_duration()), 0);
  EXPECT_EQ(InMinutes(report->weeks(0).worked_duration()), 18 * 60);

  // The payroll CSV: no order or task, and what it was in the last column.
  const PayrollExport payroll = BuildPayrollCsv(week.from, week.to, worked, crew);
  const std::vector<std::vector<std::string>> rows = CsvRows(payroll.csv);
  ASSERT_EQ(rows.size(), 3u) << payroll.csv;
  EXPECT_EQ(rows[1][12], "");
  EXPECT_EQ(rows[2][0], "2");
  EXPECT_EQ(rows[2][3], "");
  EXPECT_EQ(rows[2][4], "");
  EXPECT_EQ(rows[2][10], "0");
  EXPECT_EQ(rows[2][12], "warehouse");
}

TEST(TimesheetRulesTest, CsvTextIsOneQuotedLineThatNeverRunsAsAFormula) {
  EXPECT_EQ(common::CsvCell("Ann"), "Ann");
  EXPECT_EQ(common::CsvCell("Ann, Ben"), "\"Ann, Ben\"");
  EXPECT_EQ(common::CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(common::CsvCell("two\r\nlines"), "two  lines");
  EXPECT_EQ(common::CsvCell("=1+1"), "'=1+1");
  EXPECT_EQ(common::CsvCell("-1"), "'-1");
  EXPECT_EQ(common::CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(common::CsvCell("  =HYPERLINK(\"x\")"), "\"'  =HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(common::CsvCell("\t=1"), "' =1");
}

}  // namespace
}  // namespace salesops::scheduling
