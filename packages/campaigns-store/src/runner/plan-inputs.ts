import { type ConsentChoice, type PlanCustomer, type PreviousSend, sendingStatuses } from "@regulars/campaigns";
import type { CampaignDefinition, ConsentChannel, FrequencyCap } from "@regulars/contracts";
import { type DbTx, Prisma, sqlArray } from "@regulars/db";
import { reachablePhoneSql } from "@regulars/ledger-store";
import { isDeliverableAddress } from "@regulars/messaging";

/** What planning one customer's occurrence needs from Postgres, loaded for a whole chunk at once. */
export interface PlanInputs {
  customer: PlanCustomer;
  history: { occurrence: string; at: Date }[];
  previousSends: PreviousSend[];
}

const HOUR_MS = 3_600_000;

/**
 * Loads the plan inputs of `customerIds` for one campaign in six statements, whatever the chunk's size: the
 * consents in force, where each channel can reach them, their membership of the campaign's segment, this
 * campaign's earlier occurrences (entered or held out; a refusal, or a skip of every step, received nothing) and
 * the messages the caps count. Customers of another tenant, erased ones and those merged into another (their row
 * stays, unreachable) are left out: nothing is planned for them.
 */
export async function loadPlanInputs(
  tx: DbTx,
  tenantId: string,
  campaignId: string,
  definition: CampaignDefinition,
  customerIds: readonly string[],
  now: Date,
  /** The customers were read from the audience itself (a broadcast's page): their membership is not asked again. */
  audienceKnown = false,
  tenantCaps: readonly FrequencyCap[] = [],
): Promise<Map<string, PlanInputs>> {
  // One literal for the chunk's ids, read by every statement below (see `sqlArray`).
  const ids = sqlArray(customerIds);
  const reach = await tx.$queryRaw<{ id: string; email: string | null; phone: string | null; push: boolean }[]>`
    SELECT c.id, c.email, ${reachablePhoneSql("c")} AS phone,
      EXISTS (SELECT 1 FROM customer_push_tokens t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id) AS push
    FROM customers c WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${ids}::text[]) AND c.erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = c.tenant_id AND m.merged_id = c.id)`;
  // The order of `consentInForceOrder` (customers-store): a time ahead of the recording ranks as the recording.
  const consents = await tx.$queryRaw<(ConsentChoice & { customer_id: string })[]>`
    SELECT DISTINCT ON (customer_id, channel, purpose) customer_id, channel, purpose, granted,
      occurred_at AS "occurredAt", recorded_at AS "recordedAt"
    FROM customer_consents WHERE tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[])
    ORDER BY customer_id, channel, purpose, least(occurred_at, recorded_at) DESC, recorded_at DESC, id DESC`;
  const segmentId = definition.audience.kind === "segment" && !audienceKnown ? definition.audience.segmentId : null;
  const members = segmentId
    ? await tx.$queryRaw<{ customer_id: string }[]>`
        SELECT customer_id FROM segment_members
        WHERE segment_id = ${segmentId} AND tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[])`
    : [];
  // A merge leaves the merged customer's enrolments under its old id: they are the survivor's too, or a once-only
  // campaign would reach the same person again.
  const history = await tx.$queryRaw<{ customer_id: string; occurrence: string; occurred_at: Date }[]>`
    ${personsOf(tenantId, ids)}
    SELECT p.person AS customer_id, e.occurrence, e.occurred_at FROM person p
    JOIN campaign_enrolments e ON e.campaign_id = ${campaignId} AND e.customer_id = p.customer_id
    WHERE e.outcome IN ('entered', 'control')`;
  const sends = await previousSendsOf(tx, tenantId, definition, tenantCaps, ids, now);

  const out = new Map<string, PlanInputs>();
  const memberSet = new Set(members.map((m) => m.customer_id));
  for (const r of reach) {
    out.set(r.id, {
      customer: {
        id: r.id,
        consents: [],
        // The queue's own rule: an address it would refuse (`no_address`) reaches no one, or the control group would
        // hold out customers whose treated twins end skipped.
        reachable: {
          email: isDeliverableAddress("email", r.email),
          sms: isDeliverableAddress("sms", r.phone),
          push: r.push,
        },
        // No customer zone is stored: delivery falls back to the location's (an event naming one), else the tenant's.
        zone: null,
        segmentIds: segmentId ? (memberSet.has(r.id) ? [segmentId] : []) : undefined,
      },
      history: [],
      previousSends: [],
    });
  }
  for (const c of consents) (out.get(c.customer_id)?.customer.consents as ConsentChoice[] | undefined)?.push(c);
  for (const h of history) out.get(h.customer_id)?.history.push({ occurrence: h.occurrence, at: h.occurred_at });
  for (const s of sends) out.get(s.customer_id)?.previousSends.push({ channel: s.channel, at: s.at, key: s.key });
  return out;
}

/**
 * `person`: each of `ids` and everyone merged into them, under the customer they became. One level of
 * customer_merges finds everyone: a merge re-points the merges into its merged customer at its survivor
 * (customers-store `mergeCustomer`), as ledger-store's qualifying `person` does.
 */
const personsOf = (tenantId: string, ids: string) => Prisma.sql`
  WITH person AS (
    SELECT id AS customer_id, id AS person FROM unnest(${ids}::text[]) AS id
    UNION ALL
    SELECT merged_id, into_id FROM customer_merges WHERE tenant_id = ${tenantId} AND into_id = ANY(${ids}::text[])
  )`;

/**
 * The sends caps count: messages queued or sent (not failed or cancelled) and message steps still pending, which
 * have no message yet but will, so two campaigns planned a second apart cannot both take the last slot. A queued
 * message or pending step counts only while its campaign's status lets it go out (`sendingStatuses`, the send
 * check's rule): a paused or archived campaign's would take a slot from a running one's for nothing. Only
 * within the widest cap's window of now; nothing at all when the campaign has no caps. A transactional message (a
 * till's one-time code) is not marketing and counts against no cap. A customer merged in sent to the same person.
 */
async function previousSendsOf(
  tx: DbTx,
  tenantId: string,
  definition: CampaignDefinition,
  tenantCaps: readonly FrequencyCap[],
  ids: string,
  now: Date,
): Promise<{ customer_id: string; channel: ConsentChannel; at: Date; key: string | undefined }[]> {
  const caps = [...definition.limits.frequencyCaps, ...tenantCaps];
  if (!caps.length || !definition.actions.some((a) => a.type === "send_message")) return [];
  const since = new Date(now.getTime() - Math.max(...caps.map((c) => c.windowHours)) * HOUR_MS);
  const running = [...sendingStatuses];
  const rows = await tx.$queryRaw<{ customer_id: string; channel: ConsentChannel; at: Date; key: string | null }[]>`
    ${personsOf(tenantId, ids)}
    SELECT p.person AS customer_id, m.channel, m.send_at AS at, m.step_key AS key FROM person p
    JOIN messages m ON m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
    LEFT JOIN campaigns c ON c.id = m.campaign_id
    WHERE m.send_at > ${since} AND m.status NOT IN ('failed', 'cancelled') AND NOT m.transactional
      AND (m.status <> 'queued' OR m.campaign_id IS NULL OR c.status = ANY(${running}::text[]))
    UNION ALL
    SELECT p.person, s.action->>'channel', s.run_at, s.key FROM person p
    JOIN campaign_steps s ON s.tenant_id = ${tenantId} AND s.customer_id = p.customer_id
    JOIN campaigns c ON c.id = s.campaign_id
    WHERE s.status = 'pending' AND s.action->>'type' = 'send_message' AND s.run_at > ${since}
      AND c.status = ANY(${running}::text[])`;
  return rows.map((r) => ({ ...r, key: r.key ?? undefined }));
}
