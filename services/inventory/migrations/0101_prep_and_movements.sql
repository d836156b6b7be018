-- The warehouse side of an order: what has been pulled, and what left and
-- came back. Counts are absolute per code, so a retried or corrected count is
-- just the new number.
CREATE TABLE prep_counts (
  order_id        text NOT NULL,
  inventory_code  text NOT NULL REFERENCES items,
  pulled          integer NOT NULL CHECK (pulled >= 0),
  serial_numbers  text[] NOT NULL DEFAULT '{}',
  update_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, inventory_code)
);

CREATE TABLE prep_status (
  order_id         text PRIMARY KEY,
  first_pull_time  timestamptz,
  complete_time    timestamptz
);

CREATE TABLE movements (
  movement_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id     text NOT NULL,
  kind         smallint NOT NULL,  -- 1 check-out, 2 check-in
  vehicle_id   text NOT NULL DEFAULT '',
  recorded_by  text NOT NULL DEFAULT '',
  record_time  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movements_by_order ON movements (order_id, record_time);

CREATE TABLE movement_lines (
  movement_id     uuid NOT NULL REFERENCES movements ON DELETE CASCADE,
  inventory_code  text NOT NULL REFERENCES items,
  quantity        integer NOT NULL CHECK (quantity >= 0),  -- out, or back in good order
  damaged         integer NOT NULL DEFAULT 0 CHECK (damaged >= 0),
  missing         integer NOT NULL DEFAULT 0 CHECK (missing >= 0),
  PRIMARY KEY (movement_id, inventory_code)
);
CREATE INDEX sub_rentals_by_order ON sub_rentals (order_id) WHERE order_id <> '';
