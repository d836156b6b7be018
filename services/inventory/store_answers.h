#pragma once

// How the PostgreSQL store answers a mutating call (inventory_store.h, Answer): the replay of an
// identical earlier request first, the answer remembered with the effect last. Shared by the
// store's translation units.
#include <absl/status/statusor.h>

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "services/common/errors.h"
#include "services/inventory/inventory_store.h"

namespace salesops::inventory {

// AIP-155, first inside the transaction that would act: true when an identical request was
// answered before; its answer is now in `answer.response` and this call must not act.
template <typename Result>
absl::StatusOr<bool> Replayed(pqxx::work& transaction, const Answer<Result>& answer) {
  if (answer.idempotent == nullptr) return false;
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier,
                            answer.idempotent->Replay(transaction));
  if (!earlier) return false;
  if (!answer.response.ParseFromString(*earlier)) {
    return absl::InternalError("a remembered answer does not parse");
  }
  return true;
}

// Last inside the transaction that acted: the call's answer, remembered with the effect.
template <typename Result>
void Answered(pqxx::work& transaction, const Answer<Result>& answer, const Result& result) {
  answer.response.Clear();
  answer.fill(result);
  if (answer.idempotent != nullptr) answer.idempotent->Remember(transaction, answer.response);
}

}  // namespace salesops::inventory
