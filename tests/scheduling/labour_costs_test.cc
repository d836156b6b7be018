// What people cost (issue 20, item 2) over real gRPC, on a real scheduling process: the planned
// crew of an order at their cost rates, with their surcharges outside shifts and at night, travel
// to the venue and back and a per diem once per person and day; freelancers at the fee of the
// offer they accepted, quoted with its surcharges; places still waiting for an answer as
// unstaffed time; only ADMIN and SERVICE read it; bad input and bad pay rules name their field.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

constexpr int64_t kCostHour = 3600;

google::type::Money Euros(int64_t units) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

int64_t MicrosOf(const google::type::Money& money) {
  return money.units() * 1'000'000 + money.nanos() / 1000;
}

int64_t HoursOf(const google::protobuf::Duration& duration) {
  return duration.seconds() / kCostHour;
}

class LabourCostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
    // A per diem of 40 EUR for venues at least half an hour away; the day and night as default.
    v1::UpdateCrewRulesRequest rules;
    *rules.mutable_rules()->mutable_per_diem() = Euros(40);
    rules.mutable_rules()->mutable_per_diem_from_travel()->set_seconds(kCostHour / 2);
    v1::UpdateCrewRulesResponse updated;
    grpc::Status status = scheduling_.Call(&Stub::UpdateCrewRules, rules, &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::Task TaskNamed(const std::string& order_id, const std::string& task_id) {
    v1::GetJobStatusRequest request;
    request.set_order_id(order_id);
    v1::GetJobStatusResponse job;
    EXPECT_TRUE(scheduling_.Call(&Stub::GetJobStatus, request, &job).ok());
    for (const v1::Task& task : job.job().tasks()) {
      if (task.task_id() == task_id) return task;
    }
    ADD_FAILURE() << "no " << task_id;
    return {};
  }

  v1::GetLabourCostsResponse LabourCosts(const std::vector<std::string>& order_ids) {
    v1::GetLabourCostsRequest request;
    for (const std::string& id : order_ids) request.add_order_ids(id);
    v1::GetLabourCostsResponse response;
    grpc::Status status = scheduling_.Call(&Stub::GetLabourCosts, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // The line of `crew_member_id` on `task_id`; fails the test when there is none.
  static v1::LabourCostLine LineOf(const v1::OrderLabourCost& cost, const std::string& task_id,
                                   const std::string& crew_member_id) {
    for (const v1::LabourCostLine& line : cost.lines()) {
      if (line.task_id() == task_id && line.crew_member_id() == crew_member_id) return line;
    }
    ADD_FAILURE() << "no line for " << crew_member_id << " on " << task_id;
    return {};
  }

  // The field the first violation of an INVALID_ARGUMENT names.
  static std::string FirstViolatedField(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    const auto violations = common::ParseGrpcError(status).violations;
    return violations.empty() ? "" : violations[0].field;
  }

  const int64_t day0_ = TestDayZero();
  SchedulingFixture scheduling_{
      "scheduling",
      std::make_shared<TestDatabase>(),
      {"--offer-interval-seconds", "1", "--reoptimize-interval-seconds", "0"}};
};

TEST_F(LabourCostsTest, ThePlannedCrewAtTheirRatesWithSurchargesTravelAndPerDiems) {
  // Vic (video, in Berlin) costs 30 EUR an hour, +25 % at night. Abe (audio) costs 32 EUR, +50 %
  // outside his shift (08:00-16:00 on the show's weekday) and +25 % at night. Val, the other
  // video technician, the warehouse and the driver have no cost rate.
  const int weekday = static_cast<int>(((day0_ / 86400) % 7 + 3) % 7) + 1;
  ChangeCrewMember(scheduling_, "vic", [](v1::CrewMember& member) {
    *member.mutable_hourly_cost() = Euros(30);
    member.set_night_work_percent(25);
    member.set_zone_id("Europe/Berlin");
  });
  ChangeCrewMember(scheduling_, "abe", [weekday](v1::CrewMember& member) {
    *member.mutable_hourly_cost() = Euros(32);
    member.set_beyond_shift_percent(50);
    member.set_night_work_percent(25);
    v1::WorkShift* shift = member.add_weekly_shifts();
    shift->set_weekday(static_cast<v1::Weekday>(weekday));
    shift->mutable_start_offset()->set_seconds(8 * kCostHour);
    shift->mutable_shift_duration()->set_seconds(8 * kCostHour);
  });
  // The show (19:00-23:00, an hour from the warehouse), then a run of the solver over it.
  v1::PlanJobResponse planned;
  grpc::Status status = scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "LABOUR-1", 1), &planned);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::RunAssignmentRequest run;
  v1::RunAssignmentResponse ran;
  ASSERT_TRUE(scheduling_.Call(&Stub::RunAssignment, run, &ran).ok());
  // Where the work is, which the amounts below follow from: video setup 06:00-10:00 after the
  // delivery, audio setup in Abe's shift 08:00-10:00, both strikes from 23:00 (video 2 h,
  // audio 1 h), past Abe's shift and at night.
  EXPECT_EQ(TaskNamed("LABOUR-1", "LABOUR-1/SETUP-VIDEO").planned_start_time().seconds(),
            day0_ + 6 * kCostHour);
  EXPECT_EQ(TaskNamed("LABOUR-1", "LABOUR-1/SETUP-AUDIO").planned_start_time().seconds(),
            day0_ + 8 * kCostHour);
  EXPECT_EQ(TaskNamed("LABOUR-1", "LABOUR-1/STRIKE-VIDEO").planned_start_time().seconds(),
            day0_ + 23 * kCostHour);
  EXPECT_EQ(TaskNamed("LABOUR-1", "LABOUR-1/STRIKE-AUDIO").planned_start_time().seconds(),
            day0_ + 23 * kCostHour);

  const v1::GetLabourCostsResponse response = LabourCosts({"LABOUR-1", "NOT-PLANNED-1"});
  ASSERT_EQ(response.orders_size(), 2);
  const v1::OrderLabourCost& cost = response.orders(0);
  EXPECT_EQ(cost.order_id(), "LABOUR-1");
  EXPECT_TRUE(cost.planned());

  // Vic's setup: 4 h at 30, his trip there and back (2 h at 30) and a per diem.
  v1::LabourCostLine line = LineOf(cost, "LABOUR-1/SETUP-VIDEO", "vic");
  EXPECT_EQ(line.employment(), v1::EMPLOYMENT_EMPLOYEE);
  EXPECT_EQ(HoursOf(line.work_duration()), 4);
  EXPECT_EQ(HoursOf(line.night_duration()), 0);
  EXPECT_EQ(HoursOf(line.travel_duration()), 2);
  EXPECT_EQ(line.per_diem_count(), 1);
  EXPECT_EQ(MicrosOf(line.work_cost()), 120'000'000);
  EXPECT_EQ(MicrosOf(line.travel_cost()), 60'000'000);
  EXPECT_EQ(MicrosOf(line.per_diem_cost()), 40'000'000);
  EXPECT_EQ(MicrosOf(line.cost()), 220'000'000);
  EXPECT_EQ(line.explanation(),
            "4 h at 30.00 EUR + travel 2 × 1 h + 1 per diem at 40.00 EUR = 220.00 EUR");
  // His strike starts after midnight in Berlin: another day there, so another trip and per diem;
  // all of it at night.
  line = LineOf(cost, "LABOUR-1/STRIKE-VIDEO", "vic");
  EXPECT_EQ(HoursOf(line.night_duration()), 2);
  EXPECT_EQ(HoursOf(line.travel_duration()), 2);
  EXPECT_EQ(line.per_diem_count(), 1);
  EXPECT_EQ(MicrosOf(line.cost()), 175'000'000);  // 60 + 15 at night + 60 travel + 40
  EXPECT_EQ(line.explanation(),
            "2 h at 30.00 EUR + 2 h at night +25 % + travel 2 × 1 h + 1 per diem at 40.00 EUR = "
            "175.00 EUR");
  // Abe's setup inside his shift: 64, the trip 64, the per diem 40.
  line = LineOf(cost, "LABOUR-1/SETUP-AUDIO", "abe");
  EXPECT_EQ(HoursOf(line.beyond_shift_duration()), 0);
  EXPECT_EQ(MicrosOf(line.cost()), 168'000'000);
  // His strike the same (UTC) day: no second trip; an hour outside his shift and at night.
  line = LineOf(cost, "LABOUR-1/STRIKE-AUDIO", "abe");
  EXPECT_EQ(HoursOf(line.beyond_shift_duration()), 1);
  EXPECT_EQ(HoursOf(line.night_duration()), 1);
  EXPECT_EQ(HoursOf(line.travel_duration()), 0);
  EXPECT_EQ(line.per_diem_count(), 0);
  EXPECT_EQ(MicrosOf(line.cost()), 56'000'000);  // 32 + 16 + 8
  EXPECT_EQ(line.explanation(),
            "1 h at 32.00 EUR + 1 h outside shifts +50 % + 1 h at night +25 % = 56.00 EUR");
  // Val has the time and the per diem, and no money.
  line = LineOf(cost, "LABOUR-1/SETUP-VIDEO", "val");
  EXPECT_EQ(HoursOf(line.work_duration()), 4);
  EXPECT_EQ(line.per_diem_count(), 1);
  EXPECT_FALSE(line.has_cost());
  EXPECT_FALSE(line.has_work_cost());

  ASSERT_EQ(cost.cost_totals_size(), 1);
  EXPECT_EQ(cost.cost_totals(0).currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(cost.cost_totals(0)), 619'000'000);  // 220 + 175 + 168 + 56
  EXPECT_EQ(cost.unstaffed_crew_time().seconds(), 0);
  EXPECT_EQ(std::vector<std::string>(cost.unpriced_crew_member_ids().begin(),
                                     cost.unpriced_crew_member_ids().end()),
            (std::vector<std::string>{"dana", "val", "walt", "wanda"}));

  const v1::OrderLabourCost& unplanned = response.orders(1);
  EXPECT_EQ(unplanned.order_id(), "NOT-PLANNED-1");
  EXPECT_FALSE(unplanned.planned());
  EXPECT_EQ(unplanned.lines_size(), 0);
  EXPECT_EQ(unplanned.cost_totals_size(), 0);
}

TEST_F(LabourCostsTest, FreelancersCostTheFeeTheyAcceptedWithItsSurcharges) {
  // Nobody in-house rigs; Fay does, at 400 a day or 60 an hour, +50 % beyond her day and +25 % at
  // night.
  v1::CreateSkillRequest skill;
  skill.mutable_skill()->set_skill_code("RIGGER");
  skill.mutable_skill()->set_name("Rigger");
  v1::CreateSkillResponse created;
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateSkill, skill, &created).ok());
  v1::CreateCrewMemberRequest fay;
  v1::CrewMember* member = fay.mutable_crew_member();
  member->set_crew_member_id("fay");
  member->set_display_name("Fay");
  member->set_person_id(TestTokens::kCrewAnn);
  member->add_held_skills()->set_skill_code("RIGGER");
  member->set_employment(v1::EMPLOYMENT_FREELANCER);
  *member->mutable_day_fee() = Euros(400);
  *member->mutable_hour_fee() = Euros(60);
  member->set_beyond_shift_percent(50);
  member->set_night_work_percent(25);
  member->set_active(true);
  v1::CreateCrewMemberResponse fay_created;
  ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, fay, &fay_created).ok());

  // 12 hours of rigging from 06:00, and its strike, 6 hours from 23:00.
  v1::PlanJobRequest plan = ShowPlan(day0_, "RIG-COST", 1);
  plan.clear_crew_needs();
  v1::CrewNeed* need = plan.add_crew_needs();
  need->set_skill_code("RIGGER");
  need->mutable_duration()->set_seconds(12 * kCostHour);
  need->set_headcount(1);
  v1::PlanJobResponse planned;
  ASSERT_TRUE(scheduling_.Call(&Stub::PlanJob, plan, &planned).ok());

  // Both are offered to her, each fee with its surcharges and how it was reached.
  v1::ListOffersResponse offers;
  for (int attempt = 0; attempt < 200 && offers.offers_size() < 2; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    v1::ListOffersRequest list;
    list.set_order_id("RIG-COST");
    ASSERT_TRUE(scheduling_.Call(&Stub::ListOffers, list, &offers).ok());
  }
  ASSERT_EQ(offers.offers_size(), 2) << scheduling_.log();
  v1::CrewOffer setup, strike;
  for (const v1::CrewOffer& offer : offers.offers()) {
    (offer.task_id() == "RIG-COST/SETUP-RIGGER" ? setup : strike) = offer;
  }
  EXPECT_EQ(setup.start_time().seconds(), day0_ + 6 * kCostHour);
  EXPECT_EQ(MicrosOf(setup.fee()), 580'000'000);
  EXPECT_EQ(setup.fee_explanation(),
            "1 day at 400.00 EUR + 2 h beyond the day at 60.00 EUR +50 % = 580.00 EUR");
  EXPECT_EQ(strike.task_id(), "RIG-COST/STRIKE-RIGGER");
  EXPECT_EQ(strike.start_time().seconds(), day0_ + 23 * kCostHour);
  EXPECT_EQ(MicrosOf(strike.fee()), 450'000'000);
  EXPECT_EQ(strike.fee_explanation(), "6 h at 60.00 EUR + 6 h at night +25 % = 450.00 EUR");

  // She accepts the rigging; the strike waits for her answer. Her day fee goes up afterwards:
  // what she accepted stands.
  v1::AcceptOfferRequest accept;
  accept.set_offer_id(setup.offer_id());
  v1::AcceptOfferResponse accepted;
  grpc::Status status =
      scheduling_.Call(&Stub::AcceptOffer, accept, &accepted, scheduling_.tokens().crew_ann);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ChangeCrewMember(scheduling_, "fay",
                   [](v1::CrewMember& member) { *member.mutable_day_fee() = Euros(1000); });

  const v1::GetLabourCostsResponse response = LabourCosts({"RIG-COST"});
  ASSERT_EQ(response.orders_size(), 1);
  const v1::OrderLabourCost& cost = response.orders(0);
  const v1::LabourCostLine line = LineOf(cost, "RIG-COST/SETUP-RIGGER", "fay");
  EXPECT_EQ(line.employment(), v1::EMPLOYMENT_FREELANCER);
  EXPECT_EQ(HoursOf(line.work_duration()), 12);
  EXPECT_EQ(HoursOf(line.beyond_shift_duration()), 2);
  EXPECT_EQ(HoursOf(line.travel_duration()), 2);
  EXPECT_EQ(line.per_diem_count(), 1);
  EXPECT_EQ(MicrosOf(line.work_cost()), 580'000'000);
  EXPECT_EQ(MicrosOf(line.travel_cost()), 120'000'000);  // 2 h at her hour fee
  EXPECT_EQ(MicrosOf(line.cost()), 740'000'000);
  EXPECT_EQ(line.explanation(),
            "the accepted offer's 580.00 EUR + travel 2 × 1 h at 60.00 EUR + 1 per diem at "
            "40.00 EUR = 740.00 EUR");
  for (const v1::LabourCostLine& other : cost.lines()) {
    EXPECT_NE(other.task_id(), "RIG-COST/STRIKE-RIGGER") << "nobody has taken the strike yet";
  }
  EXPECT_EQ(HoursOf(cost.unstaffed_crew_time()), 6) << "the strike's place, waiting for Fay";
  ASSERT_EQ(cost.cost_totals_size(), 1);
  EXPECT_EQ(MicrosOf(cost.cost_totals(0)), 740'000'000);
}

TEST_F(LabourCostsTest, OnlyAdminAndServiceReadItAndBadInputNamesTheField) {
  v1::GetLabourCostsRequest request;
  request.add_order_ids("ANY-ORDER");
  v1::GetLabourCostsResponse response;
  const TestTokens& tokens = scheduling_.tokens();
  EXPECT_EQ(scheduling_.Call(&Stub::GetLabourCosts, request, &response, tokens.ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(scheduling_.Call(&Stub::GetLabourCosts, request, &response, tokens.sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      scheduling_.Call(&Stub::GetLabourCosts, request, &response, tokens.crew_ann).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(scheduling_.Call(&Stub::GetLabourCosts, request, &response, tokens.service).ok());
  ASSERT_EQ(response.orders_size(), 1);
  EXPECT_FALSE(response.orders(0).planned());

  v1::GetLabourCostsRequest empty;
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::GetLabourCosts, empty, &response)),
            "order_ids");
  v1::GetLabourCostsRequest twice;
  for (const char* id : {"A-1", "B-2", "A-1"}) twice.add_order_ids(id);
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::GetLabourCosts, twice, &response)),
            "order_ids[2]");

  // The night runs from local midnight, below 24 hours, in whole minutes.
  v1::UpdateCrewRulesRequest rules;
  rules.mutable_rules()->mutable_night_start_offset()->set_seconds(24 * kCostHour);
  v1::UpdateCrewRulesResponse updated;
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::UpdateCrewRules, rules, &updated)),
            "rules.night_start_offset");
  rules.mutable_rules()->mutable_night_start_offset()->set_seconds(22 * kCostHour + 30);
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::UpdateCrewRules, rules, &updated)),
            "rules.night_start_offset");
  rules.mutable_rules()->mutable_night_start_offset()->set_seconds(23 * kCostHour);
  rules.mutable_rules()->mutable_freelance_day_duration()->set_seconds(25 * kCostHour);
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::UpdateCrewRules, rules, &updated)),
            "rules.freelance_day_duration");
  rules.mutable_rules()->mutable_freelance_day_duration()->set_seconds(8 * kCostHour);
  ASSERT_TRUE(scheduling_.Call(&Stub::UpdateCrewRules, rules, &updated).ok());
  EXPECT_EQ(updated.rules().night_start_offset().seconds(), 23 * kCostHour);
  EXPECT_FALSE(updated.rules().has_night_end_offset()) << "unset stays unset: 06:00";

  // A cost rate is not negative; the surcharges are percents from 0 to 400.
  v1::CreateCrewMemberRequest create;
  create.mutable_crew_member()->set_display_name("Neg");
  create.mutable_crew_member()->add_held_skills()->set_skill_code("AUDIO");
  *create.mutable_crew_member()->mutable_hourly_cost() = Euros(-12);
  v1::CreateCrewMemberResponse created;
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::CreateCrewMember, create, &created)),
            "crew_member.hourly_cost");
  *create.mutable_crew_member()->mutable_hourly_cost() = Euros(12);
  create.mutable_crew_member()->set_night_work_percent(401);
  EXPECT_EQ(FirstViolatedField(scheduling_.Call(&Stub::CreateCrewMember, create, &created)),
            "crew_member.night_work_percent");

  // A crew member reads their own rates, and cannot change them.
  ChangeCrewMember(scheduling_, "abe", [](v1::CrewMember& member) {
    member.set_person_id(TestTokens::kCrewAnn);
    *member.mutable_hourly_cost() = Euros(32);
  });
  v1::GetCrewMemberRequest own;
  v1::GetCrewMemberResponse got;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, own, &got, tokens.crew_ann).ok());
  EXPECT_EQ(got.crew_member().hourly_cost().units(), 32);
  v1::UpdateCrewMemberRequest raise;
  *raise.mutable_crew_member() = got.crew_member();
  *raise.mutable_crew_member()->mutable_hourly_cost() = Euros(64);
  v1::UpdateCrewMemberResponse raised;
  EXPECT_EQ(scheduling_.Call(&Stub::UpdateCrewMember, raise, &raised, tokens.crew_ann).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(LabourCostsTest, AnEmployeesCostRateIsPayThatOnlyAdminSetsAndReads) {
  ChangeCrewMember(scheduling_, "abe",
                   [](v1::CrewMember& member) { *member.mutable_hourly_cost() = Euros(32); });
  const TestTokens& tokens = scheduling_.tokens();

  // OPS and SALES plan with the member, without the pay.
  v1::GetCrewMemberRequest get;
  get.set_crew_member_id("abe");
  for (const std::string* token : {&tokens.ops, &tokens.sales}) {
    v1::GetCrewMemberResponse got;
    ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &got, *token).ok());
    EXPECT_EQ(got.crew_member().display_name(), "abe");
    EXPECT_FALSE(got.crew_member().has_hourly_cost());
    v1::ListCrewMembersResponse listed;
    ASSERT_TRUE(
        scheduling_.Call(&Stub::ListCrewMembers, v1::ListCrewMembersRequest(), &listed, *token)
            .ok());
    ASSERT_GT(listed.crew_members_size(), 0);
    for (const v1::CrewMember& member : listed.crew_members()) {
      EXPECT_FALSE(member.has_hourly_cost()) << member.crew_member_id();
    }
  }

  // OPS edits the member as read: the stored rate stays. Setting one is ADMIN's.
  v1::GetCrewMemberResponse as_ops;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &as_ops, tokens.ops).ok());
  v1::UpdateCrewMemberRequest edit;
  *edit.mutable_crew_member() = as_ops.crew_member();
  edit.mutable_crew_member()->set_display_name("Abe Brandt");
  v1::UpdateCrewMemberResponse edited;
  grpc::Status status = scheduling_.Call(&Stub::UpdateCrewMember, edit, &edited, tokens.ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(edited.crew_member().has_hourly_cost());
  v1::GetCrewMemberResponse as_admin;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &as_admin, tokens.admin).ok());
  EXPECT_EQ(as_admin.crew_member().display_name(), "Abe Brandt");
  EXPECT_EQ(as_admin.crew_member().hourly_cost().units(), 32);

  *edit.mutable_crew_member()->mutable_hourly_cost() = Euros(20);
  edit.set_request_id("ops-sets-a-rate");
  status = scheduling_.Call(&Stub::UpdateCrewMember, edit, &edited, tokens.ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "ROLE_NOT_ALLOWED");
  v1::CreateCrewMemberRequest create;
  create.mutable_crew_member()->set_display_name("Cheap");
  create.mutable_crew_member()->add_held_skills()->set_skill_code("AUDIO");
  *create.mutable_crew_member()->mutable_hourly_cost() = Euros(5);
  v1::CreateCrewMemberResponse created;
  EXPECT_EQ(scheduling_.Call(&Stub::CreateCrewMember, create, &created, tokens.ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &as_admin, tokens.admin).ok());
  EXPECT_EQ(as_admin.crew_member().hourly_cost().units(), 32);
}

}  // namespace
}  // namespace salesops::testing
