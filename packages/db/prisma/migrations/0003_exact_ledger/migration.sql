-- Exact ledger: money and points are bigint (a chain's issued-points account passes 2^31 within its first
-- years), refunds name the sale line they refund, sales record what they produced (stamps, tier upgrade)
-- so a refund can take it back, and every accepted transaction ends processed or rejected with a reason.

ALTER TABLE products ALTER COLUMN price TYPE bigint;
ALTER TABLE transactions
  ALTER COLUMN total TYPE bigint,
  ALTER COLUMN discount_total TYPE bigint,
  ALTER COLUMN points_awarded TYPE bigint;
ALTER TABLE transaction_lines
  ALTER COLUMN unit_price TYPE bigint,
  ALTER COLUMN discount TYPE bigint,
  ALTER COLUMN amount TYPE bigint;
ALTER TABLE ledger_accounts ALTER COLUMN balance TYPE bigint;
ALTER TABLE ledger_movements ALTER COLUMN amount TYPE bigint;
ALTER TABLE ledger_entries ALTER COLUMN amount TYPE bigint;
ALTER TABLE point_lots ALTER COLUMN points TYPE bigint, ALTER COLUMN remaining TYPE bigint;
ALTER TABLE milestone_crossings ALTER COLUMN threshold TYPE bigint;

-- The sale line a refund line takes back (0-based position in the sale's lines), and the fingerprint of the
-- body as posted: a repeat of an externalId with a different body is an idempotency conflict.
ALTER TABLE transaction_lines ADD COLUMN refunds_line_no integer;
ALTER TABLE transactions ADD COLUMN body_hash text;
-- Sales: stamps added per card and a tier upgrade; refunds: what they took back of those.
ALTER TABLE transactions ADD COLUMN effects jsonb;

-- Accepted by the gateway (202) and not necessarily processed yet: what `GET /v1/transactions/{externalId}`
-- answers "accepted" from. Written in small batches after JetStream acknowledged the message.
CREATE TABLE transaction_receipts (
  tenant_id       text NOT NULL,
  external_id     text NOT NULL,
  transaction_id  text NOT NULL,
  body_hash       text NOT NULL,
  received_at     timestamptz(3) NOT NULL,
  PRIMARY KEY (tenant_id, external_id)
);
CREATE INDEX transaction_receipts_received_at_idx ON transaction_receipts (received_at);
CREATE INDEX transaction_receipts_transaction_id_idx ON transaction_receipts (transaction_id);

-- Transactions the ledger refused, with a machine-readable code and a message the integrator can read.
-- One row per body: a corrected repeat under the same externalId is itself a conflict, recorded too.
CREATE TABLE transaction_rejections (
  tenant_id    text NOT NULL,
  external_id  text NOT NULL,
  body_hash    text NOT NULL,
  code         text NOT NULL,
  message      text NOT NULL,
  rejected_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, external_id, body_hash)
);

-- Behavioural events whose action points were decided, so a redelivered event never pays twice even when
-- the customer's history has moved on ("first feedback 50, later ones 5").
CREATE TABLE applied_events (
  tenant_id   text NOT NULL,
  event_id    text NOT NULL,
  applied_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
