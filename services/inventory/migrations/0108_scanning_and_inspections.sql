-- Units scanned out and in, taken to repair or out of stock, and inspected (issue 19).

-- The order a unit is out with, and until when that order's window holds it: an inspection
-- falling due while it is out stops it counting only after that.
ALTER TABLE assets ADD COLUMN order_id text NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN out_until timestamptz;
CREATE INDEX assets_by_order ON assets (order_id, inventory_code) WHERE order_id <> '';

-- Out-of-service periods of one unit: its open repair (unit_hold 1), or its overdue inspection
-- (unit_hold 2, from the due time on, until it passes). A finished repair keeps its period with
-- unit_hold 0, as a period set by hand or by a counted damaged check-in has. A unit has at most
-- one open period of each kind, and they never overlap, so a unit never counts twice.
ALTER TABLE out_of_service ADD COLUMN asset_id text REFERENCES assets;
ALTER TABLE out_of_service ADD COLUMN unit_hold smallint NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX out_of_service_unit_holds ON out_of_service (asset_id, unit_hold)
  WHERE unit_hold > 0;

-- A code's inspection types (the MaintenancePlan body).
CREATE TABLE maintenance_plans (
  inventory_code  text PRIMARY KEY REFERENCES items ON DELETE CASCADE,
  body            bytea NOT NULL
);

-- Where each unit stands with each inspection type of its code's plan.
CREATE TABLE asset_inspections (
  asset_id         text NOT NULL REFERENCES assets,
  inspection_type  text NOT NULL,
  -- Periodic types hold the unit out of stock from due_time on; on-return checks only block
  -- its scan-out.
  periodic         boolean NOT NULL,
  interval_seconds bigint NOT NULL DEFAULT 0,
  last_pass_time   timestamptz,
  due_time         timestamptz,
  PRIMARY KEY (asset_id, inspection_type)
);

-- Units scanned back for an order and not yet recorded by a check-in (CheckIn with no lines).
-- Damaged ones went out of service when scanned.
CREATE TABLE scanned_returns (
  order_id        text NOT NULL,
  inventory_code  text NOT NULL REFERENCES items,
  returned        integer NOT NULL DEFAULT 0 CHECK (returned >= 0),
  damaged         integer NOT NULL DEFAULT 0 CHECK (damaged >= 0),
  PRIMARY KEY (order_id, inventory_code)
);
