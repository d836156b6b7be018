#include "services/scheduling/capacity.h"

#include <gtest/gtest.h>

namespace salesops::scheduling {
namespace {

// Work already placed on someone: it keeps its people and time.
Assignment PlacedOn(const std::string& crew_id, Minutes start, Minutes finish) {
  Assignment work;
  work.task_id = "JOB-A/SETUP-AUDIO";
  work.crew_ids = {crew_id};
  work.start = start;
  work.finish = finish;
  return work;
}

TEST(CapacityTest, FitsBesidePlacedWork) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}}};
  CapacityAsk ask{{{"AUDIO", 2 * kHour, 1}}, 0, {0, 10 * kHour}};
  CapacityProbe probe = ProbeCapacity({PlacedOn("ana", 0, 4 * kHour)}, crew, {}, ask);
  EXPECT_TRUE(probe.fits);
  ASSERT_EQ(probe.probes.size(), 1u);
  EXPECT_EQ(probe.probes[0].start, 4 * kHour);
  EXPECT_EQ(probe.probes[0].crew_ids, std::vector<std::string>{"ana"});
}

TEST(CapacityTest, NeverFitsByMovingPlacedWork) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}}};
  // Placed: 4 h from 00:00. Asked: 4 h due at 06:00. Fitting it would mean moving the placed
  // job, which was promised: that is not capacity.
  CapacityAsk ask{{{"AUDIO", 4 * kHour, 1}}, 0, {0, 6 * kHour}};
  CapacityProbe probe = ProbeCapacity({PlacedOn("ana", 0, 4 * kHour)}, crew, {}, ask);
  EXPECT_FALSE(probe.fits);
  EXPECT_TRUE(probe.probes[0].late);
  // Without the placed work (an order re-checked against itself), it fits.
  EXPECT_TRUE(ProbeCapacity({}, crew, {}, ask).fits);
}

TEST(CapacityTest, AHeadcountWaitsUntilEnoughPeopleAreFreeTogether) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}},
                                  {"bob", "Bob", {"AUDIO"}, {}, {}}};
  CapacityAsk ask{{{"AUDIO", 2 * kHour, 2}}, 0, {0, 10 * kHour}};
  CapacityProbe probe = ProbeCapacity({PlacedOn("ana", kHour, 3 * kHour)}, crew, {}, ask);
  EXPECT_TRUE(probe.fits);
  EXPECT_EQ(probe.probes[0].start, 3 * kHour);
  EXPECT_EQ(probe.probes[0].crew_ids, (std::vector<std::string>{"ana", "bob"}));
  ask.window = {0, 4 * kHour};
  EXPECT_FALSE(ProbeCapacity({PlacedOn("ana", kHour, 3 * kHour)}, crew, {}, ask).fits);
}

TEST(CapacityTest, FreelancersWhoCouldCoverWhatInHouseCrewCannot) {
  CrewMember fay{"fay", "Fay", {"RIGGER"}, {}, {}};
  fay.freelancer = true;
  CrewMember gus{"gus", "Gus", {"RIGGER", "DRIVER"}, {}, {{0, 10 * kHour}}};  // away all day
  gus.freelancer = true;
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}}, fay, gus};
  CapacityAsk ask{{{"RIGGER", 2 * kHour, 1}, {"AUDIO", 2 * kHour, 1}}, 0, {0, 10 * kHour}};
  EXPECT_FALSE(ProbeCapacity({}, crew, {}, ask).fits) << "nobody in-house rigs";
  EXPECT_EQ(FreelancersWhoCouldCover({}, crew, {}, {ask}), std::vector<std::string>{"fay"});

  // Two riggers at once: Gus is away, so even freelancers cannot make it fit.
  ask.needs[0].headcount = 2;
  EXPECT_TRUE(FreelancersWhoCouldCover({}, crew, {}, {ask}).empty());

  // Driving is never offered: a freelance driver does not make a vehicle run fit.
  std::vector<CrewMember> drivers = {{"ana", "Ana", {"AUDIO"}, {}, {}},
                                     {"gus", "Gus", {"DRIVER"}, {}, {}, true}};
  CapacityAsk drive{{}, 1, {0, 8 * kHour}};
  std::vector<Vehicle> trucks = {{"TRUCK-1", {}}};
  EXPECT_FALSE(ProbeCapacity({}, drivers, trucks, drive).fits);
  EXPECT_TRUE(FreelancersWhoCouldCover({}, drivers, trucks, {drive}).empty());

  // No freelancers: nothing to suggest.
  EXPECT_TRUE(FreelancersWhoCouldCover({}, {{"ana", "Ana", {"AUDIO"}, {}, {}}}, {}, {ask}).empty());
}

TEST(CapacityTest, VehiclesAreChecked) {
  std::vector<CrewMember> crew = {{"dan", "Dan", {"DRIVER"}, {}, {}}};
  std::vector<Vehicle> trucks = {{"TRUCK-1", {{0, 10 * kHour}}}};
  CapacityAsk ask{{}, 1, {0, 8 * kHour}};
  EXPECT_FALSE(ProbeCapacity({}, crew, trucks, ask).fits);
  ask.window = {0, 12 * kHour};
  EXPECT_TRUE(ProbeCapacity({}, crew, trucks, ask).fits);
  // A truck busy with placed work counts as busy too.
  trucks = {{"TRUCK-1", {}}};
  Assignment drive = PlacedOn("someone-else", 0, 11 * kHour + 30);
  drive.vehicle_id = "TRUCK-1";
  ask.window = {0, 12 * kHour};
  EXPECT_FALSE(ProbeCapacity({drive}, crew, trucks, ask).fits);
}

TEST(CapacityTest, PhasesOnTheSameDayCompeteForTheSamePeople) {
  std::vector<CrewMember> crew = {{"ana", "Ana", {"AUDIO"}, {}, {}}};
  CapacityAsk show{{{"AUDIO", 4 * kHour, 1}}, 0, {0, 6 * kHour}};
  CapacityAsk rehearsal = show;
  // Each fits alone; together they need eight hours of the one person in six.
  EXPECT_TRUE(ProbeCapacity({}, crew, {}, show).fits);
  std::vector<CapacityProbe> together = ProbeCapacityTogether({}, crew, {}, {show, rehearsal});
  ASSERT_EQ(together.size(), 2u);
  EXPECT_NE(together[0].fits, together[1].fits);
  // A day apart, both fit.
  rehearsal.window = {kDay, kDay + 6 * kHour};
  together = ProbeCapacityTogether({}, crew, {}, {show, rehearsal});
  EXPECT_TRUE(together[0].fits);
  EXPECT_TRUE(together[1].fits);
  EXPECT_EQ(together[1].probes[0].start, kDay);
}

}  // namespace
}  // namespace salesops::scheduling
