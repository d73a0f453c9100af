import { type Db, type DbTx, Prisma } from "@regulars/db";
import { campaignActor } from "@regulars/ledger-store";

/**
 * Whether ledger movement `m` is one the programme posts on its own, which a customer who does nothing receives all
 * the same: an expiry, a release of pending points, a campaign step's bonus (actor `campaignActor`), the tier job's
 * reward when a programme version raises a member (no actor; keyed `tierRewardKey(customer, tier,
 * "programme:<version>")` by `applyTierUpgrades`). A sale's tier reward is keyed by its transaction: the customer's.
 * Never null (a null actor is most movements'): `NOT` of a null would count no movement at all.
 */
const programmesOwnMovement = Prisma.sql`(m.kind IN ('expire', 'release')
  OR (m.kind = 'bonus' AND coalesce(m.actor, '') LIKE ${campaignActor("%")})
  OR (m.kind = 'bonus' AND m.actor IS NULL AND m.idempotency_key LIKE 'tier-reward:%:programme:%'))`;

/**
 * That nobody `who` matches (`= c.id`, `= ANY(merged.ids)`) did anything at or after `since`, by each place a
 * customer's own doing leaves a dated row in, each read through an index by tenant and customer. One NOT EXISTS each,
 * not an OR of them: each is then an anti-join the planner walks in the candidates' id order, where an OR made
 * subplans that hashed whole tables (every tenant's messages). `customer_loyalty.last_activity_at` is a purchase only
 * (it drives the points' inactivity expiry and means just that), so a customer who earns action points, changes a
 * consent or opens the messages without buying is active all the same:
 * - a merge into the customer (`customer_merges` by its key): the person made themselves known again.
 * - a ledger movement the customer caused (`ledger_movements_customer_time_idx`, which holds the kind): action points,
 *   a sale's or coupon's bonus, points spent at a checkout or on a coupon, a merge's transfer, an admin's adjustment.
 *   Not what the programme posts on its own (`programmesOwnMovement`): a birthday campaign's bonus or an expiry reaches
 *   an inactive customer all the same.
 * - an event decided for the customer (`applied_events_customer_idx`, migration 0076), whether it paid points or not
 *   (an app opened, a page viewed). A rejected event names no customer.
 * - a consent given or withdrawn (`customer_consents_customer_idx`): when the customer made the choice.
 * - a push device registered or refreshed (`customer_push_tokens_customer_id_idx`).
 * - a message opened or clicked (`messages_customer_idx`, then the message rows): cleared messages keep the times.
 * - a kiosk sign-in (`used_identity_tokens`): a token's record is pruned an hour after it expires, so only the sign-ins
 *   of the last hours are there; an older one counts by what it led to (a sale, points spent).
 * Not read: `coupon_uses` and `checkout_holds` (no index by customer; a coupon or hold used in a sale dates the
 * sale's `last_activity_at`, points spent post a movement).
 */
const nothingSince = (who: Prisma.Sql, since: Date) => Prisma.sql`
  NOT EXISTS (SELECT 1 FROM customer_merges y WHERE y.merged_id ${who} AND y.tenant_id = c.tenant_id
    AND y.merged_at >= ${since})
  AND NOT EXISTS (SELECT 1 FROM ledger_movements m WHERE m.tenant_id = c.tenant_id AND m.customer_id ${who}
    AND m.occurred_at >= ${since} AND NOT ${programmesOwnMovement})
  AND NOT EXISTS (SELECT 1 FROM applied_events e WHERE e.tenant_id = c.tenant_id AND e.customer_id ${who}
    AND e.applied_at >= ${since})
  AND NOT EXISTS (SELECT 1 FROM customer_consents k WHERE k.tenant_id = c.tenant_id AND k.customer_id ${who}
    AND k.occurred_at >= ${since})
  AND NOT EXISTS (SELECT 1 FROM customer_push_tokens d WHERE d.customer_id ${who} AND d.tenant_id = c.tenant_id
    AND d.updated_at >= ${since})
  AND NOT EXISTS (SELECT 1 FROM messages g WHERE g.tenant_id = c.tenant_id AND g.customer_id ${who}
    AND (g.opened_at >= ${since} OR g.clicked_at >= ${since}))
  AND NOT EXISTS (SELECT 1 FROM used_identity_tokens u WHERE u.tenant_id = c.tenant_id AND u.customer_id ${who}
    AND u.used_at >= ${since})`;

/**
 * That no customer merged into `c` did anything since `since`, or was merged into it since. A merge moves the sales,
 * identities and push devices to the survivor, but the movements, messages and events recorded under a merged id stay
 * under it, and they are the person's doing all the same. One level of `customer_merges` is everyone `personIds`
 * finds: every merge names the last survivor (`into_id`, migration 0038, kept so by a merge of the survivor). Asked
 * only of a candidate something was merged into, over their ids as an array: the checks cannot then be hashed over
 * whole tables, and the planner's walk of the candidates keeps its anti-joins (a walk of the recursion per candidate
 * was costed past the JIT threshold and took seconds a batch on 300,000 customers).
 */
const nothingMergedSince = (since: Date) => Prisma.sql`
  (NOT EXISTS (SELECT 1 FROM customer_merges x WHERE x.into_id = c.id AND x.tenant_id = c.tenant_id)
    OR (SELECT ${nothingSince(Prisma.sql`= ANY(merged.ids)`, since)}
      FROM (SELECT ARRAY(SELECT x.merged_id FROM customer_merges x WHERE x.into_id = c.id AND x.tenant_id = c.tenant_id)
        AS ids) merged))`;

/**
 * The tenant's customers who have done nothing since `before`, for the retention setting that erases them: unerased,
 * not merged away (their survivor is judged, with what they did, and erasing it erases them), in id order, at most
 * `limit`, in one statement. Created, profile changed and last purchase first (the customer's own rows), then every
 * other kind of activity of the customer (`nothingSince`) and of everyone merged into it (`nothingMergedSince`).
 */
export async function dormantCustomers(db: Db | DbTx, tenantId: string, before: Date, limit: number) {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM customers c
    LEFT JOIN customer_loyalty l ON l.customer_id = c.id
    LEFT JOIN customer_profiles p ON p.customer_id = c.id
    WHERE c.tenant_id = ${tenantId} AND c.erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM customer_merges x WHERE x.merged_id = c.id)
      AND greatest(c.created_at, l.last_activity_at, p.updated_at) < ${before}
      AND ${nothingSince(Prisma.sql`= c.id`, before)}
      AND ${nothingMergedSince(before)}
    ORDER BY c.id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}
