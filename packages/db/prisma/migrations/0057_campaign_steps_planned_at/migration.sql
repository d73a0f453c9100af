-- The time a campaign step was planned for. `run_at` is when it is next looked at: a claim moves it past the claim's
-- timeout, a paused campaign's hold and a retry move it on, so after a pause over a points expiry a reminder planned
-- for before the date could no longer be told from a follow-up planned for after it, and went out stale. The runner
-- reads `planned_at` (`ClaimedStep.plannedAt`); null for steps planned before it was kept, which fall back to the
-- time they were due at their claim.
ALTER TABLE campaign_steps ADD COLUMN planned_at timestamptz(3);
-- Steps still to run keep the time they are due now: the closest this release can know for them.
UPDATE campaign_steps SET planned_at = run_at WHERE status = 'pending';
