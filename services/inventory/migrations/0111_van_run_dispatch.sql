-- The van-run dispatcher (issue 19, services/inventory/van_runs.h): inventory tells scheduling
-- about each transfer's van run (PlanTransfer) and its cancellation (CancelJob) until scheduling
-- has it. Its bookkeeping per transfer:
--   van_run_next_time  when the step is next due: the end of a replica's claim while it calls,
--                      or of the backoff after a refusal; NULL: due now.
--   van_run_attempts   times scheduling refused the step in a row (the backoff grows with it).
--   van_run_error      scheduling's last refusal, its RPC first ("PlanTransfer: ...").
ALTER TABLE transfers
  ADD COLUMN van_run_next_time  timestamptz,
  ADD COLUMN van_run_attempts   integer NOT NULL DEFAULT 0,
  ADD COLUMN van_run_error      text;

-- What the dispatcher has left to do. A cancelled transfer needs its CancelJob whether or not its
-- van run was marked planned: a PlanTransfer may have been answered to a process that died
-- before marking it, or still be on its way (CancelJob fences it). 0109's index left those out.
DROP INDEX transfers_for_scheduling;
CREATE INDEX transfers_van_run_due ON transfers (van_run_next_time NULLS FIRST, transfer_id)
  WHERE (NOT cancelled AND NOT van_run_planned) OR (cancelled AND NOT van_run_cancelled);
