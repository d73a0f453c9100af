import type { LoyaltyEvent } from "@regulars/contracts";
import { exactNumber, type RawTx, sqlArray } from "@regulars/db";
import { type CrossingState, crossingKey, milestoneChanges, type PostedMovement } from "@regulars/ledger";

/**
 * Balance milestones ("You've reached 100 points") for posted movements: reads each customer's latest
 * crossing per threshold, lets `milestoneChanges` walk the movements in order, and stores new crossings
 * (a row each: announced once) and closed ones (fell below: the next rise is a new crossing, a row of its own).
 * `crossed_at` is when the crossing was recorded, the time campaigns judge its event by: a close moves `changed_at`
 * alone, else a crossing read late would look as new as its fall.
 */
export async function trackMilestones(
  tx: RawTx,
  thresholds: number[],
  posted: PostedMovement[],
): Promise<LoyaltyEvent[]> {
  const moves = posted.filter((m) => m.unit === "points" && m.balance && m.balance.before !== m.balance.after);
  if (!thresholds.length || !moves.length) return [];
  const customers = [...new Set(moves.map((m) => m.customerId))];
  const latest = await tx.$queryRaw<{ customer_id: string; threshold: bigint; crossing: number; above: boolean }[]>`
    SELECT DISTINCT ON (customer_id, threshold) customer_id, threshold, crossing, above
    FROM milestone_crossings WHERE customer_id = ANY(${sqlArray(customers)}::text[])
    ORDER BY customer_id, threshold, crossing DESC`;
  const state = new Map<string, CrossingState>(
    latest.map((r) => [crossingKey(r.customer_id, exactNumber(r.threshold)), { crossing: r.crossing, above: r.above }]),
  );
  const { inserts, closes, events } = milestoneChanges(thresholds, moves, state);
  if (inserts.length) {
    await tx.$executeRaw`
      INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above, crossed_at)
      SELECT c, t, n, tn, true, now() FROM unnest(${sqlArray(inserts.map((i) => i.customerId))}::text[], ${sqlArray(inserts.map((i) => i.threshold))}::bigint[],
        ${sqlArray(inserts.map((i) => i.crossing))}::int[], ${sqlArray(inserts.map((i) => i.tenantId))}::text[]) AS x(c, t, n, tn)
      ON CONFLICT DO NOTHING`;
  }
  if (closes.length) {
    await tx.$executeRaw`
      UPDATE milestone_crossings mc SET above = false, changed_at = now()
      FROM unnest(${sqlArray(closes.map((c) => c.customerId))}::text[], ${sqlArray(closes.map((c) => c.threshold))}::bigint[], ${sqlArray(closes.map((c) => c.crossing))}::int[]) AS x(c, t, n)
      WHERE mc.customer_id = x.c AND mc.threshold = x.t AND mc.crossing = x.n`;
  }
  return events;
}
