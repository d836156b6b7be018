-- Inventory: the catalog that bridges the two languages, and everything that
-- changes how many units of a code are free over time.

-- Range types with GiST need btree_gist to index (inventory_code, during)
-- together; it is a trusted extension, so the service's own role may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE items (
  inventory_code  text PRIMARY KEY,
  description     text NOT NULL,
  category        text NOT NULL DEFAULT '',
  quantity_owned  integer NOT NULL CHECK (quantity_owned >= 0),
  tracking        smallint NOT NULL DEFAULT 0,
  warehouse_id    text NOT NULL DEFAULT '',
  revision        bigint NOT NULL DEFAULT 1,  -- the etag
  update_time     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_category ON items (category, inventory_code);

CREATE TABLE products (
  product_code         text PRIMARY KEY,
  name                 text NOT NULL,
  description          text NOT NULL DEFAULT '',
  day_rate_currency    text NOT NULL DEFAULT '',
  day_rate_units       bigint NOT NULL DEFAULT 0,
  day_rate_nanos       integer NOT NULL DEFAULT 0,
  prep_seconds         bigint NOT NULL DEFAULT 0 CHECK (prep_seconds >= 0),
  revision             bigint NOT NULL DEFAULT 1,
  update_time          timestamptz NOT NULL DEFAULT now()
);

-- A product's kit. RESTRICT: an item still used by a product cannot be deleted.
CREATE TABLE product_components (
  product_code    text NOT NULL REFERENCES products ON DELETE CASCADE,
  inventory_code  text NOT NULL REFERENCES items ON DELETE RESTRICT,
  quantity        integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (product_code, inventory_code)
);
CREATE INDEX product_components_by_item ON product_components (inventory_code);

CREATE TABLE product_crew_needs (
  product_code      text NOT NULL REFERENCES products ON DELETE CASCADE,
  position          integer NOT NULL,
  skill             smallint NOT NULL,
  duration_seconds  bigint NOT NULL CHECK (duration_seconds >= 0),
  headcount         integer NOT NULL CHECK (headcount > 0),
  PRIMARY KEY (product_code, position)
);

-- Holds (kind 1) and firm reservations (kind 2) for one revision of one order.
-- Nothing is deleted: a newer revision marks the older one REPLACED (state 4),
-- a release marks it RELEASED (2). A hold past expire_time stops counting at
-- that instant because every availability query compares it with now().
CREATE TABLE reservations (
  reservation_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id         text NOT NULL,
  order_revision   bigint NOT NULL,
  kind             smallint NOT NULL,
  state            smallint NOT NULL,
  during           tstzrange NOT NULL,
  expire_time      timestamptz,
  win_probability  double precision NOT NULL DEFAULT 1,
  created_by       text NOT NULL DEFAULT '',
  create_time      timestamptz NOT NULL DEFAULT now(),
  end_time         timestamptz,
  end_reason       text NOT NULL DEFAULT ''
);
CREATE INDEX reservations_by_order ON reservations (order_id, order_revision);
-- One active reservation of each kind per order: the replacement of an old
-- revision and the insert of the new one commit together or not at all.
CREATE UNIQUE INDEX reservations_one_active ON reservations (order_id, kind) WHERE state = 1;

-- Lines carry copies of the reservation's range, kind and expiry so that the
-- usage of one code over a window is a single GiST index probe.
CREATE TABLE reservation_lines (
  reservation_id  uuid NOT NULL REFERENCES reservations ON DELETE CASCADE,
  inventory_code  text NOT NULL REFERENCES items,
  quantity        integer NOT NULL CHECK (quantity > 0),
  during          tstzrange NOT NULL,
  kind            smallint NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  expire_time     timestamptz,
  win_probability double precision NOT NULL DEFAULT 1,
  order_id        text NOT NULL,
  PRIMARY KEY (reservation_id, inventory_code)
);
CREATE INDEX reservation_lines_usage ON reservation_lines USING gist (inventory_code, during)
  WHERE active;

CREATE TABLE out_of_service (
  out_of_service_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inventory_code     text NOT NULL REFERENCES items,
  quantity           integer NOT NULL CHECK (quantity > 0),
  during             tstzrange NOT NULL,
  reason             text NOT NULL,
  order_id           text NOT NULL DEFAULT '',
  created_by         text NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX out_of_service_usage ON out_of_service USING gist (inventory_code, during);

CREATE TABLE sub_rentals (
  sub_rental_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inventory_code      text NOT NULL REFERENCES items,
  quantity            integer NOT NULL CHECK (quantity > 0),
  during              tstzrange NOT NULL,
  supplier_name       text NOT NULL,
  supplier_reference  text NOT NULL DEFAULT '',
  cost_currency       text NOT NULL DEFAULT '',
  cost_units          bigint NOT NULL DEFAULT 0,
  cost_nanos          integer NOT NULL DEFAULT 0,
  order_id            text NOT NULL DEFAULT '',
  warehouse_id        text NOT NULL DEFAULT '',
  returned_quantity   integer NOT NULL DEFAULT 0,
  created_by          text NOT NULL DEFAULT '',
  create_time         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sub_rentals_usage ON sub_rentals USING gist (inventory_code, during);
