import { Prisma, type RawTx } from "@regulars/db";
import { endLapsedHolds, type HoldRow, holdLapsed } from "./release.ts";

/**
 * Held holds of the tenant past their expiry at `at`, whoever placed them, that still hold a use of a campaign among
 * `campaignIds` (a subquery of campaign ids). Found through the index of held holds by expiry: the holds that lapsed
 * since the last sweep are few, however many uses a campaign has.
 */
const lapsedHoldsUsing = (tenantId: string, campaignIds: Prisma.Sql, at: Date) => Prisma.sql`
  SELECT h.id FROM checkout_holds h
  WHERE h.status = 'held' AND ${holdLapsed(at, "h")} AND h.tenant_id = ${tenantId}
    AND EXISTS (SELECT 1 FROM coupon_uses u
                WHERE u.hold_id = h.id AND u.status = 'held' AND u.campaign_id IN (${campaignIds}))`;

/**
 * The held uses of lapsed holds at `at` (campaign, code, customer, day, discount): they reserve nothing any more,
 * though the running counters (`used_count`, `used_amount`, `coupon_codes.uses`) count them until the sweep ends
 * their holds. A quote, which writes nothing, leaves them out of the limits it reads.
 */
export const lapsedHeldUses = (tenantId: string, at: Date) => Prisma.sql`
  SELECT u.id, u.campaign_id, u.code, u.customer_id, u.local_day, u.discount
  FROM checkout_holds h JOIN coupon_uses u ON u.hold_id = h.id AND u.status = 'held'
  WHERE h.status = 'held' AND ${holdLapsed(at, "h")} AND h.tenant_id = ${tenantId}`;

/**
 * Locks the campaigns a checkout reads the limits of (`wanted`, a subquery of campaign ids), and with them every
 * campaign of a lapsed hold holding a use of one of them; then ends those lapsed holds as the sweep would (uses
 * released, counters given back, the hold `expired`), so the limits read next count only what is still reserved.
 * Without it a hold past its expiry, of any customer or a guest, kept a coupon's last use until the sweep ran.
 *
 * Lock order, as every writer's (`lockHold`): the caller's customer first (taken before this), then campaigns, in id
 * order and in ONE statement (the wanted ones and the lapsed holds' others together, so no campaign is locked out of
 * order), then the hold rows in id order. The lapsed holds' customers are not locked: taken after campaigns it would
 * invert that order, and a lapsed hold reserves none of its customer's points or wallet cash already (`liveHold`), so
 * ending it changes no balance a customer's lock guards. A writer of such a hold (its sale, its void, the sweep) locks
 * its campaigns before its row, so it waits here and then finds it expired, as after the sweep. With `at` absent, the
 * campaigns are locked only (a caller judging expiry otherwise). `FOR NO KEY UPDATE`: holds change only counters, so
 * they serialise with each other and with a campaign's edit, but not with code rows being added (their foreign key's
 * KEY SHARE lock), which a generation of thousands of codes holds until its chunk commits.
 */
export async function lockCampaignsEndingLapsedHolds(
  tx: RawTx,
  tenantId: string,
  wanted: Prisma.Sql,
  at: Date | undefined,
): Promise<void> {
  if (!at) {
    await tx.$queryRaw`SELECT id FROM coupon_campaigns WHERE id IN (${wanted}) ORDER BY id FOR NO KEY UPDATE`;
    return;
  }
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM coupon_campaigns
    WHERE id IN (${wanted})
       OR id IN (SELECT x.campaign_id FROM coupon_uses x
                 WHERE x.status = 'held' AND x.hold_id IN (${lapsedHoldsUsing(tenantId, wanted, at)}))
    ORDER BY id FOR NO KEY UPDATE`;
  if (!locked.length) return;
  const ids = locked.map((c) => c.id);
  // Re-read under the locks; one whose uses are not all in campaigns locked here (placed between the statements,
  // which a hold already past its expiry cannot be) is left to the sweep rather than lock a campaign out of order.
  const holds = await tx.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id, claimed_at,
      claimed_by_external_id
    FROM checkout_holds h
    WHERE h.id IN (${lapsedHoldsUsing(tenantId, Prisma.sql`SELECT unnest(${ids}::text[])`, at)})
      AND NOT EXISTS (SELECT 1 FROM coupon_uses x
                      WHERE x.hold_id = h.id AND x.status = 'held' AND NOT (x.campaign_id = ANY(${ids}::text[])))
      AND h.status = 'held' AND ${holdLapsed(at, "h")}
    ORDER BY h.id FOR UPDATE`;
  await endLapsedHolds(tx, holds, at);
}
