import { PROFILING_BY_CAUSE } from "@regulars/campaigns";
import { CampaignAction, type CampaignDelivery, type CampaignStatus } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { z } from "zod";
import { type AgainstCurrentVersion, againstCurrentVersion, currentVersionsOf } from "./current-version.ts";

/** A due step taken by one executor until `claimMs` after its claim. */
export interface ClaimedStep {
  key: string;
  tenantId: string;
  campaignId: string;
  enrolmentId: string;
  customerId: string;
  /** The enrolment's trigger occurrence: a points-expiring one names the expiry, checked again when the step runs. */
  occurrence: string;
  stepIndex: number;
  /**
   * What the step does: the campaign's current version's action at its position (`againstCurrentVersion`), so an
   * edit saved after planning reaches it; the action as planned when `currentVersion` is not `kept`.
   */
  action: CampaignAction;
  currentVersion: AgainstCurrentVersion;
  /** The zone a message was timed in at planning (`storedAction`); null for other steps and steps planned before. */
  deliveryZone: string | null;
  /**
   * When the campaign's messages go, as its current version says (null when unreadable): a local-time message run
   * well after its time goes at the next such time (`lateSendAt`).
   */
  delivery: Pick<CampaignDelivery, "timing" | "quietHours"> | null;
  /** When it was due before the claim moved it: a message's send time, unless it runs late (`delivery`). */
  dueAt: Date;
  /**
   * When it was planned for, which no claim, hold or retry moves (`dueAt` is later after a pause): what the expiry
   * check measures against the expiry a reminder announces.
   */
  plannedAt: Date;
  /** Claims so far, this one included. */
  attempts: number;
  campaignStatus: CampaignStatus;
}

interface ClaimedRow {
  key: string;
  tenant_id: string;
  campaign_id: string;
  enrolment_id: string;
  customer_id: string;
  occurrence: string | null;
  step_index: number;
  action: unknown;
  due_at: Date;
  planned_at: Date;
  attempts: number;
  campaign_status: string;
}

/**
 * A step's action as `campaign_steps.action` keeps it: a message's with the zone planning timed it in beside the
 * definition's fields, for the message it queues (the send check reads quiet hours on that clock again); and, past a
 * customer's own act, the chain depth of what the step causes (`causeDepthOf` reads it back; absent: 1), and whether
 * that act's campaign chose the customer by behaviour (`causeChoseByBehaviour`: the next follow-up in the chain, and
 * the check before sending, ask for profiling consent again from it).
 */
export const storedAction = (
  action: CampaignAction,
  zone: string,
  causeDepth = 1,
  profilingByCause = false,
): CampaignAction & { deliveryZone?: string; causeDepth?: number; profilingByCause?: true } => ({
  ...action,
  ...(action.type === "send_message" ? { deliveryZone: zone } : {}),
  ...(causeDepth > 1 ? { causeDepth } : {}),
  ...(profilingByCause ? { [PROFILING_BY_CAUSE]: true as const } : {}),
});

const StoredZone = z.object({ deliveryZone: z.string().min(1).nullish() });

/** The definition's action (a strict schema) and the zone stored beside it; the cause's marks are the trigger worker's. */
function readStoredAction(stored: unknown): { action: CampaignAction; deliveryZone: string | null } {
  const {
    deliveryZone,
    causeDepth: _depth,
    profilingByCause: _profiling,
    ...action
  } = (stored ?? {}) as Record<string, unknown>;
  return {
    action: CampaignAction.parse(action),
    // A malformed zone costs the message its planned clock (the tenant's is used), not the step its run.
    deliveryZone: StoredZone.safeParse({ deliveryZone }).data?.deliveryZone ?? null,
  };
}

/**
 * Claims up to `limit` due pending steps. `FOR UPDATE SKIP LOCKED` and moving `run_at` past the claim's timeout in
 * the same statement mean two executors never take the same step at once; an executor that dies leaves the step to
 * be taken again when the claim runs out, and the step's key keeps whatever it did from happening twice. A step
 * waits while an earlier step of its enrolment is pending, so steps due at the same instant still run in order.
 * The campaigns' current versions are read once for the claim, after it: a step acts on the version in force when it
 * runs, with the time it was planned for.
 */
export async function claimDueSteps(
  db: Db,
  opts: { now: Date; limit: number; claimMs: number; tenantIds?: readonly string[] | undefined },
): Promise<ClaimedStep[]> {
  const until = new Date(opts.now.getTime() + opts.claimMs);
  const tenants = opts.tenantIds ? [...opts.tenantIds] : null;
  const rows = await db.$queryRaw<ClaimedRow[]>`
    WITH due AS (
      SELECT s.key, s.run_at FROM campaign_steps s
      WHERE s.status = 'pending' AND s.run_at <= ${opts.now}
        AND (${tenants}::text[] IS NULL OR s.tenant_id = ANY(${tenants}::text[]))
        -- In order within an enrolment: the message waits for the coupon it shows.
        AND NOT EXISTS (SELECT 1 FROM campaign_steps p
          WHERE p.enrolment_id = s.enrolment_id AND p.step_index < s.step_index AND p.status = 'pending')
      ORDER BY s.run_at LIMIT ${opts.limit}
      FOR UPDATE OF s SKIP LOCKED
    )
    UPDATE campaign_steps s SET run_at = ${until}, attempts = s.attempts + 1
    FROM due, campaigns c
    WHERE s.key = due.key AND c.id = s.campaign_id
    RETURNING s.key, s.tenant_id, s.campaign_id, s.enrolment_id, s.customer_id,
      (SELECT e.occurrence FROM campaign_enrolments e WHERE e.id = s.enrolment_id) AS occurrence, s.step_index, s.action,
      due.run_at AS due_at, coalesce(s.planned_at, due.run_at) AS planned_at, s.attempts, c.status AS campaign_status`;
  const current = await currentVersionsOf(db, [...new Set(rows.map((r) => r.campaign_id))]);
  return rows.map((r) => {
    const planned = readStoredAction(r.action);
    const version = current.get(r.campaign_id);
    const { check, action } = againstCurrentVersion(planned.action, r.step_index, version?.actions);
    return {
      key: r.key,
      tenantId: r.tenant_id,
      campaignId: r.campaign_id,
      enrolmentId: r.enrolment_id,
      customerId: r.customer_id,
      occurrence: r.occurrence ?? "",
      stepIndex: r.step_index,
      action,
      currentVersion: check,
      deliveryZone: planned.deliveryZone,
      delivery: version?.delivery ?? null,
      dueAt: r.due_at,
      plannedAt: r.planned_at,
      attempts: r.attempts,
      campaignStatus: r.campaign_status as CampaignStatus,
    };
  });
}

/** How failed steps are tried again: after `backoffMs(attempts)`, and given up as `failed` after `maxAttempts`. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs(attempts: number): number;
}

/** 30 s, 2 min, 8 min, 32 min, about 2 h: a coupon campaign paused for an afternoon still gets its coupons out. */
export const stepRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  backoffMs: (attempts) => Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 6 * 3_600_000),
};

/** A failed attempt: the error stays visible on the step; it is tried again later or, out of attempts, `failed`. */
export async function recordStepFailure(
  db: Db,
  step: ClaimedStep,
  error: string,
  now: Date,
  policy: RetryPolicy = stepRetryPolicy,
): Promise<"retry" | "failed"> {
  const failed = step.attempts >= policy.maxAttempts;
  const next = new Date(now.getTime() + policy.backoffMs(step.attempts));
  await db.$executeRaw`
    UPDATE campaign_steps SET last_error = ${error.slice(0, 2_000)}, run_at = ${next},
      status = ${failed ? "failed" : "pending"}
    WHERE key = ${step.key} AND status = 'pending'`;
  return failed ? "failed" : "retry";
}

/**
 * A step whose campaign is paused waits (its claim given back, not counted as an attempt); one whose campaign is
 * archived or back in draft is cancelled, with the status that cancelled it as the reason.
 */
export async function holdStep(db: Db, step: ClaimedStep, until: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE campaign_steps SET run_at = ${until}, attempts = attempts - 1 WHERE key = ${step.key} AND status = 'pending'`;
}

export async function cancelStep(db: Db, step: ClaimedStep, now: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE campaign_steps SET status = 'cancelled', reason = ${`campaign_${step.campaignStatus}`}, done_at = ${now}
    WHERE key = ${step.key} AND status = 'pending'`;
}
