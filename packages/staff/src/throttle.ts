import type { Db } from "@regulars/db";

/**
 * Sign-in throttling, counted in Postgres so every API process sees the same attempts. Per e-mail and client IP
 * it stops one machine guessing one account's password; per client IP, one machine trying a common password on
 * many accounts. There is no count per e-mail across addresses: it cannot tell the member from a guesser
 * elsewhere, so at any threshold it would let anyone with a few addresses keep the member locked out.
 * A refused attempt is not counted: the refusal ends when the window has passed, whatever is tried meanwhile.
 */
export interface SignInThrottle {
  windowMs: number;
  /** Failures for one e-mail from one client IP. */
  perEmailAndIp: number;
  /** Failures from one client IP, whatever the e-mail. */
  perIp: number;
}

export const defaultSignInThrottle: SignInThrottle = { windowMs: 15 * 60_000, perEmailAndIp: 5, perIp: 50 };

/** Failures older than this are of no use to any window and are deleted as new ones arrive. */
const KEEP_FAILURES_MS = 24 * 3_600_000;

/**
 * Seconds until fewer than `limit` of `recent` (newest first, at most `limit` of them) are inside the window;
 * null when there are fewer than `limit` already.
 */
export function secondsUntilAllowed(recent: Date[], limit: number, windowMs: number, now: Date): number | null {
  if (recent.length < limit) return null;
  const oldestCounted = recent[limit - 1]!.getTime();
  const wait = oldestCounted + windowMs - now.getTime();
  return wait > 0 ? Math.ceil(wait / 1000) : null;
}

export type AttemptAdmission = { admitted: true; attemptId: bigint } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts this attempt as a failure before its password is checked, then looks at the others in the window:
 * attempts made at the same moment see each other, so a burst cannot slip more guesses past the limit.
 */
export async function admitSignInAttempt(
  db: Db,
  who: { email: string; clientIp: string },
  throttle: SignInThrottle,
  now: Date,
): Promise<AttemptAdmission> {
  const row = await db.staffSignInFailure.create({
    data: { email: who.email, clientIp: who.clientIp, attemptedAt: now },
    select: { id: true },
  });
  const since = new Date(now.getTime() - throttle.windowMs);
  const others = { id: { not: row.id }, attemptedAt: { gt: since, lte: now } };
  const [byEmailAndIp, byIp] = await Promise.all([
    db.staffSignInFailure.findMany({
      where: { ...others, email: who.email, clientIp: who.clientIp },
      orderBy: { attemptedAt: "desc" },
      take: throttle.perEmailAndIp,
      select: { attemptedAt: true },
    }),
    db.staffSignInFailure.findMany({
      where: { ...others, clientIp: who.clientIp },
      orderBy: { attemptedAt: "desc" },
      take: throttle.perIp,
      select: { attemptedAt: true },
    }),
  ]);
  const waits = [
    secondsUntilAllowed(
      byEmailAndIp.map((r) => r.attemptedAt),
      throttle.perEmailAndIp,
      throttle.windowMs,
      now,
    ),
    secondsUntilAllowed(
      byIp.map((r) => r.attemptedAt),
      throttle.perIp,
      throttle.windowMs,
      now,
    ),
  ].filter((w): w is number => w !== null);
  if (!waits.length) return { admitted: true, attemptId: row.id };
  await db.staffSignInFailure.delete({ where: { id: row.id } });
  return { admitted: false, retryAfterSeconds: Math.max(...waits) };
}

/**
 * A right password clears the account's failures from its client IP only: a member signing in elsewhere must not
 * hand a guesser fresh attempts. A wrong one stays counted (and old rows go).
 */
export async function settleSignInAttempt(
  db: Db,
  attempt: { attemptId: bigint; email: string; clientIp: string },
  succeeded: boolean,
  now: Date,
): Promise<void> {
  if (succeeded) {
    await db.staffSignInFailure.deleteMany({
      where: { OR: [{ id: attempt.attemptId }, { email: attempt.email, clientIp: attempt.clientIp }] },
    });
    return;
  }
  await db.staffSignInFailure.deleteMany({
    where: { attemptedAt: { lt: new Date(now.getTime() - KEEP_FAILURES_MS) } },
  });
}
