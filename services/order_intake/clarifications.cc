#include "services/order_intake/clarifications.h"

#include <absl/strings/str_cat.h>

#include "services/common/errors.h"

namespace salesops::order_intake {
namespace {

v1::Question* Find(v1::Order& order, const std::string& question_id) {
  for (v1::Question& question : *order.mutable_questions()) {
    if (question.question_id() == question_id) return &question;
  }
  return nullptr;
}

absl::Status NotOnOrder(const v1::Order& order, const std::string& question_id) {
  return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                               "question " + question_id + " is not on order " + order.order_id());
}

void Recount(v1::Order& order) {
  int open_blocking = 0;
  for (const v1::Question& question : order.questions()) {
    if (question.blocking() && question.state() == v1::QUESTION_STATE_OPEN) ++open_blocking;
  }
  order.set_open_blocking_question_count(open_blocking);
}

// Refused when the order holds `limit` messages of `kind` already.
absl::Status CheckRoomFor(const v1::Order& order, v1::ClarificationKind kind, int limit,
                          const std::string& plural) {
  int count = 0;
  for (const v1::Question& question : order.questions()) {
    for (const v1::ClarificationMessage& message : question.messages()) {
      count += message.kind() == kind ? 1 : 0;
    }
  }
  if (count < limit) return absl::OkStatus();
  return common::BusinessRefusal(v1::LIMIT_REACHED,
                                 absl::StrCat("order ", order.order_id(), " holds ", count, " ",
                                              plural, ", the most one order may"),
                                 {{"limit", absl::StrCat(limit)}});
}

void AddMessage(v1::Question& question, v1::ClarificationKind kind, const std::string& text,
                const v1::Actor& author, const google::protobuf::Timestamp& at) {
  v1::ClarificationMessage* message = question.add_messages();
  message->set_kind(kind);
  message->set_text(text);
  *message->mutable_author() = author;
  *message->mutable_create_time() = at;
}

}  // namespace

absl::StatusOr<v1::Question> Ask(v1::Order& order, const std::string& question_id,
                                 const std::string& product_code, bool blocking,
                                 const std::string& text, const v1::Actor& author,
                                 const google::protobuf::Timestamp& at) {
  if (!product_code.empty()) {
    bool on_order = false;
    for (const v1::ProductLine& line : order.product_lines()) {
      on_order |= line.product_code() == product_code;
    }
    if (!on_order) {
      return common::InvalidArgumentError(
          {{"product_code", product_code + " is not a line of this order"}});
    }
  }
  v1::Question* question = question_id.empty() ? nullptr : Find(order, question_id);
  if (!question_id.empty() && question == nullptr) return NotOnOrder(order, question_id);
  SALESOPS_RETURN_IF_ERROR(
      CheckRoomFor(order, v1::CLARIFICATION_KIND_QUESTION, kMaxQuestionsPerOrder, "questions"));
  if (question == nullptr) {
    question = order.add_questions();
    question->set_question_id(absl::StrCat("Q", order.questions_size()));
    question->set_product_code(product_code);
    question->set_blocking(blocking);
    *question->mutable_asked_by() = author;
    *question->mutable_ask_time() = at;
  } else {
    // A follow-up can make a thread blocking, never the other way round.
    question->set_blocking(question->blocking() || blocking);
  }
  question->set_state(v1::QUESTION_STATE_OPEN);
  AddMessage(*question, v1::CLARIFICATION_KIND_QUESTION, text, author, at);
  Recount(order);
  return *question;
}

absl::StatusOr<v1::Question> Answer(v1::Order& order, const std::string& question_id,
                                    const std::string& text, const v1::Actor& author,
                                    const google::protobuf::Timestamp& at) {
  v1::Question* question = Find(order, question_id);
  if (question == nullptr) return NotOnOrder(order, question_id);
  SALESOPS_RETURN_IF_ERROR(
      CheckRoomFor(order, v1::CLARIFICATION_KIND_ANSWER, kMaxAnswersPerOrder, "answers"));
  question->set_state(v1::QUESTION_STATE_ANSWERED);
  *question->mutable_answered_by() = author;
  *question->mutable_answer_time() = at;
  AddMessage(*question, v1::CLARIFICATION_KIND_ANSWER, text, author, at);
  Recount(order);
  return *question;
}

v1::QuestionPayload PayloadOf(const v1::Question& question) {
  v1::QuestionPayload payload;
  payload.set_question_id(question.question_id());
  payload.set_product_code(question.product_code());
  payload.set_blocking(question.blocking());
  *payload.mutable_asked_by() = question.asked_by();
  // The question is the thread's latest QUESTION message; the answer its latest ANSWER.
  for (const v1::ClarificationMessage& message : question.messages()) {
    if (message.kind() == v1::CLARIFICATION_KIND_QUESTION) {
      payload.set_question_text(message.text());
      payload.clear_answer_text();
    } else {
      payload.set_answer_text(message.text());
    }
  }
  if (question.state() == v1::QUESTION_STATE_ANSWERED) {
    *payload.mutable_answered_by() = question.answered_by();
  }
  return payload;
}

}  // namespace salesops::order_intake
