import type { ExpiryPolicy } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { inactivityExpiry } from "@regulars/rules";
import { announcedInactivityExpiries } from "../jobs/inactivity-notice.ts";
import { lotWithPointsToExpire } from "./expiring.ts";
import { inactivityClocksOf } from "./inactivity-clock.ts";

/**
 * Whether the expiry a `points.expiring` notice announced to the customer still stands, for whatever acts on the
 * notice days later ("your points expire in 3 days", or a follow-up "we miss you" after the date): while it is still
 * to come, and once it happened as announced. A dated notice covers the lots of its local day, pending ones too
 * (`sendExpiryNotices`): it stands while one of them holds points to expire (`lotWithPointsToExpire`) or once one
 * expired (`expire:lot:` key). An inactivity notice is kept per clock: it stands while the policy is still inactivity
 * and the clock the customer has now, holding points, is the one announced for that date, or once that clock's expiry
 * was posted and not undone.
 * It falls when a purchase restarted the clock (SPEC scenario 10) or the points were spent before the date.
 */
export async function announcedExpiryStands(
  db: Db | DbTx,
  tenantId: string,
  customerId: string,
  expiresAt: Date,
  programme: { timezone: string; expiry: ExpiryPolicy },
): Promise<boolean> {
  const [seen] = await db.$queryRaw<{ dated: boolean; inactive_key: string | null }[]>`
    SELECT EXISTS (
      SELECT 1 FROM point_lots l
      WHERE l.tenant_id = ${tenantId} AND l.customer_id = ${customerId}
        AND (l.expires_at AT TIME ZONE ${programme.timezone})::date = (${expiresAt}::timestamptz AT TIME ZONE ${programme.timezone})::date
        AND (${lotWithPointsToExpire("l")} OR EXISTS (SELECT 1 FROM ledger_movements e
          WHERE e.tenant_id = l.tenant_id AND e.idempotency_key = 'expire:lot:' || l.id))
    ) AS dated, (
      -- expirePoints posts an announced inactivity expiry on its date or later, never before
      SELECT m.idempotency_key FROM ledger_movements m
      WHERE m.tenant_id = ${tenantId} AND m.customer_id = ${customerId} AND m.kind = 'expire' AND m.unit = 'points'
        AND m.occurred_at >= ${expiresAt} AND m.idempotency_key LIKE 'expire:inactive:%'
        AND NOT EXISTS (SELECT 1 FROM ledger_movements u
          WHERE u.tenant_id = m.tenant_id AND u.idempotency_key = 'unexpire:' || m.idempotency_key)
      ORDER BY m.occurred_at LIMIT 1
    ) AS inactive_key`;
  if (seen?.dated) return true;
  if (seen?.inactive_key && expiredAsAnnounced(seen.inactive_key, customerId, expiresAt, programme)) return true;
  if (programme.expiry.kind !== "inactivity") return false;
  const period = { months: programme.expiry.months, timezone: programme.timezone };
  const held = (await inactivityClocksOf(db, tenantId, [customerId], period)).filter((c) => c.balance > 0n);
  const announced = await announcedInactivityExpiries(db, tenantId, held);
  return announced.get(customerId)?.getTime() === expiresAt.getTime();
}

/**
 * Whether the first inactivity expiry posted since the date is the announced one: its clock (in its key) ran out by
 * that date. A later notice only moves the date on, never back. One whose clock ran out after it counted a purchase
 * made after the notice, which restarted the clock: the announced expiry never happened.
 */
function expiredAsAnnounced(
  key: string,
  customerId: string,
  expiresAt: Date,
  programme: { timezone: string; expiry: ExpiryPolicy },
): boolean {
  const clock = key.slice(`expire:inactive:${customerId}:`.length);
  // Under a policy switched away from inactivity since, the clock's period is unknown: the expiry was posted, it stands.
  const due = inactivityExpiry(programme.expiry, clock, programme.timezone);
  return due === null || due.getTime() <= expiresAt.getTime();
}
