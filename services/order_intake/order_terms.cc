// OrderIntakeService: an order's commercial terms (issue 17). Who it is for and where, from the
// directory, snapshotted on each revision; its price from the pricing configuration through the
// rating engine; and ADMIN's approval of discounts above the threshold.
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <optional>

#include "services/common/grpc_errors.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"

namespace salesops::order_intake {

using common::BusinessRefusal;
using common::CheckRequest;
using common::InvalidArgumentError;
using common::ToGrpcStatus;

namespace {

// A reference to a record that is not there is the caller's mistake in that field.
absl::Status UnknownReference(absl::Status status, const std::string& field,
                              const std::string& what) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return InvalidArgumentError({{field, "there is no " + what + " in the directory"}});
}

}  // namespace

absl::Status OrderIntakeServiceImpl::ApplyDirectory(v1::Order& order, const std::string& field) {
  order.clear_directory_snapshot();
  if (!order.organisation_id().empty()) {
    absl::StatusOr<v1::Organisation> organisation =
        directory_.GetOrganisation(order.organisation_id());
    if (!organisation.ok()) {
      return UnknownReference(organisation.status(), field + ".organisation_id",
                              "organisation " + order.organisation_id());
    }
    // A duplicate merged away answers for the organisation it was merged into; a contact it
    // had is found there by its id, or by its email when the merge folded it into another.
    std::string contact_email;
    for (int hops = 0; !organisation->merged_into_id().empty() && hops < 10; ++hops) {
      for (const v1::Contact& old : organisation->contacts()) {
        if (old.contact_id() == order.contact_id()) contact_email = old.email();
      }
      absl::StatusOr<v1::Organisation> survivor =
          directory_.GetOrganisation(organisation->merged_into_id());
      if (!survivor.ok()) return survivor.status();
      organisation = std::move(survivor);
    }
    order.set_organisation_id(organisation->organisation_id());
    const v1::Contact* contact = ContactFor(*organisation, order.contact_id(), contact_email);
    if (contact == nullptr && !order.contact_id().empty()) {
      return InvalidArgumentError(
          {{field + ".contact_id",
            order.contact_id() + " is not a contact of " + organisation->organisation_id()}});
    }
    v1::Customer* customer = order.mutable_customer();
    customer->Clear();
    customer->set_customer_id(organisation->organisation_id());
    customer->set_name(organisation->name());
    if (contact != nullptr) {
      customer->set_contact_name(contact->name());
      customer->set_email(contact->email());
      customer->set_phone(contact->phone());
    }
    *order.mutable_directory_snapshot()->mutable_organisation() = std::move(*organisation);
  }
  if (!order.venue_id().empty()) {
    absl::StatusOr<v1::DirectoryVenue> venue = directory_.GetVenue(order.venue_id());
    if (!venue.ok()) {
      return UnknownReference(venue.status(), field + ".venue_id", "venue " + order.venue_id());
    }
    for (int hops = 0; !venue->merged_into_id().empty() && hops < 10; ++hops) {
      venue = directory_.GetVenue(venue->merged_into_id());
      if (!venue.ok()) return venue.status();
    }
    order.set_venue_id(venue->venue_id());
    *order.mutable_venue() = OrderVenueFrom(*venue);
    *order.mutable_directory_snapshot()->mutable_venue() = std::move(*venue);
  }
  for (int i = 0; i < order.phases_size(); ++i) {
    v1::OrderPhase& phase = *order.mutable_phases(i);
    phase.clear_directory_venue();
    if (phase.venue_id().empty()) continue;
    absl::StatusOr<v1::DirectoryVenue> venue = directory_.GetVenue(phase.venue_id());
    if (!venue.ok()) {
      return UnknownReference(venue.status(), absl::StrCat(field, ".phases[", i, "].venue_id"),
                              "venue " + phase.venue_id());
    }
    for (int hops = 0; !venue->merged_into_id().empty() && hops < 10; ++hops) {
      venue = directory_.GetVenue(venue->merged_into_id());
      if (!venue.ok()) return venue.status();
    }
    phase.set_venue_id(venue->venue_id());
    *phase.mutable_venue() = OrderVenueFrom(*venue);
    *phase.mutable_directory_venue() = std::move(*venue);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> OrderIntakeServiceImpl::Price(
    v1::Order& order, const v1::ResolveProductsResponse& resolved, const std::string& field) {
  SALESOPS_ASSIGN_OR_RETURN(const PricingConfig config, pricing_.LoadPricingConfig());
  // The optional lines are resolved on their own: they are offered, not held or planned.
  std::optional<v1::ResolveProductsResponse> offered;
  if (!order.optional_lines().empty()) {
    v1::ResolveProductsRequest request;
    for (const v1::OptionalLine& optional : order.optional_lines()) {
      *request.add_lines() = optional.line();
    }
    SALESOPS_ASSIGN_OR_RETURN(
        offered, inventory_.ResolveProducts(request, field + ".optional_lines", CallDeadline()));
  }
  SALESOPS_ASSIGN_OR_RETURN(
      PricedQuote priced,
      PriceQuote(order, resolved, config, options_.pricing, field, clock_.NowTimestamp(),
                 offered.has_value() ? &*offered : nullptr));
  *order.mutable_quote() = std::move(priced.quote);
  return std::move(priced.approval_reasons);
}

grpc::Status OrderIntakeServiceImpl::ApproveDiscount(grpc::ServerContext* context,
                                                     const v1::ApproveDiscountRequest* request,
                                                     v1::ApproveDiscountResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("ApproveDiscount", caller, *request, response);
    return store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& order, OrderChange& change) -> absl::Status {
          SALESOPS_RETURN_IF_ERROR(CheckEtag(order, request->etag(), request->expected_revision()));
          v1::DiscountApproval& approval = *order.mutable_discount_approval();
          if (approval.state() == v1::DISCOUNT_APPROVAL_STATE_APPROVED) {
            return absl::OkStatus();  // approving twice
          }
          if (approval.state() != v1::DISCOUNT_APPROVAL_STATE_PENDING) {
            return BusinessRefusal(
                v1::NOTHING_TO_APPROVE,
                "order " + order.order_id() + " has no discount above the approval threshold");
          }
          if (IsFinal(order.stage())) {
            return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                   "order " + order.order_id() + " is " + StageName(order.stage()) +
                                       "; there is nothing to approve");
          }
          approval.set_state(v1::DISCOUNT_APPROVAL_STATE_APPROVED);
          *approval.mutable_approved_by() = caller;
          *approval.mutable_approve_time() = clock_.NowTimestamp();
          approval.set_approved_revision(order.revision());
          approval.set_note(request->note());
          v1::HistoryEntry entry =
              Entry(v1::HISTORY_ENTRY_KIND_DISCOUNT_APPROVED, caller,
                    common::TruncateText(
                        "Discount approved: " + absl::StrJoin(approval.reasons(), "; "), 1000),
                    request->note());
          entry.set_request_id(request->request_id());
          change.history.push_back(std::move(entry));
          return absl::OkStatus();
        },
        [&](const v1::Order& approved) { *response->mutable_order() = approved; });
  }());
}

}  // namespace salesops::order_intake
