-- The language a tenant's customers are written to when nothing says theirs: the one-time code at the till, and
-- a campaign template's variant for a customer whose profile names no language the template has. Tenants made
-- before it keep English, what they were sent until now.
ALTER TABLE tenants ADD COLUMN language text NOT NULL DEFAULT 'en';
