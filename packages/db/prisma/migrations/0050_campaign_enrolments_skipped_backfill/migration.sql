-- Enrolments recorded `entered` of which no step ran, each skipped for a reason of the customer's own (no consent,
-- no address, capped): at planning before 0049 drew the line, or later, when the step was run or its message was
-- cancelled by the sender's check (@regulars/campaigns-store, `runner/settle-skipped.ts`, the rule kept from now on).
-- They reached no one, so they become `skipped` with the first step's reason: a later occurrence under `once` is no
-- longer refused for them. A step still pending, done otherwise, failed or cancelled with its campaign keeps its
-- enrolment entered.
-- Their `campaign.enrolled` events said `entered`, and ClickHouse's results still count them reached: each settled
-- enrolment is announced again through the outbox, as the runner does from now on (`skippedEvent`), with outcome
-- `skipped`, the enrolment's own time (its row's partition) and an id of its own, so the relay publishes it and the
-- analytics writer stores the correction that results leave the enrolment out for. One statement: the outbox rows
-- exist exactly when the enrolments changed.
WITH steps AS (
  SELECT s.enrolment_id, s.step_index,
    CASE WHEN s.status = 'skipped' THEN s.reason ELSE m.failure_code END AS reason,
    coalesce(
      (s.status = 'skipped' AND s.reason IN ('no_consent', 'no_profiling_consent', 'no_address', 'capped'))
        OR (s.status = 'done' AND m.status = 'cancelled'
          AND m.failure_code IN ('no_consent', 'no_profiling_consent', 'no_address', 'capped')),
      false) AS unrun
  FROM campaign_steps s LEFT JOIN messages m ON m.step_key = s.key
), unreached AS (
  SELECT enrolment_id, (array_agg(reason ORDER BY step_index))[1] AS reason
  FROM steps GROUP BY enrolment_id HAVING bool_and(unrun)
), settled AS (
  UPDATE campaign_enrolments e SET outcome = 'skipped', reason = u.reason
  FROM unreached u
  WHERE e.id = u.enrolment_id AND e.outcome = 'entered'
  RETURNING e.id, e.tenant_id, e.campaign_id, e.version, e.customer_id, e.occurrence, e.occurred_at
)
INSERT INTO outbox_events (id, tenant_id, type, payload)
SELECT 'campaign-enrolled:' || id || ':skipped', tenant_id, 'campaign.enrolled',
  jsonb_build_object(
    'type', 'campaign.enrolled',
    'id', 'campaign-enrolled:' || id || ':skipped',
    'tenantId', tenant_id,
    'customerId', customer_id,
    -- As JavaScript's toISOString writes it: UTC, milliseconds, Z.
    'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'campaignId', campaign_id,
    'version', version,
    'enrolmentId', id,
    'occurrence', occurrence,
    'outcome', 'skipped')
FROM settled
ON CONFLICT (id) DO NOTHING;
