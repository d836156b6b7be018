// OrderIntakeService: the conversation on an order. Questions and answers, notes, ops
// acknowledging a change, and the ops milestones notification delivers.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/validation.h"
#include "services/order_intake/clarifications.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/notes.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"

namespace salesops::order_intake {

using common::BusinessRefusal;
using common::CheckRequest;
using common::ReasonedError;
using common::ToGrpcStatus;

namespace {

// A question asked or answered goes into the history and out as an event, the same way.
void RecordClarification(OrderChange& change, v1::HistoryEntryKind kind, v1::EventType type,
                         const std::string& summary, const v1::Question& question,
                         const v1::Actor& caller, const std::string& request_id) {
  v1::HistoryEntry entry = Entry(kind, caller, summary);
  entry.set_question_id(question.question_id());
  entry.set_request_id(request_id);
  change.history.push_back(entry);
  v1::Event event;
  event.set_type(type);
  *event.mutable_actor() = caller;
  *event.mutable_question() = PayloadOf(question);
  change.events.push_back(event);
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::AskQuestion(grpc::ServerContext* context,
                                                 const v1::AskQuestionRequest* request,
                                                 v1::AskQuestionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("AskQuestion", caller, *request, response);
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(
              *response->mutable_question(),
              Ask(current, request->question_id(), request->product_code(), request->blocking(),
                  request->text(), caller, clock_.NowTimestamp()));
          const v1::Question& question = response->question();
          RecordClarification(
              change, v1::HISTORY_ENTRY_KIND_QUESTION_ASKED, v1::EVENT_TYPE_QUESTION_ASKED,
              absl::StrCat(question.blocking() ? "Blocking question: " : "Question: ",
                           request->text()),
              question, caller, request->request_id());
          return absl::OkStatus();
        },
        /*answer=*/{}));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AnswerQuestion(grpc::ServerContext* context,
                                                    const v1::AnswerQuestionRequest* request,
                                                    v1::AnswerQuestionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("AnswerQuestion", caller, *request, response);
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(*response->mutable_question(),
                                    Answer(current, request->question_id(), request->text(), caller,
                                           clock_.NowTimestamp()));
          RecordClarification(change, v1::HISTORY_ENTRY_KIND_QUESTION_ANSWERED,
                              v1::EVENT_TYPE_QUESTION_ANSWERED, "Answer: " + request->text(),
                              response->question(), caller, request->request_id());
          return absl::OkStatus();
        },
        /*answer=*/{}));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AddNote(grpc::ServerContext* context,
                                             const v1::AddNoteRequest* request,
                                             v1::AddNoteResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("AddNote", caller, *request, response);
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(
              v1::Note note, AppendNote(current, request->note(), caller, clock_.NowTimestamp()));
          change.new_revision = true;
          v1::HistoryEntry entry =
              Entry(v1::HISTORY_ENTRY_KIND_NOTE_ADDED, caller, "Note: " + note.text());
          *entry.mutable_diff()->add_added_notes() = note;
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          v1::Event event;
          event.set_type(v1::EVENT_TYPE_NOTE_ADDED);
          *event.mutable_actor() = caller;
          *event.mutable_note()->mutable_note() = note;
          change.events.push_back(event);
          *response->mutable_note() = std::move(note);
          return absl::OkStatus();
        },
        [&](const v1::Order& written) { response->set_revision(written.revision()); }));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AcknowledgeChange(grpc::ServerContext* context,
                                                       const v1::AcknowledgeChangeRequest* request,
                                                       v1::AcknowledgeChangeResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("AcknowledgeChange", caller, *request, response);
    SALESOPS_RETURN_IF_ERROR(store_.UpdateIdempotently(
        call, request->order_id(),
        [&](v1::Order& current, OrderChange& change) {
          for (const v1::ChangeRecord& done : current.acknowledged_changes()) {
            if (done.revision() == request->revision()) {  // acknowledging twice
              *response->mutable_change() = done;
              return absl::OkStatus();
            }
          }
          auto* pending = current.mutable_unacknowledged_changes();
          for (int i = 0; i < pending->size(); ++i) {
            if (pending->Get(i).revision() != request->revision()) continue;
            v1::ChangeRecord record = pending->Get(i);
            record.set_acknowledged(true);
            *record.mutable_acknowledged_by() = caller;
            *record.mutable_acknowledge_time() = clock_.NowTimestamp();
            record.set_acknowledge_note(request->note());
            pending->DeleteSubrange(i, 1);
            *current.add_acknowledged_changes() = record;
            v1::HistoryEntry entry =
                Entry(v1::HISTORY_ENTRY_KIND_CHANGE_ACKNOWLEDGED, caller,
                      absl::StrCat("Ops acknowledged the change of rev ", record.revision()),
                      request->note());
            entry.set_request_id(request->request_id());
            change.history.push_back(entry);
            v1::Event event;
            event.set_type(v1::EVENT_TYPE_CHANGE_ACKNOWLEDGED);
            *event.mutable_actor() = caller;
            event.mutable_change_acknowledged()->set_acknowledged_revision(record.revision());
            event.mutable_change_acknowledged()->set_note(request->note());
            change.events.push_back(event);
            *response->mutable_change() = record;
            return absl::OkStatus();
          }
          return ReasonedError(
              absl::StatusCode::kNotFound, v1::NOT_FOUND,
              absl::StrCat("order ", current.order_id(),
                           " has no change to acknowledge at revision ", request->revision()));
        },
        /*answer=*/{}));
    return absl::OkStatus();
  }());
}

absl::Status OrderIntakeServiceImpl::ApplyEvent(const v1::Event& event, bool* duplicate) {
  *duplicate = false;
  if (event.order_id().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Order> applied = store_.Update(
      event.order_id(),
      [&](v1::Order& order, OrderChange& change) -> absl::Status {
        v1::Actor actor = event.actor();
        if (event.type() == v1::EVENT_TYPE_COMMITMENT_CHANGED &&
            event.commitment().has_commitment()) {
          *order.mutable_commitment() = event.commitment().commitment();
          return absl::OkStatus();
        }
        std::optional<v1::OrderStage> target = StageOfMilestone(event);
        if (!target || order.stage() == *target) return absl::OkStatus();
        if (!CanMove(order.stage(), *target)) {
          // A milestone already passed (inventory and scheduling both report
          // dispatch) changes nothing; one the order cannot take is refused.
          if (!IsFinal(order.stage()) && !IsOpenQuote(order.stage())) return absl::OkStatus();
          return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                 "order " + order.order_id() + " is " + StageName(order.stage()) +
                                     "; " + v1::EventType_Name(event.type()) + " does not apply");
        }
        const v1::OrderStage previous = order.stage();
        order.set_stage(*target);
        order.mutable_pipeline()->set_stage(*target);
        const std::string summary = absl::StrCat(StageName(previous), " -> ", StageName(*target),
                                                 " (", event.source_service(), ")");
        change.history.push_back(Entry(v1::HISTORY_ENTRY_KIND_STAGE_CHANGED, actor, summary));
        change.events.push_back(
            OrderEvent(v1::EVENT_TYPE_ORDER_STAGE_CHANGED, order, actor, "", previous));
        return absl::OkStatus();
      },
      event.event_id(), duplicate);
  // An event about an order this service does not know is not ours to act on.
  if (applied.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  return applied.status();
}

grpc::Status EventSinkImpl::Deliver(grpc::ServerContext*, const v1::DeliverRequest* request,
                                    v1::DeliverResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    bool duplicate = false;
    SALESOPS_RETURN_IF_ERROR(orders_.ApplyEvent(request->event(), &duplicate));
    response->set_duplicate(duplicate);
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
