#pragma once

// What order-intake's PostgreSQL stores of records (the directory, the pricing configuration)
// share: a record read back from its bytea body, NOT_FOUND naming it, and the AIP-155 replay of
// a call's first answer.
#include <absl/status/statusor.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "services/common/db_pool.h"
#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/order_intake/order_store.h"
#include "services/order_intake/postgres_order_store.h"

namespace salesops::order_intake {

using common::ParseRecord;

// The record number a listing's page continues after: 0 for the first page, INVALID_ARGUMENT
// for a page_token no listing gave out.
inline absl::StatusOr<int64_t> PageNumberAfter(const std::string& after) {
  int64_t number = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &number)) {
    return common::InvalidArgumentError({{"page_token", "is not a token this listing gave out"}});
  }
  return number;
}

// "price list pl-1009 does not exist".
inline absl::Status RecordNotFound(const std::string& kind, const std::string& id) {
  return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                               absl::StrCat(kind, " ", id, " does not exist"));
}

// Fills call.response with an earlier identical call's answer; false when there is none.
inline absl::StatusOr<bool> ReplayedAnswer(const common::IdempotentRequest& idempotent,
                                           pqxx::work& tx, const IdempotentCall& call) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
  if (!earlier) return false;
  call.response->Clear();
  call.response->ParseFromString(*earlier);
  return true;
}

inline pqxx::binarystring Bytes(const std::string& body) { return common::RecordBytes(body); }

// Runs `write` as the AIP-155 call `call`: a retry is answered from what the first call
// remembered, before anything is read or locked; otherwise `write` runs and its answer
// (call.response) is remembered in the same transaction.
inline absl::Status IdempotentWrite(common::ConnectionPool& pool, const std::string& name,
                                    const IdempotentCall& call,
                                    const std::function<absl::Status(pqxx::work&)>& write) {
  const common::IdempotentRequest idempotent = IdempotentRequestOf(call);
  return pool.InTransaction(name, [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, ReplayedAnswer(idempotent, tx, call));
    if (replayed) return absl::OkStatus();
    SALESOPS_RETURN_IF_ERROR(write(tx));
    idempotent.Remember(tx, *call.response);
    return absl::OkStatus();
  });
}

}  // namespace salesops::order_intake
