-- Issue 20: events addressed to people (Event.recipient_person_ids), such as scheduling's offers
-- to a freelancer.

-- A WEBHOOK may now name a person: it forwards only the events addressed to them (a freelancer's
-- own phone or chat bridge). INBOX and STREAM still need a person or a role; SERVICE names
-- neither, and no delivery channel names a role. `subscriptions_check` is the name PostgreSQL
-- gave the unnamed table CHECK of 0100 over channel, role and person_id.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_addressee CHECK (
  CASE channel
    WHEN 'INBOX' THEN role IS NOT NULL OR person_id IS NOT NULL
    WHEN 'STREAM' THEN role IS NOT NULL OR person_id IS NOT NULL
    WHEN 'WEBHOOK' THEN role IS NULL
    ELSE role IS NULL AND person_id IS NULL
  END);

-- A person the event is addressed to gets it in their inbox even when no subscription of theirs
-- matched: that notification has no subscription. Only such person inbox rows go without one.
-- NOT VALID: every row written before this has a subscription, so the check holds for them and
-- a large table is not scanned under this lock.
ALTER TABLE notifications ALTER COLUMN subscription_id DROP NOT NULL;
ALTER TABLE notifications ADD CONSTRAINT notifications_addressed_by_event
  CHECK (subscription_id IS NOT NULL OR (recipient_kind = 'person' AND channel = 'INBOX'))
  NOT VALID;
