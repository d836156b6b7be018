#include "services/scheduling/capacity.h"

#include <algorithm>
#include <set>

namespace salesops::scheduling {
namespace {

// The probe tasks of one ask; `prefix` keeps the asks' ids apart.
std::vector<Task> ProbeTasks(const CapacityAsk& ask, const std::string& prefix) {
  std::vector<Task> tasks;
  for (size_t i = 0; i < ask.needs.size(); ++i) {
    Task probe;
    probe.id = prefix + std::to_string(i);
    probe.skill = ask.needs[i].skill;
    probe.min_level = ask.needs[i].min_level;
    probe.duration = std::max<Minutes>(1, ask.needs[i].duration);
    probe.headcount = ask.needs[i].headcount;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    tasks.push_back(probe);
  }
  for (int v = 0; v < ask.vehicle_count; ++v) {
    Task probe;
    probe.id = prefix + "vehicle-" + std::to_string(v);
    probe.skill = kDriverSkill;
    probe.duration = std::min<Minutes>(ask.window.end - ask.window.start, 60);
    probe.needs_vehicle = true;
    probe.not_before = ask.window.start;
    probe.no_later_than = ask.window.end;
    tasks.push_back(probe);
  }
  return tasks;
}

}  // namespace

CapacityProbe ProbeCapacity(const PlacedWork& placed, const std::vector<CrewMember>& crew,
                            const std::vector<Vehicle>& vehicles, const CapacityAsk& ask,
                            const TimeFormatter& format_time) {
  return ProbeCapacityTogether(placed, crew, vehicles, {ask}, format_time).front();
}

std::vector<CapacityProbe> ProbeCapacityTogether(const PlacedWork& placed,
                                                 const std::vector<CrewMember>& crew,
                                                 const std::vector<Vehicle>& vehicles,
                                                 const std::vector<CapacityAsk>& asks,
                                                 const TimeFormatter& format_time) {
  std::vector<CapacityProbe> outcomes(asks.size());
  std::vector<Task> all;
  for (size_t a = 0; a < asks.size(); ++a) {
    outcomes[a].probe_tasks =
        ProbeTasks(asks[a], a == 0 ? "probe/" : "probe/" + std::to_string(a) + "/");
    all.insert(all.end(), outcomes[a].probe_tasks.begin(), outcomes[a].probe_tasks.end());
  }
  std::vector<Assignment> probes =
      PlaceAround(all, placed, crew, vehicles, format_time).assignments;
  size_t next = 0;
  for (CapacityProbe& outcome : outcomes) {
    for (size_t i = 0; i < outcome.probe_tasks.size(); ++i, ++next) {
      outcome.probes.push_back(probes[next]);
      if (probes[next].late) outcome.fits = false;
    }
  }
  return outcomes;
}

std::vector<std::string> FreelancersWhoCouldCover(const PlacedWork& placed,
                                                  const std::vector<CrewMember>& crew,
                                                  const std::vector<Vehicle>& vehicles,
                                                  const std::vector<CapacityAsk>& asks,
                                                  const TimeFormatter& format_time) {
  std::vector<CrewMember> with_freelancers = crew;
  std::set<std::string> freelancers;
  for (CrewMember& member : with_freelancers) {
    if (!member.freelancer) continue;
    member.freelancer = false;
    freelancers.insert(member.id);
    // Offers never cover driving: a freelancer stands in for crew needs only.
    std::erase_if(member.skills, [](const HeldSkill& held) { return held.code == kDriverSkill; });
  }
  if (freelancers.empty()) return {};
  std::set<std::string> used;
  for (const CapacityProbe& probe :
       ProbeCapacityTogether(placed, with_freelancers, vehicles, asks, format_time)) {
    if (!probe.fits) return {};
    for (const Assignment& assignment : probe.probes) {
      for (const std::string& id : assignment.crew_ids) {
        if (freelancers.count(id)) used.insert(id);
      }
    }
  }
  return {used.begin(), used.end()};
}

}  // namespace salesops::scheduling
