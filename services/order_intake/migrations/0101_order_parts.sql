-- Notes and clarification threads in rows of their own, each stamped with the order's
-- revision it came in at: adding a note or a message writes that note or message, not
-- another copy of the whole order. orders.body and order_revisions.body no longer hold
-- them, and a revision whose only change is a note keeps no order_revisions row: the order
-- as it stood at revision N is the latest order_revisions row up to N plus the notes and
-- messages stamped up to N. A body written before this migration may still hold notes and
-- threads; they are read from it, and moved into these rows on the order's next write
-- (stamped with that write's revision).

CREATE TABLE order_notes (
  order_id   text NOT NULL REFERENCES orders,
  -- 0-based, in the order they were added.
  position   integer NOT NULL,
  note_id    text NOT NULL,
  revision   bigint NOT NULL,
  body       bytea NOT NULL,  -- salesops.v1.Note
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, position)
);

-- One row per thread: salesops.v1.Question without its messages (who asked, about what,
-- blocking, open or answered), rewritten when that changes.
CREATE TABLE order_questions (
  order_id    text NOT NULL REFERENCES orders,
  position    integer NOT NULL,
  question_id text NOT NULL,
  body        bytea NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, position)
);

-- Each question and answer of a thread, oldest first.
CREATE TABLE order_question_messages (
  order_id   text NOT NULL,
  position   integer NOT NULL,  -- the thread's
  sequence   integer NOT NULL,  -- 0-based within the thread
  revision   bigint NOT NULL,
  body       bytea NOT NULL,    -- salesops.v1.ClarificationMessage
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, position, sequence),
  FOREIGN KEY (order_id, position) REFERENCES order_questions
);
