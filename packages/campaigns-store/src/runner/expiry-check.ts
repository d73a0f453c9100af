import { announcedExpiryOf, NO_LONGER_DUE } from "@regulars/campaigns";
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
 * any step skipped for the customer's own reason); so is a step planned for before the expiry that only runs once it
 * passed (a backlog, or `daysBefore: 0` run after the expiry job): the warning it carries came too late, even though
 * the expiry stood. Null when the expiry stands (still to come, or happened as announced for a step planned for after
 * it: a win-back follow-up is for exactly that), or the step acts on none, and the step runs.
 */
export async function skipIfExpiryGone(
  db: Db,
  step: ClaimedStep,
  programmes: ProgrammeCache,
  now: Date,
): Promise<{ outcome: "skipped" | "gone"; outbox: OutboxItem[] } | null> {
  const expiresAt = announcedExpiryOf(step.occurrence);
  if (!expiresAt) return null;
  if (plannedBeforeButRunAfter(step, expiresAt, now)) return skipNoLongerDue(db, step, now);
  const programme = await programmes.inForce(step.tenantId, now);
  if (!programme) throw new Error(`no tenant ${step.tenantId}`);
  const zoned = { timezone: programme.timezone, expiry: programme.config.expiry };
  if (await announcedExpiryStands(db, step.tenantId, step.customerId, expiresAt, zoned)) return null;
  return skipNoLongerDue(db, step, now);
}

const plannedBeforeButRunAfter = (step: ClaimedStep, expiresAt: Date, now: Date): boolean =>
  step.dueAt.getTime() < expiresAt.getTime() && now.getTime() >= expiresAt.getTime();

function skipNoLongerDue(db: Db, step: ClaimedStep, now: Date) {
  return withTransaction(db, async (tx) => {
    const skipped = await tx.$executeRaw`
      UPDATE campaign_steps SET status = 'skipped', reason = ${NO_LONGER_DUE}, done_at = ${now}
      WHERE key = ${step.key} AND status = 'pending'`;
    if (!skipped) return { outcome: "gone" as const, outbox: [] };
    return { outcome: "skipped" as const, outbox: await settleSkippedEnrolments(tx, [step.enrolmentId]) };
  });
}
