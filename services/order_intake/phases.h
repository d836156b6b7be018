#pragma once

// An order's phases (issue 17): the order's own venue, schedule, window and lines are its first
// phase, and order.phases add the others. Each is priced for its own days, reserved for its own
// window and planned as its own tasks; the lines of all of them are resolved in one call, and
// each phase takes its share of the answer.
#include <google/protobuf/repeated_field.h>

#include <string>
#include <vector>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/common/validation.h"

namespace salesops::order_intake {

struct PhaseWork {
  std::string phase_id;  // "" for the order's own
  std::string name;
  // Where in the request it is: "order", "order.phases[1]".
  std::string field;
  const v1::Venue* venue = nullptr;
  const v1::EventSchedule* schedule = nullptr;
  const v1::DeliveryWindow* delivery = nullptr;
  const google::protobuf::RepeatedPtrField<v1::ProductLine>* lines = nullptr;
  // What its lines resolve to, summed per code and per (skill, headcount) as inventory sums.
  v1::ResolveProductsResponse resolved;
  // Where its lines start among resolved.resolved_lines of the whole order.
  int first_line = 0;
};

// Every product line of the order, its own first and then each phase's in order: what
// ResolveProducts is asked.
google::protobuf::RepeatedPtrField<v1::ProductLine> AllProductLines(const v1::Order& order);

// The order's phases, its own first, each with its share of `resolved` (the answer for
// AllProductLines). An order without phases is one phase with all of `resolved`.
std::vector<PhaseWork> PhasesOf(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                                const std::string& field = "order");

// When the gear of one phase is away from the shelf: from load-out (travel and two hours of
// loading before the delivery deadline) until it is back (travel and two hours after the strike,
// or the show's end, or a day after delivery).
v1::Window RentalWindowOf(const v1::DeliveryWindow& delivery, const v1::EventSchedule& schedule,
                          const v1::Venue& venue);

// The phases' own rules (ids, venues, windows in the future, one line per code, 200 lines in
// all), named under `field`.
void PhaseViolations(const v1::Order& order, const std::string& field,
                     const google::protobuf::Timestamp& now,
                     std::vector<common::FieldViolation>& violations);

}  // namespace salesops::order_intake
