-- Stock takes (issue 19): a warehouse counted by scanning, against what was expected on its
-- shelves when the count started.
CREATE SEQUENCE stock_take_numbers;
CREATE TABLE stock_takes (
  stock_take_id  text PRIMARY KEY,
  warehouse_id   text NOT NULL,
  state          smallint NOT NULL,
  body           bytea NOT NULL
);

-- Per code: what was expected on the shelves at the start, and what was counted by label.
CREATE TABLE stock_take_codes (
  stock_take_id   text NOT NULL REFERENCES stock_takes,
  inventory_code  text NOT NULL REFERENCES items,
  by_unit         boolean NOT NULL,  -- its units are registered: counted unit by unit
  expected        integer NOT NULL,
  counted         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (stock_take_id, inventory_code)
);

-- Registered units: expected here at the start, and/or counted (where).
CREATE TABLE stock_take_units (
  stock_take_id  text NOT NULL REFERENCES stock_takes,
  asset_id       text NOT NULL REFERENCES assets,
  expected       boolean NOT NULL DEFAULT false,
  counted        boolean NOT NULL DEFAULT false,
  location       text NOT NULL DEFAULT '',
  PRIMARY KEY (stock_take_id, asset_id)
);

CREATE TABLE stock_take_unknown (
  stock_take_id  text NOT NULL REFERENCES stock_takes,
  barcode        text NOT NULL,
  PRIMARY KEY (stock_take_id, barcode)
);
