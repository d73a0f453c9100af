-- The ledger in partitions: each customer's transactions go to one of a fixed number of partitions, each
-- partition is applied strictly in stream order by one worker at a time, and the position a partition has
-- been applied up to is stored here in the same transaction as the batch it applied (exactly once, in
-- order, whatever the acknowledgement timing). Workers hold partitions by lease and share them fairly.

CREATE TABLE ledger_partitions (
  namespace    text NOT NULL,
  partition    integer NOT NULL,
  holder       text,
  lease_until  timestamptz(3),
  applied_seq  bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, partition)
);

-- Ledger workers alive in a namespace (a heartbeat each): how many share the partitions.
CREATE TABLE ledger_workers (
  namespace  text NOT NULL,
  worker     text NOT NULL,
  seen_at    timestamptz(3) NOT NULL,
  PRIMARY KEY (namespace, worker)
);

-- Refunds that arrived before the sale they refund: applied right after that sale, or rejected
-- (`refunded_sale_not_found`) at their deadline. Parked, they no longer hold up their partition.
CREATE TABLE parked_refunds (
  tenant_id       text NOT NULL,
  transaction_id  text NOT NULL,
  sale_id         text NOT NULL,
  message         jsonb NOT NULL,
  subject         text NOT NULL,
  parked_at       timestamptz(3) NOT NULL DEFAULT now(),
  deadline        timestamptz(3) NOT NULL,
  PRIMARY KEY (tenant_id, transaction_id)
);
CREATE INDEX parked_refunds_sale_id_idx ON parked_refunds (sale_id);
CREATE INDEX parked_refunds_deadline_idx ON parked_refunds (deadline);
