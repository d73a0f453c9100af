import type { LoyaltyEvent } from "@regulars/contracts";
import { withTransaction } from "@regulars/db";
import { localDate, tierFor, tierWindowStart } from "@regulars/rules";
import { qualifyingValues } from "../accounts/qualifying.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import type { JobContext, JobResult } from "./context.ts";

/**
 * Downgrades at the end of the qualification period: a calendar-year programme re-qualifies every
 * customer on the tenant's local 1 January against the year that just ended; a rolling programme each
 * local day against the last 12 months. Upgrades never wait (the ledger worker does them at once), and
 * nobody is moved up here. A job mark per period makes the run happen once.
 */
export async function applyTierDowngrades(ctx: JobContext): Promise<JobResult> {
  const tiers = ctx.programme.config.tiers;
  if (!tiers || tiers.window === "lifetime") return { acted: 0, outbox: [] };
  const tz = ctx.programme.timezone;
  const nowIso = ctx.now.toISOString();
  const period = tiers.window === "calendar_year" ? localDate(nowIso, tz).slice(0, 4) : localDate(nowIso, tz);
  const windowEnd = tierWindowStart(tiers.window, nowIso, tz)!; // this period's start = the end of the one being judged
  const windowStart =
    tiers.window === "calendar_year"
      ? tierWindowStart("calendar_year", new Date(windowEnd.getTime() - 1).toISOString(), tz)!
      : windowEnd;
  // Nothing after the window is cut off for the current period: a till whose clock runs ahead (a sale
  // stamped a little in the future) must not cost its customer the tier.
  const judgedUntil = tiers.window === "calendar_year" ? windowEnd : undefined;

  return withTransaction(ctx.db, async (tx) => {
    const marked = await tx.$queryRaw<{ key: string }[]>`
      INSERT INTO job_marks (job, tenant_id, key) VALUES ('tier-downgrade', ${ctx.tenantId}, ${period})
      ON CONFLICT DO NOTHING RETURNING key`;
    if (!marked.length) return { acted: 0, outbox: [] };
    const members = await tx.$queryRaw<{ customer_id: string; tier: string }[]>`
      SELECT customer_id, tier FROM customer_loyalty WHERE tenant_id = ${ctx.tenantId} AND tier IS NOT NULL ORDER BY customer_id FOR UPDATE`;
    if (!members.length) return { acted: 0, outbox: [] };
    const ids = members.map((m) => m.customer_id);
    const values = new Map(
      (await qualifyingValues(tx, ctx.tenantId, ids, tiers.basis, windowStart, judgedUntil)).map((v) => [
        v.customer_id,
        Number(v.value),
      ]),
    );
    if (tiers.window === "calendar_year") {
      // Whoever already qualifies in the new year keeps the tier, even if this runs weeks into it.
      for (const v of await qualifyingValues(tx, ctx.tenantId, ids, tiers.basis, windowEnd)) {
        values.set(v.customer_id, Math.max(values.get(v.customer_id) ?? 0, Number(v.value)));
      }
    }
    const events: LoyaltyEvent[] = [];
    const changes: { customerId: string; tier: string }[] = [];
    for (const m of members) {
      const current = tiers.levels.find((l) => l.id === m.tier);
      const earned = tierFor(tiers, values.get(m.customer_id) ?? 0);
      if (current && earned.threshold >= current.threshold) continue;
      changes.push({ customerId: m.customer_id, tier: earned.id });
      events.push({
        type: "tier.changed",
        id: `tier:${m.customer_id}:down:${period}`,
        tenantId: ctx.tenantId,
        customerId: m.customer_id,
        occurredAt: nowIso,
        from: m.tier,
        to: earned.id,
        direction: "down",
        qualifyingValue: values.get(m.customer_id) ?? 0,
      });
    }
    if (changes.length) {
      await tx.$executeRaw`
        UPDATE customer_loyalty l SET tier = c.tier, tier_since = ${ctx.now}, updated_at = now()
        FROM unnest(${changes.map((c) => c.customerId)}::text[], ${changes.map((c) => c.tier)}::text[]) AS c(customer_id, tier)
        WHERE l.customer_id = c.customer_id`;
    }
    const items = events.map(outboxItem);
    await writeOutbox(tx, items);
    return { acted: changes.length, outbox: items };
  });
}
