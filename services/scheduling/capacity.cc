#include "services/scheduling/capacity.h"

#include <algorithm>

namespace salesops::scheduling {

CapacityProbe ProbeCapacity(const PlacedWork& placed, const std::vector<CrewMember>& crew,
                            const std::vector<Vehicle>& vehicles, const CapacityAsk& ask,
                            const TimeFormatter& format_time) {
  CapacityProbe outcome;
  for (size_t i = 0; i < ask.needs.size(); ++i) {
    Task probe;
    probe.id = "probe/" + std::to_string(i);
    probe.skill = ask.needs[i].skill;
    probe.duration = std::max<Minutes>(1, ask.needs[i].duration);
    probe.headcount = ask.needs[i].headcount;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    outcome.probe_tasks.push_back(probe);
  }
  for (int v = 0; v < ask.vehicle_count; ++v) {
    Task probe;
    probe.id = "probe/vehicle-" + std::to_string(v);
    probe.skill = v1::SKILL_DRIVER;
    probe.duration = std::min<Minutes>(ask.window.end - ask.window.start, 60);
    probe.needs_vehicle = true;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    outcome.probe_tasks.push_back(probe);
  }
  outcome.probes =
      PlaceAround(outcome.probe_tasks, placed, crew, vehicles, format_time).assignments;
  for (const Assignment& probe : outcome.probes) {
    if (probe.late) outcome.fits = false;
  }
  return outcome;
}

}  // namespace salesops::scheduling
