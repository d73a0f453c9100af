import type { LoyaltyEvent } from "@regulars/contracts";
import { type DbTx, exactNumber } from "@regulars/db";
import type { PostedMovement } from "./movements.ts";
import { type OutboxItem, outboxItem, writeOutbox } from "./outbox.ts";

/**
 * Balance milestones ("You've reached 100 points"), announced once per upward crossing: a row per
 * crossing remembers that the customer is above; falling below closes it, so the next rise is a new
 * crossing with its own event. Movements are walked in order, so a rise and fall inside one batch
 * are both seen.
 */
export async function trackMilestones(
  tx: DbTx,
  thresholds: number[],
  posted: PostedMovement[],
): Promise<LoyaltyEvent[]> {
  const moves = posted.filter((m) => m.unit === "points" && m.balance && m.balance.before !== m.balance.after);
  if (!thresholds.length || !moves.length) return [];
  const customers = [...new Set(moves.map((m) => m.customerId))];
  const latest = await tx.$queryRaw<{ customer_id: string; threshold: bigint; crossing: number; above: boolean }[]>`
    SELECT DISTINCT ON (customer_id, threshold) customer_id, threshold, crossing, above
    FROM milestone_crossings WHERE customer_id = ANY(${customers}::text[])
    ORDER BY customer_id, threshold, crossing DESC`;
  const state = new Map(
    latest.map((r) => [`${r.customer_id}:${exactNumber(r.threshold)}`, { crossing: r.crossing, above: r.above }]),
  );
  const inserts: { customerId: string; tenantId: string; threshold: number; crossing: number }[] = [];
  const closes: { customerId: string; threshold: number; crossing: number }[] = [];
  const events: LoyaltyEvent[] = [];
  for (const m of moves) {
    const { before, after } = m.balance!;
    for (const t of thresholds) {
      const key = `${m.customerId}:${t}`;
      const s = state.get(key) ?? { crossing: 0, above: false };
      if (!s.above && before < t && after >= t) {
        const next = { crossing: s.crossing + 1, above: true };
        state.set(key, next);
        inserts.push({ customerId: m.customerId, tenantId: m.tenantId, threshold: t, crossing: next.crossing });
        events.push({
          type: "points.milestone",
          id: `milestone:${m.customerId}:${t}:${next.crossing}`,
          tenantId: m.tenantId,
          customerId: m.customerId,
          occurredAt: m.occurredAt.toISOString(),
          threshold: t,
          balance: after,
          crossing: next.crossing,
        });
      } else if (s.above && after < t) {
        state.set(key, { crossing: s.crossing, above: false });
        closes.push({ customerId: m.customerId, threshold: t, crossing: s.crossing });
      }
    }
  }
  if (inserts.length) {
    await tx.$executeRaw`
      INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above)
      SELECT c, t, n, tn, true FROM unnest(${inserts.map((i) => i.customerId)}::text[], ${inserts.map((i) => i.threshold)}::bigint[],
        ${inserts.map((i) => i.crossing)}::int[], ${inserts.map((i) => i.tenantId)}::text[]) AS x(c, t, n, tn)
      ON CONFLICT DO NOTHING`;
  }
  if (closes.length) {
    await tx.$executeRaw`
      UPDATE milestone_crossings mc SET above = false, changed_at = now()
      FROM unnest(${closes.map((c) => c.customerId)}::text[], ${closes.map((c) => c.threshold)}::bigint[], ${closes.map((c) => c.crossing)}::int[]) AS x(c, t, n)
      WHERE mc.customer_id = x.c AND mc.threshold = x.t AND mc.crossing = x.n`;
  }
  return events;
}

/** points.earned / points.redeemed / points.expired for each posted point movement. */
export function movementEvents(posted: PostedMovement[]): LoyaltyEvent[] {
  return posted.flatMap((m): LoyaltyEvent[] => {
    if (m.unit !== "points" || m.kind === "release") return [];
    const base = {
      id: `${m.kind}:${m.id}`,
      tenantId: m.tenantId,
      customerId: m.customerId,
      occurredAt: m.occurredAt.toISOString(),
    };
    const balance = m.balance?.after ?? 0;
    if (m.amount > 0) {
      return [
        {
          ...base,
          type: "points.earned",
          points: m.amount,
          movementKind: m.kind,
          transactionId: m.transactionId ?? null,
          pending: m.account === "points_pending",
          balance,
        },
      ];
    }
    if (m.kind === "redeem")
      return [{ ...base, type: "points.redeemed", points: -m.amount, transactionId: m.transactionId ?? null, balance }];
    if (m.kind === "expire") return [{ ...base, type: "points.expired", points: -m.amount, balance }];
    return [];
  });
}

/**
 * The events a set of posted movements announces (points.*, and milestones crossed), written to the
 * outbox in the caller's transaction. Returns them for publishing after the commit.
 */
export async function announceMovements(
  tx: DbTx,
  milestones: number[],
  posted: PostedMovement[],
): Promise<OutboxItem[]> {
  const items = [...movementEvents(posted), ...(await trackMilestones(tx, milestones, posted))].map(outboxItem);
  await writeOutbox(tx, items);
  return items;
}
