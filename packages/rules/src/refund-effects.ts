import type { TierLevel, TierProgramme } from "@regulars/contracts";
import type { MatchedRefundLine, SaleLineForRefund } from "./refunds.ts";
import { floorForgivingNoise } from "./rounding.ts";
import { effectiveTier, type TierFloor, tierFor } from "./tiers.ts";

/**
 * What a sale produced beyond points, recorded with it so a refund can take it back: stamps per card
 * (for item cards, the units each line stamped) and a tier upgrade with the reward it paid.
 */
export interface SaleEffects {
  /**
   * Per card, also the card's size and the reward it paid per completion as the sale's programme had them: a refund
   * takes back what the sale paid, whatever the programme says by then, and also of a card removed since. Absent on
   * effects stored before they were recorded: those are judged by the card in force at the refund.
   */
  stamps: Record<string, { added: number; perLine: number[]; stampsRequired?: number; rewardPoints?: number }>;
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
    /**
     * The qualifying value `to` needed when the upgrade was made, recorded where that is not the programme in force at
     * the transaction's time: on a level a refund left (`tierAfterRefund`'s `left`), reached under an earlier version.
     * Absent: the level's threshold in the programme in force at the transaction's time (`tiersWhenMade`).
     */
    threshold?: number;
  } | null;
  /**
   * Per line, the wallet cash that paid it (`walletPaidPerLine`), when it paid any line of a sale that stamped a card.
   * Absent on effects stored before it was recorded: their lines that cost no money count as refunded, as they did.
   */
  walletPaid?: number[];
}

/** What refunds of a sale took back so far. */
export interface RefundEffects {
  stampsTaken: Record<string, number>;
  /** What `tierAfterRefund` left of an upgrade it took back: an upgrade of the refund's own. */
  tier?: SaleEffects["tier"];
  /** `sales`: whose upgrades it took back, when not only the refunded sale's own (absent: that one). */
  tierRevoked: { from: string; to: string; sales?: string[] } | null;
}

export const noSaleEffects = (): SaleEffects => ({ stamps: {}, tier: null });

/**
 * Stamps a refund takes back from each card, given what the sale's refunds took back of each line so far, this one
 * included: money (`refundedAfter`) and, of a line the sale paid nothing for in money (the checkout paid it, with
 * wallet cash, points or a reward), the price the refunds named (`pricesNamedAfter`), all that measures such a line.
 * A visit stamp goes back when the sale is refunded in full: every line's money, and the whole price of a line that
 * the wallet paid (`SaleEffects.walletPaid`), the customer's money as a card payment is. A line that cost nothing at
 * all (a reward, points, a coupon, the till's own 100% off) stamped nothing, so a refund need not name it: tills
 * refund the lines that took money. Item stamps go back by refunded units (a line's units × its refunded share,
 * rounded down), never more than the sale added.
 */
export function stampsToTakeBack(
  effects: SaleEffects,
  saleLines: readonly (SaleLineForRefund & { price?: number })[],
  refundedAfter: readonly number[],
  alreadyTaken: Readonly<Record<string, number>>,
  pricesNamedAfter: readonly number[] = [],
): Record<string, number> {
  const result: Record<string, number> = {};
  const share = (i: number) => {
    const { amount, price = 0 } = saleLines[i]!;
    if (amount > 0) return Math.min(1, (refundedAfter[i] ?? 0) / amount);
    return price > 0 ? Math.min(1, (pricesNamedAfter[i] ?? 0) / price) : 0;
  };
  const paidFromWallet = (i: number) => {
    const { amount, price = 0 } = saleLines[i]!;
    return amount <= 0 && price > 0 && (effects.walletPaid?.[i] ?? 0) > 0;
  };
  const full = saleLines.every((l, i) => (paidFromWallet(i) ? share(i) >= 1 : l.amount <= (refundedAfter[i] ?? 0)));
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

/** A sale line a refund took back, as the refund records it; `price` only for a line that cost no money. */
export interface RefundedEntry {
  lineNo: number;
  amount: number;
  price?: number;
}

/**
 * What a refund records of the sale lines it matched: the money, and for a line the sale paid nothing for in money the
 * price (before discounts) of the refund line that named it, as later refunds measure such a line by it. Such a line
 * has no money left to refund, so only a refund line of no money names it, and names it alone (`matchRefundLines`).
 */
export function refundedEntries(
  saleLines: readonly SaleLineForRefund[],
  matched: readonly MatchedRefundLine[],
  refundLines: readonly { quantity: number; unitPrice: number }[],
): RefundedEntry[] {
  return matched.map(({ lineNo, amount, refundLine }) => {
    const r = refundLines[refundLine]!;
    return saleLines[lineNo]!.amount > 0 ? { lineNo, amount } : { lineNo, amount, price: r.quantity * r.unitPrice };
  });
}

/** The price refunds named of each sale line that cost no money, after adding `entries` to `before`. */
export function pricesNamedAfter(
  before: readonly number[] | undefined,
  lineCount: number,
  entries: readonly Pick<RefundedEntry, "lineNo" | "price">[],
): number[] {
  const after = Array.from({ length: lineCount }, (_, i) => before?.[i] ?? 0);
  for (const e of entries) if (e.price !== undefined && e.lineNo < lineCount) after[e.lineNo]! += e.price;
  return after;
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
 * A tier upgrade a transaction made, as it recorded it, and when: the tier it gave was held since then. A sale's, a
 * refund's that left a level of an upgrade it took back (`tierAfterRefund`'s `left`), or the tier job's for a
 * programme version that lowered the bar (`saleId` then names the version, `programme:<version>`): that one rests on
 * the same sales' value, so a refund judges it, and walks through it, as a sale's.
 */
export interface SaleUpgrade {
  saleId: string;
  at: Date;
  upgrade: NonNullable<SaleEffects["tier"]>;
}

/**
 * The upgrades the tier held rests on, latest first: the sale that gave `tier` at `since`, the one that gave the
 * tier it came from at the time that sale recorded, and so on. The chain ends where a tier was not given by an
 * upgrade (a floor, the downgrade job), so an upgrade another change has since replaced is never taken back.
 */
export function upgradesInForce(
  tier: string | null,
  since: Date | null,
  upgrades: readonly SaleUpgrade[],
): SaleUpgrade[] {
  const chain: SaleUpgrade[] = [];
  let at = since?.getTime() ?? null;
  let held = tier;
  while (held !== null && at !== null) {
    const gave = upgrades.find((u) => u.upgrade.to === held && u.at.getTime() === at && !chain.includes(u));
    if (!gave) break;
    chain.push(gave);
    held = gave.upgrade.from;
    at = gave.upgrade.fromSince ? Date.parse(gave.upgrade.fromSince) : null;
  }
  return chain;
}

/**
 * The tier after a refund, and the upgrades it takes back (with their rewards): every upgrade in force, latest
 * first, whose tier the remaining qualifying value no longer reaches, whichever sale made it, so the sales left
 * decide the tier and the rewards kept whatever order they are refunded in. It goes back to what the remaining
 * value earns, never below the tier held before the earliest upgrade taken back (that one was not given by these
 * sales). Landing above that tier (an upgrade that skipped a level), it leaves `left`: the part of the earliest
 * upgrade the remaining value still backs, with no reward (the reward paid was the tier's taken back), for a later
 * refund to take back in turn. Null when nothing changes.
 *
 * Each upgrade is judged against the lower of the threshold it was reached at (`tiersWhenMade`: the programme in
 * force when it was made; `tiers`, the refund's, by default) and the one in force now: a version that raised a
 * threshold since acts through the downgrade at the end of the qualification period (SPEC), not through a refund; one
 * that lowered it lets the remaining value keep a tier it earns today (taken back, the next sale would reach, and pay,
 * it again). It lands only on a level of the programme in force, the highest that the remaining value earns now, that
 * was held before the earliest upgrade taken back, or that the remaining value earned under that upgrade's thresholds.
 */
export function tierAfterRefund(
  tiers: TierProgramme,
  currentTier: string | null,
  qualifyingAfter: number,
  inForce: readonly SaleUpgrade[],
  tiersWhenMade: (upgrade: SaleUpgrade) => TierProgramme = () => tiers,
): { tier: TierLevel; revoked: SaleUpgrade[]; left: SaleUpgrade["upgrade"] | null } | null {
  const current = tiers.levels.find((l) => l.id === currentTier);
  if (!current) return null;
  const revoked: SaleUpgrade[] = [];
  let held = current;
  for (const u of inForce) {
    if (u.upgrade.to !== held.id) break;
    const reachedAt = u.upgrade.threshold ?? tiersWhenMade(u).levels.find((l) => l.id === u.upgrade.to)?.threshold;
    if (Math.min(reachedAt ?? held.threshold, held.threshold) <= qualifyingAfter) break;
    revoked.push(u);
    held = tiers.levels.find((l) => l.id === u.upgrade.from) ?? tierFor(tiers, 0);
  }
  if (!revoked.length) return null;
  const made = tiersWhenMade(revoked.at(-1)!);
  const rank = rankIn(tiers);
  // The level the earliest upgrade taken back still leaves under its own thresholds (a skipped level those set lower
  // than today's), while the programme in force still has it and below the tier held.
  const madeLevel = tiers.levels.find((l) => l.id === tierFor(made, qualifyingAfter).id);
  const candidates = [tierFor(tiers, qualifyingAfter), held];
  if (madeLevel && rank(madeLevel) < rank(current)) candidates.push(madeLevel);
  const next = candidates.reduce((best, l) => (rank(l) > rank(best) ? l : best));
  if (rank(next) >= rank(current)) return null;
  const earliest = revoked.at(-1)!.upgrade;
  const madeThreshold = made.levels.find((l) => l.id === next.id)?.threshold ?? next.threshold;
  const left =
    next.id === held.id
      ? null
      : {
          from: earliest.from,
          fromSince: earliest.fromSince,
          fromByFloor: earliest.fromByFloor,
          to: next.id,
          rewardPoints: 0,
          rewardKey: null,
          // What the remaining value backs it at: a later refund judges it by the lower of this and its own.
          threshold: Math.min(madeThreshold, next.threshold),
        };
  return { tier: next, revoked, left };
}

/**
 * The tier a refund leaves when it lowers the value of the period the last period-end run judged the tier on (a
 * December sale refunded in January): the run kept `held` on that value, and no later run looks at that period again,
 * so the refund judges it as the run would have, on the higher of that period's value after it and the value of the
 * period in force (`value`). Below the held level's threshold it falls to the level the value reaches, lifted by a
 * floor in force at `at`; null when the tier stands (the value still qualifies, the floor holds it, an unknown level).
 * `byFloor`: the floor alone holds the level it lands on.
 *
 * Each level's threshold is the lower of the run's (`judgedBy`: the programme in force when it judged; `tiers`, the
 * refund's, by default) and today's, as `tierAfterRefund` judges an upgrade: a version that raised a threshold since
 * acts at the end of the qualification period (SPEC), not through a refund of a sale the run already judged; one that
 * lowered it keeps a tier the value left earns today. It lands only on a level of the programme in force.
 */
export function tierOnJudgedPeriod(
  tiers: TierProgramme,
  held: string | null,
  value: number,
  floor: TierFloor | null,
  at: Date,
  judgedBy: TierProgramme = tiers,
): { tier: string; byFloor: boolean } | null {
  const bar = (level: TierLevel) =>
    Math.min(level.threshold, judgedBy.levels.find((l) => l.id === level.id)?.threshold ?? level.threshold);
  const current = tiers.levels.find((l) => l.id === held);
  if (!current || value >= bar(current)) return null;
  const rank = rankIn(tiers);
  const earned = tiers.levels
    .filter((l) => bar(l) <= value)
    .reduce((best, l) => (rank(l) > rank(best) ? l : best), tierFor(tiers, value));
  const to = tiers.levels.find((l) => l.id === effectiveTier(tiers, earned.id, floor, at)) ?? earned;
  return rank(to) < rank(current) ? { tier: to.id, byFloor: to.id !== earned.id } : null;
}

/** A level's place in `tiers`, lowest first; equal thresholds keep list order, as `tierFor` reads them. */
function rankIn(tiers: TierProgramme): (level: TierLevel) => number {
  const order = [...tiers.levels].sort((a, b) => a.threshold - b.threshold).map((l) => l.id);
  return (level) => order.indexOf(level.id);
}
