import { queuedStepFate, REMOVED_BY_EDIT } from "@regulars/campaigns";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { type ClaimedStep, recordStepFailure } from "./claim.ts";
import { actsOnAnnouncedExpiry } from "./expiry-check.ts";
import { type CampaignMessageRequest, messageSendAt, runStep, type StepEffects, type StepOutcome } from "./run-step.ts";
import { settleSkippedEnrolments } from "./settle-skipped.ts";

/** `queueCampaignMessages` of `@regulars/messages-store`: many steps' messages, results in the order given. */
export type QueueCampaignMessages = (
  tx: DbTx,
  inputs: CampaignMessageRequest[],
) => Promise<({ messageId: string } | { messageId: null; skipped: string } | { messageId: null; error: Error })[]>;

/**
 * Whether a claimed step can go through `runMessageSteps`: a message of a running campaign, which need not look at
 * the ledger first (a points-expiring reminder does, in `runStep`), and whose current version is readable (one this
 * release cannot read fails in `runStep`, to be tried again).
 */
export const isBatchableMessageStep = (step: ClaimedStep): boolean =>
  step.action.type === "send_message" &&
  queuedStepFate(step.campaignStatus) === "run" &&
  step.currentVersion !== "unreadable" &&
  !actsOnAnnouncedExpiry(step);

interface CouponResult {
  couponCode: string;
  couponTitle?: string;
  expiresOn?: string;
}

/**
 * Many message steps in one transaction (a broadcast's thousands): lock those still pending, find the coupons
 * earlier steps of their enrolments issued, queue every message with one call, and mark each step done or
 * skipped in one statement; a step the campaign's current version no longer has is skipped `removed_by_edit` in the
 * same statement, the rest queue the current version's template. The steps' keys are the messages' keys, as in
 * `runStep`, so a batch that runs again
 * after a crash queues nothing twice. A message that cannot be rendered fails its step only (recorded after the
 * commit, retried like any step); a batch that fails as a whole is run again step by step.
 */
export async function runMessageSteps(
  db: Db,
  steps: readonly ClaimedStep[],
  effects: StepEffects & { queueMessages: QueueCampaignMessages },
  now: Date,
): Promise<{ outcome: StepOutcome; step: ClaimedStep }[]> {
  // Reminders of an announced expiry check it one by one first; they come a few a day, not a broadcast's thousands.
  const checked: { outcome: StepOutcome; step: ClaimedStep }[] = [];
  for (const step of steps.filter(actsOnAnnouncedExpiry))
    checked.push({ outcome: (await runStep(db, step, effects, now)).outcome, step });
  const batch = steps.filter((s) => !actsOnAnnouncedExpiry(s));
  if (!batch.length) return checked;
  return [...checked, ...(await runBatch(db, batch, effects, now))];
}

async function runBatch(
  db: Db,
  steps: readonly ClaimedStep[],
  effects: StepEffects & { queueMessages: QueueCampaignMessages },
  now: Date,
): Promise<{ outcome: StepOutcome; step: ClaimedStep }[]> {
  let failures: { step: ClaimedStep; error: Error }[] = [];
  let outcomes: { outcome: StepOutcome; step: ClaimedStep }[];
  try {
    const sendAts = new Map<string, Date>();
    for (const step of steps) sendAts.set(step.key, await messageSendAt(step, effects.programmes, now));
    ({ outcomes, failures } = await withTransaction(db, (tx) =>
      queueInOneTransaction(tx, steps, sendAts, effects, now),
    ));
  } catch {
    // Whatever failed the batch (a deadlock, a bad row) is found and recorded step by step.
    const one: { outcome: StepOutcome; step: ClaimedStep }[] = [];
    for (const step of steps) one.push({ outcome: (await runStep(db, step, effects, now)).outcome, step });
    return one;
  }
  for (const { step, error } of failures)
    outcomes.push({ outcome: await recordStepFailure(db, step, error.message, now, effects.retry), step });
  return outcomes;
}

async function queueInOneTransaction(
  tx: DbTx,
  steps: readonly ClaimedStep[],
  sendAts: ReadonlyMap<string, Date>,
  effects: { queueMessages: QueueCampaignMessages },
  now: Date,
) {
  const keys = steps.map((s) => s.key);
  const locked = await tx.$queryRaw<{ key: string }[]>`
    SELECT key FROM campaign_steps WHERE key = ANY(${keys}::text[]) AND status = 'pending' ORDER BY key FOR UPDATE`;
  const pendingKeys = new Set(locked.map((r) => r.key));
  const outcomes: { outcome: StepOutcome; step: ClaimedStep }[] = [];
  const done: { key: string; status: "done" | "skipped"; reason: string | null; result: string | null }[] = [];
  const pending = steps.filter((s) => {
    if (!pendingKeys.has(s.key)) outcomes.push({ outcome: "gone", step: s });
    else if (s.currentVersion === "removed") {
      done.push({ key: s.key, status: "skipped", reason: REMOVED_BY_EDIT, result: null });
      outcomes.push({ outcome: "skipped", step: s });
    } else return true;
    return false;
  });
  const coupons = await earlierCoupons(tx, pending);
  const results = await queueEach(
    tx,
    effects.queueMessages,
    pending.map((step) => {
      if (step.action.type !== "send_message") throw new Error(`step ${step.key} is not a message`);
      const coupon = coupons.get(step.key);
      return {
        tenantId: step.tenantId,
        customerId: step.customerId,
        campaignId: step.campaignId,
        stepKey: step.key,
        templateId: step.action.templateId,
        channel: step.action.channel,
        sendAt: sendAts.get(step.key) ?? step.dueAt,
        deliveryZone: step.deliveryZone,
        ...(coupon ? { coupon } : {}),
      };
    }),
  );
  const failures: { step: ClaimedStep; error: Error }[] = [];
  pending.forEach((step, i) => {
    const r = results[i]!;
    if (r.messageId !== null) {
      done.push({ key: step.key, status: "done", reason: null, result: JSON.stringify({ messageId: r.messageId }) });
      outcomes.push({ outcome: "done", step });
    } else if ("skipped" in r) {
      done.push({ key: step.key, status: "skipped", reason: r.skipped, result: null });
      outcomes.push({ outcome: "skipped", step });
    } else failures.push({ step, error: r.error });
  });
  if (done.length)
    await tx.$executeRaw`
      UPDATE campaign_steps s SET status = d.status, reason = d.reason, result = d.result::jsonb, done_at = ${now},
        last_error = NULL
      FROM unnest(${done.map((d) => d.key)}::text[], ${done.map((d) => d.status)}::text[],
                  ${done.map((d) => d.reason)}::text[], ${done.map((d) => d.result)}::text[])
        AS d(key, status, reason, result)
      WHERE s.key = d.key AND s.status = 'pending'`;
  const skipped = new Set(done.filter((d) => d.status === "skipped").map((d) => d.key));
  // Removed by an edit or refused by the messages store alone. Their corrected `campaign.enrolled` events are in the
  // outbox; the relay publishes them.
  await settleSkippedEnrolments(
    tx,
    steps.filter((s) => skipped.has(s.key)).map((s) => s.enrolmentId),
  );
  return { outcomes, failures };
}

/** Nothing to queue when every step of the batch was removed by an edit: no round to the messages store. */
const queueEach = (tx: DbTx, queue: QueueCampaignMessages, inputs: CampaignMessageRequest[]) =>
  inputs.length ? queue(tx, inputs) : Promise.resolve([]);

/** For each step, the coupon the latest earlier step of its enrolment issued (`{{ coupon.code }}`), if any. */
async function earlierCoupons(tx: DbTx, steps: readonly ClaimedStep[]) {
  const out = new Map<string, CampaignMessageRequest["coupon"]>();
  const later = steps.filter((s) => s.stepIndex > 0);
  if (!later.length) return out;
  const rows = await tx.$queryRaw<{ enrolment_id: string; step_index: number; result: CouponResult }[]>`
    SELECT enrolment_id, step_index, result FROM campaign_steps
    WHERE enrolment_id = ANY(${[...new Set(later.map((s) => s.enrolmentId))]}::text[])
      AND status = 'done' AND result ? 'couponCode'`;
  for (const step of later) {
    const latest = rows
      .filter((r) => r.enrolment_id === step.enrolmentId && r.step_index < step.stepIndex)
      .sort((a, b) => b.step_index - a.step_index)[0];
    if (!latest) continue;
    const { couponCode, couponTitle, expiresOn } = latest.result;
    out.set(step.key, {
      code: couponCode,
      ...(couponTitle !== undefined ? { title: couponTitle } : {}),
      ...(expiresOn !== undefined ? { expiresOn } : {}),
    });
  }
  return out;
}
