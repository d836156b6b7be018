-- Issue 18, out of the box: sales hears when a client accepts a quote online (and whether ops
-- could confirm it) and when an invoice goes overdue; ADMIN, who keeps the books, hears of every
-- invoice, payment and overdue invoice. ADMIN may delete them.
INSERT INTO subscriptions (subscription_id, display_name, event_types, role, channel,
                           prep_underway_only, built_in, created_by_id, created_by_role)
VALUES
  ('builtin-sales-acceptances', 'Sales: quotes accepted online',
   '{EVENT_TYPE_QUOTE_ACCEPTED}', 'ROLE_SALES', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-sales-overdue', 'Sales: invoices overdue',
   '{EVENT_TYPE_INVOICE_OVERDUE}', 'ROLE_SALES', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-admin-money', 'ADMIN: invoices issued, payments and overdue invoices',
   '{EVENT_TYPE_INVOICE_ISSUED,EVENT_TYPE_PAYMENT_RECORDED,EVENT_TYPE_INVOICE_OVERDUE}',
   'ROLE_ADMIN', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE');
