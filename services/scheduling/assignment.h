#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::scheduling {

// The assignment solver: a pure library (no database, no gRPC), deterministic
// for the same input. Time is in minutes on the caller's own axis.
using Minutes = int64_t;
inline constexpr Minutes kHour = 60;
inline constexpr Minutes kDay = 24 * kHour;

// Half-open [start, end).
struct Span {
  Minutes start = 0;
  Minutes end = 0;
  bool operator==(const Span&) const = default;
};

inline constexpr Minutes kForever = INT64_MAX / 4;

// A skill a person holds: a code of the skill catalog, a level (1 and up), and, for a skill
// that needs a certificate, the minute it expires: no work that ends later is placed on it.
struct HeldSkill {
  HeldSkill(std::string skill_code, int skill_level = 1, Minutes until = kForever)
      : code(std::move(skill_code)), level(skill_level), valid_until(until) {}
  HeldSkill(const char* skill_code) : HeldSkill(std::string(skill_code)) {}  // NOLINT: a code
  std::string code;
  int level = 1;
  Minutes valid_until = kForever;
  bool operator==(const HeldSkill&) const = default;
};

// The skills planning itself asks for: prep and load-out, and driving.
inline constexpr char kWarehouseSkill[] = "WAREHOUSE";
inline constexpr char kDriverSkill[] = "DRIVER";

// Crew work asked for: `headcount` people holding `skill` at `min_level` or above, each for
// `duration`.
struct SkillNeed {
  std::string skill;
  Minutes duration = 0;  // per person
  int headcount = 1;
  int min_level = 0;
};

struct CrewMember {
  std::string id;
  std::string name;
  std::vector<HeldSkill> skills;
  // When they normally work; time outside counts as overtime. Empty: always.
  std::vector<Span> shifts;
  // Time off, training, another commitment: never assigned inside.
  std::vector<Span> unavailable;
  // A freelancer is never chosen here: they are offered work (offer_rules.h) and hold only what
  // they accepted, which reaches the solver as fixed work.
  bool freelancer = false;
};

struct Vehicle {
  std::string id;
  std::vector<Span> unavailable;  // repairs, other hires
};

struct Task {
  std::string id;
  std::string job_id;
  // The order's phase it serves ("" for the main one). The solver never looks at it: a phase's
  // tasks are ordered by their windows like any other.
  std::string phase_id;
  v1::TaskKind kind = v1::TASK_KIND_UNSPECIFIED;
  Minutes not_before = 0;
  Minutes no_later_than = 0;  // the deadline: finish by then
  Minutes duration = 0;
  // Who qualifies: holders of this skill code at min_level or above; "" for anyone.
  std::string skill;
  int min_level = 0;
  int headcount = 1;
  bool needs_vehicle = false;
  // A pinned (exact-time) task must start exactly at not_before.
  bool pinned = false;
  // Indices into the task list of tasks that must finish first.
  std::vector<int> predecessors;
  // A task already started keeps its people, vehicle and start.
  struct Fixed {
    Minutes start = 0;
    std::vector<std::string> crew_ids;
    std::string vehicle_id;
  };
  std::optional<Fixed> started;
};

struct Assignment {
  std::string task_id;
  std::vector<std::string> crew_ids;
  std::string vehicle_id;
  Minutes start = 0;
  Minutes finish = 0;
  bool late = false;
  Minutes lateness = 0;
  Minutes overtime = 0;  // person-minutes outside shifts
  v1::AtRiskReason at_risk_reason = v1::AT_RISK_REASON_UNSPECIFIED;
  std::string explanation;
};

struct AssignmentResult {
  std::vector<Assignment> assignments;  // one per task, in input order
  int late_tasks = 0;
  Minutes total_lateness = 0;
  Minutes total_overtime = 0;
  std::vector<std::pair<std::string, Minutes>> workload;  // crew id -> assigned minutes
};

// Assigns every task, globally and by time alone: started tasks stay where
// they are, pinned (exact-time) tasks take their slots, then, among tasks
// whose predecessors are placed, the one with the earliest deadline goes first
// (least slack breaks ties, then id); it gets the earliest start at which
// enough people with its skill (and a vehicle) are free, inside shifts when
// that still meets the deadline, else with overtime; among the people free
// then, the least loaded so far (no favorites among crew). Nothing but the
// windows orders the work. A task that cannot finish by its deadline is
// still placed at its earliest feasible time and flagged with the reason.
// Up to 64 tasks the order is then refined by a bounded, deterministic local
// search that keeps a change only when it leaves fewer tasks late (then less
// lateness, then less overtime).
// How explanations write a time; by default "day 2 07:30" on the minute axis.
using TimeFormatter = std::function<std::string(Minutes)>;

AssignmentResult AssignTasks(const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
                             const std::vector<Vehicle>& vehicles,
                             const TimeFormatter& format_time = {});

// The same placement driven by a priority list (any permutation of task
// indices: each step places the first task in the list whose predecessors
// are placed). AssignTasks refines its deadline-first order with it.
AssignmentResult AssignInOrder(const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
                               const std::vector<Vehicle>& vehicles, const std::vector<int>& order);

}  // namespace salesops::scheduling
