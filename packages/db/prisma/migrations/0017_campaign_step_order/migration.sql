-- A due campaign step waits for the earlier steps of its enrolment: the claim looks them up for every candidate,
-- which without this index reads the whole table per step (a broadcast has one step per member).
CREATE INDEX campaign_steps_enrolment_idx ON campaign_steps (enrolment_id, step_index);
