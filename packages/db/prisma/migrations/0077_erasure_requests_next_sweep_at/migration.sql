-- When the sweep of a finished erasure looks next for what arrived late about the customer (`finishErasures` in
-- @regulars/privacy). Looked at every pass for 8 days, erasures cost each pass a ClickHouse count apiece, and a
-- dormant clean-up's thousands held up the scheduler's other jobs. Now each is swept at the next pass after
-- ClickHouse's part is done, then 1 hour, 6 hours, 1 day, 3 days and 8 days after it, then never again.
-- Null: not swept since ClickHouse's part was done (due at the next pass) or, 8 days past it, no sweep left.
ALTER TABLE erasure_requests ADD COLUMN next_sweep_at timestamptz(3);

-- Erasures inside the 8 days were swept at every pass until now: each goes on with the step of the schedule ahead.
UPDATE erasure_requests SET next_sweep_at = clickhouse_done_at + (
  SELECT min(step) FROM unnest(ARRAY['1 hour', '6 hours', '1 day', '3 days', '8 days']::interval[]) AS step
  WHERE clickhouse_done_at + step > now())
WHERE clickhouse_done_at > now() - interval '8 days';

-- A pass reads the due ones by tenant: those with a time set, and those just finished (by when they finished). The
-- erasures past their sweeps, every one the tenant ever made, are in neither.
CREATE INDEX erasure_requests_sweep_due_idx ON erasure_requests (tenant_id, next_sweep_at)
  WHERE next_sweep_at IS NOT NULL;
CREATE INDEX erasure_requests_unswept_idx ON erasure_requests (tenant_id, clickhouse_done_at)
  WHERE next_sweep_at IS NULL AND clickhouse_done_at IS NOT NULL;
