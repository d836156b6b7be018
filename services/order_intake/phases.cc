#include "services/order_intake/phases.h"

#include <absl/strings/str_cat.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <set>
#include <tuple>

#include "services/common/skill_codes.h"

namespace salesops::order_intake {

using google::protobuf::util::TimeUtil;

namespace {

// Inventory's own sums (catalog.cc): quantities per code, crew seconds per (skill, level,
// headcount),
// prep seconds added up. Each resolved line is within bounds, and so are the sums of a subset.
v1::ResolveProductsResponse Summed(const v1::ResolveProductsResponse& resolved, int first,
                                   int count) {
  v1::ResolveProductsResponse summed;
  std::map<std::string, int64_t> quantity_by_code;
  std::map<std::tuple<std::string, int, int>, int64_t> crew_seconds;  // skill, level, headcount
  int64_t prep_seconds = 0;
  for (int i = first; i < first + count && i < resolved.resolved_lines_size(); ++i) {
    const v1::ResolvedProductLine& line = resolved.resolved_lines(i);
    *summed.add_resolved_lines() = line;
    for (const v1::InventoryLine& item : line.inventory_lines()) {
      quantity_by_code[item.inventory_code()] += item.quantity();
    }
    for (const v1::CrewNeed& need : line.crew_needs()) {
      crew_seconds[{common::SkillCodeOf(need), need.min_level(), need.headcount()}] +=
          TimeUtil::DurationToSeconds(need.duration());
    }
    prep_seconds += TimeUtil::DurationToSeconds(line.prep_duration());
  }
  for (const auto& [code, quantity] : quantity_by_code) {
    v1::InventoryLine* total = summed.add_inventory_lines();
    total->set_inventory_code(code);
    total->set_quantity(static_cast<int32_t>(quantity));
  }
  for (const auto& [key, seconds] : crew_seconds) {
    v1::CrewNeed* total = summed.add_crew_needs();
    common::SetSkill(total, std::get<0>(key));
    total->set_min_level(std::get<1>(key));
    total->set_headcount(std::get<2>(key));
    *total->mutable_duration() = TimeUtil::SecondsToDuration(seconds);
  }
  *summed.mutable_prep_duration() = TimeUtil::SecondsToDuration(prep_seconds);
  return summed;
}

bool IsPhaseId(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

google::protobuf::RepeatedPtrField<v1::ProductLine> AllProductLines(const v1::Order& order) {
  google::protobuf::RepeatedPtrField<v1::ProductLine> lines = order.product_lines();
  for (const v1::OrderPhase& phase : order.phases()) {
    for (const v1::ProductLine& line : phase.product_lines()) *lines.Add() = line;
  }
  return lines;
}

std::vector<PhaseWork> PhasesOf(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                                const std::string& field) {
  std::vector<PhaseWork> phases;
  PhaseWork own;
  own.field = field;
  own.venue = &order.venue();
  own.schedule = &order.event_schedule();
  own.delivery = &order.delivery_window();
  own.lines = &order.product_lines();
  own.resolved =
      order.phases().empty() ? resolved : Summed(resolved, 0, order.product_lines_size());
  phases.push_back(std::move(own));
  int first = order.product_lines_size();
  for (int i = 0; i < order.phases_size(); ++i) {
    const v1::OrderPhase& phase = order.phases(i);
    PhaseWork work;
    work.phase_id = phase.phase_id();
    work.name = phase.name();
    work.field = absl::StrCat(field, ".phases[", i, "]");
    work.venue = &phase.venue();
    work.schedule = &phase.event_schedule();
    work.delivery = &phase.delivery_window();
    work.lines = &phase.product_lines();
    work.first_line = first;
    work.resolved = Summed(resolved, first, phase.product_lines_size());
    first += phase.product_lines_size();
    phases.push_back(std::move(work));
  }
  return phases;
}

v1::Window RentalWindowOf(const v1::DeliveryWindow& delivery, const v1::EventSchedule& schedule,
                          const v1::Venue& venue) {
  const auto& deliver_by = delivery.window().no_later_than();
  const google::protobuf::Duration travel = venue.travel_time();
  const google::protobuf::Duration handling = TimeUtil::SecondsToDuration(2 * 3600);
  google::protobuf::Timestamp end = schedule.has_strike_time() ? schedule.strike_time()
                                    : schedule.has_show_end_time()
                                        ? schedule.show_end_time()
                                        : deliver_by + TimeUtil::SecondsToDuration(24 * 3600);
  v1::Window window;
  *window.mutable_not_before() = deliver_by - travel - handling;
  *window.mutable_no_later_than() = end + travel + handling;
  return window;
}

void PhaseViolations(const v1::Order& order, const std::string& field,
                     const google::protobuf::Timestamp& now,
                     std::vector<common::FieldViolation>& violations) {
  std::set<std::string> ids;
  int lines = order.product_lines_size();
  for (int i = 0; i < order.phases_size(); ++i) {
    const v1::OrderPhase& phase = order.phases(i);
    const std::string name = absl::StrCat(field, ".phases[", i, "]");
    if (!IsPhaseId(phase.phase_id())) {
      violations.push_back({name + ".phase_id",
                            "is lower-case letters, digits and dashes, up to 40 (\"hannover\")"});
    } else if (!ids.insert(phase.phase_id()).second) {
      violations.push_back({name + ".phase_id", phase.phase_id() + " names two phases"});
    }
    if (!phase.has_venue() && phase.venue_id().empty()) {
      violations.push_back({name + ".venue", "give a venue or a venue_id"});
    }
    const v1::Window& window = phase.delivery_window().window();
    if (window.has_no_later_than() && window.no_later_than() <= now) {
      violations.push_back({name + ".delivery_window.window.no_later_than", "is in the past"});
    }
    const v1::EventSchedule& schedule = phase.event_schedule();
    const google::protobuf::Timestamp* previous = nullptr;
    for (const auto& [label, time] :
         std::vector<std::pair<std::string, const google::protobuf::Timestamp*>>{
             {"load_in_time", schedule.has_load_in_time() ? &schedule.load_in_time() : nullptr},
             {"show_start_time",
              schedule.has_show_start_time() ? &schedule.show_start_time() : nullptr},
             {"show_end_time", schedule.has_show_end_time() ? &schedule.show_end_time() : nullptr},
             {"strike_time", schedule.has_strike_time() ? &schedule.strike_time() : nullptr}}) {
      if (time == nullptr) continue;
      if (previous != nullptr && *time < *previous) {
        violations.push_back({name + ".event_schedule." + label, "is before the time before it"});
      }
      previous = time;
    }
    std::set<std::string> codes;
    for (int j = 0; j < phase.product_lines_size(); ++j) {
      const std::string& code = phase.product_lines(j).product_code();
      if (!codes.insert(code).second) {
        violations.push_back({absl::StrCat(name, ".product_lines[", j, "].product_code"),
                              code + " is on the phase twice; one line per product"});
      }
    }
    lines += phase.product_lines_size();
  }
  if (lines > 200) {
    violations.push_back({field + ".phases", absl::StrCat("the order and its phases hold ", lines,
                                                          " product lines; at most 200")});
  }
}

}  // namespace salesops::order_intake
