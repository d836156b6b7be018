#include "services/scheduling/assignment.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "services/common/skill_codes.h"

namespace salesops::scheduling {
namespace {

constexpr Minutes kNever = std::numeric_limits<Minutes>::max() / 4;
constexpr Minutes kAlways = -kNever;

// Merges `span` into a sorted list of non-overlapping spans.
void Insert(std::vector<Span>& spans, Span span) {
  if (span.end <= span.start) return;
  auto it = std::lower_bound(spans.begin(), spans.end(), span.start,
                             [](const Span& s, Minutes t) { return s.end < t; });
  while (it != spans.end() && it->start <= span.end) {
    span.start = std::min(span.start, it->start);
    span.end = std::max(span.end, it->end);
    it = spans.erase(it);
  }
  spans.insert(it, span);
}

// The first span in a sorted, merged list that overlaps [t, t + d), if any.
const Span* FirstOverlap(const std::vector<Span>& spans, Minutes t, Minutes d) {
  auto it = std::upper_bound(spans.begin(), spans.end(), t,
                             [](Minutes time, const Span& s) { return time < s.end; });
  if (it != spans.end() && it->start < t + d) return &*it;
  return nullptr;
}

Minutes Overlap(const Span& a, const Span& b) {
  return std::max<Minutes>(0, std::min(a.end, b.end) - std::max(a.start, b.start));
}

// One person's or vehicle's time: hard blocks (assigned work, unavailability)
// are never crossed; off-shift time is crossed only as overtime.
// Until when `member` may do `task`: the expiry of the certificate of the skill it needs (at
// the level it needs), kForever without one or when the task needs no skill, and a time before
// any task for a member without the skill.
Minutes QualifiedUntil(const CrewMember& member, const Task& task) {
  if (task.skill.empty()) return kForever;
  Minutes until = -kNever;
  for (const HeldSkill& held : member.skills) {
    if (held.code == task.skill && held.level >= std::max(task.min_level, 1)) {
      until = std::max(until, held.valid_until);
    }
  }
  return until;
}

class Calendar {
 public:
  Calendar(const std::vector<Span>& shifts, const std::vector<Span>& unavailable) {
    for (const Span& span : unavailable) Insert(hard_, span);
    if (!shifts.empty()) {
      std::vector<Span> working;
      for (const Span& span : shifts) Insert(working, span);
      Minutes previous_end = kAlways;
      for (const Span& span : working) {
        Insert(off_, {previous_end, span.start});
        previous_end = span.end;
      }
      Insert(off_, {previous_end, kNever});
    }
  }

  bool IsFree(Minutes t, Minutes d, bool overtime) const {
    return FirstOverlap(hard_, t, d) == nullptr &&
           (overtime || FirstOverlap(off_, t, d) == nullptr);
  }

  // The earliest start at or after `t` with `d` free minutes.
  Minutes EarliestFree(Minutes t, Minutes d, bool overtime) const {
    while (t < kNever) {
      if (const Span* block = FirstOverlap(hard_, t, d)) {
        t = block->end;
      } else if (const Span* off = overtime ? nullptr : FirstOverlap(off_, t, d)) {
        t = off->end;
      } else {
        return t;
      }
    }
    return kNever;
  }

  Minutes OffShiftMinutes(Span span) const {
    Minutes total = 0;
    for (auto it = std::upper_bound(off_.begin(), off_.end(), span.start,
                                    [](Minutes time, const Span&s) { return time < s.end; });
         it != off_.end() && it->start < span.end; ++it) {
      total += Overlap(*it, span);
    }
    return total;
  }

  void Block(Span span) { Insert(hard_, span); }

 private:
  std::vector<Span> hard_;
  std::vector<Span> off_;
};

std::string SkillName(const std::string& skill) {
  return skill.empty() ? std::string("any") : common::SkillWord(skill);
}

// "day 2 07:30" on the caller's minute axis (day 0 starts at minute 0).
std::string Clock(Minutes t) {
  Minutes day = t >= 0 ? t / 1440 : -((-t + 1439) / 1440);
  Minutes in_day = t - day * 1440;
  char text[48];
  std::snprintf(text, sizeof(text), "day %lld %02lld:%02lld", static_cast<long long>(day),
                static_cast<long long>(in_day / 60), static_cast<long long>(in_day % 60));
  return text;
}

class Solver {
 public:
  Solver(const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
         const std::vector<Vehicle>& vehicles, const TimeFormatter& format_time)
      : tasks_(tasks), crew_(crew), vehicles_(vehicles), clock_(format_time ? format_time : Clock) {
    for (const CrewMember& member : crew)
      crew_calendars_.emplace_back(member.shifts, member.unavailable);
    for (const Vehicle& vehicle : vehicles)
      vehicle_calendars_.emplace_back(std::vector<Span>{}, vehicle.unavailable);
    load_.assign(crew.size(), 0);
    finish_.assign(tasks.size(), kAlways);
    placed_.assign(tasks.size(), false);
    result_.assignments.resize(tasks.size());
  }

  // Started tasks first: they keep their people, vehicle and start. (Placed work around a new
  // job arrives this way too, thousands of tasks: people and vehicles are found by id.)
  void PlaceStarted() {
    std::map<std::string_view, int> crew_index, vehicle_index;
    for (size_t c = 0; c < crew_.size(); ++c) crew_index.emplace(crew_[c].id, static_cast<int>(c));
    for (size_t v = 0; v < vehicles_.size(); ++v) {
      vehicle_index.emplace(vehicles_[v].id, static_cast<int>(v));
    }
    for (size_t i = 0; i < tasks_.size(); ++i) {
      const Task& task = tasks_[i];
      if (!task.started) continue;
      Assignment& out = result_.assignments[i];
      out.task_id = task.id;
      out.start = task.started->start;
      out.finish = out.start + task.duration;
      out.crew_ids = task.started->crew_ids;
      out.vehicle_id = task.started->vehicle_id;
      for (const std::string& id : task.started->crew_ids) {
        auto found = crew_index.find(id);
        if (found == crew_index.end()) continue;
        crew_calendars_[found->second].Block({out.start, out.finish});
        load_[found->second] += task.duration;
      }
      auto vehicle = vehicle_index.find(task.started->vehicle_id);
      if (vehicle != vehicle_index.end()) {
        vehicle_calendars_[vehicle->second].Block({out.start, out.finish});
      }
      out.explanation = "already started; kept as it is";
      Finish(i);
    }
  }

  bool Ready(int i) const {
    if (placed_[i]) return false;
    for (int p : tasks_[i].predecessors) {
      if (!placed_[p]) return false;
    }
    return true;
  }

  Minutes EarliestStart(int i) const {
    Minutes est = tasks_[i].not_before;
    for (int p : tasks_[i].predecessors) est = std::max(est, finish_[p]);
    return est;
  }

  // The ready task with the earliest deadline, then least slack, then id.
  // Pinned tasks (exact, paid-for slots) go before the ones that can move.
  int NextByDeadline() const {
    int best = -1;
    for (int i = 0; i < static_cast<int>(tasks_.size()); ++i) {
      if (!Ready(i)) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const Task& a = tasks_[i];
      const Task& b = tasks_[best];
      if (a.pinned != b.pinned) {
        if (a.pinned) best = i;
        continue;
      }
      Minutes slack_a = a.no_later_than - EarliestStart(i) - a.duration;
      Minutes slack_b = b.no_later_than - EarliestStart(best) - b.duration;
      if (std::tie(a.no_later_than, slack_a, a.id) < std::tie(b.no_later_than, slack_b, b.id)) {
        best = i;
      }
    }
    return best;
  }

  struct Slot {
    Minutes start = kNever;
    std::vector<int> crew;
    int vehicle = -1;
    Minutes crew_only_start = kNever;  // when people alone would have allowed it
  };

  // The earliest start >= est at which `headcount` qualified people (and a
  // vehicle, if needed) are free together; the least loaded of those free.
  Slot FindSlot(int i, Minutes est, bool overtime, bool exact) const {
    const Task& task = tasks_[i];
    // Who holds the skill, and until when (a certificate's expiry): time only moves forward in
    // the search, so a person whose certificate runs out before the task would end drops out.
    std::vector<int> qualified;
    std::vector<Minutes> qualified_until;
    for (int c = 0; c < static_cast<int>(crew_.size()); ++c) {
      if (crew_[c].freelancer) continue;
      Minutes until = QualifiedUntil(crew_[c], task);
      if (until >= est + task.duration) {
        qualified.push_back(c);
        qualified_until.push_back(until);
      }
    }
    Slot slot;
    if (static_cast<int>(qualified.size()) < task.headcount ||
        (task.needs_vehicle && vehicles_.empty())) {
      return slot;
    }
    Minutes t = est;
    for (int guard = 0; guard < 100000 && t < kNever; ++guard) {
      std::vector<int> free;
      Minutes next = kNever;
      for (size_t q = 0; q < qualified.size(); ++q) {
        int c = qualified[q];
        if (t + task.duration > qualified_until[q]) continue;
        if (crew_calendars_[c].IsFree(t, task.duration, overtime)) {
          free.push_back(c);
        } else {
          next = std::min(next, crew_calendars_[c].EarliestFree(t, task.duration, overtime));
        }
      }
      int vehicle = -1;
      Minutes next_vehicle = kNever;
      if (task.needs_vehicle) {
        for (int v = 0; v < static_cast<int>(vehicles_.size()); ++v) {
          if (vehicle_calendars_[v].IsFree(t, task.duration, true)) {
            vehicle = v;
            break;
          }
          next_vehicle =
              std::min(next_vehicle, vehicle_calendars_[v].EarliestFree(t, task.duration, true));
        }
      }
      bool enough_people = static_cast<int>(free.size()) >= task.headcount;
      if (enough_people) slot.crew_only_start = std::min(slot.crew_only_start, t);
      if (enough_people && (!task.needs_vehicle || vehicle >= 0)) {
        std::sort(free.begin(), free.end(), [&](int a, int b) {
          return std::tie(load_[a], crew_[a].id) < std::tie(load_[b], crew_[b].id);
        });
        free.resize(task.headcount);
        std::sort(free.begin(), free.end(),
                  [&](int a, int b) { return crew_[a].id < crew_[b].id; });
        slot.start = t;
        slot.crew = free;
        slot.vehicle = vehicle;
        return slot;
      }
      if (exact) return slot;
      if (enough_people)
        next = next_vehicle;
      else if (task.needs_vehicle && vehicle < 0)
        next = std::min(next, next_vehicle);
      if (next <= t) next = t + 1;
      t = next;
    }
    return slot;
  }

  Minutes OvertimeOf(const Slot& slot, Minutes duration) const {
    Minutes overtime = 0;
    for (int c : slot.crew) {
      overtime += crew_calendars_[c].OffShiftMinutes({slot.start, slot.start + duration});
    }
    return overtime;
  }

  void Place(int i) {
    const Task& task = tasks_[i];
    Assignment& out = result_.assignments[i];
    out.task_id = task.id;
    Minutes est = EarliestStart(i);
    Slot slot;
    if (task.pinned) {
      // A hard slot: exactly at the pinned time, overtime allowed; otherwise at risk.
      slot = FindSlot(i, task.not_before, /*overtime=*/true, /*exact=*/true);
      if (slot.start == kNever || est > task.not_before) {
        slot = FindSlot(i, est, true, false);
        out.at_risk_reason = v1::AT_RISK_REASON_HARD_SLOT_CONFLICT;
      }
    } else {
      slot = FindSlot(i, est, /*overtime=*/false, /*exact=*/false);
      if (slot.start == kNever || slot.start + task.duration > task.no_later_than) {
        // Overtime only when it finishes sooner than staying inside shifts.
        Slot with_overtime = FindSlot(i, est, true, false);
        if (with_overtime.start < slot.start) slot = with_overtime;
      }
    }
    if (slot.start == kNever) {
      // Nobody (or no vehicle) could ever do it: placed unassigned, at risk.
      out.start = est;
      out.finish = est + task.duration;
      out.late = true;
      out.lateness = std::max<Minutes>(0, out.finish - task.no_later_than);
      out.at_risk_reason = task.needs_vehicle && vehicles_.empty()
                               ? v1::AT_RISK_REASON_VEHICLE_SHORTAGE
                               : v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE;
      out.explanation = "at risk: needs " + std::to_string(task.headcount) + " " +
                        SkillName(task.skill) + " crew" +
                        (task.needs_vehicle ? " and a vehicle" : "") +
                        " and there are not enough; nobody assigned";
      Finish(i);
      return;
    }
    out.start = slot.start;
    out.finish = slot.start + task.duration;
    for (int c : slot.crew) {
      out.crew_ids.push_back(crew_[c].id);
      crew_calendars_[c].Block({out.start, out.finish});
      load_[c] += task.duration;
    }
    if (slot.vehicle >= 0) {
      out.vehicle_id = vehicles_[slot.vehicle].id;
      vehicle_calendars_[slot.vehicle].Block({out.start, out.finish});
    }
    out.overtime = OvertimeOf(slot, task.duration);
    out.late = out.finish > task.no_later_than;
    out.lateness = std::max<Minutes>(0, out.finish - task.no_later_than);
    if (out.late && out.at_risk_reason == v1::AT_RISK_REASON_UNSPECIFIED) {
      bool predecessors_pushed = est > task.not_before;
      if (est + task.duration > task.no_later_than) {
        out.at_risk_reason =
            predecessors_pushed && task.not_before + task.duration <= task.no_later_than
                ? v1::AT_RISK_REASON_PREDECESSOR_LATE
                : v1::AT_RISK_REASON_WINDOW_TOO_SHORT;
      } else if (slot.crew_only_start < slot.start) {
        out.at_risk_reason = v1::AT_RISK_REASON_VEHICLE_SHORTAGE;
      } else {
        out.at_risk_reason = v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE;
      }
    }
    out.explanation = Explain(task, out, slot, est);
    Finish(i);
  }

  std::string Explain(const Task& task, const Assignment& out, const Slot& slot,
                      Minutes est) const {
    std::string who;
    for (size_t k = 0; k < slot.crew.size(); ++k) {
      if (k > 0) who += ", ";
      const CrewMember& member = crew_[slot.crew[k]];
      who += member.name.empty() ? member.id : member.name;
    }
    std::string text = who + ": " + SkillName(task.skill) + ", free at " + clock_(out.start);
    if (out.start > est) {
      text += " (the earliest " + std::to_string(task.headcount) + " " + SkillName(task.skill) +
              " crew" + (task.needs_vehicle ? " and a vehicle" : "") + " are free together)";
    } else {
      text += " (as early as the task can start)";
    }
    if (!slot.crew.empty()) text += "; least loaded of those free";
    if (out.overtime > 0)
      text += "; " + std::to_string(out.overtime) + " min overtime to meet the deadline";
    if (out.late) {
      text += ". At risk: finishes " + clock_(out.finish) + ", " + std::to_string(out.lateness) +
              " min after its deadline " + clock_(task.no_later_than) + " (" +
              v1::AtRiskReason_Name(out.at_risk_reason) + ")";
    } else {
      text += "; done by " + clock_(out.finish) + ", deadline " + clock_(task.no_later_than);
    }
    return text;
  }

  // The first unplaced ready task of a priority list (every permutation
  // works); pinned tasks keep their precedence over the ones that can move.
  int NextInList(const std::vector<int>& list) const {
    int first = -1;
    for (int i : list) {
      if (!Ready(i)) continue;
      if (tasks_[i].pinned) return i;
      if (first < 0) first = i;
    }
    return first;
  }

  const std::vector<int>& placement_order() const { return placement_order_; }

  void Finish(int i) {
    placement_order_.push_back(i);
    placed_[i] = true;
    finish_[i] = result_.assignments[i].finish;
  }

  AssignmentResult Result() {
    for (const Assignment& out : result_.assignments) {
      if (out.late) ++result_.late_tasks;
      result_.total_lateness += out.lateness;
      result_.total_overtime += out.overtime;
    }
    for (size_t c = 0; c < crew_.size(); ++c) result_.workload.push_back({crew_[c].id, load_[c]});
    return std::move(result_);
  }

  const std::vector<Task>& tasks_;
  const std::vector<CrewMember>& crew_;
  const std::vector<Vehicle>& vehicles_;
  TimeFormatter clock_;
  std::vector<Calendar> crew_calendars_;
  std::vector<Calendar> vehicle_calendars_;
  std::vector<Minutes> load_;
  std::vector<Minutes> finish_;
  std::vector<bool> placed_;
  std::vector<int> placement_order_;
  AssignmentResult result_;
};

// Fewer late tasks, then less lateness, then less overtime.
bool Better(const AssignmentResult& a, const AssignmentResult& b) {
  return std::tie(a.late_tasks, a.total_lateness, a.total_overtime) <
         std::tie(b.late_tasks, b.total_lateness, b.total_overtime);
}

// Up to this many movable tasks, the deadline-first placement is refined by local
// search over the placement order; beyond, one pass is what time allows.
constexpr size_t kRefineUpTo = 64;
constexpr int kRefineBudget = 3000;  // placements tried, at most...
// ...and each re-places every task, the fixed ones too (thousands when a job is placed around
// the work already there): the tries shrink as the tasks grow, so the work stays bounded.
constexpr size_t kRefineWork = kRefineBudget * kRefineUpTo;

}  // namespace

AssignmentResult AssignInOrder(const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
                               const std::vector<Vehicle>& vehicles, const std::vector<int>& order,
                               const TimeFormatter& format_time) {
  Solver solver(tasks, crew, vehicles, format_time);
  solver.PlaceStarted();
  for (int next = solver.NextInList(order); next >= 0; next = solver.NextInList(order)) {
    solver.Place(next);
  }
  return solver.Result();
}

AssignmentResult AssignTasks(const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
                             const std::vector<Vehicle>& vehicles,
                             const TimeFormatter& format_time) {
  Solver solver(tasks, crew, vehicles, format_time);
  solver.PlaceStarted();
  for (int next = solver.NextByDeadline(); next >= 0; next = solver.NextByDeadline()) {
    solver.Place(next);
  }
  std::vector<int> order;
  for (int i : solver.placement_order()) {
    if (!tasks[i].started) order.push_back(i);
  }
  AssignmentResult best = solver.Result();
  // Work kept where it is (started, or placed around) takes no part in the search: what counts
  // is how many tasks can move.
  if (order.size() > kRefineUpTo || best.late_tasks == 0) return best;

  // Local search, deterministic: (1) as Moore and Hodgson do for one machine,
  // a task placed before the first late one may give way and go last, so
  // that the others make their deadlines; (2) any two tasks may swap places.
  // A change is kept only when it is strictly better.
  int budget = static_cast<int>(
      std::min<size_t>(kRefineBudget, kRefineWork / std::max<size_t>(1, tasks.size())));
  for (bool improved = true; improved && budget > 0 && best.late_tasks > 0;) {
    improved = false;
    int first_late = -1;
    for (size_t p = 0; p < order.size(); ++p) {
      if (best.assignments[order[p]].late) {
        first_late = static_cast<int>(p);
        break;
      }
    }
    for (int p = 0; p <= first_late && !improved && budget > 0; ++p) {
      std::vector<int> candidate = order;
      int moved = candidate[p];
      candidate.erase(candidate.begin() + p);
      candidate.push_back(moved);
      AssignmentResult tried = AssignInOrder(tasks, crew, vehicles, candidate, format_time);
      --budget;
      if (Better(tried, best)) {
        best = std::move(tried);
        order = std::move(candidate);
        improved = true;
      }
    }
    for (size_t p = 0; p + 1 < order.size() && !improved && budget > 0; ++p) {
      for (size_t q = p + 1; q < order.size() && !improved && budget > 0; ++q) {
        std::vector<int> candidate = order;
        std::swap(candidate[p], candidate[q]);
        AssignmentResult tried = AssignInOrder(tasks, crew, vehicles, candidate, format_time);
        --budget;
        if (Better(tried, best)) {
          best = std::move(tried);
          order = std::move(candidate);
          improved = true;
        }
      }
    }
  }
  return best;
}

}  // namespace salesops::scheduling
