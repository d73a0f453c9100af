-- Privacy (@regulars/privacy): erasure of a customer's personal data, its progress, and retention settings.

-- When the customer's personal data was erased. The row stays (the ledger's accounts, movements and lots
-- keep pointing at the id, so the tenant's totals do not change), but its name, e-mail, phone, card number
-- and date of birth are cleared.
ALTER TABLE customers ADD COLUMN erased_at timestamptz(3);

-- One erasure per customer and its progress. Postgres is erased in the request's own transaction; ClickHouse
-- cannot take part in it, so `clickhouse_done_at` stays null until a retry or the scheduled job
-- `finish-erasures` has deleted the customer's behavioural events and re-keyed their facts. `pseudonym` is
-- the random id their facts are re-keyed to: it is kept only while that step is unfinished (a retry must
-- reuse it, or the facts would be counted twice) and cleared as it finishes, so nothing links it to the
-- customer afterwards. No personal data is kept here.
CREATE TABLE erasure_requests (
  id                  text PRIMARY KEY,
  tenant_id           text NOT NULL REFERENCES tenants(id),
  customer_id         text NOT NULL UNIQUE REFERENCES customers(id),
  requested_by        text NOT NULL,
  reason              text NOT NULL,
  requested_at        timestamptz(3) NOT NULL,
  postgres_done_at    timestamptz(3) NOT NULL,
  pseudonym           text,
  clickhouse_done_at  timestamptz(3),
  attempts            integer NOT NULL DEFAULT 0,
  last_error          text
);
CREATE INDEX erasure_requests_pending_idx ON erasure_requests (tenant_id) WHERE clickhouse_done_at IS NULL;

-- How long a tenant keeps what it does not need for its accounting. A tenant without a row has the defaults
-- (see @regulars/privacy); null in a column means "kept" (events, messages) or "off" (inactive erasure).
CREATE TABLE retention_settings (
  tenant_id               text PRIMARY KEY REFERENCES tenants(id),
  events_months           integer CHECK (events_months BETWEEN 1 AND 120),
  dev_messages_days       integer CHECK (dev_messages_days BETWEEN 1 AND 3650),
  erase_inactive_months   integer CHECK (erase_inactive_months BETWEEN 6 AND 240),
  updated_by              text NOT NULL,
  updated_at              timestamptz(3) NOT NULL DEFAULT now()
);
