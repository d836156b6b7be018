#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// "Put it in the system": ops asks, sales answers, both kept on the order.
// Each returns the thread as it now stands; the order's count of open blocking
// questions is kept current.

// The most questions (new threads and follow-ups) and answers one order holds. Together they
// stay within the API's bound on one thread's messages (Question.messages, 200), and they
// bound what one order costs to read and write. Beyond them Ask and Answer are refused
// (FAILED_PRECONDITION, LIMIT_REACHED).
inline constexpr int kMaxQuestionsPerOrder = 100;
inline constexpr int kMaxAnswersPerOrder = 100;

// A new thread (`question_id` empty), or a follow-up that reopens an existing
// one. `product_code`, when set, must be a line of the order.
absl::StatusOr<v1::Question> Ask(v1::Order& order, const std::string& question_id,
                                 const std::string& product_code, bool blocking,
                                 const std::string& text, const v1::Actor& author,
                                 const google::protobuf::Timestamp& at);

absl::StatusOr<v1::Question> Answer(v1::Order& order, const std::string& question_id,
                                    const std::string& text, const v1::Actor& author,
                                    const google::protobuf::Timestamp& at);

// The QUESTION_ASKED / QUESTION_ANSWERED payload for a thread's latest message.
v1::QuestionPayload PayloadOf(const v1::Question& question);

}  // namespace salesops::order_intake
