-- Unknown coupon codes answered to each credential (an API key, or `staff:<id>` for a staff session), counted
-- so that one terminal cannot try codes until it finds a real one. One row per credential: `misses` counts the
-- unknown codes since `window_started_at`; once it reaches the limit, every quote or hold of that credential
-- carrying a code is refused until the window has passed. A miss after the window starts a new one, and rows
-- whose window passed are deleted as misses arrive (@regulars/checkout-store, `coupons/unknown-codes.ts`).
CREATE TABLE coupon_code_misses (
  tenant_id          text NOT NULL REFERENCES tenants(id),
  credential_id      text NOT NULL,
  window_started_at  timestamptz(3) NOT NULL,
  misses             integer NOT NULL,
  PRIMARY KEY (tenant_id, credential_id)
);
-- Ended windows are found by their start, so pruning reads no live row.
CREATE INDEX coupon_code_misses_window_idx ON coupon_code_misses (window_started_at);
