// Offers to freelancers over real gRPC, on a real scheduling process (issue 20): work in-house
// crew cannot cover is offered to freelancers one at a time in the solver's order; a decline
// moves on to the next, so does an offer nobody answers in time; the task is covered, and kept
// where it is, only once accepted, and shows "crew pending" until then.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

#include "salesops/v1/events.pb.h"
#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

class OffersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
    v1::CreateSkillRequest skill;
    skill.mutable_skill()->set_skill_code("RIGGER");
    skill.mutable_skill()->set_name("Rigger");
    v1::CreateSkillResponse created;
    ASSERT_TRUE(scheduling_.Call(&Stub::CreateSkill, skill, &created).ok());
    // Three freelancers hold the skill; nobody in-house does. Fay and Gus sign in with crew
    // tokens of their own; Hal has none (ops answer for him).
    AddFreelancer("fay", TestTokens::kCrewAnn, 300, 0);
    AddFreelancer("gus", TestTokens::kCrewBen, 300, 45);
    AddFreelancer("hal", "", 0, 0);
  }

  void AddFreelancer(const std::string& id, const std::string& person, int day_fee, int hour_fee) {
    v1::CreateCrewMemberRequest request;
    v1::CrewMember* member = request.mutable_crew_member();
    member->set_crew_member_id(id);
    member->set_display_name(id);
    member->set_person_id(person);
    member->add_held_skills()->set_skill_code("RIGGER");
    member->set_employment(v1::EMPLOYMENT_FREELANCER);
    if (day_fee > 0) {
      member->mutable_day_fee()->set_currency_code("EUR");
      member->mutable_day_fee()->set_units(day_fee);
    }
    if (hour_fee > 0) {
      member->mutable_hour_fee()->set_currency_code("EUR");
      member->mutable_hour_fee()->set_units(hour_fee);
    }
    member->set_active(true);
    v1::CreateCrewMemberResponse response;
    ASSERT_TRUE(scheduling_.Call(&Stub::CreateCrewMember, request, &response).ok());
  }

  // The offers of the rigging setup, oldest first, once `ready` holds of them (the offer worker
  // runs every second); fails after 20 s.
  std::vector<v1::CrewOffer> OffersWhen(
      const std::function<bool(const std::vector<v1::CrewOffer>&)>& ready) {
    std::vector<v1::CrewOffer> offers;
    for (int attempt = 0; attempt < 200; ++attempt) {
      v1::ListOffersRequest request;
      request.set_task_id(kTask);
      v1::ListOffersResponse response;
      EXPECT_TRUE(scheduling_.Call(&Stub::ListOffers, request, &response).ok());
      offers.assign(response.offers().rbegin(), response.offers().rend());
      if (ready(offers)) return offers;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the offers never got there; last " << offers.size();
    return offers;
  }

  v1::Task RiggingTask() {
    v1::GetJobStatusRequest request;
    request.set_order_id("RIG-1");
    v1::GetJobStatusResponse job;
    EXPECT_TRUE(scheduling_.Call(&Stub::GetJobStatus, request, &job).ok());
    for (const v1::Task& task : job.job().tasks()) {
      if (task.task_id() == kTask) return task;
    }
    ADD_FAILURE() << "no " << kTask;
    return {};
  }

  static constexpr char kTask[] = "RIG-1/SETUP-RIGGER";

  // The show RIG-1 needing one rigger for 4 hours, planned: nobody in-house rigs.
  v1::PlanJobRequest PlanRigging() {
    v1::PlanJobRequest plan = ShowPlan(TestDayZero(), "RIG-1", 1);
    plan.clear_crew_needs();
    v1::CrewNeed* need = plan.add_crew_needs();
    need->set_skill_code("RIGGER");
    need->mutable_duration()->set_seconds(4 * 3600);
    need->set_headcount(1);
    v1::PlanJobResponse planned;
    grpc::Status status = scheduling_.Call(&Stub::PlanJob, plan, &planned);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return plan;
  }
  std::shared_ptr<TestDatabase> database_ = std::make_shared<TestDatabase>();
  SchedulingFixture scheduling_{
      "scheduling",
      database_,
      {"--offer-interval-seconds", "1", "--reoptimize-interval-seconds", "0"}};
};

TEST_F(OffersTest, DeclinesAndExpiriesMoveOnUntilAFreelancerAcceptsAndCoversTheTask) {
  const v1::PlanJobRequest plan = PlanRigging();

  // Nobody in-house rigs: the first freelancer in the solver's order (none booked: by id) is
  // asked, with the reason, the times, the fee and a reply time.
  std::vector<v1::CrewOffer> offers =
      OffersWhen([](const auto& offers) { return offers.size() == 1; });
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].crew_member_id(), "fay");
  EXPECT_EQ(offers[0].state(), v1::OFFER_STATE_SENT);
  EXPECT_EQ(offers[0].rank(), 1);
  EXPECT_EQ(offers[0].skill_code(), "RIGGER");
  EXPECT_EQ(offers[0].fee().units(), 300);
  EXPECT_EQ(offers[0].finish_time().seconds() - offers[0].start_time().seconds(), 4 * 3600);
  EXPECT_GT(offers[0].reply_by_time().seconds(), 0);
  EXPECT_NE(offers[0].reason().find("holds RIGGER level 1"), std::string::npos)
      << offers[0].reason();
  v1::Task task = RiggingTask();
  EXPECT_TRUE(task.at_risk());
  EXPECT_EQ(task.at_risk_reason(), v1::AT_RISK_REASON_CREW_PENDING);
  EXPECT_NE(task.at_risk_explanation().find("offered to fay"), std::string::npos)
      << task.at_risk_explanation();

  // Each freelancer sees only their own offers, and cannot answer another's.
  const TestTokens& tokens = scheduling_.tokens();
  v1::ListOffersRequest mine;
  v1::ListOffersResponse listed;
  ASSERT_TRUE(scheduling_.Call(&Stub::ListOffers, mine, &listed, tokens.crew_ann).ok());
  EXPECT_EQ(listed.offers_size(), 2) << "the rigging setup's, and the strike's";
  for (const v1::CrewOffer& offer : listed.offers()) EXPECT_EQ(offer.crew_member_id(), "fay");
  ASSERT_TRUE(scheduling_.Call(&Stub::ListOffers, mine, &listed, tokens.crew_ben).ok());
  EXPECT_EQ(listed.offers_size(), 0);
  mine.set_crew_member_id("fay");
  EXPECT_EQ(scheduling_.Call(&Stub::ListOffers, mine, &listed, tokens.crew_ben).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::AcceptOfferRequest steal;
  steal.set_offer_id(offers[0].offer_id());
  v1::AcceptOfferResponse accepted;
  EXPECT_EQ(scheduling_.Call(&Stub::AcceptOffer, steal, &accepted, tokens.crew_ben).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  steal.set_offer_id("no-such-offer");
  EXPECT_EQ(scheduling_.Call(&Stub::AcceptOffer, steal, &accepted, tokens.crew_ben).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "an id that does not exist answers the same";
  // One offer opened by id (GetOffer): hers to Fay, the same to ops; to Ben, refused alike
  // whether it is someone else's or does not exist; to ops, an id that does not exist is not
  // found.
  v1::GetOfferRequest open;
  open.set_offer_id(offers[0].offer_id());
  v1::GetOfferResponse opened;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.crew_ann).ok());
  EXPECT_EQ(opened.offer().offer_id(), offers[0].offer_id());
  EXPECT_EQ(opened.offer().fee_explanation(), offers[0].fee_explanation());
  EXPECT_EQ(opened.offer().reason(), offers[0].reason());
  ASSERT_TRUE(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.ops).ok());
  EXPECT_EQ(opened.offer().crew_member_id(), "fay");
  EXPECT_EQ(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.crew_ben).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  open.set_offer_id("no-such-offer");
  EXPECT_EQ(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.crew_ben).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.ops).error_code(),
            grpc::StatusCode::NOT_FOUND);
  open.clear_offer_id();
  EXPECT_EQ(scheduling_.Call(&Stub::GetOffer, open, &opened, tokens.ops).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Fay declines: Gus is asked next, at once, for the same times.
  v1::DeclineOfferRequest decline;
  decline.set_request_id("fay-says-no");
  decline.set_offer_id(offers[0].offer_id());
  decline.set_reason("booked on another show");
  v1::DeclineOfferResponse declined;
  ASSERT_TRUE(scheduling_.Call(&Stub::DeclineOffer, decline, &declined, tokens.crew_ann).ok());
  EXPECT_EQ(declined.offer().state(), v1::OFFER_STATE_DECLINED);
  offers = OffersWhen([](const auto& offers) { return offers.size() == 2; });
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[1].crew_member_id(), "gus");
  EXPECT_EQ(offers[1].rank(), 2);
  EXPECT_EQ(offers[1].start_time().seconds(), offers[0].start_time().seconds());
  EXPECT_EQ(offers[1].fee().units(), 180) << "4 h at 45 EUR comes cheaper than his day";
  EXPECT_EQ(offers[0].decline_reason(), "booked on another show");

  // Gus does not answer in time (his reply time is moved into the past): Hal is asked next.
  {
    pqxx::connection connection(database_->connection_string());
    pqxx::work tx(connection);
    tx.exec(
        "UPDATE crew_offers SET reply_by = now() - interval '1 minute' "
        "WHERE crew_member_id = 'gus'");
    tx.commit();
  }
  offers = OffersWhen([](const auto& offers) { return offers.size() == 3; });
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[1].state(), v1::OFFER_STATE_EXPIRED);
  EXPECT_EQ(offers[2].crew_member_id(), "hal");
  EXPECT_EQ(offers[2].rank(), 3);
  EXPECT_FALSE(offers[2].has_fee()) << "Hal has no fees on file";
  // Gus can no longer take it.
  v1::AcceptOfferRequest late;
  late.set_offer_id(offers[1].offer_id());
  grpc::Status too_late = scheduling_.Call(&Stub::AcceptOffer, late, &accepted, tokens.crew_ben);
  EXPECT_EQ(too_late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(too_late).reason, "INVALID_STAGE_TRANSITION");
  EXPECT_TRUE(RiggingTask().at_risk()) << "not covered until someone accepts";

  // Ops accept for Hal (he rang): the task is his at the offered times, and covered.
  v1::AcceptOfferRequest accept;
  accept.set_request_id("hal-rang");
  accept.set_offer_id(offers[2].offer_id());
  ASSERT_TRUE(scheduling_.Call(&Stub::AcceptOffer, accept, &accepted, tokens.ops).ok());
  EXPECT_EQ(accepted.offer().state(), v1::OFFER_STATE_ACCEPTED);
  EXPECT_FALSE(accepted.task().at_risk()) << accepted.task().at_risk_explanation();
  ASSERT_EQ(accepted.task().assignments_size(), 1);
  EXPECT_EQ(accepted.task().assignments(0).crew_member_id(), "hal");
  EXPECT_EQ(accepted.task().planned_start_time().seconds(), offers[2].start_time().seconds());
  v1::AcceptOfferResponse again;
  ASSERT_TRUE(scheduling_.Call(&Stub::AcceptOffer, accept, &again, tokens.ops).ok());
  EXPECT_EQ(again.offer().offer_id(), accepted.offer().offer_id()) << "a retry is answered again";

  // Re-optimisation keeps the work where Hal took it; nobody else is asked.
  v1::RunAssignmentRequest run;
  v1::RunAssignmentResponse ran;
  ASSERT_TRUE(scheduling_.Call(&Stub::RunAssignment, run, &ran, tokens.ops).ok());
  task = RiggingTask();
  ASSERT_EQ(task.assignments_size(), 1);
  EXPECT_EQ(task.assignments(0).crew_member_id(), "hal");
  EXPECT_FALSE(task.at_risk());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(OffersWhen([](const auto&) { return true; }).size(), 3u);

  // Each offer went out as an event addressed to its freelancer (notification routes it to
  // their inbox and their webhook).
  pqxx::connection connection(database_->connection_string());
  pqxx::work tx(connection);
  std::map<std::string, std::vector<std::string>> recipients;
  for (const auto& row : tx.exec("SELECT event_type, payload FROM outbox ORDER BY id")) {
    pqxx::binarystring payload(row[1]);
    v1::Event event;
    ASSERT_TRUE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
    if (!event.has_crew_offer()) continue;
    recipients[row[0].as<std::string>() + " " + event.crew_offer().crew_member_id()] = {
        event.recipient_person_ids().begin(), event.recipient_person_ids().end()};
  }
  EXPECT_EQ(recipients["EVENT_TYPE_CREW_OFFER_SENT fay"],
            std::vector<std::string>{TestTokens::kCrewAnn});
  EXPECT_EQ(recipients["EVENT_TYPE_CREW_OFFER_DECLINED fay"],
            std::vector<std::string>{TestTokens::kCrewAnn});
  EXPECT_EQ(recipients["EVENT_TYPE_CREW_OFFER_EXPIRED gus"],
            std::vector<std::string>{TestTokens::kCrewBen});
  EXPECT_EQ(recipients.count("EVENT_TYPE_CREW_OFFER_ACCEPTED hal"), 1u);
  ASSERT_EQ(recipients.count("EVENT_TYPE_CREW_OFFER_SENT hal"), 1u);
  EXPECT_TRUE(recipients["EVENT_TYPE_CREW_OFFER_SENT hal"].empty()) << "Hal signs in as nobody";
  tx.commit();

  // The client cancels: the work Hal accepted is called off, and he is told why.
  v1::CancelJobRequest cancel;
  cancel.set_order_id(plan.order_id());
  cancel.set_reason("client cancelled");
  v1::CancelJobResponse cancelled;
  grpc::Status status = scheduling_.Call(&Stub::CancelJob, cancel, &cancelled, tokens.service);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::vector<v1::CrewOffer> withdrawn = OffersWhen([](const auto& offers) {
    for (const v1::CrewOffer& offer : offers) {
      if (offer.crew_member_id() == "hal") return offer.state() == v1::OFFER_STATE_WITHDRAWN;
    }
    return false;
  });
  bool hal_withdrawn = false;
  for (const v1::CrewOffer& offer : withdrawn) {
    hal_withdrawn |= offer.crew_member_id() == "hal" && offer.state() == v1::OFFER_STATE_WITHDRAWN;
  }
  EXPECT_TRUE(hal_withdrawn);
  pqxx::work after(connection);
  const pqxx::result withdrawals =
      after.exec("SELECT payload FROM outbox WHERE event_type = 'EVENT_TYPE_CREW_OFFER_WITHDRAWN'");
  std::vector<v1::Event> events;
  for (const auto& row : withdrawals) {
    pqxx::binarystring payload(row[0]);
    ASSERT_TRUE(
        events.emplace_back().ParseFromArray(payload.data(), static_cast<int>(payload.size())));
  }
  // Hal's accepted setup, and the strike still waiting for Fay's answer.
  std::map<std::string, std::string> summaries;
  for (const v1::Event& event : events) {
    summaries[event.crew_offer().crew_member_id()] = event.summary();
  }
  ASSERT_EQ(summaries.size(), 2u);
  for (const auto& [who, summary] : summaries) {
    EXPECT_NE(summary.find("Offer to " + who + " withdrawn"), std::string::npos) << summary;
    EXPECT_NE(summary.find("the work was cancelled"), std::string::npos) << summary;
  }
  EXPECT_NE(summaries["hal"].find("SETUP RIGGER"), std::string::npos) << summaries["hal"];
  EXPECT_NE(summaries["fay"].find("STRIKE RIGGER"), std::string::npos) << summaries["fay"];
}

TEST_F(OffersTest, CapacityNamesTheFreelancersWhoCouldCoverWhatInHouseCrewCannot) {
  v1::CheckCapacityRequest request;
  v1::CrewNeed* need = request.add_crew_needs();
  need->set_skill_code("RIGGER");
  need->mutable_duration()->set_seconds(4 * 3600);
  need->set_headcount(2);
  const int64_t day0 = TestDayZero();
  request.mutable_window()->mutable_not_before()->set_seconds(day0 + 6 * 3600);
  request.mutable_window()->mutable_no_later_than()->set_seconds(day0 + 18 * 3600);
  v1::CheckCapacityResponse response;
  grpc::Status status = scheduling_.Call(&Stub::CheckCapacity, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Nobody in-house rigs, so it does not fit; two of the three freelancers could take it.
  EXPECT_FALSE(response.fits());
  EXPECT_NE(response.explanation().find(
                "freelancers could cover it: fay, gus (offered once the order is confirmed"),
            std::string::npos)
      << response.explanation();

  // Four riggers at once: not even the freelancers, so no hint.
  need->set_headcount(4);
  status = scheduling_.Call(&Stub::CheckCapacity, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.fits());
  EXPECT_EQ(response.explanation().find("freelancers could cover"), std::string::npos)
      << response.explanation();
}

TEST_F(OffersTest, AFreelancerOffAfterAcceptingIsReleasedAndTheNextOneIsAsked) {
  const v1::PlanJobRequest plan = PlanRigging();
  std::vector<v1::CrewOffer> offers =
      OffersWhen([](const auto& offers) { return offers.size() == 1; });
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_EQ(offers[0].crew_member_id(), "fay");
  const TestTokens& tokens = scheduling_.tokens();
  v1::AcceptOfferRequest accept;
  accept.set_offer_id(offers[0].offer_id());
  v1::AcceptOfferResponse accepted;
  ASSERT_TRUE(scheduling_.Call(&Stub::AcceptOffer, accept, &accepted, tokens.crew_ann).ok());
  ASSERT_FALSE(RiggingTask().at_risk());

  // Fay falls ill over the work she took: ops enter it, and the work goes to Gus.
  v1::AddUnavailabilityRequest ill;
  ill.mutable_unavailability()->set_crew_member_id("fay");
  ill.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_SICK_LEAVE);
  *ill.mutable_unavailability()->mutable_window()->mutable_not_before() = offers[0].start_time();
  *ill.mutable_unavailability()->mutable_window()->mutable_no_later_than() =
      offers[0].finish_time();
  ill.mutable_unavailability()->set_reason("flu");
  v1::AddUnavailabilityResponse added;
  grpc::Status status = scheduling_.Call(&Stub::AddUnavailability, ill, &added, tokens.ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  offers = OffersWhen([](const auto& offers) { return offers.size() == 2; });
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].state(), v1::OFFER_STATE_WITHDRAWN);
  EXPECT_EQ(offers[1].crew_member_id(), "gus");
  EXPECT_EQ(offers[1].state(), v1::OFFER_STATE_SENT);
  const v1::Task task = RiggingTask();
  EXPECT_TRUE(task.at_risk()) << "not covered until Gus accepts";
  EXPECT_EQ(task.at_risk_reason(), v1::AT_RISK_REASON_CREW_PENDING);
  for (const v1::Assignment& assignment : task.assignments()) {
    EXPECT_NE(assignment.crew_member_id(), "fay");
  }

  pqxx::connection connection(database_->connection_string());
  pqxx::work tx(connection);
  std::vector<std::string> summaries;
  for (const auto& row : tx.exec("SELECT payload FROM outbox WHERE event_type = "
                                 "'EVENT_TYPE_CREW_OFFER_WITHDRAWN'")) {
    pqxx::binarystring payload(row[0]);
    v1::Event event;
    ASSERT_TRUE(event.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
    if (event.crew_offer().task_id() != kTask) continue;
    EXPECT_EQ(std::vector<std::string>(event.recipient_person_ids().begin(),
                                       event.recipient_person_ids().end()),
              std::vector<std::string>{TestTokens::kCrewAnn});
    summaries.push_back(event.summary());
  }
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_NE(summaries[0].find("they are no longer available then"), std::string::npos)
      << summaries[0];
}

}  // namespace
}  // namespace salesops::testing
