-- The refused-transactions list reads a tenant's rejections newest first, a page at a time; the primary key
-- (tenant, externalId, body) would make every page read and sort all of the tenant's rejections.
CREATE INDEX transaction_rejections_recent_idx
  ON transaction_rejections (tenant_id, rejected_at DESC, external_id DESC, body_hash DESC);
