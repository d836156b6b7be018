#include "services/order_intake/order_rules.h"

#include <absl/strings/str_cat.h>
#include <google/api/field_behavior.pb.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "services/common/errors.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/phases.h"
#include "services/order_intake/pricing.h"

namespace salesops::order_intake {

using common::FieldViolation;
using google::protobuf::util::TimeUtil;

std::vector<FieldViolation> OrderViolations(const v1::Order& order, const std::string& field,
                                            const google::protobuf::Timestamp& now) {
  std::vector<FieldViolation> violations;
  const v1::Window& window = order.delivery_window().window();
  if (window.has_no_later_than() && window.no_later_than() <= now) {
    violations.push_back({field + ".delivery_window.window.no_later_than", "is in the past"});
  }
  std::set<std::string> codes;
  for (int i = 0; i < order.product_lines_size(); ++i) {
    const std::string& code = order.product_lines(i).product_code();
    if (!codes.insert(code).second) {
      violations.push_back({absl::StrCat(field, ".product_lines[", i, "].product_code"),
                            code + " is on the order twice; one line per product"});
    }
  }
  const double probability = order.pipeline().win_probability();
  if (probability < 0 || probability > 1) {
    violations.push_back({field + ".pipeline.win_probability", "must be between 0 and 1"});
  }
  const v1::OrderStage stage = order.pipeline().stage();
  if (stage != v1::ORDER_STAGE_UNSPECIFIED && !IsOpenQuote(stage)) {
    violations.push_back({field + ".pipeline.stage",
                          "sales sets INQUIRY or QUOTED; later stages come from confirmation "
                          "and ops"});
  }
  const v1::EventSchedule& schedule = order.event_schedule();
  std::vector<std::pair<std::string, const google::protobuf::Timestamp*>> times;
  if (schedule.has_load_in_time()) times.push_back({"load_in_time", &schedule.load_in_time()});
  if (schedule.has_show_start_time()) {
    times.push_back({"show_start_time", &schedule.show_start_time()});
  }
  if (schedule.has_show_end_time()) times.push_back({"show_end_time", &schedule.show_end_time()});
  if (schedule.has_strike_time()) times.push_back({"strike_time", &schedule.strike_time()});
  for (size_t i = 1; i < times.size(); ++i) {
    if (*times[i].second < *times[i - 1].second) {
      violations.push_back(
          {field + ".event_schedule." + times[i].first, "is before " + times[i - 1].first});
    }
  }
  if (order.has_quote_expire_time() && order.quote_expire_time() <= now) {
    violations.push_back({field + ".quote_expire_time", "is in the past"});
  }
  if (!order.has_customer() && order.organisation_id().empty()) {
    violations.push_back({field + ".customer", "is required (or an organisation_id)"});
  }
  if (!order.contact_id().empty() && order.organisation_id().empty()) {
    violations.push_back({field + ".contact_id",
                          "names a contact of an organisation: give the "
                          "organisation_id too"});
  }
  if (!order.has_venue() && order.venue_id().empty()) {
    violations.push_back({field + ".venue", "give a venue or a venue_id"});
  }
  std::set<std::string> discounted;
  for (int i = 0; i < order.line_discounts_size(); ++i) {
    const v1::LineDiscount& line = order.line_discounts(i);
    const std::string name = absl::StrCat(field, ".line_discounts[", i, "]");
    if (!codes.count(line.product_code())) {
      violations.push_back(
          {name + ".product_code", line.product_code() + " is not a product line of the order"});
    } else if (!discounted.insert(line.product_code()).second) {
      violations.push_back(
          {name + ".product_code", line.product_code() + " has a discount already; one a line"});
    }
    DiscountViolations(line.discount(), name + ".discount", violations);
  }
  if (order.has_order_discount()) {
    DiscountViolations(order.order_discount(), field + ".order_discount", violations);
  }
  PhaseViolations(order, field, now, violations);
  for (int i = 0; i < order.custom_lines_size(); ++i) {
    const v1::CustomLine& custom = order.custom_lines(i);
    const std::string name = absl::StrCat(field, ".custom_lines[", i, "]");
    if (custom.category() == v1::CUSTOM_LINE_CATEGORY_UNSPECIFIED) {
      violations.push_back({name + ".category", "is SERVICE, TRANSPORT, PRODUCTION or FEE"});
    }
    if (custom.unit_price().units() < 0 || custom.unit_price().nanos() < 0) {
      violations.push_back(
          {name + ".unit_price", "is negative; a reduction is a discount, with its reason"});
    }
  }
  std::set<std::string> offered;
  for (int i = 0; i < order.optional_lines_size(); ++i) {
    const v1::OptionalLine& optional = order.optional_lines(i);
    const std::string name = absl::StrCat(field, ".optional_lines[", i, "]");
    if (!offered.insert(optional.line().product_code()).second) {
      violations.push_back(
          {name + ".line.product_code", optional.line().product_code() + " is offered twice"});
    }
    if (!optional.instead_of().empty() && !codes.count(optional.instead_of())) {
      violations.push_back(
          {name + ".instead_of", optional.instead_of() + " is not a product line of the order"});
    }
  }
  return violations;
}

void DiscountViolations(const v1::Discount& discount, const std::string& field,
                        std::vector<FieldViolation>& violations) {
  switch (discount.kind()) {
    case v1::DISCOUNT_KIND_PERCENT:
      if (discount.has_amount()) {
        violations.push_back({field + ".amount", "a PERCENT discount has no amount"});
      }
      break;
    case v1::DISCOUNT_KIND_AMOUNT:
      if (discount.percent_bp() != 0) {
        violations.push_back({field + ".percent_bp", "an AMOUNT discount has no percentage"});
      }
      if (!discount.has_amount() || discount.amount().units() < 0 ||
          discount.amount().nanos() < 0) {
        violations.push_back({field + ".amount", "give the amount off, not negative"});
      }
      break;
    default:
      violations.push_back({field + ".kind", "is PERCENT or AMOUNT"});
  }
}

absl::Status CheckEtag(const v1::Order& order, const std::string& etag, int64_t expected_revision) {
  const bool etag_stale = !etag.empty() && etag != order.etag();
  const bool revision_stale = expected_revision != 0 && expected_revision != order.revision();
  if (etag_stale || revision_stale) {
    return common::ReasonedError(
        absl::StatusCode::kAborted, v1::STALE_REVISION,
        absl::StrCat("order ", order.order_id(), " is at revision ", order.revision(), " (etag ",
                     order.etag(), "); read it again and retry"));
  }
  return absl::OkStatus();
}

std::string StageName(v1::OrderStage stage) {
  return v1::OrderStage_Name(stage).substr(std::string("ORDER_STAGE_").size());
}

v1::HistoryEntry Entry(v1::HistoryEntryKind kind, const v1::Actor& actor,
                       const std::string& summary, const std::string& reason) {
  v1::HistoryEntry entry;
  entry.set_kind(kind);
  *entry.mutable_actor() = actor;
  entry.set_summary(summary);
  entry.set_reason(reason);
  return entry;
}

v1::Event OrderEvent(v1::EventType type, const v1::Order& order, const v1::Actor& actor,
                     const std::string& summary, v1::OrderStage previous_stage,
                     const std::string& reason) {
  v1::Event event;
  event.set_type(type);
  *event.mutable_actor() = actor;
  event.set_summary(summary);
  v1::OrderChangedPayload* changed = event.mutable_order_changed();
  changed->set_stage(order.stage());
  changed->set_previous_stage(previous_stage);
  changed->set_reason(reason);
  changed->set_customer_name(order.customer().name());
  changed->set_salesperson_id(order.salesperson_id());
  *changed->mutable_product_lines() = order.product_lines();
  *changed->mutable_delivery_window() = order.delivery_window();
  *changed->mutable_commitment() = order.commitment();
  *changed->mutable_pipeline() = order.pipeline();
  return event;
}

void ClearOutputOnly(v1::Order& order) {
  const google::protobuf::Descriptor* descriptor = order.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    for (int behavior : field->options().GetRepeatedExtension(google::api::field_behavior)) {
      if (behavior == google::api::OUTPUT_ONLY) order.GetReflection()->ClearField(&order, field);
    }
  }
}

void ApplyAmendment(const v1::Order& wanted, v1::Order& order) {
  *order.mutable_customer() = wanted.customer();
  *order.mutable_venue() = wanted.venue();
  *order.mutable_event_schedule() = wanted.event_schedule();
  *order.mutable_delivery_window() = wanted.delivery_window();
  *order.mutable_product_lines() = wanted.product_lines();
  order.mutable_pipeline()->set_win_probability(wanted.pipeline().win_probability());
  // Sales may move an open quote between INQUIRY and QUOTED; later stages are not theirs.
  if (IsOpenQuote(order.stage()) && IsOpenQuote(wanted.pipeline().stage())) {
    order.set_stage(wanted.pipeline().stage());
    order.mutable_pipeline()->set_stage(wanted.pipeline().stage());
  }
  order.set_customer_reference(wanted.customer_reference());
  if (wanted.has_quote_expire_time()) {
    *order.mutable_quote_expire_time() = wanted.quote_expire_time();
  }
  *order.mutable_phases() = wanted.phases();
  *order.mutable_custom_lines() = wanted.custom_lines();
  *order.mutable_optional_lines() = wanted.optional_lines();
  order.set_organisation_id(wanted.organisation_id());
  order.set_contact_id(wanted.contact_id());
  order.set_venue_id(wanted.venue_id());
  *order.mutable_line_discounts() = wanted.line_discounts();
  if (wanted.has_order_discount()) {
    *order.mutable_order_discount() = wanted.order_discount();
  } else {
    order.clear_order_discount();
  }
}

v1::DiscountApproval DiscountApprovalAfter(const v1::Order* before, const v1::Order& after,
                                           const std::vector<std::string>& reasons) {
  v1::DiscountApproval approval;
  if (reasons.empty()) return approval;
  // A reason quotes the discount's own (up to 500 bytes): kept within what the field holds, so
  // the order read back can be sent again.
  for (const std::string& reason : reasons)
    *approval.add_reasons() = common::TruncateText(reason, 500);
  const bool approved_before = before != nullptr && before->discount_approval().state() ==
                                                        v1::DISCOUNT_APPROVAL_STATE_APPROVED;
  auto same_discounts = [&] {
    using google::protobuf::util::MessageDifferencer;
    if (before->line_discounts_size() != after.line_discounts_size()) return false;
    for (int i = 0; i < after.line_discounts_size(); ++i) {
      if (!MessageDifferencer::Equals(before->line_discounts(i), after.line_discounts(i))) {
        return false;
      }
    }
    return MessageDifferencer::Equals(before->order_discount(), after.order_discount());
  };
  if (approved_before && same_discounts() &&
      std::equal(approval.reasons().begin(), approval.reasons().end(),
                 before->discount_approval().reasons().begin(),
                 before->discount_approval().reasons().end())) {
    // The same discounts at the same shares: what was approved still stands.
    return before->discount_approval();
  }
  approval.set_state(v1::DISCOUNT_APPROVAL_STATE_PENDING);
  return approval;
}

bool PrepUnderway(v1::OrderStage stage) {
  return stage == v1::ORDER_STAGE_IN_PREP || stage == v1::ORDER_STAGE_READY ||
         stage == v1::ORDER_STAGE_DISPATCHED || stage == v1::ORDER_STAGE_ON_SITE;
}

namespace {

// A hold's or reservation's lines per phase: the order's own over its window, each further
// phase with stock as a part over its own.
template <typename StockRequest>
void AddStockParts(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                   StockRequest& request) {
  const std::vector<PhaseWork> phases = PhasesOf(order, resolved);
  *request.mutable_lines() = phases[0].resolved.inventory_lines();
  *request.mutable_window() = RentalWindow(order);
  for (size_t i = 1; i < phases.size(); ++i) {
    if (phases[i].resolved.inventory_lines().empty()) continue;
    v1::ReservationPart* part = request.add_parts();
    part->set_phase_id(phases[i].phase_id);
    *part->mutable_lines() = phases[i].resolved.inventory_lines();
    *part->mutable_window() =
        RentalWindowOf(*phases[i].delivery, *phases[i].schedule, *phases[i].venue);
  }
}

}  // namespace

v1::PlaceHoldRequest HoldRequest(const v1::Order& order,
                                 const v1::ResolveProductsResponse& resolved,
                                 const std::string& request_id) {
  v1::PlaceHoldRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order.order_id());
  request.set_order_revision(order.revision());
  AddStockParts(order, resolved, request);
  *request.mutable_expire_time() = order.quote_expire_time();
  request.set_win_probability(order.pipeline().win_probability());
  return request;
}

v1::ReserveRequest ReserveRequest(const v1::Order& order,
                                  const v1::ResolveProductsResponse& resolved, int64_t revision,
                                  const std::string& request_id) {
  v1::ReserveRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order.order_id());
  request.set_order_revision(revision);
  AddStockParts(order, resolved, request);
  // Priced, never pulled: ops read them with the pull sheet.
  for (const v1::CustomLine& custom : order.custom_lines()) {
    v1::PullSheetNote* note = request.add_notes();
    note->set_category(custom.category());
    note->set_description(custom.description());
    note->set_quantity(custom.quantity());
  }
  return request;
}

v1::PlanJobRequest PlanRequest(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                               int64_t revision, const std::string& request_id,
                               bool refuse_if_late) {
  v1::PlanJobRequest request;
  request.set_request_id(request_id);
  request.set_order_id(order.order_id());
  request.set_order_revision(revision);
  const std::vector<PhaseWork> phases = PhasesOf(order, resolved);
  *request.mutable_inventory_lines() = phases[0].resolved.inventory_lines();
  *request.mutable_crew_needs() = phases[0].resolved.crew_needs();
  *request.mutable_prep_duration() = phases[0].resolved.prep_duration();
  *request.mutable_event_schedule() = order.event_schedule();
  *request.mutable_delivery_window() = order.delivery_window();
  *request.mutable_venue() = order.venue();
  for (size_t i = 1; i < phases.size(); ++i) {
    v1::JobPhase* phase = request.add_phases();
    phase->set_phase_id(phases[i].phase_id);
    phase->set_name(phases[i].name);
    *phase->mutable_event_schedule() = *phases[i].schedule;
    *phase->mutable_delivery_window() = *phases[i].delivery;
    *phase->mutable_venue() = *phases[i].venue;
    *phase->mutable_inventory_lines() = phases[i].resolved.inventory_lines();
    *phase->mutable_crew_needs() = phases[i].resolved.crew_needs();
    *phase->mutable_prep_duration() = phases[i].resolved.prep_duration();
  }
  request.set_refuse_if_late(refuse_if_late);
  return request;
}

void RecordConfirmation(v1::Order& order, const v1::Commitment& commitment, const v1::Actor& actor,
                        const std::string& request_id, OrderChange& change) {
  const v1::OrderStage previous = order.stage();
  order.set_stage(v1::ORDER_STAGE_CONFIRMED);
  order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_CONFIRMED);
  *order.mutable_commitment() = commitment;
  const std::string summary = absl::StrCat("Confirmed: deliver no later than ",
                                           TimeUtil::ToString(commitment.no_later_than()));
  v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_CONFIRMED, actor, summary);
  entry.set_request_id(request_id);
  change.history.push_back(entry);
  change.events.push_back(OrderEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, order, actor, "", previous));
}

void RecordAmendment(v1::Order& order, const v1::Order& target, const v1::ChangeImpact* impact,
                     const v1::Actor& actor, const std::string& reason,
                     const std::string& request_id, const google::protobuf::Timestamp& now,
                     OrderChange& change) {
  const bool prep_underway = PrepUnderway(order.stage());
  const v1::Order before_change = order;
  ApplyAmendment(target, order);
  *order.mutable_quote() = target.quote();
  *order.mutable_directory_snapshot() = target.directory_snapshot();
  *order.mutable_discount_approval() = target.discount_approval();
  if (impact != nullptr) {
    *order.mutable_commitment() = impact->commitment();
    *order.mutable_last_change_impact() = *impact;
  }
  change.new_revision = true;
  v1::ChangeRecord record;
  record.set_revision(order.revision() + 1);
  *record.mutable_author() = actor;
  record.set_reason(reason);
  if (impact != nullptr) *record.mutable_impact() = *impact;
  *record.mutable_change_time() = now;
  // Ops acknowledges what reaches them once they are working on it.
  if (prep_underway) *order.add_unacknowledged_changes() = record;
  const v1::OrderDiff diff = DiffOrders(before_change, order);
  // A quote's change is a new offer; an order's change is work for ops.
  const std::string described = impact != nullptr ? impact->summary() : DescribeDiff(diff);
  v1::HistoryEntry entry =
      Entry(v1::HISTORY_ENTRY_KIND_AMENDED, actor, absl::StrCat("Changed: ", described), reason);
  *entry.mutable_diff() = diff;
  if (impact != nullptr) *entry.mutable_impact() = *impact;
  entry.set_request_id(request_id);
  change.history.push_back(entry);
  v1::Event event =
      OrderEvent(v1::EVENT_TYPE_ORDER_AMENDED, order, actor, "", order.stage(), reason);
  if (impact != nullptr) *event.mutable_order_changed()->mutable_impact() = *impact;
  event.mutable_order_changed()->set_prep_underway(prep_underway);
  event.set_summary(absl::StrCat("Order ", order.order_id(), " rev ", order.revision() + 1, ": ",
                                 prep_underway ? "changed after prep started, " : "", described,
                                 " (", reason, ")"));
  change.events.push_back(event);
}

}  // namespace salesops::order_intake
