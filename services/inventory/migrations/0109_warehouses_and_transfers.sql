-- Stock across warehouses (issue 19). A code's home (items.warehouse_id) holds what it owns
-- less what lives elsewhere; transfers move units between warehouses over a road time during
-- which they are available nowhere.
CREATE TABLE warehouse_stock (
  inventory_code  text NOT NULL REFERENCES items ON DELETE CASCADE,
  warehouse_id    text NOT NULL,
  quantity        integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (inventory_code, warehouse_id)
);

CREATE SEQUENCE transfer_numbers;
-- The Transfer body plus what rules and the van-run dispatcher need. `during` is the road:
-- [departure, arrival).
CREATE TABLE transfers (
  transfer_id        text PRIMARY KEY,
  during             tstzrange NOT NULL,
  cancelled          boolean NOT NULL DEFAULT false,
  -- Scheduling has the van run (planned), or has let it go (cancelled and told).
  van_run_planned    boolean NOT NULL DEFAULT false,
  van_run_cancelled  boolean NOT NULL DEFAULT false,
  body               bytea NOT NULL
);
CREATE INDEX transfers_by_departure ON transfers (lower(during), transfer_id);
CREATE INDEX transfers_for_scheduling ON transfers (transfer_id)
  WHERE (NOT cancelled AND NOT van_run_planned) OR (cancelled AND van_run_planned
    AND NOT van_run_cancelled);

-- One code of a transfer, with copies of its ends and road so a code's moves are one probe.
CREATE TABLE transfer_lines (
  transfer_id        text NOT NULL REFERENCES transfers,
  inventory_code     text NOT NULL REFERENCES items,
  quantity           integer NOT NULL CHECK (quantity > 0),
  from_warehouse_id  text NOT NULL,
  to_warehouse_id    text NOT NULL,
  during             tstzrange NOT NULL,
  cancelled          boolean NOT NULL DEFAULT false,
  PRIMARY KEY (transfer_id, inventory_code)
);
CREATE INDEX transfer_lines_by_code ON transfer_lines (inventory_code, lower(during))
  WHERE NOT cancelled;

-- Units that travel with a transfer: at the destination once it has arrived.
CREATE TABLE transfer_assets (
  transfer_id  text NOT NULL REFERENCES transfers,
  asset_id     text NOT NULL REFERENCES assets,
  PRIMARY KEY (transfer_id, asset_id)
);
CREATE INDEX transfer_assets_by_asset ON transfer_assets (asset_id);
