-- `skipped`: an enrolment whose every step was skipped for a reason of its own (no consent, no address, capped), the
-- first step's in `reason`. Recorded with its steps, but neither announced nor counted as entered, so results do not
-- count the customer as reached or treated, and a later occurrence under `once` is not refused as already received.
-- The new check only widens the old one, which every row passed: NOT VALID skips scanning them; new rows are checked.
ALTER TABLE campaign_enrolments DROP CONSTRAINT campaign_enrolments_outcome_check;
ALTER TABLE campaign_enrolments ADD CONSTRAINT campaign_enrolments_outcome_check
  CHECK (outcome IN ('entered', 'control', 'refused', 'skipped')) NOT VALID;
