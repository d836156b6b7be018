-- The asset register (issue 19): one row per unit of a serialised code. The body is the Asset
-- (without its computed book value); the columns are what lookups and rules need. A barcode is
-- unique across the register (a scanner reads one), a serial within its code.
CREATE SEQUENCE asset_numbers;
CREATE TABLE assets (
  asset_id        text PRIMARY KEY,
  inventory_code  text NOT NULL,
  serial_number   text NOT NULL DEFAULT '',
  barcode         text NOT NULL UNIQUE,
  state           smallint NOT NULL,
  body            bytea NOT NULL
);
CREATE UNIQUE INDEX assets_serial_per_code ON assets (inventory_code, serial_number)
  WHERE serial_number <> '';
CREATE INDEX assets_by_code ON assets (inventory_code, asset_id);

-- Each asset's history, oldest first.
CREATE TABLE asset_events (
  asset_id  text NOT NULL REFERENCES assets (asset_id),
  seq       bigserial NOT NULL,
  body      bytea NOT NULL,
  PRIMARY KEY (asset_id, seq)
);
