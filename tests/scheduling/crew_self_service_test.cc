// Crew self-service (issue 20, item 4) over real gRPC, on a real scheduling process: a CREW token
// is one crew member, who reads and acts on their own member, schedule, time off and tasks, and
// is refused everyone else's, alike whether it exists or not.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using google::protobuf::util::TimeUtil;
using Stub = v1::SchedulingService::Stub;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
constexpr char kOrder[] = "ORDER-CREW";

class CrewSelfServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    // Vic is Ann, Val is Ben: the two video technicians the show needs, so they share tasks.
    AddCrewAndTruck(scheduling_);
    SetPersonId("vic", TestTokens::kCrewAnn);
    SetPersonId("val", TestTokens::kCrewBen);
    v1::PlanJobResponse planned;
    grpc::Status status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, kOrder, 1), &planned);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  const std::string& ann() const { return scheduling_.tokens().crew_ann; }
  const std::string& ben() const { return scheduling_.tokens().crew_ben; }

  void SetPersonId(const std::string& crew_member_id, const std::string& person_id,
                   bool active = true) {
    v1::GetCrewMemberRequest get;
    get.set_crew_member_id(crew_member_id);
    v1::GetCrewMemberResponse got;
    ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &got).ok());
    v1::UpdateCrewMemberRequest update;
    *update.mutable_crew_member() = got.crew_member();
    update.mutable_crew_member()->set_person_id(person_id);
    update.mutable_crew_member()->set_active(active);
    v1::UpdateCrewMemberResponse updated;
    grpc::Status status = scheduling_.Call(&Stub::UpdateCrewMember, update, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  google::protobuf::Timestamp FromNow(int64_t seconds) const {
    return TimeUtil::SecondsToTimestamp(now_ + seconds);
  }

  // Time off `from` to `to` seconds from now; `crew_member_id` "" for "my own".
  v1::AddUnavailabilityRequest TimeOff(const std::string& crew_member_id, int64_t from,
                                       int64_t to) const {
    v1::AddUnavailabilityRequest request;
    if (!crew_member_id.empty())
      request.mutable_unavailability()->set_crew_member_id(crew_member_id);
    request.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
    *request.mutable_unavailability()->mutable_window()->mutable_not_before() = FromNow(from);
    *request.mutable_unavailability()->mutable_window()->mutable_no_later_than() = FromNow(to);
    request.mutable_unavailability()->set_reason("family");
    return request;
  }

  std::string AddTimeOff(const v1::AddUnavailabilityRequest& request,
                         const std::string& token = "") {
    v1::AddUnavailabilityResponse added;
    grpc::Status status = scheduling_.Call(&Stub::AddUnavailability, request, &added, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return added.unavailability().unavailability_id();
  }

  v1::GetScheduleRequest Schedule(const std::string& crew_member_id) const {
    v1::GetScheduleRequest request;
    request.set_crew_member_id(crew_member_id);
    *request.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(day0_ - kDay);
    *request.mutable_range()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(day0_ + 3 * kDay);
    return request;
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int64_t>();
  }

  void SetCrewRules(int64_t notice, int64_t longest, bool allow_late_return) {
    v1::UpdateCrewRulesRequest request;
    request.mutable_rules()->mutable_time_off_notice()->set_seconds(notice);
    request.mutable_rules()->mutable_longest_self_set_time_off()->set_seconds(longest);
    request.mutable_rules()->set_allow_late_return(allow_late_return);
    v1::UpdateCrewRulesResponse updated;
    grpc::Status status = scheduling_.Call(&Stub::UpdateCrewRules, request, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  const int64_t now_ = TimeUtil::GetCurrentTime().seconds();
  const int64_t day0_ = TestDayZero();
  std::shared_ptr<TestDatabase> database_ = std::make_shared<TestDatabase>();
  // No background re-optimisation: what the test planned stays where it was placed.
  SchedulingFixture scheduling_{"scheduling", database_, {"--reoptimize-interval-seconds", "0"}};
};

// A refusal of someone else's data: PERMISSION_DENIED, ROLE_NOT_ALLOWED. Returns the message, so
// that a refusal of an id that does not exist can be compared with it.
std::string ExpectNotOwn(const grpc::Status& status, const std::string& what) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << what << ": " << status.error_message();
  EXPECT_EQ(common::ParseGrpcError(status).reason, "ROLE_NOT_ALLOWED") << what;
  return status.error_message();
}

TEST_F(CrewSelfServiceTest, ACrewTokenReadsItsOwnMemberAndSchedule) {
  v1::GetCrewMemberRequest own;  // no id: my own
  v1::GetCrewMemberResponse member;
  grpc::Status status = scheduling_.Call(&Stub::GetCrewMember, own, &member, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(member.crew_member().crew_member_id(), "vic");
  EXPECT_EQ(member.crew_member().person_id(), TestTokens::kCrewAnn);
  own.set_crew_member_id("vic");
  EXPECT_TRUE(scheduling_.Call(&Stub::GetCrewMember, own, &member, ann()).ok());

  // OPS sees both technicians on the video tasks; Ann sees the same tasks with herself alone.
  v1::GetScheduleResponse ops_view;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::GetSchedule, Schedule("vic"), &ops_view, scheduling_.tokens().ops)
          .ok());
  ASSERT_GT(ops_view.entries_size(), 0);
  int shared_tasks = 0;
  for (const v1::ScheduleEntry& entry : ops_view.entries()) {
    if (entry.task().assignments_size() > 1) ++shared_tasks;
  }
  EXPECT_GT(shared_tasks, 0) << "the show's video tasks need Vic and Val together";

  v1::GetScheduleResponse mine;
  status = scheduling_.Call(&Stub::GetSchedule, Schedule(""), &mine, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(mine.entries_size(), ops_view.entries_size());
  for (const v1::ScheduleEntry& entry : mine.entries()) {
    SCOPED_TRACE(entry.task().task_id());
    ASSERT_EQ(entry.task().assignments_size(), 1);
    EXPECT_EQ(entry.task().assignments(0).crew_member_id(), "vic");
    EXPECT_EQ(entry.assignment().crew_member_id(), "vic");
    EXPECT_EQ(entry.DebugString().find("val"), std::string::npos) << "Val is not named";
  }
  ASSERT_EQ(mine.crew_loads_size(), 1);
  EXPECT_EQ(mine.crew_loads(0).crew_member_id(), "vic");
  EXPECT_TRUE(scheduling_.Call(&Stub::GetSchedule, Schedule("vic"), &mine, ann()).ok());

  // Everyone reads the crew rules.
  v1::GetCrewRulesResponse rules;
  EXPECT_TRUE(scheduling_.Call(&Stub::GetCrewRules, v1::GetCrewRulesRequest(), &rules, ann()).ok());
}

TEST_F(CrewSelfServiceTest, ACrewTokenIsRefusedEveryoneElsesDataAlikeWhetherItExistsOrNot) {
  const std::string bens_time_off = AddTimeOff(TimeOff("val", 20 * kDay, 21 * kDay));
  const int64_t periods_before = Count("SELECT count(*) FROM unavailability");

  // Another member, and one that does not exist.
  v1::GetCrewMemberRequest member;
  v1::GetCrewMemberResponse got;
  member.set_crew_member_id("val");
  const std::string refusal =
      ExpectNotOwn(scheduling_.Call(&Stub::GetCrewMember, member, &got, ann()), "val");
  member.set_crew_member_id("nobody");
  EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::GetCrewMember, member, &got, ann()), "nobody"),
            refusal);
  EXPECT_FALSE(got.has_crew_member());

  // Another's schedule, and a vehicle's.
  v1::GetScheduleResponse schedule;
  for (const char* id : {"val", "nobody"}) {
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::GetSchedule, Schedule(id), &schedule, ann()),
                           std::string("schedule of ") + id),
              refusal);
  }
  for (const char* vehicle : {"TRUCK-1", "NO-SUCH-TRUCK"}) {
    v1::GetScheduleRequest request = Schedule("");
    request.set_vehicle_id(vehicle);
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::GetSchedule, request, &schedule, ann()),
                           std::string("schedule of ") + vehicle),
              refusal);
  }
  EXPECT_EQ(schedule.entries_size(), 0);

  // Another's time off: list, add, delete.
  v1::ListUnavailabilityResponse listed;
  for (const char* id : {"val", "nobody"}) {
    v1::ListUnavailabilityRequest list;
    list.set_crew_member_id(id);
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::ListUnavailability, list, &listed, ann()),
                           std::string("time off of ") + id),
              refusal);
  }
  v1::ListUnavailabilityRequest trucks;
  trucks.set_vehicle_id("TRUCK-1");
  ExpectNotOwn(scheduling_.Call(&Stub::ListUnavailability, trucks, &listed, ann()), "truck");
  EXPECT_EQ(listed.unavailability_size(), 0);
  v1::AddUnavailabilityResponse added;
  for (const char* id : {"val", "nobody"}) {
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::AddUnavailability,
                                            TimeOff(id, 30 * kDay, 31 * kDay), &added, ann()),
                           std::string("adding time off for ") + id),
              refusal);
  }
  v1::AddUnavailabilityRequest repair = TimeOff("", 30 * kDay, 31 * kDay);
  repair.mutable_unavailability()->set_vehicle_id("TRUCK-1");
  ExpectNotOwn(scheduling_.Call(&Stub::AddUnavailability, repair, &added, ann()), "repair");
  v1::DeleteUnavailabilityResponse deleted;
  for (const std::string& id : {bens_time_off, std::string("00000000-0000-0000-0000-000000000000"),
                                std::string("not-an-id")}) {
    v1::DeleteUnavailabilityRequest request;
    request.set_unavailability_id(id);
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::DeleteUnavailability, request, &deleted, ann()),
                           "deleting " + id),
              refusal);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM unavailability"), periods_before);

  // A task Ann is not assigned to (the warehouse's prep), and one that does not exist.
  const std::string prep = std::string(kOrder) + "/PREP";
  EXPECT_EQ(
      Count("SELECT count(*) FROM tasks WHERE task_id = '" + prep + "' AND 'vic' = ANY(crew_ids)"),
      0);
  v1::UpdateTaskStateResponse updated;
  for (const std::string& task : {prep, std::string(kOrder) + "/NO-SUCH-TASK"}) {
    v1::UpdateTaskStateRequest request;
    request.set_task_id(task);
    request.set_state(v1::TASK_STATE_STARTED);
    EXPECT_EQ(ExpectNotOwn(scheduling_.Call(&Stub::UpdateTaskState, request, &updated, ann()),
                           "starting " + task),
              refusal);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE state = 3"), 0) << "nothing was started";

  // What is never a crew member's: the job as sales sees it, and the crew list.
  v1::GetJobStatusRequest job;
  job.set_order_id(kOrder);
  v1::GetJobStatusResponse job_status;
  EXPECT_EQ(scheduling_.Call(&Stub::GetJobStatus, job, &job_status, ann()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListCrewMembersResponse crew;
  EXPECT_EQ(scheduling_.Call(&Stub::ListCrewMembers, v1::ListCrewMembersRequest(), &crew, ann())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(crew.crew_members_size(), 0);
  v1::UpdateCrewRulesResponse rules;
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateCrewRules, v1::UpdateCrewRulesRequest(), &rules, ann())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CrewSelfServiceTest, OwnTimeOffWithinTheCrewRules) {
  SetCrewRules(/*notice=*/7 * kDay, /*longest=*/14 * kDay, /*allow_late_return=*/false);

  // Ten days out, for two days: within the rules.
  const std::string mine = AddTimeOff(TimeOff("", 10 * kDay, 12 * kDay), ann());
  ASSERT_FALSE(mine.empty());
  v1::ListUnavailabilityResponse listed;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::ListUnavailability, v1::ListUnavailabilityRequest(), &listed, ann())
          .ok());
  ASSERT_EQ(listed.unavailability_size(), 1);
  EXPECT_EQ(listed.unavailability(0).crew_member_id(), "vic");
  EXPECT_EQ(listed.unavailability(0).created_by().id(), TestTokens::kCrewAnn);

  // Inside the notice period, and longer than the longest: refused, naming the rule.
  v1::AddUnavailabilityResponse added;
  grpc::Status soon =
      scheduling_.Call(&Stub::AddUnavailability, TimeOff("vic", 2 * kDay, 3 * kDay), &added, ann());
  EXPECT_EQ(soon.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << soon.error_message();
  common::ErrorDetails details = common::ParseGrpcError(soon);
  EXPECT_EQ(details.metadata["rule"], "time_off_notice");
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "unavailability.window.not_before");
  EXPECT_NE(details.violations[0].description.find("time_off_notice"), std::string::npos);

  grpc::Status long_one =
      scheduling_.Call(&Stub::AddUnavailability, TimeOff("", 10 * kDay, 30 * kDay), &added, ann());
  EXPECT_EQ(long_one.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  details = common::ParseGrpcError(long_one);
  EXPECT_EQ(details.metadata["rule"], "longest_self_set_time_off");
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "unavailability.window.no_later_than");

  // Sick leave is OPS's to record.
  v1::AddUnavailabilityRequest sick = TimeOff("", 10 * kDay, 11 * kDay);
  sick.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_SICK_LEAVE);
  EXPECT_EQ(scheduling_.Call(&Stub::AddUnavailability, sick, &added, ann()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("SELECT count(*) FROM unavailability"), 1) << "nothing refused was written";

  // Her own, outside the notice period: she takes it back.
  v1::DeleteUnavailabilityRequest remove;
  remove.set_unavailability_id(mine);
  v1::DeleteUnavailabilityResponse removed;
  grpc::Status status = scheduling_.Call(&Stub::DeleteUnavailability, remove, &removed, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Time off OPS recorded for her tomorrow is inside the notice period: hers to take back only
  // once ADMIN allows a late return.
  const std::string tomorrow =
      AddTimeOff(TimeOff("vic", kDay, kDay + 4 * kHour), scheduling_.tokens().ops);
  remove.set_unavailability_id(tomorrow);
  grpc::Status late = scheduling_.Call(&Stub::DeleteUnavailability, remove, &removed, ann());
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << late.error_message();
  EXPECT_EQ(common::ParseGrpcError(late).metadata["rule"], "allow_late_return");
  SetCrewRules(7 * kDay, 14 * kDay, /*allow_late_return=*/true);
  status = scheduling_.Call(&Stub::DeleteUnavailability, remove, &removed, ann());
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Count("SELECT count(*) FROM unavailability"), 0);
}

TEST_F(CrewSelfServiceTest, CrewRulesAreAdminsWithEtags) {
  v1::GetCrewRulesResponse read;
  ASSERT_TRUE(
      scheduling_
          .Call(&Stub::GetCrewRules, v1::GetCrewRulesRequest(), &read, scheduling_.tokens().sales)
          .ok());
  EXPECT_FALSE(read.rules().has_time_off_notice()) << "no rule until ADMIN sets one";

  v1::UpdateCrewRulesRequest update;
  update.mutable_rules()->mutable_time_off_notice()->set_seconds(3 * kDay);
  update.set_etag(read.rules().etag());
  v1::UpdateCrewRulesResponse updated;
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateCrewRules, update, &updated, scheduling_.tokens().ops)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status = scheduling_.Call(&Stub::UpdateCrewRules, update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.rules().time_off_notice().seconds(), 3 * kDay);
  EXPECT_NE(updated.rules().etag(), read.rules().etag());

  // The etag read before is stale now.
  status = scheduling_.Call(&Stub::UpdateCrewRules, update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "STALE_REVISION");

  // Out of bounds: named.
  update.clear_etag();
  update.mutable_rules()->mutable_longest_self_set_time_off()->set_seconds(2 * 366 * kDay);
  status = scheduling_.Call(&Stub::UpdateCrewRules, update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_FALSE(common::ParseGrpcError(status).violations.empty());
  EXPECT_EQ(common::ParseGrpcError(status).violations[0].field, "rules.longest_self_set_time_off");
}

TEST_F(CrewSelfServiceTest, ACrewMemberStartsAndCompletesTheirOwnTask) {
  v1::GetScheduleResponse mine;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetSchedule, Schedule(""), &mine, ann()).ok());
  ASSERT_GT(mine.entries_size(), 0);
  const std::string task = mine.entries(0).task().task_id();

  v1::UpdateTaskStateRequest request;
  request.set_task_id(task);
  request.set_state(v1::TASK_STATE_STARTED);
  v1::UpdateTaskStateResponse updated;
  grpc::Status status = scheduling_.Call(&Stub::UpdateTaskState, request, &updated, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.task().state(), v1::TASK_STATE_STARTED);
  request.set_state(v1::TASK_STATE_DONE);
  status = scheduling_.Call(&Stub::UpdateTaskState, request, &updated, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.task().state(), v1::TASK_STATE_DONE);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = "
                  "'EVENT_TYPE_TASK_STATE_CHANGED' AND "
                  "position(convert_to('crew-ann', 'UTF8') in payload) > 0"),
            2)
      << "the events name Ann as who did it";
}

TEST_F(CrewSelfServiceTest, RequestIdsOfTwoCrewMembersNeverMeet) {
  // The same request id and the same "my own" body from two people: two periods, each theirs.
  v1::AddUnavailabilityRequest request = TimeOff("", 40 * kDay, 41 * kDay);
  request.set_request_id("my-holiday");
  v1::AddUnavailabilityResponse anns, bens;
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, request, &anns, ann()).ok());
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, request, &bens, ben()).ok());
  EXPECT_EQ(anns.unavailability().crew_member_id(), "vic");
  EXPECT_EQ(bens.unavailability().crew_member_id(), "val");
  EXPECT_NE(anns.unavailability().unavailability_id(), bens.unavailability().unavailability_id());
  // Ann's retry is answered Ann's period.
  v1::AddUnavailabilityResponse again;
  ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, request, &again, ann()).ok());
  EXPECT_EQ(again.unavailability().unavailability_id(), anns.unavailability().unavailability_id());
  EXPECT_EQ(Count("SELECT count(*) FROM unavailability"), 2);
}

TEST_F(CrewSelfServiceTest, APersonIdIsOneCrewMembersAndATokenWithoutAnActiveMemberIsRefused) {
  v1::CreateCrewMemberRequest twin;
  twin.mutable_crew_member()->set_display_name("Ann's twin");
  twin.mutable_crew_member()->set_person_id(TestTokens::kCrewAnn);
  twin.mutable_crew_member()->add_skills(v1::SKILL_VIDEO);
  twin.mutable_crew_member()->set_active(true);
  v1::CreateCrewMemberResponse created;
  grpc::Status status = scheduling_.Call(&Stub::CreateCrewMember, twin, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  common::ErrorDetails details = common::ParseGrpcError(status);
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "crew_member.person_id");
  EXPECT_EQ(Count("SELECT count(*) FROM crew_members"), 6) << "nothing half-written";

  // Ben's member given Ann's person id: refused the same way, and Ben keeps his.
  v1::GetCrewMemberRequest get;
  get.set_crew_member_id("val");
  v1::GetCrewMemberResponse val;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &val).ok());
  v1::UpdateCrewMemberRequest update;
  *update.mutable_crew_member() = val.crew_member();
  update.mutable_crew_member()->set_person_id(TestTokens::kCrewAnn);
  v1::UpdateCrewMemberResponse updated;
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateCrewMember, update, &updated).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  v1::GetCrewMemberResponse own;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, v1::GetCrewMemberRequest(), &own, ben()).ok());
  EXPECT_EQ(own.crew_member().crew_member_id(), "val");

  // Ben's member no longer his: his token reaches nothing, at once.
  SetPersonId("val", "");
  status = scheduling_.Call(&Stub::GetCrewMember, v1::GetCrewMemberRequest(), &own, ben());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Ann's member deactivated: the same.
  SetPersonId("vic", TestTokens::kCrewAnn, /*active=*/false);
  v1::GetScheduleResponse schedule;
  EXPECT_EQ(scheduling_.Call(&Stub::GetSchedule, Schedule(""), &schedule, ann()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CrewSelfServiceTest, MembersStoredBeforeThePersonIdColumnAreFoundAfterTheNextStart) {
  // As a member written before migration 0107 is: its person id only inside the stored message.
  Count(
      "WITH cleared AS (UPDATE crew_members SET person_id = NULL WHERE crew_member_id = 'vic' "
      "RETURNING 1) SELECT count(*) FROM cleared");
  v1::GetCrewMemberResponse own;
  EXPECT_EQ(
      scheduling_.Call(&Stub::GetCrewMember, v1::GetCrewMemberRequest(), &own, ann()).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // A second process on the same database fills the column in as it starts.
  SchedulingFixture restarted{"scheduling", database_, {"--reoptimize-interval-seconds", "0"}};
  ASSERT_TRUE(restarted.started()) << restarted.log();
  EXPECT_EQ(Count("SELECT count(*) FROM crew_members WHERE person_id IS NULL"), 0);
  grpc::Status status =
      restarted.Call(&Stub::GetCrewMember, v1::GetCrewMemberRequest(), &own, ann());
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(own.crew_member().crew_member_id(), "vic");
}

}  // namespace
}  // namespace salesops::testing
