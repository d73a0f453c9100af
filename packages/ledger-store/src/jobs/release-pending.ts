import { exactNumber, withTransaction } from "@regulars/db";
import { postAndAnnounce } from "../accounts/announce.ts";
import { type JobContext, type JobResult, SLICE } from "./context.ts";

/**
 * Pending points whose waiting period is over become spendable (one release movement per lot). The
 * customers' spendable accounts are locked first, then their due lots, and each lot releases what it
 * holds at that moment: a refund racing the release (it locks the same account before it takes back a
 * pending lot) lands entirely before or after, so reversed points can never become spendable.
 */
export async function releasePendingPoints(ctx: JobContext): Promise<JobResult> {
  const result: JobResult = { acted: 0, outbox: [] };
  for (;;) {
    const items = await withTransaction(ctx.db, async (tx) => {
      const due = await tx.$queryRaw<{ customer_id: string }[]>`
        SELECT DISTINCT customer_id FROM (
          SELECT customer_id FROM point_lots
          WHERE tenant_id = ${ctx.tenantId} AND NOT released AND available_at <= ${ctx.now}
          ORDER BY available_at, id LIMIT ${SLICE}) d`;
      if (!due.length) return null;
      const customers = due.map((d) => d.customer_id);
      await tx.$queryRaw`SELECT id FROM ledger_accounts WHERE tenant_id = ${ctx.tenantId} AND kind = 'points' AND owner = ANY(${customers}::text[]) ORDER BY id FOR UPDATE`;
      const lots = await tx.$queryRaw<{ customer_id: string; remaining: bigint; key: string }[]>`
        SELECT l.customer_id, l.remaining, m.idempotency_key AS key FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
        WHERE l.tenant_id = ${ctx.tenantId} AND l.customer_id = ANY(${customers}::text[]) AND NOT l.released AND l.available_at <= ${ctx.now}
        ORDER BY l.available_at, l.id
        FOR UPDATE OF l`;
      const { outbox: items } = await postAndAnnounce(
        tx,
        lots.map((l) => ({
          tenantId: ctx.tenantId,
          customerId: l.customer_id,
          kind: "release" as const,
          unit: "points" as const,
          amount: exactNumber(l.remaining),
          idempotencyKey: `release:${l.key}`,
          sourceKey: l.key,
          occurredAt: ctx.now,
          reason: "pending period over",
        })),
        // A pass posts thousands of movements: their events as one outbox row, not a row each.
        { milestonesOf: () => ctx.programme.config.milestones, batch: true },
      );
      // A lot fully reversed while pending has nothing left to release: mark it released all the same.
      await tx.$executeRaw`UPDATE point_lots l SET released = true FROM ledger_movements m
        WHERE m.id = l.movement_id AND l.tenant_id = ${ctx.tenantId} AND NOT l.released AND l.remaining = 0 AND m.idempotency_key = ANY(${lots.map((l) => l.key)}::text[])`;
      return { count: lots.length, items };
    });
    if (!items) return result;
    result.acted += items.count;
    result.outbox.push(...items.items);
    if (items.count === 0) return result; // the due lots were released by another pass meanwhile
  }
}
