-- One row per customer: the attributes segments test that live in Postgres (tier, consents in force, which
-- contact fields are known, birthday, when the customer joined), written by the durable
-- customer-snapshot-writer from the customer's current state. Why the choices below:
-- * No names, e-mail addresses or phone numbers: flags (has_email, ...) and dates only. Birthday as month
--   and day (0 when unknown), enough for "birthday in N days", without the year.
-- * ReplacingMergeTree(version), ORDER BY (tenant_id, customer_id): a snapshot replaces the customer's
--   earlier ones; version is the snapshot's read time in Postgres (microseconds), so the latest state wins
--   whatever order inserts arrive in. Read with FINAL (one tenant's rows, one per customer after it).
-- * Segments use this table as their universe: a condition that holds without facts ("fewer than 2
--   orders") finds those customers here, so every customer with facts gets a row (their first sale too).
-- * consents: the granted channel:purpose pairs in force, e.g. ['push:marketing', 'email:profiling'].
-- * No partitions: a dimension table of modest size, rewritten in place by merges.

CREATE TABLE IF NOT EXISTS {db}.customers
(
    tenant_id          String,
    customer_id        String,
    tier               LowCardinality(String),
    consents           Array(LowCardinality(String)),
    has_email          Bool,
    has_phone          Bool,
    has_date_of_birth  Bool,
    birth_month        UInt8,
    birth_day          UInt8,
    registered_at      Nullable(DateTime64(3, 'UTC')),
    created_at         DateTime64(3, 'UTC'),
    version            UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, customer_id);
