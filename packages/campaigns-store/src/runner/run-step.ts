import { lateSendAt, queuedStepFate } from "@regulars/campaigns";
import { getCampaign, issueCoupon } from "@regulars/checkout-store";
import type { ConsentChannel } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { awardBonusPoints, campaignActor, type OutboxItem } from "@regulars/ledger-store";
import type { ProgrammeCache } from "@regulars/programme";
import { localDate } from "@regulars/rules";
import { type ClaimedStep, cancelStep, holdStep, type RetryPolicy, recordStepFailure } from "./claim.ts";
import { skipRemovedByEdit } from "./current-version.ts";
import { skipIfExpiryGone } from "./expiry-check.ts";
import { settleSkippedEnrolments } from "./settle-skipped.ts";

/** What `queueCampaignMessage` of `@regulars/messages-store` takes: the worker passes that function in. */
export interface CampaignMessageRequest {
  tenantId: string;
  customerId: string;
  campaignId: string;
  stepKey: string;
  templateId: string;
  channel: ConsentChannel;
  sendAt: Date;
  /** The zone planning timed it in: the send check reads quiet hours on it (the campaign's zone as today's if absent). */
  deliveryZone?: string | null | undefined;
  coupon?: { code: string; title?: string; expiresOn?: string };
}
export type QueueCampaignMessage = (
  tx: DbTx,
  input: CampaignMessageRequest,
) => Promise<{ messageId: string } | { messageId: null; skipped: string }>;

export interface StepEffects {
  queueMessage: QueueCampaignMessage;
  programmes: ProgrammeCache;
  retry?: RetryPolicy;
  /** How long a paused campaign's step waits before it is looked at again. */
  holdMs?: number;
}

export type StepOutcome = "done" | "skipped" | "held" | "cancelled" | "retry" | "failed" | "gone";

/** The result kept on a done step: what it issued, posted or queued. */
type StepResult =
  | { couponCode: string; walletCouponId: string; couponCampaignId: string; couponTitle: string; expiresOn?: string }
  | { movementId: string | null; points: number }
  | { messageId: string };

/** Locks the step for the effect's transaction; false when another executor finished it meanwhile. */
async function lockPending(tx: DbTx, key: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<
    { status: string }[]
  >`SELECT status FROM campaign_steps WHERE key = ${key} FOR UPDATE`;
  return row?.status === "pending";
}

async function markDone(db: Db | DbTx, key: string, result: StepResult, now: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE campaign_steps SET status = 'done', result = ${JSON.stringify(result)}::jsonb, done_at = ${now}, last_error = NULL
    WHERE key = ${key} AND status = 'pending'`;
}

async function outboxRows(tx: DbTx, ids: string[]): Promise<OutboxItem[]> {
  if (!ids.length) return [];
  const rows = await tx.$queryRaw<{ id: string; tenant_id: string; type: string; payload: unknown }[]>`
    SELECT id, tenant_id, type, payload FROM outbox_events WHERE id = ANY(${ids}::text[])`;
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, type: r.type, payload: r.payload }));
}

/** The coupon an earlier step of the same enrolment issued, for the message's `{{ coupon.code }}`. */
async function earlierCoupon(tx: DbTx, step: ClaimedStep): Promise<CampaignMessageRequest["coupon"]> {
  const [row] = await tx.$queryRaw<{ result: { couponCode: string; couponTitle?: string; expiresOn?: string } }[]>`
    SELECT result FROM campaign_steps
    WHERE enrolment_id = ${step.enrolmentId} AND step_index < ${step.stepIndex} AND status = 'done' AND result ? 'couponCode'
    ORDER BY step_index DESC LIMIT 1`;
  if (!row) return undefined;
  const { couponCode, couponTitle, expiresOn } = row.result;
  return {
    code: couponCode,
    ...(couponTitle !== undefined ? { title: couponTitle } : {}),
    ...(expiresOn !== undefined ? { expiresOn } : {}),
  };
}

/**
 * The last day a coupon ending at `validTo` can be used, in the tenant's zone: the end is exclusive, so one ending at
 * local midnight was good through the day before (the checkout's `validUntil` rule); the UTC date of the instant would
 * be a day off for zones far from UTC.
 */
async function lastDayBefore(
  programmes: ProgrammeCache,
  tenantId: string,
  validTo: string,
  now: Date,
): Promise<string> {
  const programme = await programmes.inForce(tenantId, now);
  if (!programme) throw new Error(`no tenant ${tenantId}`);
  return localDate(new Date(Date.parse(validTo) - 1), programme.timezone);
}

/**
 * When a message step's message goes: when it was due, unless its campaign delivers at a local time and it runs well
 * after the time planned (a pause, hours of retries): then at the next such time on the clock planning timed it on.
 */
export async function messageSendAt(step: ClaimedStep, programmes: ProgrammeCache, now: Date): Promise<Date> {
  const delivery = step.delivery;
  if (delivery?.timing.at !== "local_time") return step.dueAt;
  const zone = step.deliveryZone ?? (await programmes.inForce(step.tenantId, now))?.timezone;
  if (!zone) throw new Error(`no tenant ${step.tenantId}`);
  return lateSendAt(delivery.timing, delivery.quietHours, zone, { plannedAt: step.plannedAt, dueAt: step.dueAt, now });
}

/**
 * Runs one claimed step with its key as the idempotency key of what it does. A coupon and a message are made in
 * the same transaction that marks the step done; points go through the ledger's bonus award (its transaction),
 * keyed by the step, and the step is marked after, so a crash between the two posts nothing twice. A paused
 * campaign's step waits, an archived one's is cancelled; one the campaign's current version no longer has is skipped
 * (`removed_by_edit`), and one it has runs that version's action (`ClaimedStep.action`); a points-expiring step whose
 * expiry no longer stands is skipped (`skipIfExpiryGone`). A failure is recorded on the step and tried again later.
 */
export async function runStep(
  db: Db,
  step: ClaimedStep,
  effects: StepEffects,
  now: Date,
): Promise<{ outcome: StepOutcome; outbox: OutboxItem[] }> {
  const fate = queuedStepFate(step.campaignStatus);
  if (fate === "hold") {
    await holdStep(db, step, new Date(now.getTime() + (effects.holdMs ?? 60_000)));
    return { outcome: "held", outbox: [] };
  }
  if (fate === "cancel") {
    await cancelStep(db, step, now);
    return { outcome: "cancelled", outbox: [] };
  }
  try {
    if (step.currentVersion === "unreadable")
      throw new Error(`step ${step.stepIndex} of the campaign's current version cannot be read by this release`);
    if (step.currentVersion === "removed") return await skipRemovedByEdit(db, step, now);
    return (await skipIfExpiryGone(db, step, effects.programmes, now)) ?? (await perform(db, step, effects, now));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { outcome: await recordStepFailure(db, step, message, now, effects.retry), outbox: [] };
  }
}

async function perform(
  db: Db,
  step: ClaimedStep,
  effects: StepEffects,
  now: Date,
): Promise<{ outcome: StepOutcome; outbox: OutboxItem[] }> {
  const { action } = step;
  switch (action.type) {
    case "issue_coupon":
      return withTransaction(db, async (tx) => {
        if (!(await lockPending(tx, step.key))) return { outcome: "gone" as const, outbox: [] };
        const coupon = await issueCoupon(tx, {
          tenantId: step.tenantId,
          customerId: step.customerId,
          campaignId: action.couponCampaignId,
          issueKey: step.key,
          issuedBy: step.campaignId,
          source: "campaign",
        });
        const campaign = await getCampaign(tx, step.tenantId, action.couponCampaignId);
        const validTo = campaign.config.conditions.validTo;
        const expiresOn = validTo ? await lastDayBefore(effects.programmes, step.tenantId, validTo, now) : undefined;
        await markDone(
          tx,
          step.key,
          {
            couponCode: coupon.code,
            walletCouponId: coupon.id,
            couponCampaignId: coupon.campaignId,
            couponTitle: campaign.name,
            ...(expiresOn ? { expiresOn } : {}),
          },
          now,
        );
        return {
          outcome: "done" as const,
          outbox: coupon.created ? await outboxRows(tx, [`coupon-issued:${coupon.id}`]) : [],
        };
      });
    case "award_points": {
      const programme = await effects.programmes.inForce(step.tenantId, now);
      if (!programme) throw new Error(`no tenant ${step.tenantId}`);
      const awarded = await awardBonusPoints(
        db,
        step.tenantId,
        campaignActor(step.campaignId),
        { customerId: step.customerId, points: action.points, reason: action.reason, idempotencyKey: step.key },
        programme,
        now,
      );
      // A retry after a crash posts nothing new: it records what the first attempt posted, which an edit since may
      // have changed the step's amount from.
      await markDone(db, step.key, { movementId: awarded.movementId, points: awarded.points }, now);
      // The ledger's points events are in the outbox; its relay publishes them, as for any credit.
      return { outcome: "done", outbox: [] };
    }
    case "send_message":
      return withTransaction(db, async (tx) => {
        if (!(await lockPending(tx, step.key))) return { outcome: "gone" as const, outbox: [] };
        const coupon = await earlierCoupon(tx, step);
        const queued = await effects.queueMessage(tx, {
          tenantId: step.tenantId,
          customerId: step.customerId,
          campaignId: step.campaignId,
          stepKey: step.key,
          templateId: action.templateId,
          channel: action.channel,
          sendAt: await messageSendAt(step, effects.programmes, now),
          deliveryZone: step.deliveryZone,
          ...(coupon ? { coupon } : {}),
        });
        if (queued.messageId === null) {
          await tx.$executeRaw`
            UPDATE campaign_steps SET status = 'skipped', reason = ${queued.skipped}, done_at = ${now}
            WHERE key = ${step.key}`;
          return { outcome: "skipped" as const, outbox: await settleSkippedEnrolments(tx, [step.enrolmentId]) };
        }
        await markDone(tx, step.key, { messageId: queued.messageId }, now);
        return { outcome: "done" as const, outbox: [] };
      });
  }
}
