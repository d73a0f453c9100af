-- One row per crossing of a customer's qualifying value (what their tier rests on: points earned, spend or orders)
-- into a band `within` below a tier's threshold ("Only 20 points to gold"), as `milestone_crossings` is for balances:
-- each crossing is announced once (`tier.gap`), closed (`open` false) when the value falls back below the band, and the
-- next rise is a crossing of its own. Only the bands campaigns with a `tier_gap` trigger ask for are tracked.
CREATE TABLE tier_gap_crossings (
  customer_id  text NOT NULL REFERENCES customers(id),
  tier_id      text NOT NULL,
  within       bigint NOT NULL,
  crossing     integer NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  open         boolean NOT NULL,
  -- When the ledger recorded the crossing; a close moves `changed_at` alone (as migration 0061 for milestones).
  crossed_at   timestamptz(3) NOT NULL DEFAULT now(),
  changed_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, tier_id, within, crossing)
);
