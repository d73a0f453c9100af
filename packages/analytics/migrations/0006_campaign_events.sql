-- Campaign results: who entered a campaign or was held out as its control group (`campaign.enrolled`), and
-- what became of each message (`message.sent`, `delivered`, `failed`, `opened`, `clicked`), as the campaign
-- runner and the message sender publish them on the domain stream.
-- Why the choices below:
-- * ReplacingMergeTree(ingested_at) and FINAL in every read, as for the other facts: the analytics writer acks
--   after the insert, so a crash in between redelivers the batch. The keys are built from the event alone, so
--   every copy of one event lands on the same key and collapses into one row.
-- * campaign_enrolments is keyed by the enrolment (one row per customer and trigger occurrence, which Postgres
--   already makes unique): reach and the control group are counts of distinct customers over these rows.
-- * message_events keeps one row per event, keyed (campaign, message, type, event id): a message sent on its
--   second attempt has two `message.sent` events, and results count distinct messages per type, not events.
--   Messages outside campaigns (a one-time code) have campaign_id ''.
-- * ORDER BY starts with (tenant_id, campaign_id): results read one campaign of one tenant. The bloom filter on
--   customer_id serves a customer's history and erasure.
-- * PARTITION BY toYYYYMM(occurred_at), as every fact table: the writer splits inserts by month.
-- * No names, addresses or texts: a failure keeps its code, not the provider's reason (which may quote the
--   address). Erasure re-keys customer_id to a pseudonym in both tables, so a campaign's figures stay.

CREATE TABLE IF NOT EXISTS {db}.campaign_enrolments
(
    tenant_id      String,
    campaign_id    String,
    enrolment_id   String,
    id             String,
    occurred_at    DateTime64(3, 'UTC'),
    customer_id    String,
    version        UInt32,
    occurrence     String,
    outcome        LowCardinality(String),
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX campaign_enrolments_customer_idx customer_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, campaign_id, enrolment_id);

CREATE TABLE IF NOT EXISTS {db}.message_events
(
    tenant_id      String,
    campaign_id    String,
    message_id     String,
    type           LowCardinality(String),
    id             String,
    occurred_at    DateTime64(3, 'UTC'),
    customer_id    String,
    channel        LowCardinality(String),
    provider       LowCardinality(String),
    attempt        UInt32,
    code           LowCardinality(String),
    url            String,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX message_events_customer_idx customer_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, campaign_id, message_id, type, id);
