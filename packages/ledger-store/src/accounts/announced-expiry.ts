import type { ExpiryPolicy } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { announcedInactivityExpiries } from "../jobs/inactivity-notice.ts";
import { inactivityClocksOf } from "./inactivity-clock.ts";

/**
 * Whether the expiry a `points.expiring` notice announced to the customer still stands, for whatever acts on the
 * notice days later ("your points expire in 3 days"). A dated notice covers the released lots of its local day
 * (`sendExpiryNotices`): it stands while one of them holds points. An inactivity notice is kept per clock: it stands
 * while the policy is still inactivity and the clock the customer has now, holding points, is the one announced for
 * that date; a purchase since restarted the clock (SPEC scenario 10), and an expiry or spending it all left nothing.
 */
export async function announcedExpiryStands(
  db: Db | DbTx,
  tenantId: string,
  customerId: string,
  expiresAt: Date,
  programme: { timezone: string; expiry: ExpiryPolicy },
): Promise<boolean> {
  const [lots] = await db.$queryRaw<{ holding: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM point_lots
      WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND released AND remaining > 0
        AND (expires_at AT TIME ZONE ${programme.timezone})::date = (${expiresAt}::timestamptz AT TIME ZONE ${programme.timezone})::date
    ) AS holding`;
  if (lots?.holding) return true;
  if (programme.expiry.kind !== "inactivity") return false;
  const held = (await inactivityClocksOf(db, tenantId, [customerId])).filter((c) => c.balance > 0n);
  const announced = await announcedInactivityExpiries(db, tenantId, held);
  return announced.get(customerId)?.getTime() === expiresAt.getTime();
}
