-- Behavioural facts for analysts and segment builders. Why the choices below:
-- * ReplacingMergeTree(ingested_at), deduplicating on the ORDER BY key: the stream consumer redelivers
--   batches after crashes, so the same fact can arrive twice; identical keys collapse on merge, and every
--   read uses FINAL so a duplicate is never counted before that merge happens. A newer delivery wins.
-- * ORDER BY (tenant_id, customer_id, occurred_at, id): every query is per tenant and segment builders
--   read one customer's history in time order; the fact id last makes the key unique per fact.
--   The key of a redelivered fact is unchanged because all its parts come from the fact itself.
-- * PARTITION BY toYYYYMM(occurred_at): few, large partitions at our volumes and cheap retention by
--   DROP PARTITION. Dedup works only inside a partition, which holds since occurred_at is in the key.
-- * DateTime64(3, 'UTC'): POS clocks send milliseconds; storing UTC means no analyst guesses a zone.
-- * Int64 for money (minor units) and points: exact integers, no float rounding, room for any total.
-- * customer_id String with '' for anonymous, not Nullable: Nullable is refused in sorting keys and
--   costs a null map; the same convention is used for the other optional strings.
-- * LowCardinality for small vocabularies (type, channel, currency, location, category, tags).
-- * events.properties as JSON text (String): free-form per event type, read with JSONExtract*, and it
--   works on every server version (the native JSON type is recent and still changing).
-- * Bloom filter skip indexes on ids: lookups by transaction id do not follow the sorting key.
-- * IF NOT EXISTS: ClickHouse DDL is not transactional, so a half-applied migration must be safe to rerun.

CREATE TABLE IF NOT EXISTS {db}.transactions
(
    tenant_id      String,
    id             String,
    external_id    String,
    type           LowCardinality(String),
    refund_of      String,
    occurred_at    DateTime64(3, 'UTC'),
    location_id    LowCardinality(String),
    channel        LowCardinality(String),
    customer_id    String,
    currency       LowCardinality(String),
    total          Int64,
    discount_total Int64,
    points         Int64,
    line_count     UInt32,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX transactions_id_idx id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, customer_id, occurred_at, id);

CREATE TABLE IF NOT EXISTS {db}.transaction_lines
(
    tenant_id      String,
    transaction_id String,
    line_no        UInt32,
    type           LowCardinality(String),
    occurred_at    DateTime64(3, 'UTC'),
    location_id    LowCardinality(String),
    customer_id    String,
    sku            String,
    name           String,
    category       LowCardinality(String),
    tags           Array(LowCardinality(String)),
    quantity       Int64,
    unit_price     Int64,
    discount       Int64,
    amount         Int64,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX transaction_lines_transaction_id_idx transaction_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, customer_id, occurred_at, transaction_id, line_no);

CREATE TABLE IF NOT EXISTS {db}.events
(
    tenant_id   String,
    id          String,
    type        LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    customer_id String,
    location_id LowCardinality(String),
    channel     LowCardinality(String),
    properties  String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, customer_id, occurred_at, id);
