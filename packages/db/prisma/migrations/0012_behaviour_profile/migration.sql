-- The customer's behavioural profile (@regulars/customers-store, src/behaviour; definitions in
-- packages/profiles/README.md). Postgres keeps the facts, not running totals: windows (orders and value in the
-- last 7/30/90/365 days) are computed from these rows at read time, so they roll with the clock.

-- One row per processed transaction (sale or refund) of a customer, written by the `profile-writer` consumer
-- from `transaction.processed`. Keyed by the transaction, so a redelivered event changes nothing. A merge
-- repoints the merged customer's rows to the survivor. `value` is the transaction's total (≥ 0; a refund's is
-- subtracted when read). `tag_quantities`: per tag, Σ quantity of the lines carrying it.
CREATE TABLE profile_orders (
  tenant_id       text NOT NULL REFERENCES tenants(id),
  transaction_id  text NOT NULL,
  customer_id     text NOT NULL REFERENCES customers(id),
  kind            text NOT NULL CHECK (kind IN ('sale', 'refund')),
  occurred_at     timestamptz(3) NOT NULL,
  value           bigint NOT NULL CHECK (value >= 0),
  location_id     text NOT NULL,
  channel         text NOT NULL,
  daypart         text NOT NULL CHECK (daypart IN ('morning', 'lunch', 'afternoon', 'evening', 'night')),
  item_count      integer NOT NULL CHECK (item_count >= 0),
  tag_quantities  jsonb NOT NULL DEFAULT '{}',
  recorded_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, transaction_id)
);
CREATE INDEX profile_orders_customer_idx ON profile_orders (tenant_id, customer_id, occurred_at);

-- Each tenant's RFM quintile boundaries (20/40/60/80 % nearest-rank percentiles over its customers with an
-- order in the last 365 days), recomputed by the scheduled job `rfm-boundaries`. No row: never computed, or no
-- customer ordered in the last 365 days; profiles then show RFM measures without scores.
CREATE TABLE profile_rfm_boundaries (
  tenant_id    text PRIMARY KEY REFERENCES tenants(id),
  computed_at  timestamptz(3) NOT NULL,
  customers    integer NOT NULL,
  recency      integer[] NOT NULL CHECK (cardinality(recency) = 4),
  frequency    integer[] NOT NULL CHECK (cardinality(frequency) = 4),
  monetary     bigint[] NOT NULL CHECK (cardinality(monetary) = 4)
);
