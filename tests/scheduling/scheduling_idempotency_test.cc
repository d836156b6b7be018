// AIP-155 on every mutating scheduling RPC: the same request_id with the same body answers the
// first answer again and acts once; with another body it is REQUEST_ID_REUSED. Driven by the
// service's descriptor, so a new RPC with a request_id cannot ship without a case here.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

class SchedulingIdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
  }

  // A request id no other case uses.
  std::string FreshId() { return "request-" + std::to_string(++requests_); }

  // Sends `request` twice with the same request_id: both answer OK, the second answers the
  // first's bytes. Returns the answer.
  template <typename Request, typename Response>
  Response Twice(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                 const Request& request) {
    Response first, second;
    grpc::Status status = scheduling_.Call(method, request, &first);
    EXPECT_TRUE(status.ok()) << "first: " << status.error_message();
    status = scheduling_.Call(method, request, &second);
    EXPECT_TRUE(status.ok()) << "retry: " << status.error_message();
    EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString())
        << "the retry answered differently:\nfirst: " << first.ShortDebugString()
        << "\nretry: " << second.ShortDebugString();
    return first;
  }

  // The same request_id with another body.
  template <typename Request, typename Response>
  void ExpectReused(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& other) {
    Response response;
    grpc::Status status = scheduling_.Call(method, other, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    common::ErrorDetails details = common::ParseGrpcError(status);
    EXPECT_EQ(details.reason, "REQUEST_ID_REUSED");
    ASSERT_EQ(details.violations.size(), 1u);
    EXPECT_EQ(details.violations[0].field, "request_id");
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(scheduling_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int64_t>();
  }
  int64_t Events(const std::string& type) {
    return Count("SELECT count(*) FROM outbox WHERE event_type = '" + type + "'");
  }

  v1::PlanJobResponse PlanOnce(const std::string& order_id) {
    v1::PlanJobResponse planned;
    grpc::Status status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, order_id, 1), &planned);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return planned;
  }

  // An offer waiting for an answer: a rigging job nobody in-house can do, offered to a
  // freelancer of its own by the offer worker (every second here).
  std::string SentOffer(const std::string& order_id) {
    v1::CreateSkillRequest skill;
    skill.mutable_skill()->set_skill_code("RIGGER");
    skill.mutable_skill()->set_name("Rigger");
    v1::CreateSkillResponse created_skill;
    scheduling_.Call(&Stub::CreateSkill, skill, &created_skill);  // ALREADY_EXISTS the second time
    v1::CreateCrewMemberRequest freelancer;
    freelancer.mutable_crew_member()->set_crew_member_id("free-" + order_id);
    freelancer.mutable_crew_member()->set_display_name("Freelancer for " + order_id);
    freelancer.mutable_crew_member()->add_held_skills()->set_skill_code("RIGGER");
    freelancer.mutable_crew_member()->set_employment(v1::EMPLOYMENT_FREELANCER);
    freelancer.mutable_crew_member()->set_active(true);
    v1::CreateCrewMemberResponse created;
    EXPECT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, freelancer, &created).ok());
    v1::PlanJobRequest plan = ShowPlan(day0_ + 86400 * (requests_ + 30), order_id, 1);
    plan.clear_crew_needs();
    v1::CrewNeed* need = plan.add_crew_needs();
    need->set_skill_code("RIGGER");
    need->mutable_duration()->set_seconds(2 * 3600);
    need->set_headcount(1);
    v1::PlanJobResponse planned;
    EXPECT_TRUE(scheduling_.Call(&Stub::PlanJob, plan, &planned).ok());
    for (int attempt = 0; attempt < 200; ++attempt) {
      v1::ListOffersRequest list;
      list.set_task_id(order_id + "/SETUP-RIGGER");
      v1::ListOffersResponse offers;
      EXPECT_TRUE(scheduling_.Call(&Stub::ListOffers, list, &offers).ok());
      if (offers.offers_size() > 0) return offers.offers(0).offer_id();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no offer for " << order_id;
    return "";
  }

  v1::Unavailability TimeOff(const std::string& crew_member_id, int from_hour, int to_hour) {
    v1::Unavailability off;
    off.set_crew_member_id(crew_member_id);
    off.set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
    *off.mutable_window()->mutable_not_before() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ + 86400 * 20 + from_hour * 3600);
    *off.mutable_window()->mutable_no_later_than() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ + 86400 * 20 + to_hour * 3600);
    return off;
  }

  // Hours worked yesterday by someone assigned to a task of a job planned for `order_id`.
  v1::TimesheetEntry HoursWorked(const std::string& order_id) {
    PlanOnce(order_id);
    v1::GetJobStatusRequest request;
    request.set_order_id(order_id);
    v1::GetJobStatusResponse job;
    EXPECT_TRUE(scheduling_.Call(&Stub::GetJobStatus, request, &job).ok());
    v1::TimesheetEntry entry;
    for (const v1::Task& task : job.job().tasks()) {
      if (task.assignments_size() == 0) continue;
      entry.set_task_id(task.task_id());
      entry.set_crew_member_id(task.assignments(0).crew_member_id());
      break;
    }
    EXPECT_FALSE(entry.task_id().empty()) << "nobody is assigned to " << order_id;
    const int64_t now = google::protobuf::util::TimeUtil::GetCurrentTime().seconds();
    *entry.mutable_start_time() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(now - 26 * 3600);
    *entry.mutable_finish_time() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(now - 18 * 3600);
    return entry;
  }

  // Reports `entry` (without a request id) and answers the entry's id.
  std::string Reported(const v1::TimesheetEntry& entry) {
    v1::ReportHoursRequest request;
    *request.mutable_entry() = entry;
    v1::ReportHoursResponse response;
    grpc::Status status = scheduling_.Call(&Stub::ReportHours, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.entry().entry_id();
  }

  // Each case: the request twice (one effect, one answer), then its id with another body.
  std::map<std::string, std::function<void()>> Cases() {
    std::map<std::string, std::function<void()>> cases;
    cases["CreateCrewMember"] = [this] {
      v1::CreateCrewMemberRequest request;
      request.set_request_id(FreshId());
      // No id: the server assigns one, so only the request id tells a retry from a new member.
      request.mutable_crew_member()->set_display_name("Nora");
      request.mutable_crew_member()->add_skills(v1::SKILL_LIGHTING);
      request.mutable_crew_member()->set_active(true);
      const int64_t before = Count("SELECT count(*) FROM crew_members");
      v1::CreateCrewMemberResponse created = Twice(&Stub::CreateCrewMember, request);
      EXPECT_FALSE(created.crew_member().crew_member_id().empty());
      EXPECT_EQ(Count("SELECT count(*) FROM crew_members"), before + 1);
      request.mutable_crew_member()->set_display_name("Nora Quist");
      ExpectReused(&Stub::CreateCrewMember, request);
    };
    cases["UpdateCrewMember"] = [this] {
      v1::UpdateCrewMemberRequest request;
      request.set_request_id(FreshId());
      request.mutable_crew_member()->set_crew_member_id("abe");
      request.mutable_crew_member()->set_display_name("Abe Ross");
      request.mutable_crew_member()->add_skills(v1::SKILL_AUDIO);
      request.mutable_crew_member()->set_active(true);
      request.set_etag("1");  // a retry without replay would be STALE_REVISION
      v1::UpdateCrewMemberResponse updated = Twice(&Stub::UpdateCrewMember, request);
      EXPECT_EQ(updated.crew_member().etag(), "2");
      EXPECT_EQ(Count("SELECT revision FROM crew_members WHERE crew_member_id = 'abe'"), 2);
      request.mutable_crew_member()->set_display_name("Abe R.");
      ExpectReused(&Stub::UpdateCrewMember, request);
    };
    cases["CreateSkill"] = [this] {
      v1::CreateSkillRequest request;
      request.set_request_id(FreshId());
      request.mutable_skill()->set_skill_code("FORKLIFT");
      request.mutable_skill()->set_name("Forklift licence");
      request.mutable_skill()->set_certificate_required(true);
      const int64_t before = Count("SELECT count(*) FROM skills");
      Twice(&Stub::CreateSkill, request);  // a retry without replay would be ALREADY_EXISTS
      EXPECT_EQ(Count("SELECT count(*) FROM skills"), before + 1);
      request.mutable_skill()->set_name("Fork-lift licence");
      ExpectReused(&Stub::CreateSkill, request);
    };
    cases["UpdateSkill"] = [this] {
      v1::UpdateSkillRequest request;
      request.set_request_id(FreshId());
      request.mutable_skill()->set_skill_code("VIDEO");
      request.mutable_skill()->set_name("Video and LED");
      request.mutable_skill()->add_level_names("technician");
      request.mutable_skill()->add_level_names("engineer");
      request.set_etag("1");  // a retry without replay would be STALE_REVISION
      v1::UpdateSkillResponse updated = Twice(&Stub::UpdateSkill, request);
      EXPECT_EQ(updated.skill().etag(), "2");
      EXPECT_EQ(Count("SELECT revision FROM skills WHERE skill_code = 'VIDEO'"), 2);
      request.mutable_skill()->set_name("Video");
      ExpectReused(&Stub::UpdateSkill, request);
    };
    cases["AcceptOffer"] = [this] {
      v1::AcceptOfferRequest request;
      request.set_request_id(FreshId());
      request.set_offer_id(SentOffer("OFFER-A"));
      v1::AcceptOfferResponse accepted = Twice(&Stub::AcceptOffer, request);  // not "answered"
      EXPECT_EQ(accepted.offer().state(), v1::OFFER_STATE_ACCEPTED);
      EXPECT_EQ(Events("EVENT_TYPE_CREW_OFFER_ACCEPTED"), 1);
      request.set_offer_id("another-offer");
      ExpectReused(&Stub::AcceptOffer, request);
    };
    cases["DeclineOffer"] = [this] {
      v1::DeclineOfferRequest request;
      request.set_request_id(FreshId());
      request.set_offer_id(SentOffer("OFFER-D"));
      request.set_reason("on holiday");
      Twice(&Stub::DeclineOffer, request);  // a retry without replay would be "answered already"
      EXPECT_EQ(Events("EVENT_TYPE_CREW_OFFER_DECLINED"), 1);
      request.set_reason("on another show");
      ExpectReused(&Stub::DeclineOffer, request);
    };
    cases["CreateVehicle"] = [this] {
      v1::CreateVehicleRequest request;
      request.set_request_id(FreshId());
      request.mutable_vehicle()->set_display_name("Van");
      request.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_VAN);
      request.mutable_vehicle()->set_active(true);
      const int64_t before = Count("SELECT count(*) FROM vehicles");
      Twice(&Stub::CreateVehicle, request);
      EXPECT_EQ(Count("SELECT count(*) FROM vehicles"), before + 1);
      request.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_RIGID_TRUCK);
      ExpectReused(&Stub::CreateVehicle, request);
    };
    cases["UpdateVehicle"] = [this] {
      v1::UpdateVehicleRequest request;
      request.set_request_id(FreshId());
      request.mutable_vehicle()->set_vehicle_id("TRUCK-1");
      request.mutable_vehicle()->set_display_name("Box truck, new tail lift");
      request.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
      request.mutable_vehicle()->set_active(true);
      request.set_etag("1");
      Twice(&Stub::UpdateVehicle, request);
      EXPECT_EQ(Count("SELECT revision FROM vehicles WHERE vehicle_id = 'TRUCK-1'"), 2);
      request.set_etag("2");
      ExpectReused(&Stub::UpdateVehicle, request);
    };
    cases["AddUnavailability"] = [this] {
      v1::AddUnavailabilityRequest request;
      request.set_request_id(FreshId());
      *request.mutable_unavailability() = TimeOff("walt", 8, 12);
      Twice(&Stub::AddUnavailability, request);
      EXPECT_EQ(Count("SELECT count(*) FROM unavailability WHERE crew_member_id = 'walt'"), 1);
      *request.mutable_unavailability() = TimeOff("walt", 8, 13);
      ExpectReused(&Stub::AddUnavailability, request);
    };
    cases["DeleteUnavailability"] = [this] {
      std::string ids[2];
      for (int i = 0; i < 2; ++i) {
        v1::AddUnavailabilityRequest add;
        *add.mutable_unavailability() = TimeOff("wanda", 8 + i * 4, 10 + i * 4);
        v1::AddUnavailabilityResponse added;
        ASSERT_TRUE(scheduling_.Call(&Stub::AddUnavailability, add, &added).ok());
        ids[i] = added.unavailability().unavailability_id();
      }
      v1::DeleteUnavailabilityRequest request;
      request.set_request_id(FreshId());
      request.set_unavailability_id(ids[0]);  // a retry without replay would be NOT_FOUND
      Twice(&Stub::DeleteUnavailability, request);
      EXPECT_EQ(Count("SELECT count(*) FROM unavailability WHERE crew_member_id = 'wanda'"), 1);
      request.set_unavailability_id(ids[1]);
      ExpectReused(&Stub::DeleteUnavailability, request);
      EXPECT_EQ(Count("SELECT count(*) FROM unavailability WHERE crew_member_id = 'wanda'"), 1);
    };
    cases["PlanJob"] = [this] {
      v1::PlanJobRequest request = ShowPlan(day0_, "ORDER-PLAN", 1, FreshId());
      v1::PlanJobResponse planned = Twice(&Stub::PlanJob, request);
      // The retry's answer is the first plan's, change included: not "planned already".
      EXPECT_EQ(planned.change().added_task_ids_size(), 8);
      EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_JOB_PLANNED' "
                      "AND order_id = 'ORDER-PLAN'"),
                1);
      request.set_order_revision(2);
      ExpectReused(&Stub::PlanJob, request);
    };
    cases["PlanTransfer"] = [this] {
      v1::PlanTransferRequest request;
      request.set_request_id(FreshId());
      request.set_transfer_id("T-PLAN");
      request.set_from_warehouse_id("WH-BERLIN");
      request.set_to_warehouse_id("WH-HAMBURG");
      *request.mutable_window()->mutable_not_before() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ + 86400 * 5 + 6 * 3600);
      *request.mutable_window()->mutable_no_later_than() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ + 86400 * 5 + 14 * 3600);
      request.mutable_transit()->set_seconds(3 * 3600);
      v1::PlanTransferResponse planned = Twice(&Stub::PlanTransfer, request);
      EXPECT_EQ(planned.job().tasks_size(), 1);
      EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_JOB_PLANNED' "
                      "AND order_id = 'T-PLAN'"),
                1);
      request.mutable_transit()->set_seconds(4 * 3600);
      ExpectReused(&Stub::PlanTransfer, request);
    };
    cases["CancelJob"] = [this] {
      PlanOnce("ORDER-CANCEL");
      v1::CancelJobRequest request;
      request.set_request_id(FreshId());
      request.set_order_id("ORDER-CANCEL");
      request.set_reason("client cancelled");
      const int64_t before = Events("EVENT_TYPE_JOB_CANCELLED");
      v1::CancelJobResponse cancelled = Twice(&Stub::CancelJob, request);
      EXPECT_EQ(cancelled.job().state(), v1::JOB_STATE_CANCELLED);
      EXPECT_EQ(Events("EVENT_TYPE_JOB_CANCELLED"), before + 1);
      request.set_reason("client cancelled, twice");
      ExpectReused(&Stub::CancelJob, request);
    };
    cases["RunAssignment"] = [this] {
      v1::RunAssignmentRequest request;
      request.set_request_id(FreshId());
      *request.mutable_horizon()->mutable_not_before() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ - 86400);
      *request.mutable_horizon()->mutable_no_later_than() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(day0_ + 7 * 86400);
      // Each run is stamped with its own time (and, when it moves work, its own id): only a
      // replay answers the same run twice.
      v1::RunAssignmentResponse run = Twice(&Stub::RunAssignment, request);
      EXPECT_TRUE(run.run().has_run_time());
      request.set_dry_run(true);
      ExpectReused(&Stub::RunAssignment, request);
    };
    cases["UpdateCrewRules"] = [this] {
      v1::UpdateCrewRulesRequest request;
      request.set_request_id(FreshId());
      request.mutable_rules()->mutable_time_off_notice()->set_seconds(7 * 86400);
      request.set_etag("1");  // a retry without replay would be STALE_REVISION
      v1::UpdateCrewRulesResponse updated = Twice(&Stub::UpdateCrewRules, request);
      EXPECT_EQ(updated.rules().etag(), "2");
      EXPECT_EQ(Count("SELECT revision FROM crew_rules"), 2);
      request.mutable_rules()->set_allow_late_return(true);
      ExpectReused(&Stub::UpdateCrewRules, request);
    };
    cases["ResetCalendarFeed"] = [this] {
      v1::ResetCalendarFeedRequest request;
      request.set_request_id(FreshId());
      request.set_crew_member_id("dana");
      // A retry that acted again would bump the generation once more, and answer another URL.
      v1::ResetCalendarFeedResponse reset = Twice(&Stub::ResetCalendarFeed, request);
      EXPECT_FALSE(reset.url().empty());
      EXPECT_EQ(Count("SELECT calendar_generation FROM crew_members WHERE crew_member_id = 'dana'"),
                2);
      request.set_crew_member_id("vic");
      ExpectReused(&Stub::ResetCalendarFeed, request);
      EXPECT_EQ(Count("SELECT calendar_generation FROM crew_members WHERE crew_member_id = 'vic'"),
                1);
    };
    cases["UpdateTaskState"] = [this] {
      PlanOnce("ORDER-TASK");
      v1::UpdateTaskStateRequest request;
      request.set_request_id(FreshId());
      request.set_task_id("ORDER-TASK/PREP");
      request.set_state(v1::TASK_STATE_BLOCKED);
      request.set_note("forklift broken");
      const int64_t before = Events("EVENT_TYPE_TASK_STATE_CHANGED");
      Twice(&Stub::UpdateTaskState, request);
      EXPECT_EQ(Events("EVENT_TYPE_TASK_STATE_CHANGED"), before + 1);
      request.set_note("forklift still broken");
      ExpectReused(&Stub::UpdateTaskState, request);
    };
    cases["ReportHours"] = [this] {
      v1::ReportHoursRequest request;
      request.set_request_id(FreshId());
      *request.mutable_entry() = HoursWorked("ORDER-HOURS-REPORT");
      request.mutable_entry()->set_note("from the van");
      // A retry that acted again would replace the entry: another etag and update time.
      v1::ReportHoursResponse reported = Twice(&Stub::ReportHours, request);
      EXPECT_EQ(reported.entry().etag(), "1");
      EXPECT_EQ(Count("SELECT revision FROM timesheet_entries WHERE task_id = '" +
                      request.entry().task_id() + "'"),
                1);
      request.mutable_entry()->set_note("from the van, corrected");
      ExpectReused(&Stub::ReportHours, request);
      EXPECT_EQ(Count("SELECT revision FROM timesheet_entries WHERE task_id = '" +
                      request.entry().task_id() + "'"),
                1);
    };
    cases["ConfirmHours"] = [this] {
      const v1::TimesheetEntry hours = HoursWorked("ORDER-HOURS-CONFIRM");
      v1::ConfirmHoursRequest request;
      request.set_request_id(FreshId());
      request.set_entry_id(Reported(hours));
      // A retry that acted again would find the hours confirmed already.
      v1::ConfirmHoursResponse confirmed = Twice(&Stub::ConfirmHours, request);
      EXPECT_EQ(confirmed.entry().state(), v1::TIMESHEET_STATE_CONFIRMED);
      request.set_etag(confirmed.entry().etag());
      ExpectReused(&Stub::ConfirmHours, request);
    };
    cases["ApproveHours"] = [this] {
      const v1::TimesheetEntry hours = HoursWorked("ORDER-HOURS-APPROVE");
      v1::ApproveHoursRequest request;
      request.set_request_id(FreshId());
      request.set_entry_id(Reported(hours));
      request.set_approve(true);
      // A retry that acted again would find the hours approved already.
      v1::ApproveHoursResponse approved = Twice(&Stub::ApproveHours, request);
      EXPECT_EQ(approved.entry().state(), v1::TIMESHEET_STATE_APPROVED);
      request.set_approve(false);
      request.set_reason("too long");
      ExpectReused(&Stub::ApproveHours, request);
      EXPECT_EQ(Count("SELECT state FROM timesheet_entries WHERE entry_id = '" +
                      request.entry_id() + "'"),
                v1::TIMESHEET_STATE_APPROVED);
    };
    return cases;
  }

  int64_t day0_ = TestDayZero();
  int requests_ = 0;
  // With the calendar endpoint, so that ResetCalendarFeed acts.
  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>(), OfferArgs()};

  static std::vector<std::string> OfferArgs() {
    std::vector<std::string> args = CalendarArgs();
    args.insert(args.end(), {"--offer-interval-seconds", "1"});
    return args;
  }
};

TEST_F(SchedulingIdempotencyTest, EveryRpcWithARequestIdAnswersARetryOnceAndRefusesReuse) {
  std::map<std::string, std::function<void()>> cases = Cases();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::SchedulingService::service_full_name());
  ASSERT_NE(service, nullptr);
  int covered = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    if (method->input_type()->FindFieldByName("request_id") == nullptr) continue;
    auto found = cases.find(method->name());
    if (found == cases.end()) {
      ADD_FAILURE() << method->name()
                    << " takes a request_id but has no case in scheduling_idempotency_test.cc";
      continue;
    }
    SCOPED_TRACE(method->name());
    found->second();
    ++covered;
  }
  EXPECT_GE(covered, 10);
}

TEST_F(SchedulingIdempotencyTest, WithoutARequestIdEveryCallActs) {
  v1::CreateCrewMemberRequest request;
  request.mutable_crew_member()->set_display_name("Twin");
  request.mutable_crew_member()->add_skills(v1::SKILL_LIGHTING);
  v1::CreateCrewMemberResponse first, second;
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, request, &first).ok());
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, request, &second).ok());
  EXPECT_NE(first.crew_member().crew_member_id(), second.crew_member().crew_member_id());
}

}  // namespace
}  // namespace salesops::testing
