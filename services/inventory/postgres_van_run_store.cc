// The van-run dispatcher's bookkeeping on the transfers table (see van_runs.h): which transfers
// scheduling still has to hear about, the claim that keeps replicas from calling for the same
// one at once, and the backoff of the ones it refused.
#include <absl/strings/str_cat.h>

#include "services/common/errors.h"
#include "services/inventory/van_runs.h"

namespace salesops::inventory {
namespace {

// What is left to tell scheduling. An open transfer (not arrived, not cancelled) needs its van
// run; a cancelled one needs it freed, whether or not it was ever marked planned: a process
// may have died between scheduling's answer and the mark, and a PlanTransfer may still be on
// its way (the CancelJob fences it). A transfer that arrived without a van run is not planned
// any more: the drive is over. One cancelled while waiting out the backoff of a refused
// PlanTransfer gets its CancelJob when the backoff ends: a refused PlanTransfer planned nothing,
// so meanwhile there is no run to free, only the fence to set.
constexpr char kWaiting[] =
    "((NOT cancelled AND NOT van_run_planned AND upper(during) > now()) "
    "OR (cancelled AND NOT van_run_cancelled))";

// What a stored error starts with: the RPC of the step it belongs to.
const char* RpcOf(VanRunStepKind kind) {
  return kind == VanRunStepKind::kPlan ? "PlanTransfer: " : "CancelJob: ";
}

int64_t Milliseconds(std::chrono::milliseconds duration) {
  return static_cast<int64_t>(duration.count());
}

}  // namespace

absl::StatusOr<std::optional<VanRunStep>> PostgresVanRunStore::ClaimNext(
    std::chrono::milliseconds lease) {
  std::optional<VanRunStep> claimed;
  absl::Status status = database_.InTransaction(
      "van_run_claim",
      [&](pqxx::work& tx) -> absl::Status {
        claimed.reset();
        // SKIP LOCKED: a row another replica is claiming, or that CancelTransfer holds, is left
        // for the next sweep instead of waited for.
        pqxx::result rows = tx.exec_params(
            absl::StrCat("UPDATE transfers SET van_run_next_time = now() + $1 * interval "
                         "'1 millisecond' WHERE transfer_id = (SELECT transfer_id FROM transfers "
                         "WHERE ",
                         kWaiting,
                         " AND (van_run_next_time IS NULL OR van_run_next_time <= now()) "
                         "ORDER BY van_run_next_time NULLS FIRST, transfer_id LIMIT 1 "
                         "FOR UPDATE SKIP LOCKED) "
                         "RETURNING transfer_id, cancelled, body, van_run_attempts, "
                         "coalesce(van_run_error, '')"),
            Milliseconds(lease));
        if (rows.empty()) return absl::OkStatus();
        const pqxx::row& row = rows[0];
        VanRunStep step;
        step.kind = row[1].as<bool>() ? VanRunStepKind::kCancel : VanRunStepKind::kPlan;
        pqxx::binarystring body(row[2]);
        if (!step.transfer.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
          return absl::InternalError("the stored body of transfer " + row[0].as<std::string>() +
                                     " does not parse");
        }
        // The id is the row's, whatever the body says.
        step.transfer.set_transfer_id(row[0].as<std::string>());
        // The count is the step's own: refusals of the PlanTransfer that came before a cancel
        // (the error names its RPC first) do not lengthen the CancelJob's backoff.
        const bool same_step = row[4].as<std::string>().rfind(RpcOf(step.kind), 0) == 0;
        step.refusals = same_step ? row[3].as<int>() : 0;
        claimed = std::move(step);
        return absl::OkStatus();
      },
      // Losing the claim in a crash only lets the transfer be claimed again at once.
      common::Durability::kLossRepeatsWork);
  if (!status.ok()) return status;
  return claimed;
}

absl::Status PostgresVanRunStore::MarkPlanned(const std::string& transfer_id) {
  // Not conditional on the transfer still being open: one cancelled while PlanTransfer was on
  // its way is then planned AND cancelled, which makes its cancel step due. Marking it only
  // when still open would forget a van run scheduling has.
  return database_.InTransaction("van_run_planned", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE transfers SET van_run_planned = true, van_run_attempts = 0, van_run_error = NULL, "
        "van_run_next_time = NULL WHERE transfer_id = $1",
        transfer_id);
    return absl::OkStatus();
  });
}

absl::Status PostgresVanRunStore::MarkCancelled(const std::string& transfer_id) {
  // Only van_run_cancelled: a cancelled transfer is never planned (cancelling is final), and
  // van_run_planned keeps saying whether scheduling ever confirmed a run to us.
  return database_.InTransaction("van_run_cancelled", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE transfers SET van_run_cancelled = true, van_run_attempts = 0, "
        "van_run_error = NULL, van_run_next_time = NULL WHERE transfer_id = $1 AND cancelled",
        transfer_id);
    return absl::OkStatus();
  });
}

absl::Status PostgresVanRunStore::RecordRefusal(const VanRunStep& step, const std::string& error,
                                                std::chrono::milliseconds retry_after) {
  const std::string& transfer_id = step.transfer.transfer_id();
  const bool cancel_step = step.kind == VanRunStepKind::kCancel;
  return database_.InTransaction(
      "van_run_refused",
      [&](pqxx::work& tx) {
        // Only while the transfer still needs this step.
        pqxx::result refused = tx.exec_params(
            "UPDATE transfers SET van_run_attempts = $3, van_run_error = $4, van_run_next_time = "
            "now() + $5 * interval '1 millisecond' WHERE transfer_id = $1 AND cancelled = $2",
            transfer_id, cancel_step, step.refusals + 1, std::string(RpcOf(step.kind)) + error,
            Milliseconds(retry_after));
        if (refused.affected_rows() == 0) {
          // Cancelled while its PlanTransfer was refused: the cancel step waits for nothing.
          tx.exec_params(
              "UPDATE transfers SET van_run_attempts = 0, van_run_error = NULL, "
              "van_run_next_time = NULL WHERE transfer_id = $1",
              transfer_id);
        }
        return absl::OkStatus();
      },
      // Lost in a crash, the transfer is only tried again sooner.
      common::Durability::kLossRepeatsWork);
}

absl::Status PostgresVanRunStore::Release(const std::string& transfer_id) {
  return database_.InTransaction(
      "van_run_release",
      [&](pqxx::work& tx) {
        tx.exec_params("UPDATE transfers SET van_run_next_time = NULL WHERE transfer_id = $1",
                       transfer_id);
        return absl::OkStatus();
      },
      common::Durability::kLossRepeatsWork);
}

absl::StatusOr<VanRunBacklog> PostgresVanRunStore::Backlog() {
  VanRunBacklog backlog;
  SALESOPS_RETURN_IF_ERROR(database_.Read("van_run_backlog", [&](pqxx::transaction_base& tx) {
    pqxx::row counts = tx.exec1(
        absl::StrCat("SELECT count(*) FILTER (WHERE NOT cancelled), count(*) FILTER (WHERE "
                     "cancelled), count(*) FILTER (WHERE van_run_attempts > 0) FROM transfers "
                     "WHERE ",
                     kWaiting));
    backlog.to_plan = counts[0].as<int64_t>();
    backlog.to_cancel = counts[1].as<int64_t>();
    backlog.refused = counts[2].as<int64_t>();
    return absl::OkStatus();
  }));
  return backlog;
}

}  // namespace salesops::inventory
