import type { TierProgramme } from "@regulars/contracts";
import { type SaleUpgrade, upgradesInForce } from "@regulars/rules";
import type { LoyaltyState, SaleRecord } from "./loyalty.ts";
import { inQualifyingWindow, type Window } from "./qualifying-window.ts";

/**
 * The upgrades the customer's tier rests on, latest first, down to the first made outside `window` (the window
 * whose total the refund lowered: another period's upgrade was earned on a total the refund did not touch). The
 * refunded sale's own, as its record holds it, counts while no refund took it back, whether or not the state holds
 * the customer's others; when their chain does not reach the tier held (a state loaded without them, a tier set
 * since otherwise), the sale's own still goes back while it is that tier's.
 */
export function upgradesBehind(state: LoyaltyState, sale: SaleRecord, window: Window): SaleUpgrade[] {
  // Loaded, the customer's upgrades leave out every one a refund took back, another sale's refund included, which the
  // sale's own record does not know: an upgrade missing there is not taken back (and its reward not taken) again.
  const takenBack = state.upgrades !== undefined && !state.upgrades.some((u) => u.saleId === sale.id);
  const own =
    sale.effects.tier && !sale.tierRevoked && !takenBack
      ? { saleId: sale.id, at: sale.occurredAt, upgrade: sale.effects.tier }
      : null;
  const others = (state.upgrades ?? []).filter((u) => u.saleId !== sale.id);
  const chain = upgradesInForce(state.tier, state.tierSince, own ? [...others, own] : others);
  const outside = chain.findIndex((u) => !inQualifyingWindow(window, u.at));
  const inWindow = outside < 0 ? chain : chain.slice(0, outside);
  return inWindow.length || !own || own.upgrade.to !== state.tier ? inWindow : [own];
}

/**
 * When a refund goes back to the tier held before its sale, that tier's own `tierSince`: its qualification period
 * goes on as if the sale never happened (starting a new one at the refund would keep it a window longer).
 * Undefined when the refund lands on another tier, or the sale's effects were stored before they recorded it.
 */
export function tierSinceBeforeSale(upgrade: SaleRecord["effects"]["tier"], backTo: string): Date | null | undefined {
  if (upgrade?.from !== backTo || upgrade.fromSince === undefined) return undefined;
  return upgrade.fromSince === null ? null : new Date(upgrade.fromSince);
}

/**
 * The tiers an upgrade was reached under, for `tierAfterRefund` to judge it by: those of the programme in force when
 * it was made (`tiersAt`), while they qualify on the refund's basis (a value counted in points says nothing against
 * thresholds in money); else, and unknown, the refund's own. `tierAfterRefund` judges an upgrade by the lower of
 * these and the refund's: a threshold a later version raised acts at the end of the qualification period, as the
 * downgrade job judges it, not through a refund that leaves the value it was reached at; one it lowered keeps a tier
 * the value left still earns today. Levels it lands on are always the refund's programme's.
 */
export function tiersWhenMade(
  tiers: TierProgramme,
  tiersAt: ((at: Date) => TierProgramme | undefined) | undefined,
): (upgrade: SaleUpgrade) => TierProgramme {
  return ({ at }) => {
    const made = tiersAt?.(at);
    return made?.basis === tiers.basis ? made : tiers;
  };
}

/**
 * The tiers the year-end run ending at `yearEnd` judged the closed year with, for `tierOnJudgedPeriod`: those of the
 * programme in force then (`tiersAt`); unknown, the refund's own. Null when that version counted another basis (a
 * value in points says nothing against thresholds in money) or no calendar years (its run judged no year): the tier
 * held does not rest on a judgement the refund can redo.
 */
export function tiersOfYearEndRun(
  tiers: TierProgramme,
  tiersAt: ((at: Date) => TierProgramme | undefined) | undefined,
  yearEnd: Date,
): TierProgramme | null {
  const then = tiersAt?.(yearEnd);
  if (!then) return tiers;
  return then.basis === tiers.basis && then.window === "calendar_year" ? then : null;
}
