-- `last_run_at`: the broadcast run the scheduler last started (@regulars/campaigns-store, `runner/broadcasts.ts`).
-- A schedule saved after a run takes its next run on a later local date than that one (a daily 18:00 moved to 19:00
-- at 18:30 would otherwise send everyone the broadcast twice that day); a broadcast that ran and has no run left can
-- be resumed (its held steps still run); and a pass cut short knows its run already started, however late it comes
-- back. Broadcasts that ran before this column are given their latest run's instant, which their enrolments carry.
--
-- `resumed_at`: when the campaign last came back from a pause. An always-on campaign drops the `segment.entered`
-- events of its pause; a catch-up pass named by this instant enrols once whoever joined meanwhile.
ALTER TABLE campaigns ADD COLUMN last_run_at timestamptz(3), ADD COLUMN resumed_at timestamptz(3);

UPDATE campaigns c SET last_run_at = (
  SELECT max(e.occurred_at) FROM campaign_enrolments e
  WHERE e.campaign_id = c.id AND e.occurrence LIKE 'broadcast:%')
WHERE c.trigger_type = 'broadcast';
