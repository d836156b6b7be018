#include "services/order_intake/change_impact.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <map>

namespace salesops::order_intake {
namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

std::map<std::string, int> ByCode(const v1::ResolveProductsResponse& resolved) {
  std::map<std::string, int> quantities;
  for (const v1::InventoryLine& line : resolved.inventory_lines()) {
    quantities[line.inventory_code()] += line.quantity();
  }
  return quantities;
}

int64_t PersonSeconds(const v1::ResolveProductsResponse& resolved) {
  int64_t seconds = 0;
  for (const v1::CrewNeed& need : resolved.crew_needs()) {
    seconds += TimeUtil::DurationToSeconds(need.duration()) * std::max(1, need.headcount());
  }
  return seconds;
}

std::map<std::string, int> LineQuantities(const v1::Order& order) {
  std::map<std::string, int> quantities;
  for (const v1::ProductLine& line : order.product_lines()) {
    quantities[line.product_code()] += line.quantity();
  }
  return quantities;
}

}  // namespace

v1::ChangeImpact ComputeChangeImpact(const v1::ResolveProductsResponse& before,
                                     const v1::ResolveProductsResponse& after) {
  v1::ChangeImpact impact;
  std::map<std::string, int> old_quantities = ByCode(before);
  std::map<std::string, int> new_quantities = ByCode(after);
  std::map<std::string, int> codes = old_quantities;
  codes.insert(new_quantities.begin(), new_quantities.end());
  for (const auto& [code, unused] : codes) {
    const int delta = new_quantities[code] - old_quantities[code];
    if (delta == 0) continue;
    v1::InventoryLine* line = delta > 0 ? impact.add_pull_more() : impact.add_put_back();
    line->set_inventory_code(code);
    line->set_quantity(std::abs(delta));
  }
  *impact.mutable_crew_time_delta() =
      TimeUtil::SecondsToDuration(PersonSeconds(after) - PersonSeconds(before));
  impact.set_summary(DescribeImpact(impact));
  return impact;
}

std::string DescribeImpact(const v1::ChangeImpact& impact) {
  std::vector<std::string> parts;
  for (const v1::InventoryLine& line : impact.pull_more()) {
    parts.push_back(absl::StrCat("+", line.quantity(), " ", line.inventory_code(), " to pull"));
  }
  for (const v1::InventoryLine& line : impact.put_back()) {
    parts.push_back(absl::StrCat(line.quantity(), " ", line.inventory_code(), " to put back"));
  }
  const int64_t minutes = TimeUtil::DurationToMinutes(impact.crew_time_delta());
  if (minutes != 0) {
    const int64_t magnitude = std::abs(minutes);
    parts.push_back(absl::StrCat(
        minutes > 0 ? "+" : "-", magnitude / 60, " h",
        magnitude % 60 == 0 ? "" : absl::StrCat(" ", magnitude % 60, " min"), " crew time"));
  }
  if (impact.has_commitment() && impact.commitment().has_no_later_than()) {
    parts.push_back(
        absl::StrCat(impact.commitment_holds() ? "" : "new commitment: ", "deliver no later than ",
                     TimeUtil::ToString(impact.commitment().no_later_than())));
  }
  return parts.empty() ? "no change for ops" : absl::StrJoin(parts, ", ");
}

std::string DescribeDiff(const v1::OrderDiff& diff) {
  std::vector<std::string> parts;
  for (const v1::LineChange& line : diff.line_changes()) {
    parts.push_back(
        absl::StrCat(line.product_code(), " ", line.previous_quantity(), " -> ", line.quantity()));
  }
  for (const std::string& field : diff.changed_fields()) {
    if (field != "product_lines") parts.push_back(field + " changed");
  }
  return parts.empty() ? "nothing changed" : absl::StrJoin(parts, ", ");
}

v1::OrderDiff DiffOrders(const v1::Order& before, const v1::Order& after) {
  v1::OrderDiff diff;
  std::map<std::string, int> old_lines = LineQuantities(before);
  std::map<std::string, int> new_lines = LineQuantities(after);
  std::map<std::string, int> codes = old_lines;
  codes.insert(new_lines.begin(), new_lines.end());
  for (const auto& [code, unused] : codes) {
    if (old_lines[code] == new_lines[code]) continue;
    v1::LineChange* change = diff.add_line_changes();
    change->set_product_code(code);
    change->set_previous_quantity(old_lines[code]);
    change->set_quantity(new_lines[code]);
  }
  if (diff.line_changes_size() > 0) diff.add_changed_fields("product_lines");
  auto differs = [](const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return !MessageDifferencer::Equals(a, b);
  };
  if (differs(before.delivery_window(), after.delivery_window())) {
    *diff.mutable_previous_delivery_window() = before.delivery_window();
    *diff.mutable_delivery_window() = after.delivery_window();
    diff.add_changed_fields("delivery_window");
  }
  if (differs(before.event_schedule(), after.event_schedule())) {
    *diff.mutable_previous_event_schedule() = before.event_schedule();
    *diff.mutable_event_schedule() = after.event_schedule();
    diff.add_changed_fields("event_schedule");
  }
  if (differs(before.venue(), after.venue())) {
    *diff.mutable_previous_venue() = before.venue();
    *diff.mutable_venue() = after.venue();
    diff.add_changed_fields("venue");
  }
  if (differs(before.pipeline(), after.pipeline())) {
    *diff.mutable_previous_pipeline() = before.pipeline();
    *diff.mutable_pipeline() = after.pipeline();
    diff.add_changed_fields("pipeline");
  }
  if (differs(before.customer(), after.customer())) diff.add_changed_fields("customer");
  if (before.customer_reference() != after.customer_reference()) {
    diff.add_changed_fields("customer_reference");
  }
  if (differs(before.quote_expire_time(), after.quote_expire_time())) {
    diff.add_changed_fields("quote_expire_time");
  }
  for (const char* reference : {"organisation_id", "contact_id", "venue_id"}) {
    const auto* field = v1::Order::descriptor()->FindFieldByName(reference);
    const auto* reflection = before.GetReflection();
    if (reflection->GetString(before, field) != reflection->GetString(after, field)) {
      diff.add_changed_fields(reference);
    }
  }
  // What the directory said changed since the last revision (the organisation's terms, the
  // venue's notes): the new revision shows what is true now, the old one what was then.
  if (differs(before.directory_snapshot().organisation(),
              after.directory_snapshot().organisation())) {
    diff.add_changed_fields("directory_snapshot.organisation");
  }
  if (differs(before.directory_snapshot().venue(), after.directory_snapshot().venue())) {
    diff.add_changed_fields("directory_snapshot.venue");
  }
  bool discounts_differ = before.line_discounts_size() != after.line_discounts_size() ||
                          differs(before.order_discount(), after.order_discount());
  for (int i = 0; !discounts_differ && i < after.line_discounts_size(); ++i) {
    discounts_differ = differs(before.line_discounts(i), after.line_discounts(i));
  }
  if (discounts_differ) diff.add_changed_fields("discounts");
  bool phases_differ = before.phases_size() != after.phases_size();
  for (int i = 0; !phases_differ && i < after.phases_size(); ++i) {
    phases_differ = differs(before.phases(i), after.phases(i));
  }
  if (phases_differ) diff.add_changed_fields("phases");
  auto lists_differ = [&](const auto& before_list, const auto& after_list) {
    if (before_list.size() != after_list.size()) return true;
    for (int i = 0; i < after_list.size(); ++i) {
      if (differs(before_list.Get(i), after_list.Get(i))) return true;
    }
    return false;
  };
  if (lists_differ(before.custom_lines(), after.custom_lines())) {
    diff.add_changed_fields("custom_lines");
  }
  if (lists_differ(before.optional_lines(), after.optional_lines())) {
    diff.add_changed_fields("optional_lines");
  }
  return diff;
}

}  // namespace salesops::order_intake
