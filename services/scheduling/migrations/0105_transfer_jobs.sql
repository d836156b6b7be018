-- Van runs between warehouses (issue 19): a transfer's run is a job of its own, keyed by the
-- transfer id, with one TRANSFER task. What it was planned from (the PlanTransferRequest without
-- its request_id) is kept here, NULL for an order's job: a transfer asked for again is known by
-- it, one asked for with another body is refused, and an order and a transfer never share a job.
ALTER TABLE jobs ADD COLUMN transfer_request bytea;
