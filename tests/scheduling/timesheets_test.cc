// Timesheets (issue 20, item 5) over real gRPC, on a real scheduling process: crew report the
// hours they worked on their tasks, a crew chief on the same task confirms them, OPS approve them
// (final) or send them back to be reported again; a crew token is refused everyone else's hours
// and tasks; the labour report sets planned against worked per order and person and each week
// against the contract; the payroll CSV carries approved hours only, quoted and defused.
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using google::protobuf::util::TimeUtil;
using Stub = v1::SchedulingService::Stub;

constexpr int64_t kTimesheetHour = 3600;
constexpr int64_t kTimesheetDay = 24 * kTimesheetHour;
constexpr int64_t kTimesheetWeek = 7 * kTimesheetDay;
constexpr char kHoursOrder[] = "ORDER-HOURS";
constexpr char kSetupVideo[] = "ORDER-HOURS/SETUP-VIDEO";
constexpr char kStrikeVideo[] = "ORDER-HOURS/STRIKE-VIDEO";
constexpr char kSetupAudio[] = "ORDER-HOURS/SETUP-AUDIO";

// Monday 00:00 UTC of the week before this one: every test hour lies in that past week.
int64_t LastMonday() {
  const int64_t now = TimeUtil::GetCurrentTime().seconds();
  const int64_t day = now / kTimesheetDay;
  return (day - (day + 3) % 7) * kTimesheetDay - kTimesheetWeek;
}

class TimesheetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    // Vic is Ann, Val is Ben, the crew chief: the show's two video technicians, on the same
    // video tasks. Vic is contracted for 10 hours a week.
    AddCrewAndTruck(scheduling_);
    ChangeCrewMember(scheduling_, "vic", [](v1::CrewMember& member) {
      member.set_person_id(TestTokens::kCrewAnn);
      member.mutable_contracted_weekly_duration()->set_seconds(10 * kTimesheetHour);
    });
    ChangeCrewMember(scheduling_, "val", [](v1::CrewMember& member) {
      member.set_person_id(TestTokens::kCrewBen);
      member.set_crew_chief(true);
    });
    v1::PlanJobResponse planned;
    grpc::Status status =
        scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, kHoursOrder, 1), &planned);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const char* task_id : {kSetupVideo, kStrikeVideo}) {
      const v1::Task task = TaskNamed(task_id);
      std::set<std::string> crew;
      for (const v1::Assignment& assignment : task.assignments()) {
        crew.insert(assignment.crew_member_id());
      }
      ASSERT_EQ(crew, (std::set<std::string>{"val", "vic"})) << task_id;
    }
  }

  const std::string& ann() const { return scheduling_.tokens().crew_ann; }
  const std::string& ben() const { return scheduling_.tokens().crew_ben; }
  const std::string& ops() const { return scheduling_.tokens().ops; }

  v1::Task TaskNamed(const std::string& task_id) {
    v1::GetJobStatusRequest request;
    request.set_order_id(kHoursOrder);
    v1::GetJobStatusResponse response;
    EXPECT_TRUE(scheduling_.Call(&Stub::GetJobStatus, request, &response).ok());
    for (const v1::Task& task : response.job().tasks()) {
      if (task.task_id() == task_id) return task;
    }
    ADD_FAILURE() << "no task " << task_id;
    return v1::Task();
  }

  // Work on no task, `other_work`, on `day` of last week from `start_hour` for `hours`.
  v1::ReportHoursRequest OtherHours(v1::OtherWork other_work, const std::string& crew_member_id,
                                    int day, int start_hour, int hours) const {
    v1::ReportHoursRequest request = Hours("", crew_member_id, day, start_hour, hours);
    request.mutable_entry()->set_other_work(other_work);
    request.mutable_entry()->set_note("stock-take");
    return request;
  }

  // Hours on `task_id` on `day` of last week (0: Monday), from `start_hour` for `hours`, with a
  // break; `crew_member_id` "" for "my own".
  v1::ReportHoursRequest Hours(const std::string& task_id, const std::string& crew_member_id,
                               int day, int start_hour, int hours, int break_minutes = 0) const {
    v1::ReportHoursRequest request;
    v1::TimesheetEntry& entry = *request.mutable_entry();
    entry.set_task_id(task_id);
    entry.set_crew_member_id(crew_member_id);
    const int64_t start = last_monday_ + day * kTimesheetDay + start_hour * kTimesheetHour;
    *entry.mutable_start_time() = TimeUtil::SecondsToTimestamp(start);
    *entry.mutable_finish_time() = TimeUtil::SecondsToTimestamp(start + hours * kTimesheetHour);
    if (break_minutes > 0) entry.mutable_break_duration()->set_seconds(break_minutes * 60);
    entry.set_note("load-in ran late");
    return request;
  }

  v1::TimesheetEntry Report(const v1::ReportHoursRequest& request, const std::string& token) {
    v1::ReportHoursResponse response;
    grpc::Status status = scheduling_.Call(&Stub::ReportHours, request, &response, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.entry();
  }

  grpc::Status Confirm(const std::string& entry_id, const std::string& token,
                       v1::TimesheetEntry* entry = nullptr, const std::string& etag = "") {
    v1::ConfirmHoursRequest request;
    request.set_entry_id(entry_id);
    request.set_etag(etag);
    v1::ConfirmHoursResponse response;
    grpc::Status status = scheduling_.Call(&Stub::ConfirmHours, request, &response, token);
    if (entry != nullptr) *entry = response.entry();
    return status;
  }

  grpc::Status Approve(const std::string& entry_id, bool approve, const std::string& reason,
                       v1::TimesheetEntry* entry = nullptr, const std::string& etag = "",
                       const std::string& token = "") {
    v1::ApproveHoursRequest request;
    request.set_entry_id(entry_id);
    request.set_approve(approve);
    request.set_reason(reason);
    request.set_etag(etag);
    v1::ApproveHoursResponse response;
    grpc::Status status =
        scheduling_.Call(&Stub::ApproveHours, request, &response, token.empty() ? ops() : token);
    if (entry != nullptr) *entry = response.entry();
    return status;
  }

  std::vector<v1::TimesheetEntry> List(const v1::ListTimesheetsRequest& request,
                                       const std::string& token) {
    v1::ListTimesheetsResponse response;
    grpc::Status status = scheduling_.Call(&Stub::ListTimesheets, request, &response, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.entries().begin(), response.entries().end()};
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int64_t>();
  }

  v1::GetLabourReportResponse LabourReport(const std::string& order_id,
                                           const std::string& crew_member_id) {
    v1::GetLabourReportRequest request;
    *request.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(last_monday_);
    *request.mutable_range()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(day0_ + 3 * kTimesheetDay);
    request.set_order_id(order_id);
    request.set_crew_member_id(crew_member_id);
    v1::GetLabourReportResponse response;
    grpc::Status status = scheduling_.Call(&Stub::GetLabourReport, request, &response, ops());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  const int64_t day0_ = TestDayZero();
  const int64_t last_monday_ = LastMonday();
  std::shared_ptr<TestDatabase> database_ = std::make_shared<TestDatabase>();
  // No background re-optimisation: what the test planned stays where it was placed.
  SchedulingFixture scheduling_{"scheduling", database_, {"--reoptimize-interval-seconds", "0"}};
};

void ExpectRefused(const grpc::Status& status, grpc::StatusCode code, const std::string& reason,
                   const std::string& what) {
  EXPECT_EQ(status.error_code(), code) << what << ": " << status.error_message();
  EXPECT_EQ(common::ParseGrpcError(status).reason, reason) << what;
}

int64_t Minutes(const google::protobuf::Duration& duration) { return duration.seconds() / 60; }

TEST_F(TimesheetsTest, CrewReportTheChiefConfirmsOpsApproveAndApprovedIsFinal) {
  // Ann reports her own hours (no id: hers): 08:00-17:00 with a 30 min break.
  v1::TimesheetEntry anns = Report(Hours(kSetupVideo, "", 0, 8, 9, 30), ann());
  ASSERT_FALSE(anns.entry_id().empty());
  EXPECT_EQ(anns.state(), v1::TIMESHEET_STATE_REPORTED);
  EXPECT_EQ(anns.crew_member_id(), "vic");
  EXPECT_EQ(anns.order_id(), kHoursOrder);
  EXPECT_EQ(anns.reported_by(), TestTokens::kCrewAnn);
  EXPECT_EQ(Minutes(anns.worked_duration()), 8 * 60 + 30);
  EXPECT_EQ(anns.planned_duration().seconds(), TaskNamed(kSetupVideo).duration().seconds());
  EXPECT_GT(anns.planned_duration().seconds(), 0);
  EXPECT_EQ(anns.note(), "load-in ran late");

  // Ann is no chief; Ben is, and works the task with her.
  ExpectRefused(Confirm(anns.entry_id(), ann()), grpc::StatusCode::PERMISSION_DENIED,
                "ROLE_NOT_ALLOWED", "Ann confirming");
  v1::TimesheetEntry confirmed;
  grpc::Status status = Confirm(anns.entry_id(), ben(), &confirmed, anns.etag());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(confirmed.state(), v1::TIMESHEET_STATE_CONFIRMED);
  EXPECT_EQ(confirmed.confirmed_by(), TestTokens::kCrewBen);
  EXPECT_NE(confirmed.etag(), anns.etag());
  ExpectRefused(Confirm(anns.entry_id(), ben()), grpc::StatusCode::FAILED_PRECONDITION,
                "INVALID_STAGE_TRANSITION", "confirming twice");

  // A chief's own hours are OPS's to confirm.
  v1::TimesheetEntry bens = Report(Hours(kSetupVideo, "", 0, 8, 10), ben());
  EXPECT_EQ(bens.crew_member_id(), "val");
  ExpectRefused(Confirm(bens.entry_id(), ben()), grpc::StatusCode::PERMISSION_DENIED,
                "ROLE_NOT_ALLOWED", "Ben confirming his own");
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries WHERE state = 2"), 1);

  // OPS approve Ann's, against a stale etag first.
  ExpectRefused(Approve(anns.entry_id(), true, "", nullptr, anns.etag()), grpc::StatusCode::ABORTED,
                "STALE_REVISION", "approving a stale etag");
  v1::TimesheetEntry approved;
  status = Approve(anns.entry_id(), true, "", &approved, confirmed.etag());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(approved.state(), v1::TIMESHEET_STATE_APPROVED);
  EXPECT_EQ(approved.approved_by(), "ops-1");
  EXPECT_EQ(approved.confirmed_by(), TestTokens::kCrewBen);

  // Approved is final: not reported again, not approved or sent back again.
  v1::ReportHoursResponse again;
  ExpectRefused(
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "", 0, 8, 7), &again, ann()),
      grpc::StatusCode::FAILED_PRECONDITION, "INVALID_STAGE_TRANSITION",
      "reporting approved hours again");
  ExpectRefused(
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "vic", 0, 8, 7), &again, ops()),
      grpc::StatusCode::FAILED_PRECONDITION, "INVALID_STAGE_TRANSITION",
      "OPS reporting approved hours again");
  ExpectRefused(Approve(anns.entry_id(), false, "too long"), grpc::StatusCode::FAILED_PRECONDITION,
                "INVALID_STAGE_TRANSITION", "rejecting approved hours");
  EXPECT_EQ(Count("SELECT finish_minute - start_minute FROM timesheet_entries WHERE "
                  "crew_member_id = 'vic'"),
            9 * 60);

  // OPS send Ben's back: a reason is required.
  v1::TimesheetEntry rejected;
  status = Approve(bens.entry_id(), false, "  ", &rejected);
  ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST", "no reason");
  ASSERT_EQ(common::ParseGrpcError(status).violations.size(), 1u);
  EXPECT_EQ(common::ParseGrpcError(status).violations[0].field, "reason");
  status = Approve(bens.entry_id(), false, "the show ended at 17:00", &rejected);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rejected.state(), v1::TIMESHEET_STATE_REJECTED);
  EXPECT_EQ(rejected.rejection_reason(), "the show ended at 17:00");
  ExpectRefused(Confirm(bens.entry_id(), ops()), grpc::StatusCode::FAILED_PRECONDITION,
                "INVALID_STAGE_TRANSITION", "confirming rejected hours");

  // Ben reports again: the same entry, reported, the reason gone; then OPS approve it.
  v1::TimesheetEntry corrected = Report(Hours(kSetupVideo, "", 0, 8, 9), ben());
  EXPECT_EQ(corrected.entry_id(), bens.entry_id());
  EXPECT_EQ(corrected.state(), v1::TIMESHEET_STATE_REPORTED);
  EXPECT_EQ(corrected.rejection_reason(), "");
  EXPECT_EQ(corrected.approved_by(), "");
  EXPECT_EQ(Minutes(corrected.worked_duration()), 9 * 60);
  ASSERT_TRUE(Approve(corrected.entry_id(), true, "", nullptr, corrected.etag()).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries WHERE state = 3"), 2);
}

TEST_F(TimesheetsTest, ListsShowCrewTheirOwnAndAChiefTheirTask) {
  const v1::TimesheetEntry anns = Report(Hours(kSetupVideo, "", 0, 8, 8), ann());
  const v1::TimesheetEntry bens = Report(Hours(kSetupVideo, "", 0, 8, 8), ben());
  Report(Hours(kStrikeVideo, "", 1, 20, 3), ann());
  Report(Hours(kSetupAudio, "abe", 0, 9, 4), ops());

  // OPS: everyone's, by start time; filtered by person, task, state and range.
  v1::ListTimesheetsRequest all;
  EXPECT_EQ(List(all, ops()).size(), 4u);
  v1::ListTimesheetsRequest vics;
  vics.set_crew_member_id("vic");
  EXPECT_EQ(List(vics, ops()).size(), 2u);
  v1::ListTimesheetsRequest monday;
  *monday.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(last_monday_);
  *monday.mutable_range()->mutable_no_later_than() =
      TimeUtil::SecondsToTimestamp(last_monday_ + kTimesheetDay);
  monday.set_task_id(kSetupVideo);
  EXPECT_EQ(List(monday, ops()).size(), 2u);
  ASSERT_TRUE(Approve(bens.entry_id(), true, "").ok());
  v1::ListTimesheetsRequest approved;
  approved.add_states(v1::TIMESHEET_STATE_APPROVED);
  std::vector<v1::TimesheetEntry> listed = List(approved, ops());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].entry_id(), bens.entry_id());
  // Pages of one follow each other to the end.
  v1::ListTimesheetsRequest paged;
  paged.set_page_size(1);
  std::set<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    v1::ListTimesheetsResponse response;
    ASSERT_TRUE(scheduling_.Call(&Stub::ListTimesheets, paged, &response, ops()).ok());
    for (const auto& entry : response.entries()) seen.insert(entry.entry_id());
    if (response.next_page_token().empty()) break;
    paged.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(seen.size(), 4u);

  // Ann: her own, whatever she asks for (nothing named: hers).
  const std::vector<v1::TimesheetEntry> anns_all = List(all, ann());
  EXPECT_EQ(anns_all.size(), 2u);
  for (const auto& entry : anns_all) EXPECT_EQ(entry.crew_member_id(), "vic");
  v1::ListTimesheetsRequest task;
  task.set_task_id(kSetupVideo);
  ASSERT_EQ(List(task, ann()).size(), 1u);
  EXPECT_EQ(List(task, ann())[0].entry_id(), anns.entry_id());
  // Ben, the chief, asking for a task he works: everyone's on it, to confirm.
  EXPECT_EQ(List(task, ben()).size(), 2u);
  // A task he does not work: only his own there (none).
  task.set_task_id(kSetupAudio);
  EXPECT_EQ(List(task, ben()).size(), 0u);
}

TEST_F(TimesheetsTest, ACrewTokenIsRefusedOtherPeoplesHoursAndTasksAlike) {
  const v1::TimesheetEntry abes = Report(Hours(kSetupAudio, "abe", 0, 9, 4), ops());
  ASSERT_FALSE(abes.entry_id().empty());
  const int64_t entries_before = Count("SELECT count(*) FROM timesheet_entries");

  v1::ReportHoursResponse response;
  // Someone else's hours, and someone who does not exist.
  grpc::Status refused =
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "val", 0, 8, 8), &response, ann());
  ExpectRefused(refused, grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED", "val's hours");
  const std::string refusal = refused.error_message();
  grpc::Status nobody =
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "nobody", 0, 8, 8), &response, ann());
  EXPECT_EQ(nobody.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(nobody.error_message(), refusal);
  // A task she does not work, and one that does not exist: the same answer.
  for (const char* task_id : {kSetupAudio, "ORDER-HOURS/NO-SUCH-TASK"}) {
    grpc::Status status =
        scheduling_.Call(&Stub::ReportHours, Hours(task_id, "", 0, 8, 8), &response, ann());
    ExpectRefused(status, grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED", task_id);
    EXPECT_EQ(status.error_message(), refusal) << task_id;
  }
  // Another's list.
  v1::ListTimesheetsRequest list;
  list.set_crew_member_id("abe");
  v1::ListTimesheetsResponse listed;
  ExpectRefused(scheduling_.Call(&Stub::ListTimesheets, list, &listed, ann()),
                grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED", "abe's list");
  EXPECT_EQ(listed.entries_size(), 0);
  // The chief, on hours of a task he does not work and on an id that does not exist: alike.
  grpc::Status elsewhere = Confirm(abes.entry_id(), ben());
  ExpectRefused(elsewhere, grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED",
                "abe's hours by the chief");
  grpc::Status missing = Confirm("no-such-entry", ben());
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_message(), elsewhere.error_message());
  // Crew never approve: the role table refuses.
  grpc::Status approving = Approve(abes.entry_id(), true, "", nullptr, "", ben());
  EXPECT_EQ(approving.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nor read the labour report or the payroll.
  v1::GetLabourReportRequest report;
  *report.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(last_monday_);
  *report.mutable_range()->mutable_no_later_than() = TimeUtil::SecondsToTimestamp(day0_);
  v1::GetLabourReportResponse labour;
  EXPECT_EQ(scheduling_.Call(&Stub::GetLabourReport, report, &labour, ann()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), entries_before);
  EXPECT_EQ(Count("SELECT state FROM timesheet_entries"), 1) << "abe's hours are as reported";
}

TEST_F(TimesheetsTest, HoursThatCannotBeAreRefusedAndNothingIsWritten) {
  v1::ReportHoursResponse response;
  // Finish before start; a break as long as the day; in the future; a span over a day.
  v1::ReportHoursRequest backwards = Hours(kSetupVideo, "", 0, 8, 8);
  std::swap(*backwards.mutable_entry()->mutable_start_time(),
            *backwards.mutable_entry()->mutable_finish_time());
  v1::ReportHoursRequest long_break = Hours(kSetupVideo, "", 0, 8, 8, 8 * 60);
  v1::ReportHoursRequest tomorrow = Hours(kSetupVideo, "", 0, 8, 8);
  *tomorrow.mutable_entry()->mutable_finish_time() =
      TimeUtil::SecondsToTimestamp(TimeUtil::GetCurrentTime().seconds() + kTimesheetDay);
  v1::ReportHoursRequest too_long = Hours(kSetupVideo, "", 0, 8, 25);
  for (const auto& [request, field] : std::vector<std::pair<v1::ReportHoursRequest, std::string>>{
           {backwards, "entry.finish_time"},
           {long_break, "entry.break_duration"},
           {tomorrow, "entry.finish_time"},
           {too_long, "entry.finish_time"}}) {
    grpc::Status status = scheduling_.Call(&Stub::ReportHours, request, &response, ann());
    ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST", field);
    const auto violations = common::ParseGrpcError(status).violations;
    ASSERT_FALSE(violations.empty()) << field;
    EXPECT_EQ(violations[0].field, field);
  }
  // OPS must say whose hours, and only of someone assigned to the task.
  grpc::Status whose =
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "", 0, 8, 8), &response, ops());
  ExpectRefused(whose, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST", "whose");
  EXPECT_EQ(common::ParseGrpcError(whose).violations[0].field, "entry.crew_member_id");
  grpc::Status not_assigned =
      scheduling_.Call(&Stub::ReportHours, Hours(kSetupVideo, "abe", 0, 8, 8), &response, ops());
  ExpectRefused(not_assigned, grpc::StatusCode::FAILED_PRECONDITION, "INVALID_REQUEST",
                "abe on video");
  EXPECT_EQ(common::ParseGrpcError(not_assigned).violations[0].field, "entry.crew_member_id");
  ExpectRefused(
      scheduling_.Call(&Stub::ReportHours, Hours("NO-SUCH/TASK", "vic", 0, 8, 8), &response, ops()),
      grpc::StatusCode::NOT_FOUND, "NOT_FOUND", "no such task");
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), 0);
}

TEST_F(TimesheetsTest, TheLabourReportSetsPlannedAgainstWorkedAndTheWeekAgainstTheContract) {
  // Vic: Monday 08:00-16:30 with 30 min off (8 h) and Tuesday evening 8 h; one approved. Val: 6 h,
  // sent back (rejected hours do not count). Abe: 4 h, reported by OPS.
  v1::ReportHoursRequest monday_long = Hours(kSetupVideo, "", 0, 8, 8, 30);
  *monday_long.mutable_entry()->mutable_finish_time() =
      TimeUtil::SecondsToTimestamp(last_monday_ + 16 * kTimesheetHour + 30 * 60);
  const v1::TimesheetEntry vics_monday = Report(monday_long, ann());
  EXPECT_EQ(Minutes(vics_monday.worked_duration()), 8 * 60);
  Report(Hours(kStrikeVideo, "", 1, 14, 8), ann());
  ASSERT_TRUE(Approve(vics_monday.entry_id(), true, "").ok());
  const v1::TimesheetEntry vals = Report(Hours(kSetupVideo, "", 0, 9, 6), ben());
  ASSERT_TRUE(Approve(vals.entry_id(), false, "not on site that day").ok());
  Report(Hours(kSetupAudio, "abe", 0, 9, 4), ops());

  // What the plan gives, from the job as placed: duration x people per task.
  v1::GetJobStatusRequest job_request;
  job_request.set_order_id(kHoursOrder);
  v1::GetJobStatusResponse job;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetJobStatus, job_request, &job).ok());
  std::map<std::string, int64_t> planned_per_person;
  int64_t planned_total = 0;
  for (const v1::Task& task : job.job().tasks()) {
    for (const v1::Assignment& assignment : task.assignments()) {
      planned_per_person[assignment.crew_member_id()] += Minutes(task.duration());
      planned_total += Minutes(task.duration());
    }
  }
  ASSERT_GT(planned_per_person["vic"], 0);

  v1::GetLabourReportResponse report = LabourReport("", "");
  ASSERT_EQ(report.orders_size(), 1) << report.DebugString();
  EXPECT_EQ(report.orders(0).order_id(), kHoursOrder);
  EXPECT_EQ(Minutes(report.orders(0).planned_duration()), planned_total);
  EXPECT_EQ(Minutes(report.orders(0).worked_duration()), 8 * 60 + 8 * 60 + 4 * 60);
  EXPECT_EQ(Minutes(report.orders(0).approved_duration()), 8 * 60);

  std::map<std::string, v1::LabourLine> people;
  for (const v1::LabourLine& line : report.people()) people[line.crew_member_id()] = line;
  ASSERT_EQ(people.count("vic"), 1u) << report.DebugString();
  EXPECT_EQ(people["vic"].display_name(), "vic");
  EXPECT_EQ(Minutes(people["vic"].planned_duration()), planned_per_person["vic"]);
  EXPECT_EQ(Minutes(people["vic"].worked_duration()), 16 * 60);
  EXPECT_EQ(Minutes(people["vic"].approved_duration()), 8 * 60);
  EXPECT_EQ(Minutes(people["val"].planned_duration()), planned_per_person["val"]);
  EXPECT_EQ(Minutes(people["val"].worked_duration()), 0) << "rejected hours are not worked";
  EXPECT_EQ(Minutes(people["abe"].worked_duration()), 4 * 60);

  // Vic's week against his 10 contracted hours: 6 h overtime. Abe has no contract.
  std::map<std::string, v1::LabourWeek> weeks;
  for (const v1::LabourWeek& week : report.weeks()) weeks[week.crew_member_id()] = week;
  ASSERT_EQ(weeks.count("vic"), 1u) << report.DebugString();
  EXPECT_EQ(weeks["vic"].week_start_time().seconds(), last_monday_);
  EXPECT_EQ(Minutes(weeks["vic"].worked_duration()), 16 * 60);
  EXPECT_EQ(Minutes(weeks["vic"].contracted_duration()), 10 * 60);
  EXPECT_EQ(Minutes(weeks["vic"].overtime()), 6 * 60);
  EXPECT_EQ(Minutes(weeks["abe"].overtime()), 0);
  EXPECT_EQ(weeks.count("val"), 0u) << "no hours worked, no week";

  // One person: only theirs.
  v1::GetLabourReportResponse abes = LabourReport("", "abe");
  ASSERT_EQ(abes.people_size(), 1);
  EXPECT_EQ(abes.people(0).crew_member_id(), "abe");
  EXPECT_EQ(Minutes(abes.orders(0).worked_duration()), 4 * 60);
  EXPECT_EQ(Minutes(abes.orders(0).planned_duration()), planned_per_person["abe"]);
  // Another order: nothing.
  EXPECT_EQ(LabourReport("ORDER-ELSE", "").orders_size(), 0);
}

TEST_F(TimesheetsTest, OtherWorkIsTimedForThePersonAndPayrollAndNeverOverlapsTheirHours) {
  // Ann reports her own Wednesday in the warehouse, then again with an hour more: one entry.
  const v1::TimesheetEntry first = Report(OtherHours(v1::OTHER_WORK_WAREHOUSE, "", 2, 8, 4), ann());
  EXPECT_EQ(first.crew_member_id(), "vic");
  EXPECT_EQ(first.task_id(), "");
  EXPECT_EQ(first.order_id(), "");
  EXPECT_EQ(first.other_work(), v1::OTHER_WORK_WAREHOUSE);
  EXPECT_EQ(first.state(), v1::TIMESHEET_STATE_REPORTED);
  EXPECT_EQ(Minutes(first.planned_duration()), 0);
  const v1::TimesheetEntry wednesday =
      Report(OtherHours(v1::OTHER_WORK_WAREHOUSE, "", 2, 8, 5), ann());
  EXPECT_EQ(wednesday.entry_id(), first.entry_id());
  EXPECT_EQ(Minutes(wednesday.worked_duration()), 5 * 60);
  // Monday on the video setup, 08:00-16:00.
  const v1::TimesheetEntry monday = Report(Hours(kSetupVideo, "", 0, 8, 8), ann());

  // Hours paid twice are refused, whichever comes second, and nothing is written: training
  // inside Wednesday's warehouse hours, the setup moved into them, the office on Monday.
  v1::ReportHoursResponse response;
  const std::vector<std::pair<v1::ReportHoursRequest, std::string>> overlapping = {
      {OtherHours(v1::OTHER_WORK_TRAINING, "", 2, 12, 2), first.entry_id()},
      {Hours(kSetupVideo, "", 2, 10, 2), first.entry_id()},
      {OtherHours(v1::OTHER_WORK_OFFICE, "", 0, 15, 2), monday.entry_id()}};
  for (const auto& [request, overlapped] : overlapping) {
    grpc::Status status = scheduling_.Call(&Stub::ReportHours, request, &response, ann());
    ExpectRefused(status, grpc::StatusCode::FAILED_PRECONDITION, "INVALID_REQUEST", overlapped);
    const auto violations = common::ParseGrpcError(status).violations;
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field, "entry.start_time");
    EXPECT_NE(violations[0].description.find(overlapped), std::string::npos)
        << violations[0].description;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), 2);
  // Right after them is fine: Wednesday afternoon's course.
  const v1::TimesheetEntry course =
      Report(OtherHours(v1::OTHER_WORK_TRAINING, "", 2, 13, 3), ann());
  EXPECT_EQ(course.other_work(), v1::OTHER_WORK_TRAINING);

  // What was worked must be said once, and "other" must say what.
  v1::ReportHoursRequest neither = Hours("", "", 3, 8, 2);
  v1::ReportHoursRequest both = Hours(kSetupVideo, "", 3, 8, 2);
  both.mutable_entry()->set_other_work(v1::OTHER_WORK_OFFICE);
  v1::ReportHoursRequest unsaid = OtherHours(v1::OTHER_WORK_OTHER, "", 3, 8, 2);
  unsaid.mutable_entry()->clear_note();
  for (const auto& [request, field] : std::vector<std::pair<v1::ReportHoursRequest, std::string>>{
           {neither, "entry.task_id"}, {both, "entry.other_work"}, {unsaid, "entry.note"}}) {
    grpc::Status status = scheduling_.Call(&Stub::ReportHours, request, &response, ann());
    ExpectRefused(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_REQUEST", field);
    const auto violations = common::ParseGrpcError(status).violations;
    ASSERT_FALSE(violations.empty()) << field;
    EXPECT_EQ(violations[0].field, field);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), 3);

  // Ben, a crew chief, confirms on the tasks he works: other work is OPS's, and ops approve it.
  ExpectRefused(Confirm(wednesday.entry_id(), ben()), grpc::StatusCode::PERMISSION_DENIED,
                "ROLE_NOT_ALLOWED", "a chief on other work");
  ASSERT_TRUE(Confirm(wednesday.entry_id(), ops()).ok());
  for (const v1::TimesheetEntry* entry : {&wednesday, &monday}) {
    ASSERT_TRUE(Approve(entry->entry_id(), true, "").ok()) << entry->entry_id();
  }
  // Approved hours are final: reporting the same start again is refused.
  ExpectRefused(
      scheduling_.Call(&Stub::ReportHours, OtherHours(v1::OTHER_WORK_WAREHOUSE, "", 2, 8, 6),
                       &response, ann()),
      grpc::StatusCode::FAILED_PRECONDITION, "INVALID_STAGE_TRANSITION", "approved");

  // Listed with her own hours; never under an order or a task.
  v1::ListTimesheetsRequest own;
  EXPECT_EQ(List(own, ann()).size(), 3u);
  v1::ListTimesheetsRequest by_order;
  by_order.set_order_id(kHoursOrder);
  const std::vector<v1::TimesheetEntry> of_order = List(by_order, ops());
  ASSERT_EQ(of_order.size(), 1u);
  EXPECT_EQ(of_order[0].entry_id(), monday.entry_id());

  // The report: the order holds the setup alone; Vic's line and week hold all 16 hours, and say
  // which 8 were other work; his week is 6 hours beyond his 10.
  const v1::GetLabourReportResponse report = LabourReport("", "");
  ASSERT_EQ(report.orders_size(), 1) << report.DebugString();
  EXPECT_EQ(Minutes(report.orders(0).worked_duration()), 8 * 60);
  std::map<std::string, v1::LabourLine> people;
  for (const v1::LabourLine& line : report.people()) people[line.crew_member_id()] = line;
  EXPECT_EQ(Minutes(people["vic"].worked_duration()), 16 * 60);
  EXPECT_EQ(Minutes(people["vic"].other_work_duration()), 8 * 60);
  EXPECT_EQ(Minutes(people["vic"].approved_duration()), 13 * 60);
  std::map<std::string, v1::LabourWeek> weeks;
  for (const v1::LabourWeek& week : report.weeks()) weeks[week.crew_member_id()] = week;
  EXPECT_EQ(Minutes(weeks["vic"].overtime()), 6 * 60);

  // Payroll: the warehouse hours without order or task, saying what they were.
  v1::GetPayrollExportRequest export_request;
  *export_request.mutable_range()->mutable_not_before() =
      TimeUtil::SecondsToTimestamp(last_monday_);
  *export_request.mutable_range()->mutable_no_later_than() =
      TimeUtil::SecondsToTimestamp(last_monday_ + kTimesheetWeek);
  v1::GetPayrollExportResponse payroll;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetPayrollExport, export_request, &payroll).ok());
  ASSERT_EQ(payroll.entry_count(), 2);
  const std::string warehouse_line = absl::StrCat(wednesday.entry_id(), ",vic,vic,,,");
  EXPECT_NE(payroll.csv().find(warehouse_line), std::string::npos) << payroll.csv();
  EXPECT_NE(payroll.csv().find(",ops-1,warehouse\r\n"), std::string::npos) << payroll.csv();
}

TEST_F(TimesheetsTest, TwoOverlappingReportsAtOnceNeverBothLand) {
  // Each day of last week, two overlapping reports of Vic's other work sent at the same moment:
  // one lands, the other is refused as overlapping it, whichever comes first.
  for (int day = 0; day < 6; ++day) {
    std::vector<grpc::Status> statuses(2);
    std::vector<std::thread> reporters;
    for (int i = 0; i < 2; ++i) {
      reporters.emplace_back([&, i] {
        v1::ReportHoursResponse response;
        statuses[i] =
            scheduling_.Call(&Stub::ReportHours,
                             OtherHours(i == 0 ? v1::OTHER_WORK_WAREHOUSE : v1::OTHER_WORK_TRAINING,
                                        "vic", day, 8 + 2 * i, 4),
                             &response, ops());
      });
    }
    for (std::thread& reporter : reporters) reporter.join();
    EXPECT_NE(statuses[0].ok(), statuses[1].ok())
        << "day " << day << ": " << statuses[0].error_message() << " / "
        << statuses[1].error_message();
    for (const grpc::Status& status : statuses) {
      if (!status.ok()) EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries"), 6);
  EXPECT_EQ(Count("SELECT count(*) FROM timesheet_entries a JOIN timesheet_entries b "
                  "ON a.entry_id < b.entry_id AND a.crew_member_id = b.crew_member_id "
                  "AND a.start_minute < b.finish_minute AND b.start_minute < a.finish_minute"),
            0);
}

// The rows of a CSV (no quoted line breaks), cells unquoted.
std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (quoted && line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (line[i] == '"') {
        quoted = !quoted;
      } else if (line[i] == ',' && !quoted) {
        cells.emplace_back();
      } else {
        cells.back() += line[i];
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

TEST_F(TimesheetsTest, ThePayrollExportCarriesApprovedHoursQuotedAndDefused) {
  // A display name a spreadsheet would run as a formula, with a comma and a quote in it.
  ChangeCrewMember(scheduling_, "vic",
                   [](v1::CrewMember& member) { member.set_display_name("=Vega, \"Vic\""); });
  const v1::TimesheetEntry first = Report(Hours(kSetupVideo, "", 0, 8, 8), ann());
  const v1::TimesheetEntry second = Report(Hours(kStrikeVideo, "", 1, 8, 8), ann());
  const v1::TimesheetEntry unapproved = Report(Hours(kSetupVideo, "", 0, 8, 5), ben());
  for (const auto* entry : {&first, &second}) {
    ASSERT_TRUE(Approve(entry->entry_id(), true, "").ok());
  }

  v1::GetPayrollExportRequest request;
  *request.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(last_monday_);
  *request.mutable_range()->mutable_no_later_than() =
      TimeUtil::SecondsToTimestamp(last_monday_ + kTimesheetWeek);
  v1::GetPayrollExportResponse response;
  // ADMIN only.
  EXPECT_EQ(scheduling_.Call(&Stub::GetPayrollExport, request, &response, ops()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status = scheduling_.Call(&Stub::GetPayrollExport, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.entry_count(), 2);
  EXPECT_EQ(response.filename().rfind("payroll-", 0), 0u) << response.filename();
  EXPECT_EQ(response.filename().substr(response.filename().size() - 4), ".csv");

  std::vector<std::vector<std::string>> rows = ParseCsv(response.csv());
  ASSERT_EQ(rows.size(), 3u) << response.csv();
  EXPECT_EQ(rows[0], (std::vector<std::string>{"entry_id", "crew_member_id", "display_name",
                                               "order_id", "task_id", "date", "start", "finish",
                                               "break_minutes", "worked_minutes",
                                               "overtime_minutes", "approved_by", "other_work"}));
  EXPECT_EQ(rows[1][0], first.entry_id());
  EXPECT_EQ(rows[1][1], "vic");
  EXPECT_EQ(rows[1][2], "'=Vega, \"Vic\"");
  EXPECT_NE(response.csv().find(",\"'=Vega, \"\"Vic\"\"\","), std::string::npos) << response.csv();
  EXPECT_EQ(rows[1][3], kHoursOrder);
  EXPECT_EQ(rows[1][4], kSetupVideo);
  EXPECT_EQ(rows[1][9], "480");
  EXPECT_EQ(rows[1][10], "0");
  EXPECT_EQ(rows[1][11], "ops-1");
  // The second pushes Vic past his 10 hours: 6 of its 8 are overtime.
  EXPECT_EQ(rows[2][0], second.entry_id());
  EXPECT_EQ(rows[2][10], "360");
  EXPECT_EQ(response.csv().find(unapproved.entry_id()), std::string::npos);

  // A week with nothing approved is a header alone.
  *request.mutable_range()->mutable_not_before() =
      TimeUtil::SecondsToTimestamp(last_monday_ - kTimesheetWeek);
  *request.mutable_range()->mutable_no_later_than() = TimeUtil::SecondsToTimestamp(last_monday_);
  ASSERT_TRUE(scheduling_.Call(&Stub::GetPayrollExport, request, &response).ok());
  EXPECT_EQ(response.entry_count(), 0);
  EXPECT_EQ(ParseCsv(response.csv()).size(), 1u);
}

}  // namespace
}  // namespace salesops::testing
