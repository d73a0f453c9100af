-- A segment whose members do not say what it says now is due at the scheduler's next pass, not after its interval:
-- a change whose refresh failed (ClickHouse busy) kept the old definition's members for up to the interval (60
-- minutes by default, up to a week). `refreshed_version` is the definition's version the members come from (null:
-- never materialised). A refresh that fails counts in `failed_refreshes` and is not tried again before `retry_at`,
-- later after each failure in a row, so a segment that keeps failing does not ask ClickHouse at every pass. Both are
-- cleared by a refresh that succeeds, and by a new definition.
ALTER TABLE segments
  ADD COLUMN refreshed_version integer,
  ADD COLUMN failed_refreshes integer NOT NULL DEFAULT 0,
  ADD COLUMN retry_at timestamptz(3);
-- Members materialised before are taken to be of the current version unless the last refresh failed: those are due
-- at the first pass.
UPDATE segments SET refreshed_version = version WHERE refreshed_at IS NOT NULL AND last_error IS NULL;
