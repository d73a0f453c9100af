-- When the ledger recorded a milestone's upward crossing, kept apart from `changed_at`, which closing the crossing
-- (the balance fell back below) moves: a campaign judges a late-read `points.milestone` by this moment, and the close
-- made an old crossing look new. Each crossing is its own row, so a re-crossing gets its own `crossed_at` and the
-- event of an older crossing keeps its own time. Set on insert (the default); nothing updates it.
ALTER TABLE milestone_crossings ADD COLUMN crossed_at timestamptz(3);

-- A crossing still above was never closed: `changed_at` is still the time it was recorded.
UPDATE milestone_crossings SET crossed_at = changed_at WHERE above;

-- A closed crossing lost its time to the close. The best lower bound known: it opened after the customer existed and
-- after the same milestone's previous crossing closed (a rise is a new crossing only once the last one fell back).
-- Erring early keeps an old crossing from enrolling a campaign that started after it; the cost is that a crossing
-- closed before this migration, made after a campaign started but read by that campaign only now, is taken as
-- earlier and does not enrol. Capped at the close, which it cannot postdate.
UPDATE milestone_crossings mc
SET crossed_at = LEAST(mc.changed_at, GREATEST(c.created_at, (
  SELECT max(p.changed_at) FROM milestone_crossings p
  WHERE p.customer_id = mc.customer_id AND p.threshold = mc.threshold AND p.crossing < mc.crossing
)))
FROM customers c
WHERE c.id = mc.customer_id AND NOT mc.above;

ALTER TABLE milestone_crossings ALTER COLUMN crossed_at SET DEFAULT now();
ALTER TABLE milestone_crossings ALTER COLUMN crossed_at SET NOT NULL;
