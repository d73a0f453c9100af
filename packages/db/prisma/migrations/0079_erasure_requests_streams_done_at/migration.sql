-- When the erased customer's messages were deleted from the NATS streams (`eraseStreamMessages` in apps/workers): a
-- till's sale on the transactions stream names their phone or card, for a week after the ledger applied it, and a
-- dead letter for 30 days. Null: still to do, by the scheduled pass (erasures from the API and the CLI have no bus).
ALTER TABLE erasure_requests ADD COLUMN streams_done_at timestamptz(3);

-- Erasures older than the dead-letter stream's 30 days have nothing left on any stream.
UPDATE erasure_requests SET streams_done_at = postgres_done_at WHERE postgres_done_at < now() - interval '30 days';

CREATE INDEX erasure_requests_streams_pending_idx ON erasure_requests (tenant_id, postgres_done_at)
  WHERE streams_done_at IS NULL;
