#pragma once

#include <string>
#include <vector>

#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// Work someone wants to promise: each need becomes a probe task inside the
// window; `vehicle_count` drivers with a vehicle for up to an hour each.
struct CapacityAsk {
  struct Need {
    v1::Skill skill;
    Minutes duration;  // per person
    int headcount;
  };
  std::vector<Need> needs;
  int vehicle_count = 0;
  Span window;
  // The order being re-checked: its own planned work does not compete.
  std::string exclude_job_id;
};

struct CapacityProbe {
  bool fits = true;
  int displaced = 0;  // planned tasks the probe would make late
  std::vector<Task> probe_tasks;
  std::vector<Assignment> probes;  // where the solver could put them
  AssignmentResult with_probe;
};

// Places the ask with the real solver among everything already planned. It
// fits when every probe meets the window and no planned task ends later
// than it would without the ask: capacity is never promised by quietly
// making someone else's job late.
CapacityProbe ProbeCapacity(const std::vector<Task>& planned, const std::vector<CrewMember>& crew,
                            const std::vector<Vehicle>& vehicles, const CapacityAsk& ask,
                            const TimeFormatter& format_time = {});

}  // namespace salesops::scheduling
