#pragma once

// What the scheduling tests written for issue 16 share: a small crew with a truck, and a plan
// for a show three days from now.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {

using SchedulingFixture = ServiceFixture<v1::SchedulingService>;

// Midnight UTC three days from now: every test day is in the future.
inline int64_t TestDayZero() {
  int64_t now = google::protobuf::util::TimeUtil::GetCurrentTime().seconds();
  return (now / 86400 + 3) * 86400;
}

// Two warehouse people, a driver, two video technicians, one audio technician, one truck.
inline void AddCrewAndTruck(SchedulingFixture& scheduling) {
  using Stub = v1::SchedulingService::Stub;
  for (const auto& [id, skill] :
       std::vector<std::pair<std::string, v1::Skill>>{{"wanda", v1::SKILL_WAREHOUSE},
                                                      {"walt", v1::SKILL_WAREHOUSE},
                                                      {"dana", v1::SKILL_DRIVER},
                                                      {"vic", v1::SKILL_VIDEO},
                                                      {"val", v1::SKILL_VIDEO},
                                                      {"abe", v1::SKILL_AUDIO}}) {
    v1::CreateCrewMemberRequest request;
    request.mutable_crew_member()->set_crew_member_id(id);
    request.mutable_crew_member()->set_display_name(id);
    request.mutable_crew_member()->add_skills(skill);
    request.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse response;
    ASSERT_TRUE(scheduling.Call(&Stub::CreateCrewMember, request, &response).ok());
  }
  v1::CreateVehicleRequest truck;
  truck.mutable_vehicle()->set_vehicle_id("TRUCK-1");
  truck.mutable_vehicle()->set_display_name("Box truck");
  truck.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
  truck.mutable_vehicle()->set_active(true);
  v1::CreateVehicleResponse created;
  ASSERT_TRUE(scheduling.Call(&Stub::CreateVehicle, truck, &created).ok());
}

// Reads crew member `crew_member_id` as ADMIN, lets `change` edit it, and writes it back.
inline void ChangeCrewMember(SchedulingFixture& scheduling, const std::string& crew_member_id,
                             const std::function<void(v1::CrewMember&)>& change) {
  using Stub = v1::SchedulingService::Stub;
  v1::GetCrewMemberRequest get;
  get.set_crew_member_id(crew_member_id);
  v1::GetCrewMemberResponse got;
  ASSERT_TRUE(scheduling.Call(&Stub::GetCrewMember, get, &got).ok());
  v1::UpdateCrewMemberRequest update;
  *update.mutable_crew_member() = got.crew_member();
  change(*update.mutable_crew_member());
  v1::UpdateCrewMemberResponse updated;
  grpc::Status status = scheduling.Call(&Stub::UpdateCrewMember, update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// A show from 19:00 to 23:00 on `day0` (seconds), delivered 06:00-08:00, needing two video
// technicians and one audio technician.
inline v1::PlanJobRequest ShowPlan(int64_t day0, const std::string& order, int64_t revision,
                                   const std::string& request_id = "") {
  auto at = [day0](int hours) {
    return google::protobuf::util::TimeUtil::SecondsToTimestamp(day0 + hours * 3600);
  };
  v1::PlanJobRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order);
  request.set_order_revision(revision);
  auto* video = request.add_crew_needs();
  video->set_skill(v1::SKILL_VIDEO);
  video->mutable_duration()->set_seconds(4 * 3600);
  video->set_headcount(2);
  auto* audio = request.add_crew_needs();
  audio->set_skill(v1::SKILL_AUDIO);
  audio->mutable_duration()->set_seconds(2 * 3600);
  audio->set_headcount(1);
  request.mutable_prep_duration()->set_seconds(4 * 3600);
  *request.mutable_event_schedule()->mutable_show_start_time() = at(19);
  *request.mutable_event_schedule()->mutable_show_end_time() = at(23);
  *request.mutable_delivery_window()->mutable_window()->mutable_not_before() = at(6);
  *request.mutable_delivery_window()->mutable_window()->mutable_no_later_than() = at(8);
  request.mutable_venue()->set_name("Grand Hall");
  request.mutable_venue()->mutable_travel_time()->set_seconds(3600);
  return request;
}

// Flags that turn scheduling's crew calendar feeds on: the HTTP endpoint on a free port, and a
// signing key (a test key, written to a temporary file).
inline std::vector<std::string> CalendarArgs() {
  const int port = FreeTcpPort();
  const std::string key_file =
      (std::filesystem::temp_directory_path() /
       ("salesops-calendar-" + std::to_string(getpid()) + "-" + std::to_string(port) + ".key"))
          .string();
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef-calendar-key-not-a-secret\n";
  return {"--calendar-address", "127.0.0.1:" + std::to_string(port), "--calendar-key-file",
          key_file};
}

}  // namespace salesops::testing
