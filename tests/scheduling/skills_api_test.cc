// The skill catalog over real gRPC (issue 20): the company's own skills with levels and
// certificates, crew holding them, and certificates that run out changing who is assigned.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <ctime>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : common::ParseGrpcError(status).violations) {
    fields.push_back(violation.field);
  }
  return fields;
}

google::type::Date DayOf(int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  google::type::Date day;
  day.set_year(utc.tm_year + 1900);
  day.set_month(utc.tm_mon + 1);
  day.set_day(utc.tm_mday);
  return day;
}

class SkillsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(scheduling_.started()) << scheduling_.log(); }

  grpc::Status CreateSkill(const std::string& code, std::vector<std::string> levels,
                           bool certificate, const std::string& token = "") {
    v1::CreateSkillRequest request;
    request.mutable_skill()->set_skill_code(code);
    request.mutable_skill()->set_name("Name of " + code);
    for (const std::string& level : levels) request.mutable_skill()->add_level_names(level);
    request.mutable_skill()->set_certificate_required(certificate);
    v1::CreateSkillResponse response;
    return scheduling_.Call(&Stub::CreateSkill, request, &response, token);
  }

  grpc::Status AddCrew(const std::string& id, const std::vector<v1::HeldSkill>& skills,
                       v1::CrewMember* created = nullptr) {
    v1::CreateCrewMemberRequest request;
    request.mutable_crew_member()->set_crew_member_id(id);
    request.mutable_crew_member()->set_display_name(id);
    for (const v1::HeldSkill& held : skills)
      *request.mutable_crew_member()->add_held_skills() = held;
    request.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse response;
    grpc::Status status =
        scheduling_.Call(&Stub::CreateCrewMember, request, &response, scheduling_.tokens().ops);
    if (created != nullptr) *created = response.crew_member();
    return status;
  }

  static v1::HeldSkill Held(const std::string& code, int level = 1,
                            std::optional<google::type::Date> expiry = std::nullopt) {
    v1::HeldSkill held;
    held.set_skill_code(code);
    held.set_level(level);
    if (expiry) *held.mutable_certificate_expiry_day() = *expiry;
    return held;
  }

  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

TEST_F(SkillsApiTest, TheCatalogStartsWithTheBuiltInSkillsAndAdminGrowsIt) {
  v1::ListSkillsRequest list;
  v1::ListSkillsResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListSkills, list, &listed, scheduling_.tokens().sales).ok());
  std::vector<std::string> codes;
  for (const v1::SkillDefinition& skill : listed.skills()) codes.push_back(skill.skill_code());
  EXPECT_EQ(codes, (std::vector<std::string>{"AUDIO", "DRIVER", "LIGHTING", "RIGGING", "STAGING",
                                             "VIDEO", "WAREHOUSE"}));

  ASSERT_TRUE(CreateSkill("GRANDMA3", {"operator", "programmer"}, false).ok());
  EXPECT_EQ(CreateSkill("GRANDMA3", {}, false).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CreateSkill("FORKLIFT", {}, true, scheduling_.tokens().ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status bad = CreateSkill("lower case", {"operator", ""}, false);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(bad), (std::vector<std::string>{"skill.skill_code", "skill.level_names[1]"}));
  bad = CreateSkill("DIMMER", {"operator", "operator", " "}, false);
  EXPECT_EQ(FieldsOf(bad),
            (std::vector<std::string>{"skill.level_names[1]", "skill.level_names[2]"}));

  v1::GetSkillRequest get;
  get.set_skill_code("GRANDMA3");
  v1::GetSkillResponse got;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetSkill, get, &got, scheduling_.tokens().ops).ok());
  EXPECT_EQ(got.skill().level_names_size(), 2);
  EXPECT_EQ(got.skill().etag(), "1");
  get.set_skill_code("NOPE");
  EXPECT_EQ(scheduling_.Call(&Stub::GetSkill, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // Someone holds level 2: that level cannot go, but a third can come.
  ASSERT_TRUE(AddCrew("ana", {Held("GRANDMA3", 2)}).ok());
  v1::UpdateSkillRequest update;
  update.mutable_skill()->set_skill_code("GRANDMA3");
  update.mutable_skill()->set_name("grandMA3 operator");
  update.mutable_skill()->add_level_names("operator");
  update.set_etag("1");
  v1::UpdateSkillResponse updated;
  grpc::Status dropped = scheduling_.Call(&Stub::UpdateSkill, update, &updated);
  EXPECT_EQ(dropped.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(dropped), std::vector<std::string>{"skill.level_names"});
  // Nor may it need a certificate Ana holds it without.
  update.mutable_skill()->add_level_names("programmer");
  update.mutable_skill()->add_level_names("lead");
  update.mutable_skill()->set_certificate_required(true);
  EXPECT_EQ(FieldsOf(scheduling_.Call(&Stub::UpdateSkill, update, &updated)),
            std::vector<std::string>{"skill.certificate_required"});
  update.mutable_skill()->set_certificate_required(false);
  ASSERT_TRUE(scheduling_.Call(&Stub::UpdateSkill, update, &updated).ok());
  EXPECT_EQ(updated.skill().level_names_size(), 3);
  EXPECT_EQ(updated.skill().etag(), "2");
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateSkill, update, &updated).error_code(),
            grpc::StatusCode::ABORTED);  // etag 1 is stale now
}

TEST_F(SkillsApiTest, CrewHoldSkillsAtLevelsWithCertificates) {
  ASSERT_TRUE(CreateSkill("FORKLIFT", {}, true).ok());
  ASSERT_TRUE(CreateSkill("GRANDMA3", {"operator", "programmer"}, false).ok());
  const int64_t now = std::time(nullptr);

  // A certificate is required, levels are the skill's, codes are the catalog's.
  grpc::Status refused = AddCrew("ana", {Held("FORKLIFT"), Held("GRANDMA3", 3)});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(refused),
            (std::vector<std::string>{"crew_member.held_skills[0].certificate_expiry_day",
                                      "crew_member.held_skills[1].level"}));
  refused = AddCrew("ana", {Held("BALLOONS")});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(refused).reason, "UNKNOWN_SKILL_CODE");
  EXPECT_EQ(FieldsOf(refused), std::vector<std::string>{"crew_member.held_skills[0].skill_code"});
  refused = AddCrew("ana", {Held("AUDIO"), Held("AUDIO", 1)});
  EXPECT_EQ(FieldsOf(refused), std::vector<std::string>{"crew_member.held_skills[1].skill_code"});
  refused = AddCrew("ana", {});
  EXPECT_EQ(FieldsOf(refused), std::vector<std::string>{"crew_member.held_skills"});
  v1::ListCrewMembersRequest everyone;
  v1::ListCrewMembersResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListCrewMembers, everyone, &listed).ok());
  EXPECT_EQ(listed.crew_members_size(), 0) << "nothing refused was half-written";

  v1::CrewMember ana;
  ASSERT_TRUE(AddCrew("ana",
                      {Held("FORKLIFT", 1, DayOf(now - 86400)), Held("GRANDMA3", 2), Held("VIDEO")},
                      &ana)
                  .ok());
  ASSERT_EQ(ana.held_skills_size(), 3);
  EXPECT_TRUE(ana.held_skills(0).certificate_expired()) << "it ran out yesterday";
  EXPECT_FALSE(ana.held_skills(1).certificate_expired());
  EXPECT_EQ(ana.held_skills(1).level(), 2);
  EXPECT_EQ(ana.skills_size(), 1);  // VIDEO, for callers of the superseded field
  EXPECT_EQ(ana.skills(0), v1::SKILL_VIDEO);

  // A caller that knows only the enum list still creates a member, at level 1.
  v1::CreateCrewMemberRequest legacy;
  legacy.mutable_crew_member()->set_crew_member_id("ben");
  legacy.mutable_crew_member()->set_display_name("Ben");
  legacy.mutable_crew_member()->add_skills(v1::SKILL_RIGGING);
  legacy.mutable_crew_member()->set_active(true);
  v1::CreateCrewMemberResponse created;
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, legacy, &created).ok());
  ASSERT_EQ(created.crew_member().held_skills_size(), 1);
  EXPECT_EQ(created.crew_member().held_skills(0).skill_code(), "RIGGING");

  v1::ListCrewMembersRequest by_skill;
  by_skill.set_skill_code("GRANDMA3");
  ASSERT_TRUE(scheduling_.Call(&Stub::ListCrewMembers, by_skill, &listed).ok());
  ASSERT_EQ(listed.crew_members_size(), 1);
  EXPECT_EQ(listed.crew_members(0).crew_member_id(), "ana");
}

TEST_F(SkillsApiTest, AnExpiredCertificateChangesWhoIsAssigned) {
  AddCrewAndTruck(scheduling_);
  ASSERT_TRUE(CreateSkill("FORKLIFT", {}, true).ok());
  const int64_t day0 = TestDayZero();
  // Ana's licence runs out on day 0; Ben's lasts the year. Both are free and unloaded, and the
  // solver breaks such ties by id, so without the expiry Ana would be first.
  ASSERT_TRUE(AddCrew("ana", {Held("FORKLIFT", 1, DayOf(day0))}).ok());
  ASSERT_TRUE(AddCrew("ben", {Held("FORKLIFT", 1, DayOf(day0 + 365 * 86400))}).ok());

  auto forklift_show = [&](int64_t day, const std::string& order) {
    v1::PlanJobRequest plan = ShowPlan(day, order, 1);
    plan.clear_crew_needs();
    v1::CrewNeed* need = plan.add_crew_needs();
    need->set_skill_code("FORKLIFT");
    need->mutable_duration()->set_seconds(2 * 3600);
    need->set_headcount(1);
    return plan;
  };
  auto setup_crew = [&](const std::string& order) {
    v1::GetJobStatusRequest request;
    request.set_order_id(order);
    v1::GetJobStatusResponse job;
    EXPECT_TRUE(scheduling_.Call(&Stub::GetJobStatus, request, &job).ok());
    for (const v1::Task& task : job.job().tasks()) {
      if (task.task_id() != order + "/SETUP-FORKLIFT") continue;
      EXPECT_EQ(task.skill_code(), "FORKLIFT");
      std::vector<std::string> crew;
      for (const v1::Assignment& assignment : task.assignments()) {
        crew.push_back(assignment.crew_member_id());
      }
      return crew;
    }
    ADD_FAILURE() << "no forklift setup in " << order;
    return std::vector<std::string>{};
  };

  v1::PlanJobResponse planned;
  ASSERT_TRUE(scheduling_.Call(&Stub::PlanJob, forklift_show(day0, "AFTER"), &planned).ok());
  EXPECT_EQ(setup_crew("AFTER"), std::vector<std::string>{"ben"});
  // The day before the expiry, Ana still counts: she is the less loaded now.
  ASSERT_TRUE(
      scheduling_.Call(&Stub::PlanJob, forklift_show(day0 - 86400, "BEFORE"), &planned).ok());
  EXPECT_EQ(setup_crew("BEFORE"), std::vector<std::string>{"ana"});

  // Asking for a skill the catalog lacks, or a level it does not have, changes nothing.
  v1::PlanJobRequest unknown = forklift_show(day0, "UNKNOWN");
  unknown.mutable_crew_needs(0)->set_skill_code("BALLOONS");
  grpc::Status refused = scheduling_.Call(&Stub::PlanJob, unknown, &planned);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(refused).reason, "UNKNOWN_SKILL_CODE");
  EXPECT_EQ(FieldsOf(refused), std::vector<std::string>{"crew_needs[0].skill_code"});
  unknown.mutable_crew_needs(0)->set_skill_code("FORKLIFT");
  unknown.mutable_crew_needs(0)->set_min_level(2);
  EXPECT_EQ(FieldsOf(scheduling_.Call(&Stub::PlanJob, unknown, &planned)),
            std::vector<std::string>{"crew_needs[0].min_level"});
  unknown.mutable_crew_needs(0)->set_min_level(0);
  unknown.mutable_crew_needs(0)->set_skill(v1::SKILL_AUDIO);  // two different skills
  EXPECT_EQ(FieldsOf(scheduling_.Call(&Stub::PlanJob, unknown, &planned)),
            std::vector<std::string>{"crew_needs[0].skill"});
  v1::GetJobStatusRequest status;
  status.set_order_id("UNKNOWN");
  v1::GetJobStatusResponse job;
  EXPECT_EQ(scheduling_.Call(&Stub::GetJobStatus, status, &job).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Capacity reads certificates the same way: on day 0 one forklift driver is left.
  v1::CheckCapacityRequest capacity;
  v1::CrewNeed* need = capacity.add_crew_needs();
  need->set_skill_code("FORKLIFT");
  need->mutable_duration()->set_seconds(2 * 3600);
  need->set_headcount(2);
  *capacity.mutable_window()->mutable_not_before() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(day0 + 8 * 3600);
  *capacity.mutable_window()->mutable_no_later_than() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(day0 + 12 * 3600);
  v1::CheckCapacityResponse answer;
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, capacity, &answer).ok());
  EXPECT_FALSE(answer.fits());
  ASSERT_EQ(answer.shortfalls_size(), 1);
  EXPECT_EQ(answer.shortfalls(0).skill_code(), "FORKLIFT");
  *capacity.mutable_window()->mutable_not_before() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(day0 - 86400 + 8 * 3600);
  *capacity.mutable_window()->mutable_no_later_than() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(day0 - 86400 + 12 * 3600);
  ASSERT_TRUE(scheduling_.Call(&Stub::CheckCapacity, capacity, &answer).ok());
  EXPECT_TRUE(answer.fits()) << answer.explanation();
}

}  // namespace
}  // namespace salesops::testing
