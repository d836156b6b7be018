// The rules of offers to freelancers and of the skill catalog, apart from the database.
#include "services/scheduling/offer_rules.h"

#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"
#include "services/scheduling/crew_skills.h"
#include "services/scheduling/labour_cost.h"

namespace salesops::scheduling {
namespace {

Freelancer Person(const std::string& id, std::vector<HeldSkill> skills, Minutes booked = 0,
                  std::vector<Span> busy = {}) {
  return {id, id, std::move(skills), std::move(busy), booked};
}

std::vector<std::string> Ids(const std::vector<RankedCandidate>& ranked,
                             const std::vector<Freelancer>& freelancers) {
  std::vector<std::string> ids;
  for (const RankedCandidate& candidate : ranked) {
    ids.push_back(freelancers[candidate.freelancer].crew_member_id);
  }
  return ids;
}

TEST(OfferRulesTest, CandidatesAreTheQualifiedAndFreeInTheSolversOrder) {
  const OfferedWork work{"RIGGER", 2, {10 * kHour, 14 * kHour}};
  const std::vector<Freelancer> freelancers = {
      Person("zoe", {{"RIGGER", 2}}, 6 * kHour),  // booked most
      Person("amy", {{"RIGGER", 2}}, 2 * kHour),
      Person("bob", {{"RIGGER", 2}}, 2 * kHour),                      // same load as amy: by id
      Person("low", {{"RIGGER", 1}}),                                 // level too low
      Person("exp", {{"RIGGER", 2, 12 * kHour}}),                     // certificate ends mid-work
      Person("off", {{"RIGGER", 2}}, 0, {{13 * kHour, 15 * kHour}}),  // busy for part of it
      Person("was", {{"RIGGER", 2}}),                                 // asked before for this task
      Person("vid", {{"VIDEO", 3}})};
  const std::vector<RankedCandidate> ranked = RankCandidates(work, freelancers, {"was"});
  EXPECT_EQ(Ids(ranked, freelancers), (std::vector<std::string>{"amy", "bob", "zoe"}));
  EXPECT_NE(ranked[0].reason.find("holds RIGGER level 2"), std::string::npos) << ranked[0].reason;
  EXPECT_NE(ranked[0].reason.find("2 h accepted that week"), std::string::npos) << ranked[0].reason;
}

// A freelancer with fees in EUR (0: none), as offers and the labour cost read them.
v1::CrewMember WithFees(int day_fee, int hour_fee) {
  v1::CrewMember member;
  member.set_crew_member_id("fay");
  member.set_employment(v1::EMPLOYMENT_FREELANCER);
  if (day_fee > 0) {
    member.mutable_day_fee()->set_currency_code("EUR");
    member.mutable_day_fee()->set_units(day_fee);
  }
  if (hour_fee > 0) {
    member.mutable_hour_fee()->set_currency_code("EUR");
    member.mutable_hour_fee()->set_units(hour_fee);
  }
  return member;
}

// The one fee function offers quote (labour_cost.h): its surcharges are in labour_cost_test.cc.
int64_t FeeMicros(const v1::CrewMember& member, Minutes minutes) {
  absl::StatusOr<FreelanceFee> fee = FreelanceFeeOf(member, minutes, 0, kDefaultFreelanceDay);
  EXPECT_TRUE(fee.ok()) << fee.status();
  return fee.ok() ? fee->micros : -1;
}

TEST(OfferRulesTest, FeesSlotsAndReplyTimes) {
  // 4 h at 45/h (180) beats a day of 300; 8 h at 45/h (360) does not.
  EXPECT_EQ(FeeMicros(WithFees(300, 45), 4 * kHour), 180'000'000);
  EXPECT_TRUE(FreelanceFeeOf(WithFees(300, 45), 4 * kHour, 0, kDefaultFreelanceDay)->by_hour);
  EXPECT_EQ(FeeMicros(WithFees(300, 45), 8 * kHour), 300'000'000);
  EXPECT_FALSE(FreelanceFeeOf(WithFees(300, 45), 8 * kHour, 0, kDefaultFreelanceDay)->by_hour);
  // Two days started cover 2 × 10 h; the other 10 h are paid at the day over its 10 hours.
  EXPECT_EQ(FeeMicros(WithFees(300, 0), 30 * kHour), 900'000'000) << "two days started + 10 h";
  EXPECT_FALSE(FreelanceFeeOf(WithFees(0, 0), kHour, 0, kDefaultFreelanceDay)->priced);
  v1::CrewMember huge = WithFees(0, 0);
  huge.mutable_day_fee()->set_currency_code("EUR");
  huge.mutable_day_fee()->set_units(INT64_MAX / 2'000'000);
  absl::StatusOr<FreelanceFee> refused = FreelanceFeeOf(huge, 3 * kDay, 0, kDefaultFreelanceDay);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kOutOfRange) << "refused, never wrapped";

  // The work starts when the task, its predecessors and an hour from now allow.
  EXPECT_EQ(OfferSlot(10 * kHour, 12 * kHour, 0, 2 * kHour, 20 * kHour),
            (Span{12 * kHour, 14 * kHour}));
  EXPECT_EQ(OfferSlot(0, 0, 5 * kHour, 2 * kHour, 20 * kHour), (Span{6 * kHour, 8 * kHour}));
  EXPECT_FALSE(OfferSlot(0, 18 * kHour, 0, 4 * kHour, 20 * kHour)) << "misses the deadline";

  EXPECT_EQ(ReplyBy(0, 0, 10 * kDay), kDay) << "24 hours by default";
  EXPECT_EQ(ReplyBy(0, 2 * kHour, 10 * kDay), 2 * kHour);
  EXPECT_EQ(ReplyBy(0, kDay, 5 * kHour), 4 * kHour) << "an hour before the work at the latest";
  EXPECT_FALSE(ReplyBy(0, kDay, 30)) << "no time left to answer";
}

TEST(CatalogRuleTest, CodesLevelsAndCertificates) {
  std::map<std::string, v1::SkillDefinition> catalog;
  catalog["RIGGER"].set_skill_code("RIGGER");
  catalog["RIGGER"].add_level_names("level 1");
  catalog["RIGGER"].add_level_names("level 2");
  catalog["RIGGER"].set_certificate_required(true);
  catalog["AUDIO"].set_skill_code("AUDIO");

  EXPECT_TRUE(
      CheckAgainstCatalog({{"crew_needs[0]", "RIGGER", 2}, {"crew_needs[1]", "AUDIO", 1}}, catalog)
          .ok());
  absl::Status unknown = CheckAgainstCatalog(
      {{"crew_needs[0]", "BALLOONS", 0}, {"crew_needs[1]", "RIGGER", 3}}, catalog);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kFailedPrecondition) << "unknown codes first";
  absl::Status levels = CheckAgainstCatalog({{"crew_needs[0]", "RIGGER", 3},
                                             {"held[0]", "AUDIO", 2, true, false},
                                             {"held[1]", "RIGGER", 1, true, false},
                                             {"held[2]", "RIGGER", 1, true, true}},
                                            catalog);
  EXPECT_EQ(levels.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& violation : common::ParseGrpcError(common::ToGrpcStatus(levels)).violations) {
    fields.push_back(violation.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"crew_needs[0].min_level", "held[0].level",
                                              "held[1].certificate_expiry_day"}));
}

}  // namespace
}  // namespace salesops::scheduling
