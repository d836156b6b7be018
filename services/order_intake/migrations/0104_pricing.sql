-- The pricing configuration (issue 17 items 2-3): rate definitions per product, price lists,
-- tax rates and exchange rates. Each record is its proto (salesops.v1.ProductRate, PriceList,
-- TaxRate, ExchangeRate) with the columns lookups and locks need; quotes read all four tables in
-- one snapshot.

-- Ids people can say on the phone: pl-1001, tax-1001, fx-1001.
CREATE SEQUENCE pricelist_numbers START 1001;
CREATE SEQUENCE taxrate_numbers START 1001;
CREATE SEQUENCE exchangerate_numbers START 1001;

CREATE TABLE product_rates (
  product_code text PRIMARY KEY,
  revision     bigint NOT NULL,
  body         bytea NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pricelists (
  pricelist_id text PRIMARY KEY,
  -- Listing order and page key: creation order.
  number       bigint NOT NULL UNIQUE,
  -- Quote lines and organisations name a list by it.
  name         text NOT NULL UNIQUE,
  revision     bigint NOT NULL,
  body         bytea NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE taxrates (
  taxrate_id   text PRIMARY KEY,
  number       bigint NOT NULL UNIQUE,
  -- What a new rate is checked against: the rates of its class and jurisdiction.
  tax_class    integer NOT NULL,
  jurisdiction text NOT NULL,
  body         bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX taxrates_by_class ON taxrates (tax_class, jurisdiction);

CREATE TABLE exchangerates (
  exchangerate_id text PRIMARY KEY,
  number          bigint NOT NULL UNIQUE,
  from_currency   text NOT NULL,
  to_currency     text NOT NULL,
  body            bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exchangerates_by_pair ON exchangerates (from_currency, to_currency);

-- Every write and removal, who made it and what the record was afterwards (before, for a
-- removal): a quote priced last month can be explained from it.
CREATE TABLE pricing_changes (
  change_id  bigserial PRIMARY KEY,
  kind       text NOT NULL,      -- product_rate, pricelist, taxrate, exchangerate
  record_id  text NOT NULL,      -- the product code or the record's id
  action     text NOT NULL,      -- written, removed
  actor_id   text NOT NULL,
  body       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pricing_changes_by_record ON pricing_changes (kind, record_id);
