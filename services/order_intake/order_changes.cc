// OrderIntakeService: the handlers that change what an order commits to. Each validates,
// begins its saga (sagas.h) and maps the outcome; the steps live in the saga.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "services/common/failpoint.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/validation.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"

namespace salesops::order_intake {

using common::BusinessRefusal;
using common::CheckRequest;
using common::FieldViolation;
using common::InvalidArgumentError;
using common::ReasonedError;
using common::ToGrpcStatus;

namespace {

// The confirm, amend and cancel sagas write their effect in transactions of their own, so
// their answer is remembered after them, apart. A crash in between is safe: the saga's record
// made the effect, and a retry then finds the order confirmed or cancelled and answers it (a
// change's retry is STALE_REVISION when it carried an etag, as any stale change is).
void RememberAfterSaga(OrderStore& store, const IdempotentCall& call) {
  absl::Status remembered = store.RememberAnswer(call);
  if (!remembered.ok()) {
    common::LogWarn("answer_not_remembered",
                    {{"rpc", call.rpc}, {"error", std::string(remembered.message())}});
  }
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::ConfirmOrder(grpc::ServerContext* context,
                                                  const v1::ConfirmOrderRequest* request,
                                                  v1::ConfirmOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    return ConfirmAs(runtime_.CallerOf(*context), request, SagaDeadline(*context), response);
  }());
}

absl::Status OrderIntakeServiceImpl::ConfirmAs(const v1::Actor& caller,
                                               const v1::ConfirmOrderRequest* request,
                                               TimePoint deadline,
                                               v1::ConfirmOrderResponse* response) {
  {
    const IdempotentCall call("ConfirmOrder", caller, *request, response);
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) return absl::OkStatus();
    // The order is read and its saga recorded in one transaction.
    bool already_confirmed = false;
    std::optional<SagaRecord> saga;
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.ReadAndBeginSaga(
            request->order_id(), sagas_.settings().lease(),
            [&](const v1::Order& current) -> absl::StatusOr<std::optional<SagaRecord>> {
              // A retry of a confirmation that went through: the same answer again, and
              // nothing is undone.
              already_confirmed = current.stage() == v1::ORDER_STAGE_CONFIRMED &&
                                  (request->expected_revision() == 0 ||
                                   request->expected_revision() == current.revision()) &&
                                  (request->etag().empty() || request->etag() == current.etag());
              if (already_confirmed) return std::nullopt;
              SALESOPS_RETURN_IF_ERROR(
                  CheckEtag(current, request->etag(), request->expected_revision()));
              if (!IsOpenQuote(current.stage())) {
                return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                       "order " + current.order_id() + " is " +
                                           StageName(current.stage()) +
                                           "; only an open quote can be confirmed");
              }
              if (current.open_blocking_question_count() > 0) {
                return BusinessRefusal(v1::BLOCKING_QUESTION_OPEN,
                                       absl::StrCat("order ", current.order_id(), " has ",
                                                    current.open_blocking_question_count(),
                                                    " blocking question(s) from ops; answer "
                                                    "them first"));
              }
              if (current.discount_approval().state() == v1::DISCOUNT_APPROVAL_STATE_PENDING) {
                return BusinessRefusal(
                    v1::DISCOUNT_APPROVAL_REQUIRED,
                    absl::StrCat("order ", current.order_id(),
                                 " has a discount an ADMIN must approve first (ApproveDiscount): ",
                                 absl::StrJoin(current.discount_approval().reasons(), "; ")));
              }
              saga = sagas_.NewSaga(SagaKind::kConfirm, current, caller, request->request_id());
              saga->accept_later_commitment = request->accept_later_commitment();
              return saga;
            }));
    if (already_confirmed) {
      *response->mutable_order() = std::move(order);
      RememberAfterSaga(store_, call);
      return absl::OkStatus();
    }
    common::Failpoint("after_saga_begun");
    absl::StatusOr<v1::ResolveProductsResponse> resolved = Resolve(order, "order");
    if (!resolved.ok()) return sagas_.Abandon(*saga, resolved.status());
    // A refusal says what is short, in its answer and in the history.
    auto explain = [&](absl::Status& refusal, v1::HistoryEntry& entry) {
      absl::StatusOr<v1::Feasibility> feasibility = Feasibility(order, *resolved);
      if (!feasibility.ok()) return;
      *entry.mutable_feasibility() = *feasibility;
      refusal = common::WithDetail(refusal, *feasibility);
    };
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_order(),
                              sagas_.Confirm(*saga, order, *resolved, deadline, explain));
    metrics_.Confirmation("confirmed", "");
    RememberAfterSaga(store_, call);
    return absl::OkStatus();
  }
}

grpc::Status OrderIntakeServiceImpl::AmendOrder(grpc::ServerContext* context,
                                                const v1::AmendOrderRequest* request,
                                                v1::AmendOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // A dry run changes nothing, so it is neither replayed nor remembered.
    const IdempotentCall call("AmendOrder", caller, *request, response);
    if (!request->dry_run()) {
      // Before the etag check, which a retry of a change that went through would fail.
      SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
      if (replayed) return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Order current, store_.Get(request->order_id()));
    // The order as read back carries its current stage; sending it unchanged is fine.
    v1::Order wanted = request->order();
    if (wanted.pipeline().stage() == current.stage()) wanted.mutable_pipeline()->clear_stage();
    if (std::vector<FieldViolation> violations =
            OrderViolations(wanted, "order", clock_.NowTimestamp());
        !violations.empty()) {
      return InvalidArgumentError(std::move(violations));
    }
    SALESOPS_RETURN_IF_ERROR(CheckEtag(current, request->etag(), request->expected_revision()));
    if (IsFinal(current.stage()) || current.stage() == v1::ORDER_STAGE_RETURNED) {
      return BusinessRefusal(v1::INVALID_STAGE_TRANSITION, "order " + current.order_id() + " is " +
                                                               StageName(current.stage()) +
                                                               "; it can no longer be changed");
    }
    v1::Order amended = current;
    ApplyAmendment(wanted, amended);
    SALESOPS_RETURN_IF_ERROR(ApplyDirectory(amended, "order"));
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse before, Resolve(current, "order"));
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse after, Resolve(amended, "order"));
    SALESOPS_ASSIGN_OR_RETURN(const std::vector<std::string> approval_reasons,
                              Price(amended, after, "order"));
    *amended.mutable_discount_approval() =
        DiscountApprovalAfter(&current, amended, approval_reasons);
    v1::ChangeImpact impact = ComputeChangeImpact(before, after);
    SALESOPS_ASSIGN_OR_RETURN(v1::Feasibility feasibility, Feasibility(amended, after));
    const bool committed = !IsOpenQuote(current.stage());
    *response->mutable_feasibility() = feasibility;

    // What a refused change records and answers: the diff, and what would work.
    auto explain = [&](absl::Status& refusal, v1::HistoryEntry& entry) {
      *entry.mutable_diff() = DiffOrders(current, amended);
      *entry.mutable_feasibility() = feasibility;
      refusal = common::WithDetail(refusal, feasibility);
    };
    // A change ops cannot support is refused before anything is touched.
    auto refuse = [&](absl::Status refusal) {
      if (request->dry_run()) return common::WithDetail(refusal, feasibility);
      v1::HistoryEntry entry =
          Entry(v1::HISTORY_ENTRY_KIND_REFUSED, caller,
                "Change refused: " + std::string(refusal.message()), request->reason());
      entry.set_revision(current.revision());
      entry.set_stage(current.stage());
      entry.set_request_id(request->request_id());
      *entry.mutable_create_time() = clock_.NowTimestamp();
      explain(refusal, entry);
      store_.AddHistory(current.order_id(), entry).IgnoreError();
      return refusal;
    };
    if (committed && feasibility.stock_shortages_size() > 0) {
      return refuse(
          BusinessRefusal(v1::INSUFFICIENT_STOCK,
                          "the change needs stock that is not free: " + feasibility.explanation()));
    }
    if (committed && !feasibility.feasible() && !request->accept_later_commitment()) {
      return refuse(
          BusinessRefusal(v1::CREW_CAPACITY_EXCEEDED,
                          "the change needs crew that is not free: " + feasibility.explanation()));
    }
    if (request->dry_run()) {
      impact.set_commitment_holds(true);
      *impact.mutable_commitment() = current.commitment();
      *response->mutable_impact() = impact;
      *response->mutable_order() = amended;
      return absl::OkStatus();
    }

    const bool prep_underway = PrepUnderway(current.stage());
    if (committed) {
      // A confirmed order's stock and job change with it, in the amend saga.
      SagaRecord saga = sagas_.NewSaga(SagaKind::kAmend, current, caller, request->request_id());
      saga.accept_later_commitment = request->accept_later_commitment();
      saga.reason = request->reason();
      saga.target = amended;
      saga.impact = impact;
      SALESOPS_RETURN_IF_ERROR(store_.BeginSaga(saga, sagas_.settings().lease()));
      SALESOPS_ASSIGN_OR_RETURN(v1::Order stored,
                                sagas_.Amend(saga, after, SagaDeadline(*context), explain));
      metrics_.Change(prep_underway);
      *response->mutable_impact() = stored.last_change_impact();
      *response->mutable_order() = std::move(stored);
      RememberAfterSaga(store_, call);
      return absl::OkStatus();
    }
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, current.order_id(),
        [&](v1::Order& order, OrderChange& change) {
          // A quote changed as it was read: not confirmed meanwhile, and no saga under way.
          if (order.revision() != current.revision() || !IsOpenQuote(order.stage())) {
            return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                 "order changed meanwhile; read it again");
          }
          change.refuse_during_saga = true;
          RecordAmendment(order, amended, nullptr, caller, request->reason(), request->request_id(),
                          clock_.NowTimestamp(), change);
          return absl::OkStatus();
        },
        [&](const v1::Order& stored) { *response->mutable_order() = stored; }));
    // A quote's hold follows its lines (named by the revision: placing it twice holds once).
    const v1::Order& stored = response->order();
    absl::Status held = PlaceHold(stored, after);
    if (!held.ok()) {
      common::LogWarn("hold_not_placed",
                      {{"order_id", stored.order_id()}, {"error", std::string(held.message())}});
    }
    metrics_.Change(prep_underway);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::CancelOrder(grpc::ServerContext* context,
                                                 const v1::CancelOrderRequest* request,
                                                 v1::CancelOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const v1::OrderStage target =
        request->mark_lost() ? v1::ORDER_STAGE_LOST : v1::ORDER_STAGE_CANCELLED;
    const IdempotentCall call("CancelOrder", caller, *request, response);
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) return absl::OkStatus();
    bool already_done = false;
    std::optional<SagaRecord> saga;
    // Read and recorded in one transaction; a confirmation or change under way answers
    // SAGA_IN_PROGRESS (retry once it is over), never a half-cancelled order.
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.ReadAndBeginSaga(
            request->order_id(), sagas_.settings().lease(),
            [&](const v1::Order& current) -> absl::StatusOr<std::optional<SagaRecord>> {
              already_done = current.stage() == target;  // cancelling twice
              if (already_done) return std::nullopt;
              SALESOPS_RETURN_IF_ERROR(
                  CheckEtag(current, request->etag(), request->expected_revision()));
              if (!CanMove(current.stage(), target)) {
                return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                       "order " + current.order_id() + " is " +
                                           StageName(current.stage()) + " and cannot become " +
                                           StageName(target));
              }
              saga = sagas_.NewSaga(SagaKind::kCancel, current, caller, request->request_id());
              saga->reason = request->reason();
              saga->target.set_stage(target);
              return saga;
            }));
    if (already_done) {
      *response->mutable_order() = std::move(order);
      RememberAfterSaga(store_, call);
      return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_order(),
                              sagas_.Cancel(*saga, SagaDeadline(*context)));
    RememberAfterSaga(store_, call);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::CloseOrder(grpc::ServerContext* context,
                                                const v1::CloseOrderRequest* request,
                                                v1::CloseOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("CloseOrder", caller, *request, response);
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& order, OrderChange& change) {
          if (order.stage() == v1::ORDER_STAGE_CLOSED) return absl::OkStatus();  // twice
          SALESOPS_RETURN_IF_ERROR(CheckEtag(order, request->etag(), request->expected_revision()));
          if (!CanMove(order.stage(), v1::ORDER_STAGE_CLOSED)) {
            return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                   "order " + order.order_id() + " is " + StageName(order.stage()) +
                                       "; only a RETURNED order can be closed");
          }
          const v1::OrderStage previous = order.stage();
          order.set_stage(v1::ORDER_STAGE_CLOSED);
          order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_CLOSED);
          v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_STAGE_CHANGED, caller,
                                         "RETURNED -> CLOSED", request->note());
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          change.events.push_back(OrderEvent(v1::EVENT_TYPE_ORDER_STAGE_CHANGED, order, caller, "",
                                             previous, request->note()));
          return absl::OkStatus();
        },
        [&](const v1::Order& closed) { *response->mutable_order() = closed; }));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
