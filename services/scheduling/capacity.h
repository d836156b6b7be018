#pragma once

#include <string>
#include <vector>

#include "services/scheduling/planner.h"

namespace salesops::scheduling {

// Work someone wants to promise: each need becomes a probe task inside the
// window; `vehicle_count` drivers with a vehicle for up to an hour each.
struct CapacityAsk {
  using Need = SkillNeed;
  std::vector<Need> needs;
  int vehicle_count = 0;
  Span window;
};

struct CapacityProbe {
  bool fits = true;
  std::vector<Task> probe_tasks;
  std::vector<Assignment> probes;  // where the planner would put them
};

// Places the ask the way PlanJob would place a job: around the work already placed, which
// keeps its people and times. It fits when every probe meets the window, so capacity is never
// promised by quietly making someone else's job late, and the answer is what a confirmation
// would then get.
CapacityProbe ProbeCapacity(const PlacedWork& placed, const std::vector<CrewMember>& crew,
                            const std::vector<Vehicle>& vehicles, const CapacityAsk& ask,
                            const TimeFormatter& format_time = {});

// Several asks at once, each in its own window (the phases of one order): placed together, so
// two phases on one day do not both count the same free person. One probe per ask, in order.
// ProbeCapacity is this with one ask.
std::vector<CapacityProbe> ProbeCapacityTogether(const PlacedWork& placed,
                                                 const std::vector<CrewMember>& crew,
                                                 const std::vector<Vehicle>& vehicles,
                                                 const std::vector<CapacityAsk>& asks,
                                                 const TimeFormatter& format_time = {});

// When the asks do not fit with in-house crew: the freelancers who could take the crew needs
// (never the driving, which offers do not cover) so that every ask fits, in id order; empty when
// even they cannot make all of it fit, or none is needed. A hint for sales, not a promise:
// freelancers are offered the work once the order is confirmed, and it is crew pending until
// they accept.
std::vector<std::string> FreelancersWhoCouldCover(const PlacedWork& placed,
                                                  const std::vector<CrewMember>& crew,
                                                  const std::vector<Vehicle>& vehicles,
                                                  const std::vector<CapacityAsk>& asks,
                                                  const TimeFormatter& format_time = {});

}  // namespace salesops::scheduling
