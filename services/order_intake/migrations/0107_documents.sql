-- Documents (issue 18). The company profile heads every document: one row, replaced whole by
-- ADMIN (its revision is the etag). A document is rendered once per (order, kind, revision,
-- language) and kept with its SHA-256: asked for again, the same bytes come back, so what was
-- sent can always be shown as it was.
CREATE TABLE company_profile (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision   bigint NOT NULL,
  body       bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  order_id        text NOT NULL,
  kind            smallint NOT NULL,
  order_revision  bigint NOT NULL,
  language        smallint NOT NULL,
  sha256          text NOT NULL,
  pdf             bytea NOT NULL,
  created_by      text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, kind, order_revision, language)
);
