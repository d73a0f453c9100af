import type { TierLevel, TierProgramme } from "@regulars/contracts";
import type { SaleLineForRefund } from "./refunds.ts";
import { floorForgivingNoise } from "./rounding.ts";
import { tierFor } from "./tiers.ts";

/**
 * What a sale produced beyond points, recorded with it so a refund can take it back: stamps per card
 * (for item cards, the units each line stamped) and a tier upgrade with the reward it paid.
 */
export interface SaleEffects {
  stamps: Record<string, { added: number; perLine: number[] }>;
  tier: {
    from: string | null;
    /**
     * Since when `from` was held (ISO), so a refund that goes back to it restores its qualification period
     * rather than starting a new one. Absent on effects stored before it was recorded.
     */
    fromSince?: string | null;
    /** Whether `from` was given by an admin's tier floor (see `tierByFloor`); absent on effects stored before. */
    fromByFloor?: boolean;
    to: string;
    rewardPoints: number;
    rewardKey: string | null;
  } | null;
}

/** What refunds of a sale took back so far. */
export interface RefundEffects {
  stampsTaken: Record<string, number>;
  tierRevoked: { from: string; to: string } | null;
}

export const noSaleEffects = (): SaleEffects => ({ stamps: {}, tier: null });

/**
 * Stamps a refund takes back from each card, given the money refunded per line before and after it.
 * A visit stamp goes back when the sale is refunded in full; item stamps go back by refunded units
 * (a line's units × its refunded share, rounded down), never more than the sale added.
 */
export function stampsToTakeBack(
  effects: SaleEffects,
  saleLines: readonly SaleLineForRefund[],
  refundedAfter: readonly number[],
  alreadyTaken: Readonly<Record<string, number>>,
): Record<string, number> {
  const result: Record<string, number> = {};
  const share = (i: number) =>
    saleLines[i]!.amount > 0 ? Math.min(1, (refundedAfter[i] ?? 0) / saleLines[i]!.amount) : 0;
  const full = saleLines.every((l, i) => l.amount <= (refundedAfter[i] ?? 0));
  for (const [cardId, stamped] of Object.entries(effects.stamps)) {
    const isItemCard = stamped.perLine.some((units) => units > 0);
    const target = isItemCard
      ? Math.min(
          stamped.added,
          stamped.perLine.reduce((sum, units, i) => sum + floorForgivingNoise(units * share(i)), 0),
        )
      : full
        ? stamped.added
        : 0;
    const take = target - (alreadyTaken[cardId] ?? 0);
    if (take > 0) result[cardId] = take;
  }
  return result;
}

/**
 * Takes `count` stamps off a card's progress. If they were part of a completed card, the completion is
 * undone too (its reward goes back): the card counts every stamp ever collected, and completions are
 * that total over `required`, at most those made.
 */
export function takeBackStamps(
  progress: { stamps: number; completed: number },
  count: number,
  required: number,
): { stamps: number; completed: number; undoneCompletions: number } {
  const total = Math.max(0, progress.completed * required + progress.stamps - count);
  // A card whose stamps reach its size without having been completed (two customers' stamps added by a merge, a
  // card made smaller) is completed, and its reward paid, by the next sale that stamps it: never by a take-back.
  const completed = Math.min(progress.completed, Math.floor(total / required));
  return { stamps: total - completed * required, completed, undoneCompletions: progress.completed - completed };
}

/**
 * The tier after a refund of a sale that upgraded the customer: back to what the remaining qualifying
 * value earns, but never below the tier held before that sale (that one was earned by other sales), and
 * only while the customer still holds the tier the sale gave. Null when nothing changes.
 */
export function tierAfterRefund(
  tiers: TierProgramme,
  currentTier: string | null,
  qualifyingAfter: number,
  upgrade: SaleEffects["tier"],
): TierLevel | null {
  if (!upgrade || upgrade.to !== currentTier) return null;
  const current = tiers.levels.find((l) => l.id === currentTier);
  if (!current) return null;
  const qualified = tierFor(tiers, qualifyingAfter);
  const before = tiers.levels.find((l) => l.id === upgrade.from) ?? tierFor(tiers, 0);
  const next = qualified.threshold >= before.threshold ? qualified : before;
  return next.threshold < current.threshold ? next : null;
}
