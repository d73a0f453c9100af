import { announcedExpiryOf, expiryWarningTooLate, NO_LONGER_DUE } from "@regulars/campaigns";
import { type Db, withTransaction } from "@regulars/db";
import { announcedExpiryStands, type OutboxItem } from "@regulars/ledger-store";
import type { ProgrammeCache } from "@regulars/programme";
import type { ClaimedStep } from "./claim.ts";
import { settleSkippedEnrolments } from "./settle-skipped.ts";

/** Whether the step acts on an announced expiry, so it must look again before it acts (`skipIfExpiryGone`). */
export const actsOnAnnouncedExpiry = (step: ClaimedStep): boolean => announcedExpiryOf(step.occurrence) !== null;

/**
 * A points-expiring step is planned when the notice arrives and runs `daysBefore` later, or after the date (a
 * follow-up's wait); a purchase since then restarted the inactivity clock, or the announced lots were spent, and
 * "your points expire in 3 days" would be untrue. Such a step is skipped `no_longer_due` (its enrolment settled like
 * any step skipped for the customer's own reason); so is a warning that only runs once the expiry came
 * (`expiryWarningTooLate`: a backlog, a campaign paused over the date, `daysBefore: 0` run at or after the expiry):
 * the warning it carries came too late, even though the expiry stood. It is judged on the time the step was planned
 * for (`plannedAt`), which a pause does not move. Null when the expiry stands (still to come, or happened as announced
 * for a follow-up a wait placed after it: a win-back is for exactly that), or the step acts on none, and the step runs.
 */
export async function skipIfExpiryGone(
  db: Db,
  step: ClaimedStep,
  programmes: ProgrammeCache,
  now: Date,
): Promise<{ outcome: "skipped" | "gone"; outbox: OutboxItem[] } | null> {
  const expiresAt = announcedExpiryOf(step.occurrence);
  if (!expiresAt) return null;
  const warning = { plannedAt: step.plannedAt, waited: await waited(db, step) };
  if (expiryWarningTooLate(warning, expiresAt, now)) return skipNoLongerDue(db, step, now);
  const programme = await programmes.inForce(step.tenantId, now);
  if (!programme) throw new Error(`no tenant ${step.tenantId}`);
  const zoned = { timezone: programme.timezone, expiry: programme.config.expiry };
  if (await announcedExpiryStands(db, step.tenantId, step.customerId, expiresAt, zoned)) return null;
  return skipNoLongerDue(db, step, now);
}

/** Whether a wait placed the step: its own or an earlier step's of its enrolment, as planned (`action.wait`). */
async function waited(db: Db, step: ClaimedStep): Promise<boolean> {
  const [row] = await db.$queryRaw<{ waited: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM campaign_steps
      WHERE enrolment_id = ${step.enrolmentId} AND step_index <= ${step.stepIndex} AND action ? 'wait') AS waited`;
  return row?.waited ?? false;
}

function skipNoLongerDue(db: Db, step: ClaimedStep, now: Date) {
  return withTransaction(db, async (tx) => {
    const skipped = await tx.$executeRaw`
      UPDATE campaign_steps SET status = 'skipped', reason = ${NO_LONGER_DUE}, done_at = ${now}
      WHERE key = ${step.key} AND status = 'pending'`;
    if (!skipped) return { outcome: "gone" as const, outbox: [] };
    return { outcome: "skipped" as const, outbox: await settleSkippedEnrolments(tx, [step.enrolmentId]) };
  });
}
