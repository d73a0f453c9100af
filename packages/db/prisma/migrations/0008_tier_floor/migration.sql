-- An admin-assigned tier floor: the customer counts as holding at least `tier_floor` until `tier_floor_until`
-- (excluded). Both set or both empty. The tier-downgrade job finds the floors that ended by the partial index.
ALTER TABLE customer_loyalty
  ADD COLUMN tier_floor text,
  ADD COLUMN tier_floor_until timestamptz(3),
  ADD CONSTRAINT customer_loyalty_tier_floor_pair CHECK ((tier_floor IS NULL) = (tier_floor_until IS NULL));
CREATE INDEX customer_loyalty_floor_until_idx ON customer_loyalty (tenant_id, tier_floor_until)
  WHERE tier_floor_until IS NOT NULL;
