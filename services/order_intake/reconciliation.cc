#include "services/order_intake/reconciliation.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <map>

#include "services/common/errors.h"
#include "services/common/log.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_rules.h"

namespace salesops::order_intake {
namespace {

// Pages asked for at a time; the largest the listings give.
constexpr int kListPage = 1000;

// Stages in which an order has (and must have) its firm reservation and its planned job.
const std::vector<v1::OrderStage> kCommittedStages = {
    v1::ORDER_STAGE_CONFIRMED, v1::ORDER_STAGE_IN_PREP, v1::ORDER_STAGE_READY,
    v1::ORDER_STAGE_DISPATCHED, v1::ORDER_STAGE_ON_SITE};

bool Committed(v1::OrderStage stage) {
  return std::find(kCommittedStages.begin(), kCommittedStages.end(), stage) !=
         kCommittedStages.end();
}

// A stage whose order may still hold its reservation and job: after the show (RETURNED,
// CLOSED) they are its history, and the job finishes by itself as its tasks are done.
bool StandsOnItsWork(v1::OrderStage stage) {
  return Committed(stage) || stage == v1::ORDER_STAGE_RETURNED || stage == v1::ORDER_STAGE_CLOSED;
}

std::string KindWord(v1::ReconcileFindingKind kind) {
  switch (kind) {
    case v1::RECONCILE_FINDING_KIND_STRAY_RESERVATION:
      return "stray_reservation";
    case v1::RECONCILE_FINDING_KIND_STRAY_JOB:
      return "stray_job";
    case v1::RECONCILE_FINDING_KIND_MISSING_RESERVATION:
      return "missing_reservation";
    case v1::RECONCILE_FINDING_KIND_MISSING_JOB:
      return "missing_job";
    default:
      return "unknown";
  }
}

}  // namespace

Reconciler::Reconciler(InventoryClient& inventory, SchedulingClient& scheduling, OrderStore& store,
                       SagaRunner& sagas, const Clock& clock, OrderIntakeMetrics& metrics)
    : inventory_(inventory),
      scheduling_(scheduling),
      store_(store),
      sagas_(sagas),
      clock_(clock),
      metrics_(metrics) {}

TimePoint Reconciler::CallDeadline() const {
  return clock_.Now() + sagas_.settings().dependency_timeout;
}

absl::StatusOr<v1::ReconcileResponse> Reconciler::Run(bool dry_run, const v1::Actor& actor) {
  v1::ReconcileResponse response;
  *response.mutable_check_time() = clock_.NowTimestamp();
  // What the other services hold: order id -> revision.
  std::map<std::string, int64_t> reserved, planned;
  v1::ListReservationsRequest reservations;
  reservations.set_kind(v1::RESERVATION_KIND_FIRM);
  reservations.set_active_only(true);
  reservations.set_page_size(kListPage);
  do {
    SALESOPS_ASSIGN_OR_RETURN(v1::ListReservationsResponse page,
                              inventory_.ListReservations(reservations, CallDeadline()));
    for (const v1::Reservation& reservation : page.reservations()) {
      reserved[reservation.order_id()] = reservation.order_revision();
    }
    reservations.set_page_token(page.next_page_token());
  } while (!reservations.page_token().empty());
  v1::ListJobsRequest jobs;
  jobs.add_states(v1::JOB_STATE_PLANNED);
  jobs.add_states(v1::JOB_STATE_IN_PROGRESS);
  jobs.set_page_size(kListPage);
  do {
    SALESOPS_ASSIGN_OR_RETURN(v1::ListJobsResponse page,
                              scheduling_.ListJobs(jobs, CallDeadline()));
    for (const v1::Job& job : page.jobs()) planned[job.order_id()] = job.order_revision();
    jobs.set_page_token(page.next_page_token());
  } while (!jobs.page_token().empty());
  // Read after the listings: a saga that began since is seen here and left alone.
  SALESOPS_ASSIGN_OR_RETURN(std::set<std::string> in_saga, store_.OrdersWithOpenSagas());

  auto add = [&](const std::string& order_id, v1::ReconcileFindingKind kind, int64_t revision,
                 std::string detail) {
    v1::ReconcileFinding* finding = response.add_findings();
    finding->set_order_id(order_id);
    finding->set_kind(kind);
    finding->set_revision(revision);
    finding->set_detail(std::move(detail));
    return finding;
  };
  auto stray = [&](const std::string& order_id, int64_t revision, v1::ReconcileFindingKind kind) {
    if (in_saga.count(order_id) > 0) return;
    absl::StatusOr<v1::Order> order = store_.Get(order_id);
    const std::string what =
        kind == v1::RECONCILE_FINDING_KIND_STRAY_RESERVATION ? "firm reservation" : "planned job";
    std::string stage = "unknown here";
    if (order.ok()) {
      if (StandsOnItsWork(order->stage())) return;
      stage = StageName(order->stage());
    } else if (order.status().code() != absl::StatusCode::kNotFound) {
      return;  // cannot tell now; the next run looks again
    }
    v1::ReconcileFinding* finding =
        add(order_id, kind, revision, absl::StrCat(what, " at rev ", revision, ", order ", stage));
    if (dry_run) return;
    std::string detail;
    absl::StatusOr<bool> repaired = Repair(order_id, kind, revision, actor, &detail);
    if (repaired.ok() && *repaired) {
      finding->set_repaired(true);
      finding->set_detail(finding->detail() + (kind == v1::RECONCILE_FINDING_KIND_STRAY_JOB
                                                   ? ": cancelled"
                                                   : ": released"));
    } else {
      finding->set_detail(finding->detail() + ": left (" +
                          (repaired.ok() ? detail : std::string(repaired.status().message())) +
                          ")");
    }
  };
  // A returned or closed order's reservation is its history, not a stray.
  for (const auto& [order_id, revision] : reserved) {
    stray(order_id, revision, v1::RECONCILE_FINDING_KIND_STRAY_RESERVATION);
  }
  for (const auto& [order_id, revision] : planned) {
    stray(order_id, revision, v1::RECONCILE_FINDING_KIND_STRAY_JOB);
  }

  // Confirmed orders missing what they stand on.
  v1::ListOrdersRequest committed;
  for (v1::OrderStage stage : kCommittedStages) committed.add_stages(stage);
  std::string after;
  do {
    SALESOPS_ASSIGN_OR_RETURN(common::Page<v1::Order> page,
                              store_.List(committed, kListPage, after));
    for (const v1::Order& order : page.entries) {
      if (in_saga.count(order.order_id()) > 0) continue;
      if (planned.count(order.order_id()) == 0) {
        add(order.order_id(), v1::RECONCILE_FINDING_KIND_MISSING_JOB, order.revision(),
            absl::StrCat("order ", StageName(order.stage()), " at rev ", order.revision(),
                         " has no planned job: plan it again (amend) or cancel it"));
      }
      if (reserved.count(order.order_id()) > 0) continue;
      // Only an order with equipment has a reservation to miss.
      v1::ResolveProductsRequest resolve;
      *resolve.mutable_lines() = order.product_lines();
      absl::StatusOr<v1::ResolveProductsResponse> resolved =
          inventory_.ResolveProducts(resolve, "order.product_lines", CallDeadline());
      if (resolved.ok() && resolved->inventory_lines_size() == 0) continue;
      add(order.order_id(), v1::RECONCILE_FINDING_KIND_MISSING_RESERVATION, order.revision(),
          absl::StrCat("order ", StageName(order.stage()), " at rev ", order.revision(),
                       " has no firm reservation: reserve it again (amend) or cancel it"));
    }
    after = page.next_after;
  } while (!after.empty());

  std::map<std::string, int> found;
  std::vector<std::string> lines;
  for (const v1::ReconcileFinding& finding : response.findings()) {
    ++found[KindWord(finding.kind())];
    if (finding.repaired()) {
      response.set_repaired(response.repaired() + 1);
      metrics_.ReconcileRepaired(KindWord(finding.kind()));
    } else {
      response.set_unrepaired(response.unrepaired() + 1);
    }
    lines.push_back("order " + finding.order_id() + ": " + finding.detail());
  }
  metrics_.Reconciled(found);
  if (response.findings_size() > 0) {
    common::LogWarn("reconciliation_findings",
                    {{"repaired", std::to_string(response.repaired())},
                     {"unrepaired", std::to_string(response.unrepaired())},
                     {"dry_run", dry_run ? "true" : "false"}});
    v1::Event event;
    event.set_type(v1::EVENT_TYPE_RECONCILIATION_FINDINGS);
    *event.mutable_actor() = actor;
    event.set_summary(common::TruncateText(
        absl::StrCat("Reconciliation", dry_run ? " (dry run)" : "", ": ", response.repaired(),
                     " repaired, ", response.unrepaired(), " left. ", absl::StrJoin(lines, "; ")),
        1000));
    absl::Status sent = store_.AddEvent(event);
    if (!sent.ok()) {
      common::LogWarn("reconciliation_event_not_sent", {{"error", std::string(sent.message())}});
    }
  }
  return response;
}

absl::StatusOr<bool> Reconciler::Repair(const std::string& order_id, v1::ReconcileFindingKind kind,
                                        int64_t revision, const v1::Actor& actor,
                                        std::string* detail) {
  // An order unknown here has nothing to hold; one that exists is held like a saga would,
  // and checked again under that hold.
  std::optional<SagaRecord> hold;
  absl::StatusOr<v1::Order> order = store_.ReadAndBeginSaga(
      order_id, sagas_.settings().lease(),
      [&](const v1::Order& current) -> absl::StatusOr<std::optional<SagaRecord>> {
        if (StandsOnItsWork(current.stage())) return std::nullopt;
        hold = sagas_.NewSaga(SagaKind::kRepair, current, actor, "");
        return hold;
      });
  if (!order.ok() && order.status().code() != absl::StatusCode::kNotFound) return order.status();
  if (order.ok() && !hold) {
    *detail = "the order is " + StageName(order->stage()) + " now";
    return false;
  }
  const std::string why = "reconciliation: order " + order_id + " is not confirmed";
  absl::Status repaired;
  if (kind == v1::RECONCILE_FINDING_KIND_STRAY_JOB) {
    v1::CancelJobRequest cancel;
    cancel.set_order_id(order_id);
    cancel.set_order_revision(revision);
    cancel.set_reason(why);
    repaired = scheduling_.CancelJob(cancel, CallDeadline()).status();
  } else {
    v1::ReleaseRequest release;
    release.set_order_id(order_id);
    release.set_order_revision(revision);
    release.set_reason(why);
    repaired = inventory_.Release(release, CallDeadline()).status();
  }
  if (hold) sagas_.Abandon(*hold, absl::OkStatus()).IgnoreError();
  if (!repaired.ok()) return repaired;
  return true;
}

}  // namespace salesops::order_intake
