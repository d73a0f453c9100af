import { hash } from "node:crypto";
import {
  type CampaignTargeting,
  type PlannedStep,
  planActions,
  type SegmentUsesBehaviour,
  type SkipReason,
  segmentsUsingBehaviour,
  targetedSegmentIds,
} from "@regulars/campaigns";
import type { CampaignEnrolled, FrequencyCap } from "@regulars/contracts";
import { type Db, type DbTx, sqlArray } from "@regulars/db";
import { type OutboxItem, outboxBatch, writeOutbox } from "@regulars/ledger-store";
import type { RunnableCampaign } from "./active-campaigns.ts";
import { storedAction } from "./claim.ts";
import { loadPlanInputs } from "./plan-inputs.ts";
import { type NewStepRow, queueMessagesAtPlanning, type SettledStep } from "./queue-at-planning.ts";
import type { QueueCampaignMessages } from "./run-message-steps.ts";
import { settleSkippedEnrolments, settleSkippedEnrolmentsOf } from "./settle-skipped.ts";

/** One customer entering one trigger occurrence: the matcher's, the scan's or the broadcast run's. */
export interface OccurrenceEntry {
  customerId: string;
  occurrence: string;
  at: Date;
}

export interface EnrolResult {
  entered: number;
  control: number;
  refused: number;
  /** Enrolled with every step skipped (no consent, no address, capped): recorded, but nothing reached them. */
  skipped: number;
  /** `campaign.enrolled` events written in the caller's transaction, to publish after its commit. */
  outbox: OutboxItem[];
}

export interface EnrolInput {
  campaign: RunnableCampaign;
  zones: { tenant: string; location?: string | null | undefined };
  entries: readonly OccurrenceEntry[];
  now: Date;
  /**
   * Lock the customers first (default), so two campaigns planning one customer at once count each other's sends
   * against the caps. Audience runs leave it off: thousands of locks per chunk cost more than they save, and the
   * sender asks the caps again before anything goes out.
   */
  lockCustomers?: boolean;
  /** The entries' customers were read from the campaign's audience, so membership needs no second look. */
  audienceKnown?: boolean;
  /** The tenant's own caps, which hold for every campaign beside the campaign's. */
  tenantCaps?: readonly FrequencyCap[] | undefined;
  /** Queues the messages due now in this transaction (`queueMessagesAtPlanning`); without it the executor does. */
  queueDueMessages?: QueueCampaignMessages | undefined;
  /**
   * The chunk's `campaign.enrolled` events as one outbox row (`outboxBatch`) rather than a row each: audience runs,
   * which announce thousands per transaction. `outbox` then holds the batch; publishing expands it.
   */
  batchEvents?: boolean;
  /**
   * The chain depth of what these enrolments cause (`causeDepthAfter`): 1 (default) when a customer's act or the clock
   * started them, more when another campaign's doing did. Kept on the steps and told by `campaign.enrolled`.
   */
  causeDepth?: number;
  /**
   * The campaign whose doing started these enrolments chose the customers by behaviour (`causeChoseByBehaviour`): their
   * messages need profiling consent, and their steps say so (`profilingByCause`) for the checks after planning.
   */
  causeChoseByBehaviour?: boolean;
}

/** Reasons that refuse the whole occurrence rather than one message of it. */
const occurrenceReasons = new Set<SkipReason>([
  "campaign_inactive",
  "not_in_audience",
  "already_received",
  "too_soon",
  "control_group",
]);

/** Stable, so the outbox event made from it has a stable id too and a replay announces nothing new. */
export const enrolmentId = (campaignId: string, customerId: string, occurrence: string): string =>
  `enr_${hash("sha256", JSON.stringify([campaignId, customerId, occurrence]), "hex").slice(0, 32)}`;

type Outcome = "entered" | "control" | "refused" | "skipped";

/**
 * `skipped`: no step runs, each for a reason of its own (a push-only campaign to a customer without push consent).
 * Not `entered`, which results count as reached and treated, and which an occurrence under `once` finds in the
 * history: the customer who got nothing would be refused the campaign once they consent.
 */
function outcomeOf(steps: PlannedStep[]): { outcome: Outcome; reason: SkipReason | null } {
  const first = steps[0]?.reason ?? null;
  const whole = first !== null && occurrenceReasons.has(first) && steps.every((s) => s.reason === first);
  if (whole)
    return first === "control_group" ? { outcome: "control", reason: first } : { outcome: "refused", reason: first };
  if (steps.length && steps.every((s) => s.status === "skipped")) return { outcome: "skipped", reason: first };
  return { outcome: "entered", reason: null };
}

/**
 * Enrols a chunk of occurrences of one campaign in the caller's transaction: the customers are locked (an advisory
 * lock each, in one order, unless `lockCustomers` is false),
 * what was enrolled before is passed over, the rest is planned in memory with `planActions` from inputs loaded
 * for the whole chunk, and enrolments, steps and `campaign.enrolled` events are inserted set-based. The unique
 * (campaign, customer, occurrence) makes a redelivery, a crash or a second instance plan nothing new.
 */
export async function enrolOccurrences(tx: DbTx, input: EnrolInput): Promise<EnrolResult> {
  const { campaign, now } = input;
  const result: EnrolResult = { entered: 0, control: 0, refused: 0, skipped: 0, outbox: [] };
  const unique = new Map(input.entries.map((e) => [`${e.customerId}\n${e.occurrence}`, e]));
  if (!unique.size) return result;
  const customerIds = [...new Set([...unique.values()].map((e) => e.customerId))].sort();
  if (input.lockCustomers ?? true)
    await tx.$queryRaw`
      SELECT count(pg_advisory_xact_lock(k)) FROM (
        SELECT hashtextextended('campaign-customer:' || id, 0) AS k FROM unnest(${sqlArray(customerIds)}::text[]) AS id ORDER BY 1
      ) keys`;
  // By (campaign, customer) first, the unique index's order, whatever the statistics say after a big run's inserts.
  // Occurrences of an old form are read as their current name, or a rescan after the change enrolled again whoever was
  // enrolled then: a birthday was once named by the scan's local date (`birthday:2026-12-09`), now by its year
  // (`birthday:2026`); a stretch of inactivity by the campaign's days too (`inactive:30:<last activity>`), now by the
  // last activity alone (`inactive:<last activity>`).
  const occurrences = sqlArray([...new Set([...unique.values()].map((e) => e.occurrence))]);
  const already = await tx.$queryRaw<{ customer_id: string; occurrence: string }[]>`
    SELECT customer_id, occurrence FROM (
      SELECT customer_id,
        CASE
          WHEN occurrence ~ '^birthday:[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN left(occurrence, 13)
          WHEN occurrence ~ '^inactive:[0-9]+:' THEN regexp_replace(occurrence, '^inactive:[0-9]+:', 'inactive:')
          ELSE occurrence
        END AS occurrence
      FROM campaign_enrolments
      WHERE campaign_id = ${campaign.id} AND customer_id = ANY(${sqlArray(customerIds)}::text[])
    ) named
    WHERE occurrence = ANY(${occurrences}::text[])`;
  for (const a of already) unique.delete(`${a.customer_id}\n${a.occurrence}`);
  if (!unique.size) return result;
  // Written to the outbox already: kept out of `result.outbox` until it is written, or a batch row would repeat them.
  const corrected = await settleSkippedEnrolmentsOf(tx, campaign.id, customerIds);

  const inputs = await loadPlanInputs(
    tx,
    campaign.tenantId,
    campaign.id,
    campaign.definition,
    customerIds,
    now,
    input.audienceKnown,
    input.tenantCaps,
  );
  const segmentUsesBehaviour = await segmentsProfilingOf(tx, campaign.tenantId, campaign.definition);
  const enrolments: { id: string; entry: OccurrenceEntry; outcome: Outcome; reason: string | null }[] = [];
  const steps = new Map<string, PlannedStep[]>();
  for (const entry of unique.values()) {
    const plan = inputs.get(entry.customerId);
    if (!plan) continue;
    const planned = planActions(campaign, plan.customer, {
      occurrence: { key: entry.occurrence, at: entry.at },
      now,
      zones: input.zones,
      previousSends: plan.previousSends,
      history: plan.history,
      tenantCaps: input.tenantCaps,
      segmentUsesBehaviour,
      causeChoseByBehaviour: input.causeChoseByBehaviour,
    });
    const { outcome, reason } = outcomeOf(planned);
    const id = enrolmentId(campaign.id, entry.customerId, entry.occurrence);
    enrolments.push({ id, entry, outcome, reason });
    if (outcome === "refused") continue;
    // Its skipped steps are kept, each with its reason; no history: a later occurrence sees nothing received.
    steps.set(id, planned);
    if (outcome === "skipped") continue;
    // A second occurrence of the same customer in this chunk sees this one, as it would in a later chunk.
    plan.history.push({ occurrence: entry.occurrence, at: entry.at });
    if (outcome === "entered")
      for (const s of planned)
        if (s.action.type === "send_message" && s.status === "run")
          plan.previousSends.push({ channel: s.action.channel, at: s.runAt, key: s.key });
  }
  if (!enrolments.length) return { ...result, outbox: corrected };

  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO campaign_enrolments (id, tenant_id, campaign_id, version, customer_id, occurrence, occurred_at, outcome, reason)
    SELECT id, ${campaign.tenantId}, ${campaign.id}, ${campaign.version}, customer_id, occurrence, occurred_at, outcome, reason
    FROM unnest(${sqlArray(enrolments.map((e) => e.id))}::text[], ${sqlArray(enrolments.map((e) => e.entry.customerId))}::text[],
      ${sqlArray(enrolments.map((e) => e.entry.occurrence))}::text[], ${sqlArray(enrolments.map((e) => e.entry.at))}::timestamptz[],
      ${sqlArray(enrolments.map((e) => e.outcome))}::text[], ${sqlArray(enrolments.map((e) => e.reason))}::text[])
      AS e(id, customer_id, occurrence, occurred_at, outcome, reason)
    ON CONFLICT (campaign_id, customer_id, occurrence) DO NOTHING
    RETURNING id`;
  const fresh = new Set(inserted.map((r) => r.id));
  const rows: NewStepRow[] = [];
  for (const e of enrolments) {
    if (!fresh.has(e.id)) continue;
    if (e.outcome === "refused") {
      result.refused++;
      continue;
    }
    for (const step of steps.get(e.id) ?? [])
      rows.push({ key: step.key, enrolment: e.id, customer: e.entry.customerId, step });
    // Announced as neither entered nor control: results would count the customer as reached and treated.
    if (e.outcome === "skipped") {
      result.skipped++;
      continue;
    }
    if (e.outcome === "entered") result.entered++;
    else result.control++;
    const event: CampaignEnrolled = {
      type: "campaign.enrolled",
      id: `campaign-enrolled:${e.id}`,
      tenantId: campaign.tenantId,
      customerId: e.entry.customerId,
      occurredAt: e.entry.at.toISOString(),
      campaignId: campaign.id,
      version: campaign.version,
      enrolmentId: e.id,
      occurrence: e.entry.occurrence,
      outcome: e.outcome,
      ...(input.causeDepth !== undefined && input.causeDepth > 1 ? { causeDepth: input.causeDepth } : {}),
    };
    result.outbox.push({ id: event.id, tenantId: event.tenantId, type: event.type, payload: event });
  }
  const settled = input.queueDueMessages
    ? await queueMessagesAtPlanning(tx, campaign, rows, now, input.queueDueMessages)
    : new Map<string, SettledStep>();
  if (rows.length)
    await insertSteps(tx, campaign, rows, settled, now, {
      causeDepth: input.causeDepth,
      profilingByCause: input.causeChoseByBehaviour ?? false,
    });
  if (input.batchEvents) result.outbox = outboxBatch(result.outbox);
  await writeOutbox(tx, result.outbox);
  // A message refused as it was queued (an address that is none) ends its enrolment as the step executor would: settled
  // `skipped` and announced so after its `entered`, or results would count a customer nothing reached as treated.
  const refusedAtQueueing = rows.filter((r) => settled.get(r.key)?.status === "skipped").map((r) => r.enrolment);
  const unreached = await settleSkippedEnrolments(tx, refusedAtQueueing);
  result.entered -= unreached.length;
  result.skipped += unreached.length;
  return { ...result, outbox: [...corrected, ...result.outbox, ...unreached] };
}

/**
 * Whether the segments a campaign names read behaviour, by their definitions as saved now: planning's answer to
 * whether its messages need profiling consent (`requiredPurposes`). The tenant's own segments only.
 */
export async function segmentsProfilingOf(
  db: Db | DbTx,
  tenantId: string,
  targeting: CampaignTargeting,
): Promise<SegmentUsesBehaviour> {
  const ids = targetedSegmentIds(targeting);
  if (!ids.length) return segmentsUsingBehaviour([]);
  const saved = await db.$queryRaw<{ id: string; kind: string; definition: unknown }[]>`
    SELECT id, kind, definition FROM segments WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::text[])`;
  return segmentsUsingBehaviour(saved);
}

/**
 * Only steps of enrolments this transaction inserted: their keys name the enrolment's (campaign, customer,
 * occurrence), which were unique a moment ago, so no such step exists and a plain insert (no conflict check) does.
 * A step settled while planned goes in done (or skipped) at once. `planned_at` keeps the time it was planned for,
 * which claims, holds and retries never move (`run_at` is when it is next looked at).
 */
async function insertSteps(
  tx: DbTx,
  campaign: RunnableCampaign,
  rows: NewStepRow[],
  settled: ReadonlyMap<string, SettledStep>,
  now: Date,
  cause: { causeDepth: number | undefined; profilingByCause: boolean },
): Promise<void> {
  const stored = (r: NewStepRow) =>
    JSON.stringify(storedAction(r.step.action, r.step.zone, cause.causeDepth, cause.profilingByCause));
  const statusOf = (r: NewStepRow) => settled.get(r.key)?.status ?? (r.step.status === "run" ? "pending" : "skipped");
  const resultOf = (r: NewStepRow) => {
    const done = settled.get(r.key);
    if (done) return done.result;
    return r.step.notes.length ? JSON.stringify({ notes: r.step.notes }) : null;
  };
  await tx.$executeRaw`
    INSERT INTO campaign_steps (key, tenant_id, campaign_id, enrolment_id, customer_id, step_index, action, run_at, planned_at,
      status, reason, result, done_at)
    SELECT key, ${campaign.tenantId}, ${campaign.id}, enrolment_id, customer_id, step_index, action::jsonb, run_at, run_at,
      status, reason, result::jsonb, done_at
    FROM unnest(${sqlArray(rows.map((r) => r.key))}::text[], ${sqlArray(rows.map((r) => r.enrolment))}::text[], ${sqlArray(rows.map((r) => r.customer))}::text[],
      ${sqlArray(rows.map((r) => r.step.index))}::int[], ${sqlArray(rows.map(stored))}::text[],
      ${sqlArray(rows.map((r) => r.step.runAt))}::timestamptz[], ${sqlArray(rows.map(statusOf))}::text[],
      ${sqlArray(rows.map((r) => (settled.has(r.key) ? settled.get(r.key)!.reason : r.step.reason)))}::text[],
      ${sqlArray(rows.map(resultOf))}::text[], ${sqlArray(rows.map((r) => (settled.has(r.key) ? now : null)))}::timestamptz[])
      AS s(key, enrolment_id, customer_id, step_index, action, run_at, status, reason, result, done_at)`;
}
