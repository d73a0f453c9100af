import type { LoyaltyEvent } from "@regulars/contracts";
import { inQualifyingWindow, type Window } from "./qualifying-window.ts";

/** A band campaigns ask the ledger to announce: `within` of tier `tierId`'s threshold, in the tiers' own unit. */
export interface TierGap {
  tierId: string;
  within: number;
}

/**
 * One change of the value a customer's tier rests on (points earned, spend or orders over the tier window; never the
 * spendable balance), as the sale or refund planner counted it, with the tier the customer holds after it and the
 * programme's levels that transaction was judged by.
 */
export interface QualifyingMove {
  tenantId: string;
  customerId: string;
  occurredAt: Date;
  transactionId: string | null;
  before: number;
  after: number;
  heldTier: string | null;
  levels: readonly { id: string; threshold: number }[];
  /** The tier window the move was counted in ([since, until), null: lifetime); absent: the one in force. */
  window?: Window;
}

/** What the batch knows beyond its moves: when it runs, and the tier each customer holds once it is applied. */
export interface TierGapBatch {
  /** The batch's processing time: a move counted in a window that does not hold it announces and closes nothing. */
  now?: Date;
  /** Each customer's tier after the whole batch; missing: the tier held after their last move. */
  finalTiers?: ReadonlyMap<string, string | null>;
}

/** Where a customer stands against one band: how many crossings into it so far, and is the last one still open? */
export interface TierGapState {
  crossing: number;
  open: boolean;
}

export interface TierGapChanges {
  inserts: { customerId: string; tenantId: string; tierId: string; within: number; crossing: number }[];
  /** Crossings the value fell back below the band from (or left unseen, by a window's turn): the next rise is new. */
  closes: { customerId: string; tierId: string; within: number; crossing: number }[];
  events: LoyaltyEvent[];
}

export const tierGapKey = (customerId: string, tierId: string, within: number) => `${customerId}:${tierId}:${within}`;

/**
 * "Only 20 points to gold", announced once per crossing into [threshold − within, threshold) from below it, and only
 * to a customer whose tier is below that tier (one already gold, or above, is told nothing, whatever their value).
 * Moves are walked in order, so a rise and a fall inside one batch are both seen. A move that starts below the band
 * while a crossing is open means the value fell without a movement (the tier window turned): that crossing closes and
 * the rise is a new one. `state` holds the latest crossing per customer and band (missing: never crossed) and is
 * updated in place. A level the move's programme does not have, or a held tier it cannot rank, announces nothing.
 *
 * The batch is judged where it ends and when it runs (`batch`). A move counted in a tier window that does not hold
 * `now` (a late sale of a closed calendar year) is skipped: that year's value no longer counts toward any tier, and
 * the crossings follow the value that does. A customer whose tier after the batch is at or above a band's tier (into
 * the band and past gold in one batch) is told nothing of it, and the crossing is not stored either: the batch ends
 * as one sale of its total would, which jumps the band; a later fall into the band from above is no crossing anyway.
 */
export function tierGapChanges(
  gaps: readonly TierGap[],
  moves: readonly QualifyingMove[],
  state: Map<string, TierGapState>,
  batch: TierGapBatch = {},
): TierGapChanges {
  const changes: TierGapChanges = { inserts: [], closes: [], events: [] };
  const unique = [...new Map(gaps.map((g) => [`${g.tierId}:${g.within}`, g])).values()];
  const counted = moves.filter(
    (m) => m.before !== m.after && (!batch.now || m.window === undefined || inQualifyingWindow(m.window, batch.now)),
  );
  const finalTiers = new Map(counted.map((m) => [m.customerId, m.heldTier]));
  for (const [customerId, tier] of batch.finalTiers ?? []) finalTiers.set(customerId, tier);
  const lastMove = new Map(counted.map((m) => [m.customerId, m]));
  /** Whether the customer ends the batch below the tier at `threshold` (ranked by their last move's levels). */
  const endsBelow = (customerId: string, threshold: number) => {
    const last = lastMove.get(customerId)!;
    return below({ ...last, heldTier: finalTiers.get(customerId) ?? null }, threshold);
  };
  for (const m of counted) {
    for (const g of unique) {
      const level = m.levels.find((l) => l.id === g.tierId);
      if (!level) continue;
      const lower = level.threshold - g.within;
      const key = tierGapKey(m.customerId, g.tierId, g.within);
      const s = state.get(key) ?? { crossing: 0, open: false };
      const close = () => {
        state.set(key, { crossing: s.crossing, open: false });
        changes.closes.push({ customerId: m.customerId, tierId: g.tierId, within: g.within, crossing: s.crossing });
      };
      const entered = m.before < lower && m.after >= lower && m.after < level.threshold;
      if (entered && below(m, level.threshold) && endsBelow(m.customerId, level.threshold)) {
        if (s.open) close();
        const crossing = s.crossing + 1;
        state.set(key, { crossing, open: true });
        changes.inserts.push({ ...pick(m), tierId: g.tierId, within: g.within, crossing });
        changes.events.push({
          type: "tier.gap",
          id: `tier_gap:${m.customerId}:${g.tierId}:${g.within}:${crossing}`,
          tenantId: m.tenantId,
          customerId: m.customerId,
          occurredAt: m.occurredAt.toISOString(),
          tierId: g.tierId,
          within: g.within,
          threshold: level.threshold,
          value: m.after,
          gap: level.threshold - m.after,
          crossing,
          transactionId: m.transactionId,
        });
      } else if (s.open && (m.after < lower || m.before < lower)) close();
    }
  }
  return changes;
}

const pick = (m: QualifyingMove) => ({ customerId: m.customerId, tenantId: m.tenantId });

/** Whether the tier held after the move ranks below `threshold`: no tier does; a tier the levels lack cannot rank. */
function below(m: QualifyingMove, threshold: number): boolean {
  if (m.heldTier === null) return true;
  const held = m.levels.find((l) => l.id === m.heldTier);
  return held !== undefined && held.threshold < threshold;
}
