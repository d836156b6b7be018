-- Lines beyond rental (issue 17).
--
-- Sale items: a product with a sale price is sold, not rented (its components are consumable).
ALTER TABLE products
  ADD COLUMN sale_price_currency text NOT NULL DEFAULT '',
  ADD COLUMN sale_price_units    bigint NOT NULL DEFAULT 0,
  ADD COLUMN sale_price_nanos    integer NOT NULL DEFAULT 0;

-- Consumable stock (items.tracking = 3) leaves for good when checked out: quantity_owned goes
-- down, and the order's reservation stops counting what it has drawn. What each order drew of
-- each code, so that an amendment after check-out counts only what is still to draw.
CREATE TABLE consumed_stock (
  order_id        text NOT NULL,
  inventory_code  text NOT NULL,
  quantity        integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (order_id, inventory_code)
);
-- (A consumable's reservations count against every window until drawn, so they are read by code
-- alone: reservation_lines_by_end leads with the code.)

-- A firm reservation's custom lines, shown to ops on the pull sheet as notes: nothing to pull.
CREATE TABLE reservation_notes (
  reservation_id  uuid NOT NULL REFERENCES reservations ON DELETE CASCADE,
  position        integer NOT NULL,
  category        smallint NOT NULL,
  description     text NOT NULL,
  quantity        integer NOT NULL,
  PRIMARY KEY (reservation_id, position)
);
