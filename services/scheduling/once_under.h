#pragma once

// How every mutation of the scheduling store keeps its AIP-155 answer (RequestKey in
// scheduling_store.h): one transaction holds the effect and the answer, so a crash cannot
// separate them. For the store's .cc files only.
#include <google/protobuf/empty.pb.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "services/common/db_pool.h"
#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/scheduling/scheduling_store.h"

namespace salesops::scheduling {

// The idempotency record a mutation keeps its answer under.
inline common::IdempotentRequest IdempotencyOf(const RequestKey& key) {
  static const google::protobuf::Empty kNoRequest;
  return common::IdempotentRequest(key.method, key.request_id,
                                   key.request != nullptr ? *key.request : kNoRequest);
}

// The answer kept for an identical earlier request, parsed; nullopt when there is none.
template <typename Response>
absl::StatusOr<std::optional<Response>> Replayed(pqxx::work& tx,
                                                 const common::IdempotentRequest& idempotent) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
  if (!earlier) return std::optional<Response>();
  Response response;
  if (!response.ParseFromString(*earlier)) {
    return absl::InternalError("an answer kept for a request_id does not parse");
  }
  return std::optional<Response>(std::move(response));
}

// Runs `act` in one transaction under `key`: an identical earlier request gets its answer
// back and nothing is done; otherwise the effect and its answer commit together.
template <typename Response>
absl::StatusOr<Answered<Response>> OnceUnder(
    common::ConnectionPool& pool, std::string_view name, const RequestKey& key,
    const std::function<absl::Status(pqxx::work&, Response&)>& act) {
  const common::IdempotentRequest idempotent = IdempotencyOf(key);
  Answered<Response> answered;
  absl::Status status = pool.InTransaction(name, [&](pqxx::work& tx) -> absl::Status {
    answered = Answered<Response>();
    SALESOPS_ASSIGN_OR_RETURN(std::optional<Response> earlier, Replayed<Response>(tx, idempotent));
    if (earlier) {
      answered = {*std::move(earlier), true};
      return absl::OkStatus();
    }
    SALESOPS_RETURN_IF_ERROR(act(tx, answered.response));
    idempotent.Remember(tx, answered.response);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return answered;
}

}  // namespace salesops::scheduling
