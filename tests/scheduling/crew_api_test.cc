// Crew, vehicles and unavailability over real gRPC, on a real scheduling process.
#include <gtest/gtest.h>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

class CrewApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(scheduling_.started()) << scheduling_.log(); }

  v1::CrewMember AddCrew(const std::string& id, std::vector<v1::Skill> skills) {
    v1::CreateCrewMemberRequest request;
    request.mutable_crew_member()->set_crew_member_id(id);
    request.mutable_crew_member()->set_display_name("Name of " + id);
    for (v1::Skill skill : skills) request.mutable_crew_member()->add_skills(skill);
    request.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse response;
    grpc::Status status =
        scheduling_.Call(&Stub::CreateCrewMember, request, &response, scheduling_.tokens().ops);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.crew_member();
  }

  ServiceFixture<v1::SchedulingService> scheduling_{"scheduling", std::make_shared<TestDatabase>()};
};

TEST_F(CrewApiTest, CrewMembersRoundTripWithEtagsAndSkillFilters) {
  v1::CrewMember ana = AddCrew("ana", {v1::SKILL_LIGHTING, v1::SKILL_RIGGING});
  AddCrew("ben", {v1::SKILL_AUDIO});
  EXPECT_EQ(ana.etag(), "1");

  v1::CreateCrewMemberRequest again;
  *again.mutable_crew_member() = ana;
  v1::CreateCrewMemberResponse created;
  EXPECT_EQ(scheduling_.Call(&Stub::CreateCrewMember, again, &created).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::UpdateCrewMemberRequest update;
  *update.mutable_crew_member() = ana;
  update.mutable_crew_member()->set_display_name("Ana Lopez");
  update.set_etag("1");
  v1::UpdateCrewMemberResponse updated;
  ASSERT_TRUE(scheduling_.Call(&Stub::UpdateCrewMember, update, &updated).ok());
  EXPECT_EQ(updated.crew_member().etag(), "2");
  update.set_etag("1");
  grpc::Status stale = scheduling_.Call(&Stub::UpdateCrewMember, update, &updated);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(common::ParseGrpcError(stale).reason, "STALE_REVISION");

  v1::ListCrewMembersRequest list;
  list.set_skill(v1::SKILL_RIGGING);
  v1::ListCrewMembersResponse listed;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::ListCrewMembers, list, &listed, scheduling_.tokens().sales).ok());
  ASSERT_EQ(listed.crew_members_size(), 1);
  EXPECT_EQ(listed.crew_members(0).display_name(), "Ana Lopez");

  // Sales reads the crew list but cannot change it.
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateCrewMember, update, &updated, scheduling_.tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CrewApiTest, BadCrewInputNamesTheFields) {
  v1::CreateCrewMemberRequest request;
  request.mutable_crew_member()->add_skills(v1::SKILL_UNSPECIFIED);
  v1::CreateCrewMemberResponse response;
  grpc::Status status = scheduling_.Call(&Stub::CreateCrewMember, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& violation : common::ParseGrpcError(status).violations) {
    fields.push_back(violation.field);
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"crew_member.display_name", "crew_member.skills[0]"}));
}

TEST_F(CrewApiTest, VehiclesAndUnavailability) {
  v1::CreateVehicleRequest vehicle;
  vehicle.mutable_vehicle()->set_vehicle_id("TRUCK-1");
  vehicle.mutable_vehicle()->set_display_name("7.5 t box truck");
  vehicle.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
  vehicle.mutable_vehicle()->set_active(true);
  v1::CreateVehicleResponse created;
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateVehicle, vehicle, &created).ok());
  AddCrew("ana", {v1::SKILL_DRIVER});

  v1::AddUnavailabilityRequest off;
  off.mutable_unavailability()->set_crew_member_id("ana");
  off.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
  off.mutable_unavailability()->mutable_window()->mutable_not_before()->set_seconds(1893456000);
  off.mutable_unavailability()->mutable_window()->mutable_no_later_than()->set_seconds(1893542400);
  off.mutable_unavailability()->set_reason("holiday");
  v1::AddUnavailabilityResponse added;
  ASSERT_TRUE(
      scheduling_.Call(&Stub::AddUnavailability, off, &added, scheduling_.tokens().ops).ok());
  v1::AddUnavailabilityRequest repair = off;
  repair.mutable_unavailability()->set_vehicle_id("TRUCK-1");
  repair.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_REPAIR);
  ASSERT_TRUE(
      scheduling_.Call(&Stub::AddUnavailability, repair, &added, scheduling_.tokens().ops).ok());

  v1::ListUnavailabilityRequest list;
  list.set_crew_member_id("ana");
  v1::ListUnavailabilityResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListUnavailability, list, &listed).ok());
  ASSERT_EQ(listed.unavailability_size(), 1);
  EXPECT_EQ(listed.unavailability(0).reason(), "holiday");

  v1::DeleteUnavailabilityRequest remove;
  remove.set_unavailability_id(listed.unavailability(0).unavailability_id());
  v1::DeleteUnavailabilityResponse removed;
  ASSERT_TRUE(scheduling_.Call(&Stub::DeleteUnavailability, remove, &removed).ok());
  EXPECT_EQ(scheduling_.Call(&Stub::DeleteUnavailability, remove, &removed).error_code(),
            grpc::StatusCode::NOT_FOUND);

  off.mutable_unavailability()->set_crew_member_id("nobody");
  EXPECT_EQ(scheduling_.Call(&Stub::AddUnavailability, off, &added).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace salesops::testing
