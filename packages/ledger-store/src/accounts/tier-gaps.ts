import type { LoyaltyEvent } from "@regulars/contracts";
import { exactNumber, type RawTx, sqlArray } from "@regulars/db";
import {
  type QualifyingMove,
  type TierGap,
  type TierGapBatch,
  type TierGapState,
  tierGapChanges,
  tierGapKey,
} from "@regulars/ledger";

/**
 * How long a tenant's wanted bands are kept before they are read again. A tier_gap campaign activated (or a band
 * changed) is heard by batches within this long; crossings made before are not announced to it, as crossings made
 * before a campaign starts never are. Reading them every batch cost tenants with tiers but no such campaign a
 * statement per batch.
 */
export const tierGapBandsTtlMs = 30_000;

/** Each tenant's wanted bands (`tierGapsWanted`), kept `ttlMs`: one read per tenant and TTL, not per batch. */
export class TierGapBands {
  private readonly cache = new Map<string, { gaps: TierGap[]; loadedAt: number }>();
  constructor(private readonly ttlMs = tierGapBandsTtlMs) {}

  async of(tx: RawTx, tenantId: string): Promise<TierGap[]> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.loadedAt <= this.ttlMs) return hit.gaps;
    const gaps = await tierGapsWanted(tx, tenantId);
    this.cache.set(tenantId, { gaps, loadedAt: Date.now() });
    return gaps;
  }
}

const bandsBeside = new WeakMap<object, TierGapBands>();
/**
 * The band cache living beside a worker's programme cache (one per `LedgerDeps`): no new dependency to wire, and a
 * caller with a fresh programme cache (a test, a one-off apply) reads the bands afresh as it reads the programme.
 */
export function tierGapBandsOf(programmes: object): TierGapBands {
  const cached = bandsBeside.get(programmes);
  if (cached) return cached;
  const bands = new TierGapBands();
  bandsBeside.set(programmes, bands);
  return bands;
}

/**
 * The bands ("within 20 of gold") the tenant's running campaigns with a `tier_gap` trigger ask for, read from their
 * current version. Only these are tracked: a band nobody listens to would fill `tier_gap_crossings` for nothing. A
 * campaign started later hears crossings from then on, as one on a milestone added later does.
 */
export async function tierGapsWanted(tx: RawTx, tenantId: string): Promise<TierGap[]> {
  const rows = await tx.$queryRaw<{ tier_id: unknown; within: unknown }[]>`
    SELECT DISTINCT v.definition -> 'trigger' -> 'tierId' AS tier_id, v.definition -> 'trigger' -> 'within' AS within
    FROM campaigns c JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
    WHERE c.tenant_id = ${tenantId} AND c.status = 'active' AND c.trigger_type = 'tier_gap'`;
  // The definition was validated when saved; one this release cannot read asks for nothing.
  return rows.flatMap((r) =>
    typeof r.tier_id === "string" && typeof r.within === "number" && Number.isInteger(r.within) && r.within > 0
      ? [{ tierId: r.tier_id, within: r.within }]
      : [],
  );
}

/**
 * Tier-gap crossings for the qualifying moves of one tenant's transactions: reads each customer's latest crossing per
 * band, lets `tierGapChanges` walk the moves in order, and stores new crossings (a row each: announced once) and
 * closed ones (fell below the band: the next rise is a new crossing), as `trackMilestones` does for balances.
 */
export async function trackTierGaps(
  tx: RawTx,
  gaps: readonly TierGap[],
  moves: readonly QualifyingMove[],
  batch: TierGapBatch = {},
): Promise<LoyaltyEvent[]> {
  const changed = moves.filter((m) => m.before !== m.after);
  if (!gaps.length || !changed.length) return [];
  const customers = [...new Set(changed.map((m) => m.customerId))];
  const latest = await tx.$queryRaw<
    { customer_id: string; tier_id: string; within: bigint; crossing: number; open: boolean }[]
  >`
    SELECT DISTINCT ON (customer_id, tier_id, within) customer_id, tier_id, within, crossing, open
    FROM tier_gap_crossings WHERE customer_id = ANY(${sqlArray(customers)}::text[])
    ORDER BY customer_id, tier_id, within, crossing DESC`;
  const state = new Map<string, TierGapState>(
    latest.map((r) => [
      tierGapKey(r.customer_id, r.tier_id, exactNumber(r.within)),
      { crossing: r.crossing, open: r.open },
    ]),
  );
  const { inserts, closes, events } = tierGapChanges(gaps, changed, state, batch);
  // Inserts before closes: a crossing that fell back later in the same batch is closed once stored.
  if (inserts.length) {
    await tx.$executeRaw`
      INSERT INTO tier_gap_crossings (customer_id, tier_id, within, crossing, tenant_id, open, crossed_at)
      SELECT c, t, w, n, tn, true, now() FROM unnest(${sqlArray(inserts.map((i) => i.customerId))}::text[],
        ${sqlArray(inserts.map((i) => i.tierId))}::text[], ${sqlArray(inserts.map((i) => i.within))}::bigint[],
        ${sqlArray(inserts.map((i) => i.crossing))}::int[], ${sqlArray(inserts.map((i) => i.tenantId))}::text[])
        AS x(c, t, w, n, tn)
      ON CONFLICT DO NOTHING`;
  }
  if (closes.length) {
    await tx.$executeRaw`
      UPDATE tier_gap_crossings g SET open = false, changed_at = now()
      FROM unnest(${sqlArray(closes.map((c) => c.customerId))}::text[],
        ${sqlArray(closes.map((c) => c.tierId))}::text[], ${sqlArray(closes.map((c) => c.within))}::bigint[],
        ${sqlArray(closes.map((c) => c.crossing))}::int[]) AS x(c, t, w, n)
      WHERE g.customer_id = x.c AND g.tier_id = x.t AND g.within = x.w AND g.crossing = x.n`;
  }
  return events;
}

/**
 * The crossings of each tenant's moves, for the bands its campaigns ask for (none asked: no crossings read). A tenant
 * whose moves in the batch only lower values (refunds alone) is not read at all: a lower value announces nothing, and a
 * batch of refunds pays no statement for it (`tier-past-period-refund.test.ts` counts them). The crossings it left
 * behind close with the next batch that reads the tenant's bands: a rise from below the band closes the open crossing
 * and starts a new one (`tierGapChanges`), so the next crossing is announced all the same. With `batch.bands` the
 * bands come from its cache (`tierGapBandsTtlMs`); `now` and `finalTiers` are the batch's (`TierGapBatch`).
 */
export async function announceTierGaps(
  tx: RawTx,
  moves: readonly QualifyingMove[],
  batch: TierGapBatch & { bands?: TierGapBands } = {},
): Promise<LoyaltyEvent[]> {
  const events: LoyaltyEvent[] = [];
  for (const tenantId of new Set(moves.map((m) => m.tenantId))) {
    const own = moves.filter((m) => m.tenantId === tenantId);
    if (!own.some((m) => m.after > m.before)) continue;
    const gaps = batch.bands ? await batch.bands.of(tx, tenantId) : await tierGapsWanted(tx, tenantId);
    if (gaps.length) events.push(...(await trackTierGaps(tx, gaps, own, batch)));
  }
  return events;
}
