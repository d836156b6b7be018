-- Money in and online acceptance (issue 18).
--
-- Invoice documents are kept like the others, one per invoice number: the key gains the number
-- ('' for the order documents).
ALTER TABLE documents ADD COLUMN invoice_number text NOT NULL DEFAULT '';
ALTER TABLE documents DROP CONSTRAINT documents_pkey;
ALTER TABLE documents ADD PRIMARY KEY (order_id, kind, order_revision, language, invoice_number);

-- Invoice plans, an organisation's or an order's; the body is the InvoicePlan.
CREATE TABLE invoice_plans (
  scope     text NOT NULL CHECK (scope IN ('organisation', 'order')),
  scope_id  text NOT NULL,
  revision  bigint NOT NULL,
  body      bytea NOT NULL,
  PRIMARY KEY (scope, scope_id)
);

-- The last number given out per series ("INV-2026"). Issuing takes the row's lock with the
-- increment and inserts the invoice in the same transaction: a rollback gives the number back,
-- so numbers have no gaps, and concurrent issuers queue on the row.
CREATE TABLE invoice_series (
  series       text PRIMARY KEY,
  last_number  bigint NOT NULL
);

-- Invoices and credit notes as issued; the body is the Invoice without what payments and credit
-- notes change (computed on read). A plan slot ("deposit", "instalment-2", "final") is filled
-- once per order.
CREATE TABLE invoices (
  invoice_number           text PRIMARY KEY,
  series                   text NOT NULL,
  number                   bigint NOT NULL,
  kind                     smallint NOT NULL,
  order_id                 text NOT NULL,
  organisation_id          text NOT NULL DEFAULT '',
  currency                 text NOT NULL,
  total_micros             bigint NOT NULL,
  plan_slot                text,
  credited_invoice_number  text REFERENCES invoices (invoice_number),
  issue_time               timestamptz NOT NULL,
  -- The invoice date (usually issue_time's day in the company's zone).
  issue_day                date NOT NULL,
  due_day                  date,
  overdue_notified         boolean NOT NULL DEFAULT false,
  issued_seq               bigserial NOT NULL UNIQUE,
  body                     bytea NOT NULL,
  UNIQUE (series, number),
  UNIQUE (order_id, plan_slot)
);
CREATE INDEX invoices_by_order ON invoices (order_id);
CREATE INDEX invoices_by_organisation ON invoices (organisation_id, issued_seq);
CREATE INDEX invoices_by_issue_time ON invoices (issue_time);
CREATE INDEX invoices_open_past_due ON invoices (due_day) WHERE NOT overdue_notified;

CREATE TABLE payments (
  payment_id      text PRIMARY KEY,
  invoice_number  text NOT NULL REFERENCES invoices (invoice_number),
  kind            smallint NOT NULL,
  amount_micros   bigint NOT NULL CHECK (amount_micros > 0),
  receive_time    timestamptz NOT NULL,
  recorded_seq    bigserial NOT NULL UNIQUE,
  body            bytea NOT NULL
);
CREATE INDEX payments_by_invoice ON payments (invoice_number, recorded_seq);
CREATE INDEX payments_by_receive_time ON payments (receive_time);

-- Quotes sent as signed links. The signature is never stored (it is recomputed from the key);
-- the body is the QuoteLink with the acceptance once there is one.
CREATE TABLE quote_links (
  link_id         text PRIMARY KEY,
  order_id        text NOT NULL,
  order_revision  bigint NOT NULL,
  expire_time     timestamptz NOT NULL,
  accepted        boolean NOT NULL DEFAULT false,
  -- Accepted, and the confirmation's outcome not yet recorded (its process may have died).
  outcome_pending boolean NOT NULL DEFAULT false,
  sent_seq        bigserial NOT NULL UNIQUE,
  body            bytea NOT NULL
);
CREATE INDEX quote_links_by_order ON quote_links (order_id, sent_seq);
CREATE INDEX quote_links_pending ON quote_links (sent_seq) WHERE outcome_pending;

-- What is left due on each invoice: its total less its credit notes and net payments. Overdue
-- listings and the overdue announcement read it, so the rule lives in one place.
CREATE VIEW invoice_balances AS
SELECT i.invoice_number,
       i.total_micros
         - coalesce((SELECT sum(-c.total_micros) FROM invoices c
                     WHERE c.credited_invoice_number = i.invoice_number), 0)
         - coalesce((SELECT sum(CASE WHEN p.kind = 2 THEN -p.amount_micros ELSE p.amount_micros END)
                     FROM payments p WHERE p.invoice_number = i.invoice_number), 0)
         AS due_micros
FROM invoices i;
