-- Every row carries its tenant: a campaign's saved definitions and a staff member's sessions held it only through
-- their parent row (`campaigns`, `staff_users`). Filled in from that row; the writers set it from now on.
ALTER TABLE campaign_versions ADD COLUMN tenant_id text;
UPDATE campaign_versions v SET tenant_id = c.tenant_id FROM campaigns c WHERE c.id = v.campaign_id;
ALTER TABLE campaign_versions ALTER COLUMN tenant_id SET NOT NULL;

ALTER TABLE staff_sessions ADD COLUMN tenant_id text;
UPDATE staff_sessions s SET tenant_id = u.tenant_id FROM staff_users u WHERE u.id = s.staff_id;
ALTER TABLE staff_sessions ALTER COLUMN tenant_id SET NOT NULL;
