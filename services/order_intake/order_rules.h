#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/common/validation.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// The rules of an order that need no service to decide: what a valid order is, what each
// change records, and what the saga steps ask of inventory and scheduling.

// Rules beyond the field annotations, named under `field` ("order", "draft"), as of `now`.
std::vector<common::FieldViolation> OrderViolations(const v1::Order& order,
                                                    const std::string& field,
                                                    const google::protobuf::Timestamp& now);

// A discount's own rules (its kind's fields), named under `field`.
void DiscountViolations(const v1::Discount& discount, const std::string& field,
                        std::vector<common::FieldViolation>& violations);

// The discount approval `after` needs, given the engine's `reasons` (empty: within the
// threshold). An approval of `before` (null for a new order) stands while the discounts and
// their shares are unchanged; any other change to them needs approving again (PENDING).
v1::DiscountApproval DiscountApprovalAfter(const v1::Order* before, const v1::Order& after,
                                           const std::vector<std::string>& reasons);

// ABORTED, STALE_REVISION when the caller's etag or expected revision is not the order's.
absl::Status CheckEtag(const v1::Order& order, const std::string& etag, int64_t expected_revision);

// "QUOTED" for ORDER_STAGE_QUOTED.
std::string StageName(v1::OrderStage stage);

v1::HistoryEntry Entry(v1::HistoryEntryKind kind, const v1::Actor& actor,
                       const std::string& summary, const std::string& reason = "");

v1::Event OrderEvent(v1::EventType type, const v1::Order& order, const v1::Actor& actor,
                     const std::string& summary, v1::OrderStage previous_stage,
                     const std::string& reason = "");

// Output-only fields are the server's to set, whatever a caller sent.
void ClearOutputOnly(v1::Order& order);

// The parts of an order an amendment replaces (notes are added, not replaced).
void ApplyAmendment(const v1::Order& wanted, v1::Order& order);

// Prep has started and the order has not come back: a change is work ops must acknowledge.
bool PrepUnderway(v1::OrderStage stage);

// The quote's tentative hold on its lines.
v1::PlaceHoldRequest HoldRequest(const v1::Order& order,
                                 const v1::ResolveProductsResponse& resolved,
                                 const std::string& request_id);
// A firm reservation of the lines at `revision`, with its custom lines as pull-sheet notes.
v1::ReserveRequest ReserveRequest(const v1::Order& order,
                                  const v1::ResolveProductsResponse& resolved, int64_t revision,
                                  const std::string& request_id);
// The job for the order's content at `revision`.
v1::PlanJobRequest PlanRequest(const v1::Order& order, const v1::ResolveProductsResponse& resolved,
                               int64_t revision, const std::string& request_id,
                               bool refuse_if_late);

// The confirmation's write: CONFIRMED with the commitment, its history entry and event.
void RecordConfirmation(v1::Order& order, const v1::Commitment& commitment, const v1::Actor& actor,
                        const std::string& request_id, OrderChange& change);

// A change's write: `target`'s content and quote on `order` as a new revision, with its
// history entry, its event and, after prep started, a change record for ops to acknowledge.
// `impact` is set for a committed order (its stock and job were changed by the amend saga)
// and null for a quote.
void RecordAmendment(v1::Order& order, const v1::Order& target, const v1::ChangeImpact* impact,
                     const v1::Actor& actor, const std::string& reason,
                     const std::string& request_id, const google::protobuf::Timestamp& now,
                     OrderChange& change);

}  // namespace salesops::order_intake
