-- The one feed poller asks for the newest notification streams can see, four times a second
-- while any stream is open: an index makes that a single index probe, not a table scan.
CREATE INDEX notifications_by_writer ON notifications (writer_xid, notification_id);
