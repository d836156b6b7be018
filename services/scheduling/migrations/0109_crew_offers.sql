-- Offers to freelancers (issue 20): work in-house crew cannot cover is offered to freelancers,
-- one candidate at a time per place on a task; declines and expiries move on to the next.
CREATE TABLE crew_offers (
  offer_id        text PRIMARY KEY,
  task_id         text NOT NULL REFERENCES tasks ON DELETE CASCADE,
  order_id        text NOT NULL,
  place           integer NOT NULL,  -- which of the task's headcount places, from 0
  crew_member_id  text NOT NULL REFERENCES crew_members (crew_member_id),
  state           smallint NOT NULL,  -- OfferState
  -- The work offered, in minutes on the solver's axis; the same for every place of a task.
  start_minute    bigint NOT NULL,
  finish_minute   bigint NOT NULL,
  reply_by        timestamptz NOT NULL,
  rank            integer NOT NULL,
  body            bytea NOT NULL,  -- the CrewOffer as sent (fee, reason, kind, skill)
  decline_reason  text NOT NULL DEFAULT '',
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now()
);
-- A place is offered to one freelancer at a time, and taken by at most one.
CREATE UNIQUE INDEX crew_offers_open_place ON crew_offers (task_id, place) WHERE state IN (1, 2);
-- A freelancer is asked once per task (until the work is re-planned: withdrawn offers aside).
CREATE UNIQUE INDEX crew_offers_asked_once ON crew_offers (task_id, crew_member_id)
  WHERE state <> 5;
CREATE INDEX crew_offers_waiting ON crew_offers (reply_by) WHERE state = 1;
CREATE INDEX crew_offers_by_member ON crew_offers (crew_member_id, create_time);

-- A task whose places are all taken by accepted offers: kept where it is, like started work.
ALTER TABLE tasks ADD COLUMN crew_by_offer boolean NOT NULL DEFAULT false;
-- While offers wait for answers, what the task is waiting for ("offered to ben, reply by …"):
-- the task reads as at risk, CREW_PENDING, whatever the solver last wrote.
ALTER TABLE tasks ADD COLUMN offer_note text NOT NULL DEFAULT '';
