-- The directory (issue 17 item 1): organisations with their contacts, and venues. Each record
-- is its proto (salesops.v1.Organisation / DirectoryVenue) with the columns listings filter
-- on; every revision is kept, so orders can later snapshot the one they were quoted against
-- and merged duplicates keep their history.

-- Ids people can say on the phone: org-1001, venue-1001, contact-1001. Contact ids come from
-- one sequence for every organisation, so an id is never reused, not even after its contact
-- was removed (orders will refer to it).
CREATE SEQUENCE organisation_numbers START 1001;
CREATE SEQUENCE venue_numbers START 1001;
CREATE SEQUENCE contact_numbers START 1001;

CREATE TABLE organisations (
  organisation_id text PRIMARY KEY,
  -- Listing order and page key: creation order.
  number          bigint NOT NULL UNIQUE,
  revision        bigint NOT NULL,
  name            text NOT NULL,
  -- Name, external id, tax id, contacts' names and emails, one per line: what search matches.
  search_text     text NOT NULL,
  body            bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organisation_revisions (
  organisation_id text NOT NULL REFERENCES organisations,
  revision        bigint NOT NULL,
  body            bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, revision)
);

CREATE TABLE venues (
  venue_id    text PRIMARY KEY,
  number      bigint NOT NULL UNIQUE,
  revision    bigint NOT NULL,
  name        text NOT NULL,
  -- Name and address (lines, locality, postal code), one per line.
  search_text text NOT NULL,
  body        bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE venue_revisions (
  venue_id   text NOT NULL REFERENCES venues,
  revision   bigint NOT NULL,
  body       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (venue_id, revision)
);
