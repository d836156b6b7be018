// The crew rules and a crew member's view of the schedule (crew_self_service.h), with the time
// passed in.
#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"
#include "services/scheduling/crew_self_service.h"

namespace salesops::scheduling {
namespace {

constexpr int64_t kHourSeconds = 3600;
constexpr int64_t kDaySeconds = 24 * kHourSeconds;
constexpr int64_t kRulesNow = 1'900'000'000;  // 2030-03-17

v1::Unavailability OwnTimeOff(int64_t from, int64_t to,
                              v1::UnavailabilityKind kind = v1::UNAVAILABILITY_KIND_TIME_OFF) {
  v1::Unavailability time_off;
  time_off.set_crew_member_id("vic");
  time_off.set_kind(kind);
  time_off.mutable_window()->mutable_not_before()->set_seconds(kRulesNow + from);
  time_off.mutable_window()->mutable_no_later_than()->set_seconds(kRulesNow + to);
  return time_off;
}

v1::CrewRules RulesWithNotice(int64_t notice, bool allow_late_return = false) {
  v1::CrewRules rules;
  rules.mutable_time_off_notice()->set_seconds(notice);
  rules.set_allow_late_return(allow_late_return);
  return rules;
}

// The error as a client reads it.
common::ErrorDetails ClientDetails(const absl::Status& status) {
  return common::ParseGrpcError(common::ToGrpcStatus(status));
}

TEST(CrewRulesTest, TimeOffSetOnesOwnKeepsTheNoticeAndTheLength) {
  EXPECT_TRUE(CheckSelfSetTimeOff(OwnTimeOff(8 * kDaySeconds, 10 * kDaySeconds),
                                  RulesWithNotice(7 * kDaySeconds), kRulesNow)
                  .ok());

  absl::Status soon = CheckSelfSetTimeOff(OwnTimeOff(6 * kDaySeconds, 8 * kDaySeconds),
                                          RulesWithNotice(7 * kDaySeconds), kRulesNow);
  EXPECT_EQ(soon.code(), absl::StatusCode::kFailedPrecondition);
  common::ErrorDetails details = ClientDetails(soon);
  EXPECT_EQ(details.metadata["rule"], "time_off_notice");
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "unavailability.window.not_before");
  EXPECT_NE(details.violations[0].description.find("7 days"), std::string::npos);

  // Unset, the longest is 31 days.
  EXPECT_TRUE(
      CheckSelfSetTimeOff(OwnTimeOff(kDaySeconds, 32 * kDaySeconds), v1::CrewRules(), kRulesNow)
          .ok());
  absl::Status long_one =
      CheckSelfSetTimeOff(OwnTimeOff(kDaySeconds, 33 * kDaySeconds), v1::CrewRules(), kRulesNow);
  EXPECT_EQ(long_one.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ClientDetails(long_one).metadata["rule"], "longest_self_set_time_off");
  EXPECT_EQ(ClientDetails(long_one).violations[0].field, "unavailability.window.no_later_than");

  // Without a notice period, time off still starts from now on.
  EXPECT_EQ(CheckSelfSetTimeOff(OwnTimeOff(-kHourSeconds, kHourSeconds), v1::CrewRules(), kRulesNow)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // Sick leave and training are OPS's to record.
  EXPECT_EQ(CheckSelfSetTimeOff(
                OwnTimeOff(8 * kDaySeconds, 9 * kDaySeconds, v1::UNAVAILABILITY_KIND_TRAINING),
                RulesWithNotice(0), kRulesNow)
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CrewRulesTest, TakingTimeOffBackInsideTheNoticeNeedsALateReturn) {
  EXPECT_TRUE(CheckSelfRemovedTimeOff(OwnTimeOff(8 * kDaySeconds, 9 * kDaySeconds),
                                      RulesWithNotice(7 * kDaySeconds), kRulesNow)
                  .ok());
  absl::Status late = CheckSelfRemovedTimeOff(OwnTimeOff(2 * kDaySeconds, 3 * kDaySeconds),
                                              RulesWithNotice(7 * kDaySeconds), kRulesNow);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ClientDetails(late).metadata["rule"], "allow_late_return");
  EXPECT_TRUE(CheckSelfRemovedTimeOff(OwnTimeOff(2 * kDaySeconds, 3 * kDaySeconds),
                                      RulesWithNotice(7 * kDaySeconds, true), kRulesNow)
                  .ok());
  // Started already: a late return too; over already: it stays on record.
  EXPECT_FALSE(
      CheckSelfRemovedTimeOff(OwnTimeOff(-kDaySeconds, kDaySeconds), RulesWithNotice(0), kRulesNow)
          .ok());
  EXPECT_TRUE(CheckSelfRemovedTimeOff(OwnTimeOff(-kDaySeconds, kDaySeconds),
                                      RulesWithNotice(0, true), kRulesNow)
                  .ok());
  EXPECT_EQ(CheckSelfRemovedTimeOff(OwnTimeOff(-2 * kDaySeconds, -kDaySeconds),
                                    RulesWithNotice(0, true), kRulesNow)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSelfRemovedTimeOff(
                OwnTimeOff(8 * kDaySeconds, 9 * kDaySeconds, v1::UNAVAILABILITY_KIND_SICK_LEAVE),
                RulesWithNotice(0, true), kRulesNow)
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(CrewRulesTest, AdminsRulesAreBounded) {
  EXPECT_TRUE(CheckCrewRules(RulesWithNotice(14 * kDaySeconds), "rules.").ok());
  v1::CrewRules rules;
  rules.mutable_time_off_notice()->set_seconds(400 * kDaySeconds);
  rules.mutable_longest_self_set_time_off()->set_seconds(0);
  absl::Status status = CheckCrewRules(rules, "rules.");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  common::ErrorDetails details = ClientDetails(status);
  ASSERT_EQ(details.violations.size(), 2u);
  EXPECT_EQ(details.violations[0].field, "rules.time_off_notice");
  EXPECT_EQ(details.violations[1].field, "rules.longest_self_set_time_off");
}

TEST(CrewViewTest, ACrewMemberSeesTheirOwnAssignmentsAndLoadOnly) {
  v1::GetScheduleResponse schedule;
  v1::ScheduleEntry* shared = schedule.add_entries();
  shared->mutable_task()->set_task_id("O/SETUP-VIDEO");
  shared->mutable_task()->add_assignments()->set_crew_member_id("val");
  v1::Assignment* vic = shared->mutable_task()->add_assignments();
  vic->set_crew_member_id("vic");
  vic->set_explanation("Val, Vic: video, free at Tue 07:00");
  shared->mutable_task()->set_at_risk_explanation("Val, Vic: video, free at Tue 07:00");
  shared->mutable_assignment()->set_crew_member_id("val");
  v1::ScheduleEntry* others = schedule.add_entries();
  others->mutable_task()->set_task_id("O/PREP");
  others->mutable_task()->add_assignments()->set_crew_member_id("wanda");
  schedule.add_crew_loads()->set_crew_member_id("val");
  schedule.add_crew_loads()->set_crew_member_id("vic");
  schedule.add_unavailability()->set_vehicle_id("TRUCK-1");

  KeepOnlyOwn(schedule, "vic");
  ASSERT_EQ(schedule.entries_size(), 1);
  EXPECT_EQ(schedule.entries(0).task().task_id(), "O/SETUP-VIDEO");
  ASSERT_EQ(schedule.entries(0).task().assignments_size(), 1);
  EXPECT_EQ(schedule.entries(0).task().assignments(0).crew_member_id(), "vic");
  EXPECT_EQ(schedule.entries(0).assignment().crew_member_id(), "vic");
  EXPECT_EQ(schedule.DebugString().find("Val"), std::string::npos) << "nobody else is named";
  ASSERT_EQ(schedule.crew_loads_size(), 1);
  EXPECT_EQ(schedule.crew_loads(0).crew_member_id(), "vic");
  EXPECT_EQ(schedule.unavailability_size(), 0);
}

}  // namespace
}  // namespace salesops::scheduling
